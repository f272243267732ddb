#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the bundled Grafana dashboards from the plugin's alarm table.

    /usr/bin/python3 grafana/generate.py [--wattcycle build/wattcycle]
                                         [--alarms-json FILE] [--out DIR]

The state-timeline rows, their labels (the WattCycle app's code names), their
value mappings and their descriptions come from `wattcycle alarms --json`,
i.e. from plugin/alarms.c, the one alarm table: a code added there appears in
the dashboards after a re-run, and tests/integration/dashboards_lint.sh fails
while the committed JSON differs from this script's output.

Series layout (write_graphite, Prefix "collectd.", SeparateInstances true):
    collectd.<host>.wattcycle.<battery>.<type>.<type_instance>
    node      1             3         4      5
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DS = {"type": "graphite", "uid": "${datasource}"}
SERIES = "collectd.$host.wattcycle.$battery"

# How each class of code looks in a state timeline: text and colour of 1.
# An unknown class in the table stops the generator, so that a new class
# gets a deliberate look instead of a silent default.
CLASS_LOOK = {
    "protection": ("PROTECTION", "red"),
    "alarm": ("ALARM", "orange"),
    "fault": ("FAULT", "purple"),
    "state": ("on", "green"),
}
CLASS_TITLE = {
    "protection": "Protections",
    "alarm": "Alarms",
    "fault": "Faults",
}

# Temperatures: one custom variable holds the Fahrenheit factor (1 or 1.8)
# and its text the unit.  -40 is where both scales meet, so
#   F = (C + 40) * 1.8 - 40   and   C = (C + 40) * 1 - 40
# makes one scale factor do both the scale and the offset.
TEMP_VAR = {
    "type": "custom",
    "name": "temp_unit",
    "label": "Temperature",
    "description": "Unit of the temperature panels",
    "query": "°C : 1,°F : 1.8",
    "current": {"selected": True, "text": "°C", "value": "1"},
    "options": [
        {"selected": True, "text": "°C", "value": "1"},
        {"selected": False, "text": "°F", "value": "1.8"},
    ],
    "multi": False,
    "includeAll": False,
    "hide": 0,
    "skipUrlSync": False,
}
TEMP_OVERRIDES = [
    {"matcher": {"id": "byRegexp", "options": ".* °C"},
     "properties": [{"id": "unit", "value": "celsius"}]},
    {"matcher": {"id": "byRegexp", "options": ".* °F"},
     "properties": [{"id": "unit", "value": "fahrenheit"}]},
]


def temp_target(series, alias_nodes):
    """Temperatures in the chosen unit, each named '<nodes> °C|°F'."""
    conv = "offset(scale(offset(%s, 40), $temp_unit), -40)" % series
    return "aliasSub(%s, '$', ' ${temp_unit:text}')" % (
        "aliasByNode(%s, %s)" % (conv, alias_nodes))


def quote(s):
    """A Graphite string literal; the names in the table never need escapes."""
    if "'" in s or "\\" in s:
        sys.exit("generate.py: cannot quote %r for Graphite" % s)
    return "'%s'" % s


# --- panels -------------------------------------------------------------


class Layout:
    """Places panels left to right on Grafana's 24-column grid."""

    def __init__(self):
        self.x = 0
        self.y = 0
        self.line_h = 0
        self.next_id = 1
        self.panels = []

    def _id(self):
        i = self.next_id
        self.next_id += 1
        return i

    def row(self, title):
        self.newline()
        self.panels.append({
            "id": self._id(), "type": "row", "title": title,
            "collapsed": False, "panels": [],
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
        })
        self.y += 1

    def newline(self):
        if self.x:
            self.y += self.line_h
        self.x = 0
        self.line_h = 0

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.newline()
        panel["id"] = self._id()
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.line_h = max(self.line_h, h)
        self.panels.append(panel)


def targets(*exprs):
    out = []
    for i, e in enumerate(exprs):
        ref = chr(ord("A") + i) if i < 26 else "A" + chr(ord("A") + i - 26)
        out.append({"refId": ref, "datasource": DS, "target": e,
                    "textEditor": True})
    return out


def thresholds(*steps):
    """steps: (color, value) with the first value None (minus infinity)."""
    return {"mode": "absolute",
            "steps": [{"color": c, "value": v} for c, v in steps]}


def base(kind, title, description, exprs, unit, **defaults):
    d = {"unit": unit}
    d.update(defaults)
    d.setdefault("thresholds", thresholds(("green", None)))
    d.setdefault("color", {"mode": "thresholds"})
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": targets(*exprs),
        "fieldConfig": {"defaults": d, "overrides": []},
    }


