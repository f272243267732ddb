/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The transport-independent half of the link: the open that picks a
 * transport, and the calls every link answers through its ops. */
#include "link_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "msgbuf.h"

enum wc_err wc_link_open(const struct wc_link_opts *o, uint64_t deadline_ms,
			 struct wc_link **out, struct wc_diag *d, char *msg,
			 size_t msglen)
{
	struct wc_link_addr a;
	enum wc_err rc;

	if (out)
		*out = NULL;
	if (!o || !out) {
		wc_msgf(msg, msglen, "wc_link_open: missing argument");
		return wc_fail(d, WC_E_ARG, 0, 0);
	}
	rc = wc_link_parse_address(o->address, &a, msg, msglen);
	if (rc != WC_OK)
		return wc_fail(d, rc, 0, 0);
	switch (a.kind) {
	case WC_LINK_UNIX:
		return wc_unix_open(&a, deadline_ms, out, d, msg, msglen);
	case WC_LINK_BLE:
		return wc_ble_open(&a, o->adapter, o->addr_type, o->session,
				   o->supervision_ms, deadline_ms, out, d, msg,
				   msglen);
	default:
		break;
	}
	wc_msgf(msg, msglen, "unknown transport");
	return wc_fail(d, WC_E_ARG, 0, 0);
}

int wc_link_fd(const struct wc_link *l)
{
	return l ? l->fd : -1;
}

int wc_link_rssi(struct wc_link *l, int8_t *rssi, uint64_t deadline_ms)
{
	if (!l || !rssi || !l->ops->rssi)
		return -1;
	return l->ops->rssi(l, rssi, deadline_ms);
}

const char *wc_link_drop_cause(struct wc_link *l)
{
	if (!l || !l->ops->cause)
		return NULL;
	return l->ops->cause(l);
}

const char *wc_link_kind(const struct wc_link *l)
{
	return l ? l->ops->kind : "none";
}

void wc_link_close(struct wc_link *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	l->ops->free(l);
}
