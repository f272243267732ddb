/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Simulated banks: see bank_physics.h. */
#include "bank_physics.h"

#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cfgfile.h"
#include "setting.h"

/* ---- the solver ----------------------------------------------------------- */

/* String k's current at bus voltage v, blocked directions cut off. */
static double string_a(const struct sim_string_in *s, double v)
{
	double i = (v - s->ocv_v) / s->r_ohm;

	if (i > 0.0 && !s->can_charge)
		return 0.0;
	if (i < 0.0 && !s->can_discharge)
		return 0.0;
	return i;
}

static double total_a(const struct sim_string_in *s, unsigned n, double v)
{
	double sum = 0.0;

	for (unsigned k = 0; k < n; k++)
		sum += string_a(&s[k], v);
	return sum;
}

double sim_bank_share(const struct sim_string_in *s, unsigned n,
		      double bank_a, double *out_a)
{
	double lo = INFINITY, hi = -INFINITY, rmax = 0.0, v;

	if (n == 0)
		return 0.0;
	for (unsigned k = 0; k < n; k++) {
		lo = fmin(lo, s[k].ocv_v);
		hi = fmax(hi, s[k].ocv_v);
		rmax = fmax(rmax, s[k].r_ohm);
	}
	/* The bus lies where every string's current sums to the bank's: the
	 * sum rises with the bus voltage (flat where strings are blocked), so
	 * bisect between bounds that enclose every string's operating point
	 * for this current. */
	lo -= fabs(bank_a) * rmax + 1.0;
	hi += fabs(bank_a) * rmax + 1.0;
	for (int it = 0; it < 200 && hi - lo > 1e-12; it++) {
		double mid = (lo + hi) / 2.0;

		if (total_a(s, n, mid) < bank_a)
			lo = mid;
		else
			hi = mid;
	}
	v = (lo + hi) / 2.0;
	for (unsigned k = 0; k < n; k++)
		out_a[k] = string_a(&s[k], v);
	if (fabs(total_a(s, n, v) - bank_a) > 1e-6) {
		/* Nothing can carry it: the search ran to a bound where every
		 * string is cut off (the currents above are 0); the bus then
		 * rests at the strings' mean open-circuit voltage. */
		double sum = 0.0;

		for (unsigned k = 0; k < n; k++)
			sum += s[k].ocv_v;
		v = sum / n;
	}
	return v;
}

double sim_bank_load_a(const struct sim_bank_cfg *c, double t)
{
	bool looping = c->loop && c->period_s > 0.0;
	double tt = looping ? fmod(t, c->period_s) : t;
	int k = -1;

	if (c->n_load == 0)
		return 0.0;
	for (unsigned i = 0; i < c->n_load; i++)
		if (c->load[i].t_s <= tt)
			k = (int)i;
	if (k < 0)
		return (looping && t >= c->period_s)
			       ? c->load[c->n_load - 1].current_a
			       : 0.0;
	return c->load[k].current_a;
}

/* ---- the bank at run time ------------------------------------------------- */

void sim_bank_step(struct sim_bank *b, double t_s)
{
	const struct sim_bank_cfg *c = b->cfg;
	struct sim_string_in in[SIM_BANK_MAX_STRINGS];
	double load = sim_bank_load_a(c, t_s);

	for (unsigned k = 0; k < c->n_strings; k++) {
		in[k].ocv_v = 0.0;
		in[k].r_ohm = SIM_BANK_WIRE_OHM;
		in[k].can_charge = in[k].can_discharge = true;
		for (unsigned j = 0; j < c->n_series[k]; j++) {
			struct sim_model *m = b->m[k][j];

			/* taking turns: back once the bus has fallen */
			if (b->resting[k][j] &&
			    b->bus_v <= b->cut_v[k][j] - SIM_BANK_REJOIN_DROP_V) {
				b->resting[k][j] = false;
				sim_model_set_switch(m, true, true);
			}
			in[k].ocv_v += sim_model_ocv_v(m);
			in[k].r_ohm += sim_model_r_ohm(m);
			in[k].can_charge = in[k].can_charge &&
					   sim_model_can(m, true);
			in[k].can_discharge = in[k].can_discharge &&
					      sim_model_can(m, false);
		}
	}
	b->bus_v = sim_bank_share(in, c->n_strings, load, b->current_a);
	for (unsigned k = 0; k < c->n_strings; k++)
		for (unsigned j = 0; j < c->n_series[k]; j++) {
			struct sim_model *m = b->m[k][j];

			/* full while charging in a parallel bank: the BMS
			 * opens its charge MOSFET and waits for the bus */
			if (c->n_strings >= 2 && b->current_a[k] > 0.0 &&
			    sim_model_soc(m) >= SIM_BANK_FULL_SOC &&
			    !b->resting[k][j]) {
				b->resting[k][j] = true;
				b->cut_v[k][j] = b->bus_v;
				sim_model_set_switch(m, true, false);
			}
			sim_model_set(m, "current", b->current_a[k]);
		}
}

