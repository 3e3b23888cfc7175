/*
 * report/report.h — report writers: text, JSON (schema 1 of design.md) and
 * JSONL. A writer is the analyzer's sink: it receives final events and ended
 * flows as they happen and writes them out at once (JSON keeps its flow list
 * in a temporary spool file), so memory does not grow with the capture.
 * report_finish() writes what only the end knows: totals and the diagnosis.
 *
 * Output depends only on what the analyzer hands over: no wall clock, no
 * addresses of memory, stable key order.
 */
#ifndef TCPLENS_REPORT_H
#define TCPLENS_REPORT_H

#include <stdio.h>

#include "analyze/analyzer.h"
#include "capture/capture.h"
#include "capture/ifinfo.h"

enum report_format {
	REPORT_TEXT = 0,
	REPORT_JSON,
	REPORT_JSONL,
	REPORT_HTML,      /* one self-contained page (report_html.c) */
};

struct report_meta {
	const char *source_kind;   /* "file", "pcap", "tpacket3", "nfqueue" */
	const char *source_name;   /* path or interface */
	int linktype;              /* DLT_* */
	enum ts_precision precision;
	const char *filter;        /* BPF expression or NULL */
	const struct iface_info *iface; /* live -i: driver and offloads, or NULL */
};

struct report;

struct report_ops {
	int (*begin)(struct report *r);
	void (*event)(struct report *r, const struct flow *f, const struct finding_event *ev);
	void (*flow_end)(struct report *r, const struct flow *f, enum flow_retire_reason why,
			 const struct flow_rounds *rounds);
	int (*finish)(struct report *r, const struct analyzer *a, const struct capture_stats *cs);
	void (*free_priv)(struct report *r);
	/* Optional: every TCP segment (the analyzer's segment observer). */
	void (*segment)(struct report *r, const struct segment_obs *o);
};

struct report {
	const struct report_ops *ops;
	FILE *out;
	struct report_meta meta;
	void *priv;
	const struct analyzer *an;   /* for what flows keep outside themselves */
	char err[256];
};

/* Parse "text", "json", "jsonl", "html". Returns -1 for anything else. */
int report_format_parse(const char *s);
/* Format implied by a file name's extension (.json, .jsonl, .txt, .html), or -1. */
int report_format_from_path(const char *path);

/* Create a writer on out (not closed by the report). NULL on failure with
 * errbuf set. */
struct report *report_new(enum report_format fmt, FILE *out, const struct report_meta *meta,
			  char *errbuf, size_t errlen);
/* Fill an analyzer sink whose calls go to r (damaged is left NULL). */
void report_bind(struct report *r, struct analyzer_sink *sink);
/* The analyzer feeding r (set once it exists, before the first packet). */
void report_set_analyzer(struct report *r, const struct analyzer *a);
/* Write the end of the report. 0, or -1 on a write error (r->err says). */
int report_finish(struct report *r, const struct analyzer *a, const struct capture_stats *cs);
void report_free(struct report *r);

/* Shared helpers for the writers */
/* "addr:port" or "[addr]:port" of endpoint i (0 client, 1 server). */
void report_endpoint(const struct flow_key *k, int i, char *buf, size_t len);
const char *report_retire_name(enum flow_retire_reason why);
const char *report_state_name(int state);

extern const struct report_ops report_json_ops;
extern const struct report_ops report_jsonl_ops;
extern const struct report_ops report_text_ops;
extern const struct report_ops report_html_ops;

#endif
