/*
 * pipeline/source.c — see source.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif
#include "source.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/analyzer.h"
#include "capture/fanout.h"
#include "capture/readahead.h"

/* The engine -i/--nfqueue asks for; NULL with err set when not built. */
static const struct capture_ops *live_engine(const struct pipeline_config *c, char *err,
					     size_t len)
{
	(void)err;
	(void)len;
	if (c->nfqueue >= 0) {
#ifdef TCPLENS_HAVE_NFQUEUE
		return &capture_nfqueue_ops;
#else
		snprintf(err, len, "--nfqueue is not in this build (libnetfilter_queue was missing)");
		return NULL;
#endif
	}
	if (c->engine && !strcmp(c->engine, "pcap"))
		return &capture_pcap_live_ops;
#ifdef __linux__
	/* tpacket3 by default; "any" has no single link layer: libpcap cooks it */
	if (c->engine || strcmp(c->interface, "any"))
		return &capture_tpacket3_ops;
	return &capture_pcap_live_ops;
#else
	if (c->engine) {
		snprintf(err, len, "--engine tpacket3 needs Linux");
		return NULL;
	}
	return &capture_pcap_live_ops;
#endif
}

/* -r FILE, regular files only (a pipe can block a reader that fills 512
 * frames ahead, after the analysis stopped: -c, a signal): --threads 1 in
 * batches on this thread, 2 read ahead on a second thread, 3 and up for
 * the shards; by default, when this process may run on two CPUs or more,
 * whichever of the first two measures faster on the file's first frames
 * (capture_measured_start), else in batches on this thread; frame by frame
 * from standard input.
 *
 * Why measured: what the second thread takes from the first (the decode
 * and the checksums) grows with the frames' bytes, what handing a frame
 * across costs does not, and what a second vCPU is worth depends on the
 * host at the time. Measured here on 2 vCPUs (runs interleaved, --threads
 * 2 against 1): 1 GB bulk, 1,064-byte frames, 0.15 against 0.23 s in one
 * minute, 0.24 against 0.23 in another (the host busier: the two threads'
 * CPU time 0.25 s, then 0.40); CRR, 151-byte frames, 0.59-0.65 against
 * 0.58-0.61 s, with 1.7 times the CPU. A rule on the frames' size chose
 * before (stop 30); it could not see the host. Pinned to one CPU
 * (taskset), the second thread costs 5-10%. */
/* The CPUs this process may run on (taskset, a cgroup's cpuset), not the
 * machine's. */
static int usable_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}
static enum read_mode file_mode(const struct pipeline_config *c)
{
	struct stat st;
	if (!strcmp(c->read_file, "-") || stat(c->read_file, &st) < 0 || !S_ISREG(st.st_mode))
		return READ_FRAMES;
	if (c->threads == 1)
		return READ_BATCHED;
	if (c->threads >= 3)
		return READ_SHARDED;
	if (c->threads == 2)
		return READ_AHEAD;
	return usable_cpus() < 2 ? READ_BATCHED : READ_MEASURED;
}

int source_open(const struct pipeline_config *c, enum read_mode most, struct capture_source *src,
		struct capture_source *inner, char *err, size_t errlen)
{
	char cerr[CAPTURE_ERRBUF_SIZE] = "";
	bool live = !c->read_file;
	const struct capture_ops *ops = live ? live_engine(c, cerr, sizeof(cerr)) : &capture_file_ops;
	unsigned blocks = c->ring_blocks;
	if (c->buffer_kib) { /* -B: as many blocks as fill it, at least two */
		unsigned block_kib = c->ring_block_kib ? c->ring_block_kib
						       : CAPTURE_RING_BLOCK_DEFAULT / 1024;
		blocks = (c->buffer_kib + block_kib - 1) / block_kib;
		blocks = blocks < 2 ? 2 : blocks;
	}
	struct capture_config cc = {
		.name = live ? c->interface : c->read_file,
		.bpf = c->filter,
		.snaplen = c->snaplen,
		.ring_block_size = c->ring_block_kib * 1024u,
		.ring_blocks = blocks,
		.ring_timeout_ms = c->ring_timeout_ms,
		.queue_num = c->nfqueue,
	};
#ifdef __linux__
	/* -i with --threads N: N rings in a fanout group, each read, decoded
	 * and checksummed on its own thread, merged by time (capture/fanout.h). */
	if (live && c->threads >= 2) {
		if (ops != &capture_tpacket3_ops) {
			snprintf(err, errlen, "%s", ops ? "--threads with a live capture spreads it over "
					      "tpacket3 rings in a fanout group: not with --engine "
					      "pcap, -i any or --nfqueue" : cerr);
			return -1;
		}
		if (capture_fanout_open(src, &cc, (unsigned)c->threads, sizeof(struct pkt_prepared),
					analyzer_prepare, NULL, cerr) < 0) {
			snprintf(err, errlen, "%s", cerr);
			return -1;
		}
		return READ_FRAMES;
	}
#endif
	if (!ops || capture_open(src, ops, &cc, cerr) < 0) {
		snprintf(err, errlen, "%s", cerr);
		return -1;
	}
	enum read_mode mode = live ? READ_FRAMES : file_mode(c);
	if (mode > most)
		mode = most;
	if (mode == READ_FRAMES)
		return mode;
	/* Read, decode and checksum in batches of frames, on a second thread
	 * ahead of the analysis or on this one (capture/readahead.h); the
	 * shards decode their own slices. */
	*inner = *src;
	size_t prep = sizeof(struct pkt_prepared);
	int rc = mode == READ_BATCHED
			 ? capture_batched_start(src, inner, prep, analyzer_prepare, NULL, cerr)
		 : mode == READ_MEASURED
			 ? capture_measured_start(src, inner, prep, analyzer_prepare, NULL, cerr)
			 : capture_readahead_start(src, inner, prep,
						   mode == READ_SHARDED ? NULL : analyzer_prepare,
						   NULL, cerr);
	if (rc < 0) {
		*src = *inner;
		if (!c->quiet)
			fprintf(stderr, "tcplens: %s; reading frame by frame\n", cerr);
		return READ_FRAMES;
	}
	return mode;
}

static int feed_take(void *src, struct sharded_batch *out)
{
	struct capture_batch b;
	if (capture_readahead_take(src, &b) < 0)
		return -1;
	*out = (struct sharded_batch){.rec = b.rec, .n = b.n, .end = b.end, .err = b.err};
	return 0;
}

static void feed_give_back(void *src)
{
	capture_readahead_give_back(src);
}

void source_sharded_feed(struct capture_source *src, struct sharded_feed *feed)
{
	*feed = (struct sharded_feed){.user = src, .take = feed_take, .give_back = feed_give_back,
				      .ring = capture_readahead_ring(),
				      .batch_max = capture_readahead_batch_max()};
}

int source_live_stats(struct capture_source *src, struct capture_stats *cs)
{
	if (!strcmp(src->kind, "file"))
		return 0;
	capture_stats(src, cs);
	return 1;
}

bool source_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (!a || !b || stat(a, &sa) < 0 || stat(b, &sb) < 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
