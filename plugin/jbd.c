/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JBD frames: see jbd.h. */
#include "jbd.h"

#include <string.h>

#include "alarms.h"
#include "bytes.h"

uint16_t jbd_checksum(const uint8_t *p, size_t n)
{
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return (uint16_t)(0x10000u - (sum & 0xFFFFu));
}

/* The checksummed bytes start at offset 2 (status/cmd, len, data). */
static void put_trailer(uint8_t *buf, size_t n)
{
	put_be16(buf + n, jbd_checksum(buf + 2, n - 2));
	buf[n + 2] = JBD_END;
}

size_t jbd_build_read(uint8_t *out, size_t cap, uint8_t cmd)
{
	if (!out || cap < JBD_READ_LEN)
		return 0;
	out[0] = JBD_START;
	out[1] = JBD_MARK_READ;
	out[2] = cmd;
	out[3] = 0x00;
	put_trailer(out, JBD_HEADER_LEN);
	return JBD_READ_LEN;
}

size_t jbd_build_reply(uint8_t *out, size_t cap, uint8_t cmd, uint8_t status,
		       const uint8_t *data, size_t n)
{
	if (!out || n > 255 || cap < n + JBD_OVERHEAD || (n && !data))
		return 0;
	out[0] = JBD_START;
	out[1] = cmd;
	out[2] = status;
	out[3] = (uint8_t)n;
	if (n)
		memcpy(out + JBD_HEADER_LEN, data, n);
	put_trailer(out, JBD_HEADER_LEN + n);
	return n + JBD_OVERHEAD;
}

enum wc_err jbd_parse_frame(const uint8_t *buf, size_t len,
			    struct jbd_frame *f, struct wc_diag *d)
{
	size_t want;
	uint16_t got, sum;

	if (!buf || !f)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (len < 1 || buf[0] != JBD_START)
		return len < 1 ? wc_fail(d, WC_E_SHORT, 0, JBD_OVERHEAD)
			       : wc_fail(d, WC_E_HEAD, buf[0], JBD_START);
	if (len < JBD_HEADER_LEN)
		return wc_fail(d, WC_E_SHORT, (uint32_t)len, JBD_OVERHEAD);
	want = (size_t)buf[3] + JBD_OVERHEAD;
	if (len < want)
		return wc_fail(d, WC_E_TRUNCATED, (uint32_t)want, (uint32_t)len);
	if (len > want)
		return wc_fail(d, WC_E_OVERLONG, (uint32_t)want, (uint32_t)len);
	if (buf[len - 1] != JBD_END)
		return wc_fail(d, WC_E_TERMINATOR, buf[len - 1], JBD_END);
	got = get_be16(buf + len - JBD_TRAILER_LEN);
	sum = jbd_checksum(buf + 2, len - 2 - JBD_TRAILER_LEN);
	if (got != sum)
		return wc_fail(d, WC_E_CHECKSUM, got, sum);

	memset(f, 0, sizeof(*f));
	if (buf[1] == JBD_MARK_READ || buf[1] == JBD_MARK_WRITE) {
		f->kind = buf[1] == JBD_MARK_READ ? JBD_KIND_READ
						  : JBD_KIND_WRITE;
		f->cmd = buf[2];
	} else {
		f->kind = JBD_KIND_REPLY;
		f->cmd = buf[1];
		f->status = buf[2];
	}
	f->data = buf + JBD_HEADER_LEN;
	f->data_len = buf[3];
	return WC_OK;
}

double jbd_temp_c(uint16_t raw)
{
	return ((double)raw - JBD_TEMP_ZERO) / 10.0;
}

enum wc_err jbd_decode_basic(const uint8_t *data, size_t len,
			     struct wc_sample *s, struct wc_diag *d)
{
	struct wc_jbd_info j;
	struct wc_status_regs r;
	unsigned n, k;
	size_t base, t;
	double unit;
	uint32_t bal;
	int16_t cur;

