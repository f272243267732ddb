/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Alarm, MOSFET and reachability transitions of one battery, turned into
 * notification events (collectd-wattcycle(5), NOTIFICATIONS).  Pure: no collectd, no I/O, no
 * allocation, no globals; the collectd glue maps each event onto a
 * notification_t.
 *
 * Rules, per battery:
 *  - a protection or fault code that becomes active gives FAILURE, an
 *    alarm code WARNING; when it clears, OKAY.  At the first poll that
 *    carries 0x8D status, every active code is reported once (and nothing
 *    for codes that are clear: no OKAY for a code never seen active);
 *  - a MOSFET (the table's state codes "chg_on" / "dsg_on") that switches
 *    off gives WARNING listing the protections and faults active at that
 *    moment; back on gives OKAY.  Off at the first status: one WARNING;
 *  - offline_after consecutive failed polls give one FAILURE ("online");
 *    the first good poll after it gives OKAY.  Fewer failures say nothing.
 * A successful poll without 0x8D status leaves the code state untouched.
 * Code ids, names and meanings come only from wc_alarms[] (alarms.h).
 *
 * One struct wc_events per battery, used by one thread at a time. */
#ifndef WC_EVENTS_H
#define WC_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "alarms.h"
#include "sample.h"

/* collectd's NOTIF_MAX_MSG_LEN: messages are cut to fit (UTF-8 safe). */
#define WC_EVENT_MSG_MAX 256
#define WC_EVENT_NAME_MAX 128

/* The type_instance and meta id of the reachability event. */
#define WC_EVENT_ONLINE_ID "online"

enum wc_severity {
	WC_SEV_FAILURE,
	WC_SEV_WARNING,
	WC_SEV_OKAY,
};

struct wc_event {
	enum wc_severity severity;
	const char *id;        /* type_instance: a code id or "online" */
	const char *cls;       /* meta "class": "protection", "alarm",
				  "fault", "state" or "link" */
	const char *reg;       /* meta "register": "status1" …; NULL for
				  "online" */
	const struct wc_alarm *alarm; /* the table entry; NULL for "online" */
	char message[WC_EVENT_MSG_MAX];
};

struct wc_events {
	char name[WC_EVENT_NAME_MAX]; /* battery name, starts each message */
	unsigned offline_after;       /* >= 1 */
	bool have_status;             /* regs holds a status already */
	struct wc_status_regs regs;   /* the last 0x8D status seen */
	unsigned failed;              /* consecutive failed polls */
	bool offline;                 /* the unreachable FAILURE went out */
};

/* Called once per event, in order; ev is valid during the call only. */
typedef void (*wc_event_fn)(const struct wc_event *ev, void *user);

/* A fresh state: nothing seen yet.  The name is copied (cut at
 * WC_EVENT_NAME_MAX - 1 bytes); offline_after 0 counts as 1. */
void wc_events_init(struct wc_events *st, const char *name,
		    unsigned offline_after);

/* A good poll with its sample.  Returns the number of events emitted. */
unsigned wc_events_poll_ok(struct wc_events *st, const struct wc_sample *s,
			   wc_event_fn fn, void *user);

/* A failed poll; error is the poll's one-sentence cause (may be NULL).
 * Returns the number of events emitted (0 or 1). */
unsigned wc_events_poll_failed(struct wc_events *st, const char *error,
			       wc_event_fn fn, void *user);

/* "FAILURE", "WARNING", "OKAY". */
const char *wc_severity_name(enum wc_severity sev);

/* Copy src into dst (size cap >= 4), cutting at a UTF-8 character
 * boundary and ending with "…" when it does not fit.  Returns true when
 * src fitted whole. */
bool wc_utf8_copy(char *dst, size_t cap, const char *src);

#endif
