/*
 * analyze/decode.h — the decoders: one per layer, one entry point each.
 *
 *   decode_link()  Ethernet (802.1Q, QinQ), Linux SLL/SLL2, raw IP, NULL/LOOP
 *   decode_ip()    IPv4 (options, fragments) and IPv6 (extension header chain)
 *   decode_tcp()   TCP header and every option; decode_udp() UDP
 *   decode_tunnel() a tunnel carried in UDP (VXLAN): the inner frame is
 *                  decoded in place of the outer one, the outer kept in tun
 *
 * They fill one `struct pkt_decoded`, never print, never allocate, and return
 * DECODE_OK or a negative enum decode_err that decode_strerror() names.
 * decode_packet() runs the whole chain. Everything the analyzer knows about a
 * frame's headers is here; payload bytes are only pointed at.
 */
#ifndef TCPLENS_DECODE_H
#define TCPLENS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/capture.h"

enum decode_err {
	DECODE_OK = 0,
	DECODE_NOT_IP = -1,          /* not an error: ARP, LLDP... */
	DECODE_SHORT_LINK = -2,
	DECODE_SHORT_IP = -3,
	DECODE_BAD_IP_VERSION = -4,
	DECODE_BAD_IP_HLEN = -5,
	DECODE_BAD_IP_LEN = -6,
	DECODE_SHORT_IP6_EXT = -7,
	DECODE_SHORT_TCP = -8,
	DECODE_BAD_TCP_HLEN = -9,
	DECODE_BAD_TCP_OPTION = -10,
	DECODE_SHORT_UDP = -11,
	DECODE_BAD_UDP_LEN = -12,
	/* caplen > wire length is not an error: an anomaly bit, the frame is
	 * decoded from what was captured. */
	DECODE_LAST_ERR = DECODE_BAD_UDP_LEN, /* the lowest code, for loops */
};

const char *decode_strerror(int err);

/* Packet anomalies that do not stop decoding (bits of pkt_decoded.anomalies). */
enum decode_anomaly {
	ANOM_IP_FRAGMENT = 1 << 0,      /* a fragment: L4 left to its datagram */
	ANOM_IP_TOTLEN_ZERO = 1 << 1,   /* IPv4 total length 0: TSO / BIG TCP giant */
	ANOM_IP_TRUNCATED = 1 << 2,     /* IP datagram longer than the captured bytes */
	ANOM_TCP_OPT_TRUNC = 1 << 3,    /* option list ran past the header: ignored rest */
	ANOM_CAPLEN_OVER_WIRE = 1 << 4,
	ANOM_IP_PADDED = 1 << 5,        /* link padding after the datagram (Ethernet min) */
	ANOM_TCP_OPT_BAD = 1 << 6,      /* malformed option: options after it ignored */
	ANOM_REASSEMBLED = 1 << 7,      /* a datagram made whole from fragments
					 * (set by the analyzer: defrag.h) */
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define TCP_MAX_SACK 4

struct tcp_sack_block {
	uint32_t left, right;
};

struct tcp_opts {
	uint16_t mss;            /* 0 = absent */
	int8_t wscale;           /* -1 = absent */
	bool sack_permitted;
	bool has_ts;
	uint32_t ts_val, ts_ecr;
	uint8_t sack_count;
	struct tcp_sack_block sack[TCP_MAX_SACK];
	uint8_t unknown_count;   /* options of kinds not listed above */
};

/* Encapsulations tcplens looks inside (the report's "encap" kind). */
enum tunnel_kind {
	TUN_NONE = 0,
	TUN_VXLAN = 1,      /* RFC 7348, UDP port 4789 */
	TUN_GENEVE,         /* RFC 8926, UDP port 6081 */
	TUN_GTPU,           /* GTP-U, UDP port 2152 */
	TUN_GRE,            /* RFC 2784/2890, IP protocol 47 (IP or a frame inside) */
	TUN_ERSPAN,         /* ERSPAN I/II/III over GRE: a mirrored frame */
	TUN_IPIP,           /* IP in IP: protocol 4 or 41 */
};

/* The name of link_encap bit i (0..LINK_ENCAP_BITS-1): "mpls", "pppoe",
 * "pbb", "vntag", "etag", "llc_snap", "ppp". */
#define LINK_ENCAP_BITS 7
const char *link_encap_name(int i);

/* "vxlan", "geneve", "gtpu", "gre", "erspan", "ipip"; "none" for TUN_NONE. */
const char *tunnel_kind_name(int kind);
/* What the tunnel's id is called in a report ("vni", "teid", "key",
 * "session"); NULL for a kind without one (ipip). */
const char *tunnel_id_name(int kind);

/* The outer headers of a tunneled packet: where the inner one came from. */
struct pkt_tunnel {
	uint8_t kind;             /* enum tunnel_kind; TUN_NONE: not tunneled */
	uint8_t ip_ver;           /* outer IP version */
	uint8_t src[16], dst[16]; /* outer addresses (the tunnel endpoints) */
	uint32_t id;              /* VNI, TEID, GRE key, ERSPAN session (0: none) */
	const uint8_t *ip;        /* outer IP header */
	uint32_t ip_cap;          /* captured bytes from there to the datagram's end */
	uint16_t ip_hlen;
	uint16_t ip_csum;         /* outer IPv4 header checksum field */
	const uint8_t *udp;       /* outer UDP header */
	uint32_t udp_len, udp_cap;
	uint16_t udp_csum;        /* outer UDP checksum field (0 over IPv4: none) */
	uint32_t anomalies;       /* the outer headers' */
};

/* Link-level encapsulations a frame went through before its IP header
 * (bits of pkt_decoded.link_encap; the flow keeps their union). */
enum link_encap {
	LINK_ENCAP_MPLS = 1 << 0,     /* MPLS label stack (and pseudowire Ethernet) */
	LINK_ENCAP_PPPOE = 1 << 1,    /* PPPoE session */
	LINK_ENCAP_PBB = 1 << 2,      /* 802.1ah provider backbone bridging */
	LINK_ENCAP_VNTAG = 1 << 3,    /* Cisco VN-Tag */
	LINK_ENCAP_ETAG = 1 << 4,     /* 802.1BR E-Tag */
	LINK_ENCAP_LLC_SNAP = 1 << 5, /* 802.2 LLC with a SNAP header */
	LINK_ENCAP_PPP = 1 << 6,      /* PPP or Cisco HDLC framing */
};

struct pkt_decoded {
	const struct pkt_record *rec;
	uint8_t dir;              /* enum pkt_dir: record's, or from SLL pkttype */
	uint8_t link_encap;       /* enum link_encap bits */
	uint8_t vlan_count;       /* tags seen, 255 meaning 255 or more */
	uint16_t vlan[2];         /* VIDs, outer first */
	uint32_t anomalies;

