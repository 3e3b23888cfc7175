/*
 * analyze/tcp_track.c — see tcp_track.h.
 *
 * RTT from the capture point: a segment sent by side A at t0 and acknowledged
 * by side B at t1 measures the path capture -> B -> capture (B's "half").
 * A full round trip is the sum of both halves; the handshake gives both at
 * once (SYN -> SYN-ACK is the server's half, SYN-ACK -> ACK the client's).
 */
#include "tcp_track.h"

#include "csum_verify.h"
#include "cwnd.h"
#include "dsack.h"
#include "sack_gap.h"
#include "seq.h"
#include "stall.h"
#include "units.h"
#include "common/units.h"

/* Linux TCP_RTO_MIN: a retransmission after a silence this long (or longer
 * than the RTT-based estimate) is taken for a timeout. */

bool tcp_is_new_connection(const struct flow *f, int dir, const struct pkt_decoded *d)
{
	if ((d->flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		return false;
	const struct tcp_half *h = &f->half[dir];
	if (h->isn_known)
		return d->seq != h->isn;
	/* A SYN on a flow that carried data without a captured handshake. */
	return h->seq_known;
}

int tcp_src_is_client(const struct pkt_decoded *d)
{
	if ((d->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		return 1;
	if ((d->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		return 0;
	if (d->sport != d->dport)
		return d->sport > d->dport;
	return 1;
}

bool tcp_flow_closed(const struct flow *f)
{
	return (f->half[0].fin_seen && f->half[1].fin_seen) || f->half[0].rst_seen ||
	       f->half[1].rst_seen;
}

static void emit_simple(struct flow *f, int dir, const struct pkt_decoded *d,
			struct tcp_ctx *ctx, enum finding_kind k)
{
	struct finding_event ev;
	event_init(&ev, f, d, dir, k);
	event_emit(ctx->sink, f, &ev);
}

static void on_syn(struct flow *f, int dir, const struct pkt_decoded *d,
		   struct tcp_ctx *ctx)
{
	struct tcp_half *h = &f->half[dir];
	uint64_t ts = d->rec->ts_ns;
	bool synack = (d->flags & TCP_ACK) != 0;
	if (h->isn_known && d->seq == h->isn) {
		struct finding_event ev;
		event_init(&ev, f, d, dir, FIND_SYN_RETRANSMIT);
		ev.u.syn.attempt = h->syn_count;
		ev.u.syn.after_ms = (double)(ts - h->syn_ts) / NS_PER_MS;
		ev.u.syn.synack = synack;
		event_emit(ctx->sink, f, &ev);
	} else {
		h->isn_known = true;
		h->isn = d->seq;
		h->seq_base = d->seq;
		h->seq_known = true;
		h->snd_max = d->seq + 1;
		h->mss = d->opt.mss;
		h->wscale = d->opt.wscale;
		h->sack_ok = d->opt.sack_permitted;
		h->ts_ok = d->opt.has_ts;
	}
	h->syn_count++;
	h->syn_ts = ts;
	if (!synack) {
		if (!f->syn_ts)
			f->syn_ts = ts;
		if (f->state == FLOW_MIDSTREAM)
			f->state = FLOW_SYN_SENT;
	} else {
		if (!f->synack_ts)
			f->synack_ts = ts;
		if (f->state == FLOW_SYN_SENT || f->state == FLOW_MIDSTREAM)
			f->state = FLOW_SYN_RCVD;
		/* Window scaling is in force only if both SYNs offered it. */
		struct tcp_half *c = &f->half[!dir];
		if (c->isn_known && (c->wscale < 0 || h->wscale < 0))
			c->wscale = h->wscale = 0;
	}
}

/* The latest time from the capture point to side h and back, and the
 * smallest, in µs (kept nonzero once known). */
static void half_rtt_note(struct tcp_half *h, uint64_t ns)
{
	h->half_rtt_ns = ns;
	uint64_t us = ns / 1000 ? ns / 1000 : 1;
	if (us > UINT32_MAX)
		us = UINT32_MAX;
	if (!h->half_rtt_min_us || us < h->half_rtt_min_us)
		h->half_rtt_min_us = (uint32_t)us;
}

/* RFC 6298 §2: SRTT and RTTVAR from each new sample. */
static void rtt_smooth(struct flow *f, uint64_t sample)
{
	if (!f->srtt_ns) {
		f->srtt_ns = sample;
		f->rttvar_ns = sample / 2;
		return;
	}
	uint64_t dev = sample > f->srtt_ns ? sample - f->srtt_ns : f->srtt_ns - sample;
	f->rttvar_ns = (3 * f->rttvar_ns + dev) / 4;
	f->srtt_ns = (7 * f->srtt_ns + sample) / 8;
}

/* The handshake's third segment: both halves of the RTT at once. */
static void on_handshake_ack(struct flow *f, int dir, const struct pkt_decoded *d)
{
	struct tcp_half *c = &f->half[dir], *s = &f->half[!dir];
	if (dir != DIR_C2S || f->hs_ack_ts || !s->isn_known || !c->isn_known ||
	    !seq_geq(d->ack, s->isn + 1) || (d->flags & TCP_SYN))
		return;
	uint64_t ts = d->rec->ts_ns;
	f->hs_ack_ts = ts;
	if (f->state == FLOW_SYN_RCVD)
		f->state = FLOW_ESTABLISHED;
	if (c->syn_ts && s->syn_ts >= c->syn_ts && ts >= s->syn_ts) {
		half_rtt_note(s, s->syn_ts - c->syn_ts);
		half_rtt_note(c, ts - s->syn_ts);
		rtt_stats_add(&f->rtt, (double)(ts - c->syn_ts) / NS_PER_MS);
		rtt_smooth(f, ts - c->syn_ts);
	}
}

/* Karn's rule: a retransmitted range gives no RTT sample. */
static void probes_forget_from(struct tcp_half *h, uint32_t seq)
{
	uint8_t k = 0;
	for (uint8_t i = 0; i < h->probe_count; i++)
		if (seq_leq(h->probe_seq_end[i], seq)) {
			h->probe_seq_end[k] = h->probe_seq_end[i];
			h->probe_ts[k++] = h->probe_ts[i];
		}
	h->probe_count = k;
}

static void probe_add(struct tcp_half *h, uint32_t seq_end, uint64_t ts)
{
	if (h->probe_count == TCP_RTT_PROBES) {
		/* Keep the oldest (they are answered first) but let the newest in
		 * by dropping every other one: samples thin out, never stall. */
		uint8_t k = 0;
		for (uint8_t i = 0; i < h->probe_count; i += 2) {
			h->probe_seq_end[k] = h->probe_seq_end[i];
			h->probe_ts[k++] = h->probe_ts[i];
		}
		h->probe_count = k;
	}
	h->probe_seq_end[h->probe_count] = seq_end;
	h->probe_ts[h->probe_count] = ts;
	h->probe_count++;
}

static uint64_t rto_estimate(const struct flow *f)
{
	return flow_rto_estimate_ns(f);
}

/* Why data was sent again (RFC 5681 fast retransmit, RFC 6298 timeout, RFC
 * 8985 tail loss probe):
 *   spurious  the receiver had already acknowledged all of it;
 *   fast      the receiver signalled the hole (3 duplicate ACKs, or SACK),
 *             the latest signal less than an RTO before, or the timer
 *             already resent in this episode and this one follows sooner
 *             than the backed-off timer could (two RTOs: the sender
 *             recovers on the ACKs, however late they reached it; a
 *             silence that long is the timer's again);
 *   tlp       the highest segment, first resend of the episode, no dupack or
 *             SACK before it, after about 2 SRTT (+200 ms with one segment
 *             in flight: then it precedes the RTO by about one RTO);
 *   rto       after a silence of about the RTO estimate;
 *   unknown   none of these. */
static enum cause retrans_cause(const struct flow *f, int dir, uint32_t end, uint64_t ts)
{
	const struct tcp_half *h = &f->half[dir], *peer = &f->half[!dir];
	if (peer->ack_known && seq_leq(end, peer->ack_max))
		return CAUSE_SPURIOUS;
	uint64_t silence = h->last_data_ts && ts > h->last_data_ts ? ts - h->last_data_ts : 0;
	uint64_t rto = rto_estimate(f);
	/* A fast retransmit answers the ACKs that signalled the loss: it leaves
	 * as they arrive (RACK's reordering window is a quarter RTT), so a
	 * capture point sees it at most about one RTT after the latest of them.
	 * A resend that comes a whole RTO after the latest signal was the timer's
	 * (the signal never reached the sender, or came after it gave up). */
	uint32_t now_ms = flow_ms(f, ts);
	uint64_t signal_age = now_ms > peer->loss_signal_ms
				      ? (uint64_t)(now_ms - peer->loss_signal_ms) * NS_PER_MS_U64
				      : 0;
	if ((peer->dupacks >= 3 || peer->sack_seen) &&
	    (signal_age < rto * 9 / 10 || (h->episode_rto && silence < rto * 2 * 9 / 10)))
		return CAUSE_FAST;
	uint64_t pto = flow_pto_ns(f);
	if (end == h->snd_max && h->episode_retrans == 0 && peer->dupacks == 0 &&
	    silence >= pto * 8 / 10)
		return CAUSE_TLP;
	if (silence >= rto * 9 / 10)
		return CAUSE_RTO;
	if (peer->dupacks > 0)
		return CAUSE_FAST;
	return CAUSE_UNKNOWN;
}

/* What sent a spurious resend: a timer too can resend bytes the receiver
 * already has (their ACK was lost or held up), and then the timer is what
 * the connection waited for (rto, tlp; spurious when neither fits). */
static enum cause spurious_trigger(const struct flow *f, int dir, uint32_t end, uint64_t ts)
{
	const struct tcp_half *h = &f->half[dir];
	if (!h->last_data_ts || ts < h->last_data_ts)
		return CAUSE_SPURIOUS;
	uint64_t silence = ts - h->last_data_ts;
	uint64_t pto = flow_pto_ns(f);
	if (silence >= rto_estimate(f) / 10 * 9)
		return CAUSE_RTO;
	if (end == h->snd_max && silence >= pto / 10 * 8)
		return CAUSE_TLP;
	return CAUSE_SPURIOUS;
}

/* A payload above the receiver's MSS was merged by an offload above the
 * capture point. Which one: the checksums say it first. A sender whose
 * normal-sized segments carry the pseudo-header seed too leaves it in its
 * TSO/GSO giants: tso_gso (also when a virtual link such as veth hands them
 * to a receiver as they are). A giant carrying the seed among that sender's
 * segments with valid checksums (not of datagrams it fragmented: their
 * sums are software's) was merged on receipt: gro_lro. Without
 * that evidence the capture's direction decides. */
static void emit_giant(struct flow *f, int dir, const struct pkt_decoded *d, struct tcp_ctx *ctx)
{
	struct tcp_half *h = &f->half[dir];
	uint16_t mss = d->giant_mss;
	struct finding_event ev;
	event_init(&ev, f, d, dir, FIND_GIANT_SEGMENT);
	if (d->l4_verdict == CSUM_OFFLOAD && flow_csum_ok_offload_evidence(f, dir))
		ev.cause = CAUSE_GRO_LRO;
	else if (d->l4_verdict == CSUM_OFFLOAD && h->csum_offload_side[CSUM_SIDE_TX] > 0)
		ev.cause = CAUSE_TSO_GSO;
	else if (d->dir == PKT_DIR_OUT)
		ev.cause = CAUSE_TSO_GSO;
	else if (d->dir == PKT_DIR_IN)
		ev.cause = CAUSE_GRO_LRO;
	else
		ev.cause = CAUSE_UNKNOWN;
	ev.u.giant.bytes = d->payload_len;
	ev.u.giant.mss = mss;
	ev.u.giant.multiple = (double)d->payload_len / mss;
	h->giants++;
	event_emit(ctx->sink, f, &ev);
}

struct fill_ctx {
	struct flow *f;
	int dir;
	uint64_t ts;
	bool first_sight;  /* some of the segment filled a hole the capture had */
	bool reordered;    /* ... and soon enough to be reordering, not a resend */
};

/* The segment covers bytes the capture had not seen: the first copy was
 * lost before the capture point, or it is arriving out of order. Within half
 * an RTT of the hole opening it is reordering (RFC 4737's sense). */
static void on_fill(void *user, uint32_t left, uint32_t right, uint64_t opened)
{
	struct fill_ctx *c = user;
	(void)left;
	(void)right;
	c->first_sight = true;
	/* A resend fills a hole no sooner than one round trip after the hole
	 * opened at the capture point, wherever that is: the later segment
	 * goes on to the receiver, its SACK back to the sender, the resend
	 * from there to here, which is the whole path. A fill well inside one
	 * (3/4 of the smallest RTT seen, for jitter) is the original, reordered
	 * on its way here. */
	uint64_t rtt = c->f->rtt.count ? (uint64_t)(c->f->rtt.min_ms * NS_PER_MS) : NS_PER_MS_U64;
	if (c->ts < opened || c->ts - opened < rtt / 4 * 3)
		c->reordered = true;
}

static void on_data(struct flow *f, int dir, const struct pkt_decoded *d,
		    struct tcp_ctx *ctx)
{
	struct tcp_half *h = &f->half[dir];
	uint64_t ts = d->rec->ts_ns;
	/* A SYN takes one sequence number before its data (TCP Fast Open). */
	uint32_t seq = d->seq + ((d->flags & TCP_SYN) ? 1u : 0u), len = d->payload_len;
	uint32_t end = seq + len;
	if (seq_lt(seq, h->snd_max)) {
		struct fill_ctx fc = {.f = f, .dir = dir, .ts = ts};
		if (f->cold)
			seq_ranges_remove(&f->cold->unseen[dir], seq, seq_min(end, h->snd_max), on_fill,
					  &fc);
		/* A keepalive or window probe resends one old byte: not a loss. */
		bool probe = len <= 1 && seq == h->snd_max - 1;
		if (!probe && !fc.reordered) {
			struct finding_event ev;
			event_init(&ev, f, d, dir, FIND_RETRANSMISSION);
			enum cause c = retrans_cause(f, dir, end, ts);
			ev.cause = (uint8_t)c;
			ev.u.retrans.seq = seq - h->seq_base;
			ev.u.retrans.bytes = len;
			if (c == CAUSE_SPURIOUS)
				event_emit(ctx->sink, f, &ev);
			else
				dsack_hold(ctx->held, f, dir, seq, end, ts, &ev, ctx->sink);
			h->retransmissions++;
			flow_rare_w(f, dir)->retrans_bytes += len;
			h->episode_retrans++;
			enum cause trigger = c == CAUSE_SPURIOUS ? spurious_trigger(f, dir, end, ts) : c;
			h->episode_rto |= trigger == CAUSE_RTO;
			probes_forget_from(h, seq);
			stall_note_retransmission(f, dir, trigger, c == CAUSE_SPURIOUS);
			if (f->gap_held)
				sack_gap_on_resend(ctx->held, f, dir, seq, end, c, ts);
			struct cwnd_ctx cc = {ctx->sink, ctx->rounds, rto_estimate(f)};
			cwnd_on_data(&cc, f, dir, d, true);
			if (c == CAUSE_SPURIOUS)
				cwnd_note_spurious(f, dir, ts);
		} else if (fc.reordered) {
			flow_rare_w(f, dir)->reordered++;
		}
		if (seq_gt(end, h->snd_max))
			h->snd_max = end;
	} else {
		if (seq_gt(seq, h->snd_max) && h->ack_known_for_data && flow_cold(f))
			seq_ranges_add(&f->cold->unseen[dir], h->snd_max, seq, ts);
		h->snd_max = end;
		probe_add(h, end, ts);
		struct cwnd_ctx cc = {ctx->sink, ctx->rounds, rto_estimate(f)};
		cwnd_on_data(&cc, f, dir, d, false);
	}
	h->ack_known_for_data = true;
	h->last_data_ts = ts;
	if (len > h->max_payload)
		h->max_payload = len;

	if (f->csum_held)
		csum_fate_on_data(ctx->held, f, dir, seq, end, ts);
	if (d->giant_mss)
		emit_giant(f, dir, d, ctx);
}

struct loss_ctx {
	struct flow *f;
	int dir;
	const struct pkt_decoded *d;
	struct tcp_ctx *ctx;
};

/* The receiver acknowledged bytes the capture never saw and nobody resent:
 * the capture dropped them, not the network. */
static void on_capture_loss(void *user, uint32_t left, uint32_t right, uint64_t opened)
{
	struct loss_ctx *c = user;
	struct tcp_half *h = &c->f->half[c->dir];
	(void)opened;
	struct finding_event ev;
	event_init(&ev, c->f, c->d, c->dir, FIND_CAPTURE_LOSS);
	ev.u.retrans.seq = left - h->seq_base;
	ev.u.retrans.bytes = (uint32_t)seq_diff(right, left);
	flow_rare_w(c->f, c->dir)->capture_lost_bytes += ev.u.retrans.bytes;
	event_emit(c->ctx->sink, c->f, &ev);
}

/* RTT: the newest of the peer's segments the ACK covers gives this side's
 * half (capture -> this side -> capture); the two halves summed are a
 * round trip once both are known. */
static void rtt_from_probes(struct flow *f, struct tcp_half *h, struct tcp_half *peer, uint32_t ack,
			    uint64_t ts)
{
	uint64_t t0 = 0;
	uint8_t k = 0;
	for (uint8_t i = 0; i < peer->probe_count; i++) {
		if (seq_leq(peer->probe_seq_end[i], ack)) {
			t0 = peer->probe_ts[i];
		} else {
			peer->probe_seq_end[k] = peer->probe_seq_end[i];
			peer->probe_ts[k++] = peer->probe_ts[i];
		}
	}
	peer->probe_count = k;
	if (t0 && ts >= t0) {
		half_rtt_note(h, ts - t0);
		/* The round trip is the two halves on either side of the
		 * capture point: with one half alone (a capture that began
		 * mid-connection, its other side not measured yet) the sum
		 * is no RTT; on the receiver's side it is near zero. */
		if (peer->half_rtt_ns) {
			rtt_stats_add(&f->rtt, (double)(h->half_rtt_ns + peer->half_rtt_ns) / NS_PER_MS);
			rtt_smooth(f, h->half_rtt_ns + peer->half_rtt_ns);
		}
	}
}

static void on_ack(struct flow *f, int dir, const struct pkt_decoded *d, struct tcp_ctx *ctx)
{
	struct tcp_half *h = &f->half[dir], *peer = &f->half[!dir];
	uint32_t ack = d->ack;
	if (d->opt.sack_count) {
		h->sack_seen = true;
		h->loss_signal_ms = flow_ms(f, d->rec->ts_ns);
	}
	if (!h->ack_known) {
		h->ack_known = true;
		h->ack_max = ack;
		/* A capture that began mid-connection: this side's first ACK may
		 * cover data the capture saw (a request), its one chance to give
		 * this side's half when it never acknowledges more (a download:
		 * without it the sender's rounds split at every ACK). */
		if (f->state == FLOW_MIDSTREAM)
			rtt_from_probes(f, h, peer, ack, d->rec->ts_ns);
		return;
	}
	if (seq_gt(ack, h->ack_max)) {
		/* Bytes acknowledged that the capture never saw: a hole below
		 * the ACK, or data beyond anything captured. */
		if (peer->seq_known && seq_gt(ack, peer->snd_max) && peer->ack_known_for_data &&
		    !(d->flags & TCP_SYN) && seq_gt(ack, peer->snd_max + (peer->fin_seen ? 0 : 1)) &&
		    flow_cold(f))
			seq_ranges_add(&f->cold->unseen[!dir], peer->snd_max, ack, d->rec->ts_ns);
		if (f->cold && f->cold->unseen[!dir].n) {
			struct loss_ctx lc = {.f = f, .dir = !dir, .d = d, .ctx = ctx};
			seq_ranges_remove_below(&f->cold->unseen[!dir], ack, on_capture_loss, &lc);
		}
		if (seq_gt(ack, peer->snd_max) && peer->seq_known)
			peer->snd_max = ack;
		h->ack_max = ack;
		h->dupacks = 0;
		struct cwnd_ctx cc = {ctx->sink, ctx->rounds, rto_estimate(f)};
		cwnd_on_ack(&cc, f, !dir, ack, d->rec->ts_ns);
		h->sack_seen = d->opt.sack_count > 0;
		peer->episode_retrans = 0;
		peer->episode_rto = false;
		rtt_from_probes(f, h, peer, ack, d->rec->ts_ns);
	} else if (ack == h->ack_max && d->payload_len == 0 &&
		   !(d->flags & (TCP_SYN | TCP_FIN | TCP_RST)) && seq_lt(ack, peer->snd_max)) {
		h->dupacks++; /* RFC 5681 §2: same ACK, no data, data outstanding */
		h->loss_signal_ms = flow_ms(f, d->rec->ts_ns);
	}
}

void tcp_track_segment(struct tcp_ctx *ctx, struct flow *f, int dir, const struct pkt_decoded *d)
{
	/* Set by on_data for this segment only (a resend); read by stall.c. */
	f->stall.resend_now = false;
	struct tcp_half *h = &f->half[dir];
	if (d->flags & TCP_SYN)
		on_syn(f, dir, d, ctx);
	else if (!h->seq_known) {
		h->seq_known = true;
		h->seq_base = d->seq;
		h->snd_max = d->seq;
	}
	/* The receiver discarded a segment with a bad checksum: its ACK and
	 * window never took effect. */
	uint32_t snd_before = h->snd_max, ack_before = h->ack_max;
	bool ack_was_known = h->ack_known;
	if ((d->flags & TCP_ACK) && d->l4_verdict != CSUM_BAD) {
		on_handshake_ack(f, dir, d);
		on_ack(f, dir, d, ctx);
		if (f->csum_held)
			csum_fate_on_ack(ctx->held, f, !dir, d->ack, d->opt.sack, d->opt.sack_count,
					 ctx->sink);
		if (f->gap_held || d->opt.sack_count || (f->cold && f->cold->sacked[!dir].n))
			sack_gap_on_ack(ctx->held, f, !dir, d, ctx->sink);
		if (f->retrans_held || f->retrans_covered)
			dsack_on_ack(ctx->held, f, !dir, d, ctx->sink);
	}
	if (d->payload_len && !(d->flags & TCP_RST))
		on_data(f, dir, d, ctx);
	else if (f->csum_held && (d->flags & (TCP_SYN | TCP_FIN)) && !(d->flags & TCP_RST))
		/* A bare SYN or FIN sent again: the resend of a damaged one. */
		csum_fate_on_data(ctx->held, f, dir, d->seq, d->seq + 1, d->rec->ts_ns);
	if ((d->flags & TCP_FIN) && !h->fin_seen) {
		h->fin_seen = true;
		uint32_t fin_end = d->seq + d->payload_len + 1;
		if (seq_gt(fin_end, h->snd_max))
			h->snd_max = fin_end;
		if (f->state != FLOW_CLOSED)
			f->state = FLOW_CLOSING;
	}
	if (!(d->flags & TCP_RST) && d->l4_verdict != CSUM_BAD)
		h->rwnd = (d->flags & TCP_SYN) || h->wscale < 0 ? d->win : (uint32_t)d->win << h->wscale;
	if (!(d->flags & TCP_SYN) && d->l4_verdict != CSUM_BAD) {
		bool moved = seq_gt(h->snd_max, snd_before) ||
			     (ack_was_known && seq_gt(h->ack_max, ack_before));
		stall_on_segment(f, dir, d, moved, ctx->sink);
	}
	if (d->win == 0 && !(d->flags & (TCP_RST | TCP_SYN))) {
		flow_rare_w(f, dir)->zero_windows++;
		emit_simple(f, dir, d, ctx, FIND_ZERO_WINDOW);
	}
	if (d->flags & TCP_RST) {
		h->rst_seen = true;
		emit_simple(f, dir, d, ctx, FIND_RST);
	}
	if (tcp_flow_closed(f))
		f->state = FLOW_CLOSED;
}
