#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wattcycle check (a Nagios plugin) against wattcycle-sim: its metric list
# is the real plugin's identifier list; every metric class reports the value
# the simulator served with perfdata per the plugin guidelines; each Nagios
# range form; several groups in one call, the worst state winning; exit
# codes 0/1/2 as the battery is driven across limits; 3 (UNKNOWN) for a
# stopped or silent battery, a metric the battery does not report, and
# every usage error.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
BUILD=${BUILD:-build}
W=$BUILD/wattcycle
TMP=$(mktemp -d)
trap 'sim_stop_all; rm -rf "$TMP"' EXIT

# run ARGS...: wattcycle check; OUT (stdout), ERR, RC.
run() {
	OUT=$("$W" check "$@" 2>"$TMP/err"); RC=$?
	ERR=$(cat "$TMP/err")
}
A=

# ---- the metric list is the plugin's identifier list --------------------
# Same simulated battery as scripts/identifiers.sh's default (16S), which
# runs the real daemon with the real plugin.
sim_start ids --socket "$TMP/ids.sock" --name ids --cells 16
run "unix:$TMP/ids.sock" --list
eq "--list: exit 0" "$RC" "0"
# (energy_wh-charged/-discharged are running totals kept by the plugin
# over time; a one-shot check has none to offer)
plugin_ids=$(BUILD=$BUILD scripts/identifiers.sh --cells 16 2>/dev/null | grep -v '^energy_wh-')
check "identifiers.sh produced the plugin's list" test -n "$plugin_ids"
eq "--list names exactly the identifiers the collectd plugin dispatches (16S)" \
	"$(awk '{ print $2 }' <<<"$OUT" | sort -u)" "$plugin_ids"
sim_stop ids

# ---- every metric class against the served values ---------------------
sim_start b --socket "$TMP/b.sock" --name b --cells 8 --current -12.5 --soc 50 --log "$TMP/b.log" \
	|| { tap_not_ok "simulator started"; tap_done; exit 1; }
A=unix:$TMP/b.sock
served() { jq -c "select(.dp == \"0x8c\") | $1" "$TMP/b.log" | tail -n 1; }
# perf NAME: the perfdata item of NAME in OUT.
perf() { sed -n 's/.* | //p' <<<"$OUT" | tr ' ' '\n' | grep "^$1="; }
value_of() { perf "$1" | sed 's/^[^=]*=\([-0-9.]*\).*/\1/'; }

run "$A" -m soc -m soh -m pack -m current -m power -m cell01 -m cell08 -m cell_min -m cell_max -m cell_delta \
	-m remaining -m full -m design -m cycles -m mos -m env -m probe1 -m probe2
eq "all classes but soh: UNKNOWN, soh is not reported by this battery" "$RC" "3"
check "status line names the missing metric" grep -q '^WATTCYCLE UNKNOWN - soc 50 %, soh not reported by the battery, pack ' <<<"$OUT"
eq "served values: soc, pack, current, power" \
	"[$(value_of soc),$(value_of pack),$(value_of current),$(value_of power)]" \
	"$(served '[.soc_pct, .voltage_v, .current_a, (.voltage_v * .current_a * 100 | round / 100)]')"
eq "served values: cells 1 and 8" "[$(value_of cell01),$(value_of cell08)]" "$(served '[.cells_v[0], .cells_v[7]]')"
eq "derived like the plugin: cell_min, cell_max, cell_delta" \
	"[$(value_of cell_min),$(value_of cell_max),$(value_of cell_delta)]" \
	"$(served '[(.cells_v | min), (.cells_v | max), ((.cells_v | max) - (.cells_v | min) | . * 1000 | round / 1000)]')"
eq "served values: remaining, full, design, cycles" \
	"[$(value_of remaining),$(value_of full),$(value_of design),$(value_of cycles)]" \
	"$(served '[.remaining_ah, .full_ah, .design_ah, .cycles]')"
eq "served values: mos, env, probes" \
	"[$(value_of mos),$(value_of env),$(value_of probe1),$(value_of probe2)]" \
	"$(served '[.temp_mos_c, .temp_env_c, .probes_c[0], .probes_c[1]]')"
eq "perfdata: % with min 0 and max 100, no thresholds" "$(perf soc)" "soc=50%;;;0;100"
eq "perfdata: volts unit-less (guidelines UOMs only)" "$(perf pack)" "pack=$(served .voltage_v)"
check "text: units for people" grep -q "pack $(served .voltage_v) V, current -12.5 A, power .* W, cell01 .* V, .* mos .* °C" <<<"$OUT"

