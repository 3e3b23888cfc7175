/*
 * capture/pcapng_reader.c — see pcapng_reader.h. Hand-written because
 * libpcap refuses multi-interface files and keeps packet options to itself;
 * only the framing, the interface fields and epb_flags are read.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fread_unlocked */
#endif
#include "pcapng_reader.h"

#include <stdlib.h>
#include <string.h>
#include "common/units.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_PB 2u
#define BT_SPB 3u
#define BT_EPB 6u
#define OPT_END 0u
#define OPT_EPB_FLAGS 2u
#define OPT_IF_TSRESOL 9u
#define OPT_IF_TSOFFSET 14u

static uint32_t rd32(const struct pcapng_reader *r, const uint8_t *p)
{
	return r->big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		      : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const struct pcapng_reader *r, const uint8_t *p)
{
	return r->big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint64_t rd64(const struct pcapng_reader *r, const uint8_t *p)
{
	uint64_t a = rd32(r, p), b = rd32(r, p + 4);
	return r->big ? a << 32 | b : b << 32 | a;
}

/* Read n bytes into r->buf at off, growing it: how many were read (fewer
 * at the end of the file or a read error, none out of memory). Unlocked:
 * the stream is this reader's alone, and once a second thread exists every
 * locked stdio call pays an atomic pair (fgetc and ungetc a block were a
 * sixth to a third of reading a pcapng file with --threads 2). */
static uint32_t fill_some(struct pcapng_reader *r, uint32_t off, uint32_t n)
{
	if (off + n > r->cap) {
		uint32_t c = r->cap ? r->cap : 65536;
		while (c < off + n)
			c *= 2;
		uint8_t *b = realloc(r->buf, c);
		if (!b)
			return 0;
		r->buf = b;
		r->cap = c;
	}
	uint32_t got = n ? (uint32_t)fread_unlocked(r->buf + off, 1, n, r->in) : 0;
	r->offset += got;
	return got;
}

/* All n bytes, or false. */
static bool fill(struct pcapng_reader *r, uint32_t off, uint32_t n)
{
	return fill_some(r, off, n) == n;
}

/* One whole block into r->buf: its type and length. 1 ok, 0 clean end of
 * file, -1 error (message in err). */
static int read_block(struct pcapng_reader *r, uint32_t *type, uint32_t *len, char *err, size_t errlen)
{
	uint32_t got = fill_some(r, 0, 12);
	if (got == 0 && ferror_unlocked(r->in)) {
		snprintf(err, errlen, "read error");
		return -1;
	}
	if (got == 0 && r->cap) /* (a buffer: not out of memory) */
		return 0;
	if (got < 12) {
		snprintf(err, errlen, "the file ends inside a block header");
		return -1;
	}
	const uint8_t *b = r->buf;
	if (b[0] == 0x0A && b[1] == 0x0D && b[2] == 0x0D && b[3] == 0x0A) {
		/* A section header: its byte-order magic says how to read it. */
		if (b[8] == 0x1A && b[9] == 0x2B && b[10] == 0x3C && b[11] == 0x4D)
			r->big = true;
		else if (b[8] == 0x4D && b[9] == 0x3C && b[10] == 0x2B && b[11] == 0x1A)
			r->big = false;
		else {
			snprintf(err, errlen, "section header with a bad byte-order magic");
			return -1;
		}
	}
	*type = rd32(r, b);
	*len = rd32(r, b + 4);
	if (*len < 12 || *len % 4 || *len > PCAPNG_MAX_BLOCK) {
		snprintf(err, errlen, "block of type 0x%x with an impossible length %u", *type, *len);
		return -1;
	}
	if (!fill(r, 12, *len - 12)) {
		snprintf(err, errlen, "the file ends inside a block of type 0x%x (%u bytes)", *type, *len);
		return -1;
	}
	if (rd32(r, r->buf + *len - 4) != *len) {
		snprintf(err, errlen, "block of type 0x%x: its trailing length disagrees", *type);
		return -1;
	}
	return 1;
}

/* Options in [o, end): call fn for each until opt_endofopt. */
static void options(const struct pcapng_reader *r, const uint8_t *o, const uint8_t *end,
		    void (*fn)(const struct pcapng_reader *, uint16_t, const uint8_t *, uint16_t, void *),
		    void *user)
{
	while (end - o >= 4) {
		uint16_t code = rd16(r, o), len = rd16(r, o + 2);
		if (code == OPT_END)
			return;
		size_t step = 4 + (((size_t)len + 3) & ~(size_t)3);
		if ((size_t)(end - o) < 4 + (size_t)len)
			return;
		fn(r, code, o + 4, len, user);
		if ((size_t)(end - o) < step)
			return;
		o += step;
	}
}

static void idb_option(const struct pcapng_reader *r, uint16_t code, const uint8_t *v, uint16_t len,
		       void *user)
{
	struct pcapng_iface *i = user;
	if (code == OPT_IF_TSRESOL && len >= 1) {
		i->tsresol_pow2 = v[0] & 0x80;
		i->tsresol_exp = v[0] & 0x7f;
	} else if (code == OPT_IF_TSOFFSET && len >= 8) {
		i->tsoffset_s = (int64_t)rd64(r, v);
	}
}

static void epb_option(const struct pcapng_reader *r, uint16_t code, const uint8_t *v, uint16_t len,
		       void *user)
{
	if (code == OPT_EPB_FLAGS && len == 4)
		*(uint32_t *)user = rd32(r, v);
}

static bool add_iface(struct pcapng_reader *r, uint32_t len, char *err, size_t errlen)
{
	if (len < 20) {
		snprintf(err, errlen, "interface description block too short (%u bytes)", len);
		return false;
	}
	if (r->nifaces == PCAPNG_MAX_IFACES) {
		snprintf(err, errlen, "more than %u interfaces in one section", PCAPNG_MAX_IFACES);
		return false;
	}
	if (r->nifaces == r->ifaces_cap) {
		uint32_t c = r->ifaces_cap ? r->ifaces_cap * 2 : 4;
		struct pcapng_iface *n = realloc(r->ifaces, c * sizeof(*n));
		if (!n) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
		r->ifaces = n;
		r->ifaces_cap = c;
	}
	struct pcapng_iface *i = &r->ifaces[r->nifaces];
	*i = (struct pcapng_iface){.linktype = rd16(r, r->buf + 8), .snaplen = rd32(r, r->buf + 12),
				   .tsresol_exp = 6};
	options(r, r->buf + 16, r->buf + len - 4, idb_option, i);
	r->nifaces++;
	r->ifaces_total++;
	return true;
}

/* A timestamp in the interface's units, in ns since the epoch. */
static uint64_t to_ns(const struct pcapng_iface *i, uint64_t ts)
{
	unsigned __int128 v = ts;
	if (i->tsresol_pow2) {
		v = (v * NS_PER_S_U64) >> (i->tsresol_exp > 63 ? 63 : i->tsresol_exp);
	} else if (i->tsresol_exp <= 9) {
		for (int k = i->tsresol_exp; k < 9; k++)
			v *= 10;
	} else {
		for (int k = 9; k < i->tsresol_exp && k < 40; k++)
			v /= 10;
	}
	v += (unsigned __int128)(__int128)i->tsoffset_s * NS_PER_S_U64;
	return (uint64_t)v;
}

bool pcapng_reader_open(struct pcapng_reader *r, FILE *in, char *err, size_t errlen)
{
	*r = (struct pcapng_reader){.in = in};
	uint32_t type = 0, len;
	int rc = read_block(r, &type, &len, err, errlen);
	if (rc <= 0 || type != BT_SHB) {
		if (rc == 0 || (rc > 0 && type != BT_SHB))
			snprintf(err, errlen, "not a pcapng file (no section header block first)");
		pcapng_reader_close(r);
		return false;
	}
	return true;
}

const struct pcapng_iface *pcapng_reader_iface(const struct pcapng_reader *r, uint32_t i)
{
	return i < r->nifaces ? &r->ifaces[i] : NULL;
}

int pcapng_reader_next(struct pcapng_reader *r, struct pcapng_packet *p, char *err, size_t errlen)
{
	for (;;) {
		uint32_t type, len;
		int rc = read_block(r, &type, &len, err, errlen);
		if (rc <= 0)
			return rc;
		const uint8_t *b = r->buf;
		switch (type) {
		case BT_SHB:
			r->nifaces = 0; /* interfaces are per section */
			continue;
		case BT_IDB:
			if (!add_iface(r, len, err, errlen))
				return -1;
			continue;
		case BT_EPB:
		case BT_PB: {
			if (len < 32) {
				snprintf(err, errlen, "packet block too short (%u bytes)", len);
				return -1;
			}
			uint32_t iface = type == BT_EPB ? rd32(r, b + 8) : rd16(r, b + 8);
			uint32_t caplen = rd32(r, b + 20), wirelen = rd32(r, b + 24);
			uint64_t data = ((uint64_t)caplen + 3) & ~(uint64_t)3;
			if (28 + data + 4 > len) {
				snprintf(err, errlen, "captured length %u runs past its %u-byte block", caplen, len);
				return -1;
			}
			if (iface >= r->nifaces) {
				snprintf(err, errlen, "packet of interface %u, which no block described", iface);
				return -1;
			}
			const struct pcapng_iface *i = &r->ifaces[iface];
			p->ts_ns = to_ns(i, (uint64_t)rd32(r, b + 12) << 32 | rd32(r, b + 16));
			p->caplen = caplen;
			p->wirelen = wirelen;
			p->iface = iface;
			p->data = b + 28;
			p->flags = 0;
			options(r, b + 28 + data, b + len - 4, epb_option, &p->flags);
			r->packets++;
			return 1;
		}
		case BT_SPB: {
			if (len < 16 || !r->nifaces) {
				snprintf(err, errlen, len < 16 ? "simple packet block too short"
							      : "simple packet block before any interface");
				return -1;
			}
			const struct pcapng_iface *i = &r->ifaces[0];
			uint32_t wirelen = rd32(r, b + 8), room = len - 16;
			uint32_t caplen = wirelen < room ? wirelen : room;
			if (i->snaplen && caplen > i->snaplen)
				caplen = i->snaplen;
			p->ts_ns = 0; /* a Simple Packet Block has no timestamp */
			p->caplen = caplen;
			p->wirelen = wirelen;
			p->iface = 0;
			p->data = b + 12;
			p->flags = 0;
			r->packets++;
			return 1;
		}
		default:
			continue; /* statistics, name resolution, decryption secrets, custom */
		}
	}
}

void pcapng_reader_close(struct pcapng_reader *r)
{
	free(r->buf);
	free(r->ifaces);
	*r = (struct pcapng_reader){0};
}
