/*
 * analyze/csum_verify.c — see csum_verify.h.
 */
#include "csum_verify.h"

#include <netinet/in.h>
#include <string.h>

#include "checksum.h"

int csum_verify_ipv4_header(const struct pkt_decoded *d, uint16_t *expected)
{
	if (d->ip_ver != 4 || d->ip_cap < d->ip_hlen)
		return -1;
	uint16_t s = csum_fold(csum_add(0, d->ip, d->ip_hlen));
	if (s == 0xffff)
		return 1;
	/* Remove the field from the sum (ones' complement subtraction). */
	uint16_t without = csum_fold((uint64_t)s + (uint16_t)~d->ip_csum);
	*expected = (uint16_t)~without;
	return 0;
}

static uint64_t pseudo_sum(const struct pkt_decoded *d, uint32_t l4len)
{
	if (d->ip_ver == 4)
		return csum_pseudo_v4(d->src, d->dst, d->l4proto, l4len);
	return csum_pseudo_v6(d->src, d->final_dst ? d->final_dst : d->dst, d->l4proto, l4len);
}

/* The field a CHECKSUM_PARTIAL packet carries: the folded pseudo-header sum
 * (Linux: th->check = ~tcp_v4_check(len, saddr, daddr, 0)). Some drivers and
 * stacks leave its complement instead. */
static int is_offload_seed(const struct pkt_decoded *d, uint16_t field)
{
	uint16_t seed = csum_fold(pseudo_sum(d, d->l4_len));
	uint16_t inv = (uint16_t)~seed;
	return field == seed || field == inv;
}

enum csum_verdict csum_verify_l4(const struct pkt_decoded *d, uint16_t *expected)
{
	*expected = 0;
	uint16_t field = d->l4_csum;
	if (d->l4proto == IPPROTO_UDP && d->ip_ver == 4 && field == 0)
		return CSUM_ABSENT;
	/* The capture source said "checksum not ready" (TPACKET_V3, NFQUEUE):
	 * a mismatch is an artifact whatever the field holds; the expected
	 * value is still computed for the report. */
	int not_ready = d->rec && (d->rec->hints & PKT_HINT_CSUM_NOT_READY);
	if (d->l4_cap < d->l4_len)
		return not_ready || is_offload_seed(d, field) ? CSUM_OFFLOAD : CSUM_UNVERIFIABLE;
	uint64_t sum = pseudo_sum(d, d->l4_len);
	sum = csum_add(sum, d->l4, d->l4_len);
	uint16_t s = csum_fold(sum);
	/* 0xffff and 0x0000 both encode a zero sum in the field: either way the
	 * total folds to 0xffff, so both are accepted here. */
	if (s == 0xffff)
		return CSUM_OK;
	uint16_t without = csum_fold((uint64_t)s + (uint16_t)~field);
	*expected = (uint16_t)~without;
	if (d->l4proto == IPPROTO_UDP && *expected == 0)
		*expected = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	return not_ready || is_offload_seed(d, field) ? CSUM_OFFLOAD : CSUM_BAD;
}

enum csum_verdict csum_verify_tunnel_udp(const struct pkt_decoded *d, uint16_t inner_expected,
					 uint16_t *expected, bool *lco)
{
	const struct pkt_tunnel *t = &d->tun;
	*lco = false;
	/* rec NULL: a capture's "not ready" hint is about the inner sum */
	struct pkt_decoded o = {.rec = NULL};
	o.ip_ver = t->ip_ver;
	o.l4proto = IPPROTO_UDP;
	memcpy(o.src, t->src, sizeof(o.src));
	memcpy(o.dst, t->dst, sizeof(o.dst));
	o.final_dst = NULL;
	o.l4 = t->udp;
	o.l4_len = t->udp_len;
	o.l4_cap = t->udp_cap;
	o.l4_csum = t->udp_csum;
	/* A tunnel's zero UDP checksum means none over IPv6 too (RFC 6935,
	 * 8926; Linux udp6zerocsumtx). */
	if (!t->udp_csum) {
		*expected = 0;
		return CSUM_ABSENT;
	}
	enum csum_verdict v = csum_verify_l4(&o, expected);
	if (v != CSUM_BAD || !inner_expected)
		return v;
	/* The inner field sits at an even offset from the outer UDP header
	 * (8 + 8 + 14 + 4n + the inner IP header + 16 or 6), so its 16-bit
	 * word adds in as is: swap the seed for the completed value. */
	uint64_t sum = pseudo_sum(&o, o.l4_len);
	sum = csum_add(sum, o.l4, o.l4_len);
	uint16_t s = csum_fold(sum);
	uint16_t fixed = csum_fold((uint64_t)s + (uint16_t)~d->l4_csum + inner_expected);
	if (fixed == 0xffff)
		*lco = true;
	return v;
}
