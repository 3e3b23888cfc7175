/*
 * tests/unit/test_pcapng_reader.c — capture/pcapng_reader: each packet
 * block's interface, link type, length and epb_flags, in file order, in
 * either byte order, and an error (never a read outside a block) on
 * impossible framing. Files are built here block by block in a memfd.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <stdio.h>

#include "capture/pcapng_reader.h"

struct file {
	uint8_t b[1 << 16];
	size_t n;
	bool big;
};

static void put32(struct file *f, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		f->b[f->n++] = (uint8_t)(f->big ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(struct file *f, uint16_t v)
{
	f->b[f->n++] = (uint8_t)(f->big ? v >> 8 : v);
	f->b[f->n++] = (uint8_t)(f->big ? v : v >> 8);
}

static void shb(struct file *f, bool big)
{
	f->big = big;
	put32(f, 0x0A0D0D0A);
	put32(f, 28);
	put32(f, 0x1A2B3C4D);
	put16(f, 1);
	put16(f, 0);
	put32(f, 0xFFFFFFFF);
	put32(f, 0xFFFFFFFF);
	put32(f, 28);
}

static void idb_lt(struct file *f, uint16_t linktype)
{
	put32(f, 1);
	put32(f, 20);
	put16(f, linktype);
	put16(f, 0);
	put32(f, 65535);
	put32(f, 20);
}

static void idb(struct file *f)
{
	idb_lt(f, 1);
}

/* An EPB of caplen bytes; flags written as option 2 unless has is false, a
 * comment option before it when comment. */
static void epb(struct file *f, uint32_t caplen, bool has, uint32_t flags, bool comment)
{
	uint32_t data = (caplen + 3) & ~3u;
	uint32_t len = 28 + data + (comment ? 12 : 0) + (has ? 8 : 0) + 4 + 4;
	put32(f, 6);
	put32(f, len);
	put32(f, 0);
	put32(f, 0);
	put32(f, 1);
	put32(f, caplen);
	put32(f, caplen);
	memset(f->b + f->n, 0xAB, data);
	f->n += data;
	if (comment) {
		put16(f, 1);
		put16(f, 5);
		memcpy(f->b + f->n, "hello\0\0\0", 8);
		f->n += 8;
	}
	if (has) {
		put16(f, 2);
		put16(f, 4);
		put32(f, flags);
	}
	put16(f, 0);
	put16(f, 0);
	put32(f, len);
}

static FILE *to_file(const struct file *f)
{
	int fd = memfd_create("pcapng_reader", 0);
	cr_assert(fd >= 0);
	cr_assert_eq(pwrite(fd, f->b, f->n, 0), (ssize_t)f->n);
	FILE *fp = fdopen(fd, "rb");
	cr_assert(fp);
	return fp;
}

/* The next packet's epb_flags; -1 at the end, -2 on an error. */
static long next_flags(struct pcapng_reader *r, struct pcapng_packet *p)
{
	char err[200];
	int rc = pcapng_reader_next(r, p, err, sizeof(err));
	return rc > 0 ? (long)p->flags : rc == 0 ? -1 : -2;
}

Test(pcapng_reader, flags_in_order_both_byte_orders)
{
	for (int big = 0; big < 2; big++) {
		struct file f = {0};
		shb(&f, big);
		idb(&f);
		epb(&f, 60, true, 1, false);
		epb(&f, 61, true, 2 | (1u << 9), true);
		epb(&f, 62, false, 0, true);
		epb(&f, 1500, true, 1 | (1u << 10), false);
		FILE *fp = to_file(&f);
		struct pcapng_reader r;
		struct pcapng_packet p;
		char err[200];
		cr_assert(pcapng_reader_open(&r, fp, err, sizeof(err)), "%s", err);
		cr_expect_eq(next_flags(&r, &p), 1);
		cr_expect_eq(p.caplen, 60u);
		cr_expect_eq(p.data[0], 0xAB);
		cr_expect_eq(next_flags(&r, &p), 2 | (1u << 9));
		cr_expect_eq(next_flags(&r, &p), 0);
		cr_expect_eq(next_flags(&r, &p), 1 | (1u << 10));
		cr_expect_eq(p.caplen, 1500u);
		cr_expect_eq(next_flags(&r, &p), -1, "the end");
		pcapng_reader_close(&r);
		fclose(fp);
	}
}

/* dumpcap -i eth0 -i any: interfaces of different link types, which
 * libpcap refuses; a second section switching byte order resets them. */
