/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle check ADDRESS --metric NAME [-w RANGE] [-c RANGE] ... — a
 * Nagios plugin (monitoring-plugins guidelines): one status line with
 * perfdata on stdout, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 *
 * Metric names are the collectd plugin's identifiers: the rows of
 * plugin/metrics.c (the one list, which the plugin dispatches), with
 * ReportCells and ReportAlarmValues on; tests/cli/check.sh compares them
 * for a simulated battery with what the real plugin dispatches
 * (scripts/identifiers.sh). */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarms.h"
#include "bank.h"
#include "cli.h"
#include "cli_inventory.h"
#include "clock.h"
#include "metrics.h"
#include "session.h"
#include "wc_version.h"

/* Nagios plugin return codes. */
enum check_state {
	CHECK_OK = 0,
	CHECK_WARNING = 1,
	CHECK_CRITICAL = 2,
	CHECK_UNKNOWN = 3,
};

#define CHECK_NAME_MAX 32
#define CHECK_VALUES_MAX WC_METRICS_MAX
#define CHECK_METRICS_MAX 64
#define CHECK_RANGE_TEXT_MAX 48

/* Text unit and perfdata UOM.  The guidelines allow only s, %, B and c as
 * UOM, so volts, amperes and degrees go out unit-less in perfdata. */
struct check_unit {
	const char *text;
	const char *uom;
	double min, max;  /* perfdata min/max; NAN = not given */
};

static const struct check_unit unit_v = { " V", "", NAN, NAN };
static const struct check_unit unit_a = { " A", "", NAN, NAN };
static const struct check_unit unit_w = { " W", "", NAN, NAN };
static const struct check_unit unit_pct = { " %", "%", 0, 100 };
static const struct check_unit unit_ah = { " Ah", "", NAN, NAN };
static const struct check_unit unit_none = { "", "", NAN, NAN };
static const struct check_unit unit_c = { " °C", "", NAN, NAN };
static const struct check_unit unit_bool = { "", "", 0, 1 };
static const struct check_unit unit_dbm = { " dBm", "", NAN, NAN };
static const struct check_unit unit_s = { " s", "s", 0, NAN };

/* One row: a value as the plugin would dispatch it. */
struct check_value {
	const char *type;                /* types.db type */
	char type_instance[CHECK_NAME_MAX];
	/* The short name: the type_instance, except for the three "pack"
	 * rows, which would collide: voltage-pack is "pack", current-pack
	 * "current", power-pack "power". */
	char name[CHECK_NAME_MAX];
	const struct check_unit *unit;
	double value;
};

/* The text unit and perfdata UOM of a types.db type. */
static const struct check_unit *unit_of(const char *type)
{
	static const struct {
		const char *type;
		const struct check_unit *unit;
	} units[] = {
		{ "voltage", &unit_v },       { "current", &unit_a },
		{ "power", &unit_w },         { "percent", &unit_pct },
		{ "charge", &unit_ah },       { "temperature", &unit_c },
		{ "bool", &unit_bool },       { "signal_power", &unit_dbm },
		{ "duration", &unit_s },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].type, type) == 0)
			return units[i].unit;
	return &unit_none;
}

/* The plugin's rows (plugin/metrics.c, the one list) as check rows: the
 * short name is the type_instance, except for current-pack and
 * power-pack, which would collide with voltage-pack ("pack"). */
static size_t as_check_values(const struct wc_metric *m, size_t n,
			      struct check_value *out, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < cap; i++, k++) {
		struct check_value *v = &out[k];

		v->type = m[i].type;
		snprintf(v->type_instance, sizeof(v->type_instance), "%s",
			 m[i].type_instance);
		snprintf(v->name, sizeof(v->name), "%s",
			 (strcmp(m[i].type_instance, "pack") == 0 ||
			  strcmp(m[i].type_instance, "bank") == 0) &&
					 strcmp(m[i].type, "voltage") != 0
				 ? m[i].type
				 : m[i].type_instance);
		v->unit = unit_of(m[i].type);
		v->value = m[i].value;
	}
	return k;
}

/* The rows of one poll, as the plugin would dispatch them with
 * ReportCells and ReportAlarmValues on. */
