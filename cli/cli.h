/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `wattcycle` command: subcommands and what they share. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "common_opts.h"

/* Exit codes of every subcommand except `check` (Nagios codes there). */
#define EXIT_OK 0
#define EXIT_FAIL 1   /* battery, protocol or frame error */
#define EXIT_USAGE 2

/* `wattcycle help NAME` prints usage, the lines of the options (its own,
 * then the common ones it takes: cli/common_opts.c) and footer. */
struct cli_cmd {
	const char *name;
	const char *summary;  /* one line for `wattcycle --help` */
	const char *usage;    /* usage lines and what the command does */
	struct cli_opts_spec opts;
	const char *footer;   /* after the options (exit status...); or NULL */
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
};

/* The subcommand table (cli/main.c) and each subcommand. */
extern const struct cli_cmd cli_cmd_decode;
extern const struct cli_cmd cli_cmd_alarms;
extern const struct cli_cmd cli_cmd_read;
extern const struct cli_cmd cli_cmd_watch;
extern const struct cli_cmd cli_cmd_scan;
extern const struct cli_cmd cli_cmd_check;
extern const struct cli_cmd cli_cmd_bank;

/* Print "wattcycle: <fmt>" to stderr plus a newline. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: one line, a hint, EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print a subcommand's usage, options and footer to stdout. */
void cli_print_usage(const struct cli_cmd *cmd);

/* Strict number parsing: the whole string, within [min, max]. */
int cli_parse_double(const char *s, double min, double max, double *out);
int cli_parse_long(const char *s, long min, long max, long *out);

/* Hex text -> bytes.  Spaces, tabs and colons may separate bytes; every
 * byte is two hex digits.  Returns the byte count, or -1 with a message
 * ("'G' at position 5 is not a hex digit") in err. */
long cli_parse_hex(const char *text, uint8_t *out, size_t cap, char *err,
		   size_t errlen);

#endif