Test(pcapng_reader, interfaces_of_different_link_types_and_sections)
{
	struct file f = {0};
	shb(&f, false);
	idb_lt(&f, 1);
	idb_lt(&f, 113);
	epb(&f, 40, true, 2, false);
	size_t at = f.n;
	epb(&f, 40, true, 1, false);
	f.n = at + 8;
	put32(&f, 1); /* the second packet is interface 1's */
	f.n = at + 28 + 40 + 8 + 4 + 4;
	shb(&f, true);
	idb_lt(&f, 276);
	epb(&f, 40, true, 1, false);
	FILE *fp = to_file(&f);
	struct pcapng_reader r;
	struct pcapng_packet p;
	char err[200];
	cr_assert(pcapng_reader_open(&r, fp, err, sizeof(err)), "%s", err);
	cr_expect_eq(next_flags(&r, &p), 2);
	cr_expect_eq(pcapng_reader_iface(&r, p.iface)->linktype, 1);
	cr_expect_eq(next_flags(&r, &p), 1);
	cr_expect_eq(p.iface, 1u);
	cr_expect_eq(pcapng_reader_iface(&r, p.iface)->linktype, 113);
	cr_expect_eq(next_flags(&r, &p), 1);
	cr_expect_eq(p.iface, 0u);
	cr_expect_eq(pcapng_reader_iface(&r, 0)->linktype, 276, "the second section's interface 0");
	pcapng_reader_close(&r);
	fclose(fp);
}

Test(pcapng_reader, not_pcapng_is_refused)
{
	struct file f = {0};
	put32(&f, 0xA1B2C3D4);
	for (int i = 0; i < 10; i++)
		put32(&f, 0);
	FILE *fp = to_file(&f);
	struct pcapng_reader r;
	char err[200];
	cr_expect(!pcapng_reader_open(&r, fp, err, sizeof(err)));
	fclose(fp);
}

/* Framing that cannot be: an error, no read outside the block. */
Test(pcapng_reader, bad_framing_is_an_error)
{
	static const uint32_t bad_len[] = {0, 8, 13, 0x7FFFFFFC, 0xFFFFFFFC};
	for (size_t k = 0; k < sizeof(bad_len) / sizeof(bad_len[0]); k++) {
		struct file f = {0};
		shb(&f, false);
		idb(&f);
		epb(&f, 40, true, 1, false);
		size_t at = f.n;
		epb(&f, 40, true, 2, false);
		epb(&f, 40, true, 1, false);
		f.n = at + 4; /* overwrite the second EPB's length */
		put32(&f, bad_len[k]);
		f.n = at + (28 + 40 + 8 + 4 + 4) * 2;
		FILE *fp = to_file(&f);
		struct pcapng_reader r;
		struct pcapng_packet p;
		char err[200];
		cr_assert(pcapng_reader_open(&r, fp, err, sizeof(err)));
		cr_expect_eq(next_flags(&r, &p), 1);
		cr_expect_eq(next_flags(&r, &p), -2, "length %u", bad_len[k]);
		pcapng_reader_close(&r);
		fclose(fp);
	}
}

Test(pcapng_reader, caplen_beyond_block_truncated_file_and_unknown_interface)
{
	struct file f = {0};
	shb(&f, false);
	idb(&f);
	size_t at = f.n;
	epb(&f, 40, true, 2, false);
	f.n = at + 20;
	put32(&f, 4000); /* captured length larger than the block */
	f.n = at + 28 + 40 + 8 + 4 + 4;
	FILE *fp = to_file(&f);
	struct pcapng_reader r;
	struct pcapng_packet p;
	char err[200];
	cr_assert(pcapng_reader_open(&r, fp, err, sizeof(err)));
	cr_expect_eq(next_flags(&r, &p), -2);
	pcapng_reader_close(&r);
	fclose(fp);

	struct file g = {0};
	shb(&g, false);
	idb(&g);
	epb(&g, 40, true, 1, false);
	g.n -= 10; /* the file ends inside the block */
	fp = to_file(&g);
	cr_assert(pcapng_reader_open(&r, fp, err, sizeof(err)));
	cr_expect_eq(next_flags(&r, &p), -2);
	pcapng_reader_close(&r);
	fclose(fp);

	struct file h = {0};
	shb(&h, false);
	idb(&h);
	at = h.n;
	epb(&h, 40, true, 1, false);
	h.n = at + 8;
	put32(&h, 3); /* interface 3: none described */
	h.n = at + 28 + 40 + 8 + 4 + 4;
	fp = to_file(&h);
	cr_assert(pcapng_reader_open(&r, fp, err, sizeof(err)));
	cr_expect_eq(next_flags(&r, &p), -2);
	pcapng_reader_close(&r);
	fclose(fp);
}

/* An option whose length runs past the options: no flags, no over-read,
 * the next packet read as usual. */
Test(pcapng_reader, option_overrun)
{
	struct file f = {0};
	shb(&f, false);
	idb(&f);
	size_t at = f.n;
	epb(&f, 40, true, 2, false);
	f.n = at + 28 + 40;
	put16(&f, 1);
	put16(&f, 0xFFF0);
	f.n = at + 28 + 40 + 8 + 4 + 4;
	epb(&f, 40, true, 1, false);
	FILE *fp = to_file(&f);
	struct pcapng_reader r;
	struct pcapng_packet p;
	char err[200];
	cr_assert(pcapng_reader_open(&r, fp, err, sizeof(err)));
	cr_expect_eq(next_flags(&r, &p), 0);
	cr_expect_eq(next_flags(&r, &p), 1);
	pcapng_reader_close(&r);
	fclose(fp);
}
