/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The BLE transport and LE scanning, on BlueZ's libbluetooth and the
 * kernel's sockets.  Adapter lookups and RSSI are libbluetooth calls;
 * scanning is a discovery through the kernel's management interface
 * (mgmt.c), beside bluetoothd's, with raw HCI scanning (hci_raw.c) only for a
 * kernel without it.  The connect follows BlueZ's l2cap_le_att_connect
 * (an L2CAP LE socket on the ATT fixed channel, CID 4, security low, no
 * pairing) but is non-blocking and bounded by the caller's deadline
 * (doc/DESIGN.md, "Transports"). */
#include "ble.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <bluetooth/l2cap.h>

#include "clock.h"
#include "ble_mgmt.h"
#include "hci_raw.h"
#include "link_priv.h"
#include "linkcause.h"
#include "mgmt.h"
#include "msgbuf.h"

#define ATT_CID 4
#define BLE_EBUSY_RETRY_MS 100
/* connect_type's own outcomes, beside errno values (all positive) */
#define BLE_E_TURN (-1)         /* other batteries had the adapter */
#define BLE_E_ADAPTER_BUSY (-2) /* another program's connect, until the end */
#define BLE_HCI_CMD_TIMEOUT_MS 1000
/* the kernel drops an idle LE link ~2 s after its last socket closes */
#define BLE_LINK_GONE_MS 3000
#define BLE_LINK_GONE_STEP_MS 10
#define BLE_LE_LINK 0x80 /* the kernel's LE_LINK, for HCIGETCONNINFO */

/* One lock per adapter id (hashed) serialises LE connection attempts.
 *
 * Why a process-wide mutex: a controller runs one LE Create Connection at a
 * time, and a second connect() on the same adapter fails with EBUSY or
 * queues behind the first, depending on the kernel (doc/DESIGN.md, "Links and adapters"; "BLE
 * realities").  collectd runs each battery's read in its own thread of ONE
 * process, so a mutex covers the common case: our own batteries take turns
 * instead of knocking each other off.  It cannot see other processes
 * (bluetoothd, another gateway), which is why an EBUSY for another
 * program's connect attempt is still retried until the deadline (one for a
 * battery another program holds is not: connect_type).  A kept link (KeepConnected) holds the lock for the connect
 * only.  A session link (a poll that connects, polls and hangs up) holds it
 * from the connect until the link is gone, so polls through one adapter
 * never overlap each other or a connect: BlueZ's emulated controllers
 * (btvirt) pass no data on a second simultaneous LE link, and small real
 * controllers hold few links.  Hashing ids beyond 16 onto the same lock
 * only over-serialises. */
#define ADAPTER_LOCKS 16
#define LOCK_INIT PTHREAD_MUTEX_INITIALIZER
static pthread_mutex_t adapter_locks[ADAPTER_LOCKS] = {
	LOCK_INIT, LOCK_INIT, LOCK_INIT, LOCK_INIT, LOCK_INIT, LOCK_INIT,
	LOCK_INIT, LOCK_INIT, LOCK_INIT, LOCK_INIT, LOCK_INIT, LOCK_INIT,
	LOCK_INIT, LOCK_INIT, LOCK_INIT, LOCK_INIT,
};

struct ble_link {
	struct wc_link link; /* first: the link is freed through it */
	int dev_id;          /* adapter, for the RSSI query */
	uint8_t bdaddr[6];   /* the peer, display order, for mgmt */
	uint8_t type;        /* its address type (mgmt's numbering) */
	struct wc_ble_watch *watch; /* its Device Disconnected, or NULL */
	bool has_handle;
	uint16_t handle;     /* HCI connection handle, from L2CAP_CONNINFO */
	bdaddr_t dst;        /* the peer, to see the link gone */
	pthread_mutex_t *held; /* the adapter's lock, held until the link goes */
};

static const char perm_hint[] =
	"run as root or grant CAP_NET_ADMIN/CAP_NET_RAW";

static bool no_bt_errno(int err)
{
	return err == EAFNOSUPPORT || err == EPROTONOSUPPORT ||
	       err == ESOCKTNOSUPPORT;
}

/* Fails fast, with the sentence, when the kernel has no AF_BLUETOOTH. */
static enum wc_err probe_bluetooth(struct wc_diag *d, char *msg,
				   size_t msglen)
{
	int fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET | SOCK_CLOEXEC,
			BTPROTO_L2CAP);
	int err = errno;

	if (fd >= 0) {
		close(fd);
		return WC_OK;
	}
	if (no_bt_errno(err)) {
		wc_msgf(msg, msglen,
			    "this kernel has no Bluetooth support "
			    "(socket(AF_BLUETOOTH) failed: %s); use a "
			    "unix:/path simulator address or a host with "
			    "Bluetooth", strerror(err));
		return wc_fail(d, WC_E_NOBT, (uint32_t)err, 0);
	}
	if (err == EACCES || err == EPERM) {
		wc_msgf(msg, msglen,
			    "permission denied opening a Bluetooth socket: %s",
			    perm_hint);
		return wc_fail(d, WC_E_IO, (uint32_t)err, 0);
	}
	wc_msgf(msg, msglen, "socket(AF_BLUETOOTH) failed: %s",
		    strerror(err));
	return wc_fail(d, WC_E_IO, (uint32_t)err, 0);
}

