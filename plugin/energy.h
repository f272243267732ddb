/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Energy counters: watt-hours charged and discharged, integrated from
 * successive power readings, and the small state file that keeps them
 * across restarts.  Pure apart from wc_energy_load/save (one file each,
 * replaced atomically); one struct per battery or bank, used under its
 * owner's serialisation (a battery's read callback, a bank's lock).
 *
 * The totals only grow.  Energy per day is the difference between the
 * totals at the day's end and start (collectd-wattcycle(5), "Energy"). */
#ifndef WC_ENERGY_H
#define WC_ENERGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wc_energy {
	double charged_wh;
	double discharged_wh;
	bool have_prev;      /* prev_w / prev_ms hold the last reading */
	double prev_w;
	uint64_t prev_ms;
};

/* A power reading (W, + charging) at t_ms (any ms clock that never goes
 * back).  The stretch since the previous reading is integrated with the
 * trapezoid rule, its energy counted as charged or discharged by its
 * sign; a stretch longer than max_gap_ms (a battery offline, collectd
 * stopped) or going back in time is not integrated: that energy is not
 * known. */
void wc_energy_add(struct wc_energy *e, double power_w, uint64_t t_ms,
		   uint64_t max_gap_ms);

/* Forget the last reading (a failed poll): the next one starts anew. */
void wc_energy_gap(struct wc_energy *e);

/* The state file's text:
 *   wattcycle-energy 1
 *   charged_wh 1234.567
 *   discharged_wh 987.654
 * parse: 0, or -1 with the reason in err (e keeps zeros then). */
int wc_energy_parse(const char *text, size_t len, struct wc_energy *e,
		    char *err, size_t errlen);
int wc_energy_format(const struct wc_energy *e, char *out, size_t cap);

/* Read path (a missing file is a fresh start: 0 with zeros); write it
 * through "path.tmp" + fsync + rename.  -1 with one sentence naming the
 * file and the cause in err. */
int wc_energy_load(struct wc_energy *e, const char *path, char *err,
		   size_t errlen);
int wc_energy_save(const struct wc_energy *e, const char *path, char *err,
		   size_t errlen);

#endif
