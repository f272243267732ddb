/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/reasm.[ch] with the WATT format (watt_reasm.[ch]):
 * the rules of doc/PROTOCOL.md §2.4 on
 * every §14 frame cut every way, plus the loss, stale and overflow paths.
 * Every callback event is recorded and the whole sequence is checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "watt.h"
#include "watt_reasm.h"
#include "watt_vectors.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_EVENTS 16
#define STALE 1000u

struct event {
	enum wc_err err;
	uint8_t frame[WATT_FRAME_MAX];
	size_t len;
	int has_frame;
	int has_diag;
	struct wc_diag d;
};

struct rec {
	struct event ev[MAX_EVENTS];
	size_t n;
	size_t dropped; /* events beyond MAX_EVENTS */
};

static struct rec rec;
static struct wc_reasm ra;

static void on_event(void *user, enum wc_err err, const uint8_t *frame,
		     size_t len, const struct wc_diag *d)
{
	struct rec *r = user;
	struct event *e;

	if (r->n >= MAX_EVENTS) {
		r->dropped++;
		return;
	}
	e = &r->ev[r->n++];
	memset(e, 0, sizeof(*e));
	e->err = err;
	e->len = len;
	e->has_frame = frame != NULL;
	if (frame && len <= sizeof(e->frame))
		memcpy(e->frame, frame, len);
	e->has_diag = d != NULL;
	if (d)
		e->d = *d;
}

static int setup(void **state)
{
	(void)state;
	memset(&rec, 0, sizeof(rec));
	wc_reasm_init_fmt(&ra, &watt_frame_fmt, STALE, on_event, &rec);
	return 0;
}

static void reset_all(void)
{
	memset(&rec, 0, sizeof(rec));
	wc_reasm_init_fmt(&ra, &watt_frame_fmt, STALE, on_event, &rec);
}

static size_t load(enum wv_resp i, uint8_t *buf, size_t cap)
{
	size_t n = wv_hex(wv_resp[i].hex, buf, cap);

	if (n == 0)
		fail_msg("vector %s: bad hex", wv_resp[i].name);
	return n;
}

static void push(const uint8_t *p, size_t n, uint64_t t)
{
	wc_reasm_push(&ra, p, n, t);
}

/* Event i is an OK frame equal to want. */
static void expect_ok(const char *ctx, size_t i, const uint8_t *want,
		      size_t len)
{
	const struct event *e;

	if (i >= rec.n)
		fail_msg("%s: event %zu missing (%zu events)", ctx, i, rec.n);
	e = &rec.ev[i];
	if (e->err != WC_OK)
		fail_msg("%s: event %zu is %s (a=%u b=%u), want ok", ctx, i,
			 wc_strerror(e->err), e->d.a, e->d.b);
	if (!e->has_frame || e->has_diag)
		fail_msg("%s: event %zu: frame %d diag %d", ctx, i,
			 e->has_frame, e->has_diag);
	if (e->len != len || memcmp(e->frame, want, len) != 0)
		fail_msg("%s: event %zu: frame of %zu bytes differs (want %zu)",
			 ctx, i, e->len, len);
}

/* Event i is the error code with these diag numbers. */
static void expect_err(const char *ctx, size_t i, enum wc_err err,
		       uint32_t a, uint32_t b)
{
	const struct event *e;

	if (i >= rec.n)
		fail_msg("%s: event %zu missing (%zu events)", ctx, i, rec.n);
	e = &rec.ev[i];
	if (e->err != err)
		fail_msg("%s: event %zu is %s, want %s", ctx, i,
			 wc_strerror(e->err), wc_strerror(err));
	if (!e->has_diag)
		fail_msg("%s: event %zu has no diag", ctx, i);
	if (e->d.code != err || e->d.a != a || e->d.b != b)
		fail_msg("%s: event %zu diag %s a=%u b=%u, want a=%u b=%u", ctx,
			 i, wc_strerror(e->d.code), e->d.a, e->d.b, a, b);
}

static void expect_count(const char *ctx, size_t n)
{
	if (rec.n != n || rec.dropped)
		fail_msg("%s: %zu events (+%zu), want %zu", ctx, rec.n,
			 rec.dropped, n);
}

