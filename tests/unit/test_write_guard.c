/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the simulator's read-only check (sim/write_guard.c): the
 * writes a monitoring client needs pass — the unlock key on FFFA, the FFF1
 * CCCD, WATT and JBD read requests on FFF2 — and every other write is
 * reported, with what it was: a MOSFET or clock write on FFF2, another key
 * on FFFA, the Service Changed CCCD, a static attribute, a handle that does
 * not exist, prepared and signed writes.  Reads are not writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../sim/write_guard.h"
#include "bytes.h"
#include "jbd.h"
#include "watt.h"
#include "write_requests.h"

/* A Write Request (or Command) PDU of value v to handle h. */
static size_t wr(uint8_t *pdu, uint8_t op, uint16_t h, const uint8_t *v,
		 size_t n)
{
	pdu[0] = op;
	put_le16(pdu + 1, h);
	memcpy(pdu + 3, v, n);
	return 3 + n;
}

static bool unexpected(const struct gatt_db *db, const uint8_t *pdu,
		       size_t len, char *why)
{
	why[0] = '\0';
	return sim_write_unexpected(db, pdu, len, why, 160);
}

/* the handle of the Service Changed CCCD: the first CCCD that is not FFF1's */
static uint16_t sc_cccd(const struct gatt_db *db)
{
	for (unsigned i = 0; i < db->n; i++)
		if (db->attrs[i].kind == GATT_V_SC_CCCD)
			return db->attrs[i].handle;
	return 0;
}

static void test_watt_reader_writes_pass(void **state)
{
	struct gatt_db db;
	uint8_t pdu[64], v[32], op;
	const uint8_t on[2] = { 0x01, 0x00 };
	char why[160];
	size_t n;

	(void)state;
	gatt_db_init(&db);
	for (int k = 0; k < 2; k++) {
		op = k ? ATT_OP_WRITE_CMD : ATT_OP_WRITE_REQ;
		n = wr(pdu, op, db.fffa_value, (const uint8_t *)"HiLink", 6);
		assert_false(unexpected(&db, pdu, n, why));
		n = wr(pdu, op, db.fff1_cccd, on, 2);
		assert_false(unexpected(&db, pdu, n, why));
		for (int h = 0; h < 2; h++) {
			uint8_t head = h ? WATT_HEAD_1E : WATT_HEAD_7E;
			const uint8_t dps[] = { WATT_DP_ANALOG, WATT_DP_STATUS,
						WATT_DP_PRODUCT };

			for (size_t i = 0; i < sizeof(dps); i++) {
				size_t m = watt_build_read(v, sizeof(v), head,
							   dps[i]);

				n = wr(pdu, op, db.fff2_value, v, m);
				assert_false(unexpected(&db, pdu, n, why));
			}
			n = wr(pdu, op, db.fff2_value, v,
			       watt_build_infodata_read(v, sizeof(v), head));
			assert_false(unexpected(&db, pdu, n, why));
		}
	}
	/* reads, discovery and MTU are not writes */
	pdu[0] = ATT_OP_READ_REQ;
	put_le16(pdu + 1, db.fffa_value);
	assert_false(unexpected(&db, pdu, 3, why));
	pdu[0] = ATT_OP_MTU_REQ;
	put_le16(pdu + 1, 247);
	assert_false(unexpected(&db, pdu, 3, why));
}

