/*
 * report/jw.h — a small streaming JSON writer: values go straight to a FILE
 * as they are produced, with no tree in memory. Keys are the program's own
 * ASCII constants and are written as they are; string values of unknown
 * content (file names, filters, explanations) are encoded by jansson, so
 * escaping is the library's. Numbers: integers exact, milliseconds with
 * three decimals, timestamps exact (ns held as integers, written as decimal
 * seconds in the capture's resolution).
 *
 * Separators are handled here: callers only open, write and close.
 */
#ifndef TCPLENS_JW_H
#define TCPLENS_JW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "common/units.h"

#define JW_MAX_DEPTH 16

#define JW_BUF 8192

struct jw {
	FILE *out;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
	size_t len;            /* bytes waiting in buf */
	uint64_t flushed;      /* bytes handed to out so far: the offset of
				* what comes next is flushed + len */
	char buf[JW_BUF];
};

void jw_init(struct jw *w, FILE *out);
/* Where the next byte lands in out, counted from jw_init (a spool's
 * offsets, without asking the stream). */
static inline uint64_t jw_offset(const struct jw *w) { return w->flushed + w->len; }
/* The next value starts a document of its own (no comma before it): for
 * spools of independent values, one writer for all. */
static inline void jw_restart(struct jw *w)
{
	w->depth = 0;
	w->need_comma[0] = false;
}

/*
 * Every function taking a key has a _k form with the key's length; the
 * plain names are macros that pass strlen(key). The common writers are
 * inline, so for the literal keys the reports use the length is a constant
 * and the key a few stores: a million-flow report writes ~100 million keys.
 * key is NULL inside arrays and at the top level.
 */
static inline size_t jw_klen(const char *key) { return key ? __builtin_strlen(key) : 0; }

/* Longest item the inline path writes at once: separator, quoted key up to
 * JW_KEY_MAX, and the longest number (20 digits, sign, ".ddd"). */
#define JW_KEY_MAX 256
#define JW_ITEM_MAX (JW_KEY_MAX + 4 + 32)

/* Out of line: the separator and key when the buffer is nearly full or the
 * key is long; returns where the value goes, with JW_ITEM_MAX - 4 - klen
 * bytes free (at least 32). */
char *jw_prefix_slow(struct jw *w, const char *key, size_t klen);
/* v in decimal at p (20 bytes suffice); returns the byte count. */
size_t jw_fmt_u64(char *p, uint64_t v);
/* The last width decimal digits of v at p, zero-padded (fraction digits). */
void jw_fmt_u64_padded(char *p, uint64_t v, size_t width);
/* v >= 0 as "int.ddd" at p (24 bytes suffice); returns the byte count. */
size_t jw_fmt_fixed3(char *p, double v);
/* n bytes of text (any length). */
void jw_put(struct jw *w, const char *s, size_t n);

static inline char *jw_prefix(struct jw *w, const char *key, size_t klen)
{
	if (klen > JW_KEY_MAX || w->len + JW_ITEM_MAX > JW_BUF)
		return jw_prefix_slow(w, key, klen);
	char *p = w->buf + w->len;
	char *q = p;
	if (w->need_comma[w->depth])
		*q++ = ',';
	w->need_comma[w->depth] = true;
	if (key) {
		*q++ = '"';
		__builtin_memcpy(q, key, klen);
		q += klen;
		*q++ = '"';
		*q++ = ':';
	}
	w->len += (size_t)(q - p);
	return q;
}

