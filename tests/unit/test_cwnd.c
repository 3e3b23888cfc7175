/*
 * tests/unit/test_cwnd.c — analyze/cwnd.c (and analyze/round_store.c as
 * cwnd fills it), through the analyzer: hand-built downloads seen from the
 * client's side of the path go through analyzer_new()/analyzer_packet(),
 * and the tests check what cwnd.h promises of them: the initial window
 * (IW10 and IW3 counted in segments and bytes, limited by cwnd, the
 * receiver's window or the application; none without the handshake), the
 * rounds (flight, segments, phase, limit, start time) through slow start
 * into congestion avoidance, the cwnd_reduction of the second full round
 * after a loss recovery and its ratio, the idle_restart of a window that
 * collapsed after an idle longer than the RTO, the per-direction cap of
 * ROUNDS_PER_DIR listed rounds (the rest counted in not_listed), and the
 * cc_guess from the reductions. Expectations come from TCP (RFC 5681,
 * RFC 6928, RFC 3390) and cwnd.h, written down next to each assertion.
 *
 * The path: RTT 100 ms, the capture beside the client (the receiver), so
 * the client's ACK is seen 10 us after the data and the data it releases
 * 100 ms later. Each round the server sends back to back (50 us apart),
 * the client ACKs every second segment (and a round's odd last one) at
 * once, and the next round starts 101 ms after the previous one.
 * The mid-download test found a bug (in tcp_track.c); it passes since the
 * fix.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/cwnd.h"
#include "analyze/decode.h"
#include "pktbuild.h"

#include <pcap/dlt.h>

#define MS 1000000ull
#define US 1000ull
#define T0 1600000000000000000ull
#define SEG 1448u            /* MSS 1460 less the 12 bytes of timestamps */
#define CISN 1000u
#define SISN 5000u
#define ROUND_GAP (101 * MS) /* one round's first segment to the next's */
#define MAX_ROUNDS_SEEN 512

/* ---- the recording sink ---- */

#define EV_MAX 4096

static struct finding_event *ev_v;
static size_t ev_n;
static struct flow end_flow;
static int ends;
static struct cwnd_round end_rounds[2][ROUNDS_PER_DIR];
static uint16_t end_nrounds[2];

static void sink_event(void *user, const struct flow *f, const struct finding_event *ev)
{
	(void)user;
	(void)f;
	cr_assert_lt(ev_n, EV_MAX);
	ev_v[ev_n++] = *ev;
}

static void sink_end(void *user, const struct flow *f, enum flow_retire_reason why,
		     const struct flow_rounds *rounds)
{
	(void)user;
	(void)why;
	ends++;
	end_flow = *f;
	end_flow.cold = NULL;
	for (int d = 0; d < 2; d++) {
		end_nrounds[d] = rounds->n[d];
		memcpy(end_rounds[d], rounds->r[d], rounds->n[d] * sizeof(struct cwnd_round));
	}
}

static void sink_damaged(void *user, uint64_t frame, const char *msg)
{
	(void)user;
	(void)frame;
	cr_assert_fail("damaged frame: %s", msg);
}

/* ---- the connection under test ---- */

static struct {
	struct analyzer *a;
	uint64_t frame;
	uint64_t t;          /* the next round's start, ns after T0 */
	uint32_t snd;        /* the server's next new sequence number */
	uint32_t cseq;       /* the client's */
	uint16_t cwin;       /* the client's window field (scale 7) */
	int nrounds;         /* rounds of new data sent */
	uint64_t round_ts[MAX_ROUNDS_SEEN], round_frame[MAX_ROUNDS_SEEN];
	uint64_t last_send;  /* the server's last new segment */
} B;

static void setup(void)
{
	ev_v = calloc(EV_MAX, sizeof(*ev_v));
	ev_n = 0;
	ends = 0;
	memset(end_nrounds, 0, sizeof(end_nrounds));
	memset(&B, 0, sizeof(B));
	struct analyzer_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	struct analyzer_sink sink = {.user = NULL, .event = sink_event, .flow_end = sink_end,
				     .damaged = sink_damaged};
	B.a = analyzer_new(&cfg, &sink);
	cr_assert_not_null(B.a);
	B.cwin = 8192; /* 1 MiB scaled: never the limit unless a test says so */
}

static void teardown(void)
{
	analyzer_free(B.a);
	free(ev_v);
}

