/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle read ADDRESS / wattcycle watch ADDRESS — poll a battery (or the
 * simulator) through the same session code the collectd plugin uses. */
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alarms.h"
#include "cli.h"
#include "cli_inventory.h"
#include "clock.h"
#include "connparam.h"
#include "family.h"
#include "session.h"
#include "sample_json.h"

struct read_args {
	struct cli_common c;        /* --json, --timeout, --adapter... */
	const char *address;
	double interval_s;
	long count;         /* watch: polls to run, 0 = until interrupted */
	int keep;
	struct cli_target target;   /* address or inventory name, resolved */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void print_json(const struct read_args *a,
		       const struct wc_poll_result *r)
{
	const struct wc_sample *s = &r->sample;
	char head[8];
	struct jw w;

	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "address", a->address);
	jw_str(&w, "protocol", wc_family_name(r->family));
	jw_str(&w, "family", wc_family_name(r->family));
	if (r->link_kind)
		jw_str(&w, "link", r->link_kind);
	snprintf(head, sizeof(head), "0x%02x", r->head);
	if (r->family == WC_FAMILY_WATT)
		jw_str(&w, "head", head);
	jw_int(&w, "version", s->version);
	jw_int(&w, "att_round_trips", r->att_round_trips);
	jw_int(&w, "mtu", r->mtu);
	jw_num(&w, "poll_s", r->poll_s, 3);
	if (r->has_rssi)
		jw_int(&w, "rssi_dbm", r->rssi_dbm);
	sample_json_analog(&w, s);
	sample_json_status(&w, s);
	sample_json_product(&w, s);
	sample_json_jbd(&w, s);
	jw_obj_end(&w);
	fputc('\n', stdout);
	fflush(stdout);
}

static const char *on_off(bool b)
{
	return b ? "on" : "off";
}

static void print_text(const struct read_args *a,
		       const struct wc_poll_result *r)
{
	const struct wc_sample *s = &r->sample;
	double lo, hi, delta;
	unsigned n_active = 0;

	printf("Battery    %s", a->address);
	if (wc_has(s, WC_F_INFO))
		printf("  firmware %s%s%s", s->firmware[0] ? s->firmware : "?",
		       s->serial[0] ? ", serial " : "", s->serial);
	printf("\n");
	if (wc_has(s, WC_F_SOC))
		printf("State      %.0f %% SoC, %.2f V, %+.1f A (%+.1f W)%s\n",
		       s->soc_pct, s->voltage_v, s->current_a, s->power_w,
		       wc_has(s, WC_F_STATUS)
			       ? (s->mode == WC_MODE_CHARGING ? ", charging"
				  : s->mode == WC_MODE_DISCHARGING ? ", discharging"
				  : s->mode == WC_MODE_IDLE ? ", idle" : "")
			       : "");
	if (wc_has(s, WC_F_REMAINING))
		printf("Capacity   %.1f of %.1f Ah (design %.1f Ah), %u cycles\n",
		       s->remaining_ah, s->full_ah, s->design_ah, s->cycles);
	if (wc_sample_cell_stats(s, &lo, &hi, &delta)) {
		printf("Cells     ");
		for (unsigned i = 0; i < s->n_cells; i++)
			printf(" %.3f", s->cell_v[i]);
		printf(" V\n           min %.3f V, max %.3f V, delta %.3f V\n",
		       lo, hi, delta);
	}
	if (!wc_has(s, WC_F_TEMP_MOS) && !wc_has(s, WC_F_TEMP_ENV) &&
	    s->n_probes) {
		/* JBD: NTCs only, no MOS/ambient sensor by name */
		printf("Temps      probes");
		for (unsigned i = 0; i < s->n_probes; i++)
			printf(" %.1f", s->probe_c[i]);
		printf(" °C\n");
	}
	if (wc_has(s, WC_F_HUMIDITY) || wc_has(s, WC_F_HEATING))
		printf("JBD        humidity %.0f %%, heater %s, protocol %u.%u\n",
		       s->humidity_pct, on_off(s->heating),
		       s->jbd.protocol_version / 10u,
		       s->jbd.protocol_version % 10u);
	if (wc_has(s, WC_F_TEMP_MOS) || wc_has(s, WC_F_TEMP_ENV)) {
		printf("Temps      MOS %.1f °C, env %.1f °C", s->temp_mos_c,
		       s->temp_env_c);
		if (s->n_probes) {
			printf(", probes");
			for (unsigned i = 0; i < s->n_probes; i++)
				printf(" %.1f", s->probe_c[i]);
			printf(" °C");
		}
		printf("\n");
	}
	if (wc_has(s, WC_F_STATUS)) {
		printf("MOSFETs    charge %s, discharge %s; balancing:",
		       on_off(s->charge_mos), on_off(s->discharge_mos));
		if (!s->balancing)
			printf(" none");
		for (unsigned i = 0; i < s->regs.n_cells; i++)
			if (s->balancing & (1u << i))
				printf(" %u", i + 1);
		printf("\n");
		for (size_t i = 0; i < wc_alarm_count; i++) {
			const struct wc_alarm *al = &wc_alarms[i];

			if (al->cls == WC_CLASS_STATE ||
			    !wc_alarm_active(al, &s->regs))
				continue;
			printf("%s %s (%s) — %s\n",
			       n_active++ ? "          " : "Active    ", al->name,
			       wc_alarm_class_name(al->cls), al->meaning);
		}
		if (!n_active)
			printf("Active     no protection, alarm or fault\n");
	}
	if (r->family == WC_FAMILY_JBD)
		printf("Link       %s, JBD protocol, MTU %u, %u ATT round trips, %.3f s",
		       r->link_kind ? r->link_kind : "?", r->mtu,
		       r->att_round_trips, r->poll_s);
	else
		printf("Link       %s, head 0x%02X, MTU %u, %u ATT round trips, %.3f s",
		       r->link_kind ? r->link_kind : "?", r->head, r->mtu,
		       r->att_round_trips, r->poll_s);
	if (r->has_rssi)
		printf(", RSSI %d dBm", r->rssi_dbm);
	printf("\n");
	fflush(stdout);
}

