/*
 * report/clickhouse_rows.h — the rows tcplens sends to ClickHouse
 * (clickhouse_sink.h): one JSONEachRow line per final event (table
 * `events`) and one per ended flow (table `flows`), with the columns of
 * deploy/clickhouse/schema.sql.
 *
 * Why rows of their own and not the --format jsonl lines: a JSONL line
 * nests its flow under "flow" and carries no host, and Debian's ClickHouse
 * (18.16) imports no nested objects through JSONEachRow. So each row is
 * flat and says which host and capture it comes from.
 *
 * Columns are named after the JSON report's keys, a nested key joined by
 * '_' (rtt_ms.p50 -> rtt_ms_p50, c2s.csum_bad -> c2s_csum_bad). An event's
 * payload follows analyze/findings.def: every numeric field under its JSON
 * key (written only when the event has it: NULL in ClickHouse otherwise),
 * the field holding the kind's enumerated word (cause, side, fate, limit,
 * filled_by) as `cause`. Numbers are written as the JSON report writes them
 * (durations with three decimals, null where it writes null), so the two
 * agree to the digit, but for the fields the JSON writes as other than
 * numbers: found and expected (HEX16: the JSON's "0x1c46", here 7238) and
 * synack (BOOL: the JSON's true/false, here 1/0), for UInt16 and UInt8
 * columns (docs/clickhouse.md says so per column).
 *
 * No allocation and no system call per row: rows go through the caller's
 * jw (report/jw.h) on the caller's FILE.
 */
#ifndef TCPLENS_CLICKHOUSE_ROWS_H
#define TCPLENS_CLICKHOUSE_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "jw.h"

/* The columns every row of one run shares (host, source_kind, source_name,
 * run), encoded once as JSON text: `,"host":"db-1",...`. run tells one
 * run's flow ids from another's (they restart at 1): the wall clock in ns
 * when the run began. */
struct clickhouse_origin {
	char *text;
	size_t len;
};

/* Encode host (the --host name), kind ("file", "tpacket3"...), name (the
 * file or interface) and run. 0, or -1 when out of memory. */
int clickhouse_origin_init(struct clickhouse_origin *o, const char *host, const char *kind,
			   const char *name, uint64_t run);
void clickhouse_origin_free(struct clickhouse_origin *o);

/* One row, newline included, through w (jw_init'ed by the caller; the
 * caller flushes). f is NULL for an event outside any flow. */
void clickhouse_row_event(struct jw *w, const struct clickhouse_origin *o, const struct flow *f,
			  const struct finding_event *ev);
void clickhouse_row_flow(struct jw *w, const struct clickhouse_origin *o, const struct flow *f,
			 enum flow_retire_reason why);

#endif