/* ---- every frame, every fragment size ---------------------------------- */

static void feed_sizes(const char *name, const uint8_t *f, size_t len)
{
	char ctx[64];

	for (size_t size = 1; size <= 244; size++) {
		uint64_t t = 5000;

		reset_all();
		for (size_t off = 0; off < len; off += size) {
			size_t n = len - off < size ? len - off : size;

			push(f + off, n, t);
			t += 20;
		}
		snprintf(ctx, sizeof(ctx), "%s in %zu-byte fragments", name,
			 size);
		expect_count(ctx, 1);
		expect_ok(ctx, 0, f, len);
		if (wc_reasm_busy(&ra))
			fail_msg("%s: still busy", ctx);
	}
}

static void test_every_fragment_size(void **state)
{
	uint8_t f[WATT_FRAME_MAX];

	(void)state;
	for (size_t i = 0; i < WV__COUNT; i++) {
		size_t len = load((enum wv_resp)i, f, sizeof(f));

		feed_sizes(wv_resp[i].name, f, len);
	}
	for (size_t i = 0; i < WV_REQ_7E_COUNT; i++) {
		size_t len = wv_hex(wv_req_7e[i].hex, f, sizeof(f));

		assert_true(len > 0);
		feed_sizes(wv_req_7e[i].name, f, len);
	}
}

/* Every cut into two pieces, including a second piece starting with the
 * literal 7E of 49A1-1 and first pieces ending in a literal 0D. */
static void test_every_two_way_split(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	char ctx[64];

	(void)state;
	for (size_t i = 0; i < WV__COUNT; i++) {
		size_t len = load((enum wv_resp)i, f, sizeof(f));

		for (size_t cut = 1; cut < len; cut++) {
			reset_all();
			push(f, cut, 100);
			push(f + cut, len - cut, 101);
			snprintf(ctx, sizeof(ctx), "%s cut at %zu",
				 wv_resp[i].name, cut);
			expect_count(ctx, 1);
			expect_ok(ctx, 0, f, len);
		}
	}
}

static void test_ef2f_documented_split(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	size_t len = load(WV_EF2F_8C, f, sizeof(f));

	(void)state;
	assert_int_equal(len, 43);
	push(f, 20, 0);
	assert_true(wc_reasm_busy(&ra));
	assert_int_equal(wc_reasm_have(&ra), 20);
	assert_int_equal(wc_reasm_need(&ra), 43);
	expect_count("after 20", 0);
	push(f + 20, 20, 30);
	assert_int_equal(wc_reasm_have(&ra), 40);
	expect_count("after 40", 0);
	push(f + 40, 3, 60);
	expect_count("EF2F-1 20+20+3", 1);
	expect_ok("EF2F-1 20+20+3", 0, f, len);
	assert_false(wc_reasm_busy(&ra));
	assert_int_equal(wc_reasm_have(&ra), 0);
	assert_int_equal(wc_reasm_need(&ra), 0);
}

/* 49A1-1: 7E at byte 25, 0D at bytes 9, 11, 13, 15 -- no resync on either. */
static void test_literal_7e_0d_inside(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	size_t len = load(WV_49A1_8C, f, sizeof(f));

	(void)state;
	assert_int_equal(f[25], 0x7E);
	assert_int_equal(f[9], 0x0D);
	/* a fragment that starts with the inner 7E */
	push(f, 25, 0);
	push(f + 25, len - 25, 1);
	expect_count("7E fragment", 1);
	expect_ok("7E fragment", 0, f, len);
	/* a fragment that ends with an inner 0D, then the inner 7E alone */
	reset_all();
	push(f, 10, 0);
	push(f + 10, 15, 1);
	push(f + 25, 1, 2);
	assert_int_equal(wc_reasm_have(&ra), 26);
	push(f + 26, len - 26, 3);
	expect_count("0D end, lone 7E", 1);
	expect_ok("0D end, lone 7E", 0, f, len);
	/* the header alone, byte by byte, then the rest */
	reset_all();
	for (size_t k = 0; k < 8; k++) {
		assert_int_equal(wc_reasm_need(&ra), 0);
		push(f + k, 1, k);
	}
	assert_int_equal(wc_reasm_need(&ra), 43);
	push(f + 8, len - 8, 9);
	expect_count("header bytewise", 1);
	expect_ok("header bytewise", 0, f, len);
}