static inline void jw_open_(struct jw *w, const char *key, size_t klen, char c)
{
	char *p = jw_prefix(w, key, klen);
	*p = c;
	w->len++;
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static inline void jw_obj_open_k(struct jw *w, const char *key, size_t klen)
{
	jw_open_(w, key, klen, '{');
}

static inline void jw_arr_open_k(struct jw *w, const char *key, size_t klen)
{
	jw_open_(w, key, klen, '[');
}

/* One byte; the slow path when the buffer is full. */
void jw_putc_slow(struct jw *w, char c);
static inline void jw_close_(struct jw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	if (w->len < JW_BUF)
		w->buf[w->len++] = c;
	else
		jw_putc_slow(w, c);
}

static inline void jw_obj_close(struct jw *w) { jw_close_(w, '}'); }
static inline void jw_arr_close(struct jw *w) { jw_close_(w, ']'); }

static inline void jw_uint_k(struct jw *w, const char *key, size_t klen, uint64_t v)
{
	char *p = jw_prefix(w, key, klen);
	w->len += jw_fmt_u64(p, v);
}

static inline void jw_int_k(struct jw *w, const char *key, size_t klen, int64_t v)
{
	char *p = jw_prefix(w, key, klen);
	if (v < 0) {
		*p = '-';
		w->len += 1 + jw_fmt_u64(p + 1, (uint64_t)0 - (uint64_t)v);
	} else {
		w->len += jw_fmt_u64(p, (uint64_t)v);
	}
}

/* A duration or ratio with three decimals ("40.123"); null for NaN or a
 * magnitude over 1e15, so the file is always valid JSON. */
static inline void jw_fixed3_k(struct jw *w, const char *key, size_t klen, double v)
{
	char *p = jw_prefix(w, key, klen);
	if (v != v || v > 1e15 || v < -1e15) {
		__builtin_memcpy(p, "null", 4);
		w->len += 4;
	} else if (v < 0) {
		*p = '-';
		w->len += 1 + jw_fmt_fixed3(p + 1, -v);
	} else {
		w->len += jw_fmt_fixed3(p, v);
	}
}

static inline void jw_bool_k(struct jw *w, const char *key, size_t klen, bool v)
{
	char *p = jw_prefix(w, key, klen);
	__builtin_memcpy(p, v ? "true" : "false", v ? 4 : 5);
	w->len += v ? 4 : 5;
}

static inline void jw_null_k(struct jw *w, const char *key, size_t klen)
{
	char *p = jw_prefix(w, key, klen);
	__builtin_memcpy(p, "null", 4);
	w->len += 4;
}

/* A string known to need no escaping: the program's own enumerated words,
 * numeric addresses. Words up to JW_WORD_INLINE bytes take the inline path. */
#define JW_WORD_INLINE 24
static inline void jw_word_k(struct jw *w, const char *key, size_t klen, const char *ascii)
{
	size_t n = __builtin_strlen(ascii);
	char *p = jw_prefix(w, key, klen);
	if (n <= JW_WORD_INLINE) { /* the prefix left at least 32 bytes */
		p[0] = '"';
		__builtin_memcpy(p + 1, ascii, n);
		p[n + 1] = '"';
		w->len += n + 2;
	} else {
		jw_putc_slow(w, '"');
		jw_put(w, ascii, n);
		jw_putc_slow(w, '"');
	}
}

/* An exact timestamp from ns since the epoch, as seconds with digits (6 or
 * 9: the capture's resolution, enum ts_precision's values) decimals, written
 * in place: a double cannot hold a nanosecond epoch time. */
static inline void jw_ts_k(struct jw *w, const char *key, size_t klen, uint64_t ts_ns,
			   unsigned digits)
{
	uint64_t frac = ts_ns % NS_PER_S_U64;
	if (digits != 9) {
		digits = 6;
		frac /= 1000;
	}
	char *p = jw_prefix(w, key, klen);
	size_t n = jw_fmt_u64(p, ts_ns / NS_PER_S_U64);
	p[n++] = '.';
	jw_fmt_u64_padded(p + n, frac, digits);
	w->len += n + digits;
}
/* Any UTF-8 string, escaped by jansson. */
void jw_string_k(struct jw *w, const char *key, size_t klen, const char *s);

#define jw_obj_open(w, key) jw_obj_open_k((w), (key), jw_klen(key))
#define jw_arr_open(w, key) jw_arr_open_k((w), (key), jw_klen(key))
#define jw_int(w, key, v) jw_int_k((w), (key), jw_klen(key), (v))
#define jw_uint(w, key, v) jw_uint_k((w), (key), jw_klen(key), (v))
#define jw_fixed3(w, key, v) jw_fixed3_k((w), (key), jw_klen(key), (v))
#define jw_bool(w, key, v) jw_bool_k((w), (key), jw_klen(key), (v))
#define jw_null(w, key) jw_null_k((w), (key), jw_klen(key))
#define jw_word(w, key, v) jw_word_k((w), (key), jw_klen(key), (v))
#define jw_string(w, key, v) jw_string_k((w), (key), jw_klen(key), (v))
#define jw_ts(w, key, ts_ns, digits) jw_ts_k((w), (key), jw_klen(key), (ts_ns), (unsigned)(digits))

/* Start a new line between top-level items, for readable, diffable files. */
void jw_newline(struct jw *w);
/* Write raw text (punctuation between objects). */
void jw_raw(struct jw *w, const char *text);
/* Hand buffered bytes to the FILE. Call before writing to the FILE directly
 * and at the end. */
void jw_flush(struct jw *w);

#endif
