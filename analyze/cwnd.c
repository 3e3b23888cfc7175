/*
 * analyze/cwnd.c — see cwnd.h.
 */
#include "cwnd.h"

#include "seq.h"
#include "units.h"
#include "common/units.h"

#define SLOW_START_GROWTH 1.5
#define IDLE_COLLAPSE 0.75
#define IW_MIN_RTT_MS 1.0
/* A send this soon after an ACK's capture was triggered by it (sender side). */
#define CLOCKED_NS 200000ull
/* A post-loss window below this share of the pre-loss one is a reduction
 * event; above it (BBR) only the cc guess learns from it. */
#define REDUCTION_MAX 0.9

const char *cc_guess_name(int guess)
{
	switch (guess) {
	case CC_RENO: return "reno";
	case CC_CUBIC: return "cubic";
	case CC_BBR: return "bbr";
	default: return "unknown";
	}
}

/* The sender's full-sized segment: its MSS less options, as it sends them. */
static uint32_t full_segment(const struct flow *f, int dir)
{
	/* The largest it sent, but never below the receiver's MSS less the
	 * most TCP options take (40 bytes): a sender of small messages only
	 * never sent a full segment. */
	uint32_t m = f->half[dir].max_payload;
	uint32_t mss = f->half[!dir].mss ? f->half[!dir].mss : TCP_DEFAULT_MSS_V4;
	uint32_t floor = mss > 40 ? mss - 40 : mss;
	return m > floor ? m : floor;
}

/* The initial window is the first flight after the handshake: only a
 * capture that saw this side's SYN (or SYN-ACK) and the peer's ACKs can
 * tell it. One that starts mid-connection would take any flight for the
 * first, and one that holds this direction alone would take the whole
 * transfer for one flight: neither reports an initial window. */
static bool first_flight_seen(const struct flow *f, int dir)
{
	return f->half[dir].syn_count && f->half[!dir].ack_known && f->half[!dir].packets;
}

static void emit_iw(struct cwnd_ctx *c, struct flow *f, int dir, const struct cwnd_state *w,
		    enum cause limit)
{
	struct finding_event ev = {0};
	ev.ts_ns = w->start_ts;
	ev.frame = w->start_frame;
	ev.flow_id = f->id;
	ev.dir = (uint8_t)dir;
	ev.kind = FIND_INITIAL_WINDOW;
	ev.cause = (uint8_t)limit;
	ev.u.iw.segments = w->segs;
	ev.u.iw.bytes = w->bytes;
	ev.u.iw.mss = f->half[!dir].mss ? f->half[!dir].mss : full_segment(f, dir);
	event_emit(c->sink, f, &ev);
	f->half[dir].iw_segments = w->segs;
	f->half[dir].iw_bytes = w->bytes;
	f->half[dir].iw_limit = (uint8_t)limit;
}

static void emit_simple(struct cwnd_ctx *c, struct flow *f, int dir, const struct cwnd_state *w,
			enum finding_kind k, struct finding_event *ev)
{
	ev->ts_ns = w->start_ts;
	ev->frame = w->start_frame;
	ev->flow_id = f->id;
	ev->dir = (uint8_t)dir;
	ev->kind = (uint8_t)k;
	event_emit(c->sink, f, ev);
}

/* Is the capture on the sender's side (its half of the RTT under a tenth)? */
static bool near_sender(const struct flow *f, int dir)
{
	uint64_t half = f->half[dir].half_rtt_ns;
	uint64_t rtt = half + f->half[!dir].half_rtt_ns;
	return rtt && half * 10 < rtt;
}

/* A loss episode's reduction: the window after it against the one before. */
static void measure_reduction(struct cwnd_ctx *c, struct flow *f, int dir, uint32_t after)
{
	struct cwnd_state *w = &f->cw[dir];
	w->await_after = false;
	/* Every resend was D-SACKed: nothing was lost, and the sender undoes
	 * its cut (Linux: tcp_try_undo_dsack, TcpExtTCPDSACKUndo). A smaller
	 * flight then is not the algorithm's reduction. */
	if (w->episode_resends && w->episode_dsacked >= w->episode_resends)
		return;
	double ratio = (double)after / w->before_loss;
	w->reductions++;
	w->ratio_sum += (float)ratio;
	if (ratio < REDUCTION_MAX) {
		struct finding_event ev = {0};
		ev.u.reduction.before = w->before_loss;
		ev.u.reduction.after = after;
		ev.u.reduction.ratio = ratio;
		emit_simple(c, f, dir, w, FIND_CWND_REDUCTION, &ev);
	}
}

