/*
 * analyze/stall.c — see stall.h.
 */
#include "stall.h"

#include "seq.h"
#include "units.h"

#define STALL_FLOOR_NS 10000000ull /* 10 ms */
/* TCP_CORK's ceiling (stall.h): after full-sized segments, from the last
 * move (up to 260 ms, or the RTT-aware ceiling when later); after the
 * peer's message, from that message. */
#define CORK_MIN_MS 150.0
#define CORK_MAX_MS 260.0
#define CORK_AFTER_PEER_MIN_NS 195000000ull
/* Room for the two options-laden ends of "sub-MSS": a segment this much
 * below the announced MSS is not a full one whatever its options. */
#define CORK_OPTIONS_ROOM 40u
/* How soon after a delayed ACK the held write must follow to blame the ACK. */
#define DELACK_FOLLOW_NS 2000000ull
/* The shortest delayed ACK (Linux TCP_DELACK_MIN, 40 ms; other stacks wait
 * longer), less jitter: a pure ACK this much later than the receiver's own
 * turn is a held one, whatever the RTT. */
#define DELACK_MIN_NS 35000000ull

const enum cause stall_causes[STALL_CAUSES] = {
	CAUSE_DELAYED_ACK,	CAUSE_CORK,	CAUSE_SENDER_LIMITED,
	CAUSE_RTO,		CAUSE_TLP,	CAUSE_ZERO_WINDOW,
	CAUSE_RECEIVER_LIMITED, CAUSE_APP_IDLE, CAUSE_UNKNOWN,
};

int stall_cause_index(enum cause c)
{
	for (int i = 0; i < STALL_CAUSES; i++)
		if (stall_causes[i] == c)
			return i;
	return STALL_CAUSES - 1;
}

void stall_note_retransmission(struct flow *f, int dir, enum cause c, bool spurious)
{
	const struct stall_state *st = &f->stall;
	/* A timer that resent bytes already received matters to the wait
	 * only on the side that was waiting (the other side's lost ACK made
	 * its peer resend too; that did not end anything). */
	if (spurious && st->outstanding[dir] < st->outstanding[!dir])
		return;
	/* RTO outranks the rest: a timeout is what made the wait long. */
	if (c == CAUSE_RTO || f->stall.gap_retrans == CAUSE_NONE)
		f->stall.gap_retrans = (uint8_t)c;
	f->stall.resend_now = true;
}

/* A tail loss probe (RFC 8985) that carried new data: the sender had two
 * full segments or more in flight (so the receiver owed an immediate ACK, RFC
 * 5681 §4.2) and heard nothing for its probe timeout, PTO = 2 SRTT (Linux
 * tcp_schedule_loss_probe), then sent one segment. Seen one RTT later at
 * the far end, and late by a timer tick. Like a probe that resends, it does
 * not end the stall (design.md): the connection still waits for its ACK. */
static bool new_data_probe(const struct flow *f, int dir, const struct pkt_decoded *d)
{
	const struct stall_state *st = &f->stall;
	/* Most segments follow the last move closely: the cheap test first. */
	if (!st->progress_ts || d->rec->ts_ns < st->progress_ts + FLOW_PTO_MIN_NS / 10 * 8)
		return false;
	const struct tcp_half *h = &f->half[dir];
	uint32_t mss = f->half[!dir].mss ? f->half[!dir].mss : h->max_payload;
	/* Two full segments at least: a receiver may delay its ACK of less. */
	uint32_t two = 2 * (h->max_payload ? h->max_payload : mss);
	if (!d->payload_len || !st->progress_ts || !f->srtt_ns || !f->rtt.count || !mss ||
	    st->outstanding[dir] < two || st->outstanding[!dir] || d->payload_len > mss ||
	    d->rec->ts_ns < st->progress_ts || f->stall.gap_retrans == CAUSE_RTO)
		return false;
	uint64_t gap = d->rec->ts_ns - st->progress_ts;
	uint64_t pto = flow_pto_ns(f);
	uint64_t rtt = (uint64_t)(f->rtt.min_ms * NS_PER_MS);
	return gap >= pto / 10 * 8 && gap <= pto / 2 * 3 + rtt + STALL_FLOOR_NS;
}

