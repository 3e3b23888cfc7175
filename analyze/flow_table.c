/*
 * analyze/flow_table.c — see flow_table.h.
 */
#include "flow_table.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <string.h>

#define CHUNK_SHIFT 11
#define CHUNK_FLOWS (1u << CHUNK_SHIFT)

enum { LIST_NONE = 0, LIST_OPEN = 1, LIST_CLOSED = 2 };

struct lru {
	uint32_t head, tail; /* pool index + 1, 0 = empty */
};

struct flow_table {
	size_t max_flows;
	uint64_t linger_ns;
	flow_retire_fn on_retire;
	void *user;

	struct flow **chunks;
	size_t nchunks, chunk_cap;
	uint32_t free_head;       /* pool index + 1 */
	size_t allocated;         /* flows carved from chunks */

	/* Each slot: the flow's hash (high half) and pool index + 1 (low half,
	 * 0 = empty). Probing and deletion read the hash from the slot, not
	 * from the (cold) flow: one cache miss per lookup instead of several. */
	uint64_t *slots;
	size_t nslots;            /* power of two */
	size_t count;
	uint32_t next_id;
	uint64_t evictions;
	struct lru lists[3];
};

static inline struct flow *flow_at(const struct flow_table *t, uint32_t idx)
{
	return &t->chunks[idx >> CHUNK_SHIFT][idx & (CHUNK_FLOWS - 1)];
}

#define SLOT_IDX(v) ((uint32_t)(v))
#define SLOT_HASH(v) ((uint32_t)((v) >> 32))
#define FLOW_IDX(t, f) ((f)->pool_idx1 - 1)


/* One endpoint's hash: address words and port, multiplied into 64 bits. */
static inline uint64_t endpoint_hash(const uint8_t *a, size_t alen, uint16_t port)
{
	uint64_t h = (uint64_t)port * 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < alen; i += 4) {
		uint32_t w;
		memcpy(&w, a + i, 4);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	return h ^ h >> 31;
}

/* Direction-independent hash of the endpoints: the two endpoint hashes are
 * added, so A->B and B->A meet without comparing the endpoints first. */
static uint32_t flow_hash(uint8_t ip_ver, uint8_t proto, const uint8_t *a, uint16_t ap,
			  const uint8_t *b, uint16_t bp, uint32_t tun_hash)
{
	size_t alen = ip_ver == 4 ? 4 : 16;
	uint64_t h = endpoint_hash(a, alen, ap) + endpoint_hash(b, alen, bp);
	h ^= (uint64_t)ip_ver << 8 | proto | (uint64_t)tun_hash << 32;
	h *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h >> 32);
}

static inline bool addr_eq(const uint8_t *x, const uint8_t *y, size_t alen)
{
	if (alen == 4) {
		uint32_t a, b;
		memcpy(&a, x, 4);
		memcpy(&b, y, 4);
		return a == b;
	}
	return !memcmp(x, y, 16);
}

/* f's tunnel is tun, seen in direction dir: its outer endpoints the same
 * pair (in either order), and 1 when its id is that direction's; when that
 * direction has no id yet (its first packet: the caller learns it), 3 if
 * the other direction carries this id, 2 if another; 0 when not. */
static int tunnel_match(const struct flow *f, const struct tunnel_id *tun, int dir)
{
	/* Without its cold part (out of memory at insert) the hash decides. */
	if (!f->cold)
		return 1;
	const struct tunnel_id *m = &f->cold->tunnel;
	size_t alen = tun->ip_ver == 4 ? 4 : 16;
	if (m->kind != tun->kind || m->ip_ver != tun->ip_ver)
		return 0;
	if (!(addr_eq(m->addr[0], tun->addr[0], alen) && addr_eq(m->addr[1], tun->addr[1], alen)) &&
	    !(addr_eq(m->addr[0], tun->addr[1], alen) && addr_eq(m->addr[1], tun->addr[0], alen)))
		return 0;
	if (m->id_seen & (1u << dir))
		return m->id_dir[dir] == tun->id ? 1 : 0;
	return (m->id_seen & (1u << !dir)) && m->id_dir[!dir] == tun->id ? 3 : 2;
}

