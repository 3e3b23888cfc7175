/*
 * tests/unit/test_setup_stats.c — analyze/setup_stats.c: handshakes per
 * server with exact nearest-rank quantiles for the first SETUP_EXACT, SYN
 * and SYN-ACK retries, the SYN retry intervals bucketed around Linux's
 * timers, the rate series doubling its bucket width instead of growing, and
 * servers beyond SETUP_MAX_SERVERS summed as "other".
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/setup_stats.h"

#define MS 1000000ull

static struct flow *conn(uint8_t server_last_byte, uint16_t port, uint64_t syn_ts, double hs_ms,
			 unsigned syns, unsigned synacks)
{
	struct flow *f = calloc(1, sizeof(*f));
	f->key.ip_ver = 4;
	f->key.proto = 6;
	f->key.addr[0][0] = 10;
	f->key.addr[0][3] = 1;
	f->key.addr[1][0] = 10;
	f->key.addr[1][3] = server_last_byte;
	f->key.port[0] = 40000;
	f->key.port[1] = port;
	f->client_from_syn = true;
	f->syn_ts = syn_ts;
	f->hs_ack_ts = syn_ts + (uint64_t)(hs_ms * MS);
	f->half[DIR_C2S].syn_count = (uint16_t)syns;
	f->half[DIR_S2C].syn_count = (uint16_t)synacks;
	return f;
}

static struct setup_stats *fresh(void)
{
	return calloc(1, sizeof(struct setup_stats));
}

Test(setup_stats, handshakes_and_retries_per_server)
{
	struct setup_stats *s = fresh();
	for (int i = 1; i <= 10; i++) {
		struct flow *f = conn(2, 80, (uint64_t)i * 1000 * MS, i, i == 3 ? 2 : 1, i == 5 ? 3 : 1);
		setup_stats_flow_end(s, f);
		free(f);
	}
	struct flow *f = conn(3, 443, 0, 50, 1, 1);
	setup_stats_flow_end(s, f);
	free(f);
	cr_assert_eq(s->nservers, 2);
	const struct server_stats *v = &s->servers[0];
	cr_assert_eq(v->port, 80);
	cr_assert_eq(v->connections, 10);
	cr_assert_eq(v->handshakes, 10);
	cr_assert_eq(v->syn_retries, 1);
	cr_assert_eq(v->synack_retries, 2);
	cr_assert_float_eq(server_handshake_quantile(v, 0.5), 5.0, 1e-9, "nearest rank");
	cr_assert_float_eq(server_handshake_quantile(v, 0.99), 10.0, 1e-9);
	cr_assert_float_eq(v->hs_max_ms, 10.0, 1e-9);
	char ep[64];
	server_stats_endpoint(v, ep, sizeof(ep));
	cr_assert_str_eq(ep, "10.0.0.2:80");
	free(s);
}

Test(setup_stats, syn_retry_intervals)
{
	struct setup_stats *s = fresh();
	const double gaps[] = {1000, 1030, 2000, 4000, 8000, 16000, 300, 3000};
	for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++)
		setup_stats_syn_retry(s, gaps[i]);
	cr_assert_eq(s->syn_gap[SYN_GAP_1S], 2);
	cr_assert_eq(s->syn_gap[SYN_GAP_2S], 1);
	cr_assert_eq(s->syn_gap[SYN_GAP_4S], 1);
	cr_assert_eq(s->syn_gap[SYN_GAP_8S_PLUS], 2);
	cr_assert_eq(s->syn_gap[SYN_GAP_OTHER], 2);
	free(s);
}

/* One SYN a second for twice the buckets: the width doubles, no SYN lost. */
Test(setup_stats, rate_buckets_double)
{
	struct setup_stats *s = fresh();
	uint64_t t0 = 1700000000ull * 1000 * MS;
	for (uint64_t i = 0; i < 2 * SETUP_RATE_BUCKETS; i++)
		setup_stats_new_connection(s, t0 + i * 1000 * MS);
	cr_assert_eq(s->rate_bucket_s, 2);
	uint64_t sum = 0;
	for (uint32_t i = 0; i < s->rate_nbuckets; i++) {
		sum += s->rate[i];
		cr_assert_eq(s->rate[i], 2, "bucket %u", i);
	}
	cr_assert_eq(sum, 2 * SETUP_RATE_BUCKETS);
	free(s);
}

/* Servers past the cap go to "other"; a flow without a SYN is no connection. */
Test(setup_stats, server_cap)
{
	struct setup_stats *s = fresh();
	for (int i = 0; i < SETUP_MAX_SERVERS + 10; i++) {
		struct flow *f = conn((uint8_t)(i + 1), 8080, 0, 1, 1, 1);
		setup_stats_flow_end(s, f);
		free(f);
	}
	struct flow *f = conn(200, 8080, 0, 1, 1, 1);
	f->client_from_syn = false;
	setup_stats_flow_end(s, f);
	free(f);
	cr_assert_eq(s->nservers, SETUP_MAX_SERVERS);
	cr_assert_eq(s->other.connections, 10);
	uint64_t n = 0;
	for (uint32_t i = 0; i < s->nservers; i++)
		n += s->servers[i].connections;
	cr_assert_eq(n, SETUP_MAX_SERVERS);
	free(s);
}
