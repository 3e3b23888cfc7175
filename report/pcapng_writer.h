/*
 * report/pcapng_writer.h — write a pcapng file block by block, with the
 * options libpcap cannot write: per-packet comments (opt_comment) and
 * epb_flags (direction, checksum and GSO bits). Used by the annotated
 * capture (-w, cli/annotate.c).
 *
 * Blocks (draft-ietf-opsawg-pcapng): one Section Header Block, an Interface
 * Description Block per link type (if_tsresol = 9: nanosecond timestamps),
 * Enhanced Packet Blocks. Numbers in host byte order (the SHB's byte-order
 * magic says which).
 *
 * Whole blocks only: each block is built in a buffer and the buffer is handed
 * to write(2) only at block boundaries, so a file cut by a signal or a full
 * disk ends after its last complete block, never inside one (with a SIGINT
 * handler installed: a fatal signal can cut a write(2) short at a page).
 */
#ifndef TCPLENS_PCAPNG_WRITER_H
#define TCPLENS_PCAPNG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* epb_flags bits (option 2, 32 bits) */
#define PCAPNG_EPB_DIR_IN 0x1u
#define PCAPNG_EPB_DIR_OUT 0x2u
#define PCAPNG_EPB_CSUM_NOT_READY (1u << 9)
#define PCAPNG_EPB_CSUM_VALID (1u << 10)
#define PCAPNG_EPB_TSO (1u << 11)

/* pcapng caps one option at 65535 bytes; longer comments are cut there. */
#define PCAPNG_MAX_OPTION 65532u

struct pcapng_packet {
	uint32_t iface;             /* from pcapng_writer_interface() */
	uint64_t ts_ns;             /* ns since the Unix epoch */
	uint32_t caplen, wirelen;
	const uint8_t *data;        /* caplen bytes */
	uint32_t flags;             /* epb_flags, written when has_flags */
	bool has_flags;
	uint64_t packet_id;         /* epb_packetid, written when has_packet_id */
	bool has_packet_id;
	const char *const *comments; /* UTF-8, one opt_comment each */
	size_t ncomments;
};

struct pcapng_writer;

/* Start a pcapng on fd (not closed by the writer) and write its section
 * header; appl names the writing program (shb_userappl), may be NULL.
 * NULL when out of memory. */
struct pcapng_writer *pcapng_writer_new(int fd, const char *appl);

/* Interface id for a link type (DLT_*), writing its description block the
 * first time. -1 on a write error (pcapng_writer_error says which). */
int pcapng_writer_interface(struct pcapng_writer *w, int linktype);

/* Append one packet. 0, or -1 on a write error. */
int pcapng_writer_packet(struct pcapng_writer *w, const struct pcapng_packet *p);

/* Hand the buffered blocks to the file. 0, or -1 on a write error. */
int pcapng_writer_flush(struct pcapng_writer *w);

/* The errno of the first write error, 0 if none. */
int pcapng_writer_error(const struct pcapng_writer *w);

/* Flush and free. 0, or -1 if a write failed at any point. */
int pcapng_writer_close(struct pcapng_writer *w);

#endif