static size_t check_values(const struct wc_poll_result *r,
			   struct check_value *out, size_t cap)
{
	static const struct wc_metric_opts every = { true, true };
	struct wc_metric m[WC_METRICS_MAX];

	return as_check_values(m, wc_metrics(r, &every, m, WC_METRICS_MAX),
			       out, cap);
}

/* Every row of a bank, as the plugin dispatches them under
 * <host>/wattcycle-<bank>/ (plugin/bank.c, the one list). */
static size_t check_bank_universe(struct check_value *out, size_t cap)
{
	static struct wc_bank_def d;
	static struct wc_bank_values v;
	struct wc_metric m[WC_BANK_METRICS_MAX];

	memset(&d, 0, sizeof(d));
	memset(&v, 0, sizeof(v));
	d.n_strings = WC_BANK_MAX_STRINGS;
	v.has_voltage = v.has_spread = v.has_cells = v.complete = true;
	v.has_share = true;
	for (unsigned i = 0; i < WC_BANK_MAX_STRINGS; i++)
		v.s[i].complete = v.s[i].has_share = true;
	return as_check_values(m, wc_bank_metrics(&d, &v, m,
						  WC_BANK_METRICS_MAX),
			       out, cap);
}

/* Every row check_values() can give. */
static size_t check_universe(struct check_value *out, size_t cap)
{
	struct wc_metric m[WC_METRICS_MAX];

	return as_check_values(m, wc_metrics_all(m, WC_METRICS_MAX), out, cap);
}

/* A NAME matches a row by its short name or as TYPE-TYPE_INSTANCE. */
static bool name_matches(const struct check_value *v, const char *name)
{
	size_t tl = strlen(v->type);

	if (strcmp(v->name, name) == 0)
		return true;
	return strncmp(name, v->type, tl) == 0 && name[tl] == '-' &&
	       strcmp(name + tl + 1, v->type_instance) == 0;
}

static const struct check_value *find_value(const struct check_value *v,
					    size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (name_matches(&v[i], name))
			return &v[i];
	return NULL;
}

/* ---- Nagios ranges ---------------------------------------------------- */

/* "10" = 0..10, "10:" = 10..inf, "~:10" = -inf..10, "10:20"; a leading
 * '@' alerts inside the range (inclusive) instead of outside it. */
struct check_range {
	bool set;
	bool inside;
	double lo, hi;
	char text[CHECK_RANGE_TEXT_MAX];
};

static int parse_bound(const char *s, size_t len, double *out)
{
	char buf[CHECK_RANGE_TEXT_MAX];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return cli_parse_double(buf, -1e300, 1e300, out);
}

static int parse_range(const char *text, struct check_range *r)
{
	const char *s = text;
	const char *colon;

	memset(r, 0, sizeof(r[0]));
	if (strlen(text) >= sizeof(r->text))
		return -1;
	snprintf(r->text, sizeof(r->text), "%s", text);
	if (*s == '@') {
		r->inside = true;
		s++;
	}
	colon = strchr(s, ':');
	if (!colon) {
		r->lo = 0;
		if (parse_bound(s, strlen(s), &r->hi))
			return -1;
	} else {
		if (colon - s == 1 && s[0] == '~')
			r->lo = -INFINITY;
		else if (parse_bound(s, (size_t)(colon - s), &r->lo))
			return -1;
		if (colon[1] == '\0')
			r->hi = INFINITY;
		else if (parse_bound(colon + 1, strlen(colon + 1), &r->hi))
			return -1;
	}
	if (r->lo > r->hi)
		return -1;
	r->set = true;
	return 0;
}

static bool range_alerts(const struct check_range *r, double v)
{
	bool in = v >= r->lo && v <= r->hi;

	return r->set && (r->inside ? in : !in);
}

/* ---- arguments -------------------------------------------------------- */

struct check_metric {
	const char *name;    /* as given: the perfdata label */
	struct check_range warn, crit;
};

struct check_args {
	struct cli_common c;     /* --timeout, --adapter, --inventory... */
	const char *address;
	const char *bank;        /* --bank: check a bank of the inventory */
	struct cli_target target;
	bool list;
	size_t n_metrics;
	struct check_metric metrics[CHECK_METRICS_MAX];
};

