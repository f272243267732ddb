/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The alarm-code table: see alarms.h and doc/PROTOCOL.md §6.2.1–§6.2.2. */
#include "alarms.h"

#include <string.h>

#define P WC_CLASS_PROTECTION
#define A WC_CLASS_ALARM
#define F WC_CLASS_FAULT
#define S WC_CLASS_STATE
#define BOTH WC_SIDE_BOTH
#define CHG WC_SIDE_CHG
#define DSG WC_SIDE_DSG
#define CMIN WC_QUOTE_CELL_MIN
#define CMAX WC_QUOTE_CELL_MAX
#define PACK WC_QUOTE_PACK_V
#define CUR WC_QUOTE_CURRENT
#define TMOS WC_QUOTE_TEMP_MOS
#define TENV WC_QUOTE_TEMP_ENV
#define PMIN WC_QUOTE_PROBE_MIN
#define PMAX WC_QUOTE_PROBE_MAX

const struct wc_alarm wc_alarms[] = {
	{ "chg_ot_alarm", "CHG OT Alarm", "Charging over-temperature alarm", A, WC_REG_WARNING2, 0, WC_JBD_NONE, 0, CHG, PMAX },
	{ "dsg_ot_alarm", "DSG OT Alarm", "Discharging over-temperature alarm", A, WC_REG_WARNING2, 1, WC_JBD_NONE, 0, DSG, PMAX },
	{ "chg_ut_alarm", "CHG UT Alarm", "Charging under-temperature alarm", A, WC_REG_WARNING2, 2, WC_JBD_NONE, 0, CHG, PMIN },
	{ "dsg_ut_alarm", "DSG UT Alarm", "Discharging under-temperature alarm", A, WC_REG_WARNING2, 3, WC_JBD_NONE, 0, DSG, PMIN },
	{ "env_ot_alarm", "ENV OT Alarm", "Environmental over-temperature alarm", A, WC_REG_WARNING2, 4, WC_JBD_NONE, 0, BOTH, TENV },
	{ "env_ut_alarm", "ENV UT Alarm", "Environmental under-temperature alarm", A, WC_REG_WARNING2, 5, WC_JBD_NONE, 0, BOTH, TENV },
	{ "mos_ot_alarm", "MOS OT Alarm", "Mos over-temperature alarm exists", A, WC_REG_WARNING2, 6, WC_JBD_NONE, 0, BOTH, TMOS },
	{ "cell_ovp", "Cell OVP(V)", "Single cell over-voltage protection", P, WC_REG_STATUS1, 0, WC_JBD_PROT, 0, BOTH, CMAX },
	{ "cell_uvp", "Cell UVP Alarm(V)", "Single cell under-voltage protection", P, WC_REG_STATUS1, 1, WC_JBD_PROT, 1, BOTH, CMIN },
	{ "pack_ovp", "Pack OVP(V)", "Pack over-voltage protection", P, WC_REG_STATUS1, 2, WC_JBD_PROT, 2, BOTH, PACK },
	{ "pack_uvp", "Pack UVP(V)", "Pack under-voltage protection", P, WC_REG_STATUS1, 3, WC_JBD_PROT, 3, BOTH, PACK },
	{ "chg_ocp", "CHG OCP(A)", "Over-current during charging", P, WC_REG_STATUS1, 4, WC_JBD_PROT, 8, CHG, CUR },
	{ "dsg_ocp", "DSG OCP(A)", "Over-current during discharging", P, WC_REG_STATUS1, 5, WC_JBD_PROT, 9, DSG, CUR },
	{ "hw_protect", "Hardware protect", "Hardware protection", P, WC_REG_STATUS1, 6, WC_JBD_NONE, 0, BOTH, CUR },
	{ "high_chg_volt", "High CHG volt", "High charging voltage", P, WC_REG_STATUS1, 7, WC_JBD_NONE, 0, CHG, PACK },
	{ "chg_otp", "CHG OTP(°C)", "Charging over-temperature protection", P, WC_REG_STATUS2, 0, WC_JBD_PROT, 4, CHG, PMAX },
	{ "dsg_otp", "DSG OTP(°C)", "Discharging over-temperature protection", P, WC_REG_STATUS2, 1, WC_JBD_PROT, 6, DSG, PMAX },
	/* The guide prints "CHG UTP(°C" without the closing parenthesis;
	 * we show the name as the other temperature codes spell theirs. */
	{ "chg_utp", "CHG UTP(°C)", "Charging under-temperature protection", P, WC_REG_STATUS2, 2, WC_JBD_PROT, 5, CHG, PMIN },
	{ "dsg_utp", "DSG UTP(°C)", "Discharging under-temperature protection", P, WC_REG_STATUS2, 3, WC_JBD_PROT, 7, DSG, PMIN },
	{ "mos_otp", "MOS OTP(°C)", "Mos over-temperature protection", P, WC_REG_STATUS2, 4, WC_JBD_PROT, 15, BOTH, TMOS },
	{ "env_otp", "ENV OTP(°C)", "Environmental over-temperature protection during charging", P, WC_REG_STATUS2, 5, WC_JBD_NONE, 0, BOTH, TENV },
	{ "env_utp", "ENV UTP(°C)", "Environmental under-temperature protection", P, WC_REG_STATUS2, 6, WC_JBD_NONE, 0, BOTH, TENV },
	{ "chg_on", "CHG ON", "Charging", S, WC_REG_STATUS3, 1, WC_JBD_FET, 0, CHG, 0 },
	{ "dsg_on", "DSG ON", "Discharging", S, WC_REG_STATUS3, 2, WC_JBD_FET, 1, DSG, 0 },
	/* Fault bits follow qume's decompilation, not the guide's order
	 * (doc/PROTOCOL.md §6.2.1: unresolved, decompilation preferred). */
	{ "chg_mos_fault", "CHG MOS Fault", "Charging MOS failure", F, WC_REG_STATUS5, 1, WC_JBD_PROT, 13, CHG, 0 },
	{ "dsg_mos_fault", "DSG MOS Fault", "Discharging MOS failure", F, WC_REG_STATUS5, 2, WC_JBD_PROT, 14, DSG, 0 },
	/* a sensor fault quotes every temperature: a broken one stands out */
	{ "temp_fault", "Temp fault", "Temperature failure", F, WC_REG_STATUS5, 3, WC_JBD_NONE, 0, BOTH, TMOS | TENV | PMIN | PMAX },
	{ "cells_fault", "Cells fault", "Battery cell failure", F, WC_REG_STATUS5, 0, WC_JBD_NONE, 0, BOTH, CMIN | CMAX },
	{ "cell_ov_alarm", "Cell OV Alarm", "Single cell over-voltage alarm", A, WC_REG_WARNING1, 0, WC_JBD_WARN, 0, BOTH, CMAX },
	{ "cell_uv_alarm", "Cell UV Alarm", "Single cell under-voltage warning", A, WC_REG_WARNING1, 1, WC_JBD_NONE, 0, BOTH, CMIN },
	{ "pack_ov_alarm", "Pack OV Alarm", "Pack over-voltage alarm", A, WC_REG_WARNING1, 2, WC_JBD_NONE, 0, BOTH, PACK },
	{ "pack_uv_alarm", "Pack UV Alarm", "Pack under-voltage warning", A, WC_REG_WARNING1, 3, WC_JBD_NONE, 0, BOTH, PACK },
	{ "chg_oc_alarm", "CHG OC Alarm", "Charging over-current alarm", A, WC_REG_WARNING1, 4, WC_JBD_NONE, 0, CHG, CUR },
	{ "dsg_oc_alarm", "DSG OC Alarm", "Discharging over-current alarm", A, WC_REG_WARNING1, 5, WC_JBD_NONE, 0, DSG, CUR },
	{ "hw_protect_alarm", "Hardware protect Alarm", "Hardware protection warning", A, WC_REG_WARNING1, 6, WC_JBD_NONE, 0, BOTH, CUR },
	/* Not in the guide: qume's decompilation calls warning 1 bit 7
	 * "charge voltage high". */
	{ "high_chg_volt_alarm", "High CHG volt Alarm", "Charging voltage high alarm (no app text)", A, WC_REG_WARNING1, 7, WC_JBD_NONE, 0, CHG, PACK },
	/* JBD family only (protection word bits 10-12, no 0x8D register:
	 * the decoder keeps them in the "jbd" byte of struct wc_status_regs). */
	{ "short_circuit", "Short circuit", "Short-circuit protection", P, WC_REG_JBD, 0, WC_JBD_PROT, 10, BOTH, 0 },
	{ "afe_error", "Front-end IC error", "The analog front-end (measuring) IC reports an error", F, WC_REG_JBD, 1, WC_JBD_PROT, 11, BOTH, 0 },
	{ "mos_sw_lock", "MOS software lock", "The MOSFETs are locked off by software", P, WC_REG_JBD, 2, WC_JBD_PROT, 12, BOTH, 0 },
};

