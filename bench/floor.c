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

/* ---- the wide ones'-complement sum ---- */

static inline uint64_t add_c(uint64_t s, uint64_t v)
{
	s += v;
	return s + (s < v); /* end-around carry */
}

/*
 * Ones'-complement sum of <n> bytes at <p>, in native byte order (RFC 1071:
 * the sum is byte-order independent, only the final 16 bits are swapped),
 * added to <s>.  8-byte loads through memcpy into four independent 64-bit
 * accumulators; the tail is zero-padded, which is right for an odd length.
 */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FLOOR_AVX2 1
/* The floor uses the fastest loop this CPU has, as tcplens does
 * (analyze/checksum.c; bench/csum_variants.c measured them): 16-bit words
 * widened into 32-bit lanes, emptied every 512 KiB. The result is a sum of
 * 16-bit words; adding it to the 64-bit ones'-complement sum keeps the
 * value modulo 0xffff (which divides 2^64 - 1), all the fold needs. */
__attribute__((target("avx2"))) static uint64_t sum_avx2(const uint8_t **pp, size_t *pn)
{
	const uint8_t *p = *pp;
	size_t n = *pn;
	const __m256i zero = _mm256_setzero_si256();
	uint64_t total = 0;
	while (n >= 32) {
		__m256i acc = zero;
		size_t iters = n / 32 > 16384 ? 16384 : n / 32;
		for (size_t i = 0; i < iters; i++) {
			__m256i v = _mm256_loadu_si256((const __m256i *)p);
			acc = _mm256_add_epi32(acc, _mm256_unpacklo_epi16(v, zero));
			acc = _mm256_add_epi32(acc, _mm256_unpackhi_epi16(v, zero));
			p += 32;
		}
		n -= iters * 32;
		uint32_t lanes[8];
		_mm256_storeu_si256((__m256i *)lanes, acc);
		for (int i = 0; i < 8; i++)
			total += lanes[i];
	}
	*pp = p;
	*pn = n;
	return total;
}
#endif

static uint64_t csum_add(const uint8_t *p, size_t n, uint64_t s)
{
#ifdef FLOOR_AVX2
	if (n >= 32 && __builtin_cpu_supports("avx2"))
		s = add_c(s, sum_avx2(&p, &n));
#endif
	uint64_t a = s, b = 0, c = 0, d = 0, x0, x1, x2, x3;

	while (n >= 32) {
		memcpy(&x0, p, 8);
		memcpy(&x1, p + 8, 8);
		memcpy(&x2, p + 16, 8);
		memcpy(&x3, p + 24, 8);
		a = add_c(a, x0);
		b = add_c(b, x1);
		c = add_c(c, x2);
		d = add_c(d, x3);
		p += 32;
		n -= 32;
	}
	while (n >= 8) {
		memcpy(&x0, p, 8);
		a = add_c(a, x0);
		p += 8;
		n -= 8;
	}
	if (n) {
		x0 = 0;
		memcpy(&x0, p, n);
		a = add_c(a, x0);
	}
	return add_c(add_c(a, b), add_c(c, d));
}

/* Fold a 64-bit ones'-complement sum to 16 bits (not complemented). */
static uint16_t csum_fold(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
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
	if (csum_fold(csum_add(seg, len, ps)) == 0xffff)
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
	if (csum_fold(csum_add(p, ihl, 0)) == 0xffff)
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
	check_tcp(k, p + ihl, tot - ihl, csum_add(ph, sizeof ph, 0));
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
	check_tcp(k, p + off, tlen, csum_add(ph, sizeof ph, 0));
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
	/* Read through the same 256 KiB stdio buffer as tcplens's file source
	 * (capture/src_file.c): with stdio's default 4 KiB the floor would pay
	 * for 64 times more read(2) calls than the program it bounds. */
	static char iobuf[1 << 18];
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
	int rc = 0;
	if (pcap_loop(p, -1, on_packet, (u_char *)&k) == PCAP_ERROR) {
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
