#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""py_decode.py CLIENT_DIR [ITERATIONS]

Times the published Python client qume/wattcycle_ble (a checkout of
https://github.com/qume/wattcycle_ble, kept OUTSIDE this tree: its code is
not part of this project) on the same two frames as build/bench/bench_decode
(tests/bench/bench_decode.c): per 0x8C + 0x8D pair, its frame check
(parse_frame, which verifies the CRC) and its field decoding
(parse_analog_quantity, parse_warning_info), as its client does for every
answer.  Prints one JSON line, best of five passes, like bench_decode.
Its protocol module imports only the standard library (no bleak).
"""
import importlib.util
import json
import logging
import os
import sys
import time


def load(client_dir):
    pkg = os.path.join(client_dir, "src", "wattcycle_ble")
    if not os.path.isfile(os.path.join(pkg, "protocol.py")):
        sys.exit(f"py_decode: {pkg}/protocol.py: not found")
    # import the protocol module (and its models) without the package's
    # __init__, which pulls in the BLE client and bleak
    sys.path.insert(0, os.path.join(client_dir, "src"))
    import types
    stub = types.ModuleType("wattcycle_ble")
    stub.__path__ = [pkg]
    sys.modules["wattcycle_ble"] = stub
    spec = importlib.util.spec_from_file_location("wattcycle_ble.protocol",
                                                  os.path.join(pkg, "protocol.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules["wattcycle_ble.protocol"] = mod
    spec.loader.exec_module(mod)
    return mod


ANALOG = bytes.fromhex("7E 00 01 03 00 8C 00 20 04 0C DE 0C DD 0C DF 0C DA 04 0B 65 "
                       "0B 70 0B 5A 0B 5A 40 00 05 25 07 2A 0C 44 00 05 0C 44 00 3A "
                       "4B 22 0D")
STATUS = bytes.fromhex("7E 00 01 03 00 8D 00 18 04 00 00 00 00 04 00 00 00 00 00 00 "
                        "00 00 00 00 06 01 00 00 18 00 00 00 1F 91 0D")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: py_decode.py CLIENT_DIR [ITERATIONS]")
    p = load(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    logging.disable(logging.CRITICAL)
    a = p.parse_analog_quantity(p.parse_frame(ANALOG).data)
    w = p.parse_warning_info(p.parse_frame(STATUS).data)
    if a is None or w is None or abs(a.cell_voltages[0] - 3.294) > 1e-9:
        sys.exit("py_decode: the client did not decode the vectors")
    best = None
    for _ in range(5):
        t0 = time.thread_time_ns()
        for _ in range(n):
            p.parse_analog_quantity(p.parse_frame(ANALOG).data)
            p.parse_warning_info(p.parse_frame(STATUS).data)
        dt = (time.thread_time_ns() - t0) / n
        best = dt if best is None or dt < best else best
    print(json.dumps({"iterations": n, "ns_per_poll": round(best, 1)}))


main()
