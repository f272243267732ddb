/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a libconfig file without handing libconfig a way to end the
 * process.
 *
 * libconfig 1.5's flex scanner calls exit() when its input read fails: a
 * directory given as the file, a read error mid-file, or an `@include` of
 * either.  Inside collectd that would take the whole daemon down with one
 * wrong path in a config.  So the file is read here (a regular file, at most
 * WC_CFGFILE_MAX bytes, no NUL byte, no @include directive) and libconfig
 * only ever parses a string. */
#ifndef WC_CFGFILE_H
#define WC_CFGFILE_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

/* Larger files are refused: an inventory or scenario is a few KiB. */
#define WC_CFGFILE_MAX (1024 * 1024)

/* Read path into cf (config_init'ed by the caller).  On failure false and
 * err holds one line that starts with path (and the line number where
 * there is one): "PATH: <cannot_open>: <strerror>" when it cannot be
 * opened or read, "PATH: not a regular file", "PATH: larger than 1 MiB",
 * "PATH:LINE: NUL byte", "PATH:LINE: @include is not supported",
 * "PATH:LINE: <libconfig's parse error>". */
bool wc_cfgfile_read(config_t *cf, const char *path, const char *cannot_open,
		     char *err, size_t errlen);

#endif
