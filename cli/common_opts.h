/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The options several subcommands share (--json, --timeout, --adapter,
 * ...): one table (common_opts.c) gives each its letter, long name,
 * argument, help line and the one function that checks its value.  A
 * subcommand names the common options it takes and lists its own; one
 * getopt_long loop serves both. */
#ifndef CLI_COMMON_OPTS_H
#define CLI_COMMON_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "link_addr.h"

struct cli_cmd;
struct cli_target;

/* The common options a subcommand takes (bits of cli_opts_spec.common).
 * --help is taken by every subcommand. */
enum cli_common_opt {
	CLI_OPT_JSON = 1u << 0,
	CLI_OPT_TIMEOUT = 1u << 1,
	CLI_OPT_ADAPTER = 1u << 2,
	CLI_OPT_ADDR_TYPE = 1u << 3,
	CLI_OPT_SUPERVISION = 1u << 4,
	CLI_OPT_VERBOSE = 1u << 5,
	CLI_OPT_INVENTORY = 1u << 6,
};

/* One option of a subcommand's own. */
struct cli_own_opt {
	const char *name;     /* long name; NULL ends the list */
	char letter;
	const char *arg;      /* argument name; NULL: takes none */
	const char *help;     /* NULL: accepted but not listed (read's
			       * --interval, refused with a sentence) */
};

/* What a subcommand takes. */
struct cli_opts_spec {
	unsigned common;               /* CLI_OPT_* */
	/* --timeout: its range and default in seconds, and what it bounds
	 * (the start of its help line) */
	double timeout_min, timeout_max, timeout_default;
	const char *timeout_help;
	const char *json_help;         /* what --json prints; NULL: generic */
	const struct cli_own_opt *own; /* NULL or ends with a NULL name */
};

/* --timeout of the commands that poll batteries (read, watch, check,
 * bank): the deadline of one poll, 0.1 to 600 s, 8 by default. */
#define CLI_POLL_TIMEOUT \
	.timeout_min = 0.1, .timeout_max = 600, .timeout_default = 8

/* The values of the common options after parsing. */
struct cli_common {
	bool json;
	bool verbose;
	double timeout_s;
	bool timeout_set;
	const char *adapter;           /* NULL: the default adapter */
	enum wc_addr_type addr_type;
	bool addr_type_set;
	const char *inventory;         /* NULL: $WATTCYCLE_INVENTORY or default */
	uint32_t supervision_ms;       /* 0: the kernel's */
	bool supervision_set;
};

#define CLI_OPTS_MAX 24   /* common + own options of one subcommand */

/* One parse of a command line. */
struct cli_opts {
	const struct cli_cmd *cmd;
	struct cli_common *c;
	char optstring[2 + 2 * CLI_OPTS_MAX];
	struct option longopts[CLI_OPTS_MAX + 1];
	char broken[96];   /* a clash in the command's table: refused */
};

/* cli_opts_next's answers other than an own option's letter. */
#define CLI_OPTS_DONE (-1)   /* options done: argv[optind] on are operands */
#define CLI_OPTS_HELP (-2)   /* --help: the usage is printed, exit 0 */
#define CLI_OPTS_ERROR (-3)  /* a usage error: one line in err */

/* Sets *c to the defaults (cmd's timeout default) and starts getopt over. */
void cli_opts_begin(struct cli_opts *p, const struct cli_cmd *cmd,
		    struct cli_common *c);

/* The next option: common ones are parsed into *c here; an own option's
 * letter is returned to the caller (its value in optarg). */
int cli_opts_next(struct cli_opts *p, int argc, char **argv, char *err,
		  size_t errlen);

/* The whole option loop of a subcommand that takes only common options:
 * CLI_OPTS_DONE when the operands start at argv[optind]; else the exit
 * status to return (EXIT_OK after --help, EXIT_USAGE after the usage
 * error). */
int cli_opts_common_only(const struct cli_cmd *cmd, int argc, char **argv,
			 struct cli_common *c);

/* Fills what the command line left unset (adapter, address type,
 * timeout, supervision timeout) from a battery of the inventory, whose
 * options count where the command line gives none.  *c then points into
 * *t. */
void cli_common_from_target(struct cli_common *c, const struct cli_target *t);

/* The help lines of cmd's own options, then of the common ones it takes. */
void cli_opts_print_help(FILE *f, const struct cli_cmd *cmd);

#endif
