/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel's Bluetooth management interface (see mgmt.h).
 *
 * Layouts from BlueZ's doc/mgmt-api.txt: every packet is code, index,
 * length (le16 each) and parameters; Command Complete is opcode (le16),
 * status, return parameters; Command Status is opcode, status.  Addresses
 * travel least significant byte first, as in HCI. */
#include "mgmt.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>

#include "bytes.h"
#include "clock.h"
#include "hci_raw.h"
#include "link_addr.h"

/* Read Controller Information's answer: address (6), version (1),
 * manufacturer (2), supported settings (4), current settings (4), class
 * (3), name (249), short name (11). */
#define INFO_LEN 280
#define INFO_CURRENT_AT 13
/* more controllers than this on one host are not looked at */
#define MAX_INDEXES 64

struct wc_mgmt {
	int fd;
	uint8_t buf[WC_MGMT_MAX_PKT]; /* one packet as read */
};

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static void addr_from_wire(const uint8_t *w, uint8_t out[6])
{
	int i;

	for (i = 0; i < 6; i++)
		out[i] = w[5 - i];
}

static void msgf(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void msgf(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!msg || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

/* ---- pure parsers ---- */

enum wc_err wc_mgmt_parse_hdr(const uint8_t *buf, size_t len,
			      struct wc_mgmt_hdr *h, const uint8_t **params)
{
	if (!buf || !h)
		return WC_E_ARG;
	if (len < WC_MGMT_HDR_LEN)
		return WC_E_SHORT;
	h->code = get_le16(buf);
	h->index = get_le16(buf + 2);
	h->len = get_le16(buf + 4);
	if (len - WC_MGMT_HDR_LEN < h->len)
		return WC_E_TRUNCATED;
	if (params)
		*params = buf + WC_MGMT_HDR_LEN;
	return WC_OK;
}

size_t wc_mgmt_build(uint8_t *buf, size_t buflen, uint16_t opcode,
		     uint16_t index, const uint8_t *params, size_t plen)
{
	if (!buf || plen > 0xFFFF || (plen > 0 && !params) ||
	    buflen < WC_MGMT_HDR_LEN + plen)
		return 0;
	put_le16(buf, opcode);
	put_le16(buf + 2, index);
	put_le16(buf + 4, (uint16_t)plen);
	if (plen > 0)
		memcpy(buf + WC_MGMT_HDR_LEN, params, plen);
	return WC_MGMT_HDR_LEN + plen;
}

enum wc_err wc_mgmt_parse_reply(uint16_t ev, const uint8_t *p, size_t n,
				struct wc_mgmt_reply *r)
{
	if (!r || (!p && n))
		return WC_E_ARG;
	if (ev != WC_MGMT_EV_CMD_COMPLETE && ev != WC_MGMT_EV_CMD_STATUS)
		return WC_E_ARG;
	if (n < 3)
		return WC_E_TRUNCATED;
	r->opcode = get_le16(p);
	r->status = p[2];
	r->complete = ev == WC_MGMT_EV_CMD_COMPLETE;
	r->rlen = r->complete ? n - 3 : 0;
	r->rparam = r->rlen ? p + 3 : NULL;
	return WC_OK;
}

enum wc_err wc_mgmt_parse_found(const uint8_t *p, size_t n,
				struct wc_mgmt_found *f)
{
	struct cursor c = cursor_init(p, n);
	const uint8_t *addr, *fl, *el, *eir;
	uint8_t type, rssi;
	size_t elen;

	if (!f || (!p && n))
		return WC_E_ARG;
	if (!rd_take(&c, 6, &addr) || !rd_u8(&c, &type) ||
	    !rd_u8(&c, &rssi) || !rd_take(&c, 4, &fl) || !rd_take(&c, 2, &el))
		return WC_E_TRUNCATED;
	elen = get_le16(el);
	if (!rd_take(&c, elen, &eir))
		return WC_E_TRUNCATED;
	addr_from_wire(addr, f->bdaddr);
	f->addr_type = type;
	f->rssi = (int8_t)rssi;
	f->flags = get_le32(fl);
	f->eir = elen ? eir : NULL;
	f->eir_len = elen;
	return WC_OK;
}

bool wc_mgmt_found_to_adv(const struct wc_mgmt_found *f, struct wc_adv *adv)
{
	if (!f || !adv)
		return false;
	if (f->addr_type != WC_MGMT_ADDR_LE_PUBLIC &&
	    f->addr_type != WC_MGMT_ADDR_LE_RANDOM)
		return false;
	wc_adv_init(adv, f->bdaddr,
		    f->addr_type == WC_MGMT_ADDR_LE_RANDOM ? WC_ADDR_RANDOM :
							     WC_ADDR_PUBLIC);
	/* the kernel hands advertisement and scan response as one run of
	 * AD structures; a bad one still leaves the address worth seeing */
	(void)wc_adv_parse_ad(adv, f->eir, f->eir_len, NULL);
	if (f->rssi != WC_MGMT_RSSI_INVALID) {
		adv->has_rssi = true;
		adv->rssi = f->rssi;
	}
	return true;
}

enum wc_err wc_mgmt_parse_discovering(const uint8_t *p, size_t n,
				      struct wc_mgmt_discovering *v)
{
	if (!v || (!p && n))
		return WC_E_ARG;
	if (n < 2)
		return WC_E_TRUNCATED;
	v->type = p[0];
	v->discovering = p[1] != 0;
	return WC_OK;
}

static enum wc_err parse_dev_event(const uint8_t *p, size_t n,
				   struct wc_mgmt_dev_event *v)
{
	if (!v || (!p && n))
		return WC_E_ARG;
	if (n < 8)
		return WC_E_TRUNCATED;
	addr_from_wire(p, v->bdaddr);
	v->addr_type = p[6];
	v->code = p[7];
	return WC_OK;
}

enum wc_err wc_mgmt_parse_disconnected(const uint8_t *p, size_t n,
				       struct wc_mgmt_dev_event *v)
{
	return parse_dev_event(p, n, v);
}

enum wc_err wc_mgmt_parse_connect_failed(const uint8_t *p, size_t n,
					 struct wc_mgmt_dev_event *v)
{
	return parse_dev_event(p, n, v);
}

const char *wc_mgmt_status_str(uint8_t status)
{
	static const char *const words[] = {
		"success",
		"unknown command",
		"not connected",
		"failed",
		"connect failed",
		"authentication failed",
		"not paired",
		"no resources",
		"timeout",
		"already connected",
		"busy",
		"rejected",
		"not supported",
		"invalid parameters",
		"disconnected",
		"not powered",
		"cancelled",
		"invalid index",
		"blocked by rfkill",
		"already paired",
		"permission denied",
	};

	if (status < sizeof(words) / sizeof(words[0]))
		return words[status];
	return "unknown status";
}

/* ---- the control socket ---- */

enum wc_err wc_mgmt_adopt(struct wc_mgmt **out, int fd)
{
	struct wc_mgmt *m;

	if (!out || fd < 0)
		return WC_E_ARG;
	m = malloc(sizeof(*m));
	if (!m)
		return WC_E_IO;
	m->fd = fd;
	*out = m;
	return WC_OK;
}

void wc_mgmt_close(struct wc_mgmt *m)
{
	if (!m)
		return;
	close(m->fd);
	free(m);
}

int wc_mgmt_fd(const struct wc_mgmt *m)
{
	return m ? m->fd : -1;
}

enum wc_err wc_mgmt_open(struct wc_mgmt **out, struct wc_diag *d, char *msg,
			 size_t msglen)
{
	struct sockaddr_hci a;
	enum wc_err rc;
	int fd, err;

	if (!out)
		return wc_fail(d, WC_E_ARG, 0, 0);
	*out = NULL;
	fd = socket(PF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    BTPROTO_HCI);
	if (fd < 0) {
		err = errno;
		if (err == EAFNOSUPPORT || err == EPROTONOSUPPORT ||
		    err == ESOCKTNOSUPPORT) {
			msgf(msg, msglen,
			     "this kernel has no Bluetooth support "
			     "(socket(AF_BLUETOOTH) failed: %s)",
			     strerror(err));
			return wc_fail(d, WC_E_NOBT, (uint32_t)err, 0);
		}
		msgf(msg, msglen,
		     "cannot open the Bluetooth management socket: %s",
		     strerror(err));
		return wc_fail(d, WC_E_IO, (uint32_t)err, 0);
	}
	memset(&a, 0, sizeof(a));
	a.hci_family = AF_BLUETOOTH;
	a.hci_dev = HCI_DEV_NONE;
	a.hci_channel = HCI_CHANNEL_CONTROL;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		err = errno;
		close(fd);
		if (err == EINVAL || err == EOPNOTSUPP) {
			/* a kernel from before the management interface */
			msgf(msg, msglen,
			     "this kernel has no Bluetooth management "
			     "interface (bind: %s)", strerror(err));
			return wc_fail(d, WC_E_NOBT, (uint32_t)err, 0);
		}
		msgf(msg, msglen,
		     "cannot bind the Bluetooth management socket: %s",
		     strerror(err));
		return wc_fail(d, WC_E_IO, (uint32_t)err, 0);
	}
	rc = wc_mgmt_adopt(out, fd);
	if (rc != WC_OK) {
		close(fd);
		msgf(msg, msglen, "out of memory");
		return wc_fail(d, rc, ENOMEM, 0);
	}
	return WC_OK;
}

/* One step of a wait: polls until deadline_ms and reads at most one
 * packet.  WC_OK with *got true and *h / *p set for a well-formed packet;
 * WC_OK with *got false for nothing (deadline, a signal: *intr true, a
 * malformed packet); WC_E_CLOSED, WC_E_IO (errno). */
static enum wc_err read_step(struct wc_mgmt *m, uint64_t deadline_ms,
			     bool *got, bool *intr, struct wc_mgmt_hdr *h,
			     const uint8_t **p)
{
	struct pollfd pf = { .fd = m->fd, .events = POLLIN };
	ssize_t n;
	int pr;

	*got = false;
	*intr = false;
	pr = poll(&pf, 1, wc_ms_left(deadline_ms));
	if (pr < 0) {
		if (errno == EINTR) {
			*intr = true;
			return WC_OK;
		}
		return WC_E_IO;
	}
	if (pr == 0)
		return WC_OK;
	if (pf.revents & POLLNVAL) {
		errno = EBADF;
		return WC_E_IO;
	}
	n = read(m->fd, m->buf, sizeof(m->buf));
	if (n < 0) {
		if (errno == EINTR) {
			*intr = true;
			return WC_OK;
		}
		return errno == EAGAIN ? WC_OK : WC_E_IO;
	}
	if (n == 0 && (pf.revents & (POLLHUP | POLLERR)))
		return WC_E_CLOSED;
	if (wc_mgmt_parse_hdr(m->buf, (size_t)n, h, p) == WC_OK)
		*got = true;
	return WC_OK;
}

static enum wc_err send_cmd(struct wc_mgmt *m, uint16_t opcode,
			    uint16_t index, const void *params, size_t plen)
{
	uint8_t *pkt = malloc(WC_MGMT_HDR_LEN + plen);
	size_t n;
	ssize_t w;
	int err;

	if (!pkt) {
		errno = ENOMEM;
		return WC_E_IO;
	}
	n = wc_mgmt_build(pkt, WC_MGMT_HDR_LEN + plen, opcode, index, params,
			  plen);
	/* send(): a peer that went away is an error, not a SIGPIPE */
	do
		w = send(m->fd, pkt, n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	err = errno;
	free(pkt);
	/* The kernel answers a refused command (Permission Denied, for one)
	 * with a Command Status on the socket and a write() of 0: the answer
	 * says what happened, so only an error is a failure here. */
	if (w < 0) {
		errno = err;
		return WC_E_IO;
	}
	return WC_OK;
}

enum wc_err wc_mgmt_cmd(struct wc_mgmt *m, uint16_t opcode, uint16_t index,
			const void *params, size_t plen, void *rsp,
			size_t rsplen, size_t *rsp_got, uint8_t *status,
			uint64_t deadline_ms, wc_mgmt_event_cb event_cb,
			void *user)
{
	enum wc_err rc;

	if (!m || plen > 0xFFFF || (plen && !params) || (rsplen && !rsp))
		return WC_E_ARG;
	if (rsp_got)
		*rsp_got = 0;
	rc = send_cmd(m, opcode, index, params, plen);
	if (rc != WC_OK)
		return rc;
	for (;;) {
		struct wc_mgmt_hdr h;
		struct wc_mgmt_reply r;
		const uint8_t *p;
		bool got, intr;

		rc = read_step(m, deadline_ms, &got, &intr, &h, &p);
		if (rc != WC_OK)
			return rc;
		if (got && h.index == index &&
		    wc_mgmt_parse_reply(h.code, p, h.len, &r) == WC_OK &&
		    r.opcode == opcode) {
			size_t k = r.rlen < rsplen ? r.rlen : rsplen;

			if (k)
				memcpy(rsp, r.rparam, k);
			if (rsp_got)
				*rsp_got = k;
			if (status)
				*status = r.status;
			return WC_OK;
		}
		if (got && event_cb)
			(void)event_cb(user, &h, p);
		if (wc_ms_left(deadline_ms) == 0)
			return WC_E_TIMEOUT;
	}
}

enum wc_err wc_mgmt_wait_events(struct wc_mgmt *m, uint64_t deadline_ms,
				wc_mgmt_event_cb event_cb, void *user)
{
	if (!m)
		return WC_E_ARG;
	for (;;) {
		struct wc_mgmt_hdr h;
		const uint8_t *p;
		bool got, intr;
		enum wc_err rc = read_step(m, deadline_ms, &got, &intr, &h, &p);

		if (rc != WC_OK)
			return rc;
		if (intr)
			return WC_OK;
		if (got && event_cb && !event_cb(user, &h, p))
			return WC_OK;
		if (wc_ms_left(deadline_ms) == 0)
			return WC_OK;
	}
}

/* ---- finding the controller ---- */

static enum wc_err ask_failed(enum wc_err rc, const char *what,
			      struct wc_diag *d, char *msg, size_t msglen)
{
	int err = errno;

	if (rc == WC_E_TIMEOUT) {
		msgf(msg, msglen,
		     "the kernel did not answer %s in time: retry", what);
		return wc_fail(d, WC_E_TIMEOUT, 0, 0);
	}
	msgf(msg, msglen, "%s failed: %s", what,
	     rc == WC_E_IO ? strerror(err) : wc_strerror(rc));
	return wc_fail(d, rc == WC_E_ARG ? WC_E_ARG : WC_E_IO,
		       (uint32_t)err, 0);
}

/* Read Controller Information for index into *c; *status the answer's. */
static enum wc_err read_info(struct wc_mgmt *m, uint16_t index,
			     uint64_t deadline_ms, struct wc_mgmt_ctrl *c,
			     uint8_t *status)
{
	uint8_t info[INFO_LEN];
	size_t got;
	enum wc_err rc;

	rc = wc_mgmt_cmd(m, WC_MGMT_OP_READ_INFO, index, NULL, 0, info,
			 sizeof(info), &got, status, deadline_ms, NULL, NULL);
	if (rc != WC_OK)
		return rc;
	if (*status == WC_MGMT_STATUS_SUCCESS && got < INFO_CURRENT_AT + 4) {
		*status = WC_MGMT_STATUS_FAILED; /* an answer cut short */
		return WC_OK;
	}
	if (*status != WC_MGMT_STATUS_SUCCESS)
		return WC_OK;
	c->index = index;
	addr_from_wire(info, c->bdaddr);
	c->settings = get_le32(info + INFO_CURRENT_AT);
	return WC_OK;
}

static bool usable(const struct wc_mgmt_ctrl *c)
{
	return (c->settings & WC_MGMT_SETTING_POWERED) &&
	       (c->settings & WC_MGMT_SETTING_LE);
}

static enum wc_err check_usable(const struct wc_mgmt_ctrl *c,
				struct wc_diag *d, char *msg, size_t msglen)
{
	if (!(c->settings & WC_MGMT_SETTING_POWERED)) {
		msgf(msg, msglen,
		     "adapter hci%u is powered off: power it on (bluetoothctl "
		     "power on, or btmgmt --index %u power on)",
		     (unsigned)c->index, (unsigned)c->index);
		return wc_fail(d, WC_E_NOBT, ENETDOWN, 0);
	}
	if (!(c->settings & WC_MGMT_SETTING_LE)) {
		msgf(msg, msglen,
		     "adapter hci%u has Low Energy switched off or cannot do "
		     "it: btmgmt --index %u le on, or use another adapter",
		     (unsigned)c->index, (unsigned)c->index);
		return wc_fail(d, WC_E_NOBT, EOPNOTSUPP, 0);
	}
	return WC_OK;
}

/* The controller indexes the kernel knows, at most MAX_INDEXES. */
static enum wc_err read_indexes(struct wc_mgmt *m, uint64_t deadline_ms,
				uint16_t *idx, size_t *n, struct wc_diag *d,
				char *msg, size_t msglen)
{
	uint8_t rsp[2 + 2 * MAX_INDEXES];
	size_t got, i, count;
	uint8_t status;
	enum wc_err rc;

	rc = wc_mgmt_cmd(m, WC_MGMT_OP_READ_INDEX_LIST, WC_MGMT_INDEX_NONE,
			 NULL, 0, rsp, sizeof(rsp), &got, &status,
			 deadline_ms, NULL, NULL);
	if (rc != WC_OK)
		return ask_failed(rc, "reading the adapter list", d, msg,
				  msglen);
	if (status != WC_MGMT_STATUS_SUCCESS || got < 2) {
		msgf(msg, msglen, "reading the adapter list failed: %s",
		     wc_mgmt_status_str(status));
		return wc_fail(d, WC_E_IO, status, 0);
	}
	count = get_le16(rsp);
	if (count > (got - 2) / 2)
		count = (got - 2) / 2; /* what was sent, at most MAX_INDEXES */
	for (i = 0; i < count; i++)
		idx[i] = get_le16(rsp + 2 + 2 * i);
	*n = count;
	return WC_OK;
}

static enum wc_err index_by_name(struct wc_mgmt *m, int id,
				 uint64_t deadline_ms, struct wc_mgmt_ctrl *out,
				 struct wc_diag *d, char *msg, size_t msglen)
{
	uint8_t status;
	enum wc_err rc;

	if (id >= (int)WC_MGMT_INDEX_NONE) {
		msgf(msg, msglen, "no adapter hci%d", id);
		return wc_fail(d, WC_E_NOBT, ENODEV, 0);
	}
	rc = read_info(m, (uint16_t)id, deadline_ms, out, &status);
	if (rc != WC_OK)
		return ask_failed(rc, "reading the adapter's information", d,
				  msg, msglen);
	if (status == WC_MGMT_STATUS_INVALID_INDEX) {
		msgf(msg, msglen,
		     "no adapter hci%d: check `bluetoothctl list` or "
		     "`btmgmt info`", id);
		return wc_fail(d, WC_E_NOBT, ENODEV, 0);
	}
	if (status != WC_MGMT_STATUS_SUCCESS) {
		msgf(msg, msglen, "reading adapter hci%d's information "
		     "failed: %s", id, wc_mgmt_status_str(status));
		return wc_fail(d, WC_E_IO, status, 0);
	}
	return check_usable(out, d, msg, msglen);
}

enum wc_err wc_mgmt_index_of(struct wc_mgmt *m, const char *adapter,
			     uint64_t deadline_ms, struct wc_mgmt_ctrl *out,
			     struct wc_diag *d, char *msg, size_t msglen)
{
	uint16_t idx[MAX_INDEXES];
	struct wc_mgmt_ctrl c, first_seen;
	bool by_addr = false, seen = false;
	uint8_t want[6], status;
	size_t n = 0, i;
	enum wc_err rc;
	int id;

	if (!m || !out)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (adapter && wc_hci_parse_name(adapter, &id))
		return index_by_name(m, id, deadline_ms, out, d, msg, msglen);
	if (adapter && !wc_bdaddr_parse(adapter, want)) {
		msgf(msg, msglen,
		     "bad adapter \"%s\": expected hciN (e.g. hci0) or the "
		     "adapter's address like 00:1A:7D:DA:71:13", adapter);
		return wc_fail(d, WC_E_ARG, 0, 0);
	}
	by_addr = adapter != NULL;
	rc = read_indexes(m, deadline_ms, idx, &n, d, msg, msglen);
	if (rc != WC_OK)
		return rc;
	memset(&first_seen, 0, sizeof(first_seen));
	for (i = 0; i < n; i++) {
		rc = read_info(m, idx[i], deadline_ms, &c, &status);
		if (rc != WC_OK)
			return ask_failed(rc, "reading an adapter's "
					  "information", d, msg, msglen);
		if (status != WC_MGMT_STATUS_SUCCESS)
			continue; /* gone meanwhile, or not configured */
		if (by_addr && memcmp(c.bdaddr, want, 6) != 0)
			continue;
		if (by_addr || usable(&c)) {
			*out = c;
			return check_usable(out, d, msg, msglen);
		}
		if (!seen)
			first_seen = c;
		seen = true;
	}
	if (by_addr) {
		msgf(msg, msglen,
		     "no adapter with address %s: check `bluetoothctl list`",
		     adapter);
		return wc_fail(d, WC_E_NOBT, ENODEV, 0);
	}
	if (seen)
		return check_usable(&first_seen, d, msg, msglen);
	msgf(msg, msglen,
	     "no Bluetooth adapter: plug one in (the kernel lists none)");
	return wc_fail(d, WC_E_NOBT, ENODEV, 0);
}
