/*
 * analyze/defrag.c — see defrag.h.
 *
 * A slot holds one datagram: the first fragment's header just before a
 * 64 KB data area, and the runs that arrived, sorted and disjoint, as
 * Linux keeps them (inet_frag_queue_insert): a fragment that starts where
 * the highest run ends extends it, any other starts a run of its own; a
 * fragment inside one run is a duplicate (IPFRAG_DUP), any other overlap
 * discards the datagram (IPFRAG_OVERLAP). So a datagram in order is one run
 * whatever its fragment count. A run cut by the snap length is extended no
 * further: the datagram is handed out cut where its first missing byte is,
 * as a frame cut by the snap length is.
 */
#include "defrag.h"

#include <pcap/dlt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"

#define HDR_ROOM 512u            /* the longest first-fragment header kept */
#define DATA_ROOM 65536u
#define MAX_RANGES 1024u         /* runs a datagram may have at once (Linux: memory) */
#define IP_MAX 65535u

struct range {             /* a run of contiguous fragments */
	uint32_t off, end;       /* of the datagram's data (after its header) */
	uint32_t cap_end;        /* captured up to here (<= end) */
};

struct slot {
	bool used;
	uint8_t ip_ver, proto;
	uint16_t iface;
	uint32_t id;
	uint8_t src[16], dst[16];
	uint8_t tun_kind;
	uint32_t tun_id;
	uint8_t tun_src[16], tun_dst[16];

	uint64_t first_ts;       /* the timeout runs from the first arrival */
	uint64_t first_frame;
	uint32_t fragments;
	uint64_t wire_bytes;     /* the kept fragments' frame lengths */
	bool has_first, has_end;
	uint32_t end;            /* the data's length, once the last fragment came */
	uint16_t hdr_len;
	uint8_t *buf;            /* HDR_ROOM + DATA_ROOM, allocated once */
	uint32_t nranges;
	struct range *range;     /* MAX_RANGES, allocated with buf */
	/* the first fragment's frame facts */
	uint8_t dir, hints, vlan_valid;
	uint16_t vlan_tci;
	uint8_t link_encap, vlan_count;
	uint16_t vlan[2];
	struct pkt_tunnel tun;
};

struct defrag {
	struct slot slot[DEFRAG_SLOTS];
	struct slot atomic;      /* an IPv6 atomic fragment, reassembled alone */
	uint64_t clock;          /* the latest fragment time */
	struct defrag_counts n;
};

struct defrag *defrag_new(void)
{
	return calloc(1, sizeof(struct defrag));
}

void defrag_free(struct defrag *df)
{
	if (!df)
		return;
	for (unsigned i = 0; i < DEFRAG_SLOTS; i++) {
		free(df->slot[i].buf);
		free(df->slot[i].range);
	}
	free(df->atomic.buf);
	free(df->atomic.range);
	free(df);
}

const struct defrag_counts *defrag_counts(const struct defrag *df)
{
	return &df->n;
}

static void slot_drop(struct slot *s)
{
	s->used = false;
}

static bool same_datagram(const struct slot *s, const struct pkt_record *rec,
			  const struct pkt_decoded *d)
{
	/* IPv6 keys on addresses and id alone (RFC 8200 §4.5): only the first
	 * fragment's next header counts. */
	return s->used && s->id == d->frag_id && s->ip_ver == d->ip_ver &&
	       (d->ip_ver == 6 || s->proto == d->l4proto) &&
	       s->iface == rec->iface && !memcmp(s->src, d->src, 16) && !memcmp(s->dst, d->dst, 16) &&
	       s->tun_kind == d->tun.kind &&
	       (s->tun_kind == TUN_NONE ||
		(s->tun_id == d->tun.id && !memcmp(s->tun_src, d->tun.src, 16) &&
		 !memcmp(s->tun_dst, d->tun.dst, 16)));
}

static uint64_t timeout_of(const struct slot *s)
{
	return s->ip_ver == 6 ? DEFRAG_TIMEOUT_V6_NS : DEFRAG_TIMEOUT_V4_NS;
}

