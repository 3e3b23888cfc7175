/*
 * tests/unit/test_flow_table.c — analyze/flow_table.c: one flow for both
 * directions, eviction order under a flood (closed first, then the least
 * recently active), linger expiry, drain order, and randomized runs against
 * simple reference models (a plain array for the index with its
 * backward-shift deletion; two ordered lists for the recency rules).
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/flow_table.h"
#include "pktbuild.h"

/* ---- what the retire callback saw ---- */

#define LOG_MAX 200000

struct retired {
	uint32_t id;
	enum flow_retire_reason why;
	bool evicted;
	uint16_t port0;
};

static struct retired *log_v;
static size_t log_n;

static void log_init(void)
{
	log_v = calloc(LOG_MAX, sizeof(*log_v));
	log_n = 0;
}

static void log_fini(void)
{
	free(log_v);
	log_v = NULL;
}

TestSuite(flow_table, .init = log_init, .fini = log_fini);

static void on_retire(void *user, struct flow *f, enum flow_retire_reason why)
{
	size_t *calls = user;
	if (calls)
		(*calls)++;
	cr_assert_lt(log_n, LOG_MAX);
	log_v[log_n].id = f->id;
	log_v[log_n].why = why;
	log_v[log_n].evicted = f->evicted;
	log_v[log_n].port0 = f->key.port[0];
	log_n++;
}

/* Endpoints of test flow i: client 10.a.b.c:(1024 + i % 50000), server
 * 192.0.2.1:80 (IPv4) or the same in 2001:db8::/32 (IPv6). */
struct ep {
	uint8_t ver;
	uint8_t c[16], s[16];
	uint16_t cp, sp;
};

static struct ep ep_of(uint32_t i, uint8_t ver)
{
	struct ep e;
	memset(&e, 0, sizeof(e));
	e.ver = ver;
	if (ver == 4) {
		e.c[0] = 10;
		e.c[1] = (uint8_t)(i >> 16);
		e.c[2] = (uint8_t)(i >> 8);
		e.c[3] = (uint8_t)i;
		e.s[0] = 192;
		e.s[2] = 2;
		e.s[3] = 1;
	} else {
		e.c[0] = 0x20;
		e.c[1] = 0x01;
		e.c[2] = 0x0d;
		e.c[3] = 0xb8;
		e.c[12] = (uint8_t)(i >> 24);
		e.c[13] = (uint8_t)(i >> 16);
		e.c[14] = (uint8_t)(i >> 8);
		e.c[15] = (uint8_t)i;
		memcpy(e.s, e.c, 4);
		e.s[15] = 1;
	}
	e.cp = (uint16_t)(1024 + i % 50000);
	e.sp = 80;
	return e;
}

static struct flow *ins(struct flow_table *t, const struct ep *e, uint64_t ts)
{
	struct flow *f = flow_table_insert(t, e->ver, IPPROTO_TCP, e->c, e->cp, e->s, e->sp, NULL, 0, ts);
	cr_assert_not_null(f);
	return f;
}

/* Look up e in the direction given (0: client -> server). */

/* A lookup of a packet outside any tunnel. */
static struct flow *lookup_untunneled(struct flow_table *t, uint8_t ip_ver, uint8_t proto,
				      const uint8_t *src, uint16_t sport, const uint8_t *dst,
				      uint16_t dport, int *dir)
{
	return flow_table_lookup_hashed(t, flow_table_hash(ip_ver, proto, src, sport, dst, dport, 0),
					ip_ver, proto, src, sport, dst, dport, NULL, 0, dir);
}
static struct flow *find(struct flow_table *t, const struct ep *e, int from_server, int *dir)
{
	if (from_server)
		return lookup_untunneled(t, e->ver, IPPROTO_TCP, e->s, e->sp, e->c, e->cp, dir);
	return lookup_untunneled(t, e->ver, IPPROTO_TCP, e->c, e->cp, e->s, e->sp, dir);
}

