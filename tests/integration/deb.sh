#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make deb` (scripts/deb.sh): the Debian package builds with debhelper from a
# copy of the tree, lintian reports no error or warning, it depends on
# collectd-core and on the package of every library its programs and plugin
# link, it holds exactly the files `make install PREFIX=/usr` installs (man
# pages compressed, plus the copyright and changelog), and the real collectd
# runs its unpacked plugin against its unpacked wattcycle-sim.  The source
# tree is left as it was.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/collectd.sh
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
SIM_PID=
stop() { # PID: SIGTERM, wait (<= 10 s), SIGKILL
	[[ -n $1 ]] || return 0
	kill -TERM "$1" 2>/dev/null
	local deadline=$((SECONDS + 10))
	while kill -0 "$1" 2>/dev/null && ((SECONDS <= deadline)); do sleep 0.05; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() { collectd_stop_all; stop "$SIM_PID"; rm -rf "$TMP"; }
trap cleanup EXIT

for tool in dpkg-buildpackage dh lintian; do
	if ! command -v "$tool" >/dev/null; then
		tap_not_ok "$tool is installed (make deps)"; tap_done; exit
	fi
done

status_before=$(git status --porcelain 2>/dev/null)
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg --print-architecture)
deb=collectd-wattcycle_${version}_${arch}.deb
out=$(BUILD="$TMP/build" scripts/deb.sh 2>&1)
rc=$?
eq "scripts/deb.sh (make deb) exits 0, lintian included" "$rc" 0
[[ $rc -eq 0 ]] || sed 's/^/#   /' <<<"$out" | tail -n 30
if [[ ! -f $TMP/build/$deb ]]; then
	tap_not_ok "it made $deb"; tap_done; exit
fi
tap_ok "it made $deb"
eq "the source tree is unchanged (git status)" "$(git status --porcelain 2>/dev/null)" "$status_before"

tags=$(lintian --display-info "$TMP/build/$deb" 2>/dev/null | grep -E '^[EW]: ')
eq "lintian: no error, no warning" "$tags" ""
check "every lintian override carries a reason" bash -c '
	f=debian/collectd-wattcycle.lintian-overrides
	[[ ! -f $f ]] && exit 0
	awk "/^#/ { c = 1; next } /^[^#[:space:]]/ { if (!c) exit 1; c = 0 }" "$f"'

# --- control fields --------------------------------------------------------------
depends=$(dpkg-deb -f "$TMP/build/$deb" Depends)
check "Depends names collectd-core ($depends)" grep -qE '(^|, )collectd-core( |,|$)' <<<"$depends"
R=$TMP/root
dpkg-deb -x "$TMP/build/$deb" "$R"
missing=
while IFS= read -r elf; do
	for lib in $(objdump -p "$elf" | awk '$1 == "NEEDED" { print $2 }'); do
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
		# the owning package, whichever side of the /usr merge dpkg knows
		pkg=$(for p in "$path" "$(readlink -f "$path")" "/usr${path#/usr}" "${path#/usr}"; do
			dpkg -S "$p" 2>/dev/null; done | head -n 1 | cut -d: -f1)
		[[ -n $pkg ]] && grep -qE "(^|, )$pkg( |,|$)" <<<"$depends" || missing+="${elf#"$R"}:$lib($pkg) "
	done
done < <(find "$R" -type f \( -name '*.so' -o -path '*/bin/*' \))
eq "every library the plugin and programs link is in Depends" "$missing" ""

# --- the same files as make install ---------------------------------------------
make --no-print-directory install BUILD="$BUILD" DESTDIR="$TMP/inst" PREFIX=/usr >/dev/null 2>&1
eq "make install DESTDIR=... PREFIX=/usr exits 0" "$?" 0
list() { (cd "$1" && find . ! -type d | sed 's|^\./|/|' | sort); }
want=$(list "$TMP/inst" | sed -E 's|^(/usr/share/man/.*)$|\1.gz|'
	printf '%s\n' /usr/share/doc/collectd-wattcycle/changelog.gz /usr/share/doc/collectd-wattcycle/copyright)
