/*
 * report/report_json.c — JSON (schema 1, one document) and JSONL (one object
 * a line) writers. Values and escaping are jansson's; the document itself is
 * written as a stream: events as they become final, flows into a temporary
 * spool as they end, the spool copied out and the summary written last.
 *
 * Timestamps are exact: seconds with the capture's own precision (6 or 9
 * decimals), which a double cannot hold for nanosecond captures, so they are
 * spliced in as number text ahead of the jansson-encoded keys.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/diagnose.h"
#include "report.h"
#include "version.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

struct json_priv {
	FILE *spool;           /* flows, one object a line (JSON document only) */
	uint64_t nevents, nflows;
	bool jsonl;
};

struct raw_num {
	const char *key;
	char text[32];
};

/* Write {raw keys..., obj's keys...} followed by nothing (caller adds
 * separators). Consumes obj. */
static void write_obj(FILE *out, const struct raw_num *raw, size_t nraw, json_t *obj)
{
	char *s = json_dumps(obj, DUMP_FLAGS);
	json_decref(obj);
	fputc('{', out);
	for (size_t i = 0; i < nraw; i++) {
		if (i)
			fputc(',', out);
		fprintf(out, "\"%s\":%s", raw[i].key, raw[i].text);
	}
	if (s && strlen(s) > 2) {
		if (nraw)
			fputc(',', out);
		fputs(s + 1, out); /* skip '{', keep the closing '}' */
	} else {
		fputc('}', out);
	}
	free(s);
}

static json_t *ms(double v)
{
	/* Milliseconds to the microsecond: stable text across platforms. */
	return json_real((double)(long long)(v * 1000.0 + (v >= 0 ? 0.5 : -0.5)) / 1000.0);
}

static json_t *hex16(uint16_t v)
{
	char b[8];
	snprintf(b, sizeof(b), "0x%04x", v);
	return json_string(b);
}

