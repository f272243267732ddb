/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the CLI's hex input: what `wattcycle decode HEX...`
 * does with its arguments (cli/cmd_decode.c), without the process around
 * it.  The input is split at '\n' into arguments (at most FZ_ARGS); each
 * goes through cli_parse_hex (cli/util.c); when all parse, the fragments
 * are reassembled (wc_reasm, WATT format), every frame decoded (watt_decode) and
 * written as JSON (cli/jsonw.c, cli/sample_json.c) to /dev/null.
 *
 * Checks: a failed parse leaves a non-empty, terminated message and a
 * good one 1..WATT_FRAME_MAX bytes; a frame handed over by the
 * reassembler is within WATT_FRAME_MAX; a decoded sample's counts are
 * within their arrays.  Seeds: the protocol's 0x8C/0x8D/0x92 responses as
 * hex text, split into notification-sized lines, and broken variants. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/util.c"
#include "../../cli/jsonw.c"
#include "../../cli/sample_json.c"
#include "watt.h"
#include "watt_reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

#define FZ_ARGS 16

static FILE *fz_null;

static void fz_frame(void *user, enum wc_err err, const uint8_t *frame,
		     size_t len, const struct wc_diag *d)
{
	struct wc_sample s;
	struct wc_diag dd = { WC_OK, 0, 0 };
	uint16_t dp = 0;
	char msg[160], dpname[8];
	struct jw w;

	(void)user;
	if (err != WC_OK) {
		CHECK(d != NULL);
		wc_diag_format(d, msg, sizeof(msg));
		CHECK(memchr(msg, '\0', sizeof(msg)) != NULL);
		return;
	}
	CHECK(len <= WATT_FRAME_MAX);
	memset(&s, 0, sizeof(s));
	if (watt_decode(frame, len, &s, &dp, &dd) != WC_OK) {
		wc_diag_format(&dd, msg, sizeof(msg));
		return;
	}
	CHECK(s.n_cells <= WC_MAX_CELLS);
	jw_init(&w, fz_null);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "dp", sample_json_dp_name(dp, dpname, sizeof(dpname)));
	jw_int(&w, "version", s.version);
	jw_int(&w, "address", s.address);
	sample_json_analog(&w, &s);
	sample_json_status(&w, &s);
	sample_json_product(&w, &s);
	jw_obj_end(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *args[FZ_ARGS];
	uint8_t buf[WATT_FRAME_MAX];
	long lens[FZ_ARGS];
	int nargs = 0;
	struct wc_reasm r;

	if (!fz_null) {
		fz_null = fopen("/dev/null", "w");
		if (!fz_null)
			abort();
	}
	/* argv strings end at their first NUL: so does each argument here */
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *p = text; p && nargs < FZ_ARGS;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		args[nargs++] = p;
		/* a final newline ends the last argument, starts none */
		p = nl && nl[1] ? nl + 1 : NULL;
	}
	for (int i = 0; i < nargs; i++) {
		char err[96] = "";

		lens[i] = cli_parse_hex(args[i], buf, sizeof(buf), err,
					sizeof(err));
		if (lens[i] < 0) {
			CHECK(err[0] != '\0' &&
			      memchr(err, '\0', sizeof(err)) != NULL);
			free(text);
			return 0;
		}
		CHECK(lens[i] >= 1 && lens[i] <= (long)sizeof(buf));
	}
	wc_reasm_init_fmt(&r, &watt_frame_fmt, WATT_REASM_STALE_MS, fz_frame,
			  NULL);
	for (int i = 0; i < nargs; i++) {
		char err[96];
		long n = cli_parse_hex(args[i], buf, sizeof(buf), err,
				       sizeof(err));

		CHECK(n == lens[i]);
		wc_reasm_push(&r, buf, (size_t)n, 0);
	}
	(void)wc_reasm_busy(&r);
	free(text);
	return 0;
}
