#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End to end through Graphite: wattcycle-sim (three batteries of different
# shapes, codes injected mid-run) -> collectd -f with the wattcycle plugin and
# conf/graphite/write_graphite.conf -> a real carbon-cache on loopback ports
# (conf/graphite/storage-aggregation.conf) -> graphite-web's render API
# (Django test client).  Every target of every bundled dashboard must return
# the values the simulator served; the main ones are rendered as PNG.
# Everything lives in a temp dir; no system file is touched.
#
#   WC_E2E_SECONDS=N   run collectd for N seconds (default 12)
#   WC_E2E_PNG_DIR=D   also copy the rendered PNGs to D (docs/ pictures)
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
. tests/lib/carbon.sh
. tests/lib/collectd.sh
. tests/graphite/pytap.sh
BUILD=${BUILD:-build}
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
D=${WC_E2E_SECONDS:-12}
HOST=e2ehost
BATTERIES=small4,mid8,big16
# Per-battery Timeout.  mid8 answers head 1E only: its first poll spends
# the 3 s probe of doc/PROTOCOL.md §4 on head 7E, so it needs a Timeout above 3 s, which
# a 1 s Interval allows only with KeepConnected.
declare -A TIMEOUT=([small4]=0.8 [mid8]=3.5 [big16]=0.8)
TMP=$(mktemp -d)
COLLECTD_PID=

stop_carbon() { carbon_stop cache "$TMP/carbon"; }
stop_collectd() {
	[[ -n $COLLECTD_PID ]] || return 0
	kill -TERM "$COLLECTD_PID" 2>/dev/null
	local deadline=$((SECONDS + 10))
	while kill -0 "$COLLECTD_PID" 2>/dev/null && ((SECONDS <= deadline)); do sleep 0.05; done
	kill -KILL "$COLLECTD_PID" 2>/dev/null
	wait "$COLLECTD_PID" 2>/dev/null
	COLLECTD_PID=
}
cleanup() { stop_collectd; sim_stop_all; stop_carbon; rm -rf "$TMP"; }
trap cleanup EXIT

for tool in carbon-cache /usr/sbin/collectd; do
	if ! command -v "$tool" >/dev/null; then
		tap_not_ok "$tool is installed (make deps)"; tap_done; exit
	fi
done

# --- carbon-cache on three free loopback ports ---------------------------------
read -r LINE_PORT PICKLE_PORT QUERY_PORT < <(carbon_cache_conf "$TMP/carbon")
# One-second points for the test (collectd runs with Interval 1); the
# aggregation rules are the shipped ones.
printf '[collectd]\npattern = ^collectd\\.\nretentions = 1s:1h\n' \
	>"$TMP/carbon/conf/storage-schemas.conf"
cp conf/graphite/storage-aggregation.conf "$TMP/carbon/conf/"
if ! carbon_start cache "$TMP/carbon" "$LINE_PORT" "$QUERY_PORT"; then
	tap_not_ok "carbon-cache listens on 127.0.0.1:$LINE_PORT and :$QUERY_PORT"
	tap_done; exit
fi
tap_ok "carbon-cache listens on 127.0.0.1:$LINE_PORT (lines) and :$QUERY_PORT (cache queries)"

# --- three simulated batteries, codes raised and cleared mid-run -------------------
at() { awk -v d="$D" -v f="$1" 'BEGIN { printf "%.1f", d * f }'; }
cat >"$TMP/bank.cfg" <<EOF
batteries = (
  { name = "small4"; socket = "small4.sock"; cells = 4; probes = 2;
    head = "7e"; soc = 65.0; temp_c = 20.0; mtu = 247; rssi_dbm = -71;
    profile = ( { t = 0.0; current = -8.0; } );
    alarms = ( { id = "chg_ot_alarm"; at = $(at 0.3); on = true; },
               { id = "chg_ot_alarm"; at = $(at 0.6); on = false; } ); },
  { name = "mid8"; socket = "mid8.sock"; cells = 8; probes = 2;
    head = "1e"; soc = 90.0; temp_c = 18.0; mtu = 185; rssi_dbm = -84;
    profile = ( { t = 0.0; current = -4.0; } ); },
  { name = "big16"; socket = "big16.sock"; cells = 16; probes = 4;
    version = 4; mtu = 23; soc = 91.0; full_ah = 108.3; cycles = 8; rssi_dbm = -77;
    temp_c = 24.0; cell_drift_v_per_h = 1.0;
    profile = ( { t = 0.0; current = -12.0; } );
    alarms = ( { id = "dsg_oc_alarm"; at = $(at 0.25); on = true; },
               { id = "dsg_ocp"; at = $(at 0.4); on = true; },
               { id = "dsg_ocp"; at = $(at 0.7); on = false; },
               { id = "dsg_oc_alarm"; at = $(at 0.75); on = false; } ); }
);
EOF
if ! sim_start bank --scenario "$TMP/bank.cfg" --log "$TMP/served.log"; then
	tap_not_ok "wattcycle-sim serves the bank"; tap_done; exit
