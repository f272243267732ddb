/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON contract of `wattcycle decode` and `wattcycle read` (README,
 * "JSON contract"): keys may be added, never renamed.  Each function
 * writes its keys into the object the caller has open. */
#ifndef CLI_SAMPLE_JSON_H
#define CLI_SAMPLE_JSON_H

#include "jsonw.h"
#include "sample.h"

void sample_json_analog(struct jw *w, const struct wc_sample *s);
void sample_json_status(struct jw *w, const struct wc_sample *s);
void sample_json_product(struct jw *w, const struct wc_sample *s);
/* JBD family: "jbd": { protection, warning, fet, humidity_pct, heating,
 * actual_remaining_ah, protocol_version, ... } when the sample has it. */
void sample_json_jbd(struct jw *w, const struct wc_sample *s);

/* "0x8c" for a DP. */
const char *sample_json_dp_name(uint16_t dp, char *buf, size_t len);

#endif
