/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle-cpu.so, for `make bench` only: the plugin exactly as shipped
 * (plugin/wattcycle.c is included, not copied), with a stopwatch of the
 * calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID: waiting is not
 * counted) around every read callback.  It measures the plugin's own
 * callback, from the read thread calling it to its return — the poll
 * session, decoding, notifications and handing each value to
 * plugin_dispatch_values — and nothing of collectd's read-thread loop.
 *
 * Environment: WC_BENCH_CPU_FILE, where "callbacks nanoseconds" is written
 * at shutdown; WC_BENCH_SKIP_S, the seconds after start-up not counted (the
 * first polls discover the GATT database). */
#include <stdatomic.h>
#include <time.h>

/* the glue registers its read callbacks through our stopwatch */
#define plugin_register_complex_read cpu_register_read
#include "../../plugin/wattcycle.c"
#undef plugin_register_complex_read
/* the daemon's own, as plugin.h declares it */
int plugin_register_complex_read(const char *group, const char *name,
				 plugin_read_cb callback, cdtime_t interval,
				 user_data_t const *user_data);

static plugin_read_cb cpu_inner;
static cdtime_t cpu_from;
static atomic_ullong cpu_ns, cpu_calls;

static unsigned long long cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

static int cpu_read(user_data_t *ud)
{
	unsigned long long t0 = cpu_now_ns();
	int rc = cpu_inner(ud);
	unsigned long long t1 = cpu_now_ns();

	if (cdtime() >= cpu_from) {
		atomic_fetch_add(&cpu_ns, t1 - t0);
		atomic_fetch_add(&cpu_calls, 1);
	}
	return rc;
}

static int cpu_shutdown(void)
{
	const char *path = getenv("WC_BENCH_CPU_FILE");
	FILE *f = path ? fopen(path, "w") : NULL;

	if (!f)
		return 0;
	fprintf(f, "%llu %llu\n", (unsigned long long)atomic_load(&cpu_calls),
		(unsigned long long)atomic_load(&cpu_ns));
	fclose(f);
	return 0;
}

int cpu_register_read(const char *group, const char *name,
		      plugin_read_cb callback, cdtime_t interval,
		      user_data_t const *user_data)
{
	const char *skip = getenv("WC_BENCH_SKIP_S");

	/* the config callback runs before any read thread: no race */
	if (!cpu_inner)
		plugin_register_shutdown("wattcycle_cpu", cpu_shutdown);
	cpu_inner = callback; /* wc_read for every battery */
	cpu_from = cdtime() + DOUBLE_TO_CDTIME_T(skip ? atof(skip) : 0.0);
	return plugin_register_complex_read(group, name, cpu_read, interval,
					    user_data);
}

