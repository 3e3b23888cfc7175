/*
 * tests/unit/test_diagnose.c — analyze/diagnose.c, diagnose_stall.c and
 * diagnose_cwnd.c: hand-built capture totals (struct analyzer_totals, filled
 * here as the analyzer would have left them) describing one situation each
 * give the findings that situation calls for, and no others: checksum
 * offload artifacts (tx on the capturing sender, both ends local, received
 * over a virtual link, GRO on the receiver) are harmless with an ethtool
 * remedy, real corruption is not offload and blames the sender's NIC, giant
 * segments say the capture was taken above offload, delayed-ACK stalls name
 * TCP_NODELAY and the worst flow, capture loss says not to trust the timing,
 * IW3 cites RFC 6928 and initcwnd. The order is diagnose.c's documented
 * ranking (severity, then impact, then kind); empty totals give nothing and
 * max caps the count. Every expected string is read off the sources' format
 * strings and worked out by hand in the comments.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/diagnose.h"
#include "analyze/stall.h"

/* struct analyzer_totals is large (hosts, setup stats): on the heap. */
static struct analyzer_totals *totals_new(void)
{
	struct analyzer_totals *t = calloc(1, sizeof(*t));
	cr_assert_not_null(t);
	return t;
}

static struct host_stats *host(struct analyzer_totals *t, const char *addr)
{
	cr_assert_lt(t->nhosts, (size_t)ANALYZER_MAX_HOSTS);
	struct host_stats *h = &t->hosts[t->nhosts++];
	h->ip_ver = 4;
	cr_assert_eq(inet_pton(AF_INET, addr, h->addr), 1, "%s", addr);
	return h;
}

static void stall(struct analyzer_totals *t, enum cause c, uint64_t n, double ms)
{
	int i = stall_cause_index(c);
	t->stall_n[i] = n;
	t->stall_ms[i] = ms;
}

static struct finding *run(const struct analyzer_totals *t, size_t *n)
{
	struct finding *out = calloc(DIAG_MAX_FINDINGS, sizeof(*out));
	cr_assert_not_null(out);
	*n = diagnose(t, out, DIAG_MAX_FINDINGS);
	cr_assert_leq(*n, (size_t)DIAG_MAX_FINDINGS);
	return out;
}

static int count_kind(const struct finding *f, size_t n, enum finding_kind k)
{
	int c = 0;
	for (size_t i = 0; i < n; i++)
		c += f[i].kind == k;
	return c;
}

#define expect_has(s, sub) cr_expect(strstr((s), (sub)) != NULL, "missing \"%s\" in: %s", (sub), (s))
#define expect_lacks(s, sub) cr_expect(strstr((s), (sub)) == NULL, "unexpected \"%s\" in: %s", (sub), (s))

/* Every finding is ranked as diagnose.c says: severity first, then impact,
 * then kind (then cause). */
static void expect_ranked(const struct finding *f, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const struct finding *a = &f[i - 1], *b = &f[i];
		bool ok = a->severity > b->severity ||
			  (a->severity == b->severity &&
			   (a->impact > b->impact ||
			    (a->impact == b->impact &&
			     (a->kind < b->kind || (a->kind == b->kind && a->cause <= b->cause)))));
		cr_expect(ok, "findings %zu (%s) and %zu (%s) out of order", i - 1,
			  finding_name(a->kind), i, finding_name(b->kind));
	}
}

Test(diagnose, empty_totals_give_no_findings)
{
	struct analyzer_totals *t = totals_new();
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 0);
	/* Frames, flows and hosts whose checksums were all right say nothing
	 * either: only problems (or the facts findings.def lists) are findings. */
	t->frames = 5000;
	t->tcp_segments = 5000;
	t->flows = 10;
	t->flow_part.payload_bytes = 1000000;
	t->flow_part.data_segments = 1000;
	host(t, "10.0.0.1")->segments = 3000;
	t->hosts[0].csum_ok = 3000;
	free(f);
	f = run(t, &n);
	cr_assert_eq(n, 0);
	free(f);
	free(t);
}

/* One host whose transmitted segments carry the pseudo-header seed, the
 * capture marking them sent (the capture ran on that host, before its NIC
 * filled the sum in); its peer's checksums are right and nothing is
 * corrupt. One finding: csum_offload, side tx, informational, harmless,
 * with the ethtool check as the "remedy". */
