/*
 * tests/unit/test_sharded.c — analyze/sharded.c against one analyzer: the
 * same captures through analyzer_packet and through 1, 2, 3 and 7 shards
 * must give the same sink calls in the same order (each event's kind, cause,
 * frame, flow and direction; each ended flow's id, reason and counts) and
 * the same totals, flow-part counters included (summed from the one list,
 * FLOW_PART_COUNTERS). The frames come from memory through a sharded_feed,
 * in batches of several sizes: no read-ahead thread, no capture source.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/sharded.h"
#include "capture/capture.h"

#ifndef SAMPLES_DIR
#error SAMPLES_DIR must point at samples/
#endif

/* A capture held in memory: its records, each with its own scratch. */
struct frames {
	struct pkt_record *rec;
	struct pkt_prepared *prep;
	size_t n, cap;
};

static void keep(void *user, const struct pkt_record *rec)
{
	struct frames *fr = user;
	if (fr->n == fr->cap) {
		fr->cap = fr->cap ? fr->cap * 2 : 1024;
		fr->rec = realloc(fr->rec, fr->cap * sizeof(*fr->rec));
		cr_assert_not_null(fr->rec);
	}
	struct pkt_record *r = &fr->rec[fr->n++];
	*r = *rec;
	uint8_t *data = malloc(rec->caplen ? rec->caplen : 1);
	cr_assert_not_null(data);
	memcpy(data, rec->data, rec->caplen);
	r->data = data;
	r->prep = NULL;
}

static void load(struct frames *fr, const char *name)
{
	char path[512], err[CAPTURE_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, name);
	memset(fr, 0, sizeof(*fr));
	struct capture_config cc = {.name = path};
	struct capture_source src;
	cr_assert_eq(capture_open(&src, &capture_file_ops, &cc, err), 0, "%s", err);
	int n;
	while ((n = capture_dispatch(&src, 256, keep, fr, err)) > 0)
		;
	cr_assert_eq(n, CAPTURE_END, "%s: %s", name, err);
	capture_close(&src);
	cr_assert_gt(fr->n, 0, "%s has no frames", name);
	fr->prep = calloc(fr->n, sizeof(*fr->prep));
	cr_assert_not_null(fr->prep);
}

static void frames_free(struct frames *fr)
{
	for (size_t i = 0; i < fr->n; i++)
		free((void *)fr->rec[i].data);
	free(fr->rec);
	free(fr->prep);
}

/* What the sink was told, in order: a rolling hash and counts. */
struct calls {
	uint64_t hash;
	uint64_t events, flow_ends, segments;
};

static void mix(struct calls *c, uint64_t v)
{
	c->hash = (c->hash ^ v) * 0x100000001b3ull;
}

static void on_event(void *user, const struct flow *f, const struct finding_event *ev)
{
	struct calls *c = user;
	c->events++;
	mix(c, ev->kind);
	mix(c, ev->cause);
	mix(c, ev->frame);
	mix(c, ev->dir);
	mix(c, ev->ts_ns);
	mix(c, f ? f->id : 0);
}

static void on_flow_end(void *user, const struct flow *f, enum flow_retire_reason why,
			const struct flow_rounds *rounds)
{
	struct calls *c = user;
	c->flow_ends++;
	mix(c, f->id);
	mix(c, why);
	mix(c, f->events);
	mix(c, f->events_dropped);
	mix(c, f->half[0].packets);
	mix(c, f->half[1].bytes);
	mix(c, f->first_frame);
	mix(c, f->last_frame);
	for (int d = 0; d < 2; d++)
		for (uint16_t i = 0; i < rounds->n[d]; i++) {
			mix(c, rounds->r[d][i].t_ns);
			mix(c, rounds->r[d][i].flight_bytes);
			mix(c, (uint64_t)rounds->r[d][i].limit << 8 | rounds->r[d][i].phase);
		}
}

/* The segment observations, every field (the HTML sampler's input). */
static void on_segment(void *user, const struct segment_obs *o)
{
	struct calls *c = user;
	c->segments++;
	mix(c, o->flow_id);
	mix(c, o->ts_ns);
	mix(c, o->flow_bytes);
	mix(c, (uint64_t)(o->badness * 1000));
	mix(c, (uint64_t)o->seq << 32 | o->ack);
	mix(c, (uint64_t)o->seq_base << 32 | o->peer_seq_base);
	mix(c, (uint64_t)o->rwnd << 32 | o->retransmissions);
	mix(c, o->payload_len);
	mix(c, (uint64_t)o->dir | (uint64_t)o->tcp_flags << 8 | (uint64_t)o->l4_verdict << 16 |
		       (uint64_t)o->giant << 24 | (uint64_t)o->first_packet << 32 |
		       (uint64_t)o->peer_seq_known << 40 | (uint64_t)o->closed << 48 |
		       (uint64_t)o->sack_count << 56);
	for (int k = 0; k < o->sack_count; k++)
		mix(c, (uint64_t)o->sack[k].left << 32 | o->sack[k].right);
}

static struct analyzer *analyzer_for(struct calls *c, size_t max_flows)
{
	memset(c, 0, sizeof(*c));
	c->hash = 0xcbf29ce484222325ull;
	struct analyzer_sink sink = {.user = c, .event = on_event, .flow_end = on_flow_end,
				     .segment = on_segment, .segment_user = c};
	struct analyzer_config cfg = {.max_flows = max_flows};
	struct analyzer *a = analyzer_new(&cfg, &sink);
	cr_assert_not_null(a);
	return a;
}

