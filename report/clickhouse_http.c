/*
 * report/clickhouse_http.c — see clickhouse_http.h.
 */
#include "clickhouse_http.h"

#include "curl_lazy.h"
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <strings.h>
#include <stdbool.h>
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
	char *display_url;       /* for messages: no password */
	pthread_mutex_t sock_mu; /* the socket of the request in flight, for interrupt */
	curl_socket_t sock;
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

/* The request's socket, known so that clickhouse_http_interrupt can shut
 * it down from another thread. */
static curl_socket_t on_open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *a)
{
	(void)purpose;
	struct clickhouse_http *h = user;
	curl_socket_t fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	pthread_mutex_lock(&h->sock_mu);
	h->sock = fd;
	pthread_mutex_unlock(&h->sock_mu);
	return fd;
}

static int on_close_socket(void *user, curl_socket_t fd)
{
	struct clickhouse_http *h = user;
	pthread_mutex_lock(&h->sock_mu);
	if (h->sock == fd)
		h->sock = CURL_SOCKET_BAD;
	int rc = close(fd);
	pthread_mutex_unlock(&h->sock_mu);
	return rc;
}

void clickhouse_http_interrupt(struct clickhouse_http *h)
{
	pthread_mutex_lock(&h->sock_mu);
	if (h->sock != CURL_SOCKET_BAD)
		shutdown(h->sock, SHUT_RDWR);
	pthread_mutex_unlock(&h->sock_mu);
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	struct clickhouse_http *h = user;
	return h->abort_flag && atomic_load(h->abort_flag) ? 1 : 0;
}

/* The query string q without its key= parameters (in place). */
static void drop_param(char *q, const char *key)
{
	size_t klen = strlen(key);
	char *out = q;
	for (char *p = q; *p;) {
		size_t n = strcspn(p, "&");
		bool keep = !(!strncmp(p, key, klen) && (p[klen] == '=' || p[klen] == '&' || !p[klen]));
		if (keep) {
			if (out != q)
				*out++ = '&';
			memmove(out, p, n);
			out += n;
		}
		p += n;
		if (*p)
			p++;
	}
	*out = 0;
}

/* The value of key= in u's query string (decoded; curl_free it), or NULL. */
static char *query_param(CURLU *u, const char *key)
{
	char *q = NULL, *val = NULL;
	if (curl_url_get(u, CURLUPART_QUERY, &q, 0) != CURLUE_OK)
		return NULL;
	size_t klen = strlen(key);
	for (char *p = q; *p;) {
		size_t n = strcspn(p, "&");
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			int len = 0;
			val = curl_easy_unescape(NULL, p + klen + 1, (int)(n - klen - 1), &len);
			break;
		}
		p += n;
		if (*p)
			p++;
	}
	curl_free(q);
	return val;
}

/* Remove key= from u's query string. */
static void remove_param(CURLU *u, const char *key)
{
	char *q = NULL;
	if (curl_url_get(u, CURLUPART_QUERY, &q, 0) != CURLUE_OK)
		return;
	char *copy = strdup(q);
	curl_free(q);
	if (!copy)
		return;
	drop_param(copy, key);
	curl_url_set(u, CURLUPART_QUERY, copy[0] ? copy : NULL, 0);
	free(copy);
}

/* TCPLENS_CLICKHOUSE_PASSWORD set: the credentials go as X-ClickHouse-User
 * (the URL's user= or its userinfo's user, else "default") and
 * X-ClickHouse-Key headers, and leave the URL (ClickHouse 21 and later
 * refuse a request with both). The URL to use, malloc'ed; NULL with err. */
static char *header_credentials(struct clickhouse_http *h, const char *url, const char *password,
				char *err, size_t errlen)
{
	char *out = NULL, *user = NULL, *got = NULL;
	CURLU *u = curl_url();
	if (strpbrk(password, "\r\n")) {
		snprintf(err, errlen, "TCPLENS_CLICKHOUSE_PASSWORD holds a line break");
		goto done;
	}
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto done;  /* said by query_url */
	if (!(user = query_param(u, "user")))
		curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE);
	size_t n = strlen(password) + 64 + (user ? strlen(user) : 0);
	char *line = malloc(n);
	if (!line || (user && strpbrk(user, "\r\n"))) {
		free(line);
		snprintf(err, errlen, line ? "the URL's user holds a line break" : "out of memory");
		goto done;
	}
	snprintf(line, n, "X-ClickHouse-User: %s", user && *user ? user : "default");
	h->headers = curl_slist_append(h->headers, line);
	snprintf(line, n, "X-ClickHouse-Key: %s", password);
	h->headers = curl_slist_append(h->headers, line);
	memset(line, 0, n);
	free(line);
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	remove_param(u, "user");
	remove_param(u, "password");
	if (curl_url_get(u, CURLUPART_URL, &got, 0) == CURLUE_OK && !(out = strdup(got)))
		snprintf(err, errlen, "out of memory");
