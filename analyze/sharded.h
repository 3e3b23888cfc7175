/*
 * analyze/sharded.h — the analysis of an offline capture sharded by flow
 * across threads (--threads N, N >= 3: N - 1 shards), giving the report one
 * analyzer gives.
 *
 * The capture is read ahead in batches (capture/readahead.h: that thread
 * only reads). Every shard thread first decodes and checksums a slice of
 * each batch (every n-th frame; all slices done before any shard goes on),
 * then walks the whole batch: each frame's time moves its clock (flows
 * expire by the capture's clock), and it analyzes the frames of its own
 * flows, those whose flow hash falls to it. What one analyzer would fold into the
 * capture-wide totals and hand to the report, a shard writes as a record
 * keyed by where in one analyzer's order it would have come: (frame, 0, the
 * flow's last frame) for flows ending by linger before the frame, (frame, 2)
 * for the frame's own flow, (end, the flow's first frame) for flows open at
 * the end of the capture. The calling thread merges: batch by batch, frame by
 * frame, it replays the shards' records in key order and does the frame's
 * capture-wide part itself in between (analyzer_frame). Flow ids are given in
 * order of first packet as the records come by, and the order-dependent
 * aggregates (host table, setup quantiles, sums of doubles) are fed in the
 * single order, so the report is --threads 1's byte for byte.
 *
 * The invariants the merge rests on: (1) each frame has one owner (its flow
 * hash picks the shard; a fragment is reassembled by all, analyzed by the
 * owner of the datagram it completes); (2) within a shard, records come in
 * key order, because a flow's records are made while one of its own frames
 * or the clock is being handled, and the flow table's linger order is the
 * order of last_frame (the touch order); (3) last_frame is unique per flow,
 * so no two shards' records share a key. A record the merge did not find at
 * its place is counted (sharded_out_of_order) and merged at the batch's end,
 * and the pipeline says so: a bug, never silently absorbed.
 *
 * One exception: the caps (--max-flows, --max-held, --max-rounds) are split
 * evenly between the shards, so a capture that reaches one is cut where its
 * shard filled up; sharded_finish says when that may have happened.
 *
 * What the merge hands the sink: events with a flow holding only its id
 * and key (the report writers and -w's recorder read the event; the flow's
 * counts come with its end), ended flows whole, and the per-segment
 * observations (struct segment_obs, recorded only when the sink observes
 * segments: the HTML report's sampler) at their frame.
 */
#ifndef TCPLENS_SHARDED_H
#define TCPLENS_SHARDED_H

#include <stdint.h>

#include "../capture/capture.h"
#include "analyzer.h"

#define SHARDED_MAX 32

struct sharded;

/*
 * The frames, in batches in capture order, prepared records (rec->prep: a
 * struct pkt_prepared, left unfilled: the shards fill it, each a slice of
 * every batch). The pipeline feeds it from the read-ahead ring
 * (capture/readahead.h); the sharded analysis knows nothing of the source.
 */
struct sharded_batch {
	const struct pkt_record *rec; /* rec[0..n) */
	unsigned n;
	int end;                      /* 0, or CAPTURE_END / CAPTURE_ERR after these */
	const char *err;              /* CAPTURE_ERR's message */
};
struct sharded_feed {
	void *user;
	/* The next batch; -1 when there is none (the last one had end set). */
	int (*take)(void *user, struct sharded_batch *out);
	/* The oldest batch taken is done with (every thread is past it). */
	void (*give_back)(void *user);
	unsigned ring;                /* batches that may be held at once */
	unsigned batch_max;           /* most records in a batch */
};

/* Start `shards` threads over feed for the merging analyzer `merge` (its
 * config gives the caps to split). Returns NULL with errbuf set when memory
 * or threads are short, or the feed's ring does not suit. */
struct sharded *sharded_new(const struct sharded_feed *feed, struct analyzer *merge, unsigned shards,
			    char *errbuf, size_t errlen);

/* Analyze and merge the next batch, handing the shards the ones after it as
 * they come (at most `limit` frames more in all, 0 = no limit: -c). Like
 * capture_dispatch: frames merged (0 is possible), CAPTURE_END, or CAPTURE_ERR
 * with errbuf set once every frame before the error is merged. */
int sharded_step(struct sharded *s, uint64_t limit, char *errbuf);

/* End of analysis: batches handed out are merged, the shards' open flows end
 * (merged in id order) and their counts go to `merge`. Returns frames merged
 * by it (after an early stop) in *frames; 1 when some shard reached a cap
 * (the report may then differ from --threads 1's), else 0. */
int sharded_finish(struct sharded *s, uint64_t *frames);

/* Records merged after their place (0 unless an invariant above broke). */
uint64_t sharded_out_of_order(const struct sharded *s);

/* Stops the threads (if sharded_finish was not called) and frees. */
void sharded_free(struct sharded *s);

#endif
