/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/events.[ch]: alarm, MOSFET and reachability
 * transitions and the notification texts (collectd-wattcycle(5), NOTIFICATIONS). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "alarms.h"
#include "events.h"
#include "sample.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_EV 64

/* Every event a call emitted, copied. */
struct rec {
	struct wc_event ev[MAX_EV];
	unsigned n;
};

static void record(const struct wc_event *ev, void *user)
{
	struct rec *r = user;

	assert_true(r->n < MAX_EV);
	r->ev[r->n++] = *ev;
}

static const struct wc_alarm *code(const char *id)
{
	const struct wc_alarm *a = wc_alarm_by_id(id);

	assert_non_null(a);
	return a;
}

static void set_code(struct wc_sample *s, const char *id, bool on)
{
	wc_alarm_apply(code(id), &s->regs, on);
}

/* MOSFET state lives twice in a decoded sample (status 3 bits and the
 * bools); keep both in step as the decoder does. */
static void set_mos(struct wc_sample *s, bool chg, bool dsg)
{
	set_code(s, "chg_on", chg);
	set_code(s, "dsg_on", dsg);
	s->charge_mos = chg;
	s->discharge_mos = dsg;
}

/* A 4S battery at rest with both MOSFETs on and no code active. */
static void base_sample(struct wc_sample *s)
{
	static const double cells[] = { 3.301, 3.305, 3.712, 3.290 };

	memset(s, 0, sizeof(*s));
	s->n_cells = 4;
	memcpy(s->cell_v, cells, sizeof(cells));
	wc_set(s, WC_F_CELLS);
	s->temp_mos_c = 85.0;
	wc_set(s, WC_F_TEMP_MOS);
	s->temp_env_c = -12.0;
	wc_set(s, WC_F_TEMP_ENV);
	s->n_probes = 2;
	s->probe_c[0] = 24.5;
	s->probe_c[1] = 55.0;
	wc_set(s, WC_F_PROBES);
	s->current_a = -152.3;
	wc_set(s, WC_F_CURRENT);
	s->voltage_v = 10.2;
	wc_set(s, WC_F_VOLTAGE);
	s->regs.n_cells = 4;
	s->regs.n_temps = 4;
	wc_set(s, WC_F_STATUS);
	set_mos(s, true, true);
}

static const struct rec *poll_ok(struct wc_events *st,
				 const struct wc_sample *s)
{
	static struct rec r;
	unsigned n;

	memset(&r, 0, sizeof(r));
	n = wc_events_poll_ok(st, s, record, &r);
	assert_int_equal(n, r.n);
	return &r;
}

static const struct rec *poll_failed(struct wc_events *st, const char *err)
{
	static struct rec r;
	unsigned n;

	memset(&r, 0, sizeof(r));
	n = wc_events_poll_failed(st, err, record, &r);
	assert_int_equal(n, r.n);
	return &r;
}

/* Whether s is well-formed UTF-8 (no cut sequence). */
static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned extra;

		if (*p < 0x80)
			extra = 0;
		else if ((*p & 0xE0) == 0xC0)
			extra = 1;
		else if ((*p & 0xF0) == 0xE0)
			extra = 2;
		else if ((*p & 0xF8) == 0xF0)
			extra = 3;
		else
			return false;
		p++;
		for (unsigned i = 0; i < extra; i++, p++)
			if ((*p & 0xC0) != 0x80)
				return false;
	}
	return true;
}

static void test_first_poll_quiet(void **state)
{
	struct wc_events st;
	struct wc_sample s;

	(void)state;
	wc_events_init(&st, "house1", 3);
	base_sample(&s);
	assert_int_equal(poll_ok(&st, &s)->n, 0);
	/* and no OKAY later for codes that were never active */
	assert_int_equal(poll_ok(&st, &s)->n, 0);
}

