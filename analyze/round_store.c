/*
 * analyze/round_store.c — see round_store.h.
 */
#include "round_store.h"

#include <stdlib.h>
#include <string.h>

#define BLOCKS_PER_CHUNK 1024

struct round_block {
	struct cwnd_round r[ROUNDS_PER_BLOCK];
	uint8_t n;
	uint32_t next;       /* block index + 1 */
};

struct round_store {
	struct round_block **chunks;
	size_t nchunks, chunk_cap, max_blocks, used_blocks;
	uint32_t free_head;
	uint64_t pool_full;
};

const char *round_phase_name(enum round_phase p)
{
	switch (p) {
	case PHASE_SLOW_START: return "slow_start";
	case PHASE_CONGESTION_AVOIDANCE: return "congestion_avoidance";
	case PHASE_RECOVERY: return "recovery";
	case PHASE_APP: return "app";
	}
	return "slow_start";
}

static struct round_block *blk(const struct round_store *s, uint32_t idx1)
{
	uint32_t i = idx1 - 1;
	return &s->chunks[i / BLOCKS_PER_CHUNK][i % BLOCKS_PER_CHUNK];
}

struct round_store *round_store_new(size_t max_rounds)
{
	struct round_store *s = calloc(1, sizeof(*s));
	if (s)
		s->max_blocks = max_rounds / ROUNDS_PER_BLOCK + 1;
	return s;
}

void round_store_free(struct round_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nchunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	free(s);
}

static uint32_t take_block(struct round_store *s)
{
	if (s->free_head) {
		uint32_t idx1 = s->free_head;
		s->free_head = blk(s, idx1)->next;
		memset(blk(s, idx1), 0, sizeof(struct round_block));
		return idx1;
	}
	if (s->used_blocks >= s->max_blocks)
		return 0;
	if (s->used_blocks == s->nchunks * BLOCKS_PER_CHUNK) {
		if (s->nchunks == s->chunk_cap) {
			size_t cap = s->chunk_cap ? 2 * s->chunk_cap : 8;
			struct round_block **c = realloc(s->chunks, cap * sizeof(*c));
			if (!c)
				return 0;
			s->chunks = c;
			s->chunk_cap = cap;
		}
		struct round_block *c = calloc(BLOCKS_PER_CHUNK, sizeof(*c));
		if (!c)
			return 0;
		s->chunks[s->nchunks++] = c;
	}
	return (uint32_t)++s->used_blocks;
}

void round_store_append(struct round_store *s, struct round_list *l, const struct cwnd_round *r)
{
	if (l->stored >= ROUNDS_PER_DIR) {
		l->not_listed++;
		return;
	}
	struct round_block *b = l->tail ? blk(s, l->tail) : NULL;
	if (!b || b->n == ROUNDS_PER_BLOCK) {
		uint32_t idx1 = take_block(s);
		if (!idx1) {
			l->not_listed++;
			s->pool_full++;
			return;
		}
		if (l->tail)
			b->next = idx1;
		else
			l->head = idx1;
		l->tail = idx1;
		b = blk(s, idx1);
	}
	b->r[b->n++] = *r;
	l->stored++;
}

uint64_t round_store_pool_full(const struct round_store *s)
{
	return s->pool_full;
}

uint16_t round_store_copy(const struct round_store *s, const struct round_list *l,
			  struct cwnd_round *out, uint16_t max)
{
	uint16_t n = 0;
	for (uint32_t i = l->head; i && n < max; i = blk(s, i)->next) {
		const struct round_block *b = blk(s, i);
		for (uint8_t k = 0; k < b->n && n < max; k++)
			out[n++] = b->r[k];
	}
	return n;
}

void round_store_release(struct round_store *s, struct round_list *l)
{
	uint32_t i = l->head;
	while (i) {
		uint32_t next = blk(s, i)->next;
		blk(s, i)->next = s->free_head;
		s->free_head = i;
		i = next;
	}
	memset(l, 0, sizeof(*l));
}
