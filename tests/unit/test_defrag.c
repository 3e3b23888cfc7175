/*
 * tests/unit/test_defrag.c — analyze/defrag.c: a datagram cut into fragments
 * here (by hand, as a router or the sending kernel cuts it) comes back byte
 * for byte as the datagram pb_build() wrote, whatever the order; duplicates,
 * overlaps, oversize, timeouts, eviction, IPv6 extension headers, atomic
 * fragments and the snap length follow Linux's rules (defrag.h).
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/csum_verify.h"
#include "analyze/decode.h"
#include "analyze/defrag.h"
#include "pktbuild.h"

#include <pcap/dlt.h>

#define SEC 1000000000ull

static uint8_t payload[3000];

static void fill_payload(void)
{
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
}

static struct pb_spec spec(uint8_t ip_ver, size_t payload_len)
{
	fill_payload();
	struct pb_spec s;
	memset(&s, 0, sizeof(s));
	s.ip_ver = ip_ver;
	s.proto = IPPROTO_TCP;
	if (ip_ver == 4) {
		static const uint8_t a[4] = {10, 1, 2, 3}, b[4] = {10, 4, 5, 6};
		memcpy(s.src, a, 4);
		memcpy(s.dst, b, 4);
	} else {
		s.src[0] = s.dst[0] = 0x20;
		s.src[1] = s.dst[1] = 0x01;
		s.src[15] = 1;
		s.dst[15] = 2;
	}
	s.sport = 40001;
	s.dport = 80;
	s.seq = 1000;
	s.ack = 2000;
	s.flags = TCP_ACK | TCP_PSH;
	s.win = 1024;
	s.ip_id = 0x4242;
	s.payload = payload;
	s.payload_len = payload_len;
	return s;
}

/* The datagram a test cuts up, and its IP header's length. */
struct whole {
	uint8_t b[4096];
	size_t len, hl;
	uint8_t ver;
	size_t nh_at; /* IPv6: the byte naming what follows the unfragmentable part */
};

static void make_whole(struct whole *w, const struct pb_spec *s)
{
	struct pb_info info;
	w->len = pb_build(w->b, sizeof(w->b), NULL, 0, s, &info);
	w->hl = info.l4_off;
	w->ver = s->ip_ver ? s->ip_ver : 4;
	w->nh_at = 6;
}

/* Fragment [off, off + n) of w's data (after its header), as a router
 * writes it. IPv6: the fragment header goes after the unfragmentable part. */
