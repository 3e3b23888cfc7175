/*
 * tests/unit/test_seq.c — analyze/seq.h: sequence-number comparisons modulo
 * 2^32 (RFC 793 §3.3), at and around the wrap and the half-space boundary.
 */
#include <criterion/criterion.h>

#include "analyze/seq.h"
#include "analyze/seq_ranges.h"
#include "pktbuild.h"

Test(seq, across_the_wrap)
{
	cr_assert(seq_lt(0xffffffffu, 0));
	cr_assert_not(seq_lt(0, 0xffffffffu));
	cr_assert(seq_gt(0, 0xffffffffu));
	cr_assert_eq(seq_diff(0, 0xffffffffu), 1);
	cr_assert_eq(seq_diff(0xffffffffu, 0), -1);
	cr_assert_eq(seq_diff(5, 0xfffffffbu), 10);
	cr_assert_eq(seq_diff(0xfffffff0u, 0x10), -32);
	cr_assert_eq(seq_diff(0x10, 0xfffffff0u), 32);
	cr_assert(seq_lt(0xffffff00u, 0x00000100u));
	cr_assert(seq_leq(0xffffff00u, 0x00000100u));
	cr_assert(seq_geq(0x00000100u, 0xffffff00u));
	cr_assert_eq(seq_max(0xfffffffeu, 3), 3);
	cr_assert_eq(seq_max(3, 0xfffffffeu), 3);
	cr_assert_eq(seq_min(0xfffffffeu, 3), 0xfffffffeu);
	cr_assert_eq(seq_min(3, 0xfffffffeu), 0xfffffffeu);
}

Test(seq, equal_values)
{
	static const uint32_t v[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cr_assert_not(seq_lt(v[i], v[i]));
		cr_assert_not(seq_gt(v[i], v[i]));
		cr_assert(seq_leq(v[i], v[i]));
		cr_assert(seq_geq(v[i], v[i]));
		cr_assert_eq(seq_diff(v[i], v[i]), 0);
		cr_assert_eq(seq_max(v[i], v[i]), v[i]);
	}
}

Test(seq, half_space_boundary)
{
	/* 2^31 - 1 ahead is still ahead; 2^31 apart is read as behind. */
	cr_assert(seq_gt(0x7fffffffu, 0));
	cr_assert_eq(seq_diff(0x7fffffffu, 0), INT32_MAX);
	cr_assert_eq(seq_diff(0x80000000u, 0), INT32_MIN);
	cr_assert(seq_lt(0x80000000u, 0));
	cr_assert(seq_gt(0x80000001u, 0x00000002u)); /* 0x7fffffff ahead */
	cr_assert(seq_lt(0x80000002u, 0x00000002u)); /* 2^31: behind */
	cr_assert(seq_gt(0xfffffffeu, 0x7fffffffu));
}

Test(seq, every_base_every_small_delta)
{
	uint64_t st = 31337;
	uint32_t bases[64] = {0, 1, 0x7fffffffu, 0x80000000u, 0xfffffc18u, 0xffffffffu};
	for (int i = 6; i < 64; i++)
		bases[i] = (uint32_t)pb_rand(&st);
	for (int i = 0; i < 64; i++) {
		uint32_t b = bases[i];
		for (uint32_t delta = 1; delta <= 5000; delta++) {
			uint32_t a = b + delta; /* wraps for the large bases */
			cr_assert(seq_lt(b, a), "%#x < %#x", b, a);
			cr_assert(seq_leq(b, a));
			cr_assert(seq_gt(a, b));
			cr_assert(seq_geq(a, b));
			cr_assert_not(seq_lt(a, b));
			cr_assert_eq(seq_diff(a, b), (int32_t)delta);
			cr_assert_eq(seq_diff(b, a), -(int32_t)delta);
			cr_assert_eq(seq_max(a, b), a);
			cr_assert_eq(seq_min(a, b), b);
		}
		/* Large distances, up to just below half the space. */
		uint32_t far = 0x7fffffffu - (uint32_t)i;
		cr_assert(seq_lt(b, b + far));
		cr_assert_eq(seq_diff(b + far, b), (int32_t)far);
	}
}

static void count_piece(void *user, uint32_t left, uint32_t right, uint64_t opened_ns)
{
	(void)left, (void)right, (void)opened_ns;
	(*(int *)user)++;
}

/* A range whose left is exactly 2^31 below the ACK: seq_lt(left, ack) and
 * seq_gt(ack, left) disagree there, and seq_ranges_remove_below spun forever
 * (found by tests/hostile's seqjump capture). It must return, and the range
 * it cannot order against the ACK stays. */
Test(seq, ranges_remove_below_half_space)
{
	struct seq_ranges s = {0};
	cr_assert(seq_ranges_add(&s, 3541396356u, 1393904270u, 1));
	cr_assert(seq_ranges_add(&s, 1393908401u, 1393912466u, 2));
	cr_assert(seq_ranges_add(&s, 1393912708u, 3541396225u, 3));
	int pieces = 0;
	seq_ranges_remove_below(&s, 3541396356u, count_piece, &pieces);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(pieces, 0);
	/* an ordinary range below the ACK is still removed */
	seq_ranges_add(&s, 3541396000u, 3541396300u, 4);
	seq_ranges_remove_below(&s, 3541396356u, count_piece, &pieces);
	cr_assert_eq(pieces, 1);
	cr_assert_eq(s.n, 3);
}
