/*
 * report/baseline_run.h — one comparison from end to end, as `tcplens diff`
 * and --baseline run it: --tolerance specs -> config, two reports read,
 * compared, the result printed. Messages go to stderr ("tcplens: ...");
 * the result is an exit status.
 */
#ifndef TCPLENS_BASELINE_RUN_H
#define TCPLENS_BASELINE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "baseline.h"
#include "report_digest.h"

/* Exit statuses: within tolerance, a regression, an error (unreadable
 * report, another schema, a bad tolerance). */
#define BASELINE_OK 0
#define BASELINE_REGRESSED 1
#define BASELINE_ERROR 2

/* Differences listed in a text comparison. */
#define BASELINE_TEXT_ITEMS 40

/* The defaults, then each --tolerance spec. 0, or -1 (printed). */
int baseline_config_from(struct baseline_config *c, const char *const *tol, size_t ntol);

/* Compare two digests and print (JSON or text) to out: an exit status. */
int baseline_compare_print(struct report_digest *old, struct report_digest *cur,
			   const struct baseline_config *cfg, bool json, FILE *out);

/* --baseline: the report just written against the saved one at
 * baseline_path. The new report is read from the stream report (rewound)
 * when not NULL, else from report_path (which names it in messages either
 * way). Returns an exit status. */
int baseline_run(const char *baseline_path, FILE *report, const char *report_path,
		 const char *const *tolerances, size_t ntol, bool json, FILE *out);

#endif
