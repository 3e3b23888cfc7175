/*
 * tests/unit/test_tcp_track.c — analyze/tcp_track.c through the analyzer:
 * hand-built segments go through analyzer_new()/analyzer_packet() into a
 * sink that records every event and flow end, and the tests check the
 * findings (syn_retransmit, retransmission, zero_window, rst), flow identity
 * (4-tuple reuse), the handshake RTT and sequence wrap. Other detectors may
 * add events of their own kinds (stalls...): tests count the kinds they are
 * about, and check that valid frames raise no checksum or decode complaints.
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
#define T0 1600000000000000000ull

/* ---- the recording sink ---- */

#define REC_MAX 4096

struct rec_entry {
	int is_end;                  /* 0: event, 1: flow_end */
	uint32_t flow_id;
	struct finding_event ev;         /* events */
	enum flow_retire_reason why; /* flow ends */
	struct flow flow;            /* flow ends: the flow as it left */
	struct flow_cold cold;       /* ... its cold part, when it had one */
};

static struct rec_entry *rec_v;
static size_t rec_n;
static size_t diag_n;

static void sink_event(void *user, const struct flow *f, const struct finding_event *ev)
{
	(void)user;
	cr_assert_lt(rec_n, REC_MAX);
	struct rec_entry *e = &rec_v[rec_n++];
	memset(e, 0, sizeof(*e));
	e->flow_id = f ? f->id : 0;
	e->ev = *ev;
	cr_assert_eq(ev->flow_id, e->flow_id, "event flow_id %u, flow %u", ev->flow_id, e->flow_id);
}

static void sink_end(void *user, const struct flow *f, enum flow_retire_reason why,
		     const struct flow_rounds *rounds)
{
	(void)user;
	(void)rounds;
	cr_assert_lt(rec_n, REC_MAX);
	struct rec_entry *e = &rec_v[rec_n++];
	memset(e, 0, sizeof(*e));
	e->is_end = 1;
	e->flow_id = f->id;
	e->why = why;
	flow_snapshot(&e->flow, &e->cold, f); /* its cold part is freed when it ends */
}

static void sink_damaged(void *user, uint64_t frame, const char *msg)
{
	(void)user;
	(void)frame;
	(void)msg;
	diag_n++;
}

/* ---- the connection under test ---- */

struct conn {
	struct analyzer *a;
	uint8_t ver;
	uint8_t caddr[16], saddr[16];
	uint16_t cport, sport;
	uint64_t frame;
};

static struct conn C;

static void setup(void)
{
	rec_v = calloc(REC_MAX, sizeof(*rec_v));
	rec_n = 0;
	diag_n = 0;
	struct analyzer_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	struct analyzer_sink sink = {.user = NULL, .event = sink_event, .flow_end = sink_end,
				     .damaged = sink_damaged};
	memset(&C, 0, sizeof(C));
	C.a = analyzer_new(&cfg, &sink);
	cr_assert_not_null(C.a);
	C.ver = 4;
	static const uint8_t ca[4] = {10, 0, 0, 1}, sa[4] = {10, 0, 0, 2};
	memcpy(C.caddr, ca, 4);
	memcpy(C.saddr, sa, 4);
	C.cport = 45000;
	C.sport = 80;
}

static void teardown(void)
{
	analyzer_free(C.a);
	free(rec_v);
}

TestSuite(tcp_track, .init = setup, .fini = teardown);

static void use_ipv6(void)
{
	static const uint8_t ca[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t sa[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	C.ver = 6;
	memcpy(C.caddr, ca, 16);
	memcpy(C.saddr, sa, 16);
}

static const uint8_t syn_opts[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 0, 0}; /* MSS 1460, WS 7, SACK-perm */
static uint8_t data_bytes[1500];

/* Send one segment: from the client (c2s) or the server, at T0 + t_ns; with
 * bad_csum, its TCP checksum replaced by a wrong (not offload) value. TCP
 * options: opts (a SYN without them gets syn_opts). */
static void seg_opts(uint64_t t_ns, int c2s, uint32_t seq, uint32_t ack, uint8_t flags,
		     uint16_t win, uint32_t len, bool bad_csum, const uint8_t *opts, size_t optlen)
{
	uint8_t buf[2048], eth[14];
	struct pb_spec s;
	struct pb_info info;
	memset(&s, 0, sizeof(s));
	s.ip_ver = C.ver;
	s.proto = IPPROTO_TCP;
	memcpy(s.src, c2s ? C.caddr : C.saddr, 16);
	memcpy(s.dst, c2s ? C.saddr : C.caddr, 16);
	s.sport = c2s ? C.cport : C.sport;
	s.dport = c2s ? C.sport : C.cport;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.win = win;
	if (!opts && (flags & TCP_SYN)) {
		opts = syn_opts;
		optlen = sizeof(syn_opts);
	}
	s.tcp_opts = opts;
	s.tcp_opts_len = optlen;
	s.payload = data_bytes;
	s.payload_len = len;
	pb_eth(eth, C.ver == 4 ? 0x0800 : 0x86dd);
	size_t n = pb_build(buf, sizeof(buf), eth, sizeof(eth), &s, &info);
	if (bad_csum)
		pb_set_l4_csum(buf, &info, IPPROTO_TCP, 0x1234);
	struct pkt_record r = pb_record(buf, n, DLT_EN10MB);
	r.ts_ns = T0 + t_ns;
	r.frame = ++C.frame;
	analyzer_packet(C.a, &r);
}

static void seg_csum(uint64_t t_ns, int c2s, uint32_t seq, uint32_t ack, uint8_t flags,
		     uint16_t win, uint32_t len, bool bad_csum)
{
	seg_opts(t_ns, c2s, seq, ack, flags, win, len, bad_csum, NULL, 0);
}

static void seg(uint64_t t_ns, int c2s, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		uint32_t len)
{
	seg_csum(t_ns, c2s, seq, ack, flags, win, len, false);
}

/* Client ISN ci, server ISN si; SYN at t, SYN-ACK at t + d1, ACK at t + d1 + d2. */
static void handshake(uint64_t t, uint32_t ci, uint32_t si, uint64_t d1, uint64_t d2)
{
	seg(t, 1, ci, 0, TCP_SYN, 64240, 0);
	seg(t + d1, 0, si, ci + 1, TCP_SYN | TCP_ACK, 65160, 0);
	seg(t + d1 + d2, 1, ci + 1, si + 1, TCP_ACK, 502, 0);
}

static size_t count_kind(enum finding_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < rec_n; i++)
		n += !rec_v[i].is_end && rec_v[i].ev.kind == k;
	return n;
}

/* The i-th event of kind k (0-based), or fail. */
static const struct finding_event *nth_kind(enum finding_kind k, size_t i)
{
	for (size_t j = 0; j < rec_n; j++)
		if (!rec_v[j].is_end && rec_v[j].ev.kind == k && i-- == 0)
			return &rec_v[j].ev;
	cr_assert_fail("no event %s #%zu", finding_name(k), i);
	return NULL;
}

static size_t count_ends(void)
{
	size_t n = 0;
	for (size_t i = 0; i < rec_n; i++)
		n += rec_v[i].is_end;
	return n;
}

static const struct rec_entry *nth_end(size_t i)
{
	for (size_t j = 0; j < rec_n; j++)
		if (rec_v[j].is_end && i-- == 0)
			return &rec_v[j];
	cr_assert_fail("no flow end #%zu", i);
	return NULL;
}

/* Valid frames: no checksum findings, no diagnostics. */
static void assert_clean(void)
{
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 0);
	cr_assert_eq(count_kind(FIND_CSUM_OFFLOAD), 0);
	cr_assert_eq(count_kind(FIND_IP_CSUM_BAD), 0);
	cr_assert_eq(diag_n, 0);
	cr_assert_eq(analyzer_totals(C.a)->malformed, 0);
}

