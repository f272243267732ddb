/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the JBD-family battery: the simulator's JBD replies
 * (sim/jbd_sim.c) decode back to the snapshot they were built from, and
 * the client (plugin/session.c through plugin/family.c) run against a JBD
 * battery never writes anything but read requests.
 *
 * The battery of the second part runs in a child process: the simulator's
 * GATT database (JBD layout, sim/gatt_db.c) and model behind a listening
 * SOCK_SEQPACKET socket, recording every frame written to FFF2 into a
 * pipe.  The parent polls it with wc_session_poll (first contact, a cached
 * poll, and a battery that stays silent so that the client also tries the
 * WATT family once) and then checks every recorded frame. */
#include "../../sim/encode.c"
#include "../../sim/fidelity.c"
#include "../../sim/gatt_db.c"
#include "../../sim/jbd_sim.c"
#include "../../sim/model.c"
#include "../../sim/scenario.c"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adv.h"
#include "alarms.h"
#include "family.h"
#include "jbd.h"
#include "session.h"
#include "unhex.h"
#include "watt.h"

static struct sim_model *jbd_model(unsigned cells, double current)
{
	struct sim_battery_cfg c;

	sim_battery_cfg_defaults(&c, "disc");
	c.cells = cells;
	c.probes = 2;
	c.capacity_ah = 314.0;
	c.full_ah = 310.0;
	c.profile[0].current_a = current;
	c.n_profile = 1;
	sim_jbd_cfg(&c, false);
	return sim_model_new(&c);
}

/* Read a request through the model and decode the reply. */
static void ask(struct sim_model *m, uint8_t cmd, struct wc_sample *out)
{
	uint8_t req[8], rsp[JBD_FRAME_MAX];
	size_t n = jbd_build_read(req, sizeof(req), cmd);
	size_t r = sim_model_handle(m, req, n, rsp, sizeof(rsp), NULL);

	assert_true(r >= JBD_OVERHEAD);
	assert_int_equal(jbd_decode(rsp, r, out, NULL, NULL), WC_OK);
}

static void test_round_trip(void **state)
{
	struct sim_model *m = jbd_model(16, -23.4);
	struct wc_sample snap, got;

	(void)state;
	assert_non_null(m);
	assert_int_equal(sim_model_set_alarm(m, "short_circuit", true), 0);
	assert_int_equal(sim_model_set_alarm(m, "chg_otp", true), 0);
	assert_int_equal(sim_model_set_alarm(m, "env_otp", true), -1); /* WATT only */
	sim_model_snapshot(m, &snap);
	memset(&got, 0, sizeof(got));
	ask(m, JBD_CMD_HW, &got);
	ask(m, JBD_CMD_BASIC, &got);
	ask(m, JBD_CMD_CELLS, &got);
	assert_int_equal(got.family, WC_FAMILY_JBD);
	assert_string_equal(got.firmware, SIM_JBD_HW);
	assert_int_equal(got.n_cells, 16);
	for (unsigned i = 0; i < 16; i++)
		assert_true(fabs(got.cell_v[i] - snap.cell_v[i]) < 1e-9);
	assert_true(fabs(got.voltage_v - snap.voltage_v) < 1e-9);
	assert_true(fabs(got.current_a - snap.current_a) < 1e-9);
	assert_true(fabs(got.remaining_ah - snap.remaining_ah) < 1e-9);
	assert_true(fabs(got.full_ah - 310.0) < 1e-9);
	assert_true(fabs(got.design_ah - 314.0) < 1e-9);
	assert_true(got.soc_pct == snap.soc_pct);
	assert_int_equal(got.n_probes, 4); /* MOS, ambient, 2 probes */
	assert_true(fabs(got.probe_c[0] - snap.temp_mos_c) < 1e-9);
	assert_true(fabs(got.probe_c[1] - snap.temp_env_c) < 1e-9);
	assert_true(fabs(got.probe_c[3] - snap.probe_c[1]) < 1e-9);
	assert_int_equal(got.mode, WC_MODE_DISCHARGING);
	assert_true(wc_alarm_active(wc_alarm_by_id("short_circuit"), &got.regs));
	assert_true(wc_alarm_active(wc_alarm_by_id("chg_otp"), &got.regs));
	assert_int_equal(wc_alarm_count_active(&got.regs, WC_CLASS_PROTECTION), 2);
	assert_int_equal(got.jbd.protection, 1u << 10 | 1u << 4);
	assert_int_equal(got.jbd.warning, 0); /* bit 15 sent, masked */
	assert_true(got.jbd.has_tail);
	sim_model_free(m);
}

