/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/alarms.[ch]: the alarm-code table against
 * doc/PROTOCOL.md §6.2.1-§6.2.2, bit by bit, both on struct wc_status_regs and
 * end to end through an encoded 0x8D frame. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "alarms.h"
#include "watt.h"
#include "watt_vectors.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* the six 0x8D registers, then the JBD-only byte (no 0x8D offset) */
#define NREGS 7
#define NREGS_8D 6

/* The expected table, written from doc/PROTOCOL.md §6.2.1 independently of
 * plugin/alarms.c: id, the app's name, class, register, bit. */
struct expect {
	const char *id;
	const char *name;
	enum wc_alarm_class cls;
	enum wc_alarm_reg reg;
	unsigned bit;
};

#define P WC_CLASS_PROTECTION
#define A WC_CLASS_ALARM
#define F WC_CLASS_FAULT
#define S WC_CLASS_STATE

static const struct expect expected[] = {
	{ "chg_ot_alarm", "CHG OT Alarm", A, WC_REG_WARNING2, 0 },
	{ "dsg_ot_alarm", "DSG OT Alarm", A, WC_REG_WARNING2, 1 },
	{ "chg_ut_alarm", "CHG UT Alarm", A, WC_REG_WARNING2, 2 },
	{ "dsg_ut_alarm", "DSG UT Alarm", A, WC_REG_WARNING2, 3 },
	{ "env_ot_alarm", "ENV OT Alarm", A, WC_REG_WARNING2, 4 },
	{ "env_ut_alarm", "ENV UT Alarm", A, WC_REG_WARNING2, 5 },
	{ "mos_ot_alarm", "MOS OT Alarm", A, WC_REG_WARNING2, 6 },
	{ "cell_ovp", "Cell OVP(V)", P, WC_REG_STATUS1, 0 },
	{ "cell_uvp", "Cell UVP Alarm(V)", P, WC_REG_STATUS1, 1 },
	{ "pack_ovp", "Pack OVP(V)", P, WC_REG_STATUS1, 2 },
	{ "pack_uvp", "Pack UVP(V)", P, WC_REG_STATUS1, 3 },
	{ "chg_ocp", "CHG OCP(A)", P, WC_REG_STATUS1, 4 },
	{ "dsg_ocp", "DSG OCP(A)", P, WC_REG_STATUS1, 5 },
	{ "hw_protect", "Hardware protect", P, WC_REG_STATUS1, 6 },
	{ "high_chg_volt", "High CHG volt", P, WC_REG_STATUS1, 7 },
	{ "chg_otp", "CHG OTP(°C)", P, WC_REG_STATUS2, 0 },
	{ "dsg_otp", "DSG OTP(°C)", P, WC_REG_STATUS2, 1 },
	{ "chg_utp", "CHG UTP(°C)", P, WC_REG_STATUS2, 2 },
	{ "dsg_utp", "DSG UTP(°C)", P, WC_REG_STATUS2, 3 },
	{ "mos_otp", "MOS OTP(°C)", P, WC_REG_STATUS2, 4 },
	{ "env_otp", "ENV OTP(°C)", P, WC_REG_STATUS2, 5 },
	{ "env_utp", "ENV UTP(°C)", P, WC_REG_STATUS2, 6 },
	{ "chg_on", "CHG ON", S, WC_REG_STATUS3, 1 },
	{ "dsg_on", "DSG ON", S, WC_REG_STATUS3, 2 },
	{ "chg_mos_fault", "CHG MOS Fault", F, WC_REG_STATUS5, 1 },
	{ "dsg_mos_fault", "DSG MOS Fault", F, WC_REG_STATUS5, 2 },
	{ "temp_fault", "Temp fault", F, WC_REG_STATUS5, 3 },
	{ "cells_fault", "Cells fault", F, WC_REG_STATUS5, 0 },
	{ "cell_ov_alarm", "Cell OV Alarm", A, WC_REG_WARNING1, 0 },
	{ "cell_uv_alarm", "Cell UV Alarm", A, WC_REG_WARNING1, 1 },
	{ "pack_ov_alarm", "Pack OV Alarm", A, WC_REG_WARNING1, 2 },
	{ "pack_uv_alarm", "Pack UV Alarm", A, WC_REG_WARNING1, 3 },
	{ "chg_oc_alarm", "CHG OC Alarm", A, WC_REG_WARNING1, 4 },
	{ "dsg_oc_alarm", "DSG OC Alarm", A, WC_REG_WARNING1, 5 },
	{ "hw_protect_alarm", "Hardware protect Alarm", A, WC_REG_WARNING1, 6 },
	/* Not in the app's guide (no app text): qume's "charge voltage
	 * high"; only id, class and bit are fixed (doc/PROTOCOL.md §6.2.1). */
	{ "high_chg_volt_alarm", NULL, A, WC_REG_WARNING1, 7 },
	/* JBD family only: protection word bits 10-12 of the JBD basic
	 * info, which no 0x8D register carries. */
	{ "short_circuit", "Short circuit", P, WC_REG_JBD, 0 },
	{ "afe_error", "Front-end IC error", F, WC_REG_JBD, 1 },
	{ "mos_sw_lock", "MOS software lock", P, WC_REG_JBD, 2 },
};

