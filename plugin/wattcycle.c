/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collectd read plugin "wattcycle": the glue between collectd 5.12 and the
 * collectd-free library (poll, sample, alarms, events).
 *
 * This is the only file that includes collectd headers.  Everything is
 * static with the prefix wc_; the shared object exports module_register
 * alone (built with -fvisibility=hidden), so none of the daemon's generic
 * symbols can interpose on ours or the other way round.
 *
 * One context per <Battery "name"> block, registered as its own complex
 * read callback "wattcycle/<name>" with its own interval; callbacks of
 * different batteries run concurrently on collectd's read threads and
 * share no mutable state.  A failed poll returns 0 (a non-zero return
 * would make collectd back the battery off exponentially) and is reported
 * as bool-online = 0, a rate-limited log line and, after OfflineAfter
 * failures, a notification.
 *
 * Test seams (tests/unit/test_glue.c includes this file): the
 * sample-to-values mapping is a plain function (wc_sample_values), and
 * dispatch and the poll session go through the function pointers below. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/configfile.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"
#include "collectd/core/utils/common/common.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alarms.h"
#include "bank.h"
#include "ble.h"
#include "connparam.h"
#include "energy.h"
#include "events.h"
#include "inventory.h"
#include "link_addr.h"
#include "metrics.h"
#include "session.h"
#include "sample.h"
#include "wc_error.h"

#define WC_PLUGIN "wattcycle"
/* Battery names become plugin_instance, RRD directory names and Graphite
 * path nodes: [A-Za-z0-9_-], at most this long (so "wattcycle/<name>"
 * always fits collectd's 128-byte names). */
#define WC_NAME_MAX 63
#define WC_DEFAULT_TIMEOUT_MS 8000
/* A poll that has not ended after an hour never will; the bound also keeps
 * the millisecond count of the session within 32 bits. */
#define WC_TIMEOUT_MAX_S 3600
#define WC_DEFAULT_OFFLINE_AFTER 3
#define WC_OFFLINE_AFTER_MAX 1000000
/* Product info (0x92) hardly changes: re-read it hourly. */
#define WC_INFO_REFRESH_S 3600
/* Links held at once per adapter (KeepConnected): small controllers hold
 * few LE links, and bluetoothd's devices need some too. */
#define WC_DEFAULT_MAX_LINKS 4
#define WC_MAX_LINKS_MAX 64

struct wc_battery {
	char name[WC_NAME_MAX + 1];
	char *address;
	char *adapter;
	enum wc_addr_type addr_type;
	cdtime_t interval;
	cdtime_t timeout;
	bool keep_connected;
	uint32_t supervision_ms;     /* 0: the kernel's */
	bool report_cells;
	bool report_alarm_values;
	unsigned offline_after;
	struct wc_session *poll;
	struct wc_events events;
	c_complain_t complaint;
	struct wc_bank_rt *bank;     /* the bank it is a member of, or NULL */
	unsigned bank_slot;          /* its slot in bank->m */
	struct wc_energy_rt *energy; /* Wh in and out, kept in BaseDir */
};

/* One bank of the inventory.  Its members' read callbacks run on
 * different read threads: everything below def is theirs only under
 * lock.  Created by the config callback, freed at shutdown (after
 * collectd has joined the read threads and freed the batteries). */
/* Energy counters of one battery or bank and their state file
 * <BaseDir>/wattcycle-<name>.energy (no BaseDir: not kept).  Touched
 * only by its owner's read callback or under its bank's lock. */
struct wc_energy_rt {
	struct wc_energy e;
	char *path;
	bool loaded;
	cdtime_t saved;
};

struct wc_bank_rt {
	struct wc_energy_rt energy;
	cdtime_t last_t;             /* time of the last update */
	cdtime_t sent_t;             /* time of the last values sent */
	struct wc_bank_def def;
	pthread_mutex_t lock;
	struct wc_bank_member m[WC_BANK_MAX_STRINGS * WC_BANK_MAX_SERIES];
	struct wc_bank_alerts alerts;
};


/* How often the energy totals are written to their state file (and at
 * shutdown): a crash loses at most this much of the count. */
#define WC_ENERGY_SAVE_S 60

/* Seams the unit test replaces; the daemon's functions otherwise. */
static int (*wc_dispatch_values)(value_list_t const *vl) =
	plugin_dispatch_values;
static int (*wc_dispatch_notification)(const notification_t *n) =
	plugin_dispatch_notification;
static struct wc_session *(*wc_session_new_fn)(const struct wc_session_opts *o) =
	wc_session_new;
static enum wc_err (*wc_session_poll_fn)(struct wc_session *p,
				     struct wc_poll_result *res,
				     struct wc_diag *d, char *msg,
				     size_t msglen) = wc_session_poll;
static void (*wc_session_free_fn)(struct wc_session *p) = wc_session_free;
static void (*wc_session_set_keep_fn)(struct wc_session *p, bool keep) =
	wc_session_set_keep_connected;
static char *(*wc_adapter_name_fn)(const char *adapter, char *buf,
				   size_t len) = wc_ble_adapter_name;

/* MaxLinks: plugin-level, applied per adapter at init.  Written by the
 * config callback only. */
static unsigned wc_max_links = WC_DEFAULT_MAX_LINKS;