static json_t *event_fields(const struct tcp_event *ev)
{
	json_t *o = json_object();
	json_object_set_new(o, "frame", json_integer((json_int_t)ev->frame));
	json_object_set_new(o, "flow", ev->flow_id ? json_integer(ev->flow_id) : json_null());
	json_object_set_new(o, "dir", json_string(flow_dir_name(ev->dir)));
	json_object_set_new(o, "kind", json_string(finding_name(ev->kind)));
	const char *c = cause_name(ev->cause);
	switch ((enum finding_kind)ev->kind) {
	case FIND_CSUM_OFFLOAD:
	case FIND_CSUM_BAD:
		json_object_set_new(o, "proto", json_string(cause_name(ev->proto)));
		json_object_set_new(o, "found", hex16(ev->u.csum.found));
		json_object_set_new(o, "expected", hex16(ev->u.csum.expected));
		json_object_set_new(o, ev->kind == FIND_CSUM_OFFLOAD ? "side" : "fate", json_string(c));
		if (ev->kind == FIND_CSUM_BAD && ev->cause == CAUSE_DROPPED)
			json_object_set_new(o, "resent_after_ms", ms(ev->u.csum.resent_ms));
		break;
	case FIND_IP_CSUM_BAD:
		json_object_set_new(o, "found", hex16(ev->u.csum.found));
		json_object_set_new(o, "expected", hex16(ev->u.csum.expected));
		break;
	case FIND_GIANT_SEGMENT:
		json_object_set_new(o, "bytes", json_integer(ev->u.giant.bytes));
		json_object_set_new(o, "mss", json_integer(ev->u.giant.mss));
		json_object_set_new(o, "multiple", ms(ev->u.giant.multiple));
		json_object_set_new(o, "cause", json_string(c));
		break;
	case FIND_RETRANSMISSION:
		json_object_set_new(o, "seq", json_integer(ev->u.retrans.seq));
		json_object_set_new(o, "bytes", json_integer(ev->u.retrans.bytes));
		json_object_set_new(o, "cause", json_string(c));
		break;
	case FIND_CAPTURE_LOSS:
		json_object_set_new(o, "seq", json_integer(ev->u.retrans.seq));
		json_object_set_new(o, "bytes", json_integer(ev->u.retrans.bytes));
		break;
	case FIND_SACK_GAP:
		json_object_set_new(o, "seq", json_integer(ev->u.gap.seq));
		json_object_set_new(o, "bytes", json_integer(ev->u.gap.bytes));
		json_object_set_new(o, "fill_ms", ms(ev->u.gap.fill_ms));
		json_object_set_new(o, "filled_by", json_string(c));
		break;
	case FIND_STALL:
		json_object_set_new(o, "duration_ms", ms(ev->u.stall.duration_ms));
		json_object_set_new(o, "cause", json_string(c));
		json_object_set_new(o, "outstanding_bytes", json_integer((json_int_t)ev->u.stall.outstanding));
		break;
	case FIND_INITIAL_WINDOW:
		json_object_set_new(o, "segments", json_integer(ev->u.iw.segments));
		json_object_set_new(o, "bytes", json_integer(ev->u.iw.bytes));
		json_object_set_new(o, "mss", json_integer(ev->u.iw.mss));
		json_object_set_new(o, "limit", json_string(c));
		break;
	case FIND_CWND_REDUCTION:
		json_object_set_new(o, "before_bytes", json_integer((json_int_t)ev->u.reduction.before));
		json_object_set_new(o, "after_bytes", json_integer((json_int_t)ev->u.reduction.after));
		json_object_set_new(o, "ratio", ms(ev->u.reduction.ratio));
		break;
	case FIND_IDLE_RESTART:
		json_object_set_new(o, "idle_ms", ms(ev->u.idle.idle_ms));
		json_object_set_new(o, "before_bytes", json_integer((json_int_t)ev->u.idle.before));
		json_object_set_new(o, "after_bytes", json_integer((json_int_t)ev->u.idle.after));
		break;
	case FIND_SYN_RETRANSMIT:
		json_object_set_new(o, "attempt", json_integer(ev->u.syn.attempt));
		json_object_set_new(o, "after_ms", ms(ev->u.syn.after_ms));
		json_object_set_new(o, "synack", json_boolean(ev->u.syn.synack));
		break;
	case FIND_ZERO_WINDOW:
	case FIND_RST:
	case FIND_COUNT:
		break;
	}
	return o;
}

static json_t *half_json(const struct tcp_half *h)
{
	json_t *o = json_object();
	json_object_set_new(o, "packets", json_integer((json_int_t)h->packets));
	json_object_set_new(o, "bytes", json_integer((json_int_t)h->bytes));
	json_object_set_new(o, "payload_bytes", json_integer((json_int_t)h->payload_bytes));
	json_object_set_new(o, "retransmissions", json_integer(h->retransmissions));
	json_object_set_new(o, "retransmitted_bytes", json_integer((json_int_t)h->retrans_bytes));
	json_object_set_new(o, "zero_windows", json_integer(h->zero_windows));
	json_object_set_new(o, "csum_ok", json_integer(h->csum_ok));
	json_object_set_new(o, "csum_bad", json_integer(h->csum_bad));
	json_object_set_new(o, "csum_bad_dropped", json_integer(h->csum_bad_dropped));
	json_object_set_new(o, "csum_bad_accepted", json_integer(h->csum_bad_accepted));
	json_object_set_new(o, "csum_offload", json_integer(h->csum_offload));
	json_object_set_new(o, "giant_segments", json_integer(h->giants));
	json_object_set_new(o, "max_segment", json_integer(h->max_payload));
	json_object_set_new(o, "wscale", h->wscale >= 0 ? json_integer(h->wscale) : json_null());
	json_object_set_new(o, "sack_permitted", json_boolean(h->sack_ok));
	json_object_set_new(o, "timestamps", json_boolean(h->ts_ok));
	return o;
}

