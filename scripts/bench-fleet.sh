#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Many sites, measured: 64 simulated batteries over four edge collectds (16
# each, the shipped conf/fleet/ snippets) into one central collectd, which
# writes through carbon-relay into two carbon-caches.  Prints a BENCHMARKS.md
# section (markdown) on stdout:
#   - the central's CPU time per value received (user + system from
#     /proc/PID/stat over the measured window, divided by the values the
#     edges sent in it: polls served x series per battery);
#   - the central's memory (VmRSS, RssAnon) with no edge sending, and with
#     the 64 batteries;
#   - the bytes on the wire per battery per poll: the edges send through a
#     counting UDP forwarder (tests/bench/udp_meter.py) to the central.
# Called by scripts/bench.sh (make bench) and alone by make bench-fleet.
#
#   FLEET_INTERVAL=2 WARMUP=15 WINDOW=40 BUILD=build
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
FLEET_INTERVAL=${FLEET_INTERVAL:-2}
WARMUP=${WARMUP:-15}
WINDOW=${WINDOW:-40}
PY=/usr/bin/python3
. tests/lib/sim.sh
. tests/lib/carbon.sh
. tests/lib/fleet.sh
EDGES=(edge1 edge2 edge3 edge4)
PER_EDGE=16
TMP=$(mktemp -d)
METER_PID=
cleanup() {
	set +e
	[[ -n $METER_PID ]] && { kill -TERM "$METER_PID" 2>/dev/null; wait "$METER_PID" 2>/dev/null; }
	fleet_stop_all
}
trap cleanup EXIT
trap 'echo "bench-fleet: line $LINENO failed: $BASH_COMMAND" >&2' ERR
die() { echo "bench-fleet: $*" >&2; exit 1; }
[[ -f $BUILD/wattcycle.so ]] || die "$BUILD/wattcycle.so is missing: run make"
load0=$(cut -d' ' -f1-3 /proc/loadavg)

fleet_graphite 1d >&2 || die "$FLEET_FAILED did not start"

read -r NET_PORT < <(free_ports 1 udp)
for e in "${EDGES[@]}"; do echo "$e: pw-$e"; done >"$TMP/passwd"
fleet_central_conf "$TMP/central.conf" "$TMP/central" "$NET_PORT" "$TMP/passwd" "$RELAY_LINE" "$TMP/nagios.cmd"
collectd_start central "$TMP/central.conf"
CPID=${CD_PID[central]}
"$PY" tests/bench/udp_meter.py "$TMP/meter.port" "$NET_PORT" "$TMP/meter.counts" &
METER_PID=$!
deadline=$((SECONDS + 10))
until [[ -s $TMP/meter.port ]]; do ((SECONDS > deadline)) && die "udp_meter did not start"; sleep 0.05; done
METER_PORT=$(cat "$TMP/meter.port")
sleep 3
status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$CPID/status"; }
rss_idle=$(status VmRSS); anon_idle=$(status RssAnon)

for e in "${EDGES[@]}"; do
	fleet_scenario "$TMP/$e" "$PER_EDGE"
	sim_start "$e" --scenario "$TMP/$e/sim.cfg" --log "$TMP/$e/served.log" >&2 || die "simulator $e did not start"
	fleet_edge_conf "$TMP/$e/collectd.conf" "$e" "$TMP/$e" "$METER_PORT" "$e" "pw-$e" "$PER_EDGE"
	collectd_start "$e" "$TMP/$e/collectd.conf"
done
echo "bench-fleet: 4 edges x $PER_EDGE batteries, Interval $FLEET_INTERVAL s; warm-up $WARMUP s, window $WINDOW s" >&2
sleep "$WARMUP"