Test(flow_table, both_directions_ipv4)
{
	struct flow_table *t = flow_table_new(16, 1000, on_retire, NULL);
	cr_assert_not_null(t);
	static const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	struct flow *f = flow_table_insert(t, 4, IPPROTO_TCP, a, 40000, b, 443, NULL, 0, 5);
	cr_assert_not_null(f);
	cr_assert_eq(f->id, 1);
	cr_assert_eq(f->first_ts, 5);
	cr_assert_eq(f->last_ts, 5);
	cr_assert_arr_eq(f->key.addr[0], a, 4);
	cr_assert_arr_eq(f->key.addr[1], b, 4);
	cr_assert_eq(f->key.port[0], 40000);
	cr_assert_eq(f->key.port[1], 443);
	cr_assert_eq(f->key.ip_ver, 4);
	cr_assert_eq(f->key.proto, IPPROTO_TCP);
	cr_assert_eq(flow_table_count(t), 1);

	int dir = -1;
	cr_assert_eq(lookup_untunneled(t, 4, IPPROTO_TCP, a, 40000, b, 443, &dir), f);
	cr_assert_eq(dir, DIR_C2S);
	dir = -1;
	cr_assert_eq(lookup_untunneled(t, 4, IPPROTO_TCP, b, 443, a, 40000, &dir), f);
	cr_assert_eq(dir, DIR_S2C);

	/* Anything else is another flow. */
	cr_assert_null(lookup_untunneled(t, 4, IPPROTO_TCP, a, 40001, b, 443, &dir));
	cr_assert_null(lookup_untunneled(t, 4, IPPROTO_TCP, a, 40000, b, 444, &dir));
	cr_assert_null(lookup_untunneled(t, 4, IPPROTO_TCP, a, 443, b, 40000, &dir));
	cr_assert_null(lookup_untunneled(t, 4, IPPROTO_UDP, a, 40000, b, 443, &dir));
	cr_assert_null(lookup_untunneled(t, 4, IPPROTO_TCP, a, 40000, a, 443, &dir));
	uint8_t a16[16] = {10, 0, 0, 1}, b16[16] = {10, 0, 0, 2};
	cr_assert_null(lookup_untunneled(t, 6, IPPROTO_TCP, a16, 40000, b16, 443, &dir));

	/* Same address, two ports (loopback): still one flow, both ways. */
	struct flow *g = flow_table_insert(t, 4, IPPROTO_TCP, a, 1111, a, 2222, NULL, 0, 6);
	cr_assert_neq(g, f);
	cr_assert_eq(g->id, 2);
	cr_assert_eq(lookup_untunneled(t, 4, IPPROTO_TCP, a, 2222, a, 1111, &dir), g);
	cr_assert_eq(dir, DIR_S2C);
	cr_assert_eq(lookup_untunneled(t, 4, IPPROTO_TCP, a, 1111, a, 2222, &dir), g);
	cr_assert_eq(dir, DIR_C2S);
	cr_assert_eq(lookup_untunneled(t, 4, IPPROTO_TCP, b, 443, a, 40000, &dir), f);
	cr_assert_gt(flow_table_memory(t), 0);
	flow_table_free(t);
	cr_assert_eq(log_n, 0, "free retires nothing");
}

Test(flow_table, both_directions_ipv6)
{
	struct flow_table *t = flow_table_new(16, 1000, on_retire, NULL);
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8}, b[16] = {0x20, 0x01, 0x0d, 0xb8};
	a[15] = 1;
	b[15] = 2;
	struct flow *f = flow_table_insert(t, 6, IPPROTO_TCP, a, 50000, b, 80, NULL, 0, 1);
	struct flow *u = flow_table_insert(t, 6, IPPROTO_UDP, b, 53, a, 50000, NULL, 0, 1);
	cr_assert_not_null(f);
	cr_assert_not_null(u);
	cr_assert_arr_eq(f->key.addr[0], a, 16);
	int dir;
	cr_assert_eq(lookup_untunneled(t, 6, IPPROTO_TCP, b, 80, a, 50000, &dir), f);
	cr_assert_eq(dir, DIR_S2C);
	cr_assert_eq(lookup_untunneled(t, 6, IPPROTO_TCP, a, 50000, b, 80, &dir), f);
	cr_assert_eq(dir, DIR_C2S);
	/* The UDP flow's client is b:53 as inserted. */
	cr_assert_eq(lookup_untunneled(t, 6, IPPROTO_UDP, a, 50000, b, 53, &dir), u);
	cr_assert_eq(dir, DIR_S2C);
	/* Differs only in the last address byte, or the first. */
	uint8_t c[16];
	memcpy(c, b, 16);
	c[15] = 3;
	cr_assert_null(lookup_untunneled(t, 6, IPPROTO_TCP, a, 50000, c, 80, &dir));
	memcpy(c, b, 16);
	c[0] = 0x30;
	cr_assert_null(lookup_untunneled(t, 6, IPPROTO_TCP, a, 50000, c, 80, &dir));
	/* IPv4 with the same first four bytes is not this flow. */
	cr_assert_null(lookup_untunneled(t, 4, IPPROTO_TCP, a, 50000, b, 80, &dir));
	flow_table_free(t);
}

