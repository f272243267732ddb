/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/watt.[ch]: CRC, request builders, frame validation
 * and the 0x8C/0x8D/0x92 decoders, against every frame of doc/PROTOCOL.md §14
 * plus synthetic frames for what no capture shows (extension block, status
 * bits, balancing, every error path). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "watt.h"
#include "write_requests.h"
#include "watt_vectors.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BIG 1024

/* ---- helpers --------------------------------------------------------- */

static size_t load(enum wv_resp i, uint8_t *buf)
{
	size_t n = wv_hex(wv_resp[i].hex, buf, BIG);

	if (n == 0)
		fail_msg("vector %s: bad hex", wv_resp[i].name);
	return n;
}

static size_t hex_or_fail(const char *hex, uint8_t *buf, size_t cap)
{
	size_t n = wv_hex(hex, buf, cap);

	if (n == 0)
		fail_msg("bad hex in test: %s", hex);
	return n;
}

/* Documented values have at most 3 decimals; 1e-9 relative (absolute
 * below 1) is far below that and far above double rounding. */
static void near_at(const char *ctx, const char *what, int idx, double got,
		    double want, const char *file, int line)
{
	double tol = 1e-9 * (fabs(want) > 1.0 ? fabs(want) : 1.0);

	if (!(fabs(got - want) <= tol)) {
		print_error("%s: %s[%d]: got %.12g, want %.12g\n", ctx, what,
			    idx, got, want);
		_fail(file, line);
	}
}
#define NEAR(ctx, what, idx, got, want) \
	near_at((ctx), (what), (idx), (got), (want), __FILE__, __LINE__)

static void eq_at(const char *ctx, const char *what, long long got,
		  long long want, const char *file, int line)
{
	if (got != want) {
		print_error("%s: %s: got %lld (0x%llX), want %lld (0x%llX)\n",
			    ctx, what, got, (unsigned long long)got, want,
			    (unsigned long long)want);
		_fail(file, line);
	}
}
#define EQ(ctx, what, got, want) \
	eq_at((ctx), (what), (long long)(got), (long long)(want), __FILE__, \
	      __LINE__)

/* Recompute the CRC after a deliberate edit, so that the frame is wrong in
 * exactly the one way the test means. */
static void recrc(uint8_t *buf, size_t len)
{
	watt_put_trailer(buf, len - WATT_TRAILER_LEN);
}

static size_t resp_frame(uint8_t *out, size_t cap, uint8_t function,
			 uint16_t dp, const uint8_t *data, size_t n)
{
	size_t len = watt_build_frame(out, cap, WATT_HEAD_7E, 0x00,
				      WATT_ADDRESS, function, dp, data, n);

	assert_int_equal(len, n + WATT_OVERHEAD);
	return len;
}

/* A sample that already holds all three data points, so that a failed
 * decode can be shown to leave every field as it was. */
static void full_sample(struct wc_sample *s)
{
	uint8_t buf[BIG];
	size_t n;

	memset(s, 0, sizeof(*s));
	n = load(WV_TDT16_8C, buf);
	assert_int_equal(watt_decode(buf, n, s, NULL, NULL), WC_OK);
	n = load(WV_TDT16_8D, buf);
	assert_int_equal(watt_decode(buf, n, s, NULL, NULL), WC_OK);
	n = load(WV_EF2F_92, buf);
	assert_int_equal(watt_decode(buf, n, s, NULL, NULL), WC_OK);
}

/* Decode a copy of exactly len bytes on the heap (so ASan sees any read
 * past the end) and check the code, both diag numbers and that the sample
 * did not change. */
static void expect_err(const char *ctx, const uint8_t *frame, size_t len,
		       enum wc_err want, uint32_t a, uint32_t b)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct wc_sample s, before;
	struct wc_diag d = { WC_OK, 0xDEAD, 0xBEEF };
	enum wc_err e;

	assert_non_null(copy);
	if (len)
		memcpy(copy, frame, len);
	full_sample(&s);
	memcpy(&before, &s, sizeof(s));
	e = watt_decode(copy, len, &s, NULL, &d);
	free(copy);
	if (e != want)
		fail_msg("%s: got %s, want %s", ctx, wc_strerror(e),
			 wc_strerror(want));
	EQ(ctx, "diag.code", d.code, want);
	EQ(ctx, "diag.a", d.a, a);
	EQ(ctx, "diag.b", d.b, b);
	if (memcmp(&before, &s, sizeof(s)) != 0)
		fail_msg("%s: failed decode changed the sample", ctx);
}

/* ---- CRC --------------------------------------------------------------- */

static void test_crc_check_value(void **state)
{
	(void)state;
	assert_int_equal(watt_crc16((const uint8_t *)"123456789", 9), 0x4B37);
	assert_int_equal(watt_crc16(NULL, 0), 0xFFFF);
}

static void test_crc_worked_example(void **state)
{
	/* doc/PROTOCOL.md §4.5: the register after each byte. */
	static const uint8_t req[8] = { 0x7E, 0x00, 0x01, 0x03,
					0x00, 0x8C, 0x00, 0x00 };
	static const uint16_t after[8] = { 0x603F, 0x1020, 0x18D0, 0x9D59,
					   0x3A5D, 0x5CFA, 0x43DC, 0x9942 };
	uint8_t buf[BIG];
	uint8_t out[11];
	size_t n;

	(void)state;
	for (size_t i = 0; i < 8; i++)
		EQ("worked example", "register", watt_crc16(req, i + 1),
		   after[i]);
	/* High byte first on the wire. */
	memcpy(out, req, 8);
	watt_put_trailer(out, 8);
	assert_int_equal(out[8], 0x99);
	assert_int_equal(out[9], 0x42);
	assert_int_equal(out[10], 0x0D);
	/* Response side: the 32 bytes of EF2F-2 before its CRC. */
	n = load(WV_EF2F_8D, buf);
	assert_int_equal(n, 35);
	assert_int_equal(watt_crc16(buf, 32), 0x1F91);
}

static void test_crc_all_vectors(void **state)
{
	uint8_t buf[BIG];

	(void)state;
	for (size_t i = 0; i < WV__COUNT; i++) {
		size_t n = load((enum wv_resp)i, buf);

		EQ(wv_resp[i].name, "crc", watt_crc16(buf, n - 3),
		   get_be16(buf + n - 3));
	}
}

/* ---- request builders -------------------------------------------------- */

struct read_case {
	uint8_t head;
	uint8_t dp;
	const char *hex;
};

static const struct read_case read_cases[] = {
	{ 0x7E, 0x01, "7E 00 01 03 00 01 00 00 B2 D2 0D" },
	{ 0x1E, 0x01, "1E 00 01 03 00 01 00 00 9A D4 0D" },
	{ 0x7E, 0x1E, "7E 00 01 03 00 1E 00 00 74 E3 0D" },
	{ 0x1E, 0x1E, "1E 00 01 03 00 1E 00 00 5C E5 0D" },
	{ 0x7E, 0x32, "7E 00 01 03 00 32 00 00 BD 22 0D" },
	{ 0x1E, 0x32, "1E 00 01 03 00 32 00 00 95 24 0D" },
	{ 0x7E, 0x46, "7E 00 01 03 00 46 00 00 A7 62 0D" },
	{ 0x1E, 0x46, "1E 00 01 03 00 46 00 00 8F 64 0D" },
	{ 0x7E, 0x78, "7E 00 01 03 00 78 00 00 6B 03 0D" },
	{ 0x1E, 0x78, "1E 00 01 03 00 78 00 00 43 05 0D" },
	{ 0x7E, 0x8C, "7E 00 01 03 00 8C 00 00 99 42 0D" },
	{ 0x1E, 0x8C, "1E 00 01 03 00 8C 00 00 B1 44 0D" },
	{ 0x7E, 0x8D, "7E 00 01 03 00 8D 00 00 59 13 0D" },
	{ 0x1E, 0x8D, "1E 00 01 03 00 8D 00 00 71 15 0D" },
	{ 0x7E, 0x92, "7E 00 01 03 00 92 00 00 9F 22 0D" },
	{ 0x1E, 0x92, "1E 00 01 03 00 92 00 00 B7 24 0D" },
};