#undef P
#undef A
#undef F
#undef S

/* Register facts from doc/PROTOCOL.md §6.2, again written independently. */
static const struct {
	enum wc_alarm_reg reg;
	const char *name;
	unsigned offset; /* from S = 2 + N + M */
	size_t field;    /* in struct wc_status_regs */
} regs[NREGS] = {
	{ WC_REG_STATUS1, "status1", 4, offsetof(struct wc_status_regs, status1) },
	{ WC_REG_STATUS2, "status2", 5, offsetof(struct wc_status_regs, status2) },
	{ WC_REG_STATUS3, "status3", 6, offsetof(struct wc_status_regs, status3) },
	{ WC_REG_STATUS5, "status5", 8, offsetof(struct wc_status_regs, status5) },
	{ WC_REG_WARNING1, "warning1", 11, offsetof(struct wc_status_regs, warning1) },
	{ WC_REG_WARNING2, "warning2", 12, offsetof(struct wc_status_regs, warning2) },
	{ WC_REG_JBD, "jbd", 0, offsetof(struct wc_status_regs, jbd) },
};

/* The expected code at a register bit, or NULL for the 12 unused bits:
 * status2 bit 7, warning2 bit 7, status5 bits 4-7, status3 bits 0, 3-7. */
static const struct expect *expected_at(enum wc_alarm_reg reg, unsigned bit)
{
	for (size_t i = 0; i < ARRAY_LEN(expected); i++)
		if (expected[i].reg == reg && expected[i].bit == bit)
			return &expected[i];
	return NULL;
}

static int unused_bit(enum wc_alarm_reg reg, unsigned bit)
{
	switch (reg) {
	case WC_REG_STATUS2:
	case WC_REG_WARNING2:
		return bit == 7;
	case WC_REG_STATUS5:
		return bit >= 4;
	case WC_REG_STATUS3:
		return bit == 0 || bit >= 3;
	case WC_REG_JBD:
		return bit >= 3;
	case WC_REG_STATUS1:
	case WC_REG_WARNING1:
		return 0;
	}
	return 0;
}

static void set_reg_byte(struct wc_status_regs *r, size_t reg_index,
			 uint8_t v)
{
	((uint8_t *)r)[regs[reg_index].field] = v;
}

/* The ids of active codes, for a failure message. */
static void active_ids(const struct wc_status_regs *r, char *out, size_t cap)
{
	size_t k = 0;

	out[0] = '\0';
	for (size_t i = 0; i < wc_alarm_count && k < cap; i++)
		if (wc_alarm_active(&wc_alarms[i], r))
			k += (size_t)snprintf(out + k, cap - k, " %s",
					      wc_alarms[i].id);
}

