/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WATT/TDT response encoders: see encode.h and doc/PROTOCOL.md §6. */
#include "encode.h"

#include <math.h>
#include <string.h>

#include "bytes.h"
#include "watt.h"

/* The inverse of the decoders' scaling: round to the wire unit and clamp
 * into a u16, so that decode(encode(x)) == x for every value a frame can
 * carry and out-of-range model values saturate instead of wrapping. */
static uint16_t to_u16(double v, double scale)
{
	double r = floor(v * scale + 0.5);

	if (!(r > 0.0))
		return 0;
	if (r > 65535.0)
		return 65535;
	return (uint16_t)r;
}

/* 0.1 K with the app's 2730 zero (doc/PROTOCOL.md §8: encode °C x 10 + 2730). */
static uint16_t temp_raw(double c)
{
	return to_u16(c * 10.0 + 2730.0, 1.0);
}

static uint32_t to_u32(double v, double scale)
{
	double r = floor(v * scale + 0.5);

	if (!(r > 0.0))
		return 0;
	if (r > 4294967295.0)
		return UINT32_MAX;
	return (uint32_t)r;
}

/* The current field: decimal form as every real frame, or whole A. */
static uint16_t current_raw(double amps, bool whole)
{
	double mag;
	uint16_t raw;

	if (!whole)
		return watt_current_raw(amps);
	mag = floor(fabs(amps) + 0.5);
	if (mag > 0x3FFF)
		mag = 0x3FFF;
	raw = (uint16_t)mag;
	if (amps < 0 && raw)
		raw |= 0x8000;
	return raw;
}

/* 0x8C data: N | N x mV | M | M x (°C x 10 + 2730) | current | V x 100 |
 * remaining x 10 | full x 10 | cycles | design x 10 | SoC, M = 2 + n_probes
 * (whole_amps: the current in whole amperes, bit 14 clear).  The app's
 * 18-byte extension follows only when s has WC_F_SOH (no real battery has
 * been seen sending it).  Returns the data length, 0 when cap is too small
 * or the counts are out of range. */
static size_t analog_data(uint8_t *out, size_t cap, const struct wc_sample *s,
			  bool whole_amps)
{
	unsigned n, m;
	bool ext;
	size_t len, o = 0;

	if (!out || !s)
		return 0;
	n = s->n_cells;
	m = 2u + s->n_probes;
	if (n == 0 || n > WC_MAX_CELLS || m > WC_MAX_TEMPS)
		return 0;
	ext = wc_has(s, WC_F_SOH);
	len = 16u + 2u * n + 2u * m + (ext ? WATT_ANALOG_EXT_LEN : 0u);
	if (cap < len)
		return 0;

	out[o++] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++, o += 2)
		put_be16(out + o, to_u16(s->cell_v[i], 1000.0));
	out[o++] = (uint8_t)m;
	put_be16(out + o, temp_raw(s->temp_mos_c));
	o += 2;
	put_be16(out + o, temp_raw(s->temp_env_c));
	o += 2;
	for (unsigned i = 0; i + 2 < m; i++, o += 2)
		put_be16(out + o, temp_raw(s->probe_c[i]));
	put_be16(out + o, current_raw(s->current_a, whole_amps));
	put_be16(out + o + 2, to_u16(s->voltage_v, 100.0));
	put_be16(out + o + 4, to_u16(s->remaining_ah, 10.0));
	put_be16(out + o + 6, to_u16(s->full_ah, 10.0));
	put_be16(out + o + 8, s->cycles > 0xFFFF ? 0xFFFF : (uint16_t)s->cycles);
	put_be16(out + o + 10, to_u16(s->design_ah, 10.0));
	put_be16(out + o + 12, to_u16(s->soc_pct, 1.0));
	o += 14;
	if (ext) {
		put_be16(out + o, to_u16(s->soh_pct, 1.0));
		put_be32(out + o + 2, to_u32(s->lifetime_ah, 10.0));
		put_be32(out + o + 6, (uint32_t)s->time_left_min);
		memset(out + o + 10, 0, 6);
		put_be16(out + o + 16, watt_current_raw(s->balance_current_a));
		o += WATT_ANALOG_EXT_LEN;
	}
	return o;
}

size_t sim_encode_status_data(uint8_t *out, size_t cap,
			      const struct wc_status_regs *r)
{
	unsigned n, m, nb;
	size_t len, o = 0;

	if (!out || !r)
		return 0;
	n = r->n_cells;
	m = r->n_temps;
	if (n == 0 || n > WC_MAX_CELLS || m > WC_MAX_TEMPS)
		return 0;
	nb = (n + 7u) / 8u;
	len = (size_t)n + m + 15u + nb;
	if (cap < len)
		return 0;

	out[o++] = (uint8_t)n;
	memcpy(out + o, r->cell_state, n);
	o += n;
	out[o++] = (uint8_t)m;
	memcpy(out + o, r->temp_state, m);
	o += m;
	out[o++] = r->charge_current_state;
	out[o++] = r->voltage_state;
	out[o++] = r->discharge_current_state;
	out[o++] = r->battery_mode;
	out[o++] = r->status1;
	out[o++] = r->status2;
	out[o++] = r->status3;
	out[o++] = r->status4;
	out[o++] = r->status5;
	out[o++] = r->reserved9;
	out[o++] = r->reserved10;
	out[o++] = r->warning1;
	out[o++] = r->warning2;
	memcpy(out + o, r->balance, nb);
	o += nb;
	return o;
}

static void put_field(uint8_t *dst, const char *s)
{
	size_t n = s ? strnlen(s, WC_INFO_FIELD_LEN) : 0;

	memset(dst, 0, WC_INFO_FIELD_LEN);
	if (n)
		memcpy(dst, s, n);
}

size_t sim_encode_product_data(uint8_t *out, size_t cap, const char *firmware,
			       const char *manufacturer, const char *serial)
{
	if (!out || cap < WATT_INFO_DATA_LEN)
		return 0;
	put_field(out, firmware);
	put_field(out + WC_INFO_FIELD_LEN, manufacturer);
	put_field(out + 2 * WC_INFO_FIELD_LEN, serial);
	return WATT_INFO_DATA_LEN;
}

size_t sim_encode_response(uint8_t *out, size_t cap, uint8_t version,
			   uint8_t address, bool whole_amps, uint16_t dp,
			   const struct wc_sample *s)
{
	/* Largest payload: 0x8C for 32 cells and 32 sensors with the
	 * extension (16 + 64 + 64 + 18). */
	uint8_t data[16 + 4 * WC_MAX_CELLS + WATT_ANALOG_EXT_LEN];
	size_t n;

	if (!s)
		return 0;
	switch (dp) {
	case WATT_DP_ANALOG:
		n = analog_data(data, sizeof(data), s, whole_amps);
		break;
	case WATT_DP_STATUS:
		n = sim_encode_status_data(data, sizeof(data), &s->regs);
		break;
	case WATT_DP_PRODUCT:
		n = sim_encode_product_data(data, sizeof(data), s->firmware,
					    s->manufacturer, s->serial);
		break;
	default:
		return 0;
	}
	if (n == 0)
		return 0;
	return watt_build_frame(out, cap, WATT_HEAD_7E, version, address,
				WATT_FN_READ, dp, data, n);
}
