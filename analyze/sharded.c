/*
 * analyze/sharded.c — see sharded.h.
 *
 * Records travel from a shard to the merge in chunks: a ring of CHUNKS
 * buffers per shard, each grown as needed and reused (no allocation per
 * frame once they have grown). A shard hands a chunk over at the end of each
 * batch (ends_batch) and whenever it passes CHUNK_FLUSH bytes, so a burst of
 * flows ending at once, or the end of the capture, streams through a few
 * megabytes instead of piling up. Threads meet once per chunk and per batch,
 * under one mutex.
 */
#define _POSIX_C_SOURCE 200809L
#include "sharded.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

#define CHUNKS 8                 /* per shard, between it and the merge */
#define CHUNK_FLUSH (1u << 20)   /* a chunk is handed over past this many bytes */
#define CHUNK_MIN (64u << 10)
#define DEPTH 2                  /* batches handed to the shards ahead of the merge */
#define RING_MAX 16
#define LOOKAHEAD 16u            /* frames between a flow's prefetch and its frame */

/* Within a frame: flows ending by linger (0), the merge's own capture-wide
 * part of the frame (1, analyzer_frame: never recorded), the frame's flow
 * (2); after the last frame, the flows still open (3). */
enum { PHASE_EXPIRE = 0, PHASE_OWN = 2, PHASE_END = 3 };
#define FRAME_END UINT64_MAX

enum rec_type { REC_EVENT = 1, REC_FLOW_NEW, REC_FLOW_END, REC_DAMAGED };

/* Every record: its key (frame, phase, sub), then len bytes (a multiple of
 * 8, so every record and payload stays 8-byte aligned). */
struct rec_hdr {
	uint64_t frame;
	uint64_t sub;
	uint32_t len;
	uint8_t phase, type;
	uint8_t write;           /* REC_EVENT: written, not only counted */
	uint8_t why;             /* REC_FLOW_END: enum flow_retire_reason */
};

struct rec_event {
	struct finding_event ev;
	struct flow_key key;
	uint32_t has_flow;
};

struct rec_flow_new {
	uint64_t first_ts;
	uint32_t id;             /* the shard's own id */
	uint32_t client_from_syn;
};

/* Then struct flow, struct flow_cold when has_cold, the rounds of each
 * direction. */
struct rec_flow_end {
	uint16_t nrounds[2];
	uint32_t has_cold;
};

struct rec_damaged {
	uint64_t frame;
	/* then the message, NUL-terminated */
};

struct chunk {
	uint8_t *buf;
	size_t len, cap;
	bool ends_batch;         /* the shard's last chunk of a batch (or of its end) */
};

struct shard {
	struct sharded *s;
	unsigned index;
	pthread_t thread;
	bool started;
	struct analyzer *an;
	struct chunk chunk[CHUNKS];
	unsigned published, released; /* chunks handed over / given back (locked) */
	/* shard side */
	struct chunk *cur;       /* being written: chunk[published % CHUNKS] */
	uint64_t frame;          /* the key of what is recorded now */
	uint8_t phase;
	bool lost;               /* a record could not be stored (out of memory, stopped) */
	/* merge side */
	unsigned seen_published;
	size_t rpos;             /* in chunk[released % CHUNKS] */
	struct idmap ids;
};

struct sharded {
	struct sharded_feed feed;
	struct analyzer *merge;
	unsigned n;
	unsigned ring;           /* the read-ahead's batches */
	pthread_mutex_t lock;
	pthread_cond_t work;     /* shards: a batch, chunk room, the end */
	pthread_cond_t done;     /* merge: a chunk */
	pthread_cond_t prepared; /* shards: every slice of a batch decoded */
	unsigned prep_done[RING_MAX]; /* shards done decoding their slice (locked) */
	/* Each posted batch's frames' shards (-1: no flow), written by whoever
	 * decodes the frame: the others read 512 bytes, not every frame's
	 * decoded headers. */
	int8_t *owners[RING_MAX];
	unsigned batch_max;
	struct sharded_batch batch[RING_MAX]; /* handed out, by number % ring */
	uint64_t posted;         /* batches handed out (locked) */
	bool drain, quit;        /* (locked) */
	/* merge side */
	uint64_t merged;         /* batches merged */
	uint64_t frames_posted;
	bool took_end;
	int end_rc;
	char end_err[CAPTURE_ERRBUF_SIZE];
	bool finished;
	uint32_t next_id;
	struct flow scratch;
	struct flow_cold scratch_cold;
	struct flow ev_flow;     /* what an event's sink call gets: id and key */
	struct shard shard[SHARDED_MAX];
	uint64_t out_of_order;       /* records merged after their place (a broken invariant) */
};

