/*
 * bench/csum_variants.c — which RFC 1071 checksum loop? Measured, not
 * assumed (issue 9).
 *
 * Every variant sums the same segments and must return the same folded
 * checksum as the byte-pair reference (checked before timing). Variants:
 *   bytepair  the textbook loop, 16 bits at a time
 *   wide32x4  analyze/checksum.c's csum_add_portable (compiled in from
 *             there): 32-bit loads into four 64-bit lanes
 *   adc64     64-bit loads with end-around carry (Linux's do_csum idea)
 *   sse2      16-bit words widened to 32-bit lanes, 16 bytes an iteration
 *   avx2      analyze/checksum.c's csum_add_avx2: the same over 32 bytes
 *             (runtime check: skipped when absent)
 * Two working sets: segments that stay in the L1/L2 cache (the sum right
 * after the packet was read) and a 256 MiB buffer streamed once per pass
 * (memory bound, like reading a capture larger than the caches). Segment
 * sizes: 1448 bytes (full-sized TCP payload) and 64 bytes (ACKs, requests).
 *
 *   cc -O2 -o csum_variants bench/csum_variants.c && ./csum_variants
 */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../analyze/checksum.c" /* csum_add_portable, csum_add_avx2 */

static uint16_t fold(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t swap16(uint16_t v) { return (uint16_t)(v >> 8 | v << 8); }

/* Sums in network order (big-endian words). */
static uint16_t sum_bytepair(const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	size_t i;
	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		s += (uint32_t)(p[i] << 8);
	return fold(s);
}

/* The tails below sum in host (little-endian) order; swap once at the end. */
static uint64_t tail_le(const uint8_t *p, size_t len, uint64_t acc)
{
	while (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len)
		acc += p[0];
	return acc;
}

/* tcplens's own loops, not copies: the measurement is of the code it runs. */
static uint16_t sum_wide32x4(const uint8_t *p, size_t len)
{
	return csum_fold(csum_add_portable(0, p, len));
}

static uint16_t sum_tcplens_avx2(const uint8_t *p, size_t len)
{
	return csum_fold(csum_add_avx2(0, p, len));
}

/* What tcplens calls: the dispatch between the two by CPU and length. */
static uint16_t sum_tcplens(const uint8_t *p, size_t len)
{
	return csum_fold(csum_add(0, p, len));
}

static uint16_t sum_adc64(const uint8_t *p, size_t len)
{
	uint64_t acc = 0;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		acc += w;
		acc += acc < w; /* end-around carry */
		p += 8;
		len -= 8;
	}
	uint64_t t = tail_le(p, len, 0);
	acc += t;
	acc += acc < t;
	return swap16(fold(acc));
}

static uint16_t sum_sse2(const uint8_t *p, size_t len)
{
	__m128i zero = _mm_setzero_si128(), acc = zero;
	/* 16-bit words widened into 32-bit lanes: 65,536 iterations before a
	 * lane could overflow; segments are far shorter. */
	while (len >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)p);
		acc = _mm_add_epi32(acc, _mm_unpacklo_epi16(v, zero));
		acc = _mm_add_epi32(acc, _mm_unpackhi_epi16(v, zero));
		p += 16;
		len -= 16;
	}
	uint32_t lanes[4];
	_mm_storeu_si128((__m128i *)lanes, acc);
	uint64_t s = (uint64_t)lanes[0] + lanes[1] + lanes[2] + lanes[3];
	return swap16(fold(tail_le(p, len, s)));
}

typedef uint16_t (*sum_fn)(const uint8_t *, size_t);

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* GB/s summing segments of seg bytes laid end to end over buf[0..n),
 * best of reps passes. */
static double measure(sum_fn fn, const uint8_t *buf, size_t n, size_t seg, int reps,
		      unsigned *sink)
{
	double best = 1e9;
	for (int r = 0; r < reps; r++) {
		double t0 = now();
		unsigned acc = 0;
		for (size_t off = 0; off + seg <= n; off += seg)
			acc += fn(buf + off, seg);
		double t = now() - t0;
		*sink += acc;
		if (t < best)
			best = t;
	}
	return (double)(n / seg * seg) / best / 1e9;
}

int main(void)
{
	struct {
		const char *name;
		sum_fn fn;
		int ok;
	} v[] = {
		{"bytepair", sum_bytepair, 1},
		{"wide32x4", sum_wide32x4, 1},
		{"adc64", sum_adc64, 1},
		{"sse2", sum_sse2, 1},
		{"avx2", sum_tcplens_avx2, __builtin_cpu_supports("avx2")},
		{"csum_add (tcplens's dispatch)", sum_tcplens, 1},
	};
	const size_t big = 256u << 20, small = 64u << 10;
	uint8_t *buf = malloc(big);
	if (!buf)
		return 1;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < big; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	/* Same checksum as the reference on every length 0..2000 and offset 0..7. */
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++)
		for (size_t off = 0; v[k].ok && off < 8; off++)
			for (size_t len = 0; len <= 2000; len++)
				if (v[k].fn(buf + off, len) != sum_bytepair(buf + off, len)) {
					fprintf(stderr, "%s: wrong sum at off %zu len %zu\n", v[k].name, off, len);
					return 1;
				}
	unsigned sink = 0;
	printf("| variant | 1448 B, cached GB/s | 256 B, cached | 64 B, cached | 20 B, cached | 1448 B, streamed |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		if (!v[k].ok) {
			printf("| %s | (no AVX2 here) | | | | |\n", v[k].name);
			continue;
		}
		double c1 = measure(v[k].fn, buf, small, 1448, 2000, &sink);
		double c3 = measure(v[k].fn, buf, small, 256, 2000, &sink);
		double c2 = measure(v[k].fn, buf, small, 64, 2000, &sink);
		double c4 = measure(v[k].fn, buf, small, 20, 2000, &sink);
		double s1 = measure(v[k].fn, buf, big, 1448, 5, &sink);
		printf("| %s | %.1f | %.1f | %.1f | %.1f | %.1f |\n", v[k].name, c1, c3, c2, c4, s1);
	}
	fprintf(stderr, "(sink %u)\n", sink);
	free(buf);
	return 0;
}
