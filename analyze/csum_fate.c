/*
 * analyze/csum_fate.c — see csum_fate.h.
 */
#include "csum_fate.h"

#include <stdlib.h>

#include "seq.h"

struct held {
	struct tcp_event ev;
	uint32_t seq, end;
	uint32_t next;          /* index + 1 in the flow's list or the free list */
	uint8_t dir;
	uint8_t resent;
	uint64_t resent_ts;
};

struct csum_fate {
	struct held *v;
	size_t cap;
	uint32_t free_head;
};

struct csum_fate *csum_fate_new(size_t capacity)
{
	struct csum_fate *cf = calloc(1, sizeof(*cf));
	if (!cf)
		return NULL;
	cf->v = calloc(capacity ? capacity : 1, sizeof(*cf->v));
	if (!cf->v) {
		free(cf);
		return NULL;
	}
	cf->cap = capacity ? capacity : 1;
	for (size_t i = 0; i < cf->cap; i++)
		cf->v[i].next = i + 1 < cf->cap ? (uint32_t)(i + 2) : 0;
	cf->free_head = 1;
	return cf;
}

void csum_fate_free(struct csum_fate *cf)
{
	if (!cf)
		return;
	free(cf->v);
	free(cf);
}

static void write_event(struct held *h, struct flow *f, enum cause fate,
			const struct event_sink *sink)
{
	h->ev.cause = (uint8_t)fate;
	if (fate == CAUSE_DROPPED && h->resent)
		h->ev.u.csum.resent_ms = (double)(h->resent_ts - h->ev.ts_ns) / 1e6;
	event_emit(sink, f, &h->ev);
}

void csum_fate_hold(struct csum_fate *cf, struct flow *f, int dir, uint32_t seq, uint32_t end,
		    const struct tcp_event *ev, const struct event_sink *sink)
{
	if (seq == end || !cf->free_head) {
		event_emit(sink, f, ev);
		return;
	}
	uint32_t idx1 = cf->free_head;
	struct held *h = &cf->v[idx1 - 1];
	cf->free_head = h->next;
	h->ev = *ev;
	h->seq = seq;
	h->end = end;
	h->dir = (uint8_t)dir;
	h->resent = 0;
	h->resent_ts = 0;
	/* Append, so held events are written in the order they were seen. */
	h->next = 0;
	uint32_t *link = &f->csum_held;
	while (*link)
		link = &cf->v[*link - 1].next;
	*link = idx1;
}

void csum_fate_on_data(struct csum_fate *cf, struct flow *f, int dir, uint32_t seq, uint32_t end,
		       uint64_t ts_ns)
{
	for (uint32_t i = f->csum_held; i; i = cf->v[i - 1].next) {
		struct held *h = &cf->v[i - 1];
		if (h->dir != dir || h->resent || h->ev.ts_ns == ts_ns)
			continue;
		/* Any overlap with the damaged range counts as a resend of it. */
		if (seq_lt(seq, h->end) && seq_gt(end, h->seq)) {
			h->resent = 1;
			h->resent_ts = ts_ns;
		}
	}
}

static int settled(const struct held *h, uint32_t ack, const struct tcp_sack_block *sack, int nsack)
{
	if (seq_geq(ack, h->end))
		return 1;
	for (int i = 0; i < nsack; i++)
		if (seq_leq(sack[i].left, h->seq) && seq_geq(sack[i].right, h->end))
			return 1;
	return 0;
}

void csum_fate_on_ack(struct csum_fate *cf, struct flow *f, int dir, uint32_t ack,
		      const struct tcp_sack_block *sack, int nsack, const struct event_sink *sink)
{
	uint32_t *link = &f->csum_held;
	while (*link) {
		uint32_t idx1 = *link;
		struct held *h = &cf->v[idx1 - 1];
		if (h->dir == dir && settled(h, ack, sack, nsack)) {
			*link = h->next;
			write_event(h, f, h->resent ? CAUSE_DROPPED : CAUSE_ACCEPTED, sink);
			h->next = cf->free_head;
			cf->free_head = idx1;
		} else {
			link = &h->next;
		}
	}
}

void csum_fate_flush(struct csum_fate *cf, struct flow *f, const struct event_sink *sink)
{
	while (f->csum_held) {
		uint32_t idx1 = f->csum_held;
		struct held *h = &cf->v[idx1 - 1];
		f->csum_held = h->next;
		write_event(h, f, h->resent ? CAUSE_DROPPED : CAUSE_UNKNOWN, sink);
		h->next = cf->free_head;
		cf->free_head = idx1;
	}
}
