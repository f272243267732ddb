#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Static checks of the bundled Grafana dashboards and Graphite snippets.

    lint.py --identifiers FILE [--bank-identifiers FILE] --alarms FILE
            --generated DIR DASHBOARD...

FILE of identifiers: `scripts/identifiers.sh` output (type-type_instance, what
the real plugin dispatches).  --bank-identifiers: the same for a bank
(`scripts/identifiers.sh --bank`); the bank dashboard (uid wattcycle-bank) is
matched against those.  --alarms: `wattcycle alarms --json`.
--generated: a directory where grafana/generate.py just wrote its output.
Prints one line per check: PASS|FAIL|SKIP <tab> description (the shell suite
turns them into TAP).
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gtarget  # noqa: E402
import results  # noqa: E402
from results import result  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DS = {"type": "graphite", "uid": "${datasource}"}
HOST, BATTERY = "lint_host", "lint_battery"


def documented_conditional():
    """Identifiers the man page's VALUES table documents as sent only when
    the battery or link reports them ("when known", "when reported"), and
    the codes its "Codes" list marks "JBD family only": the simulator's
    default battery cannot produce them, so scripts/identifiers.sh lacks
    them."""
    out = []
    with open(os.path.join(ROOT, "doc", "collectd-wattcycle.5"),
              encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("|")
            if len(cols) == 3 and re.search(r"\(when (known|reported)\b",
                                            cols[2]):
                out.append(cols[0].replace("\\-", "-"))
    # Codes only JBD-family batteries send (their "Codes" entry says so):
    # a WATT battery never has these series.
    with open(os.path.join(ROOT, "doc", "collectd-wattcycle.5"),
              encoding="utf-8") as f:
        text = f.read()
    for m in re.finditer(r"^\.B (\S+)\n[^\n]*\n[^\n]*JBD family only",
                         text, re.M):
        out.append("bool-" + m.group(1))
    return out


def series_paths(idents):
    out = []
    for i in idents:
        typ, _, inst = i.partition("-")
        out.append("collectd.%s.wattcycle.%s.%s.%s" % (HOST, BATTERY, typ,
                                                       inst))
    return out


def variables(dash):
    return {v["name"]: v for v in dash.get("templating", {}).get("list", [])}


def lint_substitutions(dash):
    """One value (and text) per variable, for matching patterns against the
    identifier list: the lint host/battery for the query variables, every
    option of a custom variable in turn."""
    vs = variables(dash)
    combos = [({}, {})]
    for name, v in vs.items():
        if v["type"] == "query":
            val = HOST if name == "host" else BATTERY
            opts = [(val, val)]
        elif v["type"] == "custom":
            opts = [(o["value"], o["text"]) for o in v["options"]]
        else:
            opts = [("lint_" + name, "lint_" + name)]
        combos = [(dict(a, **{name: val}), dict(b, **{name: txt}))
                  for a, b in combos for val, txt in opts]
    return combos


def check_dashboard(fname, dash, paths, allowed_units):
    base = os.path.basename(fname)
    vs = variables(dash)

    result(bool(dash.get("uid")) and bool(dash.get("title")),
           "%s: has uid and title" % base)
    result("__inputs" not in dash and
           not any("${DS_" in s for _, s in gtarget.strings(dash)),
           "%s: no __inputs / ${DS_...} placeholders" % base)

    ids = [p.get("id") for p in gtarget.iter_panels(dash)]
    dup = sorted({i for i in ids if ids.count(i) > 1 or i is None},
                 key=str)
    result(not dup and ids, "%s: %d panels, unique panel ids" %
           (base, len(ids)), "duplicates %s" % dup)

    cells, clash = {}, []
    for p in gtarget.iter_panels(dash):
        g = p.get("gridPos", {})
        if g.get("x", 0) + g.get("w", 0) > 24:
            clash.append("%s wider than the grid" % p.get("title"))
        for x in range(g.get("x", 0), g.get("x", 0) + g.get("w", 0)):
            for y in range(g.get("y", 0), g.get("y", 0) + g.get("h", 0)):
                if (x, y) in cells:
                    clash.append("%s overlaps %s" % (p.get("title"),
                                                     cells[(x, y)]))
                cells[(x, y)] = p.get("title")
    result(not clash, "%s: panels fit the grid without overlapping" % base,
           "; ".join(sorted(set(clash))[:3]))

    dsv = [v for v in vs.values() if v["type"] == "datasource"]
    result(len(dsv) == 1 and dsv[0]["name"] == "datasource" and
           dsv[0].get("query") == "graphite",
           "%s: one datasource variable 'datasource' of type graphite" % base)

    bad = []
    for p in gtarget.iter_panels(dash):
        if p.get("type") == "row":
            continue
        if p.get("datasource") != DS:
            bad.append("panel %r" % p.get("title"))
        for t in p.get("targets", []):
            if t.get("datasource") != DS:
                bad.append("panel %r target %s" % (p.get("title"),
                                                   t.get("refId")))
        if not p.get("targets"):
            bad.append("panel %r has no target" % p.get("title"))
    for v in vs.values():
        if v["type"] == "query" and v.get("datasource") != DS:
            bad.append("variable %s" % v["name"])
    result(not bad, "%s: every panel, target and query variable uses "
           "${datasource}" % base, "; ".join(bad[:4]))

    used, undefined = set(), set()
    for where, s in gtarget.strings(dash):
        if where.startswith(".templating.list") and where.endswith(".name"):
            continue
        for name in gtarget.variable_refs(s):
            used.add(name)
            if not name.startswith("__") and name not in vs:
                undefined.add("$%s in %s" % (name, where))
    result(not undefined, "%s: every $variable used is defined" % base,
           "; ".join(sorted(undefined)[:4]))
    unused = set(vs) - used - {"datasource"}
    result(not unused, "%s: every variable is used" % base,
           ", ".join(sorted(unused)))

    bad_units = sorted({u for p in gtarget.iter_panels(dash)
                        for u in gtarget.units(p)
                        if u not in allowed_units})
    result(not bad_units, "%s: units are Grafana unit ids (%s)" % (
        base, ", ".join(sorted({u for p in gtarget.iter_panels(dash)
                                for u in gtarget.units(p)}))),
        "unknown: %s" % bad_units)

    combos = lint_substitutions(dash)
    n, problems = 0, []
    for p, t in gtarget.iter_targets(dash):
        n += 1
        what = "%r/%s" % (p.get("title"), t.get("refId"))
        for values, texts in combos:
            try:
                node = gtarget.parse(gtarget.substitute(t["target"], values,
                                                        texts))
            except (gtarget.ParseError, KeyError) as e:
                problems.append("%s does not parse: %s" % (what, e))
                break
            fns = set(gtarget.functions(node))
            if fns - gtarget.SUPPORTED:
                problems.append("%s uses %s, unknown to the e2e evaluator"
                                % (what, sorted(fns - gtarget.SUPPORTED)))
            if node[0] != "call" or node[1] not in gtarget.NAMING:
                problems.append("%s does not name its series (alias...)"
                                % what)
            for pat in gtarget.paths(node):
                for alt in gtarget.expand_braces(pat):
                    if not any(gtarget.glob_match(alt, x) for x in paths):
                        problems.append("%s: %s matches no identifier"
                                        % (what, alt))
    result(n > 0 and not problems,
           "%s: all %d targets parse and every series pattern (each brace "
           "alternative) matches an identifier of the plugin" % (base, n),
           "; ".join(sorted(set(problems))[:4]))

    qproblems = []
    for v in vs.values():
        if v["type"] != "query":
            continue
        for values, texts in combos:
            q = gtarget.substitute(v["query"], values, texts)
            if not any(gtarget.prefix_match(q, x) for x in paths):
                qproblems.append("%s: %s" % (v["name"], q))
    result(not qproblems, "%s: every variable query finds the plugin's "
           "series" % base, "; ".join(sorted(set(qproblems))))


def check_alarm_rows(dash, alarms):
    """Each code of the table is one state-timeline row of the battery
    dashboard, labelled with the app's name and with a value mapping."""
    rows = {}
    for p, t in gtarget.iter_targets(dash):
        if p.get("type") != "state-timeline":
            continue
        m = re.match(r"alias\(consolidateBy\(collectd\.\$host\.wattcycle\."
                     r"\$battery\.bool\.(\w+), '(min|max)'\), '([^']*)'\)$",
                     t["target"])
        if m:
            maps = p["fieldConfig"]["defaults"].get("mappings") or []
            rows.setdefault(m.group(1), []).append(
                (m.group(3), bool(maps), m.group(2)))
    missing = [a["id"] for a in alarms if a["id"] not in rows]
    wrong = [a["id"] for a in alarms if a["id"] in rows and
             rows[a["id"]] != [(a["name"], True,
                                "min" if a["class"] == "state" else "max")]]
    result(not missing and not wrong,
           "battery dashboard: each of the %d codes of the alarm table is "
           "one mapped state-timeline row named as the app names it"
           % len(alarms),
           "missing %s, wrong %s" % (missing, wrong))


def check_graphite_conf():
    conf = os.path.join(ROOT, "conf", "graphite")
    with open(os.path.join(conf, "write_graphite.conf"),
              encoding="utf-8") as f:
        wg = f.read()
    result(re.search(r'^\s*Prefix "collectd\."\s*$', wg, re.M) and
           re.search(r"^\s*SeparateInstances true\s*$", wg, re.M) and
           not re.search(r"^\s*(PreserveSeparator|AlwaysAppendDS) true", wg,
                         re.M) and
           re.search(r'^\s*Host "127\.0\.0\.1"', wg, re.M),
           "write_graphite.conf: Prefix \"collectd.\", SeparateInstances "
           "true, default escaping, loopback")

    try:
        from carbon.conf import settings
        # carbon.storage reads CONF_DIR when imported.
        settings["CONF_DIR"] = conf
        from carbon import storage
    except ImportError as e:
        result(False, "carbon's python modules import", str(e))
        return
    schemas = storage.loadStorageSchemas()
    first = [s for s in schemas
             if s.matches("collectd.h.wattcycle.b.voltage.pack")][0]
    arch = [(a.secondsPerPoint, a.points) for a in first.archives]
    result(arch[0][0] == 10 and all(
        b[0] % a[0] == 0 and b[0] * b[1] > a[0] * a[1]
        for a, b in zip(arch, arch[1:])),
        "storage-schemas.conf: carbon parses it; first retention 10 s "
        "(collectd's Interval), each archive coarser and longer",
        "archives %s" % arch)

    agg = storage.loadAggregationSchemas()

    def method(path):
        return [s.archives for s in agg if s.matches(path)][0]
    wrong = []
    for p in series_paths(IDENTS):
        leaf = p.split(".", 4)[4]
        if leaf in ("bool.chg_on", "bool.dsg_on", "bool.online"):
            want = (0.0, "min")
        elif leaf.startswith(("bool.", "count.")):
            want = (0.0, "max")
        else:
            want = (0.5, "average")
        if method(p) != want:
            wrong.append("%s: %s" % (leaf, method(p)))
    result(not wrong, "storage-aggregation.conf: carbon parses it; codes, "
           "balancing and counts max, MOSFET/online flags min, the rest "
           "average (all %d identifiers)" % len(IDENTS),
           "; ".join(wrong[:4]))


IDENTS = []


def main():
    global IDENTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--identifiers", required=True)
    ap.add_argument("--bank-identifiers")
    ap.add_argument("--alarms", required=True)
    ap.add_argument("--generated", required=True)
    ap.add_argument("dashboards", nargs="+")
    a = ap.parse_args()

    with open(a.identifiers, encoding="utf-8") as f:
        IDENTS = [x.strip() for x in f if x.strip()]
    with open(a.alarms, encoding="utf-8") as f:
        alarms = json.load(f)
    extra = [x for x in documented_conditional() if x not in IDENTS]
    print("#\t%d identifiers from the plugin, plus %s documented as sent "
          "only when reported" % (len(IDENTS), " ".join(extra)))
    result(len(IDENTS) > 40 and "voltage-pack" in IDENTS and
           "signal_power-rssi" in extra,
           "identifier list derived from the plugin (%d) and the man page"
           % len(IDENTS))
    paths = series_paths(IDENTS + extra)
    bank_paths = []
    if a.bank_identifiers:
        with open(a.bank_identifiers, encoding="utf-8") as f:
            bank_ids = [x.strip() for x in f if x.strip()]
        result("current-bank" in bank_ids and "percent-soc_spread" in bank_ids,
               "bank identifier list derived from the plugin (%d)"
               % len(bank_ids))
        bank_paths = series_paths(bank_ids)
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "grafana-units.txt"), encoding="utf-8") as f:
        allowed_units = {ln.split()[0] for ln in f
                         if ln.strip() and not ln.startswith("#")}

    uids = {}
    for fname in a.dashboards:
        base = os.path.basename(fname)
        try:
            with open(fname, encoding="utf-8") as f:
                dash = json.load(f)
        except (OSError, ValueError) as e:
            result(False, "%s: valid JSON" % base, str(e))
            continue
        result(isinstance(dash, dict), "%s: valid JSON" % base)
        uids.setdefault(dash.get("uid"), []).append(base)
        if dash.get("uid") == "wattcycle-bank":
            result(bool(bank_paths), "%s: checked against the bank's "
                   "identifiers (--bank-identifiers)" % base)
            check_dashboard(fname, dash, bank_paths, allowed_units)
        else:
            check_dashboard(fname, dash, paths, allowed_units)
        if dash.get("uid") == "wattcycle-battery":
            check_alarm_rows(dash, alarms)
        gen = os.path.join(a.generated, base)
        same = False
        if os.path.exists(gen):
            with open(gen, encoding="utf-8") as f1, \
                    open(fname, encoding="utf-8") as f2:
                same = f1.read() == f2.read()
        result(same, "%s: equals grafana/generate.py's output" % base,
               "re-run /usr/bin/python3 grafana/generate.py")
    result(all(len(v) == 1 for v in uids.values()),
           "dashboard uids are unique (%s)" % ", ".join(sorted(
               str(u) for u in uids)), str(uids))
    check_graphite_conf()
    return results.exit_status()


if __name__ == "__main__":
    sys.exit(main())