/* Close the open round of direction dir: record it and derive events. */
static void close_round(struct cwnd_ctx *c, struct flow *f, int dir)
{
	struct cwnd_state *w = &f->cw[dir];
	if (!w->in_round)
		return;
	w->in_round = false;
	uint32_t full = full_segment(f, dir);
	uint32_t flight = w->bytes > w->max_out ? w->bytes : w->max_out;
	enum cause limit = CAUSE_CWND;
	if (w->rwnd_at_start && flight + full > w->rwnd_at_start)
		limit = CAUSE_RWND;
	else if (w->last_seg < full)
		limit = CAUSE_APP;
	else if (w->ack_clocked && near_sender(f, dir) && w->segs >= 4 &&
		 w->clocked_segs * 2 < w->segs)
		limit = CAUSE_PACING;
	enum round_phase phase;
	if (w->resent_in_round || w->in_recovery)
		phase = PHASE_RECOVERY;
	else if (limit == CAUSE_APP)
		phase = PHASE_APP;
	else if (!w->prev_flight || flight >= SLOW_START_GROWTH * w->prev_flight)
		phase = PHASE_SLOW_START;
	else
		phase = PHASE_CONGESTION_AVOIDANCE;

	struct cwnd_round r = {
		.t_ns = w->start_ts,
		.flight_bytes = flight,
		/* rounded up: a 100-byte flight is one segment, never none */
		.flight_segments = (uint16_t)((flight + full - 1) / full > 65535 ? 65535
										 : (flight + full - 1) / full),
		.limit = (uint8_t)limit,
		.phase = (uint8_t)phase,
	};
	round_store_append(c->rounds, &w->rounds, &r);

	/* On a sub-millisecond path the first ACK is back before the sender
	 * has finished its first flight: the flight cannot be seen whole. */
	if (!w->iw_done) {
		w->iw_done = true;
		if (!(f->rtt.count && f->rtt.min_ms < IW_MIN_RTT_MS) && first_flight_seen(f, dir))
			emit_iw(c, f, dir, w, limit);
	}
	/* The window after a loss: the second full round after recovery (the
	 * first still carries recovery's leftovers). */
	if (w->await_after && phase != PHASE_RECOVERY && limit != CAUSE_APP && w->before_loss &&
	    ++w->rounds_after == 2)
		measure_reduction(c, f, dir, flight);
	/* Against the last window the sender filled: an application-limited
	 * tail of the previous burst says nothing about its cwnd, unless it
	 * was larger (the window held at least that flight). */
	if (w->post_idle && w->last_full_flight && limit != CAUSE_APP &&
	    flight < IDLE_COLLAPSE * w->last_full_flight) {
		struct finding_event ev = {0};
		ev.u.idle.idle_ms = (double)w->idle_ns / NS_PER_MS;
		ev.u.idle.before = w->last_full_flight;
		ev.u.idle.after = flight;
		emit_simple(c, f, dir, w, FIND_IDLE_RESTART, &ev);
	}
	w->post_idle = false;
	if (phase != PHASE_RECOVERY)
		w->prev_flight = flight;
	if (phase != PHASE_RECOVERY && (limit != CAUSE_APP || flight > w->last_full_flight))
		w->last_full_flight = flight;
}

static uint32_t outstanding(const struct flow *f, int dir)
{
	const struct tcp_half *s = &f->half[dir], *r = &f->half[!dir];
	if (!r->ack_known || !seq_gt(s->snd_max, r->ack_max))
		return 0;
	return (uint32_t)seq_diff(s->snd_max, r->ack_max);
}

