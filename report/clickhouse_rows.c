/*
 * report/clickhouse_rows.c — see clickhouse_rows.h. The event payload is
 * walked from findings.def's field table (finding_fields), as the JSON
 * writer walks it; the flow columns use the JSON writer's helpers
 * (report.h, report_fields.h) so each value is the report's.
 */
#include "clickhouse_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/cwnd.h"
#include "analyze/stall.h"
#include "report.h"
#include "report_fields.h"
#include "report_json.h"

int clickhouse_origin_init(struct clickhouse_origin *o, const char *host, const char *kind,
			   const char *name, uint64_t run)
{
	o->text = NULL;
	o->len = 0;
	FILE *m = open_memstream(&o->text, &o->len);
	if (!m)
		return -1;
	/* A row's last columns: the row has others before, hence the comma. */
	struct jw w;
	jw_init(&w, m);
	w.need_comma[0] = true;
	jw_string(&w, "host", host);
	jw_string(&w, "source_kind", kind);
	jw_string(&w, "source_name", name);
	jw_uint(&w, "run", run);
	jw_flush(&w);
	if (fclose(m) != 0 || !o->text) {
		clickhouse_origin_free(o);
		return -1;
	}
	return 0;
}

void clickhouse_origin_free(struct clickhouse_origin *o)
{
	free(o->text);
	o->text = NULL;
	o->len = 0;
}

static void row_end(struct jw *w, const struct clickhouse_origin *o)
{
	jw_put(w, o->text, o->len);
	jw_obj_close(w);
	jw_newline(w);
}

/* client, server (endpoint text) and server_port of f's row or event. */
static void endpoints(struct jw *w, const struct flow *f)
{
	char ep[64];
	report_endpoint(&f->key, 0, ep, sizeof(ep));
	jw_word(w, "client", ep);
	report_endpoint(&f->key, 1, ep, sizeof(ep));
	jw_word(w, "server", ep);
	jw_uint(w, "server_port", f->key.port[1]);
}

void clickhouse_row_event(struct jw *w, const struct clickhouse_origin *o, const struct flow *f,
			  const struct finding_event *ev)
{
	jw_obj_open(w, NULL);
	jw_uint(w, "ts_ns", ev->ts_ns);
	jw_uint(w, "frame", ev->frame);
	jw_uint(w, "flow", ev->flow_id);  /* 0: outside any flow (JSON: null) */
	jw_word(w, "dir", flow_dir_name(ev->dir));
	jw_word(w, "kind", finding_name(ev->kind));
	jw_word(w, "severity", severity_name(finding_severity_of((enum finding_kind)ev->kind,
								  (enum cause)ev->cause)));
	if (f)
		endpoints(w, f);
	json_event_payload(w, ev, true);
	row_end(w, o);
}

/* What one side sent: c2s_packets, s2c_csum_bad... (the JSON's c2s/s2c
 * objects, flattened): X(JSON key, where: h a struct tcp_half, r its
 * struct half_rare, member). */
#define HALF_COLUMNS(X) \
	X(packets, h, packets) \
	X(bytes, h, bytes) \
	X(payload_bytes, h, payload_bytes) \
	X(retransmissions, h, retransmissions) \
	X(retransmitted_bytes, r, retrans_bytes) \
	X(capture_lost_bytes, r, capture_lost_bytes) \
	X(zero_windows, r, zero_windows) \
	X(csum_ok, h, csum_ok) \
	X(csum_bad, h, csum_bad) \
	X(csum_bad_dropped, r, csum_bad_dropped) \
	X(csum_bad_accepted, r, csum_bad_accepted) \
	X(csum_offload, h, csum_offload) \
	X(giant_segments, h, giants)

