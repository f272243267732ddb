/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "clock.h"

#include <limits.h>
#include <time.h>

uint64_t wc_now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer; should it
	 * ever, a zero time makes every deadline look already passed, which
	 * fails safe (no wait is stretched). */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int wc_ms_left(uint64_t deadline_ms)
{
	uint64_t now = wc_now_ms();

	/* Unsigned on purpose, compared before subtracting: a difference of
	 * two monotonic times can never wrap into a huge wait. */
	if (deadline_ms <= now)
		return 0;
	if (deadline_ms - now > (uint64_t)INT_MAX)
		return INT_MAX;
	return (int)(deadline_ms - now);
}

uint64_t wc_deadline_in(int timeout_ms)
{
	return wc_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
}
