#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install`: copy the built plugin, programs, man pages, example
# configuration and dashboards into place.
#
#   PREFIX     programs, man pages and shared files (default /usr/local)
#   DESTDIR    staging root prepended to every path (default: none)
#   PLUGINDIR  collectd's plugin directory on the target system (default
#              /usr/lib/collectd, Debian's compiled-in PluginDir; it does not
#              follow PREFIX, because collectd only looks there)
#   BUILD      the build directory (default build)
#
# What goes where ($DESTDIR prepended to each):
#   $PLUGINDIR/wattcycle.so                   0644, a copy (collectd refuses symlinks)
#   $PREFIX/bin/wattcycle, wattcycle-sim      0755
#   $PREFIX/share/man/man5/*.5, man1/*.1      0644 (from doc/)
#   $PREFIX/share/collectd-wattcycle/         conf/ examples (wattcycle.conf,
#                                             sim/ scenarios, ...) and grafana/
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
PLUGINDIR=${PLUGINDIR:-/usr/lib/collectd}

die() { echo "install: $*" >&2; exit 1; }
[[ $PREFIX == /* ]] || die "PREFIX must be an absolute path (got '$PREFIX')"
[[ $PLUGINDIR == /* ]] || die "PLUGINDIR must be an absolute path (got '$PLUGINDIR')"
for f in wattcycle.so wattcycle wattcycle-sim; do
	[[ -f $BUILD/$f ]] || die "$BUILD/$f is missing: run 'make' first"
done

SHARE=$PREFIX/share/collectd-wattcycle
n=0
# put MODE SRC DEST: copy one regular file (install(1) copies, never links).
put() {
	install -D -m "$1" "$2" "$DESTDIR$3"
	n=$((n + 1))
}
# put_tree SRC_DIR DEST_DIR: every regular file below, keeping the layout;
# executables stay executable.  Runtime directories (run/) and dot files
# are not part of the examples.
put_tree() {
	local src=$1 dest=$2 f rel mode
	[[ -d $src ]] || return 0
	while IFS= read -r -d '' f; do
		rel=${f#"$src"/}
		mode=0644; [[ -x $f ]] && mode=0755
		put "$mode" "$f" "$dest/$rel"
	done < <(find "$src" -type f ! -path '*/run/*' ! -name '.*' ! -path '*/__pycache__/*' -print0 | sort -z)
}

put 0644 "$BUILD/wattcycle.so" "$PLUGINDIR/wattcycle.so"
put 0755 "$BUILD/wattcycle" "$PREFIX/bin/wattcycle"
put 0755 "$BUILD/wattcycle-sim" "$PREFIX/bin/wattcycle-sim"
for sec in 1 5; do
	for f in doc/*."$sec"; do
		[[ -f $f ]] && put 0644 "$f" "$PREFIX/share/man/man$sec/$(basename "$f")"
	done
done
put_tree conf "$SHARE"
put_tree grafana "$SHARE/grafana"
# collectd creates nothing for the dashboards; keep the directory even
# when no dashboard exists yet.
install -d -m 0755 "$DESTDIR$SHARE/grafana"

echo "install: $n files under ${DESTDIR:-/}"
echo "install: plugin $DESTDIR$PLUGINDIR/wattcycle.so; programs in $DESTDIR$PREFIX/bin;"
echo "install: examples and dashboards in $DESTDIR$SHARE; see collectd-wattcycle(5)"