/* ---- several frames ---------------------------------------------------- */

static void test_back_to_back(void **state)
{
	uint8_t a[WATT_FRAME_MAX], b[WATT_FRAME_MAX], c[WATT_FRAME_MAX];
	uint8_t all[3 * WATT_FRAME_MAX];
	size_t na = load(WV_TDT16_8C, a, sizeof(a));
	size_t nb = load(WV_TDT16_8D, b, sizeof(b));
	size_t nc = load(WV_TDT16_92, c, sizeof(c));

	(void)state;
	/* separate fragments */
	push(a, na, 0);
	push(b, nb, 1);
	push(c, nc, 2);
	expect_count("separate", 3);
	expect_ok("separate", 0, a, na);
	expect_ok("separate", 1, b, nb);
	expect_ok("separate", 2, c, nc);

	/* all three in one fragment (MTU 512) */
	memcpy(all, a, na);
	memcpy(all + na, b, nb);
	memcpy(all + na + nb, c, nc);
	reset_all();
	push(all, na + nb + nc, 0);
	expect_count("one fragment", 3);
	expect_ok("one fragment", 0, a, na);
	expect_ok("one fragment", 1, b, nb);
	expect_ok("one fragment", 2, c, nc);
	assert_false(wc_reasm_busy(&ra));

	/* the same stream cut into 20-byte notifications: fragment
	 * boundaries never line up with frame boundaries */
	reset_all();
	for (size_t off = 0; off < na + nb + nc; off += 20) {
		size_t n = na + nb + nc - off < 20 ? na + nb + nc - off : 20;

		push(all + off, n, off);
	}
	expect_count("20-byte stream", 3);
	expect_ok("20-byte stream", 0, a, na);
	expect_ok("20-byte stream", 1, b, nb);
	expect_ok("20-byte stream", 2, c, nc);

	/* one frame and the head of the next in one fragment */
	reset_all();
	push(all, na + 5, 0);
	expect_count("frame + 5", 1);
	assert_int_equal(wc_reasm_have(&ra), 5);
	push(all + na + 5, nb, 1);
	expect_count("frame + 5, rest", 2);
	expect_ok("frame + 5, rest", 1, b, nb);
}

static void test_frame_then_garbage(void **state)
{
	uint8_t f[WATT_FRAME_MAX + 8];
	size_t len = load(WV_EF2F_8D, f, sizeof(f));

	(void)state;
	f[len] = 0x01;
	f[len + 1] = 0x02;
	f[len + 2] = 0x03;
	push(f, len + 3, 0);
	expect_count("frame + garbage", 2);
	expect_ok("frame + garbage", 0, f, len);
	expect_err("frame + garbage", 1, WC_E_STRAY, 3, 0x01);
	assert_true(rec.ev[1].has_frame);
	assert_int_equal(rec.ev[1].len, 3);
	assert_false(wc_reasm_busy(&ra));
	/* and the next frame is fine */
	push(f, len, 1);
	expect_count("after garbage", 3);
	expect_ok("after garbage", 2, f, len);
}

/* ---- loss and staleness ------------------------------------------------ */

/* The middle notification of EF2F-1 is lost and the next poll's answer
 * arrives at once: its first 20 bytes complete the broken frame. */
static void test_lost_fragment_next_frame_soon(void **state)
{
	uint8_t a[WATT_FRAME_MAX], b[WATT_FRAME_MAX];
	size_t na = load(WV_EF2F_8C, a, sizeof(a));
	size_t nb = load(WV_EF2F_8D, b, sizeof(b));

	(void)state;
	push(a, 20, 0);
	push(a + 40, 3, 10); /* 20..39 lost */
	expect_count("lost middle", 0);
	assert_int_equal(wc_reasm_have(&ra), 23);
	push(b, 20, 100);
	expect_count("lost middle, next frame", 1);
	/* byte 42 is b[19] = 00, not 0D */
	expect_err("lost middle, next frame", 0, WC_E_TERMINATOR, 0x00, 0x0D);
	push(b + 20, nb - 20, 110);
	expect_count("rest of next frame", 2);
	expect_err("rest of next frame", 1, WC_E_STRAY, (uint32_t)(nb - 20),
		   b[20]);
	/* the poll after that is decoded */
	push(b, 20, 2000);
	push(b + 20, nb - 20, 2010);
	expect_count("following frame", 3);
	expect_ok("following frame", 2, b, nb);
	(void)na;
}