static int key_match(const struct flow *f, uint8_t ip_ver, uint8_t proto, const uint8_t *src,
		     uint16_t sport, const uint8_t *dst, uint16_t dport, const struct tunnel_id *tun,
		     uint32_t tun_hash, int *dir)
{
	const struct flow_key *k = &f->key;
	if (k->ip_ver != ip_ver || k->proto != proto || k->tun_hash != tun_hash)
		return 0;
	size_t alen = ip_ver == 4 ? 4 : 16;
	int m;
	if (k->port[0] == sport && k->port[1] == dport && addr_eq(k->addr[0], src, alen) &&
	    addr_eq(k->addr[1], dst, alen) && (m = tun ? tunnel_match(f, tun, DIR_C2S) : 1)) {
		*dir = DIR_C2S;
		return m;
	}
	if (k->port[0] == dport && k->port[1] == sport && addr_eq(k->addr[0], dst, alen) &&
	    addr_eq(k->addr[1], src, alen) && (m = tun ? tunnel_match(f, tun, DIR_S2C) : 1)) {
		*dir = DIR_S2C;
		return m;
	}
	return 0;
}

/* ---- memory ----
 *
 * Once a table holds more than one chunk of flows (2,048), its further
 * chunks and an index of 2 MiB or more go in transparent huge pages
 * (madvise mode): 200k concurrent flows are 245 MB touched at random, a
 * TLB miss a packet with 4 KiB pages (bench flows-200000: 0.78 s -> 0.72 s
 * on one thread). The first chunk and small indexes stay in ordinary
 * pages, so a capture with few flows open at once keeps its small
 * footprint. Pages are the kernel's zeroed ones, touched as used. */
#define HUGE_PAGE ((size_t)2 << 20) /* x86-64's; elsewhere the hint still aligns */

/* bytes rounded up to the system's page (4 KiB here; 16 or 64 KiB on some
 * arm64 and ppc64 kernels: munmap wants whole pages). */
static size_t huge_len(size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return (bytes + page - 1) & ~(page - 1);
}

static void *huge_zalloc(size_t bytes)
{
	size_t want = huge_len(bytes), len = want + HUGE_PAGE;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	size_t head = a - (uintptr_t)m, tail = len - head - want;
	if (head)
		munmap(m, head);
	if (tail)
		munmap((uint8_t *)a + want, tail);
#ifdef MADV_HUGEPAGE
	madvise((void *)a, want, MADV_HUGEPAGE); /* a hint: without it, ordinary pages */
#endif
	return (void *)a;
}

static void huge_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, huge_len(bytes));
}

static bool index_is_huge(size_t nslots)
{
	return nslots * sizeof(uint64_t) >= HUGE_PAGE;
}

static uint64_t *index_alloc(size_t nslots)
{
	return index_is_huge(nslots) ? huge_zalloc(nslots * sizeof(uint64_t))
				     : calloc(nslots, sizeof(uint64_t));
}

static void index_free(uint64_t *s, size_t nslots)
{
	if (index_is_huge(nslots))
		huge_free(s, nslots * sizeof(uint64_t));
	else
		free(s);
}

static void chunk_free(struct flow *c, size_t i)
{
	if (i)
		huge_free(c, CHUNK_FLOWS * sizeof(struct flow));
	else
		free(c);
}

