/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the collectd glue plugin/wattcycle.c, without a daemon:
 * the glue is #included (to reach its statics and seams) together with a
 * fake of the daemon API (fake_collectd.c).  The poll session is replaced
 * through the glue's function pointers by a canned one.
 *
 * Covered: registration, every bad configuration (error naming battery
 * and key, config callback non-zero, nothing registered), defaults and
 * options handed to the poll session, the dispatched identifiers of a
 * good poll against the VALUES table of collectd-wattcycle(5) and types.db, absent fields,
 * a failed poll (online 0, return 0, rate-limited log), notifications. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../plugin/wattcycle.c"
#include "fake_collectd.c"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a canned poll session ------------------------------------------- */

struct fake_poll_canned {
	enum wc_err rc;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
};

static struct {
	struct wc_session_opts opts;  /* the last opts given to wc_session_new */
	char address[256];
	char adapter[64];
	bool has_adapter;
	unsigned news, frees, runs;
	struct fake_poll_canned next;
	bool fail_new;
} fp;

static struct wc_session *fake_poll_new(const struct wc_session_opts *o)
{
	fp.opts = *o;
	snprintf(fp.address, sizeof(fp.address), "%s", o->link.address);
	fp.has_adapter = o->link.adapter != NULL;
	snprintf(fp.adapter, sizeof(fp.adapter), "%s",
		 o->link.adapter ? o->link.adapter : "");
	fp.opts.link.address = fp.address;
	fp.opts.link.adapter = fp.has_adapter ? fp.adapter : NULL;
	fp.opts.name = NULL;
	if (fp.fail_new)
		return NULL;
	fp.news++;
	return malloc(16); /* opaque to the glue; freed by fake_poll_free */
}

/* The batteries MaxLinks turned to reconnecting, in order. */
static struct {
	struct wc_session *p[8];
	size_t n;
} unkept;

static void fake_poll_set_keep(struct wc_session *p, bool keep)
{
	assert_false(keep);
	assert_true(unkept.n < 8);
	unkept.p[unkept.n++] = p;
}

/* Adapters as given, the default one as hci0 (no Bluetooth here). */
static char *fake_adapter_name(const char *adapter, char *buf, size_t len)
{
	snprintf(buf, len, "%s", adapter ? adapter : "hci0");
	return buf;
}

static void fake_poll_free(struct wc_session *p)
{
	if (p)
		fp.frees++;
	free(p);
}

static enum wc_err fake_poll_run(struct wc_session *p, struct wc_poll_result *res,
				 struct wc_diag *d, char *msg, size_t msglen)
{
	assert_non_null(p);
	fp.runs++;
	*res = fp.next.res;
	if (d)
		*d = (struct wc_diag){ .code = fp.next.rc, .a = 0, .b = 0 };
	snprintf(msg, msglen, "%s", fp.next.msg);
	return fp.next.rc;
}

/* ---- configuration trees ---------------------------------------------- */

enum opt_kind { K_STR, K_NUM, K_BOOL, K_NONE };

struct opt {
	const char *key;
	enum opt_kind kind;
	const char *s;
	double n;
	bool b;
};

#define S(k, v) { .key = (k), .kind = K_STR, .s = (v) }
#define N(k, v) { .key = (k), .kind = K_NUM, .n = (v) }
#define B(k, v) { .key = (k), .kind = K_BOOL, .b = (v) }
#define END { .key = NULL }

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static void item_value(oconfig_item_t *it, const struct opt *o)
{
	if (o->kind == K_NONE) {
		it->values = NULL;
		it->values_num = 0;
		return;
	}
	it->values = calloc(1, sizeof(*it->values));
	assert_non_null(it->values);
	it->values_num = 1;
	switch (o->kind) {
	case K_STR:
		it->values[0].type = OCONFIG_TYPE_STRING;
		it->values[0].value.string = xstrdup(o->s);
		break;
	case K_NUM:
		it->values[0].type = OCONFIG_TYPE_NUMBER;
		it->values[0].value.number = o->n;
		break;
	case K_BOOL:
		it->values[0].type = OCONFIG_TYPE_BOOLEAN;
		it->values[0].value.boolean = o->b;
		break;
	case K_NONE:
		break;
	}
}

/* <Battery "name"> with the options up to END. */
static void battery_item(oconfig_item_t *bat, const char *name,
			 const struct opt *opts)
{
	size_t n = 0;
	struct opt nm = S("", name);

	while (opts[n].key)
		n++;
	memset(bat, 0, sizeof(*bat));
	bat->key = xstrdup("Battery");
	item_value(bat, &nm);
	bat->children = calloc(n ? n : 1, sizeof(*bat->children));
	assert_non_null(bat->children);
	bat->children_num = (int)n;
	for (size_t i = 0; i < n; i++) {
		bat->children[i].key = xstrdup(opts[i].key);
		bat->children[i].parent = bat;
		item_value(&bat->children[i], &opts[i]);
	}
}

static void item_free(oconfig_item_t *it)
{
	for (int i = 0; i < it->values_num; i++)
		if (it->values[i].type == OCONFIG_TYPE_STRING)
			free(it->values[i].value.string);
	free(it->values);
	for (int i = 0; i < it->children_num; i++)
		item_free(&it->children[i]);
	free(it->children);
	free(it->key);
}

/* Run the registered config callback on <Plugin wattcycle> holding the
 * given blocks (consumed). */
static int run_config(oconfig_item_t *blocks, size_t n)
{
	oconfig_item_t plugin;
	struct opt nm = S("", "wattcycle");
	int rc;

	memset(&plugin, 0, sizeof(plugin));
	plugin.key = xstrdup("Plugin");
	item_value(&plugin, &nm);
	plugin.children = calloc(n ? n : 1, sizeof(*plugin.children));
	assert_non_null(plugin.children);
	memcpy(plugin.children, blocks, n * sizeof(*blocks));
	plugin.children_num = (int)n;
	assert_non_null(fake.config_cb);
	rc = fake.config_cb(&plugin);
	item_free(&plugin);
	return rc;
}

static int config_one(const char *name, const struct opt *opts)
{
	oconfig_item_t bat;

	battery_item(&bat, name, opts);
	return run_config(&bat, 1);
}

/* A fresh daemon with the plugin loaded. */
static int setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&fp, 0, sizeof(fp));
	wc_session_new_fn = fake_poll_new;
	wc_session_poll_fn = fake_poll_run;
	wc_session_free_fn = fake_poll_free;
	wc_session_set_keep_fn = fake_poll_set_keep;
	wc_adapter_name_fn = fake_adapter_name;
	memset(&unkept, 0, sizeof(unkept));
	module_register();
	return 0;
}

/* Daemon shutdown: reads destroyed (free_func), then shutdown callbacks. */
static int teardown(void **state)
{
	(void)state;
	fake_free_reads();
	if (fake.shutdown_cb)
		fake.shutdown_cb();
	/* every session created was freed exactly once */
	assert_int_equal(fp.news, fp.frees);
	return 0;
}

