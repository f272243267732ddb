/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated battery: see model.h.
 *
 * State is kept in physical units (SoC in %, volts, amperes, seconds) and
 * only quantised when a snapshot is taken, so that a snapshot is exactly
 * what the frames carry and decode(encode(snapshot)) gives it back.  Time
 * only moves in sim_model_advance; everything a frame shows is derived from
 * the state at m->t_s, so a MOSFET write takes effect in the very next
 * answer. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alarms.h"
#include "bytes.h"
#include "encode.h"
#include "jbd_sim.h"
#include "watt.h"

/* wc_alarms[] has 39 entries; the model keeps one flag per entry. */
#define SIM_ALARM_SLOTS 64

/* Longest integration step: the profile and the events are hit exactly
 * (segments end at them), so this only bounds the error of the SoC clamp
 * and the self-heating lag. */
#define SIM_STEP_MAX_S 1.0

/* Thermal lag of the self-heating (first order, seconds). */
#define SIM_HEAT_TAU_S 600.0

/* status 3 bit 3 (no alarm code) */
#define STATUS3_DISCHARGING 0x08

struct sim_model {
	struct sim_battery_cfg cfg; /* own copy; events sorted by time */
	unsigned next_event;        /* first event not yet applied */
	double t_s;                 /* model time, seconds after start */
	double soc_pct;             /* coulomb counter, 0..100 */
	double full_ah;
	double dsg_ah;              /* discharge throughput towards a cycle */
	unsigned cycles;
	double ocv_offset_v;        /* shifts the curve to cfg.cell_v */
	double cell_offset_v[WC_MAX_CELLS]; /* fixed spread (+ cell<N> sets) */
	double probe_offset_c[WC_MAX_PROBES];
	double ambient_c;
	double heat_a;              /* |I| through the thermal lag */
	bool current_fixed;         /* "current" set: the profile is ignored */
	double current_fixed_a;
	bool chg_switch, dsg_switch; /* MOSFETs as written (0x82/0x83) */
	bool alarm[SIM_ALARM_SLOTS];
	bool fault[SIM_FAULT__COUNT];
	bool clock_set;
	struct watt_clock clock;    /* last 0x95 write */
	double clock_set_at_s;      /* model time of that write */
};

/* Protections that open a MOSFET while they are active (as a BMS does);
 * the MOSFET closes again when the last of them clears. */
static const char *const dsg_blockers[] = {
	"dsg_ocp", "pack_uvp", "cell_uvp", "dsg_otp", "dsg_utp", "hw_protect",
};
static const char *const chg_blockers[] = {
	"chg_ocp", "cell_ovp", "pack_ovp", "chg_otp", "chg_utp", "high_chg_volt",
};

/* A simple LiFePO4 open-circuit curve: steep at both ends, nearly flat
 * from 20 to 90 % (which is why real packs drift out of balance there). */
static const struct {
	double soc, v;
} ocv_curve[] = {
	{ 0.0, 2.90 },  { 5.0, 3.10 },  { 10.0, 3.20 }, { 20.0, 3.26 },
	{ 50.0, 3.29 }, { 90.0, 3.34 }, { 97.0, 3.38 }, { 100.0, 3.45 },
};

static double ocv_v(double soc)
{
	size_t n = sizeof(ocv_curve) / sizeof(ocv_curve[0]);

	if (soc <= ocv_curve[0].soc)
		return ocv_curve[0].v;
	for (size_t i = 1; i < n; i++) {
		if (soc <= ocv_curve[i].soc) {
			double f = (soc - ocv_curve[i - 1].soc) /
				   (ocv_curve[i].soc - ocv_curve[i - 1].soc);
			return ocv_curve[i - 1].v +
			       f * (ocv_curve[i].v - ocv_curve[i - 1].v);
		}
	}
	return ocv_curve[n - 1].v;
}

/* Deterministic per-battery randomness: FNV-1a of the name seeds a
 * xorshift32, so the same scenario always gives the same cells. */
static uint32_t name_seed(const char *name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h ? h : 1u;
}

static double rnd_unit(uint32_t *st)
{
	uint32_t x = *st;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*st = x;
	return (double)(x >> 8) / 16777216.0; /* [0, 1) */
}

static int alarm_index(const char *id)
{
	const struct wc_alarm *a = wc_alarm_by_id(id);

	return a ? (int)(a - wc_alarms) : -1;
}

