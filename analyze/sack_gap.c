/*
 * analyze/sack_gap.c — see sack_gap.h. Held entries: cause = the first
 * resend's cause (CAUSE_NONE until one), t = its time.
 */
#include "sack_gap.h"

#include "dsack.h"
#include "seq.h"
#include "common/units.h"

/* Holes one ACK can show: the gaps of the SACK board under its blocks. */
#define GAP_CANDIDATES 16

struct gap_ctx {
	struct flow *f;
	int dir;
	uint32_t ack;
	const struct tcp_sack_block *sack;
	int nsack;
	uint64_t ts;
	uint32_t seq, end;        /* a resend */
	enum cause cause;
	/* candidate holes of one ACK, and which of them overlap a held one */
	uint32_t hole[GAP_CANDIDATES][2];
	int nhole;
	unsigned overlaps;
	const struct event_sink *sink;
};

static void write_gap(struct held *h, struct flow *f, uint64_t ts, enum cause filled_by,
		      const struct event_sink *sink)
{
	h->ev.cause = (uint8_t)filled_by;
	h->ev.u.gap.fill_ms = ts > h->ev.ts_ns ? (double)(ts - h->ev.ts_ns) / NS_PER_MS : 0;
	event_emit(sink, f, &h->ev);
}

/* What the design's vocabulary says of a resend that filled a hole: a
 * spurious or undetermined one still did, so the timer kind, or fast. */
static enum cause fill_word(enum cause c)
{
	return (c == CAUSE_RTO || c == CAUSE_TLP) ? c : CAUSE_FAST;
}

/* filled_by of hole h, filled at c->ts (the rules in sack_gap.h). */
static enum cause filled_by(const struct held *h, const struct gap_ctx *c)
{
	const struct flow *f = c->f;
	if (h->cause != CAUSE_NONE) {
		uint64_t turn = flow_half_rtt_min_ns(&f->half[!c->dir]) / 4 * 3;
		return c->ts >= h->t + turn ? (enum cause)h->cause : CAUSE_ORIGINAL;
	}
	uint64_t rtt = f->rtt.count ? (uint64_t)(f->rtt.min_ms * NS_PER_MS) : 0;
	if (rtt && c->ts >= h->ev.ts_ns && c->ts - h->ev.ts_ns < rtt / 4 * 3)
		return CAUSE_ORIGINAL;
	return CAUSE_UNKNOWN;
}

static bool covered(const struct held *h, const struct gap_ctx *c)
{
	if (seq_geq(c->ack, h->end))
		return true;
	for (int i = 0; i < c->nsack; i++)
		if (seq_leq(c->sack[i].left, h->seq) && seq_geq(c->sack[i].right, h->end))
			return true;
	return false;
}

/* One sweep an ACK: a held hole the ACK or a SACK block covers is written;
 * one still open marks the ACK's candidate holes it overlaps (not opened
 * again). A sweep per candidate, and one more to settle, made a flood of
 * random SACK blocks spend most of its time walking the list. */
static int settle(void *user, struct held *h)
{
	struct gap_ctx *c = user;
	if (h->dir != c->dir)
		return 0;
	if (!covered(h, c)) {
		/* In locals: the stores to c->overlaps would otherwise make the
		 * compiler reload the holes on every turn (a flood's hot loop). */
		unsigned ov = 0;
		uint32_t seq = h->seq, end = h->end;
		for (int i = 0, n = c->nhole; i < n; i++)
			if (seq_lt(c->hole[i][0], end) && seq_gt(c->hole[i][1], seq))
				ov |= 1u << i;
		c->overlaps |= ov;
		return 0;
	}
	write_gap(h, c->f, c->ts, filled_by(h, c), c->sink);
	return 1;
}