/* ---- registration and configuration ---------------------------------- */

static void test_module_register(void **state)
{
	(void)state;
	assert_non_null(fake.config_cb);
	assert_string_equal(fake.config_name, "wattcycle");
	assert_non_null(fake.init_cb);
	assert_string_equal(fake.init_name, "wattcycle");
	assert_non_null(fake.shutdown_cb);
	assert_string_equal(fake.shutdown_name, "wattcycle");
	assert_int_equal(fake.reads_num, 0); /* reads come from config */
}

static void test_config_good_defaults(void **state)
{
	static const struct opt opts[] = { S("Address", "unix:/tmp/h1.sock"),
					   END };
	struct wc_battery *b;

	(void)state;
	assert_int_equal(config_one("house1", opts), 0);
	assert_int_equal(fake.reads_num, 1);
	assert_string_equal(fake.reads[0].group, "wattcycle");
	assert_string_equal(fake.reads[0].name, "wattcycle/house1");
	/* Interval defaults to the plugin's interval (10 s here) */
	assert_true(fake.reads[0].interval == TIME_T_TO_CDTIME_T(10));
	assert_non_null(fake.reads[0].ud.free_func);
	b = fake.reads[0].ud.data;
	assert_string_equal(b->name, "house1");
	assert_true(b->report_cells);         /* on by default: 4-16 series */
	assert_false(b->report_alarm_values); /* opt-in: 34 series */
	assert_false(b->keep_connected);
	assert_int_equal(b->offline_after, 3);
	assert_int_equal(b->events.offline_after, 3);
	/* the session got the options */
	assert_int_equal(fp.news, 1);
	assert_string_equal(fp.opts.link.address, "unix:/tmp/h1.sock");
	assert_null(fp.opts.link.adapter);
	assert_int_equal(fp.opts.link.addr_type, WC_ADDR_AUTO);
	assert_int_equal(fp.opts.timeout_ms, 8000);
	assert_false(fp.opts.keep_connected);
	assert_int_equal(fake.init_cb(), 0);
	assert_true(fake_log_has(LOG_INFO, "wattcycle plugin: 1 battery "
					   "configured"));
}

static void test_config_all_options(void **state)
{
	static const struct opt opts[] = {
		S("Address", "c0:d6:3c:52:e4:d9"),
		S("AddressType", "random"),
		S("Adapter", "hci1"),
		N("Interval", 3),
		N("Timeout", 5), /* >= Interval, allowed when kept connected */
		B("KeepConnected", true),
		B("ReportCells", true),
		B("ReportAlarmValues", true),
		N("OfflineAfter", 7),
		END
	};
	struct wc_battery *b;

	(void)state;
	assert_int_equal(config_one("bank_2-a", opts), 0);
	assert_int_equal(fake.reads_num, 1);
	assert_string_equal(fake.reads[0].name, "wattcycle/bank_2-a");
	assert_true(fake.reads[0].interval == TIME_T_TO_CDTIME_T(3));
	b = fake.reads[0].ud.data;
	assert_true(b->report_cells);
	assert_true(b->report_alarm_values);
	assert_true(b->keep_connected);
	assert_int_equal(b->offline_after, 7);
	assert_string_equal(fp.opts.link.address, "c0:d6:3c:52:e4:d9");
	assert_string_equal(fp.opts.link.adapter, "hci1");
	assert_int_equal(fp.opts.link.addr_type, WC_ADDR_RANDOM);
	assert_int_equal(fp.opts.timeout_ms, 5000);
	assert_true(fp.opts.keep_connected);
}

/* A short Interval pulls the default Timeout inside it. */
static void test_config_short_interval(void **state)
{
	static const struct opt opts[] = { S("Address", "unix:/x.sock"),
					   N("Interval", 5), END };

	(void)state;
	assert_int_equal(config_one("b", opts), 0);
	assert_int_equal(fp.opts.timeout_ms, 4000);
	/* and a short plugin interval does the same */
	fake.default_interval = TIME_T_TO_CDTIME_T(2);
	{
		static const struct opt o2[] = { S("Address", "unix:/y.sock"),
						 END };

		assert_int_equal(config_one("c", o2), 0);
		assert_int_equal(fp.opts.timeout_ms, 1600);
		assert_true(fake.reads[1].interval == TIME_T_TO_CDTIME_T(2));
	}
}

/* Every <Plugin wattcycle> block adds to the batteries already there. */
static void test_config_accumulates(void **state)
{
	static const struct opt a[] = { S("Address", "unix:/a.sock"), END };
	static const struct opt b[] = { S("Address", "unix:/b.sock"), END };
	oconfig_item_t two[2];

	(void)state;
	assert_int_equal(config_one("one", a), 0);
	battery_item(&two[0], "two", a);
	battery_item(&two[1], "three", b);
	assert_int_equal(run_config(two, 2), 0);
	assert_int_equal(fake.reads_num, 3);
	assert_string_equal(fake.reads[2].name, "wattcycle/three");
	/* a name from an earlier block is still taken */
	assert_int_not_equal(config_one("ONE", b), 0);
	assert_true(fake_log_has(LOG_ERR, "wattcycle plugin: ONE: Battery: "
					  "this name is already configured"));
	assert_int_equal(fake.reads_num, 3);
	assert_int_equal(fake.init_cb(), 0);
	assert_true(fake_log_has(LOG_INFO, "3 batteries configured"));
}

struct bad_case {
	const char *what;
	const char *name;
	struct opt opts[6];
	const char *want; /* a log line must contain this */
};

