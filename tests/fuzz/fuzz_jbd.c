/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the JBD reassembler and decoders (plugin/jbd*.c).
 *
 * The whole input is one notification stream; fragment sizes cycle
 * through (b & 0x1F) + 1 of the first 4 bytes and the clock advances
 * data[1] * 8 ms per fragment (past the stale deadline for data[1] >=
 * 125).  Every complete frame goes to jbd_decode; the whole input also
 * goes straight to jbd_parse_frame, jbd_decode and each payload decoder.
 * Every error is formatted.  Invariants are checked with __builtin_trap()
 * so that the fuzzer reports them as crashes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "alarms.h"
#include "jbd.h"
#include "jbd_reasm.h"
#include "sample.h"
#include "wc_error.h"

static void use_diag(const struct wc_diag *d, enum wc_err e)
{
	char msg[160], tiny[6];

	CHECK(d != NULL);
	CHECK(d->code == e);
	wc_diag_format(d, msg, sizeof(msg));
	CHECK(strlen(msg) < sizeof(msg));
	wc_diag_format(d, tiny, sizeof(tiny));
	CHECK(strlen(tiny) < sizeof(tiny));
}

static void check_sample(const struct wc_sample *s)
{
	CHECK(s->n_cells <= WC_MAX_CELLS);
	CHECK(s->n_probes <= WC_MAX_PROBES);
	CHECK(s->regs.n_cells <= WC_MAX_CELLS);
	CHECK(s->regs.n_balance_bytes <= WC_MAX_CELLS / 8);
	CHECK(strlen(s->firmware) <= WC_INFO_FIELD_LEN);
	CHECK((s->jbd.warning & 0x8000) == 0);
	if (wc_has(s, WC_F_STATUS))
		for (size_t i = 0; i < wc_alarm_count; i++)
			if (wc_alarm_active(&wc_alarms[i], &s->regs))
				CHECK(wc_alarm_in_family(&wc_alarms[i],
							 WC_FAMILY_JBD));
}

static void decode_one(const uint8_t *f, size_t n)
{
	struct wc_sample s;
	struct wc_diag d = { WC_OK, 0, 0 };
	enum wc_err e;

	memset(&s, 0, sizeof(s));
	e = jbd_decode(f, n, &s, NULL, &d);
	if (e != WC_OK)
		use_diag(&d, e);
	check_sample(&s);
}

static void on_frame(void *user, enum wc_err err, const uint8_t *frame,
		     size_t len, const struct wc_diag *d)
{
	(void)user;
	if (err == WC_OK) {
		CHECK(frame != NULL && len >= JBD_OVERHEAD &&
		      len <= JBD_FRAME_MAX);
		CHECK(frame[0] == JBD_START && frame[len - 1] == JBD_END);
		decode_one(frame, len);
		return;
	}
	use_diag(d, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wc_reasm r;
	struct jbd_frame f;
	struct jbd_clock c;
	struct jbd_log_index li;
	struct wc_sample s;
	struct wc_diag d = { WC_OK, 0, 0 };
	uint64_t now = 0;
	size_t o = 0, k = 0;
	enum wc_err e;

	wc_reasm_init_fmt(&r, &jbd_frame_fmt, 1000, on_frame, NULL);
	while (o < size) {
		size_t n = (size_t)(data[k % (size < 4 ? size : 4)] & 0x1F) + 1;

		if (n > size - o)
			n = size - o;
		wc_reasm_push(&r, data + o, n, now);
		CHECK(wc_reasm_have(&r) <= JBD_FRAME_MAX);
		o += n;
		k++;
		now += size > 1 ? (uint64_t)data[1] * 8u : 0u;
	}
	wc_reasm_expire(&r, now + 5000);
	CHECK(!wc_reasm_busy(&r));

	decode_one(data, size);
	e = jbd_parse_frame(data, size, &f, &d);
	if (e != WC_OK)
		use_diag(&d, e);
	memset(&s, 0, sizeof(s));
	if ((e = jbd_decode_basic(data, size, &s, &d)) != WC_OK)
		use_diag(&d, e);
	check_sample(&s);
	if ((e = jbd_decode_cells(data, size, &s, &d)) != WC_OK)
		use_diag(&d, e);
	if ((e = jbd_decode_hw(data, size, &s, &d)) != WC_OK)
		use_diag(&d, e);
	check_sample(&s);
	if ((e = jbd_decode_clock(data, size, &c, &d)) != WC_OK)
		use_diag(&d, e);
	if ((e = jbd_decode_log_index(data, size, &li, &d)) != WC_OK)
		use_diag(&d, e);
	return 0;
}
