/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The inventory reader: see inventory.h. */
#include "inventory.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfgfile.h"
#include "connparam.h"
#include "link_addr.h"

struct ctx {
	const char *path;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static bool fail(struct ctx *c, const config_setting_t *s, const char *fmt,
		 ...)
{
	char why[WC_INVENTORY_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%u: %s", c->path,
		 s ? config_setting_source_line(s) : 0u, why);
	return false;
}

bool wc_inventory_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= WC_BANK_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static bool get_string(struct ctx *c, const config_setting_t *s,
		       const char *what, const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(c, s, "%s: %s: expects a string in double quotes",
			    what, config_setting_name(s));
	*out = config_setting_get_string(s);
	return true;
}

static bool get_number(struct ctx *c, const config_setting_t *s,
		       const char *what, double min, double max, double *out)
{
	int t = config_setting_type(s);
	double v;

	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
		v = (double)config_setting_get_int64(s);
	else if (t == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else
		return fail(c, s, "%s: %s: expects a number", what,
			    config_setting_name(s));
	if (!(v >= min && v <= max))
		return fail(c, s, "%s: %s: %g is out of range (%g to %g)",
			    what, config_setting_name(s), v, min, max);
	*out = v;
	return true;
}

static bool get_bool(struct ctx *c, const config_setting_t *s,
		     const char *what, int *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(c, s, "%s: %s: expects true or false", what,
			    config_setting_name(s));
	*out = config_setting_get_bool(s) ? 1 : 0;
	return true;
}

static bool dup_string(struct ctx *c, const config_setting_t *s,
		       const char *what, char **out)
{
	const char *v = NULL;

	if (!get_string(c, s, what, &v))
		return false;
	free(*out);
	*out = strdup(v);
	if (!*out)
		return fail(c, s, "%s: out of memory", what);
	return true;
}

/* The name of a battery or bank group: present, valid, returned. */
static bool group_name(struct ctx *c, const config_setting_t *g,
		       const char *kind, char *out)
{
	const config_setting_t *n = config_setting_get_member(g, "name");
	const char *v = NULL;

	if (!config_setting_is_group(g))
		return fail(c, g, "%s: each entry must be a group { name = "
			    "\"...\"; ... }", kind);
	if (!n)
		return fail(c, g, "%s: missing name = \"...\"", kind);
	if (!get_string(c, n, kind, &v))
		return false;
	if (!wc_inventory_name_valid(v))
		return fail(c, n, "%s \"%s\": the name must be 1 to %d "
			    "letters, digits, '_' or '-'", kind, v,
			    WC_BANK_NAME_MAX - 1);
	snprintf(out, WC_BANK_NAME_MAX, "%s", v);
	return true;
}

static bool read_battery(struct ctx *c, const config_setting_t *g,
			 struct wc_inv_battery *b)
{
	int n = config_setting_length(g);

	b->line = config_setting_source_line(g);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *k = config_setting_name(s);
		double d;

		if (strcmp(k, "name") == 0)
			continue;
		if (strcmp(k, "address") == 0) {
			struct wc_link_addr a;
			char why[256] = "";

			if (!dup_string(c, s, b->name, &b->address))
				return false;
			if (wc_link_parse_address(b->address, &a, why,
						  sizeof(why)) != WC_OK)
				return fail(c, s, "%s: address: \"%s\" is not "
					    "valid: %s", b->name, b->address,
					    why);
		} else if (strcmp(k, "address_type") == 0) {
			enum wc_addr_type t;

			if (!dup_string(c, s, b->name, &b->address_type))
				return false;
			if (!wc_addr_type_parse(b->address_type, &t))
				return fail(c, s, "%s: address_type: \"%s\" is "
					    "not one of auto, public, random",
					    b->name, b->address_type);
		} else if (strcmp(k, "adapter") == 0) {
			if (!dup_string(c, s, b->name, &b->adapter))
				return false;
		} else if (strcmp(k, "interval") == 0) {
			if (!get_number(c, s, b->name, 0.001, 86400, &b->interval_s))
				return false;
		} else if (strcmp(k, "timeout") == 0) {
			if (!get_number(c, s, b->name, 0.001, 3600, &b->timeout_s))
				return false;
		} else if (strcmp(k, "keep_connected") == 0) {
			if (!get_bool(c, s, b->name, &b->keep_connected))
				return false;
		} else if (strcmp(k, "report_cells") == 0) {
			if (!get_bool(c, s, b->name, &b->report_cells))
				return false;
		} else if (strcmp(k, "report_alarm_values") == 0) {
			if (!get_bool(c, s, b->name, &b->report_alarm_values))
				return false;
		} else if (strcmp(k, "supervision_timeout") == 0) {
			char why[128];

			if (!get_number(c, s, b->name, WC_SUPERVISION_MIN_MS,
					WC_SUPERVISION_MAX_MS, &d))
				return false;
			if (!wc_supervision_valid(d, why, sizeof(why)))
				return fail(c, s, "%s: supervision_timeout: %s",
					    b->name, why);
			b->supervision_ms = d;
		} else if (strcmp(k, "offline_after") == 0) {
			if (!get_number(c, s, b->name, 1, 1000000, &d))
				return false;
			if (d != (double)(long)d)
				return fail(c, s, "%s: offline_after: expects a "
					    "whole number of polls", b->name);
			b->offline_after = (int)d;
		} else {
			return fail(c, s, "%s: %s: unknown key (known: name, "
				    "address, address_type, adapter, "
				    "interval, timeout, keep_connected, "
				    "supervision_timeout, report_cells, "
				    "report_alarm_values, offline_after)",
				    b->name, k);
		}
	}
	if (!b->address)
		return fail(c, g, "%s: address: missing (e.g. address = "
			    "\"C0:D6:3C:52:E4:D9\" or \"unix:/path/to.sock\")",
			    b->name);
	return true;
}

/* Whether name is a battery: the inventory's first n or a known one. */
static bool is_battery(const struct wc_inventory *inv, size_t n,
		       const char *const *known, size_t n_known,
		       const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(inv->batteries[i].name, name) == 0)
			return true;
	for (size_t i = 0; i < n_known; i++)
		if (strcmp(known[i], name) == 0)
			return true;
	return false;
}