Test(diagnose, tx_offload_on_the_capturing_sender_is_harmless)
{
	struct analyzer_totals *t = totals_new();
	struct host_stats *a = host(t, "10.0.0.1");
	a->segments = 1000;
	a->csum_ok = 100;
	a->offload[CSUM_SIDE_TX] = 900;
	a->offload_out = 900;
	struct host_stats *b = host(t, "10.0.0.2");
	b->segments = 800;
	b->csum_ok = 800;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_CSUM_OFFLOAD);
	cr_expect_eq(f[0].cause, CAUSE_TX, "tx beats rx and unknown: side tx");
	cr_expect_eq(f[0].severity, SEV_INFO, "findings.def: csum_offload is SEV_INFO");
	cr_expect_eq(f[0].count, 900);
	cr_expect_str_eq(f[0].host, "10.0.0.1");
	/* 900 of its 1000 segments: 90.0%. */
	expect_has(f[0].explanation, "900 checksums on segments sent by 10.0.0.1 (90.0% of them)");
	expect_has(f[0].explanation, "tx checksum-offload artifacts");
	expect_has(f[0].explanation, "the capture marks these frames sent");
	expect_has(f[0].explanation, "Harmless");
	expect_lacks(f[0].explanation, "corrupt");
	cr_expect_eq(strncmp(f[0].remedy, "Nothing to fix.", 15), 0, "%s", f[0].remedy);
	expect_has(f[0].remedy, "ethtool -k IFACE | grep tx-checksumming");
	expect_has(f[0].remedy, "on 10.0.0.1");
	expect_has(f[0].remedy, "Do not turn tx checksumming off");
	cr_expect_eq(count_kind(f, n, FIND_CSUM_BAD), 0, "no real corruption");
	free(f);
	free(t);
}

/* The same seeds, but with no direction from the source: that the peers'
 * sums are right is what makes them the sender's tx offload. */
Test(diagnose, tx_offload_inferred_from_the_peers)
{
	struct analyzer_totals *t = totals_new();
	struct host_stats *a = host(t, "192.168.1.5");
	a->segments = 400;
	a->offload[CSUM_SIDE_TX] = 100;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].cause, CAUSE_TX);
	expect_has(f[0].explanation, "100 checksums on segments sent by 192.168.1.5 (25.0% of them)");
	expect_has(f[0].explanation, "its peers' checksums are right");
	expect_has(f[0].remedy, "ethtool -k IFACE");
	free(f);
	free(t);
}

/* Both ends on the capturing host (loopback, veth, containers): at least
 * half the tx seeds are in flows whose other side's were tx too. Harmless;
 * the remedy warns against turning tx checksumming off. */
Test(diagnose, tx_offload_both_ends_local)
{
	struct analyzer_totals *t = totals_new();
	struct host_stats *a = host(t, "127.0.0.1");
	a->segments = 2000;
	a->offload[CSUM_SIDE_TX] = 2000;
	a->offload_tx_local = 1000; /* exactly half: 2 * 1000 >= 2000 */
	a->offload_out = 2000;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_CSUM_OFFLOAD);
	cr_expect_eq(f[0].cause, CAUSE_TX);
	expect_has(f[0].explanation, "100.0% of them");
	expect_has(f[0].explanation, "loopback, a veth pair, containers");
	expect_has(f[0].explanation, "Harmless");
	expect_has(f[0].remedy, "Nothing to fix.");
	expect_has(f[0].remedy, "Do not turn tx checksumming off");
	free(f);
	free(t);
}

/* Seeds on segments the capture marks received: the sender reached the
 * capturing host over a virtual link that passes its unfinished checksum. */
Test(diagnose, tx_offload_received_over_a_virtual_link)
{
	struct analyzer_totals *t = totals_new();
	struct host_stats *a = host(t, "10.1.0.9");
	a->segments = 50;
	a->offload[CSUM_SIDE_TX] = 50;
	a->offload_in = 50;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].cause, CAUSE_TX);
	expect_has(f[0].explanation, "the capture marks them received");
	expect_has(f[0].explanation, "virtual link");
	expect_has(f[0].explanation, "harmless");
	expect_has(f[0].remedy, "Nothing to fix.");
	expect_has(f[0].remedy, "ethtool -k IFACE | grep tx-checksumming` on 10.1.0.9");
	free(f);
	free(t);
}

/* Seeds on segments GRO/LRO merged on the receiver: side rx, and the
 * remedy is the gro switch, only if wire-sized segments are needed. */
Test(diagnose, rx_offload_is_gro)
{
	struct analyzer_totals *t = totals_new();
	struct host_stats *a = host(t, "10.0.0.3");
	a->segments = 300;
	a->offload[CSUM_SIDE_RX] = 40;
	a->offload[CSUM_SIDE_UNKNOWN] = 10;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_CSUM_OFFLOAD);
	cr_expect_eq(f[0].cause, CAUSE_RX, "rx beats unknown, no tx");
	cr_expect_eq(f[0].count, 50, "every side counts");
	cr_expect_eq(f[0].severity, SEV_INFO);
	expect_has(f[0].explanation, "50 segments sent by 10.0.0.3 were merged by GRO/LRO");
	expect_has(f[0].explanation, "Harmless");
	expect_has(f[0].remedy, "Nothing to fix.");
	expect_has(f[0].remedy, "gro off");
	free(f);
	free(t);
}

