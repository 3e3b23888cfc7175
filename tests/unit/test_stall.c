/*
 * tests/unit/test_stall.c — analyze/stall.c through the analyzer: short
 * hand-built connections go through analyzer_new()/analyzer_packet() (the
 * stall detector needs the TCP tracker's outstanding bytes, windows and
 * RTT) and the tests check what stall.h promises: no stall at or below
 * rtt + max(10 ms, rtt), a stall above it with its start (ts, frame), end
 * (end_frame), duration and outstanding bytes; and the cause of each shape
 * stall.h lists: sender_limited, delayed_ack behind Nagle (held until the
 * sender's next write confirms it, and counted below the general threshold
 * when the ACK came a delayed-ACK time late), app_idle (think time, and a
 * held delayed_ack the sender did not follow), cork, rto, zero_window and
 * receiver_limited. Every expectation is derived in a comment from the
 * packets' timing and stall.h, never taken from a run.
 *
 * Timing: the handshake places the capture. "At the client": SYN at 0,
 * SYN-ACK 20 ms later, the client's ACK 0.1 ms after that (RTT 20.1 ms,
 * almost all of it on the server's side). "At the server": the other way
 * round. Either way the threshold is 20.1 + 20.1 = 40.2 ms unless a test
 * says otherwise.
 * The persist-probe zero-window test found a bug (the stall charged to the
 * wrong side); it passes since the fix.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/decode.h"
#include "analyze/stall.h"
#include "pktbuild.h"

#include <pcap/dlt.h>

#define MS 1000000ull
#define US 1000ull
#define T0 1600000000000000000ull
#define SEG 1448u
#define CISN 1000u
#define SISN 5000u

/* ---- the recording sink ---- */

#define EV_MAX 1024

static struct finding_event *ev_v;
static size_t ev_n;
static struct flow end_flow;
static int ends;

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
	(void)rounds;
	ends++;
	end_flow = *f;
	end_flow.cold = NULL;
}

static void sink_damaged(void *user, uint64_t frame, const char *msg)
{
	(void)user;
	(void)frame;
	cr_assert_fail("damaged frame: %s", msg);
}

/* ---- the connection under test ---- */

static struct analyzer *A;
static uint64_t frame_no;

static void setup(void)
{
	ev_v = calloc(EV_MAX, sizeof(*ev_v));
	ev_n = 0;
	ends = 0;
	frame_no = 0;
	struct analyzer_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	struct analyzer_sink sink = {.user = NULL, .event = sink_event, .flow_end = sink_end,
				     .damaged = sink_damaged};
	A = analyzer_new(&cfg, &sink);
	cr_assert_not_null(A);
}

static void teardown(void)
{
	analyzer_free(A);
	free(ev_v);
}

TestSuite(stall, .init = setup, .fini = teardown);


/* One segment at T0 + t_ns, from the client (c2s) or the server; returns
 * its frame number. Window fields are scaled by 128 (both SYNs offer WS 7). */
static uint64_t seg(uint64_t t_ns, int c2s, uint32_t seq, uint32_t ack, uint8_t flags,
		    uint16_t win, uint32_t len)
{
	uint8_t buf[2048];
	struct pkt_record r = pb_conversation_segment(buf, c2s, seq, ack, flags, win, len);
	r.ts_ns = T0 + t_ns;
	r.frame = ++frame_no;
	analyzer_packet(A, &r);
	return r.frame;
}

/* Client data / ACKs (window 502 x 128 unless cwin), server data / ACKs. */
static uint64_t cdata(uint64_t t, uint32_t seq, uint32_t ack, uint32_t len)
{
	return seg(t, 1, seq, ack, TCP_ACK | TCP_PSH, 502, len);
}
static uint64_t cack(uint64_t t, uint32_t seq, uint32_t ack, uint16_t win)
{
	return seg(t, 1, seq, ack, TCP_ACK, win, 0);
}
static uint64_t sdata(uint64_t t, uint32_t seq, uint32_t ack, uint32_t len)
{
	return seg(t, 0, seq, ack, TCP_ACK, 509, len);
}
static uint64_t sack(uint64_t t, uint32_t seq, uint32_t ack)
{
	return seg(t, 0, seq, ack, TCP_ACK, 509, 0);
}

