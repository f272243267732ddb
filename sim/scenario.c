/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scenario files (libconfig), --alarm/--fault arguments, fault names and
 * battery defaults: see model.h and conf/sim/README.
 *
 * The policy is strict (doc/DESIGN.md, "Configuration"): an unknown key, a value of the wrong
 * type or out of range is an error that names the file, the line, the
 * battery and the key, and nothing is loaded. */
#include "model.h"
#include "sim_ble.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarms.h"
#include "cfgfile.h"
#include "fidelity.h"
#include "jbd_sim.h"
#include "setting.h"

static const char *const fault_names[SIM_FAULT__COUNT] = {
	[SIM_FAULT_LATENCY] = "latency",
	[SIM_FAULT_SILENCE] = "silence",
	[SIM_FAULT_DROP] = "drop",
	[SIM_FAULT_CRC] = "crc",
	[SIM_FAULT_GARBAGE] = "garbage",
	[SIM_FAULT_DUPLICATE] = "duplicate",
	[SIM_FAULT_LENGTH] = "length",
	[SIM_FAULT_REFUSE] = "refuse",
};

const char *sim_fault_name(enum sim_fault f)
{
	if ((int)f < 0 || f >= SIM_FAULT__COUNT)
		return "unknown";
	return fault_names[f];
}

int sim_fault_by_name(const char *name)
{
	if (!name)
		return -1;
	for (int f = 0; f < SIM_FAULT__COUNT; f++)
		if (strcmp(fault_names[f], name) == 0)
			return f;
	return -1;
}

void sim_battery_cfg_defaults(struct sim_battery_cfg *cfg, const char *name)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	if (!name || !*name)
		name = "battery";
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	cfg->cells = 4;
	cfg->probes = 2;
	cfg->capacity_ah = 100.0;
	cfg->full_ah = 100.0;
	cfg->soc_pct = 80.0;
	cfg->cell_v = 0.0; /* follow the OCV curve from the SoC */
	cfg->cell_spread_v = 0.004;
	cfg->cell_drift_v_per_h = 0.0;
	cfg->temp_c = 20.0;
	cfg->cycles = 0;
	cfg->head = SIM_HEAD_BOTH;
	cfg->version = 0;
	cfg->mtu = 517;
	cfg->latency_ms = 300;
	cfg->unlock_required = true;
	cfg->unlock_timeout_ms = 4000; /* ~3.9 s measured on 49A1 (§3.1) */
	snprintf(cfg->unlock_key, sizeof(cfg->unlock_key), "HiLink");
	snprintf(cfg->firmware, sizeof(cfg->firmware), "WT30_10004SW14_L_01");
	snprintf(cfg->manufacturer, sizeof(cfg->manufacturer), "wattcycle-sim");
	snprintf(cfg->serial, sizeof(cfg->serial), "SIM-%.16s", cfg->name);
	cfg->profile_loop = false;
	cfg->profile_period_s = 0.0;
	sim_fidelity_defaults(&cfg->fid);
}

/* "ID" or "ID@SECONDS": split off and check the time part. */
static int split_at(const char *arg, char *id, size_t idcap, double *t_s,
		    bool *timed, char *err, size_t errlen)
{
	const char *at = strchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : strlen(arg);
	char *end;

	if (n == 0 || n >= idcap) {
		snprintf(err, errlen, "'%s': expected NAME or NAME@SECONDS", arg);
		return -1;
	}
	memcpy(id, arg, n);
	id[n] = '\0';
	*timed = at != NULL;
	*t_s = 0.0;
	if (!at)
		return 0;
	errno = 0;
	*t_s = strtod(at + 1, &end);
	if (at[1] == '\0' || *end != '\0' || errno || !isfinite(*t_s) ||
	    *t_s < 0.0) {
		snprintf(err, errlen, "'%s': time '%s' is not a number of seconds >= 0",
			 arg, at + 1);
		return -1;
	}
	return 0;
}

static int add_event(struct sim_battery_cfg *cfg, double t_s, bool is_fault,
		     int index, bool on)
{
	struct sim_event *e;

	if (cfg->n_events >= SIM_MAX_EVENTS)
		return -1;
	e = &cfg->events[cfg->n_events++];
	e->t_s = t_s;
	e->is_fault = is_fault;
	e->index = index;
	e->on = on;
	return 0;
}