static const struct bad_case bad_cases[] = {
	{ "unknown key", "house1", { S("Address", "unix:/s"), N("Foo", 1), END },
	  "wattcycle plugin: house1: Foo: unknown option" },
	{ "missing Address", "house1", { N("Interval", 10), END },
	  "wattcycle plugin: house1: Address: missing" },
	{ "malformed Address", "house1", { S("Address", "C0:D6:3C:52:E4"), END },
	  "wattcycle plugin: house1: Address: \"C0:D6:3C:52:E4\" is not valid" },
	{ "Address not a string", "house1", { N("Address", 12), END },
	  "wattcycle plugin: house1: Address: expects one string" },
	{ "empty unix path", "house1", { S("Address", "unix:"), END },
	  "wattcycle plugin: house1: Address: \"unix:\" is not valid" },
	{ "bad AddressType", "house1",
	  { S("Address", "unix:/s"), S("AddressType", "static"), END },
	  "wattcycle plugin: house1: AddressType: \"static\" is not one of "
	  "auto, public, random" },
	{ "Timeout >= Interval", "house1",
	  { S("Address", "unix:/s"), N("Interval", 10), N("Timeout", 10), END },
	  "wattcycle plugin: house1: Timeout: 10.000 s is not less than "
	  "Interval 10.000 s" },
	{ "Timeout > default Interval", "house1",
	  { S("Address", "unix:/s"), N("Timeout", 12), B("KeepConnected", false),
	    END },
	  "wattcycle plugin: house1: Timeout: 12.000 s is not less than "
	  "Interval 10.000 s" },
	{ "Interval zero", "house1",
	  { S("Address", "unix:/s"), N("Interval", 0), END },
	  "wattcycle plugin: house1: Interval: expects a positive number" },
	{ "Interval a string", "house1",
	  { S("Address", "unix:/s"), S("Interval", "ten"), END },
	  "wattcycle plugin: house1: Interval: expects a positive number" },
	{ "Timeout negative", "house1",
	  { S("Address", "unix:/s"), N("Timeout", -1), END },
	  "wattcycle plugin: house1: Timeout: expects a positive number" },
	{ "KeepConnected not boolean", "house1",
	  { S("Address", "unix:/s"), N("KeepConnected", 1), END },
	  "wattcycle plugin: house1: KeepConnected: expects true or false" },
	{ "ReportCells not boolean", "house1",
	  { S("Address", "unix:/s"), S("ReportCells", "maybe"), END },
	  "wattcycle plugin: house1: ReportCells: expects true or false" },
	{ "ReportAlarmValues not boolean", "house1",
	  { S("Address", "unix:/s"), N("ReportAlarmValues", 0), END },
	  "wattcycle plugin: house1: ReportAlarmValues: expects true or false" },
	{ "OfflineAfter zero", "house1",
	  { S("Address", "unix:/s"), N("OfflineAfter", 0), END },
	  "wattcycle plugin: house1: OfflineAfter: expects a number of polls" },
	{ "SupervisionTimeout below 100 ms", "house1",
	  { S("Address", "unix:/s"), N("SupervisionTimeout", 50), END },
	  "wattcycle plugin: house1: SupervisionTimeout: 50 is out of range: "
	  "expects milliseconds from 100 to 32000 in steps of 10" },
	{ "SupervisionTimeout above 32000 ms", "house1",
	  { S("Address", "unix:/s"), N("SupervisionTimeout", 32010), END },
	  "wattcycle plugin: house1: SupervisionTimeout: 32010 is out of "
	  "range: expects milliseconds from 100 to 32000" },
	{ "SupervisionTimeout not in 10 ms steps", "house1",
	  { S("Address", "unix:/s"), N("SupervisionTimeout", 2005), END },
	  "wattcycle plugin: house1: SupervisionTimeout: 2005 is out of range" },
	{ "SupervisionTimeout a string", "house1",
	  { S("Address", "unix:/s"), S("SupervisionTimeout", "2s"), END },
	  "wattcycle plugin: house1: SupervisionTimeout: expects one number of "
	  "milliseconds from 100 to 32000" },
	{ "Adapter empty", "house1",
	  { S("Address", "unix:/s"), S("Adapter", ""), END },
	  "wattcycle plugin: house1: Adapter: expects an adapter name" },
	{ "name with space", "house 1", { S("Address", "unix:/s"), END },
	  "wattcycle plugin: house 1: Battery: the name must be" },
	{ "name with dot", "house.1", { S("Address", "unix:/s"), END },
	  "wattcycle plugin: house.1: Battery: the name must be" },
	{ "name with slash", "a/b", { S("Address", "unix:/s"), END },
	  "wattcycle plugin: a/b: Battery: the name must be" },
	{ "empty name", "", { S("Address", "unix:/s"), END },
	  "wattcycle plugin: : Battery: the name must be" },
	{ "name too long",
	  "a123456789b123456789c123456789d123456789e123456789f123456789g123",
	  { S("Address", "unix:/s"), END },
	  "wattcycle plugin: a123456789b123456789c123456789d123456789e123456789"
	  "f123456789g123: Battery: the name must be 1 to 63" },
};

/* Each bad configuration: non-zero from the config callback, an ERROR
 * naming the battery and the key, nothing registered, nothing leaked. */
static void test_config_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		int rc;

		fake_clear_records();
		wc_shutdown(); /* forget the names of earlier cases */
		rc = config_one(c->name, c->opts);
		if (rc == 0)
			fail_msg("case %zu (%s): config accepted", i, c->what);
		if (!fake_log_has(LOG_ERR, c->want)) {
			for (size_t j = 0; j < fake.logs_num; j++)
				print_error("  log: %s\n", fake.logs[j].msg);
			fail_msg("case %zu (%s): no ERROR containing \"%s\"", i,
				 c->what, c->want);
		}
		if (fake.reads_num != 0)
			fail_msg("case %zu (%s): a read was registered", i,
				 c->what);
	}
	assert_int_equal(fp.news, fp.frees);
}

/* SupervisionTimeout reaches the link options; unset it is 0 (the
 * kernel's). */
static void test_config_supervision(void **state)
{
	static const struct opt with[] = { S("Address", "C0:D6:3C:52:E4:D9"),
					   N("SupervisionTimeout", 2000), END };
	static const struct opt without[] = { S("Address", "C0:D6:3C:52:E4:DA"),
					      END };

	(void)state;
	assert_int_equal(config_one("a", with), 0);
	assert_int_equal(fp.opts.link.supervision_ms, 2000);
	assert_int_equal(config_one("b", without), 0);
	assert_int_equal(fp.opts.link.supervision_ms, 0);
}

static void max_links_item(oconfig_item_t *it, double n)
{
	struct opt v = N("", n);

	memset(it, 0, sizeof(*it));
	it->key = xstrdup("MaxLinks");
	item_value(it, &v);
}

/* MaxLinks 2: of three KeepConnected batteries through hci0 the first two
 * keep their links, the third polls by reconnecting, named in one INFO
 * line; hci1's battery, a unix one and a reconnecting one are not
 * counted against hci0.  MaxLinks may come after the batteries. */
