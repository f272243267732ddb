/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated battery's GATT database and the server side of ATT.
 *
 * Layout (doc/PROTOCOL.md §2.1, §12): GAP 1800, GATT 1801, the data service
 * FFF0 with FFF1 (notify, read + CCCD), FFF2 (write, write-without-response,
 * read; no CCCD) and FFFA (the same properties; the "HiLink" unlock), then
 * the Telink decoy service 02f00000-…-fe00 with 128-bit characteristics
 * …ff00 to …ff05.  Handles are stable; FFF2's value sits at 0x0014 as on
 * the sniffed 4S unit (§2.2), but clients must discover it anyway.
 *
 * No I/O here: the server hands every PDU the client sent to
 * gatt_handle_pdu, sends back the response it builds and acts on the event
 * it reports (a WATT frame written to FFF2, an unlock, a CCCD change). */
#ifndef SIM_GATT_DB_H
#define SIM_GATT_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "att_opcodes.h"

#define GATT_VALUE_MAX 512    /* longest attribute value (Core Vol 3 F 3.2.9) */
#define GATT_DB_MAX_ATTRS 48
#define GATT_NAME_MAX 32

/* Where an attribute's value lives. */
enum gatt_value_kind {
	GATT_V_STATIC,      /* bytes in the table */
	GATT_V_DEVICE_NAME, /* the connection's device name */
	GATT_V_FFF1,        /* last notified fragment */
	GATT_V_FFF1_CCCD,
	GATT_V_FFF2,        /* last frame written */
	GATT_V_FFFA,        /* unlock state: 00 / 01 */
	GATT_V_SC_CCCD,     /* Service Changed CCCD (never indicated) */
	GATT_V_DECOY,       /* vendor service: readable, writes discarded */
	GATT_V_NONE,        /* not readable (Service Changed value) */
};

enum gatt_perm {
	GATT_P_READ = 1 << 0,
	GATT_P_WRITE = 1 << 1,     /* Write Request */
	GATT_P_WRITE_CMD = 1 << 2, /* Write Command */
};

struct gatt_attr {
	uint16_t handle;
	uint8_t type[16];   /* UUID, little-endian as on the wire */
	uint8_t type_len;   /* 2 or 16 */
	uint8_t perms;      /* enum gatt_perm bits */
	enum gatt_value_kind kind;
	uint8_t value[20];  /* GATT_V_STATIC: declarations and fixed values */
	uint8_t value_len;
};

struct gatt_db {
	struct gatt_attr attrs[GATT_DB_MAX_ATTRS];
	unsigned n;
	uint16_t fff1_value, fff1_cccd, fff2_value, fffa_value;
};

/* Per-connection ATT/GATT state. */
struct gatt_conn {
	uint16_t server_mtu;  /* what Exchange MTU answers (the battery's cfg) */
	uint16_t mtu;         /* effective ATT MTU */
	uint16_t fff1_cccd;   /* 0x0001 = notifications on */
	uint16_t sc_cccd;
	bool unlocked;        /* the key written to FFFA on this connection */
	char unlock_key[17];  /* the key FFFA accepts (GATT_UNLOCK_KEY) */
	char device_name[GATT_NAME_MAX];
	uint8_t fff1_last[GATT_VALUE_MAX];
	size_t fff1_last_len;
	uint8_t fff2_last[GATT_VALUE_MAX];
	size_t fff2_last_len;
};

enum gatt_event_kind {
	GATT_EV_NONE,
	GATT_EV_WATT_WRITE, /* data/len: one frame written to FFF2 */
	GATT_EV_UNLOCK,     /* "HiLink" accepted */
	GATT_EV_BAD_UNLOCK, /* something else written to FFFA */
	GATT_EV_CCCD,       /* FFF1 CCCD written */
	GATT_EV_MTU,        /* MTU exchanged */
};

struct gatt_event {
	enum gatt_event_kind kind;
	const uint8_t *data; /* points into the request PDU */
	size_t len;
};

#define GATT_UNLOCK_KEY "HiLink"

/* Build the database (always the same layout). */
void gatt_db_init(struct gatt_db *db);

/* The JBD-family battery's database (a DISCOVER): the same GAP, GATT and
 * FFF0 with FFF1/FFF2 at the same handles, but no FFFA (fffa_value 0) and
 * no decoy service. */
void gatt_db_init_jbd(struct gatt_db *db);

/* A classic JBD module's database: GAP, GATT and FF00 with FF01 (notify,
 * read + CCCD) and FF02 (write); fff1_value/fff1_cccd/fff2_value name FF01
 * and FF02 there, fffa_value is 0. */
void gatt_db_init_jbd_ff00(struct gatt_db *db);

/* The attribute at a handle, or NULL. */
const struct gatt_attr *gatt_db_find(const struct gatt_db *db,
				     uint16_t handle);

/* Fresh connection state: MTU 23, notifications off, locked. */
void gatt_conn_init(struct gatt_conn *c, uint16_t server_mtu,
		    const char *device_name);

/* Handle one client PDU.  Writes the response PDU (Error Response
 * included) to rsp and returns its length; 0 when the PDU gets no answer
 * (commands, confirmations).  *ev says what the battery must do. */
size_t gatt_handle_pdu(const struct gatt_db *db, struct gatt_conn *c,
		       const uint8_t *pdu, size_t len, uint8_t *rsp,
		       size_t cap, struct gatt_event *ev);

/* A Handle Value Notification of n value bytes; 0 if cap is too small. */
size_t gatt_build_notification(uint8_t *out, size_t cap, uint16_t handle,
			       const uint8_t *v, size_t n);

/* An Error Response. */
size_t gatt_build_error(uint8_t *out, size_t cap, uint8_t req_op,
			uint16_t handle, uint8_t ecode);

/* The advertised-style name for a battery: names that already look like a
 * battery's ("XDZN…", "WT…") are kept, others become "XDZN_001_" plus four
 * upper-case hex digits derived from the name (stable across runs). */
void gatt_device_name(const char *battery_name, char *out, size_t cap);

#endif
