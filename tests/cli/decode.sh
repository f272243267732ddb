#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wattcycle decode / alarms / help: every doc/PROTOCOL.md §14 vector prints its
# documented values; bad input gives its own message and exit code.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
W=${BUILD:-build}/wattcycle

# j NAME JQ-FILTER: decode vector NAME, apply the filter, compact output.
j() { $W decode "$(vector "$1")" | jq -c "$2"; }

eq "EF2F 0x8C cells" "$(j ef2f-8c .cells_v)" "[3.294,3.293,3.295,3.29]"
eq "EF2F 0x8C temps (2730 zero)" "$(j ef2f-8c .temps_c)" '{"mos":18.7,"env":19.8,"probes":[17.6,17.6]}'
eq "EF2F 0x8C electrical" "$(j ef2f-8c '[.voltage_v,.current_a,.power_w]')" "[13.17,0,0]"
eq "EF2F 0x8C capacity" "$(j ef2f-8c '[.remaining_ah,.full_ah,.design_ah,.cycles,.soc_pct]')" "[183.4,314,314,5,58]"
eq "EF2F 0x8C has no extension keys" "$(j ef2f-8c 'has("soh_pct")')" "false"
eq "EF2F 0x8D state" "$(j ef2f-8d '[.dp,.charge_mos,.discharge_mos,.mode,.balancing,.active]')" '["0x8d",true,true,"idle",[],[]]'
eq "EF2F 0x8D registers" "$(j ef2f-8d '.registers|[.cell_count,.temp_count,.status3,.status4,.reserved10,.warning1]')" "[4,4,6,1,24,0]"
eq "EF2F 0x92 strings" "$(j ef2f-92 '[.firmware,.manufacturer,.serial]')" '["WT12_20004SW10_L447","","60016016207270001"]'

eq "49A1 0x8C cells" "$(j 49a1-8c .cells_v)" "[3.465,3.489,3.484,3.483]"
eq "49A1 0x8C temps" "$(j 49a1-8c .temps_c)" '{"mos":21.6,"env":24.3,"probes":[21.3,21.2]}'
eq "49A1 0x8C values" "$(j 49a1-8c '[.voltage_v,.current_a,.remaining_ah,.full_ah,.cycles,.design_ah,.soc_pct]')" "[13.92,0,99.9,100,1,100,100]"
eq "49A1 0x8D status4 0x29" "$(j 49a1-8d '[.registers.status4,.registers.reserved10,.mode]')" '[41,0,"idle"]'
eq "49A1 0x92 placeholders" "$(j 49a1-92 '[.firmware,.manufacturer,.serial]')" '["WT30_10004SW14_L_01","11112222333344445555","IKKKK0000AII00000000"]'

eq "TDT16 0x8C cells" "$(j tdt16-8c .cells_v)" "[3.299,3.302,3.294,3.294,3.293,3.294,3.293,3.292,3.292,3.29,3.294,3.294,3.294,3.293,3.295,3.294]"
eq "TDT16 0x8C temps" "$(j tdt16-8c .temps_c)" '{"mos":18,"env":19.7,"probes":[18,18,18,18.8]}'
eq "TDT16 0x8C discharging" "$(j tdt16-8c '[.voltage_v,.current_a,.power_w,.remaining_ah,.full_ah,.cycles,.design_ah,.soc_pct]')" "[52.7,-5.7,-300.39,99.1,108.3,8,100,91]"
eq "TDT16 0x8D discharging" "$(j tdt16-8d '[.mode,.registers.status3,.registers.balance]')" '["discharging",14,[0,0]]'
eq "TDT16 0x92 strings" "$(j tdt16-92 '[.firmware,.manufacturer,.serial]')" '["6032_10016S000_L_41","","60326016207270001"]'

# Fragments: EF2F-1 as the three 20/20/3 notifications of MTU 23, colons too.
eq "fragments reassemble" "$($W decode '7E 00 01 03 00 8C 00 20 04 0C DE 0C DD 0C DF 0C DA 04 0B 65' \
	'0B:70:0B:5A:0B:5A:40:00:05:25:07:2A:0C:44:00:05:0C:44:00:3A' '4B220D' | jq -c .soc_pct)" "58"
eq "two frames, two JSON lines" "$($W decode "$(vector ef2f-8c)" "$(vector ef2f-92)" | jq -r .dp | tr '\n' ' ')" "0x8c 0x92 "

