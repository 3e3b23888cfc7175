/*
 * analyze/rtt.h — round-trip time statistics in constant memory: min, max,
 * and the median by the P-square algorithm (Jain & Chlamtac, CACM 1985),
 * which keeps five markers instead of every sample. Deterministic: the same
 * samples in the same order give the same estimate.
 */
#ifndef TCPLENS_RTT_H
#define TCPLENS_RTT_H

#include <stdint.h>

struct rtt_stats {
	uint32_t count;
	double min_ms, max_ms;
	double q[5];      /* marker heights */
	double n[5];      /* marker positions */
};

void rtt_stats_add(struct rtt_stats *s, double ms);
/* Median estimate; exact for up to five samples. 0 when there are none. */
double rtt_stats_p50(const struct rtt_stats *s);

#endif
