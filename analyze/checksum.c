/*
 * analyze/checksum.c — RFC 1071 sum with wide accumulation.
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

uint64_t csum_add(uint64_t sum, const void *buf, size_t len)
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