TestSuite(cwnd, .init = setup, .fini = teardown);


static void seg(uint64_t t_ns, int c2s, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		uint32_t len)
{
	uint8_t buf[2048];
	struct pkt_record r = pb_conversation_segment(buf, c2s, seq, ack, flags, win, len);
	r.ts_ns = T0 + t_ns;
	r.frame = ++B.frame;
	analyzer_packet(B.a, &r);
}

static void server_data(uint64_t t, uint32_t seq, uint32_t len)
{
	seg(t, 0, seq, B.cseq, TCP_ACK, 509, len);
}

static void client_ack(uint64_t t, uint32_t ack)
{
	seg(t, 1, B.cseq, ack, TCP_ACK, B.cwin, 0);
}

/* The handshake (SYN at 0, SYN-ACK 100 ms later, ACK 0.1 ms after it: the
 * capture is at the client) and a 100-byte request; the response starts
 * one RTT after the request. */
static void handshake_and_request(void)
{
	seg(0, 1, CISN, 0, TCP_SYN, 64240, 0);
	seg(100 * MS, 0, SISN, CISN + 1, TCP_SYN | TCP_ACK, 65160, 0);
	seg(100 * MS + 100 * US, 1, CISN + 1, SISN + 1, TCP_ACK, B.cwin, 0);
	seg(100 * MS + 200 * US, 1, CISN + 1, SISN + 1, TCP_ACK | TCP_PSH, B.cwin, 100);
	B.cseq = CISN + 101;
	B.snd = SISN + 1;
	B.t = 200 * MS + 200 * US;
}

/* One round of n new segments from the server, the last last_len bytes
 * (0: full). lost >= 1: that segment is lost before the capture point, and
 * each later one draws a duplicate ACK. Returns the hole's sequence number. */
static uint32_t round_lost(int n, int lost, uint32_t last_len)
{
	uint32_t hole = 0;
	bool holed = false;
	cr_assert_lt(B.nrounds, MAX_ROUNDS_SEEN);
	B.round_ts[B.nrounds] = T0 + B.t;
	B.round_frame[B.nrounds] = B.frame + 1;
	B.nrounds++;
	for (int i = 0; i < n; i++) {
		uint32_t len = i == n - 1 && last_len ? last_len : SEG;
		uint64_t ts = B.t + (uint64_t)i * 50 * US;
		if (i == lost) {
			hole = B.snd;
			holed = true;
			B.snd += len;
			continue;
		}
		server_data(ts, B.snd, len);
		B.snd += len;
		B.last_send = ts;
		if (holed)
			client_ack(ts + 10 * US, hole);
		else if (i % 2 == 1 || i == n - 1)
			client_ack(ts + 10 * US, B.snd);
	}
	B.t += ROUND_GAP;
	return hole;
}

static void round_of(int n)
{
	round_lost(n, -1, 0);
}

/* The fast retransmit of the hole, one RTT after the duplicate ACKs, and
 * the cumulative ACK of everything that it draws. */
static void resend(uint32_t hole)
{
	server_data(B.t, hole, SEG);
	client_ack(B.t + 10 * US, B.snd);
	B.t += ROUND_GAP;
}

static size_t count_kind(enum finding_kind k, int dir)
{
	size_t n = 0;
	for (size_t i = 0; i < ev_n; i++)
		n += ev_v[i].kind == k && (dir < 0 || ev_v[i].dir == dir);
	return n;
}

static const struct finding_event *nth_kind(enum finding_kind k, int dir, size_t i)
{
	for (size_t j = 0; j < ev_n; j++)
		if (ev_v[j].kind == k && (dir < 0 || ev_v[j].dir == dir) && i-- == 0)
			return &ev_v[j];
	cr_assert_fail("no event %s #%zu", finding_name(k), i);
	return NULL;
}

static void finish(void)
{
	analyzer_finish(B.a);
	cr_assert_eq(ends, 1, "one flow, ended once");
}

