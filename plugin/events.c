/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transition detection and notification texts: see events.h. */
#include "events.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Room for a message before it is cut to WC_EVENT_MSG_MAX: a name, a
 * meaning and a list of every protection fit several times over. */
#define MB_CAP 1024

/* An append-only text buffer that clamps instead of overflowing, so a
 * long list can never wrap an offset (doc/DESIGN.md, "Bytes and buffers"). */
struct mb {
	char buf[MB_CAP];
	size_t len;
};

static void mb_init(struct mb *m)
{
	m->buf[0] = '\0';
	m->len = 0;
}

__attribute__((format(printf, 2, 0)))
static void mb_vadd(struct mb *m, const char *fmt, va_list ap)
{
	int n;

	if (m->len >= MB_CAP - 1)
		return;
	n = vsnprintf(m->buf + m->len, MB_CAP - m->len, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= MB_CAP - m->len)
		m->len = MB_CAP - 1;
	else
		m->len += (size_t)n;
}

__attribute__((format(printf, 2, 3)))
static void mb_add(struct mb *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mb_vadd(m, fmt, ap);
	va_end(ap);
}

/* Items separated by "; " inside one pair of parentheses; an empty list
 * leaves no "()" behind. */
struct mb_list {
	struct mb *m;
	size_t start;
	unsigned items;
};

static void list_open(struct mb_list *l, struct mb *m)
{
	l->m = m;
	l->start = m->len;
	l->items = 0;
	mb_add(m, " (");
}

__attribute__((format(printf, 2, 3)))
static void list_item(struct mb_list *l, const char *fmt, ...)
{
	va_list ap;

	if (l->items++)
		mb_add(l->m, "; ");
	va_start(ap, fmt);
	mb_vadd(l->m, fmt, ap);
	va_end(ap);
}

static void list_close(struct mb_list *l)
{
	if (l->items == 0) {
		l->m->len = l->start;
		l->m->buf[l->start] = '\0';
		return;
	}
	mb_add(l->m, ")");
}

bool wc_utf8_copy(char *dst, size_t cap, const char *src)
{
	static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026, 3 bytes */
	size_t n, keep;

	if (cap == 0)
		return false;
	n = strlen(src);
	if (n < cap) {
		memcpy(dst, src, n + 1);
		return true;
	}
	keep = cap > sizeof(ellipsis) ? cap - sizeof(ellipsis) : cap - 1;
	/* src[keep] is the first byte left out: when it continues a
	 * character, that character would be split, so leave it out whole. */
	while (keep > 0 && ((unsigned char)src[keep] & 0xC0) == 0x80)
		keep--;
	memcpy(dst, src, keep);
	if (cap > sizeof(ellipsis))
		memcpy(dst + keep, ellipsis, sizeof(ellipsis));
	else
		dst[keep] = '\0';
	return false;
}

const char *wc_severity_name(enum wc_severity sev)
{
	switch (sev) {
	case WC_SEV_FAILURE:
		return "FAILURE";
	case WC_SEV_WARNING:
		return "WARNING";
	case WC_SEV_OKAY:
		return "OKAY";
	}
	return "UNKNOWN";
}

static void cell_extremes(const struct wc_sample *s, unsigned *imin,
			  unsigned *imax)
{
	*imin = 0;
	*imax = 0;
	for (unsigned i = 1; i < s->n_cells && i < WC_MAX_CELLS; i++) {
		if (s->cell_v[i] < s->cell_v[*imin])
			*imin = i;
		if (s->cell_v[i] > s->cell_v[*imax])
			*imax = i;
	}
}

static bool probe_extremes(const struct wc_sample *s, double *lo, double *hi)
{
	unsigned n = s->n_probes < WC_MAX_PROBES ? s->n_probes : WC_MAX_PROBES;

	if (!wc_has(s, WC_F_PROBES) || n == 0)
		return false;
	*lo = *hi = s->probe_c[0];
	for (unsigned i = 1; i < n; i++) {
		if (s->probe_c[i] < *lo)
			*lo = s->probe_c[i];
		if (s->probe_c[i] > *hi)
			*hi = s->probe_c[i];
	}
	return true;
}

static void add_cells(struct mb_list *l, unsigned quote,
		      const struct wc_sample *s)
{
	unsigned lo, hi;

	if (!wc_has(s, WC_F_CELLS) || s->n_cells == 0)
		return;
	cell_extremes(s, &lo, &hi);
	switch (quote & (WC_QUOTE_CELL_MIN | WC_QUOTE_CELL_MAX)) {
	case WC_QUOTE_CELL_MAX:
		list_item(l, "cell max %.3f V at cell %u", s->cell_v[hi],
			  hi + 1);
		break;
	case WC_QUOTE_CELL_MIN:
		list_item(l, "cell min %.3f V at cell %u", s->cell_v[lo],
			  lo + 1);
		break;
	default:
		list_item(l, "cell min %.3f V at cell %u, max %.3f V at cell %u",
			  s->cell_v[lo], lo + 1, s->cell_v[hi], hi + 1);
		break;
	}
}