struct flow_table *flow_table_new(size_t max_flows, uint64_t linger_ns, flow_retire_fn fn,
				  void *user)
{
	struct flow_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max_flows = max_flows ? max_flows : 1;
	t->linger_ns = linger_ns;
	t->on_retire = fn;
	t->user = user;
	t->nslots = 1024;
	t->slots = index_alloc(t->nslots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	/* Flows still open (not drained) may hold a cold part. */
	for (size_t i = 0; i < t->nslots; i++)
		if (SLOT_IDX(t->slots[i]))
			flow_cold_release(flow_at(t, SLOT_IDX(t->slots[i]) - 1));
	for (size_t c = 0; c < t->nchunks; c++)
		chunk_free(t->chunks[c], c);
	free(t->chunks);
	index_free(t->slots, t->nslots);
	free(t);
}

/* ---- recency lists ---- */

static void lru_unlink(struct flow_table *t, struct flow *f, uint32_t idx1)
{
	if (f->lru_list == LIST_NONE)
		return;
	struct lru *l = &t->lists[f->lru_list];
	if (f->lru_prev)
		flow_at(t, f->lru_prev - 1)->lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next)
		flow_at(t, f->lru_next - 1)->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	(void)idx1;
	f->lru_prev = f->lru_next = 0;
	f->lru_list = LIST_NONE;
}

static void lru_push_tail(struct flow_table *t, struct flow *f, uint32_t idx1, uint8_t list)
{
	struct lru *l = &t->lists[list];
	f->lru_list = list;
	f->lru_next = 0;
	f->lru_prev = l->tail;
	if (l->tail)
		flow_at(t, l->tail - 1)->lru_next = idx1;
	else
		l->head = idx1;
	l->tail = idx1;
}

/* ---- index ---- */

#define SLOT(hash, idx1) ((uint64_t)(hash) << 32 | (idx1))

static int index_grow(struct flow_table *t)
{
	size_t n = t->nslots * 2;
	uint64_t *s = index_alloc(n);
	if (!s)
		return -1;
	for (size_t i = 0; i < t->nslots; i++) {
		uint64_t v = t->slots[i];
		if (!SLOT_IDX(v))
			continue;
		size_t j = SLOT_HASH(v) & (n - 1);
		while (SLOT_IDX(s[j]))
			j = (j + 1) & (n - 1);
		s[j] = v;
	}
	index_free(t->slots, t->nslots);
	t->slots = s;
	t->nslots = n;
	return 0;
}

static void index_remove(struct flow_table *t, uint32_t idx1)
{
	size_t mask = t->nslots - 1;
	size_t i = flow_at(t, idx1 - 1)->hash & mask;
	while (SLOT_IDX(t->slots[i]) != idx1) {
		if (!SLOT_IDX(t->slots[i]))
			return;
		i = (i + 1) & mask;
	}
	/* Backward-shift deletion keeps probe chains intact without tombstones. */
	size_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		uint64_t v = t->slots[j];
		if (!SLOT_IDX(v))
			break;
		size_t home = SLOT_HASH(v) & mask;
		int movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			t->slots[i] = v;
			i = j;
		}
	}
	t->slots[i] = 0;
}

/* ---- pool ---- */

static uint32_t pool_take(struct flow_table *t)
{
	if (t->free_head) {
		uint32_t idx1 = t->free_head;
		t->free_head = flow_at(t, idx1 - 1)->lru_next;
		return idx1;
	}
	if (t->allocated == t->nchunks * CHUNK_FLOWS) {
		if (t->nchunks == t->chunk_cap) {
			size_t cap = t->chunk_cap ? t->chunk_cap * 2 : 16;
			struct flow **c = realloc(t->chunks, cap * sizeof(*c));
			if (!c)
				return 0;
			t->chunks = c;
			t->chunk_cap = cap;
		}
		struct flow *chunk = t->nchunks ? huge_zalloc(CHUNK_FLOWS * sizeof(*chunk))
					       : calloc(CHUNK_FLOWS, sizeof(*chunk));
		if (!chunk)
			return 0;
		t->chunks[t->nchunks++] = chunk;
	}
	return (uint32_t)(++t->allocated);
}

