/*
 * analyze/decode_tunnel.c — tunnels carried in UDP: the inner frame decoded
 * in place of the outer datagram (decode.h), one level deep.
 *
 * VXLAN (RFC 7348): UDP destination port 4789, an 8-byte header whose flags
 * have the I bit (0x08: the VNI is valid), the 24-bit VNI, then an Ethernet
 * frame. The inner frame's length on the wire is what the outer UDP length
 * says (its captured part may be shorter). An inner frame that is not IP
 * (ARP) is a non-IP frame inside the tunnel; one whose IP or TCP/UDP header
 * does not decode leaves the datagram as it was: a UDP flow between the
 * tunnel endpoints.
 */
#include "decode.h"
#include "rd.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#define VXLAN_PORT 4789
#define VXLAN_HLEN 8
#define VXLAN_FLAG_I 0x08

const char *tunnel_kind_name(int kind)
{
	switch (kind) {
	case TUN_VXLAN: return "vxlan";
	default: return "none";
	}
}

int decode_tunnel(struct pkt_decoded *d)
{
	if (d->tun.kind != TUN_NONE || d->dport != VXLAN_PORT || d->ip_frag || d->payload_cap < VXLAN_HLEN + 14 ||
	    d->payload_len < VXLAN_HLEN + 14)
		return DECODE_NOT_IP;
	const uint8_t *v = d->l4 + 8;
	size_t vcap = d->payload_cap;
	if (!(rd_u8(v, vcap, 0) & VXLAN_FLAG_I))
		return DECODE_NOT_IP;
	struct pkt_decoded outer = *d;
	const uint8_t *eth = v + VXLAN_HLEN;
	size_t ecap = vcap - VXLAN_HLEN, ewire = d->payload_len - VXLAN_HLEN;
	/* The inner packet starts afresh; the record and direction stay. */
	memset((char *)d + offsetof(struct pkt_decoded, tun), 0,
	       sizeof(*d) - offsetof(struct pkt_decoded, tun));
	d->dir = outer.dir;
	d->opt.wscale = -1;
	struct pkt_tunnel *t = &d->tun;
	t->kind = TUN_VXLAN;
	t->ip_ver = outer.ip_ver;
	memcpy(t->src, outer.src, sizeof(t->src));
	memcpy(t->dst, outer.dst, sizeof(t->dst));
	t->id = (uint32_t)rd_u8(v, vcap, 4) << 16 | (uint32_t)rd_u8(v, vcap, 5) << 8 | rd_u8(v, vcap, 6);
	t->ip = outer.ip;
	t->ip_cap = outer.ip_cap;
	t->ip_hlen = outer.ip_hlen;
	t->ip_csum = outer.ip_csum;
	t->udp = outer.l4;
	t->udp_len = outer.l4_len;
	t->udp_cap = outer.l4_cap;
	t->udp_csum = outer.l4_csum;
	t->anomalies = outer.anomalies;
	size_t l3 = 0;
	uint16_t et = 0;
	int rc = decode_ethernet(eth, ecap, d, &l3, &et);
	if (rc == DECODE_OK)
		rc = l3 <= ecap ? decode_ip(eth + l3, ecap - l3, ewire - l3, et, d) : DECODE_SHORT_LINK;
	if (rc == DECODE_OK && !d->ip_later_frag) {
		if (d->l4proto == IPPROTO_TCP)
			rc = decode_tcp(d);
		else if (d->l4proto == IPPROTO_UDP)
			rc = decode_udp(d);
	}
	/* The tunnel carries something else (ARP, LLDP): a non-IP frame, inside. */
	if (rc == DECODE_NOT_IP)
		return DECODE_NOT_IP;
	if (rc != DECODE_OK) {
		*d = outer; /* not an inner packet tcplens reads: the datagram stays */
		return rc;
	}
	return DECODE_OK;
}