static void open_hole(struct held_pool *pool, struct gap_ctx *c, const struct pkt_decoded *d,
		      uint32_t left, uint32_t right)
{
	struct finding_event ev;
	event_init(&ev, c->f, d, c->dir, FIND_SACK_GAP);
	ev.u.gap.seq = left - c->f->half[c->dir].seq_base;
	ev.u.gap.bytes = (uint32_t)seq_diff(right, left);
	/* held entries start zeroed: cause CAUSE_NONE until a resend */
	struct held *h = held_hold(pool, &c->f->gap_held, &ev, c->dir, left, right);
	if (!h) {
		ev.cause = CAUSE_UNKNOWN; /* no room: written now, its fill unknown */
		event_emit(c->sink, c->f, &ev);
		return;
	}
	/* Resent before this SACK showed the hole (RACK-TLP, or a timer). */
	enum cause rc;
	if (dsack_first_resend(pool, c->f, c->dir, left, right, &rc, &h->t))
		h->cause = (uint8_t)fill_word(rc);
}

void sack_gap_on_ack(struct held_pool *pool, struct flow *f, int data_dir,
		     const struct pkt_decoded *d, const struct event_sink *sink)
{
	struct gap_ctx c = {.f = f, .dir = data_dir, .ack = d->ack, .sack = d->opt.sack,
			    .nsack = d->opt.sack_count, .ts = d->rec->ts_ns, .sink = sink};
	/* Blocks above the ACK, D-SACK left out, in sequence order. */
	struct tcp_sack_block b[TCP_MAX_SACK];
	int n = 0;
	for (int i = 0; i < d->opt.sack_count; i++) {
		struct tcp_sack_block s = d->opt.sack[i];
		if (!seq_lt(s.left, s.right) || seq_leq(s.left, d->ack))
			continue;
		struct tcp_sack_block dup;
		if (i == 0 && dsack_block(d, &dup))
			continue;
		int k = n++;
		while (k > 0 && seq_lt(s.left, b[k - 1].left)) {
			b[k] = b[k - 1];
			k--;
		}
		b[k] = s;
	}
	/* The holes are the gaps in everything the receiver has SACKed, not
	 * only in this ACK's blocks (sack_board.h). */
	struct flow_cold *cold = (n || f->cold) ? flow_cold(f) : NULL;
	if (cold) {
		struct sack_board *sb = &cold->sacked[data_dir];
		sack_board_trim(sb, d->ack);
		uint32_t hi = d->ack;
		for (int i = 0; i < n; i++) {
			sack_board_add(sb, b[i].left, b[i].right);
			hi = seq_max(hi, b[i].right);
		}
		c.nhole = sack_board_gaps(sb, d->ack, hi, c.hole, GAP_CANDIDATES);
	} else {
		uint32_t prev = d->ack; /* no memory for the board: this ACK's gaps */
		for (int i = 0; i < n; i++) {
			if (seq_gt(b[i].left, prev)) {
				c.hole[c.nhole][0] = prev;
				c.hole[c.nhole++][1] = b[i].left;
			}
			prev = seq_max(prev, b[i].right);
		}
	}
	if (f->gap_held)
		held_sweep(pool, &f->gap_held, settle, &c);
	for (int i = 0; i < c.nhole; i++)
		if (!(c.overlaps & 1u << i))
			open_hole(pool, &c, d, c.hole[i][0], c.hole[i][1]);
}

static int mark_resend(void *user, struct held *h)
{
	struct gap_ctx *c = user;
	if (h->dir == c->dir && h->cause == CAUSE_NONE && seq_lt(c->seq, h->end) &&
	    seq_gt(c->end, h->seq)) {
		h->cause = (uint8_t)c->cause;
		h->t = c->ts;
	}
	return 0;
}

void sack_gap_on_resend(struct held_pool *pool, struct flow *f, int dir, uint32_t seq,
			uint32_t end, enum cause c, uint64_t ts_ns)
{
	struct gap_ctx g = {.f = f, .dir = dir, .seq = seq, .end = end, .cause = fill_word(c),
			    .ts = ts_ns};
	held_sweep(pool, &f->gap_held, mark_resend, &g);
}

static int flush_one(void *user, struct held *h)
{
	struct gap_ctx *c = user;
	write_gap(h, c->f, c->ts, CAUSE_NEVER, c->sink);
	return 1;
}

void sack_gap_flush(struct held_pool *pool, struct flow *f, const struct event_sink *sink)
{
	struct gap_ctx c = {.f = f, .ts = f->last_ts, .sink = sink};
	held_sweep(pool, &f->gap_held, flush_one, &c);
}
