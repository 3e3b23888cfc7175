/*
 * tests/unit/test_analyzer.c — the analyzer's own contract (analyzer.h),
 * apart from the detectors it runs: what each frame adds to the capture-wide
 * totals, which side is the client, the order and count of the sink's calls
 * (a flow ends once, lingering flows end by the capture's clock, the rest at
 * the end in id order), the per-flow event cap against the exact totals,
 * copies of one packet from two interfaces, the segment observations, and a
 * prepared frame (the read-ahead's) analyzed as an unprepared one.
 * Every expectation comes from analyzer.h's words, not from a run.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/decode.h"
#include "pktbuild.h"

#define MS 1000000ull
#define T0 1700000000000000000ull
#define MAX_CALLS 64

/* What the sink was told, in order. */
struct call {
	char what;                  /* 'e' event, 'f' flow end, 'd' damaged, 's' segment */
	uint32_t flow_id;
	uint64_t frame;
	int kind;                   /* event kind, flow end reason */
	struct flow f;              /* a flow end's flow */
	struct segment_obs o;
};
static struct call calls[MAX_CALLS];
static size_t ncalls;

static struct call *next_call(char what)
{
	cr_assert_lt(ncalls, MAX_CALLS);
	struct call *c = &calls[ncalls++];
	memset(c, 0, sizeof(*c));
	c->what = what;
	return c;
}

static void on_event(void *u, const struct flow *f, const struct finding_event *ev)
{
	(void)u;
	struct call *c = next_call('e');
	c->flow_id = f ? f->id : 0;
	c->frame = ev->frame;
	c->kind = ev->kind;
}

static void on_flow_end(void *u, const struct flow *f, enum flow_retire_reason why,
			const struct flow_rounds *rounds)
{
	(void)u;
	(void)rounds;
	struct call *c = next_call('f');
	c->flow_id = f->id;
	c->frame = f->last_frame;
	c->kind = why;
	c->f = *f;
	c->f.cold = NULL;
}

static void on_damaged(void *u, uint64_t frame, const char *msg)
{
	(void)u;
	cr_assert(msg && *msg, "a damaged frame comes with its reason");
	next_call('d')->frame = frame;
}

static void on_segment(void *u, const struct segment_obs *o)
{
	(void)u;
	struct call *c = next_call('s');
	c->flow_id = o->flow_id;
	c->o = *o;
}

static struct analyzer *make(uint32_t max_events, bool segments)
{
	ncalls = 0;
	struct analyzer_sink sink = {.event = on_event, .flow_end = on_flow_end,
				     .damaged = on_damaged,
				     .segment = segments ? on_segment : NULL};
	struct analyzer_config cfg = {.max_events_per_flow = max_events};
	struct analyzer *a = analyzer_new(&cfg, &sink);
	cr_assert_not_null(a);
	return a;
}

static uint64_t frame_no;

/* One segment of pb_conversation_segment's conversation at T0 + ms. */
static void seg(struct analyzer *a, double ms, int c2s, uint32_t seq, uint32_t ack, uint8_t flags,
		uint32_t len)
{
	uint8_t buf[2048];
	struct pkt_record r = pb_conversation_segment(buf, c2s, seq, ack, flags, 512, len);
	r.ts_ns = T0 + (uint64_t)(ms * MS);
	r.frame = ++frame_no;
	analyzer_packet(a, &r);
}

static size_t count(char what)
{
	size_t n = 0;
	for (size_t i = 0; i < ncalls; i++)
		n += calls[i].what == what;
	return n;
}

static const struct call *first(char what)
{
	for (size_t i = 0; i < ncalls; i++)
		if (calls[i].what == what)
			return &calls[i];
	cr_assert_fail("no call '%c'", what);
	return NULL;
}

static void handshake(struct analyzer *a, double ms)
{
	seg(a, ms, 1, 1000, 0, TCP_SYN, 0);
	seg(a, ms + 1, 0, 5000, 1001, TCP_SYN | TCP_ACK, 0);
	seg(a, ms + 2, 1, 1001, 5001, TCP_ACK, 0);
}

/* Each kind of frame lands in its one counter; a damaged one is said once,
 * with its frame number, and counted. */
