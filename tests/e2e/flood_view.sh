#!/bin/bash
# flood_view.sh - the Exporters view lists an exporter that has sent only templates (issue 19,
# point 3): the template flood of mkexports --flood read on the screen in tmux; key 7 must
# show the greedy exporter's row, with nothing booked, its 1024 templates and the 3976 it
# recycled (TPLDROP 4.0k), beside the router's 1,000,000 bytes.
# Needs: FLOWDRILL, TOP_BUILDDIR (tests/mkexports); tmux. Exit: 0 ok, 1 FAIL, 77 skipped.
set -u
FD=${FLOWDRILL:-./src/flowdrill}
MKX=${TOP_BUILDDIR:-.}/tests/mkexports
if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP: tmux not installed (Debian package tmux)"
    exit 77
fi
tmp=$(mktemp -d)
sock="fd-floodview-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
"$MKX" --flood "$tmp/flood.pcap" || { echo "FAIL: mkexports --flood"; exit 1; }
tmux -L "$sock" new-session -d -x 160 -y 20 \
    "env TERM=xterm $FD -r $tmp/flood.pcap -l 2055 --no-store" || { echo "SKIP: tmux"; exit 77; }
out=""
for _ in $(seq 100); do # the file is read to its end (up to 10 s)
    out=$(tmux -L "$sock" capture-pane -p)
    echo "$out" | grep -q "flood.pcap done" && break
    sleep 0.1
done
tmux -L "$sock" send-keys 7
for _ in $(seq 50); do
    out=$(tmux -L "$sock" capture-pane -p)
    echo "$out" | grep -q "^ Exporters   2 rows" && break
    sleep 0.1
done
tmux -L "$sock" send-keys q
greedy=$(echo "$out" | grep '^ 203\.0\.113\.66/0 ')
router=$(echo "$out" | grep '^ 198\.51\.100\.1/1 ')
if echo "$greedy" | grep -qE ' 0 B +0 +0 .* ipfix .* 1024 .* 4\.0k( |$)' &&
    echo "$router" | grep -qE ' 977 KiB +1\.0k +1 .* ipfix '; then
    echo "PASS: Exporters view: template-only exporter listed (1024 templates, TPLDROP 4.0k)"
    exit 0
fi
echo "FAIL: Exporters view:"; echo "$out" | sed -n 4,9p
exit 1
