/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reassembly of response frames from BLE notification fragments, for
 * either family: a frame format (struct wc_frame_fmt: watt_reasm.h,
 * jbd_reasm.h) says what differs, this does the rest:
 *   - a frame starts only with a fragment whose first byte is the format's
 *     start byte, and only while no frame is in progress (no resync on a
 *     start byte inside);
 *   - its length is read from the header once header_len bytes are in; the
 *     end is found by that count only;
 *   - a frame longer than the format's max fails (WC_E_TOO_BIG) and the
 *     rest of its fragment is dropped with it;
 *   - when that many bytes are in, the format checks the frame;
 *   - a partial frame with no progress for stale_ms is dropped; the age is
 *     measured on the caller's monotonic clock;
 *   - bytes after a complete frame in the same fragment start the next one.
 * Fixed buffer, no allocation. */
#ifndef WC_REASM_H
#define WC_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "wc_error.h"

/* The buffer: room for the longest frame of any format. */
#define WC_REASM_MAX 512

/* Called once per event: err == WC_OK with a complete, checked frame,
 * or an error (frame may then hold the bytes that failed, or be NULL).
 * The frame pointer is valid only during the call.  The callback must not
 * call wc_reasm_push on the same reassembler. */
typedef void (*wc_frame_cb)(void *user, enum wc_err err,
			    const uint8_t *frame, size_t len,
			    const struct wc_diag *d);

/* What differs between the families' frames. */
struct wc_frame_fmt {
	uint8_t start;       /* first byte of every frame */
	size_t header_len;   /* bytes in before the length is known */
	size_t max;          /* longest frame (at most WC_REASM_MAX) */
	/* The whole frame's length, from its first header_len bytes. */
	size_t (*frame_len)(const uint8_t *header);
	/* Check a complete frame (end byte, checksum). */
	enum wc_err (*check)(const uint8_t *frame, size_t len,
			     struct wc_diag *d);
};

struct wc_reasm {
	const struct wc_frame_fmt *fmt;
	uint8_t buf[WC_REASM_MAX];
	size_t have;       /* bytes buffered; 0 = idle */
	size_t need;       /* total frame length once known, else 0 */
	uint64_t last_ms;  /* monotonic time of the last progress */
	uint32_t stale_ms;
	wc_frame_cb cb;
	void *user;
};

void wc_reasm_init_fmt(struct wc_reasm *r, const struct wc_frame_fmt *fmt,
		       uint32_t stale_ms, wc_frame_cb cb, void *user);

/* Switch format (forgets any partial frame; stale_ms and callback kept). */
void wc_reasm_set_fmt(struct wc_reasm *r, const struct wc_frame_fmt *fmt);

/* Feed one notification received at now_ms (monotonic milliseconds). */
void wc_reasm_push(struct wc_reasm *r, const uint8_t *frag, size_t n,
		   uint64_t now_ms);

/* Drop a partial frame that has had no progress for stale_ms (reported as
 * WC_E_STALE).  Returns 1 if one was dropped. */
int wc_reasm_expire(struct wc_reasm *r, uint64_t now_ms);

/* Forget any partial frame without reporting it (new connection). */
void wc_reasm_reset(struct wc_reasm *r);

/* 1 while a frame is in progress. */
int wc_reasm_busy(const struct wc_reasm *r);

/* Bytes buffered and bytes expected (0 while the length is unknown). */
size_t wc_reasm_have(const struct wc_reasm *r);
size_t wc_reasm_need(const struct wc_reasm *r);

#endif
