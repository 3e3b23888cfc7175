/*
 * analyze/idmap.c — see idmap.h.
 */
#include "idmap.h"

#include <stdlib.h>

static int grow(struct idmap *m)
{
	unsigned bits = m->bits ? m->bits + 1 : 10;
	size_t cap = (size_t)1 << bits;
	uint64_t *slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		uint64_t v = m->slot[i];
		if (!v)
			continue;
		size_t j = (size_t)(((v >> 32) * 0x9e3779b97f4a7c15ull) >> (64 - bits));
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = v;
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
	m->bits = bits;
	return 0;
}

static size_t home_of(const struct idmap *m, uint32_t key)
{
	return (size_t)(((uint64_t)key * 0x9e3779b97f4a7c15ull) >> (64 - m->bits));
}

void idmap_put(struct idmap *m, uint32_t key, uint32_t val)
{
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return; /* out of memory: the flow keeps its shard's id */
	size_t i = home_of(m, key);
	while (m->slot[i])
		i = (i + 1) & (m->cap - 1);
	m->slot[i] = (uint64_t)key << 32 | val;
	m->n++;
}

uint32_t idmap_get(struct idmap *m, uint32_t key, bool take)
{
	if (!m->cap)
		return key;
	size_t mask = m->cap - 1, i = home_of(m, key);
	for (;; i = (i + 1) & mask) {
		uint64_t v = m->slot[i];
		if (!v)
			return key;
		if ((uint32_t)(v >> 32) == key)
			break;
	}
	uint32_t val = (uint32_t)m->slot[i];
	if (!take)
		return val;
	size_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		uint64_t v = m->slot[j];
		if (!v)
			break;
		size_t home = home_of(m, (uint32_t)(v >> 32));
		int movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			m->slot[i] = v;
			i = j;
		}
	}
	m->slot[i] = 0;
	m->n--;
	return val;
}

void idmap_free(struct idmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->cap = m->n = 0;
	m->bits = 0;
}
