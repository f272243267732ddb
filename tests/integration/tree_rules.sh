#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The tree's own rules, checked so they stay true (doc/DESIGN.md):
#   - every pointer in code and docs lands inside the repo (no protocol.md,
#     STYLE, ARCHITECTURE.md, issue numbers or ../shared);
#   - every C, shell and Python source carries its SPDX line;
#   - no project header is named like a system header (a -I in the wrong
#     place would silently swap them);
#   - the link layer runs one way: the transports and everything below
#     link.c never call back into link.c;
#   - only the transports include Bluetooth headers.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

src=$(git ls-files 2>/dev/null | grep -vE '^tests/(fuzz/corpus|vectors)/|^doc/(PROTOCOL|DESIGN)\.md$|^debian/changelog$')
[[ -n $src ]] || { echo "Bail out! not a git checkout"; exit 1; }

# 1. pointers
out=$(grep -nE '(^|[^/A-Za-z_.])protocol\.md|STYLE(\.md)? §|ARCHITECTURE\.md|\b[Ii]ssue [0-9]+\b|\.\./shared' \
	$src 2>/dev/null | grep -v '^tests/integration/tree_rules\.sh:')
check "no pointer out of the repo${out:+: $(head -n 1 <<<"$out")}" test -z "$out"
for f in doc/PROTOCOL.md doc/DESIGN.md LICENSE; do
	check "$f exists" test -s "$f"
done

# 2. SPDX lines
missing=
for f in $(grep -E '\.(c|h|sh|py)$' <<<"$src"); do
	head -n 3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later' || missing+=" $f"
done
check "every C, shell and Python source has an SPDX line${missing:+:$missing}" test -z "$missing"

# 3. header names
clash=
for h in $(grep -E '^(plugin|cli|sim)/[^/]+\.h$' <<<"$src"); do
	b=$(basename "$h")
	for d in /usr/include /usr/include/bluetooth /usr/include/linux /usr/include/sys \
		/usr/include/x86_64-linux-gnu/sys /usr/include/collectd/core/daemon; do
		[[ -e $d/$b ]] && clash+=" $h~$d/$b"
	done
done
check "no project header shares a name with a system header${clash:+:$clash}" test -z "$clash"

# 4. one-way link layer
below="plugin/ble.c plugin/ble_mgmt.c plugin/link_unix.c plugin/hci_raw.c plugin/mgmt.c
	plugin/adv.c plugin/link_addr.c plugin/msgbuf.c plugin/linkcause.c plugin/connparam.c"
up=$(grep -nE '\bwc_link_(open|fd|rssi|drop_cause|kind|close)\(' $below)
check "nothing below link.c calls back into it${up:+: $(head -n 1 <<<"$up")}" test -z "$up"
up=$(grep -lE '#include "(wc_link|session|att)\.h"' plugin/link_addr.c plugin/msgbuf.c plugin/mgmt.c plugin/hci_raw.c plugin/adv.c)
check "addresses, messages, mgmt, raw HCI and advertising sit below the link${up:+: $up}" test -z "$up"

# 5. Bluetooth headers
bt=$(grep -l '<bluetooth/' plugin/*.[ch] cli/*.[ch] | grep -vE '^plugin/(ble|hci_raw|mgmt)\.c$')
check "only ble.c, hci_raw.c and mgmt.c include Bluetooth headers${bt:+: $bt}" test -z "$bt"

tap_done