static bool any_alarm(const struct sim_model *m, const char *const *ids,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int k = alarm_index(ids[i]);

		if (k >= 0 && m->alarm[k])
			return true;
	}
	return false;
}

static bool chg_mos_on(const struct sim_model *m)
{
	return m->chg_switch &&
	       !any_alarm(m, chg_blockers,
			  sizeof(chg_blockers) / sizeof(chg_blockers[0]));
}

static bool dsg_mos_on(const struct sim_model *m)
{
	return m->dsg_switch &&
	       !any_alarm(m, dsg_blockers,
			  sizeof(dsg_blockers) / sizeof(dsg_blockers[0]));
}

/* The profile's current at time t (before MOSFETs and SoC limits). */
static double profile_current(const struct sim_battery_cfg *c, double t)
{
	bool looping = c->profile_loop && c->profile_period_s > 0.0;
	double tt = looping ? fmod(t, c->profile_period_s) : t;
	int k = -1;

	if (c->n_profile == 0)
		return 0.0;
	for (unsigned i = 0; i < c->n_profile; i++)
		if (c->profile[i].t_s <= tt)
			k = (int)i;
	if (k < 0) /* before the first step: 0 A, or the previous lap's end */
		return (looping && t >= c->profile_period_s)
			       ? c->profile[c->n_profile - 1].current_a
			       : 0.0;
	return c->profile[k].current_a;
}

/* The first time after t at which the profile may change, or INFINITY. */
static double profile_next_change(const struct sim_battery_cfg *c, double t)
{
	double base, tt;

	if (c->n_profile == 0)
		return INFINITY;
	if (!c->profile_loop || !(c->profile_period_s > 0.0)) {
		for (unsigned i = 0; i < c->n_profile; i++)
			if (c->profile[i].t_s > t)
				return c->profile[i].t_s;
		return INFINITY;
	}
	base = floor(t / c->profile_period_s) * c->profile_period_s;
	tt = t - base;
	for (unsigned i = 0; i < c->n_profile; i++)
		if (c->profile[i].t_s > tt &&
		    c->profile[i].t_s < c->profile_period_s)
			return base + c->profile[i].t_s;
	return base + c->profile_period_s;
}

/* What flows at time t: the wanted current, unless the MOSFET for that
 * direction is open or the pack is full (charging) / empty (discharging). */
static double current_at(const struct sim_model *m, double t)
{
	double i = m->current_fixed ? m->current_fixed_a
				    : profile_current(&m->cfg, t);

	if (i > 0.0 && (!chg_mos_on(m) || m->soc_pct >= 100.0))
		return 0.0;
	if (i < 0.0 && (!dsg_mos_on(m) || m->soc_pct <= 0.0))
		return 0.0;
	return i;
}

/* Cell internal resistance: about 1 mOhm for a 100 Ah cell. */
static double cell_r_ohm(const struct sim_model *m)
{
	return 0.1 / m->cfg.capacity_ah;
}

/* Unquantised voltage of cell i (0-based) at current amps. */
static double cell_voltage(const struct sim_model *m, unsigned i, double amps)
{
	double v = ocv_v(m->soc_pct) + m->ocv_offset_v + m->cell_offset_v[i] +
		   amps * cell_r_ohm(m);

	if (i + 1 == m->cfg.cells)
		v += m->cfg.cell_drift_v_per_h * m->t_s / 3600.0;
	if (v < 0.0)
		v = 0.0;
	if (v > 6.5)
		v = 6.5;
	return v;
}

static void set_alarm_index(struct sim_model *m, size_t k, bool on)
{
	const struct wc_alarm *a = &wc_alarms[k];

	/* CHG ON / DSG ON are the MOSFETs themselves, not flags. */
	if (a == wc_alarm_mosfet(WC_SIDE_CHG))
		m->chg_switch = on;
	else if (a == wc_alarm_mosfet(WC_SIDE_DSG))
		m->dsg_switch = on;
	else
		m->alarm[k] = on;
}

static void apply_due_events(struct sim_model *m)
{
	while (m->next_event < m->cfg.n_events &&
	       m->cfg.events[m->next_event].t_s <= m->t_s) {
		const struct sim_event *e = &m->cfg.events[m->next_event++];

		if (e->is_fault) {
			if (e->index >= 0 && e->index < SIM_FAULT__COUNT)
				m->fault[e->index] = e->on;
		} else if (e->index >= 0 && (size_t)e->index < wc_alarm_count) {
			set_alarm_index(m, (size_t)e->index, e->on);
		}
	}
}

