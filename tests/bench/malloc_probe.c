/* malloc_probe.so, for `make bench` only, preloaded into every collectd it
 * starts (baseline included, so its own few pages cancel out).  A thread
 * writes glibc's totals over all malloc arenas once a second, so that the
 * bench can tell the memory collectd holds (in use) from what its arenas
 * keep after the bursts of value copies are freed.
 *
 * Environment: WC_BENCH_MALLOC_FILE, rewritten every second with
 * "in_use_bytes arena_bytes" (mallinfo2's uordblks and arena + hblkhd).
 * No allocation here: the probe must not grow what it measures. */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *probe_path;

static void *probe_run(void *unused)
{
	char line[64];

	(void)unused;
	for (;;) {
		struct mallinfo2 mi = mallinfo2();
		int n = snprintf(line, sizeof(line), "%zu %zu\n", mi.uordblks,
				 mi.arena + mi.hblkhd);
		int fd = open(probe_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);

		if (fd >= 0) {
			if (write(fd, line, (size_t)n) != n) {
				/* a short line is read as no line: nothing to add */
			}
			close(fd);
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
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, probe_run, NULL);
	if (rc != 0)
		fprintf(stderr, "malloc_probe: no probe thread: %s\n",
			strerror(rc));
	pthread_attr_destroy(&attr);
}