Test(tcp_track, syn_retransmit)
{
	seg(0, 1, 1000, 0, TCP_SYN, 64240, 0);
	seg(1000 * MS, 1, 1000, 0, TCP_SYN, 64240, 0);
	seg(3000 * MS, 1, 1000, 0, TCP_SYN, 64240, 0);
	cr_assert_eq(count_kind(FIND_SYN_RETRANSMIT), 2);
	const struct finding_event *e = nth_kind(FIND_SYN_RETRANSMIT, 0);
	cr_assert_eq(e->flow_id, 1);
	cr_assert_eq(e->dir, DIR_C2S);
	cr_assert_eq(e->frame, 2);
	cr_assert_eq(e->ts_ns, T0 + 1000 * MS);
	cr_assert_eq(e->u.syn.attempt, 1);
	cr_assert_float_eq(e->u.syn.after_ms, 1000.0, 1e-9);
	cr_assert_eq(e->u.syn.synack, 0);
	e = nth_kind(FIND_SYN_RETRANSMIT, 1);
	cr_assert_eq(e->frame, 3);
	cr_assert_eq(e->u.syn.attempt, 2);
	cr_assert_float_eq(e->u.syn.after_ms, 2000.0, 1e-9);

	/* The SYN-ACK, sent twice 1 s apart. */
	seg(3010 * MS, 0, 5000, 1001, TCP_SYN | TCP_ACK, 65160, 0);
	seg(4010 * MS, 0, 5000, 1001, TCP_SYN | TCP_ACK, 65160, 0);
	cr_assert_eq(count_kind(FIND_SYN_RETRANSMIT), 3);
	e = nth_kind(FIND_SYN_RETRANSMIT, 2);
	cr_assert_eq(e->dir, DIR_S2C);
	cr_assert_eq(e->u.syn.synack, 1);
	cr_assert_eq(e->u.syn.attempt, 1);
	cr_assert_float_eq(e->u.syn.after_ms, 1000.0, 1e-9);
	cr_assert_eq(e->flow_id, 1);

	analyzer_finish(C.a);
	cr_assert_eq(count_ends(), 1);
	cr_assert_eq(nth_end(0)->why, RETIRE_END);
	cr_assert_eq(nth_end(0)->flow.half[DIR_C2S].syn_count, 3);
	cr_assert_eq(nth_end(0)->flow.half[DIR_S2C].syn_count, 2);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	assert_clean();
}

static void retransmission_scenario(void)
{
	handshake(0, 1000, 5000, 10 * MS, 15 * MS);
	seg(30 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(31 * MS, 1, 1101, 5001, TCP_ACK | TCP_PSH, 502, 100);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	/* The first segment again, a second later, nothing acknowledged. */
	seg(1031 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	/* Held until the receiver answers (a D-SACK could still make it
	 * spurious), and after the ACK covers it until a D-SACK can no longer
	 * come (one RTO after the resend, ~225 ms here). */
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	seg(1050 * MS, 0, 5001, 1201, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	seg(1280 * MS, 0, 5001, 1201, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 1);
	const struct finding_event *e = nth_kind(FIND_RETRANSMISSION, 0);
	cr_assert_eq(e->dir, DIR_C2S);
	cr_assert_eq(e->u.retrans.seq, 1);     /* relative: the first data byte */
	cr_assert_eq(e->u.retrans.bytes, 100);
	cr_assert_eq(e->frame, 6);
	cr_assert_eq(e->cause, CAUSE_RTO, "cause %s", cause_name(e->cause));

	/* Everything acknowledged, then the second segment resent: the
	 * receiver had it already (written at once: nothing to wait for). */
	seg(1260 * MS, 1, 1101, 5001, TCP_ACK | TCP_PSH, 502, 100);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 2);
	e = nth_kind(FIND_RETRANSMISSION, 1);
	cr_assert_eq(e->u.retrans.seq, 101);
	cr_assert_eq(e->u.retrans.bytes, 100);
	cr_assert_eq(e->cause, CAUSE_SPURIOUS, "cause %s", cause_name(e->cause));

	/* New data, then a segment half old, half new. */
	seg(1300 * MS, 1, 1201, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(1301 * MS, 1, 1251, 5001, TCP_ACK | TCP_PSH, 502, 100);
	/* It moved the edge: the next new segment starts at 1351 cleanly. */
	seg(1302 * MS, 1, 1351, 5001, TCP_ACK | TCP_PSH, 502, 10);
	seg(1303 * MS, 0, 5001, 1361, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 2);

	/* The server's data, resent: its own relative numbers. Its ACKs (at
	 * 2401 ms, past the deadline) write the client's overlap resend. */
	seg(1400 * MS, 0, 5001, 1361, TCP_ACK | TCP_PSH, 509, 50);
	seg(1401 * MS, 0, 5051, 1361, TCP_ACK | TCP_PSH, 509, 50);
	seg(2401 * MS, 0, 5001, 1361, TCP_ACK | TCP_PSH, 509, 50);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 3);
	e = nth_kind(FIND_RETRANSMISSION, 2);
	cr_assert_eq(e->u.retrans.seq, 251);
	cr_assert_eq(e->u.retrans.bytes, 100);
	seg(2402 * MS, 1, 1361, 5101, TCP_ACK, 502, 0);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 3);

	/* The flow's end writes what is still open. */
	analyzer_finish(C.a);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 4);
	e = nth_kind(FIND_RETRANSMISSION, 3);
	cr_assert_eq(e->dir, DIR_S2C);
	cr_assert_eq(e->u.retrans.seq, 1);
	cr_assert_eq(e->u.retrans.bytes, 50);

	cr_assert_eq(count_ends(), 1);
	const struct flow *f = &nth_end(0)->flow;
	cr_assert_eq(f->half[DIR_C2S].retransmissions, 3);
	cr_assert_eq(flow_rare(f, DIR_C2S)->retrans_bytes, 300);
	cr_assert_eq(f->half[DIR_S2C].retransmissions, 1);
	cr_assert_eq(f->half[DIR_C2S].snd_max, 1361);
	cr_assert_eq(count_kind(FIND_SYN_RETRANSMIT), 0);
	cr_assert_eq(count_kind(FIND_CAPTURE_LOSS), 0);
	assert_clean();
}

