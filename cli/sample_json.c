/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sample_json.h"

#include <stdio.h>

#include "alarms.h"

/* Decimals follow each field's resolution on the wire. */
#define DEC_CELL 3
#define DEC_VOLT 2
#define DEC_AMP 1
#define DEC_WATT 3
#define DEC_AH 1
#define DEC_TEMP 1
#define DEC_PCT 0

const char *sample_json_dp_name(uint16_t dp, char *buf, size_t len)
{
	snprintf(buf, len, "0x%02x", dp);
	return buf;
}

void sample_json_analog(struct jw *w, const struct wc_sample *s)
{
	if (wc_has(s, WC_F_CELLS)) {
		jw_arr_begin(w, "cells_v");
		for (unsigned i = 0; i < s->n_cells; i++)
			jw_num(w, NULL, s->cell_v[i], DEC_CELL);
		jw_arr_end(w);
	}
	if (wc_has(s, WC_F_VOLTAGE))
		jw_num(w, "voltage_v", s->voltage_v, DEC_VOLT);
	if (wc_has(s, WC_F_CURRENT))
		jw_num(w, "current_a", s->current_a, DEC_AMP);
	if (wc_has(s, WC_F_POWER))
		jw_num(w, "power_w", s->power_w, DEC_WATT);
	if (wc_has(s, WC_F_REMAINING))
		jw_num(w, "remaining_ah", s->remaining_ah, DEC_AH);
	if (wc_has(s, WC_F_FULL))
		jw_num(w, "full_ah", s->full_ah, DEC_AH);
	if (wc_has(s, WC_F_DESIGN))
		jw_num(w, "design_ah", s->design_ah, DEC_AH);
	if (wc_has(s, WC_F_CYCLES))
		jw_int(w, "cycles", s->cycles);
	if (wc_has(s, WC_F_SOC))
		jw_num(w, "soc_pct", s->soc_pct, DEC_PCT);
	if (wc_has(s, WC_F_TEMP_MOS) || wc_has(s, WC_F_TEMP_ENV) ||
	    wc_has(s, WC_F_PROBES)) {
		jw_obj_begin(w, "temps_c");
		if (wc_has(s, WC_F_TEMP_MOS))
			jw_num(w, "mos", s->temp_mos_c, DEC_TEMP);
		if (wc_has(s, WC_F_TEMP_ENV))
			jw_num(w, "env", s->temp_env_c, DEC_TEMP);
		jw_arr_begin(w, "probes");
		for (unsigned i = 0; i < s->n_probes; i++)
			jw_num(w, NULL, s->probe_c[i], DEC_TEMP);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	if (wc_has(s, WC_F_SOH))
		jw_num(w, "soh_pct", s->soh_pct, DEC_PCT);
	if (wc_has(s, WC_F_LIFETIME))
		jw_num(w, "lifetime_ah", s->lifetime_ah, DEC_AH);
	if (wc_has(s, WC_F_TIME_LEFT))
		jw_int(w, "time_left_min", s->time_left_min);
	if (wc_has(s, WC_F_BALANCE_CURRENT))
		jw_num(w, "balance_current_a", s->balance_current_a, DEC_AMP);
}

static const char *mode_name(enum wc_mode m)
{
	switch (m) {
	case WC_MODE_IDLE:
		return "idle";
	case WC_MODE_CHARGING:
		return "charging";
	case WC_MODE_DISCHARGING:
		return "discharging";
	case WC_MODE_UNKNOWN:
		break;
	}
	return "unknown";
}

static void byte_array(struct jw *w, const char *key, const uint8_t *p,
		       unsigned n)
{
	jw_arr_begin(w, key);
	for (unsigned i = 0; i < n; i++)
		jw_int(w, NULL, p[i]);
	jw_arr_end(w);
}

void sample_json_status(struct jw *w, const struct wc_sample *s)
{
	const struct wc_status_regs *r = &s->regs;

	if (!wc_has(s, WC_F_STATUS))
		return;
	jw_bool(w, "charge_mos", s->charge_mos);
	jw_bool(w, "discharge_mos", s->discharge_mos);
	jw_str(w, "mode", mode_name(s->mode));
	jw_arr_begin(w, "balancing");
	for (unsigned i = 0; i < r->n_cells; i++)
		if (s->balancing & (1u << i))
			jw_int(w, NULL, i + 1);
	jw_arr_end(w);

	/* MOSFET states are in charge_mos/discharge_mos, not here. */
	jw_arr_begin(w, "active");
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];

		if (a->cls == WC_CLASS_STATE || !wc_alarm_active(a, r))
			continue;
		jw_obj_begin(w, NULL);
		jw_str(w, "id", a->id);
		jw_str(w, "name", a->name);
		jw_str(w, "meaning", a->meaning);
		jw_str(w, "class", wc_alarm_class_name(a->cls));
		jw_obj_end(w);
	}
	jw_arr_end(w);

	/* The raw 0x8D registers; a JBD battery has none (its words are
	 * in "jbd"). */
	if (s->family == WC_FAMILY_JBD)
		return;
	jw_obj_begin(w, "registers");
	jw_int(w, "cell_count", r->n_cells);
	byte_array(w, "cell_states", r->cell_state, r->n_cells);
	jw_int(w, "temp_count", r->n_temps);
	byte_array(w, "temp_states", r->temp_state, r->n_temps);
	jw_int(w, "charge_current_state", r->charge_current_state);
	jw_int(w, "voltage_state", r->voltage_state);
	jw_int(w, "discharge_current_state", r->discharge_current_state);
	jw_int(w, "battery_mode", r->battery_mode);
	jw_int(w, "status1", r->status1);
	jw_int(w, "status2", r->status2);
	jw_int(w, "status3", r->status3);
	jw_int(w, "status4", r->status4);
	jw_int(w, "status5", r->status5);
	jw_int(w, "reserved9", r->reserved9);
	jw_int(w, "reserved10", r->reserved10);
	jw_int(w, "warning1", r->warning1);
	jw_int(w, "warning2", r->warning2);
	byte_array(w, "balance", r->balance, r->n_balance_bytes);
	jw_obj_end(w);
}

void sample_json_product(struct jw *w, const struct wc_sample *s)
{
	if (!wc_has(s, WC_F_INFO))
		return;
	jw_str(w, "firmware", s->firmware);
	jw_str(w, "manufacturer", s->manufacturer);
	jw_str(w, "serial", s->serial);
}

void sample_json_jbd(struct jw *w, const struct wc_sample *s)
{
	const struct wc_jbd_info *j = &s->jbd;

	if (!wc_has(s, WC_F_JBD))
		return;
	jw_obj_begin(w, "jbd");
	jw_int(w, "protection", j->protection);
	jw_int(w, "fet", j->fet);
	jw_int(w, "sw_version", j->sw_version);
	jw_int(w, "production_date", j->production_date);
	if (j->has_tail) {
		jw_int(w, "warning", j->warning);
		jw_num(w, "humidity_pct", s->humidity_pct, DEC_PCT);
		jw_bool(w, "heating", s->heating);
		jw_num(w, "actual_remaining_ah", j->actual_remaining_ah, 2);
		jw_int(w, "balance_status", j->balance_status);
		jw_int(w, "protocol_version", j->protocol_version);
		jw_int(w, "bms_status", j->bms_status);
	}
	jw_obj_end(w);
}
