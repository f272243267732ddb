#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: a simulated 2S2P bank of four 12 V batteries -> collectd with
# the wattcycle plugin -> RRD files -> PNG graphs, all under ./demo/.
#
#   DEMO_SECONDS   how long collectd runs (default 60; Ctrl-C stops earlier)
#   DEMO_DIR       where everything goes (default ./demo; wiped at start)
#   DEMO_INTERVAL  poll interval in seconds (default 2)
#   BUILD          the build directory (default build)
#   DEMO_BLE=1     over Bluetooth (`make demo-ble`, inside scripts/blevm):
#                  battery N advertises on controller hciN and collectd
#                  reads it through hci(N+4), a central of its own
#
# The bank is conf/sim/demo.cfg, run as a time-lapse so that a short demo
# shows something: the simulator's clock for the scenario is compressed
# (the current profile and the alarm schedule run 6x faster, so bank4's
# discharge over-current protection trips at 20 s and clears at 30 s) and
# bank4's drifting cell drifts 60x faster (15 mV a minute instead of an
# hour).  Nothing is written outside DEMO_DIR; no root needed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. tests/lib/collectd.sh
BUILD=${BUILD:-build}
DEMO_SECONDS=${DEMO_SECONDS:-60}
DEMO_DIR=${DEMO_DIR:-demo}
DEMO_INTERVAL=${DEMO_INTERVAL:-2}
TIME_LAPSE=6
DRIFT_LAPSE=60
COLLECTD=${COLLECTD:-/usr/sbin/collectd}
STOCK_PLUGINS=${STOCK_PLUGINS:-/usr/lib/collectd}

die() { echo "demo: $*" >&2; exit 1; }
[[ $DEMO_SECONDS =~ ^[0-9]+$ && $DEMO_SECONDS -ge 1 ]] || die "DEMO_SECONDS must be a whole number of seconds"
[[ -x $COLLECTD ]] || die "$COLLECTD not found: run 'make deps' (package collectd-core)"
command -v rrdtool >/dev/null || die "rrdtool not found: run 'make deps'"
for f in rrdtool csv logfile; do
	[[ -f $STOCK_PLUGINS/$f.so ]] || die "$STOCK_PLUGINS/$f.so missing (collectd-core)"
done
for f in wattcycle.so wattcycle-sim; do
	[[ -f $BUILD/$f ]] || die "$BUILD/$f missing: run 'make' first"
done

mkdir -p "$DEMO_DIR" || die "cannot create $DEMO_DIR"
DEMO=$(cd "$DEMO_DIR" && pwd)
BUILD_ABS=$(cd "$BUILD" && pwd)
rm -rf "${DEMO:?}/rrd" "$DEMO/csv" "$DEMO/graphs" "$DEMO/run" "$DEMO/collectd.log" "$DEMO/sim.log"
mkdir -p "$DEMO/rrd" "$DEMO/graphs" "$DEMO/run" || die "cannot write to $DEMO_DIR"

# The time-lapse copy of the scenario (sockets land in $DEMO/run/).
awk -v tl="$TIME_LAPSE" -v dl="$DRIFT_LAPSE" '
	# scale(line, key, f): multiply the number of every "key = N" by f.
	function scale(line, key, f,    out, re, m, v, pre) {
		out = ""
		re = "(^|[^A-Za-z0-9_])" key "[ \t]*=[ \t]*-?[0-9.]+"
		while (match(line, re)) {
			m = substr(line, RSTART, RLENGTH)
			pre = m; sub(/=.*/, "", pre)
			v = m; sub(/^[^=]*=[ \t]*/, "", v)
			out = out substr(line, 1, RSTART - 1) pre "= " sprintf("%.6g", v * f)
			line = substr(line, RSTART + RLENGTH)
		}
		return out line
	}
	BEGIN {
		printf "# Time-lapse copy of conf/sim/demo.cfg written by scripts/demo.sh:\n"
		printf "# times divided by %s, cell drift multiplied by %s.\n", tl, dl
	}
	{
		$0 = scale($0, "t", 1 / tl); $0 = scale($0, "at", 1 / tl)
		$0 = scale($0, "period", 1 / tl)
		$0 = scale($0, "cell_drift_v_per_h", dl)
		print
	}' conf/sim/demo.cfg >"$DEMO/bank.cfg" || die "cannot write $DEMO_DIR/bank.cfg"