static void test_max_links(void **state)
{
	static const char *const names[] = { "k1", "k2", "k3", "other", "sim",
					     "plain" };
	static const struct opt k[] = { S("Address", "C0:D6:3C:52:E4:D1"),
					S("Adapter", "hci0"),
					B("KeepConnected", true), END };
	static const struct opt dflt[] = { S("Address", "C0:D6:3C:52:E4:D3"),
					   B("KeepConnected", true), END };
	static const struct opt o1[] = { S("Address", "C0:D6:3C:52:E4:D4"),
					 S("Adapter", "hci1"),
					 B("KeepConnected", true), END };
	static const struct opt sim[] = { S("Address", "unix:/s"),
					  B("KeepConnected", true), END };
	static const struct opt plain[] = { S("Address", "C0:D6:3C:52:E4:D5"),
					    S("Adapter", "hci0"), END };
	const struct opt *opts[] = { k, k, dflt, o1, sim, plain };
	oconfig_item_t items[7];
	struct wc_battery *b3;

	(void)state;
	for (size_t i = 0; i < 6; i++)
		battery_item(&items[i], names[i], opts[i]);
	max_links_item(&items[6], 2);
	assert_int_equal(run_config(items, 7), 0);
	assert_int_equal(fake.reads_num, 6);
	assert_int_equal(fake.init_cb(), 0);
	b3 = fake.reads[2].ud.data;
	assert_int_equal(unkept.n, 1);
	assert_ptr_equal(unkept.p[0], b3->poll);
	assert_false(b3->keep_connected);
	assert_true(((struct wc_battery *)fake.reads[0].ud.data)->keep_connected);
	assert_true(((struct wc_battery *)fake.reads[3].ud.data)->keep_connected);
	assert_true(fake_log_has(LOG_INFO, "wattcycle plugin: MaxLinks 2: hci0 "
				 "holds at most 2 links; polled by reconnecting "
				 "instead of KeepConnected: k3"));
	assert_int_equal(fake_log_count("MaxLinks"), 1);
}

/* MaxLinks: a whole number from 0 to 64, else an ERROR naming it. */
static void test_max_links_bad(void **state)
{
	static const double bad[] = { -1, 65, 2.5 };
	oconfig_item_t it;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		fake_clear_records();
		max_links_item(&it, bad[i]);
		assert_int_not_equal(run_config(&it, 1), 0);
		assert_true(fake_log_has(LOG_ERR, "wattcycle plugin: MaxLinks: "
					 "expects a whole number of links per "
					 "adapter from 0 to 64"));
	}
}

static void test_config_bad_structure(void **state)
{
	static const struct opt ok[] = { S("Address", "unix:/s"), END };
	oconfig_item_t items[3];
	struct opt num = N("", 5);

	(void)state;
	/* an option directly in <Plugin wattcycle> */
	memset(&items[0], 0, sizeof(items[0]));
	items[0].key = xstrdup("Address");
	item_value(&items[0], &(struct opt)S("", "unix:/s"));
	/* a <Battery> whose name is a number */
	battery_item(&items[1], "x", ok);
	free(items[1].values[0].value.string);
	free(items[1].values);
	item_value(&items[1], &num);
	/* a good one among them still fails the whole configuration, but
	 * is registered (collectd stops anyway) */
	battery_item(&items[2], "good", ok);
	assert_int_not_equal(run_config(items, 3), 0);
	assert_true(fake_log_has(LOG_ERR, "wattcycle plugin: Address: unknown "
					  "option"));
	assert_true(fake_log_has(LOG_ERR, "wattcycle plugin: <Battery>: "
					  "expects exactly one string"));
	assert_int_equal(fake.reads_num, 1);

	/* duplicates in one block */
	{
		oconfig_item_t dup[2];

		fake_clear_records();
		battery_item(&dup[0], "twin", ok);
		battery_item(&dup[1], "twin", ok);
		assert_int_not_equal(run_config(dup, 2), 0);
		assert_true(fake_log_has(LOG_ERR, "wattcycle plugin: twin: "
						  "Battery: this name is "
						  "already configured"));
		assert_int_equal(fake.reads_num, 2);
	}
}

/* Several bad options in one block are all reported. */
static void test_config_reports_every_error(void **state)
{
	static const struct opt opts[] = { S("AddressType", "x"), N("Bar", 1),
					   N("OfflineAfter", -2), END };

	(void)state;
	assert_int_not_equal(config_one("house1", opts), 0);
	assert_true(fake_log_has(LOG_ERR, "house1: AddressType:"));
	assert_true(fake_log_has(LOG_ERR, "house1: Bar: unknown option"));
	assert_true(fake_log_has(LOG_ERR, "house1: OfflineAfter:"));
}

static void test_config_session_fails(void **state)
{
	static const struct opt opts[] = { S("Address", "unix:/s"), END };

	(void)state;
	fp.fail_new = true;
	assert_int_not_equal(config_one("house1", opts), 0);
	assert_true(fake_log_has(LOG_ERR, "wattcycle plugin: house1: cannot "
					  "create the poll session"));
	assert_int_equal(fake.reads_num, 0);
}

/* ---- reads ------------------------------------------------------------- */

/* 4S, 2 probes, everything reported, DSG OCP active, discharge MOSFET
 * off, cell 2 balancing. */
static void canned_full(struct wc_poll_result *r)
{
	static const double cells[] = { 3.301, 3.305, 3.312, 3.290 };
	struct wc_sample *s = &r->sample;

	memset(r, 0, sizeof(*r));
	s->n_cells = 4;
	memcpy(s->cell_v, cells, sizeof(cells));
	wc_set(s, WC_F_CELLS);
	s->temp_mos_c = 25.5;
	wc_set(s, WC_F_TEMP_MOS);
	s->temp_env_c = 22.0;
	wc_set(s, WC_F_TEMP_ENV);
	s->n_probes = 2;
	s->probe_c[0] = 21.0;
	s->probe_c[1] = 21.5;
	wc_set(s, WC_F_PROBES);
	s->current_a = -152.3;
	wc_set(s, WC_F_CURRENT);
	s->voltage_v = 13.21;
	wc_set(s, WC_F_VOLTAGE);
	s->power_w = 13.21 * -152.3;
	wc_set(s, WC_F_POWER);
	s->remaining_ah = 183.4;
	wc_set(s, WC_F_REMAINING);
	s->full_ah = 314.0;
	wc_set(s, WC_F_FULL);
	s->cycles = 5;
	wc_set(s, WC_F_CYCLES);
	s->design_ah = 314.0;
	wc_set(s, WC_F_DESIGN);
	s->soc_pct = 58;
	wc_set(s, WC_F_SOC);
	s->soh_pct = 99;
	wc_set(s, WC_F_SOH);
	s->regs.n_cells = 4;
	s->regs.n_temps = 4;
	wc_alarm_apply(wc_alarm_by_id("chg_on"), &s->regs, true);
	wc_alarm_apply(wc_alarm_by_id("dsg_ocp"), &s->regs, true);
	wc_alarm_apply(wc_alarm_by_id("cell_ov_alarm"), &s->regs, true);
	s->charge_mos = true;
	s->discharge_mos = false;
	s->balancing = 1u << 1;
	wc_set(s, WC_F_STATUS);
	r->has_rssi = true;
	r->rssi_dbm = -67;
	r->poll_s = 0.75;
	r->link_kind = "unix";
}

struct want_value {
	const char *id; /* "type-type_instance" */
	double value;
};

