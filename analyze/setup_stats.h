/*
 * analyze/setup_stats.h — connection setup, the accept() story's view:
 * per server address:port, how many connections, their handshake latency
 * (p50, p99, max: first SYN to the client's ACK, SYN retries included), SYN
 * and SYN-ACK retries and resets; new connections per second over the
 * capture; the SYN retry backoff seen (1 s apart with Linux's
 * tcp_syn_linear_timeouts, else 1, 2, 4 s...).
 *
 * Bounded: at most SETUP_MAX_SERVERS servers (the rest summed as "other");
 * the rate series doubles its bucket width instead of growing.
 */
#ifndef TCPLENS_SETUP_STATS_H
#define TCPLENS_SETUP_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "rtt.h"

#define SETUP_MAX_SERVERS 64
#define SETUP_RATE_BUCKETS 240
#define SETUP_EXACT 64

struct server_stats {
	uint8_t ip_ver;           /* 0 = "other servers" */
	uint8_t addr[16];
	uint16_t port;
	uint64_t connections;     /* flows that began with a SYN */
	uint64_t handshakes;      /* ... and completed it */
	uint64_t syn_retries, synack_retries, resets;
	double hs_max_ms;
	struct quantile_p2 hs_p50, hs_p99;   /* estimates for many handshakes */
	double hs_first[SETUP_EXACT];        /* exact quantiles for the first few */
};

/* Handshake latency quantile p of server v: exact (nearest rank) over the
 * first SETUP_EXACT handshakes, P-square beyond. */
double server_handshake_quantile(const struct server_stats *v, double p);

/* SYN retry intervals, in buckets around the Linux timer values. */
enum syn_gap_bucket { SYN_GAP_1S, SYN_GAP_2S, SYN_GAP_4S, SYN_GAP_8S_PLUS, SYN_GAP_OTHER, SYN_GAPS };

#define SETUP_SERVER_SLOTS (2 * SETUP_MAX_SERVERS)

struct setup_stats {
	struct server_stats servers[SETUP_MAX_SERVERS];
	uint32_t nservers;
	/* Open-addressing index of servers[] (index + 1, 0 = empty), at most
	 * half full: a SYN flood of random servers costs one probe, not a scan
	 * of every server. */
	uint8_t server_slot[SETUP_SERVER_SLOTS];
	struct server_stats other;
	uint64_t syn_gap[SYN_GAPS];
	/* new connections (first SYNs) per bucket of rate_bucket_s seconds,
	 * from rate_origin_s (the first SYN's second) */
	uint64_t rate_origin_s;
	uint32_t rate_bucket_s;
	uint32_t rate_nbuckets;
	uint32_t rate[SETUP_RATE_BUCKETS];
};

/* "addr:port" of a server ("other" for the servers beyond the cap). */
void server_stats_endpoint(const struct server_stats *v, char *buf, size_t len);

/* A SYN (not SYN-ACK) starting a connection at ts. */
void setup_stats_new_connection(struct setup_stats *s, uint64_t ts_ns);
/* A SYN or SYN-ACK retry, after_ms after the previous attempt. */
void setup_stats_syn_retry(struct setup_stats *s, double after_ms);
/* A flow ended: account its handshake to its server. */
void setup_stats_flow_end(struct setup_stats *s, const struct flow *f);

#endif
