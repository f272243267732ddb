/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A fake of the collectd 5.12 daemon API that plugin/wattcycle.c uses,
 * written from the signatures in /usr/include/collectd (not from
 * collectd's plugin_mock.c).  #included by tests/unit/test_glue.c after
 * the collectd headers.
 *
 * Faithful where it matters for the glue:
 *  - registrations are stored; a read name already registered or longer
 *    than 127 bytes is refused with EINVAL, and the user data is freed
 *    then, as 5.12's plugin.c does;
 *  - the context interval is the callback's own interval while it runs;
 *  - cf_util_get_* check the value count and type as the daemon's do and
 *    log an error naming the key;
 *  - every dispatched value list is deep-copied and checked against
 *    /usr/share/collectd/types.db (type known, values_len = its number of
 *    data sources) — the daemon itself only logs that at INFO;
 *  - notifications are deep-copied with their meta;
 *  - c_complain/c_do_release follow the documented back-off: report,
 *    then wait an interval that doubles on every report, up to a day.
 * Time is a fake clock the test moves. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FAKE_MAX_READS 16
#define FAKE_MAX_VALUES 1024
#define FAKE_MAX_NOTIFS 128
#define FAKE_MAX_LOGS 256
#define FAKE_MAX_META 8
#define FAKE_TYPES_DB "/usr/share/collectd/types.db"

char *hostname_g = "testhost";

struct fake_read {
	char group[DATA_MAX_NAME_LEN];
	char name[DATA_MAX_NAME_LEN];
	plugin_read_cb cb;
	cdtime_t interval;
	user_data_t ud;
};

struct fake_value {
	value_list_t vl;  /* values points at v */
	value_t v[4];
	int types_ok;     /* the type exists with values_len sources */
};

struct fake_notif {
	notification_t n; /* meta is NULL; see below */
	size_t meta_num;
	char meta_name[FAKE_MAX_META][DATA_MAX_NAME_LEN];
	char meta_value[FAKE_MAX_META][256];
};

struct fake_log {
	int level;
	char msg[1024];
};

static struct {
	int (*config_cb)(oconfig_item_t *);
	char config_name[DATA_MAX_NAME_LEN];
	int (*init_cb)(void);
	char init_name[DATA_MAX_NAME_LEN];
	int (*shutdown_cb)(void);
	char shutdown_name[DATA_MAX_NAME_LEN];
	struct fake_read reads[FAKE_MAX_READS];
	size_t reads_num;
	struct fake_value values[FAKE_MAX_VALUES];
	size_t values_num;
	size_t values_dropped;
	struct fake_notif notifs[FAKE_MAX_NOTIFS];
	size_t notifs_num;
	struct fake_log logs[FAKE_MAX_LOGS];
	size_t logs_num;
	cdtime_t now;
	cdtime_t default_interval; /* outside callbacks */
	cdtime_t ctx_interval;    /* inside a read callback; 0 outside */
	int quiet;                /* don't echo logs to stderr */
} fake;

/* ---- types.db ----------------------------------------------------------- */

struct fake_type {
	char name[DATA_MAX_NAME_LEN];
	unsigned ds_num;
};

static struct fake_type *fake_types;
static size_t fake_types_num;

/* Parse types.db: "name  ds:TYPE:min:max[, ds:TYPE:min:max ...]". */
static int fake_types_load(void)
{
	FILE *f;
	char line[1024];

	if (fake_types)
		return 0;
	f = fopen(FAKE_TYPES_DB, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *name;
		unsigned ds = 0;
		struct fake_type *grown;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		name = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p == '\0' || (size_t)(p - name) >= DATA_MAX_NAME_LEN)
			continue;
		*p++ = '\0';
		/* one data source per "name:TYPE:min:max" field */
		for (char *q = p; *q; q++)
			if (*q == ':')
				ds++;
		if (ds == 0 || ds % 3 != 0)
			continue;
		grown = realloc(fake_types,
				(fake_types_num + 1) * sizeof(*fake_types));
		if (!grown)
			break;
		fake_types = grown;
		memcpy(fake_types[fake_types_num].name, name, strlen(name) + 1);
		fake_types[fake_types_num].ds_num = ds / 3;
		fake_types_num++;
	}
	fclose(f);
	return fake_types_num ? 0 : -1;
}

