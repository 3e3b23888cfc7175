/*
 * analyze/dsack.h — retransmissions held until the receiver has answered
 * them, so that a D-SACK (RFC 2883: the receiver got those bytes twice) can
 * still mark one spurious before it is written.
 *
 * A retransmission event is written when the cumulative ACK covers it (with
 * cause spurious if that ACK, or one before, carried a D-SACK block
 * overlapping it), or when the flow ends.
 */
#ifndef TCPLENS_DSACK_H
#define TCPLENS_DSACK_H

#include "decode.h"
#include "event_sink.h"
#include "flow.h"
#include "held.h"

void dsack_hold(struct held_pool *pool, struct flow *f, int dir, uint32_t seq, uint32_t end,
		const struct tcp_event *ev, const struct event_sink *sink);
/* d is an ACK from the receiver of direction data_dir. */
void dsack_on_ack(struct held_pool *pool, struct flow *f, int data_dir,
		  const struct pkt_decoded *d, const struct event_sink *sink);
void dsack_flush(struct held_pool *pool, struct flow *f, const struct event_sink *sink);

/* The D-SACK block of an ACK, if it has one: the first block, when it lies
 * below the cumulative ACK or inside the second block. */
bool dsack_block(const struct pkt_decoded *d, struct tcp_sack_block *out);

#endif