/* Adapter string (or NULL) to an adapter id that is up, and its address. */
static enum wc_err resolve_adapter(const char *adapter, int *dev_id,
				   bdaddr_t *src, char *name, size_t namelen,
				   struct wc_diag *d, char *msg, size_t msglen)
{
	struct hci_dev_info di;
	uint8_t ba[6];
	int id, err;

	if (!adapter) {
		id = hci_get_route(NULL);
		if (id < 0) {
			err = errno;
			wc_msgf(msg, msglen,
				    "no Bluetooth adapter is up: plug one in "
				    "or power it on (bluetoothctl power on)");
			return wc_fail(d, WC_E_NOBT, (uint32_t)err, 0);
		}
	} else if (wc_hci_parse_name(adapter, &id)) {
		/* checked below */
	} else if (wc_bdaddr_parse(adapter, ba)) {
		/* the adapter that is up with that address */
		id = hci_devid(adapter);
		if (id < 0) {
			wc_msgf(msg, msglen,
				    "no adapter with address %s is up: check "
				    "`bluetoothctl list` and power it on",
				    adapter);
			return wc_fail(d, WC_E_NOBT, ENODEV, 0);
		}
	} else {
		wc_msgf(msg, msglen,
			    "bad adapter \"%s\": expected hciN (e.g. hci0) or "
			    "the adapter's address like 00:1A:7D:DA:71:13",
			    adapter);
		return wc_fail(d, WC_E_ARG, 0, 0);
	}
	snprintf(name, namelen, "hci%d", id);
	memset(&di, 0, sizeof(di));
	if (hci_devinfo(id, &di) < 0) {
		err = errno;
		if (err == EACCES || err == EPERM) {
			wc_msgf(msg, msglen,
				    "permission denied opening %s: %s", name,
				    perm_hint);
			return wc_fail(d, WC_E_IO, (uint32_t)err, 0);
		}
		wc_msgf(msg, msglen, "no adapter %s (%s)", name,
			    strerror(err));
		return wc_fail(d, WC_E_NOBT, (uint32_t)err, 0);
	}
	if (!hci_test_bit(HCI_UP, &di.flags)) {
		wc_msgf(msg, msglen,
			    "adapter %s is down: power it on (bluetoothctl "
			    "power on, or hciconfig %s up)", name, name);
		return wc_fail(d, WC_E_NOBT, ENETDOWN, 0);
	}
	*dev_id = id;
	bacpy(src, &di.bdaddr);
	return WC_OK;
}

static void to_timespec(uint64_t ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ms / 1000u);
	ts->tv_nsec = (long)(ms % 1000u) * 1000000L;
}

/* One connect attempt; returns 0 and *out_fd, or an errno value. */
static int try_connect(const bdaddr_t *src, const bdaddr_t *dst,
		       uint8_t dst_type, uint64_t deadline_ms, int *out_fd)
{
	struct sockaddr_l2 sa;
	struct bt_security sec;
	struct pollfd p;
	socklen_t sl;
	int fd, err = 0;

	fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    BTPROTO_L2CAP);
	if (fd < 0)
		return errno;

	memset(&sa, 0, sizeof(sa));
	sa.l2_family = AF_BLUETOOTH;
	sa.l2_cid = htobs(ATT_CID);
	sa.l2_bdaddr_type = BDADDR_LE_PUBLIC;
	bacpy(&sa.l2_bdaddr, src);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;

	/* no pairing, no bonding: the battery has no keys (doc/PROTOCOL.md §2.2) */
	memset(&sec, 0, sizeof(sec));
	sec.level = BT_SECURITY_LOW;
	if (setsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec, sizeof(sec)) < 0)
		goto fail;

	memset(&sa, 0, sizeof(sa));
	sa.l2_family = AF_BLUETOOTH;
	sa.l2_cid = htobs(ATT_CID);
	sa.l2_bdaddr_type = dst_type;
	bacpy(&sa.l2_bdaddr, dst);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		*out_fd = fd;
		return 0;
	}
	if (errno != EINPROGRESS && errno != EAGAIN)
		goto fail;

	p.fd = fd;
	p.events = POLLOUT;
	for (;;) {
		int n = poll(&p, 1, wc_ms_left(deadline_ms));

		if (n > 0)
			break;
		if (n == 0) {
			/* closing the socket cancels LE Create Connection */
			close(fd);
			return ETIMEDOUT;
		}
		if (errno != EINTR)
			goto fail;
	}
	sl = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
		goto fail;
	if (err != 0) {
		close(fd);
		return err;
	}
	*out_fd = fd;
	return 0;

fail:
	err = errno;
	close(fd);
	return err;
}

/* Whether the kernel has an LE link to dst on the adapter: somebody on
 * this host (bluetoothd, bluetoothctl connect, another gateway) holds it. */