/* Where a battery already sits in some bank: the bank's name, or NULL. */
static const char *bank_of(const struct wc_inventory *inv, size_t n_banks,
			   const struct wc_bank_def *cur, const char *name)
{
	for (size_t k = 0; k <= n_banks; k++) {
		const struct wc_bank_def *d = k < n_banks ? &inv->banks[k] : cur;

		for (unsigned i = 0; i < d->n_strings; i++)
			for (unsigned j = 0; j < d->n_series[i]; j++)
				if (strcmp(d->member[i][j], name) == 0)
					return d->name;
	}
	return NULL;
}

static bool read_bank(struct ctx *c, struct wc_inventory *inv,
		      const config_setting_t *g, const char *const *known,
		      size_t n_known, struct wc_bank_def *d)
{
	int n = config_setting_length(g);
	const config_setting_t *strings = NULL;

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *k = config_setting_name(s);

		if (strcmp(k, "name") == 0)
			continue;
		if (strcmp(k, "strings") == 0)
			strings = s;
		else if (strcmp(k, "soc_spread_warn") == 0) {
			if (!get_number(c, s, d->name, 0, 100, &d->soc_spread_warn))
				return false;
		} else if (strcmp(k, "share_warn") == 0) {
			if (!get_number(c, s, d->name, 0, 100, &d->share_warn))
				return false;
		} else
			return fail(c, s, "bank %s: %s: unknown key (known: "
				    "name, strings, soc_spread_warn, "
				    "share_warn)", d->name, k);
	}
	if (!strings)
		return fail(c, g, "bank %s: strings: missing (e.g. strings = "
			    "( [\"bank1\", \"bank2\"] );)", d->name);
	if (!config_setting_is_list(strings) || config_setting_length(strings) < 1 ||
	    config_setting_length(strings) > WC_BANK_MAX_STRINGS)
		return fail(c, strings, "bank %s: strings: expects a list ( ... ) "
			    "of 1 to %d strings, each an array [ ... ] of battery "
			    "names", d->name, WC_BANK_MAX_STRINGS);
	d->n_strings = (unsigned)config_setting_length(strings);
	for (unsigned i = 0; i < d->n_strings; i++) {
		const config_setting_t *a = config_setting_get_elem(strings, i);
		int m = config_setting_length(a);

		if (!config_setting_is_array(a) || m < 1 ||
		    m > WC_BANK_MAX_SERIES)
			return fail(c, a, "bank %s: string %u: expects an array "
				    "[ ... ] of 1 to %d battery names in series",
				    d->name, i + 1, WC_BANK_MAX_SERIES);
		for (int j = 0; j < m; j++) {
			const config_setting_t *e =
				config_setting_get_elem(a, (unsigned)j);
			const char *name, *other;

			if (config_setting_type(e) != CONFIG_TYPE_STRING)
				return fail(c, e, "bank %s: string %u: expects "
					    "battery names in double quotes",
					    d->name, i + 1);
			name = config_setting_get_string(e);
			if (!is_battery(inv, inv->n_batteries, known, n_known,
					name))
				return fail(c, e, "bank %s: \"%s\" is no "
					    "battery (not in batteries nor "
					    "configured before)", d->name, name);
			other = bank_of(inv, inv->n_banks, d, name);
			if (other)
				return fail(c, e, "bank %s: battery \"%s\" is "
					    "already in bank %s (a battery "
					    "belongs to one bank, once)",
					    d->name, name, other);
			snprintf(d->member[i][j], WC_BANK_NAME_MAX, "%s", name);
			d->n_series[i] = (unsigned)j + 1;
		}
	}
	return true;
}

