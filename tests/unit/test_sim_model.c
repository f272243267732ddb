/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the simulator's model side: sim/encode.c (byte-exact against
 * doc/PROTOCOL.md §14), sim/model.c (physics, request handling, alarms, events)
 * and sim/scenario.c (scenario files, --alarm/--fault arguments).
 *
 * The sim sources are not in libwattcycle.a, so they are compiled into this
 * test directly (the collectd curl_json_test.c seam, doc/DESIGN.md, "Testing").  They
 * come before cmocka.h so that cmocka's macros cannot touch them. */
#include "../../sim/encode.c"
#include "../../sim/fidelity.c"
#include "../../sim/jbd_sim.c"
#include "../../sim/model.c"
#include "../../sim/scenario.c"
#include "../../sim/sim_ble.c" /* scenario.c checks adapter names */
#include "../../sim/setting.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alarms.h"
#include "bytes.h"
#include "watt.h"
#include "write_requests.h"
#include "watt_vectors.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BIG 1024
#define EPS 1e-9

/* ---- helpers --------------------------------------------------------- */

/* A response as a battery with the default fidelity sends it. */
static size_t encode_std(uint8_t *out, size_t cap, uint8_t version,
			 uint16_t dp, const struct wc_sample *s)
{
	return sim_encode_response(out, cap, version, WATT_ADDRESS, false, dp,
				   s);
}

static size_t hex(const char *h, uint8_t *buf)
{
	size_t n = wv_hex(h, buf, BIG);

	if (n == 0)
		fail_msg("bad hex in test: %s", h);
	return n;
}

static void assert_bytes(const char *what, const uint8_t *got, size_t gn,
			 const uint8_t *want, size_t wn)
{
	if (gn == wn && memcmp(got, want, wn) == 0)
		return;
	print_error("%s: %zu bytes, want %zu\n", what, gn, wn);
	for (size_t i = 0; i < gn || i < wn; i++) {
		if (i < gn && i < wn && got[i] == want[i])
			continue;
		print_error("  first difference at byte %zu: got %02X want %02X\n",
			    i, i < gn ? got[i] : 0xFFu, i < wn ? want[i] : 0xFFu);
		break;
	}
	fail();
}

/* The EF2F sample of doc/PROTOCOL.md §14.2, written from its field table. */
static void ef2f_sample(struct wc_sample *s)
{
	static const double cells[] = { 3.294, 3.293, 3.295, 3.290 };

	memset(s, 0, sizeof(*s));
	s->n_cells = 4;
	memcpy(s->cell_v, cells, sizeof(cells));
	s->temp_mos_c = 18.7;
	s->temp_env_c = 19.8;
	s->n_probes = 2;
	s->probe_c[0] = 17.6;
	s->probe_c[1] = 17.6;
	s->current_a = 0.0;
	s->voltage_v = 13.17;
	s->remaining_ah = 183.4;
	s->full_ah = 314.0;
	s->cycles = 5;
	s->design_ah = 314.0;
	s->soc_pct = 58;
	s->regs.n_cells = 4;
	s->regs.n_temps = 4;
	s->regs.status3 = 0x06;
	s->regs.status4 = 0x01;
	s->regs.reserved10 = 0x18;
	strcpy(s->firmware, "WT12_20004SW10_L447");
	strcpy(s->manufacturer, "    ");
	strcpy(s->serial, "60016016207270001");
}

/* The TDT 16S/6T sample of doc/PROTOCOL.md §14.4 (discharging at -5.7 A). */
static void tdt16_sample(struct wc_sample *s)
{
	static const double cells[] = { 3.299, 3.302, 3.294, 3.294, 3.293, 3.294,
					3.293, 3.292, 3.292, 3.290, 3.294, 3.294,
					3.294, 3.293, 3.295, 3.294 };

	memset(s, 0, sizeof(*s));
	s->n_cells = 16;
	memcpy(s->cell_v, cells, sizeof(cells));
	s->temp_mos_c = 18.0;
	s->temp_env_c = 19.7;
	s->n_probes = 4;
	s->probe_c[0] = 18.0;
	s->probe_c[1] = 18.0;
	s->probe_c[2] = 18.0;
	s->probe_c[3] = 18.8;
	s->current_a = -5.7;
	s->voltage_v = 52.70;
	s->remaining_ah = 99.1;
	s->full_ah = 108.3;
	s->cycles = 8;
	s->design_ah = 100.0;
	s->soc_pct = 91;
	s->regs.n_cells = 16;
	s->regs.n_temps = 6;
	s->regs.battery_mode = 2;
	s->regs.status3 = 0x0E;
	s->regs.status4 = 0x01;
	s->regs.reserved10 = 0x18;
	strcpy(s->firmware, "6032_10016S000_L_41");
	strcpy(s->manufacturer, "");
	strcpy(s->serial, "60326016207270001");
}

/* A model configuration that rests at 0 A, no spread, deterministic. */
static void base_cfg(struct sim_battery_cfg *c, const char *name)
{
	sim_battery_cfg_defaults(c, name);
	c->cell_spread_v = 0.0;
}

static struct sim_model *new_model(const struct sim_battery_cfg *c)
{
	struct sim_model *m = sim_model_new(c);

	assert_non_null(m);
	return m;
}

/* Send a request (hex) and return the response length. */
static size_t ask(struct sim_model *m, const char *req_hex, uint8_t *out,
		  struct wc_sample *served)
{
	uint8_t req[BIG];
	size_t n = hex(req_hex, req);

	return sim_model_handle(m, req, n, out, BIG, served);
}

static size_t ask_read(struct sim_model *m, uint8_t head, uint8_t dp,
		       uint8_t *out)
{
	uint8_t req[32];
	size_t n = watt_build_read(req, sizeof(req), head, dp);

	return sim_model_handle(m, req, n, out, BIG, NULL);
}

static size_t write_mos(struct sim_model *m, uint8_t head, uint8_t dp, int on,
			uint8_t *out)
{
	uint8_t req[32];
	size_t n = watt_build_mos(req, sizeof(req), head, dp, on);

	return sim_model_handle(m, req, n, out, BIG, NULL);
}

/* Read 0x8C, 0x8D and 0x92 from the model and decode them into s. */
static void poll_all(struct sim_model *m, struct wc_sample *s)
{
	static const uint8_t dps[] = { WATT_DP_ANALOG, WATT_DP_STATUS,
				       WATT_DP_PRODUCT };
	uint8_t out[BIG];

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < ARRAY_LEN(dps); i++) {
		size_t n = ask_read(m, WATT_HEAD_7E, dps[i], out);
		struct wc_diag d = { 0 };

		assert_true(n > 0);
		assert_int_equal(watt_decode(out, n, s, NULL, &d), WC_OK);
	}
}

/* ---- encoders against doc/PROTOCOL.md §14 ---------------------------------- */

static void check_encode(const char *what, uint8_t version, uint16_t dp,
			 const struct wc_sample *s, enum wv_resp v)
{
	uint8_t got[BIG], want[BIG];
	size_t wn = hex(wv_resp[v].hex, want);
	size_t gn = encode_std(got, sizeof(got), version, dp, s);

	assert_bytes(what, got, gn, want, wn);
}

static void test_encode_ef2f(void **state)
{
	struct wc_sample s;

	(void)state;
	ef2f_sample(&s);
	check_encode("EF2F-1", 0, WATT_DP_ANALOG, &s, WV_EF2F_8C);
	check_encode("EF2F-2", 0, WATT_DP_STATUS, &s, WV_EF2F_8D);
	check_encode("EF2F-3", 0, WATT_DP_PRODUCT, &s, WV_EF2F_92);
}

static void test_encode_tdt16(void **state)
{
	struct wc_sample s;

	(void)state;
	tdt16_sample(&s);
	check_encode("TDT16-1", 0, WATT_DP_ANALOG, &s, WV_TDT16_8C);
	check_encode("TDT16-2", 0, WATT_DP_STATUS, &s, WV_TDT16_8D);
	check_encode("TDT16-3", 0, WATT_DP_PRODUCT, &s, WV_TDT16_92);
}

/* decode(capture) -> encode must give the capture back, for all nine
 * frames (49A1 included: its 0x92 fields have no padding at all). */
static void test_encode_decoded_vectors(void **state)
{
	(void)state;
	for (int v = 0; v < WV__COUNT; v++) {
		uint8_t want[BIG], got[BIG];
		size_t wn = hex(wv_resp[v].hex, want), gn;
		struct wc_sample s;
		struct wc_diag d = { 0 };
		uint16_t dp = 0;

		memset(&s, 0, sizeof(s));
		assert_int_equal(watt_decode(want, wn, &s, &dp, &d), WC_OK);
		if (dp == WATT_DP_PRODUCT && v == WV_EF2F_92)
			strcpy(s.manufacturer, "    "); /* trimmed by decode */
		gn = encode_std(got, sizeof(got), want[1], dp, &s);
		assert_bytes(wv_resp[v].name, got, gn, want, wn);
	}
}

