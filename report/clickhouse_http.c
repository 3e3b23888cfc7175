/*
 * report/clickhouse_http.c — see clickhouse_http.h.
 */
#include "clickhouse_http.h"

#include <curl/curl.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CH_TABLES_MAX 4
#define CH_ANSWER_MAX 1024       /* of ClickHouse's answer: the first line is shown */
#define CH_CONNECT_TIMEOUT_MS 3000L

struct clickhouse_http {
	CURL *curl;
	struct curl_slist *headers;
	char *insert_url[CH_TABLES_MAX];
	char *probe_url[CH_TABLES_MAX];
	size_t ntables;
	int header_code;         /* X-ClickHouse-Exception-Code */
	const atomic_int *abort_flag;
	char answer[CH_ANSWER_MAX];
	size_t answer_len;
};

/* ClickHouse's answer: kept up to CH_ANSWER_MAX (an error's text). */
static size_t on_answer(char *data, size_t size, size_t n, void *user)
{
	struct clickhouse_http *h = user;
	size_t len = size * n, room = sizeof(h->answer) - 1 - h->answer_len;
	size_t take = len < room ? len : room;
	memcpy(h->answer + h->answer_len, data, take);
	h->answer_len += take;
	h->answer[h->answer_len] = 0;
	return len;
}

/* X-ClickHouse-Exception-Code: N (ClickHouse 19.x and later). */
static size_t on_header(char *data, size_t size, size_t n, void *user)
{
	struct clickhouse_http *h = user;
	static const char name[] = "x-clickhouse-exception-code:";
	size_t len = size * n;
	if (len > sizeof(name) - 1 && !strncasecmp(data, name, sizeof(name) - 1))
		h->header_code = atoi(data + sizeof(name) - 1);
	return len;
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	struct clickhouse_http *h = user;
	return h->abort_flag && atomic_load(h->abort_flag) ? 1 : 0;
}

/* url with `query=<sql>` appended to its query string (URL-encoded), and
 * extra (already encoded) after it when not NULL; or NULL. */
static char *query_url(const char *url, const char *sql, const char *extra, char *err,
		       size_t errlen)
{
	char q[160], *out = NULL, *scheme = NULL, *host = NULL;
	CURLU *u = curl_url();
	snprintf(q, sizeof(q), "query=%s", sql);
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(err, errlen, "--clickhouse wants ClickHouse's HTTP URL "
			 "(http://127.0.0.1:8123/?database=tcplens), not '%s'", url);
		goto out;
	}
	if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
		snprintf(err, errlen, "--clickhouse wants an http:// or https:// URL (ClickHouse's "
			 "HTTP interface, port 8123 by default), not '%s'", url);
		goto out;
	}
	if (curl_url_set(u, CURLUPART_QUERY, q, CURLU_APPENDQUERY | CURLU_URLENCODE) != CURLUE_OK ||
	    (extra && curl_url_set(u, CURLUPART_QUERY, extra, CURLU_APPENDQUERY) != CURLUE_OK) ||
	    curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
		snprintf(err, errlen, "--clickhouse: cannot build the INSERT URL from '%s'", url);
		out = NULL;
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (!out)
		return NULL;
	char *copy = strdup(out);
	curl_free(out);
	if (!copy)
		snprintf(err, errlen, "out of memory");
	return copy;
}

struct clickhouse_http *clickhouse_http_new(const char *url, const char *const *tables,
					    size_t ntables, char *err, size_t errlen)
{
	struct clickhouse_http *h = calloc(1, sizeof(*h));
	if (!h || ntables > CH_TABLES_MAX) {
		snprintf(err, errlen, "out of memory");
		free(h);
		return NULL;
	}
	h->ntables = ntables;
	for (size_t t = 0; t < ntables; t++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "INSERT INTO %s FORMAT JSONEachRow", tables[t]);
		/* A newer tcplens's column an older table lacks is skipped. */
		if (!(h->insert_url[t] = query_url(url, sql, "input_format_skip_unknown_fields=1", err,
						   errlen)))
			goto fail;
		snprintf(sql, sizeof(sql), "SELECT 1 FROM %s LIMIT 0", tables[t]);
		if (!(h->probe_url[t] = query_url(url, sql, NULL, err, errlen)))
			goto fail;
	}
	/* No "Expect: 100-continue" round trip before a large batch. */
	h->headers = curl_slist_append(NULL, "Expect:");
	if (!(h->curl = curl_easy_init()) || !h->headers) {
		snprintf(err, errlen, "cannot start libcurl");
		goto fail;
	}
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);   /* a thread of a program with handlers */
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, CH_CONNECT_TIMEOUT_MS);
	/* A connection per batch (one a second or fewer, and a handshake is
	 * nothing beside a 1 MiB POST): a kept-alive one that a batch reuses
	 * every second holds a ClickHouse that is shutting down (SIGTERM: it
	 * waits for its open connections) for as long as tcplens runs. */
	curl_easy_setopt(h->curl, CURLOPT_FORBID_REUSE, 1L);
	return h;
fail:
	clickhouse_http_free(h);
	return NULL;
}

void clickhouse_http_abort_on(struct clickhouse_http *h, const atomic_int *abort_flag)
{
	h->abort_flag = abort_flag;
}

