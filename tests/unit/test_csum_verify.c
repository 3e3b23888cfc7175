/*
 * tests/unit/test_csum_verify.c — analyze/csum_verify.c: checksum verdicts,
 * the offload signature (field = folded pseudo-header sum or its complement),
 * snap-length cuts, UDP's absent checksum and the IPv4 header checksum.
 * Correct field values come from pktbuild.c's own sum.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "analyze/csum_verify.h"
#include "analyze/decode.h"
#include "pktbuild.h"

#include <pcap/dlt.h>

#define ETH_IP 0x0800
#define ETH_IP6 0x86dd

static uint8_t payload_bytes[2048];

static void init_payload(void)
{
	for (size_t i = 0; i < sizeof(payload_bytes); i++)
		payload_bytes[i] = (uint8_t)(i * 37 + 11);
}

TestSuite(csum_verify, .init = init_payload);

static struct pb_spec spec(uint8_t ip_ver, uint8_t proto, size_t plen)
{
	struct pb_spec s;
	memset(&s, 0, sizeof(s));
	s.ip_ver = ip_ver;
	s.proto = proto;
	if (ip_ver == 4) {
		static const uint8_t a[4] = {192, 0, 2, 10}, b[4] = {198, 51, 100, 7};
		memcpy(s.src, a, 4);
		memcpy(s.dst, b, 4);
	} else {
		static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					      0, 0, 0, 0, 0, 0, 0xab, 0xcd};
		static const uint8_t b[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0,
					      0x12, 0x34, 0x56, 0xff, 0xfe, 0x78, 0x9a, 0xbc};
		memcpy(s.src, a, 16);
		memcpy(s.dst, b, 16);
	}
	s.sport = 51234;
	s.dport = proto == IPPROTO_UDP ? 53 : 443;
	s.seq = 0x01020304;
	s.ack = 0xa0b0c0d0;
	s.flags = TCP_ACK | TCP_PSH;
	s.win = 501;
	s.payload = payload_bytes;
	s.payload_len = plen;
	return s;
}

/* Build s behind an Ethernet header and decode it; caplen is cut by `cut`. */
static void build_decode(const struct pb_spec *s, uint8_t *buf, size_t cap, size_t cut,
			 struct pkt_record *r, struct pkt_decoded *d, struct pb_info *in)
{
	uint8_t eth[14];
	pb_eth(eth, s->ip_ver == 6 ? ETH_IP6 : ETH_IP);
	size_t n = pb_build(buf, cap, eth, sizeof(eth), s, in);
	*r = pb_record(buf, n, DLT_EN10MB);
	r->caplen = (uint32_t)(n - cut);
	cr_assert_eq(decode_packet(r, d), DECODE_OK, "decode v%u proto %u len %zu cut %zu",
		     s->ip_ver, s->proto, s->payload_len, cut);
}

static const size_t lens[] = {0, 1, 2, 3, 7, 64, 333, 1001, 1460};
#define NLENS (sizeof(lens) / sizeof(lens[0]))

struct variant {
	uint8_t ip_ver, proto;
};
static const struct variant variants[] = {
	{4, IPPROTO_TCP}, {4, IPPROTO_UDP}, {6, IPPROTO_TCP}, {6, IPPROTO_UDP}};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

Test(csum_verify, good_checksum_is_ok)
{
	static uint8_t buf[2048];
	for (size_t v = 0; v < NVARIANTS; v++)
		for (size_t i = 0; i < NLENS; i++) {
			struct pb_spec s = spec(variants[v].ip_ver, variants[v].proto, lens[i]);
			struct pkt_record r;
			struct pkt_decoded d;
			struct pb_info in;
			build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
			uint16_t exp = 0x5555;
			cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_OK, "v%u p%u len %zu",
				     s.ip_ver, s.proto, lens[i]);
			cr_assert_eq(exp, 0);
		}
}