static void test_encode_version_and_limits(void **state)
{
	struct wc_sample s;
	uint8_t out[BIG];
	size_t n;

	(void)state;
	ef2f_sample(&s);
	n = encode_std(out, sizeof(out), 4, WATT_DP_ANALOG, &s);
	assert_int_equal(n, 43); /* version 4: still the normal layout */
	assert_int_equal(out[0], 0x7E);
	assert_int_equal(out[1], 0x04);
	assert_int_equal(get_be16(out + 6), 32);
	/* Other DPs, a small buffer and bad counts give nothing. */
	assert_int_equal(encode_std(out, sizeof(out), 0, 0x01, &s), 0);
	assert_int_equal(encode_std(out, 42, 0, WATT_DP_ANALOG, &s), 0);
	s.n_cells = 0;
	assert_int_equal(encode_std(out, sizeof(out), 0, WATT_DP_ANALOG,
					     &s), 0);
	s.n_cells = 33;
	assert_int_equal(encode_std(out, sizeof(out), 0, WATT_DP_ANALOG,
					     &s), 0);
	/* A 20-character string fills its field without a NUL; longer ones
	 * are cut at 20. */
	ef2f_sample(&s);
	strcpy(s.serial, "12345678901234567890");
	n = encode_std(out, sizeof(out), 0, WATT_DP_PRODUCT, &s);
	assert_int_equal(n, 71);
	assert_memory_equal(out + 8 + 40, "12345678901234567890", 20);
	/* Values out of the field's range saturate instead of wrapping. */
	ef2f_sample(&s);
	s.remaining_ah = 9999.0;
	s.cell_v[0] = -1.0;
	n = encode_std(out, sizeof(out), 0, WATT_DP_ANALOG, &s);
	assert_int_equal(get_be16(out + 8 + 1), 0);
	assert_int_equal(get_be16(out + 8 + 18 + 4), 0xFFFF);
}

static void test_encode_extension(void **state)
{
	struct wc_sample s, back;
	uint8_t out[BIG];
	struct wc_diag d = { 0 };
	size_t n;

	(void)state;
	ef2f_sample(&s);
	wc_set(&s, WC_F_SOH);
	s.soh_pct = 97;
	s.lifetime_ah = 1234.5;
	s.time_left_min = 321;
	s.balance_current_a = -0.3;
	n = encode_std(out, sizeof(out), 0, WATT_DP_ANALOG, &s);
	assert_int_equal(n, 43 + 18);
	memset(&back, 0, sizeof(back));
	assert_int_equal(watt_decode(out, n, &back, NULL, &d), WC_OK);
	assert_true(wc_has(&back, WC_F_SOH));
	assert_true(fabs(back.soh_pct - 97) < EPS);
	assert_true(fabs(back.lifetime_ah - 1234.5) < EPS);
	assert_int_equal(back.time_left_min, 321);
	assert_true(fabs(back.balance_current_a + 0.3) < EPS);
}

/* ---- the model serves the captures ------------------------------------ */

/* A model set up like EF2F at rest answers 0x8D and 0x92 exactly as the
 * real battery did. */
static void test_model_serves_ef2f(void **state)
{
	struct sim_battery_cfg c;
	struct sim_model *m;
	uint8_t out[BIG], want[BIG];
	size_t n, wn;

	(void)state;
	base_cfg(&c, "ef2f");
	c.capacity_ah = c.full_ah = 314.0;
	c.probes = 2;
	strcpy(c.firmware, "WT12_20004SW10_L447");
	strcpy(c.manufacturer, "    ");
	strcpy(c.serial, "60016016207270001");
	m = new_model(&c);
	n = ask(m, "7E 00 01 03 00 8D 00 00 59 13 0D", out, NULL);
	wn = hex(wv_resp[WV_EF2F_8D].hex, want);
	assert_bytes("model EF2F-2", out, n, want, wn);
	n = ask(m, "7E 00 01 03 00 92 00 00 9F 22 0D", out, NULL);
	wn = hex(wv_resp[WV_EF2F_92].hex, want);
	assert_bytes("model EF2F-3", out, n, want, wn);
	sim_model_free(m);
}

/* A 16S/4-probe model discharging at -5.7 A answers 0x8D and 0x92 as the
 * TDT 16S did (mode 2, status 3 0x0E, two balancing bytes). */
static void test_model_serves_tdt16(void **state)
{
	struct sim_battery_cfg c;
	struct sim_model *m;
	uint8_t out[BIG], want[BIG];
	struct wc_sample s;
	size_t n, wn;

	(void)state;
	base_cfg(&c, "tdt16");
	c.cells = 16;
	c.probes = 4;
	c.n_profile = 1;
	c.profile[0].t_s = 0.0;
	c.profile[0].current_a = -5.7;
	strcpy(c.firmware, "6032_10016S000_L_41");
	strcpy(c.manufacturer, "");
	strcpy(c.serial, "60326016207270001");
	m = new_model(&c);
	sim_model_advance(m, 10.0);
	n = ask(m, "7E 00 01 03 00 8D 00 00 59 13 0D", out, &s);
	wn = hex(wv_resp[WV_TDT16_8D].hex, want);
	assert_bytes("model TDT16-2", out, n, want, wn);
	assert_true(fabs(s.current_a + 5.7) < EPS);
	n = ask(m, "7E 00 01 03 00 92 00 00 9F 22 0D", out, NULL);
	wn = hex(wv_resp[WV_TDT16_92].hex, want);
	assert_bytes("model TDT16-3", out, n, want, wn);
	n = ask(m, "7E 00 01 03 00 8C 00 00 99 42 0D", out, NULL);
	assert_int_equal(n, 71); /* 16 cells, 6 sensors */
	assert_int_equal(get_be16(out + 8 + 1 + 32 + 1 + 12), 0xC039);
	sim_model_free(m);
}

/* ---- decode(encode(model)) ------------------------------------------ */

static void check_roundtrip(struct sim_model *m)
{
	struct wc_sample snap, got, served;
	uint8_t out[BIG];
	size_t n;

	sim_model_snapshot(m, &snap);
	poll_all(m, &got);
	assert_int_equal(got.n_cells, snap.n_cells);
	for (unsigned i = 0; i < snap.n_cells; i++)
		assert_true(fabs(got.cell_v[i] - snap.cell_v[i]) < EPS);
	assert_true(fabs(got.temp_mos_c - snap.temp_mos_c) < EPS);
	assert_true(fabs(got.temp_env_c - snap.temp_env_c) < EPS);
	assert_int_equal(got.n_probes, snap.n_probes);
	for (unsigned i = 0; i < snap.n_probes; i++)
		assert_true(fabs(got.probe_c[i] - snap.probe_c[i]) < EPS);
	assert_true(fabs(got.current_a - snap.current_a) < EPS);
	assert_true(fabs(got.voltage_v - snap.voltage_v) < EPS);
	assert_true(fabs(got.remaining_ah - snap.remaining_ah) < EPS);
	assert_true(fabs(got.full_ah - snap.full_ah) < EPS);
	assert_true(fabs(got.design_ah - snap.design_ah) < EPS);
	assert_true(fabs(got.soc_pct - snap.soc_pct) < EPS);
	assert_int_equal(got.cycles, snap.cycles);
	assert_memory_equal(&got.regs, &snap.regs, sizeof(got.regs));
	assert_int_equal(got.charge_mos, snap.charge_mos);
	assert_int_equal(got.discharge_mos, snap.discharge_mos);
	assert_int_equal(got.mode, snap.mode);
	assert_int_equal(got.balancing, snap.balancing);
	assert_string_equal(got.firmware, snap.firmware);
	assert_string_equal(got.serial, snap.serial);
	assert_int_equal(got.version, snap.version);
	/* The sample handed to the server is the snapshot. */
	n = ask_read(m, WATT_HEAD_7E, WATT_DP_ANALOG, out);
	assert_true(n > 0);
	assert_int_equal(sim_model_handle(m, out, 0, out, BIG, &served), 0);
	{
		uint8_t req[16];
		size_t rn = watt_build_read(req, sizeof(req), WATT_HEAD_7E,
					   WATT_DP_ANALOG);

		assert_true(sim_model_handle(m, req, rn, out, BIG, &served) > 0);
		assert_memory_equal(&served, &snap, sizeof(snap));
	}
}

static void test_roundtrip(void **state)
{
	static const unsigned cells[] = { 1, 4, 8, 16, 32 };
	static const unsigned probes[] = { 0, 2, 2, 4, 30 };
	static const double amps[] = { 0.0, -12.3, 25.7, -5.7, 3.0 };

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(cells); k++) {
		struct sim_battery_cfg c;
		struct sim_model *m;
		struct wc_sample s;

		sim_battery_cfg_defaults(&c, "rt");
		c.cells = cells[k];
		c.probes = probes[k];
		c.version = k % 2 ? 4 : 0;
		c.soc_pct = 55.5;
		c.n_profile = 1;
		c.profile[0].current_a = amps[k];
		c.cell_spread_v = 0.03;
		m = new_model(&c);
		sim_model_advance(m, 1234.5);
		check_roundtrip(m);
		sim_model_snapshot(m, &s);
		/* Pack voltage is the sum of the cells (to 10 mV). */
		{
			double sum = 0.0;

			for (unsigned i = 0; i < s.n_cells; i++)
				sum += s.cell_v[i];
			assert_true(fabs(s.voltage_v - sum) <= 0.005 + EPS);
		}
		assert_int_equal(s.version, c.version);
		sim_model_free(m);
	}
}

