/*
 * report/clickhouse_sink.h — --clickhouse URL: every final event and ended
 * flow as a row in ClickHouse (tables events and flows of the URL's
 * database; deploy/clickhouse/schema.sql), sent while the capture runs.
 *
 * A tee in the analyzer's sink, in front of the report writer (as annot.h's
 * is): the analysis thread formats the row (clickhouse_rows.h: into memory,
 * no allocation) and appends it to its table's bounded in-memory ring
 * under a mutex (once per row), with one condition-variable signal (a
 * futex call) per batch's worth; when the ring is full the row is dropped
 * and counted (by table), never waited for. One sender thread takes rows
 * out in batches per table (a quarter of the table's half of the spool,
 * 4 KiB..1 MiB, or what waited 1 s) and POSTs them (clickhouse_http.h).
 * Each table has its own ring, batch and backoff. A batch that fails for a
 * connection, a server or a configuration error (a missing table, a wrong
 * password: said once, with what to do) is kept and sent again with a
 * capped backoff (0.1 s doubling to 5 s), so a ClickHouse restart loses
 * nothing while the spool holds what arrives meanwhile; one refused 3
 * times for its rows (a parse error) is split down to the rows ClickHouse
 * refuses, which are dropped and counted as rejected. Warnings are
 * rate-limited (one per 10 s), show ClickHouse's first line of error text
 * and the URL without its password; nothing here ends the run.
 *
 * Delivery is at least once: a server that dies after storing a batch and
 * before answering gets that batch again.
 */
#ifndef TCPLENS_CLICKHOUSE_SINK_H
#define TCPLENS_CLICKHOUSE_SINK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

#define CLICKHOUSE_SPOOL_MB_DEFAULT 64
#define CLICKHOUSE_FLUSH_TIMEOUT_DEFAULT 10.0

enum clickhouse_table { CLICKHOUSE_EVENTS = 0, CLICKHOUSE_FLOWS, CLICKHOUSE_TABLES };

struct clickhouse_config {
	const char *url;            /* ClickHouse's HTTP interface, ?database=DB */
	double spool_mb;            /* the spool's bound in MiB (0: the default) */
	double flush_timeout_s;     /* at the end, how long to keep trying (0: the default) */
	const char *host;           /* the host column (NULL: the hostname) */
	const char *source_kind, *source_name;  /* the capture, for every row */
	bool no_warnings;           /* while the TUI has the terminal, or -q */
	bool quiet;                 /* -q: the final line only when rows were lost */
	/* The stop signals received so far (SIGINT, SIGTERM), or NULL: one more
	 * during the final flush abandons it at once, its rows counted as
	 * dropped. */
	const volatile sig_atomic_t *signals;
};

/* What the sink did so far (any thread). */
struct clickhouse_counters {
	uint64_t sent[CLICKHOUSE_TABLES];     /* rows ClickHouse accepted */
	uint64_t dropped[CLICKHOUSE_TABLES];  /* rows lost: spool full, or undelivered at the end */
	uint64_t rejected[CLICKHOUSE_TABLES]; /* rows ClickHouse refused (a data error), dropped */
	uint64_t retried;                     /* POSTs that failed and were tried again */
	uint64_t spool_bytes;                 /* waiting to be sent */
};

struct clickhouse_sink;

/* Check the URL, allocate the spool and start the sender thread (with every
 * signal blocked). NULL with err set. */
struct clickhouse_sink *clickhouse_sink_new(const struct clickhouse_config *cfg, char *err,
					    size_t errlen);
/* Put s in front of sink: events and flow ends become rows, then go on to
 * what sink pointed to. sink->damaged and sink->segment are left alone. */
void clickhouse_sink_tee(struct clickhouse_sink *s, struct analyzer_sink *sink);
/* The analysis is over: send what is left, trying until the flush timeout
 * or a signal (cfg.signals), stop the thread and say on stderr what was
 * sent, retried and dropped (rows still unsent count as dropped).
 * Idempotent. */
void clickhouse_sink_finish(struct clickhouse_sink *s);
void clickhouse_sink_counters(struct clickhouse_sink *s, struct clickhouse_counters *out);
/* Finishes first if clickhouse_sink_finish was not called. */
void clickhouse_sink_free(struct clickhouse_sink *s);

#endif
