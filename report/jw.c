/*
 * report/jw.c — see jw.h. Output is buffered here and handed to stdio in
 * blocks; numbers are formatted by hand (no printf per value) two digits at
 * a time. The hot writers (key + number) are inline in jw.h; this file has
 * their slow paths and the rarer writers.
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
	w->flushed = 0;
}

void jw_flush(struct jw *w)
{
	if (w->len)
		fwrite(w->buf, 1, w->len, w->out);
	w->flushed += w->len;
	w->len = 0;
}

void jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->len + n > JW_BUF) {
		jw_flush(w);
		if (n > JW_BUF) {
			fwrite(s, 1, n, w->out);
			w->flushed += n;
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

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

size_t jw_fmt_u64(char *p, uint64_t v)
{
	/* Count the digits first, then write them in place from the end, two
	 * at a time: no temporary and no copy of variable length. */
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
		1000000000000ull, 10000000000000ull, 100000000000000ull,
		1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull};
	if (v < 10) {
		*p = (char)('0' + v);
		return 1;
	}
	/* t = bits * log10(2) (1233 / 4096): the digit count, or one more. */
	unsigned bits = 64u - (unsigned)__builtin_clzll(v);
	size_t t = bits * 1233u >> 12;
	size_t n = t + 1 - (v < pow10[t]);
	char *q = p + n;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		q -= 2;
		memcpy(q, digit_pairs + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(q - 2, digit_pairs + 2 * v, 2);
	else
		q[-1] = (char)('0' + v);
	return n;
}

void jw_fmt_u64_padded(char *p, uint64_t v, size_t width)
{
	char *q = p + width;
	while (q - p >= 2) {
		q -= 2;
		memcpy(q, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (q > p)
		*p = (char)('0' + v % 10);
}

size_t jw_fmt_fixed3(char *p, double v)
{
	uint64_t milli = (uint64_t)(v * 1000.0 + 0.5);
	size_t n = jw_fmt_u64(p, milli / 1000);
	unsigned f = (unsigned)(milli % 1000);
	p[n] = '.';
	p[n + 1] = (char)('0' + f / 100);
	memcpy(p + n + 2, digit_pairs + 2 * (f % 100), 2);
	return n + 4;
}

char *jw_prefix_slow(struct jw *w, const char *key, size_t klen)
{
	if (w->need_comma[w->depth])
		putch(w, ',');
	w->need_comma[w->depth] = true;
	if (key) {
		putch(w, '"');
		jw_put(w, key, klen);
		jw_put(w, "\":", 2);
	}
	if (w->len + 32 > JW_BUF)
		jw_flush(w);
	return w->buf + w->len;
}

void jw_putc_slow(struct jw *w, char c)
{
	putch(w, c);
}

void jw_string_k(struct jw *w, const char *key, size_t klen, const char *s)
{
	jw_prefix(w, key, klen);
	json_t *j = json_string(s);
	if (!j) /* not valid UTF-8 */
		j = json_string("(not valid UTF-8)");
	char buf[1024];
	size_t n = json_dumpb(j, buf, sizeof(buf), JSON_ENCODE_ANY);
	if (n > sizeof(buf)) {
		char *big = json_dumps(j, JSON_ENCODE_ANY);
		if (big)
			jw_put(w, big, strlen(big));
		else
			jw_put(w, "null", 4);
		free(big);
	} else {
		jw_put(w, buf, n);
	}
	json_decref(j);
}

void jw_newline(struct jw *w)
{
	putch(w, '\n');
}

void jw_raw(struct jw *w, const char *text)
{
	jw_put(w, text, strlen(text));
}
