/*
 * report/report_json.h — the schema-1 report's objects (design.md), for the
 * writers that compose them into documents of their own: the JSON and JSONL
 * reports (report_json.c) and the HTML page's data (report_html.c). Each
 * writes one object or the fields of one, through w, in the contract's key
 * order.
 */
#ifndef TCPLENS_REPORT_JSON_H
#define TCPLENS_REPORT_JSON_H

#include "analyze/analyzer.h"
#include "jw.h"
#include "report.h"

/* The fields of one event, inside an open object. */
void json_event_fields(struct jw *w, const struct finding_event *ev, enum ts_precision p);
/* Its payload alone, as findings.def lists it (walking the field table);
 * flat: for a table's columns (ClickHouse): numbers for hex and booleans,
 * the enumerated word always under "cause". */
void json_event_payload(struct jw *w, const struct finding_event *ev, bool flat);
/* A flow, with its listed rounds (key NULL inside an array). */
void json_flow_object(struct jw *w, const char *key, const struct flow *f,
		      enum flow_retire_reason why, enum ts_precision p,
		      const struct flow_rounds *rounds);
/* A flow's first keys: id, proto, client, server and, in a tunnel, encap
 * (the JSON flow object and the HTML page's table rows). */
void json_flow_identity(struct jw *w, const struct flow *f);
/* "encap": the tunnel a flow rides in (f->key.tun_hash != 0). */
void json_encap_object(struct jw *w, const struct flow *f);
/* "link_encap": the link shims its frames came in, when any. */
void json_link_encap(struct jw *w, const struct flow *f);
void json_source_object(struct jw *w, const struct report_meta *m);
void json_capture_object(struct jw *w, const struct analyzer *a, const struct capture_stats *cs,
			 enum ts_precision p);
void json_summary_object(struct jw *w, const struct analyzer *a);

#endif
