/*
 * report/clickhouse_http.h — INSERTs into ClickHouse's HTTP interface
 * through libcurl, for clickhouse_sink.c's sender thread: one POST per
 * batch (`INSERT INTO events FORMAT JSONEachRow` in the query string, the
 * rows as the body), each on a connection of its own (see FORBID_REUSE).
 *
 * The URL is ClickHouse's (http://127.0.0.1:8123/?database=tcplens; user
 * and password as its `user` and `password` parameters): the tables are
 * that database's events and flows. Used from one thread at a time.
 */
#ifndef TCPLENS_CLICKHOUSE_HTTP_H
#define TCPLENS_CLICKHOUSE_HTTP_H

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

struct clickhouse_http;

/* Check url (http or https, a host) and prepare the INSERT URLs of the
 * given tables. NULL with err set. */
struct clickhouse_http *clickhouse_http_new(const char *url, const char *const *tables,
					    size_t ntables, char *err, size_t errlen);
/* Abort a transfer in progress when *abort_flag becomes nonzero (read by
 * libcurl's progress callback, about once a second and on every chunk). */
void clickhouse_http_abort_on(struct clickhouse_http *h, const atomic_int *abort_flag);
/* POST body (len bytes of rows) into table index t. timeout_ms bounds the
 * whole request. 0 on HTTP 200; -1 with err set: the transport's error, or
 * the HTTP status and the first line of ClickHouse's answer. */
int clickhouse_http_insert(struct clickhouse_http *h, size_t t, const char *body, size_t len,
			   long timeout_ms, char *err, size_t errlen);
void clickhouse_http_free(struct clickhouse_http *h);

#endif