Test(flow_table, flood_evicts_oldest_exactly_once)
{
	const size_t cap = 8, total = 1000;
	size_t calls = 0;
	struct flow_table *t = flow_table_new(cap, 1000, on_retire, &calls);
	for (uint32_t i = 0; i < total; i++) {
		struct ep e = ep_of(i, (i & 1) ? 6 : 4);
		struct flow *f = ins(t, &e, i);
		cr_assert_eq(f->id, i + 1);
		cr_assert_leq(flow_table_count(t), cap);
		cr_assert_eq(flow_table_count(t), i + 1 < cap ? i + 1 : cap);
	}
	cr_assert_eq(calls, total - cap);
	cr_assert_eq(flow_table_evictions(t), total - cap);
	/* Least recently active first: ids 1, 2, 3... each once. */
	for (size_t k = 0; k < log_n; k++) {
		cr_assert_eq(log_v[k].id, k + 1);
		cr_assert_eq(log_v[k].why, RETIRE_EVICTED);
		cr_assert(log_v[k].evicted);
	}
	int dir;
	for (uint32_t i = 0; i < total; i++) {
		struct ep e = ep_of(i, (i & 1) ? 6 : 4);
		struct flow *f = find(t, &e, (int)(i % 2), &dir);
		if (i < total - cap)
			cr_assert_null(f, "flow %u should be gone", i + 1);
		else {
			cr_assert_not_null(f, "flow %u should be there", i + 1);
			cr_assert_eq(f->id, i + 1);
		}
	}
	flow_table_drain(t);
	cr_assert_eq(flow_table_count(t), 0);
	cr_assert_eq(log_n, total);
	for (size_t k = total - cap; k < total; k++) {
		cr_assert_eq(log_v[k].id, k + 1);
		cr_assert_eq(log_v[k].why, RETIRE_END);
	}
	flow_table_free(t);
}

Test(flow_table, touched_flows_are_evicted_last)
{
	struct flow_table *t = flow_table_new(4, 1000, on_retire, NULL);
	struct flow *f[4];
	struct ep e[8];
	for (uint32_t i = 0; i < 8; i++)
		e[i] = ep_of(i, 4);
	for (int i = 0; i < 4; i++)
		f[i] = ins(t, &e[i], 10);
	flow_table_touch(t, f[0], 20, 20); /* recency: 2 3 4 1 */
	flow_table_touch(t, f[2], 30, 30); /* recency: 2 4 1 3 */
	cr_assert_eq(f[0]->last_ts, 20);
	flow_table_touch(t, f[0], 15, 15); /* older time: moves, keeps last_ts */
	cr_assert_eq(f[0]->last_ts, 20);
	/* recency now 2 4 3 1 */
	for (uint32_t i = 4; i < 8; i++)
		ins(t, &e[i], 40);
	cr_assert_eq(log_n, 4);
	static const uint32_t want[4] = {2, 4, 3, 1};
	for (int k = 0; k < 4; k++) {
		cr_assert_eq(log_v[k].id, want[k], "eviction %d: flow %u", k, log_v[k].id);
		cr_assert_eq(log_v[k].why, RETIRE_EVICTED);
	}
	flow_table_free(t);
}