/* Usage errors are UNKNOWN for Nagios: one status line on stdout (what
 * the monitoring UI shows), the hint on stderr. */
__attribute__((format(printf, 1, 2)))
static int usage_unknown(const char *fmt, ...)
{
	va_list ap;

	fputs("WATTCYCLE UNKNOWN - usage: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	fprintf(stderr, "Try 'wattcycle help check'.\n");
	return CHECK_UNKNOWN;
}

static bool metric_known(const char *name, bool bank)
{
	static struct check_value all[CHECK_VALUES_MAX];
	size_t n = bank ? check_bank_universe(all, CHECK_VALUES_MAX)
			: check_universe(all, CHECK_VALUES_MAX);

	return find_value(all, n, name) != NULL;
}

static const struct cli_own_opt check_own[] = {
	{ "metric", 'm', "NAME", "a metric to report; the -w/-c that follow it "
	  "(up to the next --metric) are its thresholds" },
	{ "warning", 'w', "RANGE", "WARNING when the value is outside RANGE" },
	{ "critical", 'c', "RANGE", "CRITICAL when the value is outside RANGE" },
	{ "list", 'l', NULL, "print every metric of this battery (name, "
	  "collectd identifier, value) first" },
	{ "bank", 'b', "BANK", "check this bank of the inventory instead" },
	{ "version", 'V', NULL, "print the version" },
	{ NULL, 0, NULL, NULL },
};

/* -1: help printed (exit 0); 0: go; otherwise the exit code. */
static int parse_args(int argc, char **argv, struct check_args *a)
{
	struct check_metric *cur = NULL;
	struct check_range *r;
	char why[WC_INVENTORY_ERR_MAX + 128];
	struct cli_opts p;
	int c;

	memset(a, 0, sizeof(*a));
	cli_opts_begin(&p, &cli_cmd_check, &a->c);
	while ((c = cli_opts_next(&p, argc, argv, why, sizeof(why))) !=
	       CLI_OPTS_DONE) {
		switch (c) {
		case CLI_OPTS_HELP:
			return -1;
		case CLI_OPTS_ERROR:
			return usage_unknown("%s", why);
		case 'm':
			for (size_t i = 0; i < a->n_metrics; i++)
				if (strcmp(a->metrics[i].name, optarg) == 0)
					return usage_unknown("metric '%s' given twice", optarg);
			if (a->n_metrics >= CHECK_METRICS_MAX)
				return usage_unknown("more than %d metrics", CHECK_METRICS_MAX);
			cur = &a->metrics[a->n_metrics++];
			cur->name = optarg;
			break;
		case 'w':
		case 'c':
			if (!cur)
				return usage_unknown("-%c '%s' before any --metric", c, optarg);
			r = c == 'w' ? &cur->warn : &cur->crit;
			if (r->set)
				return usage_unknown("two -%c for metric '%s'", c, cur->name);
			if (parse_range(optarg, r))
				return usage_unknown("-%c '%s' is not a Nagios range (10, 10:, ~:10, 10:20, @10:20)", c, optarg);
			break;
		case 'l':
			a->list = true;
			break;
		case 'b':
			a->bank = optarg;
			break;
		case 'V':
			printf("wattcycle check %s\n", WC_VERSION);
			return -1;
		default:
			return usage_unknown("unknown option '-%c'", c);
		}
	}
	for (size_t i = 0; i < a->n_metrics; i++)
		if (!metric_known(a->metrics[i].name, a->bank != NULL))
			return usage_unknown("unknown %smetric '%s' (see 'wattcycle help check')",
					     a->bank ? "bank " : "", a->metrics[i].name);
	if (a->bank) {
		if (optind < argc)
			return usage_unknown("unexpected argument '%s' (--bank checks a bank, not a battery)", argv[optind]);
	} else {
		if (optind >= argc)
			return usage_unknown("no battery address given");
		if (optind + 1 < argc)
			return usage_unknown("unexpected argument '%s'", argv[optind + 1]);
		if (cli_resolve_battery(argv[optind], a->c.inventory, &a->target,
					why, sizeof(why)) != 0)
			return usage_unknown("%s", why);
		a->address = a->target.address;
		cli_common_from_target(&a->c, &a->target);
	}
	if (a->n_metrics == 0 && !a->list)
		return usage_unknown("no --metric given");
	return 0;
}

/* ---- output ----------------------------------------------------------- */

static const char *state_name(enum check_state st)
{
	switch (st) {
	case CHECK_OK:
		return "OK";
	case CHECK_WARNING:
		return "WARNING";
	case CHECK_CRITICAL:
		return "CRITICAL";
	case CHECK_UNKNOWN:
		return "UNKNOWN";
	}
	return "UNKNOWN";
}

/* CRITICAL beats WARNING beats UNKNOWN beats OK. */
static enum check_state worse(enum check_state a, enum check_state b)
{
	static const int rank[] = { [CHECK_OK] = 0, [CHECK_UNKNOWN] = 1,
				    [CHECK_WARNING] = 2, [CHECK_CRITICAL] = 3 };

	return rank[b] > rank[a] ? b : a;
}

/* Bounded appends to one output line; truncation only shortens it. */
struct line {
	char buf[4096];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void line_add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n;
	if (l->len >= sizeof(l->buf))
		l->len = sizeof(l->buf) - 1;
}

/* %.10g prints decoded values as the frame carried them (3.329, not
 * 3.3290000000000002). */
static void line_num(struct line *l, double v)
{
	line_add(l, "%.10g", v);
}

/* ";warn;crit;min;max" with the trailing empty fields left out. */
static void perf_tail(struct line *l, const struct check_metric *m,
		      const struct check_unit *u)
{
	char field[4][CHECK_RANGE_TEXT_MAX];
	int last = -1;

	snprintf(field[0], sizeof(field[0]), "%s", m->warn.set ? m->warn.text : "");
	snprintf(field[1], sizeof(field[1]), "%s", m->crit.set ? m->crit.text : "");
	field[2][0] = field[3][0] = '\0';
	if (isfinite(u->min))
		snprintf(field[2], sizeof(field[2]), "%.10g", u->min);
	if (isfinite(u->max))
		snprintf(field[3], sizeof(field[3]), "%.10g", u->max);
	for (int i = 0; i < 4; i++)
		if (field[i][0])
			last = i;
	for (int i = 0; i <= last; i++)
		line_add(l, ";%s", field[i]);
}

static void print_list(const struct check_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		printf("%-20s %s-%s %.10g%s\n", v[i].name, v[i].type,
		       v[i].type_instance, v[i].value, v[i].unit->text);
	}
}

