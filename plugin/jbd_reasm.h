/* Reassembly of JBD replies ("DD … 77") from BLE notification fragments:
 *   - a frame starts only with a fragment whose first byte is 0xDD, and
 *     only while no frame is in progress;
 *   - its length is byte 3 + 7, known once 4 bytes are in; the end is
 *     found by that count, never by searching for 0x77 (0x77 is a common
 *     data byte);
 *   - when that many bytes are in, the end byte and checksum are checked
 *     (jbd_parse_frame);
 *   - a partial frame with no progress for stale_ms is dropped;
 *   - bytes after a complete frame in the same fragment start the next one.
 * Fixed buffer (a JBD frame is at most 262 bytes), no allocation.  The
 * callback has the shape of the WATT reassembler's (watt_reasm.h). */
#ifndef WC_JBD_REASM_H
#define WC_JBD_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "jbd.h"
#include "watt_reasm.h"
#include "wc_error.h"

struct jbd_reasm {
	uint8_t buf[JBD_FRAME_MAX];
	size_t have;       /* bytes buffered; 0 = idle */
	size_t need;       /* total frame length once known, else 0 */
	uint64_t last_ms;  /* monotonic time of the last progress */
	uint32_t stale_ms;
	watt_frame_cb cb;
	void *user;
};

void jbd_reasm_init(struct jbd_reasm *r, uint32_t stale_ms, watt_frame_cb cb,
		    void *user);
void jbd_reasm_push(struct jbd_reasm *r, const uint8_t *frag, size_t n,
		    uint64_t now_ms);
int jbd_reasm_expire(struct jbd_reasm *r, uint64_t now_ms);
void jbd_reasm_reset(struct jbd_reasm *r);
int jbd_reasm_busy(const struct jbd_reasm *r);
size_t jbd_reasm_have(const struct jbd_reasm *r);
size_t jbd_reasm_need(const struct jbd_reasm *r);

#endif
