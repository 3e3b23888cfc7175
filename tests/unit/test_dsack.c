/*
 * tests/unit/test_dsack.c — analyze/dsack.c, called directly on a
 * hand-built flow, a held_pool and a recording sink.
 *
 * What it proves (dsack.h, RFC 2883):
 *  - dsack_block finds the D-SACK block of an ACK: the first block, when it
 *    lies at or below the cumulative ACK or inside the second block, and
 *    nothing else (an ordinary first block, a partial overlap, no blocks),
 *    also across 2^32;
 *  - a held resend overlapped by a D-SACK block is written with cause
 *    spurious, at once when the cumulative ACK covers it;
 *  - a resend covered by the cumulative ACK before its D-SACK (reordering:
 *    the late original was acknowledged first) is held until its deadline,
 *    resend time + RTO estimate, and at least one srtt after the covering
 *    ACK; without a D-SACK it is then written with its own cause;
 *  - the flow's end writes whatever is held, causes unchanged;
 *  - sequence numbers that wrap past 2^32.
 * Data flows client -> server (DIR_C2S), client ISN 1000. The flow's srtt is
 * 20 ms and rttvar 5 ms, so the RTO estimate is 20 + max(4 * 5, 200) =
 * 220 ms (flow_rto_estimate_ns, Linux's tcp_rto_min floor).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/decode.h"
#include "analyze/dsack.h"
#include "analyze/flow.h"

#define FIXTURE_FLOW_ID 3
#define FIXTURE_KIND FIND_RETRANSMISSION
#include "held_fixture.h"

static void setup(void)
{
	fixture_setup(64);
	F->half[DIR_C2S].seq_base = 1000;
	F->half[DIR_S2C].half_rtt_min_us = 10000;
	F->half[DIR_C2S].half_rtt_min_us = 10000;
	F->rtt.count = 1;
	F->rtt.min_ms = 20.0;
	F->srtt_ns = 20 * MS;
	F->rttvar_ns = 5 * MS;
	cr_assert_eq(flow_rto_estimate_ns(F), 220 * MS);
}

static void teardown(void)
{
	fixture_teardown();
}

TestSuite(dsack, .init = setup, .fini = teardown);

/* The resend of [seq, end) in frame `frame` at T0 + t_ns, its cause c. */
static void hold(uint64_t frame, uint64_t t_ns, uint32_t seq, uint32_t end, enum cause c)
{
	struct finding_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = T0 + t_ns;
	ev.frame = frame;
	ev.flow_id = FIXTURE_FLOW_ID;
	ev.dir = DIR_C2S;
	ev.kind = FIND_RETRANSMISSION;
	ev.cause = (uint8_t)c;
	ev.u.retrans.seq = seq - F->half[DIR_C2S].seq_base;
	ev.u.retrans.bytes = end - seq;
	dsack_hold(P, F, DIR_C2S, seq, end, T0 + t_ns, &ev, &SINK);
}


/* The server's ACK at T0 + t_ns. */
static void ack(uint64_t t_ns, uint32_t a, const uint32_t *blocks, int n)
{
	F->last_ts = T0 + t_ns;
	dsack_on_ack(P, F, DIR_C2S, mk_ack(t_ns, 1000, a, blocks, n), &SINK);
}

/* ---- tests ---- */

/* RFC 2883 §4.1, the example of ACK loss: the receiver had [1001,1201),
 * its ACKs were lost, and the sender's RTO resends [1001,1101) and
 * [1101,1201) at 300 ms; the first copy reaches the receiver again and its
 * ACK, 1201, carries the D-SACK [1001,1101),
 * below the cumulative ACK. That resend is spurious and, covered, written
 * at once. The other resend is covered but no D-SACK named it: it waits
 * for its own D-SACK until 300 + 220 = 520 ms, then keeps its cause, rto. */
