/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/jbd.[ch] and plugin/jbd_reasm.[ch]: the JBD frames
 * of the DISCOVER (request builders, the published 0x06/0x07 replies, the
 * restart write), a DISCOVER-shaped 0x03 with WattCycle's tail, a standard
 * 23+2K-byte 0x03 without it, 0x04, 0x05, status errors, every rejection,
 * the alarm-table mapping of the protection/warning words, and the
 * reassembler cutting frames every way. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alarms.h"
#include "jbd.h"
#include "jbd_reasm.h"
#include "unhex.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Published (doc/PROTOCOL.md §14.6: DISCOVER 12V 314Ah). */
static const char *const REQ_03 = "DD A5 03 00 FF FD 77";
static const char *const REQ_04 = "DD A5 04 00 FF FC 77";
static const char *const REQ_06 = "DD A5 06 00 FF FA 77";
static const char *const REQ_07 = "DD A5 07 00 FF F9 77";
static const char *const REQ_08 = "DD A5 08 00 FF F8 77";
static const char *const RSP_07 = "DD 07 00 04 00 E2 01 2C FE ED 77";
static const char *const RSP_06 = "DD 06 00 06 15 01 00 04 02 01 FF DD 77";
static const char *const WR_0E = "DD 5A 0E 02 81 18 FF 57 77";
/* A standard JBD basic info (15S, 2 NTCs) without a WattCycle tail, as
 * published in a JBD client's issue tracker; checksum FB FF verified. */
static const char *const RSP_03_STD =
	"DD 03 00 1B 17 00 00 00 02 D0 03 E8 00 00 20 78 00 00 00 00 00 00 "
	"10 48 03 0F 02 0B 76 0B 82 FB FF 77";

/* A DISCOVER-shaped basic info, 47 data bytes (4S, 4 NTCs, tail),
 * 100 mA units, discharging at 5.2 A, cell over-voltage + short circuit
 * protections, warning word 0x8001 (bit 15 set as on the DISCOVER),
 * cycles 0x0077 (a 0x77 byte inside the data). */
static const uint8_t discover_03_data[47] = {
	0x05, 0x2F,             /* 13.27 V */
	0xFF, 0xCC,             /* -52 x 100 mA */
	0x07, 0xDA,             /* 2010 x 100 mAh */
	0x0C, 0x44,             /* 3140 */
	0x00, 0x77,             /* 119 cycles */
	0x2C, 0x42,             /* date */
	0x00, 0x02,             /* cell 2 balancing */
	0x00, 0x00,
	0x04, 0x01,             /* protection bits 0 and 10 */
	0x19,                   /* sw version */
	0x40,                   /* RSOC 64 % */
	0x87,                   /* FET: CHG, DSG, heater, 100 mA */
	0x04, 0x04,             /* 4 cells, 4 NTCs */
	0x0B, 0x73, 0x0B, 0x7D, 0x0B, 0x69, 0x0A, 0xAB, /* 20.0 21.0 19.0 0.0 */
	0x2D,                   /* humidity 45 % */
	0x80, 0x01,             /* warning: bit 15 + bit 0 */
	0x0C, 0x1C,             /* full 3100 */
	0x07, 0xC6,             /* actual remaining 1990 */
	0xFF, 0x88,             /* balance current -120 mA */
	0x00, 0x00,             /* active balance */
	0x19,                   /* protocol 2.5 */
	0x00, 0x00,             /* reserved */
	0x00, 0x00,             /* BMS status */
};

static size_t hexf(const char *h, uint8_t *out, size_t cap)
{
	size_t n = unhex(h, out, cap);

	assert_true(n > 0);
	return n;
}

static void close_to(double got, double want)
{
	if (fabs(got - want) > 1e-9)
		fail_msg("got %.6f, want %.6f", got, want);
}

/* ---- builders and frame checks ---------------------------------------- */

