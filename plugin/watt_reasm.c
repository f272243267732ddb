/* Reassembly of notification fragments: see watt_reasm.h. */
#include "watt_reasm.h"

#include <string.h>

#include "bytes.h"

void watt_reasm_init(struct watt_reasm *r, uint32_t stale_ms,
		     watt_frame_cb cb, void *user)
{
	memset(r, 0, sizeof(*r));
	r->stale_ms = stale_ms;
	r->cb = cb;
	r->user = user;
}

void watt_reasm_reset(struct watt_reasm *r)
{
	r->have = 0;
	r->need = 0;
}

int watt_reasm_busy(const struct watt_reasm *r)
{
	return r->have > 0;
}

size_t watt_reasm_have(const struct watt_reasm *r)
{
	return r->have;
}

size_t watt_reasm_need(const struct watt_reasm *r)
{
	return r->need;
}

static void report(struct watt_reasm *r, enum wc_err err, const uint8_t *frame,
		   size_t len, uint32_t a, uint32_t b)
{
	struct wc_diag d = { .code = err, .a = a, .b = b };

	if (r->cb)
		r->cb(r->user, err, frame, len, err == WC_OK ? NULL : &d);
}

int watt_reasm_expire(struct watt_reasm *r, uint64_t now_ms)
{
	/* now_ms < last_ms (a clock the caller got wrong) counts as age 0,
	 * never as a huge unsigned age. */
	if (r->have == 0 || now_ms < r->last_ms ||
	    now_ms - r->last_ms < r->stale_ms)
		return 0;
	report(r, WC_E_STALE, r->buf, r->have, (uint32_t)r->have,
	       (uint32_t)r->need);
	watt_reasm_reset(r);
	return 1;
}

/* The frame in buf is complete: check it, report it, go idle. */
static void finish(struct watt_reasm *r)
{
	struct watt_frame f;
	struct wc_diag d = { WC_OK, 0, 0 };
	enum wc_err e = watt_parse_frame(r->buf, r->have, &f, &d);

	report(r, e, r->buf, r->have, d.a, d.b);
	watt_reasm_reset(r);
}

void watt_reasm_push(struct watt_reasm *r, const uint8_t *frag, size_t n,
		     uint64_t now_ms)
{
	if (!frag || n == 0)
		return;
	watt_reasm_expire(r, now_ms);

	while (n > 0) {
		size_t take;

		if (r->have == 0 && frag[0] != WATT_HEAD_7E) {
			report(r, WC_E_STRAY, frag, n, (uint32_t)n, frag[0]);
			return;
		}
		/* Until the length is known, take just the header. */
		take = r->need ? r->need - r->have : WATT_HEADER_LEN - r->have;
		if (take > n)
			take = n;
		memcpy(r->buf + r->have, frag, take);
		r->have += take;
		r->last_ms = now_ms;
		frag += take;
		n -= take;

		if (r->need == 0 && r->have >= WATT_HEADER_LEN) {
			r->need = (size_t)get_be16(r->buf + 6) + WATT_OVERHEAD;
			if (r->need > WATT_FRAME_MAX) {
				report(r, WC_E_TOO_BIG, r->buf, r->have,
				       (uint32_t)r->need, WATT_FRAME_MAX);
				watt_reasm_reset(r);
				/* The rest of this fragment belongs to the
				 * frame we refused: drop it with it. */
				return;
			}
		}
		if (r->need && r->have == r->need)
			finish(r);
	}
}