/* SYN at 0, SYN-ACK at d1, the client's ACK (window cwin) d2 later. */
static void handshake(uint64_t d1, uint64_t d2, uint16_t cwin)
{
	seg(0, 1, CISN, 0, TCP_SYN, 64240, 0);
	seg(d1, 0, SISN, CISN + 1, TCP_SYN | TCP_ACK, 65160, 0);
	seg(d1 + d2, 1, CISN + 1, SISN + 1, TCP_ACK, cwin, 0);
}

static void at_client(void)
{
	handshake(20 * MS, 100 * US, 502);
}

static size_t count_stalls(void)
{
	size_t n = 0;
	for (size_t i = 0; i < ev_n; i++)
		n += ev_v[i].kind == FIND_STALL;
	return n;
}

static const struct finding_event *nth_stall(size_t i)
{
	for (size_t j = 0; j < ev_n; j++)
		if (ev_v[j].kind == FIND_STALL && i-- == 0)
			return &ev_v[j];
	cr_assert_fail("no stall #%zu", i);
	return NULL;
}

static void assert_stall(const struct finding_event *e, enum cause c, int dir, uint64_t start_t,
			 uint64_t start_frame, uint64_t end_frame, double ms, uint64_t outstanding)
{
	cr_assert_eq(e->cause, c, "cause %s, want %s", cause_name(e->cause), cause_name(c));
	cr_assert_eq(e->dir, dir, "dir %s, want %s", flow_dir_name(e->dir), flow_dir_name(dir));
	cr_assert_eq(e->ts_ns, T0 + start_t, "starts at the last move");
	cr_assert_eq(e->frame, start_frame, "frame %llu, want %llu", (unsigned long long)e->frame,
		     (unsigned long long)start_frame);
	cr_assert_eq(e->u.stall.end_frame, end_frame, "end_frame %llu, want %llu",
		     (unsigned long long)e->u.stall.end_frame, (unsigned long long)end_frame);
	cr_assert_float_eq(e->u.stall.duration_ms, ms, 1e-6, "duration %f, want %f",
			   e->u.stall.duration_ms, ms);
	cr_assert_eq(e->u.stall.outstanding, outstanding, "outstanding %llu, want %llu",
		     (unsigned long long)e->u.stall.outstanding, (unsigned long long)outstanding);
}

/* ---- the threshold, and a stall's extent ---- */

/* RTT 20.1 ms: threshold 20.1 + max(10, 20.1) = 40.2 ms. The server's segments are each ACKed at
 * once; the server then waits 40.0 ms before its next one (no stall: not
 * above the threshold), then 41.0 ms (a stall). Nothing was outstanding
 * and the same side went on sending, full-sized, its last segment no
 * resend -> sender_limited, dir s2c, from the client's ACK (ts and frame)
 * to the server's segment (end_frame), 41.0 ms, 0 bytes outstanding. */
Test(stall, threshold_and_the_stall_extent)
{
	at_client();
	cdata(20 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	sdata(40 * MS + 200 * US, SISN + 1, CISN + 101, SEG);
	cack(40 * MS + 300 * US, CISN + 101, SISN + 1 + SEG, 502);
	sdata(80 * MS + 300 * US, SISN + 1 + SEG, CISN + 101, SEG);
	uint64_t ack_frame = cack(80 * MS + 400 * US, CISN + 101, SISN + 1 + 2 * SEG, 502);
	cr_assert_eq(count_stalls(), 0, "a 40.0 ms gap is under 40.2 ms");
	uint64_t end = sdata(121 * MS + 400 * US, SISN + 1 + 2 * SEG, CISN + 101, SEG);
	cack(121 * MS + 500 * US, CISN + 101, SISN + 1 + 3 * SEG, 502);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 1);
	assert_stall(nth_stall(0), CAUSE_SENDER_LIMITED, DIR_S2C, 80 * MS + 400 * US, ack_frame, end,
		     41.0, 0);
	cr_assert_eq(end_flow.stall.count, 1);
	cr_assert_float_eq(end_flow.stall.total_ms, 41.0, 1e-6);

	/* RTT 2.1 ms: the threshold is 2.1 + max(10, 2.1) = 12.1 ms, not
	 * twice the RTT: an 11 ms wait is no stall, a 13 ms one is. */
	teardown();
	setup();
	handshake(2 * MS, 100 * US, 502);
	cdata(2 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	sdata(4 * MS + 200 * US, SISN + 1, CISN + 101, SEG);
	cack(4 * MS + 300 * US, CISN + 101, SISN + 1 + SEG, 502);
	sdata(15 * MS + 300 * US, SISN + 1 + SEG, CISN + 101, SEG);
	ack_frame = cack(15 * MS + 400 * US, CISN + 101, SISN + 1 + 2 * SEG, 502);
	cr_assert_eq(count_stalls(), 0, "an 11 ms gap is under 12.1 ms");
	end = sdata(28 * MS + 400 * US, SISN + 1 + 2 * SEG, CISN + 101, SEG);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 1);
	assert_stall(nth_stall(0), CAUSE_SENDER_LIMITED, DIR_S2C, 15 * MS + 400 * US, ack_frame, end,
		     13.0, 0);
}