/* Neither side dominates: side unknown, still an artifact, not corruption. */
Test(diagnose, offload_of_unknown_side)
{
	struct analyzer_totals *t = totals_new();
	struct host_stats *a = host(t, "10.0.0.4");
	a->segments = 100;
	a->offload[CSUM_SIDE_UNKNOWN] = 20;
	a->offload[CSUM_SIDE_TX] = 10;
	a->offload[CSUM_SIDE_RX] = 10; /* tx not > rx; rx not > unknown */
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].cause, CAUSE_UNKNOWN);
	expect_has(f[0].explanation, "40 checksums on segments sent by 10.0.0.4 (40.0% of them)");
	expect_has(f[0].explanation, "not corruption");
	expect_has(f[0].remedy, "Nothing to fix.");
	expect_has(f[0].remedy, "ethtool -k IFACE");
	free(f);
	free(t);
}

/* Checksums wrong without the offload signature: csum_bad, high severity,
 * the fates in words (dropped and resent, accepted, unknown), and a
 * remedy that suspects the sender's NIC, not offload as harmless. */
Test(diagnose, real_corruption_is_not_offload)
{
	struct analyzer_totals *t = totals_new();
	host(t, "10.0.0.1")->segments = 500;
	t->hosts[0].csum_ok = 500;
	struct host_stats *b = host(t, "10.0.0.2");
	b->segments = 3000;
	b->csum_ok = 2970;
	b->bad = 30;
	b->bad_dropped = 20;
	b->bad_accepted = 5;
	b->resent_ms = 20 * 250.0; /* 250 ms on average */
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_CSUM_BAD);
	cr_expect_eq(f[0].cause, CAUSE_NONE);
	cr_expect_eq(f[0].severity, SEV_HIGH, "findings.def: csum_bad is SEV_HIGH");
	cr_expect_eq(f[0].count, 30);
	cr_expect_str_eq(f[0].host, "10.0.0.2");
	/* 30 of 3000: 1.00%; 30 - 20 - 5 = 5 without an outcome. */
	expect_has(f[0].explanation, "30 segments sent by 10.0.0.2 carry a wrong checksum that is "
				     "not an offload artifact (1.00% of its segments)");
	expect_has(f[0].explanation, "20 were discarded by the receiver and sent again (250 ms");
	expect_has(f[0].explanation, "5 were acknowledged without a resend");
	expect_has(f[0].explanation, "5 had no visible outcome");
	expect_lacks(f[0].explanation, "Harmless");
	expect_has(f[0].remedy, "Suspect 10.0.0.2's NIC");
	expect_has(f[0].remedy, "ethtool -K IFACE tx off");
	expect_has(f[0].remedy, "TcpInCsumErrors");
	expect_lacks(f[0].remedy, "Nothing to fix");
	cr_expect_eq(count_kind(f, n, FIND_CSUM_OFFLOAD), 0);
	free(f);
	free(t);
}

/* All fates known: no "no visible outcome" sentence. */
Test(diagnose, corruption_all_dropped)
{
	struct analyzer_totals *t = totals_new();
	struct host_stats *b = host(t, "10.0.0.2");
	b->segments = 10;
	b->bad = 2;
	b->bad_dropped = 2;
	b->resent_ms = 2 * 201.0;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	expect_has(f[0].explanation, "2 were discarded by the receiver and sent again (201 ms");
	expect_lacks(f[0].explanation, "acknowledged without a resend");
	expect_lacks(f[0].explanation, "no visible outcome");
	free(f);
	free(t);
}

/* One host with many offload artifacts, another with a little real
 * corruption: corruption (high) ranks above the artifacts (info), however
 * many more of those there are. */
Test(diagnose, corruption_ranks_above_many_artifacts)
{
	struct analyzer_totals *t = totals_new();
	struct host_stats *a = host(t, "10.0.0.1");
	a->segments = 100000;
	a->offload[CSUM_SIDE_TX] = 99000;
	a->offload_out = 99000;
	struct host_stats *b = host(t, "10.0.0.2");
	b->segments = 100000;
	b->bad = 1;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 2);
	cr_expect_eq(f[0].kind, FIND_CSUM_BAD);
	cr_expect_str_eq(f[0].host, "10.0.0.2");
	cr_expect_eq(f[1].kind, FIND_CSUM_OFFLOAD);
	cr_expect_str_eq(f[1].host, "10.0.0.1");
	expect_has(f[0].explanation, "1 had no visible outcome");
	free(f);
	free(t);
}