static void check_built(const char *ctx, const uint8_t *got, size_t got_len,
			const char *hex)
{
	uint8_t want[BIG];
	size_t n = hex_or_fail(hex, want, sizeof(want));

	if (got_len != n || memcmp(got, want, n) != 0) {
		print_error("%s: built %zu bytes:", ctx, got_len);
		for (size_t i = 0; i < got_len; i++)
			print_error(" %02X", got[i]);
		print_error("\n%s: want  %s\n", ctx, hex);
		fail_msg("%s: frame differs", ctx);
	}
}

static void test_build_reads(void **state)
{
	uint8_t out[64];
	char ctx[64];

	(void)state;
	assert_int_equal(ARRAY_LEN(read_cases), 16);
	for (size_t i = 0; i < ARRAY_LEN(read_cases); i++) {
		const struct read_case *c = &read_cases[i];
		size_t n = watt_build_read(out, sizeof(out), c->head, c->dp);

		snprintf(ctx, sizeof(ctx), "read[%zu] head %02X dp %02X", i,
			 c->head, c->dp);
		check_built(ctx, out, n, c->hex);
	}
}

static void test_build_infodata(void **state)
{
	uint8_t out[64];
	size_t n;

	(void)state;
	n = watt_build_infodata_read(out, sizeof(out), 0x7E);
	check_built("infoData 7E", out, n,
		    "7E 01 01 03 00 8C 00 00 00 05 01 00 20 00 20 8B 42 0D");
	n = watt_build_infodata_read(out, sizeof(out), 0x1E);
	check_built("infoData 1E", out, n,
		    "1E 01 01 03 00 8C 00 00 00 05 01 00 20 00 20 A3 22 0D");
	assert_int_equal(n, WATT_INFODATA_READ_LEN);
}

struct mos_case {
	uint8_t head;
	uint8_t dp;
	int on;
	const char *hex;
};

static const struct mos_case mos_cases[] = {
	/* §14.5 MOS-1..4, captured from the app */
	{ 0x1E, 0x82, 0, "1E 00 01 06 00 82 00 01 00 1E B2 0D" },
	{ 0x1E, 0x82, 1, "1E 00 01 06 00 82 00 01 01 DE 73 0D" },
	{ 0x1E, 0x83, 0, "1E 00 01 06 00 83 00 01 00 E2 B3 0D" },
	{ 0x1E, 0x83, 1, "1E 00 01 06 00 83 00 01 01 22 72 0D" },
	/* the same with head 7E */
	{ 0x7E, 0x82, 0, "7E 00 01 06 00 82 00 01 00 1C 1A 0D" },
	{ 0x7E, 0x82, 1, "7E 00 01 06 00 82 00 01 01 DC DB 0D" },
	{ 0x7E, 0x83, 0, "7E 00 01 06 00 83 00 01 00 E0 1B 0D" },
	{ 0x7E, 0x83, 1, "7E 00 01 06 00 83 00 01 01 20 DA 0D" },
};

static void test_build_mos(void **state)
{
	uint8_t out[64];
	char ctx[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(mos_cases); i++) {
		const struct mos_case *c = &mos_cases[i];
		size_t n = watt_build_mos(out, sizeof(out), c->head, c->dp,
					  c->on);

		snprintf(ctx, sizeof(ctx), "mos[%zu] head %02X dp %02X on %d",
			 i, c->head, c->dp, c->on);
		check_built(ctx, out, n, c->hex);
	}
	/* Any non-zero "on" means on. */
	assert_int_equal(watt_build_mos(out, sizeof(out), 0x1E, 0x82, 7), 12);
	check_built("mos on=7", out, 12, mos_cases[1].hex);
	/* Only the two MOSFET data points. */
	assert_int_equal(watt_build_mos(out, sizeof(out), 0x7E, 0x84, 1), 0);
	assert_int_equal(watt_build_mos(out, sizeof(out), 0x7E, 0x8C, 1), 0);
}

static void test_build_clock(void **state)
{
	const struct watt_clock t = { 2024, 11, 22, 14, 7, 8 };
	uint8_t out[64];
	size_t n;

	(void)state;
	n = watt_build_clock(out, sizeof(out), 0x7E, &t);
	check_built("CLOCK-1 7E", out, n,
		    "7E 00 01 06 00 95 00 07 07 E8 0B 16 0E 07 08 C9 41 0D");
	n = watt_build_clock(out, sizeof(out), 0x1E, &t);
	check_built("CLOCK-1 1E", out, n,
		    "1E 00 01 06 00 95 00 07 07 E8 0B 16 0E 07 08 E1 21 0D");
}

static void test_build_clock_rejects(void **state)
{
	static const struct watt_clock bad[] = {
		{ 2024, 0, 22, 14, 7, 8 },  { 2024, 13, 22, 14, 7, 8 },
		{ 2024, 11, 0, 14, 7, 8 },  { 2024, 11, 32, 14, 7, 8 },
		{ 2024, 11, 22, 24, 7, 8 }, { 2024, 11, 22, 14, 60, 8 },
		{ 2024, 11, 22, 14, 7, 60 }, { 2024, 255, 22, 14, 7, 8 },
	};
	static const struct watt_clock edge[] = {
		{ 0, 1, 1, 0, 0, 0 },
		{ 65535, 12, 31, 23, 59, 59 },
	};
	uint8_t out[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		memset(out, 0xA5, sizeof(out));
		EQ("bad clock", "len", watt_build_clock(out, sizeof(out), 0x7E,
							&bad[i]), 0);
		for (size_t k = 0; k < sizeof(out); k++)
			EQ("bad clock", "untouched byte", out[k], 0xA5);
	}
	for (size_t i = 0; i < ARRAY_LEN(edge); i++)
		EQ("edge clock", "len",
		   watt_build_clock(out, sizeof(out), 0x7E, &edge[i]), 18);
	assert_int_equal(watt_build_clock(out, sizeof(out), 0x7E, NULL), 0);
}

static void test_build_cap_too_small(void **state)
{
	const struct watt_clock t = { 2024, 11, 22, 14, 7, 8 };
	static const uint8_t data[3] = { 1, 2, 3 };
	uint8_t out[64];

	(void)state;
	memset(out, 0xA5, sizeof(out));
	assert_int_equal(watt_build_read(out, 10, 0x7E, 0x8C), 0);
	assert_int_equal(watt_build_infodata_read(out, 17, 0x7E), 0);
	assert_int_equal(watt_build_mos(out, 11, 0x7E, 0x82, 1), 0);
	assert_int_equal(watt_build_clock(out, 17, 0x7E, &t), 0);
	assert_int_equal(watt_build_frame(out, 13, 0x7E, 0, 1, 3, 0x8C, data,
					  3), 0);
	assert_int_equal(watt_build_read(NULL, 64, 0x7E, 0x8C), 0);
	assert_int_equal(watt_build_infodata_read(NULL, 64, 0x7E), 0);
	/* n bytes promised, no data given */
	assert_int_equal(watt_build_frame(out, 64, 0x7E, 0, 1, 3, 0x8C, NULL,
					  3), 0);
	/* A failed build writes nothing. */
	for (size_t k = 0; k < sizeof(out); k++)
		EQ("cap too small", "untouched byte", out[k], 0xA5);

	/* Exactly enough room is enough. */
	assert_int_equal(watt_build_read(out, 11, 0x7E, 0x8C), 11);
	assert_int_equal(watt_build_infodata_read(out, 18, 0x7E), 18);
	assert_int_equal(watt_build_mos(out, 12, 0x7E, 0x82, 1), 12);
	assert_int_equal(watt_build_clock(out, 18, 0x7E, &t), 18);
	assert_int_equal(watt_build_frame(out, 14, 0x7E, 0, 1, 3, 0x8C, data,
					  3), 14);
}