/* The example, exactly, with the MOSFET warning beside it. */
static void test_dsg_ocp_example(void **state)
{
	struct wc_events st;
	struct wc_sample s;
	const struct rec *r;

	(void)state;
	wc_events_init(&st, "house1", 3);
	base_sample(&s);
	assert_int_equal(poll_ok(&st, &s)->n, 0);

	set_code(&s, "dsg_ocp", true);
	set_mos(&s, true, false);
	r = poll_ok(&st, &s);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->ev[0].severity, WC_SEV_FAILURE);
	assert_string_equal(r->ev[0].id, "dsg_ocp");
	assert_string_equal(r->ev[0].cls, "protection");
	assert_string_equal(r->ev[0].reg, "status1");
	assert_ptr_equal(r->ev[0].alarm, code("dsg_ocp"));
	assert_string_equal(r->ev[0].message,
			    "house1: DSG OCP(A) \xE2\x80\x94 Over-current during "
			    "discharging (protection dsg_ocp; current -152.3 A; "
			    "discharge MOSFET off)");
	assert_int_equal(r->ev[1].severity, WC_SEV_WARNING);
	assert_string_equal(r->ev[1].id, "dsg_on");
	assert_string_equal(r->ev[1].cls, "state");
	assert_string_equal(r->ev[1].reg, "status3");
	assert_string_equal(r->ev[1].message,
			    "house1: discharge MOSFET off (active: DSG OCP(A))");

	/* still active: nothing new */
	assert_int_equal(poll_ok(&st, &s)->n, 0);
	assert_int_equal(poll_ok(&st, &s)->n, 0);

	/* cleared: one OKAY each */
	set_code(&s, "dsg_ocp", false);
	set_mos(&s, true, true);
	s.current_a = -1.5;
	r = poll_ok(&st, &s);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->ev[0].severity, WC_SEV_OKAY);
	assert_string_equal(r->ev[0].id, "dsg_ocp");
	assert_string_equal(r->ev[0].message,
			    "house1: DSG OCP(A) cleared \xE2\x80\x94 Over-current "
			    "during discharging (protection dsg_ocp; current "
			    "-1.5 A; discharge MOSFET on)");
	assert_int_equal(r->ev[1].severity, WC_SEV_OKAY);
	assert_string_equal(r->ev[1].id, "dsg_on");
	assert_string_equal(r->ev[1].message,
			    "house1: discharge MOSFET on again");
	assert_int_equal(poll_ok(&st, &s)->n, 0);
}

/* Every code of the table on its own: severity by class, meta from the
 * table, message naming battery, code name and meaning, class and id and a
 * reading, uncut; then OKAY. */
static void test_every_code(void **state)
{
	(void)state;
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];
		struct wc_events st;
		struct wc_sample s;
		const struct rec *r;
		char head[WC_EVENT_MSG_MAX];
		enum wc_severity want;

		if (a->cls == WC_CLASS_STATE)
			continue;
		want = a->cls == WC_CLASS_ALARM ? WC_SEV_WARNING
						: WC_SEV_FAILURE;
		wc_events_init(&st, "b", 2);
		base_sample(&s);
		assert_int_equal(poll_ok(&st, &s)->n, 0);
		wc_alarm_apply(a, &s.regs, true);
		r = poll_ok(&st, &s);
		if (r->n != 1)
			fail_msg("code %zu (%s): %u events", i, a->id, r->n);
		assert_int_equal(r->ev[0].severity, want);
		assert_string_equal(r->ev[0].id, a->id);
		assert_string_equal(r->ev[0].cls, wc_alarm_class_name(a->cls));
		assert_string_equal(r->ev[0].reg, wc_alarm_reg_name(a->reg));
		/* class and id first (a central consumer gets no meta), then
		 * at least one reading or MOSFET state */
		snprintf(head, sizeof(head), "b: %s \xE2\x80\x94 %s (%s %s; ",
			 a->name, a->meaning, wc_alarm_class_name(a->cls), a->id);
		if (strncmp(r->ev[0].message, head, strlen(head)) != 0)
			fail_msg("code %s: message \"%s\" does not start \"%s\"",
				 a->id, r->ev[0].message, head);
		assert_true(r->ev[0].message[strlen(r->ev[0].message) - 1] ==
			    ')');
		assert_int_equal(poll_ok(&st, &s)->n, 0);

		wc_alarm_apply(a, &s.regs, false);
		r = poll_ok(&st, &s);
		assert_int_equal(r->n, 1);
		assert_int_equal(r->ev[0].severity, WC_SEV_OKAY);
		assert_string_equal(r->ev[0].id, a->id);
		snprintf(head, sizeof(head), "b: %s cleared \xE2\x80\x94 %s",
			 a->name, a->meaning);
		assert_true(strncmp(r->ev[0].message, head, strlen(head)) == 0);
	}
}