#undef P
#undef A
#undef F
#undef S
#undef BOTH
#undef CHG
#undef DSG
#undef CMIN
#undef CMAX
#undef PACK
#undef CUR
#undef TMOS
#undef TENV
#undef PMIN
#undef PMAX

const size_t wc_alarm_count = sizeof(wc_alarms) / sizeof(wc_alarms[0]);

const struct wc_alarm *wc_alarm_by_id(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < wc_alarm_count; i++)
		if (strcmp(wc_alarms[i].id, id) == 0)
			return &wc_alarms[i];
	return NULL;
}

const struct wc_alarm *wc_alarm_mosfet(enum wc_side side)
{
	for (size_t i = 0; i < wc_alarm_count; i++)
		if (wc_alarms[i].cls == WC_CLASS_STATE &&
		    wc_alarms[i].side == side)
			return &wc_alarms[i];
	return NULL;
}

bool wc_alarm_mosfet_on(const struct wc_status_regs *r, enum wc_side side)
{
	const struct wc_alarm *a = wc_alarm_mosfet(side);

	return a && wc_alarm_active(a, r);
}

uint8_t wc_alarm_reg_value(const struct wc_status_regs *r,
			   enum wc_alarm_reg reg)
{
	switch (reg) {
	case WC_REG_STATUS1:
		return r->status1;
	case WC_REG_STATUS2:
		return r->status2;
	case WC_REG_STATUS3:
		return r->status3;
	case WC_REG_STATUS5:
		return r->status5;
	case WC_REG_WARNING1:
		return r->warning1;
	case WC_REG_WARNING2:
		return r->warning2;
	case WC_REG_JBD:
		return r->jbd;
	}
	return 0;
}

