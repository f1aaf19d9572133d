#!/bin/bash
# screenshots.sh - PNG pictures of the interactive screen, from real runs of the program.
#
#   FLOWDRILL=build/src/flowdrill tools/screenshots.sh [OUTDIR]
#
# Each picture: the program runs in a detached tmux session of a fixed size (UTF-8, TERM
# screen-256color: a terminal without back_color_erase, so curses paints coloured blanks
# as cells, which capture-pane keeps; with xterm's bce it clears them with EL, and the
# capture loses their colour); `tmux capture-pane -e -p -N` takes the screen with its colours;
# aha turns that into HTML (with a dark palette given here); headless Chromium renders
# the HTML to a PNG of exactly the terminal's size.
#
#   hosts.png      --demo after 8 s (sparklines have data), 120x32
#   drilldown.png  the file data/demo.pcap, drilled into 10.0.0.20: its peers, 120x32
#   alerts.png     the same file's Alerts screen (9): the scan and the flood, 120x32
#   help.png       the help screen, 120x32
#   narrow.png     --demo after 8 s in a narrow terminal, 50x16
#
# Environment: FLOWDRILL (the program; default src/flowdrill of the source tree, else
# ./src/flowdrill), TOP_SRCDIR (the source tree; default: this script's parent folder),
# CHROMIUM (the browser command; default chromium, chromium-browser or google-chrome).
# OUTDIR defaults to screenshots/ in the source tree.
# Needs the Debian packages tmux, aha, chromium and fonts-dejavu-core
# (tools/deps.sh --screenshots installs them).
set -u