static void test_build_frame_too_long(void **state)
{
	static uint8_t data[0x10000];
	static uint8_t out[0x10000 + WATT_OVERHEAD + 1];

	(void)state;
	assert_int_equal(watt_build_frame(out, sizeof(out), 0x7E, 0, 1, 3,
					  0x8C, data, 0x10000), 0);
	assert_int_equal(watt_build_frame(out, sizeof(out), 0x7E, 0, 1, 3,
					  0x8C, data, 0xFFFF),
			 0xFFFF + WATT_OVERHEAD);
	assert_int_equal(get_be16(out + 6), 0xFFFF);
}

/* ---- parse ------------------------------------------------------------ */

static void test_parse_fields(void **state)
{
	uint8_t buf[BIG];
	struct watt_frame f;
	struct wc_diag d;
	size_t n;

	(void)state;
	n = load(WV_TDT16_8D, buf);
	assert_int_equal(watt_parse_frame(buf, n, &f, &d), WC_OK);
	assert_int_equal(f.head, 0x7E);
	assert_int_equal(f.version, 0x00);
	assert_int_equal(f.address, 0x01);
	assert_int_equal(f.function, 0x03);
	assert_int_equal(f.dp, 0x8D);
	assert_ptr_equal(f.data, buf + 8);
	assert_int_equal(f.data_len, 39);
	assert_int_equal(n, 50);
	assert_int_equal(watt_parse_frame(NULL, n, &f, &d), WC_E_ARG);
	assert_int_equal(watt_parse_frame(buf, n, NULL, &d), WC_E_ARG);
	/* A NULL diag is allowed. */
	assert_int_equal(watt_parse_frame(buf, n - 1, &f, NULL),
			 WC_E_TRUNCATED);
}

/* ---- decoders: the §14 vectors ---------------------------------------- */

struct analog_case {
	enum wv_resp v;
	size_t frame_len;
	uint8_t n_cells;
	double cells[16];
	uint8_t m;
	double t_mos, t_env;
	double probes[4];
	double current, voltage, remaining, full;
	uint32_t cycles;
	double design, soc;
};

static const struct analog_case analog_cases[] = {
	{ WV_EF2F_8C, 43, 4, { 3.294, 3.293, 3.295, 3.290 }, 4, 18.7, 19.8,
	  { 17.6, 17.6 }, 0.0, 13.17, 183.4, 314.0, 5, 314.0, 58 },
	{ WV_49A1_8C, 43, 4, { 3.465, 3.489, 3.484, 3.483 }, 4, 21.6, 24.3,
	  { 21.3, 21.2 }, 0.0, 13.92, 99.9, 100.0, 1, 100.0, 100 },
	{ WV_TDT16_8C, 71, 16,
	  { 3.299, 3.302, 3.294, 3.294, 3.293, 3.294, 3.293, 3.292, 3.292,
	    3.290, 3.294, 3.294, 3.294, 3.293, 3.295, 3.294 },
	  6, 18.0, 19.7, { 18.0, 18.0, 18.0, 18.8 }, -5.7, 52.70, 99.1, 108.3,
	  8, 100.0, 91 },
};

static void test_decode_analog_vectors(void **state)
{
	uint8_t buf[BIG];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(analog_cases); i++) {
		const struct analog_case *c = &analog_cases[i];
		const char *ctx = wv_resp[c->v].name;
		struct wc_sample s;
		struct wc_diag d = { WC_OK, 0, 0 };
		uint16_t dp = 0;
		size_t n = load(c->v, buf);
		enum wc_err e;
		uint32_t want_present;

		EQ(ctx, "frame length", n, c->frame_len);
		memset(&s, 0, sizeof(s));
		e = watt_decode(buf, n, &s, &dp, &d);
		if (e != WC_OK)
			fail_msg("%s: %s", ctx, wc_strerror(e));
		EQ(ctx, "dp", dp, 0x8C);
		EQ(ctx, "version", s.version, 0x00);
		EQ(ctx, "address", s.address, 0x01);
		EQ(ctx, "n_cells", s.n_cells, c->n_cells);
		for (int k = 0; k < c->n_cells; k++)
			NEAR(ctx, "cell_v", k, s.cell_v[k], c->cells[k]);
		NEAR(ctx, "temp_mos", 0, s.temp_mos_c, c->t_mos);
		NEAR(ctx, "temp_env", 0, s.temp_env_c, c->t_env);
		EQ(ctx, "n_probes", s.n_probes, c->m - 2);
		for (int k = 0; k < c->m - 2; k++)
			NEAR(ctx, "probe", k, s.probe_c[k], c->probes[k]);
		NEAR(ctx, "current", 0, s.current_a, c->current);
		NEAR(ctx, "voltage", 0, s.voltage_v, c->voltage);
		NEAR(ctx, "power", 0, s.power_w, c->voltage * c->current);
		NEAR(ctx, "remaining", 0, s.remaining_ah, c->remaining);
		NEAR(ctx, "full", 0, s.full_ah, c->full);
		EQ(ctx, "cycles", s.cycles, c->cycles);
		NEAR(ctx, "design", 0, s.design_ah, c->design);
		NEAR(ctx, "soc", 0, s.soc_pct, c->soc);
		want_present = 1u << WC_F_CELLS | 1u << WC_F_TEMP_MOS |
			       1u << WC_F_TEMP_ENV | 1u << WC_F_PROBES |
			       1u << WC_F_CURRENT | 1u << WC_F_VOLTAGE |
			       1u << WC_F_POWER | 1u << WC_F_REMAINING |
			       1u << WC_F_FULL | 1u << WC_F_CYCLES |
			       1u << WC_F_DESIGN | 1u << WC_F_SOC;
		/* SoH and the rest of the extension are absent, not zero. */
		EQ(ctx, "present", s.present, want_present);
		assert_false(wc_has(&s, WC_F_SOH));
		assert_false(signbit(s.current_a) && s.current_a == 0.0);
		assert_false(signbit(s.power_w) && s.power_w == 0.0);
	}
}

struct warning_case {
	enum wv_resp v;
	size_t frame_len;
	uint8_t n, m;
	uint8_t cc_state, v_state, dc_state;
	uint8_t mode_raw;
	enum wc_mode mode;
	uint8_t s1, s2, s3, s4, s5, r9, r10, w1, w2;
	uint8_t n_bal;
	bool chg_mos, dsg_mos;
};

