/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bounded JSON output for the simulator: the served-sample log lines and
 * the control channel's "state" reply share these writers. */
#ifndef SIM_JSON_H
#define SIM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sample.h"

/* A fixed buffer that remembers truncation instead of overrunning. */
struct jbuf {
	char *p;
	size_t cap;
	size_t len;
	bool overflow;
};

void jb_init(struct jbuf *b, char *p, size_t cap);
void jb_printf(struct jbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A JSON string literal, escaped. */
void jb_str(struct jbuf *b, const char *s);
/* ,"key": (the comma only when something precedes it inside the object) */
void jb_key(struct jbuf *b, const char *key);
void jb_hex(struct jbuf *b, const uint8_t *p, size_t n);

/* The present fields of a sample as object members (no braces):
 * "cells_v":[..],"voltage_v":..,"current_a":..,"soc_pct":.., temperatures,
 * capacities, cycles, MOSFETs, mode, active alarm ids, product strings. */
void sim_json_sample(struct jbuf *b, const struct wc_sample *s);

#endif
