/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Why a Bluetooth link failed, in words: the one table of these sentences,
 * used by the plugin's messages and by `wattcycle read` alike (both get
 * them through the poll's failure message).
 *
 * The causes come from three places, all mapped onto the same sentences:
 *   - the socket's errno: the kernel turns the HCI reason of a failed or
 *     dropped LE link into an errno (0x08 connection timeout -> ETIMEDOUT,
 *     0x13..0x15 remote terminated -> ECONNRESET, 0x16 local host ->
 *     ECONNABORTED, 0x3E and other reasons it has no errno for -> ENOSYS),
 *     and a second user of a battery's ATT channel gets EBUSY;
 *   - an HCI reason or status (Disconnection Complete, LE Connection
 *     Complete; Bluetooth Core Vol 1 Part F);
 *   - the kernel's management interface: Device Disconnected's reason and
 *     a Connect Failed's status (doc/collectd-wattcycle.5 lists them).
 * Pure functions; no I/O. */
#ifndef WC_LINKCAUSE_H
#define WC_LINKCAUSE_H

#include <stdbool.h>
#include <stdint.h>

/* When the errno was seen: it reads differently while connecting (a
 * timeout there is a battery that never answered) and on a live link (a
 * timeout there is the supervision timeout). */
enum wc_link_phase {
	WC_PHASE_CONNECT,
	WC_PHASE_LIVE,
};

/* The sentence for errno err in phase, or NULL when the table has none
 * (the caller then says strerror(err)). */
const char *wc_linkcause_errno(int err, enum wc_link_phase phase);

/* The sentence for an HCI reason/status (0x08, 0x13, 0x3E …), or NULL. */
const char *wc_linkcause_hci(uint8_t reason);

/* The sentence for the reason of mgmt Device Disconnected (0 unspecified,
 * 1 timeout, 2 local host, 3 remote, 4 authentication, 5 suspend), or
 * NULL. */
const char *wc_linkcause_mgmt_reason(uint8_t reason);

/* The sentence for the status of mgmt Connect Failed (a mgmt status, not
 * an HCI one: 0x04 connect failed, 0x08 timeout, 0x0A busy, 0x0F not
 * powered, 0x14 permission denied …), or NULL. */
const char *wc_linkcause_mgmt_status(uint8_t status);

/* Whether a connect that failed with err may be worth another address
 * type: only "nobody answered".  EBUSY never is (the battery is there,
 * held by another program). */
bool wc_linkcause_try_other_type(int err);

#endif
