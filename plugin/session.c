/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session of one battery, polled again and again: see session.h and doc/PROTOCOL.md §3. */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "att.h"
#include "clock.h"
#include "family.h"
#include "linkcause.h"
#include "watt.h"

#define POLL_DEFAULT_MTU 247
#define HEAD_PROBE_MS 3000   /* per head, as the app's detectProductHeader */
#define JBD_INFO_WAIT_MS 1000 /* JBD 0x05: optional, so briefly */
#define UUID_SVC 0xFFF0
#define UUID_NOTIFY 0xFFF1
#define UUID_WRITE 0xFFF2
#define UUID_UNLOCK 0xFFFA
#define UUID_JBD_SVC 0xFF00    /* classic JBD modules */
#define UUID_JBD_NOTIFY 0xFF01
#define UUID_JBD_WRITE 0xFF02

static const uint8_t unlock_key[] = { 'H', 'i', 'L', 'i', 'n', 'k' };
static const uint8_t cccd_notify[] = { 0x01, 0x00 };

/* The attribute handles of the data service, kept across connections,
 * and the protocol family the GATT database points to. */
struct handles {
	bool valid;
	uint16_t notify;      /* FFF1 (FF01) value */
	uint16_t notify_cccd; /* its CCCD */
	uint16_t write;       /* FFF2 (FF02) value */
	uint16_t unlock;      /* FFFA value; 0: none (JBD) */
	enum wc_family detected;
	bool other_ok;        /* the other family may be tried here */
};

/* What the reassembler has produced for the request in flight. */
struct capture {
	uint16_t want_dp;
	bool done;
	enum wc_err err;
	struct wc_diag diag;
	uint8_t frame[WC_FRAME_MAX];
	size_t len;
};

struct wc_session {
	char *name;
	char *address;
	char *adapter;
	struct wc_session_opts opts;

	struct wc_link *link;
	struct att *att;
	struct handles h;
	uint8_t head;              /* 0 until detected */
	bool family_known;         /* what answered is remembered, as the head */
	enum wc_family family;     /* the family that answered */
	const struct wc_proto *proto; /* the family of this run's requests */
	int unlock_readback;       /* first FFFA byte after unlock, -1 unknown */
	bool watt_silent;          /* this run: a request got no frame */
	bool info_valid;
	uint64_t info_ms;          /* when 0x92 was read */
	char firmware[WC_INFO_FIELD_LEN + 1];
	char manufacturer[WC_INFO_FIELD_LEN + 1];
	char serial[WC_INFO_FIELD_LEN + 1];

	struct wc_reasm reasm;
	struct capture cap;
	char *msg;                 /* caller's message buffer during a run */
	size_t msglen;
};