/* ---- the scenario's "banks" ------------------------------------------------ */

struct bl {
	const char *path;
	char *err;
	size_t errlen;
	const char *bank;
};

__attribute__((format(printf, 3, 4)))
static int bfail(struct bl *l, const config_setting_t *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%u: %s%s%s%s", l->path,
		 s ? config_setting_source_line(s) : 0u,
		 l->bank ? "bank " : "", l->bank ? l->bank : "",
		 l->bank ? ": " : "", msg);
	return -1;
}

static int number(struct bl *l, const config_setting_t *s, const char *key,
		  double lo, double hi, double *out)
{
	double v;

	if (!sim_setting_number(s, &v))
		return bfail(l, s, "key '%s': must be a number", key);
	if (!isfinite(v) || v < lo || v > hi)
		return bfail(l, s, "key '%s': %g is out of range (%g..%g)", key,
			     v, lo, hi);
	*out = v;
	return 0;
}

static int load_steps(struct bl *l, const config_setting_t *s,
		      struct sim_bank_cfg *c)
{
	int n = config_setting_length(s);

	if (!config_setting_is_list(s) || n > SIM_MAX_PROFILE)
		return bfail(l, s, "key 'load': expects a list of up to %d "
			     "steps ( { t = S; current = A; }, ... )",
			     SIM_MAX_PROFILE);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		const config_setting_t *t = config_setting_get_member(g, "t");
		const config_setting_t *a = config_setting_get_member(g, "current");

		if (!config_setting_is_group(g) || !t || !a ||
		    config_setting_length(g) != 2)
			return bfail(l, g, "key 'load': step %d needs exactly "
				     "t and current", i + 1);
		if (number(l, t, "load.t", 0.0, 1e9, &c->load[i].t_s) < 0 ||
		    number(l, a, "load.current", -10000.0, 10000.0,
			   &c->load[i].current_a) < 0)
			return -1;
		if (i > 0 && c->load[i].t_s < c->load[i - 1].t_s)
			return bfail(l, g, "key 'load.t': step %d comes before "
				     "step %d", i + 1, i);
		c->n_load = (unsigned)i + 1;
	}
	return 0;
}

static const char *member_bank(const struct sim_bank_cfg *out, unsigned nb,
			       const char *name)
{
	for (unsigned b = 0; b <= nb; b++)
		for (unsigned k = 0; k < out[b].n_strings; k++)
			for (unsigned j = 0; j < out[b].n_series[k]; j++)
				if (strcmp(out[b].member[k][j], name) == 0)
					return out[b].name;
	return NULL;
}

static int load_bank(struct bl *l, const config_setting_t *g,
		     const struct sim_battery_cfg *bats, unsigned n_bats,
		     struct sim_bank_cfg *out, unsigned nb)
{
	struct sim_bank_cfg *c = &out[nb];
	const config_setting_t *name = config_setting_get_member(g, "name");
	const config_setting_t *strings = NULL;

	memset(c, 0, sizeof(*c));
	if (!config_setting_is_group(g))
		return bfail(l, g, "each bank is a group { name = ...; strings = ...; }");
	if (!name || config_setting_type(name) != CONFIG_TYPE_STRING ||
	    strlen(config_setting_get_string(name)) == 0 ||
	    strlen(config_setting_get_string(name)) >= SIM_NAME_MAX)
		return bfail(l, g, "needs name = \"...\" (1 to %d characters)",
			     SIM_NAME_MAX - 1);
	snprintf(c->name, sizeof(c->name), "%s", config_setting_get_string(name));
	l->bank = c->name;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *k = config_setting_name(e);