# Bad frames: exit 1 and one line naming what is wrong.
bad_crc=$(vector ef2f-8d | sed 's/1F 91 0D$/1F 90 0D/')
out=$($W decode "$bad_crc" 2>&1 >/dev/null); rc=$?
eq "crc mismatch message" "$out" "wattcycle: decode: crc mismatch: frame says 0x1F90, computed 0x1F91"
eq "crc mismatch exit 1" "$rc" "1"
out=$($W decode "$(vector ef2f-8d | cut -c1-60)" 2>&1 >/dev/null); rc=$?
eq "truncated input exit 1" "$rc" "1"
check "truncated input says incomplete" grep -q "incomplete frame: have 20 of 35 bytes" <<<"$out"
out=$($W decode "$(vector ef2f-8d | sed 's/0D$/0C/')" 2>&1 >/dev/null); rc=$?
check "bad terminator named" grep -q "bad terminator: last byte is 0x0C, expected 0x0D" <<<"$out"
out=$($W decode "$(vector ef2f-8d) 00" 2>&1 >/dev/null); rc=$?
check "trailing byte is a stray fragment" grep -q "stray fragment" <<<"$out"
eq "trailing byte exit 1" "$rc" "1"
out=$($W decode "12 34 56" 2>&1 >/dev/null); rc=$?
check "non-7E start named" grep -q "starts with 0x12, not 0x7E" <<<"$out"
out=$($W decode "7E 00 01 03 00 8C 04 00" 2>&1 >/dev/null); rc=$?
check "over-big length named" grep -q "frame too big: length field says 1035 bytes, limit is 512" <<<"$out"
# 0x8C claiming 33 cells, CRC recomputed by a python one-liner.
crc_fix() { /usr/bin/python3 -c '
import sys
b = bytes.fromhex(sys.argv[1])
c = 0xFFFF
for x in b:
    c ^= x
    for _ in range(8):
        c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
print((b + bytes([c >> 8, c & 0xFF, 0x0D])).hex())' "$1"; }
out=$($W decode "$(crc_fix '7E000103008C00022100')" 2>&1 >/dev/null); rc=$?
check "33 cells named" grep -q "bad cell count: 33 cells, allowed 1..32" <<<"$out"
out=$($W decode "$(crc_fix '7E000103008C0004010CDE00')" 2>&1 >/dev/null); rc=$?
check "length vs counts named" grep -q "data length disagrees with the counts" <<<"$out"
out=$($W decode "$(crc_fix '7E00018600820000')" 2>&1 >/dev/null); rc=$?
check "BMS error function named" grep -q "battery reported an error: function byte 0x86" <<<"$out"
eq "BMS error exit 1" "$rc" "1"
out=$($W decode "$(crc_fix '7E044103008C0004010CDE00')" 2>&1 >/dev/null); rc=$?
check "version/address bytes not validated" grep -q "data length disagrees" <<<"$out"
eq "version 4 / address 0x41 accepted" \
	"$($W decode "$(crc_fix "$(vector ef2f-8d | tr -d ' ' | sed 's/^7E000103/7E044103/' | cut -c1-64)")" | jq -c '[.version,.address]')" "[4,65]"

# Usage errors: exit 2.
$W decode 7E0G >/dev/null 2>&1; eq "non-hex exit 2" "$?" "2"
check "non-hex message names the character" grep -q "'G' at position 4 is not a hex digit" <<<"$($W decode 7E0G 2>&1)"
$W decode "7E 0" >/dev/null 2>&1; eq "odd digits exit 2" "$?" "2"
$W decode >/dev/null 2>&1; eq "no argument exit 2" "$?" "2"
$W decode --bogus 00 >/dev/null 2>&1; eq "unknown option exit 2" "$?" "2"
$W frobnicate >/dev/null 2>&1; eq "unknown command exit 2" "$?" "2"
$W >/dev/null 2>&1; eq "no command exit 2" "$?" "2"

# Help.
check "--help lists decode and alarms" bash -c "$W --help | grep -q '^  decode' && $W --help | grep -q '^  alarms'"
check "help decode shows usage" bash -c "$W help decode | grep -q '^Usage: wattcycle decode HEX'"
check "decode --help exit 0" bash -c "$W decode --help >/dev/null"
$W help nosuch >/dev/null 2>&1; eq "help of unknown command exit 2" "$?" "2"
check "--version" bash -c "$W --version | grep -q '^wattcycle [0-9]'"

# Alarm table.
eq "alarms --json has 39 codes" "$($W alarms --json | jq length)" "39"
eq "alarms ids unique" "$($W alarms --json | jq '[.[].id] | unique | length')" "39"
eq "36 WATT codes" "$($W alarms --json | jq '[.[] | select(.family | test("watt"))] | length')" "36"
eq "19 JBD codes" "$($W alarms --json | jq '[.[] | select(.family | test("jbd"))] | length')" "19"
eq "short_circuit entry" "$($W alarms --json | jq -c '.[] | select(.id=="short_circuit") | [.class,.family,.jbd.word,.jbd.bit]')" '["protection","jbd","protection",10]'
eq "cell_ovp is in both families" "$($W alarms --json | jq -c '.[] | select(.id=="cell_ovp") | [.family,.register,.bit,.jbd.word,.jbd.bit]')" '["watt,jbd","status1",0,"protection",0]'
check "table shows the family" bash -c "$W alarms | grep -q '^short_circuit .* jbd '"
eq "dsg_ocp entry" "$($W alarms --json | jq -c '.[] | select(.id=="dsg_ocp") | [.name,.class,.register,.bit]')" '["DSG OCP(A)","protection","status1",5]'
eq "table has a row per code" "$($W alarms | tail -n +2 | wc -l)" "39"
$W alarms extra >/dev/null 2>&1; eq "alarms stray argument exit 2" "$?" "2"

tap_done
