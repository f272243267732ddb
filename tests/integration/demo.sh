#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo` (scripts/demo.sh): a short run prints a summary line per poll
# per battery and bank4's over-current event, renders valid PNG graphs and
# leaves no process behind; Ctrl-C stops it early and still renders.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
TMP=$(mktemp -d)
DEMO_PID=
trap '[[ -n $DEMO_PID ]] && kill -TERM -- "-$DEMO_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
BATTERIES="bank1 bank2 bank3 bank4"
GRAPHS="soc pack-voltage current bank cell-delta alarms cells-bank1 cells-bank2 cells-bank3 cells-bank4 temperatures-bank1 temperatures-bank2 temperatures-bank3 temperatures-bank4"

summaries() { # FILE BATTERY: summary lines of that battery
	grep -cE "^[0-9]{2}:[0-9]{2}:[0-9]{2} $2 +[0-9]+\.[0-9]{2} V +-?[0-9]+\.[0-9] A .* SoC +[0-9.]+ % +cells [0-9.]+-[0-9.]+ V" "$1"
}
is_png() { [[ -s $1 && $(head -c 8 "$1" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] && file "$1" | grep -q 'PNG image data'; }
leftovers() { # DIR: processes still using the demo's files
	pgrep -f -- "$1/collectd.conf|$1/bank.cfg" | tr '\n' ' '
}
graphs_ok() { # DIR TAG
	local g bad=
	for g in $GRAPHS; do is_png "$1/graphs/$g.png" || bad+="$g "; done
	eq "$2: the $(wc -w <<<"$GRAPHS") graphs are valid PNGs" "$bad" ""
}

# A short run to its end (bank4's dsg_ocp trips 20 s in).
DEMO_SECONDS=30 DEMO_DIR=$TMP/a timeout 90 scripts/demo.sh >"$TMP/a.out" 2>&1
eq "demo run exits 0" "$?" 0
for b in $BATTERIES; do
	n=$(summaries "$TMP/a.out" "$b")
	check "$b: a summary line per poll ($n lines in 30 s at 2 s)" test "$n" -ge 6
done
# The bank: both strings share the load, then string 2 drops out (bank4's
# protection) and string 1 takes the whole load, with the bank's
# notifications.
n=$(grep -cE "^[0-9:]{8} house +[0-9]+\.[0-9]{2} V +-2[0-9]\.[0-9] A .* strings -1[0-9]\.[0-9] / -1[0-9]\.[0-9] A .* 4 members online" "$TMP/a.out")
check "house: bank lines with both strings sharing the load ($n)" test "$n" -ge 3
check "house: string 1 takes the whole load while string 2 is out" \
	grep -qE "^[0-9:]{8} house .* strings -2[0-9]\.[0-9] / 0\.0 A" "$TMP/a.out"
check "house: string 2's FAILURE names bank4's MOSFET and protection" grep -qE \
	">> FAILURE: house: string 2 carries 0\.0 A of -2[0-9]\.[0-9] A: bank4 discharge MOSFET off \(DSG OCP\(A\)\)" "$TMP/a.out"
check "house: string 2's share WARNING" grep -qF ">> WARNING: house: string 2 carries 0.0 % of the bank current" "$TMP/a.out"
check "house: RRD files of the bank" test -f "$TMP/a/rrd/demo/wattcycle-house/current-string2.rrd"
check "bank4's protection is announced" grep -qF ">> FAILURE: bank4: DSG OCP(A) — Over-current during discharging" "$TMP/a.out"
check "and shows in its summary" grep -qE "^[0-9:]{8} bank4 .* 1 code\(s\) active" "$TMP/a.out"
graphs_ok "$TMP/a" "demo run"
check "it says where the graphs are" grep -qF "graphs in $TMP/a/graphs/" "$TMP/a.out"
check "RRD files under DEMO_DIR only" test -f "$TMP/a/rrd/demo/wattcycle-bank4/percent-soc.rrd"
eq "no process left behind" "$(leftovers "$TMP/a")" ""

# Ctrl-C: SIGINT to the demo's process group, as a terminal sends it.
# A shell started in the background without job control inherits SIGINT
# ignored, and a script cannot trap a signal ignored on entry: env gives
# the demo SIGINT's default back, whatever started this test.
set -m
DEMO_SECONDS=600 DEMO_DIR=$TMP/b env --default-signal=INT scripts/demo.sh >"$TMP/b.out" 2>&1 &
DEMO_PID=$!
set +m
all_polled() { local b; for b in $BATTERIES; do (($(summaries "$TMP/b.out" "$b") >= 1)) || return 1; done; }
deadline=$((SECONDS + 20))
until all_polled || ((SECONDS > deadline)); do sleep 0.1; done
check "Ctrl-C run: every battery polled before the interrupt" all_polled
kill -INT -- "-$DEMO_PID"
deadline=$((SECONDS + 30))
while kill -0 "$DEMO_PID" 2>/dev/null && ((SECONDS <= deadline)); do sleep 0.1; done
check "Ctrl-C: the demo stops within 30 s" bash -c "! kill -0 $DEMO_PID 2>/dev/null"
wait "$DEMO_PID"; rc=$?
DEMO_PID=
eq "Ctrl-C: exit status 0" "$rc" 0
check "Ctrl-C: says it stops collectd and the simulator" grep -q "demo: stopping collectd and the simulator" "$TMP/b.out"
graphs_ok "$TMP/b" "Ctrl-C"
eq "Ctrl-C: no process left behind" "$(leftovers "$TMP/b")" ""

tap_done