Test(dsack, a_dsack_below_the_cumulative_ack_marks_that_resend_spurious)
{
	hold(20, 300 * MS, 1001, 1101, CAUSE_RTO);
	hold(21, 300 * MS, 1101, 1201, CAUSE_RTO);
	const uint32_t d[] = {1001, 1101};
	ack(320 * MS, 1201, d, 1);
	cr_assert_eq(ev_n, 1, "%zu written", ev_n);
	const struct finding_event *e = written(20);
	cr_assert_eq(e->cause, CAUSE_SPURIOUS, "cause %s", cause_name(e->cause));
	cr_assert_eq(e->u.retrans.seq, 1);
	cr_assert_eq(e->u.retrans.bytes, 100);
	cr_assert_eq(e->ts_ns, T0 + 300 * MS, "the resend's own time");
	ack(400 * MS, 1201, NULL, 0);
	cr_assert_eq(ev_n, 1, "the other waits for its deadline");
	ack(521 * MS, 1201, NULL, 0);
	cr_assert_eq(ev_n, 2);
	cr_assert_eq(written(21)->cause, CAUSE_RTO, "cause %s", cause_name(written(21)->cause));
}

/* RFC 2883 §4.1, the example of a duplicate of an out-of-order segment (a
 * D-SACK above the cumulative ACK): [1001,1101) is lost, [1101,1301)
 * received; [1101,1201) is resent (fast, 300 ms) needlessly.
 * The receiver's ACK 1001 reports the duplicate first, [1101,1201), inside
 * the second block [1101,1301) that holds it. The resend is spurious but
 * not covered yet: written when the cumulative ACK passes it (1301), at
 * once, not waiting for its deadline. */
Test(dsack, a_dsack_inside_the_second_block_marks_it_spurious_once_covered)
{
	hold(30, 300 * MS, 1101, 1201, CAUSE_FAST);
	const uint32_t d[] = {1101, 1201, 1101, 1301};
	ack(320 * MS, 1001, d, 2);
	cr_assert_eq(ev_n, 0, "not covered yet");
	const uint32_t s[] = {1101, 1301};
	ack(321 * MS, 1001, s, 1);
	cr_assert_eq(ev_n, 0);
	ack(340 * MS, 1301, NULL, 0);
	cr_assert_eq(ev_n, 1);
	cr_assert_eq(written(30)->cause, CAUSE_SPURIOUS, "cause %s",
		     cause_name(written(30)->cause));
	cr_assert_eq(F->retrans_held, 0);
	cr_assert_eq(F->retrans_covered, 0);
}

/* Reordering: the original [1001,1101) is delayed, SACKs make the sender
 * resend it (fast, 46 ms), then the original arrives and the cumulative ACK
 * passes 1301 (50 ms) before the resend reaches the receiver; the resend's
 * arrival is the duplicate, D-SACKed below the ACK at 66 ms. The resend
 * must still be held at 50 ms, and is written spurious at 66 ms. */
Test(dsack, a_resend_covered_before_its_dsack_is_held_and_then_marked_spurious)
{
	hold(10, 46 * MS, 1001, 1101, CAUSE_FAST);
	ack(50 * MS, 1301, NULL, 0);
	cr_assert_eq(ev_n, 0, "written before its D-SACK could come");
	cr_assert_neq(F->retrans_covered, 0, "waiting, covered");
	const uint32_t d[] = {1001, 1101};
	ack(66 * MS, 1301, d, 1);
	cr_assert_eq(ev_n, 1);
	cr_assert_eq(written(10)->cause, CAUSE_SPURIOUS, "cause %s",
		     cause_name(written(10)->cause));
}

/* The same resend with no D-SACK: the deadline is 46 + 220 = 266 ms (a
 * round trip and the longest delayed ACK), well past srtt after the
 * covering ACK (50 + 20 ms). At 265 ms it is still held; the first ACK
 * after 266 ms writes it with its own cause, fast. */
Test(dsack, without_a_dsack_a_covered_resend_is_written_one_rto_after_it_left)
{
	hold(10, 46 * MS, 1001, 1101, CAUSE_FAST);
	ack(50 * MS, 1301, NULL, 0);
	ack(265 * MS, 1301, NULL, 0);
	cr_assert_eq(ev_n, 0, "before its deadline");
	ack(267 * MS, 1301, NULL, 0);
	cr_assert_eq(ev_n, 1);
	cr_assert_eq(written(10)->cause, CAUSE_FAST, "cause %s", cause_name(written(10)->cause));
	ack(268 * MS, 1301, NULL, 0);
	cr_assert_eq(ev_n, 1, "written once");
}