got=$(list "$R")
diffs=$(diff <(sort <<<"$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')
eq "the package holds exactly make install's files ($(wc -l <<<"$got"))" "$diffs" ""
check "the packaged plugin is a regular file in collectd's plugin dir" test -f "$R/usr/lib/collectd/wattcycle.so" -a ! -L "$R/usr/lib/collectd/wattcycle.so"
eq "the packaged plugin exports only module_register" \
	"$(nm -D --defined-only "$R/usr/lib/collectd/wattcycle.so" | awk '$2 == "T" { print $3 }')" module_register
for f in conf/*.conf; do
	check "example $(basename "$f") is packaged unchanged" cmp -s "$f" "$R/usr/share/collectd-wattcycle/$(basename "$f")"
done
for d in nagios graphite fleet; do
	n=$(find "conf/$d" -type f | wc -l)
	eq "every conf/$d snippet is packaged" "$(find "$R/usr/share/collectd-wattcycle/$d" -type f | wc -l)" "$n"
done
eq "both dashboards are packaged" "$(ls "$R/usr/share/collectd-wattcycle/grafana/dashboards/"*.json | wc -l)" \
	"$(ls grafana/dashboards/*.json | wc -l)"
check "the man pages are there and render" bash -c "man -l '$R/usr/share/man/man5/collectd-wattcycle.5.gz' 2>/dev/null | grep -q OfflineAfter"

# --- the real collectd runs the packaged plugin against the packaged simulator -------
"$R/usr/bin/wattcycle-sim" --socket "$TMP/b1.sock" --cells 8 --current -6.5 --log "$TMP/served.log" \
	>"$TMP/sim.out" 2>&1 &
SIM_PID=$!
deadline=$((SECONDS + 5))
until grep -q 'wattcycle-sim: ready' "$TMP/sim.out" 2>/dev/null || ((SECONDS > deadline)); do sleep 0.02; done
check "the packaged wattcycle-sim serves a battery" grep -q 'wattcycle-sim: ready' "$TMP/sim.out"
check "the packaged wattcycle reads it" bash -c "'$R/usr/bin/wattcycle' read 'unix:$TMP/b1.sock' --json | jq -e '.cells_v | length == 8' >/dev/null"
mkdir -p "$TMP/csv"
collectd_conf host=debtest interval=1 base="$TMP" log="$TMP/collectd.log" csv="$TMP/csv" \
	plugindir="$R/usr/lib/collectd" wattcycle="$(collectd_battery pkg1 "unix:$TMP/b1.sock")" >"$TMP/c.conf"
collectd_start pkg "$TMP/c.conf" "$TMP/collectd.out"
csv() { ls "$TMP"/csv/debtest/wattcycle-pkg1/voltage-pack-* 2>/dev/null | head -n 1; }
deadline=$((SECONDS + 20))
until [[ -n $(csv) ]] && (($(grep -vc ^epoch "$(csv)") >= 3)); do
	((SECONDS > deadline)) && break
	sleep 0.2
done
alive=0; kill -0 "${CD_PID[pkg]}" 2>/dev/null && alive=1
collectd_stop pkg
eq "collectd ran with the packaged plugin" "$alive" 1
check "it loaded the plugin from the unpacked package" grep -q 'wattcycle plugin: 1 battery configured' "$TMP/collectd.log"
n=$( [[ -n $(csv) ]] && grep -vc ^epoch "$(csv)" || echo 0)
check "voltage-pack written 3 times or more ($n)" test "$n" -ge 3
last=$( [[ -n $(csv) ]] && tail -n 1 "$(csv)" | cut -d, -f2)
check "the value is one the simulator served ($last V)" bash -c "
	jq -r 'select(.dp == \"0x8c\") | .voltage_v' '$TMP/served.log' |
		awk -v v='$last' '{ d = \$1 - v; if (d < 0) d = -d; if (d < 0.0005) f = 1 } END { exit !f }'"
check "collectd logged no error" bash -c "! grep -Ei 'error|failed' '$TMP/collectd.log'"
tap_done
