/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON writers of the simulator (served-sample log, control "state"). */
#include "sim_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alarms.h"

void jb_init(struct jbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->overflow = cap == 0;
	if (cap)
		p[0] = '\0';
}

void jb_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	/* Clamp instead of adding snprintf's return blindly (doc/DESIGN.md, "Bytes and buffers"). */
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->overflow = true;
		b->p[b->len] = '\0';
		return;
	}
	b->len += (size_t)n;
}

void jb_str(struct jbuf *b, const char *s)
{
	jb_printf(b, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			jb_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			jb_printf(b, "\\u%04x", ch);
		else
			jb_printf(b, "%c", ch);
	}
	jb_printf(b, "\"");
}

void jb_key(struct jbuf *b, const char *key)
{
	char last = b->len ? b->p[b->len - 1] : '{';

	if (last != '{' && last != '[')
		jb_printf(b, ",");
	jb_str(b, key);
	jb_printf(b, ":");
}

void jb_hex(struct jbuf *b, const uint8_t *p, size_t n)
{
	jb_printf(b, "\"");
	for (size_t i = 0; i < n; i++)
		jb_printf(b, "%02x", p[i]);
	jb_printf(b, "\"");
}

/* Numbers as JSON: NaN and infinities have no JSON form. */
static void jb_num(struct jbuf *b, const char *key, double v)
{
	jb_key(b, key);
	if (isfinite(v))
		jb_printf(b, "%.6g", v);
	else
		jb_printf(b, "null");
}

static void jb_num_array(struct jbuf *b, const char *key, const double *v,
			 unsigned n)
{
	jb_key(b, key);
	jb_printf(b, "[");
	for (unsigned i = 0; i < n; i++)
		jb_printf(b, i ? ",%.6g" : "%.6g", isfinite(v[i]) ? v[i] : 0.0);
	jb_printf(b, "]");
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

void sim_json_sample(struct jbuf *b, const struct wc_sample *s)
{
	if (wc_has(s, WC_F_CELLS))
		jb_num_array(b, "cells_v", s->cell_v, s->n_cells);
	if (wc_has(s, WC_F_VOLTAGE))
		jb_num(b, "voltage_v", s->voltage_v);
	if (wc_has(s, WC_F_CURRENT))
		jb_num(b, "current_a", s->current_a);
	if (wc_has(s, WC_F_SOC))
		jb_num(b, "soc_pct", s->soc_pct);
	if (wc_has(s, WC_F_TEMP_MOS))
		jb_num(b, "temp_mos_c", s->temp_mos_c);
	if (wc_has(s, WC_F_TEMP_ENV))
		jb_num(b, "temp_env_c", s->temp_env_c);
	if (wc_has(s, WC_F_PROBES))
		jb_num_array(b, "probes_c", s->probe_c, s->n_probes);
	if (wc_has(s, WC_F_REMAINING))
		jb_num(b, "remaining_ah", s->remaining_ah);
	if (wc_has(s, WC_F_FULL))
		jb_num(b, "full_ah", s->full_ah);
	if (wc_has(s, WC_F_DESIGN))
		jb_num(b, "design_ah", s->design_ah);
	if (wc_has(s, WC_F_CYCLES)) {
		jb_key(b, "cycles");
		jb_printf(b, "%u", (unsigned)s->cycles);
	}
	if (wc_has(s, WC_F_STATUS)) {
		unsigned first = 1;

		jb_key(b, "charge_mos");
		jb_printf(b, "%s", s->charge_mos ? "true" : "false");
		jb_key(b, "discharge_mos");
		jb_printf(b, "%s", s->discharge_mos ? "true" : "false");
		jb_key(b, "mode");
		jb_str(b, mode_name(s->mode));
		jb_key(b, "alarms");
		jb_printf(b, "[");
		for (size_t i = 0; i < wc_alarm_count; i++) {
			const struct wc_alarm *a = &wc_alarms[i];

			if (a->cls == WC_CLASS_STATE ||
			    !wc_alarm_active(a, &s->regs))
				continue;
			if (!first)
				jb_printf(b, ",");
			jb_str(b, a->id);
			first = 0;
		}
		jb_printf(b, "]");
	}
	if (wc_has(s, WC_F_INFO)) {
		jb_key(b, "firmware");
		jb_str(b, s->firmware);
		jb_key(b, "manufacturer");
		jb_str(b, s->manufacturer);
		jb_key(b, "serial");
		jb_str(b, s->serial);
	}
}
