/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_decode [ITERATIONS]
 *
 * Times what a poll does to the two answers of a WATT battery once they
 * are reassembled: frame check (head, length, CRC, terminator) and field
 * decoding of a 0x8C (live data) and a 0x8D (status) response, with
 * watt_decode(), the function the poll session calls.  The frames are a
 * published capture of a 4S 314 Ah unit (the same bytes as the unit tests'
 * vectors in tests/unit/watt_vectors.h).  Prints one JSON line: nanoseconds
 * of this thread's CPU clock per 0x8C + 0x8D pair, the best of five
 * passes (a pass the host interrupted is slower, never faster). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "watt.h"

static const uint8_t analog[] = {
	0x7E, 0x00, 0x01, 0x03, 0x00, 0x8C, 0x00, 0x20, 0x04, 0x0C, 0xDE,
	0x0C, 0xDD, 0x0C, 0xDF, 0x0C, 0xDA, 0x04, 0x0B, 0x65, 0x0B, 0x70,
	0x0B, 0x5A, 0x0B, 0x5A, 0x40, 0x00, 0x05, 0x25, 0x07, 0x2A, 0x0C,
	0x44, 0x00, 0x05, 0x0C, 0x44, 0x00, 0x3A, 0x4B, 0x22, 0x0D,
};
static const uint8_t status[] = {
	0x7E, 0x00, 0x01, 0x03, 0x00, 0x8D, 0x00, 0x18, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x01, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x1F, 0x91, 0x0D,
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	double best = 0;
	unsigned sink = 0;

	if (n < 1) {
		fprintf(stderr, "usage: bench_decode [ITERATIONS]\n");
		return 2;
	}
	for (int pass = 0; pass < 5; pass++) {
		double t0 = now_ns(), dt;

		for (long i = 0; i < n; i++) {
			struct wc_sample s;
			struct wc_diag d;
			uint16_t dp;

			/* what the poll session does before each sample */
			memset(&s, 0, sizeof(s));
			if (watt_decode(analog, sizeof(analog), &s, &dp, &d) != WC_OK ||
			    watt_decode(status, sizeof(status), &s, &dp, &d) != WC_OK) {
				fprintf(stderr, "bench_decode: a vector failed to decode\n");
				return 1;
			}
			sink += (unsigned)s.soc_pct + dp;
		}
		dt = (now_ns() - t0) / (double)n;
		if (pass == 0 || dt < best)
			best = dt;
	}
	printf("{\"iterations\":%ld,\"ns_per_poll\":%.1f,\"sink\":%u}\n", n, best,
	       sink & 1);
	return 0;
}
