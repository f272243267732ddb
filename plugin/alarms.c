/* The alarm-code table: see alarms.h and protocol.md §6.2.1–§6.2.2. */
#include "alarms.h"

#include <string.h>

#define P WC_CLASS_PROTECTION
#define A WC_CLASS_ALARM
#define F WC_CLASS_FAULT
#define S WC_CLASS_STATE

const struct wc_alarm wc_alarms[] = {
	{ "chg_ot_alarm", "CHG OT Alarm", "Charging over-temperature alarm", A, WC_REG_WARNING2, 0 },
	{ "dsg_ot_alarm", "DSG OT Alarm", "Discharging over-temperature alarm", A, WC_REG_WARNING2, 1 },
	{ "chg_ut_alarm", "CHG UT Alarm", "Charging under-temperature alarm", A, WC_REG_WARNING2, 2 },
	{ "dsg_ut_alarm", "DSG UT Alarm", "Discharging under-temperature alarm", A, WC_REG_WARNING2, 3 },
	{ "env_ot_alarm", "ENV OT Alarm", "Environmental over-temperature alarm", A, WC_REG_WARNING2, 4 },
	{ "env_ut_alarm", "ENV UT Alarm", "Environmental under-temperature alarm", A, WC_REG_WARNING2, 5 },
	{ "mos_ot_alarm", "MOS OT Alarm", "Mos over-temperature alarm exists", A, WC_REG_WARNING2, 6 },
	{ "cell_ovp", "Cell OVP(V)", "Single cell over-voltage protection", P, WC_REG_STATUS1, 0 },
	{ "cell_uvp", "Cell UVP Alarm(V)", "Single cell under-voltage protection", P, WC_REG_STATUS1, 1 },
	{ "pack_ovp", "Pack OVP(V)", "Pack over-voltage protection", P, WC_REG_STATUS1, 2 },
	{ "pack_uvp", "Pack UVP(V)", "Pack under-voltage protection", P, WC_REG_STATUS1, 3 },
	{ "chg_ocp", "CHG OCP(A)", "Over-current during charging", P, WC_REG_STATUS1, 4 },
	{ "dsg_ocp", "DSG OCP(A)", "Over-current during discharging", P, WC_REG_STATUS1, 5 },
	{ "hw_protect", "Hardware protect", "Hardware protection", P, WC_REG_STATUS1, 6 },
	{ "high_chg_volt", "High CHG volt", "High charging voltage", P, WC_REG_STATUS1, 7 },
	{ "chg_otp", "CHG OTP(°C)", "Charging over-temperature protection", P, WC_REG_STATUS2, 0 },
	{ "dsg_otp", "DSG OTP(°C)", "Discharging over-temperature protection", P, WC_REG_STATUS2, 1 },
	/* The guide prints "CHG UTP(°C" without the closing parenthesis;
	 * we show the name as the other temperature codes spell theirs. */
	{ "chg_utp", "CHG UTP(°C)", "Charging under-temperature protection", P, WC_REG_STATUS2, 2 },
	{ "dsg_utp", "DSG UTP(°C)", "Discharging under-temperature protection", P, WC_REG_STATUS2, 3 },
	{ "mos_otp", "MOS OTP(°C)", "Mos over-temperature protection", P, WC_REG_STATUS2, 4 },
	{ "env_otp", "ENV OTP(°C)", "Environmental over-temperature protection during charging", P, WC_REG_STATUS2, 5 },
	{ "env_utp", "ENV UTP(°C)", "Environmental under-temperature protection", P, WC_REG_STATUS2, 6 },
	{ "chg_on", "CHG ON", "Charging", S, WC_REG_STATUS3, 1 },
	{ "dsg_on", "DSG ON", "Discharging", S, WC_REG_STATUS3, 2 },
	/* Fault bits follow qume's decompilation, not the guide's order
	 * (protocol.md §6.2.1: unresolved, decompilation preferred). */
	{ "chg_mos_fault", "CHG MOS Fault", "Charging MOS failure", F, WC_REG_STATUS5, 1 },
	{ "dsg_mos_fault", "DSG MOS Fault", "Discharging MOS failure", F, WC_REG_STATUS5, 2 },
	{ "temp_fault", "Temp fault", "Temperature failure", F, WC_REG_STATUS5, 3 },
	{ "cells_fault", "Cells fault", "Battery cell failure", F, WC_REG_STATUS5, 0 },
	{ "cell_ov_alarm", "Cell OV Alarm", "Single cell over-voltage alarm", A, WC_REG_WARNING1, 0 },
	{ "cell_uv_alarm", "Cell UV Alarm", "Single cell under-voltage warning", A, WC_REG_WARNING1, 1 },
	{ "pack_ov_alarm", "Pack OV Alarm", "Pack over-voltage alarm", A, WC_REG_WARNING1, 2 },
	{ "pack_uv_alarm", "Pack UV Alarm", "Pack under-voltage warning", A, WC_REG_WARNING1, 3 },
	{ "chg_oc_alarm", "CHG OC Alarm", "Charging over-current alarm", A, WC_REG_WARNING1, 4 },
	{ "dsg_oc_alarm", "DSG OC Alarm", "Discharging over-current alarm", A, WC_REG_WARNING1, 5 },
	{ "hw_protect_alarm", "Hardware protect Alarm", "Hardware protection warning", A, WC_REG_WARNING1, 6 },
	/* Not in the guide: qume's decompilation calls warning 1 bit 7
	 * "charge voltage high". */
	{ "high_chg_volt_alarm", "High CHG volt Alarm", "Charging voltage high alarm (no app text)", A, WC_REG_WARNING1, 7 },
};

#undef P
#undef A
#undef F
#undef S

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

const struct wc_alarm *wc_alarm_at(enum wc_alarm_reg reg, unsigned bit)
{
	for (size_t i = 0; i < wc_alarm_count; i++)
		if (wc_alarms[i].reg == reg && wc_alarms[i].bit == bit)
			return &wc_alarms[i];
	return NULL;
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
	}
	return NULL;
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
	}
	return 0;
}
