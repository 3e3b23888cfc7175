/*
 * analyze/sack_gap.h — holes the receiver reports with SACK (RFC 2018), and
 * how long each stayed open.
 *
 * Every ACK carrying SACK blocks reveals holes: the ranges between the
 * cumulative ACK and the SACKed blocks above it. A hole not already open
 * opens a sack_gap event (ts/frame of that ACK); it is written when the
 * cumulative ACK or a SACK block covers it, with fill_ms and filled_by: the
 * cause of the first resend of its bytes (fast / rto / tlp), unknown when it
 * was filled with no resend seen (the original arrived late), never when the
 * connection ended first. D-SACK blocks (RFC 2883: below the cumulative ACK,
 * or inside the second block) report duplicates, not holes, and are skipped.
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
/* Bytes [seq, end) of direction dir were resent for reason c. */
void sack_gap_on_resend(struct held_pool *pool, struct flow *f, int dir, uint32_t seq,
			uint32_t end, enum cause c);
/* The flow ends: holes still open are written with filled_by never. */
void sack_gap_flush(struct held_pool *pool, struct flow *f, const struct event_sink *sink);

#endif
