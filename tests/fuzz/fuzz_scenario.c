/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the simulator's scenario loader (sim/scenario.c,
 * #included) and its --alarm/--fault argument parsers.  The input is
 * written to a scratch file and loaded as a scenario (libconfig);
 * separately, its first line is given to sim_cfg_add_alarm_arg and
 * sim_cfg_add_fault_arg as a command-line argument would be.
 *
 * Checks: a failed load leaves a terminated one-line message that starts
 * with the file name; a good one gives 1..SIM_MAX_BATTERIES batteries with
 * names of 1..31 characters, distinct, cells and MTU in their documented
 * ranges.  (libconfig's @include is not disabled: a mutation that finds it
 * reads another file, which is harmless here.) */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../sim/scenario.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

/* libconfig 1.5 (Debian 12) leaks its scanner's string buffer when a
 * string ends the parse in a syntax error: a file holding just `""`
 * leaks one byte with a program that only calls config_read_file and
 * config_destroy.  That is the library's scanner (the two functions
 * below), once per failed load; a missing config_destroy of ours would
 * still show through the parser's own allocations. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static char fz_path[64];

static void fz_cleanup(void)
{
	if (fz_path[0])
		unlink(fz_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_battery_cfg cfgs[SIM_MAX_BATTERIES];
	struct sim_battery_cfg one;
	char err[512], line[128];
	unsigned n = 99;
	FILE *f;
	size_t k;

	if (!fz_path[0]) {
		int fd;

		snprintf(fz_path, sizeof(fz_path), "/tmp/fuzz_scenario.XXXXXX");
		fd = mkstemp(fz_path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(fz_cleanup);
	}
	f = fopen(fz_path, "w");
	if (!f)
		abort();
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);

	err[0] = '\0';
	if (sim_scenario_load(fz_path, cfgs, SIM_MAX_BATTERIES, &n, err,
			      sizeof(err)) < 0) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(strncmp(err, fz_path, strlen(fz_path)) == 0);
		CHECK(strchr(err, '\n') == NULL);
		CHECK(n == 0);
	} else {
		CHECK(n >= 1 && n <= SIM_MAX_BATTERIES);
		for (unsigned i = 0; i < n; i++) {
			size_t len = strnlen(cfgs[i].name, sizeof(cfgs[i].name));

			CHECK(len >= 1 && len <= 31);
			CHECK(cfgs[i].cells >= 1 && cfgs[i].cells <= 32);
			CHECK(cfgs[i].mtu >= 23 && cfgs[i].mtu <= 517);
			for (unsigned j = 0; j < i; j++)
				CHECK(strcmp(cfgs[i].name, cfgs[j].name) != 0);
		}
	}

	/* the first line as an --alarm / --fault argument */
	for (k = 0; k < size && k < sizeof(line) - 1 && data[k] != '\n' &&
		    data[k] != '\0';
	     k++)
		line[k] = (char)data[k];
	line[k] = '\0';
	sim_battery_cfg_defaults(&one, "fuzz");
	err[0] = '\0';
	if (sim_cfg_add_alarm_arg(&one, line, err, sizeof(err)) < 0)
		CHECK(err[0] != '\0');
	sim_battery_cfg_defaults(&one, "fuzz");
	err[0] = '\0';
	if (sim_cfg_add_fault_arg(&one, line, err, sizeof(err)) < 0)
		CHECK(err[0] != '\0');
	return 0;
}
