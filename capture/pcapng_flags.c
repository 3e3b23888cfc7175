/*
 * capture/pcapng_flags.c — see pcapng_flags.h. Hand-written because libpcap
 * parses these blocks but keeps their options to itself; only the block
 * framing and the one option are read here.
 */
#include "pcapng_flags.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define WINDOW (1u << 20)
#define BT_PB 2u   /* obsolete Packet Block: same head and options as an EPB */
#define BT_SPB 3u
#define BT_EPB 6u
#define PACKET_HEAD 28u /* block type, length, interface, timestamp, caplen, len */
#define OPT_FLAGS 2u

static void stop(struct pcapng_flags *w)
{
	w->fd = -1;
}

/* Make file bytes [off, off + n) readable in the window. */
static const uint8_t *need(struct pcapng_flags *w, off_t off, size_t n)
{
	if (n > WINDOW)
		return NULL;
	if (off < w->win_off || (uint64_t)(off - w->win_off) + n > w->win_len) {
		size_t got = 0;
		while (got < WINDOW) {
			ssize_t r = pread(w->fd, w->win + got, WINDOW - got, off + (off_t)got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		w->win_off = off;
		w->win_len = got;
		if (n > got)
			return NULL;
	}
	return w->win + (off - w->win_off);
}

static uint32_t rd32(const struct pcapng_flags *w, const uint8_t *p)
{
	return w->big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		      : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const struct pcapng_flags *w, const uint8_t *p)
{
	return w->big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

bool pcapng_flags_open(struct pcapng_flags *w, int fd, off_t start)
{
	*w = (struct pcapng_flags){.fd = -1};
	uint8_t m[4];
	ssize_t r;
	do
		r = pread(fd, m, sizeof(m), start);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(m) || !(m[0] == 0x0A && m[1] == 0x0D && m[2] == 0x0D && m[3] == 0x0A))
		return true;
	if (!(w->win = malloc(WINDOW)))
		return false;
	w->fd = fd;
	w->off = start;
	return true;
}

/* epb_flags among the options in [o, end) of a packet block; 0 without. */
static uint32_t flags_option(const struct pcapng_flags *w, const uint8_t *o, const uint8_t *end)
{
	while (end - o >= 4) {
		uint16_t code = rd16(w, o), len = rd16(w, o + 2);
		if (code == 0)
			break;
		if (code == OPT_FLAGS && len == 4 && end - o >= 8)
			return rd32(w, o + 4);
		size_t step = 4 + (((size_t)len + 3) & ~(size_t)3);
		if ((size_t)(end - o) < step)
			break;
		o += step;
	}
	return 0;
}

uint32_t pcapng_flags_next(struct pcapng_flags *w)
{
	while (w->fd >= 0) {
		const uint8_t *h = need(w, w->off, 12);
		if (!h)
			break;
		if (h[0] == 0x0A && h[1] == 0x0D && h[2] == 0x0D && h[3] == 0x0A) { /* BT_SHB, either order */
			/* A new section: its byte-order magic 0x1A2B3C4D says how to read it. */
			if (h[8] == 0x1A && h[9] == 0x2B && h[10] == 0x3C && h[11] == 0x4D)
				w->big = true;
			else if (h[8] == 0x4D && h[9] == 0x3C && h[10] == 0x2B && h[11] == 0x1A)
				w->big = false;
			else
				break;
		}
		uint32_t type = rd32(w, h), len = rd32(w, h + 4);
		if (len < 12 || len % 4)
			break;
		off_t at = w->off;
		w->off += len;
		if (type != BT_EPB && type != BT_PB && type != BT_SPB)
			continue;
		if (type == BT_SPB || len < PACKET_HEAD + 4)
			return 0;
		const uint8_t *b = need(w, at, PACKET_HEAD);
		if (!b)
			break;
		uint64_t data = ((uint64_t)rd32(w, b + 20) + 3) & ~(uint64_t)3;
		if (PACKET_HEAD + data + 4 > len) /* libpcap refuses it too */
			break;
		size_t olen = (size_t)(len - 4 - PACKET_HEAD - data);
		if (!olen)
			return 0;
		const uint8_t *o = need(w, at + PACKET_HEAD + (off_t)data, olen);
		if (!o)
			break;
		uint32_t f = flags_option(w, o, o + olen);
		w->seen_any |= f != 0;
		return f;
	}
	stop(w);
	return 0;
}

void pcapng_flags_close(struct pcapng_flags *w)
{
	free(w->win);
	*w = (struct pcapng_flags){.fd = -1};
}