static size_t cut(const struct whole *w, uint32_t off, uint32_t n, bool more, uint32_t id,
		  uint8_t *out)
{
	size_t hl = w->hl;
	memcpy(out, w->b, hl);
	/* past the datagram's end (a test of what passes it): any bytes */
	const uint8_t *src = off + n <= w->len - hl ? w->b + hl + off : payload;
	if (w->ver == 4) {
		pb_wr16(out + 2, (uint16_t)(hl + n));
		pb_wr16(out + 4, (uint16_t)id);
		pb_wr16(out + 6, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
		out[10] = out[11] = 0;
		pb_wr16(out + 10, (uint16_t)~pb_sum(out, hl, 0));
		memcpy(out + hl, src, n);
		return hl + n;
	}
	uint8_t nh = out[w->nh_at];
	out[w->nh_at] = 44;
	uint8_t *fh = out + hl;
	fh[0] = nh;
	fh[1] = 0;
	pb_wr16(fh + 2, (uint16_t)(off | (more ? 1 : 0)));
	pb_wr32(fh + 4, id);
	memcpy(out + hl + 8, src, n);
	pb_wr16(out + 4, (uint16_t)(hl + 8 + n - 40));
	return hl + 8 + n;
}

struct run {
	struct defrag *df;
	struct defrag_datagram dg;
	uint8_t frame[4096];
	uint64_t frame_no;
};

/* Feed one fragment (frame len bytes, caplen cap) at time ts. */
static enum defrag_result feed_cap(struct run *r, size_t len, size_t cap, uint64_t ts)
{
	struct pkt_record rec = pb_record(r->frame, cap, DLT_RAW);
	rec.wirelen = (uint32_t)len;
	rec.ts_ns = ts;
	rec.frame = ++r->frame_no;
	struct pkt_decoded d;
	cr_assert_eq(decode_packet(&rec, &d), DECODE_OK);
	cr_assert(d.ip_frag);
	return defrag_add(r->df, &rec, &d, &r->dg);
}

static enum defrag_result feed(struct run *r, const struct whole *w, uint32_t off, uint32_t n,
			       bool more, uint64_t ts)
{
	size_t len = cut(w, off, n, more, 0x4242, r->frame);
	return feed_cap(r, len, len, ts);
}

static void start(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->df = defrag_new();
	cr_assert_not_null(r->df);
}

/* A datagram of ver with payload_len bytes to cut, and a reassembler for
 * it: the datagram's data length (after its IP header). */
static uint32_t begin(struct whole *w, struct run *r, uint8_t ver, size_t payload_len)
{
	struct pb_spec s = spec(ver, payload_len);
	make_whole(w, &s);
	start(r);
	return (uint32_t)(w->len - w->hl);
}

/* The datagram handed out is the original, byte for byte, and decodes to
 * its TCP segment with good checksums. */
static void check_original(const struct run *r, const struct whole *w)
{
	cr_assert_eq(r->dg.rec.caplen, w->len);
	cr_assert_eq(r->dg.rec.wirelen, w->len);
	cr_assert_eq(memcmp(r->dg.rec.data, w->b, w->len), 0, "reassembled bytes differ");
	struct pkt_decoded d;
	cr_assert_eq(decode_packet(&r->dg.rec, &d), DECODE_OK);
	cr_assert_not(d.ip_frag);
	cr_assert_eq(d.l4proto, IPPROTO_TCP);
	cr_assert_eq(d.sport, 40001);
	cr_assert_eq(d.seq, 1000);
	uint16_t exp;
	cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_OK);
	if (w->ver == 4)
		cr_assert_eq(csum_verify_ipv4_header(&d, &exp), 1);
}

Test(defrag, ipv4_in_order)
{
	struct whole w;
	struct run r;
	begin(&w, &r, 4, 2000);
	uint32_t data = (uint32_t)(w.len - w.hl); /* 20 TCP + 2000 */
	cr_assert_eq(feed(&r, &w, 0, 1480, true, 1), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 1480, data - 1480, false, 2), DEFRAG_WHOLE);
	check_original(&r, &w);
	cr_assert_eq(r.dg.rec.frame, 2, "the completing fragment's frame number");
	cr_assert_eq(r.dg.rec.ts_ns, 2);
	cr_assert_eq(r.dg.fragments, 2);
	cr_assert_eq(r.dg.first_frame, 1);
	cr_assert_eq(defrag_counts(r.df)->whole, 1);
	defrag_free(r.df);
}

Test(defrag, ipv4_reversed_and_shuffled)
{
	struct whole w;
	struct pb_spec s = spec(4, 2900);
	make_whole(&w, &s);
	uint32_t data = (uint32_t)(w.len - w.hl);
	static const uint32_t order[][4] = {{3, 2, 1, 0}, {2, 0, 3, 1}, {1, 3, 0, 2}};
	for (unsigned k = 0; k < 3; k++) {
		struct run r;
		start(&r);
		for (unsigned i = 0; i < 4; i++) {
			uint32_t p = order[k][i], off = p * 800, n = p == 3 ? data - 2400 : 800;
			enum defrag_result res = feed(&r, &w, off, n, p != 3, i);
			cr_assert_eq(res, i == 3 ? DEFRAG_WHOLE : DEFRAG_HELD, "order %u step %u", k, i);
		}
		check_original(&r, &w);
		defrag_free(r.df);
	}
}

/* A first fragment of 8 bytes cuts the TCP header in two (the tiny-fragment
 * attack of RFC 1858): the SYN is still whole once both arrive. */
Test(defrag, tiny_first_fragment_splits_the_tcp_header)
{
	struct whole w;
	struct pb_spec s = spec(4, 0);
	s.flags = TCP_SYN;
	make_whole(&w, &s);
	struct run r;
	start(&r);
	cr_assert_eq(feed(&r, &w, 0, 8, true, 1), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 8, (uint32_t)(w.len - w.hl) - 8, false, 2), DEFRAG_WHOLE);
	check_original(&r, &w);
	struct pkt_decoded d;
	decode_packet(&r.dg.rec, &d);
	cr_assert_eq(d.flags, TCP_SYN);
	defrag_free(r.df);
}

