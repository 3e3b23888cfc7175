/*
 * analyze/dsack.c — see dsack.h. Held entries: flag = D-SACKed.
 */
#include "dsack.h"

#include "seq.h"

struct dsack_ctx {
	struct flow *f;
	int dir;
	uint32_t ack;
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
		const struct tcp_event *ev, const struct event_sink *sink)
{
	if (!held_hold(pool, &f->retrans_held, ev, dir, seq, end))
		event_emit(sink, f, ev); /* no room: written now, never marked spurious */
}

static void write_held(struct held *h, struct flow *f, const struct event_sink *sink)
{
	if (h->flag)
		h->ev.cause = CAUSE_SPURIOUS;
	event_emit(sink, f, &h->ev);
}

static int on_ack_one(void *user, struct held *h)
{
	struct dsack_ctx *c = user;
	if (h->dir != c->dir)
		return 0;
	if (c->have_dsack && seq_lt(c->dsack.left, h->end) && seq_gt(c->dsack.right, h->seq))
		h->flag = 1;
	if (!seq_geq(c->ack, h->end))
		return 0;
	write_held(h, c->f, c->sink);
	return 1;
}

void dsack_on_ack(struct held_pool *pool, struct flow *f, int data_dir,
		  const struct pkt_decoded *d, const struct event_sink *sink)
{
	struct dsack_ctx c = {.f = f, .dir = data_dir, .ack = d->ack, .sink = sink};
	c.have_dsack = dsack_block(d, &c.dsack);
	held_sweep(pool, &f->retrans_held, on_ack_one, &c);
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
	held_sweep(pool, &f->retrans_held, flush_one, &c);
}
