/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sample.h"

bool wc_sample_cell_stats(const struct wc_sample *s, double *min_v,
			  double *max_v, double *delta_v)
{
	double lo, hi;

	if (!wc_has(s, WC_F_CELLS) || s->n_cells == 0)
		return false;
	lo = hi = s->cell_v[0];
	for (unsigned i = 1; i < s->n_cells; i++) {
		if (s->cell_v[i] < lo)
			lo = s->cell_v[i];
		if (s->cell_v[i] > hi)
			hi = s->cell_v[i];
	}
	*min_v = lo;
	*max_v = hi;
	/* Rounded to the frame's 1 mV so 3.301 - 3.299 is 0.002, not
	 * 0.0019999999999997797. */
	*delta_v = (double)(long)((hi - lo) * 1000.0 + 0.5) / 1000.0;
	return true;
}
