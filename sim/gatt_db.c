/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GATT database and ATT server PDU handling of the simulated battery.
 * The rules follow the Bluetooth Core spec, Vol 3 Part F (ATT) and Part G
 * (GATT); section numbers below refer to Part F. */
#include "gatt_db.h"

#include <stdio.h>
#include <string.h>

#include "bytes.h"

/* Telink vendor service 02f00000-0000-0000-0000-00000000fe00 and its
 * characteristics …ff00 to …ff05, little-endian; byte 0 and 1 vary. */
static const uint8_t decoy_base[16] = {
	0x00, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x02,
};

/* Bluetooth base UUID 0000xxxx-0000-1000-8000-00805f9b34fb, little-endian;
 * bytes 12 and 13 carry a 16-bit UUID. */
static const uint8_t base_uuid[16] = {
	0xfb, 0x34, 0x9b, 0x5f, 0x80, 0x00, 0x00, 0x80,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void uuid_to128(const uint8_t *u, size_t len, uint8_t out[16])
{
	if (len == 16) {
		memcpy(out, u, 16);
		return;
	}
	memcpy(out, base_uuid, 16);
	out[12] = u[0];
	out[13] = u[1];
}

static bool uuid_eq(const uint8_t *a, size_t alen, const uint8_t *b,
		    size_t blen)
{
	uint8_t x[16], y[16];

	if ((alen != 2 && alen != 16) || (blen != 2 && blen != 16))
		return false;
	uuid_to128(a, alen, x);
	uuid_to128(b, blen, y);
	return memcmp(x, y, 16) == 0;
}

static bool attr_is16(const struct gatt_attr *a, uint16_t uuid)
{
	uint8_t u[2];

	put_le16(u, uuid);
	return uuid_eq(a->type, a->type_len, u, 2);
}

static bool attr_is_service(const struct gatt_attr *a)
{
	return attr_is16(a, GATT_UUID_PRIMARY) || attr_is16(a, GATT_UUID_SECONDARY);
}

/* ---- building the table ---- */

static struct gatt_attr *db_add(struct gatt_db *db, uint16_t *h,
				uint16_t type16, uint8_t perms,
				enum gatt_value_kind kind)
{
	struct gatt_attr *a = &db->attrs[db->n++];

	memset(a, 0, sizeof(*a));
	a->handle = (*h)++;
	put_le16(a->type, type16);
	a->type_len = 2;
	a->perms = perms;
	a->kind = kind;
	return a;
}

static void db_service(struct gatt_db *db, uint16_t *h, const uint8_t *uuid,
		       size_t uuid_len)
{
	struct gatt_attr *a = db_add(db, h, GATT_UUID_PRIMARY, GATT_P_READ,
				     GATT_V_STATIC);

	memcpy(a->value, uuid, uuid_len);
	a->value_len = (uint8_t)uuid_len;
}

static void db_service16(struct gatt_db *db, uint16_t *h, uint16_t uuid)
{
	uint8_t u[2];

	put_le16(u, uuid);
	db_service(db, h, u, 2);
}

/* A characteristic declaration and its value attribute; returns the value
 * attribute so the caller can fill a static value. */
static struct gatt_attr *db_char(struct gatt_db *db, uint16_t *h,
				 uint8_t props, const uint8_t *uuid,
				 size_t uuid_len, enum gatt_value_kind kind)
{
	struct gatt_attr *decl = db_add(db, h, GATT_UUID_CHAR, GATT_P_READ,
					GATT_V_STATIC);
	struct gatt_attr *val;
	uint8_t perms = 0;

	decl->value[0] = props;
	put_le16(decl->value + 1, *h);
	memcpy(decl->value + 3, uuid, uuid_len);
	decl->value_len = (uint8_t)(3 + uuid_len);

	if (props & ATT_PROP_READ)
		perms |= GATT_P_READ;
	if (props & ATT_PROP_WRITE)
		perms |= GATT_P_WRITE;
	if (props & ATT_PROP_WRITE_NR)
		perms |= GATT_P_WRITE_CMD;
	val = db_add(db, h, 0, perms, kind);
	memcpy(val->type, uuid, uuid_len);
	val->type_len = (uint8_t)uuid_len;
	return val;
}

static struct gatt_attr *db_char16(struct gatt_db *db, uint16_t *h,
				   uint8_t props, uint16_t uuid,
				   enum gatt_value_kind kind)
{
	uint8_t u[2];

	put_le16(u, uuid);
	return db_char(db, h, props, u, 2, kind);
}

/* The battery service's characteristics both layouts share: the notify
 * one (values FFF1, with its CCCD) and the write one (value FFF2), whatever
 * their UUIDs; the handles are kept in db. */
static void db_battery_pair(struct gatt_db *db, uint16_t *h,
			    uint16_t notify_uuid, uint16_t write_uuid,
			    uint8_t write_props)
{
	struct gatt_attr *a;

	a = db_char16(db, h, ATT_PROP_NOTIFY | ATT_PROP_READ, notify_uuid,
		      GATT_V_FFF1);
	db->fff1_value = a->handle;
	a = db_add(db, h, GATT_UUID_CCCD, GATT_P_READ | GATT_P_WRITE,
		   GATT_V_FFF1_CCCD);
	db->fff1_cccd = a->handle;
	a = db_char16(db, h, write_props, write_uuid, GATT_V_FFF2);
	db->fff2_value = a->handle;
}

static void db_build(struct gatt_db *db, bool jbd)
{
	static const uint8_t appearance[2] = { 0x00, 0x00 };
	uint16_t h = 0x0001;
	struct gatt_attr *a;
	uint8_t u[16];

	memset(db, 0, sizeof(*db));

	/* 0x0001-0x0005 GAP */
	db_service16(db, &h, 0x1800);
	db_char16(db, &h, ATT_PROP_READ, 0x2A00, GATT_V_DEVICE_NAME);
	a = db_char16(db, &h, ATT_PROP_READ, 0x2A01, GATT_V_STATIC);
	memcpy(a->value, appearance, sizeof(appearance));
	a->value_len = sizeof(appearance);

	/* 0x0006-0x0009 GATT: Service Changed, never indicated */
	db_service16(db, &h, 0x1801);
	db_char16(db, &h, ATT_PROP_INDICATE, 0x2A05, GATT_V_NONE);
	db_add(db, &h, GATT_UUID_CCCD, GATT_P_READ | GATT_P_WRITE,
	       GATT_V_SC_CCCD);

	/* A handle gap puts FFF2's value at 0x0014, where the sniffed app
	 * wrote its frames (doc/PROTOCOL.md §2.2); gaps are legal in ATT and make
	 * clients that assume contiguous handles fail here, not in the field. */
	h = 0x000F;
	db_service16(db, &h, 0xFFF0);
	db_battery_pair(db, &h, 0xFFF1, 0xFFF2,
			ATT_PROP_WRITE | ATT_PROP_WRITE_NR | ATT_PROP_READ);
	if (jbd)
		return; /* the DISCOVER: no FFFA, no decoy service */
	a = db_char16(db, &h, ATT_PROP_WRITE | ATT_PROP_WRITE_NR | ATT_PROP_READ,
		      0xFFFA, GATT_V_FFFA);
	db->fffa_value = a->handle;

	/* The Telink decoy service: carries no battery data. */
	db_service(db, &h, decoy_base, 16);
	for (unsigned i = 0; i <= 5; i++) {
		memcpy(u, decoy_base, 16);
		u[0] = (uint8_t)i;
		u[1] = 0xff;
		db_char(db, &h,
			ATT_PROP_READ | ATT_PROP_WRITE | ATT_PROP_WRITE_NR, u,
			16, GATT_V_DECOY);
	}
}

void gatt_db_init(struct gatt_db *db)
{
	db_build(db, false);
}

void gatt_db_init_jbd(struct gatt_db *db)
{
	db_build(db, true);
}

void gatt_db_init_jbd_ff00(struct gatt_db *db)
{
	uint16_t h;

	db_build(db, true);
	/* drop FFF0 (the last service built) and put FF00 in its place */
	while (db->n > 0 &&
	       !attr_is16(&db->attrs[db->n - 1], GATT_UUID_PRIMARY))
		db->n--;
	h = db->attrs[db->n - 1].handle;
	db->n--;
	db_service16(db, &h, 0xFF00);
	db_battery_pair(db, &h, 0xFF01, 0xFF02,
			ATT_PROP_WRITE | ATT_PROP_WRITE_NR);
	db->fffa_value = 0;
}

const struct gatt_attr *gatt_db_find(const struct gatt_db *db,
				     uint16_t handle)
{
	for (unsigned i = 0; i < db->n; i++)
		if (db->attrs[i].handle == handle)
			return &db->attrs[i];
	return NULL;
}

/* Last handle of the service that starts at attrs[i]. */
static uint16_t service_end(const struct gatt_db *db, unsigned i)
{
	unsigned j = i + 1;

	while (j < db->n && !attr_is_service(&db->attrs[j]))
		j++;
	return db->attrs[j - 1].handle;
}

/* ---- connection state and values ---- */

void gatt_conn_init(struct gatt_conn *c, uint16_t server_mtu,
		    const char *device_name)
{
	memset(c, 0, sizeof(*c));
	if (server_mtu < ATT_DEFAULT_MTU)
		server_mtu = ATT_DEFAULT_MTU;
	if (server_mtu > ATT_MAX_MTU)
		server_mtu = ATT_MAX_MTU;
	c->server_mtu = server_mtu;
	c->mtu = ATT_DEFAULT_MTU;
	snprintf(c->device_name, sizeof(c->device_name), "%s", device_name);
	snprintf(c->unlock_key, sizeof(c->unlock_key), "%s", GATT_UNLOCK_KEY);
}

void gatt_device_name(const char *battery_name, char *out, size_t cap)
{
	uint32_t hash = 2166136261u; /* FNV-1a: stable, spreads short names */

	if (strncmp(battery_name, "XDZN", 4) == 0 ||
	    strncmp(battery_name, "WT", 2) == 0) {
		snprintf(out, cap, "%s", battery_name);
		return;
	}
	for (const char *p = battery_name; *p; p++) {
		hash ^= (uint8_t)*p;
		hash *= 16777619u;
	}
	snprintf(out, cap, "XDZN_001_%04X", (unsigned)((hash ^ (hash >> 16)) &
						       0xFFFF));
}

/* The readable value of an attribute; false if it cannot be read. */
static bool attr_value(const struct gatt_attr *a, const struct gatt_conn *c,
		       uint8_t scratch[2], const uint8_t **v, size_t *n)
{
	static const uint8_t decoy_value[4] = { 0x00, 0x00, 0x00, 0x00 };

	if (!(a->perms & GATT_P_READ))
		return false;
	switch (a->kind) {
	case GATT_V_STATIC:
		*v = a->value;
		*n = a->value_len;
		return true;
	case GATT_V_DEVICE_NAME:
		*v = (const uint8_t *)c->device_name;
		*n = strlen(c->device_name);
		return true;
	case GATT_V_FFF1:
		*v = c->fff1_last;
		*n = c->fff1_last_len;
		return true;
	case GATT_V_FFF1_CCCD:
		put_le16(scratch, c->fff1_cccd);
		*v = scratch;
		*n = 2;
		return true;
	case GATT_V_SC_CCCD:
		put_le16(scratch, c->sc_cccd);
		*v = scratch;
		*n = 2;
		return true;
	case GATT_V_FFF2:
		*v = c->fff2_last;
		*n = c->fff2_last_len;
		return true;
	case GATT_V_FFFA:
		/* 01 after the unlock; 00 before, as GateLink's emulator
		 * (the real pre-unlock value is unpublished, §3.1). */
		scratch[0] = c->unlocked ? 0x01 : 0x00;
		*v = scratch;
		*n = 1;
		return true;
	case GATT_V_DECOY:
		*v = decoy_value;
		*n = sizeof(decoy_value);
		return true;
	case GATT_V_NONE:
		return false;
	}
	return false;
}

/* ---- responses ---- */

size_t gatt_build_error(uint8_t *out, size_t cap, uint8_t req_op,
			uint16_t handle, uint8_t ecode)
{
	if (cap < 5)
		return 0;
	out[0] = ATT_OP_ERROR_RSP;
	out[1] = req_op;
	put_le16(out + 2, handle);
	out[4] = ecode;
	return 5;
}

size_t gatt_build_notification(uint8_t *out, size_t cap, uint16_t handle,
			       const uint8_t *v, size_t n)
{
	if (cap < 3 || n > cap - 3)
		return 0;
	out[0] = ATT_OP_NOTIFY;
	put_le16(out + 1, handle);
	memcpy(out + 3, v, n);
	return 3 + n;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Start/end handle check shared by the range requests (3.4.3.1 etc.). */
static bool range_ok(uint16_t start, uint16_t end)
{
	return start != 0 && start <= end;
}

static size_t do_mtu(struct gatt_conn *c, const uint8_t *p, size_t len,
		     uint8_t *rsp, size_t cap, struct gatt_event *ev)
{
	uint16_t client;

	if (len != 3)
		return gatt_build_error(rsp, cap, p[0], 0,
					ATT_ECODE_INVALID_PDU);
	client = get_le16(p + 1);
	rsp[0] = ATT_OP_MTU_RSP;
	put_le16(rsp + 1, c->server_mtu);
	c->mtu = client < c->server_mtu ? client : c->server_mtu;
	if (c->mtu < ATT_DEFAULT_MTU)
		c->mtu = ATT_DEFAULT_MTU;
	ev->kind = GATT_EV_MTU;
	return 3;
}

static size_t do_find_info(const struct gatt_db *db, struct gatt_conn *c,
			   const uint8_t *p, size_t len, uint8_t *rsp,
			   size_t cap)
{
	uint16_t start, end;
	size_t off = 2, limit = min_sz(c->mtu, cap);
	uint8_t fmt_len = 0;

	if (len != 5)
		return gatt_build_error(rsp, cap, p[0], 0,
					ATT_ECODE_INVALID_PDU);
	start = get_le16(p + 1);
	end = get_le16(p + 3);
	if (!range_ok(start, end))
		return gatt_build_error(rsp, cap, p[0], start,
					ATT_ECODE_INVALID_HANDLE);
	for (unsigned i = 0; i < db->n; i++) {
		const struct gatt_attr *a = &db->attrs[i];

		if (a->handle < start || a->handle > end)
			continue;
		/* One format per response (3.4.3.2). */
		if (fmt_len == 0)
			fmt_len = a->type_len;
		else if (a->type_len != fmt_len)
			break;
		if (off + 2 + a->type_len > limit)
			break;
		put_le16(rsp + off, a->handle);
		memcpy(rsp + off + 2, a->type, a->type_len);
		off += 2 + a->type_len;
	}
	if (fmt_len == 0)
		return gatt_build_error(rsp, cap, p[0], start,
					ATT_ECODE_ATTR_NOT_FOUND);
	rsp[0] = ATT_OP_FIND_INFO_RSP;
	rsp[1] = fmt_len == 2 ? 0x01 : 0x02;
	return off;
}

static size_t do_find_by_type(const struct gatt_db *db, struct gatt_conn *c,
			      const uint8_t *p, size_t len, uint8_t *rsp,
			      size_t cap)
{
	uint16_t start, end, type;
	size_t off = 1, limit = min_sz(c->mtu, cap);
	const uint8_t *want;
	size_t want_len;
	uint8_t scratch[2];

	if (len < 7)
		return gatt_build_error(rsp, cap, p[0], 0,
					ATT_ECODE_INVALID_PDU);
	want = p + 7;
	want_len = len - 7;
	start = get_le16(p + 1);
	end = get_le16(p + 3);
	type = get_le16(p + 5);
	if (!range_ok(start, end))
		return gatt_build_error(rsp, cap, p[0], start,
					ATT_ECODE_INVALID_HANDLE);
	for (unsigned i = 0; i < db->n; i++) {
		const struct gatt_attr *a = &db->attrs[i];
		const uint8_t *v;
		size_t n;
		bool group, match;

		if (a->handle < start || a->handle > end || !attr_is16(a, type))
			continue;
		if (!attr_value(a, c, scratch, &v, &n))
			continue;
		group = type == GATT_UUID_PRIMARY || type == GATT_UUID_SECONDARY;
		match = group ? uuid_eq(v, n, want, want_len)
			      : (n == want_len && memcmp(v, want, n) == 0);
		if (!match)
			continue;
		if (off + 4 > limit)
			break;
		put_le16(rsp + off, a->handle);
		put_le16(rsp + off + 2, group ? service_end(db, i) : a->handle);
		off += 4;
	}
	if (off == 1)
		return gatt_build_error(rsp, cap, p[0], start,
					ATT_ECODE_ATTR_NOT_FOUND);
	rsp[0] = ATT_OP_FIND_BY_TYPE_RSP;
	return off;
}

static size_t do_read_by_type(const struct gatt_db *db, struct gatt_conn *c,
			      const uint8_t *p, size_t len, uint8_t *rsp,
			      size_t cap)
{
	uint16_t start, end;
	size_t off = 2, limit = min_sz(c->mtu, cap), entry = 0;
	uint8_t scratch[2];

	if (len != 7 && len != 21)
		return gatt_build_error(rsp, cap, p[0], 0,
					ATT_ECODE_INVALID_PDU);
	start = get_le16(p + 1);
	end = get_le16(p + 3);
	if (!range_ok(start, end))
		return gatt_build_error(rsp, cap, p[0], start,
					ATT_ECODE_INVALID_HANDLE);
	for (unsigned i = 0; i < db->n; i++) {
		const struct gatt_attr *a = &db->attrs[i];
		const uint8_t *v;
		size_t n, e;

		if (a->handle < start || a->handle > end ||
		    !uuid_eq(a->type, a->type_len, p + 5, len - 5))
			continue;
		if (!attr_value(a, c, scratch, &v, &n)) {
			if (entry == 0)
				return gatt_build_error(
					rsp, cap, p[0], a->handle,
					ATT_ECODE_READ_NOT_PERMITTED);
			break;
		}
		/* The length byte covers handle + value, so at most 255;
		 * values are cut to fit one entry in the MTU (3.4.4.2). */
		n = min_sz(n, min_sz(limit - 4, 253));
		e = 2 + n;
		if (entry == 0)
			entry = e;
		else if (e != entry)
			break;
		if (off + e > limit)
			break;
		put_le16(rsp + off, a->handle);
		memcpy(rsp + off + 2, v, n);
		off += e;
	}
	if (entry == 0)
		return gatt_build_error(rsp, cap, p[0], start,
					ATT_ECODE_ATTR_NOT_FOUND);
	rsp[0] = ATT_OP_READ_BY_TYPE_RSP;
	rsp[1] = (uint8_t)entry;
	return off;
}

static size_t do_read(const struct gatt_db *db, struct gatt_conn *c,
		      const uint8_t *p, size_t len, uint8_t *rsp, size_t cap)
{
	const struct gatt_attr *a;
	uint16_t handle, offset = 0;
	const uint8_t *v;
	size_t n, limit = min_sz(c->mtu, cap);
	uint8_t scratch[2];
	bool blob = p[0] == ATT_OP_READ_BLOB_REQ;

	if (len != (blob ? 5u : 3u))
		return gatt_build_error(rsp, cap, p[0], 0,
					ATT_ECODE_INVALID_PDU);
	handle = get_le16(p + 1);
	if (blob)
		offset = get_le16(p + 3);
	a = gatt_db_find(db, handle);
	if (!a)
		return gatt_build_error(rsp, cap, p[0], handle,
					ATT_ECODE_INVALID_HANDLE);
	if (!attr_value(a, c, scratch, &v, &n))
		return gatt_build_error(rsp, cap, p[0], handle,
					ATT_ECODE_READ_NOT_PERMITTED);
	if (offset > n)
		return gatt_build_error(rsp, cap, p[0], handle,
					ATT_ECODE_INVALID_OFFSET);
	n = min_sz(n - offset, limit - 1);
	rsp[0] = blob ? ATT_OP_READ_BLOB_RSP : ATT_OP_READ_RSP;
	memcpy(rsp + 1, v + offset, n);
	return 1 + n;
}

static size_t do_read_by_group(const struct gatt_db *db,
			       struct gatt_conn *c, const uint8_t *p,
			       size_t len, uint8_t *rsp, size_t cap)
{
	uint16_t start, end;
	size_t off = 2, limit = min_sz(c->mtu, cap), entry = 0;
	uint8_t prim[2], sec[2];

	if (len != 7 && len != 21)
		return gatt_build_error(rsp, cap, p[0], 0,
					ATT_ECODE_INVALID_PDU);
	start = get_le16(p + 1);
	end = get_le16(p + 3);
	if (!range_ok(start, end))
		return gatt_build_error(rsp, cap, p[0], start,
					ATT_ECODE_INVALID_HANDLE);
	put_le16(prim, GATT_UUID_PRIMARY);
	put_le16(sec, GATT_UUID_SECONDARY);
	if (!uuid_eq(p + 5, len - 5, prim, 2) &&
	    !uuid_eq(p + 5, len - 5, sec, 2))
		return gatt_build_error(rsp, cap, p[0], start,
					ATT_ECODE_UNSUPPORTED_GROUP);
	for (unsigned i = 0; i < db->n; i++) {
		const struct gatt_attr *a = &db->attrs[i];
		size_t e;

		if (a->handle < start || a->handle > end ||
		    !uuid_eq(a->type, a->type_len, p + 5, len - 5))
			continue;
		/* 16-bit and 128-bit services never share a response: the
		 * entries of one response have one length (3.4.4.10). */
		e = 4 + a->value_len;
		if (entry == 0)
			entry = e;
		else if (e != entry)
			break;
		if (off + e > limit)
			break;
		put_le16(rsp + off, a->handle);
		put_le16(rsp + off + 2, service_end(db, i));
		memcpy(rsp + off + 4, a->value, a->value_len);
		off += e;
	}
	if (entry == 0)
		return gatt_build_error(rsp, cap, p[0], start,
					ATT_ECODE_ATTR_NOT_FOUND);
	rsp[0] = ATT_OP_READ_BY_GROUP_RSP;
	rsp[1] = (uint8_t)entry;
	return off;
}

/* Apply a write; returns 0 or an ATT error code. */
static uint8_t apply_write(const struct gatt_attr *a, struct gatt_conn *c,
			   const uint8_t *v, size_t n, bool cmd,
			   struct gatt_event *ev)
{
	if (!(a->perms & (cmd ? GATT_P_WRITE_CMD : GATT_P_WRITE)))
		return ATT_ECODE_WRITE_NOT_PERMITTED;
	switch (a->kind) {
	case GATT_V_FFF1_CCCD:
	case GATT_V_SC_CCCD:
		if (n != 2)
			return ATT_ECODE_INVALID_VALUE_LEN;
		if (a->kind == GATT_V_FFF1_CCCD) {
			c->fff1_cccd = get_le16(v);
			ev->kind = GATT_EV_CCCD;
		} else {
			c->sc_cccd = get_le16(v);
		}
		return 0;
	case GATT_V_FFF2:
		if (n > GATT_VALUE_MAX)
			return ATT_ECODE_INVALID_VALUE_LEN;
		memcpy(c->fff2_last, v, n);
		c->fff2_last_len = n;
		ev->kind = GATT_EV_WATT_WRITE;
		ev->data = v;
		ev->len = n;
		return 0;
	case GATT_V_FFFA:
		if (n == strlen(c->unlock_key) &&
		    memcmp(v, c->unlock_key, n) == 0) {
			c->unlocked = true;
			ev->kind = GATT_EV_UNLOCK;
		} else {
			ev->kind = GATT_EV_BAD_UNLOCK;
		}
		ev->data = v;
		ev->len = n;
		return 0;
	case GATT_V_DECOY:
		return 0;
	case GATT_V_STATIC:
	case GATT_V_DEVICE_NAME:
	case GATT_V_FFF1:
	case GATT_V_NONE:
		return ATT_ECODE_WRITE_NOT_PERMITTED;
	}
	return ATT_ECODE_WRITE_NOT_PERMITTED;
}

static size_t do_write(const struct gatt_db *db, struct gatt_conn *c,
		       const uint8_t *p, size_t len, uint8_t *rsp, size_t cap,
		       struct gatt_event *ev)
{
	bool cmd = p[0] == ATT_OP_WRITE_CMD;
	const struct gatt_attr *a;
	uint16_t handle;
	uint8_t ecode;

	if (len < 3)
		return cmd ? 0 : gatt_build_error(rsp, cap, p[0], 0,
						  ATT_ECODE_INVALID_PDU);
	handle = get_le16(p + 1);
	a = gatt_db_find(db, handle);
	if (!a)
		ecode = ATT_ECODE_INVALID_HANDLE;
	else
		ecode = apply_write(a, c, p + 3, len - 3, cmd, ev);
	if (cmd)
		return 0; /* commands never get an answer, not even errors */
	if (ecode)
		return gatt_build_error(rsp, cap, p[0], handle, ecode);
	rsp[0] = ATT_OP_WRITE_RSP;
	return 1;
}

size_t gatt_handle_pdu(const struct gatt_db *db, struct gatt_conn *c,
		       const uint8_t *pdu, size_t len, uint8_t *rsp,
		       size_t cap, struct gatt_event *ev)
{
	uint8_t op;

	ev->kind = GATT_EV_NONE;
	ev->data = NULL;
	ev->len = 0;
	if (len == 0 || cap < ATT_DEFAULT_MTU)
		return 0;
	op = pdu[0];
	/* Commands (bit 6) and the client's own notifications/confirmations
	 * are never answered. */
	if (op == ATT_OP_WRITE_CMD) {
		if (len <= c->mtu)
			do_write(db, c, pdu, len, rsp, cap, ev);
		return 0;
	}
	if ((op & 0x40) || op == ATT_OP_CONFIRM || op == ATT_OP_NOTIFY ||
	    op == ATT_OP_INDICATE)
		return 0;
	if (op != ATT_OP_MTU_REQ && len > c->mtu)
		return gatt_build_error(rsp, cap, op, 0, ATT_ECODE_INVALID_PDU);

	switch (op) {
	case ATT_OP_MTU_REQ:
		return do_mtu(c, pdu, len, rsp, cap, ev);
	case ATT_OP_FIND_INFO_REQ:
		return do_find_info(db, c, pdu, len, rsp, cap);
	case ATT_OP_FIND_BY_TYPE_REQ:
		return do_find_by_type(db, c, pdu, len, rsp, cap);
	case ATT_OP_READ_BY_TYPE_REQ:
		return do_read_by_type(db, c, pdu, len, rsp, cap);
	case ATT_OP_READ_REQ:
	case ATT_OP_READ_BLOB_REQ:
		return do_read(db, c, pdu, len, rsp, cap);
	case ATT_OP_READ_BY_GROUP_REQ:
		return do_read_by_group(db, c, pdu, len, rsp, cap);
	case ATT_OP_WRITE_REQ:
		return do_write(db, c, pdu, len, rsp, cap, ev);
	default:
		/* Read Multiple, Prepare/Execute Write, responses sent to a
		 * server, unknown opcodes. */
		return gatt_build_error(rsp, cap, op, 0,
					ATT_ECODE_REQ_NOT_SUPP);
	}
}