/* ---- delayed ACK ---- */

/* Nagle and a delayed ACK (capture at the client, RTT 20.1 ms): the client
 * writes 100 bytes, Nagle holds its next 50-byte write while the 100 are
 * unacknowledged; the server holds its ACK 40 ms (seen 60 ms after the
 * data: 20 ms path + 40 ms delay), and the client's held write follows it
 * at once (0.1 ms). 60 ms > 40.2 ms -> one stall, delayed_ack, dir c2s
 * (the client's data waited), from the 100-byte segment to the server's
 * ACK, 100 bytes outstanding. It is written only when the client's write
 * confirms it. */
Test(stall, delayed_ack_behind_nagle)
{
	at_client();
	uint64_t data1 = cdata(20 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	uint64_t ack = sack(80 * MS + 200 * US, SISN + 1, CISN + 101);
	cr_assert_eq(count_stalls(), 0, "held until the client's next segment");
	cdata(80 * MS + 300 * US, CISN + 101, SISN + 1, 50);
	cr_assert_eq(count_stalls(), 1);
	sdata(100 * MS + 400 * US, SISN + 1, CISN + 151, SEG);
	cack(100 * MS + 500 * US, CISN + 151, SISN + 1 + SEG, 502);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 1);
	assert_stall(nth_stall(0), CAUSE_DELAYED_ACK, DIR_C2S, 20 * MS + 200 * US, data1, ack, 60.0,
		     100);
}

/* RTT 80.1 ms, capture at the client (the sender): threshold 160.2 ms. A
 * delayed ACK is seen 80 + 40 = 120 ms after the data: below the general
 * threshold, but 35 ms or more after the server's own turn (80 ms) with
 * less than its MSS (1460) in flight -> still a delayed_ack stall of 120
 * ms (stall.h). An ACK 100 ms after the data (20 ms of jitter, not a held
 * ACK) -> no stall. */
Test(stall, delayed_ack_below_the_general_threshold)
{
	handshake(80 * MS, 100 * US, 502);
	uint64_t data1 = cdata(80 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	uint64_t ack = sack(200 * MS + 200 * US, SISN + 1, CISN + 101);
	cdata(200 * MS + 300 * US, CISN + 101, SISN + 1, 50);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 1);
	assert_stall(nth_stall(0), CAUSE_DELAYED_ACK, DIR_C2S, 80 * MS + 200 * US, data1, ack, 120.0,
		     100);

	teardown();
	setup();
	handshake(80 * MS, 100 * US, 502);
	cdata(80 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	sack(180 * MS + 200 * US, SISN + 1, CISN + 101);
	cdata(180 * MS + 300 * US, CISN + 101, SISN + 1, 50);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 0, "100 ms is neither above 160.2 ms nor a held ACK");
}

/* ---- think time ---- */

/* A whole request (100 bytes); the server's delayed ACK 60 ms later, its
 * response (a full segment) 220 ms after that. The client sent nothing
 * after the ACK: nobody waited for it -> the first stall (60 ms, dir c2s,
 * 100 bytes outstanding) is app_idle, not delayed_ack. Then nothing was
 * outstanding and the other side spoke: think time -> app_idle, dir s2c,
 * 220 ms, from the ACK to the response. */
