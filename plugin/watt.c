/* WATT/TDT frames: see watt.h and protocol.md §4–§6. */
#include "watt.h"

#include <math.h>
#include <string.h>

#include "bytes.h"

/* CRC-16/MODBUS, four bits at a time: the register is shifted right by a
 * nibble and the nibble's reflected remainder of 0xA001 folded back in. */
static const uint16_t crc_nibble[16] = {
	0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
	0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
};

uint16_t watt_crc16(const uint8_t *p, size_t n)
{
	uint16_t crc = 0xFFFF;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (uint16_t)((crc >> 4) ^ crc_nibble[crc & 0x0F]);
		crc = (uint16_t)((crc >> 4) ^ crc_nibble[crc & 0x0F]);
	}
	return crc;
}

/* The only place that knows the CRC's byte order on the wire: high byte
 * first (protocol.md §4.5; "7E 00 01 03 00 8C 00 00" -> 0x9942 -> 99 42). */
void watt_put_trailer(uint8_t *buf, size_t n)
{
	put_be16(buf + n, watt_crc16(buf, n));
	buf[n + 2] = WATT_TERMINATOR;
}

static uint16_t frame_crc(const uint8_t *frame, size_t len)
{
	return get_be16(frame + len - WATT_TRAILER_LEN);
}

size_t watt_build_frame(uint8_t *out, size_t cap, uint8_t head,
			uint8_t version, uint8_t address, uint8_t function,
			uint16_t dp, const uint8_t *data, size_t n)
{
	size_t len = n + WATT_OVERHEAD;

	if (!out || n > 0xFFFF || cap < len || (n && !data))
		return 0;
	out[0] = head;
	out[1] = version;
	out[2] = address;
	out[3] = function;
	put_be16(out + 4, dp);
	put_be16(out + 6, (uint16_t)n);
	if (n)
		memcpy(out + WATT_HEADER_LEN, data, n);
	watt_put_trailer(out, WATT_HEADER_LEN + n);
	return len;
}

size_t watt_build_read(uint8_t *out, size_t cap, uint8_t head, uint8_t dp)
{
	return watt_build_frame(out, cap, head, 0x00, WATT_ADDRESS,
				WATT_FN_READ, dp, NULL, 0);
}

size_t watt_build_infodata_read(uint8_t *out, size_t cap, uint8_t head)
{
	/* Bytes 6-7 stay 00 00: the length field does not cover the seven
	 * appended infoData bytes (protocol.md §4.1). */
	static const uint8_t info[7] = { 0x00, 0x05, WATT_ADDRESS,
					 0x00, WC_MAX_CELLS, 0x00, WC_MAX_TEMPS };

	if (!out || cap < WATT_INFODATA_READ_LEN)
		return 0;
	out[0] = head;
	out[1] = 0x01;
	out[2] = WATT_ADDRESS;
	out[3] = WATT_FN_READ;
	put_be16(out + 4, WATT_DP_ANALOG);
	put_be16(out + 6, 0);
	memcpy(out + WATT_HEADER_LEN, info, sizeof(info));
	watt_put_trailer(out, WATT_HEADER_LEN + sizeof(info));
	return WATT_INFODATA_READ_LEN;
}

size_t watt_build_mos(uint8_t *out, size_t cap, uint8_t head, uint8_t dp,
		      int on)
{
	uint8_t v = on ? 0x01 : 0x00;

	if (dp != WATT_DP_CHG_MOS && dp != WATT_DP_DSG_MOS)
		return 0;
	return watt_build_frame(out, cap, head, 0x00, WATT_ADDRESS,
				WATT_FN_WRITE, dp, &v, 1);
}

