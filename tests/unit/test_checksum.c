/*
 * tests/unit/test_checksum.c — analyze/checksum.c: the RFC 1071 sum, its wide
 * fast path against the byte-pair reference, and the pseudo-header sums.
 * Expected values are worked out by hand in the comments, or come from
 * pb_sum() in pktbuild.c, which shares no code with checksum.c.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/checksum.h"
#include "analyze/csum_verify.h"
#include "analyze/decode.h"
#include "pktbuild.h"

#include <pcap/dlt.h>

Test(checksum, rfc1071_example)
{
	/* RFC 1071 §3: 0001 + f203 + f4f5 + f6f7 = 2ddf0, folded: ddf0 + 2 = ddf2. */
	static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	cr_assert_eq(csum_fold(csum_add(0, b, sizeof(b))), 0xddf2);
	cr_assert_eq(csum_fold(csum_add_reference(0, b, sizeof(b))), 0xddf2);
	/* The unfolded reference keeps the carries: 0x2ddf0. */
	cr_assert_eq(csum_add_reference(0, b, sizeof(b)), 0x2ddf0);
}

Test(checksum, odd_lengths)
{
	static const uint8_t one[] = {0x01};
	static const uint8_t three[] = {0x12, 0x34, 0x56};
	static const uint8_t five[] = {0xff, 0xff, 0x00, 0x01, 0x80};
	/* A lone byte is the high byte of a word: 0x0100. */
	cr_assert_eq(csum_fold(csum_add(0, one, 1)), 0x0100);
	/* 0x1234 + 0x5600 = 0x6834 */
	cr_assert_eq(csum_fold(csum_add(0, three, 3)), 0x6834);
	/* 0xffff + 0x0001 + 0x8000 = 0x18000 -> 0x8001 */
	cr_assert_eq(csum_fold(csum_add(0, five, 5)), 0x8001);
	/* Seven bytes: the 4-byte, 2-byte and 1-byte tails all at once.
	 * 0102 + 0304 + 0506 + 0700 = 0x100c */
	static const uint8_t seven[] = {1, 2, 3, 4, 5, 6, 7};
	cr_assert_eq(csum_fold(csum_add(0, seven, 7)), 0x100c);
	/* Nineteen bytes: 16-byte block + 2-byte + 1-byte.
	 * words 0x0101 * 9 = 0x0909, tail 0x0100 -> 0x0a09 */
	uint8_t nineteen[19];
	memset(nineteen, 1, sizeof(nineteen));
	cr_assert_eq(csum_fold(csum_add(0, nineteen, 19)), 0x0a09);
	cr_assert_eq(csum_fold(csum_add(0, nineteen, 0)), 0);
}

Test(checksum, all_ones_and_zeros)
{
	static uint8_t ones[1 << 20];
	static uint8_t zeros[4096];
	memset(ones, 0xff, sizeof(ones));
	for (size_t n = 1; n <= 200; n++) {
		/* Even: sums of 0xffff stay 0xffff (negative zero). Odd: -0 plus
		 * the 0xff00 tail is 0xff00. */
		uint16_t want = (n & 1) ? 0xff00 : 0xffff;
		cr_assert_eq(csum_fold(csum_add(0, ones, n)), want, "n=%zu", n);
		cr_assert_eq(csum_fold(csum_add(0, ones + 1, n)), want, "n=%zu unaligned", n);
		cr_assert_eq(csum_fold(csum_add(0, zeros, n)), 0, "n=%zu", n);
	}
	cr_assert_eq(csum_fold(csum_add(0, ones, sizeof(ones))), 0xffff);
	cr_assert_eq(csum_fold(csum_add(0, ones, sizeof(ones) - 1)), 0xff00);
	/* 1 MiB of 0xffff words: the AVX2 lanes are emptied twice on the way
	 * (every 512 KiB) and must not overflow in between. */
	if (csum_avx2_available()) {
		cr_assert_eq(csum_fold(csum_add_avx2(0, ones, sizeof(ones))), 0xffff);
		cr_assert_eq(csum_fold(csum_add_avx2(0, ones + 1, sizeof(ones) - 1)), 0xff00);
	}
	cr_assert_eq(csum_fold(csum_add_portable(0, ones, sizeof(ones))), 0xffff);
}