/* A listed round of the server's direction. */
static void assert_round(int i, uint32_t bytes, uint16_t segs, enum round_phase phase,
			 enum cause limit)
{
	cr_assert_lt(i, end_nrounds[DIR_S2C], "round %d listed", i);
	const struct cwnd_round *r = &end_rounds[DIR_S2C][i];
	cr_assert_eq(r->t_ns, B.round_ts[i], "round %d starts with its first segment", i);
	cr_assert_eq(r->flight_bytes, bytes, "round %d: flight %u, want %u", i, r->flight_bytes,
		     bytes);
	cr_assert_eq(r->flight_segments, segs, "round %d: %u segments, want %u", i,
		     r->flight_segments, segs);
	cr_assert_eq(r->phase, phase, "round %d: phase %s, want %s", i,
		     round_phase_name((enum round_phase)r->phase), round_phase_name(phase));
	cr_assert_eq(r->limit, limit, "round %d: limit %s, want %s", i, cause_name(r->limit),
		     cause_name(limit));
}

/* ---- initial window ---- */

/* IW10 (RFC 6928): 10 segments of 1448 bytes leave before the first ACK
 * can come back -> one initial_window event of the server's direction:
 * segments 10, bytes 14480, the client's announced MSS 1460, limited by
 * cwnd (the last segment is full and 14480 + 1448 is far below the 1 MiB
 * window), at the frame and time of the flight's first segment. The
 * client's own first flight is its 100-byte request: 1 segment, 100 bytes,
 * limited by the application (a sub-MSS segment ended it). */
Test(cwnd, iw10_counts_the_first_flight)
{
	handshake_and_request();
	round_of(10);
	round_of(20);
	finish();
	cr_assert_eq(count_kind(FIND_INITIAL_WINDOW, DIR_S2C), 1);
	const struct finding_event *e = nth_kind(FIND_INITIAL_WINDOW, DIR_S2C, 0);
	cr_assert_eq(e->u.iw.segments, 10);
	cr_assert_eq(e->u.iw.bytes, 10 * SEG);
	cr_assert_eq(e->u.iw.mss, 1460);
	cr_assert_eq(e->cause, CAUSE_CWND, "limit %s", cause_name(e->cause));
	cr_assert_eq(e->frame, B.round_frame[0]);
	cr_assert_eq(e->ts_ns, B.round_ts[0]);
	cr_assert_eq(end_flow.half[DIR_S2C].iw_segments, 10);
	cr_assert_eq(end_flow.half[DIR_S2C].iw_bytes, 10 * SEG);

	cr_assert_eq(count_kind(FIND_INITIAL_WINDOW, DIR_C2S), 1);
	e = nth_kind(FIND_INITIAL_WINDOW, DIR_C2S, 0);
	cr_assert_eq(e->u.iw.segments, 1);
	cr_assert_eq(e->u.iw.bytes, 100);
	cr_assert_eq(e->cause, CAUSE_APP, "limit %s", cause_name(e->cause));
	cr_assert_eq(count_kind(FIND_CWND_REDUCTION, -1), 0);
	cr_assert_eq(count_kind(FIND_IDLE_RESTART, -1), 0);
}

/* IW3 (RFC 3390: min(4 MSS, max(2 MSS, 4380)) = 3 segments at MSS 1460)
 * -> segments 3, bytes 4344. The second round (6 segments) is not another
 * initial window: one event only. */
Test(cwnd, iw3_counts_three_segments)
{
	handshake_and_request();
	round_of(3);
	round_of(6);
	round_of(12);
	finish();
	cr_assert_eq(count_kind(FIND_INITIAL_WINDOW, DIR_S2C), 1);
	const struct finding_event *e = nth_kind(FIND_INITIAL_WINDOW, DIR_S2C, 0);
	cr_assert_eq(e->u.iw.segments, 3);
	cr_assert_eq(e->u.iw.bytes, 3 * SEG);
	cr_assert_eq(e->cause, CAUSE_CWND, "limit %s", cause_name(e->cause));
	cr_assert_eq(e->frame, B.round_frame[0]);
}

/* The client announces 64 x 128 = 8192 bytes of window: 5 segments (7240
 * bytes) fill it, a sixth would not fit (7240 + 1448 > 8192) -> the
 * initial window is 5 segments limited by rwnd. */
Test(cwnd, iw_limited_by_the_receive_window)
{
	B.cwin = 64;
	handshake_and_request();
	round_of(5);
	round_of(5);
	finish();
	const struct finding_event *e = nth_kind(FIND_INITIAL_WINDOW, DIR_S2C, 0);
	cr_assert_eq(e->u.iw.segments, 5);
	cr_assert_eq(e->u.iw.bytes, 5 * SEG);
	cr_assert_eq(e->cause, CAUSE_RWND, "limit %s", cause_name(e->cause));
	assert_round(1, 5 * SEG, 5, PHASE_CONGESTION_AVOIDANCE, CAUSE_RWND);
}