/* Names of the batteries configured so far, across every <Plugin
 * wattcycle> block (each block is a separate config call).  Touched only
 * by the config callback, which collectd runs before any read thread. */
static char (*wc_names)[WC_NAME_MAX + 1];
static size_t wc_names_num;

/* Batteries registered so far (for bank membership) and the banks; both
 * lists are written by the config callback only.  The batteries belong to
 * collectd (free_func); the banks are ours, freed at shutdown. */
static struct wc_battery **wc_bats;
static size_t wc_bats_num;
static struct wc_bank_rt **wc_banks;
static size_t wc_banks_num;

/* ---- sample -> values ------------------------------------------------ */

/* The values of one good poll: metrics.c's rows under this battery's
 * ReportCells and ReportAlarmValues. */
static size_t wc_sample_values(const struct wc_battery *b,
			       const struct wc_poll_result *r,
			       struct wc_metric *out, size_t cap)
{
	const struct wc_metric_opts o = {
		.cells = b->report_cells,
		.alarm_values = b->report_alarm_values,
	};

	return wc_metrics(r, &o, out, cap);
}

/* Copy a short name into a value-list field.  Unlike sstrncpy (strncpy)
 * it does not pad the 128-byte field with zeros: with ~66 values per poll
 * that padding was a good part of the read callback's CPU. */
