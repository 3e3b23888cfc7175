/*
 * analyze/findings.c — the kinds, causes and payload fields of findings.def
 * as tables, and the one text form of an event.
 */
#include "findings.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	enum severity sev;
	double weight;
	const char *meaning;
} kinds[FIND_COUNT] = {
#define X(e, n, s, w, t) [FIND_##e] = {n, s, w, t},
#include "findings.def"
#undef X
};

/* A field's C type must be what its TYPE says: checked at compile time. */
#define FT_CTYPE(m) \
	_Generic((((struct finding_event *)0)->m), uint8_t: 1, uint16_t: 2, uint32_t: 4, \
		 uint64_t: 8, double: 'd', default: 0)
#define FT_WANT_HEX16 2
#define FT_WANT_U32 4
#define FT_WANT_U64 8
#define FT_WANT_DBL1 'd'
#define FT_WANT_DBL2 'd'
#define FT_WANT_CAUSE 1
#define FT_WANT_PROTO 1
#define FT_WANT_BOOL 1
#define FT_WANT_LABEL 1
#define X(e, n, s, w, t)
#define FIELD(k, key, type, m, when, form, text) \
	_Static_assert(FT_CTYPE(m) == FT_WANT_##type, #k " " #m ": not a " #type);
#include "findings.def"
#undef FIELD
#undef X

static const struct field_row {
	enum finding_kind kind;
	struct finding_field f;
} field_rows[] = {
#define X(e, n, s, w, t)
#define FIELD(k, key, type, m, when, form, text) \
	{FIND_##k, {key, sizeof(key "") - 1, FT_##type, CAUSE_##when, FORM_##form, \
		    offsetof(struct finding_event, m), text}},
#include "findings.def"
#undef FIELD
#undef X
};
#define NROWS (sizeof(field_rows) / sizeof(field_rows[0]))

static const struct {
	enum finding_kind kind;
	const char *words;
} cause_words[] = {
#define X(e, n, s, w, t)
#define CAUSE_WORDS(k, words) {FIND_##k, words},
#include "findings.def"
#undef CAUSE_WORDS
#undef X
};

static const char *const causes[CAUSE_COUNT] = {
#define X(e, n) [CAUSE_##e] = n,
	CAUSE_LIST(X)
#undef X
};

const char *finding_name(enum finding_kind k)
{
	return (unsigned)k < FIND_COUNT ? kinds[k].name : "unknown";
}

enum severity finding_severity(enum finding_kind k)
{
	return (unsigned)k < FIND_COUNT ? kinds[k].sev : SEV_INFO;
}

enum severity finding_severity_of(enum finding_kind k, enum cause c)
{
	static const struct {
		enum finding_kind kind;
		enum cause cause;
		enum severity sev;
	} by_cause[] = {
#define X(e, n, s, w, t)
#define SEV_BY_CAUSE(e, c, s) {FIND_##e, CAUSE_##c, s},
#include "findings.def"
#undef SEV_BY_CAUSE
#undef X
	};
	for (size_t i = 0; i < sizeof(by_cause) / sizeof(by_cause[0]); i++)
		if (by_cause[i].kind == k && by_cause[i].cause == c)
			return by_cause[i].sev;
	return finding_severity(k);
}

const char *finding_meaning(enum finding_kind k)
{
	return (unsigned)k < FIND_COUNT ? kinds[k].meaning : "";
}

double finding_weight(enum finding_kind k)
{
	return (unsigned)k < FIND_COUNT ? kinds[k].weight : 0;
}

uint64_t finding_weight_milli(enum finding_kind k)
{
	return (uint64_t)(finding_weight(k) * 1000.0 + 0.5);
}

/* Each kind's rows gathered into one slice, in findings.def's order, once
 * (any thread may ask first). */
static struct finding_field kind_fields[NROWS];
static size_t kind_first[FIND_COUNT], kind_nfields[FIND_COUNT];
static pthread_once_t kind_index_once = PTHREAD_ONCE_INIT;

static void kind_index_build(void)
{
	size_t out = 0;
	for (int k = 0; k < FIND_COUNT; k++) {
		kind_first[k] = out;
		for (size_t i = 0; i < NROWS; i++)
			if (field_rows[i].kind == (enum finding_kind)k)
				kind_fields[out++] = field_rows[i].f;
		kind_nfields[k] = out - kind_first[k];
	}
}

const struct finding_field *finding_fields(enum finding_kind k, size_t *n)
{
	pthread_once(&kind_index_once, kind_index_build);
	if ((unsigned)k >= FIND_COUNT) {
		*n = 0;
		return NULL;
	}
	*n = kind_nfields[k];
	return &kind_fields[kind_first[k]];
}

