/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin for the soak (scripts/soak.sh): plugin/wattcycle.c exactly as
 * shipped (included, not copied), with a wall-clock stopwatch around every
 * poll session and every read callback.
 *
 * Why: "every poll ended within its Timeout" can only be checked on the
 * poll's own clock.  collectd's schedule does not tell it: a read that
 * waited for a free read thread ends late without having polled for long,
 * and collectd moves a battery's next read to "now" after a late one, which
 * shifts every later slot.  Failed polls send no duration-poll.
 *
 * Environment: WC_SOAK_TIMES, a file each poll appends one line to:
 * "NAME END_S POLL_S CALLBACK_S OK" (END_S CLOCK_REALTIME seconds, as in
 * collectd's csv; OK 1 or 0).  One write(2) of a short line with O_APPEND:
 * lines of concurrent read threads never interleave. */
#include <fcntl.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#define plugin_register_complex_read sw_register_read
#include "../../plugin/wattcycle.c"
#undef plugin_register_complex_read
/* the daemon's own, as plugin.h declares it */
int plugin_register_complex_read(const char *group, const char *name,
				 plugin_read_cb callback, cdtime_t interval,
				 user_data_t const *user_data);

static plugin_read_cb sw_inner;
static int sw_fd = -1;
/* the poll's length, handed from the session wrapper to the callback's
 * (both run on the same read thread) */
static _Thread_local double sw_poll_s;
static _Thread_local int sw_poll_ok;

static double sw_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum wc_err sw_poll_run(struct wc_session *p, struct wc_poll_result *res,
			       struct wc_diag *d, char *msg, size_t msglen)
{
	double t0 = sw_mono();
	enum wc_err rc = wc_session_poll(p, res, d, msg, msglen);

	sw_poll_s = sw_mono() - t0;
	sw_poll_ok = rc == WC_OK;
	return rc;
}

static int sw_read(user_data_t *ud)
{
	const struct wc_battery *b = ud->data;
	double t0 = sw_mono();
	int rc;
	char line[160];
	struct timespec now;
	int n;

	sw_poll_s = -1.0;
	rc = sw_inner(ud);
	clock_gettime(CLOCK_REALTIME, &now);
	n = snprintf(line, sizeof(line), "%s %.3f %.4f %.4f %d\n", b->name,
		     (double)now.tv_sec + (double)now.tv_nsec / 1e9, sw_poll_s,
		     sw_mono() - t0, sw_poll_ok);
	if (sw_fd >= 0 && n > 0 && (size_t)n < sizeof(line) &&
	    write(sw_fd, line, (size_t)n) != n)
		ERROR(WC_PLUGIN " plugin: stopwatch: short write");
	return rc;
}

int sw_register_read(const char *group, const char *name,
		     plugin_read_cb callback, cdtime_t interval,
		     user_data_t const *user_data)
{
	/* the config callback runs before any read thread: no race */
	if (sw_fd < 0) {
		const char *path = getenv("WC_SOAK_TIMES");

		if (path)
			sw_fd = open(path, O_WRONLY | O_CREAT | O_APPEND |
						   O_CLOEXEC, 0644);
		wc_session_poll_fn = sw_poll_run;
	}
	/* every battery's callback is wc_read; banks have none */
	sw_inner = callback;
	return plugin_register_complex_read(group, name, sw_read, interval,
					    user_data);
}
