/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/bank.[ch]: the bank arithmetic against figures
 * computed by hand, members left out when stale, and the bank
 * notifications firing and clearing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alarms.h"
#include "bank.h"

#define MAX_EV 32
#define EPS 1e-9

struct rec {
	struct wc_event ev[MAX_EV];
	char id[MAX_EV][96];
	unsigned n;
};

static void record(const struct wc_event *ev, void *user)
{
	struct rec *r = user;

	assert_true(r->n < MAX_EV);
	r->ev[r->n] = *ev;
	snprintf(r->id[r->n], sizeof(r->id[0]), "%s", ev->id);
	r->ev[r->n].id = r->id[r->n];
	r->n++;
}

/* The 2S2P "house" bank of the example inventory. */
static void house(struct wc_bank_def *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "house");
	d->n_strings = 2;
	d->n_series[0] = d->n_series[1] = 2;
	snprintf(d->member[0][0], WC_BANK_NAME_MAX, "bank1");
	snprintf(d->member[0][1], WC_BANK_NAME_MAX, "bank2");
	snprintf(d->member[1][0], WC_BANK_NAME_MAX, "bank3");
	snprintf(d->member[1][1], WC_BANK_NAME_MAX, "bank4");
	d->soc_spread_warn = 5.0;
	d->share_warn = 25.0;
}

static void set_code(struct wc_sample *s, const char *id, bool on)
{
	const struct wc_alarm *a = wc_alarm_by_id(id);

	assert_non_null(a);
	wc_alarm_apply(a, &s->regs, on);
}

static void member(struct wc_bank_member *m, double v, double i,
		   double soc, double rem, double full, double cmin,
		   double cmax)
{
	struct wc_sample *s = &m->sample;

	memset(m, 0, sizeof(*m));
	m->good = true;
	m->t_ms = 100000;
	m->interval_ms = 10000;
	s->voltage_v = v;
	s->current_a = i;
	s->soc_pct = soc;
	s->remaining_ah = rem;
	s->full_ah = full;
	s->n_cells = 4;
	s->cell_v[0] = cmin;
	s->cell_v[1] = (cmin + cmax) / 2;
	s->cell_v[2] = cmax;
	s->cell_v[3] = (cmin + cmax) / 2;
	wc_set(s, WC_F_VOLTAGE);
	wc_set(s, WC_F_CURRENT);
	wc_set(s, WC_F_SOC);
	wc_set(s, WC_F_REMAINING);
	wc_set(s, WC_F_FULL);
	wc_set(s, WC_F_CELLS);
	s->regs.n_cells = 4;
	wc_set(s, WC_F_STATUS);
	s->charge_mos = s->discharge_mos = true;
	set_code(s, "chg_on", true);
	set_code(s, "dsg_on", true);
}

/* members[i * WC_BANK_MAX_SERIES + j] */
static struct wc_bank_member M[WC_BANK_MAX_STRINGS * WC_BANK_MAX_SERIES];
#define AT(i, j) (&M[(i) * WC_BANK_MAX_SERIES + (j)])

/* Discharging at 24.4 A:
 *   string 1: bank1 13.30 V -12.6 A 80 % 80/100 Ah,
 *             bank2 13.20 V -12.4 A 70 % 63/90 Ah
 *   string 2: bank3 13.25 V -12.0 A 78 % 78/100 Ah,
 *             bank4 13.28 V -11.8 A 76 % 76/100 Ah */
static void discharging(void)
{
	memset(M, 0, sizeof(M));
	member(AT(0, 0), 13.30, -12.6, 80, 80, 100, 3.30, 3.34);
	member(AT(0, 1), 13.20, -12.4, 70, 63, 90, 3.28, 3.32);
	member(AT(1, 0), 13.25, -12.0, 78, 78, 100, 3.31, 3.33);
	member(AT(1, 1), 13.28, -11.8, 76, 76, 100, 3.29, 3.41);
}

/* The house bank discharging, its alert state fresh. */
static void alerts_start(struct wc_bank_def *d, struct wc_bank_alerts *st)
{
	house(d);
	memset(st, 0, sizeof(*st));
	discharging();
}

