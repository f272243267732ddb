/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's control channel: one text command per line, one reply
 * line ("ok", "error: <why>", or the JSON of "state"):
 *   alarm NAME ID on|off      fault NAME KIND on|off
 *   set NAME KEY VALUE        kill NAME        revive NAME
 *   state NAME                list             quit
 * and the client mode `wattcycle-sim ctl CONTROL_PATH WORDS...`. */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include <stddef.h>

#include "sim_server.h"

#define SIM_CTL_LINE_MAX 512
#define SIM_CTL_REPLY_MAX 8192
#define SIM_CTL_TIMEOUT_MS 5000

/* Execute one command line (no newline; modified in place).  The reply
 * goes to out without a newline.  Returns 0 when the reply is success. */
int sim_control_exec(struct sim_server *s, char *line, char *out,
		     size_t cap);

/* Client mode: send the words as one line, print the reply to stdout.
 * Returns the exit status: 0 on success, 1 on an error reply or a failure
 * to talk to the simulator. */
int sim_control_client(const char *path, int nwords, char **words);

#endif
