/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The WATT/TDT frames of doc/PROTOCOL.md §14 (and §4.1, §5.1, §5.2), written
 * exactly as the document prints them so that a reader can diff the two.
 * Shared by the unit tests; tests/fuzz/mkseeds.sh writes the same response
 * frames as the fuzz seed corpus. */
#ifndef WC_TEST_WATT_VECTORS_H
#define WC_TEST_WATT_VECTORS_H

#include <stddef.h>
#include <stdint.h>

/* Response frames of §14.2-§14.4, indexed by enum wv_resp. */
enum wv_resp {
	WV_EF2F_8C,
	WV_EF2F_8D,
	WV_EF2F_92,
	WV_49A1_8C,
	WV_49A1_8D,
	WV_49A1_92,
	WV_TDT16_8C,
	WV_TDT16_8D,
	WV_TDT16_92,
	WV__COUNT
};

struct wv {
	const char *name;
	const char *hex;
};

static const struct wv wv_resp[WV__COUNT] = {
	[WV_EF2F_8C] = { "EF2F-1",
		"7E 00 01 03 00 8C 00 20 04 0C DE 0C DD 0C DF 0C DA 04 0B 65 0B 70 0B 5A 0B 5A 40 00 05 25 07 2A 0C 44 00 05 0C 44 00 3A 4B 22 0D" },
	[WV_EF2F_8D] = { "EF2F-2",
		"7E 00 01 03 00 8D 00 18 04 00 00 00 00 04 00 00 00 00 00 00 00 00 00 00 06 01 00 00 18 00 00 00 1F 91 0D" },
	[WV_EF2F_92] = { "EF2F-3",
		"7E 00 01 03 00 92 00 3C 57 54 31 32 5F 32 30 30 30 34 53 57 31 30 5F 4C 34 34 37 00 20 20 20 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 36 30 30 31 36 30 31 36 32 30 37 32 37 30 30 30 31 00 00 00 52 AA 0D" },
	[WV_49A1_8C] = { "49A1-1",
		"7E 00 01 03 00 8C 00 20 04 0D 89 0D A1 0D 9C 0D 9B 04 0B 82 0B 9D 0B 7F 0B 7E 40 00 05 70 03 E7 03 E8 00 01 03 E8 00 64 55 A3 0D" },
	[WV_49A1_8D] = { "49A1-2",
		"7E 00 01 03 00 8D 00 18 04 00 00 00 00 04 00 00 00 00 00 00 00 00 00 00 06 29 00 00 00 00 00 00 BD 3F 0D" },
	[WV_49A1_92] = { "49A1-3",
		"7E 00 01 03 00 92 00 3C 57 54 33 30 5F 31 30 30 30 34 53 57 31 34 5F 4C 5F 30 31 00 31 31 31 31 32 32 32 32 33 33 33 33 34 34 34 34 35 35 35 35 49 4B 4B 4B 4B 30 30 30 30 41 49 49 30 30 30 30 30 30 30 30 2E B7 0D" },
	[WV_TDT16_8C] = { "TDT16-1",
		"7E 00 01 03 00 8C 00 3C 10 0C E3 0C E6 0C DE 0C DE 0C DD 0C DE 0C DD 0C DC 0C DC 0C DA 0C DE 0C DE 0C DE 0C DD 0C DF 0C DE 06 0B 5E 0B 6F 0B 5E 0B 5E 0B 5E 0B 66 C0 39 14 96 03 DF 04 3B 00 08 03 E8 00 5B 2B 9C 0D" },
	[WV_TDT16_8D] = { "TDT16-2",
		"7E 00 01 03 00 8D 00 27 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 06 00 00 00 00 00 00 00 00 00 02 00 00 0E 01 00 00 18 00 00 00 00 0B 7B 0D" },
	[WV_TDT16_92] = { "TDT16-3",
		"7E 00 01 03 00 92 00 3C 36 30 33 32 5F 31 30 30 31 36 53 30 30 30 5F 4C 5F 34 31 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 36 30 33 32 36 30 31 36 32 30 37 32 37 30 30 30 31 00 00 00 50 01 0D" },
};

/* Request frames with head 7E (§5.1, §5.2): valid frames for the
 * reassembler as well, since it only needs the 7E head.  Not the §4.1
 * infoData read: its length field does not cover its last 7 bytes. */
static const struct wv wv_req_7e[] = {
	{ "read 0x8C", "7E 00 01 03 00 8C 00 00 99 42 0D" },
	{ "read 0x8D", "7E 00 01 03 00 8D 00 00 59 13 0D" },
	{ "read 0x92", "7E 00 01 03 00 92 00 00 9F 22 0D" },
	{ "chg mos off", "7E 00 01 06 00 82 00 01 00 1C 1A 0D" },
	{ "dsg mos on", "7E 00 01 06 00 83 00 01 01 20 DA 0D" },
	{ "CLOCK-1", "7E 00 01 06 00 95 00 07 07 E8 0B 16 0E 07 08 C9 41 0D" },
};
#define WV_REQ_7E_COUNT (sizeof(wv_req_7e) / sizeof(wv_req_7e[0]))

/* Hex pairs separated by spaces into out; returns the byte count, or 0
 * on a malformed string or when cap is too small. */
static inline int wv_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline size_t wv_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*s) {
		int hi, lo;

		if (*s == ' ') {
			s++;
			continue;
		}
		hi = wv_nibble(s[0]);
		lo = hi < 0 ? -1 : wv_nibble(s[1]);
		if (lo < 0 || n >= cap)
			return 0;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return n;
}

#endif
