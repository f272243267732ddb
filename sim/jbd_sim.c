/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's JBD-family battery: see jbd_sim.h. */
#include "jbd_sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alarms.h"
#include "bytes.h"
#include "jbd.h"
#include "model.h"

int sim_family_parse(const char *s, enum wc_family *out)
{
	if (!s)
		return -1;
	if (strcmp(s, "watt") == 0)
		*out = WC_FAMILY_WATT;
	else if (strcmp(s, "jbd") == 0)
		*out = WC_FAMILY_JBD;
	else
		return -1;
	return 0;
}

void sim_jbd_cfg(struct sim_battery_cfg *cfg, bool firmware_given)
{
	cfg->family = WC_FAMILY_JBD;
	cfg->unlock_required = false;
	if (!firmware_given)
		snprintf(cfg->firmware, sizeof(cfg->firmware), "%s", SIM_JBD_HW);
	cfg->manufacturer[0] = '\0';
	cfg->serial[0] = '\0';
}

void sim_jbd_device_name(const char *battery_name, char *out, size_t cap)
{
	uint32_t hash = 2166136261u; /* FNV-1a, as the WATT names */

	if (strncmp(battery_name, "WT", 2) == 0) {
		snprintf(out, cap, "%s", battery_name);
		return;
	}
	for (const char *p = battery_name; *p; p++) {
		hash ^= (uint8_t)*p;
		hash *= 16777619u;
	}
	snprintf(out, cap, "WTaHdB1%010u", (unsigned)hash);
}

size_t sim_jbd_adv_data(uint8_t *out, size_t cap, const uint8_t mac[6],
			const char *name, unsigned soc_pct)
{
	static const uint8_t uuids[4] = { 0x03, 0x02, 0xF0, 0xFF };
	uint8_t mfr[16];
	size_t o = 0, nl = name ? strlen(name) : 0;

	if (nl > 29)
		nl = 29;
	if (!out || !mac || cap < 4 + 2 + nl + 16)
		return 0;
	memcpy(mfr, mac, 6);
	mfr[6] = 0x10;
	mfr[7] = 0x12;
	mfr[8] = (uint8_t)(soc_pct > 100 ? 100 : soc_pct);
	mfr[9] = 0x11;
	mfr[10] = 0x03;
	mfr[11] = 0x00;
	mfr[12] = 0x0D;
	mfr[13] = 0x00;
	memcpy(out, uuids, sizeof(uuids));
	o = sizeof(uuids);
	out[o++] = (uint8_t)(nl + 1);
	out[o++] = 0x09; /* complete local name */
	memcpy(out + o, name, nl);
	o += nl;
	out[o++] = 15;
	out[o++] = 0xFF; /* manufacturer specific data */
	memcpy(out + o, mfr, 14);
	return o + 14;
}

static uint16_t u16_of(double v, double scale)
{
	double r = floor(v * scale + 0.5);

	if (!(r > 0.0))
		return 0;
	return r > 65535.0 ? 65535 : (uint16_t)r;
}

static uint16_t i16_of(double v, double scale)
{
	double r = floor(v * scale + 0.5);

	if (r > 32767.0)
		r = 32767.0;
	if (r < -32768.0)
		r = -32768.0;
	return (uint16_t)(int16_t)r;
}

static uint16_t ntc_raw(double c)
{
	return u16_of(c * 10.0 + JBD_TEMP_ZERO, 1.0);
}