Test(checksum, fold)
{
	cr_assert_eq(csum_fold(0), 0);
	cr_assert_eq(csum_fold(0xffff), 0xffff);
	cr_assert_eq(csum_fold(0x10000), 1);
	cr_assert_eq(csum_fold(0x2ddf0), 0xddf2);
	cr_assert_eq(csum_fold(0x100000000ull), 1);
	cr_assert_eq(csum_fold(UINT64_MAX), 0xffff);
	/* Folding is reduction modulo 0xffff into 1..0xffff for a nonzero sum. */
	uint64_t st = 0x1234567887654321ull;
	for (int i = 0; i < 100000; i++) {
		uint64_t x = pb_rand(&st);
		if (i & 1)
			x >>= (unsigned)(i % 48);
		uint16_t f = csum_fold(x);
		if (x == 0) {
			cr_assert_eq(f, 0);
			continue;
		}
		cr_assert_neq(f, 0, "x=%#llx", (unsigned long long)x);
		cr_assert_eq(f % 0xffff, x % 0xffff, "x=%#llx", (unsigned long long)x);
	}
}

static void fill_random(uint8_t *b, size_t n, uint64_t *st)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(pb_rand(st) >> 56);
}

/* One comparison: csum_add, the reference and pb_sum agree on b[0..n). */
static void check_against_reference(const uint8_t *b, size_t n, uint32_t init)
{
	uint16_t want = pb_sum(b, n, init);
	uint16_t fast = csum_fold(csum_add(init, b, n));
	uint16_t ref = csum_fold(csum_add_reference(init, b, n));
	cr_assert_eq(ref, want, "reference, len %zu init %#x", n, init);
	cr_assert_eq(fast, want, "csum_add, len %zu init %#x: %#x != %#x", n, init, fast, want);
	/* Both loops behind csum_add, whichever this CPU dispatches to. */
	uint16_t portable = csum_fold(csum_add_portable(init, b, n));
	cr_assert_eq(portable, want, "portable, len %zu init %#x", n, init);
	if (csum_avx2_available()) {
		uint16_t avx2 = csum_fold(csum_add_avx2(init, b, n));
		cr_assert_eq(avx2, want, "avx2, len %zu init %#x: %#x != %#x", n, init, avx2, want);
	}
}

Test(checksum, random_buffers_every_small_length)
{
	static uint8_t buf[128 + 8];
	uint64_t st = 42;
	for (int round = 0; round < 60; round++) {
		for (size_t n = 0; n <= 100; n++) {
			size_t align = (size_t)round % 8;
			fill_random(buf + align, n, &st);
			uint32_t init = round % 3 == 0 ? 0 : (uint32_t)pb_rand(&st);
			check_against_reference(buf + align, n, init);
		}
	}
}

Test(checksum, random_buffers_random_lengths)
{
	size_t cap = (1u << 20) + 64;
	uint8_t *buf = malloc(cap);
	cr_assert_not_null(buf);
	uint64_t st = 0xc0ffee;
	fill_random(buf, cap, &st);
	for (int i = 0; i < 4000; i++) {
		size_t n = (size_t)(pb_rand(&st) % 9001);
		size_t off = (size_t)(pb_rand(&st) % 64);
		check_against_reference(buf + off, n, (uint32_t)(pb_rand(&st) >> 40));
	}
	static const size_t big[] = {1500, 9000, 9001, 65535, 65536, 65537, 1u << 20, (1u << 20) + 63};
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		check_against_reference(buf + (big[i] & 1), big[i], 0);
	free(buf);
}

Test(checksum, chained_calls)
{
	static uint8_t buf[3001];
	uint64_t st = 7;
	fill_random(buf, sizeof(buf), &st);
	for (int i = 0; i < 3000; i++) {
		size_t n = 1 + (size_t)(pb_rand(&st) % sizeof(buf));
		/* Split into up to four pieces at even offsets: only the last
		 * piece may be odd. */
		size_t cut[5] = {0, 0, 0, 0, n};
		for (int k = 1; k < 4; k++)
			cut[k] = (size_t)(pb_rand(&st) % (n + 1)) & ~(size_t)1;
		for (int a = 1; a < 4; a++)
			for (int b = a + 1; b < 4; b++)
				if (cut[b] < cut[a]) {
					size_t t = cut[a];
					cut[a] = cut[b];
					cut[b] = t;
				}
		uint64_t sum = 0;
		for (int k = 0; k < 4; k++)
			sum = csum_add(sum, buf + cut[k], cut[k + 1] - cut[k]);
		cr_assert_eq(csum_fold(sum), pb_sum(buf, n, 0), "n=%zu cuts %zu %zu %zu", n, cut[1],
			     cut[2], cut[3]);
	}
}