static void wc_set_name(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Every value of one poll carries the same timestamp t.  One template:
 * only the value, type and type_instance change from row to row. */
static void wc_submit_as(const char *instance, cdtime_t interval,
			 const struct wc_metric *v, size_t num, cdtime_t t)
{
	value_list_t vl = VALUE_LIST_INIT;
	const char *type = NULL; /* the string now in vl.type */
	value_t val;

	vl.values = &val;
	vl.values_len = 1;
	vl.time = t;
	vl.interval = interval;
	wc_set_name(vl.plugin, sizeof(vl.plugin), WC_PLUGIN);
	wc_set_name(vl.plugin_instance, sizeof(vl.plugin_instance), instance);
	for (size_t i = 0; i < num; i++) {
		val.gauge = v[i].value;
		/* rows of one type come in runs (same pointer, same name) */
		if (v[i].type != type) {
			type = v[i].type;
			wc_set_name(vl.type, sizeof(vl.type), type);
		}
		wc_set_name(vl.type_instance, sizeof(vl.type_instance),
			    v[i].type_instance);
		wc_dispatch_values(&vl);
	}
}

static void wc_submit(const struct wc_battery *b, const struct wc_metric *v,
		      size_t num, cdtime_t t)
{
	wc_submit_as(b->name, b->interval, v, num, t);
}

/* ---- notifications ---------------------------------------------------- */

struct wc_collectd_notify_ctx {
	const struct wc_battery *b;
	cdtime_t t;
};

static int wc_notif_severity(enum wc_severity sev)
{
	switch (sev) {
	case WC_SEV_FAILURE:
		return NOTIF_FAILURE;
	case WC_SEV_WARNING:
		return NOTIF_WARNING;
	case WC_SEV_OKAY:
		return NOTIF_OKAY;
	}
	return NOTIF_WARNING;
}

/* One event as a notification of plugin instance inst (a battery or a
 * bank), type "bool", the event id as type instance and in the meta data
 * with its class (and register, where the event has one). */
static void wc_send_event(const struct wc_event *ev, const char *inst,
			  cdtime_t t)
{
	notification_t n;

	memset(&n, 0, sizeof(n));
	n.severity = wc_notif_severity(ev->severity);
	n.time = t;
	sstrncpy(n.message, ev->message, sizeof(n.message));
	sstrncpy(n.host, hostname_g ? hostname_g : "", sizeof(n.host));
	sstrncpy(n.plugin, WC_PLUGIN, sizeof(n.plugin));
	sstrncpy(n.plugin_instance, inst, sizeof(n.plugin_instance));
	sstrncpy(n.type, "bool", sizeof(n.type));
	sstrncpy(n.type_instance, ev->id, sizeof(n.type_instance));
	plugin_notification_meta_add_string(&n, "id", ev->id);
	plugin_notification_meta_add_string(&n, "class", ev->cls);
	if (ev->reg)
		plugin_notification_meta_add_string(&n, "register", ev->reg);
	wc_dispatch_notification(&n);
	plugin_notification_meta_free(n.meta);
}

static void wc_collectd_notify(const struct wc_event *ev, void *user)
{
	const struct wc_collectd_notify_ctx *ctx = user;

	wc_send_event(ev, ctx->b->name, ctx->t);
}

/* ---- energy ------------------------------------------------------------ */

static void wc_energy_save_now(struct wc_energy_rt *r, const char *name)
{
	char err[512];

	if (!r->path)
		return;
	if (wc_energy_save(&r->e, r->path, err, sizeof(err)) != 0)
		ERROR(WC_PLUGIN " plugin: %s: energy totals not kept: %s",
		      name, err);
}

/* After a poll of a battery (or an update of a bank): integrate its
 * power (have false: the reading is missing, the next one starts anew),
 * send the totals as energy_wh-charged and energy_wh-discharged, write
 * them to the state file now and then.  The file is read at the first
 * call, when collectd's BaseDir is known. */
static void wc_energy_step(struct wc_energy_rt *r, const char *name,
			   bool have, double power_w, cdtime_t t,
			   cdtime_t interval)
{
	struct wc_metric rows[2] = {
		{ .type = "energy_wh", .type_instance = "charged" },
		{ .type = "energy_wh", .type_instance = "discharged" },
	};

	if (!r->loaded) {
		const char *base = global_option_get("BaseDir");
		char err[512];

		r->loaded = true;
		r->saved = t;
		if (base && base[0]) {
			size_t len = strlen(base) + strlen(name) + 32;

			r->path = malloc(len);
			if (r->path)
				snprintf(r->path, len, "%s/" WC_PLUGIN "-%s.energy",
					 base, name);
		}
		if (r->path &&
		    wc_energy_load(&r->e, r->path, err, sizeof(err)) != 0)
			ERROR(WC_PLUGIN " plugin: %s: energy totals start "
			      "from 0: %s", name, err);
	}
	if (!have) {
		wc_energy_gap(&r->e);
		return;
	}
	wc_energy_add(&r->e, power_w, CDTIME_T_TO_MS(t),
		      2 * CDTIME_T_TO_MS(interval));
	rows[0].value = r->e.charged_wh;
	rows[1].value = r->e.discharged_wh;
	wc_submit_as(name, interval, rows, 2, t);
	if (t - r->saved >= TIME_T_TO_CDTIME_T(WC_ENERGY_SAVE_S)) {
		r->saved = t;
		wc_energy_save_now(r, name);
	}
}

static void wc_energy_free(struct wc_energy_rt *r, const char *name)
{
	if (!r)
		return;
	if (r->loaded)
		wc_energy_save_now(r, name);
	free(r->path);
}

/* ---- banks ------------------------------------------------------------ */

struct wc_bank_collectd_notify_ctx {
	const struct wc_bank_rt *k;
	cdtime_t t;
};

static void wc_bank_collectd_notify(const struct wc_event *ev, void *user)
{
	const struct wc_bank_collectd_notify_ctx *ctx = user;

	/* Bank events carry no register. */
	wc_send_event(ev, ctx->k->def.name, ctx->t);
}

/* Whether the bank's values are due: once a round, when every member has
 * been polled (well or not) since they were last sent, or a round (the
 * longest member interval) after that at the latest.  Sending after every
 * member poll would put the same series into collectd's write queue a few
 * milliseconds apart, and its write threads may store them out of order
 * ("Value too old"). */
static bool wc_bank_due(const struct wc_bank_rt *k, cdtime_t t)
{
	uint64_t sent_ms = CDTIME_T_TO_MS(k->sent_t);
	uint64_t round_ms = 0;
	bool all = true;

	for (unsigned i = 0; i < k->def.n_strings; i++)
		for (unsigned j = 0; j < k->def.n_series[i]; j++) {
			const struct wc_bank_member *m =
				&k->m[i * WC_BANK_MAX_SERIES + j];

			all = all && m->t_ms > sent_ms;
			if (m->interval_ms > round_ms)
				round_ms = m->interval_ms;
		}
	return all || CDTIME_T_TO_MS(t) - sent_ms >= round_ms;
}

/* After every poll of a bank member, good or not: store it as the
 * member's latest, evaluate the bank's notifications and, once a round,
 * send its values.  Under the bank's lock, so that the members' read
 * threads take turns; both dispatches only queue (values) or hand over
 * (notifications). */
static void wc_bank_update(struct wc_battery *b, bool good,
			   const struct wc_sample *s, cdtime_t t)
{
	struct wc_bank_rt *k = b->bank;
	struct wc_bank_member *mb;
	struct wc_bank_values v;
	struct wc_metric rows[WC_BANK_METRICS_MAX];
	struct wc_bank_collectd_notify_ctx ctx = { .k = k, .t = t };
	size_t n;

	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	/* Members' polls end on different threads: the one that took its
	 * time first may get the lock second.  The bank's values go out in
	 * time order all the same (collectd drops a value older than the
	 * last one of its series). */
	if (t <= k->last_t)
		t = k->last_t + 1;
	k->last_t = t;
	ctx.t = t;
	/* the first round starts with the first member poll */
	if (k->sent_t == 0)
		k->sent_t = t - MS_TO_CDTIME_T(1);
	mb = &k->m[b->bank_slot];
	mb->good = good;
	if (good)
		mb->sample = *s;
	mb->t_ms = CDTIME_T_TO_MS(t);
	mb->interval_ms = CDTIME_T_TO_MS(b->interval);
	wc_bank_compute(&k->def, k->m, CDTIME_T_TO_MS(t), &v);
	if (wc_bank_due(k, t)) {
		k->sent_t = t;
		n = wc_bank_metrics(&k->def, &v, rows, WC_BANK_METRICS_MAX);
		wc_submit_as(k->def.name, b->interval, rows, n, t);
		wc_energy_step(&k->energy, k->def.name, v.complete, v.power_w,
			       t, b->interval);
	}
	wc_bank_alerts_update(&k->alerts, &k->def, k->m, &v,
			      wc_bank_collectd_notify, &ctx);
	pthread_mutex_unlock(&k->lock);
}

/* ---- read ------------------------------------------------------------- */

/* A good poll: its values, energy, events and bank.  A function of its
 * own so that the value rows live on the stack only on this path: a poll
 * that failed (an unreachable battery) needs a shallower stack in each of
 * collectd's read threads. */
static void __attribute__((noinline))
wc_read_ok(struct wc_battery *b, const struct wc_poll_result *res,
	   struct wc_collectd_notify_ctx *ctx)
{
	struct wc_metric values[WC_METRICS_MAX];
	size_t n = wc_sample_values(b, res, values, WC_METRICS_MAX);

	c_release(LOG_INFO, &b->complaint,
		  WC_PLUGIN " plugin: %s: poll succeeded again", b->name);
	wc_submit(b, values, n, ctx->t);
	wc_energy_step(b->energy, b->name, wc_has(&res->sample, WC_F_POWER),
		       res->sample.power_w, ctx->t, b->interval);
	wc_events_poll_ok(&b->events, &res->sample, wc_collectd_notify, ctx);
	wc_bank_update(b, true, &res->sample, ctx->t);
}

static int wc_read(user_data_t *ud)
{
	struct wc_battery *b = ud->data;
	struct wc_poll_result res;
	struct wc_diag d = { .code = WC_OK, .a = 0, .b = 0 };
	char msg[WC_POLL_MSG_MAX] = "";
	struct wc_collectd_notify_ctx ctx = { .b = b };
	enum wc_err rc;

	memset(&res, 0, sizeof(res));
	rc = wc_session_poll_fn(b->poll, &res, &d, msg, sizeof(msg));
	/* one timestamp for every value and notification of this poll */
	ctx.t = cdtime();
	if (rc == WC_OK) {
		wc_read_ok(b, &res, &ctx);
		return 0;
	}
	if (msg[0] == '\0') {
		if (d.code == WC_OK)
			d.code = rc;
		wc_diag_format(&d, msg, sizeof(msg));
	}
	c_complain(LOG_ERR, &b->complaint, WC_PLUGIN " plugin: %s: poll failed: %s",
		   b->name, msg);
	{
		struct wc_metric offline = { .type = "bool",
					    .type_instance = "online",
					    .value = 0.0 };

		wc_submit(b, &offline, 1, ctx.t);
	}
	wc_events_poll_failed(&b->events, msg, wc_collectd_notify, &ctx);
	wc_energy_step(b->energy, b->name, false, 0.0, ctx.t, b->interval);
	wc_bank_update(b, false, NULL, ctx.t);
	/* never non-zero: collectd would double this battery's interval */
	return 0;
}

/* ---- configuration ---------------------------------------------------- */

static void wc_battery_free(void *arg)
{
	struct wc_battery *b = arg;

	if (!b)
		return;
	wc_session_free_fn(b->poll);
	wc_energy_free(b->energy, b->name);
	free(b->energy);
	free(b->address);
	free(b->adapter);
	free(b);
}

/* Letters, digits, '_' and '-': no '/' (collectd turns it into '_'), no
 * '.' (a Graphite separator), no space (quoted in csv/unixsock). */
static bool wc_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > WC_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Case-insensitively, so that two batteries can never share an RRD
 * directory on a case-insensitive file system. */
static bool wc_name_taken(const char *name)
{
	for (size_t i = 0; i < wc_names_num; i++)
		if (strcasecmp(wc_names[i], name) == 0)
			return true;
	return false;
}

static int wc_name_add(const char *name)
{
	char (*grown)[WC_NAME_MAX + 1] =
		realloc(wc_names, (wc_names_num + 1) * sizeof(*wc_names));

	if (!grown)
		return -1;
	wc_names = grown;
	sstrncpy(wc_names[wc_names_num++], name, sizeof(*wc_names));
	return 0;
}

static double wc_seconds(cdtime_t t)
{
	return CDTIME_T_TO_DOUBLE(t);
}

/* One option of a <Battery> block.  Every error names the battery and
 * the key; cf_util_get_* have already logged the type error itself. */
static int wc_config_option(struct wc_battery *b, oconfig_item_t *c)
{
	const char *key = c->key;

	if (strcasecmp(key, "Address") == 0) {
		struct wc_link_addr addr;
		char why[256] = "";

		if (cf_util_get_string(c, &b->address) != 0) {
			ERROR(WC_PLUGIN " plugin: %s: Address: expects one "
			      "string", b->name);
			return -1;
		}
		if (wc_link_parse_address(b->address, &addr, why,
					  sizeof(why)) != WC_OK) {
			ERROR(WC_PLUGIN " plugin: %s: Address: \"%s\" is not "
			      "valid: %s", b->name, b->address,
			      why[0] ? why : "expected \"unix:/path\" or "
					     "\"XX:XX:XX:XX:XX:XX\"");
			return -1;
		}
		return 0;
	}
	if (strcasecmp(key, "AddressType") == 0) {
		char buf[16];

		if (cf_util_get_string_buffer(c, buf, sizeof(buf)) != 0) {
			ERROR(WC_PLUGIN " plugin: %s: AddressType: expects "
			      "one string", b->name);
			return -1;
		}
		if (!wc_addr_type_parse(buf, &b->addr_type)) {
			ERROR(WC_PLUGIN " plugin: %s: AddressType: \"%s\" is "
			      "not one of auto, public, random", b->name, buf);
			return -1;
		}
		return 0;
	}
	if (strcasecmp(key, "Adapter") == 0) {
		if (cf_util_get_string(c, &b->adapter) != 0 ||
		    b->adapter[0] == '\0') {
			ERROR(WC_PLUGIN " plugin: %s: Adapter: expects an "
			      "adapter name (\"hci0\") or its address",
			      b->name);
			return -1;
		}
		return 0;
	}
	if (strcasecmp(key, "Interval") == 0 ||
	    strcasecmp(key, "Timeout") == 0) {
		bool is_interval = strcasecmp(key, "Interval") == 0;
		cdtime_t t = 0;

		if (cf_util_get_cdtime(c, &t) != 0 || t == 0) {
			ERROR(WC_PLUGIN " plugin: %s: %s: expects a positive "
			      "number of seconds", b->name,
			      is_interval ? "Interval" : "Timeout");
			return -1;
		}
		if (!is_interval && t > TIME_T_TO_CDTIME_T(WC_TIMEOUT_MAX_S)) {
			ERROR(WC_PLUGIN " plugin: %s: Timeout: at most %d "
			      "seconds", b->name, WC_TIMEOUT_MAX_S);
			return -1;
		}
		if (is_interval)
			b->interval = t;
		else
			b->timeout = t;
		return 0;
	}
	if (strcasecmp(key, "KeepConnected") == 0 ||
	    strcasecmp(key, "ReportCells") == 0 ||
	    strcasecmp(key, "ReportAlarmValues") == 0) {
		bool *flag = strcasecmp(key, "KeepConnected") == 0
				     ? &b->keep_connected
			     : strcasecmp(key, "ReportCells") == 0
				     ? &b->report_cells
				     : &b->report_alarm_values;

		if (cf_util_get_boolean(c, flag) != 0) {
			ERROR(WC_PLUGIN " plugin: %s: %s: expects true or "
			      "false", b->name, key);
			return -1;
		}
		return 0;
	}
	if (strcasecmp(key, "SupervisionTimeout") == 0) {
		char why[128];
		double ms;

		if (c->values_num != 1 ||
		    c->values[0].type != OCONFIG_TYPE_NUMBER) {
			ERROR(WC_PLUGIN " plugin: %s: SupervisionTimeout: "
			      "expects one number of milliseconds from %u to "
			      "%u", b->name, WC_SUPERVISION_MIN_MS,
			      WC_SUPERVISION_MAX_MS);
			return -1;
		}
		ms = c->values[0].value.number;
		if (!wc_supervision_valid(ms, why, sizeof(why))) {
			ERROR(WC_PLUGIN " plugin: %s: SupervisionTimeout: %g "
			      "is out of range: %s", b->name, ms, why);
			return -1;
		}
		b->supervision_ms = (uint32_t)ms;
		return 0;
	}
	if (strcasecmp(key, "OfflineAfter") == 0) {
		int n = 0;

		/* cf_util_get_int truncates: 1.5 is not a count */
		if (cf_util_get_int(c, &n) != 0 || n < 1 ||
		    n > WC_OFFLINE_AFTER_MAX ||
		    c->values[0].value.number != (double)n) {
			ERROR(WC_PLUGIN " plugin: %s: OfflineAfter: expects a "
			      "number of polls from 1 to %d", b->name,
			      WC_OFFLINE_AFTER_MAX);
			return -1;
		}
		b->offline_after = (unsigned)n;
		return 0;
	}
	ERROR(WC_PLUGIN " plugin: %s: %s: unknown option (known: Address, "
	      "AddressType, Adapter, Interval, Timeout, KeepConnected, "
	      "SupervisionTimeout, ReportCells, ReportAlarmValues, "
	      "OfflineAfter)", b->name, key);
	return -1;
}

/* Checks that need the whole block, then defaults that depend on others. */
static int wc_config_finish(struct wc_battery *b)
{
	if (!b->address) {
		ERROR(WC_PLUGIN " plugin: %s: Address: missing (e.g. Address "
		      "\"C0:D6:3C:52:E4:D9\" or \"unix:/path/to.sock\")",
		      b->name);
		return -1;
	}
	if (b->interval == 0)
		b->interval = plugin_get_interval();
	if (b->timeout == 0) {
		/* 8 s, but always inside the interval */
		b->timeout = MS_TO_CDTIME_T(WC_DEFAULT_TIMEOUT_MS);
		if (b->timeout >= b->interval)
			b->timeout = b->interval / 5 * 4;
	}
	if (b->timeout >= b->interval && !b->keep_connected) {
		ERROR(WC_PLUGIN " plugin: %s: Timeout: %.3f s is not less than "
		      "Interval %.3f s; lower Timeout or set KeepConnected "
		      "true", b->name, wc_seconds(b->timeout),
		      wc_seconds(b->interval));
		return -1;
	}
	if (CDTIME_T_TO_MS(b->timeout) == 0) {
		ERROR(WC_PLUGIN " plugin: %s: Timeout: %.6f s is below one "
		      "millisecond", b->name, wc_seconds(b->timeout));
		return -1;
	}
	return 0;
}

/* Remember a registered battery, for the banks that name it. */
static int wc_bats_add(struct wc_battery *b)
{
	struct wc_battery **grown =
		realloc(wc_bats, (wc_bats_num + 1) * sizeof(*wc_bats));

	if (!grown) {
		ERROR(WC_PLUGIN " plugin: %s: out of memory", b->name);
		return -1;
	}
	wc_bats = grown;
	wc_bats[wc_bats_num++] = b;
	return 0;
}

static int wc_config_battery(oconfig_item_t *ci)
{
	struct wc_battery *b;
	struct wc_session_opts po;
	char cb_name[DATA_MAX_NAME_LEN];
	int errors = 0;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING) {
		ERROR(WC_PLUGIN " plugin: <Battery>: expects exactly one "
		      "string argument, the battery's name "
		      "(<Battery \"house1\">)");
		return -1;
	}
	if (!wc_name_valid(ci->values[0].value.string)) {
		ERROR(WC_PLUGIN " plugin: %s: Battery: the name must be 1 to "
		      "%d letters, digits, '_' or '-' (no '/', '.' or space), "
		      "as it becomes the collectd plugin instance",
		      ci->values[0].value.string, WC_NAME_MAX);
		return -1;
	}
	if (wc_name_taken(ci->values[0].value.string)) {
		ERROR(WC_PLUGIN " plugin: %s: Battery: this name is already "
		      "configured (names must be unique, ignoring case)",
		      ci->values[0].value.string);
		return -1;
	}
	b = calloc(1, sizeof(*b));
	if (b)
		b->energy = calloc(1, sizeof(*b->energy));
	if (!b || !b->energy ||
	    wc_name_add(ci->values[0].value.string) != 0) {
		ERROR(WC_PLUGIN " plugin: %s: out of memory",
		      ci->values[0].value.string);
		if (b)
			free(b->energy);
		free(b);
		return -1;
	}
	sstrncpy(b->name, ci->values[0].value.string, sizeof(b->name));
	b->addr_type = WC_ADDR_AUTO;
	/* The per-cell voltages are on by default: they are the first thing
	 * an owner looks at (4-16 series per battery, each an RRD file and
	 * about 1 kB of collectd's memory, BENCHMARKS.md).  The per-code
	 * series are off: 34 per battery, nearly always 0, and the counts
	 * and the notifications are sent either way. */
	b->report_cells = true;
	b->report_alarm_values = false;
	b->offline_after = WC_DEFAULT_OFFLINE_AFTER;
	C_COMPLAIN_INIT(&b->complaint);

	/* report every bad option of the block, not just the first */
	for (int i = 0; i < ci->children_num; i++)
		if (wc_config_option(b, &ci->children[i]) != 0)
			errors++;
	if (errors || wc_config_finish(b) != 0) {
		wc_battery_free(b);
		return -1;
	}

	memset(&po, 0, sizeof(po));
	po.name = b->name;
	po.link.address = b->address;
	po.link.adapter = b->adapter;
	po.link.addr_type = b->addr_type;
	po.link.supervision_ms = b->supervision_ms;
	po.keep_connected = b->keep_connected;
	po.timeout_ms = (uint32_t)CDTIME_T_TO_MS(b->timeout);
	po.info_refresh_s = WC_INFO_REFRESH_S;
	b->poll = wc_session_new_fn(&po);
	if (!b->poll) {
		ERROR(WC_PLUGIN " plugin: %s: cannot create the poll session "
		      "(out of memory?)", b->name);
		wc_battery_free(b);
		return -1;
	}
	wc_events_init(&b->events, b->name, b->offline_after);

	snprintf(cb_name, sizeof(cb_name), WC_PLUGIN "/%s", b->name);
	/* From here on collectd owns b: it frees it through free_func even
	 * when the registration fails (5.12 plugin.c), so never free it. */
	if (plugin_register_complex_read(
		    /* group = */ WC_PLUGIN, cb_name, wc_read,
		    /* interval = */ b->interval,
		    &(user_data_t){ .data = b,
				    .free_func = wc_battery_free }) != 0) {
		ERROR(WC_PLUGIN " plugin: %s: registering the read callback "
		      "\"%s\" failed", ci->values[0].value.string, cb_name);
		return -1;
	}
	return wc_bats_add(b);
}

