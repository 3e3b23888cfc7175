/*
 * cli/regress.h — regression replay on the command line:
 *
 *   tcplens diff A.json B.json          compare two saved reports
 *   tcplens check DIR [--update]        every capture in DIR against its saved report
 *
 * (`tcplens -r CAPTURE --baseline OLD.json` is the pipeline's: see
 * report/baseline_run.h.) The comparison itself is report/baseline.c. These
 * functions print their output and messages and return an exit status for
 * main() to return: BASELINE_OK (0) within tolerance, BASELINE_REGRESSED
 * (1), BASELINE_ERROR (2: an unreadable report, another schema, usage).
 */
#ifndef TCPLENS_REGRESS_H
#define TCPLENS_REGRESS_H

#include <stdbool.h>
#include <stddef.h>

/* Is word ("diff", "check") a regression command? */
bool regress_is_command(const char *word);

/* Run a regression command: argv[0] is the command word. Returns an exit status. */
int regress_command(int argc, char **argv);

/* Check --tolerance specs as options.c receives them: 0, or -1 with err. */
int regress_tolerance_check(const char *spec, char *err, size_t errlen);

#endif
