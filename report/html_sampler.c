/*
 * report/html_sampler.c — fixed-budget segment samples for the HTML report
 * (see html_sampler.h for the policy). The hot path (html_sampler_segment)
 * finds the flow's slot (last hit, then a scan of HS_SLOTS ids), appends at
 * most a few points and folds a stream when it is full: no allocation.
 */
#include "html_sampler.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/csum_verify.h"

#define HS_SHIFT0 10          /* first bucket width: 1.024 us */
#define HS_PER_BUCKET 3

static const uint32_t stream_cap[HS_STREAMS] = {HS_DATA_POINTS, HS_ACK_POINTS, HS_SACK_POINTS};

struct html_sampler *html_sampler_new(void)
{
	struct html_sampler *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	size_t per_slot = 2 * (size_t)(HS_DATA_POINTS + HS_ACK_POINTS + HS_SACK_POINTS);
	s->pool = calloc(HS_SLOTS * per_slot, sizeof(struct hs_point));
	if (!s->pool) {
		free(s);
		return NULL;
	}
	struct hs_point *p = s->pool;
	for (int i = 0; i < HS_SLOTS; i++)
		for (int d = 0; d < 2; d++)
			for (int k = 0; k < HS_STREAMS; k++) {
				s->slot[i].s[d][k].p = p;
				s->slot[i].s[d][k].cap = stream_cap[k];
				p += stream_cap[k];
			}
	s->last = -1;
	return s;
}

void html_sampler_free(struct html_sampler *s)
{
	if (!s)
		return;
	free(s->pool);
	free(s);
}

/* Reduce the points run[0..n) of one bucket plus q to at most three: the
 * lowest a, the highest b, the first flagged; in time order. Returns the
 * new count written back into run. */
static uint32_t bucket_reduce(struct hs_point *run, uint32_t n, const struct hs_point *q)
{
	struct hs_point c[HS_PER_BUCKET + 1];
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		c[m++] = run[i];
	c[m++] = *q;
	int lo = 0, hi = 0, fl = -1;
	for (uint32_t i = 1; i < m; i++) {
		if (c[i].a < c[lo].a)
			lo = (int)i;
		if (c[i].b >= c[hi].b)
			hi = (int)i;
	}
	for (uint32_t i = 0; i < m; i++)
		if (c[i].flags) {
			fl = (int)i;
			break;
		}
	uint32_t k = 0;
	for (uint32_t i = 0; i < m; i++) /* candidates are already in time order */
		if ((int)i == lo || (int)i == hi || (int)i == fl)
			run[k++] = c[i];
	return k;
}

static uint64_t bucket_of(const struct hs_stream *st, uint64_t t)
{
	return (t > st->t0 ? t - st->t0 : 0) >> st->shift;
}

/* Append q to the stream, keeping the last bucket's budget. */
static void stream_put(struct hs_stream *st, const struct hs_point *q)
{
	uint64_t b = bucket_of(st, q->t_ns);
	uint32_t run = 0;
	while (run < st->n && run < HS_PER_BUCKET && bucket_of(st, st->p[st->n - 1 - run].t_ns) == b)
		run++;
	if (run < HS_PER_BUCKET) {
		st->p[st->n++] = *q;
		return;
	}
	uint32_t start = st->n - run;
	st->n = start + bucket_reduce(&st->p[start], run, q);
}

/* Double the bucket width and fold the stream in place until it has room. */
static void stream_fold(struct hs_stream *st)
{
	while (st->n >= st->cap && st->shift < 63) {
		st->shift++;
		uint32_t w = 0;
		for (uint32_t r = 0; r < st->n; r++) {
			uint64_t b = bucket_of(st, st->p[r].t_ns);
			uint32_t run = 0;
			while (run < w && run < HS_PER_BUCKET &&
			       bucket_of(st, st->p[w - 1 - run].t_ns) == b)
				run++;
			struct hs_point q = st->p[r];
			if (run < HS_PER_BUCKET)
				st->p[w++] = q;
			else
				w = (w - run) + bucket_reduce(&st->p[w - run], run, &q);
		}
		st->n = w;
	}
}

static void add(struct hs_stream *st, uint64_t t, uint32_t a, uint32_t b, uint32_t flags,
		uint32_t frame)
{
	if (st->n >= st->cap)
		stream_fold(st);
	if (st->n >= st->cap)
		return;
	struct hs_point q = {t, a, b, flags, frame};
	stream_put(st, &q);
}

static int slot_find(struct html_sampler *s, uint32_t id)
{
	if (s->last >= 0 && s->slot[s->last].flow_id == id)
		return s->last;
	for (int i = 0; i < HS_SLOTS; i++)
		if (s->slot[i].flow_id == id) {
			s->last = i;
			return i;
		}
	return -1;
}

static bool worse(double ba, uint64_t bya, uint32_t ida, const struct hs_rank *b);

/* A slot whose closed flow can no longer make the graphs (the list is full
 * and it ranks below the last), or -1. Per new flow, not per packet. */
static int slot_steal(struct html_sampler *s)
{
	if (s->nrank < HS_GRAPHS)
		return -1;
	for (int i = 0; i < HS_SLOTS; i++) {
		const struct hs_slot *sl = &s->slot[i];
		if (!sl->flow_id || sl->ended || !sl->closed)
			continue;
		if (!worse(sl->closed_badness, sl->closed_bytes, sl->flow_id, &s->rank[HS_GRAPHS - 1]))
			return i;
	}
	return -1;
}

