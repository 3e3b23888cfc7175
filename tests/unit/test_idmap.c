/*
 * tests/unit/test_idmap.c — analyze/idmap.c against a plain array: random
 * puts, gets and takes (the backward-shift deletion keeps every other key
 * findable), growth past several doublings, unknown keys given back.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "analyze/idmap.h"
#include "pktbuild.h"

#define KEYS 20000u

Test(idmap, unknown_key_is_itself)
{
	struct idmap m = {0};
	cr_assert_eq(idmap_get(&m, 42, false), 42);
	idmap_put(&m, 7, 700);
	cr_assert_eq(idmap_get(&m, 42, true), 42);
	cr_assert_eq(idmap_get(&m, 7, false), 700);
	cr_assert_eq(idmap_get(&m, 7, true), 700);
	cr_assert_eq(idmap_get(&m, 7, false), 7, "taken");
	idmap_free(&m);
}

Test(idmap, random_against_an_array)
{
	static uint32_t want[KEYS + 1]; /* 0: absent */
	struct idmap m = {0};
	uint64_t st = 0x5eed;
	size_t live = 0;
	for (int step = 0; step < 400000; step++) {
		uint32_t key = 1 + (uint32_t)(pb_rand(&st) % KEYS);
		uint64_t r = pb_rand(&st) % 10;
		if (r < 5 && !want[key]) {
			uint32_t val = 1 + (uint32_t)(pb_rand(&st) % 1000000);
			idmap_put(&m, key, val);
			want[key] = val;
			live++;
		} else {
			bool take = r >= 8;
			uint32_t got = idmap_get(&m, key, take);
			cr_assert_eq(got, want[key] ? want[key] : key, "step %d key %u", step, key);
			if (take && want[key]) {
				want[key] = 0;
				live--;
			}
		}
		cr_assert_eq(m.n, live);
	}
	for (uint32_t k = 1; k <= KEYS; k++)
		cr_assert_eq(idmap_get(&m, k, false), want[k] ? want[k] : k);
	cr_assert(m.cap >= 2 * m.n);
	idmap_free(&m);
}
