/*
 * pipeline/source.h — where the frames come from and how they are read:
 * the capture engine (-r file, -i with TPACKET_V3 or libpcap, --nfqueue) and
 * the reading mode of a file (frame by frame, in batches on this thread,
 * read ahead on a second thread, or read ahead for the analysis shards).
 */
#ifndef TCPLENS_PIPELINE_SOURCE_H
#define TCPLENS_PIPELINE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/sharded.h"
#include "capture/capture.h"
#include "pipeline.h"

enum read_mode {
	READ_FRAMES,     /* frame by frame: live, standard input, a paced replay */
	READ_BATCHED,    /* batches decoded on this thread (--threads 1) */
	READ_AHEAD,      /* batches decoded on a second thread */
	READ_MEASURED,   /* batches, on one thread or two: the faster, measured */
	READ_SHARDED,    /* batches read ahead, decoded by the shards (--threads 3+) */
};

/* Open cfg's source into src, read in the mode cfg->threads asks for (or
 * that the machine suits), at most `most` (READ_FRAMES: a paced replay or
 * the TUI needs every frame as it comes). Returns the mode, or -1 with err
 * set. Batches wrap the engine's source, kept in *inner, which must stay
 * in place until capture_close(src).
 * A reading mode that cannot start falls back to frame by frame (said on
 * stderr unless quiet). */
int source_open(const struct pipeline_config *cfg, enum read_mode most,
		struct capture_source *src, struct capture_source *inner, char *err,
		size_t errlen);

/* The batches of a READ_SHARDED source, as the sharded analysis takes them
 * (analyze/sharded.h). */
void source_sharded_feed(struct capture_source *src, struct sharded_feed *feed);

/* A live engine's statistics; 0 for a file (nothing to tell while reading). */
int source_live_stats(struct capture_source *src, struct capture_stats *cs);

/* Are a and b the same file? (Refuse to write over the capture being read.) */
bool source_same_file(const char *a, const char *b);

#endif
