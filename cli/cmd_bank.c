/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle bank [--inventory FILE] [--json] BANK — poll every member of a
 * bank of the inventory at the same time and print the bank: the same
 * arithmetic and rules as the collectd plugin (plugin/bank.c). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bank.h"
#include "cli.h"
#include "clock.h"
#include "cli_inventory.h"
#include "inventory.h"
#include "jsonw.h"

#define SLOT(i, j) ((size_t)(i) * WC_BANK_MAX_SERIES + (j))

struct warning {
	enum wc_severity severity;
	char message[WC_EVENT_MSG_MAX];
};

struct warnings {
	struct warning w[WC_BANK_MAX_STRINGS * (WC_BANK_MAX_SERIES + 3) + 1];
	size_t n;
};

static void add_warning(const struct wc_event *ev, void *user)
{
	struct warnings *ws = user;

	if (ws->n >= sizeof(ws->w) / sizeof(ws->w[0]))
		return;
	ws->w[ws->n].severity = ev->severity;
	snprintf(ws->w[ws->n].message, sizeof(ws->w[0].message), "%s",
		 ev->message);
	ws->n++;
}

static void print_json(const struct wc_bank_def *d,
		       const struct wc_bank_values *v,
		       const struct warnings *ws)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "bank", d->name);
	jw_num(&w, "voltage_v", v->has_voltage ? v->voltage_v : NAN, 3);
	jw_num(&w, "current_a", v->current_a, 2);
	jw_num(&w, "power_w", v->power_w, 1);
	jw_num(&w, "soc_pct", v->soc_pct, 2);
	jw_num(&w, "soc_spread_pct", v->has_spread ? v->soc_spread_pct : NAN,
	       2);
	jw_num(&w, "share_imbalance_pct",
	       v->has_share ? v->share_imbalance_pct : NAN, 2);
	jw_int(&w, "members_online", v->members_online);
	jw_arr_begin(&w, "strings");
	for (unsigned i = 0; i < d->n_strings; i++) {
		const struct wc_bank_string *s = &v->s[i];

		jw_obj_begin(&w, NULL);
		jw_arr_begin(&w, "members");
		for (unsigned j = 0; j < d->n_series[i]; j++)
			jw_str(&w, NULL, d->member[i][j]);
		jw_arr_end(&w);
		jw_num(&w, "voltage_v", s->complete ? s->voltage_v : NAN, 3);
		jw_num(&w, "current_a", s->complete ? s->current_a : NAN, 2);
		jw_num(&w, "share_pct", s->has_share ? s->share_pct : NAN, 2);
		jw_num(&w, "soc_pct", s->complete ? s->soc_pct : NAN, 2);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr_begin(&w, "warnings");
	for (size_t k = 0; k < ws->n; k++) {
		jw_obj_begin(&w, NULL);
		jw_str(&w, "severity", wc_severity_name(ws->w[k].severity));
		jw_str(&w, "message", ws->w[k].message);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	fputc('\n', stdout);
}

static const char *on_off(bool b)
{
	return b ? "on" : "off";
}

static void print_text(const char *path, const struct wc_bank_def *d,
		       const struct cli_bank_poll *p,
		       const struct wc_bank_values *v,
		       const struct warnings *ws)
{
	printf("Bank       %s: %u string%s, %s\n", d->name, d->n_strings,
	       d->n_strings == 1 ? "" : "s", path);
	for (unsigned i = 0; i < d->n_strings; i++) {
		const struct wc_bank_string *s = &v->s[i];

		printf("String %-3u", i + 1);
		if (!s->complete)
			printf(" incomplete (a member was not read)\n");
		else {
			printf(" %6.2f V %+7.2f A", s->voltage_v, s->current_a);
			if (s->has_share)
				printf("  share %5.1f %%", s->share_pct);
			if (isfinite(s->soc_pct))
				printf("  SoC %5.1f %%", s->soc_pct);
			printf("  spread %4.1f %%\n", s->soc_spread_pct);
		}
		for (unsigned j = 0; j < d->n_series[i]; j++) {
			const struct wc_bank_member *m = &p->m[SLOT(i, j)];
			const struct wc_sample *sm = &m->sample;
			double lo, hi, delta;

			printf("  %-8s", d->member[i][j]);
			if (!m->good) {
				printf(" not read: %s\n", p->error[SLOT(i, j)]);
				continue;
			}
			printf(" %6.2f V %+7.2f A", sm->voltage_v, sm->current_a);
			if (wc_has(sm, WC_F_SOC))
				printf("  SoC %5.1f %%", sm->soc_pct);
			if (wc_sample_cell_stats(sm, &lo, &hi, &delta))
				printf("  cells %.3f-%.3f V", lo, hi);
			if (wc_has(sm, WC_F_STATUS))
				printf("  MOSFETs chg %s, dsg %s",
				       on_off(sm->charge_mos),
				       on_off(sm->discharge_mos));
			printf("\n");
		}
	}
	printf("Total     ");
	if (v->has_voltage)
		printf(" %6.2f V", v->voltage_v);
	if (v->complete) {
		printf(" %+7.2f A  %+.0f W", v->current_a, v->power_w);
		if (isfinite(v->soc_pct))
			printf("  SoC %.1f %% (%.1f of %.1f Ah)", v->soc_pct,
			       v->remaining_ah, v->full_ah);
	}
	if (v->has_spread)
		printf("  spread %.1f %%", v->soc_spread_pct);
	if (v->has_share)
		printf("  imbalance %.1f %%", v->share_imbalance_pct);
	printf("  %u of %u members online\n", v->members_online,
	       v->members_total);
	if (!ws->n)
		printf("Warnings   none\n");
	for (size_t k = 0; k < ws->n; k++)
		printf("%s %s %s\n", k ? "          " : "Warnings  ",
		       wc_severity_name(ws->w[k].severity), ws->w[k].message);
}

static int run_bank(int argc, char **argv)
{
	static struct cli_bank_poll poll_res;
	static struct warnings ws;
	const char *path;
	char err[WC_INVENTORY_ERR_MAX];
	struct wc_inventory *inv;
	const struct wc_bank_def *d;
	struct wc_bank_values v;
	struct cli_common o;
	int c;

	c = cli_opts_common_only(&cli_cmd_bank, argc, argv, &o);
	if (c != CLI_OPTS_DONE)
		return c;
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_bank, "no bank name given");
	if (optind + 1 < argc)
		return cli_usage_error(&cli_cmd_bank, "unexpected argument '%s'", argv[optind + 1]);
	path = wc_inventory_path(o.inventory);
	inv = wc_inventory_load(path, NULL, 0, err, sizeof(err));
	if (!inv) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	d = wc_inventory_bank(inv, argv[optind]);
	if (!d) {
		cli_err("%s: no bank named '%s'", path, argv[optind]);
		wc_inventory_free(inv);
		return EXIT_USAGE;
	}
	if (!cli_bank_poll(inv, d, o.timeout_s, o.timeout_set, &poll_res)) {
		cli_err("%s: cannot start the polling threads", d->name);
		wc_inventory_free(inv);
		return EXIT_FAIL;
	}
	wc_bank_compute(d, poll_res.m, wc_now_ms(), &v);
	memset(&ws, 0, sizeof(ws));
	for (unsigned i = 0; i < d->n_strings; i++)
		for (unsigned j = 0; j < d->n_series[i]; j++)
			if (!poll_res.m[SLOT(i, j)].good) {
				struct wc_event ev = { .severity = WC_SEV_FAILURE };

				snprintf(ev.message, sizeof(ev.message),
					 "%s: %s cannot be read: %s", d->name,
					 d->member[i][j],
					 poll_res.error[SLOT(i, j)]);
				add_warning(&ev, &ws);
			}
	wc_bank_alerts_active(d, poll_res.m, &v, add_warning, &ws);
	if (o.json)
		print_json(d, &v, &ws);
	else
		print_text(path, d, &poll_res, &v, &ws);
	fflush(stdout);
	c = poll_res.failed ? EXIT_FAIL : EXIT_OK;
	wc_inventory_free(inv);
	return c;
}

