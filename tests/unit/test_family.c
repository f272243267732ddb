/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/family.[ch]: family detection from the GATT
 * evidence (the BLE scan cannot be tested here, so the decision is tested
 * on the data it is made from), the two families' request builders (read
 * requests only: the interface cannot produce a write), reply ids and
 * decoders, and the reassembler dispatch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "family.h"
#include "jbd.h"
#include "unhex.h"
#include "watt.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_detect(void **state)
{
	static const struct {
		const char *what;
		struct wc_gatt_evidence ev;
		enum wc_detect det;
		enum wc_family fam;
		bool other_ok;
	} v[] = {
		{ "XDZN: FFF0 + FFF1/FFF2/FFFA",
		  { .fff0 = 1, .fff1 = 1, .fff2 = 1, .fffa = 1 },
		  WC_DETECT_WATT, WC_FAMILY_WATT, false },
		{ "DISCOVER: FFF0 + FFF1/FFF2, no FFFA",
		  { .fff0 = 1, .fff1 = 1, .fff2 = 1 },
		  WC_DETECT_JBD_FFF0, WC_FAMILY_JBD, true },
		{ "classic JBD: FF00 + FF01/FF02",
		  { .ff00 = 1, .ff01 = 1, .ff02 = 1 },
		  WC_DETECT_JBD_FF00, WC_FAMILY_JBD, false },
		{ "FFF0 lacking FFF2, FF00 complete",
		  { .fff0 = 1, .fff1 = 1, .ff00 = 1, .ff01 = 1, .ff02 = 1 },
		  WC_DETECT_JBD_FF00, WC_FAMILY_JBD, false },
		{ "FFF0 lacking FFF1", { .fff0 = 1, .fff2 = 1, .fffa = 1 },
		  WC_DETECT_NONE, WC_FAMILY_WATT, false },
		{ "FF00 lacking FF02", { .ff00 = 1, .ff01 = 1 },
		  WC_DETECT_NONE, WC_FAMILY_WATT, false },
		{ "nothing", { 0 }, WC_DETECT_NONE, WC_FAMILY_WATT, false },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		enum wc_family fam = WC_FAMILY_WATT;
		bool other = !v[i].other_ok;
		enum wc_detect det = wc_family_detect(&v[i].ev, &fam, &other);

		if (det != v[i].det || other != v[i].other_ok ||
		    (det != WC_DETECT_NONE && fam != v[i].fam))
			fail_msg("%s: detect %d family %d other %d", v[i].what,
				 det, fam, other);
	}
}

/* Every request a poll can send, in either family and with either head,
 * is a read request; nothing else can come out of the interface. */
static void test_only_reads(void **state)
{
	static const enum wc_family fams[] = { WC_FAMILY_WATT, WC_FAMILY_JBD };
	static const uint8_t heads[] = { WATT_HEAD_7E, WATT_HEAD_1E };

	(void)state;
	for (size_t f = 0; f < ARRAY_LEN(fams); f++) {
		const struct wc_proto *p = wc_proto_of(fams[f]);
		uint16_t ids[3] = { p->info, p->data[0], p->data[1] };

		assert_int_equal(p->family, fams[f]);
		for (size_t h = 0; h < ARRAY_LEN(heads); h++) {
			for (size_t i = 0; i < 3; i++) {
				uint8_t req[32];
				size_t n = p->build_read(req, sizeof(req),
							 heads[h], ids[i]);

				assert_true(n > 0);
				if (fams[f] == WC_FAMILY_JBD) {
					struct jbd_frame jf;

					assert_int_equal(n, JBD_READ_LEN);
					assert_int_equal(jbd_parse_frame(req, n, &jf, NULL), WC_OK);
					assert_int_equal(jf.kind, JBD_KIND_READ);
					assert_int_not_equal(req[1], JBD_MARK_WRITE);
					assert_int_equal(jf.cmd, ids[i]);
				} else {
					assert_int_equal(n, WATT_READ_LEN);
					assert_int_equal(req[0], heads[h]);
					assert_int_equal(req[3], WATT_FN_READ);
					assert_int_equal(req[5], ids[i]);
				}
			}
		}
	}
	assert_string_equal(wc_proto_of(WC_FAMILY_JBD)->name, "jbd");
	assert_string_equal(wc_family_name(WC_FAMILY_WATT), "watt");
	assert_int_equal(wc_proto_of(WC_FAMILY_JBD)->info, 0x05);
	assert_int_equal(wc_proto_of(WC_FAMILY_JBD)->data[0], 0x03);
	assert_int_equal(wc_proto_of(WC_FAMILY_JBD)->data[1], 0x04);
	assert_false(wc_proto_of(WC_FAMILY_JBD)->unlock);
	assert_true(wc_proto_of(WC_FAMILY_WATT)->unlock);
}