/* The reading that matters, per code family. */
static void test_readings(void **state)
{
	static const struct {
		const char *id;
		const char *tail; /* the message after "x: <name> — <meaning>" */
	} cases[] = {
		{ "cell_ovp", " (cell max 3.712 V at cell 3; charge MOSFET on, "
			      "discharge MOSFET on)" },
		{ "cell_uv_alarm", " (cell min 3.290 V at cell 4; charge "
				   "MOSFET on, discharge MOSFET on)" },
		{ "cells_fault", " (cell min 3.290 V at cell 4, max 3.712 V at "
				 "cell 3; charge MOSFET on, discharge MOSFET "
				 "on)" },
		{ "pack_uvp", " (pack 10.20 V; charge MOSFET on, discharge "
			      "MOSFET on)" },
		{ "high_chg_volt", " (pack 10.20 V; charge MOSFET on)" },
		{ "chg_ocp", " (current -152.3 A; charge MOSFET on)" },
		{ "hw_protect", " (current -152.3 A; charge MOSFET on, "
				"discharge MOSFET on)" },
		{ "mos_otp", " (MOS 85.0 \xC2\xB0" "C; charge MOSFET on, "
			     "discharge MOSFET on)" },
		{ "mos_ot_alarm", " (MOS 85.0 \xC2\xB0" "C; charge MOSFET on, "
				  "discharge MOSFET on)" },
		{ "env_utp", " (env -12.0 \xC2\xB0" "C; charge MOSFET on, "
			     "discharge MOSFET on)" },
		{ "chg_otp", " (cell temperature max 55.0 \xC2\xB0" "C; charge "
			     "MOSFET on)" },
		{ "dsg_ut_alarm", " (cell temperature min 24.5 \xC2\xB0" "C; "
				  "discharge MOSFET on)" },
		{ "temp_fault", " (MOS 85.0 \xC2\xB0" "C; env -12.0 \xC2\xB0" "C; "
				"cell temperature 24.5 to 55.0 \xC2\xB0" "C; "
				"charge MOSFET on, discharge MOSFET on)" },
		{ "dsg_mos_fault", " (discharge MOSFET on)" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct wc_alarm *a = code(cases[i].id);
		struct wc_events st;
		struct wc_sample s;
		const struct rec *r;
		char want[WC_EVENT_MSG_MAX];

		wc_events_init(&st, "x", 3);
		base_sample(&s);
		wc_alarm_apply(a, &s.regs, true);
		r = poll_ok(&st, &s); /* active at the first poll */
		assert_int_equal(r->n, 1);
		snprintf(want, sizeof(want), "x: %s \xE2\x80\x94 %s (%s %s; %s",
			 a->name, a->meaning, wc_alarm_class_name(a->cls),
			 a->id, cases[i].tail + 2);
		if (strcmp(r->ev[0].message, want) != 0)
			fail_msg("case %zu (%s):\n got  \"%s\"\n want \"%s\"", i,
				 cases[i].id, r->ev[0].message, want);
	}
}

/* A reading the battery did not report is left out, never invented. */
static void test_absent_reading(void **state)
{
	struct wc_events st;
	struct wc_sample s;
	const struct rec *r;

	(void)state;
	wc_events_init(&st, "x", 3);
	base_sample(&s);
	s.present &= ~(1u << WC_F_CURRENT);
	set_code(&s, "chg_ocp", true);
	r = poll_ok(&st, &s);
	assert_int_equal(r->n, 1);
	assert_string_equal(r->ev[0].message,
			    "x: CHG OCP(A) \xE2\x80\x94 Over-current during "
			    "charging (protection chg_ocp; charge MOSFET on)");
}

/* Codes and MOSFET-off already there at the first poll: reported once. */
static void test_active_at_first_poll(void **state)
{
	struct wc_events st;
	struct wc_sample s;
	const struct rec *r;

	(void)state;
	wc_events_init(&st, "house1", 3);
	base_sample(&s);
	set_code(&s, "pack_uvp", true);
	set_code(&s, "cell_uv_alarm", true);
	set_code(&s, "cells_fault", true);
	set_mos(&s, true, false);
	r = poll_ok(&st, &s);
	assert_int_equal(r->n, 4);
	/* table order: alarms of warning 2 first, then status 1 … */
	assert_string_equal(r->ev[0].id, "pack_uvp");
	assert_int_equal(r->ev[0].severity, WC_SEV_FAILURE);
	assert_string_equal(r->ev[1].id, "cells_fault");
	assert_int_equal(r->ev[1].severity, WC_SEV_FAILURE);
	assert_string_equal(r->ev[2].id, "cell_uv_alarm");
	assert_int_equal(r->ev[2].severity, WC_SEV_WARNING);
	assert_string_equal(r->ev[3].id, "dsg_on");
	assert_int_equal(r->ev[3].severity, WC_SEV_WARNING);
	assert_string_equal(r->ev[3].message,
			    "house1: discharge MOSFET off (active: Pack UVP(V), "
			    "Cells fault)");
	assert_int_equal(poll_ok(&st, &s)->n, 0);
}

static void test_mosfet_off_without_protection(void **state)
{
	struct wc_events st;
	struct wc_sample s;
	const struct rec *r;

	(void)state;
	wc_events_init(&st, "house1", 3);
	base_sample(&s);
	assert_int_equal(poll_ok(&st, &s)->n, 0);
	set_mos(&s, false, true);
	set_code(&s, "chg_ot_alarm", true); /* an alarm is not a reason */
	r = poll_ok(&st, &s);
	assert_int_equal(r->n, 2);
	assert_string_equal(r->ev[0].id, "chg_ot_alarm");
	assert_string_equal(r->ev[1].id, "chg_on");
	assert_int_equal(r->ev[1].severity, WC_SEV_WARNING);
	assert_string_equal(r->ev[1].message,
			    "house1: charge MOSFET off (no protection or fault "
			    "active)");
	set_mos(&s, true, true);
	r = poll_ok(&st, &s);
	assert_int_equal(r->n, 1);
	assert_string_equal(r->ev[0].id, "chg_on");
	assert_int_equal(r->ev[0].severity, WC_SEV_OKAY);
	assert_string_equal(r->ev[0].message, "house1: charge MOSFET on again");
}

static void test_offline_online(void **state)
{
	struct wc_events st;
	struct wc_sample s;
	const struct rec *r;

	(void)state;
	wc_events_init(&st, "house1", 3);
	base_sample(&s);
	assert_int_equal(poll_ok(&st, &s)->n, 0);

	assert_int_equal(poll_failed(&st, "connect: timed out")->n, 0);
	assert_int_equal(poll_failed(&st, "connect: timed out")->n, 0);
	r = poll_failed(&st, "connect: connection refused");
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].severity, WC_SEV_FAILURE);
	assert_string_equal(r->ev[0].id, "online");
	assert_string_equal(r->ev[0].cls, "link");
	assert_null(r->ev[0].reg);
	assert_null(r->ev[0].alarm);
	assert_string_equal(r->ev[0].message,
			    "house1: unreachable for 3 polls (last error: "
			    "connect: connection refused)");
	/* exactly once */
	assert_int_equal(poll_failed(&st, "x")->n, 0);
	assert_int_equal(poll_failed(&st, "x")->n, 0);

	r = poll_ok(&st, &s);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].severity, WC_SEV_OKAY);
	assert_string_equal(r->ev[0].id, "online");
	assert_string_equal(r->ev[0].message,
			    "house1: reachable again after 5 failed polls");
	assert_int_equal(poll_ok(&st, &s)->n, 0);

	/* the count starts again; fewer than OfflineAfter say nothing, and
	 * a good poll after them no OKAY either */
	assert_int_equal(poll_failed(&st, "x")->n, 0);
	assert_int_equal(poll_failed(&st, "x")->n, 0);
	assert_int_equal(poll_ok(&st, &s)->n, 0);
	assert_int_equal(poll_failed(&st, "x")->n, 0);
	assert_int_equal(poll_failed(&st, "x")->n, 0);
	assert_int_equal(poll_failed(&st, NULL)->n, 1);
}