Test(csum_verify, offload_signature)
{
	static uint8_t buf[2048];
	for (size_t v = 0; v < NVARIANTS; v++)
		for (size_t i = 0; i < NLENS; i++)
			for (int inv = 0; inv < 2; inv++) {
				struct pb_spec s =
					spec(variants[v].ip_ver, variants[v].proto, lens[i]);
				s.csum = inv ? PB_CSUM_SEED_INV : PB_CSUM_SEED;
				struct pkt_record r;
				struct pkt_decoded d;
				struct pb_info in;
				build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
				/* Setup: the signature must not be the right value. */
				cr_assert_neq(in.l4_csum, in.l4_csum_good);
				cr_assert_eq(d.l4_csum, inv ? (uint16_t)~in.seed : in.seed);
				uint16_t exp = 0;
				cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_OFFLOAD,
					     "v%u p%u len %zu inv %d", s.ip_ver, s.proto, lens[i],
					     inv);
				/* Fully captured: expected is the value it should have. */
				cr_assert_eq(exp, in.l4_csum_good, "v%u p%u len %zu: %#x != %#x",
					     s.ip_ver, s.proto, lens[i], exp, in.l4_csum_good);
			}
}

Test(csum_verify, corrupted_byte_is_bad)
{
	static uint8_t buf[2048], other[2048];
	static uint8_t bad_payload[2048];
	for (size_t v = 0; v < NVARIANTS; v++)
		for (size_t i = 1; i < NLENS; i++) {
			size_t plen = lens[i];
			struct pb_spec s = spec(variants[v].ip_ver, variants[v].proto, plen);
			struct pkt_record r;
			struct pkt_decoded d;
			struct pb_info in;
			uint8_t eth[14];
			pb_eth(eth, s.ip_ver == 6 ? ETH_IP6 : ETH_IP);
			size_t n = pb_build(buf, sizeof(buf), eth, sizeof(eth), &s, &in);
			/* Damage one payload byte after the checksum was written. */
			size_t k = plen / 2;
			buf[in.payload_off + k] ^= 0x40;
			r = pb_record(buf, n, DLT_EN10MB);
			cr_assert_eq(decode_packet(&r, &d), DECODE_OK);

			/* The right checksum for the damaged bytes, built afresh. */
			memcpy(bad_payload, payload_bytes, plen);
			bad_payload[k] ^= 0x40;
			struct pb_spec s2 = s;
			s2.payload = bad_payload;
			struct pb_info in2;
			pb_build(other, sizeof(other), eth, sizeof(eth), &s2, &in2);
			cr_assert_neq(in2.l4_csum_good, in.l4_csum_good);

			uint16_t exp = 0;
			cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_BAD, "v%u p%u len %zu",
				     s.ip_ver, s.proto, plen);
			cr_assert_eq(exp, in2.l4_csum_good, "v%u p%u len %zu: %#x != %#x",
				     s.ip_ver, s.proto, plen, exp, in2.l4_csum_good);
		}
}

Test(csum_verify, corrupted_header_field_is_bad)
{
	static uint8_t buf[256], other[256];
	struct pb_spec s = spec(4, IPPROTO_TCP, 10);
	struct pkt_record r;
	struct pkt_decoded d;
	struct pb_info in, in2;
	size_t n = pb_build(buf, sizeof(buf), NULL, 0, &s, &in);
	buf[in.l4_off + 14] ^= 0x01; /* window */
	r = pb_record(buf, n, DLT_RAW);
	cr_assert_eq(decode_packet(&r, &d), DECODE_OK);
	struct pb_spec s2 = s;
	s2.win ^= 0x0100;
	pb_build(other, sizeof(other), NULL, 0, &s2, &in2);
	uint16_t exp = 0;
	cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_BAD);
	cr_assert_eq(exp, in2.l4_csum_good);
	/* The window went down by 0x0100 (0x01f5 -> 0x00f5), so the sum did and
	 * its complement, the checksum, went up by 0x0100 (mod 0xffff). */
	cr_assert_eq((exp + 0xffff - in.l4_csum_good) % 0xffff, 0x0100);
}

Test(csum_verify, snap_cut_is_unverifiable_unless_signature)
{
	static uint8_t buf[2048];
	for (size_t v = 0; v < NVARIANTS; v++)
		for (size_t i = 1; i < NLENS; i++) {
			size_t cuts[2] = {1, lens[i]};
			for (int c = 0; c < 2; c++)
				for (int mode = 0; mode < 3; mode++) {
					struct pb_spec s =
						spec(variants[v].ip_ver, variants[v].proto, lens[i]);
					s.csum = mode == 0   ? PB_CSUM_GOOD
						 : mode == 1 ? PB_CSUM_SEED
							     : PB_CSUM_SEED_INV;
					struct pkt_record r;
					struct pkt_decoded d;
					struct pb_info in;
					build_decode(&s, buf, sizeof(buf), cuts[c], &r, &d, &in);
					cr_assert_lt(d.l4_cap, d.l4_len);
					uint16_t exp = 0x5555;
					enum csum_verdict want =
						mode == 0 ? CSUM_UNVERIFIABLE : CSUM_OFFLOAD;
					cr_assert_eq(csum_verify_l4(&d, &exp), want,
						     "v%u p%u len %zu cut %zu mode %d", s.ip_ver,
						     s.proto, lens[i], cuts[c], mode);
					cr_assert_eq(exp, 0);
				}
		}
}