static void test_units_and_refusals(void **state)
{
	struct sim_model *m = jbd_model(4, 400.0); /* > 327 A: 100 mA units */
	uint8_t req[16], rsp[JBD_FRAME_MAX];
	struct wc_sample got;
	size_t n, r;

	(void)state;
	memset(&got, 0, sizeof(got));
	ask(m, JBD_CMD_BASIC, &got);
	assert_true(got.jbd.fet & JBD_FET_100MA);
	assert_true(fabs(got.current_a - 400.0) < 1e-9);
	/* an unknown command: status 0x80 */
	n = jbd_build_read(req, sizeof(req), 0x08);
	r = sim_model_handle(m, req, n, rsp, sizeof(rsp), NULL);
	assert_int_equal(r, 7);
	assert_int_equal(rsp[2], JBD_ST_UNKNOWN_CMD);
	/* a write (the restart), a bad checksum, a WATT frame: silence */
	memcpy(req, "\xDD\x5A\x0E\x02\x81\x18\xFF\x57\x77", 9);
	assert_int_equal(sim_model_handle(m, req, 9, rsp, sizeof(rsp), NULL), 0);
	n = jbd_build_read(req, sizeof(req), 0x03);
	req[5] ^= 1;
	assert_int_equal(sim_model_handle(m, req, n, rsp, sizeof(rsp), NULL), 0);
	n = watt_build_read(req, sizeof(req), WATT_HEAD_7E, WATT_DP_ANALOG);
	assert_int_equal(sim_model_handle(m, req, n, rsp, sizeof(rsp), NULL), 0);
	sim_model_free(m);
}

static void test_gatt_layout(void **state)
{
	struct gatt_db w, j;

	(void)state;
	gatt_db_init(&w);
	gatt_db_init_jbd(&j);
	assert_int_not_equal(w.fffa_value, 0);
	assert_int_equal(j.fffa_value, 0);
	assert_int_equal(j.fff1_value, w.fff1_value);
	assert_int_equal(j.fff2_value, w.fff2_value);
	assert_true(j.n < w.n);
	for (unsigned i = 0; i < j.n; i++)
		assert_false(attr_is16(&j.attrs[i], 0xFFFA));
}

/* The advertisement rebuilds the real DISCOVER's (ADV-6 of the project's
 * protocol notes) and the scan's family guess says jbd. */
static void test_adv(void **state)
{
	static const uint8_t mac[6] = { 0xEE, 0xC2, 0x37, 0x00, 0x64, 0x8C };
	static const char real[] =
		"03 02 F0 FF 12 09 57 54 61 48 64 42 31 32 36 30 35 31 31 30 31 33"
		" 39 0F FF EE C2 37 00 64 8C 10 12 33 11 03 00 0D 00";
	uint8_t got[40], want[40];
	size_t n = sim_jbd_adv_data(got, sizeof(got), mac, "WTaHdB12605110139", 51);
	size_t wn = unhex(real, want, sizeof(want));
	struct wc_adv adv;

	(void)state;
	assert_int_equal(n, wn);
	assert_memory_equal(got, want, wn);
	wc_adv_init(&adv, mac, WC_ADDR_PUBLIC);
	assert_int_equal(wc_adv_parse_ad(&adv, got, n, NULL), WC_OK);
	assert_string_equal(wc_adv_family(&adv), "jbd");
	assert_string_equal(adv.name, "WTaHdB12605110139");
	/* a long name is cut at 29 characters; a small buffer is refused */
	{
		uint8_t big[64];

		n = sim_jbd_adv_data(big, sizeof(big), mac,
				     "WTaHdB12345678901234567890123456789", 0);
		assert_int_equal(n, 4 + 2 + 29 + 16);
		assert_int_equal(big[4], 30);
	}
	assert_int_equal(sim_jbd_adv_data(got, 20, mac, "x", 0), 0);
}

/* ---- the client against a JBD battery in a child process ---------------- */

struct peer {
	pid_t pid;
	int rec;       /* read end: every FFF2 frame, length-prefixed */
	char path[108];
	char addr[120];  /* "unix:" path, for the client */
};

enum peer_mode { PEER_JBD, PEER_SILENT, PEER_WATT, PEER_FF00 };