/* Segments larger than the MSS in a tenth or more of the data segments:
 * the capture was taken above offload; harmless, ethtool to turn it off. */
Test(diagnose, giant_segments_mean_capture_above_offload)
{
	struct analyzer_totals *t = totals_new();
	t->flow_part.data_segments = 1000;
	t->kind_count[FIND_GIANT_SEGMENT] = 500;
	t->cause_count[FIND_GIANT_SEGMENT][CAUSE_TSO_GSO] = 400;
	t->cause_count[FIND_GIANT_SEGMENT][CAUSE_GRO_LRO] = 100;
	uint64_t mult[GIANT_BUCKETS] = {10, 200, 150, 100, 30, 10};
	memcpy(t->giant_by_multiple, mult, sizeof(mult));
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_GIANT_SEGMENT);
	cr_expect_eq(f[0].severity, SEV_INFO);
	cr_expect_eq(f[0].count, 500);
	expect_has(f[0].explanation, "500 segments are larger than the peer's MSS");
	expect_has(f[0].explanation, "(400 made by TSO/GSO on the sender, 100 by GRO/LRO on the "
				     "receiver, 0 undetermined)");
	/* 500 * 10 >= 1000 */
	expect_has(f[0].explanation, ": this capture was taken above offload");
	expect_has(f[0].explanation, "10 under 2, 200 2-4, 150 4-8, 100 8-16, 30 16-32, 10 32 or more");
	cr_expect_eq(strncmp(f[0].remedy, "Nothing to fix.", 15), 0, "%s", f[0].remedy);
	expect_has(f[0].remedy, "ethtool -K IFACE tso off gso off gro off");
	free(f);
	free(t);
}

/* A few giants among many segments: the same finding, without the claim
 * that the whole capture was above offload (9 * 10 < 100). */
Test(diagnose, few_giants_make_no_claim_about_the_capture)
{
	struct analyzer_totals *t = totals_new();
	t->flow_part.data_segments = 100;
	t->kind_count[FIND_GIANT_SEGMENT] = 9;
	t->cause_count[FIND_GIANT_SEGMENT][CAUSE_UNKNOWN] = 9;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	expect_has(f[0].explanation, "0 by GRO/LRO on the receiver, 9 undetermined");
	expect_lacks(f[0].explanation, "taken above offload");
	free(f);
	free(t);
}

/* Stalls dominated by delayed ACK: one finding per cause; delayed_ack
 * (medium) and receiver_limited (medium) by time lost, then unknown (low),
 * then app_idle (info) although it lost the most time: severity first.
 * The delayed-ACK finding names TCP_NODELAY and its worst flow. */
Test(diagnose, stalls_dominated_by_delayed_ack)
{
	struct analyzer_totals *t = totals_new();
	stall(t, CAUSE_DELAYED_ACK, 50, 2100.0);
	stall(t, CAUSE_RECEIVER_LIMITED, 2, 90.0);
	stall(t, CAUSE_UNKNOWN, 1, 50.0);
	stall(t, CAUSE_APP_IDLE, 10, 5000.0);
	struct stall_worst *w = &t->stall_worst[stall_cause_index(CAUSE_DELAYED_ACK)];
	w->flow_id = 7;
	w->key.ip_ver = 4;
	w->key.proto = 6;
	w->key.port[0] = 40000;
	w->key.port[1] = 80;
	inet_pton(AF_INET, "10.0.0.1", w->key.addr[0]);
	inet_pton(AF_INET, "10.0.0.2", w->key.addr[1]);
	w->n = 30;
	w->ms = 1260.0;
	w->life_ms = 2520.0;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 4);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(f[i].kind, FIND_STALL);
	cr_expect_eq(f[0].cause, CAUSE_DELAYED_ACK);
	cr_expect_eq(f[0].severity, SEV_MEDIUM);
	cr_expect_eq(f[1].cause, CAUSE_RECEIVER_LIMITED);
	cr_expect_eq(f[2].cause, CAUSE_UNKNOWN);
	cr_expect_eq(f[2].severity, SEV_LOW, "findings.def: SEV_BY_CAUSE(STALL, UNKNOWN, SEV_LOW)");
	cr_expect_eq(f[3].cause, CAUSE_APP_IDLE);
	cr_expect_eq(f[3].severity, SEV_INFO, "findings.def: SEV_BY_CAUSE(STALL, APP_IDLE, SEV_INFO)");
	cr_expect_eq(f[0].count, 50);
	cr_expect_eq(f[0].impact, 2100.0, "stalls rank by time lost");
	/* 2100 / 50 = 42 ms each; the worst: 1260 / 30 = 42 ms, 1260 of 2520: 50%. */
	expect_has(f[0].explanation, "50 stalls (2100 ms in all, ~42 ms each): data waited for an ACK");
	expect_has(f[0].explanation, "delayed ACK");
	expect_has(f[0].explanation,
		   " Worst: flow 7, 10.0.0.1:40000 -> 10.0.0.2:80, 30 waits of ~42 ms, 50% of its life.");
	expect_has(f[0].remedy, "TCP_NODELAY");
	expect_has(f[0].remedy, "writev");
	/* No worst flow recorded: no "Worst:" sentence; one stall: "stall". */
	expect_has(f[2].explanation, "1 stall (50 ms in all, ~50 ms each): the cause could not be determined.");
	expect_lacks(f[2].explanation, "Worst:");
	expect_has(f[3].explanation, "Not a network fault.");
	expect_has(f[3].remedy, "Nothing to fix in the network");
	expect_ranked(f, n);
	free(f);
	free(t);
}