Test(csum_verify, udp_v4_zero_is_absent)
{
	static uint8_t buf[256];
	struct pb_spec s = spec(4, IPPROTO_UDP, 33);
	s.csum = PB_CSUM_VALUE;
	s.csum_value = 0;
	struct pkt_record r;
	struct pkt_decoded d;
	struct pb_info in;
	build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
	uint16_t exp = 0x5555;
	cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_ABSENT);
	cr_assert_eq(exp, 0);
	/* Cut short too: still absent, not unverifiable. */
	build_decode(&s, buf, sizeof(buf), 5, &r, &d, &in);
	cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_ABSENT);
}

Test(csum_verify, udp_v6_zero_is_bad)
{
	/* RFC 8200 §8.1: IPv6 receivers discard UDP with a zero checksum. */
	static uint8_t buf[256];
	struct pb_spec s = spec(6, IPPROTO_UDP, 33);
	s.csum = PB_CSUM_VALUE;
	s.csum_value = 0;
	struct pkt_record r;
	struct pkt_decoded d;
	struct pb_info in;
	build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
	uint16_t exp = 0;
	cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_BAD);
	cr_assert_eq(exp, in.l4_csum_good);
}

Test(csum_verify, tcp_zero_field_is_not_absent)
{
	static uint8_t buf[256];
	struct pb_spec s = spec(4, IPPROTO_TCP, 20);
	s.csum = PB_CSUM_VALUE;
	s.csum_value = 0;
	struct pkt_record r;
	struct pkt_decoded d;
	struct pb_info in;
	build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
	cr_assert_neq(in.l4_csum_good, 0);
	cr_assert_neq(in.l4_csum_good, 0xffff);
	uint16_t exp = 0;
	cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_BAD);
	cr_assert_eq(exp, in.l4_csum_good);
}

/* UDP whose computed checksum is zero is sent as 0xffff (RFC 768). */
Test(csum_verify, udp_computed_zero_expects_ffff)
{
	static uint8_t buf[256];
	uint8_t pay[2] = {0, 0};
	for (int ver = 4; ver <= 6; ver += 2) {
		struct pb_spec s = spec((uint8_t)ver, IPPROTO_UDP, 0);
		s.payload = pay;
		s.payload_len = 2;
		pay[0] = pay[1] = 0;
		s.csum = PB_CSUM_VALUE;
		s.csum_value = 0x1234;
		struct pkt_record r;
		struct pkt_decoded d;
		struct pb_info in;
		build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
		/* With a zero word the sum is S = ~good; W = ~S makes it 0xffff. */
		uint16_t w = in.l4_csum_good;
		pay[0] = (uint8_t)(w >> 8);
		pay[1] = (uint8_t)w;
		build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
		cr_assert_eq(in.l4_csum_good, 0xffff, "setup");
		uint16_t exp = 0;
		cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_BAD);
		cr_assert_eq(exp, 0xffff, "v%d: %#x", ver, exp);

		s.csum_value = 0xffff;
		build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
		cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_OK);
	}
}

Test(csum_verify, udp_length_shorter_than_ip_payload)
{
	/* Two bytes after the UDP datagram inside the IP payload: the UDP
	 * length (and the pseudo-header) cover the datagram only. */
	static uint8_t buf[256];
	for (int ver = 4; ver <= 6; ver += 2) {
		struct pb_spec s = spec((uint8_t)ver, IPPROTO_UDP, 11);
		struct pb_info in;
		size_t n = pb_build(buf, sizeof(buf), NULL, 0, &s, &in);
		buf[n] = 0xab;
		buf[n + 1] = 0xcd;
		if (ver == 4)
			pb_wr16(buf + 2, (uint16_t)(n + 2));
		else
			pb_wr16(buf + 4, (uint16_t)(n + 2 - 40));
		struct pkt_record r = pb_record(buf, n + 2, DLT_RAW);
		struct pkt_decoded d;
		cr_assert_eq(decode_packet(&r, &d), DECODE_OK);
		cr_assert_eq(d.l4_len, 19);
		cr_assert_eq(d.payload_len, 11);
		uint16_t exp = 0x5555;
		cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_OK, "v%d", ver);
		/* The trailer is not covered: changing it changes nothing. */
		buf[n] = 0x00;
		cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_OK, "v%d", ver);
	}
}

