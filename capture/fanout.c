/*
 * capture/fanout.c — see fanout.h.
 *
 * Per ring, a ring of FO_BATCHES batches: its thread fills the one at wi
 * while fewer than FO_BATCHES are ready, the consumer hands out the one at
 * ri and gives it back when it is used up. A batch carries its frames
 * (copied into its arena: the ring block goes back to the kernel at once),
 * a prepared scratch per frame, and the ring's watermark after it. An empty
 * batch is published too: it moves the watermark of a quiet ring, without
 * which the other rings' frames would wait.
 */
#define _POSIX_C_SOURCE 200809L
#include "fanout.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/units.h"
#include "tpacket3.h"

#define FO_BATCHES 4
#define FO_FRAMES 256u
#define FO_ARENA (4u << 20)               /* frame bytes per batch (pages touched as used) */
/* Frames stamped before the kernel counts them in a block (receive
 * timestamps on: stamped as they arrive, queued to the ring after): a
 * quiet ring's watermark lags the clock by this, and so does the merge. */
#define FO_MARGIN_NS (50 * NS_PER_MS_U64)

struct fo_batch {
	unsigned n;                   /* records filled */
	size_t used;                  /* arena bytes used */
	int end;                      /* 0, or CAPTURE_ERR after these records */
	uint64_t wm;                  /* the ring delivered every frame stamped up to this */
	char errbuf[CAPTURE_ERRBUF_SIZE];
	struct pkt_record rec[FO_FRAMES];
	unsigned char *scratch;       /* FO_FRAMES * scratch_size */
	uint8_t *arena;
};

struct fanout;

struct fo_ring {
	struct fanout *f;
	struct capture_source src;    /* the tpacket3 ring, used by its thread only */
	int open, started;
	pthread_t thread;
	pthread_cond_t can_fill;
	unsigned ready;               /* batches filled, not yet given back (atomic, locked writes) */
	/* the ring's thread */
	unsigned wi;
	struct fo_batch *filling;
	uint64_t last_ts;             /* latest frame time copied */
	uint64_t wm_fill;             /* watermark published so far */
	/* the consumer */
	unsigned ri;
	struct fo_batch *cur;         /* batch being handed out; NULL: none held */
	unsigned ci;
	uint64_t wm;                  /* watermark of the last batch taken */
	int ended;                    /* its thread stopped on an error; cur used up */
	struct fo_batch b[FO_BATCHES];
};

struct fanout {
	unsigned nrings;
	size_t scratch_size;
	capture_prepare_fn prepare;
	void *prepare_user;
	unsigned frame_max;           /* the snap length: no frame is longer */
	uint64_t lag_ns;              /* a quiet ring's watermark: clock - lag */
	int poll_ms;
	pthread_mutex_t lock;
	pthread_cond_t can_take;      /* a ring published a batch */
	int stop;                     /* (locked) */
	uint64_t frame_no;            /* frames handed on (atomic: stats may read it) */
	uint64_t late;                /* (atomic) */
	uint64_t last_ts;             /* consumer: latest time handed on */
	int failed;                   /* consumer: a ring ended on an error */
	char err[CAPTURE_ERRBUF_SIZE];
	struct fo_ring ring[];
};

static uint64_t realtime_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t); /* the clock the kernel stamps frames with */
	return (uint64_t)t.tv_sec * NS_PER_S_U64 + (uint64_t)t.tv_nsec;
}

/* The ring's thread: one frame from its ring into the filling batch. */
static void on_frame(void *user, const struct pkt_record *in)
{
	struct fo_ring *r = user;
	struct fanout *f = r->f;
	struct fo_batch *b = r->filling;
	if (b->n >= FO_FRAMES) /* never: no more was asked for */
		return;
	struct pkt_record *out = &b->rec[b->n];
	*out = *in;
	if (out->caplen > FO_ARENA - b->used) /* never: asked only for what fits */
		out->caplen = (uint32_t)(FO_ARENA - b->used);
	uint8_t *dst = b->arena + b->used;
	memcpy(dst, in->data, out->caplen);
	b->used += (out->caplen + 7u) & ~(size_t)7; /* keep frames 8-byte aligned */
	if (b->used > FO_ARENA)
		b->used = FO_ARENA;
	out->data = dst;
	out->prep = b->scratch ? b->scratch + (size_t)b->n * f->scratch_size : NULL;
	if (in->ts_ns > r->last_ts)
		r->last_ts = in->ts_ns;
	b->n++;
}

/* A ring's frames are in the order the kernel queued them, which is not
 * quite the order it stamped them: a CPU stamps a frame, then queues it,
 * and another may queue a later one in between. Put them in time order
 * (insertion sort, stable: linear on what is already nearly sorted). */
