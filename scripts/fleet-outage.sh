#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What a central outage costs: the fleet of tests/integration/fleet.sh (four
# edges of eight simulated batteries, the shipped conf/fleet/ snippets, one
# central, carbon-relay, two carbon-caches) runs with the shipped Interval;
# the central collectd is stopped for OUTAGE seconds and started again.
# Then, per battery, the polls the simulator served are compared with the
# points Graphite stored (whisper files of both caches) and with the rows of
# the edge's own RRD file (voltage-pack).  Prints a short report (markdown).
#
#   OUTAGE=60 BEFORE=30 AFTER=30   seconds (central down / before / after)
#   FLEET_INTERVAL=10              collectd's Interval on every daemon
#   BUILD=build
# Takes OUTAGE + BEFORE + AFTER + about 20 s.  Everything runs in a temp dir
# on free loopback ports.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUTAGE=${OUTAGE:-60}
BEFORE=${BEFORE:-30}
AFTER=${AFTER:-30}
FLEET_INTERVAL=${FLEET_INTERVAL:-10}
PY=/usr/bin/python3
. tests/lib/sim.sh
. tests/lib/carbon.sh
. tests/lib/fleet.sh
EDGES=(edge1 edge2 edge3 edge4)
PER_EDGE=8
TMP=$(mktemp -d)
trap fleet_stop_all EXIT
die() { echo "fleet-outage: $*" >&2; exit 1; }
[[ -x $BUILD/wattcycle.so || -f $BUILD/wattcycle.so ]] || die "$BUILD/wattcycle.so is missing: run make"

fleet_graphite 1d aggregation >&2 || die "$FLEET_FAILED did not start"

read -r NET_PORT < <(free_ports 1 udp)
for e in "${EDGES[@]}"; do echo "$e: pw-$e"; done >"$TMP/passwd"
fleet_central_conf "$TMP/central.conf" "$TMP/central" "$NET_PORT" "$TMP/passwd" "$RELAY_LINE" "$TMP/nagios.cmd"
collectd_start central "$TMP/central.conf"
for e in "${EDGES[@]}"; do
	fleet_scenario "$TMP/$e" "$PER_EDGE"
	sim_start "$e" --scenario "$TMP/$e/sim.cfg" --log "$TMP/$e/served.log" >&2 || die "simulator $e did not start"
	fleet_edge_conf "$TMP/$e/collectd.conf" "$e" "$TMP/$e" "$NET_PORT" "$e" "pw-$e" "$PER_EDGE"
	collectd_start "$e" "$TMP/$e/collectd.conf"
done
t_start=$(date +%s)
echo "fleet-outage: 4 edges x $PER_EDGE batteries, Interval $FLEET_INTERVAL s; central up for $BEFORE s" >&2
sleep "$BEFORE"
collectd_stop central
t_down=$(date +%s)
echo "fleet-outage: central stopped for $OUTAGE s" >&2
sleep "$OUTAGE"
collectd_start central "$TMP/central.conf"
t_up=$(date +%s)
echo "fleet-outage: central started again; $AFTER s more" >&2
sleep "$AFTER"
for e in "${EDGES[@]}"; do collectd_stop "$e"; done
t_end=$(date +%s)
sleep 2
collectd_stop central
sleep 3   # carbon writes what it still holds