/* The ACK path stalls: the resend (rto, 300 ms; deadline 520 ms) is covered
 * only at 600 ms, by an ACK from a queue released at once; its D-SACK is in
 * the same burst, behind it. The resend waits one srtt (20 ms) from the
 * covering ACK: still held at 610 ms, marked spurious by the D-SACK at
 * 615 ms. */
Test(dsack, a_late_covering_ack_waits_one_rtt_more_for_the_dsack)
{
	hold(40, 300 * MS, 1001, 1101, CAUSE_RTO);
	ack(600 * MS, 1101, NULL, 0);
	ack(610 * MS, 1101, NULL, 0);
	cr_assert_eq(ev_n, 0, "its D-SACK may still be in the burst");
	const uint32_t d[] = {1001, 1101};
	ack(615 * MS, 1101, d, 1);
	cr_assert_eq(ev_n, 1);
	cr_assert_eq(written(40)->cause, CAUSE_SPURIOUS, "cause %s",
		     cause_name(written(40)->cause));
}

/* The flow ends with one resend covered and waiting (fast) and one not
 * covered at all (rto): both are written, no D-SACK came, so with their
 * own causes; nothing is left held. Before the end, dsack_first_resend
 * names the earliest held resend of a range (sack_gap uses it). */
Test(dsack, flush_without_dsack_writes_everything_with_its_own_cause)
{
	hold(50, 100 * MS, 1001, 1101, CAUSE_FAST);
	hold(51, 110 * MS, 1201, 1301, CAUSE_RTO);
	hold(52, 120 * MS, 1201, 1301, CAUSE_TLP);
	ack(130 * MS, 1101, NULL, 0);
	cr_assert_eq(ev_n, 0);
	enum cause c = CAUSE_NONE;
	uint64_t t = 0;
	cr_assert(dsack_first_resend(P, F, DIR_C2S, 1250, 1260, &c, &t));
	cr_assert_eq(c, CAUSE_RTO, "the earliest: %s", cause_name(c));
	cr_assert_eq(t, T0 + 110 * MS);
	cr_assert_not(dsack_first_resend(P, F, DIR_C2S, 1101, 1201, &c, &t), "nothing there");
	cr_assert_not(dsack_first_resend(P, F, DIR_S2C, 1201, 1301, &c, &t), "the other direction");
	dsack_flush(P, F, &SINK);
	cr_assert_eq(ev_n, 3);
	cr_assert_eq(written(50)->cause, CAUSE_FAST);
	cr_assert_eq(written(51)->cause, CAUSE_RTO);
	cr_assert_eq(written(52)->cause, CAUSE_TLP);
	cr_assert_eq(F->retrans_held, 0);
	cr_assert_eq(F->retrans_covered, 0);
	dsack_flush(P, F, &SINK);
	cr_assert_eq(ev_n, 3, "written once");
}

static bool dsack_of(uint32_t a, const uint32_t *blocks, int n, struct tcp_sack_block *out)
{
	return dsack_block(mk_ack(0, 1000, a, blocks, n), out);
}

/* dsack_block on crafted options (RFC 2883 §4: the D-SACK block is the
 * first; it is below the cumulative ACK, or else contained in the second
 * block, the one holding the duplicate). */
