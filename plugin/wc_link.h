/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link: a connected SOCK_SEQPACKET fd that carries ATT PDUs, one PDU
 * per read(), whatever the transport underneath.
 *
 * Two transports sit behind one interface, each a small const ops table
 * (libmodbus backend style):
 *   "unix"  unix:/path/to.sock — the simulator, AF_UNIX SOCK_SEQPACKET;
 *   "ble"   C0:D6:3C:52:E4:D9  — an L2CAP LE socket on the ATT channel
 *           (CID 4) on BlueZ's headers; plugin/ble.c, plugin/hci.c and
 *           plugin/mgmt.c are the only files that include Bluetooth
 *           headers.
 * The ATT MTU is 23 on both until att_exchange_mtu() raises it.
 *
 * Ownership: wc_link_open() hands out a link that owns its fd; on failure
 * nothing is left open and *out is NULL.  wc_link_close() closes the fd and
 * frees the link.  Whoever uses the fd (struct att) must not close it. */
#ifndef WC_LINK_H
#define WC_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link_addr.h"
#include "wc_error.h"

struct wc_link_opts {
	const char *address;         /* "unix:/path" or "C0:D6:3C:52:E4:D9" */
	const char *adapter;         /* "hci0" or the adapter's BD address;
					NULL = the default adapter */
	enum wc_addr_type addr_type; /* BLE only */
	bool session;                /* BLE only: hold the adapter from the
					connect until the link is gone (a poll
					that hangs up after itself) */
	uint32_t supervision_ms;     /* BLE only: LE supervision timeout to
					connect with (connparam.h); 0: the
					kernel's */
};

struct wc_link;

/* Connect to o->address, never waiting past deadline_ms (absolute,
 * CLOCK_MONOTONIC ms, see clock.h).  On success *out is a connected link
 * and msg is "".  On failure *out is NULL, d (may be NULL) holds the code
 * and msg (may be NULL) one sentence with the cause and the fix, e.g.
 *   WC_E_ARG      bad address or adapter string
 *   WC_E_NOBT     this kernel has no Bluetooth support / no adapter
 *   WC_E_IO       permission denied, connection refused, no such socket
 *   WC_E_TIMEOUT  connect timed out (battery held by the phone app?)
 * Thread-safe: BLE connects are serialised per adapter inside. */
enum wc_err wc_link_open(const struct wc_link_opts *o, uint64_t deadline_ms,
			 struct wc_link **out, struct wc_diag *d, char *msg,
			 size_t msglen);

/* The connected fd: SOCK_SEQPACKET, O_NONBLOCK, close-on-exec; one read is
 * one ATT PDU.  Owned by the link. */
int wc_link_fd(const struct wc_link *l);

/* RSSI of the live connection in dBm: 0 and *rssi set, or -1 when unknown
 * (for BLE when the kernel, the controller or permissions refuse; for
 * unix when the simulator was given none).  Never waits past deadline_ms
 * (absolute, CLOCK_MONOTONIC ms): a poll's RSSI fits in its Timeout. */
int wc_link_rssi(struct wc_link *l, int8_t *rssi, uint64_t deadline_ms);

/* Why a link that failed went, when the transport knows it from more than
 * the socket's errno (BLE: the kernel's Device Disconnected reason), in
 * plugin/linkcause.c's words; NULL otherwise.  Reads only what is queued:
 * never waits. */
const char *wc_link_drop_cause(struct wc_link *l);

/* "ble" or "unix". */
const char *wc_link_kind(const struct wc_link *l);

/* Close the fd and free the link.  NULL is a no-op. */
void wc_link_close(struct wc_link *l);

#endif