Test(defrag, duplicate_and_conflicting_duplicate)
{
	struct whole w;
	struct run r;
	uint32_t data = begin(&w, &r, 4, 2000);
	cr_assert_eq(feed(&r, &w, 0, 1000, true, 1), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 0, 1000, true, 2), DEFRAG_DUPLICATE);
	cr_assert_eq(feed(&r, &w, 200, 400, true, 3), DEFRAG_DUPLICATE, "inside a held one");
	size_t len = cut(&w, 0, 1000, true, 0x4242, r.frame);
	r.frame[w.hl + 100] ^= 0xff;
	cr_assert_eq(feed_cap(&r, len, len, 4), DEFRAG_DUP_CONFLICT);
	cr_assert_eq(feed(&r, &w, 1000, data - 1000, false, 5), DEFRAG_WHOLE);
	check_original(&r, &w); /* the first bytes are kept */
	cr_assert_eq(defrag_counts(r.df)->duplicates, 3);
	defrag_free(r.df);
}

/* RFC 5722: a partial overlap discards the whole datagram. */
Test(defrag, overlap_discards_the_datagram)
{
	struct whole w;
	struct run r;
	uint32_t data = begin(&w, &r, 4, 2000);
	cr_assert_eq(feed(&r, &w, 0, 1000, true, 1), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 800, 400, true, 2), DEFRAG_OVERLAP);
	cr_assert_eq(feed(&r, &w, 1000, data - 1000, false, 3), DEFRAG_HELD, "starts afresh");
	cr_assert_eq(defrag_counts(r.df)->overlaps, 1);
	cr_assert_eq(defrag_counts(r.df)->whole, 0);
	defrag_flush(r.df);
	cr_assert_eq(defrag_counts(r.df)->timed_out, 1);
	defrag_free(r.df);
}

Test(defrag, oversize_and_bad_end)
{
	struct whole w;
	struct run r;
	begin(&w, &r, 4, 2000);
	/* offset 65,528 + 16 bytes passes 65,535 */
	cr_assert_eq(feed(&r, &w, 65528, 16, false, 1), DEFRAG_OVERSIZE);
	/* two different ends */
	cr_assert_eq(feed(&r, &w, 1000, 800, false, 2), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 1000, 400, false, 3), DEFRAG_BAD_END);
	/* a fragment past the known end */
	cr_assert_eq(feed(&r, &w, 1000, 800, false, 4), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 1800, 8, true, 5), DEFRAG_BAD_END);
	cr_assert_eq(defrag_counts(r.df)->bad, 3);
	defrag_free(r.df);
}

/* net.ipv4.ipfrag_time: 30 s from the first fragment, in capture time. */
Test(defrag, timeout_in_capture_time)
{
	struct whole w;
	struct run r;
	uint32_t data = begin(&w, &r, 4, 2000);
	cr_assert_eq(feed(&r, &w, 0, 1480, true, 0), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 1480, data - 1480, false, 31 * SEC), DEFRAG_HELD);
	cr_assert_eq(defrag_counts(r.df)->timed_out, 1);
	/* within the time it completes */
	cr_assert_eq(feed(&r, &w, 0, 1480, true, 40 * SEC), DEFRAG_WHOLE);
	check_original(&r, &w);
	defrag_free(r.df);
}

/* Memory is bounded: the 65th datagram in progress evicts the oldest. */
Test(defrag, full_slots_evict_the_oldest)
{
	struct whole w;
	struct run r;
	uint32_t data = begin(&w, &r, 4, 2000);
	for (uint32_t id = 0; id <= DEFRAG_SLOTS; id++) {
		size_t len = cut(&w, 0, 1480, true, id, r.frame);
		cr_assert_eq(feed_cap(&r, len, len, id), DEFRAG_HELD);
	}
	cr_assert_eq(defrag_counts(r.df)->timed_out, 1);
	size_t len = cut(&w, 1480, data - 1480, false, 1, r.frame);
	cr_assert_eq(feed_cap(&r, len, len, 100), DEFRAG_WHOLE, "id 1 was kept");
	len = cut(&w, 1480, data - 1480, false, 0, r.frame);
	cr_assert_eq(feed_cap(&r, len, len, 101), DEFRAG_HELD, "id 0 was evicted");
	defrag_free(r.df);
}

