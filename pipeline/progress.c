/*
 * pipeline/progress.c — see progress.h.
 */
#include "progress.h"

#include <stdio.h>

#include "source.h"
#include "common/mono_clock.h"

#define BYTES_PER_MB 1e6

void progress_start(struct progress *pg, bool enabled, bool live)
{
	*pg = (struct progress){.enabled = enabled, .every = live ? 1.0 : 0.5};
	pg->started = pg->last = mono_clock_s();
}

void progress_tick(struct progress *pg, struct capture_source *src, uint64_t frames, bool done)
{
	if (!pg->enabled || (done && pg->last <= pg->started))
		return;
	double t = mono_clock_s();
	if (!done && t - pg->last < pg->every)
		return;
	if (t - pg->started < 1.0 && !done)
		return; /* short runs stay quiet */
	pg->last = t;
	uint64_t pos, total;
	struct capture_stats cs;
	if (source_live_stats(src, &cs))
		fprintf(stderr, "\rtcplens: %s %s: %llu frames, %llu dropped by the kernel, %.0f s   ",
			src->kind, src->name, (unsigned long long)frames,
			(unsigned long long)cs.kernel_drops, t - pg->started);
	else if (capture_position(src, &pos, &total) == 0 && total)
		fprintf(stderr, "\rtcplens: %llu frames, %.0f of %.0f MB (%.0f%%), %.1f s   ",
			(unsigned long long)frames, (double)pos / BYTES_PER_MB,
			(double)total / BYTES_PER_MB, 100.0 * (double)pos / (double)total,
			t - pg->started);
	else
		fprintf(stderr, "\rtcplens: %llu frames, %.1f s   ", (unsigned long long)frames,
			t - pg->started);
	if (done)
		fputc('\n', stderr);
}