static void sort_by_time(struct fo_batch *b)
{
	for (unsigned i = 1; i < b->n; i++) {
		if (b->rec[i].ts_ns >= b->rec[i - 1].ts_ns)
			continue;
		struct pkt_record t = b->rec[i];
		unsigned j = i;
		for (; j > 0 && b->rec[j - 1].ts_ns > t.ts_ns; j--)
			b->rec[j] = b->rec[j - 1];
		b->rec[j] = t;
	}
}

/* The ring's thread, its ring found without a ready block: up to when it
 * has handed over every frame. A frame the kernel has not counted in its
 * current block yet is stamped after now (tpacket3.h), so: now, or the
 * time that block was opened when it already holds frames; less a margin
 * for frames stamped on their way in. */
static uint64_t drained_watermark(struct fo_ring *r)
{
	struct fanout *f = r->f;
	uint64_t now = realtime_ns(), since = 0;
	int pending = tpacket3_pending(&r->src, &since);
	uint64_t t = pending == 0 ? now : pending == 2 ? since : 0;
	uint64_t wm = t > f->lag_ns ? t - f->lag_ns : 0;
	return wm > r->last_ts ? wm : r->last_ts;
}

/* The ring's thread: what its ring holds now into b, and up to when b
 * completes what the ring delivered (fanout.h). */
static void fill(struct fo_ring *r, struct fo_batch *b)
{
	struct fanout *f = r->f;
	b->n = 0;
	b->used = 0;
	b->end = 0;
	b->errbuf[0] = 0;
	r->filling = b;
	uint64_t wm = r->last_ts;
	for (;;) {
		size_t room = (FO_ARENA - b->used) / f->frame_max;
		unsigned max = FO_FRAMES - b->n;
		if (max > room)
			max = (unsigned)room;
		if (!max) {
			wm = r->last_ts; /* full: the ring may hold more */
			break;
		}
		int rc = capture_dispatch(&r->src, (int)max, on_frame, r, b->errbuf);
		if (rc < 0) {
			b->end = CAPTURE_ERR;
			wm = r->last_ts;
			break;
		}
		if ((unsigned)rc < max) {
			wm = drained_watermark(r);
			break;
		}
	}
	if (wm < r->wm_fill)
		wm = r->wm_fill;
	b->wm = r->wm_fill = wm;
	sort_by_time(b);
	/* After the sort: what prepare makes points at its record. */
	if (f->prepare)
		for (unsigned i = 0; i < b->n; i++)
			f->prepare(f->prepare_user, &b->rec[i], b->rec[i].prep);
}

static void *ring_main(void *arg)
{
	struct fo_ring *r = arg;
	struct fanout *f = r->f;
	for (;;) {
		pthread_mutex_lock(&f->lock);
		while (__atomic_load_n(&r->ready, __ATOMIC_RELAXED) == FO_BATCHES && !f->stop)
			pthread_cond_wait(&r->can_fill, &f->lock);
		int stop = f->stop;
		pthread_mutex_unlock(&f->lock);
		if (stop)
			break;
		struct fo_batch *b = &r->b[r->wi];
		fill(r, b);
		pthread_mutex_lock(&f->lock);
		__atomic_fetch_add(&r->ready, 1, __ATOMIC_RELEASE);
		pthread_cond_signal(&f->can_take);
		pthread_mutex_unlock(&f->lock);
		r->wi = (r->wi + 1) % FO_BATCHES;
		if (b->end)
			break;
	}
	return NULL;
}

/* The consumer: does ring r have a frame to hand on? Takes its next batch
 * when the one held is used up. */
static int has_head(struct fanout *f, struct fo_ring *r)
{
	for (;;) {
		if (r->cur && r->ci < r->cur->n)
			return 1;
		if (r->ended)
			return 0;
		if (r->cur && r->cur->end) { /* its thread stopped after this batch */
			r->ended = 1;
			if (!f->failed) {
				f->failed = 1;
				snprintf(f->err, sizeof(f->err), "%s", r->cur->errbuf);
			}
			return 0;
		}
		unsigned held = r->cur ? 1u : 0u;
		if (__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) <= held)
			return 0; /* nothing new: no lock taken */
		if (r->cur) {
			pthread_mutex_lock(&f->lock);
			__atomic_fetch_sub(&r->ready, 1, __ATOMIC_RELAXED);
			pthread_cond_signal(&r->can_fill);
			pthread_mutex_unlock(&f->lock);
			r->ri = (r->ri + 1) % FO_BATCHES;
		}
		r->cur = &r->b[r->ri];
		r->ci = 0;
		if (r->cur->wm > r->wm)
			r->wm = r->cur->wm;
	}
}