static void log_step(void *user, const char *msg)
{
	fprintf(stderr, "wattcycle: %s: %s\n", (const char *)user, msg);
}

/* --bank: poll the bank's members at once (as `wattcycle bank`), then
 * the bank's rows.  CHECK_OK, or UNKNOWN with the status line printed. */
static int check_bank_values(const struct check_args *a,
			     struct check_value *out, size_t cap, size_t *n)
{
	static struct cli_bank_poll res;
	struct wc_metric m[WC_BANK_METRICS_MAX];
	struct wc_bank_values v;
	char err[WC_INVENTORY_ERR_MAX];
	const char *path = wc_inventory_path(a->c.inventory);
	struct wc_inventory *inv = wc_inventory_load(path, NULL, 0, err,
						     sizeof(err));
	const struct wc_bank_def *d;

	if (!inv) {
		printf("WATTCYCLE UNKNOWN - %s\n", err);
		return CHECK_UNKNOWN;
	}
	d = wc_inventory_bank(inv, a->bank);
	if (!d) {
		printf("WATTCYCLE UNKNOWN - %s: no bank named '%s'\n", path,
		       a->bank);
		wc_inventory_free(inv);
		return CHECK_UNKNOWN;
	}
	if (!cli_bank_poll(inv, d, a->c.timeout_s, a->c.timeout_set, &res)) {
		printf("WATTCYCLE UNKNOWN - %s: cannot start the polling "
		       "threads\n", a->bank);
		wc_inventory_free(inv);
		return CHECK_UNKNOWN;
	}
	wc_bank_compute(d, res.m, wc_now_ms(), &v);
	*n = as_check_values(m, wc_bank_metrics(d, &v, m, WC_BANK_METRICS_MAX),
			     out, cap);
	wc_inventory_free(inv);
	return CHECK_OK;
}