static void test_read_requests(void **state)
{
	static const struct {
		uint8_t cmd;
		const char *const *hex;
	} v[] = { { 0x03, &REQ_03 }, { 0x04, &REQ_04 }, { 0x06, &REQ_06 },
		  { 0x07, &REQ_07 }, { 0x08, &REQ_08 } };
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		uint8_t want[16], got[16];
		size_t n = hexf(*v[i].hex, want, sizeof(want));

		assert_int_equal(jbd_build_read(got, sizeof(got), v[i].cmd), n);
		assert_memory_equal(got, want, n);
	}
	assert_int_equal(jbd_build_read(NULL, 7, 3), 0);
	{
		uint8_t small[6];

		assert_int_equal(jbd_build_read(small, sizeof(small), 3), 0);
	}
}

static void test_checksum_published(void **state)
{
	const char *const all[] = { REQ_03, REQ_04, REQ_06, REQ_07, REQ_08,
				    RSP_07, RSP_06, WR_0E, RSP_03_STD };
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(all); i++) {
		uint8_t b[64];
		struct jbd_frame f;
		struct wc_diag d = { WC_OK, 0, 0 };
		size_t n = hexf(all[i], b, sizeof(b));

		if (jbd_parse_frame(b, n, &f, &d) != WC_OK)
			fail_msg("%s: %s", all[i], wc_strerror(d.code));
	}
}

static void test_frame_kinds(void **state)
{
	uint8_t b[64];
	struct jbd_frame f;
	size_t n;

	(void)state;
	n = hexf(REQ_03, b, sizeof(b));
	assert_int_equal(jbd_parse_frame(b, n, &f, NULL), WC_OK);
	assert_int_equal(f.kind, JBD_KIND_READ);
	assert_int_equal(f.cmd, 0x03);
	n = hexf(WR_0E, b, sizeof(b));
	assert_int_equal(jbd_parse_frame(b, n, &f, NULL), WC_OK);
	assert_int_equal(f.kind, JBD_KIND_WRITE);
	assert_int_equal(f.cmd, 0x0E);
	assert_int_equal(f.data_len, 2);
	assert_int_equal(f.data[0], 0x81);
	n = hexf(RSP_07, b, sizeof(b));
	assert_int_equal(jbd_parse_frame(b, n, &f, NULL), WC_OK);
	assert_int_equal(f.kind, JBD_KIND_REPLY);
	assert_int_equal(f.cmd, 0x07);
	assert_int_equal(f.status, 0);
	assert_int_equal(f.data_len, 4);
}

static void test_rejections(void **state)
{
	uint8_t b[64];
	struct jbd_frame f;
	struct wc_diag d;
	size_t n;
	char msg[160];

	(void)state;
	n = hexf(RSP_07, b, sizeof(b));
	/* checksum */
	b[5] ^= 1;
	assert_int_equal(jbd_parse_frame(b, n, &f, &d), WC_E_CHECKSUM);
	assert_int_equal(d.a, 0xFEED);
	assert_int_equal(d.b, 0xFEEC);
	wc_diag_format(&d, msg, sizeof(msg));
	assert_string_equal(msg, "checksum mismatch: frame says 0xFEED, computed 0xFEEC");
	b[5] ^= 1;
	/* end byte */
	b[n - 1] = 0x0D;
	assert_int_equal(jbd_parse_frame(b, n, &f, &d), WC_E_TERMINATOR);
	assert_int_equal(d.a, 0x0D);
	assert_int_equal(d.b, 0x77);
	b[n - 1] = 0x77;
	/* length byte says more / fewer than given */
	assert_int_equal(jbd_parse_frame(b, n - 1, &f, &d), WC_E_TRUNCATED);
	assert_int_equal(d.a, 11);
	assert_int_equal(d.b, 10);
	assert_int_equal(jbd_parse_frame(b, n + 1, &f, &d), WC_E_OVERLONG);
	/* start byte, too short */
	b[0] = 0x7E;
	assert_int_equal(jbd_parse_frame(b, n, &f, &d), WC_E_HEAD);
	assert_int_equal(d.a, 0x7E);
	assert_int_equal(d.b, 0xDD);
	b[0] = 0xDD;
	assert_int_equal(jbd_parse_frame(b, 3, &f, &d), WC_E_SHORT);
	assert_int_equal(jbd_parse_frame(b, 0, &f, &d), WC_E_SHORT);
}