static const struct warning_case warning_cases[] = {
	{ WV_EF2F_8D, 35, 4, 4, 0, 0, 0, 0, WC_MODE_IDLE, 0x00, 0x00, 0x06,
	  0x01, 0x00, 0x00, 0x18, 0x00, 0x00, 1, true, true },
	{ WV_49A1_8D, 35, 4, 4, 0, 0, 0, 0, WC_MODE_IDLE, 0x00, 0x00, 0x06,
	  0x29, 0x00, 0x00, 0x00, 0x00, 0x00, 1, true, true },
	{ WV_TDT16_8D, 50, 16, 6, 0, 0, 0, 2, WC_MODE_DISCHARGING, 0x00, 0x00,
	  0x0E, 0x01, 0x00, 0x00, 0x18, 0x00, 0x00, 2, true, true },
};

static void test_decode_warning_vectors(void **state)
{
	uint8_t buf[BIG];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(warning_cases); i++) {
		const struct warning_case *c = &warning_cases[i];
		const char *ctx = wv_resp[c->v].name;
		const struct wc_status_regs *r;
		struct wc_sample s;
		uint16_t dp = 0;
		size_t n = load(c->v, buf);
		enum wc_err e;

		EQ(ctx, "frame length", n, c->frame_len);
		memset(&s, 0, sizeof(s));
		e = watt_decode(buf, n, &s, &dp, NULL);
		if (e != WC_OK)
			fail_msg("%s: %s", ctx, wc_strerror(e));
		r = &s.regs;
		EQ(ctx, "dp", dp, 0x8D);
		EQ(ctx, "present", s.present, 1u << WC_F_STATUS);
		EQ(ctx, "n_cells", r->n_cells, c->n);
		EQ(ctx, "n_temps", r->n_temps, c->m);
		for (int k = 0; k < c->n; k++)
			EQ(ctx, "cell_state", r->cell_state[k], 0);
		for (int k = 0; k < c->m; k++)
			EQ(ctx, "temp_state", r->temp_state[k], 0);
		EQ(ctx, "charge_current_state", r->charge_current_state,
		   c->cc_state);
		EQ(ctx, "voltage_state", r->voltage_state, c->v_state);
		EQ(ctx, "discharge_current_state", r->discharge_current_state,
		   c->dc_state);
		EQ(ctx, "battery_mode", r->battery_mode, c->mode_raw);
		EQ(ctx, "mode", s.mode, c->mode);
		EQ(ctx, "status1", r->status1, c->s1);
		EQ(ctx, "status2", r->status2, c->s2);
		EQ(ctx, "status3", r->status3, c->s3);
		EQ(ctx, "status4", r->status4, c->s4);
		EQ(ctx, "status5", r->status5, c->s5);
		EQ(ctx, "reserved9", r->reserved9, c->r9);
		EQ(ctx, "reserved10", r->reserved10, c->r10);
		EQ(ctx, "warning1", r->warning1, c->w1);
		EQ(ctx, "warning2", r->warning2, c->w2);
		EQ(ctx, "problem code", r->status1 << 8 | r->status2, 0);
		EQ(ctx, "n_balance_bytes", r->n_balance_bytes, c->n_bal);
		for (int k = 0; k < c->n_bal; k++)
			EQ(ctx, "balance", r->balance[k], 0);
		EQ(ctx, "balancing", s.balancing, 0);
		EQ(ctx, "charge_mos", s.charge_mos, c->chg_mos);
		EQ(ctx, "discharge_mos", s.discharge_mos, c->dsg_mos);
	}
}

struct product_case {
	enum wv_resp v;
	const char *fw, *mf, *sn;
};

static const struct product_case product_cases[] = {
	{ WV_EF2F_92, "WT12_20004SW10_L447", "", "60016016207270001" },
	{ WV_49A1_92, "WT30_10004SW14_L_01", "11112222333344445555",
	  "IKKKK0000AII00000000" },
	{ WV_TDT16_92, "6032_10016S000_L_41", "", "60326016207270001" },
};

static void test_decode_product_vectors(void **state)
{
	uint8_t buf[BIG];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(product_cases); i++) {
		const struct product_case *c = &product_cases[i];
		const char *ctx = wv_resp[c->v].name;
		struct wc_sample s;
		uint16_t dp = 0;
		size_t n = load(c->v, buf);
		enum wc_err e;

		EQ(ctx, "frame length", n, 71);
		memset(&s, 0x55, sizeof(s));
		s.present = 0;
		e = watt_decode(buf, n, &s, &dp, NULL);
		if (e != WC_OK)
			fail_msg("%s: %s", ctx, wc_strerror(e));
		EQ(ctx, "dp", dp, 0x92);
		EQ(ctx, "present", s.present, 1u << WC_F_INFO);
		assert_string_equal(s.firmware, c->fw);
		assert_string_equal(s.manufacturer, c->mf);
		assert_string_equal(s.serial, c->sn);
	}
}

/* One sample collects all three data points of a poll. */
static void test_decode_accumulates(void **state)
{
	uint8_t buf[BIG];
	struct wc_sample s;
	size_t n;

	(void)state;
	memset(&s, 0, sizeof(s));
	n = load(WV_TDT16_8C, buf);
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	n = load(WV_TDT16_8D, buf);
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	n = load(WV_TDT16_92, buf);
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_true(wc_has(&s, WC_F_CELLS));
	assert_true(wc_has(&s, WC_F_STATUS));
	assert_true(wc_has(&s, WC_F_INFO));
	assert_int_equal(s.n_cells, 16);
	NEAR("accumulate", "current", 0, s.current_a, -5.7);
	assert_int_equal(s.mode, WC_MODE_DISCHARGING);
	assert_string_equal(s.firmware, "6032_10016S000_L_41");
}

/* Version 0x04 (TDT "L65") and address 0x41 (one WattCycle unit) are
 * accepted, and reported. */
static void test_decode_version_address(void **state)
{
	uint8_t buf[BIG];
	struct wc_sample s;
	size_t n;

	(void)state;
	n = load(WV_TDT16_8C, buf);
	buf[1] = 0x04;
	recrc(buf, n);
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_int_equal(s.version, 0x04);
	assert_int_equal(s.n_cells, 16);

	n = load(WV_EF2F_8D, buf);
	buf[2] = 0x41;
	recrc(buf, n);
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_int_equal(s.address, 0x41);
	assert_int_equal(s.regs.status3, 0x06);

	n = load(WV_49A1_92, buf);
	buf[1] = 0x04;
	buf[2] = 0x41;
	recrc(buf, n);
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_int_equal(s.version, 0x04);
	assert_int_equal(s.address, 0x41);
}

/* ---- extension block --------------------------------------------------- */

static size_t ext_frame(uint8_t *out, uint16_t soh, uint32_t life,
			uint32_t left, uint16_t bal)
{
	uint8_t src[BIG];
	uint8_t data[64];
	size_t n = load(WV_EF2F_8C, src);
	size_t dn = n - WATT_OVERHEAD;

	memcpy(data, src + 8, dn);
	put_be16(data + dn, soh);
	put_be32(data + dn + 2, life);
	put_be32(data + dn + 6, left);
	memset(data + dn + 10, 0xEE, 6); /* reserved: must be ignored */
	put_be16(data + dn + 16, bal);
	return resp_frame(out, BIG, 0x03, 0x8C, data, dn + 18);
}

