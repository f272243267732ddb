/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin's identifiers: one poll as rows of (types.db type,
 * type_instance, value) — the value table of collectd-wattcycle(5).
 *
 * The collectd glue dispatches exactly these rows; `wattcycle check`
 * names its metrics after them.  This is the one list of identifiers:
 * whatever needs to know them derives them from here (or from the real
 * plugin's output, scripts/identifiers.sh). */
#ifndef WC_METRICS_H
#define WC_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

/* Upper bound of rows per poll: 3 + 32 cells + 3 + 8 + 2 + 30 probes +
 * every code of the table + 3 counts + 3, with room to spare. */
#define WC_METRICS_MAX 192

struct wc_metric {
	const char *type;          /* types.db type, static */
	const char *type_instance; /* static */
	double value;
};

struct wc_metric_opts {
	bool cells;         /* voltage-cellNN (ReportCells) */
	bool alarm_values;  /* bool-<id> per protection/alarm/fault code
			       (ReportAlarmValues) */
};

/* The rows of one good poll, in table order.  Only fields the battery
 * reported appear (present bits); non-finite values are left out.
 * Returns the number of rows written to out. */
size_t wc_metrics(const struct wc_poll_result *r,
		  const struct wc_metric_opts *o, struct wc_metric *out,
		  size_t cap);

/* Every row wc_metrics() can give (every field present, 32 cells, 30
 * probes, RSSI known), with zero values: the universe of identifiers. */
size_t wc_metrics_all(struct wc_metric *out, size_t cap);

#endif
