/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Advertising data: pure parsing and family classification.
 *
 * No I/O here, so the rules can be tested with the published
 * advertisements (doc/PROTOCOL.md §9, §14.7) and no radio.  ble.c feeds the
 * HCI LE advertising reports it reads through wc_adv_parse_le_meta(), and
 * mgmt.c the kernel's Device Found events through wc_adv_parse_ad(). */
#ifndef WC_ADV_H
#define WC_ADV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link_addr.h"
#include "wc_error.h"

#define WC_ADV_NAME_MAX 32  /* legacy AD payload is 31 bytes: name ≤ 29 */
#define WC_ADV_MFR_MAX 31
#define WC_ADV_UUIDS_MAX 8
#define WC_ADV_UUID_STRLEN 37 /* "0000fff0-0000-1000-8000-00805f9b34fb" + NUL */

struct wc_adv {
	char address[18];            /* "C0:D6:3C:52:E4:D9" */
	uint8_t bdaddr[6];           /* display order, [0] = "C0" */
	enum wc_addr_type addr_type; /* WC_ADDR_PUBLIC or WC_ADDR_RANDOM */
	bool has_name;
	bool name_complete;          /* from AD 0x09, not 0x08 (shortened) */
	char name[WC_ADV_NAME_MAX];
	bool has_rssi;
	int8_t rssi;                 /* dBm */
	size_t mfr_len;
	uint8_t mfr[WC_ADV_MFR_MAX]; /* AD 0xFF data: company id (LE) first */
	size_t n_uuids;
	char uuids[WC_ADV_UUIDS_MAX][WC_ADV_UUID_STRLEN]; /* full 128-bit,
							     lower case */
	const char *family;          /* wc_adv_family() of the above */
};

/* Empty record for one address; family "unknown". */
void wc_adv_init(struct wc_adv *adv, const uint8_t bdaddr[6],
		 enum wc_addr_type type);

/* Add the AD structures in data[len] (advertising data or scan response)
 * to adv and refresh adv->family.  A complete name (0x09) replaces a
 * shortened one (0x08); manufacturer data replaces earlier manufacturer
 * data; UUIDs are added once each (16-bit 0x02/0x03, 32-bit 0x04/0x05,
 * 128-bit 0x06/0x07).  A structure running past the end, or a UUID list
 * whose length is not a multiple of the UUID size, is WC_E_TRUNCATED
 * (d.a = offset, d.b = len); what was parsed before it is kept. */
enum wc_err wc_adv_parse_ad(struct wc_adv *adv, const uint8_t *data,
			    size_t len, struct wc_diag *d);

/* Parse the parameters of an HCI LE Meta event (after the 0x3E event code
 * and the length byte): for subevent 0x02 (LE Advertising Report) and 0x0D
 * (LE Extended Advertising Report, Bluetooth 5) call cb once per report in
 * it (every report, not only the first; an extended report without an
 * address, "anonymous", is skipped).  Other subevents are ignored (WC_OK,
 * no call).  Malformed events are WC_E_TRUNCATED; reports before the bad
 * one were delivered.  The record passed to cb is valid during the call
 * only. */
enum wc_err wc_adv_parse_le_meta(const uint8_t *p, size_t len,
				 void (*cb)(void *user,
					    const struct wc_adv *adv),
				 void *user, struct wc_diag *d);

/* Fold a later record of the same address into into (advertisement plus
 * scan response): newer RSSI, name if the newer has one (complete wins),
 * manufacturer data if the newer has some, union of UUIDs. */
void wc_adv_merge(struct wc_adv *into, const struct wc_adv *from);

/* The protocol family an advertisement suggests (a guess; confirm after
 * connecting, e.g. FFFA present means WATT, doc/PROTOCOL.md §11.1):
 *   "watt"  name XDZN…, or name WT + digit (WT12V… minis), or manufacturer
 *           data = MAC + FF (company 0xD6C0, bytes C0 D6 …), or name WTbF…
 *           with company 0x7B26;
 *   "jbd"   name WTaHd…/WTeHd…/WTDH…, or a MAC with C2:37 in bytes 1–2 that
 *           advertises FFF0 (FFFA cannot be seen before connecting);
 *   "unknown" otherwise.
 * Pure: the result depends only on *adv. */
const char *wc_adv_family(const struct wc_adv *adv);

#endif
