/*
 * tests/regress/test_pcapng_writer.c — report/pcapng_writer.c: the blocks are
 * parsed back here by hand (layout, lengths, padding, options) and read by
 * libpcap (frames, bytes, nanosecond timestamps, link types).
 */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/pcapng_writer.h"

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint16_t u16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

/* The whole file fd refers to. */
static uint8_t *slurp(FILE *f, size_t *n)
{
	fflush(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	cr_assert_geq(len, 0);
	uint8_t *b = malloc((size_t)len + 1);
	fseek(f, 0, SEEK_SET);
	cr_assert_eq(fread(b, 1, (size_t)len, f), (size_t)len);
	*n = (size_t)len;
	return b;
}

/* Walk the blocks: every one has equal leading and trailing lengths, a
 * multiple of 4, and ends inside the file. Returns the block count. */
static int walk(const uint8_t *b, size_t n, uint32_t *types, int max)
{
	size_t off = 0;
	int k = 0;
	while (off < n) {
		cr_assert_leq(off + 12, n, "block header past the end at %zu", off);
		uint32_t len = u32(b + off + 4);
		cr_assert_eq(len % 4, 0);
		cr_assert_leq(off + len, n, "block at %zu runs past the end", off);
		cr_assert_eq(u32(b + off + len - 4), len, "trailing length differs at %zu", off);
		if (k < max)
			types[k] = u32(b + off);
		k++;
		off += len;
	}
	return k;
}

/* The options of the block at b (opts from its start), as code -> first
 * value found. Returns the count of code. */
static int find_option(const uint8_t *b, size_t opts, uint16_t code, const uint8_t **val,
		       uint16_t *vlen)
{
	uint32_t len = u32(b + 4);
	size_t off = opts;
	int count = 0;
	while (off + 4 <= len - 4) {
		uint16_t c = u16(b + off), l = u16(b + off + 2);
		if (c == 0)
			break;
		if (c == code) {
			if (!count) {
				*val = b + off + 4;
				*vlen = l;
			}
			count++;
		}
		off += 4 + ((l + 3u) & ~3u);
	}
	return count;
}

Test(pcapng_writer, header_and_interface)
{
	FILE *f = tmpfile();
	struct pcapng_writer *w = pcapng_writer_new(fileno(f), "tcplens test");
	cr_assert_not_null(w);
	cr_assert_eq(pcapng_writer_interface(w, DLT_EN10MB), 0);
	cr_assert_eq(pcapng_writer_interface(w, DLT_EN10MB), 0, "same link type, same interface");
	cr_assert_eq(pcapng_writer_interface(w, DLT_LINUX_SLL), 1);
	cr_assert_eq(pcapng_writer_close(w), 0);
	size_t n;
	uint8_t *b = slurp(f, &n);
	uint32_t types[8];
	cr_assert_eq(walk(b, n, types, 8), 3);
	cr_assert_eq(types[0], 0x0A0D0D0Au);
	cr_assert_eq(u32(b + 8), 0x1A2B3C4Du);
	cr_assert_eq(u16(b + 12), 1);
	cr_assert_eq(u16(b + 14), 0);
	const uint8_t *v;
	uint16_t vl;
	cr_assert_eq(find_option(b, 24, 4, &v, &vl), 1);
	cr_assert_eq(vl, strlen("tcplens test"));
	cr_assert_eq(memcmp(v, "tcplens test", vl), 0);
	const uint8_t *idb = b + u32(b + 4);
	cr_assert_eq(types[1], 1u);
	cr_assert_eq(u16(idb + 8), DLT_EN10MB);
	cr_assert_eq(find_option(idb, 16, 9, &v, &vl), 1);
	cr_assert_eq(vl, 1);
	cr_assert_eq(v[0], 9, "if_tsresol = 9: nanoseconds");
	free(b);
	fclose(f);
}

Test(pcapng_writer, packets_with_comments_and_flags)
{
	FILE *f = tmpfile();
	struct pcapng_writer *w = pcapng_writer_new(fileno(f), NULL);
	int ifc = pcapng_writer_interface(w, DLT_EN10MB);
	uint8_t data[61];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	const char *comments[] = {"tcplens: stall 40.1 ms, cause delayed_ack", "second, odd length!"};
	struct pcapng_packet p = {
		.iface = (uint32_t)ifc,
		.ts_ns = 1795320206372836123ull,
		.caplen = sizeof(data),
		.wirelen = 1514,
		.data = data,
		.flags = PCAPNG_EPB_DIR_OUT | PCAPNG_EPB_CSUM_NOT_READY | PCAPNG_EPB_TSO,
		.has_flags = true,
		.packet_id = 42,
		.has_packet_id = true,
		.comments = comments,
		.ncomments = 2,
	};
	cr_assert_eq(pcapng_writer_packet(w, &p), 0);
	struct pcapng_packet bare = {.iface = (uint32_t)ifc, .ts_ns = 1795320207000000001ull,
				     .caplen = 4, .wirelen = 4, .data = data};
	cr_assert_eq(pcapng_writer_packet(w, &bare), 0);
	cr_assert_eq(pcapng_writer_close(w), 0);
	size_t n;
	uint8_t *b = slurp(f, &n);
	uint32_t types[8];
	cr_assert_eq(walk(b, n, types, 8), 4);
	cr_assert_eq(types[2], 6u);
	const uint8_t *epb = b + u32(b + 4);
	epb += u32(epb + 4);
	cr_assert_eq(u32(epb + 8), (uint32_t)ifc);
	uint64_t ts = ((uint64_t)u32(epb + 12) << 32) | u32(epb + 16);
	cr_assert_eq(ts, 1795320206372836123ull);
	cr_assert_eq(u32(epb + 20), sizeof(data));
	cr_assert_eq(u32(epb + 24), 1514u);
	cr_assert_eq(memcmp(epb + 28, data, sizeof(data)), 0);
	size_t opts = 28 + ((sizeof(data) + 3) & ~3u);
	cr_assert_eq(epb[28 + sizeof(data)], 0, "padding is zero");
	const uint8_t *v;
	uint16_t vl;
	cr_assert_eq(find_option(epb, opts, 1, &v, &vl), 2, "two opt_comment");
	cr_assert_eq(vl, strlen(comments[0]));
	cr_assert_eq(memcmp(v, comments[0], vl), 0);
	cr_assert_eq(find_option(epb, opts, 2, &v, &vl), 1);
	cr_assert_eq(vl, 4);
	cr_assert_eq(u32(v), (1u << 1) | (1u << 9) | (1u << 11));
	cr_assert_eq(find_option(epb, opts, 5, &v, &vl), 1);
	uint64_t id;
	memcpy(&id, v, 8);
	cr_assert_eq(id, 42u);
	const uint8_t *epb2 = epb + u32(epb + 4);
	cr_assert_eq(u32(epb2 + 4), 28u + 4 + 4, "no options: no end-of-options either");
	free(b);
	fclose(f);
}

/* libpcap reads it back: bytes, lengths, nanosecond stamps. (libpcap takes
 * one link type per file and frames up to 262144 bytes: several interfaces
 * and larger blocks are checked block by block in the other tests.) */
Test(pcapng_writer, libpcap_reads_it)
{
	char path[] = "/tmp/tcplens_pcapng_XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	struct pcapng_writer *w = pcapng_writer_new(fd, "t");
	static uint8_t big[200000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	const char *c1[] = {"x"};
	for (int i = 0; i < 1000; i++) {
		int lt = DLT_EN10MB;
		uint32_t len = i == 500 ? sizeof(big) : (uint32_t)(60 + i % 17);
		struct pcapng_packet p = {
			.iface = (uint32_t)pcapng_writer_interface(w, lt),
			.ts_ns = 1700000000000000000ull + (uint64_t)i * 1000003ull,
			.caplen = len,
			.wirelen = len + (i % 5),
			.data = big,
			.comments = c1,
			.ncomments = i % 2,
		};
		cr_assert_eq(pcapng_writer_packet(w, &p), 0);
	}
	cr_assert_eq(pcapng_writer_close(w), 0);
	close(fd);
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	cr_assert_not_null(pc, "%s", err);
	struct pcap_pkthdr *h;
	const u_char *d;
	int i = 0, rc;
	while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
		uint32_t len = i == 500 ? sizeof(big) : (uint32_t)(60 + i % 17);
		uint64_t ts = 1700000000000000000ull + (uint64_t)i * 1000003ull;
		cr_assert_eq(h->caplen, len, "frame %d", i + 1);
		cr_assert_eq(h->len, len + (i % 5));
		cr_assert_eq((uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec, ts);
		cr_assert_eq(memcmp(d, big, len), 0);
		i++;
	}
	cr_assert_eq(rc, -2, "clean end of file: %s", pcap_geterr(pc));
	cr_assert_eq(i, 1000);
	pcap_close(pc);
	unlink(path);
}

Test(pcapng_writer, write_error_is_reported)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	close(fds[0]); /* writing to a pipe without reader: EPIPE */
	signal(SIGPIPE, SIG_IGN);
	struct pcapng_writer *w = pcapng_writer_new(fds[1], "t");
	pcapng_writer_interface(w, DLT_EN10MB);
	cr_assert_eq(pcapng_writer_flush(w), -1);
	cr_assert_neq(pcapng_writer_error(w), 0);
	cr_assert_eq(pcapng_writer_close(w), -1);
	close(fds[1]);
}

/* A block larger than the writer's buffer is written alone, whole, in order
 * with the blocks buffered before it. */
Test(pcapng_writer, block_larger_than_buffer)
{
	FILE *f = tmpfile();
	struct pcapng_writer *w = pcapng_writer_new(fileno(f), "t");
	static uint8_t big[600001];
	memset(big, 0xab, sizeof(big));
	int ifc = pcapng_writer_interface(w, DLT_EN10MB);
	uint32_t sizes[] = {60, sizeof(big), 61, 100000, 200000};
	for (size_t i = 0; i < 5; i++) {
		struct pcapng_packet p = {.iface = (uint32_t)ifc, .ts_ns = i, .caplen = sizes[i],
					  .wirelen = sizes[i], .data = big};
		cr_assert_eq(pcapng_writer_packet(w, &p), 0);
	}
	cr_assert_eq(pcapng_writer_close(w), 0);
	size_t n;
	uint8_t *b = slurp(f, &n);
	uint32_t types[8];
	cr_assert_eq(walk(b, n, types, 8), 7);
	size_t off = u32(b + 4);
	off += u32(b + off + 4);
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(types[2 + i], 6u);
		cr_assert_eq(u32(b + off + 20), sizes[i], "packet %zu in order", i);
		uint64_t ts = ((uint64_t)u32(b + off + 12) << 32) | u32(b + off + 16);
		cr_assert_eq(ts, i);
		off += u32(b + off + 4);
	}
	free(b);
	fclose(f);
}