/* ---- inventory -------------------------------------------------------- */

/* One inventory battery, configured exactly as the <Battery> block it
 * stands for: its keys become the block's options. */
static int wc_config_inv_battery(const struct wc_inv_battery *ib)
{
	oconfig_value_t name = { .value.string = (char *)ib->name,
				 .type = OCONFIG_TYPE_STRING };
	oconfig_value_t vals[11];
	oconfig_item_t kids[11];
	oconfig_item_t blk = { .key = "Battery", .values = &name,
			       .values_num = 1, .children = kids };
	int n = 0;

#define WC_KID(k, field, t, v)                                        \
	do {                                                          \
		vals[n].type = (t);                                   \
		vals[n].value.field = (v);                            \
		kids[n] = (oconfig_item_t){ .key = (k), .values = &vals[n], \
					    .values_num = 1,          \
					    .parent = &blk };         \
		n++;                                                  \
	} while (0)
	WC_KID("Address", string, OCONFIG_TYPE_STRING, ib->address);
	if (ib->address_type)
		WC_KID("AddressType", string, OCONFIG_TYPE_STRING,
		       ib->address_type);
	if (ib->adapter)
		WC_KID("Adapter", string, OCONFIG_TYPE_STRING, ib->adapter);
	if (ib->interval_s > 0)
		WC_KID("Interval", number, OCONFIG_TYPE_NUMBER, ib->interval_s);
	if (ib->timeout_s > 0)
		WC_KID("Timeout", number, OCONFIG_TYPE_NUMBER, ib->timeout_s);
	if (ib->keep_connected >= 0)
		WC_KID("KeepConnected", boolean, OCONFIG_TYPE_BOOLEAN,
		       ib->keep_connected);
	if (ib->supervision_ms > 0)
		WC_KID("SupervisionTimeout", number, OCONFIG_TYPE_NUMBER,
		       ib->supervision_ms);
	if (ib->report_cells >= 0)
		WC_KID("ReportCells", boolean, OCONFIG_TYPE_BOOLEAN,
		       ib->report_cells);
	if (ib->report_alarm_values >= 0)
		WC_KID("ReportAlarmValues", boolean, OCONFIG_TYPE_BOOLEAN,
		       ib->report_alarm_values);
	if (ib->offline_after > 0)
		WC_KID("OfflineAfter", number, OCONFIG_TYPE_NUMBER,
		       (double)ib->offline_after);
#undef WC_KID
	blk.children_num = n;
	return wc_config_battery(&blk);
}

