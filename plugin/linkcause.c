/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sentences of plugin/linkcause.h.  HCI reasons from the Bluetooth
 * Core spec (Vol 1 Part F, "Error codes"); which errno the kernel gives
 * for which reason from its bt_to_errno() mapping; mgmt reasons and
 * statuses from BlueZ's doc/mgmt-api.txt. */
#include "linkcause.h"

#include <errno.h>
#include <stddef.h>

/* Shared sentences: the same cause reads the same whichever way it was
 * learnt (errno, HCI reason, mgmt event). */
static const char s_busy[] =
	"held by another program on this host (EBUSY): close the phone app "
	"or disconnect it in bluetoothctl";
static const char s_supervision[] =
	"supervision timeout (HCI 0x08): the battery stopped answering on "
	"the air (out of range, or drowned by inverter or engine noise; a "
	"longer SupervisionTimeout may help)";
static const char s_remote[] =
	"the battery ended the link (HCI 0x13, remote terminated)";
static const char s_local[] =
	"this host ended the link (HCI 0x16, local host terminated: another "
	"program on this host, e.g. bluetoothctl disconnect, or the kernel)";
static const char s_establish[] =
	"connection-establishment failure (HCI 0x3E): the battery answered "
	"the connect request but the link never came up (weak signal or "
	"interference)";
static const char s_no_answer[] =
	"the battery did not answer the connect request (out of range, "
	"switched off, or connected to another central such as the phone "
	"app or another gateway; while another program discovers on the "
	"adapter, the kernel waits for that discovery's next round)";
static const char s_refused[] =
	"the battery refused the connection (ECONNREFUSED)";
static const char s_adapter_down[] =
	"the adapter is down or gone: power it on (bluetoothctl power on) "
	"and check rfkill";
static const char s_perm[] =
	"permission denied: run as root or grant CAP_NET_ADMIN and "
	"CAP_NET_RAW";
static const char s_gone[] = "the link is gone (the battery or the adapter "
			     "dropped it)";

struct errno_row {
	int err;
	const char *connect; /* while connecting */
	const char *live;    /* on an established link */
};

static const struct errno_row errno_rows[] = {
	{ EBUSY, s_busy, s_busy },
	{ ETIMEDOUT, s_no_answer, s_supervision },
	{ ECONNRESET, s_remote, s_remote },
	{ ECONNABORTED, s_local, s_local },
	/* the kernel's errno for reasons it has none for, 0x3E among them */
	{ ENOSYS, s_establish, s_gone },
	{ ECONNREFUSED, s_refused, s_refused },
	{ EHOSTUNREACH, s_no_answer, s_gone },
	{ EHOSTDOWN, s_adapter_down, s_adapter_down },
	{ ENETDOWN, s_adapter_down, s_adapter_down },
	{ ENETUNREACH, s_adapter_down, s_adapter_down },
	{ ENODEV, s_adapter_down, s_adapter_down },
	{ ERFKILL, s_adapter_down, s_adapter_down },
	{ EPERM, s_perm, s_perm },
	{ EACCES, s_perm, s_perm },
	{ ENOTCONN, s_gone, s_gone },
	{ EPIPE, s_gone, s_gone },
};

const char *wc_linkcause_errno(int err, enum wc_link_phase phase)
{
	for (size_t i = 0; i < sizeof(errno_rows) / sizeof(errno_rows[0]); i++)
		if (errno_rows[i].err == err)
			return phase == WC_PHASE_CONNECT ? errno_rows[i].connect
							 : errno_rows[i].live;
	return NULL;
}

struct code_row {
	uint8_t code;
	const char *text;
};

static const struct code_row hci_rows[] = {
	{ 0x04, s_no_answer }, /* page timeout */
	{ 0x05, "authentication failure (HCI 0x05): the battery asked for "
		"pairing, which it never needs; remove it in bluetoothctl" },
	{ 0x08, s_supervision },
	{ 0x0C, s_busy },      /* command disallowed: a connect in progress */
	{ 0x13, s_remote },
	{ 0x14, "the battery ended the link (HCI 0x14, low resources: it "
		"holds another central)" },
	{ 0x15, "the battery ended the link (HCI 0x15, powering off)" },
	{ 0x16, s_local },
	{ 0x22, "the battery stopped answering link-layer requests (HCI "
		"0x22, LL response timeout)" },
	{ 0x3B, "the battery refused the connection parameters (HCI 0x3B): "
		"try another SupervisionTimeout" },
	{ 0x3E, s_establish },
};

static const char *code_find(const struct code_row *rows, size_t n,
			     uint8_t code)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].code == code)
			return rows[i].text;
	return NULL;
}

const char *wc_linkcause_hci(uint8_t reason)
{
	return code_find(hci_rows, sizeof(hci_rows) / sizeof(hci_rows[0]),
			 reason);
}

static const struct code_row mgmt_reason_rows[] = {
	{ 0x00, s_gone },       /* unspecified */
	{ 0x01, s_supervision }, /* connection timeout */
	{ 0x02, s_local },
	{ 0x03, s_remote },
	{ 0x04, "authentication failure: the battery asked for pairing, "
		"which it never needs; remove it in bluetoothctl" },
	{ 0x05, "this host ended the link (local host suspended)" },
};

const char *wc_linkcause_mgmt_reason(uint8_t reason)
{
	return code_find(mgmt_reason_rows,
			 sizeof(mgmt_reason_rows) / sizeof(mgmt_reason_rows[0]),
			 reason);
}

static const struct code_row mgmt_status_rows[] = {
	{ 0x02, s_gone },        /* not connected */
	{ 0x04, s_establish },   /* connect failed */
	{ 0x08, s_no_answer },   /* timeout */
	{ 0x0A, s_busy },        /* busy */
	{ 0x0E, s_gone },        /* disconnected */
	{ 0x0F, s_adapter_down }, /* not powered */
	{ 0x11, s_adapter_down }, /* invalid index: no such adapter */
	{ 0x12, s_adapter_down }, /* rfkilled */
	{ 0x14, s_perm },
};

const char *wc_linkcause_mgmt_status(uint8_t status)
{
	return code_find(mgmt_status_rows,
			 sizeof(mgmt_status_rows) / sizeof(mgmt_status_rows[0]),
			 status);
}

bool wc_linkcause_try_other_type(int err)
{
	return err == ETIMEDOUT || err == EHOSTUNREACH || err == ECONNREFUSED;
}