/* Exactly the one expected code (or none) is active. */
static void check_only(const char *ctx, const struct wc_status_regs *r,
		       const struct expect *want)
{
	size_t hits = 0;
	int found = 0;
	char ids[512];

	for (size_t i = 0; i < wc_alarm_count; i++) {
		if (!wc_alarm_active(&wc_alarms[i], r))
			continue;
		hits++;
		if (want && strcmp(wc_alarms[i].id, want->id) == 0)
			found = 1;
	}
	if (hits != (want ? 1u : 0u) || (want && !found)) {
		active_ids(r, ids, sizeof(ids));
		fail_msg("%s: want %s, active:%s", ctx,
			 want ? want->id : "(none)", ids);
	}
}

/* ---- the table --------------------------------------------------------- */

static void test_table_matches_spec(void **state)
{
	(void)state;
	assert_int_equal(ARRAY_LEN(expected), 39);
	assert_int_equal(wc_alarm_count, 39);
	for (size_t i = 0; i < ARRAY_LEN(expected); i++) {
		const struct expect *e = &expected[i];
		const struct wc_alarm *a = wc_alarm_by_id(e->id);

		if (!a)
			fail_msg("id %s missing from wc_alarms", e->id);
		if (e->name)
			assert_string_equal(a->name, e->name);
		else
			assert_true(a->name && a->name[0]);
		assert_non_null(a->meaning);
		assert_true(a->meaning[0] != '\0');
		if (a->cls != e->cls || a->reg != e->reg || a->bit != e->bit)
			fail_msg("%s: class %s reg %s bit %u, want %s %s %u",
				 e->id, wc_alarm_class_name(a->cls),
				 wc_alarm_reg_name(a->reg), a->bit,
				 wc_alarm_class_name(e->cls),
				 wc_alarm_reg_name(e->reg), e->bit);
	}
	/* and nothing else: every entry is an expected one */
	for (size_t i = 0; i < wc_alarm_count; i++) {
		int known = 0;

		for (size_t k = 0; k < ARRAY_LEN(expected); k++)
			known |= strcmp(wc_alarms[i].id, expected[k].id) == 0;
		if (!known)
			fail_msg("unexpected id %s", wc_alarms[i].id);
	}
}

static void test_table_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];

		assert_true(a->bit < 8);
		for (size_t k = i + 1; k < wc_alarm_count; k++) {
			const struct wc_alarm *b = &wc_alarms[k];

			if (strcmp(a->id, b->id) == 0)
				fail_msg("id %s twice", a->id);
			if (strcmp(a->name, b->name) == 0)
				fail_msg("name %s twice", a->name);
			if (a->reg == b->reg && a->bit == b->bit)
				fail_msg("%s and %s share %s bit %u", a->id,
					 b->id, wc_alarm_reg_name(a->reg),
					 a->bit);
		}
	}
}

/* Ids go into collectd type instances and JSON keys. */
static void test_table_id_charset(void **state)
{
	(void)state;
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const char *id = wc_alarms[i].id;

		assert_true(id[0] >= 'a' && id[0] <= 'z');
		for (const char *p = id; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') ||
			      (*p >= '0' && *p <= '9') || *p == '_'))
				fail_msg("id %s: bad character '%c'", id, *p);
	}
}

/* ---- every bit of every register --------------------------------------- */

static void test_each_bit_regs(void **state)
{
	size_t unused = 0;
	char ctx[64];

	(void)state;
	for (size_t r = 0; r < NREGS; r++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			const struct expect *want = expected_at(regs[r].reg, bit);
			struct wc_status_regs st;

			snprintf(ctx, sizeof(ctx), "%s bit %u", regs[r].name,
				 bit);
			if ((want == NULL) != unused_bit(regs[r].reg, bit))
				fail_msg("%s: test tables disagree", ctx);
			unused += want == NULL;
			memset(&st, 0, sizeof(st));
			set_reg_byte(&st, r, (uint8_t)(1u << bit));
			check_only(ctx, &st, want);
			/* All other bits of all registers set: only the
			 * chosen one is off. */
			memset(&st, 0, sizeof(st));
			for (size_t q = 0; q < NREGS; q++)
				set_reg_byte(&st, q, 0xFF);
			set_reg_byte(&st, r, (uint8_t)~(1u << bit));
			if (want &&
			    wc_alarm_active(wc_alarm_by_id(want->id), &st))
				fail_msg("%s: active with its bit clear", ctx);
		}
	}
	assert_int_equal(unused, 12 + 5); /* + jbd bits 3-7 */
}

