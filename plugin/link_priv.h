/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by link.c and the transports (link_unix.c, ble.c) only. */
#ifndef WC_LINK_PRIV_H
#define WC_LINK_PRIV_H

#include "wc_link.h"

/* One transport: constants and verbs, a const instance per transport. */
struct wc_link_ops {
	const char *kind;                              /* "ble", "unix" */
	/* 0 ok, -1 unknown; never waits past deadline_ms */
	int (*rssi)(struct wc_link *l, int8_t *rssi, uint64_t deadline_ms);
	/* Why the link went, in linkcause.c's words, when the transport
	 * knows better than the socket's errno; NULL otherwise (may be
	 * NULL itself) */
	const char *(*cause)(struct wc_link *l);
	void (*free)(struct wc_link *l);               /* after close(fd) */
};

/* The transport allocates the link; a transport with more state embeds
 * this as its first member and frees the whole in ops->free. */
struct wc_link {
	const struct wc_link_ops *ops;
	int fd;
};

enum wc_err wc_unix_open(const struct wc_link_addr *a, uint64_t deadline_ms,
			 struct wc_link **out, struct wc_diag *d, char *msg,
			 size_t msglen);

enum wc_err wc_ble_open(const struct wc_link_addr *a, const char *adapter,
			enum wc_addr_type type, bool session,
			uint32_t supervision_ms, uint64_t deadline_ms, struct wc_link **out, struct wc_diag *d, char *msg,
			size_t msglen);

#endif