size_t watt_build_clock(uint8_t *out, size_t cap, uint8_t head,
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

enum wc_err watt_parse_frame(const uint8_t *buf, size_t len,
			     struct watt_frame *f, struct wc_diag *d)
{
	size_t want;
	uint16_t crc;

	if (!buf || !f)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (len < WATT_OVERHEAD)
		return wc_fail(d, WC_E_SHORT, (uint32_t)len, WATT_OVERHEAD);
	if (buf[0] != WATT_HEAD_7E)
		return wc_fail(d, WC_E_HEAD, buf[0], WATT_HEAD_7E);
	want = (size_t)get_be16(buf + 6) + WATT_OVERHEAD;
	if (len < want)
		return wc_fail(d, WC_E_TRUNCATED, (uint32_t)want, (uint32_t)len);
	if (len > want)
		return wc_fail(d, WC_E_OVERLONG, (uint32_t)want, (uint32_t)len);
	if (buf[len - 1] != WATT_TERMINATOR)
		return wc_fail(d, WC_E_TERMINATOR, buf[len - 1],
			       WATT_TERMINATOR);
	crc = watt_crc16(buf, len - WATT_TRAILER_LEN);
	if (frame_crc(buf, len) != crc)
		return wc_fail(d, WC_E_CRC, frame_crc(buf, len), crc);

	f->head = buf[0];
	f->version = buf[1];
	f->address = buf[2];
	f->function = buf[3];
	f->dp = get_be16(buf + 4);
	f->data = buf + WATT_HEADER_LEN;
	f->data_len = get_be16(buf + 6);
	return WC_OK;
}

double watt_current_a(uint16_t raw)
{
	double mag = raw & 0x3FFF;

	if (raw & 0x4000)
		mag /= 10.0;
	if (mag == 0.0)
		return 0.0; /* no "-0.0" for 80 00 / C0 00 */
	return (raw & 0x8000) ? -mag : mag;
}

uint16_t watt_current_raw(double amps)
{
	double mag = fabs(amps) * 10.0 + 0.5;
	uint16_t raw;

	if (!(mag < 0x3FFF))
		mag = 0x3FFF;
	raw = (uint16_t)(0x4000 | ((uint16_t)mag & 0x3FFF));
	if (amps < 0 && (raw & 0x3FFF))
		raw |= 0x8000;
	return raw;
}

double watt_temp_c(uint16_t raw)
{
	return ((double)raw - 2730.0) / 10.0;
}

enum wc_err watt_decode_analog(const uint8_t *data, size_t len,
			       struct wc_sample *s, struct wc_diag *d)
{
	struct cursor c = cursor_init(data, len);
	uint8_t n, m;
	uint16_t v = 0, cur = 0, volt = 0, rem = 0, full = 0, cyc = 0, design = 0,
		 soc = 0;
	size_t base;

	if (!data || !s)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (!rd_u8(&c, &n))
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len, 2);
	if (n == 0 || n > WC_MAX_CELLS)
		return wc_fail(d, WC_E_CELL_COUNT, n, WC_MAX_CELLS);
	/* The sensor count sits behind the cell voltages. */
	if (len < 2u + 2u * n)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len, 2u + 2u * n);
	m = data[1 + 2 * n];
	if (m > WC_MAX_TEMPS)
		return wc_fail(d, WC_E_TEMP_COUNT, m, WC_MAX_TEMPS);
	base = 16u + 2u * n + 2u * m;
	/* The basic layout, or it plus the extension: the app parses the
	 * extension "if at least 18 bytes remain" and reads only its first
	 * 18 bytes, so a longer one is accepted and the rest ignored. */
	if (len != base && len < base + WATT_ANALOG_EXT_LEN)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len, (uint32_t)base);

	s->n_cells = n;
	for (unsigned i = 0; i < n; i++) {
		rd_be16(&c, &v);
		s->cell_v[i] = v / 1000.0;
	}
	wc_set(s, WC_F_CELLS);
	rd_u8(&c, &m);
	s->n_probes = m > 2 ? (uint8_t)(m - 2) : 0;
	for (unsigned i = 0; i < m; i++) {
		rd_be16(&c, &v);
		if (i == 0) {
			s->temp_mos_c = watt_temp_c(v);
			wc_set(s, WC_F_TEMP_MOS);
		} else if (i == 1) {
			s->temp_env_c = watt_temp_c(v);
			wc_set(s, WC_F_TEMP_ENV);
		} else {
			s->probe_c[i - 2] = watt_temp_c(v);
		}
	}
	if (s->n_probes)
		wc_set(s, WC_F_PROBES);

	rd_be16(&c, &cur);
	rd_be16(&c, &volt);
	rd_be16(&c, &rem);
	rd_be16(&c, &full);
	rd_be16(&c, &cyc);
	rd_be16(&c, &design);
	rd_be16(&c, &soc);
	s->current_a = watt_current_a(cur);
	s->voltage_v = volt / 100.0;
	s->power_w = s->voltage_v * s->current_a;
	if (s->power_w == 0.0)
		s->power_w = 0.0;
	s->remaining_ah = rem / 10.0;
	s->full_ah = full / 10.0;
	s->cycles = cyc;
	s->design_ah = design / 10.0;
	s->soc_pct = soc;
	s->present |= 1u << WC_F_CURRENT | 1u << WC_F_VOLTAGE |
		      1u << WC_F_POWER | 1u << WC_F_REMAINING |
		      1u << WC_F_FULL | 1u << WC_F_CYCLES |
		      1u << WC_F_DESIGN | 1u << WC_F_SOC;

	if (c.left >= WATT_ANALOG_EXT_LEN) {
		uint16_t soh = 0, bal = 0;
		uint32_t life = 0, left = 0;
		const uint8_t *reserved;

		rd_be16(&c, &soh);
		rd_be32(&c, &life);
		rd_be32(&c, &left);
		rd_take(&c, 6, &reserved);
		rd_be16(&c, &bal);
		s->soh_pct = soh;
		s->lifetime_ah = life / 10.0;
		s->time_left_min = (int32_t)left;
		s->balance_current_a = watt_current_a(bal);
		s->present |= 1u << WC_F_SOH | 1u << WC_F_LIFETIME |
			      1u << WC_F_TIME_LEFT |
			      1u << WC_F_BALANCE_CURRENT;
	}
	return c.short_read ? wc_fail(d, WC_E_LENGTH, (uint32_t)len,
				      (uint32_t)base)
			    : WC_OK;
}

