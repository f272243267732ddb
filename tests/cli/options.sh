#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The options of every subcommand, three ways: what `wattcycle help CMD`
# lists, what wattcycle(1) lists under the command, and what the parser
# takes.  They agree; a long option has the same letter in every command
# (bank's --inventory is -I, as read's and check's); a common option a
# command does not list is refused as unknown, with the command's usage
# exit status (3 for check, 2 for the others).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
W=${BUILD:-build}/wattcycle
MAN=doc/wattcycle.1
COMMANDS="read watch scan check bank decode alarms"
# the options cli/common_opts.c shares, with a value each takes
declare -A COMMON=([json]= [timeout]=5 [adapter]=hci0 [address-type]=auto
	[supervision-timeout]=1000 [verbose]= [inventory]=/nonexistent)

# help_opts CMD: "-x --long ARG" per option line of `wattcycle help CMD`
help_opts() {
	"$W" help "$1" | sed -nE 's/^  -(.), --([a-z-]+)( ([A-Z]+))?( .*)?$/-\1 --\2 \4/p' |
		sed 's/ *$//' | sort
}
# man_opts CMD: the same from the command's section of wattcycle(1)
# (.TP lines ".BR \-x ", " \-\-long" ...); watch takes read's too
man_opts() {
	local sections=$1
	[[ $1 == watch ]] && sections="read watch"
	for s in $sections; do
		awk -v cmd="$s" '
			/^\.S[SH] / { in_cmd = index($0, ".SS \"" cmd " ") == 1 }
			in_cmd && /^\.B[RI] \\-. ", " \\-\\-/ {
				line = $0; gsub(/\\/, "", line)
				match(line, /--[a-z-]+/)
				long = substr(line, RSTART, RLENGTH)
				rest = substr(line, RSTART + RLENGTH)
				gsub(/"|fI|fP| /, "", rest)
				print substr(line, 5, 2), long, toupper(rest)
			}' "$MAN"
	done | sed 's/ *$//' | sort -u
}

declare -A LETTER_OF NAME_OF
clash=
for cmd in $COMMANDS; do
	h=$(help_opts "$cmd")
	check "help $cmd: lists its options" test -n "$h"
	check "help $cmd: lists -h, --help" grep -qx -- '-h --help' <<<"$h"
	# the man page names arguments in lower case (s, name, file): compare
	# letters and long names, and the presence of an argument
	eq "wattcycle(1) lists the options of 'help $cmd'" \
		"$(man_opts "$cmd" | awk '{ print $1, $2, ($3 != "") }')" \
		"$(awk '{ print $1, $2, ($3 != "") }' <<<"$h")"
	while read -r letter long arg; do
		[[ -n ${LETTER_OF[$long]:-} && ${LETTER_OF[$long]} != "$letter" ]] &&
			clash+=" $long:${LETTER_OF[$long]}/$letter"
		[[ -n ${NAME_OF[$letter]:-} && ${NAME_OF[$letter]} != "$long" ]] &&
			clash+=" $letter:${NAME_OF[$letter]}/$long"
		LETTER_OF[$long]=$letter NAME_OF[$letter]=$long
		# each option listed is taken: the two operands make the command
		# stop at a usage error after parsing, never run
		[[ $long == --help || $long == --version ]] && continue
		val=()
		[[ -n $arg ]] && val=(1)
		out=$(timeout 10 "$W" "$cmd" "$long" "${val[@]}" x y 2>&1)
		check "$cmd $long: taken (listed in its help)" \
			bash -c '! grep -q "unknown option" <<<"$1"' _ "$out"
	done <<<"$h"
	# every common option the help does not list is unknown to the parser
	status=2
	[[ $cmd == check ]] && status=3
	for long in "${!COMMON[@]}"; do
		grep -q -- " --$long\b" <<<"$h" && continue
		val=()
		[[ -n ${COMMON[$long]} ]] && val=("${COMMON[$long]}")
		out=$(timeout 10 "$W" "$cmd" "--$long" "${val[@]}" x 2>&1); rc=$?
		check "$cmd --$long: refused as unknown, exit $status (got $rc: $(head -n 1 <<<"$out"))" \
			bash -c '[[ $1 == "$2" ]] && grep -q "unknown option '"'"'--$3'"'"'" <<<"$4"' \
			_ "$rc" "$status" "$long" "$out"
	done
done
check "a long option has one letter in every command, a letter one option${clash:+:$clash}" test -z "$clash"
eq "bank's --inventory is -I, as read's and check's" \
	"$(help_opts bank | grep -- --inventory | cut -d' ' -f1)" "-I"

# The common options' help lines come from one table: the same text in
# every command that takes them (--json and --timeout say what they
# print or bound in each command, so they are left out here).
# help_block CMD LONG: the lines of LONG in `wattcycle help CMD`, joined
help_block() {
	"$W" help "$1" | awk -v o="$2" '
		/^  -/ { on = index($0, "  -") == 1 && (index($0, ", " o " ") || substr($0, 7) == o) }
		/^[^ ]/ || /^$/ { on = 0 }
		on { printf "%s ", $0 }'
}
for long in adapter address-type supervision-timeout verbose inventory help; do
	texts=$(for cmd in $COMMANDS; do help_block "$cmd" "--$long"; echo; done | grep . | sort -u)
	eq "--$long: one help text in every command that takes it" "$(grep -c . <<<"$texts")" 1
done

# --timeout: each command's range and default, in its help and its parser
for spec in "read 0.1 600 8" "watch 0.1 600 8" "check 0.1 600 8" "bank 0.1 600 8" "scan 0.5 300 10"; do
	read -r cmd lo hi def <<<"$spec"
	check "help $cmd: --timeout $lo to $hi s (default $def)" \
		bash -c '"$1" help "$2" | tr -s " \n" " " | grep -qF -- "$3 to $4 s (default $5)"' _ "$W" "$cmd" "$lo" "$hi" "$def"
	out=$("$W" "$cmd" --timeout "$(awk -v h="$hi" 'BEGIN { print h + 1 }')" x 2>&1)
	check "$cmd --timeout above $hi: the range in the sentence" \
		grep -qF -- "--timeout wants seconds between $lo and $hi, not" <<<"$out"
done

# One message for each kind of usage error, whatever the command
for cmd in read scan bank alarms decode; do
	out=$("$W" "$cmd" --no-such-option 2>&1 >/dev/null); rc=$?
	eq "$cmd: unknown option: exit 2 and the sentence" "$rc $(head -n 1 <<<"$out")" \
		"2 wattcycle: $cmd: unknown option '--no-such-option'"
done
out=$("$W" read -jx unix:/x.sock 2>&1 >/dev/null)
eq "an unknown letter in a cluster is named as -x" "$(head -n 1 <<<"$out")" "wattcycle: read: unknown option '-x'"
out=$("$W" read --json=yes unix:/x.sock 2>&1 >/dev/null); rc=$?
eq "a value given to an option that takes none: exit 2, said so" "$rc $(head -n 1 <<<"$out")" \
	"2 wattcycle: read: option '--json' takes no value"
out=$("$W" bank --timeout 2>&1 >/dev/null); rc=$?
eq "bank: a missing value: exit 2, the sentence, nothing from getopt" "$rc $out" \
	"2 wattcycle: bank: option '--timeout' needs a value
Try 'wattcycle help bank'."
tap_done
