/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the WATT reassembler and decoders.
 *
 * The whole input is one notification stream.  Its first bytes double as
 * the fragment plan, so that the seeds (plain §14 frames, starting 7E 00
 * 01 03) are still valid frames that the stream carries:
 *   - fragment sizes cycle through (b & 0x3F) + 1 of the first 4 bytes; a
 *     byte with both top bits set also pushes an empty fragment;
 *   - the clock advances data[1] * 8 ms per fragment (0 for every seed),
 *     which reaches past the stale deadline for data[1] >= 125.
 * Every complete frame is decoded; the whole input also goes straight to
 * watt_decode, watt_parse_frame and the three payload decoders.  Every
 * error is formatted.  Invariants that must hold are checked with
 * __builtin_trap() so that the fuzzer reports them as crashes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "sample.h"
#include "watt.h"
#include "watt_reasm.h"
#include "wc_error.h"

struct fuzz_ctx {
	struct wc_sample s;
	unsigned frames;
	unsigned errors;
};

static void use_diag(const struct wc_diag *d, enum wc_err e)
{
	char msg[160];
	char tiny[6];

	CHECK(d != NULL);
	CHECK(d->code == e);
	wc_diag_format(d, msg, sizeof(msg));
	CHECK(strlen(msg) < sizeof(msg));
	/* truncation must still terminate */
	wc_diag_format(d, tiny, sizeof(tiny));
	CHECK(strlen(tiny) < sizeof(tiny));
	CHECK(wc_strerror(e) != NULL);
	CHECK(wc_strerror(e) != NULL);
}

static void check_sample(const struct wc_sample *s)
{
	CHECK(s->n_cells <= WC_MAX_CELLS);
	CHECK(s->n_probes <= WC_MAX_PROBES);
	CHECK(s->regs.n_cells <= WC_MAX_CELLS);
	CHECK(s->regs.n_temps <= WC_MAX_TEMPS);
	CHECK(s->regs.n_balance_bytes <= WC_MAX_CELLS / 8);
	CHECK(s->mode <= WC_MODE_UNKNOWN);
	if (wc_has(s, WC_F_INFO)) {
		const char *f[3] = { s->firmware, s->manufacturer, s->serial };

		for (int i = 0; i < 3; i++) {
			size_t n = strnlen(f[i], WC_INFO_FIELD_LEN + 1);

			CHECK(n <= WC_INFO_FIELD_LEN);
			for (size_t k = 0; k < n; k++)
				CHECK(f[i][k] >= 0x20 && f[i][k] < 0x7F);
		}
	}
}

/* Decode a copy of exactly len bytes so that ASan sees any over-read. */
static void decode_copy(struct wc_sample *s, const uint8_t *frame, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct wc_diag d = { WC_OK, 0, 0 };
	uint16_t dp = 0;
	enum wc_err e;

	if (!copy)
		return;
	if (len)
		memcpy(copy, frame, len);
	e = watt_decode(copy, len, s, &dp, &d);
	if (e != WC_OK)
		use_diag(&d, e);
	check_sample(s);
	free(copy);
}

static void on_frame(void *user, enum wc_err err, const uint8_t *frame,
		     size_t len, const struct wc_diag *d)
{
	struct fuzz_ctx *c = user;

	CHECK(len <= WATT_FRAME_MAX || err != WC_OK);
	if (err != WC_OK) {
		c->errors++;
		use_diag(d, err);
		/* the bytes handed over must be readable */
		if (frame && len) {
			volatile uint8_t x = frame[0];

			x = frame[len - 1];
			(void)x;
		}
		return;
	}
	CHECK(d == NULL);
	CHECK(frame != NULL);
	{
		struct watt_frame f;
		struct wc_diag pd = { WC_OK, 0, 0 };

		/* the reassembler only delivers frames that parse */
		CHECK(watt_parse_frame(frame, len, &f, &pd) == WC_OK);
		CHECK(f.data_len + (size_t)WATT_OVERHEAD == len);
	}
	c->frames++;
	decode_copy(&c->s, frame, len);
}