enum wc_err watt_decode_warning(const uint8_t *data, size_t len,
				struct wc_sample *s, struct wc_diag *d)
{
	struct wc_status_regs r;
	struct cursor c;
	const uint8_t *p = NULL; /* gcc -O1 cannot see rd_take always sets it */
	size_t want;

	if (!data || !s)
		return wc_fail(d, WC_E_ARG, 0, 0);
	memset(&r, 0, sizeof(r));
	if (len < 1)
		return wc_fail(d, WC_E_LENGTH, 0, 2);
	r.n_cells = data[0];
	if (r.n_cells == 0 || r.n_cells > WC_MAX_CELLS)
		return wc_fail(d, WC_E_CELL_COUNT, r.n_cells, WC_MAX_CELLS);
	if (len < 2u + r.n_cells)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len, 2u + r.n_cells);
	r.n_temps = data[1 + r.n_cells];
	if (r.n_temps > WC_MAX_TEMPS)
		return wc_fail(d, WC_E_TEMP_COUNT, r.n_temps, WC_MAX_TEMPS);
	r.n_balance_bytes = (uint8_t)((r.n_cells + 7) / 8);
	want = (size_t)r.n_cells + r.n_temps + 15u + r.n_balance_bytes;
	if (len != want)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len, (uint32_t)want);

	c = cursor_init(data + 1, len - 1);
	rd_take(&c, r.n_cells, &p);
	memcpy(r.cell_state, p, r.n_cells);
	rd_take(&c, 1, &p);
	rd_take(&c, r.n_temps, &p);
	memcpy(r.temp_state, p, r.n_temps);
	rd_u8(&c, &r.charge_current_state);
	rd_u8(&c, &r.voltage_state);
	rd_u8(&c, &r.discharge_current_state);
	rd_u8(&c, &r.battery_mode);
	rd_u8(&c, &r.status1);
	rd_u8(&c, &r.status2);
	rd_u8(&c, &r.status3);
	rd_u8(&c, &r.status4);
	rd_u8(&c, &r.status5);
	rd_u8(&c, &r.reserved9);
	rd_u8(&c, &r.reserved10);
	rd_u8(&c, &r.warning1);
	rd_u8(&c, &r.warning2);
	rd_take(&c, r.n_balance_bytes, &p);
	if (c.short_read)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len, (uint32_t)want);
	memcpy(r.balance, p, r.n_balance_bytes);

	s->regs = r;
	s->charge_mos = (r.status3 & 0x02) != 0;
	s->discharge_mos = (r.status3 & 0x04) != 0;
	s->mode = r.battery_mode <= WC_MODE_DISCHARGING
			  ? (enum wc_mode)r.battery_mode
			  : WC_MODE_UNKNOWN;
	s->balancing = 0;
	for (unsigned i = 0; i < r.n_cells; i++)
		if (r.balance[i / 8] & (1u << (i % 8)))
			s->balancing |= 1u << i;
	wc_set(s, WC_F_STATUS);
	return WC_OK;
}