fi

# --- collectd with the plugin and the shipped write_graphite snippet ---------------
sed "s/^\([[:space:]]*Port\) \"2003\"/\1 \"$LINE_PORT\"/" conf/graphite/write_graphite.conf \
	>"$TMP/write_graphite.conf"
check "write_graphite.conf: the test only changes the port" \
	bash -c "diff conf/graphite/write_graphite.conf '$TMP/write_graphite.conf' | grep -c '^[<>]' | grep -qx 2"
mkdir -p "$TMP/collectd"
# the dashboards' per-cell and per-code panels read voltage-cellNN and
# bool-<id>: ReportCells and ReportAlarmValues
batteries() {
	local b keep
	for b in ${BATTERIES//,/ }; do
		keep=(); [[ $b == mid8 ]] && keep=(KeepConnected true)
		collectd_battery "$b" "unix:$TMP/$b.sock" Timeout "${TIMEOUT[$b]}" "${keep[@]}" \
			ReportCells true ReportAlarmValues true
	done
}
collectd_conf host="$HOST" interval=1 base="$TMP/collectd" readthreads=4 log="$TMP/collectd/log" \
	include="$TMP/write_graphite.conf" wattcycle="$(batteries)" >"$TMP/collectd.conf"

t_start=$(date +%s)
/usr/sbin/collectd -f -C "$TMP/collectd.conf" >"$TMP/collectd/out" 2>&1 &
COLLECTD_PID=$!
# Until D seconds have passed and every battery was polled at least 5 times.
served() { grep -c "\"battery\":\"$1\",\"dp\":\"0x8c\"" "$TMP/served.log" 2>/dev/null; }
deadline=$((SECONDS + D + 20))
t0=$SECONDS
while :; do
	enough=1
	for b in ${BATTERIES//,/ }; do (($(served "$b") >= 5)) || enough=0; done
	((enough && SECONDS - t0 >= D)) && break
	if ((SECONDS > deadline)) || ! kill -0 "$COLLECTD_PID" 2>/dev/null; then break; fi
	sleep 0.2
done
alive=0; kill -0 "$COLLECTD_PID" 2>/dev/null && alive=1
stop_collectd
t_stop=$(date +%s)
eq "collectd ran the whole time" "$alive" 1
polls=$(for b in ${BATTERIES//,/ }; do printf '%s=%s ' "$b" "$(served "$b")"; done)
check "every battery polled >= 5 times in ${D} s ($polls)" \
	bash -c "! grep -Eq '=([0-4])( |$)' <<<'$polls'"
check "collectd logged no error (plugin, write_graphite)" \
	bash -c "! grep -Ei 'error|failed' '$TMP/collectd/log'"
grep -Ei 'error|failed' "$TMP/collectd/log" | head -5 | sed 's/^/#   /'
sim_stop bank

# --- graphite-web: every dashboard target, then PNGs -------------------------------
# (the battery dashboards; wattcycle-bank.json needs a bank, which this run
# has not: dashboards_lint.sh matches its targets against the bank
# identifiers of the real plugin, scripts/identifiers.sh --bank)
py_tap "$PY" tests/graphite/e2e.py --tmp "$TMP" --cache-query-port "$QUERY_PORT" \
	--host "$HOST" --batteries "$BATTERIES" --sim-log "$TMP/served.log" \
	--from $((t_start - 2)) --until "$t_stop" \
	--wattcycle "$BUILD/wattcycle" --timeout "$(for b in "${!TIMEOUT[@]}"; do printf '%s=%s,' "$b" "${TIMEOUT[$b]}"; done)" \
	--event big16:dsg_ocp --event big16:dsg_oc_alarm --event small4:chg_ot_alarm \
	--png-dir "$TMP/png" ${WC_E2E_PNG_DIR:+--copy-png-dir "$WC_E2E_PNG_DIR"} \
	grafana/dashboards/wattcycle-battery.json grafana/dashboards/wattcycle-all.json

stop_carbon
check "carbon-cache stopped (its line port is closed)" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$LINE_PORT) 2>/dev/null"
tap_done