/* Datagrams whose time ran out by the clock are dropped. */
static void expire(struct defrag *df)
{
	for (unsigned i = 0; i < DEFRAG_SLOTS; i++) {
		struct slot *s = &df->slot[i];
		if (s->used && df->clock - s->first_ts > timeout_of(s)) {
			slot_drop(s);
			df->n.timed_out++;
		}
	}
}

/* The slot of d's datagram, or a new one (the oldest one dropped when every
 * slot is taken). NULL when out of memory. */
static struct slot *slot_for(struct defrag *df, const struct pkt_record *rec,
			     const struct pkt_decoded *d)
{
	struct slot *free_slot = NULL, *oldest = NULL;
	for (unsigned i = 0; i < DEFRAG_SLOTS; i++) {
		struct slot *s = &df->slot[i];
		if (same_datagram(s, rec, d))
			return s;
		if (!s->used && !free_slot)
			free_slot = s;
		if (s->used && (!oldest || s->first_ts < oldest->first_ts))
			oldest = s;
	}
	struct slot *s = free_slot;
	if (!s) {
		s = oldest;
		slot_drop(s);
		df->n.timed_out++;
	}
	return s;
}

static bool slot_open(struct slot *s, const struct pkt_record *rec, const struct pkt_decoded *d)
{
	if (!s->buf && !(s->buf = malloc(HDR_ROOM + DATA_ROOM)))
		return false;
	if (!s->range && !(s->range = malloc(MAX_RANGES * sizeof(*s->range))))
		return false;
	s->used = true;
	s->ip_ver = d->ip_ver;
	s->proto = d->l4proto;
	s->iface = rec->iface;
	s->id = d->frag_id;
	memcpy(s->src, d->src, 16);
	memcpy(s->dst, d->dst, 16);
	s->tun_kind = d->tun.kind;
	if (d->tun.kind != TUN_NONE) {
		s->tun_id = d->tun.id;
		memcpy(s->tun_src, d->tun.src, 16);
		memcpy(s->tun_dst, d->tun.dst, 16);
	}
	s->first_ts = rec->ts_ns;
	s->first_frame = rec->frame;
	s->fragments = 0;
	s->wire_bytes = 0;
	s->has_first = s->has_end = false;
	s->end = 0;
	s->hdr_len = 0;
	s->nranges = 0;
	return true;
}

/* The first fragment's header becomes the datagram's; its frame facts the
 * datagram's frame's. IPv6: the unfragmentable part, the fragment header
 * left out (the byte that named it names what it carried). */
static bool keep_header(struct slot *s, const struct pkt_record *rec, const struct pkt_decoded *d)
{
	uint32_t hl = d->ip_ver == 4 ? d->ip_hlen : d->ip_hlen - 8u;
	if (hl > HDR_ROOM || d->ip_cap < d->ip_hlen)
		return false;
	uint8_t *h = s->buf + HDR_ROOM - hl;
	memcpy(h, d->ip, hl);
	if (d->ip_ver == 6)
		h[d->frag_nh_at] = d->l4proto;
	s->hdr_len = (uint16_t)hl;
	s->has_first = true;
	s->dir = d->dir;
	s->hints = rec->hints;
	s->vlan_valid = rec->vlan_valid;
	s->vlan_tci = rec->vlan_tci;
	s->link_encap = d->link_encap;
	s->vlan_count = d->vlan_count;
	memcpy(s->vlan, d->vlan, sizeof(s->vlan));
	s->tun = d->tun;
	s->tun.ip = s->tun.udp = NULL; /* that frame is gone by the end */
	s->tun.ip_cap = s->tun.udp_cap = s->tun.udp_len = 0;
	return true;
}

/* Where [off, end) goes among the runs, as inet_frag_queue_insert decides:
 * DEFRAG_HELD with *at the run to extend (*extend) or the place for a new
 * one; DEFRAG_DUPLICATE with *at the run holding it; else DEFRAG_OVERLAP. */
