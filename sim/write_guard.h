/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's read-only check: every write a client sends is held
 * against the only writes a monitoring client needs — the unlock key on
 * FFFA, the FFF1 CCCD, and read requests on FFF2 (WATT function 0x03 or a
 * JBD read, DD A5 ...).  Anything else (a MOSFET or clock write, a write
 * to another characteristic, a prepared or signed write) is an
 * "unexpected write": the server logs it and counts it per battery, and
 * the control command `state NAME` shows the count (unexpected_writes). */
#ifndef SIM_WRITE_GUARD_H
#define SIM_WRITE_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gatt_db.h"

/* Whether the client PDU pdu (len bytes) is a write other than those
 * three; if so, why says what it was ("write request to handle 0x0012
 * (FFF2): WATT function 0x06, DP 0x82"). */
bool sim_write_unexpected(const struct gatt_db *db, const uint8_t *pdu,
			  size_t len, char *why, size_t whylen);

#endif
