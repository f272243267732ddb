#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""graphite-web over the two carbon-caches of the fleet test.

Run by tests/integration/fleet.sh after four edge collectds have sent their
batteries through the central collectd and carbon-relay.  graphite-web runs
in this process (tests/graphite/gweb.py) with both caches' storage
directories and cache-query ports.  Checks:
  - the dashboards' host variable (a find on the host level) lists exactly
    the four edges, and each edge's battery variable its eight batteries;
  - every edge's series render, the pack voltages with values the edge's
    simulator served;
  - each series is stored on exactly one cache, the one carbon's consistent
    hash ring names for it, and each cache holds a share;
  - the rogue edge (wrong password) is stored nowhere.

Prints PASS|FAIL|SKIP <tab> description lines (tests/graphite/pytap.sh).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gweb  # noqa: E402
import results  # noqa: E402
from results import result, note  # noqa: E402


def served(path):
    """battery -> the pack voltages its simulator served."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            if e["dp"] == "0x8c":
                out.setdefault(e["battery"], []).append(e["voltage_v"])
    return out


def wsp_files(root):
    out = set()
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".wsp"):
                rel = os.path.relpath(os.path.join(d, f), root)
                out.add(rel[:-4].replace(os.sep, "."))
    return out


def host_queries(dashboards):
    qs = set()
    for path in dashboards:
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
        for v in dash.get("templating", {}).get("list", []):
            if v.get("name") == "host":
                q = v.get("query")
                qs.add(q["query"] if isinstance(q, dict) else q)
    return sorted(qs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--cache", action="append", required=True,
                    help="WHISPER_DIR=HOST:QUERY_PORT:INSTANCE, in the "
                    "relay's DESTINATIONS order")
    ap.add_argument("--edges", required=True)
    ap.add_argument("--per-edge", type=int, required=True)
    ap.add_argument("--rogue", required=True)
    ap.add_argument("--from", dest="t_from", type=int, required=True)
    ap.add_argument("--until", dest="t_until", type=int, required=True)
    ap.add_argument("dashboards", nargs="+")
    a = ap.parse_args()
    edges = a.edges.split(",")
    batteries = ["b%d" % k for k in range(1, a.per_edge + 1)]
    caches = [c.split("=", 1) for c in a.cache]
    dirs = [d for d, _ in caches]
    links = [h for _, h in caches]

    wait = a.t_until + 1 - time.time()
    if wait > 0:
        time.sleep(min(wait, 3))
    client = gweb.setup(os.path.join(a.tmp, "web"), dirs, links)
    g = gweb.Graphite(client, a.t_from, a.t_until)

    # carbon has taken in everything once the point count stops growing
    want = len(edges) * len(batteries)
    end, last, n = time.monotonic() + 20, None, None
    while time.monotonic() < end:
        got = g.render("collectd.*.wattcycle.*.voltage.pack")
        n = (len(got), sum(v is not None for s in got
                           for v, _ in s["datapoints"]))
        if n == last and n[0] == want:
            break
        last = n
        time.sleep(0.5)
    result(n is not None and n == last and n[0] == want,
           "graphite-web renders voltage.pack of all %d batteries "
           "(%s series, %s points)" % (want, n and n[0], n and n[1]))

    qs = host_queries(a.dashboards)
    result(qs != [], "the dashboards have a host variable (%s)" % qs)
    for q in qs:
        found = g.find(q)
        result(found == sorted(edges), "host variable %s lists the four "
               "edges" % q, "got %s" % found)

    for e in edges:
        volts = served(os.path.join(a.tmp, e, "served.log"))
        found = g.find("collectd.%s.wattcycle.*" % e)
        result(found == batteries, "%s: battery variable lists b1..b%d" % (
            e, a.per_edge), "got %s" % found)
        bad = []
        for s in g.render("collectd.%s.wattcycle.*.voltage.pack" % e):
            b = s["target"].split(".")[3]
            pts = [v for v, _ in s["datapoints"] if v is not None]
            if len(pts) < 3:
                bad.append("%s: %d points" % (b, len(pts)))
            for v in pts:
                if not any(abs(v - x) <= 0.0005 for x in volts.get(b, [])):
                    bad.append("%s: %.3f V never served" % (b, v))
                    break
        result(not bad, "%s: every battery's voltage.pack renders >= 3 "
               "points, each a value its simulator served" % e,
               "; ".join(bad[:5]))

    files = [wsp_files(d) for d in dirs]
    for e in edges:
        stored = {m for f in files for m in f
                  if m.startswith("collectd.%s." % e)}
        got = g.render("collectd.%s.wattcycle.*.*.*" % e)
        empty = [x["target"] for x in got
                 if sum(v is not None for v, _ in x["datapoints"]) < 2]
        result(len(got) == len(stored) and len(got) >= 8 * len(batteries)
               and not empty, "%s: every series renders >= 2 points (%d "
               "series, %d stored)" % (e, len(got), len(stored)),
               "without points: %s" % empty[:3])
    both = files[0] & files[1]
    result(not both, "no series is stored on both caches",
           "%d on both, e.g. %s" % (len(both), sorted(both)[:3]))
    result(all(files), "each cache holds a share (%s)" % ", ".join(
        "%s %d" % (h.rsplit(":", 1)[1], len(f))
        for h, f in zip(links, files)))
    every = {"collectd.%s.wattcycle.%s.voltage.pack" % (e, b)
             for e in edges for b in batteries}
    result(every <= files[0] | files[1],
           "every battery's voltage.pack is on a cache",
           "missing %s" % sorted(every - files[0] - files[1])[:3])
    from carbon.hashing import ConsistentHashRing
    nodes = [(h.split(":")[0], h.split(":")[2]) for h in links]
    ring = ConsistentHashRing(nodes)
    wrong = [m for i, f in enumerate(files) for m in f
             if ring.get_node(m) != nodes[i]]
    result(not wrong, "each series is on the cache carbon's consistent "
           "hash ring names for it (%d series)" % len(files[0] | files[1]),
           "%d elsewhere, e.g. %s" % (len(wrong), wrong[:3]))

    rogue = [m for f in files for m in f
             if m.startswith("collectd.%s." % a.rogue)]
    result(not rogue and a.rogue not in g.find("collectd.*") and
           g.render("collectd.%s.*.*.*.*" % a.rogue) == [],
           "the rogue edge's values are stored nowhere and render nothing",
           "%s" % rogue[:3])
    return results.exit_status()


if __name__ == "__main__":
    sys.exit(main())