size_t sim_jbd_basic_data(uint8_t *out, size_t cap, const struct wc_sample *s)
{
	double temps[2 + WC_MAX_PROBES], unit, coldest;
	unsigned k = 0, n;
	uint16_t prot, warn;
	uint8_t fet;
	size_t len, t;

	if (!out || !s)
		return 0;
	n = s->n_cells;
	temps[k++] = s->temp_mos_c;
	temps[k++] = s->temp_env_c;
	for (unsigned i = 0; i < s->n_probes && k < WC_MAX_PROBES; i++)
		temps[k++] = s->probe_c[i];
	len = JBD_BASIC_FIXED + 2u * k + JBD_BASIC_TAIL;
	if (n == 0 || n > WC_MAX_CELLS || cap < len)
		return 0;

	wc_alarm_to_jbd(&s->regs, &prot, &warn, &fet);
	/* 10 mA(h) while everything fits a 16-bit field, else 100 mA(h) */
	unit = 100.0;
	if (fabs(s->current_a) * 100.0 > 32767.0 ||
	    s->design_ah * 100.0 > 65535.0 || s->full_ah * 100.0 > 65535.0) {
		unit = 10.0;
		fet |= JBD_FET_100MA;
	}
	coldest = temps[0];
	for (unsigned i = 1; i < k; i++)
		if (temps[i] < coldest)
			coldest = temps[i];
	if (coldest < 0.0)
		fet |= JBD_FET_HEAT;

	memset(out, 0, len);
	put_be16(out, u16_of(s->voltage_v, 100.0));
	put_be16(out + 2, i16_of(s->current_a, unit));
	put_be16(out + 4, u16_of(s->remaining_ah, unit));
	put_be16(out + 6, u16_of(s->design_ah, unit));
	put_be16(out + 8, s->cycles > 0xFFFF ? 0xFFFF : (uint16_t)s->cycles);
	put_be16(out + 10, (uint16_t)((2025 - 2000) << 9 | 6 << 5 | 1));
	put_be16(out + 12, (uint16_t)(s->balancing & 0xFFFF));
	put_be16(out + 14, (uint16_t)(s->balancing >> 16));
	put_be16(out + 16, prot);
	out[18] = 0x19;
	out[19] = (uint8_t)u16_of(s->soc_pct, 1.0);
	out[20] = fet;
	out[21] = (uint8_t)n;
	out[22] = (uint8_t)k;
	for (unsigned i = 0; i < k; i++)
		put_be16(out + JBD_BASIC_FIXED + 2 * i, ntc_raw(temps[i]));
	t = JBD_BASIC_FIXED + 2u * k;
	out[t] = 50;                                   /* humidity % */
	put_be16(out + t + 1, (uint16_t)(warn | ~JBD_WARN_MASK)); /* as the DISCOVER */
	put_be16(out + t + 3, u16_of(s->full_ah, unit));
	put_be16(out + t + 5, u16_of(s->remaining_ah, unit));
	put_be16(out + t + 7, 0);                      /* balance current mA */
	put_be16(out + t + 9, 0);                      /* active balance */
	out[t + 11] = 0x19;                            /* protocol "2.5" */
	return len;
}

size_t sim_jbd_cells_data(uint8_t *out, size_t cap, const struct wc_sample *s)
{
	size_t n;

	if (!out || !s || s->n_cells == 0 || s->n_cells > WC_MAX_CELLS)
		return 0;
	n = s->n_cells;
	if (cap < 2 * n)
		return 0;
	for (size_t i = 0; i < n; i++)
		put_be16(out + 2 * i, u16_of(s->cell_v[i], 1000.0));
	return 2 * n;
}

size_t sim_jbd_answer(const struct wc_sample *s, const uint8_t *req,
		      size_t len, uint8_t *out, size_t cap)
{
	uint8_t data[255];
	struct jbd_frame f;
	size_t n;

	if (!s || !req || !out)
		return 0;
	if (jbd_parse_frame(req, len, &f, NULL) != WC_OK ||
	    f.kind != JBD_KIND_READ)
		return 0; /* not a read request: a real BMS ignores it too */
	switch (f.cmd) {
	case JBD_CMD_BASIC:
		n = sim_jbd_basic_data(data, sizeof(data), s);
		break;
	case JBD_CMD_CELLS:
		n = sim_jbd_cells_data(data, sizeof(data), s);
		break;
	case JBD_CMD_HW:
		n = strnlen(s->firmware, WC_INFO_FIELD_LEN);
		memcpy(data, s->firmware, n);
		break;
	default:
		return jbd_build_reply(out, cap, f.cmd, JBD_ST_UNKNOWN_CMD,
				       NULL, 0);
	}
	if (n == 0 && f.cmd != JBD_CMD_HW)
		return 0;
	return jbd_build_reply(out, cap, f.cmd, JBD_ST_OK, data, n);
}
