/*
 * analyze/rtt.c — P-square median (see rtt.h).
 */
#include "rtt.h"

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

static double parabolic(const struct rtt_stats *s, int i, double d)
{
	const double *q = s->q, *n = s->n;
	return q[i] + d / (n[i + 1] - n[i - 1]) *
			      ((n[i] - n[i - 1] + d) * (q[i + 1] - q[i]) / (n[i + 1] - n[i]) +
			       (n[i + 1] - n[i] - d) * (q[i] - q[i - 1]) / (n[i] - n[i - 1]));
}

void rtt_stats_add(struct rtt_stats *s, double ms)
{
	if (s->count == 0 || ms < s->min_ms)
		s->min_ms = ms;
	if (s->count == 0 || ms > s->max_ms)
		s->max_ms = ms;
	if (s->count < 5) {
		s->q[s->count++] = ms;
		sort5(s->q, s->count);
		if (s->count == 5)
			for (int i = 0; i < 5; i++)
				s->n[i] = i;
		return;
	}
	s->count++;
	int k;
	if (ms < s->q[0]) {
		s->q[0] = ms;
		k = 0;
	} else if (ms >= s->q[4]) {
		s->q[4] = ms;
		k = 3;
	} else {
		for (k = 0; k < 3 && ms >= s->q[k + 1]; k++)
			;
	}
	for (int i = k + 1; i < 5; i++)
		s->n[i] += 1;
	double total = s->count - 1;
	const double want[5] = {0, total / 4, total / 2, 3 * total / 4, total};
	for (int i = 1; i < 4; i++) {
		double d = want[i] - s->n[i];
		if ((d >= 1 && s->n[i + 1] - s->n[i] > 1) || (d <= -1 && s->n[i - 1] - s->n[i] < -1)) {
			double sign = d > 0 ? 1 : -1;
			double qp = parabolic(s, i, sign);
			if (s->q[i - 1] < qp && qp < s->q[i + 1])
				s->q[i] = qp;
			else {
				int j = i + (int)sign;
				s->q[i] += sign * (s->q[j] - s->q[i]) / (s->n[j] - s->n[i]);
			}
			s->n[i] += sign;
		}
	}
}

double rtt_stats_p50(const struct rtt_stats *s)
{
	if (s->count == 0)
		return 0;
	if (s->count < 5) {
		double v[5];
		memcpy(v, s->q, sizeof(v));
		return (s->count & 1) ? v[s->count / 2] : (v[s->count / 2 - 1] + v[s->count / 2]) / 2;
	}
	if (s->count == 5)
		return s->q[2];
	return s->q[2];
}