	/* Layer 3 */
	uint8_t ip_ver;           /* 4 or 6 */
	uint8_t l4proto;          /* IPPROTO_* of the transport header */
	uint8_t src[16], dst[16]; /* IPv4 uses the first 4 bytes */
	/* IPv6 with a routing header still to be walked: the final destination,
	 * which the TCP/UDP pseudo-header sums (RFC 8200 §8.1); else NULL. */
	const uint8_t *final_dst;
	const uint8_t *ip;        /* start of the IP header */
	uint32_t ip_cap;          /* captured bytes from ip to the datagram's end */
	uint32_t ip_len;          /* datagram length per its header (or inferred) */
	uint16_t ip_hlen;         /* IPv4 header or IPv6 header + extensions */
	uint16_t ip_id;
	uint16_t ip_csum;         /* IPv4 header checksum field */
	uint8_t ttl;
	bool ip_frag;             /* a fragment (any, first included) */
	/* A fragment (ip_frag): what reassembly needs (analyze/defrag.h), with
	 * frag_id below. Its l4proto is the datagram's (IPv6: the fragment
	 * header's next header), its data starts ip_hlen bytes into ip (IPv6:
	 * after the fragment header); l4 is not decoded. */
	bool frag_more;           /* more fragments follow (MF) */
	uint16_t frag_nh_at;      /* IPv6: offset from ip of the byte that names
				   * the fragment header */
	uint16_t frag_offset;     /* in bytes (13 bits of 8-byte units) */

	/* Layer 4: l4 points at the TCP/UDP header */
	const uint8_t *l4;
	uint32_t l4_len;          /* header + payload per the IP header */
	uint32_t l4_cap;          /* captured bytes of it (<= l4_len) */
	uint16_t sport, dport;
	uint16_t l4_csum;         /* checksum field */
	uint32_t payload_len;     /* per the headers */
	uint32_t payload_cap;     /* captured */

	/* TCP */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;             /* raw, unscaled */
	uint16_t tcp_hlen;
	struct tcp_opts opt;

	/* Filled by the analyzer after decoding, for the detectors */
	uint8_t l4_verdict;       /* enum csum_verdict of the TCP/UDP checksum */
	uint16_t giant_mss;       /* != 0: payload above this MSS of the receiver */
	uint32_t frag_id;         /* a fragment: IPv4 identification, IPv6 fragment
				   * header's (here, where the layout had a hole) */

	/* tun.kind != TUN_NONE: the fields above are the inner packet's. Last,
	 * and only its kind cleared for each frame: the rest is read only
	 * when the frame was tunneled. */
	struct pkt_tunnel tun;
};

/* Decode the link layer of rec into d (fills dir, vlan, and d->ip with the
 * start of the network layer). Returns DECODE_OK, DECODE_NOT_IP or an error. */
int decode_link(const struct pkt_record *rec, struct pkt_decoded *d, size_t *l3_off,
		uint16_t *ethertype);

/* Decode the IPv4 or IPv6 header at b (len captured bytes from there, wire
 * bytes of the link payload wirelen). */
int decode_ip(const uint8_t *b, size_t len, size_t wirelen, uint16_t ethertype,
	      struct pkt_decoded *d);

/* Decode the TCP header at d->l4 (d->l4_cap bytes captured). */
int decode_tcp(struct pkt_decoded *d);
int decode_udp(struct pkt_decoded *d);

/* Parse the TCP option list opts[0..len) into o. Returns DECODE_OK or
 * DECODE_BAD_TCP_OPTION (o keeps what was parsed before the fault). */
int decode_tcp_options(const uint8_t *opts, size_t len, struct tcp_opts *o);

/* Ethernet (802.1Q and QinQ tags) at b, len bytes: the network header's
 * offset and ethertype. */
int decode_ethernet(const uint8_t *b, size_t len, struct pkt_decoded *d, size_t *off,
		    uint16_t *ethertype);

/* d is a UDP datagram (decode_tunnel) or an IP packet of protocol 4, 41 or
 * 47 (decode_ip_tunnel): when it carries a tunnel tcplens reads
 * (decode_tunnel.c lists them), decode the inner packet into d, its outer
 * headers moved to d->tun, and return DECODE_OK, or DECODE_NOT_IP for an
 * inner frame that is not IP (d->tun says where it was). Otherwise, or when
 * the inner headers do not decode, d is left the outer packet (and the
 * result is not DECODE_OK with d->tun.kind set). */
int decode_tunnel(struct pkt_decoded *d);
int decode_ip_tunnel(struct pkt_decoded *d);

/* The whole chain: link, IP, TCP/UDP, and one tunnel level. */
int decode_packet(const struct pkt_record *rec, struct pkt_decoded *d);

#endif