# Per battery: polls served in [t_start, t_end], points in Graphite, rows
# with a value in the edge's RRD, over the same window.
total_served=0 total_graphite=0 total_rrd=0 n=0 series=0
min_gap=999999 max_gap=0 rrd_gap=0 total_rrd_out=0
for e in "${EDGES[@]}"; do
	for ((k = 1; k <= PER_EDGE; k++)); do
		b=b$k
		served=$(grep -c "\"battery\":\"$b\",\"dp\":\"0x8c\"" "$TMP/$e/served.log")
		wsp=$(ls "$TMP"/cache-*/storage/whisper/collectd/"$e"/wattcycle/"$b"/voltage/pack.wsp 2>/dev/null | head -n 1)
		stored=$(whisper-fetch --from "$((t_start - FLEET_INTERVAL))" --until "$((t_end + FLEET_INTERVAL))" "$wsp" 2>/dev/null |
			awk '$2 != "None"' | wc -l)
		# longest run of empty slots between the first and the last point
		gap=$(whisper-fetch --from "$((t_start - FLEET_INTERVAL))" --until "$((t_end + FLEET_INTERVAL))" "$wsp" 2>/dev/null |
			awk -v step="$FLEET_INTERVAL" '$2 != "None" { if (seen && $1 - last - step > g) g = $1 - last - step; last = $1; seen = 1 } END { print g + 0 }')
		# rows with a value, and the longest run of empty steps between
		# the first and the last of them
		read -r rrd rgap < <(rrdtool fetch "$TMP/$e/rrd/$e/wattcycle-$b/voltage-pack.rrd" AVERAGE -r "$FLEET_INTERVAL" \
			-s "$((t_start - FLEET_INTERVAL))" -e "$((t_end + FLEET_INTERVAL))" |
			awk 'NR > 2 { if ($2 ~ /nan/) { run++; next } if (n && run > g) g = run; run = 0; n++ }
			     END { print n + 0, g + 0 }')
		total_served=$((total_served + served)); total_graphite=$((total_graphite + stored)); total_rrd=$((total_rrd + rrd))
		((gap < min_gap)) && min_gap=$gap
		((gap > max_gap)) && max_gap=$gap
		((rgap > rrd_gap)) && rrd_gap=$rgap
		# steps with a value while the central was down
		rout=$(rrdtool fetch "$TMP/$e/rrd/$e/wattcycle-$b/voltage-pack.rrd" AVERAGE -r "$FLEET_INTERVAL" \
			-s "$t_down" -e "$t_up" | awk -F: -v a="$t_down" -v z="$t_up" 'NR > 2 && $1 > a && $1 <= z && $2 !~ /nan/' | wc -l)
		total_rrd_out=$((total_rrd_out + rout))
		n=$((n + 1))
	done
	series=$((series + $(find "$TMP"/cache-*/storage/whisper/collectd/"$e" -name '*.wsp' | wc -l)))
done
per_battery=$((series / n))
lost_polls=$((total_served - total_graphite))
net_errors=$(for e in "${EDGES[@]}"; do grep -ci 'network plugin' "$TMP/$e/log"; done | awk '{ s += $1 } END { print s + 0 }')

cat <<EOF
## Central outage, measured ($(date -u +%Y-%m-%d), scripts/fleet-outage.sh)

4 edges x $PER_EDGE simulated batteries, Interval $FLEET_INTERVAL s, central collectd
stopped for $((t_up - t_down)) s ($BEFORE s after the start, then $AFTER s more).

| | polls (voltage-pack, all $n batteries) |
|---|---|
| served by the simulators | $total_served |
| stored in Graphite (both caches) | $total_graphite |
| in the edges' own RRD files | $total_rrd |

- Lost at the central: $lost_polls polls, $(awk -v l="$lost_polls" -v n="$n" 'BEGIN { printf "%.1f", l / n }') per battery (the outage is
  $((OUTAGE / FLEET_INTERVAL)) intervals); with $per_battery series per battery that is
  $((lost_polls * per_battery)) values.  The gap in each Graphite series: ${min_gap}-${max_gap} s.
- The edges' RRD files have a value for every ${FLEET_INTERVAL}-s step from each battery's
  first to its last poll, the outage included: the longest run of empty steps is
  $rrd_gap; inside the outage they hold $total_rrd_out steps with a value
  ($(awk -v r="$total_rrd_out" -v n="$n" 'BEGIN { printf "%.1f", r / n }') per battery).  ($total_rrd rows for $total_served polls: the first poll of a battery only
  creates its file, and polls that do not fall on the step are averaged into it.)
- The edges logged $net_errors network-plugin messages during the run (UDP: a
  stopped central is not noticed).
EOF
