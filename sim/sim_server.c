/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event loop and per-battery ATT server of wattcycle-sim. */
#include "sim_server.h"

#include <errno.h>
#include <sys/poll.h> /* not <poll.h>: -Iplugin has a poll.h */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "clock.h"
#include "control.h"
#include "gatt_db.h"
#include "jbd.h"
#include "jbd_sim.h"
#include "sim_ble.h"
#include "watt.h"
#include "write_guard.h"

#define OUTQ_MAX 64            /* queued PDUs per central before we give up */
#define TICK_MS 1000           /* model time advances at least this often */
#define CTL_MAX_CLIENTS 8
#define RX_MAX 1024            /* > ATT_MAX_MTU: oversize PDUs are noticed */
#define DEFAULT_UNLOCK_TIMEOUT_MS 4000
#define GARBAGE_MAX 20

struct out_pdu {
	uint64_t due_ms;
	uint16_t len;
	bool close_after;      /* the drop fault: hang up once this is out */
	uint8_t data[ATT_MAX_MTU];
};

struct sim_battery {
	struct sim_model *model;
	char name[SIM_NAME_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char device_name[GATT_NAME_MAX];
	int lfd;                 /* listening socket; -1 after kill */
	struct sim_ble *ble;     /* BLE peripheral (owns lfd), or NULL */
	int cfd;                 /* the one central; -1 when none */
	struct gatt_conn gc;
	uint64_t unlock_deadline_ms; /* 0: none pending */
	bool send_blocked;       /* socket full: wait for POLLOUT */
	struct out_pdu q[OUTQ_MAX];
	unsigned q_head, q_len;
	uint32_t rng;
	unsigned unexpected_writes; /* write_guard.h: logged, counted */
};

struct ctl_client {
	int fd;
	size_t len;
	char buf[SIM_CTL_LINE_MAX];
};

struct sim_server {
	struct sim_battery *bats;
	unsigned n;
	struct gatt_db db;
	struct gatt_db db_jbd;   /* JBD-family batteries: no FFFA */
	struct gatt_db db_ff00;  /* JBD with jbd_service "ff00" */
	int ctl_fd;
	char ctl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_client ctl[CTL_MAX_CLIENTS];
	FILE *log;
	int wake_fd;
	uint64_t start_ms;
	uint64_t next_tick_ms;
	bool quit;
	void (*tick)(void *user, double t_s); /* after each model tick */
	void *tick_user;
};

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double model_time_s(const struct sim_server *s, uint64_t now)
{
	return (double)(now - s->start_ms) / 1000.0;
}

static void note(const struct sim_battery *b, const char *what)
{
	fprintf(stderr, "wattcycle-sim: %s: %s\n", b->name, what);
}

/* ---- sockets ---- */

/* Bind and listen on path.  A leftover socket file is removed only when a
 * connect to it is refused (nobody listens); anything else is "in use". */
static int listen_unix(const char *path, int type, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, probe, e, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long (max %zu bytes)",
			 path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: socket: %s", path, strerror(errno));
		return -1;
	}
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc < 0 && errno == EADDRINUSE) {
		if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s: exists and is not a socket",
				 path);
			close(fd);
			return -1;
		}
		probe = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
		e = 0;
		if (probe >= 0) {
			e = connect(probe, (struct sockaddr *)&sa, sizeof(sa)) < 0
				    ? errno : 0;
			close(probe);
		}
		if (probe < 0 || (e != ECONNREFUSED && e != ENOENT)) {
			snprintf(err, errlen,
				 "%s: socket path in use (another process "
				 "listens on it)", path);
			close(fd);
			return -1;
		}
		unlink(path); /* stale: nobody listens */
		rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (rc < 0) {
		e = errno;
		if (e == ENOENT)
			snprintf(err, errlen, "%s: cannot create socket: "
				 "directory does not exist", path);
		else
			snprintf(err, errlen, "%s: bind: %s", path,
				 strerror(e));
		close(fd);
		return -1;
	}
	if (listen(fd, 8) < 0) {
		snprintf(err, errlen, "%s: listen: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* ---- the connection of one battery ---- */

static void conn_close(struct sim_battery *b, const char *why)
{
	if (b->cfd < 0)
		return;
	sim_ble_hang_up(b->ble, b->cfd);
	close(b->cfd);
	b->cfd = -1;
	b->q_head = b->q_len = 0;
	b->send_blocked = false;
	b->unlock_deadline_ms = 0;
	note(b, why);
	if (b->ble && b->lfd >= 0)
		sim_ble_advertise(b->ble, true); /* as the battery does */
}

static unsigned latency_ms(const struct sim_battery *b)
{
	if (!sim_model_fault(b->model, SIM_FAULT_LATENCY))
		return 0;
	return sim_model_cfg(b->model)->latency_ms;
}

/* Queue one PDU behind the others; the latency fault delays it, and the
 * queue keeps the order even when the latency changes in between. */
static int enqueue(struct sim_battery *b, const uint8_t *pdu, size_t len,
		   bool close_after, uint64_t now)
{
	struct out_pdu *o;
	uint64_t due = now + latency_ms(b);

	if (b->cfd < 0)
		return -1;
	if (b->q_len == OUTQ_MAX || len > sizeof(o->data)) {
		conn_close(b, "central does not keep up; link dropped");
		return -1;
	}
	if (b->q_len) {
		const struct out_pdu *last =
			&b->q[(b->q_head + b->q_len - 1) % OUTQ_MAX];

		if (last->due_ms > due)
			due = last->due_ms;
	}
	o = &b->q[(b->q_head + b->q_len) % OUTQ_MAX];
	o->due_ms = due;
	o->len = (uint16_t)len;
	o->close_after = close_after;
	memcpy(o->data, pdu, len);
	b->q_len++;
	return 0;
}

static void flush_due(struct sim_battery *b, uint64_t now)
{
	while (b->cfd >= 0 && b->q_len && !b->send_blocked) {
		struct out_pdu *o = &b->q[b->q_head];
		ssize_t r;

		if (o->due_ms > now)
			return;
		r = send(b->cfd, o->data, o->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			b->send_blocked = true;
			return;
		}
		if (r < 0) {
			conn_close(b, "send failed; central gone");
			return;
		}
		b->q_head = (b->q_head + 1) % OUTQ_MAX;
		b->q_len--;
		if (o->close_after) {
			conn_close(b, "fault drop: link closed after the first "
				      "fragment");
			return;
		}
	}
}

static uint32_t rng_next(struct sim_battery *b)
{
	uint32_t x = b->rng; /* xorshift32: reproducible per battery */

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	b->rng = x;
	return x;
}

static bool is_jbd(const struct sim_battery *b)
{
	return sim_model_cfg(b->model)->family == WC_FAMILY_JBD;
}

/* The battery's GATT database: its family's layout, and for JBD the
 * service it was given. */
static const struct gatt_db *db_of(const struct sim_server *s,
				   const struct sim_battery *b)
{
	if (!is_jbd(b))
		return &s->db;
	if (strcmp(sim_model_cfg(b->model)->jbd_service, "ff00") == 0)
		return &s->db_ff00;
	return &s->db_jbd;
}

static void notify(struct sim_server *s, struct sim_battery *b,
		   const uint8_t *v, size_t n, bool close_after, uint64_t now)
{
	uint8_t pdu[ATT_MAX_MTU];
	size_t len = gatt_build_notification(pdu, sizeof(pdu),
					     db_of(s, b)->fff1_value, v, n);

	if (len == 0)
		return;
	memcpy(b->gc.fff1_last, v, n);
	b->gc.fff1_last_len = n;
	enqueue(b, pdu, len, close_after, now);
}

/* The sample fields a read of this DP carries. */
static uint32_t dp_fields(uint16_t dp)
{
	switch (dp) {
	case WATT_DP_ANALOG:
		return ((1u << (WC_F_BALANCE_CURRENT + 1)) - 1u) &
		       ~((1u << WC_F_CELLS) - 1u);
	case WATT_DP_STATUS:
		return 1u << WC_F_STATUS;
	case WATT_DP_PRODUCT:
		return 1u << WC_F_INFO;
	default:
		return 0;
	}
}

/* The sample fields a JBD reply of this command carries. */
static uint32_t jbd_fields(uint8_t cmd)
{
	switch (cmd) {
	case JBD_CMD_BASIC:
		return (dp_fields(WATT_DP_ANALOG) & ~(1u << WC_F_CELLS)) |
		       1u << WC_F_STATUS | 1u << WC_F_JBD |
		       1u << WC_F_HUMIDITY | 1u << WC_F_HEATING;
	case JBD_CMD_CELLS:
		return 1u << WC_F_CELLS;
	case JBD_CMD_HW:
		return 1u << WC_F_INFO;
	default:
		return 0;
	}
}

static void log_served(struct sim_server *s, const struct sim_battery *b,
		       const uint8_t *frame, size_t n,
		       const struct wc_sample *served, const bool *faults)
{
	char line[8192];
	struct wc_sample shown;
	struct jbuf jb;
	bool any = false;

	if (!s->log)
		return;
	/* The model reports its whole snapshot; log only what this frame
	 * carried (nothing for a write echo). */
	shown = *served;
	if (is_jbd(b))
		shown.present &= n > 4 && frame[2] == JBD_ST_OK
					 ? jbd_fields(frame[1]) : 0u;
	else
		shown.present &= n >= 6 && frame[3] == WATT_FN_READ
					 ? dp_fields(get_be16(frame + 4)) : 0u;
	jb_init(&jb, line, sizeof(line));
	jb_printf(&jb, "{");
	jb_key(&jb, "t");
	jb_printf(&jb, "%.3f", wall_s());
	jb_key(&jb, "battery");
	jb_str(&jb, b->name);
	jb_key(&jb, "dp");
	jb_printf(&jb, "\"0x%02x\"",
		  is_jbd(b) ? (n > 1 ? frame[1] : 0) : (n >= 6 ? frame[5] : 0));
	if (is_jbd(b)) {
		jb_key(&jb, "family");
		jb_str(&jb, "jbd");
	}
	jb_key(&jb, "frame");
	jb_hex(&jb, frame, n);
	if (sim_model_cfg(b->model)->rssi_dbm) {
		jb_key(&jb, "rssi_dbm");
		jb_printf(&jb, "%d", sim_model_cfg(b->model)->rssi_dbm);
	}
	jb_key(&jb, "faults");
	jb_printf(&jb, "[");
	for (int f = 0; f < SIM_FAULT__COUNT; f++) {
		if (!faults[f])
			continue;
		jb_printf(&jb, any ? "," : "");
		jb_str(&jb, sim_fault_name((enum sim_fault)f));
		any = true;
	}
	jb_printf(&jb, "]");
	sim_json_sample(&jb, &shown);
	jb_printf(&jb, "}");
	if (jb.overflow)
		return; /* never write half a JSON line */
	fprintf(s->log, "%s\n", line);
	fflush(s->log);
}

/* One WATT frame arrived on FFF2: ask the model, then send the answer as
 * (MTU - 3)-byte notifications, bent by whatever faults are on now. */
static void serve_watt(struct sim_server *s, struct sim_battery *b,
		       const uint8_t *req, size_t len, uint64_t now)
{
	uint8_t frame[WATT_FRAME_MAX + 1], tmp[WATT_FRAME_MAX + 1];
	struct wc_sample served;
	bool faults[SIM_FAULT__COUNT];
	size_t n, chunk;

	sim_model_advance(b->model, model_time_s(s, now));
	for (int f = 0; f < SIM_FAULT__COUNT; f++)
		faults[f] = sim_model_fault(b->model, (enum sim_fault)f);
	if (faults[SIM_FAULT_SILENCE])
		return;
	memset(&served, 0, sizeof(served));
	n = sim_model_handle(b->model, req, len, frame, WATT_FRAME_MAX,
			     &served);
	if (n < (is_jbd(b) ? JBD_OVERHEAD : WATT_OVERHEAD) ||
	    n > WATT_FRAME_MAX)
		return; /* the model stays silent (bad CRC, head, DP) */
	if (!(b->gc.fff1_cccd & 0x0001))
		return; /* notifications off: nothing reaches the central */

	if (faults[SIM_FAULT_LENGTH] && is_jbd(b)) {
		/* The same for a JBD reply: one more data byte, length byte
		 * and checksum to match. */
		size_t dn = frame[3], m;

		memcpy(tmp, frame + JBD_HEADER_LEN, dn);
		tmp[dn] = 0x00;
		m = dn < 255 ? jbd_build_reply(frame, sizeof(frame), frame[1],
					       frame[2], tmp, dn + 1) : 0;
		if (m)
			n = m;
	} else if (faults[SIM_FAULT_LENGTH]) {
		/* One extra data byte, length field and CRC updated to match,
		 * so the frame is well-formed and only its length is wrong
		 * for the counts it carries. */
		size_t dn = n - WATT_OVERHEAD;
		size_t m;

		memcpy(tmp, frame + WATT_HEADER_LEN, dn);
		tmp[dn] = 0x00;
		m = watt_build_frame(frame, sizeof(frame), frame[0], frame[1],
				     frame[2], frame[3], get_be16(frame + 4),
				     tmp, dn + 1);
		if (m)
			n = m;
	}
	if (faults[SIM_FAULT_CRC]) {
		frame[n - 3] ^= 0xFF;
		frame[n - 2] ^= 0xFF;
	}
	chunk = (size_t)b->gc.mtu - 3;
	if (faults[SIM_FAULT_GARBAGE]) {
		uint8_t junk[GARBAGE_MAX];
		size_t jn = 8 + rng_next(b) % (GARBAGE_MAX - 7);

		if (jn > chunk)
			jn = chunk;
		for (size_t i = 0; i < jn; i++) {
			do
				junk[i] = (uint8_t)rng_next(b);
			while (junk[i] == 0x7E || junk[i] == JBD_START);
		}
		notify(s, b, junk, jn, false, now);
	}
	log_served(s, b, frame, n, &served, faults);
	for (size_t off = 0; off < n && b->cfd >= 0; off += chunk) {
		size_t k = n - off < chunk ? n - off : chunk;
		bool first = off == 0;

		notify(s, b, frame + off, k, first && faults[SIM_FAULT_DROP],
		       now);
		if (first && faults[SIM_FAULT_DUPLICATE])
			notify(s, b, frame + off, k, false, now);
		if (faults[SIM_FAULT_DROP])
			break;
	}
}

static void handle_pdu(struct sim_server *s, struct sim_battery *b,
		       const uint8_t *pdu, size_t len, uint64_t now)
{
	uint8_t rsp[ATT_MAX_MTU];
	struct gatt_event ev;
	char why[160];
	size_t n;

	if (sim_write_unexpected(db_of(s, b), pdu, len, why, sizeof(why))) {
		char line[sizeof(why) + 32];

		b->unexpected_writes++;
		snprintf(line, sizeof(line), "unexpected write: %s", why);
		note(b, line);
	}
	n = gatt_handle_pdu(db_of(s, b), &b->gc, pdu, len, rsp, sizeof(rsp),
			    &ev);
	if (n)
		enqueue(b, rsp, n, false, now);
	switch (ev.kind) {
	case GATT_EV_WATT_WRITE:
		/* Before the unlock the battery acknowledges at ATT level and
		 * ignores the frame; the ignored write does not restart the
		 * unlock timer (doc/PROTOCOL.md §3.1). */
		if (sim_model_cfg(b->model)->unlock_required &&
		    !b->gc.unlocked)
			return;
		serve_watt(s, b, ev.data, ev.len, now);
		return;
	case GATT_EV_UNLOCK:
		b->unlock_deadline_ms = 0;
		return;
	case GATT_EV_BAD_UNLOCK:
	case GATT_EV_CCCD:
	case GATT_EV_MTU:
	case GATT_EV_NONE:
		return;
	}
}

static void conn_read(struct sim_server *s, struct sim_battery *b,
		      uint64_t now)
{
	uint8_t buf[RX_MAX];
	ssize_t r;

	r = recv(b->cfd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (r <= 0) {
		conn_close(b, r == 0 ? "central disconnected"
				     : "receive failed; link closed");
		return;
	}
	/* A truncated PDU (MSG_TRUNC gives its real length) is still longer
	 * than any MTU, so the ATT layer rejects it. */
	handle_pdu(s, b, buf, (size_t)r > sizeof(buf) ? sizeof(buf) : (size_t)r,
		   now);
}

/* Read what is pending on the current link (bounded), so that a hangup
 * already queued is noticed before a new central is judged. */
static void conn_settle(struct sim_server *s, struct sim_battery *b,
			uint64_t now)
{
	for (unsigned i = 0; i < OUTQ_MAX && b->cfd >= 0; i++) {
		struct pollfd p = { .fd = b->cfd, .events = POLLIN };

		if (poll(&p, 1, 0) <= 0)
			return;
		if (p.revents & POLLIN)
			conn_read(s, b, now);
		else if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
			conn_close(b, "central disconnected");
		else
			return;
	}
}

static void accept_central(struct sim_server *s, struct sim_battery *b,
			   uint64_t now)
{
	const struct sim_battery_cfg *cfg;
	int fd = accept4(b->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	sim_model_advance(b->model, model_time_s(s, now));
	/* A central that closed and reconnected at once may have its hangup
	 * still unread in this poll round: settle the old link first. */
	conn_settle(s, b, now);
	/* One central at a time: a real battery stops advertising while it is
	 * connected, so a second central only ever sees a closed link. */
	if (b->cfd >= 0) {
		sim_ble_hang_up(b->ble, fd);
		close(fd);
		note(b, "second central refused (one at a time)");
		if (b->ble)
			sim_ble_advertise(b->ble, true);
		return;
	}
	if (sim_model_fault(b->model, SIM_FAULT_REFUSE)) {
		sim_ble_hang_up(b->ble, fd);
		close(fd);
		note(b, "fault refuse: connection closed at once");
		if (b->ble)
			sim_ble_advertise(b->ble, true);
		return;
	}
	cfg = sim_model_cfg(b->model);
	b->cfd = fd;
	b->q_head = b->q_len = 0;
	b->send_blocked = false;
	gatt_conn_init(&b->gc, cfg->mtu, b->device_name);
	if (cfg->unlock_key[0])
		snprintf(b->gc.unlock_key, sizeof(b->gc.unlock_key), "%s",
			 cfg->unlock_key);
	b->unlock_deadline_ms = 0;
	if (cfg->unlock_required)
		b->unlock_deadline_ms =
			now + (cfg->unlock_timeout_ms ? cfg->unlock_timeout_ms
						      : DEFAULT_UNLOCK_TIMEOUT_MS);
	note(b, "central connected");
}

/* ---- control clients ---- */

static void ctl_drop(struct ctl_client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void ctl_accept(struct sim_server *s)
{
	int fd = accept4(s->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (s->ctl[i].fd < 0) {
			s->ctl[i].fd = fd;
			s->ctl[i].len = 0;
			return;
		}
	}
	(void)!write(fd, "error: too many control clients\n", 32);
	close(fd);
}

static void ctl_reply(struct ctl_client *c, const char *reply)
{
	size_t n = strlen(reply);
	char nl = '\n';

	/* Replies are short and the socket is fresh: a reply that does not go
	 * out at once means a client that does not read; drop it. */
	if (send(c->fd, reply, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n ||
	    send(c->fd, &nl, 1, MSG_DONTWAIT | MSG_NOSIGNAL) != 1)
		ctl_drop(c);
}

static void ctl_read(struct sim_server *s, struct ctl_client *c)
{
	char reply[SIM_CTL_REPLY_MAX];
	ssize_t r;
	char *nl;

	r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len - 1,
		 MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (r <= 0) {
		ctl_drop(c);
		return;
	}
	c->len += (size_t)r;
	c->buf[c->len] = '\0';
	while (c->fd >= 0 && (nl = strchr(c->buf, '\n')) != NULL) {
		size_t used = (size_t)(nl - c->buf) + 1;

		*nl = '\0';
		if (nl > c->buf && nl[-1] == '\r')
			nl[-1] = '\0';
		sim_control_exec(s, c->buf, reply, sizeof(reply));
		ctl_reply(c, reply);
		if (c->fd < 0)
			return;
		memmove(c->buf, c->buf + used, c->len - used + 1);
		c->len -= used;
	}
	if (c->fd >= 0 && c->len == sizeof(c->buf) - 1) {
		ctl_reply(c, "error: line too long");
		if (c->fd >= 0)
			ctl_drop(c);
	}
}

/* ---- public ---- */

/* The RSSI a BLE controller would report for this link lives in a file
 * beside the socket (PATH.rssi): a link-layer reading that no ATT PDU
 * carries, for the unix transport's wc_link_rssi().  Only when configured. */
static void rssi_file(const struct sim_battery *b, bool present)
{
	const struct sim_battery_cfg *cfg = sim_model_cfg(b->model);
	char path[sizeof(b->path) + 8];
	FILE *f;

	snprintf(path, sizeof(path), "%s.rssi", b->path);
	if (!present || cfg->rssi_dbm == 0) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%d\n", cfg->rssi_dbm);
		fclose(f);
	}
}

static int battery_listen(struct sim_battery *b, char *err, size_t errlen)
{
	const struct sim_battery_cfg *cfg = sim_model_cfg(b->model);

	if (cfg->adapter[0]) {
		double soc = sim_model_soc(b->model);

		b->ble = sim_ble_open(cfg->adapter, b->device_name, b->name,
				      is_jbd(b),
				      soc > 0.0 ? (unsigned)(soc + 0.5) : 0,
				      err, errlen);
		b->lfd = sim_ble_listen_fd(b->ble);
		return b->ble ? 0 : -1;
	}
	b->lfd = listen_unix(b->path, SOCK_SEQPACKET, err, errlen);
	if (b->lfd < 0)
		return -1;
	rssi_file(b, true);
	return 0;
}

struct sim_server *sim_server_new(const struct sim_battery_cfg *cfgs,
				  unsigned n,
				  const struct sim_server_opts *opts,
				  char *err, size_t errlen)
{
	struct sim_server *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->ctl_fd = -1;
	s->wake_fd = opts->wake_fd;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		s->ctl[i].fd = -1;
	gatt_db_init(&s->db);
	gatt_db_init_jbd(&s->db_jbd);
	gatt_db_init_jbd_ff00(&s->db_ff00);
	s->start_ms = wc_now_ms();
	s->next_tick_ms = s->start_ms + TICK_MS;
	s->bats = calloc(n ? n : 1, sizeof(*s->bats));
	if (!s->bats) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (unsigned i = 0; i < n; i++) {
		struct sim_battery *b = &s->bats[i];

		b->lfd = b->cfd = -1;
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(cfgs[i].name, cfgs[j].name) == 0) {
				snprintf(err, errlen, "battery name \"%s\" used "
					 "twice", cfgs[i].name);
				goto fail;
			}
			if (cfgs[i].adapter[0] &&
			    strcmp(cfgs[i].adapter, cfgs[j].adapter) == 0) {
				snprintf(err, errlen, "%s: adapter %s already "
					 "carries %s (one battery per "
					 "controller)", cfgs[i].name,
					 cfgs[i].adapter, cfgs[j].name);
				goto fail;
			}
			if (cfgs[i].socket_path[0] &&
			    strcmp(cfgs[i].socket_path, cfgs[j].socket_path) ==
			    0) {
				snprintf(err, errlen, "%s: socket path used by "
					 "two batteries", cfgs[i].socket_path);
				goto fail;
			}
		}
		snprintf(b->name, sizeof(b->name), "%s", cfgs[i].name);
		snprintf(b->path, sizeof(b->path), "%s", cfgs[i].socket_path);
		gatt_device_name(b->name, b->device_name,
				 sizeof(b->device_name));
		if (cfgs[i].ble_name[0])
			snprintf(b->device_name, sizeof(b->device_name), "%s",
				 cfgs[i].ble_name);
		else if (cfgs[i].family == WC_FAMILY_JBD)
			sim_jbd_device_name(b->name, b->device_name,
					    sizeof(b->device_name));
		b->rng = 0x9E3779B9u ^ (i + 1) * 2654435761u;
		b->model = sim_model_new(&cfgs[i]);
		s->n = i + 1;
		if (!b->model) {
			snprintf(err, errlen, "%s: cannot create the battery "
				 "model", b->name);
			goto fail;
		}
		if (battery_listen(b, err, errlen) < 0)
			goto fail;
	}
	if (opts->control_path) {
		snprintf(s->ctl_path, sizeof(s->ctl_path), "%s",
			 opts->control_path);
		s->ctl_fd = listen_unix(s->ctl_path, SOCK_STREAM, err, errlen);
		if (s->ctl_fd < 0)
			goto fail;
	}
	if (opts->log_path) {
		s->log = fopen(opts->log_path, "ae");
		if (!s->log) {
			snprintf(err, errlen, "%s: cannot open log: %s",
				 opts->log_path, strerror(errno));
			goto fail;
		}
	}
	return s;
fail:
	sim_server_free(s);
	return NULL;
}

void sim_server_free(struct sim_server *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->n; i++) {
		struct sim_battery *b = &s->bats[i];

		if (b->cfd >= 0)
			close(b->cfd);
		if (b->ble) {
			sim_ble_close(b->ble);
		} else if (b->lfd >= 0) {
			close(b->lfd);
			unlink(b->path);
			rssi_file(b, false);
		}
		sim_model_free(b->model);
	}
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->ctl[i].fd >= 0)
			close(s->ctl[i].fd);
	if (s->ctl_fd >= 0) {
		close(s->ctl_fd);
		unlink(s->ctl_path);
	}
	if (s->log)
		fclose(s->log);
	free(s->bats);
	free(s);
}

enum slot_kind { SLOT_WAKE, SLOT_CTL_LISTEN, SLOT_CTL, SLOT_LISTEN, SLOT_CONN };

struct slot {
	enum slot_kind kind;
	unsigned index;
};

static uint64_t next_deadline(const struct sim_server *s, uint64_t now)
{
	uint64_t t = s->next_tick_ms;

	for (unsigned i = 0; i < s->n; i++) {
		const struct sim_battery *b = &s->bats[i];

		if (b->cfd < 0)
			continue;
		if (b->q_len && !b->send_blocked && b->q[b->q_head].due_ms < t)
			t = b->q[b->q_head].due_ms;
		if (b->unlock_deadline_ms && b->unlock_deadline_ms < t)
			t = b->unlock_deadline_ms;
	}
	return t > now ? t : now;
}

static void run_timers(struct sim_server *s, uint64_t now)
{
	if (now >= s->next_tick_ms) {
		for (unsigned i = 0; i < s->n; i++)
			sim_model_advance(s->bats[i].model,
					  model_time_s(s, now));
		if (s->tick)
			s->tick(s->tick_user, model_time_s(s, now));
		s->next_tick_ms = now + TICK_MS;
		/* a controller that was busy when the link dropped gets asked
		 * again: a battery without a central always advertises */
		for (unsigned i = 0; i < s->n; i++)
			if (s->bats[i].ble && s->bats[i].cfd < 0)
				sim_ble_advertise(s->bats[i].ble, true);
	}
	for (unsigned i = 0; i < s->n; i++) {
		struct sim_battery *b = &s->bats[i];

		if (b->cfd >= 0 && b->unlock_deadline_ms &&
		    now >= b->unlock_deadline_ms)
			conn_close(b, "no unlock in time; link dropped");
		flush_due(b, now);
	}
}

int sim_server_run(struct sim_server *s, char *err, size_t errlen)
{
	enum { MAX_FDS = 2 + CTL_MAX_CLIENTS + 2 * SIM_MAX_BATTERIES };
	struct pollfd pfd[MAX_FDS];
	struct slot slot[MAX_FDS];

	if (s->n > SIM_MAX_BATTERIES) {
		snprintf(err, errlen, "too many batteries (max %d)",
			 SIM_MAX_BATTERIES);
		return -1;
	}
	while (!s->quit) {
		uint64_t now = wc_now_ms();
		unsigned nfd = 0;
		int timeout, r;

		run_timers(s, now);
		timeout = (int)(next_deadline(s, now) - now);
		if (timeout > TICK_MS)
			timeout = TICK_MS;

#define ADD(fd_, ev_, kind_, idx_)                                      \
	do {                                                            \
		pfd[nfd].fd = (fd_);                                    \
		pfd[nfd].events = (short)(ev_);                         \
		pfd[nfd].revents = 0;                                   \
		slot[nfd].kind = (kind_);                               \
		slot[nfd].index = (idx_);                               \
		nfd++;                                                  \
	} while (0)
		if (s->wake_fd >= 0)
			ADD(s->wake_fd, POLLIN, SLOT_WAKE, 0);
		if (s->ctl_fd >= 0)
			ADD(s->ctl_fd, POLLIN, SLOT_CTL_LISTEN, 0);
		for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
			if (s->ctl[i].fd >= 0)
				ADD(s->ctl[i].fd, POLLIN, SLOT_CTL, i);
		for (unsigned i = 0; i < s->n; i++) {
			struct sim_battery *b = &s->bats[i];

			if (b->lfd >= 0)
				ADD(b->lfd, POLLIN, SLOT_LISTEN, i);
			if (b->cfd >= 0)
				ADD(b->cfd, POLLIN | (b->send_blocked ? POLLOUT : 0),
				    SLOT_CONN, i);
		}
#undef ADD
		r = poll(pfd, nfd, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		now = wc_now_ms();
		for (unsigned k = 0; k < nfd && !s->quit; k++) {
			struct sim_battery *b;
			short re = pfd[k].revents;

			if (!re)
				continue;
			switch (slot[k].kind) {
			case SLOT_WAKE:
				s->quit = true;
				break;
			case SLOT_CTL_LISTEN:
				ctl_accept(s);
				break;
			case SLOT_CTL:
				/* A command may have closed fds polled later in
				 * this round; each slot re-checks its fd. */
				if (s->ctl[slot[k].index].fd == pfd[k].fd)
					ctl_read(s, &s->ctl[slot[k].index]);
				break;
			case SLOT_LISTEN:
				b = &s->bats[slot[k].index];
				if (b->lfd == pfd[k].fd)
					accept_central(s, b, now);
				break;
			case SLOT_CONN:
				b = &s->bats[slot[k].index];
				if (b->cfd != pfd[k].fd)
					break;
				if (re & POLLOUT)
					b->send_blocked = false;
				if (re & POLLIN)
					conn_read(s, b, now);
				else if (re & (POLLHUP | POLLERR | POLLNVAL))
					conn_close(b, "central disconnected");
				break;
			}
		}
	}
	return 0;
}

struct sim_battery *sim_server_battery(struct sim_server *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->bats[i].name, name) == 0)
			return &s->bats[i];
	return NULL;
}

