/*
 * capture/pcap_reader.c — see pcap_reader.h. Why by hand: libpcap reads a
 * savefile through stdio only (two fread calls a record, stdio's copy,
 * then libpcap's copy into its own buffer): a quarter of a one-thread
 * analysis of small frames. The record layout is the savefile's,
 * pcap-savefile(5); the arithmetic on each field is libpcap's sf-pcap.c,
 * so a frame read here is the frame libpcap gives.
 */
#include "pcap_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define MAX_SNAPLEN 262144u      /* libpcap's bound for the link types taken here */
#define REC_HDR 16u

_Static_assert(PCAP_READER_BLOCK >= REC_HDR + MAX_SNAPLEN, "a block holds any record");
_Static_assert(PCAP_READER_BLOCKS >= 2, "a kept block and one to read into");

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

int pcap_reader_open(struct pcap_reader *m, int fd, uint64_t off, int linktype, int snapshot)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	/* libpcap rewrites the pseudo-headers of a few link types in a
	 * byte-swapped file (USB, NFLOG, SLL's CAN...): only link types whose
	 * bytes it hands out as they are. */
	if (linktype != DLT_EN10MB && linktype != DLT_RAW && linktype != DLT_IPV4 &&
	    linktype != DLT_IPV6)
		return -1;
	struct stat st;
	uint8_t hdr[8];
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || off < 24 ||
	    pread(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		return -1;
	uint32_t magic;
	memcpy(&magic, hdr, 4);
	bool swapped = magic == __builtin_bswap32(MAGIC_USEC) || magic == __builtin_bswap32(MAGIC_NSEC);
	uint32_t host = swapped ? __builtin_bswap32(magic) : magic;
	/* Version 2.4 and up: caplen and len in their places (libpcap swaps
	 * them, or may, in older files). */
	if ((host != MAGIC_USEC && host != MAGIC_NSEC) || rd16(hdr + 4, swapped) != 2 ||
	    rd16(hdr + 6, swapped) < 4)
		return -1;
	/* Pages are touched as blocks come into use: one-thread reading uses
	 * two of them, reading ahead on a second thread all. */
	m->buf = malloc((size_t)PCAP_READER_BLOCKS * PCAP_READER_BLOCK);
	if (!m->buf)
		return -1;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL); /* a larger kernel read-ahead */
	m->fd = fd;
	m->off = m->read_off = off;
	m->swapped = swapped;
	m->usec = host == MAGIC_USEC;
	m->caplen_max = snapshot > 0 && (uint32_t)snapshot < MAX_SNAPLEN ? (uint32_t)snapshot
									   : MAX_SNAPLEN;
	return 0;
}

/* A free block other than cur (the lowest: one-thread reading keeps to
 * two), or -1. */
static int free_block(const struct pcap_reader *m)
{
	uint64_t released = __atomic_load_n(&m->released, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < PCAP_READER_BLOCKS; i++)
		if (i != m->cur && m->block_end[i] <= released)
			return (int)i;
	return -1;
}

/* Make room for need bytes from pos, then read on: 1 read something, 0 at
 * the end of the file (or an error: libpcap's to meet and report), -1
 * every other block held. */
static int refill(struct pcap_reader *m, size_t need)
{
	uint8_t *blk = m->buf + (size_t)m->cur * PCAP_READER_BLOCK;
	size_t tail = m->len - m->pos; /* a record's first bytes */
	if (m->pos + need > PCAP_READER_BLOCK) {
		/* The record does not fit behind its first bytes: move them
		 * to the start of this block, or, when records handed out from
		 * it may still be in use, of another one. */
		if (m->keep) {
			int b = free_block(m);
			if (b < 0)
				return -1;
			m->cur = (unsigned)b;
			m->block_end[b] = m->off;
			uint8_t *to = m->buf + (size_t)b * PCAP_READER_BLOCK;
			memcpy(to, blk + m->pos, tail);
			blk = to;
		} else {
			memmove(blk, blk + m->pos, tail);
		}
		m->pos = 0;
		m->len = tail;
	}
	ssize_t got;
	do
		got = pread(m->fd, blk + m->len, PCAP_READER_BLOCK - m->len, (off_t)m->read_off);
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		m->eof = true;
		return 0;
	}
	m->len += (size_t)got;
	m->read_off += (uint64_t)got;
	return 1;
}

int pcap_reader_next(struct pcap_reader *m, struct pcap_reader_rec *r)
{
	if (!m->buf || m->done)
		return 0;
	for (;;) {
		size_t have = m->len - m->pos, need = REC_HDR;
		const uint8_t *h = m->buf + (size_t)m->cur * PCAP_READER_BLOCK + m->pos;
		if (have >= REC_HDR) {
			uint32_t caplen = rd32(h + 8, m->swapped);
			if (caplen > m->caplen_max)
				break; /* libpcap refuses or cuts it: its call */
			need = REC_HDR + caplen;
			if (need <= have) {
				/* As libpcap widens them (sf-pcap.c): the file's
				 * fields are bpf_int32, taken with their sign in the
				 * host's byte order and as unsigned through SWAPLONG
				 * in the other; a microsecond file's fraction times
				 * 1000 in 64 bits. unit_pcap_reader checks it
				 * against libpcap. */
				uint32_t s32 = rd32(h, m->swapped), f32 = rd32(h + 4, m->swapped);
				int64_t sec = m->swapped ? (int64_t)s32 : (int64_t)(int32_t)s32;
				int64_t frac = m->swapped ? (int64_t)f32 : (int64_t)(int32_t)f32;
				if (m->usec)
					frac *= 1000;
				r->ts_ns = (uint64_t)sec * 1000000000ull + (uint64_t)frac;
				r->caplen = caplen;
				r->wirelen = rd32(h + 12, m->swapped);
				r->data = h + REC_HDR;
				m->pos += need;
				m->off += need;
				m->block_end[m->cur] = m->off;
				return 1;
			}
		}
		if (m->eof)
			break; /* the end, or a record cut by it: libpcap's to read */
		int rc = refill(m, need);
		if (rc < 0)
			return -1;
	}
	m->done = true;
	return 0;
}

void pcap_reader_keep(struct pcap_reader *m)
{
	m->keep = true;
}

void pcap_reader_release(struct pcap_reader *m, uint64_t upto)
{
	if (upto > __atomic_load_n(&m->released, __ATOMIC_RELAXED))
		__atomic_store_n(&m->released, upto, __ATOMIC_RELEASE);
}

void pcap_reader_close(struct pcap_reader *m)
{
	free(m->buf);
	m->buf = NULL;
	m->fd = -1;
}
