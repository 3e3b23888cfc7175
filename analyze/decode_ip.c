/*
 * analyze/decode_ip.c — IPv4 (with options; fragments described for
 * analyze/defrag.c) and IPv6 (walking the extension header chain to the transport
 * header). A datagram cut by the snap length decodes: ip_cap says how much of
 * it is present, and later layers treat the rest as unverifiable.
 */
#include "decode.h"
#include "rd.h"

#include <string.h>

#define ETH_P_IP 0x0800

static int decode_ipv4(const uint8_t *b, size_t len, size_t wirelen, struct pkt_decoded *d)
{
	if (len < 20)
		return DECODE_SHORT_IP;
	uint8_t vihl = rd_u8(b, len, 0);
	if (vihl >> 4 != 4)
		return DECODE_BAD_IP_VERSION;
	uint16_t hlen = (uint16_t)((vihl & 0x0f) * 4);
	if (hlen < 20)
		return DECODE_BAD_IP_HLEN;
	if (len < hlen)
		return DECODE_SHORT_IP;
	/* The header is whole: its checksum can be verified even when what
	 * follows is damaged (the frame is then reported malformed too). */
	d->ip_ver = 4;
	d->ip = b;
	d->ip_hlen = hlen;
	d->ip_cap = hlen;
	d->ip_csum = rd_be16(b, len, 10);
	uint32_t totlen = rd_be16(b, len, 2);
	if (totlen == 0) {
		/* TSO on some drivers and BIG TCP leave tot_len 0 on a giant:
		 * the frame's own length is the datagram's. */
		d->anomalies |= ANOM_IP_TOTLEN_ZERO;
		totlen = (uint32_t)wirelen;
	}
	if (totlen < hlen) {
		d->ip_ver = 0; /* a header longer than its datagram: not judged */
		return DECODE_BAD_IP_LEN;
	}
	if (totlen > wirelen)
		return DECODE_BAD_IP_LEN;
	if (totlen < wirelen)
		d->anomalies |= ANOM_IP_PADDED;
	d->ip_len = totlen;
	d->ip_cap = (uint32_t)(len < totlen ? len : totlen);
	if (len < totlen)
		d->anomalies |= ANOM_IP_TRUNCATED;
	d->ip_id = rd_be16(b, len, 4);
	uint16_t frag = rd_be16(b, len, 6);
	d->ip_frag = (frag & 0x3fff) != 0;          /* MF set or offset != 0 */
	if (d->ip_frag) {
		d->anomalies |= ANOM_IP_FRAGMENT;
		d->frag_more = (frag & 0x2000) != 0;
		d->frag_offset = (uint16_t)((frag & 0x1fffu) * 8u);
		d->frag_id = d->ip_id;
	}
	d->ttl = rd_u8(b, len, 8);
	d->l4proto = rd_u8(b, len, 9);
	memcpy(d->src, b + 12, 4);
	memcpy(d->dst, b + 16, 4);
	d->l4 = b + hlen;
	d->l4_len = totlen - hlen;
	d->l4_cap = d->ip_cap - hlen;
	return DECODE_OK;
}

/* A routing header with segments left names the final destination: the
 * last address of type 0 and 2 (RFC 8200, RFC 6275), the first of the
 * segment list of type 4, SRv6 (RFC 8754 §2). Others (RPL's compressed
 * list) leave the pseudo-header on the packet's destination. */
static void routing_final_dst(const uint8_t *b, uint32_t off, uint32_t ext,
			      struct pkt_decoded *d)
{
	uint8_t type = b[off + 2], left = b[off + 3];
	uint32_t naddr = (ext - 8) / 16;
	if (!left || !naddr || d->ip_cap < off + ext)
		return;
	if (type == 0 || type == 2)
		d->final_dst = b + off + 8 + 16 * (naddr - 1);
	else if (type == 4)
		d->final_dst = b + off + 8;
}

