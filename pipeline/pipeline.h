/*
 * pipeline/pipeline.h — one run of tcplens, in every mode:
 *
 *   source (file, pcap live, TPACKET_V3, NFQUEUE)
 *     -> reading mode (frame by frame, batched, read ahead, sharded)
 *     -> analyzer
 *     -> subscribers, in this order: -w's recorder, the TUI, the report
 *        writer, and --clickhouse's rows; then, polled, the Prometheus
 *        metrics; after the run, the
 *        --baseline comparison and -w's second pass.
 *
 * cli/main.c, `tcplens check`, the fuzz harnesses and the tests all run
 * through here, so the wiring exists once. The report depends only on the
 * packets: every reading mode and thread count gives the same bytes (the
 * caps split between shards are the one exception: pipeline_run says so).
 *
 * Nothing here exits; messages go to stderr as "tcplens: ...".
 */
#ifndef TCPLENS_PIPELINE_H
#define TCPLENS_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/analyzer.h"
#include "capture/capture.h"

struct tui;

#define PIPELINE_MAX_TOLERANCES 16

/* Exit statuses: 0 ok; the --baseline comparison's 1 (a regression); 2 the
 * input or an output could not be used. */
#define PIPELINE_EXIT_INPUT 2

/* What to run: the command line of ../shared/design.md, parsed
 * (cli/options.c), or set by a program. Zero is the default for each field
 * except nfqueue (-1 = none) and format (-1 = from -o, else text). */
struct pipeline_config {
	const char *read_file;     /* -r, "-" = standard input */
	const char *interface;     /* -i */
	const char *engine;        /* --engine tpacket3|pcap, NULL = default */
	int nfqueue;               /* --nfqueue N, -1 = not given */
	double duration;           /* --duration SECS, 0 = until stopped */
	const char *user;          /* -Z USER */
	int snaplen;               /* -s, 0 = default */
	unsigned ring_block_kib, ring_blocks, ring_timeout_ms;  /* tpacket3 ring */
	unsigned buffer_kib;       /* -B: the capture buffer (ring blocks from it), 0 = default */
	int no_offload_signature;  /* hidden, tests only: see analyzer_config */
	const char *out_path;      /* -o */
	FILE *out;                 /* instead of -o: the report's stream (not closed) */
	int format;                /* enum report_format, or -1 = from -o or text */
	char *filter;              /* the BPF expression */
	uint64_t count;            /* -c: stop after COUNT frames, 0 = all */
	size_t max_flows;
	uint32_t max_events;
	size_t max_held, max_rounds;  /* 0 = the analyzer's defaults */
	uint32_t max_held_per_flow;
	int threads;               /* --threads: 0 = auto, 1 = one, 2 = read ahead,
				    * N >= 3 = read ahead + N - 1 analysis shards */
	int quiet;                 /* -q: no warnings, no damaged-frame lines */
	int verbose;               /* -v: every damaged frame listed, not the first 20 */
	/* regression replay (report/baseline_run.h) and the annotated pcapng */
	const char *baseline;      /* --baseline OLD.json */
	const char *tolerance[PIPELINE_MAX_TOLERANCES]; /* --tolerance specs */
	size_t ntolerance;
	int compare_json;          /* --baseline: the comparison as JSON */
	const char *write_path;    /* -w OUT.pcapng */
	int write_flagged;         /* --write-flagged: only flows with findings */
	/* the interactive TUI and paced replay (tui/, pipeline/pace.h) */
	int tui;                   /* --tui 1, --no-tui 0, -1 = default (live on a terminal) */
	int replay;                /* --replay[=SPEED] given */
	double replay_speed;       /* 1 = recorded pace, 2 = twice as fast, 0 = max */
	/* Prometheus (report/metrics.h) */
	const char *metrics_listen;  /* --metrics ADDR:PORT (live only) */
	const char *metrics_file;    /* --metrics-file PATH (textfile collector) */
	double metrics_interval;     /* --metrics-interval SECS, 0 = default (15) */
	/* Both fleet outputs: the metrics' host label and the ClickHouse rows' host */
	const char *host;            /* --host NAME (alias --metrics-host), NULL: the hostname */
	/* ClickHouse (report/clickhouse_sink.h) */
	const char *clickhouse_url;      /* --clickhouse URL (HTTP interface, ?database=DB) */
	double clickhouse_spool_mb;      /* --clickhouse-spool MB, 0 = default (64) */
	double clickhouse_flush_timeout; /* --clickhouse-flush-timeout SECS, 0 = default (10) */
	/* When set, the message that ends a run early goes here instead of
	 * stderr (`tcplens check` puts it in its table). */
	char *err;
	size_t errlen;
};

/* A config with every field at its default. */
void pipeline_config_init(struct pipeline_config *c);

/* Open the source, analyze it to the end (or -c, --duration, a signal, q in
 * the TUI), write the report and whatever else cfg asks for. Returns an
 * exit status (above). */
int pipeline_run(const struct pipeline_config *cfg);

/*
 * The same analyzer and report writer for frames that come from no capture
 * source (the fuzz harnesses build them in memory, the TUI's tests read a
 * sample): begin, a packet at a time, end. Only the report (cfg->out or -o,
 * format, caps) is used, and with cfg->tui = 1 the TUI's subscriber, bound
 * in front of it as pipeline_run binds it but without the terminal.
 */
struct pipeline;
struct pipeline_source_info {
	const char *kind, *name;   /* "file", "fuzz": copied, the caller's may go */
	int linktype;
	enum ts_precision precision;
};
struct pipeline *pipeline_begin(const struct pipeline_config *cfg,
				const struct pipeline_source_info *si, char *err, size_t errlen);
void pipeline_packet(struct pipeline *p, const struct pkt_record *rec);
const struct analyzer *pipeline_analyzer(const struct pipeline *p);
struct tui *pipeline_tui(const struct pipeline *p);   /* NULL unless cfg->tui = 1 */
/* The end of the capture for the analysis (flows still open end), before
 * pipeline_end writes the report: what the TUI browses after a capture. */
void pipeline_finish_analysis(struct pipeline *p);
/* End of the frames: the analysis ends, the report is written (cs: what the
 * source counted). Frees p. 0, or -1 with err set. */
int pipeline_end(struct pipeline *p, const struct capture_stats *cs, char *err, size_t errlen);

#endif
