/*
 * analyze/sharded_internal.h — what the three parts of the sharded analysis
 * share (sharded.h is the contract): the record format a shard writes and
 * the merge reads, the chunk ring between them, the shard and run state.
 *
 *   sharded.c         the threads: which shard owns a frame, the shard
 *                     thread's loop, handing out batches, start and stop
 *   sharded_record.c  a shard's recorder: records into its chunks
 *   sharded_merge.c   the merge: records replayed in one analyzer's order
 */
#ifndef TCPLENS_SHARDED_INTERNAL_H
#define TCPLENS_SHARDED_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "idmap.h"
#include "sharded.h"

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

/* REC_SEGMENT: a struct segment_obs (only when the merge's sink observes
 * segments), always in the frame's own phase. */
enum rec_type { REC_EVENT = 1, REC_FLOW_NEW, REC_FLOW_END, REC_DAMAGED, REC_SEGMENT };

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

/* Records travel from a shard to the merge in chunks: a ring of CHUNKS
 * buffers per shard, each grown as needed and reused (no allocation per
 * frame once they have grown). A shard hands a chunk over at the end of each
 * batch (ends_batch) and whenever it passes CHUNK_FLUSH bytes, so a burst of
 * flows ending at once, or the end of the capture, streams through a few
 * megabytes instead of piling up. Threads meet once per chunk and per batch,
 * under one mutex. */
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

/* sharded_record.c: the recorder a shard's analyzer writes to (with the
 * per-segment observations when `segments`). */
void shard_recorder(struct shard *sh, struct analyzer_recorder *rec, bool segments);
/* The next chunk to write (false when stopped or out of memory). */
bool chunk_open(struct shard *sh);
/* Hand the chunk being written over (the batch's last: ends_batch). */
void chunk_publish(struct shard *sh, bool ends_batch);

/* sharded_merge.c */
void merge_batch(struct sharded *s, const struct sharded_batch *b, const int8_t *own);
void merge_end(struct sharded *s);

#endif
