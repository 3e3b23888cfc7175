/*
 * analyze/event_sink.h — how detectors hand findings to the analyzer.
 *
 * Detectors fill a `struct finding_event` and call event_emit(); the analyzer
 * behind the sink counts it (exactly, always), applies the per-flow cap and
 * forwards it to the report. Detectors never see the report.
 */
#ifndef TCPLENS_EVENT_SINK_H
#define TCPLENS_EVENT_SINK_H

#include <string.h>

#include "decode.h"
#include "findings.h"
#include "flow.h"

struct event_sink {
	void (*emit)(void *ctx, struct flow *f, const struct finding_event *ev);
	void *ctx;
};

/* Start an event of kind k for the frame being decoded. f may be NULL for a
 * packet that belongs to no flow. */
static inline void event_init(struct finding_event *ev, const struct flow *f,
			      const struct pkt_decoded *d, int dir, enum finding_kind k)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = d->rec->ts_ns;
	ev->frame = d->rec->frame;
	ev->flow_id = f ? f->id : 0;
	ev->dir = (uint8_t)dir;
	ev->kind = (uint8_t)k;
}

static inline void event_emit(const struct event_sink *s, struct flow *f, const struct finding_event *ev)
{
	s->emit(s->ctx, f, ev);
}

#endif
