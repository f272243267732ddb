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
#include "gatt_db.h"
#include "jbd_sim.h"
#include "model.h"
#include "bank_physics.h"
#include "sim_ble.h"
#include "sim_server.h"

#define PROG "wattcycle-sim"
#define MAX_ITEMS (SIM_MAX_EVENTS)

static const char usage_text[] =
	"Usage: " PROG " --socket PATH [battery options] [common options]\n"
	"       " PROG " --ble hciN [battery options] [common options]\n"
	"       " PROG " --scenario FILE [common options]\n"
	"       " PROG " ctl CONTROL_PATH COMMAND [ARGS...]\n"
	"\n"
	"Simulated WattCycle (XDZN/TDT) batteries: each one listens on a Unix\n"
	"SOCK_SEQPACKET socket and speaks the ATT PDUs a BLE link would carry.\n"
	"\n"
	"Battery options (one battery, without --scenario):\n"
	"  --socket PATH          listening socket of the battery (this or --ble)\n"
	"  --ble hciN             advertise on Bluetooth controller hciN and accept\n"
	"                         the central's L2CAP ATT link there instead\n"
	"  --ble-name NAME        advertised and GATT device name (default\n"
	"                         XDZN_001_ + 4 hex digits)\n"
	"  --name NAME            battery name for control and log (default sim)\n"
	"  --cells N              cell count, 4|8|16 (1..32 accepted; default 4)\n"
	"  --head 7e|1e|both      request heads the battery answers (default both)\n"
	"  --version 0|4          response version byte (default 0)\n"
	"  --mtu N                largest ATT MTU it accepts, 23..517 (default 517)\n"
	"  --soc PCT              initial state of charge, 0..100\n"
	"  --current A            constant current, + charging, - discharging\n"
	"  --latency-ms N         delay of every PDU while the latency fault is on;\n"
	"                         turns the fault on unless --fault latency[@S] is given\n"
	"  --alarm ID[@SECONDS]   raise an alarm code (at start or later); repeatable\n"
	"  --fault KIND[@SECONDS] inject a fault: latency silence drop crc garbage\n"
	"                         duplicate length refuse; repeatable\n"
	"  --no-unlock-check      answer without the HiLink unlock, never drop the link\n"
	"  --unlock-timeout-ms N  drop a link without unlock after N ms (default 4000)\n"
	"  --unlock-key KEY       the key FFFA accepts (default HiLink; another key\n"
	"                         models a battery that refuses the unlock)\n"
	"  --rssi DBM             link RSSI, -127..-1, published in PATH.rssi for the\n"
	"                         client's unix transport (default: none)\n"
	"  --family watt|jbd      protocol family (default watt); jbd: a DISCOVER-like\n"
	"                         JBD battery (FFF0 without FFFA, no unlock, DD...77\n"
	"                         frames, name WTaHdB1...)\n"
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

enum opt_id {
	OPT_SOCKET = 256,
	OPT_NAME,
	OPT_CELLS,
	OPT_HEAD,
	OPT_VERSION,
	OPT_MTU,
	OPT_SOC,
	OPT_CURRENT,
	OPT_LATENCY,
	OPT_ALARM,
	OPT_FAULT,
	OPT_NO_UNLOCK,
	OPT_UNLOCK_KEY,
	OPT_RSSI,
	OPT_FAMILY,
	OPT_UNLOCK_TIMEOUT,
	OPT_SCENARIO,
	OPT_CONTROL,
	OPT_LOG,
	OPT_READY,
	OPT_HELP,
	OPT_BLE,
	OPT_BLE_NAME,
};

static const struct option long_opts[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "cells", required_argument, NULL, OPT_CELLS },
	{ "head", required_argument, NULL, OPT_HEAD },
	{ "version", required_argument, NULL, OPT_VERSION },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "soc", required_argument, NULL, OPT_SOC },
	{ "current", required_argument, NULL, OPT_CURRENT },
	{ "latency-ms", required_argument, NULL, OPT_LATENCY },
	{ "alarm", required_argument, NULL, OPT_ALARM },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "no-unlock-check", no_argument, NULL, OPT_NO_UNLOCK },
	{ "unlock-key", required_argument, NULL, OPT_UNLOCK_KEY },
	{ "rssi", required_argument, NULL, OPT_RSSI },
	{ "family", required_argument, NULL, OPT_FAMILY },
	{ "unlock-timeout-ms", required_argument, NULL, OPT_UNLOCK_TIMEOUT },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "ready-file", required_argument, NULL, OPT_READY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "ble", required_argument, NULL, OPT_BLE },
	{ "ble-name", required_argument, NULL, OPT_BLE_NAME },
	{ NULL, 0, NULL, 0 },
};