static void test_watt_other_writes_reported(void **state)
{
	struct gatt_db db;
	uint8_t pdu[64], v[32];
	const uint8_t on[2] = { 0x01, 0x00 };
	const struct watt_clock t = { 2026, 1, 2, 3, 4, 5 };
	char why[160];
	size_t n;

	(void)state;
	gatt_db_init(&db);
	/* a MOSFET write on FFF2: the one write a reader must never send */
	n = wr(pdu, ATT_OP_WRITE_REQ, db.fff2_value, v,
	       watt_build_mos(v, sizeof(v), WATT_HEAD_7E, WATT_DP_CHG_MOS, 0));
	assert_true(unexpected(&db, pdu, n, why));
	assert_non_null(strstr(why, "function 0x06, DP 0x82"));
	n = wr(pdu, ATT_OP_WRITE_CMD, db.fff2_value, v,
	       watt_build_clock(v, sizeof(v), WATT_HEAD_1E, &t));
	assert_true(unexpected(&db, pdu, n, why));
	assert_non_null(strstr(why, "write command"));
	/* bytes that are no frame at all */
	n = wr(pdu, ATT_OP_WRITE_REQ, db.fff2_value, (const uint8_t *)"AT", 2);
	assert_true(unexpected(&db, pdu, n, why));
	/* FFFA: only the unlock key */
	n = wr(pdu, ATT_OP_WRITE_REQ, db.fffa_value, (const uint8_t *)"HiLinl", 6);
	assert_true(unexpected(&db, pdu, n, why));
	assert_non_null(strstr(why, "not the unlock key"));
	/* CCCDs: FFF1's with a wrong length, Service Changed's at all */
	n = wr(pdu, ATT_OP_WRITE_REQ, db.fff1_cccd, on, 1);
	assert_true(unexpected(&db, pdu, n, why));
	assert_int_not_equal(sc_cccd(&db), 0);
	n = wr(pdu, ATT_OP_WRITE_REQ, sc_cccd(&db), on, 2);
	assert_true(unexpected(&db, pdu, n, why));
	assert_non_null(strstr(why, "never writes"));
	/* a declaration, a handle that does not exist */
	n = wr(pdu, ATT_OP_WRITE_REQ, 0x0001, on, 2);
	assert_true(unexpected(&db, pdu, n, why));
	n = wr(pdu, ATT_OP_WRITE_REQ, 0xFFF0, on, 2);
	assert_true(unexpected(&db, pdu, n, why));
	assert_non_null(strstr(why, "no such attribute"));
	/* prepared, executed and signed writes; a truncated write */
	pdu[0] = ATT_OP_PREP_WRITE_REQ;
	assert_true(unexpected(&db, pdu, 5, why));
	pdu[0] = ATT_OP_EXEC_WRITE_REQ;
	assert_true(unexpected(&db, pdu, 2, why));
	pdu[0] = ATT_OP_SIGNED_WRITE_CMD;
	assert_true(unexpected(&db, pdu, 20, why));
	pdu[0] = ATT_OP_WRITE_REQ;
	assert_true(unexpected(&db, pdu, 2, why));
}

static void test_jbd_reader_writes(void **state)
{
	struct gatt_db dbs[2];
	uint8_t pdu[64], v[32];
	const uint8_t on[2] = { 0x01, 0x00 };
	char why[160];
	size_t n;

	(void)state;
	gatt_db_init_jbd(&dbs[0]);
	gatt_db_init_jbd_ff00(&dbs[1]);
	for (int k = 0; k < 2; k++) {
		const struct gatt_db *db = &dbs[k];
		const uint8_t cmds[] = { JBD_CMD_BASIC, JBD_CMD_CELLS,
					 JBD_CMD_HW };

		for (size_t i = 0; i < sizeof(cmds); i++) {
			n = wr(pdu, ATT_OP_WRITE_REQ, db->fff2_value, v,
			       jbd_build_read(v, sizeof(v), cmds[i]));
			assert_false(unexpected(db, pdu, n, why));
		}
		/* the WATT fallback's read requests on the same characteristic */
		n = wr(pdu, ATT_OP_WRITE_REQ, db->fff2_value, v,
		       watt_build_read(v, sizeof(v), WATT_HEAD_7E, WATT_DP_ANALOG));
		assert_false(unexpected(db, pdu, n, why));
		n = wr(pdu, ATT_OP_WRITE_REQ, db->fff1_cccd, on, 2);
		assert_false(unexpected(db, pdu, n, why));
		/* a JBD write (mark 5A), e.g. the restart command 0x0E */
		n = jbd_build_read(v, sizeof(v), 0x0E);
		v[1] = JBD_MARK_WRITE;
		n = wr(pdu, ATT_OP_WRITE_REQ, db->fff2_value, v, n);
		assert_true(unexpected(db, pdu, n, why));
		assert_non_null(strstr(why, "JBD mark 0x5A"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watt_reader_writes_pass),
		cmocka_unit_test(test_watt_other_writes_reported),
		cmocka_unit_test(test_jbd_reader_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
