#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin inside the real daemon (doc/DESIGN.md, "Testing"): /usr/sbin/collectd -f with
# rrdtool, csv, logfile and exec, against wattcycle-sim serving three
# batteries of different shapes (conf/sim/three.cfg: 4S head 7E, 8S head 1E,
# 16S version 4).  Checks the RRD file set against the man page, the values
# against what the simulator served, the types against types.db, alarm and
# reachability notifications, that batteries don't disturb each other, and
# that every bad configuration makes `collectd -T` fail with its message.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/sim.sh
. tests/lib/collectd.sh
BUILD=${BUILD:-build}
COLLECTD=/usr/sbin/collectd
MAN=doc/collectd-wattcycle.5
TYPESDB=/usr/share/collectd/types.db
INTERVAL=2
INTERVAL_1E=4
OFFLINE_AFTER=3

TMP=$(mktemp -d)
COLLECTD_PID=
stop_collectd() {
	[[ -n $COLLECTD_PID ]] || return 0
	kill -TERM "$COLLECTD_PID" 2>/dev/null
	local deadline=$((SECONDS + 15))
	while kill -0 "$COLLECTD_PID" 2>/dev/null && ((SECONDS <= deadline)); do sleep 0.05; done
	kill -KILL "$COLLECTD_PID" 2>/dev/null
	wait "$COLLECTD_PID" 2>/dev/null
	CD_RC=$?
	COLLECTD_PID=
}
trap 'stop_collectd; sim_stop_all; rm -rf "$TMP"' EXIT

# wait_until SECONDS CMD...: poll CMD every 0.1 s up to the deadline; gives
# up at once if the daemon under test has died.
wait_until() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		if ((SECONDS >= end)); then return 1; fi
		if [[ -n $COLLECTD_PID ]] && ! kill -0 "$COLLECTD_PID" 2>/dev/null; then return 1; fi
		sleep 0.1
	done
}

# ---- the exported symbols -------------------------------------------------
eq "wattcycle.so exports only module_register" \
	"$(nm -D --defined-only "$BUILD/wattcycle.so" | awk '{ print $3 }' | grep -v '^$' | tr '\n' ' ')" \
	"module_register "
# HCI goes through BlueZ's libbluetooth, the inventory through libconfig;
# everything else comes from collectd or libc.
eq "wattcycle.so needs libbluetooth, libconfig and libc only" \
	"$(objdump -p "$BUILD/wattcycle.so" | awk '$1 == "NEEDED" { print $2 }' | sort | tr '\n' ' ')" \
	"libbluetooth.so.3 libc.so.6 libconfig.so.9 "
eq "wattcycle.so takes its HCI calls from libbluetooth" \
	"$(nm -D --undefined-only "$BUILD/wattcycle.so" | grep -cE ' (hci_open_dev|hci_devinfo|hci_get_route|hci_read_rssi)$')" "4"