/* The VALUES table of collectd-wattcycle(5) for canned_full(), in dispatch order. */
static const struct want_value want_full[] = {
	{ "voltage-pack", 13.21 },
	{ "voltage-cell01", 3.301 },
	{ "voltage-cell02", 3.305 },
	{ "voltage-cell03", 3.312 },
	{ "voltage-cell04", 3.290 },
	{ "voltage-cell_min", 3.290 },
	{ "voltage-cell_max", 3.312 },
	{ "voltage-cell_delta", 0.022 },
	{ "current-pack", -152.3 },
	{ "power-pack", 13.21 * -152.3 },
	{ "percent-soc", 58 },
	{ "percent-soh", 99 },
	{ "charge-remaining", 183.4 },
	{ "charge-full", 314.0 },
	{ "charge-design", 314.0 },
	{ "count-cycles", 5 },
	{ "temperature-mos", 25.5 },
	{ "temperature-env", 22.0 },
	{ "temperature-probe1", 21.0 },
	{ "temperature-probe2", 21.5 },
	{ "bool-chg_on", 1 },
	{ "bool-dsg_on", 0 },
	{ "bool-balancing", 1 },
	/* every protection / alarm / fault code, in table order */
	{ "bool-chg_ot_alarm", 0 },
	{ "bool-dsg_ot_alarm", 0 },
	{ "bool-chg_ut_alarm", 0 },
	{ "bool-dsg_ut_alarm", 0 },
	{ "bool-env_ot_alarm", 0 },
	{ "bool-env_ut_alarm", 0 },
	{ "bool-mos_ot_alarm", 0 },
	{ "bool-cell_ovp", 0 },
	{ "bool-cell_uvp", 0 },
	{ "bool-pack_ovp", 0 },
	{ "bool-pack_uvp", 0 },
	{ "bool-chg_ocp", 0 },
	{ "bool-dsg_ocp", 1 },
	{ "bool-hw_protect", 0 },
	{ "bool-high_chg_volt", 0 },
	{ "bool-chg_otp", 0 },
	{ "bool-dsg_otp", 0 },
	{ "bool-chg_utp", 0 },
	{ "bool-dsg_utp", 0 },
	{ "bool-mos_otp", 0 },
	{ "bool-env_otp", 0 },
	{ "bool-env_utp", 0 },
	{ "bool-chg_mos_fault", 0 },
	{ "bool-dsg_mos_fault", 0 },
	{ "bool-temp_fault", 0 },
	{ "bool-cells_fault", 0 },
	{ "bool-cell_ov_alarm", 1 },
	{ "bool-cell_uv_alarm", 0 },
	{ "bool-pack_ov_alarm", 0 },
	{ "bool-pack_uv_alarm", 0 },
	{ "bool-chg_oc_alarm", 0 },
	{ "bool-dsg_oc_alarm", 0 },
	{ "bool-hw_protect_alarm", 0 },
	{ "bool-high_chg_volt_alarm", 0 },
	{ "count-protections", 1 },
	{ "count-alarms", 1 },
	{ "count-faults", 0 },
	{ "bool-online", 1 },
	{ "signal_power-rssi", -67 },
	{ "duration-poll", 0.75 },
	/* the energy totals: nothing integrated at a first poll */
	{ "energy_wh-charged", 0 },
	{ "energy_wh-discharged", 0 },
};

static void value_id(const struct fake_value *v, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", v->vl.type, v->vl.type_instance);
}

/* The recorded values equal want[] (ids, order, values), all from one
 * battery, one timestamp and one interval, each of a types.db type with
 * one data source and finite. */
static void check_values(const struct want_value *want, size_t n,
			 const char *battery, cdtime_t interval)
{
	char id[2 * DATA_MAX_NAME_LEN];

	if (fake.values_num != n) {
		for (size_t i = 0; i < fake.values_num; i++) {
			value_id(&fake.values[i], id, sizeof(id));
			print_error("  got %s\n", id);
		}
		fail_msg("%zu values dispatched, want %zu", fake.values_num, n);
	}
	for (size_t i = 0; i < n; i++) {
		const struct fake_value *v = &fake.values[i];

		value_id(v, id, sizeof(id));
		if (strcmp(id, want[i].id) != 0)
			fail_msg("value %zu is %s, want %s", i, id, want[i].id);
		if (!v->types_ok)
			fail_msg("%s: type not in types.db or wrong number of "
				 "values", id);
		assert_int_equal(v->vl.values_len, 1);
		assert_true(isfinite(v->vl.values[0].gauge));
		if (fabs(v->vl.values[0].gauge - want[i].value) > 1e-9)
			fail_msg("%s = %.9g, want %.9g", id,
				 v->vl.values[0].gauge, want[i].value);
		assert_string_equal(v->vl.plugin, "wattcycle");
		assert_string_equal(v->vl.plugin_instance, battery);
		assert_true(v->vl.time == fake.values[0].vl.time);
		assert_true(v->vl.time != 0);
		assert_true(v->vl.interval == interval);
	}
}

static struct fake_read *configure(const char *name, const struct opt *opts)
{
	char cb[DATA_MAX_NAME_LEN];
	struct fake_read *r;

	assert_int_equal(config_one(name, opts), 0);
	snprintf(cb, sizeof(cb), "wattcycle/%s", name);
	r = fake_read_find(cb);
	assert_non_null(r);
	fake_clear_records();
	return r;
}

static const struct opt plain_opts[] = { S("Address", "unix:/tmp/h.sock"),
					 N("Interval", 10), END };
/* every row of the value table, the cells and per-code flags included */
static const struct opt full_opts[] = { S("Address", "unix:/tmp/h.sock"),
					N("Interval", 10),
					B("ReportCells", true),
					B("ReportAlarmValues", true), END };
static const struct opt cells_opts[] = { S("Address", "unix:/tmp/h.sock"),
					 N("Interval", 10),
					 B("ReportCells", true), END };

