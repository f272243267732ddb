/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LE connection parameters and their mgmt commands: see connparam.h. */
#include "connparam.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"

#define RSSI_NOT_AVAILABLE 127

bool wc_supervision_valid(double ms, char *why, size_t whylen)
{
	if (isfinite(ms) && ms >= WC_SUPERVISION_MIN_MS &&
	    ms <= WC_SUPERVISION_MAX_MS && ms == floor(ms) &&
	    (uint32_t)ms % WC_SUPERVISION_STEP_MS == 0)
		return true;
	if (why && whylen)
		snprintf(why, whylen,
			 "expects milliseconds from %u to %u in steps of %u "
			 "(the kernel's unit)", WC_SUPERVISION_MIN_MS,
			 WC_SUPERVISION_MAX_MS, WC_SUPERVISION_STEP_MS);
	return false;
}

void wc_connparam_for(uint32_t ms, struct wc_connparam *out)
{
	uint32_t max = WC_CONN_MAX_INTERVAL;

	/* timeout > (1 + latency) * max interval * 2, latency 0: in their
	 * units, ms > max * 1.25 * 2, i.e. max * 5 < ms * 2 */
	if (max * 5u >= ms * 2u)
		max = ms * 2u / 5u - 1u;
	if (max < WC_CONN_MIN_INTERVAL)
		max = WC_CONN_MIN_INTERVAL; /* unreachable for ms >= 100 */
	out->min_interval = WC_CONN_MIN_INTERVAL;
	out->max_interval = (uint16_t)max;
	out->latency = 0;
	out->timeout = (uint16_t)(ms / WC_SUPERVISION_STEP_MS);
}

static void put_addr(uint8_t *p, const uint8_t bdaddr[6])
{
	for (int i = 0; i < 6; i++)
		p[i] = bdaddr[5 - i];
}

size_t wc_connparam_load_build(uint8_t *buf, size_t buflen,
			       const uint8_t bdaddr[6], uint8_t mgmt_type,
			       const struct wc_connparam *p)
{
	if (!buf || !bdaddr || !p || buflen < WC_CONNPARAM_LOAD_LEN)
		return 0;
	put_le16(buf, 1);
	put_addr(buf + 2, bdaddr);
	buf[8] = mgmt_type;
	put_le16(buf + 9, p->min_interval);
	put_le16(buf + 11, p->max_interval);
	put_le16(buf + 13, p->latency);
	put_le16(buf + 15, p->timeout);
	return WC_CONNPARAM_LOAD_LEN;
}

size_t wc_conninfo_build(uint8_t *buf, size_t buflen, const uint8_t bdaddr[6],
			 uint8_t mgmt_type)
{
	if (!buf || !bdaddr || buflen < WC_CONNINFO_PARAM_LEN)
		return 0;
	put_addr(buf, bdaddr);
	buf[6] = mgmt_type;
	return WC_CONNINFO_PARAM_LEN;
}

bool wc_conninfo_rssi(const uint8_t *rp, size_t n, const uint8_t bdaddr[6],
		      uint8_t mgmt_type, int8_t *rssi)
{
	uint8_t want[WC_CONNINFO_PARAM_LEN];

	if (!rp || !bdaddr || n < WC_CONNINFO_REPLY_LEN)
		return false;
	wc_conninfo_build(want, sizeof(want), bdaddr, mgmt_type);
	if (memcmp(rp, want, sizeof(want)) != 0)
		return false;
	if ((int8_t)rp[7] == RSSI_NOT_AVAILABLE)
		return false;
	if (rssi)
		*rssi = (int8_t)rp[7];
	return true;
}