static uint32_t outstanding(const struct flow *f, int dir)
{
	const struct tcp_half *s = &f->half[dir], *r = &f->half[!dir];
	if (!s->seq_known || !r->ack_known || !seq_gt(s->snd_max, r->ack_max))
		return 0;
	return (uint32_t)seq_diff(s->snd_max, r->ack_max);
}

/* The latest a corked segment can leave, seen from the capture point, after
 * it became sendable: the probe timer's RTO, late by up to an eighth (timer
 * wheel granularity), plus one RTT when the capture sits at the far end.
 * The kernel's RTO ran above the capture's RFC 6298 estimate in the first
 * rounds of a connection (by up to 4 RTTs at 80 ms: samples/cork_reply_*),
 * so the RTO taken is at least 200 ms + 4 srtt. */
static uint64_t cork_ceiling_ns(const struct flow *f)
{
	uint64_t rto = flow_rto_estimate_ns(f), early = FLOW_RTO_MIN_NS + 4 * f->srtt_ns;
	if (early > rto)
		rto = early;
	return rto + rto / 8 + f->srtt_ns + 5000000ull;
}

/* A sub-MSS segment sent by dir after the other side's message, one cork
 * ceiling after that message arrived: what TCP_CORK does to a request
 * written as soon as the reply was read. */
static bool corked_after_peer(const struct flow *f, int dir, const struct pkt_decoded *d)
{
	const struct tcp_half *me = &f->half[dir], *peer = &f->half[!dir];
	if (!d->payload_len || f->stall.last_data_dir == dir || !peer->last_data_ts)
		return false;
	/* What the receiver announced; without the handshake, the default a
	 * sender assumes (RFC 9293 §3.7.1: 536 bytes IPv4, 1220 IPv6), which
	 * no real MSS is below. */
	uint16_t mss = peer->mss ? peer->mss : d->ip_ver == 6 ? 1220 : 536;
	bool sub_mss = d->payload_len + CORK_OPTIONS_ROOM < mss || d->payload_len < me->max_payload;
	if (!sub_mss || d->rec->ts_ns < peer->last_data_ts)
		return false;
	uint64_t since = d->rec->ts_ns - peer->last_data_ts;
	return since >= CORK_AFTER_PEER_MIN_NS && since <= cork_ceiling_ns(f);
}

/* How soon after what it waited for (an ACK, a window update) a sender's
 * released write can be seen: one trip to the sender's side and back
 * (capture -> sender -> capture: ~0 on the sender's side, the whole RTT on
 * the receiver's), a quarter more for jitter, plus 2 ms; at least an RTT. */
static uint64_t released_within(const struct flow *f, int sender)
{
	uint64_t rtt = f->rtt.count ? (uint64_t)(f->rtt.min_ms * NS_PER_MS) : 0;
	uint64_t soon = rtt > DELACK_FOLLOW_NS ? rtt : DELACK_FOLLOW_NS;
	uint64_t turn = flow_half_rtt_min_ns(&f->half[sender]) / 4 * 5 + DELACK_FOLLOW_NS;
	return turn > soon ? turn : soon;
}

/* A reply one cork ceiling after the peer's message, from a side that has
 * answered at once before: TCP_CORK is a socket's state and holds every
 * reply, so one late among prompt ones is something else. The far side's
 * tail loss probe resending a lost reply (2 SRTT + 200 ms with one segment
 * in flight) arrives just as late, and from here the two look alike. */
static enum cause cork_or_unknown(const struct flow *f, int dir)
{
	return f->stall.prompt_replies[dir] >= 2 ? CAUSE_UNKNOWN : CAUSE_CORK;
}