static void test_read_full(void **state)
{
	struct fake_read *r = configure("house1", full_opts);

	(void)state;
	canned_full(&fp.next.res);
	fp.next.rc = WC_OK;
	assert_int_equal(fake_run_read(r), 0);
	assert_int_equal(fp.runs, 1);
	check_values(want_full, ARRAY_LEN(want_full), "house1",
		     TIME_T_TO_CDTIME_T(10));
	assert_int_equal(fake.values_dropped, 0);
	/* codes active at the first poll: reported once, with meta */
	assert_int_equal(fake.notifs_num, 3);
	{
		const struct fake_notif *n = &fake.notifs[0];

		assert_int_equal(n->n.severity, NOTIF_FAILURE);
		assert_true(n->n.time == fake.values[0].vl.time);
		assert_string_equal(n->n.host, "testhost");
		assert_string_equal(n->n.plugin, "wattcycle");
		assert_string_equal(n->n.plugin_instance, "house1");
		assert_string_equal(n->n.type, "bool");
		assert_string_equal(n->n.type_instance, "dsg_ocp");
		assert_string_equal(n->n.message,
				    "house1: DSG OCP(A) \xE2\x80\x94 "
				    "Over-current during discharging (protection "
				    "dsg_ocp; current -152.3 A; discharge MOSFET "
				    "off)");
		assert_string_equal(fake_notif_meta(n, "id"), "dsg_ocp");
		assert_string_equal(fake_notif_meta(n, "class"), "protection");
		assert_string_equal(fake_notif_meta(n, "register"), "status1");
	}
	assert_int_equal(fake.notifs[1].n.severity, NOTIF_WARNING);
	assert_string_equal(fake.notifs[1].n.type_instance, "cell_ov_alarm");
	assert_int_equal(fake.notifs[2].n.severity, NOTIF_WARNING);
	assert_string_equal(fake.notifs[2].n.type_instance, "dsg_on");
	assert_string_equal(fake.notifs[2].n.message,
			    "house1: discharge MOSFET off (active: DSG OCP(A))");
	assert_string_equal(fake_notif_meta(&fake.notifs[2], "class"), "state");

	/* the same poll again: values again, no notification; 10 s at
	 * 13.21 V x -152.3 A = -2011.883 W: 5.588564 Wh discharged */
	fake_clear_records();
	fake.now += TIME_T_TO_CDTIME_T(10);
	assert_int_equal(fake_run_read(r), 0);
	{
		struct want_value again[ARRAY_LEN(want_full)];

		memcpy(again, want_full, sizeof(again));
		again[ARRAY_LEN(again) - 1].value = 13.21 * 152.3 * 10 / 3600;
		check_values(again, ARRAY_LEN(again), "house1",
			     TIME_T_TO_CDTIME_T(10));
	}
	assert_true(fake.values[0].vl.time == fake.now);
	assert_int_equal(fake.notifs_num, 0);
}

/* Only what the battery reported: a sample with cells and pack voltage,
 * no status, no temperatures, no RSSI. */
static void test_read_absent_fields(void **state)
{
	static const struct want_value want[] = {
		{ "voltage-pack", 6.6 },
		{ "voltage-cell01", 3.3 },
		{ "voltage-cell02", 3.3 },
		{ "voltage-cell_min", 3.3 },
		{ "voltage-cell_max", 3.3 },
		{ "voltage-cell_delta", 0 },
		{ "percent-soc", 40 },
		{ "bool-online", 1 },
		{ "duration-poll", 0.25 },
	};
	struct fake_read *r = configure("b2", cells_opts);
	struct wc_sample *s = &fp.next.res.sample;

	(void)state;
	memset(&fp.next, 0, sizeof(fp.next));
	s->n_cells = 2;
	s->cell_v[0] = s->cell_v[1] = 3.3;
	wc_set(s, WC_F_CELLS);
	s->voltage_v = 6.6;
	wc_set(s, WC_F_VOLTAGE);
	s->soc_pct = 40;
	wc_set(s, WC_F_SOC);
	/* NaN in a present field is never dispatched */
	s->current_a = NAN;
	wc_set(s, WC_F_CURRENT);
	/* stale numbers in absent fields are never dispatched either */
	s->soh_pct = 77;
	s->temp_mos_c = 30;
	s->n_probes = 3;
	s->regs.status1 = 0xFF;
	fp.next.res.poll_s = 0.25;
	assert_int_equal(fake_run_read(r), 0);
	check_values(want, ARRAY_LEN(want), "b2", TIME_T_TO_CDTIME_T(10));
	assert_int_equal(fake.notifs_num, 0);
}

/* ReportCells false: no voltage-cellNN (min/max/delta stay); without
 * ReportAlarmValues (the default) no per-code flags (MOSFETs, balancing
 * and the counts stay). */
static void test_read_report_options(void **state)
{
	static const struct opt opts[] = { S("Address", "unix:/s"),
					   B("ReportCells", false), END };
	struct fake_read *r = configure("quiet", opts);
	struct want_value want[ARRAY_LEN(want_full)];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(want_full); i++) {
		const char *id = want_full[i].id;
		const char *ti = strchr(id, '-') + 1;
		const struct wc_alarm *a = wc_alarm_by_id(ti);

		if (strncmp(id, "voltage-cell", 12) == 0 && ti[4] >= '0' &&
		    ti[4] <= '9')
			continue;
		if (strncmp(id, "bool-", 5) == 0 && a &&
		    a->cls != WC_CLASS_STATE)
			continue;
		want[n++] = want_full[i];
	}
	assert_int_equal(n, ARRAY_LEN(want_full) - 4 - 34);
	canned_full(&fp.next.res);
	assert_int_equal(fake_run_read(r), 0);
	check_values(want, n, "quiet", TIME_T_TO_CDTIME_T(10));
	/* notifications do not depend on ReportAlarmValues */
	assert_int_equal(fake.notifs_num, 3);
}

/* The mapping is a plain function: a 32-cell, 30-probe sample with every
 * code set fits the value table without a drop. */
static void test_sample_values_capacity(void **state)
{
	struct wc_battery b;
	struct wc_poll_result res;
	struct wc_metric v[WC_METRICS_MAX];
	size_t n;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.report_cells = true;
	b.report_alarm_values = true;
	canned_full(&res);
	res.sample.n_cells = WC_MAX_CELLS;
	res.sample.n_probes = WC_MAX_PROBES;
	for (size_t i = 0; i < wc_alarm_count; i++)
		if (wc_alarm_in_family(&wc_alarms[i], WC_FAMILY_WATT))
			wc_alarm_apply(&wc_alarms[i], &res.sample.regs, true);
	n = wc_sample_values(&b, &res, v, WC_METRICS_MAX);
	/* 1 + 32 + 3 + 2 + 2 + 3 + 1 + 2 + 30 + 2 + 1 + 34 + 3 + 3 */
	assert_int_equal(n, 119);
	assert_string_equal(v[32].type_instance, "cell32");
	assert_string_equal(v[n - 1].type_instance, "poll");
	/* count-faults: all four fault codes are set */
	assert_string_equal(v[n - 4].type_instance, "faults");
	assert_true(v[n - 4].value == 4.0);
}