run "$A" -m chg_on -m dsg_on -m balancing -m dsg_ocp -m protections -m alarms -m faults -m online -m poll -m percent-soc -m current-pack
eq "flags, codes, counts, online, poll, full identifiers: OK" "$RC" "0"
eq "flags and counts" "$(perf chg_on) $(perf dsg_on) $(perf balancing) $(perf dsg_ocp) $(perf protections) $(perf alarms) $(perf faults) $(perf online)" \
	"chg_on=1;;;0;1 dsg_on=1;;;0;1 balancing=0;;;0;1 dsg_ocp=0;;;0;1 protections=0 alarms=0 faults=0 online=1;;;0;1"
check "poll duration in seconds (UOM s, min 0)" grep -qE '^poll=[0-9.e-]+s;;;0$' <<<"$(perf poll)"
eq "TYPE-INSTANCE names work: percent-soc, current-pack" "$(perf percent-soc) $(perf current-pack)" "percent-soc=50%;;;0;100 current-pack=-12.5"

# ---- Nagios ranges, against SoC 50 -------------------------------------
range_case() { # RANGE WANT_RC
	run "$A" -m soc -c "$1"
	eq "range -c '$1' with soc 50: exit $2" "$RC" "$2"
}
range_case 60 0; range_case 40 2          # 0..N
range_case 40: 0; range_case 60: 2        # N..inf
range_case '~:60' 0; range_case '~:40' 2  # -inf..N
range_case 40:60 0; range_case 55:60 2    # outside
range_case 50:50 0                        # bounds inclusive
range_case @40:60 2; range_case @55:60 0  # inside
range_case @50:60 2                       # inside, inclusive
range_case -10.5:50.0 0                   # negative and decimal bounds
run "$A" -m soc -w 60: -c 40:
eq "-w 60: -c 40: with soc 50: WARNING" "$RC" "1"
eq "WARNING status line and perfdata" "$OUT" "WATTCYCLE WARNING - soc 50 % (warning) | soc=50%;60:;40:;0;100"

# ---- the battery driven across limits -----------------------------------
soc_check() { run "$A" --metric soc -w 30: -c 15:; }
soc_check; eq "SoC 50: OK" "$RC $OUT" "0 WATTCYCLE OK - soc 50 % | soc=50%;30:;15:;0;100"
sim_ctl b set b soc 20; soc_check
eq "SoC 20: WARNING" "$RC $OUT" "1 WATTCYCLE WARNING - soc 20 % (warning) | soc=20%;30:;15:;0;100"
sim_ctl b set b soc 10; soc_check
eq "SoC 10: CRITICAL" "$RC $OUT" "2 WATTCYCLE CRITICAL - soc 10 % (critical) | soc=10%;30:;15:;0;100"
sim_ctl b set b soc 50; soc_check
eq "SoC 50 again: OK" "$RC" "0"

cell1=$(served '.cells_v[0]'); top=$(served '.cells_v | max')
sim_ctl b set b cell1 "$(awk -v t="$top" 'BEGIN { printf "%.3f", t + 0.07 }')"
run "$A" -m cell_delta -w 0.05 -c 0.1
eq "cell delta 70 mV: WARNING" "$RC" "1"
sim_ctl b set b cell1 "$(awk -v t="$top" 'BEGIN { printf "%.3f", t + 0.12 }')"
run "$A" -m cell_delta -w 0.05 -c 0.1
eq "cell delta 120 mV: CRITICAL" "$RC" "2"
check "cell delta perfdata carries the ranges" grep -qE '\| cell_delta=0\.12[0-9]*;0\.05;0\.1$' <<<"$OUT"
sim_ctl b set b cell1 "$cell1"

sim_ctl b set b temp 50
run "$A" -m env -w 0:45 -c -20:60 -m mos -w '~:65' -c '~:80'
eq "50 °C: env WARNING, MOSFET OK: WARNING" "$RC" "1"
check "50 °C: only env is marked" grep -q '^WATTCYCLE WARNING - env 51 °C (warning), mos 50.5 °C |' <<<"$OUT"
sim_ctl b set b temp 20

# Protections: the example of wattcycle(1), EXAMPLES, and the worst state winning.
sim_ctl b alarm b cell_uv_alarm on
run "$A" --metric protections -c 0 --metric alarms -w 0 --metric soc -w 30: -c 15:
eq "an alarm: WARNING" "$RC" "1"
sim_ctl b alarm b dsg_ocp on
run "$A" --metric protections -c 0 --metric alarms -w 0 --metric soc -w 30: -c 15: --metric dsg_on
eq "a protection too: CRITICAL wins" "$RC" "2"
eq "one status line with every group and perfdata" "$OUT" \
	"WATTCYCLE CRITICAL - protections 1 (critical), alarms 1 (warning), soc 50 %, dsg_on 0 | protections=1;;0 alarms=1;0 soc=50%;30:;15:;0;100 dsg_on=0;;;0;1"
run "$A" --metric dsg_ocp -c 0
eq "a single code as a metric: CRITICAL" "$RC" "2"
sim_ctl b alarm b dsg_ocp off; sim_ctl b alarm b cell_uv_alarm off
run "$A" --metric protections -c 0 --metric alarms -w 0
eq "codes cleared: OK" "$RC" "0"

