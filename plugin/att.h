/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An ATT client over any connected SOCK_SEQPACKET fd (one read = one PDU):
 * the L2CAP ATT channel of a battery or the simulator's Unix socket.
 *
 * BlueZ shape (doc/DESIGN.md, "ATT client"): an opaque struct att with an
 * explicit lifetime, verbs named att_*, no printing, no aborting.  Every
 * request takes an absolute deadline (clock.h) and reports failures as an
 * enum wc_err plus a struct wc_diag (may be NULL):
 *   WC_E_ATT      Error Response; d->a = request opcode, d->b = error code.
 *                 The link stays usable.
 *   WC_E_PROTO    unexpected or malformed PDU, or one longer than the MTU;
 *                 d->a = its opcode.  The link is dead.
 *   WC_E_TIMEOUT  the deadline passed; d->a = ms waited.  For a request the
 *                 link is dead (ATT transaction timeout); for att_wait() it
 *                 is not.
 *   WC_E_CLOSED   the peer closed (read 0, ECONNRESET, EPIPE), or the link
 *                 was already dead: every later call fails fast with this.
 *                 d->a = the errno (0 for an orderly close), which on an
 *                 L2CAP socket tells why the link went (linkcause.h).
 *   WC_E_IO       another system error; d->a = errno.  The link is dead.
 *   WC_E_ARG      bad argument, PDU longer than the MTU (d->a = length,
 *                 d->b = MTU; nothing sent), or a request issued from inside
 *                 the notification callback.
 * One request is in flight at a time.  Notifications and indications that
 * arrive while a request waits for its response are delivered, not lost;
 * indications are confirmed automatically.
 *
 * The fd is not owned: att_free() leaves it open, and its owner (the link)
 * closes it after att_free().  A dead att should be freed and the link
 * closed; att never resynchronises with a confused peer. */
#ifndef WC_ATT_H
#define WC_ATT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "att_opcodes.h"
#include "wc_error.h"

/* A UUID, always held as 128 bits in string (big-endian) order; a 16-bit
 * UUID is expanded with the Bluetooth base UUID, so comparing is memcmp
 * whatever size the peer used on the wire. */
struct att_uuid {
	uint8_t b[16];
};

struct att_uuid att_uuid16(uint16_t u);
bool att_uuid_eq(const struct att_uuid *a, const struct att_uuid *b);
/* true and *out when u is a base-UUID 16-bit value */
bool att_uuid_to16(const struct att_uuid *u, uint16_t *out);

struct att_service {
	uint16_t start;
	uint16_t end;
	struct att_uuid uuid;
};

struct att_char {
	uint16_t decl_handle;  /* the 0x2803 declaration */
	uint8_t props;         /* ATT_PROP_* */
	uint16_t value_handle;
	uint16_t end_handle;   /* last handle of this characteristic's
				  descriptors: where att_find_cccd() stops */
	struct att_uuid uuid;
};

/* Short name of an ATT error code ("attribute not found"). Never NULL. */
const char *att_ecode_name(uint8_t ecode);

struct att;

/* A client on fd (not owned).  MTU 23 until att_exchange_mtu().  NULL on
 * out of memory or fd < 0. */
struct att *att_new(int fd);
/* Frees; leaves the fd open.  NULL is a no-op. */
void att_free(struct att *a);

/* Called for each notification (0x1B) and indication (0x1D; the
 * confirmation 0x1E is sent after the callback returns) with the attribute
 * handle and value; value is valid during the call only.  The callback
 * must not free the att and must not issue requests or att_wait() on it
 * (those return WC_E_ARG); att_write_cmd() is allowed. */
void att_set_notify_cb(struct att *a,
		       void (*cb)(void *user, uint16_t handle,
				  const uint8_t *value, size_t len),
		       void *user);

/* Exchange MTU (0x02): ask for want (clamped to 23..517); the effective
 * MTU is min(want, the server's), at least 23, and is stored in the att
 * and in *mtu_out (may be NULL).  A server answering "request not
 * supported" leaves the MTU at 23 and is not an error. */
enum wc_err att_exchange_mtu(struct att *a, uint16_t want, uint16_t *mtu_out,
			     uint64_t deadline_ms, struct wc_diag *d);

/* All primary services, by Read By Group Type (0x10, type 0x2800) over
 * 0x0001-0xFFFF until the range is exhausted or "attribute not found";
 * 16- and 128-bit service UUIDs alike.  More than max services is
 * WC_E_NOSPACE (the first max are in out). */
enum wc_err att_discover_services(struct att *a, struct att_service *out,
				  size_t max, size_t *n, uint64_t deadline_ms,
				  struct wc_diag *d);

/* The handle range of the first primary service with this UUID, the same
 * way, stopping at the first response that names it.  WC_E_NOT_FOUND when
 * the database has none. */
enum wc_err att_find_primary(struct att *a, const struct att_uuid *uuid,
			     uint16_t *start, uint16_t *end,
			     uint64_t deadline_ms, struct wc_diag *d);

/* Characteristic declarations in start..end by Read By Type (0x08, type
 * 0x2803), with end_handle filled in.  None is WC_OK with *n = 0; more than
 * max is WC_E_NOSPACE. */
enum wc_err att_discover_chars(struct att *a, uint16_t start, uint16_t end,
			       struct att_char *out, size_t max, size_t *n,
			       uint64_t deadline_ms, struct wc_diag *d);

/* The Client Characteristic Configuration descriptor (0x2902) in
 * start..end (normally value_handle + 1 .. end_handle) by Find Information
 * (0x04).  WC_E_NOT_FOUND when there is none. */
enum wc_err att_find_cccd(struct att *a, uint16_t start, uint16_t end,
			  uint16_t *cccd_handle, uint64_t deadline_ms,
			  struct wc_diag *d);

/* Read Request (0x0A): the value (at most MTU - 1 bytes; no Read Blob)
 * into buf.  A value longer than cap is WC_E_NOSPACE (d->a = its length,
 * d->b = cap), nothing copied. */
enum wc_err att_read(struct att *a, uint16_t handle, uint8_t *buf,
		     size_t cap, size_t *len, uint64_t deadline_ms,
		     struct wc_diag *d);

/* Write Request (0x12), waits for the Write Response (0x13).  len ≤ MTU-3. */
enum wc_err att_write_req(struct att *a, uint16_t handle, const uint8_t *data,
			  size_t len, uint64_t deadline_ms, struct wc_diag *d);

/* Write Command (0x52): sent, no answer, not a round trip.  A full socket
 * buffer is waited for at most 1 s. */
enum wc_err att_write_cmd(struct att *a, uint16_t handle, const uint8_t *data,
			  size_t len, struct wc_diag *d);

/* Process incoming PDUs until at least one notification or indication was
 * delivered (WC_OK) or the deadline passes (WC_E_TIMEOUT; the link stays
 * usable).  A response without a request is WC_E_PROTO.  Call it while
 * the frame you expect is not yet complete. */
enum wc_err att_wait(struct att *a, uint64_t deadline_ms, struct wc_diag *d);

/* Requests that got their response (or an Error Response) since att_new
 * or the last reset; commands and notifications do not count. */
unsigned att_round_trips(const struct att *a);
void att_reset_round_trips(struct att *a);

uint16_t att_mtu(const struct att *a);

/* false once a protocol violation, timeout, I/O error or close ended the
 * link. */
bool att_alive(const struct att *a);

#endif
