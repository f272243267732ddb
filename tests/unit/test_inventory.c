/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/inventory.[ch]: the libconfig inventory, its
 * checks and their "FILE:LINE: reason" sentences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgfile.h"
#include "inventory.h"

static char path[64];
static char err[WC_INVENTORY_ERR_MAX];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/wc_inv_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static struct wc_inventory *load_text(const char *text,
				      const char *const *known,
				      size_t n_known)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return wc_inventory_load(path, known, n_known, err, sizeof(err));
}

/* err without the "path:" prefix, which differs per run. */
static const char *reason(void)
{
	size_t n = strlen(path);

	assert_int_equal(strncmp(err, path, n), 0);
	assert_int_equal(err[n], ':');
	return err + n + 1;
}

static const char example[] =
	"batteries = (\n"
	"  { name = \"bank1\"; address = \"C0:D6:3C:52:E4:D9\"; },\n"
	"  { name = \"bank2\"; address = \"unix:/run/wattcycle-sim/bank2.sock\";\n"
	"    keep_connected = true; interval = 5; timeout = 2.5;\n"
	"    address_type = \"random\"; adapter = \"hci1\";\n"
	"    report_cells = false; report_alarm_values = true;\n"
	"    offline_after = 4; supervision_timeout = 2000; },\n"
	"  { name = \"bank3\"; address = \"unix:/tmp/b3.sock\"; },\n"
	"  { name = \"bank4\"; address = \"unix:/tmp/b4.sock\"; }\n"
	");\n"
	"banks = (\n"
	"  { name = \"house\";\n"
	"    strings = ( [\"bank1\", \"bank2\"], [\"bank3\", \"bank4\"] );\n"
	"    soc_spread_warn = 10.0;\n"
	"    share_warn = 25;\n"
	"  }\n"
	");\n";

static void test_example(void **state)
{
	struct wc_inventory *inv = load_text(example, NULL, 0);
	const struct wc_inv_battery *b;
	const struct wc_bank_def *d;

	(void)state;
	assert_non_null(inv);
	assert_int_equal(inv->n_batteries, 4);
	b = wc_inventory_battery(inv, "bank1");
	assert_non_null(b);
	assert_string_equal(b->address, "C0:D6:3C:52:E4:D9");
	assert_int_equal(b->keep_connected, -1);
	assert_int_equal(b->report_cells, -1);
	assert_true(b->interval_s == 0);
	assert_true(b->supervision_ms == 0);
	assert_int_equal(b->line, 2);
	b = wc_inventory_battery(inv, "bank2");
	assert_non_null(b);
	assert_int_equal(b->keep_connected, 1);
	assert_true(b->interval_s == 5.0);
	assert_true(b->timeout_s == 2.5);
	assert_string_equal(b->address_type, "random");
	assert_string_equal(b->adapter, "hci1");
	assert_int_equal(b->report_cells, 0);
	assert_int_equal(b->report_alarm_values, 1);
	assert_int_equal(b->offline_after, 4);
	assert_true(b->supervision_ms == 2000);
	d = wc_inventory_bank(inv, "house");
	assert_non_null(d);
	assert_int_equal(d->n_strings, 2);
	assert_int_equal(d->n_series[0], 2);
	assert_string_equal(d->member[1][1], "bank4");
	assert_true(d->soc_spread_warn == 10.0);
	assert_true(d->share_warn == 25.0);
	assert_null(wc_inventory_bank(inv, "bank1"));
	assert_null(wc_inventory_battery(inv, "house"));
	wc_inventory_free(inv);
}

/* The repository's example inventory loads as it is. */
static void test_repo_example(void **state)
{
	struct wc_inventory *inv = wc_inventory_load(
		"conf/inventory.conf", NULL, 0, err, sizeof(err));

	(void)state;
	if (!inv && strstr(err, "cannot open"))
		skip();
	assert_non_null(inv);
	assert_non_null(wc_inventory_bank(inv, "house"));
	wc_inventory_free(inv);
}

struct bad {
	const char *text;
	const char *reason;
};