/* A capture that starts mid-connection (no SYN of the server) cannot tell
 * a first flight from any other (cwnd.h): no initial_window, though the
 * rounds are still measured. */
Test(cwnd, no_initial_window_without_the_handshake)
{
	/* Two requests first, the server's ACK of the second measuring its
	 * side of the RTT (100 ms) as the handshake would have (the first ACK
	 * a capture sees of a side only tells where its ACKs stand). */
	seg(0, 1, CISN + 1, SISN + 1, TCP_ACK | TCP_PSH, B.cwin, 100);
	seg(100 * MS, 0, SISN + 1, CISN + 101, TCP_ACK, 509, 0);
	seg(100 * MS + 100 * US, 1, CISN + 101, SISN + 1, TCP_ACK | TCP_PSH, B.cwin, 100);
	B.cseq = CISN + 201;
	B.snd = SISN + 1;
	B.t = 200 * MS + 100 * US;
	round_of(10);
	round_of(20);
	finish();
	cr_assert_eq(count_kind(FIND_INITIAL_WINDOW, -1), 0);
	cr_assert_eq(end_nrounds[DIR_S2C], 2);
	cr_assert_eq(end_rounds[DIR_S2C][1].flight_bytes, 20 * SEG);
}

/* A capture that starts mid-download at the receiver: the client's one
 * request is acknowledged by the server's first segment, the only ACK of
 * its data the capture will see. That first ACK must give the server's
 * half of the RTT (a bug once: the first ACK seen of a side was only
 * recorded, so the half stayed 0, "none", and near_sender() took 0 for
 * "the capture is at the sender": the 10- and 20-segment flights were
 * listed as 15 rounds of 2). By cwnd.h's rule (data later than the ACK plus
 * nine tenths of the sender's half, here 100 ms, starts the next round)
 * the sender's rounds are 10 and 20 segments. */
Test(cwnd, unknown_sender_half_does_not_split_rounds_at_every_ack)
{
	seg(0, 1, CISN + 1, SISN + 1, TCP_ACK | TCP_PSH, B.cwin, 100);
	B.cseq = CISN + 101;
	B.snd = SISN + 1;
	B.t = 100 * MS;
	round_of(10);
	round_of(20);
	finish();
	/* the request's ACK, the server's first, measured the server's half */
	cr_assert_gt(end_flow.half[DIR_S2C].half_rtt_ns, 0, "the server's half is measured");
	cr_assert_eq(end_nrounds[DIR_S2C], 2, "%u rounds", end_nrounds[DIR_S2C]);
	cr_assert_eq(end_rounds[DIR_S2C][0].flight_segments, 10);
	cr_assert_eq(end_rounds[DIR_S2C][1].flight_segments, 20);
}

/* ---- rounds ---- */

/* Slow start doubles the window each round (RFC 5681 §3.1: cwnd grows by
 * one SMSS per ACK, the ACKs of a round's flight double it): 10, 20, 40
 * segments, each 1.5x or more the one before -> slow_start. Then 56 (1.4x,
 * under 1.5 x 40) -> congestion_avoidance. The last round ends with a 500-byte
 * segment: the application had no more -> limited by app, its phase app
 * (its flight says nothing of the window's growth), 7 x 1448 + 500
 * = 10636 bytes, 8 segments (rounded up). The first segment of each round
 * is its start time. No loss: no reduction, cc_guess unknown. */
Test(cwnd, slow_start_round_by_round)
{
	handshake_and_request();
	round_of(10);
	round_of(20);
	round_of(40);
	round_of(56);
	round_lost(8, -1, 500);
	finish();
	cr_assert_eq(end_nrounds[DIR_S2C], 5);
	assert_round(0, 10 * SEG, 10, PHASE_SLOW_START, CAUSE_CWND);
	assert_round(1, 20 * SEG, 20, PHASE_SLOW_START, CAUSE_CWND);
	assert_round(2, 40 * SEG, 40, PHASE_SLOW_START, CAUSE_CWND);
	assert_round(3, 56 * SEG, 56, PHASE_CONGESTION_AVOIDANCE, CAUSE_CWND);
	assert_round(4, 7 * SEG + 500, 8, PHASE_APP, CAUSE_APP);
	cr_assert_eq(end_nrounds[DIR_C2S], 1, "the request: one round");
	cr_assert_eq(end_flow.cw[DIR_S2C].rounds.not_listed, 0);
	cr_assert_eq(count_kind(FIND_CWND_REDUCTION, -1), 0);
	cr_assert_eq(end_flow.cc_guess, CC_UNKNOWN, "no loss: %s", cc_guess_name(end_flow.cc_guess));
}

