/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle-sim's BLE peripheral (see sim_ble.h): the controller through
 * libbluetooth's HCI calls, the link through the kernel's L2CAP socket. */
#include "sim_ble.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/poll.h> /* not <poll.h>: -Iplugin has a poll.h */
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <bluetooth/l2cap.h>

#include "bytes.h"
#include "jbd_sim.h"

#define ATT_CID 4
#define HCI_TIMEOUT_MS 2000
/* 100 ms between advertisements (units of 0.625 ms) */
#define ADV_INTERVAL 0x00A0
#define ADV_IND 0x00
#define ADV_CHANNELS_ALL 0x07
#define AD_FLAGS 0x01
#define AD_UUID16_ALL 0x03
#define AD_NAME_SHORT 0x08
#define AD_NAME_COMPLETE 0x09
#define AD_MFR 0xFF
#define AD_MAX 31
/* LE General Discoverable Mode, BR/EDR Not Supported */
#define FLAGS_LE_ONLY 0x06

struct sim_ble {
	int dev_id;
	int dd;               /* HCI socket of the controller */
	int lfd;              /* listening L2CAP ATT socket */
	bdaddr_t addr;        /* what the battery advertises from */
	bool random;          /* addr is random static */
	unsigned soc_pct;     /* in the JBD manufacturer data */
	char adapter[16];
	char battery[64];
};