/* One segment of constant current: coulomb counting, cycle counting and
 * the self-heating lag.  The current is taken in the middle of the segment
 * so that a segment ending on a profile step never sees the next step. */
static void integrate(struct sim_model *m, double t_end)
{
	double dt = t_end - m->t_s;
	double amps = current_at(m, m->t_s + dt / 2.0);
	double ah = amps * dt / 3600.0;

	m->soc_pct += ah / m->full_ah * 100.0;
	if (m->soc_pct > 100.0)
		m->soc_pct = 100.0;
	if (m->soc_pct < 0.0)
		m->soc_pct = 0.0;
	if (ah < 0.0) {
		m->dsg_ah -= ah;
		while (m->dsg_ah >= m->full_ah) {
			m->dsg_ah -= m->full_ah;
			m->cycles++;
		}
	}
	m->heat_a += (fabs(amps) - m->heat_a) * (1.0 - exp(-dt / SIM_HEAT_TAU_S));
	m->t_s = t_end;
}

void sim_model_advance(struct sim_model *m, double t_s)
{
	if (!m || isnan(t_s))
		return;
	apply_due_events(m);
	while (m->t_s < t_s) {
		double end = t_s, next;

		if (m->next_event < m->cfg.n_events &&
		    m->cfg.events[m->next_event].t_s < end)
			end = m->cfg.events[m->next_event].t_s;
		next = profile_next_change(&m->cfg, m->t_s);
		if (next > m->t_s && next < end)
			end = next;
		if (end > m->t_s + SIM_STEP_MAX_S)
			end = m->t_s + SIM_STEP_MAX_S;
		if (!(end > m->t_s)) /* rounding at a boundary: keep moving */
			end = fmin(t_s, m->t_s + SIM_STEP_MAX_S);
		integrate(m, end);
		apply_due_events(m);
	}
}

struct sim_model *sim_model_new(const struct sim_battery_cfg *cfg)
{
	struct sim_model *m;
	uint32_t seed;

	if (!cfg || cfg->cells < 1 || cfg->cells > WC_MAX_CELLS ||
	    cfg->probes > WC_MAX_PROBES || !(cfg->capacity_ah > 0.0) ||
	    cfg->n_profile > SIM_MAX_PROFILE || cfg->n_events > SIM_MAX_EVENTS ||
	    wc_alarm_count > SIM_ALARM_SLOTS)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cfg = *cfg;
	m->cfg.name[sizeof(m->cfg.name) - 1] = '\0';
	m->cfg.firmware[sizeof(m->cfg.firmware) - 1] = '\0';
	m->cfg.manufacturer[sizeof(m->cfg.manufacturer) - 1] = '\0';
	m->cfg.serial[sizeof(m->cfg.serial) - 1] = '\0';

	/* Stable insertion sort: events at the same time apply in file
	 * order, so "on" then "off" at one instant ends "off". */
	for (unsigned i = 1; i < m->cfg.n_events; i++) {
		struct sim_event e = m->cfg.events[i];
		unsigned j = i;

		while (j > 0 && m->cfg.events[j - 1].t_s > e.t_s) {
			m->cfg.events[j] = m->cfg.events[j - 1];
			j--;
		}
		m->cfg.events[j] = e;
	}

	m->full_ah = cfg->full_ah > 0.0 ? cfg->full_ah : cfg->capacity_ah;
	m->soc_pct = fmin(fmax(cfg->soc_pct, 0.0), 100.0);
	m->cycles = cfg->cycles;
	m->ambient_c = cfg->temp_c;
	m->ocv_offset_v = cfg->cell_v > 0.0 ? cfg->cell_v - ocv_v(m->soc_pct)
					    : 0.0;
	seed = name_seed(cfg->name);
	for (unsigned i = 0; i < cfg->cells; i++)
		m->cell_offset_v[i] = cfg->cell_spread_v * (rnd_unit(&seed) - 0.5);
	for (unsigned i = 0; i < cfg->probes; i++)
		m->probe_offset_c[i] = 0.6 * (rnd_unit(&seed) - 0.5);
	m->chg_switch = true;
	m->dsg_switch = true;
	for (int f = 0; f < SIM_FAULT__COUNT; f++)
		m->fault[f] = cfg->faults[f];
	apply_due_events(m);
	return m;
}

