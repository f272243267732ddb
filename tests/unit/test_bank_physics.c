/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of sim/bank_physics.c: the share of a bank current among
 * parallel strings (figures computed by hand), series members carrying one
 * current, a protection opening a string, taking turns near full, and the
 * scenario's "banks" list. */
#include "../../sim/encode.c"
#include "../../sim/model.c"
#include "../../sim/scenario.c"
#include "../../sim/bank_physics.c"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define EPS 1e-6

static struct sim_string_in str(double e, double r, bool chg, bool dsg)
{
	struct sim_string_in s = { .ocv_v = e, .r_ohm = r, .can_charge = chg,
				   .can_discharge = dsg };
	return s;
}

/* Two equal strings split the load evenly: -12.5 A each, the bus
 * 12.5 A x 10 mOhm below their 26.4 V. */
static void test_share_even(void **state)
{
	struct sim_string_in s[2] = { str(26.4, 0.01, true, true),
				      str(26.4, 0.01, true, true) };
	double a[2], v;

	(void)state;
	v = sim_bank_share(s, 2, -25.0, a);
	assert_float_equal(a[0], -12.5, EPS);
	assert_float_equal(a[1], -12.5, EPS);
	assert_float_equal(v, 26.275, EPS);
}

/* By open-circuit voltage: 26.5 and 26.4 V behind 10 mOhm each, -25 A:
 * (V - 26.5) / 0.01 + (V - 26.4) / 0.01 = -25  ->  V = 26.325,
 * string 1 -17.5 A, string 2 -7.5 A.  By resistance: equal OCV, 10 and
 * 30 mOhm, -20 A: 3/4 and 1/4, -15 and -5 A. */
static void test_share_by_ocv_and_resistance(void **state)
{
	struct sim_string_in s[2] = { str(26.5, 0.01, true, true),
				      str(26.4, 0.01, true, true) };
	struct sim_string_in r[2] = { str(26.4, 0.01, true, true),
				      str(26.4, 0.03, true, true) };
	double a[2], v;

	(void)state;
	v = sim_bank_share(s, 2, -25.0, a);
	assert_float_equal(v, 26.325, EPS);
	assert_float_equal(a[0], -17.5, EPS);
	assert_float_equal(a[1], -7.5, EPS);
	sim_bank_share(r, 2, -20.0, a);
	assert_float_equal(a[0], -15.0, EPS);
	assert_float_equal(a[1], -5.0, EPS);
	/* at rest the fuller string charges the other: +5 / -5 A */
	v = sim_bank_share(s, 2, 0.0, a);
	assert_float_equal(v, 26.45, EPS);
	assert_float_equal(a[0], -5.0, EPS);
	assert_float_equal(a[1], 5.0, EPS);
}

/* A string that cannot discharge: the other takes the whole load. */
static void test_share_blocked(void **state)
{
	struct sim_string_in s[2] = { str(26.5, 0.01, true, true),
				      str(26.4, 0.01, true, false) };
	double a[2], v;

	(void)state;
	v = sim_bank_share(s, 2, -25.0, a);
	assert_float_equal(a[0], -25.0, EPS);
	assert_float_equal(a[1], 0.0, EPS);
	assert_float_equal(v, 26.25, EPS);
	/* nothing can give: nothing flows */
	s[0].can_discharge = false;
	sim_bank_share(s, 2, -25.0, a);
	assert_float_equal(a[0], 0.0, EPS);
	assert_float_equal(a[1], 0.0, EPS);
}

static struct sim_model *model(const char *name, double soc)
{
	struct sim_battery_cfg c;

	sim_battery_cfg_defaults(&c, name);
	c.soc_pct = soc;
	c.cell_spread_v = 0.0;
	return sim_model_new(&c);
}

static double served_a(struct sim_model *m)
{
	struct wc_sample s;

	sim_model_snapshot(m, &s);
	return s.current_a;
}

static void house(struct sim_bank_cfg *c, struct sim_bank *b,
		  const double soc[4])
{
	static const char *const names[4] = { "b1", "b2", "b3", "b4" };

	memset(c, 0, sizeof(*c));
	memset(b, 0, sizeof(*b));
	snprintf(c->name, sizeof(c->name), "house");
	c->n_strings = 2;
	c->n_series[0] = c->n_series[1] = 2;
	for (unsigned i = 0; i < 4; i++) {
		snprintf(c->member[i / 2][i % 2], SIM_NAME_MAX, "%s", names[i]);
		b->m[i / 2][i % 2] = model(names[i], soc[i]);
		assert_non_null(b->m[i / 2][i % 2]);
	}
	c->load[0].t_s = 0.0;
	c->load[0].current_a = -25.0;
	c->n_load = 1;
	b->cfg = c;
}

static void house_free(struct sim_bank *b)
{
	for (unsigned i = 0; i < 4; i++)
		sim_model_free(b->m[i / 2][i % 2]);
}

/* 2S2P: series members carry one current, the strings add up to the
 * load; the fuller string gives more.  bank4's DSG OCP opens string 2:
 * string 1 takes the whole load, string 2 carries nothing. */
