/*
 * analyze/seq_ranges.h — a few disjoint sequence ranges [left, right) with
 * the time each opened, in constant memory: the holes in what a capture saw
 * of a sender's data. Wrap-safe through seq.h. When full, the oldest range is
 * forgotten (and counted): a pathological flow cannot grow it.
 */
#ifndef TCPLENS_SEQ_RANGES_H
#define TCPLENS_SEQ_RANGES_H

#include <stdbool.h>
#include <stdint.h>

#include "seq.h"

#define SEQ_RANGES_MAX 4

struct seq_range {
	uint32_t left, right;
	uint64_t opened_ns;
};

struct seq_ranges {
	uint8_t n;
	struct seq_range r[SEQ_RANGES_MAX];
};

/* Add [left, right) opened at ts; returns false when an old range had to be
 * dropped to make room. */
bool seq_ranges_add(struct seq_ranges *s, uint32_t left, uint32_t right, uint64_t ts);

/* Remove [left, right) from the set. Calls fn for each piece that was inside
 * a range (the part of a hole this segment fills) with that range's open
 * time; fn may be NULL. */
typedef void (*seq_ranges_fn)(void *user, uint32_t left, uint32_t right, uint64_t opened_ns);
void seq_ranges_remove(struct seq_ranges *s, uint32_t left, uint32_t right, seq_ranges_fn fn,
		       void *user);

/* Remove everything below upto, calling fn for each removed piece. */
void seq_ranges_remove_below(struct seq_ranges *s, uint32_t upto, seq_ranges_fn fn, void *user);

#endif