Test(stall, think_time_is_app_idle_even_behind_a_delayed_ack)
{
	at_client();
	uint64_t req = cdata(20 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	uint64_t ack = sack(80 * MS + 200 * US, SISN + 1, CISN + 101);
	uint64_t resp = sdata(300 * MS + 200 * US, SISN + 1, CISN + 101, SEG);
	cack(300 * MS + 300 * US, CISN + 101, SISN + 1 + SEG, 502);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 2);
	assert_stall(nth_stall(0), CAUSE_APP_IDLE, DIR_C2S, 20 * MS + 200 * US, req, ack, 60.0, 100);
	assert_stall(nth_stall(1), CAUSE_APP_IDLE, DIR_S2C, 80 * MS + 200 * US, ack, resp, 220.0, 0);
}

/* The response rides on the ACK of the request, 50 ms after it (30 ms of
 * think time, under the server's delayed-ACK timer, plus the 20 ms path):
 * the other side spoke next -> app_idle, dir c2s (its request was what
 * was outstanding), 50 ms, 100 bytes. */
Test(stall, response_riding_the_ack_is_app_idle)
{
	at_client();
	uint64_t req = cdata(20 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	uint64_t resp = sdata(70 * MS + 200 * US, SISN + 1, CISN + 101, SEG);
	cack(70 * MS + 300 * US, CISN + 101, SISN + 1 + SEG, 502);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 1);
	assert_stall(nth_stall(0), CAUSE_APP_IDLE, DIR_C2S, 20 * MS + 200 * US, req, resp, 50.0, 100);
}

/* ---- cork ---- */

/* The server answers with three full segments, all ACKed; its sub-MSS
 * tail (500 bytes) follows `tail_ms` after the last ACK. Returns the one
 * stall's cause after checking its extent. */
static enum cause cork_tail(uint64_t tail_ms)
{
	at_client();
	cdata(20 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	sdata(40 * MS + 200 * US, SISN + 1, CISN + 101, SEG);
	sdata(40 * MS + 250 * US, SISN + 1 + SEG, CISN + 101, SEG);
	cack(40 * MS + 260 * US, CISN + 101, SISN + 1 + 2 * SEG, 502);
	sdata(40 * MS + 300 * US, SISN + 1 + 2 * SEG, CISN + 101, SEG);
	uint64_t ack = cack(40 * MS + 310 * US, CISN + 101, SISN + 1 + 3 * SEG, 502);
	uint64_t tail = sdata(40 * MS + 310 * US + tail_ms * MS, SISN + 1 + 3 * SEG, CISN + 101, 500);
	cack(40 * MS + 410 * US + tail_ms * MS, CISN + 101, SISN + 1 + 3 * SEG + 500, 502);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 1, "tail after %llu ms", (unsigned long long)tail_ms);
	const struct finding_event *e = nth_stall(0);
	assert_stall(e, (enum cause)e->cause, DIR_S2C, 40 * MS + 310 * US, ack, tail, (double)tail_ms,
		     0);
	return (enum cause)e->cause;
}

/* TCP_CORK: a sub-MSS tail after full segments, nothing outstanding, held
 * until the probe timer (one RTO, 150-260 ms after the last move) -> cork
 * at 200 ms. The same tail 100 ms later is under the cork's 150 ms: the
 * sender just went on -> sender_limited. */
Test(stall, cork_tail_after_full_segments)
{
	enum cause c = cork_tail(200);
	cr_assert_eq(c, CAUSE_CORK, "cause %s", cause_name(c));
	teardown();
	setup();
	c = cork_tail(100);
	cr_assert_eq(c, CAUSE_SENDER_LIMITED, "cause %s", cause_name(c));
}

/* ---- rto ---- */

/* Capture at the server (RTT 20.1 ms, RTO estimate ~220 ms): both segments
 * of its response are lost beyond the capture point, nothing comes back,
 * its timer resends the first 250 ms later, and the client's ACK of it
 * arrives 20 ms after that. The resend moves nothing (not new data), so
 * the stall runs from the second segment (the last move) to the ACK:
 * 269.95 ms, 2896 bytes outstanding, dir s2c, cause rto. */
Test(stall, retransmission_timeout)
{
	handshake(100 * US, 20 * MS, 502);
	cdata(20 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	sdata(20 * MS + 300 * US, SISN + 1, CISN + 101, SEG);
	uint64_t last = sdata(20 * MS + 350 * US, SISN + 1 + SEG, CISN + 101, SEG);
	sdata(270 * MS + 300 * US, SISN + 1, CISN + 101, SEG);
	cr_assert_eq(count_stalls(), 0, "a resend does not end the wait");
	uint64_t ack = cack(290 * MS + 300 * US, CISN + 101, SISN + 1 + SEG, 502);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 1);
	assert_stall(nth_stall(0), CAUSE_RTO, DIR_S2C, 20 * MS + 350 * US, last, ack, 269.95,
		     2 * SEG);
}