/* ---- status errors ----------------------------------------------------- */

static void test_status_errors(void **state)
{
	static const struct {
		uint8_t st;
		const char *words;
	} v[] = { { 0x80, "unknown command" }, { 0x81, "invalid operation" },
		  { 0x82, "checksum error" }, { 0x83, "wrong password" } };
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		uint8_t b[16];
		struct wc_sample s;
		struct wc_diag d;
		char msg[160], want[160];
		size_t n = jbd_build_reply(b, sizeof(b), 0x03, v[i].st, NULL, 0);

		memset(&s, 0, sizeof(s));
		assert_int_equal(n, 7);
		assert_int_equal(jbd_decode(b, n, &s, NULL, &d), WC_E_JBD_STATUS);
		assert_int_equal(s.present, 0);
		wc_diag_format(&d, msg, sizeof(msg));
		snprintf(want, sizeof(want),
			 "battery answered with an error status: status 0x%02X "
			 "(%s) to command 0x03", v[i].st, v[i].words);
		assert_string_equal(msg, want);
	}
	/* the frame of status 0x80: DD 03 80 00 FF 80 77 */
	{
		uint8_t b[16], want[16];
		size_t n = jbd_build_reply(b, sizeof(b), 0x03, 0x80, NULL, 0);

		assert_int_equal(hexf("DD 03 80 00 FF 80 77", want, 16), n);
		assert_memory_equal(b, want, n);
	}
	assert_null(jbd_status_text(0));
}

/* ---- 0x03 basic info ---------------------------------------------------- */

static size_t discover_frame(uint8_t *b, size_t cap)
{
	return jbd_build_reply(b, cap, 0x03, 0, discover_03_data,
			       sizeof(discover_03_data));
}

static void test_basic_discover(void **state)
{
	uint8_t b[JBD_FRAME_MAX];
	struct wc_sample s;
	struct wc_diag d;
	uint8_t cmd = 0;
	size_t n = discover_frame(b, sizeof(b));

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(n, 54);
	assert_int_equal(jbd_decode(b, n, &s, &cmd, &d), WC_OK);
	assert_int_equal(cmd, 3);
	assert_int_equal(s.family, WC_FAMILY_JBD);
	close_to(s.voltage_v, 13.27);
	close_to(s.current_a, -5.2);      /* 100 mA unit flag */
	close_to(s.power_w, 13.27 * -5.2);
	close_to(s.remaining_ah, 201.0);
	close_to(s.design_ah, 314.0);
	close_to(s.full_ah, 310.0);        /* the tail's full capacity */
	close_to(s.jbd.actual_remaining_ah, 199.0);
	assert_int_equal(s.cycles, 0x77);
	close_to(s.soc_pct, 64);
	assert_int_equal(s.n_probes, 4);
	close_to(s.probe_c[0], 20.0);      /* 2931 with the 2731 zero */
	close_to(s.probe_c[1], 21.0);
	close_to(s.probe_c[2], 19.0);
	close_to(s.probe_c[3], 0.0);
	assert_false(wc_has(&s, WC_F_TEMP_MOS));
	assert_true(wc_has(&s, WC_F_PROBES));
	close_to(s.humidity_pct, 45);
	assert_true(wc_has(&s, WC_F_HUMIDITY));
	assert_int_equal(s.jbd.warning, 0x0001); /* bit 15 masked */
	assert_int_equal(s.jbd.protection, 0x0401);
	close_to(s.balance_current_a, -0.12);
	assert_int_equal(s.jbd.protocol_version, 0x19);
	assert_true(s.jbd.has_tail);
	assert_true(wc_has(&s, WC_F_HEATING));
	assert_true(s.heating);
	assert_true(s.charge_mos);
	assert_true(s.discharge_mos);
	assert_int_equal(s.mode, WC_MODE_DISCHARGING);
	assert_int_equal(s.balancing, 0x2);
	assert_true(wc_has(&s, WC_F_STATUS));

	/* the codes, through the one table */
	assert_true(wc_alarm_active(wc_alarm_by_id("cell_ovp"), &s.regs));
	assert_true(wc_alarm_active(wc_alarm_by_id("short_circuit"), &s.regs));
	assert_true(wc_alarm_active(wc_alarm_by_id("cell_ov_alarm"), &s.regs));
	assert_true(wc_alarm_active(wc_alarm_by_id("chg_on"), &s.regs));
	assert_true(wc_alarm_active(wc_alarm_by_id("dsg_on"), &s.regs));
	assert_int_equal(wc_alarm_count_active(&s.regs, WC_CLASS_PROTECTION), 2);
	assert_int_equal(wc_alarm_count_active(&s.regs, WC_CLASS_ALARM), 1);
	assert_int_equal(wc_alarm_count_active(&s.regs, WC_CLASS_FAULT), 0);
}