/* Bytes of 0x8D that carry no code never raise one. */
static void test_other_bytes_inert(void **state)
{
	struct wc_status_regs st;

	(void)state;
	memset(&st, 0xFF, sizeof(st));
	for (size_t q = 0; q < NREGS; q++)
		set_reg_byte(&st, q, 0);
	check_only("status4, reserved, states all 0xFF", &st, NULL);
}

/* S+0..S+12, built like a battery would and decoded by watt_decode. */
static size_t frame_with_bit(uint8_t *out, size_t cap, uint8_t n, uint8_t m,
			     unsigned offset, unsigned bit)
{
	uint8_t data[128];
	size_t k = 0;

	data[k++] = n;
	memset(data + k, 0, n);
	k += n;
	data[k++] = m;
	memset(data + k, 0, m);
	k += m;
	memset(data + k, 0, 13 + (size_t)(n + 7) / 8);
	data[k + offset] = (uint8_t)(1u << bit);
	k += 13 + (size_t)(n + 7) / 8;
	return watt_build_frame(out, cap, WATT_HEAD_7E, 0x00, WATT_ADDRESS,
				WATT_FN_READ, WATT_DP_STATUS, data, k);
}

static void test_each_bit_end_to_end(void **state)
{
	static const uint8_t shapes[][2] = { { 4, 4 }, { 16, 6 }, { 32, 32 } };
	uint8_t buf[256];
	char ctx[64];

	(void)state;
	for (size_t sh = 0; sh < ARRAY_LEN(shapes); sh++) {
		for (size_t r = 0; r < NREGS_8D; r++) {
			for (unsigned bit = 0; bit < 8; bit++) {
				const struct expect *want =
					expected_at(regs[r].reg, bit);
				struct wc_sample s;
				struct wc_diag d;
				size_t len = frame_with_bit(
					buf, sizeof(buf), shapes[sh][0],
					shapes[sh][1], regs[r].offset, bit);
				enum wc_err e;

				snprintf(ctx, sizeof(ctx), "%uS/%uT %s bit %u",
					 shapes[sh][0], shapes[sh][1],
					 regs[r].name, bit);
				if (len == 0)
					fail_msg("%s: build failed", ctx);
				memset(&s, 0, sizeof(s));
				e = watt_decode(buf, len, &s, NULL, &d);
				if (e != WC_OK)
					fail_msg("%s: decode: %s", ctx,
						 wc_strerror(e));
				check_only(ctx, &s.regs, want);
			}
		}
	}
}

/* The captures: at rest and discharging, only CHG ON and DSG ON. */
static void test_vectors_active(void **state)
{
	static const enum wv_resp v[] = { WV_EF2F_8D, WV_49A1_8D,
					  WV_TDT16_8D };
	uint8_t buf[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		struct wc_sample s;
		size_t n = wv_hex(wv_resp[v[i]].hex, buf, sizeof(buf));
		size_t hits = 0;

		memset(&s, 0, sizeof(s));
		assert_int_equal(watt_decode(buf, n, &s, NULL, NULL), WC_OK);
		for (size_t k = 0; k < wc_alarm_count; k++) {
			const struct wc_alarm *a = &wc_alarms[k];

			if (!wc_alarm_active(a, &s.regs))
				continue;
			hits++;
			if (strcmp(a->id, "chg_on") && strcmp(a->id, "dsg_on"))
				fail_msg("%s: %s active", wv_resp[v[i]].name,
					 a->id);
		}
		assert_int_equal(hits, 2);
	}
}

