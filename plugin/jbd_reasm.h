/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The frame format of JBD replies ("DD … 77") for the reassembler
 * (reasm.h):
 *   - a frame starts with 0xDD;
 *   - its length is byte 3 + 7, known once 4 bytes are in; the end is
 *     found by that count, never by searching for 0x77 (0x77 is a common
 *     data byte);
 *   - when that many bytes are in, the end byte and checksum are checked
 *     (jbd_parse_frame).
 * A one-byte length cannot exceed JBD_FRAME_MAX (262 bytes). */
#ifndef WC_JBD_REASM_H
#define WC_JBD_REASM_H

#include "jbd.h"
#include "reasm.h"

extern const struct wc_frame_fmt jbd_frame_fmt;

#endif