static void test_basic_10ma_units(void **state)
{
	uint8_t data[47], b[JBD_FRAME_MAX];
	struct wc_sample s;
	size_t n;

	(void)state;
	memcpy(data, discover_03_data, sizeof(data));
	data[20] = 0x03; /* no 100 mA flag, no heater */
	n = jbd_build_reply(b, sizeof(b), 0x03, 0, data, sizeof(data));
	memset(&s, 0, sizeof(s));
	assert_int_equal(jbd_decode(b, n, &s, NULL, NULL), WC_OK);
	close_to(s.current_a, -0.52);
	close_to(s.remaining_ah, 20.10);
	close_to(s.design_ah, 31.40);
	close_to(s.full_ah, 31.00);
	assert_false(s.heating);
}

static void test_basic_standard(void **state)
{
	uint8_t b[64];
	struct wc_sample s;
	size_t n = hexf(RSP_03_STD, b, sizeof(b));

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(jbd_decode(b, n, &s, NULL, NULL), WC_OK);
	close_to(s.voltage_v, 58.88);
	close_to(s.current_a, 0.0);
	assert_false(signbit(s.power_w));
	close_to(s.remaining_ah, 7.20);
	close_to(s.design_ah, 10.0);
	close_to(s.full_ah, 10.0);
	close_to(s.soc_pct, 72);
	assert_int_equal(s.regs.n_cells, 15);
	assert_int_equal(s.n_probes, 2);
	close_to(s.probe_c[0], 20.3);
	close_to(s.probe_c[1], 21.5);
	assert_false(s.jbd.has_tail);
	assert_false(wc_has(&s, WC_F_HUMIDITY));
	assert_false(wc_has(&s, WC_F_HEATING));
	assert_int_equal(s.mode, WC_MODE_IDLE);
	assert_int_equal(wc_alarm_count_active(&s.regs, WC_CLASS_PROTECTION), 0);
}

static void test_basic_rejections(void **state)
{
	uint8_t data[64];
	struct wc_sample s;
	struct wc_diag d;
	char msg[160];

	(void)state;
	memcpy(data, discover_03_data, 47);
	memset(&s, 0, sizeof(s));
	/* the cell count is named, not a length */
	data[21] = 0;
	assert_int_equal(jbd_decode_basic(data, 47, &s, &d), WC_E_CELL_COUNT);
	assert_int_equal(d.a, 0);
	data[21] = 33;
	assert_int_equal(jbd_decode_basic(data, 47, &s, &d), WC_E_CELL_COUNT);
	wc_diag_format(&d, msg, sizeof(msg));
	assert_string_equal(msg, "bad cell count: 33 cells, allowed 1..32");
	data[21] = 4;
	data[22] = 31;
	assert_int_equal(jbd_decode_basic(data, 47, &s, &d), WC_E_TEMP_COUNT);
	data[22] = 4;
	/* shorter than the NTCs, between block and tail, shorter than fixed */
	assert_int_equal(jbd_decode_basic(data, 30, &s, &d), WC_E_LENGTH);
	assert_int_equal(d.b, 31);
	assert_int_equal(jbd_decode_basic(data, 40, &s, &d), WC_E_LENGTH);
	assert_int_equal(d.b, 47);
	assert_int_equal(jbd_decode_basic(data, 22, &s, &d), WC_E_LENGTH);
	assert_int_equal(s.present, 0);
	/* longer than the tail: accepted, the rest ignored */
	memset(data + 47, 0xAA, 5);
	assert_int_equal(jbd_decode_basic(data, 52, &s, &d), WC_OK);
	close_to(s.full_ah, 310.0);
}

