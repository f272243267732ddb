/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's settings: see setting.h. */
#include "setting.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "att_opcodes.h"
#include "jbd_sim.h"
#include "sim_ble.h"

bool sim_setting_number(const config_setting_t *s, double *v)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*v = (double)config_setting_get_int64(s);
		return true;
	case CONFIG_TYPE_FLOAT:
		*v = config_setting_get_float(s);
		return true;
	default:
		return false;
	}
}

/* ---- the table --------------------------------------------------------- */

static bool version_ok(double v)
{
	return v == 0 || v == 4;
}

static bool cell_v_ok(double v)
{
	return v == 0.0 || v >= 2.0; /* 0: follow the OCV curve from the SoC */
}

static bool adapter_ok(const char *s)
{
	return sim_ble_adapter_ok(s);
}

static bool jbd_service_ok(const char *s)
{
	return strcmp(s, "fff0") == 0 || strcmp(s, "ff00") == 0;
}

#define AT(f) offsetof(struct sim_battery_cfg, f), \
	sizeof(((struct sim_battery_cfg *)0)->f)
#define NOWHERE SIM_FIELD_NONE, 0, 0
#define OTHER SIM_SET_OTHER, 0, 0, NOWHERE
#define CONT "\n                         "

const struct sim_setting sim_battery_settings[] = {
	{ "socket", "socket", "PATH", OTHER, NULL, NULL, NULL, NULL,
	  "listening socket of the battery (this or --ble)" },
	{ "adapter", "ble", "hciN", SIM_SET_TEXT, 0, 15, SIM_FIELD_TEXT,
	  AT(adapter), NULL, adapter_ok,
	  "\"%s\" is not a controller name like hci0",
	  "expected a controller name like hci0",
	  "advertise on Bluetooth controller hciN and accept" CONT
	  "the central's L2CAP ATT link there instead" },
	{ "ble_name", "ble-name", "NAME", SIM_SET_TEXT, 1, 29, SIM_FIELD_TEXT,
	  AT(ble_name), NULL, NULL, NULL, "1 to 29 characters",
	  "advertised and GATT device name (default" CONT
	  "XDZN_001_ + 4 hex digits)" },
	{ "name", "name", "NAME", OTHER, NULL, NULL, NULL, NULL,
	  "battery name for control and log (default sim)" },
	{ "cells", "cells", "N", SIM_SET_INT, 1, WC_MAX_CELLS,
	  SIM_FIELD_UNSIGNED, AT(cells), NULL, NULL, NULL,
	  "expected 4, 8 or 16 (1..32)",
	  "cell count, 4|8|16 (1..32 accepted; default 4)" },
	{ "head", "head", "7e|1e|both", SIM_SET_HEAD, 0, 0, SIM_FIELD_HEAD,
	  AT(head), NULL, NULL, NULL, "expected 7e, 1e or both",
	  "request heads the battery answers (default both)" },
	{ "version", "version", "0|4", SIM_SET_INT, 0, 255, SIM_FIELD_U8,
	  AT(version), version_ok, NULL, "%g is not 0 or 4",
	  "expected 0 or 4", "response version byte (default 0)" },
	{ "mtu", "mtu", "N", SIM_SET_INT, ATT_DEFAULT_MTU, ATT_MAX_MTU,
	  SIM_FIELD_U16, AT(mtu), NULL, NULL, NULL, "expected 23..517",
	  "largest ATT MTU it accepts, 23..517 (default 517)" },
	{ "soc", "soc", "PCT", SIM_SET_NUMBER, 0.0, 100.0, SIM_FIELD_DOUBLE,
	  AT(soc_pct), NULL, NULL, NULL, "expected a percentage 0..100",
	  "initial state of charge, 0..100" },
	{ NULL, "current", "A", OTHER, NULL, NULL, NULL,
	  "expected amperes, -1638.3..1638.3",
	  "constant current, + charging, - discharging" },
	{ "latency_ms", "latency-ms", "N", SIM_SET_INT, 0, 600000,
	  SIM_FIELD_UNSIGNED, AT(latency_ms), NULL, NULL, NULL,
	  "expected 0..600000",
	  "delay of every PDU while the latency fault is on;" CONT
	  "turns the fault on unless --fault latency[@S] is given" },
	{ "alarms", "alarm", "ID[@SECONDS]", OTHER, NULL, NULL, NULL, NULL,
	  "raise an alarm code (at start or later); repeatable" },
	{ "faults", "fault", "KIND[@SECONDS]", OTHER, NULL, NULL, NULL, NULL,
	  "inject a fault: latency silence drop crc garbage" CONT
	  "duplicate length refuse; repeatable" },
	{ "unlock", "no-unlock-check", NULL, SIM_SET_BOOL, 0, 0,
	  SIM_FIELD_BOOL, AT(unlock_required), NULL, NULL, NULL, NULL,
	  "answer without the HiLink unlock, never drop the link" },
	{ "unlock_timeout_ms", "unlock-timeout-ms", "N", SIM_SET_INT, 100,
	  600000, SIM_FIELD_UNSIGNED, AT(unlock_timeout_ms), NULL, NULL, NULL,
	  "expected 100..600000",
	  "drop a link without unlock after N ms (default 4000)" },
	{ "unlock_key", "unlock-key", "KEY", SIM_SET_TEXT, 1, 16,
	  SIM_FIELD_TEXT, AT(unlock_key), NULL, NULL, NULL,
	  "1 to 16 characters",
	  "the key FFFA accepts (default HiLink; another key" CONT
	  "models a battery that refuses the unlock)" },
	{ "rssi_dbm", "rssi", "DBM", SIM_SET_INT, -127, -1, SIM_FIELD_INT,
	  AT(rssi_dbm), NULL, NULL, NULL, "a number of dBm from -127 to -1",
	  "link RSSI, -127..-1, published in PATH.rssi for the" CONT
	  "client's unix transport (default: none)" },
	{ "family", "family", "watt|jbd", SIM_SET_FAMILY, 0, 0,
	  SIM_FIELD_FAMILY, AT(family), NULL, NULL, NULL,
	  "expected watt or jbd",
	  "protocol family (default watt); jbd: a DISCOVER-like" CONT
	  "JBD battery (FFF0 without FFFA, no unlock, DD...77" CONT
	  "frames, name WTaHdB1...)" },
	{ "jbd_service", "jbd-service", "SERVICE", SIM_SET_TEXT, 4, 4,
	  SIM_FIELD_TEXT, AT(jbd_service), NULL, jbd_service_ok,
	  "\"%s\" is not fff0 or ff00", "expected fff0 or ff00",
	  "a jbd battery's service: fff0 (default, as the" CONT
	  "DISCOVER) or ff00 (a classic JBD module: FF01" CONT
	  "notifies, FF02 takes the requests)" },
	/* scenario files only */
	{ "probes", NULL, NULL, SIM_SET_INT, 0, WC_MAX_PROBES,
	  SIM_FIELD_UNSIGNED, AT(probes), NULL, NULL, NULL, NULL, NULL },
	{ "capacity_ah", NULL, NULL, SIM_SET_NUMBER, 0.1, 6553.5,
	  SIM_FIELD_DOUBLE, AT(capacity_ah), NULL, NULL, NULL, NULL, NULL },
	{ "full_ah", NULL, NULL, SIM_SET_NUMBER, 0.1, 6553.5,
	  SIM_FIELD_DOUBLE, AT(full_ah), NULL, NULL, NULL, NULL, NULL },
	{ "cell_v", NULL, NULL, SIM_SET_NUMBER, 0.0, 4.5, SIM_FIELD_DOUBLE,
	  AT(cell_v), cell_v_ok, NULL,
	  "%g is out of range (0 = from the SoC, or 2..4.5)", NULL, NULL },
	{ "cell_spread_v", NULL, NULL, SIM_SET_NUMBER, 0.0, 0.5,
	  SIM_FIELD_DOUBLE, AT(cell_spread_v), NULL, NULL, NULL, NULL, NULL },
	{ "cell_drift_v_per_h", NULL, NULL, SIM_SET_NUMBER, -1.0, 1.0,
	  SIM_FIELD_DOUBLE, AT(cell_drift_v_per_h), NULL, NULL, NULL, NULL,
	  NULL },
	{ "temp_c", NULL, NULL, SIM_SET_NUMBER, -40.0, 100.0,
	  SIM_FIELD_DOUBLE, AT(temp_c), NULL, NULL, NULL, NULL, NULL },
	{ "cycles", NULL, NULL, SIM_SET_INT, 0, 65535, SIM_FIELD_UNSIGNED,
	  AT(cycles), NULL, NULL, NULL, NULL, NULL },
	{ "firmware", NULL, NULL, SIM_SET_TEXT, 0, 20, SIM_FIELD_TEXT,
	  AT(firmware), NULL, NULL, NULL, NULL, NULL },
	{ "manufacturer", NULL, NULL, SIM_SET_TEXT, 0, 20, SIM_FIELD_TEXT,
	  AT(manufacturer), NULL, NULL, NULL, NULL, NULL },
	{ "serial", NULL, NULL, SIM_SET_TEXT, 0, 20, SIM_FIELD_TEXT,
	  AT(serial), NULL, NULL, NULL, NULL, NULL },
	{ "profile", NULL, NULL, OTHER, NULL, NULL, NULL, NULL, NULL },
	{ "loop", NULL, NULL, SIM_SET_BOOL, 0, 0, SIM_FIELD_BOOL,
	  AT(profile_loop), NULL, NULL, NULL, NULL, NULL },
	{ "period", NULL, NULL, SIM_SET_NUMBER, 0.001, 1e9, SIM_FIELD_DOUBLE,
	  AT(profile_period_s), NULL, NULL, NULL, NULL, NULL },
};