/* Copy one 20-byte field: up to the first NUL, trailing spaces trimmed,
 * bytes outside printable ASCII replaced by '?' so that no caller has to
 * sanitise a string that came over the air. */
static void copy_info_field(char *dst, const uint8_t *src)
{
	size_t n = 0;

	while (n < WC_INFO_FIELD_LEN && src[n] != 0x00)
		n++;
	while (n > 0 && src[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7F) ? (char)src[i] : '?';
	dst[n] = '\0';
}

enum wc_err watt_decode_product(const uint8_t *data, size_t len,
				struct wc_sample *s, struct wc_diag *d)
{
	if (!data || !s)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (len != WATT_INFO_DATA_LEN)
		return wc_fail(d, WC_E_INFO_LENGTH, (uint32_t)len,
			       WATT_INFO_DATA_LEN);
	copy_info_field(s->firmware, data);
	copy_info_field(s->manufacturer, data + WC_INFO_FIELD_LEN);
	copy_info_field(s->serial, data + 2 * WC_INFO_FIELD_LEN);
	wc_set(s, WC_F_INFO);
	return WC_OK;
}

enum wc_err watt_decode(const uint8_t *buf, size_t len, struct wc_sample *s,
			uint16_t *dp_out, struct wc_diag *d)
{
	struct watt_frame f;
	enum wc_err e;

	if (!s)
		return wc_fail(d, WC_E_ARG, 0, 0);
	e = watt_parse_frame(buf, len, &f, d);
	if (e != WC_OK)
		return e;
	if (dp_out)
		*dp_out = f.dp;
	if (f.function & WATT_FN_ERROR_BIT)
		return wc_fail(d, WC_E_BMS_ERROR, f.function, f.dp);
	if (f.function != WATT_FN_READ)
		return wc_fail(d, WC_E_FUNCTION, f.function, WATT_FN_READ);

	switch (f.dp) {
	case WATT_DP_ANALOG:
		e = watt_decode_analog(f.data, f.data_len, s, d);
		break;
	case WATT_DP_WARNING:
		e = watt_decode_warning(f.data, f.data_len, s, d);
		break;
	case WATT_DP_PRODUCT:
		e = watt_decode_product(f.data, f.data_len, s, d);
		break;
	default:
		return wc_fail(d, WC_E_DP, f.dp, 0);
	}
	if (e == WC_OK) {
		s->version = f.version;
		s->address = f.address;
	}
	return e;
}
