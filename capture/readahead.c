/*
 * capture/readahead.c — see readahead.h.
 *
 * A ring of RA_BATCHES batches. The reader fills the batch at wi while fewer
 * than RA_BATCHES are ready; the consumer drains the batch at ri and hands
 * it back. A batch holds up to RA_FRAMES records, their frames copied into
 * its arena, and one scratch area per record for the prepare hook. The
 * reader asks the inner source for at most as many frames as the arena has
 * room for at the largest snapshot length libpcap gives the link types the
 * analyzer decodes, so a frame always fits; a longer one (libpcap allows
 * more for a few other link types) would get its own buffer, freed when the
 * batch is reused.
 */
#define _POSIX_C_SOURCE 200809L
#include "readahead.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RA_BATCHES 4
#define RA_FRAMES 512u
#define RA_FRAME_MAX 262144u          /* libpcap's snapshot length for Ethernet & co. */
#define RA_ARENA (16u * RA_FRAME_MAX) /* frame bytes per batch (pages touched as used) */
#define RA_LOOKAHEAD 16u              /* frames between the lookahead hook and fn */
/* One thread only: after a batch whose frames averaged RA_DIRECT_AVG bytes or
 * more, the next RA_DIRECT_FRAMES go to the consumer straight from the inner
 * source, uncopied and unprepared, then a batch samples the sizes again.
 * Batching pays for per-frame work (a flow lookup, a miss); on full-sized
 * frames copying the bytes costs more than it saves (1 GB bulk: 0.19 s
 * frame by frame, 0.23 s in batches). The threaded reader always copies: its
 * copy is on the other core. */
#define RA_DIRECT_AVG 512u
#define RA_DIRECT_FRAMES 4096u
/* The measured choice (capture_measured_start): RA_TURNS turns, one thread
 * and two alternately, each timed over RA_TURN_FRAMES frames after
 * RA_TURN_WARM (the ring filling, the caches); each mode's best turn
 * counts, and two threads keep the rest only if faster by RA_TURN_MARGIN,
 * as they cost more CPU. The best, not the mean: the first turn pays for
 * the flow table's fresh pages, a later one for an index doubling, a host
 * for its other guests (CRR's first turn 316 ns a frame, its second on
 * one thread 141). Alternating evens out a capture whose frames change in
 * kind along the file (every SYN first, then every SYN-ACK...). */
#define RA_TURNS 6
#define RA_TURN_WARM 4096u
#define RA_TURN_FRAMES 32768u
#define RA_TURN_MARGIN 0.03

struct ra_batch {
	unsigned n;                   /* records filled */
	size_t used;                  /* arena bytes used */
	int end;                      /* 0, or CAPTURE_END / CAPTURE_ERR after these records */
	uint64_t mark;                /* keeps: the inner source's mark after them */
	int pos_ok;                   /* inner's position after this batch */
	uint64_t pos_done, pos_total;
	char errbuf[CAPTURE_ERRBUF_SIZE];
	struct pkt_record rec[RA_FRAMES];
	unsigned char *scratch;       /* RA_FRAMES * scratch_size */
	uint8_t *arena;
	uint8_t **big;                /* oversized frames' own buffers */
	unsigned nbig, big_cap;
};

struct readahead {
	struct capture_source *inner;
	size_t scratch_size;
	capture_prepare_fn prepare;
	void *prepare_user;
	capture_lookahead_fn lookahead;
	void *lookahead_user;
	int threaded;                 /* 0: the consumer fills b[0] itself */
	/* The inner source keeps its frames until released (a regular pcap
	 * file, capture/pcap_reader.h):
	 * a batch points at them instead of copying, and releases them (its
	 * mark) when it is given back. */
	int keeps;
	/* Reader thread: this batch goes unprepared, for the consumer to
	 * prepare itself (it was waiting: the reader is the slower side). */
	int skip_prepare;
	unsigned direct_left;         /* one thread: frames to pass straight through */
	/* The measured choice: turns left (0: decided, or not measuring),
	 * where the current turn began and its timing began, the time and
	 * frames measured per mode (0 one thread, 1 two). */
	int turns_left;
	int timing, trace;
	uint64_t turn_from, timed_from;
	struct timespec t0;
	double best_ns[2];            /* per frame, the best turn's; 0 none yet */
	unsigned drain;               /* batches a stopped reader left filled, from ri */
	int sync_ready;               /* lock and conditions initialized */