REDUCE_LAST = {"calcs": ["lastNotNull"], "fields": "", "values": False}


def stat(title, desc, exprs, unit, graph=False, color="value", **d):
    p = base("stat", title, desc, exprs, unit, **d)
    p["options"] = {
        "reduceOptions": REDUCE_LAST, "orientation": "auto",
        "textMode": "auto", "colorMode": color,
        "graphMode": "area" if graph else "none", "justifyMode": "auto",
    }
    return p


def gauge(title, desc, exprs, unit, **d):
    p = base("gauge", title, desc, exprs, unit, **d)
    p["options"] = {"reduceOptions": REDUCE_LAST,
                    "showThresholdLabels": False,
                    "showThresholdMarkers": True}
    return p


def bargauge(title, desc, exprs, unit, orientation="horizontal", **d):
    p = base("bargauge", title, desc, exprs, unit, **d)
    p["options"] = {"reduceOptions": REDUCE_LAST,
                    "orientation": orientation,
                    "displayMode": "gradient", "showUnfilled": True,
                    "valueMode": "color", "namePlacement": "auto"}
    return p


def timeseries(title, desc, exprs, unit, **d):
    d.setdefault("color", {"mode": "palette-classic"})
    d.setdefault("custom", {
        "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10,
        "showPoints": "never", "spanNulls": False,
        "axisPlacement": "auto",
    })
    p = base("timeseries", title, desc, exprs, unit, **d)
    p["options"] = {
        "legend": {"showLegend": True, "displayMode": "list",
                   "placement": "bottom", "calcs": []},
        "tooltip": {"mode": "multi", "sort": "none"},
    }
    return p


def state_timeline(title, desc, exprs, mappings):
    p = base("state-timeline", title, desc, exprs, "none",
             mappings=mappings,
             custom={"lineWidth": 0, "fillOpacity": 80})
    p["options"] = {
        "mergeValues": True, "showValue": "never", "alignValue": "left",
        "rowHeight": 0.9,
        "legend": {"showLegend": False, "displayMode": "list",
                   "placement": "bottom"},
        "tooltip": {"mode": "single", "sort": "none"},
    }
    return p


def value_map(zero, one):
    """zero/one: (text, colour) for 0 and 1."""
    return [{"type": "value", "options": {
        "0": {"text": zero[0], "color": zero[1], "index": 0},
        "1": {"text": one[0], "color": one[1], "index": 1},
    }}]


ONLINE_MAP = value_map(("OFFLINE", "red"), ("ONLINE", "green"))


def code_map(cls):
    text, colour = CLASS_LOOK[cls]
    if cls == "state":
        return value_map(("off", "orange"), (text, colour))
    return value_map(("OK", "green"), (text, colour))


def code_list(codes):
    return "\n".join("- **%s** (`%s`, %s bit %d): %s" % (
        c["name"], c["id"], c["register"], c["bit"], c["meaning"])
        for c in codes)


# --- dashboards ---------------------------------------------------------


def datasource_var():
    return {"type": "datasource", "name": "datasource", "label": "Graphite",
            "query": "graphite", "current": {}, "options": [],
            "regex": "", "hide": 0, "refresh": 1, "skipUrlSync": False}


def query_var(name, label, query, multi=False, description=""):
    return {"type": "query", "name": name, "label": label,
            "description": description, "datasource": DS,
            "query": query, "definition": query, "refresh": 1,
            "sort": 1, "regex": "", "multi": multi, "includeAll": multi,
            "current": ({"selected": True, "text": ["All"],
                         "value": ["$__all"]} if multi else {}),
            "options": [], "hide": 0, "skipUrlSync": False}


