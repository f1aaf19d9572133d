#!/bin/bash
# ui_refresh.sh - bytes the screen writes to the terminal per refresh (what an SSH link
# carries), at 80x24 and 200x50: the embedded demo (values change every second) and a file
# read to its end (a steady screen: ncurses should send next to nothing).
# Runs the real program on a pseudo-terminal; needs python3. Medians of ROUNDS runs.
set -u
FD=${FLOWDRILL:-./src/flowdrill}
SRC=${TOP_SRCDIR:-.}
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-8}
command -v python3 >/dev/null || { echo "ui_refresh: needs python3 (Debian package python3)"; exit 1; }
[ -x "$FD" ] || { echo "ui_refresh: $FD is not built; run make first"; exit 1; }

python3 - "$FD" "$SRC/data/demo.pcap" "$ROUNDS" "$SECS" <<'EOF'
import fcntl, os, pty, select, statistics, struct, sys, termios, time

fd_bin, pcap, rounds, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])

def run(args, cols, rows, warm=3.0):
    pid, master = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8")
        os.execv(fd_bin, [fd_bin] + args)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.kill(pid, 28)  # SIGWINCH, in case it read the size before we set it
    total, start, counted = 0, time.time(), 0
    while True:
        now = time.time()
        if now - start > warm + secs:
            break
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if now - start > warm:
                counted += len(data)
    os.write(master, b"q")
    os.waitpid(pid, 0)
    os.close(master)
    return counted / secs  # refreshes are once a second

cases = [("demo (changing)", ["--demo", "-n"]),
         ("file, final state (steady)", ["-r", pcap, "-n"])]
print(f"{'screen':28} {'size':>8} {'bytes/refresh (median of %d)' % rounds:>30}")
for name, args in cases:
    for cols, rows in ((80, 24), (200, 50)):
        vals = [run(args, cols, rows) for _ in range(rounds)]
        print(f"{name:28} {cols}x{rows:<5} {statistics.median(vals):>30.0f}")
EOF
