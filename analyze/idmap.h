/*
 * analyze/idmap.h — the merge's map from a shard's flow ids to the merged
 * ones (sharded.c): open addressing over (key << 32 | value), backward-shift
 * deletion, as large as the shard's open flows. Keys are flow ids, never 0.
 */
#ifndef TCPLENS_IDMAP_H
#define TCPLENS_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap {
	uint64_t *slot;
	size_t cap, n;
	unsigned bits;
};

/* key -> val. Out of memory: not kept (idmap_get then gives key back). */
void idmap_put(struct idmap *m, uint32_t key, uint32_t val);
/* The value of key (removed when take), or key itself when unknown. */
uint32_t idmap_get(struct idmap *m, uint32_t key, bool take);
void idmap_free(struct idmap *m);

#endif
