/*
 * tests/unit/test_jw.c — report/jw.c, the streaming JSON writer: numbers
 * formatted by hand (digit pairs, digit count from the bit length) must
 * equal printf's at every digit-count boundary and on random values; keys,
 * separators and nesting must make JSON that jansson parses back to the
 * same values; a buffer boundary in the middle of an item must not corrupt
 * it.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/jw.h"

static void check_u64(uint64_t v)
{
	char got[32], want[32];
	size_t n = jw_fmt_u64(got, v);
	got[n] = 0;
	snprintf(want, sizeof(want), "%" PRIu64, v);
	cr_assert_str_eq(got, want, "jw_fmt_u64(%" PRIu64 ")", v);
}

Test(jw, u64_boundaries)
{
	uint64_t p = 1;
	for (int i = 0; i < 20; i++) {
		check_u64(p);
		check_u64(p - 1);
		check_u64(p + 1);
		if (i < 19)
			p *= 10;
	}
	check_u64(0);
	check_u64(UINT64_MAX);
	check_u64(UINT64_MAX - 1);
	for (int b = 0; b < 64; b++) { /* every bit length */
		check_u64((uint64_t)1 << b);
		check_u64(((uint64_t)1 << b) - 1);
	}
}

Test(jw, u64_random)
{
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		check_u64(x >> (x & 63)); /* all magnitudes */
	}
}

Test(jw, fixed3_and_padded)
{
	char b[40];
	size_t n = jw_fmt_fixed3(b, 40.1234);
	b[n] = 0;
	cr_assert_str_eq(b, "40.123");
	n = jw_fmt_fixed3(b, 0.0005);
	b[n] = 0;
	cr_assert_str_eq(b, "0.001");
	n = jw_fmt_fixed3(b, 7);
	b[n] = 0;
	cr_assert_str_eq(b, "7.000");
	jw_fmt_u64_padded(b, 42, 9);
	b[9] = 0;
	cr_assert_str_eq(b, "000000042");
	jw_fmt_u64_padded(b, 123456, 6);
	b[6] = 0;
	cr_assert_str_eq(b, "123456");
}

static void check_ts(uint64_t ts_ns, unsigned digits, const char *want)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	cr_assert_not_null(f);
	struct jw w;
	jw_init(&w, f);
	jw_ts(&w, NULL, ts_ns, digits);
	jw_flush(&w);
	fclose(f);
	cr_assert_str_eq(text, want);
	free(text);
}

Test(jw, timestamps)
{
	check_ts(1700000000000001000ull, 6, "1700000000.000001");
	check_ts(1700000000999999999ull, 6, "1700000000.999999"); /* truncated, as stored */
	check_ts(1700000000000000042ull, 9, "1700000000.000000042");
	check_ts(0, 9, "0.000000000");
	check_ts(UINT64_MAX, 9, "18446744073.709551615");
}

/* Many objects, enough to cross the buffer many times at every offset. */
Test(jw, document_round_trip)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	cr_assert_not_null(f);
	struct jw w;
	jw_init(&w, f);
	jw_obj_open(&w, NULL);
	jw_arr_open(&w, "items");
	const int count = 5000;
	for (int i = 0; i < count; i++) {
		jw_obj_open(&w, NULL);
		jw_uint(&w, "id", (uint64_t)i * 1000003u);
		jw_int(&w, "neg", -(int64_t)i);
		jw_fixed3(&w, "ms", i / 7.0);
		jw_bool(&w, "odd", i & 1);
		jw_null(&w, "nothing");
		jw_word(&w, "kind", i % 3 ? "fast" : "rto");
		jw_word(&w, "long_word", "a word longer than the inline path's 24 bytes");
		jw_ts(&w, "ts", (1700000000u + (uint64_t)i) * 1000000000u + (uint64_t)i * 7000, 6);
		jw_string(&w, "text", "quote \" backslash \\ tab \t é");
		jw_arr_open(&w, "empty");
		jw_arr_close(&w);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_flush(&w);
	fclose(f);

	json_error_t err;
	json_t *doc = json_loadb(text, size, 0, &err);
	cr_assert_not_null(doc, "not JSON: %s at %d", err.text, err.position);
	json_t *items = json_object_get(doc, "items");
	cr_assert_eq(json_array_size(items), (size_t)count);
	for (int i = 0; i < count; i++) {
		json_t *o = json_array_get(items, (size_t)i);
		cr_assert_eq(json_integer_value(json_object_get(o, "id")), (json_int_t)i * 1000003);
		cr_assert_eq(json_integer_value(json_object_get(o, "neg")), -(json_int_t)i);
		cr_assert_float_eq(json_real_value(json_object_get(o, "ms")), i / 7.0, 0.0006);
		cr_assert_eq(json_is_true(json_object_get(o, "odd")), (i & 1) != 0);
		cr_assert(json_is_null(json_object_get(o, "nothing")));
		cr_assert_str_eq(json_string_value(json_object_get(o, "long_word")),
				 "a word longer than the inline path's 24 bytes");
		cr_assert_float_eq(json_real_value(json_object_get(o, "ts")),
				   1700000000.0 + i + i * 7 / 1e6, 1e-5);
		cr_assert_str_eq(json_string_value(json_object_get(o, "text")),
				 "quote \" backslash \\ tab \t é");
	}
	json_decref(doc);
	free(text);
}
