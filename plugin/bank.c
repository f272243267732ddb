/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bank arithmetic and bank notifications: see bank.h. */
#include "bank.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alarms.h"

#define MEMBER(m, i, j) (&(m)[(size_t)(i) * WC_BANK_MAX_SERIES + (j)])

/* Plain comparisons (no libm in collectd's address space for this). */
static double lower(double a, double b)
{
	return b < a ? b : a;
}

static double higher(double a, double b)
{
	return b > a ? b : a;
}

bool wc_bank_member_counts(const struct wc_bank_member *m, uint64_t now_ms)
{
	const struct wc_sample *s = &m->sample;

	if (!m->good || !wc_has(s, WC_F_VOLTAGE) || !wc_has(s, WC_F_CURRENT))
		return false;
	if (now_ms > m->t_ms && now_ms - m->t_ms > 2 * m->interval_ms)
		return false;
	return true;
}

/* A member's SoC: its own figure, else remaining over full. */
static double member_soc(const struct wc_sample *s)
{
	if (wc_has(s, WC_F_SOC))
		return s->soc_pct;
	if (wc_has(s, WC_F_REMAINING) && wc_has(s, WC_F_FULL) && s->full_ah > 0)
		return 100.0 * s->remaining_ah / s->full_ah;
	return NAN;
}

static void compute_string(const struct wc_bank_def *def,
			   const struct wc_bank_member *m, unsigned i,
			   uint64_t now_ms, struct wc_bank_values *v)
{
	struct wc_bank_string *st = &v->s[i];
	double lo = INFINITY, hi = -INFINITY;
	double weakest = INFINITY;
	unsigned n = def->n_series[i], counted = 0;

	memset(st, 0, sizeof(*st));
	st->soc_pct = st->remaining_ah = st->full_ah = NAN;
	for (unsigned j = 0; j < n; j++) {
		const struct wc_bank_member *mb = MEMBER(m, i, j);
		const struct wc_sample *s = &mb->sample;
		double soc, cmin, cmax, cdelta;

		if (!wc_bank_member_counts(mb, now_ms))
			continue;
		counted++;
		st->voltage_v += s->voltage_v;
		st->current_a += s->current_a;
		soc = member_soc(s);
		if (isfinite(soc)) {
			lo = lower(lo, soc);
			hi = higher(hi, soc);
		}
		if (wc_has(s, WC_F_REMAINING) && wc_has(s, WC_F_FULL) &&
		    s->remaining_ah < weakest) {
			weakest = s->remaining_ah;
			st->remaining_ah = s->remaining_ah;
			st->full_ah = s->full_ah;
		}
		if (wc_sample_cell_stats(s, &cmin, &cmax, &cdelta)) {
			if (!v->has_cells) {
				v->cell_min_v = cmin;
				v->cell_max_v = cmax;
				v->has_cells = true;
			} else {
				v->cell_min_v = lower(v->cell_min_v, cmin);
				v->cell_max_v = higher(v->cell_max_v, cmax);
			}
		}
	}
	v->members_online += counted;
	if (n == 0 || counted != n)
		return;
	st->complete = true;
	st->current_a /= n;
	st->soc_spread_pct = hi >= lo ? hi - lo : NAN;
	if (isfinite(st->full_ah) && st->full_ah > 0)
		st->soc_pct = 100.0 * st->remaining_ah / st->full_ah;
}

void wc_bank_compute(const struct wc_bank_def *def,
		     const struct wc_bank_member *m, uint64_t now_ms,
		     struct wc_bank_values *v)
{
	unsigned complete = 0;
	bool charge_known = true;
	double vsum = 0;

