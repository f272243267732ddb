/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The WATT write requests the phone app can send and the plugin never does:
 * MOSFET switch (dp 0x82 charge, 0x83 discharge) and the 0x95 clock.  The
 * simulator's tests send them to check what the battery does with them;
 * the write-guard tests check that no poll sends one.  0 when the request
 * cannot be built (a dp that is no MOSFET, a date out of range, no room). */
#ifndef WC_TEST_WRITE_REQUESTS_H
#define WC_TEST_WRITE_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "watt.h"

static inline size_t watt_build_mos(uint8_t *out, size_t cap,
				    uint8_t head, uint8_t dp, int on)
{
	uint8_t v = on ? 0x01 : 0x00;

	if (dp != WATT_DP_CHG_MOS && dp != WATT_DP_DSG_MOS)
		return 0;
	return watt_build_frame(out, cap, head, 0x00, WATT_ADDRESS,
				WATT_FN_WRITE, dp, &v, 1);
}

static inline size_t watt_build_clock(uint8_t *out, size_t cap,
				      uint8_t head,
				      const struct watt_clock *t)
{
	uint8_t data[7];

	if (!t || t->month < 1 || t->month > 12 || t->day < 1 ||
	    t->day > 31 || t->hour > 23 || t->minute > 59 || t->second > 59)
		return 0;
	put_be16(data, t->year);
	data[2] = t->month;
	data[3] = t->day;
	data[4] = t->hour;
	data[5] = t->minute;
	data[6] = t->second;
	return watt_build_frame(out, cap, head, 0x00, WATT_ADDRESS,
				WATT_FN_WRITE, WATT_DP_CLOCK, data,
				sizeof(data));
}

#endif
