/* HCI helpers on a raw HCI socket, without libbluetooth (see hci.h).
 *
 * Written from the kernel's socket interface and the Bluetooth Core spec,
 * Vol 4 Part E: a command packet is 0x01, opcode (OGF << 10 | OCF) little-
 * endian, parameter length, parameters (§5.4.1); an event packet is 0x04,
 * event code, parameter length, parameters (§5.4.4).  Command Complete
 * (0x0E, §7.7.14) carries Num_HCI_Command_Packets, Command_Opcode, then the
 * command's return parameters; Command Status (0x0F, §7.7.15) carries
 * Status, Num_HCI_Command_Packets, Command_Opcode. */
#include "hci.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>

#include "bytes.h"
#include "clock.h"
#include "link.h"

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

size_t wc_hci_cmd_read_rssi(uint8_t *buf, size_t buflen, uint16_t handle)
{
	uint8_t param[2];

	put_le16(param, handle);
	return wc_hci_cmd_build(buf, buflen, WC_HCI_OP_READ_RSSI, param,
				sizeof(param));
}

size_t wc_hci_cmd_le_scan_params(uint8_t *buf, size_t buflen, uint8_t type,
				 uint16_t interval, uint16_t window,
				 uint8_t own_addr_type, uint8_t filter_policy)
{
	uint8_t param[7];

	param[0] = type;
	put_le16(param + 1, interval);
	put_le16(param + 3, window);
	param[5] = own_addr_type;
	param[6] = filter_policy;
	return wc_hci_cmd_build(buf, buflen, WC_HCI_OP_LE_SET_SCAN_PARAMS,
				param, sizeof(param));
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

bool wc_hci_dev_is_up(const struct hci_dev_info *di)
{
	return di && (di->flags >> HCI_UP & 1u) != 0;
}

/* ---- adapters ---- */

static int ctl_socket(void)
{
	return socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
}

static void close_keep_errno(int fd)
{
	int err = errno;

	close(fd);
	errno = err;
}

/* HCI_DEV_NONE (0xFFFF) would bind to no adapter at all. */
static bool dev_id_ok(int dev_id)
{
	return dev_id >= 0 && dev_id < HCI_DEV_NONE;
}

int wc_hci_open(int dev_id)
{
	struct sockaddr_hci a;
	int fd;

	if (!dev_id_ok(dev_id)) {
		errno = ENODEV;
		return -1;
	}
	fd = ctl_socket();
	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.hci_family = AF_BLUETOOTH;
	a.hci_dev = (unsigned short)dev_id;
	a.hci_channel = HCI_CHANNEL_RAW;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close_keep_errno(fd);
		return -1;
	}
	return fd;
}

void wc_hci_close(int fd)
{
	if (fd >= 0)
		close_keep_errno(fd);
}

/* HCIGETDEVLIST reads dev_num (room for that many entries) and writes back
 * how many it filled.  The union gives the flexible array its room. */
union dev_list {
	struct hci_dev_list_req req;
	unsigned char room[sizeof(struct hci_dev_list_req) +
			   HCI_MAX_DEV * sizeof(struct hci_dev_req)];
};

/* The first adapter that is up and, when want is not NULL, has that
 * address.  The kernel lists at most HCI_MAX_DEV adapters here. */
static int find_up(const bdaddr_t *want)
{
	union dev_list u;
	struct hci_dev_info di;
	int ctl, id = -1;
	unsigned i, n;

	ctl = ctl_socket();
	if (ctl < 0)
		return -1;
	memset(&u, 0, sizeof(u));
	u.req.dev_num = HCI_MAX_DEV;
	if (ioctl(ctl, HCIGETDEVLIST, &u) < 0) {
		close_keep_errno(ctl);
		return -1;
	}
	n = u.req.dev_num < HCI_MAX_DEV ? u.req.dev_num : HCI_MAX_DEV;
	for (i = 0; i < n && id < 0; i++) {
		const struct hci_dev_req *dr = &u.req.dev_req[i];

		if (!(dr->dev_opt >> HCI_UP & 1u))
			continue;
		if (!want) {
			id = dr->dev_id;
			break;
		}
		memset(&di, 0, sizeof(di));
		di.dev_id = dr->dev_id;
		if (ioctl(ctl, HCIGETDEVINFO, &di) < 0)
			continue; /* went away since the list was taken */
		if (bacmp(&di.bdaddr, want) == 0)
			id = dr->dev_id;
	}
	close(ctl);
	if (id < 0) {
		errno = ENODEV;
		return -1;
	}
	return id;
}

