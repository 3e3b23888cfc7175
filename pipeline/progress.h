/*
 * pipeline/progress.h — the status line a long run prints on stderr when
 * stderr is a terminal: frames, MB read of the file (or kernel drops live),
 * elapsed time. Wall time is read only here and for --duration, for
 * display and stopping: the analysis never sees it.
 */
#ifndef TCPLENS_PIPELINE_PROGRESS_H
#define TCPLENS_PIPELINE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"

struct progress {
	bool enabled;
	double started, last;
	double every;     /* seconds between lines */
};

/* Start the clock (always: --duration reads it); the line shows only when
 * enabled. */
void progress_start(struct progress *pg, bool enabled, bool live);
/* A line when one is due (done: the last one, with a newline, when any
 * was shown). frames: analyzed so far. */
void progress_tick(struct progress *pg, struct capture_source *src, uint64_t frames, bool done);

#endif