static void half_columns(struct jw *w, const struct flow *f)
{
	const struct tcp_half *hc = &f->half[DIR_C2S], *hs = &f->half[DIR_S2C];
	const struct half_rare *rc = flow_rare(f, DIR_C2S), *rs = flow_rare(f, DIR_S2C);
#define X(key, where, member) \
	jw_uint(w, "c2s_" #key, where##c->member); \
	jw_uint(w, "s2c_" #key, where##s->member);
	HALF_COLUMNS(X)
#undef X
}

/* The TCP-only columns: mss, handshake, RTT, initial windows, stalls. */
static void tcp_columns(struct jw *w, const struct flow *f)
{
	const struct tcp_half *h[2] = {&f->half[DIR_C2S], &f->half[DIR_S2C]};
	static const char *const mss_key[2] = {"mss_c2s", "mss_s2c"};
	static const char *const iw_key[2][3] = {
		{"initial_window_c2s_segments", "initial_window_c2s_bytes", "initial_window_c2s_limit"},
		{"initial_window_s2c_segments", "initial_window_s2c_bytes", "initial_window_s2c_limit"}};
	for (int d = 0; d < 2; d++) {
		if (h[d]->mss)
			jw_uint(w, mss_key[d], h[d]->mss);
		if (h[d]->iw_segments) {
			jw_uint(w, iw_key[d][0], h[d]->iw_segments);
			jw_uint(w, iw_key[d][1], h[d]->iw_bytes);
			jw_word(w, iw_key[d][2], cause_name(h[d]->iw_limit));
		}
	}
	double hs_ms;
	if (report_handshake_ms(f, &hs_ms))
		jw_fixed3(w, "handshake_ms", hs_ms);
	if (f->rtt.count) {
		jw_fixed3(w, "rtt_ms_min", f->rtt.min_ms);
		jw_fixed3(w, "rtt_ms_p50", rtt_stats_p50(&f->rtt));
		jw_fixed3(w, "rtt_ms_max", f->rtt.max_ms);
	}
	jw_uint(w, "rtt_ms_samples", f->rtt.count);
	jw_word(w, "cc_guess", cc_guess_name(f->cc_guess));
	jw_uint(w, "stalls_count", f->stall.count);
	jw_fixed3(w, "stalls_total_ms", f->stall.total_ms);
	/* stalls.by_cause as a Nested column: two parallel arrays. */
	jw_arr_open(w, "stalls_by_cause.cause");
	for (size_t i = 0; i < STALL_CAUSES; i++)
		if (flow_stall_cause_ms(f, i) > 0)
			jw_word(w, NULL, cause_name(stall_causes[i]));
	jw_arr_close(w);
	jw_arr_open(w, "stalls_by_cause.ms");
	for (size_t i = 0; i < STALL_CAUSES; i++)
		if (flow_stall_cause_ms(f, i) > 0)
			jw_fixed3(w, NULL, flow_stall_cause_ms(f, i));
	jw_arr_close(w);
}

void clickhouse_row_flow(struct jw *w, const struct clickhouse_origin *o, const struct flow *f,
			 enum flow_retire_reason why)
{
	const struct tcp_half *c = &f->half[DIR_C2S], *s = &f->half[DIR_S2C];
	bool tcp = f->key.proto == 6;
	jw_obj_open(w, NULL);
	jw_uint(w, "id", f->id);
	jw_word(w, "proto", tcp ? "tcp" : "udp");
	endpoints(w, f);
	/* The tunnel in the text report's words ("vxlan vni 42"): two tenants
	 * with one inner 5-tuple are two flows, and their rows say which is
	 * which (an event names its flow by id). */
	char tun[128] = "";
	if (f->key.tun_hash && f->cold)
		flow_tunnel_name(&f->cold->tunnel, tun, sizeof(tun));
	jw_string(w, "tunnel", tun);
	jw_uint(w, "client_from_syn", f->client_from_syn);
	jw_uint(w, "first_ts_ns", f->first_ts);
	jw_uint(w, "last_ts_ns", f->last_ts);
	jw_uint(w, "first_frame", f->first_frame);
	jw_word(w, "state", tcp ? report_state_name(f->state) : "udp");
	jw_word(w, "end", report_retire_name(why));
	jw_uint(w, "packets", c->packets + s->packets);
	jw_uint(w, "bytes", c->bytes + s->bytes);
	if (tcp) {
		jw_uint(w, "retransmissions", c->retransmissions + s->retransmissions);
		tcp_columns(w, f);
	}
	half_columns(w, f);
	jw_uint(w, "events", f->events);
	jw_uint(w, "events_dropped", f->events_dropped);
	row_end(w, o);
}
