/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Simulated banks: batteries of a scenario wired into series strings, the
 * strings in parallel on one bus, driven by the bank's load or charge
 * current.
 *
 *   banks = (
 *     { name = "house";
 *       strings = ( ["bank1", "bank2"], ["bank3", "bank4"] );
 *       load = ( { t = 0.0; current = -25.0; }, { t = 960.0; current = 0.0; } );
 *       loop = true; period = 1800.0; }
 *   );
 *
 * Physics, once per model tick:
 *  - members of a string carry the same current; a string is a voltage
 *    source (the sum of its members' open-circuit voltages, each from its
 *    SoC on the LiFePO4 curve) behind a resistance (the sum of its
 *    members' internal resistances plus its wiring);
 *  - the strings share the bank current so that they all sit at one bus
 *    voltage: I_k = (V - E_k) / R_k with sum I_k = the bank current;
 *  - a member whose MOSFET for a direction is open (a protection, a write,
 *    or empty / full) blocks its string in that direction; the other
 *    strings take the whole current;
 *  - taking turns: in a bank of two or more strings, a member that reaches
 *    full while charging opens its charge MOSFET (no protection flag) and
 *    closes it again only once the bus has fallen 0.3 V below the voltage
 *    at which it opened.
 * The pure solver (sim_bank_share) is unit-tested on its own. */
#ifndef SIM_BANK_PHYSICS_H
#define SIM_BANK_PHYSICS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define SIM_MAX_BANKS 8
#define SIM_BANK_MAX_STRINGS 8
#define SIM_BANK_MAX_SERIES 8
/* Wiring of a string (cables, fuse, breaker) on top of its cells. */
#define SIM_BANK_WIRE_OHM 0.002
/* Taking turns: a member full at this SoC opens its charge MOSFET ... */
#define SIM_BANK_FULL_SOC 99.5
/* ... until the bus has fallen this far below where it opened. */
#define SIM_BANK_REJOIN_DROP_V 0.3

struct sim_bank_cfg {
	char name[SIM_NAME_MAX];
	unsigned n_strings;
	unsigned n_series[SIM_BANK_MAX_STRINGS];
	char member[SIM_BANK_MAX_STRINGS][SIM_BANK_MAX_SERIES][SIM_NAME_MAX];
	struct sim_profile_step load[SIM_MAX_PROFILE];
	unsigned n_load;          /* 0: no load, 0 A */
	bool loop;
	double period_s;
};

/* The "banks" list of a scenario file (optional: *n = 0 without it).
 * Members must be batteries of bats[0..n_bats); a battery belongs to one
 * bank once.  Errors as the scenario loader's: "FILE:LINE: ...". */
int sim_banks_load(const char *path, const struct sim_battery_cfg *bats,
		   unsigned n_bats, struct sim_bank_cfg *out, unsigned max,
		   unsigned *n, char *err, size_t errlen);

/* One string as the solver sees it. */
struct sim_string_in {
	double ocv_v;             /* open-circuit voltage, sum of members */
	double r_ohm;             /* series resistance, > 0 */
	bool can_charge;          /* every member can take charge */
	bool can_discharge;       /* every member can give charge */
};

/* Share bank_a (+ charging) among n strings: out_a[k] per string, the
 * bus voltage returned.  A string blocked in a direction carries nothing
 * in it.  When the strings together cannot carry bank_a (every one
 * blocked), they carry what they can and the rest does not flow. */
double sim_bank_share(const struct sim_string_in *s, unsigned n,
		      double bank_a, double *out_a);

/* The bank's load current at t (the profile, looped). */
double sim_bank_load_a(const struct sim_bank_cfg *c, double t_s);

/* A bank at run time: its members' models and the taking-turns state. */
struct sim_bank {
	const struct sim_bank_cfg *cfg;
	struct sim_model *m[SIM_BANK_MAX_STRINGS][SIM_BANK_MAX_SERIES];
	bool resting[SIM_BANK_MAX_STRINGS][SIM_BANK_MAX_SERIES];
	double cut_v[SIM_BANK_MAX_STRINGS][SIM_BANK_MAX_SERIES];
	double bus_v;
	double current_a[SIM_BANK_MAX_STRINGS];
};

/* Models advanced to t_s: share the bank's current at t_s and drive each
 * member with its string's current until the next step. */
void sim_bank_step(struct sim_bank *b, double t_s);

#endif
