/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/adv.[ch]: AD parsing and the family guess against
 * the published advertisements of doc/PROTOCOL.md §14.7 (ADV-1…ADV-7), plus
 * HCI LE advertising report events (legacy and extended) and the
 * malformed inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adv.h"
#include "wc_link.h"
#include "unhex.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define U16(x) "0000" x "-0000-1000-8000-00805f9b34fb"
#define VENDOR "02f00000-0000-0000-0000-00000000fe00"

static const struct adv_case {
	const char *id;
	const char *addr;
	const char *ad; /* hex of the AD structures */
	const char *family;
	const char *name; /* NULL: no name */
	size_t mfr_len;
	const char *uuids[4];
} cases[] = {
	/* ADV-1: name, MAC + FF, and the UUIDs BlueZ reported (the 16-bit
	 * ones as one list, the vendor one as a 128-bit list) */
	{ "ADV-1", "C0:D6:3C:52:E4:D9",
	  "0e 09 58445a4e5f3030315f45344439"
	  " 08 ff c0d63c52e4d9ff"
	  " 07 03 0018 0118 f0ff"
	  " 11 07 00fe000000000000000000000000f002",
	  "watt", "XDZN_001_E4D9", 7,
	  { U16("1800"), U16("1801"), U16("fff0"), VENDOR } },
	/* ADV-2: manufacturer data only (aiobmsble test data) */
	{ "ADV-2", "C0:D6:3C:4F:AC:50", "08 ff c0d63c4fac50ff", "watt", NULL,
	  7, { NULL } },
	/* ADV-3: MAC + FF + "XD" */
	{ "ADV-3", "C0:D6:3C:58:49:A1",
	  "0e 09 58445a4e5f3030315f34394131 0a ff c0d63c5849a1ff5844", "watt",
	  "XDZN_001_49A1", 9, { NULL } },
	/* ADV-4 */
	{ "ADV-4", "C0:D6:3C:5C:B5:86", "0a ff c0d63c5cb586ff5844", "watt",
	  NULL, 9, { NULL } },
	/* ADV-5: raw as published; JBD family */
	{ "ADV-5", "AA:C2:37:0D:21:7E",
	  "02 01 06 12 09 57 54 61 48 64 41 5A 32 36 30 33 33 30 31 39 38 32"
	  " 03 02 F0 FF 0D FF AA C2 37 0D 21 7E 00 02 29 00 03 00",
	  "jbd", "WTaHdAZ2603301982", 12, { U16("fff0") } },
	/* ADV-6: raw as published; JBD family */
	{ "ADV-6", "EE:C2:37:00:64:8C",
	  "03 02 F0 FF 12 09 57 54 61 48 64 42 31 32 36 30 35 31 31 30 31 33"
	  " 39 0F FF EE C2 37 00 64 8C 10 12 33 11 03 00 0D 00",
	  "jbd", "WTaHdB12605110139", 14, { U16("fff0") } },
	/* ADV-7: the published start, the manufacturer record of company
	 * 31526 = 0x7B26 and the two services */
	{ "ADV-7", "63:A1:00:06:BA:97",
	  "02 01 06 0F 09 57 54 62 46 63 42 47 32 36 32 31 30 38 30"
	  " 0b ff 267b 88a0 63a10006ba97 05 03 e0ff e1ff",
	  "watt", "WTbFcBG2621080", 10, { U16("ffe0"), U16("ffe1") } },
	/* §9: the 12 V minis are named WT + digits */
	{ "mini", "11:22:33:44:55:66",
	  "14 09 5754313256313030414831303030494e494254" /* WT12V100AH1000INIBT */,
	  "watt", "WT12V100AH1000INIBT", 0, { NULL } },
	/* the other JBD-family name prefixes of the app's list */
	{ "WTeHd", "11:22:33:44:55:66", "09 09 5754654864424431", "jbd",
	  "WTeHdBD1", 0, { NULL } },
	{ "WTDH", "11:22:33:44:55:66", "09 09 5754444830343031", "jbd",
	  "WTDH0401", 0, { NULL } },
	/* C2:37 MAC with FFF0 but no name yet: JBD */
	{ "c237+fff0", "AA:C2:37:0D:21:7E", "03 02 f0ff", "jbd", NULL, 0,
	  { U16("fff0") } },
	/* C2:37 MAC without FFF0: not enough */
	{ "c237 alone", "AA:C2:37:0D:21:7E", "02 01 06", "unknown", NULL, 0,
	  { NULL } },
	/* WTbF name without the 0x7B26 record */
	{ "WTbF no mfr", "63:A1:00:06:BA:97",
	  "0f 09 5754624663424732363231303830", "unknown", "WTbFcBG2621080",
	  0, { NULL } },
	/* MAC followed by 00, not FF */
	{ "mac+00", "C0:D6:3C:52:E4:D9", "08 ff c0d63c52e4d900", "unknown",
	  NULL, 7, { NULL } },
	/* a Govee sensor shares the Telink vendor service */
	{ "govee", "A4:C1:38:00:11:22",
	  "08 09 47564835303735 11 07 00fe000000000000000000000000f002",
	  "unknown", "GVH5075", 0, { VENDOR } },
	/* nothing at all */
	{ "empty", "00:11:22:33:44:55", "", "unknown", NULL, 0, { NULL } },
};