/* ---- physics --------------------------------------------------------- */

static struct sim_model *model_with_current(double soc, double full_ah,
					    double amps)
{
	struct sim_battery_cfg c;

	base_cfg(&c, "phys");
	c.capacity_ah = c.full_ah = full_ah;
	c.soc_pct = soc;
	c.n_profile = 1;
	c.profile[0].current_a = amps;
	return new_model(&c);
}

static void test_soc_integrates(void **state)
{
	struct sim_model *m = model_with_current(50.0, 100.0, -10.0);
	struct wc_sample s;

	(void)state;
	sim_model_advance(m, 360.0);
	assert_true(fabs(m->soc_pct - 49.0) < 1e-9);
	sim_model_snapshot(m, &s);
	assert_true(fabs(s.soc_pct - 49.0) < EPS);
	assert_true(fabs(s.remaining_ah - 49.0) < EPS);
	assert_true(fabs(s.current_a + 10.0) < EPS);
	assert_int_equal(s.mode, WC_MODE_DISCHARGING);
	assert_int_equal(s.regs.status3, 0x0E);
	/* Going back in time changes nothing. */
	sim_model_advance(m, 100.0);
	assert_true(fabs(m->soc_pct - 49.0) < 1e-9);
	sim_model_free(m);

	m = model_with_current(50.0, 100.0, 20.0);
	sim_model_advance(m, 1800.0); /* +10 Ah */
	assert_true(fabs(m->soc_pct - 60.0) < 1e-9);
	sim_model_snapshot(m, &s);
	assert_int_equal(s.mode, WC_MODE_CHARGING);
	assert_int_equal(s.regs.battery_mode, 1);
	assert_int_equal(s.regs.status3, 0x06);
	sim_model_free(m);
}

/* A full discharge of full_ah counts one cycle; the pack stops at 0 % and
 * stops charging at 100 %. */
static void test_cycles_and_clamp(void **state)
{
	struct sim_model *m = model_with_current(100.0, 10.0, -10.0);
	struct wc_sample s;

	(void)state;
	sim_model_advance(m, 3599.0);
	assert_int_equal(m->cycles, 0);
	assert_true(m->soc_pct > 0.0);
	sim_model_advance(m, 3600.0);
	assert_int_equal(m->cycles, 1);
	assert_true(fabs(m->soc_pct) < 1e-9);
	sim_model_advance(m, 7200.0);
	sim_model_snapshot(m, &s);
	assert_true(fabs(s.soc_pct) < EPS);
	assert_true(fabs(s.current_a) < EPS); /* empty: nothing flows */
	assert_int_equal(s.cycles, 1);
	assert_true(s.cell_v[0] < 3.0);
	sim_model_free(m);

	m = model_with_current(99.0, 100.0, 50.0);
	sim_model_advance(m, 7200.0);
	sim_model_snapshot(m, &s);
	assert_true(fabs(s.soc_pct - 100.0) < EPS);
	assert_true(fabs(s.current_a) < EPS);
	assert_true(s.cell_v[0] > 3.40);
	sim_model_free(m);
}

/* Cell voltage follows the LiFePO4 curve and sags under load. */
static void test_cell_voltage_curve(void **state)
{
	static const struct {
		double soc, lo, hi;
	} pts[] = {
		{ 0.0, 2.85, 2.95 },  { 10.0, 3.17, 3.23 }, { 20.0, 3.24, 3.28 },
		{ 50.0, 3.26, 3.34 }, { 90.0, 3.32, 3.36 }, { 100.0, 3.42, 3.48 },
	};
	struct sim_model *m;
	struct wc_sample rest, load;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(pts); i++) {
		m = model_with_current(pts[i].soc, 100.0, 0.0);
		sim_model_snapshot(m, &rest);
		for (unsigned k = 0; k < rest.n_cells; k++)
			if (rest.cell_v[k] < pts[i].lo || rest.cell_v[k] > pts[i].hi)
				fail_msg("SoC %g: cell %u at %.3f V, want %.2f..%.2f",
					 pts[i].soc, k + 1, rest.cell_v[k],
					 pts[i].lo, pts[i].hi);
		sim_model_free(m);
	}
	m = model_with_current(80.0, 100.0, 0.0);
	sim_model_snapshot(m, &rest);
	assert_int_equal(sim_model_set(m, "current", -50.0), 0);
	sim_model_snapshot(m, &load);
	assert_true(load.cell_v[0] < rest.cell_v[0] - 0.02);
	assert_true(fabs(load.current_a + 50.0) < EPS);
	/* Self-heating: an hour at 50 A warms the MOSFET by a few degrees. */
	sim_model_advance(m, 3600.0);
	sim_model_snapshot(m, &load);
	assert_true(load.temp_mos_c > rest.temp_mos_c + 1.5);
	assert_true(load.temp_mos_c < rest.temp_mos_c + 5.0);
	sim_model_free(m);
}

static void test_drift_and_determinism(void **state)
{
	struct sim_battery_cfg c;
	struct sim_model *a, *b, *o;
	struct wc_sample sa, sb, so, later;

	(void)state;
	sim_battery_cfg_defaults(&c, "house1");
	c.cell_spread_v = 0.02;
	c.cell_drift_v_per_h = 0.010;
	a = new_model(&c);
	b = new_model(&c);
	sim_model_snapshot(a, &sa);
	sim_model_snapshot(b, &sb);
	assert_memory_equal(&sa, &sb, sizeof(sa));
	strcpy(c.name, "house2");
	o = new_model(&c);
	sim_model_snapshot(o, &so);
	assert_true(memcmp(sa.cell_v, so.cell_v, sizeof(sa.cell_v)) != 0);
	/* Spread stays inside cell_spread_v. */
	for (unsigned i = 1; i < sa.n_cells; i++)
		assert_true(fabs(sa.cell_v[i] - sa.cell_v[0]) <= 0.02 + 0.001);
	/* An hour at rest: only the last cell moved, by 10 mV. */
	sim_model_advance(a, 3600.0);
	sim_model_snapshot(a, &later);
	for (unsigned i = 0; i + 1 < sa.n_cells; i++)
		assert_true(fabs(later.cell_v[i] - sa.cell_v[i]) < EPS);
	assert_true(fabs(later.cell_v[3] - sa.cell_v[3] - 0.010) <= 0.0011);
	sim_model_free(a);
	sim_model_free(b);
	sim_model_free(o);
}

/* cfg.cell_v shifts the curve so the start reads that mean. */
static void test_cell_v_offset(void **state)
{
	struct sim_battery_cfg c;
	struct sim_model *m;
	struct wc_sample s;

	(void)state;
	base_cfg(&c, "cv");
	c.cell_v = 3.300;
	m = new_model(&c);
	sim_model_snapshot(m, &s);
	for (unsigned i = 0; i < 4; i++)
		assert_true(fabs(s.cell_v[i] - 3.300) < EPS);
	assert_true(fabs(s.voltage_v - 13.20) < EPS);
	sim_model_free(m);
}

static void test_balancing(void **state)
{
	struct sim_model *m = model_with_current(60.0, 100.0, 10.0);
	struct wc_sample s;

	(void)state;
	sim_model_snapshot(m, &s);
	assert_int_equal(s.balancing, 0);
	assert_int_equal(sim_model_set(m, "cell3", s.cell_v[2] + 0.050), 0);
	sim_model_snapshot(m, &s);
	assert_int_equal(s.balancing, 1u << 2);
	assert_int_equal(s.regs.balance[0], 0x04);
	/* Not while discharging. */
	assert_int_equal(sim_model_set(m, "current", -10.0), 0);
	sim_model_snapshot(m, &s);
	assert_int_equal(s.balancing, 0);
	sim_model_free(m);
}

/* ---- requests -------------------------------------------------------- */

/* MOSFET writes are echoed with head 7E, stop the current in their
 * direction only, and show in status 3. */
