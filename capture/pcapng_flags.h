/*
 * capture/pcapng_flags.h — the epb_flags of each packet of a pcapng file,
 * read beside libpcap.
 *
 * libpcap reads pcapng but hands out no packet's options, and epb_flags
 * (option 2 of an Enhanced Packet Block) is where a capture says which way
 * a packet went (bits 0-1: 01 inbound, 10 outbound) and what the kernel
 * knew of its checksum (bit 9 not ready, 10 valid, 11 TCP segmentation
 * offloaded; draft-ietf-opsawg-pcapng §4.3.1). tcplens's own pcapng output
 * (-w, annotate) writes them from TPACKET_V3. So this walks the same file's
 * blocks a second time, in step with libpcap: libpcap returns one packet
 * for each Enhanced, Simple or obsolete Packet Block, in file order, and
 * pcapng_flags_next() is called once for each packet libpcap returned.
 *
 * Only a regular file can be read twice: the walk reads it with pread(2)
 * through a 1 MiB window (one syscall per MiB, none per packet). A pipe, or
 * a file that is not pcapng, has no flags: every packet gets 0. Whatever
 * the bytes, the walk never reads outside its window or the file: a block
 * whose length is impossible, or a file cut short, ends it (the packets
 * after get 0, and libpcap reports the damage itself).
 */
#ifndef TCPLENS_PCAPNG_FLAGS_H
#define TCPLENS_PCAPNG_FLAGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PCAPNG_FLAGS_DIR_MASK 0x3u
#define PCAPNG_FLAGS_DIR_IN 0x1u
#define PCAPNG_FLAGS_DIR_OUT 0x2u
#define PCAPNG_FLAGS_CSUM_NOT_READY (1u << 9)
#define PCAPNG_FLAGS_CSUM_VALID (1u << 10)
#define PCAPNG_FLAGS_TSO (1u << 11)

struct pcapng_flags {
	int fd;                 /* the file, read with pread; -1: inactive */
	off_t off;              /* file offset of the next block */
	uint8_t *win;           /* window: file bytes [win_off, win_off + win_len) */
	off_t win_off;
	size_t win_len;
	bool big;               /* the section's byte order */
	bool seen_any;          /* a packet block carried epb_flags */
};

/* Start the walk of fd (a regular file, read from offset start, not moved):
 * inactive unless it begins with a pcapng Section Header Block. false only
 * when out of memory. */
bool pcapng_flags_open(struct pcapng_flags *w, int fd, off_t start);
/* The epb_flags of the next packet block (0: none, or the walk ended). */
uint32_t pcapng_flags_next(struct pcapng_flags *w);
void pcapng_flags_close(struct pcapng_flags *w);

#endif
