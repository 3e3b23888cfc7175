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
	double min_ms, max_ms;
	double q[5];      /* marker heights */
	int32_t n[5];     /* marker positions (whole numbers in P-square) */
	uint32_t count;
};

/* Any quantile p (0 < p < 1) by the same algorithm; the caller keeps p. */
struct quantile_p2 {
	uint32_t count;
	double q[5];
	int32_t n[5];
};

void quantile_add(struct quantile_p2 *s, double p, double x);
/* Estimate of the p-quantile; exact (linear interpolation) up to 5 samples. */
double quantile_get(const struct quantile_p2 *s, double p);

void rtt_stats_add(struct rtt_stats *s, double ms);
/* Median estimate; exact for up to five samples. 0 when there are none. */
double rtt_stats_p50(const struct rtt_stats *s);

#endif
