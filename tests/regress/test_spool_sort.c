/*
 * tests/regress/test_spool_sort.c — report/spool_sort.c: records come back in
 * key order, equal keys in the order added, in memory and across many runs
 * on disk (a tiny memory limit), records of every size up to the maximum.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/spool_sort.h"

static void check_sorted(size_t limit, size_t count, unsigned seed)
{
	struct spool_sort *s = spool_sort_new(limit);
	cr_assert_not_null(s);
	srand(seed);
	for (size_t i = 0; i < count; i++) {
		char rec[64];
		uint64_t key = (uint64_t)(rand() % 1000);
		int n = snprintf(rec, sizeof(rec), "%llu:%zu", (unsigned long long)key, i);
		cr_assert_eq(spool_sort_add(s, key, rec, (uint32_t)n), 0);
	}
	cr_assert_eq(spool_sort_finish(s), 0);
	uint64_t key, prev_key = 0, peeked;
	size_t prev_i = 0, got = 0;
	const void *data;
	uint32_t len;
	while (spool_sort_peek(s, &peeked) == 1) {
		cr_assert_eq(spool_sort_next(s, &key, &data, &len), 1);
		cr_assert_eq(key, peeked);
		char rec[64];
		memcpy(rec, data, len);
		rec[len] = 0;
		unsigned long long k;
		size_t i;
		cr_assert_eq(sscanf(rec, "%llu:%zu", &k, &i), 2);
		cr_assert_eq(k, key, "record under its own key");
		cr_assert_geq(key, prev_key, "keys ascend");
		if (got && key == prev_key)
			cr_assert_gt(i, prev_i, "equal keys keep the order of adding");
		prev_key = key;
		prev_i = i;
		got++;
	}
	cr_assert_eq(spool_sort_next(s, &key, &data, &len), 0);
	cr_assert_eq(got, count);
	cr_assert_eq(spool_sort_count(s), count);
	if (limit && count * 40 > limit)
		cr_assert_gt(spool_sort_runs(s), 1, "the small limit made runs on disk");
	spool_sort_free(s);
}

Test(spool_sort, empty)
{
	struct spool_sort *s = spool_sort_new(0);
	uint64_t key;
	const void *d;
	uint32_t len;
	cr_assert_eq(spool_sort_finish(s), 0);
	cr_assert_eq(spool_sort_peek(s, &key), 0);
	cr_assert_eq(spool_sort_next(s, &key, &d, &len), 0);
	spool_sort_free(s);
}

Test(spool_sort, in_memory)
{
	check_sorted(0, 5000, 1);
}

Test(spool_sort, many_runs_on_disk)
{
	check_sorted(4096, 20000, 2);
}

Test(spool_sort, large_records_across_buffers)
{
	struct spool_sort *s = spool_sort_new(100000);
	static uint8_t big[65535];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13);
	for (uint32_t i = 0; i < 40; i++)
		cr_assert_eq(spool_sort_add(s, 40 - i, big, i % 2 ? 65535 : i * 100), 0);
	cr_assert_eq(spool_sort_add(s, 1, big, 70000), -1, "over 65535 bytes is refused");
	cr_assert_eq(spool_sort_finish(s), 0);
	uint64_t key;
	const void *d;
	uint32_t len;
	for (uint32_t k = 1; k <= 40; k++) {
		cr_assert_eq(spool_sort_next(s, &key, &d, &len), 1);
		cr_assert_eq(key, k);
		uint32_t i = 40 - k;
		cr_assert_eq(len, i % 2 ? 65535u : i * 100);
		cr_assert_eq(memcmp(d, big, len), 0);
	}
	cr_assert_eq(spool_sort_next(s, &key, &d, &len), 0);
	spool_sort_free(s);
}
