/*
 * analyze/setup_stats.c — see setup_stats.h.
 */
#include "setup_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/units.h"

void server_stats_endpoint(const struct server_stats *v, char *buf, size_t len)
{
	if (!v->ip_ver) {
		snprintf(buf, len, "other");
		return;
	}
	struct flow_key k = {.ip_ver = v->ip_ver};
	memcpy(k.addr[1], v->addr, 16);
	k.port[1] = v->port;
	flow_endpoint(&k, 1, buf, len);
}

void setup_stats_new_connection(struct setup_stats *s, uint64_t ts_ns)
{
	uint64_t sec = ts_ns / NS_PER_S_U64;
	if (!s->rate_bucket_s) {
		s->rate_bucket_s = 1;
		s->rate_origin_s = sec;
	}
	if (sec < s->rate_origin_s)
		sec = s->rate_origin_s; /* out-of-order timestamps: first bucket */
	uint64_t b = (sec - s->rate_origin_s) / s->rate_bucket_s;
	while (b >= SETUP_RATE_BUCKETS) {
		/* Twice as wide: merge pairs, keep the memory. */
		for (uint32_t i = 0; i < SETUP_RATE_BUCKETS / 2; i++)
			s->rate[i] = s->rate[2 * i] + s->rate[2 * i + 1];
		memset(&s->rate[SETUP_RATE_BUCKETS / 2], 0, sizeof(s->rate) / 2);
		s->rate_bucket_s *= 2;
		b = (sec - s->rate_origin_s) / s->rate_bucket_s;
	}
	s->rate[b]++;
	if (b + 1 > s->rate_nbuckets)
		s->rate_nbuckets = (uint32_t)b + 1;
	s->rate_nbuckets = s->rate_nbuckets > SETUP_RATE_BUCKETS ? SETUP_RATE_BUCKETS
								  : s->rate_nbuckets;
}

void setup_stats_syn_retry(struct setup_stats *s, double after_ms)
{
	enum syn_gap_bucket b;
	if (after_ms >= 800 && after_ms < 1400)
		b = SYN_GAP_1S;
	else if (after_ms >= 1600 && after_ms < 2800)
		b = SYN_GAP_2S;
	else if (after_ms >= 3200 && after_ms < 5600)
		b = SYN_GAP_4S;
	else if (after_ms >= 6400)
		b = SYN_GAP_8S_PLUS;
	else
		b = SYN_GAP_OTHER;
	s->syn_gap[b]++;
}

static uint32_t server_hash(const struct flow_key *k, size_t alen)
{
	uint32_t h = 2166136261u ^ k->ip_ver; /* FNV-1a */
	h = (h ^ (k->port[1] & 0xff)) * 16777619u;
	h = (h ^ (k->port[1] >> 8)) * 16777619u;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ k->addr[1][i]) * 16777619u;
	return h ^ h >> 15;
}

static struct server_stats *server_for(struct setup_stats *s, const struct flow_key *k)
{
	size_t alen = k->ip_ver == 4 ? 4 : 16;
	uint32_t i = server_hash(k, alen) & (SETUP_SERVER_SLOTS - 1);
	for (; s->server_slot[i]; i = (i + 1) & (SETUP_SERVER_SLOTS - 1)) {
		struct server_stats *v = &s->servers[s->server_slot[i] - 1];
		if (v->ip_ver == k->ip_ver && v->port == k->port[1] && !memcmp(v->addr, k->addr[1], alen))
			return v;
	}
	if (s->nservers == SETUP_MAX_SERVERS)
		return &s->other;
	struct server_stats *v = &s->servers[s->nservers++];
	s->server_slot[i] = (uint8_t)s->nservers;
	v->ip_ver = k->ip_ver;
	v->port = k->port[1];
	memcpy(v->addr, k->addr[1], alen);
	return v;
}

void setup_stats_flow_end(struct setup_stats *s, const struct flow *f)
{
	if (f->key.proto != 6 || !f->client_from_syn)
		return;
	struct server_stats *v = server_for(s, &f->key);
	v->connections++;
	const struct tcp_half *c = &f->half[DIR_C2S], *sv = &f->half[DIR_S2C];
	v->syn_retries += c->syn_count > 1 ? c->syn_count - 1u : 0;
	v->synack_retries += sv->syn_count > 1 ? sv->syn_count - 1u : 0;
	v->resets += c->rst_seen || sv->rst_seen;
	if (f->hs_ack_ts && f->syn_ts && f->hs_ack_ts >= f->syn_ts) {
		double ms = (double)(f->hs_ack_ts - f->syn_ts) / NS_PER_MS;
		if (v->handshakes < SETUP_EXACT)
			v->hs_first[v->handshakes] = ms;
		v->handshakes++;
		quantile_add(&v->hs_p50, 0.5, ms);
		quantile_add(&v->hs_p99, 0.99, ms);
		if (ms > v->hs_max_ms)
			v->hs_max_ms = ms;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double server_handshake_quantile(const struct server_stats *v, double p)
{
	if (!v->handshakes)
		return 0;
	if (v->handshakes > SETUP_EXACT)
		return quantile_get(p < 0.75 ? &v->hs_p50 : &v->hs_p99, p);
	double sorted[SETUP_EXACT];
	memcpy(sorted, v->hs_first, v->handshakes * sizeof(double));
	qsort(sorted, v->handshakes, sizeof(double), cmp_double);
	size_t rank = (size_t)ceil(p * (double)v->handshakes); /* nearest rank */
	return sorted[rank ? rank - 1 : 0];
}
