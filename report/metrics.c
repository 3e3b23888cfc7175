/*
 * report/metrics.c — see metrics.h. The exposition text and the textfile;
 * the HTTP responder is metrics_http.c.
 *
 * Names follow Prometheus conventions: counters end in _total, seconds and
 * bytes in their unit. A finding's label `cause` is the enumerated word its
 * event carries (cause, side, fate, limit or filled_by; "none" for kinds
 * without one), as in the JSON events.
 */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/stall.h"
#include "clickhouse_sink.h"
#include "version.h"
#include "common/mono_clock.h"

struct metrics {
	struct metrics_config cfg;
	struct metrics_http *http;        /* NULL without --metrics */
	struct analyzer_totals *snap;     /* live snapshot (large: on the heap) */
	const struct analyzer *an;        /* during metrics_tick only */
	struct clickhouse_sink *ch;       /* --clickhouse, or NULL */
	char *text;                       /* METRICS_TEXT_MAX */
	char labels[METRICS_LABELS_MAX];  /* every series' host, interface, engine */
	double last_check, last_write;
};

struct out {
	char *p;
	size_t len, used;
	int overflow;
	const char *base;        /* the labels every series carries, "" = none */
	const char *sep;         /* "," after base when a series has its own */
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->p + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used) {
		o->overflow = 1;
		return;
	}
	o->used += (size_t)n;
}

