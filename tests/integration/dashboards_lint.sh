#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Static checks of grafana/dashboards/*.json and conf/graphite/: valid JSON,
# unique uids and panel ids, ${datasource} everywhere, no undefined
# variables, Grafana unit ids, every target's series pattern matches an
# identifier the real plugin dispatches (scripts/identifiers.sh), every
# alarm code a labelled timeline row, the committed JSON equal to
# grafana/generate.py's output, carbon snippets parsed by carbon itself.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
BUILD=${BUILD:-build}
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

. tests/graphite/pytap.sh

# The identifiers of both protocol families: a WATT and a JBD battery.
if ! scripts/identifiers.sh >"$TMP/ids.watt" 2>"$TMP/ids.err" ||
   ! scripts/identifiers.sh --cells 16 --family jbd >"$TMP/ids.jbd" 2>>"$TMP/ids.err"; then
	tap_not_ok "scripts/identifiers.sh lists the plugin's identifiers"
	sed 's/^/#   /' "$TMP/ids.err"
	tap_done; exit
fi
if ! scripts/identifiers.sh --bank >"$TMP/bank-ids" 2>"$TMP/bank-ids.err"; then
	tap_not_ok "scripts/identifiers.sh --bank lists the plugin's bank identifiers"
	sed 's/^/#   /' "$TMP/bank-ids.err"
	tap_done; exit
fi
sort -u "$TMP/ids.watt" "$TMP/ids.jbd" >"$TMP/ids"
"$BUILD/wattcycle" alarms --json >"$TMP/alarms.json"
check "grafana/generate.py runs" \
	"$PY" grafana/generate.py --alarms-json "$TMP/alarms.json" --out "$TMP/gen"

py_tap "$PY" tests/graphite/lint.py --identifiers "$TMP/ids" \
	--bank-identifiers "$TMP/bank-ids" \
	--alarms "$TMP/alarms.json" --generated "$TMP/gen" grafana/dashboards/*.json

# The checks catch what they claim to: each broken copy of the battery
# dashboard fails the named check (and only because of that change).
mutant() { # DESC JQ_FILTER PATTERN_OF_THE_FAILED_CHECK
	local out
	jq "$2" grafana/dashboards/wattcycle-battery.json >"$TMP/mut/wattcycle-battery.json"
	out=$("$PY" tests/graphite/lint.py --identifiers "$TMP/ids" \
		--alarms "$TMP/alarms.json" --generated "$TMP/gen" \
		"$TMP/mut/wattcycle-battery.json" 2>&1 | grep '^FAIL')
	check "lint catches $1" grep -q -- "$3" <<<"$out"
}
mkdir -p "$TMP/mut"
jq . grafana/dashboards/wattcycle-battery.json >"$TMP/mut/wattcycle-battery.json"
check "lint passes an unmodified copy (jq round trip; the harness below is sound)" \
	bash -c "! '$PY' tests/graphite/lint.py --identifiers '$TMP/ids' --alarms '$TMP/alarms.json' \
		--generated '$TMP/gen' '$TMP/mut/wattcycle-battery.json' 2>/dev/null | grep -q '^FAIL'"
PV='(.panels[] | select(.title == "Pack voltage" and .type == "stat"))'
mutant "a series typo" "$PV"'.targets[0].target |= sub("voltage.pack"; "voltage.pak")' \
	'voltage.pak matches no identifier'
mutant "an undefined variable" "$PV"'.targets[0].target |= sub("[$]host"; "$hots")' \
	'every [$]variable used is defined'
mutant "a unit that is not a Grafana id" "$PV"'.fieldConfig.defaults.unit = "volts"' \
	"unknown: \['volts'\]"
mutant "a duplicate panel id" '.panels[2].id = .panels[1].id' 'unique panel ids'
mutant "a panel on a fixed data source" "$PV"'.datasource = {"type": "graphite", "uid": "abc"}' \
	'uses [$]{datasource}'
mutant "an alarm label typed by hand" \
	'(.panels[] | select(.title == "Protections") | .targets[0].target) |= sub("OVP\\(V\\)"; "OVP")' \
	"wrong \['cell_ovp'\]"
mutant "a hand edit (drift from the generator)" '.refresh = "1m"' 'equals grafana/generate.py'

# The provisioning files name the datasource the dashboards' variable finds
# and the directory the dashboards are installed to.
# prov FILE KEY TYPE: FILE is YAML with apiVersion 1 and a KEY entry of TYPE
# (parsed with python3-yaml when installed, else by its lines).
prov() {
	if "$PY" -c 'import yaml' 2>/dev/null; then
		"$PY" -c 'import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
sys.exit(not (d["apiVersion"] == 1 and [x for x in d[sys.argv[2]] if x["type"] == sys.argv[3]]))' "$@"
	else
		grep -q '^apiVersion: 1$' "$1" && grep -q "^$2:\$" "$1" &&
			grep -Eq "^ +type: $3\$" "$1"
	fi
}
check "provisioning: a Graphite data source" \
	prov grafana/provisioning/datasources/graphite.yaml datasources graphite
check "provisioning: a file provider for the dashboards" \
	prov grafana/provisioning/dashboards/wattcycle.yaml providers file

tap_done
