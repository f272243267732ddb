/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test vectors written as hex text ("04 0e 04 01 05 14 00"): spaces are
 * ignored; returns the byte count, or 0 on a bad digit, an odd digit
 * count or more bytes than cap.  Digits through plugin/bytes.h. */
#ifndef WC_TEST_UNHEX_H
#define WC_TEST_UNHEX_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ')
			continue;
		v = hex_digit(*s);
		if (v < 0)
			return 0;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return 0;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? n : 0;
}

#endif
