/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The WATT/TDT frame format for the reassembler: see watt_reasm.h. */
#include "watt_reasm.h"

#include "bytes.h"

_Static_assert(WATT_FRAME_MAX <= WC_REASM_MAX, "WATT frame fits the buffer");

static size_t watt_frame_len(const uint8_t *header)
{
	return (size_t)get_be16(header + 6) + WATT_OVERHEAD;
}

static enum wc_err watt_check(const uint8_t *frame, size_t len,
			      struct wc_diag *d)
{
	struct watt_frame f;

	return watt_parse_frame(frame, len, &f, d);
}

const struct wc_frame_fmt watt_frame_fmt = {
	.start = WATT_HEAD_7E,
	.header_len = WATT_HEADER_LEN,
	.max = WATT_FRAME_MAX,
	.frame_len = watt_frame_len,
	.check = watt_check,
};
