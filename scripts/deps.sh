#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages the project needs (build, test, demo).
#   deps.sh ensure   install only if something is missing (used by make test)
#   deps.sh install  same, but always report what it did
# As root it runs apt-get; otherwise it prints the exact sudo line and fails.
set -euo pipefail

PACKAGES=(
	# build
	gcc make dpkg-dev pkg-config clang libclang-rt-14-dev
	libcmocka-dev libconfig-dev libbluetooth-dev
	collectd-core collectd-dev collectd-utils
	# test and demo
	valgrind jq rrdtool librrd8 python3 file
	# Graphite end-to-end tests and Nagios object validation
	graphite-carbon graphite-web nagios4-core python3-yaml
	# Debian package (make deb) and its test
	debhelper lintian fakeroot binutils man-db
	# the Bluetooth VM (scripts/blevm): QEMU, its initramfs, btvirt, bluetoothd
	qemu-system-x86 busybox-static cpio kmod bluez-test-tools bluez dbus
	# the VM suite reads the HCI traffic of a link (hcidump -R)
	bluez-hcidump
)

# The VM's kernel: Debian's package, fetched into blevm's cache (outside
# the tree) and unpacked there, never installed.
fetch_kernel() {
	"$(dirname "$0")/blevm" --fetch >&2
}

missing=()
for p in "${PACKAGES[@]}"; do
	[[ $p == \#* ]] && continue
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	[[ ${1:-ensure} == install ]] && echo "deps: all ${#PACKAGES[@]} packages are installed"
	fetch_kernel
	exit
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fetch_kernel
