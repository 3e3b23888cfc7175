/*
 * report/metrics.h — Prometheus exposition text (format 0.0.4) from the
 * analyzer's totals, for fleets watched by a Prometheus they already run:
 *
 *   --metrics-file PATH   a node_exporter textfile-collector file, replaced
 *                         atomically (temp file + rename) every
 *                         --metrics-interval seconds live and at the end
 *   --metrics ADDR:PORT   a tiny HTTP/1.0 responder serving GET /metrics,
 *                         polled between capture batches (metrics_http.c)
 *
 * Metrics only read totals (analyzer_snapshot_totals while live,
 * analyzer_totals at the end): the analysis never sees them. Everything is
 * allocated in metrics_new; nothing per packet or per scrape.
 */
#ifndef TCPLENS_METRICS_H
#define TCPLENS_METRICS_H

#include <stddef.h>

#include "analyze/analyzer.h"
#include "capture/capture.h"

struct clickhouse_counters;  /* clickhouse_sink.h */
struct clickhouse_sink;

/* Upper bound of the text: 14 kinds x 25 words of findings plus the rest. */
#define METRICS_TEXT_MAX (96 * 1024)
#define METRICS_HTTP_SLOTS 4       /* scrapes served at once */

/* Capture statistics on demand (kernel drops); returns 0 or -1. */
typedef int (*metrics_stats_fn)(void *user, struct capture_stats *out);

#define METRICS_LABELS_MAX 768

struct metrics_config {
	const char *listen;        /* "ADDR:PORT", "[V6ADDR]:PORT" or NULL */
	const char *file;          /* textfile path or NULL */
	double interval_s;         /* live: seconds between file writes (> 0) */
	metrics_stats_fn stats;
	void *stats_user;
	/* The labels every series carries, telling hosts apart in one
	 * Prometheus: host (NULL: the hostname), interface (NULL: none, a
	 * capture file) and engine ("tpacket3", "pcap", "nfqueue", "file"). */
	const char *host, *interface, *engine;
};

/* The numbers one exposition is made of (filled by metrics_render's callers). */
struct metrics_input {
	const struct analyzer_totals *t;
	const struct capture_stats *cs;  /* NULL or kernel_drops_known = 0: no drops metric */
	size_t flows_open;
	const char *labels;              /* host="...",... (escaped), or NULL / "" */
	const struct clickhouse_counters *ch;  /* --clickhouse's sink, or NULL */
};

/* Exposition text of in into buf (NUL-terminated). Returns its length, or
 * -1 when it would not fit (never with METRICS_TEXT_MAX). Deterministic:
 * the same totals give the same bytes. */
int metrics_render(const struct metrics_input *in, char *buf, size_t len);

/* Write text to path atomically: PATH.tmp.PID in the same directory, then
 * rename(2) over path (node_exporter never reads a half-written file; the
 * temporary name does not end in .prom, so it is never collected).
 * text NULL: only check that the temporary file can be created.
 * Returns 0, or -1 with err set. */
int metrics_write_file(const char *path, const char *text, size_t n, char *err, size_t errlen);

struct metrics;

/* Open the listening socket (bound only to the address given, non-blocking)
 * and allocate every buffer. Call before dropping privileges. NULL with err. */
struct metrics *metrics_new(const struct metrics_config *cfg, char *err, size_t errlen);
/* Between capture batches (live): answers waiting scrapes and writes the
 * file when the interval passed. Never blocks; reads the monotonic clock and
 * does nothing more when called again within 20 ms. Returns 0, or -1 with
 * err set when the file cannot be written (the capture goes on). */
int metrics_tick(struct metrics *m, const struct analyzer *an, char *err, size_t errlen);
/* The end of the run: the file from the final totals (offline and live).
 * Returns 0, or -1 with err set. */
int metrics_finish(struct metrics *m, const struct analyzer *an, const struct capture_stats *cs,
		   char *err, size_t errlen);
void metrics_free(struct metrics *m);
/* --clickhouse: its sink's counters (rows sent, dropped, retries, spool
 * bytes) join every exposition from now on. */
void metrics_set_clickhouse(struct metrics *m, struct clickhouse_sink *ch);

/* The HTTP side (metrics_http.c), used by metrics.c. */
struct metrics_http;
struct metrics_http *metrics_http_new(const char *listen, char *err, size_t errlen);
/* Accept and advance connections without blocking. render is called (at
 * most once per call) when a request needs the text; it returns the text
 * and its length, or NULL. */
typedef const char *(*metrics_render_fn)(void *user, size_t *n);
void metrics_http_poll(struct metrics_http *h, metrics_render_fn render, void *user);
void metrics_http_free(struct metrics_http *h);

#endif
