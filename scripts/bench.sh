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
