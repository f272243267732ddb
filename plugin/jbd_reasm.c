/* Reassembly of JBD replies: see jbd_reasm.h. */
#include "jbd_reasm.h"

#include <string.h>

void jbd_reasm_init(struct jbd_reasm *r, uint32_t stale_ms, watt_frame_cb cb,
		    void *user)
{
	memset(r, 0, sizeof(*r));
	r->stale_ms = stale_ms;
	r->cb = cb;
	r->user = user;
}

void jbd_reasm_reset(struct jbd_reasm *r)
{
	r->have = 0;
	r->need = 0;
}

int jbd_reasm_busy(const struct jbd_reasm *r)
{
	return r->have > 0;
}

size_t jbd_reasm_have(const struct jbd_reasm *r)
{
	return r->have;
}

size_t jbd_reasm_need(const struct jbd_reasm *r)
{
	return r->need;
}

static void report(struct jbd_reasm *r, enum wc_err err, const uint8_t *frame,
		   size_t len, uint32_t a, uint32_t b)
{
	struct wc_diag d = { .code = err, .a = a, .b = b };

	if (r->cb)
		r->cb(r->user, err, frame, len, err == WC_OK ? NULL : &d);
}

int jbd_reasm_expire(struct jbd_reasm *r, uint64_t now_ms)
{
	if (r->have == 0 || now_ms < r->last_ms ||
	    now_ms - r->last_ms < r->stale_ms)
		return 0;
	report(r, WC_E_STALE, r->buf, r->have, (uint32_t)r->have,
	       (uint32_t)r->need);
	jbd_reasm_reset(r);
	return 1;
}

static void finish(struct jbd_reasm *r)
{
	struct jbd_frame f;
	struct wc_diag d = { WC_OK, 0, 0 };
	enum wc_err e = jbd_parse_frame(r->buf, r->have, &f, &d);

	report(r, e, r->buf, r->have, d.a, d.b);
	jbd_reasm_reset(r);
}

void jbd_reasm_push(struct jbd_reasm *r, const uint8_t *frag, size_t n,
		    uint64_t now_ms)
{
	if (!frag || n == 0)
		return;
	jbd_reasm_expire(r, now_ms);

	while (n > 0) {
		size_t take;

		if (r->have == 0 && frag[0] != JBD_START) {
			report(r, WC_E_STRAY, frag, n, (uint32_t)n, frag[0]);
			return;
		}
		take = r->need ? r->need - r->have : JBD_HEADER_LEN - r->have;
		if (take > n)
			take = n;
		memcpy(r->buf + r->have, frag, take);
		r->have += take;
		r->last_ms = now_ms;
		frag += take;
		n -= take;

		/* A one-byte length cannot exceed the buffer. */
		if (r->need == 0 && r->have >= JBD_HEADER_LEN)
			r->need = (size_t)r->buf[3] + JBD_OVERHEAD;
		if (r->need && r->have == r->need)
			finish(r);
	}
}