static void log_step(void *user, const char *msg)
{
	const char *address = user;

	fprintf(stderr, "wattcycle: %s: %s\n", address, msg);
}

static struct wc_session *make_poll(const struct read_args *a)
{
	struct wc_session_opts o;

	memset(&o, 0, sizeof(o));
	o.name = a->address;
	o.link.address = a->address;
	o.link.adapter = a->c.adapter;
	o.link.addr_type = a->c.addr_type;
	o.link.supervision_ms = a->c.supervision_ms;
	o.keep_connected = a->keep;
	o.timeout_ms = (uint32_t)lround(a->c.timeout_s * 1000.0);
	o.info_refresh_s = 3600;
	if (a->c.verbose) {
		o.log = log_step;
		o.log_user = (void *)a->address;
	}
	return wc_session_new(&o);
}

/* One poll: prints the result or the error.  Returns EXIT_OK/EXIT_FAIL. */
static int poll_once(struct wc_session *p, const struct read_args *a)
{
	struct wc_poll_result r;
	struct wc_diag d;
	char msg[WC_POLL_MSG_MAX];

	if (wc_session_poll(p, &r, &d, msg, sizeof(msg)) != WC_OK) {
		fprintf(stderr, "wattcycle: %s: read: %s\n", a->address, msg);
		return EXIT_FAIL;
	}
	if (a->c.json)
		print_json(a, &r);
	else
		print_text(a, &r);
	return EXIT_OK;
}

/* watch's --interval: its range and default, in its help line and its
 * check (spelled as the help should print them) */
#define INTERVAL_MIN 0.2
#define INTERVAL_MAX 86400
#define INTERVAL_DEFAULT 10
#define TEXT(x) #x
#define NUMBER_TEXT(x) TEXT(x)

#define KEEP_OPT \
	{ "keep", 'k', NULL, "keep the link between polls (keep-connected mode)" }