static void say(struct wc_session *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The failure sentence of this run: the first one wins, since later ones
 * are consequences. */
static void say(struct wc_session *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->msg || p->msglen == 0 || p->msg[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->msg, p->msglen, fmt, ap);
	va_end(ap);
}

static void clear_msg(struct wc_session *p)
{
	if (p->msg && p->msglen)
		p->msg[0] = '\0';
}

static void logf_(struct wc_session *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(struct wc_session *p, const char *fmt, ...)
{
	char line[WC_POLL_MSG_MAX];
	va_list ap;

	if (!p->opts.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->opts.log(p->opts.log_user, line);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void on_frame(void *user, enum wc_err err, const uint8_t *frame,
		     size_t len, const struct wc_diag *d)
{
	struct wc_session *p = user;
	struct capture *c = &p->cap;

	if (c->done)
		return; /* one frame per request; the rest is late or noise */
	if (err == WC_E_STRAY) {
		/* Garbage between frames costs nothing: the real answer
		 * still starts with 0x7E. */
		logf_(p, "ignored a stray notification of %zu bytes", len);
		return;
	}
	if (err == WC_OK) {
		uint16_t dp = p->proto->reply_id(frame, len);

		if (dp != c->want_dp) {
			logf_(p, "ignored a frame for DP 0x%02X while waiting for 0x%02X",
			      dp, c->want_dp);
			return;
		}
		memcpy(c->frame, frame, len);
		c->len = len;
	}
	c->err = err;
	if (d)
		c->diag = *d;
	c->done = true;
}

static void on_att_notify(void *user, uint16_t handle, const uint8_t *value,
		      size_t len)
{
	struct wc_session *p = user;

	if (handle != p->h.notify)
		return;
	wc_reasm_push(&p->reasm, value, len, wc_now_ms());
}

struct wc_session *wc_session_new(const struct wc_session_opts *opts)
{
	struct wc_session *p;

	if (!opts || !opts->link.address || opts->timeout_ms == 0)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->opts = *opts;
	p->name = dup_or_null(opts->name ? opts->name : opts->link.address);
	p->address = dup_or_null(opts->link.address);
	p->adapter = dup_or_null(opts->link.adapter);
	if (!p->name || !p->address || (opts->link.adapter && !p->adapter)) {
		wc_session_free(p);
		return NULL;
	}
	p->opts.name = p->name;
	p->opts.link.address = p->address;
	p->opts.link.adapter = p->adapter;
	/* a poll that hangs up after itself has the adapter to itself */
	p->opts.link.session = !p->opts.keep_connected;
	if (p->opts.mtu == 0)
		p->opts.mtu = POLL_DEFAULT_MTU;
	p->proto = wc_proto_of(WC_FAMILY_WATT);
	wc_reasm_init(&p->reasm, WC_FAMILY_WATT, WATT_REASM_STALE_MS, on_frame,
		      p);
	p->unlock_readback = -1;
	return p;
}

void wc_session_disconnect(struct wc_session *p)
{
	if (!p)
		return;
	att_free(p->att);
	p->att = NULL;
	wc_link_close(p->link);
	p->link = NULL;
	wc_reasm_reset(&p->reasm);
}

void wc_session_set_keep_connected(struct wc_session *p, bool keep)
{
	if (!p)
		return;
	if (!keep)
		wc_session_disconnect(p);
	p->opts.keep_connected = keep;
	p->opts.link.session = !keep;
}

void wc_session_free(struct wc_session *p)
{
	if (!p)
		return;
	wc_session_disconnect(p);
	free(p->name);
	free(p->address);
	free(p->adapter);
	free(p);
}

/* A Bluetooth link (not the simulator's unix socket): its errno tells
 * why it went, in linkcause.c's words. */
static const char *ble_cause(const struct wc_session *p, enum wc_err e,
			     const struct wc_diag *d)
{
	const char *why;

	if ((e != WC_E_CLOSED && e != WC_E_IO) ||
	    strncmp(p->address, "unix:", 5) == 0)
		return NULL;
	/* the kernel's reason for the disconnect, where it gave one */
	why = wc_link_drop_cause(p->link);
	if (why)
		return why;
	if (!d || d->a == 0)
		return NULL;
	return wc_linkcause_errno((int)d->a, WC_PHASE_LIVE);
}

/* "unexpected PDU 0x.." etc. with the step name in front. */
static enum wc_err step_failed(struct wc_session *p, const char *step,
			       enum wc_err e, const struct wc_diag *d)
{
	const char *cause = ble_cause(p, e, d);
	char buf[160];

	if (cause)
		say(p, "%s: %s", step, cause);
	else if (e == WC_E_ATT)
		say(p, "%s: ATT error 0x%02X (%s) to request 0x%02X", step,
		    (unsigned)d->b, att_ecode_name((uint8_t)d->b),
		    (unsigned)d->a);
	else if (e == WC_E_CLOSED)
		say(p, "%s: the battery closed the link", step);
	else if (e == WC_E_TIMEOUT)
		say(p, "%s: no answer before the poll deadline (%u ms)", step,
		    (unsigned)p->opts.timeout_ms);
	else
		say(p, "%s: %s", step, wc_diag_format(d, buf, sizeof(buf)));
	return e;
}

static enum wc_err connect_link(struct wc_session *p, uint64_t deadline,
				struct wc_poll_result *res, struct wc_diag *d)
{
	char why[WC_POLL_MSG_MAX] = "";
	enum wc_err e;

	e = wc_link_open(&p->opts.link, deadline, &p->link, d, why,
			 sizeof(why));
	if (e != WC_OK) {
		say(p, "connect: %s", why[0] ? why : wc_strerror(e));
		return e;
	}
	p->att = att_new(wc_link_fd(p->link));
	if (!p->att) {
		wc_session_disconnect(p);
		say(p, "connect: out of memory");
		return wc_fail(d, WC_E_IO, 12 /* ENOMEM */, 0);
	}
	att_set_notify_cb(p->att, on_att_notify, p);
	wc_reasm_reset(&p->reasm);

	e = att_exchange_mtu(p->att, p->opts.mtu, &res->mtu, deadline, d);
	if (e != WC_OK) {
		if (e == WC_E_CLOSED && !ble_cause(p, e, d))
			say(p, "connect: the battery closed the link at once "
			       "(is another central — the phone app, a gateway — holding it?)");
		return step_failed(p, "MTU exchange", e, d);
	}
	return WC_OK;
}

/* The characteristics of one service: notify, write and unlock handles. */
static enum wc_err service_chars(struct wc_session *p, uint16_t svc_uuid,
				 uint16_t notify_uuid, uint16_t write_uuid,
				 struct att_char *notify, struct handles *h,
				 bool *found, uint64_t deadline,
				 struct wc_diag *d)
{
	struct att_uuid svc = att_uuid16(svc_uuid);
	struct att_char chars[16];
	uint16_t start, end;
	size_t n = 0;
	char step[48];
	enum wc_err e;

	*found = false;
	e = att_find_primary(p->att, &svc, &start, &end, deadline, d);
	if (e == WC_E_NOT_FOUND)
		return WC_OK;
	snprintf(step, sizeof(step), "discovery of %04X", svc_uuid);
	if (e != WC_OK)
		return step_failed(p, step, e, d);
	*found = true;
	e = att_discover_chars(p->att, start, end, chars, 16, &n, deadline, d);
	snprintf(step, sizeof(step), "discovery of %04X's characteristics",
		 svc_uuid);
	if (e != WC_OK && e != WC_E_NOSPACE)
		return step_failed(p, step, e, d);
	for (size_t i = 0; i < n; i++) {
		uint16_t u;

		if (!att_uuid_to16(&chars[i].uuid, &u))
			continue;
		if (u == notify_uuid) {
			*notify = chars[i];
			h->notify = chars[i].value_handle;
		} else if (u == write_uuid) {
			h->write = chars[i].value_handle;
		} else if (u == UUID_UNLOCK && svc_uuid == UUID_SVC) {
			h->unlock = chars[i].value_handle;
		}
	}
	return WC_OK;
}

/* Find the data service and decide the family (family.c):
 * FFF0 with FFFA -> WATT; FFF0 with FFF1/FFF2 and no FFFA -> JBD on the
 * same characteristics; FF00 with FF01/FF02 -> classic JBD. */
static enum wc_err discover(struct wc_session *p, uint64_t deadline,
			    struct wc_diag *d)
{
	struct wc_gatt_evidence ev = { 0 };
	struct att_char notify = { 0 };
	struct handles h = { 0 };
	bool found = false;
	enum wc_detect det;
	enum wc_err e;

	p->h.valid = false;
	e = service_chars(p, UUID_SVC, UUID_NOTIFY, UUID_WRITE, &notify, &h,
			  &found, deadline, d);
	if (e != WC_OK)
		return e;
	ev.fff0 = found;
	ev.fff1 = h.notify != 0;
	ev.fff2 = h.write != 0;
	ev.fffa = h.unlock != 0;
	if (!ev.fff1 || !ev.fff2) {
		struct handles j = { 0 };
		struct att_char jn = { 0 };

		e = service_chars(p, UUID_JBD_SVC, UUID_JBD_NOTIFY,
				  UUID_JBD_WRITE, &jn, &j, &found, deadline, d);
		if (e != WC_OK)
			return e;
		ev.ff00 = found;
		ev.ff01 = j.notify != 0;
		ev.ff02 = j.write != 0;
		if (ev.ff01 && ev.ff02) {
			h = j;
			notify = jn;
		}
	}
	det = wc_family_detect(&ev, &h.detected, &h.other_ok);
	if (det == WC_DETECT_NONE) {
		if (!ev.fff0 && !ev.ff00)
			say(p, "discovery: no service FFF0 (or FF00) — not a WattCycle/XDZN battery");
		else if (ev.fff0)
			say(p, "discovery: FFF0 lacks %s", ev.fff1 ? "FFF2" : "FFF1");
		else
			say(p, "discovery: FF00 lacks %s", ev.ff01 ? "FF02" : "FF01");
		return wc_fail(d, WC_E_NOT_FOUND, 0, 0);
	}
	if (det != WC_DETECT_WATT)
		logf_(p, "GATT has %s without FFFA: JBD protocol on %s/%s",
		      det == WC_DETECT_JBD_FF00 ? "FF00" : "FFF0",
		      det == WC_DETECT_JBD_FF00 ? "FF02" : "FFF2",
		      det == WC_DETECT_JBD_FF00 ? "FF01" : "FFF1");
	if (notify.value_handle >= notify.end_handle)
		e = WC_E_NOT_FOUND; /* no handle left for any descriptor */
	else
		e = att_find_cccd(p->att, (uint16_t)(notify.value_handle + 1),
				  notify.end_handle, &h.notify_cccd, deadline,
				  d);
	if (e == WC_E_NOT_FOUND) {
		say(p, "discovery: %s has no CCCD to enable notifications",
		    det == WC_DETECT_JBD_FF00 ? "FF01" : "FFF1");
		return e;
	}
	if (e != WC_OK)
		return step_failed(p, "discovery of the notify CCCD", e, d);
	h.valid = true;
	p->h = h;
	return WC_OK;
}

/* Unlock and subscribe.  read_back: also read FFFA (logged, not a gate). */
static enum wc_err unlock_and_subscribe(struct wc_session *p, bool read_back,
					uint64_t deadline, struct wc_diag *d)
{
	enum wc_err e;

	/* JBD batteries have no unlock (and no FFFA). */
	if (!p->h.unlock)
		goto subscribe;
	/* A command, not a request: it saves a round trip, and ATT keeps the
	 * order, so the battery sees it before the CCCD write below. */
	e = att_write_cmd(p->att, p->h.unlock, unlock_key, sizeof(unlock_key), d);
	if (e != WC_OK)
		return step_failed(p, "unlock", e, d);
	if (read_back) {
		uint8_t v[32];
		size_t n = 0;

		e = att_read(p->att, p->h.unlock, v, sizeof(v), &n, deadline, d);
		if (e != WC_OK && e != WC_E_ATT && e != WC_E_NOSPACE)
			return step_failed(p, "unlock read-back", e, d);
		p->unlock_readback = (e == WC_OK && n > 0) ? v[0] : -1;
		if (e == WC_OK)
			logf_(p, "FFFA reads back %zu byte(s), first 0x%02X%s", n,
			      n ? v[0] : 0,
			      (n == 1 && v[0] == 0x01) ? " (unlocked)" : "");
	}
subscribe:
	e = att_write_req(p->att, p->h.notify_cccd, cccd_notify,
			  sizeof(cccd_notify), deadline, d);
	if (e != WC_OK)
		return step_failed(p, "enabling notifications", e, d);
	return WC_OK;
}

/* The step a failure message names, "0x8C" or "JBD 0x03": formatted only
 * when a request failed, not on every request. */
static const char *step_name(const struct wc_session *p, uint16_t dp, char *buf,
			     size_t len)
{
	if (p->proto->family == WC_FAMILY_JBD)
		snprintf(buf, len, "JBD 0x%02X", dp);
	else
		snprintf(buf, len, "0x%02X", dp);
	return buf;
}

/* Send one request frame and wait for the response frame of dp until
 * wait_deadline.  The decoded data lands in s. */
static enum wc_err transact(struct wc_session *p, const uint8_t *req, size_t len,
			    uint16_t dp, uint64_t wait_deadline,
			    struct wc_sample *s, struct wc_diag *d)
{
	char step[16], buf[160];
	enum wc_err e;

	memset(&p->cap, 0, sizeof(p->cap));
	p->cap.want_dp = dp;
	wc_reasm_reset(&p->reasm);

	e = att_write_req(p->att, p->h.write, req, len, wait_deadline, d);
	if (e != WC_OK)
		return step_failed(p, step_name(p, dp, step, sizeof(step)), e,
				   d);
	while (!p->cap.done) {
		if (wc_ms_left(wait_deadline) == 0) {
			e = WC_E_TIMEOUT; /* notifications without our frame */
		} else {
			e = att_wait(p->att, wait_deadline, d);
		}
		/* A partial frame with no progress for a second is dropped;
		 * the request then has failed. */
		wc_reasm_expire(&p->reasm, wc_now_ms());
		if (p->cap.done)
			break;
		if (e == WC_E_TIMEOUT) {
			step_name(p, dp, step, sizeof(step));
			if (wc_reasm_busy(&p->reasm))
				say(p, "%s: incomplete frame: have %zu of %zu bytes",
				    step, wc_reasm_have(&p->reasm),
				    wc_reasm_need(&p->reasm));
			say(p, "%s: no answer before the poll deadline (%u ms)",
			    step, (unsigned)p->opts.timeout_ms);
			p->watt_silent = true;
			return wc_fail(d, WC_E_TIMEOUT,
				       (uint32_t)p->opts.timeout_ms, 0);
		}
		if (e != WC_OK)
			return step_failed(p, step_name(p, dp, step,
							sizeof(step)), e, d);
	}
	if (p->cap.err != WC_OK) {
		*d = p->cap.diag;
		say(p, "%s: %s", step_name(p, dp, step, sizeof(step)),
		    wc_diag_format(&p->cap.diag, buf, sizeof(buf)));
		return p->cap.err;
	}
	e = p->proto->decode(p->cap.frame, p->cap.len, s, d);
	if (e != WC_OK) {
		say(p, "%s: %s", step_name(p, dp, step, sizeof(step)),
		    wc_diag_format(d, buf, sizeof(buf)));
		return e;
	}
	return WC_OK;
}

/* The only way a frame reaches FFF2: a read request of the family in use
 * (the family interface has no write builder). */
static enum wc_err read_dp(struct wc_session *p, uint8_t head, uint16_t dp,
			   uint64_t wait_deadline, struct wc_sample *s,
			   struct wc_diag *d)
{
	uint8_t req[WATT_READ_LEN];
	size_t n = p->proto->build_read(req, sizeof(req), head, dp);

	return transact(p, req, n, dp, wait_deadline, s, d);
}

static void keep_info(struct wc_session *p, const struct wc_sample *s)
{
	memcpy(p->firmware, s->firmware, sizeof(p->firmware));
	memcpy(p->manufacturer, s->manufacturer, sizeof(p->manufacturer));
	memcpy(p->serial, s->serial, sizeof(p->serial));
	p->info_valid = true;
	p->info_ms = wc_now_ms();
}

/* doc/PROTOCOL.md §3.2 step 7: 0x92 with head 0x7E, then 0x1E, 3 s each. */
static enum wc_err detect_head(struct wc_session *p, uint64_t deadline,
			       struct wc_sample *s, struct wc_diag *d)
{
	static const uint8_t heads[] = { WATT_HEAD_7E, WATT_HEAD_1E };
	enum wc_err e = WC_E_NO_ANSWER;

	for (size_t i = 0; i < sizeof(heads); i++) {
		uint64_t now = wc_now_ms();
		uint64_t probe = now + HEAD_PROBE_MS;

		/* The first head gets at most half of what is left, so a short
		 * Timeout still reaches the second (0x1E-only firmware). */
		if (i + 1 < sizeof(heads) && deadline > now &&
		    probe > now + (deadline - now) / 2)
			probe = now + (deadline - now) / 2;
		if (i > 0 && wc_ms_left(deadline) == 0) {
			say(p, "0x92: no answer to head 0x%02X before the poll "
			       "deadline (%u ms); head 0x%02X not tried",
			    heads[0], (unsigned)p->opts.timeout_ms, heads[i]);
			return wc_fail(d, WC_E_TIMEOUT, p->opts.timeout_ms, 0);
		}
		if (probe > deadline)
			probe = deadline;
		e = read_dp(p, heads[i], WATT_DP_PRODUCT, probe, s, d);
		if (e == WC_OK) {
			p->head = heads[i];
			keep_info(p, s);
			logf_(p, "answers request head 0x%02X", heads[i]);
			return WC_OK;
		}
		if (e == WC_E_CLOSED && p->unlock_readback == 0x00)
			break; /* the ~4 s drop of a battery left locked */
		if (e != WC_E_TIMEOUT || !att_alive(p->att))
			return e; /* a link failure, not the battery's silence */
		/* A late answer to this probe must not be taken for an
		 * answer to the next head's. */
		for (int k = 0; k < 64 && att_wait(p->att, wc_now_ms(), NULL) == WC_OK; k++)
			;
	}
	clear_msg(p);
	if (!p->h.unlock) {
		say(p, "no answer to 0x92 with head 0x7E or 0x1E");
		return wc_fail(d, WC_E_NO_ANSWER, 0, 0);
	}
	if (p->unlock_readback == 0x01) {
		say(p, "no answer to 0x92 with head 0x7E or 0x1E although the "
		       "battery reports itself unlocked");
		return wc_fail(d, WC_E_NO_ANSWER, 0, 0);
	}
	say(p, "no answer to 0x92 with head 0x7E or 0x1E: the battery did not "
	       "accept the HiLink unlock (FFFA reads %s)",
	    p->unlock_readback < 0 ? "nothing" :
	    p->unlock_readback == 0 ? "00" : "something other than 01");
	return wc_fail(d, WC_E_LOCKED, (uint32_t)p->unlock_readback, 0);
}

static bool info_due(const struct wc_session *p)
{
	return !p->info_valid ||
	       (p->opts.info_refresh_s &&
		wc_now_ms() - p->info_ms >=
			(uint64_t)p->opts.info_refresh_s * 1000u);
}

/* The requests of one poll in one family, after the link is subscribed. */
static enum wc_err run_family(struct wc_session *p, enum wc_family fam,
			      uint64_t deadline, struct wc_poll_result *res,
			      struct wc_diag *d)
{
	struct wc_sample *s = &res->sample;
	enum wc_err e;

	p->proto = wc_proto_of(fam);
	wc_reasm_set_family(&p->reasm, fam);
	if (p->proto->heads && !p->head) {
		/* WATT's first contact: head detection reads product info */
		e = detect_head(p, deadline, s, d);
		if (e != WC_OK)
			return e;
	} else if (p->proto->heads && info_due(p)) {
		e = read_dp(p, p->head, p->proto->info, deadline, s, d);
		if (e != WC_OK)
			return e;
		keep_info(p, s);
	}
	res->head = p->proto->heads ? p->head : 0;
	for (size_t i = 0; i < sizeof(p->proto->data) / sizeof(p->proto->data[0]); i++) {
		e = read_dp(p, p->head, p->proto->data[i], deadline, s, d);
		if (e != WC_OK)
			return e;
	}
	if (!p->proto->heads && info_due(p)) {
		/* JBD: the hardware string is standard JBD, not known to be
		 * on every WattCycle: asked after the data, briefly, and a
		 * module that refuses or ignores it is not asked again until
		 * the next refresh. */
		uint64_t until = wc_now_ms() + JBD_INFO_WAIT_MS;

		e = read_dp(p, 0, p->proto->info, until < deadline ? until : deadline,
			    s, d);
		if (e == WC_E_CLOSED || !att_alive(p->att))
			return e;
		if (e != WC_OK) {
			logf_(p, "no hardware string: %s", p->msg ? p->msg : "");
			clear_msg(p);
			s->firmware[0] = s->manufacturer[0] = s->serial[0] = '\0';
		}
		keep_info(p, s);
	}
	return WC_OK;
}

/* Silence, not a broken frame or link: the other family may be tried. */
static bool family_silent(const struct wc_session *p, enum wc_err e)
{
	return e == WC_E_NO_ANSWER || e == WC_E_LOCKED ||
	       (e == WC_E_TIMEOUT && p->watt_silent);
}

/* The family that answered last time; on first contact the one GATT points
 * to and, where the same characteristics could carry the other one and
 * the first stays silent, the other once (two thirds of the budget for
 * the first).  What answered is remembered. */
static enum wc_err run_families(struct wc_session *p, uint64_t deadline,
				struct wc_poll_result *res, struct wc_diag *d)
{
	enum wc_family fam = p->family_known ? p->family : p->h.detected;
	bool fallback = !p->family_known && p->h.other_ok;
	uint64_t first = deadline, now = wc_now_ms();
	char why[WC_POLL_MSG_MAX] = "";
	enum wc_err e;

	if (fallback && deadline > now)
		first = now + (deadline - now) * 2 / 3;
	e = run_family(p, fam, first, res, d);
	if (e != WC_OK && fallback && family_silent(p, e) &&
	    att_alive(p->att) && wc_ms_left(deadline) > 0) {
		enum wc_family other = fam == WC_FAMILY_JBD ? WC_FAMILY_WATT
							    : WC_FAMILY_JBD;

		if (p->msg)
			snprintf(why, sizeof(why), "%s", p->msg);
		logf_(p, "no answer to the %s protocol (%s); trying %s once",
		      wc_family_name(fam), why, wc_family_name(other));
		clear_msg(p);
		/* A late answer must not be taken for the other's. */
		for (int k = 0; k < 64 && att_wait(p->att, wc_now_ms(), NULL) == WC_OK; k++)
			;
		p->watt_silent = false;
		e = run_family(p, other, deadline, res, d);
		if (e == WC_OK)
			fam = other;
		else if (family_silent(p, e) && p->msg && p->msg[0]) {
			char second[WC_POLL_MSG_MAX];

			snprintf(second, sizeof(second), "%s", p->msg);
			clear_msg(p);
			say(p, "no answer to either protocol: %s: %s; %s: %s",
			    wc_family_name(fam), why, wc_family_name(other),
			    second);
		}
	}
	if (e == WC_OK) {
		if (!p->family_known || p->family != fam)
			logf_(p, "speaks the %s protocol", wc_family_name(fam));
		p->family = fam;
		p->family_known = true;
		res->family = fam;
		res->sample.family = fam;
	}
	return e;
}

/* Everything after the connection is up. */
static enum wc_err session(struct wc_session *p, bool fresh, uint64_t deadline,
			   struct wc_poll_result *res, struct wc_diag *d)
{
	enum wc_err e;

	if (fresh) {
		bool discovered = false;

		if (!p->h.valid) {
			e = discover(p, deadline, d);
			if (e != WC_OK)
				return e;
			discovered = res->rediscovered = true;
		}
		e = unlock_and_subscribe(p, discovered, deadline, d);
		if (e == WC_E_ATT && !discovered) {
			/* Cached handles went stale (firmware update?). */
			clear_msg(p);
			e = discover(p, deadline, d);
			if (e != WC_OK)
				return e;
			res->rediscovered = true;
			e = unlock_and_subscribe(p, true, deadline, d);
		}
		if (e != WC_OK)
			return e;
	}

	return run_families(p, deadline, res, d);
}

/* Seconds on the monotonic clock, finer than wc_now_ms() for poll_s. */
static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill_info(const struct wc_session *p, struct wc_sample *s)
{
	if (!p->info_valid || wc_has(s, WC_F_INFO))
		return;
	memcpy(s->firmware, p->firmware, sizeof(s->firmware));
	memcpy(s->manufacturer, p->manufacturer, sizeof(s->manufacturer));
	memcpy(s->serial, p->serial, sizeof(s->serial));
	wc_set(s, WC_F_INFO);
}

enum wc_err wc_session_poll(struct wc_session *p, struct wc_poll_result *res,
			struct wc_diag *d, char *msg, size_t msglen)
{
	struct wc_diag local = { WC_OK, 0, 0 };
	double t0 = mono_s();
	uint64_t deadline = wc_now_ms() + p->opts.timeout_ms;
	bool fresh = false;
	unsigned trips = 0;
	enum wc_err e;

	if (!d)
		d = &local;
	memset(res, 0, sizeof(*res));
	p->watt_silent = false;
	p->msg = msg;
	p->msglen = msglen;
	clear_msg(p);

	if (p->att && !att_alive(p->att))
		wc_session_disconnect(p);
	if (p->att) {
		/* Whatever arrived since the last poll is stale: take it all
		 * off the socket now (att_wait returns after each
		 * notification), or a late frame would answer our request. */
		for (int i = 0; i < 64 && att_wait(p->att, wc_now_ms(), NULL) == WC_OK; i++)
			;
		wc_reasm_reset(&p->reasm);
		res->mtu = att_mtu(p->att);
		att_reset_round_trips(p->att);
	}
	if (!p->att) {
		e = connect_link(p, deadline, res, d);
		if (e != WC_OK)
			goto out;
		fresh = true;
	}
	e = session(p, fresh, deadline, res, d);
	if (e != WC_OK && !fresh && !att_alive(p->att) &&
	    wc_now_ms() < deadline) {
		/* A held link that dropped since the last poll: reconnect once
		 * within this poll's budget. */
		logf_(p, "held link dropped (%s); reconnecting", msg ? msg : "");
		clear_msg(p);
		trips += att_round_trips(p->att);
		wc_session_disconnect(p);
		memset(&res->sample, 0, sizeof(res->sample));
		e = connect_link(p, deadline, res, d);
		if (e == WC_OK)
			e = session(p, true, deadline, res, d);
	}
out:
	if (p->att)
		trips += att_round_trips(p->att);
	res->att_round_trips = trips;
	if (p->link) {
		res->link_kind = wc_link_kind(p->link);
		/* A kernel query, bounded by the poll's deadline: not
		 * past a failure. */
		if (e == WC_OK)
			res->has_rssi = wc_link_rssi(p->link, &res->rssi_dbm,
						     deadline) == 0;
	}
	fill_info(p, &res->sample);
	if (e != WC_OK) {
		/* Silence may mean a firmware that wants the other head:
		 * detect again next time.  Stale handles: discover again. */
		if (e == WC_E_NO_ANSWER || e == WC_E_LOCKED ||
		    (e == WC_E_TIMEOUT && p->watt_silent)) {
			p->head = 0;
			p->family_known = false;
		}
		if (e == WC_E_ATT || e == WC_E_NOT_FOUND)
			p->h.valid = false;
		if (msg && msglen && !msg[0])
			snprintf(msg, msglen, "%s", wc_strerror(e));
		wc_session_disconnect(p);
	} else if (!p->opts.keep_connected) {
		wc_session_disconnect(p);
	}
	res->poll_s = mono_s() - t0;
	p->msg = NULL;
	return e;
}