static enum cause classify(const struct flow *f, int dir, const struct pkt_decoded *d,
			   double ms, int *sdir)
{
	const struct stall_state *st = &f->stall;
	/* The direction that was waiting: the one with data in flight. When
	 * both had some and a pure ACK ended the gap, the side it acknowledged
	 * (two small messages crossing, each held behind the other's delayed
	 * ACK: BGP keepalives in tcpdump's bgp-4byte-asn). */
	int w = st->outstanding[DIR_C2S] >= st->outstanding[DIR_S2C] ? DIR_C2S : DIR_S2C;
	if (st->outstanding[DIR_C2S] && st->outstanding[DIR_S2C] && !d->payload_len &&
	    !(d->flags & (TCP_FIN | TCP_SYN)))  /* a FIN moves by its own seq, acknowledging nothing new */
		w = !dir;
	uint32_t out = st->outstanding[w];
	*sdir = w;
	if (st->gap_zero_window || (out && st->rwnd[w] == 0 && f->half[!w].ack_known)) {
		/* Nothing in flight (a persist probe, answered by the same zero
		 * window): the side that waited is the one the window held back. */
		if (!out && st->gap_zero_window)
			*sdir = !st->gap_zero_window_dir;
		return CAUSE_ZERO_WINDOW;
	}
	/* The gap began with everything acknowledged and the window closed
	 * (seen on the receiver's side: its zero-window ACK, then its window
	 * update, then the data an RTT later): the sender waited for the
	 * window, not for itself, if it sent while the window was still
	 * closed (a probe) or right after it reopened. */
	if (!out && d->payload_len && st->rwnd[dir] == 0 && f->half[!dir].ack_known &&
	    (!st->window_reopen_ts || d->rec->ts_ns <= st->window_reopen_ts ||
	     d->rec->ts_ns - st->window_reopen_ts <= released_within(f, dir))) {
		*sdir = dir;
		return CAUSE_ZERO_WINDOW;
	}
	if (st->gap_retrans == CAUSE_RTO)
		return CAUSE_RTO;
	/* Data in flight and a tail loss probe inside the gap: the ACKs had
	 * stopped (a lost tail, or lost ACKs) until the probe drew one. */
	if (out && st->gap_retrans == CAUSE_TLP)
		return CAUSE_TLP;
	if (out) {
		/* The window is full when the next segment would not fit. Its
		 * size: the sender's last one (a small writer sends small
		 * segments; on loopback the MSS alone, 65483, would call
		 * every wait receiver-limited). */
		uint32_t next = st->last_seg[w] ? st->last_seg[w] : TCP_DEFAULT_MSS_V4;
		if (st->rwnd[w] && out + next > st->rwnd[w])
			return CAUSE_RECEIVER_LIMITED;
		/* Ended by the receiver's pure ACK: it held the ACK back (to be
		 * confirmed by the sender's next write, see stall_on_segment). */
		if (dir != w && d->payload_len == 0)
			return CAUSE_DELAYED_ACK;
		/* The ACK rode on the receiver's next message: the other side
		 * spoke next; nothing was waiting on the ACK itself, unless
		 * that message sat corked. */
		if (dir != w && corked_after_peer(f, dir, d)) {
			/* unknown: the wait stays the side with data in flight's */
			if (cork_or_unknown(f, dir) == CAUSE_CORK)
				*sdir = dir;
			return cork_or_unknown(f, dir);
		}
		if (dir != w)
			return CAUSE_APP_IDLE;
		return CAUSE_SENDER_LIMITED;
	}
	/* Nothing in flight: who spoke next, and how. */
	*sdir = dir;
	if (d->payload_len) {
		/* Full-sized: as large as anything this side sent (the MSS less
		 * its options, which the capture cannot know otherwise). */
		uint32_t full = f->half[dir].max_payload;
		if (st->last_data_dir == dir && full && st->last_seg[dir] >= full &&
		    d->payload_len < full && ms >= CORK_MIN_MS &&
		    (ms <= CORK_MAX_MS || ms * NS_PER_MS <= (double)cork_ceiling_ns(f)))
			return CAUSE_CORK;
		/* A sender whose last segment was a resend was recovering a
		 * loss: it sends again as soon as the ACK reaches it, so a wait
		 * here was that ACK's (late on its way, out of this capture's
		 * sight) as much as the sender's. Not past two RTOs: a sender
		 * still without its ACK by then would have resent again (its
		 * timer backed off once), so it was not waiting for one. */
		if (st->last_data_dir == dir)
			return st->last_resent[dir] && ms * NS_PER_MS < 2.0 * (double)flow_rto_estimate_ns(f)
				       ? CAUSE_UNKNOWN
				       : CAUSE_SENDER_LIMITED;
		if (corked_after_peer(f, dir, d))
			return cork_or_unknown(f, dir);
	}
	return CAUSE_APP_IDLE;
}

