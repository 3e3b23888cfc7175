/*
 * tests/unit/test_rtt.c — analyze/rtt.c: min, max, the P-square median and
 * the P-square estimate of any quantile. Exact for up to five samples; on
 * larger inputs the estimate is compared with the true quantile of the same
 * samples (sorted here), within a tolerance set from the distribution's
 * spread.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/rtt.h"
#include "pktbuild.h"

static struct rtt_stats feed(const double *v, size_t n)
{
	struct rtt_stats s;
	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < n; i++)
		rtt_stats_add(&s, v[i]);
	return s;
}

Test(rtt, empty)
{
	struct rtt_stats s;
	memset(&s, 0, sizeof(s));
	cr_assert_eq(s.count, 0);
	cr_assert_float_eq(rtt_stats_p50(&s), 0.0, 1e-12);
}

Test(rtt, exact_up_to_five)
{
	static const struct {
		double v[5];
		size_t n;
		double median, min, max;
	} cases[] = {
		{{7.5}, 1, 7.5, 7.5, 7.5},
		{{9, 3}, 2, 6, 3, 9},
		{{30, 10, 20}, 3, 20, 10, 30},
		{{4, 1, 100, 2}, 4, 3, 1, 100},
		{{5, 1, 4, 2, 3}, 5, 3, 1, 5},
		{{50, 40, 30, 20, 10}, 5, 30, 10, 50},
		{{0.2, 0.2, 0.2, 9, 9}, 5, 0.2, 0.2, 9},
		{{1, 2, 3, 4, 1000}, 5, 3, 1, 1000},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rtt_stats s = feed(cases[i].v, cases[i].n);
		cr_assert_eq(s.count, cases[i].n);
		cr_assert_float_eq(rtt_stats_p50(&s), cases[i].median, 1e-12, "case %zu: %f", i,
				   rtt_stats_p50(&s));
		cr_assert_float_eq(s.min_ms, cases[i].min, 1e-12);
		cr_assert_float_eq(s.max_ms, cases[i].max, 1e-12);
	}
}

static double uniform(uint64_t *st)
{
	return (double)(pb_rand(st) >> 11) / 9007199254740992.0; /* [0, 1) */
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median, interquartile range, and the values ranks r below and above the
 * median's position, of v (copied). */
static void true_stats(const double *v, size_t n, size_t r, double *med, double *iqr,
		       double *lo, double *hi)
{
	double *c = malloc(n * sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	*med = n & 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	*iqr = c[3 * n / 4] - c[n / 4];
	size_t a = (n - 1) / 2, b = n / 2;
	*lo = c[a >= r ? a - r : 0];
	*hi = c[b + r < n ? b + r : n - 1];
	free(c);
}

enum dist { D_UNIFORM, D_NORMAL, D_EXP, D_LOGNORMAL, D_RTTLIKE, D_COUNT };

static double draw(enum dist d, uint64_t *st)
{
	switch (d) {
	case D_UNIFORM:
		return 10 + 90 * uniform(st);
	case D_NORMAL: {
		double s = 0;
		for (int i = 0; i < 12; i++)
			s += uniform(st);
		return 50 + 10 * (s - 6); /* Irwin-Hall: mean 50, sd 10 */
	}
	case D_EXP:
		return -20 * log(1 - uniform(st));
	case D_LOGNORMAL: {
		double s = 0;
		for (int i = 0; i < 12; i++)
			s += uniform(st);
		return exp(1 + 0.5 * (s - 6));
	}
	case D_RTTLIKE:
		/* A 20 ms floor with queueing on top and rare 200 ms outliers. */
		return uniform(st) < 0.02 ? 200 + 100 * uniform(st) : 20 - 3 * log(1 - uniform(st));
	default:
		return 0;
	}
}

Test(rtt, p_square_close_to_true_median)
{
	static const size_t sizes[] = {6, 11, 50, 1000, 20000};
	static const char *names[] = {"uniform", "normal", "exponential", "lognormal", "rtt-like"};
	for (int d = 0; d < D_COUNT; d++)
		for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			size_t n = sizes[si];
			uint64_t st = 1000 + (uint64_t)d * 7 + si;
			double *v = malloc(n * sizeof(*v));
			for (size_t i = 0; i < n; i++)
				v[i] = draw((enum dist)d, &st);
			struct rtt_stats s = feed(v, n);
			/* P-square moves a marker only once it is a whole rank off
			 * its desired position: on few samples the estimate is a
			 * sample near the middle, not the mean of the two middle
			 * ones. So: within 1 + n/10 ranks of the median always,
			 * and within 5% of the interquartile range once n is
			 * large. */
			size_t r = 1 + n / 10;
			double med, iqr, lo, hi;
			true_stats(v, n, r, &med, &iqr, &lo, &hi);
			double est = rtt_stats_p50(&s);
			cr_assert(est >= lo && est <= hi,
				  "%s n=%zu: estimate %.4f outside ranks +-%zu [%.4f, %.4f]",
				  names[d], n, est, r, lo, hi);
			if (n >= 1000)
				cr_assert(fabs(est - med) <= 0.05 * iqr,
					  "%s n=%zu: estimate %.4f, true %.4f, iqr %.4f", names[d],
					  n, est, med, iqr);
			/* Min and max are exact. */
			double vmin = v[0], vmax = v[0];
			for (size_t i = 1; i < n; i++) {
				vmin = v[i] < vmin ? v[i] : vmin;
				vmax = v[i] > vmax ? v[i] : vmax;
			}
			cr_assert_float_eq(s.min_ms, vmin, 0);
			cr_assert_float_eq(s.max_ms, vmax, 0);
			cr_assert_eq(s.count, n);
			free(v);
		}
}

