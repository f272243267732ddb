#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Many sites on loopback, with the shipped conf/fleet/ snippets: four edge
# collectd daemons (wattcycle plugin, local rrdtool, network <Server> with
# SecurityLevel Encrypt), each reading eight simulated batteries (32 in
# all), send to one central collectd (<Listen> with SecurityLevel Encrypt and
# an AuthFile), which writes through carbon-relay (consistent hashing) into
# two carbon-caches with separate storage directories; graphite-web reads
# both.  A fifth edge with a wrong password must be refused and stored
# nowhere; a protection raised at one edge must reach the central's
# notify_nagios consumer with battery, code, class and reading in its text.
# Everything lives in a temp dir on free loopback ports.
#
#   WC_FLEET_SECONDS=N   collect for N seconds after the alarm (default 6)
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
. tests/lib/carbon.sh
. tests/lib/fleet.sh
. tests/graphite/pytap.sh
BUILD=${BUILD:-build}
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
D=${WC_FLEET_SECONDS:-6}
# Two seconds: RRD files take one update per second at most, and a read
# that runs late can land in the same second as the one before at 1 s.
FLEET_INTERVAL=2
EDGES=(edge1 edge2 edge3 edge4)
PER_EDGE=8
TMP=$(mktemp -d)

trap fleet_stop_all EXIT

for tool in carbon-cache carbon-relay /usr/sbin/collectd; do
	if ! command -v "$tool" >/dev/null; then
		tap_not_ok "$tool is installed (make deps)"; tap_done; exit
	fi
done

# --- two carbon-caches behind a consistent-hashing carbon-relay ---------------
if ! fleet_graphite 1h aggregation; then
	tap_not_ok "$FLEET_FAILED starts"; tap_done; exit
fi
tap_ok "carbon-relay on :$RELAY_LINE hashes over caches a and b ($FLEET_DESTS)"

# --- the central ----------------------------------------------------------------
read -r NET_PORT < <(free_ports 1 udp)
{
	for e in "${EDGES[@]}"; do echo "$e: pw-$e-$RANDOM$RANDOM"; done
	echo "rogue: the-right-password"
} >"$TMP/passwd"
chmod 0600 "$TMP/passwd"
pw() { awk -F': ' -v u="$1" '$1 == u { print $2 }' "$TMP/passwd"; }
fleet_central_conf "$TMP/central.conf" "$TMP/central" "$NET_PORT" "$TMP/passwd" \
	"$RELAY_LINE" "$TMP/nagios.cmd"
check "central.conf: the test changes only the Listen address, AuthFile, relay port and command file" \
	bash -c "diff conf/fleet/central.conf <(sed -n '/^# collectd-wattcycle, many sites: the CENTRAL/,\$p' '$TMP/central.conf') | grep -c '^[<>]' | grep -qx 8"
collectd_start central "$TMP/central.conf"

# --- four edges of eight batteries, and a rogue edge ----------------------------
start_edge() { # NAME N USER PASSWORD
	fleet_scenario "$TMP/$1" "$2"
	sim_start "$1" --scenario "$TMP/$1/sim.cfg" --log "$TMP/$1/served.log" || return 1
	fleet_edge_conf "$TMP/$1/collectd.conf" "$1" "$TMP/$1" "$NET_PORT" "$3" "$4" "$2"
	collectd_start "$1" "$TMP/$1/collectd.conf"
}
# edge.conf as shipped, but for the names, addresses, paths and batteries
edge_diff() {
	diff conf/fleet/edge.conf <(sed -n '/^# collectd-wattcycle, many sites: the EDGE/,$p' "$TMP/$1/collectd.conf") |
		grep '^[<>]' | grep -vE '^[<>] +(Hostname|PluginDir|<Battery|Address|</Battery>|DataDir|<Server|Username|Password)( |$)|^< +# One block per battery'
}
ok=1
for e in "${EDGES[@]}"; do start_edge "$e" "$PER_EDGE" "$e" "$(pw "$e")" || ok=0; done
start_edge rogue 2 rogue wrong-password || ok=0
eq "five simulators serve 34 batteries, five edge collectds started" "$ok" 1
eq "edge.conf: the test changes only names, addresses, paths and batteries" "$(edge_diff edge1)" ""