	if (!data || !s)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (len < JBD_BASIC_FIXED)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len, JBD_BASIC_FIXED);
	n = data[21];
	k = data[22];
	if (n == 0 || n > WC_MAX_CELLS)
		return wc_fail(d, WC_E_CELL_COUNT, n, WC_MAX_CELLS);
	if (k > WC_MAX_PROBES)
		return wc_fail(d, WC_E_TEMP_COUNT, k, WC_MAX_PROBES);
	base = JBD_BASIC_FIXED + 2u * k;
	/* The standard block alone, or with WattCycle's tail (anything a
	 * newer firmware appends after the tail is ignored). */
	if (len != base && len < base + JBD_BASIC_TAIL)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len,
			       (uint32_t)(len < base ? base
						     : base + JBD_BASIC_TAIL));

	memset(&j, 0, sizeof(j));
	j.fet = data[20];
	j.sw_version = data[18];
	j.production_date = get_be16(data + 10);
	j.protection = get_be16(data + 16);
	unit = (j.fet & JBD_FET_100MA) ? 0.1 : 0.01;

	s->family = WC_FAMILY_JBD;
	s->voltage_v = get_be16(data) / 100.0;
	cur = (int16_t)get_be16(data + 2);
	s->current_a = cur * unit;
	s->power_w = s->voltage_v * s->current_a;
	if (s->power_w == 0.0)
		s->power_w = 0.0; /* no -0 */
	s->remaining_ah = get_be16(data + 4) * unit;
	s->design_ah = get_be16(data + 6) * unit;
	s->full_ah = s->design_ah;
	s->cycles = get_be16(data + 8);
	s->soc_pct = data[19];
	s->n_probes = (uint8_t)k;
	for (unsigned i = 0; i < k; i++)
		s->probe_c[i] = jbd_temp_c(get_be16(data + JBD_BASIC_FIXED +
						    2 * i));
	s->present |= 1u << WC_F_CURRENT | 1u << WC_F_VOLTAGE |
		      1u << WC_F_POWER | 1u << WC_F_REMAINING |
		      1u << WC_F_FULL | 1u << WC_F_CYCLES |
		      1u << WC_F_DESIGN | 1u << WC_F_SOC;
	if (k)
		wc_set(s, WC_F_PROBES);

	if (len >= base + JBD_BASIC_TAIL) {
		t = base;
		j.has_tail = true;
		s->humidity_pct = data[t];
		j.warning = get_be16(data + t + 1) & JBD_WARN_MASK;
		s->full_ah = get_be16(data + t + 3) * unit;
		j.actual_remaining_ah = get_be16(data + t + 5) * unit;
		s->balance_current_a = (int16_t)get_be16(data + t + 7) / 1000.0;
		j.balance_status = get_be16(data + t + 9);
		j.protocol_version = data[t + 11];
		j.bms_status = get_be16(data + t + 14);
		/* The heater bit of the FET byte: only the self-heating
		 * WattCycles (which send the tail) have a heater. */
		s->heating = (j.fet & JBD_FET_HEAT) != 0;
		s->present |= 1u << WC_F_HUMIDITY | 1u << WC_F_BALANCE_CURRENT |
			      1u << WC_F_HEATING;
	}
	s->jbd = j;
	wc_set(s, WC_F_JBD);

	/* The common status view: MOSFETs and codes through the one alarm
	 * table, balancing bits, mode from the current's sign. */
	memset(&r, 0, sizeof(r));
	r.n_cells = (uint8_t)n;
	r.n_temps = (uint8_t)k;
	wc_alarm_from_jbd(&r, j.protection, j.warning, j.fet);
	bal = (uint32_t)get_be16(data + 12) | (uint32_t)get_be16(data + 14) << 16;
	if (n < 32)
		bal &= (1u << n) - 1u;
	r.n_balance_bytes = (uint8_t)((n + 7) / 8);
	for (unsigned i = 0; i < r.n_balance_bytes; i++)
		r.balance[i] = (uint8_t)(bal >> (8 * i));
	s->mode = s->current_a > 0   ? WC_MODE_CHARGING
		  : s->current_a < 0 ? WC_MODE_DISCHARGING
				     : WC_MODE_IDLE;
	r.battery_mode = (uint8_t)s->mode;
	s->regs = r;
	s->charge_mos = wc_alarm_mosfet_on(&r, WC_SIDE_CHG);
	s->discharge_mos = wc_alarm_mosfet_on(&r, WC_SIDE_DSG);
	s->balancing = bal;
	wc_set(s, WC_F_STATUS);
	return WC_OK;
}

enum wc_err jbd_decode_cells(const uint8_t *data, size_t len,
			     struct wc_sample *s, struct wc_diag *d)
{
	size_t n = len / 2;

