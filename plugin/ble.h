/* BLE scanning (the BLE connect is reached through wc_link_open()).
 *
 * ble.c, hci.c and mgmt.c are the only files that include BlueZ's
 * headers; this header does not, so callers stay buildable and testable
 * without them. */
#ifndef WC_BLE_H
#define WC_BLE_H

#include <stddef.h>

#include "adv.h"
#include "wc_error.h"

/* Most devices one scan remembers; later newcomers are not reported. */
#define WC_BLE_SCAN_MAX 128

/* Active LE scan on adapter ("hci0", an adapter address, or NULL for the
 * default) for timeout_ms.  Advertisements and scan responses of one
 * address are merged (wc_adv_merge) and cb is called once per device at
 * the end, in the order first seen, with ->family set.
 *
 * An interrupting signal (poll() returning EINTR, e.g. SIGINT whose handler
 * only sets a flag) ends the scan early; what was seen is still reported
 * and WC_OK returned.  On every exit path scanning is disabled and the
 * HCI socket filter restored.  On failure msg (may be NULL) says why and
 * what to do:  WC_E_NOBT no Bluetooth / no adapter, WC_E_IO permission or
 * controller refusal, WC_E_ARG bad adapter string. */
enum wc_err wc_ble_scan(const char *adapter, int timeout_ms,
			void (*cb)(void *user, const struct wc_adv *adv),
			void *user, char *msg, size_t msglen);

#endif
