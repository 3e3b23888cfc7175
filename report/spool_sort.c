/*
 * report/spool_sort.c — see spool_sort.h.
 *
 * Memory: an arena of records (header + data, 8-aligned) up to the limit;
 * when full it is sorted (by key, then the order of adding) and appended to
 * one temporary file as a run. Reading merges the runs with one small buffer
 * each; when everything fitted in memory, no file is made at all.
 */
#include "spool_sort.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_LIMIT (8u << 20)
#define RUN_BUF 65536

struct rec_hdr {
	uint64_t key;
	uint64_t seq;            /* order of adding: ties keep it */
	uint32_t len;
	uint32_t pad;
};

struct run {
	uint64_t foff, end;      /* the unread part of the run in the file */
	uint8_t *buf;
	size_t bcap, bpos, blen;
	bool have;               /* hdr/data hold its current record */
	struct rec_hdr hdr;
};

struct spool_sort {
	size_t limit;
	uint8_t *arena;
	size_t alen, acap;
	size_t *offs;            /* record offsets in the arena */
	size_t noffs, offcap;
	const uint8_t **sorted;  /* in memory only: the records in order */
	size_t pos;
	uint64_t seq;
	FILE *tmp;
	uint64_t tmp_len;
	struct run *runs;
	size_t nruns, runcap;
	bool finished, in_memory;
	int pending;             /* run whose record was handed out, -1 = none */
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

struct spool_sort *spool_sort_new(size_t mem_limit)
{
	struct spool_sort *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->limit = mem_limit ? mem_limit : DEFAULT_LIMIT;
	s->pending = -1;
	return s;
}

void spool_sort_free(struct spool_sort *s)
{
	if (!s)
		return;
	free(s->arena);
	free(s->offs);
	free(s->sorted);
	for (size_t i = 0; i < s->nruns; i++)
		free(s->runs[i].buf);
	free(s->runs);
	if (s->tmp)
		fclose(s->tmp);
	free(s);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec_hdr *x = *(const struct rec_hdr *const *)a;
	const struct rec_hdr *y = *(const struct rec_hdr *const *)b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort the arena's records into s->sorted. */
static int sort_arena(struct spool_sort *s)
{
	free(s->sorted);
	s->sorted = malloc((s->noffs ? s->noffs : 1) * sizeof(*s->sorted));
	if (!s->sorted)
		return -1;
	for (size_t i = 0; i < s->noffs; i++)
		s->sorted[i] = s->arena + s->offs[i];
	qsort(s->sorted, s->noffs, sizeof(*s->sorted), cmp_rec);
	return 0;
}

/* Write the arena as one sorted run and empty it. */
static int spill(struct spool_sort *s)
{
	if (!s->noffs)
		return 0;
	if (!s->tmp && !(s->tmp = tmpfile()))
		return -1;
	if (s->nruns == s->runcap) {
		size_t ncap = s->runcap ? s->runcap * 2 : 8;
		struct run *nr = realloc(s->runs, ncap * sizeof(*nr));
		if (!nr)
			return -1;
		s->runs = nr;
		s->runcap = ncap;
	}
	if (sort_arena(s) < 0)
		return -1;
	struct run *r = &s->runs[s->nruns];
	memset(r, 0, sizeof(*r));
	r->foff = s->tmp_len;
	for (size_t i = 0; i < s->noffs; i++) {
		const struct rec_hdr *h = (const void *)s->sorted[i];
		size_t n = sizeof(*h) + h->len;
		if (fwrite(h, 1, n, s->tmp) != n)
			return -1;
		s->tmp_len += n;
	}
	r->end = s->tmp_len;
	s->nruns++;
	s->alen = s->noffs = 0;
	free(s->sorted);
	s->sorted = NULL;
	return 0;
}

int spool_sort_add(struct spool_sort *s, uint64_t key, const void *data, uint32_t len)
{
	if (s->finished || len > 65535)
		return -1;
	size_t need = align8(sizeof(struct rec_hdr) + len);
	if (s->alen + need > s->limit && spill(s) < 0)
		return -1;
	if (s->alen + need > s->acap) {
		size_t ncap = s->acap ? s->acap : 4096;
		while (ncap < s->alen + need)
			ncap *= 2;
		uint8_t *na = realloc(s->arena, ncap);
		if (!na)
			return -1;
		s->arena = na;
		s->acap = ncap;
	}
	if (s->noffs == s->offcap) {
		size_t ncap = s->offcap ? s->offcap * 2 : 256;
		size_t *no = realloc(s->offs, ncap * sizeof(*no));
		if (!no)
			return -1;
		s->offs = no;
		s->offcap = ncap;
	}
	struct rec_hdr h = {.key = key, .seq = s->seq++, .len = len};
	memcpy(s->arena + s->alen, &h, sizeof(h));
	if (len)
		memcpy(s->arena + s->alen + sizeof(h), data, len);
	s->offs[s->noffs++] = s->alen;
	s->alen += need;
	return 0;
}

/* Make n bytes of run r readable at buf + bpos. */
static int run_ensure(struct spool_sort *s, struct run *r, size_t n)
{
	if (r->blen - r->bpos >= n)
		return 0;
	memmove(r->buf, r->buf + r->bpos, r->blen - r->bpos);
	r->blen -= r->bpos;
	r->bpos = 0;
	if (n > r->bcap) {
		uint8_t *nb = realloc(r->buf, n);
		if (!nb)
			return -1;
		r->buf = nb;
		r->bcap = n;
	}
	while (r->blen < n) {
		uint64_t want = r->bcap - r->blen;
		if (want > r->end - r->foff)
			want = r->end - r->foff;
		if (!want)
			return -1; /* the run is cut short */
		ssize_t k = pread(fileno(s->tmp), r->buf + r->blen, want, (off_t)r->foff);
		if (k <= 0)
			return -1;
		r->blen += (size_t)k;
		r->foff += (uint64_t)k;
	}
	return 0;
}

/* Load the next record of run r into r->hdr (r->have = false at its end). */
static int run_load(struct spool_sort *s, struct run *r)
{
	r->have = false;
	if (r->bpos == r->blen && r->foff == r->end)
		return 0;
	if (run_ensure(s, r, sizeof(r->hdr)) < 0)
		return -1;
	memcpy(&r->hdr, r->buf + r->bpos, sizeof(r->hdr));
	if (run_ensure(s, r, sizeof(r->hdr) + r->hdr.len) < 0)
		return -1;
	r->have = true;
	return 0;
}

int spool_sort_finish(struct spool_sort *s)
{
	if (s->finished)
		return 0;
	s->finished = true;
	if (!s->nruns) {
		s->in_memory = true;
		return sort_arena(s);
	}
	if (spill(s) < 0 || fflush(s->tmp) != 0)
		return -1;
	free(s->arena);
	s->arena = NULL;
	s->acap = 0;
	for (size_t i = 0; i < s->nruns; i++) {
		struct run *r = &s->runs[i];
		r->bcap = RUN_BUF;
		if (!(r->buf = malloc(r->bcap)) || run_load(s, r) < 0)
			return -1;
	}
	return 0;
}

/* The run holding the smallest record, after advancing the one handed out
 * last. -1 at the end, -2 on an error. */
static int smallest(struct spool_sort *s)
{
	if (s->pending >= 0) {
		struct run *r = &s->runs[s->pending];
		r->bpos += sizeof(r->hdr) + r->hdr.len;
		s->pending = -1;
		if (run_load(s, r) < 0)
			return -2;
	}
	int best = -1;
	for (size_t i = 0; i < s->nruns; i++) {
		const struct run *r = &s->runs[i];
		if (!r->have)
			continue;
		if (best < 0 || r->hdr.key < s->runs[best].hdr.key ||
		    (r->hdr.key == s->runs[best].hdr.key && r->hdr.seq < s->runs[best].hdr.seq))
			best = (int)i;
	}
	return best;
}

int spool_sort_peek(struct spool_sort *s, uint64_t *key)
{
	if (!s->finished)
		return -1;
	if (s->in_memory) {
		if (s->pos >= s->noffs)
			return 0;
		*key = ((const struct rec_hdr *)(const void *)s->sorted[s->pos])->key;
		return 1;
	}
	int b = smallest(s);
	if (b < 0)
		return b == -1 ? 0 : -1;
	*key = s->runs[b].hdr.key;
	return 1;
}

int spool_sort_next(struct spool_sort *s, uint64_t *key, const void **data, uint32_t *len)
{
	if (!s->finished)
		return -1;
	if (s->in_memory) {
		if (s->pos >= s->noffs)
			return 0;
		const uint8_t *p = s->sorted[s->pos++];
		const struct rec_hdr *h = (const void *)p;
		*key = h->key;
		*len = h->len;
		*data = p + sizeof(*h);
		return 1;
	}
	int b = smallest(s);
	if (b < 0)
		return b == -1 ? 0 : -1;
	struct run *r = &s->runs[b];
	*key = r->hdr.key;
	*len = r->hdr.len;
	*data = r->buf + r->bpos + sizeof(r->hdr);
	s->pending = b;
	return 1;
}

uint64_t spool_sort_count(const struct spool_sort *s)
{
	return s->seq;
}

size_t spool_sort_runs(const struct spool_sort *s)
{
	return s->nruns;
}
