/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the energy state file parser (plugin/energy.c):
 * any input either parses into finite, non-negative totals that format and
 * parse back to themselves, or fails with a reason. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "energy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wc_energy e, back;
	char err[256], buf[256];
	int n;

	if (wc_energy_parse((const char *)data, size, &e, err, sizeof(err)) != 0) {
		CHECK(err[0] != '\0');
		CHECK(e.charged_wh == 0 && e.discharged_wh == 0);
		return 0;
	}
	CHECK(isfinite(e.charged_wh) && e.charged_wh >= 0);
	CHECK(isfinite(e.discharged_wh) && e.discharged_wh >= 0);
	n = wc_energy_format(&e, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(wc_energy_parse(buf, (size_t)n, &back, err, sizeof(err)) == 0);
	CHECK(fabs(back.charged_wh - e.charged_wh) <= 1e-6 * (1 + e.charged_wh));
	CHECK(fabs(back.discharged_wh - e.discharged_wh) <=
	      1e-6 * (1 + e.discharged_wh));
	return 0;
}