static void test_vectors(void **state)
{
	size_t i, k;
	int bad = 0;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		const struct adv_case *t = &cases[i];
		struct wc_adv adv;
		uint8_t ad[64], bd[6];
		size_t n = unhex(t->ad, ad, sizeof(ad)), nu = 0;
		struct wc_diag d;
		enum wc_err rc;

		if (!wc_bdaddr_parse(t->addr, bd) || (n == 0 && *t->ad))
			fail_msg("%s: bad test data", t->id);
		wc_adv_init(&adv, bd, WC_ADDR_RANDOM);
		rc = wc_adv_parse_ad(&adv, ad, n, &d);
		while (nu < 4 && t->uuids[nu])
			nu++;
#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			print_error("%s: ", t->id);                         \
			print_error(__VA_ARGS__);                           \
			print_error("\n");                                  \
			bad++;                                              \
		}                                                           \
	} while (0)
		CHECK(rc == WC_OK, "parse: %s", wc_strerror(rc));
		CHECK(strcmp(adv.family, t->family) == 0,
		      "family %s, want %s", adv.family, t->family);
		CHECK(strcmp(wc_adv_family(&adv), adv.family) == 0,
		      "family field stale");
		CHECK(strcmp(adv.address, t->addr) == 0, "address %s",
		      adv.address);
		CHECK(adv.has_name == (t->name != NULL), "has_name %d",
		      adv.has_name);
		if (t->name)
			CHECK(strcmp(adv.name, t->name) == 0, "name %s",
			      adv.name);
		CHECK(adv.mfr_len == t->mfr_len, "mfr_len %zu, want %zu",
		      adv.mfr_len, t->mfr_len);
		CHECK(adv.n_uuids == nu, "%zu uuids, want %zu", adv.n_uuids,
		      nu);
		for (k = 0; k < nu && k < adv.n_uuids; k++)
			CHECK(strcmp(adv.uuids[k], t->uuids[k]) == 0,
			      "uuid %zu %s, want %s", k, adv.uuids[k],
			      t->uuids[k]);
#undef CHECK
	}
	if (bad)
		fail_msg("%d mismatches", bad);
}

/* Details the table does not show. */
static void test_adv5_6_details(void **state)
{
	struct wc_adv adv;
	uint8_t ad[64], bd[6];
	size_t n;

	(void)state;
	assert_true(wc_bdaddr_parse("EE:C2:37:00:64:8C", bd));
	wc_adv_init(&adv, bd, WC_ADDR_PUBLIC);
	n = unhex(cases[5].ad, ad, sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&adv, ad, n, NULL), WC_OK);
	/* the manufacturer record starts with the MAC; byte 8 tracked SoC */
	assert_memory_equal(adv.mfr, bd, 6);
	assert_int_equal(adv.mfr[8], 0x33);
	assert_false(adv.name_complete == false);
	assert_int_equal(adv.addr_type, WC_ADDR_PUBLIC);
}

