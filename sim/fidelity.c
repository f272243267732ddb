/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fidelity overrides: see fidelity.h. */
#include "fidelity.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


void sim_fidelity_defaults(struct sim_fidelity *f)
{
	memset(f, 0, sizeof(*f));
	f->soc_register = -1;
	f->soh_pct = 100.0;
}

static int num(const config_setting_t *s, double *out)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		*out = config_setting_get_int(s);
		return 0;
	case CONFIG_TYPE_INT64:
		*out = (double)config_setting_get_int64(s);
		return 0;
	case CONFIG_TYPE_FLOAT:
		*out = config_setting_get_float(s);
		return isfinite(*out) ? 0 : -1;
	default:
		return -1;
	}
}

static int ranged(const config_setting_t *s, double lo, double hi, double *v,
		  char *err, size_t errlen)
{
	if (num(s, v) < 0) {
		snprintf(err, errlen, "must be a number");
		return -1;
	}
	if (*v < lo || *v > hi) {
		snprintf(err, errlen, "%g is out of range (%g..%g)", *v, lo, hi);
		return -1;
	}
	return 0;
}

static int byte_key(const config_setting_t *s, bool *set, uint8_t *out,
		    char *err, size_t errlen)
{
	double v;

	if (ranged(s, 0, 255, &v, err, errlen) < 0)
		return -1;
	if (v != floor(v)) {
		snprintf(err, errlen, "%g is not a whole number", v);
		return -1;
	}
	*set = true;
	*out = (uint8_t)v;
	return 1;
}

static int list_key(const config_setting_t *s, double lo, double hi,
		    unsigned max, double *out, unsigned *n, char *err,
		    size_t errlen)
{
	int len;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		snprintf(err, errlen, "must be a list of numbers");
		return -1;
	}
	len = config_setting_length(s);
	if (len < 1 || (unsigned)len > max) {
		snprintf(err, errlen, "has %d values, allowed 1..%u", len, max);
		return -1;
	}
	for (int i = 0; i < len; i++) {
		char e[96];

		if (ranged(config_setting_get_elem(s, (unsigned)i), lo, hi,
			   &out[i], e, sizeof(e)) < 0) {
			snprintf(err, errlen, "value %d: %s", i + 1, e);
			return -1;
		}
	}
	*n = (unsigned)len;
	return 1;
}

static int bool_key(const config_setting_t *s, bool *out, char *err,
		    size_t errlen)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		snprintf(err, errlen, "must be true or false");
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 1;
}

int sim_fidelity_key(const config_setting_t *s, const char *key,
		     struct sim_fidelity *f, char *err, size_t errlen)
{
	bool dummy;
	double v;

	if (strcmp(key, "address") == 0)
		return byte_key(s, &f->set_address, &f->address, err, errlen);
	if (strcmp(key, "status4") == 0)
		return byte_key(s, &f->set_status4, &f->status4, err, errlen);
	if (strcmp(key, "reserved9") == 0)
		return byte_key(s, &f->set_reserved9, &f->reserved9, err, errlen);
	if (strcmp(key, "reserved10") == 0)
		return byte_key(s, &f->set_reserved10, &f->reserved10, err,
				errlen);
	if (strcmp(key, "temps_c") == 0)
		return list_key(s, -40.0, 120.0, WC_MAX_TEMPS, f->temps_c,
				&f->n_temps, err, errlen);
	if (strcmp(key, "cells_v") == 0)
		return list_key(s, 0.0, 6.5, WC_MAX_CELLS, f->cells_v, &f->n_cells,
				err, errlen);
	if (strcmp(key, "voltage_offset_v") == 0) {
		if (ranged(s, -10.0, 10.0, &f->voltage_offset_v, err, errlen) < 0)
			return -1;
		return 1;
	}
	if (strcmp(key, "soc_register") == 0) {
		uint8_t b = 0;

		if (byte_key(s, &dummy, &b, err, errlen) < 0)
			return -1;
		if (b > 100) {
			snprintf(err, errlen, "%u is out of range (0..100)", b);
			return -1;
		}
		f->soc_register = b;
		return 1;
	}
	if (strcmp(key, "current_whole_a") == 0)
		return bool_key(s, &f->current_whole_a, err, errlen);
	if (strcmp(key, "extension") == 0)
		return bool_key(s, &f->extension, err, errlen);
	if (strcmp(key, "soh") == 0) {
		if (ranged(s, 0.0, 100.0, &f->soh_pct, err, errlen) < 0)
			return -1;
		return 1;
	}
	if (strcmp(key, "lifetime_ah") == 0) {
		if (ranged(s, 0.0, 400000000.0, &f->lifetime_ah, err, errlen) < 0)
			return -1;
		return 1;
	}
	if (strcmp(key, "time_left_min") == 0) {
		if (ranged(s, -2147483648.0, 2147483647.0, &v, err, errlen) < 0)
			return -1;
		f->time_left_min = (int32_t)v;
		return 1;
	}
	return 0;
}

