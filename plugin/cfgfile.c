/* SPDX-License-Identifier: GPL-2.0-or-later */
/* See cfgfile.h for why libconfig never reads a file itself here. */
#include "cfgfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The whole file into a NUL-terminated buffer, or NULL with err set. */
static char *slurp(const char *path, const char *cannot_open, char *err,
		   size_t errlen)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s: %s", path, cannot_open,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s: %s", path, cannot_open,
			 strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file%s", path,
			 S_ISDIR(st.st_mode) ? " (a directory)" : "");
		close(fd);
		return NULL;
	}
	if (st.st_size > WC_CFGFILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d KiB", path,
			 WC_CFGFILE_MAX / 1024);
		close(fd);
		return NULL;
	}
	/* one byte more than the limit tells a file that grew meanwhile */
	buf = malloc(WC_CFGFILE_MAX + 2);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, WC_CFGFILE_MAX + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s: %s", path, cannot_open,
				 strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > WC_CFGFILE_MAX) {
			snprintf(err, errlen, "%s: larger than %d KiB", path,
				 WC_CFGFILE_MAX / 1024);
			free(buf);
			close(fd);
			return NULL;
		}
	}
	close(fd);
	buf[got] = '\0';
	/* a NUL inside would silently cut the file short */
	if (memchr(buf, '\0', got)) {
		unsigned line = 1;

		for (const char *p = buf; *p; p++)
			line += *p == '\n';
		snprintf(err, errlen, "%s:%u: NUL byte in the file", path, line);
		free(buf);
		return NULL;
	}
	return buf;
}

/* libconfig takes "@include" at the start of a line, after blanks; an
 * included file would be read by libconfig itself. */
static unsigned find_include(const char *s)
{
	unsigned line = 1;

	for (const char *p = s; *p; line++) {
		const char *nl = strchr(p, '\n');

		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) == 0)
			return line;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

bool wc_cfgfile_read(config_t *cf, const char *path, const char *cannot_open,
		     char *err, size_t errlen)
{
	unsigned line;
	char *text;
	bool ok;

	text = slurp(path, cannot_open, err, errlen);
	if (!text)
		return false;
	line = find_include(text);
	if (line) {
		snprintf(err, errlen,
			 "%s:%u: @include is not supported (one file holds "
			 "everything)", path, line);
		free(text);
		return false;
	}
	ok = config_read_string(cf, text) == CONFIG_TRUE;
	if (!ok)
		snprintf(err, errlen, "%s:%d: %s", path, config_error_line(cf),
			 config_error_text(cf));
	free(text);
	return ok;
}