Test(flow_table, closed_flows_go_before_open_ones)
{
	struct flow_table *t = flow_table_new(4, 1000000, on_retire, NULL);
	struct ep e[12];
	struct flow *f[12];
	for (uint32_t i = 0; i < 12; i++)
		e[i] = ep_of(i, 6);
	for (int i = 0; i < 4; i++)
		f[i] = ins(t, &e[i], 1);
	flow_table_touch(t, f[0], 2, 2);     /* open recency: 2 3 4 1 */
	flow_table_mark_closed(t, f[2]);  /* closed: 3 */
	ins(t, &e[4], 3);                 /* pushes out 3, the closed one */
	cr_assert_eq(log_n, 1);
	cr_assert_eq(log_v[0].id, 3);
	cr_assert_eq(log_v[0].why, RETIRE_CLOSED);
	cr_assert_not(log_v[0].evicted);
	cr_assert_eq(flow_table_evictions(t), 0);
	ins(t, &e[5], 4);                 /* no closed flow: oldest open, 2 */
	cr_assert_eq(log_v[1].id, 2);
	cr_assert_eq(log_v[1].why, RETIRE_EVICTED);
	cr_assert(log_v[1].evicted);
	cr_assert_eq(flow_table_evictions(t), 1);

	/* Open now: 4 1 5 6. Close 5 then 1: they leave in closing order,
	 * even though 1 is older. Closing twice changes nothing. */
	int dir;
	struct flow *f5 = find(t, &e[4], 0, &dir);
	flow_table_mark_closed(t, f5);
	flow_table_mark_closed(t, f[0]);
	flow_table_mark_closed(t, f5);
	ins(t, &e[6], 5);
	ins(t, &e[7], 6);
	ins(t, &e[8], 7);
	cr_assert_eq(log_n, 5);
	cr_assert_eq(log_v[2].id, 5);
	cr_assert_eq(log_v[2].why, RETIRE_CLOSED);
	cr_assert_eq(log_v[3].id, 1);
	cr_assert_eq(log_v[3].why, RETIRE_CLOSED);
	cr_assert_eq(log_v[4].id, 4);
	cr_assert_eq(log_v[4].why, RETIRE_EVICTED);
	cr_assert_eq(flow_table_count(t), 4);
	flow_table_free(t);
}

Test(flow_table, expire_after_linger)
{
	const uint64_t linger = 100;
	struct flow_table *t = flow_table_new(16, linger, on_retire, NULL);
	struct ep e[3];
	for (uint32_t i = 0; i < 3; i++)
		e[i] = ep_of(i, 4);
	struct flow *f1 = ins(t, &e[0], 0);
	ins(t, &e[1], 0);
	struct flow *f3 = ins(t, &e[2], 10);
	flow_table_touch(t, f1, 50, 50);
	flow_table_mark_closed(t, f1);
	flow_table_touch(t, f3, 60, 60);
	flow_table_mark_closed(t, f3);
	/* A late segment of f1 (an ACK of the FIN) at 70 keeps it longer. */
	flow_table_touch(t, f1, 70, 70);

	flow_table_expire(t, 159);
	cr_assert_eq(log_n, 0);
	flow_table_expire(t, 160);           /* f3: 60 + 100 */
	cr_assert_eq(log_n, 1);
	cr_assert_eq(log_v[0].id, 3);
	cr_assert_eq(log_v[0].why, RETIRE_CLOSED);
	flow_table_expire(t, 169);
	cr_assert_eq(log_n, 1);
	flow_table_expire(t, 170);           /* f1: 70 + 100 */
	cr_assert_eq(log_n, 2);
	cr_assert_eq(log_v[1].id, 1);
	cr_assert_eq(log_v[1].why, RETIRE_CLOSED);
	/* Open flows never expire. */
	flow_table_expire(t, UINT64_MAX / 2);
	cr_assert_eq(log_n, 2);
	cr_assert_eq(flow_table_count(t), 1);
	int dir;
	cr_assert_not_null(find(t, &e[1], 1, &dir));
	cr_assert_null(find(t, &e[0], 0, &dir));
	cr_assert_null(find(t, &e[2], 1, &dir));
	flow_table_free(t);
}

/* n flows, some retired and the rest stirred, then drained: every one left
 * once, in id order. Below 4096 flows the drain sorts with qsort, above with
 * two radix passes (70,000: ids past 16 bits, so both passes matter). */