/* Every protection bit lands on exactly one code of the table, with the
 * meaning the JBD documentation gives it. */
static void test_protection_bits(void **state)
{
	static const char *const want[16] = {
		"cell_ovp", "cell_uvp", "pack_ovp", "pack_uvp",
		"chg_otp", "chg_utp", "dsg_otp", "dsg_utp",
		"chg_ocp", "dsg_ocp", "short_circuit", "afe_error",
		"mos_sw_lock", "chg_mos_fault", "dsg_mos_fault", "mos_otp",
	};
	(void)state;
	for (unsigned bit = 0; bit < 16; bit++) {
		struct wc_status_regs r;
		uint16_t p, w;
		uint8_t f;
		unsigned hits = 0;

		memset(&r, 0, sizeof(r));
		wc_alarm_from_jbd(&r, (uint16_t)(1u << bit), 0, 0);
		for (size_t i = 0; i < wc_alarm_count; i++) {
			if (!wc_alarm_active(&wc_alarms[i], &r))
				continue;
			hits++;
			if (strcmp(wc_alarms[i].id, want[bit]) != 0)
				fail_msg("bit %u: %s active, want %s", bit,
					 wc_alarms[i].id, want[bit]);
		}
		assert_int_equal(hits, 1);
		wc_alarm_to_jbd(&r, &p, &w, &f);
		assert_int_equal(p, 1u << bit);
		assert_int_equal(w, 0);
		assert_int_equal(f, 0);
	}
}

static void test_alarm_families(void **state)
{
	(void)state;
	assert_string_equal(wc_alarm_family_names(wc_alarm_by_id("short_circuit")), "jbd");
	assert_string_equal(wc_alarm_family_names(wc_alarm_by_id("cell_ovp")), "watt,jbd");
	assert_string_equal(wc_alarm_family_names(wc_alarm_by_id("env_otp")), "watt");
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];

		assert_true(wc_alarm_families(a) != 0);
		if (a->jbd_word == WC_JBD_PROT || a->jbd_word == WC_JBD_WARN)
			assert_true(a->jbd_bit < 16);
		if (a->jbd_word == WC_JBD_FET)
			assert_true(a->jbd_bit < 8);
	}
}

/* ---- 0x04, 0x05, 0x06, 0x07 -------------------------------------------- */

static void test_cells(void **state)
{
	static const uint8_t data[8] = { 0x0C, 0xDE, 0x0C, 0xDD, 0x0D, 0x77,
					 0x0C, 0xDA };
	uint8_t b[32];
	struct wc_sample s;
	struct wc_diag d;
	size_t n = jbd_build_reply(b, sizeof(b), 0x04, 0, data, sizeof(data));

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(jbd_decode(b, n, &s, NULL, &d), WC_OK);
	assert_int_equal(s.n_cells, 4);
	close_to(s.cell_v[0], 3.294);
	close_to(s.cell_v[2], 3.447);
	close_to(s.cell_v[3], 3.290);
	assert_true(wc_has(&s, WC_F_CELLS));
	assert_int_equal(jbd_decode_cells(data, 7, &s, &d), WC_E_LENGTH);
	assert_int_equal(jbd_decode_cells(data, 0, &s, &d), WC_E_CELL_COUNT);
	{
		uint8_t big[66] = { 0 };

		assert_int_equal(jbd_decode_cells(big, 66, &s, &d),
				 WC_E_CELL_COUNT);
		assert_int_equal(d.a, 33);
	}
}

