/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the plugin's configuration handling: the collectd
 * glue (plugin/wattcycle.c, #included to reach its config callback) with
 * the fake daemon of the unit tests (tests/unit/fake_collectd.c), fed an
 * oconfig_item_t tree built from the input.
 *
 * The input is read as collectd's configuration syntax, loosely, so that
 * the seeds are readable and mutations stay meaningful:
 *   Key value...            an option; "text" is a string, true/false a
 *                           boolean, anything strtod takes whole a number,
 *                           any other word a string (as collectd's
 *                           unquoted strings)
 *   <Key value...> ... </x> a block (nesting up to FZ_DEPTH)
 *   ---                     ends one <Plugin wattcycle> block, starts the
 *                           next (blocks accumulate across config calls)
 * Numbers are kept to |x| <= 1e9: converting larger ones is the daemon's
 * own cf_util_get_* (a double to int / cdtime_t cast), not the plugin's.
 *
 * Each run: every block through wc_config, then the registered read
 * contexts freed as collectd frees them (free_func) and wc_shutdown, so
 * that LeakSanitizer sees any battery, name or string left behind.
 * Invariants: a block registers at most one read per child, and all of
 * them when it is accepted; every registered read is "wattcycle/<name>"
 * with a valid name, an address, a poll session and a Timeout below the
 * Interval unless KeepConnected. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../plugin/wattcycle.c"
#include "../unit/fake_collectd.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

#define FZ_DEPTH 4
#define FZ_CHILDREN 64
#define FZ_VALUES 8
#define FZ_BLOCKS 8

static void fz_free_item(oconfig_item_t *it)
{
	for (int i = 0; i < it->values_num; i++)
		if (it->values[i].type == OCONFIG_TYPE_STRING)
			free(it->values[i].value.string);
	free(it->values);
	for (int i = 0; i < it->children_num; i++)
		fz_free_item(&it->children[i]);
	free(it->children);
	free(it->key);
}

static char *fz_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* One value from the word w[0..n). */
static void fz_value(oconfig_value_t *v, const char *w, size_t n, bool quoted)
{
	char *end = NULL, *tmp;
	double x;

	if (!quoted && n == 4 && strncasecmp(w, "true", 4) == 0) {
		v->type = OCONFIG_TYPE_BOOLEAN;
		v->value.boolean = 1;
		return;
	}
	if (!quoted && n == 5 && strncasecmp(w, "false", 5) == 0) {
		v->type = OCONFIG_TYPE_BOOLEAN;
		v->value.boolean = 0;
		return;
	}
	tmp = fz_strndup(w, n);
	if (!quoted && n > 0) {
		x = strtod(tmp, &end);
		if (end && *end == '\0' && isfinite(x) && fabs(x) <= 1e9) {
			free(tmp);
			v->type = OCONFIG_TYPE_NUMBER;
			v->value.number = x;
			return;
		}
	}
	v->type = OCONFIG_TYPE_STRING;
	v->value.string = tmp;
}

/* Key and values of one line s[0..n) (without '<' '>'), into it. */
static void fz_line(oconfig_item_t *it, const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	k = i;
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	it->key = fz_strndup(s + k, i - k);
	it->values = calloc(FZ_VALUES, sizeof(*it->values));
	if (!it->values)
		abort();
	while (i < n && it->values_num < FZ_VALUES) {
		size_t w;
		bool quoted = false;

		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= n)
			break;
		if (s[i] == '"') {
			quoted = true;
			w = ++i;
			while (i < n && s[i] != '"')
				i++;
			fz_value(&it->values[it->values_num++], s + w, i - w, true);
			if (i < n)
				i++;
			continue;
		}
		w = i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		fz_value(&it->values[it->values_num++], s + w, i - w, quoted);
	}
}

/* Builds the children of parent from the lines at *pos up to the closing
 * tag or the end of the block (a "---" line or the end of the input). */
static void fz_children(oconfig_item_t *parent, const char *s, size_t n,
			size_t *pos, int depth)
{
	parent->children = calloc(FZ_CHILDREN, sizeof(*parent->children));
	if (!parent->children)
		abort();
	while (*pos < n) {
		size_t a = *pos, b = a, e;
		const char *nl = memchr(s + a, '\n', n - a);

		e = nl ? (size_t)(nl - s) : n;
		*pos = nl ? e + 1 : n;
		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		if (b == e || s[b] == '#')
			continue;
		if (e - b == 3 && memcmp(s + b, "---", 3) == 0) {
			*pos = a; /* the caller sees the separator */
			return;
		}
		if (s[b] == '<' && b + 1 < e && s[b + 1] == '/') {
			if (depth > 0)
				return;
			continue; /* a stray closing tag at the top */
		}
		if (parent->children_num >= FZ_CHILDREN)
			continue;
		{
			oconfig_item_t *c = &parent->children[parent->children_num++];
			size_t end = e;

			c->parent = parent;
			if (s[b] == '<') {
				b++;
				if (end > b && s[end - 1] == '>')
					end--;
				fz_line(c, s + b, end - b);
				if (depth + 1 < FZ_DEPTH)
					fz_children(c, s, n, pos, depth + 1);
			} else {
				fz_line(c, s + b, end - b);
			}
		}
	}
}

static bool fz_name_ok(const char *cb)
{
	const char *name = cb + strlen(WC_PLUGIN "/");

	return strncmp(cb, WC_PLUGIN "/", strlen(WC_PLUGIN "/")) == 0 &&
	       wc_name_valid(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t pos = 0;
	int blocks = 0;

	fake_reset();
	while (pos < size && blocks++ < FZ_BLOCKS) {
		oconfig_item_t root;
		oconfig_value_t name = { .value.string = (char *)"wattcycle",
					 .type = OCONFIG_TYPE_STRING };
		size_t before = fake.reads_num;
		size_t nbat, ninv;
		int rc;

		memset(&root, 0, sizeof(root));
		root.key = (char *)"Plugin";
		root.values = &name;
		root.values_num = 1;
		fz_children(&root, s, size, &pos, 0);
		rc = wc_config(&root);
		/* one read callback per <Battery>; MaxLinks registers none,
		 * an Inventory as many as its file holds */
		nbat = ninv = 0;
		for (int i = 0; i < root.children_num; i++) {
			nbat += root.children[i].key &&
				strcasecmp(root.children[i].key, "Battery") == 0;
			ninv += root.children[i].key &&
				strcasecmp(root.children[i].key, "Inventory") == 0;
		}
		for (int i = 0; i < root.children_num; i++)
			fz_free_item(&root.children[i]);
		free(root.children);
		/* a failed block may still have registered its good batteries
		 * (each <Battery> stands alone), never more than it holds */
		if (ninv == 0)
			CHECK(fake.reads_num - before <= nbat);
		if (rc == 0 && ninv == 0)
			CHECK(fake.reads_num - before == nbat);
		/* skip the "---" separator line */
		if (pos < size) {
			const char *nl = memchr(s + pos, '\n', size - pos);

			pos = nl ? (size_t)(nl - s) + 1 : size;
		}
	}
	for (size_t i = 0; i < fake.reads_num; i++) {
		const struct wc_battery *b = fake.reads[i].ud.data;

		CHECK(fz_name_ok(fake.reads[i].name));
		CHECK(b && b->address && b->poll && b->interval > 0);
		CHECK(b->timeout > 0 &&
		      (b->timeout < b->interval || b->keep_connected));
	}
	fake_free_reads();
	fake_clear_records();
	wc_shutdown();
	return 0;
}
