/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The inventory: one libconfig file that names the batteries and wires
 * them into banks, read alike by the collectd plugin and the CLI.
 *
 *   batteries = (
 *     { name = "bank1"; address = "C0:D6:3C:52:E4:D9"; },
 *     { name = "bank2"; address = "unix:/run/wattcycle-sim/bank2.sock";
 *       keep_connected = true; }
 *   );
 *   banks = (
 *     { name = "house"; strings = ( ["bank1", "bank2"] );
 *       soc_spread_warn = 10.0; share_warn = 25.0; }
 *   );
 *
 * Battery keys are the <Battery> options in snake_case: name, address,
 * address_type, adapter, interval, timeout, keep_connected,
 * supervision_timeout, report_cells, report_alarm_values, offline_after.  Every error is one sentence
 * "FILE:LINE: reason" (a libconfig syntax error, an unknown key, a value of
 * the wrong type, a duplicate name, a bank member that is no battery, a
 * battery in two banks). */
#ifndef WC_INVENTORY_H
#define WC_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "bank.h"

#define WC_INVENTORY_DEFAULT "/etc/collectd-wattcycle/inventory.conf"
#define WC_INVENTORY_ENV "WATTCYCLE_INVENTORY"
#define WC_INVENTORY_ERR_MAX 512

/* One battery; unset options are NULL, 0 or -1. */
struct wc_inv_battery {
	char name[WC_BANK_NAME_MAX];
	int line;                 /* where its group starts */
	char *address;
	char *address_type;
	char *adapter;
	double interval_s;        /* 0: unset */
	double timeout_s;         /* 0: unset */
	int keep_connected;       /* -1: unset, else 0/1 */
	double supervision_ms;    /* supervision_timeout; 0: unset */
	int report_cells;
	int report_alarm_values;
	int offline_after;        /* 0: unset */
};

struct wc_inventory {
	char *path;
	struct wc_inv_battery *batteries;
	size_t n_batteries;
	struct wc_bank_def *banks;
	int *bank_line;
	size_t n_banks;
};

/* Read and check path.  known[0..n_known) are batteries configured
 * elsewhere (the plugin's <Battery> blocks): no inventory battery may
 * take their names (ignoring case) and bank members may name them.
 * Returns NULL with the sentence in err on any error. */
struct wc_inventory *wc_inventory_load(const char *path,
				       const char *const *known,
				       size_t n_known, char *err,
				       size_t errlen);
void wc_inventory_free(struct wc_inventory *inv);

/* By exact name, or NULL. */
const struct wc_inv_battery *wc_inventory_battery(const struct wc_inventory *inv,
						  const char *name);
const struct wc_bank_def *wc_inventory_bank(const struct wc_inventory *inv,
					    const char *name);

/* The file the CLI reads: option, else $WATTCYCLE_INVENTORY, else the
 * default. */
const char *wc_inventory_path(const char *option);

/* Battery and bank names: 1 to 63 letters, digits, '_' or '-'. */
bool wc_inventory_name_valid(const char *name);

#endif
