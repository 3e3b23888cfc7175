/*
 * analyze/decode_tunnel.c — tunnels: the inner packet decoded in place of
 * the outer one (decode.h), one level deep.
 *
 * Carried in UDP (decode_tunnel):
 *   VXLAN (RFC 7348), destination port 4789: an 8-byte header whose flags
 *     have the I bit (0x08: the VNI is valid), the 24-bit VNI, a frame.
 *   Geneve (RFC 8926), port 6081: version 0, options (their length in the
 *     header, skipped), the protocol type (0x6558 a frame, or IPv4/IPv6),
 *     the 24-bit VNI.
 *   GTP-U (3GPP TS 29.281), port 2152: version 1, a G-PDU (type 255), the
 *     TEID, optional sequence/N-PDU/extension headers, an IP packet.
 * Carried in IP (decode_ip_tunnel):
 *   IP in IP: protocol 4 (IPv4 inside) or 41 (IPv6 inside), in either
 *     family: 4in4, 6in4 (sit), 4in6, 6in6.
 *   GRE (RFC 2784, 2890), protocol 47, version 0: optional checksum, key
 *     (the tunnel's id) and sequence number, then by protocol type: IPv4,
 *     IPv6, 0x6558 a frame (transparent Ethernet bridging), 0x883E WCCP
 *     redirection (its 4-byte header, then IPv4), 0x88BE ERSPAN
 *     type II (with a sequence number; type I without, no header of its
 *     own), 0x22EB ERSPAN type III (and its platform subheader when the O
 *     bit says so). An ERSPAN session id is the tunnel's id.
 *
 * The inner packet's length on the wire is what the outer headers give (its
 * captured part may be shorter). An inner frame that is not IP (ARP) is a
 * non-IP frame inside the tunnel; inner headers that do not decode leave
 * the outer packet as it was.
 */
#include "decode.h"
#include "rd.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#define VXLAN_PORT 4789
#define GENEVE_PORT 6081
#define GTPU_PORT 2152
#define ETH_P_TEB 0x6558
#define ETH_P_ERSPAN2 0x88BE
#define ETH_P_ERSPAN3 0x22EB
#define ETH_P_WCCP 0x883E
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

const char *tunnel_kind_name(int kind)
{
	switch (kind) {
	case TUN_VXLAN: return "vxlan";
	case TUN_GENEVE: return "geneve";
	case TUN_GTPU: return "gtpu";
	case TUN_GRE: return "gre";
	case TUN_ERSPAN: return "erspan";
	case TUN_IPIP: return "ipip";
	default: return "none";
	}
}

const char *tunnel_id_name(int kind)
{
	switch (kind) {
	case TUN_VXLAN:
	case TUN_GENEVE: return "vni";
	case TUN_GTPU: return "teid";
	case TUN_GRE: return "key";
	case TUN_ERSPAN: return "session";
	default: return NULL;
	}
}

/* Move d's outer headers to d->tun and decode the inner packet at b (cap
 * bytes captured, wire on the wire): a frame when et is 0, else an IP
 * packet of that ethertype. Returns the inner decode's result; on anything
 * but DECODE_OK or DECODE_NOT_IP, d is the outer packet again. */
