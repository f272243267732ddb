/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator transport: AF_UNIX SOCK_SEQPACKET, the same ATT PDUs as the
 * L2CAP ATT channel, one PDU per read (doc/DESIGN.md, "Transports"). */
#include "link_priv.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "msgbuf.h"

/* A listener with a full backlog makes a non-blocking AF_UNIX connect fail
 * with EAGAIN instead of EINPROGRESS; we retry after this pause. */
#define UNIX_RETRY_MS 10

/* The link plus the socket path, for the RSSI file beside it. */
struct unix_link {
	struct wc_link base; /* first: a struct wc_link * is a unix_link * */
	char path[WC_UNIX_PATH_MAX];
};

/* A Unix socket has no radio: wattcycle-sim publishes the RSSI a BLE
 * controller would report in PATH.rssi (an integer, dBm), when its battery
 * is configured with one.  No file, or anything else in it: unknown. */
static int unix_rssi(struct wc_link *l, int8_t *rssi, uint64_t deadline_ms)
{
	const struct unix_link *u = (const struct unix_link *)l;
	static const char ext[] = ".rssi";
	char path[WC_UNIX_PATH_MAX + sizeof(ext)];
	size_t len = strnlen(u->path, sizeof(u->path) - 1);
	FILE *f;
	int v, n;

	(void)deadline_ms; /* a local file: no wait */
	/* PATH.rssi, without formatting on every poll */
	memcpy(path, u->path, len);
	memcpy(path + len, ext, sizeof(ext));
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fscanf(f, "%d", &v);
	fclose(f);
	if (n != 1 || v < -127 || v > -1)
		return -1;
	*rssi = (int8_t)v;
	return 0;
}

static void unix_free(struct wc_link *l)
{
	free((struct unix_link *)l);
}

static const struct wc_link_ops unix_ops = {
	.kind = "unix",
	.rssi = unix_rssi,
	.free = unix_free,
};

static enum wc_err unix_fail(int err, const char *path, struct wc_diag *d,
			     char *msg, size_t msglen)
{
	switch (err) {
	case ENOENT:
		wc_msgf(msg, msglen,
			    "no simulator socket at %s (%s): start "
			    "wattcycle-sim or check the path", path,
			    strerror(err));
		break;
	case ECONNREFUSED:
		wc_msgf(msg, msglen,
			    "connection refused by the simulator at %s: is "
			    "wattcycle-sim still running?", path);
		break;
	case EACCES:
	case EPERM:
		wc_msgf(msg, msglen,
			    "permission denied connecting to %s: check the "
			    "socket's and its directory's permissions", path);
		break;
	case EPROTOTYPE:
		wc_msgf(msg, msglen,
			    "%s is not a SOCK_SEQPACKET socket (%s): point "
			    "the address at wattcycle-sim's socket", path,
			    strerror(err));
		break;
	default:
		wc_msgf(msg, msglen, "connect to %s failed: %s", path,
			    strerror(err));
		break;
	}
	return wc_fail(d, WC_E_IO, (uint32_t)err, 0);
}

/* Wait for a non-blocking connect to finish; 0 or an errno value. */
static int wait_connected(int fd, uint64_t deadline_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t sl = sizeof(int);
	int err = 0;

	for (;;) {
		int n = poll(&p, 1, wc_ms_left(deadline_ms));

		if (n > 0)
			break;
		if (n == 0)
			return ETIMEDOUT;
		if (errno != EINTR)
			return errno;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
		return errno;
	return err;
}

enum wc_err wc_unix_open(const struct wc_link_addr *a, uint64_t deadline_ms,
			 struct wc_link **out, struct wc_diag *d, char *msg,
			 size_t msglen)
{
	struct sockaddr_un sa;
	struct unix_link *u;
	uint64_t start = wc_now_ms();
	int fd, err;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, a->path, strlen(a->path) + 1);

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		wc_msgf(msg, msglen, "socket(AF_UNIX) failed: %s",
			    strerror(err));
		return wc_fail(d, WC_E_IO, (uint32_t)err, 0);
	}
	for (;;) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			err = 0;
			break;
		}
		err = errno;
		if (err == EINTR)
			continue;
		if (err == EINPROGRESS) {
			err = wait_connected(fd, deadline_ms);
			break;
		}
		if (err != EAGAIN)
			break;
		if (wc_ms_left(deadline_ms) == 0) {
			err = ETIMEDOUT;
			break;
		}
		/* backlog full: a bounded pause, then try again */
		poll(NULL, 0, wc_ms_left(deadline_ms) < UNIX_RETRY_MS ?
				      wc_ms_left(deadline_ms) : UNIX_RETRY_MS);
	}
	if (err == ETIMEDOUT) {
		close(fd);
		wc_msgf(msg, msglen,
			    "connect to the simulator at %s timed out: is "
			    "wattcycle-sim busy or stopped?", a->path);
		return wc_fail(d, WC_E_TIMEOUT,
			       (uint32_t)(wc_now_ms() - start), 0);
	}
	if (err != 0) {
		close(fd);
		return unix_fail(err, a->path, d, msg, msglen);
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		close(fd);
		wc_msgf(msg, msglen, "out of memory");
		return wc_fail(d, WC_E_IO, ENOMEM, 0);
	}
	u->base.ops = &unix_ops;
	u->base.fd = fd;
	snprintf(u->path, sizeof(u->path), "%s", a->path);
	*out = &u->base;
	wc_msgf(msg, msglen, "%s", "");
	return WC_OK;
}
