/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Byte order helpers and a bounds-checked read cursor.
 *
 * The WATT/TDT protocol is big-endian throughout; ATT is little-endian.  Every
 * multi-byte access in the project goes through these helpers so that no
 * buffer is ever cast to a packed struct. */
#ifndef WC_BYTES_H
#define WC_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[1] << 8 | p[0]);
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* The value of one hex digit (either case), or -1. */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A read cursor: every rd_* fails (returns false, leaves *out alone) when
 * fewer bytes remain than the read needs.  A failed read also marks the
 * cursor so that a sequence of reads can be checked once at the end. */
struct cursor {
	const uint8_t *p;
	size_t left;
	bool short_read;
};

static inline struct cursor cursor_init(const uint8_t *p, size_t len)
{
	struct cursor c = { .p = p, .left = len, .short_read = false };
	return c;
}

static inline bool rd_take(struct cursor *c, size_t n, const uint8_t **out)
{
	if (c->short_read || c->left < n) {
		c->short_read = true;
		return false;
	}
	*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static inline bool rd_u8(struct cursor *c, uint8_t *v)
{
	const uint8_t *p;

	if (!rd_take(c, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static inline bool rd_be16(struct cursor *c, uint16_t *v)
{
	const uint8_t *p;

	if (!rd_take(c, 2, &p))
		return false;
	*v = get_be16(p);
	return true;
}

static inline bool rd_be32(struct cursor *c, uint32_t *v)
{
	const uint8_t *p;

	if (!rd_take(c, 4, &p))
		return false;
	*v = get_be32(p);
	return true;
}

#endif