/* An RTO stall is high severity and a cork stall alone is hedged. */
Test(diagnose, rto_stall_high_and_single_cork_hedged)
{
	struct analyzer_totals *t = totals_new();
	stall(t, CAUSE_CORK, 1, 210.0);
	stall(t, CAUSE_RTO, 3, 900.0);
	stall(t, CAUSE_SENDER_LIMITED, 4, 4000.0);
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 3);
	cr_expect_eq(f[0].cause, CAUSE_RTO);
	cr_expect_eq(f[0].severity, SEV_HIGH, "findings.def: SEV_BY_CAUSE(STALL, RTO, SEV_HIGH)");
	expect_has(f[0].remedy, "net.ipv4.tcp_sack=1");
	cr_expect_eq(f[1].cause, CAUSE_CORK);
	cr_expect_eq(f[1].severity, SEV_MEDIUM);
	expect_has(f[1].explanation, "Only one such wait");
	expect_has(f[1].remedy, "TCP_CORK 0");
	cr_expect_eq(f[2].cause, CAUSE_SENDER_LIMITED);
	cr_expect_eq(f[2].severity, SEV_LOW);
	free(f);
	free(t);
	/* Two cork waits agree: no hedge. */
	t = totals_new();
	stall(t, CAUSE_CORK, 2, 420.0);
	f = run(t, &n);
	cr_assert_eq(n, 1);
	expect_lacks(f[0].explanation, "Only one such wait");
	free(f);
	free(t);
}

/* Data the receivers acknowledged that the capture never saw: capture
 * loss, blamed on the capture; over 5% of the data, timing not to trust. */
Test(diagnose, capture_loss)
{
	struct analyzer_totals *t = totals_new();
	t->kind_count[FIND_CAPTURE_LOSS] = 4;
	t->capture_lost_bytes = 60000;
	t->flow_part.payload_bytes = 940000;
	t->flows_with_capture_loss = 2;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_CAPTURE_LOSS);
	cr_expect_eq(f[0].severity, SEV_MEDIUM);
	cr_expect_eq(f[0].count, 4);
	/* 60000 of 940000 + 60000: 6.00% */
	expect_has(f[0].explanation, "The capture missed 60000 bytes (6.00% of the data, in 4 holes "
				     "over 2 connections)");
	expect_has(f[0].explanation, "the capture dropped them, not the network");
	expect_has(f[0].explanation, ": do not trust this trace for timing");
	expect_has(f[0].remedy, "tcpdump -B");
	free(f);
	free(t);
	/* 1% (1000 of 100000): the same finding, no warning about timing. */
	t = totals_new();
	t->kind_count[FIND_CAPTURE_LOSS] = 1;
	t->capture_lost_bytes = 1000;
	t->flow_part.payload_bytes = 99000;
	t->flows_with_capture_loss = 1;
	f = run(t, &n);
	cr_assert_eq(n, 1);
	expect_has(f[0].explanation, "(1.00% of the data, in 1 ");
	expect_has(f[0].explanation, " over 1 connection)");
	expect_lacks(f[0].explanation, "do not trust");
	free(f);
	free(t);
}

/* Senders using an initial window of 3 segments, cwnd-limited: the
 * initial_window finding cites RFC 6928's 10 and the initcwnd fix. */
