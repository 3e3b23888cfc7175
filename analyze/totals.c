/*
 * analyze/totals.c — see totals.h.
 */
#include "totals.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "stall.h"
#include "common/units.h"

/* An event's part in the capture-wide totals (every event counts, also one
 * over its flow's cap). In the order events happen: sums of doubles and the
 * setup quantiles depend on it. */
void totals_event(struct analyzer_totals *t, const struct finding_event *ev, bool in_flow)
{
	t->kind_count[ev->kind]++;
	t->cause_count[ev->kind][ev->cause]++;
	if (!in_flow)
		return;
	if (ev->kind == FIND_SYN_RETRANSMIT)
		setup_stats_syn_retry(&t->setup, ev->u.syn.after_ms);
	if (ev->kind == FIND_INITIAL_WINDOW) {
		uint32_t seg = ev->u.iw.segments;
		t->iw_segments[seg < IW_BUCKETS - 1 ? seg : IW_BUCKETS - 1]++;
		t->iw_limit[ev->cause]++;
	}
	if (ev->kind == FIND_CWND_REDUCTION)
		t->reduction_ratio_sum += ev->u.reduction.ratio;
	if (ev->kind == FIND_SACK_GAP)
		t->gap_fill_ms += ev->u.gap.fill_ms;
	if (ev->kind == FIND_GIANT_SEGMENT) {
		double m = ev->u.giant.multiple;
		int b = m < 2 ? 0 : m < 4 ? 1 : m < 8 ? 2 : m < 16 ? 3 : m < 32 ? 4 : 5;
		t->giant_by_multiple[b]++;
	}
}

void host_stats_name(const struct host_stats *h, const char *other, char *buf, size_t len)
{
	if (!h->ip_ver)
		snprintf(buf, len, "%s", other);
	else
		inet_ntop(h->ip_ver == 4 ? AF_INET : AF_INET6, h->addr, buf, (socklen_t)len);
}

static struct host_stats *host_find(struct analyzer_totals *t, const struct flow *f, int side)
{
	size_t alen = f->key.ip_ver == 4 ? 4 : 16;
	for (size_t i = 0; i < t->nhosts; i++)
		if (t->hosts[i].ip_ver == f->key.ip_ver && !memcmp(t->hosts[i].addr, f->key.addr[side], alen))
			return &t->hosts[i];
	if (t->nhosts == ANALYZER_MAX_HOSTS)
		return &t->hosts_other;
	struct host_stats *h = &t->hosts[t->nhosts++];
	h->ip_ver = f->key.ip_ver;
	memcpy(h->addr, f->key.addr[side], alen);
	return h;
}

/* Fold a finished flow's checksum counters into its hosts'. Only hosts with
 * something to say are kept, so the cap goes to the interesting ones. */
static void host_account(struct analyzer_totals *t, const struct flow *f)
{
	for (int d = 0; d < 2; d++) {
		const struct tcp_half *hf = &f->half[d];
		uint32_t ip_off = f->cold ? f->cold->ip_csum_offload[d] : 0;
		if (!hf->csum_bad && !hf->csum_offload && !hf->giants && !ip_off)
			continue;
		struct host_stats *h = host_find(t, f, d);
		h->segments += hf->packets;
		h->csum_ok += hf->csum_ok;
		for (int s = 0; s < 3; s++)
			h->offload[s] += hf->csum_offload_side[s];
		if (f->half[!d].csum_offload_side[CSUM_SIDE_TX])
			h->offload_tx_local += hf->csum_offload_side[CSUM_SIDE_TX];
		if (f->cold) {
			h->offload_in += f->cold->csum_offload_in[d];
			h->offload_out += f->cold->csum_offload_out[d];
		}
		h->bad += hf->csum_bad;
		h->bad_dropped += flow_rare(f, d)->csum_bad_dropped;
		h->bad_accepted += flow_rare(f, d)->csum_bad_accepted;
		h->resent_ms += flow_rare(f, d)->csum_resent_ms;
		h->giants += hf->giants;
		h->ip_offload += ip_off;
	}
}

static void stall_account(struct analyzer_totals *t, const struct flow *f)
{
	for (int i = 0; i < STALL_CAUSES; i++) {
		double ms = flow_stall_cause_ms(f, (size_t)i);
		if (ms <= 0)
			continue;
		t->stall_ms[i] += ms;
		t->stall_n[i] += flow_stall_cause_n(f, (size_t)i);
		struct stall_worst *w = &t->stall_worst[i];
		if (ms > w->ms) {
			w->flow_id = f->id;
			w->key = f->key;
			w->ms = ms;
			w->n = flow_stall_cause_n(f, (size_t)i);
			w->life_ms = (double)(f->last_ts - f->first_ts) / NS_PER_MS;
		}
	}
}

/* A flow's part in the capture-wide totals as it stands: at its end, in the
 * order flows end (the host table keeps the first hosts to end; ties in the
 * worst-stall lists go to the first); for a live view, of every open flow. */
void totals_flow_state(struct analyzer_totals *t, const struct flow *f)
{
	for (int d = 0; d < 2; d++) {
		t->retrans_bytes += flow_rare(f, d)->retrans_bytes;
		t->capture_lost_bytes += flow_rare(f, d)->capture_lost_bytes;
		t->reordered += flow_rare(f, d)->reordered;
	}
	t->flows_with_capture_loss +=
		flow_rare(f, 0)->capture_lost_bytes || flow_rare(f, 1)->capture_lost_bytes;
	t->rounds_not_listed += f->cw[0].rounds.not_listed + f->cw[1].rounds.not_listed;
	host_account(t, f);
	stall_account(t, f);
	setup_stats_flow_end(&t->setup, f);
}

/* An ended flow's part: its state, how it ended, its congestion control. */
void totals_flow_end(struct analyzer_totals *t, const struct flow *f, enum flow_retire_reason why)
{
	if (why == RETIRE_EVICTED)
		t->flows_evicted++;
	if (f->key.proto == IPPROTO_TCP && f->half[0].payload_bytes + f->half[1].payload_bytes)
		t->cc_guess[f->cc_guess]++;
	totals_flow_state(t, f);
	t->dup_frames += f->cold ? f->cold->dup_frames : 0;
}

/* A new flow's part: counted, and a client's SYN is a connection attempt
 * for the accept rate. */
void totals_flow_new(struct analyzer_totals *t, const struct flow *f)
{
	t->flows++;
	if (f->client_from_syn)
		setup_stats_new_connection(&t->setup, f->first_ts);
}