static void retire(struct flow_table *t, struct flow *f, uint32_t idx1, enum flow_retire_reason why)
{
	if (why == RETIRE_EVICTED) {
		f->evicted = true;
		t->evictions++;
	}
	t->on_retire(t->user, f, why);
	flow_cold_release(f); /* after the report has seen the flow */
	index_remove(t, idx1);
	lru_unlink(t, f, idx1);
	t->count--;
	f->lru_next = t->free_head;
	t->free_head = idx1;
}

void flow_table_learn_tunnel_id(struct flow *f, const struct tunnel_id *tun, int dir)
{
	if (f->cold && !(f->cold->tunnel.id_seen & (1u << dir))) {
		f->cold->tunnel.id_dir[dir] = tun->id;
		f->cold->tunnel.id_seen |= (uint8_t)(1u << dir);
	}
}

uint32_t flow_table_tunnel_hash(const struct tunnel_id *tun)
{
	size_t alen = tun->ip_ver == 4 ? 4 : 16;
	uint64_t h = endpoint_hash(tun->addr[0], alen, 0) + endpoint_hash(tun->addr[1], alen, 0);
	/* Not the id: a direction may carry another one (tunnel_id). */
	h ^= (uint64_t)tun->kind << 40 | (uint64_t)tun->ip_ver << 32;
	h *= 0x9e3779b97f4a7c15ull;
	uint32_t v = (uint32_t)(h >> 32);
	return v ? v : 1;
}

uint32_t flow_table_hash(uint8_t ip_ver, uint8_t proto, const uint8_t *src, uint16_t sport,
			 const uint8_t *dst, uint16_t dport, uint32_t tun_hash)
{
	return flow_hash(ip_ver, proto, src, sport, dst, dport, tun_hash);
}

/* A packet, or the end of a flow, touches the flow all over (both halves,
 * the window and stall state, the LRU links): pull every line. */
static inline void prefetch_lines(const struct flow *f)
{
	const char *p = (const char *)f;
	for (size_t off = 0; off < sizeof(struct flow); off += 64)
		__builtin_prefetch(p + off, 1);
}

void flow_table_prefetch_slot(const struct flow_table *t, uint32_t hash)
{
	__builtin_prefetch(&t->slots[hash & (t->nslots - 1)]);
}

void flow_table_prefetch_flow(const struct flow_table *t, uint32_t hash)
{
	size_t mask = t->nslots - 1;
	for (size_t i = hash & mask, n = 0; n < 4; i = (i + 1) & mask, n++) {
		uint64_t v = t->slots[i];
		if (!SLOT_IDX(v))
			return;
		if (SLOT_HASH(v) != hash)
			continue;
		prefetch_lines(flow_at(t, SLOT_IDX(v) - 1));
		return;
	}
}

struct flow *flow_table_lookup_hashed(struct flow_table *t, uint32_t h, uint8_t ip_ver,
				      uint8_t proto, const uint8_t *src, uint16_t sport,
				      const uint8_t *dst, uint16_t dport, const struct tunnel_id *tun,
				      uint32_t tun_hash, int *dir)
{
	size_t mask = t->nslots - 1;
	/* A flow whose direction has no tunnel id yet fits if no flow has
	 * exactly this one (two tenants on one 5-tuple); one whose other
	 * direction has this id before one whose has another. */
	struct flow *learn = NULL;
	int learn_dir = 0, learn_m = 0;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		uint64_t v = t->slots[i];
		if (!SLOT_IDX(v))
			break;
		if (SLOT_HASH(v) != h)
			continue;
		struct flow *f = flow_at(t, SLOT_IDX(v) - 1);
		int d = 0, m = key_match(f, ip_ver, proto, src, sport, dst, dport, tun, tun_hash, &d);
		if (m == 1) {
			*dir = d;
			return f;
		}
		if (m > learn_m) {
			learn = f;
			learn_dir = d;
			learn_m = m;
		}
	}
	if (learn)
		*dir = learn_dir;
	return learn;
}