static bool link_exists(int dev_id, const bdaddr_t *dst)
{
	struct {
		struct hci_conn_info_req r;
		struct hci_conn_info i;
	} q;
	int dd = hci_open_dev(dev_id);
	bool found;

	if (dd < 0)
		return false;
	memset(&q, 0, sizeof(q));
	bacpy(&q.r.bdaddr, dst);
	q.r.type = BLE_LE_LINK;
	found = ioctl(dd, HCIGETCONNINFO, &q) == 0;
	hci_close_dev(dd);
	return found;
}

/* Attempts for one address type until the deadline, taking turns on the
 * adapter.  0 or an errno value; BLE_E_TURN when the deadline passed
 * while another battery of this process had the adapter.
 *
 * EBUSY has two causes.  The battery's ATT channel is held by another
 * program on this host (bluetoothd, `bluetoothctl connect`): the kernel
 * then has a link to it, and waiting would only burn the poll, so that is
 * the answer at once.  Or another program's connect attempt occupies the
 * adapter (the kernel runs one LE connect at a time): that passes, so it
 * is retried every 100 ms until the deadline. */
static int connect_type(int dev_id, const bdaddr_t *src, const bdaddr_t *dst,
			uint8_t dst_type, bool session, uint64_t deadline_ms,
			int *out_fd)
{
	pthread_mutex_t *lock = &adapter_locks[(unsigned)dev_id % ADAPTER_LOCKS];
	struct timespec abs;
	int err, rc;

	for (;;) {
		to_timespec(deadline_ms, &abs);
		rc = pthread_mutex_clocklock(lock, CLOCK_MONOTONIC, &abs);
		/* Out of time waiting for another battery's poll on this
		 * adapter: "busy", not "the battery did not answer". */
		if (rc != 0)
			return rc == ETIMEDOUT ? BLE_E_TURN : rc;
		err = try_connect(src, dst, dst_type, deadline_ms, out_fd);
		if (err == 0 && session)
			return 0; /* held until ble_free() sees the link gone */
		pthread_mutex_unlock(lock);
		if (err != EBUSY)
			return err;
		if (link_exists(dev_id, dst))
			return EBUSY; /* held by another program: no retry */
		if (wc_ms_left(deadline_ms) == 0)
			return BLE_E_ADAPTER_BUSY;
		poll(NULL, 0,
		     wc_ms_left(deadline_ms) < BLE_EBUSY_RETRY_MS ?
			     wc_ms_left(deadline_ms) : BLE_EBUSY_RETRY_MS);
	}
}

/* The kernel's Get Connection Information first (it may answer from a
 * recent reading, and reads RSSI and TX power itself otherwise); HCI Read
 * RSSI when that gives none.  Both within deadline_ms. */
static int ble_rssi(struct wc_link *l, int8_t *rssi, uint64_t deadline_ms)
{
	struct ble_link *b = (struct ble_link *)(void *)l;
	int left;
	int8_t v;
	int dd, rc;

	if (wc_ms_left(deadline_ms) == 0)
		return -1;
	if (wc_ble_mgmt_rssi((uint16_t)b->dev_id, b->bdaddr, b->type, rssi,
			     deadline_ms) == 0)
		return 0;
	left = wc_ms_left(deadline_ms);
	if (!b->has_handle || left == 0)
		return -1;
	dd = hci_open_dev(b->dev_id);
	if (dd < 0)
		return -1;
	/* HCI Read RSSI: needs CAP_NET_RAW on most kernels; refused means
	 * unknown */
	rc = hci_read_rssi(dd, b->handle, &v, left);
	hci_close_dev(dd);
	if (rc < 0)
		return -1;
	*rssi = v;
	return 0;
}

/* After close(fd): hang the link up (HCI Disconnect, bounded; refused
 * without CAP_NET_RAW, then the kernel's idle timer drops it) and wait,
 * bounded, until the kernel has no link to the peer; then the adapter is
 * free for the next battery. */
static void release_session(struct ble_link *b)
{
	struct {
		struct hci_conn_info_req r;
		struct hci_conn_info i;
	} q;
	uint64_t until = wc_deadline_in(BLE_LINK_GONE_MS);
	int dd = hci_open_dev(b->dev_id);

	if (dd >= 0) {
		if (b->has_handle)
			(void)hci_disconnect(dd, b->handle,
					     HCI_OE_USER_ENDED_CONNECTION,
					     BLE_HCI_CMD_TIMEOUT_MS);
		for (;;) {
			memset(&q, 0, sizeof(q));
			bacpy(&q.r.bdaddr, &b->dst);
			q.r.type = BLE_LE_LINK;
			if (ioctl(dd, HCIGETCONNINFO, &q) < 0 ||
			    wc_ms_left(until) == 0)
				break;
			poll(NULL, 0, BLE_LINK_GONE_STEP_MS);
		}
		hci_close_dev(dd);
	}
	pthread_mutex_unlock(b->held);
}

/* Why the link went, from the kernel's Device Disconnected (what is
 * queued; the event comes before the socket fails): its sentence, or
 * NULL when there is none (the caller has the errno). */