const struct cli_cmd cli_cmd_bank = {
	.name = "bank",
	.summary = "read every battery of a bank at once and show the bank",
	.usage =
	"Usage: wattcycle bank [--inventory FILE] [--json] [--timeout S] BANK\n"
	"\n"
	"Poll every member of BANK (a bank of the inventory) at the same time and\n"
	"print one line per string and member, the bank's totals and the\n"
	"warnings active now, computed as the collectd plugin computes them\n"
	"(collectd-wattcycle(5), \"Banks\").\n",
	.opts = {
		.common = CLI_OPT_INVENTORY | CLI_OPT_JSON | CLI_OPT_TIMEOUT,
		CLI_POLL_TIMEOUT,
		.timeout_help = "deadline of each member's poll (without "
				"it: the inventory's timeout of the battery, "
				"else the default)",
		.json_help = "one JSON object: bank, voltage_v, current_a, "
			     "power_w, soc_pct, soc_spread_pct, "
			     "share_imbalance_pct, members_online, strings "
			     "[{members, voltage_v, current_a, share_pct, "
			     "soc_pct}], warnings [{severity, message}]; a value "
			     "that cannot be computed is null",
	},
	.footer =
	"Exit status: 0 every member read, 1 a member could not be read (the\n"
	"bank is still printed, without what needs it), 2 usage or inventory\n"
	"error.\n",
	.run = run_bank,
};
