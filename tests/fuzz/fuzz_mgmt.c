/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the parsers of plugin/mgmt.c (packets read from
 * the kernel's Bluetooth management socket) and the Device Found →
 * struct wc_adv path that `wattcycle scan` reports from.
 *
 * Input: one packet as read from the socket (code, index, length, all
 * le16, then parameters).  Its parameters go through every event parser,
 * whatever the code says, and a Device Found through wc_mgmt_found_to_adv.
 * Checks: pointers handed back lie inside the declared parameters; the
 * advertising record is bounded and printable (names are shown and
 * logged), its family one of the three. */
#include <string.h>

#include "fuzz_common.h"
#include "mgmt.h"

static void check_adv(const struct wc_adv *a)
{
	size_t i;

	CHECK(a->addr_type == WC_ADDR_PUBLIC || a->addr_type == WC_ADDR_RANDOM);
	CHECK(strlen(a->address) == 17);
	CHECK(a->mfr_len <= WC_ADV_MFR_MAX);
	CHECK(a->n_uuids <= WC_ADV_UUIDS_MAX);
	CHECK(strlen(a->name) < WC_ADV_NAME_MAX);
	for (i = 0; a->name[i]; i++)
		CHECK(a->name[i] >= 0x20 && a->name[i] < 0x7F);
	CHECK(a->has_name || a->name[0] == '\0');
	CHECK(strcmp(a->family, "watt") == 0 || strcmp(a->family, "jbd") == 0 ||
	      strcmp(a->family, "unknown") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wc_mgmt_hdr h;
	struct wc_mgmt_reply r;
	struct wc_mgmt_found f;
	struct wc_mgmt_discovering v;
	struct wc_mgmt_dev_event e;
	struct wc_adv adv;
	const uint8_t *p = NULL, *end;
	enum wc_err rc;

	rc = wc_mgmt_parse_hdr(data, size, &h, &p);
	CHECK(rc == WC_OK || rc == WC_E_SHORT || rc == WC_E_TRUNCATED ||
	      rc == WC_E_ARG);
	if (rc != WC_OK)
		return 0;
	CHECK(size >= WC_MGMT_HDR_LEN + (size_t)h.len);
	CHECK(p == data + WC_MGMT_HDR_LEN);
	end = p + h.len;

	if (wc_mgmt_parse_reply(WC_MGMT_EV_CMD_COMPLETE, p, h.len, &r) ==
	    WC_OK) {
		CHECK(r.complete);
		CHECK((r.rparam == NULL) == (r.rlen == 0));
		CHECK(!r.rparam || (r.rparam >= p && r.rparam + r.rlen <= end));
	}
	if (wc_mgmt_parse_reply(WC_MGMT_EV_CMD_STATUS, p, h.len, &r) == WC_OK)
		CHECK(!r.complete && !r.rparam && r.rlen == 0);
	CHECK(wc_mgmt_parse_reply(WC_MGMT_EV_DEVICE_FOUND, p, h.len, &r) ==
	      WC_E_ARG);

	if (wc_mgmt_parse_found(p, h.len, &f) == WC_OK) {
		CHECK((f.eir == NULL) == (f.eir_len == 0));
		CHECK(!f.eir || (f.eir >= p && f.eir + f.eir_len <= end));
		if (wc_mgmt_found_to_adv(&f, &adv)) {
			check_adv(&adv);
			CHECK(memcmp(adv.bdaddr, f.bdaddr, 6) == 0);
			CHECK(adv.has_rssi ==
			      (f.rssi != WC_MGMT_RSSI_INVALID));
		} else {
			CHECK(f.addr_type != WC_MGMT_ADDR_LE_PUBLIC &&
			      f.addr_type != WC_MGMT_ADDR_LE_RANDOM);
		}
	} else {
		CHECK(h.len < 14 || (size_t)h.len < 14u + (p[12] | p[13] << 8));
	}
	if (wc_mgmt_parse_discovering(p, h.len, &v) != WC_OK)
		CHECK(h.len < 2);
	if (wc_mgmt_parse_disconnected(p, h.len, &e) != WC_OK)
		CHECK(h.len < 8);
	if (wc_mgmt_parse_connect_failed(p, h.len, &e) != WC_OK)
		CHECK(h.len < 8);
	CHECK(wc_mgmt_status_str((uint8_t)h.code) != NULL);
	return 0;
}