Test(rtt, sorted_and_constant_inputs)
{
	/* Ascending and descending runs, the hard order for marker updates. */
	struct rtt_stats up, down, flat;
	memset(&up, 0, sizeof(up));
	memset(&down, 0, sizeof(down));
	memset(&flat, 0, sizeof(flat));
	for (int i = 1; i <= 10001; i++) {
		rtt_stats_add(&up, i);
		rtt_stats_add(&down, 10002 - i);
		rtt_stats_add(&flat, 42.5);
	}
	/* True median 5001; IQR 5000: 10% is 500. */
	cr_assert(fabs(rtt_stats_p50(&up) - 5001) <= 500, "ascending: %f", rtt_stats_p50(&up));
	cr_assert(fabs(rtt_stats_p50(&down) - 5001) <= 500, "descending: %f",
		  rtt_stats_p50(&down));
	cr_assert_float_eq(rtt_stats_p50(&flat), 42.5, 1e-9);
	cr_assert_float_eq(up.min_ms, 1, 0);
	cr_assert_float_eq(up.max_ms, 10001, 0);
}

/* The worked example of Jain & Chlamtac (CACM 28(10), 1985, table I): 20
 * observations, and the markers the paper lists after the last one (heights
 * to two decimals, positions 1-based there). */
Test(rtt, the_papers_worked_example)
{
	static const double obs[20] = {0.02, 0.15, 0.74, 3.39,  0.83,  22.37, 10.15,
				       15.43, 38.62, 15.92, 34.60, 10.28, 1.47, 0.40,
				       0.05, 11.39, 0.27, 0.42, 0.09, 11.37};
	static const double paper_q[5] = {0.02, 0.49, 4.44, 17.20, 38.62};
	static const int paper_n[5] = {1, 6, 10, 16, 20};
	struct rtt_stats s;
	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < 20; i++)
		rtt_stats_add(&s, obs[i]);
	for (int i = 0; i < 5; i++) {
		cr_assert_float_eq(s.q[i], paper_q[i], 0.005, "marker %d: %f", i, s.q[i]);
		cr_assert_eq(s.n[i] + 1, paper_n[i], "marker %d at %d", i, s.n[i] + 1);
	}
	cr_assert_float_eq(rtt_stats_p50(&s), 4.44, 0.005);
}

/* Flows' statistics are kept side by side: one stream's estimate depends on
 * its own samples only, never on another's added in between (no state
 * outside the struct). */