Test(analyzer, frames_land_in_their_counters)
{
	frame_no = 0;
	struct analyzer *a = make(0, false);
	handshake(a, 0);                     /* 3 TCP */
	uint8_t buf[2048], eth[14];
	struct pb_spec s = {.ip_ver = 4, .proto = IPPROTO_UDP, .src = {10, 0, 0, 1},
			    .dst = {10, 0, 0, 3}, .sport = 5353, .dport = 53};
	pb_eth(eth, 0x0800);
	size_t n = pb_build(buf, sizeof(buf), eth, sizeof(eth), &s, NULL);
	struct pkt_record r = pb_record(buf, n, DLT_EN10MB);
	r.frame = ++frame_no;
	r.ts_ns = T0 + 3 * MS;
	analyzer_packet(a, &r);              /* UDP */
	s.proto = 1;                         /* ICMP: other IP */
	n = pb_build(buf, sizeof(buf), eth, sizeof(eth), &s, NULL);
	r = pb_record(buf, n, DLT_EN10MB);
	r.frame = ++frame_no;
	r.ts_ns = T0 + 4 * MS;
	analyzer_packet(a, &r);
	uint8_t arp[42] = {0};
	pb_eth(arp, 0x0806);                 /* ARP: not IP */
	r = pb_record(arp, sizeof(arp), DLT_EN10MB);
	r.frame = ++frame_no;
	r.ts_ns = T0 + 5 * MS;
	analyzer_packet(a, &r);
	uint8_t cut[20];                     /* Ethernet + 6 bytes of an IPv4 header */
	memcpy(cut, buf, sizeof(cut));
	r = pb_record(cut, sizeof(cut), DLT_EN10MB);
	r.frame = ++frame_no;
	r.ts_ns = T0 + 6 * MS;
	analyzer_packet(a, &r);
	const struct analyzer_totals *t = analyzer_totals(a);
	cr_assert_eq(t->frames, 7);
	cr_assert_eq(t->tcp_segments, 3);
	cr_assert_eq(t->udp_datagrams, 1);
	cr_assert_eq(t->other_ip, 1);
	cr_assert_eq(t->non_ip, 1);
	cr_assert_eq(t->malformed, 1);
	cr_assert_eq(t->first_ts, T0);
	cr_assert_eq(t->last_ts, T0 + 6 * MS);
	cr_assert_eq(count('d'), 1, "the cut frame is said once");
	cr_assert_eq(first('d')->frame, 7);
	analyzer_finish(a);
	cr_assert_eq(analyzer_totals(a)->flows, 2, "the TCP connection and the UDP flow");
	analyzer_free(a);
}

/* The SYN's sender is the client, whichever port it uses: here the side
 * with port 80 opens the connection. */
Test(analyzer, the_syn_sender_is_the_client)
{
	frame_no = 0;
	struct analyzer *a = make(0, false);
	seg(a, 0, 0, 5000, 0, TCP_SYN, 0);   /* 10.0.0.2:80 -> 10.0.0.1:45000 */
	seg(a, 1, 1, 1000, 5001, TCP_SYN | TCP_ACK, 0);
	analyzer_finish(a);
	cr_assert_eq(count('f'), 1);
	const struct flow *f = &first('f')->f;
	cr_assert_eq(f->key.port[0], 80, "client port %u", f->key.port[0]);
	cr_assert_eq(f->key.port[1], 45000);
	cr_assert_eq(f->key.addr[0][3], 2);
	cr_assert(f->client_from_syn);
	cr_assert_eq(f->half[0].packets, 1);
	cr_assert_eq(f->half[1].packets, 1);
	analyzer_free(a);
}

/* A flow closed by a reset lingers, then ends by the capture's clock, at
 * the first frame past its linger (not at the end, not by the wall clock);
 * the flows still open end at analyzer_finish in id order; each flow ends
 * exactly once, with ids in order of first packet. */
