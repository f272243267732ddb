/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HCI pieces libbluetooth has no call for (see hci_raw.h).
 *
 * Written from the kernel's socket interface and the Bluetooth Core spec,
 * Vol 4 Part E: a command packet is 0x01, opcode (OGF << 10 | OCF) little-
 * endian, parameter length, parameters (§5.4.1); an event packet is 0x04,
 * event code, parameter length, parameters (§5.4.4).  Command Complete
 * (0x0E, §7.7.14) carries Num_HCI_Command_Packets, Command_Opcode, then the
 * command's return parameters; Command Status (0x0F, §7.7.15) carries
 * Status, Num_HCI_Command_Packets, Command_Opcode. */
#include "hci_raw.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>

#include "bytes.h"
#include "clock.h"
#include "link_addr.h"

/* ---- pure byte functions ---- */

size_t wc_hci_cmd_build(uint8_t *buf, size_t buflen, uint16_t opcode,
			const uint8_t *params, size_t plen)
{
	if (!buf || plen > 255 || (plen > 0 && !params) || buflen < 4 + plen)
		return 0;
	buf[0] = WC_HCI_PKT_COMMAND;
	put_le16(buf + 1, opcode);
	buf[3] = (uint8_t)plen;
	if (plen > 0)
		memcpy(buf + 4, params, plen);
	return 4 + plen;
}

size_t wc_hci_cmd_le_scan_enable(uint8_t *buf, size_t buflen, bool enable,
				 bool filter_dup)
{
	uint8_t param[2];

	param[0] = enable ? 0x01 : 0x00;
	param[1] = filter_dup ? 0x01 : 0x00;
	return wc_hci_cmd_build(buf, buflen, WC_HCI_OP_LE_SET_SCAN_ENABLE,
				param, sizeof(param));
}

size_t wc_hci_cmd_le_scan_params(uint8_t *buf, size_t buflen)
{
	uint8_t param[7];

	param[0] = 0x01;             /* active: ask for scan responses */
	put_le16(param + 1, 0x0010); /* interval, units of 0.625 ms */
	put_le16(param + 3, 0x0010); /* window = interval */
	param[5] = 0x00;             /* own address: public */
	param[6] = 0x00;             /* accept every advertiser */
	return wc_hci_cmd_build(buf, buflen, WC_HCI_OP_LE_SET_SCAN_PARAMS,
				param, sizeof(param));
}

enum wc_hci_evt wc_hci_evt_match(const uint8_t *buf, size_t len,
				 uint16_t opcode, struct wc_hci_reply *r)
{
	struct cursor c = cursor_init(buf, len);
	const uint8_t *skip, *op;
	uint8_t type, code, plen, status;

	if (!buf || !rd_u8(&c, &type) || !rd_u8(&c, &code) ||
	    !rd_u8(&c, &plen))
		return WC_HCI_EVT_MALFORMED;
	if (type != WC_HCI_PKT_EVENT)
		return WC_HCI_EVT_OTHER;
	if (c.left < plen)
		return WC_HCI_EVT_MALFORMED; /* cut short */
	c = cursor_init(c.p, plen); /* the parameters, nothing after them */

	switch (code) {
	case WC_HCI_EVT_CMD_COMPLETE:
		/* Num_HCI_Command_Packets, Command_Opcode, return params */
		if (!rd_take(&c, 1, &skip) || !rd_take(&c, 2, &op))
			return WC_HCI_EVT_MALFORMED;
		if (get_le16(op) != opcode)
			return WC_HCI_EVT_OTHER;
		if (r) {
			r->event = code;
			r->rparam = c.left > 0 ? c.p : NULL;
			r->rlen = c.left;
			r->status = c.left > 0 ? c.p[0] : 0;
		}
		return WC_HCI_EVT_COMPLETE;
	case WC_HCI_EVT_CMD_STATUS:
		/* Status, Num_HCI_Command_Packets, Command_Opcode */
		if (!rd_u8(&c, &status) || !rd_take(&c, 1, &skip) ||
		    !rd_take(&c, 2, &op))
			return WC_HCI_EVT_MALFORMED;
		if (get_le16(op) != opcode)
			return WC_HCI_EVT_OTHER;
		if (r) {
			r->event = code;
			r->status = status;
			r->rparam = NULL;
			r->rlen = 0;
		}
		return WC_HCI_EVT_STATUS;
	default:
		return WC_HCI_EVT_OTHER;
	}
}