/* Two datagrams with the same identification from different sources. */
Test(defrag, same_id_other_source_apart)
{
	struct whole a, b;
	struct pb_spec s = spec(4, 2000);
	make_whole(&a, &s);
	s.src[3] = 99;
	s.payload_len = 1600;
	make_whole(&b, &s);
	struct run r;
	start(&r);
	cr_assert_eq(feed(&r, &a, 0, 1480, true, 1), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &b, 0, 1480, true, 2), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &b, 1480, (uint32_t)(b.len - b.hl) - 1480, false, 3), DEFRAG_WHOLE);
	check_original(&r, &b);
	cr_assert_eq(feed(&r, &a, 1480, (uint32_t)(a.len - a.hl) - 1480, false, 4), DEFRAG_WHOLE);
	check_original(&r, &a);
	defrag_free(r.df);
}

Test(defrag, ipv6_with_extension_headers)
{
	/* hop-by-hop (8 bytes, PadN) -> TCP: the fragment header goes after it */
	static const uint8_t hbh[8] = {IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0};
	struct whole w;
	struct pb_spec s = spec(6, 2500);
	s.ip6_ext = hbh;
	s.ip6_ext_len = sizeof(hbh);
	s.ip6_ext_first = 0;
	make_whole(&w, &s);
	w.nh_at = 40; /* the hop-by-hop header's next-header byte */
	uint32_t data = (uint32_t)(w.len - w.hl);
	struct run r;
	start(&r);
	cr_assert_eq(feed(&r, &w, 1232, data - 1232, false, 1), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 0, 1232, true, 2), DEFRAG_WHOLE);
	check_original(&r, &w);
	/* RFC 8200: a fragment before the last that is not a multiple of 8 */
	cr_assert_eq(feed(&r, &w, 0, 1230, true, 3), DEFRAG_UNFIT);
	defrag_free(r.df);
}

/* RFC 6946: an atomic fragment is the datagram, whatever else shares its
 * identification. */
Test(defrag, ipv6_atomic_fragment)
{
	struct whole w;
	struct run r;
	uint32_t data = begin(&w, &r, 6, 100);
	cr_assert_eq(feed(&r, &w, 0, 64, true, 1), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 0, data, false, 2), DEFRAG_WHOLE);
	check_original(&r, &w);
	cr_assert_eq(feed(&r, &w, 64, data - 64, false, 3), DEFRAG_WHOLE, "the other still held");
	check_original(&r, &w);
	defrag_free(r.df);
}

/* A fragment cut by the snap length: the datagram is handed out cut at its
 * first missing byte, its wire length whole. */
Test(defrag, snap_length_cut)
{
	struct whole w;
	struct run r;
	uint32_t data = begin(&w, &r, 4, 2000);
	size_t len = cut(&w, 0, 1480, true, 0x4242, r.frame);
	cr_assert_eq(feed_cap(&r, len, 96, 1), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 1480, data - 1480, false, 2), DEFRAG_WHOLE);
	cr_assert_eq(r.dg.rec.wirelen, w.len);
	cr_assert_eq(r.dg.rec.caplen, 96);
	cr_assert_eq(memcmp(r.dg.rec.data + 20, w.b + 20, 76), 0);
	struct pkt_decoded d;
	cr_assert_eq(decode_packet(&r.dg.rec, &d), DECODE_OK);
	cr_assert_eq(d.sport, 40001);
	uint16_t exp;
	cr_assert_neq(csum_verify_l4(&d, &exp), CSUM_BAD, "cut: unverifiable, never bad");
	defrag_free(r.df);
}

/* Random fragment sizes and orders, with random duplicates: always the
 * original back. */