unsigned sim_server_count(const struct sim_server *s)
{
	return s->n;
}

struct sim_battery *sim_server_battery_at(struct sim_server *s, unsigned i)
{
	return i < s->n ? &s->bats[i] : NULL;
}

const char *sim_battery_name(const struct sim_battery *b)
{
	return b->name;
}

struct sim_model *sim_battery_model(struct sim_battery *b)
{
	return b->model;
}

int sim_battery_kill(struct sim_server *s, struct sim_battery *b, char *err,
		     size_t errlen)
{
	(void)s;
	if (b->lfd < 0) {
		snprintf(err, errlen, "%s is already gone", b->name);
		return -1;
	}
	conn_close(b, "killed: link closed");
	if (b->ble) {
		sim_ble_close(b->ble); /* stops advertising */
		b->ble = NULL;
		b->lfd = -1;
		return 0;
	}
	close(b->lfd);
	b->lfd = -1;
	unlink(b->path);
	rssi_file(b, false);
	return 0;
}

int sim_battery_revive(struct sim_server *s, struct sim_battery *b,
		       char *err, size_t errlen)
{
	(void)s;
	if (b->lfd >= 0) {
		snprintf(err, errlen, "%s is alive", b->name);
		return -1;
	}
	return battery_listen(b, err, errlen);
}