static uint8_t *reg_ptr(struct wc_status_regs *r, enum wc_alarm_reg reg)
{
	switch (reg) {
	case WC_REG_STATUS1:
		return &r->status1;
	case WC_REG_STATUS2:
		return &r->status2;
	case WC_REG_STATUS3:
		return &r->status3;
	case WC_REG_STATUS5:
		return &r->status5;
	case WC_REG_WARNING1:
		return &r->warning1;
	case WC_REG_WARNING2:
		return &r->warning2;
	case WC_REG_JBD:
		return &r->jbd;
	}
	return NULL;
}

bool wc_alarm_regs_same(const struct wc_status_regs *x,
			const struct wc_status_regs *y)
{
	/* the registers wc_alarm_reg_value reads, every one */
	return x->status1 == y->status1 && x->status2 == y->status2 &&
	       x->status3 == y->status3 && x->status5 == y->status5 &&
	       x->warning1 == y->warning1 && x->warning2 == y->warning2 &&
	       x->jbd == y->jbd;
}

bool wc_alarm_active(const struct wc_alarm *a, const struct wc_status_regs *r)
{
	return (wc_alarm_reg_value(r, a->reg) >> a->bit) & 1u;
}

unsigned wc_alarm_count_active(const struct wc_status_regs *r,
			       enum wc_alarm_class cls)
{
	unsigned n = 0;

	for (size_t i = 0; i < wc_alarm_count; i++)
		if (wc_alarms[i].cls == cls && wc_alarm_active(&wc_alarms[i], r))
			n++;
	return n;
}

void wc_alarm_apply(const struct wc_alarm *a, struct wc_status_regs *r,
		    bool on)
{
	uint8_t *p = reg_ptr(r, a->reg);

	if (!p)
		return;
	if (on)
		*p = (uint8_t)(*p | (1u << a->bit));
	else
		*p = (uint8_t)(*p & ~(1u << a->bit));
}