static void test_series_and_protection(void **state)
{
	static const double soc[4] = { 80, 80, 70, 70 };
	struct sim_bank_cfg c;
	struct sim_bank b;
	double s1, s2;

	(void)state;
	house(&c, &b, soc);
	sim_bank_step(&b, 0.0);
	s1 = served_a(b.m[0][0]);
	s2 = served_a(b.m[1][0]);
	assert_float_equal(served_a(b.m[0][1]), s1, 0.051);
	assert_float_equal(served_a(b.m[1][1]), s2, 0.051);
	assert_float_equal(b.current_a[0] + b.current_a[1], -25.0, EPS);
	assert_true(b.current_a[0] < b.current_a[1]); /* 80 % gives more */
	assert_float_equal(s1 + s2, -25.0, 0.11);
	assert_int_equal(sim_model_set_alarm(b.m[1][1], "dsg_ocp", true), 0);
	sim_bank_step(&b, 1.0);
	assert_float_equal(b.current_a[0], -25.0, EPS);
	assert_float_equal(b.current_a[1], 0.0, EPS);
	assert_float_equal(served_a(b.m[0][0]), -25.0, 0.051);
	assert_float_equal(served_a(b.m[1][0]), 0.0, EPS);
	assert_float_equal(served_a(b.m[1][1]), 0.0, EPS);
	/* cleared: string 2 carries again */
	assert_int_equal(sim_model_set_alarm(b.m[1][1], "dsg_ocp", false), 0);
	sim_bank_step(&b, 2.0);
	assert_true(b.current_a[1] < -1.0);
	house_free(&b);
}

/* Two single batteries in parallel, both near full, charging at 20 A: the
 * one that reaches full opens its charge MOSFET, the other takes the whole
 * charge; it closes again only once the bus has fallen 0.3 V. */
static void test_taking_turns(void **state)
{
	struct sim_bank_cfg c;
	struct sim_bank b;
	struct wc_sample s;
	double cut;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&b, 0, sizeof(b));
	c.n_strings = 2;
	c.n_series[0] = c.n_series[1] = 1;
	snprintf(c.member[0][0], SIM_NAME_MAX, "a");
	snprintf(c.member[1][0], SIM_NAME_MAX, "b");
	c.load[0].current_a = 20.0;
	c.n_load = 1;
	b.cfg = &c;
	b.m[0][0] = model("a", 99.6);
	b.m[1][0] = model("b", 99.0);
	sim_bank_step(&b, 0.0);
	assert_true(b.current_a[0] > 0.0);
	assert_true(b.resting[0][0]);          /* a: full while charging */
	assert_false(b.resting[1][0]);
	cut = b.cut_v[0][0];
	sim_model_snapshot(b.m[0][0], &s);
	assert_false(s.charge_mos);            /* its BMS opened it */
	assert_true(s.discharge_mos);
	sim_bank_step(&b, 1.0);
	assert_float_equal(b.current_a[0], 0.0, EPS);
	assert_float_equal(b.current_a[1], 20.0, EPS);
	assert_float_equal(served_a(b.m[0][0]), 0.0, EPS);
	/* the charger stops, the bus settles: not 0.3 V lower yet */
	c.load[0].current_a = 0.0;
	sim_bank_step(&b, 2.0);
	assert_true(b.bus_v > cut - SIM_BANK_REJOIN_DROP_V);
	sim_bank_step(&b, 3.0);
	assert_true(b.resting[0][0]);
	/* a load drains both to 90 %: the bus falls far below the cut */
	sim_model_set(b.m[0][0], "soc", 90.0);
	sim_model_set(b.m[1][0], "soc", 90.0);
	c.load[0].current_a = -30.0;
	sim_bank_step(&b, 4.0);
	assert_true(b.bus_v <= cut - SIM_BANK_REJOIN_DROP_V);
	sim_bank_step(&b, 5.0);
	assert_false(b.resting[0][0]);
	sim_model_snapshot(b.m[0][0], &s);
	assert_true(s.charge_mos);
	sim_model_free(b.m[0][0]);
	sim_model_free(b.m[1][0]);
}

static void test_load_profile(void **state)
{
	struct sim_bank_cfg c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.load[0] = (struct sim_profile_step){ 0.0, -25.0 };
	c.load[1] = (struct sim_profile_step){ 100.0, 10.0 };
	c.n_load = 2;
	assert_float_equal(sim_bank_load_a(&c, 50.0), -25.0, EPS);
	assert_float_equal(sim_bank_load_a(&c, 150.0), 10.0, EPS);
	c.loop = true;
	c.period_s = 200.0;
	assert_float_equal(sim_bank_load_a(&c, 250.0), -25.0, EPS);
	assert_float_equal(sim_bank_load_a(&c, 399.0), 10.0, EPS);
}

static char path[64];

