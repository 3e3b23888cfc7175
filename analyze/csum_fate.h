/*
 * analyze/csum_fate.h — what became of a segment with a corrupt checksum.
 *
 * A csum_bad event is held until the rest of the connection tells its fate:
 *   dropped   the sender sent those bytes again before the receiver
 *             acknowledged them (the receiver discarded the damaged copy);
 *   accepted  the receiver acknowledged (or SACKed) them with no resend: the
 *             copy the capture saw was damaged, not the one delivered;
 *   unknown   the connection ended (or the capture did) before either.
 * Held events live in held.h's pool; when it is full an event is written
 * at once with fate unknown, so memory stays bounded.
 */
#ifndef TCPLENS_CSUM_FATE_H
#define TCPLENS_CSUM_FATE_H

#include <stddef.h>
#include <stdint.h>

#include "event_sink.h"
#include "flow.h"
#include "held.h"

/* Hold ev (a csum_bad for the sequence space [seq, end) sent in direction
 * dir of f: its data, and the SYN's and FIN's one number each) until its
 * fate is known. Segments without sequence space (pure ACKs, RSTs) are
 * written at once, fate unknown: nothing the peer does tells. */
void csum_fate_hold(struct held_pool *pool, struct flow *f, int dir, uint32_t seq, uint32_t end,
		    const struct finding_event *ev, const struct event_sink *sink);

/* Sequence space [seq, end) (data, SYN, FIN) was sent in direction dir at
 * ts: a resend of held bytes? */
void csum_fate_on_data(struct held_pool *pool, struct flow *f, int dir, uint32_t seq, uint32_t end,
		       uint64_t ts_ns);

/* The receiver of direction dir acknowledged up to ack (and SACKed the
 * blocks given): write the held events it settles. */
void csum_fate_on_ack(struct held_pool *pool, struct flow *f, int dir, uint32_t ack,
		      const struct tcp_sack_block *sack, int nsack, const struct event_sink *sink);

/* The flow ends: write everything still held (resent -> dropped, else unknown). */
void csum_fate_flush(struct held_pool *pool, struct flow *f, const struct event_sink *sink);

#endif
