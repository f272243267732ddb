/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UUIDs as text, for tests that name a UUID or check one the client
 * discovered: the plugin itself never reads or prints a UUID as text. */
#ifndef WC_TEST_UUID_TEXT_H
#define WC_TEST_UUID_TEXT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "att.h"
#include "bytes.h"

/* "0000fff0-0000-1000-8000-00805f9b34fb" (either case) or "fff0". */
static inline bool uuid_parse(const char *s, struct att_uuid *out)
{
	struct att_uuid r;
	size_t i, k = 0;
	int v[4];

	if (!s || !out)
		return false;
	if (strlen(s) == 4) {
		for (i = 0; i < 4; i++)
			if ((v[i] = hex_digit(s[i])) < 0)
				return false;
		*out = att_uuid16((uint16_t)(v[0] << 12 | v[1] << 8 |
					     v[2] << 4 | v[3]));
		return true;
	}
	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return false;
			continue;
		}
		v[0] = hex_digit(s[i]);
		v[1] = hex_digit(s[i + 1]);
		if (v[0] < 0 || v[1] < 0 || k >= 16)
			return false;
		r.b[k++] = (uint8_t)(v[0] << 4 | v[1]);
		i += 2;
	}
	*out = r;
	return true;
}

/* The lower-case 36-character form; buf holds at least 37 bytes. */
static inline char *uuid_format(const struct att_uuid *u, char *buf,
				size_t len)
{
	const uint8_t *b = u->b;

	snprintf(buf, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return buf;
}

#endif
