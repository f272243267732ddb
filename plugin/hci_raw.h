/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HCI pieces libbluetooth has no call for.
 *
 * Adapters, RSSI and scan parameters go through BlueZ's libbluetooth
 * (hci_get_route, hci_devid, hci_devinfo, hci_open_dev, hci_read_rssi,
 * hci_le_set_scan_parameters, hci_le_set_scan_enable; see ble.c).  What
 * stays here is starting an LE scan without losing the first reports:
 * the command is sent on a socket whose filter already passes the reports
 * (wc_hci_cmd_le_scan_enable, wc_hci_filter_events), and the answer and
 * the reports are read in one loop (wc_hci_listen, wc_hci_evt_match).
 * Written from the kernel's socket interface (SOL_HCI HCI_FILTER) and the
 * Bluetooth Core spec, Vol 4 Part E (command and event packets).
 *
 * Pure functions have no I/O and are unit-tested without Bluetooth;
 * wc_hci_listen is tested over a socketpair fed with recorded packets. */
#ifndef WC_HCI_H
#define WC_HCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hci_filter;

/* HCI packet indicators (Core Vol 4 Part A: H4), event codes and the
 * command opcodes used here (Core Vol 4 Part E §7). */
#define WC_HCI_PKT_COMMAND 0x01
#define WC_HCI_PKT_EVENT 0x04
#define WC_HCI_EVT_CMD_COMPLETE 0x0E
#define WC_HCI_EVT_CMD_STATUS 0x0F
#define WC_HCI_OPCODE(ogf, ocf) \
	((uint16_t)(((unsigned)(ogf) & 0x3Fu) << 10 | ((unsigned)(ocf) & 0x3FFu)))
#define WC_HCI_OP_LE_SET_SCAN_PARAMS WC_HCI_OPCODE(0x08, 0x000B)
#define WC_HCI_OP_LE_SET_SCAN_ENABLE WC_HCI_OPCODE(0x08, 0x000C)
/* the status a controller gives a command it cannot take now (a scan
 * parameter change while scanning, a legacy scan command after extended
 * ones) */
#define WC_HCI_ST_CMD_DISALLOWED 0x0C

/* Packet type, opcode (2), parameter length (1), at most 255 parameters;
 * an event packet read from the socket is never longer than this either. */
#define WC_HCI_MAX_PKT (1 + 2 + 1 + 255)

/* ---- pure byte functions ---- */

/* Writes the command packet for opcode with plen parameter bytes into
 * buf: 0x01, opcode little-endian, plen, params.  Returns the packet
 * length (4 + plen), or 0 when plen > 255, params is NULL with plen > 0,
 * or buf is NULL or shorter than the packet (buf is then left alone). */
size_t wc_hci_cmd_build(uint8_t *buf, size_t buflen, uint16_t opcode,
			const uint8_t *params, size_t plen);

/* The command packet of LE Set Scan Enable (Core Vol 4 Part E §7.8.11):
 * LE_Scan_Enable, Filter_Duplicates; built with wc_hci_cmd_build into buf
 * (same result). */
size_t wc_hci_cmd_le_scan_enable(uint8_t *buf, size_t buflen, bool enable,
				 bool filter_dup);

/* The command packet of LE Set Scan Parameters (Core Vol 4 Part E
 * §7.8.10): active scanning, interval and window 0x0010 (10 ms: always
 * listening), public own address, no filter list. */
size_t wc_hci_cmd_le_scan_params(uint8_t *buf, size_t buflen);

/* What an event packet is, for a command waiting on opcode. */
enum wc_hci_evt {
	WC_HCI_EVT_OTHER,     /* well-formed, but not the answer to opcode */
	WC_HCI_EVT_MALFORMED, /* too short for its header or declared length */
	WC_HCI_EVT_COMPLETE,  /* Command Complete for opcode */
	WC_HCI_EVT_STATUS,    /* Command Status for opcode */
};

/* The answer found by wc_hci_evt_match. */
struct wc_hci_reply {
	uint8_t event;        /* WC_HCI_EVT_CMD_COMPLETE or _CMD_STATUS */
	/* Command Status: its Status.  Command Complete: the first return
	 * parameter, which is the Status of every command used here (0 when
	 * there are no return parameters). */
	uint8_t status;
	/* Command Complete's return parameters: in the event buffer from
	 * wc_hci_evt_match; NULL and 0 for Command Status, when there are
	 * none, and from wc_hci_listen. */
	const uint8_t *rparam;
	size_t rlen;
};

