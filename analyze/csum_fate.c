/*
 * analyze/csum_fate.c — see csum_fate.h. Held events live in held.c's pool:
 * flag = resent, t = the resend's time.
 */
#include "csum_fate.h"

#include "seq.h"
#include "common/units.h"

struct fate_ctx {
	struct flow *f;
	int dir;
	uint32_t seq, end;                    /* a resend, or an ACK's reach */
	uint64_t ts;
	const struct tcp_sack_block *sack;
	int nsack;
	const struct event_sink *sink;
};

static void write_event(struct held *h, struct flow *f, enum cause fate,
			const struct event_sink *sink)
{
	h->ev.cause = (uint8_t)fate;
	if (fate == CAUSE_DROPPED && h->flag)
		h->ev.u.csum.resent_ms = (double)(h->t - h->ev.ts_ns) / NS_PER_MS;
	event_emit(sink, f, &h->ev);
}

void csum_fate_hold(struct held_pool *pool, struct flow *f, int dir, uint32_t seq, uint32_t end,
		    const struct finding_event *ev, const struct event_sink *sink)
{
	/* Nothing to follow (no sequence space: a pure ACK or RST), or no
	 * room: written now, fate unknown (never an empty fate). */
	if (seq == end || !held_hold(pool, &f->csum_held, ev, dir, seq, end)) {
		struct finding_event now = *ev;
		now.cause = CAUSE_UNKNOWN;
		event_emit(sink, f, &now);
	}
}

/* Any overlap of a later copy with the damaged range counts as its resend. */
static int mark_resent(void *user, struct held *h)
{
	struct fate_ctx *c = user;
	if (h->dir == c->dir && !h->flag && h->ev.ts_ns != c->ts && seq_lt(c->seq, h->end) &&
	    seq_gt(c->end, h->seq)) {
		h->flag = 1;
		h->t = c->ts;
	}
	return 0;
}

void csum_fate_on_data(struct held_pool *pool, struct flow *f, int dir, uint32_t seq,
		       uint32_t end, uint64_t ts_ns)
{
	struct fate_ctx c = {.f = f, .dir = dir, .seq = seq, .end = end, .ts = ts_ns};
	held_sweep(pool, &f->csum_held, mark_resent, &c);
}

static int settle(void *user, struct held *h)
{
	struct fate_ctx *c = user;
	if (h->dir != c->dir)
		return 0;
	int covered = seq_geq(c->end, h->end);
	for (int i = 0; i < c->nsack && !covered; i++)
		covered = seq_leq(c->sack[i].left, h->seq) && seq_geq(c->sack[i].right, h->end);
	if (!covered)
		return 0;
	write_event(h, c->f, h->flag ? CAUSE_DROPPED : CAUSE_ACCEPTED, c->sink);
	return 1;
}

void csum_fate_on_ack(struct held_pool *pool, struct flow *f, int dir, uint32_t ack,
		      const struct tcp_sack_block *sack, int nsack, const struct event_sink *sink)
{
	struct fate_ctx c = {.f = f, .dir = dir, .end = ack, .sack = sack, .nsack = nsack,
			     .sink = sink};
	held_sweep(pool, &f->csum_held, settle, &c);
}

static int flush_one(void *user, struct held *h)
{
	struct fate_ctx *c = user;
	write_event(h, c->f, h->flag ? CAUSE_DROPPED : CAUSE_UNKNOWN, c->sink);
	return 1;
}

void csum_fate_flush(struct held_pool *pool, struct flow *f, const struct event_sink *sink)
{
	struct fate_ctx c = {.f = f, .sink = sink};
	held_sweep(pool, &f->csum_held, flush_one, &c);
}
