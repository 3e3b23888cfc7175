/*
 * analyze/checksum.c — RFC 1071 sum with wide accumulation, and an AVX2 loop
 * chosen at run time where the CPU has it.
 *
 * The sum is computed in host byte order over 32-bit loads (memcpy: no
 * alignment assumptions) into a 64-bit accumulator; byte order does not
 * matter for a ones' complement sum as long as the result is swapped back,
 * which csum_add does once at the end (RFC 1071 §2(B)).
 */
#include "checksum.h"

#include <string.h>

static inline uint64_t bswap_sum16(uint64_t s)
{
	/* Fold to 16 bits in host order, then swap to network order. */
	uint16_t f = csum_fold(s);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f = (uint16_t)(f >> 8 | f << 8);
#endif
	return f;
}

uint64_t csum_add_portable(uint64_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t acc = 0;
	/* Four independent 64-bit lanes of 32-bit words: no carries are lost
	 * before 2^32 words, far beyond any packet. */
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	while (len >= 16) {
		uint32_t w0, w1, w2, w3;
		memcpy(&w0, p, 4);
		memcpy(&w1, p + 4, 4);
		memcpy(&w2, p + 8, 4);
		memcpy(&w3, p + 12, 4);
		a0 += w0;
		a1 += w1;
		a2 += w2;
		a3 += w3;
		p += 16;
		len -= 16;
	}
	acc = a0 + a1 + a2 + a3;
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
	if (len) {
		/* Odd trailing byte: it is the high byte of a network-order word. */
		uint8_t last[2] = {p[0], 0};
		uint16_t w;
		memcpy(&w, last, 2);
		acc += w;
	}
	return sum + bswap_sum16(acc);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CSUM_HAVE_AVX2 1

/* 32 bytes an iteration: the 16-bit words widened into eight 32-bit lanes.
 * A lane gains at most 2 * 0xffff an iteration, so the lanes are emptied
 * into the 64-bit sum every 16,384 iterations (512 KiB), long before one
 * could overflow. Measured in bench/csum_variants.c: 2-2.7x the portable
 * loop on cached full-sized segments, +10-20% streamed from memory. */
__attribute__((target("avx2"))) static uint64_t sum_avx2(const uint8_t *p, size_t len,
							     size_t *left)
{
	const __m256i zero = _mm256_setzero_si256();
	uint64_t total = 0;
	while (len >= 32) {
		__m256i acc = zero;
		size_t iters = len / 32;
		if (iters > 16384)
			iters = 16384;
		for (size_t i = 0; i < iters; i++) {
			__m256i v = _mm256_loadu_si256((const __m256i *)p);
			acc = _mm256_add_epi32(acc, _mm256_unpacklo_epi16(v, zero));
			acc = _mm256_add_epi32(acc, _mm256_unpackhi_epi16(v, zero));
			p += 32;
		}
		len -= iters * 32;
		uint32_t lanes[8];
		_mm256_storeu_si256((__m256i *)lanes, acc);
		for (int i = 0; i < 8; i++)
			total += lanes[i];
	}
	*left = len;
	return total;
}

uint64_t csum_add_avx2(uint64_t sum, const void *buf, size_t len)
{
	size_t left;
	const uint8_t *p = buf;
	uint64_t acc = sum_avx2(p, len, &left);
	/* The rest (under 32 bytes) through the portable loop, whose sum is in
	 * network order already: add it after swapping ours. */
	return csum_add_portable(sum + bswap_sum16(acc), p + (len - left), left);
}

bool csum_avx2_available(void)
{
	return __builtin_cpu_supports("avx2");
}
#else
uint64_t csum_add_avx2(uint64_t sum, const void *buf, size_t len)
{
	return csum_add_portable(sum, buf, len);
}

bool csum_avx2_available(void)
{
	return false;
}
#endif

/* AVX2 where the CPU has it and the buffer is long enough to pay for its
 * set-up and lane reduction: below ~256 bytes (ACKs, headers, pseudo-
 * headers, small requests) the portable loop is faster (bench/
 * csum_variants.c: at 64 bytes 9.9 against 7.5 GB/s, at 20 bytes 3.6
 * against 2.8). __builtin_cpu_supports reads a flag libgcc set at start-up
 * (a load and a test, no cpuid per call, no shared state to race on between
 * the read-ahead and analysis threads). */
#define CSUM_AVX2_MIN 256

uint64_t csum_add(uint64_t sum, const void *buf, size_t len)
{
	return len >= CSUM_AVX2_MIN && csum_avx2_available() ? csum_add_avx2(sum, buf, len)
							     : csum_add_portable(sum, buf, len);
}

uint64_t csum_add_reference(uint64_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		sum += (uint32_t)(p[i] << 8);
	return sum;
}

uint64_t csum_pseudo_v4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint32_t l4len)
{
	uint64_t s = 0;
	s += (uint32_t)(src[0] << 8 | src[1]) + (uint32_t)(src[2] << 8 | src[3]);
	s += (uint32_t)(dst[0] << 8 | dst[1]) + (uint32_t)(dst[2] << 8 | dst[3]);
	s += proto;
	s += (l4len >> 16) + (l4len & 0xffff);
	return s;
}

uint64_t csum_pseudo_v6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
			uint32_t l4len)
{
	uint64_t s = 0;
	for (int i = 0; i < 16; i += 2) {
		s += (uint32_t)(src[i] << 8 | src[i + 1]);
		s += (uint32_t)(dst[i] << 8 | dst[i + 1]);
	}
	s += proto;
	s += (l4len >> 16) + (l4len & 0xffff);
	return s;
}
