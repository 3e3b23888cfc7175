/*
 * tests/unit/test_sack_gap.c — analyze/sack_gap.c and analyze/sack_board.c,
 * called directly on a hand-built flow, a held_pool and a recording sink.
 *
 * What it proves (sack_gap.h, RFC 2018):
 *  - SACK blocks above the cumulative ACK reveal the holes between them; a
 *    hole opens once (ts/frame of the ACK that showed it) and is written
 *    when the cumulative ACK or one SACK block covers it, with fill_ms;
 *  - filled_by is the first resend's cause when the fill came at least 3/4
 *    of the receiver's side of the round trip after that resend, also for a
 *    resend seen before the revealing SACK (RACK-TLP); original when it came
 *    too soon for any resend (reordering); unknown when late with no resend;
 *    never when the flow ends first (flush);
 *  - a block that has dropped out of later ACKs (RFC 2018 §4: at most 3-4
 *    blocks, the most recent first) still counts as received (sack_board);
 *  - sequence numbers that wrap past 2^32.
 * The data flows client -> server (DIR_C2S): the server's ACKs carry the
 * blocks. The flow's client ISN is 1000, so relative seq = absolute - 1000.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/decode.h"
#include "analyze/dsack.h"
#include "analyze/flow.h"
#include "analyze/sack_board.h"
#include "analyze/sack_gap.h"

#define FIXTURE_FLOW_ID 7
#include "held_fixture.h"

static size_t count_gaps(void)
{
	size_t n = 0;
	for (size_t i = 0; i < ev_n; i++)
		n += ev_v[i].kind == FIND_SACK_GAP;
	return n;
}

/* The sack_gap event whose relative seq is rseq, or fail. */
static const struct finding_event *gap_at(uint32_t rseq)
{
	for (size_t i = 0; i < ev_n; i++)
		if (ev_v[i].kind == FIND_SACK_GAP && ev_v[i].u.gap.seq == rseq)
			return &ev_v[i];
	cr_assert_fail("no sack_gap at relative seq %u", rseq);
	return NULL;
}

/* The server's side of the capture point is 10 ms away (capture -> server
 * -> capture), the client's 10 ms too: the smallest full RTT is 20 ms. */
static void setup(void)
{
	fixture_setup(64);
	F->half[DIR_C2S].seq_base = 1000;
	F->half[DIR_C2S].isn = 1000;
	F->half[DIR_S2C].half_rtt_min_us = 10000;
	F->half[DIR_C2S].half_rtt_min_us = 10000;
	F->rtt.count = 1;
	F->rtt.min_ms = 20.0;
	F->rtt.max_ms = 20.0;
	F->srtt_ns = 20 * MS;
	F->rttvar_ns = 5 * MS;
}

static void teardown(void)
{
	fixture_teardown();
}

TestSuite(sack_gap, .init = setup, .fini = teardown);


static void ack(uint64_t t_ns, uint64_t frame, uint32_t a, const uint32_t *blocks, int n)
{
	F->last_ts = T0 + t_ns;
	sack_gap_on_ack(P, F, DIR_C2S, mk_ack(t_ns, frame, a, blocks, n), &SINK);
}

static void resend(uint32_t seq, uint32_t end, enum cause c, uint64_t t_ns)
{
	F->last_ts = T0 + t_ns;
	sack_gap_on_resend(P, F, DIR_C2S, seq, end, c, T0 + t_ns);
}

/* ---- tests ---- */

/* Two holes: [1001,1101) and [1201,1301) between the SACKed [1101,1201)
 * and [1301,1401). The second is resent (fast, 105 ms) and then covered by
 * the SACK block [1101,1401) at 125 ms: 20 ms after the resend, more than
 * 3/4 of the server's 10 ms side, so the resend did it: filled_by fast,
 * open 125 - 101 = 24 ms (from the ACK that showed it). The first stays
 * open (the block does not cover it) until its RTO resend (300 ms, then a
 * TLP at 310 ms: the first resend's cause counts) and the cumulative ACK
 * at 320 ms: filled_by rto, open 220 ms. */
