/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ATT client: requests with deadlines, notifications, strict checking. */
#include "att.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>

#include "bytes.h"
#include "clock.h"

#define ATT_ERROR_RSP_LEN 5
/* a write command waits this long at most for socket buffer space */
#define ATT_CMD_SEND_MS 1000

enum att_op_type {
	ATT_OP_TYPE_UNKNOWN = 0,
	ATT_OP_TYPE_REQ,  /* waits for a response */
	ATT_OP_TYPE_RSP,
	ATT_OP_TYPE_CMD,  /* no answer */
	ATT_OP_TYPE_NFY,
	ATT_OP_TYPE_IND,  /* answered with a confirmation */
	ATT_OP_TYPE_CONF,
};

/* What each opcode is; sentinel opcode 0 (not a valid opcode). */
static const struct {
	uint8_t op;
	enum att_op_type type;
} att_op_table[] = {
	{ ATT_OP_ERROR_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_MTU_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_MTU_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_FIND_INFO_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_FIND_INFO_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_FIND_BY_TYPE_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_FIND_BY_TYPE_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_READ_BY_TYPE_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_READ_BY_TYPE_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_READ_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_READ_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_READ_BLOB_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_READ_BLOB_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_READ_MULT_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_READ_MULT_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_READ_BY_GROUP_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_READ_BY_GROUP_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_WRITE_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_WRITE_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_PREP_WRITE_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_PREP_WRITE_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_EXEC_WRITE_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_EXEC_WRITE_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_NOTIFY, ATT_OP_TYPE_NFY },
	{ ATT_OP_INDICATE, ATT_OP_TYPE_IND },
	{ ATT_OP_CONFIRM, ATT_OP_TYPE_CONF },
	{ ATT_OP_READ_MULT_VAR_REQ, ATT_OP_TYPE_REQ },
	{ ATT_OP_READ_MULT_VAR_RSP, ATT_OP_TYPE_RSP },
	{ ATT_OP_WRITE_CMD, ATT_OP_TYPE_CMD },
	{ ATT_OP_SIGNED_WRITE_CMD, ATT_OP_TYPE_CMD },
	{ 0, ATT_OP_TYPE_UNKNOWN },
};

/* Which response answers which request; sentinel 0. */
static const struct {
	uint8_t req;
	uint8_t rsp;
} att_req_rsp_table[] = {
	{ ATT_OP_MTU_REQ, ATT_OP_MTU_RSP },
	{ ATT_OP_FIND_INFO_REQ, ATT_OP_FIND_INFO_RSP },
	{ ATT_OP_FIND_BY_TYPE_REQ, ATT_OP_FIND_BY_TYPE_RSP },
	{ ATT_OP_READ_BY_TYPE_REQ, ATT_OP_READ_BY_TYPE_RSP },
	{ ATT_OP_READ_REQ, ATT_OP_READ_RSP },
	{ ATT_OP_READ_BLOB_REQ, ATT_OP_READ_BLOB_RSP },
	{ ATT_OP_READ_MULT_REQ, ATT_OP_READ_MULT_RSP },
	{ ATT_OP_READ_BY_GROUP_REQ, ATT_OP_READ_BY_GROUP_RSP },
	{ ATT_OP_WRITE_REQ, ATT_OP_WRITE_RSP },
	{ ATT_OP_PREP_WRITE_REQ, ATT_OP_PREP_WRITE_RSP },
	{ ATT_OP_EXEC_WRITE_REQ, ATT_OP_EXEC_WRITE_RSP },
	{ ATT_OP_READ_MULT_VAR_REQ, ATT_OP_READ_MULT_VAR_RSP },
	{ 0, 0 },
};