/* ---- loss ---- */

/* 10, 20, 40, then 40 with its sixth segment lost (the later ones draw
 * duplicate ACKs), the fast retransmit a round later, then two rounds of
 * `after` segments. The window when the loss was found is the last full
 * round's, 40 x 1448 = 57920 bytes. */
static void loss_then(int after1, int after2)
{
	handshake_and_request();
	round_of(10);
	round_of(20);
	round_of(40);
	uint32_t hole = round_lost(40, 5, 0);
	resend(hole);
	round_of(after1);
	round_of(after2);
}

/* Reno halves (RFC 5681 §3.2: ssthresh = flight / 2) -> after recovery
 * 20 segments, then 21 (one more segment a round in congestion
 * avoidance). The second full round after the recovery (round 5, 21 x
 * 1448 = 30408 bytes) against 57920 -> one cwnd_reduction of the server's
 * direction: before 57920, after 30408, ratio 0.525, marked at that
 * round's first segment. The round that held the loss and its resend is
 * recovery; the two after it (20 and 21, under 1.5 x 40, then under 1.5 x
 * 20) are congestion avoidance. */
Test(cwnd, reduction_after_loss)
{
	loss_then(20, 21);
	finish();
	cr_assert_eq(count_kind(FIND_CWND_REDUCTION, -1), 1);
	const struct finding_event *e = nth_kind(FIND_CWND_REDUCTION, DIR_S2C, 0);
	cr_assert_eq(e->u.reduction.before, 40 * SEG);
	cr_assert_eq(e->u.reduction.after, 21 * SEG);
	cr_assert_float_eq(e->u.reduction.ratio, 21.0 / 40, 1e-9);
	cr_assert_eq(e->frame, B.round_frame[5]);
	cr_assert_eq(e->ts_ns, B.round_ts[5]);
	cr_assert_eq(end_nrounds[DIR_S2C], 6, "the resend alone is no round");
	cr_assert_eq(end_rounds[DIR_S2C][3].phase, PHASE_RECOVERY, "phase %s",
		     round_phase_name((enum round_phase)end_rounds[DIR_S2C][3].phase));
	assert_round(4, 20 * SEG, 20, PHASE_CONGESTION_AVOIDANCE, CAUSE_CWND);
	assert_round(5, 21 * SEG, 21, PHASE_CONGESTION_AVOIDANCE, CAUSE_CWND);
	/* One cut of 0.525 alone names nothing (cwnd_flush: a single cut is CUBIC
	 * only in 0.68-0.80, BBR only at 0.85 or more). */
	cr_assert_eq(end_flow.cc_guess, CC_UNKNOWN, "cc %s", cc_guess_name(end_flow.cc_guess));
}

/* cc_guess (cwnd.h): ratio ~0.5 reno, ~0.7 cubic, no reduction despite
 * loss bbr. Two Reno halvings (40 -> 20, 21; then a loss in a round of 21
 * -> 10, 11): ratios 21/40 and 11/21, mean 0.52 -> reno, two
 * cwnd_reduction events, the second against the 21-segment round. */
Test(cwnd, cc_guess_reno_from_two_halvings)
{
	loss_then(20, 21);
	uint32_t hole = round_lost(21, 5, 0);
	resend(hole);
	round_of(10);
	round_of(11);
	finish();
	cr_assert_eq(count_kind(FIND_CWND_REDUCTION, DIR_S2C), 2);
	const struct finding_event *e = nth_kind(FIND_CWND_REDUCTION, DIR_S2C, 1);
	cr_assert_eq(e->u.reduction.before, 21 * SEG);
	cr_assert_eq(e->u.reduction.after, 11 * SEG);
	cr_assert_float_eq(e->u.reduction.ratio, 11.0 / 21, 1e-9);
	cr_assert_eq(end_flow.cc_guess, CC_RENO, "cc %s", cc_guess_name(end_flow.cc_guess));
}

