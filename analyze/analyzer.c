/*
 * analyze/analyzer.c — see analyzer.h.
 */
#include "analyzer.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum_verify.h"
#include "decode.h"
#include "event_sink.h"
#include "tcp_track.h"

struct analyzer {
	struct analyzer_config cfg;
	struct analyzer_sink sink;
	struct event_sink events;
	struct flow_table *flows;
	struct analyzer_totals tot;
	struct pkt_decoded dec;   /* scratch: one frame at a time */
};

static void on_event(void *ctx, struct flow *f, const struct tcp_event *ev)
{
	struct analyzer *a = ctx;
	a->tot.kind_count[ev->kind]++;
	a->tot.cause_count[ev->kind][ev->cause]++;
	if (f) {
		f->kind_count[ev->kind]++;
		if (f->events >= a->cfg.max_events_per_flow) {
			f->events_dropped++;
			a->tot.events_dropped++;
			return;
		}
		f->events++;
	}
	if (a->sink.event)
		a->sink.event(a->sink.user, f, ev);
}

static void on_retire(void *user, struct flow *f, enum flow_retire_reason why)
{
	struct analyzer *a = user;
	if (why == RETIRE_EVICTED)
		a->tot.flows_evicted++;
	for (int d = 0; d < 2; d++)
		a->tot.retrans_bytes += f->half[d].retrans_bytes;
	if (a->sink.flow_end)
		a->sink.flow_end(a->sink.user, f, why);
}

struct analyzer *analyzer_new(const struct analyzer_config *cfg, const struct analyzer_sink *sink)
{
	struct analyzer *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->cfg = *cfg;
	if (!a->cfg.max_flows)
		a->cfg.max_flows = 1000000;
	if (!a->cfg.max_events_per_flow)
		a->cfg.max_events_per_flow = 100000;
	if (!a->cfg.closed_linger_ns)
		a->cfg.closed_linger_ns = 5000000000ull;
	a->sink = *sink;
	a->events.emit = on_event;
	a->events.ctx = a;
	a->flows = flow_table_new(a->cfg.max_flows, a->cfg.closed_linger_ns, on_retire, a);
	if (!a->flows) {
		free(a);
		return NULL;
	}
	return a;
}

void analyzer_free(struct analyzer *a)
{
	if (!a)
		return;
	flow_table_free(a->flows);
	free(a);
}

static void diag(struct analyzer *a, const struct pkt_record *rec, const char *what)
{
	if (a->sink.diag)
		a->sink.diag(a->sink.diag_user, rec->frame, what);
}

/* Find or create the flow of d; retire the old one when a SYN reuses its
 * 4-tuple. *dir receives the segment's direction. */
static struct flow *flow_for(struct analyzer *a, const struct pkt_decoded *d, int *dir)
{
	struct flow *f = flow_table_lookup(a->flows, d->ip_ver, d->l4proto, d->src, d->sport,
					   d->dst, d->dport, dir);
	if (f && d->l4proto == IPPROTO_TCP && tcp_is_new_connection(f, *dir, d)) {
		flow_table_retire(a->flows, f, RETIRE_REPLACED);
		f = NULL;
	}
	if (f)
		return f;
	int src_client = d->l4proto == IPPROTO_TCP ? tcp_src_is_client(d) : 1;
	if (src_client)
		f = flow_table_insert(a->flows, d->ip_ver, d->l4proto, d->src, d->sport, d->dst,
				      d->dport, d->rec->ts_ns);
	else
		f = flow_table_insert(a->flows, d->ip_ver, d->l4proto, d->dst, d->dport, d->src,
				      d->sport, d->rec->ts_ns);
	if (!f)
		return NULL;
	a->tot.flows++;
	f->first_frame = d->rec->frame;
	f->client_from_syn = d->l4proto == IPPROTO_TCP && (d->flags & TCP_SYN);
	f->state = FLOW_MIDSTREAM;
	f->half[0].wscale = f->half[1].wscale = -1;
	*dir = src_client ? DIR_C2S : DIR_S2C;
	return f;
}

