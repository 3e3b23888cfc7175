/*
 * report/report_json.c — JSON (schema 1, one document) and JSONL (one object
 * a line) writers, on the streaming writer jw.h: flows are written as they
 * end, events (which interleave with them) into a temporary spool as they
 * become final; the spool is copied out after the flows and the summary is
 * written last.
 * Memory does not grow with the capture.
 *
 * Timestamps are exact: seconds with the capture's own precision (6 or 9
 * decimals), which a double cannot hold for nanosecond captures.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/cwnd.h"
#include "analyze/diagnose.h"
#include "analyze/stall.h"
#include "jw.h"
#include "report.h"
#include "report_fields.h"
#include "report_json.h"
#include "version.h"
#include "common/units.h"

struct json_priv {
	FILE *spool;           /* events, one object a line (JSON document only) */
	struct jw w;           /* on the report's output */
	struct jw spool_w;     /* on the spool */
	uint64_t nevents, nflows;
	char spool_buf[1u << 16]; /* the spool's stdio buffer (not st_blksize's 4 KiB) */
};

/* The fields of one event, inside an open object. */
void json_event_fields(struct jw *w, const struct finding_event *ev, enum ts_precision p)
{
	jw_ts(w, "ts", ev->ts_ns, p);
	jw_uint(w, "frame", ev->frame);
	if (ev->flow_id)
		jw_uint(w, "flow", ev->flow_id);
	else
		jw_null(w, "flow");
	jw_word(w, "dir", flow_dir_name(ev->dir));
	jw_word(w, "kind", finding_name(ev->kind));
	json_event_payload(w, ev, false);
}

void json_event_payload(struct jw *w, const struct finding_event *ev, bool flat)
{
	size_t n;
	const struct finding_field *fds = finding_fields((enum finding_kind)ev->kind, &n);
	for (size_t i = 0; i < n; i++) {
		const struct finding_field *fd = &fds[i];
		if (!finding_field_present(fd, ev))
			continue;
		uint64_t u = finding_field_uint(fd, ev);
		switch ((enum finding_field_type)fd->type) {
		case FT_HEX16:
			if (flat) {
				jw_uint_k(w, fd->key, fd->key_len, u);
			} else {
				char b[8];
				snprintf(b, sizeof(b), "0x%04x", (unsigned)u);
				jw_word_k(w, fd->key, fd->key_len, b);
			}
			break;
		case FT_U32:
		case FT_U64:
			jw_uint_k(w, fd->key, fd->key_len, u);
			break;
		case FT_DBL1:
		case FT_DBL2:
			jw_fixed3_k(w, fd->key, fd->key_len, finding_field_double(fd, ev));
			break;
		case FT_CAUSE: /* flat: one column for every kind's word */
			if (flat)
				jw_word(w, "cause", cause_name((enum cause)u));
			else
				jw_word_k(w, fd->key, fd->key_len, cause_name((enum cause)u));
			break;
		case FT_PROTO:
			jw_word_k(w, fd->key, fd->key_len, cause_name((enum cause)u));
			break;
		case FT_BOOL:
			if (flat)
				jw_uint_k(w, fd->key, fd->key_len, u != 0);
			else
				jw_bool_k(w, fd->key, fd->key_len, u != 0);
			break;
		case FT_LABEL:
			break;
		}
	}
}