/* The first line of ClickHouse's answer (its error), without "\n". */
static const char *answer_line(struct clickhouse_http *h)
{
	h->answer[strcspn(h->answer, "\r\n")] = 0;
	return h->answer[0] ? h->answer : "(no answer text)";
}

/* ClickHouse's error codes (dbms/src/Common/ErrorCodes.cpp) by what they
 * say about the attempt: the configuration (wrong database, table, user,
 * password, rights: nothing tcplens can change, so said and waited for)
 * or the rows (parse errors, types: the same rows fail again). */
enum clickhouse_outcome clickhouse_code_class(int code, const char *text)
{
	switch (code) {
	case 16:   /* NO_SUCH_COLUMN_IN_TABLE */
	case 60:   /* UNKNOWN_TABLE */
	case 81:   /* UNKNOWN_DATABASE */
	case 164:  /* READONLY */
	case 192:  /* UNKNOWN_USER */
	case 193:  /* WRONG_PASSWORD */
	case 194:  /* REQUIRED_PASSWORD */
	case 195:  /* IP_ADDRESS_NOT_ALLOWED */
	case 291:  /* DATABASE_ACCESS_DENIED */
	case 497:  /* ACCESS_DENIED */
	case 516:  /* AUTHENTICATION_FAILED */
		return CH_FAIL_CONFIG;
	case 6:    /* CANNOT_PARSE_TEXT */
	case 25:   /* CANNOT_PARSE_ESCAPE_SEQUENCE */
	case 26:   /* CANNOT_PARSE_QUOTED_STRING */
	case 27:   /* CANNOT_PARSE_INPUT_ASSERTION_FAILED */
	case 32:   /* ATTEMPT_TO_READ_AFTER_EOF */
	case 33:   /* CANNOT_READ_ALL_DATA */
	case 38:   /* CANNOT_PARSE_DATE */
	case 41:   /* CANNOT_PARSE_DATETIME */
	case 53:   /* TYPE_MISMATCH */
	case 69:   /* ARGUMENT_OUT_OF_BOUND */
	case 70:   /* CANNOT_CONVERT_TYPE */
	case 72:   /* CANNOT_PARSE_NUMBER */
	case 117:  /* INCORRECT_DATA (an unknown field without skip_unknown_fields) */
	case 130:  /* CANNOT_READ_ARRAY_FROM_TEXT */
	case 131:  /* TOO_LARGE_STRING_SIZE */
	case 190:  /* SIZES_OF_ARRAYS_DOESNT_MATCH (a Nested column's arrays) */
	case 349:  /* CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN */
		return CH_FAIL_DATA;
	case 49:   /* LOGICAL_ERROR: 18.16 says an unknown Enum element with it */
		return text && strstr(text, "Unknown element") ? CH_FAIL_DATA : CH_FAIL_SERVER;
	default:
		return CH_FAIL_SERVER;
	}
}

/* One request on the prepared handle; the answer classified into a. */
static enum clickhouse_outcome perform(struct clickhouse_http *h, long timeout_ms,
				       struct clickhouse_answer *a)
{
	h->answer_len = 0;
	h->answer[0] = 0;
	h->header_code = 0;
	a->status = 0;
	a->code = 0;
	a->row = 0;
	a->err[0] = 0;
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
	CURLcode rc = curl_easy_perform(h->curl);
	if (rc != CURLE_OK) {
		snprintf(a->err, sizeof(a->err), "%s", rc == CURLE_ABORTED_BY_CALLBACK ?
			 "stopped (the flush deadline, or a second signal)" : curl_easy_strerror(rc));
		return CH_FAIL_CONNECTION;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &a->status);
	if (a->status == 200)
		return CH_OK;
	const char *at = strstr(h->answer, "(at row ");
	if (at)
		a->row = strtoull(at + 8, NULL, 10);
	a->code = h->header_code;
	if (!a->code && !strncmp(h->answer, "Code: ", 6))
		a->code = atoi(h->answer + 6);
	const char *line = answer_line(h);
	snprintf(a->err, sizeof(a->err), "HTTP %ld: %.900s", a->status, line);
	if (a->code)
		return clickhouse_code_class(a->code, line);
	/* No code: the status alone (a proxy in front, an older server). */
	if (a->status == 401 || a->status == 403 || a->status == 404)
		return CH_FAIL_CONFIG;
	return CH_FAIL_SERVER;
}

enum clickhouse_outcome clickhouse_http_insert(struct clickhouse_http *h, size_t t, const char *body,
					       size_t len, long timeout_ms, struct clickhouse_answer *a)
{
	curl_easy_setopt(h->curl, CURLOPT_URL, h->insert_url[t]);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	return perform(h, timeout_ms, a);
}

enum clickhouse_outcome clickhouse_http_probe(struct clickhouse_http *h, size_t t, long timeout_ms,
					      struct clickhouse_answer *a)
{
	curl_easy_setopt(h->curl, CURLOPT_URL, h->probe_url[t]);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	return perform(h, timeout_ms, a);
}

void clickhouse_http_free(struct clickhouse_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	for (size_t t = 0; t < h->ntables; t++) {
		free(h->insert_url[t]);
		free(h->probe_url[t]);
	}
	free(h);
}