static void test_decode_extension(void **state)
{
	uint8_t buf[BIG];
	struct wc_sample s;
	size_t n;

	(void)state;
	n = ext_frame(buf, 98, 123456, 3600, 0xC00C);
	assert_int_equal(n, 61);
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_true(wc_has(&s, WC_F_SOH));
	assert_true(wc_has(&s, WC_F_LIFETIME));
	assert_true(wc_has(&s, WC_F_TIME_LEFT));
	assert_true(wc_has(&s, WC_F_BALANCE_CURRENT));
	NEAR("ext", "soh", 0, s.soh_pct, 98);
	NEAR("ext", "lifetime", 0, s.lifetime_ah, 12345.6);
	assert_int_equal(s.time_left_min, 3600);
	NEAR("ext", "balance current", 0, s.balance_current_a, -1.2);
	/* The base fields are still the EF2F ones. */
	NEAR("ext", "soc", 0, s.soc_pct, 58);
	NEAR("ext", "cell", 3, s.cell_v[3], 3.290);

	/* i32 remaining time: negative values survive. */
	n = ext_frame(buf, 100, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x40B5);
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_int_equal(s.time_left_min, -1);
	NEAR("ext", "lifetime max", 0, s.lifetime_ah, 429496729.5);
	NEAR("ext", "balance current", 0, s.balance_current_a, 18.1);

	/* Without the block its four bits stay clear. */
	n = load(WV_EF2F_8C, buf);
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_false(wc_has(&s, WC_F_SOH));
	assert_false(wc_has(&s, WC_F_LIFETIME));
	assert_false(wc_has(&s, WC_F_TIME_LEFT));
	assert_false(wc_has(&s, WC_F_BALANCE_CURRENT));
}

/* Anything between the base length and base + 18 is neither layout. */
static void test_decode_extension_partial(void **state)
{
	uint8_t src[BIG], buf[BIG], data[64];
	size_t n = load(WV_EF2F_8C, src);
	size_t dn = n - WATT_OVERHEAD;
	char ctx[48];

	(void)state;
	memset(data, 0, sizeof(data));
	memcpy(data, src + 8, dn);
	for (size_t extra = 1; extra < 18; extra++) {
		n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn + extra);
		snprintf(ctx, sizeof(ctx), "0x8C with %zu extra bytes", extra);
		expect_err(ctx, buf, n, WC_E_LENGTH, (uint32_t)(dn + extra),
			   (uint32_t)dn);
	}
	/* 18 bytes or more: the app reads the first 18, so do we */
	for (size_t extra = 18; extra <= 30; extra += 6) {
		struct wc_sample s;

		memset(data + dn, 0, 30);
		data[dn + 1] = 97;          /* SoH */
		data[dn + 17] = 0x4C;       /* balance current 7.6 A ... */
		data[dn + 16] = 0x40;       /* ... decimal flag */
		memset(data + dn + 18, 0xEE, 12); /* beyond the 18: ignored */
		n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn + extra);
		memset(&s, 0, sizeof(s));
		if (watt_decode(buf, n, &s, NULL, NULL) != WC_OK)
			fail_msg("0x8C with %zu extra bytes rejected", extra);
		assert_true(wc_has(&s, WC_F_SOH));
		assert_true(s.soh_pct == 97);
		assert_true(fabs(s.balance_current_a - 7.6) < 1e-9);
		assert_true(s.soc_pct == 58);
	}
}

/* ---- current and temperature encodings -------------------------------- */

static void test_current_encoding(void **state)
{
	static const struct {
		uint16_t raw;
		double amps;
	} cases[] = {
		{ 0x4000, 0.0 },    { 0xC039, -5.7 },  { 0xC0A2, -16.2 },
		{ 0x40B5, 18.1 },   { 0xC07B, -12.3 }, { 0x43FF, 102.3 },
		/* bit 14 clear: whole amperes */
		{ 0x0005, 5.0 },    { 0x8005, -5.0 },  { 0x00B5, 181.0 },
		{ 0x3FFF, 16383.0 }, { 0xBFFF, -16383.0 },
		{ 0x7FFF, 1638.3 }, { 0xFFFF, -1638.3 },
		/* zero of every flavour is plain zero */
		{ 0x0000, 0.0 },    { 0x8000, 0.0 },   { 0xC000, 0.0 },
	};
	char ctx[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		double a = watt_current_a(cases[i].raw);

		snprintf(ctx, sizeof(ctx), "raw %04X", cases[i].raw);
		NEAR(ctx, "amps", (int)i, a, cases[i].amps);
		if (a == 0.0 && signbit(a))
			fail_msg("%s: negative zero", ctx);
	}
}

static void test_current_raw(void **state)
{
	char ctx[32];

	(void)state;
	assert_int_equal(watt_current_raw(0.0), 0x4000);
	assert_int_equal(watt_current_raw(-0.0), 0x4000);
	assert_int_equal(watt_current_raw(-0.04), 0x4000); /* rounds to 0 */
	assert_int_equal(watt_current_raw(-5.7), 0xC039);
	assert_int_equal(watt_current_raw(-16.2), 0xC0A2);
	assert_int_equal(watt_current_raw(18.1), 0x40B5);
	assert_int_equal(watt_current_raw(-12.3), 0xC07B);
	assert_int_equal(watt_current_raw(102.3), 0x43FF);
	/* Out of range saturates at the largest magnitude. */
	assert_int_equal(watt_current_raw(5000.0), 0x7FFF);
	assert_int_equal(watt_current_raw(-5000.0), 0xFFFF);
	assert_int_equal(watt_current_raw(1e300), 0x7FFF);
	/* Every encodable decimal value round trips both ways. */
	for (uint32_t mag = 1; mag <= 0x3FFF; mag++) {
		uint16_t pos = (uint16_t)(0x4000 | mag);
		uint16_t neg = (uint16_t)(0xC000 | mag);

		if (watt_current_raw(watt_current_a(pos)) != pos ||
		    watt_current_raw(watt_current_a(neg)) != neg) {
			snprintf(ctx, sizeof(ctx), "mag %u", mag);
			fail_msg("%s: round trip failed", ctx);
		}
	}
}

static void test_temp(void **state)
{
	(void)state;
	NEAR("temp", "2730", 0, watt_temp_c(2730), 0.0);
	NEAR("temp", "2917", 0, watt_temp_c(2917), 18.7);
	NEAR("temp", "2500", 0, watt_temp_c(2500), -23.0);
	NEAR("temp", "0", 0, watt_temp_c(0), -273.0);
	NEAR("temp", "65535", 0, watt_temp_c(65535), 6280.5);
}

/* ---- every bad input, its own code ------------------------------------ */

static void test_err_crc(void **state)
{
	uint8_t buf[BIG];
	struct wc_sample s;
	struct wc_diag d;
	char msg[128];
	size_t n;

	(void)state;
	n = load(WV_EF2F_8D, buf);
	assert_int_equal(buf[33], 0x91);
	buf[33] = 0x90;
	expect_err("crc", buf, n, WC_E_CRC, 0x1F90, 0x1F91);
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, &d), WC_E_CRC);
	assert_string_equal(wc_diag_format(&d, msg, sizeof(msg)),
			    "crc mismatch: frame says 0x1F90, computed 0x1F91");
	/* A flipped payload bit is a CRC error too. */
	n = load(WV_TDT16_8C, buf);
	buf[40] ^= 0x01;
	assert_int_equal(watt_decode(buf, n, &s, NULL, &d), WC_E_CRC);
	assert_int_equal(d.a, 0x2B9C);
}

