/*
 * analyze/held.h — events held back until their verdict is known (a corrupt
 * segment's fate, a SACK hole's fill time). One fixed pool serves all flows;
 * a flow keeps only the heads of its lists. When the pool is full, or a
 * list already holds per_list entries, callers write the event at once with
 * what they know (counted as an overflow), so memory stays bounded and the
 * sweeps each ACK makes stay short whatever the traffic (a flood of random
 * SACK blocks would otherwise keep thousands of holes in one flow's list).
 */
#ifndef TCPLENS_HELD_H
#define TCPLENS_HELD_H

#include <stddef.h>
#include <stdint.h>

#include "findings.h"

struct held {
	struct finding_event ev;
	uint32_t seq, end;     /* the sequence range it is about */
	uint64_t t;            /* a time the owner needs (a resend's time) */
	uint32_t next;         /* index + 1 in its list, 0 = last */
	uint8_t dir;
	uint8_t flag;          /* owner's use */
	uint8_t cause;         /* owner's use */
};

/* In the header so held_sweep can be inline: a sweep runs on every ACK of a
 * flow with held entries, and inlined its callback is too (a SACK flood
 * spends its time here). Fields are held.c's. */
struct held_pool {
	struct held *v;
	size_t cap;
	uint32_t per_list;
	uint32_t free_head;
	uint64_t overflow;
};

/* A pool of <capacity> entries (at least 1); one list never holds more than
 * <per_list> (0: no limit but the pool's). */
struct held_pool *held_pool_new(size_t capacity, uint32_t per_list);
void held_pool_free(struct held_pool *p);

/* A new entry appended to the list at *head (so lists keep arrival order),
 * zeroed but for `next`; NULL (and one more overflow) when the pool is full
 * or the list holds per_list entries. */
struct held *held_take(struct held_pool *p, uint32_t *head);
/* Hold a copy of ev about [seq, end) of direction dir on the list at *head
 * (held_take, then the fields every owner sets). NULL when the pool or the
 * list is full: the caller writes ev at once, its verdict unknown. */
struct held *held_hold(struct held_pool *p, uint32_t *head, const struct finding_event *ev, int dir,
		       uint32_t seq, uint32_t end);
/* Entries refused by held_take so far. */
uint64_t held_pool_overflow(const struct held_pool *p);

/* Return entry idx1 (1-based, already unlinked from its list) to the pool. */
static inline void held_release(struct held_pool *p, uint32_t idx1)
{
	p->v[idx1 - 1].next = p->free_head;
	p->free_head = idx1;
}

/* Visit the list at *head in order; entries for which fn returns 1 are
 * removed and returned to the pool (fn writes their event first). */
typedef int (*held_fn)(void *user, struct held *h);
static inline void held_sweep(struct held_pool *p, uint32_t *head, held_fn fn, void *user)
{
	uint32_t *link = head;
	while (*link) {
		uint32_t idx1 = *link;
		struct held *h = &p->v[idx1 - 1];
		if (fn(user, h)) {
			*link = h->next;
			held_release(p, idx1);
		} else {
			link = &h->next;
		}
	}
}

#endif
