/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ATT and GATT numbers from the Bluetooth Core spec (Vol 3 Parts F and G),
 * one list for both ends: the plugin's ATT client (att.c) and the
 * simulator's ATT server (sim/gatt_db.c, sim/write_guard.c).  Numbers only,
 * no code. */
#ifndef WC_ATT_OPCODES_H
#define WC_ATT_OPCODES_H

/* ATT_MTU before and after an exchange (Part F 3.2.8, 3.2.9) */
#define ATT_DEFAULT_MTU 23
#define ATT_MAX_MTU 517

/* opcodes (Part F 3.4.8) */
enum att_opcode {
	ATT_OP_ERROR_RSP = 0x01,
	ATT_OP_MTU_REQ = 0x02,
	ATT_OP_MTU_RSP = 0x03,
	ATT_OP_FIND_INFO_REQ = 0x04,
	ATT_OP_FIND_INFO_RSP = 0x05,
	ATT_OP_FIND_BY_TYPE_REQ = 0x06,
	ATT_OP_FIND_BY_TYPE_RSP = 0x07,
	ATT_OP_READ_BY_TYPE_REQ = 0x08,
	ATT_OP_READ_BY_TYPE_RSP = 0x09,
	ATT_OP_READ_REQ = 0x0A,
	ATT_OP_READ_RSP = 0x0B,
	ATT_OP_READ_BLOB_REQ = 0x0C,
	ATT_OP_READ_BLOB_RSP = 0x0D,
	ATT_OP_READ_MULT_REQ = 0x0E,
	ATT_OP_READ_MULT_RSP = 0x0F,
	ATT_OP_READ_BY_GROUP_REQ = 0x10,
	ATT_OP_READ_BY_GROUP_RSP = 0x11,
	ATT_OP_WRITE_REQ = 0x12,
	ATT_OP_WRITE_RSP = 0x13,
	ATT_OP_PREP_WRITE_REQ = 0x16,
	ATT_OP_PREP_WRITE_RSP = 0x17,
	ATT_OP_EXEC_WRITE_REQ = 0x18,
	ATT_OP_EXEC_WRITE_RSP = 0x19,
	ATT_OP_NOTIFY = 0x1B,
	ATT_OP_INDICATE = 0x1D,
	ATT_OP_CONFIRM = 0x1E,
	ATT_OP_READ_MULT_VAR_REQ = 0x20,
	ATT_OP_READ_MULT_VAR_RSP = 0x21,
	ATT_OP_WRITE_CMD = 0x52,
	ATT_OP_SIGNED_WRITE_CMD = 0xD2,
};

/* bit 6 of an opcode: a command, which an unaware receiver ignores (3.3.1) */
#define ATT_OP_CMD_FLAG 0x40

/* error codes (Part F 3.4.1.1); 0x80-0x9F are the application's */
enum att_ecode {
	ATT_ECODE_INVALID_HANDLE = 0x01,
	ATT_ECODE_READ_NOT_PERMITTED = 0x02,
	ATT_ECODE_WRITE_NOT_PERMITTED = 0x03,
	ATT_ECODE_INVALID_PDU = 0x04,
	ATT_ECODE_INSUFF_AUTHENTICATION = 0x05,
	ATT_ECODE_REQ_NOT_SUPP = 0x06,
	ATT_ECODE_INVALID_OFFSET = 0x07,
	ATT_ECODE_INSUFF_AUTHORIZATION = 0x08,
	ATT_ECODE_PREP_QUEUE_FULL = 0x09,
	ATT_ECODE_ATTR_NOT_FOUND = 0x0A,
	ATT_ECODE_ATTR_NOT_LONG = 0x0B,
	ATT_ECODE_INSUFF_ENC_KEY_SIZE = 0x0C,
	ATT_ECODE_INVALID_VALUE_LEN = 0x0D,
	ATT_ECODE_UNLIKELY = 0x0E,
	ATT_ECODE_INSUFF_ENCRYPTION = 0x0F,
	ATT_ECODE_UNSUPPORTED_GROUP = 0x10,
	ATT_ECODE_INSUFF_RESOURCES = 0x11,
};
#define ATT_ECODE_APP_FIRST 0x80
#define ATT_ECODE_APP_LAST 0x9F

/* GATT attribute types (Part G 3.1, 3.3) */
#define GATT_UUID_PRIMARY 0x2800   /* primary service declaration */
#define GATT_UUID_SECONDARY 0x2801 /* secondary service declaration */
#define GATT_UUID_CHAR 0x2803      /* characteristic declaration */
#define GATT_UUID_CUD 0x2901 /* Characteristic User Description */
#define GATT_UUID_CCCD 0x2902

/* characteristic properties (Part G 3.3.1.1) */
#define ATT_PROP_READ 0x02
#define ATT_PROP_WRITE_NR 0x04
#define ATT_PROP_WRITE 0x08
#define ATT_PROP_NOTIFY 0x10
#define ATT_PROP_INDICATE 0x20

#endif