static void test_mosfet_writes(void **state)
{
	struct sim_model *m = model_with_current(50.0, 100.0, -10.0);
	uint8_t out[BIG], want[BIG];
	struct wc_sample s;
	size_t n, wn;
	double soc;

	(void)state;
	/* MOS-1 (head 1E): charge off; the echo is the 7E form of it. */
	n = ask(m, "1E 00 01 06 00 82 00 01 00 1E B2 0D", out, &s);
	wn = hex("7E 00 01 06 00 82 00 01 00 1C 1A 0D", want);
	assert_bytes("chg off echo", out, n, want, wn);
	assert_false(s.charge_mos);
	assert_true(s.discharge_mos);
	poll_all(m, &s);
	assert_int_equal(s.regs.status3 & 0x06, 0x04);
	assert_true(fabs(s.current_a + 10.0) < EPS); /* discharge still flows */

	/* MOS-3: discharge off cuts the output. */
	n = ask(m, "1E 00 01 06 00 83 00 01 00 E2 B3 0D", out, NULL);
	wn = hex("7E 00 01 06 00 83 00 01 00 E0 1B 0D", want);
	assert_bytes("dsg off echo", out, n, want, wn);
	poll_all(m, &s);
	assert_int_equal(s.regs.status3, 0x00);
	assert_true(fabs(s.current_a) < EPS);
	assert_int_equal(s.mode, WC_MODE_IDLE);
	soc = m->soc_pct;
	sim_model_advance(m, 600.0);
	assert_true(fabs(m->soc_pct - soc) < 1e-12);

	/* Charging is blocked by the charge MOSFET that is still off. */
	assert_int_equal(sim_model_set(m, "current", 15.0), 0);
	poll_all(m, &s);
	assert_true(fabs(s.current_a) < EPS);
	n = write_mos(m, WATT_HEAD_7E, WATT_DP_CHG_MOS, 1, out);
	assert_int_equal(n, 12);
	poll_all(m, &s);
	assert_true(fabs(s.current_a - 15.0) < EPS);
	assert_int_equal(s.regs.status3, 0x02);

	/* MOS-4: discharge on again. */
	n = ask(m, "1E 00 01 06 00 83 00 01 01 22 72 0D", out, NULL);
	wn = hex("7E 00 01 06 00 83 00 01 01 20 DA 0D", want);
	assert_bytes("dsg on echo", out, n, want, wn);
	assert_int_equal(sim_model_set(m, "profile", 0), 0);
	poll_all(m, &s);
	assert_int_equal(s.regs.status3, 0x0E);
	assert_true(fabs(s.current_a + 10.0) < EPS);
	/* A MOSFET value other than 00/01, or two bytes, is not understood. */
	{
		uint8_t req[32], two[2] = { 1, 1 }, v = 2;
		size_t rn = watt_build_frame(req, sizeof(req), 0x7E, 0, 1, 0x06,
					     WATT_DP_DSG_MOS, &v, 1);

		assert_int_equal(sim_model_handle(m, req, rn, out, BIG, NULL), 0);
		rn = watt_build_frame(req, sizeof(req), 0x7E, 0, 1, 0x06,
				      WATT_DP_DSG_MOS, two, 2);
		assert_int_equal(sim_model_handle(m, req, rn, out, BIG, NULL), 0);
	}
	sim_model_free(m);
}

static void test_clock_write(void **state)
{
	struct sim_battery_cfg c;
	struct sim_model *m;
	uint8_t out[BIG], want[BIG];
	size_t n, wn;

	(void)state;
	base_cfg(&c, "clock");
	m = new_model(&c);
	n = ask(m, "7E 00 01 06 00 95 00 07 07 E8 0B 16 0E 07 08 C9 41 0D", out,
		NULL);
	wn = hex("7E 00 01 06 00 95 00 07 07 E8 0B 16 0E 07 08 C9 41 0D", want);
	assert_bytes("CLOCK-1 echo", out, n, want, wn);
	assert_true(m->clock_set);
	assert_int_equal(m->clock.year, 2024);
	assert_int_equal(m->clock.month, 11);
	assert_int_equal(m->clock.day, 22);
	assert_int_equal(m->clock.hour, 14);
	assert_int_equal(m->clock.minute, 7);
	assert_int_equal(m->clock.second, 8);
	/* Head 1E: the same echo, with head 7E. */
	n = ask(m, "1E 00 01 06 00 95 00 07 07 E8 0B 16 0E 07 08 E1 21 0D", out,
		NULL);
	assert_bytes("CLOCK-1 1E echo", out, n, want, wn);
	/* Month 13 is refused. */
	{
		struct watt_clock t = { 2024, 12, 22, 14, 7, 8 };
		uint8_t req[32];
		size_t rn = watt_build_clock(req, sizeof(req), 0x7E, &t);

		req[10] = 13;
		watt_put_trailer(req, rn - 3);
		assert_int_equal(sim_model_handle(m, req, rn, out, BIG, NULL), 0);
	}
	sim_model_free(m);
}

static void test_head_modes(void **state)
{
	static const struct {
		enum sim_head_mode mode;
		bool answers_7e, answers_1e;
	} cases[] = {
		{ SIM_HEAD_7E, true, false },
		{ SIM_HEAD_1E, false, true },
		{ SIM_HEAD_BOTH, true, true },
	};
	uint8_t out[BIG];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_battery_cfg c;
		struct sim_model *m;
		size_t n7, n1;

		base_cfg(&c, "heads");
		c.head = cases[i].mode;
		m = new_model(&c);
		for (uint8_t dp = WATT_DP_ANALOG; dp <= WATT_DP_PRODUCT;
		     dp = dp == WATT_DP_STATUS ? WATT_DP_PRODUCT : dp + 1) {
			n7 = ask_read(m, WATT_HEAD_7E, dp, out);
			assert_int_equal(n7 > 0, cases[i].answers_7e);
			if (n7)
				assert_int_equal(out[0], 0x7E);
			n1 = ask_read(m, WATT_HEAD_1E, dp, out);
			assert_int_equal(n1 > 0, cases[i].answers_1e);
			if (n1)
				assert_int_equal(out[0], 0x7E);
		}
		/* Writes obey the head mode too. */
		assert_int_equal(write_mos(m, WATT_HEAD_7E, WATT_DP_CHG_MOS, 0, out) > 0,
				 cases[i].answers_7e);
		sim_model_free(m);
	}
}

/* Everything that is not a well-formed request we understand: silence. */
static void test_bad_requests_silent(void **state)
{
	static const char *const bad[] = {
		"7E 00 01 03 00 8C 00 00 99 43 0D",   /* CRC off by one */
		"7E 00 01 03 00 8C 00 00 42 99 0D",   /* CRC low byte first */
		"7E 00 01 03 00 8C 00 00 99 42 0E",   /* terminator */
		"7E 00 01 03 00 8C 00 00 99 42",      /* truncated */
		"7E 00 01 03 00 8C 00 00 99 42 0D 00", /* trailing byte */
		"7E 00 01 03 00 01 00 00 B2 D2 0D",   /* DP 0x01: unknown */
		"7E 00 01 03 00 78 00 00 6B 03 0D",   /* DP 0x78: unknown */
		"2E 00 01 03 00 8C 00 00 00 00 0D",   /* another head */
		"7E 00 01",                           /* runt */
	};
	struct sim_battery_cfg c;
	struct sim_model *m;
	uint8_t out[BIG], req[BIG];
	size_t n;

	(void)state;
	base_cfg(&c, "bad");
	m = new_model(&c);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		n = hex(bad[i], req);
		if (sim_model_handle(m, req, n, out, BIG, NULL) != 0)
			fail_msg("case %zu (%s) was answered", i, bad[i]);
	}
	/* Function 0x10 with a valid CRC, and a write to an unknown DP. */
	n = watt_build_frame(req, sizeof(req), 0x7E, 0, 1, 0x10, 0x8C, NULL, 0);
	assert_int_equal(sim_model_handle(m, req, n, out, BIG, NULL), 0);
	{
		uint8_t one = 1;

		n = watt_build_frame(req, sizeof(req), 0x7E, 0, 1, 0x06, 0x84, &one, 1);
		assert_int_equal(sim_model_handle(m, req, n, out, BIG, NULL), 0);
	}
	/* A too small output buffer gives no answer rather than half of one. */
	n = watt_build_read(req, sizeof(req), 0x7E, WATT_DP_PRODUCT);
	assert_int_equal(sim_model_handle(m, req, n, out, 70, NULL), 0);
	assert_int_equal(sim_model_handle(m, req, n, out, 71, NULL), 71);
	/* The good request for comparison is answered. */
	n = hex("7E 00 01 03 00 8C 00 00 99 42 0D", req);
	assert_true(sim_model_handle(m, req, n, out, BIG, NULL) > 0);
	sim_model_free(m);
}

/* The app's infoData read (doc/PROTOCOL.md §4.1) gets the normal 0x8C layout. */
static void test_infodata_read(void **state)
{
	struct sim_battery_cfg c;
	struct sim_model *m;
	uint8_t out[BIG], plain[BIG];
	size_t n, np;

	(void)state;
	base_cfg(&c, "info");
	c.version = 4;
	m = new_model(&c);
	n = ask(m, "7E 01 01 03 00 8C 00 00 00 05 01 00 20 00 20 8B 42 0D", out,
		NULL);
	np = ask(m, "7E 00 01 03 00 8C 00 00 99 42 0D", plain, NULL);
	assert_int_equal(n, 43);
	assert_bytes("infoData answer", out, n, plain, np);
	assert_int_equal(out[1], 0x04);
	n = ask(m, "1E 01 01 03 00 8C 00 00 00 05 01 00 20 00 20 A3 22 0D", out,
		NULL);
	assert_int_equal(n, 43);
	/* Bad CRC in the infoData form: silent. */
	assert_int_equal(ask(m, "7E 01 01 03 00 8C 00 00 00 05 01 00 20 00 20 8B 43 0D",
			     out, NULL), 0);
	sim_model_free(m);
}

