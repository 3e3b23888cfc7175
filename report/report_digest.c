/*
 * report/report_digest.c — see report_digest.h. Callbacks of report_read.c
 * turn each piece of a report into counters and compact flow records.
 */
#include "report_digest.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/stall.h"
#include "report_read.h"

int digest_stall_cause(const char *word)
{
	for (int i = 0; i < STALL_CAUSES; i++)
		if (!strcmp(cause_name(stall_causes[i]), word))
			return i;
	return -1;
}

static int kind_index(const char *name)
{
	for (int k = 0; k < FIND_COUNT; k++)
		if (!strcmp(finding_name(k), name))
			return k;
	return -1;
}

static int cause_index(const char *name)
{
	for (int c = 1; c < CAUSE_COUNT; c++)
		if (!strcmp(cause_name(c), name))
			return c;
	return -1;
}

static uint64_t uint_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v) && json_integer_value(v) > 0)
		return (uint64_t)json_integer_value(v);
	return 0;
}

static void word_of(json_t *o, const char *key, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));
	snprintf(buf, len, "%s", s ? s : "");
}

static int on_header(void *user, const char *version, json_t *source)
{
	struct report_digest *d = user;
	snprintf(d->version, sizeof(d->version), "%s", version ? version : "?");
	const char *name = json_string_value(json_object_get(source, "name"));
	snprintf(d->source, sizeof(d->source), "%s", name ? name : "");
	return 0;
}

/* The enumerated word of an event of kind k: its CAUSE field (cause, side,
 * fate, limit or filled_by, as findings.def names it), NULL if it has none. */
static const char *event_word(json_t *ev, enum finding_kind k)
{
	size_t n;
	const struct finding_field *fd = finding_fields(k, &n);
	for (size_t i = 0; i < n; i++)
		if (fd[i].type == FT_CAUSE)
			return json_string_value(json_object_get(ev, fd[i].key));
	return NULL;
}

static int on_event(void *user, json_t *ev)
{
	struct report_digest *d = user;
	const char *kind = json_string_value(json_object_get(ev, "kind"));
	int k = kind ? kind_index(kind) : -1;
	if (k < 0) {
		d->unknown_kinds++;
		return 0;
	}
	const char *w = event_word(ev, (enum finding_kind)k);
	int c = w ? cause_index(w) : CAUSE_NONE;
	d->kind_cause[k][c < 0 ? CAUSE_UNKNOWN : c]++;
	return 0;
}

static void iw_of(json_t *o, struct digest_iw *iw)
{
	memset(iw, 0, sizeof(*iw));
	if (!json_is_object(o))
		return;
	iw->present = true;
	iw->segments = (uint32_t)uint_of(o, "segments");
	iw->bytes = (uint32_t)uint_of(o, "bytes");
	word_of(o, "limit", iw->limit, sizeof(iw->limit));
}

static void client_addr(const char *ep, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ep);
	char *colon = strrchr(buf, ':');
	if (colon)
		*colon = 0;
}

static int on_flow(void *user, json_t *fo)
{
	struct report_digest *d = user;
	struct digest_flow f = {.match = -1};
	f.id = (uint32_t)uint_of(fo, "id");
	const char *proto = json_string_value(json_object_get(fo, "proto"));
	f.udp = proto && !strcmp(proto, "udp");
	word_of(fo, "client", f.client, sizeof(f.client));
	word_of(fo, "server", f.server, sizeof(f.server));
	client_addr(f.client, f.client_addr, sizeof(f.client_addr));
	f.first_ts = json_number_value(json_object_get(fo, "first_ts"));
	f.retransmissions = (uint32_t)uint_of(fo, "retransmissions");
	json_t *st = json_object_get(fo, "stalls");
	f.stall_count = (uint32_t)uint_of(st, "count");
	const char *cause;
	json_t *ms;
	json_object_foreach(json_object_get(st, "by_cause"), cause, ms) {
		int i = digest_stall_cause(cause);
		if (i < 0)
			i = STALL_CAUSES - 1;
		f.stall_ms[i] += json_number_value(ms);
	}
	json_t *iw = json_object_get(fo, "initial_window");
	iw_of(json_object_get(iw, "c2s"), &f.iw[DIR_C2S]);
	iw_of(json_object_get(iw, "s2c"), &f.iw[DIR_S2C]);
	word_of(fo, "cc_guess", f.cc, sizeof(f.cc));
	f.capture_lost_bytes = uint_of(json_object_get(fo, "c2s"), "capture_lost_bytes") +
			       uint_of(json_object_get(fo, "s2c"), "capture_lost_bytes");
	f.events = (uint32_t)(uint_of(fo, "events") + uint_of(fo, "events_dropped"));

	/* Capture-wide sums stay exact whatever the flow cap. */
	d->flows_total++;
	d->retransmissions += f.retransmissions;
	d->capture_lost_bytes += f.capture_lost_bytes;
	for (int i = 0; i < STALL_CAUSES; i++)
		d->stall_ms[i] += f.stall_ms[i];
	if (d->nflows >= DIGEST_MAX_FLOWS) {
		d->flows_not_kept++;
		return 0;
	}
	if (d->nflows == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 64;
		struct digest_flow *nf = realloc(d->flows, ncap * sizeof(*nf));
		if (!nf)
			return -1;
		d->flows = nf;
		d->cap = ncap;
	}
	d->flows[d->nflows++] = f;
	return 0;
}

static int on_capture(void *user, json_t *c)
{
	struct report_digest *d = user;
	d->has_capture = true;
	d->packets = uint_of(c, "packets");
	d->events_not_written = uint_of(c, "events_not_written");
	return 0;
}

static int on_summary(void *user, json_t *s)
{
	struct report_digest *d = user;
	d->has_summary = true;
	const char *kind;
	json_t *n;
	json_object_foreach(json_object_get(s, "events"), kind, n) {
		int k = kind_index(kind);
		if (k >= 0)
			d->kind_count[k] = json_is_integer(n) ? (uint64_t)json_integer_value(n) : 0;
	}
	return 0;
}

static int finish(struct report_digest *d, int rc, char *err, size_t errlen)
{
	if (rc < 0)
		return -1;
	if (!d->has_summary) {
		snprintf(err, errlen, "%s: the report has no \"summary\": cut short?", d->name);
		return -1;
	}
	/* Stall counts per cause come from the events (the flows hold times). */
	for (int i = 0; i < STALL_CAUSES; i++)
		d->stall_n[i] = d->kind_cause[FIND_STALL][stall_causes[i]];
	return 0;
}

static void digest_cb(struct report_digest *d, struct report_read_cb *cb, char *err, size_t errlen)
{
	*cb = (struct report_read_cb){
		.user = d,
		.header = on_header,
		.event = on_event,
		.flow = on_flow,
		.capture = on_capture,
		.summary = on_summary,
		.err = err,
		.errlen = errlen,
	};
}

int report_digest_load(struct report_digest *d, const char *path, char *err, size_t errlen)
{
	struct report_read_cb cb;
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", path);
	digest_cb(d, &cb, err, errlen);
	return finish(d, report_read(path, &cb), err, errlen);
}

int report_digest_load_stream(struct report_digest *d, FILE *f, const char *name, char *err,
			      size_t errlen)
{
	struct report_read_cb cb;
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	digest_cb(d, &cb, err, errlen);
	if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: cannot read the report back", name);
		return -1;
	}
	return finish(d, report_read_stream(f, name, &cb), err, errlen);
}

void report_digest_free(struct report_digest *d)
{
	free(d->flows);
	d->flows = NULL;
	d->nflows = d->cap = 0;
}