done:
	curl_free(user);
	curl_free(got);
	curl_url_cleanup(u);
	return out ? out : err[0] ? NULL : strdup(url);
}

/* url as messages show it: the userinfo's password and any password=
 * parameter as ***. NULL when out of memory or not a URL. */
static char *redacted_url(const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL, *pw = NULL, *q = NULL;
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto done;
	if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK)
		curl_url_set(u, CURLUPART_PASSWORD, "***", 0);
	if (curl_url_get(u, CURLUPART_QUERY, &q, 0) == CURLUE_OK && strstr(q, "password")) {
		size_t n = strlen(q);
		char *copy = malloc(n + 16);
		if (copy) {
			strcpy(copy, q);
			bool had = strlen(copy) > 0;
			drop_param(copy, "password");
			size_t len = strlen(copy);
			if (had && len != n) {
				snprintf(copy + len, n + 16 - len, "%spassword=***", len ? "&" : "");
				curl_url_set(u, CURLUPART_QUERY, copy, 0);
			}
			free(copy);
		}
	}
	char *got = NULL;
	if (curl_url_get(u, CURLUPART_URL, &got, 0) == CURLUE_OK) {
		out = strdup(got);
		curl_free(got);
	}
done:
	curl_free(pw);
	curl_free(q);
	curl_url_cleanup(u);
	return out;
}

/* A URL for an error message: itself unless it may hold a password. */
static const char *shown(const char *url)
{
	return strchr(url, '@') || strstr(url, "password") ? "(a URL with a password, not shown)" : url;
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
			 "(http://127.0.0.1:8123/?database=tcplens), not '%s'", shown(url));
		goto out;
	}
	if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
		snprintf(err, errlen, "--clickhouse wants an http:// or https:// URL (ClickHouse's "
			 "HTTP interface, port 8123 by default), not '%s'", shown(url));
		goto out;
	}
	if (curl_url_set(u, CURLUPART_QUERY, q, CURLU_APPENDQUERY | CURLU_URLENCODE) != CURLUE_OK ||
	    (extra && curl_url_set(u, CURLUPART_QUERY, extra, CURLU_APPENDQUERY) != CURLUE_OK) ||
	    curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
		snprintf(err, errlen, "--clickhouse: cannot build the INSERT URL from '%s'", shown(url));
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
	h->sock = CURL_SOCKET_BAD;
	pthread_mutex_init(&h->sock_mu, NULL);
	err[0] = 0;
	const char *password = getenv("TCPLENS_CLICKHOUSE_PASSWORD");
	char *base = password && *password ? header_credentials(h, url, password, err, errlen)
					   : strdup(url);
	if (!base) {
		if (!err[0])
			snprintf(err, errlen, "out of memory");
		goto fail;
	}
	url = base;
	h->display_url = redacted_url(url);
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
	free(base);
	base = NULL;
	/* No "Expect: 100-continue" round trip before a large batch. */
	struct curl_slist *expect = curl_slist_append(h->headers, "Expect:");
	if (expect)
		h->headers = expect;
	if (!(h->curl = curl_easy_init()) || !expect || !h->display_url) {
		snprintf(err, errlen, "cannot start libcurl");
		goto fail;
	}
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);   /* a thread of a program with handlers */
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(h->curl, CURLOPT_OPENSOCKETDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
	curl_easy_setopt(h->curl, CURLOPT_CLOSESOCKETDATA, h);
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
	free(base);
	clickhouse_http_free(h);
	return NULL;
}

const char *clickhouse_http_url(const struct clickhouse_http *h)
{
	return h->display_url;
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
	free(h->display_url);
	pthread_mutex_destroy(&h->sock_mu);
	free(h);
}