static void head(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(struct out *o, const char *name, const char *type, const char *help, uint64_t v)
{
	head(o, name, type, help);
	if (*o->base)
		put(o, "%s{%s} %llu\n", name, o->base, (unsigned long long)v);
	else
		put(o, "%s %llu\n", name, (unsigned long long)v);
}

static void findings(struct out *o, const struct analyzer_totals *t)
{
	head(o, "tcplens_events_total", "counter", "Findings (events) by kind.");
	for (int k = 0; k < FIND_COUNT; k++)
		put(o, "tcplens_events_total{%s%skind=\"%s\"} %llu\n", o->base, o->sep,
		    finding_name((enum finding_kind)k),
		    (unsigned long long)t->kind_count[k]);
	head(o, "tcplens_findings_total", "counter",
	     "Findings by kind and cause (the event's cause, side, fate, limit or filled_by word).");
	for (int k = 0; k < FIND_COUNT; k++)
		for (int c = 0; c < CAUSE_COUNT; c++)
			if (t->cause_count[k][c])
				put(o, "tcplens_findings_total{%s%skind=\"%s\",cause=\"%s\"} %llu\n",
				    o->base, o->sep,
				    finding_name((enum finding_kind)k),
				    c == CAUSE_NONE ? "none" : cause_name((enum cause)c),
				    (unsigned long long)t->cause_count[k][c]);
}

static void stalls(struct out *o, const struct analyzer_totals *t)
{
	head(o, "tcplens_stalled_seconds_total", "counter",
	     "Time connections spent stalled, by cause (app_idle is think time, not a fault).");
	for (int i = 0; i < STALL_CAUSES; i++)
		put(o, "tcplens_stalled_seconds_total{%s%scause=\"%s\"} %.6f\n", o->base, o->sep,
		    cause_name(stall_causes[i]),
		    t->stall_ms[i] / MS_PER_S);
	head(o, "tcplens_stalls_total", "counter", "Stalls, by cause.");
	for (int i = 0; i < STALL_CAUSES; i++)
		put(o, "tcplens_stalls_total{%s%scause=\"%s\"} %llu\n", o->base, o->sep,
		    cause_name(stall_causes[i]),
		    (unsigned long long)t->stall_n[i]);
}

/* --clickhouse's sink: rows by table, retries, what its spool holds. */
static void clickhouse(struct out *o, const struct clickhouse_counters *c)
{
	static const char *const table[CLICKHOUSE_TABLES] = {"events", "flows"};
	head(o, "tcplens_clickhouse_rows_sent_total", "counter", "Rows ClickHouse accepted.");
	for (int t = 0; t < CLICKHOUSE_TABLES; t++)
		put(o, "tcplens_clickhouse_rows_sent_total{%s%stable=\"%s\"} %llu\n", o->base, o->sep,
		    table[t], (unsigned long long)c->sent[t]);
	head(o, "tcplens_clickhouse_rows_dropped_total", "counter",
	     "Rows lost: the spool was full, or unsent at the flush deadline.");
	for (int t = 0; t < CLICKHOUSE_TABLES; t++)
		put(o, "tcplens_clickhouse_rows_dropped_total{%s%stable=\"%s\"} %llu\n", o->base,
		    o->sep, table[t], (unsigned long long)c->dropped[t]);
	head(o, "tcplens_clickhouse_rows_rejected_total", "counter",
	     "Rows ClickHouse refused (a row it cannot parse or store), dropped.");
	for (int t = 0; t < CLICKHOUSE_TABLES; t++)
		put(o, "tcplens_clickhouse_rows_rejected_total{%s%stable=\"%s\"} %llu\n", o->base,
		    o->sep, table[t], (unsigned long long)c->rejected[t]);
	one(o, "tcplens_clickhouse_retries_total", "counter",
	    "Batches ClickHouse did not take, kept and sent again.", c->retried);
	one(o, "tcplens_clickhouse_spool_bytes", "gauge", "Bytes of rows waiting to be sent.",
	    c->spool_bytes);
}

int metrics_render(const struct metrics_input *in, char *buf, size_t len)
{
	const struct analyzer_totals *t = in->t;
	struct out o = {.p = buf, .len = len, .base = in->labels ? in->labels : ""};
	o.sep = *o.base ? "," : "";
	if (!len)
		return -1;
	buf[0] = 0;
	head(&o, "tcplens_info", "gauge", "The tcplens version (always 1).");
	put(&o, "tcplens_info{%s%sversion=\"%s\"} 1\n", o.base, o.sep, TCPLENS_VERSION);
	one(&o, "tcplens_capture_packets_total", "counter", "Frames read (after the BPF filter).",
	    t->frames);
	one(&o, "tcplens_capture_bytes_total", "counter", "Wire bytes of the frames read.", t->bytes);
	one(&o, "tcplens_tcp_segments_total", "counter", "Frames carrying TCP.", t->tcp_segments);
	one(&o, "tcplens_malformed_frames_total", "counter", "Frames the decoders rejected.",
	    t->malformed);
	if (in->cs && in->cs->kernel_drops_known)
		one(&o, "tcplens_kernel_drops_total", "counter",
		    "Frames the kernel dropped before tcplens saw them (live capture).",
		    in->cs->kernel_drops);
	one(&o, "tcplens_capture_loss_bytes_total", "counter",
	    "Bytes the receivers acknowledged that the capture never saw.", t->capture_lost_bytes);
	one(&o, "tcplens_retransmitted_bytes_total", "counter", "TCP payload bytes sent again.",
	    t->retrans_bytes);
	one(&o, "tcplens_flows_total", "counter", "Flows tracked (created).", t->flows);
	one(&o, "tcplens_flows_evicted_total", "counter",
	    "Open flows pushed out of the table by --max-flows.", t->flows_evicted);
	one(&o, "tcplens_flows_open", "gauge", "Flows tracked right now.", in->flows_open);
	one(&o, "tcplens_events_not_written_total", "counter",
	    "Events over the per-flow cap (--max-events), counted but not written.",
	    t->flow_part.events_dropped);
	findings(&o, t);
	stalls(&o, t);
	if (in->ch)
		clickhouse(&o, in->ch);
	head(&o, "tcplens_last_packet_timestamp_seconds", "gauge",
	     "Capture time of the last frame read (seconds since the epoch).");
	put(&o, "tcplens_last_packet_timestamp_seconds%s%s%s %llu.%09llu\n", *o.base ? "{" : "",
	    o.base, *o.base ? "}" : "", (unsigned long long)(t->last_ts / NS_PER_S_U64),
	    (unsigned long long)(t->last_ts % NS_PER_S_U64));
	return o.overflow ? -1 : (int)o.used;
}

/* One label, its value escaped (\\, \", \n), appended at *at. */
static void label(char *buf, size_t len, size_t *at, const char *name, const char *value)
{
	if (!value || !*value || *at >= len)
		return;
	size_t start = *at;
	int n = snprintf(buf + *at, len - *at, "%s%s=\"", *at ? "," : "", name);
	if (n < 0 || (size_t)n >= len - *at)
		goto cut;
	*at += (size_t)n;
	for (const char *v = value; *v; v++) {
		const char *esc = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" : *v == '\n' ? "\\n" : NULL;
		size_t need = esc ? 2 : 1;
		if (*at + need + 2 > len)
			goto cut;
		if (esc) {
			memcpy(buf + *at, esc, 2);
		} else {
			buf[*at] = *v;
		}
		*at += need;
	}
	buf[(*at)++] = '"';
	buf[*at] = 0;
	return;
cut: /* a label that does not fit is left out whole */
	*at = start;
	buf[start] = 0;
}

/* The label set of cfg, escaped as the exposition format wants, into buf:
 * 'host="web-1",interface="eth0",engine="tpacket3"'. */
static void metrics_labels(const struct metrics_config *cfg, char *buf, size_t len)
{
	char host[256] = "";
	const char *h = cfg->host;
	if (!h) {
		if (gethostname(host, sizeof(host) - 1) < 0)
			host[0] = 0;
		h = host;
	}
	size_t at = 0;
	if (len)
		buf[0] = 0;
	label(buf, len, &at, "host", h);
	label(buf, len, &at, "interface", cfg->interface);
	label(buf, len, &at, "engine", cfg->engine);
}

int metrics_write_file(const char *path, const char *text, size_t n, char *err, size_t errlen)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "--metrics-file: path too long");
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (!text) {                 /* a probe: the directory is writable */
		close(fd);
		unlink(tmp);
		return 0;
	}
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, text + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		done += (size_t)w;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct metrics *metrics_new(const struct metrics_config *cfg, char *err, size_t errlen)
{
	struct metrics *m = calloc(1, sizeof(*m));
	if (!m || !(m->snap = malloc(sizeof(*m->snap))) || !(m->text = malloc(METRICS_TEXT_MAX))) {
		snprintf(err, errlen, "out of memory");
		metrics_free(m);
		return NULL;
	}
	m->cfg = *cfg;
	metrics_labels(cfg, m->labels, sizeof(m->labels));
	if (!(m->cfg.interval_s > 0))
		m->cfg.interval_s = 15;
	/* An unwritable --metrics-file is said at once, not after the capture. */
	if (cfg->file && metrics_write_file(cfg->file, NULL, 0, err, errlen) < 0) {
		metrics_free(m);
		return NULL;
	}
	if (cfg->listen && !(m->http = metrics_http_new(cfg->listen, err, errlen))) {
		metrics_free(m);
		return NULL;
	}
	m->last_check = m->last_write = mono_clock_s();
	return m;
}

