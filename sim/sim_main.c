/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle-sim: simulated WattCycle batteries speaking ATT over Unix
 * SOCK_SEQPACKET sockets.  Command line, scenario loading, signals. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "jbd_sim.h"
#include "model.h"
#include "bank_physics.h"
#include "setting.h"
#include "sim_server.h"

#define PROG "wattcycle-sim"
#define MAX_ITEMS (SIM_MAX_EVENTS)

static const char usage_head[] =
	"Usage: " PROG " --socket PATH [battery options] [common options]\n"
	"       " PROG " --ble hciN [battery options] [common options]\n"
	"       " PROG " --scenario FILE [common options]\n"
	"       " PROG " ctl CONTROL_PATH COMMAND [ARGS...]\n"
	"\n"
	"Simulated WattCycle (XDZN/TDT) batteries: each one listens on a Unix\n"
	"SOCK_SEQPACKET socket and speaks the ATT PDUs a BLE link would carry.\n"
	"\n"
	"Battery options (one battery, without --scenario):\n";

static const char usage_tail[] =
	"\n"
	"Common options:\n"
	"  --scenario FILE        several batteries from a libconfig scenario file\n"
	"  --control PATH         control socket (text commands, see below)\n"
	"  --log PATH             append one JSON line per response frame served\n"
	"  --ready-file PATH      written once every socket listens\n"
	"  --help                 this text\n"
	"\n"
	"Control commands (" PROG " ctl PATH ...): alarm NAME ID on|off,\n"
	"fault NAME KIND on|off, set NAME KEY VALUE, kill NAME, revive NAME,\n"
	"state NAME, list, quit.\n"
	"\n"
	"Prints \"" PROG ": ready\" on stdout once listening; SIGTERM/SIGINT stop it\n"
	"and remove its sockets.  Exit status: 0 ok, 1 runtime failure, 2 usage.\n";

/* The options that are not battery settings; a battery setting's getopt
 * value is OPT_SETTING + its index in sim_battery_settings[]. */
enum opt_id {
	OPT_SCENARIO = 256,
	OPT_CONTROL,
	OPT_LOG,
	OPT_READY,
	OPT_HELP,
	OPT_SETTING,
};

static const struct option common_opts[] = {
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "ready-file", required_argument, NULL, OPT_READY },
	{ "help", no_argument, NULL, OPT_HELP },
};

#define N_COMMON (sizeof(common_opts) / sizeof(common_opts[0]))
/* more than the battery settings with an option */
#define MAX_SETTING_OPTS 64
#define MAX_OPTS (N_COMMON + MAX_SETTING_OPTS + 1)
/* battery options on one command line */
#define MAX_GIVEN 64

/* A battery setting given on the command line, applied after the defaults
 * (which depend on the battery's name). */
struct given {
	const struct sim_setting *st;
	const char *value; /* NULL for a flag */
};

/* What the command line asked for. */
struct cli {
	const char *socket, *name, *scenario, *control, *log, *ready, *ble;
	double current;
	bool has_current;
	struct given given[MAX_GIVEN];
	unsigned n_given;
	const char *alarms[MAX_ITEMS], *faults[MAX_ITEMS];
	unsigned n_alarms, n_faults;
	bool battery_opts; /* any per-battery option given */
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" PROG " --help' for more information.\n");
	return 2;
}

static int parse_dbl(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int wake_pipe[2] = { -1, -1 };

/* Only async-signal-safe work: the poll loop sees the byte and stops. */
static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	(void)!write(wake_pipe[1], &c, 1);
	errno = saved;
}

static int setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

static void print_usage(void)
{
	fputs(usage_head, stdout);
	sim_setting_print_help(stdout);
	fputs(usage_tail, stdout);
}

/* getopt's table: the common options, then every battery setting that has
 * an option. */
static void build_long_opts(struct option *opts)
{
	size_t n = 0;

	for (size_t i = 0; i < N_COMMON; i++)
		opts[n++] = common_opts[i];
	for (size_t i = 0; i < sim_battery_setting_count; i++) {
		const struct sim_setting *st = &sim_battery_settings[i];

		if (!st->option || n == MAX_OPTS - 1)
			continue;
		opts[n].name = st->option;
		opts[n].has_arg = st->arg ? required_argument : no_argument;
		opts[n].flag = NULL;
		opts[n].val = OPT_SETTING + (int)i;
		n++;
	}
	memset(&opts[n], 0, sizeof(opts[n]));
}

static int bad_value(const struct sim_setting *st, const char *a)
{
	fprintf(stderr, PROG ": --%s '%s': %s\n", st->option, a, st->expect);
	fprintf(stderr, "Try '" PROG " --help' for more information.\n");
	return 2;
}

/* The options the command line reads itself rather than through the
 * table: where the battery listens, its name, the current, alarms and
 * faults. */
