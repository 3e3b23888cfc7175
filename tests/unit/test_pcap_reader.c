/*
 * tests/unit/test_pcap_reader.c — capture/pcap_reader.h against libpcap
 * itself: files written here (both byte orders, microsecond and nanosecond
 * stamps, odd timestamps, a record over the snapshot length, a cut last
 * record, records across the buffer's blocks), then every record the
 * reader hands out compared with what pcap_next_ex gives for the same
 * record, and libpcap, seeked to where the reader stopped, reads exactly
 * the records that are left. Kept records stay intact until released, and
 * the reader stops (-1) rather than overwrite one.
 */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/pcap_reader.h"

struct spec {
	bool swapped, nsec;
	int linktype;
	uint32_t snaplen;
	uint16_t minor;
};

static void put32(FILE *f, uint32_t v, bool swapped)
{
	if (swapped)
		v = __builtin_bswap32(v);
	fwrite(&v, 4, 1, f);
}

static void put16(FILE *f, uint16_t v, bool swapped)
{
	if (swapped)
		v = __builtin_bswap16(v);
	fwrite(&v, 2, 1, f);
}

static void record(FILE *f, const struct spec *s, uint32_t sec, uint32_t frac, uint32_t caplen,
		   uint32_t len, uint32_t write_bytes)
{
	put32(f, sec, s->swapped);
	put32(f, frac, s->swapped);
	put32(f, caplen, s->swapped);
	put32(f, len, s->swapped);
	for (uint32_t i = 0; i < write_bytes; i++)
		fputc((int)((i * 7 + caplen) & 0xff), f);
}

/* A file of n_plain plain records, then (big) one over the snapshot
 * length, then (cut) a record whose bytes stop short. */
static char *write_file(const struct spec *s, int n_plain, bool big, bool cut)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/tcplens-test-pcap-reader-%d.pcap", (int)getpid());
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	put32(f, s->nsec ? 0xa1b23c4d : 0xa1b2c3d4, s->swapped);
	put16(f, 2, s->swapped);
	put16(f, s->minor, s->swapped);
	put32(f, 0, s->swapped);
	put32(f, 0, s->swapped);
	put32(f, s->snaplen, s->swapped);
	put32(f, (uint32_t)s->linktype, s->swapped);
	for (int i = 0; i < n_plain; i++) {
		/* odd stamps too: a negative 32-bit second, a fraction past a second */
		uint32_t sec = i == 3 ? 0x80000001u : 1700000000u + (uint32_t)i;
		uint32_t frac = i == 4 ? 0xfffffff0u : (uint32_t)i * 1234u;
		uint32_t caplen = 40u + (uint32_t)(i * 37 % 1400);
		record(f, s, sec, frac, caplen, caplen + (uint32_t)(i % 3), caplen);
	}
	if (big)
		record(f, s, 1700000100u, 5, s->snaplen + 10, s->snaplen + 10, s->snaplen + 10);
	if (big)
		record(f, s, 1700000101u, 6, 60, 60, 60);
	if (cut)
		record(f, s, 1700000102u, 7, 100, 100, 30);
	fclose(f);
	return path;
}

/* The reader's records, then libpcap's from where it stopped, against
 * libpcap reading the whole file. */