const char *wc_alarm_class_name(enum wc_alarm_class cls)
{
	switch (cls) {
	case WC_CLASS_PROTECTION:
		return "protection";
	case WC_CLASS_ALARM:
		return "alarm";
	case WC_CLASS_FAULT:
		return "fault";
	case WC_CLASS_STATE:
		return "state";
	}
	return "unknown";
}

const char *wc_alarm_reg_name(enum wc_alarm_reg reg)
{
	switch (reg) {
	case WC_REG_STATUS1:
		return "status1";
	case WC_REG_STATUS2:
		return "status2";
	case WC_REG_STATUS3:
		return "status3";
	case WC_REG_STATUS5:
		return "status5";
	case WC_REG_WARNING1:
		return "warning1";
	case WC_REG_WARNING2:
		return "warning2";
	case WC_REG_JBD:
		return "jbd";
	}
	return "unknown";
}

unsigned wc_alarm_reg_offset(enum wc_alarm_reg reg)
{
	switch (reg) {
	case WC_REG_STATUS1:
		return 4;
	case WC_REG_STATUS2:
		return 5;
	case WC_REG_STATUS3:
		return 6;
	case WC_REG_STATUS5:
		return 8;
	case WC_REG_WARNING1:
		return 11;
	case WC_REG_WARNING2:
		return 12;
	case WC_REG_JBD:
		return 0;
	}
	return 0;
}

unsigned wc_alarm_families(const struct wc_alarm *a)
{
	unsigned f = 0;

	if (a->reg != WC_REG_JBD)
		f |= WC_FAMILY_WATT_BIT;
	if (a->jbd_word != WC_JBD_NONE)
		f |= WC_FAMILY_JBD_BIT;
	return f;
}

bool wc_alarm_in_family(const struct wc_alarm *a, enum wc_family f)
{
	return (wc_alarm_families(a) &
		(f == WC_FAMILY_JBD ? WC_FAMILY_JBD_BIT : WC_FAMILY_WATT_BIT)) != 0;
}

const char *wc_alarm_family_names(const struct wc_alarm *a)
{
	switch (wc_alarm_families(a)) {
	case WC_FAMILY_WATT_BIT:
		return "watt";
	case WC_FAMILY_JBD_BIT:
		return "jbd";
	default:
		return "watt,jbd";
	}
}

const char *wc_alarm_jbd_word_name(enum wc_jbd_word w)
{
	switch (w) {
	case WC_JBD_NONE:
		return NULL;
	case WC_JBD_PROT:
		return "protection";
	case WC_JBD_WARN:
		return "warning";
	case WC_JBD_FET:
		return "fet";
	}
	return NULL;
}

static unsigned jbd_word_value(enum wc_jbd_word w, uint16_t prot,
			       uint16_t warn, uint8_t fet)
{
	switch (w) {
	case WC_JBD_PROT:
		return prot;
	case WC_JBD_WARN:
		return warn;
	case WC_JBD_FET:
		return fet;
	case WC_JBD_NONE:
		break;
	}
	return 0;
}

void wc_alarm_from_jbd(struct wc_status_regs *r, uint16_t prot,
		       uint16_t warn, uint8_t fet)
{
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];

		if (a->jbd_word == WC_JBD_NONE)
			continue;
		wc_alarm_apply(a, r, (jbd_word_value(a->jbd_word, prot, warn,
						     fet) >> a->jbd_bit) & 1u);
	}
}

void wc_alarm_to_jbd(const struct wc_status_regs *r, uint16_t *prot,
		     uint16_t *warn, uint8_t *fet)
{
	unsigned p = 0, w = 0, f = 0;

	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];
		unsigned bit;

		if (a->jbd_word == WC_JBD_NONE || !wc_alarm_active(a, r))
			continue;
		bit = 1u << a->jbd_bit;
		if (a->jbd_word == WC_JBD_PROT)
			p |= bit;
		else if (a->jbd_word == WC_JBD_WARN)
			w |= bit;
		else
			f |= bit;
	}
	*prot = (uint16_t)p;
	*warn = (uint16_t)w;
	*fet = (uint8_t)f;
}
