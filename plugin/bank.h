/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bank arithmetic and bank notifications: batteries wired in series
 * strings, the strings in parallel.  Pure: no collectd, no I/O, no
 * allocation, no globals.  The collectd glue (one struct wc_bank_state per
 * bank, under the bank's own mutex) and `wattcycle bank` share it.
 *
 * Definitions (the value table of collectd-wattcycle(5), "Banks"):
 *  - a member counts when its last poll was good and is not older than two
 *    of its intervals; the others are left out, and every value that needs
 *    them is not computed (its has_ flag stays false);
 *  - a string is complete when all its members count.  Its voltage is the
 *    sum of its members' voltages, its current their mean (members in
 *    series carry one current; the mean evens out their sensors), its
 *    remaining and full charge those of its weakest member (the one with
 *    the least remaining charge), its SoC remaining over full, its SoC
 *    spread the highest member SoC minus the lowest;
 *  - bank voltage: the mean of the complete strings' voltages; bank SoC
 *    spread: the largest spread of a complete string; members online and
 *    the lowest/highest cell over the members that count;
 *  - when every string is complete: bank current (sum of the strings'
 *    currents), power (sum of each string's voltage x current), remaining
 *    and full charge (sums), SoC (100 x remaining / full), each string's
 *    share of the bank current (100 x string / bank; only while the bank
 *    carries at least WC_BANK_SHARE_MIN_A) and the share imbalance (the
 *    largest distance of a share from the even share 100 / strings). */
#ifndef WC_BANK_H
#define WC_BANK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "metrics.h"
#include "sample.h"

#define WC_BANK_NAME_MAX 64       /* names incl. NUL, as battery names */
#define WC_BANK_MAX_STRINGS 8
#define WC_BANK_MAX_SERIES 8      /* members per string */
/* Below this bank current shares mean nothing (noise over noise). */
#define WC_BANK_SHARE_MIN_A 1.0
/* A string or member whose current is below this "carries no current". */
#define WC_BANK_ZERO_A 0.1
/* The bank current above which a string without current is a failure. */
#define WC_BANK_DEAD_MIN_A 2.0

/* One bank as configured. */
struct wc_bank_def {
	char name[WC_BANK_NAME_MAX];
	unsigned n_strings;
	unsigned n_series[WC_BANK_MAX_STRINGS];
	char member[WC_BANK_MAX_STRINGS][WC_BANK_MAX_SERIES][WC_BANK_NAME_MAX];
	double soc_spread_warn;   /* percent points; <= 0: no warning */
	double share_warn;        /* percent points; <= 0: no warning */
};

/* The latest poll of one member. */
struct wc_bank_member {
	bool good;                /* the last poll succeeded */
	uint64_t t_ms;            /* when (any monotonic or wall ms clock) */
	uint64_t interval_ms;     /* the member's poll interval */
	struct wc_sample sample;
};

struct wc_bank_string {
	bool complete;
	double voltage_v, current_a, soc_pct, soc_spread_pct;
	double remaining_ah, full_ah;
	bool has_share;
	double share_pct;
};

struct wc_bank_values {
	uint64_t now_ms;          /* the time they were computed for */
	unsigned members_online, members_total;
	bool has_voltage, has_spread, has_cells, complete;
	double voltage_v, soc_spread_pct, cell_min_v, cell_max_v;
	/* complete only */
	double current_a, power_w, soc_pct, remaining_ah, full_ah;
	bool has_share;           /* shares and imbalance */
	double share_imbalance_pct;
	struct wc_bank_string s[WC_BANK_MAX_STRINGS];
};

/* Whether a member counts at now_ms (same clock as its t_ms). */
bool wc_bank_member_counts(const struct wc_bank_member *m, uint64_t now_ms);

/* The bank's values from its members' latest polls:
 * m[i * WC_BANK_MAX_SERIES + j] is member j of string i. */
void wc_bank_compute(const struct wc_bank_def *def,
		     const struct wc_bank_member *m, uint64_t now_ms,
		     struct wc_bank_values *out);

/* The bank's values as rows of (types.db type, type_instance, value),
 * dispatched as <host>/wattcycle-<bank>/<type>-<type_instance>; only the
 * values computed (has_ flags, complete strings) appear:
 *   voltage-bank, percent-soc_spread,
 *   voltage-cell_min, voltage-cell_max; with every string complete
 *   current-bank, power-bank, charge-remaining, charge-full, percent-soc;
 *   per complete string N: voltage-stringN, current-stringN,
 *   percent-stringN_soc, percent-stringN_spread; while the bank carries
 *   current: percent-stringN_share, percent-share_imbalance; and always,
 *   last, count-members_online.
 * Returns the number of rows written (at most WC_BANK_METRICS_MAX). */
#define WC_BANK_METRICS_MAX (10 + 6 * WC_BANK_MAX_STRINGS)
size_t wc_bank_metrics(const struct wc_bank_def *def,
		       const struct wc_bank_values *v, struct wc_metric *out,
		       size_t cap);

/* ---- notifications ---------------------------------------------------- */

/* What each rule last reported, per bank; zeroed = nothing reported. */
struct wc_bank_alerts {
	bool spread;
	bool share[WC_BANK_MAX_STRINGS];
	bool dead[WC_BANK_MAX_STRINGS];
	bool turns[WC_BANK_MAX_STRINGS][WC_BANK_MAX_SERIES];
	/* since when a change is pending (0: none) */
	uint64_t since_spread;
	uint64_t since_share[WC_BANK_MAX_STRINGS];
	uint64_t since_dead[WC_BANK_MAX_STRINGS];
	uint64_t since_turns[WC_BANK_MAX_STRINGS][WC_BANK_MAX_SERIES];
};

/* Rules, evaluated after every member poll (events carry the bank's
 * name first in their message, type_instance in ev->id):
 *  - "soc_spread": WARNING when the SoC spread passes soc_spread_warn;
 *  - "share-<n>": WARNING when string n's share is further than
 *    share_warn from the even share;
 *  - "string-<n>": FAILURE when string n carries no current while the bank
 *    carries more than WC_BANK_DEAD_MIN_A, with the cause: the member whose
 *    MOSFET for that direction is off and its active protections/faults,
 *    or the members that are not counted, or "isolated";
 *  - "turns-<member>": WARNING "taking turns" when a battery alone in its
 *    string, in a bank of two or more strings, shows no current with both
 *    MOSFETs on while the bank carries more than WC_BANK_DEAD_MIN_A, or,
 *    while the bank charges, with only its charge MOSFET open and no
 *    protection or fault (its string is then not reported as failed);
 *  - OKAY for each when it clears.  A rule whose inputs are missing
 *    (members not counted) keeps its state and says nothing.
 * A change is reported once it has held for a round (the longest member
 * interval): members are polled one after the other, and around a step
 * of the load some have seen it and some not yet.
 * Returns the number of events. */
unsigned wc_bank_alerts_update(struct wc_bank_alerts *st,
			       const struct wc_bank_def *def,
			       const struct wc_bank_member *m,
			       const struct wc_bank_values *v,
			       wc_event_fn fn, void *user);

/* The same rules without state: every condition active now, as WARNING
 * or FAILURE events (for `wattcycle bank`). */
unsigned wc_bank_alerts_active(const struct wc_bank_def *def,
			       const struct wc_bank_member *m,
			       const struct wc_bank_values *v,
			       wc_event_fn fn, void *user);

#endif
