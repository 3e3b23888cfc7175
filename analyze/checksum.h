/*
 * analyze/checksum.h — the Internet checksum (RFC 1071) and the pseudo-header
 * sums that TCP and UDP use over IPv4 (RFC 793) and IPv6 (RFC 8200 §8.1).
 *
 * csum_add() is the hot loop of offline analysis: every byte of every
 * segment goes through it. It accumulates 32-bit words into 64-bit lanes
 * (AVX2: 16-bit words into 32-bit lanes; no carry handling per word) and
 * folds once at the end; bench/csum_variants.c measured the choice.
 */
#ifndef TCPLENS_CHECKSUM_H
#define TCPLENS_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Add len bytes at buf to a running sum. The running sum must be folded with
 * csum_fold() before use. An odd len pads with a zero byte, so only the last
 * call of a chain may have an odd length. */
uint64_t csum_add(uint64_t sum, const void *buf, size_t len);

/* The two loops behind csum_add, for tests and benchmarks: 32-bit words into
 * four 64-bit lanes (any CPU; compilers vectorize it to SSE2), and AVX2
 * (x86-64 with AVX2 only: csum_avx2_available(); elsewhere the portable
 * loop). csum_add picks AVX2 when the CPU has it. */
uint64_t csum_add_portable(uint64_t sum, const void *buf, size_t len);
uint64_t csum_add_avx2(uint64_t sum, const void *buf, size_t len);
bool csum_avx2_available(void);

/* The plain byte-pair reference of csum_add, for tests. */
uint64_t csum_add_reference(uint64_t sum, const void *buf, size_t len);

/* Fold a running sum to 16 bits (ones' complement end-around carry). */
static inline uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

/* Pseudo-header sums (not folded, not complemented). l4len is the TCP/UDP
 * length: header plus payload. Addresses are in network byte order. */
uint64_t csum_pseudo_v4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint32_t l4len);
uint64_t csum_pseudo_v6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
			uint32_t l4len);

#endif
