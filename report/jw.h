/*
 * report/jw.h — a small streaming JSON writer: values go straight to a FILE
 * as they are produced, with no tree in memory. Keys are the program's own
 * ASCII constants and are written as they are; string values of unknown
 * content (file names, filters, explanations) are encoded by jansson, so
 * escaping is the library's. Numbers: integers exact, milliseconds with
 * three decimals, timestamps as given text (exact seconds).
 *
 * Separators are handled here: callers only open, write and close.
 */
#ifndef TCPLENS_JW_H
#define TCPLENS_JW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

#define JW_BUF 8192

struct jw {
	FILE *out;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
	size_t len;            /* bytes waiting in buf */
	char buf[JW_BUF];
};

void jw_init(struct jw *w, FILE *out);
/* key is NULL inside arrays and at the top level. */
void jw_obj_open(struct jw *w, const char *key);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w, const char *key);
void jw_arr_close(struct jw *w);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_uint(struct jw *w, const char *key, uint64_t v);
/* A duration or ratio with three decimals ("40.123"). */
void jw_fixed3(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* A string known to need no escaping: the program's own enumerated words,
 * numeric addresses. */
void jw_word(struct jw *w, const char *key, const char *ascii);
/* Any UTF-8 string, escaped by jansson. */
void jw_string(struct jw *w, const char *key, const char *s);
/* Number text written as is (exact timestamps), or null when NULL. */
void jw_number_text(struct jw *w, const char *key, const char *text);
/* Start a new line between top-level items, for readable, diffable files. */
void jw_newline(struct jw *w);
/* Write raw text (punctuation between objects). */
void jw_raw(struct jw *w, const char *text);
/* Hand buffered bytes to the FILE. Call before writing to the FILE directly
 * and at the end. */
void jw_flush(struct jw *w);

#endif
