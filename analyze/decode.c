/*
 * analyze/decode.c — the decoder chain and its error names.
 */
#include "decode.h"

#include <pcap/dlt.h>

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

const char *decode_strerror(int err)
{
	switch (err) {
	case DECODE_OK: return "ok";
	case DECODE_NOT_IP: return "not an IP packet";
	case DECODE_SHORT_LINK: return "frame shorter than its link-layer header";
	case DECODE_SHORT_IP: return "IP header cut short";
	case DECODE_BAD_IP_VERSION: return "IP version is neither 4 nor 6";
	case DECODE_BAD_IP_HLEN: return "IPv4 header length below 20 bytes";
	case DECODE_BAD_IP_LEN: return "IP total length disagrees with the frame length";
	case DECODE_SHORT_IP6_EXT: return "IPv6 extension header cut short";
	case DECODE_SHORT_TCP: return "TCP header cut short";
	case DECODE_BAD_TCP_HLEN: return "TCP data offset out of range";
	case DECODE_BAD_TCP_OPTION: return "malformed TCP option";
	case DECODE_SHORT_UDP: return "UDP header cut short";
	case DECODE_BAD_UDP_LEN: return "UDP length out of range";
	default: return "unknown decode error";
	}
}

int decode_packet(const struct pkt_record *rec, struct pkt_decoded *d)
{
	memset(d, 0, offsetof(struct pkt_decoded, tun)); /* tun: decode.h */
	d->tun.kind = TUN_NONE;
	d->rec = rec;
	d->opt.wscale = -1;
	size_t l3 = 0;
	uint16_t et = 0;
	size_t wire = rec->wirelen;
	if (rec->caplen > rec->wirelen) {
		/* A writer that swapped the fields, or damage: trust what is there. */
		d->anomalies |= ANOM_CAPLEN_OVER_WIRE;
		wire = rec->caplen;
	}
	int rc = decode_link(rec, d, &l3, &et);
	if (rc != DECODE_OK)
		return rc;
#ifdef DLT_NFLOG
	/* NFLOG records the copy range's bytes as the packet's whole length:
	 * trust the IP header's (a datagram cut by --nflog-size is then a cut
	 * one, not a malformed one). */
	if (rec->linktype == DLT_NFLOG && wire < l3 + 65535)
		wire = l3 + 65535;
#endif
	if (l3 > rec->caplen)
		return DECODE_SHORT_LINK;
	rc = decode_ip(rec->data + l3, rec->caplen - l3, wire - l3, et, d);
	if (rc != DECODE_OK)
		return rc;
	if (d->ip_frag) /* its transport header is the datagram's: analyze/defrag.h */
		return DECODE_OK;
	if (d->l4proto == IPPROTO_IPIP || d->l4proto == IPPROTO_IPV6 || d->l4proto == IPPROTO_GRE) {
		int t = decode_ip_tunnel(d);
		if (d->tun.kind != TUN_NONE && (t == DECODE_OK || t == DECODE_NOT_IP))
			return t;
		return DECODE_OK; /* a protocol tcplens does not follow */
	}
	if (d->l4proto == IPPROTO_TCP)
		return decode_tcp(d);
	if (d->l4proto == IPPROTO_UDP) {
		rc = decode_udp(d);
		if (rc == DECODE_OK && decode_tunnel(d) == DECODE_NOT_IP && d->tun.kind)
			return DECODE_NOT_IP;
		return rc;
	}
	return DECODE_OK;
}
