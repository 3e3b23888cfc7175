/*
 * tests/unit/test_readahead.c — capture/readahead.c around the file source:
 * through capture_readahead_start (a reader thread) and capture_batched_start
 * (the same batches on one thread) every frame of a pcap file arrives once,
 * in file order, with its frame number, timestamp, lengths and bytes; the
 * prepare hook runs for every record (on the reader thread, or on the
 * consumer's in batched mode) and its scratch travels with the record; the
 * lookahead hook sees prepared frames ahead of dispatch, on the consumer's
 * thread; a file cut mid-record gives CAPTURE_ERR only after every whole
 * frame before the cut; an empty file gives CAPTURE_END and no frame;
 * capture_readahead_take/give_back hand out whole batches in order, up to
 * capture_readahead_ring() held at once, untouched while held; frames
 * bigger than a batch's arena (a pcapng block of several MB) arrive whole;
 * capture_close stops the reader whatever it is doing (each test runs
 * under a timeout). Files are written here, byte by byte, in a temp dir.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mkdtemp */
#endif
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/readahead.h"

/* ---- files ---- */

typedef uint32_t (*size_fn)(uint64_t frame);

/* Small frames (a batch averages well under 512 bytes). */
static uint32_t size_small(uint64_t frame)
{
	return 14 + (uint32_t)((frame * 37) % 300);
}

/* Full-sized ones (over 512 bytes each). */
static uint32_t size_large(uint64_t frame)
{
	return 1000 + (uint32_t)((frame * 53) % 500);
}

/* Byte j of frame f (1-based): differs between neighbouring frames. */
static uint8_t byte_at(uint64_t f, uint32_t j)
{
	uint32_t x = (uint32_t)f * 2654435761u ^ (j + 1) * 40503u;
	return (uint8_t)(x >> 13 ^ x >> 5 ^ x);
}

static uint32_t wirelen_of(uint64_t f, uint32_t caplen)
{
	return caplen + (uint32_t)(f % 3) * 10;
}

/* Timestamp of frame f as written: seconds and microseconds. */
static uint32_t ts_sec(uint64_t f)
{
	return 1700000000u + (uint32_t)(f / 1000);
}

static uint32_t ts_usec(uint64_t f)
{
	return (uint32_t)(f % 1000) * 1000 + 7;
}

static uint64_t ts_ns_of(uint64_t f)
{
	return (uint64_t)ts_sec(f) * 1000000000ull + (uint64_t)ts_usec(f) * 1000;
}

struct tmp {
	char dir[64];
	char path[128];
};

static void tmp_make(struct tmp *t, const char *name)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/tcplens_ra_XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, name);
}

static void tmp_remove(struct tmp *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

static void w32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	cr_assert_eq(fwrite(b, 1, 4, f), 4);
}

static void w16(FILE *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	cr_assert_eq(fwrite(b, 1, 2, f), 2);
}

static void wdata(FILE *f, uint64_t frame, uint32_t n)
{
	uint8_t buf[4096];
	for (uint32_t done = 0; done < n;) {
		uint32_t k = n - done < sizeof(buf) ? n - done : (uint32_t)sizeof(buf);
		for (uint32_t j = 0; j < k; j++)
			buf[j] = byte_at(frame, done + j);
		cr_assert_eq(fwrite(buf, 1, k, f), k);
		done += k;
	}
}

enum cut {
	CUT_NONE,
	CUT_DATA,    /* after the whole frames, a record whose data stops short */
	CUT_HEADER,  /* ... a record header that stops short */
};

/* A little-endian microsecond pcap, Ethernet, snaplen 262144, of frames
 * 1..n sized by size, then the cut. */
static void write_pcap(const char *path, uint64_t n, size_fn size, enum cut cut)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	w32(f, 0xA1B2C3D4);
	w16(f, 2);
	w16(f, 4);
	w32(f, 0);
	w32(f, 0);
	w32(f, 262144);
	w32(f, 1);
	for (uint64_t i = 1; i <= n; i++) {
		uint32_t len = size(i);
		w32(f, ts_sec(i));
		w32(f, ts_usec(i));
		w32(f, len);
		w32(f, wirelen_of(i, len));
		wdata(f, i, len);
	}
	if (cut == CUT_DATA) {
		w32(f, ts_sec(n + 1));
		w32(f, ts_usec(n + 1));
		w32(f, 100);
		w32(f, 100);
		wdata(f, n + 1, 20);
	} else if (cut == CUT_HEADER) {
		w32(f, ts_sec(n + 1));
		w16(f, 0);
		cr_assert_eq(fwrite("\x01", 1, 1, f), 1); /* 7 of the 16 header bytes */
	}
	cr_assert_eq(fclose(f), 0);
}