static void test_names_and_limits(void **state)
{
	static const uint8_t bd[6] = { 0xC0, 0xD6, 0x3C, 0x52, 0xE4, 0xD9 };
	struct wc_adv adv;
	uint8_t ad[64];
	size_t n;
	struct wc_diag d;

	(void)state;
	/* shortened, then complete: complete wins; and not the other way */
	wc_adv_init(&adv, bd, WC_ADDR_RANDOM);
	n = unhex("05 08 58445a4e 0e 09 58445a4e5f3030315f45344439", ad,
		  sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&adv, ad, n, NULL), WC_OK);
	assert_string_equal(adv.name, "XDZN_001_E4D9");
	n = unhex("05 08 58445a4e", ad, sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&adv, ad, n, NULL), WC_OK);
	assert_string_equal(adv.name, "XDZN_001_E4D9");
	/* control bytes in names are replaced */
	wc_adv_init(&adv, bd, WC_ADDR_RANDOM);
	n = unhex("04 09 41 0a 42", ad, sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&adv, ad, n, NULL), WC_OK);
	assert_string_equal(adv.name, "A?B");
	/* a zero length ends the data (padding) */
	wc_adv_init(&adv, bd, WC_ADDR_RANDOM);
	n = unhex("02 01 06 00 ff ff ff", ad, sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&adv, ad, n, NULL), WC_OK);
	/* a structure running past the end: fields before it are kept */
	wc_adv_init(&adv, bd, WC_ADDR_RANDOM);
	n = unhex("03 02 f0ff 05 09 41 42", ad, sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&adv, ad, n, &d), WC_E_TRUNCATED);
	assert_int_equal(d.a, 4);
	assert_int_equal(d.b, 8);
	assert_int_equal(adv.n_uuids, 1);
	assert_false(adv.has_name);
	/* a 16-bit list of odd length */
	wc_adv_init(&adv, bd, WC_ADDR_RANDOM);
	n = unhex("04 03 f0 ff 00", ad, sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&adv, ad, n, &d), WC_E_TRUNCATED);
	/* 32-bit list, duplicates kept once, at most 8 */
	wc_adv_init(&adv, bd, WC_ADDR_RANDOM);
	n = unhex("09 05 f0ff0000 f0ff0000 13 03 0100 0200 0300 0400 0500 0600"
		  " 0700 0800 0900",
		  ad, sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&adv, ad, n, NULL), WC_OK);
	assert_int_equal(adv.n_uuids, WC_ADV_UUIDS_MAX);
	assert_string_equal(adv.uuids[0], U16("fff0"));
	assert_string_equal(adv.uuids[1], U16("0001"));
	assert_int_equal(wc_adv_parse_ad(NULL, ad, n, NULL), WC_E_ARG);
	assert_string_equal(wc_adv_family(NULL), "unknown");
}

struct seen {
	unsigned n;
	struct wc_adv adv[4];
};

static void on_adv(void *user, const struct wc_adv *adv)
{
	struct seen *s = user;

	if (s->n < ARRAY_LEN(s->adv))
		s->adv[s->n] = *adv;
	s->n++;
}

