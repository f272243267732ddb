# SPDX-License-Identifier: GPL-2.0-or-later
# Minimal TAP helpers for the shell suites (sourced).
_tap_n=0
_tap_failed=0

tap_ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
tap_not_ok() {
	_tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $*"
}
# check DESC CMD...: passes when CMD exits 0.
check() { local d=$1; shift; if "$@"; then tap_ok "$d"; else tap_not_ok "$d"; fi; }
# eq DESC GOT WANT
eq() {
	if [[ "$2" == "$3" ]]; then tap_ok "$1"
	else tap_not_ok "$1: got '$2', want '$3'"; fi
}
# le DESC GOT MAX: numeric GOT <= MAX
le() {
	if awk -v g="$2" -v m="$3" 'BEGIN { exit !(g <= m) }'; then tap_ok "$1 ($2 <= $3)"
	else tap_not_ok "$1: $2 > $3"; fi
}
tap_done() { echo "1..$_tap_n"; [[ $_tap_failed -eq 0 ]]; }

# vector NAME: the hex of a doc/PROTOCOL.md §14 response vector.
vector() {
	awk -v n="$1" '$1 == n { $1 = ""; sub(/^ /, ""); print }' \
		"$(dirname "${BASH_SOURCE[0]}")/../vectors/responses.txt"
}