Test(sack_gap, a_hole_filled_by_a_resend_names_the_first_resend_and_its_fill_time)
{
	const uint32_t a1[] = {1101, 1201};
	ack(100 * MS, 10, 1001, a1, 1);
	const uint32_t a2[] = {1301, 1401, 1101, 1201};
	ack(101 * MS, 11, 1001, a2, 2);
	cr_assert_eq(count_gaps(), 0, "held until filled");

	resend(1201, 1301, CAUSE_FAST, 105 * MS);
	const uint32_t a3[] = {1101, 1401};
	ack(125 * MS, 12, 1001, a3, 1);
	cr_assert_eq(count_gaps(), 1, "only the hole the block covers");
	const struct finding_event *e = gap_at(201);
	cr_assert_eq(e->u.gap.bytes, 100);
	cr_assert_eq(e->dir, DIR_C2S);
	cr_assert_eq(e->frame, 11, "the ACK that showed the hole");
	cr_assert_eq(e->ts_ns, T0 + 101 * MS);
	cr_assert_eq(e->cause, CAUSE_FAST, "filled_by %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.gap.fill_ms, 24.0, 1e-6);

	resend(1001, 1101, CAUSE_RTO, 300 * MS);
	resend(1001, 1101, CAUSE_TLP, 310 * MS);
	ack(320 * MS, 13, 1401, NULL, 0);
	cr_assert_eq(count_gaps(), 2);
	e = gap_at(1);
	cr_assert_eq(e->u.gap.bytes, 100);
	cr_assert_eq(e->frame, 10);
	cr_assert_eq(e->cause, CAUSE_RTO, "filled_by %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.gap.fill_ms, 220.0, 1e-6);

	sack_gap_flush(P, F, &SINK);
	cr_assert_eq(count_gaps(), 2, "nothing left open");
}

/* Reordering: the original arrives late. (1) No resend, and the hole
 * closes 5 ms after it opened, within 3/4 of the 20 ms smallest RTT: a
 * resend prompted by that SACK needs the whole path, so the original.
 * (2) A resend leaves 1 ms after the hole shows and the hole closes 3 ms
 * after that: less than 3/4 of the server's 10 ms side, too soon for the
 * resend's ACK to be back, so again the original. */
Test(sack_gap, a_hole_filled_sooner_than_any_resend_could_is_the_late_original)
{
	const uint32_t a1[] = {1101, 1201};
	ack(100 * MS, 10, 1001, a1, 1);
	ack(105 * MS, 11, 1201, NULL, 0);
	cr_assert_eq(count_gaps(), 1);
	const struct finding_event *e = gap_at(1);
	cr_assert_eq(e->cause, CAUSE_ORIGINAL, "filled_by %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.gap.fill_ms, 5.0, 1e-6);
	cr_assert_eq(e->u.gap.bytes, 100);

	const uint32_t a2[] = {1301, 1401};
	ack(199 * MS, 12, 1201, a2, 1);
	resend(1201, 1301, CAUSE_FAST, 200 * MS);
	ack(203 * MS, 13, 1401, NULL, 0);
	cr_assert_eq(count_gaps(), 2);
	e = gap_at(201);
	cr_assert_eq(e->cause, CAUSE_ORIGINAL, "filled_by %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.gap.fill_ms, 4.0, 1e-6);
}

/* No resend seen and the hole closes 50 ms after it opened (more than an
 * RTT): neither the original on time nor a resend the capture saw, so
 * unknown. */
Test(sack_gap, a_hole_filled_late_with_no_resend_seen_is_unknown)
{
	const uint32_t a1[] = {1101, 1201};
	ack(100 * MS, 10, 1001, a1, 1);
	ack(150 * MS, 11, 1201, NULL, 0);
	cr_assert_eq(count_gaps(), 1);
	const struct finding_event *e = gap_at(1);
	cr_assert_eq(e->cause, CAUSE_UNKNOWN, "filled_by %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.gap.fill_ms, 50.0, 1e-6);
}

/* A hole never filled: the same SACK repeated by duplicate ACKs opens it
 * once (a hole not already open opens), nothing is written while it stays
 * open, and the flow's end writes it with filled_by never, open from the
 * first ACK that showed it (100 ms) to the flow's last packet (900 ms). */
Test(sack_gap, a_hole_never_filled_is_written_at_flush_as_never)
{
	const uint32_t a1[] = {1101, 1201};
	ack(100 * MS, 10, 1001, a1, 1);
	ack(101 * MS, 11, 1001, a1, 1);
	ack(102 * MS, 12, 1001, a1, 1);
	cr_assert_eq(count_gaps(), 0);
	F->last_ts = T0 + 900 * MS;
	sack_gap_flush(P, F, &SINK);
	cr_assert_eq(count_gaps(), 1, "one hole, opened once");
	const struct finding_event *e = gap_at(1);
	cr_assert_eq(e->cause, CAUSE_NEVER, "filled_by %s", cause_name(e->cause));
	cr_assert_eq(e->frame, 10);
	cr_assert_eq(e->u.gap.bytes, 100);
	cr_assert_float_eq(e->u.gap.fill_ms, 800.0, 1e-6);
	cr_assert_eq(F->gap_held, 0, "the flush empties the list");
	sack_gap_flush(P, F, &SINK);
	cr_assert_eq(count_gaps(), 1, "written once");
}

/* RFC 2018 §4: with timestamps an ACK has room for 3 blocks, the most
 * recent first, so older blocks drop out. Sent 1001..1801 in 100-byte
 * segments; 1001, 1201, 1401 and 1601 lost. The capture sees the ACK for
 * [1101,1201) (hole [1001,1101)), then (the ACKs between were lost on the
 * way back) one listing [1701,1801) [1501,1601) [1301,1401): [1101,1201)
 * is gone from it but was received. The holes are [1201,1301), [1401,1501)
 * and [1601,1701), 100 bytes each, not one [1001,1301) of 300 bytes (which,
 * overlapping the open first hole, would hide [1201,1301) entirely). */
Test(sack_gap, a_block_dropped_from_later_acks_still_counts_as_received)
{
	const uint32_t a1[] = {1101, 1201};
	ack(100 * MS, 10, 1001, a1, 1);
	const uint32_t a4[] = {1701, 1801, 1501, 1601, 1301, 1401};
	ack(103 * MS, 13, 1001, a4, 3);
	cr_assert_eq(count_gaps(), 0);
	ack(400 * MS, 14, 1801, NULL, 0);
	cr_assert_eq(count_gaps(), 4, "%zu holes", count_gaps());
	const uint32_t rseq[] = {1, 201, 401, 601};
	const uint64_t frame[] = {10, 13, 13, 13};
	for (int i = 0; i < 4; i++) {
		const struct finding_event *e = gap_at(rseq[i]);
		cr_assert_eq(e->u.gap.bytes, 100, "hole at %u: %u bytes", rseq[i], e->u.gap.bytes);
		cr_assert_eq(e->frame, frame[i], "hole at %u shown by frame %lu", rseq[i],
			     (unsigned long)e->frame);
	}
}

/* A timer resend (RTO, 300 ms) leaves before the SACK that shows its hole
 * passes the capture point (310 ms): the resend is held by dsack.c, and
 * the hole takes it as its first resend. The fill at 320 ms is 20 ms after
 * the resend, more than 3/4 of the server's 10 ms side: filled_by rto. */
Test(sack_gap, a_resend_seen_before_the_revealing_sack_fills_the_hole)
{
	struct finding_event rv;
	memset(&rv, 0, sizeof(rv));
	rv.ts_ns = T0 + 300 * MS;
	rv.frame = 9;
	rv.flow_id = FIXTURE_FLOW_ID;
	rv.dir = DIR_C2S;
	rv.kind = FIND_RETRANSMISSION;
	rv.cause = CAUSE_RTO;
	rv.u.retrans.seq = 1;
	rv.u.retrans.bytes = 100;
	dsack_hold(P, F, DIR_C2S, 1001, 1101, T0 + 300 * MS, &rv, &SINK);
	const uint32_t a1[] = {1101, 1301};
	ack(310 * MS, 10, 1001, a1, 1);
	ack(320 * MS, 11, 1301, NULL, 0);
	cr_assert_eq(count_gaps(), 1);
	const struct finding_event *e = gap_at(1);
	cr_assert_eq(e->cause, CAUSE_RTO, "filled_by %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.gap.fill_ms, 10.0, 1e-6);
	dsack_flush(P, F, &SINK);
}

/* Sequence numbers across 2^32: ISN 0xffffff00, hole [0xffffffc1, 0x25)
 * (100 bytes across the wrap, relative seq 0xc1 = 193) below the SACKed
 * [0x25, 0x89). Resent (fast) 5 ms after it shows, filled by the
 * cumulative ACK 0x89 20 ms after the resend: filled_by fast, open 25 ms.
 * A second hole past the wrap, [0x89, 0xed), stays open until the end. */
Test(sack_gap, holes_across_the_sequence_wrap)
{
	F->half[DIR_C2S].seq_base = 0xffffff00u;
	F->half[DIR_C2S].isn = 0xffffff00u;
	const uint32_t a1[] = {0x25, 0x89};
	ack(100 * MS, 10, 0xffffffc1u, a1, 1);
	ack(101 * MS, 11, 0xffffffc1u, a1, 1);
	cr_assert_eq(count_gaps(), 0);
	resend(0xffffffc1u, 0x25, CAUSE_FAST, 105 * MS);
	ack(125 * MS, 12, 0x89, NULL, 0);
	cr_assert_eq(count_gaps(), 1);
	const struct finding_event *e = gap_at(0xc1);
	cr_assert_eq(e->u.gap.bytes, 100);
	cr_assert_eq(e->cause, CAUSE_FAST, "filled_by %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.gap.fill_ms, 25.0, 1e-6);

	const uint32_t a2[] = {0xed, 0x151};
	ack(130 * MS, 13, 0x89, a2, 1);
	F->last_ts = T0 + 500 * MS;
	sack_gap_flush(P, F, &SINK);
	cr_assert_eq(count_gaps(), 2);
	e = gap_at(0x189); /* 0x89 - 0xffffff00 mod 2^32 */
	cr_assert_eq(e->u.gap.bytes, 100);
	cr_assert_eq(e->cause, CAUSE_NEVER);
}

/* sack_board alone (sack_board.h): the union of the blocks; trimming at the
 * cumulative ACK; past SACK_BOARD_MAX ranges the closest pair merges, so
 * a real hole may go unreported but a SACKed byte is never in a gap. */
Test(sack_gap, sack_board_keeps_the_union_and_never_calls_sacked_data_a_hole)
{
	struct sack_board b;
	memset(&b, 0, sizeof(b));
	uint32_t g[SACK_BOARD_MAX + 2][2];
	sack_board_add(&b, 1301, 1401);
	sack_board_add(&b, 1101, 1201);
	sack_board_add(&b, 1501, 1601);
	int n = sack_board_gaps(&b, 1001, 1601, g, SACK_BOARD_MAX + 2);
	cr_assert_eq(n, 3);
	cr_assert(g[0][0] == 1001 && g[0][1] == 1101);
	cr_assert(g[1][0] == 1201 && g[1][1] == 1301);
	cr_assert(g[2][0] == 1401 && g[2][1] == 1501);
	/* [1201,1301) arrives: three ranges become [1101,1401) and [1501,1601). */
	sack_board_add(&b, 1201, 1301);
	cr_assert_eq(b.n, 2);
	n = sack_board_gaps(&b, 1001, 1601, g, SACK_BOARD_MAX + 2);
	cr_assert_eq(n, 2);
	cr_assert(g[0][0] == 1001 && g[0][1] == 1101);
	cr_assert(g[1][0] == 1401 && g[1][1] == 1501);
	/* The cumulative ACK reaches 1451: what lies below it is forgotten. */
	sack_board_trim(&b, 1451);
	n = sack_board_gaps(&b, 1451, 1601, g, SACK_BOARD_MAX + 2);
	cr_assert_eq(n, 1);
	cr_assert(g[0][0] == 1451 && g[0][1] == 1501);

	/* 20 disjoint blocks of 10 bytes, 100 apart except one pair 20 apart,
	 * across 2^32. */
	memset(&b, 0, sizeof(b));
	uint32_t base = 0xfffff000u, left[20];
	for (int i = 0; i < 20; i++) {
		left[i] = i == 8 ? base + 730u : base + 100u * (uint32_t)i;
		sack_board_add(&b, left[i], left[i] + 10);
	}
	cr_assert_leq(b.n, SACK_BOARD_MAX);
	uint32_t from = base - 100, to = left[19] + 200;
	n = sack_board_gaps(&b, from, to, g, SACK_BOARD_MAX + 2);
	cr_assert_gt(n, 0);
	for (int k = 0; k < n; k++)
		for (int i = 0; i < 20; i++)
			cr_assert(!((int32_t)(left[i] - g[k][1]) < 0 &&
				    (int32_t)(left[i] + 10 - g[k][0]) > 0),
				  "SACKed block %d [%#x,%#x) inside gap [%#x,%#x)", i, left[i],
				  left[i] + 10, g[k][0], g[k][1]);
	cr_assert_eq(g[0][0], from, "the gap below the first block");
	cr_assert_eq(g[0][1], left[0]);
}
