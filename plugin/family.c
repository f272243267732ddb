/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The family interface: see family.h. */
#include "family.h"


#include "bytes.h"
#include "jbd.h"
#include "watt.h"

static size_t watt_read(uint8_t *out, size_t cap, uint8_t head, uint16_t id)
{
	return watt_build_read(out, cap, head, (uint8_t)id);
}

static uint16_t watt_reply_id(const uint8_t *frame, size_t len)
{
	return len >= WATT_HEADER_LEN ? get_be16(frame + 4) : 0;
}

static enum wc_err watt_decode_any(const uint8_t *frame, size_t len,
				   struct wc_sample *s, struct wc_diag *d)
{
	enum wc_err e = watt_decode(frame, len, s, NULL, d);

	if (e == WC_OK)
		s->family = WC_FAMILY_WATT;
	return e;
}

static size_t jbd_read(uint8_t *out, size_t cap, uint8_t head, uint16_t id)
{
	(void)head;
	return jbd_build_read(out, cap, (uint8_t)id);
}

static uint16_t jbd_reply_id(const uint8_t *frame, size_t len)
{
	return len >= JBD_HEADER_LEN ? frame[1] : 0;
}

static enum wc_err jbd_decode_any(const uint8_t *frame, size_t len,
				  struct wc_sample *s, struct wc_diag *d)
{
	return jbd_decode(frame, len, s, NULL, d);
}

static const struct wc_proto protos[] = {
	[WC_FAMILY_WATT] = {
		.family = WC_FAMILY_WATT,
		.name = "watt",
		.unlock = true,
		.heads = true,
		.info = WATT_DP_PRODUCT,
		.data = { WATT_DP_ANALOG, WATT_DP_STATUS },
		.build_read = watt_read,
		.reply_id = watt_reply_id,
		.decode = watt_decode_any,
		.frames = &watt_frame_fmt,
	},
	[WC_FAMILY_JBD] = {
		.family = WC_FAMILY_JBD,
		.name = "jbd",
		.unlock = false,
		.heads = false,
		.info = JBD_CMD_HW,
		.data = { JBD_CMD_BASIC, JBD_CMD_CELLS },
		.build_read = jbd_read,
		.reply_id = jbd_reply_id,
		.decode = jbd_decode_any,
		.frames = &jbd_frame_fmt,
	},
};

const struct wc_proto *wc_proto_of(enum wc_family f)
{
	return &protos[f == WC_FAMILY_JBD ? WC_FAMILY_JBD : WC_FAMILY_WATT];
}

const char *wc_family_name(enum wc_family f)
{
	return wc_proto_of(f)->name;
}

void wc_reasm_init(struct wc_reasm *r, enum wc_family f, uint32_t stale_ms,
		   wc_frame_cb cb, void *user)
{
	wc_reasm_init_fmt(r, wc_proto_of(f)->frames, stale_ms, cb, user);
}

void wc_reasm_set_family(struct wc_reasm *r, enum wc_family f)
{
	wc_reasm_set_fmt(r, wc_proto_of(f)->frames);
}

enum wc_detect wc_family_detect(const struct wc_gatt_evidence *ev,
				enum wc_family *fam, bool *other_ok)
{
	*other_ok = false;
	if (ev->fff0 && ev->fffa && ev->fff1 && ev->fff2) {
		/* FFFA and the HiLink unlock exist only in the WATT family */
		*fam = WC_FAMILY_WATT;
		return WC_DETECT_WATT;
	}
	if (ev->fff0 && ev->fff1 && ev->fff2) {
		/* The evidence conflicts: the protocol notes say JBD, the app
		 * picks WATT for FFF0 + FFF2, and some WTaHdAZ packs were
		 * read with WATT frames.  JBD first, WATT once. */
		*fam = WC_FAMILY_JBD;
		*other_ok = true;
		return WC_DETECT_JBD_FFF0;
	}
	if (ev->ff00 && ev->ff01 && ev->ff02) {
		*fam = WC_FAMILY_JBD;
		return WC_DETECT_JBD_FF00;
	}
	return WC_DETECT_NONE;
}
