/*
 * analyze/cwnd.h — the sender's congestion window, estimated round by round
 * from what the capture saw.
 *
 * Rounds are ACK-clocked: a round ends when the ACK of its first segment is
 * seen; data captured later than the ACK could have reached the sender and
 * been answered (nine tenths of the sender's half of the RTT, seen from the
 * capture point) starts the next round. Per round: the flight (the larger of the bytes sent in the
 * round and the most outstanding at any send), what limited it (rwnd: the
 * flight filled the receiver's window; app: the round ended with a sub-MSS
 * segment, the sender had no more; pacing: captured on the sender's side,
 * most segments left on the sender's own timer rather than right after an
 * ACK, as BBR paces below its cwnd; else cwnd) and the phase (recovery while
 * resends are outstanding; slow_start while the flight grows 1.5x or more a
 * round; else congestion_avoidance).
 *
 * Events: initial_window (the first round after the handshake; not on paths
 * under 1 ms, where the first ACK returns before the flight is sent, nor
 * without this side's SYN and the peer's ACKs in the capture: a later
 * flight, or a whole one-way transfer, is no first flight),
 * cwnd_reduction (the flight of the second full round after a loss
 * recovery against the flight when the loss was found, when below 0.9), idle_restart (the first round after an
 * idle longer than the RTO estimate is below 3/4 of the last before it).
 * cc_guess from the reductions: ratio ~0.5 reno, ~0.7 cubic, no reduction
 * despite loss bbr; no loss, unknown.
 */
#ifndef TCPLENS_CWND_H
#define TCPLENS_CWND_H

#include <stdbool.h>

#include "decode.h"
#include "event_sink.h"
#include "flow.h"
#include "round_store.h"

struct cwnd_ctx {
	const struct event_sink *sink;
	struct round_store *rounds;
	uint64_t rto_ns;        /* the flow's RTO estimate now */
};

/* d carried data from direction dir; resent = it was a retransmission. */
void cwnd_on_data(struct cwnd_ctx *c, struct flow *f, int dir, const struct pkt_decoded *d,
		  bool resent);
/* The receiver of direction data_dir acknowledged up to ack at ts. */
/* A resend of direction dir, sent at resend_ts, turned out spurious (a
 * D-SACK, or its bytes were acknowledged already): counted against the loss
 * episode it belonged to, if that is still the current one. */
void cwnd_note_spurious(struct flow *f, int dir, uint64_t resend_ts);
void cwnd_on_ack(struct cwnd_ctx *c, struct flow *f, int data_dir, uint32_t ack, uint64_t ts);
/* The flow ends: close open rounds, decide cc_guess. */
void cwnd_flush(struct cwnd_ctx *c, struct flow *f);

const char *cc_guess_name(int guess);

#endif
