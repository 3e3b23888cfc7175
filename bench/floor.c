/*
 * floor: the speed floor of the tcplens benchmark (bench/run.sh).
 *
 * Reads a capture with libpcap (pcap_open_offline: pcap or pcapng, '-' for
 * stdin) and verifies the checksum of every TCP segment: the ones'-complement
 * sum of the pseudo-header, the TCP header and the payload (IPv4 and IPv6),
 * plus every IPv4 header checksum.  That is the least any checksum-verifying
 * analyzer must do: read the file and checksum every byte.  Nothing else is
 * decoded, nothing is kept, nothing is allocated per packet.
 *
 * Link types: Ethernet (with 802.1Q / 802.1ad tags), Linux SLL and SLL2, raw
 * IP (DLT_RAW, IPv4, IPv6), BSD loopback (NULL, LOOP).
 *
 * A segment is skipped (neither verified nor bad) when it cannot be checked:
 * truncated by the snap length, an IP fragment, or an IPv6 jumbogram.
 *
 * Output, one line:
 *   packets=N bytes=N tcp=N verified=N bad=N skipped=N ip_verified=N ip_bad=N
 * bytes = sum of captured lengths.  Exit 0, or 2 when the file cannot be read
 * (a truncated file: the counts so far are printed first).
 */
#define _DEFAULT_SOURCE /* u_char and friends in <pcap/pcap.h> */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

struct counts {
	uint64_t packets, bytes, tcp, verified, bad, skipped;
	uint64_t ip_verified, ip_bad;
};

/* ---- the ones'-complement sum: the floor's own ---- */

/* Written here, apart from tcplens's analyze/checksum.c, so that making
 * tcplens slower can never move the floor. RFC 1071's sum does not depend
 * on byte order: the words are added as the CPU loads them (little-endian)
 * and only the final comparison with 0xffff matters, which is the same in
 * either order. AVX2 where the CPU has it: 16-bit words widened into
 * 32-bit lanes, four accumulators (128 bytes a step); else 32-bit words
 * into a 64-bit sum. A 32-bit lane takes 65,536 words before it could
 * overflow: the lanes are folded into the 64-bit sum every 16,384 steps. */
#include <immintrin.h>

static uint64_t sum_scalar(uint64_t s, const uint8_t *p, size_t n)
{
	while (n >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		s += w;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		s += w;
		p += 2;
		n -= 2;
	}
	if (n) /* the odd byte is a word's first (network) byte: low in LE */
		s += p[0];
	return s;
}

__attribute__((target("avx2"))) static uint64_t lanes_total(__m256i a)
{
	__m256i lo = _mm256_unpacklo_epi32(a, _mm256_setzero_si256());
	__m256i hi = _mm256_unpackhi_epi32(a, _mm256_setzero_si256());
	__m256i q = _mm256_add_epi64(lo, hi);
	uint64_t t[4];
	_mm256_storeu_si256((__m256i *)t, q);
	return t[0] + t[1] + t[2] + t[3];
}

__attribute__((target("avx2"))) static uint64_t sum_avx2(uint64_t s, const uint8_t *p, size_t n)
{
	const __m256i z = _mm256_setzero_si256();
	while (n >= 128) {
		__m256i a0 = z, a1 = z, a2 = z, a3 = z;
		size_t steps = n / 128 < 16384 ? n / 128 : 16384;
		for (size_t i = 0; i < steps; i++, p += 128) {
			__m256i v0 = _mm256_loadu_si256((const __m256i *)p);
			__m256i v1 = _mm256_loadu_si256((const __m256i *)(p + 32));
			__m256i v2 = _mm256_loadu_si256((const __m256i *)(p + 64));
			__m256i v3 = _mm256_loadu_si256((const __m256i *)(p + 96));
			a0 = _mm256_add_epi32(a0, _mm256_add_epi32(_mm256_unpacklo_epi16(v0, z),
								   _mm256_unpackhi_epi16(v0, z)));
			a1 = _mm256_add_epi32(a1, _mm256_add_epi32(_mm256_unpacklo_epi16(v1, z),
								   _mm256_unpackhi_epi16(v1, z)));
			a2 = _mm256_add_epi32(a2, _mm256_add_epi32(_mm256_unpacklo_epi16(v2, z),
								   _mm256_unpackhi_epi16(v2, z)));
			a3 = _mm256_add_epi32(a3, _mm256_add_epi32(_mm256_unpacklo_epi16(v3, z),
								   _mm256_unpackhi_epi16(v3, z)));
		}
		n -= steps * 128;
		s += lanes_total(a0) + lanes_total(a1) + lanes_total(a2) + lanes_total(a3);
	}
	return sum_scalar(s, p, n);
}

