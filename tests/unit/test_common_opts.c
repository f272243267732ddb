/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of cli/common_opts.[ch]: each common option parsed into
 * struct cli_common, the command's own letters handed back in order, the
 * --timeout range of the command, an option the command does not take
 * refused as unknown, the one-line messages (missing value, unknown,
 * value to a flag), a letter clash refused, the inventory battery's
 * options filling only what the command line left unset, and the help
 * lines (the command's only, aligned, wrapped). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cli/common_opts.c"
#include "../../cli/util.c"

static const struct cli_own_opt own[] = {
	{ "keep", 'k', NULL, "keep it" },
	{ "count", 'n', "N", "stop after N" },
	{ "hidden", 'i', "S", NULL },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_cmd poll_cmd = {
	.name = "poll",
	.usage = "Usage: poll\n",
	.opts = {
		.common = CLI_OPT_JSON | CLI_OPT_TIMEOUT | CLI_OPT_ADAPTER |
			  CLI_OPT_ADDR_TYPE | CLI_OPT_SUPERVISION |
			  CLI_OPT_VERBOSE | CLI_OPT_INVENTORY,
		CLI_POLL_TIMEOUT,
		.timeout_help = "deadline",
		.own = own,
	},
	.footer = "Exit status: 0.\n",
};

static const struct cli_cmd scan_cmd = {
	.name = "scan",
	.usage = "Usage: scan\n",
	.opts = {
		.common = CLI_OPT_JSON | CLI_OPT_TIMEOUT,
		.timeout_min = 0.5, .timeout_max = 300, .timeout_default = 10,
		.timeout_help = "scan duration",
		.json_help = "one JSON array with a rather long description of "
			     "its keys that has to be wrapped over more than one "
			     "line of the help",
	},
};

static const struct cli_own_opt clash_own[] = {
	{ "jolly", 'j', NULL, "clashes with --json" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_cmd clash_cmd = {
	.name = "clash",
	.usage = "",
	.opts = { .common = CLI_OPT_JSON, .own = clash_own },
};

#define ARGC(a) ((int)(sizeof(a) / sizeof(a[0])) - 1)

/* Parse until the end or an error; own letters into got[].  Returns the
 * last answer (CLI_OPTS_DONE, _ERROR or _HELP). */
static int parse(const struct cli_cmd *cmd, int argc, char **argv,
		 struct cli_common *c, char *got, char *err)
{
	struct cli_opts p;
	size_t n = 0;
	int r;

	cli_opts_begin(&p, cmd, c);
	err[0] = '\0';
	while ((r = cli_opts_next(&p, argc, argv, err, 256)) >= 0) {
		got[n++] = (char)r;
		if (r == 'n')
			assert_string_equal(optarg, "3");
	}
	got[n] = '\0';
	return r;
}

static void test_defaults(void **state)
{
	char *argv[] = { "poll", "ADDR", NULL };
	struct cli_common c;
	char got[16], err[256];

	(void)state;
	assert_int_equal(parse(&poll_cmd, ARGC(argv), argv, &c, got, err),
			 CLI_OPTS_DONE);
	assert_false(c.json || c.verbose || c.timeout_set || c.addr_type_set ||
		     c.supervision_set);
	assert_true(c.timeout_s == 8.0);
	assert_null(c.adapter);
	assert_null(c.inventory);
	assert_int_equal(c.addr_type, WC_ADDR_AUTO);
	assert_int_equal(c.supervision_ms, 0);
	assert_int_equal(optind, 1);
	assert_true(parse(&scan_cmd, 1, argv, &c, got, err) == CLI_OPTS_DONE &&
		    c.timeout_s == 10.0);
}

static void test_every_option(void **state)
{
	char *argv[] = { "poll", "-j", "--timeout", "2.5", "-k", "-a", "hci1",
			 "--address-type=public", "-S", "1000", "-v", "ADDR",
			 "-n", "3", "--inventory", "/inv.conf", NULL };
	struct cli_common c;
	char got[16], err[256];

	(void)state;
	assert_int_equal(parse(&poll_cmd, ARGC(argv), argv, &c, got, err),
			 CLI_OPTS_DONE);
	assert_string_equal(got, "kn");   /* own ones, in order */
	assert_true(c.json && c.verbose);
	assert_true(c.timeout_set && c.timeout_s == 2.5);
	assert_string_equal(c.adapter, "hci1");
	assert_true(c.addr_type_set && c.addr_type == WC_ADDR_PUBLIC);
	assert_true(c.supervision_set && c.supervision_ms == 1000);
	assert_string_equal(c.inventory, "/inv.conf");
	/* the operand after the options (getopt moves it there) */
	assert_int_equal(optind, ARGC(argv) - 1);
	assert_string_equal(argv[optind], "ADDR");
}

static void expect_error(const struct cli_cmd *cmd, char **argv, int argc,
			 const char *msg)
{
	struct cli_common c;
	char got[16], err[256];

	assert_int_equal(parse(cmd, argc, argv, &c, got, err), CLI_OPTS_ERROR);
	assert_string_equal(err, msg);
}

static void test_errors(void **state)
{
	char *t601[] = { "poll", "-t", "601", NULL };
	char *t_abc[] = { "poll", "--timeout", "abc", NULL };
	char *scan04[] = { "scan", "--timeout", "0.4", NULL };
	char *scan301[] = { "scan", "-t301", NULL };
	char *type[] = { "poll", "-T", "static", NULL };
	char *sup[] = { "poll", "--supervision-timeout", "2005", NULL };
	char *need_long[] = { "poll", "ADDR", "--timeout", NULL };
	char *need_short[] = { "poll", "-jt", NULL };
	char *unknown_long[] = { "poll", "--bogus=1", NULL };
	char *unknown_short[] = { "poll", "-xj", NULL };
	char *flag_value[] = { "poll", "--json=yes", NULL };
	char *not_taken[] = { "scan", "--inventory", "x", NULL };
	char *not_taken_short[] = { "scan", "-I", "x", NULL };
	char *clash[] = { "clash", "-j", NULL };

	(void)state;
	expect_error(&poll_cmd, t601, ARGC(t601),
		     "--timeout wants seconds between 0.1 and 600, not '601'");
	expect_error(&poll_cmd, t_abc, ARGC(t_abc),
		     "--timeout wants seconds between 0.1 and 600, not 'abc'");
	expect_error(&scan_cmd, scan04, ARGC(scan04),
		     "--timeout wants seconds between 0.5 and 300, not '0.4'");
	expect_error(&scan_cmd, scan301, ARGC(scan301),
		     "--timeout wants seconds between 0.5 and 300, not '301'");
	expect_error(&poll_cmd, type, ARGC(type),
		     "--address-type is auto, public or random, not 'static'");
	expect_error(&poll_cmd, sup, ARGC(sup),
		     "--supervision-timeout expects milliseconds from 100 to "
		     "32000 in steps of 10 (the kernel's unit), not '2005'");
	expect_error(&poll_cmd, need_long, ARGC(need_long),
		     "option '--timeout' needs a value");
	expect_error(&poll_cmd, need_short, ARGC(need_short),
		     "option '-t' needs a value");
	expect_error(&poll_cmd, unknown_long, ARGC(unknown_long),
		     "unknown option '--bogus'");
	expect_error(&poll_cmd, unknown_short, ARGC(unknown_short),
		     "unknown option '-x'");
	expect_error(&poll_cmd, flag_value, ARGC(flag_value),
		     "option '--json' takes no value");
	expect_error(&scan_cmd, not_taken, ARGC(not_taken),
		     "unknown option '--inventory'");
	expect_error(&scan_cmd, not_taken_short, ARGC(not_taken_short),
		     "unknown option '-I'");
	expect_error(&clash_cmd, clash, ARGC(clash),
		     "internal error: option letter '-j' given twice");
}

static void test_from_target(void **state)
{
	char *bare[] = { "poll", "NAME", NULL };
	char *given[] = { "poll", "-a", "hci1", "-T", "auto", "-t", "3", "-S",
			  "500", "NAME", NULL };
	struct cli_target t;
	struct cli_common c;
	char got[16], err[256];

	(void)state;
	memset(&t, 0, sizeof(t));
	snprintf(t.adapter, sizeof(t.adapter), "hci2");
	t.addr_type = WC_ADDR_RANDOM;
	t.addr_type_set = true;
	t.timeout_s = 1.5;
	t.supervision_ms = 2000;
	/* nothing on the command line: the inventory's */
	assert_int_equal(parse(&poll_cmd, ARGC(bare), bare, &c, got, err),
			 CLI_OPTS_DONE);
	cli_common_from_target(&c, &t);
	assert_string_equal(c.adapter, "hci2");
	assert_int_equal(c.addr_type, WC_ADDR_RANDOM);
	assert_true(c.timeout_s == 1.5);
	assert_int_equal(c.supervision_ms, 2000);
	/* the command line comes first, an explicit "auto" too */
	assert_int_equal(parse(&poll_cmd, ARGC(given), given, &c, got, err),
			 CLI_OPTS_DONE);
	cli_common_from_target(&c, &t);
	assert_string_equal(c.adapter, "hci1");
	assert_int_equal(c.addr_type, WC_ADDR_AUTO);
	assert_true(c.timeout_s == 3.0);
	assert_int_equal(c.supervision_ms, 500);
	/* an inventory battery without them leaves the defaults */
	memset(&t, 0, sizeof(t));
	assert_int_equal(parse(&poll_cmd, ARGC(bare), bare, &c, got, err),
			 CLI_OPTS_DONE);
	cli_common_from_target(&c, &t);
	assert_null(c.adapter);
	assert_true(c.timeout_s == 8.0);
	assert_int_equal(c.supervision_ms, 0);
}

/* What f(cmd) prints on stdout. */
static char *capture(void (*f)(const struct cli_cmd *), const struct cli_cmd *cmd)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	static char buf[8192];
	size_t n;

	assert_non_null(tmp);
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	f(cmd);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

static int help_result;
static char help_got[16];

static void parse_help(const struct cli_cmd *cmd)
{
	char *argv[] = { "poll", "-j", "--help", "-k", NULL };
	struct cli_common c;
	char err[256];

	help_result = parse(cmd, ARGC(argv), argv, &c, help_got, err);
}

static void test_help(void **state)
{
	const char *h, *line;

	(void)state;
	/* --help prints the usage and stops the parse */
	h = capture(parse_help, &poll_cmd);
	assert_int_equal(help_result, CLI_OPTS_HELP);
	assert_string_equal(help_got, "");
	assert_true(strncmp(h, "Usage: poll\n\n", 13) == 0);
	assert_non_null(strstr(h, "\n  -k, --keep              keep it\n"));
	assert_non_null(strstr(h, "\n  -n, --count N           stop after N\n"));
	assert_null(strstr(h, "--hidden"));
	assert_non_null(strstr(h, "\n  -t, --timeout S         deadline, 0.1 to 600 s (default 8)\n"));
	assert_non_null(strstr(h, "\n  -S, --supervision-timeout MS\n                          LE supervision"));
	assert_non_null(strstr(h, "\n  -I, --inventory FILE    "));
	assert_non_null(strstr(h, "\n  -h, --help              print this help and exit\n"));
	/* own options first, then the common ones; the footer last */
	assert_true(strstr(h, "--count") < strstr(h, "--json"));
	assert_true(strstr(h, "--json") < strstr(h, "--inventory"));
	assert_non_null(strstr(h, "exit\n\nExit status: 0.\n"));

	/* scan: only what it takes, its range, its --json text wrapped */
	h = capture(cli_print_usage, &scan_cmd);
	assert_non_null(strstr(h, "  -t, --timeout S         scan duration, 0.5 to 300 s (default 10)\n"));
	assert_non_null(strstr(h, "  -j, --json              one JSON array"));
	assert_null(strstr(h, "--inventory"));
	assert_null(strstr(h, "--adapter"));
	for (line = h; *line; ) {
		size_t len = strcspn(line, "\n");

		assert_true(len <= 78);
		/* an option line, or its continuation at column 26 */
		if (strncmp(line, "  ", 2) == 0 && line[2] != '-')
			assert_true(len > 26 && strspn(line, " ") == 26);
		line += len + (line[len] == '\n');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_from_target),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
