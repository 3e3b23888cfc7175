/*
 * analyze/sack_board.h — what a receiver has said it holds above its
 * cumulative ACK: the union of the SACK blocks it sent, as a few disjoint
 * ranges.
 *
 * Why: an ACK lists at most 3-4 blocks, the most recent first (RFC 2018
 * §4), so with more holes than that, data SACKed earlier drops out of the
 * list. A gap between the blocks of one ACK is then not necessarily a hole:
 * in a loss burst, the blocks for the resends arrive one by one and the
 * gaps between them were SACKed long before (samples/cc_bbr.pcap showed 16
 * such "holes" that no resend ever filled). A hole is a gap in the board.
 *
 * Constant memory: SACK_BOARD_MAX ranges. When full, the two ranges closest
 * together are merged: the gap between them counts as received, so a real
 * hole there may go unreported, but no received data is ever called a hole.
 */
#ifndef TCPLENS_SACK_BOARD_H
#define TCPLENS_SACK_BOARD_H

#include <stdint.h>

#define SACK_BOARD_MAX 16

struct sack_board {
	uint8_t n;
	/* sorted, disjoint; one spare slot while a block is merged in */
	uint32_t left[SACK_BOARD_MAX + 1], right[SACK_BOARD_MAX + 1];
};

/* Forget what lies below the cumulative ACK. */
void sack_board_trim(struct sack_board *b, uint32_t ack);
/* Add the block [left, right) (merging what it touches). */
void sack_board_add(struct sack_board *b, uint32_t left, uint32_t right);
/* The gaps of the board inside [from, to): up to max of them into gaps (pairs
 * left, right), in sequence order; returns how many. */
int sack_board_gaps(const struct sack_board *b, uint32_t from, uint32_t to, uint32_t (*gaps)[2],
		    int max);

#endif