	memset(v, 0, sizeof(*v));
	v->now_ms = now_ms;
	v->voltage_v = v->soc_spread_pct = v->cell_min_v = v->cell_max_v = NAN;
	v->current_a = v->power_w = v->soc_pct = NAN;
	v->remaining_ah = v->full_ah = v->share_imbalance_pct = NAN;
	for (unsigned i = 0; i < def->n_strings && i < WC_BANK_MAX_STRINGS;
	     i++) {
		v->members_total += def->n_series[i];
		compute_string(def, m, i, now_ms, v);
		if (!v->s[i].complete)
			continue;
		complete++;
		vsum += v->s[i].voltage_v;
		if (isfinite(v->s[i].soc_spread_pct)) {
			if (!v->has_spread ||
			    v->s[i].soc_spread_pct > v->soc_spread_pct)
				v->soc_spread_pct = v->s[i].soc_spread_pct;
			v->has_spread = true;
		}
		if (!isfinite(v->s[i].full_ah))
			charge_known = false;
	}
	if (complete) {
		v->has_voltage = true;
		v->voltage_v = vsum / complete;
	}
	if (def->n_strings == 0 || complete != def->n_strings)
		return;
	v->complete = true;
	v->current_a = v->power_w = 0;
	for (unsigned i = 0; i < def->n_strings; i++) {
		v->current_a += v->s[i].current_a;
		v->power_w += v->s[i].voltage_v * v->s[i].current_a;
	}
	if (charge_known) {
		v->remaining_ah = v->full_ah = 0;
		for (unsigned i = 0; i < def->n_strings; i++) {
			v->remaining_ah += v->s[i].remaining_ah;
			v->full_ah += v->s[i].full_ah;
		}
		if (v->full_ah > 0)
			v->soc_pct = 100.0 * v->remaining_ah / v->full_ah;
	}
	if (fabs(v->current_a) >= WC_BANK_SHARE_MIN_A) {
		double even = 100.0 / def->n_strings;

		v->has_share = true;
		v->share_imbalance_pct = 0;
		for (unsigned i = 0; i < def->n_strings; i++) {
			double d;

			v->s[i].has_share = true;
			v->s[i].share_pct =
				100.0 * v->s[i].current_a / v->current_a;
			d = fabs(v->s[i].share_pct - even);
			if (d > v->share_imbalance_pct)
				v->share_imbalance_pct = d;
		}
	}
}

/* ---- rows ------------------------------------------------------------- */

/* The type instances of string 1..8, with a suffix. */
#define STRING_NAMES(sfx)                                                   \
	{ "string1" sfx, "string2" sfx, "string3" sfx, "string4" sfx,      \
	  "string5" sfx, "string6" sfx, "string7" sfx, "string8" sfx }

static const char *const string_v[WC_BANK_MAX_STRINGS] = STRING_NAMES("");
static const char *const string_soc[WC_BANK_MAX_STRINGS] =
	STRING_NAMES("_soc");
static const char *const string_spread[WC_BANK_MAX_STRINGS] =
	STRING_NAMES("_spread");
static const char *const string_share[WC_BANK_MAX_STRINGS] =
	STRING_NAMES("_share");

struct rows {
	struct wc_metric *v;
	size_t num, cap;
};

static void put(struct rows *rs, const char *type, const char *ti,
		double value)
{
	if (!isfinite(value) || rs->num >= rs->cap)
		return;
	rs->v[rs->num].type = type;
	rs->v[rs->num].type_instance = ti;
	rs->v[rs->num].value = value;
	rs->num++;
}

size_t wc_bank_metrics(const struct wc_bank_def *def,
		       const struct wc_bank_values *v, struct wc_metric *out,
		       size_t cap)
{
	struct rows rs = { .v = out, .num = 0, .cap = cap };

	if (v->has_voltage)
		put(&rs, "voltage", "bank", v->voltage_v);
	if (v->has_spread)
		put(&rs, "percent", "soc_spread", v->soc_spread_pct);
	if (v->has_cells) {
		put(&rs, "voltage", "cell_min", v->cell_min_v);
		put(&rs, "voltage", "cell_max", v->cell_max_v);
	}
	if (v->complete) {
		put(&rs, "current", "bank", v->current_a);
		put(&rs, "power", "bank", v->power_w);
		put(&rs, "charge", "remaining", v->remaining_ah);
		put(&rs, "charge", "full", v->full_ah);
		put(&rs, "percent", "soc", v->soc_pct);
	}
	for (unsigned i = 0; i < def->n_strings && i < WC_BANK_MAX_STRINGS;
	     i++) {
		const struct wc_bank_string *st = &v->s[i];

		if (!st->complete)
			continue;
		put(&rs, "voltage", string_v[i], st->voltage_v);
		put(&rs, "current", string_v[i], st->current_a);
		put(&rs, "percent", string_soc[i], st->soc_pct);
		put(&rs, "percent", string_spread[i], st->soc_spread_pct);
		if (st->has_share)
			put(&rs, "percent", string_share[i], st->share_pct);
	}
	if (v->has_share)
		put(&rs, "percent", "share_imbalance", v->share_imbalance_pct);
	/* always, and last: a reader knows the bank's rows are complete */
	put(&rs, "count", "members_online", v->members_online);
	return rs.num;
}

