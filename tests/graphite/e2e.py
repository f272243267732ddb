#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every dashboard target against a real carbon-cache + graphite-web.

Run by tests/integration/graphite_e2e.sh after collectd (wattcycle plugin +
write_graphite) has sent a few seconds of simulated batteries to carbon.
graphite-web runs in this process as a Django app (test Client, no HTTP
server), with its settings in the test's temp dir.

For every target of every dashboard, with the variables set to the test's
host and batteries (each battery alone for the battery dashboard, all of them
as Graphite's {a,b,c} for the all-batteries one) and each temperature unit:
  - every series pattern in it returns series from graphite-web whose points
    are the values wattcycle-sim served (its --log), within the frame's
    precision;
  - the target itself returns non-empty series equal to what the target's
    functions make of those (gtarget.evaluate, written independently of
    graphite), named as the dashboard means to name them.
Then a few main targets are rendered as PNG.

Prints PASS|FAIL|SKIP <tab> description lines (tests/graphite/pytap.sh).
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gtarget  # noqa: E402
import gweb  # noqa: E402
import lint  # noqa: E402  (documented_conditional)
import results  # noqa: E402
from results import result, skip, note  # noqa: E402


# --- what the simulator served ----------------------------------------------

# Half a step of each quantity's resolution in the frames: the largest
# honest difference between what was served and what Graphite holds.
TOLERANCE = {
    "voltage": 0.0005, "current": 0.05, "power": 0.5, "percent": 0.5,
    "charge": 0.05, "temperature": 0.05, "count": 0.0, "bool": 0.0,
    "signal_power": 0.0,
}


class Poll:
    """One poll as the simulator served it: its 0x8C and 0x8D answers."""

    def __init__(self, t, analog, status):
        self.t = t
        self.a = analog
        self.s = status


def load_served(log_path, wattcycle, alarms):
    polls = {}
    pending = {}
    decoded = {}
    with open(log_path, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            b = e["battery"]
            if e["dp"] == "0x8c":
                pending[b] = e
            elif e["dp"] == "0x8d" and b in pending:
                if e["frame"] not in decoded:
                    out = subprocess.run([wattcycle, "decode", e["frame"]],
                                         check=True, capture_output=True,
                                         text=True)
                    decoded[e["frame"]] = json.loads(out.stdout)
                e["balancing"] = decoded[e["frame"]]["balancing"]
                analog = pending.pop(b)
                polls.setdefault(b, []).append(Poll(analog["t"], analog, e))
    return polls


def expected(poll, leaf, alarm_class):
    """The value the plugin dispatches for identifier LEAF (type.instance)
    from what the simulator served in POLL; None when not derivable."""
    a, s = poll.a, poll.s
    typ, _, inst = leaf.partition(".")
    cells = a["cells_v"]
    if leaf == "voltage.pack":
        return a["voltage_v"]
    if leaf == "signal_power.rssi":
        return a.get("rssi_dbm")  # the simulator's stand-in link RSSI
    if typ == "voltage" and inst.startswith("cell") and inst[4:].isdigit():
        return cells[int(inst[4:]) - 1]
    if leaf == "voltage.cell_min":
        return min(cells)
    if leaf == "voltage.cell_max":
        return max(cells)
    if leaf == "voltage.cell_delta":
        return max(cells) - min(cells)
    if leaf == "current.pack":
        return a["current_a"]
    if leaf == "power.pack":
        return a["voltage_v"] * a["current_a"]
    if leaf == "percent.soc":
        return a["soc_pct"]
    if typ == "charge":
        return a[inst + "_ah"]
    if leaf == "count.cycles":
        return a["cycles"]
    if leaf == "temperature.mos":
        return a["temp_mos_c"]
    if leaf == "temperature.env":
        return a["temp_env_c"]
    if typ == "temperature" and inst.startswith("probe"):
        return a["probes_c"][int(inst[5:]) - 1]
    if leaf == "bool.chg_on":
        return float(s["charge_mos"])
    if leaf == "bool.dsg_on":
        return float(s["discharge_mos"])
    if leaf == "bool.balancing":
        return float(bool(s["balancing"]))
    if leaf == "bool.online":
        return 1.0
    if typ == "bool" and inst in alarm_class:
        return float(inst in s["alarms"])
    if typ == "count" and inst in ("protections", "alarms", "faults"):
        cls = inst[:-1]
        return float(sum(1 for x in s["alarms"] if alarm_class[x] == cls))
    return None


# --- graphite-web -------------------------------------------------------------

def setup_graphite(tmp, cache_query_port):
    return gweb.setup(os.path.join(tmp, "web"),
                      [os.path.join(tmp, "carbon", "storage", "whisper")],
                      ["127.0.0.1:%d" % cache_query_port])


Graphite = gweb.Graphite


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


# --- the checks ------------------------------------------------------------------

class Checker:
    def __init__(self, g, polls, alarm_class, conditional, timeout_s):
        self.g = g
        self.polls = polls
        self.alarm_class = alarm_class
        self.conditional = conditional   # leaf names sent only when known
        self.timeout_s = timeout_s
        self.leaf_cache = {}

    def leaves(self, pattern):
        """graphite-web's series for PATTERN, each point checked against
        the simulator.  Returns (series list, problems)."""
        if pattern in self.leaf_cache:
            return self.leaf_cache[pattern]
        got = self.g.render(pattern)
        series, problems = [], []
        for s in got:
            path = s["target"]
            nodes = path.split(".")
            battery, leaf = nodes[3], ".".join(nodes[4:])
            pts = s["datapoints"]
            vals = [p[0] for p in pts]
            n = sum(v is not None for v in vals)
            if n < 3:
                problems.append("%s: %d points" % (path, n))
            for v, ts in pts:
                if v is None:
                    continue
                if leaf == "duration.poll":
                    limit = self.timeout_s[battery]
                    if not 0 < v < limit:
                        problems.append("%s = %g at %d outside (0, %g)"
                                        % (path, v, ts, limit))
                    continue
                near = [p for p in self.polls.get(battery, [])
                        if abs(math.floor(p.t) - ts) <= 1]
                want = [expected(p, leaf, self.alarm_class) for p in near]
                tol = TOLERANCE.get(leaf.split(".")[0])
                if tol is None or not want or None in want:
                    problems.append("%s: no served value to compare with "
                                    "at %d" % (path, ts))
                elif not any(abs(v - w) <= tol + 1e-9 for w in want):
                    problems.append("%s = %r at %d, served %s" % (
                        path, v, ts, sorted(set(want))))
            series.append(gtarget.Series(path, path, vals))
        self.leaf_cache[pattern] = (series, problems)
        return series, problems

    def target(self, expr):
        """Check one substituted target; returns (status, detail) with
        status 'ok', 'fail' or 'skip'."""
        node = gtarget.parse(expr)
        problems = []
        empty_conditional = []
        for pat in gtarget.paths(node):
            series, probs = self.leaves(pat)
            problems += probs
            if not series:
                leaf = ".".join(pat.split(".")[4:])
                if leaf in self.conditional:
                    empty_conditional.append(leaf)
                else:
                    problems.append("%s: no series" % pat)
        if empty_conditional and not problems:
            return "skip", empty_conditional
        if problems:
            return "fail", problems
        got = self.g.render(expr)
        want = gtarget.evaluate(node, lambda p: [
            gtarget.Series(s.name, s.path, list(s.values))
            for s in self.leaves(p)[0]])
        gn = sorted(s["target"] for s in got)
        wn = sorted(s.name for s in want)
        if gn != wn:
            return "fail", ["series %s, expected %s" % (gn, wn)]
        wmap = {s.name: s.values for s in want}
        for s in got:
            vals = [p[0] for p in s["datapoints"]]
            if sum(v is not None for v in vals) < 3:
                problems.append("%s: fewer than 3 points" % s["target"])
            w = wmap[s["target"]]
            bad = [i for i, (a, b) in enumerate(zip(vals, w))
                   if not close(a, b)]
            if len(vals) != len(w):
                problems.append("%s: %d points, expected %d (%s)" % (
                    s["target"], len(vals), len(w),
                    [x[1] for x in s["datapoints"][:2]]))
            elif bad:
                problems.append("%s differs at point %d: %r vs %r" % (
                    s["target"], bad[0], vals[bad[0]], w[bad[0]]))
        if problems:
            return "fail", problems
        return "ok", {x["target"]: [v for v, _ in x["datapoints"]]
                      for x in got}


def substitutions(dash, host, batteries):
    """(label, values, texts) per combination of variable values."""
    vs = {v["name"]: v for v in dash["templating"]["list"]}
    if vs["battery"].get("multi"):
        picks = ["{%s}" % ",".join(batteries)]
    else:
        picks = list(batteries)
    out = []
    for b in picks:
        for o in vs["temp_unit"]["options"]:
            values = {"host": host, "battery": b, "temp_unit": o["value"],
                      "datasource": "graphite"}
            texts = {"host": host, "battery": b, "temp_unit": o["text"],
                     "datasource": "graphite"}
            out.append(("%s %s" % (b, o["text"]), values, texts))
    return out


CONVERSION_RE = re.compile(r"offset\(scale\(offset\((.*), 40\), 1\), -40\)")


def intent(g, expr_by_label, got_by_label, temperature):
    """What the functions are for, beyond computing what they say:
    the temperature switch gives the served degrees Celsius and
    F = C * 1.8 + 32; a current share is a share (the shares add up to
    100 %).  Returns problems."""
    problems = []
    for label, got in got_by_label.items():
        if temperature and label.endswith("°C"):
            # without the conversion the same target names the same series
            plain = g.render(CONVERSION_RE.sub(r"\1", expr_by_label[label]))
            pmap = {x["target"]: [v for v, _ in x["datapoints"]]
                    for x in plain}
            for name, vals in got.items():
                ref = pmap.get(name)
                if ref is None or not all(
                        (a is None and b is None) or
                        (a is not None and b is not None and
                         abs(a - b) < 1e-9) for a, b in zip(vals, ref)):
                    problems.append("%s is not the served °C" % name)
            fl = label[:-2] + "°F"
            for name, vals in got.items():
                fv = got_by_label.get(fl, {}).get(name[:-2] + "°F")
                if fv is None or not all(
                        (c is None and f is None) or
                        (c is not None and f is not None and
                         abs(c * 1.8 + 32 - f) < 1e-9)
                        for c, f in zip(vals, fv)):
                    problems.append("%s in °F is not C * 1.8 + 32" % name)
        if "asPercent(" in expr_by_label[label]:
            cols = list(zip(*got.values()))
            full = [c for c in cols if None not in c]
            if len(got) < 2 or not full or any(
                    abs(sum(c) - 100.0) > 1e-9 for c in full):
                problems.append("[%s] shares of %d series do not add up "
                                "to 100 %% (%d full points)" % (
                                    label, len(got), len(full)))
    return problems


def check_dashboards(ck, dashboards, host, batteries):
    for fname in dashboards:
        with open(fname, encoding="utf-8") as f:
            dash = json.load(f)
        base = os.path.basename(fname)
        combos = substitutions(dash, host, batteries)
        for p, t in gtarget.iter_targets(dash):
            desc = "%s: %r %s" % (base, p["title"], t["refId"])
            seen, fails, skips, names = set(), [], [], set()
            exprs, gots = {}, {}
            for label, values, texts in combos:
                expr = gtarget.substitute(t["target"], values, texts)
                if expr in seen:
                    continue
                seen.add(expr)
                try:
                    status, detail = ck.target(expr)
                except Exception as e:  # a render error is a failure too
                    status, detail = "fail", ["%s: %s" % (
                        type(e).__name__, e)]
                if status == "fail":
                    fails.append("[%s] %s" % (label, "; ".join(
                        str(d) for d in detail[:3])))
                elif status == "skip":
                    skips += detail
                else:
                    names.update(detail)
                    exprs[label], gots[label] = expr, detail
            if not fails:
                fails = intent(ck.g, exprs, gots,
                               "temp_unit" in t["target"])
            if fails:
                result(False, desc, " | ".join(fails[:2]))
            elif skips:
                skip("%s: %s is sent only when known (man page); the "
                     "simulator's unix link has none" % (
                         desc, ", ".join(sorted(set(skips)))))
            else:
                shown = sorted(names)
                result(True, "%s: %d substitutions, series %s" % (
                    desc, len(seen), ", ".join(shown[:6]) +
                    (", ..." if len(shown) > 6 else "")))


def check_events(g, polls, host, events):
    """The injected codes went from 0 to 1 (and back) in Graphite."""
    for battery, code in events:
        got = g.render("collectd.%s.wattcycle.%s.bool.%s" % (
            host, battery, code))
        vals = [v for v, _ in got[0]["datapoints"]] if got else []
        seq = [v for i, v in enumerate(vals) if v is not None and
               (i == 0 or vals[i - 1] != v)]
        served = [int(code in p.s["alarms"]) for p in polls[battery]]
        result(1.0 in seq and 0.0 in seq and 1 in served,
               "%s %s: the injected code shows as 0 -> 1 -> 0 in Graphite"
               % (battery, code), "transitions %s" % seq)


def check_aggregation(tmp, host, battery):
    import whisper
    base = os.path.join(tmp, "carbon", "storage", "whisper", "collectd",
                        host, "wattcycle", battery)
    want = {"bool/dsg_ocp.wsp": "max", "bool/balancing.wsp": "max",
            "bool/dsg_on.wsp": "min", "bool/online.wsp": "min",
            "count/protections.wsp": "max", "voltage/pack.wsp": "average",
            "temperature/mos.wsp": "average"}
    got = {k: whisper.info(os.path.join(base, k))["aggregationMethod"]
           for k in want}
    result(got == want, "whisper files carry conf/graphite/storage-"
           "aggregation.conf's methods (bool max, on-flags min, counts max, "
           "the rest average)", str(got))


def check_pngs(g, host, batteries, names, out_dir, copy_dir):
    b = batteries[-1]
    all_b = "{%s}" % ",".join(batteries)
    s = "collectd.%s.wattcycle.%s" % (host, b)
    a = "collectd.%s.wattcycle.%s" % (host, all_b)
    charts = [
        ("graphite-cells", "%s: cell voltages and spread" % b, [
            "aliasByNode(%s.voltage.cell[0-9]*, 5)" % s,
            "aliasByNode(%s.voltage.{cell_min,cell_max}, 5)" % s,
            "aliasByNode(secondYAxis(scale(%s.voltage.cell_delta, 1000)), 5)"
            % s], {"vtitle": "V", "vtitleRight": "mV (cell_delta)"}),
        ("graphite-pack", "%s: pack voltage and current" % b, [
            "alias(%s.voltage.pack, 'voltage (V)')" % s,
            "alias(secondYAxis(%s.current.pack), 'current (A)')" % s],
         {"vtitle": "V", "vtitleRight": "A"}),
        # a state timeline drawn by Graphite: one lane per flag
        ("graphite-codes", "%s: MOSFETs, protection and alarm" % b, [
            "alias(offset(scale(%s.bool.%s, 0.8), %d), '%s')" % (
                s, code, lane, names.get(code, code))
            for lane, code in enumerate(["dsg_oc_alarm", "dsg_ocp",
                                         "dsg_on", "chg_on"])],
         {"yMin": "-0.2", "yMax": "4", "vtitle": "on = raised line",
          "hideYAxis": "true"}),
        ("graphite-bank-soc", "all batteries: state of charge", [
            "aliasByNode(%s.percent.soc, 3)" % a], {"vtitle": "%"}),
        ("graphite-bank-share", "all batteries: current share", [
            "aliasByNode(asPercent(%s.current.pack), 3)" % a],
         {"vtitle": "% of bank current", "yMin": "0"}),
        ("graphite-bank-spread", "all batteries: cell spread", [
            "aliasByNode(scale(%s.voltage.cell_delta, 1000), 3)" % a],
         {"vtitle": "mV", "yMin": "0"}),
    ]
    os.makedirs(out_dir, exist_ok=True)
    for name, title, targets, extra in charts:
        q = dict(extra, width="800", height="320", title=title,
                 bgcolor="ffffff", fgcolor="000000", majorGridLineColor="b0b0b0",
                 minorGridLineColor="e0e0e0", lineWidth="2",
                 hideLegend="false", fontSize="11",
                 lineMode="staircase")
        g.calls += 1
        r = g.c.get("/render/", dict(q, target=targets, format="png",
                                     **{"from": str(g.t_from),
                                        "until": str(g.t_until)}))
        png = r.content
        path = os.path.join(out_dir, name + ".png")
        with open(path, "wb") as f:
            f.write(png)
        ok = (r.status_code == 200 and png[:8] == b"\x89PNG\r\n\x1a\n"
              and len(png) > 8000)
        result(ok, "PNG %s (%d bytes): %s" % (name, len(png), title),
               "HTTP %d" % r.status_code)
        if ok and copy_dir:
            os.makedirs(copy_dir, exist_ok=True)
            with open(os.path.join(copy_dir, name + ".png"), "wb") as f:
                f.write(png)


def wait_for_carbon(g, host, n_batteries, deadline_s):
    """graphite-web sees a stable set of points once carbon has taken in
    every line collectd sent before it stopped."""
    end = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < end:
        got = g.render("collectd.%s.wattcycle.*.duration.poll" % host)
        n = (len(got), sum(v is not None for s in got
                           for v, _ in s["datapoints"]))
        if n == last and n[0] == n_batteries:
            return n
        last = n
        time.sleep(0.3)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--cache-query-port", type=int, required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--batteries", required=True)
    ap.add_argument("--sim-log", required=True)
    ap.add_argument("--from", dest="t_from", type=int, required=True)
    ap.add_argument("--until", dest="t_until", type=int, required=True)
    ap.add_argument("--wattcycle", required=True)
    ap.add_argument("--timeout", required=True,
                    help="BATTERY=SECONDS,... each battery's Timeout")
    ap.add_argument("--event", action="append", default=[],
                    help="BATTERY:CODE injected during the run")
    ap.add_argument("--png-dir", required=True)
    ap.add_argument("--copy-png-dir")
    ap.add_argument("dashboards", nargs="+")
    a = ap.parse_args()
    batteries = a.batteries.split(",")

    # whisper cuts a window at "now": one still open would grow between two
    # renders of the same series.
    wait = a.t_until + 1 - time.time()
    if wait > 0:
        time.sleep(min(wait, 3))
    t0 = time.monotonic()
    client = setup_graphite(a.tmp, a.cache_query_port)
    g = Graphite(client, a.t_from, a.t_until)
    note("graphite-web ready in %.1f s" % (time.monotonic() - t0))

    n = wait_for_carbon(g, a.host, len(batteries), 10)
    result(n is not None, "carbon holds a stable set of points for every "
           "battery (%s series, %s points of duration.poll)" % (
               n[0] if n else "?", n[1] if n else "?"))

    out = subprocess.run([a.wattcycle, "alarms", "--json"], check=True,
                         capture_output=True, text=True)
    table = json.loads(out.stdout)
    alarm_class = {x["id"]: x["class"] for x in table}
    alarm_name = {x["id"]: x["name"] for x in table}
    polls = load_served(a.sim_log, a.wattcycle, alarm_class)
    result(sorted(polls) == sorted(batteries) and
           all(len(p) >= 5 for p in polls.values()),
           "the simulator served every battery several polls (%s)" %
           ", ".join("%s %d" % (b, len(p)) for b, p in sorted(polls.items())))

    result(a.host in g.find("collectd.*"),
           "variable host: collectd.* finds %s" % a.host)
    found = g.find("collectd.%s.wattcycle.*" % a.host)
    result(found == sorted(batteries),
           "variable battery: collectd.%s.wattcycle.* finds %s" % (
               a.host, ", ".join(found)))

    conditional = {x.replace("-", ".", 1)
                   for x in lint.documented_conditional()}
    timeouts = {k: float(v) for k, v in (
        x.split("=") for x in a.timeout.split(",") if x)}
    ck = Checker(g, polls, alarm_class, conditional, timeouts)
    check_dashboards(ck, a.dashboards, a.host, batteries)
    note("%d render calls" % g.calls)
    events = [tuple(e.split(":", 1)) for e in a.event]
    check_events(g, polls, a.host, events)
    check_aggregation(a.tmp, a.host, batteries[0])
    check_pngs(g, a.host, batteries, alarm_name, a.png_dir, a.copy_png_dir)
    return results.exit_status()


if __name__ == "__main__":
    sys.exit(main())
