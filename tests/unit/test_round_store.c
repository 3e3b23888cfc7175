/*
 * tests/unit/test_round_store.c — analyze/round_store.c: a direction keeps
 * its first ROUNDS_PER_DIR rounds in order and counts the rest; an exhausted
 * pool counts what it could not keep (round_store_pool_full) instead of
 * growing; released blocks serve other lists; many interleaved lists stay
 * apart.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "analyze/round_store.h"

struct got {
	uint64_t t[ROUNDS_PER_DIR + 8];
	size_t n;
};

/* The list as a subscriber gets it (round_store_copy), appended to g. */
static void collect(const struct round_store *s, const struct round_list *l, struct got *g)
{
	struct cwnd_round r[ROUNDS_PER_DIR + 8];
	uint16_t n = round_store_copy(s, l, r, ROUNDS_PER_DIR + 8);
	for (uint16_t i = 0; i < n; i++)
		g->t[g->n++] = r[i].t_ns;
}

static void add(struct round_store *s, struct round_list *l, uint64_t t)
{
	struct cwnd_round r = {.t_ns = t, .flight_bytes = (uint32_t)t, .flight_segments = 1};
	round_store_append(s, l, &r);
}

Test(round_store, per_direction_cap_in_order)
{
	struct round_store *s = round_store_new(1 << 20);
	struct round_list l;
	memset(&l, 0, sizeof(l));
	for (uint64_t i = 0; i < ROUNDS_PER_DIR + 40; i++)
		add(s, &l, i);
	struct got g = {.n = 0};
	collect(s, &l, &g);
	cr_assert_eq(g.n, ROUNDS_PER_DIR);
	for (size_t i = 0; i < g.n; i++)
		cr_assert_eq(g.t[i], i);
	cr_assert_eq(l.not_listed, 40);
	cr_assert_eq(round_store_pool_full(s), 0, "the direction's cap, not the pool's");
	round_store_release(s, &l);
	round_store_free(s);
}

Test(round_store, pool_cap_counts_and_release_reuses)
{
	/* room for 4 blocks' worth of rounds (rounded up: one block more) */
	struct round_store *s = round_store_new(4 * ROUNDS_PER_BLOCK);
	struct round_list a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (uint64_t i = 0; i < 8 * ROUNDS_PER_BLOCK; i++)
		add(s, &a, i);
	struct got g = {.n = 0};
	collect(s, &a, &g);
	cr_assert(g.n >= 4 * ROUNDS_PER_BLOCK && g.n <= 5 * ROUNDS_PER_BLOCK, "kept %zu", g.n);
	cr_assert_eq(round_store_pool_full(s), 8 * ROUNDS_PER_BLOCK - g.n);
	cr_assert_eq(a.not_listed + g.n, 8 * ROUNDS_PER_BLOCK, "every round kept or counted");
	uint64_t full = round_store_pool_full(s);
	round_store_release(s, &a);
	for (uint64_t i = 0; i < 2 * ROUNDS_PER_BLOCK; i++)
		add(s, &b, 1000 + i);
	g.n = 0;
	collect(s, &b, &g);
	cr_assert_eq(g.n, 2 * ROUNDS_PER_BLOCK, "the released blocks serve another list");
	cr_assert_eq(g.t[0], 1000);
	cr_assert_eq(round_store_pool_full(s), full);
	round_store_release(s, &b);
	round_store_free(s);
}

Test(round_store, interleaved_lists_stay_apart)
{
	struct round_store *s = round_store_new(1 << 20);
	struct round_list l[50];
	memset(l, 0, sizeof(l));
	for (uint64_t i = 0; i < 50 * 30; i++)
		add(s, &l[i % 50], (i % 50) * 1000 + i / 50);
	for (size_t k = 0; k < 50; k++) {
		struct got g = {.n = 0};
		collect(s, &l[k], &g);
		cr_assert_eq(g.n, 30);
		for (size_t i = 0; i < 30; i++)
			cr_assert_eq(g.t[i], k * 1000 + i, "list %zu round %zu", k, i);
		round_store_release(s, &l[k]);
	}
	round_store_free(s);
}
