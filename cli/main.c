/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle — command-line client for WattCycle smart batteries. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "wc_version.h"

static const struct cli_cmd *const commands[] = {
	&cli_cmd_read,
	&cli_cmd_watch,
	&cli_cmd_scan,
	&cli_cmd_check,
	&cli_cmd_bank,
	&cli_cmd_decode,
	&cli_cmd_alarms,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void print_help(void)
{
	printf("Usage: wattcycle COMMAND [ARGS...]\n"
	       "       wattcycle help COMMAND\n"
	       "\n"
	       "Read, decode and check WattCycle smart LiFePO4 batteries (WATT/TDT\n"
	       "BMS over Bluetooth LE, or the wattcycle-sim simulator).\n"
	       "\n"
	       "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
	printf("\n"
	       "Options:\n"
	       "  -h, --help     this help\n"
	       "  -V, --version  print the version\n"
	       "\n"
	       "Exit status: 0 success, 1 battery/protocol/frame error, 2 usage error.\n");
}

static int help_command(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		print_help();
		return EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error(NULL, "help takes one command name");
	cmd = find_command(argv[1]);
	if (!cmd)
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	cli_print_usage(cmd);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		cli_err("no command given");
		fprintf(stderr, "Try 'wattcycle --help'.\n");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_help();
		return EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("wattcycle %s\n", WC_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0)
		return help_command(argc - 1, argv + 1);
	cmd = find_command(argv[1]);
	if (!cmd) {
		cli_err("unknown command '%s'", argv[1]);
		fprintf(stderr, "Try 'wattcycle --help'.\n");
		return EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
