/*
 * report/report_read.c — see report_read.h.
 *
 * The scanner knows only JSON's structure (strings, nesting, separators): it
 * cuts the stream into top-level keys and values, or into array elements for
 * "events" and "flows", and copies one value at a time into a buffer for
 * jansson to parse. Values are never held beyond their callback.
 */
#include "report_read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One piece (the summary, a flow, an event) larger than this is refused. */
#define RR_MAX_VALUE (256u << 20)
#define RR_MAX_KEY 64

struct rr {
	FILE *f;
	const char *name;
	const struct report_read_cb *cb;
	uint64_t off;          /* bytes consumed, for messages */
	char *buf;             /* the value being copied */
	size_t len, cap;
	int schema;            /* -1 until seen */
	bool is_report;        /* a "tcplens" key or a JSONL start line seen */
	bool jsonl;
};

__attribute__((format(printf, 2, 3))) static int fail(struct rr *r, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->cb->err, r->cb->errlen, "%s: %s", r->name, msg);
	return -1;
}

static int get(struct rr *r)
{
	int c = getc_unlocked(r->f);
	if (c != EOF)
		r->off++;
	return c;
}

static void unget(struct rr *r, int c)
{
	if (c == EOF)
		return;
	ungetc(c, r->f);
	r->off--;
}

static int next_nonspace(struct rr *r)
{
	int c;
	do
		c = get(r);
	while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
	return c;
}

static int put(struct rr *r, int c)
{
	if (r->len + 1 >= r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 4096;
		if (ncap > RR_MAX_VALUE)
			return -1;
		char *nb = realloc(r->buf, ncap);
		if (!nb)
			return -1;
		r->buf = nb;
		r->cap = ncap;
	}
	r->buf[r->len++] = (char)c;
	return 0;
}

static int truncated(struct rr *r)
{
	if (ferror(r->f))
		return fail(r, "read error: %s", strerror(errno));
	return fail(r, "the report ends in the middle of a value (byte %llu): cut short?",
		    (unsigned long long)r->off);
}

/* Copy (keep) or skip one JSON value whose first character c was already
 * read. Containers and strings end at their closing character; a scalar ends
 * before the first separator, which is pushed back. */
static int scan_value(struct rr *r, int c, bool keep)
{
	r->len = 0;
	int depth = 0;
	bool in_str = false, esc = false;
	if (c != '{' && c != '[' && c != '"') {
		while (c != EOF && c != ',' && c != '}' && c != ']' && c != ' ' && c != '\n' &&
		       c != '\r' && c != '\t') {
			if (keep && put(r, c) < 0)
				return fail(r, "a value is too large");
			c = get(r);
		}
		unget(r, c);
		return keep && put(r, 0) < 0 ? -1 : 0;
	}
	for (;;) {
		if (c == EOF)
			return truncated(r);
		if (keep && put(r, c) < 0)
			return fail(r, "a single value is larger than 256 MB");
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"') {
				in_str = false;
				if (depth == 0)
					break;
			}
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				break;
		}
		c = get(r);
	}
	if (keep && put(r, 0) < 0)
		return fail(r, "a value is too large");
	return 0;
}

/* Parse the copied value with jansson. */
static json_t *parse_buf(struct rr *r, const char *what)
{
	json_error_t e;
	json_t *v = json_loadb(r->buf, r->len ? r->len - 1 : 0, JSON_DECODE_ANY, &e);
	if (!v) {
		char msg[240];
		snprintf(msg, sizeof(msg), "invalid JSON in %s near byte %llu: %s", what,
			 (unsigned long long)r->off, e.text);
		snprintf(r->cb->err, r->cb->errlen, "%s: %s", r->name, msg);
	}
	return v;
}

static int callback_failed(struct rr *r)
{
	if (!r->cb->err[0])
		snprintf(r->cb->err, r->cb->errlen, "%s: out of memory", r->name);
	return -1;
}

/* Read a key string (the opening quote was read). Long keys are cut. */
static int read_key(struct rr *r, char *key)
{
	size_t n = 0;
	bool esc = false;
	for (;;) {
		int c = get(r);
		if (c == EOF)
			return truncated(r);
		if (!esc && c == '"')
			break;
		esc = !esc && c == '\\';
		if (n + 1 < RR_MAX_KEY)
			key[n++] = (char)c;
	}
	key[n] = 0;
	return 0;
}

static int check_schema(struct rr *r, json_t *v)
{
	if (!json_is_integer(v))
		return fail(r, "\"schema\" is not a number: not a tcplens report");
	r->schema = (int)json_integer_value(v);
	if (r->schema != REPORT_SCHEMA) {
		return fail(r, "report schema %d, but this tcplens reads schema %d: regenerate the "
			    "report with this version (tcplens check --update)",
			    r->schema, REPORT_SCHEMA);
	}
	return 0;
}