static int run_check(int argc, char **argv)
{
	static struct check_args a;
	struct check_value values[CHECK_VALUES_MAX];
	enum check_state state[CHECK_METRICS_MAX];
	const struct check_value *found[CHECK_METRICS_MAX];
	enum check_state overall = CHECK_OK;
	struct wc_session_opts o;
	struct wc_poll_result res;
	struct wc_diag d;
	char msg[WC_POLL_MSG_MAX] = "";
	struct wc_session *p;
	struct line text = { .len = 0 }, perf = { .len = 0 };
	enum wc_err rc;
	size_t n;
	int prc = parse_args(argc, argv, &a);

	if (prc)
		return prc < 0 ? EXIT_OK : prc;

	if (a.bank) {
		int brc = check_bank_values(&a, values, CHECK_VALUES_MAX, &n);

		if (brc != CHECK_OK)
			return brc;
		goto evaluate;
	}
	memset(&o, 0, sizeof(o));
	o.name = a.address;
	o.link.address = a.address;
	o.link.adapter = a.c.adapter;
	o.link.addr_type = a.c.addr_type;
	o.link.supervision_ms = a.c.supervision_ms;
	o.timeout_ms = (uint32_t)lround(a.c.timeout_s * 1000.0);
	o.info_refresh_s = 0;
	if (a.c.verbose) {
		o.log = log_step;
		o.log_user = (void *)a.address;
	}
	p = wc_session_new(&o);
	if (!p) {
		printf("WATTCYCLE UNKNOWN - %s: out of memory\n", a.address);
		return CHECK_UNKNOWN;
	}
	memset(&res, 0, sizeof(res));
	rc = wc_session_poll(p, &res, &d, msg, sizeof(msg));
	wc_session_free(p);
	if (rc != WC_OK) {
		if (!msg[0])
			snprintf(msg, sizeof(msg), "%s", wc_strerror(rc));
		printf("WATTCYCLE UNKNOWN - %s: cannot read the battery: %s\n",
		       a.address, msg);
		return CHECK_UNKNOWN;
	}
	n = check_values(&res, values, CHECK_VALUES_MAX);
evaluate:
	if (a.list) {
		print_list(values, n);
		if (a.n_metrics == 0)
			return CHECK_OK;
	}

	for (size_t i = 0; i < a.n_metrics; i++) {
		const struct check_metric *m = &a.metrics[i];

		found[i] = find_value(values, n, m->name);
		if (!found[i])
			state[i] = CHECK_UNKNOWN;
		else if (range_alerts(&m->crit, found[i]->value))
			state[i] = CHECK_CRITICAL;
		else if (range_alerts(&m->warn, found[i]->value))
			state[i] = CHECK_WARNING;
		else
			state[i] = CHECK_OK;
		overall = worse(overall, state[i]);
	}

	for (size_t i = 0; i < a.n_metrics; i++) {
		const struct check_metric *m = &a.metrics[i];
		const struct check_value *v = found[i];

		line_add(&text, "%s%s ", i ? ", " : "", m->name);
		if (!v) {
			line_add(&text, "not reported by the %s",
				 a.bank ? "bank (a member not read?)" : "battery");
			continue;
		}
		line_num(&text, v->value);
		line_add(&text, "%s", v->unit->text);
		if (state[i] == CHECK_WARNING || state[i] == CHECK_CRITICAL)
			line_add(&text, " (%s)", state[i] == CHECK_CRITICAL
						  ? "critical" : "warning");
		/* 'label'=value[UOM];[warn];[crit];[min];[max], trailing
		 * empty fields left out */
		line_add(&perf, "%s%s=", perf.len ? " " : "", m->name);
		line_num(&perf, v->value);
		line_add(&perf, "%s", v->unit->uom);
		perf_tail(&perf, m, v->unit);
	}
	printf("WATTCYCLE %s - %s", state_name(overall), text.buf);
	if (perf.len)
		printf(" | %s", perf.buf);
	printf("\n");
	return overall;
}

