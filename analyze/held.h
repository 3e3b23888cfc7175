/*
 * analyze/held.h — events held back until their verdict is known (a corrupt
 * segment's fate, a SACK hole's fill time). One fixed pool serves all flows;
 * a flow keeps only the heads of its lists. When the pool is full, callers
 * write the event at once with what they know, so memory stays bounded
 * whatever the traffic.
 */
#ifndef TCPLENS_HELD_H
#define TCPLENS_HELD_H

#include <stddef.h>
#include <stdint.h>

#include "findings.h"

struct held {
	struct tcp_event ev;
	uint32_t seq, end;     /* the sequence range it is about */
	uint64_t t;            /* a time the owner needs (a resend's time) */
	uint32_t next;         /* index + 1 in its list, 0 = last */
	uint8_t dir;
	uint8_t flag;          /* owner's use */
	uint8_t cause;         /* owner's use */
};

struct held_pool;

struct held_pool *held_pool_new(size_t capacity);
void held_pool_free(struct held_pool *p);

/* A new entry appended to the list at *head (so lists keep arrival order),
 * zeroed but for `next`; NULL when the pool is full. */
struct held *held_take(struct held_pool *p, uint32_t *head);

/* Visit the list at *head in order; entries for which fn returns 1 are
 * removed and returned to the pool (fn writes their event first). */
typedef int (*held_fn)(void *user, struct held *h);
void held_sweep(struct held_pool *p, uint32_t *head, held_fn fn, void *user);

#endif