void sim_model_free(struct sim_model *m)
{
	free(m);
}

const struct sim_battery_cfg *sim_model_cfg(const struct sim_model *m)
{
	return m ? &m->cfg : NULL;
}

static double q_round(double v, double scale)
{
	return floor(v * scale + 0.5) / scale;
}

/* °C as a frame carries it: whole 0.1 K above the 2730 zero. */
static double q_temp(double c)
{
	double raw = floor(c * 10.0 + 0.5) + 2730.0;

	if (raw < 0.0)
		raw = 0.0;
	if (raw > 65535.0)
		raw = 65535.0;
	return watt_temp_c((uint16_t)raw);
}

static void fill_regs(const struct sim_model *m, struct wc_sample *s)
{
	struct wc_status_regs *r = &s->regs;
	bool chg = chg_mos_on(m), dsg = dsg_mos_on(m);

	memset(r, 0, sizeof(*r));
	r->n_cells = (uint8_t)m->cfg.cells;
	r->n_temps = (uint8_t)(m->cfg.probes + 2);
	r->battery_mode = (uint8_t)s->mode;
	/* status 4 and reserved S+10 as the EF2F and TDT 16S captures. */
	r->status4 = 0x01;
	r->reserved10 = 0x18;
	for (size_t k = 0; k < wc_alarm_count; k++)
		if (m->alarm[k] && wc_alarms[k].cls != WC_CLASS_STATE)
			wc_alarm_apply(&wc_alarms[k], r, true);
	wc_alarm_apply(wc_alarm_mosfet(WC_SIDE_CHG), r, chg);
	wc_alarm_apply(wc_alarm_mosfet(WC_SIDE_DSG), r, dsg);
	/* bit 3, no code: set while discharging, as the captures show */
	if (s->mode == WC_MODE_DISCHARGING)
		r->status3 = (uint8_t)(r->status3 | STATUS3_DISCHARGING);
	r->n_balance_bytes = (uint8_t)((m->cfg.cells + 7) / 8);
	for (unsigned i = 0; i < m->cfg.cells; i++)
		if (s->balancing & (1u << i))
			r->balance[i / 8] |= (uint8_t)(1u << (i % 8));
	s->charge_mos = chg;
	s->discharge_mos = dsg;
}

void sim_model_snapshot(const struct sim_model *m, struct wc_sample *s)
{
	double amps, sum = 0.0, mean, heat;
	unsigned n;

	if (!m || !s)
		return;
	memset(s, 0, sizeof(*s));
	n = m->cfg.cells;
	amps = current_at(m, m->t_s);
	s->version = m->cfg.version;
	s->address = WATT_ADDRESS;

	s->n_cells = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		s->cell_v[i] = q_round(cell_voltage(m, i, amps), 1000.0);
		sum += s->cell_v[i];
	}
	heat = m->heat_a;
	s->temp_mos_c = q_temp(m->ambient_c + 0.5 + 0.06 * heat);
	s->temp_env_c = q_temp(m->ambient_c + 1.0 + 0.02 * heat);
	s->n_probes = (uint8_t)m->cfg.probes;
	for (unsigned i = 0; i < m->cfg.probes; i++)
		s->probe_c[i] = q_temp(m->ambient_c + m->probe_offset_c[i] +
				       0.03 * heat);
	s->current_a = watt_current_a(watt_current_raw(amps));
	s->voltage_v = q_round(sum, 100.0);
	s->power_w = s->voltage_v * s->current_a;
	if (s->power_w == 0.0)
		s->power_w = 0.0; /* no -0.0 */
	s->remaining_ah = q_round(m->soc_pct * m->full_ah / 100.0, 10.0);
	s->full_ah = q_round(m->full_ah, 10.0);
	s->cycles = m->cycles > 0xFFFF ? 0xFFFF : m->cycles;
	s->design_ah = q_round(m->cfg.capacity_ah, 10.0);
	s->soc_pct = q_round(m->soc_pct, 1.0);
	s->present |= 1u << WC_F_CELLS | 1u << WC_F_TEMP_MOS |
		      1u << WC_F_TEMP_ENV | 1u << WC_F_CURRENT |
		      1u << WC_F_VOLTAGE | 1u << WC_F_POWER |
		      1u << WC_F_REMAINING | 1u << WC_F_FULL |
		      1u << WC_F_CYCLES | 1u << WC_F_DESIGN | 1u << WC_F_SOC |
		      1u << WC_F_STATUS | 1u << WC_F_INFO;
	if (s->n_probes)
		wc_set(s, WC_F_PROBES);

	s->mode = s->current_a > 0.0   ? WC_MODE_CHARGING
		  : s->current_a < 0.0 ? WC_MODE_DISCHARGING
				       : WC_MODE_IDLE;
	/* A passive balancer bleeds the cells that run ahead while charging. */
	mean = sum / n;
	if (s->mode == WC_MODE_CHARGING)
		for (unsigned i = 0; i < n; i++)
			if (s->cell_v[i] - mean > 0.010)
				s->balancing |= 1u << i;
	fill_regs(m, s);

	s->family = m->cfg.family;
	memcpy(s->firmware, m->cfg.firmware, sizeof(s->firmware));
	memcpy(s->manufacturer, m->cfg.manufacturer, sizeof(s->manufacturer));
	memcpy(s->serial, m->cfg.serial, sizeof(s->serial));
	sim_fidelity_apply(&m->cfg.fid, s);
}