static int decap(struct pkt_decoded *d, uint8_t kind, uint32_t id, const uint8_t *b, size_t cap,
		 size_t wire, uint16_t et)
{
	struct pkt_decoded outer = *d;
	/* The inner packet starts afresh; the record and direction stay. */
	memset(d, 0, sizeof(*d));
	d->rec = outer.rec;
	d->dir = outer.dir;
	d->link_encap = outer.link_encap; /* an MPLS underlay, say, stays the flow's */
	d->opt.wscale = -1;
	struct pkt_tunnel *t = &d->tun;
	t->kind = kind;
	t->ip_ver = outer.ip_ver;
	memcpy(t->src, outer.src, sizeof(t->src));
	memcpy(t->dst, outer.dst, sizeof(t->dst));
	t->id = id;
	t->ip = outer.ip;
	t->ip_cap = outer.ip_cap;
	t->ip_hlen = outer.ip_hlen;
	t->ip_csum = outer.ip_csum;
	if (outer.l4proto == IPPROTO_UDP) { /* verified by csum_verify_tunnel_udp */
		t->udp = outer.l4;
		t->udp_len = outer.l4_len;
		t->udp_cap = outer.l4_cap;
		t->udp_csum = outer.l4_csum;
	}
	t->anomalies = outer.anomalies;
	size_t l3 = 0;
	int rc = DECODE_OK;
	if (!et)
		rc = decode_ethernet(b, cap, d, &l3, &et);
	if (rc == DECODE_OK)
		rc = l3 <= cap && l3 <= wire ? decode_ip(b + l3, cap - l3, wire - l3, et, d)
					     : DECODE_SHORT_LINK;
	if (rc == DECODE_OK && !d->ip_frag) {
		if (d->l4proto == IPPROTO_TCP)
			rc = decode_tcp(d);
		else if (d->l4proto == IPPROTO_UDP)
			rc = decode_udp(d);
	}
	if (rc == DECODE_NOT_IP)
		return DECODE_NOT_IP;
	if (rc != DECODE_OK)
		*d = outer;
	return rc;
}

/* The ethertype of an IP packet by its version nibble, 0 when neither. */
static uint16_t ip_type_of(const uint8_t *b, size_t cap)
{
	if (!cap)
		return 0;
	return (b[0] >> 4) == 4 ? ETH_P_IP : (b[0] >> 4) == 6 ? ETH_P_IPV6 : 0;
}

int decode_tunnel(struct pkt_decoded *d)
{
	if (d->tun.kind != TUN_NONE || d->ip_frag || d->payload_cap < 8)
		return DECODE_NOT_IP;
	const uint8_t *v = d->l4 + 8;
	size_t cap = d->payload_cap, wire = d->payload_len;
	if (d->dport == VXLAN_PORT) {
		if (!(rd_u8(v, cap, 0) & 0x08))
			return DECODE_NOT_IP;
		uint32_t vni = (uint32_t)rd_be32(v, cap, 4) >> 8;
		return decap(d, TUN_VXLAN, vni, v + 8, cap - 8, wire - 8, 0);
	}
	if (d->dport == GENEVE_PORT) {
		uint8_t b0 = rd_u8(v, cap, 0);
		size_t hlen = 8 + (size_t)(b0 & 0x3f) * 4;
		if ((b0 >> 6) != 0 || cap < hlen)
			return DECODE_NOT_IP;
		uint16_t proto = rd_be16(v, cap, 2);
		uint32_t vni = (uint32_t)rd_be32(v, cap, 4) >> 8;
		if (proto != ETH_P_TEB && proto != ETH_P_IP && proto != ETH_P_IPV6)
			return DECODE_NOT_IP;
		return decap(d, TUN_GENEVE, vni, v + hlen, cap - hlen, wire - hlen,
			     proto == ETH_P_TEB ? 0 : proto);
	}
	if (d->dport == GTPU_PORT || d->sport == GTPU_PORT) {
		uint8_t fl = rd_u8(v, cap, 0);
		/* version 1, protocol type GTP, a G-PDU */
		if ((fl >> 5) != 1 || !(fl & 0x10) || rd_u8(v, cap, 1) != 0xff)
			return DECODE_NOT_IP;
		uint32_t teid = rd_be32(v, cap, 4);
		size_t hlen = 8;
		if (fl & 0x07) { /* sequence number, N-PDU number, next extension type */
			hlen = 12;
			uint8_t next = rd_u8(v, cap, 11);
			while (next && (fl & 0x04)) { /* extension headers, 4-byte units */
				size_t elen = (size_t)rd_u8(v, cap, hlen) * 4;
				if (!elen || cap < hlen + elen)
					return DECODE_NOT_IP;
				next = rd_u8(v, cap, hlen + elen - 1);
				hlen += elen;
			}
		}
		if (cap <= hlen)
			return DECODE_NOT_IP;
		uint16_t et = ip_type_of(v + hlen, cap - hlen);
		if (!et)
			return DECODE_NOT_IP;
		return decap(d, TUN_GTPU, teid, v + hlen, cap - hlen, wire - hlen, et);
	}
	return DECODE_NOT_IP;
}

