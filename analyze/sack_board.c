/*
 * analyze/sack_board.c — see sack_board.h.
 */
#include "sack_board.h"

#include "seq.h"

/* Plain loops, not memmove: the arrays are a few words, and a SACK flood
 * calls this for every block. */
static void remove_at(struct sack_board *b, int i)
{
	for (int k = i; k + 1 < b->n; k++) {
		b->left[k] = b->left[k + 1];
		b->right[k] = b->right[k + 1];
	}
	b->n--;
}

void sack_board_trim(struct sack_board *b, uint32_t ack)
{
	int keep = 0;
	for (int i = 0; i < b->n; i++) {
		if (seq_leq(b->right[i], ack))
			continue;
		b->left[keep] = seq_lt(b->left[i], ack) ? ack : b->left[i];
		b->right[keep++] = b->right[i];
	}
	b->n = (uint8_t)keep;
}

void sack_board_add(struct sack_board *b, uint32_t left, uint32_t right)
{
	if (!seq_lt(left, right))
		return;
	/* The first range that ends at or after the block's start. */
	int i = 0;
	while (i < b->n && seq_lt(b->right[i], left))
		i++;
	if (i < b->n && seq_leq(b->left[i], right)) {
		/* It touches range i (the usual case: the next segment SACKed):
		 * widen it, then swallow the ranges it now reaches. */
		if (seq_lt(left, b->left[i]))
			b->left[i] = left;
		if (seq_gt(right, b->right[i])) {
			b->right[i] = right;
			while (i + 1 < b->n && seq_geq(b->right[i], b->left[i + 1])) {
				b->right[i] = seq_max(b->right[i], b->right[i + 1]);
				remove_at(b, i + 1);
			}
		}
		return;
	}
	for (int k = b->n; k > i; k--) {
		b->left[k] = b->left[k - 1];
		b->right[k] = b->right[k - 1];
	}
	b->left[i] = left;
	b->right[i] = right;
	b->n++;
	if (b->n > SACK_BOARD_MAX) {
		/* Over: merge the closest pair (never drop a range). */
		int best = 0;
		uint32_t best_gap = UINT32_MAX;
		for (int k = 0; k + 1 < b->n; k++) {
			uint32_t g = (uint32_t)seq_diff(b->left[k + 1], b->right[k]);
			if (g < best_gap) {
				best_gap = g;
				best = k;
			}
		}
		b->right[best] = b->right[best + 1];
		remove_at(b, best + 1);
	}
}

int sack_board_gaps(const struct sack_board *b, uint32_t from, uint32_t to, uint32_t (*gaps)[2],
		    int max)
{
	int n = 0;
	uint32_t at = from;
	for (int i = 0; i < b->n && n < max && seq_lt(at, to); i++) {
		if (seq_leq(b->right[i], at))
			continue;
		uint32_t l = seq_lt(b->left[i], to) ? b->left[i] : to;
		if (seq_gt(l, at)) {
			gaps[n][0] = at;
			gaps[n++][1] = l;
		}
		at = seq_max(at, b->right[i]);
	}
	return n;
}
