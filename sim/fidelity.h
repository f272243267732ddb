/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fidelity overrides: the properties of real WATT frames that the physics
 * model does not produce by itself, so that a scenario can rebuild each
 * published capture byte for byte (tests/unit/test_sim_fidelity.c):
 *   address          address byte of every response (one unit answers 0x41)
 *   status4, reserved9, reserved10
 *                    0x8D bytes S+7, S+9, S+10 (captures: 01/29, 00, 18/00)
 *   temps_c          every sensor on its own: MOS, ENV, then the probes,
 *                    fixed (°C, 0.1 resolution)
 *   cells_v          fixed cell voltages
 *   voltage_offset_v the pack voltage is the sum of the cells plus this
 *                    (a real 16S pack reports 52.70 V with cells summing
 *                    to 52.707 V)
 *   soc_register     the SoC register, fixed, independent of remaining and
 *                    full capacity (real packs report 91 % with 99.1 of
 *                    108.3 Ah)
 *   current_whole_a  the current in whole amperes (decimal flag clear)
 *   extension        the 18-byte 0x8C extension (SoH, lifetime Ah, time
 *                    left, balance current) the app reads from version-4
 *                    firmware
 * Pure: no I/O, no allocation. */
#ifndef SIM_FIDELITY_H
#define SIM_FIDELITY_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sample.h"

struct sim_fidelity {
	bool set_address;
	uint8_t address;
	bool set_status4, set_reserved9, set_reserved10;
	uint8_t status4, reserved9, reserved10;
	unsigned n_temps;              /* 0: the model's temperatures */
	double temps_c[WC_MAX_TEMPS];
	unsigned n_cells;              /* 0: the model's cells */
	double cells_v[WC_MAX_CELLS];
	double voltage_offset_v;
	int soc_register;              /* -1: rounded from the model */
	bool current_whole_a;
	bool extension;
	double soh_pct;                /* extension values */
	double lifetime_ah;
	int32_t time_left_min;
};

/* The defaults: nothing overridden (soc_register -1, SoH 100 %). */
void sim_fidelity_defaults(struct sim_fidelity *f);

/* A scenario key of this family: 1 handled, 0 not one of these keys, -1
 * bad value with err filled ("…is out of range"). */
int sim_fidelity_key(const config_setting_t *s, const char *key,
		     struct sim_fidelity *f, char *err, size_t errlen);

/* After all keys: the lists match the battery's shape (temps_c has
 * probes + 2 values, cells_v one per cell).  0, or -1 with err. */
int sim_fidelity_check(const struct sim_fidelity *f, unsigned cells,
		       unsigned probes, char *err, size_t errlen);

/* Apply the overrides to a snapshot (after the model filled it). */
void sim_fidelity_apply(const struct sim_fidelity *f, struct wc_sample *s);

#endif