int decode_ip_tunnel(struct pkt_decoded *d)
{
	if (d->tun.kind != TUN_NONE || d->ip_frag)
		return DECODE_NOT_IP;
	const uint8_t *g = d->l4;
	size_t cap = d->l4_cap, wire = d->l4_len;
	if (d->l4proto == IPPROTO_IPIP || d->l4proto == IPPROTO_IPV6) {
		uint16_t et = ip_type_of(g, cap);
		if (et != (d->l4proto == IPPROTO_IPIP ? ETH_P_IP : ETH_P_IPV6))
			return DECODE_NOT_IP;
		return decap(d, TUN_IPIP, 0, g, cap, wire, et);
	}
	if (d->l4proto != IPPROTO_GRE || cap < 4)
		return DECODE_NOT_IP;
	uint16_t fl = rd_be16(g, cap, 0), proto = rd_be16(g, cap, 2);
	/* Version 0 only (1 is PPTP's enhanced GRE); no source routing (the R
	 * bit, RFC 1701) and the reserved bits zero (RFC 2784: else discarded). */
	if ((fl & 0x0007) != 0 || (fl & 0x4000) || (fl & 0x0ff8))
		return DECODE_NOT_IP;
	size_t h = 4;
	uint32_t key = 0;
	if (fl & 0x8000)
		h += 4;
	if (fl & 0x2000) {
		key = rd_be32(g, cap, h);
		h += 4;
	}
	bool seq = fl & 0x1000;
	if (seq)
		h += 4;
	if (cap < h || wire < h)
		return DECODE_NOT_IP;
	if (proto == ETH_P_IP || proto == ETH_P_IPV6)
		return decap(d, TUN_GRE, key, g + h, cap - h, wire - h, proto);
	if (proto == ETH_P_TEB)
		return decap(d, TUN_GRE, key, g + h, cap - h, wire - h, 0);
	if (proto == ETH_P_WCCP) { /* a 4-byte redirect header, then IPv4 */
		if (cap < h + 4 || wire < h + 4 || ip_type_of(g + h + 4, cap - h - 4) != ETH_P_IP)
			return DECODE_NOT_IP;
		return decap(d, TUN_GRE, key, g + h + 4, cap - h - 4, wire - h - 4, ETH_P_IP);
	}
	if (proto == ETH_P_ERSPAN2) {
		if (!seq) /* type I: the mirrored frame right after GRE */
			return decap(d, TUN_ERSPAN, 0, g + h, cap - h, wire - h, 0);
		if (cap < h + 8 || wire < h + 8 || (rd_u8(g, cap, h) >> 4) != 1)
			return DECODE_NOT_IP;
		uint32_t session = rd_be16(g, cap, h + 2) & 0x03ff;
		return decap(d, TUN_ERSPAN, session, g + h + 8, cap - h - 8, wire - h - 8, 0);
	}
	if (proto == ETH_P_ERSPAN3) {
		if (cap < h + 12 || wire < h + 12 || (rd_u8(g, cap, h) >> 4) != 2)
			return DECODE_NOT_IP;
		uint32_t session = rd_be16(g, cap, h + 2) & 0x03ff;
		size_t e = 12 + ((rd_u8(g, cap, h + 11) & 0x01) ? 8 : 0); /* O: platform subheader */
		if (cap < h + e || wire < h + e)
			return DECODE_NOT_IP;
		return decap(d, TUN_ERSPAN, session, g + h + e, cap - h - e, wire - h - e, 0);
	}
	return DECODE_NOT_IP;
}