static void test_values_by_hand(void **state)
{
	struct wc_bank_def d;
	struct wc_bank_values v;

	(void)state;
	house(&d);
	discharging();
	wc_bank_compute(&d, M, 100000, &v);
	assert_true(v.complete);
	assert_int_equal(v.members_online, 4);
	assert_int_equal(v.members_total, 4);
	/* series voltages add: 26.50 and 26.53 V, averaged */
	assert_true(v.s[0].complete && v.s[1].complete);
	assert_float_equal(v.s[0].voltage_v, 26.50, EPS);
	assert_float_equal(v.s[1].voltage_v, 26.53, EPS);
	assert_float_equal(v.voltage_v, 26.515, EPS);
	/* a string's current is its members' mean; parallel currents add */
	assert_float_equal(v.s[0].current_a, -12.5, EPS);
	assert_float_equal(v.s[1].current_a, -11.9, EPS);
	assert_float_equal(v.current_a, -24.4, EPS);
	/* 26.50 x -12.5 + 26.53 x -11.9 = -331.25 - 315.707 */
	assert_float_equal(v.power_w, -646.957, 1e-6);
	/* weakest members: bank2 (63 of 90 Ah), bank4 (76 of 100 Ah) */
	assert_float_equal(v.s[0].remaining_ah, 63, EPS);
	assert_float_equal(v.s[0].full_ah, 90, EPS);
	assert_float_equal(v.s[0].soc_pct, 70.0, EPS);
	assert_float_equal(v.s[1].soc_pct, 76.0, EPS);
	assert_float_equal(v.remaining_ah, 139, EPS);
	assert_float_equal(v.full_ah, 190, EPS);
	assert_float_equal(v.soc_pct, 100.0 * 139 / 190, 1e-9); /* 73.158 */
	/* spread: 80 - 70 in string 1, 78 - 76 in string 2 */
	assert_float_equal(v.s[0].soc_spread_pct, 10.0, EPS);
	assert_float_equal(v.s[1].soc_spread_pct, 2.0, EPS);
	assert_float_equal(v.soc_spread_pct, 10.0, EPS);
	/* shares: 12.5 / 24.4 = 51.230 %, 11.9 / 24.4 = 48.770 % */
	assert_true(v.has_share);
	assert_float_equal(v.s[0].share_pct, 100.0 * 12.5 / 24.4, 1e-9);
	assert_float_equal(v.s[1].share_pct, 100.0 * 11.9 / 24.4, 1e-9);
	assert_float_equal(v.share_imbalance_pct, 100.0 * 12.5 / 24.4 - 50,
			   1e-9);
	/* cells over all members */
	assert_true(v.has_cells);
	assert_float_equal(v.cell_min_v, 3.28, EPS);
	assert_float_equal(v.cell_max_v, 3.41, EPS);
}

/* bank2 older than two of its intervals: left out, and what needs it is
 * not computed; a failed poll the same. */
static void test_stale_member_left_out(void **state)
{
	struct wc_bank_def d;
	struct wc_bank_values v;

	(void)state;
	house(&d);
	discharging();
	AT(0, 1)->t_ms = 100000 - 20001;
	wc_bank_compute(&d, M, 100000, &v);
	assert_int_equal(v.members_online, 3);
	assert_false(v.complete);
	assert_false(v.s[0].complete);
	assert_true(v.s[1].complete);
	assert_true(v.has_voltage);
	assert_float_equal(v.voltage_v, 26.53, EPS);
	assert_float_equal(v.soc_spread_pct, 2.0, EPS);
	assert_false(v.has_share);
	assert_true(isnan(v.current_a));
	assert_true(isnan(v.soc_pct));
	/* exactly two intervals old still counts */
	AT(0, 1)->t_ms = 100000 - 20000;
	wc_bank_compute(&d, M, 100000, &v);
	assert_true(v.complete);
	AT(0, 1)->good = false;
	wc_bank_compute(&d, M, 100000, &v);
	assert_int_equal(v.members_online, 3);
	assert_false(v.complete);
}

static void test_quiet_bank_has_no_shares(void **state)
{
	struct wc_bank_def d;
	struct wc_bank_values v;

	(void)state;
	house(&d);
	discharging();
	AT(0, 0)->sample.current_a = AT(0, 1)->sample.current_a = 0.2;
	AT(1, 0)->sample.current_a = AT(1, 1)->sample.current_a = 0.3;
	wc_bank_compute(&d, M, 100000, &v);
	assert_true(v.complete);
	assert_float_equal(v.current_a, 0.5, EPS);
	assert_false(v.has_share);
	assert_false(v.s[0].has_share);
}

/* The rules after a round: every member polled twice, a round (their
 * 10 s interval) apart, with the same readings: a change is reported once
 * it has held that long.  Returns the events of both. */
static uint64_t clock_ms = 100000;

static unsigned evaluate(struct wc_bank_alerts *st,
			 const struct wc_bank_def *d, struct rec *r)
{
	struct wc_bank_values v;

	for (size_t k = 0; k < sizeof(M) / sizeof(M[0]); k++)
		if (M[k].good)
			M[k].t_ms = clock_ms;
	wc_bank_compute(d, M, clock_ms, &v);
	return wc_bank_alerts_update(st, d, M, &v, record, r);
}