/* ---- lookups and helpers ----------------------------------------------- */

static void test_by_id(void **state)
{
	(void)state;
	for (size_t i = 0; i < wc_alarm_count; i++)
		assert_ptr_equal(wc_alarm_by_id(wc_alarms[i].id), &wc_alarms[i]);
	assert_null(wc_alarm_by_id(NULL));
	assert_null(wc_alarm_by_id(""));
	assert_null(wc_alarm_by_id("nope"));
	assert_null(wc_alarm_by_id("CHG_OT_ALARM"));
	assert_null(wc_alarm_by_id("chg_ot_alarm "));
	assert_null(wc_alarm_by_id("CHG OT Alarm"));
	assert_null(wc_alarm_by_id("chg_ot"));
}

/* The MOSFETs are status 3 bits 1 and 2 (CHG ON, DSG ON); decoders and
 * the simulator reach them through the table. */
static void test_mosfet(void **state)
{
	struct wc_status_regs r;

	(void)state;
	assert_string_equal(wc_alarm_mosfet(WC_SIDE_CHG)->id, "chg_on");
	assert_string_equal(wc_alarm_mosfet(WC_SIDE_DSG)->id, "dsg_on");
	assert_null(wc_alarm_mosfet(WC_SIDE_BOTH));
	memset(&r, 0, sizeof(r));
	r.status3 = 0x02;
	assert_true(wc_alarm_mosfet_on(&r, WC_SIDE_CHG));
	assert_false(wc_alarm_mosfet_on(&r, WC_SIDE_DSG));
	r.status3 = 0xFD; /* every bit but the charge MOSFET's */
	assert_false(wc_alarm_mosfet_on(&r, WC_SIDE_CHG));
	assert_true(wc_alarm_mosfet_on(&r, WC_SIDE_DSG));
	assert_false(wc_alarm_mosfet_on(&r, WC_SIDE_BOTH));
}

static void test_apply(void **state)
{
	(void)state;
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];
		struct wc_status_regs st, ref;
		size_t r;

		for (r = 0; r < NREGS; r++)
			if (regs[r].reg == a->reg)
				break;
		assert_true(r < NREGS);

		/* on: from zero, exactly that bit of that byte */
		memset(&st, 0, sizeof(st));
		memset(&ref, 0, sizeof(ref));
		wc_alarm_apply(a, &st, true);
		set_reg_byte(&ref, r, (uint8_t)(1u << a->bit));
		if (memcmp(&st, &ref, sizeof(st)) != 0)
			fail_msg("%s: apply on touched the wrong bits", a->id);
		assert_true(wc_alarm_active(a, &st));
		check_only(a->id, &st, expected_at(a->reg, a->bit));
		wc_alarm_apply(a, &st, true); /* idempotent */
		assert_memory_equal(&st, &ref, sizeof(st));

		/* off: from all ones, exactly that bit cleared */
		memset(&st, 0xFF, sizeof(st));
		memset(&ref, 0xFF, sizeof(ref));
		wc_alarm_apply(a, &st, false);
		set_reg_byte(&ref, r, (uint8_t)~(1u << a->bit));
		if (memcmp(&st, &ref, sizeof(st)) != 0)
			fail_msg("%s: apply off touched the wrong bits", a->id);
		assert_false(wc_alarm_active(a, &st));
		wc_alarm_apply(a, &st, false);
		assert_memory_equal(&st, &ref, sizeof(st));
	}
}

