/*
 * capture/readahead.h — read a capture source on a second thread, ahead of
 * its consumer.
 *
 * The reader thread runs the wrapped source's dispatch, copies each frame
 * into a batch (records plus a byte arena, a few batches in a ring: no
 * allocation per frame; a source that keeps its frames, a regular pcap file,
 * is pointed at instead, and released as each batch is given back) and calls an optional prepare hook on it there, with
 * a per-frame scratch area the consumer later finds in rec->prep. The two
 * threads balance: when the consumer had to wait for a batch since the
 * reader began its last one, the reader is the slower side and leaves the
 * next batch unprepared (rec->prep NULL on all of its records: the consumer
 * prepares them itself, as analyzer_packet does). Whoever prepares, the
 * result is the same. The
 * consumer's dispatch hands out whole batches' records in file order: the
 * packets, their order, their numbering and therefore every report are the
 * same as reading the source directly. It is a pipeline of two stages, not a
 * parallel analysis: the analysis stays on one thread (deterministic by
 * construction); what moves to the second core is reading the file and what
 * analyzer_prepare does (decoding, checksumming every byte).
 *
 * Threads meet once per batch (a mutex and two condition variables), never
 * per packet. For offline sources: a live source's timing must stay with
 * its own poll loop.
 */
#ifndef TCPLENS_READAHEAD_H
#define TCPLENS_READAHEAD_H

#include <stddef.h>

#include "capture.h"

/* Work done on the reader thread for one frame: rec (stable until the
 * consumer is done with the frame) -> scratch (scratch_size bytes). */
typedef void (*capture_prepare_fn)(void *user, const struct pkt_record *rec, void *scratch);

/* Called on the consumer's thread with a frame some positions before fn
 * gets it (cache hints: it must not change what fn computes). */
typedef void (*capture_lookahead_fn)(void *user, const struct pkt_record *rec);

/*
 * Wrap the open source inner into src and start the reader thread. With
 * scratch_size > 0 every record gets a scratch area (rec->prep); prepare, when
 * not NULL, fills it on the reader thread, else it is the consumer's to fill
 * (a consumer with threads of its own, the sharded analysis, does). src takes
 * inner over (capture_close(src) stops the thread and closes inner); inner's
 * struct must stay in place until then. src's name, kind, linktype and
 * precision are inner's. Returns 0, or -1 with errbuf set (inner untouched).
 */
int capture_readahead_start(struct capture_source *src, struct capture_source *inner,
			    size_t scratch_size, capture_prepare_fn prepare, void *prepare_user,
			    char *errbuf);

/*
 * The same batches on one thread: when the consumer has drained a batch, its
 * next dispatch fills the next one (reads up to RA_FRAMES frames, copies them,
 * runs prepare over all of them), then hands its records out with the
 * lookahead hook running ahead. No thread: for --threads 1 and for standard
 * input. What it buys: prepare's decode and checksum loop, then the analysis,
 * each run over 512 frames while their code stays in the caches, and the
 * analysis can prefetch a coming frame's flow. Same contract otherwise, but
 * one: after a batch whose frames average 512 bytes or more (copying them
 * costs more than the batch gains), the next 4096 frames go to the consumer
 * straight from the inner source, uncopied, with rec->prep NULL and no
 * lookahead (the analyzer prepares such a frame itself). And when the inner
 * source keeps its frames (capture_keep_frames: a regular pcap file), a
 * batch points at them instead of copying them, and releases them when it
 * is refilled; with no copy to save, such frames are never passed straight.
 */
int capture_batched_start(struct capture_source *src, struct capture_source *inner,
			  size_t scratch_size, capture_prepare_fn prepare, void *prepare_user,
			  char *errbuf);

/*
 * Either of the two above, whichever is faster on this machine and this
 * capture, measured: the first frames are read in turns, 6 of them, on
 * one thread and on two alternately (each timed over 32768 frames after
 * 4096 to settle); two threads keep the rest of the file only when their
 * best turn was 3% faster than one thread's, as they cost more CPU. Switching waits for a batch
 * boundary and drains what the reader filled ahead, so the frames, their
 * order and every report are the same whichever mode reads them: time
 * decides how, never what. TCPLENS_TRACE_READ in the environment prints
 * the two times and the choice on stderr.
 */
int capture_measured_start(struct capture_source *src, struct capture_source *inner,
			   size_t scratch_size, capture_prepare_fn prepare, void *prepare_user,
			   char *errbuf);

/*
 * Whole batches, for a consumer that hands them to threads of its own
 * (the pipeline feeds the sharded analysis so), on a source from capture_readahead_start: the next
 * batch in file order (waiting for the reader). Up to capture_readahead_ring()
 * may be held at once; each is given back, oldest first, when every thread
 * is done with it. Not mixed with capture_dispatch on the same source.
 * Returns 0, or -1 when there is no further batch (the last one had end set)
 * or the ring is all held.
 */
struct capture_batch {
	const struct pkt_record *rec; /* rec[0..n): prepared (rec->prep) */
	unsigned n;
	int end;                      /* 0, or CAPTURE_END / CAPTURE_ERR after these */
	const char *err;              /* CAPTURE_ERR's message */
};
int capture_readahead_take(struct capture_source *src, struct capture_batch *out);
void capture_readahead_give_back(struct capture_source *src);
unsigned capture_readahead_ring(void);
/* Most records a batch has. */
unsigned capture_readahead_batch_max(void);

/* Set the consumer-side lookahead hook of a source started above. */
void capture_readahead_set_lookahead(struct capture_source *src, capture_lookahead_fn fn,
				     void *user);

#endif