static void add_env(struct mb_list *l, const struct wc_sample *s)
{
	if (wc_has(s, WC_F_TEMP_ENV))
		list_item(l, "env %.1f °C", s->temp_env_c);
}

static void add_temps(struct mb_list *l, unsigned quote,
		      const struct wc_sample *s)
{
	unsigned probes = quote & (WC_QUOTE_PROBE_MIN | WC_QUOTE_PROBE_MAX);
	double lo, hi;

	if ((quote & WC_QUOTE_TEMP_MOS) && wc_has(s, WC_F_TEMP_MOS))
		list_item(l, "MOS %.1f °C", s->temp_mos_c);
	if (quote & WC_QUOTE_TEMP_ENV)
		add_env(l, s);
	if (!probes)
		return;
	if (!probe_extremes(s, &lo, &hi)) {
		if (!(quote & WC_QUOTE_TEMP_ENV))
			add_env(l, s);
		return;
	}
	switch (probes) {
	case WC_QUOTE_PROBE_MAX:
		list_item(l, "cell temperature max %.1f °C", hi);
		break;
	case WC_QUOTE_PROBE_MIN:
		list_item(l, "cell temperature min %.1f °C", lo);
		break;
	default:
		list_item(l, "cell temperature %.1f to %.1f °C", lo, hi);
		break;
	}
}

static void add_mosfets(struct mb_list *l, enum wc_side side,
			const struct wc_sample *s)
{
	if (!wc_has(s, WC_F_STATUS))
		return;
	switch (side) {
	case WC_SIDE_CHG:
		list_item(l, "charge MOSFET %s", s->charge_mos ? "on" : "off");
		break;
	case WC_SIDE_DSG:
		list_item(l, "discharge MOSFET %s",
			  s->discharge_mos ? "on" : "off");
		break;
	case WC_SIDE_BOTH:
		list_item(l, "charge MOSFET %s, discharge MOSFET %s",
			  s->charge_mos ? "on" : "off",
			  s->discharge_mos ? "on" : "off");
		break;
	}
}

/* The code's class and id, then the readings the table says matter for
 * code a, as " (protection dsg_ocp; …; …)".  The class and id are in the
 * text because collectd's network plugin forwards a notification's message
 * but not its meta data: a consumer on a central collectd has only the
 * text (and the type_instance) to go by. */
static void add_readings(struct mb *m, const struct wc_alarm *a,
			 const struct wc_sample *s)
{
	struct mb_list l;

	list_open(&l, m);
	list_item(&l, "%s %s", wc_alarm_class_name(a->cls), a->id);
	if (a->quote & (WC_QUOTE_CELL_MIN | WC_QUOTE_CELL_MAX))
		add_cells(&l, a->quote, s);
	if ((a->quote & WC_QUOTE_PACK_V) && wc_has(s, WC_F_VOLTAGE))
		list_item(&l, "pack %.2f V", s->voltage_v);
	if ((a->quote & WC_QUOTE_CURRENT) && wc_has(s, WC_F_CURRENT))
		list_item(&l, "current %.1f A", s->current_a);
	add_temps(&l, a->quote, s);
	add_mosfets(&l, a->side, s);
	list_close(&l);
}

static void emit(wc_event_fn fn, void *user, struct wc_event *ev,
		 const struct mb *m, unsigned *count)
{
	wc_utf8_copy(ev->message, sizeof(ev->message), m->buf);
	if (fn)
		fn(ev, user);
	(*count)++;
}

static void event_for(struct wc_event *ev, enum wc_severity sev,
		      const struct wc_alarm *a)
{
	memset(ev, 0, sizeof(*ev));
	ev->severity = sev;
	ev->alarm = a;
	ev->id = a->id;
	ev->cls = wc_alarm_class_name(a->cls);
	ev->reg = wc_alarm_reg_name(a->reg);
}

static enum wc_severity raise_severity(enum wc_alarm_class cls)
{
	switch (cls) {
	case WC_CLASS_PROTECTION:
	case WC_CLASS_FAULT:
		return WC_SEV_FAILURE;
	case WC_CLASS_ALARM:
	case WC_CLASS_STATE:
		break;
	}
	return WC_SEV_WARNING;
}

