/*
 * cli/options.h — the command line (README, man page), parsed into the
 * pipeline's config (pipeline/pipeline.h) plus --help and --version.
 * Parsing never exits: it returns an error message for main() to print.
 */
#ifndef TCPLENS_OPTIONS_H
#define TCPLENS_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "analyze/sharded.h" /* SHARDED_MAX */
#include "pipeline/pipeline.h"

#define OPT_THREADS_MAX (SHARDED_MAX + 1) /* the reader + the most shards */

struct options {
	struct pipeline_config run;   /* what to run (filter owned) */
	int help, version;
};

/* Parse argv into o. Returns 0, or -1 with a message in err. */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
void options_free(struct options *o);
void options_usage(FILE *out);

#endif
