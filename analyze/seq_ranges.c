/*
 * analyze/seq_ranges.c — see seq_ranges.h.
 */
#include "seq_ranges.h"

#include <string.h>

static void drop(struct seq_ranges *s, uint8_t i)
{
	memmove(&s->r[i], &s->r[i + 1], (size_t)(s->n - i - 1) * sizeof(s->r[0]));
	s->n--;
}

bool seq_ranges_add(struct seq_ranges *s, uint32_t left, uint32_t right, uint64_t ts)
{
	if (!seq_lt(left, right))
		return true;
	bool kept_all = true;
	if (s->n == SEQ_RANGES_MAX) {
		drop(s, 0);
		kept_all = false;
	}
	s->r[s->n].left = left;
	s->r[s->n].right = right;
	s->r[s->n].opened_ns = ts;
	s->n++;
	return kept_all;
}

void seq_ranges_remove(struct seq_ranges *s, uint32_t left, uint32_t right, seq_ranges_fn fn,
		       void *user)
{
	for (uint8_t i = 0; i < s->n;) {
		struct seq_range r = s->r[i];
		if (!seq_lt(left, r.right) || !seq_gt(right, r.left)) {
			i++;
			continue;
		}
		uint32_t a = seq_max(left, r.left), b = seq_min(right, r.right);
		if (fn)
			fn(user, a, b, r.opened_ns);
		bool keep_low = seq_lt(r.left, a), keep_high = seq_gt(r.right, b);
		if (keep_low && keep_high) {
			s->r[i].right = a;
			if (s->n < SEQ_RANGES_MAX) {
				s->r[s->n].left = b;
				s->r[s->n].right = r.right;
				s->r[s->n].opened_ns = r.opened_ns;
				s->n++;
			}
			i++;
		} else if (keep_low) {
			s->r[i].right = a;
			i++;
		} else if (keep_high) {
			s->r[i].left = b;
			i++;
		} else {
			drop(s, i);
		}
	}
}

/* The test is seq_gt(upto, left), the very one seq_ranges_remove uses for
 * an overlap: at a distance of exactly 2^31, seq_lt(left, upto) and
 * seq_gt(upto, left) disagree, and a range the removal does not touch made
 * this loop spin forever (a hostile capture with sequence jumps of 2^31,
 * tests/hostile). Each pass settles the range it picks (moved up to upto or
 * dropped); the pass cap is a second guard. */
void seq_ranges_remove_below(struct seq_ranges *s, uint32_t upto, seq_ranges_fn fn, void *user)
{
	for (int pass = 0, again = 1; again && pass < 4 * SEQ_RANGES_MAX; pass++) {
		again = 0;
		for (uint8_t i = 0; i < s->n; i++) {
			if (seq_gt(upto, s->r[i].left)) {
				seq_ranges_remove(s, s->r[i].left, upto, fn, user);
				again = 1; /* the set changed: look again */
				break;
			}
		}
	}
}