static void test_hw_string(void **state)
{
	static const char hw[] = "DH04SC02-200A-JBD-WattCycle";
	uint8_t b[64];
	struct wc_sample s;
	size_t n = jbd_build_reply(b, sizeof(b), 0x05, 0,
				   (const uint8_t *)hw, strlen(hw));

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(jbd_decode(b, n, &s, NULL, NULL), WC_OK);
	assert_string_equal(s.firmware, "DH04SC02-200A-JBD-Wa"); /* 20 chars */
	assert_true(wc_has(&s, WC_F_INFO));
	{
		static const uint8_t odd[] = { 'A', 0x01, 'B', ' ', ' ' };

		assert_int_equal(jbd_decode_hw(odd, sizeof(odd), &s, NULL), WC_OK);
		assert_string_equal(s.firmware, "A?B");
	}
}

static void test_clock_and_log(void **state)
{
	uint8_t b[32];
	struct jbd_frame f;
	struct jbd_clock c;
	struct jbd_log_index li;
	struct wc_sample s;
	struct wc_diag d;
	size_t n;

	(void)state;
	n = hexf(RSP_06, b, sizeof(b));
	assert_int_equal(jbd_parse_frame(b, n, &f, NULL), WC_OK);
	assert_int_equal(jbd_decode_clock(f.data, f.data_len, &c, NULL), WC_OK);
	assert_int_equal(c.uptime_s, 75); /* 00:01:15 */
	assert_int_equal(c.days, 34);
	assert_int_equal(c.yy, 1);
	n = hexf(RSP_07, b, sizeof(b));
	assert_int_equal(jbd_parse_frame(b, n, &f, NULL), WC_OK);
	assert_int_equal(jbd_decode_log_index(f.data, f.data_len, &li, NULL),
			 WC_OK);
	assert_int_equal(li.index, 226);
	assert_int_equal(li.size, 300);
	/* not sample data: jbd_decode names the command as unknown */
	memset(&s, 0, sizeof(s));
	assert_int_equal(jbd_decode(b, n, &s, NULL, &d), WC_E_DP);
	assert_int_equal(d.a, 7);
	/* a request is not a reply */
	n = hexf(REQ_03, b, sizeof(b));
	assert_int_equal(jbd_decode(b, n, &s, NULL, &d), WC_E_FUNCTION);
	assert_int_equal(jbd_decode_clock(f.data, 5, &c, &d), WC_E_LENGTH);
	assert_int_equal(jbd_decode_log_index(f.data, 3, &li, &d), WC_E_LENGTH);
}

/* ---- reassembly --------------------------------------------------------- */

#define MAX_EV 16

struct ev {
	enum wc_err err;
	size_t len;
	uint8_t frame[JBD_FRAME_MAX];
};

static struct ev evs[MAX_EV];
static size_t nev;

static void on_ev(void *user, enum wc_err err, const uint8_t *frame,
		  size_t len, const struct wc_diag *d)
{
	(void)user;
	(void)d;
	if (nev >= MAX_EV)
		return;
	evs[nev].err = err;
	evs[nev].len = len;
	if (frame && len <= JBD_FRAME_MAX)
		memcpy(evs[nev].frame, frame, len);
	nev++;
}

