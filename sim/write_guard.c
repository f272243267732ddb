/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The read-only check of client writes: see write_guard.h. */
#include "write_guard.h"

#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "jbd.h"
#include "watt.h"

static const char *op_word(uint8_t op)
{
	switch (op) {
	case ATT_OP_WRITE_REQ:
		return "write request";
	case ATT_OP_WRITE_CMD:
		return "write command";
	case ATT_OP_PREP_WRITE_REQ:
		return "prepare write request";
	case ATT_OP_EXEC_WRITE_REQ:
		return "execute write request";
	case ATT_OP_SIGNED_WRITE_CMD:
		return "signed write command";
	default:
		return NULL;
	}
}

/* A read request of either family, as written to FFF2 (or FF02). */
static bool is_read_request(const uint8_t *v, size_t n, char *why,
			    size_t whylen)
{
	if (n >= WATT_READ_LEN &&
	    (v[0] == WATT_HEAD_7E || v[0] == WATT_HEAD_1E)) {
		if (v[3] == WATT_FN_READ)
			return true;
		snprintf(why, whylen, "WATT function 0x%02X, DP 0x%02X",
			 v[3], get_be16(v + 4));
		return false;
	}
	if (n >= JBD_READ_LEN && v[0] == JBD_START) {
		if (v[1] == JBD_MARK_READ)
			return true;
		snprintf(why, whylen, "JBD mark 0x%02X, register 0x%02X",
			 v[1], v[2]);
		return false;
	}
	snprintf(why, whylen, "%zu bytes that are no read request", n);
	return false;
}

bool sim_write_unexpected(const struct gatt_db *db, const uint8_t *pdu,
			  size_t len, char *why, size_t whylen)
{
	const char *op = len ? op_word(pdu[0]) : NULL;
	const struct gatt_attr *a;
	char what[96] = "";
	uint16_t handle;

	if (!op)
		return false; /* not a write */
	if (pdu[0] != ATT_OP_WRITE_REQ && pdu[0] != ATT_OP_WRITE_CMD) {
		snprintf(why, whylen, "%s (%zu bytes)", op, len);
		return true;
	}
	if (len < 3) {
		snprintf(why, whylen, "%s of %zu bytes", op, len);
		return true;
	}
	handle = get_le16(pdu + 1);
	a = gatt_db_find(db, handle);
	switch (a ? a->kind : GATT_V_NONE) {
	case GATT_V_FFFA:
		if (len - 3 == strlen(GATT_UNLOCK_KEY) &&
		    memcmp(pdu + 3, GATT_UNLOCK_KEY, len - 3) == 0)
			return false;
		snprintf(what, sizeof(what), "%zu bytes that are not the "
			 "unlock key", len - 3);
		break;
	case GATT_V_FFF1_CCCD:
		if (len - 3 == 2)
			return false;
		snprintf(what, sizeof(what), "%zu bytes", len - 3);
		break;
	case GATT_V_FFF2:
		if (is_read_request(pdu + 3, len - 3, what, sizeof(what)))
			return false;
		break;
	case GATT_V_STATIC:
	case GATT_V_DEVICE_NAME:
	case GATT_V_FFF1:
	case GATT_V_SC_CCCD:
	case GATT_V_DECOY:
	case GATT_V_NONE:
		snprintf(what, sizeof(what), "%s",
			 a ? "a characteristic a reader never writes"
			   : "no such attribute");
		break;
	}
	snprintf(why, whylen, "%s to handle 0x%04X: %s", op, handle, what);
	return true;
}