static void test_err_frame_structure(void **state)
{
	uint8_t buf[BIG];
	size_t n;

	(void)state;
	/* truncated */
	n = load(WV_EF2F_8C, buf);
	expect_err("truncated by 1", buf, n - 1, WC_E_TRUNCATED, 43, 42);
	expect_err("truncated at 20", buf, 20, WC_E_TRUNCATED, 43, 20);
	expect_err("truncated at 11", buf, 11, WC_E_TRUNCATED, 43, 11);
	/* over-long */
	buf[n] = 0x00;
	expect_err("overlong", buf, n + 1, WC_E_OVERLONG, 43, 44);
	buf[n] = 0x0D;
	expect_err("overlong 0D", buf, n + 1, WC_E_OVERLONG, 43, 44);
	/* too short */
	expect_err("short 10", buf, 10, WC_E_SHORT, 10, 11);
	expect_err("short 0", buf, 0, WC_E_SHORT, 0, 11);
	/* bad head: a 1E or a stray byte in front, CRC otherwise right */
	n = load(WV_EF2F_8C, buf);
	buf[0] = 0x1E;
	recrc(buf, n);
	expect_err("head 1E", buf, n, WC_E_HEAD, 0x1E, 0x7E);
	buf[0] = 0x00;
	recrc(buf, n);
	expect_err("head 00", buf, n, WC_E_HEAD, 0x00, 0x7E);
	/* bad terminator */
	n = load(WV_EF2F_8C, buf);
	buf[n - 1] = 0x0A;
	expect_err("terminator", buf, n, WC_E_TERMINATOR, 0x0A, 0x0D);
	buf[n - 1] = 0x00;
	expect_err("terminator 00", buf, n, WC_E_TERMINATOR, 0x00, 0x0D);
}

static void test_err_function_dp(void **state)
{
	uint8_t buf[BIG];
	static const uint8_t one[1] = { 0x01 };
	uint16_t dp = 0;
	struct wc_sample s;
	size_t n;

	(void)state;
	/* a write echo in answer to a read */
	n = load(WV_EF2F_8C, buf);
	buf[3] = 0x06;
	recrc(buf, n);
	expect_err("function 06", buf, n, WC_E_FUNCTION, 0x06, 0x03);
	/* the app's write error, and the guessed read error */
	n = resp_frame(buf, sizeof(buf), 0x86, 0x82, one, 1);
	expect_err("function 86", buf, n, WC_E_BMS_ERROR, 0x86, 0x82);
	n = load(WV_EF2F_8D, buf);
	buf[3] = 0x83;
	recrc(buf, n);
	expect_err("function 83", buf, n, WC_E_BMS_ERROR, 0x83, 0x8D);
	/* the DP is still reported for an error reply */
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, &dp, NULL), WC_E_BMS_ERROR);
	assert_int_equal(dp, 0x8D);
	/* unknown DPs, including a request's 0-length echo */
	n = resp_frame(buf, sizeof(buf), 0x03, 0x01, one, 1);
	expect_err("dp 01", buf, n, WC_E_DP, 0x01, 0);
	n = resp_frame(buf, sizeof(buf), 0x03, 0x95, NULL, 0);
	expect_err("dp 95", buf, n, WC_E_DP, 0x95, 0);
	n = resp_frame(buf, sizeof(buf), 0x03, 0x018C, one, 1);
	expect_err("dp 018C", buf, n, WC_E_DP, 0x018C, 0);
	/* a write echo of a MOSFET switch is not a read answer */
	n = resp_frame(buf, sizeof(buf), 0x06, 0x82, one, 1);
	expect_err("write echo", buf, n, WC_E_FUNCTION, 0x06, 0x03);
}

static void test_err_analog_counts(void **state)
{
	uint8_t src[BIG], buf[BIG], data[BIG];
	size_t n = load(WV_EF2F_8C, src);
	size_t dn = n - WATT_OVERHEAD; /* 32 */

	(void)state;
	memcpy(data, src + 8, dn);
	/* cell count 0 and 33 */
	data[0] = 0;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn);
	expect_err("0x8C 0 cells", buf, n, WC_E_CELL_COUNT, 0, 32);
	data[0] = 33;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn);
	expect_err("0x8C 33 cells", buf, n, WC_E_CELL_COUNT, 33, 32);
	data[0] = 4;
	/* temperature count 33 */
	data[9] = 33;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn);
	expect_err("0x8C 33 temps", buf, n, WC_E_TEMP_COUNT, 33, 32);
	/* a temperature count one too many / too few for the length */
	data[9] = 5;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn);
	expect_err("0x8C M=5", buf, n, WC_E_LENGTH, 32, 34);
	data[9] = 3;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn);
	expect_err("0x8C M=3", buf, n, WC_E_LENGTH, 32, 30);
	data[9] = 4;
	/* a cell count that puts M past the end */
	data[0] = 32;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn);
	expect_err("0x8C N=32 in 32 bytes", buf, n, WC_E_LENGTH, 32, 66);
	data[0] = 4;
	/* data one byte short / long */
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn - 1);
	expect_err("0x8C 31 bytes", buf, n, WC_E_LENGTH, 31, 32);
	data[dn] = 0;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, dn + 1);
	expect_err("0x8C 33 bytes", buf, n, WC_E_LENGTH, 33, 32);
	/* no data at all, and only the cell count */
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, NULL, 0);
	expect_err("0x8C empty", buf, n, WC_E_LENGTH, 0, 2);
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8C, data, 1);
	expect_err("0x8C 1 byte", buf, n, WC_E_LENGTH, 1, 10);
}

static void test_err_warning_counts(void **state)
{
	uint8_t src[BIG], buf[BIG], data[BIG];
	size_t n = load(WV_EF2F_8D, src);
	size_t dn = n - WATT_OVERHEAD; /* 24 */

	(void)state;
	memcpy(data, src + 8, dn);
	data[0] = 0;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, data, dn);
	expect_err("0x8D 0 cells", buf, n, WC_E_CELL_COUNT, 0, 32);
	data[0] = 33;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, data, dn);
	expect_err("0x8D 33 cells", buf, n, WC_E_CELL_COUNT, 33, 32);
	data[0] = 4;
	data[5] = 33;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, data, dn);
	expect_err("0x8D 33 temps", buf, n, WC_E_TEMP_COUNT, 33, 32);
	data[5] = 5;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, data, dn);
	expect_err("0x8D M=5", buf, n, WC_E_LENGTH, 24, 25);
	data[5] = 4;
	/* N = 9 moves M to a 00 byte and needs a second balancing byte */
	data[0] = 9;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, data, dn);
	expect_err("0x8D N=9", buf, n, WC_E_LENGTH, 24, 26);
	data[0] = 4;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, data, dn - 1);
	expect_err("0x8D 23 bytes", buf, n, WC_E_LENGTH, 23, 24);
	data[dn] = 0;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, data, dn + 1);
	expect_err("0x8D 25 bytes", buf, n, WC_E_LENGTH, 25, 24);
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, NULL, 0);
	expect_err("0x8D empty", buf, n, WC_E_LENGTH, 0, 2);
	/* N = 30 puts M beyond the 24 bytes */
	data[0] = 30;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, data, dn);
	expect_err("0x8D N=30", buf, n, WC_E_LENGTH, 24, 32);
}

static void test_err_product_length(void **state)
{
	uint8_t src[BIG], buf[BIG], data[BIG];
	size_t n = load(WV_EF2F_92, src);

	(void)state;
	memcpy(data, src + 8, 60);
	data[60] = 0;
	n = resp_frame(buf, sizeof(buf), 0x03, 0x92, data, 59);
	expect_err("0x92 59", buf, n, WC_E_INFO_LENGTH, 59, 60);
	n = resp_frame(buf, sizeof(buf), 0x03, 0x92, data, 61);
	expect_err("0x92 61", buf, n, WC_E_INFO_LENGTH, 61, 60);
	n = resp_frame(buf, sizeof(buf), 0x03, 0x92, NULL, 0);
	expect_err("0x92 0", buf, n, WC_E_INFO_LENGTH, 0, 60);
}