/* Whether name is still free; false with the error when it is taken. */
static bool name_free(struct ctx *c, const struct wc_inventory *inv,
		       const config_setting_t *g, const char *kind,
		       const char *name, const char *const *known,
		       size_t n_known)
{
	for (size_t i = 0; i < inv->n_batteries; i++)
		if (strcasecmp(inv->batteries[i].name, name) == 0)
			return fail(c, g, "%s \"%s\": the name is already taken "
				    "by battery %s at line %d (names are "
				    "unique, ignoring case)", kind, name,
				    inv->batteries[i].name,
				    inv->batteries[i].line);
	for (size_t i = 0; i < inv->n_banks; i++)
		if (strcasecmp(inv->banks[i].name, name) == 0)
			return fail(c, g, "%s \"%s\": the name is already taken "
				    "by bank %s at line %d (names are unique, "
				    "ignoring case)", kind, name,
				    inv->banks[i].name, inv->bank_line[i]);
	for (size_t i = 0; i < n_known; i++)
		if (strcasecmp(known[i], name) == 0)
			return fail(c, g, "%s \"%s\": the name is already taken "
				    "by a <Battery \"%s\"> block (names are "
				    "unique, ignoring case)", kind, name,
				    known[i]);
	return true;
}

static bool read_all(struct ctx *c, config_t *cfg, struct wc_inventory *inv,
		     const char *const *known, size_t n_known)
{
	config_setting_t *root = config_root_setting(cfg);
	const config_setting_t *bl = config_setting_get_member(root, "batteries");
	const config_setting_t *bk = config_setting_get_member(root, "banks");
	int n;

	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *k = config_setting_name(s);

		if (strcmp(k, "batteries") != 0 && strcmp(k, "banks") != 0)
			return fail(c, s, "%s: unknown key (known: batteries, "
				    "banks)", k);
	}
	if (bl) {
		if (!config_setting_is_list(bl))
			return fail(c, bl, "batteries: expects a list ( { ... }, "
				    "... )");
		n = config_setting_length(bl);
		inv->batteries = calloc((size_t)n + 1, sizeof(*inv->batteries));
		if (!inv->batteries)
			return fail(c, bl, "out of memory");
		for (int i = 0; i < n; i++) {
			const config_setting_t *g = config_setting_get_elem(bl, (unsigned)i);
			struct wc_inv_battery *b = &inv->batteries[inv->n_batteries];

			b->keep_connected = b->report_cells = -1;
			b->report_alarm_values = -1;
			if (!group_name(c, g, "battery", b->name) ||
			    !name_free(c, inv, g, "battery", b->name, known,
				       n_known))
				return false;
			inv->n_batteries++;
			if (!read_battery(c, g, b))
				return false;
		}
	}
	if (bk) {
		if (!config_setting_is_list(bk))
			return fail(c, bk, "banks: expects a list ( { ... }, ... )");
		n = config_setting_length(bk);
		inv->banks = calloc((size_t)n + 1, sizeof(*inv->banks));
		inv->bank_line = calloc((size_t)n + 1, sizeof(*inv->bank_line));
		if (!inv->banks || !inv->bank_line)
			return fail(c, bk, "out of memory");
		for (int i = 0; i < n; i++) {
			const config_setting_t *g = config_setting_get_elem(bk, (unsigned)i);
			struct wc_bank_def *d = &inv->banks[inv->n_banks];

			if (!group_name(c, g, "bank", d->name) ||
			    !name_free(c, inv, g, "bank", d->name, known,
				       n_known) ||
			    !read_bank(c, inv, g, known, n_known, d))
				return false;
			inv->bank_line[inv->n_banks++] =
				config_setting_source_line(g);
		}
	}
	return true;
}