static void drain_in_id_order(uint32_t n)
{
	struct flow_table *t = flow_table_new(100000, 1000, on_retire, NULL);
	uint64_t st = 0x5eed;
	bool *gone = calloc(n, sizeof(*gone));
	cr_assert_not_null(gone);
	struct ep e;
	for (uint32_t i = 0; i < n; i++) {
		e = ep_of(i, (uint8_t)(i % 3 ? 4 : 6));
		ins(t, &e, i);
	}
	/* Stir the recency lists and retire a few flows. */
	int dir;
	size_t replaced = 0;
	for (uint32_t k = 0; k < n + n / 2; k++) {
		uint32_t i = (uint32_t)(pb_rand(&st) % n);
		e = ep_of(i, (uint8_t)(i % 3 ? 4 : 6));
		struct flow *f = find(t, &e, k & 1, &dir);
		if (gone[i]) {
			cr_assert_null(f);
			continue;
		}
		cr_assert_not_null(f);
		switch (k % 5) {
		case 0: flow_table_mark_closed(t, f); break;
		case 1:
			flow_table_retire(t, f, RETIRE_REPLACED);
			gone[i] = true;
			replaced++;
			break;
		default: flow_table_touch(t, f, 5000 + (uint64_t)k, 5000 + (uint64_t)k); break;
		}
	}
	cr_assert_eq(log_n, replaced);
	for (size_t k = 0; k < log_n; k++)
		cr_assert_eq(log_v[k].why, RETIRE_REPLACED);
	size_t before = log_n;
	flow_table_drain(t);
	cr_assert_eq(flow_table_count(t), 0);
	cr_assert_eq(log_n - before, n - replaced);
	uint32_t prev = 0;
	for (size_t k = before; k < log_n; k++) {
		cr_assert_eq(log_v[k].why, RETIRE_END);
		cr_assert_gt(log_v[k].id, prev, "drain order: %u after %u", log_v[k].id, prev);
		cr_assert_not(gone[log_v[k].id - 1]);
		prev = log_v[k].id;
	}
	/* Empty, and usable again: ids keep counting. */
	flow_table_drain(t);
	cr_assert_eq(log_n - before, n - replaced);
	e = ep_of(0, 4);
	cr_assert_null(find(t, &e, 0, &dir));
	struct flow *f = ins(t, &e, 10000);
	cr_assert_eq(f->id, n + 1);
	cr_assert_eq(find(t, &e, 1, &dir), f);
	flow_table_free(t);
	free(gone);
}

Test(flow_table, drain_in_id_order)
{
	drain_in_id_order(3000);
}

Test(flow_table, drain_in_id_order_radix)
{
	drain_in_id_order(70000);
}

/* ---- randomized: the index against a reference array ---- */

struct ref_flow {
	uint32_t key;   /* ep_of(key, ver) */
	uint8_t ver;
	uint32_t id;
};

Test(flow_table, random_insert_retire_against_reference)
{
	struct flow_table *t = flow_table_new(1u << 20, 1000, on_retire, NULL);
	const size_t maxlive = 6000;
	struct ref_flow *live = calloc(maxlive, sizeof(*live));
	struct ref_flow *dead = calloc(200000, sizeof(*dead));
	size_t nlive = 0, ndead = 0;
	uint32_t next_key = 0, next_id = 1;
	uint64_t st = 2024;
	int dir;
	for (int op = 0; op < 150000; op++) {
		/* Grow for a while, then shrink: the index doubles, then empties. */
		int phase = (op / 20000) % 2;
		uint64_t r = pb_rand(&st) % 100;
		bool do_insert = nlive == 0 || (nlive < maxlive && r < (phase ? 35u : 65u));
		if (do_insert) {
			struct ref_flow rf = {next_key++, (uint8_t)(r & 1 ? 6 : 4), next_id++};
			struct ep e = ep_of(rf.key, rf.ver);
			struct flow *f = ins(t, &e, (uint64_t)op);
			cr_assert_eq(f->id, rf.id);
			live[nlive++] = rf;
		} else {
			size_t k = (size_t)(pb_rand(&st) % nlive);
			struct ep e = ep_of(live[k].key, live[k].ver);
			struct flow *f = find(t, &e, (int)(r & 1), &dir);
			cr_assert_not_null(f, "op %d: live flow %u missing", op, live[k].id);
			cr_assert_eq(f->id, live[k].id);
			flow_table_retire(t, f, RETIRE_REPLACED);
			cr_assert_eq(log_v[log_n - 1].id, live[k].id);
			dead[ndead++] = live[k];
			live[k] = live[--nlive];
		}
		cr_assert_eq(flow_table_count(t), nlive);
		/* A few lookups each step, both kinds. */
		for (int q = 0; q < 3 && nlive; q++) {
			size_t k = (size_t)(pb_rand(&st) % nlive);
			struct ep e = ep_of(live[k].key, live[k].ver);
			int from_server = (int)(pb_rand(&st) & 1);
			struct flow *f = find(t, &e, from_server, &dir);
			cr_assert_not_null(f, "op %d: live flow %u missing", op, live[k].id);
			cr_assert_eq(f->id, live[k].id);
			cr_assert_eq(dir, from_server ? DIR_S2C : DIR_C2S);
		}
		if (ndead) {
			size_t k = (size_t)(pb_rand(&st) % ndead);
			struct ep e = ep_of(dead[k].key, dead[k].ver);
			cr_assert_null(find(t, &e, 0, &dir), "op %d: retired flow %u found", op,
				       dead[k].id);
		}
		if (op % 5000 == 4999) {
			for (size_t k = 0; k < nlive; k++) {
				struct ep e = ep_of(live[k].key, live[k].ver);
				struct flow *f = find(t, &e, (int)(k & 1), &dir);
				cr_assert_not_null(f);
				cr_assert_eq(f->id, live[k].id);
			}
			for (size_t k = 0; k < ndead; k++) {
				struct ep e = ep_of(dead[k].key, dead[k].ver);
				cr_assert_null(find(t, &e, 1, &dir));
			}
		}
	}
	cr_assert_eq(log_n, ndead);
	free(live);
	free(dead);
	flow_table_free(t);
}

