#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers of scripts/soak.sh: the scenario files, the fault driver and the
checks.  Standard library only.

  soak.py scenario DIR N SIMS SEED   write DIR/simK.cfg and DIR/batteries.tsv
  soak.py drive DIR SECONDS SEED     cycle the faults; DIR/episodes.tsv
  soak.py check DIR [--tap]          the checks over csv/, collectd.log,
                                     episodes.tsv, probe.tsv; prints the
                                     figures (markdown) and TAP lines

Batteries (N, default 64): names bNN; cells 4/8/16 in turn; every fourth
KeepConnected; the first quarter is the control set, never faulted (alarm
storms only); the last two refuse the unlock for the whole run (their key
is not HiLink); the rest is the fault pool.

Episodes: the driver keeps up to PARALLEL faults going on distinct pool
batteries, each for EPISODE_S seconds, the kinds in a seeded random order
that still goes through every kind in turn: the simulator's faults
(latency beyond Timeout, silence, drop, crc, garbage, duplicate, length,
refuse), kill/revive, and alarm storms (codes raised and cleared several
times in a second, then held for two intervals, then cleared).
"""
import json
import os
import random
import re
import subprocess
import sys
import time

INTERVAL = 2.0          # collectd Interval of every battery
TIMEOUT = 1.5           # its Timeout
OFFLINE_AFTER = 2
EPISODE_S = 3 * INTERVAL + 1.0   # >= OfflineAfter failed polls inside
SLACK_S = 2.0 * INTERVAL + 1.0   # log timestamps are whole seconds
# A battery rests after an episode for longer than the episode's log
# window reaches past its end (SLACK_S + INTERVAL, and a second of
# timestamp rounding), so that the next fault's lines on the same battery
# are never counted against the previous one.
COOLDOWN_S = SLACK_S + 2 * INTERVAL
PARALLEL = 6
LATENCY_MS = int((TIMEOUT + 1.0) * 1000)  # beyond Timeout
TAIL_S = 3 * INTERVAL + 2.0      # after the last episode: the recoveries

# What each fault must produce in the log: a "poll failed" line or the
# offline notification's last error (regex), or None: tolerated, the
# battery keeps being read.
EXPECT = {
    "latency": r"no answer before the poll deadline|timed out",
    "silence": r"no answer to 0x",
    "drop": r"closed the link",
    "crc": r"crc mismatch",
    "length": r"length",
    "refuse": r"closed the link at once",   # KeepConnected: see check
    "kill": r"no simulator socket|closed the link",
    "garbage": None,
    "duplicate": None,
    "storm": None,
}
# A duplicated first fragment costs nothing when a response fits one
# notification; at MTU 23 (20-byte fragments) the copy lands inside the
# frame being reassembled, which then fails its checks: that battery's
# polls fail with the frame error and it comes back afterwards.
DUPLICATE_SMALL_MTU = r"terminator|crc mismatch|length|incomplete|stray"

KINDS = list(EXPECT)
UNLOCK_RE = r"did not accept the HiLink unlock"
STORM_CODES = ["dsg_ocp", "cell_ovp", "chg_ot_alarm", "temp_fault",
               "pack_uvp", "cell_uv_alarm", "mos_otp", "cells_fault"]


def batteries(d):
    out = []
    with open(os.path.join(d, "batteries.tsv")) as f:
        for line in f:
            name, sim, cells, keep, role, mtu = line.split()
            out.append({"name": name, "sim": sim, "cells": int(cells),
                        "keep": keep == "true", "role": role,
                        "mtu": int(mtu)})
    return out


def cmd_scenario(d, n, sims, seed):
    rnd = random.Random(seed)
    rows = []
    groups = {k: [] for k in range(sims)}
    for i in range(n):
        name = "b%02d" % i
        cells = (4, 8, 16)[i % 3]
        keep = i % 4 == 3
        if i < n // 4:
            role = "control"
        elif i >= n - 2:
            role = "unlock"
        else:
            role = "pool"
        sim = i % sims
        mtu = rnd.choice((23, 185, 247, 517))
        rows.append((name, "sim%d" % sim, cells, keep, role, mtu))
        g = ['name = "%s";' % name, 'socket = "run/%s.sock";' % name,
             "cells = %d;" % cells, "probes = %d;" % (2 if cells < 16 else 4),
             'head = "%s";' % ("both", "7e", "1e")[i % 3],
             "mtu = %d;" % mtu,
             "soc = %.1f;" % rnd.uniform(20, 95),
             "latency_ms = %d;" % LATENCY_MS,
             "profile = ( { t = 0.0; current = %.1f; } );"
             % rnd.uniform(-20, 20)]
        if role == "unlock":
            g.append('unlock_key = "Nope";')
        groups[sim].append("  { " + " ".join(g) + " }")
    for k, gs in groups.items():
        with open(os.path.join(d, "sim%d.cfg" % k), "w") as f:
            f.write("# written by scripts/soak.py\nbatteries = (\n")
            f.write(",\n".join(gs) + "\n);\n")
    with open(os.path.join(d, "batteries.tsv"), "w") as f:
        for r in rows:
            f.write("%s\t%s\t%d\t%s\t%s\t%d\n"
                    % (r[0], r[1], r[2], "true" if r[3] else "false", r[4],
                       r[5]))


def ctl(d, sim, *words):
    p = subprocess.run([os.environ.get("SIM", "build/wattcycle-sim"), "ctl",
                        os.path.join(d, sim + ".ctl")] + list(words),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=10)
    if p.returncode != 0:
        sys.stderr.write("soak: ctl %s %s: %s" % (sim, " ".join(words),
                                                  p.stdout.decode()))
    return p.returncode == 0


def cmd_drive(d, seconds, seed):
    rnd = random.Random(seed)
    bats = {b["name"]: b for b in batteries(d)}
    pool = [b for b in bats.values() if b["role"] == "pool"]
    control = [b for b in bats.values() if b["role"] == "control"]
    free_at = {b["name"]: 0.0 for b in pool + control}
    active = []      # [end, name, kind, codes]
    order = []
    start = time.time()
    stop = start + seconds - EPISODE_S - TAIL_S  # all over before the end
    epi = open(os.path.join(d, "episodes.tsv"), "w")

    def end_episode(e):
        _, name, kind, codes, t0 = e
        sim = bats[name]["sim"]
        if kind == "kill":
            ctl(d, sim, "revive", name)
        elif kind == "storm":
            for c in codes:
                ctl(d, sim, "alarm", name, c, "off")
        else:
            ctl(d, sim, "fault", name, kind, "off")
        t = time.time()
        epi.write("%.3f\t%.3f\t%s\t%s\t%s\n" % (t0, t, name, kind,
                                                  ",".join(codes) or "-"))
        epi.flush()
        free_at[name] = t + COOLDOWN_S

    while True:
        now = time.time()
        for e in [e for e in active if e[0] <= now]:
            active.remove(e)
            end_episode(e)
        if now >= stop:
            if not active:
                break
            time.sleep(0.2)
            continue
        while len(active) < PARALLEL:
            if not order:
                order = KINDS[:]
                rnd.shuffle(order)
            kind = order[0]
            cands = control + pool if kind == "storm" else pool
            busy = {e[1] for e in active}
            cands = [b for b in cands
                     if b["name"] not in busy and free_at[b["name"]] <= now]
            if not cands:
                break
            order.pop(0)
            b = rnd.choice(cands)
            name, sim, codes = b["name"], b["sim"], []
            t0 = time.time()
            if kind == "kill":
                ctl(d, sim, "kill", name)
            elif kind == "storm":
                codes = rnd.sample(STORM_CODES, 3)
                for _ in range(3):   # flapping, faster than the polls
                    for c in codes:
                        ctl(d, sim, "alarm", name, c, "on")
                    for c in codes:
                        ctl(d, sim, "alarm", name, c, "off")
                for c in codes:
                    ctl(d, sim, "alarm", name, c, "on")
            else:
                ctl(d, sim, "fault", name, kind, "on")
            active.append([t0 + EPISODE_S, name, kind, codes, t0])
        time.sleep(0.2)
    epi.close()
    # the recoveries of the last episodes, inside the run
    time.sleep(max(0.0, start + seconds - time.time()))


# ---- checks ----------------------------------------------------------------

LOG_RE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\] (.*)$")


def read_log(path):
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LOG_RE.match(line.rstrip("\n"))
            if not m:
                continue
            t = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S"))
            out.append((t, m.group(2)))
    return out


def read_csv(d, name, what):
    """(epoch, value) rows of one series over every day file."""
    rows = []
    base = os.path.join(d, "csv", "soak", "wattcycle-" + name)
    if not os.path.isdir(base):
        return rows
    for fn in sorted(os.listdir(base)):
        if fn.startswith(what + "-"):
            with open(os.path.join(base, fn)) as f:
                for line in f:
                    if line[0].isdigit():
                        t, v = line.strip().split(",")[:2]
                        rows.append((float(t), float(v)))
    rows.sort()
    return rows


def slope_range(points):
    n = len(points)
    if n < 2:
        return 0.0, 0.0
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in points)
    ys = [p[1] for p in points]
    return (sxy / sxx if sxx else 0.0), max(ys) - min(ys)


class Tap:
    def __init__(self, on):
        self.on, self.n, self.failed = on, 0, 0

    def check(self, ok, desc):
        self.n += 1
        if not ok:
            self.failed += 1
        if self.on:
            print("%s %d - %s" % ("ok" if ok else "not ok", self.n, desc))


def cmd_check(d, tap_on):
    tap = Tap(tap_on)
    bats = batteries(d)
    bats_by = {b["name"]: b for b in bats}
    log = read_log(os.path.join(d, "collectd.log"))
    with open(os.path.join(d, "run.tsv")) as f:
        run = dict(line.split() for line in f)
    t_start, t_stop = float(run["start"]), float(run["stop"])
    sanitized = run.get("sanitized", "no") == "yes"
    rep = []

    # 1. every poll within Timeout + 100 ms, on the poll's own clock: the
    # soak's plugin build appends "NAME END POLL_S CALLBACK_S OK" per poll
    # (tests/bench/poll_stopwatch.c)
    times = []
    try:
        with open(os.path.join(d, "polltimes")) as f:
            for line in f:
                w = line.split()
                if len(w) == 5 and float(w[2]) >= 0:
                    times.append((w[0], float(w[1]), float(w[2]),
                                  float(w[3]), w[4] == "1"))
    except OSError:
        pass
    polls = sum(len(read_csv(d, b["name"], "bool-online")) for b in bats)
    worst_dur = max((t[2] for t in times if t[4]), default=0.0)
    worst = max(times, key=lambda t: t[2], default=("-", 0.0, 0.0, 0.0, 0))
    worst_cb = max(times, key=lambda t: t[3], default=("-", 0.0, 0.0, 0.0, 0))
    late = sum(1 for t in times if t[2] > TIMEOUT + 0.1)
    rep.append("| polls (bool-online values) | %d |" % polls)
    rep.append("| polls timed by the stopwatch | %d |" % len(times))
    rep.append("| longest poll, successful | %.3f s |" % worst_dur)
    rep.append("| longest poll incl. failed | %.3f s (%s at %.0f s) |"
               % (worst[2], worst[0], worst[1] - t_start))
    rep.append("| longest read callback (poll + values + notifications) "
               "| %.3f s (%s at %.0f s) |"
               % (worst_cb[3], worst_cb[0], worst_cb[1] - t_start))
    tap.check(polls > 0, "values were written (%d polls)" % polls)
    tap.check(len(times) >= polls * 0.99 and len(times) <= polls + len(bats),
              "the stopwatch timed every poll (%d of %d)"
              % (len(times), polls))
    tap.check(late == 0,
              "every poll ended within Timeout + 100 ms (longest %.3f s, "
              "%s at %.0f s; %d late)"
              % (worst[2], worst[0], worst[1] - t_start, late))
    # From collectd's schedule: poll k of a battery is due at s0 + k *
    # Interval; its end minus that bounds the poll plus its wait for a
    # free read thread.  Reported, not checked: collectd moves a battery's
    # next read to "now" after a late one, which shifts the later slots.
    sched, sched_name = 0.0, "-"
    for b in bats:
        online = read_csv(d, b["name"], "bool-online")
        if len(online) < 2:
            continue
        phase = [t - k * INTERVAL for k, (t, _) in enumerate(online)]
        e = max(phase) - min(phase)
        if e > sched:
            sched, sched_name = e, b["name"]
    rep.append("| longest poll end after its slot, from collectd's schedule "
               "(reported only) | %.3f s (%s) |" % (sched, sched_name))

    # 2. healthy batteries read at >= 95 % of their intervals
    lowest, lowest_name = 1.0, "-"
    for b in bats:
        if b["role"] != "control":
            continue
        online = read_csv(d, b["name"], "bool-online")
        if not online:
            lowest, lowest_name = 0.0, b["name"]
            continue
        expected = int((t_stop - online[0][0]) / INTERVAL)
        good = sum(1 for _, v in online if v == 1.0)
        r = good / expected if expected else 0.0
        if r < lowest:
            lowest, lowest_name = r, b["name"]
    rep.append("| control batteries: lowest share of intervals read | %.1f %% (%s) |"
               % (100 * lowest, lowest_name))
    tap.check(lowest >= 0.95, "every healthy battery read at >= 95 %% of its "
              "intervals (lowest %.1f %%, %s)" % (100 * lowest, lowest_name))

    # 3. fds and RSS flat over the second half
    probe = []
    with open(os.path.join(d, "probe.tsv")) as f:
        for line in f:
            t, fds, rss = line.split()
            probe.append((float(t), int(fds), int(rss)))
    half = t_start + (t_stop - t_start) / 2
    second = [p for p in probe if p[0] >= half]
    fs, fr = slope_range([((p[0] - half) / 60, p[1]) for p in second])
    rs, rr = slope_range([((p[0] - half) / 60, p[2] / 1024) for p in second])
    rep.append("| open fds, second half: slope, range | %+.2f /min, %d |"
               % (fs, fr))
    rep.append("| RSS, second half: slope, range | %+.0f KiB/min, %.0f KiB |"
               % (rs, rr))
    # A poll holds one socket while it runs, KeepConnected batteries one
    # always: the count moves with the polls in flight (at most
    # ReadThreads), but must not climb.
    tap.check(len(second) >= 5, "fds/RSS sampled (%d samples)" % len(second))
    # One fd lost per fault episode would be some +40/min; the count at
    # any instant moves with the polls in flight.
    tap.check(abs(fs) <= 8.0 and fr <= 24,
              "open fds flat over the second half (|slope| %+.2f/min <= 8, "
              "range %d <= 24)" % (fs, fr))
    if sanitized:
        # ASan's quarantine holds freed memory up to its cap: RSS climbs
        # by design; reported, not checked.
        print("# RSS under ASan reported only (slope %+.0f KiB/min)" % rs)
    else:
        tap.check(rs <= 256 and rr <= 4096,
                  "RSS flat over the second half (slope %+.0f KiB/min <= "
                  "256, range %.0f KiB <= 4096)" % (rs, rr))

    # 4. no collectd backoff or slow-read complaints
    bad = [m for _, m in log if re.search(
        r"read-function .* took|Will suspend|backing off|too long", m)]
    tap.check(not bad, "no read-function complaint or backoff in the log (%d)"
              % len(bad) + ("" if not bad else ": " + bad[0][:120]))
    rep.append("| collectd complaints (slow read, suspend) | %d |" % len(bad))

    # 5. every fault its message, every recovery its OKAY
    def lines_for(name, t0, t1):
        pat = re.compile(r"\b%s\b" % re.escape(name))
        return [(t, m) for t, m in log
                if t0 - 1 <= t <= t1 and pat.search(m) and "wattcycle" in m]

    episodes = []
    with open(os.path.join(d, "episodes.tsv")) as f:
        for line in f:
            t0, t1, name, kind, codes = line.split()
            episodes.append((float(t0), float(t1), name, kind,
                             [] if codes == "-" else codes.split(",")))
    per_kind = {k: [0, 0] for k in KINDS}
    misses = []
    for t0, t1, name, kind, codes in episodes:
        per_kind[kind][0] += 1
        ls = lines_for(name, t0, t1 + SLACK_S + INTERVAL)
        ok = True
        why = ""
        if kind == "storm":
            for c in codes:
                on = [m for _, m in ls if "type_instance = %s," % c in m
                      and re.search(r"severity = (FAILURE|WARNING)", m)]
                off = [m for _, m in ls if "type_instance = %s," % c in m
                       and "severity = OKAY" in m and "cleared" in m]
                if not on or not off:
                    ok, why = False, "%s: %d raised, %d cleared" % (
                        c, len(on), len(off))
        elif kind == "duplicate" and bats_by[name]["mtu"] == 23:
            said = [m for _, m in ls if ("poll failed" in m or
                    "unreachable" in m) and
                    re.search(DUPLICATE_SMALL_MTU, m)]
            back = [m for t, m in ls if t >= t1 - 1 and
                    "severity = OKAY" in m and
                    "type_instance = online," in m]
            if not said or not back:
                ok, why = False, "MTU 23: %d failure lines, %d OKAY" % (
                    len(said), len(back))
        elif kind == "refuse" and bats_by[name]["keep"]:
            # refuse turns new connections away; a KeepConnected battery
            # keeps the link it holds: tolerated, or (when its link went
            # down meanwhile) the message and the OKAY
            said = [m for _, m in ls if ("poll failed" in m or
                    "unreachable" in m) and re.search(EXPECT[kind], m)]
            failed = [m for _, m in ls if "poll failed" in m]
            back = [m for t, m in ls if t >= t1 - 1 and
                    "severity = OKAY" in m and
                    "type_instance = online," in m]
            if failed and not said:
                ok, why = False, "KeepConnected: failed without the message"
        elif EXPECT[kind] is None:
            failed = [m for _, m in ls if "poll failed" in m]
            if failed:
                ok, why = False, "tolerated fault failed a poll: " + failed[0]
        else:
            said = [m for _, m in ls if ("poll failed" in m or
                    "unreachable" in m) and re.search(EXPECT[kind], m)]
            back = [m for t, m in ls if t >= t1 - 1 and
                    "severity = OKAY" in m and
                    "type_instance = online," in m]
            if not said:
                ok, why = False, "no line matching /%s/" % EXPECT[kind]
            elif not back:
                ok, why = False, "no OKAY (reachable again) after the fault"
        if ok:
            per_kind[kind][1] += 1
        else:
            misses.append("%s %s at %.0f: %s" % (kind, name, t0 - t_start, why))
    for k in KINDS:
        n, good = per_kind[k]
        what = ("their message and OKAY" if EXPECT[k] else
                "notifications raised and cleared" if k == "storm" else
                "no failed poll (at MTU 23: the frame error and OKAY)"
                if k == "duplicate" else "no failed poll")
        if k == "refuse":
            what += " (a KeepConnected battery may keep its link)"
        tap.check(n > 0 and good == n, "fault %s: %d of %d episodes gave %s"
                  % (k, good, n, what))
        rep.append("| fault %s: episodes answered as documented | %d / %d |"
                   % (k, good, n))
    for m in misses[:20]:
        print("# " + m)
    for b in bats:
        if b["role"] != "unlock":
            continue
        said = [m for _, m in log if re.search(r"\b%s\b" % b["name"], m)
                and re.search(UNLOCK_RE, m)]
        tap.check(bool(said), "%s (refuses the unlock): its message names "
                  "the unlock" % b["name"])
    rep.append("| episodes | %d |" % len(episodes))

    print("\n".join(rep) if not tap_on else
          "\n".join("# " + r for r in rep))
    if tap_on:
        print("1..%d" % tap.n)
    with open(os.path.join(d, "report.md"), "w") as f:
        f.write("\n".join(rep) + "\n")
    with open(os.path.join(d, "verdict"), "w") as f:
        f.write("%d %d\n" % (tap.n, tap.failed))
    return 1 if tap.failed else 0


def main(argv):
    if len(argv) >= 6 and argv[1] == "scenario":
        cmd_scenario(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
        return 0
    if len(argv) >= 5 and argv[1] == "drive":
        cmd_drive(argv[2], float(argv[3]), int(argv[4]))
        return 0
    if len(argv) >= 3 and argv[1] == "check":
        return cmd_check(argv[2], "--tap" in argv)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