Test(analyzer, flows_end_once_by_the_capture_clock)
{
	frame_no = 0;
	struct analyzer *a = make(0, false);
	handshake(a, 0);                     /* flow 1 */
	seg(a, 3, 1, 1001, 5001, TCP_RST | TCP_ACK, 0);
	/* flow 2: another client port */
	uint8_t buf[2048], eth[14];
	struct pb_spec s = {.ip_ver = 4, .proto = IPPROTO_TCP, .src = {10, 0, 0, 9},
			    .dst = {10, 0, 0, 2}, .sport = 40000, .dport = 80, .flags = TCP_SYN,
			    .seq = 77};
	pb_eth(eth, 0x0800);
	size_t n = pb_build(buf, sizeof(buf), eth, sizeof(eth), &s, NULL);
	struct pkt_record r = pb_record(buf, n, DLT_EN10MB);
	r.frame = ++frame_no;
	r.ts_ns = T0 + 10 * MS;
	analyzer_packet(a, &r);
	cr_assert_eq(count('f'), 0, "the reset flow still lingers 7 ms after its reset");
	/* flow 3, 2 s later by the capture's clock */
	s.sport = 40001;
	n = pb_build(buf, sizeof(buf), eth, sizeof(eth), &s, NULL);
	r = pb_record(buf, n, DLT_EN10MB);
	r.frame = ++frame_no;
	r.ts_ns = T0 + 2000 * MS;
	analyzer_packet(a, &r);
	cr_assert_eq(count('f'), 1, "the reset flow ended when the clock passed its linger");
	cr_assert_eq(first('f')->flow_id, 1);
	cr_assert_eq(first('f')->kind, RETIRE_CLOSED);
	analyzer_finish(a);
	cr_assert_eq(count('f'), 3);
	uint32_t want[] = {1, 2, 3};
	size_t k = 0;
	for (size_t i = 0; i < ncalls; i++)
		if (calls[i].what == 'f') {
			cr_assert_eq(calls[i].flow_id, want[k], "end %zu: flow %u", k, calls[i].flow_id);
			cr_assert_eq(calls[i].kind, k ? RETIRE_END : RETIRE_CLOSED);
			k++;
		}
	cr_assert_eq(analyzer_totals(a)->flows, 3);
	analyzer_free(a);
}

/* Past max_events_per_flow a flow's events are counted, not written; the
 * capture-wide counts stay exact (analyzer_totals). Three corrupt data
 * segments, a cap of one. */
Test(analyzer, the_event_cap_keeps_the_totals_exact)
{
	frame_no = 0;
	struct analyzer *a = make(1, false);
	handshake(a, 0);
	uint8_t buf[2048];
	for (int i = 0; i < 3; i++) {
		struct pkt_record r = pb_conversation_segment(buf, 1, 1001 + 100 * (uint32_t)i, 5001,
							      TCP_ACK | TCP_PSH, 512, 100);
		/* the TCP checksum, 2 bytes at 14 + 20 + 16: off by one */
		buf[14 + 20 + 17] ^= 1;
		r.ts_ns = T0 + (uint64_t)(10 + i) * MS;
		r.frame = ++frame_no;
		analyzer_packet(a, &r);
	}
	analyzer_finish(a);
	const struct analyzer_totals *t = analyzer_totals(a);
	cr_assert_eq(t->kind_count[FIND_CSUM_BAD], 3, "corrupt segments counted: %llu",
		     (unsigned long long)t->kind_count[FIND_CSUM_BAD]);
	size_t written = 0;
	for (size_t i = 0; i < ncalls; i++)
		written += calls[i].what == 'e';
	cr_assert_eq(written, 1, "one event written under a cap of one, %zu were", written);
	uint64_t all = 0; /* the corrupt segments and whatever else the flow made */
	for (int k = 0; k < FIND_COUNT; k++)
		all += t->kind_count[k];
	cr_assert_geq(all, 3);
	cr_assert_eq(t->flow_part.events_dropped, all - 1, "dropped %llu of %llu",
		     (unsigned long long)t->flow_part.events_dropped, (unsigned long long)all);
	const struct flow *f = &first('f')->f;
	cr_assert_eq(f->events, 1);
	cr_assert_eq(f->events_dropped, all - 1);
	analyzer_free(a);
}

/* A packet captured on two interfaces of one pcapng (PKT_HINT_MULTI_IFACE)
 * is analyzed once: the copy is counted as a duplicate. */