static int have_avx2;

static uint64_t floor_sum(uint64_t s, const uint8_t *p, size_t n)
{
	return have_avx2 && n >= 128 ? sum_avx2(s, p, n) : sum_scalar(s, p, n);
}

static uint16_t floor_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- per-protocol checks ---- */

/* TCP segment <seg> of <len> bytes, given the pseudo-header sum <ps>. */
static void check_tcp(struct counts *k, const uint8_t *seg, size_t len,
		      uint64_t ps)
{
	if (len < 20) {
		k->skipped++;
		return;
	}
	if (floor_fold(floor_sum(ps, seg, len)) == 0xffff)
		k->verified++;
	else
		k->bad++;
}

static void check_ipv4(struct counts *k, const uint8_t *p, size_t cap)
{
	if (cap < 20 || (p[0] >> 4) != 4)
		return;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	size_t tot = rd16(p + 2);
	if (ihl < 20 || cap < ihl)
		return;
	if (floor_fold(floor_sum(0, p, ihl)) == 0xffff)
		k->ip_verified++;
	else
		k->ip_bad++;
	if (p[9] != 6)
		return;
	k->tcp++;
	/* a fragment (MF set or offset non-zero), or cut by the snap length,
	 * or a TSO giant whose total length is 0: cannot be verified */
	if ((rd16(p + 6) & 0x3fff) || tot < ihl || tot > cap) {
		k->skipped++;
		return;
	}
	uint8_t ph[12];
	memcpy(ph, p + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = (uint8_t)((tot - ihl) >> 8);
	ph[11] = (uint8_t)(tot - ihl);
	check_tcp(k, p + ihl, tot - ihl, floor_sum(0, ph, sizeof ph));
}

static void check_ipv6(struct counts *k, const uint8_t *p, size_t cap)
{
	if (cap < 40 || (p[0] >> 4) != 6)
		return;
	size_t plen = rd16(p + 4), off = 40;
	uint8_t nh = p[6];
	int fragment = 0;

	/* walk the extension headers (their length counts in plen) */
	for (;;) {
		if (nh == 0 || nh == 43 || nh == 60) { /* hop, routing, dst */
			if (cap < off + 8)
				return;
			nh = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
		} else if (nh == 44) {                  /* fragment */
			if (cap < off + 8)
				return;
			if (rd16(p + off + 2) & 0xfff9) /* offset or M */
				fragment = 1;
			nh = p[off];
			off += 8;
		} else if (nh == 51) {                  /* AH */
			if (cap < off + 8)
				return;
			nh = p[off];
			off += ((size_t)p[off + 1] + 2) * 4;
		} else {
			break;
		}
	}
	if (nh != 6)
		return;
	k->tcp++;
	/* a fragment, a jumbogram (plen 0), cut by the snap length */
	if (fragment || plen == 0 || 40 + plen > cap || off > 40 + plen) {
		k->skipped++;
		return;
	}
	size_t tlen = 40 + plen - off;
	uint8_t ph[40];
	/* source and destination; with a routing header the real
	 * destination is its last address: not handled, a floor */
	memcpy(ph, p + 8, 32);
	ph[32] = (uint8_t)(tlen >> 24);
	ph[33] = (uint8_t)(tlen >> 16);
	ph[34] = (uint8_t)(tlen >> 8);
	ph[35] = (uint8_t)tlen;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = 6;
	check_tcp(k, p + off, tlen, floor_sum(0, ph, sizeof ph));
}

static void check_l3(struct counts *k, uint16_t ethertype, const uint8_t *p,
		     size_t cap)
{
	if (ethertype == 0x0800)
		check_ipv4(k, p, cap);
	else if (ethertype == 0x86dd)
		check_ipv6(k, p, cap);
}

/* ---- link layers ---- */

static int linktype;

static void on_packet(u_char *user, const struct pcap_pkthdr *h,
		      const u_char *p)
{
	struct counts *k = (struct counts *)user;
	size_t cap = h->caplen, off;
	uint16_t et;

	k->packets++;
	k->bytes += cap;
	switch (linktype) {
	case DLT_EN10MB:
		if (cap < 14)
			return;
		et = rd16(p + 12);
		off = 14;
		while ((et == 0x8100 || et == 0x88a8 || et == 0x9100) &&
		       cap >= off + 4) {
			et = rd16(p + off + 2);
			off += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (cap < 16)
			return;
		et = rd16(p + 14);
		off = 16;
		break;
	case DLT_LINUX_SLL2:
		if (cap < 20)
			return;
		et = rd16(p);
		off = 20;
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		if (cap < 1)
			return;
		et = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		off = 0;
		break;
	case DLT_NULL:
	case DLT_LOOP: {
		if (cap < 4)
			return;
		uint32_t fam;
		memcpy(&fam, p, 4);
		if (fam > 0xffff) /* written in the other byte order */
			fam = ((fam >> 24) & 0xff) | ((fam >> 8) & 0xff00);
		et = fam == 2 ? 0x0800
		   : (fam == 24 || fam == 28 || fam == 30) ? 0x86dd : 0;
		off = 4;
		break;
	}
	default:
		return;
	}
	check_l3(k, et, p + off, cap - off);
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct counts k = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: floor CAPTURE (pcap or pcapng, - for"
				" stdin)\n");
		return 2;
	}
	/* A 1 MiB stdio buffer: with stdio's default 4 KiB the floor would pay
	 * for 256 times more read(2) calls (tcplens's own file source reads
	 * 256 KiB at a time: the floor is never the slower reader). */
	static char iobuf[1 << 20];
	FILE *fp = strcmp(argv[1], "-") ? fopen(argv[1], "rb") : stdin;
	if (!fp) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	setvbuf(fp, iobuf, _IOFBF, sizeof(iobuf));
	pcap_t *p = pcap_fopen_offline(fp, errbuf);
	if (!p) {
		fprintf(stderr, "floor: %s\n", errbuf);
		return 2;
	}
	linktype = pcap_datalink(p);
	have_avx2 = __builtin_cpu_supports("avx2");
	int rc = 0, n;
	/* pcap_dispatch lends each frame from libpcap's buffer: no copy */
	while ((n = pcap_dispatch(p, 4096, on_packet, (u_char *)&k)) > 0)
		;
	if (n == PCAP_ERROR) {
		/* a truncated file: report what was read, then fail */
		fprintf(stderr, "floor: %s\n", pcap_geterr(p));
		rc = 2;
	}
	pcap_close(p);
	printf("packets=%" PRIu64 " bytes=%" PRIu64 " tcp=%" PRIu64
	       " verified=%" PRIu64 " bad=%" PRIu64 " skipped=%" PRIu64
	       " ip_verified=%" PRIu64 " ip_bad=%" PRIu64 "\n",
	       k.packets, k.bytes, k.tcp, k.verified, k.bad, k.skipped,
	       k.ip_verified, k.ip_bad);
	return rc;
}