static void half_fields(struct jw *w, const char *key, const struct flow *f, int dir)
{
	const struct tcp_half *h = &f->half[dir];
	const struct half_rare *r = flow_rare(f, dir);
	jw_obj_open(w, key);
	/* Event seq numbers are relative to seq_base (the ISN when the SYN was
	 * captured): absolute = (seq_base + seq) mod 2^32, as tshark shows with
	 * -o tcp.relative_sequence_numbers:FALSE. */
	jw_uint(w, "seq_base", h->seq_base);
	jw_uint(w, "packets", h->packets);
	jw_uint(w, "bytes", h->bytes);
	jw_uint(w, "payload_bytes", h->payload_bytes);
	jw_uint(w, "retransmissions", h->retransmissions);
	jw_uint(w, "retransmitted_bytes", r->retrans_bytes);
	jw_uint(w, "reordered", r->reordered);
	jw_uint(w, "capture_lost_bytes", r->capture_lost_bytes);
	jw_uint(w, "zero_windows", r->zero_windows);
	jw_uint(w, "csum_ok", h->csum_ok);
	jw_uint(w, "csum_bad", h->csum_bad);
	jw_uint(w, "csum_bad_dropped", r->csum_bad_dropped);
	jw_uint(w, "csum_bad_accepted", r->csum_bad_accepted);
	jw_uint(w, "csum_offload", h->csum_offload);
	jw_uint(w, "giant_segments", h->giants);
	jw_uint(w, "max_segment", h->max_payload);
	if (h->wscale >= 0)
		jw_int(w, "wscale", h->wscale);
	else
		jw_null(w, "wscale");
	jw_bool(w, "sack_permitted", h->sack_ok);
	jw_bool(w, "timestamps", h->ts_ok);
	jw_obj_close(w);
}

static void opt_uint(struct jw *w, const char *key, uint64_t v, bool present)
{
	if (present)
		jw_uint(w, key, v);
	else
		jw_null(w, key);
}

static void iw_object(struct jw *w, const char *key, const struct tcp_half *h)
{
	if (!h->iw_segments) {
		jw_null(w, key);
		return;
	}
	jw_obj_open(w, key);
	jw_uint(w, "segments", h->iw_segments);
	jw_uint(w, "bytes", h->iw_bytes);
	jw_word(w, "limit", cause_name(h->iw_limit));
	jw_obj_close(w);
}