/* ---- alarms, faults, events ----------------------------------------- */

static bool alarm_on_wire(struct sim_model *m, const struct wc_alarm *a)
{
	struct wc_sample s;

	poll_all(m, &s);
	return wc_alarm_active(a, &s.regs);
}

static void test_every_alarm(void **state)
{
	(void)state;
	assert_true(wc_alarm_count <= SIM_ALARM_SLOTS);
	for (size_t k = 0; k < wc_alarm_count; k++) {
		const struct wc_alarm *a = &wc_alarms[k];
		bool state_code = a->cls == WC_CLASS_STATE;
		struct sim_battery_cfg c;
		struct sim_model *m;
		struct wc_sample s;

		if (!wc_alarm_in_family(a, WC_FAMILY_WATT))
			continue; /* JBD-only: not on a WATT battery */

		base_cfg(&c, "alarms");
		m = new_model(&c);
		/* chg_on/dsg_on start on (MOSFETs closed); all others off. */
		if (alarm_on_wire(m, a) != state_code)
			fail_msg("%s: wrong initial state", a->id);
		if (state_code)
			assert_int_equal(sim_model_set_alarm(m, a->id, false), 0);
		if (alarm_on_wire(m, a) && state_code)
			fail_msg("%s: still on after clearing", a->id);
		assert_int_equal(sim_model_set_alarm(m, a->id, true), 0);
		if (!alarm_on_wire(m, a))
			fail_msg("%s: set but not active after decode", a->id);
		/* Only that bit (plus MOSFET bits) changed. */
		poll_all(m, &s);
		for (size_t j = 0; j < wc_alarm_count; j++) {
			const struct wc_alarm *o = &wc_alarms[j];

			if (j == k || o->cls == WC_CLASS_STATE)
				continue;
			if (wc_alarm_active(o, &s.regs))
				fail_msg("%s also shows %s", a->id, o->id);
		}
		assert_int_equal(sim_model_set_alarm(m, a->id, false), 0);
		if (alarm_on_wire(m, a))
			fail_msg("%s: cleared but still active", a->id);
		sim_model_free(m);
	}
	{
		struct sim_battery_cfg c;
		struct sim_model *m;

		base_cfg(&c, "alarms");
		m = new_model(&c);
		assert_int_equal(sim_model_set_alarm(m, "no_such_code", true), -1);
		assert_int_equal(sim_model_set_alarm(m, NULL, true), -1);
		sim_model_free(m);
	}
}

/* Protections open the MOSFET of their direction while active. */
static void test_alarm_physics(void **state)
{
	static const struct {
		const char *id;
		bool chg, dsg; /* MOSFETs while the code is on */
	} cases[] = {
		{ "dsg_ocp", true, false },    { "pack_uvp", true, false },
		{ "cell_uvp", true, false },   { "dsg_otp", true, false },
		{ "dsg_utp", true, false },    { "hw_protect", true, false },
		{ "chg_ocp", false, true },    { "cell_ovp", false, true },
		{ "pack_ovp", false, true },   { "chg_otp", false, true },
		{ "chg_utp", false, true },    { "high_chg_volt", false, true },
		{ "chg_on", true, true },      { "dsg_oc_alarm", true, true },
		{ "mos_ot_alarm", true, true }, { "cells_fault", true, true },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_model *m = model_with_current(50.0, 100.0, -10.0);
		struct wc_sample s;

		assert_int_equal(sim_model_set_alarm(m, cases[i].id, true), 0);
		poll_all(m, &s);
		if (s.charge_mos != cases[i].chg || s.discharge_mos != cases[i].dsg)
			fail_msg("%s: chg %d dsg %d", cases[i].id, s.charge_mos,
				 s.discharge_mos);
		if (fabs(s.current_a + (cases[i].dsg ? 10.0 : 0.0)) > EPS)
			fail_msg("%s: current %.1f", cases[i].id, s.current_a);
		assert_int_equal(sim_model_set_alarm(m, cases[i].id, false), 0);
		poll_all(m, &s);
		if (strcmp(cases[i].id, "chg_on") == 0) {
			assert_false(s.charge_mos);
		} else {
			assert_true(s.charge_mos);
			assert_true(s.discharge_mos);
			assert_true(fabs(s.current_a + 10.0) < EPS);
		}
		sim_model_free(m);
	}
	/* dsg_on off = a DSG MOSFET write. */
	{
		struct sim_model *m = model_with_current(50.0, 100.0, -10.0);
		struct wc_sample s;

		assert_int_equal(sim_model_set_alarm(m, "dsg_on", false), 0);
		poll_all(m, &s);
		assert_false(s.discharge_mos);
		assert_true(fabs(s.current_a) < EPS);
		sim_model_free(m);
	}
}

static void test_faults_flags(void **state)
{
	struct sim_battery_cfg c;
	struct sim_model *m;

	(void)state;
	base_cfg(&c, "faults");
	c.faults[SIM_FAULT_CRC] = true;
	m = new_model(&c);
	for (int f = 0; f < SIM_FAULT__COUNT; f++)
		assert_int_equal(sim_model_fault(m, (enum sim_fault)f),
				 f == SIM_FAULT_CRC);
	assert_int_equal(sim_model_set_fault(m, SIM_FAULT_SILENCE, true), 0);
	assert_true(sim_model_fault(m, SIM_FAULT_SILENCE));
	assert_int_equal(sim_model_set_fault(m, SIM_FAULT_CRC, false), 0);
	assert_false(sim_model_fault(m, SIM_FAULT_CRC));
	assert_int_equal(sim_model_set_fault(m, SIM_FAULT__COUNT, true), -1);
	assert_false(sim_model_fault(m, SIM_FAULT__COUNT));
	sim_model_free(m);
}

static void test_scheduled_events(void **state)
{
	struct sim_battery_cfg c;
	struct sim_model *m;
	const struct wc_alarm *ocp = wc_alarm_by_id("dsg_ocp");
	const struct wc_alarm *cov = wc_alarm_by_id("cell_ov_alarm");
	struct wc_sample s;
	char err[256];
	double soc0;

	(void)state;
	base_cfg(&c, "events");
	c.n_profile = 2;
	c.profile[0].t_s = 0.0;
	c.profile[0].current_a = -10.0;
	c.profile[1].t_s = 90.0;
	c.profile[1].current_a = 0.0;
	/* Given out of order on purpose: the model sorts them. */
	assert_int_equal(sim_cfg_add_alarm_arg(&c, "dsg_ocp@30", err, sizeof(err)), 0);
	c.events[c.n_events++] = (struct sim_event){ 60.0, false,
						     (int)(ocp - wc_alarms), false };
	assert_int_equal(sim_cfg_add_fault_arg(&c, "crc@45", err, sizeof(err)), 0);
	assert_int_equal(sim_cfg_add_alarm_arg(&c, "cell_ov_alarm", err, sizeof(err)),
			 0);
	m = new_model(&c);
	soc0 = m->soc_pct;
	/* At the start: the untimed code is on, the timed ones are not yet. */
	assert_true(alarm_on_wire(m, cov));
	assert_false(alarm_on_wire(m, ocp));
	sim_model_advance(m, 29.999);
	assert_false(alarm_on_wire(m, ocp));
	sim_model_advance(m, 30.0);
	assert_true(alarm_on_wire(m, ocp));
	poll_all(m, &s);
	assert_false(s.discharge_mos);
	assert_true(fabs(s.current_a) < EPS);
	sim_model_advance(m, 44.9);
	assert_false(sim_model_fault(m, SIM_FAULT_CRC));
	sim_model_advance(m, 45.0);
	assert_true(sim_model_fault(m, SIM_FAULT_CRC));
	sim_model_advance(m, 60.0);
	assert_false(alarm_on_wire(m, ocp));
	poll_all(m, &s);
	assert_true(s.discharge_mos);
	/* One big step past everything: discharge ran 0-30 s and 60-90 s. */
	sim_model_advance(m, 500.0);
	assert_true(fabs((soc0 - m->soc_pct) - 10.0 * 60.0 / 3600.0) < 1e-9);
	sim_model_free(m);
}