static unsigned nframes;
static enum wc_err last_err;
static size_t last_len;

static void on_frame(void *user, enum wc_err err, const uint8_t *frame,
		     size_t len, const struct wc_diag *d)
{
	(void)user;
	(void)frame;
	(void)d;
	nframes++;
	last_err = err;
	last_len = len;
}

static void test_reasm_dispatch(void **state)
{
	static const char watt_hex[] =
		"7E 00 01 03 00 8D 00 18 04 00 00 00 00 04 00 00 00 00 00 00 "
		"00 00 00 00 06 01 00 00 18 00 00 00 1F 91 0D";
	uint8_t w[64], j[16];
	size_t nw = unhex(watt_hex, w, sizeof(w));
	size_t nj = jbd_build_reply(j, sizeof(j), 0x04, 0,
				    (const uint8_t *)"\x0C\xDE", 2);
	struct wc_reasm r;
	struct wc_sample s;

	(void)state;
	wc_reasm_init(&r, WC_FAMILY_WATT, 1000, on_frame, NULL);
	nframes = 0;
	wc_reasm_push(&r, w, 10, 0);
	assert_true(wc_reasm_busy(&r));
	assert_int_equal(wc_reasm_have(&r), 10);
	assert_int_equal(wc_reasm_need(&r), nw);
	wc_reasm_push(&r, w + 10, nw - 10, 0);
	assert_int_equal(nframes, 1);
	assert_int_equal(last_err, WC_OK);
	/* a JBD frame is a stray for the WATT reassembler ... */
	wc_reasm_push(&r, j, nj, 0);
	assert_int_equal(last_err, WC_E_STRAY);
	/* ... and a frame once switched; the callback survives the switch */
	wc_reasm_push(&r, j, 3, 0);
	wc_reasm_set_family(&r, WC_FAMILY_JBD);
	assert_false(wc_reasm_busy(&r));
	wc_reasm_push(&r, j, nj, 0);
	assert_int_equal(last_err, WC_OK);
	assert_int_equal(last_len, nj);
	wc_reasm_push(&r, j, 2, 0);
	assert_int_equal(wc_reasm_expire(&r, 5000), 1);
	assert_int_equal(last_err, WC_E_STALE);

	/* reply ids and decoders */
	assert_int_equal(wc_proto_of(WC_FAMILY_WATT)->reply_id(w, nw), 0x8D);
	assert_int_equal(wc_proto_of(WC_FAMILY_JBD)->reply_id(j, nj), 0x04);
	memset(&s, 0, sizeof(s));
	assert_int_equal(wc_proto_of(WC_FAMILY_JBD)->decode(j, nj, &s, NULL), WC_OK);
	assert_int_equal(s.family, WC_FAMILY_JBD);
	assert_int_equal(wc_proto_of(WC_FAMILY_WATT)->decode(w, nw, &s, NULL), WC_OK);
	assert_int_equal(s.family, WC_FAMILY_WATT);
	assert_int_equal(wc_proto_of(WC_FAMILY_WATT)->decode(j, nj, &s, NULL), WC_E_SHORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_only_reads),
		cmocka_unit_test(test_reasm_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