# ---- reference data: types.db, the alarm table, the man page ---------------
declare -A TDB_DS TDB_MIN TDB_MAX
while read -r name rest; do
	[[ -z $name || $name == \#* ]] && continue
	dss=$(tr -d ' ' <<<"$rest")
	names=$(tr ',' '\n' <<<"$dss" | cut -d: -f1 | paste -sd, -)
	TDB_DS[$name]=$names
	if [[ $names != *,* ]]; then
		TDB_MIN[$name]=$(cut -d: -f3 <<<"$dss")
		TDB_MAX[$name]=$(cut -d: -f4 <<<"$dss")
	fi
done <"$TYPESDB"
check "types.db parsed (voltage has one DS 'value')" test "${TDB_DS[voltage]:-}" = value

CODES_JSON=$("$BUILD/wattcycle" alarms --json)
# The value table of the man page, one "type-instance|meaning" per row.
man_rows() {
	sed -n '/^\.SH VALUES/,/^\.SH NOTIFICATIONS/p' "$MAN" |
		sed -n '/^\.TS/,/^\.TE/p' | grep '|' | grep -v '^tab(' | tail -n +2 |
		sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\f[IRB]//g' | awk -F'|' '{ print $1 "|" $3 }'
}
# The codes the man page documents (.TP/.B entries under "Codes").
man_codes() {
	sed -n '/^\.SS Codes/,/^\.SH/p' "$MAN" | awk 'prev == ".TP" && $1 == ".B" { print $2 } { prev = $0 }'
}
eq "the man page documents exactly the alarm table's codes" \
	"$(man_codes | sort | tr '\n' ' ')" \
	"$(jq -r '.[] | select(.class != "state") | .id' <<<"$CODES_JSON" | sort | tr '\n' ' ')"
# expected_ids CELLS PROBES [CODES]: every identifier the man page promises
# for a battery of that shape over a link without RSSI and a frame without
# the extension block (the rows marked "when reported" / "when known" drop
# out); CELLS 0 without ReportCells; the per-code bool-<id> rows only with
# CODES=codes (ReportAlarmValues true).
expected_ids() {
	local cells=$1 probes=$2 codes=${3:-} id meaning first pre width n i
	while IFS='|' read -r id meaning; do
		[[ $meaning == *"(when "* ]] && continue
		if [[ $id == *"..."* ]]; then
			first=${id%% *}                          # voltage-cell01
			pre=$(sed -E 's/[0-9]+$//' <<<"$first")  # voltage-cell
			width=$((${#first} - ${#pre}))
			n=$probes; [[ $pre == *cell* ]] && n=$cells
			for ((i = 1; i <= n; i++)); do printf "%s%0${width}d\n" "$pre" "$i"; done
		elif [[ $id == "bool-id" ]]; then
			# the codes of the battery's family only (FAMILY, default watt)
			if [[ $codes == codes ]]; then
				man_codes | grep -xFf <(jq -r --arg f "${FAMILY:-watt}" \
					'.[] | select(.family | split(",") | index($f)) | .id' <<<"$CODES_JSON") |
					sed 's/^/bool-/'
			fi
		else
			echo "$id"
		fi
	done < <(man_rows)
}
check "the man page's value table parses (pack voltage, cells, codes)" bash -c \
	'[[ $(wc -l <<<"$1") -gt 60 ]] && grep -qx voltage-pack <<<"$1" && grep -qx voltage-cell04 <<<"$1" && grep -qx bool-dsg_ocp <<<"$1"' \
	_ "$(expected_ids 4 2 codes)"

# ---- configuration files ---------------------------------------------------
mkdir -p "$TMP/base"
# conf LOGFILE [WORD...]: collectd_conf with the test's globals, logfile and
# the plugin loaded from the build dir.
conf() {
	collectd_conf host=ci interval="$INTERVAL" base="$TMP/base" log="$1" timestamp "${@:2}"
}

# ---- bad configurations: collectd -T exits non-zero with the message -------
bad_conf() { # DESC MESSAGE PLUGIN-BLOCK-BODY
	local desc=$1 msg=$2 body=$3 out rc
	conf stderr wattcycle="$body" >"$TMP/bad.conf"
	out=$(timeout 20 "$COLLECTD" -T -C "$TMP/bad.conf" 2>&1); rc=$?
	check "bad config ($desc): collectd -T exits non-zero (rc $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
	check "bad config ($desc): says '$msg'" grep -qF -- "$msg" <<<"$out"
}
S="unix:$TMP/nowhere.sock"
bad_conf "unknown key" "wattcycle plugin: house1: Bogus: unknown option" \
	"<Battery \"house1\">
  Address \"$S\"
  Bogus 1
</Battery>"
bad_conf "missing Address" "wattcycle plugin: house1: Address: missing" \
	"<Battery \"house1\">
  Interval 5
</Battery>"
bad_conf "malformed Address" 'wattcycle plugin: house1: Address: "C0:D6:3C:52:E4" is not valid' \
	"<Battery \"house1\">
  Address \"C0:D6:3C:52:E4\"
</Battery>"
bad_conf "duplicate name, in a second <Plugin> block, other case" \
	"wattcycle plugin: House1: Battery: this name is already configured" \
	"<Battery \"house1\">
  Address \"$S\"
</Battery>
</Plugin>
<Plugin wattcycle>
<Battery \"House1\">
  Address \"$S\"
</Battery>"
bad_conf "bad name" "wattcycle plugin: house.1: Battery: the name must be 1 to 63 letters" \
	"<Battery \"house.1\">
  Address \"$S\"
</Battery>"
bad_conf "Timeout >= Interval without KeepConnected" \
	"wattcycle plugin: house1: Timeout: 3.000 s is not less than Interval 2.000 s" \
	"<Battery \"house1\">
  Address \"$S\"
  Interval 2
  Timeout 3
</Battery>"
# The control: the same options, valid, pass -T (an unreachable battery is
# not an error for collectd).
{
	conf stderr wattcycle=
	printf '<Plugin wattcycle>\n%s\n</Plugin>\n' \
		"$(collectd_battery house1 "$S" Interval 2 Timeout 3 KeepConnected true)" \
		"$(collectd_battery house-2_b C0:D6:3C:52:E4:D9 AddressType '"random"' ReportCells false \
			ReportAlarmValues false OfflineAfter 1)"
} >"$TMP/good.conf"
out=$(timeout 20 "$COLLECTD" -T -C "$TMP/good.conf" 2>&1)
eq "good config (Timeout >= Interval with KeepConnected, two blocks): collectd -T exits 0" "$?" "0"
check "good config: both batteries configured" grep -qF "wattcycle plugin: 2 batteries configured" <<<"$out"

# ---- the daemon against three simulated batteries ---------------------------
mkdir -p "$TMP/run" "$TMP/rrd" "$TMP/csv" "$TMP/exec/out"
cp conf/sim/three.cfg "$TMP/three.cfg"
sim_start sim --scenario "$TMP/three.cfg" --log "$TMP/served.log" ||
	{ tap_not_ok "simulator started"; tap_done; exit 1; }

# Notifications also go through exec, which refuses root: run the script
# as nobody (or as ourselves), writing one file per notification.
EXEC_USER=$(id -un); [[ $(id -u) -eq 0 ]] && EXEC_USER=nobody
chmod 0711 "$TMP"; chmod 0755 "$TMP/exec"; chmod 1777 "$TMP/exec/out"
cat >"$TMP/exec/notify.sh" <<EOF
#!/bin/sh
cat > "$TMP/exec/out/n.\$\$.tmp" && mv "$TMP/exec/out/n.\$\$.tmp" "$TMP/exec/out/n.\$\$"
EOF
chmod 0755 "$TMP/exec/notify.sh"

LOG=$TMP/collectd.log
CSV=$TMP/csv/ci
RRD=$TMP/rrd/ci
conf "$LOG" rrd="$TMP/rrd" csv="$TMP/csv" raw="LoadPlugin exec
<Plugin exec>
  NotificationExec \"$EXEC_USER\" \"$TMP/exec/notify.sh\"
</Plugin>" wattcycle="$(
	collectd_battery small4 "unix:$TMP/run/small4.sock" Interval "$INTERVAL" ReportCells true ReportAlarmValues true
	# Head 1E only: its first poll spends the 3 s probe of doc/PROTOCOL.md §4 on head
	# 7E, so it needs a Timeout above 3 s.  Kept connected.
	collectd_battery mid8 "unix:$TMP/run/mid8.sock" Interval "$INTERVAL_1E" Timeout 3.5 KeepConnected true \
		ReportCells true
	# the defaults: ReportCells true (per-cell series), ReportAlarmValues
	# false (no per-code series)
	collectd_battery big16 "unix:$TMP/run/big16.sock" Interval "$INTERVAL" OfflineAfter "$OFFLINE_AFTER")" \
	>"$TMP/collectd.conf"
timeout 150 "$COLLECTD" -f -C "$TMP/collectd.conf" >"$TMP/collectd.out" 2>&1 &
COLLECTD_PID=$!

# csv_rows BATTERY ID: "epoch,value" lines of that series (every day file).
csv_rows() {
	local f
	for f in "$CSV/wattcycle-$1/$2"-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
		[[ -f $f ]] && tail -n +2 "$f"
	done
}
nrows() { csv_rows "$1" "$2" | wc -l; }
rows_at_least() { (($(nrows "$1" "$2") >= $3)); }
last_value() { csv_rows "$1" "$2" | tail -n 1 | cut -d, -f2; }
# more_polls BATTERY N: wait for N more polls (bool-online goes out every poll).
ival() { if [[ $1 == mid8 ]]; then echo "$INTERVAL_1E"; else echo "$INTERVAL"; fi; }
more_polls() {
	local n0; n0=$(nrows "$1" bool-online)
	wait_until $(($(ival "$1") * $2 + 10)) rows_at_least "$1" bool-online $((n0 + $2))
}
# notifs SEVERITY BATTERY TYPE_INSTANCE: how many the daemon logged.
notifs() {
	grep -c "Notification: severity = $1, host = ci, plugin = wattcycle, plugin_instance = $2, type = bool, type_instance = $3, " "$LOG" 2>/dev/null
}
notif_msg() { # SEVERITY BATTERY TYPE_INSTANCE: the message of the first one
	grep "Notification: severity = $1, host = ci, plugin = wattcycle, plugin_instance = $2, type = bool, type_instance = $3, " "$LOG" |
		head -n 1 | sed 's/.*, message = //'
}
have_notif() { (($(notifs "$@") >= 1)); }
code_text() { # ID: "NAME — MEANING" from the alarm table
	jq -r --arg id "$1" '.[] | select(.id == $id) | "\(.name) — \(.meaning)"' <<<"$CODES_JSON"
}

check "every battery polled twice (deadline 25 s)" wait_until 25 bash -c '
	for b in small4 mid8 big16; do (($(cat "$0"/wattcycle-$b/voltage-pack-* 2>/dev/null | grep -vc ^epoch) >= 2)) || exit 1; done' "$CSV"
T_START=$(date +%s.%N)

# -- an injected protection and an injected alarm -----------------------------
sim_ctl sim alarm small4 dsg_ocp on
sim_ctl sim alarm mid8 cell_ov_alarm on
check "dsg_ocp on small4 gives a FAILURE" wait_until 15 have_notif FAILURE small4 dsg_ocp
check "cell_ov_alarm on mid8 gives a WARNING" wait_until 15 have_notif WARNING mid8 cell_ov_alarm
more_polls small4 2; more_polls mid8 2
eq "small4: bool-dsg_ocp is 1 while active" "$(last_value small4 bool-dsg_ocp)" "1.000000"
eq "small4: count-protections is 1 while active" "$(last_value small4 count-protections)" "1.000000"
eq "small4: the discharge MOSFET is off (bool-dsg_on 0)" "$(last_value small4 bool-dsg_on)" "0.000000"
eq "mid8: count-alarms is 1 while active" "$(last_value mid8 count-alarms)" "1.000000"
sim_ctl sim alarm small4 dsg_ocp off
sim_ctl sim alarm mid8 cell_ov_alarm off
check "dsg_ocp cleared gives an OKAY" wait_until 15 have_notif OKAY small4 dsg_ocp
check "cell_ov_alarm cleared gives an OKAY" wait_until 15 have_notif OKAY mid8 cell_ov_alarm
more_polls small4 2; more_polls mid8 2
eq "dsg_ocp: exactly one FAILURE over several polls" "$(notifs FAILURE small4 dsg_ocp)" 1
eq "dsg_ocp: exactly one OKAY" "$(notifs OKAY small4 dsg_ocp)" 1
eq "dsg_ocp: no WARNING" "$(notifs WARNING small4 dsg_ocp)" 0
eq "cell_ov_alarm: exactly one WARNING" "$(notifs WARNING mid8 cell_ov_alarm)" 1
eq "cell_ov_alarm: exactly one OKAY, no FAILURE" "$(notifs OKAY mid8 cell_ov_alarm)/$(notifs FAILURE mid8 cell_ov_alarm)" 1/0
msg=$(notif_msg FAILURE small4 dsg_ocp)
check "dsg_ocp FAILURE names battery, code and meaning, current, MOSFET ($msg)" \
	bash -c '[[ $0 == "small4: $1 (protection dsg_ocp; current "*" A; discharge MOSFET off)" ]]' "$msg" "$(code_text dsg_ocp)"
check "dsg_ocp OKAY says cleared ($(notif_msg OKAY small4 dsg_ocp))" \
	grep -qF "small4: DSG OCP(A) cleared" <<<"$(notif_msg OKAY small4 dsg_ocp)"
msg=$(notif_msg WARNING mid8 cell_ov_alarm)
check "cell_ov_alarm WARNING names code and meaning ($msg)" grep -qF "mid8: $(code_text cell_ov_alarm)" <<<"$msg"
eq "discharge MOSFET off: one WARNING listing the protection" \
	"$(notifs WARNING small4 dsg_on) $(notif_msg WARNING small4 dsg_on)" "1 small4: discharge MOSFET off (active: DSG OCP(A))"
eq "discharge MOSFET back on: one OKAY" \
	"$(notifs OKAY small4 dsg_on) $(notif_msg OKAY small4 dsg_on)" "1 small4: discharge MOSFET on again"
eq "small4: bool-dsg_ocp back to 0, MOSFET back on" \
	"$(last_value small4 bool-dsg_ocp) $(last_value small4 bool-dsg_on)" "0.000000 1.000000"

# -- a battery that disappears mid-run, and comes back ------------------------
T_KILL=$(date +%s.%N)
sim_ctl sim kill big16
check "big16 killed: the unreachable FAILURE comes (deadline $((OFFLINE_AFTER * INTERVAL + 10)) s)" \
	wait_until $((OFFLINE_AFTER * INTERVAL + 10)) have_notif FAILURE big16 online
zeros=$(csv_rows big16 bool-online | grep -c ',0.000000$')
check "the FAILURE came after $OFFLINE_AFTER failed polls (online 0 rows so far: $zeros)" \
	test "$zeros" -ge "$OFFLINE_AFTER" -a "$zeros" -le $((OFFLINE_AFTER + 1))
msg=$(notif_msg FAILURE big16 online)
check "unreachable message ($msg)" grep -qE "^big16: unreachable for $OFFLINE_AFTER polls \(last error: .+\)" <<<"$msg"
more_polls big16 2
eq "big16: still exactly one unreachable FAILURE two polls later" "$(notifs FAILURE big16 online)" 1
eq "big16: bool-online is 0 while killed" "$(last_value big16 bool-online)" "0.000000"
sim_ctl sim revive big16
check "big16 revived: one OKAY" wait_until 15 have_notif OKAY big16 online
more_polls big16 2
T_END=$(date +%s.%N)
eq "big16: exactly one OKAY" "$(notifs OKAY big16 online)" 1
check "OKAY message ($(notif_msg OKAY big16 online))" \
	grep -qE "^big16: reachable again after [0-9]+ failed polls" <<<"$(notif_msg OKAY big16 online)"
eq "big16: bool-online back to 1" "$(last_value big16 bool-online)" "1.000000"
# While offline nothing but online=0 went out (no zeros, no stale values).
check "big16: no voltage-pack value while the battery was away" bash -c '
	read -r a b < <(awk -F, "\$2 == 0 { if (!f) f = \$1; l = \$1 } END { print f, l }" <<<"$1")
	awk -F, -v a="$a" -v b="$b" "\$1 >= a && \$1 <= b { bad = 1 } END { exit bad }" <<<"$2"' \
	_ "$(csv_rows big16 bool-online)" "$(csv_rows big16 voltage-pack)"

# The other batteries: every poll answered, no gap in their series.
max_gap() { csv_rows "$1" "$2" | awk -F, 'NR > 1 && $1 - p > m { m = $1 - p } { p = $1 } END { printf "%.3f", m }'; }
for b in small4 mid8; do
	eq "$b: online the whole run" "$(csv_rows $b bool-online | grep -vc ',1.000000$')" 0
	le "$b: largest gap between polls (csv, s)" "$(max_gap $b voltage-pack)" $(($(ival $b) * 3 / 2))
done
# rrd_nans BATTERY ID FROM TO: unknown rows of the 1-step RRA in the window.
rrd_nans() {
	rrdtool fetch "$RRD/wattcycle-$1/$2.rrd" AVERAGE -r "$(ival "$1")" -s "${3%.*}" -e "${4%.*}" |
		awk -F': ' '/^[0-9]+:/ { n++; t[n] = $2 } END { c = 0; for (i = 2; i < n; i++) if (t[i] ~ /nan/) c++; print c "/" n }'
}
for b in small4 mid8; do
	r=$(rrd_nans $b voltage-pack "$T_KILL" "$T_END")
	check "$b: no unknown RRD row while big16 was away (nan/rows $r)" test "${r%/*}" -eq 0 -a "${r#*/}" -gt 3
done
r=$(rrd_nans big16 voltage-pack "$T_KILL" "$T_END")
check "big16: its own outage does show in its RRD (nan/rows $r)" test "${r%/*}" -gt 0

# ---- stop the daemon, then compare files with what was served ---------------
stop_collectd
eq "collectd stops cleanly on SIGTERM" "$CD_RC" 0
check "no types.db complaint in the log" bash -c '! grep -qiE "dataset not found|types\.db" "$0"' "$LOG"
check "no read-function backoff in the log" bash -c '! grep -q "Will suspend it" "$0"' "$LOG"

# Identifiers: the RRD files of each battery are exactly the man page's list
# for its shape (shapes taken from what the simulator served) and its
# options: small4 both ReportCells and ReportAlarmValues, mid8 ReportCells
# only (no bool-<code>), big16 the defaults (ReportCells on, no
# bool-<code>).
per_cell() { true; }
per_code() { [[ $1 == small4 ]]; }
for b in small4 mid8 big16; do
	shape=$(jq -r --arg b "$b" 'select(.battery == $b and .dp == "0x8c") | "\(.cells_v | length) \(.probes_c | length)"' "$TMP/served.log" | tail -n 1)
	codes= cells=0
	per_cell "$b" && cells=${shape% *}
	per_code "$b" && codes=codes
	want=$(expected_ids "$cells" "${shape#* }" $codes | sort)
	got=$(cd "$RRD/wattcycle-$b" 2>/dev/null && ls *.rrd | sed 's/\.rrd$//' | sort)
	extra=$(comm -13 <(echo "$want") <(echo "$got") | tr '\n' ' ')
	missing=$(comm -23 <(echo "$want") <(echo "$got") | tr '\n' ' ')
	eq "$b (${shape% *}S, ${shape#* } probes): RRD files = the man page's $(wc -l <<<"$want") identifiers" \
		"missing: [$missing] extra: [$extra]" "missing: [] extra: []"
done

# Types: every type dispatched exists in types.db, with as many data sources
# as values went out (csv writes one column per value, headed by DS name).
types_bad=
for t in $(for f in "$RRD"/wattcycle-*/*.rrd; do f=${f##*/}; echo "${f%%-*}"; done | sort -u); do
	f=$(ls "$CSV"/wattcycle-*/"$t"-* | head -n 1)
	if [[ -z ${TDB_DS[$t]:-} ]]; then types_bad+="$t(not in types.db) "
	elif [[ $(head -n 1 "$f") != "epoch,${TDB_DS[$t]}" ]]; then types_bad+="$t(header $(head -n 1 "$f") vs ${TDB_DS[$t]}) "
	elif [[ $(tail -n 1 "$f" | awk -F, '{ print NF - 1 }') != $(awk -F, '{ print NF }' <<<"${TDB_DS[$t]}") ]]; then types_bad+="$t(value count) "
	fi
done
eq "every dispatched type is in types.db with the right number of values" "$types_bad" ""

# Values: the last RRD update of every series equals what the simulator
# served for that poll, within the frame's precision; one timestamp per poll.
for b in small4 mid8 big16; do
	: >"$TMP/rrd.$b"
	for f in "$RRD/wattcycle-$b"/*.rrd; do
		rrdtool lastupdate "$f" | awk -F': ' -v id="$(basename "$f" .rrd)" '/^[0-9]+:/ { print id, $1, $2 }' >>"$TMP/rrd.$b"
	done
	eq "$b: every series has the same last timestamp" "$(awk '{ print $2 }' "$TMP/rrd.$b" | sort -u | wc -l)" 1
	t=$(awk 'NR == 1 { print $2 }' "$TMP/rrd.$b")
	cells=false codes=false
	per_cell "$b" && cells=true
	per_code "$b" && codes=true
	jq -s -r --arg b "$b" --argjson t "$t" --argjson codes "$CODES_JSON" \
		--argjson per_cell "$cells" --argjson per_code "$codes" '
		map(select(.battery == $b and .t <= $t + 0.5)) as $e
		| ($e | map(select(.dp == "0x8c")) | last) as $a
		| ($e | map(select(.dp == "0x8d")) | last) as $s
		| def nn: tostring | if length < 2 then "0" + . else . end;
		  def cnt(c): [$codes[] | select(.class == c and (.id as $i | $s.alarms | index($i)))] | length;
		{ "voltage-pack": $a.voltage_v, "current-pack": $a.current_a,
		  "power-pack": ($a.voltage_v * $a.current_a), "percent-soc": $a.soc_pct,
		  "charge-remaining": $a.remaining_ah, "charge-full": $a.full_ah,
		  "charge-design": $a.design_ah, "count-cycles": $a.cycles,
		  "temperature-mos": $a.temp_mos_c, "temperature-env": $a.temp_env_c,
		  "voltage-cell_min": ($a.cells_v | min), "voltage-cell_max": ($a.cells_v | max),
		  "voltage-cell_delta": (($a.cells_v | max) - ($a.cells_v | min)),
		  "bool-chg_on": (if $s.charge_mos then 1 else 0 end),
		  "bool-dsg_on": (if $s.discharge_mos then 1 else 0 end),
		  "count-protections": cnt("protection"), "count-alarms": cnt("alarm"),
		  "count-faults": cnt("fault"), "bool-online": 1 }
		+ (if $per_cell then [$a.cells_v | to_entries[] | { key: ("voltage-cell" + (.key + 1 | nn)), value }] | from_entries else {} end)
		+ ([$a.probes_c | to_entries[] | { key: ("temperature-probe" + (.key + 1 | tostring)), value }] | from_entries)
		+ (if $per_code then [$codes[] | select(.class != "state" and (.family | split(",") | index("watt"))) | { key: ("bool-" + .id), value: (if (.id as $i | $s.alarms | index($i)) then 1 else 0 end) }] | from_entries else {} end)
		| to_entries[] | "\(.key) \(.value)"' "$TMP/served.log" >"$TMP/want.$b"
	# compare: every expected series present and equal within 0.5 mV
	bad=$(awk 'NR == FNR { want[$1] = $2; next } { got[$1] = $3 }
		END {
			for (k in want) {
				if (!(k in got)) { printf "%s(missing) ", k; continue }
				d = got[k] - want[k]; if (d < 0) d = -d
				if (d > 0.0005) printf "%s(%s vs %s) ", k, got[k], want[k]
			}
		}' "$TMP/want.$b" "$TMP/rrd.$b")
	eq "$b: $(wc -l <"$TMP/want.$b") RRD values equal the values served at that poll" "$bad" ""
	# the rest: within types.db's range; the poll took less than its Timeout
	range_bad=$(while read -r id _ v; do
		ty=${id%%-*}; mn=${TDB_MIN[$ty]}; mx=${TDB_MAX[$ty]}
		awk -v v="$v" -v mn="$mn" -v mx="$mx" 'BEGIN { exit !((mn != "U" && v < mn) || (mx != "U" && v > mx) || v != v + 0) }' && echo -n "$id=$v "
	done <"$TMP/rrd.$b")
	eq "$b: every value inside its types.db range" "$range_bad" ""
	le "$b: duration-poll below the Timeout" "$(awk '$1 == "duration-poll" { print $3 }' "$TMP/rrd.$b")" 1.6
done

# Notifications as an exec script sees them: host, time, and meta.
exec_notif() { # TYPE_INSTANCE SEVERITY: the first matching file
	grep -l -x "TypeInstance: $1" "$TMP"/exec/out/n.* 2>/dev/null | xargs -r grep -l -x "Severity: $2" | head -n 1
}
f=$(exec_notif dsg_ocp FAILURE)
check "exec got the dsg_ocp FAILURE with host, plugin, instance" bash -c \
	'[[ -f $0 ]] && grep -qx "Host: ci" "$0" && grep -qx "Plugin: wattcycle" "$0" && grep -qx "PluginInstance: small4" "$0" && grep -qx "Type: bool" "$0"' "${f:-/nonexistent}"
check "exec: meta id, class, register" bash -c \
	'grep -qx "id: dsg_ocp" "$0" && grep -qx "class: protection" "$0" && grep -qx "register: status1" "$0"' "${f:-/nonexistent}"
nt=$(sed -n 's/^Time: //p' "${f:-/nonexistent}" 2>/dev/null)
check "exec: the notification time is set, within the run ($nt)" \
	awk -v t="${nt:-0}" -v a="$T_START" -v b="$T_KILL" 'BEGIN { exit !(t >= a && t <= b) }'
f=$(exec_notif online FAILURE)
check "exec: unreachable FAILURE has class link and no register" bash -c \
	'[[ -f $0 ]] && grep -qx "class: link" "$0" && ! grep -q "^register:" "$0"' "${f:-/nonexistent}"

if [[ ${_tap_failed} -gt 0 ]]; then
	echo "# collectd log:"; sed 's/^/#   /' "$LOG" | tail -n 60
fi
tap_done
