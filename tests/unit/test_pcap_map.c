/*
 * tests/unit/test_pcap_map.c — capture/pcap_map.h against libpcap itself:
 * files written here (both byte orders, microsecond and nanosecond stamps,
 * odd timestamps, a record over the snapshot length, a cut last record),
 * then every record the mapping hands out compared with what
 * pcap_next_ex gives for the same record, and libpcap, seeked to where the
 * mapping stopped, reads exactly the records that are left.
 */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/pcap_map.h"

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
	snprintf(path, sizeof(path), "/tmp/tcplens-test-pcap-map-%d.pcap", (int)getpid());
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

/* The mapping's records, then libpcap's from where it stopped, against
 * libpcap reading the whole file. */
static void check(const struct spec *s, int n_plain, bool big, bool cut, int expect_mapped)
{
	char *path = write_file(s, n_plain, big, cut);
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *ref = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	cr_assert(ref, "%s", err);
	FILE *fp = fopen(path, "rb");
	pcap_t *lp = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err);
	cr_assert(lp, "%s", err);
	struct pcap_map m;
	int rc = pcap_map_open(&m, fileno(fp), (size_t)ftello(fp), pcap_datalink(lp),
			       pcap_snapshot(lp));
	int mapped = 0;
	struct pcap_map_rec r;
	struct pcap_pkthdr *h;
	const u_char *d;
	if (rc == 0) {
		while (pcap_map_next(&m, &r)) {
			cr_assert_eq(pcap_next_ex(ref, &h, &d), 1);
			uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
			cr_assert_eq(r.ts_ns, ts, "record %d: %llu != %llu", mapped,
				     (unsigned long long)r.ts_ns, (unsigned long long)ts);
			cr_assert_eq(r.caplen, h->caplen);
			cr_assert_eq(r.wirelen, h->len);
			cr_assert_eq(memcmp(r.data, d, r.caplen), 0);
			mapped++;
		}
		cr_assert_eq(fseeko(fp, (off_t)m.off, SEEK_SET), 0);
	}
	cr_assert_eq(mapped, expect_mapped, "mapped %d records, expected %d", mapped, expect_mapped);
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
	pcap_map_close(&m);
	pcap_close(lp);
	pcap_close(ref);
	unlink(path);
}

Test(pcap_map, every_record_as_libpcap_gives_it)
{
	for (int sw = 0; sw < 2; sw++)
		for (int ns = 0; ns < 2; ns++) {
			struct spec s = {.swapped = sw, .nsec = ns, .linktype = DLT_EN10MB,
					 .snaplen = 262144, .minor = 4};
			check(&s, 50, false, false, 50);
		}
}

Test(pcap_map, hands_over_at_a_record_over_the_snapshot_length)
{
	struct spec s = {.linktype = DLT_EN10MB, .snaplen = 1500, .minor = 4};
	check(&s, 20, true, false, 20);
}

Test(pcap_map, hands_over_at_a_cut_record)
{
	struct spec s = {.linktype = DLT_RAW, .snaplen = 262144, .minor = 4, .swapped = true};
	check(&s, 10, false, true, 10);
}

Test(pcap_map, leaves_old_versions_and_other_link_types_to_libpcap)
{
	struct spec old = {.linktype = DLT_EN10MB, .snaplen = 65535, .minor = 3};
	check(&old, 5, false, false, 0);
	struct spec usb = {.linktype = DLT_USB_LINUX, .snaplen = 65535, .minor = 4, .swapped = true};
	check(&usb, 5, false, false, 0);
}