static const char *ble_cause(struct wc_link *l)
{
	struct ble_link *b = (struct ble_link *)(void *)l;
	uint8_t reason;

	if (!wc_ble_watch_reason(b->watch, wc_now_ms(), &reason) || reason == 0)
		return NULL;
	return wc_linkcause_mgmt_reason(reason);
}

static void ble_free(struct wc_link *l)
{
	struct ble_link *b = (struct ble_link *)(void *)l;

	wc_ble_watch_free(b->watch);
	if (b->held)
		release_session(b);
	free(l);
}

static const struct wc_link_ops ble_ops = {
	.kind = "ble",
	.rssi = ble_rssi,
	.cause = ble_cause,
	.free = ble_free,
};

/* One sentence: where (battery, address type, adapter) and why, in
 * linkcause.c's words. */
static enum wc_err connect_fail(int err, const char *addr, const char *hci,
				enum wc_addr_type type, uint64_t elapsed_ms,
				struct wc_diag *d, char *msg, size_t msglen)
{
	const char *why;

	if (err == BLE_E_TURN) {
		wc_msgf(msg, msglen,
			    "adapter %s stayed busy with the polls of other "
			    "batteries until the deadline: lengthen Interval "
			    "and Timeout, or give batteries an adapter each",
			    hci);
		return wc_fail(d, WC_E_TIMEOUT, (uint32_t)elapsed_ms, 0);
	}
	if (err == BLE_E_ADAPTER_BUSY) {
		wc_msgf(msg, msglen,
			    "adapter %s stayed busy with another program's "
			    "connect attempt until the deadline (EBUSY): retry "
			    "later", hci);
		return wc_fail(d, WC_E_TIMEOUT, (uint32_t)elapsed_ms, 0);
	}
	why = wc_linkcause_errno(err, WC_PHASE_CONNECT);
	if (err == ETIMEDOUT) {
		wc_msgf(msg, msglen,
			    "connect to %s (%s address%s) via %s timed out: %s",
			    addr,
			    type == WC_ADDR_AUTO ? "random, then public" :
						   wc_addr_type_name(type),
			    type == WC_ADDR_AUTO ? " type" : "", hci, why);
		return wc_fail(d, WC_E_TIMEOUT, (uint32_t)elapsed_ms, 0);
	}
	if (why)
		wc_msgf(msg, msglen, "connect to %s via %s failed: %s", addr,
			    hci, why);
	else
		wc_msgf(msg, msglen, "connect to %s via %s failed: %s", addr,
			    hci, strerror(err));
	return wc_fail(d, WC_E_IO, (uint32_t)err, 0);
}

enum wc_err wc_ble_open(const struct wc_link_addr *a, const char *adapter,
			enum wc_addr_type type, bool session,
			uint32_t supervision_ms, uint64_t deadline_ms,
			struct wc_link **out, struct wc_diag *d, char *msg,
			size_t msglen)
{
	uint8_t types[2];
	size_t n_types = 0, i;
	uint64_t start = wc_now_ms();
	struct l2cap_conninfo ci;
	struct ble_link *b;
	bdaddr_t src, dst;
	char addr[18], hci[16];
	socklen_t sl;
	enum wc_err rc;
	int dev_id, fd = -1, err = ETIMEDOUT;

	rc = probe_bluetooth(d, msg, msglen);
	if (rc != WC_OK)
		return rc;
	rc = resolve_adapter(adapter, &dev_id, &src, hci, sizeof(hci), d, msg,
			     msglen);
	if (rc != WC_OK)
		return rc;

	wc_bdaddr_format(a->bdaddr, addr, sizeof(addr));
	for (i = 0; i < 6; i++)
		dst.b[i] = a->bdaddr[5 - i]; /* bdaddr_t is LSB first */

	switch (type) {
	case WC_ADDR_PUBLIC:
		types[n_types++] = BDADDR_LE_PUBLIC;
		break;
	case WC_ADDR_RANDOM:
		types[n_types++] = BDADDR_LE_RANDOM;
		break;
	case WC_ADDR_AUTO:
		/* random first: XDZN addresses are random static (§3.2) */
		types[n_types++] = BDADDR_LE_RANDOM;
		types[n_types++] = BDADDR_LE_PUBLIC;
		break;
	default:
		wc_msgf(msg, msglen, "bad address type %d", (int)type);
		return wc_fail(d, WC_E_ARG, 0, 0);
	}

	for (i = 0; i < n_types; i++) {
		/* A wrong address type just never connects, so each type
		 * gets an equal share of what is left; the last gets all. */
		uint64_t left = (uint64_t)wc_ms_left(deadline_ms);
		uint64_t until = i + 1 < n_types ?
					 wc_now_ms() + left / (n_types - i) :
					 deadline_ms;

		/* BDADDR_LE_PUBLIC/RANDOM are mgmt's numbers too */
		if (supervision_ms) {
			char why[192];

			if (wc_ble_mgmt_supervision((uint16_t)dev_id, a->bdaddr,
						    types[i], supervision_ms,
						    until, why,
						    sizeof(why)) != WC_OK) {
				wc_msgf(msg, msglen, "%s (connecting to %s "
					    "via %s)", why, addr, hci);
				return wc_fail(d, WC_E_IO, EPERM, 0);
			}
		}
		err = connect_type(dev_id, &src, &dst, types[i], session,
				   until, &fd);
		if (err == 0)
			break;
		if (!wc_linkcause_try_other_type(err))
			break; /* only "nobody answered" tries the next type */
	}
	if (err != 0)
		return connect_fail(err, addr, hci, type,
				    wc_now_ms() - start, d, msg, msglen);

	b = calloc(1, sizeof(*b));
	if (!b) {
		struct ble_link tmp = { .dev_id = dev_id, .dst = dst };

		close(fd);
		if (session) {
			tmp.held = &adapter_locks[(unsigned)dev_id %
						  ADAPTER_LOCKS];
			release_session(&tmp);
		}
		wc_msgf(msg, msglen, "out of memory");
		return wc_fail(d, WC_E_IO, ENOMEM, 0);
	}
	b->link.ops = &ble_ops;
	b->link.fd = fd;
	b->dev_id = dev_id;
	memcpy(b->bdaddr, a->bdaddr, sizeof(b->bdaddr));
	b->type = types[i];
	/* opened after the connect: a failed connect has its errno */
	b->watch = wc_ble_watch_new((uint16_t)dev_id, a->bdaddr);
	bacpy(&b->dst, &dst);
	if (session)
		b->held = &adapter_locks[(unsigned)dev_id % ADAPTER_LOCKS];
	memset(&ci, 0, sizeof(ci));
	sl = sizeof(ci);
	if (getsockopt(fd, SOL_L2CAP, L2CAP_CONNINFO, &ci, &sl) == 0) {
		b->has_handle = true;
		b->handle = ci.hci_handle;
	}
	*out = &b->link;
	wc_msgf(msg, msglen, "%s", "");
	return WC_OK;
}

