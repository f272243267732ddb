/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small streaming JSON writer: keys, escaping and commas done once. */
#ifndef CLI_JSONW_H
#define CLI_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

struct jw {
	FILE *f;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, FILE *f);
/* key is NULL inside arrays and for the top-level value. */
void jw_obj_begin(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_int(struct jw *w, const char *key, long long v);
/* A number with at most `decimals` decimals, trailing zeros dropped. */
void jw_num(struct jw *w, const char *key, double v, int decimals);
void jw_null(struct jw *w, const char *key);

#endif
