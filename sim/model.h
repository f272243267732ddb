/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated battery: state, physics over time, and the WATT/TDT
 * payloads it answers with.  No I/O: the server (sim_server.c) owns the
 * sockets and calls in here; the scenario loader fills the config. */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fidelity.h"
#include "sample.h"

#define SIM_MAX_BATTERIES 32
#define SIM_MAX_EVENTS 64
#define SIM_MAX_PROFILE 32
#define SIM_NAME_MAX 32
/* Largest current the sign-magnitude field carries: 14 bits of 0.1 A. */
#define SIM_CURRENT_MAX_A 1638.3

enum sim_head_mode { SIM_HEAD_7E, SIM_HEAD_1E, SIM_HEAD_BOTH };

/* Faults the server injects (names as on the command line). */
enum sim_fault {
	SIM_FAULT_LATENCY,   /* delay every PDU by latency_ms */
	SIM_FAULT_SILENCE,   /* never answer WATT requests */
	SIM_FAULT_DROP,      /* close the link after the first fragment */
	SIM_FAULT_CRC,       /* corrupt the CRC of every response */
	SIM_FAULT_GARBAGE,   /* a garbage notification before each response */
	SIM_FAULT_DUPLICATE, /* send the first fragment twice */
	SIM_FAULT_LENGTH,    /* wrong length field in every response */
	SIM_FAULT_REFUSE,    /* accept and close every connection at once */
	SIM_FAULT__COUNT
};

const char *sim_fault_name(enum sim_fault f);
int sim_fault_by_name(const char *name); /* -1 if unknown */

/* One step of the current profile: from t_s on, this current (A, + charge). */
struct sim_profile_step {
	double t_s;
	double current_a;
};

/* A scheduled change: at t_s (seconds after start) set or clear an alarm
 * code (by its alarms.c id) or a fault. */
struct sim_event {
	double t_s;
	bool is_fault;
	int index;       /* alarm index in wc_alarms[] or enum sim_fault */
	bool on;
};

struct sim_battery_cfg {
	char name[SIM_NAME_MAX];
	char socket_path[108];
	char adapter[16];        /* "hciN": advertise there over BLE (sim_ble.c)
				    instead of a unix socket; "" for none */
	char ble_name[32];       /* advertised and GATT device name; "" for
				    XDZN_001_ + 4 hex digits */
	unsigned cells;          /* 4, 8 or 16 (any 1..32 works) */
	unsigned probes;         /* cell temperature probes (sensors = probes+2) */
	double capacity_ah;      /* design capacity */
	double full_ah;          /* full-charge capacity */
	double soc_pct;          /* initial SoC */
	double cell_v;           /* mean cell voltage at the start */
	double cell_spread_v;    /* max deviation between cells */
	double cell_drift_v_per_h; /* last cell drifts away (demo) */
	double temp_c;           /* ambient; MOS and probes offset from it */
	unsigned cycles;
	enum sim_head_mode head;
	uint8_t version;         /* response version byte: 0 or 4 */
	uint16_t mtu;            /* max ATT MTU the battery accepts (23..517) */
	enum wc_family family;   /* WATT (default) or JBD (jbd_sim.c): the GATT
				    database, the frames, the name */
	char jbd_service[5];     /* a JBD battery's service: "fff0" (the
				    DISCOVER; empty means it too) or "ff00"
				    (a classic JBD module, FF01/FF02) */
	struct sim_fidelity fid; /* frame details of real units (fidelity.h) */
	unsigned latency_ms;     /* used while SIM_FAULT_LATENCY is on */
	bool unlock_required;    /* drop link 4 s after connect without HiLink */
	unsigned unlock_timeout_ms;
	int rssi_dbm;            /* -127..-1: the RSSI the link reports (the
				    socket path + ".rssi" file, read by the
				    unix transport); 0: none, as before */
	char unlock_key[17];     /* what FFFA accepts: "HiLink" on every known
				    unit; another key models a battery that
				    refuses our unlock */
	char firmware[21], manufacturer[21], serial[21];
	struct sim_profile_step profile[SIM_MAX_PROFILE];
	unsigned n_profile;      /* 0: constant 0 A */
	bool profile_loop;       /* repeat the profile after its last step */
	double profile_period_s; /* loop length when profile_loop */
	struct sim_event events[SIM_MAX_EVENTS];
	unsigned n_events;
	bool faults[SIM_FAULT__COUNT]; /* active from the start */
};

/* Fill cfg with the defaults of a healthy 4S 100 Ah battery at rest. */
void sim_battery_cfg_defaults(struct sim_battery_cfg *cfg, const char *name);

struct sim_model;

struct sim_model *sim_model_new(const struct sim_battery_cfg *cfg);
void sim_model_free(struct sim_model *m);

/* Advance physics and scheduled events to t_s seconds after start. */
void sim_model_advance(struct sim_model *m, double t_s);

/* Answer one request frame written to FFF2 (a JBD battery: jbd_sim.c).  Returns the response
 * frame length written to out (0 = stay silent: bad CRC, unknown DP, a
 * head this battery does not accept).  MOSFET and clock writes change the
 * state and are echoed.  *sample (may be NULL) receives what was served. */
size_t sim_model_handle(struct sim_model *m, const uint8_t *req, size_t len,
			uint8_t *out, size_t cap, struct wc_sample *served);

/* State changes from the control channel; 0 on success, -1 bad value. */
int sim_model_set_alarm(struct sim_model *m, const char *id, bool on);
int sim_model_set_fault(struct sim_model *m, enum sim_fault f, bool on);
bool sim_model_fault(const struct sim_model *m, enum sim_fault f);
int sim_model_set(struct sim_model *m, const char *key, double value);
/* keys: current (A), soc (%), cell<N> (V), temp (°C), latency_ms */

const struct sim_battery_cfg *sim_model_cfg(const struct sim_model *m);

/* The model's present values as the frames would carry them. */
void sim_model_snapshot(const struct sim_model *m, struct wc_sample *s);

/* For the bank physics (bank_physics.c): the open-circuit pack voltage
 * (every cell's OCV from the SoC curve, with its offset and drift), the
 * pack's internal resistance, the SoC, whether the pack can take charge
 * (charge MOSFET on, not full) or give it (discharge MOSFET on, not
 * empty), and the BMS switching its own MOSFET (as a 0x82/0x83 write). */
double sim_model_ocv_v(const struct sim_model *m);
double sim_model_r_ohm(const struct sim_model *m);
double sim_model_soc(const struct sim_model *m);
bool sim_model_can(const struct sim_model *m, bool charge);
void sim_model_set_switch(struct sim_model *m, bool charge, bool on);

/* Scenario file (libconfig) -> batteries; 0 or -1 with err filled. */
int sim_scenario_load(const char *path, struct sim_battery_cfg *out,
		      unsigned max, unsigned *n, char *err, size_t errlen);

/* Parse "ID[@SECONDS]" for --alarm and "KIND[@SECONDS]" for --fault into
 * cfg (an item without a time is active from the start). */
int sim_cfg_add_alarm_arg(struct sim_battery_cfg *cfg, const char *arg,
			  char *err, size_t errlen);
int sim_cfg_add_fault_arg(struct sim_battery_cfg *cfg, const char *arg,
			  char *err, size_t errlen);

#endif