int sim_fidelity_check(const struct sim_fidelity *f, unsigned cells,
		       unsigned probes, char *err, size_t errlen)
{
	if (f->n_temps && f->n_temps != probes + 2) {
		snprintf(err, errlen, "temps_c has %u values, the battery has %u "
			 "sensors (MOS, ENV and %u probes)", f->n_temps,
			 probes + 2, probes);
		return -1;
	}
	if (f->n_cells && f->n_cells != cells) {
		snprintf(err, errlen, "cells_v has %u values, the battery has %u "
			 "cells", f->n_cells, cells);
		return -1;
	}
	return 0;
}

void sim_fidelity_apply(const struct sim_fidelity *f, struct wc_sample *s)
{
	if (!f || !s)
		return;
	if (f->set_address)
		s->address = f->address;
	if (f->set_status4)
		s->regs.status4 = f->status4;
	if (f->set_reserved9)
		s->regs.reserved9 = f->reserved9;
	if (f->set_reserved10)
		s->regs.reserved10 = f->reserved10;
	if (f->n_temps >= 2) {
		s->temp_mos_c = f->temps_c[0];
		s->temp_env_c = f->temps_c[1];
		for (unsigned i = 2; i < f->n_temps && i - 2 < WC_MAX_PROBES; i++)
			s->probe_c[i - 2] = f->temps_c[i];
	}
	if (f->n_cells && f->n_cells == s->n_cells) {
		double sum = 0.0;

		for (unsigned i = 0; i < f->n_cells; i++) {
			s->cell_v[i] = f->cells_v[i];
			sum += f->cells_v[i];
		}
		s->voltage_v = sum;
	}
	if (f->n_cells || f->voltage_offset_v != 0.0) {
		s->voltage_v = floor((s->voltage_v + f->voltage_offset_v) * 100.0 +
				     0.5) / 100.0;
		s->power_w = s->voltage_v * s->current_a;
		if (s->power_w == 0.0)
			s->power_w = 0.0;
	}
	if (f->soc_register >= 0)
		s->soc_pct = f->soc_register;
	if (f->current_whole_a) {
		double mag = floor(fabs(s->current_a) + 0.5);

		s->current_a = mag == 0.0 ? 0.0 : s->current_a < 0 ? -mag : mag;
		s->power_w = s->voltage_v * s->current_a;
		if (s->power_w == 0.0)
			s->power_w = 0.0;
	}
	if (f->extension) {
		s->soh_pct = floor(f->soh_pct + 0.5);
		s->lifetime_ah = floor(f->lifetime_ah * 10.0 + 0.5) / 10.0;
		s->time_left_min = f->time_left_min;
		s->balance_current_a = 0.0;
		s->present |= 1u << WC_F_SOH | 1u << WC_F_LIFETIME |
			      1u << WC_F_TIME_LEFT | 1u << WC_F_BALANCE_CURRENT;
	}
}
