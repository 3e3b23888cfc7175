/*
 * analyze/segment_obs.h — what the per-segment observer (the HTML report's
 * sampler) is told of one TCP segment: the segment, and the facts of its
 * flow right after the analyzer handled it. Self-contained (no pointer into
 * the analyzer), so a shard can record it and the sharded merge replay it
 * where one analyzer would have made the call: the observer sees the same
 * sequence at any --threads.
 */
#ifndef TCPLENS_SEGMENT_OBS_H
#define TCPLENS_SEGMENT_OBS_H

#include <stdint.h>

#include "decode.h"

struct segment_obs {
	uint64_t ts_ns;
	uint64_t frame;            /* its frame number (1-based, Wireshark's) */
	uint64_t flow_bytes;       /* both directions' wire bytes so far */
	double badness;            /* flow_badness, once the flow is closed (else 0) */
	uint32_t flow_id;
	uint32_t seq, ack, payload_len;
	uint32_t seq_base;         /* the sender's */
	uint32_t peer_seq_base;    /* the receiver's, valid when peer_seq_known */
	uint32_t rwnd;             /* the sender's advertised window, scaled */
	uint32_t retransmissions;  /* the sender's so far, this segment included */
	uint8_t dir;               /* the sender: 0 client, 1 server */
	uint8_t tcp_flags;
	uint8_t l4_verdict;        /* enum csum_verdict */
	uint8_t giant;             /* above the receiver's MSS (TSO/GRO) */
	uint8_t first_packet;      /* the flow's first packet */
	uint8_t peer_seq_known;
	uint8_t closed;            /* the flow is closed (it lingers until it ends) */
	uint8_t sack_count;        /* sack[0..sack_count) */
	struct tcp_sack_block sack[TCP_MAX_SACK];
};

#endif
