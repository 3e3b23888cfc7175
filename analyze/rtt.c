/*
 * analyze/rtt.c — P-square median (see rtt.h).
 */
#include "rtt.h"

#include <stdint.h>
#include <string.h>

static void sort5(double *v, uint32_t k)
{
	for (uint32_t i = 1; i < k; i++) {
		double x = v[i];
		uint32_t j = i;
		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

static double parabolic(const double *q, const int32_t *ni, int i, double d)
{
	const double n[5] = {ni[0], ni[1], ni[2], ni[3], ni[4]};
	return q[i] + d / (n[i + 1] - n[i - 1]) *
			      ((n[i] - n[i - 1] + d) * (q[i + 1] - q[i]) / (n[i + 1] - n[i]) +
			       (n[i + 1] - n[i] - d) * (q[i] - q[i - 1]) / (n[i] - n[i - 1]));
}

/* One P-square step over markers q (heights) and n (positions) after count
 * samples (count already includes x). */
static void p2_step(double *q, int32_t *n, uint32_t count, double p, double x)
{
	int k;
	if (x < q[0]) {
		q[0] = x;
		k = 0;
	} else if (x >= q[4]) {
		q[4] = x;
		k = 3;
	} else {
		for (k = 0; k < 3 && x >= q[k + 1]; k++)
			;
	}
	for (int i = k + 1; i < 5; i++)
		n[i] += 1;
	double total = count - 1;
	const double want[5] = {0, total * p / 2, total * p, total * (1 + p) / 2, total};
	for (int i = 1; i < 4; i++) {
		double d = want[i] - n[i];
		if ((d >= 1 && n[i + 1] - n[i] > 1) || (d <= -1 && n[i - 1] - n[i] < -1)) {
			int isign = d > 0 ? 1 : -1;
			double sign = isign;
			double qp = parabolic(q, n, i, sign);
			if (q[i - 1] < qp && qp < q[i + 1])
				q[i] = qp;
			else {
				int j = i + isign;
				q[i] += sign * (q[j] - q[i]) / (double)(n[j] - n[i]);
			}
			n[i] += isign;
		}
	}
}

static void p2_add(double *q, int32_t *n, uint32_t *count, double p, double x)
{
	if (*count < 5) {
		q[(*count)++] = x;
		sort5(q, *count);
		if (*count == 5)
			for (int i = 0; i < 5; i++)
				n[i] = i;
		return;
	}
	if (*count >= INT32_MAX) /* positions are int32: the estimate is settled */
		return;
	(*count)++;
	p2_step(q, n, *count, p, x);
}

static double p2_get(const double *q, uint32_t count, double p)
{
	if (count == 0)
		return 0;
	if (count <= 5) {
		double pos = (count - 1) * p;
		uint32_t lo = (uint32_t)pos;
		double frac = pos - lo;
		return lo + 1 < count ? q[lo] + frac * (q[lo + 1] - q[lo]) : q[lo];
	}
	return q[2];
}

void quantile_add(struct quantile_p2 *s, double p, double x)
{
	p2_add(s->q, s->n, &s->count, p, x);
}

double quantile_get(const struct quantile_p2 *s, double p)
{
	return p2_get(s->q, s->count, p);
}

void rtt_stats_add(struct rtt_stats *s, double ms)
{
	if (s->count == 0 || ms < s->min_ms)
		s->min_ms = ms;
	if (s->count == 0 || ms > s->max_ms)
		s->max_ms = ms;
	p2_add(s->q, s->n, &s->count, 0.5, ms);
}

double rtt_stats_p50(const struct rtt_stats *s)
{
	return p2_get(s->q, s->count, 0.5);
}
