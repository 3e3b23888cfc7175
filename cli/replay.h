/*
 * cli/replay.h — regression replay on the command line:
 *
 *   tcplens diff A.json B.json          compare two saved reports
 *   tcplens check DIR [--update]        every capture in DIR against its saved report
 *   tcplens -r CAPTURE --baseline OLD.json   (main.c calls replay_baseline)
 *
 * The comparison itself is report/baseline.c. These functions print their
 * output and messages and return an exit status for main() to return:
 * 0 within tolerance, 1 regression, 2 error (unreadable report, another
 * schema, usage).
 */
#ifndef TCPLENS_REPLAY_H
#define TCPLENS_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define REPLAY_OK 0
#define REPLAY_REGRESSED 1
#define REPLAY_ERROR 2

/* Is word ("diff", "check") a replay command? */
bool replay_is_command(const char *word);

/* Run a replay command: argv[0] is the command word. Returns an exit status. */
int replay_command(int argc, char **argv);

/* Check --tolerance specs as options.c receives them: 0, or -1 with err. */
int replay_tolerance_check(const char *spec, char *err, size_t errlen);

/* --baseline: compare the report just written with the saved one. The new
 * report is read from the stream report (rewound) when not NULL, else from
 * report_path. tolerances: ntol --tolerance specs. json: output as JSON.
 * Writes the comparison to out; returns an exit status. */
int replay_baseline(const char *baseline_path, FILE *report, const char *report_path,
		    const char *const *tolerances, size_t ntol, bool json, FILE *out);

#endif
