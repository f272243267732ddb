/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The decoded battery sample: one poll's worth of data in SI units.
 *
 * Decoders fill the part their data point carries and mark each field
 * present; a field the battery did not report stays absent (never zero).
 * Units: volts, amperes (+ charging, - discharging), watts, ampere-hours,
 * degrees Celsius (raw 0.1 K with the app's 2730 zero), percent. */
#ifndef WC_SAMPLE_H
#define WC_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#define WC_MAX_CELLS 32
#define WC_MAX_TEMPS 32
#define WC_MAX_PROBES (WC_MAX_TEMPS - 2)
#define WC_INFO_FIELD_LEN 20

/* One bit per optional field of struct wc_sample. */
enum wc_field {
	/* 0x8C analog quantity */
	WC_F_CELLS,
	WC_F_TEMP_MOS,
	WC_F_TEMP_ENV,
	WC_F_PROBES,
	WC_F_CURRENT,
	WC_F_VOLTAGE,
	WC_F_POWER,
	WC_F_REMAINING,
	WC_F_FULL,
	WC_F_CYCLES,
	WC_F_DESIGN,
	WC_F_SOC,
	/* 0x8C extension block (only when the length says it is there) */
	WC_F_SOH,
	WC_F_LIFETIME,
	WC_F_TIME_LEFT,
	WC_F_BALANCE_CURRENT,
	/* 0x8D status: registers, MOSFETs, mode, balancing */
	WC_F_STATUS,
	/* 0x92 product info */
	WC_F_INFO,
	/* JBD family: basic info (0x03) beyond the common fields */
	WC_F_JBD,
	WC_F_HUMIDITY,
	WC_F_HEATING,
	WC_F__COUNT
};

enum wc_mode {
	WC_MODE_IDLE = 0,
	WC_MODE_CHARGING = 1,
	WC_MODE_DISCHARGING = 2,
	WC_MODE_UNKNOWN
};

/* Raw bytes of 0x8D, by name (doc/PROTOCOL.md §6.2; S = 2 + N + M). */
struct wc_status_regs {
	uint8_t n_cells;
	uint8_t cell_state[WC_MAX_CELLS];
	uint8_t n_temps;
	uint8_t temp_state[WC_MAX_TEMPS];
	uint8_t charge_current_state;    /* S */
	uint8_t voltage_state;           /* S+1 */
	uint8_t discharge_current_state; /* S+2 */
	uint8_t battery_mode;            /* S+3 */
	uint8_t status1;                 /* S+4  protections */
	uint8_t status2;                 /* S+5  temperature protections */
	uint8_t status3;                 /* S+6  MOSFETs / state */
	uint8_t status4;                 /* S+7  meaning unknown */
	uint8_t status5;                 /* S+8  faults */
	uint8_t reserved9;               /* S+9 */
	uint8_t reserved10;              /* S+10 */
	uint8_t warning1;                /* S+11 alarms */
	uint8_t warning2;                /* S+12 temperature alarms */
	uint8_t n_balance_bytes;         /* ceil(N / 8) */
	uint8_t balance[WC_MAX_CELLS / 8];
	/* JBD family: codes with no 0x8D register (alarms.c, WC_REG_JBD) */
	uint8_t jbd;
};

/* The protocol a battery speaks (session.c picks it at discovery). */
enum wc_family {
	WC_FAMILY_WATT = 0, /* FFF0 + FFFA, HiLink, 7E/1E frames */
	WC_FAMILY_JBD = 1,  /* FFF0/FFF1/FFF2 without FFFA, or FF00: DD..77 */
};

/* JBD basic info (0x03) as the battery sent it, for decode and read. */
struct wc_jbd_info {
	uint16_t protection;     /* protection word (alarms.c maps the bits) */
	uint16_t warning;        /* WattCycle tail warning word, bit 15 masked */
	uint8_t fet;             /* FET byte: bit 0 CHG, 1 DSG, 7 = 100 mA */
	uint8_t sw_version;
	uint16_t production_date; /* JBD packed date: (y-2000)<<9 | m<<5 | d */
	bool has_tail;           /* WattCycle's tail after the NTCs */
	uint8_t protocol_version; /* tail: 0x19 = "2.5" */
	double actual_remaining_ah;
	uint16_t balance_status; /* tail: active-balance status */
	uint16_t bms_status;     /* tail: BMS status bits (order unknown) */
};

struct wc_sample {
	uint32_t present;  /* bit (1u << enum wc_field) per present field */
	enum wc_family family; /* of the frames decoded into this sample */
	uint8_t version;   /* version byte of the last decoded frame */
	uint8_t address;   /* address byte of the last decoded frame */

	/* 0x8C */
	uint8_t n_cells;
	double cell_v[WC_MAX_CELLS];
	double temp_mos_c;
	double temp_env_c;
	uint8_t n_probes;
	double probe_c[WC_MAX_PROBES];
	double current_a;
	double voltage_v;
	double power_w;          /* derived: voltage x current */
	double remaining_ah;
	double full_ah;
	uint32_t cycles;
	double design_ah;
	double soc_pct;
	double soh_pct;
	double lifetime_ah;
	int32_t time_left_min;
	double balance_current_a;

	/* 0x8D */
	struct wc_status_regs regs;
	bool charge_mos;         /* status 3 bit 1 */
	bool discharge_mos;      /* status 3 bit 2 */
	enum wc_mode mode;
	uint32_t balancing;      /* bit n-1 = cell n balancing */

	/* JBD family (WC_F_JBD, WC_F_HUMIDITY, WC_F_HEATING) */
	struct wc_jbd_info jbd;
	double humidity_pct;
	bool heating;            /* self-heating models: heater on */

	/* 0x92, trailing NULs and spaces trimmed (JBD: 0x05 hardware string
	 * in firmware) */
	char firmware[WC_INFO_FIELD_LEN + 1];
	char manufacturer[WC_INFO_FIELD_LEN + 1];
	char serial[WC_INFO_FIELD_LEN + 1];
};

static inline bool wc_has(const struct wc_sample *s, enum wc_field f)
{
	return (s->present >> f) & 1u;
}

static inline void wc_set(struct wc_sample *s, enum wc_field f)
{
	s->present |= 1u << f;
}

/* Lowest and highest cell voltage and their difference; false when the
 * sample has no cells. */
bool wc_sample_cell_stats(const struct wc_sample *s, double *min_v,
			  double *max_v, double *delta_v);

#endif