Test(csum_verify, hint_not_ready_is_offload)
{
	static uint8_t buf[256];
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct pb_spec s = spec(variants[v].ip_ver, variants[v].proto, 100);
		s.csum = PB_CSUM_VALUE;
		s.csum_value = 0x1234; /* garbage, neither right nor the seed */
		struct pkt_record r;
		struct pkt_decoded d;
		struct pb_info in;
		build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
		cr_assert_neq(in.l4_csum_good, 0x1234);
		cr_assert_neq(in.seed, 0x1234);
		uint16_t exp;
		cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_BAD);
		r.hints = PKT_HINT_CSUM_NOT_READY;
		cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_OFFLOAD);
		/* Even when cut short. */
		build_decode(&s, buf, sizeof(buf), 50, &r, &d, &in);
		r.hints = PKT_HINT_CSUM_NOT_READY;
		cr_assert_eq(csum_verify_l4(&d, &exp), CSUM_OFFLOAD);
	}
}

Test(csum_verify, ipv4_header)
{
	static uint8_t buf[256];
	static const uint8_t rr[8] = {0x07, 0x07, 0x04, 0, 0, 0, 0, 0}; /* record route */
	for (int opts = 0; opts < 2; opts++)
		for (int bad = 0; bad < 2; bad++) {
			struct pb_spec s = spec(4, IPPROTO_TCP, 10);
			if (opts) {
				s.ip_opts = rr;
				s.ip_opts_len = sizeof(rr);
			}
			s.ip_csum_bad = bad;
			s.ip_id = 0xbeef;
			struct pkt_record r;
			struct pkt_decoded d;
			struct pb_info in;
			build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
			cr_assert_eq(d.ip_hlen, opts ? 28 : 20);
			uint16_t exp = 0x5555;
			int rc = csum_verify_ipv4_header(&d, &exp);
			cr_assert_eq(rc, bad ? 0 : 1, "opts %d bad %d", opts, bad);
			if (bad)
				cr_assert_eq(exp, in.ip_csum_good, "%#x != %#x", exp,
					     in.ip_csum_good);
		}
}

Test(csum_verify, ipv4_header_hand_example)
{
	/* A classic header: 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7.
	 * Sum without the field: 4500+0073+0000+4000+4011+c0a8+0001+c0a8+00c7
	 * = 0x2479c -> 479c + 2 = 479e; checksum ~479e = b861. */
	static const uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
					0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01,
					0xc0, 0xa8, 0x00, 0xc7};
	struct pkt_decoded d;
	memset(&d, 0, sizeof(d));
	d.ip_ver = 4;
	d.ip = hdr;
	d.ip_cap = 20;
	d.ip_hlen = 20;
	d.ip_csum = 0xb861;
	uint16_t exp = 0;
	cr_assert_eq(csum_verify_ipv4_header(&d, &exp), 1);

	uint8_t bad[20];
	memcpy(bad, hdr, 20);
	bad[10] = 0x12;
	bad[11] = 0x34;
	d.ip = bad;
	d.ip_csum = 0x1234;
	cr_assert_eq(csum_verify_ipv4_header(&d, &exp), 0);
	cr_assert_eq(exp, 0xb861);

	/* Not captured in full, or not IPv4: no verdict. */
	d.ip_cap = 19;
	cr_assert_eq(csum_verify_ipv4_header(&d, &exp), -1);
	d.ip_cap = 20;
	d.ip_ver = 6;
	cr_assert_eq(csum_verify_ipv4_header(&d, &exp), -1);
}

Test(csum_verify, ipv6_has_no_header_checksum)
{
	static uint8_t buf[256];
	struct pb_spec s = spec(6, IPPROTO_TCP, 10);
	struct pkt_record r;
	struct pkt_decoded d;
	struct pb_info in;
	build_decode(&s, buf, sizeof(buf), 0, &r, &d, &in);
	uint16_t exp;
	cr_assert_eq(csum_verify_ipv4_header(&d, &exp), -1);
}