BATTERIES=$(sed -n '/^batteries/,/^);/s/^[ \t]*name[ \t]*=[ \t]*"\([^"]*\)".*/\1/p' "$DEMO/bank.cfg")
if [[ ${DEMO_BLE:-0} == 1 ]]; then
	# each battery on its own controller instead of its socket
	awk '/^[ \t]*socket[ \t]*=/ { n++; sub(/socket[ \t]*=.*/, "adapter = \"hci" n "\";") } { print }' \
		"$DEMO/bank.cfg" >"$DEMO/bank-ble.cfg" && mv "$DEMO/bank-ble.cfg" "$DEMO/bank.cfg" ||
		die "cannot write $DEMO_DIR/bank.cfg"
fi
[[ -n $BATTERIES ]] || die "no battery in conf/sim/demo.cfg"

# stop_pid PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL.
stop_pid() {
	local pid=$1 end=$((SECONDS + $2))
	kill -TERM "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

SIM_PID='' COLLECTD_PID='' READER_PID=''
cleanup() {
	[[ -n $COLLECTD_PID ]] && stop_pid "$COLLECTD_PID" 15
	[[ -n $SIM_PID ]] && stop_pid "$SIM_PID" 5
	[[ -n $READER_PID ]] && stop_pid "$READER_PID" 5
	return 0
}
trap cleanup EXIT
STOP=0
trap 'STOP=1' INT TERM

echo "demo: simulator: $(wc -w <<<"$BATTERIES") batteries from conf/sim/demo.cfg (time-lapse copy $DEMO_DIR/bank.cfg)"
# setsid: out of the terminal's process group, so that Ctrl-C reaches only
# this script, which then stops collectd before the simulator.
setsid "$BUILD/wattcycle-sim" --scenario "$DEMO/bank.cfg" --ready-file "$DEMO/run/ready" \
	--log "$DEMO/sim.log" >"$DEMO/sim.out" 2>&1 &
SIM_PID=$!
end=$((SECONDS + 10))
until [[ -e $DEMO/run/ready ]]; do
	kill -0 "$SIM_PID" 2>/dev/null || { cat "$DEMO/sim.out" >&2; die "the simulator did not start"; }
	((SECONDS < end)) || die "the simulator did not get ready within 10 s"
	sleep 0.05
done

# The inventory: every battery of the scenario (head-1E batteries need a
# timeout above 3 s for their first poll; per-cell values are on by
# default: one cell drifts), and the scenario's bank with its strings.
{
	echo "# Written by scripts/demo.sh from conf/sim/demo.cfg"
	echo "batteries = ("
	sep=
	n=0
	for b in $BATTERIES; do
		n=$((n + 1))
		where="address = \"unix:$DEMO/run/$b.sock\";"
		if [[ ${DEMO_BLE:-0} == 1 ]]; then
			# the address the simulator advertises from on hciN, read
			# through a central controller of its own (hciN+4)
			addr=$(awk -v h="hci$n" '$2 == "ble" && $6 == h { print $4 }' "$DEMO/sim.out")
			where="address = \"$addr\"; adapter = \"hci$((n + 4))\";"
		fi
		printf '%s  { name = "%s"; %s timeout = 3.5; keep_connected = true; }' \
			"$sep" "$b" "$where"
		sep=$',\n'
	done
	printf '\n);\nbanks = (\n  { name = "house";\n    %s\n    soc_spread_warn = 10.0; share_warn = 25.0; }\n);\n' \
		"$(grep -m1 -E '^[ \t]*strings[ \t]*=' "$DEMO/bank.cfg" | sed 's/^[ \t]*//')"
} >"$DEMO/inventory.conf"

# collectd: values to RRD files and (as PUTVAL lines) to stdout, log lines
# and notifications to stdout too; one write thread keeps each battery's
# values in dispatch order for the summary reader.
CONF=$DEMO/collectd.conf
{
	echo "# Written by scripts/demo.sh"
	collectd_conf host=demo base="$DEMO" interval="$DEMO_INTERVAL" writethreads=1 stock="$STOCK_PLUGINS" \
		log=stdout timestamp rrd="$DEMO/rrd" csv=stdout plugindir="$BUILD_ABS" \
		wattcycle="  # the batteries and the bank, from the inventory written above
  Inventory \"$DEMO/inventory.conf\""
} >"$CONF"

# The reader: one summary line per poll per battery (printed when the
# poll's bool-online value arrives, the last but one of every poll), the
# plugin's notifications and errors; everything raw into collectd.log.
mkfifo "$DEMO/run/collectd.out"
awk -v logf="$DEMO/collectd.log" -v iv="$DEMO_INTERVAL" '
	function val(b, k) { return ((b SUBSEP k) in v) ? v[b, k] : "" }
	function num(x, fmt) { return x == "" ? "-" : sprintf(fmt, x) }
	{ print > logf; fflush(logf) }
	/^PUTVAL / {
		id = $2; gsub(/"/, "", id)
		n = split(id, p, "/"); if (n != 3 || p[2] !~ /^wattcycle-/) next
		b = substr(p[2], 11); ti = p[3]
		split($NF, tv, ":"); v[b, ti] = tv[2] + 0
		if (ti == "count-members_online") {
			# the last row of a bank (sent after every member poll):
			# one line for the bank per interval
			if (int(tv[1]) - last[b] < iv) next
			last[b] = int(tv[1])
			t = strftime("%H:%M:%S", int(tv[1]))
			printf "%s %-6s %s V %s A %s W  SoC %s %%  strings %s / %s A  spread %s %%  %d members online\n",
				t, b, num(val(b, "voltage-bank"), "%6.2f"), num(val(b, "current-bank"), "%6.1f"),
				num(val(b, "power-bank"), "%7.1f"), num(val(b, "percent-soc"), "%5.1f"),
				num(val(b, "current-string1"), "%.1f"), num(val(b, "current-string2"), "%.1f"),
				num(val(b, "percent-soc_spread"), "%.1f"), tv[2]
			for (k in v) { split(k, kk, SUBSEP); if (kk[1] == b) delete v[k] }
			fflush(); next
		}
		if (ti != "bool-online") next
		t = strftime("%H:%M:%S", int(tv[1]))
		if (tv[2] + 0 == 0) {
			printf "%s %-6s offline\n", t, b
		} else {
			codes = val(b, "count-protections") + val(b, "count-alarms") + val(b, "count-faults")
			printf "%s %-6s %s V %s A %s W  SoC %s %%  cells %s-%s V (delta %s mV)  MOS %s C  %s\n",
				t, b, num(val(b, "voltage-pack"), "%6.2f"), num(val(b, "current-pack"), "%6.1f"),
				num(val(b, "power-pack"), "%7.1f"), num(val(b, "percent-soc"), "%5.1f"),
				num(val(b, "voltage-cell_min"), "%.3f"), num(val(b, "voltage-cell_max"), "%.3f"),
				num(val(b, "voltage-cell_delta") * 1000, "%.0f"), num(val(b, "temperature-mos"), "%.1f"),
				(codes > 0 ? codes " code(s) active" : "ok")
		}
		for (k in v) { split(k, kk, SUBSEP); if (kk[1] == b) delete v[k] }
		fflush(); next
	}
	/Notification: / {
		sev = $0; sub(/.*severity = /, "", sev); sub(/,.*/, "", sev)
		msg = $0; sub(/.*, message = /, "", msg)
		printf "  >> %s: %s\n", sev, msg; fflush(); next
	}
	/wattcycle plugin: .*(failed|error|Error)|^\[[^]]*\] Error|ERROR/ { print "  " $0; fflush() }
' <"$DEMO/run/collectd.out" &
READER_PID=$!
setsid "$COLLECTD" -f -C "$CONF" >"$DEMO/run/collectd.out" 2>&1 &
COLLECTD_PID=$!
START=$(date +%s)
echo "demo: collectd polls every ${DEMO_INTERVAL} s for ${DEMO_SECONDS} s (Ctrl-C to stop earlier); RRD files in $DEMO_DIR/rrd/"

# The run itself: a duration, not a synchronisation.
end=$((SECONDS + DEMO_SECONDS))
while ((STOP == 0 && SECONDS < end)) && kill -0 "$COLLECTD_PID" 2>/dev/null; do
	sleep 0.2
done
trap '' INT
if ((STOP == 0)) && ! kill -0 "$COLLECTD_PID" 2>/dev/null; then
	rc=0; wait "$COLLECTD_PID" || rc=$?; COLLECTD_PID=
	die "collectd exited early (status $rc); see $DEMO_DIR/collectd.log"
fi
echo "demo: stopping collectd and the simulator"
stop_pid "$COLLECTD_PID" 15; COLLECTD_PID=
stop_pid "$SIM_PID" 5; SIM_PID=
wait "$READER_PID" 2>/dev/null || true; READER_PID=
STOP_T=$(date +%s)

# ---- graphs -------------------------------------------------------------
R=$DEMO/rrd/demo
COLORS=(1f77b4 d62728 2ca02c ff7f0e 9467bd 8c564b e377c2 17becf)
graph() { # FILE TITLE VLABEL DEFS...  (nothing to draw yet: no file)
	local file=$1 title=$2 vlabel=$3; shift 3
	[[ " $* " == *" DEF:"* ]] || return 0
	rrdtool graph "$DEMO/graphs/$file" --start "$START" --end "$STOP_T" \
		--width 800 --height 260 --title "$title" --vertical-label "$vlabel" \
		--alt-autoscale --slope-mode "$@" >/dev/null
}
# per_battery TYPE-INSTANCE: one line per battery.
per_battery() {
	local id=$1 i=0 b
	for b in $BATTERIES; do
		[[ -f $R/wattcycle-$b/$id.rrd ]] || continue
		echo "DEF:v$i=$R/wattcycle-$b/$id.rrd:value:AVERAGE"
		echo "LINE2:v$i#${COLORS[i % ${#COLORS[@]}]}:$b"
		i=$((i + 1))
	done
}
# per_series BATTERY PREFIX: one line per series of that battery.
per_series() {
	local b=$1 prefix=$2 i=0 f id
	for f in "$R/wattcycle-$b/$prefix"*.rrd; do
		[[ -f $f ]] || continue
		id=$(basename "$f" .rrd); id=${id#*-}
		case $id in cell_min|cell_max|cell_delta) continue ;; esac
		echo "DEF:v$i=$f:value:AVERAGE"
		echo "LINE2:v$i#${COLORS[i % ${#COLORS[@]}]}:$id"
		i=$((i + 1))
	done
}
mapfile -t d < <(per_battery percent-soc)
graph soc.png "State of charge" "%" --left-axis-format "%.1lf" "${d[@]}"
mapfile -t d < <(per_battery voltage-pack)
graph pack-voltage.png "Pack voltage" "V" --left-axis-format "%.2lf" "${d[@]}"
mapfile -t d < <(per_battery current-pack)
graph current.png "Current (+ charging, - discharging)" "A" "${d[@]}" "HRULE:0#000000"
# The bank: each string's current and the bank's (string 2 drops out while
# bank4's protection is on, string 1 takes the whole load).
d=(); i=0
for f in "$R"/wattcycle-house/current-string*.rrd "$R"/wattcycle-house/current-bank.rrd; do
	[[ -f $f ]] || continue
	id=$(basename "$f" .rrd); id=${id#current-}
	d+=("DEF:s$i=$f:value:AVERAGE" "LINE2:s$i#${COLORS[i % ${#COLORS[@]}]}:$id")
	i=$((i + 1))
done
graph bank.png "Bank house: string and bank currents" "A" "${d[@]}" "HRULE:0#000000"
mapfile -t d < <(per_battery voltage-cell_delta)
graph cell-delta.png "Cell spread (highest - lowest cell)" "V" "${d[@]}"
for b in $BATTERIES; do
	mapfile -t d < <(per_series "$b" voltage-cell)
	graph "cells-$b.png" "$b: cell voltages" "V" --left-axis-format "%.3lf" --alt-y-grid "${d[@]}"
	mapfile -t d < <(per_series "$b" temperature-)
	graph "temperatures-$b.png" "$b: temperatures (MOSFET, board, probes)" "deg C" --left-axis-format "%.1lf" "${d[@]}"
done
# Alarms: active protection/alarm/fault codes per battery, and the
# discharge MOSFETs (a protection opens them).
d=(); i=0
for b in $BATTERIES; do
	[[ -f $R/wattcycle-$b/count-protections.rrd ]] || continue
	c=${COLORS[i % ${#COLORS[@]}]}
	d+=("DEF:p$i=$R/wattcycle-$b/count-protections.rrd:value:MAX"
	    "DEF:a$i=$R/wattcycle-$b/count-alarms.rrd:value:MAX"
	    "DEF:f$i=$R/wattcycle-$b/count-faults.rrd:value:MAX"
	    "DEF:o$i=$R/wattcycle-$b/bool-dsg_on.rrd:value:MIN"
	    "CDEF:n$i=p$i,a$i,+,f$i,+"
	    "CDEF:off$i=o$i,0,EQ,-0.25,UNKN,IF"
	    "LINE2:n$i#$c:$b active codes"
	    "LINE4:off$i#$c:$b DSG MOSFET off\\l")
	i=$((i + 1))
done
graph alarms.png "Protections, alarms, faults (below 0: discharge MOSFET off)" "codes" \
	--lower-limit -0.5 --upper-limit 2 --rigid "${d[@]}"

n=$(ls "$DEMO/graphs"/*.png 2>/dev/null | wc -l)
echo "demo: $n graphs in $DEMO_DIR/graphs/:"
ls "$DEMO/graphs" | sed 's/^/  /'
echo "demo: RRD files in $DEMO_DIR/rrd/demo/, collectd's log in $DEMO_DIR/collectd.log"
