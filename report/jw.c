/*
 * report/jw.c — see jw.h. Output is buffered here and handed to stdio in
 * blocks; numbers are formatted by hand (no printf per value): the JSON
 * report of a capture with a million flows is mostly this code.
 */
#include "jw.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void jw_init(struct jw *w, FILE *out)
{
	w->out = out;
	w->depth = 0;
	w->need_comma[0] = false;
	w->len = 0;
}

void jw_flush(struct jw *w)
{
	if (w->len)
		fwrite(w->buf, 1, w->len, w->out);
	w->len = 0;
}

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->len + n > JW_BUF) {
		jw_flush(w);
		if (n > JW_BUF) {
			fwrite(s, 1, n, w->out);
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void putch(struct jw *w, char c)
{
	if (w->len == JW_BUF)
		jw_flush(w);
	w->buf[w->len++] = c;
}

static void puts_(struct jw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_u64(struct jw *w, uint64_t v)
{
	char d[24];
	int i = sizeof(d);
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(w, d + i, sizeof(d) - (size_t)i);
}

static void prefix(struct jw *w, const char *key)
{
	if (w->need_comma[w->depth])
		putch(w, ',');
	w->need_comma[w->depth] = true;
	if (key) {
		putch(w, '"');
		puts_(w, key);
		put(w, "\":", 2);
	}
}

static void open_(struct jw *w, const char *key, char c)
{
	prefix(w, key);
	putch(w, c);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

void jw_obj_open(struct jw *w, const char *key) { open_(w, key, '{'); }
void jw_arr_open(struct jw *w, const char *key) { open_(w, key, '['); }

void jw_obj_close(struct jw *w)
{
	if (w->depth > 0)
		w->depth--;
	putch(w, '}');
}

void jw_arr_close(struct jw *w)
{
	if (w->depth > 0)
		w->depth--;
	putch(w, ']');
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	prefix(w, key);
	if (v < 0) {
		putch(w, '-');
		put_u64(w, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(w, (uint64_t)v);
	}
}

void jw_uint(struct jw *w, const char *key, uint64_t v)
{
	prefix(w, key);
	put_u64(w, v);
}

void jw_fixed3(struct jw *w, const char *key, double v)
{
	prefix(w, key);
	if (v != v || v > 1e15 || v < -1e15) {
		puts_(w, "null"); /* NaN or absurd: never invalid JSON */
		return;
	}
	if (v < 0) {
		putch(w, '-');
		v = -v;
	}
	uint64_t milli = (uint64_t)(v * 1000.0 + 0.5);
	put_u64(w, milli / 1000);
	char frac[4] = {'.', (char)('0' + milli / 100 % 10), (char)('0' + milli / 10 % 10),
			(char)('0' + milli % 10)};
	put(w, frac, 4);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	prefix(w, key);
	puts_(w, v ? "true" : "false");
}

void jw_null(struct jw *w, const char *key)
{
	prefix(w, key);
	puts_(w, "null");
}

void jw_word(struct jw *w, const char *key, const char *ascii)
{
	prefix(w, key);
	putch(w, '"');
	puts_(w, ascii);
	putch(w, '"');
}

void jw_string(struct jw *w, const char *key, const char *s)
{
	prefix(w, key);
	json_t *j = json_string(s);
	if (!j) /* not valid UTF-8 */
		j = json_string("(not valid UTF-8)");
	char buf[1024];
	size_t n = json_dumpb(j, buf, sizeof(buf), JSON_ENCODE_ANY);
	if (n > sizeof(buf)) {
		char *big = json_dumps(j, JSON_ENCODE_ANY);
		puts_(w, big ? big : "null");
		free(big);
	} else {
		put(w, buf, n);
	}
	json_decref(j);
}

void jw_number_text(struct jw *w, const char *key, const char *text)
{
	prefix(w, key);
	puts_(w, text ? text : "null");
}

void jw_newline(struct jw *w)
{
	putch(w, '\n');
}

void jw_raw(struct jw *w, const char *text)
{
	puts_(w, text);
}