static const struct cli_own_opt read_own[] = {
	KEEP_OPT,
	/* taken so that read can say they are watch's */
	{ "interval", 'i', "S", NULL },
	{ "count", 'n', "N", NULL },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_own_opt watch_own[] = {
	{ "interval", 'i', "S", "seconds between polls, " NUMBER_TEXT(INTERVAL_MIN)
	  " to " NUMBER_TEXT(INTERVAL_MAX) " (default "
	  NUMBER_TEXT(INTERVAL_DEFAULT) ")" },
	{ "count", 'n', "N", "stop after N polls" },
	KEEP_OPT,
	{ NULL, 0, NULL, NULL },
};

/* -1: help printed (exit 0); 0: go; otherwise the exit code. */
static int parse_args(const struct cli_cmd *cmd, int argc, char **argv,
		      struct read_args *a, bool watch)
{
	char why[WC_INVENTORY_ERR_MAX + 128];
	struct cli_opts p;
	int c;

	memset(a, 0, sizeof(*a));
	a->interval_s = INTERVAL_DEFAULT;
	cli_opts_begin(&p, cmd, &a->c);
	while ((c = cli_opts_next(&p, argc, argv, why, sizeof(why))) !=
	       CLI_OPTS_DONE) {
		switch (c) {
		case CLI_OPTS_HELP:
			return -1;
		case CLI_OPTS_ERROR:
			return cli_usage_error(cmd, "%s", why);
		case 'i':
			if (!watch)
				return cli_usage_error(cmd, "--interval is for watch");
			if (cli_parse_double(optarg, INTERVAL_MIN, INTERVAL_MAX,
					     &a->interval_s))
				return cli_usage_error(cmd, "--interval wants seconds between %g and %g, not '%s'",
						       INTERVAL_MIN, (double)INTERVAL_MAX, optarg);
			break;
		case 'n':
			if (!watch)
				return cli_usage_error(cmd, "--count is for watch");
			if (cli_parse_long(optarg, 1, 1000000, &a->count))
				return cli_usage_error(cmd, "--count wants a number of polls, not '%s'", optarg);
			break;
		case 'k':
			a->keep = 1;
			break;
		default:
			return cli_usage_error(cmd, "unknown option '-%c'", c);
		}
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "no battery address given");
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	/* an address, or the name of a battery of the inventory, whose
	 * options count where the command line gives none */
	if (cli_resolve_battery(argv[optind], a->c.inventory, &a->target, why,
				sizeof(why)) != 0)
		return cli_usage_error(cmd, "%s", why);
	a->address = a->target.address;
	cli_common_from_target(&a->c, &a->target);
	if (a->target.keep)
		a->keep = 1;
	return 0;
}

static int run_read(int argc, char **argv)
{
	struct read_args a;
	struct wc_session *p;
	int rc = parse_args(&cli_cmd_read, argc, argv, &a, false);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	p = make_poll(&a);
	if (!p) {
		cli_err("%s: out of memory", a.address);
		return EXIT_FAIL;
	}
	rc = poll_once(p, &a);
	wc_session_free(p);
	return rc;
}

static int run_watch(int argc, char **argv)
{
	struct read_args a;
	struct sigaction sa;
	struct wc_session *p;
	long done = 0;
	int rc = parse_args(&cli_cmd_watch, argc, argv, &a, true);
	int last = EXIT_OK;

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (a.c.timeout_s >= a.interval_s && !a.keep)
		return cli_usage_error(&cli_cmd_watch, "--timeout must be shorter than --interval");
	p = make_poll(&a);
	if (!p) {
		cli_err("%s: out of memory", a.address);
		return EXIT_FAIL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	while (!stop_requested) {
		uint64_t next = wc_now_ms() + (uint64_t)llround(a.interval_s * 1000.0);

		last = poll_once(p, &a);
		if (!a.c.json && !stop_requested)
			printf("\n");
		if (a.count && ++done >= a.count)
			break;
		/* poll() with no fds is an interruptible sleep that a signal
		 * ends at once. */
		while (!stop_requested && wc_ms_left(next) > 0)
			poll(NULL, 0, wc_ms_left(next));
	}
	wc_session_free(p);
	return last;
}

#define ADDRESS_HELP \
	"ADDRESS is a BLE address (C0:D6:3C:52:E4:D9, see 'wattcycle scan'),\n" \
	"unix:/path/to.sock for a battery simulated by wattcycle-sim, or the name\n" \
	"of a battery of the inventory (its address and options are used where\n" \
	"the command line gives none).\n"

#define READ_COMMON                                                        \
	(CLI_OPT_JSON | CLI_OPT_TIMEOUT | CLI_OPT_ADAPTER | CLI_OPT_ADDR_TYPE | \
	 CLI_OPT_SUPERVISION | CLI_OPT_VERBOSE | CLI_OPT_INVENTORY)

/* what read and watch take alike */
#define READ_SPEC \
	.common = READ_COMMON, CLI_POLL_TIMEOUT, \
	.timeout_help = "deadline of one whole poll (connect to answer)"

#define READ_JSON_HELP \
	"one JSON object (the decode contract of 0x8C, 0x8D and 0x92, plus " \
	"address, protocol, head, version, att_round_trips, mtu, poll_s and " \
	"rssi_dbm)"

const struct cli_cmd cli_cmd_read = {
	.name = "read",
	.summary = "read one battery once (live data, status, alarms)",
	.usage =
	"Usage: wattcycle read ADDRESS [--json] [--timeout S] [--keep]\n"
	"\n"
	"Connect to one battery, unlock it, read live data (0x8C), status and\n"
	"alarms (0x8D) and product info (0x92), and print them.\n"
	ADDRESS_HELP,
	.opts = {
		READ_SPEC,
		.json_help = READ_JSON_HELP,
		.own = read_own,
	},
	.footer =
	"Exit status: 0 read, 1 battery or protocol error (the message says\n"
	"which step failed and why), 2 usage error.\n",
	.run = run_read,
};

const struct cli_cmd cli_cmd_watch = {
	.name = "watch",
	.summary = "poll one battery at an interval until Ctrl-C",
	.usage =
	"Usage: wattcycle watch ADDRESS [--interval S] [--count N] [--json] [--keep]\n"
	"\n"
	"Poll a battery every S seconds (default 10) and print each reading; a\n"
	"failed poll is reported on stderr and the next one is tried. Stops on\n"
	"Ctrl-C / SIGTERM or after --count polls.\n"
	ADDRESS_HELP,
	.opts = {
		READ_SPEC,
		.json_help = READ_JSON_HELP "; one per line",
		.own = watch_own,
	},
	.footer =
	"Exit status: that of the last poll (0 read, 1 error), 2 usage error.\n",
	.run = run_watch,
};