/* A looping profile repeats; a step boundary is hit exactly. */
static void test_profile_loop(void **state)
{
	struct sim_battery_cfg c;
	struct sim_model *m;

	(void)state;
	base_cfg(&c, "loop");
	c.soc_pct = 50.0;
	c.n_profile = 2;
	c.profile[0].t_s = 10.0;
	c.profile[0].current_a = -36.0; /* 0.01 Ah/s = 0.01 %/s */
	c.profile[1].t_s = 60.0;
	c.profile[1].current_a = 36.0;
	c.profile_loop = true;
	c.profile_period_s = 100.0;
	m = new_model(&c);
	assert_true(fabs(profile_current(&m->cfg, 5.0)) < EPS); /* first lap */
	assert_true(fabs(profile_current(&m->cfg, 105.0) - 36.0) < EPS);
	assert_true(fabs(profile_current(&m->cfg, 150.0) + 36.0) < EPS);
	sim_model_advance(m, 60.0);
	assert_true(fabs(m->soc_pct - 49.5) < 1e-9);
	sim_model_advance(m, 100.0);
	assert_true(fabs(m->soc_pct - 49.9) < 1e-9);
	/* Second lap: +36 A for 10 s, -36 A for 50 s, +36 A for 40 s. */
	sim_model_advance(m, 200.0);
	assert_true(fabs(m->soc_pct - 49.9) < 1e-9);
	sim_model_free(m);
}

/* ---- sim_model_set ---------------------------------------------------- */

