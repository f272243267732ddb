/* Reassembly of WATT/TDT responses from BLE notification fragments,
 * following protocol.md §2.4:
 *   - a frame starts only with a fragment whose first byte is 0x7E, and only
 *     while no frame is in progress (no resync on 0x7E or 0x0D inside);
 *   - its length is u16be(bytes 6..7) + 11, known once 8 bytes are in;
 *   - when that many bytes are in, the terminator and CRC are checked;
 *   - a partial frame with no progress for stale_ms is dropped; the age is
 *     measured on the caller's monotonic clock;
 *   - bytes after a complete frame in the same fragment start the next one.
 * Fixed buffer, no allocation; a frame longer than WATT_FRAME_MAX fails. */
#ifndef WC_WATT_REASM_H
#define WC_WATT_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "watt.h"
#include "wc_error.h"

#define WATT_REASM_STALE_MS 1000

/* Called once per event: err == WC_OK with a complete, CRC-checked frame,
 * or an error (frame may then hold the bytes that failed, or be NULL).
 * The frame pointer is valid only during the call.  The callback must not
 * call watt_reasm_push on the same reassembler. */
typedef void (*watt_frame_cb)(void *user, enum wc_err err,
			      const uint8_t *frame, size_t len,
			      const struct wc_diag *d);

struct watt_reasm {
	uint8_t buf[WATT_FRAME_MAX];
	size_t have;       /* bytes buffered; 0 = idle */
	size_t need;       /* total frame length once known, else 0 */
	uint64_t last_ms;  /* monotonic time of the last progress */
	uint32_t stale_ms;
	watt_frame_cb cb;
	void *user;
};

void watt_reasm_init(struct watt_reasm *r, uint32_t stale_ms,
		     watt_frame_cb cb, void *user);

/* Feed one notification received at now_ms (monotonic milliseconds). */
void watt_reasm_push(struct watt_reasm *r, const uint8_t *frag, size_t n,
		     uint64_t now_ms);

/* Drop a partial frame that has had no progress for stale_ms (reported as
 * WC_E_STALE).  Returns 1 if one was dropped. */
int watt_reasm_expire(struct watt_reasm *r, uint64_t now_ms);

/* Forget any partial frame without reporting it (new connection). */
void watt_reasm_reset(struct watt_reasm *r);

/* 1 while a frame is in progress. */
int watt_reasm_busy(const struct watt_reasm *r);

/* Bytes buffered and bytes expected (0 while the length is unknown). */
size_t watt_reasm_have(const struct watt_reasm *r);
size_t watt_reasm_need(const struct watt_reasm *r);

#endif