/* ---- which shard ---- */

static int owner(const struct sharded *s, const struct pkt_record *rec)
{
	const struct pkt_prepared *pp = rec->prep;
	if (pp->rc != DECODE_OK || !pp->has_flow)
		return -1;
	/* The hash's high bits: the flow table's slots use its low ones. */
	return (int)(((uint64_t)pp->flow_hash * s->n) >> 32);
}

/* ---- the shard's side of the chunks ---- */

/* Take the next chunk to write; false when told to stop. */
static bool chunk_open(struct shard *sh)
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

static void chunk_publish(struct shard *sh, bool ends_batch)
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

/* ---- the shard thread ---- */

static void shard_batch(struct shard *sh, const struct sharded_batch *b, const int8_t *own)
{
	int me = (int)sh->index;
	for (unsigned i = 0; i < LOOKAHEAD && i < b->n; i++)
		if (own[i] == me)
			analyzer_lookahead(sh->an, &b->rec[i]);
	for (unsigned i = 0; i < b->n; i++) {
		const struct pkt_record *rec = &b->rec[i];
		if (i + LOOKAHEAD < b->n && own[i + LOOKAHEAD] == me)
			analyzer_lookahead(sh->an, &b->rec[i + LOOKAHEAD]);
		sh->frame = rec->frame;
		sh->phase = PHASE_EXPIRE;
		analyzer_shard_clock(sh->an, rec->ts_ns);
		if (own[i] == me) {
			sh->phase = PHASE_OWN;
			analyzer_shard_flow(sh->an, rec);
		} else if (own[i] < 0 && ((const struct pkt_prepared *)rec->prep)->dec.ip_frag) {
			const struct pkt_record *dg = analyzer_shard_fragment(sh->an, rec);
			if (dg && owner(sh->s, dg) == me) {
				sh->phase = PHASE_OWN;
				analyzer_shard_flow(sh->an, dg);
			}
		}
	}
}

/* Decode and sum this shard's slice of the batch (every n-th frame: the
 * reader only reads), then wait until every shard has done its own: a
 * shard's flows have frames in every slice. False when told to stop. */
static bool shard_prepare(struct shard *sh, const struct sharded_batch *b, unsigned slot)
{
	struct sharded *s = sh->s;
	int8_t *own = s->owners[slot];
	for (unsigned i = sh->index; i < b->n; i += s->n) {
		analyzer_prepare(NULL, &b->rec[i], b->rec[i].prep);
		own[i] = (int8_t)owner(s, &b->rec[i]);
	}
	pthread_mutex_lock(&s->lock);
	if (++s->prep_done[slot] == s->n)
		pthread_cond_broadcast(&s->prepared);
	while (s->prep_done[slot] < s->n && !s->quit)
		pthread_cond_wait(&s->prepared, &s->lock);
	bool ok = !s->quit;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void *shard_main(void *arg)
{
	struct shard *sh = arg;
	struct sharded *s = sh->s;
	for (uint64_t seq = 0;; seq++) {
		pthread_mutex_lock(&s->lock);
		while (seq == s->posted && !s->drain && !s->quit)
			pthread_cond_wait(&s->work, &s->lock);
		bool quit = s->quit;
		bool drain = !quit && seq == s->posted;
		struct sharded_batch b = {0};
		if (!quit && !drain)
			b = s->batch[seq % s->ring];
		pthread_mutex_unlock(&s->lock);
		if (quit)
			break;
		if (!drain && !shard_prepare(sh, &b, (unsigned)(seq % s->ring)))
			break;
		if (!chunk_open(sh))
			break;
		if (drain) {
			sh->phase = PHASE_END;
			analyzer_finish(sh->an);
			chunk_publish(sh, true);
			break;
		}
		shard_batch(sh, &b, s->owners[seq % s->ring]);
		chunk_publish(sh, true);
	}
	return NULL;
}

/* ---- the merge ---- */

static void chunk_release(struct sharded *s, struct shard *sh)
{
	pthread_mutex_lock(&s->lock);
	sh->released++;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->lock);
	sh->rpos = 0;
}