static json_t *pair(json_t *c2s, json_t *s2c)
{
	json_t *o = json_object();
	json_object_set_new(o, "c2s", c2s);
	json_object_set_new(o, "s2c", s2c);
	return o;
}

static json_t *flow_fields(const struct flow *f, enum flow_retire_reason why)
{
	char ep[64];
	json_t *o = json_object();
	const struct tcp_half *c = &f->half[DIR_C2S], *s = &f->half[DIR_S2C];
	json_object_set_new(o, "id", json_integer(f->id));
	json_object_set_new(o, "proto", json_string(f->key.proto == 6 ? "tcp" : "udp"));
	report_endpoint(&f->key, 0, ep, sizeof(ep));
	json_object_set_new(o, "client", json_string(ep));
	report_endpoint(&f->key, 1, ep, sizeof(ep));
	json_object_set_new(o, "server", json_string(ep));
	json_object_set_new(o, "client_from_syn", json_boolean(f->client_from_syn));
	json_object_set_new(o, "packets", json_integer((json_int_t)(c->packets + s->packets)));
	json_object_set_new(o, "bytes", json_integer((json_int_t)(c->bytes + s->bytes)));
	json_object_set_new(o, "first_frame", json_integer((json_int_t)f->first_frame));
	json_object_set_new(o, "state", json_string(report_state_name(f->state)));
	json_object_set_new(o, "end", json_string(report_retire_name(why)));
	if (f->key.proto != 6) {
		json_object_set_new(o, "c2s", half_json(c));
		json_object_set_new(o, "s2c", half_json(s));
		return o;
	}
	json_object_set_new(o, "mss", pair(c->mss ? json_integer(c->mss) : json_null(),
					   s->mss ? json_integer(s->mss) : json_null()));
	json_object_set_new(o, "handshake_ms",
			    f->hs_ack_ts && f->syn_ts && f->hs_ack_ts >= f->syn_ts
				    ? ms((double)(f->hs_ack_ts - f->syn_ts) / 1e6)
				    : json_null());
	json_t *rtt = json_object();
	bool have = f->rtt.count > 0;
	json_object_set_new(rtt, "min", have ? ms(f->rtt.min_ms) : json_null());
	json_object_set_new(rtt, "p50", have ? ms(rtt_stats_p50(&f->rtt)) : json_null());
	json_object_set_new(rtt, "max", have ? ms(f->rtt.max_ms) : json_null());
	json_object_set_new(rtt, "samples", json_integer(f->rtt.count));
	json_object_set_new(o, "rtt_ms", rtt);
	json_object_set_new(o, "retransmissions", json_integer(c->retransmissions + s->retransmissions));
	/* Filled by the congestion-window analysis; null = not determined. */
	json_object_set_new(o, "initial_window", pair(json_null(), json_null()));
	json_object_set_new(o, "cc_guess", json_string("unknown"));
	json_t *st = json_object();
	json_object_set_new(st, "count", json_integer(f->kind_count[FIND_STALL]));
	json_object_set_new(st, "total_ms", json_real(0));
	json_object_set_new(st, "by_cause", json_object());
	json_object_set_new(o, "stalls", st);
	json_object_set_new(o, "cwnd_rounds", pair(json_array(), json_array()));
	json_object_set_new(o, "c2s", half_json(c));
	json_object_set_new(o, "s2c", half_json(s));
	json_object_set_new(o, "events", json_integer(f->events));
	json_object_set_new(o, "events_dropped", json_integer(f->events_dropped));
	return o;
}

static void flow_raw(const struct flow *f, enum ts_precision p, struct raw_num raw[2])
{
	raw[0].key = "first_ts";
	report_ts(f->first_ts, p, raw[0].text, sizeof(raw[0].text));
	raw[1].key = "last_ts";
	report_ts(f->last_ts, p, raw[1].text, sizeof(raw[1].text));
}

