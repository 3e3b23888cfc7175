/*
 * analyze/sharded_record.c — a shard's recorder (see sharded_internal.h):
 * what one analyzer would count or hand to its sink, written as records
 * keyed where one analyzer would have made them, into the shard's chunks.
 */
#define _POSIX_C_SOURCE 200809L
#include "sharded_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- the shard's side of the chunks ---- */

/* Take the next chunk to write; false when told to stop. */
bool chunk_open(struct shard *sh)
{
	struct sharded *s = sh->s;
	pthread_mutex_lock(&s->lock);
	while (sh->published - sh->released == CHUNKS && !s->quit)
		pthread_cond_wait(&s->work, &s->lock);
	bool ok = !s->quit;
	unsigned w = sh->published;
	pthread_mutex_unlock(&s->lock);
	if (!ok) {
		sh->cur = NULL;
		return false;
	}
	sh->cur = &sh->chunk[w % CHUNKS];
	sh->cur->len = 0;
	sh->cur->ends_batch = false;
	return true;
}

void chunk_publish(struct shard *sh, bool ends_batch)
{
	struct sharded *s = sh->s;
	if (!sh->cur)
		return;
	sh->cur->ends_batch = ends_batch;
	sh->cur = NULL;
	pthread_mutex_lock(&s->lock);
	sh->published++;
	pthread_cond_broadcast(&s->done);
	pthread_mutex_unlock(&s->lock);
}

/* Room for a record of len payload bytes with the current key; NULL when
 * it cannot be stored (counted in sh->lost). */
static void *rec_add(struct shard *sh, uint8_t type, uint64_t sub, size_t len, struct rec_hdr **hp)
{
	struct chunk *c = sh->cur;
	if (!c) {
		sh->lost = true;
		return NULL;
	}
	size_t plen = (len + 7) & ~(size_t)7;
	size_t need = sizeof(struct rec_hdr) + plen;
	if (c->len + need > c->cap) {
		size_t cap = c->cap ? 2 * c->cap : CHUNK_MIN;
		while (cap < c->len + need)
			cap *= 2;
		uint8_t *nb = realloc(c->buf, cap);
		if (!nb) {
			sh->lost = true;
			return NULL;
		}
		c->buf = nb;
		c->cap = cap;
	}
	struct rec_hdr *h = (struct rec_hdr *)(c->buf + c->len);
	memset(h, 0, sizeof(*h));
	h->frame = sh->phase == PHASE_END ? FRAME_END : sh->frame;
	h->phase = sh->phase;
	h->sub = sub;
	h->type = type;
	h->len = (uint32_t)plen;
	c->len += need;
	*hp = h;
	return h + 1;
}

/* After a record: hand a full chunk over, go on in the next. */
static void rec_done(struct shard *sh)
{
	if (sh->cur && sh->cur->len >= CHUNK_FLUSH) {
		chunk_publish(sh, false);
		chunk_open(sh);
	}
}

/* The third part of a record's key: where one analyzer would have put it
 * among the records of the same frame and phase. */
static uint64_t key_sub(const struct shard *sh, const struct flow *f)
{
	if (!f || sh->phase == PHASE_OWN)
		return 0;
	/* Lingering flows end in the order they were last touched; at the end
	 * of the capture, in id order (= order of first frame). */
	return sh->phase == PHASE_END ? f->first_frame : f->last_frame;
}

static void on_rec_event(void *user, const struct flow *f, const struct finding_event *ev, bool write)
{
	struct shard *sh = user;
	struct rec_hdr *h;
	struct rec_event *r = rec_add(sh, REC_EVENT, key_sub(sh, f), sizeof(*r), &h);
	if (!r)
		return;
	h->write = write;
	r->ev = *ev;
	r->has_flow = f != NULL;
	if (f)
		r->key = f->key;
	else
		memset(&r->key, 0, sizeof(r->key));
	rec_done(sh);
}

static void on_rec_flow_new(void *user, const struct flow *f)
{
	struct shard *sh = user;
	struct rec_hdr *h;
	struct rec_flow_new *r = rec_add(sh, REC_FLOW_NEW, key_sub(sh, f), sizeof(*r), &h);
	if (!r)
		return;
	r->first_ts = f->first_ts;
	r->id = f->id;
	r->client_from_syn = f->client_from_syn;
	rec_done(sh);
}

static void on_rec_flow_end(void *user, const struct flow *f, enum flow_retire_reason why,
			    const struct flow_rounds *rounds)
{
	struct shard *sh = user;
	const uint16_t *nr = rounds->n;
	size_t len = sizeof(struct rec_flow_end) + sizeof(struct flow) +
		     (f->cold ? sizeof(struct flow_cold) : 0) +
		     ((size_t)nr[0] + nr[1]) * sizeof(struct cwnd_round);
	struct rec_hdr *h;
	uint8_t *p = rec_add(sh, REC_FLOW_END, key_sub(sh, f), len, &h);
	if (!p)
		return;
	h->why = (uint8_t)why;
	struct rec_flow_end *r = (struct rec_flow_end *)p;
	r->has_cold = f->cold != NULL;
	p += sizeof(*r);
	memcpy(p, f, sizeof(*f));
	p += sizeof(*f);
	if (f->cold) {
		memcpy(p, f->cold, sizeof(*f->cold));
		p += sizeof(*f->cold);
	}
	for (int d = 0; d < 2; d++) {
		memcpy(p, rounds->r[d], (size_t)nr[d] * sizeof(struct cwnd_round));
		r->nrounds[d] = nr[d];
		p += (size_t)nr[d] * sizeof(struct cwnd_round);
	}
	rec_done(sh);
}

static void on_rec_damaged(void *user, uint64_t frame, const char *msg)
{
	struct shard *sh = user;
	size_t n = strlen(msg) + 1;
	struct rec_hdr *h;
	struct rec_damaged *r = rec_add(sh, REC_DAMAGED, 0, sizeof(*r) + n, &h);
	if (!r)
		return;
	r->frame = frame;
	memcpy(r + 1, msg, n);
	rec_done(sh);
}

static void on_rec_segment(void *user, const struct segment_obs *o)
{
	struct shard *sh = user;
	struct rec_hdr *h;
	struct segment_obs *r = rec_add(sh, REC_SEGMENT, 0, sizeof(*r), &h);
	if (!r)
		return;
	*r = *o;
	rec_done(sh);
}

void shard_recorder(struct shard *sh, struct analyzer_recorder *rec, bool segments)
{
	*rec = (struct analyzer_recorder){sh, on_rec_event, on_rec_flow_new, on_rec_flow_end,
					  on_rec_damaged, segments ? on_rec_segment : NULL};
}