def dashboard(uid, title, description, variables, panels, links):
    return {
        "__requires": [
            {"type": "datasource", "id": "graphite", "name": "Graphite",
             "version": "1.0.0"},
            {"type": "grafana", "id": "grafana", "name": "Grafana",
             "version": "10.0.0"},
        ],
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana",
                                         "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}]},
        "description": description,
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "id": None,
        "links": links,
        "panels": panels,
        "refresh": "30s",
        "schemaVersion": 39,
        "tags": ["wattcycle", "collectd", "battery"],
        "templating": {"list": variables},
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": title,
        "uid": uid,
        "version": 1,
        "weekStart": "",
    }


def other_dashboards_link():
    return [{"type": "dashboards", "tags": ["wattcycle"], "asDropdown": False,
             "includeVars": True, "keepTime": True, "title": "WattCycle",
             "icon": "external link", "targetBlank": False, "tooltip": "",
             "url": ""}]


def battery_overview(L, s):
    """SoC, voltage, current, power, cycles and online, now and over time."""
    L.row("Overview")
    volt_fmt = {"decimals": 2}
    L.add(gauge("State of charge", "percent-soc", [
        "alias(%s.percent.soc, 'SoC')" % s], "percent", min=0, max=100,
        decimals=0,
        thresholds=thresholds(("red", None), ("orange", 10),
                              ("green", 20))), 4, 7)
    L.add(stat("Pack voltage", "voltage-pack", [
        "alias(%s.voltage.pack, 'Pack voltage')" % s], "volt", graph=True,
        **volt_fmt), 4, 7)
    L.add(stat("Current", "current-pack: positive while charging, negative "
               "while discharging", [
                   "alias(%s.current.pack, 'Current')" % s], "amp",
               graph=True, decimals=1), 4, 7)
    L.add(stat("Power", "power-pack, same sign as the current", [
        "alias(%s.power.pack, 'Power')" % s], "watt", graph=True,
        decimals=0), 4, 7)
    L.add(stat("Cycles", "count-cycles", [
        "alias(%s.count.cycles, 'Cycles')" % s], "none", decimals=0), 4, 7)
    L.add(stat("Online", "bool-online: 0 after a poll the battery did not "
               "answer", [
                   "alias(%s.bool.online, 'Online')" % s], "none",
               color="background", mappings=ONLINE_MAP), 4, 7)

    L.add(timeseries("Pack voltage", "voltage-pack", [
        "alias(%s.voltage.pack, 'Pack voltage')" % s], "volt",
        **volt_fmt), 8, 8)
    L.add(timeseries("Current", "current-pack: + charging, - discharging", [
        "alias(%s.current.pack, 'Current')" % s], "amp", decimals=1), 8, 8)
    L.add(timeseries("Power", "power-pack: + charging, - discharging", [
        "alias(%s.power.pack, 'Power')" % s], "watt", decimals=0), 8, 8)

    L.add(timeseries("State of charge", "percent-soc", [
        "alias(%s.percent.soc, 'SoC')" % s], "percent", min=0, max=100,
        decimals=0), 8, 8)
    L.add(timeseries("Capacity: remaining, full, design",
                     "charge-remaining, charge-full, charge-design (Ah); "
                     "full below design is the pack's ageing", [
                         "aliasByNode(%s.charge.{remaining,full,design}, 5)"
                         % s], "amph", decimals=1, min=0), 8, 8)
    L.add(stat("Active codes", "count-protections, count-alarms, "
               "count-faults: how many codes are active now", [
                   "aliasByNode(%s.count.{protections,alarms,faults}, 5)"
                   % s], "none", color="background", decimals=0,
               thresholds=thresholds(("green", None), ("red", 1))), 8, 8)


