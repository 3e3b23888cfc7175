/*
 * tests/unit/pktbuild.c — see pktbuild.h.
 */
#include "pktbuild.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "analyze/decode.h"

uint16_t pb_sum(const uint8_t *b, size_t len, uint32_t initial)
{
	uint64_t s = initial;
	size_t i;
	for (i = 0; i + 1 < len; i += 2)
		s += (uint64_t)b[i] << 8 | b[i + 1];
	if (i < len)
		s += (uint64_t)b[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void need(size_t have, size_t want)
{
	if (want > have) {
		fprintf(stderr, "pktbuild: buffer of %zu bytes, frame needs %zu\n", have, want);
		abort();
	}
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Folded sum of the pseudo-header, laid out as bytes (RFC 793, RFC 8200 §8.1). */
static uint16_t pseudo_seed(const struct pb_spec *s, uint8_t ip_ver, uint8_t proto,
			    uint32_t l4_len)
{
	uint8_t ph[40];
	size_t n;
	memset(ph, 0, sizeof(ph));
	if (ip_ver == 4) {
		memcpy(ph, s->src, 4);
		memcpy(ph + 4, s->dst, 4);
		ph[9] = proto;
		pb_wr16(ph + 10, (uint16_t)l4_len);
		n = 12;
	} else {
		memcpy(ph, s->src, 16);
		memcpy(ph + 16, s->dst, 16);
		pb_wr32(ph + 32, l4_len);
		ph[39] = proto;
		n = 40;
	}
	return pb_sum(ph, n, 0);
}

size_t pb_build(uint8_t *buf, size_t cap, const uint8_t *link, size_t link_len,
		const struct pb_spec *s, struct pb_info *info)
{
	struct pb_info in;
	memset(&in, 0, sizeof(in));
	uint8_t ip_ver = s->ip_ver ? s->ip_ver : 4;
	uint8_t proto = s->proto ? s->proto : IPPROTO_TCP;

	size_t l3hdr = ip_ver == 4 ? 20 + pad4(s->ip_opts_len) : 40 + s->ip6_ext_len;
	size_t l4hdr = proto == IPPROTO_TCP ? 20 + pad4(s->tcp_opts_len)
		       : proto == IPPROTO_UDP ? 8
					      : 0;
	in.l3_off = link_len;
	in.l4_off = link_len + l3hdr;
	in.payload_off = in.l4_off + l4hdr;
	in.l4_len = (uint32_t)(l4hdr + s->payload_len);
	in.len = in.payload_off + s->payload_len;
	need(cap, in.len);
	memset(buf, 0, in.len);
	if (link_len)
		memcpy(buf, link, link_len);

	uint8_t *ip = buf + in.l3_off;
	uint8_t *l4 = buf + in.l4_off;
	if (ip_ver == 4) {
		uint8_t ihl = s->ihl_set ? s->ihl : (uint8_t)(l3hdr / 4);
		ip[0] = (uint8_t)(0x40 | (ihl & 0x0f));
		pb_wr16(ip + 2, s->ip_len_set ? s->ip_len : (uint16_t)(l3hdr + in.l4_len));
		pb_wr16(ip + 4, s->ip_id);
		pb_wr16(ip + 6, s->ip_frag);
		ip[8] = s->ttl ? s->ttl : 64;
		ip[9] = proto;
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
		if (s->ip_opts_len)
			memcpy(ip + 20, s->ip_opts, s->ip_opts_len);
		in.ip_csum_good = (uint16_t)~pb_sum(ip, l3hdr, 0);
		pb_wr16(ip + 10, s->ip_csum_bad ? (uint16_t)(in.ip_csum_good ^ 1) : in.ip_csum_good);
	} else {
		ip[0] = 0x60;
		pb_wr16(ip + 4, s->ip_len_set ? s->ip_len
					      : (uint16_t)(s->ip6_ext_len + in.l4_len));
		ip[6] = s->ip6_ext_len ? s->ip6_ext_first : proto;
		ip[7] = s->ttl ? s->ttl : 64;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		if (s->ip6_ext_len)
			memcpy(ip + 40, s->ip6_ext, s->ip6_ext_len);
	}

	if (proto == IPPROTO_TCP) {
		pb_wr16(l4, s->sport);
		pb_wr16(l4 + 2, s->dport);
		pb_wr32(l4 + 4, s->seq);
		pb_wr32(l4 + 8, s->ack);
		uint8_t doff = s->doff_set ? s->doff : (uint8_t)(l4hdr / 4);
		l4[12] = (uint8_t)(doff << 4);
		l4[13] = s->flags;
		pb_wr16(l4 + 14, s->win);
		if (s->tcp_opts_len)
			memcpy(l4 + 20, s->tcp_opts, s->tcp_opts_len);
	} else if (proto == IPPROTO_UDP) {
		pb_wr16(l4, s->sport);
		pb_wr16(l4 + 2, s->dport);
		pb_wr16(l4 + 4, s->udp_len_set ? s->udp_len : (uint16_t)in.l4_len);
	}
	if (s->payload_len)
		memcpy(buf + in.payload_off, s->payload, s->payload_len);

	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		in.seed = pseudo_seed(s, ip_ver, proto, in.l4_len);
		in.l4_csum_good = (uint16_t)~pb_sum(l4, in.l4_len, in.seed);
		if (proto == IPPROTO_UDP && in.l4_csum_good == 0)
			in.l4_csum_good = 0xffff; /* RFC 768 */
		switch (s->csum) {
		case PB_CSUM_GOOD: in.l4_csum = in.l4_csum_good; break;
		case PB_CSUM_VALUE: in.l4_csum = s->csum_value; break;
		case PB_CSUM_SEED: in.l4_csum = in.seed; break;
		case PB_CSUM_SEED_INV: in.l4_csum = (uint16_t)~in.seed; break;
		}
		pb_set_l4_csum(buf, &in, proto, in.l4_csum);
	}
	if (info)
		*info = in;
	return in.len;
}

void pb_set_l4_csum(uint8_t *buf, const struct pb_info *info, uint8_t proto, uint16_t v)
{
	pb_wr16(buf + info->l4_off + (proto == IPPROTO_UDP ? 6 : 16), v);
}

struct pkt_record pb_record(const uint8_t *buf, size_t len, int linktype)
{
	struct pkt_record r;
	memset(&r, 0, sizeof(r));
	r.frame = 1;
	r.caplen = (uint32_t)len;
	r.wirelen = (uint32_t)len;
	r.linktype = linktype;
	r.data = buf;
	return r;
}

size_t pb_eth(uint8_t out[14], uint16_t ethertype)
{
	static const uint8_t macs[12] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
					 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	memcpy(out, macs, 12);
	pb_wr16(out + 12, ethertype);
	return 14;
}

struct pkt_record pb_conversation_segment(uint8_t buf[2048], int c2s, uint32_t seq, uint32_t ack,
					  uint8_t flags, uint16_t win, uint32_t len)
{
	static const uint8_t ca[4] = {10, 0, 0, 1}, sa[4] = {10, 0, 0, 2};
	/* MSS 1460, window scale 7, SACK permitted */
	static const uint8_t syn_opts[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 0, 0};
	static const uint8_t payload[1500];
	uint8_t eth[14];
	struct pb_spec s;
	memset(&s, 0, sizeof(s));
	s.ip_ver = 4;
	s.proto = IPPROTO_TCP;
	memcpy(s.src, c2s ? ca : sa, 4);
	memcpy(s.dst, c2s ? sa : ca, 4);
	s.sport = c2s ? 45000 : 80;
	s.dport = c2s ? 80 : 45000;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.win = win;
	if (flags & TCP_SYN) {
		s.tcp_opts = syn_opts;
		s.tcp_opts_len = sizeof(syn_opts);
	}
	s.payload = payload;
	s.payload_len = len <= sizeof(payload) ? len : sizeof(payload);
	pb_eth(eth, 0x0800);
	size_t n = pb_build(buf, 2048, eth, sizeof(eth), &s, NULL);
	return pb_record(buf, n, DLT_EN10MB);
}
