/*
 * tests/unit/test_held.c — analyze/held.c: lists keep arrival order, the
 * pool and per-list caps refuse (and count) what does not fit, a sweep
 * removes exactly what its callback says and the entries come back to the
 * pool; random holds and sweeps against a model of the lists.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "analyze/held.h"
#include "pktbuild.h"

static struct held *hold(struct held_pool *p, uint32_t *head, uint32_t seq)
{
	struct finding_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.frame = seq;
	return held_hold(p, head, &ev, 0, seq, seq + 10);
}

struct seen {
	uint32_t seq[64];
	int n;
	uint32_t drop_below;
};

static int visit(void *user, struct held *h)
{
	struct seen *s = user;
	s->seq[s->n++] = h->seq;
	return h->seq < s->drop_below;
}

Test(held, order_caps_and_release)
{
	struct held_pool *p = held_pool_new(5, 3);
	uint32_t a = 0, b = 0;
	for (uint32_t i = 1; i <= 4; i++) {
		struct held *h = hold(p, &a, i * 100);
		if (i <= 3)
			cr_assert_not_null(h, "entry %u", i);
		else
			cr_assert_null(h, "the list holds 3 at most");
	}
	cr_assert_eq(held_pool_overflow(p), 1);
	cr_assert_not_null(hold(p, &b, 1));
	cr_assert_not_null(hold(p, &b, 2));
	cr_assert_null(hold(p, &b, 3), "the pool holds 5");
	cr_assert_eq(held_pool_overflow(p), 2);
	struct seen s = {.drop_below = 250};
	held_sweep(p, &a, visit, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.seq[0], 100);
	cr_assert_eq(s.seq[1], 200);
	cr_assert_eq(s.seq[2], 300);
	s = (struct seen){.drop_below = 0};
	held_sweep(p, &a, visit, &s);
	cr_assert_eq(s.n, 1, "100 and 200 removed");
	cr_assert_eq(s.seq[0], 300);
	cr_assert_not_null(hold(p, &b, 3), "released entries are taken again");
	cr_assert_eq(p->v[(b ? b : 1) - 1].seq, 1, "the list still starts where it did");
	held_pool_free(p);
}

/* Random holds on 4 lists and random sweeps, against arrays. */
Test(held, random_against_a_model)
{
	enum { LISTS = 4, CAP = 40, PER = 16 };
	struct held_pool *p = held_pool_new(CAP, PER);
	uint32_t head[LISTS] = {0};
	uint32_t model[LISTS][PER];
	int n[LISTS] = {0}, total = 0;
	uint64_t refused = 0, st = 99;
	uint32_t next = 1;
	for (int step = 0; step < 20000; step++) {
		int l = (int)(pb_rand(&st) % LISTS);
		if (pb_rand(&st) % 3) {
			struct held *h = hold(p, &head[l], next);
			bool fits = n[l] < PER && total < CAP;
			cr_assert_eq(h != NULL, fits, "step %d", step);
			if (fits) {
				model[l][n[l]++] = next;
				total++;
			} else {
				refused++;
			}
			next++;
		} else {
			struct seen s = {.drop_below = 0};
			uint32_t cut = n[l] ? model[l][pb_rand(&st) % n[l]] : 0;
			s.drop_below = cut;
			held_sweep(p, &head[l], visit, &s);
			cr_assert_eq(s.n, n[l]);
			int k = 0;
			for (int i = 0; i < n[l]; i++) {
				cr_assert_eq(s.seq[i], model[l][i], "arrival order");
				if (model[l][i] >= cut)
					model[l][k++] = model[l][i];
			}
			total -= n[l] - k;
			n[l] = k;
		}
	}
	cr_assert_eq(held_pool_overflow(p), refused);
	held_pool_free(p);
}
