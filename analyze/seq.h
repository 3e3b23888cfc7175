/*
 * analyze/seq.h — TCP sequence-number arithmetic, modulo 2^32 (RFC 793 §3.3).
 * Every comparison of sequence or acknowledgment numbers goes through here.
 */
#ifndef TCPLENS_SEQ_H
#define TCPLENS_SEQ_H

#include <stdint.h>

/* Signed distance from b to a: positive when a is after b. */
static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline int seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
static inline int seq_leq(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
static inline int seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
static inline int seq_geq(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }

static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

#endif
