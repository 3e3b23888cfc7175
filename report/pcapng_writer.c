/*
 * report/pcapng_writer.c — see pcapng_writer.h.
 *
 * A block is assembled at the end of the output buffer (flushed first when
 * it would not fit), so the buffer always holds whole blocks; a block larger
 * than the buffer is built in its own allocation and written alone.
 */
#include "pcapng_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_TSRESOL 9
#define OPT_EPB_FLAGS 2
#define OPT_EPB_PACKETID 5

#define WBUF_SIZE (1u << 18)
#define MAX_IFACES 256

struct pcapng_writer {
	int fd;
	int err;                 /* first errno */
	uint64_t written;
	int linktype[MAX_IFACES];
	int nifaces;
	size_t len;              /* whole blocks waiting in buf */
	uint8_t buf[WBUF_SIZE];
};

/* A block under construction. */
struct blk {
	uint8_t *p;
	size_t len, cap;
};

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void put_bytes(struct blk *b, const void *v, size_t n)
{
	if (!n)
		return;
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

static void put32(struct blk *b, uint32_t v)
{
	put_bytes(b, &v, 4);
}

static void put16(struct blk *b, uint16_t v)
{
	put_bytes(b, &v, 2);
}

static void put_zeros(struct blk *b, size_t n)
{
	memset(b->p + b->len, 0, n);
	b->len += n;
}

static void put_option(struct blk *b, uint16_t code, const void *v, size_t n)
{
	put16(b, code);
	put16(b, (uint16_t)n);
	put_bytes(b, v, n);
	put_zeros(b, pad4(n) - n);
}

static size_t option_size(size_t n)
{
	return 4 + pad4(n);
}

static int write_all(struct pcapng_writer *w, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (!w->err)
				w->err = errno;
			return -1;
		}
		p += k;
		n -= (size_t)k;
		w->written += (uint64_t)k;
	}
	return 0;
}

int pcapng_writer_flush(struct pcapng_writer *w)
{
	if (w->err)
		return -1;
	int rc = write_all(w, w->buf, w->len);
	w->len = 0;
	return rc;
}

/* Room for a block of size bytes: in the buffer, or a heap block. */
static int blk_begin(struct pcapng_writer *w, struct blk *b, size_t size, uint32_t type)
{
	if (w->err)
		return -1;
	if (size > WBUF_SIZE) {
		if (pcapng_writer_flush(w) < 0)
			return -1;
		b->p = malloc(size);
		if (!b->p) {
			w->err = ENOMEM;
			return -1;
		}
	} else {
		if (w->len + size > WBUF_SIZE && pcapng_writer_flush(w) < 0)
			return -1;
		b->p = w->buf + w->len;
	}
	b->len = 0;
	b->cap = size;
	put32(b, type);
	put32(b, (uint32_t)size);
	return 0;
}

static int blk_end(struct pcapng_writer *w, struct blk *b)
{
	put32(b, (uint32_t)b->cap);
	if (b->len != b->cap) /* a size computed wrong: never write a torn block */
		abort();
	if (b->p >= w->buf && b->p < w->buf + WBUF_SIZE) {
		w->len += b->len;
		return 0;
	}
	int rc = write_all(w, b->p, b->len);
	free(b->p);
	return rc;
}

struct pcapng_writer *pcapng_writer_new(int fd, const char *appl)
{
	struct pcapng_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = fd;
	size_t alen = appl ? strlen(appl) : 0;
	if (alen > 256)
		alen = 256;
	size_t size = 24 + (alen ? option_size(alen) : 0) + 4 + 4;
	struct blk b;
	if (blk_begin(w, &b, size, BT_SHB) == 0) {
		put32(&b, BYTE_ORDER_MAGIC);
		put16(&b, 1);            /* major */
		put16(&b, 0);            /* minor */
		put32(&b, 0xffffffffu);  /* section length: unknown (-1) */
		put32(&b, 0xffffffffu);
		if (alen)
			put_option(&b, OPT_SHB_USERAPPL, appl, alen);
		put_option(&b, OPT_ENDOFOPT, NULL, 0);
		blk_end(w, &b);
	}
	return w;
}

int pcapng_writer_interface(struct pcapng_writer *w, int linktype)
{
	for (int i = 0; i < w->nifaces; i++)
		if (w->linktype[i] == linktype)
			return i;
	if (w->nifaces == MAX_IFACES) {
		w->err = w->err ? w->err : EOVERFLOW;
		return -1;
	}
	uint8_t resol = 9; /* 10^-9 s */
	size_t size = 16 + option_size(1) + 4 + 4;
	struct blk b;
	if (blk_begin(w, &b, size, BT_IDB) < 0)
		return -1;
	put16(&b, (uint16_t)linktype);
	put16(&b, 0);
	put32(&b, 0); /* snaplen: no limit */
	put_option(&b, OPT_IF_TSRESOL, &resol, 1);
	put_option(&b, OPT_ENDOFOPT, NULL, 0);
	if (blk_end(w, &b) < 0)
		return -1;
	w->linktype[w->nifaces] = linktype;
	return w->nifaces++;
}

int pcapng_writer_packet(struct pcapng_writer *w, const struct pcapng_packet *p)
{
	size_t opts = 0;
	for (size_t i = 0; i < p->ncomments; i++) {
		size_t n = strlen(p->comments[i]);
		opts += option_size(n > PCAPNG_MAX_OPTION ? PCAPNG_MAX_OPTION : n);
	}
	if (p->has_flags)
		opts += option_size(4);
	if (p->has_packet_id)
		opts += option_size(8);
	if (opts)
		opts += 4;
	size_t size = 28 + pad4(p->caplen) + opts + 4;
	struct blk b;
	if (blk_begin(w, &b, size, BT_EPB) < 0)
		return -1;
	put32(&b, p->iface);
	put32(&b, (uint32_t)(p->ts_ns >> 32));
	put32(&b, (uint32_t)p->ts_ns);
	put32(&b, p->caplen);
	put32(&b, p->wirelen);
	put_bytes(&b, p->data, p->caplen);
	put_zeros(&b, pad4(p->caplen) - p->caplen);
	for (size_t i = 0; i < p->ncomments; i++) {
		size_t n = strlen(p->comments[i]);
		put_option(&b, OPT_COMMENT, p->comments[i], n > PCAPNG_MAX_OPTION ? PCAPNG_MAX_OPTION : n);
	}
	if (p->has_flags)
		put_option(&b, OPT_EPB_FLAGS, &p->flags, 4);
	if (p->has_packet_id)
		put_option(&b, OPT_EPB_PACKETID, &p->packet_id, 8);
	if (opts)
		put_option(&b, OPT_ENDOFOPT, NULL, 0);
	return blk_end(w, &b);
}

int pcapng_writer_error(const struct pcapng_writer *w)
{
	return w->err;
}

int pcapng_writer_close(struct pcapng_writer *w)
{
	if (!w)
		return 0;
	int rc = pcapng_writer_flush(w);
	if (w->err)
		rc = -1;
	free(w);
	return rc;
}
