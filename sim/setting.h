/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's settings: reading libconfig values (scenario.c,
 * bank_physics.c), and the one table of a battery's settings that both the
 * command line (sim_main.c) and scenario files (scenario.c) read: each
 * setting's scenario key, option, type, range and help. */
#ifndef SIM_SETTING_H
#define SIM_SETTING_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* The value of an int, int64 or float setting as a double; false (and *v
 * untouched) for a setting of any other type. */
bool sim_setting_number(const config_setting_t *s, double *v);

enum sim_setting_kind {
	SIM_SET_INT,    /* a whole number in lo..hi */
	SIM_SET_NUMBER, /* a number in lo..hi */
	SIM_SET_BOOL,
	SIM_SET_TEXT,   /* lo..hi characters */
	SIM_SET_HEAD,   /* "7e", "1e" or "both" */
	SIM_SET_FAMILY, /* "watt" or "jbd" */
	SIM_SET_OTHER,  /* read by the command line or loader itself */
};

/* Where a value goes in struct sim_battery_cfg. */
enum sim_setting_field {
	SIM_FIELD_NONE, /* SIM_SET_OTHER */
	SIM_FIELD_UNSIGNED,
	SIM_FIELD_U8,
	SIM_FIELD_U16,
	SIM_FIELD_INT,
	SIM_FIELD_DOUBLE,
	SIM_FIELD_BOOL,
	SIM_FIELD_TEXT,
	SIM_FIELD_HEAD,
	SIM_FIELD_FAMILY,
};

struct sim_setting {
	const char *key;    /* in a scenario file; NULL: command line only */
	const char *option; /* "--option"; NULL: scenario files only */
	const char *arg;    /* the option's value in --help; NULL: a flag,
			       which sets a SIM_SET_BOOL to false */
	enum sim_setting_kind kind;
	double lo, hi;
	enum sim_setting_field field;
	size_t offset, size; /* of the field */
	/* A rule past the range (NULL: none) and the scenario message when a
	 * value breaks it (printf, the value as %g, or %s for text). */
	bool (*number_ok)(double v);
	bool (*text_ok)(const char *s);
	const char *refused;
	/* After "--option 'VALUE': " when the command line value is bad. */
	const char *expect;
	/* --help: "  --option ARG" is padded to 25 columns, then this; lines
	 * after the first start with 25 spaces. */
	const char *help;
};

/* Every battery setting, in --help order; sim_battery_setting_count. */
extern const struct sim_setting sim_battery_settings[];
extern const size_t sim_battery_setting_count;

/* The setting with this scenario key / option (without "--"), or NULL. */
const struct sim_setting *sim_setting_by_key(const char *key);
const struct sim_setting *sim_setting_by_option(const char *option);

/* A command line value (text; NULL for a flag) into cfg; false when it is
 * not one the setting takes (st->expect says what is). */
bool sim_setting_from_text(const struct sim_setting *st, const char *text,
			   struct sim_battery_cfg *cfg);

/* A scenario file value into cfg; false with why (without the file, line
 * and key) in msg. */
bool sim_setting_from_config(const struct sim_setting *st,
			     const config_setting_t *s,
			     struct sim_battery_cfg *cfg, char *msg,
			     size_t msglen);

/* The --help lines of the battery options. */
void sim_setting_print_help(FILE *out);

#endif