static void test_read_failure(void **state)
{
	static const struct opt opts[] = { S("Address", "unix:/tmp/none.sock"),
					   N("Interval", 10),
					   B("ReportCells", true),
					   B("ReportAlarmValues", true),
					   N("OfflineAfter", 3), END };
	struct fake_read *r = configure("house1", opts);
	unsigned logged;

	(void)state;
	memset(&fp.next, 0, sizeof(fp.next));
	fp.next.rc = WC_E_IO;
	snprintf(fp.next.msg, sizeof(fp.next.msg),
		 "connect: no such socket /tmp/none.sock");
	for (int i = 1; i <= 6; i++) {
		size_t before_notifs = fake.notifs_num;

		fake.values_num = 0;
		/* never non-zero: no exponential backoff */
		assert_int_equal(fake_run_read(r), 0);
		assert_int_equal(fake.values_num, 1);
		assert_string_equal(fake.values[0].vl.type, "bool");
		assert_string_equal(fake.values[0].vl.type_instance, "online");
		assert_string_equal(fake.values[0].vl.plugin_instance, "house1");
		assert_true(fake.values[0].v[0].gauge == 0.0);
		assert_true(fake.values[0].types_ok);
		assert_true(fake.values[0].vl.time == fake.now);
		/* the FAILURE comes exactly at the third failure */
		assert_int_equal(fake.notifs_num - before_notifs, i == 3);
		fake.now += TIME_T_TO_CDTIME_T(10);
	}
	assert_int_equal(fake.notifs_num, 1);
	assert_int_equal(fake.notifs[0].n.severity, NOTIF_FAILURE);
	assert_string_equal(fake.notifs[0].n.type, "bool");
	assert_string_equal(fake.notifs[0].n.type_instance, "online");
	assert_string_equal(fake.notifs[0].n.host, "testhost");
	assert_true(fake.notifs[0].n.time != 0);
	assert_string_equal(fake.notifs[0].n.message,
			    "house1: unreachable for 3 polls (last error: "
			    "connect: no such socket /tmp/none.sock)");
	assert_string_equal(fake_notif_meta(&fake.notifs[0], "id"), "online");
	assert_string_equal(fake_notif_meta(&fake.notifs[0], "class"), "link");
	assert_null(fake_notif_meta(&fake.notifs[0], "register"));

	/* logged at ERROR, but not once per poll */
	logged = (unsigned)fake_log_count("wattcycle plugin: house1: poll "
					  "failed: connect: no such socket "
					  "/tmp/none.sock");
	assert_true(logged >= 1 && logged < 6);
	assert_true(fake_log_has(LOG_ERR, "wattcycle plugin: house1: poll "
					  "failed: "));

	/* back: values, one OKAY, one release line */
	canned_full(&fp.next.res);
	fp.next.rc = WC_OK;
	fake_clear_records();
	assert_int_equal(fake_run_read(r), 0);
	check_values(want_full, ARRAY_LEN(want_full), "house1",
		     TIME_T_TO_CDTIME_T(10));
	assert_true(fake.notifs_num >= 1);
	assert_int_equal(fake.notifs[0].n.severity, NOTIF_OKAY);
	assert_string_equal(fake.notifs[0].n.type_instance, "online");
	assert_string_equal(fake.notifs[0].n.message,
			    "house1: reachable again after 6 failed polls");
	assert_int_equal(fake_log_count("wattcycle plugin: house1: poll "
					"succeeded again"), 1);
}

/* A failure without a message still logs a cause. */
static void test_read_failure_no_message(void **state)
{
	struct fake_read *r = configure("b", plain_opts);

	(void)state;
	memset(&fp.next, 0, sizeof(fp.next));
	fp.next.rc = WC_E_TIMEOUT;
	assert_int_equal(fake_run_read(r), 0);
	assert_true(fake_log_has(LOG_ERR, "wattcycle plugin: b: poll failed: "));
	assert_false(fake_log_has(LOG_ERR, "poll failed: \n"));
	for (size_t i = 0; i < fake.logs_num; i++)
		if (strstr(fake.logs[i].msg, "poll failed: "))
			assert_true(strlen(strstr(fake.logs[i].msg,
						  "poll failed: ")) >
				    strlen("poll failed: "));
}

/* Batteries are independent: one failing does not touch the other. */
static void test_two_batteries(void **state)
{
	static const struct opt o1[] = { S("Address", "unix:/1"),
					 N("Interval", 1), N("Timeout", 0.5),
					 B("ReportCells", true),
					 B("ReportAlarmValues", true),
					 N("OfflineAfter", 1), END };
	static const struct opt o2[] = { S("Address", "unix:/2"),
					 N("Interval", 3), B("ReportCells", true),
					 B("ReportAlarmValues", true), END };
	struct fake_read *r1, *r2;

	(void)state;
	assert_int_equal(config_one("one", o1), 0);
	assert_int_equal(config_one("two", o2), 0);
	r1 = fake_read_find("wattcycle/one");
	r2 = fake_read_find("wattcycle/two");
	assert_true(r1->interval == TIME_T_TO_CDTIME_T(1));
	assert_true(r2->interval == TIME_T_TO_CDTIME_T(3));
	fake_clear_records();
	fp.next.rc = WC_E_CLOSED;
	snprintf(fp.next.msg, sizeof(fp.next.msg), "peer closed");
	assert_int_equal(fake_run_read(r1), 0);
	assert_int_equal(fake.notifs_num, 1);
	assert_string_equal(fake.notifs[0].n.plugin_instance, "one");
	canned_full(&fp.next.res);
	fp.next.rc = WC_OK;
	fake_clear_records();
	assert_int_equal(fake_run_read(r2), 0);
	check_values(want_full, ARRAY_LEN(want_full), "two",
		     TIME_T_TO_CDTIME_T(3));
	/* two's first poll: its own codes, no "online" OKAY (one's state) */
	for (size_t i = 0; i < fake.notifs_num; i++)
		assert_string_not_equal(fake.notifs[i].n.type_instance, "online");
}

/* ---- the documentation agrees with the code ----------------------------- */

/* A file of the source tree, found from this test's own path (the suites
 * run from the top of the tree). */
static char *slurp(const char *rel)
{
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	int dir = slash ? (int)(slash - __FILE__) : 1;
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%.*s/../../%s", dir,
		 slash ? __FILE__ : ".", rel);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* roff writes '-' as "\-". */
static bool man_has(const char *man, const char *text)
{
	char esc[256];
	size_t j = 0;

	for (size_t i = 0; text[i] && j + 3 < sizeof(esc); i++) {
		if (text[i] == '-')
			esc[j++] = '\\';
		esc[j++] = text[i];
	}
	esc[j] = '\0';
	return strstr(man, esc) != NULL;
}

static const char *const option_keys[] = {
	"Address", "AddressType", "Adapter", "Interval", "Timeout",
	"KeepConnected", "ReportCells", "ReportAlarmValues", "OfflineAfter",
	"SupervisionTimeout", "MaxLinks",
};

/* The man page lists exactly the codes of wc_alarms[], every option and
 * every identifier; the example conf shows every option. */
/* Inventory "FILE": its batteries configured as <Battery> blocks would
 * be (every key), its bank wired to them, the bank's values sent once both
 * members were polled; a bad inventory fails the configuration with
 * FILE:LINE: reason. */