int sim_cfg_add_alarm_arg(struct sim_battery_cfg *cfg, const char *arg,
			  char *err, size_t errlen)
{
	char id[64];
	double t_s;
	bool timed;
	const struct wc_alarm *a;

	if (!cfg || !arg) {
		snprintf(err, errlen, "missing alarm");
		return -1;
	}
	if (split_at(arg, id, sizeof(id), &t_s, &timed, err, errlen) < 0)
		return -1;
	a = wc_alarm_by_id(id);
	if (!a) {
		snprintf(err, errlen, "unknown alarm id '%s'",
			 id);
		return -1;
	}
	/* Without a time the code is on from the start: an event at 0 is
	 * applied by sim_model_new before the first request. */
	if (add_event(cfg, t_s, false, (int)(a - wc_alarms), true) < 0) {
		snprintf(err, errlen, "'%s': more than %d scheduled events", arg,
			 SIM_MAX_EVENTS);
		return -1;
	}
	(void)timed;
	return 0;
}

int sim_cfg_add_fault_arg(struct sim_battery_cfg *cfg, const char *arg,
			  char *err, size_t errlen)
{
	char kind[32];
	double t_s;
	bool timed;
	int f;

	if (!cfg || !arg) {
		snprintf(err, errlen, "missing fault");
		return -1;
	}
	if (split_at(arg, kind, sizeof(kind), &t_s, &timed, err, errlen) < 0)
		return -1;
	f = sim_fault_by_name(kind);
	if (f < 0) {
		snprintf(err, errlen,
			 "unknown fault '%s' (latency, silence, drop, crc, garbage, "
			 "duplicate, length, refuse)",
			 kind);
		return -1;
	}
	if (!timed) {
		cfg->faults[f] = true;
		return 0;
	}
	if (add_event(cfg, t_s, true, f, true) < 0) {
		snprintf(err, errlen, "'%s': more than %d scheduled events", arg,
			 SIM_MAX_EVENTS);
		return -1;
	}
	return 0;
}

/* ---- scenario files ---------------------------------------------------- */

struct loader {
	const char *path;
	char *err;
	size_t errlen;
	const char *battery; /* name for messages, "#N" before it is known */
	char label[48];
};

/* "file:line: battery 'x': key 'k': message" -- the parts that are known. */
__attribute__((format(printf, 4, 5))) static int
scen_fail(struct loader *l, const config_setting_t *s, const char *key,
	  const char *fmt, ...)
{
	char msg[256], bat[64] = "", k[64] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->battery && *l->battery)
		snprintf(bat, sizeof(bat), "battery %s: ", l->battery);
	if (key)
		snprintf(k, sizeof(k), "key '%s': ", key);
	snprintf(l->err, l->errlen, "%s:%u: %s%s%s", l->path,
		 s ? config_setting_source_line(s) : 0u, bat, k, msg);
	/* values from the file are quoted in it: keep it one line */
	for (char *p = l->err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

static int get_number(struct loader *l, const config_setting_t *s,
		      const char *key, double lo, double hi, double *out)
{
	double v;

	if (!sim_setting_number(s, &v))
		return scen_fail(l, s, key, "must be a number");
	if (!isfinite(v) || v < lo || v > hi)
		return scen_fail(l, s, key, "%g is out of range (%g..%g)", v, lo, hi);
	*out = v;
	return 0;
}

static int get_bool(struct loader *l, const config_setting_t *s,
		    const char *key, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return scen_fail(l, s, key, "must be true or false");
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

static int get_string(struct loader *l, const config_setting_t *s,
		      const char *key, const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return scen_fail(l, s, key, "must be a string in double quotes");
	*out = config_setting_get_string(s);
	if (!*out)
		*out = "";
	return 0;
}

static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		      *s == '.'))
			return false;
	return true;
}

/* A relative socket path is relative to the scenario file's directory, so
 * that a scenario works from any working directory. */
static int get_socket(struct loader *l, const config_setting_t *s,
		      struct sim_battery_cfg *cfg)
{
	const char *v = "", *slash;
	int n;

