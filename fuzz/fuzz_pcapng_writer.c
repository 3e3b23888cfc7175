/*
 * fuzz/fuzz_pcapng_writer.c — libFuzzer harness for the pcapng writer's
 * round trip: packets described by the input are written with comments,
 * epb_flags and epb_packetid into a memfd, then read back twice: by libpcap
 * (every frame's timestamp in ns, lengths and bytes must be equal, and no
 * more frames) and by a small block walker here (block lengths agree, each
 * packet's comments, flags and id as written).
 *
 * Input (little endian): u8 link type (index into lts[]), then packets:
 *   u16 caplen, u16 extra (wirelen = caplen + extra), u8 opts (bit 0 flags,
 *   bit 1 packet id, bits 2-4 number of comments), u64 ts_ns,
 *   [u32 flags], [u64 packet id], per comment: u8 len + len bytes (cut at
 *   the first NUL: a comment is a C string), then caplen bytes.
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_pipeline_run.h"
#include "report/pcapng_writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_COMMENTS 7
#define MAX_OUT (1u << 22)

struct cur {
	const uint8_t *p, *end;
};

struct pkt {
	struct pcapng_packet p;
	char text[MAX_COMMENTS][256];
	const char *cm[MAX_COMMENTS];
};

static uint64_t take(struct cur *c, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && c->p < c->end; i++)
		v |= (uint64_t)*c->p++ << (8 * i);
	return v;
}

/* The next packet of the input, or false at its end. */
static bool next_pkt(struct cur *c, struct pkt *k)
{
	if (c->end - c->p < 13)
		return false;
	memset(&k->p, 0, sizeof(k->p));
	uint32_t caplen = (uint32_t)take(c, 2);
	uint32_t extra = (uint32_t)take(c, 2);
	uint8_t opts = (uint8_t)take(c, 1);
	k->p.ts_ns = take(c, 8);
	if ((k->p.has_flags = opts & 1))
		k->p.flags = (uint32_t)take(c, 4);
	if ((k->p.has_packet_id = opts & 2))
		k->p.packet_id = take(c, 8);
	k->p.ncomments = (opts >> 2) & 7;
	for (size_t i = 0; i < k->p.ncomments; i++) {
		size_t n = (size_t)take(c, 1);
		if (n > (size_t)(c->end - c->p))
			n = (size_t)(c->end - c->p);
		memcpy(k->text[i], c->p, n);
		k->text[i][n] = 0;
		c->p += n;
		k->cm[i] = k->text[i];
	}
	k->p.comments = k->cm;
	if (caplen > (size_t)(c->end - c->p))
		caplen = (uint32_t)(c->end - c->p);
	k->p.caplen = caplen;
	k->p.wirelen = caplen + extra;
	k->p.data = c->p;
	c->p += caplen;
	return true;
}

static uint32_t rd32(const uint8_t *b)
{
	uint32_t v;
	memcpy(&v, b, 4);
	return v;
}

static uint16_t rd16(const uint8_t *b)
{
	uint16_t v;
	memcpy(&v, b, 2);
	return v;
}

/* Check one EPB's options (o..end) against what was written. */
static void check_options(const uint8_t *o, const uint8_t *end, const struct pkt *k)
{
	size_t nc = 0;
	bool flags = false, id = false;
	while (end - o >= 4) {
		uint16_t code = rd16(o), len = rd16(o + 2);
		if (code == 0)
			break;
		if ((size_t)(end - o - 4) < len)
			fuzz_fail("option runs past its block");
		const uint8_t *v = o + 4;
		if (code == 1) {
			if (nc >= k->p.ncomments || strlen(k->cm[nc]) != len ||
			    memcmp(v, k->cm[nc], len))
				fuzz_fail("comment differs");
			nc++;
		} else if (code == 2) {
			if (!k->p.has_flags || len != 4 || rd32(v) != k->p.flags)
				fuzz_fail("epb_flags differ");
			flags = true;
		} else if (code == 5) {
			uint64_t pid;
			memcpy(&pid, v, 8);
			if (!k->p.has_packet_id || len != 8 || pid != k->p.packet_id)
				fuzz_fail("epb_packetid differs");
			id = true;
		}
		o += 4 + ((len + 3u) & ~3u);
	}
	if (nc != k->p.ncomments || flags != k->p.has_flags || id != k->p.has_packet_id)
		fuzz_fail("options missing");
}