/* The shard's next record in the batch being merged, NULL when it has no
 * more for it; waits for chunks the shard is still writing. */
static const struct rec_hdr *head(struct sharded *s, struct shard *sh)
{
	for (;;) {
		if (sh->released == sh->seen_published) {
			pthread_mutex_lock(&s->lock);
			while (sh->released == sh->published)
				pthread_cond_wait(&s->done, &s->lock);
			sh->seen_published = sh->published;
			pthread_mutex_unlock(&s->lock);
		}
		const struct chunk *c = &sh->chunk[sh->released % CHUNKS];
		if (sh->rpos < c->len)
			return (const struct rec_hdr *)(c->buf + sh->rpos);
		if (c->ends_batch)
			return NULL;
		chunk_release(s, sh);
	}
}

static void replay(struct sharded *s, struct shard *sh, const struct rec_hdr *h)
{
	const uint8_t *p = (const uint8_t *)(h + 1);
	sh->rpos += sizeof(*h) + h->len;
	switch (h->type) {
	case REC_EVENT: {
		const struct rec_event *r = (const struct rec_event *)p;
		struct finding_event ev = r->ev;
		const struct flow *f = NULL;
		if (r->has_flow) {
			ev.flow_id = idmap_get(&sh->ids, ev.flow_id, false);
			s->ev_flow.id = ev.flow_id;
			s->ev_flow.key = r->key;
			f = &s->ev_flow;
		}
		analyzer_merge_event(s->merge, f, &ev, h->write);
		break;
	}
	case REC_FLOW_NEW: {
		const struct rec_flow_new *r = (const struct rec_flow_new *)p;
		uint32_t id = ++s->next_id;
		idmap_put(&sh->ids, r->id, id);
		struct flow *f = &s->ev_flow;
		f->id = id;
		f->first_ts = r->first_ts;
		f->client_from_syn = r->client_from_syn;
		analyzer_merge_flow_new(s->merge, f);
		break;
	}
	case REC_FLOW_END: {
		const struct rec_flow_end *r = (const struct rec_flow_end *)p;
		p += sizeof(*r);
		struct flow *f = &s->scratch;
		memcpy(f, p, sizeof(*f));
		p += sizeof(*f);
		f->cold = NULL;
		if (r->has_cold) {
			memcpy(&s->scratch_cold, p, sizeof(s->scratch_cold));
			f->cold = &s->scratch_cold;
			p += sizeof(s->scratch_cold);
		}
		f->id = idmap_get(&sh->ids, f->id, true);
		struct flow_rounds fr;
		fr.r[0] = (const struct cwnd_round *)p;
		fr.r[1] = fr.r[0] + r->nrounds[0];
		fr.n[0] = r->nrounds[0];
		fr.n[1] = r->nrounds[1];
		analyzer_merge_flow_end(s->merge, f, (enum flow_retire_reason)h->why, &fr);
		break;
	}
	case REC_DAMAGED: {
		const struct rec_damaged *r = (const struct rec_damaged *)p;
		analyzer_merge_damaged(s->merge, r->frame, (const char *)(r + 1));
		break;
	}
	}
}

/* Records left in a shard's batch (none, unless an invariant broke: they
 * are counted, then merged rather than lost), then its batch's last chunk
 * back. */
static void end_batch(struct sharded *s, struct shard *sh)
{
	const struct rec_hdr *h;
	while ((h = head(s, sh))) {
		s->out_of_order++;
		replay(s, sh, h);
	}
	chunk_release(s, sh);
}

/* Among the shards' next records of `phase` at `frame`, the one one analyzer
 * would have made first (lowest sub; two shards never share one). */