/* The same loss, but the bytes that complete the length happen to end in
 * 0D: the CRC catches it. */
static void test_lost_fragment_crc(void **state)
{
	uint8_t a[WATT_FRAME_MAX], b[WATT_FRAME_MAX];
	size_t na = load(WV_EF2F_8C, a, sizeof(a));
	size_t nb = load(WV_EF2F_8D, b, sizeof(b));

	(void)state;
	(void)na;
	push(a, 20, 0);
	push(a + 40, 3, 10);
	push(b + 15, 20, 20); /* b[34] = 0D lands on byte 42 */
	expect_count("crc after loss", 1);
	assert_int_equal(rec.ev[0].err, WC_E_CRC);
	assert_int_equal(rec.ev[0].len, 43);
	(void)nb;
}

/* The loss leaves a partial frame that nothing completes: it goes stale,
 * and the next poll after the deadline is decoded. */
static void test_lost_fragment_stale(void **state)
{
	uint8_t a[WATT_FRAME_MAX], b[WATT_FRAME_MAX];
	size_t na = load(WV_EF2F_8C, a, sizeof(a));
	size_t nb = load(WV_EF2F_8D, b, sizeof(b));

	(void)state;
	(void)na;
	push(a, 20, 0);
	push(a + 40, 3, 10);
	push(b, 20, 10 + STALE);
	expect_count("stale on push", 1);
	expect_err("stale on push", 0, WC_E_STALE, 23, 43);
	push(b + 20, nb - 20, 20 + STALE);
	expect_count("frame after stale", 2);
	expect_ok("frame after stale", 1, b, nb);
}

static void test_stale_boundary(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	size_t len = load(WV_EF2F_8C, f, sizeof(f));

	(void)state;
	/* exactly stale_ms without progress: dropped */
	push(f, 20, 0);
	push(f + 20, len - 20, STALE);
	expect_count("at stale_ms", 2);
	expect_err("at stale_ms", 0, WC_E_STALE, 20, 43);
	assert_true(rec.ev[0].has_frame);
	assert_int_equal(rec.ev[0].len, 20);
	/* then the rest cannot start a frame (f[20] = 0B) */
	expect_err("at stale_ms", 1, WC_E_STRAY, (uint32_t)(len - 20), 0x0B);
	assert_false(wc_reasm_busy(&ra));

	/* one millisecond earlier: completes */
	reset_all();
	push(f, 20, 0);
	push(f + 20, len - 20, STALE - 1);
	expect_count("at stale_ms - 1", 1);
	expect_ok("at stale_ms - 1", 0, f, len);

	/* the deadline counts from the last progress, not the first byte */
	reset_all();
	push(f, 20, 0);
	push(f + 20, 20, STALE - 1);
	push(f + 40, 3, 2 * STALE - 2);
	expect_count("progress resets the age", 1);
	expect_ok("progress resets the age", 0, f, len);

	/* a partial header goes stale too */
	reset_all();
	push(f, 5, 0);
	assert_int_equal(wc_reasm_need(&ra), 0);
	push(f, len, STALE + 7);
	expect_count("stale header", 2);
	expect_err("stale header", 0, WC_E_STALE, 5, 0);
	expect_ok("stale header", 1, f, len);
}

static void test_expire(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	size_t len = load(WV_EF2F_8C, f, sizeof(f));

	(void)state;
	assert_int_equal(wc_reasm_expire(&ra, 1000000), 0); /* idle */
	push(f, 20, 500);
	assert_int_equal(wc_reasm_expire(&ra, 500 + STALE - 1), 0);
	expect_count("before deadline", 0);
	assert_true(wc_reasm_busy(&ra));
	assert_int_equal(wc_reasm_expire(&ra, 500 + STALE), 1);
	expect_count("at deadline", 1);
	expect_err("at deadline", 0, WC_E_STALE, 20, 43);
	assert_false(wc_reasm_busy(&ra));
	assert_int_equal(wc_reasm_expire(&ra, 500 + 5 * STALE), 0);
	expect_count("once only", 1);
	/* a later frame is unaffected */
	push(f, len, 600 + STALE);
	expect_count("after expire", 2);
	expect_ok("after expire", 1, f, len);
}

