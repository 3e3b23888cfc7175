/*
 * analyze/csum_fate.h — what became of a segment with a corrupt checksum.
 *
 * A csum_bad event is held until the rest of the connection tells its fate:
 *   dropped   the sender sent those bytes again before the receiver
 *             acknowledged them (the receiver discarded the damaged copy);
 *   accepted  the receiver acknowledged (or SACKed) them with no resend: the
 *             copy the capture saw was damaged, not the one delivered;
 *   unknown   the connection ended (or the capture did) before either.
 * Held events live in one fixed pool shared by all flows (a flow keeps only
 * the head of its list); when the pool is full an event is written at once
 * with fate unknown, so memory stays bounded.
 */
#ifndef TCPLENS_CSUM_FATE_H
#define TCPLENS_CSUM_FATE_H

#include <stddef.h>
#include <stdint.h>

#include "event_sink.h"
#include "flow.h"

struct csum_fate;

struct csum_fate *csum_fate_new(size_t capacity);
void csum_fate_free(struct csum_fate *cf);

/* Hold ev (a csum_bad for data [seq, end) sent in direction dir of f) until
 * its fate is known. Segments without data are written at once. */
void csum_fate_hold(struct csum_fate *cf, struct flow *f, int dir, uint32_t seq, uint32_t end,
		    const struct tcp_event *ev, const struct event_sink *sink);

/* Data [seq, end) was sent in direction dir at ts: a resend of held bytes? */
void csum_fate_on_data(struct csum_fate *cf, struct flow *f, int dir, uint32_t seq, uint32_t end,
		       uint64_t ts_ns);

/* The receiver of direction dir acknowledged up to ack (and SACKed the
 * blocks given): write the held events it settles. */
void csum_fate_on_ack(struct csum_fate *cf, struct flow *f, int dir, uint32_t ack,
		      const struct tcp_sack_block *sack, int nsack, const struct event_sink *sink);

/* The flow ends: write everything still held (resent -> dropped, else unknown). */
void csum_fate_flush(struct csum_fate *cf, struct flow *f, const struct event_sink *sink);

#endif