static struct shard *next_of(struct sharded *s, uint64_t frame, uint8_t phase,
			     const struct rec_hdr **hp)
{
	struct shard *best = NULL;
	const struct rec_hdr *bh = NULL;
	for (unsigned k = 0; k < s->n; k++) {
		const struct rec_hdr *h = head(s, &s->shard[k]);
		if (h && h->frame == frame && h->phase == phase && (!bh || h->sub < bh->sub)) {
			best = &s->shard[k];
			bh = h;
		}
	}
	*hp = bh;
	return best;
}

static void merge_batch(struct sharded *s, const struct sharded_batch *b, const int8_t *own)
{
	const struct rec_hdr *h;
	struct shard *sh;
	for (unsigned i = 0; i < b->n; i++) {
		const struct pkt_record *rec = &b->rec[i];
		while ((sh = next_of(s, rec->frame, PHASE_EXPIRE, &h)))
			replay(s, sh, h);
		analyzer_frame(s->merge, rec);
		int o = own[i];
		if (o < 0) {
			/* A fragment that completed a datagram: its owner analyzed
			 * it at this frame (shard_batch). Only a fragment can: the
			 * shards are not waited for on other frames. */
			if (((const struct pkt_prepared *)rec->prep)->dec.ip_frag)
				while ((sh = next_of(s, rec->frame, PHASE_OWN, &h)))
					replay(s, sh, h);
			continue;
		}
		sh = &s->shard[o];
		while ((h = head(s, sh)) && h->frame == rec->frame && h->phase == PHASE_OWN)
			replay(s, sh, h);
	}
	for (unsigned k = 0; k < s->n; k++)
		end_batch(s, &s->shard[k]);
}

static void merge_end(struct sharded *s)
{
	const struct rec_hdr *h;
	struct shard *sh;
	while ((sh = next_of(s, FRAME_END, PHASE_END, &h)))
		replay(s, sh, h);
	for (unsigned k = 0; k < s->n; k++)
		end_batch(s, &s->shard[k]);
}

/* ---- the calling thread ---- */

static void post(struct sharded *s, const struct sharded_batch *b)
{
	pthread_mutex_lock(&s->lock);
	s->batch[s->posted % s->ring] = *b;
	s->prep_done[s->posted % s->ring] = 0;
	s->posted++;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->lock);
}

/* Hand out batches until the shards are DEPTH ahead of the merge. */
static void feed(struct sharded *s, uint64_t limit)
{
	while (!s->took_end && s->posted - s->merged < DEPTH) {
		struct sharded_batch b;
		if ((limit && s->frames_posted >= limit) || s->feed.take(s->feed.user, &b) < 0) {
			s->took_end = true;
			s->end_rc = CAPTURE_END;
			return;
		}
		if (limit && b.n > limit - s->frames_posted) {
			b.n = (unsigned)(limit - s->frames_posted);
			b.end = CAPTURE_END; /* -c: the frames after are not analyzed */
		}
		s->frames_posted += b.n;
		if (b.end) {
			s->took_end = true;
			s->end_rc = b.end;
			snprintf(s->end_err, sizeof(s->end_err), "%s", b.err ? b.err : "");
		}
		post(s, &b);
	}
}

/* Merge the oldest batch handed out; its frame count. */
static unsigned merge_next(struct sharded *s)
{
	const struct sharded_batch *b = &s->batch[s->merged % s->ring];
	unsigned n = b->n;
	merge_batch(s, b, s->owners[s->merged % s->ring]);
	s->merged++;
	s->feed.give_back(s->feed.user);
	return n;
}

int sharded_step(struct sharded *s, uint64_t limit, char *errbuf)
{
	feed(s, limit);
	if (s->merged == s->posted) {
		if (s->end_rc == CAPTURE_ERR)
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s", s->end_err);
		return s->end_rc ? s->end_rc : CAPTURE_END;
	}
	return (int)merge_next(s);
}