/* CUBIC's beta is 0.7 (RFC 9438 §4.6): 40 -> 27, 28 segments -> a
 * reduction of ratio 28/40 = 0.7, cubic. BBR does not cut on loss: 40 ->
 * 40 -> no cwnd_reduction event (not below 0.9), bbr. */
Test(cwnd, cc_guess_cubic_and_bbr)
{
	loss_then(27, 28);
	finish();
	cr_assert_eq(count_kind(FIND_CWND_REDUCTION, DIR_S2C), 1);
	cr_assert_float_eq(nth_kind(FIND_CWND_REDUCTION, DIR_S2C, 0)->u.reduction.ratio, 0.7, 1e-9);
	cr_assert_eq(end_flow.cc_guess, CC_CUBIC, "cc %s", cc_guess_name(end_flow.cc_guess));

	teardown();
	setup();
	loss_then(40, 40);
	finish();
	cr_assert_eq(count_kind(FIND_CWND_REDUCTION, -1), 0);
	cr_assert_eq(end_flow.cc_guess, CC_BBR, "cc %s", cc_guess_name(end_flow.cc_guess));
}

/* ---- idle ---- */

/* RFC 5681 §4.1: after an idle longer than the RTO (here ~300 ms: srtt
 * 100 ms + the 200 ms floor), the sender restarts from its initial window.
 * 10, 20, 40, then 2 s of silence, then 10: below 3/4 of 40 -> one
 * idle_restart at the post-idle round: before 57920, after 14480, idle the
 * time from the last segment before to the first after. A sender that
 * keeps its window across the same idle (40 again) has no idle_restart. */
Test(cwnd, idle_restart_after_an_idle_longer_than_the_rto)
{
	handshake_and_request();
	round_of(10);
	round_of(20);
	round_of(40);
	uint64_t last = B.last_send;
	B.t += 2000 * MS;
	uint64_t first_after = B.t;
	round_of(10);
	round_of(20);
	finish();
	cr_assert_eq(count_kind(FIND_IDLE_RESTART, -1), 1);
	const struct finding_event *e = nth_kind(FIND_IDLE_RESTART, DIR_S2C, 0);
	cr_assert_eq(e->u.idle.before, 40 * SEG);
	cr_assert_eq(e->u.idle.after, 10 * SEG);
	cr_assert_float_eq(e->u.idle.idle_ms, (double)(first_after - last) / MS, 1e-6);
	cr_assert_eq(e->frame, B.round_frame[3]);
	cr_assert_eq(count_kind(FIND_INITIAL_WINDOW, DIR_S2C), 1, "the restart is no initial window");

	teardown();
	setup();
	handshake_and_request();
	round_of(10);
	round_of(20);
	round_of(40);
	B.t += 2000 * MS;
	round_of(40);
	finish();
	cr_assert_eq(count_kind(FIND_IDLE_RESTART, -1), 0, "the window survived the idle");
}

/* ---- the per-direction cap ---- */

/* 300 one-segment rounds, each ACKed before the next: 300 rounds, of which
 * the first ROUNDS_PER_DIR (256) are listed in order and the other 44
 * counted in not_listed (the direction's cap, not the pool: the pool stays
 * unexhausted). The first is slow start (nothing before it), the rest
 * congestion avoidance (no growth). */
Test(cwnd, rounds_beyond_the_cap_are_counted_not_listed)
{
	handshake_and_request();
	for (int i = 0; i < 300; i++)
		round_of(1);
	finish();
	cr_assert_eq(end_nrounds[DIR_S2C], ROUNDS_PER_DIR);
	cr_assert_eq(end_flow.cw[DIR_S2C].rounds.not_listed, 300 - ROUNDS_PER_DIR);
	cr_assert_eq(end_flow.cw[DIR_S2C].rounds.stored, ROUNDS_PER_DIR);
	assert_round(0, SEG, 1, PHASE_SLOW_START, CAUSE_CWND);
	for (int i = 1; i < ROUNDS_PER_DIR; i++)
		assert_round(i, SEG, 1, PHASE_CONGESTION_AVOIDANCE, CAUSE_CWND);
	const struct analyzer_totals *t = analyzer_totals(B.a);
	cr_assert_eq(t->rounds_not_listed, 300 - ROUNDS_PER_DIR);
	cr_assert_eq(t->rounds_pool_full, 0);
}
