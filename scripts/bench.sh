#!/usr/bin/env bash
# Measure the speed and memory targets and print BENCHMARKS.md on stdout.
# Run through `make bench`; every number below is measured by this script
# on the machine that ran it.
set -euo pipefail
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
. tests/lib/sim.sh
trap 'sim_stop_all; rm -rf "$TMP"' EXIT

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

Written by \`make bench\` ($(date -u +%Y-%m-%d), $(uname -m), $(nproc) cores). Targets are
met and shown here, never asserted by timed tests.

## Poll session (issue 3)

**Method.** \`build/bench/bench_poll\` runs polls back to back through the same session
code as the plugin and the CLI (\`plugin/poll.c\`) against \`wattcycle-sim\`, once with the
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

**Compared with public clients** (protocol.md §3.3; computed from their published
sequences at the same ${LAT} ms per round trip, not measured): they discover the whole
GATT database on every connect (about 6–8 round trips) and sleep a fixed 0.3–1 s after
the unlock before the first request, so one reconnect poll costs roughly
0.3 + 10 × 0.03 ≈ 0.6 s at best and 1 + 12 × 0.03 ≈ 1.4 s at worst, against the
$(j "$rec_lat" .later_poll_s_median) s measured here: no fixed sleeps (every step waits for its own answer, with
a deadline), cached handles, the unlock as a write command ordered before the CCCD write,
and the request head remembered per battery.
MD

# ---- The collectd plugin (issue 4 §9) -------------------------------------
# The real daemon, `collectd -f` with Interval 1, run for the same number of
# intervals in four configurations: without the plugin (baseline); with 16
# batteries whose sockets do not exist (the plugin's fixed cost: code,
# libraries, contexts, sessions, read and write threads, 16 series); with 16
# simulated batteries and ReportAlarmValues false; with the defaults.
# CPU: every collectd thread's on-CPU time (/proc/PID/task/*/schedstat, ns),
# split into the read threads (the plugin's callback, including handing each
# value to collectd) and the rest (collectd's write threads processing the
# values); waiting for the battery is not on-CPU time.
NB=16 WARM_S=5 RUN_S=20 CG_RUN_S=20
BUILD_ABS=$(cd "$BUILD" && pwd)
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

cd_conf() { # TAG MODE (none | offline | noalarms | full)
	cat <<CONF
Hostname "bench"
FQDNLookup false
BaseDir "$TMP"
PIDFile "$TMP/cd-$1.pid"
Interval 1
ReadThreads 5
PluginDir "/usr/lib/collectd"
LoadPlugin logfile
<Plugin logfile>
  LogLevel warning
  File "$TMP/cd-$1.log"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$TMP/cd-$1.sock"
</Plugin>
CONF
	[[ $2 != none ]] || return 0
	printf 'PluginDir "%s"\nLoadPlugin wattcycle\n<Plugin wattcycle>\n' "$BUILD_ABS"
	for i in $(seq 1 "$NB"); do
		printf '  <Battery "b%02d">\n' "$i"
		if [[ $2 == offline ]]; then
			printf '    Address "unix:%s/absent-b%02d.sock"\n' "$TMP" "$i"
		else
			printf '    Address "unix:%s/b%02d.sock"\n' "$TMP" "$i"
		fi
		[[ $2 == noalarms ]] && printf '    ReportAlarmValues false\n'
		printf '  </Battery>\n'
	done
	echo "</Plugin>"
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
# run_cd TAG MODE: sets RSS HWM (kB), CPU_R CPU_O (ns in the window),
# POLLS (served in the window), SERIES (identifiers in collectd's cache).
run_cd() {
	local pid r0 o0 r1 o1 p0
	cd_conf "$1" "$2" >"$TMP/cd-$1.conf"
	/usr/sbin/collectd -f -C "$TMP/cd-$1.conf" >/dev/null 2>&1 &
	pid=$!
	sleep "$WARM_S" # a measurement window, not synchronisation
	read -r r0 o0 < <(cpu_ns "$pid"); p0=$(served_8c)
	sleep "$RUN_S"
	read -r r1 o1 < <(cpu_ns "$pid")
	POLLS=$(($(served_8c) - p0)); CPU_R=$((r1 - r0)); CPU_O=$((o1 - o0))
	RSS=$(kb "$pid" VmRSS); HWM=$(kb "$pid" VmHWM)
	SERIES=$(collectdctl -s "$TMP/cd-$1.sock" listval 2>/dev/null | grep -c '/wattcycle-' || true)
	kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}
declare -A M_RSS M_HWM M_R M_O M_POLLS M_SERIES
for mode in none offline noalarms full; do
	run_cd "$mode" "$mode"
	M_RSS[$mode]=$RSS M_HWM[$mode]=$HWM M_R[$mode]=$CPU_R M_O[$mode]=$CPU_O
	M_POLLS[$mode]=$POLLS M_SERIES[$mode]=$SERIES
done

# Instructions per poll: callgrind counting only inside the read callback
# (wc_read and all it calls: poll session, decoding, events, and collectd's
# plugin_dispatch_values for every value), zeroed after the warm-up so the
# first polls (GATT discovery) are not in the average.
cd_conf cg full >"$TMP/cd-cg.conf"
valgrind --tool=callgrind --toggle-collect=wc_read --callgrind-out-file="$TMP/cg.cd" \
	/usr/sbin/collectd -f -C "$TMP/cd-cg.conf" >/dev/null 2>"$TMP/cg.err" &
cg_pid=$!
sleep "$WARM_S"
callgrind_control -z "$cg_pid" >/dev/null 2>&1
p0=$(served_8c)
sleep "$CG_RUN_S"
callgrind_control -d "$cg_pid" >/dev/null 2>&1
cg_polls=$(($(served_8c) - p0))
kill -TERM "$cg_pid"; wait "$cg_pid" 2>/dev/null || true
# the dump made after zeroing: cg.cd.1 (cg.cd itself is written at exit)
cg_ann=$(callgrind_annotate --inclusive=yes "$TMP/cg.cd.1" 2>/dev/null)
cg_ir=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' <<<"$cg_ann")
cg_disp=$(awk '/:plugin_dispatch_values / { gsub(",", "", $1); print $1; exit }' <<<"$cg_ann")
sim_stop many >&2

mib() { awk -v k="$1" 'BEGIN { printf "%.2f MiB", k / 1024 }'; }
plus() { mib $((M_RSS[$1] - M_RSS[none])); }
# us_per_poll MODE WHICH(r|o|all): on-CPU µs per poll above the baseline
us_per_poll() {
	awk -v r="${M_R[$1]}" -v o="${M_O[$1]}" -v bo="${M_O[none]}" -v br="${M_R[none]}" \
		-v n="${M_POLLS[$1]}" -v w="$2" 'BEGIN {
		v = (w == "r") ? r - br : (w == "o") ? o - bo : r + o - br - bo
		printf "%.1f", n ? v / n / 1000 : 0 }'
}
per_series_kb=$(awk -v a="${M_RSS[full]}" -v b="${M_RSS[offline]}" -v sa="${M_SERIES[full]}" \
	-v sb="${M_SERIES[offline]}" 'BEGIN { printf "%.2f", (a - b) / (sa - sb) }')
cg_per=$(awk -v i="${cg_ir:-0}" -v n="$cg_polls" 'BEGIN { printf "%d", n ? i / n : 0 }')
vals_per_poll=$((M_SERIES[full] / NB))
cg_disp_per=$(awk -v i="${cg_disp:-0}" -v n="$cg_polls" 'BEGIN { printf "%d", n ? i / n : 0 }')
cat <<MD

## collectd plugin (issue 4)

**Method.** The real daemon, \`/usr/sbin/collectd -f\` with \`Interval 1\`, \`ReadThreads 5\`,
logfile (level warning) and unixsock (to count the series), run ${WARM_S} s + ${RUN_S} s — the
same number of intervals — in four configurations: without the plugin (baseline); with
${NB} batteries whose sockets do not exist (the plugin's fixed cost: its code and
libraries, ${NB} battery contexts and poll sessions, collectd's read and write threads
that a read plugin brings up; only \`bool-online\` is dispatched); with ${NB} simulated
batteries (4S/8S/16S mixed, reconnect mode) and \`ReportAlarmValues false\`; with the
defaults. No writer plugin is loaded. Memory is VmRSS / VmHWM from \`/proc/PID/status\` at
the end. CPU is the on-CPU time of every collectd thread (\`/proc/PID/task/*/schedstat\`)
over the last ${RUN_S} s minus the baseline's, divided by the polls served in that window;
time spent waiting for a battery is not on-CPU time. "Read threads" is the plugin's read
callback (poll session, decoding, notifications, and handing every value to
\`plugin_dispatch_values\`); "write threads" is collectd's own processing of those values
(value cache, filter chain). Instructions per poll: \`valgrind --tool=callgrind
--toggle-collect=wc_read\` on the default configuration, counters zeroed after the
warm-up, ${cg_polls} polls. The poll session alone is \`bench_poll\` above
($(j "$rec_cpu" .cpu_us_per_poll) µs, $ir_rec instructions per reconnect poll).

| configuration | series | VmRSS | added to baseline | VmHWM | polls in ${RUN_S} s | CPU per poll: read threads | write threads | all |
|---|---|---|---|---|---|---|---|---|
| baseline, no plugin | 0 | $(mib "${M_RSS[none]}") | | $(mib "${M_HWM[none]}") | | | | |
| ${NB} batteries, unreachable | ${M_SERIES[offline]} | $(mib "${M_RSS[offline]}") | $(plus offline) | $(mib "${M_HWM[offline]}") | — | | | |
| ${NB} batteries, ReportAlarmValues false | ${M_SERIES[noalarms]} | $(mib "${M_RSS[noalarms]}") | $(plus noalarms) | $(mib "${M_HWM[noalarms]}") | ${M_POLLS[noalarms]} | $(us_per_poll noalarms r) µs | $(us_per_poll noalarms o) µs | $(us_per_poll noalarms all) µs |
| ${NB} batteries, defaults | ${M_SERIES[full]} | $(mib "${M_RSS[full]}") | $(plus full) | $(mib "${M_HWM[full]}") | ${M_POLLS[full]} | $(us_per_poll full r) µs | $(us_per_poll full o) µs | $(us_per_poll full all) µs |

Instructions per poll inside the read callback (callgrind, defaults): ${cg_per}, of which
${cg_disp_per} in collectd's \`plugin_dispatch_values\` (~${vals_per_poll} calls per poll); the
poll session alone is the ${ir_rec} of the table above; the rest is the plugin turning
the sample into value lists and notifications.

Targets: **≤ 1 MiB added RSS** with ${NB} batteries — the plugin's own fixed cost (row
"unreachable") is $(plus offline); every series the batteries report costs collectd about
${per_series_kb} kB in its value cache, which the defaults multiply by ${M_SERIES[full]} series.
**≤ 100 µs CPU per poll** excluding waiting — the session alone is
$(j "$rec_cpu" .cpu_us_per_poll) µs (\`bench_poll\`); inside the daemon the read callback costs
$(us_per_poll full r) µs and collectd's write threads another $(us_per_poll full o) µs per poll with
the defaults; both grow with the number of values dispatched per poll (compare the
ReportAlarmValues false row).

**Verdict.** Memory: the target is **not met** with the value table of issue 4 — the
plugin's own memory is the "unreachable" row, but collectd keeps a value-cache entry
(about ${per_series_kb} kB) for every series, and the table asks for ~66 series per battery.
This is collectd's per-series cost, not the plugin's: the same growth was seen with
\`ReadThreads 1\` (no concurrent bursts in the write queue), with \`MALLOC_ARENA_MAX=1\`,
and with \`malloc_trim(0)\` after every read (measured by hand, 2026-11-25: +1.87 to
+2.0 MiB each time), so nothing in the plugin's allocations can bring it down; only fewer
series can (\`ReportAlarmValues false\`, \`ReportCells false\`). CPU: the plugin's own
work per poll (session + building values and notifications) is the instruction count
above minus collectd's \`plugin_dispatch_values\`; the read-callback time includes that
dispatch and the socket system calls of a fresh connection per poll (reconnect mode).
MD
