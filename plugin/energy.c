/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Energy counters and their state file: see energy.h. */
#include "energy.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENERGY_MAGIC "wattcycle-energy 1"
#define ENERGY_FILE_MAX 256
/* A total beyond this is no battery's: a corrupt file. */
#define ENERGY_WH_MAX 1e12

void wc_energy_add(struct wc_energy *e, double power_w, uint64_t t_ms,
		   uint64_t max_gap_ms)
{
	if (!isfinite(power_w))
		return;
	if (e->have_prev && t_ms > e->prev_ms &&
	    t_ms - e->prev_ms <= max_gap_ms) {
		double wh = (e->prev_w + power_w) / 2.0 *
			    (double)(t_ms - e->prev_ms) / 3600000.0;

		if (wh > 0)
			e->charged_wh += wh;
		else
			e->discharged_wh -= wh;
	}
	e->have_prev = true;
	e->prev_w = power_w;
	e->prev_ms = t_ms;
}

void wc_energy_gap(struct wc_energy *e)
{
	e->have_prev = false;
}

/* One "key number" line at *p; advances past it. */
static int parse_line(const char **p, const char *end, const char *key,
		      double *out)
{
	char buf[96], *stop;
	size_t klen = strlen(key), n = 0;
	const char *s = *p;

	while (s + n < end && s[n] != '\n' && n < sizeof(buf) - 1)
		n++;
	if (s + n < end && s[n] != '\n')
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strncmp(buf, key, klen) != 0 || buf[klen] != ' ')
		return -1;
	errno = 0;
	*out = strtod(buf + klen + 1, &stop);
	if (errno || stop == buf + klen + 1 || *stop != '\0' ||
	    !isfinite(*out) || *out < 0 || *out > ENERGY_WH_MAX)
		return -1;
	*p = s + n + (s + n < end);
	return 0;
}

int wc_energy_parse(const char *text, size_t len, struct wc_energy *e,
		    char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	size_t ml = strlen(ENERGY_MAGIC);
	double c, d;

	memset(e, 0, sizeof(*e));
	if (len < ml + 1 || memcmp(text, ENERGY_MAGIC, ml) != 0 ||
	    text[ml] != '\n') {
		snprintf(err, errlen, "does not start with \"%s\"",
			 ENERGY_MAGIC);
		return -1;
	}
	p += ml + 1;
	if (parse_line(&p, end, "charged_wh", &c) != 0 ||
	    parse_line(&p, end, "discharged_wh", &d) != 0) {
		snprintf(err, errlen, "expected the lines \"charged_wh N\" and "
			 "\"discharged_wh N\" (N a number of watt-hours, 0 "
			 "or more)");
		return -1;
	}
	if (p != end) {
		snprintf(err, errlen, "unexpected text after discharged_wh");
		return -1;
	}
	e->charged_wh = c;
	e->discharged_wh = d;
	return 0;
}

int wc_energy_format(const struct wc_energy *e, char *out, size_t cap)
{
	int n = snprintf(out, cap, ENERGY_MAGIC "\ncharged_wh %.6f\n"
			 "discharged_wh %.6f\n", e->charged_wh,
			 e->discharged_wh);

	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int wc_energy_load(struct wc_energy *e, const char *path, char *err,
		   size_t errlen)
{
	char buf[ENERGY_FILE_MAX + 1], why[160];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(e, 0, sizeof(*e));
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > ENERGY_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path,
			 n < 0 ? strerror(errno) : "larger than a state file");
		return -1;
	}
	if (wc_energy_parse(buf, (size_t)n, e, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: not an energy state file: %s", path,
			 why);
		return -1;
	}
	return 0;
}

int wc_energy_save(const struct wc_energy *e, const char *path, char *err,
		   size_t errlen)
{
	char buf[ENERGY_FILE_MAX], tmp[4096];
	int n = wc_energy_format(e, buf, sizeof(buf));
	int fd;

	if (n < 0 || snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path or values too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot write: %s", tmp,
			 strerror(errno));
		return -1;
	}
	if (write(fd, buf, (size_t)n) != n || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", tmp,
			 strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: cannot replace: %s", path,
			 strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