/* A pure ACK from the server carrying SACK blocks (left, right pairs, raw
 * sequence numbers; a D-SACK goes first, RFC 2883). */
static void ack_sack(uint64_t t_ns, uint32_t ack, const uint32_t *blocks, size_t nblocks)
{
	uint8_t opts[40] = {1, 1, 5, (uint8_t)(2 + 8 * nblocks)};
	for (size_t i = 0; i < 2 * nblocks; i++) {
		uint8_t *p = opts + 4 + 4 * i;
		p[0] = (uint8_t)(blocks[i] >> 24), p[1] = (uint8_t)(blocks[i] >> 16);
		p[2] = (uint8_t)(blocks[i] >> 8), p[3] = (uint8_t)blocks[i];
	}
	seg_opts(t_ns, 0, 5001, ack, TCP_ACK, 509, 0, false, opts, 4 + 8 * nblocks);
}

/* Three segments; the first is delayed on its way (reordered), the SACK for
 * the other two makes the client resend it at 46 ms (and again at 47 ms
 * when twice). */
static void reordered_first_segment_resent(bool twice)
{
	handshake(0, 1000, 5000, 10 * MS, 10 * MS);
	for (uint32_t i = 0; i < 3; i++)
		seg((30 + i) * MS, 1, 1001 + 100 * i, 5001, TCP_ACK | TCP_PSH, 502, 100);
	const uint32_t sack[] = {1101, 1301};
	ack_sack(41 * MS, 1001, sack, 1);
	ack_sack(42 * MS, 1001, sack, 1);
	ack_sack(43 * MS, 1001, sack, 1);
	seg(46 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	if (twice)
		seg(47 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	/* The delayed original arrives: the cumulative ACK passes the resend
	 * before the resend itself reaches the receiver. */
	seg(50 * MS, 0, 5001, 1301, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0, "written before its D-SACK could come");
}

Test(tcp_track, resend_of_a_reordered_segment_is_spurious_when_the_dsack_comes_after_the_ack)
{
	reordered_first_segment_resent(false);
	const uint32_t dsack[] = {1001, 1101};
	ack_sack(66 * MS, 1301, dsack, 1);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 1);
	const struct finding_event *e = nth_kind(FIND_RETRANSMISSION, 0);
	cr_assert_eq(e->cause, CAUSE_SPURIOUS, "cause %s", cause_name(e->cause));
	cr_assert_eq(e->frame, 10);
	assert_clean();
}

Test(tcp_track, resend_without_dsack_is_written_one_rto_after_it_left)
{
	reordered_first_segment_resent(false);
	seg(200 * MS, 0, 5001, 1301, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	seg(300 * MS, 0, 5001, 1301, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 1);
	cr_assert_eq(nth_kind(FIND_RETRANSMISSION, 0)->cause, CAUSE_FAST, "cause %s",
		     cause_name(nth_kind(FIND_RETRANSMISSION, 0)->cause));
	assert_clean();
}

Test(tcp_track, one_dsack_marks_one_copy_the_later_one)
{
	reordered_first_segment_resent(true);
	const uint32_t dsack[] = {1001, 1101};
	ack_sack(66 * MS, 1301, dsack, 1);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 1);
	const struct finding_event *e = nth_kind(FIND_RETRANSMISSION, 0);
	cr_assert_eq(e->cause, CAUSE_SPURIOUS, "cause %s", cause_name(e->cause));
	cr_assert_eq(e->frame, 11, "the second copy is the duplicate");
	/* A second D-SACK: the earlier copy arrived twice too. */
	ack_sack(67 * MS, 1301, dsack, 1);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 2);
	cr_assert_eq(nth_kind(FIND_RETRANSMISSION, 1)->cause, CAUSE_SPURIOUS);
	cr_assert_eq(nth_kind(FIND_RETRANSMISSION, 1)->frame, 10);
	assert_clean();
}

/* The client's first segment resent on a timer (at 300 ms) before the SACK
 * that shows its hole passes the capture point (at 310 ms). The handshake
 * puts the server's side of the RTT at 10 ms. */
