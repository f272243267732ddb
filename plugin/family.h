/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The two protocol families behind one interface: WATT/TDT (watt.c,
 * watt_reasm.c) and JBD (jbd.c, jbd_reasm.c).  The session (session.c) and the
 * CLI's decode speak to a battery only through this: which requests a
 * poll sends, how a request is built, how notifications become frames,
 * which reply a frame answers and how it is decoded into the common
 * struct wc_sample.  Family detection from GATT data lives here too, so
 * that it can be unit-tested without a link. */
#ifndef WC_FAMILY_H
#define WC_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jbd_reasm.h"
#include "sample.h"
#include "watt_reasm.h"
#include "wc_error.h"

/* Largest frame of either family. */
#define WC_FRAME_MAX WATT_FRAME_MAX

struct wc_proto {
	enum wc_family family;
	const char *name;          /* "watt" / "jbd" */
	bool unlock;               /* HiLink on FFFA before anything else */
	bool heads;                /* request head detection (7E / 1E) */
	uint16_t info;             /* product info request (WATT 0x92, JBD 0x05) */
	uint16_t data[2];          /* the requests of every poll */
	/* Build the read request of id (head is ignored by JBD).  0 when cap
	 * is too small.  There is no write builder in the interface. */
	size_t (*build_read)(uint8_t *out, size_t cap, uint8_t head,
			     uint16_t id);
	/* The request id a complete, checked reply frame answers. */
	uint16_t (*reply_id)(const uint8_t *frame, size_t len);
	/* Validate and decode a reply into s. */
	enum wc_err (*decode)(const uint8_t *frame, size_t len,
			      struct wc_sample *s, struct wc_diag *d);
	/* How notifications become frames (reasm.h). */
	const struct wc_frame_fmt *frames;
};

const struct wc_proto *wc_proto_of(enum wc_family f);
const char *wc_family_name(enum wc_family f);

/* The reassembler (reasm.h) with the frame format of family f. */
void wc_reasm_init(struct wc_reasm *r, enum wc_family f, uint32_t stale_ms,
		   wc_frame_cb cb, void *user);
/* Switch family (forgets any partial frame; callback kept). */
void wc_reasm_set_family(struct wc_reasm *r, enum wc_family f);

/* What GATT discovery found, and the family it points to:
 *   FFF0 with FFFA                        -> WATT
 *   FFF0 with FFF1 and FFF2, no FFFA      -> JBD on FFF2 / FFF1
 *   FF00 with FF01 and FF02 (classic JBD) -> JBD on FF02 / FF01
 * other_ok: whether the other family is worth one try when the detected
 * one stays silent: only for FFF0 without FFFA, where the evidence
 * conflicts (the app picks WATT for FFF0 + FFF2, the JBD-family packs
 * answer JBD there, some WTaHdAZ packs were read with WATT frames). */
struct wc_gatt_evidence {
	bool fff0, fff1, fff2, fffa;
	bool ff00, ff01, ff02;
};

enum wc_detect {
	WC_DETECT_NONE,      /* neither layout */
	WC_DETECT_WATT,
	WC_DETECT_JBD_FFF0,
	WC_DETECT_JBD_FF00,
};

enum wc_detect wc_family_detect(const struct wc_gatt_evidence *ev,
				enum wc_family *fam, bool *other_ok);

#endif