static void peer_loop(int lfd, int rec, enum peer_mode mode)
{
	struct gatt_db db;
	struct sim_model *m = jbd_model(4, 3.0);
	bool silent = mode == PEER_SILENT;

	if (mode == PEER_WATT) {
		/* a pack with the JBD GATT database that speaks WATT (as some
		 * WTaHdAZ units were read) */
		struct sim_battery_cfg c;

		sim_battery_cfg_defaults(&c, "wtahdaz");
		sim_model_free(m);
		m = sim_model_new(&c);
	}

	if (mode == PEER_FF00)
		gatt_db_init_jbd_ff00(&db);
	else
		gatt_db_init_jbd(&db);
	for (;;) {
		struct gatt_conn gc;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(0);
		gatt_conn_init(&gc, 247, "WTaHdB12605110139");
		for (;;) {
			uint8_t pdu[600], rsp[600], frame[JBD_FRAME_MAX];
			struct gatt_event ev;
			ssize_t k = recv(fd, pdu, sizeof(pdu), 0);
			size_t n, f;

			if (k <= 0)
				break;
			n = gatt_handle_pdu(&db, &gc, pdu, (size_t)k, rsp,
					    sizeof(rsp), &ev);
			if (n && send(fd, rsp, n, 0) < 0)
				break;
			if (ev.kind != GATT_EV_WATT_WRITE)
				continue;
			{
				uint8_t len8 = (uint8_t)ev.len;

				if (write(rec, &len8, 1) != 1 ||
				    write(rec, ev.data, ev.len) != (ssize_t)ev.len)
					_exit(3);
			}
			if (silent)
				continue;
			f = sim_model_handle(m, ev.data, ev.len, frame,
					     sizeof(frame), NULL);
			for (size_t o = 0; o < f; o += (size_t)gc.mtu - 3) {
				size_t c = f - o < (size_t)gc.mtu - 3
						   ? f - o : (size_t)gc.mtu - 3;

				n = gatt_build_notification(rsp, sizeof(rsp),
							    db.fff1_value,
							    frame + o, c);
				if (send(fd, rsp, n, 0) < 0)
					break;
			}
		}
		close(fd);
	}
}

static void peer_start(struct peer *p, enum peer_mode mode)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int lfd, pfd[2];

	signal(SIGPIPE, SIG_IGN);
	snprintf(p->path, sizeof(p->path), "/tmp/wc-test-jbd-%d-%d.sock",
		 (int)getpid(), (int)mode);
	snprintf(p->addr, sizeof(p->addr), "unix:%s", p->path);
	unlink(p->path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", p->path);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(pipe(pfd), 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		close(pfd[0]);
		peer_loop(lfd, pfd[1], mode);
		_exit(0);
	}
	close(lfd);
	close(pfd[1]);
	p->rec = pfd[0];
}

/* A client of p: options o (name, timeout, the rest zero) and its poll. */
static struct wc_session *peer_poll(struct peer *p, struct wc_session_opts *o,
				 const char *name, unsigned timeout_ms)
{
	struct wc_session *poll;

	memset(o, 0, sizeof(*o));
	o->name = name;
	o->link.address = p->addr;
	o->timeout_ms = timeout_ms;
	poll = wc_session_new(o);
	assert_non_null(poll);
	return poll;
}

/* Stop the child and check every frame it recorded. */
static unsigned peer_stop_check(struct peer *p, unsigned *jbd_reads,
				unsigned *watt_reads)
{
	uint8_t len8, f[256];
	unsigned all = 0;

	kill(p->pid, SIGTERM);
	waitpid(p->pid, NULL, 0);
	unlink(p->path);
	*jbd_reads = *watt_reads = 0;
	while (read(p->rec, &len8, 1) == 1) {
		struct jbd_frame jf;

		assert_int_equal(read(p->rec, f, len8), len8);
		all++;
		if (len8 && f[0] == JBD_START) {
			assert_int_equal(jbd_parse_frame(f, len8, &jf, NULL), WC_OK);
			if (jf.kind != JBD_KIND_READ)
				fail_msg("a JBD frame that is not a read request "
					 "left the client (marker 0x%02X)", f[1]);
			(*jbd_reads)++;
		} else {
			/* a WATT frame: only a read (function 03) may leave */
			assert_true(len8 >= WATT_READ_LEN);
			if (f[3] != WATT_FN_READ)
				fail_msg("a WATT frame with function 0x%02X "
					 "left the client", f[3]);
			(*watt_reads)++;
		}
	}
	close(p->rec);
	return all;
}