cpu() { awk '{ print $14 + $15 }' "/proc/$CPID/stat"; }
served() { cat "$TMP"/edge*/served.log | grep -c '"dp":"0x8c"'; }
tck=$(getconf CLK_TCK)
kill -USR1 "$METER_PID"; c0=$(cpu); p0=$(served); t0=$(date +%s.%N)
sleep "$WINDOW"
kill -USR1 "$METER_PID"; c1=$(cpu); p1=$(served); t1=$(date +%s.%N)
rss=$(status VmRSS); anon=$(status RssAnon); hwm=$(status VmHWM)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
sleep 0.2
read -r pk0 by0 pk1 by1 < <(jq -rs '"\(.[0].packets) \(.[0].bytes) \(.[1].packets) \(.[1].bytes)"' "$TMP/meter.counts")
series=$(find "$TMP/edge1/rrd/edge1/wattcycle-b1" -name '*.rrd' | wc -l)
errors=$(grep -Eic 'error|failed' "$TMP/central/log" || true)

polls=$((p1 - p0)); values=$((polls * series))
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
secs=$(calc %.1f "$t1 - $t0")
cpu_s=$(calc %.2f "($c1 - $c0) / $tck")

cat <<MD

## Many sites: one central for 64 batteries

**Method.** \`scripts/bench-fleet.sh\` (also \`make bench-fleet\` alone): four edge collectds
with the shipped \`conf/fleet/edge.conf\` (wattcycle plugin, rrdtool, network plugin with
\`SecurityLevel Encrypt\`), 16 simulated 4S batteries each, Interval ${FLEET_INTERVAL} s, send to one
central collectd with \`conf/fleet/central.conf\` (network \`<Listen>\` with \`Encrypt\` and
\`AuthFile\`, write_graphite to carbon-relay, consistent hashing over two carbon-caches), all on
loopback. After ${WARMUP} s of warm-up, a ${secs} s window: the central's CPU (user + system,
\`/proc/PID/stat\`), the values the edges sent in it (polls served × ${series} series per
battery), and every UDP datagram the edges sent, counted by a forwarder in front of the
central (\`tests/bench/udp_meter.py\`). Conditions: $(nproc) cores shared with other jobs,
load average ${load0} at the start and ${load1} at the end; carbon and the edges ran on
the same cores.

| measure | value |
|---|---|
| polls in the window (64 batteries) | ${polls} |
| values received by the central | ${values} ($(calc %.0f "$values / $secs") per second) |
| central CPU in the window | ${cpu_s} s ($(calc %.1f "100 * ($c1 - $c0) / $tck / $secs") % of one core) |
| **central CPU per value received** | **$(calc %.1f "($c1 - $c0) / $tck * 1e6 / $values") µs** |
| central memory, no edge sending (VmRSS / RssAnon) | ${rss_idle} / ${anon_idle} kB |
| **central memory with 64 batteries** (VmRSS / RssAnon, peak VmHWM) | **${rss} / ${anon} kB**, ${hwm} kB |
| … added by the 64 batteries | $((rss - rss_idle)) kB VmRSS, $(calc %.1f "($rss - $rss_idle) / 64") kB per battery |
| UDP datagrams / payload bytes in the window | $((pk1 - pk0)) / $((by1 - by0)) |
| **network bytes per battery per poll** | **$(calc %.0f "($by1 - $by0) / $polls") B** UDP payload, $(calc %.0f "($by1 - $by0 + 28 * ($pk1 - $pk0)) / $polls") B with IPv4 and UDP headers ($(calc %.1f "($by1 - $by0) / $values") B per value) |
| errors in the central's log | ${errors} |

At the shipped Interval of 10 s, 64 batteries send $(calc %.0f "($by1 - $by0 + 28 * ($pk1 - $pk0)) / $polls * 64 / 10") B/s
($(calc %.1f "($by1 - $by0 + 28 * ($pk1 - $pk0)) / $polls * 64 * 8640 / 1e6") MB a day) and cost the central $(calc %.2f "($c1 - $c0) / $tck / $values * 64 * $series / 10 * 100") % of one core.
MD