static void code_events(struct wc_events *st, const struct wc_sample *s,
			wc_event_fn fn, void *user, unsigned *count)
{
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];
		bool was, now;
		struct wc_event ev;
		struct mb m;

		if (a->cls == WC_CLASS_STATE)
			continue;
		was = st->have_status && wc_alarm_active(a, &st->regs);
		now = wc_alarm_active(a, &s->regs);
		if (was == now)
			continue;
		event_for(&ev, now ? raise_severity(a->cls) : WC_SEV_OKAY, a);
		mb_init(&m);
		mb_add(&m, "%s: %s%s \xE2\x80\x94 %s", st->name, a->name,
		       now ? "" : " cleared", a->meaning);
		add_readings(&m, a, s);
		emit(fn, user, &ev, &m, count);
	}
}

/* "charge" / "discharge" for a MOSFET state code. */
static const char *mosfet_word(const struct wc_alarm *a)
{
	switch (a->side) {
	case WC_SIDE_CHG:
		return "charge";
	case WC_SIDE_DSG:
		return "discharge";
	case WC_SIDE_BOTH:
		break;
	}
	return a->name;
}

static void mosfet_events(struct wc_events *st, const struct wc_sample *s,
			  wc_event_fn fn, void *user, unsigned *count)
{
	for (size_t i = 0; i < wc_alarm_count; i++) {
		const struct wc_alarm *a = &wc_alarms[i];
		/* before any status the MOSFETs count as on, so one that is
		 * off at the first poll is reported once */
		bool was, now;
		struct wc_event ev;
		struct mb m;

		if (a->cls != WC_CLASS_STATE)
			continue;
		was = !st->have_status || wc_alarm_active(a, &st->regs);
		now = wc_alarm_active(a, &s->regs);
		if (was == now)
			continue;
		event_for(&ev, now ? WC_SEV_OKAY : WC_SEV_WARNING, a);
		mb_init(&m);
		if (now) {
			mb_add(&m, "%s: %s MOSFET on again", st->name,
			       mosfet_word(a));
		} else {
			unsigned listed = 0;

			mb_add(&m, "%s: %s MOSFET off (", st->name,
			       mosfet_word(a));
			for (size_t j = 0; j < wc_alarm_count; j++) {
				const struct wc_alarm *p = &wc_alarms[j];

				if ((p->cls != WC_CLASS_PROTECTION &&
				     p->cls != WC_CLASS_FAULT) ||
				    !wc_alarm_active(p, &s->regs))
					continue;
				mb_add(&m, "%s%s", listed++ ? ", " : "active: ",
				       p->name);
			}
			if (!listed)
				mb_add(&m, "no protection or fault active");
			mb_add(&m, ")");
		}
		emit(fn, user, &ev, &m, count);
	}
}

static void online_event(struct wc_events *st, enum wc_severity sev,
			 const char *error, wc_event_fn fn, void *user,
			 unsigned *count)
{
	struct wc_event ev;
	struct mb m;

	memset(&ev, 0, sizeof(ev));
	ev.severity = sev;
	ev.id = WC_EVENT_ONLINE_ID;
	ev.cls = "link";
	mb_init(&m);
	if (sev == WC_SEV_OKAY)
		mb_add(&m, "%s: reachable again after %u failed poll%s",
		       st->name, st->failed, st->failed == 1 ? "" : "s");
	else
		mb_add(&m, "%s: unreachable for %u poll%s (last error: %s)",
		       st->name, st->failed, st->failed == 1 ? "" : "s",
		       error && *error ? error : "unknown");
	emit(fn, user, &ev, &m, count);
}

void wc_events_init(struct wc_events *st, const char *name,
		    unsigned offline_after)
{
	memset(st, 0, sizeof(*st));
	wc_utf8_copy(st->name, sizeof(st->name), name ? name : "");
	st->offline_after = offline_after ? offline_after : 1;
}

unsigned wc_events_poll_ok(struct wc_events *st, const struct wc_sample *s,
			   wc_event_fn fn, void *user)
{
	unsigned count = 0;

	if (st->offline)
		online_event(st, WC_SEV_OKAY, NULL, fn, user, &count);
	st->offline = false;
	st->failed = 0;
	if (!s || !wc_has(s, WC_F_STATUS))
		return count;
	/* events are changes of a code: none if no register changed */
	if (!st->have_status || !wc_alarm_regs_same(&st->regs, &s->regs)) {
		code_events(st, s, fn, user, &count);
		mosfet_events(st, s, fn, user, &count);
	}
	st->regs = s->regs;
	st->have_status = true;
	return count;
}

unsigned wc_events_poll_failed(struct wc_events *st, const char *error,
			       wc_event_fn fn, void *user)
{
	unsigned count = 0;

	if (st->failed < ~0u)
		st->failed++;
	if (!st->offline && st->failed >= st->offline_after) {
		online_event(st, WC_SEV_FAILURE, error, fn, user, &count);
		st->offline = true;
	}
	return count;
}
