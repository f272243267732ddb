/* SPDX-License-Identifier: GPL-2.0-or-later */
/* THE table of alarm codes: the WattCycle app's warning table
 * (doc/PROTOCOL.md §6.2.2) with the 0x8D register bit each code maps to.
 * Decoding, notifications, the CLI, the docs and the dashboards all read
 * this one table; there is no second list anywhere. */
#ifndef WC_ALARMS_H
#define WC_ALARMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sample.h"

enum wc_alarm_class {
	WC_CLASS_PROTECTION,
	WC_CLASS_ALARM,
	WC_CLASS_FAULT,
	WC_CLASS_STATE,
};

/* The 0x8D registers that carry code bits. */
enum wc_alarm_reg {
	WC_REG_STATUS1,  /* S+4  */
	WC_REG_STATUS2,  /* S+5  */
	WC_REG_STATUS3,  /* S+6  */
	WC_REG_STATUS5,  /* S+8  */
	WC_REG_WARNING1, /* S+11 */
	WC_REG_WARNING2, /* S+12 */
	WC_REG_JBD,      /* JBD-only codes: no 0x8D register (regs->jbd) */
};

/* Where a code sits in a JBD battery's basic info (0x03): the protection
 * word (offset 16), the warning word of WattCycle's tail, the FET byte
 * (offset 20).  WC_JBD_NONE: the JBD family has no such code. */
enum wc_jbd_word {
	WC_JBD_NONE = 0,
	WC_JBD_PROT,
	WC_JBD_WARN,
	WC_JBD_FET,
};

/* Protocol families a code belongs to (bit mask). */
#define WC_FAMILY_WATT_BIT 1u
#define WC_FAMILY_JBD_BIT 2u

/* The MOSFET a code concerns: the one a notification quotes and, for the
 * two state codes, the one the code is. */
enum wc_side {
	WC_SIDE_BOTH,
	WC_SIDE_CHG,
	WC_SIDE_DSG,
};

/* The readings a notification about a code quotes (bit mask); the MOSFET
 * states of the code's side are always quoted. */
#define WC_QUOTE_CELL_MIN (1u << 0)  /* lowest cell and its number */
#define WC_QUOTE_CELL_MAX (1u << 1)  /* highest cell and its number */
#define WC_QUOTE_PACK_V (1u << 2)    /* pack voltage */
#define WC_QUOTE_CURRENT (1u << 3)
#define WC_QUOTE_TEMP_MOS (1u << 4)  /* MOSFET temperature */
#define WC_QUOTE_TEMP_ENV (1u << 5)  /* environment temperature */
/* the coldest / warmest cell probe; the environment temperature when the
 * battery has no probe (and it is not quoted anyway) */
#define WC_QUOTE_PROBE_MIN (1u << 6)
#define WC_QUOTE_PROBE_MAX (1u << 7)

struct wc_alarm {
	const char *id;      /* stable identifier: collectd type_instance, JSON */
	const char *name;    /* the app's code name, as the guide spells it */
	const char *meaning; /* the guide's meaning */
	enum wc_alarm_class cls;
	enum wc_alarm_reg reg;
	uint8_t bit;
	enum wc_jbd_word jbd_word; /* the same meaning in the JBD family */
	uint8_t jbd_bit;           /* bit 0..15 of that word */
	enum wc_side side;
	unsigned quote; /* WC_QUOTE_* */
};

/* All codes, in the guide's order; wc_alarm_count entries. */
extern const struct wc_alarm wc_alarms[];
extern const size_t wc_alarm_count;

/* The code with this id, or NULL. */
const struct wc_alarm *wc_alarm_by_id(const char *id);

/* The state code that is the MOSFET of a side (WC_SIDE_CHG: "chg_on"),
 * and whether that MOSFET is on in decoded status registers. */
const struct wc_alarm *wc_alarm_mosfet(enum wc_side side);
bool wc_alarm_mosfet_on(const struct wc_status_regs *r, enum wc_side side);

/* The byte of a register in decoded 0x8D data. */
uint8_t wc_alarm_reg_value(const struct wc_status_regs *r,
			   enum wc_alarm_reg reg);

/* Whether a code's bit is set in decoded 0x8D data. */
bool wc_alarm_active(const struct wc_alarm *a, const struct wc_status_regs *r);

/* Whether every code reads the same in x and y (the registers the codes
 * live in are equal): no code has changed between two polls. */
bool wc_alarm_regs_same(const struct wc_status_regs *x,
			const struct wc_status_regs *y);

/* Set or clear a code's bit (for the simulator and tests). */
void wc_alarm_apply(const struct wc_alarm *a, struct wc_status_regs *r,
		    bool on);

/* How many codes of a class are active in decoded 0x8D data. */
unsigned wc_alarm_count_active(const struct wc_status_regs *r,
			       enum wc_alarm_class cls);

const char *wc_alarm_class_name(enum wc_alarm_class cls); /* "protection" */
const char *wc_alarm_reg_name(enum wc_alarm_reg reg);     /* "status1" */

/* WC_FAMILY_*_BIT mask of the families that report a code, and their
 * names as `wattcycle alarms` prints them ("watt", "jbd", "watt,jbd"). */
unsigned wc_alarm_families(const struct wc_alarm *a);
const char *wc_alarm_family_names(const struct wc_alarm *a);

/* Whether a battery of this family can report the code (a WATT battery
 * has no short_circuit, a JBD battery no env_otp). */
bool wc_alarm_in_family(const struct wc_alarm *a, enum wc_family f);

/* The JBD word a code sits in ("protection", "warning", "fet"); NULL
 * when the JBD family has no such code. */
const char *wc_alarm_jbd_word_name(enum wc_jbd_word w);

/* JBD: set the registers of every code whose bit is set in the basic
 * info's protection word, warning word (bit 15 masked by the caller) and
 * FET byte; codes of the table only, other bits are ignored here. */
void wc_alarm_from_jbd(struct wc_status_regs *r, uint16_t prot,
		       uint16_t warn, uint8_t fet);

/* The inverse, for the simulator: the JBD words the active codes give. */
void wc_alarm_to_jbd(const struct wc_status_regs *r, uint16_t *prot,
		     uint16_t *warn, uint8_t *fet);

/* Offset of the register from S (0x8D registers only; 0 for WC_REG_JBD) = 2 + N + M in the 0x8D data. */
unsigned wc_alarm_reg_offset(enum wc_alarm_reg reg);

#endif