static void test_errors(void **state)
{
	static const struct bad cases[] = {
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\";\n   name2 = ; }\n);\n",
		  "3: syntax error" },
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\"; },\n"
		  " { name = \"A\"; address = \"unix:/y\"; }\n);\n",
		  "3: battery \"A\": the name is already taken by battery a at "
		  "line 2 (names are unique, ignoring case)" },
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\"; }\n);\n"
		  "banks = (\n { name = \"h\";\n   strings = ( [\"a\", \"zz\"] ); }\n);\n",
		  "6: bank h: \"zz\" is no battery (not in batteries nor "
		  "configured before)" },
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\"; },\n"
		  " { name = \"b\"; address = \"unix:/y\"; }\n);\n"
		  "banks = (\n { name = \"h\"; strings = ( [\"a\"], [\"b\"] ); },\n"
		  " { name = \"v\"; strings = ( [\"b\"] ); }\n);\n",
		  "7: bank v: battery \"b\" is already in bank h (a battery "
		  "belongs to one bank, once)" },
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\";\n"
		  "   keepconnected = true; }\n);\n",
		  "3: a: keepconnected: unknown key (known: name, address, "
		  "address_type, adapter, interval, timeout, keep_connected, "
		  "supervision_timeout, report_cells, report_alarm_values, "
		  "offline_after)" },
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\";\n"
		  "   supervision_timeout = 2005; }\n);\n",
		  "3: a: supervision_timeout: expects milliseconds from 100 to "
		  "32000 in steps of 10" },
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\";\n"
		  "   supervision_timeout = 50; }\n);\n",
		  "3: a: supervision_timeout: 50 is out of range (100 to 32000)" },
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\";\n"
		  "   interval = \"10\"; }\n);\n",
		  "3: a: interval: expects a number" },
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\";\n"
		  "   report_cells = 1; }\n);\n",
		  "3: a: report_cells: expects true or false" },
		{ "batteries = (\n { name = \"a b\"; address = \"unix:/x\"; }\n);\n",
		  "2: battery \"a b\": the name must be 1 to 63 letters, digits, "
		  "'_' or '-'" },
		{ "batteries = (\n { name = \"a\"; }\n);\n",
		  "2: a: address: missing (e.g. address = \"C0:D6:3C:52:E4:D9\" "
		  "or \"unix:/path/to.sock\")" },
		{ "batteries = (\n { name = \"a\"; address = \"C0:D6\"; }\n);\n",
		  "2: a: address: \"C0:D6\" is not valid: " },
		{ "battery = ();\n", "1: battery: unknown key (known: batteries, "
		  "banks)" },
		{ "batteries = (\n { name = \"a\"; address = \"unix:/x\"; }\n);\n"
		  "banks = (\n { name = \"a\"; strings = ( [\"a\"] ); }\n);\n",
		  "5: bank \"a\": the name is already taken by battery a at "
		  "line 2 (names are unique, ignoring case)" },
		{ "banks = (\n { name = \"h\"; }\n);\n",
		  "2: bank h: strings: missing (e.g. strings = ( [\"bank1\", "
		  "\"bank2\"] );)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wc_inventory *inv = load_text(cases[i].text, NULL, 0);

		if (inv)
			fail_msg("case %zu loaded", i);
		if (strncmp(reason(), cases[i].reason, strlen(cases[i].reason)))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i,
				 reason(), cases[i].reason);
	}
}

/* Batteries of <Battery> blocks: their names are taken and banks may
 * use them. */
static void test_known_batteries(void **state)
{
	static const char *const known[] = { "starter", "Bank9" };
	struct wc_inventory *inv;

	(void)state;
	inv = load_text("batteries = ( { name = \"a\"; address = \"unix:/x\"; } );\n"
			"banks = ( { name = \"h\"; strings = ( [\"a\", \"Bank9\"] ); } );\n",
			known, 2);
	assert_non_null(inv);
	assert_string_equal(wc_inventory_bank(inv, "h")->member[0][1], "Bank9");
	wc_inventory_free(inv);
	inv = load_text("batteries = (\n { name = \"STARTER\"; address = \"unix:/x\"; }\n);\n",
			known, 2);
	assert_null(inv);
	assert_string_equal(reason(), "2: battery \"STARTER\": the name is "
			    "already taken by a <Battery \"starter\"> block "
			    "(names are unique, ignoring case)");
}

static void test_missing_file(void **state)
{
	(void)state;
	assert_null(wc_inventory_load("/nonexistent/inv.conf", NULL, 0, err,
				      sizeof(err)));
	assert_string_equal(err, "/nonexistent/inv.conf: cannot open the "
			    "inventory: No such file or directory");
}

/* Files libconfig 1.5's scanner cannot read end the process (exit() in
 * its flex scanner): they must come back as an error line instead. */
static void test_unreadable_files(void **state)
{
	char big[64];

	(void)state;
	assert_null(wc_inventory_load("/", NULL, 0, err, sizeof(err)));
	assert_string_equal(err, "/: not a regular file (a directory)");
	assert_null(load_text("batteries = ();\n\t@include \"/\"\n", NULL, 0));
	assert_string_equal(reason(), "2: @include is not supported (one file "
			    "holds everything)");
	/* a NUL byte would cut the file short without a word */
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fwrite("batteries = ();\n\0x", 1, 18, f);
		fclose(f);
	}
	assert_null(wc_inventory_load(path, NULL, 0, err, sizeof(err)));
	assert_string_equal(reason(), "2: NUL byte in the file");
	assert_int_equal(truncate(path, WC_CFGFILE_MAX + 1), 0);
	assert_null(wc_inventory_load(path, NULL, 0, err, sizeof(err)));
	snprintf(big, sizeof(big), " larger than %d KiB", WC_CFGFILE_MAX / 1024);
	assert_string_equal(reason(), big);
}

static void test_path_choice(void **state)
{
	(void)state;
	unsetenv(WC_INVENTORY_ENV);
	assert_string_equal(wc_inventory_path(NULL), WC_INVENTORY_DEFAULT);
	setenv(WC_INVENTORY_ENV, "/e.conf", 1);
	assert_string_equal(wc_inventory_path(NULL), "/e.conf");
	assert_string_equal(wc_inventory_path("/o.conf"), "/o.conf");
	unsetenv(WC_INVENTORY_ENV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_example, setup, teardown),
		cmocka_unit_test(test_repo_example),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_batteries, setup,
						teardown),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test_setup_teardown(test_unreadable_files, setup,
						teardown),
		cmocka_unit_test(test_path_choice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