/* The ring whose next frame is the earliest, once no ring can still
 * produce an earlier one; NULL when some ring has to be waited for. Equal
 * times go in ring order. */
static struct fo_ring *pick(struct fanout *f)
{
	struct fo_ring *best = NULL;
	uint64_t best_ts = 0;
	for (unsigned i = 0; i < f->nrings; i++) {
		struct fo_ring *r = &f->ring[i];
		if (!has_head(f, r))
			continue;
		uint64_t ts = r->cur->rec[r->ci].ts_ns;
		if (!best || ts < best_ts) {
			best = r;
			best_ts = ts;
		}
	}
	if (!best)
		return NULL;
	for (unsigned i = 0; i < f->nrings; i++) {
		struct fo_ring *r = &f->ring[i];
		if (r == best || r->ended || (r->cur && r->ci < r->cur->n))
			continue;
		if (r->wm < best_ts)
			return NULL; /* r may still deliver a frame before best's */
	}
	return best;
}

/* The consumer: wait up to poll_ms for a ring it has no frame of to
 * publish a batch (a ring with frames in hand may have more batches ready:
 * they are not what the merge waits for). */
static void wait_any(struct fanout *f)
{
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_nsec += (long)f->poll_ms * 1000000L;
	dl.tv_sec += dl.tv_nsec / 1000000000L;
	dl.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&f->lock);
	for (;;) {
		int fresh = 0;
		for (unsigned i = 0; i < f->nrings && !fresh; i++) {
			struct fo_ring *r = &f->ring[i];
			fresh = !r->ended && !(r->cur && r->ci < r->cur->n) &&
				__atomic_load_n(&r->ready, __ATOMIC_RELAXED) > (r->cur ? 1u : 0u);
		}
		if (fresh || pthread_cond_timedwait(&f->can_take, &f->lock, &dl) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&f->lock);
}

static int fo_dispatch(struct capture_source *src, int max, capture_packet_fn fn, void *user,
		       char *errbuf)
{
	struct fanout *f = src->priv;
	if (max <= 0)
		max = 1 << 30;
	int k = 0, waited = 0;
	while (k < max) {
		struct fo_ring *r = pick(f);
		if (r) {
			struct pkt_record *rec = &r->cur->rec[r->ci++];
			rec->frame = f->frame_no + 1;
			__atomic_store_n(&f->frame_no, rec->frame, __ATOMIC_RELAXED);
			if (rec->ts_ns < f->last_ts)
				__atomic_fetch_add(&f->late, 1, __ATOMIC_RELAXED);
			else
				f->last_ts = rec->ts_ns;
			fn(user, rec);
			k++;
			continue;
		}
		if (f->failed && !k) {
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s", f->err);
			return CAPTURE_ERR;
		}
		if (k || waited)
			break;
		wait_any(f);
		waited = 1;
	}
	return k;
}

static int fo_stats(struct capture_source *src, struct capture_stats *out)
{
	struct fanout *f = src->priv;
	out->packets = __atomic_load_n(&f->frame_no, __ATOMIC_RELAXED);
	out->kernel_drops_known = 1;
	out->rings = f->nrings;
	for (unsigned i = 0; i < f->nrings; i++) {
		struct capture_stats cs;
		capture_stats(&f->ring[i].src, &cs);
		out->ring[i].packets = cs.packets;
		out->ring[i].kernel_drops = cs.kernel_drops;
		out->kernel_drops += cs.kernel_drops;
		out->kernel_freezes += cs.kernel_freezes;
	}
	return CAPTURE_OK;
}

static void fo_free(struct fanout *f)
{
	for (unsigned i = 0; i < f->nrings; i++) {
		struct fo_ring *r = &f->ring[i];
		if (r->open)
			capture_close(&r->src);
		for (unsigned j = 0; j < FO_BATCHES; j++) {
			free(r->b[j].arena);
			free(r->b[j].scratch);
		}
		pthread_cond_destroy(&r->can_fill);
	}
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->can_take);
	free(f);
}

static void fo_stop(struct fanout *f)
{
	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	for (unsigned i = 0; i < f->nrings; i++)
		pthread_cond_broadcast(&f->ring[i].can_fill);
	pthread_mutex_unlock(&f->lock);
	for (unsigned i = 0; i < f->nrings; i++)
		if (f->ring[i].started)
			pthread_join(f->ring[i].thread, NULL);
}

static void fo_close(struct capture_source *src)
{
	struct fanout *f = src->priv;
	if (!f)
		return;
	fo_stop(f);
	fo_free(f);
	src->priv = NULL;
}

static int fo_open(struct capture_source *src, const struct capture_config *cfg, char *errbuf)
{
	(void)src;
	(void)cfg;
	snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "fanout: use capture_fanout_open");
	return CAPTURE_ERR;
}