struct flow *flow_table_insert(struct flow_table *t, uint8_t ip_ver, uint8_t proto,
			       const uint8_t *src, uint16_t sport, const uint8_t *dst,
			       uint16_t dport, const struct tunnel_id *tun, uint32_t tun_hash,
			       uint64_t ts_ns)
{
	if (t->count >= t->max_flows) {
		uint32_t victim = t->lists[LIST_CLOSED].head;
		enum flow_retire_reason why = RETIRE_CLOSED;
		if (!victim) {
			victim = t->lists[LIST_OPEN].head;
			why = RETIRE_EVICTED;
		}
		if (victim)
			retire(t, flow_at(t, victim - 1), victim, why);
	}
	if ((t->count + 1) * 2 > t->nslots && index_grow(t) < 0)
		return NULL;
	uint32_t idx1 = pool_take(t);
	if (!idx1)
		return NULL;
	struct flow *f = flow_at(t, idx1 - 1);
	memset(f, 0, sizeof(*f));
	size_t alen = ip_ver == 4 ? 4 : 16;
	f->key.ip_ver = ip_ver;
	f->key.proto = proto;
	memcpy(f->key.addr[0], src, alen);
	memcpy(f->key.addr[1], dst, alen);
	f->key.port[0] = sport;
	f->key.port[1] = dport;
	f->pool_idx1 = idx1;
	f->id = ++t->next_id;
	f->key.tun_hash = tun ? tun_hash : 0;
	f->hash = flow_hash(ip_ver, proto, src, sport, dst, dport, f->key.tun_hash);
	struct flow_cold *cold = tun ? flow_cold(f) : NULL;
	if (cold) /* out of memory: the hash alone tells its tunnel */
		cold->tunnel = *tun;
	f->first_ts = f->last_ts = f->touch_clock = ts_ns;
	size_t mask = t->nslots - 1;
	size_t i = f->hash & mask;
	while (SLOT_IDX(t->slots[i]))
		i = (i + 1) & mask;
	t->slots[i] = SLOT(f->hash, idx1);
	t->count++;
	lru_push_tail(t, f, idx1, LIST_OPEN);
	return f;
}

void flow_table_touch(struct flow_table *t, struct flow *f, uint64_t ts_ns, uint64_t clock_ns)
{
	if (ts_ns > f->last_ts)
		f->last_ts = ts_ns;
	if (clock_ns > f->touch_clock)
		f->touch_clock = clock_ns;
	struct lru *l = &t->lists[f->lru_list];
	uint32_t idx1 = l->tail;
	if (idx1 && flow_at(t, idx1 - 1) == f)
		return; /* already the most recent: the common case */
	idx1 = FLOW_IDX(t, f) + 1;
	uint8_t list = f->lru_list;
	lru_unlink(t, f, idx1);
	lru_push_tail(t, f, idx1, list ? list : LIST_OPEN);
}

void flow_table_mark_closed(struct flow_table *t, struct flow *f)
{
	if (f->lru_list == LIST_CLOSED)
		return;
	uint32_t idx1 = FLOW_IDX(t, f) + 1;
	lru_unlink(t, f, idx1);
	lru_push_tail(t, f, idx1, LIST_CLOSED);
}

void flow_table_retire(struct flow_table *t, struct flow *f, enum flow_retire_reason why)
{
	retire(t, f, FLOW_IDX(t, f) + 1, why);
}

