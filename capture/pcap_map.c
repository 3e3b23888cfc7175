/*
 * capture/pcap_map.c — see pcap_map.h. Why by hand: libpcap reads a savefile
 * through stdio only (two fread calls a record, the kernel's copy into the
 * page-cache-backed buffer, then libpcap's copy into its own): a quarter of
 * a one-thread analysis of small frames. The record layout is the
 * savefile's, pcap-savefile(5); the arithmetic on each field is libpcap's
 * sf-pcap.c, so a frame read here is the frame libpcap gives.
 */
#include "pcap_map.h"

#include <pcap/pcap.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define MAX_SNAPLEN 262144u      /* libpcap's bound for the link types taken here */
#define REC_HDR 16u
/* Pages read are dropped from the mapping every this many bytes: mapped
 * pages count in the process's resident size, which must not grow with
 * the capture (the page cache keeps them; MADV_DONTNEED on a private
 * read-only mapping only unmaps). */
#define DROP_STEP (256u << 10)

static uint32_t rd32(const uint8_t *p, bool swapped)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const uint8_t *p, bool swapped)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return swapped ? __builtin_bswap16(v) : v;
}

int pcap_map_open(struct pcap_map *m, int fd, size_t off, int linktype, int snapshot)
{
	memset(m, 0, sizeof(*m));
	/* libpcap rewrites the pseudo-headers of a few link types in a
	 * byte-swapped file (USB, NFLOG, SLL's CAN...): only link types whose
	 * bytes it hands out as they are. */
	if (linktype != DLT_EN10MB && linktype != DLT_RAW && linktype != DLT_IPV4 &&
	    linktype != DLT_IPV6)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < 24 ||
	    (uint64_t)st.st_size > SIZE_MAX || off < 24 || off > (size_t)st.st_size)
		return -1;
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	const uint8_t *b = p;
	uint32_t magic;
	memcpy(&magic, b, 4);
	bool swapped = magic == __builtin_bswap32(MAGIC_USEC) || magic == __builtin_bswap32(MAGIC_NSEC);
	uint32_t host = swapped ? __builtin_bswap32(magic) : magic;
	/* Version 2.4 and up: caplen and len in their places (libpcap swaps
	 * them, or may, in older files). */
	if ((host != MAGIC_USEC && host != MAGIC_NSEC) || rd16(b + 4, swapped) != 2 ||
	    rd16(b + 6, swapped) < 4) {
		munmap(p, (size_t)st.st_size);
		return -1;
	}
	madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	/* Page by page, not a 2 MiB page cache folio at once: each would sit
	 * whole in the resident size (4 MiB more on a bulk capture). */
	madvise(p, (size_t)st.st_size, MADV_NOHUGEPAGE);
	long page = sysconf(_SC_PAGESIZE);
	m->page = page > 0 ? (size_t)page : 4096;
	m->base = b;
	m->size = (size_t)st.st_size;
	m->off = off;
	m->swapped = swapped;
	m->usec = host == MAGIC_USEC;
	m->caplen_max = snapshot > 0 && (uint32_t)snapshot < MAX_SNAPLEN ? (uint32_t)snapshot
									   : MAX_SNAPLEN;
	return 0;
}

int pcap_map_next(struct pcap_map *m, struct pcap_map_rec *r)
{
	if (!m->base || m->done)
		return 0;
	if (!m->keep) /* every record before off was handed out, its callback over */
		pcap_map_release(m, m->off);
	size_t left = m->size - m->off;
	const uint8_t *h = m->base + m->off;
	if (left >= REC_HDR) {
		uint32_t caplen = rd32(h + 8, m->swapped);
		if (caplen <= m->caplen_max && caplen <= left - REC_HDR) {
			/* As libpcap widens them (sf-pcap.c): the file's fields
			 * are bpf_int32, taken with their sign in the host's byte
			 * order and as unsigned through SWAPLONG in the other; a
			 * microsecond file's fraction times 1000 in 64 bits.
			 * unit_pcap_map checks it against libpcap. */
			uint32_t s32 = rd32(h, m->swapped), f32 = rd32(h + 4, m->swapped);
			int64_t sec = m->swapped ? (int64_t)s32 : (int64_t)(int32_t)s32;
			int64_t frac = m->swapped ? (int64_t)f32 : (int64_t)(int32_t)f32;
			if (m->usec)
				frac *= 1000;
			r->ts_ns = (uint64_t)sec * 1000000000ull + (uint64_t)frac;
			r->caplen = caplen;
			r->wirelen = rd32(h + 12, m->swapped);
			r->data = h + REC_HDR;
			m->off += REC_HDR + caplen;
			return 1;
		}
	}
	/* The end, a cut record, or one libpcap refuses or cuts: its call. */
	m->done = true;
	return 0;
}

void pcap_map_keep(struct pcap_map *m)
{
	m->keep = true;
}

void pcap_map_release(struct pcap_map *m, size_t off)
{
	if (!m->base || off < m->dropped || off - m->dropped < DROP_STEP)
		return;
	size_t upto = off & ~(size_t)(m->page - 1);
	if (upto > m->dropped &&
	    madvise((void *)(m->base + m->dropped), upto - m->dropped, MADV_DONTNEED) == 0)
		m->dropped = upto;
}

void pcap_map_close(struct pcap_map *m)
{
	if (m->base)
		munmap((void *)m->base, m->size);
	m->base = NULL;
}