/* ---- notifications ---------------------------------------------------- */

/* For "%.1f": no "-0.0" in a message. */
static double shown(double x)
{
	return fabs(x) < 0.05 ? 0.0 : x;
}

/* Emit one event; the message is formatted into the event itself. */
__attribute__((format(printf, 6, 7)))
static void emit(wc_event_fn fn, void *user, unsigned *count,
		 enum wc_severity sev, const char *id, const char *fmt, ...)
{
	struct wc_event ev;
	char buf[512];
	va_list ap;

	memset(&ev, 0, sizeof(ev));
	ev.severity = sev;
	ev.id = id;
	ev.cls = "bank";
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	wc_utf8_copy(ev.message, sizeof(ev.message), buf);
	fn(&ev, user);
	(*count)++;
}

/* "bank4 discharge MOSFET off (DSG OCP(A))": why a string carries no
 * current, from its members' latest polls; "isolated" when no member's
 * MOSFET explains it. */
static void dead_cause(const struct wc_bank_def *def,
		       const struct wc_bank_member *m, unsigned i,
		       bool charging, uint64_t now_ms, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned j = 0; j < def->n_series[i]; j++) {
		const struct wc_bank_member *mb = MEMBER(m, i, j);
		const struct wc_sample *s = &mb->sample;
		bool off;
		int n;

		unsigned k = 0;

		if (!wc_bank_member_counts(mb, now_ms) ||
		    !wc_has(s, WC_F_STATUS))
			continue;
		off = charging ? !s->charge_mos : !s->discharge_mos;
		if (!off)
			continue;
		n = snprintf(out + len, cap - len, "%s%s %s MOSFET off",
			     len ? "; " : "", def->member[i][j],
			     charging ? "charge" : "discharge");
		if (n < 0 || (size_t)n >= cap - len)
			return;
		len += (size_t)n;
		for (size_t a = 0; a < wc_alarm_count; a++) {
			const struct wc_alarm *al = &wc_alarms[a];

			if ((al->cls != WC_CLASS_PROTECTION &&
			     al->cls != WC_CLASS_FAULT) ||
			    !wc_alarm_active(al, &s->regs))
				continue;
			n = snprintf(out + len, cap - len, "%s%s",
				     k++ ? ", " : " (", al->name);
			if (n < 0 || (size_t)n >= cap - len)
				return;
			len += (size_t)n;
		}
		n = snprintf(out + len, cap - len, "%s",
			     k ? ")" : " (no protection or fault reported)");
		if (n < 0 || (size_t)n >= cap - len)
			return;
		len += (size_t)n;
	}
	if (!len)
		snprintf(out, cap, "isolated (MOSFETs on: check its cables, "
				   "fuse and breaker)");
}

/* Whether a protection or fault is active in a member's last status. */
static bool protected_or_faulty(const struct wc_sample *s)
{
	return wc_alarm_count_active(&s->regs, WC_CLASS_PROTECTION) > 0 ||
	       wc_alarm_count_active(&s->regs, WC_CLASS_FAULT) > 0;
}