#undef AT
#undef NOWHERE
#undef OTHER
#undef CONT

const size_t sim_battery_setting_count =
	sizeof(sim_battery_settings) / sizeof(sim_battery_settings[0]);

const struct sim_setting *sim_setting_by_key(const char *key)
{
	for (size_t i = 0; i < sim_battery_setting_count; i++)
		if (sim_battery_settings[i].key &&
		    strcmp(sim_battery_settings[i].key, key) == 0)
			return &sim_battery_settings[i];
	return NULL;
}

const struct sim_setting *sim_setting_by_option(const char *option)
{
	for (size_t i = 0; i < sim_battery_setting_count; i++)
		if (sim_battery_settings[i].option &&
		    strcmp(sim_battery_settings[i].option, option) == 0)
			return &sim_battery_settings[i];
	return NULL;
}

/* ---- storing a checked value ------------------------------------------- */

static void *field_at(const struct sim_setting *st,
		      struct sim_battery_cfg *cfg)
{
	return (char *)cfg + st->offset;
}

static void store_number(const struct sim_setting *st,
			 struct sim_battery_cfg *cfg, double v)
{
	void *p = field_at(st, cfg);

	/* each conversion only for its own field type: a negative value
	 * (rssi_dbm) converted to unsigned would be undefined */
	switch (st->field) {
	case SIM_FIELD_UNSIGNED: {
		unsigned u = (unsigned)v;

		memcpy(p, &u, sizeof(u));
		break;
	}
	case SIM_FIELD_U8: {
		uint8_t u8 = (uint8_t)v;

		memcpy(p, &u8, sizeof(u8));
		break;
	}
	case SIM_FIELD_U16: {
		uint16_t u16 = (uint16_t)v;

		memcpy(p, &u16, sizeof(u16));
		break;
	}
	case SIM_FIELD_INT: {
		int i = (int)v;

		memcpy(p, &i, sizeof(i));
		break;
	}
	case SIM_FIELD_DOUBLE:
		memcpy(p, &v, sizeof(v));
		break;
	case SIM_FIELD_NONE:
	case SIM_FIELD_BOOL:
	case SIM_FIELD_TEXT:
	case SIM_FIELD_HEAD:
	case SIM_FIELD_FAMILY:
		break;
	}
}

