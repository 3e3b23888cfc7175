/*
 * report/clickhouse_http.c — see clickhouse_http.h.
 */
#include "clickhouse_http.h"

#include <curl/curl.h>
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
	size_t ntables;
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

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	struct clickhouse_http *h = user;
	return h->abort_flag && atomic_load(h->abort_flag) ? 1 : 0;
}

/* url with `query=INSERT INTO <table> FORMAT JSONEachRow` appended to its
 * query string (URL-encoded), or NULL. */
static char *insert_url(const char *url, const char *table, char *err, size_t errlen)
{
	char q[128], *out = NULL, *scheme = NULL, *host = NULL;
	CURLU *u = curl_url();
	snprintf(q, sizeof(q), "query=INSERT INTO %s FORMAT JSONEachRow", table);
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
	for (size_t t = 0; t < ntables; t++)
		if (!(h->insert_url[t] = insert_url(url, tables[t], err, errlen)))
			goto fail;
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

int clickhouse_http_insert(struct clickhouse_http *h, size_t t, const char *body, size_t len,
			   long timeout_ms, char *err, size_t errlen)
{
	h->answer_len = 0;
	h->answer[0] = 0;
	curl_easy_setopt(h->curl, CURLOPT_URL, h->insert_url[t]);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
	CURLcode rc = curl_easy_perform(h->curl);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", rc == CURLE_ABORTED_BY_CALLBACK ?
			 "stopped at the flush deadline" : curl_easy_strerror(rc));
		return -1;
	}
	long status = 0;
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		snprintf(err, errlen, "HTTP %ld: %s", status, answer_line(h));
		return -1;
	}
	return 0;
}

void clickhouse_http_free(struct clickhouse_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	for (size_t t = 0; t < h->ntables; t++)
		free(h->insert_url[t]);
	free(h);
}
