/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_poll ADDRESS POLLS keep|reconnect [TIMEOUT_MS]
 *
 * Runs POLLS polls of one battery back to back through the poll session
 * and prints one JSON line: round trips of the first and later polls,
 * median and worst poll time of the later polls, and the CPU time this
 * process spent per poll (user + system, so waiting is excluded). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "session.h"

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct wc_session_opts o;
	struct wc_poll_result r;
	struct wc_session *p;
	char msg[WC_POLL_MSG_MAX];
	double *t, c0, c1;
	unsigned first_trips = 0, later_trips = 0;
	long n;

	if (argc < 4 || (n = strtol(argv[2], NULL, 10)) < 2) {
		fprintf(stderr, "usage: bench_poll ADDRESS POLLS(>=2) keep|reconnect [TIMEOUT_MS]\n");
		return 2;
	}
	memset(&o, 0, sizeof(o));
	o.name = "bench";
	o.link.address = argv[1];
	o.keep_connected = strcmp(argv[3], "keep") == 0;
	o.timeout_ms = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 8000;
	o.info_refresh_s = 3600;
	p = wc_session_new(&o);
	t = calloc((size_t)n, sizeof(*t));
	if (!p || !t)
		return 1;
	c0 = cpu_s();
	for (long i = 0; i < n; i++) {
		if (wc_session_poll(p, &r, NULL, msg, sizeof(msg)) != WC_OK) {
			fprintf(stderr, "bench_poll: poll %ld: %s\n", i + 1, msg);
			return 1;
		}
		t[i] = r.poll_s;
		if (i == 0)
			first_trips = r.att_round_trips;
		else if (r.att_round_trips > later_trips)
			later_trips = r.att_round_trips;
	}
	c1 = cpu_s();
	qsort(t + 1, (size_t)n - 1, sizeof(*t), cmp_double);
	printf("{\"mode\":\"%s\",\"polls\":%ld,\"first_poll_round_trips\":%u,"
	       "\"later_poll_round_trips_max\":%u,\"first_poll_s\":%.4f,"
	       "\"later_poll_s_median\":%.4f,\"later_poll_s_max\":%.4f,"
	       "\"cpu_us_per_poll\":%.1f}\n",
	       o.keep_connected ? "keep" : "reconnect", n, first_trips,
	       later_trips, t[0], t[1 + (n - 1) / 2], t[n - 1],
	       (c1 - c0) / (double)n * 1e6);
	wc_session_free(p);
	free(t);
	return 0;
}