/* The feed: batches of `batch` records from memory, the last one ending. */
struct mem_feed {
	struct frames *fr;
	size_t next, batch;
};

static int take(void *user, struct sharded_batch *out)
{
	struct mem_feed *m = user;
	if (m->next >= m->fr->n)
		return -1;
	size_t n = m->fr->n - m->next < m->batch ? m->fr->n - m->next : m->batch;
	for (size_t i = m->next; i < m->next + n; i++) {
		memset(&m->fr->prep[i], 0, sizeof(m->fr->prep[i]));
		m->fr->rec[i].prep = &m->fr->prep[i];
	}
	*out = (struct sharded_batch){.rec = &m->fr->rec[m->next], .n = (unsigned)n};
	m->next += n;
	if (m->next == m->fr->n)
		out->end = CAPTURE_END;
	return 0;
}

static void give_back(void *user)
{
	(void)user; /* every batch stays in memory */
}

static void compare(const char *name, size_t max_flows)
{
	struct frames fr;
	load(&fr, name);
	struct calls one;
	struct analyzer *single = analyzer_for(&one, max_flows);
	for (size_t i = 0; i < fr.n; i++)
		analyzer_packet(single, &fr.rec[i]);
	analyzer_finish(single);
	const struct analyzer_totals *t1 = analyzer_totals(single);
	cr_assert_gt(one.flow_ends, 0, "%s: no flow ended: nothing to compare", name);
	cr_assert_gt(one.segments, 0, "%s: no segment observed: nothing to compare", name);

	static const unsigned shard_counts[] = {1, 2, 3, 7};
	static const size_t batches[] = {512, 37, 1};
	for (size_t k = 0; k < sizeof(shard_counts) / sizeof(shard_counts[0]); k++) {
		size_t batch = batches[k % 3];
		struct calls many;
		struct analyzer *merge = analyzer_for(&many, max_flows);
		struct mem_feed m = {.fr = &fr, .batch = batch};
		struct sharded_feed feed = {.user = &m, .take = take, .give_back = give_back,
					    .ring = 4, .batch_max = 512};
		char err[256];
		struct sharded *s = sharded_new(&feed, merge, shard_counts[k], err, sizeof(err));
		cr_assert_not_null(s, "%s", err);
		uint64_t frames = 0;
		int n;
		while ((n = sharded_step(s, 0, err)) != CAPTURE_END) {
			cr_assert_geq(n, 0, "%s: %s", name, err);
			frames += (uint64_t)n;
		}
		uint64_t more;
		cr_assert_eq(sharded_finish(s, &more), 0, "%s: a cap was reached", name);
		frames += more;
		cr_assert_eq(sharded_out_of_order(s), 0, "%s: records out of order", name);
		analyzer_finish(merge);
		const struct analyzer_totals *t = analyzer_totals(merge);
		const char *what = name;
		cr_assert_eq(frames, fr.n, "%s, %u shards: %llu of %zu frames merged", what,
			     shard_counts[k], (unsigned long long)frames, fr.n);
		cr_assert_eq(many.events, one.events, "%s, %u shards: events", what, shard_counts[k]);
		cr_assert_eq(many.flow_ends, one.flow_ends, "%s, %u shards: flow ends", what,
			     shard_counts[k]);
		cr_assert_eq(many.segments, one.segments, "%s, %u shards: segments observed", what,
			     shard_counts[k]);
		cr_assert_eq(many.hash, one.hash, "%s, %u shards, batches of %zu: the sink calls differ",
			     what, shard_counts[k], batch);
		cr_assert_eq(memcmp(&t->flow_part, &t1->flow_part, sizeof(t->flow_part)), 0,
			     "%s, %u shards: the flow-part counters differ", what, shard_counts[k]);
		cr_assert_eq(t->frames, t1->frames);
		cr_assert_eq(t->bytes, t1->bytes);
		cr_assert_eq(t->flows, t1->flows);
		cr_assert_eq(t->retrans_bytes, t1->retrans_bytes);
		cr_assert_eq(t->held_overflow, t1->held_overflow);
		cr_assert_eq(memcmp(t->kind_count, t1->kind_count, sizeof(t->kind_count)), 0);
		cr_assert_eq(memcmp(t->cause_count, t1->cause_count, sizeof(t->cause_count)), 0);
		cr_assert_eq(memcmp(t->stall_ms, t1->stall_ms, sizeof(t->stall_ms)), 0,
			     "%s: stalled time summed in another order", what);
		cr_assert_eq(t->nhosts, t1->nhosts);
		sharded_free(s);
		analyzer_free(merge);
	}
	analyzer_free(single);
	frames_free(&fr);
}

Test(sharded, same_as_one_analyzer_bulk)
{
	compare("bulk.pcap", 0);
}

Test(sharded, same_as_one_analyzer_synretry)
{
	compare("synretry.pcap", 0);
}

Test(sharded, same_as_one_analyzer_corrupt)
{
	compare("corrupt.pcap", 0);
}

Test(sharded, same_as_one_analyzer_capture_loss_ipv6)
{
	compare("capture_loss_ipv6.pcap", 0);
}

Test(sharded, same_as_one_analyzer_fragments)
{
	compare("frag_rto.pcap", 0);
	compare("vxlan_frag.pcap", 0);
	compare("frag_nagle_v6.pcap", 0);
}
