/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the BLE transport asks the kernel's management interface about one
 * battery's link (on plugin/mgmt.c's socket): the supervision timeout to
 * connect with, the RSSI of the live link, and why the link went.
 *
 * Only ble.c includes this.  Every call is bounded by the caller's
 * deadline and leaves nothing open but the watch it hands out. */
#ifndef WC_BLE_MGMT_H
#define WC_BLE_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wc_error.h"

/* Load Connection Parameters with one entry: bdaddr (display order) of
 * mgmt type (1 LE public, 2 LE random) connects on controller index with
 * a supervision timeout of ms.  On failure one sentence in msg (the
 * mgmt status in words, e.g. permission denied without CAP_NET_ADMIN). */
enum wc_err wc_ble_mgmt_supervision(uint16_t index, const uint8_t bdaddr[6],
				    uint8_t type, uint32_t ms,
				    uint64_t deadline_ms, char *msg,
				    size_t msglen);

/* Get Connection Information: the RSSI of the live link, 0 and *rssi, or
 * -1 when the kernel gives none (not connected, the controller cannot
 * read it, no answer by the deadline). */
int wc_ble_mgmt_rssi(uint16_t index, const uint8_t bdaddr[6], uint8_t type,
		     int8_t *rssi, uint64_t deadline_ms);

/* A watch on one battery's link: an open mgmt socket whose Device
 * Disconnected events are read when the link fails.  NULL when the
 * socket cannot be opened (the errno then tells the cause alone). */
struct wc_ble_watch;
struct wc_ble_watch *wc_ble_watch_new(uint16_t index, const uint8_t bdaddr[6]);

/* The reason of the Device Disconnected for the battery among the events
 * queued on the watch (waiting for more until deadline_ms; a deadline of
 * now only reads what is queued): true and *reason (0 unspecified,
 * 1 timeout, 2 local host, 3 remote …), else false.  Under a busy scan a
 * watch held long may have lost events (the socket's queue is bounded);
 * the caller then has the socket's errno. */
bool wc_ble_watch_reason(struct wc_ble_watch *w, uint64_t deadline_ms,
			 uint8_t *reason);

void wc_ble_watch_free(struct wc_ble_watch *w);

/* The same on a socket already open (the tests: a socketpair end through
 * wc_mgmt_adopt).  The _on calls leave m open; wc_ble_watch_on takes it
 * over (closed by wc_ble_watch_free, or at once when out of memory). */
struct wc_mgmt;
enum wc_err wc_ble_mgmt_supervision_on(struct wc_mgmt *m, uint16_t index,
				       const uint8_t bdaddr[6], uint8_t type,
				       uint32_t ms, uint64_t deadline_ms,
				       char *msg, size_t msglen);
int wc_ble_mgmt_rssi_on(struct wc_mgmt *m, uint16_t index,
			const uint8_t bdaddr[6], uint8_t type, int8_t *rssi,
			uint64_t deadline_ms);
struct wc_ble_watch *wc_ble_watch_on(struct wc_mgmt *m, uint16_t index,
				     const uint8_t bdaddr[6]);

#endif