	if (!data || !s)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (n == 0 || n > WC_MAX_CELLS)
		return wc_fail(d, WC_E_CELL_COUNT, (uint32_t)n, WC_MAX_CELLS);
	if (len % 2)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len,
			       (uint32_t)(2 * n + 2));
	s->family = WC_FAMILY_JBD;
	s->n_cells = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		s->cell_v[i] = get_be16(data + 2 * i) / 1000.0;
	wc_set(s, WC_F_CELLS);
	return WC_OK;
}

enum wc_err jbd_decode_hw(const uint8_t *data, size_t len,
			  struct wc_sample *s, struct wc_diag *d)
{
	size_t n = 0;

	if (!data || !s)
		return wc_fail(d, WC_E_ARG, 0, 0);
	/* Up to the first NUL, at most what the product-info field holds,
	 * trailing spaces trimmed, unprintable bytes as '?'. */
	while (n < len && n < WC_INFO_FIELD_LEN && data[n] != 0x00)
		n++;
	while (n > 0 && data[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++)
		s->firmware[i] = (data[i] >= 0x20 && data[i] < 0x7F)
					 ? (char)data[i] : '?';
	s->firmware[n] = '\0';
	s->manufacturer[0] = '\0';
	s->serial[0] = '\0';
	s->family = WC_FAMILY_JBD;
	wc_set(s, WC_F_INFO);
	return WC_OK;
}

enum wc_err jbd_decode(const uint8_t *buf, size_t len, struct wc_sample *s,
		       uint8_t *cmd_out, struct wc_diag *d)
{
	struct jbd_frame f;
	enum wc_err e;

	if (!s)
		return wc_fail(d, WC_E_ARG, 0, 0);
	e = jbd_parse_frame(buf, len, &f, d);
	if (e != WC_OK)
		return e;
	if (cmd_out)
		*cmd_out = f.cmd;
	if (f.kind != JBD_KIND_REPLY)
		return wc_fail(d, WC_E_FUNCTION, buf[1], f.cmd);
	if (f.status != JBD_ST_OK)
		return wc_fail(d, WC_E_JBD_STATUS, f.status, f.cmd);
	switch (f.cmd) {
	case JBD_CMD_BASIC:
		return jbd_decode_basic(f.data, f.data_len, s, d);
	case JBD_CMD_CELLS:
		return jbd_decode_cells(f.data, f.data_len, s, d);
	case JBD_CMD_HW:
		return jbd_decode_hw(f.data, f.data_len, s, d);
	default:
		return wc_fail(d, WC_E_DP, f.cmd, 0);
	}
}

static unsigned bcd(uint8_t b)
{
	return (unsigned)(b >> 4) * 10u + (b & 0x0Fu);
}

enum wc_err jbd_decode_clock(const uint8_t *data, size_t len,
			     struct jbd_clock *c, struct wc_diag *d)
{
	if (!data || !c)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (len != 6)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len, 6);
	c->uptime_s = bcd(data[2]) * 3600u + bcd(data[1]) * 60u + bcd(data[0]);
	c->days = (bcd(data[4]) ? bcd(data[4]) - 1u : 0u) * 30u + bcd(data[3]);
	c->yy = data[5];
	return WC_OK;
}

enum wc_err jbd_decode_log_index(const uint8_t *data, size_t len,
				 struct jbd_log_index *li, struct wc_diag *d)
{
	if (!data || !li)
		return wc_fail(d, WC_E_ARG, 0, 0);
	if (len != 4)
		return wc_fail(d, WC_E_LENGTH, (uint32_t)len, 4);
	li->index = get_be16(data);
	li->size = get_be16(data + 2);
	return WC_OK;
}

const char *jbd_status_text(uint8_t status)
{
	switch (status) {
	case JBD_ST_OK:
		return NULL;
	case JBD_ST_UNKNOWN_CMD:
		return "unknown command";
	case JBD_ST_INVALID:
		return "invalid operation";
	case JBD_ST_CHECKSUM:
		return "checksum error";
	case JBD_ST_PASSWORD:
		return "wrong password";
	default:
		return "unknown status";
	}
}

const char *jbd_cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case JBD_CMD_BASIC:
		return "basic info";
	case JBD_CMD_CELLS:
		return "cell voltages";
	case JBD_CMD_HW:
		return "hardware string";
	case 0x06:
		return "clock";
	case 0x07:
		return "log index";
	case 0x08:
		return "snapshot record";
	case 0x0A:
		return "restore defaults";
	case 0x0E:
		return "restart";
	case 0xFB:
		return "MOSFET control";
	case 0xFD:
		return "heating control";
	default:
		return NULL;
	}
}
