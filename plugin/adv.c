/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Advertising data parsing and family classification (pure). */
#include "adv.h"

#include <stdio.h>
#include <string.h>

#include "bytes.h"

/* AD types, Core Spec Supplement part A §1 */
enum ad_type {
	AD_UUID16_INCOMPLETE = 0x02,
	AD_UUID16_COMPLETE = 0x03,
	AD_UUID32_INCOMPLETE = 0x04,
	AD_UUID32_COMPLETE = 0x05,
	AD_UUID128_INCOMPLETE = 0x06,
	AD_UUID128_COMPLETE = 0x07,
	AD_NAME_SHORT = 0x08,
	AD_NAME_COMPLETE = 0x09,
	AD_MANUFACTURER = 0xFF,
};

#define LE_META_ADV_REPORT 0x02
#define LE_META_EXT_ADV_REPORT 0x0D
/* extended report: no address (anonymous advertisement) */
#define EXT_ADDR_ANONYMOUS 0xFF
#define RSSI_UNAVAILABLE 127

/* WATT manufacturer data is the MAC followed by FF (doc/PROTOCOL.md §9); read
 * as a company id that is 0xD6C0 because XDZN MACs begin C0:D6. */
#define WATT_MFR_MARK 0xFF
#define WATT_MFR_MARK_AT 6
/* The 48 V WTbF… unit advertises JK-style data under company 0x7B26
 * (ADV-7). */
#define COMPANY_JK_STYLE 0x7B26

void wc_adv_init(struct wc_adv *adv, const uint8_t bdaddr[6],
		 enum wc_addr_type type)
{
	memset(adv, 0, sizeof(*adv));
	memcpy(adv->bdaddr, bdaddr, sizeof(adv->bdaddr));
	wc_bdaddr_format(bdaddr, adv->address, sizeof(adv->address));
	adv->addr_type = type;
	adv->family = wc_adv_family(adv);
}

static void add_uuid(struct wc_adv *adv, const char *s)
{
	size_t i;

	for (i = 0; i < adv->n_uuids; i++)
		if (strcmp(adv->uuids[i], s) == 0)
			return;
	if (adv->n_uuids >= WC_ADV_UUIDS_MAX)
		return; /* a bounded list; more than 8 is not a battery */
	snprintf(adv->uuids[adv->n_uuids], WC_ADV_UUID_STRLEN, "%s", s);
	adv->n_uuids++;
}

