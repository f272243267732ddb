/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reassembly of notification fragments: see reasm.h. */
#include "reasm.h"

#include <string.h>

void wc_reasm_init_fmt(struct wc_reasm *r, const struct wc_frame_fmt *fmt,
		       uint32_t stale_ms, wc_frame_cb cb, void *user)
{
	memset(r, 0, sizeof(*r));
	r->fmt = fmt;
	r->stale_ms = stale_ms;
	r->cb = cb;
	r->user = user;
}

void wc_reasm_set_fmt(struct wc_reasm *r, const struct wc_frame_fmt *fmt)
{
	if (r->fmt == fmt)
		wc_reasm_reset(r);
	else
		wc_reasm_init_fmt(r, fmt, r->stale_ms, r->cb, r->user);
}

void wc_reasm_reset(struct wc_reasm *r)
{
	r->have = 0;
	r->need = 0;
}

int wc_reasm_busy(const struct wc_reasm *r)
{
	return r->have > 0;
}

size_t wc_reasm_have(const struct wc_reasm *r)
{
	return r->have;
}

size_t wc_reasm_need(const struct wc_reasm *r)
{
	return r->need;
}

static void report(struct wc_reasm *r, enum wc_err err, const uint8_t *frame,
		   size_t len, uint32_t a, uint32_t b)
{
	struct wc_diag d = { .code = err, .a = a, .b = b };

	if (r->cb)
		r->cb(r->user, err, frame, len, err == WC_OK ? NULL : &d);
}

int wc_reasm_expire(struct wc_reasm *r, uint64_t now_ms)
{
	/* now_ms < last_ms (a clock the caller got wrong) counts as age 0,
	 * never as a huge unsigned age. */
	if (r->have == 0 || now_ms < r->last_ms ||
	    now_ms - r->last_ms < r->stale_ms)
		return 0;
	report(r, WC_E_STALE, r->buf, r->have, (uint32_t)r->have,
	       (uint32_t)r->need);
	wc_reasm_reset(r);
	return 1;
}

/* The frame in buf is complete: check it, report it, go idle. */
static void finish(struct wc_reasm *r)
{
	struct wc_diag d = { WC_OK, 0, 0 };
	enum wc_err e = r->fmt->check(r->buf, r->have, &d);

	report(r, e, r->buf, r->have, d.a, d.b);
	wc_reasm_reset(r);
}

void wc_reasm_push(struct wc_reasm *r, const uint8_t *frag, size_t n,
		   uint64_t now_ms)
{
	const struct wc_frame_fmt *f = r->fmt;

	if (!frag || n == 0)
		return;
	wc_reasm_expire(r, now_ms);

	while (n > 0) {
		size_t take;

		if (r->have == 0 && frag[0] != f->start) {
			report(r, WC_E_STRAY, frag, n, (uint32_t)n, frag[0]);
			return;
		}
		/* Until the length is known, take just the header. */
		take = r->need ? r->need - r->have : f->header_len - r->have;
		if (take > n)
			take = n;
		memcpy(r->buf + r->have, frag, take);
		r->have += take;
		r->last_ms = now_ms;
		frag += take;
		n -= take;

		if (r->need == 0 && r->have >= f->header_len) {
			r->need = f->frame_len(r->buf);
			if (r->need > f->max) {
				report(r, WC_E_TOO_BIG, r->buf, r->have,
				       (uint32_t)r->need, (uint32_t)f->max);
				wc_reasm_reset(r);
				/* The rest of this fragment belongs to the
				 * frame we refused: drop it with it. */
				return;
			}
		}
		if (r->need && r->have == r->need)
			finish(r);
	}
}