static char *inventory_file(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/wc_glue_inv_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int config_inventory(const char *path)
{
	static const struct opt inv = S("Inventory", "");
	oconfig_item_t it;
	struct opt o = inv;

	memset(&it, 0, sizeof(it));
	it.key = xstrdup("Inventory");
	o.s = path;
	item_value(&it, &o);
	return run_config(&it, 1);
}

static const struct fake_value *value_of(const char *instance,
					 const char *id)
{
	char got[2 * DATA_MAX_NAME_LEN];

	for (size_t i = 0; i < fake.values_num; i++) {
		value_id(&fake.values[i], got, sizeof(got));
		if (strcmp(fake.values[i].vl.plugin_instance, instance) == 0 &&
		    strcmp(got, id) == 0)
			return &fake.values[i];
	}
	return NULL;
}

static void test_inventory(void **state)
{
	char *path = inventory_file(
		"batteries = (\n"
		"  { name = \"b1\"; address = \"unix:/tmp/b1.sock\";\n"
		"    address_type = \"random\"; adapter = \"hci1\"; interval = 5;\n"
		"    timeout = 2.5; keep_connected = true; report_cells = false;\n"
		"    report_alarm_values = true; offline_after = 4; },\n"
		"  { name = \"b2\"; address = \"unix:/tmp/b2.sock\"; }\n"
		");\n"
		"banks = ( { name = \"h\"; strings = ( [\"b1\"], [\"b2\"] ); } );\n");
	struct fake_read *r1, *r2;
	struct wc_battery *b1, *b2;
	const struct fake_value *v;

	(void)state;
	assert_int_equal(config_inventory(path), 0);
	unlink(path);
	r1 = fake_read_find("wattcycle/b1");
	r2 = fake_read_find("wattcycle/b2");
	assert_non_null(r1);
	assert_non_null(r2);
	b1 = r1->ud.data;
	b2 = r2->ud.data;
	assert_true(r1->interval == TIME_T_TO_CDTIME_T(5));
	assert_true(b1->timeout == MS_TO_CDTIME_T(2500));
	assert_true(b1->keep_connected);
	assert_false(b1->report_cells);
	assert_true(b1->report_alarm_values);
	assert_int_equal(b1->offline_after, 4);
	assert_int_equal(b1->addr_type, WC_ADDR_RANDOM);
	assert_string_equal(b1->adapter, "hci1");
	assert_true(b2->report_cells);          /* the defaults */
	assert_false(b2->keep_connected);
	assert_non_null(b1->bank);
	assert_ptr_equal(b1->bank, b2->bank);
	assert_int_equal(b1->bank_slot, 0);
	assert_int_equal(b2->bank_slot, WC_BANK_MAX_SERIES);
	assert_true(fake_log_has(LOG_INFO, "1 bank"));

	/* b1 polled: the bank waits for b2; then both strings add up */
	canned_full(&fp.next.res);
	fp.next.rc = WC_OK;
	fake_clear_records();
	assert_int_equal(fake_run_read(r1), 0);
	assert_null(value_of("h", "count-members_online"));
	fake.now += MS_TO_CDTIME_T(100);
	assert_int_equal(fake_run_read(r2), 0);
	v = value_of("h", "count-members_online");
	assert_non_null(v);
	assert_float_equal(v->vl.values[0].gauge, 2, 1e-9);
	v = value_of("h", "current-bank");
	assert_non_null(v);
	assert_float_equal(v->vl.values[0].gauge, -304.6, 1e-9);
	v = value_of("h", "percent-string2_share");
	assert_non_null(v);
	assert_float_equal(v->vl.values[0].gauge, 50.0, 1e-9);
	assert_true(v->types_ok);
}

static void test_inventory_errors(void **state)
{
	char *path;

	(void)state;
	path = inventory_file("banks = (\n { name = \"h\"; strings = ( [\"ghost\"] ); }\n);\n");
	assert_int_equal(config_inventory(path), -1);
	assert_true(fake_log_has(LOG_ERR, "bank h: \"ghost\" is no battery"));
	assert_true(fake_log_count(":2: bank h:") >= 1);
	unlink(path);
	assert_int_equal(config_inventory("/nonexistent/inv.conf"), -1);
	assert_true(fake_log_has(LOG_ERR, "wattcycle plugin: /nonexistent/inv.conf: "
				 "cannot open the inventory"));
	/* a battery already configured by a <Battery> block */
	assert_int_equal(config_one("b9", (const struct opt[]){
		S("Address", "unix:/s"), END }), 0);
	path = inventory_file("batteries = (\n { name = \"B9\"; address = \"unix:/x\"; }\n);\n");
	assert_int_equal(config_inventory(path), -1);
	assert_true(fake_log_has(LOG_ERR, ":2: battery \"B9\": the name is already "
				 "taken by a <Battery \"b9\"> block"));
	unlink(path);
}

static void test_docs_match(void **state)
{
	char *man = slurp("doc/collectd-wattcycle.5");
	char *conf = slurp("conf/wattcycle.conf");
	const char *codes = strstr(man, "\n.SS Codes\n");
	const char *end = codes ? strstr(codes, "\n.SH ") : NULL;
	size_t listed = 0, want = 0;

	(void)state;
	assert_non_null(codes);
	assert_non_null(end);
	for (const char *p = codes; (p = strstr(p, "\n.B ")) && p < end; p++)
		listed++;
	for (size_t i = 0; i < wc_alarm_count; i++) {
		char line[64];
		const char *at;

		if (wc_alarms[i].cls == WC_CLASS_STATE) {
			assert_true(man_has(man, wc_alarms[i].id));
			continue;
		}
		want++;
		snprintf(line, sizeof(line), "\n.B %s\n", wc_alarms[i].id);
		at = strstr(codes, line);
		if (!at || at > end)
			fail_msg("code %s is not listed in the man page",
				 wc_alarms[i].id);
	}
	assert_int_equal(listed, want);
	for (size_t i = 0; i < ARRAY_LEN(option_keys); i++) {
		if (!man_has(man, option_keys[i]))
			fail_msg("option %s missing from the man page",
				 option_keys[i]);
		if (!strstr(conf, option_keys[i]))
			fail_msg("option %s missing from conf/wattcycle.conf",
				 option_keys[i]);
	}
	for (size_t i = 0; i < ARRAY_LEN(want_full); i++) {
		const char *id = want_full[i].id;
		const char *ti = strchr(id, '-') + 1;

		/* cellNN, probeN and the codes are documented as patterns */
		if ((strncmp(id, "voltage-cell", 12) == 0 && ti[4] >= '0' &&
		     ti[4] <= '9') || strncmp(id, "temperature-probe", 17) == 0)
			continue;
		if (strncmp(id, "bool-", 5) == 0 && wc_alarm_by_id(ti) &&
		    wc_alarm_by_id(ti)->cls != WC_CLASS_STATE)
			continue;
		if (!man_has(man, id))
			fail_msg("identifier %s missing from the man page", id);
	}
	free(man);
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_module_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_good_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_all_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_short_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_accumulates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_bad_structure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_supervision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_links_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_reports_every_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_session_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_absent_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_report_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_values_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_failure_no_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_batteries, setup, teardown),
		cmocka_unit_test(test_docs_match),
		cmocka_unit_test_setup_teardown(test_inventory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inventory_errors, setup,
						teardown),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(fake_types);
	return rc;
}