def battery_cells(L, s):
    """Cell voltages now, and lowest, highest and spread over time."""
    L.row("Cells")
    cell_range = {"min": 2.5, "max": 3.65, "decimals": 3,
                  "thresholds": thresholds(
                      ("red", None), ("orange", 2.8), ("green", 3),
                      ("orange", 3.55), ("red", 3.65))}
    L.add(bargauge("Cell voltages", "voltage-cell01 ... cellNN, now. The "
                   "plugin sends these only with ReportCells true in the "
                   "<Battery> block.", [
        "aliasByNode(%s.voltage.cell[0-9]*, 5)" % s], "volt",
        orientation="vertical", **cell_range), 10, 9)
    cells = timeseries(
        "Cell voltages, lowest, highest and spread",
        "voltage-cellNN, voltage-cell_min, voltage-cell_max (left axis) and "
        "voltage-cell_delta in mV (right axis): a growing spread is a cell "
        "drifting away. The lowest, highest and spread are always sent; "
        "the per-cell lines need ReportCells true.", [
            "aliasByNode(%s.voltage.cell[0-9]*, 5)" % s,
            "aliasByNode(%s.voltage.{cell_min,cell_max}, 5)" % s,
            "aliasByNode(scale(%s.voltage.cell_delta, 1000), 5)" % s],
        "volt", decimals=3)
    cells["fieldConfig"]["overrides"] = [
        {"matcher": {"id": "byName", "options": "cell_delta"},
         "properties": [
             {"id": "unit", "value": "mvolt"},
             {"id": "decimals", "value": 0},
             {"id": "custom.axisPlacement", "value": "right"},
             {"id": "custom.lineWidth", "value": 2}]},
        {"matcher": {"id": "byRegexp", "options": "cell_(min|max)"},
         "properties": [{"id": "custom.lineWidth", "value": 2}]},
    ]
    L.add(cells, 14, 9)


def battery_temperatures(L, s):
    """Every temperature series, now and over time."""
    L.row("Temperatures")
    temp_stat = stat("Temperatures ${temp_unit:text}",
                     "temperature-mos (MOSFETs), -env (board), -probeN "
                     "(cell probes)", [temp_target(s + ".temperature.*", 5)],
                     "none", decimals=1)
    temp_stat["fieldConfig"]["overrides"] = TEMP_OVERRIDES
    L.add(temp_stat, 8, 8)
    temp_ts = timeseries("Temperatures ${temp_unit:text}",
                         "temperature-mos, -env, -probeN", [
                             temp_target(s + ".temperature.*", 5)],
                         "none", decimals=1)
    temp_ts["fieldConfig"]["overrides"] = TEMP_OVERRIDES
    L.add(temp_ts, 16, 8)


def battery_codes(L, s, alarms):
    """The MOSFETs, then one timeline row per code of each class."""
    L.row("MOSFETs, protections, alarms, faults")
    states = [a for a in alarms if a["class"] == "state"]
    mos_exprs = ["alias(consolidateBy(%s.bool.%s, 'min'), %s)" % (
        s, a["id"], quote(a["name"])) for a in states]
    mos_exprs.append("alias(consolidateBy(%s.bool.balancing, 'max'), "
                     "'Balancing')" % s)
    L.add(state_timeline(
        "MOSFETs and balancing",
        "bool-chg_on / bool-dsg_on: the charge and discharge MOSFETs (off "
        "means the battery stopped charging or discharging; the protections "
        "below say why); bool-balancing: any cell balancing.\n\n"
        + code_list(states), mos_exprs, code_map("state")), 24,
        2 + 2 * len(mos_exprs))
    for cls in ("protection", "fault", "alarm"):
        codes = [a for a in alarms if a["class"] == cls]
        exprs = ["alias(consolidateBy(%s.bool.%s, 'max'), %s)" % (
            s, a["id"], quote(a["name"])) for a in codes]
        L.add(state_timeline(
            CLASS_TITLE[cls],
            "One row per %s code, labelled as the WattCycle app names it "
            "(bool-<id>, 1 while active). The plugin sends these only with "
            "ReportAlarmValues true in the <Battery> block; the Active codes "
            "counts are sent either way.\n\n%s" % (cls, code_list(codes)),
            exprs, code_map(cls)), 24, 2 + len(exprs))


def battery_link(L, s):
    """Online, RSSI and poll duration."""
    L.row("Link")
    L.add(state_timeline("Online", "bool-online: 1 when the battery "
                         "answered the poll", [
                             "alias(consolidateBy(%s.bool.online, 'min'), "
                             "'Online')" % s], ONLINE_MAP), 8, 6)
    L.add(timeseries("RSSI", "signal_power-rssi: link RSSI of the BLE "
                     "connection, when the adapter reports it", [
                         "alias(%s.signal_power.rssi, 'RSSI')" % s], "dBm",
                     decimals=0), 8, 6)
    L.add(timeseries("Poll duration", "duration-poll: wall time of one "
                     "poll (connect, unlock, requests)", [
                         "alias(%s.duration.poll, 'Poll duration')" % s],
                     "s", decimals=2, min=0), 8, 6)