		if (strcmp(k, "name") == 0)
			continue;
		if (strcmp(k, "strings") == 0)
			strings = e;
		else if (strcmp(k, "load") == 0) {
			if (load_steps(l, e, c) < 0)
				return -1;
		} else if (strcmp(k, "loop") == 0) {
			if (config_setting_type(e) != CONFIG_TYPE_BOOL)
				return bfail(l, e, "key 'loop': must be true or false");
			c->loop = config_setting_get_bool(e);
		} else if (strcmp(k, "period") == 0) {
			if (number(l, e, "period", 0.001, 1e9, &c->period_s) < 0)
				return -1;
		} else
			return bfail(l, e, "unknown key '%s' (name, strings, "
				     "load, loop, period)", k);
	}
	if (c->loop && (!(c->period_s > 0.0) ||
			(c->n_load && c->load[c->n_load - 1].t_s >= c->period_s)))
		return bfail(l, g, "loop needs a period after the last load step");
	if (!strings || !config_setting_is_list(strings) ||
	    config_setting_length(strings) < 1 ||
	    config_setting_length(strings) > SIM_BANK_MAX_STRINGS)
		return bfail(l, strings ? strings : g, "key 'strings': expects ( "
			     "[\"a\", \"b\"], ... ): 1 to %d arrays of battery "
			     "names", SIM_BANK_MAX_STRINGS);
	c->n_strings = (unsigned)config_setting_length(strings);
	for (unsigned k = 0; k < c->n_strings; k++) {
		const config_setting_t *a = config_setting_get_elem(strings, k);
		int m = config_setting_length(a);

		if (!config_setting_is_array(a) || m < 1 || m > SIM_BANK_MAX_SERIES)
			return bfail(l, a, "key 'strings': string %u: expects "
				     "[ ... ] of 1 to %d battery names", k + 1,
				     SIM_BANK_MAX_SERIES);
		for (int j = 0; j < m; j++) {
			const config_setting_t *e = config_setting_get_elem(a, (unsigned)j);
			const char *bn = config_setting_type(e) == CONFIG_TYPE_STRING
						 ? config_setting_get_string(e)
						 : NULL;
			const char *other;
			bool found = false;

			if (!bn)
				return bfail(l, e, "key 'strings': battery names "
					     "go in double quotes");
			for (unsigned x = 0; x < n_bats; x++)
				found = found || strcmp(bats[x].name, bn) == 0;
			if (!found)
				return bfail(l, e, "key 'strings': \"%s\" is no "
					     "battery of this scenario", bn);
			other = member_bank(out, nb, bn);
			if (other)
				return bfail(l, e, "key 'strings': battery \"%s\" "
					     "is already in bank %s", bn, other);
			snprintf(c->member[k][j], SIM_NAME_MAX, "%s", bn);
			c->n_series[k] = (unsigned)j + 1;
		}
	}
	l->bank = NULL;
	return 0;
}

int sim_banks_load(const char *path, const struct sim_battery_cfg *bats,
		   unsigned n_bats, struct sim_bank_cfg *out, unsigned max,
		   unsigned *n, char *err, size_t errlen)
{
	struct bl l = { .path = path, .err = err, .errlen = errlen };
	const config_setting_t *list;
	config_t cf;
	int rc = -1;

	*n = 0;
	config_init(&cf);
	if (!wc_cfgfile_read(&cf, path, "cannot read the file", err, errlen))
		goto out;
	list = config_setting_get_member(config_root_setting(&cf), "banks");
	if (!list) {
		rc = 0;
		goto out;
	}
	if (!config_setting_is_list(list) ||
	    (unsigned)config_setting_length(list) > max) {
		bfail(&l, list, "'banks' expects a list ( { ... }, ... ) of at "
		      "most %u banks", max);
		goto out;
	}
	for (int i = 0; i < config_setting_length(list); i++) {
		if (load_bank(&l, config_setting_get_elem(list, (unsigned)i),
			      bats, n_bats, out, (unsigned)i) < 0)
			goto out;
		for (int j = 0; j < i; j++)
			if (strcmp(out[j].name, out[i].name) == 0) {
				bfail(&l, config_setting_get_elem(list, (unsigned)i),
				      "the name is used twice");
				goto out;
			}
		*n = (unsigned)i + 1;
	}
	rc = 0;
out:
	config_destroy(&cf);
	return rc;
}
