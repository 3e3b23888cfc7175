/*
 * cli/options.h — the command line of ../shared/design.md, parsed into one
 * struct. Parsing never exits: it returns an error message for main() to print.
 */
#ifndef TCPLENS_OPTIONS_H
#define TCPLENS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct options {
	const char *read_file;     /* -r */
	const char *interface;     /* -i (not built yet) */
	const char *out_path;      /* -o */
	int format;                /* enum report_format, or -1 = from -o or text */
	char *filter;              /* BPF expression from the trailing words (owned) */
	uint64_t count;            /* -c: stop after COUNT frames, 0 = all */
	size_t max_flows;
	uint32_t max_events;
	int quiet;
	int help, version;
};

/* Parse argv into o. Returns 0, or -1 with a message in err. */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
void options_free(struct options *o);
void options_usage(FILE *out);

#endif