static void check(const struct spec *s, int n_plain, bool big, bool cut, int expect_taken)
{
	char *path = write_file(s, n_plain, big, cut);
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *ref = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	cr_assert(ref, "%s", err);
	FILE *fp = fopen(path, "rb");
	pcap_t *lp = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err);
	cr_assert(lp, "%s", err);
	struct pcap_reader m;
	int rc = pcap_reader_open(&m, fileno(fp), (uint64_t)ftello(fp), pcap_datalink(lp),
				  pcap_snapshot(lp));
	int taken = 0;
	struct pcap_reader_rec r;
	struct pcap_pkthdr *h;
	const u_char *d;
	if (rc == 0) {
		while (pcap_reader_next(&m, &r) == 1) {
			cr_assert_eq(pcap_next_ex(ref, &h, &d), 1);
			uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
			cr_assert_eq(r.ts_ns, ts, "record %d: %llu != %llu", taken,
				     (unsigned long long)r.ts_ns, (unsigned long long)ts);
			cr_assert_eq(r.caplen, h->caplen);
			cr_assert_eq(r.wirelen, h->len);
			cr_assert_eq(memcmp(r.data, d, r.caplen), 0);
			taken++;
		}
		cr_assert_eq(fseeko(fp, (off_t)m.off, SEEK_SET), 0);
	}
	cr_assert_eq(taken, expect_taken, "the reader took %d records, expected %d", taken, expect_taken);
	/* libpcap goes on: the same records and the same end as the reference */
	for (;;) {
		struct pcap_pkthdr *h2;
		const u_char *d2;
		int a = pcap_next_ex(ref, &h, &d), b = pcap_next_ex(lp, &h2, &d2);
		cr_assert_eq(a, b);
		if (a != 1) {
			if (a == PCAP_ERROR)
				cr_assert_str_eq(pcap_geterr(ref), pcap_geterr(lp));
			break;
		}
		cr_assert_eq(h->caplen, h2->caplen);
		cr_assert_eq(h->ts.tv_usec, h2->ts.tv_usec);
		cr_assert_eq(memcmp(d, d2, h->caplen), 0);
	}
	pcap_reader_close(&m);
	pcap_close(lp);
	pcap_close(ref);
	unlink(path);
}

Test(pcap_reader, every_record_as_libpcap_gives_it)
{
	for (int sw = 0; sw < 2; sw++)
		for (int ns = 0; ns < 2; ns++) {
			struct spec s = {.swapped = sw, .nsec = ns, .linktype = DLT_EN10MB,
					 .snaplen = 262144, .minor = 4};
			check(&s, 50, false, false, 50);
		}
}

Test(pcap_reader, hands_over_at_a_record_over_the_snapshot_length)
{
	struct spec s = {.linktype = DLT_EN10MB, .snaplen = 1500, .minor = 4};
	check(&s, 20, true, false, 20);
}

Test(pcap_reader, hands_over_at_a_cut_record)
{
	struct spec s = {.linktype = DLT_RAW, .snaplen = 262144, .minor = 4, .swapped = true};
	check(&s, 10, false, true, 10);
}

Test(pcap_reader, leaves_old_versions_and_other_link_types_to_libpcap)
{
	struct spec old = {.linktype = DLT_EN10MB, .snaplen = 65535, .minor = 3};
	check(&old, 5, false, false, 0);
	struct spec usb = {.linktype = DLT_USB_LINUX, .snaplen = 65535, .minor = 4, .swapped = true};
	check(&usb, 5, false, false, 0);
}

Test(pcap_reader, records_across_its_blocks)
{
	/* ~3.6 MB of records of 40-1439 bytes: every block boundary cuts one */
	struct spec s = {.linktype = DLT_EN10MB, .snaplen = 262144, .minor = 4};
	check(&s, 5000, false, true, 5000);
}

/* Records of caplen(i) bytes, each filled from its number, i = 0..n-1. */
static uint32_t caplen_of(int i, uint32_t big)
{
	return i % 7 == 3 ? big : 60u + (uint32_t)(i * 131 % 1400);
}

static char *write_sizes(int n, uint32_t big)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/tcplens-test-pcap-reader-k%d.pcap", (int)getpid());
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	struct spec s = {.linktype = DLT_EN10MB, .snaplen = 262144, .minor = 4};
	put32(f, 0xa1b2c3d4, false);
	put16(f, 2, false);
	put16(f, 4, false);
	put32(f, 0, false);
	put32(f, 0, false);
	put32(f, s.snaplen, false);
	put32(f, DLT_EN10MB, false);
	for (int i = 0; i < n; i++) {
		uint32_t c = caplen_of(i, big);
		put32(f, 1700000000u, false);
		put32(f, (uint32_t)i, false);
		put32(f, c, false);
		put32(f, c, false);
		for (uint32_t k = 0; k < c; k++)
			fputc((int)((k + (uint32_t)i * 13) & 0xff), f);
	}
	fclose(f);
	return path;
}

