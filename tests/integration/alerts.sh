#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Alerts with the real daemons: collectd (wattcycle plugin + the shipped
# conf/thresholds.conf + the shipped unixsock and notify_nagios snippets,
# paths moved into a temp dir) against wattcycle-sim.  One battery is driven
# across each limit and back through the simulator's control channel; for
# every step the test asserts
#   - collectd-nagios, run with the ranges of the shipped Nagios services
#     (conf/nagios/wattcycle-services.cfg), exits 0 -> 1 -> 2 -> 0 with its
#     status text and the served value;
#   - the threshold plugin's notification (logfile) with its severity;
#   - notify_nagios' PROCESS_SERVICE_CHECK_RESULT line (CommandFile = a file
#     in the temp dir) with the Nagios code;
# and finally validates the shipped Nagios objects (and the generated
# passive services) with the real `nagios4 -v`.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
. tests/lib/collectd.sh
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
NAG_CONF=conf/nagios
PY=/usr/bin/python3

trap 'collectd_stop_all; sim_stop_all; rm -rf "$TMP"' EXIT

# ---- the daemons --------------------------------------------------------
sim_start b1 --socket "$TMP/b1.sock" --name b1 --cells 4 --current 0 || { tap_not_ok "simulator started"; tap_done; exit 1; }

# The shipped snippets with their system paths moved into $TMP, and the
# commented per-battery pack blocks of thresholds.conf switched on (they
# must parse and resolve too).
sed "s|/var/run/collectd-unixsock|$TMP/collectd.sock|" "$NAG_CONF/collectd-unixsock.conf" >"$TMP/unixsock.conf"
sed "s|/var/lib/nagios4/rw/nagios.cmd|$TMP/nagios.cmd|" "$NAG_CONF/collectd-notify_nagios.conf" >"$TMP/notify_nagios.conf"
sed 's/^  #@ /  /' conf/thresholds.conf >"$TMP/thresholds.conf"
# notify_nagios appends to an existing command file (Nagios' FIFO); it never
# creates one.
: >"$TMP/nagios.cmd"
# ReportCells: the per-cell series, so the thresholds' cell block is
# exercised.
collectd_conf host=ci interval=0.5 base="$TMP" log="$TMP/collectd.log" \
	include="$TMP/unixsock.conf" include="$TMP/notify_nagios.conf" include="$TMP/thresholds.conf" \
	wattcycle="$(collectd_battery b1 "unix:$TMP/b1.sock" Timeout 0.4 OfflineAfter 3 ReportCells true)" \
	>"$TMP/collectd.conf"
collectd_start cd "$TMP/collectd.conf" "$TMP/collectd.out"

# ---- helpers ------------------------------------------------------------
# ranges ID: "WARN CRIT" of the shipped active service for ID.
ranges() {
	awk -F'!' -v id="$1" '$1 ~ /check_command/ && $1 ~ /check_wattcycle_collectd$/ && $3 == id { print $4, $5 }' \
		"$NAG_CONF/wattcycle-services.cfg" | head -n 1
}
# nag ID: run collectd-nagios with the shipped ranges; NAG_RC, NAG_OUT.
nag() {
	local w c
	read -r w c <<<"$(ranges "$1")"
	NAG_OUT=$(collectd-nagios -s "$TMP/collectd.sock" -H ci -n "wattcycle-b1/$1" -w "$w" -c "$c" 2>&1)
	NAG_RC=$?
}
# lines FILE: its line count (a mark: later waits look only past it).
lines() { wc -l <"$1"; }
nag_is() { nag "$1"; [[ $NAG_RC == "$2" && $NAG_OUT =~ $3 ]]; }
after() { tail -n +"$(($2 + 1))" "$1"; }
has_after() { after "$1" "$2" | grep -qE -- "$3"; }

