/* SPDX-License-Identifier: GPL-2.0-or-later */
/* malloc_probe.so, for `make bench` only, preloaded into every collectd it
 * starts (baseline included, so its own few pages cancel out).  A thread
 * writes glibc's totals over all malloc arenas once a second, so that the
 * bench can tell the memory collectd holds (in use) from what its arenas
 * keep after the bursts of value copies are freed.
 *
 * Environment: WC_BENCH_MALLOC_FILE, replaced every second (written
 * beside it, then renamed, so a reader never sees it half written) with
 * "in_use_bytes arena_bytes": mallinfo2's uordblks (chunks in use in the
 * arenas; blocks malloc maps on their own, >= 128 kB, are not counted —
 * collectd makes none in steady state) and arena + hblkhd.
 * No allocation here: the probe must not grow what it measures. */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *probe_path;
static char probe_tmp[4096];

static void *probe_run(void *unused)
{
	char line[64];

	(void)unused;
	for (;;) {
		struct mallinfo2 mi = mallinfo2();
		int n = snprintf(line, sizeof(line), "%zu %zu\n", mi.uordblks,
				 mi.arena + mi.hblkhd);
		int fd = open(probe_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);

		if (fd >= 0) {
			bool whole = write(fd, line, (size_t)n) == n;

			if (close(fd) == 0 && whole)
				rename(probe_tmp, probe_path);
		}
		sleep(1);
	}
	return NULL;
}

__attribute__((constructor)) static void probe_start(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	probe_path = getenv("WC_BENCH_MALLOC_FILE");
	if (!probe_path || !*probe_path)
		return;
	if ((size_t)snprintf(probe_tmp, sizeof(probe_tmp), "%s.tmp",
			     probe_path) >= sizeof(probe_tmp)) {
		fprintf(stderr, "malloc_probe: path too long\n");
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, probe_run, NULL);
	if (rc != 0)
		fprintf(stderr, "malloc_probe: no probe thread: %s\n",
			strerror(rc));
	pthread_attr_destroy(&attr);
}
