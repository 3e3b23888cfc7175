/*
 * report/html_top.c — see html_top.h.
 */
#include "html_top.h"

#include <stdlib.h>

/* a ranks worse than b (the order of html_sampler's ranking) */
static bool worse(double ba, uint64_t bya, uint32_t ida, const struct html_top_entry *b)
{
	if (ba != b->badness)
		return ba > b->badness;
	if (bya != b->bytes)
		return bya > b->bytes;
	return ida < b->id;
}

static bool entry_worse(const struct html_top_entry *a, const struct html_top_entry *b)
{
	return worse(a->badness, a->bytes, a->id, b);
}

int html_top_init(struct html_top *t, uint32_t cap)
{
	t->n = 0;
	t->cap = cap;
	t->e = calloc(cap, sizeof(*t->e));
	return t->e ? 0 : -1;
}

void html_top_free(struct html_top *t)
{
	free(t->e);
	t->e = NULL;
	t->n = t->cap = 0;
}

bool html_top_wants(const struct html_top *t, double badness, uint64_t bytes, uint32_t id)
{
	return t->n < t->cap || worse(badness, bytes, id, &t->e[0]);
}

/* Sift e[i] down the min-heap of n entries (the least bad on top). */
static void sift_down(struct html_top_entry *e, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && entry_worse(&e[m], &e[l]))
			m = l;
		if (r < n && entry_worse(&e[m], &e[r]))
			m = r;
		if (m == i)
			return;
		struct html_top_entry tmp = e[i];
		e[i] = e[m];
		e[m] = tmp;
		i = m;
	}
}

void html_top_put(struct html_top *t, const struct html_top_entry *in)
{
	if (t->n < t->cap) {
		uint32_t i = t->n++;
		t->e[i] = *in;
		while (i > 0) { /* sift up: a less bad entry rises */
			uint32_t up = (i - 1) / 2;
			if (!entry_worse(&t->e[up], &t->e[i]))
				break;
			struct html_top_entry tmp = t->e[i];
			t->e[i] = t->e[up];
			t->e[up] = tmp;
			i = up;
		}
		return;
	}
	t->e[0] = *in;
	sift_down(t->e, t->n, 0);
}

void html_top_sort(struct html_top *t)
{
	/* Heapsort: pop the least bad to the end, so the array ends worst first. */
	for (uint32_t n = t->n; n > 1; n--) {
		struct html_top_entry tmp = t->e[0];
		t->e[0] = t->e[n - 1];
		t->e[n - 1] = tmp;
		sift_down(t->e, n - 1, 0);
	}
}