static int other_option(struct cli *c, const struct sim_setting *st,
			const char *a)
{
	if (strcmp(st->option, "socket") == 0) {
		c->socket = a;
	} else if (strcmp(st->option, "name") == 0) {
		if (!*a || strlen(a) >= SIM_NAME_MAX || strpbrk(a, " \t\n"))
			return usage_error("--name '%s': 1 to 31 "
					   "characters, no spaces", a);
		c->name = a;
	} else if (strcmp(st->option, "current") == 0) {
		if (parse_dbl(a, -SIM_CURRENT_MAX_A, SIM_CURRENT_MAX_A,
			      &c->current) < 0)
			return bad_value(st, a);
		c->has_current = true;
	} else if (c->n_alarms + c->n_faults == MAX_ITEMS) {
		return usage_error("%s: too many --alarm/--fault", a);
	} else if (strcmp(st->option, "alarm") == 0) {
		c->alarms[c->n_alarms++] = a;
	} else {
		c->faults[c->n_faults++] = a;
	}
	return 0;
}

/* One battery option: checked now (a usage error names it), applied to
 * the battery later. */
static int battery_option(struct cli *c, const struct sim_setting *st,
			  const char *a)
{
	static struct sim_battery_cfg scratch;

	c->battery_opts = true;
	if (st->kind == SIM_SET_OTHER)
		return other_option(c, st, a);
	if (!sim_setting_from_text(st, a, &scratch))
		return bad_value(st, a);
	if (strcmp(st->option, "ble") == 0)
		c->ble = a;
	if (c->n_given == MAX_GIVEN)
		return usage_error("%s: too many battery options", a);
	c->given[c->n_given].st = st;
	c->given[c->n_given].value = a;
	c->n_given++;
	return 0;
}

static int common_option(struct cli *c, int opt, const char *a)
{
	switch (opt) {
	case OPT_HELP:
		print_usage();
		exit(0);
	case OPT_SCENARIO:
		c->scenario = a;
		break;
	case OPT_CONTROL:
		c->control = a;
		break;
	case OPT_LOG:
		c->log = a;
		break;
	case OPT_READY:
		c->ready = a;
		break;
	}
	return 0;
}

/* Which batteries the options describe: a scenario or one battery, on a
 * socket or on an adapter. */
static int check_combination(const struct cli *c)
{
	if (c->scenario && c->battery_opts)
		return usage_error("%s", "--scenario cannot be combined with "
				   "battery options");
	if (!c->scenario && !c->socket && !c->ble)
		return usage_error("%s", "--socket PATH, --ble hciN or --scenario "
				   "FILE is required");
	if (c->socket && c->ble)
		return usage_error("%s", "--socket and --ble exclude each other");
	return 0;
}