Test(rtt, streams_independent)
{
	uint64_t st = 5;
	struct rtt_stats a, b, alone;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&alone, 0, sizeof(alone));
	for (size_t i = 0; i < 3000; i++) {
		double x = draw(D_RTTLIKE, &st), y = draw(D_RTTLIKE, &st) * 7 + 100;
		rtt_stats_add(&a, x);
		rtt_stats_add(&b, y);
		rtt_stats_add(&alone, x);
	}
	cr_assert(memcmp(&a, &alone, sizeof(a)) == 0);
	cr_assert(rtt_stats_p50(&b) > rtt_stats_p50(&a));
}

/* ---- any quantile ---- */

static double type7(const double *sorted, size_t n, double p)
{
	double pos = (double)(n - 1) * p;
	size_t lo = (size_t)pos;
	double frac = pos - (double)lo;
	return lo + 1 < n ? sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

Test(quantile, exact_up_to_five)
{
	/* Linear interpolation between order statistics at (n - 1) p. */
	static const struct {
		double v[5];
		uint32_t n;
		double p, want;
	} cases[] = {
		{{0}, 0, 0.5, 0},
		{{8}, 1, 0.99, 8},
		{{40, 10, 30, 20}, 4, 0.25, 17.5},   /* pos 0.75: 10 + 0.75 * 10 */
		{{40, 10, 30, 20}, 4, 0.5, 25},
		{{5, 4, 3, 2, 1}, 5, 0.9, 4.6},      /* pos 3.6 */
		{{5, 4, 3, 2, 1}, 5, 0.99, 4.96},    /* pos 3.96 */
		{{5, 4, 3, 2, 1}, 5, 0.1, 1.4},      /* pos 0.4 */
		{{1, 100}, 2, 0.99, 99.01},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct quantile_p2 q;
		memset(&q, 0, sizeof(q));
		for (uint32_t k = 0; k < cases[i].n; k++)
			quantile_add(&q, cases[i].p, cases[i].v[k]);
		cr_assert_float_eq(quantile_get(&q, cases[i].p), cases[i].want, 1e-9,
				   "case %zu: %f", i, quantile_get(&q, cases[i].p));
	}
}

Test(quantile, median_agrees_with_rtt_stats)
{
	uint64_t st = 11;
	struct quantile_p2 q;
	struct rtt_stats r;
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	for (int i = 0; i < 5000; i++) {
		double x = draw(D_EXP, &st);
		quantile_add(&q, 0.5, x);
		rtt_stats_add(&r, x);
		cr_assert_float_eq(quantile_get(&q, 0.5), rtt_stats_p50(&r), 1e-12);
	}
}

Test(quantile, close_to_true_quantiles)
{
	static const double ps[] = {0.05, 0.1, 0.25, 0.75, 0.9, 0.99};
	static const char *names[] = {"uniform", "normal", "exponential", "lognormal", "rtt-like"};
	const size_t n = 20000;
	double *v = malloc(n * sizeof(*v));
	double *sorted = malloc(n * sizeof(*v));
	for (int d = 0; d < D_COUNT; d++) {
		uint64_t st = 500 + (uint64_t)d;
		for (size_t i = 0; i < n; i++)
			v[i] = draw((enum dist)d, &st);
		memcpy(sorted, v, n * sizeof(*v));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
			double p = ps[k];
			struct quantile_p2 q;
			memset(&q, 0, sizeof(q));
			for (size_t i = 0; i < n; i++)
				quantile_add(&q, p, v[i]);
			double est = quantile_get(&q, p);
			/* Within the true (p - 1%) .. (p + 1%) quantiles. */
			double lo = type7(sorted, n, p - 0.01 > 0 ? p - 0.01 : 0);
			double hi = type7(sorted, n, p + 0.01 < 1 ? p + 0.01 : 1);
			cr_assert(est >= lo && est <= hi,
				  "%s p=%.2f: estimate %.4f, true %.4f, band [%.4f, %.4f]", names[d],
				  p, est, type7(sorted, n, p), lo, hi);
		}
	}
	free(v);
	free(sorted);
}
