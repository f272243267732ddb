#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make deb`: build collectd-wattcycle_<version>_<arch>.deb with debhelper
# (debian/) from a copy of the tree in $BUILD/deb-src, so the source tree
# stays clean, then check it with lintian.
#
#   BUILD   the build directory (default build); the .deb lands in it
#
# The copy holds the files git knows (tracked, or new and not ignored) as
# they are in the work tree, or the whole tree minus build/ and .git/ when
# git is not available.  lintian must report no error and no warning;
# debian/collectd-wattcycle.lintian-overrides says why for each override.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

die() { echo "deb: $*" >&2; exit 1; }
command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage is missing (make deps)"
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
wc_version=$(sed -n 's/^#define WC_VERSION "\(.*\)"$/\1/p' plugin/wc_version.h)
[[ $version == "$wc_version" ]] ||
	die "debian/changelog says $version but plugin/wc_version.h says $wc_version"
arch=$(dpkg --print-architecture)
deb=collectd-wattcycle_${version}_${arch}.deb

src=$BUILD/deb-src/collectd-wattcycle-$version
rm -rf "$BUILD/deb-src"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude="./$BUILD" --exclude=./.git --exclude=./demo -cf - . | tar -xf - -C "$src"
fi

echo "deb: building $deb in $src" >&2
# The package's own build directory is the copy's build/: neither our
# BUILD nor a parent make's variables may reach debian/rules (its clean step
# removes BUILD).
(cd "$src" && env -u BUILD -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$BUILD/deb-src/build.log" 2>&1 ||
	{ tail -n 30 "$BUILD/deb-src/build.log" >&2; die "dpkg-buildpackage failed (log: $BUILD/deb-src/build.log)"; }
[[ -f $BUILD/deb-src/$deb ]] || die "dpkg-buildpackage made no $deb"
cp "$BUILD/deb-src/$deb" "$BUILD/$deb"

echo "deb: lintian $BUILD/$deb" >&2
lintian --fail-on error,warning --display-info "$BUILD/$deb" >&2 ||
	die "lintian found errors or warnings"
echo "$BUILD/$deb"