Test(checksum, pseudo_v4)
{
	/* 192.168.1.1 -> 10.0.0.2, TCP, 20 bytes:
	 * c0a8 + 0101 + 0a00 + 0002 + 0006 + 0014 = cbc5 */
	static const uint8_t s1[4] = {192, 168, 1, 1}, d1[4] = {10, 0, 0, 2};
	cr_assert_eq(csum_fold(csum_pseudo_v4(s1, d1, IPPROTO_TCP, 20)), 0xcbc5);
	/* 255.255.255.255 -> 255.255.255.254, UDP, 0x1234 bytes:
	 * ffff*3 + fffe + 0011 + 1234 = 41240 -> 1240 + 4 = 1244 */
	static const uint8_t s2[4] = {255, 255, 255, 255}, d2[4] = {255, 255, 255, 254};
	cr_assert_eq(csum_fold(csum_pseudo_v4(s2, d2, IPPROTO_UDP, 0x1234)), 0x1244);
	/* Order does not matter for the sum: swapping src and dst is the same. */
	cr_assert_eq(csum_fold(csum_pseudo_v4(d2, s2, IPPROTO_UDP, 0x1234)), 0x1244);
}

Test(checksum, pseudo_v6)
{
	/* 2001:db8::1 -> 2001:db8::2, TCP, 32 bytes:
	 * 2*2001 + 2*0db8 + 1 + 2 + 0020 + 0006 = 5b9b */
	uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8}, d[16] = {0x20, 0x01, 0x0d, 0xb8};
	s[15] = 1;
	d[15] = 2;
	cr_assert_eq(csum_fold(csum_pseudo_v6(s, d, IPPROTO_TCP, 32)), 0x5b9b);
	/* All-ones addresses, UDP, 8 bytes: 16 * ffff folds to ffff (-0),
	 * plus 0011 + 0008 = 0019. */
	uint8_t f[16];
	memset(f, 0xff, sizeof(f));
	cr_assert_eq(csum_fold(csum_pseudo_v6(f, f, IPPROTO_UDP, 8)), 0x0019);
	/* Jumbogram length 0x12345 is a 32-bit field: 0001 + 2345 + 0006 = 234c. */
	uint8_t z[16] = {0};
	cr_assert_eq(csum_fold(csum_pseudo_v6(z, z, IPPROTO_TCP, 0x12345)), 0x234c);
}

/* An IPv4 TCP segment whose correct checksum is 0x0000: the rest of it sums
 * to 0xffff. A two-byte payload is chosen to make it so. */
static size_t zero_csum_segment(uint8_t *buf, size_t cap, uint16_t field)
{
	uint8_t pay[2] = {0, 0};
	struct pb_spec s = {
		.ip_ver = 4, .src = {10, 0, 0, 1}, .dst = {10, 0, 0, 2},
		.sport = 40000, .dport = 80, .seq = 1000, .ack = 2000,
		.flags = TCP_ACK | TCP_PSH, .win = 512, .payload = pay, .payload_len = 2,
	};
	struct pb_info in;
	pb_build(buf, cap, NULL, 0, &s, &in);
	/* The sum S of everything with a zero word here; a word W = ~S makes
	 * the total 0xffff, so the checksum (its complement) is zero. */
	uint16_t w = in.l4_csum_good;
	pay[0] = (uint8_t)(w >> 8);
	pay[1] = (uint8_t)w;
	s.csum = PB_CSUM_VALUE;
	s.csum_value = field;
	size_t n = pb_build(buf, cap, NULL, 0, &s, &in);
	cr_assert_eq(in.l4_csum_good, 0, "test setup: checksum should be zero");
	return n;
}

Test(checksum, tcp_field_ffff_when_sum_is_zero)
{
	uint8_t buf[128];
	struct pkt_decoded d;
	uint16_t expected = 0x5555;

	size_t n = zero_csum_segment(buf, sizeof(buf), 0xffff);
	struct pkt_record r = pb_record(buf, n, DLT_RAW);
	cr_assert_eq(decode_packet(&r, &d), DECODE_OK);
	cr_assert_eq(d.l4_csum, 0xffff);
	cr_assert_eq(csum_verify_l4(&d, &expected), CSUM_OK);
	cr_assert_eq(expected, 0);

	n = zero_csum_segment(buf, sizeof(buf), 0x0000);
	r = pb_record(buf, n, DLT_RAW);
	cr_assert_eq(decode_packet(&r, &d), DECODE_OK);
	cr_assert_eq(d.l4_csum, 0);
	expected = 0x5555;
	cr_assert_eq(csum_verify_l4(&d, &expected), CSUM_OK);
	cr_assert_eq(expected, 0);

	/* Any other value is wrong, and the right one is zero (or its twin). */
	n = zero_csum_segment(buf, sizeof(buf), 0x0001);
	r = pb_record(buf, n, DLT_RAW);
	cr_assert_eq(decode_packet(&r, &d), DECODE_OK);
	cr_assert_eq(csum_verify_l4(&d, &expected), CSUM_BAD);
	cr_assert(expected == 0 || expected == 0xffff, "expected %#x", expected);
}
