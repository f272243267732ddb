/* wattcycle decode HEX... — reassemble notification fragments given as hex
 * and print each decoded frame as one JSON object per line. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sample_json.h"
#include "watt.h"
#include "watt_reasm.h"

struct decode_state {
	int frames;
	int errors;
};

static void print_frame(const uint8_t *frame, size_t len,
			struct decode_state *st)
{
	struct wc_sample s;
	struct wc_diag d = { WC_OK, 0, 0 };
	uint16_t dp = 0;
	char msg[160], dpname[8];
	struct jw w;

	memset(&s, 0, sizeof(s));
	if (watt_decode(frame, len, &s, &dp, &d) != WC_OK) {
		cli_err("decode: %s", wc_diag_format(&d, msg, sizeof(msg)));
		st->errors++;
		return;
	}
	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "dp", sample_json_dp_name(dp, dpname, sizeof(dpname)));
	jw_int(&w, "version", s.version);
	jw_int(&w, "address", s.address);
	sample_json_analog(&w, &s);
	sample_json_warning(&w, &s);
	sample_json_product(&w, &s);
	jw_obj_end(&w);
	fputc('\n', stdout);
	st->frames++;
}

static void on_frame(void *user, enum wc_err err, const uint8_t *frame,
		     size_t len, const struct wc_diag *d)
{
	struct decode_state *st = user;
	char msg[160];

	if (err == WC_OK) {
		print_frame(frame, len, st);
		return;
	}
	cli_err("decode: %s", wc_diag_format(d, msg, sizeof(msg)));
	st->errors++;
}

static int run_decode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct decode_state st = { 0, 0 };
	struct watt_reasm r;
	uint8_t buf[WATT_FRAME_MAX];
	char err[96];
	int c;

	optind = 1;
	opterr = 0; /* our own one-line message below */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_usage(&cli_cmd_decode);
			return EXIT_OK;
		case ':':
			return cli_usage_error(&cli_cmd_decode, "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error(&cli_cmd_decode, "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_decode,
				       "no frame given (one hex argument per notification)");

	/* Parse every argument before decoding, so bad input prints no
	 * partial output. */
	for (int i = optind; i < argc; i++)
		if (cli_parse_hex(argv[i], buf, sizeof(buf), err, sizeof(err)) < 0)
			return cli_usage_error(&cli_cmd_decode,
					       "argument %d: %s", i - optind + 1,
					       err);

	/* All fragments arrive "at once": the stale deadline plays no part. */
	watt_reasm_init(&r, WATT_REASM_STALE_MS, on_frame, &st);
	for (int i = optind; i < argc; i++) {
		long n = cli_parse_hex(argv[i], buf, sizeof(buf), err,
				       sizeof(err));

		watt_reasm_push(&r, buf, (size_t)n, 0);
	}
	if (watt_reasm_busy(&r)) {
		struct wc_diag d = { WC_E_INCOMPLETE,
				     (uint32_t)watt_reasm_have(&r),
				     (uint32_t)watt_reasm_need(&r) };

		if (d.b == 0)
			d.b = WATT_HEADER_LEN; /* length not even known yet */
		cli_err("decode: %s", wc_diag_format(&d, err, sizeof(err)));
		st.errors++;
	}
	return st.errors ? EXIT_FAIL : EXIT_OK;
}

const struct cli_cmd cli_cmd_decode = {
	.name = "decode",
	.summary = "decode WATT/TDT frames given as hex notification fragments",
	.usage =
	"Usage: wattcycle decode HEX...\n"
	"\n"
	"Reassemble one or more BLE notification fragments (one argument each)\n"
	"into WATT/TDT response frames and print every frame as one JSON object\n"
	"per line (0x8C live data, 0x8D status and alarms, 0x92 product info).\n"
	"Bytes are two hex digits each; spaces and colons may separate them.\n"
	"\n"
	"Examples:\n"
	"  wattcycle decode '7E 00 01 03 00 8D 00 18 04 00 00 00 00 04 00 00 00 00'\\\n"
	"                   '00 00 00 00 00 00 06 01 00 00 18 00 00 00 1F 91 0D'\n"
	"  wattcycle decode 7e:00:01:03:00:92:00:3c:...\n"
	"\n"
	"Exit status: 0 every frame decoded; 1 a frame is bad (CRC, length,\n"
	"terminator, counts...) or incomplete, with one line on stderr naming\n"
	"what is wrong; 2 usage error (including text that is not hex).\n",
	.run = run_decode,
};
