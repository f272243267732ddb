# SPDX-License-Identifier: GPL-2.0-or-later
# py_tap CMD...: run CMD, turn its "PASS|FAIL|SKIP<tab>text" lines into TAP
# (tests/lib/tap.sh) and "#<tab>text" into comments.  A command that exits
# non-zero without having failed a check is one failure of its own, with its
# stderr shown as comments.  Needs $TMP.
py_tap() {
	local st desc fails=0 rc
	while IFS=$'\t' read -r st desc; do
		case $st in
		PASS) tap_ok "$desc" ;;
		FAIL) tap_not_ok "$desc"; fails=$((fails + 1)) ;;
		SKIP) tap_ok "# SKIP $desc" ;;
		__EXIT__) rc=$desc ;;
		*) echo "# $desc" ;;
		esac
	done < <("$@" 2>"$TMP/py_tap.err"; printf '__EXIT__\t%s\n' "$?")
	if [[ ${rc:-1} -ne 0 && $fails -eq 0 ]]; then
		tap_not_ok "$(basename "$2") exited ${rc:-?}"
		grep -v -i 'warn' "$TMP/py_tap.err" | tail -n 20 | sed 's/^/#   /'
	fi
}