static json_t *source_json(const struct report_meta *m)
{
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(m->source_kind));
	json_object_set_new(o, "name", json_string(m->source_name));
	const char *lt = pcap_datalink_val_to_name(m->linktype);
	json_object_set_new(o, "linktype", lt ? json_string(lt) : json_integer(m->linktype));
	json_object_set_new(o, "filter", m->filter && *m->filter ? json_string(m->filter) : json_null());
	return o;
}

static json_t *capture_fields(const struct analyzer *a, const struct capture_stats *cs)
{
	const struct analyzer_totals *t = analyzer_totals(a);
	json_t *o = json_object();
	json_object_set_new(o, "packets", json_integer((json_int_t)t->frames));
	json_object_set_new(o, "bytes", json_integer((json_int_t)t->bytes));
	json_object_set_new(o, "tcp_segments", json_integer((json_int_t)t->tcp_segments));
	json_object_set_new(o, "udp_datagrams", json_integer((json_int_t)t->udp_datagrams));
	json_object_set_new(o, "other_ip", json_integer((json_int_t)t->other_ip));
	json_object_set_new(o, "non_ip", json_integer((json_int_t)t->non_ip));
	json_object_set_new(o, "malformed", json_integer((json_int_t)t->malformed));
	json_object_set_new(o, "ip_fragments", json_integer((json_int_t)t->fragments));
	json_object_set_new(o, "csum_unverifiable", json_integer((json_int_t)t->csum_unverifiable));
	json_object_set_new(o, "kernel_drops", cs->kernel_drops_known
						       ? json_integer((json_int_t)cs->kernel_drops)
						       : json_null());
	json_object_set_new(o, "flows", json_integer((json_int_t)t->flows));
	json_object_set_new(o, "flows_evicted", json_integer((json_int_t)t->flows_evicted));
	json_object_set_new(o, "max_flows", json_integer((json_int_t)analyzer_config(a)->max_flows));
	json_object_set_new(o, "events_per_flow_cap",
			    json_integer(analyzer_config(a)->max_events_per_flow));
	json_object_set_new(o, "events_not_written", json_integer((json_int_t)t->events_dropped));
	return o;
}

static void capture_raw(const struct analyzer *a, enum ts_precision p, struct raw_num raw[2])
{
	const struct analyzer_totals *t = analyzer_totals(a);
	raw[0].key = "first_ts";
	raw[1].key = "last_ts";
	if (t->frames) {
		report_ts(t->first_ts, p, raw[0].text, sizeof(raw[0].text));
		report_ts(t->last_ts, p, raw[1].text, sizeof(raw[1].text));
	} else {
		strcpy(raw[0].text, "null");
		strcpy(raw[1].text, "null");
	}
}

static json_t *host_json(const struct host_stats *h)
{
	char addr[48];
	if (h->ip_ver)
		inet_ntop(h->ip_ver == 4 ? AF_INET : AF_INET6, h->addr, addr, sizeof(addr));
	else
		snprintf(addr, sizeof(addr), "other");
	json_t *o = json_object();
	json_object_set_new(o, "host", json_string(addr));
	json_object_set_new(o, "segments", json_integer((json_int_t)h->segments));
	json_object_set_new(o, "csum_ok", json_integer((json_int_t)h->csum_ok));
	json_t *off = json_object();
	json_object_set_new(off, "tx", json_integer((json_int_t)h->offload[CSUM_SIDE_TX]));
	json_object_set_new(off, "rx", json_integer((json_int_t)h->offload[CSUM_SIDE_RX]));
	json_object_set_new(off, "unknown", json_integer((json_int_t)h->offload[CSUM_SIDE_UNKNOWN]));
	json_object_set_new(o, "csum_offload", off);
	json_object_set_new(o, "csum_bad", json_integer((json_int_t)h->bad));
	json_object_set_new(o, "csum_bad_dropped", json_integer((json_int_t)h->bad_dropped));
	json_object_set_new(o, "csum_bad_accepted", json_integer((json_int_t)h->bad_accepted));
	json_object_set_new(o, "resent_after_ms_avg",
			    h->bad_dropped ? ms(h->resent_ms / (double)h->bad_dropped) : json_null());
	json_object_set_new(o, "giant_segments", json_integer((json_int_t)h->giants));
	return o;
}