static void snapshot(struct flow *f, const struct pkt_decoded *d)
{
	struct stall_state *st = &f->stall;
	st->progress_ts = d->rec->ts_ns;
	st->progress_frame = d->rec->frame;
	for (int k = 0; k < 2; k++) {
		st->outstanding[k] = outstanding(f, k);
		/* Without the handshake the scale is unknown: a raw window says
		 * only whether it is zero. */
		const struct tcp_half *r = &f->half[!k];
		st->rwnd[k] = r->wscale < 0 && r->rwnd ? UINT32_MAX : r->rwnd;
	}
	st->gap_retrans = CAUSE_NONE;
	st->gap_zero_window = false;
	st->window_reopen_ts = 0;
}

static void emit_stall(struct flow *f, struct finding_event *ev, enum cause c,
		       const struct event_sink *sink)
{
	struct stall_state *st = &f->stall;
	double ms = ev->u.stall.duration_ms;
	ev->cause = (uint8_t)c;
	st->count++;
	st->total_ms += ms;
	struct flow_cold *cold = flow_cold(f);
	if (cold) { /* out of memory: the total stays, the split by cause is lost */
		cold->stall_by_cause_ms[stall_cause_index(c)] += ms;
		cold->stall_by_cause_n[stall_cause_index(c)]++;
	}
	event_emit(sink, f, ev);
}

/* A held delayed_ack stall: confirmed when the side that waited sends new
 * data right after the ACK (Nagle released its write); otherwise nobody
 * was waiting for that ACK and the gap was think time. */
static void settle_pending(struct flow *f, int dir, const struct pkt_decoded *d,
			   const struct event_sink *sink)
{
	struct stall_state *st = &f->stall;
	st->pending = false;
	uint64_t ack_ts = st->progress_ts;
	struct finding_event *ev = &f->cold->stall_pending_ev; /* pending implies cold */
	bool released = d && dir == ev->dir && d->payload_len && d->rec->ts_ns >= ack_ts &&
			d->rec->ts_ns - ack_ts <= released_within(f, ev->dir);
	emit_stall(f, ev, released ? CAUSE_DELAYED_ACK : CAUSE_APP_IDLE, sink);
}

void stall_flush(struct flow *f, const struct event_sink *sink)
{
	if (f->stall.pending)
		settle_pending(f, 0, NULL, sink);
}