static void test_reasm_every_cut(void **state)
{
	uint8_t b[JBD_FRAME_MAX];
	size_t n = discover_frame(b, sizeof(b));
	struct wc_reasm r;

	(void)state;
	/* cycles 0x0077: a 0x77 in the data that must not end the frame */
	assert_non_null(memchr(b + 4, 0x77, n - 7));
	for (size_t mtu_payload = 1; mtu_payload <= n; mtu_payload++) {
		nev = 0;
		wc_reasm_init_fmt(&r, &jbd_frame_fmt, 1000, on_ev, NULL);
		for (size_t o = 0; o < n; o += mtu_payload) {
			size_t k = n - o < mtu_payload ? n - o : mtu_payload;

			wc_reasm_push(&r, b + o, k, 0);
		}
		if (nev != 1 || evs[0].err != WC_OK || evs[0].len != n ||
		    memcmp(evs[0].frame, b, n) != 0)
			fail_msg("fragments of %zu: %zu events, first %s",
				 mtu_payload, nev,
				 nev ? wc_strerror(evs[0].err) : "-");
		assert_false(wc_reasm_busy(&r));
	}
}

static void test_reasm_paths(void **state)
{
	uint8_t a[64], b2[64], both[128];
	size_t na, nb;
	struct wc_reasm r;

	(void)state;
	na = hexf(RSP_07, a, sizeof(a));
	nb = hexf(RSP_06, b2, sizeof(b2));
	memcpy(both, a, na);
	memcpy(both + na, b2, nb);

	/* two frames in one notification */
	nev = 0;
	wc_reasm_init_fmt(&r, &jbd_frame_fmt, 1000, on_ev, NULL);
	wc_reasm_push(&r, both, na + nb, 0);
	assert_int_equal(nev, 2);
	assert_int_equal(evs[0].err, WC_OK);
	assert_int_equal(evs[0].len, na);
	assert_int_equal(evs[1].err, WC_OK);
	assert_int_equal(evs[1].len, nb);

	/* a stray fragment is reported and dropped; the next frame is fine */
	nev = 0;
	wc_reasm_push(&r, (const uint8_t *)"\x7E\x00", 2, 0);
	wc_reasm_push(&r, a, na, 0);
	assert_int_equal(nev, 2);
	assert_int_equal(evs[0].err, WC_E_STRAY);
	assert_int_equal(evs[1].err, WC_OK);

	/* a bad checksum comes out as such */
	nev = 0;
	a[5] ^= 0x10;
	wc_reasm_push(&r, a, na, 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].err, WC_E_CHECKSUM);
	a[5] ^= 0x10;

	/* stale partial frame */
	nev = 0;
	wc_reasm_push(&r, a, 5, 100);
	assert_true(wc_reasm_busy(&r));
	assert_int_equal(wc_reasm_have(&r), 5);
	assert_int_equal(wc_reasm_need(&r), na);
	assert_int_equal(wc_reasm_expire(&r, 500), 0);
	assert_int_equal(wc_reasm_expire(&r, 1100), 1);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].err, WC_E_STALE);
	assert_false(wc_reasm_busy(&r));

	/* reset forgets silently */
	nev = 0;
	wc_reasm_push(&r, a, 3, 0);
	wc_reasm_reset(&r);
	wc_reasm_push(&r, a, na, 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].err, WC_OK);

	/* the largest frame (len 255) fits */
	{
		uint8_t data[255], big[JBD_FRAME_MAX];
		size_t n;

		memset(data, 0x77, sizeof(data));
		n = jbd_build_reply(big, sizeof(big), 0x05, 0, data, 255);
		assert_int_equal(n, JBD_FRAME_MAX);
		nev = 0;
		wc_reasm_push(&r, big, n, 0);
		assert_int_equal(nev, 1);
		assert_int_equal(evs[0].err, WC_OK);
		assert_int_equal(evs[0].len, JBD_FRAME_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_requests),
		cmocka_unit_test(test_checksum_published),
		cmocka_unit_test(test_frame_kinds),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_status_errors),
		cmocka_unit_test(test_basic_discover),
		cmocka_unit_test(test_basic_10ma_units),
		cmocka_unit_test(test_basic_standard),
		cmocka_unit_test(test_basic_rejections),
		cmocka_unit_test(test_protection_bits),
		cmocka_unit_test(test_alarm_families),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_hw_string),
		cmocka_unit_test(test_clock_and_log),
		cmocka_unit_test(test_reasm_every_cut),
		cmocka_unit_test(test_reasm_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