/* little-endian UUID of 2, 4 or 16 bytes into the lower-case 128-bit form */
static void format_uuid(const uint8_t *p, size_t n, char *out)
{
	static const char base_tail[] = "-0000-1000-8000-00805f9b34fb";
	uint8_t b[16];
	size_t i;

	if (n == 2) {
		snprintf(out, WC_ADV_UUID_STRLEN, "0000%04x%s", get_le16(p),
			 base_tail);
		return;
	}
	if (n == 4) {
		snprintf(out, WC_ADV_UUID_STRLEN, "%08x%s",
			 (unsigned)get_le16(p) |
				 (unsigned)get_le16(p + 2) << 16,
			 base_tail);
		return;
	}
	for (i = 0; i < 16; i++)
		b[i] = p[15 - i];
	snprintf(out, WC_ADV_UUID_STRLEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

static bool add_uuid_list(struct wc_adv *adv, const uint8_t *p, size_t n,
			  size_t size)
{
	char s[WC_ADV_UUID_STRLEN];
	size_t i;

	if (n % size != 0)
		return false;
	for (i = 0; i < n; i += size) {
		format_uuid(p + i, size, s);
		add_uuid(adv, s);
	}
	return true;
}

static void set_name(struct wc_adv *adv, const uint8_t *p, size_t n,
		     bool complete)
{
	size_t i;

	if (adv->name_complete && !complete)
		return;
	if (n >= sizeof(adv->name))
		n = sizeof(adv->name) - 1;
	/* names are shown and logged: keep them printable */
	for (i = 0; i < n; i++)
		adv->name[i] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : '?';
	adv->name[n] = '\0';
	adv->has_name = true;
	adv->name_complete = complete;
}

enum wc_err wc_adv_parse_ad(struct wc_adv *adv, const uint8_t *data,
			    size_t len, struct wc_diag *d)
{
	size_t off = 0;
	enum wc_err rc = WC_OK;

	if (!adv || (!data && len))
		return wc_fail(d, WC_E_ARG, 0, 0);
	while (off < len) {
		size_t n = data[off];
		const uint8_t *v;
		bool ok = true;

		if (n == 0)
			break; /* zero length ends the significant part */
		if (n > len - off - 1) {
			rc = wc_fail(d, WC_E_TRUNCATED, (uint32_t)off,
				     (uint32_t)len);
			break;
		}
		v = data + off + 2;
		n -= 1; /* the type byte */
		switch (data[off + 1]) {
		case AD_UUID16_INCOMPLETE:
		case AD_UUID16_COMPLETE:
			ok = add_uuid_list(adv, v, n, 2);
			break;
		case AD_UUID32_INCOMPLETE:
		case AD_UUID32_COMPLETE:
			ok = add_uuid_list(adv, v, n, 4);
			break;
		case AD_UUID128_INCOMPLETE:
		case AD_UUID128_COMPLETE:
			ok = add_uuid_list(adv, v, n, 16);
			break;
		case AD_NAME_SHORT:
			set_name(adv, v, n, false);
			break;
		case AD_NAME_COMPLETE:
			set_name(adv, v, n, true);
			break;
		case AD_MANUFACTURER:
			if (n > sizeof(adv->mfr))
				n = sizeof(adv->mfr);
			memcpy(adv->mfr, v, n);
			adv->mfr_len = n;
			break;
		default:
			break;
		}
		if (!ok) {
			rc = wc_fail(d, WC_E_TRUNCATED, (uint32_t)off,
				     (uint32_t)len);
			break;
		}
		off += 2 + n;
	}
	adv->family = wc_adv_family(adv);
	return rc;
}

/* One report's address and data into a record for cb. */
static void deliver(const uint8_t *addr_wire, uint8_t addr_type,
		    const uint8_t *data, size_t dlen, uint8_t rssi,
		    void (*cb)(void *user, const struct wc_adv *adv),
		    void *user)
{
	struct wc_adv adv;
	uint8_t bd[6];
	int k;

	for (k = 0; k < 6; k++)
		bd[k] = addr_wire[5 - k]; /* on the wire LSB first */
	/* 0 public, 1 random, 2/3 the same resolved from an IRK */
	wc_adv_init(&adv, bd,
		    (addr_type & 1) ? WC_ADDR_RANDOM : WC_ADDR_PUBLIC);
	/* a bad AD structure still leaves the address worth seeing */
	(void)wc_adv_parse_ad(&adv, data, dlen, NULL);
	if (rssi != RSSI_UNAVAILABLE) {
		adv.has_rssi = true;
		adv.rssi = (int8_t)rssi;
	}
	cb(user, &adv);
}

/* LE Advertising Report (Core Vol 4 Part E §7.7.65.2): per report event
 * type, address type, address, data length, data, RSSI. */
static enum wc_err legacy_reports(struct cursor *c, size_t len,
				  void (*cb)(void *user,
					     const struct wc_adv *adv),
				  void *user, struct wc_diag *d)
{
	uint8_t count, i;

	if (!rd_u8(c, &count))
		return wc_fail(d, WC_E_TRUNCATED, 1, (uint32_t)len);
	/* Reports are laid out one after another, as the kernel and every
	 * controller we know send them. */
	for (i = 0; i < count; i++) {
		const uint8_t *addr, *data;
		uint8_t evt_type, addr_type, dlen, rssi;

		if (!rd_u8(c, &evt_type) || !rd_u8(c, &addr_type) ||
		    !rd_take(c, 6, &addr) || !rd_u8(c, &dlen) ||
		    !rd_take(c, dlen, &data) || !rd_u8(c, &rssi))
			return wc_fail(d, WC_E_TRUNCATED,
				       (uint32_t)(len - c->left),
				       (uint32_t)len);
		(void)evt_type;
		deliver(addr, addr_type, data, dlen, rssi, cb, user);
	}
	return WC_OK;
}

/* LE Extended Advertising Report (Core Vol 4 Part E §7.7.65.13), what a
 * Bluetooth 5 controller sends once extended scanning is used: per report
 * event type (2), address type, address, primary and secondary PHY,
 * advertising SID, TX power, RSSI, periodic advertising interval (2),
 * direct address type and address (6), data length, data.  A report whose
 * data continues in the next event (data status "incomplete") gives what
 * it holds; the next part merges in by address. */
static enum wc_err extended_reports(struct cursor *c, size_t len,
				    void (*cb)(void *user,
					       const struct wc_adv *adv),
				    void *user, struct wc_diag *d)
{
	uint8_t count, i;

	if (!rd_u8(c, &count))
		return wc_fail(d, WC_E_TRUNCATED, 1, (uint32_t)len);
	for (i = 0; i < count; i++) {
		const uint8_t *evt_type, *addr, *skip, *data;
		uint8_t addr_type, rssi, dlen;

		if (!rd_take(c, 2, &evt_type) || !rd_u8(c, &addr_type) ||
		    !rd_take(c, 6, &addr) ||
		    !rd_take(c, 4, &skip) || /* PHYs, SID, TX power */
		    !rd_u8(c, &rssi) ||
		    !rd_take(c, 9, &skip) || /* interval, direct address */
		    !rd_u8(c, &dlen) || !rd_take(c, dlen, &data))
			return wc_fail(d, WC_E_TRUNCATED,
				       (uint32_t)(len - c->left),
				       (uint32_t)len);
		(void)evt_type;
		if (addr_type == EXT_ADDR_ANONYMOUS)
			continue; /* nobody to list or connect to */
		deliver(addr, addr_type, data, dlen, rssi, cb, user);
	}
	return WC_OK;
}

enum wc_err wc_adv_parse_le_meta(const uint8_t *p, size_t len,
				 void (*cb)(void *user,
					    const struct wc_adv *adv),
				 void *user, struct wc_diag *d)
{
	struct cursor c = cursor_init(p, len);
	uint8_t sub;

	if (!p || !cb)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (!rd_u8(&c, &sub))
		return wc_fail(d, WC_E_TRUNCATED, 0, (uint32_t)len);
	if (sub == LE_META_ADV_REPORT)
		return legacy_reports(&c, len, cb, user, d);
	if (sub == LE_META_EXT_ADV_REPORT)
		return extended_reports(&c, len, cb, user, d);
	return WC_OK;
}

void wc_adv_merge(struct wc_adv *into, const struct wc_adv *from)
{
	size_t i;

	if (from->has_rssi) {
		into->has_rssi = true;
		into->rssi = from->rssi;
	}
	if (from->has_name && (!into->name_complete || from->name_complete)) {
		memcpy(into->name, from->name, sizeof(into->name));
		into->has_name = true;
		into->name_complete = from->name_complete;
	}
	if (from->mfr_len) {
		memcpy(into->mfr, from->mfr, from->mfr_len);
		into->mfr_len = from->mfr_len;
	}
	for (i = 0; i < from->n_uuids; i++)
		add_uuid(into, from->uuids[i]);
	into->family = wc_adv_family(into);
}

static bool name_starts(const struct wc_adv *adv, const char *prefix)
{
	return adv->has_name &&
	       strncmp(adv->name, prefix, strlen(prefix)) == 0;
}

static bool has_uuid(const struct wc_adv *adv, const char *uuid)
{
	size_t i;

	for (i = 0; i < adv->n_uuids; i++)
		if (strcmp(adv->uuids[i], uuid) == 0)
			return true;
	return false;
}

static bool mfr_is_mac_ff(const struct wc_adv *adv)
{
	if (adv->mfr_len <= WATT_MFR_MARK_AT ||
	    adv->mfr[WATT_MFR_MARK_AT] != WATT_MFR_MARK)
		return false;
	/* the MAC itself, or at least the XDZN OUI start when the address
	 * the scanner reports differs (ADV-2/3: C0 D6 = company 0xD6C0) */
	return memcmp(adv->mfr, adv->bdaddr, 6) == 0 ||
	       (adv->mfr[0] == 0xC0 && adv->mfr[1] == 0xD6);
}

static bool mac_is_c237(const struct wc_adv *adv)
{
	if (adv->bdaddr[1] == 0xC2 && adv->bdaddr[2] == 0x37)
		return true;
	/* JBD-family data starts with the MAC too (ADV-5, ADV-6) */
	return adv->mfr_len >= 6 && adv->mfr[1] == 0xC2 && adv->mfr[2] == 0x37;
}

const char *wc_adv_family(const struct wc_adv *adv)
{
	if (!adv)
		return "unknown";
	if (name_starts(adv, "XDZN") || mfr_is_mac_ff(adv))
		return "watt";
	/* WT + digit: the 12 V minis (WT12V100AH100MINIBT, §9) */
	if (name_starts(adv, "WT") && adv->name[2] >= '0' &&
	    adv->name[2] <= '9')
		return "watt";
	if (name_starts(adv, "WTbF") && adv->mfr_len >= 2 &&
	    get_le16(adv->mfr) == COMPANY_JK_STYLE)
		return "watt";
	if (name_starts(adv, "WTaHd") || name_starts(adv, "WTeHd") ||
	    name_starts(adv, "WTDH"))
		return "jbd";
	if (mac_is_c237(adv) &&
	    has_uuid(adv, "0000fff0-0000-1000-8000-00805f9b34fb"))
		return "jbd";
	return "unknown";
}