struct wc_inventory *wc_inventory_load(const char *path,
				       const char *const *known,
				       size_t n_known, char *err,
				       size_t errlen)
{
	struct ctx c = { .path = path, .err = err, .errlen = errlen };
	struct wc_inventory *inv;
	config_t cfg;

	err[0] = '\0';
	config_init(&cfg);
	if (!wc_cfgfile_read(&cfg, path, "cannot open the inventory", err,
			     errlen)) {
		config_destroy(&cfg);
		return NULL;
	}
	inv = calloc(1, sizeof(*inv));
	if (!inv || !(inv->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(inv);
		config_destroy(&cfg);
		return NULL;
	}
	if (!read_all(&c, &cfg, inv, known, n_known)) {
		config_destroy(&cfg);
		wc_inventory_free(inv);
		return NULL;
	}
	config_destroy(&cfg);
	return inv;
}

void wc_inventory_free(struct wc_inventory *inv)
{
	if (!inv)
		return;
	for (size_t i = 0; i < inv->n_batteries; i++) {
		free(inv->batteries[i].address);
		free(inv->batteries[i].address_type);
		free(inv->batteries[i].adapter);
	}
	free(inv->batteries);
	free(inv->banks);
	free(inv->bank_line);
	free(inv->path);
	free(inv);
}

const struct wc_inv_battery *wc_inventory_battery(const struct wc_inventory *inv,
						  const char *name)
{
	for (size_t i = 0; inv && i < inv->n_batteries; i++)
		if (strcmp(inv->batteries[i].name, name) == 0)
			return &inv->batteries[i];
	return NULL;
}

const struct wc_bank_def *wc_inventory_bank(const struct wc_inventory *inv,
					    const char *name)
{
	for (size_t i = 0; inv && i < inv->n_banks; i++)
		if (strcmp(inv->banks[i].name, name) == 0)
			return &inv->banks[i];
	return NULL;
}

const char *wc_inventory_path(const char *option)
{
	const char *env = getenv(WC_INVENTORY_ENV);

	if (option && option[0])
		return option;
	if (env && env[0])
		return env;
	return WC_INVENTORY_DEFAULT;
}
