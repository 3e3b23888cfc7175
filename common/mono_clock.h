/*
 * common/mono_clock.h — the monotonic clock in seconds, for what paces
 * itself in wall time (redraws, replay, progress lines, metrics intervals).
 * The analysis never reads it: its time is the packets'.
 */
#ifndef TCPLENS_COMMON_MONO_CLOCK_H
#define TCPLENS_COMMON_MONO_CLOCK_H

#include <time.h>

#include "units.h"

static inline double mono_clock_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / NS_PER_S;
}

#endif