/* A clock that steps backwards is age 0, never a huge unsigned age. */
static void test_clock_backwards(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	size_t len = load(WV_EF2F_8C, f, sizeof(f));

	(void)state;
	push(f, 20, 50000);
	assert_int_equal(wc_reasm_expire(&ra, 100), 0);
	assert_int_equal(wc_reasm_expire(&ra, 0), 0);
	push(f + 20, 20, 100);
	push(f + 40, 3, 99);
	expect_count("backwards", 1);
	expect_ok("backwards", 0, f, len);

	/* from near the top of the range */
	reset_all();
	push(f, 20, UINT64_MAX - 10);
	push(f + 20, len - 20, UINT64_MAX);
	expect_count("top of range", 1);
	expect_ok("top of range", 0, f, len);
}

/* ---- strays, empties, oversize ----------------------------------------- */

static void test_stray_and_empty(void **state)
{
	static const uint8_t stray[4] = { 0x0B, 0x70, 0x0B, 0x5A };
	uint8_t f[WATT_FRAME_MAX];
	size_t len = load(WV_EF2F_8C, f, sizeof(f));

	(void)state;
	push(stray, sizeof(stray), 0);
	expect_count("stray", 1);
	expect_err("stray", 0, WC_E_STRAY, 4, 0x0B);
	assert_false(wc_reasm_busy(&ra));
	/* a 1E head is not a response */
	f[0] = 0x1E;
	push(f, len, 1);
	expect_count("1E head", 2);
	expect_err("1E head", 1, WC_E_STRAY, (uint32_t)len, 0x1E);
	f[0] = 0x7E;
	/* empty fragments do nothing, idle or busy */
	push(f, 0, 2);
	push(NULL, 0, 2);
	push(NULL, 5, 2);
	expect_count("empty idle", 2);
	push(f, 20, 3);
	push(f + 20, 0, 4);
	assert_int_equal(wc_reasm_have(&ra), 20);
	push(f + 20, len - 20, 5);
	expect_count("empty busy", 3);
	expect_ok("empty busy", 2, f, len);
}

static void test_too_big(void **state)
{
	static uint8_t big[WATT_FRAME_MAX + 64];
	static uint8_t payload[WATT_FRAME_MAX];
	uint8_t f[WATT_FRAME_MAX];
	size_t len = load(WV_EF2F_8C, f, sizeof(f));
	static const uint8_t hdr[8] = { 0x7E, 0x00, 0x01, 0x03,
					0x00, 0x8C, 0x02, 0x00 };
	size_t n;

	(void)state;
	/* header only: 0x0200 + 11 = 523 > 512 */
	push(hdr, sizeof(hdr), 0);
	expect_count("too big", 1);
	expect_err("too big", 0, WC_E_TOO_BIG, 523, WATT_FRAME_MAX);
	assert_false(wc_reasm_busy(&ra));
	push(f, len, 1);
	expect_count("after too big", 2);
	expect_ok("after too big", 1, f, len);

	/* header split, with the refused frame's bytes in the same
	 * fragment: they go with it, no stray report */
	reset_all();
	memset(big, 0x00, sizeof(big));
	memcpy(big, hdr, sizeof(hdr));
	push(big, 3, 0);
	push(big + 3, 40, 1);
	expect_count("too big, split", 1);
	expect_err("too big, split", 0, WC_E_TOO_BIG, 523, WATT_FRAME_MAX);
	push(f, len, 2);
	expect_count("after too big, split", 2);
	expect_ok("after too big, split", 1, f, len);

	/* 0xFFFF + 11 */
	reset_all();
	big[6] = 0xFF;
	big[7] = 0xFF;
	push(big, 8, 0);
	expect_err("0xFFFF", 0, WC_E_TOO_BIG, 0xFFFF + 11, WATT_FRAME_MAX);

	/* exactly the ceiling is accepted, one more is not */
	reset_all();
	memset(payload, 0x7E, sizeof(payload)); /* 7E everywhere: no resync */
	n = watt_build_frame(big, sizeof(big), 0x7E, 0, 1, 3, 0x8C, payload,
			     WATT_FRAME_MAX - WATT_OVERHEAD);
	assert_int_equal(n, WATT_FRAME_MAX);
	for (size_t off = 0; off < n; off += 244)
		push(big + off, n - off < 244 ? n - off : 244, off);
	expect_count("512 bytes", 1);
	expect_ok("512 bytes", 0, big, n);
	reset_all();
	n = watt_build_frame(big, sizeof(big), 0x7E, 0, 1, 3, 0x8C, payload,
			     WATT_FRAME_MAX - WATT_OVERHEAD + 1);
	push(big, n, 0);
	expect_count("513 bytes", 1);
	expect_err("513 bytes", 0, WC_E_TOO_BIG, WATT_FRAME_MAX + 1,
		   WATT_FRAME_MAX);
}

