/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CLI's inventory helpers: see cli_inventory.h. */
#include "cli_inventory.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

int cli_resolve_battery(const char *arg, const char *inventory_opt,
			struct cli_target *out, char *err, size_t errlen)
{
	struct wc_link_addr la;
	char why[160] = "";
	char ierr[WC_INVENTORY_ERR_MAX];
	struct wc_inventory *inv;
	const struct wc_inv_battery *b;

	memset(out, 0, sizeof(*out));
	out->addr_type = WC_ADDR_AUTO;
	if (wc_link_parse_address(arg, &la, why, sizeof(why)) == WC_OK) {
		snprintf(out->address, sizeof(out->address), "%s", arg);
		return 0;
	}
	/* Not an address: a name, if it looks like one. */
	if (!wc_inventory_name_valid(arg)) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	inv = wc_inventory_load(wc_inventory_path(inventory_opt), NULL, 0,
				ierr, sizeof(ierr));
	if (!inv) {
		snprintf(err, errlen, "'%s' is no address, and the inventory "
			 "that might name it cannot be read: %s", arg, ierr);
		return -1;
	}
	b = wc_inventory_battery(inv, arg);
	if (!b) {
		snprintf(err, errlen, "'%s' is neither an address (%s) nor a "
			 "battery of %s", arg,
			 "unix:/path/to.sock or C0:D6:3C:52:E4:D9", inv->path);
		wc_inventory_free(inv);
		return -1;
	}
	snprintf(out->address, sizeof(out->address), "%s", b->address);
	if (b->adapter)
		snprintf(out->adapter, sizeof(out->adapter), "%s", b->adapter);
	if (b->address_type) {
		wc_addr_type_parse(b->address_type, &out->addr_type);
		out->addr_type_set = true;
	}
	out->keep = b->keep_connected == 1;
	out->timeout_s = b->timeout_s;
	out->supervision_ms = (uint32_t)b->supervision_ms;
	wc_inventory_free(inv);
	return 0;
}

struct member_job {
	const struct wc_inv_battery *b;
	double timeout_s;
	struct wc_bank_member *m;
	char *error;
	pthread_t tid;
	bool started;
};

static void *poll_member(void *arg)
{
	struct member_job *j = arg;
	struct wc_session_opts o;
	struct wc_poll_result res;
	struct wc_diag d = { .code = WC_OK, .a = 0, .b = 0 };
	struct wc_session *p;
	enum wc_err rc;

	memset(&o, 0, sizeof(o));
	o.name = j->b->name;
	o.link.address = j->b->address;
	o.link.adapter = j->b->adapter;
	o.link.addr_type = WC_ADDR_AUTO;
	if (j->b->address_type)
		wc_addr_type_parse(j->b->address_type, &o.link.addr_type);
	o.link.supervision_ms = (uint32_t)j->b->supervision_ms;
	o.timeout_ms = (uint32_t)lround(j->timeout_s * 1000.0);
	p = wc_session_new(&o);
	if (!p) {
		snprintf(j->error, WC_POLL_MSG_MAX, "out of memory");
		return NULL;
	}
	memset(&res, 0, sizeof(res));
	rc = wc_session_poll(p, &res, &d, j->error, WC_POLL_MSG_MAX);
	wc_session_free(p);
	j->m->t_ms = wc_now_ms();
	/* one reading: it counts as fresh for this run */
	j->m->interval_ms = 3600 * 1000;
	if (rc != WC_OK) {
		if (!j->error[0]) {
			if (d.code == WC_OK)
				d.code = rc;
			wc_diag_format(&d, j->error, WC_POLL_MSG_MAX);
		}
		return NULL;
	}
	j->m->good = true;
	j->m->sample = res.sample;
	return NULL;
}

bool cli_bank_poll(const struct wc_inventory *inv,
		   const struct wc_bank_def *def, double timeout_s,
		   bool timeout_given, struct cli_bank_poll *out)
{
	struct member_job jobs[WC_BANK_MAX_STRINGS * WC_BANK_MAX_SERIES];
	size_t n = 0;
	bool any = false;

	memset(out, 0, sizeof(*out));
	memset(jobs, 0, sizeof(jobs));
	for (unsigned i = 0; i < def->n_strings; i++)
		for (unsigned j = 0; j < def->n_series[i]; j++) {
			size_t slot = (size_t)i * WC_BANK_MAX_SERIES + j;
			struct member_job *job = &jobs[n++];

			job->b = wc_inventory_battery(inv, def->member[i][j]);
			job->m = &out->m[slot];
			job->error = out->error[slot];
			if (!job->b) {
				snprintf(job->error, WC_POLL_MSG_MAX,
					 "not a battery of the inventory");
				continue;
			}
			job->timeout_s = !timeout_given && job->b->timeout_s > 0
						 ? job->b->timeout_s
						 : timeout_s;
			job->started = pthread_create(&job->tid, NULL,
						      poll_member, job) == 0;
			if (!job->started)
				snprintf(job->error, WC_POLL_MSG_MAX,
					 "cannot start a thread");
			any = any || job->started;
		}
	for (size_t k = 0; k < n; k++) {
		if (jobs[k].started)
			pthread_join(jobs[k].tid, NULL);
		if (!jobs[k].m->good)
			out->failed++;
	}
	return any;
}
