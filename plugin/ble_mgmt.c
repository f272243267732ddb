/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The BLE transport's mgmt questions: see ble_mgmt.h.  The socket, the
 * command/answer exchange and the event parsers are plugin/mgmt.c's; the
 * parameter bytes are plugin/connparam.c's. */
#include "ble_mgmt.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "connparam.h"
#include "link_priv.h"
#include "mgmt.h"
#include "msgbuf.h"

/* A bound on one look at the queue (scans fill it with Device Found). */
#define WATCH_MAX_EVENTS 4096

enum wc_err wc_ble_mgmt_supervision_on(struct wc_mgmt *m, uint16_t index,
				       const uint8_t bdaddr[6], uint8_t type,
				       uint32_t ms, uint64_t deadline_ms,
				       char *msg, size_t msglen)
{
	uint8_t params[WC_CONNPARAM_LOAD_LEN];
	struct wc_connparam cp;
	uint8_t status = 0;
	enum wc_err rc;

	wc_connparam_for(ms, &cp);
	wc_connparam_load_build(params, sizeof(params), bdaddr, type, &cp);
	rc = wc_mgmt_cmd(m, WC_MGMT_OP_LOAD_CONN_PARAM, index, params,
			 sizeof(params), NULL, 0, NULL, &status, deadline_ms,
			 NULL, NULL);
	if (rc == WC_E_TIMEOUT) {
		wc_msgf(msg, msglen, "SupervisionTimeout %u ms not set: the "
			    "kernel did not answer Load Connection Parameters "
			    "before the deadline", ms);
		return rc;
	}
	if (rc != WC_OK) {
		wc_msgf(msg, msglen, "SupervisionTimeout %u ms not set: "
			    "Load Connection Parameters failed (%s)", ms,
			    wc_strerror(rc));
		return rc;
	}
	if (status != WC_MGMT_STATUS_SUCCESS) {
		wc_msgf(msg, msglen, "SupervisionTimeout %u ms not set: the "
			    "kernel answered Load Connection Parameters with "
			    "\"%s\"%s", ms, wc_mgmt_status_str(status),
			    status == WC_MGMT_STATUS_PERMISSION_DENIED ?
				    " (run as root or grant CAP_NET_ADMIN)" : "");
		return WC_E_IO;
	}
	return WC_OK;
}

enum wc_err wc_ble_mgmt_supervision(uint16_t index, const uint8_t bdaddr[6],
				    uint8_t type, uint32_t ms,
				    uint64_t deadline_ms, char *msg,
				    size_t msglen)
{
	struct wc_mgmt *m = NULL;
	char why[160] = "";
	enum wc_err rc = wc_mgmt_open(&m, NULL, why, sizeof(why));

	if (rc != WC_OK) {
		wc_msgf(msg, msglen, "SupervisionTimeout %u ms not set: %s",
			    ms, why);
		return rc;
	}
	rc = wc_ble_mgmt_supervision_on(m, index, bdaddr, type, ms,
					deadline_ms, msg, msglen);
	wc_mgmt_close(m);
	return rc;
}

int wc_ble_mgmt_rssi_on(struct wc_mgmt *m, uint16_t index,
			const uint8_t bdaddr[6], uint8_t type, int8_t *rssi,
			uint64_t deadline_ms)
{
	uint8_t params[WC_CONNINFO_PARAM_LEN], rp[WC_CONNINFO_REPLY_LEN];
	uint8_t status = 0xFF;
	size_t got = 0;
	enum wc_err rc;

	wc_conninfo_build(params, sizeof(params), bdaddr, type);
	rc = wc_mgmt_cmd(m, WC_MGMT_OP_GET_CONN_INFO, index, params,
			 sizeof(params), rp, sizeof(rp), &got, &status,
			 deadline_ms, NULL, NULL);
	if (rc != WC_OK || status != WC_MGMT_STATUS_SUCCESS ||
	    !wc_conninfo_rssi(rp, got, bdaddr, type, rssi))
		return -1;
	return 0;
}

int wc_ble_mgmt_rssi(uint16_t index, const uint8_t bdaddr[6], uint8_t type,
		     int8_t *rssi, uint64_t deadline_ms)
{
	struct wc_mgmt *m = NULL;
	int rc;

	if (wc_mgmt_open(&m, NULL, NULL, 0) != WC_OK)
		return -1;
	rc = wc_ble_mgmt_rssi_on(m, index, bdaddr, type, rssi, deadline_ms);
	wc_mgmt_close(m);
	return rc;
}

struct wc_ble_watch {
	struct wc_mgmt *m;
	uint16_t index;
	uint8_t bdaddr[6];
	bool seen;
	uint8_t reason;
	unsigned events; /* read so far */
};

struct wc_ble_watch *wc_ble_watch_on(struct wc_mgmt *m, uint16_t index,
				      const uint8_t bdaddr[6])
{
	struct wc_ble_watch *w;

	if (!m)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w) {
		wc_mgmt_close(m);
		return NULL;
	}
	w->m = m;
	w->index = index;
	memcpy(w->bdaddr, bdaddr, 6);
	return w;
}

struct wc_ble_watch *wc_ble_watch_new(uint16_t index, const uint8_t bdaddr[6])
{
	struct wc_mgmt *m = NULL;

	if (wc_mgmt_open(&m, NULL, NULL, 0) != WC_OK)
		return NULL;
	return wc_ble_watch_on(m, index, bdaddr);
}

static bool on_event(void *user, const struct wc_mgmt_hdr *h,
		     const uint8_t *params)
{
	struct wc_ble_watch *w = user;
	struct wc_mgmt_dev_event ev;

	if (h->code != WC_MGMT_EV_DEVICE_DISCONNECTED || h->index != w->index ||
	    wc_mgmt_parse_disconnected(params, h->len, &ev) != WC_OK ||
	    memcmp(ev.bdaddr, w->bdaddr, 6) != 0)
		return true;
	w->seen = true;
	w->reason = ev.code;
	return false;
}

static bool count_event(void *user, const struct wc_mgmt_hdr *h,
			const uint8_t *params)
{
	struct wc_ble_watch *w = user;

	w->events++;
	return on_event(user, h, params);
}

bool wc_ble_watch_reason(struct wc_ble_watch *w, uint64_t deadline_ms,
			 uint8_t *reason)
{
	if (!w)
		return false;
	/* The kernel queues Device Disconnected before it fails the link's
	 * socket, so what is queued holds it: read until nothing comes or
	 * it is found (a wait reads one event per call at the deadline). */
	for (unsigned i = 0; !w->seen && i < WATCH_MAX_EVENTS; i++) {
		unsigned before = w->events;

		if (wc_mgmt_wait_events(w->m, deadline_ms, count_event, w) !=
			    WC_OK ||
		    (w->events == before && wc_ms_left(deadline_ms) == 0))
			break;
	}
	if (!w->seen)
		return false;
	*reason = w->reason;
	return true;
}

void wc_ble_watch_free(struct wc_ble_watch *w)
{
	if (!w)
		return;
	wc_mgmt_close(w->m);
	free(w);
}