static int decode_ipv6(const uint8_t *b, size_t len, size_t wirelen, struct pkt_decoded *d)
{
	if (len < 40)
		return DECODE_SHORT_IP;
	if (rd_u8(b, len, 0) >> 4 != 6)
		return DECODE_BAD_IP_VERSION;
	uint32_t totlen = 40u + rd_be16(b, len, 4);
	if (totlen == 40 && wirelen > 40) {
		/* Jumbogram or BIG TCP GSO packet: payload length 0. */
		d->anomalies |= ANOM_IP_TOTLEN_ZERO;
		totlen = (uint32_t)wirelen;
	}
	if (totlen > wirelen)
		return DECODE_BAD_IP_LEN;
	if (totlen < wirelen)
		d->anomalies |= ANOM_IP_PADDED;
	d->ip_ver = 6;
	d->ip = b;
	d->ip_len = totlen;
	d->ip_cap = (uint32_t)(len < totlen ? len : totlen);
	if (len < totlen)
		d->anomalies |= ANOM_IP_TRUNCATED;
	d->ttl = rd_u8(b, len, 7);
	memcpy(d->src, b + 8, 16);
	memcpy(d->dst, b + 24, 16);

	uint8_t nh = rd_u8(b, len, 6);
	uint32_t off = 40, nh_at = 6;
	for (;;) {
		uint32_t ext;
		switch (nh) {
		case 43:  /* routing */
			if (d->ip_cap < off + 8)
				return DECODE_SHORT_IP6_EXT;
			ext = (rd_u8(b, len, off + 1) + 1u) * 8;
			routing_final_dst(b, off, ext, d);
			break;
		case 0:   /* hop-by-hop */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
			if (d->ip_cap < off + 8)
				return DECODE_SHORT_IP6_EXT;
			ext = (rd_u8(b, len, off + 1) + 1u) * 8;
			break;
		case 51:  /* AH: length in 4-octet units minus 2 */
			if (d->ip_cap < off + 8)
				return DECODE_SHORT_IP6_EXT;
			ext = (rd_u8(b, len, off + 1) + 2u) * 4;
			break;
		case 44: { /* fragment */
			if (d->ip_cap < off + 8)
				return DECODE_SHORT_IP6_EXT;
			uint16_t fo = rd_be16(b, len, off + 2);
			d->ip_frag = true;
			d->anomalies |= ANOM_IP_FRAGMENT;
			d->frag_id = rd_be32(b, len, off + 4);
			d->ip_id = (uint16_t)d->frag_id;
			d->frag_more = (fo & 1) != 0;
			d->frag_offset = (uint16_t)(fo & 0xfff8u);
			d->frag_nh_at = (uint16_t)nh_at;
			if (off + 8 > totlen)
				return DECODE_BAD_IP_LEN;
			/* What follows is the fragmentable part: reassembly's,
			 * not walked here (a later fragment's bytes are no
			 * header at all). */
			nh = rd_u8(b, len, off);
			off += 8;
			goto done;
		}
		default:
			goto done;
		}
		if (off + ext > totlen)
			return DECODE_BAD_IP_LEN;
		nh = rd_u8(b, len, off);
		nh_at = off;
		off += ext;
	}
done:
	if (off > d->ip_cap)
		return DECODE_SHORT_IP6_EXT;
	d->ip_hlen = (uint16_t)(off > 0xffff ? 0xffff : off);
	d->l4proto = nh;
	d->l4 = b + off;
	d->l4_len = totlen - off;
	d->l4_cap = d->ip_cap - off;
	return DECODE_OK;
}

int decode_ip(const uint8_t *b, size_t len, size_t wirelen, uint16_t ethertype,
	      struct pkt_decoded *d)
{
	if (ethertype == ETH_P_IP)
		return decode_ipv4(b, len, wirelen, d);
	return decode_ipv6(b, len, wirelen, d);
}