static const struct {
	uint8_t code;
	const char *name;
} att_ecode_table[] = {
	{ ATT_ECODE_INVALID_HANDLE, "invalid handle" },
	{ ATT_ECODE_READ_NOT_PERMITTED, "read not permitted" },
	{ ATT_ECODE_WRITE_NOT_PERMITTED, "write not permitted" },
	{ ATT_ECODE_INVALID_PDU, "invalid PDU" },
	{ ATT_ECODE_INSUFF_AUTHENTICATION, "insufficient authentication" },
	{ ATT_ECODE_REQ_NOT_SUPP, "request not supported" },
	{ ATT_ECODE_INVALID_OFFSET, "invalid offset" },
	{ ATT_ECODE_INSUFF_AUTHORIZATION, "insufficient authorization" },
	{ ATT_ECODE_PREP_QUEUE_FULL, "prepare queue full" },
	{ ATT_ECODE_ATTR_NOT_FOUND, "attribute not found" },
	{ ATT_ECODE_ATTR_NOT_LONG, "attribute not long" },
	{ ATT_ECODE_INSUFF_ENC_KEY_SIZE, "insufficient encryption key size" },
	{ ATT_ECODE_INVALID_VALUE_LEN, "invalid attribute value length" },
	{ ATT_ECODE_UNLIKELY, "unlikely error" },
	{ ATT_ECODE_INSUFF_ENCRYPTION, "insufficient encryption" },
	{ ATT_ECODE_UNSUPPORTED_GROUP, "unsupported group type" },
	{ ATT_ECODE_INSUFF_RESOURCES, "insufficient resources" },
	{ 0, NULL },
};

struct att {
	int fd;               /* not owned */
	uint16_t mtu;         /* effective ATT_MTU, 23 until exchanged */
	bool dead;            /* a violation/timeout/close ended the link */
	bool busy;            /* inside a request or att_wait: no nesting */
	bool rx_first;        /* the last I/O was a receive: read before poll */
	unsigned round_trips; /* answered requests since the last reset */
	void (*notify_cb)(void *user, uint16_t handle, const uint8_t *value,
			  size_t len);
	void *notify_user;
	/* one byte more than the largest MTU, so an oversize PDU shows */
	uint8_t rx[ATT_MAX_MTU + 1];
};

/* ---- tables and UUIDs ---- */

static enum att_op_type op_type(uint8_t op)
{
	size_t i;

	for (i = 0; att_op_table[i].op; i++)
		if (att_op_table[i].op == op)
			return att_op_table[i].type;
	return ATT_OP_TYPE_UNKNOWN;
}

static uint8_t rsp_for(uint8_t req)
{
	size_t i;

	for (i = 0; att_req_rsp_table[i].req; i++)
		if (att_req_rsp_table[i].req == req)
			return att_req_rsp_table[i].rsp;
	return 0;
}

const char *att_ecode_name(uint8_t ecode)
{
	size_t i;

	for (i = 0; att_ecode_table[i].code; i++)
		if (att_ecode_table[i].code == ecode)
			return att_ecode_table[i].name;
	if (ecode >= ATT_ECODE_APP_FIRST && ecode <= ATT_ECODE_APP_LAST)
		return "application error";
	return "unknown error";
}

/* 0000xxxx-0000-1000-8000-00805f9b34fb */
static const uint8_t base_uuid[16] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x80, 0x00, 0x00, 0x80, 0x5f, 0x9b, 0x34, 0xfb,
};

struct att_uuid att_uuid16(uint16_t u)
{
	struct att_uuid r;

	memcpy(r.b, base_uuid, sizeof(r.b));
	put_be16(r.b + 2, u);
	return r;
}

bool att_uuid_to16(const struct att_uuid *u, uint16_t *out)
{
	if (u->b[0] || u->b[1] || memcmp(u->b + 4, base_uuid + 4, 12) != 0)
		return false;
	if (out)
		*out = get_be16(u->b + 2);
	return true;
}