static enum defrag_result place(const struct slot *s, uint32_t off, uint32_t end, uint32_t *at,
				bool *extend)
{
	*extend = false;
	uint32_t n = s->nranges;
	if (n && end > s->range[n - 1].end) { /* past the highest run: the common case */
		const struct range *t = &s->range[n - 1];
		if (off < t->end)
			return DEFRAG_OVERLAP;
		*at = n - 1;
		*extend = off == t->end && t->cap_end == t->end;
		if (!*extend)
			*at = n;
		return DEFRAG_HELD;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct range *r = &s->range[i];
		if (end <= r->off) {
			*at = i;
			return DEFRAG_HELD;
		}
		if (off >= r->end)
			continue;
		*at = i;
		return off >= r->off && end <= r->end ? DEFRAG_DUPLICATE : DEFRAG_OVERLAP;
	}
	*at = n;
	return DEFRAG_HELD;
}

/* Do a duplicate's captured bytes differ from those its run holds? */
static bool conflicts(const struct slot *s, uint32_t i, uint32_t off, uint32_t cap_end,
		      const uint8_t *data)
{
	const struct range *r = &s->range[i];
	uint32_t b = r->cap_end < cap_end ? r->cap_end : cap_end;
	return off < b && memcmp(s->buf + HDR_ROOM + off, data, b - off) != 0;
}

/* Put [off, end) in at i: extending run i, or as a new run there. */
static bool insert_range(struct slot *s, uint32_t i, bool extend, uint32_t off, uint32_t end,
			 uint32_t cap_end)
{
	if (extend) {
		s->range[i].end = end;
		s->range[i].cap_end = cap_end;
		return true;
	}
	if (s->nranges == MAX_RANGES)
		return false;
	memmove(&s->range[i + 1], &s->range[i], (s->nranges - i) * sizeof(s->range[0]));
	s->range[i] = (struct range){off, end, cap_end};
	s->nranges++;
	return true;
}

/* Every byte arrived: the captured length (up to the first byte the snap
 * length cut), else 0. */