bool sim_ble_adapter_ok(const char *s)
{
	unsigned long v = 0;

	if (!s || strncmp(s, "hci", 3) != 0 || !s[3] || strlen(s) > 8)
		return false;
	for (const char *p = s + 3; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return v < 0xFFFF;
}

/* One LE controller command whose only return parameter is its status:
 * 0, or -1 with errno (EIO when the controller refused it). */
static int le_cmd(int dd, uint16_t ocf, void *cp, int clen)
{
	struct hci_request rq;
	uint8_t status = 0xFF;

	memset(&rq, 0, sizeof(rq));
	rq.ogf = OGF_LE_CTL;
	rq.ocf = ocf;
	rq.cparam = cp;
	rq.clen = clen;
	rq.rparam = &status;
	rq.rlen = 1;
	if (hci_send_req(dd, &rq, HCI_TIMEOUT_MS) < 0)
		return -1;
	if (status != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Appends one AD structure (length, type, data) to ad[*len]; false when it
 * does not fit the 31 bytes. */
static bool ad_put(uint8_t *ad, size_t *len, uint8_t type, const void *data,
		   size_t n)
{
	if (*len + 2 + n > AD_MAX)
		return false;
	ad[(*len)++] = (uint8_t)(n + 1);
	ad[(*len)++] = type;
	memcpy(ad + *len, data, n);
	*len += n;
	return true;
}

/* The four hex digits ending name as a number, or a hash of the name. */
static unsigned name_suffix(const char *name)
{
	size_t n = strlen(name);
	uint32_t hash = 2166136261u;
	unsigned v = 0;
	int d;

	if (n >= 4) {
		size_t i;

		for (i = n - 4; i < n; i++) {
			d = hex_digit(name[i]);
			if (d < 0)
				break;
			v = v << 4 | (unsigned)d;
		}
		if (i == n)
			return v;
	}
	for (const char *p = name; *p; p++) {
		hash ^= (uint8_t)*p;
		hash *= 16777619u;
	}
	return (hash ^ hash >> 16) & 0xFFFFu;
}

/* A JBD-family battery (a DISCOVER) advertises the flags, the incomplete
 * UUID list FFF0 and its manufacturer data (sim_jbd_adv_data), and answers
 * a scan with its complete name. */
static int set_jbd_adv_data(struct sim_ble *b, const char *name)
{
	le_set_advertising_data_cp adv;
	le_set_scan_response_data_cp rsp;
	static const uint8_t flags[3] = { 2, AD_FLAGS, FLAGS_LE_ONLY };
	uint8_t recs[4 + 2 + 29 + 16], mac[6];
	size_t n, name_len;

	for (int i = 0; i < 6; i++)
		mac[i] = b->addr.b[5 - i]; /* display order */
	n = sim_jbd_adv_data(recs, sizeof(recs), mac, name, b->soc_pct);
	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	/* recs: UUID list (4 bytes), name record, manufacturer data (16) */
	name_len = n - 4 - 16;
	memset(&adv, 0, sizeof(adv));
	memcpy(adv.data, flags, sizeof(flags));
	memcpy(adv.data + 3, recs, 4);
	memcpy(adv.data + 7, recs + 4 + name_len, 16);
	adv.length = 7 + 16;
	if (le_cmd(b->dd, OCF_LE_SET_ADVERTISING_DATA, &adv, sizeof(adv)) < 0)
		return -1;
	memset(&rsp, 0, sizeof(rsp));
	memcpy(rsp.data, recs + 4, name_len);
	rsp.length = (uint8_t)name_len;
	return le_cmd(b->dd, OCF_LE_SET_SCAN_RESPONSE_DATA, &rsp, sizeof(rsp));
}

static int set_adv_data(struct sim_ble *b, const char *name)
{
	le_set_advertising_data_cp adv;
	le_set_scan_response_data_cp rsp;
	static const uint8_t flags = FLAGS_LE_ONLY;
	static const uint8_t fff0[2] = { 0xF0, 0xFF };
	uint8_t mfr[7];
	size_t len = 0, nlen = strlen(name), room;

	for (int i = 0; i < 6; i++)
		mfr[i] = b->addr.b[5 - i]; /* display order */
	mfr[6] = 0xFF;

	memset(&adv, 0, sizeof(adv));
	ad_put(adv.data, &len, AD_FLAGS, &flags, 1);
	ad_put(adv.data, &len, AD_UUID16_ALL, fff0, sizeof(fff0));
	ad_put(adv.data, &len, AD_MFR, mfr, sizeof(mfr));
	room = AD_MAX - len - 2;
	if (nlen <= room)
		ad_put(adv.data, &len, AD_NAME_COMPLETE, name, nlen);
	else
		ad_put(adv.data, &len, AD_NAME_SHORT, name, room);
	adv.length = (uint8_t)len;
	if (le_cmd(b->dd, OCF_LE_SET_ADVERTISING_DATA, &adv, sizeof(adv)) < 0)
		return -1;

	memset(&rsp, 0, sizeof(rsp));
	len = 0;
	ad_put(rsp.data, &len, AD_NAME_COMPLETE, name,
	       nlen < AD_MAX - 2 ? nlen : AD_MAX - 2);
	rsp.length = (uint8_t)len;
	return le_cmd(b->dd, OCF_LE_SET_SCAN_RESPONSE_DATA, &rsp, sizeof(rsp));
}

static int set_adv_params(struct sim_ble *b)
{
	le_set_advertising_parameters_cp p;

	memset(&p, 0, sizeof(p));
	p.min_interval = htobs(ADV_INTERVAL);
	p.max_interval = htobs(ADV_INTERVAL);
	p.advtype = ADV_IND;
	p.own_bdaddr_type = b->random ? LE_RANDOM_ADDRESS : LE_PUBLIC_ADDRESS;
	p.chan_map = ADV_CHANNELS_ALL;
	p.filter = 0;
	return le_cmd(b->dd, OCF_LE_SET_ADVERTISING_PARAMETERS, &p, sizeof(p));
}

static int listen_att(const bdaddr_t *public_addr)
{
	struct sockaddr_l2 sa;
	int fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET | SOCK_NONBLOCK |
					      SOCK_CLOEXEC, BTPROTO_L2CAP);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.l2_family = AF_BLUETOOTH;
	sa.l2_cid = htobs(ATT_CID);
	/* The kernel matches an incoming LE link to the socket bound to the
	 * controller's own (public) address, whatever address advertised. */
	sa.l2_bdaddr_type = BDADDR_LE_PUBLIC;
	bacpy(&sa.l2_bdaddr, public_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

struct sim_ble *sim_ble_open(const char *adapter, const char *name,
			     const char *battery, bool jbd, unsigned soc_pct,
			     char *err, size_t errlen)
{
	struct hci_dev_info di;
	struct sim_ble *b;
	le_set_random_address_cp ra;
	unsigned suffix;
	char addr[18];

	if (!sim_ble_adapter_ok(adapter)) {
		snprintf(err, errlen, "%s: bad adapter \"%s\": expected hciN",
			 battery, adapter ? adapter : "");
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->dd = b->lfd = -1;
	snprintf(b->adapter, sizeof(b->adapter), "%s", adapter);
	snprintf(b->battery, sizeof(b->battery), "%s", battery);
	b->dev_id = atoi(adapter + 3);
	b->soc_pct = soc_pct;
	if (hci_devinfo(b->dev_id, &di) < 0) {
		int e = errno;

		if (e == EAFNOSUPPORT || e == ENODEV || e == EPROTONOSUPPORT)
			snprintf(err, errlen, "no Bluetooth adapter %s%s",
				 adapter, e == ENODEV ? "" :
				 " (this kernel has no Bluetooth)");
		else
			snprintf(err, errlen, "no Bluetooth adapter %s (%s)",
				 adapter, strerror(e));
		goto fail;
	}
	if (!hci_test_bit(HCI_UP, &di.flags)) {
		snprintf(err, errlen, "Bluetooth adapter %s is down: power it "
			 "on (hciconfig %s up)", adapter, adapter);
		goto fail;
	}
	b->dd = hci_open_dev(b->dev_id);
	if (b->dd < 0) {
		snprintf(err, errlen, "%s: cannot open %s: %s", battery,
			 adapter, strerror(errno));
		goto fail;
	}
	/* a leftover advertising set from an earlier run would refuse the
	 * parameters below */
	hci_le_set_advertise_enable(b->dd, 0, HCI_TIMEOUT_MS);

	/* Random static: the two top bits set; the real units' prefix
	 * (C0:D6:3C for XDZN, EE:C2:37 for a DISCOVER), then the adapter,
	 * then the name's suffix. */
	suffix = name_suffix(name);
	b->addr.b[5] = jbd ? 0xEE : 0xC0;
	b->addr.b[4] = jbd ? 0xC2 : 0xD6;
	b->addr.b[3] = jbd ? 0x37 : 0x3C;
	b->addr.b[2] = (uint8_t)b->dev_id;
	b->addr.b[1] = (uint8_t)(suffix >> 8);
	b->addr.b[0] = (uint8_t)suffix;
	bacpy(&ra.bdaddr, &b->addr);
	b->random = le_cmd(b->dd, OCF_LE_SET_RANDOM_ADDRESS, &ra,
			   sizeof(ra)) == 0;
	if (!b->random)
		bacpy(&b->addr, &di.bdaddr);

	if (set_adv_params(b) < 0 ||
	    (jbd ? set_jbd_adv_data(b, name) : set_adv_data(b, name)) < 0) {
		snprintf(err, errlen, "%s: %s refused the advertising set-up: "
			 "%s", battery, adapter, strerror(errno));
		goto fail;
	}
	b->lfd = listen_att(&di.bdaddr);
	if (b->lfd < 0) {
		snprintf(err, errlen, "%s: cannot listen for ATT on %s: %s",
			 battery, adapter, strerror(errno));
		goto fail;
	}
	if (hci_le_set_advertise_enable(b->dd, 1, HCI_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "%s: %s refused to advertise: %s",
			 battery, adapter, strerror(errno));
		goto fail;
	}
	ba2str(&b->addr, addr);
	printf("wattcycle-sim: ble %s %s %s %s\n", name, addr,
	       b->random ? "random" : "public", adapter);
	fflush(stdout);
	return b;
fail:
	sim_ble_close(b);
	return NULL;
}

int sim_ble_listen_fd(const struct sim_ble *ble)
{
	return ble ? ble->lfd : -1;
}

void sim_ble_advertise(struct sim_ble *ble, bool on)
{
	if (ble && ble->dd >= 0)
		hci_le_set_advertise_enable(ble->dd, on ? 1 : 0,
					    HCI_TIMEOUT_MS);
}

void sim_ble_hang_up(struct sim_ble *ble, int fd)
{
	struct l2cap_conninfo ci;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t sl = sizeof(ci);

	if (!ble || ble->dd < 0 || fd < 0)
		return;
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
		return; /* the link is gone already */
	memset(&ci, 0, sizeof(ci));
	if (getsockopt(fd, SOL_L2CAP, L2CAP_CONNINFO, &ci, &sl) < 0)
		return;
	hci_disconnect(ble->dd, ci.hci_handle, HCI_OE_USER_ENDED_CONNECTION,
		       HCI_TIMEOUT_MS);
}

void sim_ble_close(struct sim_ble *ble)
{
	if (!ble)
		return;
	if (ble->lfd >= 0)
		close(ble->lfd);
	if (ble->dd >= 0) {
		hci_le_set_advertise_enable(ble->dd, 0, HCI_TIMEOUT_MS);
		hci_close_dev(ble->dd);
	}
	free(ble);
}
