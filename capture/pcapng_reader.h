/*
 * capture/pcapng_reader.h — pcapng files read block by block, for what
 * libpcap does not do: libpcap 1.10 refuses a file whose interfaces differ
 * in link type or snap length (dumpcap -i eth0 -i any writes one) and hands
 * out no packet's options. This reader keeps every interface's link type,
 * snap length, timestamp resolution and offset, and gives each packet its
 * interface and its epb_flags (bits 0-1 direction; 9, 10, 11 checksum not
 * ready, valid, TCP segmentation offloaded: draft-ietf-opsawg-pcapng
 * §4.3.1).
 *
 * Packets are the Enhanced, Simple and obsolete Packet Blocks, numbered
 * 1.. in file order as Wireshark numbers frames. Sections (a new Section
 * Header Block) reset the interfaces and may switch byte order. Other
 * blocks are skipped. It reads through a caller's stdio stream (a file or
 * a pipe) into one buffer that grows to the largest block seen, at most
 * PCAPNG_MAX_BLOCK: no allocation per packet.
 *
 * Whatever the bytes, it reads nothing outside a block it has read whole;
 * a block it cannot accept (an impossible length, a packet whose captured
 * length runs past its block or names an interface not described) is an
 * error with the frame number it would have had, as libpcap reports them.
 */
#ifndef TCPLENS_PCAPNG_READER_H
#define TCPLENS_PCAPNG_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPNG_MAX_BLOCK (16u << 20)
#define PCAPNG_MAX_IFACES 4096

#define PCAPNG_FLAGS_DIR_MASK 0x3u
#define PCAPNG_FLAGS_DIR_IN 0x1u
#define PCAPNG_FLAGS_DIR_OUT 0x2u
#define PCAPNG_FLAGS_CSUM_NOT_READY (1u << 9)
#define PCAPNG_FLAGS_CSUM_VALID (1u << 10)
#define PCAPNG_FLAGS_TSO (1u << 11)

struct pcapng_iface {
	int linktype;
	uint32_t snaplen;
	bool tsresol_pow2;     /* if_tsresol's units: 2^-exp (else 10^-exp) seconds */
	uint8_t tsresol_exp;   /* 6 (microseconds) unless the block says otherwise */
	int64_t tsoffset_s;    /* if_tsoffset */
};

struct pcapng_packet {
	uint64_t ts_ns;
	uint32_t caplen, wirelen;
	uint32_t iface;
	uint32_t flags;        /* epb_flags, 0 when absent */
	const uint8_t *data;   /* caplen bytes, valid until the next read */
};

struct pcapng_reader {
	FILE *in;
	uint8_t *buf;          /* the block being read */
	uint32_t cap;
	bool big;              /* the section's byte order */
	struct pcapng_iface *ifaces;
	uint32_t nifaces, ifaces_cap;
	uint32_t ifaces_total; /* interfaces described over all sections */
	uint64_t packets;      /* packet blocks read */
	uint64_t offset;       /* bytes consumed */
};

/* Start reading in (positioned at a Section Header Block). false with a
 * message in err (errlen bytes) when it is not pcapng or cannot be read. */
bool pcapng_reader_open(struct pcapng_reader *r, FILE *in, char *err, size_t errlen);
/* The next packet: 1, 0 at the end of the file, -1 with a message in err. */
int pcapng_reader_next(struct pcapng_reader *r, struct pcapng_packet *p, char *err, size_t errlen);
/* The first interface described (the file's first link type), NULL before
 * any. */
const struct pcapng_iface *pcapng_reader_iface(const struct pcapng_reader *r, uint32_t i);
void pcapng_reader_close(struct pcapng_reader *r);

#endif