static void store_bool(const struct sim_setting *st,
		       struct sim_battery_cfg *cfg, bool b)
{
	memcpy(field_at(st, cfg), &b, sizeof(b));
}

/* A number in the setting's range that passes its rule. */
static bool number_fits(const struct sim_setting *st, double v)
{
	return isfinite(v) && v >= st->lo && v <= st->hi &&
	       (!st->number_ok || st->number_ok(v));
}

static bool head_parse(const char *s, enum sim_head_mode *out)
{
	if (strcmp(s, "7e") == 0 || strcmp(s, "7E") == 0)
		*out = SIM_HEAD_7E;
	else if (strcmp(s, "1e") == 0 || strcmp(s, "1E") == 0)
		*out = SIM_HEAD_1E;
	else if (strcmp(s, "both") == 0)
		*out = SIM_HEAD_BOTH;
	else
		return false;
	return true;
}

/* Text, head or family: false when s is not one the setting takes (the
 * length was checked by the caller). */
static bool store_text(const struct sim_setting *st,
		       struct sim_battery_cfg *cfg, const char *s)
{
	enum sim_head_mode h;
	enum wc_family f;

	switch (st->kind) {
	case SIM_SET_HEAD:
		if (!head_parse(s, &h))
			return false;
		memcpy(field_at(st, cfg), &h, sizeof(h));
		return true;
	case SIM_SET_FAMILY:
		if (sim_family_parse(s, &f) < 0)
			return false;
		memcpy(field_at(st, cfg), &f, sizeof(f));
		return true;
	case SIM_SET_TEXT:
		if (st->text_ok && !st->text_ok(s))
			return false;
		snprintf(field_at(st, cfg), st->size, "%s", s);
		return true;
	case SIM_SET_INT:
	case SIM_SET_NUMBER:
	case SIM_SET_BOOL:
	case SIM_SET_OTHER:
		break;
	}
	return false;
}

/* ---- the command line -------------------------------------------------- */

bool sim_setting_from_text(const struct sim_setting *st, const char *text,
			   struct sim_battery_cfg *cfg)
{
	char *end;
	double v;
	size_t n;

