/*
 * report/baseline.h — regression replay: compare a report with a saved one
 * (both boiled down by report_digest.c) and say what appeared, disappeared
 * and changed, each judged against a tolerance.
 *
 * Compared, capture-wide: finding counts by kind and cause (summary.events,
 * broken down by the events' cause words), stalled time by cause, capture
 * loss; per flow: retransmissions, stalled time by cause, initial windows,
 * cc guess, capture loss.
 *
 * Flows are matched across runs without client ports (they change from run
 * to run): first by (protocol, server address:port, client address) in order
 * of appearance (first_ts, then id), the n-th with the n-th; the flows left
 * over then by (protocol, server address:port) alone, again in order. Flows
 * still unmatched are listed as appeared or disappeared (not regressions by
 * themselves: their findings show in the capture-wide counts).
 *
 * A change is beyond tolerance when |new - old| > max(abs, rel x old). It is
 * a regression when it is beyond tolerance and for the worse: more findings
 * (of a kind that is not harmless: not severity info, not an app_idle stall),
 * more stalled time (app_idle aside), more retransmissions or capture loss, a
 * smaller initial window, a different cc guess between two known algorithms.
 */
#ifndef TCPLENS_BASELINE_H
#define TCPLENS_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report_digest.h"

enum bl_metric {
	BL_EVENTS = 0,        /* finding counts by kind and cause */
	BL_STALL_MS,          /* stalled time by cause */
	BL_RETRANS,           /* retransmissions */
	BL_IW,                /* initial window, segments */
	BL_CC,                /* cc guess */
	BL_CAPTURE_LOSS,      /* bytes the capture missed */
	BL_TOL_COUNT,         /* metrics above take a tolerance */
	BL_FLOWS = BL_TOL_COUNT, /* a flow appeared or disappeared (never a regression) */
};

struct bl_tol {
	double rel;           /* fraction of the baseline value */
	double abs;           /* in the metric's unit */
	bool off;             /* not compared */
};

struct baseline_config {
	struct bl_tol tol[BL_TOL_COUNT];
};

enum bl_change { BL_APPEARED, BL_DISAPPEARED, BL_CHANGED };

#define BL_WHAT_LEN 64

/* One difference beyond tolerance. */
struct bl_item {
	enum bl_metric metric;
	enum bl_change change;
	bool regression;
	bool worse;           /* for the worse (a regression if also harmful) */
	bool categorical;     /* old_s/new_s hold the values (cc guess) */
	char what[BL_WHAT_LEN];  /* "stall (rto)", "stalled ms (rto)", "initial window c2s" */
	const char *unit;     /* "", "ms", "bytes", "segments" */
	double old_v, new_v, allowed;
	char old_s[DIGEST_WORD_LEN], new_s[DIGEST_WORD_LEN];
	int flow_old, flow_new;  /* indexes into the digests' flows; -1 = capture-wide */
	double score;         /* how far beyond tolerance, for ordering */
};

struct baseline_result {
	const struct report_digest *old, *cur;
	struct bl_item *items;  /* regressions first, then worst first */
	size_t n, cap;
	size_t regressions;
	size_t within;          /* differences inside their tolerance */
	size_t flows_matched, flows_appeared, flows_disappeared;
};

/* The defaults: events 10%, stall_ms 10%+20 (ms), retransmissions 10%,
 * initial_window 0, cc_guess on, capture_loss 10%. */
void baseline_config_init(struct baseline_config *c);

/* Apply "NAME=SPEC[,NAME=SPEC...]" where SPEC is "off", "R%", "A" or
 * "R%+A" (whichever allows more). 0, or -1 with err naming the fault. */
int baseline_tolerance_parse(struct baseline_config *c, const char *spec, char *err, size_t errlen);

/* "events=10%, stall_ms=10%+20, ..." */
void baseline_tolerance_describe(const struct baseline_config *c, char *buf, size_t len);
const char *baseline_metric_name(enum bl_metric m);

/* Compare cur with the baseline old. Matches flows (writes their match and
 * nth fields). 0, or -1 when out of memory. Free res with
 * baseline_result_free(). */
int baseline_compare(struct report_digest *old, struct report_digest *cur,
		     const struct baseline_config *cfg, struct baseline_result *res);
void baseline_result_free(struct baseline_result *res);

/* Output (baseline_out.c). At most max_items differences are listed (0 = all).
 * Return 0, or -1 on a write error. */
int baseline_print_text(FILE *out, const struct baseline_result *res,
			const struct baseline_config *cfg, size_t max_items);
int baseline_print_json(FILE *out, const struct baseline_result *res,
			const struct baseline_config *cfg);
/* "flow 10.0.0.1:40000 -> 10.0.0.2:80 (2nd to its server; id 3 -> 4)" */
void baseline_item_scope(const struct baseline_result *res, const struct bl_item *it, char *buf,
			 size_t len);

#endif
