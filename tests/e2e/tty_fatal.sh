#!/bin/bash
# tty_fatal.sh - a fatal signal while the screen is up leaves the terminal usable (issue 19).
#
# The real program runs --demo in a private tmux server; it is sent SIGSEGV, SIGBUS, SIGFPE
# and SIGABRT in turn. The shell in the pane then prints the exit status and the terminal
# modes: the status must be 128 + the signal (the signal was re-raised, not swallowed) and
# `stty -a` must show cooked mode (icanon, echo) again.
# Needs: FLOWDRILL; tmux. Exit: 0 ok, 1 FAIL, 77 skipped (no tmux). About 10 s.
set -u
FD=${FLOWDRILL:-./src/flowdrill}
if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP: tmux not installed (Debian package tmux)"
    exit 77
fi
sock="fd-ttyfatal-$$"
tmp=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
for sig in SEGV BUS FPE ABRT; do
    num=$(kill -l "$sig")
    tmux -L "$sock" kill-server 2>/dev/null && sleep 0.3
    tmux -L "$sock" new-session -d -x 100 -y 30 "env TERM=xterm sh" || { echo "SKIP: tmux"; exit 77; }
    sleep 0.3
    tmux -L "$sock" send-keys "sh -c 'echo \$\$ > $tmp/pid; exec $FD --demo'; echo rc=\$?; stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo END" Enter
    pid=""
    for _ in $(seq 50); do
        [ -s "$tmp/pid" ] && pid=$(cat "$tmp/pid") && break
        sleep 0.1
    done
    sleep 1.5
    [ -n "$pid" ] && kill "-$sig" "$pid"
    out=""
    # done once a line ending in END follows the rc= line (the typed command line, which
    # may wrap, also ends in END: it must not count, or a loaded machine races the stty)
    for _ in $(seq 150); do
        out=$(tmux -L "$sock" capture-pane -p)
        echo "$out" | awk '/^rc=/ { rc = 1; next } rc && /END$/ { found = 1 } END { exit !found }' &&
            break
        sleep 0.1
    done
    rm -f "$tmp/pid"
    if echo "$out" | grep -q "^rc=$((128 + num))\$" && echo "$out" | grep -q "icanon echo END"; then
        echo "PASS: SIG$sig: exit $((128 + num)), terminal back in cooked mode"
    else
        echo "FAIL: SIG$sig: screen after exit:"; echo "$out" | tail -5
        fail=1
    fi
done
exit $fail