	if (get_string(l, s, "socket", &v) < 0)
		return -1;
	if (!*v)
		return scen_fail(l, s, "socket", "must not be empty");
	slash = strrchr(l->path, '/');
	if (v[0] == '/' || !slash)
		n = snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%s", v);
	else
		n = snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%.*s/%s",
			     (int)(slash - l->path), l->path, v);
	if (n < 0 || (size_t)n >= sizeof(cfg->socket_path))
		return scen_fail(l, s, "socket",
			    "\"%s\" gives a path longer than %zu bytes (AF_UNIX limit)",
			    v, sizeof(cfg->socket_path) - 1);
	return 0;
}

/* The elements of a list of groups, each group's keys checked by cb. */
static int check_list(struct loader *l, const config_setting_t *s,
		      const char *key)
{
	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return scen_fail(l, s, key, "must be a list ( { ... }, ... )");
	for (int i = 0; i < config_setting_length(s); i++)
		if (!config_setting_is_group(config_setting_get_elem(s, (unsigned)i)))
			return scen_fail(l, config_setting_get_elem(s, (unsigned)i), key,
				    "element %d must be a group { ... }", i + 1);
	return 0;
}

static int get_profile(struct loader *l, const config_setting_t *s,
		       struct sim_battery_cfg *cfg)
{
	int n;

	if (check_list(l, s, "profile") < 0)
		return -1;
	n = config_setting_length(s);
	if (n > SIM_MAX_PROFILE)
		return scen_fail(l, s, "profile", "%d steps, at most %d", n,
			    SIM_MAX_PROFILE);
	cfg->n_profile = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct sim_profile_step *st = &cfg->profile[i];
		bool have_t = false, have_i = false;

		for (int k = 0; k < config_setting_length(g); k++) {
			const config_setting_t *e =
				config_setting_get_elem(g, (unsigned)k);
			const char *name = config_setting_name(e);

			if (strcmp(name, "t") == 0) {
				if (get_number(l, e, "profile.t", 0.0, 1e9,
					       &st->t_s) < 0)
					return -1;
				have_t = true;
			} else if (strcmp(name, "current") == 0) {
				if (get_number(l, e, "profile.current",
					       -SIM_CURRENT_MAX_A,
					       SIM_CURRENT_MAX_A,
					       &st->current_a) < 0)
					return -1;
				have_i = true;
			} else {
				return scen_fail(l, e, "profile",
					    "unknown key '%s' in a step (t, current)",
					    name);
			}
		}
		if (!have_t || !have_i)
			return scen_fail(l, g, "profile",
				    "step %d needs both t and current", i + 1);
		if (i > 0 && st->t_s < cfg->profile[i - 1].t_s)
			return scen_fail(l, g, "profile.t",
				    "step %d at %g s comes before step %d at %g s",
				    i + 1, st->t_s, i, cfg->profile[i - 1].t_s);
		cfg->n_profile++;
	}
	return 0;
}

/* alarms = ( { id = "..."; at = S; on = B; } ) and faults = ( { kind = ... } ):
 * "at" absent means from the start, "on" absent means true. */
static int get_events(struct loader *l, const config_setting_t *s,
		      struct sim_battery_cfg *cfg, bool faults)
{
	const char *list = faults ? "faults" : "alarms";
	const char *what = faults ? "kind" : "id";

	if (check_list(l, s, list) < 0)
		return -1;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		const config_setting_t *idset = NULL;
		const char *id = NULL;
		double at = 0.0;
		bool timed = false, on = true;
		int index;
		char key[32];

