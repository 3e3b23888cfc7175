/*
 * tests/unit/test_csum_fate.c — analyze/csum_fate.c, called directly on a
 * hand-built flow, a held_pool and a recording sink.
 *
 * What it proves (csum_fate.h): a csum_bad event is held until its fate is
 * known, and written
 *   dropped   when the sender sent those bytes again before the receiver
 *             acknowledged them, with resent_after_ms = resend - damage;
 *   accepted  when the receiver acknowledged (cumulative ACK) or SACKed them
 *             with no resend;
 *   unknown   when the flow ends first (a resend not yet acknowledged is
 *             still dropped at the end);
 * only the direction's own resends and its receiver's ACKs count, the
 * damaged segment is not its own resend, a partial ACK or SACK settles
 * nothing; a segment without sequence space, or one the pool has no room
 * for, is written at once with fate unknown; and all of it with sequence
 * numbers across 2^32.
 * Data flows client -> server (DIR_C2S) unless a test says otherwise.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/csum_fate.h"
#include "analyze/decode.h"
#include "analyze/flow.h"

#define FIXTURE_FLOW_ID 5
#define FIXTURE_KIND FIND_CSUM_BAD
#include "held_fixture.h"

static void setup(void)
{
	fixture_setup(16);
}

static void teardown(void)
{
	fixture_teardown();
}

TestSuite(csum_fate, .init = setup, .fini = teardown);

/* A damaged segment of direction dir, [seq, end), frame `frame`, seen at
 * T0 + t_ns; checksum field 0x1234, correct 0xbeef. As the tracker does,
 * the segment itself then goes through csum_fate_on_data (same time). */
static void damaged(int dir, uint64_t frame, uint64_t t_ns, uint32_t seq, uint32_t end)
{
	struct finding_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = T0 + t_ns;
	ev.frame = frame;
	ev.flow_id = FIXTURE_FLOW_ID;
	ev.dir = (uint8_t)dir;
	ev.kind = FIND_CSUM_BAD;
	ev.proto = CAUSE_TCP;
	ev.u.csum.found = 0x1234;
	ev.u.csum.expected = 0xbeef;
	csum_fate_hold(P, F, dir, seq, end, &ev, &SINK);
	if (seq != end)
		csum_fate_on_data(P, F, dir, seq, end, T0 + t_ns);
}

static void sent(int dir, uint64_t t_ns, uint32_t seq, uint32_t end)
{
	csum_fate_on_data(P, F, dir, seq, end, T0 + t_ns);
}

/* The receiver of direction dir acknowledges a (and SACKs the blocks). */
static void acked(int dir, uint32_t a, const uint32_t *blocks, int n)
{
	struct tcp_sack_block b[TCP_MAX_SACK];
	cr_assert_leq(n, TCP_MAX_SACK);
	for (int i = 0; i < n; i++) {
		b[i].left = blocks[2 * i];
		b[i].right = blocks[2 * i + 1];
	}
	csum_fate_on_ack(P, F, dir, a, b, n, &SINK);
}

/* ---- tests ---- */

/* The damaged [1001,1101) (10 ms) is sent again at 60 ms; the receiver
 * acknowledges 1201 at 61 ms. It had discarded the damaged copy: dropped,
 * resent after 50 ms. Neither the segment's own pass through on_data nor
 * the server's data at the same numbers (its own sequence space) is a
 * resend; the dup ACK 1001 settles nothing. */
