#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install DESTDIR=... PREFIX=/usr`: the plugin copied (not linked)
# into collectd's plugin dir, programs, man pages, examples, dashboards,
# with the right modes; PLUGINDIR moves the plugin; nothing outside DESTDIR.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/collectd.sh
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
R=$TMP/root

out=$(make --no-print-directory install BUILD="$BUILD" DESTDIR="$R" PREFIX=/usr 2>&1)
eq "make install DESTDIR=... PREFIX=/usr exits 0" "$?" 0
echo "$out" | sed 's/^/# /'

# is FILE MODE: a regular file (not a symlink) with exactly that mode.
is() {
	if [[ -L $1 ]]; then tap_not_ok "${1#"$R"} is a symlink"; return; fi
	if [[ ! -f $1 ]]; then tap_not_ok "${1#"$R"} is missing"; return; fi
	eq "${1#"$R"}: regular file, mode $2" "$(stat -c %a "$1")" "${2#0}"
}
is "$R/usr/lib/collectd/wattcycle.so" 0644
check "the installed plugin is a copy of the built one" cmp -s "$BUILD/wattcycle.so" "$R/usr/lib/collectd/wattcycle.so"
is "$R/usr/bin/wattcycle" 0755
is "$R/usr/bin/wattcycle-sim" 0755
check "the installed CLI runs" bash -c "'$R/usr/bin/wattcycle' alarms --json | jq -e 'length > 30' >/dev/null"
is "$R/usr/share/man/man5/collectd-wattcycle.5" 0644
for f in doc/*.1; do [[ -f $f ]] && is "$R/usr/share/man/man1/$(basename "$f")" 0644; done
check "the man page renders" bash -c "man -l '$R/usr/share/man/man5/collectd-wattcycle.5' 2>/dev/null | grep -q OfflineAfter"
S=$R/usr/share/collectd-wattcycle
is "$S/wattcycle.conf" 0644
is "$S/sim/demo.cfg" 0644
is "$S/sim/three.cfg" 0644
is "$S/sim/README" 0644
check "share/collectd-wattcycle/grafana exists" test -d "$S/grafana"
n_src=$(find grafana -type f ! -name '.*' ! -path '*/__pycache__/*' 2>/dev/null | wc -l)
eq "every dashboard file installed" "$(find "$S/grafana" -type f | wc -l)" "$n_src"
check "no runtime dir (sim/run) installed" test ! -e "$S/sim/run"
bad=$(find "$R" -type l -o -type f ! -perm 0644 ! -perm 0755 | sed "s|^$R||" | tr '\n' ' ')
eq "no symlink, every file 0644 or 0755" "$bad" ""
bad=$(find "$R" -type d ! -perm 0755 | sed "s|^$R||" | tr '\n' ' ')
eq "every directory 0755" "$bad" ""
bad=$(cd "$R" && find . -type f | grep -vE '^\./usr/(lib/collectd|bin|share/man|share/collectd-wattcycle)/' | tr '\n' ' ')
eq "nothing outside the documented places" "$bad" ""

# PLUGINDIR override, default PREFIX (/usr/local).
make --no-print-directory install BUILD="$BUILD" DESTDIR="$TMP/r2" PLUGINDIR=/opt/collectd/lib/collectd >/dev/null 2>&1
eq "PLUGINDIR=... exits 0" "$?" 0
is "$TMP/r2/opt/collectd/lib/collectd/wattcycle.so" 0644
is "$TMP/r2/usr/local/bin/wattcycle" 0755
is "$TMP/r2/usr/local/share/man/man5/collectd-wattcycle.5" 0644

# The installed plugin loads from the installed plugin dir in the daemon.
collectd_conf host=ci base="$TMP" plugindir="$R/usr/lib/collectd" \
	wattcycle="$(collectd_battery house1 "unix:$TMP/none.sock")" >"$TMP/c.conf"
out=$(timeout 20 /usr/sbin/collectd -T -C "$TMP/c.conf" 2>&1)
eq "collectd -T loads the installed plugin" "$?" 0
check "and it registers the battery" grep -q "wattcycle plugin: 1 battery configured" <<<"$out"

tap_done
