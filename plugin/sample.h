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
	/* 0x8D warning info: registers, MOSFETs, mode, balancing */
	WC_F_STATUS,
	/* 0x92 product info */
	WC_F_INFO,
	WC_F__COUNT
};

enum wc_mode {
	WC_MODE_IDLE = 0,
	WC_MODE_CHARGING = 1,
	WC_MODE_DISCHARGING = 2,
	WC_MODE_UNKNOWN
};

/* Raw bytes of 0x8D, by name (protocol.md §6.2; S = 2 + N + M). */
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
};

struct wc_sample {
	uint32_t present;  /* bit (1u << enum wc_field) per present field */
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

	/* 0x92, trailing NULs and spaces trimmed */
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