static void stop_threads(struct sharded *s)
{
	pthread_mutex_lock(&s->lock);
	s->quit = true;
	pthread_cond_broadcast(&s->work);
	pthread_cond_broadcast(&s->prepared);
	pthread_mutex_unlock(&s->lock);
	for (unsigned k = 0; k < s->n; k++)
		if (s->shard[k].started) {
			pthread_join(s->shard[k].thread, NULL);
			s->shard[k].started = false;
		}
}

int sharded_finish(struct sharded *s, uint64_t *frames)
{
	*frames = 0;
	if (s->finished)
		return 0;
	s->finished = true;
	while (s->merged < s->posted)
		*frames += merge_next(s);
	pthread_mutex_lock(&s->lock);
	s->drain = true;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->lock);
	merge_end(s);
	bool capped = false;
	for (unsigned k = 0; k < s->n; k++) {
		pthread_join(s->shard[k].thread, NULL);
		s->shard[k].started = false;
		analyzer_absorb(s->merge, s->shard[k].an);
		capped |= s->shard[k].lost || analyzer_pool_overflows(s->shard[k].an) > 0;
	}
	capped |= analyzer_totals(s->merge)->flows_evicted > 0;
	return capped;
}

uint64_t sharded_out_of_order(const struct sharded *s)
{
	return s->out_of_order;
}

void sharded_free(struct sharded *s)
{
	if (!s)
		return;
	stop_threads(s);
	for (unsigned k = 0; k < s->n; k++) {
		struct shard *sh = &s->shard[k];
		analyzer_free(sh->an);
		for (unsigned c = 0; c < CHUNKS; c++)
			free(sh->chunk[c].buf);
		idmap_free(&sh->ids);
	}
	for (unsigned r = 0; r < RING_MAX; r++)
		free(s->owners[r]);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->done);
	pthread_cond_destroy(&s->prepared);
	free(s);
}

/* A cap's share: at least `floor`. */
static size_t share(size_t cap, unsigned n, size_t floor)
{
	size_t v = (cap + n - 1) / n;
	return v < floor ? floor : v;
}

struct sharded *sharded_new(const struct sharded_feed *feed, struct analyzer *merge, unsigned shards,
			    char *errbuf, size_t errlen)
{
	if (shards < 1 || shards > SHARDED_MAX || feed->ring > RING_MAX ||
	    feed->ring < DEPTH + 1) {
		snprintf(errbuf, errlen, "cannot shard the analysis %u ways", shards);
		return NULL;
	}
	struct sharded *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(errbuf, errlen, "out of memory for the shards");
		return NULL;
	}
	s->feed = *feed;
	s->merge = merge;
	s->n = shards;
	s->ring = feed->ring;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->done, NULL);
	pthread_cond_init(&s->prepared, NULL);
	s->batch_max = feed->batch_max;
	for (unsigned r = 0; r < s->ring; r++)
		if (!(s->owners[r] = malloc(s->batch_max))) {
			snprintf(errbuf, errlen, "out of memory for the shards");
			sharded_free(s);
			return NULL;
		}
	const struct analyzer_config *mc = analyzer_config(merge);
	struct analyzer_config cfg = *mc;
	cfg.max_flows = share(mc->max_flows, shards, 1);
	cfg.max_held = share(mc->max_held, shards, 64);
	cfg.max_rounds = share(mc->max_rounds, shards, 1024);
	for (unsigned k = 0; k < shards; k++) {
		struct shard *sh = &s->shard[k];
		sh->s = s;
		sh->index = k;
		struct analyzer_recorder rec = {sh, on_rec_event, on_rec_flow_new, on_rec_flow_end,
						on_rec_damaged};
		if (!(sh->an = analyzer_shard_new(&cfg, &rec))) {
			snprintf(errbuf, errlen, "out of memory for the shards");
			sharded_free(s);
			return NULL;
		}
	}
	/* The shards take no signals: the calling thread's loop checks them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned k = 0; k < shards; k++) {
		int rc = pthread_create(&s->shard[k].thread, NULL, shard_main, &s->shard[k]);
		if (rc != 0) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			snprintf(errbuf, errlen, "cannot start shard thread %u: %s", k + 1, strerror(rc));
			sharded_free(s);
			return NULL;
		}
		s->shard[k].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return s;
}