static int slot_claim(struct html_sampler *s, uint32_t flow_id, uint64_t t0, uint64_t frame)
{
	int i = -1;
	for (int k = 0; k < HS_SLOTS && i < 0; k++)
		if (!s->slot[k].flow_id)
			i = k;
	if (i < 0) {
		i = slot_steal(s);
		if (i < 0)
			return -1;
		s->flows_not_sampled++; /* the closed flow whose slot this was */
	}
	struct hs_slot *sl = &s->slot[i];
	sl->flow_id = flow_id;
	sl->first_frame = frame;
	sl->ended = false;
	sl->closed = false;
	for (int d = 0; d < 2; d++) {
		sl->retrans_seen[d] = 0;
		sl->base[d] = 0;
		for (int k = 0; k < HS_STREAMS; k++) {
			sl->s[d][k].n = 0;
			sl->s[d][k].shift = HS_SHIFT0;
			sl->s[d][k].t0 = t0;
		}
	}
	s->last = i;
	return i;
}

void html_sampler_segment(struct html_sampler *s, const struct segment_obs *o)
{
	int i = slot_find(s, o->flow_id);
	if (i < 0) {
		/* Only from a flow's first packet: no graph starts midway. */
		if (!o->first_packet)
			return;
		i = slot_claim(s, o->flow_id, o->ts_ns, o->frame);
		if (i < 0) {
			s->flows_not_sampled++;
			return;
		}
	}
	struct hs_slot *sl = &s->slot[i];
	int dir = o->dir;
	uint64_t t = o->ts_ns;
	uint64_t off = o->frame - sl->first_frame;
	uint32_t fr = off < UINT32_MAX ? (uint32_t)off : UINT32_MAX;
	sl->base[dir] = o->seq_base;
	sl->closed = o->closed;
	sl->closed_badness = o->badness;
	sl->closed_bytes = o->flow_bytes;
	if (o->payload_len) {
		uint32_t fl = 0;
		if (o->retransmissions != sl->retrans_seen[dir])
			fl |= HS_F_RETRANS;
		if (o->l4_verdict == CSUM_BAD)
			fl |= HS_F_CSUM_BAD;
		else if (o->l4_verdict == CSUM_OFFLOAD)
			fl |= HS_F_CSUM_OFFLOAD;
		if (o->giant)
			fl |= HS_F_GIANT;
		uint32_t a = o->seq - o->seq_base;
		add(&sl->s[dir][HS_DATA], t, a, a + o->payload_len, fl, fr);
	}
	sl->retrans_seen[dir] = o->retransmissions;
	if (!(o->tcp_flags & TCP_ACK) || !o->peer_seq_known)
		return;
	uint32_t ack = o->ack - o->peer_seq_base;
	add(&sl->s[dir][HS_ACK], t, ack, ack + o->rwnd, o->rwnd ? 0 : HS_F_ZERO_WIN, fr);
	for (int k = 0; k < o->sack_count; k++)
		add(&sl->s[dir][HS_SACK], t, o->sack[k].left - o->peer_seq_base,
		    o->sack[k].right - o->peer_seq_base, 0, fr);
}

/* a ranks worse than b */
static bool worse(double ba, uint64_t bya, uint32_t ida, const struct hs_rank *b)
{
	if (ba != b->badness)
		return ba > b->badness;
	if (bya != b->bytes)
		return bya > b->bytes;
	return ida < b->flow_id;
}

bool html_sampler_flow_end(struct html_sampler *s, const struct flow *f)
{
	int i = slot_find(s, f->id);
	double bad = flow_badness(f);
	uint64_t bytes = f->half[0].bytes + f->half[1].bytes;
	uint32_t pos = s->nrank;
	while (pos > 0 && worse(bad, bytes, f->id, &s->rank[pos - 1]))
		pos--;
	if (pos >= HS_GRAPHS) {
		if (i >= 0)
			s->slot[i].flow_id = 0;
		return false;
	}
	if (s->nrank == HS_GRAPHS) { /* the last one drops out */
		int gone = s->rank[HS_GRAPHS - 1].slot;
		if (gone >= 0)
			s->slot[gone].flow_id = 0;
		s->nrank--;
	}
	memmove(&s->rank[pos + 1], &s->rank[pos], (s->nrank - pos) * sizeof(s->rank[0]));
	s->rank[pos] = (struct hs_rank){f->id, bad, bytes, i, (uint8_t)flow_chart_dir(f),
					flow_chart_both(f)};
	s->nrank++;
	if (i >= 0)
		s->slot[i].ended = true;
	if (s->last == i)
		s->last = -1;
	return true;
}

bool html_sampler_ranked(const struct html_sampler *s, uint32_t id)
{
	for (uint32_t i = 0; i < s->nrank; i++)
		if (s->rank[i].flow_id == id)
			return true;
	return false;
}

const struct hs_slot *html_sampler_graph(const struct html_sampler *s, uint32_t i)
{
	if (i >= s->nrank || s->rank[i].slot < 0)
		return NULL;
	return &s->slot[s->rank[i].slot];
}