		for (int k = 0; k < config_setting_length(g); k++) {
			const config_setting_t *e =
				config_setting_get_elem(g, (unsigned)k);
			const char *name = config_setting_name(e);

			snprintf(key, sizeof(key), "%s.%s", list, name);
			if (strcmp(name, what) == 0) {
				if (get_string(l, e, key, &id) < 0)
					return -1;
				idset = e;
			} else if (strcmp(name, "at") == 0) {
				if (get_number(l, e, key, 0.0, 1e9, &at) < 0)
					return -1;
				timed = true;
			} else if (strcmp(name, "on") == 0) {
				if (get_bool(l, e, key, &on) < 0)
					return -1;
			} else {
				return scen_fail(l, e, list, "unknown key '%s' (%s, at, on)",
					    name, what);
			}
		}
		snprintf(key, sizeof(key), "%s.%s", list, what);
		if (!id)
			return scen_fail(l, g, key, "entry %d has no %s", i + 1, what);
		if (faults) {
			index = sim_fault_by_name(id);
			if (index < 0)
				return scen_fail(l, idset, key,
					    "unknown fault kind \"%s\" (latency, silence, "
					    "drop, crc, garbage, duplicate, length, refuse)",
					    id);
		} else {
			const struct wc_alarm *a = wc_alarm_by_id(id);

			if (!a)
				return scen_fail(l, idset, key, "unknown alarm id \"%s\"",
					    id);
			index = (int)(a - wc_alarms);
		}
		if (faults && !timed) {
			cfg->faults[index] = on;
			continue;
		}
		if (add_event(cfg, at, faults, index, on) < 0)
			return scen_fail(l, g, list, "more than %d scheduled events",
				    SIM_MAX_EVENTS);
	}
	return 0;
}

/* The battery's name (or "batteryN"), which its defaults depend on. */
static int battery_name(struct loader *l, const config_setting_t *g,
			unsigned idx, char *name, size_t cap)
{
	const config_setting_t *s = config_setting_get_member(g, "name");
	const char *v = NULL;

	snprintf(l->label, sizeof(l->label), "#%u", idx + 1);
	l->battery = l->label;
	if (!s) {
		snprintf(name, cap, "battery%u", idx + 1);
		return 0;
	}
	if (get_string(l, s, "name", &v) < 0)
		return -1;
	if (!name_ok(v) || strlen(v) >= SIM_NAME_MAX)
		return scen_fail(l, s, "name",
			    "\"%s\" must be 1..%d characters of A-Z a-z 0-9 _ - .",
			    v, SIM_NAME_MAX - 1);
	snprintf(l->label, sizeof(l->label), "'%s'", v);
	snprintf(name, cap, "%s", v);
	return 0;
}

/* The keys the loader reads itself rather than through the table. */
static int other_key(struct loader *l, const config_setting_t *s,
		     const char *key, struct sim_battery_cfg *cfg)
{
	if (strcmp(key, "name") == 0)
		return 0; /* read first, by battery_name */
	if (strcmp(key, "socket") == 0)
		return get_socket(l, s, cfg);
	if (strcmp(key, "profile") == 0)
		return get_profile(l, s, cfg);
	if (strcmp(key, "alarms") == 0)
		return get_events(l, s, cfg, false);
	return get_events(l, s, cfg, true); /* "faults" */
}

/* One key of a battery group: a battery setting, a fidelity detail or
 * unknown. */
static int battery_key(struct loader *l, const config_setting_t *s,
		       struct sim_battery_cfg *cfg)
{
	const char *key = config_setting_name(s);
	const struct sim_setting *st = sim_setting_by_key(key);
	char msg[160];
	int fk;

	if (st && st->kind == SIM_SET_OTHER)
		return other_key(l, s, key, cfg);
	if (st) {
		if (!sim_setting_from_config(st, s, cfg, msg, sizeof(msg)))
			return scen_fail(l, s, key, "%s", msg);
		return 0;
	}
	fk = sim_fidelity_key(s, key, &cfg->fid, msg, sizeof(msg));
	if (fk < 0)
		return scen_fail(l, s, key, "%s", msg);
	if (fk == 0)
		return scen_fail(l, s, key, "unknown key");
	return 0;
}

/* What follows from the keys together: defaults that depend on other
 * keys, and the rules that span keys. */
static int battery_finish(struct loader *l, const config_setting_t *g,
			  struct sim_battery_cfg *cfg)
{
	bool fw_set = config_setting_get_member(g, "firmware") != NULL;
	char ferr[160];

