/*
 * analyze/dsack.c — see dsack.h. A flow keeps two lists: f->retrans_held
 * (resends not yet covered by the cumulative ACK) and f->retrans_covered
 * (covered, waiting out their deadline). Held entries: flag = D-SACKed,
 * t = the time after which no D-SACK is waited for.
 */
#include "dsack.h"

#include "cwnd.h"
#include "seq.h"

/* Covered resends kept per flow; past it the oldest is written (the least
 * likely to see its D-SACK still). A reordering episode resends a few
 * segments; the bound keeps a flood of resends from filling the pool. */
#define DSACK_COVERED_MAX 8

struct dsack_ctx {
	struct held_pool *pool;
	struct flow *f;
	int dir;
	uint32_t ack;
	uint64_t ts;
	bool have_dsack;
	struct tcp_sack_block dsack;
	const struct event_sink *sink;
};

bool dsack_block(const struct pkt_decoded *d, struct tcp_sack_block *out)
{
	if (!d->opt.sack_count)
		return false;
	const struct tcp_sack_block *b = d->opt.sack;
	if (!seq_lt(b[0].left, b[0].right))
		return false;
	bool below = seq_leq(b[0].right, d->ack);
	bool inside = d->opt.sack_count > 1 && seq_geq(b[0].left, b[1].left) &&
		      seq_leq(b[0].right, b[1].right);
	if (!below && !inside)
		return false;
	*out = b[0];
	return true;
}

void dsack_hold(struct held_pool *pool, struct flow *f, int dir, uint32_t seq, uint32_t end,
		uint64_t ts_ns, const struct finding_event *ev, const struct event_sink *sink)
{
	struct held *h = held_hold(pool, &f->retrans_held, ev, dir, seq, end);
	if (!h)
		event_emit(sink, f, ev); /* no room: written now, never marked spurious */
	else
		h->t = ts_ns + flow_rto_estimate_ns(f);
}

bool dsack_first_resend(const struct held_pool *pool, const struct flow *f, int dir, uint32_t seq,
			uint32_t end, enum cause *cause, uint64_t *ts_ns)
{
	for (uint32_t i = f->retrans_held; i; i = pool->v[i - 1].next) {
		const struct held *h = &pool->v[i - 1];
		if (h->dir == dir && seq_lt(h->seq, end) && seq_gt(h->end, seq)) {
			*cause = (enum cause)h->ev.cause;
			*ts_ns = h->ev.ts_ns;
			return true;
		}
	}
	return false;
}

static void write_held(struct held *h, struct flow *f, const struct event_sink *sink)
{
	if (h->flag)
		h->ev.cause = CAUSE_SPURIOUS;
	event_emit(sink, f, &h->ev);
}

static bool overlaps(uint32_t seq, uint32_t end, const struct tcp_sack_block *b)
{
	return seq_lt(b->left, end) && seq_gt(b->right, seq);
}

/* A copy of h's bytes in the list at idx1 sent after h (a later frame: the
 * duplicate the block reports), not yet marked. Either list can hold it:
 * resends cut into different ranges are covered at different ACKs. */
static bool later_copy_in(const struct dsack_ctx *c, const struct held *h, uint32_t idx1)
{
	for (uint32_t i = idx1; i; i = c->pool->v[i - 1].next) {
		const struct held *g = &c->pool->v[i - 1];
		if (g != h && g->dir == h->dir && !g->flag && g->ev.frame > h->ev.frame &&
		    overlaps(g->seq, g->end, &c->dsack) && seq_lt(g->seq, h->end) &&
		    seq_gt(g->end, h->seq))
			return true;
	}
	return false;
}

static void mark(const struct dsack_ctx *c, struct held *h)
{
	if (!c->have_dsack || h->flag || !overlaps(h->seq, h->end, &c->dsack))
		return;
	if (later_copy_in(c, h, c->f->retrans_covered) || later_copy_in(c, h, c->f->retrans_held))
		return;
	h->flag = 1;
	cwnd_note_spurious(c->f, h->dir, h->ev.ts_ns);
}

/* Append entry idx1 (unlinked) to the covered list, writing the oldest
 * covered entry first when the list is full. */
static void cover(struct dsack_ctx *c, uint32_t idx1)
{
	struct held_pool *p = c->pool;
	uint32_t *link = &c->f->retrans_covered, n = 0;
	while (*link) {
		link = &p->v[*link - 1].next;
		n++;
	}
	p->v[idx1 - 1].next = 0;
	*link = idx1;
	if (n >= DSACK_COVERED_MAX) {
		uint32_t old = c->f->retrans_covered;
		c->f->retrans_covered = p->v[old - 1].next;
		write_held(&p->v[old - 1], c->f, c->sink);
		held_release(p, old);
	}
}

/* Uncovered list: mark, then write when covered and D-SACKed, or move to
 * the covered list when covered. */
static void sweep_uncovered(struct dsack_ctx *c)
{
	struct held_pool *p = c->pool;
	uint32_t *link = &c->f->retrans_held;
	while (*link) {
		uint32_t idx1 = *link;
		struct held *h = &p->v[idx1 - 1];
		if (h->dir != c->dir || (mark(c, h), !seq_geq(c->ack, h->end))) {
			link = &h->next;
			continue;
		}
		*link = h->next;
		/* Covered late, by an ACK held up on its way (an ACK path that
		 * stalled and released its queue at once): the D-SACK is in the
		 * same burst, after it. Wait an RTT from the covering ACK too. */
		uint64_t after = c->ts + c->f->srtt_ns;
		if (after > h->t)
			h->t = after;
		if (h->flag) {
			write_held(h, c->f, c->sink);
			held_release(p, idx1);
		} else {
			cover(c, idx1);
		}
	}
}

static int on_covered(void *user, struct held *h)
{
	struct dsack_ctx *c = user;
	if (h->dir != c->dir)
		return 0;
	mark(c, h);
	if (!h->flag && c->ts < h->t)
		return 0;
	write_held(h, c->f, c->sink);
	return 1;
}

void dsack_on_ack(struct held_pool *pool, struct flow *f, int data_dir,
		  const struct pkt_decoded *d, const struct event_sink *sink)
{
	struct dsack_ctx c = {.pool = pool, .f = f, .dir = data_dir, .ack = d->ack,
			      .ts = d->rec->ts_ns, .sink = sink};
	c.have_dsack = dsack_block(d, &c.dsack);
	/* Covered entries first (at most 8, each with its own deadline). */
	if (f->retrans_covered)
		held_sweep(pool, &f->retrans_covered, on_covered, &c);
	if (f->retrans_held)
		sweep_uncovered(&c);
}

static int flush_one(void *user, struct held *h)
{
	struct dsack_ctx *c = user;
	write_held(h, c->f, c->sink);
	return 1;
}

void dsack_flush(struct held_pool *pool, struct flow *f, const struct event_sink *sink)
{
	struct dsack_ctx c = {.f = f, .sink = sink};
	held_sweep(pool, &f->retrans_covered, flush_one, &c);
	held_sweep(pool, &f->retrans_held, flush_one, &c);
}