/* Number of data sources of a type, 0 when types.db does not know it. */
static unsigned fake_type_ds(const char *type)
{
	if (fake_types_load() != 0)
		return 0;
	for (size_t i = 0; i < fake_types_num; i++)
		if (strcmp(fake_types[i].name, type) == 0)
			return fake_types[i].ds_num;
	return 0;
}

/* ---- reset and helpers for the test ------------------------------------- */

static void fake_free_reads(void)
{
	for (size_t i = 0; i < fake.reads_num; i++)
		if (fake.reads[i].ud.free_func)
			fake.reads[i].ud.free_func(fake.reads[i].ud.data);
	fake.reads_num = 0;
}

static void fake_clear_records(void)
{
	fake.values_num = 0;
	fake.values_dropped = 0;
	fake.notifs_num = 0;
	fake.logs_num = 0;
}

/* Back to a daemon that has just started: reads destroyed (free_func, as
 * at shutdown), records cleared, clock at 1e9 s, plugin interval 10 s. */
static void fake_reset(void)
{
	fake_free_reads();
	fake_clear_records();
	fake.config_cb = NULL;
	fake.init_cb = NULL;
	fake.shutdown_cb = NULL;
	fake.now = TIME_T_TO_CDTIME_T(1000000000);
	fake.default_interval = TIME_T_TO_CDTIME_T(10);
	fake.ctx_interval = 0;
	fake.quiet = 1;
}

static struct fake_read *fake_read_find(const char *name)
{
	for (size_t i = 0; i < fake.reads_num; i++)
		if (strcmp(fake.reads[i].name, name) == 0)
			return &fake.reads[i];
	return NULL;
}

/* Run a registered read callback as a read thread would. */
static int fake_run_read(struct fake_read *r)
{
	int rc;

	fake.ctx_interval = r->interval ? r->interval : fake.default_interval;
	rc = r->cb(&r->ud);
	fake.ctx_interval = 0;
	return rc;
}

static bool fake_log_has(int level, const char *needle)
{
	for (size_t i = 0; i < fake.logs_num; i++)
		if ((level < 0 || fake.logs[i].level == level) &&
		    strstr(fake.logs[i].msg, needle))
			return true;
	return false;
}

static size_t fake_log_count(const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < fake.logs_num; i++)
		if (strstr(fake.logs[i].msg, needle))
			n++;
	return n;
}

static const char *fake_notif_meta(const struct fake_notif *n,
				   const char *name)
{
	for (size_t i = 0; i < n->meta_num; i++)
		if (strcmp(n->meta_name[i], name) == 0)
			return n->meta_value[i];
	return NULL;
}

/* ---- the daemon API ------------------------------------------------------ */

static void fake_logv(int level, const char *format, va_list ap)
{
	struct fake_log *l;

	if (fake.logs_num >= FAKE_MAX_LOGS)
		return;
	l = &fake.logs[fake.logs_num++];
	l->level = level;
	vsnprintf(l->msg, sizeof(l->msg), format, ap);
	if (!fake.quiet)
		fprintf(stderr, "[log %d] %s\n", level, l->msg);
}

void plugin_log(int level, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	fake_logv(level, format, ap);
	va_end(ap);
}

void daemon_log(int level, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	fake_logv(level, format, ap);
	va_end(ap);
}

cdtime_t cdtime(void)
{
	return fake.now;
}

/* No BaseDir: the plugin keeps no energy state file in these tests. */
const char *global_option_get(const char *option)
{
	(void)option;
	return NULL;
}