const struct cli_cmd cli_cmd_check = {
	.name = "check",
	.summary = "Nagios plugin: check metrics against ranges (exit 0-3)",
	.usage =
	"Usage: wattcycle check ADDRESS --metric NAME [-w RANGE] [-c RANGE]\n"
	"                       [--metric NAME [-w RANGE] [-c RANGE]]...\n"
	"                       [--timeout S] [--list]\n"
	"       wattcycle check --bank BANK [--inventory FILE] --metric NAME ...\n"
	"\n"
	"Read one battery once and compare metrics with Nagios ranges, following\n"
	"the Nagios plugin guidelines: one status line with performance data,\n"
	"  WATTCYCLE OK - soc 80 %, cell_delta 0.012 V | soc=80%;30:;15:;0;100 cell_delta=0.012;0.05;0.1\n"
	"for Nagios, Icinga, Naemon or anything that runs check_* plugins,\n"
	"without collectd.\n"
	"ADDRESS is a BLE address (C0:D6:3C:52:E4:D9, see 'wattcycle scan') or\n"
	"unix:/path/to.sock for a battery simulated by wattcycle-sim, or the name\n"
	"of a battery of the inventory (its address and options are used where\n"
	"the command line gives none).  With --bank, every member of a bank of\n"
	"the inventory is read at once and the bank's values are checked.\n",
	.opts = {
		.common = CLI_OPT_TIMEOUT | CLI_OPT_ADAPTER | CLI_OPT_ADDR_TYPE |
			  CLI_OPT_SUPERVISION | CLI_OPT_VERBOSE |
			  CLI_OPT_INVENTORY,
		CLI_POLL_TIMEOUT,
		.timeout_help = "deadline for the whole poll",
		.own = check_own,
	},
	.footer =
	"RANGE is Nagios syntax (an alert is raised when the value is OUTSIDE):\n"
	"  10       outside 0..10         10:      below 10\n"
	"  ~:10     above 10              10:20    outside 10..20\n"
	"  @10:20   INSIDE 10..20 (inclusive)\n"
	"\n"
	"NAME is a type_instance of the collectd plugin (collectd-wattcycle(5)), or\n"
	"the full TYPE-INSTANCE (percent-soc, current-pack):\n"
	"  pack (pack voltage, V), current (A, + charging, - discharging),\n"
	"  power (W), cell01 ... cell32, cell_min, cell_max, cell_delta (V),\n"
	"  soc, soh (%), remaining, full, design (Ah), cycles,\n"
	"  mos, env, probe1 ... probeN (°C), chg_on, dsg_on, balancing (0/1),\n"
	"  every code id of 'wattcycle alarms' (0/1: cell_ovp, dsg_ocp, ...),\n"
	"  protections, alarms, faults (number active), online (always 1 when\n"
	"  read), rssi (dBm, BLE only), poll (s).\n"
	"With --bank, NAME is a bank value (collectd-wattcycle(5), \"Banks\"):\n"
	"  bank (V), current (A), power (W), soc, soc_spread, share_imbalance,\n"
	"  stringN_soc, stringN_spread, stringN_share (%), remaining, full (Ah),\n"
	"  members_online, cell_min, cell_max (V), voltage-stringN,\n"
	"  current-stringN.\n"
	"Several groups in one call give one line; the worst state wins.\n"
	"\n"
	"Examples:\n"
	"  wattcycle check C0:D6:3C:52:E4:D9 --metric soc -w 30: -c 15:\n"
	"  wattcycle check C0:D6:3C:52:E4:D9 --metric protections -c 0 \\\n"
	"      --metric faults -c 0 --metric alarms -w 0 \\\n"
	"      --metric cell_delta -w 0.05 -c 0.1 --metric mos -w ~:60 -c ~:70\n"
	"\n"
	"Exit status (Nagios): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.  UNKNOWN\n"
	"when the battery cannot be read (unreachable, timeout, protocol error),\n"
	"when a metric is not reported by this battery, and on every usage error\n"
	"(as Nagios plugins do: a check that could not run says so). --help and\n"
	"--version exit 0.\n",
	.run = run_check,
};