void cwnd_on_data(struct cwnd_ctx *c, struct flow *f, int dir, const struct pkt_decoded *d,
		  bool resent)
{
	struct cwnd_state *w = &f->cw[dir];
	uint64_t ts = d->rec->ts_ns;
	if (resent) {
		w->resent_in_round = true;
		w->had_loss = true;
		if (!w->in_recovery) {
			/* A new loss before the last episode was measured: the
			 * full round since recovery is that episode's "after". */
			if (w->await_after && w->rounds_after >= 1)
				measure_reduction(c, f, dir, w->prev_flight);
			w->await_after = false;
			/* The window at the loss: the last full round's flight
			 * (outstanding now counts SACKed data, not in flight). */
			w->in_recovery = true;
			w->episode_resends = w->episode_dsacked = 0;
			w->episode_ms = flow_ms(f, ts);
			w->recovery_point = f->half[dir].snd_max;
			w->before_loss = w->prev_flight ? w->prev_flight : w->max_out;
		}
		if (w->episode_resends < UINT16_MAX)
			w->episode_resends++;
		return;
	}
	uint32_t out_before = outstanding(f, dir) > d->payload_len
				      ? outstanding(f, dir) - d->payload_len
				      : 0;
	bool idle = w->last_send_ts && out_before == 0 && ts - w->last_send_ts > c->rto_ns;
	bool by_ack = w->in_round && w->round_acked && ts >= w->next_after_ts;
	if (w->in_round && (idle || by_ack))
		close_round(c, f, dir);
	if (!w->in_round) {
		/* Only a round the ACK clock started can show pacing: the first
		 * of a burst (after the handshake, a request, an idle) is sent
		 * at once whatever the algorithm. */
		w->ack_clocked = by_ack && !idle;
		w->in_round = true;
		w->round_acked = false;
		w->first_seq = d->seq;
		w->start_ts = ts;
		w->start_frame = d->rec->frame;
		w->bytes = w->max_out = 0;
		w->segs = 0;
		w->clocked_segs = 0;
		w->resent_in_round = false;
		w->rwnd_at_start = f->half[!dir].wscale >= 0 || f->half[!dir].rwnd == 0
					   ? f->half[!dir].rwnd
					   : 0;
		if (idle) {
			w->post_idle = true;
			w->idle_ns = ts - w->last_send_ts;
		}
	}
	w->bytes += d->payload_len;
	w->segs++;
	/* ACK-clocked: sent within a moment of an ACK's arrival. A paced
	 * sender (BBR) sends on its own timer instead. */
	if (w->last_ack_ts && ts - w->last_ack_ts <= CLOCKED_NS)
		w->clocked_segs++;
	w->last_seg = d->payload_len;
	uint32_t out = outstanding(f, dir);
	if (out > w->max_out)
		w->max_out = out;
	w->last_send_ts = ts;
}

void cwnd_note_spurious(struct flow *f, int dir, uint64_t resend_ts)
{
	struct cwnd_state *w = &f->cw[dir];
	/* A late D-SACK for an earlier episode's resend says nothing of this
	 * one's (it would pass for proof that this one lost nothing). */
	if (flow_ms(f, resend_ts) < w->episode_ms)
		return;
	if (w->episode_dsacked < UINT16_MAX)
		w->episode_dsacked++;
}

void cwnd_on_ack(struct cwnd_ctx *c, struct flow *f, int data_dir, uint32_t ack, uint64_t ts)
{
	(void)c;
	struct cwnd_state *w = &f->cw[data_dir];
	w->last_ack_ts = ts;
	if (w->in_round && !w->round_acked && seq_gt(ack, w->first_seq)) {
		w->round_acked = true;
		/* Data sent because of this ACK is captured one sender-half
		 * later (capture -> sender -> capture); a tenth is slack. A
		 * half under a tenth of the RTT means the capture is on the
		 * sender's side: the very next data is the next round. */
		uint64_t half = f->half[data_dir].half_rtt_ns;
		w->next_after_ts = ts + (near_sender(f, data_dir) ? 0 : half * 9 / 10);
	}
	if (w->in_recovery && seq_geq(ack, w->recovery_point)) {
		w->in_recovery = false;
		w->await_after = true;
		w->rounds_after = 0;
	}
}

void cwnd_flush(struct cwnd_ctx *c, struct flow *f)
{
	for (int d = 0; d < 2; d++)
		close_round(c, f, d);
	/* The sender of the most data decides. */
	const struct cwnd_state *w =
		f->half[0].payload_bytes >= f->half[1].payload_bytes ? &f->cw[0] : &f->cw[1];
	/* Two cuts or more: their mean. One alone is weak: on the lab's
	 * samples single cuts ranged 0.49-0.89 under CUBIC, 0.48-0.83 under BBR
	 * (draining its startup queue: 0.61 in corrupt_ipv6), 0.53-0.60 under
	 * Reno. So a single cut names CUBIC only inside its band (beta 0.7 plus
	 * two rounds of growth), BBR when there was no cut at all (loss-based
	 * algorithms always cut), and nothing else. */
	double r = w->reductions ? w->ratio_sum / w->reductions : 0;
	if (w->reductions >= 2)
		f->cc_guess = r < 0.6 ? CC_RENO : r < 0.85 ? CC_CUBIC : CC_BBR;
	else if (w->reductions == 1 && r >= 0.85)
		f->cc_guess = CC_BBR;
	else if (w->reductions == 1 && r >= 0.68 && r <= 0.80)
		f->cc_guess = CC_CUBIC;
	else
		f->cc_guess = CC_UNKNOWN;
}