/* Per sending host: the checksum aggregates behind the findings. */
static json_t *hosts_json(const struct analyzer_totals *t)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < t->nhosts; i++)
		json_array_append_new(arr, host_json(&t->hosts[i]));
	if (t->hosts_other.segments)
		json_array_append_new(arr, host_json(&t->hosts_other));
	return arr;
}

static json_t *summary_json(const struct analyzer *a)
{
	const struct analyzer_totals *t = analyzer_totals(a);
	json_t *o = json_object();
	json_t *ev = json_object();
	for (int k = 0; k < FIND_COUNT; k++)
		json_object_set_new(ev, finding_name(k), json_integer((json_int_t)t->kind_count[k]));
	json_object_set_new(o, "events", ev);
	struct finding *fs = calloc(DIAG_MAX_FINDINGS, sizeof(*fs));
	size_t n = fs ? diagnose(t, fs, DIAG_MAX_FINDINGS) : 0;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_object();
		json_object_set_new(f, "kind", json_string(finding_name(fs[i].kind)));
		if (fs[i].cause != CAUSE_NONE)
			json_object_set_new(f, "cause", json_string(cause_name(fs[i].cause)));
		if (fs[i].host[0])
			json_object_set_new(f, "host", json_string(fs[i].host));
		json_object_set_new(f, "count", json_integer((json_int_t)fs[i].count));
		json_object_set_new(f, "severity", json_string(severity_name(fs[i].severity)));
		json_object_set_new(f, "explanation", json_string(fs[i].explanation));
		json_object_set_new(f, "remedy", json_string(fs[i].remedy));
		json_array_append_new(arr, f);
	}
	json_object_set_new(o, "findings", arr);
	free(fs);
	json_object_set_new(o, "checksums_by_sender", hosts_json(t));
	json_t *g = json_object();
	static const char *const gb[GIANT_BUCKETS] = {"<2", "2-4", "4-8", "8-16", "16-32", ">=32"};
	for (int b = 0; b < GIANT_BUCKETS; b++)
		json_object_set_new(g, gb[b], json_integer((json_int_t)t->giant_by_multiple[b]));
	json_object_set_new(o, "giant_segments_by_mss_multiple", g);
	return o;
}

static void write_summary(FILE *out, const struct analyzer *a)
{
	json_t *sum = summary_json(a);
	char *s = json_dumps(sum, DUMP_FLAGS);
	json_decref(sum);
	fputs(s ? s : "null", out);
	free(s);
}

/* ---- JSON document ---- */

static int json_begin(struct report *r)
{
	struct json_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	r->priv = p;
	p->spool = tmpfile();
	if (!p->spool) {
		snprintf(r->err, sizeof(r->err), "cannot create a temporary file for the flow list "
			 "(set TMPDIR to a writable directory)");
		return -1;
	}
	json_t *src = source_json(&r->meta);
	char *s = json_dumps(src, DUMP_FLAGS);
	json_decref(src);
	fprintf(r->out, "{\"tcplens\":\"%s\",\"schema\":1,\"source\":%s,\n\"events\":[\n",
		TCPLENS_VERSION, s ? s : "null");
	free(s);
	return 0;
}

static void json_event(struct report *r, const struct flow *f, const struct tcp_event *ev)
{
	struct json_priv *p = r->priv;
	(void)f;
	struct raw_num ts = {.key = "ts"};
	report_ts(ev->ts_ns, r->meta.precision, ts.text, sizeof(ts.text));
	if (p->nevents++)
		fputs(",\n", r->out);
	write_obj(r->out, &ts, 1, event_fields(ev));
}

