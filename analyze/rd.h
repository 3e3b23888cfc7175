/*
 * analyze/rd.h — length-checked big-endian field readers for the decoders.
 *
 * Decoders check a header's length first and return an error for a short
 * packet; these readers are the second line of defence: a read past len
 * yields 0 instead of touching memory that is not the packet's.
 */
#ifndef TCPLENS_RD_H
#define TCPLENS_RD_H

#include <stddef.h>
#include <stdint.h>

static inline uint8_t rd_u8(const uint8_t *b, size_t len, size_t off)
{
	return off < len ? b[off] : 0;
}

static inline uint16_t rd_be16(const uint8_t *b, size_t len, size_t off)
{
	return (off + 2 <= len && off + 2 > off) ? (uint16_t)(b[off] << 8 | b[off + 1]) : 0;
}

static inline uint32_t rd_be32(const uint8_t *b, size_t len, size_t off)
{
	return (off + 4 <= len && off + 4 > off)
		       ? (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 |
				 (uint32_t)b[off + 2] << 8 | b[off + 3]
		       : 0;
}

static inline uint16_t rd_le16(const uint8_t *b, size_t len, size_t off)
{
	return (off + 2 <= len && off + 2 > off) ? (uint16_t)(b[off] | b[off + 1] << 8) : 0;
}

static inline uint32_t rd_le32(const uint8_t *b, size_t len, size_t off)
{
	return (off + 4 <= len && off + 4 > off)
		       ? (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 |
				 (uint32_t)b[off + 2] << 16 | (uint32_t)b[off + 3] << 24
		       : 0;
}

#endif
