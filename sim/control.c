/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control channel: command interpreter and the `ctl` client mode. */
#include "control.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/poll.h> /* not <poll.h>: -Iplugin has a poll.h */
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "alarms.h"
#include "clock.h"

#define MAX_WORDS 6

static int split(char *line, char **w, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -1;
		w[n++] = t;
	}
	return n;
}

static int reply(char *out, size_t cap, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int reply(char *out, size_t cap, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	return rc;
}

static int parse_onoff(const char *w, bool *on)
{
	if (strcmp(w, "on") == 0)
		*on = true;
	else if (strcmp(w, "off") == 0)
		*on = false;
	else
		return -1;
	return 0;
}

static int parse_double(const char *w, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(w, &end);
	if (errno || end == w || *end || !isfinite(*v))
		return -1;
	return 0;
}

/* Commands that take a battery name and what they need after it. */
struct cmd {
	const char *name;
	int nargs; /* words after the battery name */
	const char *usage;
};

static const struct cmd cmds[] = {
	{ "alarm", 2, "alarm NAME ID on|off" },
	{ "fault", 2, "fault NAME KIND on|off" },
	{ "set", 2, "set NAME KEY VALUE" },
	{ "kill", 0, "kill NAME" },
	{ "revive", 0, "revive NAME" },
	{ "state", 0, "state NAME" },
};

static int exec_battery_cmd(struct sim_server *s, const struct cmd *c,
			    char **w, char *out, size_t cap)
{
	struct sim_battery *b = sim_server_battery(s, w[1]);
	struct sim_model *m;
	char err[256];
	bool on;
	double v;
	int f;

	if (!b)
		return reply(out, cap, -1, "error: no battery named \"%s\"",
			     w[1]);
	m = sim_battery_model(b);
	if (strcmp(c->name, "alarm") == 0) {
		if (parse_onoff(w[3], &on) < 0)
			return reply(out, cap, -1, "error: usage: %s", c->usage);
		if (sim_model_set_alarm(m, w[2], on) < 0 && wc_alarm_by_id(w[2]))
			return reply(out, cap, -1, "error: \"%s\" is not a code "
				     "of a %s-family battery", w[2],
				     sim_model_cfg(m)->family == WC_FAMILY_JBD
					     ? "JBD" : "WATT");
		if (!wc_alarm_by_id(w[2]))
			return reply(out, cap, -1, "error: unknown alarm id "
				     "\"%s\"", w[2]);
	} else if (strcmp(c->name, "fault") == 0) {
		if (parse_onoff(w[3], &on) < 0)
			return reply(out, cap, -1, "error: usage: %s", c->usage);
		f = sim_fault_by_name(w[2]);
		if (f < 0 || sim_model_set_fault(m, (enum sim_fault)f, on) < 0)
			return reply(out, cap, -1, "error: unknown fault \"%s\"",
				     w[2]);
	} else if (strcmp(c->name, "set") == 0) {
		if (parse_double(w[3], &v) < 0)
			return reply(out, cap, -1, "error: \"%s\" is not a "
				     "number", w[3]);
		if (sim_model_set(m, w[2], v) < 0)
			return reply(out, cap, -1, "error: cannot set %s to %s "
				     "(unknown key or out of range)", w[2],
				     w[3]);
	} else if (strcmp(c->name, "kill") == 0) {
		if (sim_battery_kill(s, b, err, sizeof(err)) < 0)
			return reply(out, cap, -1, "error: %s", err);
	} else if (strcmp(c->name, "revive") == 0) {
		if (sim_battery_revive(s, b, err, sizeof(err)) < 0)
			return reply(out, cap, -1, "error: %s", err);
	} else { /* state */
		struct jbuf jb;

		jb_init(&jb, out, cap);
		sim_battery_state_json(s, b, &jb);
		if (jb.overflow)
			return reply(out, cap, -1, "error: state too long");
		return 0;
	}
	return reply(out, cap, 0, "ok");
}

int sim_control_exec(struct sim_server *s, char *line, char *out,
		     size_t cap)
{
	char *w[MAX_WORDS];
	int n = split(line, w, MAX_WORDS);

	if (n < 0)
		return reply(out, cap, -1, "error: too many words");
	if (n == 0)
		return reply(out, cap, -1, "error: empty command");
	if (strcmp(w[0], "quit") == 0 && n == 1) {
		sim_server_quit(s);
		return reply(out, cap, 0, "ok");
	}
	if (strcmp(w[0], "list") == 0 && n == 1) {
		size_t len = 0;

		out[0] = '\0';
		for (unsigned i = 0; i < sim_server_count(s); i++) {
			const char *name =
				sim_battery_name(sim_server_battery_at(s, i));
			int k = snprintf(out + len, cap - len, "%s%s",
					 i ? " " : "", name);

			if (k < 0 || (size_t)k >= cap - len)
				return reply(out, cap, -1, "error: list too "
					     "long");
			len += (size_t)k;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(w[0], cmds[i].name) != 0)
			continue;
		if (n != 2 + cmds[i].nargs)
			return reply(out, cap, -1, "error: usage: %s",
				     cmds[i].usage);
		return exec_battery_cmd(s, &cmds[i], w, out, cap);
	}
	return reply(out, cap, -1, "error: unknown command \"%s\" (alarm, "
		     "fault, set, kill, revive, state, list, quit)", w[0]);
}

/* ---- client mode ---- */

static int send_all(int fd, const char *p, size_t n, uint64_t deadline)
{
	while (n) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t r;

		if (poll(&pfd, 1, wc_ms_left(deadline)) <= 0)
			return -1;
		r = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int sim_control_client(const char *path, int nwords, char **words)
{
	struct sockaddr_un sa;
	char line[SIM_CTL_LINE_MAX], rep[SIM_CTL_REPLY_MAX];
	size_t len = 0, got = 0;
	uint64_t deadline = wc_deadline_in(SIM_CTL_TIMEOUT_MS);
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "wattcycle-sim: ctl: %s: path too long\n", path);
		return 1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	for (int i = 0; i < nwords; i++) {
		int k = snprintf(line + len, sizeof(line) - len, "%s%s",
				 i ? " " : "", words[i]);

		if (k < 0 || (size_t)k >= sizeof(line) - len - 1) {
			fprintf(stderr, "wattcycle-sim: ctl: command too long\n");
			return 1;
		}
		len += (size_t)k;
	}
	line[len++] = '\n';

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "wattcycle-sim: ctl: %s: connect: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (send_all(fd, line, len, deadline) < 0) {
		fprintf(stderr, "wattcycle-sim: ctl: %s: send failed\n", path);
		close(fd);
		return 1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t r;

		if (poll(&pfd, 1, wc_ms_left(deadline)) <= 0) {
			fprintf(stderr, "wattcycle-sim: ctl: %s: no reply within "
				"%d ms\n", path, SIM_CTL_TIMEOUT_MS);
			close(fd);
			return 1;
		}
		r = recv(fd, rep + got, sizeof(rep) - got - 1, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			fprintf(stderr, "wattcycle-sim: ctl: %s: closed without "
				"a reply\n", path);
			close(fd);
			return 1;
		}
		got += (size_t)r;
		rep[got] = '\0';
		nl = strchr(rep, '\n');
		if (nl || got == sizeof(rep) - 1) {
			if (nl)
				*nl = '\0';
			break;
		}
	}
	close(fd);
	printf("%s\n", rep);
	fflush(stdout);
	return strncmp(rep, "error", 5) == 0 ? 1 : 0;
}