/* One top-level member, or a member of a JSONL line read key by key. */
static int member(struct rr *r, const char *key, int c, const char **version_out, json_t **source_out)
{
	const struct report_read_cb *cb = r->cb;
	bool is_array = !strcmp(key, "events") || !strcmp(key, "flows");
	if (is_array && c == '[') {
		bool events = key[0] == 'e';
		int (*fn)(void *, json_t *) = events ? cb->event : cb->flow;
		c = next_nonspace(r);
		if (c == ']')
			return 0;
		for (;;) {
			if (scan_value(r, c, fn != NULL) < 0)
				return -1;
			if (fn) {
				json_t *v = parse_buf(r, events ? "an event" : "a flow");
				if (!v)
					return -1;
				int rc = fn(cb->user, v);
				json_decref(v);
				if (rc < 0)
					return callback_failed(r);
			}
			c = next_nonspace(r);
			if (c == ']')
				return 0;
			if (c != ',')
				return c == EOF ? truncated(r) : fail(r, "expected ',' or ']' in \"%s\"", key);
			c = next_nonspace(r);
		}
	}
	bool want = !strcmp(key, "schema") || !strcmp(key, "tcplens") || !strcmp(key, "type") ||
		    (!strcmp(key, "source") && cb->header) || (!strcmp(key, "capture") && cb->capture) ||
		    (!strcmp(key, "summary") && cb->summary);
	if (scan_value(r, c, want) < 0)
		return -1;
	if (!want)
		return 0;
	json_t *v = parse_buf(r, key);
	if (!v)
		return -1;
	int rc = 0;
	if (!strcmp(key, "schema")) {
		rc = check_schema(r, v);
	} else if (!strcmp(key, "tcplens")) {
		r->is_report = json_is_string(v);
		if (r->is_report && version_out) {
			free((void *)*version_out);  /* a repeated key: the last one wins */
			*version_out = strdup(json_string_value(v));
		}
	} else if (!strcmp(key, "type")) {
		r->jsonl = true;
	} else if (!strcmp(key, "source")) {
		json_decref(*source_out);  /* a repeated key: the last one wins */
		*source_out = json_incref(v);
	} else if (!strcmp(key, "capture")) {
		rc = cb->capture(cb->user, v) < 0 ? callback_failed(r) : 0;
	} else if (!strcmp(key, "summary")) {
		rc = cb->summary(cb->user, v) < 0 ? callback_failed(r) : 0;
	}
	json_decref(v);
	return rc;
}

/* The members of an object whose '{' was read, handled one by one. */
static int object_members(struct rr *r)
{
	char key[RR_MAX_KEY];
	const char *version = NULL;
	json_t *source = NULL;
	int rc = -1;
	int c = next_nonspace(r);
	if (c == '}')
		goto done;
	for (;;) {
		if (c != '"') {
			if (c == EOF)
				truncated(r);
			else
				fail(r, "not a JSON object of named members");
			goto out;
		}
		if (read_key(r, key) < 0)
			goto out;
		if (next_nonspace(r) != ':') {
			fail(r, "expected ':' after \"%s\"", key);
			goto out;
		}
		if (member(r, key, next_nonspace(r), &version, &source) < 0)
			goto out;
		c = next_nonspace(r);
		if (c == '}')
			break;
		if (c != ',') {
			if (c == EOF)
				truncated(r);
			else
				fail(r, "expected ',' or '}' after \"%s\"", key);
			goto out;
		}
		c = next_nonspace(r);
	}
done:
	rc = 0;
	if (r->cb->header && r->is_report && r->cb->header(r->cb->user, version, source) < 0)
		rc = callback_failed(r);
out:
	free((void *)version);
	json_decref(source);
	return rc;
}

/* A JSONL line after the first: {"type": event | flow | end, ...}. */
static int jsonl_line(struct rr *r, int c)
{
	const struct report_read_cb *cb = r->cb;
	if (scan_value(r, c, true) < 0)
		return -1;
	json_t *v = parse_buf(r, "a line");
	if (!v)
		return -1;
	const char *type = json_string_value(json_object_get(v, "type"));
	int rc = 0;
	if (!type) {
		rc = fail(r, "a JSONL line without \"type\"");
	} else if (!strcmp(type, "event") && cb->event) {
		rc = cb->event(cb->user, v);
	} else if (!strcmp(type, "flow") && cb->flow) {
		json_t *f = json_object_get(v, "flow");
		rc = f ? cb->flow(cb->user, f) : 0;
	} else if (!strcmp(type, "end")) {
		json_t *cap = json_object_get(v, "capture"), *sum = json_object_get(v, "summary");
		if (cap && cb->capture && cb->capture(cb->user, cap) < 0)
			rc = -1;
		if (!rc && sum && cb->summary && cb->summary(cb->user, sum) < 0)
			rc = -1;
	}
	json_decref(v);
	if (rc < 0 && !r->cb->err[0])
		return callback_failed(r);
	return rc;
}

int report_read_stream(FILE *f, const char *name, const struct report_read_cb *cb)
{
	struct rr r = {.f = f, .name = name, .cb = cb, .schema = -1};
	int rc = -1;
	cb->err[0] = 0;
	int c = next_nonspace(&r);
	if (c == EOF) {
		fail(&r, "%s", ferror(f) ? "read error" : "empty file: not a tcplens report");
		goto out;
	}
	if (c != '{') {
		fail(&r, "not a JSON object: not a tcplens report");
		goto out;
	}
	if (object_members(&r) < 0)
		goto out;
	if (r.jsonl) {
		while ((c = next_nonspace(&r)) != EOF)
			if (jsonl_line(&r, c) < 0)
				goto out;
	}
	if (ferror(f)) {
		fail(&r, "read error: %s", strerror(errno));
		goto out;
	}
	if (!r.is_report || r.schema < 0) {
		fail(&r, "not a tcplens report (no \"tcplens\" and \"schema\" members)");
		goto out;
	}
	rc = 0;
out:
	free(r.buf);
	return rc;
}

int report_read(const char *path, const struct report_read_cb *cb)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(cb->err, cb->errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	int rc = report_read_stream(f, path, cb);
	fclose(f);
	return rc;
}