cdtime_t plugin_get_interval(void)
{
	return fake.ctx_interval ? fake.ctx_interval : fake.default_interval;
}

char *sstrncpy(char *dest, const char *src, size_t n)
{
	size_t len;

	if (n == 0)
		return dest;
	len = strnlen(src, n - 1);
	memcpy(dest, src, len);
	dest[len] = '\0';
	return dest;
}

int plugin_register_complex_config(const char *type,
				   int (*callback)(oconfig_item_t *))
{
	fake.config_cb = callback;
	snprintf(fake.config_name, sizeof(fake.config_name), "%s", type);
	return 0;
}

int plugin_register_init(const char *name, plugin_init_cb callback)
{
	fake.init_cb = callback;
	snprintf(fake.init_name, sizeof(fake.init_name), "%s", name);
	return 0;
}

int plugin_register_shutdown(const char *name, plugin_shutdown_cb callback)
{
	fake.shutdown_cb = callback;
	snprintf(fake.shutdown_name, sizeof(fake.shutdown_name), "%s", name);
	return 0;
}

static void fake_free_userdata(user_data_t const *ud)
{
	if (ud && ud->free_func)
		ud->free_func(ud->data);
}

int plugin_register_complex_read(const char *group, const char *name,
				 plugin_read_cb callback, cdtime_t interval,
				 user_data_t const *user_data)
{
	struct fake_read *r;

	/* 5.12 frees the user data on both failure paths */
	if (strlen(name) >= DATA_MAX_NAME_LEN || fake_read_find(name) ||
	    fake.reads_num >= FAKE_MAX_READS) {
		plugin_log(LOG_ERR, "The read function \"%s\" is already "
			   "registered.", name);
		fake_free_userdata(user_data);
		return EINVAL;
	}
	r = &fake.reads[fake.reads_num++];
	snprintf(r->group, sizeof(r->group), "%s", group ? group : "");
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->cb = callback;
	r->interval = interval;
	r->ud = user_data ? *user_data : (user_data_t){ NULL, NULL };
	return 0;
}

int plugin_dispatch_values(value_list_t const *vl)
{
	struct fake_value *v;
	unsigned ds;

	if (fake.values_num >= FAKE_MAX_VALUES || vl->values_len == 0 ||
	    vl->values_len > 4) {
		fake.values_dropped++;
		return -1;
	}
	v = &fake.values[fake.values_num++];
	v->vl = *vl;
	memcpy(v->v, vl->values, vl->values_len * sizeof(value_t));
	v->vl.values = v->v;
	v->vl.meta = NULL;
	ds = fake_type_ds(vl->type);
	v->types_ok = ds != 0 && ds == vl->values_len;
	return 0;
}

int plugin_dispatch_notification(const notification_t *notif)
{
	struct fake_notif *f;

	if (fake.notifs_num >= FAKE_MAX_NOTIFS)
		return -1;
	f = &fake.notifs[fake.notifs_num++];
	memset(f, 0, sizeof(*f));
	f->n = *notif;
	f->n.meta = NULL;
	for (const notification_meta_t *m = notif->meta;
	     m && f->meta_num < FAKE_MAX_META; m = m->next) {
		snprintf(f->meta_name[f->meta_num], DATA_MAX_NAME_LEN, "%s",
			 m->name);
		if (m->type == NM_TYPE_STRING)
			snprintf(f->meta_value[f->meta_num], 256, "%s",
				 m->nm_value.nm_string);
		f->meta_num++;
	}
	return 0;
}

int plugin_notification_meta_add_string(notification_t *n, const char *name,
					const char *value)
{
	notification_meta_t *m, **tail;

	if (!n || !name || !value)
		return -1;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -1;
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->type = NM_TYPE_STRING;
	m->nm_value.nm_string = strdup(value);
	if (!m->nm_value.nm_string) {
		free(m);
		return -1;
	}
	for (tail = &n->meta; *tail; tail = &(*tail)->next)
		;
	*tail = m;
	return 0;
}

