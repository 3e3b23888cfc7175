/*
 * analyze/sharded_merge.c — the merge (see sharded_internal.h): the shards'
 * records replayed frame by frame in key order, each frame's capture-wide
 * part in between, into the merging analyzer.
 */
#define _POSIX_C_SOURCE 200809L
#include "sharded_internal.h"

#include <stdio.h>
#include <string.h>

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
	case REC_SEGMENT: {
		struct segment_obs o;
		memcpy(&o, p, sizeof(o));
		o.flow_id = idmap_get(&sh->ids, o.flow_id, false);
		analyzer_merge_segment(s->merge, &o);
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

void merge_batch(struct sharded *s, const struct sharded_batch *b, const int8_t *own)
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

void merge_end(struct sharded *s)
{
	const struct rec_hdr *h;
	struct shard *sh;
	while ((sh = next_of(s, FRAME_END, PHASE_END, &h)))
		replay(s, sh, h);
	for (unsigned k = 0; k < s->n; k++)
		end_batch(s, &s->shard[k]);
}