Test(dsack, dsack_block_recognises_only_the_rfc2883_first_block)
{
	struct tcp_sack_block b = {0, 0};
	cr_assert_not(dsack_of(1001, NULL, 0, &b), "no blocks");
	/* Below the ACK: the packetdrill case ack 6001 <sack 1001:3001 7001:8001>. */
	const uint32_t below[] = {1001, 3001, 7001, 8001};
	cr_assert(dsack_of(6001, below, 2, &b));
	cr_assert(b.left == 1001 && b.right == 3001);
	/* Ending exactly at the ACK is below it too. */
	const uint32_t at[] = {5001, 6001};
	cr_assert(dsack_of(6001, at, 1, &b));
	cr_assert(b.left == 5001 && b.right == 6001);
	/* Inside the second block, above the ACK. */
	const uint32_t inside[] = {1201, 1301, 1101, 1401};
	cr_assert(dsack_of(1001, inside, 2, &b));
	cr_assert(b.left == 1201 && b.right == 1301);
	/* Equal to the second block is inside it. */
	const uint32_t equal[] = {1101, 1401, 1101, 1401};
	cr_assert(dsack_of(1001, equal, 2, &b));
	/* Ordinary SACKs: above the ACK and not inside the second. */
	const uint32_t plain[] = {1301, 1401, 1101, 1201};
	cr_assert_not(dsack_of(1001, plain, 2, &b));
	const uint32_t one[] = {1101, 1201};
	cr_assert_not(dsack_of(1001, one, 1, &b));
	/* Overlapping the second block only in part: not contained. */
	const uint32_t partial[] = {1301, 1501, 1101, 1401};
	cr_assert_not(dsack_of(1001, partial, 2, &b));
	/* The third block containing the first does not make a D-SACK. */
	const uint32_t third[] = {1201, 1301, 1501, 1601, 1101, 1401};
	cr_assert_not(dsack_of(1001, third, 3, &b));
	/* An empty or inverted first block is nothing. */
	const uint32_t empty[] = {901, 901};
	cr_assert_not(dsack_of(1001, empty, 1, &b));
	const uint32_t inverted[] = {1001, 901};
	cr_assert_not(dsack_of(1101, inverted, 1, &b));
	/* Across 2^32: [0xffffffa0, 0x04) lies below the ACK 0x10; a block
	 * [0x04, 0x20) above the ACK 0xfffffff0 is not below it, but inside
	 * a second block [0xffffffff, 0x40) it is a D-SACK. */
	const uint32_t wbelow[] = {0xffffffa0u, 0x04};
	cr_assert(dsack_of(0x10, wbelow, 1, &b));
	cr_assert(b.left == 0xffffffa0u && b.right == 0x04);
	const uint32_t wabove[] = {0x04, 0x20};
	cr_assert_not(dsack_of(0xfffffff0u, wabove, 1, &b));
	const uint32_t winside[] = {0x04, 0x20, 0xffffffffu, 0x40};
	cr_assert(dsack_of(0xfffffff0u, winside, 2, &b));
}

/* Resends across 2^32 (ISN 0xffffff00): [0xffffffc0, 0x24) and
 * [0x24, 0x88), both rto at 300 ms. The ACK 0xffffffc0 covers neither, so
 * they stay held past their deadline (520 ms): only a covered resend is
 * written without a D-SACK. The D-SACK [0xffffffc0, 0x24) below the ACK
 * 0x88 (620 ms) marks the first only (covered: written at once); the
 * second is written at the end, not spurious. */
Test(dsack, resends_across_the_sequence_wrap)
{
	F->half[DIR_C2S].seq_base = 0xffffff00u;
	hold(60, 300 * MS, 0xffffffc0u, 0x24, CAUSE_RTO);
	hold(61, 300 * MS, 0x24, 0x88, CAUSE_RTO);
	ack(310 * MS, 0xffffffc0u, NULL, 0);
	ack(600 * MS, 0xffffffc0u, NULL, 0);
	cr_assert_eq(ev_n, 0, "not covered: still waiting");
	const uint32_t d[] = {0xffffffc0u, 0x24};
	ack(620 * MS, 0x88, d, 1);
	cr_assert_eq(ev_n, 1);
	const struct finding_event *e = written(60);
	cr_assert_eq(e->cause, CAUSE_SPURIOUS, "cause %s", cause_name(e->cause));
	cr_assert_eq(e->u.retrans.seq, 0xc0);
	cr_assert_eq(e->u.retrans.bytes, 100);
	dsack_flush(P, F, &SINK);
	cr_assert_eq(ev_n, 2);
	cr_assert_eq(written(61)->cause, CAUSE_RTO, "cause %s", cause_name(written(61)->cause));
}
