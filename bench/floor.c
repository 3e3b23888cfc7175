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

/* ---- the ones'-complement sum: tcplens's own ---- */

/* analyze/checksum.c compiled in, not copied: the floor sums with the loop
 * tcplens runs, picked the same way (AVX2 from 256 bytes where the CPU has
 * it, else 32-bit words into four 64-bit lanes; bench/csum_variants.c
 * measured them). csum_add and csum_fold come from there. */
#include "../analyze/checksum.c"

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
	if (csum_fold(csum_add(ps, seg, len)) == 0xffff)
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
	if (csum_fold(csum_add(0, p, ihl)) == 0xffff)
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
	check_tcp(k, p + ihl, tot - ihl, csum_add(0, ph, sizeof ph));
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
	check_tcp(k, p + off, tlen, csum_add(0, ph, sizeof ph));
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
