/*
 * analyze/dsack.h — retransmissions held until the receiver has answered
 * them, so that a D-SACK (RFC 2883: the receiver got those bytes twice) can
 * still mark one spurious before it is written.
 *
 * A D-SACK can come after the cumulative ACK has covered the resend: when
 * the original was only delayed (reordering), it reaches the receiver first
 * and is acknowledged, and the resend arriving later is the duplicate. So a
 * resend stays open until it is covered AND one can no longer come: a
 * duplicate arrives at most one round trip after the resend left the
 * capture point, and its D-SACK may wait for a delayed ACK (at most
 * TCP_DELACK_MAX, 200 ms, though Linux acknowledges a duplicate at once:
 * tcp_data_queue's out-of-window path enters quick-ACK mode). The deadline
 * is therefore the resend's time plus the flow's RTO estimate, srtt +
 * max(4 rttvar, 200 ms) (flow_rto_estimate_ns): a round trip and the
 * longest delayed ACK; and at least one RTT after the ACK that covered it:
 * when the ACK path stalls and then delivers its queue at once (an outage,
 * samples/resend_first_v6_rtt80), the covering ACK and the D-SACK arrive in
 * the same burst, long past the resend's deadline, the D-SACK after the
 * ACKs the receiver sent before the duplicate reached it.
 * A held resend is written, with cause spurious if a
 * D-SACK block overlapped it, at the first ACK from the receiver that finds
 * it covered and past the deadline, at once when it is covered and already
 * D-SACKed, or when the flow ends. The held pool bounds the memory, and a
 * flow keeps at most 8 covered resends waiting (past that the oldest is
 * written), so an ACK without a D-SACK block costs one comparison for them.
 *
 * One D-SACK block reports one duplicate arrival of those bytes. When the
 * same bytes are held twice (the capture saw a late original and its resend
 * at the receiver, or two resends), a block marks only the latest copy not
 * yet marked: the copy that arrived second is the duplicate.
 */
#ifndef TCPLENS_DSACK_H
#define TCPLENS_DSACK_H

#include "decode.h"
#include "event_sink.h"
#include "flow.h"
#include "held.h"

/* Hold the resend ev of [seq, end) of direction dir, seen at ts_ns. */
void dsack_hold(struct held_pool *pool, struct flow *f, int dir, uint32_t seq, uint32_t end,
		uint64_t ts_ns, const struct finding_event *ev, const struct event_sink *sink);
/* d is an ACK from the receiver of direction data_dir. */
void dsack_on_ack(struct held_pool *pool, struct flow *f, int data_dir,
		  const struct pkt_decoded *d, const struct event_sink *sink);
void dsack_flush(struct held_pool *pool, struct flow *f, const struct event_sink *sink);

/* The earliest resend of direction dir still held that overlaps [seq, end):
 * its cause and time, true when there is one. */
bool dsack_first_resend(const struct held_pool *pool, const struct flow *f, int dir, uint32_t seq,
			uint32_t end, enum cause *cause, uint64_t *ts_ns);

/* The D-SACK block of an ACK, if it has one: the first block, when it lies
 * below the cumulative ACK or inside the second block. */
bool dsack_block(const struct pkt_decoded *d, struct tcp_sack_block *out);

#endif
