/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's event loop: one single-threaded poll(2) loop over every
 * battery's listening socket (AF_UNIX SOCK_SEQPACKET: one read = one ATT
 * PDU), its one connected central, the control socket and the timers
 * (outgoing PDUs delayed by the latency fault, the unlock deadline, the
 * 1 s model tick).  Nothing in here sleeps. */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "sim_json.h"

struct sim_server;
struct sim_battery;

struct sim_server_opts {
	const char *control_path; /* control socket (SOCK_STREAM), or NULL */
	const char *log_path;     /* served-sample log (JSON lines), or NULL */
	int wake_fd;              /* readable = shut down (signal self-pipe), or -1 */
};

/* Create the models and listen on every battery's socket and the control
 * socket.  A stale socket file is replaced only if nothing listens on it;
 * a missing directory is an error.  Returns NULL with err filled. */
struct sim_server *sim_server_new(const struct sim_battery_cfg *cfgs,
				  unsigned n,
				  const struct sim_server_opts *opts,
				  char *err, size_t errlen);

/* Serve until wake_fd becomes readable or "quit" arrives: 0; a failure of
 * the loop itself: -1 with err filled. */
int sim_server_run(struct sim_server *s, char *err, size_t errlen);

/* Close every connection and socket and unlink the socket files this
 * server created.  NULL is allowed. */
void sim_server_free(struct sim_server *s);

/* For the control channel. */
struct sim_battery *sim_server_battery(struct sim_server *s,
				       const char *name);
unsigned sim_server_count(const struct sim_server *s);
struct sim_battery *sim_server_battery_at(struct sim_server *s, unsigned i);
const char *sim_battery_name(const struct sim_battery *b);
struct sim_model *sim_battery_model(struct sim_battery *b);
/* The battery vanishes: drop its central, stop listening, unlink. */
int sim_battery_kill(struct sim_server *s, struct sim_battery *b, char *err,
		     size_t errlen);
/* Listen again after a kill. */
int sim_battery_revive(struct sim_server *s, struct sim_battery *b,
		       char *err, size_t errlen);
/* One JSON object: link state, active faults and the model's snapshot. */
void sim_battery_state_json(struct sim_server *s, struct sim_battery *b,
			    struct jbuf *out);
void sim_server_quit(struct sim_server *s);
/* Call fn after every model tick (the models advanced to t_s): the bank
 * physics drives its members' currents from there. */
void sim_server_set_tick(struct sim_server *s,
			 void (*fn)(void *user, double t_s), void *user);

#endif
