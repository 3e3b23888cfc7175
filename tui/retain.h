/*
 * tui/retain.h — what the TUI keeps of the analysis, as one more analyzer
 * sink: flows leave the analyzer when they end, so the TUI copies the worst
 * RETAIN_FLOWS ended flows (struct flow, the first rounds of the charted
 * sender, the flow's timeline) and keeps a bounded event timeline for flows
 * still open. Memory is fixed at retain_init: nothing allocates per packet
 * or per event.
 */
#ifndef TCPLENS_TUI_RETAIN_H
#define TCPLENS_TUI_RETAIN_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "analyze/flow.h"
#include "analyze/round_store.h"

#define RETAIN_FLOWS 256       /* ended flows kept: the worst by flow_badness */
#define RETAIN_ROUNDS 64       /* rounds kept per flow (of flow_chart_dir) */
#define TIMELINE_FIRST 16      /* a flow's first events, kept for good */
#define TIMELINE_LAST 32       /* then a ring of its latest */
#define TIMELINE_SLOTS 1024    /* open flows' timelines, direct-mapped by id */

/* A flow's events: the first TIMELINE_FIRST, then the last TIMELINE_LAST. */
struct timeline {
	uint32_t flow_id;          /* 0 = free slot */
	uint32_t total;            /* events seen (kept or not) */
	uint16_t nfirst, nlast, last_pos;
	struct finding_event first[TIMELINE_FIRST];
	struct finding_event last[TIMELINE_LAST];
};

struct retained_flow {
	struct flow f;
	struct flow_cold cold;     /* f.cold points here (flow_snapshot) */
	uint8_t why;               /* enum flow_retire_reason */
	uint8_t rounds_dir;
	uint16_t nrounds;
	double score;
	struct cwnd_round rounds[RETAIN_ROUNDS];
	struct timeline tl;
};

struct retain {
	struct retained_flow *flows;    /* RETAIN_FLOWS, unordered */
	size_t nflows;
	uint64_t ended;                 /* flows that ended, kept or not */
	struct timeline *slots;         /* TIMELINE_SLOTS */
};

/* 0, or -1 when out of memory. */
int retain_init(struct retain *r);
void retain_free(struct retain *r);
/* Sink calls (f may be NULL for events outside flows: not kept). */
void retain_event(struct retain *r, const struct flow *f, const struct finding_event *ev);
/* An ended flow, with its rounds (the charted direction's first RETAIN_ROUNDS kept). */
void retain_flow_end(struct retain *r, const struct flow *f, enum flow_retire_reason why,
		     const struct flow_rounds *rounds);

/* The timeline of a flow still open, or NULL. */
const struct timeline *retain_open_timeline(const struct retain *r, uint32_t flow_id);
/* Events kept in a timeline, and the i-th of them in time order. */
size_t timeline_count(const struct timeline *t);
const struct finding_event *timeline_get(const struct timeline *t, size_t i);

/* The sender whose rounds are worth plotting: the one that sent more. */
int tui_busier_dir(const struct flow *f);

#endif
