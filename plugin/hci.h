/* HCI helpers on a raw HCI socket, without libbluetooth.
 *
 * What plugin/ble.c needs from an adapter, written against the kernel's
 * documented interface (AF_BLUETOOTH / BTPROTO_HCI raw sockets, the
 * HCIGETDEVLIST and HCIGETDEVINFO ioctls, the SOL_HCI HCI_FILTER option)
 * and the Bluetooth Core spec (Vol 4 Part E: command and event packets).
 * Only BlueZ's headers are used (structs and constants); nothing links
 * libbluetooth, which would cost the collectd process ~100 kB of RSS.
 *
 * Two layers:
 *   - pure functions (wc_hci_cmd_*, wc_hci_evt_match, wc_hci_parse_name,
 *     wc_hci_filter_events): no I/O, unit-testable without Bluetooth;
 *   - socket functions: every one returns -1 (or, for id lookups, a
 *     negative value) with errno set, and preserves errno across its own
 *     cleanup, so callers can report strerror(errno) as they did with
 *     libbluetooth.  A controller that answers with a non-zero status
 *     gives errno EIO; the status itself is written to *hci_status when
 *     the caller passes a pointer, so the code is not lost.
 *
 * This header needs no Bluetooth header; struct hci_dev_info comes from
 * <bluetooth/hci.h> where it is used. */
#ifndef WC_HCI_H
#define WC_HCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hci_dev_info;
struct hci_filter;

/* HCI packet indicators (Core Vol 4 Part A: H4), event codes and the
 * command opcodes used here (Core Vol 4 Part E §7). */
#define WC_HCI_PKT_COMMAND 0x01
#define WC_HCI_PKT_EVENT 0x04
#define WC_HCI_EVT_CMD_COMPLETE 0x0E
#define WC_HCI_EVT_CMD_STATUS 0x0F
#define WC_HCI_OPCODE(ogf, ocf) \
	((uint16_t)(((unsigned)(ogf) & 0x3Fu) << 10 | ((unsigned)(ocf) & 0x3FFu)))
#define WC_HCI_OP_READ_RSSI WC_HCI_OPCODE(0x05, 0x0005)
#define WC_HCI_OP_LE_SET_SCAN_PARAMS WC_HCI_OPCODE(0x08, 0x000B)
#define WC_HCI_OP_LE_SET_SCAN_ENABLE WC_HCI_OPCODE(0x08, 0x000C)

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

/* The command packets of the three commands used here, built with
 * wc_hci_cmd_build into buf (same result).  Multi-byte parameters are
 * taken in host order and written little-endian.
 *
 * Read RSSI (Core Vol 4 Part E §7.5.4): Connection_Handle. */
size_t wc_hci_cmd_read_rssi(uint8_t *buf, size_t buflen, uint16_t handle);

/* LE Set Scan Parameters (§7.8.10): LE_Scan_Type, LE_Scan_Interval and
 * LE_Scan_Window (units of 0.625 ms), Own_Address_Type,
 * Scanning_Filter_Policy. */
size_t wc_hci_cmd_le_scan_params(uint8_t *buf, size_t buflen, uint8_t type,
				 uint16_t interval, uint16_t window,
				 uint8_t own_addr_type, uint8_t filter_policy);

/* LE Set Scan Enable (§7.8.11): LE_Scan_Enable, Filter_Duplicates. */
size_t wc_hci_cmd_le_scan_enable(uint8_t *buf, size_t buflen, bool enable,
				 bool filter_dup);

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
	 * wc_hci_evt_match, in the caller's rbuf from wc_hci_request;
	 * NULL and 0 for Command Status or when there are none. */
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

/* ---- adapters ---- */

/* A raw HCI socket (SOCK_CLOEXEC) bound to adapter dev_id: the fd, or -1
 * with errno (EAFNOSUPPORT when the kernel has no Bluetooth, ENODEV for no
 * such adapter, EPERM/EACCES without the capability). */
int wc_hci_open(int dev_id);