static void test_client_sends_reads_only(void **state)
{
	struct wc_session_opts o;
	struct wc_poll_result res;
	struct wc_session *poll;
	struct peer p;
	char msg[WC_POLL_MSG_MAX];
	unsigned all, jr, wr;

	(void)state;
	peer_start(&p, PEER_JBD);
	memset(&o, 0, sizeof(o));
	o.name = "disc";
	o.link.address = p.addr;
	o.timeout_ms = 3000;
	o.keep_connected = true;
	poll = wc_session_new(&o);
	assert_non_null(poll);
	for (int i = 0; i < 3; i++) {
		if (wc_session_poll(poll, &res, NULL, msg, sizeof(msg)) != WC_OK)
			fail_msg("poll %d: %s", i, msg);
		assert_int_equal(res.family, WC_FAMILY_JBD);
		assert_int_equal(res.sample.n_cells, 4);
		assert_true(wc_has(&res.sample, WC_F_HUMIDITY));
	}
	wc_session_free(poll);
	all = peer_stop_check(&p, &jr, &wr);
	/* 0x03 and 0x04 per poll, 0x05 once */
	assert_int_equal(jr, 7);
	assert_int_equal(wr, 0);
	assert_int_equal(all, 7);

	/* A JBD-looking battery that never answers: the client tries JBD,
	 * then WATT once; still nothing but reads. */
	peer_start(&p, PEER_SILENT);
	poll = peer_poll(&p, &o, "disc", 1500);
	assert_int_not_equal(wc_session_poll(poll, &res, NULL, msg, sizeof(msg)), WC_OK);
	if (!strstr(msg, "no answer to either protocol"))
		fail_msg("silent battery: %s", msg);
	wc_session_free(poll);
	all = peer_stop_check(&p, &jr, &wr);
	assert_true(jr >= 1);
	assert_true(wr >= 1);
	assert_int_equal(all, jr + wr);
}

/* A classic JBD module (FF00 with FF01/FF02, no FFF0): JBD at once, no
 * WATT attempt. */
static void test_classic_ff00(void **state)
{
	struct wc_session_opts o;
	struct wc_poll_result res;
	struct wc_session *poll;
	struct peer p;
	struct gatt_db db;
	char msg[WC_POLL_MSG_MAX];
	unsigned jr, wr;

	(void)state;
	gatt_db_init_jbd_ff00(&db);
	for (unsigned i = 0; i < db.n; i++)
		assert_false(attr_is16(&db.attrs[i], 0xFFF0));
	assert_true(db.fff1_value && db.fff1_cccd && db.fff2_value);
	peer_start(&p, PEER_FF00);
	poll = peer_poll(&p, &o, "classic", 2000);
	if (wc_session_poll(poll, &res, NULL, msg, sizeof(msg)) != WC_OK)
		fail_msg("FF00: %s", msg);
	assert_int_equal(res.family, WC_FAMILY_JBD);
	assert_int_equal(res.sample.n_cells, 4);
	wc_session_free(poll);
	peer_stop_check(&p, &jr, &wr);
	assert_int_equal(jr, 3);
	assert_int_equal(wr, 0);
}

/* FFF0 without FFFA that answers WATT: JBD first, WATT once, and WATT is
 * remembered: the next polls send no JBD frame. */
static void test_fallback_remembered(void **state)
{
	struct wc_session_opts o;
	struct wc_poll_result res;
	struct wc_session *poll;
	struct peer p;
	char msg[WC_POLL_MSG_MAX];
	unsigned jr, wr;

	(void)state;
	peer_start(&p, PEER_WATT);
	poll = peer_poll(&p, &o, "wtahdaz", 1500);
	for (int i = 0; i < 3; i++) {
		if (wc_session_poll(poll, &res, NULL, msg, sizeof(msg)) != WC_OK)
			fail_msg("poll %d: %s", i, msg);
		assert_int_equal(res.family, WC_FAMILY_WATT);
		assert_int_equal(res.head, WATT_HEAD_7E);
		assert_true(wc_has(&res.sample, WC_F_STATUS));
	}
	wc_session_free(poll);
	peer_stop_check(&p, &jr, &wr);
	assert_int_equal(jr, 1);      /* the one JBD probe of the first poll */
	assert_int_equal(wr, 3 + 2 + 2); /* 0x92 0x8C 0x8D, then 0x8C 0x8D x2 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_units_and_refusals),
		cmocka_unit_test(test_gatt_layout),
		cmocka_unit_test(test_adv),
		cmocka_unit_test(test_client_sends_reads_only),
		cmocka_unit_test(test_fallback_remembered),
		cmocka_unit_test(test_classic_ff00),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