static bool whole(const struct slot *s, uint32_t *captured)
{
	if (!s->has_first || !s->has_end)
		return false;
	uint32_t pos = 0, cap = UINT32_MAX;
	for (uint32_t i = 0; i < s->nranges; i++) {
		if (s->range[i].off != pos)
			return false;
		if (cap == UINT32_MAX && s->range[i].cap_end < s->range[i].end)
			cap = s->range[i].cap_end;
		pos = s->range[i].end;
	}
	if (pos != s->end)
		return false;
	*captured = cap == UINT32_MAX ? pos : cap;
	return true;
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The datagram, its header told it is whole. False when too long. */
static bool hand_out(struct slot *s, const struct pkt_record *rec, uint32_t captured,
		     struct defrag_datagram *out)
{
	uint8_t *h = s->buf + HDR_ROOM - s->hdr_len;
	uint32_t len = s->hdr_len + s->end;
	if (s->ip_ver == 4) {
		if (len > IP_MAX)
			return false;
		put_be16(h + 2, len);
		h[6] &= 0x40; /* DF stays; MF and the offset go */
		h[7] = 0;
		h[10] = h[11] = 0;
		put_be16(h + 10, (uint16_t)~csum_fold(csum_add(0, h, s->hdr_len)));
	} else {
		if (len - 40u > IP_MAX)
			return false;
		put_be16(h + 4, len - 40u);
	}
	memset(out, 0, sizeof(*out));
	out->rec = (struct pkt_record){
		.ts_ns = rec->ts_ns,
		.frame = rec->frame,
		.caplen = s->hdr_len + captured,
		.wirelen = len,
		.linktype = DLT_RAW,
		.dir = s->dir,
		.hints = s->hints,
		.iface = s->iface,
		.vlan_valid = s->vlan_valid,
		.vlan_tci = s->vlan_tci,
		.data = h,
	};
	out->link_encap = s->link_encap;
	out->vlan_count = s->vlan_count;
	memcpy(out->vlan, s->vlan, sizeof(out->vlan));
	out->tun = s->tun;
	out->fragments = s->fragments;
	out->wire_bytes = s->wire_bytes;
	out->first_frame = s->first_frame;
	return true;
}

enum defrag_result defrag_add(struct defrag *df, const struct pkt_record *rec,
			      const struct pkt_decoded *d, struct defrag_datagram *out)
{
	if (rec->ts_ns > df->clock)
		df->clock = rec->ts_ns;
	expire(df);
	/* A length taken from the frame (total length 0: a giant) is no
	 * fragment's: a jumbogram is never fragmented (RFC 2675), Linux drops
	 * it. */
	if (d->anomalies & ANOM_IP_TOTLEN_ZERO) {
		df->n.bad++;
		return DEFRAG_UNFIT;
	}
	uint32_t off = d->frag_offset;
	uint32_t len = d->ip_len > d->ip_hlen ? d->ip_len - d->ip_hlen : 0;
	uint32_t cap = d->ip_cap > d->ip_hlen ? d->ip_cap - d->ip_hlen : 0;
	bool more = d->frag_more;
	if (more && (len & 7u)) {
		if (d->ip_ver == 6) { /* RFC 8200 §4.5: a parameter problem, dropped */
			df->n.bad++;
			return DEFRAG_UNFIT;
		}
		len &= ~7u; /* Linux trims an IPv4 one (ip_frag_queue) */
	}
	if (cap > len)
		cap = len;
	if (len > IP_MAX) { /* (off + len must not wrap) */
		df->n.bad++;
		return DEFRAG_OVERSIZE;
	}
	uint32_t end = off + len;
	if (!len) {
		df->n.bad++;
		return DEFRAG_UNFIT;
	}
	/* RFC 6946: an IPv6 fragment that is the whole datagram is handled on
	 * its own, never with others of its identification. */
	bool atomic = d->ip_ver == 6 && off == 0 && !more;
	struct slot *s = atomic ? &df->atomic : slot_for(df, rec, d);
	if (!s->used && !slot_open(s, rec, d)) {
		df->n.bad++;
		return DEFRAG_UNFIT;
	}
	enum defrag_result r = DEFRAG_HELD;
	if (end > IP_MAX) {
		r = DEFRAG_OVERSIZE;
		goto discard;
	}
	/* The last fragment fixes the end; nothing may pass it, and it may not
	 * move (ip_frag_queue, ip6_frag_queue). */
	uint32_t held_end = s->nranges ? s->range[s->nranges - 1].end : 0;
	if (!more) {
		if ((s->has_end && end != s->end) || end < held_end) {
			r = DEFRAG_BAD_END;
			goto discard;
		}
	} else if (s->has_end && end > s->end) {
		r = DEFRAG_BAD_END;
		goto discard;
	}
	const uint8_t *data = d->ip + d->ip_hlen;
	uint32_t i;
	bool extend;
	enum defrag_result where = place(s, off, end, &i, &extend);
	if (where == DEFRAG_DUPLICATE) {
		df->n.duplicates++;
		return conflicts(s, i, off, off + cap, data) ? DEFRAG_DUP_CONFLICT : DEFRAG_DUPLICATE;
	}
	if (where == DEFRAG_OVERLAP) {
		r = DEFRAG_OVERLAP;
		goto discard;
	}
	if (off == 0 && !keep_header(s, rec, d)) {
		df->n.bad++;
		if (!s->nranges)
			slot_drop(s);
		return DEFRAG_UNFIT;
	}
	if (!insert_range(s, i, extend, off, end, off + cap)) {
		r = DEFRAG_UNFIT;
		goto discard;
	}
	memcpy(s->buf + HDR_ROOM + off, data, cap);
	s->fragments++;
	s->wire_bytes += rec->wirelen;
	if (!more) {
		s->has_end = true;
		s->end = end;
	}
	uint32_t captured;
	if (!whole(s, &captured))
		return DEFRAG_HELD;
	bool ok = hand_out(s, rec, captured, out);
	slot_drop(s);
	if (!ok) {
		df->n.bad++;
		return DEFRAG_OVERSIZE;
	}
	df->n.whole++;
	return DEFRAG_WHOLE;
discard:
	slot_drop(s);
	if (r == DEFRAG_OVERLAP)
		df->n.overlaps++;
	else
		df->n.bad++;
	return r;
}

void defrag_reject(struct defrag *df)
{
	df->n.bad++;
}

void defrag_flush(struct defrag *df)
{
	for (unsigned i = 0; i < DEFRAG_SLOTS; i++)
		if (df->slot[i].used) {
			slot_drop(&df->slot[i]);
			df->n.timed_out++;
		}
}
