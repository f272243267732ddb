#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A counting UDP forwarder for the fleet bench (scripts/bench-fleet.sh).

    udp_meter.py PORT_FILE TARGET_PORT COUNTS_FILE

Listens on a free 127.0.0.1 port (written to PORT_FILE once bound) and
forwards every datagram to 127.0.0.1:TARGET_PORT unchanged.  On SIGUSR1 it
appends one JSON line {"packets": N, "bytes": N} (UDP payload bytes since
the start) to COUNTS_FILE; SIGTERM ends it.  The edges send to it instead of
to the central, so the bench sees exactly what the network plugin puts on
the wire.
"""

import json
import os
import signal
import socket
import sys


def main():
    port_file, target, counts_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n = {"packets": 0, "bytes": 0}

    def snapshot(*_):
        with open(counts_file, "a", encoding="utf-8") as f:
            f.write(json.dumps(n) + "\n")

    signal.signal(signal.SIGUSR1, snapshot)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.replace(port_file + ".tmp", port_file)
    while True:
        try:
            data = s.recv(65536)
        except InterruptedError:
            continue
        n["packets"] += 1
        n["bytes"] += len(data)
        try:
            out.sendto(data, ("127.0.0.1", target))
        except OSError:
            pass  # the central is not listening: dropped, as UDP would


if __name__ == "__main__":
    main()