static void check_l4_checksum(struct analyzer *a, struct flow *f, int dir,
			      const struct pkt_decoded *d)
{
	uint16_t expected;
	enum csum_verdict v = csum_verify_l4(d, &expected);
	if (v == CSUM_UNVERIFIABLE) {
		a->tot.csum_unverifiable++;
		return;
	}
	if (v != CSUM_OFFLOAD && v != CSUM_BAD)
		return;
	struct tcp_event ev;
	event_init(&ev, f, d, dir, v == CSUM_OFFLOAD ? FIND_CSUM_OFFLOAD : FIND_CSUM_BAD);
	ev.proto = d->l4proto == IPPROTO_TCP ? CAUSE_TCP : CAUSE_UDP;
	ev.u.csum.found = d->l4_csum;
	ev.u.csum.expected = expected;
	if (v == CSUM_OFFLOAD) {
		ev.cause = d->dir == PKT_DIR_OUT ? CAUSE_TX : d->dir == PKT_DIR_IN ? CAUSE_RX
										: CAUSE_UNKNOWN;
		f->half[dir].csum_offload++;
		if (!(d->rec->hints & PKT_HINT_CSUM_NOT_READY))
			ev.u.csum.expected = expected;
	} else {
		ev.cause = CAUSE_UNKNOWN; /* fate: learned from the rest of the flow */
		f->half[dir].csum_bad++;
	}
	event_emit(&a->events, f, &ev);
}

void analyzer_packet(struct analyzer *a, const struct pkt_record *rec)
{
	struct analyzer_totals *t = &a->tot;
	struct pkt_decoded *d = &a->dec;
	t->frames++;
	t->bytes += rec->wirelen;
	if (!t->first_ts || rec->ts_ns < t->first_ts)
		t->first_ts = rec->ts_ns;
	if (rec->ts_ns > t->last_ts)
		t->last_ts = rec->ts_ns;
	flow_table_expire(a->flows, rec->ts_ns);

	int rc = decode_packet(rec, d);
	if (rc == DECODE_NOT_IP) {
		t->non_ip++;
		return;
	}
	if (d->anomalies & ANOM_TCP_OPT_BAD)
		diag(a, rec, "malformed TCP option list (options after the fault ignored)");
	if (rc != DECODE_OK) {
		t->malformed++;
		diag(a, rec, decode_strerror(rc));
		return;
	}
	uint16_t ip_expected;
	int ip_ok = csum_verify_ipv4_header(d, &ip_expected);
	bool is_l4 = !d->ip_later_frag && (d->l4proto == IPPROTO_TCP || d->l4proto == IPPROTO_UDP);
	if (d->ip_frag)
		t->fragments++;
	if (!is_l4) {
		t->other_ip += !d->ip_frag;
		if (ip_ok == 0) {
			struct tcp_event ev;
			event_init(&ev, NULL, d, DIR_C2S, FIND_IP_CSUM_BAD);
			ev.u.csum.found = d->ip_csum;
			ev.u.csum.expected = ip_expected;
			event_emit(&a->events, NULL, &ev);
		}
		return;
	}
	if (d->l4proto == IPPROTO_TCP)
		t->tcp_segments++;
	else
		t->udp_datagrams++;

	int dir = DIR_C2S;
	struct flow *f = flow_for(a, d, &dir);
	if (!f) {
		diag(a, rec, "out of memory for a new flow (skipped)");
		return;
	}
	struct tcp_half *h = &f->half[dir];
	h->packets++;
	h->bytes += rec->wirelen;
	h->payload_bytes += d->payload_len;
	t->payload_bytes += d->payload_len;
	flow_table_touch(a->flows, f, rec->ts_ns);

	if (ip_ok == 0) {
		struct tcp_event ev;
		event_init(&ev, f, d, dir, FIND_IP_CSUM_BAD);
		ev.u.csum.found = d->ip_csum;
		ev.u.csum.expected = ip_expected;
		event_emit(&a->events, f, &ev);
	}
	if (!d->ip_frag)
		check_l4_checksum(a, f, dir, d);
	if (d->l4proto == IPPROTO_TCP) {
		tcp_track_segment(f, dir, d, &a->events);
		if (f->state == FLOW_CLOSED)
			flow_table_mark_closed(a->flows, f);
	}
}

void analyzer_on_packet(void *analyzer, const struct pkt_record *rec)
{
	analyzer_packet(analyzer, rec);
}

void analyzer_finish(struct analyzer *a)
{
	flow_table_drain(a->flows);
}

const struct analyzer_totals *analyzer_totals(const struct analyzer *a)
{
	return &a->tot;
}

const struct analyzer_config *analyzer_config(const struct analyzer *a)
{
	return &a->cfg;
}

size_t analyzer_flows_open(const struct analyzer *a)
{
	return flow_table_count(a->flows);
}
