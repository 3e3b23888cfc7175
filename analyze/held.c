/*
 * analyze/held.c — see held.h.
 */
#include "held.h"

#include <stdlib.h>
#include <string.h>

struct held_pool *held_pool_new(size_t capacity, uint32_t per_list)
{
	struct held_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->cap = capacity ? capacity : 1;
	if (p->cap > UINT32_MAX - 1)
		p->cap = UINT32_MAX - 1; /* indices + 1 are 32-bit */
	p->per_list = per_list ? per_list : UINT32_MAX;
	p->v = calloc(p->cap, sizeof(*p->v));
	if (!p->v) {
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < p->cap; i++)
		p->v[i].next = i + 1 < p->cap ? (uint32_t)(i + 2) : 0;
	p->free_head = 1;
	return p;
}

void held_pool_free(struct held_pool *p)
{
	if (!p)
		return;
	free(p->v);
	free(p);
}

struct held *held_take(struct held_pool *p, uint32_t *head)
{
	uint32_t *link = head, n = 0;
	while (*link && n < p->per_list) {
		link = &p->v[*link - 1].next;
		n++;
	}
	if (!p->free_head || n >= p->per_list) {
		p->overflow++;
		return NULL;
	}
	uint32_t idx1 = p->free_head;
	struct held *h = &p->v[idx1 - 1];
	p->free_head = h->next;
	memset(h, 0, sizeof(*h));
	*link = idx1;
	return h;
}

struct held *held_hold(struct held_pool *p, uint32_t *head, const struct finding_event *ev, int dir,
		       uint32_t seq, uint32_t end)
{
	struct held *h = held_take(p, head);
	if (h) {
		h->ev = *ev;
		h->seq = seq;
		h->end = end;
		h->dir = (uint8_t)dir;
	}
	return h;
}

uint64_t held_pool_overflow(const struct held_pool *p)
{
	return p->overflow;
}