static void test_set_keys(void **state)
{
	static const struct {
		const char *key;
		double value;
		int rc;
	} cases[] = {
		{ "current", -20.0, 0 },  { "current", 1638.3, 0 },
		{ "current", 1700.0, -1 }, { "soc", 0.0, 0 },
		{ "soc", 100.0, 0 },      { "soc", 100.5, -1 },
		{ "soc", -1.0, -1 },      { "temp", 35.0, 0 },
		{ "temp", -50.0, -1 },    { "latency_ms", 250.0, 0 },
		{ "latency_ms", -1.0, -1 }, { "latency_ms", 1.5, -1 },
		{ "cell1", 3.4, 0 },      { "cell4", 3.1, 0 },
		{ "cell5", 3.3, -1 },     { "cell0", 3.3, -1 },
		{ "cell01", 3.3, -1 },    { "cell", 3.3, -1 },
		{ "cell2x", 3.3, -1 },    { "cell2", -0.1, -1 },
		{ "cell2", 7.0, -1 },     { "voltage", 12.0, -1 },
		{ "", 1.0, -1 },          { "soc", NAN, -1 },
		{ "profile", 0.0, 0 },
	};
	struct sim_battery_cfg c;
	struct sim_model *m;
	struct wc_sample s;
	int bad = 0;

	(void)state;
	base_cfg(&c, "set");
	m = new_model(&c);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int rc = sim_model_set(m, cases[i].key, cases[i].value);

		if (rc != cases[i].rc) {
			print_error("case %zu: %s=%g gave %d, want %d\n", i,
				    cases[i].key, cases[i].value, rc, cases[i].rc);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	assert_int_equal(sim_model_set(m, NULL, 1.0), -1);

	/* The values show. */
	assert_int_equal(sim_model_set(m, "soc", 42.0), 0);
	assert_int_equal(sim_model_set(m, "temp", 30.0), 0);
	assert_int_equal(sim_model_set(m, "current", -7.5), 0);
	assert_int_equal(sim_model_set(m, "cell2", 3.456), 0);
	assert_int_equal(sim_model_set(m, "latency_ms", 1234), 0);
	poll_all(m, &s);
	assert_true(fabs(s.soc_pct - 42.0) < EPS);
	assert_true(fabs(s.cell_v[1] - 3.456) < EPS);
	assert_true(fabs(s.current_a + 7.5) < EPS);
	assert_true(s.temp_mos_c >= 30.0 && s.temp_mos_c < 31.5);
	assert_int_equal(sim_model_cfg(m)->latency_ms, 1234);
	sim_model_free(m);
}

static void test_model_new_rejects(void **state)
{
	struct sim_battery_cfg c;

	(void)state;
	assert_null(sim_model_new(NULL));
	base_cfg(&c, "x");
	c.cells = 0;
	assert_null(sim_model_new(&c));
	base_cfg(&c, "x");
	c.cells = 33;
	assert_null(sim_model_new(&c));
	base_cfg(&c, "x");
	c.probes = 31;
	assert_null(sim_model_new(&c));
	base_cfg(&c, "x");
	c.capacity_ah = 0.0;
	assert_null(sim_model_new(&c));
	sim_model_free(NULL);
}

/* ---- fault names and command-line items -------------------------------- */

static void test_fault_names(void **state)
{
	static const char *const names[] = { "latency", "silence", "drop",
					     "crc", "garbage", "duplicate",
					     "length", "refuse" };

	(void)state;
	assert_int_equal(ARRAY_LEN(names), SIM_FAULT__COUNT);
	for (int f = 0; f < SIM_FAULT__COUNT; f++) {
		assert_string_equal(sim_fault_name((enum sim_fault)f), names[f]);
		assert_int_equal(sim_fault_by_name(names[f]), f);
	}
	assert_int_equal(sim_fault_by_name("nope"), -1);
	assert_int_equal(sim_fault_by_name(NULL), -1);
	assert_int_equal(sim_fault_by_name("CRC"), -1);
}

static void test_cli_items(void **state)
{
	static const struct {
		bool fault;
		const char *arg;
		const char *err; /* NULL = accepted */
	} cases[] = {
		{ false, "dsg_ocp", NULL },
		{ false, "dsg_ocp@30", NULL },
		{ false, "cell_ovp@0.5", NULL },
		{ false, "nope", "unknown alarm id 'nope'" },
		{ false, "dsg_ocp@", "time" },
		{ false, "dsg_ocp@x", "time" },
		{ false, "dsg_ocp@-1", "time" },
		{ false, "dsg_ocp@inf", "time" },
		{ false, "@5", "expected" },
		{ true, "latency", NULL },
		{ true, "crc@10", NULL },
		{ true, "bogus", "unknown fault 'bogus'" },
		{ true, "drop@1e", "time" },
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_battery_cfg c;
		char err[256] = "";
		int rc;

		sim_battery_cfg_defaults(&c, "cli");
		rc = cases[i].fault
			     ? sim_cfg_add_fault_arg(&c, cases[i].arg, err, sizeof(err))
			     : sim_cfg_add_alarm_arg(&c, cases[i].arg, err, sizeof(err));
		if ((rc == 0) != (cases[i].err == NULL) ||
		    (cases[i].err && !strstr(err, cases[i].err))) {
			print_error("case %zu (%s): rc %d, err \"%s\"\n", i,
				    cases[i].arg, rc, err);
			bad++;
		}
	}
	assert_int_equal(bad, 0);

	{
		struct sim_battery_cfg c;
		char err[256];

		sim_battery_cfg_defaults(&c, "cli");
		assert_int_equal(sim_cfg_add_alarm_arg(&c, "dsg_ocp@30", err,
						       sizeof(err)), 0);
		assert_int_equal(c.n_events, 1);
		assert_false(c.events[0].is_fault);
		assert_true(fabs(c.events[0].t_s - 30.0) < EPS);
		assert_string_equal(wc_alarms[c.events[0].index].id, "dsg_ocp");
		assert_true(c.events[0].on);
		assert_int_equal(sim_cfg_add_fault_arg(&c, "latency", err,
						       sizeof(err)), 0);
		assert_true(c.faults[SIM_FAULT_LATENCY]);
		assert_int_equal(c.n_events, 1);
		assert_int_equal(sim_cfg_add_fault_arg(&c, "crc@10", err,
						       sizeof(err)), 0);
		assert_int_equal(c.n_events, 2);
		assert_true(c.events[1].is_fault);
		assert_int_equal(c.events[1].index, SIM_FAULT_CRC);
		while (c.n_events < SIM_MAX_EVENTS)
			assert_int_equal(sim_cfg_add_alarm_arg(&c, "dsg_ocp@1", err,
							       sizeof(err)), 0);
		assert_int_equal(sim_cfg_add_alarm_arg(&c, "dsg_ocp@1", err,
						       sizeof(err)), -1);
		assert_non_null(strstr(err, "events"));
	}
}

static void test_defaults(void **state)
{
	struct sim_battery_cfg c;

	(void)state;
	sim_battery_cfg_defaults(&c, "house1");
	assert_string_equal(c.name, "house1");
	assert_int_equal(c.cells, 4);
	assert_true(fabs(c.capacity_ah - 100.0) < EPS);
	assert_true(fabs(c.full_ah - 100.0) < EPS);
	assert_int_equal(c.n_profile, 0);
	assert_int_equal(c.n_events, 0);
	assert_int_equal(c.head, SIM_HEAD_BOTH);
	assert_int_equal(c.version, 0);
	assert_true(c.mtu >= 23 && c.mtu <= 517);
	assert_true(c.unlock_required);
	for (int f = 0; f < SIM_FAULT__COUNT; f++)
		assert_false(c.faults[f]);
	/* A healthy battery at rest: no code set, both MOSFETs on, 0 A. */
	{
		struct sim_model *m = new_model(&c);
		struct wc_sample s;

		poll_all(m, &s);
		assert_int_equal(s.regs.status1 | s.regs.status2 | s.regs.status5 |
					 s.regs.warning1 | s.regs.warning2,
				 0);
		assert_int_equal(s.regs.status3, 0x06);
		assert_true(fabs(s.current_a) < EPS);
		assert_true(fabs(s.soc_pct - 80.0) < EPS);
		assert_true(s.cell_v[0] > 3.28 && s.cell_v[0] < 3.36);
		sim_model_free(m);
	}
}

/* ---- scenario files ---------------------------------------------------- */

/* conf/sim relative to the working directory (the repository root when
 * run by `make check`), or to this source file. */
static void conf_path(const char *file, char *out, size_t cap)
{
	static const char *const prefixes[] = { "conf/sim/", "../conf/sim/",
						"../../conf/sim/" };

	for (size_t i = 0; i < ARRAY_LEN(prefixes); i++) {
		snprintf(out, cap, "%s%s", prefixes[i], file);
		if (access(out, R_OK) == 0)
			return;
	}
	fail_msg("cannot find conf/sim/%s (run from the repository root)", file);
}

static void test_load_demo(void **state)
{
	struct sim_battery_cfg b[SIM_MAX_BATTERIES];
	char path[256], err[512] = "";
	unsigned n = 0;
	struct sim_model *m;
	struct wc_sample s;

	(void)state;
	conf_path("demo.cfg", path, sizeof(path));
	if (sim_scenario_load(path, b, SIM_MAX_BATTERIES, &n, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(n, 4);
	for (unsigned i = 0; i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "bank%u", i + 1);
		assert_string_equal(b[i].name, want);
		assert_int_equal(b[i].cells, 4);
		snprintf(want, sizeof(want), "conf/sim/run/bank%u.sock", i + 1);
		assert_non_null(strstr(b[i].socket_path, want));
		/* no profile of their own: the bank drives them
		 * (test_bank_physics.c loads the demo's bank) */
		assert_int_equal(b[i].n_profile, 0);
	}
	assert_true(b[3].cell_drift_v_per_h > 0.0);
	assert_int_equal(b[3].n_events, 2);

	/* bank4's over-current event trips and clears (under a load, as its
	 * bank puts on it). */
	m = new_model(&b[3]);
	assert_int_equal(sim_model_set(m, "current", -12.5), 0);
	sim_model_advance(m, 119.0);
	poll_all(m, &s);
	assert_true(s.discharge_mos);
	assert_true(s.current_a < -10.0);
	sim_model_advance(m, 120.0);
	poll_all(m, &s);
	assert_true(wc_alarm_active(wc_alarm_by_id("dsg_ocp"), &s.regs));
	assert_false(s.discharge_mos);
	assert_true(fabs(s.current_a) < EPS);
	sim_model_advance(m, 180.0);
	poll_all(m, &s);
	assert_false(wc_alarm_active(wc_alarm_by_id("dsg_ocp"), &s.regs));
	assert_true(s.discharge_mos);
	sim_model_free(m);
}

static void test_load_three(void **state)
{
	struct sim_battery_cfg b[SIM_MAX_BATTERIES];
	char path[256], err[512] = "";
	unsigned n = 0;

	(void)state;
	conf_path("three.cfg", path, sizeof(path));
	if (sim_scenario_load(path, b, SIM_MAX_BATTERIES, &n, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(n, 3);
	assert_int_equal(b[0].cells, 4);
	assert_int_equal(b[0].head, SIM_HEAD_7E);
	assert_int_equal(b[1].cells, 8);
	assert_int_equal(b[1].head, SIM_HEAD_1E);
	assert_int_equal(b[2].cells, 16);
	assert_int_equal(b[2].version, 4);
	/* A 1E-only battery ignores 7E. */
	{
		struct sim_model *m = new_model(&b[1]);
		uint8_t out[BIG];

		assert_int_equal(ask_read(m, WATT_HEAD_7E, WATT_DP_ANALOG, out), 0);
		assert_int_equal(ask_read(m, WATT_HEAD_1E, WATT_DP_ANALOG, out),
				 8 + 16 + 16 + 8 + 3);
		sim_model_free(m);
	}
	/* Too many batteries for the caller's array. */
	assert_int_equal(sim_scenario_load(path, b, 2, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most 2"));
}

struct tmpdir {
	char dir[64];
	char file[128];
};

static void write_scenario(struct tmpdir *t, const char *text)
{
	FILE *f = fopen(t->file, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int tmp_setup(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_sim_model.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->file, sizeof(t->file), "%s/s.cfg", t->dir);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmpdir *t = *state;

	unlink(t->file);
	rmdir(t->dir);
	free(t);
	return 0;
}

/* Each bad value is on line 3 of a one-battery file; the message must name
 * the file, that line and the key. */
static void test_load_rejects(void **state)
{
	static const struct {
		const char *line3;
		const char *key; /* must appear in the message */
	} cases[] = {
		{ "cells = 0;", "'cells'" },
		{ "cells = 33;", "'cells'" },
		{ "cells = 4.5;", "'cells'" },
		{ "probes = 31;", "'probes'" },
		{ "head = \"7f\";", "'head'" },
		{ "head = 126;", "'head'" },
		{ "version = 3;", "'version'" },
		{ "mtu = 22;", "'mtu'" },
		{ "mtu = 518;", "'mtu'" },
		{ "soc = 100.1;", "'soc'" },
		{ "capacity_ah = 0.0;", "'capacity_ah'" },
		{ "capacity_ah = \"big\";", "'capacity_ah'" },
		{ "temp_c = -41;", "'temp_c'" },
		{ "cell_v = 1.0;", "'cell_v'" },
		{ "cycles = -1;", "'cycles'" },
		{ "latency_ms = 600001;", "'latency_ms'" },
		{ "unlock = 1;", "'unlock'" },
		{ "firmware = \"123456789012345678901\";", "'firmware'" },
		{ "colour = \"red\";", "'colour'" },
		{ "alarms = ( { id = \"no_such\"; at = 1.0; } );", "'alarms.id'" },
		{ "alarms = ( { at = 1.0; } );", "'alarms.id'" },
		{ "alarms = ( { id = \"dsg_ocp\"; when = 1.0; } );", "'alarms'" },
		{ "alarms = ( { id = \"dsg_ocp\"; at = -1.0; } );", "'alarms.at'" },
		{ "faults = ( { kind = \"boom\"; } );", "'faults.kind'" },
		{ "faults = ( { kind = \"crc\"; on = \"yes\"; } );", "'faults.on'" },
		{ "profile = ( { t = 5.0; current = 1.0; }, { t = 1.0; current = 0.0; } );",
		  "'profile.t'" },
		{ "profile = ( { t = 0.0; current = 2000.0; } );", "'profile.current'" },
		{ "profile = ( { t = 0.0; } );", "'profile'" },
		{ "profile = 5;", "'profile'" },
		{ "loop = true;", "'loop'" },
		{ "loop = true; period = 0.5; profile = ( { t = 1.0; current = 1.0; } );",
		  "'period'" },
		{ "socket = \"\";", "'socket'" },
		{ "socket = \"/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\";",
		  "'socket'" },
	};
	struct tmpdir *t = *state;
	int bad = 0;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_battery_cfg b[4];
		char text[1024], err[512] = "", line[256];
		unsigned n = 99;
		int rc;

		snprintf(text, sizeof(text),
			 "batteries = (\n  { name = \"b1\";\n    %s\n  }\n);\n",
			 cases[i].line3);
		write_scenario(t, text);
		rc = sim_scenario_load(t->file, b, 4, &n, err, sizeof(err));
		snprintf(line, sizeof(line), "%s:3:", t->file);
		if (rc != -1 || n != 0 || !strstr(err, line) ||
		    !strstr(err, cases[i].key) || !strstr(err, "'b1'")) {
			print_error("case %zu (%s): rc %d, err \"%s\"\n", i,
				    cases[i].line3, rc, err);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_load_file_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want[2];
	} cases[] = {
		{ "batteries = (\n  { cells = = 4; }\n);\n", { ":2:", "syntax" } },
		{ "batteries = ( { name = \"a b\"; } );\n", { ":1:", "'name'" } },
		{ "batteries = ( { name = \"b1\"; cells = 0; } );\n",
		  { "battery 'b1': key 'cells'", "out of range" } },
		{ "batterys = ( { cells = 4; } );\n", { ":1:", "top-level" } },
		{ "other = 1;\n", { ":1:", "'other'" } },
		{ "batteries = ();\n", { ":1:", "empty" } },
		{ "batteries = 4;\n", { ":1:", "'batteries'" } },
		{ "# nothing\n", { "no 'batteries", "s.cfg" } },
		{ "batteries = ( 4 );\n", { ":1:", "group" } },
		{ "batteries = ( { name = \"a\"; },\n { name = \"a\"; } );\n",
		  { ":2:", "used twice" } },
		{ "batteries = ( { socket = \"x.sock\"; },\n { socket = \"x.sock\"; } );\n",
		  { ":2:", "used twice" } },
	};
	struct tmpdir *t = *state;
	int bad = 0;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_battery_cfg b[4];
		char err[512] = "";
		unsigned n = 0;
		int rc;

		write_scenario(t, cases[i].text);
		rc = sim_scenario_load(t->file, b, 4, &n, err, sizeof(err));
		if (rc != -1 || !strstr(err, t->file) ||
		    !strstr(err, cases[i].want[0]) || !strstr(err, cases[i].want[1])) {
			print_error("case %zu: rc %d, err \"%s\"\n", i, rc, err);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	{
		struct sim_battery_cfg b[1];
		char err[512] = "";
		unsigned n = 0;

		assert_int_equal(sim_scenario_load("/nonexistent/x.cfg", b, 1, &n,
						   err, sizeof(err)), -1);
		assert_non_null(strstr(err, "/nonexistent/x.cfg"));
	}
}

/* The full example of wattcycle-sim(1), SCENARIO FILES, loads with every key honoured; relative
 * sockets resolve against the file's directory, absolute ones stay. */
static void test_load_all_keys(void **state)
{
	struct tmpdir *t = *state;
	struct sim_battery_cfg b[4];
	char err[512] = "", want[256];
	unsigned n = 0;

	write_scenario(t,
		"# comment\n"
		"batteries = (\n"
		"  { name = \"house1\"; socket = \"run/house1.sock\"; cells = 4; probes = 2;\n"
		"    capacity_ah = 100.0; full_ah = 98.5; soc = 80.0; head = \"7e\";\n"
		"    version = 0; mtu = 247; temp_c = 20.0; cycles = 12;\n"
		"    profile = ( { t = 0.0; current = -10.0; }, { t = 60.0; current = 0; } );\n"
		"    loop = true; period = 120.0;\n"
		"    alarms = ( { id = \"dsg_ocp\"; at = 30.0; on = true; },\n"
		"               { id = \"dsg_ocp\"; at = 40; on = false; },\n"
		"               { id = \"cells_fault\"; } );\n"
		"    faults = ( { kind = \"latency\"; at = 0.0; }, { kind = \"crc\"; } );\n"
		"    latency_ms = 30; unlock = false; unlock_timeout_ms = 2000;\n"
		"    firmware = \"WT12_20004SW10_L447\"; manufacturer = \"acme\";\n"
		"    serial = \"60016016207270001\"; cell_v = 3.3; cell_spread_v = 0.01;\n"
		"    cell_drift_v_per_h = -0.002; },\n"
		"  { name = \"abs\"; socket = \"/tmp/abs.sock\"; cells = 16; head = \"both\"; version = 4; },\n"
		"  { cells = 8; head = \"1e\"; }\n"
		");\n");
	if (sim_scenario_load(t->file, b, 4, &n, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(n, 3);
	snprintf(want, sizeof(want), "%s/run/house1.sock", t->dir);
	assert_string_equal(b[0].socket_path, want);
	assert_int_equal(b[0].cells, 4);
	assert_int_equal(b[0].probes, 2);
	assert_true(fabs(b[0].full_ah - 98.5) < EPS);
	assert_int_equal(b[0].head, SIM_HEAD_7E);
	assert_int_equal(b[0].mtu, 247);
	assert_int_equal(b[0].cycles, 12);
	assert_int_equal(b[0].n_profile, 2);
	assert_true(fabs(b[0].profile[0].current_a + 10.0) < EPS);
	assert_true(b[0].profile_loop);
	assert_true(fabs(b[0].profile_period_s - 120.0) < EPS);
	assert_int_equal(b[0].n_events, 4); /* 3 alarms + timed latency */
	assert_true(b[0].faults[SIM_FAULT_CRC]);
	assert_false(b[0].faults[SIM_FAULT_LATENCY]);
	assert_int_equal(b[0].latency_ms, 30);
	assert_false(b[0].unlock_required);
	assert_int_equal(b[0].unlock_timeout_ms, 2000);
	assert_string_equal(b[0].manufacturer, "acme");
	assert_true(fabs(b[0].cell_v - 3.3) < EPS);
	assert_true(fabs(b[0].cell_drift_v_per_h + 0.002) < EPS);
	assert_string_equal(b[1].socket_path, "/tmp/abs.sock");
	assert_int_equal(b[1].head, SIM_HEAD_BOTH);
	assert_int_equal(b[1].version, 4);
	assert_true(fabs(b[1].full_ah - 100.0) < EPS); /* = capacity */
	assert_string_equal(b[1].firmware, "WT30_10016SW14_L_01");
	assert_string_equal(b[2].name, "battery3");
	assert_int_equal(b[2].head, SIM_HEAD_1E);
	assert_string_equal(b[2].socket_path, "");

	/* The first battery runs: latency fault on at t = 0 via its event,
	 * dsg_ocp on from 30 to 40 s, cells_fault from the start. */
	{
		struct sim_model *m = new_model(&b[0]);

		assert_true(sim_model_fault(m, SIM_FAULT_LATENCY));
		assert_true(alarm_on_wire(m, wc_alarm_by_id("cells_fault")));
		sim_model_advance(m, 35.0);
		assert_true(alarm_on_wire(m, wc_alarm_by_id("dsg_ocp")));
		sim_model_advance(m, 40.0);
		assert_false(alarm_on_wire(m, wc_alarm_by_id("dsg_ocp")));
		sim_model_free(m);
	}
}

/* One table for both the command line and scenario files: every option is
 * in --help, and a value at either end of a range is taken, one past it
 * refused, the same way on the command line. */
static void test_settings_table(void **state)
{
	char *help = NULL;
	size_t help_len = 0;
	FILE *f = open_memstream(&help, &help_len);
	struct sim_battery_cfg cfg;
	char text[32];
	int bad = 0;

	(void)state;
	assert_non_null(f);
	sim_setting_print_help(f);
	fclose(f);
	for (size_t i = 0; i < sim_battery_setting_count; i++) {
		const struct sim_setting *st = &sim_battery_settings[i];

		if (st->key)
			assert_ptr_equal(sim_setting_by_key(st->key), st);
		if (!st->option)
			continue;
		assert_ptr_equal(sim_setting_by_option(st->option), st);
		snprintf(text, sizeof(text), "  --%s", st->option);
		if (!strstr(help, text)) {
			print_error("--%s missing from --help\n", st->option);
			bad++;
		}
		if (st->kind != SIM_SET_INT && st->kind != SIM_SET_NUMBER)
			continue;
		sim_battery_cfg_defaults(&cfg, "t");
		snprintf(text, sizeof(text), "%g", st->lo);
		if (!sim_setting_from_text(st, text, &cfg)) {
			print_error("--%s %s refused\n", st->option, text);
			bad++;
		}
		snprintf(text, sizeof(text), "%g", st->hi + 1);
		if (sim_setting_from_text(st, text, &cfg)) {
			print_error("--%s %s taken\n", st->option, text);
			bad++;
		}
	}
	free(help);
	sim_battery_cfg_defaults(&cfg, "t");
	assert_true(sim_setting_from_text(sim_setting_by_option("cells"), "8",
					  &cfg));
	assert_int_equal(cfg.cells, 8);
	assert_true(sim_setting_from_text(sim_setting_by_option("rssi"), "-70",
					  &cfg));
	assert_int_equal(cfg.rssi_dbm, -70);
	assert_false(sim_setting_from_text(sim_setting_by_option("version"),
					   "3", &cfg));
	assert_true(sim_setting_from_text(
		sim_setting_by_option("no-unlock-check"), NULL, &cfg));
	assert_false(cfg.unlock_required);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_ef2f),
		cmocka_unit_test(test_encode_tdt16),
		cmocka_unit_test(test_encode_decoded_vectors),
		cmocka_unit_test(test_encode_version_and_limits),
		cmocka_unit_test(test_encode_extension),
		cmocka_unit_test(test_model_serves_ef2f),
		cmocka_unit_test(test_model_serves_tdt16),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_soc_integrates),
		cmocka_unit_test(test_cycles_and_clamp),
		cmocka_unit_test(test_cell_voltage_curve),
		cmocka_unit_test(test_drift_and_determinism),
		cmocka_unit_test(test_cell_v_offset),
		cmocka_unit_test(test_balancing),
		cmocka_unit_test(test_mosfet_writes),
		cmocka_unit_test(test_clock_write),
		cmocka_unit_test(test_head_modes),
		cmocka_unit_test(test_bad_requests_silent),
		cmocka_unit_test(test_infodata_read),
		cmocka_unit_test(test_every_alarm),
		cmocka_unit_test(test_alarm_physics),
		cmocka_unit_test(test_faults_flags),
		cmocka_unit_test(test_scheduled_events),
		cmocka_unit_test(test_profile_loop),
		cmocka_unit_test(test_set_keys),
		cmocka_unit_test(test_model_new_rejects),
		cmocka_unit_test(test_fault_names),
		cmocka_unit_test(test_cli_items),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_settings_table),
		cmocka_unit_test(test_load_demo),
		cmocka_unit_test(test_load_three),
		cmocka_unit_test_setup_teardown(test_load_rejects, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_file_errors, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_all_keys, tmp_setup,
						tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