uint64_t finding_field_uint(const struct finding_field *fd, const struct finding_event *ev)
{
	const unsigned char *p = (const unsigned char *)ev + fd->offset;
	switch ((enum finding_field_type)fd->type) {
	case FT_HEX16: {
		uint16_t v;
		memcpy(&v, p, sizeof(v));
		return v;
	}
	case FT_U32: {
		uint32_t v;
		memcpy(&v, p, sizeof(v));
		return v;
	}
	case FT_U64: {
		uint64_t v;
		memcpy(&v, p, sizeof(v));
		return v;
	}
	case FT_CAUSE:
	case FT_PROTO:
	case FT_BOOL:
		return *p;
	case FT_DBL1:
	case FT_DBL2:
	case FT_LABEL:
		break;
	}
	return 0;
}

double finding_field_double(const struct finding_field *fd, const struct finding_event *ev)
{
	if (fd->type != FT_DBL1 && fd->type != FT_DBL2)
		return (double)finding_field_uint(fd, ev);
	double v;
	memcpy(&v, (const unsigned char *)ev + fd->offset, sizeof(v));
	return v;
}

const char *finding_cause_words(enum finding_kind k)
{
	for (size_t i = 0; i < sizeof(cause_words) / sizeof(cause_words[0]); i++)
		if (cause_words[i].kind == k)
			return cause_words[i].words;
	return "";
}

/* Append one field's text to buf at *at. */
static void describe_field(const struct finding_field *fd, const struct finding_event *ev, char *buf,
			   size_t len, size_t *at)
{
	char v[32];
	const char *text = fd->text, *plural = "";
	char pick[64];
	switch ((enum finding_field_type)fd->type) {
	case FT_HEX16:
		snprintf(v, sizeof(v), "0x%04x", (unsigned)finding_field_uint(fd, ev));
		break;
	case FT_U32:
	case FT_U64: {
		uint64_t u = finding_field_uint(fd, ev);
		snprintf(v, sizeof(v), "%llu", (unsigned long long)u);
		plural = u == 1 ? "" : "s";
		break;
	}
	case FT_DBL1:
		snprintf(v, sizeof(v), "%.1f", finding_field_double(fd, ev));
		break;
	case FT_DBL2:
		snprintf(v, sizeof(v), "%.2f", finding_field_double(fd, ev));
		break;
	case FT_CAUSE:
		snprintf(v, sizeof(v), "%s", cause_name(ev->cause));
		break;
	case FT_PROTO:
		snprintf(v, sizeof(v), "%s", cause_name(ev->proto));
		break;
	case FT_BOOL: {
		/* "when true|when false" */
		const char *bar = strchr(text, '|');
		size_t tl = bar ? (size_t)(bar - text) : strlen(text);
		if (!finding_field_uint(fd, ev)) {
			text = bar ? bar + 1 : "";
			tl = strlen(text);
		}
		snprintf(pick, sizeof(pick), "%.*s", (int)tl, text);
		text = pick;
		v[0] = 0;
		break;
	}
	case FT_LABEL:
		v[0] = 0;
		break;
	}
	if (*at >= len)
		return;
	/* text holds at most two %s, both ours (findings.def). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	int n = snprintf(buf + *at, len - *at, text, v, plural);
#pragma GCC diagnostic pop
	if (n > 0)
		*at += (size_t)n < len - *at ? (size_t)n : len - *at - 1;
}

void finding_describe(const struct finding_event *ev, enum finding_form form, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = 0;
	size_t n, at = 0;
	const struct finding_field *fds = finding_fields((enum finding_kind)ev->kind, &n);
	for (size_t i = 0; i < n; i++)
		if (fds[i].form <= form && finding_field_present(&fds[i], ev))
			describe_field(&fds[i], ev, buf, len, &at);
	/* A form that leaves out the first field starts with its separator. */
	size_t skip = !strncmp(buf, ", ", 2) ? 2 : buf[0] == ' ' ? 1 : 0;
	if (skip)
		memmove(buf, buf + skip, strlen(buf + skip) + 1);
}

const char *cause_name(enum cause c)
{
	return (unsigned)c < CAUSE_COUNT ? causes[c] : "unknown";
}

const char *severity_name(enum severity s)
{
	static const char *const n[] = {"info", "low", "medium", "high"};
	return (unsigned)s < 4 ? n[s] : "info";
}

const char *flow_dir_name(enum flow_dir d)
{
	return d == DIR_C2S ? "c2s" : "s2c";
}
