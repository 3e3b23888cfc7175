/*
 * analyze/csum_verify.h — checksum verdicts for one decoded packet.
 *
 * A mismatch is not always corruption: with checksum offload the kernel
 * leaves the folded pseudo-header sum in the field (CHECKSUM_PARTIAL) for the
 * NIC to finish, and a capture taken before the NIC (tx on the sender; GRO/LRO
 * merged segments on the receiver) sees that seed. The signature needs no
 * payload, so it is recognised even in a segment cut by the snap length.
 */
#ifndef TCPLENS_CSUM_VERIFY_H
#define TCPLENS_CSUM_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

enum csum_verdict {
	CSUM_OK = 0,
	CSUM_ABSENT,        /* UDP over IPv4 with checksum 0: none was computed */
	CSUM_UNVERIFIABLE,  /* cut by the snap length, no offload signature */
	CSUM_OFFLOAD,       /* offload artifact: pseudo-header seed or kernel hint */
	CSUM_BAD,           /* mismatch: corruption */
};

/* IPv4 header checksum: 1 good, 0 bad, -1 not IPv4 or header not captured.
 * On 0, *expected holds the value the field should have. */
int csum_verify_ipv4_header(const struct pkt_decoded *d, uint16_t *expected);

/* TCP/UDP checksum verdict. *expected is the correct field value when the
 * segment was fully captured (else 0). */
enum csum_verdict csum_verify_l4(const struct pkt_decoded *d, uint16_t *expected);

/* The outer UDP checksum of a tunneled packet (d->tun). Linux fills it by
 * Local Checksum Offload (LCO, Documentation/networking/checksum-offloads):
 * as if the inner checksum were already done, while the inner field still
 * holds its pseudo-header seed for the NIC to finish. So a mismatch is
 * *lco (an artifact, not damage) when the outer sum verifies with the inner
 * field replaced by its correct value inner_expected (0: not known).
 * *expected is the outer field's correct value for the bytes captured. */
enum csum_verdict csum_verify_tunnel_udp(const struct pkt_decoded *d, uint16_t inner_expected,
					 uint16_t *expected, bool *lco);

#endif
