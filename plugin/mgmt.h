/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel's Bluetooth management interface (mgmt): the control channel
 * bluetoothd itself uses, shared by every program on the host.
 *
 * Why: raw HCI commands collide with whatever the kernel and bluetoothd
 * are doing to the controller (a scan they run refuses ours with Command
 * Disallowed; a scan we stop may be the one their pending LE connect
 * relies on).  Through mgmt the kernel arbitrates: it answers Busy when
 * another client is discovering, and sends every client the events (Device
 * Found, Discovering, Device Disconnected …) so that a second client can
 * listen beside the first.
 *
 * A packet, in both directions, is: code (le16; a command's opcode or an
 * event's code), controller index (le16; WC_MGMT_INDEX_NONE for none),
 * parameter length (le16), parameters.  Written from BlueZ's
 * doc/mgmt-api.txt (layouts and codes only).
 *
 * Pure parsers have no I/O (unit-tested and fuzzed without Bluetooth);
 * wc_mgmt_cmd and wc_mgmt_wait_events are tested over a socketpair fed
 * with recorded packets (wc_mgmt_adopt). */
#ifndef WC_MGMT_H
#define WC_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adv.h"
#include "wc_error.h"

#define WC_MGMT_INDEX_NONE 0xFFFFu
#define WC_MGMT_HDR_LEN 6
/* header + the largest parameter length the header can declare */
#define WC_MGMT_MAX_PKT (WC_MGMT_HDR_LEN + 0xFFFF)

/* events */
#define WC_MGMT_EV_CMD_COMPLETE 0x0001
#define WC_MGMT_EV_CMD_STATUS 0x0002
#define WC_MGMT_EV_INDEX_REMOVED 0x0005
#define WC_MGMT_EV_DEVICE_DISCONNECTED 0x000C
#define WC_MGMT_EV_CONNECT_FAILED 0x000D
#define WC_MGMT_EV_DEVICE_FOUND 0x0012
#define WC_MGMT_EV_DISCOVERING 0x0013

/* commands */
#define WC_MGMT_OP_READ_INDEX_LIST 0x0003
#define WC_MGMT_OP_READ_INFO 0x0004
#define WC_MGMT_OP_START_DISCOVERY 0x0023
#define WC_MGMT_OP_STOP_DISCOVERY 0x0024
#define WC_MGMT_OP_GET_CONN_INFO 0x0031
#define WC_MGMT_OP_LOAD_CONN_PARAM 0x0035

/* status codes (the ones callers act on; wc_mgmt_status_str has all) */
#define WC_MGMT_STATUS_SUCCESS 0x00
#define WC_MGMT_STATUS_UNKNOWN_COMMAND 0x01
#define WC_MGMT_STATUS_FAILED 0x03
#define WC_MGMT_STATUS_BUSY 0x0A
#define WC_MGMT_STATUS_REJECTED 0x0B
#define WC_MGMT_STATUS_NOT_SUPPORTED 0x0C
#define WC_MGMT_STATUS_INVALID_PARAMS 0x0D
#define WC_MGMT_STATUS_NOT_POWERED 0x0F
#define WC_MGMT_STATUS_INVALID_INDEX 0x11
#define WC_MGMT_STATUS_PERMISSION_DENIED 0x14

/* mgmt address types (not HCI's): in events and in Start Discovery's
 * bit mask (1 << type) */
#define WC_MGMT_ADDR_BREDR 0x00
#define WC_MGMT_ADDR_LE_PUBLIC 0x01
#define WC_MGMT_ADDR_LE_RANDOM 0x02
/* Start/Stop Discovery: LE public and random */
#define WC_MGMT_DISCOVER_LE 0x06

/* Read Controller Information's settings bits */
#define WC_MGMT_SETTING_POWERED 0x00000001u
#define WC_MGMT_SETTING_LE 0x00000200u

/* Device Found flags */
#define WC_MGMT_FOUND_NOT_CONNECTABLE 0x00000004u
#define WC_MGMT_FOUND_SCAN_RSP 0x00000020u

/* RSSI value meaning "not available" */
#define WC_MGMT_RSSI_INVALID 127

/* ---- pure parsers ---- */

struct wc_mgmt_hdr {
	uint16_t code;  /* opcode (sent) or event code (received) */
	uint16_t index; /* controller index, or WC_MGMT_INDEX_NONE */
	uint16_t len;   /* parameter length */
};

/* One packet as read from the control socket.  WC_E_SHORT when it cannot
 * hold the header, WC_E_TRUNCATED when the declared length runs past
 * len; bytes after the declared parameters are ignored.  On WC_OK *h is
 * filled and *params (may be NULL) points at the h->len parameters. */
enum wc_err wc_mgmt_parse_hdr(const uint8_t *buf, size_t len,
			      struct wc_mgmt_hdr *h, const uint8_t **params);

/* Writes a command packet (header, params) into buf; returns its length,
 * or 0 when plen > 0xFFFF, params is NULL with plen > 0, or buf is NULL
 * or too short (buf is then left alone). */
size_t wc_mgmt_build(uint8_t *buf, size_t buflen, uint16_t opcode,
		     uint16_t index, const uint8_t *params, size_t plen);

/* A command's answer: Command Complete (opcode le16, status, return
 * parameters) or Command Status (opcode le16, status). */
struct wc_mgmt_reply {
	uint16_t opcode;
	uint8_t status;
	bool complete;         /* Command Complete, not Command Status */
	const uint8_t *rparam; /* Complete's return parameters, inside the
				  given buffer; NULL when there are none */
	size_t rlen;
};

/* Parses the parameters (p, n) of an event with code ev.  WC_E_ARG when
 * ev is neither Command Complete nor Command Status, WC_E_TRUNCATED when
 * n cannot hold opcode and status. */
enum wc_err wc_mgmt_parse_reply(uint16_t ev, const uint8_t *p, size_t n,
				struct wc_mgmt_reply *r);

/* Device Found: address (6, least significant byte first on the wire),
 * address type, RSSI (s8), flags (le32), EIR/AD length (le16), data. */
struct wc_mgmt_found {
	uint8_t bdaddr[6]; /* display order, [0] = "C0" */
	uint8_t addr_type; /* WC_MGMT_ADDR_* */
	int8_t rssi;       /* WC_MGMT_RSSI_INVALID when unknown */
	uint32_t flags;    /* WC_MGMT_FOUND_* */
	const uint8_t *eir; /* inside the given buffer (NULL when empty) */
	size_t eir_len;
};

/* WC_E_TRUNCATED when the fixed part is short or eir_len runs past n. */
enum wc_err wc_mgmt_parse_found(const uint8_t *p, size_t n,
				struct wc_mgmt_found *f);

/* An LE Device Found as an advertising record: address and type, RSSI,
 * and the AD structures of advertisement and scan response
 * (wc_adv_parse_ad; a bad structure keeps what came before it).  False,
 * *adv untouched, for a BR/EDR device (not a battery). */
bool wc_mgmt_found_to_adv(const struct wc_mgmt_found *f, struct wc_adv *adv);

/* Discovering: address type mask (1), discovering (1). */
struct wc_mgmt_discovering {
	uint8_t type;
	bool discovering;
};

enum wc_err wc_mgmt_parse_discovering(const uint8_t *p, size_t n,
				      struct wc_mgmt_discovering *v);

/* Device Disconnected (address, type, reason) and Connect Failed
 * (address, type, status): the same shape. */
struct wc_mgmt_dev_event {
	uint8_t bdaddr[6]; /* display order */
	uint8_t addr_type; /* WC_MGMT_ADDR_* */
	uint8_t code;      /* disconnect reason / mgmt status */
};

enum wc_err wc_mgmt_parse_disconnected(const uint8_t *p, size_t n,
				       struct wc_mgmt_dev_event *v);
enum wc_err wc_mgmt_parse_connect_failed(const uint8_t *p, size_t n,
					 struct wc_mgmt_dev_event *v);

/* Words for a mgmt status ("busy", "permission denied"); never NULL. */
const char *wc_mgmt_status_str(uint8_t status);

/* ---- the control socket ---- */

struct wc_mgmt;

/* Called with every well-formed event that is not the awaited answer: the
 * header and its h->len parameters (valid during the call).  Return true
 * to keep waiting, false to end wc_mgmt_wait_events (wc_mgmt_cmd ignores
 * it and waits for its answer). */
typedef bool (*wc_mgmt_event_cb)(void *user, const struct wc_mgmt_hdr *h,
				 const uint8_t *params);

/* Opens and binds a control-channel socket (non-blocking, close-on-exec).
 * WC_E_NOBT with the sentence in msg when the kernel has no Bluetooth or
 * no management interface; WC_E_IO with errno's sentence otherwise (d->a
 * holds errno).  Binding needs no privilege; commands that change the
 * controller (Start Discovery) answer Permission Denied without
 * CAP_NET_ADMIN, and such a socket gets no Device Found. */
enum wc_err wc_mgmt_open(struct wc_mgmt **out, struct wc_diag *d, char *msg,
			 size_t msglen);

/* Wraps an already open packet socket (a socketpair end in the tests); it
 * is closed by wc_mgmt_close.  WC_E_ARG for fd < 0, WC_E_IO (no memory). */
enum wc_err wc_mgmt_adopt(struct wc_mgmt **out, int fd);

void wc_mgmt_close(struct wc_mgmt *m);

/* The socket, to poll() it beside others; when it is readable,
 * wc_mgmt_wait_events(m, wc_now_ms(), ...) reads one event.  Still owned
 * by m. */
int wc_mgmt_fd(const struct wc_mgmt *m);

/* Sends one command and waits, never past deadline_ms (absolute
 * CLOCK_MONOTONIC ms, clock.h), for the Command Complete or Command
 * Status carrying this opcode and index; every other event meanwhile goes
 * to event_cb (may be NULL).  On WC_OK *status (may be NULL) is the mgmt
 * status and up to rsplen return parameters are copied to rsp, their
 * count in *rsp_got (both may be NULL).  WC_E_TIMEOUT without an answer
 * by the deadline, WC_E_CLOSED when the socket was shut down, WC_E_IO
 * (errno set) when writing or reading failed, WC_E_ARG for bad arguments.
 * A signal does not end the wait early (the answer matters). */
enum wc_err wc_mgmt_cmd(struct wc_mgmt *m, uint16_t opcode, uint16_t index,
			const void *params, size_t plen, void *rsp,
			size_t rsplen, size_t *rsp_got, uint8_t *status,
			uint64_t deadline_ms, wc_mgmt_event_cb event_cb,
			void *user);

/* Passes every well-formed event to event_cb until deadline_ms, until the
 * callback returns false, or until a signal interrupts poll() (EINTR):
 * all three are WC_OK (a caller that needs to know which keeps its own
 * note in the callback).  WC_E_CLOSED / WC_E_IO (errno set) as for
 * wc_mgmt_cmd. */
enum wc_err wc_mgmt_wait_events(struct wc_mgmt *m, uint64_t deadline_ms,
				wc_mgmt_event_cb event_cb, void *user);

/* A controller as Read Controller Information describes it. */
struct wc_mgmt_ctrl {
	uint16_t index;
	uint8_t bdaddr[6];  /* display order */
	uint32_t settings;  /* current settings, WC_MGMT_SETTING_* */
};

/* The controller for adapter: "hciN" (index N), an adapter address
 * ("00:1A:7D:DA:71:13"), or NULL for the first one that is powered and
 * has LE on.  Checks that the one found is powered and has LE.  Failures
 * carry a sentence with the fix in msg (may be NULL): WC_E_ARG for a bad
 * adapter string, WC_E_NOBT for no such / powered-off / non-LE adapter,
 * WC_E_TIMEOUT / WC_E_IO when the kernel did not answer. */
enum wc_err wc_mgmt_index_of(struct wc_mgmt *m, const char *adapter,
			     uint64_t deadline_ms, struct wc_mgmt_ctrl *out,
			     struct wc_diag *d, char *msg, size_t msglen);

#endif