int wc_hci_route(void)
{
	return find_up(NULL);
}

int wc_hci_devid_by_addr(const uint8_t addr[6])
{
	bdaddr_t ba;
	int i;

	if (!addr) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < 6; i++)
		ba.b[i] = addr[5 - i]; /* bdaddr_t is least significant first */
	return find_up(&ba);
}

int wc_hci_devid(const char *name_or_addr)
{
	struct hci_dev_info di;
	uint8_t ba[6];
	int id;

	if (name_or_addr && wc_hci_parse_name(name_or_addr, &id)) {
		if (wc_hci_devinfo(id, &di) < 0)
			return -1;
		return id;
	}
	if (name_or_addr && wc_bdaddr_parse(name_or_addr, ba))
		return wc_hci_devid_by_addr(ba);
	errno = EINVAL;
	return -1;
}

int wc_hci_devinfo(int dev_id, struct hci_dev_info *di)
{
	int ctl, rc;

	if (!di) {
		errno = EINVAL;
		return -1;
	}
	if (!dev_id_ok(dev_id)) {
		errno = ENODEV;
		return -1;
	}
	ctl = ctl_socket();
	if (ctl < 0)
		return -1;
	memset(di, 0, sizeof(*di));
	di->dev_id = (uint16_t)dev_id;
	rc = ioctl(ctl, HCIGETDEVINFO, di);
	close_keep_errno(ctl);
	return rc < 0 ? -1 : 0;
}

/* ---- commands ---- */

/* One command packet, whole (a raw HCI socket takes a packet per write). */
static int send_pkt(int fd, const uint8_t *pkt, size_t n,
		    uint64_t deadline_ms)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t w = write(fd, pkt, n);
		int pr;

		if (w == (ssize_t)n)
			return 0;
		if (w >= 0) {
			errno = EIO; /* a packet goes whole or not at all */
			return -1;
		}
		if (errno != EINTR && errno != EAGAIN)
			return -1;
		if (wc_ms_left(deadline_ms) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno == EINTR)
			continue;
		pr = poll(&p, 1, wc_ms_left(deadline_ms));
		if (pr < 0 && errno != EINTR)
			return -1;
	}
}