	switch (st->kind) {
	case SIM_SET_BOOL:
		store_bool(st, cfg, false); /* the flag turns it off */
		return true;
	case SIM_SET_INT:
	case SIM_SET_NUMBER:
		errno = 0;
		v = st->kind == SIM_SET_INT ? (double)strtol(text, &end, 10)
					    : strtod(text, &end);
		if (errno || end == text || *end || !number_fits(st, v))
			return false;
		store_number(st, cfg, v);
		return true;
	case SIM_SET_TEXT:
		n = strlen(text);
		if (n < st->lo || n > st->hi)
			return false;
		return store_text(st, cfg, text);
	case SIM_SET_HEAD:
	case SIM_SET_FAMILY:
		return store_text(st, cfg, text);
	case SIM_SET_OTHER:
		break;
	}
	return false;
}

void sim_setting_print_help(FILE *out)
{
	for (size_t i = 0; i < sim_battery_setting_count; i++) {
		const struct sim_setting *st = &sim_battery_settings[i];
		char opt[48];

		if (!st->option)
			continue;
		snprintf(opt, sizeof(opt), "--%s%s%s", st->option,
			 st->arg ? " " : "", st->arg ? st->arg : "");
		fprintf(out, "  %-22s %s\n", opt, st->help);
	}
}

/* ---- scenario files ---------------------------------------------------- */

static bool config_number(const struct sim_setting *st,
			  const config_setting_t *s,
			  struct sim_battery_cfg *cfg, char *msg,
			  size_t msglen)
{
	double v;

	if (!sim_setting_number(s, &v)) {
		snprintf(msg, msglen, "must be a number");
		return false;
	}
	if (!isfinite(v) || v < st->lo || v > st->hi) {
		snprintf(msg, msglen, "%g is out of range (%g..%g)", v, st->lo,
			 st->hi);
		return false;
	}
	if (st->number_ok && !st->number_ok(v)) {
		snprintf(msg, msglen, st->refused, v);
		return false;
	}
	store_number(st, cfg, v);
	return true;
}

static bool config_int(const struct sim_setting *st,
		       const config_setting_t *s, struct sim_battery_cfg *cfg,
		       char *msg, size_t msglen)
{
	long long v, lo = (long long)st->lo, hi = (long long)st->hi;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		snprintf(msg, msglen, "must be an integer");
		return false;
	}
	if (v < lo || v > hi) {
		snprintf(msg, msglen, "%lld is out of range (%lld..%lld)", v, lo,
			 hi);
		return false;
	}
	if (st->number_ok && !st->number_ok((double)v)) {
		snprintf(msg, msglen, st->refused, (double)v);
		return false;
	}
	store_number(st, cfg, (double)v);
	return true;
}

static bool config_text(const struct sim_setting *st,
			const config_setting_t *s, struct sim_battery_cfg *cfg,
			char *msg, size_t msglen)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		snprintf(msg, msglen, "must be a string in double quotes");
		return false;
	}
	v = config_setting_get_string(s);
	if (!v)
		v = "";
	if (st->kind == SIM_SET_TEXT && strlen(v) > st->hi) {
		snprintf(msg, msglen, "\"%s\" is longer than %zu characters", v,
			 (size_t)st->hi);
		return false;
	}
	if (st->kind == SIM_SET_TEXT && strlen(v) < st->lo) {
		snprintf(msg, msglen, "must not be empty");
		return false;
	}
	if (store_text(st, cfg, v))
		return true;
	if (st->kind == SIM_SET_HEAD)
		snprintf(msg, msglen,
			 "\"%s\" is not one of \"7e\", \"1e\", \"both\"", v);
	else if (st->kind == SIM_SET_FAMILY)
		snprintf(msg, msglen, "\"%s\" is not one of \"watt\", \"jbd\"",
			 v);
	else
		snprintf(msg, msglen, st->refused, v);
	return false;
}

bool sim_setting_from_config(const struct sim_setting *st,
			     const config_setting_t *s,
			     struct sim_battery_cfg *cfg, char *msg,
			     size_t msglen)
{
	switch (st->kind) {
	case SIM_SET_INT:
		return config_int(st, s, cfg, msg, msglen);
	case SIM_SET_NUMBER:
		return config_number(st, s, cfg, msg, msglen);
	case SIM_SET_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			snprintf(msg, msglen, "must be true or false");
			return false;
		}
		store_bool(st, cfg, config_setting_get_bool(s) != 0);
		return true;
	case SIM_SET_TEXT:
	case SIM_SET_HEAD:
	case SIM_SET_FAMILY:
		return config_text(st, s, cfg, msg, msglen);
	case SIM_SET_OTHER:
		break;
	}
	snprintf(msg, msglen, "not a value of its own");
	return false;
}
