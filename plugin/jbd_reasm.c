/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JBD frame format for the reassembler: see jbd_reasm.h. */
#include "jbd_reasm.h"

_Static_assert(JBD_FRAME_MAX <= WC_REASM_MAX, "JBD frame fits the buffer");

static size_t jbd_frame_len(const uint8_t *header)
{
	return (size_t)header[3] + JBD_OVERHEAD;
}

static enum wc_err jbd_check(const uint8_t *frame, size_t len,
			     struct wc_diag *d)
{
	struct jbd_frame f;

	return jbd_parse_frame(frame, len, &f, d);
}

const struct wc_frame_fmt jbd_frame_fmt = {
	.start = JBD_START,
	.header_len = JBD_HEADER_LEN,
	.max = JBD_FRAME_MAX,
	.frame_len = jbd_frame_len,
	.check = jbd_check,
};