int wc_hci_wait_reply(int fd, uint16_t opcode, uint8_t *rbuf,
		      size_t rbuf_len, struct wc_hci_reply *r,
		      uint64_t deadline_ms)
{
	uint8_t buf[WC_HCI_MAX_PKT];

	if (fd < 0) {
		errno = EBADF; /* poll() would silently skip it */
		return -1;
	}
	if (!r || (rbuf_len > 0 && !rbuf)) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct wc_hci_reply got;
		size_t keep;
		ssize_t n;
		int pr = poll(&p, 1, wc_ms_left(deadline_ms));

		if (pr == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (pr > 0 && (p.revents & POLLNVAL)) {
			errno = EBADF;
			return -1;
		}
		n = pr > 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (n == 0 && (p.revents & POLLHUP)) {
			errno = EPIPE; /* the socket was shut down */
			return -1;
		}
		if (n >= 0) {
			enum wc_hci_evt e = wc_hci_evt_match(buf, (size_t)n,
							     opcode, &got);

			if (e == WC_HCI_EVT_COMPLETE ||
			    e == WC_HCI_EVT_STATUS) {
				keep = got.rlen < rbuf_len ? got.rlen :
							     rbuf_len;
				if (keep > 0)
					memcpy(rbuf, got.rparam, keep);
				r->event = got.event;
				r->status = got.status;
				r->rparam = keep > 0 ? rbuf : NULL;
				r->rlen = keep;
				return 0;
			}
		}
		/* Not ours, or interrupted.  A socket that never stops being
		 * readable must not hold us past the deadline, and poll()
		 * alone would not notice. */
		if (wc_ms_left(deadline_ms) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

int wc_hci_request(int fd, const uint8_t *pkt, size_t n, uint8_t *rbuf,
		   size_t rbuf_len, struct wc_hci_reply *r, int timeout_ms)
{
	static const uint8_t answers[] = { WC_HCI_EVT_CMD_COMPLETE,
					   WC_HCI_EVT_CMD_STATUS };
	uint64_t deadline = wc_deadline_in(timeout_ms);
	struct hci_filter old_f, new_f;
	socklen_t olen = sizeof(old_f);
	uint16_t opcode;
	int rc, err;

	if (!r || (rbuf_len > 0 && !rbuf) || !pkt || n < 4 ||
	    pkt[0] != WC_HCI_PKT_COMMAND || n != 4u + pkt[3]) {
		errno = EINVAL;
		return -1;
	}
	opcode = get_le16(pkt + 1);
	/* Same dance as the scan in ble.c: save, narrow, restore. */
	if (getsockopt(fd, SOL_HCI, HCI_FILTER, &old_f, &olen) < 0)
		return -1;
	wc_hci_filter_events(&new_f, answers, sizeof(answers), opcode);
	if (setsockopt(fd, SOL_HCI, HCI_FILTER, &new_f, sizeof(new_f)) < 0)
		return -1;

	rc = send_pkt(fd, pkt, n, deadline);
	if (rc == 0)
		rc = wc_hci_wait_reply(fd, opcode, rbuf, rbuf_len, r, deadline);
	err = errno;

	if (setsockopt(fd, SOL_HCI, HCI_FILTER, &old_f, sizeof(old_f)) < 0 &&
	    rc == 0) {
		rc = -1;
		err = errno;
	}
	if (rc < 0)
		errno = err;
	return rc;
}

/* The controller answered: 0 when it did with success and at least need
 * bytes of return parameters.  *hci_status (may be NULL) gets its status. */
static int reply_ok(const struct wc_hci_reply *r, size_t need,
		    uint8_t *hci_status)
{
	if (hci_status)
		*hci_status = r->status;
	if (r->status != 0) {
		errno = EIO;
		return -1;
	}
	/* a successful Command Status would mean "the answer comes later",
	 * which none of these commands does */
	if (r->event != WC_HCI_EVT_CMD_COMPLETE || r->rlen < need) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int wc_hci_read_rssi(int fd, uint16_t handle, int8_t *rssi,
		     uint8_t *hci_status, int timeout_ms)
{
	uint8_t pkt[WC_HCI_MAX_PKT], rp[4];
	struct wc_hci_reply r;
	size_t n;

	if (!rssi) {
		errno = EINVAL;
		return -1;
	}
	n = wc_hci_cmd_read_rssi(pkt, sizeof(pkt), handle);
	if (wc_hci_request(fd, pkt, n, rp, sizeof(rp), &r, timeout_ms) < 0)
		return -1;
	if (reply_ok(&r, sizeof(rp), hci_status) < 0)
		return -1;
	/* Status, Connection_Handle (12 bits used), RSSI (signed, dBm) */
	if ((get_le16(rp + 1) & 0x0FFFu) != (handle & 0x0FFFu)) {
		errno = EBADMSG;
		return -1;
	}
	*rssi = (int8_t)(rp[3] < 0x80 ? rp[3] : rp[3] - 0x100);
	return 0;
}

/* A command whose only return parameter is its status. */
static int status_cmd(int fd, const uint8_t *pkt, size_t n,
		      uint8_t *hci_status, int timeout_ms)
{
	uint8_t rp[1];
	struct wc_hci_reply r;

	if (wc_hci_request(fd, pkt, n, rp, sizeof(rp), &r, timeout_ms) < 0)
		return -1;
	return reply_ok(&r, sizeof(rp), hci_status);
}

int wc_hci_le_set_scan_params(int fd, uint8_t type, uint16_t interval,
			      uint16_t window, uint8_t own_addr_type,
			      uint8_t filter_policy, uint8_t *hci_status,
			      int timeout_ms)
{
	uint8_t pkt[WC_HCI_MAX_PKT];
	size_t n = wc_hci_cmd_le_scan_params(pkt, sizeof(pkt), type, interval,
					     window, own_addr_type,
					     filter_policy);

	return status_cmd(fd, pkt, n, hci_status, timeout_ms);
}

int wc_hci_le_set_scan_enable(int fd, bool enable, bool filter_dup,
			      uint8_t *hci_status, int timeout_ms)
{
	uint8_t pkt[WC_HCI_MAX_PKT];
	size_t n = wc_hci_cmd_le_scan_enable(pkt, sizeof(pkt), enable,
					     filter_dup);

	return status_cmd(fd, pkt, n, hci_status, timeout_ms);
}