/* Every prefix of every vector fails, reads nothing beyond the prefix
 * (each is an exact-size heap copy) and leaves the sample alone. */
static void test_err_every_truncation(void **state)
{
	uint8_t buf[BIG];
	char ctx[64];

	(void)state;
	for (size_t i = 0; i < WV__COUNT; i++) {
		size_t n = load((enum wv_resp)i, buf);

		for (size_t k = 0; k < n; k++) {
			enum wc_err want = k < WATT_OVERHEAD ? WC_E_SHORT
							     : WC_E_TRUNCATED;
			uint32_t a = k < WATT_OVERHEAD ? (uint32_t)k
						       : (uint32_t)n;
			uint32_t b = k < WATT_OVERHEAD ? WATT_OVERHEAD
						       : (uint32_t)k;

			snprintf(ctx, sizeof(ctx), "%s cut at %zu",
				 wv_resp[i].name, k);
			expect_err(ctx, buf, k, want, a, b);
		}
	}
}

/* The payload decoders on their own: every prefix of the data fails. */
static void test_err_payload_truncation(void **state)
{
	uint8_t buf[BIG];
	char ctx[64];

	(void)state;
	for (size_t i = 0; i < WV__COUNT; i++) {
		size_t n = load((enum wv_resp)i, buf);
		size_t dn = n - WATT_OVERHEAD;
		uint8_t dp = buf[5];

		for (size_t k = 0; k < dn; k++) {
			uint8_t *copy = malloc(k ? k : 1);
			struct wc_sample s, before;
			struct wc_diag d = { WC_OK, 0, 0 };
			enum wc_err e;

			assert_non_null(copy);
			memcpy(copy, buf + 8, k);
			full_sample(&s);
			memcpy(&before, &s, sizeof(s));
			if (dp == 0x8C)
				e = watt_decode_analog(copy, k, &s, &d);
			else if (dp == 0x8D)
				e = watt_decode_status(copy, k, &s, &d);
			else
				e = watt_decode_product(copy, k, &s, &d);
			free(copy);
			snprintf(ctx, sizeof(ctx), "%s data cut at %zu",
				 wv_resp[i].name, k);
			if (e == WC_OK || e != d.code)
				fail_msg("%s: got %s (diag %s)", ctx,
					 wc_strerror(e), wc_strerror(d.code));
			if (memcmp(&before, &s, sizeof(s)) != 0)
				fail_msg("%s: sample changed", ctx);
		}
	}
}

static void test_err_null_args(void **state)
{
	uint8_t buf[BIG];
	struct wc_sample s;
	size_t n = load(WV_EF2F_8C, buf);

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, NULL, NULL, NULL), WC_E_ARG);
	assert_int_equal(watt_decode(NULL, n, &s, NULL, NULL), WC_E_ARG);
	assert_int_equal(watt_decode_analog(NULL, 32, &s, NULL), WC_E_ARG);
	assert_int_equal(watt_decode_analog(buf + 8, 32, NULL, NULL),
			 WC_E_ARG);
	assert_int_equal(watt_decode_status(NULL, 24, &s, NULL), WC_E_ARG);
	assert_int_equal(watt_decode_product(NULL, 60, &s, NULL), WC_E_ARG);
	assert_int_equal(s.present, 0);
}

/* ---- 0x8D: every status bit, balancing, modes ------------------------- */

/* S+0 .. S+12 of 0x8D, then the balancing bytes. */
struct regs_in {
	uint8_t tail[13];
	uint8_t bal[4];
};

static size_t warn_frame(uint8_t *out, uint8_t n, uint8_t m,
			 const struct regs_in *in)
{
	uint8_t data[BIG];
	size_t k = 0;
	size_t nb = (size_t)(n + 7) / 8;

	data[k++] = n;
	memset(data + k, 0, n);
	k += n;
	data[k++] = m;
	memset(data + k, 0, m);
	k += m;
	memcpy(data + k, in->tail, 13);
	k += 13;
	memcpy(data + k, in->bal, nb);
	k += nb;
	return resp_frame(out, BIG, 0x03, 0x8D, data, k);
}

static void test_warning_each_bit(void **state)
{
	static const struct {
		const char *name;
		unsigned off;
		size_t field;
	} regs[] = {
		{ "status1", 4, offsetof(struct wc_status_regs, status1) },
		{ "status2", 5, offsetof(struct wc_status_regs, status2) },
		{ "status3", 6, offsetof(struct wc_status_regs, status3) },
		{ "status5", 8, offsetof(struct wc_status_regs, status5) },
		{ "warning1", 11, offsetof(struct wc_status_regs, warning1) },
		{ "warning2", 12, offsetof(struct wc_status_regs, warning2) },
	};
	static const uint8_t shapes[][2] = { { 4, 4 }, { 16, 6 }, { 32, 32 },
					     { 1, 0 } };
	uint8_t buf[BIG];
	char ctx[64];

	(void)state;
	for (size_t sh = 0; sh < ARRAY_LEN(shapes); sh++) {
		for (size_t r = 0; r < ARRAY_LEN(regs); r++) {
			for (unsigned bit = 0; bit < 8; bit++) {
				struct regs_in in;
				struct wc_sample s;
				const uint8_t *rb;
				size_t n;

				memset(&in, 0, sizeof(in));
				in.tail[regs[r].off] = (uint8_t)(1u << bit);
				n = warn_frame(buf, shapes[sh][0],
					       shapes[sh][1], &in);
				memset(&s, 0, sizeof(s));
				snprintf(ctx, sizeof(ctx), "%uS/%uT %s bit %u",
					 shapes[sh][0], shapes[sh][1],
					 regs[r].name, bit);
				if (watt_decode(buf, n, &s, NULL, NULL) != WC_OK)
					fail_msg("%s: decode failed", ctx);
				rb = (const uint8_t *)&s.regs;
				for (size_t q = 0; q < ARRAY_LEN(regs); q++)
					EQ(ctx, regs[q].name, rb[regs[q].field],
					   q == r ? 1u << bit : 0);
				EQ(ctx, "status4", s.regs.status4, 0);
				EQ(ctx, "mode", s.mode, WC_MODE_IDLE);
				EQ(ctx, "charge_mos", s.charge_mos,
				   r == 2 && bit == 1);
				EQ(ctx, "discharge_mos", s.discharge_mos,
				   r == 2 && bit == 2);
				EQ(ctx, "balancing", s.balancing, 0);
			}
		}
	}
}

