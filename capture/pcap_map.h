/*
 * capture/pcap_map.h — the records of a pcap file read straight from a
 * read-only mapping of it: no copy from the page cache, no stdio, one bounds
 * check per record. src_file.c uses it for a regular file it has opened
 * with libpcap, from where libpcap's header parsing left off, and hands back
 * to libpcap (seeking its stream to the record) at the first record that
 * libpcap might treat as anything but plain: one that does not fit in what
 * was mapped (the end of the file, a cut record, a file still growing),
 * one longer than the snapshot length or than libpcap's sanity bound, and
 * every record of a file this module does not take at all (pcap_map_open
 * says which). So frames, their numbers and every error message stay
 * libpcap's, and a damaged file is read exactly as before. A record's bytes
 * are lent until the next call (pages behind it leave the mapping every
 * 256 KiB, so the resident size does not grow with the file).
 */
#ifndef TCPLENS_PCAP_MAP_H
#define TCPLENS_PCAP_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcap_map {
	const uint8_t *base;   /* the mapping, NULL when not in use */
	size_t size;           /* bytes mapped (the file's size at open) */
	size_t off;            /* the next record's offset */
	bool swapped;          /* written in the other byte order */
	bool usec;             /* microsecond timestamps (scaled to ns) */
	uint32_t caplen_max;   /* larger records go to libpcap */
	bool done;             /* libpcap has taken over at off */
	size_t dropped;        /* pages below this are out of the mapping again */
	bool keep;             /* records stay mapped until pcap_map_release */
	size_t page;
};

/* One record as libpcap would hand it out with nanosecond timestamps. */
struct pcap_map_rec {
	uint64_t ts_ns;        /* tv_sec * 1e9 + tv_nsec, with libpcap's arithmetic */
	uint32_t caplen, wirelen;
	const uint8_t *data;   /* in the mapping: valid until the next call */
};

/*
 * Map the pcap file open on fd for reading from offset off (just past the
 * file header), for link type linktype and libpcap's snapshot length
 * snapshot. Returns 0, or -1 when the file is not one this module takes
 * (not a regular file, another magic or version, a link type whose
 * pseudo-header libpcap rewrites in a byte-swapped file): libpcap reads it
 * all.
 */
int pcap_map_open(struct pcap_map *m, int fd, size_t off, int linktype, int snapshot);

/* The next record: 1 with *r filled, 0 when libpcap must take over at
 * m->off (and from then on). */
int pcap_map_next(struct pcap_map *m, struct pcap_map_rec *r);

/* From now on a record's bytes stay valid until pcap_map_release(m, upto)
 * with upto past it (an m->off read after the record was handed out):
 * every record before upto is done with, its pages go. Release touches
 * only what next does not (dropped), so the reader and the releaser may be
 * two threads, releases in order. */
void pcap_map_keep(struct pcap_map *m);
void pcap_map_release(struct pcap_map *m, size_t upto);

void pcap_map_close(struct pcap_map *m);

#endif
