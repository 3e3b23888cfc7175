/*
 * capture/pcap_reader.h — the records of a regular pcap file, parsed in
 * place from the blocks read() puts in a buffer of this module's own: one
 * syscall per 512 KiB, no stdio, no copy into a per-record buffer, one
 * bounds check per record. src_file.c uses it for a regular file it has
 * opened with libpcap, from where libpcap's header parsing left off, and
 * hands back to libpcap (seeking its stream to the record) at the first
 * record that libpcap might treat as anything but plain: one cut short by
 * the end of the file (as it is when read), one longer than the snapshot
 * length or than libpcap's sanity bound, and every record of a file this
 * module does not take at all (pcap_reader_open says which). So frames,
 * their numbers and every error message stay libpcap's, and a damaged
 * file is read exactly as before.
 *
 * A record's bytes are lent until the next call; after pcap_reader_keep,
 * until pcap_reader_release says they are done with. The buffer is
 * PCAP_READER_BLOCKS blocks: a kept record holds its block, and when
 * every other block is held the reader says so (-1) instead of reading
 * on; the memory is bounded, whatever the consumer holds.
 *
 * Why read() and not a mapping of the file: on a guest whose page tables
 * the hypervisor shadows, each first touch of a mapped page costs more
 * than copying it (1 GB: read() into a reused 1 MiB buffer 0.06 s, a
 * mapping 0.10 s, a mapping with the pages behind dropped 0.20 s); a
 * reused buffer stays in the caches and costs the same everywhere.
 */
#ifndef TCPLENS_PCAP_READER_H
#define TCPLENS_PCAP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAP_READER_BLOCK (512u << 10) /* bytes per read; over libpcap's largest record */
#define PCAP_READER_BLOCKS 8u

struct pcap_reader {
	int fd;                /* read with pread only; buf NULL: not in use */
	uint8_t *buf;          /* PCAP_READER_BLOCKS blocks of PCAP_READER_BLOCK bytes */
	unsigned cur;          /* the block being parsed */
	size_t pos, len;       /* in it: the next record, the end of the bytes read */
	uint64_t off;          /* the next record's offset in the file */
	uint64_t read_off;     /* the file offset of cur's byte len (where to read on) */
	/* For each block, the file offset past the last record handed out
	 * from it: free again once every record before it is released. */
	uint64_t block_end[PCAP_READER_BLOCKS];
	uint64_t released;     /* kept records before this are done with (atomic) */
	bool swapped;          /* written in the other byte order */
	bool usec;             /* microsecond timestamps (scaled to ns) */
	bool eof;              /* read() said the file ends at read_off */
	bool done;             /* libpcap has taken over at off */
	bool keep;             /* records stay valid until released */
	uint32_t caplen_max;   /* larger records go to libpcap */
};

/* One record as libpcap would hand it out with nanosecond timestamps. */
struct pcap_reader_rec {
	uint64_t ts_ns;        /* tv_sec * 1e9 + tv_nsec, with libpcap's arithmetic */
	uint32_t caplen, wirelen;
	const uint8_t *data;   /* in the buffer: valid until the next call, or released */
};

/*
 * Read the pcap file open on fd from offset off (just past the file
 * header), for link type linktype and libpcap's snapshot length snapshot.
 * fd is read with pread only: its file position is libpcap's. Returns 0,
 * or -1 when the file is not one this module takes (not a regular file,
 * another magic or version, a link type whose pseudo-header libpcap
 * rewrites in a byte-swapped file): libpcap reads it all.
 */
int pcap_reader_open(struct pcap_reader *m, int fd, uint64_t off, int linktype, int snapshot);

/* The next record: 1 with *r filled; 0 when libpcap must take over at
 * m->off (and from then on); -1, only after pcap_reader_keep, when the
 * records handed out hold every other block: release some, then call
 * again. */
int pcap_reader_next(struct pcap_reader *m, struct pcap_reader_rec *r);

/* From now on a record's bytes stay valid until pcap_reader_release(m,
 * upto) with upto past it (an m->off read after the record was handed
 * out). Release writes only m->released (atomically), so the reader and
 * the releaser may be two threads, releases in order. */
void pcap_reader_keep(struct pcap_reader *m);
void pcap_reader_release(struct pcap_reader *m, uint64_t upto);

void pcap_reader_close(struct pcap_reader *m);

#endif