char *wc_ble_adapter_name(const char *adapter, char *buf, size_t len)
{
	uint8_t ba[6];
	int id = -1;

	if (!buf || len == 0)
		return buf;
	if (adapter && wc_hci_parse_name(adapter, &id)) {
		/* as given */
	} else if (adapter && wc_bdaddr_parse(adapter, ba)) {
		id = hci_devid(adapter);
	} else if (!adapter) {
		id = hci_get_route(NULL);
	}
	if (id >= 0)
		snprintf(buf, len, "hci%d", id);
	else
		snprintf(buf, len, "%s", adapter ? adapter : "the default adapter");
	return buf;
}

/* ---- scanning ----
 *
 * Discovery goes through the kernel's management interface (mgmt.c), as
 * bluetoothd's does, so that the kernel arbitrates between the two: Start
 * Discovery for LE, the Device Found events (advertisement and scan
 * response in one), Stop Discovery at the end only if the discovery is
 * ours.  When another program is discovering already, the kernel answers
 * Busy: its discovery is listened to (every control socket with
 * CAP_NET_ADMIN gets the Device Found events) and left running.
 *
 * Beside the control socket, the adapter's raw HCI socket is read (never
 * written) for the advertising reports themselves: the kernel turns on the
 * controller's duplicate filter for a discovery and drops the reports that
 * come before it has marked the discovery running, so a device heard in
 * that first moment would not be reported again in the round (an emulated
 * controller reports each advertiser once, at that moment).  Without
 * CAP_NET_RAW there is no such socket, and the Device Found events alone
 * are used.
 *
 * Raw HCI scanning (hci_raw.c's wc_hci_scan) is only the fallback for a kernel
 * without the management interface. */

#define BLE_MGMT_CMD_MS 2000
/* events read after the deadline, before deciding whether to stop */
#define BLE_DRAIN_MAX 256

struct scan_state {
	struct wc_adv *devs;
	size_t n;
	uint16_t index;       /* the controller (mgmt) */
	char hci[16];         /* its name, for messages */
	int raw;              /* the adapter's raw HCI socket, reports only;
				 -1 without (no CAP_NET_RAW) */
	bool ours;            /* our discovery runs (no end seen since) */
	bool foreign;         /* listening to another program's discovery */
	bool restart;         /* ours ended before the deadline: start again */
	bool gone;            /* the adapter went away */
	bool interrupted;     /* a signal ended the scan */
	uint64_t start_ms;
	uint64_t foreign_end_ms; /* when the foreign discovery ended, or 0 */
	unsigned foreign_rounds; /* its (re)starts seen during the scan */
	unsigned events;      /* events seen, to know when a drain is done */
};

static void scan_collect(void *user, const struct wc_adv *adv)
{
	struct scan_state *s = user;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (memcmp(s->devs[i].bdaddr, adv->bdaddr, 6) == 0 &&
		    s->devs[i].addr_type == adv->addr_type) {
			wc_adv_merge(&s->devs[i], adv);
			return;
		}
	}
	if (s->n < WC_BLE_SCAN_MAX)
		s->devs[s->n++] = *adv;
}