run "$A" --metric soc -w 20: --supervision-timeout 2000
eq "--supervision-timeout taken (unix: no LE link to set it on): OK" "$RC" "0"
run "$A" --metric soc --supervision-timeout 105
eq "--supervision-timeout off the 10 ms steps: UNKNOWN" "$RC/${OUT%% (*}" "3/WATTCYCLE UNKNOWN - usage: --supervision-timeout expects milliseconds from 100 to 32000 in steps of 10"

# ---- UNKNOWN: silent, then stopped battery ----------------------------
sim_ctl b fault b silence on
t0=$(now_ms); run "$A" -m soc --timeout 0.5; t1=$(now_ms)
eq "silent battery: UNKNOWN" "$RC" "3"
check "silent battery: says it cannot read it" grep -q "^WATTCYCLE UNKNOWN - $A: cannot read the battery: " <<<"$OUT"
le "silent battery: --timeout 0.5 bounds the check (ms)" "$((t1 - t0))" 900
# a battery named in the inventory: its timeout counts as read's does
printf 'batteries = ( { name = "slow"; address = "%s"; timeout = 0.5; } );\n' "$A" >"$TMP/inv.conf"
t0=$(now_ms); run slow -I "$TMP/inv.conf" -m soc; t1=$(now_ms)
eq "silent battery named in the inventory: UNKNOWN" "$RC" "3"
le "silent battery: the inventory's timeout 0.5 bounds the check (ms)" "$((t1 - t0))" 900
t0=$(now_ms); run slow -I "$TMP/inv.conf" -m soc --timeout 1.5; t1=$(now_ms)
check "silent battery: --timeout 1.5 comes before the inventory's 0.5 ($((t1 - t0)) ms)" \
	test "$((t1 - t0))" -ge 1400 -a "$((t1 - t0))" -le 2400
sim_ctl b fault b silence off
sim_stop b
run "$A" -m soc -w 30: -c 15:
eq "stopped simulator: UNKNOWN" "$RC" "3"
check "stopped simulator: one status line naming the socket" \
	bash -c '[[ $(wc -l <<<"$1") -eq 1 ]] && grep -q "^WATTCYCLE UNKNOWN - .*no simulator socket at $2" <<<"$1"' _ "$OUT" "$TMP/b.sock"

# ---- usage errors: UNKNOWN (3), the reason on stdout ------------------
usage_case() { # DESC ARGS...
	local desc=$1; shift
	run "$@"
	check "usage: $desc: exit 3, 'WATTCYCLE UNKNOWN - usage:' (got $RC: $OUT)" \
		bash -c '[[ $1 == 3 && $2 == "WATTCYCLE UNKNOWN - usage: "* && $3 == *"wattcycle help check"* ]]' _ "$RC" "$OUT" "$ERR"
}
usage_case "no metric" "$A"
usage_case "no address" -m soc
usage_case "bad address" nonsense -m soc
usage_case "unknown metric" "$A" -m soq
usage_case "ambiguous bare type" "$A" -m voltage
usage_case "cell beyond 32" "$A" -m cell33
usage_case "-w before any --metric" "$A" -w 10 -m soc
usage_case "two -c for one metric" "$A" -m soc -c 10 -c 20
usage_case "metric twice" "$A" -m soc -m soc
usage_case "range start > end" "$A" -m soc -w 20:10
usage_case "range not a number" "$A" -m soc -w abc
usage_case "range empty" "$A" -m soc -w ''
usage_case "range only @" "$A" -m soc -c @
usage_case "range :10 (not one of the forms)" "$A" -m soc -c :10
usage_case "bad timeout" "$A" -m soc --timeout 0
usage_case "unknown option" "$A" -m soc --frobnicate
usage_case "a common option check does not take (--json)" "$A" -m soc --json
usage_case "a value to an option that takes none" "$A" -m soc --list=yes
usage_case "missing option value" "$A" -m soc -c
usage_case "stray argument" "$A" extra -m soc

# ---- help ---------------------------------------------------------------
help=$("$W" help check); rc=$?
eq "help check: exit 0" "$rc" "0"
check "help check: usage line" grep -q '^Usage: wattcycle check ADDRESS --metric NAME \[-w RANGE\] \[-c RANGE\]' <<<"$help"
check "help check: exit codes, UNKNOWN for unreadable battery and usage errors" \
	bash -c 'grep -q "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN" <<<"$1" && grep -q "when the battery cannot be read" <<<"$1" && grep -q "on every usage error" <<<"$1"' _ "$help"
check "help check: every range form" bash -c 'for f in "10 " "10: " "~:10" "10:20" "@10:20"; do grep -qF -- "$f" <<<"$1" || exit 1; done' _ "$help"
check "wattcycle --help lists check" bash -c "$W --help | grep -q '^  check '"

tap_done