static void feed_fragments(const uint8_t *data, size_t size)
{
	struct fuzz_ctx c;
	struct wc_reasm r;
	size_t plan = size < 4 ? size : 4;
	uint64_t step = size > 1 ? (uint64_t)data[1] * 8 : 0;
	uint64_t now = 1000;
	size_t off = 0;

	memset(&c, 0, sizeof(c));
	wc_reasm_init_fmt(&r, &watt_frame_fmt, WATT_REASM_STALE_MS, on_frame,
			  &c);
	for (size_t i = 0; off < size; i++) {
		uint8_t b = plan ? data[i % plan] : 0;
		size_t n = (size_t)(b & 0x3F) + 1;

		if (n > size - off)
			n = size - off;
		if ((b & 0xC0) == 0xC0)
			wc_reasm_push(&r, data + off, 0, now);
		wc_reasm_push(&r, data + off, n, now);
		CHECK(wc_reasm_have(&r) <= WATT_FRAME_MAX);
		CHECK(wc_reasm_need(&r) <= WATT_FRAME_MAX);
		CHECK(!wc_reasm_need(&r) ||
		      wc_reasm_have(&r) < wc_reasm_need(&r));
		off += n;
		now += step;
	}
	/* Whatever is left must go stale at the deadline, and only then. */
	if (wc_reasm_busy(&r)) {
		CHECK(wc_reasm_expire(&r, now - step +
					    WATT_REASM_STALE_MS - 1) == 0);
		CHECK(wc_reasm_expire(&r, now - step +
					    WATT_REASM_STALE_MS) == 1);
	}
	CHECK(!wc_reasm_busy(&r));
}

/* The same stream as one notification (MTU 512): frames back to back. */
static void feed_whole(const uint8_t *data, size_t size)
{
	struct fuzz_ctx c;
	struct wc_reasm r;

	memset(&c, 0, sizeof(c));
	wc_reasm_init_fmt(&r, &watt_frame_fmt, WATT_REASM_STALE_MS, on_frame,
			  &c);
	wc_reasm_push(&r, data, size, 0);
	wc_reasm_expire(&r, WATT_REASM_STALE_MS);
}

static void decode_direct(const uint8_t *data, size_t size)
{
	struct wc_sample s, before;
	struct watt_frame f;
	struct wc_diag d = { WC_OK, 0, 0 };
	enum wc_err e;
	uint16_t dp = 0;

	memset(&s, 0, sizeof(s));
	e = watt_decode(data, size, &s, &dp, &d);
	if (e != WC_OK)
		use_diag(&d, e);
	check_sample(&s);

	e = watt_parse_frame(data, size, &f, &d);
	if (e != WC_OK)
		use_diag(&d, e);
	else
		CHECK(f.data == data + WATT_HEADER_LEN &&
		      f.data_len + (size_t)WATT_OVERHEAD == size);

	/* A payload decoder that fails must not touch the sample. */
	memcpy(&before, &s, sizeof(s));
	e = watt_decode_analog(data, size, &s, &d);
	if (e != WC_OK) {
		use_diag(&d, e);
		CHECK(memcmp(&before, &s, sizeof(s)) == 0);
	}
	check_sample(&s);
	memcpy(&before, &s, sizeof(s));
	e = watt_decode_status(data, size, &s, &d);
	if (e != WC_OK) {
		use_diag(&d, e);
		CHECK(memcmp(&before, &s, sizeof(s)) == 0);
	}
	check_sample(&s);
	memcpy(&before, &s, sizeof(s));
	e = watt_decode_product(data, size, &s, &d);
	if (e != WC_OK) {
		use_diag(&d, e);
		CHECK(memcmp(&before, &s, sizeof(s)) == 0);
	}
	check_sample(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fragments(data, size);
	feed_whole(data, size);
	decode_direct(data, size);
	return 0;
}
