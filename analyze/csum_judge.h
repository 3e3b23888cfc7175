/*
 * analyze/csum_judge.h — a flow's frame checksums judged: the verdicts of
 * csum_verify (computed ahead, in pkt_prepared) become the flow's counts
 * and events. An offload artifact is an event with the side that made it
 * (tx, or rx for a giant GRO/LRO merged); a mismatch nothing explains is
 * corruption, its fate held until the sender's next move shows whether the
 * receiver dropped the segment (csum_fate.h); a tunnel's outer UDP sum
 * counts as Local Checksum Offload, a GSO seed or underlay damage. No I/O.
 */
#ifndef TCPLENS_CSUM_JUDGE_H
#define TCPLENS_CSUM_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer.h"
#include "held.h"

struct csum_judge {
	struct held_pool *held;           /* corrupt segments awaiting their fate */
	const struct event_sink *events;
	bool no_offload_signature;        /* --test-no-offload-signature */
	uint64_t *unverifiable;           /* segments cut by the snap length */
};

/* The TCP/UDP checksum of a frame of flow f (pp->l4_done), and the outer
 * UDP one of a tunneled frame. d->giant_mss must be set. */
void csum_judge_l4(const struct csum_judge *j, struct flow *f, int dir, const struct pkt_prepared *pp,
		   struct pkt_decoded *d);

/* A wrong IPv4 header checksum (found, expected): f may be NULL (a frame
 * without a flow). */
void csum_judge_ip(const struct csum_judge *j, struct flow *f, int dir, const struct pkt_prepared *pp,
		   const struct pkt_decoded *d, uint16_t found, uint16_t expected);

#endif