Test(diagnose, iw3_initial_windows)
{
	struct analyzer_totals *t = totals_new();
	t->kind_count[FIND_INITIAL_WINDOW] = 20;
	t->iw_segments[3] = 18;
	t->iw_segments[10] = 2;
	t->iw_limit[CAUSE_CWND] = 18;
	t->iw_limit[CAUSE_APP] = 2;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_INITIAL_WINDOW);
	cr_expect_eq(f[0].severity, SEV_INFO);
	cr_expect_eq(f[0].count, 20);
	expect_has(f[0].explanation, "20 first flights after a handshake (most common: 18 with 3 "
				     "segments): 18 limited by the sender's congestion window, 2 "
				     "limited by a response shorter than the window.");
	expect_has(f[0].explanation, "RFC 6928 allows 10 segments");
	expect_has(f[0].remedy, "initcwnd 10");
	free(f);
	free(t);
}

/* First flights all shorter than the window say nothing about it: no
 * finding (diagnose_cwnd.c). */
Test(diagnose, app_limited_initial_windows_say_nothing)
{
	struct analyzer_totals *t = totals_new();
	t->kind_count[FIND_INITIAL_WINDOW] = 12;
	t->iw_segments[1] = 12;
	t->iw_limit[CAUSE_APP] = 12;
	size_t n;
	struct finding *f = run(t, &n);
	cr_expect_eq(n, 0);
	free(f);
	free(t);
}

/* Retransmissions: mostly spurious -> low severity and "not loss";
 * otherwise medium and the loss remedy. */
Test(diagnose, retransmissions_spurious_or_lost)
{
	struct analyzer_totals *t = totals_new();
	t->kind_count[FIND_RETRANSMISSION] = 10;
	t->cause_count[FIND_RETRANSMISSION][CAUSE_SPURIOUS] = 6;
	t->cause_count[FIND_RETRANSMISSION][CAUSE_FAST] = 4;
	t->retrans_bytes = 14480;
	t->flow_part.payload_bytes = 1448000;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_RETRANSMISSION);
	cr_expect_eq(f[0].severity, SEV_LOW, "as bad as the spurious resends it mostly is");
	expect_has(f[0].explanation, "10 segments were sent again (14480 bytes, 1.00% of the payload)");
	expect_has(f[0].remedy, "Not loss");
	free(f);
	free(t);
	t = totals_new();
	t->kind_count[FIND_RETRANSMISSION] = 10;
	t->cause_count[FIND_RETRANSMISSION][CAUSE_SPURIOUS] = 5; /* not more than half */
	t->cause_count[FIND_RETRANSMISSION][CAUSE_RTO] = 5;
	f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].severity, SEV_MEDIUM);
	expect_has(f[0].explanation, "5 after a timeout (RTO)");
	expect_has(f[0].remedy, "Loss on the path");
	free(f);
	free(t);
}

/* IPv4 header checksums of 0x0000 from several hosts: one finding naming
 * the first three with their counts and how many more. */
Test(diagnose, ip_header_offload_names_hosts)
{
	struct analyzer_totals *t = totals_new();
	static const char *const addr[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"};
	static const uint64_t cnt[] = {10, 20, 30, 5, 5};
	for (int i = 0; i < 5; i++)
		host(t, addr[i])->ip_offload = cnt[i];
	t->kind_count[FIND_IP_CSUM_OFFLOAD] = 70;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_IP_CSUM_OFFLOAD);
	cr_expect_eq(f[0].cause, CAUSE_TX);
	cr_expect_eq(f[0].severity, SEV_INFO);
	expect_has(f[0].explanation, "70 IPv4 headers sent by 10.0.0.1 (10), 10.0.0.2 (20), 10.0.0.3 (30) "
				     "and 2 more hosts carry a header checksum of 0x0000");
	expect_has(f[0].explanation, "Not corruption.");
	expect_has(f[0].remedy, "Nothing to fix.");
	free(f);
	free(t);
	/* One header, from one host: singular, no count after the name. */
	t = totals_new();
	host(t, "10.9.9.9")->ip_offload = 1;
	t->kind_count[FIND_IP_CSUM_OFFLOAD] = 1;
	f = run(t, &n);
	cr_assert_eq(n, 1);
	expect_has(f[0].explanation, "1 IPv4 header sent by 10.9.9.9 carries a header checksum of 0x0000");
	free(f);
	free(t);
}

/* Congestion-window findings: cuts averaging 0.7 (CUBIC's), an algorithm
 * guessed without any cut, and slow start after idle. */