Test(csum_fate, a_corrupt_segment_resent_before_acknowledged_was_dropped)
{
	damaged(DIR_C2S, 4, 10 * MS, 1001, 1101);
	sent(DIR_C2S, 11 * MS, 1101, 1201);
	sent(DIR_S2C, 20 * MS, 1001, 1101);
	acked(DIR_C2S, 1001, NULL, 0);
	cr_assert_eq(ev_n, 0, "held until its fate is known");
	sent(DIR_C2S, 60 * MS, 1001, 1101);
	acked(DIR_C2S, 1201, NULL, 0);
	cr_assert_eq(ev_n, 1);
	const struct finding_event *e = written(4);
	cr_assert_eq(e->cause, CAUSE_DROPPED, "fate %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.csum.resent_ms, 50.0, 1e-6);
	cr_assert_eq(e->u.csum.found, 0x1234);
	cr_assert_eq(e->u.csum.expected, 0xbeef);
	cr_assert_eq(e->ts_ns, T0 + 10 * MS, "the damaged segment's own time");
	cr_assert_eq(F->csum_held, 0);
}

/* Acknowledged with no resend: the copy the capture saw was damaged, not
 * the one the receiver got: accepted. A cumulative ACK short of its end
 * (1050) does not settle it;
 * nor does the ACK of the other direction (the client acknowledging the
 * server's numbers); 1101 does. */
Test(csum_fate, a_corrupt_segment_acknowledged_without_resend_was_accepted)
{
	damaged(DIR_C2S, 4, 10 * MS, 1001, 1101);
	acked(DIR_C2S, 1050, NULL, 0);
	acked(DIR_S2C, 5000, NULL, 0);
	cr_assert_eq(ev_n, 0);
	acked(DIR_C2S, 1101, NULL, 0);
	cr_assert_eq(ev_n, 1);
	const struct finding_event *e = written(4);
	cr_assert_eq(e->cause, CAUSE_ACCEPTED, "fate %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.csum.resent_ms, 0.0, 1e-9, "never resent");
	csum_fate_flush(P, F, &SINK);
	cr_assert_eq(ev_n, 1, "written once");
}

/* SACKed counts as acknowledged: the damaged [1101,1201) lies above the
 * hole at 1001; a block [1151,1301) covers only part of it (settles
 * nothing), the block [1101,1301) all of it: accepted. */
Test(csum_fate, a_corrupt_segment_sacked_without_resend_was_accepted)
{
	damaged(DIR_C2S, 5, 10 * MS, 1101, 1201);
	const uint32_t part[] = {1151, 1301};
	acked(DIR_C2S, 1001, part, 1);
	cr_assert_eq(ev_n, 0, "partly SACKed");
	const uint32_t all[] = {1401, 1501, 1101, 1301};
	acked(DIR_C2S, 1001, all, 2);
	cr_assert_eq(ev_n, 1);
	cr_assert_eq(written(5)->cause, CAUSE_ACCEPTED, "fate %s", cause_name(written(5)->cause));
}

/* The flow ends first: a segment neither resent nor acknowledged has fate
 * unknown; one resent but never acknowledged was dropped all the same (the
 * header: "resent -> dropped, else unknown"), resent after 200 ms. */
Test(csum_fate, unknown_at_flush_unless_resent)
{
	damaged(DIR_C2S, 4, 10 * MS, 1001, 1101);
	damaged(DIR_S2C, 6, 12 * MS, 5001, 5051);
	sent(DIR_S2C, 212 * MS, 5001, 5051);
	cr_assert_eq(ev_n, 0);
	csum_fate_flush(P, F, &SINK);
	cr_assert_eq(ev_n, 2);
	cr_assert_eq(written(4)->cause, CAUSE_UNKNOWN, "fate %s", cause_name(written(4)->cause));
	const struct finding_event *e = written(6);
	cr_assert_eq(e->cause, CAUSE_DROPPED, "fate %s", cause_name(e->cause));
	cr_assert_eq(e->dir, DIR_S2C);
	cr_assert_float_eq(e->u.csum.resent_ms, 200.0, 1e-6);
	cr_assert_eq(F->csum_held, 0);
	csum_fate_flush(P, F, &SINK);
	cr_assert_eq(ev_n, 2, "written once");
}

/* Nothing to follow: a pure ACK (no sequence space) is written at once,
 * fate unknown, never an empty fate. No room: with a pool of one entry,
 * the second damaged segment is written at once, fate unknown, and the
 * first still gets its fate. */
Test(csum_fate, no_sequence_space_or_no_room_is_written_at_once_unknown)
{
	damaged(DIR_S2C, 7, 5 * MS, 5001, 5001);
	cr_assert_eq(ev_n, 1);
	cr_assert_eq(written(7)->cause, CAUSE_UNKNOWN, "fate %s", cause_name(written(7)->cause));
	cr_assert_eq(F->csum_held, 0);

	held_pool_free(P);
	P = held_pool_new(1, 0);
	cr_assert_not_null(P);
	damaged(DIR_C2S, 8, 10 * MS, 1001, 1101);
	damaged(DIR_C2S, 9, 11 * MS, 1101, 1201);
	cr_assert_eq(ev_n, 2);
	cr_assert_eq(written(9)->cause, CAUSE_UNKNOWN, "fate %s", cause_name(written(9)->cause));
	acked(DIR_C2S, 1201, NULL, 0);
	cr_assert_eq(ev_n, 3);
	cr_assert_eq(written(8)->cause, CAUSE_ACCEPTED, "fate %s", cause_name(written(8)->cause));
}

/* Across 2^32: the damaged [0xffffffc0, 0x24) (10 ms) and [0x24, 0x88)
 * (11 ms). ACKs 0xfffffff0 and 0x10 fall inside the first: nothing
 * settled. The first is resent at 210 ms; the ACK 0x88 then covers both:
 * the first dropped (resent after 200 ms), the second accepted. */
Test(csum_fate, fates_across_the_sequence_wrap)
{
	damaged(DIR_C2S, 4, 10 * MS, 0xffffffc0u, 0x24);
	damaged(DIR_C2S, 5, 11 * MS, 0x24, 0x88);
	acked(DIR_C2S, 0xfffffff0u, NULL, 0);
	acked(DIR_C2S, 0x10, NULL, 0);
	cr_assert_eq(ev_n, 0, "the ACKs fall inside the first segment");
	sent(DIR_C2S, 210 * MS, 0xffffffc0u, 0x24);
	acked(DIR_C2S, 0x88, NULL, 0);
	cr_assert_eq(ev_n, 2);
	const struct finding_event *e = written(4);
	cr_assert_eq(e->cause, CAUSE_DROPPED, "fate %s", cause_name(e->cause));
	cr_assert_float_eq(e->u.csum.resent_ms, 200.0, 1e-6);
	cr_assert_eq(written(5)->cause, CAUSE_ACCEPTED, "fate %s", cause_name(written(5)->cause));
}