/* The live text, from a fresh snapshot. NULL when it did not fit. */
static const char *render_live(void *user, size_t *n)
{
	struct metrics *m = user;
	struct capture_stats cs;
	memset(&cs, 0, sizeof(cs));
	if (m->cfg.stats && m->cfg.stats(m->cfg.stats_user, &cs) < 0)
		cs.kernel_drops_known = 0;
	analyzer_snapshot_totals(m->an, m->snap);
	struct clickhouse_counters cc;
	if (m->ch)
		clickhouse_sink_counters(m->ch, &cc);
	struct metrics_input in = {.t = m->snap, .cs = &cs, .flows_open = analyzer_flows_open(m->an),
				   .labels = m->labels, .ch = m->ch ? &cc : NULL};
	int len = metrics_render(&in, m->text, METRICS_TEXT_MAX);
	if (len < 0)
		return NULL;
	*n = (size_t)len;
	return m->text;
}

int metrics_tick(struct metrics *m, const struct analyzer *an, char *err, size_t errlen)
{
	double now = mono_clock_s();
	if (now - m->last_check < 0.02)
		return 0;
	m->last_check = now;
	m->an = an;
	if (m->http)
		metrics_http_poll(m->http, render_live, m);
	if (!m->cfg.file || now - m->last_write < m->cfg.interval_s)
		return 0;
	m->last_write = now;
	size_t n;
	if (!render_live(m, &n)) {
		snprintf(err, errlen, "metrics text too long");
		return -1;
	}
	return metrics_write_file(m->cfg.file, m->text, n, err, errlen);
}

int metrics_finish(struct metrics *m, const struct analyzer *an, const struct capture_stats *cs,
		   char *err, size_t errlen)
{
	if (!m->cfg.file)
		return 0;
	struct clickhouse_counters cc;
	if (m->ch)
		clickhouse_sink_counters(m->ch, &cc);
	struct metrics_input in = {.t = analyzer_totals(an), .cs = cs,
				   .flows_open = analyzer_flows_open(an), .labels = m->labels,
				   .ch = m->ch ? &cc : NULL};
	int len = metrics_render(&in, m->text, METRICS_TEXT_MAX);
	if (len < 0) {
		snprintf(err, errlen, "metrics text too long");
		return -1;
	}
	return metrics_write_file(m->cfg.file, m->text, (size_t)len, err, errlen);
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	metrics_http_free(m->http);
	free(m->snap);
	free(m->text);
	free(m);
}

void metrics_set_clickhouse(struct metrics *m, struct clickhouse_sink *ch)
{
	m->ch = ch;
}