bool wc_hci_parse_name(const char *s, int *dev_id)
{
	unsigned long v = 0;
	const char *p;

	if (!s || !dev_id || strncmp(s, "hci", 3) != 0 || !s[3])
		return false;
	for (p = s + 3; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 0xFFFF)
			return false;
	}
	*dev_id = (int)v;
	return true;
}

void wc_hci_filter_events(struct hci_filter *f, const uint8_t *events,
			  size_t n, uint16_t opcode)
{
	uint8_t wire[2];
	size_t i;

	memset(f, 0, sizeof(*f));
	/* The kernel tests bit (packet type & 31) of type_mask, and bit
	 * (event code & 63) of the 64-bit event_mask, as two 32-bit words. */
	f->type_mask = 1u << WC_HCI_PKT_EVENT;
	for (i = 0; i < n; i++) {
		unsigned e = events[i] & 63u;

		f->event_mask[e >> 5] |= 1u << (e & 31u);
	}
	/* It compares opcode with the two opcode bytes of the event as they
	 * lie in memory, so it holds the wire (little-endian) bytes. */
	put_le16(wire, opcode);
	memcpy(&f->opcode, wire, sizeof(wire));
}

/* ---- listening ---- */

/* wc_hci_listen's loop; with stop_at_answer it returns 0 as soon as the
 * answer (status 0) is read, and EINTR before the answer is -1 EINTR. */
