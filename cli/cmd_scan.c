/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle scan — find batteries by LE discovery (plugin/ble.c: the
 * kernel's management interface, beside bluetoothd). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ble.h"
#include "cli.h"
#include "jsonw.h"

struct scan_list {
	struct wc_adv dev[WC_BLE_SCAN_MAX];
	size_t n;
	int all;
};

/* Advertising reports and scan responses of one device arrive separately:
 * merge them by address. */
static void on_adv(void *user, const struct wc_adv *adv)
{
	struct scan_list *l = user;

	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->dev[i].address, adv->address) == 0) {
			wc_adv_merge(&l->dev[i], adv);
			return;
		}
	}
	if (l->n < WC_BLE_SCAN_MAX)
		l->dev[l->n++] = *adv;
}

static int by_rssi(const void *a, const void *b)
{
	const struct wc_adv *x = a, *y = b;

	return (y->has_rssi ? y->rssi : -128) - (x->has_rssi ? x->rssi : -128);
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static const char *type_name(enum wc_addr_type t)
{
	return wc_addr_type_name(t);
}

static void print_json(const struct scan_list *l)
{
	struct jw w;
	char buf[2 * WC_ADV_MFR_MAX + 1];

	jw_init(&w, stdout);
	jw_arr_begin(&w, NULL);
	for (size_t i = 0; i < l->n; i++) {
		const struct wc_adv *d = &l->dev[i];

		if (!l->all && strcmp(wc_adv_family(d), "unknown") == 0)
			continue;
		jw_obj_begin(&w, NULL);
		jw_str(&w, "address", d->address);
		jw_str(&w, "address_type", type_name(d->addr_type));
		if (d->has_name)
			jw_str(&w, "name", d->name);
		if (d->has_rssi)
			jw_int(&w, "rssi_dbm", d->rssi);
		for (size_t k = 0; k < d->mfr_len; k++)
			snprintf(buf + 2 * k, 3, "%02x", d->mfr[k]);
		buf[2 * d->mfr_len] = '\0';
		jw_str(&w, "manufacturer_data", buf);
		jw_arr_begin(&w, "services");
		for (size_t k = 0; k < d->n_uuids; k++)
			jw_str(&w, NULL, d->uuids[k]);
		jw_arr_end(&w);
		jw_str(&w, "family", wc_adv_family(d));
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	fputc('\n', stdout);
}

static void print_table(const struct scan_list *l)
{
	size_t shown = 0;

	printf("%-17s %-6s %5s  %-8s %-20s %s\n", "ADDRESS", "TYPE", "RSSI",
	       "FAMILY", "NAME", "MANUFACTURER DATA");
	for (size_t i = 0; i < l->n; i++) {
		const struct wc_adv *d = &l->dev[i];

		if (!l->all && strcmp(wc_adv_family(d), "unknown") == 0)
			continue;
		printf("%-17s %-6s ", d->address, type_name(d->addr_type));
		if (d->has_rssi)
			printf("%5d  ", d->rssi);
		else
			printf("%5s  ", "?");
		printf("%-8s %-20s ", wc_adv_family(d),
		       d->has_name ? d->name : "-");
		hex(stdout, d->mfr, d->mfr_len);
		printf("\n");
		shown++;
	}
	if (!shown)
		fprintf(stderr, "wattcycle: scan: no battery found%s\n",
			l->all ? "" : " (--all lists every device)");
}

static const struct cli_own_opt scan_own[] = {
	{ "all", 'A', NULL, "list every device, not only batteries" },
	{ NULL, 0, NULL, NULL },
};

static int run_scan(int argc, char **argv)
{
	struct scan_list *l;
	struct cli_common o;
	struct cli_opts p;
	char msg[256] = "";
	int all = 0, c;
	enum wc_err e;

	cli_opts_begin(&p, &cli_cmd_scan, &o);
	while ((c = cli_opts_next(&p, argc, argv, msg, sizeof(msg))) !=
	       CLI_OPTS_DONE) {
		switch (c) {
		case CLI_OPTS_HELP:
			return EXIT_OK;
		case CLI_OPTS_ERROR:
			return cli_usage_error(&cli_cmd_scan, "%s", msg);
		case 'A':
			all = 1;
			break;
		default:
			return cli_usage_error(&cli_cmd_scan, "unknown option '-%c'", c);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cli_cmd_scan, "unexpected argument '%s'", argv[optind]);
	msg[0] = '\0';

	l = calloc(1, sizeof(*l));
	if (!l) {
		cli_err("scan: out of memory");
		return EXIT_FAIL;
	}
	l->all = all;
	e = wc_ble_scan(o.adapter, (int)lround(o.timeout_s * 1000.0), on_adv, l,
			msg, sizeof(msg));
	if (e != WC_OK) {
		cli_err("scan: %s", msg[0] ? msg : wc_strerror(e));
		free(l);
		return EXIT_FAIL;
	}
	if (msg[0])
		cli_err("scan: %s", msg); /* a note: the list may be short */
	qsort(l->dev, l->n, sizeof(l->dev[0]), by_rssi);
	if (o.json)
		print_json(l);
	else
		print_table(l);
	free(l);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_scan = {
	.name = "scan",
	.summary = "find batteries nearby (Bluetooth LE discovery)",
	.usage =
	"Usage: wattcycle scan [--timeout S] [--adapter hci0] [--json] [--all]\n"
	"\n"
	"Run an LE discovery for S seconds (default 10) and list the batteries\n"
	"heard: address, address type, RSSI, protocol family (watt = XDZN/TDT;\n"
	"jbd = WTaHd.../WTeHd.../WTDH... modules, JBD protocol; both are read; a\n"
	"guess that the GATT database confirms on connecting), name and\n"
	"manufacturer data.\n"
	"The scan runs beside bluetoothd: it asks the kernel for an LE discovery\n"
	"and stops it at the end; when another program (bluetoothctl scan on) is\n"
	"discovering already, it listens to that discovery and leaves it running\n"
	"(a note on stderr if it ends early). Needs root or CAP_NET_ADMIN. A\n"
	"battery held by a phone or gateway does not advertise and so does not\n"
	"show up.\n",
	.opts = {
		.common = CLI_OPT_TIMEOUT | CLI_OPT_ADAPTER | CLI_OPT_JSON,
		.timeout_min = 0.5, .timeout_max = 300, .timeout_default = 10,
		.timeout_help = "scan duration",
		.json_help = "one JSON array (address, address_type, name, "
			     "rssi_dbm, manufacturer_data, services, family)",
		.own = scan_own,
	},
	.footer =
	"Exit status: 0 scan ran (even if nothing was found), 1 the scan could\n"
	"not run (no Bluetooth, no adapter, no permission), 2 usage error.\n",
	.run = run_scan,
};
