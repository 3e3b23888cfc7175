/*
 * report/html_dist.c — see html_dist.h.
 */
#include "html_dist.h"

#include "analyze/rtt.h"
#include "common/units.h"

static const double ms_edges[HD_MS_EDGES] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20,
					     50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000,
					     50000, 100000};
static const double pct_edges[HD_PCT_EDGES] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100};

static const struct {
	const char *key, *what, *unit;
	const double *edges;
	int nedges;
} kinds[HD_KINDS] = {
	[HD_RTT] = {"rtt_ms", "TCP connections by their median round-trip time", "ms", ms_edges,
		    HD_MS_EDGES},
	[HD_HANDSHAKE] = {"handshake_ms", "TCP connections by their handshake (SYN to its ACK)", "ms",
			  ms_edges, HD_MS_EDGES},
	[HD_STALL] = {"stall_ms", "stalls by duration", "ms", ms_edges, HD_MS_EDGES},
	[HD_RETRANS_RATE] = {"retransmission_rate_pct",
			     "TCP connections with data by the share of their payload bytes sent again", "%",
			     pct_edges, HD_PCT_EDGES},
};

/* Bucket i: [edge i-1, edge i); 0 below the first edge, nedges at or above the last. */
static void put(struct html_dist *d, enum html_dist_kind k, double v)
{
	int i = 0;
	while (i < kinds[k].nedges && v >= kinds[k].edges[i])
		i++;
	d->counts[k][i]++;
	d->n[k]++;
}

void html_dist_flow(struct html_dist *d, const struct flow *f)
{
	if (f->key.proto != 6)
		return;
	if (f->rtt.count)
		put(d, HD_RTT, rtt_stats_p50(&f->rtt));
	if (f->hs_ack_ts && f->syn_ts && f->hs_ack_ts >= f->syn_ts)
		put(d, HD_HANDSHAKE, (double)(f->hs_ack_ts - f->syn_ts) / NS_PER_MS);
	uint64_t data = 0, resent = 0;
	for (int dir = 0; dir < 2; dir++) {
		data += f->half[dir].payload_bytes;
		resent += flow_rare(f, dir)->retrans_bytes;
	}
	if (data)
		put(d, HD_RETRANS_RATE, 100.0 * (double)resent / (double)data);
}

void html_dist_event(struct html_dist *d, const struct finding_event *ev)
{
	if (ev->kind == FIND_STALL)
		put(d, HD_STALL, ev->u.stall.duration_ms);
}

void html_dist_write(struct jw *w, const struct html_dist *d)
{
	jw_obj_open(w, NULL);
	for (int k = 0; k < HD_KINDS; k++) {
		jw_obj_open(w, kinds[k].key);
		jw_word(w, "what", kinds[k].what);
		jw_word(w, "unit", kinds[k].unit);
		jw_arr_open(w, "edges");
		for (int i = 0; i < kinds[k].nedges; i++)
			jw_fixed3(w, NULL, kinds[k].edges[i]);
		jw_arr_close(w);
		jw_arr_open(w, "counts");
		for (int i = 0; i <= kinds[k].nedges; i++)
			jw_uint(w, NULL, d->counts[k][i]);
		jw_arr_close(w);
		jw_uint(w, "n", d->n[k]);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}
