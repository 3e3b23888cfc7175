/*
 * analyze/defrag.h — IPv4 and IPv6 fragment reassembly, as a Linux receiver
 * does it, so a datagram sent in pieces is analyzed as the one its receiver
 * got (a TCP SYN in two fragments is still a connection; a VXLAN underlay
 * whose MTU fragments the outer datagrams still shows the tenants' flows).
 *
 * A fragment is keyed by its addresses, identification and protocol (RFC 791
 * §3.2, RFC 8200 §4.5), plus what keeps two captures of it apart: the
 * capture interface and the tunnel it came in. Linux's rules decide
 * (net/ipv4/inet_fragment.c inet_frag_queue_insert, RFC 5722): a fragment
 * inside one already held is a duplicate and dropped; any other overlap
 * discards the whole datagram; so does a datagram past 65,535 bytes or two
 * different ends. A datagram not whole after Linux's timeouts
 * (net.ipv4.ipfrag_time 30 s, net.ipv6.ip6frag_time 60 s), counted in
 * capture time, is dropped, as is the oldest one when every slot is taken.
 *
 * Memory is bounded: at most DEFRAG_SLOTS datagrams at once, each slot's
 * buffer allocated the first time it is used and kept. Nothing is allocated
 * for a capture without fragments. Deterministic: the result depends only on
 * the fragments and their order. No I/O: what happened is in the result.
 */
#ifndef TCPLENS_DEFRAG_H
#define TCPLENS_DEFRAG_H

#include <stdint.h>

#include "decode.h"
#include "common/units.h"

#define DEFRAG_SLOTS 64
#define DEFRAG_TIMEOUT_V4_NS (30 * NS_PER_S_U64)
#define DEFRAG_TIMEOUT_V6_NS (60 * NS_PER_S_U64)

enum defrag_result {
	DEFRAG_HELD = 0,      /* kept; the datagram is not whole yet */
	DEFRAG_WHOLE,         /* this fragment completed it: see the datagram */
	DEFRAG_DUPLICATE,     /* inside a fragment already held: dropped */
	DEFRAG_DUP_CONFLICT,  /* ... and its bytes differ (the first are kept) */
	DEFRAG_OVERLAP,       /* overlaps another partly: datagram discarded */
	DEFRAG_OVERSIZE,      /* would pass 65,535 bytes: datagram discarded */
	DEFRAG_BAD_END,       /* past the known end, or a second different end */
	DEFRAG_UNFIT,         /* headers too long to keep (over 512 bytes), or
			       * a fragment that is not a multiple of 8 before
			       * the last: dropped */
};

/* What the report counts (capture-wide). */
struct defrag_counts {
	uint64_t whole;       /* datagrams reassembled */
	uint64_t overlaps;    /* datagrams discarded for overlapping fragments */
	uint64_t timed_out;   /* datagrams dropped incomplete: timeout, full
			       * slots, or the capture's end */
	uint64_t duplicates;  /* fragments dropped as duplicates */
	uint64_t bad;         /* fragments or datagrams dropped otherwise */
};

/* A reassembled datagram, handed out as a frame of its own: rec is a raw IP
 * frame (DLT_RAW) stamped with the completing fragment's time and frame
 * number, its direction, interface and hints from the first fragment; the
 * link-level facts of the first fragment and the tunnel it came in are
 * below, for the caller to put back after decoding. Valid until the next
 * call on the same defrag. */
struct defrag_datagram {
	struct pkt_record rec;
	uint8_t link_encap;
	uint8_t vlan_count;
	uint16_t vlan[2];
	struct pkt_tunnel tun;    /* kind TUN_NONE, or the tunnel (no pointers) */
	uint32_t fragments;       /* how many it was made of */
	uint64_t wire_bytes;      /* their frames' lengths on the wire, summed */
	uint64_t first_frame;     /* the first fragment to arrive */
};

struct defrag;

struct defrag *defrag_new(void);
void defrag_free(struct defrag *df);

/* Add the fragment d decoded from rec (d->ip_frag set). On DEFRAG_WHOLE,
 * *out is the datagram. */
enum defrag_result defrag_add(struct defrag *df, const struct pkt_record *rec,
			      const struct pkt_decoded *d, struct defrag_datagram *out);

/* A fragment the receiver drops before reassembly (a wrong IPv4 header
 * checksum: ip_rcv_core): counted in bad. */
void defrag_reject(struct defrag *df);

/* Drop every datagram still incomplete (end of capture): counted in
 * timed_out. */
void defrag_flush(struct defrag *df);

const struct defrag_counts *defrag_counts(const struct defrag *df);

#endif
