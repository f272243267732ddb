/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The frame format of WATT/TDT responses for the reassembler (reasm.h),
 * following doc/PROTOCOL.md §2.4:
 *   - a frame starts with 0x7E (no resync on 0x7E or 0x0D inside);
 *   - its length is u16be(bytes 6..7) + 11, known once 8 bytes are in;
 *   - when that many bytes are in, the terminator and CRC are checked
 *     (watt_parse_frame);
 *   - a frame longer than WATT_FRAME_MAX fails. */
#ifndef WC_WATT_REASM_H
#define WC_WATT_REASM_H

#include "reasm.h"
#include "watt.h"

#define WATT_REASM_STALE_MS 1000

extern const struct wc_frame_fmt watt_frame_fmt;

#endif
