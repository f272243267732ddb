/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin's identifiers: see metrics.h and collectd-wattcycle(5), VALUES. */
#include "metrics.h"

#include <math.h>
#include <string.h>

#include "alarms.h"

struct rows {
	struct wc_metric *v;
	size_t num;
	size_t cap;
};

/* type_instance names of the per-cell and per-probe rows, spelled out so
 * that no row needs formatting at run time. */
static const char *const cell_names[WC_MAX_CELLS] = {
	"cell01", "cell02", "cell03", "cell04", "cell05", "cell06", "cell07",
	"cell08", "cell09", "cell10", "cell11", "cell12", "cell13", "cell14",
	"cell15", "cell16", "cell17", "cell18", "cell19", "cell20", "cell21",
	"cell22", "cell23", "cell24", "cell25", "cell26", "cell27", "cell28",
	"cell29", "cell30", "cell31", "cell32"
};
static const char *const probe_names[WC_MAX_PROBES] = {
	"probe1", "probe2", "probe3", "probe4", "probe5", "probe6", "probe7",
	"probe8", "probe9", "probe10", "probe11", "probe12", "probe13",
	"probe14", "probe15", "probe16", "probe17", "probe18", "probe19",
	"probe20", "probe21", "probe22", "probe23", "probe24", "probe25",
	"probe26", "probe27", "probe28", "probe29", "probe30"
};

/* Append a row; non-finite values are left out. */
static void put(struct rows *rs, const char *type, double value,
		const char *type_instance)
{
	if (!isfinite(value) || rs->num >= rs->cap)
		return;
	rs->v[rs->num].type = type;
	rs->v[rs->num].type_instance = type_instance;
	rs->v[rs->num].value = value;
	rs->num++;
}

/* One bool row per code of a class filter: state codes (the MOSFETs) or
 * every other code; only the codes the battery's protocol family has
 * (every family's for the list of all identifiers).  With active, the
 * same pass counts the active codes of every class, whatever the family
 * (wc_alarm_count_active's figures, without three more passes). */
static void put_codes(struct rows *rs, const struct wc_status_regs *regs,
		      bool states, enum wc_family fam, bool every_family,
		      unsigned active[WC_CLASS_STATE + 1])
{
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];
		bool on = wc_alarm_active(a, regs);

		if (active && on && (unsigned)a->cls <= WC_CLASS_STATE)
			active[a->cls]++;
		if ((a->cls == WC_CLASS_STATE) != states)
			continue;
		if (every_family || wc_alarm_in_family(a, fam))
			put(rs, "bool", on ? 1.0 : 0.0, a->id);
	}
}

static size_t metrics_rows(const struct wc_poll_result *r,
			   const struct wc_metric_opts *o,
			   struct wc_metric *out, size_t cap, bool every_family)
{
	const struct wc_sample *s = &r->sample;
	struct rows rs = { .v = out, .num = 0, .cap = cap };
	double lo, hi, delta;

	if (wc_has(s, WC_F_VOLTAGE))
		put(&rs, "voltage", s->voltage_v, "pack");
	if (wc_has(s, WC_F_CELLS) && o->cells)
		for (unsigned i = 0; i < s->n_cells && i < WC_MAX_CELLS; i++)
			put(&rs, "voltage", s->cell_v[i], cell_names[i]);
	if (wc_sample_cell_stats(s, &lo, &hi, &delta)) {
		put(&rs, "voltage", lo, "cell_min");
		put(&rs, "voltage", hi, "cell_max");
		put(&rs, "voltage", delta, "cell_delta");
	}
	if (wc_has(s, WC_F_CURRENT))
		put(&rs, "current", s->current_a, "pack");
	if (wc_has(s, WC_F_POWER))
		put(&rs, "power", s->power_w, "pack");
	if (wc_has(s, WC_F_SOC))
		put(&rs, "percent", s->soc_pct, "soc");
	if (wc_has(s, WC_F_SOH))
		put(&rs, "percent", s->soh_pct, "soh");
	if (wc_has(s, WC_F_REMAINING))
		put(&rs, "charge", s->remaining_ah, "remaining");
	if (wc_has(s, WC_F_FULL))
		put(&rs, "charge", s->full_ah, "full");
	if (wc_has(s, WC_F_DESIGN))
		put(&rs, "charge", s->design_ah, "design");
	if (wc_has(s, WC_F_CYCLES))
		put(&rs, "count", (double)s->cycles, "cycles");
	if (wc_has(s, WC_F_TEMP_MOS))
		put(&rs, "temperature", s->temp_mos_c, "mos");
	if (wc_has(s, WC_F_TEMP_ENV))
		put(&rs, "temperature", s->temp_env_c, "env");
	if (wc_has(s, WC_F_PROBES))
		for (unsigned i = 0; i < s->n_probes && i < WC_MAX_PROBES; i++)
			put(&rs, "temperature", s->probe_c[i], probe_names[i]);
	if (wc_has(s, WC_F_STATUS)) {
		/* The MOSFET states (the table's state codes chg_on, dsg_on)
		 * always, every other code when asked for. */
		unsigned active[WC_CLASS_STATE + 1] = { 0 };

		put_codes(&rs, &s->regs, true, s->family, every_family,
			  active);
		put(&rs, "bool", s->balancing ? 1.0 : 0.0, "balancing");
		if (o->alarm_values)
			put_codes(&rs, &s->regs, false, s->family,
				  every_family, NULL);
		put(&rs, "count", active[WC_CLASS_PROTECTION], "protections");
		put(&rs, "count", active[WC_CLASS_ALARM], "alarms");
		put(&rs, "count", active[WC_CLASS_FAULT], "faults");
	}
	/* JBD family: the self-heating models' heater, the humidity sensor */
	if (wc_has(s, WC_F_HEATING))
		put(&rs, "bool", s->heating ? 1.0 : 0.0, "heating");
	if (wc_has(s, WC_F_HUMIDITY))
		put(&rs, "humidity", s->humidity_pct, "pack");
	/* A result exists, so the battery answered. */
	put(&rs, "bool", 1.0, "online");
	if (r->has_rssi)
		put(&rs, "signal_power", (double)r->rssi_dbm, "rssi");
	if (r->poll_s >= 0)
		put(&rs, "duration", r->poll_s, "poll");
	return rs.num;
}

size_t wc_metrics(const struct wc_poll_result *r,
		  const struct wc_metric_opts *o, struct wc_metric *out,
		  size_t cap)
{
	return metrics_rows(r, o, out, cap, false);
}

size_t wc_metrics_all(struct wc_metric *out, size_t cap)
{
	static const struct wc_metric_opts every = { true, true };
	struct wc_poll_result all;

	memset(&all, 0, sizeof(all));
	all.sample.present = (1u << WC_F__COUNT) - 1u;
	all.sample.n_cells = WC_MAX_CELLS;
	all.sample.n_probes = WC_MAX_PROBES;
	all.has_rssi = true;
	return metrics_rows(&all, &every, out, cap, true);
}