	/* Each side's fields on cache lines of their own: the reader reads
	 * the settings above for every frame, the consumer writes ci for
	 * every frame; sharing a line they bounced between the cores
	 * (pcapng --threads 2: 0.14 or 0.18 s as the heap placed the struct). */
	_Alignas(64) pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t can_fill, can_take;
	unsigned ready;               /* batches filled, not yet drained (locked) */
	int starved;                  /* the consumer waited for a batch (locked) */
	int stop;                     /* consumer closing (locked) */
	int reader_done;              /* (locked) */
	struct capture_stats final_stats; /* inner's, when the reader ended (locked) */

	/* reader side */
	_Alignas(64) unsigned wi;
	struct ra_batch *filling;

	/* consumer side */
	_Alignas(64) unsigned ri;
	unsigned taken;               /* batches held by capture_readahead_take */
	struct ra_batch *cur;
	unsigned ci;
	int finished;                 /* the last batch is drained */
	int final_rc;
	char final_err[CAPTURE_ERRBUF_SIZE];
	uint64_t delivered;
	int pos_ok;
	uint64_t pos_done, pos_total;

	_Alignas(64) struct ra_batch b[RA_BATCHES];
};

static void batch_reset(struct ra_batch *b)
{
	for (unsigned i = 0; i < b->nbig; i++)
		free(b->big[i]);
	b->nbig = 0;
	b->n = 0;
	b->used = 0;
	b->end = 0;
	b->errbuf[0] = 0;
}

/* Reader thread: one frame from the inner source into the filling batch. */
static void on_frame(void *user, const struct pkt_record *in)
{
	struct readahead *r = user;
	struct ra_batch *b = r->filling;
	if (b->n >= RA_FRAMES) /* the inner source gave more than asked */
		return;
	struct pkt_record *out = &b->rec[b->n];
	*out = *in;
	uint8_t *dst = NULL;
	if (in->kept) /* valid until the batch is given back (capture_release) */
		goto keep;
	if (in->caplen <= RA_ARENA - b->used) {
		dst = b->arena + b->used;
		b->used += (in->caplen + 7u) & ~(size_t)7; /* keep frames 8-byte aligned */
		if (b->used > RA_ARENA)
			b->used = RA_ARENA;
	} else {
		if (b->nbig == b->big_cap) {
			unsigned cap = b->big_cap ? 2 * b->big_cap : 4;
			uint8_t **nb = realloc(b->big, cap * sizeof(*nb));
			if (nb) {
				b->big = nb;
				b->big_cap = cap;
			}
		}
		if (b->nbig < b->big_cap && (dst = malloc(in->caplen)))
			b->big[b->nbig++] = dst;
	}
	if (!dst) { /* out of memory for an oversized frame: keep what fits */
		out->caplen = (uint32_t)(RA_ARENA - b->used);
		dst = b->arena + b->used;
		b->used = RA_ARENA;
	}
	memcpy(dst, in->data, out->caplen);
	out->data = dst;
keep:
	out->prep = b->scratch ? b->scratch + (size_t)b->n * r->scratch_size : NULL;
	if (r->prepare && r->skip_prepare)
		out->prep = NULL;
	else if (r->prepare)
		r->prepare(r->prepare_user, out, out->prep);
	b->n++;
}

/* Fill batch b from the inner source (the reader thread, or the consumer
 * itself on one thread). */