/* Sizes of the frames of the oversized file below. */
#define BIG_FRAMES 12
static const uint32_t big_sizes[BIG_FRAMES] = {
	60,
	300000,       /* over libpcap's 262144 for Ethernet, under the 4 MB arena */
	5u << 20,     /* over the whole arena: a buffer of its own */
	60,
	1u << 20, 1u << 20, 1u << 20, 1u << 20, 1u << 20, 1u << 20, /* 6 MB in one read */
	262144,
	61,
};

static uint32_t size_big(uint64_t frame)
{
	return big_sizes[(frame - 1) % BIG_FRAMES];
}

/* A pcapng file (one Ethernet interface, no snap length, microseconds)
 * with the frames of size_big: pcapng_reader takes blocks up to 16 MB. */
static void write_pcapng_big(const char *path)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	/* Section header block */
	w32(f, 0x0A0D0D0A);
	w32(f, 28);
	w32(f, 0x1A2B3C4D);
	w16(f, 1);
	w16(f, 0);
	w32(f, 0xFFFFFFFF);
	w32(f, 0xFFFFFFFF);
	w32(f, 28);
	/* Interface description block: Ethernet, snaplen 0 (none) */
	w32(f, 1);
	w32(f, 20);
	w16(f, 1);
	w16(f, 0);
	w32(f, 0);
	w32(f, 20);
	for (uint64_t i = 1; i <= BIG_FRAMES; i++) {
		uint32_t len = size_big(i), pad = (4 - len % 4) % 4;
		uint32_t blk = 28 + len + pad + 4;
		uint64_t us = (uint64_t)ts_sec(i) * 1000000 + ts_usec(i);
		w32(f, 6);
		w32(f, blk);
		w32(f, 0);
		w32(f, (uint32_t)(us >> 32));
		w32(f, (uint32_t)us);
		w32(f, len);
		w32(f, wirelen_of(i, len));
		wdata(f, i, len);
		for (uint32_t p = 0; p < pad; p++)
			cr_assert_eq(fwrite("", 1, 1, f), 1);
		w32(f, blk);
	}
	cr_assert_eq(fclose(f), 0);
}

/* ---- hooks ---- */

#define SCRATCH_MAGIC 0x5C7A7C4Eu

/* What prepare leaves in a record's scratch. */
struct scratch {
	uint32_t magic;
	uint32_t caplen;
	uint64_t frame;
	uint32_t sum;
	const uint8_t *data;         /* the record's bytes as prepare saw them */
	const struct pkt_record *rec;
};

