/*
 * analyze/sharded.c — see sharded.h. The threads: which shard owns a frame,
 * the shard thread's loop (decode its slice, wait for the others, analyze
 * its frames), batches handed out and merged in turn, start and stop. The
 * records are sharded_record.c's, the merge sharded_merge.c's.
 */
#define _POSIX_C_SOURCE 200809L
#include "sharded.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharded_internal.h"

/* ---- which shard ---- */

static int owner(const struct sharded *s, const struct pkt_record *rec)
{
	const struct pkt_prepared *pp = rec->prep;
	if (pp->rc != DECODE_OK || !pp->has_flow)
		return -1;
	/* The hash's high bits: the flow table's slots use its low ones. */
	return (int)(((uint64_t)pp->flow_hash * s->n) >> 32);
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
		struct analyzer_recorder rec;
		shard_recorder(sh, &rec, analyzer_observes_segments(merge));
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