Test(diagnose, cwnd_reductions_and_idle_restart)
{
	struct analyzer_totals *t = totals_new();
	t->kind_count[FIND_CWND_REDUCTION] = 4;
	t->reduction_ratio_sum = 2.8;
	t->cc_guess[CC_CUBIC] = 3;
	t->kind_count[FIND_IDLE_RESTART] = 2;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 2);
	/* idle_restart is low, cwnd_reduction info. */
	cr_expect_eq(f[0].kind, FIND_IDLE_RESTART);
	cr_expect_eq(f[0].severity, SEV_LOW);
	expect_has(f[0].explanation, "2 times a sender resumed after an idle");
	expect_has(f[0].remedy, "tcp_slow_start_after_idle=0");
	cr_expect_eq(f[1].kind, FIND_CWND_REDUCTION);
	expect_has(f[1].explanation, "Senders cut their window 4 times after loss, to 0.70 of it on average");
	expect_has(f[1].explanation, "Algorithm guessed from that: cubic for 3 connections");
	free(f);
	free(t);
	t = totals_new();
	t->cc_guess[CC_BBR] = 1;
	t->cc_guess[CC_UNKNOWN] = 9; /* unknown is no guess */
	f = run(t, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].kind, FIND_CWND_REDUCTION);
	cr_expect_eq(f[0].count, 0);
	expect_has(f[0].explanation, "0 window cuts after loss were seen. Algorithm guessed: bbr for 1 connection ");
	free(f);
	free(t);
	/* Only unknown guesses: nothing to say. */
	t = totals_new();
	t->cc_guess[CC_UNKNOWN] = 9;
	f = run(t, &n);
	cr_expect_eq(n, 0);
	free(f);
	free(t);
}

/* A capture with a bit of everything, ranked by hand from diagnose.c's
 * rule (severity, then impact, then kind) and each finder's impact:
 *   high:   csum_bad       1000 * 30 + 5000 ms resent = 35000
 *           stall rto      900 ms
 *   medium: capture_loss   60000 bytes
 *           retransmission 14480 bytes + 10 = 14490
 *           stall d_ack    2100 ms
 *   low:    stall s_limited 400 ms
 *           rst            3
 *   info:   stall app_idle 5000 ms
 *           csum_offload   900 * 1e-3 = 0.9
 *           giant_segment  500 * 1e-6
 *           initial_window 18 IWs under 10 segments * 1e-9
 */
Test(diagnose, a_capture_ranked_by_hand)
{
	struct analyzer_totals *t = totals_new();
	t->flow_part.payload_bytes = 940000;
	t->flow_part.data_segments = 1000;
	struct host_stats *a = host(t, "10.0.0.1");
	a->segments = 1000;
	a->offload[CSUM_SIDE_TX] = 900;
	a->offload_out = 900;
	struct host_stats *b = host(t, "10.0.0.2");
	b->segments = 3000;
	b->bad = 30;
	b->bad_dropped = 20;
	b->bad_accepted = 5;
	b->resent_ms = 5000;
	stall(t, CAUSE_RTO, 2, 900);
	stall(t, CAUSE_DELAYED_ACK, 50, 2100);
	stall(t, CAUSE_SENDER_LIMITED, 3, 400);
	stall(t, CAUSE_APP_IDLE, 10, 5000);
	t->kind_count[FIND_CAPTURE_LOSS] = 4;
	t->capture_lost_bytes = 60000;
	t->flows_with_capture_loss = 2;
	t->kind_count[FIND_RETRANSMISSION] = 10;
	t->cause_count[FIND_RETRANSMISSION][CAUSE_FAST] = 8;
	t->cause_count[FIND_RETRANSMISSION][CAUSE_RTO] = 2;
	t->retrans_bytes = 14480;
	t->kind_count[FIND_RST] = 3;
	t->kind_count[FIND_GIANT_SEGMENT] = 500;
	t->cause_count[FIND_GIANT_SEGMENT][CAUSE_TSO_GSO] = 500;
	t->kind_count[FIND_INITIAL_WINDOW] = 20;
	t->iw_segments[3] = 18;
	t->iw_segments[10] = 2;
	t->iw_limit[CAUSE_CWND] = 18;
	t->iw_limit[CAUSE_APP] = 2;
	static const struct {
		enum finding_kind k;
		enum cause c;
		enum severity s;
	} want[] = {
		{FIND_CSUM_BAD, CAUSE_NONE, SEV_HIGH},
		{FIND_STALL, CAUSE_RTO, SEV_HIGH},
		{FIND_CAPTURE_LOSS, CAUSE_NONE, SEV_MEDIUM},
		{FIND_RETRANSMISSION, CAUSE_NONE, SEV_MEDIUM},
		{FIND_STALL, CAUSE_DELAYED_ACK, SEV_MEDIUM},
		{FIND_STALL, CAUSE_SENDER_LIMITED, SEV_LOW},
		{FIND_RST, CAUSE_NONE, SEV_LOW},
		{FIND_STALL, CAUSE_APP_IDLE, SEV_INFO},
		{FIND_CSUM_OFFLOAD, CAUSE_TX, SEV_INFO},
		{FIND_GIANT_SEGMENT, CAUSE_NONE, SEV_INFO},
		{FIND_INITIAL_WINDOW, CAUSE_NONE, SEV_INFO},
	};
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(f[i].kind, want[i].k, "finding %zu: %s, want %s", i, finding_name(f[i].kind),
			     finding_name(want[i].k));
		cr_expect_eq(f[i].cause, want[i].c, "finding %zu: cause %s", i, cause_name(f[i].cause));
		cr_expect_eq(f[i].severity, want[i].s, "finding %zu", i);
		cr_expect_neq(f[i].explanation[0], 0, "finding %zu has an explanation", i);
		cr_expect_neq(f[i].remedy[0], 0, "finding %zu has a remedy", i);
	}
	cr_expect_float_eq(f[0].impact, 35000.0, 1e-9);
	cr_expect_float_eq(f[3].impact, 14490.0, 1e-9);
	expect_ranked(f, n);
	free(f);
	free(t);
}