static bool head_accepted(enum sim_head_mode mode, uint8_t head)
{
	switch (mode) {
	case SIM_HEAD_7E:
		return head == WATT_HEAD_7E;
	case SIM_HEAD_1E:
		return head == WATT_HEAD_1E;
	case SIM_HEAD_BOTH:
		return head == WATT_HEAD_7E || head == WATT_HEAD_1E;
	}
	return false;
}

/* The length a request must have: the length field plus overhead, except
 * for the app's infoData read, whose seven extra bytes the length field
 * does not cover (doc/PROTOCOL.md §4.1). */
static size_t request_len(const uint8_t *req, size_t len)
{
	if (req[1] == 0x01 && req[3] == WATT_FN_READ && get_be16(req + 6) == 0 &&
	    len == WATT_INFODATA_READ_LEN)
		return WATT_INFODATA_READ_LEN;
	return (size_t)get_be16(req + 6) + WATT_OVERHEAD;
}

/* A write: switch a MOSFET or set the clock.  false = not understood. */
static bool handle_write(struct sim_model *m, uint16_t dp, const uint8_t *d,
			 size_t n)
{
	switch (dp) {
	case WATT_DP_CHG_MOS:
	case WATT_DP_DSG_MOS:
		if (n != 1 || d[0] > 1)
			return false;
		if (dp == WATT_DP_CHG_MOS)
			m->chg_switch = d[0] == 1;
		else
			m->dsg_switch = d[0] == 1;
		return true;
	case WATT_DP_CLOCK:
		if (n != 7 || d[2] < 1 || d[2] > 12 || d[3] < 1 || d[3] > 31 ||
		    d[4] > 23 || d[5] > 59 || d[6] > 59)
			return false;
		m->clock.year = get_be16(d);
		m->clock.month = d[2];
		m->clock.day = d[3];
		m->clock.hour = d[4];
		m->clock.minute = d[5];
		m->clock.second = d[6];
		m->clock_set = true;
		m->clock_set_at_s = m->t_s;
		return true;
	default:
		return false;
	}
}

size_t sim_model_handle(struct sim_model *m, const uint8_t *req, size_t len,
			uint8_t *out, size_t cap, struct wc_sample *served)
{
	struct wc_sample s;
	uint16_t dp, n;
	size_t r = 0;

	if (m && req && out && m->cfg.family == WC_FAMILY_JBD) {
		sim_model_snapshot(m, &s);
		r = sim_jbd_answer(&s, req, len, out, cap);
		if (r && served)
			*served = s;
		return r;
	}
	if (!m || !req || !out || len < WATT_READ_LEN)
		return 0;
	if (!head_accepted(m->cfg.head, req[0]))
		return 0;
	if (request_len(req, len) != len || req[len - 1] != WATT_TERMINATOR ||
	    get_be16(req + len - WATT_TRAILER_LEN) !=
		    watt_crc16(req, len - WATT_TRAILER_LEN))
		return 0;
	dp = get_be16(req + 4);
	n = get_be16(req + 6);

	switch (req[3]) {
	case WATT_FN_READ:
		if (dp != WATT_DP_ANALOG && dp != WATT_DP_STATUS &&
		    dp != WATT_DP_PRODUCT)
			return 0;
		sim_model_snapshot(m, &s);
		r = sim_encode_response(out, cap, m->cfg.version, s.address,
					m->cfg.fid.current_whole_a, dp, &s);
		break;
	case WATT_FN_WRITE:
		if (!handle_write(m, dp, req + WATT_HEADER_LEN, n))
			return 0;
		/* Nobody has captured a write reply (doc/PROTOCOL.md §4.4):
		 * echo the request with the response head. */
		r = watt_build_frame(out, cap, WATT_HEAD_7E, req[1], req[2],
				     WATT_FN_WRITE, dp, req + WATT_HEADER_LEN, n);
		sim_model_snapshot(m, &s);
		break;
	default:
		return 0;
	}
	if (r && served)
		*served = s;
	return r;
}