static void test_le_meta(void **state)
{
	/* subevent 02, two reports: ADV_IND from a random address with the
	 * ADV-2 manufacturer data at -77 dBm, then a SCAN_RSP from a public
	 * address with a name and RSSI "unavailable" (127) */
	static const char ev[] =
		"02 02"
		" 00 01 50ac4f3cd6c0 09 08ffc0d63c4fac50ff b3"
		" 04 00 665544332211 05 0409574154 7f";
	struct seen s;
	uint8_t buf[64];
	size_t n = unhex(ev, buf, sizeof(buf));
	struct wc_diag d;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_true(n > 0);
	assert_int_equal(wc_adv_parse_le_meta(buf, n, on_adv, &s, NULL), WC_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.adv[0].address, "C0:D6:3C:4F:AC:50");
	assert_int_equal(s.adv[0].addr_type, WC_ADDR_RANDOM);
	assert_true(s.adv[0].has_rssi);
	assert_int_equal(s.adv[0].rssi, -77);
	assert_string_equal(s.adv[0].family, "watt");
	assert_string_equal(s.adv[1].address, "11:22:33:44:55:66");
	assert_int_equal(s.adv[1].addr_type, WC_ADDR_PUBLIC);
	assert_false(s.adv[1].has_rssi);
	assert_string_equal(s.adv[1].name, "WAT");

	/* cut inside the second report: the first is still delivered */
	memset(&s, 0, sizeof(s));
	assert_int_equal(wc_adv_parse_le_meta(buf, n - 3, on_adv, &s, &d),
			 WC_E_TRUNCATED);
	assert_int_equal(s.n, 1);
	/* a count larger than what follows */
	memset(&s, 0, sizeof(s));
	buf[1] = 3;
	assert_int_equal(wc_adv_parse_le_meta(buf, n, on_adv, &s, &d),
			 WC_E_TRUNCATED);
	assert_int_equal(s.n, 2);
	/* a report whose data length runs past the event */
	memset(&s, 0, sizeof(s));
	n = unhex("02 01 00 01 50ac4f3cd6c0 40 08ff", buf, sizeof(buf));
	assert_int_equal(wc_adv_parse_le_meta(buf, n, on_adv, &s, &d),
			 WC_E_TRUNCATED);
	assert_int_equal(s.n, 0);
	/* other subevents are ignored; empty input is truncated */
	n = unhex("01 00 0100", buf, sizeof(buf));
	assert_int_equal(wc_adv_parse_le_meta(buf, n, on_adv, &s, NULL), WC_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(wc_adv_parse_le_meta(buf, 0, on_adv, &s, NULL),
			 WC_E_TRUNCATED);
	assert_int_equal(wc_adv_parse_le_meta(buf, 1, on_adv, &s, NULL),
			 WC_OK); /* subevent 01 alone */
	buf[0] = 0x02;
	assert_int_equal(wc_adv_parse_le_meta(buf, 1, on_adv, &s, NULL),
			 WC_E_TRUNCATED);
}

/* LE Extended Advertising Report (subevent 0x0D), what a Bluetooth 5
 * controller sends once the kernel scans with extended commands.  btvirt
 * cannot emulate extended advertising, so the event is hand-built in the
 * spec's layout (Core Vol 4 Part E §7.7.65.13): event type (2), address
 * type, address, primary PHY, secondary PHY, SID, TX power, RSSI,
 * periodic interval (2), direct address type, direct address, data length,
 * data. */
#define EXT_ADV_IND                                                  \
	" 1300 01 50ac4f3cd6c0 01 00 ff 7f b3 0000 00 000000000000"  \
	" 09 08ffc0d63c4fac50ff"
#define EXT_SCAN_RSP                                                 \
	" 1b00 00 665544332211 01 00 ff 7f 7f 0000 00 000000000000"  \
	" 05 0409574154"
#define EXT_ANON                                                     \
	" 0000 ff 000000000000 01 01 02 7f c4 0000 00 000000000000"  \
	" 03 020a00"

static void test_le_meta_ext(void **state)
{
	static const char ev[] = "0d 03" EXT_ADV_IND EXT_ANON EXT_SCAN_RSP;
	uint8_t raw[128], *buf;
	struct seen s;
	struct wc_diag d;
	size_t n = unhex(ev, raw, sizeof(raw)), len;

	(void)state;
	assert_int_equal(n, 2 + 24 + 9 + 24 + 3 + 24 + 5);
	buf = malloc(n); /* exactly the event: a read past it shows (ASan) */
	assert_non_null(buf);
	memcpy(buf, raw, n);
	memset(&s, 0, sizeof(s));
	assert_int_equal(wc_adv_parse_le_meta(buf, n, on_adv, &s, NULL), WC_OK);
	/* the anonymous report has no address to list: skipped */
	assert_int_equal(s.n, 2);
	assert_string_equal(s.adv[0].address, "C0:D6:3C:4F:AC:50");
	assert_int_equal(s.adv[0].addr_type, WC_ADDR_RANDOM);
	assert_true(s.adv[0].has_rssi);
	assert_int_equal(s.adv[0].rssi, -77);
	assert_int_equal(s.adv[0].mfr_len, 7);
	assert_string_equal(s.adv[0].family, "watt");
	assert_string_equal(s.adv[1].address, "11:22:33:44:55:66");
	assert_int_equal(s.adv[1].addr_type, WC_ADDR_PUBLIC);
	assert_false(s.adv[1].has_rssi); /* 127: not available */
	assert_string_equal(s.adv[1].name, "WAT");
	free(buf);

	/* every cut is truncated, never read past, and delivers only the
	 * reports wholly before the cut */
	for (len = 1; len < n; len++) {
		unsigned want = len >= 2 + 24 + 9 + 24 + 3 + 24 + 5 ? 2 :
				len >= 2 + 24 + 9 ? 1 : 0;

		buf = malloc(len);
		assert_non_null(buf);
		memcpy(buf, raw, len);
		memset(&s, 0, sizeof(s));
		assert_int_equal(wc_adv_parse_le_meta(buf, len, on_adv, &s, &d),
				 WC_E_TRUNCATED);
		assert_int_equal(d.code, WC_E_TRUNCATED);
		assert_int_equal(s.n, want);
		free(buf);
	}
	/* a data length beyond the event */
	n = unhex("0d 01 1300 01 50ac4f3cd6c0 01 00 ff 7f b3 0000 00"
		  " 000000000000 ff 0201", raw, sizeof(raw));
	memset(&s, 0, sizeof(s));
	assert_int_equal(wc_adv_parse_le_meta(raw, n, on_adv, &s, &d),
			 WC_E_TRUNCATED);
	assert_int_equal(s.n, 0);
	/* no reports */
	n = unhex("0d 00", raw, sizeof(raw));
	assert_int_equal(wc_adv_parse_le_meta(raw, n, on_adv, &s, NULL), WC_OK);
	assert_int_equal(s.n, 0);
}

/* Advertisement plus scan response of one address become one record. */
static void test_merge(void **state)
{
	static const uint8_t bd[6] = { 0xC0, 0xD6, 0x3C, 0x58, 0x49, 0xA1 };
	struct wc_adv a, b;
	uint8_t ad[64];
	size_t n;

	(void)state;
	wc_adv_init(&a, bd, WC_ADDR_RANDOM);
	n = unhex("03 03 f0ff", ad, sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&a, ad, n, NULL), WC_OK);
	a.has_rssi = true;
	a.rssi = -80;
	assert_string_equal(a.family, "unknown");

	wc_adv_init(&b, bd, WC_ADDR_RANDOM);
	n = unhex("0e 09 58445a4e5f3030315f34394131 0a ff c0d63c5849a1ff5844"
		  " 03 03 f0ff",
		  ad, sizeof(ad));
	assert_int_equal(wc_adv_parse_ad(&b, ad, n, NULL), WC_OK);
	b.has_rssi = true;
	b.rssi = -78;

	wc_adv_merge(&a, &b);
	assert_string_equal(a.name, "XDZN_001_49A1");
	assert_int_equal(a.mfr_len, 9);
	assert_int_equal(a.n_uuids, 1);
	assert_int_equal(a.rssi, -78);
	assert_string_equal(a.family, "watt");

	/* a later record without a name keeps the name */
	wc_adv_init(&b, bd, WC_ADDR_RANDOM);
	wc_adv_merge(&a, &b);
	assert_string_equal(a.name, "XDZN_001_49A1");
	assert_int_equal(a.rssi, -78);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_adv5_6_details),
		cmocka_unit_test(test_names_and_limits),
		cmocka_unit_test(test_le_meta),
		cmocka_unit_test(test_le_meta_ext),
		cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