static struct wc_battery *wc_bats_find(const char *name)
{
	for (size_t i = 0; i < wc_bats_num; i++)
		if (strcmp(wc_bats[i]->name, name) == 0)
			return wc_bats[i];
	return NULL;
}

static void wc_bank_free(struct wc_bank_rt *k)
{
	wc_energy_free(&k->energy, k->def.name);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

/* A bank of the inventory: its state, and each member pointed at it. */
static int wc_config_bank(const char *path, int line,
			  const struct wc_bank_def *def)
{
	struct wc_bank_rt *k = calloc(1, sizeof(*k));
	struct wc_bank_rt **grown;

	if (!k || pthread_mutex_init(&k->lock, NULL) != 0) {
		ERROR(WC_PLUGIN " plugin: %s:%d: bank %s: out of memory",
		      path, line, def->name);
		free(k);
		return -1;
	}
	k->def = *def;
	for (unsigned i = 0; i < def->n_strings; i++)
		for (unsigned j = 0; j < def->n_series[i]; j++) {
			struct wc_battery *b = wc_bats_find(def->member[i][j]);

			if (!b || b->bank) {
				ERROR(WC_PLUGIN " plugin: %s:%d: bank %s: "
				      "battery %s %s", path, line, def->name,
				      def->member[i][j],
				      b ? "is already in another bank"
					: "is not configured");
				wc_bank_free(k);
				return -1;
			}
			b->bank = k;
			b->bank_slot = i * WC_BANK_MAX_SERIES + j;
		}
	grown = realloc(wc_banks, (wc_banks_num + 1) * sizeof(*wc_banks));
	if (!grown) {
		ERROR(WC_PLUGIN " plugin: %s:%d: bank %s: out of memory", path,
		      line, def->name);
		wc_bank_free(k);
		return -1;
	}
	wc_banks = grown;
	wc_banks[wc_banks_num++] = k;
	return 0;
}

/* Inventory "FILE": its batteries as if each had a <Battery> block, then
 * its banks.  Bank members may also be batteries of blocks met before
 * this line. */
static int wc_config_inventory(oconfig_item_t *c)
{
	char *path = NULL;
	char err[WC_INVENTORY_ERR_MAX];
	const char **known;
	struct wc_inventory *inv;
	int errors = 0;

	if (c->values_num != 1 || c->values[0].type != OCONFIG_TYPE_STRING ||
	    cf_util_get_string(c, &path) != 0) {
		ERROR(WC_PLUGIN " plugin: Inventory: expects one string, the "
		      "inventory file (Inventory \"%s\")",
		      WC_INVENTORY_DEFAULT);
		return -1;
	}
	known = calloc(wc_names_num + 1, sizeof(*known));
	if (!known) {
		ERROR(WC_PLUGIN " plugin: %s: out of memory", path);
		free(path);
		return -1;
	}
	for (size_t i = 0; i < wc_names_num; i++)
		known[i] = wc_names[i];
	inv = wc_inventory_load(path, known, wc_names_num, err, sizeof(err));
	free(known);
	if (!inv) {
		ERROR(WC_PLUGIN " plugin: %s", err);
		free(path);
		return -1;
	}
	for (size_t i = 0; i < inv->n_batteries; i++)
		if (wc_config_inv_battery(&inv->batteries[i]) != 0) {
			ERROR(WC_PLUGIN " plugin: %s:%d: battery %s: not "
			      "configured (the cause is logged above)", path,
			      inv->batteries[i].line, inv->batteries[i].name);
			errors++;
		}
	for (size_t i = 0; !errors && i < inv->n_banks; i++)
		if (wc_config_bank(path, inv->bank_line[i], &inv->banks[i]) != 0)
			errors++;
	if (!errors)
		INFO(WC_PLUGIN " plugin: %s: %zu batter%s, %zu bank%s", path,
		     inv->n_batteries, inv->n_batteries == 1 ? "y" : "ies",
		     inv->n_banks, inv->n_banks == 1 ? "" : "s");
	wc_inventory_free(inv);
	free(path);
	return errors ? -1 : 0;
}

/* MaxLinks N: a whole number, 0 (no link is kept) to 64. */
static int wc_config_max_links(oconfig_item_t *c)
{
	double v;

	if (c->values_num != 1 || c->values[0].type != OCONFIG_TYPE_NUMBER ||
	    (v = c->values[0].value.number) < 0 || v > WC_MAX_LINKS_MAX ||
	    v != floor(v)) {
		ERROR(WC_PLUGIN " plugin: MaxLinks: expects a whole number of "
		      "links per adapter from 0 to %d", WC_MAX_LINKS_MAX);
		return -1;
	}
	wc_max_links = (unsigned)v;
	return 0;
}

/* Each <Plugin wattcycle> block calls this once; blocks accumulate. */
static int wc_config(oconfig_item_t *ci)
{
	int errors = 0;

	for (int i = 0; i < ci->children_num; i++) {
		oconfig_item_t *c = &ci->children[i];

		if (strcasecmp(c->key, "MaxLinks") == 0) {
			if (wc_config_max_links(c) != 0)
				errors++;
		} else if (strcasecmp(c->key, "Battery") == 0) {
			if (wc_config_battery(c) != 0)
				errors++;
		} else if (strcasecmp(c->key, "Inventory") == 0) {
			if (wc_config_inventory(c) != 0)
				errors++;
		} else {
			ERROR(WC_PLUGIN " plugin: %s: unknown option (known: "
			      "<Battery \"name\"> blocks, Inventory \"FILE\" "
			      "and MaxLinks)", c->key);
			errors++;
		}
	}
	/* non-zero fails the configuration: `collectd -T` exits 1 */
	return errors ? -1 : 0;
}

/* MaxLinks per adapter: the first batteries (in configuration order) with
 * KeepConnected true keep their links; the others poll by reconnecting,
 * named in one INFO line per adapter. */
static void wc_apply_max_links(void)
{
	bool *done = calloc(wc_bats_num ? wc_bats_num : 1, sizeof(*done));
	char line[1024], here[64], other[64];

	if (!done) {
		ERROR(WC_PLUGIN " plugin: MaxLinks: out of memory; not applied");
		return;
	}
	for (size_t i = 0; i < wc_bats_num; i++) {
		unsigned held = 0, over = 0;
		size_t len;

		if (done[i] || !wc_bats[i]->keep_connected ||
		    strncmp(wc_bats[i]->address, "unix:", 5) == 0)
			continue;
		wc_adapter_name_fn(wc_bats[i]->adapter, here, sizeof(here));
		len = (size_t)snprintf(line, sizeof(line), WC_PLUGIN " plugin: "
				       "MaxLinks %u: %s holds at most %u "
				       "link%s; polled by reconnecting instead "
				       "of KeepConnected:", wc_max_links, here,
				       wc_max_links,
				       wc_max_links == 1 ? "" : "s");
		for (size_t j = i; j < wc_bats_num; j++) {
			struct wc_battery *b = wc_bats[j];

			if (done[j] || !b->keep_connected ||
			    strncmp(b->address, "unix:", 5) == 0 ||
			    strcmp(wc_adapter_name_fn(b->adapter, other,
						      sizeof(other)), here) != 0)
				continue;
			done[j] = true;
			if (held < wc_max_links) {
				held++;
				continue;
			}
			b->keep_connected = false;
			wc_session_set_keep_fn(b->poll, false);
			if (len < sizeof(line))
				len += (size_t)snprintf(line + len,
							sizeof(line) - len,
							"%s %s", over ? "," : "",
							b->name);
			over++;
		}
		if (over)
			INFO("%s", line);
	}
	free(done);
}

static int wc_init(void)
{
	wc_apply_max_links();
	if (wc_names_num == 0)
		NOTICE(WC_PLUGIN " plugin: no <Battery> configured; nothing "
		       "to read");
	else
		INFO(WC_PLUGIN " plugin: %zu batter%s configured", wc_names_num,
		     wc_names_num == 1 ? "y" : "ies");
	return 0;
}

/* The read contexts are freed by collectd (free_func) before this runs
 * (the read threads are joined by then); the name, battery and bank lists
 * are ours. */
static int wc_shutdown(void)
{
	free(wc_names);
	wc_names = NULL;
	wc_names_num = 0;
	wc_max_links = WC_DEFAULT_MAX_LINKS;
	free(wc_bats);
	wc_bats = NULL;
	wc_bats_num = 0;
	for (size_t i = 0; i < wc_banks_num; i++)
		wc_bank_free(wc_banks[i]);
	free(wc_banks);
	wc_banks = NULL;
	wc_banks_num = 0;
	return 0;
}

__attribute__((visibility("default"))) void module_register(void)
{
	plugin_register_complex_config(WC_PLUGIN, wc_config);
	plugin_register_init(WC_PLUGIN, wc_init);
	plugin_register_shutdown(WC_PLUGIN, wc_shutdown);
}