/* ---- zero window ---- */

/* Capture at the client, which stops reading: it ACKs the server's two
 * segments with window 0. With probe, the server's persist timer probes
 * 220 ms later (Linux tcp_xmit_probe_skb: a bare segment at snd_una - 1,
 * which moves nothing) and the client answers with window 0 again. At 500
 * ms the client opens the window (an update: nothing moves) and the
 * server's data follows one trip later (20.1 ms). The server waited for
 * the client's window -> zero_window, from the zero-window ACK to that
 * data, 479.84 ms, nothing outstanding (all of it was acknowledged).
 * Returns the stall after checking all that but its direction. */
static const struct finding_event *zero_window_wait(bool probe)
{
	at_client();
	cdata(20 * MS + 200 * US, CISN + 1, SISN + 1, 100);
	sdata(40 * MS + 200 * US, SISN + 1, CISN + 101, SEG);
	sdata(40 * MS + 250 * US, SISN + 1 + SEG, CISN + 101, SEG);
	uint32_t una = SISN + 1 + 2 * SEG;
	uint64_t zw = cack(40 * MS + 260 * US, CISN + 101, una, 0);
	if (probe) {
		sack(260 * MS + 260 * US, una - 1, CISN + 101);
		cack(260 * MS + 270 * US, CISN + 101, una, 0);
	}
	cack(500 * MS, CISN + 101, una, 502);
	cr_assert_eq(count_stalls(), 0);
	uint64_t data = sdata(520 * MS + 100 * US, una, CISN + 101, SEG);
	cack(520 * MS + 200 * US, CISN + 101, una + SEG, 502);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 1);
	const struct finding_event *e = nth_stall(0);
	assert_stall(e, CAUSE_ZERO_WINDOW, e->dir, 40 * MS + 260 * US, zw, data, 479.84, 0);
	return e;
}

/* Without a probe and with one: the same wait, zero_window both times; the
 * stalled direction is the server's data (s2c), which waited. */
Test(stall, zero_window)
{
	const struct finding_event *e = zero_window_wait(false);
	cr_assert_eq(e->dir, DIR_S2C, "dir %s", flow_dir_name(e->dir));
	teardown();
	setup();
	zero_window_wait(true);
}

/* With the persist probe answered by window 0 inside the gap, nothing is
 * in flight on either side: the stall is the server's (its data waited for
 * the client's window), as without the probe (the test above). Once a bug:
 * the tie of outstanding bytes went to c2s, the client whose window it was. */
Test(stall, zero_window_with_a_persist_probe_is_the_senders_wait)
{
	const struct finding_event *e = zero_window_wait(true);
	cr_assert_eq(e->dir, DIR_S2C, "dir %s", flow_dir_name(e->dir));
}

/* ---- receiver window ---- */

/* Capture at the server; the client's window is 46 x 128 = 5888 bytes.
 * The server sends four segments (5792 bytes): a fifth would not fit
 * (5792 + 1448 > 5888). The client's ACK of them is 100 ms late (above
 * 40.2 ms) -> receiver_limited, dir s2c, 5792 bytes outstanding, from the
 * fourth segment to the ACK. */
Test(stall, receiver_window_full)
{
	handshake(100 * US, 20 * MS, 46);
	seg(20 * MS + 200 * US, 1, CISN + 1, SISN + 1, TCP_ACK | TCP_PSH, 46, 100);
	uint64_t last = 0;
	for (uint32_t i = 0; i < 4; i++)
		last = sdata(20 * MS + (300 + 50 * i) * US, SISN + 1 + i * SEG, CISN + 101, SEG);
	uint64_t ack = cack(120 * MS + 450 * US, CISN + 101, SISN + 1 + 4 * SEG, 46);
	analyzer_finish(A);
	cr_assert_eq(count_stalls(), 1);
	assert_stall(nth_stall(0), CAUSE_RECEIVER_LIMITED, DIR_S2C, 20 * MS + 450 * US, last, ack,
		     100.0, 4 * SEG);
}
