/*
 * tests/unit/pktbuild.h — frames for the unit tests, built from a short spec.
 *
 * The tests write link headers as inline byte arrays and let pb_build() lay
 * the IPv4/IPv6 header and the TCP/UDP header and payload behind them, with
 * correct lengths and checksums unless the spec asks to break one. The
 * checksums here come from pb_sum(), a plain byte-pair sum written apart from
 * analyze/checksum.c, so a test never checks the analyzer against itself.
 */
#ifndef TCPLENS_TEST_PKTBUILD_H
#define TCPLENS_TEST_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"

enum pb_csum_mode {
	PB_CSUM_GOOD = 0,   /* the correct TCP/UDP checksum */
	PB_CSUM_VALUE,      /* csum_value, whatever it is */
	PB_CSUM_SEED,       /* folded pseudo-header sum: the offload signature */
	PB_CSUM_SEED_INV,   /* its complement */
};

struct pb_spec {
	uint8_t ip_ver;            /* 4 (also when 0) or 6 */
	uint8_t proto;             /* IPPROTO_TCP (also when 0), IPPROTO_UDP, other */
	uint8_t src[16], dst[16];  /* IPv4 uses the first 4 bytes */
	uint16_t sport, dport;

	/* TCP */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *tcp_opts;   /* padded with EOL to a multiple of 4 */
	size_t tcp_opts_len;

	const uint8_t *payload;
	size_t payload_len;

	/* IPv4 */
	const uint8_t *ip_opts;    /* padded with EOL to a multiple of 4 */
	size_t ip_opts_len;
	uint16_t ip_id;
	uint16_t ip_frag;          /* flags and fragment offset field */
	uint8_t ttl;               /* 0 means 64 */

	/* IPv6 extension headers, chained by the caller: ip6_ext_first is the
	 * first one's type, and the last one's next-header byte is proto. */
	const uint8_t *ip6_ext;
	size_t ip6_ext_len;
	uint8_t ip6_ext_first;

	/* Ways to break the frame */
	bool ihl_set;              /* IPv4 IHL field (4-byte words) */
	uint8_t ihl;
	bool ip_len_set;           /* IPv4 total length / IPv6 payload length */
	uint16_t ip_len;
	bool ip_csum_bad;          /* IPv4 header checksum off by one */
	bool doff_set;             /* TCP data offset (4-byte words) */
	uint8_t doff;
	bool udp_len_set;
	uint16_t udp_len;
	enum pb_csum_mode csum;
	uint16_t csum_value;
};

/* What pb_build() wrote, and the values a test compares against. */
struct pb_info {
	size_t len;                /* bytes written */
	size_t l3_off, l4_off, payload_off;
	uint32_t l4_len;           /* TCP/UDP header plus payload */
	uint16_t l4_csum_good;     /* the correct checksum field */
	uint16_t l4_csum;          /* the field written */
	uint16_t seed;             /* folded pseudo-header sum */
	uint16_t ip_csum_good;     /* correct IPv4 header checksum */
};

/* RFC 1071 sum of b[0..len) added to `initial`, folded to 16 bits, not
 * complemented. Byte pairs, most significant first; an odd tail byte is the
 * high byte of a last word. */
uint16_t pb_sum(const uint8_t *b, size_t len, uint32_t initial);

/* Write link[0..link_len) then the datagram s describes into buf (cap bytes).
 * Returns the frame length (also info->len when info is not NULL); aborts
 * when buf is too small, a test bug. */
size_t pb_build(uint8_t *buf, size_t cap, const uint8_t *link, size_t link_len,
		const struct pb_spec *s, struct pb_info *info);

/* Rewrite the TCP/UDP checksum field of a frame pb_build() made. */
void pb_set_l4_csum(uint8_t *buf, const struct pb_info *info, uint8_t proto, uint16_t v);

/* A record lending buf: caplen = wirelen = len, frame 1, time 0. */
struct pkt_record pb_record(const uint8_t *buf, size_t len, int linktype);

/* Ethernet header (fixed MAC addresses) with the given ethertype; 14 bytes. */
size_t pb_eth(uint8_t out[14], uint16_t ethertype);

/* One segment of a conversation between client 10.0.0.1:45000 and server
 * 10.0.0.2:80 over Ethernet (c2s: from the client), len payload bytes; a
 * SYN offers MSS 1460, window scale 7 and SACK. Built into buf (2048
 * bytes); the record lends buf (frame 1, time 0: the caller sets them). */
struct pkt_record pb_conversation_segment(uint8_t buf[2048], int c2s, uint32_t seq, uint32_t ack,
					  uint8_t flags, uint16_t win, uint32_t len);

static inline void pb_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pb_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Deterministic generator for the randomized tests (xorshift64*). */
static inline uint64_t pb_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

#endif
