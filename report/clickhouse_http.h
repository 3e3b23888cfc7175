/*
 * report/clickhouse_http.h — INSERTs into ClickHouse's HTTP interface
 * through libcurl, for clickhouse_sink.c's sender thread: one POST per
 * batch (`INSERT INTO events FORMAT JSONEachRow` in the query string, the
 * rows as the body), each on a connection of its own (see FORBID_REUSE).
 * The INSERT URL adds input_format_skip_unknown_fields=1: a column the
 * table lacks (a newer tcplens, an older schema.sql) is left out, the rest
 * of the row stored.
 *
 * The URL is ClickHouse's (http://127.0.0.1:8123/?database=tcplens; user
 * and password as its `user` and `password` parameters, or the password in
 * the environment, TCPLENS_CLICKHOUSE_PASSWORD, sent as X-ClickHouse-Key
 * with the URL's user as X-ClickHouse-User, so that it is not on the
 * command line): the tables are that database's events and flows. Messages
 * show the URL through clickhouse_http_url, its password as ***. Used from
 * one thread at a time.
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
/* From another thread: shut down the connection of a request in flight,
 * so that it fails now (with the abort flag set: before it is retried). */
void clickhouse_http_interrupt(struct clickhouse_http *h);
/* What an attempt came to, from the transport, the HTTP status and
 * ClickHouse's error code (the answer's "Code: N, e.displayText() = ...",
 * or the X-ClickHouse-Exception-Code header of later versions). */
enum clickhouse_outcome {
	CH_OK = 0,
	CH_FAIL_CONNECTION,  /* no answer: refused, reset, a timeout; retried */
	CH_FAIL_SERVER,      /* a server error without a data error code (5xx...): retried */
	CH_FAIL_CONFIG,      /* unknown database or table, authentication, access: retried, said once */
	CH_FAIL_DATA,        /* the rows: a parse error, a type mismatch, an unknown field */
};

struct clickhouse_answer {
	long status;         /* HTTP status, 0 without an answer */
	int code;            /* ClickHouse's error code, 0 when none */
	uint64_t row;        /* a data error's "(at row N)", 1-based; 0 when not said */
	char err[1024];      /* the transport's error or the status and the answer's first line */
};

/* The class of ClickHouse error code (CH_FAIL_SERVER when unknown). */
enum clickhouse_outcome clickhouse_code_class(int code, const char *text);
/* POST body (len bytes of rows) into table index t. timeout_ms bounds the
 * whole request. CH_OK on HTTP 200, else the failure's class with a
 * filled in. */
enum clickhouse_outcome clickhouse_http_insert(struct clickhouse_http *h, size_t t, const char *body,
					       size_t len, long timeout_ms, struct clickhouse_answer *a);
/* `SELECT 1 FROM <table> LIMIT 0` (the URL's database): whether table
 * index t exists and the user may read it, before any row is sent. */
enum clickhouse_outcome clickhouse_http_probe(struct clickhouse_http *h, size_t t, long timeout_ms,
					      struct clickhouse_answer *a);
/* The URL for messages: a password in it (userinfo, password=) as ***. */
const char *clickhouse_http_url(const struct clickhouse_http *h);
void clickhouse_http_free(struct clickhouse_http *h);

#endif