static void fill_batch(struct readahead *r, struct ra_batch *b)
{
	if (r->keeps && !r->threaded)
		capture_release(r->inner, capture_mark(r->inner)); /* the last batch is done with */
	batch_reset(b);
	r->filling = b;
	while (b->n < RA_FRAMES) {
		size_t room = (RA_ARENA - b->used) / RA_FRAME_MAX;
		if (!room)
			break;
		unsigned max = RA_FRAMES - b->n;
		if (max > room)
			max = (unsigned)room;
		int rc = capture_dispatch(r->inner, (int)max, on_frame, r, b->errbuf);
		if (rc == CAPTURE_END || rc == CAPTURE_ERR) {
			b->end = rc;
			break;
		}
		if (rc == 0)
			break; /* nothing now: hand over what there is */
	}
	b->pos_ok = capture_position(r->inner, &b->pos_done, &b->pos_total) == 0;
	b->mark = r->keeps ? capture_mark(r->inner) : 0;
}

static void *reader_main(void *arg)
{
	struct readahead *r = arg;
	for (;;) {
		pthread_mutex_lock(&r->lock);
		while (r->ready == RA_BATCHES && !r->stop)
			pthread_cond_wait(&r->can_fill, &r->lock);
		int stop = r->stop;
		/* Balance the two threads: when the consumer had to wait for a
		 * batch since the last one was filled, the reader is the slower
		 * side: the consumer prepares this one itself. When it did not
		 * wait, the reader prepares. The output is the same either way. */
		r->skip_prepare = r->starved;
		r->starved = 0;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			break;

		struct ra_batch *b = &r->b[r->wi];
		fill_batch(r, b);

		pthread_mutex_lock(&r->lock);
		r->ready++;
		pthread_cond_signal(&r->can_take);
		pthread_mutex_unlock(&r->lock);
		r->wi = (r->wi + 1) % RA_BATCHES;
		if (b->end)
			break;
	}
	struct capture_stats cs;
	capture_stats(r->inner, &cs);
	pthread_mutex_lock(&r->lock);
	r->final_stats = cs;
	r->reader_done = 1;
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static int ra_open(struct capture_source *src, const struct capture_config *cfg, char *errbuf)
{
	(void)src;
	(void)cfg;
	snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "readahead: use capture_readahead_start");
	return CAPTURE_ERR;
}

/* The frames passed straight through, counted as they go: a dispatch that
 * ends in an error still delivered the frames before it. */
struct counted {
	capture_packet_fn fn;
	void *user;
	unsigned n;
};

static void count_one(void *user, const struct pkt_record *rec)
{
	struct counted *c = user;
	c->n++;
	c->fn(c->user, rec);
}

