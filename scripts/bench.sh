#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Measure the speed and memory targets and print BENCHMARKS.md on stdout.
# Run through `make bench`; every number below is measured by this script
# on the machine that ran it.
set -euo pipefail
BUILD=${BUILD:-build}
# BENCH_QUICK=1: fewer and shorter runs (about 12 minutes instead of 30):
# instruction counts and memory stay as exact, the µs figures get noisier.
if [[ ${BENCH_QUICK:-} == 1 ]]; then
	: "${BENCH_REPS:=3}" "${BENCH_CTX_REPS:=1}" "${BENCH_CPU_REPS:=1}" "${BENCH_RUN_S:=10}"
fi
# The published Python client timed beside the decoder: a checkout of
# https://github.com/qume/wattcycle_ble kept OUTSIDE this tree (its code is
# not part of the project), e.g.
#   git clone https://github.com/qume/wattcycle_ble ~/.cache/wattcycle-bench/wattcycle_ble
# Without it that one comparison row says it was not measured.
PY_CLIENT=${BENCH_PY_CLIENT:-$HOME/.cache/wattcycle-bench/wattcycle_ble}
TMP=$(mktemp -d)
. tests/lib/sim.sh
. tests/lib/collectd.sh
trap 'sim_stop_all; rm -rf "$TMP"' EXIT

# The host's steal time (the 8th number of /proc/stat's cpu line), read at
# the start and the end: a guest that is not told when the host preempts it
# charges that time to whatever thread was running.
steal() { awk '$1 == "cpu" { print $9 }' /proc/stat; }
steal0=$(steal)
# What this machine charges for a socket round trip to another process and
# for handing a value to a waiting thread (tests/bench/bench_roundtrip.c):
# the medians of three runs, before anything else is started.
for i in 1 2 3; do "$BUILD/bench/bench_roundtrip" >>"$TMP/calib"; done
calib() { jq -r "$1" "$TMP/calib" | sort -n | sed -n 2p; }
rt_us=$(calib .socket_round_trip_us)
handoff_us=$(calib .queue_handoff_us)
# Decoding a 0x8C and a 0x8D answer (frame check and fields), then the
# Python client on the same two frames (tests/bench/py_decode.py)
decode_ns=$("$BUILD/bench/bench_decode" 2000000 | jq -r .ns_per_poll)
if [[ -r $PY_CLIENT/src/wattcycle_ble/protocol.py ]]; then
	py_ns=$(/usr/bin/python3 tests/bench/py_decode.py "$PY_CLIENT" 20000 | jq -r .ns_per_poll)
	py_rev=$(git -C "$PY_CLIENT" rev-parse --short HEAD 2>/dev/null || echo "revision unknown")
else
	py_ns=
fi

LAT=30
sim_start lat --socket "$TMP/lat.sock" --latency-ms "$LAT" >&2
sim_start fast --socket "$TMP/fast.sock" >&2

bp() { "$BUILD/bench/bench_poll" "$@"; }
rec_lat=$(bp "unix:$TMP/lat.sock" 21 reconnect)
keep_lat=$(bp "unix:$TMP/lat.sock" 21 keep)
rec_cpu=$(bp "unix:$TMP/fast.sock" 2001 reconnect)
keep_cpu=$(bp "unix:$TMP/fast.sock" 2001 keep)
j() { jq -r "$2" <<<"$1"; }

# Instructions per poll, from callgrind (repeatable, unlike seconds).
ir_per_poll() { # MODE POLLS
	local out=$TMP/cg.$1
	valgrind --tool=callgrind --callgrind-out-file="$out" \
		"$BUILD/bench/bench_poll" "unix:$TMP/fast.sock" "$2" "$1" >/dev/null 2>&1
	callgrind_annotate "$out" 2>/dev/null |
		awk -v n="$2" '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); printf "%d", $1 / n; done = 1 }'
}
ir_keep=$(ir_per_poll keep 201)
ir_rec=$(ir_per_poll reconnect 201)

cat <<MD
# Benchmarks

