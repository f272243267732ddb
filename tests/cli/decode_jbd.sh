#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wattcycle decode with JBD frames (DD … 77) and whole captured sessions:
# the published DISCOVER frames decode to their documented values, requests
# and writes are named for what they are, and every bad frame exits 1 with
# the first thing that is wrong.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
W=${BUILD:-build}/wattcycle

# jbd_fix HEX: append the JBD checksum (0x10000 - sum of bytes 2..) and 77.
jbd_fix() { /usr/bin/python3 -c '
import sys
b = bytes.fromhex(sys.argv[1])
c = (0x10000 - sum(b[2:])) & 0xFFFF
print((b + bytes([c >> 8, c & 0xFF, 0x77])).hex())' "$1"; }

# Published (DISCOVER 12V 314Ah): requests, 0x07, 0x06, restart write.
eq "0x07 log index" "$($W decode 'DD 07 00 04 00 E2 01 2C FE ED 77' | jq -c '[.family,.kind,.cmd,.log_index,.log_size]')" \
	'["jbd","reply","0x07",226,300]'
eq "0x06 clock" "$($W decode 'DD 06 00 06 15 01 00 04 02 01 FF DD 77' | jq -c '[.family,.cmd,.uptime_s,.days,.yy]')" \
	'["jbd","0x06",75,34,1]'
eq "restart write named" "$($W decode 'DD 5A 0E 02 81 18 FF 57 77' | jq -c '[.kind,.cmd,.name,.data]')" \
	'["write_request","0x0e","restart","81 18"]'
for r in "DD A5 03 00 FF FD 77:0x03" "DD A5 04 00 FF FC 77:0x04" "DD A5 06 00 FF FA 77:0x06" \
	 "DD A5 07 00 FF F9 77:0x07" "DD A5 08 00 FF F8 77:0x08"; do
	eq "read request ${r##*:}" "$($W decode "${r%%:*}" | jq -c '[.family,.kind,.cmd]')" "[\"jbd\",\"read_request\",\"${r##*:}\"]"
done

# A standard 15S basic info without WattCycle's tail (checksum FB FF).
std='DD 03 00 1B 17 00 00 00 02 D0 03 E8 00 00 20 78 00 00 00 00 00 00 10 48 03 0F 02 0B 76 0B 82 FB FF 77'
eq "standard 0x03" "$($W decode "$std" | jq -c '[.family,.voltage_v,.current_a,.remaining_ah,.design_ah,.soc_pct,.temps_c.probes,.charge_mos,.discharge_mos]')" \
	'["jbd",58.88,0,7.2,10,72,[20.3,21.5],true,true]'
eq "standard 0x03 has no tail" "$($W decode "$std" | jq -c '.jbd | has("humidity_pct")')" "false"

# DISCOVER-shaped 0x03 (47 bytes: tail, 100 mA flag, protections), split
# into 20-byte notifications with a 0x77 data byte inside.
disc=$(xxd -p tests/fuzz/corpus/fuzz_jbd/rsp-03-discover.bin | tr -d '\n')
eq "DISCOVER 0x03 in 3 fragments" "$($W decode "${disc:0:40}" "${disc:40:40}" "${disc:80}" | \
	jq -c '[.voltage_v,.current_a,.remaining_ah,.full_ah,.design_ah,.cycles,.jbd.humidity_pct,.jbd.warning,.jbd.heating,.jbd.protocol_version]')" \
	'[13.27,-5.2,201,310,314,119,45,1,true,25]'
eq "DISCOVER 0x03 codes" "$($W decode "$disc" | jq -c '[.active[].id]')" '["cell_ovp","cell_ov_alarm","short_circuit"]'
eq "JBD has no 0x8D registers" "$($W decode "$disc" | jq -c 'has("registers")')" "false"
eq "0x04 cells" "$($W decode "$(jbd_fix 'DD0400080CDE0CDD0D770CDA')" | jq -c '[.cmd,.cells_v]')" '["0x04",[3.294,3.293,3.447,3.29]]'
eq "0x05 hardware string" "$($W decode "$(jbd_fix "DD05000D$(printf 'DH04SC02-200A' | xxd -p)")" | jq -c '[.cmd,.firmware]')" '["0x05","DH04SC02-200A"]'

# A whole session, both families mixed: requests, replies, writes.
sess=$($W decode 'DD A5 03 00 FF FD 77' "$disc" 'DD A5 04 00 FF FC 77' "$(jbd_fix 'DD0400080CDE0CDD0D770CDA')" \
	'1E 00 01 03 00 8C 00 00 B1 44 0D' "$(vector 49a1-8c)" '1E 00 01 06 00 82 00 01 00 1E B2 0D' \
	'7E 00 01 06 00 82 00 01 00 1C 1A 0D' '7E 01 01 03 00 8C 00 00 00 05 01 00 20 00 20 8B 42 0D' \
	'7E 00 01 03 00 92 00 00 9F 22 0D'); rc=$?
eq "session exit 0" "$rc" "0"
eq "session kinds" "$(jq -r '(.family // "-") + "/" + (.kind // "response")' <<<"$sess" | tr '\n' ' ')" \
	"jbd/read_request jbd/reply jbd/read_request jbd/reply watt/read_request watt/response watt/write_request watt/write watt/infodata_read_request watt/read_request "

# Rejections: exit 1, one line naming the first thing that is wrong.
rej() { out=$($W decode "$@" 2>&1 >/dev/null); rc=$?; }
rej 'DD 07 00 04 00 E2 01 2C FE EE 77'
eq "bad checksum" "$out" "wattcycle: decode: JBD checksum mismatch: frame says 0xFEEE, computed 0xFEED"
eq "bad checksum exit 1" "$rc" "1"
rej 'DD 07 00 04 00 E2 01 2C FE ED 78'
eq "bad end byte" "$out" "wattcycle: decode: JBD bad terminator: last byte is 0x78, expected 0x77"
rej 'DD 07 00 05 00 E2 01 2C FE ED 77'
eq "length byte says more" "$out" "wattcycle: decode: JBD incomplete frame: have 11 of 12 bytes"
eq "length exit 1" "$rc" "1"
for st in "80:unknown command" "81:invalid operation" "82:checksum error" "83:wrong password"; do
	rej "$(jbd_fix "DD03${st%%:*}00")"
	eq "status 0x${st%%:*} in words" "$out" \
		"wattcycle: decode: JBD battery answered with an error status: status 0x${st%%:*} (${st##*:}) to command 0x03"
	eq "status 0x${st%%:*} exit 1" "$rc" "1"
done
rej "$(jbd_fix "${disc:0:50}21${disc:52:$(( ${#disc} - 52 - 6 ))}")"
eq "bad cell count names the cell count" "$out" "wattcycle: decode: JBD bad cell count: 33 cells, allowed 1..32"
rej "$(jbd_fix "DD030014$(printf '%040d' 0)")"
check "short basic info names the length" grep -q "JBD data length disagrees with the counts: data is 20 bytes, the counts need 23" <<<"$out"
rej "$(jbd_fix 'DD040003010203')"
check "odd cell data named" grep -q "JBD data length disagrees with the counts: data is 3 bytes" <<<"$out"

tap_done