int sim_model_set_alarm(struct sim_model *m, const char *id, bool on)
{
	int k;

	if (!m || !id)
		return -1;
	k = alarm_index(id);
	if (k < 0 || !wc_alarm_in_family(&wc_alarms[k], m->cfg.family))
		return -1; /* unknown, or not a code this battery's family has */
	set_alarm_index(m, (size_t)k, on);
	return 0;
}

int sim_model_set_fault(struct sim_model *m, enum sim_fault f, bool on)
{
	if (!m || (int)f < 0 || f >= SIM_FAULT__COUNT)
		return -1;
	m->fault[f] = on;
	return 0;
}

bool sim_model_fault(const struct sim_model *m, enum sim_fault f)
{
	if (!m || (int)f < 0 || f >= SIM_FAULT__COUNT)
		return false;
	return m->fault[f];
}

/* "cell<N>" with N in 1..cells, strictly digits; 0 if not such a key. */
static unsigned cell_key(const char *key, unsigned cells)
{
	unsigned n = 0;
	const char *p;

	if (strncmp(key, "cell", 4) != 0 || key[4] == '\0' || key[4] == '0')
		return 0;
	for (p = key + 4; *p; p++) {
		if (*p < '0' || *p > '9' || n > 100)
			return 0;
		n = n * 10 + (unsigned)(*p - '0');
	}
	return n <= cells ? n : 0;
}

int sim_model_set(struct sim_model *m, const char *key, double value)
{
	unsigned cell;

	if (!m || !key || isnan(value))
		return -1;
	cell = cell_key(key, m->cfg.cells);
	if (strcmp(key, "current") == 0) {
		if (fabs(value) > SIM_CURRENT_MAX_A)
			return -1;
		m->current_fixed = true;
		m->current_fixed_a = value;
	} else if (strcmp(key, "profile") == 0) {
		/* Back to the scenario's profile after a "current" set. */
		m->current_fixed = false;
	} else if (strcmp(key, "soc") == 0) {
		if (value < 0.0 || value > 100.0)
			return -1;
		m->soc_pct = value;
	} else if (strcmp(key, "temp") == 0) {
		if (value < -40.0 || value > 120.0)
			return -1;
		m->ambient_c = value;
	} else if (strcmp(key, "latency_ms") == 0) {
		if (value < 0.0 || value > 600000.0 || value != floor(value))
			return -1;
		m->cfg.latency_ms = (unsigned)value;
	} else if (cell != 0) {
		if (!(value > 0.0) || value > 6.5)
			return -1;
		/* Shift the cell, so it reads value now and then follows
		 * the pack's curve from there. */
		m->cell_offset_v[cell - 1] +=
			value - cell_voltage(m, cell - 1, current_at(m, m->t_s));
	} else {
		return -1;
	}
	return 0;
}

/* ---- for the bank physics ------------------------------------------------ */

double sim_model_ocv_v(const struct sim_model *m)
{
	double v = 0.0;

	for (unsigned i = 0; i < m->cfg.cells; i++)
		v += cell_voltage(m, i, 0.0);
	return v;
}

double sim_model_r_ohm(const struct sim_model *m)
{
	return m->cfg.cells * cell_r_ohm(m);
}

double sim_model_soc(const struct sim_model *m)
{
	return m->soc_pct;
}

bool sim_model_can(const struct sim_model *m, bool charge)
{
	if (charge)
		return chg_mos_on(m) && m->soc_pct < 100.0;
	return dsg_mos_on(m) && m->soc_pct > 0.0;
}

void sim_model_set_switch(struct sim_model *m, bool charge, bool on)
{
	if (charge)
		m->chg_switch = on;
	else
		m->dsg_switch = on;
}