/* The Discovering event: whose discovery ended or (re)started. */
static bool scan_discovering(struct scan_state *st, bool on)
{
	if (on) {
		if (st->foreign) {
			/* the other program started a new round */
			st->foreign_end_ms = 0;
			st->foreign_rounds++;
		}
		return true;
	}
	if (st->ours) {
		/* the kernel ends an LE discovery after about 10 s */
		st->ours = false;
		st->restart = true;
		return false;
	}
	if (st->foreign && !st->foreign_end_ms)
		st->foreign_end_ms = wc_now_ms();
	return true;
}

/* Every event from the control socket while scanning. */
static bool scan_event(void *user, const struct wc_mgmt_hdr *h,
		       const uint8_t *p)
{
	struct scan_state *st = user;
	struct wc_mgmt_discovering dv;
	struct wc_mgmt_found f;
	struct wc_adv adv;

	st->events++;
	if (h->index != st->index)
		return true;
	switch (h->code) {
	case WC_MGMT_EV_DEVICE_FOUND:
		if (wc_mgmt_parse_found(p, h->len, &f) == WC_OK &&
		    wc_mgmt_found_to_adv(&f, &adv))
			scan_collect(st, &adv);
		return true;
	case WC_MGMT_EV_DISCOVERING:
		if (wc_mgmt_parse_discovering(p, h->len, &dv) != WC_OK)
			return true;
		return scan_discovering(st, dv.discovering);
	case WC_MGMT_EV_INDEX_REMOVED:
		st->gone = true;
		return false;
	default:
		return true;
	}
}

/* The adapter's raw HCI socket passing LE Meta events only (nothing is
 * ever sent on it), opened before the discovery starts so that its first
 * reports are kept; -1 when it cannot be had. */
static int scan_raw_open(uint16_t index)
{
	static const uint8_t le_meta = EVT_LE_META_EVENT;
	struct hci_filter f;
	int dd = hci_open_dev(index);

	if (dd < 0)
		return -1;
	wc_hci_filter_events(&f, &le_meta, 1, 0);
	if (setsockopt(dd, SOL_HCI, HCI_FILTER, &f, sizeof(f)) < 0) {
		hci_close_dev(dd);
		return -1;
	}
	return dd;
}

/* One packet from the raw socket: its advertising reports, legacy or
 * extended.  A socket that fails is given up (Device Found remains). */
static void scan_raw_read(struct scan_state *st)
{
	uint8_t buf[WC_HCI_MAX_PKT];
	ssize_t n = read(st->raw, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		hci_close_dev(st->raw);
		st->raw = -1;
		return;
	}
	if (n >= 3 && buf[0] == WC_HCI_PKT_EVENT &&
	    buf[1] == EVT_LE_META_EVENT && (size_t)buf[2] + 3 <= (size_t)n)
		(void)wc_adv_parse_le_meta(buf + 3, buf[2], scan_collect, st,
					   NULL);
}

/* Open: the control socket and the controller.  WC_E_NOBT with *no_mgmt
 * set when the kernel has no management interface (raw HCI then). */
static enum wc_err scan_open(const char *adapter, struct wc_mgmt **m,
			     struct scan_state *st, bool *no_mgmt, char *msg,
			     size_t msglen)
{
	struct wc_mgmt_ctrl c;
	struct wc_diag d;
	enum wc_err rc;

	*no_mgmt = false;
	rc = probe_bluetooth(NULL, msg, msglen);
	if (rc != WC_OK)
		return rc;
	rc = wc_mgmt_open(m, &d, msg, msglen);
	if (rc != WC_OK) {
		*no_mgmt = rc == WC_E_NOBT;
		return rc;
	}
	rc = wc_mgmt_index_of(*m, adapter, wc_deadline_in(BLE_MGMT_CMD_MS),
			      &c, NULL, msg, msglen);
	if (rc != WC_OK) {
		wc_mgmt_close(*m);
		*m = NULL;
		return rc;
	}
	st->index = c.index;
	snprintf(st->hci, sizeof(st->hci), "hci%u", (unsigned)c.index);
	st->raw = scan_raw_open(c.index);
	return WC_OK;
}

/* Start: our LE discovery, or another program's to listen to (Busy). */
static enum wc_err scan_start(struct wc_mgmt *m, struct scan_state *st,
			      char *msg, size_t msglen)
{
	static const uint8_t types = WC_MGMT_DISCOVER_LE;
	uint8_t status;
	enum wc_err rc;

	st->restart = false;
	rc = wc_mgmt_cmd(m, WC_MGMT_OP_START_DISCOVERY, st->index, &types,
			 sizeof(types), NULL, 0, NULL, &status,
			 wc_deadline_in(BLE_MGMT_CMD_MS), scan_event, st);
	if (rc != WC_OK) {
		wc_msgf(msg, msglen,
			    "starting LE discovery on %s failed: %s", st->hci,
			    rc == WC_E_IO ? strerror(errno) : wc_strerror(rc));
		return rc == WC_E_TIMEOUT ? WC_E_TIMEOUT : WC_E_IO;
	}
	switch (status) {
	case WC_MGMT_STATUS_SUCCESS:
		st->ours = true;
		return WC_OK;
	case WC_MGMT_STATUS_BUSY:
		/* another program (bluetoothd) is discovering: listen to
		 * its discovery and leave it alone */
		st->foreign = true;
		return WC_OK;
	case WC_MGMT_STATUS_PERMISSION_DENIED:
		wc_msgf(msg, msglen,
			    "permission denied for LE discovery on %s: run as "
			    "root or grant CAP_NET_ADMIN", st->hci);
		return WC_E_IO;
	case WC_MGMT_STATUS_NOT_POWERED:
		wc_msgf(msg, msglen,
			    "adapter %s is powered off: power it on "
			    "(bluetoothctl power on)", st->hci);
		return WC_E_NOBT;
	default:
		wc_msgf(msg, msglen,
			    "LE discovery on %s refused (%s): check that the "
			    "adapter has LE on (btmgmt --index %u info)",
			    st->hci, wc_mgmt_status_str(status),
			    (unsigned)st->index);
		return WC_E_IO;
	}
}

