/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle alarms [--json] — the alarm-code table (plugin/alarms.c). */
#include <getopt.h>
#include <stdio.h>

#include "alarms.h"
#include "cli.h"
#include "jsonw.h"

static void print_json(void)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_arr_begin(&w, NULL);
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];

		jw_obj_begin(&w, NULL);
		jw_str(&w, "id", a->id);
		jw_str(&w, "name", a->name);
		jw_str(&w, "meaning", a->meaning);
		jw_str(&w, "class", wc_alarm_class_name(a->cls));
		jw_str(&w, "family", wc_alarm_family_names(a));
		jw_str(&w, "register", wc_alarm_reg_name(a->reg));
		if (a->reg != WC_REG_JBD)
			jw_int(&w, "offset", wc_alarm_reg_offset(a->reg));
		jw_int(&w, "bit", a->bit);
		if (a->jbd_word != WC_JBD_NONE) {
			jw_obj_begin(&w, "jbd");
			jw_str(&w, "word", wc_alarm_jbd_word_name(a->jbd_word));
			jw_int(&w, "bit", a->jbd_bit);
			jw_obj_end(&w);
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	fputc('\n', stdout);
}

static int utf8_extra_bytes(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) == 0x80)
			n++;
	return n;
}

static void print_table(void)
{
	printf("%-20s %-24s %-10s %-8s %-8s %3s  %-14s %s\n", "ID", "APP NAME",
	       "CLASS", "FAMILY", "REGISTER", "BIT", "JBD", "MEANING");
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];

		/* printf pads by bytes; "°" is two bytes but one column. */
		int pad = 24 + utf8_extra_bytes(a->name);

		char jbd[24] = "-";

		if (a->jbd_word != WC_JBD_NONE)
			snprintf(jbd, sizeof(jbd), "%s %u",
				 wc_alarm_jbd_word_name(a->jbd_word),
				 a->jbd_bit);
		printf("%-20s %-*s %-10s %-8s %-8s %3u  %-14s %s\n", a->id, pad,
		       a->name, wc_alarm_class_name(a->cls),
		       wc_alarm_family_names(a), wc_alarm_reg_name(a->reg),
		       a->bit, jbd, a->meaning);
	}
}

static int run_alarms(int argc, char **argv)
{
	struct cli_common o;
	int c;

	c = cli_opts_common_only(&cli_cmd_alarms, argc, argv, &o);
	if (c != CLI_OPTS_DONE)
		return c;
	if (optind < argc)
		return cli_usage_error(&cli_cmd_alarms,
				       "unexpected argument '%s'", argv[optind]);
	if (o.json)
		print_json();
	else
		print_table();
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_alarms = {
	.name = "alarms",
	.summary = "list the battery's protection, alarm, fault and state codes",
	.usage =
	"Usage: wattcycle alarms [--json]\n"
	"\n"
	"Print the alarm-code table of the WattCycle app: each code's stable id\n"
	"(used as collectd type_instance and in JSON), the app's name, class\n"
	"(protection, alarm, fault, state), the protocol families that report it\n"
	"(watt, jbd or both), the 0x8D register and bit it maps to (register\n"
	"\"jbd\" for JBD-only codes), the word and bit of a JBD battery's basic\n"
	"info that carry it, and its meaning.\n",
	.opts = {
		.common = CLI_OPT_JSON,
		.json_help = "one JSON array instead of the table",
	},
	.run = run_alarms,
};