/* Walk the blocks of out[0..n): SHB, IDB, then one EPB per packet. */
static void walk(const uint8_t *out, size_t n, const uint8_t *data, size_t size)
{
	struct cur c = {data + 1, data + size};
	struct pkt k;
	size_t off = 0, blocks = 0;
	while (off < n) {
		if (n - off < 12)
			fuzz_fail("torn block");
		uint32_t type = rd32(out + off), len = rd32(out + off + 4);
		if (len < 12 || len % 4 || len > n - off || rd32(out + off + len - 4) != len)
			fuzz_fail("block lengths disagree");
		if ((blocks == 0) != (type == 0x0A0D0D0Au) || (blocks == 1) != (type == 1))
			fuzz_fail("block order");
		if (type == 6) {
			if (!next_pkt(&c, &k) || len < 32)
				fuzz_fail("an EPB more than written");
			uint32_t caplen = rd32(out + off + 20);
			size_t opt = 28 + ((caplen + 3u) & ~3u);
			if (caplen != k.p.caplen || opt > len - 4)
				fuzz_fail("EPB caplen");
			check_options(out + off + opt, out + off + len - 4, &k);
		}
		off += len;
		blocks++;
	}
	if (next_pkt(&c, &k))
		fuzz_fail("an EPB missing");
}

/* libpcap reads every frame back as written. */
static void reread(int fd, int dlt, const uint8_t *data, size_t size)
{
	char err[PCAP_ERRBUF_SIZE];
	if (lseek(fd, 0, SEEK_SET) != 0)
		fuzz_fail("lseek failed");
	int d = dup(fd);  /* shares the offset: libpcap reads from 0 */
	FILE *f = d >= 0 ? fdopen(d, "rb") : NULL;
	if (!f)
		fuzz_fail("fdopen failed");
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "fuzz: libpcap: %s\n", err);
		fuzz_fail("libpcap cannot open the pcapng");
	}
	if (pcap_datalink(p) != dlt)
		fuzz_fail("link type differs");
	struct cur c = {data + 1, data + size};
	struct pkt k;
	struct pcap_pkthdr *h;
	const u_char *b;
	while (next_pkt(&c, &k)) {
		int rc = pcap_next_ex(p, &h, &b);
		if (rc != 1) {
			fprintf(stderr, "fuzz: libpcap: %d %s\n", rc, pcap_geterr(p));
			fuzz_fail("libpcap cannot read a frame back");
		}
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
		if (ts != k.p.ts_ns || h->caplen != k.p.caplen || h->len != k.p.wirelen ||
		    (k.p.caplen && memcmp(b, k.p.data, k.p.caplen)))
			fuzz_fail("a frame differs after the round trip");
	}
	if (pcap_next_ex(p, &h, &b) != PCAP_ERROR_BREAK)
		fuzz_fail("libpcap reads more frames than written");
	pcap_close(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* pcapng link types with the DLT libpcap gives them back as. */
	static const int lts[][2] = {
		{1, DLT_EN10MB}, {101, DLT_RAW}, {113, DLT_LINUX_SLL}, {276, DLT_LINUX_SLL2},
		{0, DLT_NULL}, {108, DLT_LOOP}, {228, DLT_IPV4}, {229, DLT_IPV6},
	};
	static int fd = -1;
	static uint8_t out[MAX_OUT];
	if (size < 1)
		return 0;
	if (fd < 0 && (fd = memfd_create("fuzz_pcapng", 0)) < 0)
		fuzz_fail("memfd_create failed");
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		fuzz_fail("memfd reset");
	const int *lt = lts[data[0] % (sizeof(lts) / sizeof(lts[0]))];
	struct pcapng_writer *w = pcapng_writer_new(fd, data[0] & 0x80 ? "tcplens fuzz" : NULL);
	if (!w)
		return 0;
	int iface = pcapng_writer_interface(w, lt[0]);
	if (iface != 0 || pcapng_writer_interface(w, lt[0]) != 0)
		fuzz_fail("interface id");
	struct cur c = {data + 1, data + size};
	struct pkt k;
	while (next_pkt(&c, &k)) {
		if (pcapng_writer_packet(w, &k.p) < 0)
			fuzz_fail("pcapng_writer_packet failed");
	}
	if (pcapng_writer_close(w) < 0)
		fuzz_fail("pcapng_writer_close failed");
	ssize_t n = pread(fd, out, sizeof(out), 0);
	if (n < 0 || (size_t)n >= sizeof(out))
		fuzz_fail("pcapng output too large to check");
	walk(out, (size_t)n, data, size);
	reread(fd, lt[1], data, size);
	return 0;
}
