/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator reproduces every published WATT capture byte for byte:
 * conf/sim/captures.cfg describes the three captured batteries (EF2F,
 * 49A1, TDT 16S) with the fidelity keys of sim/fidelity.h, and every
 * response the model gives to the captured request equals the captured
 * frame (tests/unit/watt_vectors.h).  Also the units described but not
 * published: address byte 0x41, the version-4 extension, whole amperes;
 * and the loader's checks of the fidelity keys. */
#include "../../sim/encode.c"
#include "../../sim/fidelity.c"
#include "../../sim/jbd_sim.c"
#include "../../sim/model.c"
#include "../../sim/scenario.c"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unhex.h"
#include "watt.h"
#include "watt_vectors.h"

#define SCENARIO "conf/sim/captures.cfg"

static struct sim_battery_cfg cfgs[SIM_MAX_BATTERIES];
static unsigned ncfg;

static const struct sim_battery_cfg *cfg_named(const char *name)
{
	for (unsigned i = 0; i < ncfg; i++)
		if (strcmp(cfgs[i].name, name) == 0)
			return &cfgs[i];
	fail_msg("battery %s not in " SCENARIO, name);
	return NULL;
}

static int load(void **state)
{
	char err[512];

	(void)state;
	if (sim_scenario_load(SCENARIO, cfgs, SIM_MAX_BATTERIES, &ncfg, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

/* Ask a fresh model of the battery with the request, compare the answer
 * with the captured frame byte for byte. */
static void rebuild(const char *battery, uint8_t head, uint8_t dp,
		    unsigned want)
{
	struct sim_model *m = sim_model_new(cfg_named(battery));
	uint8_t req[WATT_READ_LEN], got[WATT_FRAME_MAX], exp[WATT_FRAME_MAX];
	size_t n = watt_build_read(req, sizeof(req), head, dp);
	size_t gn, en = unhex(wv_resp[want].hex, exp, sizeof(exp));

	assert_non_null(m);
	gn = sim_model_handle(m, req, n, got, sizeof(got), NULL);
	if (gn != en || memcmp(got, exp, en) != 0) {
		size_t i = 0;

		while (i < gn && i < en && got[i] == exp[i])
			i++;
		fail_msg("%s (%s DP 0x%02X): %zu bytes, want %zu; first "
			 "difference at byte %zu: 0x%02X, want 0x%02X",
			 wv_resp[want].name, battery, dp, gn, en, i,
			 i < gn ? got[i] : 0, i < en ? exp[i] : 0);
	}
	sim_model_free(m);
}

static void test_ef2f(void **state)
{
	(void)state;
	rebuild("ef2f", WATT_HEAD_7E, WATT_DP_ANALOG, WV_EF2F_8C);
	rebuild("ef2f", WATT_HEAD_7E, WATT_DP_STATUS, WV_EF2F_8D);
	rebuild("ef2f", WATT_HEAD_7E, WATT_DP_PRODUCT, WV_EF2F_92);
}

static void test_49a1(void **state)
{
	struct sim_model *m;
	uint8_t req[WATT_READ_LEN], out[WATT_FRAME_MAX];
	size_t n;

	(void)state;
	rebuild("49a1", WATT_HEAD_1E, WATT_DP_ANALOG, WV_49A1_8C);
	rebuild("49a1", WATT_HEAD_1E, WATT_DP_STATUS, WV_49A1_8D);
	rebuild("49a1", WATT_HEAD_1E, WATT_DP_PRODUCT, WV_49A1_92);
	/* and, like the real unit, it never answers head 7E */
	m = sim_model_new(cfg_named("49a1"));
	n = watt_build_read(req, sizeof(req), WATT_HEAD_7E, WATT_DP_ANALOG);
	assert_int_equal(sim_model_handle(m, req, n, out, sizeof(out), NULL), 0);
	sim_model_free(m);
}

static void test_tdt16(void **state)
{
	(void)state;
	rebuild("tdt16", WATT_HEAD_7E, WATT_DP_ANALOG, WV_TDT16_8C);
	rebuild("tdt16", WATT_HEAD_7E, WATT_DP_STATUS, WV_TDT16_8D);
	rebuild("tdt16", WATT_HEAD_7E, WATT_DP_PRODUCT, WV_TDT16_92);
}

static void answer(const char *battery, uint8_t dp, struct wc_sample *s,
		   uint8_t *frame, size_t *len)
{
	struct sim_model *m = sim_model_new(cfg_named(battery));
	uint8_t req[WATT_READ_LEN];
	size_t n = watt_build_read(req, sizeof(req), WATT_HEAD_7E, dp);

	assert_non_null(m);
	*len = sim_model_handle(m, req, n, frame, WATT_FRAME_MAX, NULL);
	assert_true(*len > WATT_OVERHEAD);
	memset(s, 0, sizeof(*s));
	assert_int_equal(watt_decode(frame, *len, s, NULL, NULL), WC_OK);
	sim_model_free(m);
}

static void test_described_units(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	struct wc_sample s;
	size_t n;

	(void)state;
	/* address byte 0x41 in every response */
	answer("addr41", WATT_DP_ANALOG, &s, f, &n);
	assert_int_equal(f[2], 0x41);
	answer("addr41", WATT_DP_STATUS, &s, f, &n);
	assert_int_equal(s.address, 0x41);
	answer("addr41", WATT_DP_ANALOG, &s, f, &n);
	assert_true(fabs(s.full_ah - 105.2) < 1e-9);
	assert_true(fabs(s.design_ah - 100.0) < 1e-9);

	/* version 4 with the 18-byte extension: 16 + 32 + 12 + 18 */
	answer("v4ext", WATT_DP_ANALOG, &s, f, &n);
	assert_int_equal(f[1], 0x04);
	assert_int_equal(get_be16(f + 6), 16 + 2 * 16 + 2 * 6 + 18);
	assert_true(wc_has(&s, WC_F_SOH));
	assert_true(s.soh_pct == 98.0);
	assert_true(fabs(s.lifetime_ah - 12345.6) < 1e-9);
	assert_int_equal(s.time_left_min, 400);
	assert_true(fabs(s.current_a + 16.2) < 1e-9);

	/* whole amperes: 12.3 A goes out as 12 A, bit 14 clear */
	answer("wholeamp", WATT_DP_ANALOG, &s, f, &n);
	assert_int_equal(get_be16(f + 8 + 1 + 2 * 4 + 1 + 2 * 4), 0x000C);
	assert_true(s.current_a == 12.0);
}

/* A pack voltage that is not the sum of the cells, a SoC register that is
 * not remaining/full: the TDT 16S values themselves. */
static void test_independent_registers(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	struct wc_sample s;
	double sum = 0.0;
	size_t n;

	(void)state;
	answer("tdt16", WATT_DP_ANALOG, &s, f, &n);
	for (unsigned i = 0; i < s.n_cells; i++)
		sum += s.cell_v[i];
	assert_true(fabs(sum - 52.707) < 1e-9);
	assert_true(fabs(s.voltage_v - 52.70) < 1e-9);
	assert_true(s.soc_pct == 91.0);
	assert_true(fabs(100.0 * s.remaining_ah / s.full_ah - 91.5) < 0.01);
	/* each sensor on its own: no common offset pattern */
	assert_true(s.temp_mos_c == 18.0 && s.temp_env_c == 19.7 &&
		    s.probe_c[3] == 18.8);
}

static void bad_key(const char *body, const char *want)
{
	char path[] = "/tmp/wc-fid-XXXXXX", err[512];
	struct sim_battery_cfg c[2];
	unsigned n = 0;
	int fd = mkstemp(path);
	FILE *fp;

	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fprintf(fp, "batteries = ( { name = \"b\"; %s } );\n", body);
	fclose(fp);
	err[0] = '\0';
	assert_int_equal(sim_scenario_load(path, c, 2, &n, err, sizeof(err)), -1);
	unlink(path);
	if (!strstr(err, want))
		fail_msg("%s: got \"%s\", want \"%s\"", body, err, want);
}

static void test_loader_checks(void **state)
{
	(void)state;
	bad_key("address = 256;", "256 is out of range (0..255)");
	bad_key("status4 = 1.5;", "1.5 is not a whole number");
	bad_key("temps_c = [ 20.0, 21.0 ]; probes = 2;",
		"temps_c has 2 values, the battery has 4 sensors");
	bad_key("cells = 4; cells_v = [ 3.3, 3.3, 3.3 ];",
		"cells_v has 3 values, the battery has 4 cells");
	bad_key("soc_register = 101;", "101 is out of range (0..100)");
	bad_key("extension = 1;", "must be true or false");
	bad_key("cells_v = \"x\";", "must be a list of numbers");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ef2f),
		cmocka_unit_test(test_49a1),
		cmocka_unit_test(test_tdt16),
		cmocka_unit_test(test_described_units),
		cmocka_unit_test(test_independent_registers),
		cmocka_unit_test(test_loader_checks),
	};

	return cmocka_run_group_tests(tests, load, NULL);
}