/* Classifies one packet as read from a raw HCI socket (packet type 0x04,
 * event code, parameter length, parameters).  Reads only buf[0..len) and
 * never past the declared parameter length; bytes after it are ignored.
 * Fills *r (may be NULL) only for WC_HCI_EVT_COMPLETE and _STATUS.  A
 * Command Complete or Status whose declared length cannot hold its fixed
 * fields is WC_HCI_EVT_MALFORMED. */
enum wc_hci_evt wc_hci_evt_match(const uint8_t *buf, size_t len,
				 uint16_t opcode, struct wc_hci_reply *r);

/* "hci0" … "hci65535" to its device id; false for anything else (no sign,
 * no spaces, no trailing characters). */
bool wc_hci_parse_name(const char *s, int *dev_id);

/* Sets *f to pass only event packets whose code is one of events[0..n),
 * as the kernel's SOL_HCI HCI_FILTER option reads it.  A non-zero opcode
 * further limits Command Complete and Command Status to that command's. */
void wc_hci_filter_events(struct hci_filter *f, const uint8_t *events,
			  size_t n, uint16_t opcode);

/* ---- listening for the answer and the reports together ---- */

/* Reads packets from fd (a raw HCI socket whose filter passes LE Meta,
 * Command Complete and Command Status) until deadline_ms (absolute,
 * CLOCK_MONOTONIC ms, see clock.h): the parameters of every LE Meta event
 * go to on_meta (may be NULL); the first Command Complete or Command
 * Status for opcode is the command's answer and is written to *r (its
 * return parameters are not kept: r->rparam NULL).  Other packets
 * (another opcode's answer, malformed ones) are skipped.
 *
 * This is what libbluetooth's hci_send_req cannot do: it narrows the
 * socket's filter to the command's answer until the answer is read, so
 * the kernel drops reports that a controller sends right after it (an
 * emulated one reports each advertiser at once, when the scan starts).
 *
 * Returns 0 at the deadline with the answer seen, or early (0 as well)
 * when poll() is interrupted by a signal.  Otherwise -1 with errno: EIO
 * when the answer carried a non-zero status (r->status holds it),
 * ETIMEDOUT when no answer had come by answer_by_ms, EPIPE when the
 * socket was shut down, EBADF, EINVAL (r NULL), or read()'s error. */
int wc_hci_listen(int fd, uint16_t opcode, uint64_t answer_by_ms,
		  uint64_t deadline_ms,
		  void (*on_meta)(void *user, const uint8_t *p, size_t n),
		  void *user, struct wc_hci_reply *r);

/* ---- the raw LE scan (the fallback for a kernel without mgmt) ---- */

/* What wc_hci_scan did with the controller's scanning. */
struct wc_hci_scan_result {
	bool started;   /* we enabled a scan (and disabled it at the end) */
	bool joined;    /* a scan was running already (our parameters or
			   enable refused with Command Disallowed): we listened
			   to its reports and left it running */
	bool interrupted; /* a signal ended the scan early */
	uint8_t status; /* the controller's refusal, when the call fails
			   with EIO */
};

/* An active LE scan on fd (a raw HCI socket of one adapter whose filter
 * passes LE Meta, Command Complete and Command Status) until deadline_ms:
 * LE Set Scan Parameters, then LE Set Scan Enable, each answered within
 * cmd_ms; every LE Meta event's parameters go to on_meta (may be NULL),
 * also while waiting for the answers.
 *
 * A scan that is already running (the kernel's, bluetoothd's: refused
 * with Command Disallowed) is listened to and never disabled; only a scan
 * this call enabled is disabled at the end (on every path, also after a
 * signal).  A signal (EINTR) ends the scan early: 0, res->interrupted.
 *
 * Returns 0 (res says how it went) or -1 with errno: EIO when the
 * controller refused with another status (res->status), ETIMEDOUT when a
 * command went unanswered, EPIPE when the socket was shut down, or
 * write()'s / read()'s error. */
int wc_hci_scan(int fd, uint64_t deadline_ms, int cmd_ms,
		void (*on_meta)(void *user, const uint8_t *p, size_t n),
		void *user, struct wc_hci_scan_result *res);

#endif
