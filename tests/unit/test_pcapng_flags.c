/*
 * tests/unit/test_pcapng_flags.c — capture/pcapng_flags: each packet
 * block's epb_flags, in file order, in either byte order, and a walk that
 * stops (0 from then on) on impossible framing instead of reading outside
 * the file. Files are built here block by block in a memfd.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/pcapng_flags.h"

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

static void idb(struct file *f)
{
	put32(f, 1);
	put32(f, 20);
	put16(f, 1);
	put16(f, 0);
	put32(f, 65535);
	put32(f, 20);
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

static int to_fd(const struct file *f)
{
	int fd = memfd_create("pcapng_flags", 0);
	cr_assert(fd >= 0);
	cr_assert_eq(pwrite(fd, f->b, f->n, 0), (ssize_t)f->n);
	return fd;
}

Test(pcapng_flags, flags_in_order_both_byte_orders)
{
	for (int big = 0; big < 2; big++) {
		struct file f = {0};
		shb(&f, big);
		idb(&f);
		epb(&f, 60, true, 1, false);
		epb(&f, 61, true, 2 | (1u << 9), true);
		epb(&f, 62, false, 0, true);
		epb(&f, 1500, true, 1 | (1u << 10), false);
		int fd = to_fd(&f);
		struct pcapng_flags w;
		cr_assert(pcapng_flags_open(&w, fd, 0));
		cr_expect_eq(pcapng_flags_next(&w), 1u);
		cr_expect_eq(pcapng_flags_next(&w), 2u | (1u << 9));
		cr_expect_eq(pcapng_flags_next(&w), 0u);
		cr_expect_eq(pcapng_flags_next(&w), 1u | (1u << 10));
		cr_expect_eq(pcapng_flags_next(&w), 0u, "past the last block");
		pcapng_flags_close(&w);
		close(fd);
	}
}

Test(pcapng_flags, second_section_switches_byte_order)
{
	struct file f = {0};
	shb(&f, false);
	idb(&f);
	epb(&f, 40, true, 2, false);
	shb(&f, true);
	idb(&f);
	epb(&f, 40, true, 1, false);
	int fd = to_fd(&f);
	struct pcapng_flags w;
	cr_assert(pcapng_flags_open(&w, fd, 0));
	cr_expect_eq(pcapng_flags_next(&w), 2u);
	cr_expect_eq(pcapng_flags_next(&w), 1u);
	pcapng_flags_close(&w);
	close(fd);
}

Test(pcapng_flags, not_pcapng_is_inactive)
{
	struct file f = {0};
	put32(&f, 0xA1B2C3D4);
	for (int i = 0; i < 10; i++)
		put32(&f, 0);
	int fd = to_fd(&f);
	struct pcapng_flags w;
	cr_assert(pcapng_flags_open(&w, fd, 0));
	cr_expect_eq(w.fd, -1);
	cr_expect_eq(pcapng_flags_next(&w), 0u);
	pcapng_flags_close(&w);
	close(fd);
}

/* Framing that cannot be: the walk stops, never reads past the file. */
Test(pcapng_flags, bad_framing_stops_the_walk)
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
		int fd = to_fd(&f);
		struct pcapng_flags w;
		cr_assert(pcapng_flags_open(&w, fd, 0));
		cr_expect_eq(pcapng_flags_next(&w), 1u);
		cr_expect_eq(pcapng_flags_next(&w), 0u, "length %u", bad_len[k]);
		cr_expect_eq(pcapng_flags_next(&w), 0u);
		pcapng_flags_close(&w);
		close(fd);
	}
}

Test(pcapng_flags, caplen_beyond_block_and_truncated_file)
{
	struct file f = {0};
	shb(&f, false);
	idb(&f);
	size_t at = f.n;
	epb(&f, 40, true, 2, false);
	f.n = at + 20;
	put32(&f, 4000); /* caplen larger than the block */
	f.n = at + 28 + 40 + 8 + 4 + 4;
	epb(&f, 40, true, 1, false);
	f.n -= 10; /* the file ends inside the last block */
	int fd = to_fd(&f);
	struct pcapng_flags w;
	cr_assert(pcapng_flags_open(&w, fd, 0));
	cr_expect_eq(pcapng_flags_next(&w), 0u);
	cr_expect_eq(pcapng_flags_next(&w), 0u);
	pcapng_flags_close(&w);
	close(fd);
}

/* An option whose length runs past the options: no flags, no over-read. */
Test(pcapng_flags, option_overrun)
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
	int fd = to_fd(&f);
	struct pcapng_flags w;
	cr_assert(pcapng_flags_open(&w, fd, 0));
	cr_expect_eq(pcapng_flags_next(&w), 0u);
	cr_expect_eq(pcapng_flags_next(&w), 1u, "the next block is read as usual");
	pcapng_flags_close(&w);
	close(fd);
}

/* A file that begins where a stream stood (standard input redirected from
 * the file after some bytes were consumed). */
Test(pcapng_flags, starts_at_an_offset)
{
	struct file f = {0};
	memset(f.b, 0x55, 100);
	f.n = 100;
	shb(&f, false);
	idb(&f);
	epb(&f, 10, true, 2, false);
	int fd = to_fd(&f);
	struct pcapng_flags w;
	cr_assert(pcapng_flags_open(&w, fd, 100));
	cr_expect_eq(pcapng_flags_next(&w), 2u);
	pcapng_flags_close(&w);
	close(fd);
}