static unsigned update(struct wc_bank_alerts *st, const struct wc_bank_def *d,
		       struct rec *r)
{
	unsigned n;

	memset(r, 0, sizeof(*r));
	n = evaluate(st, d, r);
	clock_ms += 10000;
	n += evaluate(st, d, r);
	clock_ms += 10000;
	return n;
}

/* A change that does not last a round is not reported. */
static void test_transient_says_nothing(void **state)
{
	struct wc_bank_def d;
	struct wc_bank_alerts st;
	struct rec r;

	(void)state;
	alerts_start(&d, &st);
	d.soc_spread_warn = 0;
	assert_int_equal(update(&st, &d, &r), 0);
	/* string 2 read 0 A once (polled before a step of the load) */
	AT(1, 0)->sample.current_a = AT(1, 1)->sample.current_a = 0.0;
	memset(&r, 0, sizeof(r));
	assert_int_equal(evaluate(&st, &d, &r), 0);
	clock_ms += 5000;
	discharging();
	assert_int_equal(update(&st, &d, &r), 0);
	assert_false(st.dead[1]);
	assert_false(st.share[1]);
}

static void test_spread_fires_and_clears(void **state)
{
	struct wc_bank_def d;
	struct wc_bank_alerts st;
	struct rec r;

	(void)state;
	alerts_start(&d, &st);
	assert_int_equal(update(&st, &d, &r), 1);
	assert_int_equal(r.ev[0].severity, WC_SEV_WARNING);
	assert_string_equal(r.ev[0].id, "soc_spread");
	assert_string_equal(r.ev[0].message,
			    "house: SoC spread 10.0 % in string 1 exceeds 5.0 %");
	/* still spread: nothing new */
	assert_int_equal(update(&st, &d, &r), 0);
	AT(0, 1)->sample.soc_pct = 77;
	assert_int_equal(update(&st, &d, &r), 1);
	assert_int_equal(r.ev[0].severity, WC_SEV_OKAY);
	assert_string_equal(r.ev[0].message,
			    "house: SoC spread 3.0 % is within 5.0 % again");
}

/* String 2 opens: bank4's discharge MOSFET off on DSG OCP, both members
 * of the string read 0 A, string 1 carries the whole -25.1 A. */