void flow_table_expire(struct flow_table *t, uint64_t now_ns)
{
	uint32_t idx1;
	while ((idx1 = t->lists[LIST_CLOSED].head)) {
		struct flow *f = flow_at(t, idx1 - 1);
		if (f->touch_clock + t->linger_ns > now_ns) {
			/* Its index slot too, for when its turn comes. */
			__builtin_prefetch(&t->slots[f->hash & (t->nslots - 1)]);
			break;
		}
		retire(t, f, idx1, RETIRE_CLOSED);
		/* The next to go has been cold for the whole linger: fetch it
		 * now, frames before its turn (CRR: flows end as fast as they
		 * start, each one a cache miss per line otherwise). */
		if ((idx1 = t->lists[LIST_CLOSED].head))
			prefetch_lines(flow_at(t, idx1 - 1));
	}
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

#define RADIX_MIN 4096 /* below, qsort: the radix passes' 2 x 64 Ki counters cost more */

/* Sort v[0..n) (id << 32 | pool index + 1) by id, with tmp[n + 65536] as
 * room: two 16-bit radix passes over the id half (ids are unique: the
 * order is total, the same as qsort's). */
static void sort_by_id(uint64_t *v, uint64_t *tmp, size_t n)
{
	if (n < RADIX_MIN) {
		qsort(v, n, sizeof(*v), u64_cmp);
		return;
	}
	uint64_t *src = v, *dst = tmp, *count = tmp + n;
	for (int shift = 32; shift < 64; shift += 16) {
		memset(count, 0, (1u << 16) * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xffff]++;
		uint64_t sum = 0;
		for (size_t b = 0; b < (1u << 16); b++) {
			uint64_t c = count[b];
			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
		uint64_t *x = src;
		src = dst;
		dst = x;
	}
	/* an even number of passes: the sorted keys are back in v */
}

void flow_table_drain(struct flow_table *t)
{
	size_t n = t->count;
	if (!n)
		return;
	/* Sorted as (id << 32 | pool index + 1): the sort reads integers and
	 * never touches the (cold) flows. */
	uint64_t *v = malloc((2 * n + (n < RADIX_MIN ? 0 : 1u << 16)) * sizeof(*v));
	if (!v) {
		/* Out of memory: retire in table order rather than not at all. */
		for (size_t i = 0; i < t->nslots; i++)
			while (SLOT_IDX(t->slots[i]))
				retire(t, flow_at(t, SLOT_IDX(t->slots[i]) - 1), SLOT_IDX(t->slots[i]),
				       RETIRE_END);
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < t->nslots; i++) {
		uint32_t idx1 = SLOT_IDX(t->slots[i]);
		if (idx1)
			v[k++] = (uint64_t)flow_at(t, idx1 - 1)->id << 32 | idx1;
	}
	sort_by_id(v, v + n, k);
	/* Every flow goes: each is handed to on_retire and its cold part freed,
	 * but the index and the recency lists are not unpicked one flow at a
	 * time (two or three more misses a flow); they are emptied at the end. */
	for (size_t i = 0; i < k; i++) {
		if (i + 4 < k)
			prefetch_lines(flow_at(t, (uint32_t)v[i + 4] - 1));
		struct flow *f = flow_at(t, (uint32_t)v[i] - 1);
		t->on_retire(t->user, f, RETIRE_END);
		flow_cold_release(f);
	}
	free(v);
	memset(t->slots, 0, t->nslots * sizeof(*t->slots));
	memset(t->lists, 0, sizeof(t->lists));
	t->count = 0;
	t->free_head = 0;
	t->allocated = 0; /* the chunks are carved again from the start */
}

void flow_table_each(const struct flow_table *t, flow_each_fn fn, void *user)
{
	for (size_t i = 0; i < t->nslots; i++)
		if (SLOT_IDX(t->slots[i]))
			fn(user, flow_at(t, SLOT_IDX(t->slots[i]) - 1));
}

size_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

uint64_t flow_table_evictions(const struct flow_table *t)
{
	return t->evictions;
}

size_t flow_table_memory(const struct flow_table *t)
{
	return t->nchunks * CHUNK_FLOWS * sizeof(struct flow) + t->nslots * sizeof(uint64_t) +
	       t->chunk_cap * sizeof(struct flow *);
}