static void test_offline_after_one(void **state)
{
	struct wc_events st;
	const struct rec *r;

	(void)state;
	wc_events_init(&st, "b", 1);
	r = poll_failed(&st, NULL); /* even before any good poll */
	assert_int_equal(r->n, 1);
	assert_string_equal(r->ev[0].message,
			    "b: unreachable for 1 poll (last error: unknown)");
	r = poll_ok(&st, NULL);
	assert_int_equal(r->n, 1);
	assert_string_equal(r->ev[0].message,
			    "b: reachable again after 1 failed poll");
	wc_events_init(&st, "b", 0); /* 0 counts as 1 */
	assert_int_equal(poll_failed(&st, "e")->n, 1);
}

/* Codes survive an outage: what cleared meanwhile gives OKAY after it,
 * and the OKAY for "online" comes first. */
static void test_codes_across_outage(void **state)
{
	struct wc_events st;
	struct wc_sample s;
	const struct rec *r;

	(void)state;
	wc_events_init(&st, "b", 2);
	base_sample(&s);
	set_code(&s, "chg_otp", true);
	assert_int_equal(poll_ok(&st, &s)->n, 1);
	assert_int_equal(poll_failed(&st, "e")->n, 0);
	assert_int_equal(poll_failed(&st, "e")->n, 1);
	set_code(&s, "chg_otp", false);
	r = poll_ok(&st, &s);
	assert_int_equal(r->n, 2);
	assert_string_equal(r->ev[0].id, "online");
	assert_string_equal(r->ev[1].id, "chg_otp");
	assert_int_equal(r->ev[1].severity, WC_SEV_OKAY);
}

