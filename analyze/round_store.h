/*
 * analyze/round_store.h — where the congestion-window rounds of every flow
 * are kept until the flow is reported: blocks of rounds from one pool that
 * grows in chunks up to a fixed cap, chained per flow direction. Each
 * direction keeps at most ROUNDS_PER_DIR rounds (the early ones, where the
 * initial window and slow start are); later rounds are still analyzed, only
 * counted as not listed. When the pool is exhausted, rounds are counted
 * likewise: memory is bounded whatever the capture.
 */
#ifndef TCPLENS_ROUND_STORE_H
#define TCPLENS_ROUND_STORE_H

#include <stddef.h>
#include <stdint.h>

#define ROUNDS_PER_BLOCK 4 /* short flows have a few rounds a side: small blocks waste less */
#define ROUNDS_PER_DIR 256

struct cwnd_round {
	uint64_t t_ns;          /* capture time of the round's first segment */
	uint32_t flight_bytes;
	uint16_t flight_segments;
	uint8_t limit;          /* enum cause: CWND / RWND / APP */
	uint8_t phase;          /* enum round_phase */
};

/* APP: the application wrote less than the window allowed (the round's
 * limit is app): its flight says nothing of slow start or avoidance. */
enum round_phase { PHASE_SLOW_START = 0, PHASE_CONGESTION_AVOIDANCE, PHASE_RECOVERY, PHASE_APP };

const char *round_phase_name(enum round_phase p);

/* A flow's listed rounds, each direction's in order (r[d][0..n[d])): what a
 * subscriber gets with an ended flow, so it needs nothing of the analyzer's
 * store. Valid during the call. */
struct flow_rounds {
	const struct cwnd_round *r[2];
	uint16_t n[2];
};

/* A direction's list: head/tail block indices + 1, and counts. */
struct round_list {
	uint32_t head, tail;
	uint16_t stored;
	uint32_t not_listed;
};

struct round_store;

struct round_store *round_store_new(size_t max_rounds);
void round_store_free(struct round_store *s);

void round_store_append(struct round_store *s, struct round_list *l, const struct cwnd_round *r);
/* Rounds counted as not listed because the pool was exhausted (not because
 * their direction had ROUNDS_PER_DIR already). */
uint64_t round_store_pool_full(const struct round_store *s);
/* Copy a list, in order, into out[0..max): the count copied. */
uint16_t round_store_copy(const struct round_store *s, const struct round_list *l,
			  struct cwnd_round *out, uint16_t max);
/* Give a list's blocks back to the pool. */
void round_store_release(struct round_store *s, struct round_list *l);

#endif