void sim_battery_state_json(struct sim_server *s, struct sim_battery *b,
			    struct jbuf *out)
{
	struct wc_sample snap;
	bool any = false;

	memset(&snap, 0, sizeof(snap));
	sim_model_advance(b->model, model_time_s(s, wc_now_ms()));
	sim_model_snapshot(b->model, &snap);
	jb_printf(out, "{");
	jb_key(out, "battery");
	jb_str(out, b->name);
	jb_key(out, "device_name");
	jb_str(out, b->device_name);
	jb_key(out, "listening");
	jb_printf(out, "%s", b->lfd >= 0 ? "true" : "false");
	jb_key(out, "connected");
	jb_printf(out, "%s", b->cfd >= 0 ? "true" : "false");
	jb_key(out, "unlocked");
	jb_printf(out, "%s", b->cfd >= 0 && b->gc.unlocked ? "true" : "false");
	jb_key(out, "mtu");
	jb_printf(out, "%u", b->cfd >= 0 ? b->gc.mtu : 0u);
	jb_key(out, "notify");
	jb_printf(out, "%s",
		  b->cfd >= 0 && (b->gc.fff1_cccd & 1) ? "true" : "false");
	jb_key(out, "faults");
	jb_printf(out, "[");
	for (int f = 0; f < SIM_FAULT__COUNT; f++) {
		if (!sim_model_fault(b->model, (enum sim_fault)f))
			continue;
		jb_printf(out, any ? "," : "");
		jb_str(out, sim_fault_name((enum sim_fault)f));
		any = true;
	}
	jb_printf(out, "]");
	jb_key(out, "unexpected_writes");
	jb_printf(out, "%u", b->unexpected_writes);
	sim_json_sample(out, &snap);
	jb_printf(out, "}");
}

void sim_server_quit(struct sim_server *s)
{
	s->quit = true;
}

void sim_server_set_tick(struct sim_server *s,
			 void (*fn)(void *user, double t_s), void *user)
{
	s->tick = fn;
	s->tick_user = user;
}
