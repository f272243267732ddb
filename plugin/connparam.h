/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LE connection parameters a battery's link is opened with, and the
 * bytes of the two management (mgmt) commands about a link: Load
 * Connection Parameters (0x0035), which sets the supervision timeout the
 * kernel's next connect to an address uses, and Get Connection
 * Information (0x0031), which gives the RSSI of a live link.
 *
 * The supervision timeout is how long a link survives without a packet
 * from the peer; the kernel's default is 420 ms, short beside inverters
 * and engines.  The kernel stores it in 10 ms units and accepts 100 to
 * 32000 ms; the Bluetooth Core spec (Vol 6 Part B §4.5.2) wants it longer
 * than (1 + latency) * max interval * 2.  We keep the kernel's default
 * interval range (30 to 50 ms) and latency 0, and narrow the max interval
 * only where a 100 ms timeout needs it.
 *
 * Layouts from BlueZ's doc/mgmt-api.txt; pure functions, no I/O. */
#ifndef WC_CONNPARAM_H
#define WC_CONNPARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WC_SUPERVISION_MIN_MS 100u
#define WC_SUPERVISION_MAX_MS 32000u
#define WC_SUPERVISION_STEP_MS 10u

/* The kernel's default connection interval range, 1.25 ms units. */
#define WC_CONN_MIN_INTERVAL 0x0018u /* 30 ms */
#define WC_CONN_MAX_INTERVAL 0x0028u /* 50 ms */

/* One entry of Load Connection Parameters (after its le16 count). */
#define WC_CONNPARAM_ENTRY_LEN 15u
/* The whole parameter block with one entry. */
#define WC_CONNPARAM_LOAD_LEN (2u + WC_CONNPARAM_ENTRY_LEN)
/* Get Connection Information: its parameters and its reply. */
#define WC_CONNINFO_PARAM_LEN 7u
#define WC_CONNINFO_REPLY_LEN 10u

/* Whether ms is a supervision timeout the kernel takes: 100 to 32000 in
 * steps of 10.  On false, why (may be NULL) gets the rule as a phrase
 * ("expects milliseconds from 100 to 32000 in steps of 10"). */
bool wc_supervision_valid(double ms, char *why, size_t whylen);

/* The connection parameters for a supervision timeout of ms (valid per
 * wc_supervision_valid): intervals in 1.25 ms units, latency in events,
 * timeout in 10 ms units. */
struct wc_connparam {
	uint16_t min_interval;
	uint16_t max_interval;
	uint16_t latency;
	uint16_t timeout;
};
void wc_connparam_for(uint32_t ms, struct wc_connparam *out);

/* Load Connection Parameters with ONE entry (with more than one the kernel
 * first clears every entry nobody enabled, which may be another
 * program's): count 1, the address least significant byte first, its mgmt
 * address type (1 LE public, 2 LE random), min and max interval, latency,
 * timeout, all le16.  bdaddr in display order ([0] = "C0").  Returns
 * WC_CONNPARAM_LOAD_LEN, or 0 when buf is NULL or shorter. */
size_t wc_connparam_load_build(uint8_t *buf, size_t buflen,
			       const uint8_t bdaddr[6], uint8_t mgmt_type,
			       const struct wc_connparam *p);

/* Get Connection Information's parameters: the address (least
 * significant byte first) and its mgmt type.  Returns
 * WC_CONNINFO_PARAM_LEN or 0 (buf NULL or short). */
size_t wc_conninfo_build(uint8_t *buf, size_t buflen, const uint8_t bdaddr[6],
			 uint8_t mgmt_type);

/* Its reply: address, type, RSSI (s8), TX power, max TX power.  True and
 * *rssi when the reply is for bdaddr/mgmt_type and carries an RSSI (127
 * means "not available"); false otherwise. */
bool wc_conninfo_rssi(const uint8_t *rp, size_t n, const uint8_t bdaddr[6],
		      uint8_t mgmt_type, int8_t *rssi);

#endif