/* What the command line asked for; applied to the defaults afterwards,
 * because the defaults depend on the battery's name. */
struct cli {
	const char *socket, *name, *scenario, *control, *log, *ready, *unlock_key;
	long cells, version, mtu, latency_ms, unlock_timeout_ms, rssi;
	double soc, current;
	bool has_cells, has_version, has_mtu, has_latency, has_soc,
		has_current, has_unlock_timeout, no_unlock;
	int head; /* -1: default */
	bool jbd; /* --family jbd */
	const char *alarms[MAX_ITEMS], *faults[MAX_ITEMS];
	unsigned n_alarms, n_faults;
	bool battery_opts; /* any per-battery option given */
	const char *ble, *ble_name;
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" PROG " --help' for more information.\n");
	return 2;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
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

/* Returns 0, or the exit status of a usage error. */
static int parse_args(int argc, char **argv, struct cli *c)
{
	int opt;

	memset(c, 0, sizeof(*c));
	c->head = -1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
		const char *a = optarg;

		switch (opt) {
		case OPT_HELP:
			fputs(usage_text, stdout);
			exit(0);
		case OPT_SOCKET:
			c->socket = a;
			c->battery_opts = true;
			break;
		case OPT_NAME:
			if (!*a || strlen(a) >= SIM_NAME_MAX || strpbrk(a, " \t\n"))
				return usage_error("--name '%s': 1 to 31 "
						   "characters, no spaces", a);
			c->name = a;
			c->battery_opts = true;
			break;
		case OPT_CELLS:
			if (parse_long(a, 1, 32, &c->cells) < 0)
				return usage_error("--cells '%s': expected 4, 8 "
						   "or 16 (1..32)", a);
			c->has_cells = c->battery_opts = true;
			break;
		case OPT_HEAD:
			if (strcmp(a, "7e") == 0 || strcmp(a, "7E") == 0)
				c->head = SIM_HEAD_7E;
			else if (strcmp(a, "1e") == 0 || strcmp(a, "1E") == 0)
				c->head = SIM_HEAD_1E;
			else if (strcmp(a, "both") == 0)
				c->head = SIM_HEAD_BOTH;
			else
				return usage_error("--head '%s': expected 7e, "
						   "1e or both", a);
			c->battery_opts = true;
			break;
		case OPT_VERSION:
			if (parse_long(a, 0, 255, &c->version) < 0 ||
			    (c->version != 0 && c->version != 4))
				return usage_error("--version '%s': expected 0 "
						   "or 4", a);
			c->has_version = c->battery_opts = true;
			break;
		case OPT_MTU:
			if (parse_long(a, ATT_DEFAULT_MTU, ATT_MAX_MTU,
				       &c->mtu) < 0)
				return usage_error("--mtu '%s': expected 23..517",
						   a);
			c->has_mtu = c->battery_opts = true;
			break;
		case OPT_SOC:
			if (parse_dbl(a, 0.0, 100.0, &c->soc) < 0)
				return usage_error("--soc '%s': expected a "
						   "percentage 0..100", a);
			c->has_soc = c->battery_opts = true;
			break;
		case OPT_CURRENT:
			if (parse_dbl(a, -1638.3, 1638.3, &c->current) < 0)
				return usage_error("--current '%s': expected "
						   "amperes, -1638.3..1638.3", a);
			c->has_current = c->battery_opts = true;
			break;
		case OPT_LATENCY:
			if (parse_long(a, 0, 600000, &c->latency_ms) < 0)
				return usage_error("--latency-ms '%s': expected "
						   "0..600000", a);
			c->has_latency = c->battery_opts = true;
			break;
		case OPT_UNLOCK_TIMEOUT:
			if (parse_long(a, 100, 600000, &c->unlock_timeout_ms) < 0)
				return usage_error("--unlock-timeout-ms '%s': "
						   "expected 100..600000", a);
			c->has_unlock_timeout = c->battery_opts = true;
			break;
		case OPT_ALARM:
			if (c->n_alarms + c->n_faults == MAX_ITEMS)
				return usage_error("%s: too many --alarm/--fault",
						   a);
			c->alarms[c->n_alarms++] = a;
			c->battery_opts = true;
			break;
		case OPT_FAULT:
			if (c->n_alarms + c->n_faults == MAX_ITEMS)
				return usage_error("%s: too many --alarm/--fault",
						   a);
			c->faults[c->n_faults++] = a;
			c->battery_opts = true;
			break;
		case OPT_NO_UNLOCK:
			c->no_unlock = c->battery_opts = true;
			break;
		case OPT_RSSI:
			if (parse_long(a, -127, -1, &c->rssi) < 0)
				return usage_error("--rssi '%s': a number of dBm "
						   "from -127 to -1", a);
			c->battery_opts = true;
			break;
		case OPT_FAMILY: {
			enum wc_family f;

			if (sim_family_parse(a, &f) < 0)
				return usage_error("--family '%s': expected watt "
						   "or jbd", a);
			c->jbd = f == WC_FAMILY_JBD;
			c->battery_opts = true;
			break;
		}
		case OPT_UNLOCK_KEY:
			if (!*a || strlen(a) > 16)
				return usage_error("--unlock-key '%s': 1 to 16 "
						   "characters", a);
			c->unlock_key = a;
			c->battery_opts = true;
			break;
		case OPT_BLE:
			if (!sim_ble_adapter_ok(a))
				return usage_error("--ble '%s': expected a "
						   "controller name like hci0", a);
			c->ble = a;
			c->battery_opts = true;
			break;
		case OPT_BLE_NAME:
			if (!*a || strlen(a) > 29)
				return usage_error("--ble-name '%s': 1 to 29 "
						   "characters", a);
			c->ble_name = a;
			c->battery_opts = true;
			break;
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
		case ':':
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
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

/* Build the one battery of the command line; -1 with err filled. */
static int cli_battery(const struct cli *c, struct sim_battery_cfg *cfg,
		       char *err, size_t errlen)
{
	bool latency_scheduled = false;

	sim_battery_cfg_defaults(cfg, c->name ? c->name : "sim");
	if (c->ble)
		snprintf(cfg->adapter, sizeof(cfg->adapter), "%s", c->ble);
	if (c->ble_name)
		snprintf(cfg->ble_name, sizeof(cfg->ble_name), "%s",
			 c->ble_name);
	if (!c->socket) {
		/* on Bluetooth only */
	} else if (strlen(c->socket) >= sizeof(cfg->socket_path)) {
		snprintf(err, errlen, "--socket: path longer than %zu bytes",
			 sizeof(cfg->socket_path) - 1);
		return -1;
	}
	if (c->socket)
		snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%s",
			 c->socket);
	if (c->has_cells)
		cfg->cells = (unsigned)c->cells;
	if (c->head >= 0)
		cfg->head = (enum sim_head_mode)c->head;
	if (c->has_version)
		cfg->version = (uint8_t)c->version;
	if (c->has_mtu)
		cfg->mtu = (uint16_t)c->mtu;
	if (c->has_soc)
		cfg->soc_pct = c->soc;
	if (c->has_current) {
		cfg->profile[0].t_s = 0.0;
		cfg->profile[0].current_a = c->current;
		cfg->n_profile = 1;
	}
	if (c->has_unlock_timeout)
		cfg->unlock_timeout_ms = (unsigned)c->unlock_timeout_ms;
	if (c->no_unlock)
		cfg->unlock_required = false;
	if (c->rssi)
		cfg->rssi_dbm = (int)c->rssi;
	if (c->unlock_key)
		snprintf(cfg->unlock_key, sizeof(cfg->unlock_key), "%s",
			 c->unlock_key);
	if (c->jbd)
		sim_jbd_cfg(cfg, false);
	for (unsigned i = 0; i < c->n_alarms; i++)
		if (sim_cfg_add_alarm_arg(cfg, c->alarms[i], err, errlen) < 0)
			return name_option(err, errlen, "--alarm");
	for (unsigned i = 0; i < c->n_faults; i++) {
		if (sim_cfg_add_fault_arg(cfg, c->faults[i], err, errlen) < 0)
			return name_option(err, errlen, "--fault");
		if (strncmp(c->faults[i], "latency", 7) == 0)
			latency_scheduled = true;
	}
	if (c->has_latency) {
		cfg->latency_ms = (unsigned)c->latency_ms;
		if (!latency_scheduled && c->latency_ms > 0)
			cfg->faults[SIM_FAULT_LATENCY] = true;
	}
	return 0;
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
