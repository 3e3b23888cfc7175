/*
 * analyze/tcp_track.h — per-direction TCP state: handshake, sequence and
 * acknowledgment tracking, RTT samples, and the detectors that need nothing
 * more than that: retransmission, zero_window, rst, syn_retransmit,
 * giant_segment.
 *
 * tcp_track_segment() is called once per TCP segment of a flow, after the
 * checksum verdict, with dir the segment's direction in the flow.
 */
#ifndef TCPLENS_TCP_TRACK_H
#define TCPLENS_TCP_TRACK_H

#include "csum_fate.h"
#include "round_store.h"
#include "decode.h"
#include "event_sink.h"
#include "flow.h"

/* What the tracker needs besides the flow: where findings go, and the pool
 * that holds corrupt-checksum events until their fate is known. */
struct tcp_ctx {
	const struct event_sink *sink;
	struct held_pool *held;
	struct round_store *rounds;
};

/* True when d is a SYN (not SYN-ACK) whose ISN differs from the one f's client
 * used: the 4-tuple is being reused by a new connection. */
bool tcp_is_new_connection(const struct flow *f, int dir, const struct pkt_decoded *d);

/* Choose the client of a flow first seen with segment d: 1 when d's source is
 * the client. The SYN decides; without one, the side with the higher
 * (ephemeral) port is the client, and on equal ports the sender. */
int tcp_src_is_client(const struct pkt_decoded *d);

void tcp_track_segment(struct tcp_ctx *ctx, struct flow *f, int dir, const struct pkt_decoded *d);

/* True once f has seen both FINs or a RST. */
bool tcp_flow_closed(const struct flow *f);

#endif