static void test_warning_other_bytes(void **state)
{
	struct regs_in in;
	struct wc_sample s;
	uint8_t buf[BIG];
	size_t n;

	(void)state;
	for (unsigned i = 0; i < 13; i++)
		in.tail[i] = (uint8_t)(0xA0 + i);
	memset(in.bal, 0, sizeof(in.bal));
	n = warn_frame(buf, 4, 4, &in);
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_int_equal(s.regs.charge_current_state, 0xA0);
	assert_int_equal(s.regs.voltage_state, 0xA1);
	assert_int_equal(s.regs.discharge_current_state, 0xA2);
	assert_int_equal(s.regs.battery_mode, 0xA3);
	assert_int_equal(s.regs.status1, 0xA4);
	assert_int_equal(s.regs.status2, 0xA5);
	assert_int_equal(s.regs.status3, 0xA6);
	assert_int_equal(s.regs.status4, 0xA7);
	assert_int_equal(s.regs.status5, 0xA8);
	assert_int_equal(s.regs.reserved9, 0xA9);
	assert_int_equal(s.regs.reserved10, 0xAA);
	assert_int_equal(s.regs.warning1, 0xAB);
	assert_int_equal(s.regs.warning2, 0xAC);
	assert_int_equal(s.mode, WC_MODE_UNKNOWN);
	/* 0xA6 = bits 1, 2, 5, 7 */
	assert_true(s.charge_mos);
	assert_true(s.discharge_mos);

	/* per-cell and per-sensor states come through by position */
	{
		uint8_t data[BIG];
		size_t k = 0;

		data[k++] = 3;
		data[k++] = 0x01;
		data[k++] = 0x02;
		data[k++] = 0xF0;
		data[k++] = 2;
		data[k++] = 0x11;
		data[k++] = 0x22;
		memset(data + k, 0, 14);
		k += 14;
		n = resp_frame(buf, sizeof(buf), 0x03, 0x8D, data, k);
		memset(&s, 0, sizeof(s));
		assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
		assert_int_equal(s.regs.n_cells, 3);
		assert_int_equal(s.regs.cell_state[0], 0x01);
		assert_int_equal(s.regs.cell_state[1], 0x02);
		assert_int_equal(s.regs.cell_state[2], 0xF0);
		assert_int_equal(s.regs.n_temps, 2);
		assert_int_equal(s.regs.temp_state[0], 0x11);
		assert_int_equal(s.regs.temp_state[1], 0x22);
	}
}

static void test_warning_balancing(void **state)
{
	static const unsigned cells[] = { 1, 9, 17, 32 };
	uint8_t buf[BIG];
	struct regs_in in;
	struct wc_sample s;
	char ctx[48];
	size_t n;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cells); i++) {
		unsigned c = cells[i];

		memset(&in, 0, sizeof(in));
		in.bal[(c - 1) / 8] = (uint8_t)(1u << ((c - 1) % 8));
		n = warn_frame(buf, 32, 6, &in);
		assert_int_equal(n, 32 + 6 + 15 + 4 + WATT_OVERHEAD);
		memset(&s, 0, sizeof(s));
		snprintf(ctx, sizeof(ctx), "cell %u balancing", c);
		if (watt_decode(buf, n, &s, NULL, NULL) != WC_OK)
			fail_msg("%s: decode failed", ctx);
		EQ(ctx, "n_balance_bytes", s.regs.n_balance_bytes, 4);
		EQ(ctx, "balancing", s.balancing, 1u << (c - 1));
		EQ(ctx, "balance byte", s.regs.balance[(c - 1) / 8],
		   1u << ((c - 1) % 8));
	}
	memset(&in, 0, sizeof(in));
	in.bal[0] = 0x01;
	in.bal[1] = 0x01;
	in.bal[2] = 0x01;
	in.bal[3] = 0x80;
	n = warn_frame(buf, 32, 6, &in);
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_int_equal(s.balancing, 0x80010101u);
	memset(in.bal, 0xFF, sizeof(in.bal));
	n = warn_frame(buf, 32, 6, &in);
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_int_equal(s.balancing, 0xFFFFFFFFu);

	/* Bits beyond the cell count are not cells: 9 cells, 2 bytes. */
	memset(in.bal, 0xFF, sizeof(in.bal));
	n = warn_frame(buf, 9, 4, &in);
	memset(&s, 0, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_int_equal(s.regs.n_balance_bytes, 2);
	assert_int_equal(s.balancing, 0x1FFu);
}

static void test_warning_modes(void **state)
{
	static const struct {
		uint8_t raw;
		enum wc_mode mode;
	} modes[] = {
		{ 0, WC_MODE_IDLE },
		{ 1, WC_MODE_CHARGING },
		{ 2, WC_MODE_DISCHARGING },
		{ 3, WC_MODE_UNKNOWN },
		{ 7, WC_MODE_UNKNOWN },
		{ 0xFF, WC_MODE_UNKNOWN },
	};
	uint8_t buf[BIG];
	struct regs_in in;
	struct wc_sample s;
	char ctx[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		size_t n;

		memset(&in, 0, sizeof(in));
		in.tail[3] = modes[i].raw;
		n = warn_frame(buf, 4, 4, &in);
		memset(&s, 0, sizeof(s));
		snprintf(ctx, sizeof(ctx), "mode %u", modes[i].raw);
		if (watt_decode(buf, n, &s, NULL, NULL) != WC_OK)
			fail_msg("%s: decode failed", ctx);
		EQ(ctx, "mode", s.mode, modes[i].mode);
		EQ(ctx, "battery_mode", s.regs.battery_mode, modes[i].raw);
	}
}

/* ---- 0x92 string handling --------------------------------------------- */

static void test_product_strings(void **state)
{
	uint8_t data[60], buf[BIG];
	struct wc_sample s;
	size_t n;

	(void)state;
	/* full 20 characters, trailing spaces then NULs, control bytes */
	memset(data, 0, sizeof(data));
	memcpy(data, "ABCDEFGHIJKLMNOPQRST", 20);
	memcpy(data + 20, "ab  \0  ", 7);
	memcpy(data + 40, "x\x01y\x7F\xC3z ", 7);
	n = resp_frame(buf, sizeof(buf), 0x03, 0x92, data, 60);
	memset(&s, 0x55, sizeof(s));
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_string_equal(s.firmware, "ABCDEFGHIJKLMNOPQRST");
	assert_string_equal(s.manufacturer, "ab");
	assert_string_equal(s.serial, "x?y??z");
	/* all spaces */
	memset(data, ' ', sizeof(data));
	n = resp_frame(buf, sizeof(buf), 0x03, 0x92, data, 60);
	assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
	assert_string_equal(s.firmware, "");
	assert_string_equal(s.manufacturer, "");
	assert_string_equal(s.serial, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_check_value),
		cmocka_unit_test(test_crc_worked_example),
		cmocka_unit_test(test_crc_all_vectors),
		cmocka_unit_test(test_build_reads),
		cmocka_unit_test(test_build_infodata),
		cmocka_unit_test(test_build_mos),
		cmocka_unit_test(test_build_clock),
		cmocka_unit_test(test_build_clock_rejects),
		cmocka_unit_test(test_build_cap_too_small),
		cmocka_unit_test(test_build_frame_too_long),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_decode_analog_vectors),
		cmocka_unit_test(test_decode_warning_vectors),
		cmocka_unit_test(test_decode_product_vectors),
		cmocka_unit_test(test_decode_accumulates),
		cmocka_unit_test(test_decode_version_address),
		cmocka_unit_test(test_decode_extension),
		cmocka_unit_test(test_decode_extension_partial),
		cmocka_unit_test(test_current_encoding),
		cmocka_unit_test(test_current_raw),
		cmocka_unit_test(test_temp),
		cmocka_unit_test(test_err_crc),
		cmocka_unit_test(test_err_frame_structure),
		cmocka_unit_test(test_err_function_dp),
		cmocka_unit_test(test_err_analog_counts),
		cmocka_unit_test(test_err_warning_counts),
		cmocka_unit_test(test_err_product_length),
		cmocka_unit_test(test_err_every_truncation),
		cmocka_unit_test(test_err_payload_truncation),
		cmocka_unit_test(test_err_null_args),
		cmocka_unit_test(test_warning_each_bit),
		cmocka_unit_test(test_warning_other_bytes),
		cmocka_unit_test(test_warning_balancing),
		cmocka_unit_test(test_warning_modes),
		cmocka_unit_test(test_product_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
