# SPDX-License-Identifier: GPL-2.0-or-later
# The 2S2P bank of the bank tests (sourced after tests/lib/sim.sh; needs
# $TMP): string 1 = b1 + b2, string 2 = b3 + b4.
#   house_sims   start b1..b4 (sockets $TMP/bK.sock) at SoC 80/70 and
#                78/76 %, discharging at 12.6/12.4 and 12.0/11.8 A;
#                returns 1 when one did not start
#   house_bank   the inventory's banks list: "house" with those strings,
#                warning at a SoC spread of 5 % and a share 25 % off
house_sims() {
	local ok=0
	sim_start b1 --socket "$TMP/b1.sock" --name b1 --soc 80 --current -12.6 || ok=1
	sim_start b2 --socket "$TMP/b2.sock" --name b2 --soc 70 --current -12.4 || ok=1
	sim_start b3 --socket "$TMP/b3.sock" --name b3 --soc 78 --current -12.0 || ok=1
	sim_start b4 --socket "$TMP/b4.sock" --name b4 --soc 76 --current -11.8 || ok=1
	return $ok
}

house_bank() {
	cat <<'INV'
banks = (
  { name = "house";
    strings = ( ["b1", "b2"], ["b3", "b4"] );
    soc_spread_warn = 5.0;
    share_warn = 25.0; }
);
INV
}