/* Frame-level errors come through with the frame and parse's numbers. */
static void test_crc_and_terminator(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	size_t len = load(WV_EF2F_8D, f, sizeof(f));

	(void)state;
	f[33] = 0x90;
	push(f, 20, 0);
	push(f + 20, len - 20, 1);
	expect_count("crc", 1);
	expect_err("crc", 0, WC_E_CRC, 0x1F90, 0x1F91);
	assert_true(rec.ev[0].has_frame);
	assert_int_equal(rec.ev[0].len, len);
	assert_memory_equal(rec.ev[0].frame, f, len);

	len = load(WV_EF2F_8D, f, sizeof(f));
	f[len - 1] = 0x0A;
	push(f, len, 2);
	expect_count("terminator", 2);
	expect_err("terminator", 1, WC_E_TERMINATOR, 0x0A, 0x0D);
}

static void test_reset_and_null_cb(void **state)
{
	uint8_t f[WATT_FRAME_MAX];
	size_t len = load(WV_EF2F_8C, f, sizeof(f));
	struct wc_reasm quiet;

	(void)state;
	push(f, 20, 0);
	wc_reasm_reset(&ra);
	assert_false(wc_reasm_busy(&ra));
	assert_int_equal(wc_reasm_have(&ra), 0);
	assert_int_equal(wc_reasm_need(&ra), 0);
	push(f, len, 1);
	expect_count("after reset", 1);
	expect_ok("after reset", 0, f, len);

	/* without a callback nothing is reported and nothing breaks */
	wc_reasm_init_fmt(&quiet, &watt_frame_fmt, STALE, NULL, NULL);
	wc_reasm_push(&quiet, f, 20, 0);
	wc_reasm_push(&quiet, f + 1, 5, STALE); /* stale, then stray */
	wc_reasm_push(&quiet, f, len, STALE + 1);
	assert_false(wc_reasm_busy(&quiet));
	wc_reasm_push(&quiet, f, 20, STALE + 2);
	assert_int_equal(wc_reasm_expire(&quiet, 3 * STALE), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_fragment_size, setup),
		cmocka_unit_test_setup(test_every_two_way_split, setup),
		cmocka_unit_test_setup(test_ef2f_documented_split, setup),
		cmocka_unit_test_setup(test_literal_7e_0d_inside, setup),
		cmocka_unit_test_setup(test_back_to_back, setup),
		cmocka_unit_test_setup(test_frame_then_garbage, setup),
		cmocka_unit_test_setup(test_lost_fragment_next_frame_soon, setup),
		cmocka_unit_test_setup(test_lost_fragment_crc, setup),
		cmocka_unit_test_setup(test_lost_fragment_stale, setup),
		cmocka_unit_test_setup(test_stale_boundary, setup),
		cmocka_unit_test_setup(test_expire, setup),
		cmocka_unit_test_setup(test_clock_backwards, setup),
		cmocka_unit_test_setup(test_stray_and_empty, setup),
		cmocka_unit_test_setup(test_too_big, setup),
		cmocka_unit_test_setup(test_crc_and_terminator, setup),
		cmocka_unit_test_setup(test_reset_and_null_cb, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
