#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wattcycle-sim: the ATT server seen from a raw client.  A Python helper
# (written to the temp dir; /usr/bin/python3, AF_UNIX SOCK_SEQPACKET) speaks
# ATT PDUs byte by byte: MTU exchange, discovery, unlock, CCCD, WATT reads
# reassembled from notifications; then heads, the unlock drop, every fault,
# the control channel, the served-sample log, kill/revive, stale and busy
# socket paths, and a clean SIGTERM.  Every wait has a deadline.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
SIM=$PWD/${BUILD:-build}/wattcycle-sim
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

T=$(mktemp -d "${TMPDIR:-/tmp}/sim_basic.XXXXXX")
declare -A PID=() OUT=()
cleanup() {
	local tag
	for tag in "${!PID[@]}"; do
		stop_sim "$tag" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

# start_sim TAG ARGS...: start a simulator and wait (5 s deadline) for its
# ready line; PID[TAG] is its pid.  Returns non-zero if it never got ready.
start_sim() {
	local tag=$1 line= fd
	shift
	mkfifo "$T/$tag.out"
	"$SIM" "$@" >"$T/$tag.out" 2>"$T/$tag.err" &
	PID[$tag]=$!
	exec {fd}<"$T/$tag.out"
	OUT[$tag]=$fd
	IFS= read -r -t 5 -u "$fd" line
	[[ $line == "wattcycle-sim: ready" ]]
}

# stop_sim TAG [SIGNAL]: signal it (default TERM; "none" when it was told
# to quit), then wait for the exit with a 5 s deadline: the simulator's
# stdout (our fifo) reaches EOF when it exits.
stop_sim() {
	local tag=$1 pid=${PID[$1]} sig=${2:-TERM} line
	[[ $sig == none ]] || kill -"$sig" "$pid"
	local rc
	while :; do
		IFS= read -r -t 5 -u "${OUT[$tag]}" line
		rc=$?
		[[ $rc -eq 0 ]] || break
	done
	if [[ $rc -gt 128 ]]; then
		echo "# $tag did not exit within 5 s of SIG$sig" >&2
		kill -KILL "$pid"
	fi
	wait "$pid"
	rc=$?
	unset "PID[$tag]"
	return $rc
}

py() { "$PY" "$T/att.py" "$@"; }
pyq() { "$PY" "$T/att.py" "$@" >/dev/null; } # failure reasons go to stderr
ctl() { "$SIM" ctl "$T/ctl" "$@"; }

cat >"$T/att.py" <<'PYEOF'
# Raw ATT client (SOCK_SEQPACKET: one recv = one PDU); every wait has a
# deadline.
import select, socket, struct, sys, time

def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc

def watt_read(head, dp):
    f = bytes([head, 0x00, 0x01, 0x03, 0x00, dp, 0x00, 0x00])
    c = crc16(f)
    return f + bytes([c >> 8, c & 0xFF, 0x0D])

def frame_ok(f):
    return (len(f) >= 11 and f[0] == 0x7E and f[-1] == 0x0D and
            struct.unpack('>H', f[6:8])[0] + 11 == len(f) and
            struct.unpack('>H', f[-3:-1])[0] == crc16(f[:-3]))

def u16(v):
    return struct.pack('<H', v)

class Closed(Exception):
    pass

class Att:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.connect(path)

    def close(self):
        self.s.close()

    def recv(self, timeout):
        """One PDU, None on timeout; raises Closed on EOF."""
        r, _, _ = select.select([self.s], [], [], max(timeout, 0))
        if not r:
            return None
        try:
            p = self.s.recv(1024)
        except ConnectionResetError:
            raise Closed()
        if not p:
            raise Closed()
        return p

    def wait_closed(self, timeout):
        """True when the peer closes within timeout (PDUs are skipped)."""
        end = time.monotonic() + timeout
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0 or self.recv(left) is None:
                    return False
        except Closed:
            return True

    def request(self, pdu, timeout=2.0):
        """Send a request; the first PDU that is not a notification."""
        self.s.send(bytes(pdu))
        end = time.monotonic() + timeout
        while True:
            p = self.recv(end - time.monotonic())
            if p is None:
                raise TimeoutError('no response to %s' % bytes(pdu).hex())
            if p[0] != 0x1B:
                return p

    def mtu(self, mtu):
        r = self.request(b'\x02' + u16(mtu))
        assert r[0] == 0x03, r.hex()
        return struct.unpack('<H', r[1:3])[0]

    def services(self):
        """[(start, end, uuid hex)], and the entry length of each response."""
        out, start, rsps = [], 1, []
        while start <= 0xFFFF:
            r = self.request(b'\x10' + u16(start) + u16(0xFFFF) + u16(0x2800))
            if r[0] == 0x01:
                assert r[4] == 0x0A, r.hex()
                break
            ln = r[1]
            rsps.append(ln)
            for i in range(2, len(r), ln):
                h, e = struct.unpack('<HH', r[i:i + 4])
                out.append((h, e, r[i + 4:i + ln][::-1].hex()))
                start = e + 1
        return out, rsps

    def chars(self, start, end):
        """[(decl handle, properties, value handle, uuid hex)]"""
        out = []
        while start <= end:
            r = self.request(b'\x08' + u16(start) + u16(end) + u16(0x2803))
            if r[0] == 0x01:
                assert r[4] == 0x0A, r.hex()
                break
            ln = r[1]
            for i in range(2, len(r), ln):
                h = struct.unpack('<H', r[i:i + 2])[0]
                vh = struct.unpack('<H', r[i + 3:i + 5])[0]
                out.append((h, r[i + 2], vh, r[i + 5:i + ln][::-1].hex()))
                start = h + 1
        return out

    def find_info(self, start, end):
        out = []
        while start <= end:
            r = self.request(b'\x04' + u16(start) + u16(end))
            if r[0] == 0x01:
                break
            step = 4 if r[1] == 1 else 18
            for i in range(2, len(r), step):
                h = struct.unpack('<H', r[i:i + 2])[0]
                out.append((h, r[i + 2:i + step][::-1].hex()))
                start = h + 1
        return out

    def read(self, h):
        return self.request(b'\x0A' + u16(h))

    def write(self, h, v):
        return self.request(b'\x12' + u16(h) + bytes(v))

    def write_cmd(self, h, v):
        self.s.send(b'\x52' + u16(h) + bytes(v))

    def collect(self, timeout, until_frame=False):
        """Notification values within timeout (or until a whole frame)."""
        end = time.monotonic() + timeout
        got = []
        while not (until_frame and reassemble(got)[0]):
            p = self.recv(end - time.monotonic())
            if p is None:
                break
            if p[0] == 0x1B:
                got.append(p[3:])
        return got

def reassemble(frags):
    """doc/PROTOCOL.md §2.4: start on 7E, length-delimited. (frames, strays)"""
    frames, buf, stray = [], b'', 0
    for f in frags:
        if not buf and f[0] != 0x7E:
            stray += 1
            continue
        buf += f
        while len(buf) >= 8 and len(buf) >= struct.unpack('>H', buf[6:8])[0] + 11:
            n = struct.unpack('>H', buf[6:8])[0] + 11
            frames.append(buf[:n])
            buf = buf[n:]
            if buf and buf[0] != 0x7E:
                buf = b''
    return frames, stray

def discover(a):
    """Handles of FFF1 value + CCCD, FFF2 and FFFA, found by discovery."""
    svcs, _ = a.services()
    fff0 = [s for s in svcs if s[2] == 'fff0']
    assert fff0, svcs
    h0, h1, _ = fff0[0]
    chars = {c[3]: c for c in a.chars(h0, h1)}
    info = a.find_info(chars['fff1'][2] + 1, h1)
    cccd = [h for h, t in info if t == '2902'][0]
    return {'fff1': chars['fff1'][2], 'cccd': cccd, 'fff2': chars['fff2'][2],
            'fffa': chars['fffa'][2]}

def session(path, mtu=23, unlock=True, notify=True):
    a = Att(path)
    if mtu != 23:
        a.mtu(mtu)
    h = discover(a)
    if unlock:
        r = a.write(h['fffa'], b'HiLink')
        assert r[0] == 0x13, r.hex()
    if notify:
        r = a.write(h['cccd'], b'\x01\x00')
        assert r[0] == 0x13, r.hex()
    return a, h

def ask(a, h, req, timeout=2.0):
    r = a.write(h['fff2'], req)
    assert r[0] == 0x13, r.hex()
    return a.collect(timeout, until_frame=True)

# Test cases: python3 cases.py CASE ARGS...; exit 0 = pass, else a reason.
def case_discovery(sock):
    a = Att(sock)
    svcs, rsps = a.services()
    uu = [s[2] for s in svcs]
    want = ['1800', '1801', 'fff0', '02f0000000000000000000000000fe00']
    assert uu == want, 'services %s' % uu
    # 16-bit and 128-bit services never share one response
    assert rsps == [6, 20], 'group entry lengths per response %s' % rsps
    assert svcs[0][:2] == (1, 5) and svcs[1][:2] == (6, 9), svcs
    h0, h1, _ = svcs[2]
    chars = {c[3]: c for c in a.chars(h0, h1)}
    assert sorted(chars) == ['fff1', 'fff2', 'fffa'], chars
    assert chars['fff1'][1] == 0x12, 'FFF1 props %#x' % chars['fff1'][1]
    assert chars['fff2'][1] == 0x0C | 0x02, 'FFF2 props %#x' % chars['fff2'][1]
    assert chars['fffa'][1] == 0x0E, 'FFFA props %#x' % chars['fffa'][1]
    assert chars['fff2'][2] == 0x0014, 'FFF2 value handle %#x' % chars['fff2'][2]
    info = dict(a.find_info(h0, h1))
    assert info.get(chars['fff1'][2] + 1) == '2902', 'FFF1 CCCD missing %s' % info
    assert chars['fff2'][2] + 1 == chars['fffa'][0], 'FFF2 has a descriptor'
    # decoy characteristics are 128-bit and come in their own responses
    dch = a.chars(svcs[3][0], svcs[3][1])
    assert [c[3][-4:] for c in dch] == ['ff0%d' % i for i in range(6)], dch
    name = a.read(3)
    assert name[0] == 0x0B and name[1:].startswith(b'XDZN_001_'), name
    # discovery by UUID (Find By Type Value)
    r = a.request(b'\x06' + u16(1) + u16(0xFFFF) + u16(0x2800) + u16(0xFFF0))
    assert r[0] == 0x07 and struct.unpack('<HH', r[1:5]) == (h0, h1), r.hex()

def case_mtu(sock, client, want):
    a = Att(sock)
    got = a.mtu(int(client))
    assert got == int(want), 'server MTU %d, want %s' % (got, want)

def case_fffa(sock):
    a, h = session(sock, unlock=False, notify=False)
    assert a.read(h['fffa'])[1:] == b'\x00', 'FFFA before unlock'
    a.write(h['fffa'], b'hilink')
    assert a.read(h['fffa'])[1:] == b'\x00', 'FFFA after a wrong key'
    a.write(h['fffa'], b'HiLink')
    assert a.read(h['fffa'])[1:] == b'\x01', 'FFFA after HiLink'
    a.close()
    a, h = session(sock, unlock=False, notify=False)
    assert a.read(h['fffa'])[1:] == b'\x00', 'unlock survived a reconnect'
    a.write_cmd(h['fffa'], b'HiLink')  # write without response works too
    assert a.read(h['fffa'])[1:] == b'\x01', 'FFFA after HiLink (command)'

def case_read(sock, mtu, head, dp, cells, nfrags):
    mtu = int(mtu)
    a, h = session(sock, mtu=mtu)
    frags = ask(a, h, watt_read(int(head, 16), int(dp, 16)))
    frames, stray = reassemble(frags)
    assert len(frames) == 1 and stray == 0, [f.hex() for f in frags]
    f = frames[0]
    assert frame_ok(f), 'bad frame ' + f.hex()
    assert f[5] == int(dp, 16), 'dp %#x' % f[5]
    assert all(len(x) <= mtu - 3 for x in frags), [len(x) for x in frags]
    assert len(frags) == int(nfrags), '%d fragments (%s), want %s' % (
        len(frags), [len(x) for x in frags], nfrags)
    if int(cells) >= 0:
        assert f[8] == int(cells), 'cell count %d, want %s' % (f[8], cells)
    print(f.hex())

def case_write_cmd(sock):
    a, h = session(sock)
    a.write_cmd(h['fff2'], watt_read(0x7E, 0x92))
    f, _ = reassemble(a.collect(2.0, until_frame=True))
    assert f and frame_ok(f[0]) and f[0][5] == 0x92, 'no answer to a command'

def case_silent(sock, head, dp):
    a, h = session(sock)
    frags = ask(a, h, watt_read(int(head, 16), int(dp, 16)), timeout=1.0)
    assert not frags, 'answered: %s' % [x.hex() for x in frags]

def case_locked(sock):
    a, h = session(sock, unlock=False)
    frags = ask(a, h, watt_read(0x7E, 0x8C), timeout=0.7)
    assert not frags, 'answered before the unlock'

def case_unlock_drop(sock, lo_ms, hi_ms):
    t0 = time.monotonic()
    a = Att(sock)
    a.mtu(247)
    closed = a.wait_closed(int(hi_ms) / 1000.0 + 1.0)
    dt = (time.monotonic() - t0) * 1000
    assert closed, 'link not dropped'
    assert int(lo_ms) <= dt <= int(hi_ms), 'dropped after %.0f ms' % dt

def case_unlock_keeps(sock, ms, head):
    a, h = session(sock)
    assert not a.wait_closed(int(ms) / 1000.0), 'dropped despite the unlock'
    f, _ = reassemble(ask(a, h, watt_read(int(head, 16), 0x8C)))
    assert f and frame_ok(f[0]), 'no answer after the wait'

def case_second_central(sock):
    a, h = session(sock)
    b = Att(sock)
    assert b.wait_closed(1.0), 'second central stayed connected'
    f, _ = reassemble(ask(a, h, watt_read(0x7E, 0x8C)))
    assert f and frame_ok(f[0]), 'first central broken'

def case_errors(sock):
    a, h = session(sock, unlock=False, notify=False)
    cases = [
        ('read invalid handle', b'\x0A' + u16(0x0099), 0x0A, 0x0099, 0x01),
        ('read handle 0', b'\x0A' + u16(0), 0x0A, 0, 0x01),
        ('read SC value', b'\x0A' + u16(8), 0x0A, 8, 0x02),
        ('write device name', b'\x12' + u16(3) + b'x', 0x12, 3, 0x03),
        ('write FFF1 value', b'\x12' + u16(h['fff1']) + b'x', 0x12, h['fff1'], 0x03),
        ('CCCD 1 byte', b'\x12' + u16(h['cccd']) + b'\x01', 0x12, h['cccd'], 0x0D),
        ('prepare write', b'\x16' + u16(h['fff2']) + u16(0) + b'x', 0x16, 0, 0x06),
        ('read multiple', b'\x0E' + u16(1) + u16(3), 0x0E, 0, 0x06),
        ('find info empty range', b'\x04' + u16(0xF000) + u16(0xFFFF), 0x04, 0xF000, 0x0A),
        ('find info start > end', b'\x04' + u16(5) + u16(4), 0x04, 5, 0x01),
        ('group type 0x2803', b'\x10' + u16(1) + u16(0xFFFF) + u16(0x2803), 0x10, 1, 0x10),
        ('read by type none', b'\x08' + u16(1) + u16(0xFFFF) + u16(0x2A19), 0x08, 1, 0x0A),
        ('short read', b'\x0A\x01', 0x0A, 0, 0x04),
        ('read blob offset', b'\x0C' + u16(3) + u16(200), 0x0C, 3, 0x07),
        ('oversize PDU', b'\x12' + u16(h['fff2']) + bytes(40), 0x12, 0, 0x04),
    ]
    bad = []
    for name, pdu, op, hd, ec in cases:
        r = a.request(pdu)
        want = bytes([0x01, op]) + u16(hd) + bytes([ec])
        if r != want:
            bad.append('%s: %s, want %s' % (name, r.hex(), want.hex()))
    # a command with a bad handle gets no answer at all
    a.s.send(b'\x52' + u16(0x0099) + b'x')
    assert a.recv(0.3) is None, 'answered a write command'
    assert not bad, '; '.join(bad)

def case_crc(sock):
    a, h = session(sock)
    f, _ = reassemble(ask(a, h, watt_read(0x7E, 0x8C)))
    assert f, 'no frame'
    f = f[0]
    assert f[-1] == 0x0D and struct.unpack('>H', f[6:8])[0] + 11 == len(f), f.hex()
    assert struct.unpack('>H', f[-3:-1])[0] != crc16(f[:-3]), 'CRC is valid'

def case_garbage(sock):
    a, h = session(sock)
    frags = ask(a, h, watt_read(0x7E, 0x8C))
    assert frags and 0x7E not in frags[0], 'first notification %s' % (
        frags[0].hex() if frags else None)
    f, stray = reassemble(frags)
    assert stray == 1 and f and frame_ok(f[0]), [x.hex() for x in frags]

def case_duplicate(sock):
    a, h = session(sock)
    frags = ask(a, h, watt_read(0x7E, 0x8C))
    frags += a.collect(0.3)
    assert len(frags) >= 3 and frags[0] == frags[1], [x.hex() for x in frags]
    f, _ = reassemble(frags[1:])
    assert f and frame_ok(f[0]), 'rest of the frame broken'

def case_drop(sock):
    a, h = session(sock)
    a.write(h['fff2'], watt_read(0x7E, 0x8C))
    got = []
    try:
        while True:
            p = a.recv(2.0)
            assert p is not None, 'link not dropped'
            if p[0] == 0x1B:
                got.append(p[3:])
    except Closed:
        pass
    assert len(got) == 1 and got[0][0] == 0x7E and len(got[0]) == 20, \
        [x.hex() for x in got]

def case_length(sock):
    a, h = session(sock)
    f, _ = reassemble(ask(a, h, watt_read(0x7E, 0x8C)))
    assert f and frame_ok(f[0]), 'frame not well-formed (CRC/length field)'
    f = f[0]
    n = f[8]
    m = f[9 + 2 * n]
    dlen = struct.unpack('>H', f[6:8])[0]
    assert dlen != 16 + 2 * n + 2 * m, 'length agrees with the counts'

def case_latency(sock, min_ms):
    a = Att(sock)
    t0 = time.monotonic()
    a.read(3)
    dt = (time.monotonic() - t0) * 1000
    assert dt >= int(min_ms), 'answered after %.0f ms' % dt

def case_no_latency(sock, max_ms):
    a = Att(sock)
    t0 = time.monotonic()
    a.read(3)
    dt = (time.monotonic() - t0) * 1000
    assert dt <= int(max_ms), 'answered after %.0f ms' % dt

def case_refused(sock):
    a = Att(sock)
    assert a.wait_closed(1.0), 'connection kept'

def case_analog(sock, field, want):
    """SoC (or another 0x8C field) as the frame carries it."""
    a, h = session(sock)
    f, _ = reassemble(ask(a, h, watt_read(0x7E, 0x8C)))
    assert f and frame_ok(f[0]), 'no frame'
    d = f[0][8:-3]
    n = d[0]
    m = d[1 + 2 * n]
    c = 2 + 2 * n + 2 * m
    off = {'soc': c + 12, 'cycles': c + 8}[field]
    got = struct.unpack('>H', d[off:off + 2])[0]
    assert got == int(want), '%s = %d, want %s' % (field, got, want)

def case_status_bit(sock, reg_off, bit):
    a, h = session(sock)
    f, _ = reassemble(ask(a, h, watt_read(0x7E, 0x8D)))
    assert f and frame_ok(f[0]), 'no frame'
    d = f[0][8:-3]
    n = d[0]
    m = d[1 + n]
    s = 2 + n + m
    v = d[s + int(reg_off)]
    assert v & (1 << int(bit)), 'register S+%s = %#x' % (reg_off, v)

def case_no_connect(sock):
    try:
        Att(sock)
    except (FileNotFoundError, ConnectionRefusedError):
        return
    raise AssertionError('connect succeeded')

def case_stale(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.bind(path)
    s.close()  # the file stays, nobody listens

if __name__ == '__main__':
    try:
        globals()['case_' + sys.argv[1]](*sys.argv[2:])
    except (AssertionError, TimeoutError, Closed, OSError) as e:
        print('%s: %s' % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
PYEOF

# ---- command line ----
out=$("$SIM" --help); rc=$?
check "--help exits 0" test $rc -eq 0
check "--help prints usage on stdout" grep -q '^Usage: wattcycle-sim --socket' <<<"$out"
err=$("$SIM" --bogus 2>&1 >/dev/null); rc=$?
eq "unknown flag exits 2" "$rc" 2
check "unknown flag: one line and a hint" grep -q "Try 'wattcycle-sim --help'" <<<"$err"
"$SIM" --socket "$T/x.sock" --cells 4x 2>/dev/null; eq "--cells 4x exits 2" "$?" 2
"$SIM" --socket "$T/x.sock" --mtu 22 2>/dev/null; eq "--mtu 22 exits 2" "$?" 2
"$SIM" --socket "$T/x.sock" --fault nosuch 2>/dev/null; eq "--fault nosuch exits 2" "$?" 2
"$SIM" --scenario x.cfg --cells 4 2>/dev/null; eq "--scenario with battery flags exits 2" "$?" 2
err=$("$SIM" --socket "$T/no/such/dir/b.sock" 2>&1); rc=$?
eq "missing socket directory exits 1" "$rc" 1
check "missing directory is named" grep -q 'directory does not exist' <<<"$err"

# ---- battery A: 8 cells, MTU up to 517, control + log ----
py stale "$T/a.sock"
check "starts over a stale socket file" start_sim a --socket "$T/a.sock" --name house1 \
	--cells 8 --control "$T/ctl" --log "$T/a.log" --ready-file "$T/a.ready" \
	--unlock-timeout-ms 30000
check "ready file written" test -s "$T/a.ready"
err=$("$SIM" --socket "$T/a.sock" 2>&1); rc=$?
eq "socket path in use exits 1" "$rc" 1
check "in-use message" grep -q 'in use' <<<"$err"

check "discovery: services, FFF0 characteristics, handles, decoy" pyq discovery "$T/a.sock"
check "MTU exchange: server answers 517 to 247" pyq mtu "$T/a.sock" 247 517
check "FFFA reads 00 before and 01 after HiLink, per connection" pyq fffa "$T/a.sock"
f23=$(py read "$T/a.sock" 23 7e 8c 8 3); rc=$?
check "0x8C at MTU 23: 20+20+..-byte notifications, CRC ok, 8 cells" test $rc -eq 0
check "0x8C at MTU 247: one notification" pyq read "$T/a.sock" 247 7e 8c 8 1
check "0x8D (39 bytes for 8S/4T) answers in 2 fragments" pyq read "$T/a.sock" 23 7e 8d 8 2
check "0x92 (71 bytes) answers in 4 fragments" pyq read "$T/a.sock" 23 7e 92 -1 4
check "write without response to FFF2 is answered" pyq write_cmd "$T/a.sock"
check "before the unlock FFF2 writes are acknowledged and ignored" pyq locked "$T/a.sock"
check "a second central is closed at once" pyq second_central "$T/a.sock"
check "ATT error responses" pyq errors "$T/a.sock"

# served-sample log: the frame the client got, and its values
last=$(grep '"dp":"0x8c"' "$T/a.log" | head -1)
eq "log has the served 0x8C frame" "$(jq -r .frame <<<"$last")" "$f23"
eq "log names the battery" "$(jq -r .battery <<<"$last")" house1
eq "log carries 8 cell voltages" "$(jq '.cells_v|length' <<<"$last")" 8
jqt() { jq -e "$@" >/dev/null; }
check "log carries voltage, current, SoC" jqt 'has("voltage_v") and has("current_a") and has("soc_pct") and (.t > 1e9)' <<<"$last"

# ---- control channel ----
eq "ctl set soc" "$(ctl set house1 soc 42)" ok
check "SoC 42 in the next 0x8C" pyq analog "$T/a.sock" soc 42
eq "state shows soc 42" "$(ctl state house1 | jq .soc_pct)" 42
eq "ctl alarm cell_ovp on" "$(ctl alarm house1 cell_ovp on)" ok
check "cell_ovp sets status 1 bit 0 in 0x8D" pyq status_bit "$T/a.sock" 4 0
ctl set house1 nosuchkey 1 >/dev/null; eq "ctl unknown key exits 1" "$?" 1
ctl state nobody >/dev/null; eq "ctl unknown battery exits 1" "$?" 1
check "ctl error replies start with error:" bash -c "'$SIM' ctl '$T/ctl' frobnicate | grep -q '^error: '"

# ---- faults, switched on and off through the control channel ----
fault() { # fault KIND SYMPTOM CASE ARGS...: on, check the symptom, off
	local kind=$1 what=$2; shift 2
	if [[ $(ctl fault house1 "$kind" on) != ok ]]; then
		tap_not_ok "fault $kind: control refused"; return
	fi
	check "fault $kind: $what" pyq "$@"
	ctl fault house1 "$kind" off >/dev/null
}
fault crc "CRC of the reassembled frame is wrong" crc "$T/a.sock"
fault garbage "a non-7E notification, then the frame" garbage "$T/a.sock"
fault duplicate "first fragment twice" duplicate "$T/a.sock"
fault drop "first fragment, then the link closes" drop "$T/a.sock"
fault length "well-formed frame, length disagrees with counts" length "$T/a.sock"
fault silence "write acknowledged, no notification" silent "$T/a.sock" 7e 8c
ctl set house1 latency_ms 400 >/dev/null
fault latency "an ATT read takes >= 350 ms" latency "$T/a.sock" 350
check "latency off again: prompt answer" pyq no_latency "$T/a.sock" 300
fault refuse "connection closed at once" refused "$T/a.sock"
check "faults off: normal answer" pyq read "$T/a.sock" 23 7e 8c 8 3
check "faults are logged" bash -c "grep -q '\"faults\":\\[\"crc\"\\]' '$T/a.log'"

# ---- kill / revive ----
eq "ctl kill" "$(ctl kill house1)" ok
check "killed battery: socket file gone" test ! -e "$T/a.sock"
check "killed battery: connect fails" pyq no_connect "$T/a.sock"
eq "ctl revive" "$(ctl revive house1)" ok
check "revived battery answers" pyq read "$T/a.sock" 23 7e 8c 8 3

# ---- battery B: 1e only, MTU 23, short unlock timeout, 16 cells ----
check "battery B ready" start_sim b --socket "$T/b.sock" --name b --head 1e \
	--cells 16 --mtu 23 --unlock-timeout-ms 500
check "MTU exchange: --mtu 23 answers 23" pyq mtu "$T/b.sock" 247 23
check "head 1e-only battery ignores 7e" pyq silent "$T/b.sock" 7e 8c
check "head 1e-only battery answers 1e (16 cells, 4 fragments)" pyq read "$T/b.sock" 23 1e 8c 16 4
check "no unlock: link dropped after ~500 ms" pyq unlock_drop "$T/b.sock" 400 1200
check "unlocked: link stays up past the timeout" pyq unlock_keeps "$T/b.sock" 1000 1e

# ---- battery C: --no-unlock-check and a fault from the command line ----
check "battery C ready" start_sim c --socket "$T/c.sock" --name c --no-unlock-check \
	--fault refuse
check "--fault refuse from the command line" pyq refused "$T/c.sock"
stop_sim c INT; eq "battery C: SIGINT exits 0" "$?" 0
check "battery C socket removed" test ! -e "$T/c.sock"

# ---- a scenario with two batteries ----
"$SIM" --scenario "$T/none.cfg" 2>/dev/null; eq "missing scenario file exits 1" "$?" 1
cat >"$T/two.cfg" <<'CFG'
batteries = (
  { name = "s1"; socket = "s1.sock"; cells = 4; head = "7e"; },
  { name = "s2"; socket = "s2.sock"; cells = 16; mtu = 23; }
);
CFG
check "scenario with two batteries ready" start_sim s --scenario "$T/two.cfg" \
	--control "$T/sctl"
eq "ctl list" "$("$SIM" ctl "$T/sctl" list)" "s1 s2"
check "scenario battery s1: 4 cells, 43 bytes in 3 fragments" pyq read "$T/s1.sock" 23 7e 8c 4 3
check "scenario battery s2: 16 cells, 67 bytes in 4 fragments" pyq read "$T/s2.sock" 23 1e 8c 16 4
check "scenario battery s1 ignores 1e" pyq silent "$T/s1.sock" 1e 8c
eq "ctl kill s1" "$("$SIM" ctl "$T/sctl" kill s1)" ok
check "s2 still serves after s1 is killed" pyq read "$T/s2.sock" 23 7e 8c 16 4
eq "ctl quit" "$("$SIM" ctl "$T/sctl" quit)" ok
stop_sim s none; eq "quit exits 0" "$?" 0
check "scenario sockets removed" test ! -e "$T/s2.sock" -a ! -e "$T/sctl"

# ---- clean shutdown ----
stop_sim a; eq "SIGTERM exits 0" "$?" 0
check "no socket files left (battery, control)" test ! -e "$T/a.sock" -a ! -e "$T/ctl"
check "ready file removed" test ! -e "$T/a.ready"
stop_sim b; eq "battery B: SIGTERM exits 0" "$?" 0
check "battery B socket removed" test ! -e "$T/b.sock"

tap_done
