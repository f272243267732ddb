/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bytes.h"
#include "cli.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("wattcycle: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wattcycle: %s: ", cmd ? cmd->name : "usage");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, "Try 'wattcycle help%s%s'.\n", cmd ? " " : "",
		cmd ? cmd->name : "");
	return EXIT_USAGE;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

long cli_parse_hex(const char *text, uint8_t *out, size_t cap, char *err,
		   size_t errlen)
{
	size_t n = 0;
	int hi = -1;
	size_t i;

	for (i = 0; text[i]; i++) {
		int c = (unsigned char)text[i];
		int v;

		if (c == ' ' || c == '\t' || c == ':') {
			if (hi >= 0) {
				snprintf(err, errlen,
					 "lone hex digit before position %zu",
					 i + 1);
				return -1;
			}
			continue;
		}
		v = hex_digit((char)c);
		if (v < 0) {
			if (isprint(c))
				snprintf(err, errlen,
					 "'%c' at position %zu is not a hex digit",
					 c, i + 1);
			else
				snprintf(err, errlen,
					 "byte 0x%02X at position %zu is not a hex digit",
					 (unsigned)c, i + 1);
			return -1;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap) {
			snprintf(err, errlen, "more than %zu bytes", cap);
			return -1;
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		snprintf(err, errlen, "odd number of hex digits");
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "no bytes");
		return -1;
	}
	return (long)n;
}