# step DESC ID RC TEXT_RE LOGMARK CMDMARK SEVERITY CODE: collectd-nagios on
# ID reaches RC with TEXT (within 8 s), then the threshold notification
# SEVERITY for ID and notify_nagios' line with CODE appear after the marks.
step() {
	local desc=$1 id=$2 rc=$3 re=$4 lm=$5 cm=$6 sev=$7 code=$8
	local type=${id%%-*} ti=${id#*-}
	if wait_until 8 nag_is "$id" "$rc" "$re"; then
		tap_ok "$desc: collectd-nagios $id exits $rc ($NAG_OUT)"
	else
		tap_not_ok "$desc: collectd-nagios $id: got rc $NAG_RC '$NAG_OUT', want $rc '$re'"
	fi
	check "$desc: threshold notification $sev for $id" wait_until 8 has_after "$TMP/collectd.log" "$lm" \
		"Notification: severity = $sev, host = ci, plugin = wattcycle, plugin_instance = b1, type = $type, type_instance = $ti, message = "
	check "$desc: notify_nagios result $code for $id" wait_until 8 has_after "$TMP/nagios.cmd" "$cm" \
		"^\[[0-9]+\] PROCESS_SERVICE_CHECK_RESULT;ci;wattcycle-b1/$id;$code;Host ci, plugin wattcycle \(instance b1\) type $type \(instance $ti\): "
}
ctl() { sim_ctl b1 "$@"; }
state() { "$SIM" ctl "$TMP/b1.ctl" state b1 | jq -r "$1"; }
LM=0 CM=0
mark() { LM=$(lines "$TMP/collectd.log"); CM=$(lines "$TMP/nagios.cmd"); }

# ---- start-up -----------------------------------------------------------
if wait_until 10 nag_is percent-soc 0 '^OKAY: 0 critical, 0 warning, 1 okay \| value=80\.0+;'; then
	tap_ok "collectd answers over the shipped unixsock snippet: SoC 80 % OKAY"
else
	tap_not_ok "collectd did not come up: $NAG_OUT"; sed 's/^/#   /' "$TMP/collectd.log" "$TMP/collectd.out"
fi
if getent group nagios >/dev/null; then
	eq "socket group and mode from the snippet" "$(stat -c '%G %a' "$TMP/collectd.sock")" "nagios 660"
fi
check "first value of each thresholded series: one OKAY (soc)" wait_until 5 has_after "$TMP/collectd.log" 0 \
	'severity = OKAY, host = ci, plugin = wattcycle, plugin_instance = b1, type = percent, type_instance = soc, message = .*within range again'
check "start-up OKAY reaches notify_nagios as code 0" wait_until 5 has_after "$TMP/nagios.cmd" 0 \
	'PROCESS_SERVICE_CHECK_RESULT;ci;wattcycle-b1/bool-online;0;'

# The thresholds in force, as the daemon resolved the shipped file.
getthreshold() {
	"$PY" - "$TMP/collectd.sock" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
f = s.makefile("rw")
for ident in sys.argv[2:]:
    f.write("GETTHRESHOLD %s\n" % ident)
    f.flush()
    head = f.readline().split(" ", 1)
    n = int(head[0])
    if n < 0:
        print(ident + ": " + head[1].strip())
        continue
    body = [f.readline().strip() for _ in range(n)]
    print(ident + ": " + "; ".join(b for b in body if not b.startswith(("Plugin:", "Type:"))))
PY
}
th=$(getthreshold ci/wattcycle-b1/voltage-cell03 ci/wattcycle-b1/voltage-cell_delta \
	ci/wattcycle-b1/voltage-pack ci/wattcycle-house24/voltage-pack ci/wattcycle-house48/voltage-pack \
	ci/wattcycle-house48/voltage-cell16 ci/wattcycle-b1/percent-soc ci/wattcycle-b1/temperature-probe3 \
	ci/wattcycle-b1/temperature-mos ci/wattcycle-b1/bool-online ci/wattcycle-b1/count-protections \
	ci/wattcycle-b1/bool-dsg_on ci/wattcycle-b1/count-cycles 2>&1)
want_th() { grep -qxF -- "$1" <<<"$th"; }
check "threshold: cells (generic voltage block)" want_th "ci/wattcycle-b1/voltage-cell03: Warning Min: 3; Warning Max: 3.6; Failure Min: 2.8; Failure Max: 3.65; Hysteresis: 0.02; Hits: 2"
check "threshold: cell_delta" want_th "ci/wattcycle-b1/voltage-cell_delta: Type Instance: cell_delta; Warning Max: 0.05; Failure Max: 0.1; Hysteresis: 0.005; Hits: 2"
check "threshold: 12 V pack for every battery" want_th "ci/wattcycle-b1/voltage-pack: Type Instance: pack; Warning Min: 12; Warning Max: 14.6; Failure Min: 11.2; Failure Max: 14.8; Hysteresis: 0.1; Hits: 2"
check "threshold: per-battery 24 V pack block" want_th "ci/wattcycle-house24/voltage-pack: Plugin Instance: house24; Type Instance: pack; Warning Min: 24; Warning Max: 29.2; Failure Min: 22.4; Failure Max: 29.6; Hysteresis: 0.2; Hits: 2"
check "threshold: per-battery 48 V pack block" want_th "ci/wattcycle-house48/voltage-pack: Plugin Instance: house48; Type Instance: pack; Warning Min: 48; Warning Max: 58.4; Failure Min: 44.8; Failure Max: 59.2; Hysteresis: 0.4; Hits: 2"
check "threshold: a 48 V battery's cells still get the cell block" want_th "ci/wattcycle-house48/voltage-cell16: Warning Min: 3; Warning Max: 3.6; Failure Min: 2.8; Failure Max: 3.65; Hysteresis: 0.02; Hits: 2"
check "threshold: soc" want_th "ci/wattcycle-b1/percent-soc: Type Instance: soc; Warning Min: 20; Failure Min: 10; Hysteresis: 2"
check "threshold: probes (charge window warns, discharge window fails)" want_th "ci/wattcycle-b1/temperature-probe3: Warning Min: 0; Warning Max: 45; Failure Min: -20; Failure Max: 60; Hysteresis: 1"
check "threshold: MOSFET temperature" want_th "ci/wattcycle-b1/temperature-mos: Type Instance: mos; Warning Max: 65; Failure Min: -30; Failure Max: 80; Hysteresis: 2"
check "threshold: online" want_th "ci/wattcycle-b1/bool-online: Type Instance: online; Failure Min: 0.5; Hits: 2"
check "threshold: protections" want_th "ci/wattcycle-b1/count-protections: Type Instance: protections; Failure Max: 0"
check "no threshold on other bools (MOSFET flags are the plugin's notifications)" grep -q "bool-dsg_on: .*No threshold found" <<<"$th"
check "no threshold on cycles (no bare count block)" grep -q "count-cycles: .*No threshold found" <<<"$th"

# ---- SoC: 80 -> 15 -> 21 -> 5 -> 80 ------------------------------------
mark; ctl set b1 soc 15
step "SoC 15 %" percent-soc 1 '^WARNING: 0 critical, 1 warning, 0 okay \| value=15\.0+;' $LM $CM WARNING 1
check "SoC 15 %: message names the warning limit" has_after "$TMP/collectd.log" $LM "type_instance = soc, message = .*is currently 15\.0+\. That is below the warning threshold of 20\.0+\."
hyst=$(lines "$TMP/collectd.log")
ctl set b1 soc 21
check "SoC 21 %: collectd-nagios has no hysteresis: OKAY" wait_until 8 nag_is percent-soc 0 'value=21\.0+;'
mark; ctl set b1 soc 5
step "SoC 5 %" percent-soc 2 '^CRITICAL: 1 critical, 0 warning, 0 okay \| value=5\.0+;' $LM $CM FAILURE 2
check "SoC 5 %: message names the failure limit" has_after "$TMP/collectd.log" $LM "type_instance = soc, message = .*below the failure threshold of 10\.0+\."
check "SoC 21 % stayed WARNING in the threshold plugin (Hysteresis 2: no OKAY)" \
	bash -c '! tail -n +"$(($2 + 1))" "$1" | grep -q "severity = OKAY.*type_instance = soc,"' _ "$TMP/collectd.log" "$hyst"
mark; ctl set b1 soc 80
step "SoC back to 80 %" percent-soc 0 '^OKAY: 0 critical, 0 warning, 1 okay \| value=80\.0+;' $LM $CM OKAY 0

# ---- cell delta: one cell drifts up by 70 mV, 120 mV, back --------------
c2=$(state '.cells_v[1]'); top=$(state '.cells_v | max')
mark; ctl set b1 cell2 "$(awk -v t="$top" 'BEGIN { printf "%.3f", t + 0.070 }')"
step "cell 2 +70 mV" voltage-cell_delta 1 '^WARNING: 0 critical, 1 warning, 0 okay \| value=0\.07' $LM $CM WARNING 1
check "cell delta: message names the limit 0.05" has_after "$TMP/collectd.log" $LM "type_instance = cell_delta, message = .*above the warning threshold of 0\.050+\."
mark; ctl set b1 cell2 "$(awk -v t="$top" 'BEGIN { printf "%.3f", t + 0.120 }')"
step "cell 2 +120 mV" voltage-cell_delta 2 '^CRITICAL: 1 critical, 0 warning, 0 okay \| value=0\.12' $LM $CM FAILURE 2
mark; ctl set b1 cell2 "$c2"
step "cell 2 back" voltage-cell_delta 0 '^OKAY: 0 critical, 0 warning, 1 okay' $LM $CM OKAY 0

# ---- cell and pack voltage (12 V block): 3.62 V, 3.72 V a cell, back ---
orig=$(state '.cells_v | map(tostring) | join(" ")')
set_cells() { local i=1 v; for v in "$@"; do ctl set b1 "cell$i" "$v"; i=$((i + 1)); done; }
mark; set_cells 3.62 3.62 3.62 3.62
step "cells 3.62 V" voltage-cell_max 1 '^WARNING: .*value=3\.62' $LM $CM WARNING 1
check "cells 3.62 V: every cell's own series warns (generic block)" wait_until 8 has_after "$TMP/collectd.log" $LM \
	'severity = WARNING, .*type_instance = cell04, message = .*above the warning threshold of 3\.60+\.'
mark; set_cells 3.72 3.72 3.72 3.72
step "cells 3.72 V" voltage-cell_max 2 '^CRITICAL: .*value=3\.72' $LM $CM FAILURE 2
step "pack 14.88 V" voltage-pack 2 '^CRITICAL: .*value=14\.88' $LM $CM FAILURE 2
# shellcheck disable=SC2086
mark; set_cells $orig
step "cells back" voltage-cell_max 0 '^OKAY: ' $LM $CM OKAY 0
step "pack back" voltage-pack 0 '^OKAY: ' $LM $CM OKAY 0

# ---- temperatures -------------------------------------------------------
mark; ctl set b1 temp 50
step "50 °C" temperature-env 1 '^WARNING: .*value=51\.0+;' $LM $CM WARNING 1
step "50 °C: probe" temperature-probe1 1 '^WARNING: ' $LM $CM WARNING 1
nag temperature-mos; eq "50 °C: MOSFET 50.5 °C is fine (~:65)" "$NAG_RC" 0
mark; ctl set b1 temp 62
step "62 °C" temperature-env 2 '^CRITICAL: .*value=63\.0+;' $LM $CM FAILURE 2
mark; ctl set b1 temp 70
step "70 °C: MOSFET" temperature-mos 1 '^WARNING: .*value=70\.50+;' $LM $CM WARNING 1
mark; ctl set b1 temp 20
step "20 °C" temperature-env 0 '^OKAY: ' $LM $CM OKAY 0
step "20 °C: MOSFET" temperature-mos 0 '^OKAY: ' $LM $CM OKAY 0
mark; ctl set b1 temp -5
step "-5 °C: no charging" temperature-env 1 '^WARNING: .*value=-4\.0+;' $LM $CM WARNING 1
check "-5 °C: below the warning minimum 0" has_after "$TMP/collectd.log" $LM "type_instance = env, message = .*below the warning threshold of 0\.0+\."
mark; ctl set b1 temp 20
step "back to 20 °C" temperature-env 0 '^OKAY: ' $LM $CM OKAY 0

# ---- alarms, protections, faults ---------------------------------------
mark; ctl alarm b1 cell_uv_alarm on
step "cell_uv_alarm" count-alarms 1 '^WARNING: .*value=1\.0+;' $LM $CM WARNING 1
mark; ctl alarm b1 dsg_ocp on
step "dsg_ocp" count-protections 2 '^CRITICAL: 1 critical, 0 warning, 0 okay \| value=1\.0+;' $LM $CM FAILURE 2
check "dsg_ocp: the plugin's own FAILURE reaches Nagios by code id" wait_until 5 has_after "$TMP/nagios.cmd" $CM \
	'PROCESS_SERVICE_CHECK_RESULT;ci;wattcycle-b1/bool-dsg_ocp;2;b1: DSG OCP\(A\) — Over-current during discharging'
check "dsg_ocp: discharge MOSFET off reaches Nagios as WARNING" wait_until 5 has_after "$TMP/nagios.cmd" $CM \
	'PROCESS_SERVICE_CHECK_RESULT;ci;wattcycle-b1/bool-dsg_on;1;b1: discharge MOSFET off \(active: DSG OCP\(A\)\)'
mark; ctl alarm b1 temp_fault on
step "temp_fault" count-faults 2 '^CRITICAL: .*value=1\.0+;' $LM $CM FAILURE 2
mark; ctl alarm b1 temp_fault off; ctl alarm b1 dsg_ocp off; ctl alarm b1 cell_uv_alarm off
step "codes cleared: faults" count-faults 0 '^OKAY: ' $LM $CM OKAY 0
step "codes cleared: protections" count-protections 0 '^OKAY: ' $LM $CM OKAY 0
step "codes cleared: alarms" count-alarms 0 '^OKAY: ' $LM $CM OKAY 0
check "dsg_ocp cleared: code 0 from the plugin" wait_until 5 has_after "$TMP/nagios.cmd" $CM \
	'PROCESS_SERVICE_CHECK_RESULT;ci;wattcycle-b1/bool-dsg_ocp;0;b1: DSG OCP\(A\) cleared'

# ---- online: kill, revive ----------------------------------------------
mark; ctl kill b1
step "battery gone" bool-online 2 '^CRITICAL: 1 critical, 0 warning, 0 okay \| value=0\.0+;' $LM $CM FAILURE 2
check "battery gone: the plugin's unreachable FAILURE reaches Nagios" wait_until 5 has_after "$TMP/nagios.cmd" $CM \
	'PROCESS_SERVICE_CHECK_RESULT;ci;wattcycle-b1/bool-online;2;b1: unreachable for 3 polls \(last error: connect: '
check "battery gone: SoC is CRITICAL through collectd-nagios (value dropped; rc 2, not 3)" \
	wait_until 8 nag_is percent-soc 2 'No such value'
check "battery gone: no 'not updated' FAILURE per series (Interesting false)" \
	bash -c '! tail -n +"$(($2 + 1))" "$1" | grep -q "has not been updated"' _ "$TMP/collectd.log" "$LM"
mark; ctl revive b1
step "battery back" bool-online 0 '^OKAY: 0 critical, 0 warning, 1 okay \| value=1\.0+;' $LM $CM OKAY 0
check "battery back: SoC readable again" wait_until 8 nag_is percent-soc 0 '^OKAY: '

# ---- notify_nagios output as a whole -------------------------------------
collectd_stop cd
check "every command line is a well-formed passive service result" \
	bash -c '! grep -vE "^\[[0-9]{10}\] PROCESS_SERVICE_CHECK_RESULT;ci;wattcycle-b1/[a-z]+-[a-z0-9_]+;[012];.+$" "$1"' _ "$TMP/nagios.cmd"
WATTCYCLE=$BUILD/wattcycle "$NAG_CONF/wattcycle-passive-services.sh" ci b1 4 2 >"$TMP/passive.cfg"
eq "generator: one passive service per notifying identifier (4S, 2 probes)" \
	"$(grep -c '^define service' "$TMP/passive.cfg")" "$((1 + 4 + 3 + 1 + 2 + 2 + 4 + $("$BUILD/wattcycle" alarms --json | jq length)))"
missing=$(comm -23 <(cut -d';' -f3 "$TMP/nagios.cmd" | sort -u) \
	<(sed -n 's/^ *service_description *//p' "$TMP/passive.cfg" | sort -u))
eq "every service notify_nagios wrote to has a generated passive service" "$missing" ""

# ---- the shipped Nagios objects, validated by nagios4 -v ------------------
mkdir -p "$TMP/ng/checkresults"
echo '$USER1$=/usr/lib/nagios/plugins' >"$TMP/ng/resource.cfg"
nagios_main() { # OBJECT FILES...
	local f
	{
		echo "log_file=$TMP/ng/nagios.log"
		echo "resource_file=$TMP/ng/resource.cfg"
		for f in commands contacts timeperiods templates; do
			echo "cfg_file=/etc/nagios4/objects/$f.cfg"
		done
		for f in "$@"; do echo "cfg_file=$f"; done
		echo "object_cache_file=$TMP/ng/objects.cache"
		echo "precached_object_file=$TMP/ng/objects.precache"
		echo "status_file=$TMP/ng/status.dat"
		echo "lock_file=$TMP/ng/nagios.lock"
		echo "temp_file=$TMP/ng/nagios.tmp"
		echo "command_file=$TMP/ng/nagios.cmd"
		echo "check_result_path=$TMP/ng/checkresults"
		echo "nagios_user=$(id -un)"
		echo "nagios_group=$(id -gn)"
		echo 'illegal_macro_output_chars=`~$&|'"'"'"<>'
	} >"$TMP/ng/nagios.cfg"
	nagios4 -v "$TMP/ng/nagios.cfg" >"$TMP/ng/verify.out" 2>&1
}
WATTCYCLE=$BUILD/wattcycle "$NAG_CONF/wattcycle-passive-services.sh" boat house1 16 4 --soh >"$TMP/ng/passive.cfg"
# CELLS 0, for a battery without ReportCells: no per-cell services
WATTCYCLE=$BUILD/wattcycle "$NAG_CONF/wattcycle-passive-services.sh" boat house1 0 4 >"$TMP/ng/passive0.cfg"
check "passive services, CELLS 0: no voltage-cellNN, cell_min/_max/_delta kept" bash -c \
	'! grep -q "voltage-cell[0-9]" "$1" && grep -q "/voltage-cell_min$" "$1" && grep -q "/voltage-cell_delta$" "$1"' _ "$TMP/ng/passive0.cfg"
shipped=("$PWD/$NAG_CONF/wattcycle-commands.cfg" "$PWD/$NAG_CONF/wattcycle-templates.cfg" \
	"$PWD/$NAG_CONF/wattcycle-host.cfg" "$PWD/$NAG_CONF/wattcycle-services.cfg" \
	"$PWD/$NAG_CONF/wattcycle-check-services.cfg" "$TMP/ng/passive.cfg")
nagios_main "${shipped[@]}"
eq "nagios4 -v accepts the shipped objects and 16S passive services" "$?" "0"
check "nagios4 -v: 0 errors, 0 warnings" bash -c 'grep -q "^Total Errors: *0$" "$1" && grep -q "^Total Warnings: *0$" "$1"' _ "$TMP/ng/verify.out"
n_svc=$(cat "${shipped[@]}" | grep -c '^define service')
n_tpl=$(grep -c '^ *register *0' "$NAG_CONF/wattcycle-templates.cfg")
n_cmd=$(cat /etc/nagios4/objects/commands.cfg "$NAG_CONF/wattcycle-commands.cfg" | grep -c '^define command')
check "nagios4 -v: every service ($((n_svc - n_tpl))) and command ($n_cmd) checked" \
	bash -c 'grep -q "Checked $2 services\." "$1" && grep -q "Checked $3 commands\." "$1"' _ "$TMP/ng/verify.out" "$((n_svc - n_tpl))" "$n_cmd"
# The validation is real: a service naming a command that does not exist fails.
sed 's/check_wattcycle_collectd!house1!percent-soc/check_wattcycle_colectd!house1!percent-soc/' \
	"$NAG_CONF/wattcycle-services.cfg" >"$TMP/ng/broken.cfg"
nagios_main "${shipped[@]/*wattcycle-services.cfg/$TMP/ng/broken.cfg}"
rc=$?
check "nagios4 -v rejects a service with an undefined command (rc $rc)" \
	bash -c '[[ $1 -ne 0 ]] && grep -q "check_wattcycle_colectd.*not defined" "$2"' _ "$rc" "$TMP/ng/verify.out"

tap_done