/* Same severity and impact: the kind breaks the tie (sack_gap before rst,
 * findings.def's order), whatever order they were found in. */
Test(diagnose, equal_impact_ties_broken_by_kind)
{
	struct analyzer_totals *t = totals_new();
	t->kind_count[FIND_RST] = 5;              /* low, impact 5 */
	t->kind_count[FIND_SACK_GAP] = 1;         /* low, impact gap_fill_ms = 5 */
	t->cause_count[FIND_SACK_GAP][CAUSE_FAST] = 1;
	t->gap_fill_ms = 5.0;
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, 2);
	cr_expect_eq(f[0].impact, f[1].impact);
	cr_expect_eq(f[0].kind, FIND_SACK_GAP);
	cr_expect_eq(f[1].kind, FIND_RST);
	expect_has(f[0].explanation, "Receivers reported 1 hole with SACK");
	expect_has(f[0].explanation, "Filled: 1 by fast retransmit.");
	free(f);
	free(t);
}

/* max caps the count: never more than max written (the slots past it are
 * untouched), the ones written still ranked; max 0 writes nothing. */
Test(diagnose, max_caps_the_count)
{
	struct analyzer_totals *t = totals_new();
	struct host_stats *a = host(t, "10.0.0.1");
	a->segments = 1000;
	a->offload[CSUM_SIDE_TX] = 900;
	struct host_stats *b = host(t, "10.0.0.2");
	b->segments = 1000;
	b->bad = 3;
	stall(t, CAUSE_DELAYED_ACK, 5, 210);
	stall(t, CAUSE_APP_IDLE, 5, 500);
	t->kind_count[FIND_RST] = 2;
	t->kind_count[FIND_ZERO_WINDOW] = 7;
	size_t n;
	struct finding *all = run(t, &n);
	cr_assert_eq(n, 6);
	free(all);
	for (size_t max = 0; max <= 7; max++) {
		struct finding out[8];
		memset(out, 0xA5, sizeof(out));
		size_t got = diagnose(t, out, max);
		cr_expect_eq(got, max < 6 ? max : 6, "max %zu", max);
		for (size_t i = got; i < 8; i++) {
			const unsigned char *p = (const unsigned char *)&out[i];
			size_t bad = 0;
			for (size_t j = 0; j < sizeof(out[i]); j++)
				bad += p[j] != 0xA5;
			cr_expect_eq(bad, 0, "max %zu: slot %zu written", max, i);
		}
		expect_ranked(out, got);
	}
	free(t);
}

/*
 * Found a bug, fixed since (it failed before the fix). diagnose.h says
 * diagnose fills out[0..max) "with the findings of t, worst first", and the
 * report and TUI call it with DIAG_MAX_FINDINGS (48). The code appends the
 * findings in finder order (every host's checksum findings first, up to 257
 * hosts with two each) and stops appending when out is full, then sorts: with
 * more than 48 hosts showing offload artifacts (info), a timeout stall (high)
 * never makes it into the list at all.
 */
Test(diagnose, cap_keeps_the_worst)
{
	struct analyzer_totals *t = totals_new();
	for (int i = 0; i < 60; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "10.0.1.%d", i + 1);
		struct host_stats *h = host(t, addr);
		h->segments = 100;
		h->offload[CSUM_SIDE_TX] = 100;
	}
	stall(t, CAUSE_RTO, 5, 5000);
	size_t n;
	struct finding *f = run(t, &n);
	cr_assert_eq(n, DIAG_MAX_FINDINGS);
	cr_expect_eq(f[0].kind, FIND_STALL, "the worst finding is kept: got %s", finding_name(f[0].kind));
	cr_expect_eq(f[0].cause, CAUSE_RTO);
	free(f);
	free(t);
}