static void rounds_array(struct jw *w, const char *key, const struct cwnd_round *r, uint16_t n,
			 enum ts_precision p)
{
	jw_arr_open(w, key);
	for (uint16_t i = 0; i < n; i++) {
		jw_obj_open(w, NULL);
		jw_ts(w, "t", r[i].t_ns, p);
		jw_uint(w, "flight_bytes", r[i].flight_bytes);
		jw_uint(w, "flight_segments", r[i].flight_segments);
		jw_word(w, "limit", cause_name(r[i].limit));
		jw_word(w, "phase", round_phase_name(r[i].phase));
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

/* The tunnel a flow rides in: its kind, id and outer endpoints (client side
 * first); only the kind when its identity could not be kept (no memory). */
void json_encap_object(struct jw *w, const struct flow *f)
{
	jw_obj_open(w, "encap");
	const struct tunnel_id *t = f->cold ? &f->cold->tunnel : NULL;
	jw_word(w, "kind", t ? tunnel_kind_name(t->kind) : "tunnel");
	if (t) {
		const char *idname = tunnel_id_name(t->kind);
		uint32_t c2s = t->id_dir[DIR_C2S], s2c = t->id_dir[DIR_S2C];
		bool both = (t->id_seen & 3) == 3;
		if (idname) {
			jw_uint(w, idname, (t->id_seen & (1u << DIR_C2S)) ? c2s : s2c);
			/* A different id the other way (an overlay keyed per direction) */
			if (both && s2c != c2s) {
				char k[32];
				snprintf(k, sizeof(k), "%s_s2c", idname);
				jw_uint(w, k, s2c);
			}
		}
		jw_arr_open(w, "outer");
		for (int i = 0; i < 2; i++) {
			char a[INET6_ADDRSTRLEN];
			inet_ntop(t->ip_ver == 4 ? AF_INET : AF_INET6, t->addr[i], a, sizeof(a));
			jw_string(w, NULL, a);
		}
		jw_arr_close(w);
		const struct flow_cold *c = f->cold;
		if (t->kind == TUN_VXLAN || t->kind == TUN_GENEVE || t->kind == TUN_GTPU) {
			jw_obj_open(w, "outer_udp_checksums");
			jw_uint(w, "lco", c->outer_lco[0] + c->outer_lco[1]);
			jw_uint(w, "seed", c->outer_seed[0] + c->outer_seed[1]);
			jw_uint(w, "bad", c->outer_bad[0] + c->outer_bad[1]);
			jw_obj_close(w);
		}
	}
	jw_obj_close(w);
}

void json_link_encap(struct jw *w, const struct flow *f)
{
	if (!f->link_encap)
		return;
	jw_arr_open(w, "link_encap");
	for (int i = 0; i < LINK_ENCAP_BITS; i++)
		if (f->link_encap & (1u << i))
			jw_string(w, NULL, link_encap_name(i));
	jw_arr_close(w);
}

void json_flow_identity(struct jw *w, const struct flow *f)
{
	char ep[64];
	jw_uint(w, "id", f->id);
	jw_word(w, "proto", f->key.proto == 6 ? "tcp" : "udp");
	report_endpoint(&f->key, 0, ep, sizeof(ep));
	jw_word(w, "client", ep);
	report_endpoint(&f->key, 1, ep, sizeof(ep));
	jw_word(w, "server", ep);
	if (f->key.tun_hash)
		json_encap_object(w, f);
}

void json_flow_object(struct jw *w, const char *key, const struct flow *f,
			enum flow_retire_reason why, enum ts_precision p,
			const struct flow_rounds *rounds)
{
	const struct tcp_half *c = &f->half[DIR_C2S], *s = &f->half[DIR_S2C];
	jw_obj_open(w, key);
	json_flow_identity(w, f);
	if (f->cold && f->cold->dup_frames)
		jw_uint(w, "duplicates_across_interfaces", f->cold->dup_frames);
	json_link_encap(w, f);
	jw_bool(w, "client_from_syn", f->client_from_syn);
	jw_uint(w, "packets", c->packets + s->packets);
	jw_uint(w, "bytes", c->bytes + s->bytes);
	jw_ts(w, "first_ts", f->first_ts, p);
	jw_ts(w, "last_ts", f->last_ts, p);
	jw_uint(w, "first_frame", f->first_frame);
	jw_word(w, "state", f->key.proto == 6 ? report_state_name(f->state) : "udp");
	jw_word(w, "end", report_retire_name(why));
	if (f->key.proto == 6) {
		jw_obj_open(w, "mss");
		opt_uint(w, "c2s", c->mss, c->mss != 0);
		opt_uint(w, "s2c", s->mss, s->mss != 0);
		jw_obj_close(w);
		double hs_ms;
		if (report_handshake_ms(f, &hs_ms))
			jw_fixed3(w, "handshake_ms", hs_ms);
		else
			jw_null(w, "handshake_ms");
		jw_obj_open(w, "rtt_ms");
		if (f->rtt.count) {
			jw_fixed3(w, "min", f->rtt.min_ms);
			jw_fixed3(w, "p50", rtt_stats_p50(&f->rtt));
			jw_fixed3(w, "max", f->rtt.max_ms);
		} else {
			jw_null(w, "min");
			jw_null(w, "p50");
			jw_null(w, "max");
		}
		jw_uint(w, "samples", f->rtt.count);
		jw_obj_close(w);
		jw_uint(w, "retransmissions", c->retransmissions + s->retransmissions);
		jw_obj_open(w, "initial_window");
		iw_object(w, "c2s", c);
		iw_object(w, "s2c", s);
		jw_obj_close(w);
		jw_word(w, "cc_guess", cc_guess_name(f->cc_guess));
		jw_obj_open(w, "stalls");
		jw_uint(w, "count", f->stall.count);
		jw_fixed3(w, "total_ms", f->stall.total_ms);
		jw_obj_open(w, "by_cause");
		for (int i = 0; i < STALL_CAUSES; i++)
			if (flow_stall_cause_ms(f, (size_t)i) > 0)
				jw_fixed3(w, cause_name(stall_causes[i]), flow_stall_cause_ms(f, (size_t)i));
		jw_obj_close(w);
		double life = f->last_ts > f->first_ts ? (double)(f->last_ts - f->first_ts) / NS_PER_MS : 0;
		jw_fixed3(w, "share_of_life", life > 0 ? f->stall.total_ms / life : 0);
		jw_obj_close(w);
		jw_obj_open(w, "cwnd_rounds");
		rounds_array(w, "c2s", rounds->r[DIR_C2S], rounds->n[DIR_C2S], p);
		rounds_array(w, "s2c", rounds->r[DIR_S2C], rounds->n[DIR_S2C], p);
		jw_obj_close(w);
		jw_obj_open(w, "cwnd_rounds_not_listed");
		jw_uint(w, "c2s", f->cw[DIR_C2S].rounds.not_listed);
		jw_uint(w, "s2c", f->cw[DIR_S2C].rounds.not_listed);
		jw_obj_close(w);
	}
	half_fields(w, "c2s", f, DIR_C2S);
	half_fields(w, "s2c", f, DIR_S2C);
	jw_uint(w, "events", f->events);
	jw_uint(w, "events_dropped", f->events_dropped);
	jw_obj_close(w);
}

/* Live -i: the interface's driver and the offloads that shape what the
 * capture sees (null = the driver does not say). */
static void iface_object(struct jw *w, const struct iface_info *i)
{
	static const char *const names[] = {"tx_csum", "rx_csum", "sg", "tso", "gso", "gro", "lro"};
	const int v[] = {i->tx_csum, i->rx_csum, i->sg, i->tso, i->gso, i->gro, i->lro};
	jw_obj_open(w, "interface");
	jw_string(w, "driver", i->driver);
	jw_obj_open(w, "offloads");
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		if (v[k] < 0)
			jw_null(w, names[k]);
		else
			jw_bool(w, names[k], v[k] == 1);
	}
	jw_obj_close(w);
	jw_obj_close(w);
}

void json_source_object(struct jw *w, const struct report_meta *m)
{
	jw_obj_open(w, "source");
	jw_word(w, "kind", m->source_kind);
	jw_string(w, "name", m->source_name);
	const char *lt = pcap_datalink_val_to_name(m->linktype);
	if (lt)
		jw_string(w, "linktype", lt);
	else
		jw_int(w, "linktype", m->linktype);
	if (m->filter && *m->filter)
		jw_string(w, "filter", m->filter);
	else
		jw_null(w, "filter");
	if (m->iface)
		iface_object(w, m->iface);
	jw_obj_close(w);
}

void json_capture_object(struct jw *w, const struct analyzer *a, const struct capture_stats *cs,
			   enum ts_precision p)
{
	const struct analyzer_totals *t = analyzer_totals(a);
	jw_obj_open(w, "capture");
	jw_uint(w, "packets", t->frames);
	jw_uint(w, "bytes", t->bytes);
	jw_uint(w, "tcp_segments", t->tcp_segments);
	if (t->frames) {
		jw_ts(w, "first_ts", t->first_ts, p);
		jw_ts(w, "last_ts", t->last_ts, p);
	} else {
		jw_null(w, "first_ts");
		jw_null(w, "last_ts");
	}
	opt_uint(w, "kernel_drops", cs->kernel_drops, cs->kernel_drops_known);
	if (cs->rings) { /* an extension: a fanout group's rings (-i with --threads) */
		jw_arr_open(w, "rings");
		for (unsigned i = 0; i < cs->rings && i < CAPTURE_RINGS_MAX; i++) {
			jw_obj_open(w, NULL);
			jw_uint(w, "packets", cs->ring[i].packets);
			jw_uint(w, "kernel_drops", cs->ring[i].kernel_drops);
			jw_obj_close(w);
		}
		jw_arr_close(w);
	}
	jw_uint(w, "udp_datagrams", t->udp_datagrams);
	jw_uint(w, "other_ip", t->other_ip);
	jw_uint(w, "non_ip", t->non_ip);
	jw_uint(w, "malformed", t->malformed);
	jw_uint(w, "ip_fragments", t->fragments);
	if (t->fragments) { /* an extension: only when there were fragments */
		jw_obj_open(w, "ip_reassembly");
		jw_uint(w, "datagrams", t->defrag.whole);
		jw_uint(w, "incomplete", t->defrag.timed_out);
		jw_uint(w, "overlapping", t->defrag.overlaps);
		jw_uint(w, "duplicate_fragments", t->defrag.duplicates);
		jw_uint(w, "dropped_fragments", t->defrag.bad);
		jw_obj_close(w);
	}
	if (t->dup_frames) /* an extension: only from multi-interface sources */
		jw_uint(w, "duplicates_across_interfaces", t->dup_frames);
	jw_uint(w, "csum_unverifiable", t->flow_part.csum_unverifiable);
	jw_uint(w, "flows", t->flows);
	jw_uint(w, "flows_evicted", t->flows_evicted);
	jw_uint(w, "max_flows", analyzer_config(a)->max_flows);
	jw_uint(w, "events_per_flow_cap", analyzer_config(a)->max_events_per_flow);
	jw_uint(w, "events_not_written", t->flow_part.events_dropped);
	jw_uint(w, "max_held", analyzer_config(a)->max_held);
	jw_uint(w, "max_held_per_flow", analyzer_config(a)->max_held_per_flow);
	jw_uint(w, "held_overflow", t->held_overflow);
	jw_uint(w, "max_rounds", analyzer_config(a)->max_rounds);
	jw_uint(w, "rounds_not_listed", t->rounds_not_listed);
	jw_uint(w, "rounds_pool_full", t->rounds_pool_full);
	jw_obj_close(w);
}

static void host_object(struct jw *w, const struct host_stats *h)
{
	char addr[48];
	host_stats_name(h, "other", addr, sizeof(addr));
	jw_obj_open(w, NULL);
	jw_word(w, "host", addr);
	jw_uint(w, "segments", h->segments);
	jw_uint(w, "csum_ok", h->csum_ok);
	jw_obj_open(w, "csum_offload");
	jw_uint(w, "tx", h->offload[CSUM_SIDE_TX]);
	jw_uint(w, "rx", h->offload[CSUM_SIDE_RX]);
	jw_uint(w, "unknown", h->offload[CSUM_SIDE_UNKNOWN]);
	jw_obj_close(w);
	jw_uint(w, "csum_bad", h->bad);
	jw_uint(w, "csum_bad_dropped", h->bad_dropped);
	jw_uint(w, "csum_bad_accepted", h->bad_accepted);
	if (h->bad_dropped)
		jw_fixed3(w, "resent_after_ms_avg", h->resent_ms / (double)h->bad_dropped);
	else
		jw_null(w, "resent_after_ms_avg");
	jw_uint(w, "giant_segments", h->giants);
	jw_obj_close(w);
}

static void server_object(struct jw *w, const struct server_stats *v)
{
	char ep[64];
	jw_obj_open(w, NULL);
	server_stats_endpoint(v, ep, sizeof(ep));
	jw_word(w, "server", ep);
	jw_uint(w, "connections", v->connections);
	jw_uint(w, "handshakes", v->handshakes);
	jw_obj_open(w, "handshake_ms");
	if (v->handshakes) {
		jw_fixed3(w, "p50", server_handshake_quantile(v, 0.5));
		jw_fixed3(w, "p99", server_handshake_quantile(v, 0.99));
		jw_fixed3(w, "max", v->hs_max_ms);
	} else {
		jw_null(w, "p50");
		jw_null(w, "p99");
		jw_null(w, "max");
	}
	jw_obj_close(w);
	jw_uint(w, "syn_retries", v->syn_retries);
	jw_uint(w, "synack_retries", v->synack_retries);
	jw_uint(w, "resets", v->resets);
	jw_obj_close(w);
}

static void setup_object(struct jw *w, const struct setup_stats *s)
{
	jw_obj_open(w, "connection_setup");
	jw_arr_open(w, "servers");
	for (uint32_t i = 0; i < s->nservers; i++)
		server_object(w, &s->servers[i]);
	if (s->other.connections)
		server_object(w, &s->other);
	jw_arr_close(w);
	static const char *const gaps[SYN_GAPS] = {"~1s", "~2s", "~4s", ">=8s", "other"};
	jw_obj_open(w, "syn_retry_intervals");
	for (int i = 0; i < SYN_GAPS; i++)
		jw_uint(w, gaps[i], s->syn_gap[i]);
	jw_obj_close(w);
	jw_obj_open(w, "new_connections");
	jw_uint(w, "bucket_s", s->rate_bucket_s);
	if (s->rate_bucket_s)
		jw_uint(w, "first_s", s->rate_origin_s);
	else
		jw_null(w, "first_s");
	uint32_t peak = 0;
	jw_arr_open(w, "per_bucket");
	for (uint32_t i = 0; i < s->rate_nbuckets; i++) {
		jw_uint(w, NULL, s->rate[i]);
		peak = s->rate[i] > peak ? s->rate[i] : peak;
	}
	jw_arr_close(w);
	jw_fixed3(w, "peak_per_s", s->rate_bucket_s ? (double)peak / s->rate_bucket_s : 0);
	jw_obj_close(w);
	jw_obj_close(w);
}

void json_summary_object(struct jw *w, const struct analyzer *a)
{
	const struct analyzer_totals *t = analyzer_totals(a);
	jw_obj_open(w, "summary");
	jw_obj_open(w, "events");
	for (int k = 0; k < FIND_COUNT; k++)
		jw_uint(w, finding_name(k), t->kind_count[k]);
	jw_obj_close(w);
	struct finding *fs = calloc(DIAG_MAX_FINDINGS, sizeof(*fs));
	size_t n = fs ? diagnose(t, fs, DIAG_MAX_FINDINGS) : 0;
	jw_arr_open(w, "findings");
	for (size_t i = 0; i < n; i++) {
		jw_obj_open(w, NULL);
		jw_word(w, "kind", finding_name(fs[i].kind));
		if (fs[i].cause != CAUSE_NONE)
			jw_word(w, "cause", cause_name(fs[i].cause));
		if (fs[i].host[0])
			jw_word(w, "host", fs[i].host);
		jw_uint(w, "count", fs[i].count);
		jw_word(w, "severity", severity_name(fs[i].severity));
		jw_string(w, "explanation", fs[i].explanation);
		jw_string(w, "remedy", fs[i].remedy);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	free(fs);
	/* Per sending host: the checksum aggregates behind the findings. */
	jw_arr_open(w, "checksums_by_sender");
	for (size_t i = 0; i < t->nhosts; i++)
		host_object(w, &t->hosts[i]);
	if (t->hosts_other.segments)
		host_object(w, &t->hosts_other);
	jw_arr_close(w);
	static const char *const gb[GIANT_BUCKETS] = {"<2", "2-4", "4-8", "8-16", "16-32", ">=32"};
	jw_obj_open(w, "giant_segments_by_mss_multiple");
	for (int b = 0; b < GIANT_BUCKETS; b++)
		jw_uint(w, gb[b], t->giant_by_multiple[b]);
	jw_obj_close(w);
	setup_object(w, &t->setup);
	jw_obj_close(w);
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
		snprintf(r->err, sizeof(r->err), "cannot create a temporary file for the event list "
			 "(set TMPDIR to a writable directory)");
		return -1;
	}
	setvbuf(p->spool, p->spool_buf, _IOFBF, sizeof(p->spool_buf));
	jw_init(&p->w, r->out);
	jw_init(&p->spool_w, p->spool);
	struct jw *w = &p->w;
	jw_obj_open(w, NULL);
	jw_word(w, "tcplens", TCPLENS_VERSION);
	jw_uint(w, "schema", 1);
	json_source_object(w, &r->meta);
	jw_newline(w);
	jw_arr_open(w, "flows");
	return 0;
}

/* Flows go straight to the output; events, which interleave with them,
 * into the spool (key order is free in the document). */
static void json_event(struct report *r, const struct flow *f, const struct finding_event *ev)
{
	struct json_priv *p = r->priv;
	(void)f;
	if (p->nevents++)
		jw_newline(&p->spool_w);
	jw_obj_open(&p->spool_w, NULL);
	json_event_fields(&p->spool_w, ev, r->meta.precision);
	jw_obj_close(&p->spool_w);
}

static void json_flow_end(struct report *r, const struct flow *f, enum flow_retire_reason why,
			  const struct flow_rounds *rounds)
{
	struct json_priv *p = r->priv;
	p->nflows++;
	jw_newline(&p->w);
	json_flow_object(&p->w, NULL, f, why, r->meta.precision, rounds);
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
	struct jw *w = &p->w;
	if (p->nflows)
		jw_newline(w);
	jw_arr_close(w);
	jw_raw(w, ",\n\"events\":[\n");
	jw_flush(w);
	/* The spool holds the event objects, commas included (its own writer). */
	jw_flush(&p->spool_w);
	if (copy_spool(p->spool, r->out) < 0) {
		snprintf(r->err, sizeof(r->err), "cannot read back the temporary event list");
		return -1;
	}
	jw_raw(w, p->nevents ? "\n]" : "]");
	jw_newline(w);
	json_capture_object(w, a, cs, r->meta.precision);
	jw_newline(w);
	json_summary_object(w, a);
	jw_obj_close(w);
	jw_newline(w);
	jw_flush(w);
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
	struct jw w;
	jw_init(&w, r->out);
	jw_obj_open(&w, NULL);
	jw_word(&w, "type", "start");
	jw_word(&w, "tcplens", TCPLENS_VERSION);
	jw_uint(&w, "schema", 1);
	json_source_object(&w, &r->meta);
	jw_obj_close(&w);
	jw_newline(&w);
	jw_flush(&w);
	return 0;
}

static void jsonl_event(struct report *r, const struct flow *f, const struct finding_event *ev)
{
	(void)f;
	struct jw w;
	jw_init(&w, r->out);
	jw_obj_open(&w, NULL);
	jw_word(&w, "type", "event");
	json_event_fields(&w, ev, r->meta.precision);
	jw_obj_close(&w);
	jw_newline(&w);
	jw_flush(&w);
	fflush(r->out); /* a stream: a reader downstream sees each event now */
}

static void jsonl_flow_end(struct report *r, const struct flow *f, enum flow_retire_reason why,
			   const struct flow_rounds *rounds)
{
	struct jw w;
	jw_init(&w, r->out);
	jw_obj_open(&w, NULL);
	jw_word(&w, "type", "flow");
	json_flow_object(&w, "flow", f, why, r->meta.precision, rounds);
	jw_obj_close(&w);
	jw_newline(&w);
	jw_flush(&w);
}

static int jsonl_finish(struct report *r, const struct analyzer *a, const struct capture_stats *cs)
{
	struct jw w;
	jw_init(&w, r->out);
	jw_obj_open(&w, NULL);
	jw_word(&w, "type", "end");
	json_capture_object(&w, a, cs, r->meta.precision);
	json_summary_object(&w, a);
	jw_obj_close(&w);
	jw_newline(&w);
	jw_flush(&w);
	return 0;
}

const struct report_ops report_jsonl_ops = {
	.begin = jsonl_begin,
	.event = jsonl_event,
	.flow_end = jsonl_flow_end,
	.finish = jsonl_finish,
	.free_priv = NULL,
};