Test(defrag, randomized_orders)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (int iter = 0; iter < 300; iter++) {
		struct whole w;
		uint8_t ver = iter & 1 ? 6 : 4;
		struct pb_spec s = spec(ver, 100 + pb_rand(&seed) % 2800);
		make_whole(&w, &s);
		uint32_t data = (uint32_t)(w.len - w.hl);
		uint32_t offs[64], n = 0;
		for (uint32_t off = 0; off < data && n < 63; n++) {
			offs[n] = off;
			off += 8 * (1 + (uint32_t)(pb_rand(&seed) % 100));
		}
		offs[n] = data;
		if (n == 1 && ver == 4)
			continue; /* not a fragment: one piece */
		for (uint32_t i = n - 1; i > 0; i--) { /* shuffle the pieces' order */
			uint32_t j = (uint32_t)(pb_rand(&seed) % (i + 1));
			uint32_t t = offs[i];
			offs[i] = offs[j];
			offs[j] = t;
		}
		/* offs[0..n) is now a permutation of the starts; pieces end at the
		 * next start in sorted order */
		struct run r;
		start(&r);
		enum defrag_result last = DEFRAG_HELD;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t off = offs[i], end = data;
			for (uint32_t k = 0; k < n; k++)
				if (offs[k] > off && offs[k] < end)
					end = offs[k];
			cr_assert_eq(last, DEFRAG_HELD, "iteration %d: whole too early", iter);
			last = feed(&r, &w, off, end - off, end != data, i);
			if (last == DEFRAG_HELD && pb_rand(&seed) % 4 == 0)
				cr_assert_eq(feed(&r, &w, off, end - off, end != data, i),
					     DEFRAG_DUPLICATE);
		}
		cr_assert_eq(last, DEFRAG_WHOLE, "iteration %d", iter);
		check_original(&r, &w);
		defrag_free(r.df);
	}
}

/* Linux's runs: a fragment filling a hole between two runs is a run of its
 * own, so one spanning two runs overlaps (the datagram is discarded), where
 * merging the runs would have called it a duplicate. */
Test(defrag, span_of_two_runs_overlaps_as_linux)
{
	struct whole w;
	struct run r;
	uint32_t data = begin(&w, &r, 4, 2000);
	cr_assert_eq(feed(&r, &w, 8, 8, true, 1), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 0, 8, true, 2), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 0, 16, true, 3), DEFRAG_OVERLAP);
	cr_assert_eq(defrag_counts(r.df)->overlaps, 1);
	/* in order, the same bytes are one run: a duplicate */
	cr_assert_eq(feed(&r, &w, 0, 8, true, 4), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 8, 8, true, 5), DEFRAG_HELD);
	cr_assert_eq(feed(&r, &w, 0, 16, true, 6), DEFRAG_DUPLICATE);
	cr_assert_eq(feed(&r, &w, 16, data - 16, false, 7), DEFRAG_WHOLE);
	check_original(&r, &w);
	defrag_free(r.df);
}

/* A fragment whose length comes from the frame (total length 0, a wire
 * length near 2^32) is refused, never summed into an offset that wraps. */
Test(defrag, total_length_zero_refused)
{
	struct whole w;
	struct run r;
	begin(&w, &r, 4, 2000);
	size_t len = cut(&w, 65528, 980, false, 0x4242, r.frame);
	r.frame[2] = r.frame[3] = 0; /* total length 0 */
	r.frame[10] = r.frame[11] = 0;
	pb_wr16(r.frame + 10, (uint16_t)~pb_sum(r.frame, w.hl, 0));
	struct pkt_record rec = pb_record(r.frame, len, DLT_RAW);
	rec.wirelen = 0xffffffffu;
	struct pkt_decoded d;
	cr_assert_eq(decode_packet(&rec, &d), DECODE_OK);
	cr_assert(d.ip_frag);
	cr_assert_eq(defrag_add(r.df, &rec, &d, &r.dg), DEFRAG_UNFIT);
	defrag_free(r.df);
}

/* IPv6 keys on addresses and identification only: a later fragment naming
 * another next header still belongs to the datagram (RFC 8200 §4.5). */
Test(defrag, ipv6_key_without_next_header)
{
	struct whole w;
	struct run r;
	uint32_t data = begin(&w, &r, 6, 2000);
	cr_assert_eq(feed(&r, &w, 0, 1232, true, 1), DEFRAG_HELD);
	size_t len = cut(&w, 1232, data - 1232, false, 0x4242, r.frame);
	r.frame[w.hl] = 59; /* the fragment header's next header: "no next header" */
	cr_assert_eq(feed_cap(&r, len, len, 2), DEFRAG_WHOLE);
	check_original(&r, &w);
	defrag_free(r.df);
}