/* Collect: Device Found events and the raw reports until the deadline;
 * our discovery, ended by the kernel before it, is started again. */
static enum wc_err scan_listen(struct wc_mgmt *m, struct scan_state *st,
			       uint64_t deadline, char *msg, size_t msglen)
{
	enum wc_err rc;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = wc_mgmt_fd(m), .events = POLLIN },
			{ .fd = st->raw, .events = POLLIN },
		};
		int n = poll(p, st->raw >= 0 ? 2 : 1, wc_ms_left(deadline));

		if (n < 0 && errno == EINTR) {
			st->interrupted = true; /* the caller's signal */
			return WC_OK;
		}
		if (n < 0) {
			wc_msgf(msg, msglen, "waiting for discovery events "
				    "on %s failed: %s", st->hci,
				    strerror(errno));
			return WC_E_IO;
		}
		/* one packet from each readable socket per turn: neither
		 * can hold the other up, nor the loop past the deadline */
		if (n > 0 && p[0].revents) {
			rc = wc_mgmt_wait_events(m, wc_now_ms(), scan_event,
						 st);
			if (rc != WC_OK) {
				wc_msgf(msg, msglen,
					    "reading discovery events on %s "
					    "failed: %s", st->hci,
					    rc == WC_E_IO ? strerror(errno) :
							    wc_strerror(rc));
				return WC_E_IO;
			}
		}
		if (n > 0 && st->raw >= 0 && p[1].revents)
			scan_raw_read(st);
		if (st->gone) {
			wc_msgf(msg, msglen,
				    "adapter %s went away during the scan",
				    st->hci);
			return WC_E_NOBT;
		}
		if (wc_ms_left(deadline) == 0)
			return WC_OK;
		if (st->restart) {
			rc = scan_start(m, st, msg, msglen);
			if (rc != WC_OK)
				return rc;
		}
	}
}

/* Stop: our discovery only.  The kernel does not know whose discovery it
 * stops, so the events already queued are read first: one saying that
 * ours ended (and another program's began) must not be missed. */
static void scan_stop(struct wc_mgmt *m, struct scan_state *st)
{
	static const uint8_t types = WC_MGMT_DISCOVER_LE;
	unsigned seen, i;
	uint8_t status;

	for (i = 0; i < BLE_DRAIN_MAX; i++) {
		seen = st->events;
		if (wc_mgmt_wait_events(m, wc_now_ms(), scan_event, st) !=
			    WC_OK ||
		    st->events == seen)
			break;
	}
	if (!st->ours)
		return;
	(void)wc_mgmt_cmd(m, WC_MGMT_OP_STOP_DISCOVERY, st->index, &types,
			  sizeof(types), NULL, 0, NULL, &status,
			  wc_deadline_in(BLE_MGMT_CMD_MS), NULL, NULL);
	st->ours = false;
}

/* A note for the caller when listening to another program's discovery
 * may have missed devices.  That discovery filters duplicates: a device
 * it reported before this scan began is reported again only in its next
 * round (bluetoothd starts one about every 15 s; the kernel ends each
 * after about 10 s). */
static void scan_note(const struct scan_state *st, char *msg, size_t msglen)
{
	wc_msgf(msg, msglen, "%s", "");
	if (!st->foreign || st->interrupted)
		return;
	if (st->foreign_end_ms)
		wc_msgf(msg, msglen,
			    "note: another program's discovery on %s (which "
			    "this scan listened to) ended %.1f s into the "
			    "scan and did not start again: batteries heard "
			    "only later are missing; scan again",
			    st->hci,
			    (double)(st->foreign_end_ms - st->start_ms) /
				    1000.0);
	else if (st->foreign_rounds == 0)
		wc_msgf(msg, msglen,
			    "note: another program (bluetoothd?) is "
			    "discovering on %s; this scan listened to its "
			    "discovery, which reports a device once per round, "
			    "and no new round began: batteries it had already "
			    "heard may be missing (a --timeout of 20 s or more "
			    "spans a round)", st->hci);
}