here=$(cd "$(dirname "$0")" && pwd)
SRC=${TOP_SRCDIR:-$here/..}
SRC=$(cd "$SRC" && pwd)
if [ -n "${FLOWDRILL:-}" ]; then FD=$FLOWDRILL
elif [ -x "$SRC/src/flowdrill" ]; then FD=$SRC/src/flowdrill
else FD=./src/flowdrill; fi
case $FD in /*) ;; *) FD=$PWD/$FD ;; esac
OUT=${1:-$SRC/screenshots}

# ---- what is needed ----
missing_pkgs=
command -v tmux >/dev/null 2>&1 || missing_pkgs="$missing_pkgs tmux"
command -v aha >/dev/null 2>&1 || missing_pkgs="$missing_pkgs aha"
CHROME=${CHROMIUM:-}
if [ -z "$CHROME" ]; then
    for c in chromium chromium-browser google-chrome; do
        command -v "$c" >/dev/null 2>&1 && { CHROME=$c; break; }
    done
fi
[ -n "$CHROME" ] || missing_pkgs="$missing_pkgs chromium"
if command -v fc-list >/dev/null 2>&1 && ! fc-list 2>/dev/null | grep -q "DejaVu Sans Mono"; then
    missing_pkgs="$missing_pkgs fonts-dejavu-core"
fi
if [ -n "$missing_pkgs" ]; then
    echo "screenshots.sh: missing:$missing_pkgs" >&2
    echo "  install the Debian packages:$missing_pkgs  (as root: tools/deps.sh --screenshots," >&2
    echo "  or apt-get install$missing_pkgs)" >&2
    exit 1
fi
if [ ! -x "$FD" ]; then
    echo "screenshots.sh: FLOWDRILL=$FD is not an executable (build first, or set FLOWDRILL)" >&2
    exit 1
fi
[ -r "$SRC/data/demo.pcap" ] || { echo "screenshots.sh: $SRC/data/demo.pcap not found" >&2; exit 1; }
mkdir -p "$OUT" || exit 1

TMP=$(mktemp -d)
SOCKS=()
cleanup() {
    local s
    for s in "${SOCKS[@]}"; do tmux -S "$s" kill-server 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- tmux ----

tm() { local s=$1; shift; tmux -u -f /dev/null -S "$TMP/$s.sock" "$@"; }

# start NAME COLS ROWS ARGS...: the program in its own private tmux server, from the
# source tree, without DNS (the pictures show addresses, and take no time to resolve)
start() {
    local name=$1 w=$2 h=$3
    shift 3
    SOCKS+=("$TMP/$name.sock")
    # shellcheck disable=SC2016 # expanded by that sh
    tm "$name" new-session -d -s shot -x "$w" -y "$h" /bin/sh -c \
        'cd "$1" && shift && "$@"; echo EXIT=$?; exec sleep 600' sh "$SRC" \
        env -u LINES -u COLUMNS -u NO_COLOR TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        "$FD" -n "$@" || { echo "screenshots.sh: tmux failed" >&2; exit 1; }
}

wait_for() { # wait_for NAME REGEXP [SECONDS]
    local i=0
    while [ $i -lt $((${3:-10} * 10)) ]; do
        tm "$1" capture-pane -p -t shot | grep -qE -- "$2" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "screenshots.sh: $1: the screen never showed /$2/:" >&2
    tm "$1" capture-pane -p -t shot | sed 's/^/  |/' >&2
    exit 1
}

keys() { local s=$1; shift; tm "$s" send-keys -t shot "$@"; }

# ---- the picture ----

# A dark palette for aha's classes (--black --stylesheet): Tango-like colours; "dimgray"
# is aha's name for colour 0 (black) on a black page, which the program only draws on
# coloured backgrounds (title, header, selection, footer), so it is black here.
FONT_PX=15
LINE_PX=18 # DejaVu Sans Mono's blocks are 1.164 em high: sparkline cells touch
PAD=12
css() {
    cat <<EOF
html, body { margin: 0; padding: 0; background: #1e1e1e; }
pre { margin: 0; padding: ${PAD}px; color: #d3d7cf; background: #1e1e1e;
      font-family: "DejaVu Sans Mono", monospace; font-size: ${FONT_PX}px;
      line-height: ${LINE_PX}px; font-variant-ligatures: none; }
.reset { color: #d3d7cf; } .bg-reset { background-color: #1e1e1e; }
.inverted { color: #1e1e1e; } .bg-inverted { background-color: #d3d7cf; }
.dimgray { color: #000000; } .red { color: #ef2929; } .green { color: #8ae234; }
.yellow { color: #fce94f; } .blue { color: #729fcf; } .purple { color: #ad7fa8; }
.cyan { color: #34e2e2; } .white { color: #eeeeec; }
.bg-black { background-color: #000000; } .bg-red { background-color: #cc0000; }
.bg-green { background-color: #4e9a06; } .bg-yellow { background-color: #c4a000; }
.bg-blue { background-color: #26456e; } .bg-purple { background-color: #75507b; }
.bg-cyan { background-color: #06989a; } .bg-white { background-color: #d3d7cf; }
.bold { font-weight: bold; } .underline { text-decoration: underline; }
.italic { font-style: italic; } .blink { text-decoration: none; }
.crossed-out { text-decoration: line-through; }
EOF
}

# grab NAME: take the pane's screen with its colours (-N keeps trailing blanks, so bars
# across the whole width, like the title and the selection, reach the edge)
grab() { tm "$1" capture-pane -e -p -N -t shot >"$TMP/$1.ans"; }

# render NAME COLS ROWS TITLE: the grabbed screen to $OUT/NAME.png
render() {
    local name=$1 w=$2 h=$3 title=$4 html=$TMP/$1.html
    {
        printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s</title>\n' "$title"
        printf '<style>\n'
        css
        printf '</style></head><body><pre>'
        aha --black --stylesheet --no-header <"$TMP/$name.ans"
        printf '</pre></body></html>\n'
    } >"$html"
    # DejaVu Sans Mono advances 0.602 em per column
    local pw ph
    pw=$(awk -v c="$w" -v f="$FONT_PX" -v p="$PAD" 'BEGIN { printf "%d", c * f * 0.6021 + 2 * p + 1.5 }')
    ph=$((h * LINE_PX + 2 * PAD))
    local sandbox=
    [ "$(id -u)" = 0 ] && sandbox=--no-sandbox # Chromium refuses root with its sandbox
    "$CHROME" --headless $sandbox --disable-gpu --no-first-run --hide-scrollbars \
        --user-data-dir="$TMP/chrome" --force-device-scale-factor=1 \
        --window-size="$pw,$ph" --screenshot="$OUT/$name.png" "file://$html" \
        >"$TMP/$name.chrome.log" 2>&1
    if [ ! -s "$OUT/$name.png" ]; then
        echo "screenshots.sh: $CHROME made no $OUT/$name.png:" >&2
        sed 's/^/  /' "$TMP/$name.chrome.log" >&2
        exit 1
    fi
    echo "$OUT/$name.png (${w}x$h terminal, ${pw}x$ph pixels)"
}

# the two --demo runs start first and fill their sparklines meanwhile
start hosts 120 32 --demo
start narrow 50 16 --demo
t_demo=$(date +%s)

# a host's peers: 10.0.0.20 is the second host by bytes in the file, with many peers
start drilldown 120 32 -r data/demo.pcap
wait_for drilldown 'demo\.pcap done'
wait_for drilldown '^ 10\.0\.0\.20 '
keys drilldown /
tm drilldown send-keys -t shot -l 10.0.0.20
keys drilldown Enter
wait_for drilldown 'search: 10\.0\.0\.20'
keys drilldown Enter
wait_for drilldown '^ PEER '
sleep 0.3
grab drilldown
render drilldown 120 32 "flowdrill: the peers of a host"

# the Alerts screen (9) on the file: its scan and its flood
start alerts 120 32 -r data/demo.pcap
wait_for alerts 'demo\.pcap done'
keys alerts 9
wait_for alerts '^ Alerts: 2 '
sleep 0.3
grab alerts
render alerts 120 32 "flowdrill: alerts (9)"

start help 120 32 -r data/demo.pcap
wait_for help 'demo\.pcap done'
keys help '?'
wait_for help '^ flowdrill help'
grab help
render help 120 32 "flowdrill: help"

wait_for hosts '^ HOST '
wait_for narrow '^ HOST '
# half a minute of demo, so the sparklines (2 s a cell) have something to show
left=$((t_demo + ${DEMO_SECS:-30} - $(date +%s)))
[ $left -gt 0 ] && sleep "$left"
# untouched, the cursor is on the first row (the busiest); both screens are grabbed at once
sleep 0.3
grab hosts
grab narrow
render hosts 120 32 "flowdrill: hosts, live (--demo)"
render narrow 50 16 "flowdrill: a narrow terminal"
