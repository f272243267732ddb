#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Soak with faults: the real collectd (-f, own config in a temp dir,
# logfile, csv) reading SOAK_BATTERIES (64) simulated batteries over the
# unix transport from SOAK_SIMS (4) wattcycle-sim processes, while
# scripts/soak.py drives every fault the simulator has over random pool
# batteries (seeded by SOAK_SEED: the same seed gives the same episodes).
# Afterwards the checks of scripts/soak.py (poll lengths, healthy
# batteries' share of intervals read, fds and RSS of collectd over the
# second half, no collectd complaints, every fault its message and every
# recovery its OKAY).
#
#   scripts/soak.sh [--tap] [--bench]
#   SOAK_SECONDS   length of the run (1800; make test's run is 180)
#   SOAK_SEED      driver seed (1)
#   SOAK_PLUGIN    the wattcycle.so to load (build/soak/wattcycle.so: the
#                  shipped glue with a stopwatch per poll); with
#                  SOAK_SANITIZE=1 build/soak-san/wattcycle.so under ASan/UBSan
#   --tap          TAP lines (tests/integration/soak.sh)
#   --bench        rewrite the soak section of BENCHMARKS.md (make soak)
# Exit 0 when every check passed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. tests/lib/collectd.sh
BUILD=${BUILD:-build}
BUILD_ABS=$(cd "$BUILD" && pwd)
SECONDS_RUN=${SOAK_SECONDS:-1800}
SEED=${SOAK_SEED:-1}
N=${SOAK_BATTERIES:-64}
SIMS=${SOAK_SIMS:-4}
SANITIZE=${SOAK_SANITIZE:-0}
COLLECTD=${COLLECTD:-/usr/sbin/collectd}
TAP= BENCH=
for a in "$@"; do
	case $a in
	--tap) TAP=1 ;;
	--bench) BENCH=1 ;;
	*) echo "usage: $0 [--tap] [--bench]" >&2; exit 2 ;;
	esac
done
if [[ $SANITIZE == 1 ]]; then
	PLUGIN=${SOAK_PLUGIN:-$BUILD_ABS/soak-san/wattcycle.so}
else
	PLUGIN=${SOAK_PLUGIN:-$BUILD_ABS/soak/wattcycle.so}
fi
export SIM=$BUILD_ABS/wattcycle-sim
say() { if [[ -n $TAP ]]; then echo "# $*"; else echo "soak: $*"; fi; }