/* Returns 0, or the exit status of a usage error. */
static int parse_args(int argc, char **argv, struct cli *c)
{
	struct option opts[MAX_OPTS];
	int opt, rc = 0;

	memset(c, 0, sizeof(*c));
	build_long_opts(opts);
	opterr = 0;
	while (rc == 0 &&
	       (opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (opt >= OPT_SETTING)
			rc = battery_option(
				c, &sim_battery_settings[opt - OPT_SETTING],
				optarg);
		else if (opt >= OPT_SCENARIO)
			rc = common_option(c, opt, optarg);
		else if (opt == ':')
			rc = usage_error("option '%s' needs a value",
					 argv[optind - 1]);
		else
			rc = usage_error("unknown option '%s'",
					 argv[optind - 1]);
	}
	if (rc)
		return rc;
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return check_combination(c);
}

/* Puts "OPT: " in front of the message in err (it names the argument but
 * not the option it came with); returns -1. */
static int name_option(char *err, size_t errlen, const char *opt)
{
	size_t pre = strlen(opt) + 2, len = strnlen(err, errlen);

	if (errlen <= pre)
		return -1;
	if (len > errlen - pre - 1)
		len = errlen - pre - 1; /* cut the end, keep the option */
	memmove(err + pre, err, len);
	err[pre + len] = '\0';
	memcpy(err, opt, pre - 2);
	memcpy(err + pre - 2, ": ", 2);
	return -1;
}

/* Where the battery listens: its socket, or its adapter (a setting). */
static int cli_socket(const struct cli *c, struct sim_battery_cfg *cfg,
		      char *err, size_t errlen)
{
	if (!c->socket)
		return 0; /* on Bluetooth only */
	if (strlen(c->socket) >= sizeof(cfg->socket_path)) {
		snprintf(err, errlen, "--socket: path longer than %zu bytes",
			 sizeof(cfg->socket_path) - 1);
		return -1;
	}
	snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%s", c->socket);
	return 0;
}

/* --alarm and --fault, and the latency fault that --latency-ms turns on
 * unless a --fault latency schedules it. */
static int cli_events(const struct cli *c, struct sim_battery_cfg *cfg,
		      char *err, size_t errlen)
{
	bool latency_scheduled = false;

	for (unsigned i = 0; i < c->n_alarms; i++)
		if (sim_cfg_add_alarm_arg(cfg, c->alarms[i], err, errlen) < 0)
			return name_option(err, errlen, "--alarm");
	for (unsigned i = 0; i < c->n_faults; i++) {
		if (sim_cfg_add_fault_arg(cfg, c->faults[i], err, errlen) < 0)
			return name_option(err, errlen, "--fault");
		if (strncmp(c->faults[i], "latency", 7) == 0)
			latency_scheduled = true;
	}
	for (unsigned i = 0; i < c->n_given; i++)
		if (strcmp(c->given[i].st->option, "latency-ms") == 0 &&
		    !latency_scheduled && cfg->latency_ms > 0)
			cfg->faults[SIM_FAULT_LATENCY] = true;
	return 0;
}

/* Build the one battery of the command line; -1 with err filled. */
static int cli_battery(const struct cli *c, struct sim_battery_cfg *cfg,
		       char *err, size_t errlen)
{
	sim_battery_cfg_defaults(cfg, c->name ? c->name : "sim");
	if (cli_socket(c, cfg, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < c->n_given; i++)
		sim_setting_from_text(c->given[i].st, c->given[i].value, cfg);
	if (c->has_current) {
		cfg->profile[0].t_s = 0.0;
		cfg->profile[0].current_a = c->current;
		cfg->n_profile = 1;
	}
	if (cfg->jbd_service[0] && cfg->family != WC_FAMILY_JBD) {
		snprintf(err, errlen, "--jbd-service is for --family jbd");
		return -1;
	}
	if (cfg->family == WC_FAMILY_JBD)
		sim_jbd_cfg(cfg, false);
	return cli_events(c, cfg, err, errlen);
}

static int write_ready_file(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f);
}

/* The scenario's banks, driven after every model tick. */
static struct sim_bank_cfg bank_cfgs[SIM_MAX_BANKS];
static struct sim_bank banks[SIM_MAX_BANKS];
static unsigned n_banks;

static void banks_tick(void *user, double t_s)
{
	(void)user;
	for (unsigned i = 0; i < n_banks; i++)
		sim_bank_step(&banks[i], t_s);
}

static void banks_wire(struct sim_server *srv)
{
	for (unsigned i = 0; i < n_banks; i++) {
		const struct sim_bank_cfg *c = &bank_cfgs[i];

		banks[i].cfg = c;
		for (unsigned k = 0; k < c->n_strings; k++)
			for (unsigned j = 0; j < c->n_series[k]; j++)
				banks[i].m[k][j] = sim_battery_model(
					sim_server_battery(srv, c->member[k][j]));
	}
	if (n_banks) {
		/* the members carry their share from the first request on */
		banks_tick(NULL, 0.0);
		sim_server_set_tick(srv, banks_tick, NULL);
	}
}

int main(int argc, char **argv)
{
	static struct sim_battery_cfg cfgs[SIM_MAX_BATTERIES];
	struct sim_server_opts so;
	struct sim_server *srv;
	struct cli c;
	char err[512];
	unsigned n = 0;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "ctl") == 0) {
		if (argc < 4)
			return usage_error("%s", "ctl needs CONTROL_PATH and a "
					   "command");
		return sim_control_client(argv[2], argc - 3, argv + 3);
	}
	rc = parse_args(argc, argv, &c);
	if (rc)
		return rc;
	if (c.scenario) {
		if (sim_scenario_load(c.scenario, cfgs, SIM_MAX_BATTERIES, &n,
				      err, sizeof(err)) < 0) {
			/* err starts with the file (and line) at fault */
			fprintf(stderr, PROG ": %s\n", err);
			return 1;
		}
		if (n == 0) {
			fprintf(stderr, PROG ": %s: no battery in the scenario\n",
				c.scenario);
			return 1;
		}
		if (sim_banks_load(c.scenario, cfgs, n, bank_cfgs,
				   SIM_MAX_BANKS, &n_banks, err,
				   sizeof(err)) < 0) {
			fprintf(stderr, PROG ": %s: %s\n", c.scenario, err);
			return 1;
		}
	} else {
		if (cli_battery(&c, &cfgs[0], err, sizeof(err)) < 0)
			return usage_error("%s", err);
		n = 1;
	}
	if (setup_signals() < 0) {
		fprintf(stderr, PROG ": signals: %s\n", strerror(errno));
		return 1;
	}
	so.control_path = c.control;
	so.log_path = c.log;
	so.wake_fd = wake_pipe[0];
	srv = sim_server_new(cfgs, n, &so, err, sizeof(err));
	if (!srv) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	banks_wire(srv);
	if (c.ready && write_ready_file(c.ready) < 0) {
		fprintf(stderr, PROG ": %s: cannot write ready file: %s\n",
			c.ready, strerror(errno));
		sim_server_free(srv);
		return 1;
	}
	printf(PROG ": ready\n");
	fflush(stdout);
	rc = sim_server_run(srv, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, PROG ": %s\n", err);
	sim_server_free(srv);
	if (c.ready)
		unlink(c.ready);
	return rc < 0 ? 1 : 0;
}