static uint32_t fnv(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

struct prep_ctx {
	pthread_t consumer;
	/* Written by prepare (maybe on the reader thread): read after the
	 * source is closed (the reader joined). No assertion there: a
	 * Criterion assert must run on the test's thread. */
	unsigned long calls, on_consumer, no_scratch;
	unsigned slow_us;          /* a slow reader: this long per prepare */
};

static void prep_fn(void *user, const struct pkt_record *rec, void *scratch)
{
	struct prep_ctx *c = user;
	c->calls++;
	if (c->slow_us)
		usleep(c->slow_us);
	if (pthread_equal(pthread_self(), c->consumer))
		c->on_consumer++;
	if (!scratch) {
		c->no_scratch++;
		return;
	}
	struct scratch *s = scratch;
	s->magic = SCRATCH_MAGIC;
	s->caplen = rec->caplen;
	s->frame = rec->frame;
	s->sum = fnv(rec->data, rec->caplen);
	s->data = rec->data;
	s->rec = rec;
}

/* Whether rec carries the scratch prepare left for exactly this record. */
static bool prepared(const struct pkt_record *rec)
{
	const struct scratch *s = rec->prep;
	return s && s->magic == SCRATCH_MAGIC && s->frame == rec->frame && s->caplen == rec->caplen &&
	       s->data == rec->data && s->rec == rec && s->sum == fnv(rec->data, rec->caplen);
}

struct consumer {
	size_fn size;
	uint64_t first;            /* the first frame expected: 1 */
	uint64_t next;             /* the next frame expected */
	uint64_t last;             /* frames in the file */
	int need_prep;             /* 1: every record prepared; 0: prepared or prep NULL */
	unsigned slow_us;          /* a slow consumer: this long per frame */
	uint64_t prepped, unprepped;
	/* lookahead */
	int lookahead;
	uint8_t *seen;             /* [frame]: lookahead calls */
	uint64_t la_calls, la_max_ahead;
	pthread_t consumer;
};

static void consumer_init(struct consumer *c, size_fn size, uint64_t frames)
{
	memset(c, 0, sizeof(*c));
	c->size = size;
	c->next = c->first = 1;
	c->last = frames;
	c->consumer = pthread_self();
	c->seen = calloc(frames + 2, 1);
	cr_assert_not_null(c->seen);
}

/* One frame as the file holds it. */
static void check_frame(struct consumer *c, const struct pkt_record *rec)
{
	cr_assert(pthread_equal(pthread_self(), c->consumer), "frames reach the consumer's thread");
	cr_assert_eq(rec->frame, c->next, "frame %llu where %llu was due",
		     (unsigned long long)rec->frame, (unsigned long long)c->next);
	cr_assert_leq(rec->frame, c->last, "no frame beyond the file's");
	uint32_t len = c->size(rec->frame);
	cr_assert_eq(rec->caplen, len, "frame %llu caplen", (unsigned long long)rec->frame);
	cr_assert_eq(rec->wirelen, wirelen_of(rec->frame, len));
	cr_assert_eq(rec->ts_ns, ts_ns_of(rec->frame));
	cr_assert_eq(rec->linktype, 1);
	cr_assert_not_null(rec->data);
	for (uint32_t j = 0; j < len; j++)
		if (rec->data[j] != byte_at(rec->frame, j))
			cr_assert_fail("frame %llu byte %u: 0x%02x, the file has 0x%02x",
				       (unsigned long long)rec->frame, j, rec->data[j],
				       byte_at(rec->frame, j));
	c->next++;
}

static void on_rec(void *user, const struct pkt_record *rec)
{
	struct consumer *c = user;
	check_frame(c, rec);
	if (c->slow_us)
		usleep(c->slow_us);
	if (prepared(rec)) {
		c->prepped++;
	} else {
		cr_assert(!c->need_prep, "frame %llu not prepared (prep %p)",
			  (unsigned long long)rec->frame, rec->prep);
		cr_assert_null(rec->prep, "frame %llu: a scratch that prepare did not fill",
			       (unsigned long long)rec->frame);
		c->unprepped++;
	}
	if (c->lookahead)
		cr_assert_eq(c->seen[rec->frame], 1, "frame %llu: %u lookahead calls before dispatch",
			     (unsigned long long)rec->frame, c->seen[rec->frame]);
}

static void on_lookahead(void *user, const struct pkt_record *rec)
{
	struct consumer *c = user;
	cr_assert(pthread_equal(pthread_self(), c->consumer), "lookahead on the consumer's thread");
	cr_assert_geq(rec->frame, c->next, "lookahead on frame %llu, already dispatched (next %llu)",
		      (unsigned long long)rec->frame, (unsigned long long)c->next);
	cr_assert_leq(rec->frame, c->last);
	cr_assert_lt(rec->frame - c->next, (uint64_t)capture_readahead_batch_max(),
		     "lookahead within a batch of what is due");
	cr_assert(prepared(rec) || !rec->prep, "lookahead gets frame %llu prepared or without a scratch",
		  (unsigned long long)rec->frame);
	for (uint32_t j = 0; j < rec->caplen; j += 97)
		cr_assert_eq(rec->data[j], byte_at(rec->frame, j));
	c->seen[rec->frame]++;
	c->la_calls++;
	if (rec->frame - c->next > c->la_max_ahead)
		c->la_max_ahead = rec->frame - c->next;
}

/* Dispatch until a negative return, with varying max; each return is the
 * number of frames fn got in that call, never above max. */
static int drain(struct capture_source *s, struct consumer *c, char *err)
{
	static const int maxes[] = {1, 7, 64, 1000, 100000, 3, 512};
	unsigned zero = 0;
	for (unsigned k = 0;; k++) {
		int max = maxes[k % (sizeof(maxes) / sizeof(maxes[0]))];
		uint64_t before = c->next;
		err[0] = 0;
		int rc = capture_dispatch(s, max, on_rec, c, err);
		if (rc == CAPTURE_END)
			cr_assert_eq(c->next, before, "the call that says the end delivers nothing");
		if (rc < 0)
			return rc;
		cr_assert_leq(rc, max);
		cr_assert_eq((uint64_t)rc, c->next - before, "the count returned is the count delivered");
		if (rc == 0)
			cr_assert_lt(++zero, 1000u, "an offline source keeps returning 0");
	}
}

static void open_file(struct capture_source *inner, const char *path)
{
	char err[CAPTURE_ERRBUF_SIZE];
	struct capture_config cc = {.name = path};
	cr_assert_eq(capture_open(inner, &capture_file_ops, &cc, err), 0, "%s", err);
}

enum mode { THREADED, BATCHED, MEASURED };

static void start(enum mode m, struct capture_source *src, struct capture_source *inner,
		  size_t scratch, capture_prepare_fn fn, void *user)
{
	char err[CAPTURE_ERRBUF_SIZE] = "";
	int rc = m == THREADED   ? capture_readahead_start(src, inner, scratch, fn, user, err)
		 : m == MEASURED ? capture_measured_start(src, inner, scratch, fn, user, err)
				 : capture_batched_start(src, inner, scratch, fn, user, err);
	cr_assert_eq(rc, 0, "%s", err);
}

/* ---- tests ---- */

/* Every frame once, in order, as the file has it; prepare called once per
 * record, on the reader thread (threaded) or the consumer's (batched); the
 * source looks like the file's; CAPTURE_END at the end (and again after);
 * stats count what reached the consumer; the position ends at the file's
 * size; closing closes the file source too. */
static void read_all(enum mode m, size_fn size, uint64_t frames, int need_all_prepared)
{
	struct tmp t;
	tmp_make(&t, "in.pcap");
	write_pcap(t.path, frames, size, CUT_NONE);
	struct capture_source inner, src;
	open_file(&inner, t.path);
	struct prep_ctx pc = {.consumer = pthread_self()};
	start(m, &src, &inner, sizeof(struct scratch), prep_fn, &pc);
	cr_expect_str_eq(src.name, inner.name);
	cr_expect_str_eq(src.kind, inner.kind);
	cr_expect_eq(src.linktype, 1);
	cr_expect_eq(src.precision, inner.precision);
	struct consumer c;
	consumer_init(&c, size, frames);
	/* The reader thread leaves a batch to the consumer to prepare when the
	 * consumer waited (threaded_balance): prepared or prep NULL. */
	c.need_prep = m == BATCHED ? need_all_prepared : 0;
	char err[CAPTURE_ERRBUF_SIZE];
	cr_assert_eq(drain(&src, &c, err), CAPTURE_END, "%s", err);
	cr_assert_eq(c.next, frames + 1, "every frame arrived");
	cr_expect_eq(capture_dispatch(&src, 10, on_rec, &c, err), CAPTURE_END, "the end stays the end");
	struct capture_stats st;
	capture_stats(&src, &st);
	cr_expect_eq(st.packets, frames);
	cr_expect_eq(st.kernel_drops_known, 0);
	uint64_t done = 0, total = 0;
	cr_expect_eq(capture_position(&src, &done, &total), 0);
	cr_expect_eq(done, total, "the whole file read");
	cr_expect_gt(total, 24);
	capture_close(&src);
	cr_expect_null(inner.ops, "capture_close(src) closed the file source");
	cr_expect_eq(pc.no_scratch, 0);
	cr_expect_eq(pc.calls, c.prepped, "a prepare call for each prepared record, no other");
	if (m == THREADED)
		cr_expect_eq(pc.on_consumer, 0, "prepare ran on the reader thread");
	else if (m == BATCHED)
		cr_expect_eq(pc.on_consumer, pc.calls, "no thread: prepare on the consumer's");
	else if (frames > 200000) /* every turn ran: one thread's and two's */
		cr_expect(pc.on_consumer > 0 && pc.on_consumer < pc.calls,
			  "prepare on both threads: %llu of %llu on the consumer's",
			  (unsigned long long)pc.on_consumer, (unsigned long long)pc.calls);
	if (need_all_prepared && m == BATCHED)
		cr_expect_eq(pc.calls, frames);
	cr_expect_eq(c.prepped + c.unprepped, frames);
	free(c.seen);
	tmp_remove(&t);
}

/* The two threads balance: a consumer slower than the reader finds its
 * batches prepared (all but those right after it waited, at the start); a
 * reader slower than the consumer (a slow prepare) leaves batches to the
 * consumer to prepare (prep NULL), never half a batch. Either way every
 * frame arrives once, in order, and prepare runs on the reader only. */
static void balance_run(unsigned consumer_us, unsigned prepare_us, uint64_t frames,
			uint64_t *prepped, uint64_t *unprepped)
{
	struct tmp t;
	tmp_make(&t, "in.pcap");
	write_pcap(t.path, frames, size_small, CUT_NONE);
	struct capture_source inner, src;
	open_file(&inner, t.path);
	struct prep_ctx pc = {.consumer = pthread_self(), .slow_us = prepare_us};
	start(THREADED, &src, &inner, sizeof(struct scratch), prep_fn, &pc);
	struct consumer c;
	consumer_init(&c, size_small, frames);
	c.slow_us = consumer_us;
	char err[CAPTURE_ERRBUF_SIZE];
	cr_assert_eq(drain(&src, &c, err), CAPTURE_END, "%s", err);
	cr_assert_eq(c.next, frames + 1);
	capture_close(&src);
	cr_expect_eq(pc.on_consumer, 0, "prepare ran on the reader thread only");
	cr_expect_eq(pc.calls, c.prepped);
	*prepped = c.prepped;
	*unprepped = c.unprepped;
	free(c.seen);
	tmp_remove(&t);
}

Test(readahead, threaded_balance, .timeout = 60)
{
	uint64_t batch = capture_readahead_batch_max(), p, u;
	balance_run(20, 0, 8 * batch, &p, &u);
	cr_expect_geq(p, 6 * batch, "a slow consumer: %llu of %llu frames prepared by the reader",
		      (unsigned long long)p, (unsigned long long)(8 * batch));
	balance_run(0, 20, 8 * batch, &p, &u);
	cr_expect_gt(u, 0, "a slow reader: the consumer prepares some batches (%llu prepared, %llu not)",
		     (unsigned long long)p, (unsigned long long)u);
	cr_expect_eq(u % batch, 0, "whole batches left unprepared (%llu frames)", (unsigned long long)u);
}

Test(readahead, threaded_every_frame_once_in_order, .timeout = 30)
{
	read_all(THREADED, size_small, 3000, 1);
}

Test(readahead, batched_every_frame_once_in_order, .timeout = 30)
{
	read_all(BATCHED, size_small, 3000, 1);
}

/* The reader thread always copies, also full-sized frames, and prepares
 * them unless the consumer waited. */
Test(readahead, threaded_large_frames_all_prepared, .timeout = 30)
{
	read_all(THREADED, size_large, 2500, 1);
}

/* One thread, full-sized frames: readahead.c hands the frames after a batch
 * averaging 512 bytes or more straight from the file, uncopied and
 * unprepared (rec->prep NULL, no prepare call). Whatever path a frame
 * takes it arrives once, in order, with its bytes; a record with a
 * scratch has prepare's own. */
Test(readahead, batched_large_frames, .timeout = 30)
{
	read_all(BATCHED, size_large, 6000, 0);
}

/* A frame or two: a batch shorter than a ring slot, then the end. */
Test(readahead, one_and_two_frames, .timeout = 30)
{
	for (int m = THREADED; m <= BATCHED; m++) {
		read_all((enum mode)m, size_small, 1, 1);
		read_all((enum mode)m, size_small, 2, 1);
	}
}

/* A file of exactly whole batches: the end comes in a batch of its own. */
Test(readahead, exactly_whole_batches, .timeout = 30)
{
	uint64_t n = 2 * (uint64_t)capture_readahead_batch_max();
	read_all(THREADED, size_small, n, 1);
	read_all(BATCHED, size_small, n, 1);
}

/* scratch_size 0: no scratch (rec->prep NULL); a scratch without prepare
 * is the consumer's to fill: every record has one, its own, writable. */
static void on_rec_scratch(void *user, const struct pkt_record *rec)
{
	struct consumer *c = user;
	check_frame(c, rec);
	if (c->need_prep) {
		cr_assert_not_null(rec->prep);
		memset(rec->prep, 0xEE, 24);
		c->prepped++;
	} else {
		cr_assert_null(rec->prep);
	}
}

Test(readahead, scratch_without_prepare, .timeout = 30)
{
	struct tmp t;
	tmp_make(&t, "in.pcap");
	write_pcap(t.path, 1500, size_small, CUT_NONE);
	for (int m = THREADED; m <= BATCHED; m++) {
		for (int with = 0; with < 2; with++) {
			struct capture_source inner, src;
			open_file(&inner, t.path);
			start((enum mode)m, &src, &inner, with ? 24 : 0, NULL, NULL);
			struct consumer c;
			consumer_init(&c, size_small, 1500);
			c.need_prep = with;
			char err[CAPTURE_ERRBUF_SIZE];
			int rc;
			while ((rc = capture_dispatch(&src, 100, on_rec_scratch, &c, err)) >= 0)
				;
			cr_assert_eq(rc, CAPTURE_END, "%s", err);
			cr_assert_eq(c.next, 1501);
			capture_close(&src);
			free(c.seen);
		}
	}
	tmp_remove(&t);
}

/* The lookahead hook: on the consumer's thread, every frame once, prepared,
 * before fn gets it (some positions ahead, within what is due). */
static void lookahead_run(enum mode m)
{
	struct tmp t;
	tmp_make(&t, "in.pcap");
	uint64_t frames = 2000;
	write_pcap(t.path, frames, size_small, CUT_NONE);
	struct capture_source inner, src;
	open_file(&inner, t.path);
	struct prep_ctx pc = {.consumer = pthread_self()};
	start(m, &src, &inner, sizeof(struct scratch), prep_fn, &pc);
	struct consumer c;
	consumer_init(&c, size_small, frames);
	c.need_prep = m != THREADED;
	c.lookahead = 1;
	capture_readahead_set_lookahead(&src, on_lookahead, &c);
	char err[CAPTURE_ERRBUF_SIZE];
	cr_assert_eq(drain(&src, &c, err), CAPTURE_END, "%s", err);
	cr_assert_eq(c.next, frames + 1);
	/* readahead.c: the first RA_LOOKAHEAD of a batch when it is taken, then
	 * one each delivery: every frame once. */
	cr_expect_eq(c.la_calls, frames, "each frame looked ahead at once");
	cr_expect_gt(c.la_max_ahead, 1, "ahead of dispatch, not merely the frame due");
	for (uint64_t f = 1; f <= frames; f++)
		cr_assert_eq(c.seen[f], 1, "frame %llu", (unsigned long long)f);
	capture_close(&src);
	free(c.seen);
	tmp_remove(&t);
}

Test(readahead, lookahead_threaded, .timeout = 30)
{
	lookahead_run(THREADED);
}

Test(readahead, lookahead_batched, .timeout = 30)
{
	lookahead_run(BATCHED);
}

/* A file cut inside record `whole + 1`: frames 1..whole arrive, then (not
 * before) CAPTURE_ERR with the file source's message naming that frame. */
static void cut_run(enum mode m, size_fn size, uint64_t whole, enum cut cut)
{
	struct tmp t;
	tmp_make(&t, "cut.pcap");
	write_pcap(t.path, whole, size, cut);
	struct capture_source inner, src;
	open_file(&inner, t.path);
	struct prep_ctx pc = {.consumer = pthread_self()};
	start(m, &src, &inner, sizeof(struct scratch), prep_fn, &pc);
	struct consumer c;
	consumer_init(&c, size, whole);
	char err[CAPTURE_ERRBUF_SIZE];
	int rc = drain(&src, &c, err);
	cr_assert_eq(rc, CAPTURE_ERR, "rc %d", rc);
	cr_assert_eq(c.next, whole + 1, "every whole frame before the error (%llu of %llu)",
		     (unsigned long long)(c.next - 1), (unsigned long long)whole);
	char want[64];
	snprintf(want, sizeof(want), "frame %llu", (unsigned long long)whole + 1);
	cr_expect(strstr(err, want) != NULL, "the message names the cut frame: \"%s\"", err);
	capture_close(&src);
	free(c.seen);
	tmp_remove(&t);
}

Test(readahead, cut_mid_record_threaded, .timeout = 30)
{
	cut_run(THREADED, size_small, 1300, CUT_DATA);
	cut_run(THREADED, size_small, 1300, CUT_HEADER);
	cut_run(THREADED, size_small, 0, CUT_DATA);
	cut_run(THREADED, size_large, 700, CUT_DATA);
	cut_run(THREADED, size_small, 2 * (uint64_t)capture_readahead_batch_max(), CUT_DATA);
}

Test(readahead, cut_mid_record_batched, .timeout = 30)
{
	cut_run(BATCHED, size_small, 1300, CUT_DATA);
	cut_run(BATCHED, size_small, 1300, CUT_HEADER);
	cut_run(BATCHED, size_small, 0, CUT_HEADER);
	/* Full-sized frames: the cut falls in the frames passed straight through. */
	cut_run(BATCHED, size_large, 1300, CUT_DATA);
	cut_run(BATCHED, size_large, 1300, CUT_HEADER);
}

/* A pcap file with its header and no record: CAPTURE_END, no frame, no
 * prepare call; through take, one batch of none with end set, then none. */
Test(readahead, empty_file, .timeout = 30)
{
	struct tmp t;
	tmp_make(&t, "empty.pcap");
	write_pcap(t.path, 0, size_small, CUT_NONE);
	for (int m = THREADED; m <= BATCHED; m++) {
		struct capture_source inner, src;
		open_file(&inner, t.path);
		struct prep_ctx pc = {.consumer = pthread_self()};
		start((enum mode)m, &src, &inner, sizeof(struct scratch), prep_fn, &pc);
		struct consumer c;
		consumer_init(&c, size_small, 0);
		char err[CAPTURE_ERRBUF_SIZE];
		cr_assert_eq(drain(&src, &c, err), CAPTURE_END, "%s", err);
		cr_assert_eq(c.next, 1, "no frame");
		struct capture_stats st;
		capture_stats(&src, &st);
		cr_expect_eq(st.packets, 0);
		capture_close(&src);
		cr_expect_eq(pc.calls, 0);
		free(c.seen);
	}
	struct capture_source inner, src;
	open_file(&inner, t.path);
	start(THREADED, &src, &inner, sizeof(struct scratch), NULL, NULL);
	struct capture_batch b;
	cr_assert_eq(capture_readahead_take(&src, &b), 0);
	cr_expect_eq(b.n, 0);
	cr_expect_eq(b.end, CAPTURE_END);
	capture_readahead_give_back(&src);
	cr_expect_eq(capture_readahead_take(&src, &b), -1, "nothing after the last batch");
	capture_close(&src);
	tmp_remove(&t);
}

/* Check a taken batch: frames from c->next on, each as the file has it
 * and prepared. */
static void check_batch(struct consumer *c, const struct capture_batch *b)
{
	cr_assert_leq(b->n, capture_readahead_batch_max());
	for (unsigned i = 0; i < b->n; i++) {
		check_frame(c, &b->rec[i]);
		cr_assert(prepared(&b->rec[i]), "frame %llu prepared",
			  (unsigned long long)b->rec[i].frame);
	}
}

/* Whole batches in file order: up to capture_readahead_ring() held at once
 * (one more take refuses), each untouched while held (all of them checked
 * again once the ring is full: the reader did not refill a held one), the
 * next ones after each give_back, the last with end set, then no more. */
Test(readahead, take_and_give_back_whole_batches, .timeout = 30)
{
	struct tmp t;
	tmp_make(&t, "in.pcap");
	uint64_t frames = 3000; /* at least 6 batches of at most 512: more than the ring */
	cr_assert_lt(capture_readahead_ring() * (uint64_t)capture_readahead_batch_max(), frames);
	write_pcap(t.path, frames, size_small, CUT_NONE);
	struct capture_source inner, src;
	open_file(&inner, t.path);
	struct prep_ctx pc = {.consumer = pthread_self()};
	start(THREADED, &src, &inner, sizeof(struct scratch), prep_fn, &pc);
	unsigned ring = capture_readahead_ring();
	cr_assert_geq(ring, 1);
	struct capture_batch *held = calloc(ring, sizeof(*held));
	uint64_t *held_first = calloc(ring, sizeof(*held_first));
	cr_assert(held && held_first);
	struct consumer c;
	consumer_init(&c, size_small, frames);
	for (unsigned i = 0; i < ring; i++) {
		held_first[i] = c.next;
		cr_assert_eq(capture_readahead_take(&src, &held[i]), 0, "take %u", i);
		cr_assert_gt(held[i].n, 0, "not the last batch yet");
		cr_assert_eq(held[i].end, 0);
		check_batch(&c, &held[i]);
	}
	struct capture_batch extra;
	cr_expect_eq(capture_readahead_take(&src, &extra), -1, "the ring is all held");
	/* The reader ran meanwhile: the held batches are as they were. */
	usleep(20000);
	struct consumer again;
	consumer_init(&again, size_small, frames);
	for (unsigned i = 0; i < ring; i++) {
		again.next = held_first[i];
		check_batch(&again, &held[i]);
	}
	free(again.seen);
	/* Give back the oldest, take the next, until the end. */
	unsigned batches = ring;
	int end = 0;
	while (!end) {
		capture_readahead_give_back(&src);
		struct capture_batch b;
		cr_assert_eq(capture_readahead_take(&src, &b), 0, "batch %u", batches);
		check_batch(&c, &b);
		batches++;
		end = b.end;
		cr_assert(b.end == 0 || b.end == CAPTURE_END, "end %d: %s", b.end, b.err);
	}
	cr_expect_eq(c.next, frames + 1, "every frame in the batches");
	cr_expect_geq(batches, (frames + capture_readahead_batch_max() - 1) / capture_readahead_batch_max());
	cr_expect_eq(capture_readahead_take(&src, &extra), -1, "nothing after the last batch");
	for (unsigned i = 0; i < ring; i++)
		capture_readahead_give_back(&src);
	capture_close(&src);
	cr_expect_eq(pc.calls, frames);
	cr_expect_eq(pc.on_consumer, 0);
	free(held);
	free(held_first);
	free(c.seen);
	tmp_remove(&t);
}

/* Through take, a cut file's last batch says CAPTURE_ERR after the whole
 * frames, with the message. */
Test(readahead, take_cut_file, .timeout = 30)
{
	struct tmp t;
	tmp_make(&t, "cut.pcap");
	uint64_t whole = 1100;
	write_pcap(t.path, whole, size_small, CUT_DATA);
	struct capture_source inner, src;
	open_file(&inner, t.path);
	struct prep_ctx pc = {.consumer = pthread_self()};
	start(THREADED, &src, &inner, sizeof(struct scratch), prep_fn, &pc);
	struct consumer c;
	consumer_init(&c, size_small, whole);
	struct capture_batch b;
	do {
		cr_assert_eq(capture_readahead_take(&src, &b), 0);
		check_batch(&c, &b);
		capture_readahead_give_back(&src);
	} while (!b.end);
	cr_expect_eq(b.end, CAPTURE_ERR);
	cr_expect_eq(c.next, whole + 1);
	cr_expect(b.err && strstr(b.err, "frame 1101"), "\"%s\"", b.err ? b.err : "(null)");
	cr_expect_eq(capture_readahead_take(&src, &b), -1);
	capture_close(&src);
	free(c.seen);
	tmp_remove(&t);
}

/* Frames bigger than a batch's arena (5 MB), bigger than libpcap's snap
 * length (300000), and 6 MB of 1 MB frames in one read: every byte
 * arrives, in order, also through take. */
static void big_run(enum mode m, int use_take)
{
	struct tmp t;
	tmp_make(&t, "big.pcapng");
	write_pcapng_big(t.path);
	struct capture_source inner, src;
	open_file(&inner, t.path);
	struct prep_ctx pc = {.consumer = pthread_self()};
	start(m, &src, &inner, sizeof(struct scratch), prep_fn, &pc);
	struct consumer c;
	consumer_init(&c, size_big, BIG_FRAMES);
	c.need_prep = 0;
	if (use_take) {
		struct capture_batch b;
		do {
			cr_assert_eq(capture_readahead_take(&src, &b), 0);
			check_batch(&c, &b);
			capture_readahead_give_back(&src);
		} while (!b.end);
		cr_assert_eq(b.end, CAPTURE_END, "%s", b.err);
	} else {
		char err[CAPTURE_ERRBUF_SIZE];
		cr_assert_eq(drain(&src, &c, err), CAPTURE_END, "%s", err);
	}
	cr_assert_eq(c.next, BIG_FRAMES + 1);
	capture_close(&src);
	if (m == THREADED) /* take's consumer (the shards) never leaves prepare to itself */
		cr_expect_eq(pc.calls, use_take ? BIG_FRAMES : c.prepped);
	free(c.seen);
	tmp_remove(&t);
}

Test(readahead, frames_bigger_than_the_arena, .timeout = 60)
{
	big_run(THREADED, 0);
	big_run(THREADED, 1);
	big_run(BATCHED, 0);
}

/* capture_close stops the reader wherever it is: right after the start,
 * with the ring full and one frame read, with batches held, after the end. */
Test(readahead, close_stops_the_reader, .timeout = 30)
{
	struct tmp t;
	tmp_make(&t, "in.pcap");
	write_pcap(t.path, 5000, size_small, CUT_NONE);
	char err[CAPTURE_ERRBUF_SIZE];
	for (int round = 0; round < 20; round++) {
		struct capture_source inner, src;
		open_file(&inner, t.path);
		struct prep_ctx pc = {.consumer = pthread_self()};
		start(THREADED, &src, &inner, sizeof(struct scratch), prep_fn, &pc);
		struct consumer c;
		consumer_init(&c, size_small, 5000);
		switch (round % 4) {
		case 0: /* at once */
			break;
		case 1: /* one frame, the reader soon waiting for room */
			cr_assert_eq(capture_dispatch(&src, 1, on_rec, &c, err), 1, "%s", err);
			usleep(10000);
			break;
		case 2: { /* two batches held */
			struct capture_batch b;
			cr_assert_eq(capture_readahead_take(&src, &b), 0);
			cr_assert_eq(capture_readahead_take(&src, &b), 0);
			usleep(5000);
			break;
		}
		case 3: /* everything */
			cr_assert_eq(drain(&src, &c, err), CAPTURE_END, "%s", err);
			break;
		}
		capture_close(&src);
		cr_expect_null(src.priv);
		cr_expect_null(inner.ops, "the file source closed too");
		free(c.seen);
	}
	tmp_remove(&t);
}

/* The stats count what reached the consumer, not what was read ahead. */
Test(readahead, stats_count_delivered_frames, .timeout = 30)
{
	struct tmp t;
	tmp_make(&t, "in.pcap");
	write_pcap(t.path, 3000, size_small, CUT_NONE);
	for (int m = THREADED; m <= BATCHED; m++) {
		struct capture_source inner, src;
		open_file(&inner, t.path);
		start((enum mode)m, &src, &inner, sizeof(struct scratch), prep_fn,
		      &(struct prep_ctx){.consumer = pthread_self()});
		struct consumer c;
		consumer_init(&c, size_small, 3000);
		char err[CAPTURE_ERRBUF_SIZE];
		cr_assert_eq(capture_dispatch(&src, 10, on_rec, &c, err), 10, "%s", err);
		usleep(10000); /* let the reader run ahead */
		struct capture_stats st;
		capture_stats(&src, &st);
		cr_expect_eq(st.packets, 10);
		capture_close(&src);
		free(c.seen);
	}
	tmp_remove(&t);
}

/*
 * Found a bug, fixed since (it failed before the fix). capture.h: stats'
 * packets are the "frames delivered to the analyzer", and readahead.c says
 * so too ("what reached the consumer"). On one thread with full-sized
 * frames the frames after a batch go straight from the file source; the
 * dispatch call that meets the cut delivers the frames before it and
 * returns CAPTURE_ERR, and ra_dispatch adds to its count only on rc >= 0:
 * those frames are delivered and not counted (512 of 1300 here).
 */
Test(readahead, stats_count_frames_delivered_before_an_error, .timeout = 30)
{
	struct tmp t;
	tmp_make(&t, "cut.pcap");
	write_pcap(t.path, 1300, size_large, CUT_DATA);
	struct capture_source inner, src;
	open_file(&inner, t.path);
	start(BATCHED, &src, &inner, 0, NULL, NULL);
	struct consumer c;
	consumer_init(&c, size_large, 1300);
	char err[CAPTURE_ERRBUF_SIZE];
	cr_assert_eq(drain(&src, &c, err), CAPTURE_ERR);
	cr_assert_eq(c.next, 1301);
	struct capture_stats st;
	capture_stats(&src, &st);
	cr_expect_eq(st.packets, 1300, "packets %llu", (unsigned long long)st.packets);
	capture_close(&src);
	free(c.seen);
	tmp_remove(&t);
}

/* The measured choice switches between one thread and two at batch
 * boundaries (six turns of 36,864 frames, then the faster): through every
 * switch, the reader's batches drained when it stops, each frame arrives
 * once, in order, with its bytes; a short file ends inside the first turn. */
Test(readahead, measured_every_frame_once_in_order, .timeout = 60)
{
	read_all(MEASURED, size_small, 260000, 0);
	read_all(MEASURED, size_large, 20000, 0);
	read_all(MEASURED, size_small, 3000, 0);
	read_all(MEASURED, size_small, 1, 0);
}
