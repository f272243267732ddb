/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Monotonic milliseconds and deadlines.
 *
 * Every deadline in the project is an absolute CLOCK_MONOTONIC time in
 * milliseconds (uint64_t deadline_ms), so that a chain of calls shares one
 * budget and a wall-clock step (NTP, suspend on CLOCK_REALTIME) can neither
 * shorten nor stretch it.  Compute it once at the edge with
 * wc_deadline_in(timeout_ms) and hand it down unchanged. */
#ifndef WC_CLOCK_H
#define WC_CLOCK_H

#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC (arbitrary origin, never goes back). */
uint64_t wc_now_ms(void);

/* Milliseconds left until deadline_ms, clamped to 0..INT_MAX: ready to be
 * passed to poll(2) as its timeout. */
int wc_ms_left(uint64_t deadline_ms);

/* The deadline timeout_ms from now (negative counts as 0). */
uint64_t wc_deadline_in(int timeout_ms);

#endif
