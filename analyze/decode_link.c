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

#define ETH_P_PBB 0x88e7
#define ETH_P_VNTAG 0x8926
#define ETH_P_ETAG 0x893f
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define ETH_P_PPPOE_SESS 0x8864
#define PPP_IP 0x0021
#define PPP_IPV6 0x0057
#define PPP_MPLS_UC 0x0281
#define PPP_MPLS_MC 0x0283
#define MPLS_MAX_LABELS 16
#define SHIMS_MAX 8

const char *link_encap_name(int i)
{
	static const char *const names[LINK_ENCAP_BITS] = {"mpls", "pppoe", "pbb", "vntag",
							    "etag", "llc_snap", "ppp"};
	return i >= 0 && i < LINK_ENCAP_BITS ? names[i] : "";
}

static uint16_t ppp_to_ethertype(uint16_t proto)
{
	return proto == PPP_IP ? ETH_P_IP : proto == PPP_IPV6 ? ETH_P_IPV6 : 0;
}

/* Past the ethertype at b[*off - 2]: VLAN tags, PBB, VN-Tag, E-Tag, MPLS
 * (IP or pseudowire Ethernet inside), PPPoE and LLC/SNAP, in any order, up
 * to SHIMS_MAX of them (and tags counted as before). On return *et is the
 * network layer's ethertype and *off its offset. */
static int walk_shims(const uint8_t *b, size_t len, struct pkt_decoded *d, size_t *off, uint16_t *et)
{
	size_t o = *off;
	uint16_t t = *et;
	for (int shims = 0;; shims++) {
		if (t == ETH_P_8021Q || t == ETH_P_8021AD || t == ETH_P_QINQ_OLD) {
			/* 802.1Q, 802.1ad (QinQ) and the old 0x9100 tag, any depth;
			 * the first two VIDs are kept. */
			if (len < o + 4)
				return DECODE_SHORT_LINK;
			if (d->vlan_count < 2)
				d->vlan[d->vlan_count] = rd_be16(b, len, o) & 0x0fff;
			if (d->vlan_count < UINT8_MAX) /* counted up to 255, not wrapped */
				d->vlan_count++;
			t = rd_be16(b, len, o + 2);
			o += 4;
			shims--; /* tags are not limited */
			continue;
		}
		if (shims >= SHIMS_MAX)
			break;
		if (t == ETH_P_PBB) { /* I-TAG, then the customer's addresses */
			if (len < o + 4 + 12 + 2)
				return DECODE_SHORT_LINK;
			d->link_encap |= LINK_ENCAP_PBB;
			t = rd_be16(b, len, o + 16);
			o += 18;
		} else if (t == ETH_P_VNTAG || t == ETH_P_ETAG) {
			size_t n = t == ETH_P_VNTAG ? 4 : 6;
			if (len < o + n + 2)
				return DECODE_SHORT_LINK;
			d->link_encap |= t == ETH_P_VNTAG ? LINK_ENCAP_VNTAG : LINK_ENCAP_ETAG;
			t = rd_be16(b, len, o + n);
			o += n + 2;
		} else if (t == ETH_P_PPPOE_SESS) {
			if (len < o + 8)
				return DECODE_SHORT_LINK;
			d->link_encap |= LINK_ENCAP_PPPOE;
			t = ppp_to_ethertype(rd_be16(b, len, o + 6));
			o += 8;
			if (!t)
				return DECODE_NOT_IP;
		} else if (t == ETH_P_MPLS_UC || t == ETH_P_MPLS_MC) {
			d->link_encap |= LINK_ENCAP_MPLS;
			int n = 0;
			for (;; n++) { /* to the bottom of the stack (the S bit) */
				if (n == MPLS_MAX_LABELS || len < o + 4)
					return DECODE_SHORT_LINK;
				bool bottom = rd_u8(b, len, o + 2) & 0x01;
				o += 4;
				if (bottom)
					break;
			}
			if (len <= o)
				return DECODE_SHORT_LINK;
			uint8_t nib = b[o] >> 4;
			if (nib == 4 || nib == 6) {
				t = nib == 4 ? ETH_P_IP : ETH_P_IPV6;
				break;
			}
			if (nib != 0) /* no control word: not IP, not a pseudowire we can tell */
				return DECODE_NOT_IP;
			/* pseudowire control word, then an Ethernet frame */
			if (len < o + 4 + 14)
				return DECODE_SHORT_LINK;
			t = rd_be16(b, len, o + 4 + 12);
			o += 4 + 14;
		} else if (t <= 1500) { /* an 802.3 length: LLC, with SNAP the ethertype */
			if (len < o + 8 || b[o] != 0xaa || b[o + 1] != 0xaa || b[o + 2] != 0x03)
				return DECODE_NOT_IP;
			d->link_encap |= LINK_ENCAP_LLC_SNAP;
			t = rd_be16(b, len, o + 6);
			o += 8;
		} else {
			break;
		}
	}
	*off = o;
	*et = t;
	return (t == ETH_P_IP || t == ETH_P_IPV6) ? DECODE_OK : DECODE_NOT_IP;
}