/* Whether member j of string i is taking turns: a battery alone in its
 * string, no current with both MOSFETs on while the bank (of at least two
 * strings) carries the load -- or, while the bank charges, with only its
 * charge MOSFET open and no protection or fault (a full pack waiting for
 * the bus to fall).  In a longer string the mates would read 0 A as well:
 * that is an isolated string. */
static bool taking_turns(const struct wc_bank_def *def,
			 const struct wc_bank_member *m,
			 const struct wc_bank_values *v, unsigned i,
			 unsigned j, uint64_t now_ms)
{
	const struct wc_bank_member *mb = MEMBER(m, i, j);
	const struct wc_sample *s = &mb->sample;

	if (!(def->n_strings >= 2 && def->n_series[i] == 1 && v->complete &&
	      fabs(v->current_a) > WC_BANK_DEAD_MIN_A &&
	      wc_bank_member_counts(mb, now_ms) &&
	      fabs(s->current_a) < WC_BANK_ZERO_A && wc_has(s, WC_F_STATUS) &&
	      s->discharge_mos))
		return false;
	if (s->charge_mos)
		return true;
	/* a pack that opened its charge MOSFET itself, with nothing wrong,
	 * while the bank charges: full, waiting for the bus to fall */
	return v->current_a > 0 && !protected_or_faulty(s);
}

/* Whether string i carries no current while the bank carries the load,
 * taking turns aside. */
static bool string_dead(const struct wc_bank_def *def,
			const struct wc_bank_member *m,
			const struct wc_bank_values *v, unsigned i,
			uint64_t now_ms)
{
	if (!v->complete || fabs(v->current_a) <= WC_BANK_DEAD_MIN_A ||
	    fabs(v->s[i].current_a) >= WC_BANK_ZERO_A)
		return false;
	for (unsigned j = 0; j < def->n_series[i]; j++)
		if (taking_turns(def, m, v, i, j, now_ms))
			return false;
	return true;
}

/* Whether a rule's state *cur turns into on now.  A change must hold for
 * one round (every member polled again) before it counts, so members
 * polled at different moments around a step of the load raise nothing. */
static bool changes(bool *cur, uint64_t *since, bool on, uint64_t now,
		    uint64_t round)
{
	if (on == *cur) {
		*since = 0;
		return false;
	}
	if (*since == 0 || now < *since)
		*since = now ? now : 1;
	if (now - *since < round)
		return false;
	*cur = on;
	*since = 0;
	return true;
}

/* A round: the longest interval of the bank's members. */
static uint64_t round_ms(const struct wc_bank_def *def,
			 const struct wc_bank_member *m)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < def->n_strings; i++)
		for (unsigned j = 0; j < def->n_series[i]; j++)
			if (MEMBER(m, i, j)->interval_ms > r)
				r = MEMBER(m, i, j)->interval_ms;
	return r;
}

