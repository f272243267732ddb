/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the CLI's subcommands share about the inventory: a battery named
 * where an address is expected, and polling a bank's members at once. */
#ifndef CLI_CLI_INVENTORY_H
#define CLI_CLI_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bank.h"
#include "inventory.h"
#include "link_addr.h"
#include "session.h"

/* A battery to poll: an address given as is, or an inventory entry. */
struct cli_target {
	char address[256];
	char adapter[64];          /* "" = default */
	enum wc_addr_type addr_type;
	bool addr_type_set;
	bool keep;                 /* the inventory's keep_connected */
	double timeout_s;          /* the inventory's timeout; 0 = unset */
	uint32_t supervision_ms;   /* its supervision_timeout; 0 = unset */
};

/* arg is an address ("unix:/path", "C0:D6:...") or the name of a battery
 * of the inventory (inventory_opt, else $WATTCYCLE_INVENTORY, else the
 * default file).  0 on success; else one sentence in err (the caller
 * prints it and exits 2). */
int cli_resolve_battery(const char *arg, const char *inventory_opt,
			struct cli_target *out, char *err, size_t errlen);

/* The latest poll of every member of a bank. */
struct cli_bank_poll {
	struct wc_bank_member m[WC_BANK_MAX_STRINGS * WC_BANK_MAX_SERIES];
	char error[WC_BANK_MAX_STRINGS * WC_BANK_MAX_SERIES][WC_POLL_MSG_MAX];
	unsigned failed;           /* members that could not be read */
};

/* Poll every member of def (batteries of inv) at the same time, one
 * thread each, each bounded by timeout_s when the command line gave it
 * (timeout_given), else by the inventory's timeout for that battery, else
 * by timeout_s: the same order as for one battery.  Fills out; false only
 * when no thread could be started. */
bool cli_bank_poll(const struct wc_inventory *inv,
		   const struct wc_bank_def *def, double timeout_s,
		   bool timeout_given, struct cli_bank_poll *out);

#endif