/* Start the reader thread on an empty ring (the consumer holds no batch). */
static int reader_start(struct readahead *r)
{
	r->ready = 0;
	r->wi = r->ri = 0;
	r->stop = r->starved = r->reader_done = 0;
	r->skip_prepare = 0;
	r->threaded = 1;
	/* The reader takes no signals: SIGINT, SIGTERM... reach the
	 * consumer's thread, whose loop checks for them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&r->thread, NULL, reader_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		r->threaded = 0;
	return rc;
}

/* Stop and join the reader; the batches it filled ahead are drained
 * before this thread reads on (the frames stay in order). */
static void reader_stop(struct readahead *r)
{
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_broadcast(&r->can_fill);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	r->threaded = 0;
	r->skip_prepare = 0;
	r->drain = r->ready;
}

static double since_ns(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e9 + (double)(t.tv_nsec - t0->tv_nsec);
}

/* The measured choice, at a batch boundary (no batch held): time the
 * current turn; at its end switch to the other mode, or after the last
 * keep the faster. Time decides only the mode, never what is read. */
static void measure_turn(struct readahead *r)
{
	if (r->drain || r->finished)
		return;
	uint64_t d = r->delivered;
	if (!r->timing) {
		if (d - r->turn_from >= RA_TURN_WARM) {
			clock_gettime(CLOCK_MONOTONIC, &r->t0);
			r->timed_from = d;
			r->timing = 1;
		}
		return;
	}
	if (d - r->timed_from < RA_TURN_FRAMES)
		return;
	double ns = since_ns(&r->t0) / (double)(d - r->timed_from);
	double *best = &r->best_ns[r->threaded];
	if (*best == 0 || ns < *best)
		*best = ns;
	if (r->trace)
		fprintf(stderr, "tcplens: reading: frames %llu-%llu on %s thread%s: %.1f ns a frame\n",
			(unsigned long long)r->timed_from, (unsigned long long)d,
			r->threaded ? "two" : "one", r->threaded ? "s" : "", ns);
	int two;
	if (--r->turns_left > 0) {
		two = !r->threaded;
	} else {
		double one_ns = r->best_ns[0], two_ns = r->best_ns[1];
		two = two_ns < one_ns * (1.0 - RA_TURN_MARGIN);
		if (r->trace)
			fprintf(stderr, "tcplens: reading: best %.1f ns a frame on one thread, %.1f on two: %s\n",
				one_ns, two_ns, two ? "two" : "one");
	}
	if (two && !r->threaded) {
		if (r->keeps) /* one thread's frames are done with */
			capture_release(r->inner, capture_mark(r->inner));
		r->direct_left = 0;
		if (reader_start(r) != 0)
			r->turns_left = 0; /* no thread: one it is */
	} else if (!two && r->threaded) {
		reader_stop(r);
	}
	r->turn_from = d;
	r->timing = 0;
}

static int ra_dispatch(struct capture_source *src, int max, capture_packet_fn fn, void *user,
		       char *errbuf)
{
	struct readahead *r = src->priv;
	if (r->turns_left && !r->cur)
		measure_turn(r);
	if (!r->cur && r->direct_left && !r->finished) {
		struct counted c = {fn, user, 0};
		if (r->keeps) /* frames passed on before are done with */
			capture_release(r->inner, capture_mark(r->inner));
		int rc = capture_dispatch(r->inner, (int)((unsigned)max < r->direct_left ? (unsigned)max
											  : r->direct_left),
					  count_one, &c, errbuf);
		r->pos_ok = capture_position(r->inner, &r->pos_done, &r->pos_total) == 0;
		r->direct_left -= c.n < r->direct_left ? c.n : r->direct_left;
		r->delivered += c.n;
		if (rc >= 0)
			return rc;
		r->finished = 1;
		r->final_rc = rc;
		snprintf(r->final_err, sizeof(r->final_err), "%s", rc == CAPTURE_ERR ? errbuf : "");
		return rc;
	}
	if (!r->cur) {
		if (r->finished) {
			if (r->final_rc == CAPTURE_ERR)
				snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s", r->final_err);
			return r->final_rc;
		}
		if (r->threaded) {
			pthread_mutex_lock(&r->lock);
			if (r->ready == 0)
				r->starved = 1;
			while (r->ready == 0)
				pthread_cond_wait(&r->can_take, &r->lock);
			pthread_mutex_unlock(&r->lock);
		} else if (!r->drain) {
			fill_batch(r, &r->b[r->ri]);
		}
		r->cur = &r->b[r->ri];
		r->ci = 0;
		if (r->lookahead)
			for (unsigned i = 0; i < RA_LOOKAHEAD && i < r->cur->n; i++)
				r->lookahead(r->lookahead_user, &r->cur->rec[i]);
		r->pos_ok = r->cur->pos_ok;
		r->pos_done = r->cur->pos_done;
		r->pos_total = r->cur->pos_total;
	}
	struct ra_batch *b = r->cur;
	int k = 0;
	while (k < max && r->ci < b->n) {
		if (r->lookahead && r->ci + RA_LOOKAHEAD < b->n)
			r->lookahead(r->lookahead_user, &b->rec[r->ci + RA_LOOKAHEAD]);
		fn(user, &b->rec[r->ci++]);
		k++;
	}
	r->delivered += (uint64_t)k;
	if (r->ci == b->n) {
		if (b->end) {
			r->finished = 1;
			r->final_rc = b->end;
			snprintf(r->final_err, sizeof(r->final_err), "%s", b->errbuf);
		}
		r->cur = NULL;
		if (r->threaded) {
			if (r->keeps) /* its frames are done with: before the reader reuses it */
				capture_release(r->inner, b->mark);
			pthread_mutex_lock(&r->lock);
			r->ready--;
			pthread_cond_signal(&r->can_fill);
			pthread_mutex_unlock(&r->lock);
			r->ri = (r->ri + 1) % RA_BATCHES;
		} else if (r->drain) { /* filled by a reader since stopped */
			if (r->keeps)
				capture_release(r->inner, b->mark);
			r->drain--;
			r->ri = (r->ri + 1) % RA_BATCHES;
		} else if (b->n && b->used / b->n >= RA_DIRECT_AVG) {
			r->direct_left = RA_DIRECT_FRAMES;
		}
		if (k == 0 && r->finished) {
			if (r->final_rc == CAPTURE_ERR)
				snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s", r->final_err);
			return r->final_rc;
		}
	}
	return k;
}

static const struct capture_ops readahead_ops;

int capture_readahead_take(struct capture_source *src, struct capture_batch *out)
{
	if (src->ops != &readahead_ops)
		return -1;
	struct readahead *r = src->priv;
	if (!r->threaded || r->finished || r->taken == RA_BATCHES)
		return -1;
	pthread_mutex_lock(&r->lock);
	while (r->ready <= r->taken)
		pthread_cond_wait(&r->can_take, &r->lock);
	pthread_mutex_unlock(&r->lock);
	struct ra_batch *b = &r->b[(r->ri + r->taken) % RA_BATCHES];
	r->taken++;
	out->rec = b->rec;
	out->n = b->n;
	out->end = b->end;
	out->err = b->errbuf;
	r->delivered += b->n;
	r->pos_ok = b->pos_ok;
	r->pos_done = b->pos_done;
	r->pos_total = b->pos_total;
	if (b->end) {
		r->finished = 1;
		r->final_rc = b->end;
		snprintf(r->final_err, sizeof(r->final_err), "%s", b->errbuf);
	}
	return 0;
}

void capture_readahead_give_back(struct capture_source *src)
{
	struct readahead *r = src->priv;
	if (src->ops != &readahead_ops || !r->taken)
		return;
	if (r->keeps)
		capture_release(r->inner, r->b[r->ri].mark);
	pthread_mutex_lock(&r->lock);
	r->ready--;
	pthread_cond_signal(&r->can_fill);
	pthread_mutex_unlock(&r->lock);
	r->ri = (r->ri + 1) % RA_BATCHES;
	r->taken--;
}

unsigned capture_readahead_ring(void)
{
	return RA_BATCHES;
}

unsigned capture_readahead_batch_max(void)
{
	return RA_FRAMES;
}

static int ra_stats(struct capture_source *src, struct capture_stats *out)
{
	struct readahead *r = src->priv;
	if (!r->threaded) {
		capture_stats(r->inner, out);
	} else {
		pthread_mutex_lock(&r->lock);
		if (r->reader_done)
			*out = r->final_stats;
		pthread_mutex_unlock(&r->lock);
	}
	out->packets = r->delivered; /* what reached the consumer, not what was read ahead */
	return 0;
}

static int ra_position(struct capture_source *src, uint64_t *done, uint64_t *total)
{
	struct readahead *r = src->priv;
	if (!r->pos_ok)
		return -1;
	*done = r->pos_done;
	*total = r->pos_total;
	return 0;
}

static void ra_free(struct readahead *r)
{
	for (unsigned i = 0; i < RA_BATCHES; i++) {
		batch_reset(&r->b[i]);
		free(r->b[i].big);
		free(r->b[i].scratch);
		free(r->b[i].arena);
	}
	free(r);
}

static void ra_close(struct capture_source *src)
{
	struct readahead *r = src->priv;
	if (!r)
		return;
	if (r->threaded)
		reader_stop(r);
	capture_close(r->inner);
	if (r->sync_ready) {
		pthread_mutex_destroy(&r->lock);
		pthread_cond_destroy(&r->can_fill);
		pthread_cond_destroy(&r->can_take);
	}
	ra_free(r);
	src->priv = NULL;
}

void capture_readahead_set_lookahead(struct capture_source *src, capture_lookahead_fn fn,
				     void *user)
{
	if (src->ops != &readahead_ops)
		return;
	struct readahead *r = src->priv;
	r->lookahead = fn;
	r->lookahead_user = user;
}

static const struct capture_ops readahead_ops = {
	.name = "readahead",
	.open = ra_open,
	.dispatch = ra_dispatch,
	.stats = ra_stats,
	.close = ra_close,
	.position = ra_position,
};

/* Allocate; threaded 1 starts the reader, 2 measures which is faster. */
static int batch_source_start(struct capture_source *src, struct capture_source *inner,
			      size_t scratch_size, capture_prepare_fn prepare, void *prepare_user,
			      int threaded, char *errbuf)
{
	struct readahead *r = aligned_alloc(64, sizeof(*r)); /* a multiple of 64: its alignment */
	if (r)
		memset(r, 0, sizeof(*r));
	if (!r) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory for the read-ahead buffers");
		return -1;
	}
	r->inner = inner;
	r->keeps = capture_keep_frames(inner);
	r->scratch_size = (scratch_size + 15) & ~(size_t)15;
	r->prepare = prepare;
	r->prepare_user = prepare_user;
	for (unsigned i = 0; i < (threaded ? RA_BATCHES : 1u); i++) {
		r->b[i].arena = malloc(RA_ARENA);
		r->b[i].scratch = r->scratch_size ? malloc(RA_FRAMES * r->scratch_size) : NULL;
		if (!r->b[i].arena || (r->scratch_size && !r->b[i].scratch)) {
			ra_free(r);
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "out of memory for the read-ahead buffers");
			return -1;
		}
	}
	if (threaded) {
		pthread_mutex_init(&r->lock, NULL);
		pthread_cond_init(&r->can_fill, NULL);
		pthread_cond_init(&r->can_take, NULL);
		r->sync_ready = 1;
	}
	if (threaded == 2) {
		r->turns_left = RA_TURNS;
		r->trace = getenv("TCPLENS_TRACE_READ") != NULL;
	} else if (threaded) {
		int rc = reader_start(r);
		if (rc != 0) {
			pthread_mutex_destroy(&r->lock);
			pthread_cond_destroy(&r->can_fill);
			pthread_cond_destroy(&r->can_take);
			ra_free(r);
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "cannot start the read-ahead thread: %s",
				 strerror(rc));
			return -1;
		}
	}
	src->ops = &readahead_ops;
	src->priv = r;
	snprintf(src->name, sizeof(src->name), "%s", inner->name);
	src->kind = inner->kind;
	src->linktype = inner->linktype;
	src->precision = inner->precision;
	return 0;
}

int capture_readahead_start(struct capture_source *src, struct capture_source *inner,
			    size_t scratch_size, capture_prepare_fn prepare, void *prepare_user,
			    char *errbuf)
{
	return batch_source_start(src, inner, scratch_size, prepare, prepare_user, 1, errbuf);
}

int capture_batched_start(struct capture_source *src, struct capture_source *inner,
			  size_t scratch_size, capture_prepare_fn prepare, void *prepare_user,
			  char *errbuf)
{
	return batch_source_start(src, inner, scratch_size, prepare, prepare_user, 0, errbuf);
}

int capture_measured_start(struct capture_source *src, struct capture_source *inner,
			   size_t scratch_size, capture_prepare_fn prepare, void *prepare_user,
			   char *errbuf)
{
	return batch_source_start(src, inner, scratch_size, prepare, prepare_user, 2, errbuf);
}