static void resend_before_the_revealing_sack(uint64_t fill_ms)
{
	handshake(0, 1000, 5000, 10 * MS, 10 * MS);
	for (uint32_t i = 0; i < 3; i++)
		seg((30 + i) * MS, 1, 1001 + 100 * i, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(300 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	const uint32_t sack[] = {1101, 1301};
	ack_sack(310 * MS, 1001, sack, 1);
	seg(fill_ms * MS, 0, 5001, 1301, TCP_ACK, 509, 0);
	analyzer_finish(C.a);
	cr_assert_eq(count_kind(FIND_SACK_GAP), 1);
}

Test(tcp_track, a_hole_filled_by_a_resend_sent_before_its_sack_names_that_resend)
{
	resend_before_the_revealing_sack(320);
	const struct finding_event *g = nth_kind(FIND_SACK_GAP, 0);
	cr_assert_eq(g->cause, CAUSE_RTO, "filled_by %s", cause_name(g->cause));
	cr_assert_eq(nth_kind(FIND_RETRANSMISSION, 0)->cause, CAUSE_RTO);
	assert_clean();
}

Test(tcp_track, a_hole_filled_sooner_than_any_resend_could_is_the_original)
{
	/* 2 ms after the resend left: its ACK needs the server's side of the
	 * round trip (10 ms) to come back, so the late original filled it. */
	resend_before_the_revealing_sack(302);
	const struct finding_event *g = nth_kind(FIND_SACK_GAP, 0);
	cr_assert_eq(g->cause, CAUSE_ORIGINAL, "filled_by %s", cause_name(g->cause));
	assert_clean();
}

Test(tcp_track, retransmission_ipv4)
{
	retransmission_scenario();
}

Test(tcp_track, retransmission_ipv6)
{
	use_ipv6();
	retransmission_scenario();
}

Test(tcp_track, keepalive_is_not_a_retransmission)
{
	handshake(0, 1000, 5000, 10 * MS, 15 * MS);
	seg(30 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(40 * MS, 0, 5001, 1101, TCP_ACK, 509, 0);
	/* Linux keepalives: snd_una - 1, with one byte (old style) or none. */
	seg(10040 * MS, 1, 1100, 5001, TCP_ACK, 502, 1);
	seg(10041 * MS, 0, 5001, 1101, TCP_ACK, 509, 0);
	seg(20040 * MS, 1, 1100, 5001, TCP_ACK, 502, 1);
	seg(20041 * MS, 0, 5001, 1101, TCP_ACK, 509, 0);
	seg(30040 * MS, 1, 1100, 5001, TCP_ACK, 502, 0);
	seg(30041 * MS, 0, 5001, 1101, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	/* Two old bytes are a retransmission, though. */
	seg(40040 * MS, 1, 1099, 5001, TCP_ACK, 502, 2);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 1);
	const struct finding_event *e = nth_kind(FIND_RETRANSMISSION, 0);
	cr_assert_eq(e->u.retrans.seq, 99);
	cr_assert_eq(e->u.retrans.bytes, 2);
	assert_clean();
}

Test(tcp_track, zero_window_probes_are_not_retransmissions)
{
	handshake(0, 1000, 5000, 10 * MS, 15 * MS);
	seg(30 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(40 * MS, 0, 5001, 1101, TCP_ACK, 0, 0);
	/* Probes of one new byte (the first is new data, its copies sit at
	 * snd_max - 1), each answered with the window still shut. */
	uint64_t t = 240 * MS;
	for (int i = 0; i < 5; i++) {
		seg(t, 1, 1101, 5001, TCP_ACK, 502, 1);
		seg(t + 10 * MS, 0, 5001, 1101, TCP_ACK, 0, 0);
		t *= 2;
	}
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	cr_assert_eq(count_kind(FIND_ZERO_WINDOW), 6);
	for (size_t i = 0; i < 6; i++)
		cr_assert_eq(nth_kind(FIND_ZERO_WINDOW, i)->dir, DIR_S2C);
	/* The window opens; the byte is taken and data flows on. */
	seg(t, 0, 5001, 1102, TCP_ACK, 300, 0);
	seg(t + 1 * MS, 1, 1102, 5001, TCP_ACK | TCP_PSH, 502, 100);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	cr_assert_eq(count_kind(FIND_ZERO_WINDOW), 6);
	analyzer_finish(C.a);
	cr_assert_eq(nth_end(0)->flow.half[DIR_C2S].snd_max, 1202);
	assert_clean();
}

/* The client's data is all acknowledged with window 0 at 40 ms; the window
 * reopens at 300 ms; the client sends next at t_ms. */
static enum cause stall_after_closed_window(uint64_t t_ms)
{
	handshake(0, 1000, 5000, 10 * MS, 10 * MS);
	seg(30 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(40 * MS, 0, 5001, 1101, TCP_ACK, 0, 0);
	seg(300 * MS, 0, 5001, 1101, TCP_ACK, 300, 0);
	seg(t_ms * MS, 1, 1101, 5001, TCP_ACK | TCP_PSH, 502, 100);
	analyzer_finish(C.a);
	cr_assert_eq(count_kind(FIND_STALL), 1);
	return (enum cause)nth_kind(FIND_STALL, 0)->cause;
}

Test(tcp_track, data_right_after_the_window_reopens_waited_for_the_window)
{
	enum cause c = stall_after_closed_window(301);
	cr_assert_eq(c, CAUSE_ZERO_WINDOW, "cause %s", cause_name(c));
}

Test(tcp_track, data_long_after_the_window_reopened_did_not_wait_for_it)
{
	/* The window was open for 9.7 s: the sender had nothing to send. */
	enum cause c = stall_after_closed_window(10000);
	cr_assert_neq(c, CAUSE_ZERO_WINDOW, "cause %s", cause_name(c));
}

Test(tcp_track, zero_window_and_rst)
{
	handshake(0, 1000, 5000, 10 * MS, 15 * MS);
	seg(30 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	cr_assert_eq(count_kind(FIND_ZERO_WINDOW), 0);
	seg(40 * MS, 0, 5001, 1101, TCP_ACK, 0, 0);
	cr_assert_eq(count_kind(FIND_ZERO_WINDOW), 1);
	const struct finding_event *e = nth_kind(FIND_ZERO_WINDOW, 0);
	cr_assert_eq(e->dir, DIR_S2C);
	cr_assert_eq(e->flow_id, 1);
	cr_assert_eq(e->frame, 5);
	/* The window opens again: nothing more. */
	seg(50 * MS, 0, 5001, 1101, TCP_ACK, 300, 0);
	cr_assert_eq(count_kind(FIND_ZERO_WINDOW), 1);
	/* A RST with a zero window is a reset, not a zero window. */
	seg(60 * MS, 1, 1101, 0, TCP_RST, 0, 0);
	cr_assert_eq(count_kind(FIND_ZERO_WINDOW), 1);
	cr_assert_eq(count_kind(FIND_RST), 1);
	e = nth_kind(FIND_RST, 0);
	cr_assert_eq(e->dir, DIR_C2S);
	cr_assert_eq(e->frame, 7);
	cr_assert_eq(e->ts_ns, T0 + 60 * MS);
	analyzer_finish(C.a);
	const struct flow *f = &nth_end(0)->flow;
	cr_assert_eq(f->state, FLOW_CLOSED);
	cr_assert(f->half[DIR_C2S].rst_seen);
	cr_assert_eq(flow_rare(f, DIR_S2C)->zero_windows, 1);
	cr_assert_eq(flow_rare(f, DIR_C2S)->zero_windows, 0);
	assert_clean();
}

Test(tcp_track, syn_with_zero_window_is_not_a_zero_window)
{
	seg(0, 1, 1000, 0, TCP_SYN, 0, 0);
	seg(10 * MS, 0, 5000, 1001, TCP_SYN | TCP_ACK, 0, 0);
	cr_assert_eq(count_kind(FIND_ZERO_WINDOW), 0);
}

Test(tcp_track, rst_closes_and_lingers)
{
	handshake(0, 1000, 5000, 10 * MS, 15 * MS);
	seg(30 * MS, 0, 5001, 1001, TCP_RST | TCP_ACK, 0, 0);
	cr_assert_eq(count_kind(FIND_RST), 1);
	cr_assert_eq(nth_kind(FIND_RST, 0)->dir, DIR_S2C);
	cr_assert_eq(count_kind(FIND_ZERO_WINDOW), 0);
	cr_assert_eq(count_ends(), 0);
	/* Any frame 1 s (the default linger) later lets it go. */
	static const uint8_t other[4] = {10, 9, 9, 9};
	memcpy(C.caddr, other, 4);
	seg(999 * MS, 1, 1, 0, TCP_SYN, 1000, 0);
	cr_assert_eq(count_ends(), 0);
	seg(1030 * MS, 1, 1, 0, TCP_SYN, 1000, 0);
	cr_assert_eq(count_ends(), 1);
	cr_assert_eq(nth_end(0)->flow_id, 1);
	cr_assert_eq(nth_end(0)->why, RETIRE_CLOSED);
	cr_assert_eq(nth_end(0)->flow.state, FLOW_CLOSED);
	assert_clean();
}

Test(tcp_track, new_isn_on_same_tuple_starts_a_new_flow)
{
	handshake(0, 1000, 5000, 10 * MS, 15 * MS);
	seg(30 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(40 * MS, 0, 5001, 1101, TCP_ACK, 509, 0);
	/* A late copy of the first SYN is a retransmission, not a new flow. */
	seg(50 * MS, 1, 1000, 0, TCP_SYN, 64240, 0);
	cr_assert_eq(count_kind(FIND_SYN_RETRANSMIT), 1);
	cr_assert_eq(count_ends(), 0);
	/* Same 4-tuple, another ISN: the old connection is over. */
	seg(2000 * MS, 1, 777777, 0, TCP_SYN, 64240, 0);
	cr_assert_eq(count_ends(), 1);
	const struct rec_entry *end = nth_end(0);
	cr_assert_eq(end->flow_id, 1);
	cr_assert_eq(end->why, RETIRE_REPLACED);
	cr_assert_eq(end->flow.half[DIR_C2S].isn, 1000);
	cr_assert_eq(end->flow.half[DIR_C2S].payload_bytes, 100);
	/* The new SYN retransmitted: an event of flow 2, attempt 1. */
	seg(3000 * MS, 1, 777777, 0, TCP_SYN, 64240, 0);
	cr_assert_eq(count_kind(FIND_SYN_RETRANSMIT), 2);
	const struct finding_event *e = nth_kind(FIND_SYN_RETRANSMIT, 1);
	cr_assert_eq(e->flow_id, 2);
	cr_assert_eq(e->u.syn.attempt, 1);
	cr_assert_float_eq(e->u.syn.after_ms, 1000.0, 1e-9);
	seg(3010 * MS, 0, 9000, 777778, TCP_SYN | TCP_ACK, 65160, 0);
	seg(3020 * MS, 1, 777778, 9001, TCP_ACK, 502, 0);
	cr_assert_eq(analyzer_totals(C.a)->flows, 2);
	cr_assert_eq(analyzer_flows_open(C.a), 1);
	analyzer_finish(C.a);
	cr_assert_eq(count_ends(), 2);
	cr_assert_eq(nth_end(1)->flow_id, 2);
	cr_assert_eq(nth_end(1)->why, RETIRE_END);
	cr_assert_eq(nth_end(1)->flow.half[DIR_C2S].isn, 777777);
	cr_assert_eq(nth_end(1)->flow.half[DIR_S2C].isn, 9000);
	cr_assert_eq(nth_end(1)->flow.state, FLOW_ESTABLISHED);
	/* Nothing of flow 1 after its end; everything after it is flow 2. */
	size_t end_at = (size_t)(end - rec_v);
	for (size_t i = end_at + 1; i < rec_n; i++)
		cr_assert_eq(rec_v[i].flow_id, 2, "entry %zu", i);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	assert_clean();
}

Test(tcp_track, handshake_rtt)
{
	handshake(0, 1000, 5000, 7 * MS, 5 * MS);
	analyzer_finish(C.a);
	const struct flow *f = &nth_end(0)->flow;
	cr_assert_eq(f->rtt.count, 1);
	cr_assert_float_eq(f->rtt.min_ms, 12.0, 1e-9);
	cr_assert_float_eq(f->rtt.max_ms, 12.0, 1e-9);
	cr_assert_float_eq(rtt_stats_p50(&f->rtt), 12.0, 1e-9);
	/* SYN -> SYN-ACK is the server's side of the capture point, SYN-ACK
	 * -> ACK the client's. */
	cr_assert_eq(f->half[DIR_S2C].half_rtt_ns, 7 * MS);
	cr_assert_eq(f->half[DIR_C2S].half_rtt_ns, 5 * MS);
	cr_assert_eq(f->syn_ts, T0);
	cr_assert_eq(f->synack_ts, T0 + 7 * MS);
	cr_assert_eq(f->hs_ack_ts, T0 + 12 * MS);
	cr_assert_eq(f->state, FLOW_ESTABLISHED);
	cr_assert(f->client_from_syn);
	cr_assert_eq(f->half[DIR_C2S].mss, 1460);
	cr_assert_eq(f->half[DIR_S2C].wscale, 7);
	assert_clean();
}

Test(tcp_track, handshake_rtt_after_syn_retransmit)
{
	/* The SYN-ACK answers the SYN that got through: the last one. */
	seg(0, 1, 1000, 0, TCP_SYN, 64240, 0);
	seg(1000 * MS, 1, 1000, 0, TCP_SYN, 64240, 0);
	seg(1020 * MS, 0, 5000, 1001, TCP_SYN | TCP_ACK, 65160, 0);
	seg(1023 * MS, 1, 1001, 5001, TCP_ACK, 502, 0);
	analyzer_finish(C.a);
	const struct flow *f = &nth_end(0)->flow;
	cr_assert_eq(f->rtt.count, 1);
	cr_assert_float_eq(f->rtt.min_ms, 23.0, 1e-9);
	cr_assert_eq(f->half[DIR_S2C].half_rtt_ns, 20 * MS);
	cr_assert_eq(f->half[DIR_C2S].half_rtt_ns, 3 * MS);
}

Test(tcp_track, data_rtt_from_ack)
{
	/* Handshake 7 + 5 ms; then the server acknowledges client data 9 ms
	 * after it passed: one round trip is 9 (server side) + 5 (client side). */
	handshake(0, 1000, 5000, 7 * MS, 5 * MS);
	seg(100 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 200);
	seg(109 * MS, 0, 5001, 1201, TCP_ACK, 509, 0);
	analyzer_finish(C.a);
	const struct flow *f = &nth_end(0)->flow;
	cr_assert_eq(f->rtt.count, 2);
	cr_assert_float_eq(f->rtt.min_ms, 12.0, 1e-9);
	cr_assert_float_eq(f->rtt.max_ms, 14.0, 1e-9);
	cr_assert_eq(f->half[DIR_S2C].half_rtt_ns, 9 * MS);
}

Test(tcp_track, sequence_wrap)
{
	const uint32_t ci = 0xffffff00u, si = 0xfffffff0u;
	handshake(0, ci, si, 10 * MS, 10 * MS);
	uint64_t t = 30 * MS;
	uint32_t seq = ci + 1;
	/* Ten 100-byte segments across 2^32, each acknowledged. */
	for (int i = 0; i < 10; i++) {
		seg(t, 1, seq, si + 1, TCP_ACK | TCP_PSH, 502, 100);
		seq += 100;
		seg(t + 10 * MS, 0, si + 1, seq, TCP_ACK, 509, 0);
		t += 20 * MS;
	}
	/* The server's 50 bytes cross the wrap too. */
	seg(t, 0, si + 1, seq, TCP_ACK | TCP_PSH, 509, 50);
	seg(t + 10 * MS, 1, seq, si + 51, TCP_ACK, 502, 0);
	t += 20 * MS;
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	cr_assert_eq(count_kind(FIND_CAPTURE_LOSS), 0);
	/* A real resend of the segment that straddles the wrap. */
	seg(t + 500 * MS, 1, ci + 201, si + 51, TCP_ACK | TCP_PSH, 502, 100);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 1);
	const struct finding_event *e = nth_kind(FIND_RETRANSMISSION, 0);
	cr_assert_eq(e->u.retrans.seq, 201);
	cr_assert_eq(e->u.retrans.bytes, 100);
	cr_assert_eq(e->dir, DIR_C2S);
	analyzer_finish(C.a);
	const struct flow *f = &nth_end(0)->flow;
	cr_assert_eq(f->half[DIR_C2S].snd_max, 0x000002e9u); /* 0xffffff01 + 1000 */
	cr_assert_eq(f->half[DIR_S2C].snd_max, 0x00000023u); /* 0xfffffff1 + 50 */
	cr_assert_eq(f->half[DIR_C2S].retransmissions, 1);
	cr_assert_eq(f->half[DIR_S2C].retransmissions, 0);
	cr_assert_eq(f->rtt.count, 12);
	assert_clean();
}

/* Send a SYN carrying data (TCP Fast Open): the SYN takes sequence number
 * ISN, the data ISN + 1 onwards (RFC 9293 §3.4, RFC 7413). */
static void syn_with_data(uint64_t t_ns, int c2s, uint32_t isn, uint32_t ack, uint8_t flags,
			  uint32_t len)
{
	seg(t_ns, c2s, isn, ack, flags, 64240, len);
}

Test(tcp_track, fast_open_syn_data_is_not_a_retransmission)
{
	syn_with_data(0, 1, 1000, 0, TCP_SYN, 100);            /* data 1001..1100 */
	seg(10 * MS, 0, 5000, 1101, TCP_SYN | TCP_ACK, 65160, 0); /* acks SYN and data */
	seg(11 * MS, 0, 5001, 1101, TCP_ACK | TCP_PSH, 509, 50);  /* 5001..5050 */
	seg(20 * MS, 1, 1101, 5001, TCP_ACK, 502, 0);
	seg(21 * MS, 1, 1101, 5051, TCP_ACK | TCP_PSH, 502, 100); /* 1101..1200 */
	seg(30 * MS, 0, 5051, 1201, TCP_ACK | TCP_PSH, 509, 20);  /* 5051..5070 */
	seg(40 * MS, 1, 1201, 5071, TCP_ACK, 502, 0);
	/* A server's SYN-ACK may carry data too. */
	C.cport = 45001;
	seg(50 * MS, 1, 7000, 0, TCP_SYN, 64240, 0);
	syn_with_data(60 * MS, 0, 9000, 7001, TCP_SYN | TCP_ACK, 30); /* 9001..9030 */
	seg(70 * MS, 1, 7001, 9031, TCP_ACK, 502, 0);
	seg(71 * MS, 0, 9031, 7001, TCP_ACK | TCP_PSH, 509, 30);      /* 9031..9060 */
	C.cport = 45000;
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	cr_assert_eq(count_kind(FIND_CAPTURE_LOSS), 0);
	cr_assert_eq(count_kind(FIND_SYN_RETRANSMIT), 0);
	/* The SYN resent with its data: both were sent again. */
	syn_with_data(1000 * MS, 1, 1000, 0, TCP_SYN, 100);
	cr_assert_eq(count_kind(FIND_SYN_RETRANSMIT), 1);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 1);
	const struct finding_event *e = nth_kind(FIND_RETRANSMISSION, 0);
	cr_assert_eq(e->u.retrans.seq, 1);
	cr_assert_eq(e->u.retrans.bytes, 100);
	analyzer_finish(C.a);
	cr_assert_eq(count_ends(), 2);
	const struct flow *f = &nth_end(0)->flow;
	cr_assert_eq(f->half[DIR_C2S].snd_max, 1201);
	cr_assert_eq(f->half[DIR_S2C].snd_max, 5071);
	cr_assert_eq(f->state, FLOW_ESTABLISHED);
	f = &nth_end(1)->flow;
	cr_assert_eq(f->half[DIR_S2C].snd_max, 9061);
	cr_assert_eq(f->half[DIR_S2C].retransmissions, 0);
	assert_clean();
}

Test(tcp_track, midstream_flow_guesses_client_by_port)
{
	/* No handshake: the higher (ephemeral) port is the client. */
	seg(0, 0, 5001, 1001, TCP_ACK | TCP_PSH, 509, 100);
	seg(10 * MS, 1, 1001, 5101, TCP_ACK, 502, 0);
	analyzer_finish(C.a);
	const struct flow *f = &nth_end(0)->flow;
	cr_assert_eq(f->key.port[0], 45000);
	cr_assert_eq(f->key.port[1], 80);
	cr_assert_not(f->client_from_syn);
	cr_assert_eq(f->state, FLOW_MIDSTREAM);
	cr_assert_eq(f->half[DIR_S2C].payload_bytes, 100);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
	assert_clean();
}

/* ---- corrupt checksums and their fate (analyze/csum_fate.c) ---- */

static void seg_bad(uint64_t t_ns, int c2s, uint32_t seq, uint32_t ack, uint8_t flags,
		    uint16_t win, uint32_t len)
{
	seg_csum(t_ns, c2s, seq, ack, flags, win, len, true);
}

Test(tcp_track, csum_bad_dropped_when_resent_before_acknowledged)
{
	handshake(0, 1000, 5000, 1 * MS, 1 * MS);
	seg_bad(10 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(11 * MS, 1, 1101, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(12 * MS, 0, 5001, 1001, TCP_ACK, 509, 0);   /* dup ACK: 1001 missing */
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 0, "held until its fate is known");
	seg(60 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);  /* the resend */
	seg(61 * MS, 0, 5001, 1201, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 1);
	const struct finding_event *e = nth_kind(FIND_CSUM_BAD, 0);
	cr_assert_eq(e->cause, CAUSE_DROPPED, "fate %s", cause_name(e->cause));
	cr_assert_eq(e->frame, 4);
	cr_assert_eq(e->u.csum.found, 0x1234);
	cr_assert_float_eq(e->u.csum.resent_ms, 50.0, 1e-9);
	analyzer_finish(C.a);
	cr_assert_eq(flow_rare(&nth_end(0)->flow, DIR_C2S)->csum_bad_dropped, 1);
}

Test(tcp_track, csum_bad_accepted_when_acknowledged_without_resend)
{
	handshake(0, 1000, 5000, 1 * MS, 1 * MS);
	seg_bad(10 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg(12 * MS, 0, 5001, 1101, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 1);
	cr_assert_eq(nth_kind(FIND_CSUM_BAD, 0)->cause, CAUSE_ACCEPTED);
	cr_assert_eq(count_kind(FIND_RETRANSMISSION), 0);
}

Test(tcp_track, csum_bad_unknown_when_the_capture_ends_first)
{
	handshake(0, 1000, 5000, 1 * MS, 1 * MS);
	seg_bad(10 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 0);
	analyzer_finish(C.a);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 1);
	cr_assert_eq(nth_kind(FIND_CSUM_BAD, 0)->cause, CAUSE_UNKNOWN);
}

/* One IPv4 segment of `len` bytes with its header checksum field set to
 * `field` (and, with bad_l4, a damaged TCP checksum too; with totlen, that
 * IPv4 total length), as direction `pdir` says it went. */
static void seg_ip4_edited(uint16_t field, bool bad_l4, uint8_t pdir, uint32_t len,
			   uint16_t totlen)
{
	uint8_t buf[2048], eth[14];
	struct pb_spec sp;
	struct pb_info info;
	memset(&sp, 0, sizeof(sp));
	sp.ip_ver = 4;
	sp.proto = IPPROTO_TCP;
	memcpy(sp.src, C.caddr, 16);
	memcpy(sp.dst, C.saddr, 16);
	sp.sport = C.cport;
	sp.dport = C.sport;
	sp.flags = TCP_ACK;
	sp.seq = 1001;
	sp.payload = data_bytes;
	sp.payload_len = len;
	pb_eth(eth, 0x0800);
	size_t n = pb_build(buf, sizeof(buf), eth, sizeof(eth), &sp, &info);
	if (bad_l4)
		pb_set_l4_csum(buf, &info, IPPROTO_TCP, 0x1234);
	if (totlen) {
		buf[14 + 2] = (uint8_t)(totlen >> 8);
		buf[14 + 3] = (uint8_t)totlen;
	}
	buf[14 + 10] = (uint8_t)(field >> 8);
	buf[14 + 11] = (uint8_t)field;
	struct pkt_record r = pb_record(buf, n, DLT_EN10MB);
	r.ts_ns = T0 + C.frame * MS;
	r.frame = ++C.frame;
	r.dir = pdir;
	analyzer_packet(C.a, &r);
}

static void seg_ip_field(uint16_t field, bool bad_l4, uint8_t pdir)
{
	seg_ip4_edited(field, bad_l4, pdir, 100, 0);
}

Test(tcp_track, ip_header_checksum_checked_on_a_frame_damaged_past_it)
{
	/* A whole IPv4 header whose total length runs past the frame, with a
	 * wrong checksum: the frame is malformed, and the header's checksum
	 * is still judged (tshark does the same). */
	seg_ip4_edited(0x1234, false, PKT_DIR_UNKNOWN, 0, 1300);
	cr_assert_eq(analyzer_totals(C.a)->malformed, 1);
	cr_assert_eq(count_kind(FIND_IP_CSUM_BAD), 1);
	const struct finding_event *e = nth_kind(FIND_IP_CSUM_BAD, 0);
	cr_assert_eq(e->flow_id, 0, "a malformed frame has no flow");
	cr_assert_eq(e->u.csum.found, 0x1234);
}

Test(tcp_track, a_zero_ip_header_checksum_is_the_offload_artifact)
{
	seg_ip_field(0, false, PKT_DIR_UNKNOWN);
	seg_ip_field(0, false, PKT_DIR_OUT);
	cr_assert_eq(count_kind(FIND_IP_CSUM_OFFLOAD), 2);
	cr_assert_eq(count_kind(FIND_IP_CSUM_BAD), 0);
	const struct finding_event *e = nth_kind(FIND_IP_CSUM_OFFLOAD, 0);
	cr_assert_eq(e->cause, CAUSE_TX);
	cr_assert_eq(e->u.csum.found, 0);
	cr_assert_neq(e->u.csum.expected, 0);
}

Test(tcp_track, a_zero_ip_header_checksum_is_damage_when_the_evidence_says_so)
{
	seg_ip_field(0, false, PKT_DIR_IN);      /* it came in: the wire carried the zero */
	seg_ip_field(0, true, PKT_DIR_UNKNOWN);  /* the TCP checksum is damaged too */
	seg_ip_field(0x1234, false, PKT_DIR_OUT); /* not the offload's zero */
	cr_assert_eq(count_kind(FIND_IP_CSUM_OFFLOAD), 0);
	cr_assert_eq(count_kind(FIND_IP_CSUM_BAD), 3);
}

Test(tcp_track, a_damaged_syn_is_dropped_when_sent_again)
{
	/* The SYN takes a sequence number: its resend is the damaged copy's. */
	seg_bad(0, 1, 1000, 0, TCP_SYN, 64240, 0);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 0, "held until its fate is known");
	seg(1000 * MS, 1, 1000, 0, TCP_SYN, 64240, 0);
	seg(1001 * MS, 0, 5000, 1001, TCP_SYN | TCP_ACK, 65160, 0);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 1);
	const struct finding_event *e = nth_kind(FIND_CSUM_BAD, 0);
	cr_assert_eq(e->cause, CAUSE_DROPPED, "fate %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.csum.resent_ms, 1000.0, 1e-9);
}

Test(tcp_track, a_damaged_syn_answered_by_the_synack_was_accepted)
{
	seg_bad(0, 1, 1000, 0, TCP_SYN, 64240, 0);
	seg(1 * MS, 0, 5000, 1001, TCP_SYN | TCP_ACK, 65160, 0);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 1);
	cr_assert_eq(nth_kind(FIND_CSUM_BAD, 0)->cause, CAUSE_ACCEPTED);
}

Test(tcp_track, a_damaged_fin_is_dropped_when_sent_again)
{
	handshake(0, 1000, 5000, 1 * MS, 1 * MS);
	seg_bad(10 * MS, 1, 1001, 5001, TCP_ACK | TCP_FIN, 502, 0);
	seg(220 * MS, 1, 1001, 5001, TCP_ACK | TCP_FIN, 502, 0);
	seg(221 * MS, 0, 5001, 1002, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 1);
	cr_assert_eq(nth_kind(FIND_CSUM_BAD, 0)->cause, CAUSE_DROPPED);
}

Test(tcp_track, a_corrupt_ack_settles_nothing)
{
	/* The receiver's ACK arrived damaged: the sender discarded it, so it
	 * neither acknowledges nor settles anything. */
	handshake(0, 1000, 5000, 1 * MS, 1 * MS);
	seg_bad(10 * MS, 1, 1001, 5001, TCP_ACK | TCP_PSH, 502, 100);
	seg_bad(12 * MS, 0, 5001, 1101, TCP_ACK, 509, 0);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 1, "only the ACK's own event is final");
	cr_assert_eq(nth_kind(FIND_CSUM_BAD, 0)->dir, DIR_S2C);
	cr_assert_eq(nth_kind(FIND_CSUM_BAD, 0)->cause, CAUSE_UNKNOWN,
		     "a pure ACK has no fate to learn, never an empty one");
	analyzer_finish(C.a);
	cr_assert_eq(count_kind(FIND_CSUM_BAD), 2);
	cr_assert_eq(nth_kind(FIND_CSUM_BAD, 1)->cause, CAUSE_UNKNOWN);
}

/* A D-SACK that reaches the sender after its next loss episode began is for
 * the earlier episode's resend: it must not make the new one look spurious
 * (which would skip measuring that episode's window cut). */
Test(tcp_track, a_late_dsack_counts_against_its_own_episode_only)
{
	struct flow *f = calloc(1, sizeof(*f));
	cr_assert(f);
	f->first_ts = 1000000000ull;
	f->cw[0].episode_ms = 5000; /* the episode began 5 s into the flow */
	cwnd_note_spurious(f, 0, f->first_ts + 4000000000ull);
	cr_expect_eq(f->cw[0].episode_dsacked, 0, "a resend of the episode before");
	cwnd_note_spurious(f, 0, f->first_ts + 5000000000ull);
	cwnd_note_spurious(f, 0, f->first_ts + 7000000000ull);
	cr_expect_eq(f->cw[0].episode_dsacked, 2, "this episode's resends");
	free(f);
}