static void json_flow_end(struct report *r, const struct flow *f, enum flow_retire_reason why)
{
	struct json_priv *p = r->priv;
	struct raw_num raw[2];
	flow_raw(f, r->meta.precision, raw);
	if (p->nflows++)
		fputs(",\n", p->spool);
	write_obj(p->spool, raw, 2, flow_fields(f, why));
}

static int copy_spool(FILE *spool, FILE *out)
{
	char buf[65536];
	size_t n;
	if (fflush(spool) != 0 || fseek(spool, 0, SEEK_SET) != 0)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), spool)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			return -1;
	return ferror(spool) ? -1 : 0;
}

static int json_finish(struct report *r, const struct analyzer *a, const struct capture_stats *cs)
{
	struct json_priv *p = r->priv;
	fputs(p->nevents ? "\n],\n\"flows\":[\n" : "],\n\"flows\":[\n", r->out);
	if (copy_spool(p->spool, r->out) < 0) {
		snprintf(r->err, sizeof(r->err), "cannot read back the temporary flow list");
		return -1;
	}
	fputs(p->nflows ? "\n],\n\"capture\":" : "],\n\"capture\":", r->out);
	struct raw_num raw[2];
	capture_raw(a, r->meta.precision, raw);
	write_obj(r->out, raw, 2, capture_fields(a, cs));
	fputs(",\n\"summary\":", r->out);
	write_summary(r->out, a);
	fputs("}\n", r->out);
	return 0;
}

static void json_free(struct report *r)
{
	struct json_priv *p = r->priv;
	if (!p)
		return;
	if (p->spool)
		fclose(p->spool);
	free(p);
	r->priv = NULL;
}

const struct report_ops report_json_ops = {
	.begin = json_begin,
	.event = json_event,
	.flow_end = json_flow_end,
	.finish = json_finish,
	.free_priv = json_free,
};

/* ---- JSONL: {"type": start | event | flow | end} a line ---- */

static int jsonl_begin(struct report *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("start"));
	json_object_set_new(o, "tcplens", json_string(TCPLENS_VERSION));
	json_object_set_new(o, "schema", json_integer(1));
	json_object_set_new(o, "source", source_json(&r->meta));
	write_obj(r->out, NULL, 0, o);
	fputc('\n', r->out);
	return 0;
}

static void jsonl_event(struct report *r, const struct flow *f, const struct tcp_event *ev)
{
	(void)f;
	struct raw_num ts = {.key = "ts"};
	report_ts(ev->ts_ns, r->meta.precision, ts.text, sizeof(ts.text));
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("event"));
	json_t *fields = event_fields(ev);
	json_object_update(o, fields);
	json_decref(fields);
	write_obj(r->out, &ts, 1, o);
	fputc('\n', r->out);
	fflush(r->out); /* a stream: a reader downstream sees each event now */
}

static void jsonl_flow_end(struct report *r, const struct flow *f, enum flow_retire_reason why)
{
	struct raw_num raw[2];
	flow_raw(f, r->meta.precision, raw);
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("flow"));
	json_t *ff = flow_fields(f, why);
	json_object_update(o, ff);
	json_decref(ff);
	write_obj(r->out, raw, 2, o);
	fputc('\n', r->out);
}

static int jsonl_finish(struct report *r, const struct analyzer *a, const struct capture_stats *cs)
{
	struct raw_num raw[2];
	capture_raw(a, r->meta.precision, raw);
	fputs("{\"type\":\"end\",\"capture\":", r->out);
	write_obj(r->out, raw, 2, capture_fields(a, cs));
	fputs(",\"summary\":", r->out);
	write_summary(r->out, a);
	fputs("}\n", r->out);
	return 0;
}

const struct report_ops report_jsonl_ops = {
	.begin = jsonl_begin,
	.event = jsonl_event,
	.flow_end = jsonl_flow_end,
	.finish = jsonl_finish,
	.free_priv = NULL,
};
