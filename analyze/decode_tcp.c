/*
 * analyze/decode_tcp.c — TCP header with every option (RFC 9293 §3.1, RFC
 * 7323 window scale and timestamps, RFC 2018 SACK), and UDP (RFC 768).
 *
 * A malformed option list does not lose the segment: sequence numbers and
 * flags are still good, so the header decodes and ANOM_TCP_OPT_BAD records
 * that options after the fault were ignored.
 */
#include "decode.h"
#include "rd.h"

#include <string.h>

int decode_tcp_options(const uint8_t *opts, size_t len, struct tcp_opts *o)
{
	/* NOP, NOP, timestamps: what Linux puts on every segment after the
	 * handshake. The loop below decodes it the same way, in three turns. */
	if (len == 12 && opts[0] == 1 && opts[1] == 1 && opts[2] == 8 && opts[3] == 10) {
		o->has_ts = true;
		o->ts_val = rd_be32(opts, len, 4);
		o->ts_ecr = rd_be32(opts, len, 8);
		return DECODE_OK;
	}
	size_t i = 0;
	while (i < len) {
		uint8_t kind = opts[i];
		if (kind == 0) /* end of option list */
			break;
		if (kind == 1) { /* NOP */
			i++;
			continue;
		}
		if (i + 1 >= len)
			return DECODE_BAD_TCP_OPTION;
		uint8_t olen = opts[i + 1];
		if (olen < 2 || i + olen > len)
			return DECODE_BAD_TCP_OPTION;
		const uint8_t *v = opts + i + 2;
		size_t vlen = olen - 2u;
		switch (kind) {
		case 2: /* MSS */
			if (vlen != 2)
				return DECODE_BAD_TCP_OPTION;
			o->mss = rd_be16(v, vlen, 0);
			break;
		case 3: /* window scale: shift above 14 is treated as 14 (RFC 7323 §2.3) */
			if (vlen != 1)
				return DECODE_BAD_TCP_OPTION;
			o->wscale = (int8_t)(v[0] > 14 ? 14 : v[0]);
			break;
		case 4: /* SACK permitted */
			if (vlen != 0)
				return DECODE_BAD_TCP_OPTION;
			o->sack_permitted = true;
			break;
		case 5: /* SACK blocks */
			if (vlen == 0 || vlen % 8 || vlen / 8 > TCP_MAX_SACK)
				return DECODE_BAD_TCP_OPTION;
			o->sack_count = 0;
			for (size_t k = 0; k < vlen / 8; k++) {
				o->sack[k].left = rd_be32(v, vlen, k * 8);
				o->sack[k].right = rd_be32(v, vlen, k * 8 + 4);
				o->sack_count++;
			}
			break;
		case 8: /* timestamps */
			if (vlen != 8)
				return DECODE_BAD_TCP_OPTION;
			o->has_ts = true;
			o->ts_val = rd_be32(v, vlen, 0);
			o->ts_ecr = rd_be32(v, vlen, 4);
			break;
		default: /* skipped by its length */
			if (o->unknown_count < 255)
				o->unknown_count++;
			break;
		}
		i += olen;
	}
	return DECODE_OK;
}

int decode_tcp(struct pkt_decoded *d)
{
	const uint8_t *b = d->l4;
	size_t cap = d->l4_cap;
	if (d->l4_len < 20 || cap < 20)
		return DECODE_SHORT_TCP;
	d->sport = rd_be16(b, cap, 0);
	d->dport = rd_be16(b, cap, 2);
	d->seq = rd_be32(b, cap, 4);
	d->ack = rd_be32(b, cap, 8);
	uint16_t hlen = (uint16_t)((rd_u8(b, cap, 12) >> 4) * 4);
	d->flags = rd_u8(b, cap, 13);
	d->win = rd_be16(b, cap, 14);
	d->l4_csum = rd_be16(b, cap, 16);
	if (hlen < 20 || hlen > d->l4_len)
		return DECODE_BAD_TCP_HLEN;
	d->tcp_hlen = hlen;
	d->payload_len = d->l4_len - hlen;
	d->payload_cap = cap > hlen ? (uint32_t)(cap - hlen) : 0;
	memset(&d->opt, 0, sizeof(d->opt));
	d->opt.wscale = -1;
	size_t optcap = (hlen <= cap ? hlen : cap) - 20;
	if (hlen > cap)
		d->anomalies |= ANOM_TCP_OPT_TRUNC;
	if (decode_tcp_options(b + 20, optcap, &d->opt) != DECODE_OK)
		d->anomalies |= ANOM_TCP_OPT_BAD;
	return DECODE_OK;
}

int decode_udp(struct pkt_decoded *d)
{
	const uint8_t *b = d->l4;
	size_t cap = d->l4_cap;
	if (d->l4_len < 8 || cap < 8)
		return DECODE_SHORT_UDP;
	d->sport = rd_be16(b, cap, 0);
	d->dport = rd_be16(b, cap, 2);
	uint16_t ulen = rd_be16(b, cap, 4);
	d->l4_csum = rd_be16(b, cap, 6);
	/* UDP length 0 is legal only in an IPv6 jumbogram (RFC 2675). */
	if (ulen == 0 && !(d->ip_ver == 6 && (d->anomalies & ANOM_IP_TOTLEN_ZERO)))
		return DECODE_BAD_UDP_LEN;
	if (ulen != 0 && (ulen < 8 || ulen > d->l4_len))
		return DECODE_BAD_UDP_LEN;
	if (ulen != 0 && ulen < d->l4_len) {
		d->l4_len = ulen;
		if (d->l4_cap > ulen)
			d->l4_cap = ulen;
	}
	d->payload_len = d->l4_len - 8;
	d->payload_cap = d->l4_cap > 8 ? d->l4_cap - 8 : 0;
	return DECODE_OK;
}
