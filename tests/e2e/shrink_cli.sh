#!/bin/bash
# shrink_cli.sh - a capture file truncated while the real program reads it with -r (issue 19,
# point 2), through the text report (-t) and through the screen in a pseudo-terminal (tmux).
#
# Deterministic: the capture (written here by python3) has 100 UDP packets at one second and
# 100 more six seconds later. With --realtime the reader delivers the first 100 at once and
# then waits for the second; the file is cut only once the program has shown those 100 (a
# report's frame count, or the screen's progress bar at 50%), so the cut lands while it
# waits, whatever the machine's load, up to six seconds of it. The cut is inside record 151:
# the reader must go on to the last whole record inside the new size and stop there, with no SIGBUS, a message
# saying the file shrank, exit status 1 (flowdrill(8), -r and EXIT STATUS) and a report of
# exactly the 150 packets read (150 x 128 layer-3 bytes). The screen stays up on what was
# read, its status line saying the file shrank; after the user quits (q), the status is
# still 1 and the terminal is back in cooked mode (stty -a shows icanon and echo).
# Needs: FLOWDRILL; python3; tmux for the screen part. Exit: 0 ok, 1 FAIL, 77 skipped.
set -u
FD=${FLOWDRILL:-./src/flowdrill}
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 not installed (Debian package python3): cannot write the capture"
    exit 77
fi
tmp=$(mktemp -d)
sock="fd-shrink-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
REC=158                            # 16-byte record header + 142-byte frame
CUT=$((24 + REC * 150 + 30))       # inside record 151

mkcap() { # mkcap FILE: 2 x 100 packets, the second hundred 6 s after the first
    python3 - "$1" <<'PYEOF'
import struct, sys
t0 = 1700000000
def frame(i):
    udp = struct.pack('!HHHH', 40000 + i % 100, 5001, 108, 0) + b'\0' * 100
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 128, i & 0xffff, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
    return b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00' + ip
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(200):
        p = frame(i)
        f.write(struct.pack('<IIII', t0 + (6 if i >= 100 else 0), i, len(p), len(p)) + p)
PYEOF
}

# wait_for FILE PATTERN [SECS]: up to SECS (default 5) for PATTERN to appear in FILE (or in
# the tmux pane if FILE is -)
wait_for() {
    for _ in $(seq $((${3:-5} * 20))); do
        if [ "$1" = - ]; then
            tmux -L "$sock" capture-pane -p | grep -q -- "$2" && return 0
        else
            grep -q -- "$2" "$1" 2>/dev/null && return 0
        fi
        sleep 0.05
    done
    return 1
}

# ---- the text report ----
mkcap "$tmp/t.pcap"
[ "$(stat -c %s "$tmp/t.pcap")" = $((24 + REC * 200)) ] || { echo "FAIL: capture size"; exit 1; }
"$FD" -r "$tmp/t.pcap" --realtime -t -d 0.2 --no-store >"$tmp/out" 2>"$tmp/err" &
pid=$!
if wait_for "$tmp/out" ", 100 frames$"; then
    truncate -s "$CUT" "$tmp/t.pcap"
else
    echo "FAIL text: no report of the first 100 packets"; fail=1
fi
wait $pid
st=$?
final=$(sed -n '/(final)/,$p' "$tmp/out")
if [ $st != 1 ]; then
    echo "FAIL text: exit $st, wanted 1 (138 would be SIGBUS)"; sed 's/^/   /' "$tmp/err"; fail=1
elif ! grep -q "the capture file shrank from $((24 + REC * 200)) to $CUT bytes" "$tmp/err"; then
    echo "FAIL text: no message that the file shrank:"; sed 's/^/   /' "$tmp/err"; fail=1
elif ! echo "$final" | grep -q "^source: file $tmp/t.pcap, 150 frames" ||
    ! echo "$final" | grep -q "^total: 18.8 KiB in 150 packets,"; then
    echo "FAIL text: the final report is not of the 150 packets read:"
    echo "$final" | head -5 | sed 's/^/   /'; fail=1
else
    echo "PASS: -t: cut inside record 151 while waiting: exit 1, message, report of 150 packets"
fi
# the same file, now ending on a whole record, reads cleanly: the same 150 packets, exit 0
"$FD" -r "$tmp/t.pcap" --json --no-store >"$tmp/out2" 2>"$tmp/err2"
st=$?
if [ $st = 1 ] && grep -q '"totals":{"bytes":19200,"packets":150,' "$tmp/out2"; then
    echo "PASS: the cut file afterwards: 19200 bytes in 150 packets (ends inside a record: exit 1)"
else
    echo "FAIL: the cut file afterwards: exit $st"; head -c 300 "$tmp/out2"; cat "$tmp/err2"; fail=1
fi

# ---- the screen ----
if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP (screen part): tmux not installed (Debian package tmux)"
    [ $fail = 0 ] && exit 77
    exit $fail
fi
mkcap "$tmp/s.pcap"
tmux -L "$sock" new-session -d -x 120 -y 30 "env TERM=xterm sh" || { echo "SKIP: tmux"; exit 77; }
sleep 0.3
tmux -L "$sock" send-keys "$FD -r $tmp/s.pcap --realtime -d 0.2 --no-store 2>$tmp/serr; echo rc=\$?; stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo END" Enter
if wait_for - "^ Reading .*  50%"; then
    truncate -s "$CUT" "$tmp/s.pcap"
else
    echo "FAIL screen: the first 100 packets never showed:"; tmux -L "$sock" capture-pane -p | head -8
    fail=1
fi
# the screen stays up on what was read, saying the file shrank, until the user quits
if wait_for - "the capture file shrank" 15; then
    echo "PASS: screen: the status line says the file shrank; the rows stay up"
else
    echo "FAIL: screen: no word that the file shrank:"; tmux -L "$sock" capture-pane -p | tail -3
    fail=1
fi
tmux -L "$sock" send-keys q
out=""
for _ in $(seq 300); do
    out=$(tmux -L "$sock" capture-pane -p)
    echo "$out" | awk '/^rc=/ { rc = 1; next } rc && /END$/ { found = 1 } END { exit !found }' &&
        break
    sleep 0.05
done
if echo "$out" | grep -q "^rc=1\$" && echo "$out" | grep -q "icanon echo END"; then
    echo "PASS: screen: quit after the cut: exit 1, terminal back in cooked mode"
else
    echo "FAIL: screen: after exit:"; echo "$out" | tail -6; sed 's/^/   /' "$tmp/serr"; fail=1
fi
exit $fail