static enum wc_err scan_mgmt(struct wc_mgmt *m, struct scan_state *st,
			     uint64_t deadline, char *msg, size_t msglen)
{
	enum wc_err rc;

	st->start_ms = wc_now_ms();
	rc = scan_start(m, st, msg, msglen);
	if (rc == WC_OK)
		rc = scan_listen(m, st, deadline, msg, msglen);
	scan_stop(m, st);
	if (rc == WC_OK)
		scan_note(st, msg, msglen);
	return rc;
}

/* ---- the raw HCI fallback (a kernel without the management interface) ---- */

/* hci_raw.c hands over each LE Meta event's parameters. */
static void scan_meta(void *user, const uint8_t *p, size_t n)
{
	(void)wc_adv_parse_le_meta(p, n, scan_collect, user, NULL);
}

static enum wc_err hci_scan_fail(const char *hci, int err, uint8_t status,
				 char *msg, size_t msglen)
{
	if (err == EACCES || err == EPERM) {
		wc_msgf(msg, msglen,
			    "permission denied for LE scan on %s: %s", hci,
			    perm_hint);
		return WC_E_IO;
	}
	if (err == EIO)
		wc_msgf(msg, msglen,
			    "LE scan on %s refused (controller status 0x%02x):"
			    " the adapter may have no LE", hci, status);
	else
		wc_msgf(msg, msglen, "LE scan on %s failed: %s", hci,
			    strerror(err));
	return WC_E_IO;
}

static enum wc_err scan_hci(const char *adapter, struct scan_state *st,
			    uint64_t deadline, char *msg, size_t msglen)
{
	/* the reports and the answers to our commands */
	static const uint8_t scan_events[] = { EVT_LE_META_EVENT,
					       WC_HCI_EVT_CMD_COMPLETE,
					       WC_HCI_EVT_CMD_STATUS };
	struct hci_filter old_f, new_f;
	socklen_t olen = sizeof(old_f);
	struct wc_hci_scan_result res;
	bdaddr_t src;
	enum wc_err rc;
	int dev_id, dd, err = 0;

	rc = resolve_adapter(adapter, &dev_id, &src, st->hci,
			     sizeof(st->hci), NULL, msg, msglen);
	if (rc != WC_OK)
		return rc;
	dd = hci_open_dev(dev_id);
	if (dd < 0)
		return hci_scan_fail(st->hci, errno, 0, msg, msglen);
	/* The filter passes the reports before the enable goes out: a
	 * controller may report at once, and the kernel drops what the
	 * filter does not pass.  Duplicates not filtered: the scan response
	 * must get through, and scan_collect merges. */
	wc_hci_filter_events(&new_f, scan_events, sizeof(scan_events), 0);
	if (getsockopt(dd, SOL_HCI, HCI_FILTER, &old_f, &olen) < 0 ||
	    setsockopt(dd, SOL_HCI, HCI_FILTER, &new_f, sizeof(new_f)) < 0) {
		err = errno;
		hci_close_dev(dd);
		return hci_scan_fail(st->hci, err, 0, msg, msglen);
	}
	if (wc_hci_scan(dd, deadline, BLE_HCI_CMD_TIMEOUT_MS, scan_meta, st,
			&res) < 0)
		err = errno;
	setsockopt(dd, SOL_HCI, HCI_FILTER, &old_f, sizeof(old_f));
	hci_close_dev(dd);
	if (err)
		return hci_scan_fail(st->hci, err, res.status, msg, msglen);
	if (res.joined && st->n == 0)
		wc_msgf(msg, msglen,
			    "note: %s refused to start an LE scan (Command "
			    "Disallowed: it is scanning already, or takes "
			    "only extended scan commands); this scan listened "
			    "and heard nothing", st->hci);
	else
		wc_msgf(msg, msglen, "%s", "");
	return WC_OK;
}

/* ---- the scan: open, start, collect, stop (scan_mgmt), report ---- */

enum wc_err wc_ble_scan(const char *adapter, int timeout_ms,
			void (*cb)(void *user, const struct wc_adv *adv),
			void *user, char *msg, size_t msglen)
{
	uint64_t deadline = wc_deadline_in(timeout_ms);
	struct scan_state st;
	struct wc_mgmt *m = NULL;
	bool no_mgmt;
	enum wc_err rc;
	size_t i;

	if (!cb) {
		wc_msgf(msg, msglen, "wc_ble_scan: no callback");
		return WC_E_ARG;
	}
	memset(&st, 0, sizeof(st));
	st.raw = -1;
	st.devs = calloc(WC_BLE_SCAN_MAX, sizeof(*st.devs));
	if (!st.devs) {
		wc_msgf(msg, msglen, "out of memory");
		return WC_E_IO;
	}
	rc = scan_open(adapter, &m, &st, &no_mgmt, msg, msglen);
	if (rc == WC_OK) {
		rc = scan_mgmt(m, &st, deadline, msg, msglen);
		wc_mgmt_close(m);
		if (st.raw >= 0)
			hci_close_dev(st.raw);
	} else if (no_mgmt) {
		rc = scan_hci(adapter, &st, deadline, msg, msglen);
	}
	if (rc == WC_OK)
		for (i = 0; i < st.n; i++)
			cb(user, &st.devs[i]);
	free(st.devs);
	return rc;
}
