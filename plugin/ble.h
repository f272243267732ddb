/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BLE scanning (the BLE connect is reached through wc_link_open()).
 *
 * ble.c, hci_raw.c and mgmt.c are the only files that include BlueZ's
 * headers; this header does not, so callers stay buildable and testable
 * without them. */
#ifndef WC_BLE_H
#define WC_BLE_H

#include <stddef.h>

#include "adv.h"
#include "wc_error.h"

/* Most devices one scan remembers; later newcomers are not reported. */
#define WC_BLE_SCAN_MAX 128

/* LE discovery on adapter ("hci0", an adapter address, or NULL for the
 * first powered adapter with LE) for timeout_ms, beside bluetoothd:
 * through the kernel's management interface, the kernel runs an active LE
 * discovery (Start Discovery) and reports each device with its
 * advertisement and scan response (Device Found).  When another program
 * (bluetoothd) is discovering already, its discovery is listened to
 * instead and left running; a discovery this call started is stopped at
 * the end, one it did not start never is.  A kernel without the
 * management interface gets a raw HCI LE scan (legacy and extended
 * advertising reports), which likewise never disables a scan it did not
 * enable.
 *
 * Records of one address are merged (wc_adv_merge) and cb is called once
 * per device at the end, in the order first seen, with ->family set.
 *
 * An interrupting signal (poll() returning EINTR, e.g. SIGINT whose handler
 * only sets a flag) ends the scan early; what was seen is still reported
 * and WC_OK returned.  On WC_OK msg (may be NULL) is "" or a note starting
 * "note: " (another program's discovery ended early, so the list may be
 * short).  On failure msg says why and what to do:  WC_E_NOBT no Bluetooth
 * / no adapter / adapter powered off, WC_E_IO permission or refusal,
 * WC_E_TIMEOUT the kernel did not answer, WC_E_ARG bad adapter string. */
enum wc_err wc_ble_scan(const char *adapter, int timeout_ms,
			void (*cb)(void *user, const struct wc_adv *adv),
			void *user, char *msg, size_t msglen);

/* The adapter an adapter string stands for, as "hciN" into buf: "hciN"
 * as given, an adapter address or NULL (the default adapter) looked up
 * among the adapters that are up.  When the lookup finds none, buf gets
 * the string as given, or "the default adapter".  Returns buf. */
char *wc_ble_adapter_name(const char *adapter, char *buf, size_t len);

#endif