/* ---- randomized: the recency rules against two reference lists ---- */

struct lru_ref {
	uint32_t open[64], closed[64]; /* ids, least recent first */
	size_t nopen, nclosed;
};

static bool list_remove(uint32_t *v, size_t *n, uint32_t id)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == id) {
			memmove(v + i, v + i + 1, (*n - i - 1) * sizeof(*v));
			(*n)--;
			return true;
		}
	return false;
}

Test(flow_table, random_recency_against_reference)
{
	const size_t cap = 64;
	struct flow_table *t = flow_table_new(cap, 1000, on_retire, NULL);
	struct lru_ref ref = {{0}, {0}, 0, 0};
	/* id -> key, for lookups (ids are 1-based and dense) */
	uint32_t *key_of = calloc(40001, sizeof(*key_of));
	uint64_t st = 77;
	uint32_t next_id = 1;
	int dir;
	for (int op = 0; op < 40000; op++) {
		uint64_t r = pb_rand(&st) % 100;
		size_t nlive = ref.nopen + ref.nclosed;
		cr_assert_eq(flow_table_count(t), nlive);
		if (r < 45 || nlive == 0) {
			uint32_t id = next_id++;
			key_of[id] = id;
			uint32_t want = 0;
			enum flow_retire_reason why = RETIRE_CLOSED;
			if (nlive == cap) {
				if (ref.nclosed) {
					want = ref.closed[0];
					list_remove(ref.closed, &ref.nclosed, want);
				} else {
					want = ref.open[0];
					why = RETIRE_EVICTED;
					list_remove(ref.open, &ref.nopen, want);
				}
			}
			size_t before = log_n;
			struct ep e = ep_of(id, 4);
			struct flow *f = ins(t, &e, (uint64_t)op);
			cr_assert_eq(f->id, id);
			if (want) {
				cr_assert_eq(log_n, before + 1, "op %d: no eviction", op);
				cr_assert_eq(log_v[before].id, want, "op %d: evicted %u, want %u", op,
					     log_v[before].id, want);
				cr_assert_eq(log_v[before].why, why);
			} else {
				cr_assert_eq(log_n, before);
			}
			ref.open[ref.nopen++] = id;
			continue;
		}
		/* Pick a live flow. */
		size_t k = (size_t)(pb_rand(&st) % nlive);
		uint32_t id = k < ref.nopen ? ref.open[k] : ref.closed[k - ref.nopen];
		struct ep e = ep_of(key_of[id], 4);
		struct flow *f = find(t, &e, (int)(r & 1), &dir);
		cr_assert_not_null(f, "op %d: flow %u missing", op, id);
		cr_assert_eq(f->id, id);
		if (r < 70) {
			flow_table_touch(t, f, (uint64_t)op, (uint64_t)op);
			if (list_remove(ref.open, &ref.nopen, id))
				ref.open[ref.nopen++] = id;
			else if (list_remove(ref.closed, &ref.nclosed, id))
				ref.closed[ref.nclosed++] = id;
		} else if (r < 85) {
			flow_table_mark_closed(t, f);
			if (list_remove(ref.open, &ref.nopen, id))
				ref.closed[ref.nclosed++] = id;
		} else {
			size_t before = log_n;
			flow_table_retire(t, f, RETIRE_REPLACED);
			cr_assert_eq(log_n, before + 1);
			cr_assert_eq(log_v[before].id, id);
			if (!list_remove(ref.open, &ref.nopen, id))
				list_remove(ref.closed, &ref.nclosed, id);
			cr_assert_null(find(t, &e, 0, &dir));
		}
	}
	/* Drain: everything left, ascending ids. */
	size_t before = log_n;
	flow_table_drain(t);
	cr_assert_eq(log_n - before, ref.nopen + ref.nclosed);
	for (size_t k = before + 1; k < log_n; k++)
		cr_assert_gt(log_v[k].id, log_v[k - 1].id);
	free(key_of);
	flow_table_free(t);
}
