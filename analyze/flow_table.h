/*
 * analyze/flow_table.h — bounded bidirectional flow table.
 *
 * Both directions of a connection find the same `struct flow`. Flows live in
 * a pool grown in chunks up to max_flows; the index is open addressing with
 * linear probing. Two recency lists drive eviction: when the table is full,
 * closed flows go first, then the least recently active open flow. Closed
 * flows are also retired once capture time has moved `linger` past their last
 * packet. Every flow that leaves the table, by eviction, retirement or
 * flow_table_drain(), goes through the on_retire callback first; its memory is
 * reused after the callback returns.
 *
 * No allocation per packet: only when a new chunk or a larger index is needed.
 */
#ifndef TCPLENS_FLOW_TABLE_H
#define TCPLENS_FLOW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct flow_table;

/* Why a flow left the table. */
enum flow_retire_reason {
	RETIRE_CLOSED = 0,   /* closed and lingered */
	RETIRE_EVICTED,      /* table full */
	RETIRE_REPLACED,     /* its 4-tuple was reused by a new connection */
	RETIRE_END,          /* end of capture */
};

typedef void (*flow_retire_fn)(void *user, struct flow *f, enum flow_retire_reason why);

struct flow_table *flow_table_new(size_t max_flows, uint64_t linger_ns, flow_retire_fn fn,
				  void *user);
void flow_table_free(struct flow_table *t);

/* The direction-independent hash of a tunnel's identity (never 0), and the
 * hash the index files these endpoints under, inside that tunnel (tun_hash
 * 0: in none). */
uint32_t flow_table_tunnel_hash(const struct tunnel_id *tun);
uint32_t flow_table_hash(uint8_t ip_ver, uint8_t proto, const uint8_t *src, uint16_t sport,
			 const uint8_t *dst, uint16_t dport, uint32_t tun_hash);
/* Cache hints for a packet a few frames ahead, no effect on results: pull
 * the index slot of hash, then (a few frames later, the slot cached by now)
 * the flow it names. */
void flow_table_prefetch_slot(const struct flow_table *t, uint32_t hash);
void flow_table_prefetch_flow(const struct flow_table *t, uint32_t hash);
/* Find the flow of packet endpoints (src, sport) -> (dst, dport) with its
 * hash already computed (flow_table_hash), inside tunnel tun (NULL: none;
 * its hash tun_hash). *dir is set to DIR_C2S when src is the flow's client.
 * NULL when absent. A flow whose direction *dir has no tunnel id yet may be
 * returned: the caller records tun->id for it (flow_table_learn_tunnel_id). */
struct flow *flow_table_lookup_hashed(struct flow_table *t, uint32_t hash, uint8_t ip_ver,
				      uint8_t proto, const uint8_t *src, uint16_t sport,
				      const uint8_t *dst, uint16_t dport, const struct tunnel_id *tun,
				      uint32_t tun_hash, int *dir);

/* f, found by flow_table_lookup_hashed for a packet in tunnel tun and
 * direction dir: remember that direction's tunnel id if it had none. */
void flow_table_learn_tunnel_id(struct flow *f, const struct tunnel_id *tun, int dir);

/* Add a flow whose client is (src, sport), inside tunnel tun (NULL: none;
 * its outer endpoints client side first, hash tun_hash). May retire another
 * flow to make room. Returns NULL only when memory is exhausted. The new
 * flow is zeroed but for key, id, hash, timestamps and its tunnel. */
struct flow *flow_table_insert(struct flow_table *t, uint8_t ip_ver, uint8_t proto,
			       const uint8_t *src, uint16_t sport, const uint8_t *dst,
			       uint16_t dport, const struct tunnel_id *tun, uint32_t tun_hash,
			       uint64_t ts_ns);

/* Record activity at time ts_ns, the capture's clock (its latest timestamp,
 * never going back) being clock_ns: moves the flow to the recent end of its
 * list; last_ts and touch_clock only grow. */
void flow_table_touch(struct flow_table *t, struct flow *f, uint64_t ts_ns, uint64_t clock_ns);
/* Move a flow to the closed list (it lingers, then retires). */
void flow_table_mark_closed(struct flow_table *t, struct flow *f);
/* Retire f now (RETIRE_REPLACED). */
void flow_table_retire(struct flow_table *t, struct flow *f, enum flow_retire_reason why);
/* Retire closed flows whose linger ran out by the capture's clock now_ns
 * (touch_clock + linger <= now_ns), oldest touched first. */
void flow_table_expire(struct flow_table *t, uint64_t now_ns);
/* Retire every flow, in id order (RETIRE_END). */
void flow_table_drain(struct flow_table *t);

/* Visit every flow in the table (no particular order; do not modify the
 * table from fn). */
typedef void (*flow_each_fn)(void *user, const struct flow *f);
void flow_table_each(const struct flow_table *t, flow_each_fn fn, void *user);

size_t flow_table_count(const struct flow_table *t);
uint64_t flow_table_evictions(const struct flow_table *t);
/* Bytes the table holds (pool and index), for memory reports. */
size_t flow_table_memory(const struct flow_table *t);

#endif