int plugin_notification_meta_free(notification_meta_t *n)
{
	while (n) {
		notification_meta_t *next = n->next;

		if (n->type == NM_TYPE_STRING)
			free((char *)n->nm_value.nm_string);
		free(n);
		n = next;
	}
	return 0;
}

/* ---- configuration helpers (the daemon's checks) ------------------------ */

static int fake_cf_one(const oconfig_item_t *ci, int type, const char *what)
{
	if (ci->values_num != 1 || ci->values[0].type != type) {
		plugin_log(LOG_ERR, "The `%s' option requires exactly one %s "
			   "argument.", ci->key, what);
		return -1;
	}
	return 0;
}

int cf_util_get_string(const oconfig_item_t *ci, char **ret_string)
{
	char *s;

	if (fake_cf_one(ci, OCONFIG_TYPE_STRING, "string") != 0)
		return -1;
	s = strdup(ci->values[0].value.string);
	if (!s)
		return -1;
	free(*ret_string);
	*ret_string = s;
	return 0;
}

int cf_util_get_string_buffer(const oconfig_item_t *ci, char *buffer,
			      size_t buffer_size)
{
	if (fake_cf_one(ci, OCONFIG_TYPE_STRING, "string") != 0)
		return -1;
	sstrncpy(buffer, ci->values[0].value.string, buffer_size);
	return 0;
}

int cf_util_get_int(const oconfig_item_t *ci, int *ret_value)
{
	if (fake_cf_one(ci, OCONFIG_TYPE_NUMBER, "numeric") != 0)
		return -1;
	*ret_value = (int)ci->values[0].value.number;
	return 0;
}

int cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool)
{
	if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_STRING) {
		const char *s = ci->values[0].value.string;

		if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
		    strcasecmp(s, "on") == 0)
			*ret_bool = true;
		else if (strcasecmp(s, "false") == 0 ||
			 strcasecmp(s, "no") == 0 || strcasecmp(s, "off") == 0)
			*ret_bool = false;
		else {
			plugin_log(LOG_ERR, "Cannot interpret string \"%s\" "
				   "as boolean value.", s);
			return -1;
		}
		return 0;
	}
	if (fake_cf_one(ci, OCONFIG_TYPE_BOOLEAN, "boolean") != 0)
		return -1;
	*ret_bool = ci->values[0].value.boolean;
	return 0;
}

int cf_util_get_cdtime(const oconfig_item_t *ci, cdtime_t *ret_value)
{
	if (fake_cf_one(ci, OCONFIG_TYPE_NUMBER, "numeric") != 0)
		return -1;
	if (ci->values[0].value.number < 0) {
		plugin_log(LOG_ERR, "The numeric argument of the `%s' option "
			   "must not be negative.", ci->key);
		return -1;
	}
	*ret_value = DOUBLE_TO_CDTIME_T(ci->values[0].value.number);
	return 0;
}

/* ---- complaints ----------------------------------------------------------- */

void c_complain(int level, c_complain_t *c, const char *format, ...)
{
	va_list ap;

	if (c->last + c->interval > fake.now)
		return;
	c->last = fake.now;
	if (c->interval == 0)
		c->interval = plugin_get_interval();
	else
		c->interval *= 2;
	if (c->interval > TIME_T_TO_CDTIME_T(86400))
		c->interval = TIME_T_TO_CDTIME_T(86400);
	va_start(ap, format);
	fake_logv(level, format, ap);
	va_end(ap);
}

void c_do_release(int level, c_complain_t *c, const char *format, ...)
{
	va_list ap;

	if (c->interval == 0)
		return;
	c->interval = 0;
	va_start(ap, format);
	fake_logv(level, format, ap);
	va_end(ap);
}