static int listen_loop(int fd, uint16_t opcode, uint64_t answer_by_ms,
		       uint64_t deadline_ms, bool stop_at_answer,
		       void (*on_meta)(void *user, const uint8_t *p, size_t n),
		       void *user, struct wc_hci_reply *r)
{
	uint8_t buf[WC_HCI_MAX_PKT];
	bool answered = false;

	if (fd < 0) {
		errno = EBADF; /* poll() would silently skip it */
		return -1;
	}
	if (!r) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		uint64_t until = answered || answer_by_ms > deadline_ms ?
					 deadline_ms : answer_by_ms;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct wc_hci_reply got;
		enum wc_hci_evt e;
		ssize_t n;
		int pr;

		if (wc_ms_left(until) == 0 && until != deadline_ms) {
			errno = ETIMEDOUT; /* no answer to the command */
			return -1;
		}
		pr = poll(&p, 1, wc_ms_left(until));
		if (pr < 0)
			return errno == EINTR && answered ? 0 : -1;
		if (pr > 0 && (p.revents & POLLNVAL)) {
			errno = EBADF;
			return -1;
		}
		n = pr > 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (pr > 0 && n < 0 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (n == 0 && (p.revents & POLLHUP)) {
			errno = EPIPE; /* the socket was shut down */
			return -1;
		}
		if (n > 0) {
			e = wc_hci_evt_match(buf, (size_t)n, opcode, &got);
			if (!answered && (e == WC_HCI_EVT_COMPLETE ||
					  e == WC_HCI_EVT_STATUS)) {
				answered = true;
				r->event = got.event;
				r->status = got.status;
				r->rparam = NULL;
				r->rlen = 0;
				if (got.status != 0) {
					errno = EIO;
					return -1;
				}
				if (stop_at_answer)
					return 0;
			} else if (e == WC_HCI_EVT_OTHER && n >= 3 &&
				   buf[1] == EVT_LE_META_EVENT &&
				   (size_t)buf[2] + 3 <= (size_t)n && on_meta) {
				on_meta(user, buf + 3, buf[2]);
			}
		}
		/* A socket that never stops being readable must not hold
		 * us past the deadline, and poll() alone would not notice. */
		if (wc_ms_left(deadline_ms) == 0) {
			if (answered)
				return 0;
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

int wc_hci_listen(int fd, uint16_t opcode, uint64_t answer_by_ms,
		  uint64_t deadline_ms,
		  void (*on_meta)(void *user, const uint8_t *p, size_t n),
		  void *user, struct wc_hci_reply *r)
{
	return listen_loop(fd, opcode, answer_by_ms, deadline_ms, false,
			   on_meta, user, r);
}

/* ---- the raw LE scan ---- */

static int send_pkt(int fd, const uint8_t *pkt, size_t n)
{
	ssize_t w;

	do
		w = write(fd, pkt, n);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)n)
		return 0;
	if (w >= 0)
		errno = EIO;
	return -1;
}

/* Sends a command and waits (cmd_ms) for its answer, passing reports on.
 * 0, or -1 with errno (EIO: r->status holds the refusal; EINTR). */
static int command(int fd, const uint8_t *pkt, size_t n, uint16_t opcode,
		   int cmd_ms,
		   void (*on_meta)(void *user, const uint8_t *p, size_t n),
		   void *user, struct wc_hci_reply *r)
{
	uint64_t by = wc_deadline_in(cmd_ms);

	if (send_pkt(fd, pkt, n) < 0)
		return -1;
	return listen_loop(fd, opcode, by, by, true, on_meta, user, r);
}

/* Starts our scan, or finds one running.  0 with res->started or
 * res->joined (or neither after a signal: res->interrupted), or -1. */
static int scan_begin(int fd, int cmd_ms,
		      void (*on_meta)(void *user, const uint8_t *p, size_t n),
		      void *user, struct wc_hci_scan_result *res)
{
	uint8_t pkt[WC_HCI_MAX_PKT];
	struct wc_hci_reply r;
	size_t n;
	int rc;

	/* Parameters cannot change while the controller scans: Command
	 * Disallowed here means a scan runs (the kernel's background scan
	 * for a pending connect, bluetoothd's discovery) or the controller
	 * takes only extended scan commands now.  Either way the scan is
	 * not ours to enable or disable: listen to what comes. */
	n = wc_hci_cmd_le_scan_params(pkt, sizeof(pkt));
	rc = command(fd, pkt, n, WC_HCI_OP_LE_SET_SCAN_PARAMS, cmd_ms,
		     on_meta, user, &r);
	if (rc < 0 && errno == EIO && r.status == WC_HCI_ST_CMD_DISALLOWED) {
		res->joined = true;
		return 0;
	}
	if (rc < 0)
		goto failed;
	n = wc_hci_cmd_le_scan_enable(pkt, sizeof(pkt), true, false);
	rc = command(fd, pkt, n, WC_HCI_OP_LE_SET_SCAN_ENABLE, cmd_ms,
		     on_meta, user, &r);
	if (rc == 0) {
		res->started = true;
		return 0;
	}
	if (errno == EIO && r.status == WC_HCI_ST_CMD_DISALLOWED) {
		res->joined = true;
		return 0;
	}
	/* The parameters went through, so nobody else was scanning: an
	 * enable whose answer we did not wait for (a signal) or never got
	 * may have started a scan, and it would be ours to stop. */
	if (errno == EINTR || errno == ETIMEDOUT)
		res->started = true;
failed:
	if (errno == EINTR) {
		res->interrupted = true;
		return 0;
	}
	if (errno == EIO)
		res->status = r.status;
	return -1;
}

int wc_hci_scan(int fd, uint64_t deadline_ms, int cmd_ms,
		void (*on_meta)(void *user, const uint8_t *p, size_t n),
		void *user, struct wc_hci_scan_result *res)
{
	uint8_t pkt[WC_HCI_MAX_PKT];
	struct wc_hci_reply r;
	int rc, err = 0;
	size_t n;

	if (!res) {
		errno = EINVAL;
		return -1;
	}
	memset(res, 0, sizeof(*res));
	if (scan_begin(fd, cmd_ms, on_meta, user, res) < 0)
		err = errno;
	if (!err && !res->interrupted && (res->started || res->joined)) {
		/* The reports until the deadline (or a signal).  No command
		 * is waited for: an opcode nobody sends (vendor 0x3FF of
		 * OGF 0x3F), so the loop ends with ETIMEDOUT at the
		 * deadline. */
		rc = listen_loop(fd, 0xFFFF, deadline_ms, deadline_ms, false,
				 on_meta, user, &r);
		if (rc < 0 && errno == EINTR)
			res->interrupted = true;
		else if (rc < 0 && errno != ETIMEDOUT && errno != EIO)
			err = errno; /* the socket failed */
	}
	if (res->started) {
		/* ours, so ours to stop; an answer is waited for so that
		 * the next scan finds the controller idle */
		n = wc_hci_cmd_le_scan_enable(pkt, sizeof(pkt), false, false);
		(void)command(fd, pkt, n, WC_HCI_OP_LE_SET_SCAN_ENABLE,
			      cmd_ms, NULL, NULL, &r);
	}
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
