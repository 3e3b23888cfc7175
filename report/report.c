/*
 * report/report.c — writer selection and helpers shared by the formats.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/flow.h"

int report_format_parse(const char *s)
{
	if (!strcmp(s, "text"))
		return REPORT_TEXT;
	if (!strcmp(s, "json"))
		return REPORT_JSON;
	if (!strcmp(s, "jsonl"))
		return REPORT_JSONL;
	if (!strcmp(s, "html"))
		return REPORT_HTML;
	return -1;
}

int report_format_from_path(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot)
		return -1;
	if (!strcasecmp(dot, ".json"))
		return REPORT_JSON;
	if (!strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".ndjson"))
		return REPORT_JSONL;
	if (!strcasecmp(dot, ".txt"))
		return REPORT_TEXT;
	if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"))
		return REPORT_HTML;
	return -1;
}

static void sink_event(void *user, const struct flow *f, const struct finding_event *ev)
{
	struct report *r = user;
	r->ops->event(r, f, ev);
}

static void sink_flow_end(void *user, const struct flow *f, enum flow_retire_reason why,
			  const struct flow_rounds *rounds)
{
	struct report *r = user;
	r->ops->flow_end(r, f, why, rounds);
}

static void sink_segment(void *user, const struct segment_obs *o)
{
	struct report *r = user;
	r->ops->segment(r, o);
}

struct report *report_new(enum report_format fmt, FILE *out, const struct report_meta *meta,
			  char *errbuf, size_t errlen)
{
	struct report *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	r->out = out;
	r->meta = *meta;
	r->ops = fmt == REPORT_JSON ? &report_json_ops
		 : fmt == REPORT_JSONL ? &report_jsonl_ops
		 : fmt == REPORT_HTML  ? &report_html_ops
				       : &report_text_ops;
	if (r->ops->begin(r) < 0) {
		snprintf(errbuf, errlen, "%s", r->err[0] ? r->err : "cannot start the report");
		report_free(r);
		return NULL;
	}
	return r;
}

void report_bind(struct report *r, struct analyzer_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->user = r;
	sink->event = sink_event;
	sink->flow_end = sink_flow_end;
	if (r->ops->segment) {
		sink->segment = sink_segment;
		sink->segment_user = r;
	}
}

void report_set_analyzer(struct report *r, const struct analyzer *a)
{
	r->an = a;
}

int report_finish(struct report *r, const struct analyzer *a, const struct capture_stats *cs)
{
	int rc = r->ops->finish(r, a, cs);
	if (fflush(r->out) != 0 || ferror(r->out)) {
		snprintf(r->err, sizeof(r->err), "write error on the report output");
		return -1;
	}
	return rc;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	if (r->ops && r->ops->free_priv)
		r->ops->free_priv(r);
	free(r);
}

void report_endpoint(const struct flow_key *k, int i, char *buf, size_t len)
{
	flow_endpoint(k, i, buf, len);
}

const char *report_retire_name(enum flow_retire_reason why)
{
	switch (why) {
	case RETIRE_CLOSED: return "closed";
	case RETIRE_EVICTED: return "evicted";
	case RETIRE_REPLACED: return "replaced";
	case RETIRE_END: return "end_of_capture";
	}
	return "unknown";
}

const char *report_state_name(int state)
{
	switch (state) {
	case FLOW_SYN_SENT: return "syn_sent";
	case FLOW_SYN_RCVD: return "syn_received";
	case FLOW_ESTABLISHED: return "established";
	case FLOW_CLOSING: return "closing";
	case FLOW_CLOSED: return "closed";
	case FLOW_MIDSTREAM: return "midstream";
	}
	return "unknown";
}