static const struct capture_ops fanout_ops = {
	.name = "tpacket3",
	.open = fo_open,
	.dispatch = fo_dispatch,
	.stats = fo_stats,
	.close = fo_close,
};

uint64_t capture_fanout_late(const struct capture_source *src)
{
	if (src->ops != &fanout_ops)
		return 0;
	const struct fanout *f = src->priv;
	return __atomic_load_n(&f->late, __ATOMIC_RELAXED);
}

/* Open the rings and form the group (tpacket3.h: nothing kept until every
 * ring has joined), then give each its filter. */
static int open_rings(struct fanout *f, const struct capture_config *cfg, char *errbuf)
{
	struct capture_config rc = *cfg;
	rc.fanout_hold = 1;
	rc.poll_ms = f->poll_ms;
	for (unsigned i = 0; i < f->nrings; i++) {
		if (capture_open(&f->ring[i].src, &capture_tpacket3_ops, &rc, errbuf) < 0)
			return CAPTURE_ERR;
		f->ring[i].open = 1;
	}
	int group = -1;
	for (unsigned i = 0; i < f->nrings; i++)
		if (tpacket3_fanout_join(&f->ring[i].src, &group, errbuf) < 0)
			return CAPTURE_ERR;
	for (unsigned i = 0; i < f->nrings; i++)
		if (tpacket3_set_filter(&f->ring[i].src, cfg->bpf, (int)f->frame_max, errbuf) < 0)
			return CAPTURE_ERR;
	return CAPTURE_OK;
}

static int alloc_batches(struct fanout *f)
{
	for (unsigned i = 0; i < f->nrings; i++)
		for (unsigned j = 0; j < FO_BATCHES; j++) {
			struct fo_batch *b = &f->ring[i].b[j];
			b->arena = malloc(FO_ARENA);
			b->scratch = f->scratch_size ? malloc(FO_FRAMES * f->scratch_size) : NULL;
			if (!b->arena || (f->scratch_size && !b->scratch))
				return -1;
		}
	return 0;
}

int capture_fanout_open(struct capture_source *src, const struct capture_config *cfg,
			unsigned rings, size_t scratch_size, capture_prepare_fn prepare,
			void *prepare_user, char *errbuf)
{
	if (rings < 2 || rings > CAPTURE_RINGS_MAX) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "a fanout group has 2 to %d rings, not %u",
			 CAPTURE_RINGS_MAX, rings);
		return CAPTURE_ERR;
	}
	struct fanout *f = calloc(1, sizeof(*f) + rings * sizeof(f->ring[0]));
	if (!f) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory for the fanout rings");
		return CAPTURE_ERR;
	}
	f->nrings = rings;
	f->scratch_size = (scratch_size + 15) & ~(size_t)15;
	f->prepare = prepare;
	f->prepare_user = prepare_user;
	f->frame_max = (unsigned)(cfg->snaplen > 0 ? cfg->snaplen : CAPTURE_SNAPLEN_DEFAULT);
	unsigned tov = cfg->ring_timeout_ms ? cfg->ring_timeout_ms : CAPTURE_RING_TIMEOUT_DEFAULT;
	f->lag_ns = FO_MARGIN_NS;
	f->poll_ms = (int)(tov < 20 ? tov : 20); /* a quiet ring's watermark moves this often */
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->can_take, &ca);
	pthread_condattr_destroy(&ca);
	for (unsigned i = 0; i < rings; i++) {
		f->ring[i].f = f;
		pthread_cond_init(&f->ring[i].can_fill, NULL);
	}
	if (open_rings(f, cfg, errbuf) < 0) {
		fo_free(f);
		return CAPTURE_ERR;
	}
	if (alloc_batches(f) < 0) {
		fo_free(f);
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory for the fanout rings' batches");
		return CAPTURE_ERR;
	}
	/* The ring threads take no signals: they reach the consumer's thread,
	 * whose loop checks for them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = 0;
	for (unsigned i = 0; i < rings && !rc; i++)
		if (!(rc = pthread_create(&f->ring[i].thread, NULL, ring_main, &f->ring[i])))
			f->ring[i].started = 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		fo_stop(f);
		fo_free(f);
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "cannot start the fanout rings' threads: %s",
			 strerror(rc));
		return CAPTURE_ERR;
	}
	memset(src, 0, sizeof(*src));
	src->ops = &fanout_ops;
	src->priv = f;
	snprintf(src->name, sizeof(src->name), "%s", cfg->name ? cfg->name : "");
	src->kind = fanout_ops.name;
	src->linktype = f->ring[0].src.linktype;
	src->precision = TS_PRECISION_NSEC;
	return CAPTURE_OK;
}