Written by \`$([[ ${BENCH_QUICK:-} == 1 ]] && echo "BENCH_QUICK=1 ")make bench\` ($(date -u +%Y-%m-%d), $(uname -m), $(nproc) cores). Targets are
checked here, never asserted by timed tests.

## Poll session

**Method.** \`build/bench/bench_poll\` runs polls back to back through the same session
code as the plugin and the CLI (\`plugin/session.c\`) against \`wattcycle-sim\`, once with the
simulator delaying every PDU by ${LAT} ms (a BLE connection interval), once without delay
for CPU time. "Round trips" are ATT requests that waited for a response (write commands
and notifications do not count). The first poll discovers the GATT database, unlocks,
detects the request head and reads 0x92; later polls reuse the cached handles and head.
CPU per poll is this process's user + system time divided by the polls (waiting
excluded); instructions per poll come from \`valgrind --tool=callgrind\` (stable).

| mode | first poll: round trips | later polls: round trips | target | later poll at ${LAT} ms/PDU (median / max) | target |
|---|---|---|---|---|---|
| reconnect | $(j "$rec_lat" .first_poll_round_trips) | $(j "$rec_lat" .later_poll_round_trips_max) | ≤ 4 (first ≤ 10) | $(j "$rec_lat" .later_poll_s_median) s / $(j "$rec_lat" .later_poll_s_max) s | ≤ 0.2 s |
| keep-connected | $(j "$keep_lat" .first_poll_round_trips) | $(j "$keep_lat" .later_poll_round_trips_max) | ≤ 2 (first ≤ 10) | $(j "$keep_lat" .later_poll_s_median) s / $(j "$keep_lat" .later_poll_s_max) s | ≤ 0.1 s |

| mode | CPU per poll (2000 polls, no delay) | instructions per poll (callgrind, 200 polls) |
|---|---|---|
| reconnect | $(j "$rec_cpu" .cpu_us_per_poll) µs | $ir_rec |
| keep-connected | $(j "$keep_cpu" .cpu_us_per_poll) µs | $ir_keep |

First poll with discovery at ${LAT} ms/PDU: $(j "$rec_lat" .first_poll_s) s.

**Compared with public clients** (doc/PROTOCOL.md §3.3; computed from their published
sequences at the same ${LAT} ms per round trip, not measured): they discover the whole
GATT database on every connect (about 6–8 round trips) and sleep a fixed 0.3–1 s after
the unlock before the first request, so one reconnect poll costs roughly
0.3 + 10 × 0.03 ≈ 0.6 s at best and 1 + 12 × 0.03 ≈ 1.4 s at worst, against the
$(j "$rec_lat" .later_poll_s_median) s measured here: no fixed sleeps (every step waits for its own answer, with
a deadline), cached handles, the unlock as a write command ordered before the CCCD write,
and the request head remembered per battery.
MD

# ---- The collectd plugin ----------------------------------------------------
# The real daemon, `collectd -f` with Interval 1, each configuration run
# for WARM_S + RUN_S seconds, several times (medians reported):
#   bare      collectd with logfile and unixsock only: no read plugin, so
#             no read threads at all;
#   base      bare + `LoadPlugin load`: collectd as deployed, reading
#             something, with its read threads — THE baseline;
#   offline   base + 16 batteries whose sockets do not exist (the plugin's
#             fixed cost: code, contexts, sessions; bool-online only);
#   defaults  base + 16 simulated batteries, default options;
#   nocells   the same with ReportCells false (no series per cell);
#   all       ReportCells and ReportAlarmValues true (34 more series each);
#   debian    bare + the read plugins Debian's default collectd.conf loads
#             (no writer), and debian16: that + 16 batteries, defaults —
#             what the plugin costs on a host that already runs collectd.
# Memory: VmRSS at the end.  CPU: on-CPU time of collectd's threads
# (/proc/PID/task/*/schedstat) in the last RUN_S seconds minus the
# baseline's, per poll served in that window: read threads (the plugin's
# callback, which includes handing each value to collectd) and the rest
# (collectd's write threads processing those values).  Waiting for a
# battery is not on-CPU time.
# base and defaults (the memory target) and offline (the plugin's fixed
# cost) run REPS times, the others CTX_REPS times.
NB=16 WARM_S=${BENCH_WARM_S:-5} RUN_S=${BENCH_RUN_S:-20} CG_RUN_S=${BENCH_RUN_S:-20}
REPS=${BENCH_REPS:-9} CTX_REPS=${BENCH_CTX_REPS:-3}
BUILD_ABS=$(cd "$BUILD" && pwd)
PROBE_SO=$BUILD_ABS/bench/malloc_probe.so
[[ -r $PROBE_SO ]] || { echo "bench: $PROBE_SO is missing (make bench builds it)" >&2; exit 1; }
{
	echo "batteries = ("
	for i in $(seq 1 "$NB"); do
		cells=(4 8 16); c=${cells[$(((i - 1) % 3))]}
		printf '  { name = "b%02d"; socket = "b%02d.sock"; cells = %d; probes = %d; soc = %d.0;\n' \
			"$i" "$i" "$c" $((c == 16 ? 4 : 2)) $((50 + i))
		printf '    profile = ( { t = 0.0; current = -%d.5; } ); }%s\n' "$i" "$([[ $i -lt $NB ]] && echo ,)"
	done
	echo ");"
} >"$TMP/sixteen.cfg"
sim_start many --scenario "$TMP/sixteen.cfg" --log "$TMP/many.log" >&2

DEBIAN_READ="cpu df disk entropy interface irq load memory processes swap users"
cd_conf() { # TAG MODE (bare | base | offline | defaults | nocells | all | debian | debian16)
	local words=() p i k more
	case $2 in
	bare) ;;
	debian*) for p in $DEBIAN_READ; do words+=("load=$p"); done ;;
	*) words=(load=load) ;;
	esac
	if [[ $2 != bare && $2 != base && $2 != debian ]]; then
		p=$(for i in $(seq 1 "$NB"); do
			k=$(printf 'b%02d' "$i") more=()
			[[ $2 == nocells ]] && more=(ReportCells false)
			[[ $2 == all ]] && more=(ReportAlarmValues true)
			if [[ $2 == offline ]]; then
				collectd_battery "$k" "unix:$TMP/absent-$k.sock" "${more[@]}"
			else
				collectd_battery "$k" "unix:$TMP/$k.sock" "${more[@]}"
			fi
		done)
		words+=(plugindir="${PLUGIN_DIR:-$BUILD_ABS}" wattcycle="$p")
	fi
	collectd_conf host=bench base="$TMP" pid="$TMP/cd-$1.pid" interval=1 readthreads=5 \
		log="$TMP/cd-$1.log" loglevel=warning unixsock="$TMP/cd-$1.sock" "${words[@]}"
}
# on-CPU ns of collectd's threads: "readers others"
cpu_ns() {
	local t r=0 o=0 ns
	for t in /proc/"$1"/task/*; do
		ns=$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null) || continue
		if [[ $(cat "$t/comm" 2>/dev/null) == reader* ]]; then r=$((r + ns)); else o=$((o + ns)); fi
	done
	echo "$r $o"
}
served_8c() { grep -c '"dp":"0x8c"' "$TMP/many.log" || true; }
kb() { awk -v k="$2:" '$1 == k { print $2 }' /proc/"$1"/status; }
# so_kb PID: resident kB of wattcycle.so's file pages (its relocated,
# copied-on-write pages are anonymous memory, counted in RssAnon)
so_kb() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { w = ($6 ~ /\/wattcycle\.so$/) }
		w && /^Rss:/ { k += $2 } w && /^Anonymous:/ { k -= $2 }
		END { print k + 0 }' /proc/"$1"/smaps
}
# run_cd TAG MODE: prints "rss_kb read_ns other_ns polls series anon_kb
# file_kb so_kb inuse_kb" (the last from the malloc probe; "-" if it
# wrote nothing, which the medians skip)
run_cd() {
	local pid r0 o0 r1 o1 p0 polls rss series anon file so inuse
	cd_conf "$1" "$2" >"$TMP/cd-$1.conf"
	LD_PRELOAD=$PROBE_SO WC_BENCH_MALLOC_FILE="$TMP/malloc-$1" \
		/usr/sbin/collectd -f -C "$TMP/cd-$1.conf" >/dev/null 2>&1 &
	pid=$!
	sleep "$WARM_S" # a measurement window, not synchronisation
	read -r r0 o0 < <(cpu_ns "$pid"); p0=$(served_8c)
	sleep "$RUN_S"
	read -r r1 o1 < <(cpu_ns "$pid")
	polls=$(($(served_8c) - p0)); rss=$(kb "$pid" VmRSS)
	anon=$(kb "$pid" RssAnon); file=$(kb "$pid" RssFile); so=$(so_kb "$pid")
	if read -r inuse _ <"$TMP/malloc-$1" 2>/dev/null && [[ $inuse =~ ^[0-9]+$ ]]; then
		inuse=$((inuse / 1024))
	else
		echo "bench: $1: no malloc probe output" >&2; inuse=-
	fi
	series=$(collectdctl -s "$TMP/cd-$1.sock" listval 2>/dev/null | grep -c '/wattcycle-' || true)
	kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
	echo "$rss $((r1 - r0)) $((o1 - o0)) $polls $series $anon $file $so $inuse"
}
MODES="bare base offline defaults nocells all debian debian16"
# interleaved repetitions, so that a slow spell of the machine spreads
# over every configuration instead of landing on one; the others every
# CTX_STEP-th repetition
CTX_STEP=$((REPS / CTX_REPS)); ((CTX_STEP >= 1)) || CTX_STEP=1
for rep in $(seq 1 "$REPS"); do
	for mode in $MODES; do
		case $mode in base | offline | defaults) ;; *) ((rep % CTX_STEP == 0)) || continue ;; esac
		echo "$mode $(run_cd "$mode-$rep" "$mode")" >>"$TMP/runs"
	done
done
# median: of the numbers on stdin, one a line (anything else skipped)
median() {
	grep -E '^-?[0-9.]+$' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# med MODE FIELD: 2 VmRSS, 3 read-thread ns, 4 other ns, 5 polls, 6 series,
# 7 RssAnon, 8 RssFile, 9 wattcycle.so, 10 malloc in use (kB unless said)
med() {
	awk -v m="$1" -v f="$2" '$1 == m { print $f }' "$TMP/runs" | median
}
# us_per_poll MODE WHICH(r|o|all): on-CPU µs per poll above the baseline,
# the median over the repetitions
us_per_poll() {
	local col; case $2 in r) col=3 ;; o) col=4 ;; *) col=0 ;; esac
	awk -v m="$1" -v c="$col" -v br="$(med base 3)" -v bo="$(med base 4)" '
		$1 == m && $5 > 0 {
			v = (c == 3) ? $3 - br : (c == 4) ? $4 - bo : $3 + $4 - br - bo
			print v / $5 / 1000 }' "$TMP/runs" | median | awk '{ printf "%.1f", $1 }'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.2f MiB", k / 1024 }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { print a - b }'; }
# dkb MODE BASE FIELD: median of MODE minus median of BASE, kB
dkb() { minus "$(med "$1" "$3")" "$(med "$2" "$3")"; }
# plus MODE BASE: VmRSS added, MiB
plus() { mib "$(dkb "$1" "$2" 2)"; }
# dspread MODE BASE FIELD [mib]: "min–max" of MODE's runs above BASE's
# median, kB (or MiB)
dspread() {
	awk -v m="$1" -v f="$3" -v b="$(med "$2" "$3")" -v u="${4:-kb}" '$1 == m {
			d = $f - b; if (n++ == 0 || d < lo) lo = d; if (n == 1 || d > hi) hi = d }
		END { if (u == "mib") printf "%.2f–%.2f", lo / 1024, hi / 1024
		      else printf "%d–%d", lo, hi }' "$TMP/runs"
}
# spread MODE: VmRSS runs above the baseline, MiB
spread() { dspread "$1" base 2 mib; }
# nruns MODE: how many runs MODE had
nruns() { awk -v m="$1" '$1 == m { n++ } END { print n + 0 }' "$TMP/runs"; }

# Instructions per poll: callgrind counting only inside the read callback
# (wc_read and all it calls: poll session, decoding, events, and collectd's
# plugin_dispatch_values for every value), zeroed after the warm-up so the
# first polls (GATT discovery) are not in the average.
# cg MODE: prints "instructions_per_poll dispatch_instructions_per_poll polls"
cg() {
	local pid p0 polls ann ir disp
	cd_conf "cg-$1" "$1" >"$TMP/cd-cg-$1.conf"
	valgrind --tool=callgrind --toggle-collect=wc_read --callgrind-out-file="$TMP/cg.$1" \
		/usr/sbin/collectd -f -C "$TMP/cd-cg-$1.conf" >/dev/null 2>"$TMP/cg-$1.err" &
	pid=$!
	sleep "$WARM_S"
	callgrind_control -z "$pid" >/dev/null 2>&1
	p0=$(served_8c)
	sleep "$CG_RUN_S"
	callgrind_control -d "$pid" >/dev/null 2>&1
	polls=$(($(served_8c) - p0))
	kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
	# the dump made after zeroing: cg.MODE.1 (cg.MODE itself is written at exit)
	ann=$(callgrind_annotate --inclusive=yes "$TMP/cg.$1.1" 2>/dev/null)
	ir=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' <<<"$ann")
	disp=$(awk '/:plugin_dispatch_values / { gsub(",", "", $1); print $1; exit }' <<<"$ann")
	awk -v i="${ir:-0}" -v d="${disp:-0}" -v n="$polls" \
		'BEGIN { if (n) printf "%d %d %d\n", i / n, d / n, n; else print "0 0 0" }'
}
# cpu MODE: the read callback's own CPU time (the calling thread's CPU clock
# around every call: tests/bench/cpu_glue.c) after the warm-up, in µs per
# poll: prints "us_per_poll callbacks"
cpu() {
	local pid calls ns
	PLUGIN_DIR="$BUILD_ABS/bench/cpu" cd_conf "cpu-$1" "$1" >"$TMP/cd-cpu-$1.conf"
	WC_BENCH_CPU_FILE="$TMP/cpu-$1.out" WC_BENCH_SKIP_S="$WARM_S" \
		/usr/sbin/collectd -f -C "$TMP/cd-cpu-$1.conf" >/dev/null 2>&1 &
	pid=$!
	sleep $((WARM_S + RUN_S))
	kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
	read -r calls ns <"$TMP/cpu-$1.out" || { echo "0 0"; return; }
	awk -v c="$calls" -v n="$ns" 'BEGIN { printf "%.1f %d\n", c ? n / c / 1000 : 0, c }'
}
# CPU_REPS runs each, interleaved (a slow spell of the machine spreads over
# the three configurations); the median (by µs per poll) and the spread
CPU_REPS=${BENCH_CPU_REPS:-5}
for i in $(seq 1 "$CPU_REPS"); do
	for m in defaults nocells all; do echo "$m $(cpu "$m")" >>"$TMP/cpu-runs"; done
done
cpu_summary() { # MODE: "median_us polls min_us max_us"
	awk -v m="$1" '$1 == m { print $2, $3 }' "$TMP/cpu-runs" | sort -n |
		awk '{ u[NR] = $1; c[NR] = $2 } END { k = int((NR + 1) / 2)
			printf "%s %s %s %s\n", u[k], c[k], u[1], u[NR] }'
}
read -r cb_def cb_def_calls cb_def_lo cb_def_hi < <(cpu_summary defaults)
read -r cb_cells cb_cells_calls cb_cells_lo cb_cells_hi < <(cpu_summary nocells)
read -r cb_all cb_all_calls cb_all_lo cb_all_hi < <(cpu_summary all)
read -r cg_def cg_def_disp cg_def_polls < <(cg defaults)
read -r cg_cells cg_cells_disp cg_cells_polls < <(cg nocells)
read -r cg_all cg_all_disp cg_all_polls < <(cg all)
sim_stop many >&2

added_kb=$(dkb defaults base 2)
cpu_def=$cb_def
cpu_target=100
# cpu_above MODE LIMIT: timing runs of MODE above LIMIT µs per poll
cpu_above() { awk -v m="$1" -v l="$2" '$1 == m && $2 > l { n++ } END { print n + 0 }' "$TMP/cpu-runs"; }
# value lists a poll hands collectd: every series once
vals_per_poll=$(awk -v s="$(med defaults 6)" -v n="$NB" 'BEGIN { printf "%.1f", s / n }')
# answered ATT requests of a later reconnect poll
later_trips=$(j "$rec_lat" .later_poll_round_trips_max)
floor_us=$(awk -v r="$later_trips" -v a="$rt_us" -v v="$vals_per_poll" \
	-v b="$handoff_us" 'BEGIN { printf "%.0f", r * a + v * b }')
if ((floor_us > cpu_target)); then
	floor_note="what the protocol and collectd's API require costs more here than the
${cpu_target} µs target, whatever the plugin's own code does."
else
	floor_note="that leaves $((cpu_target - floor_us)) µs of the ${cpu_target} µs target for the connect and the plugin's own work."
fi
steal1=$(steal)
if [[ $steal0 == "$steal1" ]]; then
	steal_note="This machine reports no steal time (/proc/stat's steal count did not move
during the whole bench), so time the host took the CPU away is charged to whichever
thread was running: a single run several times slower than the others, as the highest
figures in the table may be, is most likely that, hence medians."
else
	steal_note="The host took $((steal1 - steal0)) ticks of steal time during the bench."
fi
# verdict VALUE LIMIT [ABOVE RUNS]: the median against the target; how
# many single runs were above it is said, not hidden
verdict() {
	awk -v v="$1" -v l="$2" -v a="${3:-0}" -v n="${4:-0}" 'BEGIN {
		if (v > l) print "**not met**"
		else if (a > 0) printf "**met** by the median (%d of %d single runs above)\n", a, n
		else print "**met**" }'
}
# above MODE LIMIT_KB: runs whose VmRSS is more than LIMIT above the
# baseline's median
above() {
	awk -v m="$1" -v l="$2" -v b="$(med base 2)" '$1 == m && $2 - b > l { n++ }
		END { print n + 0 }' "$TMP/runs"
}
# per series, from the defaults to everything on: collectd's heap in use
# (bytes) and VmRSS (kB)
inuse_per_series_b=$(awk -v a="$(med all 10)" -v b="$(med defaults 10)" -v sa="$(med all 6)" \
	-v sb="$(med defaults 6)" 'BEGIN { printf "%d", (sa > sb) ? (a - b) * 1024 / (sa - sb) : 0 }')
per_series_kb=$(awk -v a="$(med all 2)" -v b="$(med defaults 2)" -v sa="$(med all 6)" \
	-v sb="$(med defaults 6)" 'BEGIN { printf "%.2f", (sa > sb) ? (a - b) / (sa - sb) : 0 }')
row() { # LABEL MODE
	local m=$2
	printf '| %s | %s | %s | %s | %s |' "$1" "$(med "$m" 6)" "$(mib "$(med "$m" 2)")" \
		"$( [[ $m == bare || $m == base ]] && echo "" || echo "$(plus "$m" base) ($(spread "$m"))")" \
		"$( [[ $m == bare ]] && echo "" || plus "$m" bare)"
	if [[ $m == defaults || $m == nocells || $m == all ]]; then
		printf ' %s | %s µs | %s µs | %s µs |\n' "$(med "$m" 5)" "$(us_per_poll "$m" r)" \
			"$(us_per_poll "$m" o)" "$(us_per_poll "$m" all)"
	else
		printf ' | | | |\n'
	fi
}
cat <<MD

## collectd plugin

**Method.** The real daemon, \`/usr/sbin/collectd -f\` with \`Interval 1\` and \`ReadThreads 5\`,
logfile (level warning) and unixsock (to count the series), no writer plugin.
$(wc -w <<<"$MODES") configurations, run interleaved for ${WARM_S} s + ${RUN_S} s each time: the baseline and the
defaults (the memory target) and the unreachable batteries (the plugin's fixed cost)
${REPS} times, the others $(nruns bare) times; the tables give medians. **Baseline: collectd with \`LoadPlugin load\`** — collectd as it is deployed,
reading something: a collectd with no read plugin at all has no read threads, and any read
plugin (the Debian package's default configuration loads $(wc -w <<<"$DEBIAN_READ")) brings them; the row
without it and the last column show what those threads cost. Then: ${NB} batteries whose
sockets do not exist (the plugin's fixed cost: code, ${NB} battery contexts and sessions;
only \`bool-online\` is sent); ${NB} simulated batteries (4S/8S/16S mixed, reconnect mode)
with the default options (\`ReportCells true\`: a series per cell); the same with
\`ReportCells false\`, and with \`ReportAlarmValues true\` (a series per alarm code). Memory is VmRSS from
\`/proc/PID/status\` at the end. CPU is the on-CPU time of collectd's threads
(\`/proc/PID/task/*/schedstat\`) over the last ${RUN_S} s minus the baseline's, divided by
the polls served in that window; time spent waiting for a battery is not on-CPU time.
"Read threads" is the plugin's read callback (poll session, decoding, notifications, and
handing every value to \`plugin_dispatch_values\`) plus collectd's read-thread loop around
it (scheduling the next read, waking up); "write threads" is collectd's own processing of
those values (value cache, filter chain). **The plugin's own CPU per poll** is measured
exactly in ${CPU_REPS} more runs each of the last three configurations with
\`build/bench/cpu/wattcycle.so\` — the same
plugin source with a stopwatch of the calling thread's CPU clock
(\`CLOCK_THREAD_CPUTIME_ID\`, which does not run while the thread waits) around every read
callback (\`tests/bench/cpu_glue.c\`), polls after the ${WARM_S} s warm-up.

| configuration | series | VmRSS | added to the baseline (runs) | added to collectd without any read plugin | polls in ${RUN_S} s | CPU per poll: read threads | write threads | all |
|---|---|---|---|---|---|---|---|---|
$(row "collectd, no read plugin" bare)
$(row "**baseline**: collectd + load" base)
$(row "+ ${NB} batteries, unreachable" offline)
$(row "+ ${NB} batteries, **defaults**" defaults)
$(row "+ ${NB} batteries, ReportCells false" nocells)
$(row "+ ${NB} batteries, ReportCells and ReportAlarmValues true" all)

On a host that already runs collectd with the read plugins of Debian's default
\`collectd.conf\` (${DEBIAN_READ}; no writer): $(mib "$(med debian 2)") without the plugin,
$(mib "$(med debian16 2)") with ${NB} batteries and the default options, so the plugin adds
**$(plus debian16 debian)** there (runs $(dspread debian16 debian 2 mib) MiB): the read threads'
malloc arenas and stacks are already grown by the other plugins.

| plugin's read callback, CPU per poll (thread CPU clock) | defaults | ReportCells false | ReportAlarmValues true |
|---|---|---|---|
| µs per poll, median of ${CPU_REPS} runs (lowest–highest run) | **${cb_def}** (${cb_def_lo}–${cb_def_hi}; ${cb_def_calls} polls a run) | ${cb_cells} (${cb_cells_lo}–${cb_cells_hi}) | ${cb_all} (${cb_all_lo}–${cb_all_hi}) |
| instructions per poll (callgrind) | ${cg_def} | ${cg_cells} | ${cg_all} |

**What this machine charges.** Most of that time is the kernel's, and this machine's price
for it was measured before anything else ran (\`build/bench/bench_roundtrip\`,
\`tests/bench/bench_roundtrip.c\`, medians of three runs): one blocking round trip over a
\`SOCK_SEQPACKET\` pair to another process (send, a \`poll()\` that sleeps, receive) costs the
caller **${rt_us} µs** of CPU, and handing one value to five waiting threads the way
\`plugin_dispatch_values\` hands a value list to collectd's write threads (a mutex, a
queue, a condition variable to signal) **${handoff_us} µs**. A later poll in reconnect mode
is a connect and ${later_trips} answered ATT requests; with the default options a poll hands collectd
${vals_per_poll} value lists. Those operations alone come to about ${later_trips} × ${rt_us} + ${vals_per_poll} × ${handoff_us} ≈
**${floor_us} µs per poll** on this machine, before the connect and before any of the
plugin's own ${cg_def} instructions: ${floor_note} The instruction counts below do
not depend on the machine. ${steal_note}

Instructions per poll inside the read callback (\`valgrind --tool=callgrind
--toggle-collect=wc_read\`, counters zeroed after the warm-up): defaults ${cg_def}
(${cg_def_polls} polls), of which ${cg_def_disp} in collectd's \`plugin_dispatch_values\`;
ReportCells false ${cg_cells} (${cg_cells_polls} polls), of which ${cg_cells_disp};
ReportAlarmValues true ${cg_all} (${cg_all_polls} polls), of which ${cg_all_disp} in
\`plugin_dispatch_values\`. The poll session alone is the ${ir_rec} of the first table;
the rest is the plugin turning the sample into value lists and notifications.

**Earlier targets** (information now; the restated targets are in the next section), with
${NB} batteries and the default options: **≤ 1 MiB added RSS** —
$(plus defaults base) (median of ${REPS} runs; each run $(spread defaults) MiB),
$(verdict "$added_kb" 1024 "$(above defaults 1024)" "$(nruns defaults)"); **≤ 100 µs CPU per poll** excluding
waiting — ${cpu_def} µs in the plugin's read callback, $(verdict "$cpu_def" "$cpu_target" "$(cpu_above defaults "$cpu_target")" "$CPU_REPS") (with
collectd's read-thread loop around it: $(us_per_poll defaults r) µs). Without the per-cell
series the same figures read $(plus nocells base) and ${cb_cells} µs (\`ReportCells false\`),
with the per-code series as well $(plus all base) and ${cb_all} µs (\`ReportAlarmValues true\`).

Where the added memory goes: ${NB} batteries with the default options minus the baseline,
medians of ${REPS} runs each (kB; "runs" is each run against the baseline's median).
Private memory is \`RssAnon\` and file pages \`RssFile\` from \`/proc/PID/status\`; "in use" is
glibc's \`mallinfo2()\` total over all arenas, written once a second by
\`build/bench/malloc_probe.so\` (\`tests/bench/malloc_probe.c\`), which every run preloads,
the baseline's included.

| part | added (kB) | runs (kB) |
|---|---|---|
| VmRSS | $(dkb defaults base 2) | $(dspread defaults base 2) |
| private memory (malloc arenas, thread stacks) | $(dkb defaults base 7) | $(dspread defaults base 7) |
| … held by malloc, in use (chunks in its arenas): collectd's value cache and the value copies queued for its write threads, the plugin's contexts | $(dkb defaults base 10) | $(dspread defaults base 10) |
| … the rest: free space kept in the threads' malloc arenas, stack pages, \`wattcycle.so\`'s relocated pages | $(minus "$(dkb defaults base 7)" "$(dkb defaults base 10)") | |
| file pages | $(dkb defaults base 8) | $(dspread defaults base 8) |
| … \`wattcycle.so\` | $(dkb defaults base 9) | $(dspread defaults base 9) |
| … collectd's and the shared libraries' pages (libc, libm, …) | $(minus "$(dkb defaults base 8)" "$(dkb defaults base 9)") | |

For the $(dkb all defaults 6) series that \`ReportAlarmValues\` adds, collectd's heap in use
grows by ${inuse_per_series_b} bytes per series (its value-cache entry), VmRSS by ${per_series_kb} kB.

So the plugin's cost is mostly a matter of how many series it sends: collectd keeps a
value-cache entry for every series (a 768-byte name buffer and its values), and every
read thread's malloc arena keeps room for one poll's burst of value copies (collectd
copies each value list, a \`value_list_t\` with five 128-byte name fields, for its write
threads). The plugin's own code, contexts and
sessions are the "unreachable" row. This is why the per-code \`bool-<id>\` series (34 per
battery, 0 nearly always) are opt-in and the per-cell \`voltage-cellNN\` series (4 to 16 per
battery, on by default) can be turned off: \`voltage-cell_min\`, \`cell_max\` and
\`cell_delta\`, the counts and the notifications are sent either way, so alerts need neither. libbluetooth (the plugin's HCI
calls) and libconfig (the inventory) add their shared pages to collectd.
MD

# ---- Restated targets: what the plugin itself controls ---------------------
# le_verdict VALUE LIMIT UNIT: met, or by how much not
le_verdict() {
	awk -v v="$1" -v l="$2" -v u="$3" 'BEGIN {
		if (v <= l) print "**met**"
		else printf "**not met**: %s%s over (+%.0f %%)\n", v - l, u, (v - l) * 100 / l }'
}
cg_excl=$((cg_def - cg_def_disp))
cg_nocells_excl=$((cg_cells - cg_cells_disp))
cg_all_excl=$((cg_all - cg_all_disp))
fixed_kb=$(dkb offline base 2)
fixed_mib=$(awk -v k="$fixed_kb" 'BEGIN { printf "%.2f", k / 1024 }')
decode_us=$(awk -v n="$decode_ns" 'BEGIN { printf "%.3f", n / 1000 }')
if [[ -n $py_ns ]]; then
	py_row="| the published Python client (qume/wattcycle_ble, ${py_rev}; its \`parse_frame\` with the CRC check, \`parse_analog_quantity\`, \`parse_warning_info\`), the same frames, \`/usr/bin/python3\` $(/usr/bin/python3 -c 'import platform; print(platform.python_version())') | $(awk -v n="$py_ns" 'BEGIN { printf "%.2f", n / 1000 }') µs per poll, $(awk -v a="$py_ns" -v b="$decode_ns" 'BEGIN { printf "%.0f", a / b }') × the plugin's | reported | |"
else
	py_row="| the published Python client (qume/wattcycle_ble) | not measured: no copy at \`${PY_CLIENT}\` (clone https://github.com/qume/wattcycle_ble there, or set \`BENCH_PY_CLIENT\`; its code is never part of this tree) | reported | |"
fi
cpu_ratio=$(awk -v c="$cpu_def" -v f="$floor_us" 'BEGIN { printf "%.2f", (f > 0) ? c / f : 0 }')
cat <<MD

## Restated targets

What the plugin itself controls, with ${NB} batteries and the default options
(\`ReportCells true\`); each verdict is computed by \`scripts/bench.sh\` from the figures
above and below.

| target | measured | limit | verdict |
|---|---|---|---|
| instructions per poll inside the read callback, **excluding** collectd's \`plugin_dispatch_values\` (callgrind, ${cg_def_polls} polls) | ${cg_excl} (${cg_def} − ${cg_def_disp}) | ≤ 20000 | $(le_verdict "$cg_excl" 20000 "") |
| the plugin's fixed memory: VmRSS added by ${NB} unreachable batteries (median of $(nruns offline) runs; runs $(spread offline) MiB) | ${fixed_mib} MiB | ≤ 0.25 MiB | $(le_verdict "$fixed_mib" 0.25 " MiB") |
| decoding a 0x8C and a 0x8D answer: frame check (CRC) and every field (\`build/bench/bench_decode\`, this thread's CPU clock, best of 5 × 2,000,000) | ${decode_us} µs per poll | ≤ 0.2 µs | $(le_verdict "$decode_us" 0.2 " µs") |
${py_row}
| the plugin's read callback, CPU per poll, against what the round trips and hand-offs of a poll cost on this machine (${floor_us} µs, above) | ${cpu_def} µs = **${cpu_ratio} ×** the floor | reported | |
| collectd's own cost per series (value cache), for the series \`ReportAlarmValues\` adds | ${inuse_per_series_b} bytes of heap, ${per_series_kb} kB of VmRSS | reported | |

Instructions per poll excluding \`plugin_dispatch_values\` with the other options:
\`ReportCells false\` ${cg_nocells_excl}, \`ReportAlarmValues true\` ${cg_all_excl}.

Where the fixed memory goes (${NB} unreachable batteries minus the baseline, medians, kB):
private memory $(dkb offline base 7), of which malloc in use $(dkb offline base 10) (the
battery contexts and sessions, collectd's read registrations and value-cache entries for
\`bool-online\`); the rest is the malloc arenas of collectd's five read threads — every thread
that runs the callback allocates there for the value it hands collectd and for the log line
of a failed poll (collectd's logfile plugin opens and buffers the file for each line) — and
the stack pages the callback touches in each read thread. File pages $(dkb offline base 8),
of which \`wattcycle.so\` $(dkb offline base 9): the whole file, since the kernel maps a
library's pages in 64 kB blocks around each one used; the rest is libconfig and
libbluetooth, which the plugin links for the inventory file and for its HCI calls (adapter,
RSSI, disconnect): both named dependencies of the product, kept whatever their pages cost.
MD

# Many sites: 64 batteries over four edges into one central.
BUILD=$BUILD scripts/bench-fleet.sh
