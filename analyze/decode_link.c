/*
 * analyze/decode_link.c — link layers: find the network header and the
 * direction the link layer knows (Linux cooked captures carry the packet type,
 * so a capture on "any" knows what the host sent).
 */
#include "decode.h"
#include "rd.h"

#include <pcap/dlt.h>

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100

/* sll_pkttype values from <linux/if_packet.h> */
static uint8_t dir_from_pkttype(uint16_t pkttype)
{
	switch (pkttype) {
	case 0: /* PACKET_HOST */
	case 1: /* PACKET_BROADCAST */
	case 2: /* PACKET_MULTICAST */
	case 3: /* PACKET_OTHERHOST */
		return PKT_DIR_IN;
	case 4: /* PACKET_OUTGOING */
		return PKT_DIR_OUT;
	default:
		return PKT_DIR_UNKNOWN;
	}
}

int decode_ethernet(const uint8_t *b, size_t len, struct pkt_decoded *d, size_t *off,
		    uint16_t *ethertype)
{
	if (len < 14)
		return DECODE_SHORT_LINK;
	size_t o = 12;
	uint16_t et = rd_be16(b, len, o);
	o += 2;
	/* 802.1Q, 802.1ad (QinQ) and the old 0x9100 tag, any depth; the first
	 * two VIDs are kept. */
	while (et == ETH_P_8021Q || et == ETH_P_8021AD || et == ETH_P_QINQ_OLD) {
		if (len < o + 4)
			return DECODE_SHORT_LINK;
		if (d->vlan_count < 2)
			d->vlan[d->vlan_count] = rd_be16(b, len, o) & 0x0fff;
		if (d->vlan_count < UINT8_MAX) /* counted up to 255, not wrapped */
			d->vlan_count++;
		et = rd_be16(b, len, o + 2);
		o += 4;
	}
	*off = o;
	*ethertype = et;
	return (et == ETH_P_IP || et == ETH_P_IPV6) ? DECODE_OK : DECODE_NOT_IP;
}

static int ethertype_from_version(const uint8_t *b, size_t len, size_t off, uint16_t *et)
{
	if (len <= off)
		return DECODE_SHORT_IP;
	uint8_t v = b[off] >> 4;
	if (v == 4)
		*et = ETH_P_IP;
	else if (v == 6)
		*et = ETH_P_IPV6;
	else
		return DECODE_BAD_IP_VERSION;
	return DECODE_OK;
}

int decode_link(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		uint16_t *ethertype)
{
	const uint8_t *b = rec->data;
	size_t len = rec->caplen;
	d->dir = rec->dir;
	/* A tag the kernel took out of the frame (TPACKET_V3 tp_vlan_tci) was
	 * the outermost one: it comes before any still in the bytes. */
	if (rec->vlan_valid) {
		d->vlan[0] = rec->vlan_tci & 0x0fff;
		d->vlan_count = 1;
	}
	switch (rec->linktype) {
	case DLT_EN10MB:
		return decode_ethernet(b, len, d, l3_off, ethertype);
	case DLT_LINUX_SLL:
		if (len < 16)
			return DECODE_SHORT_LINK;
		if (d->dir == PKT_DIR_UNKNOWN)
			d->dir = dir_from_pkttype(rd_be16(b, len, 0));
		*l3_off = 16;
		*ethertype = rd_be16(b, len, 14);
		break;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		if (len < 20)
			return DECODE_SHORT_LINK;
		if (d->dir == PKT_DIR_UNKNOWN)
			d->dir = dir_from_pkttype(rd_u8(b, len, 10));
		*l3_off = 20;
		*ethertype = rd_be16(b, len, 0);
		break;
#endif
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		*l3_off = 0;
		return ethertype_from_version(b, len, 0, ethertype);
	case DLT_NULL:
	case DLT_LOOP: {
		if (len < 4)
			return DECODE_SHORT_LINK;
		/* DLT_NULL's family is in the writer's byte order: accept either. */
		uint32_t fam = rec->linktype == DLT_LOOP ? rd_be32(b, len, 0) : rd_le32(b, len, 0);
		if (rec->linktype == DLT_NULL && (fam & 0xffff) == 0)
			fam = rd_be32(b, len, 0);
		*l3_off = 4;
		if (fam == 2)
			*ethertype = ETH_P_IP;
		else if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
			*ethertype = ETH_P_IPV6;
		else
			return DECODE_NOT_IP;
		break;
	}
	default:
		return DECODE_NOT_IP;
	}
	/* SLL may carry VLAN tags too when the kernel did not strip them. */
	while (*ethertype == ETH_P_8021Q || *ethertype == ETH_P_8021AD) {
		if (len < *l3_off + 4)
			return DECODE_SHORT_LINK;
		if (d->vlan_count < 2)
			d->vlan[d->vlan_count] = rd_be16(b, len, *l3_off) & 0x0fff;
		if (d->vlan_count < UINT8_MAX) /* counted up to 255, not wrapped */
			d->vlan_count++;
		*ethertype = rd_be16(b, len, *l3_off + 2);
		*l3_off += 4;
	}
	return (*ethertype == ETH_P_IP || *ethertype == ETH_P_IPV6) ? DECODE_OK : DECODE_NOT_IP;
}