/* One pass over the rules.  st NULL: report what is active now. */
static unsigned alerts(struct wc_bank_alerts *st,
		       const struct wc_bank_def *def,
		       const struct wc_bank_member *m,
		       const struct wc_bank_values *v, wc_event_fn fn,
		       void *user)
{
	uint64_t now = v->now_ms;
	uint64_t round = round_ms(def, m);
	unsigned count = 0;
	char id[WC_BANK_NAME_MAX + 16];
	char cause[384];
	const char *name = def->name;
	double even = def->n_strings ? 100.0 / def->n_strings : 100.0;

	if (v->has_spread && def->soc_spread_warn > 0) {
		bool on = v->soc_spread_pct > def->soc_spread_warn;

		if (st ? changes(&st->spread, &st->since_spread, on, now, round)
		       : on) {
			unsigned worst = 0;

			for (unsigned i = 0; i < def->n_strings; i++)
				if (v->s[i].complete &&
				    v->s[i].soc_spread_pct ==
					    v->soc_spread_pct)
					worst = i;
			if (on)
				emit(fn, user, &count, WC_SEV_WARNING,
				     "soc_spread",
				     "%s: SoC spread %.1f %% in string %u "
				     "exceeds %.1f %%",
				     name, v->soc_spread_pct, worst + 1,
				     def->soc_spread_warn);
			else
				emit(fn, user, &count, WC_SEV_OKAY,
				     "soc_spread",
				     "%s: SoC spread %.1f %% is within %.1f %% "
				     "again", name, v->soc_spread_pct,
				     def->soc_spread_warn);
		}
	}
	for (unsigned i = 0; i < def->n_strings; i++) {
		const struct wc_bank_string *s = &v->s[i];

		if (v->complete && def->share_warn > 0) {
			/* a bank too quiet for shares clears the warning */
			bool on = s->has_share &&
				  fabs(s->share_pct - even) > def->share_warn;

			bool fire = st ? changes(&st->share[i],
						 &st->since_share[i], on, now,
						 round)
				       : on;

			snprintf(id, sizeof(id), "share-%u", i + 1);
			if (fire && on)
				emit(fn, user, &count, WC_SEV_WARNING, id,
				     "%s: string %u carries %.1f %% of the "
				     "bank current (%.1f A of %.1f A), more "
				     "than %.1f points from the even share "
				     "%.1f %%", name, i + 1, shown(s->share_pct),
				     shown(s->current_a), v->current_a,
				     def->share_warn, even);
			else if (fire)
				emit(fn, user, &count, WC_SEV_OKAY, id,
				     "%s: string %u carries its share of the "
				     "bank current again%s", name, i + 1,
				     s->has_share ? "" : " (bank at rest)");
		}
		if (v->complete) {
			bool on = string_dead(def, m, v, i, now);
			bool fire = st ? changes(&st->dead[i],
						 &st->since_dead[i], on, now,
						 round)
				       : on;

			snprintf(id, sizeof(id), "string-%u", i + 1);
			if (fire && on) {
				dead_cause(def, m, i, v->current_a > 0, now,
					   cause, sizeof(cause));
				emit(fn, user, &count, WC_SEV_FAILURE, id,
				     "%s: string %u carries %.1f A of %.1f A: "
				     "%s", name, i + 1, shown(s->current_a),
				     v->current_a, cause);
			} else if (fire)
				emit(fn, user, &count, WC_SEV_OKAY, id,
				     "%s: string %u carries %.1f A of %.1f A "
				     "again", name, i + 1, shown(s->current_a),
				     v->current_a);
		}
		for (unsigned j = 0; j < def->n_series[i]; j++) {
			const struct wc_bank_member *mb = MEMBER(m, i, j);
			bool on, fire;

			if (!v->complete)
				continue;
			on = taking_turns(def, m, v, i, j, now);
			fire = st ? changes(&st->turns[i][j],
					    &st->since_turns[i][j], on, now,
					    round)
				  : on;
			snprintf(id, sizeof(id), "turns-%s",
				 def->member[i][j]);
			if (fire && on)
				emit(fn, user, &count, WC_SEV_WARNING, id,
				     "%s: %s is taking turns: 0.0 A with %s "
				     "while the bank carries %.1f A (SoC "
				     "%.0f %%)", name, def->member[i][j],
				     mb->sample.charge_mos
					     ? "its MOSFETs on"
					     : "its charge MOSFET off and no "
					       "protection",
				     v->current_a, member_soc(&mb->sample));
			else if (fire)
				emit(fn, user, &count, WC_SEV_OKAY, id,
				     "%s: %s is no longer taking turns "
				     "(%.1f A)", name, def->member[i][j],
				     shown(mb->sample.current_a));
		}
	}
	return count;
}

unsigned wc_bank_alerts_update(struct wc_bank_alerts *st,
			       const struct wc_bank_def *def,
			       const struct wc_bank_member *m,
			       const struct wc_bank_values *v,
			       wc_event_fn fn, void *user)
{
	return alerts(st, def, m, v, fn, user);
}

unsigned wc_bank_alerts_active(const struct wc_bank_def *def,
			       const struct wc_bank_member *m,
			       const struct wc_bank_values *v,
			       wc_event_fn fn, void *user)
{
	return alerts(NULL, def, m, v, fn, user);
}