# polls NAME BATTERY: 0x8C answers served
polls() { grep -c "\"battery\":\"$2\",\"dp\":\"0x8c\"" "$TMP/$1/served.log" 2>/dev/null; }
all_polled() { # MIN: every battery of every edge polled MIN times
	local e k
	for e in "${EDGES[@]}"; do
		for ((k = 1; k <= PER_EDGE; k++)); do (($(polls "$e" "b$k") >= $1)) || return 1; done
	done
	(($(polls rogue b1) >= $1))
}
wait_until() { local t=$1; shift; local end=$((SECONDS + t)); until "$@"; do ((SECONDS > end)) && return 1; sleep 0.2; done; }
t_start=$(date +%s)
check "all 34 batteries polled 3 times (deadline 30 s)" wait_until 30 all_polled 3

# --- a protection at edge3's b5, seen at the central --------------------------------
sim_ctl edge3 alarm b5 dsg_ocp on
nag() { grep -F ";edge3;wattcycle-b5/bool-dsg_ocp;2;" "$TMP/nagios.cmd" | head -n 1; }
check "edge3 b5 dsg_ocp reaches the central's notify_nagios as a FAILURE (2)" wait_until 15 bash -c '[[ -n $(grep -F ";edge3;wattcycle-b5/bool-dsg_ocp;2;" "$0") ]]' "$TMP/nagios.cmd"
msg=$(nag); msg=${msg#*;2;}
check "its text names battery, code, class and reading: $msg" \
	bash -c '[[ $0 == "b5: DSG OCP(A) — Over-current during discharging (protection dsg_ocp; current "*" A; discharge MOSFET off)" ]]' "$msg"
check "the MOSFET WARNING (1) arrives too" grep -qF ";edge3;wattcycle-b5/bool-dsg_on;1;b5: discharge MOSFET off (active: DSG OCP(A))" "$TMP/nagios.cmd"
sleep "$D"
check "every battery polled 3 more times" wait_until 20 all_polled $(( $(polls edge1 b1) + 3 ))
for e in "${EDGES[@]}" rogue; do collectd_stop "$e"; done
sleep 1.5
alive=0; kill -0 "${CD_PID[central]}" 2>/dev/null && alive=1
collectd_stop central
t_stop=$(date +%s)
eq "the central ran the whole time" "$alive" 1
sim_stop_all

check "the central refused the rogue edge (log: Checksum mismatch. Username: rogue)" \
	grep -q 'network plugin: Checksum mismatch. Username: rogue' "$TMP/central/log"
others=$(grep -E 'Checksum mismatch|error|failed' "$TMP/central/log" | grep -v -e 'Username: rogue' -e 'Decrypting AES256 part failed')
check "the central refused nobody else and logged no other error" test -z "$others"
[[ -n $others ]] && sed "s/^/#   /" <<<"$others" | head -5
errs=$(for e in "${EDGES[@]}"; do grep -Ei 'error|failed' "$TMP/$e/log"; done)
check "no edge logged an error" test -z "$errs"
[[ -n $errs ]] && sed "s/^/#   /" <<<"$errs" | head -5
rrds=$(find "$TMP/edge1/rrd/edge1" -name 'voltage-pack.rrd' | wc -l)
eq "edge1 keeps its own RRD files (8 voltage-pack.rrd)" "$rrds" 8

# --- graphite-web over both caches --------------------------------------------------
py_tap "$PY" tests/graphite/fleet.py --tmp "$TMP" \
	--cache "$TMP/cache-a/storage/whisper=127.0.0.1:${FLEET_QUERY[a]}:a" \
	--cache "$TMP/cache-b/storage/whisper=127.0.0.1:${FLEET_QUERY[b]}:b" \
	--edges "$(IFS=,; echo "${EDGES[*]}")" --per-edge "$PER_EDGE" --rogue rogue \
	--from $((t_start - 2)) --until "$t_stop" \
	grafana/dashboards/*.json
tap_done