int decode_ethernet(const uint8_t *b, size_t len, struct pkt_decoded *d, size_t *off,
		    uint16_t *ethertype)
{
	if (len < 14)
		return DECODE_SHORT_LINK;
	*off = 14;
	*ethertype = rd_be16(b, len, 12);
	return walk_shims(b, len, d, off, ethertype);
}

/* An 802.11 frame at b[off..len): a data frame's LLC/SNAP header names the
 * network layer. Management and control frames, data frames without data
 * (null functions), protected (encrypted) ones and A-MSDU aggregates carry
 * nothing tcplens reads. */
static int decode_80211(const uint8_t *b, size_t len, size_t off, struct pkt_decoded *d,
			size_t *l3_off, uint16_t *ethertype)
{
	if (len < off + 24)
		return DECODE_SHORT_LINK;
	uint8_t fc0 = b[off], fc1 = b[off + 1];
	uint8_t type = (fc0 >> 2) & 3, subtype = (fc0 >> 4) & 0xf;
	if (type != 2 || (subtype & 0x4) || (fc1 & 0x40))
		return DECODE_NOT_IP;
	size_t h = 24;
	if ((fc1 & 0x03) == 0x03) /* to and from the distribution system: a fourth address */
		h += 6;
	if (subtype & 0x8) { /* QoS data: QoS control, then HT control with the order bit */
		if (len < off + h + 2)
			return DECODE_SHORT_LINK;
		if (b[off + h] & 0x80) /* A-MSDU present */
			return DECODE_NOT_IP;
		h += 2 + ((fc1 & 0x80) ? 4 : 0);
	}
	size_t o = off + h;
	if (len < o + 8)
		return DECODE_SHORT_LINK;
	if (b[o] != 0xaa || b[o + 1] != 0xaa || b[o + 2] != 0x03)
		return DECODE_NOT_IP;
	d->link_encap |= LINK_ENCAP_LLC_SNAP;
	*l3_off = o + 8;
	*ethertype = rd_be16(b, len, o + 6);
	return walk_shims(b, len, d, l3_off, ethertype);
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

/* PPP: HDLC-like framing (address 0xff, control 0x03) may precede the
 * protocol, which may be one byte (an odd value: PFC). */
static int decode_ppp(const uint8_t *b, size_t len, struct pkt_decoded *d, size_t *l3_off,
		      uint16_t *ethertype)
{
	size_t o = len >= 2 && b[0] == 0xff && b[1] == 0x03 ? 2 : 0;
	if (len < o + 1)
		return DECODE_SHORT_LINK;
	uint16_t proto = (b[o] & 1) ? b[o] : (len >= o + 2 ? rd_be16(b, len, o) : 0);
	o += (b[o] & 1) ? 1 : 2;
	d->link_encap |= LINK_ENCAP_PPP;
	*l3_off = o;
	if (proto == PPP_MPLS_UC || proto == PPP_MPLS_MC) {
		*ethertype = ETH_P_MPLS_UC;
		return walk_shims(b, len, d, l3_off, ethertype);
	}
	*ethertype = ppp_to_ethertype(proto);
	return *ethertype ? DECODE_OK : DECODE_NOT_IP;
}

#ifdef DLT_NFLOG
/* NFLOG: nflog_hdr (family, version, resource id), then TLVs whose length
 * and type are in the logging host's byte order (little endian on every
 * host tcplens knows; big endian tried when that makes no sense), padded to
 * 4; the packet is NFULA_PAYLOAD (9). */
static int decode_nflog(const uint8_t *b, size_t len, size_t *l3_off, uint16_t *ethertype)
{
	if (len < 4)
		return DECODE_SHORT_LINK;
	for (int big = 0; big < 2; big++) {
		size_t o = 4;
		while (len >= o + 4) {
			uint16_t tl = big ? rd_be16(b, len, o) : rd_le16(b, len, o);
			uint16_t ty = big ? rd_be16(b, len, o + 2) : rd_le16(b, len, o + 2);
			if (tl < 4 || len < o + tl)
				break;
			if ((ty & 0x7fff) == 9) {
				*l3_off = o + 4;
				return ethertype_from_version(b, o + tl, o + 4, ethertype);
			}
			o += ((size_t)tl + 3) & ~(size_t)3;
		}
	}
	return DECODE_NOT_IP;
}
#endif

/* The link layers of capture/linktypes.def, one decoder each, all of one
 * shape: the link header read, d->dir from it when it tells, *l3_off and
 * *ethertype set (or the shims walked to them). */

static int link_ethernet(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
			 uint16_t *ethertype)
{
	return decode_ethernet(rec->data, rec->caplen, d, l3_off, ethertype);
}

/* SLL may carry VLAN tags (and the other shims) when the kernel did not
 * strip them: both SLLs walk them. */
static int link_sll(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		    uint16_t *ethertype)
{
	const uint8_t *b = rec->data;
	size_t len = rec->caplen;
	if (len < 16)
		return DECODE_SHORT_LINK;
	if (d->dir == PKT_DIR_UNKNOWN)
		d->dir = dir_from_pkttype(rd_be16(b, len, 0));
	*l3_off = 16;
	*ethertype = rd_be16(b, len, 14);
	return walk_shims(b, len, d, l3_off, ethertype);
}

#ifdef DLT_LINUX_SLL2
static int link_sll2(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		     uint16_t *ethertype)
{
	const uint8_t *b = rec->data;
	size_t len = rec->caplen;
	if (len < 20)
		return DECODE_SHORT_LINK;
	if (d->dir == PKT_DIR_UNKNOWN)
		d->dir = dir_from_pkttype(rd_u8(b, len, 10));
	*l3_off = 20;
	*ethertype = rd_be16(b, len, 0);
	return walk_shims(b, len, d, l3_off, ethertype);
}
#endif

static int link_raw(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		    uint16_t *ethertype)
{
	(void)d;
	*l3_off = 0;
	return ethertype_from_version(rec->data, rec->caplen, 0, ethertype);
}

/* NULL and LOOP: a 4-byte address family, then IP. */
static int link_family(const struct pkt_record *rec, uint32_t fam, struct pkt_decoded *d,
		       size_t *l3_off, uint16_t *ethertype)
{
	*l3_off = 4;
	if (fam == 2)
		*ethertype = ETH_P_IP;
	else if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
		*ethertype = ETH_P_IPV6;
	else
		return DECODE_NOT_IP;
	return walk_shims(rec->data, rec->caplen, d, l3_off, ethertype);
}

static int link_null(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		     uint16_t *ethertype)
{
	const uint8_t *b = rec->data;
	size_t len = rec->caplen;
	if (len < 4)
		return DECODE_SHORT_LINK;
	/* DLT_NULL's family is in the writer's byte order: accept either. */
	uint32_t fam = rd_le32(b, len, 0);
	if ((fam & 0xffff) == 0)
		fam = rd_be32(b, len, 0);
	return link_family(rec, fam, d, l3_off, ethertype);
}

static int link_loop(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		     uint16_t *ethertype)
{
	if (rec->caplen < 4)
		return DECODE_SHORT_LINK;
	return link_family(rec, rd_be32(rec->data, rec->caplen, 0), d, l3_off, ethertype);
}

static int link_ppp(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		    uint16_t *ethertype)
{
	return decode_ppp(rec->data, rec->caplen, d, l3_off, ethertype);
}

/* Cisco HDLC: address, control, then an ethertype. */
static int link_c_hdlc(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		       uint16_t *ethertype)
{
	const uint8_t *b = rec->data;
	size_t len = rec->caplen;
	if (len < 4)
		return DECODE_SHORT_LINK;
	d->link_encap |= LINK_ENCAP_PPP;
	*l3_off = 4;
	*ethertype = rd_be16(b, len, 2);
	return walk_shims(b, len, d, l3_off, ethertype);
}

static int link_80211(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		      uint16_t *ethertype)
{
	return decode_80211(rec->data, rec->caplen, 0, d, l3_off, ethertype);
}

/* radiotap: version 0, its length, then 802.11. */
static int link_radiotap(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
			 uint16_t *ethertype)
{
	const uint8_t *b = rec->data;
	size_t len = rec->caplen;
	if (len < 4)
		return DECODE_SHORT_LINK;
	size_t rt = rd_le16(b, len, 2);
	if (b[0] != 0 || rt < 8)
		return DECODE_NOT_IP;
	return decode_80211(b, len, rt, d, l3_off, ethertype);
}

#ifdef DLT_NFLOG
static int link_nflog(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		      uint16_t *ethertype)
{
	(void)d;
	return decode_nflog(rec->data, rec->caplen, l3_off, ethertype);
}
#endif

int decode_link(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		uint16_t *ethertype)
{
	d->dir = rec->dir;
	/* A tag the kernel took out of the frame (TPACKET_V3 tp_vlan_tci) was
	 * the outermost one: it comes before any still in the bytes. */
	if (rec->vlan_valid) {
		d->vlan[0] = rec->vlan_tci & 0x0fff;
		d->vlan_count = 1;
	}
	switch (rec->linktype) {
#define LINKTYPE(dlt, name, decoder) case dlt: return decoder(rec, d, l3_off, ethertype);
#include "capture/linktypes.def"
#undef LINKTYPE
	default:
		return DECODE_NOT_IP;
	}
}
