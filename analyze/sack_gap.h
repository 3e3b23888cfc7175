/*
 * analyze/sack_gap.h — holes the receiver reports with SACK (RFC 2018), and
 * how long each stayed open.
 *
 * Every ACK carrying SACK blocks reveals holes: the ranges between the
 * cumulative ACK and the SACKed blocks above it. A hole not already open
 * opens a sack_gap event (ts/frame of that ACK); it is written when the
 * cumulative ACK or a SACK block covers it, with fill_ms and filled_by:
 *
 *  - the cause of the first resend of its bytes (fast / rto / tlp), whether
 *    it was sent after the SACK that showed the hole or before it (RACK-TLP,
 *    RFC 8985, resends on time or on earlier SACKs, and the capture point can
 *    see the resend leave before the revealing SACK comes back), provided
 *    the fill came late enough to be that resend's doing: a resend seen at
 *    the capture point is acknowledged there no sooner than the receiver's
 *    side of the round trip (capture -> receiver -> capture, the smallest
 *    seen; 3/4 of it for jitter);
 *  - original when the original did it, arriving late (reordering): the
 *    fill came before any resend could have been acknowledged, or with no
 *    resend, within 3/4 of the smallest RTT of the hole opening (a resend
 *    prompted by that SACK needs the whole path: SACK to the sender, resend
 *    to the receiver, its ACK back here);
 *  - unknown when no rule fits: filled later with no resend seen (the
 *    capture missed the resend, or the original came more than an RTT late);
 *  - never when the connection ended first.
 *
 * D-SACK blocks (RFC 2883: below the cumulative ACK, or inside the second
 * block) report duplicates, not holes, and are skipped.
 */
#ifndef TCPLENS_SACK_GAP_H
#define TCPLENS_SACK_GAP_H

#include "decode.h"
#include "event_sink.h"
#include "flow.h"
#include "held.h"

/* d is an ACK from the receiver of direction data_dir. */
void sack_gap_on_ack(struct held_pool *pool, struct flow *f, int data_dir,
		     const struct pkt_decoded *d, const struct event_sink *sink);
/* Bytes [seq, end) of direction dir were resent for reason c at ts_ns. */
void sack_gap_on_resend(struct held_pool *pool, struct flow *f, int dir, uint32_t seq,
			uint32_t end, enum cause c, uint64_t ts_ns);
/* The flow ends: holes still open are written with filled_by never. */
void sack_gap_flush(struct held_pool *pool, struct flow *f, const struct event_sink *sink);

#endif