bool att_uuid_eq(const struct att_uuid *a, const struct att_uuid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* UUID as the wire has it: 2 or 16 bytes, little-endian */
static struct att_uuid uuid_from_wire(const uint8_t *p, size_t n)
{
	struct att_uuid r;
	size_t i;

	if (n == 2)
		return att_uuid16(get_le16(p));
	for (i = 0; i < 16; i++)
		r.b[i] = p[15 - i];
	return r;
}

/* ---- lifetime and settings ---- */

struct att *att_new(int fd)
{
	struct att *a;

	if (fd < 0)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->fd = fd;
	a->mtu = ATT_DEFAULT_MTU;
	return a;
}

void att_free(struct att *a)
{
	free(a);
}

void att_set_notify_cb(struct att *a,
		       void (*cb)(void *user, uint16_t handle,
				  const uint8_t *value, size_t len),
		       void *user)
{
	if (!a)
		return;
	a->notify_cb = cb;
	a->notify_user = user;
}

unsigned att_round_trips(const struct att *a)
{
	return a ? a->round_trips : 0;
}

void att_reset_round_trips(struct att *a)
{
	if (a)
		a->round_trips = 0;
}

uint16_t att_mtu(const struct att *a)
{
	return a ? a->mtu : 0;
}

bool att_alive(const struct att *a)
{
	return a && !a->dead;
}

/* ---- I/O ---- */

/* End the link: from now on every call fails fast. */
static enum wc_err kill_link(struct att *a, struct wc_diag *d,
			     enum wc_err code, uint32_t x, uint32_t y)
{
	a->dead = true;
	return wc_fail(d, code, x, y);
}

static enum wc_err send_pdu(struct att *a, const uint8_t *pdu, size_t len,
			    uint64_t deadline_ms, struct wc_diag *d)
{
	if (len > a->mtu)
		return wc_fail(d, WC_E_ARG, (uint32_t)len, a->mtu);
	for (;;) {
		struct pollfd p = { .fd = a->fd, .events = POLLOUT };
		/* MSG_NOSIGNAL: a closed peer must not SIGPIPE the daemon */
		ssize_t n = send(a->fd, pdu, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		int pr;

		if (n == (ssize_t)len) {
			a->rx_first = false; /* the answer is not there yet */
			return WC_OK;
		}
		if (n >= 0) /* SEQPACKET sends whole PDUs or nothing */
			return kill_link(a, d, WC_E_IO, EMSGSIZE, 0);
		if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
			return kill_link(a, d, WC_E_CLOSED, (uint32_t)errno, 0);
		if (errno != EAGAIN && errno != EINTR)
			return kill_link(a, d, WC_E_IO, (uint32_t)errno, 0);
		if (errno == EINTR)
			continue;
		pr = poll(&p, 1, wc_ms_left(deadline_ms));
		if (pr == 0)
			return kill_link(a, d, WC_E_TIMEOUT, 0, 0);
		if (pr < 0 && errno != EINTR)
			return kill_link(a, d, WC_E_IO, (uint32_t)errno, 0);
	}
}

/* Wait for and read one PDU into a->rx.  WC_E_TIMEOUT leaves the link
 * alone (the caller decides); everything else that fails kills it.
 *
 * A response and the notifications after it arrive back to back, so once
 * a PDU has been read the next is often queued already: then we read
 * first and sleep in poll() only when nothing is there.  Right after a
 * send nothing is, so we poll first.  On a virtual machine a poll() that
 * sleeps costs several times the read. */
static enum wc_err recv_pdu(struct att *a, uint64_t deadline_ms, size_t *len,
			    struct wc_diag *d)
{
	bool read_first = a->rx_first;

	for (;;) {
		ssize_t n;

		if (!read_first) {
			struct pollfd p = { .fd = a->fd, .events = POLLIN };
			int pr = poll(&p, 1, wc_ms_left(deadline_ms));

			if (pr == 0)
				return WC_E_TIMEOUT;
			if (pr < 0) {
				if (errno == EINTR)
					continue;
				return kill_link(a, d, WC_E_IO, (uint32_t)errno,
						 0);
			}
		}
		n = recv(a->fd, a->rx, sizeof(a->rx), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (read_first && errno == EAGAIN &&
			    wc_ms_left(deadline_ms) == 0)
				return WC_E_TIMEOUT; /* a drain: nothing left */
			read_first = false; /* nothing queued: sleep in poll() */
			continue;
		}
		if (n == 0)
			return kill_link(a, d, WC_E_CLOSED, 0, 0);
		if (n < 0) {
			if (errno == ECONNRESET || errno == ENOTCONN ||
			    errno == EPIPE)
				return kill_link(a, d, WC_E_CLOSED,
						 (uint32_t)errno, 0);
			return kill_link(a, d, WC_E_IO, (uint32_t)errno, 0);
		}
		a->rx_first = true;
		if ((size_t)n > a->mtu)
			return kill_link(a, d, WC_E_PROTO, a->rx[0],
					 (uint32_t)n);
		*len = (size_t)n;
		return WC_OK;
	}
}

enum pdu_kind {
	PDU_EVENT,    /* notification/indication delivered */
	PDU_HANDLED,  /* dealt with (a peer request answered, a command) */
	PDU_RESPONSE, /* a response: for the caller to match */
};

/* Notifications, indications and the peer's own requests are handled here,
 * whatever the caller waits for. */
static enum wc_err dispatch(struct att *a, size_t len, enum pdu_kind *kind,
			    struct wc_diag *d)
{
	const uint8_t *p = a->rx;
	uint8_t op = p[0];
	uint8_t out[5];

	switch (op_type(op)) {
	case ATT_OP_TYPE_NFY:
	case ATT_OP_TYPE_IND:
		if (len < 3)
			return kill_link(a, d, WC_E_PROTO, op, (uint32_t)len);
		if (a->notify_cb)
			a->notify_cb(a->notify_user, get_le16(p + 1), p + 3,
				     len - 3);
		*kind = PDU_EVENT;
		if (op == ATT_OP_INDICATE) {
			out[0] = ATT_OP_CONFIRM;
			/* a confirmation is tiny; the request's own budget
			 * would be unrelated, so give it the command bound */
			return send_pdu(a, out, 1,
					wc_deadline_in(ATT_CMD_SEND_MS), d);
		}
		return WC_OK;
	case ATT_OP_TYPE_RSP:
		*kind = PDU_RESPONSE;
		return WC_OK;
	case ATT_OP_TYPE_REQ:
		*kind = PDU_HANDLED;
		/* The peer asks us as a server.  We keep no database: the
		 * MTU is agreed, anything else is "not supported", as the
		 * spec asks of a server that lacks the request. */
		if (op == ATT_OP_MTU_REQ && len == 3) {
			uint16_t theirs = get_le16(p + 1);

			out[0] = ATT_OP_MTU_RSP;
			put_le16(out + 1, ATT_MAX_MTU);
			a->mtu = theirs < ATT_DEFAULT_MTU ? ATT_DEFAULT_MTU :
				 theirs > ATT_MAX_MTU	  ? ATT_MAX_MTU :
							    theirs;
			return send_pdu(a, out, 3,
					wc_deadline_in(ATT_CMD_SEND_MS), d);
		}
		out[0] = ATT_OP_ERROR_RSP;
		out[1] = op;
		put_le16(out + 2, len >= 3 ? get_le16(p + 1) : 0);
		out[4] = ATT_ECODE_REQ_NOT_SUPP;
		return send_pdu(a, out, 5, wc_deadline_in(ATT_CMD_SEND_MS), d);
	case ATT_OP_TYPE_CMD:
		*kind = PDU_HANDLED; /* nothing of ours to write to */
		return WC_OK;
	case ATT_OP_TYPE_CONF:
	case ATT_OP_TYPE_UNKNOWN:
	default:
		if (op & ATT_OP_CMD_FLAG) {
			*kind = PDU_HANDLED; /* unknown commands are ignored */
			return WC_OK;
		}
		return kill_link(a, d, WC_E_PROTO, op, (uint32_t)len);
	}
}

static enum wc_err enter(struct att *a, struct wc_diag *d)
{
	if (!a)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (a->dead)
		return wc_fail(d, WC_E_CLOSED, 0, 0);
	if (a->busy) /* from inside the notification callback */
		return wc_fail(d, WC_E_ARG, 0, 0);
	return WC_OK;
}

/* Send one request and wait for its response, which is left in a->rx
 * (length *rsp_len).  Error Responses become WC_E_ATT. */
static enum wc_err request(struct att *a, const uint8_t *req, size_t req_len,
			   size_t *rsp_len, uint64_t deadline_ms,
			   struct wc_diag *d)
{
	uint64_t start = wc_now_ms();
	uint8_t want = rsp_for(req[0]);
	enum wc_err rc;

	rc = enter(a, d);
	if (rc != WC_OK)
		return rc;
	/* built by this file, so a mismatch is a bug, not the peer's */
	if (op_type(req[0]) != ATT_OP_TYPE_REQ || !want)
		return wc_fail(d, WC_E_ARG, req[0], 0);
	a->busy = true;
	rc = send_pdu(a, req, req_len, deadline_ms, d);
	while (rc == WC_OK) {
		enum pdu_kind kind = PDU_HANDLED;
		size_t len;

		rc = recv_pdu(a, deadline_ms, &len, d);
		if (rc == WC_E_TIMEOUT) {
			/* ATT: a transaction that times out ends the bearer */
			rc = kill_link(a, d, WC_E_TIMEOUT,
				       (uint32_t)(wc_now_ms() - start), 0);
			break;
		}
		if (rc != WC_OK)
			break;
		rc = dispatch(a, len, &kind, d);
		if (rc == WC_OK && kind != PDU_RESPONSE &&
		    wc_ms_left(deadline_ms) == 0) {
			/* A peer that never stops notifying must not stretch
			 * the deadline. */
			rc = kill_link(a, d, WC_E_TIMEOUT,
				       (uint32_t)(wc_now_ms() - start), 0);
			break;
		}
		if (rc != WC_OK || kind != PDU_RESPONSE)
			continue;
		if (a->rx[0] == want) {
			a->round_trips++;
			*rsp_len = len;
			break;
		}
		if (a->rx[0] == ATT_OP_ERROR_RSP && len == ATT_ERROR_RSP_LEN &&
		    a->rx[1] == req[0]) {
			a->round_trips++;
			rc = wc_fail(d, WC_E_ATT, req[0], a->rx[4]);
			break;
		}
		rc = kill_link(a, d, WC_E_PROTO, a->rx[0], (uint32_t)len);
	}
	a->busy = false;
	return rc;
}

static bool is_not_found(enum wc_err rc, const struct wc_diag *d)
{
	return rc == WC_E_ATT && d->b == ATT_ECODE_ATTR_NOT_FOUND;
}

/* A well-formed response that breaks a rule of its request: the peer is
 * confused, and we do not resynchronise. */
static enum wc_err bad_rsp(struct att *a, struct wc_diag *d, size_t len)
{
	return kill_link(a, d, WC_E_PROTO, a->rx[0], (uint32_t)len);
}

/* ---- requests ---- */

enum wc_err att_exchange_mtu(struct att *a, uint16_t want, uint16_t *mtu_out,
			     uint64_t deadline_ms, struct wc_diag *d)
{
	struct wc_diag dd = { WC_OK, 0, 0 };
	uint8_t req[3];
	uint16_t theirs;
	size_t len;
	enum wc_err rc;

	if (want < ATT_DEFAULT_MTU)
		want = ATT_DEFAULT_MTU;
	if (want > ATT_MAX_MTU)
		want = ATT_MAX_MTU;
	req[0] = ATT_OP_MTU_REQ;
	put_le16(req + 1, want);
	rc = request(a, req, sizeof(req), &len, deadline_ms, &dd);
	if (rc == WC_E_ATT && dd.b == ATT_ECODE_REQ_NOT_SUPP) {
		/* a server without the exchange keeps the default */
		if (mtu_out)
			*mtu_out = a->mtu;
		return WC_OK;
	}
	if (rc != WC_OK)
		return wc_fail(d, rc, dd.a, dd.b);
	if (len != 3)
		return bad_rsp(a, d, len);
	theirs = get_le16(a->rx + 1);
	/* a server below 23 breaks the spec; 23 is what both can do */
	a->mtu = theirs < want ? theirs : want;
	if (a->mtu < ATT_DEFAULT_MTU)
		a->mtu = ATT_DEFAULT_MTU;
	if (mtu_out)
		*mtu_out = a->mtu;
	return WC_OK;
}

/* Walk the primary services; visit() returns true to stop early. */
static enum wc_err walk_services(struct att *a,
				 bool (*visit)(void *ctx,
					       const struct att_service *s),
				 void *ctx, bool *stopped,
				 uint64_t deadline_ms, struct wc_diag *d)
{
	uint16_t start = 0x0001;

	*stopped = false;
	for (;;) {
		struct wc_diag dd = { WC_OK, 0, 0 };
		uint8_t req[7];
		size_t len, elen, off;
		uint16_t last_end = 0;
		enum wc_err rc;

		req[0] = ATT_OP_READ_BY_GROUP_REQ;
		put_le16(req + 1, start);
		put_le16(req + 3, 0xFFFF);
		put_le16(req + 5, GATT_UUID_PRIMARY);
		rc = request(a, req, sizeof(req), &len, deadline_ms, &dd);
		if (is_not_found(rc, &dd))
			return WC_OK;
		if (rc != WC_OK)
			return wc_fail(d, rc, dd.a, dd.b);
		/* opcode, entry length, then entries of start, end, UUID */
		if (len < 2)
			return bad_rsp(a, d, len);
		elen = a->rx[1];
		if ((elen != 4 + 2 && elen != 4 + 16) || len - 2 < elen ||
		    (len - 2) % elen != 0)
			return bad_rsp(a, d, len);
		for (off = 2; off < len; off += elen) {
			struct att_service s;

			s.start = get_le16(a->rx + off);
			s.end = get_le16(a->rx + off + 2);
			s.uuid = uuid_from_wire(a->rx + off + 4, elen - 4);
			/* groups ascend inside the asked range, or the walk
			 * could loop */
			if (s.start < start || s.end < s.start ||
			    (last_end && s.start <= last_end))
				return bad_rsp(a, d, len);
			last_end = s.end;
			if (visit(ctx, &s)) {
				*stopped = true;
				return WC_OK;
			}
		}
		if (last_end == 0xFFFF)
			return WC_OK;
		start = (uint16_t)(last_end + 1);
	}
}

struct find_ctx {
	const struct att_uuid *uuid;
	struct att_service found;
};

static bool find_visit(void *ctx, const struct att_service *s)
{
	struct find_ctx *f = ctx;

	if (!att_uuid_eq(&s->uuid, f->uuid))
		return false;
	f->found = *s;
	return true;
}

enum wc_err att_find_primary(struct att *a, const struct att_uuid *uuid,
			     uint16_t *start, uint16_t *end,
			     uint64_t deadline_ms, struct wc_diag *d)
{
	struct find_ctx f;
	bool stopped;
	enum wc_err rc;

	if (!uuid || !start || !end)
		return wc_fail(d, WC_E_ARG, 0, 0);
	memset(&f, 0, sizeof(f));
	f.uuid = uuid;
	rc = walk_services(a, find_visit, &f, &stopped, deadline_ms, d);
	if (rc != WC_OK)
		return rc;
	if (!stopped)
		return wc_fail(d, WC_E_NOT_FOUND, 0, 0);
	*start = f.found.start;
	*end = f.found.end;
	return WC_OK;
}

struct list_ctx {
	struct att_service *out;
	size_t max;
	size_t n;
	bool overflow;
};

static bool list_visit(void *ctx, const struct att_service *s)
{
	struct list_ctx *l = ctx;

	if (l->n >= l->max) {
		l->overflow = true;
		return true;
	}
	l->out[l->n++] = *s;
	return false;
}

enum wc_err att_discover_services(struct att *a, struct att_service *out,
				  size_t max, size_t *n, uint64_t deadline_ms,
				  struct wc_diag *d)
{
	struct list_ctx l = { out, max, 0, false };
	bool stopped;
	enum wc_err rc;

	if (!n || (!out && max))
		return wc_fail(d, WC_E_ARG, 0, 0);
	*n = 0;
	rc = walk_services(a, list_visit, &l, &stopped, deadline_ms, d);
	*n = l.n;
	if (rc != WC_OK)
		return rc;
	if (l.overflow)
		return wc_fail(d, WC_E_NOSPACE, (uint32_t)max + 1,
			       (uint32_t)max);
	return WC_OK;
}

enum wc_err att_discover_chars(struct att *a, uint16_t start, uint16_t end,
			       struct att_char *out, size_t max, size_t *n,
			       uint64_t deadline_ms, struct wc_diag *d)
{
	uint16_t next = start;
	size_t count = 0, i;
	enum wc_err rc = WC_OK;

	if (!n || (!out && max) || start == 0 || start > end)
		return wc_fail(d, WC_E_ARG, start, end);
	*n = 0;
	for (;;) {
		struct wc_diag dd = { WC_OK, 0, 0 };
		uint8_t req[7];
		size_t len, elen, off;
		uint16_t last = 0;

		req[0] = ATT_OP_READ_BY_TYPE_REQ;
		put_le16(req + 1, next);
		put_le16(req + 3, end);
		put_le16(req + 5, GATT_UUID_CHAR);
		rc = request(a, req, sizeof(req), &len, deadline_ms, &dd);
		if (is_not_found(rc, &dd)) {
			rc = WC_OK;
			break;
		}
		if (rc != WC_OK)
			return wc_fail(d, rc, dd.a, dd.b);
		/* opcode, entry length, then entries of declaration handle,
		 * properties, value handle, UUID */
		if (len < 2)
			return bad_rsp(a, d, len);
		elen = a->rx[1];
		if ((elen != 5 + 2 && elen != 5 + 16) || len - 2 < elen ||
		    (len - 2) % elen != 0)
			return bad_rsp(a, d, len);
		for (off = 2; off < len; off += elen) {
			struct att_char c;

			c.decl_handle = get_le16(a->rx + off);
			c.props = a->rx[off + 2];
			c.value_handle = get_le16(a->rx + off + 3);
			c.uuid = uuid_from_wire(a->rx + off + 5, elen - 5);
			c.end_handle = end;
			if (c.decl_handle < next || c.decl_handle > end ||
			    (last && c.decl_handle <= last) ||
			    c.value_handle <= c.decl_handle ||
			    c.value_handle > end)
				return bad_rsp(a, d, len);
			last = c.decl_handle;
			if (count >= max) {
				rc = wc_fail(d, WC_E_NOSPACE,
					     (uint32_t)max + 1, (uint32_t)max);
				goto out;
			}
			out[count++] = c;
		}
		/* Another characteristic needs a declaration and a value
		 * handle after the last value: with no room for both, asking
		 * again would only fetch "attribute not found". */
		if (last >= end || (uint32_t)out[count - 1].value_handle + 2 > end)
			break;
		next = (uint16_t)(last + 1);
	}
out:
	/* a characteristic's descriptors run up to the next declaration */
	for (i = 0; i + 1 < count; i++)
		out[i].end_handle = (uint16_t)(out[i + 1].decl_handle - 1);
	*n = count;
	return rc;
}

enum wc_err att_find_cccd(struct att *a, uint16_t start, uint16_t end,
			  uint16_t *cccd_handle, uint64_t deadline_ms,
			  struct wc_diag *d)
{
	uint16_t next = start;

	if (!cccd_handle || start == 0 || start > end)
		return wc_fail(d, WC_E_ARG, start, end);
	for (;;) {
		struct wc_diag dd = { WC_OK, 0, 0 };
		uint8_t req[5];
		size_t len, elen, off;
		uint16_t last = 0;
		enum wc_err rc;

		req[0] = ATT_OP_FIND_INFO_REQ;
		put_le16(req + 1, next);
		put_le16(req + 3, end);
		rc = request(a, req, sizeof(req), &len, deadline_ms, &dd);
		if (is_not_found(rc, &dd))
			return wc_fail(d, WC_E_NOT_FOUND, 0, 0);
		if (rc != WC_OK)
			return wc_fail(d, rc, dd.a, dd.b);
		/* opcode, format (1: 16-bit UUIDs, 2: 128-bit), then pairs
		 * of handle and UUID */
		if (len < 2 || (a->rx[1] != 1 && a->rx[1] != 2))
			return bad_rsp(a, d, len);
		elen = a->rx[1] == 1 ? 2 + 2 : 2 + 16;
		if (len - 2 < elen || (len - 2) % elen != 0)
			return bad_rsp(a, d, len);
		for (off = 2; off < len; off += elen) {
			uint16_t h = get_le16(a->rx + off);

			if (h < next || h > end || (last && h <= last))
				return bad_rsp(a, d, len);
			last = h;
			if (elen == 4 &&
			    get_le16(a->rx + off + 2) == GATT_UUID_CCCD) {
				*cccd_handle = h;
				return WC_OK;
			}
		}
		if (last >= end)
			return wc_fail(d, WC_E_NOT_FOUND, 0, 0);
		next = (uint16_t)(last + 1);
	}
}

enum wc_err att_read(struct att *a, uint16_t handle, uint8_t *buf,
		     size_t cap, size_t *len, uint64_t deadline_ms,
		     struct wc_diag *d)
{
	uint8_t req[3];
	size_t rlen;
	enum wc_err rc;

	if (!len || (!buf && cap) || handle == 0)
		return wc_fail(d, WC_E_ARG, handle, 0);
	req[0] = ATT_OP_READ_REQ;
	put_le16(req + 1, handle);
	rc = request(a, req, sizeof(req), &rlen, deadline_ms, d);
	if (rc != WC_OK)
		return rc;
	if (rlen - 1 > cap)
		return wc_fail(d, WC_E_NOSPACE, (uint32_t)(rlen - 1),
			       (uint32_t)cap);
	if (rlen > 1)
		memcpy(buf, a->rx + 1, rlen - 1);
	*len = rlen - 1;
	return WC_OK;
}

static enum wc_err build_write(uint8_t *pdu, uint8_t op, uint16_t handle,
			       const uint8_t *data, size_t len, uint16_t mtu,
			       struct wc_diag *d)
{
	if (handle == 0 || (!data && len))
		return wc_fail(d, WC_E_ARG, handle, 0);
	if (3 + len > mtu)
		return wc_fail(d, WC_E_ARG, (uint32_t)(3 + len), mtu);
	pdu[0] = op;
	put_le16(pdu + 1, handle);
	if (len)
		memcpy(pdu + 3, data, len);
	return WC_OK;
}

enum wc_err att_write_req(struct att *a, uint16_t handle, const uint8_t *data,
			  size_t len, uint64_t deadline_ms, struct wc_diag *d)
{
	uint8_t pdu[ATT_MAX_MTU];
	size_t rlen;
	enum wc_err rc;

	rc = enter(a, d);
	if (rc != WC_OK)
		return rc;
	rc = build_write(pdu, ATT_OP_WRITE_REQ, handle, data, len, a->mtu, d);
	if (rc != WC_OK)
		return rc;
	rc = request(a, pdu, 3 + len, &rlen, deadline_ms, d);
	if (rc != WC_OK)
		return rc;
	if (rlen != 1)
		return bad_rsp(a, d, rlen);
	return WC_OK;
}

enum wc_err att_write_cmd(struct att *a, uint16_t handle, const uint8_t *data,
			  size_t len, struct wc_diag *d)
{
	uint8_t pdu[ATT_MAX_MTU];
	enum wc_err rc;

	if (!a)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (a->dead)
		return wc_fail(d, WC_E_CLOSED, 0, 0);
	/* allowed while busy: a command needs no answer, so it cannot get
	 * tangled with the pending request */
	rc = build_write(pdu, ATT_OP_WRITE_CMD, handle, data, len, a->mtu, d);
	if (rc != WC_OK)
		return rc;
	return send_pdu(a, pdu, 3 + len, wc_deadline_in(ATT_CMD_SEND_MS), d);
}

enum wc_err att_wait(struct att *a, uint64_t deadline_ms, struct wc_diag *d)
{
	uint64_t start = wc_now_ms();
	enum wc_err rc;

	rc = enter(a, d);
	if (rc != WC_OK)
		return rc;
	a->busy = true;
	for (;;) {
		enum pdu_kind kind = PDU_HANDLED;
		size_t len;

		rc = recv_pdu(a, deadline_ms, &len, d);
		if (rc == WC_E_TIMEOUT) {
			/* waiting for a frame that may not come is normal
			 * (head detection): the link survives */
			rc = wc_fail(d, WC_E_TIMEOUT,
				     (uint32_t)(wc_now_ms() - start), 0);
			break;
		}
		if (rc != WC_OK)
			break;
		rc = dispatch(a, len, &kind, d);
		if (rc != WC_OK || kind == PDU_EVENT)
			break;
		if (kind == PDU_RESPONSE) {
			rc = kill_link(a, d, WC_E_PROTO, a->rx[0],
				       (uint32_t)len);
			break;
		}
	}
	a->busy = false;
	return rc;
}