def battery_dashboard(alarms):
    s = SERIES
    L = Layout()
    battery_overview(L, s)
    battery_cells(L, s)
    battery_temperatures(L, s)
    battery_codes(L, s, alarms)
    battery_link(L, s)
    variables = [datasource_var(),
                 query_var("host", "Host", "collectd.*",
                           description="collectd Hostname ('.' as '_')"),
                 query_var("battery", "Battery", "collectd.$host.wattcycle.*",
                           description="<Battery> name in collectd.conf"),
                 TEMP_VAR]
    return dashboard(
        "wattcycle-battery", "WattCycle — battery",
        "One WattCycle battery read by collectd's wattcycle plugin, from "
        "Graphite (write_graphite: Prefix \"collectd.\", SeparateInstances "
        "true).", variables, L.panels, other_dashboards_link())


def all_dashboard():
    s = SERIES
    L = Layout()
    details = [{"title": "Battery ${__field.displayName}",
                "url": "/d/wattcycle-battery/?var-datasource=${datasource}"
                       "&var-host=${host}&var-battery=${__field.displayName}"
                       "&${__url_time_range}"}]

    L.row("Now")
    L.add(bargauge("State of charge", "percent-soc per battery", [
        "aliasByNode(%s.percent.soc, 3)" % s], "percent", min=0, max=100,
        decimals=0, links=details,
        thresholds=thresholds(("red", None), ("orange", 10),
                              ("green", 20))), 8, 8)
    L.add(stat("Pack voltage", "voltage-pack per battery", [
        "aliasByNode(%s.voltage.pack, 3)" % s], "volt", graph=True,
        decimals=2, links=details), 8, 8)
    L.add(bargauge("Cell spread", "voltage-cell_delta per battery (highest "
                   "minus lowest cell)", [
                       "aliasByNode(scale(%s.voltage.cell_delta, 1000), 3)"
                       % s], "mvolt", min=0, max=100, decimals=0,
                   links=details,
                   thresholds=thresholds(("green", None), ("orange", 30),
                                         ("red", 80))), 8, 8)

    L.add(timeseries("State of charge", "percent-soc", [
        "aliasByNode(%s.percent.soc, 3)" % s], "percent", min=0, max=100,
        decimals=0), 8, 8)
    L.add(timeseries("Pack voltage", "voltage-pack", [
        "aliasByNode(%s.voltage.pack, 3)" % s], "volt", decimals=2), 8, 8)
    L.add(timeseries("Current", "current-pack: + charging, - discharging", [
        "aliasByNode(%s.current.pack, 3)" % s], "amp", decimals=1), 8, 8)

    L.row("Sharing")
    L.add(bargauge("Current share", "Each battery's current as a percentage "
                   "of the selected batteries' total (asPercent over "
                   "current-pack). In a bank that shares well, the shares "
                   "are equal; meaningful while all carry current the same "
                   "way.", [
                       "aliasByNode(asPercent(%s.current.pack), 3)" % s],
                   "percent", min=0, max=100, decimals=0), 8, 8)
    L.add(timeseries("Current share", "asPercent over current-pack", [
        "aliasByNode(asPercent(%s.current.pack), 3)" % s], "percent",
        decimals=0), 8, 8)
    L.add(timeseries("Cell spread", "voltage-cell_delta in mV", [
        "aliasByNode(scale(%s.voltage.cell_delta, 1000), 3)" % s], "mvolt",
        decimals=0, min=0), 8, 8)

    L.row("Temperatures")
    hot = stat("Hottest sensor ${temp_unit:text}",
               "Highest of temperature-mos, -env, -probeN per battery", [
                   temp_target("groupByNode(%s.temperature.*, 3, 'max')" % s,
                               0)], "none", decimals=1)
    hot["fieldConfig"]["overrides"] = TEMP_OVERRIDES
    L.add(hot, 8, 8)
    temps = timeseries("Temperatures ${temp_unit:text}",
                       "Every sensor of every battery (battery.sensor)", [
                           temp_target(s + ".temperature.*", "3, 5")],
                       "none", decimals=1)
    temps["fieldConfig"]["overrides"] = TEMP_OVERRIDES
    L.add(temps, 16, 8)

    L.row("Protections and link")
    L.add(stat("Active protections, alarms, faults",
               "count-protections, count-alarms, count-faults per battery; "
               "the battery dashboard names the codes", [
                   "aliasByNode(%s.count.{protections,alarms,faults}, 3, 5)"
                   % s], "none", color="background", decimals=0,
               links=[{"title": "Battery details",
                       "url": "/d/wattcycle-battery/?var-datasource="
                              "${datasource}&var-host=${host}"
                              "&${__url_time_range}"}],
               thresholds=thresholds(("green", None), ("red", 1))), 12, 8)
    L.add(state_timeline("MOSFETs", "bool-chg_on and bool-dsg_on per "
                         "battery (battery.chg_on, battery.dsg_on)", [
                             "aliasByNode(consolidateBy("
                             "%s.bool.{chg_on,dsg_on}, 'min'), 3, 5)" % s],
                         code_map("state")), 12, 8)
    L.add(state_timeline("Online", "bool-online per battery", [
        "aliasByNode(consolidateBy(%s.bool.online, 'min'), 3)" % s],
        ONLINE_MAP), 24, 6)

    variables = [datasource_var(),
                 query_var("host", "Host", "collectd.*",
                           description="collectd Hostname ('.' as '_')"),
                 query_var("battery", "Batteries",
                           "collectd.$host.wattcycle.*", multi=True,
                           description="<Battery> names in collectd.conf"),
                 TEMP_VAR]
    return dashboard(
        "wattcycle-all", "WattCycle — all batteries",
        "Every WattCycle battery of a host side by side: is the bank "
        "balanced, sharing the load, healthy and reachable?",
        variables, L.panels, other_dashboards_link())


