/*
 * tests/unit/test_seq.c — analyze/seq.h: sequence-number comparisons modulo
 * 2^32 (RFC 793 §3.3), at and around the wrap and the half-space boundary.
 */
#include <criterion/criterion.h>

#include "analyze/seq.h"
#include "analyze/sack_board.h"
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

/* analyze/sack_board.h: the union of the SACK blocks a receiver sent. */
Test(seq, sack_board_keeps_blocks_that_dropped_out_of_the_list)
{
	struct sack_board b = {0};
	uint32_t g[16][2];
	/* Earlier ACKs SACKed [2000,3000) and [4000,5000); a later one lists
	 * only [6000,7000) and [1500,1600) (the most recent first). */
	sack_board_add(&b, 2000, 3000);
	sack_board_add(&b, 4000, 5000);
	sack_board_add(&b, 6000, 7000);
	sack_board_add(&b, 1500, 1600);
	cr_assert_eq(sack_board_gaps(&b, 1000, 7000, g, 16), 4);
	cr_assert(g[0][0] == 1000 && g[0][1] == 1500);
	cr_assert(g[1][0] == 1600 && g[1][1] == 2000);
	cr_assert(g[2][0] == 3000 && g[2][1] == 4000);
	cr_assert(g[3][0] == 5000 && g[3][1] == 6000);
	/* Touching blocks merge; the ACK trims. */
	sack_board_add(&b, 3000, 4000);
	cr_assert_eq(b.n, 3);
	sack_board_trim(&b, 2500);
	cr_assert_eq(b.left[0], 2500);
	cr_assert_eq(sack_board_gaps(&b, 2500, 7000, g, 16), 1);
	cr_assert(g[0][0] == 5000 && g[0][1] == 6000);
}

Test(seq, sack_board_full_merges_the_closest_pair_and_wraps)
{
	struct sack_board b = {0};
	uint32_t base = 0xfffff000u; /* across the wrap */
	for (uint32_t i = 0; i < SACK_BOARD_MAX; i++)
		sack_board_add(&b, base + i * 1000, base + i * 1000 + 500);
	cr_assert_eq(b.n, SACK_BOARD_MAX);
	/* One more, 100 bytes past the first range: that pair is the closest
	 * and merges, so the 100-byte gap counts as received, never a hole. */
	sack_board_add(&b, base + 600, base + 700);
	cr_assert_eq(b.n, SACK_BOARD_MAX);
	uint32_t g[32][2];
	int n = sack_board_gaps(&b, base, base + SACK_BOARD_MAX * 1000, g, 32);
	for (int i = 0; i < n; i++)
		cr_assert(seq_geq(g[i][0], base + 700) || seq_leq(g[i][1], base + 500),
			  "gap %u-%u inside SACKed data", g[i][0], g[i][1]);
	cr_assert_eq(n, SACK_BOARD_MAX - 1);
}