void stall_on_segment(struct flow *f, int dir, const struct pkt_decoded *d, bool moved,
		      const struct event_sink *sink)
{
	struct stall_state *st = &f->stall;
	uint64_t ts = d->rec->ts_ns;
	if (st->pending)
		settle_pending(f, dir, d, sink);
	if (d->win == 0 && !(d->flags & (TCP_RST | TCP_SYN)) && st->progress_ts) {
		st->gap_zero_window = true;
		st->gap_zero_window_dir = (uint8_t)dir;
	}
	/* The window that was closed at the gap's start opens again. */
	if (d->win && !(d->flags & (TCP_RST | TCP_SYN)) && st->progress_ts && st->rwnd[!dir] == 0 &&
	    !st->window_reopen_ts)
		st->window_reopen_ts = ts;
	bool resent = st->resend_now;
	st->resend_now = false;
	if (moved && new_data_probe(f, dir, d)) {
		stall_note_retransmission(f, dir, CAUSE_TLP, false);
		st->resend_now = false;
		st->last_resent[dir] = false;
		return;
	}
	if (!moved || (d->flags & TCP_RST)) {
		if (d->payload_len && !(d->flags & TCP_SYN))
			st->last_resent[dir] = resent;
		return;
	}
	/* A capture holding one direction alone cannot tell waiting for the
	 * peer from idling, and a gap is "longer than a round trip" only once
	 * the round trip is known (a capture that starts mid-connection learns
	 * it from its first data and ACK): no stalls before both. */
	bool judged = f->half[0].packets && f->half[1].packets && f->rtt.count;
	if (judged && st->progress_ts && ts > st->progress_ts) {
		uint64_t gap = ts - st->progress_ts;
		uint64_t rtt = f->rtt.count ? (uint64_t)(f->rtt.min_ms * NS_PER_MS) : 0;
		uint64_t thresh = rtt + (rtt > STALL_FLOOR_NS ? rtt : STALL_FLOOR_NS);
		/* A delayed ACK costs 40 ms whatever the RTT: below the general
		 * threshold on a path of 20 ms or more (at the receiver the gap
		 * is the 40 ms alone), it is still a wait when the receiver's
		 * pure ACK came a delayed-ACK time after its own turn (capture
		 * -> receiver -> capture) and less than the MSS it announced
		 * was in flight (Nagle's case; a full flight's late ACK is more
		 * likely queueing). Only as delayed_ack. */
		uint32_t full = f->half[dir].mss ? f->half[dir].mss : d->ip_ver == 6 ? 1220 : 536;
		bool held_ack = !d->payload_len && st->outstanding[!dir] &&
				st->outstanding[!dir] < full &&
				gap >= flow_half_rtt_min_ns(&f->half[dir]) + DELACK_MIN_NS;
		int sdir = dir;
		enum cause c = CAUSE_NONE;
		double ms = (double)gap / NS_PER_MS;
		if (gap > thresh || held_ack)
			c = classify(f, dir, d, ms, &sdir);
		if (gap <= thresh && c != CAUSE_DELAYED_ACK)
			c = CAUSE_NONE;
		if (c != CAUSE_NONE) {
			struct finding_event ev;
			event_init(&ev, f, d, sdir, FIND_STALL);
			ev.ts_ns = st->progress_ts;
			ev.frame = st->progress_frame;
			ev.u.stall.duration_ms = ms;
			ev.u.stall.outstanding = st->outstanding[sdir];
			ev.u.stall.end_frame = d->rec->frame;
			struct flow_cold *cold = c == CAUSE_DELAYED_ACK ? flow_cold(f) : NULL;
			if (cold) {
				st->pending = true;
				cold->stall_pending_ev = ev;
			} else { /* not delayed_ack; or no memory to wait: decided now */
				emit_stall(f, &ev, c, sink);
			}
		}
	}
	if (d->payload_len && !(d->flags & TCP_SYN)) {
		const struct tcp_half *peer = &f->half[!dir];
		if (st->last_data_dir != dir && peer->last_data_ts && ts >= peer->last_data_ts &&
		    ts - peer->last_data_ts <= released_within(f, dir) && st->prompt_replies[dir] < UINT16_MAX)
			st->prompt_replies[dir]++;
		st->last_data_dir = (uint8_t)dir;
		st->last_seg[dir] = d->payload_len;
		st->last_resent[dir] = resent;
	}
	snapshot(f, d);
}
