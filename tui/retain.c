/*
 * tui/retain.c — the TUI's sink: bounded copies of ended flows and event
 * timelines. See retain.h.
 */
#include "retain.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/stall.h"

int retain_init(struct retain *r)
{
	memset(r, 0, sizeof(*r));
	r->flows = calloc(RETAIN_FLOWS, sizeof(*r->flows));
	r->slots = calloc(TIMELINE_SLOTS, sizeof(*r->slots));
	if (!r->flows || !r->slots) {
		retain_free(r);
		return -1;
	}
	return 0;
}

void retain_free(struct retain *r)
{
	free(r->flows);
	free(r->slots);
	r->flows = NULL;
	r->slots = NULL;
}

int tui_busier_dir(const struct flow *f)
{
	return f->half[DIR_C2S].payload_bytes >= f->half[DIR_S2C].payload_bytes ? DIR_C2S : DIR_S2C;
}

static void timeline_add(struct timeline *t, const struct finding_event *ev)
{
	t->total++;
	if (t->nfirst < TIMELINE_FIRST) {
		t->first[t->nfirst++] = *ev;
		return;
	}
	t->last[t->last_pos] = *ev;
	t->last_pos = (uint16_t)((t->last_pos + 1) % TIMELINE_LAST);
	if (t->nlast < TIMELINE_LAST)
		t->nlast++;
}

size_t timeline_count(const struct timeline *t)
{
	return t ? (size_t)t->nfirst + t->nlast : 0;
}

const struct finding_event *timeline_get(const struct timeline *t, size_t i)
{
	if (i < t->nfirst)
		return &t->first[i];
	i -= t->nfirst;
	if (i >= t->nlast)
		return NULL;
	/* the ring's oldest entry is at last_pos once it is full */
	size_t start = t->nlast < TIMELINE_LAST ? 0 : t->last_pos;
	return &t->last[(start + i) % TIMELINE_LAST];
}

void retain_event(struct retain *r, const struct flow *f, const struct finding_event *ev)
{
	if (!f)
		return;
	/* Direct-mapped: a newer flow takes the slot of an older one. */
	struct timeline *t = &r->slots[f->id % TIMELINE_SLOTS];
	if (t->flow_id != f->id) {
		memset(t, 0, sizeof(*t));
		t->flow_id = f->id;
	}
	timeline_add(t, ev);
}

const struct timeline *retain_open_timeline(const struct retain *r, uint32_t flow_id)
{
	const struct timeline *t = &r->slots[flow_id % TIMELINE_SLOTS];
	return flow_id && t->flow_id == flow_id ? t : NULL;
}

void retain_flow_end(struct retain *r, const struct flow *f, enum flow_retire_reason why,
		     const struct flow_rounds *rounds)
{
	r->ended++;
	double score = flow_badness(f);
	size_t at = r->nflows;
	if (r->nflows == RETAIN_FLOWS) {
		/* Replace the least bad (the newest of equals goes first). */
		at = 0;
		for (size_t i = 1; i < RETAIN_FLOWS; i++) {
			const struct retained_flow *a = &r->flows[i], *b = &r->flows[at];
			if (a->score < b->score || (a->score == b->score && a->f.id > b->f.id))
				at = i;
		}
		if (score <= r->flows[at].score)
			at = RETAIN_FLOWS;
	} else {
		r->nflows++;
	}
	struct timeline *slot = &r->slots[f->id % TIMELINE_SLOTS];
	if (at < RETAIN_FLOWS) {
		struct retained_flow *rf = &r->flows[at];
		flow_snapshot(&rf->f, &rf->cold, f);
		rf->why = (uint8_t)why;
		rf->score = score;
		rf->nrounds = 0;
		rf->rounds_dir = (uint8_t)flow_chart_dir(f);
		uint16_t n = rounds->n[rf->rounds_dir];
		rf->nrounds = n < RETAIN_ROUNDS ? n : RETAIN_ROUNDS;
		if (rf->nrounds) /* memcpy wants a pointer even for 0 bytes */
			memcpy(rf->rounds, rounds->r[rf->rounds_dir], rf->nrounds * sizeof(rf->rounds[0]));
		if (slot->flow_id == f->id)
			rf->tl = *slot;
		else
			memset(&rf->tl, 0, sizeof(rf->tl));
	}
	if (slot->flow_id == f->id)
		slot->flow_id = 0;
}
