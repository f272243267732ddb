/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session of one battery: what lives across its polls (the link when
 * it is held, the cached GATT handles, the request head, the family, the
 * product info) and the state machine one poll runs, doc/PROTOCOL.md §3.2:
 *
 *   connect -> MTU -> discover FFF0/FFF1/FFF2/FFFA, or FF00/FF01/FF02 (or
 *   reuse the handles cached from the last good connect; re-discover after
 *   an ATT error) -> the protocol family (family.c: FFFA -> WATT, FFF0
 *   without FFFA or FF00 -> JBD) -> unlock "HiLink" on FFFA when there is
 *   one (read-back logged, not a gate) -> enable notifications -> WATT:
 *   head detection (0x7E, then 0x1E; remembered), 0x8C and 0x8D (0x92 on
 *   the first poll, then cached and refreshed rarely); JBD: 0x03 and 0x04,
 *   then 0x05 like 0x92 but optional (1 s) -> reassemble -> decode -> one
 *   sample.
 *   On first contact with FFF0 without FFFA (conflicting evidence: the
 *   app would speak WATT there), WATT is tried once when JBD stays silent;
 *   what answered is remembered per battery like the head.  Only read
 *   requests are ever written.
 *
 * A struct wc_session belongs to one battery and is used by one thread at a
 * time; different batteries' sessions share nothing.  With keep_connected
 * the link is held between polls and re-opened when it drops. */
#ifndef WC_SESSION_H
#define WC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wc_link.h"
#include "sample.h"
#include "wc_error.h"

#define WC_POLL_MSG_MAX 256

struct wc_session_opts {
	const char *name;            /* battery name, for messages */
	struct wc_link_opts link;    /* address, adapter, address type */
	bool keep_connected;
	uint32_t timeout_ms;         /* the whole poll */
	uint32_t info_refresh_s;     /* re-read 0x92 after this long (0: never) */
	uint16_t mtu;                /* ATT MTU to ask for (0: 247) */
	/* Optional log hook for the session's steps (INFO-level detail such
	 * as the FFFA read-back); never required. */
	void (*log)(void *user, const char *msg);
	void *log_user;
};

struct wc_poll_result {
	struct wc_sample sample;     /* 0x8C + 0x8D (+ cached 0x92) */
	unsigned att_round_trips;    /* ATT requests that waited for an answer */
	double poll_s;               /* wall time of the poll */
	bool has_rssi;
	int8_t rssi_dbm;
	uint8_t head;                /* request head that answered: 0x7E / 0x1E
					(0 for JBD) */
	enum wc_family family;       /* protocol family that answered */
	uint16_t mtu;                /* negotiated ATT MTU */
	bool rediscovered;           /* handles were discovered in this poll */
	const char *link_kind;       /* "ble" / "unix" */
};

struct wc_session;

/* Copies opts (strings included).  NULL on out-of-memory or bad opts. */
struct wc_session *wc_session_new(const struct wc_session_opts *opts);
void wc_session_free(struct wc_session *p);

/* Run one poll, bounded by opts.timeout_ms.  On WC_OK res holds the sample.
 * On failure d holds the code and msg one sentence naming the step and the
 * cause ("connect: connection refused by the simulator at /x.sock",
 * "0x8C: crc mismatch: frame says ..., computed ..."); the link is closed.
 * Data read correctly before a failure is kept in res->sample (present bits
 * say what). */
enum wc_err wc_session_poll(struct wc_session *p, struct wc_poll_result *res,
			struct wc_diag *d, char *msg, size_t msglen);

/* Switch keep-connected mode (the plugin's MaxLinks turns it off for
 * batteries beyond the cap); a held link is dropped when turned off. */
void wc_session_set_keep_connected(struct wc_session *p, bool keep);

/* Drop a held link (keep_connected) now. */
void wc_session_disconnect(struct wc_session *p);

#endif