/* A good poll without 0x8D status neither clears nor raises anything. */
static void test_poll_without_status(void **state)
{
	struct wc_events st;
	struct wc_sample s, bare;

	(void)state;
	wc_events_init(&st, "b", 3);
	base_sample(&s);
	set_code(&s, "pack_ovp", true);
	assert_int_equal(poll_ok(&st, &s)->n, 1);
	bare = s;
	bare.present &= ~(1u << WC_F_STATUS);
	memset(&bare.regs, 0, sizeof(bare.regs));
	assert_int_equal(poll_ok(&st, &bare)->n, 0);
	assert_int_equal(poll_ok(&st, &s)->n, 0); /* still the same code */
	/* nothing at all before the first status either */
	wc_events_init(&st, "b", 3);
	assert_int_equal(poll_ok(&st, &bare)->n, 0);
	assert_int_equal(poll_ok(&st, &s)->n, 1);
}

/* The worst case fits NOTIF_MAX_MSG_LEN and is cut on a character
 * boundary: the longest name, every protection and fault active, and an
 * error text full of multi-byte characters. */
static void test_message_bound(void **state)
{
	char name[WC_EVENT_NAME_MAX];
	char err[600];
	struct wc_events st;
	struct wc_sample s;
	const struct rec *r;
	size_t i;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	wc_events_init(&st, name, 1);
	assert_int_equal(strlen(st.name), WC_EVENT_NAME_MAX - 1);
	base_sample(&s);
	assert_int_equal(poll_ok(&st, &s)->n, 0);
	for (i = 0; i < wc_alarm_count; i++)
		if (wc_alarms[i].cls != WC_CLASS_STATE)
			wc_alarm_apply(&wc_alarms[i], &s.regs, true);
	set_mos(&s, false, false);
	r = poll_ok(&st, &s);
	assert_true(r->n > 30);
	for (i = 0; i < r->n; i++) {
		assert_true(strlen(r->ev[i].message) < WC_EVENT_MSG_MAX);
		assert_true(utf8_valid(r->ev[i].message));
	}
	/* the MOSFET lists are far too long: cut, marked with "…" */
	assert_string_equal(r->ev[r->n - 1].id, "dsg_on");
	assert_true(strlen(r->ev[r->n - 1].message) >= WC_EVENT_MSG_MAX - 4);
	assert_non_null(strstr(r->ev[r->n - 1].message, "\xE2\x80\xA6"));

	/* "é" is 2 bytes: at every alignment the cut stays valid */
	for (size_t shift = 0; shift < 3; shift++) {
		size_t len = 0;

		for (i = 0; i < shift; i++)
			err[len++] = 'x';
		while (len + 2 < sizeof(err)) {
			err[len++] = (char)0xC3;
			err[len++] = (char)0xA9;
		}
		err[len] = '\0';
		wc_events_init(&st, "b", 1);
		r = poll_failed(&st, err);
		assert_int_equal(r->n, 1);
		assert_true(strlen(r->ev[0].message) < WC_EVENT_MSG_MAX);
		assert_true(strlen(r->ev[0].message) >= WC_EVENT_MSG_MAX - 3);
		assert_true(utf8_valid(r->ev[0].message));
	}
}

