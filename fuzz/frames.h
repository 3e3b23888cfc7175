/*
 * fuzz/frames.h — the small length-prefixed frame format of the pipeline
 * harness (and of its seeds, written by make_corpus.sh). Each frame:
 *
 *   u16 caplen, u16 extra, u8 flags, u8 hints, u32 delta_us, caplen bytes
 *
 * little endian. wirelen = caplen + extra, or caplen - min(extra, caplen)
 * when flags bit 2 is set (a writer that swapped the fields). flags bits
 * 0-1: direction (3 = unknown); bit 3: time goes back by delta_us instead
 * of forward; bit 4: vlan_valid with vlan_tci = extra. hints: enum pkt_hint
 * bits. A frame cut by the end of the input keeps what is there. Time
 * starts at 1,700,000,000 s.
 */
#ifndef TCPLENS_FUZZ_FRAMES_H
#define TCPLENS_FUZZ_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"

#define FRAME_HDR 10

struct frames_reader {
	const uint8_t *p, *end;
	int linktype;
	uint64_t ts_ns;
	uint64_t frame;
};

static inline void frames_reader_init(struct frames_reader *r, const uint8_t *b, size_t n,
				      int linktype)
{
	r->p = b;
	r->end = b + n;
	r->linktype = linktype;
	r->ts_ns = 1700000000ull * 1000000000ull;
	r->frame = 0;
}

/* The next frame into rec (its bytes point into the input). false at the end. */
static inline bool frames_next(struct frames_reader *r, struct pkt_record *rec)
{
	if ((size_t)(r->end - r->p) < FRAME_HDR)
		return false;
	const uint8_t *h = r->p;
	uint32_t caplen = (uint32_t)h[0] | (uint32_t)h[1] << 8;
	uint32_t extra = (uint32_t)h[2] | (uint32_t)h[3] << 8;
	uint8_t flags = h[4];
	uint64_t delta = ((uint64_t)h[6] | (uint64_t)h[7] << 8 | (uint64_t)h[8] << 16 |
			  (uint64_t)h[9] << 24) * 1000u;
	r->p += FRAME_HDR;
	if (caplen > (size_t)(r->end - r->p))
		caplen = (uint32_t)(r->end - r->p);
	if (flags & 8)
		r->ts_ns = r->ts_ns > delta ? r->ts_ns - delta : 0;
	else
		r->ts_ns += delta;
	*rec = (struct pkt_record){
		.ts_ns = r->ts_ns,
		.frame = ++r->frame,
		.caplen = caplen,
		.wirelen = flags & 4 ? caplen - (extra < caplen ? extra : caplen) : caplen + extra,
		.linktype = r->linktype,
		.dir = (uint8_t)((flags & 3) == 3 ? PKT_DIR_UNKNOWN : flags & 3),
		.hints = h[5],
		.vlan_valid = (flags & 16) != 0,
		.vlan_tci = (uint16_t)extra,
		.data = r->p,
	};
	r->p += caplen;
	return true;
}

#endif