TMP=$(mktemp -d)
SIM_PIDS=() COLLECTD_PID= PROBE_PID= DRIVE_PID=
cleanup() {
	local p
	for p in $DRIVE_PID $PROBE_PID; do kill "$p" 2>/dev/null; done
	if [[ -n $COLLECTD_PID ]]; then
		kill -TERM "$COLLECTD_PID" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$COLLECTD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$COLLECTD_PID" 2>/dev/null
	fi
	for p in "${SIM_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	# kept when asked (SOAK_KEEP=1) or when a check failed, to look into
	if [[ -n ${SOAK_KEEP:-} || ${ok:-1} != 1 ]]; then echo "soak: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

mkdir -p "$TMP/run" "$TMP/csv" "$TMP/base" "$TMP/plugin"
# collectd refuses a symlinked plugin: a copy named wattcycle.so
cp "$PLUGIN" "$TMP/plugin/wattcycle.so" || exit 1
python3 scripts/soak.py scenario "$TMP" "$N" "$SIMS" "$SEED" || exit 1

for ((k = 0; k < SIMS; k++)); do
	"$SIM" --scenario "$TMP/sim$k.cfg" --control "$TMP/sim$k.ctl" \
		>"$TMP/sim$k.out" 2>&1 &
	SIM_PIDS+=($!)
done
for ((k = 0; k < SIMS; k++)); do
	for _ in $(seq 100); do
		grep -q 'wattcycle-sim: ready' "$TMP/sim$k.out" && break
		sleep 0.05
	done
	grep -q 'wattcycle-sim: ready' "$TMP/sim$k.out" || {
		echo "soak: simulator $k did not start:" >&2; cat "$TMP/sim$k.out" >&2; exit 1; }
done

# ---- collectd's configuration ------------------------------------------------
# ReadThreads: a poll holds a read thread for up to its Timeout, so with
# many batteries there must be enough threads that slow ones (under a fault)
# cannot delay the others (README, "Many batteries").  Only bool-online and
# duration-poll go to csv (a filter chain): the checks need no more, and 64
# batteries' full value sets would make csv the load.
batteries() {
	local name sim cells keep role mtu
	while read -r name sim cells keep role mtu; do
		collectd_battery "$name" "unix:$TMP/run/$name.sock" Interval 2 Timeout 1.5 OfflineAfter 2 KeepConnected "$keep"
	done <"$TMP/batteries.tsv"
}
collectd_conf host=soak base="$TMP/base" interval=2 readthreads=16 log="$TMP/collectd.log" timestamp \
	csv="$TMP/csv" csvrates=false load=match_regex raw='<Chain "PostCache">
  <Rule "soak">
    <Match "regex">
      Plugin "^wattcycle$"
      TypeInstance "^(online|poll)$"
    </Match>
    <Target "write">
      Plugin "csv"
    </Target>
    Target "stop"
  </Rule>
  Target "stop"
</Chain>' plugindir="$TMP/plugin" wattcycle="$(batteries)" >"$TMP/collectd.conf"

# every poll's own length, from the stopwatch in the soak's plugin build
ENV=(env "WC_SOAK_TIMES=$TMP/polltimes")
if [[ $SANITIZE == 1 ]]; then
	# collectd itself is not instrumented: the ASan/UBSan runtimes must be
	# in the process before the plugin is dlopen()ed, hence LD_PRELOAD.
	# detect_leaks=0: LeakSanitizer would report collectd's own memory that
	# it does not free at exit (configuration tree, value cache, plugin
	# contexts of the other plugins); the plugin's own leaks are covered by
	# the unit tests under ASan and valgrind and by fuzz_config.
	# quarantine_size_mb keeps ASan's RSS growth modest over the run.
	ENV+=("LD_PRELOAD=$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
		"ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:quarantine_size_mb=16:log_path=$TMP/asan"
		"UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$TMP/ubsan")
fi
"${ENV[@]}" "$COLLECTD" -t -C "$TMP/collectd.conf" >"$TMP/collectd-t.out" 2>&1 || {
	echo "soak: the configuration is refused:" >&2; cat "$TMP/collectd-t.out" >&2; exit 1; }

start=$(date +%s.%N)
"${ENV[@]}" timeout -s TERM $((SECONDS_RUN * 2 + 120)) "$COLLECTD" -f -C "$TMP/collectd.conf" \
	>"$TMP/collectd.out" 2>&1 &
COLLECTD_PID=$!
say "collectd $COLLECTD_PID, $N batteries, $SIMS simulators, ${SECONDS_RUN}s, seed $SEED$([[ $SANITIZE == 1 ]] && echo ', ASan+UBSan')"

# fds and RSS of collectd every 2 s
(
	while kill -0 "$COLLECTD_PID" 2>/dev/null; do
		pid=$(pgrep -P "$COLLECTD_PID" -x collectd || echo "$COLLECTD_PID")
		fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		[[ -n $rss ]] && printf '%s\t%s\t%s\n' "$(date +%s.%N)" "$fds" "$rss"
		[[ -e $TMP/asan_mapped ]] ||
			grep -c 'libasan' "/proc/$pid/maps" >"$TMP/asan_mapped" 2>/dev/null
		sleep 2
	done
) >"$TMP/probe.tsv" &
PROBE_PID=$!

sleep 3   # the first polls: every battery's baseline
python3 scripts/soak.py drive "$TMP" "$((SECONDS_RUN - 3))" "$SEED" 2>"$TMP/drive.err" &
DRIVE_PID=$!
wait "$DRIVE_PID"
DRIVE_PID=
end=$(date +%s.%N)
alive=1
kill -0 "$COLLECTD_PID" 2>/dev/null || alive=0
kill "$PROBE_PID" 2>/dev/null; wait "$PROBE_PID" 2>/dev/null; PROBE_PID=
kill -TERM "$COLLECTD_PID" 2>/dev/null
for _ in $(seq 150); do kill -0 "$COLLECTD_PID" 2>/dev/null || break; sleep 0.1; done
wait "$COLLECTD_PID"; cd_rc=$?; COLLECTD_PID=
printf 'start %s\nstop %s\nsanitized %s\n' "$start" "$end" \
	"$([[ $SANITIZE == 1 ]] && echo yes || echo no)" >"$TMP/run.tsv"

python3 scripts/soak.py check "$TMP" ${TAP:+--tap} >"$TMP/check.out"
check_rc=$?
n=0 failed=0
read -r n failed <"$TMP/verdict" 2>/dev/null
extra=()
[[ $alive == 1 ]] || extra+=("collectd died during the run")
((cd_rc == 0)) || extra+=("collectd exited $cd_rc at SIGTERM")
if cat "$TMP"/asan* "$TMP"/ubsan* "$TMP/collectd.out" 2>/dev/null |
	grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer'; then
	extra+=("sanitizer report: $(cat "$TMP"/asan* "$TMP"/ubsan* "$TMP/collectd.out" 2>/dev/null |
		grep -m1 -E 'AddressSanitizer|runtime error:')")
fi
[[ -s $TMP/drive.err ]] && say "driver: $(head -n 3 "$TMP/drive.err" | tr '\n' ' ')"

if [[ -n $TAP ]]; then
	grep -v '^1\.\.' "$TMP/check.out"
	i=$n
	i=$((i + 1)); if [[ $alive == 1 && $cd_rc == 0 ]]; then echo "ok $i - collectd ran the whole soak and stopped cleanly"; else echo "not ok $i - ${extra[*]}"; fi
	i=$((i + 1))
	if printf '%s\n' "${extra[@]}" | grep -q 'sanitizer'; then echo "not ok $i - no sanitizer report: ${extra[*]}"
	else echo "ok $i - no sanitizer report"; fi
	if [[ $SANITIZE == 1 ]]; then
		i=$((i + 1))
		if [[ $(cat "$TMP/asan_mapped" 2>/dev/null) -gt 0 ]]; then echo "ok $i - the ASan runtime was mapped into collectd"
		else echo "not ok $i - the ASan runtime was not mapped into collectd"; fi
	fi
	echo "1..$i"
else
	cat "$TMP/check.out"
	((${#extra[@]})) && printf 'soak: %s\n' "${extra[@]}"
fi

ok=1
((check_rc == 0 && ${#extra[@]} == 0)) || ok=0
if [[ -n $BENCH ]]; then
	{
		echo "<!-- soak:begin (scripts/soak.sh --bench rewrites this section) -->"
		echo "## Soak with faults (make soak)"
		echo
		echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), nice $(nice):"
		echo "collectd $(dpkg-query -W -f '${Version}' collectd-core 2>/dev/null || echo '?') with $N simulated batteries"
		echo "(4S/8S/16S, every fourth KeepConnected, Interval 2 s, Timeout 1.5 s, OfflineAfter 2,"
		echo "ReadThreads 16) on the unix transport from $SIMS simulators, ${SECONDS_RUN} s, driver seed $SEED:"
		echo "faults latency (beyond Timeout), silence, drop, crc, garbage, duplicate, length, refuse,"
		echo "kill/revive and alarm storms over random batteries, six at a time; two batteries refuse"
		echo "the unlock throughout. Verdict: $([[ $ok == 1 ]] && echo "**all checks passed** ($n)" || echo "**$failed of $n checks failed** ${extra[*]}")."
		echo
		echo "| figure | value |"
		echo "|---|---|"
		cat "$TMP/report.md"
		echo "<!-- soak:end -->"
	} >"$TMP/section.md"
	if grep -q '<!-- soak:begin' BENCHMARKS.md 2>/dev/null; then
		awk -v f="$TMP/section.md" '
			/<!-- soak:begin/ { while ((getline l < f) > 0) print l; skip = 1; next }
			/<!-- soak:end/ { skip = 0; next }
			!skip' BENCHMARKS.md >BENCHMARKS.md.new
	else
		{ cat BENCHMARKS.md 2>/dev/null; echo; cat "$TMP/section.md"; } >BENCHMARKS.md.new
	fi
	mv BENCHMARKS.md.new BENCHMARKS.md
	say "BENCHMARKS.md: soak section rewritten"
fi
[[ $ok == 1 ]]