Test(analyzer, a_copy_from_another_interface_counts_once)
{
	frame_no = 0;
	struct analyzer *a = make(0, false);
	uint8_t buf[2048];
	struct pkt_record r = pb_conversation_segment(buf, 1, 1000, 0, TCP_SYN, 512, 0);
	r.hints |= PKT_HINT_MULTI_IFACE;
	r.ts_ns = T0;
	r.frame = ++frame_no;
	r.iface = 0;
	analyzer_packet(a, &r);
	r.frame = ++frame_no;
	r.ts_ns = T0 + 10000;               /* 10 us later, on the other interface */
	r.iface = 1;
	analyzer_packet(a, &r);
	analyzer_finish(a);
	const struct analyzer_totals *t = analyzer_totals(a);
	cr_assert_eq(t->frames, 2);
	cr_assert_eq(t->dup_frames, 1);
	cr_assert_eq(first('f')->f.half[0].packets, 1);
	analyzer_free(a);
}

/* The segment observer sees every TCP segment after tracking: the first
 * packet marked, sequence bases set, the flow closed once reset. None is
 * made without an observer (the cost is nothing). */
Test(analyzer, segment_observations)
{
	frame_no = 0;
	struct analyzer *a = make(0, true);
	handshake(a, 0);
	seg(a, 3, 1, 1001, 5001, TCP_ACK | TCP_PSH, 100);
	seg(a, 4, 0, 5001, 1101, TCP_ACK, 0);
	seg(a, 5, 1, 1101, 5001, TCP_RST | TCP_ACK, 0);
	cr_assert_eq(count('s'), 6);
	const struct segment_obs *o[6];
	size_t k = 0;
	for (size_t i = 0; i < ncalls; i++)
		if (calls[i].what == 's')
			o[k++] = &calls[i].o;
	cr_assert(o[0]->first_packet && !o[1]->first_packet);
	cr_assert_eq(o[0]->dir, DIR_C2S);
	cr_assert_eq(o[1]->dir, DIR_S2C);
	cr_assert_eq(o[3]->payload_len, 100);
	cr_assert_eq(o[3]->seq - o[3]->seq_base, 1, "data starts 1 past the SYN's seq");
	cr_assert(o[4]->peer_seq_known);
	cr_assert_eq(o[4]->ack - o[4]->peer_seq_base, 101);
	cr_assert(!o[4]->closed && o[5]->closed, "closed by the reset");
	cr_assert_gt(o[5]->flow_bytes, 0);
	for (k = 0; k < 6; k++)
		cr_assert_eq(o[k]->flow_id, 1);
	analyzer_free(a);
	a = make(0, false);
	handshake(a, 0);
	cr_assert_eq(count('s'), 0);
	analyzer_free(a);
}

/* A frame prepared ahead (analyzer_prepare, as the read-ahead thread does)
 * gives the analysis an unprepared one gives. */
Test(analyzer, prepared_frames_analyze_alike)
{
	uint64_t flows[2], payload[2], segs[2];
	size_t ends[2];
	for (int prep = 0; prep < 2; prep++) {
		frame_no = 0;
		struct analyzer *a = make(0, false);
		uint8_t buf[2048];
		struct pkt_prepared pp;
		for (int i = 0; i < 20; i++) {
			int c2s = i % 2;
			struct pkt_record r = pb_conversation_segment(
				buf, c2s, c2s ? 1000 + 10 * (uint32_t)i : 5000, c2s ? 5000 : 1000,
				i ? TCP_ACK : TCP_SYN, 512, c2s ? 10 : 0);
			r.ts_ns = T0 + (uint64_t)i * MS;
			r.frame = ++frame_no;
			if (prep) {
				memset(&pp, 0, sizeof(pp));
				analyzer_prepare(NULL, &r, &pp);
				r.prep = &pp;
			}
			analyzer_packet(a, &r);
		}
		analyzer_finish(a);
		const struct analyzer_totals *t = analyzer_totals(a);
		flows[prep] = t->flows;
		payload[prep] = t->flow_part.payload_bytes;
		segs[prep] = t->tcp_segments;
		ends[prep] = count('f');
		analyzer_free(a);
	}
	cr_assert_eq(flows[0], flows[1]);
	cr_assert_eq(payload[0], payload[1]);
	cr_assert_eq(payload[0], 100, "ten 10-byte segments");
	cr_assert_eq(segs[0], segs[1]);
	cr_assert_eq(ends[0], ends[1]);
}