BANK = "collectd.$host.wattcycle.$bank"
REDUCE_RANGE = {"calcs": ["range"], "fields": "", "values": False}


def bank_dashboard():
    b = BANK
    L = Layout()

    L.row("Bank now")
    L.add(gauge("State of charge", "percent-soc of the bank: remaining over "
                "full charge, each string counting as its weakest member", [
                    "alias(%s.percent.soc, 'SoC')" % b], "percent", min=0,
                max=100, decimals=0,
                thresholds=thresholds(("red", None), ("orange", 10),
                                      ("green", 20))), 4, 7)
    L.add(stat("Voltage", "voltage-bank: the strings' summed member "
               "voltages, averaged", [
                   "alias(%s.voltage.bank, 'Voltage')" % b], "volt",
               graph=True, decimals=2), 4, 7)
    L.add(stat("Current", "current-bank: the strings' currents added; + "
               "charging, - discharging", [
                   "alias(%s.current.bank, 'Current')" % b], "amp",
               graph=True, decimals=1), 4, 7)
    L.add(stat("Power", "power-bank: each string's voltage x current, "
               "added", ["alias(%s.power.bank, 'Power')" % b], "watt",
               graph=True, decimals=0), 4, 7)
    L.add(stat("SoC spread", "percent-soc_spread: the largest SoC "
               "difference between members of one string", [
                   "alias(%s.percent.soc_spread, 'Spread')" % b], "percent",
               decimals=1, color="background",
               thresholds=thresholds(("green", None), ("orange", 10),
                                     ("red", 20))), 4, 7)
    L.add(stat("Members online", "count-members_online: members whose "
               "last poll is good and not older than two intervals", [
                   "alias(%s.count.members_online, 'Online')" % b], "none",
               decimals=0), 4, 7)

    L.row("Strings")
    L.add(timeseries("String currents", "current-stringN (each string's "
                     "members' mean) and current-bank", [
                         "aliasByNode(%s.current.string*, 5)" % b,
                         "alias(%s.current.bank, 'bank')" % b], "amp",
                     decimals=1), 12, 8)
    L.add(bargauge("String shares", "percent-stringN_share: each string's "
                   "share of the bank current (even: 100 / strings); sent "
                   "while the bank carries at least 1 A", [
                       "aliasByNode(%s.percent.string*_share, 5)" % b],
                   "percent", min=0, max=100, decimals=0), 6, 8)
    L.add(timeseries("Share imbalance", "percent-share_imbalance: the "
                     "largest distance of a share from the even share", [
                         "alias(%s.percent.share_imbalance, 'imbalance')"
                         % b], "percent", decimals=1, min=0,
                     thresholds=thresholds(("green", None), ("red", 25))),
          6, 8)
    L.add(timeseries("String voltages", "voltage-stringN: the string's "
                     "member voltages added", [
                         "aliasByNode(%s.voltage.string*, 5)" % b], "volt",
                     decimals=2), 12, 8)
    L.add(timeseries("Lowest and highest cell", "voltage-cell_min and "
                     "voltage-cell_max over every member", [
                         "aliasByNode(%s.voltage.cell_{min,max}, 5)" % b],
                     "volt", decimals=3), 12, 8)

    L.row("Balance")
    L.add(timeseries("SoC per string", "percent-stringN_soc (its weakest "
                     "member) and the bank's percent-soc", [
                         "aliasByNode(%s.percent.string*_soc, 5)" % b,
                         "alias(%s.percent.soc, 'bank')" % b], "percent",
                     decimals=1, min=0, max=100), 12, 8)
    L.add(timeseries("SoC spread per string", "percent-stringN_spread: "
                     "highest minus lowest member SoC", [
                         "aliasByNode(%s.percent.string*_spread, 5)" % b],
                     "percent", decimals=1, min=0), 12, 8)

    L.row("Energy")
    L.add(stat("Charged in the time range", "energy_wh-charged is a "
               "running total; the panel shows how much it grew over the "
               "dashboard's time range (pick \"Today so far\" for today)",
               ["alias(%s.energy_wh.charged, 'charged')" % b], "watth",
               decimals=0), 6, 7)
    L.add(stat("Discharged in the time range", "energy_wh-discharged grown "
               "over the time range", [
                   "alias(%s.energy_wh.discharged, 'discharged')" % b],
               "watth", decimals=0), 6, 7)
    L.add(timeseries("Energy totals", "energy_wh-charged and "
                     "energy_wh-discharged, Wh since the plugin started "
                     "counting (kept across restarts)", [
                         "aliasByNode(%s.energy_wh.*, 5)" % b], "watth",
                     decimals=0), 12, 7)
    for p in L.panels:
        if p.get("title", "").endswith("in the time range"):
            p["options"]["reduceOptions"] = REDUCE_RANGE

    variables = [datasource_var(),
                 query_var("host", "Host", "collectd.*",
                           description="collectd Hostname ('.' as '_')"),
                 query_var("bank", "Bank", "collectd.$host.wattcycle.*",
                           description="a bank of the inventory (the list "
                           "also shows the batteries: pick a bank)")]
    return dashboard(
        "wattcycle-bank", "WattCycle — bank",
        "One bank of the inventory: its totals, how its strings share the "
        "current, how far its members drift apart, and the energy in and "
        "out.",
        variables, L.panels, other_dashboards_link())


def load_alarms(args):
    if args.alarms_json:
        with open(args.alarms_json, encoding="utf-8") as f:
            table = json.load(f)
    else:
        out = subprocess.run([args.wattcycle, "alarms", "--json"],
                             check=True, capture_output=True, text=True)
        table = json.loads(out.stdout)
    for a in table:
        if a["class"] not in CLASS_LOOK:
            sys.exit("generate.py: alarm %s has unknown class %r"
                     % (a["id"], a["class"]))
    return table


def render(d):
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wattcycle", default=os.path.join(ROOT, "build",
                                                        "wattcycle"))
    ap.add_argument("--alarms-json", help="the table as JSON, instead of "
                    "running wattcycle alarms --json")
    ap.add_argument("--out", default=os.path.join(ROOT, "grafana",
                                                  "dashboards"))
    args = ap.parse_args()
    alarms = load_alarms(args)
    os.makedirs(args.out, exist_ok=True)
    for name, d in (("wattcycle-battery.json", battery_dashboard(alarms)),
                    ("wattcycle-all.json", all_dashboard()),
                    ("wattcycle-bank.json", bank_dashboard())):
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            f.write(render(d))


if __name__ == "__main__":
    main()
