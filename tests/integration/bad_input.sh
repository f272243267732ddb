#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input, answered: every row of tests/badinput/table.tsv is one bad
# input to the plugin's configuration (`collectd -T`), the CLI's arguments,
# frames (`wattcycle decode`), or the simulator's arguments and scenario
# files.  For each row the test asserts the exit status, that exactly one
# relevant line comes out and that it matches the row's regex (which names
# the option, file:line or byte at fault), no signal exit, no sanitizer
# report and no hang (every run is under `timeout`).
#
# The table is also the documentation: doc/bad-input.md is generated from
# it (`bash tests/integration/bad_input.sh --doc > doc/bad-input.md`) and
# this test fails when the two disagree.  `--show` prints what every row
# gives, to write a new row.
#
# Table columns (tab-separated; '#' lines and blank lines are skipped):
#   kind    conf  body of a <Plugin wattcycle> block, run through collectd -T
#           cli   arguments of `wattcycle` (shell words)
#           frame arguments of `wattcycle decode` (shell words)
#           sim   arguments of `wattcycle-sim` (shell words)
#           scen  a scenario file, loaded by `wattcycle-sim --scenario`
#   status  the expected exit status
#   input   \n is a line break (conf, scen); @TMP@ is the test's temp dir
#   regex   extended regex the one relevant line must match
#   what    what is wrong, for the documentation
# A new kind is one more branch in run_row (and a heading in gen_doc).
# Relevant lines: for conf, the daemon's log lines "wattcycle plugin: X: ..."
# (the line the daemon's own cf_util_get_* adds for a value of the wrong
# type, "wattcycle plugin: The `Key' option requires ...", is collectd's,
# not ours, and not counted); for the others every stderr line except the
# "Try '... help'" hint.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/collectd.sh
BUILD=${BUILD:-build}
TABLE=tests/badinput/table.tsv
DOC=doc/bad-input.md
COLLECTD=${COLLECTD:-/usr/sbin/collectd}

# ---- the documentation, generated from the table ---------------------------
gen_doc() {
	cat <<'HDR'
# Bad input and its answers

Generated from `tests/badinput/table.tsv` by
`bash tests/integration/bad_input.sh --doc`; the test
`tests/integration/bad_input.sh` runs every row and checks that this file
matches the table.

Every bad input gets exactly one line naming what is at fault (the option,
the file and line, or the byte) and an exit status:

- the plugin's configuration (`<Plugin wattcycle>` in collectd.conf): the
  line goes to collectd's log and `collectd -T` (or the daemon's start)
  exits 1; collectd adds its own line for a value of the wrong type;
- `wattcycle`: 2 for a usage error (including text that is not hex), 1 for
  a frame that is bad or incomplete (see `wattcycle help decode`);
- `wattcycle-sim`: 2 for a usage error (arguments), 1 for a scenario file
  that cannot be loaded and other failures at run time (see
  wattcycle-sim(1), EXIT STATUS).

Inputs are shown as given; in configuration blocks and scenario files `\n`
stands for a line break, and `@TMP@` for a scratch directory.
HDR
	local kind status input regex what last=''
	while IFS=$'\t' read -r kind status input regex what; do
		[[ -z $kind || $kind == \#* ]] && continue
		if [[ $kind != "$last" ]]; then
			case $kind in
			conf) printf '\n## collectd configuration (`collectd -T`)\n' ;;
			cli) printf '\n## `wattcycle` arguments\n' ;;
			frame) printf '\n## Frames (`wattcycle decode`)\n' ;;
			sim) printf '\n## `wattcycle-sim` arguments\n' ;;
			scen) printf '\n## `wattcycle-sim` scenario files (`--scenario FILE`)\n' ;;
			inv) printf '\n## Inventory files (`wattcycle bank --inventory FILE`; the plugin'"'"'s `Inventory` gives the same line)\n' ;;
			*) printf '\n## %s\n' "$kind" ;;
			esac
			printf '\n| input | what is wrong | exit | the line matches |\n|---|---|---|---|\n'
			last=$kind
		fi
		printf '| `%s` | %s | %s | `%s` |\n' "${input//|/\\|}" "${what//</\\<}" \
			"$status" "${regex//|/\\|}"
	done <"$TABLE"
}
if [[ ${1:-} == --doc ]]; then
	gen_doc
	exit 0
fi

