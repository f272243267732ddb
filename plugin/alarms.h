/* THE table of alarm codes: the WattCycle app's warning table
 * (protocol.md §6.2.2) with the 0x8D register bit each code maps to.
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
};

struct wc_alarm {
	const char *id;      /* stable identifier: collectd type_instance, JSON */
	const char *name;    /* the app's code name, as the guide spells it */
	const char *meaning; /* the guide's meaning */
	enum wc_alarm_class cls;
	enum wc_alarm_reg reg;
	uint8_t bit;
};

/* All codes, in the guide's order; wc_alarm_count entries. */
extern const struct wc_alarm wc_alarms[];
extern const size_t wc_alarm_count;

/* The code with this id, or NULL. */
const struct wc_alarm *wc_alarm_by_id(const char *id);

/* The code at a register bit, or NULL for a bit without a code. */
const struct wc_alarm *wc_alarm_at(enum wc_alarm_reg reg, unsigned bit);

/* The byte of a register in decoded 0x8D data. */
uint8_t wc_alarm_reg_value(const struct wc_status_regs *r,
			   enum wc_alarm_reg reg);

/* Whether a code's bit is set in decoded 0x8D data. */
bool wc_alarm_active(const struct wc_alarm *a, const struct wc_status_regs *r);

/* Set or clear a code's bit (for the simulator and tests). */
void wc_alarm_apply(const struct wc_alarm *a, struct wc_status_regs *r,
		    bool on);

/* How many codes of a class are active in decoded 0x8D data. */
unsigned wc_alarm_count_active(const struct wc_status_regs *r,
			       enum wc_alarm_class cls);

const char *wc_alarm_class_name(enum wc_alarm_class cls); /* "protection" */
const char *wc_alarm_reg_name(enum wc_alarm_reg reg);     /* "status1" */

/* Offset of the register from S = 2 + N + M in the 0x8D data. */
unsigned wc_alarm_reg_offset(enum wc_alarm_reg reg);

#endif
