/*
 * cli/main.c — tcplens: the command line -> the pipeline (or a regression
 * command: diff, check). Only main() exits; everything it calls returns an
 * exit status.
 */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "pipeline/pipeline.h"
#include "regress.h"
#include "version.h"

int main(int argc, char **argv)
{
	if (argc > 1 && regress_is_command(argv[1]))
		return regress_command(argc - 1, argv + 1); /* tcplens diff | check */
	struct options opt;
	char err[512] = "";
	if (options_parse(argc, argv, &opt, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcplens: %s\n", err);
		options_free(&opt);
		return PIPELINE_EXIT_INPUT;
	}
	int status = 0;
	if (opt.help)
		options_usage(stdout);
	else if (opt.version)
		printf("tcplens %s\n", TCPLENS_VERSION);
	else
		status = pipeline_run(&opt.run);
	options_free(&opt);
	return status;
}