static void test_dead_string_with_cause(void **state)
{
	struct wc_bank_def d;
	struct wc_bank_alerts st;
	struct wc_sample *b4;
	struct rec r;

	(void)state;
	alerts_start(&d, &st);
	d.soc_spread_warn = 0;
	assert_int_equal(update(&st, &d, &r), 0);
	AT(0, 0)->sample.current_a = AT(0, 1)->sample.current_a = -25.1;
	AT(1, 0)->sample.current_a = AT(1, 1)->sample.current_a = 0.0;
	b4 = &AT(1, 1)->sample;
	b4->discharge_mos = false;
	set_code(b4, "dsg_on", false);
	set_code(b4, "dsg_ocp", true);
	assert_int_equal(update(&st, &d, &r), 3);
	/* string 1 carries 100 %, string 2 0 %: both 50 points off */
	assert_string_equal(r.ev[0].id, "share-1");
	assert_int_equal(r.ev[0].severity, WC_SEV_WARNING);
	assert_string_equal(r.ev[1].id, "share-2");
	assert_string_equal(r.ev[1].message,
			    "house: string 2 carries 0.0 % of the bank current "
			    "(0.0 A of -25.1 A), more than 25.0 points from "
			    "the even share 50.0 %");
	assert_string_equal(r.ev[2].id, "string-2");
	assert_int_equal(r.ev[2].severity, WC_SEV_FAILURE);
	assert_string_equal(r.ev[2].message,
			    "house: string 2 carries 0.0 A of -25.1 A: bank4 "
			    "discharge MOSFET off (DSG OCP(A))");
	assert_string_equal(r.ev[2].cls, "bank");
	/* the protection clears, the string carries again: three OKAYs */
	discharging();
	assert_int_equal(update(&st, &d, &r), 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(r.ev[i].severity, WC_SEV_OKAY);
	assert_string_equal(r.ev[2].message,
			    "house: string 2 carries -11.9 A of -24.4 A again");
}

/* A string without current and no MOSFET off: isolated. */
static void test_isolated_string(void **state)
{
	struct wc_bank_def d;
	struct wc_bank_values v;
	struct rec r;

	(void)state;
	house(&d);
	d.soc_spread_warn = d.share_warn = 0;
	discharging();
	AT(0, 0)->sample.current_a = AT(0, 1)->sample.current_a = -25.1;
	AT(1, 0)->sample.current_a = AT(1, 1)->sample.current_a = 0.0;
	/* series members at 0 A with MOSFETs on are not "taking turns":
	 * that is for a single member whose string mates carry on */
	AT(1, 0)->sample.charge_mos = false;
	wc_bank_compute(&d, M, 100000, &v);
	memset(&r, 0, sizeof(r));
	/* bank charging direction is discharge: bank3's charge MOSFET does
	 * not explain it */
	assert_int_equal(wc_bank_alerts_active(&d, M, &v, record, &r), 1);
	assert_string_equal(r.ev[0].message,
			    "house: string 2 carries 0.0 A of -25.1 A: isolated "
			    "(MOSFETs on: check its cables, fuse and breaker)");
}

/* 2P of single batteries near full: one sits at 0 A with its MOSFETs on
 * while the other takes the whole charge. */
static void test_taking_turns(void **state)
{
	struct wc_bank_def d;
	struct wc_bank_alerts st;
	struct rec r;

	(void)state;
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "van");
	d.n_strings = 2;
	d.n_series[0] = d.n_series[1] = 1;
	snprintf(d.member[0][0], WC_BANK_NAME_MAX, "a");
	snprintf(d.member[1][0], WC_BANK_NAME_MAX, "b");
	memset(&st, 0, sizeof(st));
	memset(M, 0, sizeof(M));
	member(AT(0, 0), 14.2, 30.0, 97, 97, 100, 3.54, 3.56);
	member(AT(1, 0), 14.2, 0.0, 99, 99, 100, 3.55, 3.57);
	assert_int_equal(update(&st, &d, &r), 1);
	assert_string_equal(r.ev[0].id, "turns-b");
	assert_int_equal(r.ev[0].severity, WC_SEV_WARNING);
	assert_string_equal(r.ev[0].message,
			    "van: b is taking turns: 0.0 A with its MOSFETs on "
			    "while the bank carries 30.0 A (SoC 99 %)");
	/* its BMS opens the charge MOSFET itself (no protection): still
	 * taking turns, no new event; a protection makes it a failure */
	AT(1, 0)->sample.charge_mos = false;
	set_code(&AT(1, 0)->sample, "chg_on", false);
	assert_int_equal(update(&st, &d, &r), 0);
	set_code(&AT(1, 0)->sample, "cell_ovp", true);
	assert_int_equal(update(&st, &d, &r), 2);
	assert_string_equal(r.ev[0].id, "string-2");
	assert_int_equal(r.ev[0].severity, WC_SEV_FAILURE);
	assert_string_equal(r.ev[0].message,
			    "van: string 2 carries 0.0 A of 30.0 A: b charge "
			    "MOSFET off (Cell OVP(V))");
	assert_string_equal(r.ev[1].id, "turns-b");
	assert_int_equal(r.ev[1].severity, WC_SEV_OKAY);
	set_code(&AT(1, 0)->sample, "cell_ovp", false);
	memset(&st, 0, sizeof(st));
	assert_int_equal(update(&st, &d, &r), 1);
	assert_string_equal(r.ev[0].message,
			    "van: b is taking turns: 0.0 A with its charge "
			    "MOSFET off and no protection while the bank "
			    "carries 30.0 A (SoC 99 %)");
	AT(1, 0)->sample.current_a = 12.0;
	assert_int_equal(update(&st, &d, &r), 1);
	assert_int_equal(r.ev[0].severity, WC_SEV_OKAY);
	assert_string_equal(r.ev[0].message,
			    "van: b is no longer taking turns (12.0 A)");
}

/* Missing members: rules keep their state and say nothing. */
static void test_missing_members_say_nothing(void **state)
{
	struct wc_bank_def d;
	struct wc_bank_alerts st;
	struct rec r;

	(void)state;
	alerts_start(&d, &st);
	assert_int_equal(update(&st, &d, &r), 1); /* the spread */
	AT(0, 0)->good = false;
	AT(1, 0)->good = false;
	assert_int_equal(update(&st, &d, &r), 0);
	assert_true(st.spread);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_by_hand),
		cmocka_unit_test(test_stale_member_left_out),
		cmocka_unit_test(test_quiet_bank_has_no_shares),
		cmocka_unit_test(test_spread_fires_and_clears),
		cmocka_unit_test(test_dead_string_with_cause),
		cmocka_unit_test(test_isolated_string),
		cmocka_unit_test(test_taking_turns),
		cmocka_unit_test(test_missing_members_say_nothing),
		cmocka_unit_test(test_transient_says_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
