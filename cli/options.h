/*
 * cli/options.h — the command line of ../shared/design.md, parsed into one
 * struct. Parsing never exits: it returns an error message for main() to print.
 */
#ifndef TCPLENS_OPTIONS_H
#define TCPLENS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/sharded.h" /* SHARDED_MAX */

#define OPTIONS_MAX_TOLERANCES 16

#define OPT_THREADS_MAX (SHARDED_MAX + 1) /* the reader + the most shards */

struct options {
	const char *read_file;     /* -r */
	const char *interface;     /* -i */
	const char *engine;        /* --engine tpacket3|pcap, NULL = default */
	int nfqueue;               /* --nfqueue N, -1 = not given */
	double duration;           /* --duration SECS, 0 = until stopped */
	const char *user;          /* -Z USER */
	int snaplen;               /* -s, 0 = default */
	unsigned ring_block_kib, ring_blocks, ring_timeout_ms;  /* tpacket3 ring */
	int no_offload_signature;  /* hidden, tests only: see analyzer_config */
	const char *out_path;      /* -o */
	int format;                /* enum report_format, or -1 = from -o or text */
	char *filter;              /* BPF expression from the trailing words (owned) */
	uint64_t count;            /* -c: stop after COUNT frames, 0 = all */
	size_t max_flows;
	uint32_t max_events;
	size_t max_held, max_rounds;  /* 0 = the analyzer's defaults */
	uint32_t max_held_per_flow;
	int threads;               /* --threads: 0 = auto, 1 = one, 2 = read ahead,
				    * N >= 3 = read ahead + N - 1 analysis shards */
	int quiet;
	int help, version;
	/* regression replay (replay.h) and the annotated pcapng */
	const char *baseline;      /* --baseline OLD.json */
	const char *tolerance[OPTIONS_MAX_TOLERANCES]; /* --tolerance specs */
	size_t ntolerance;
	int compare_json;          /* --baseline: the comparison as JSON */
	const char *write_path;    /* -w OUT.pcapng */
	int write_flagged;         /* --write-flagged: only flows with findings */
	/* the interactive TUI and paced replay (tui/) */
	int tui;                   /* --tui 1, --no-tui 0, -1 = default (live on a terminal) */
	int replay;                /* --replay[=SPEED] given */
	double replay_speed;       /* 1 = recorded pace, 2 = twice as fast, 0 = max */
	/* Prometheus (report/metrics.h) */
	const char *metrics_listen;  /* --metrics ADDR:PORT (live only) */
	const char *metrics_file;    /* --metrics-file PATH (textfile collector) */
	double metrics_interval;     /* --metrics-interval SECS, 0 = default (15) */
};

/* Parse argv into o. Returns 0, or -1 with a message in err. */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
void options_free(struct options *o);
void options_usage(FILE *out);

#endif