static const char *load_text(const char *text, struct sim_bank_cfg *out,
			     unsigned *n)
{
	static char err[512];
	static struct sim_battery_cfg bats[SIM_MAX_BATTERIES];
	unsigned nb = 0;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/wc_simbank_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	if (sim_scenario_load(path, bats, SIM_MAX_BATTERIES, &nb, err,
			      sizeof(err)) == 0)
		sim_banks_load(path, bats, nb, out, SIM_MAX_BANKS, n, err,
			       sizeof(err));
	unlink(path);
	return err[0] ? err + strlen(path) + 1 : "";
}

static void test_scenario_banks(void **state)
{
	static struct sim_bank_cfg out[SIM_MAX_BANKS];
	static const char bats[] =
		"batteries = ( { name = \"a\"; }, { name = \"b\"; }, { name = \"c\"; } );\n";
	char text[1024];
	unsigned n = 0;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", bats,
		 "banks = ( { name = \"h\"; strings = ( [\"a\", \"b\"], [\"c\"] );\n"
		 "  load = ( { t = 0; current = -20; }, { t = 60; current = 5.5; } );\n"
		 "  loop = true; period = 120; } );\n");
	assert_string_equal(load_text(text, out, &n), "");
	assert_int_equal(n, 1);
	assert_int_equal(out[0].n_strings, 2);
	assert_int_equal(out[0].n_series[0], 2);
	assert_string_equal(out[0].member[1][0], "c");
	assert_int_equal(out[0].n_load, 2);
	assert_float_equal(out[0].load[1].current_a, 5.5, EPS);
	snprintf(text, sizeof(text), "%s%s", bats,
		 "banks = ( { name = \"h\";\n strings = ( [\"a\", \"zz\"] ); } );\n");
	assert_string_equal(load_text(text, out, &n),
			    "3: bank h: key 'strings': \"zz\" is no battery of this scenario");
	snprintf(text, sizeof(text), "%s%s", bats,
		 "banks = ( { name = \"h\"; strings = ( [\"a\"] ); },\n"
		 " { name = \"v\"; strings = ( [\"a\"] ); } );\n");
	assert_string_equal(load_text(text, out, &n),
			    "3: bank v: key 'strings': battery \"a\" is already in bank h");
	snprintf(text, sizeof(text), "%s%s", bats,
		 "banks = ( { name = \"h\"; strings = ( [\"a\"] ); wires = 2; } );\n");
	assert_string_equal(load_text(text, out, &n),
			    "2: bank h: unknown key 'wires' (name, strings, load, loop, period)");
	/* no banks: fine */
	assert_string_equal(load_text(bats, out, &n), "");
	assert_int_equal(n, 0);
}

/* conf/sim/demo.cfg is a 2S2P bank under a looping load; run from the
 * repository root (as run-tests.sh does), else skipped. */
static void test_demo_bank(void **state)
{
	static struct sim_battery_cfg bats[SIM_MAX_BATTERIES];
	static struct sim_bank_cfg banks_cfg[SIM_MAX_BANKS];
	static struct sim_bank b;
	char err[512] = "";
	unsigned nb = 0, n = 0;

	(void)state;
	if (access("conf/sim/demo.cfg", R_OK) != 0)
		skip();
	assert_int_equal(sim_scenario_load("conf/sim/demo.cfg", bats,
					   SIM_MAX_BATTERIES, &nb, err,
					   sizeof(err)), 0);
	assert_int_equal(sim_banks_load("conf/sim/demo.cfg", bats, nb,
					banks_cfg, SIM_MAX_BANKS, &n, err,
					sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(banks_cfg[0].name, "house");
	assert_int_equal(banks_cfg[0].n_strings, 2);
	assert_string_equal(banks_cfg[0].member[1][1], "bank4");
	assert_true(banks_cfg[0].loop);
	memset(&b, 0, sizeof(b));
	b.cfg = &banks_cfg[0];
	for (unsigned i = 0; i < 4; i++)
		b.m[i / 2][i % 2] = sim_model_new(&bats[i]);
	/* the evening load, shared; bank4's protection at 120 s opens
	 * string 2 and string 1 takes it all */
	for (unsigned i = 0; i < 4; i++)
		sim_model_advance(b.m[i / 2][i % 2], 60.0);
	sim_bank_step(&b, 60.0);
	assert_float_equal(b.current_a[0] + b.current_a[1], -25.0, EPS);
	assert_true(b.current_a[0] < -10.0 && b.current_a[1] < -10.0);
	for (unsigned i = 0; i < 4; i++)
		sim_model_advance(b.m[i / 2][i % 2], 121.0);
	sim_bank_step(&b, 121.0);
	assert_float_equal(b.current_a[0], -25.0, EPS);
	assert_float_equal(b.current_a[1], 0.0, EPS);
	for (unsigned i = 0; i < 4; i++)
		sim_model_free(b.m[i / 2][i % 2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_even),
		cmocka_unit_test(test_share_by_ocv_and_resistance),
		cmocka_unit_test(test_share_blocked),
		cmocka_unit_test(test_series_and_protection),
		cmocka_unit_test(test_taking_turns),
		cmocka_unit_test(test_load_profile),
		cmocka_unit_test(test_scenario_banks),
		cmocka_unit_test(test_demo_bank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
