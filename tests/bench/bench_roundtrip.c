/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_roundtrip [N]
 *
 * What this machine charges for the two kernel operations that the
 * plugin's read callback is mostly made of, measured without the plugin,
 * so that BENCHMARKS.md can say how much of a poll's CPU time is the
 * machine's and not the code's:
 *
 *   socket  one blocking request/response over an AF_UNIX SOCK_SEQPACKET
 *           pair to another process (send, poll() that sleeps, recv) —
 *           one ATT round trip with the simulator;
 *   handoff one hand-off to a waiting thread (mutex, a queue, signal a
 *           condition variable), the way collectd's plugin_dispatch_values
 *           hands every value list to its write threads.
 *
 * Prints one JSON line with the caller's CPU time (its thread CPU clock:
 * waiting is excluded) per operation, N of each (default 20000). */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The peer answers every 8-byte message with 8 bytes until EOF. */
static void echo_peer(int fd)
{
	char b[8];

	while (recv(fd, b, sizeof(b), 0) == (ssize_t)sizeof(b))
		if (send(fd, b, sizeof(b), MSG_NOSIGNAL) != (ssize_t)sizeof(b))
			break;
	_exit(0);
}

static double socket_us(long n)
{
	int sv[2];
	pid_t pid;
	double t0, t1;
	char b[8] = { 0 };

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(sv[0]);
		echo_peer(sv[1]);
	}
	close(sv[1]);
	t0 = thread_cpu_us();
	for (long i = 0; i < n; i++) {
		struct pollfd p = { .fd = sv[0], .events = POLLIN };

		if (send(sv[0], b, sizeof(b), MSG_NOSIGNAL) != (ssize_t)sizeof(b) ||
		    poll(&p, 1, 5000) != 1 ||
		    recv(sv[0], b, sizeof(b), MSG_DONTWAIT) != (ssize_t)sizeof(b))
			return -1;
	}
	t1 = thread_cpu_us();
	close(sv[0]);
	waitpid(pid, NULL, 0);
	return (t1 - t0) / (double)n;
}

/* A queue of counts, consumed by WRITERS threads (collectd's write queue
 * in miniature, with its default five write threads: each item costs a
 * consumer a little work, about what collectd's value cache takes). */
#define WRITERS 5
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long pending;
	long left;
};

static void *consumer(void *arg)
{
	struct queue *q = arg;
	volatile unsigned sink = 0;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->pending == 0 && q->left > 0)
			pthread_cond_wait(&q->cond, &q->lock);
		if (q->left == 0)
			break;
		q->pending--;
		if (--q->left == 0) /* the last item: the others can stop */
			pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->lock);
		for (unsigned k = 0; k < 300; k++) /* a value's processing */
			sink += k;
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static double handoff_us(long n)
{
	struct queue q = { .lock = PTHREAD_MUTEX_INITIALIZER,
			   .cond = PTHREAD_COND_INITIALIZER,
			   .left = n };
	struct timespec gap = { 0, 20000 }; /* 20 µs between bursts */
	pthread_t th[WRITERS];
	double t = 0;

	for (int i = 0; i < WRITERS; i++)
		if (pthread_create(&th[i], NULL, consumer, &q) != 0)
			return -1;
	/* bursts of 25, a poll's worth of value lists */
	for (long i = 0; i < n; i += 25) {
		double t0 = thread_cpu_us();

		for (long k = i; k < n && k < i + 25; k++) {
			pthread_mutex_lock(&q.lock);
			q.pending++;
			pthread_cond_signal(&q.cond);
			pthread_mutex_unlock(&q.lock);
		}
		t += thread_cpu_us() - t0;
		nanosleep(&gap, NULL);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	return t / (double)n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	double s, w;

	if (n < 100) {
		fprintf(stderr, "usage: bench_roundtrip [N>=100]\n");
		return 2;
	}
	s = socket_us(n);
	w = handoff_us(n);
	if (s < 0 || w < 0) {
		perror("bench_roundtrip");
		return 1;
	}
	printf("{\"n\":%ld,\"socket_round_trip_us\":%.2f,\"queue_handoff_us\":%.2f}\n",
	       n, s, w);
	return 0;
}