BUILD_ABS=$(cd "$BUILD" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/base"
# the inventory a conf row names (a battery's name twice)
printf 'batteries = ( { name = "a"; address = "unix:/x.sock"; },\n  { name = "a"; address = "unix:/y.sock"; } );\n' >"$TMP/dup-inv.conf"

# run_row KIND INPUT: runs it; sets OUT (all output), RC and REL (the
# relevant lines).
run_row() {
	local kind=$1 input=${2//@TMP@/$TMP} words=()
	case $kind in
	conf | scen | inv) input=${input//\\n/$'\n'} ;;
	*) eval "words=($input)" ;;
	esac
	case $kind in
	conf)
		collectd_conf host=ci interval=10 base="$TMP/base" log=stderr wattcycle="$input" >"$TMP/bad.conf"
		OUT=$(timeout 20 "$COLLECTD" -T -C "$TMP/bad.conf" 2>&1); RC=$?
		REL=$(grep -E 'wattcycle plugin: [^ :]*(:[0-9]+)?: ' <<<"$OUT" | grep -vE 'batter(y|ies) configured')
		;;
	cli | frame)
		[[ $kind == frame ]] && words=(decode "${words[@]}")
		OUT=$(timeout 10 "$BUILD_ABS/wattcycle" "${words[@]}" 2>&1 >/dev/null); RC=$?
		REL=$(grep -vE "^Try '" <<<"$OUT")
		;;
	sim)
		OUT=$(cd "$TMP" && timeout 10 "$BUILD_ABS/wattcycle-sim" "${words[@]}" 2>&1 >/dev/null); RC=$?
		REL=$(grep -vE "^Try '" <<<"$OUT")
		;;
	inv)
		printf '%s\n' "$input" >"$TMP/inv.conf"
		OUT=$(cd "$TMP" && timeout 10 "$BUILD_ABS/wattcycle" bank --inventory inv.conf h 2>&1 >/dev/null); RC=$?
		REL=$(grep -vE "^Try '" <<<"$OUT")
		;;
	scen)
		printf '%s\n' "$input" >"$TMP/scen.cfg"
		OUT=$(cd "$TMP" && timeout 10 "$BUILD_ABS/wattcycle-sim" --scenario scen.cfg 2>&1 >/dev/null); RC=$?
		REL=$(grep -vE "^Try '" <<<"$OUT")
		;;
	*)
		OUT="unknown kind '$kind'"; RC=255; REL=
		;;
	esac
}

if [[ ${1:-} == --show ]]; then
	while IFS=$'\t' read -r kind status input regex what; do
		[[ -z $kind || $kind == \#* ]] && continue
		run_row "$kind" "$input"
		printf '%s %s | rc %s want %s\n%s\n---\n' "$kind" "$input" "$RC" "$status" "$OUT"
	done <"$TABLE"
	exit 0
fi

rows=0 kinds=' '
while IFS=$'\t' read -r kind status input regex what; do
	[[ -z $kind || $kind == \#* ]] && continue
	rows=$((rows + 1))
	[[ $kinds == *" $kind "* ]] || kinds+="$kind "
	run_row "$kind" "$input"
	n=0
	[[ -n $REL ]] && n=$(wc -l <<<"$REL")
	why=''
	((RC == 124)) && why+=" hung (timeout)"
	((RC > 128 && RC != 255)) && why+=" killed by signal $((RC - 128))"
	grep -qE 'Sanitizer|runtime error:' <<<"$OUT" && why+=" sanitizer report"
	[[ $RC == "$status" ]] || why+=" exit $RC, want $status"
	((n == 1)) || why+=" $n relevant lines, want 1"
	grep -qE -- "$regex" <<<"$REL" || why+=" the line does not match /$regex/"
	if [[ -z $why ]]; then
		tap_ok "$kind: $what"
	else
		tap_not_ok "$kind: $what:$why"
		printf '%s\n' "$OUT" | sed 's/^/#   /'
	fi
done <"$TABLE"

le "at least 40 bad inputs in the table" 40 "$rows"
eq "every kind of input is covered" "$(tr ' ' '\n' <<<"$kinds" | grep . | sort | tr '\n' ' ')" "cli conf frame inv scen sim "
check "$DOC matches the table (regenerate: bash $0 --doc > $DOC)" \
	diff -u "$DOC" <(gen_doc)
tap_done