static void test_utf8_copy(void **state)
{
	char buf[8];

	(void)state;
	assert_true(wc_utf8_copy(buf, sizeof(buf), "abc"));
	assert_string_equal(buf, "abc");
	assert_true(wc_utf8_copy(buf, sizeof(buf), "1234567"));
	assert_string_equal(buf, "1234567");
	/* 8 bytes do not fit in 8: 4 bytes + "…" */
	assert_false(wc_utf8_copy(buf, sizeof(buf), "12345678"));
	assert_string_equal(buf, "1234\xE2\x80\xA6");
	/* "°" at bytes 3-4 would be split at 4: dropped whole */
	assert_false(wc_utf8_copy(buf, sizeof(buf), "123\xC2\xB0" "5678"));
	assert_string_equal(buf, "123\xE2\x80\xA6");
	assert_false(wc_utf8_copy(buf, 3, "abcdef"));
	assert_string_equal(buf, "ab");
	assert_false(wc_utf8_copy(buf, 0, "abcdef"));
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_string_equal(wc_severity_name(WC_SEV_FAILURE), "FAILURE");
	assert_string_equal(wc_severity_name(WC_SEV_WARNING), "WARNING");
	assert_string_equal(wc_severity_name(WC_SEV_OKAY), "OKAY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_poll_quiet),
		cmocka_unit_test(test_dsg_ocp_example),
		cmocka_unit_test(test_every_code),
		cmocka_unit_test(test_readings),
		cmocka_unit_test(test_absent_reading),
		cmocka_unit_test(test_active_at_first_poll),
		cmocka_unit_test(test_mosfet_off_without_protection),
		cmocka_unit_test(test_offline_online),
		cmocka_unit_test(test_offline_after_one),
		cmocka_unit_test(test_codes_across_outage),
		cmocka_unit_test(test_poll_without_status),
		cmocka_unit_test(test_message_bound),
		cmocka_unit_test(test_utf8_copy),
		cmocka_unit_test(test_severity_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