	if (cfg->adapter[0] && cfg->socket_path[0])
		return scen_fail(l, config_setting_get_member(g, "adapter"),
			    "adapter", "a battery is either on a socket or on an "
			    "adapter, not both");
	if (!config_setting_get_member(g, "full_ah"))
		cfg->full_ah = cfg->capacity_ah;
	if (!fw_set) /* the firmware string names the cell count (§6.3) */
		snprintf(cfg->firmware, sizeof(cfg->firmware),
			 "WT30_100%02uSW14_L_01", cfg->cells % 100);
	if (cfg->jbd_service[0] && cfg->family != WC_FAMILY_JBD)
		return scen_fail(l, config_setting_get_member(g, "jbd_service"),
				 "jbd_service", "is for a battery of family jbd");
	if (cfg->family == WC_FAMILY_JBD)
		sim_jbd_cfg(cfg, fw_set);
	if (sim_fidelity_check(&cfg->fid, cfg->cells, cfg->probes, ferr,
			       sizeof(ferr)) < 0)
		return scen_fail(l, g, "batteries", "%s", ferr);
	if (cfg->profile_loop) {
		double last = cfg->n_profile
				      ? cfg->profile[cfg->n_profile - 1].t_s
				      : 0.0;

		if (!config_setting_get_member(g, "period"))
			return scen_fail(l, config_setting_get_member(g, "loop"),
				    "loop", "loop = true needs a period");
		if (cfg->profile_period_s <= last)
			return scen_fail(l, config_setting_get_member(g, "period"),
				    "period", "%g s must be after the last step (%g s)",
				    cfg->profile_period_s, last);
	}
	return 0;
}

/* One battery group.  idx counts from 0 for the default name. */
static int load_battery(struct loader *l, const config_setting_t *g,
			unsigned idx, struct sim_battery_cfg *cfg)
{
	char name[SIM_NAME_MAX];

	if (battery_name(l, g, idx, name, sizeof(name)) < 0)
		return -1;
	sim_battery_cfg_defaults(cfg, name);
	for (int k = 0; k < config_setting_length(g); k++)
		if (battery_key(l, config_setting_get_elem(g, (unsigned)k),
				cfg) < 0)
			return -1;
	return battery_finish(l, g, cfg);
}

int sim_scenario_load(const char *path, struct sim_battery_cfg *out,
		      unsigned max, unsigned *n, char *err, size_t errlen)
{
	struct loader l = { .path = path, .err = err, .errlen = errlen,
			    .battery = "" };
	config_t cf;
	const config_setting_t *root, *list;
	int rc = -1, count;

	if (!path || !out || !n || !err || errlen == 0)
		return -1;
	*n = 0;
	config_init(&cf);
	if (!wc_cfgfile_read(&cf, path, "cannot read the file", err, errlen))
		goto out;
	root = config_root_setting(&cf);
	for (int k = 0; k < config_setting_length(root); k++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)k);

		/* "banks" is read by sim_banks_load (bank_physics.c) */
		if (strcmp(config_setting_name(s), "batteries") != 0 &&
		    strcmp(config_setting_name(s), "banks") != 0) {
			scen_fail(&l, s, NULL, "unknown top-level key '%s' (only 'batteries' and 'banks')",
			     config_setting_name(s));
			goto out;
		}
	}
	list = config_setting_get_member(root, "batteries");
	if (!list) {
		snprintf(err, errlen, "%s: no 'batteries = ( { ... } );' list", path);
		goto out;
	}
	if (check_list(&l, list, "batteries") < 0)
		goto out;
	count = config_setting_length(list);
	if (count == 0) {
		scen_fail(&l, list, NULL, "'batteries' is empty");
		goto out;
	}
	if ((unsigned)count > max) {
		scen_fail(&l, list, NULL, "%d batteries, at most %u", count, max);
		goto out;
	}
	for (int i = 0; i < count; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);

		if (load_battery(&l, g, (unsigned)i, &out[i]) < 0)
			goto out;
		for (int j = 0; j < i; j++) {
			if (strcmp(out[j].name, out[i].name) == 0) {
				scen_fail(&l, g, "name", "\"%s\" is used twice",
				     out[i].name);
				goto out;
			}
			if (out[i].socket_path[0] &&
			    strcmp(out[j].socket_path, out[i].socket_path) == 0) {
				scen_fail(&l, g, "socket", "\"%s\" is used twice",
				     out[i].socket_path);
				goto out;
			}
		}
	}
	*n = (unsigned)count;
	rc = 0;
out:
	config_destroy(&cf);
	return rc;
}