static bool intact(const struct pcap_reader_rec *r, int i, uint32_t big)
{
	if (r->caplen != caplen_of(i, big) || r->ts_ns != (uint64_t)1700000000 * 1000000000ull +
							     (uint64_t)i * 1000u)
		return false;
	for (uint32_t k = 0; k < r->caplen; k++)
		if (r->data[k] != (uint8_t)((k + (uint32_t)i * 13) & 0xff))
			return false;
	return true;
}

/* Kept records: held ones are never overwritten, the reader says -1 when
 * the held ones fill every other block, and goes on once they are
 * released; every record arrives whole and in order. */
static void check_kept(uint32_t big, int n, int hold)
{
	char *path = write_sizes(n, big);
	FILE *fp = fopen(path, "rb");
	cr_assert(fp);
	struct pcap_reader m;
	cr_assert_eq(pcap_reader_open(&m, fileno(fp), 24, DLT_EN10MB, 262144), 0);
	pcap_reader_keep(&m);
	static struct pcap_reader_rec held[20000];
	static uint64_t after[20000];
	int got = 0, nheld = 0, blocked = 0;
	for (;;) {
		struct pcap_reader_rec r;
		int rc = pcap_reader_next(&m, &r);
		if (rc == 0)
			break;
		if (rc < 0) {
			/* the held records fill the other blocks: bytes held are
			 * more than all the blocks but two (the partial ones) */
			uint64_t bytes = after[nheld - 1] - (after[0] - 16 - held[0].caplen);
			cr_assert_gt(bytes, (uint64_t)(PCAP_READER_BLOCKS - 2) * PCAP_READER_BLOCK,
				     "blocked with only %llu bytes held", (unsigned long long)bytes);
			blocked++;
			for (int i = 0; i < nheld; i++)
				cr_assert(intact(&held[i], got - nheld + i, big), "held record %d changed",
					  got - nheld + i);
			pcap_reader_release(&m, after[nheld - 1]);
			nheld = 0;
			continue;
		}
		cr_assert(intact(&r, got, big), "record %d", got);
		cr_assert_lt(nheld, 20000);
		held[nheld] = r;
		after[nheld++] = m.off;
		got++;
		if (nheld == hold) { /* the consumer gives the oldest half back */
			for (int i = 0; i < nheld; i++)
				cr_assert(intact(&held[i], got - nheld + i, big));
			int k = hold / 2;
			pcap_reader_release(&m, after[k - 1]);
			memmove(held, held + k, (size_t)(nheld - k) * sizeof(held[0]));
			memmove(after, after + k, (size_t)(nheld - k) * sizeof(after[0]));
			nheld -= k;
		}
	}
	cr_assert_eq(got, n, "read %d of %d records", got, n);
	cr_assert_eq(fseeko(fp, 0, SEEK_END), 0);
	cr_assert_eq(m.off, (uint64_t)ftello(fp), "stopped at %llu, not at the end",
		     (unsigned long long)m.off);
	if (hold >= 20000)
		cr_assert_gt(blocked, 0, "never blocked holding everything");
	else
		cr_assert_eq(blocked, 0, "blocked though few records were held");
	pcap_reader_close(&m);
	fclose(fp);
	unlink(path);
}

Test(pcap_reader, kept_records_stay_whole_until_released)
{
	check_kept(1400, 6000, 64);     /* a batch's worth held at a time */
	check_kept(200000, 600, 8);     /* records near a block's size */
	check_kept(1400, 6000, 20000);  /* released only when it stops: it must */
	check_kept(250000, 300, 20000);
}