/* Closes an fd from wc_hci_open; -1 is ignored.  errno is preserved. */
void wc_hci_close(int fd);

/* The id of the first adapter that is up (lowest in the kernel's list):
 * >= 0, or -1 with errno (ENODEV when none is up). */
int wc_hci_route(void);

/* The id of the adapter that is up and has address addr (six bytes in
 * display order, most significant first, as wc_bdaddr_parse gives):
 * >= 0, or -1 with errno (ENODEV when there is none). */
int wc_hci_devid_by_addr(const uint8_t addr[6]);

/* "hciN" (that adapter, if the kernel knows it, up or not) or an address
 * "XX:XX:XX:XX:XX:XX" (the adapter that is up with that address): the id,
 * or -1 with errno (EINVAL for neither form, ENODEV when not found). */
int wc_hci_devid(const char *name_or_addr);

/* HCIGETDEVINFO for dev_id into *di: 0, or -1 with errno (ENODEV for no
 * such adapter). */
int wc_hci_devinfo(int dev_id, struct hci_dev_info *di);

/* Whether the adapter in *di (from wc_hci_devinfo) is up. */
bool wc_hci_dev_is_up(const struct hci_dev_info *di);

/* ---- commands ---- */

/* Sends one command packet pkt[0..n) (as wc_hci_cmd_build makes it;
 * EINVAL otherwise) on fd (from wc_hci_open) and waits until timeout_ms
 * for the Command Complete or Command Status with its opcode.  For the
 * wait, the socket's HCI filter is replaced by one that passes only those
 * two events for this opcode; the previous filter is restored on every path (a failure
 * to restore it is this call's failure).  Other packets that arrive
 * (already queued, another opcode's answer, malformed) are skipped.
 *
 * Returns 0 with *r filled when the answer came, whatever its status; the
 * return parameters are copied to rbuf (rbuf_len bytes at most; more are
 * cut, r->rlen says how many were kept) and r->rparam points there.
 * Otherwise -1 with errno: ETIMEDOUT, EINVAL (bad arguments), or the
 * failing call's.  rbuf may be NULL when rbuf_len is 0. */
int wc_hci_request(int fd, const uint8_t *pkt, size_t n, uint8_t *rbuf,
		   size_t rbuf_len, struct wc_hci_reply *r, int timeout_ms);

/* The wait half of wc_hci_request, without touching the filter: reads
 * packets from fd until the answer to opcode or deadline_ms (absolute,
 * CLOCK_MONOTONIC ms, see clock.h).  Same result as wc_hci_request.
 * EINTR and EAGAIN are retried until the deadline. */
int wc_hci_wait_reply(int fd, uint16_t opcode, uint8_t *rbuf,
		      size_t rbuf_len, struct wc_hci_reply *r,
		      uint64_t deadline_ms);

/* The three commands, sent with wc_hci_request.  A controller that
 * answers with a non-zero status gives -1 with errno EIO and, when
 * hci_status is not NULL, its status there (on success too: 0).
 *
 * Read RSSI of connection handle: 0 and *rssi in dBm, or -1 with errno
 * (EIO: the controller refused; EBADMSG: a short answer, or one for
 * another handle). */
int wc_hci_read_rssi(int fd, uint16_t handle, int8_t *rssi,
		     uint8_t *hci_status, int timeout_ms);

/* LE Set Scan Parameters; interval and window in units of 0.625 ms,
 * host order.  0, or -1 with errno (EIO: refused; EBADMSG: no status). */
int wc_hci_le_set_scan_params(int fd, uint8_t type, uint16_t interval,
			      uint16_t window, uint8_t own_addr_type,
			      uint8_t filter_policy, uint8_t *hci_status,
			      int timeout_ms);

/* LE Set Scan Enable.  0, or -1 with errno as above. */
int wc_hci_le_set_scan_enable(int fd, bool enable, bool filter_dup,
			      uint8_t *hci_status, int timeout_ms);

#endif