static void test_count_active(void **state)
{
	static const enum wc_alarm_class classes[] = {
		WC_CLASS_PROTECTION, WC_CLASS_ALARM, WC_CLASS_FAULT,
		WC_CLASS_STATE,
	};
	/* status1 8 + status2 7 + jbd 2; warning1 8 + warning2 7;
	 * status5 4 + jbd 1; status3 2 */
	static const unsigned all_on[] = { 17, 15, 5, 2 };
	struct wc_status_regs st;

	(void)state;
	memset(&st, 0, sizeof(st));
	for (size_t c = 0; c < ARRAY_LEN(classes); c++)
		assert_int_equal(wc_alarm_count_active(&st, classes[c]), 0);
	memset(&st, 0xFF, sizeof(st));
	for (size_t c = 0; c < ARRAY_LEN(classes); c++)
		assert_int_equal(wc_alarm_count_active(&st, classes[c]),
				 all_on[c]);
	/* one code at a time: one in its class, none in the others */
	for (size_t i = 0; i < ARRAY_LEN(expected); i++) {
		memset(&st, 0, sizeof(st));
		wc_alarm_apply(wc_alarm_by_id(expected[i].id), &st, true);
		for (size_t c = 0; c < ARRAY_LEN(classes); c++)
			if (wc_alarm_count_active(&st, classes[c]) !=
			    (classes[c] == expected[i].cls ? 1u : 0u))
				fail_msg("%s: count for %s", expected[i].id,
					 wc_alarm_class_name(classes[c]));
	}
}

static void test_reg_value(void **state)
{
	struct wc_status_regs st;

	(void)state;
	memset(&st, 0, sizeof(st));
	for (size_t r = 0; r < NREGS; r++)
		set_reg_byte(&st, r, (uint8_t)(0x10 + r));
	for (size_t r = 0; r < NREGS; r++)
		assert_int_equal(wc_alarm_reg_value(&st, regs[r].reg), 0x10 + r);
}

static void test_names_and_offsets(void **state)
{
	(void)state;
	assert_string_equal(wc_alarm_class_name(WC_CLASS_PROTECTION),
			    "protection");
	assert_string_equal(wc_alarm_class_name(WC_CLASS_ALARM), "alarm");
	assert_string_equal(wc_alarm_class_name(WC_CLASS_FAULT), "fault");
	assert_string_equal(wc_alarm_class_name(WC_CLASS_STATE), "state");
	assert_string_equal(wc_alarm_class_name((enum wc_alarm_class)99),
			    "unknown");
	for (size_t r = 0; r < NREGS; r++) {
		assert_string_equal(wc_alarm_reg_name(regs[r].reg), regs[r].name);
		assert_int_equal(wc_alarm_reg_offset(regs[r].reg),
				 regs[r].offset);
	}
	assert_string_equal(wc_alarm_reg_name((enum wc_alarm_reg)99),
			    "unknown");
	assert_int_equal(wc_alarm_reg_offset((enum wc_alarm_reg)99), 0);
}

/* wc_alarm_regs_same lets the events skip a poll whose registers did not
 * change: every code's bit must make two states differ, and bytes that
 * carry no code must not. */
static void test_regs_same(void **state)
{
	struct wc_status_regs a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	b = a;
	assert_true(wc_alarm_regs_same(&a, &b));
	for (size_t i = 0; i < wc_alarm_count; i++) {
		b = a;
		wc_alarm_apply(&wc_alarms[i], &b, true);
		assert_false(wc_alarm_regs_same(&a, &b));
		assert_false(wc_alarm_regs_same(&b, &a));
	}
	b = a;
	b.cell_state[0] = 1;
	b.battery_mode = 2;
	b.balance[0] = 1;
	assert_true(wc_alarm_regs_same(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_spec),
		cmocka_unit_test(test_table_unique),
		cmocka_unit_test(test_table_id_charset),
		cmocka_unit_test(test_each_bit_regs),
		cmocka_unit_test(test_other_bytes_inert),
		cmocka_unit_test(test_each_bit_end_to_end),
		cmocka_unit_test(test_vectors_active),
		cmocka_unit_test(test_by_id),
		cmocka_unit_test(test_mosfet),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_count_active),
		cmocka_unit_test(test_reg_value),
		cmocka_unit_test(test_names_and_offsets),
		cmocka_unit_test(test_regs_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
