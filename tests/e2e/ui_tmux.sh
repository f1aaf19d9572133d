#!/bin/bash
# ui_tmux.sh - the interactive screen end to end: the real program in a real terminal
# (tmux), keys sent with send-keys, the screen read back with capture-pane.
#
# Every case starts its own tmux server on a private socket (never the user's), in a
# session of a fixed size, with TERM and the locale set explicitly, and kills it when done.
# The data is data/demo.pcap read with -n (no DNS), so every figure is deterministic; the
# expected rows come from the program's own batch reports (the oracle) of the same file.
#
# Cases: first-screen, sort (> r s), drill-down and back, filter (and a syntax error),
# search (n, N), help, resize (40x10, 39x9, back), vt100 ASCII, quit restores the
# terminal, no terminal / TERM=dumb refuse with exit 2, --demo, and --demo left alone in
# a small terminal (live-top). Every case ends with Esc, q: the program must exit 0, with
# no sanitizer report on its stderr.
#
# Needs: FLOWDRILL (the program), TOP_SRCDIR (for data/demo.pcap); tmux >= 3.0 (Debian
# package tmux). Exit: 0 all ok, 1 some FAIL, 77 skipped (no tmux). About 15 s.
# UI_TMUX_KEEP=1 keeps the temporary directory (per-case stderr files) for a look.
# shellcheck disable=SC2317,SC2016,SC2034 # functions and variables used through eval, trap
set -u
FD=${FLOWDRILL:-./src/flowdrill}
SRC=${TOP_SRCDIR:-.}

if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP: tmux not installed (Debian package tmux; tools/deps.sh --test installs it)"
    exit 77
fi
# commands given to new-session as separate arguments (run without a shell) need tmux 3.0
tmux_major=$(tmux -V | sed -n 's/^tmux \([0-9]*\)\..*/\1/p')
if [ -n "$tmux_major" ] && [ "$tmux_major" -lt 3 ]; then
    echo "SKIP: $(tmux -V) is older than 3.0"
    exit 77
fi
case $FD in /*) ;; *) FD=$PWD/$FD ;; esac
case $SRC in /*) ;; *) SRC=$PWD/$SRC ;; esac
if [ ! -x "$FD" ]; then echo "FAIL: FLOWDRILL=$FD is not an executable"; exit 1; fi
if [ ! -r "$SRC/data/demo.pcap" ]; then echo "FAIL: $SRC/data/demo.pcap not found"; exit 1; fi
PCAP=data/demo.pcap # relative, run from $SRC: the title stays short whatever the path

TMP=$(mktemp -d)
SOCK=
SOCK_LIVE=
cleanup() {
    [ -n "$SOCK" ] && tmux -S "$SOCK" kill-server 2>/dev/null
    [ -n "$SOCK_LIVE" ] && tmux -S "$SOCK_LIVE" kill-server 2>/dev/null
    if [ -n "${UI_TMUX_KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail=0
n=0
t0=$(date +%s)
W=100 H=30 # the pane's size, set by start and by the resize case

# ---- tmux ----

tm() { tmux -u -f /dev/null -S "$SOCK" "$@"; }

# start NAME WIDTH HEIGHT TERM LOCALE -- ARGS...: a new private server whose only pane
# runs the program from $SRC (stderr to $TMP/NAME.err), then prints EXIT=status and stays.
# The command is given to tmux as separate arguments: executed without a shell of tmux's
# choosing, no quoting needed. LINES/COLUMNS would override the terminal size, NO_COLOR the
# colours: neither reaches the program.
start() {
    local name=$1 w=$2 h=$3 term=$4 loc=$5
    shift 6
    CASE=$name W=$w H=$h
    SOCK=$TMP/s.$name
    ERR=$TMP/$name.err
    # shellcheck disable=SC2016 # expanded by that sh
    tm new-session -d -s fd -x "$w" -y "$h" /bin/sh -c \
        'cd "$1" && echo BEFORE-FLOWDRILL && err=$2 && shift 2 && "$@" 2>"$err"; echo EXIT=$?; exec sleep 600' \
        sh "$SRC" "$ERR" env -u LINES -u COLUMNS -u NO_COLOR TERM="$term" LANG="$loc" LC_ALL="$loc" \
        "$FD" "$@" || { echo "FAIL $name: tmux new-session"; fail=1; return 1; }
}

# End a case: quit the program the ordinary way (Esc leaves a prompt, menu or help; q
# quits) so that it exits 0 and a sanitizer build reports leaks and errors at exit; then
# kill the private server.
stop() {
    [ -n "$SOCK" ] || return 0
    if ! pane | grep -q '^EXIT='; then
        keys Escape
        sleep 0.1
        keys q
        local i=0
        while [ $i -lt 50 ] && ! pane | grep -q '^EXIT='; do sleep 0.1; i=$((i + 1)); done
        refresh
        # (no alternate screen on vt100: the shell writes over the footer that stays)
        if ! has '^EXIT=0( |$)'; then
            bad "did not quit with status 0 on Esc, q ($(printf '%s\n' "$P" | grep -o '^EXIT=[0-9]*' || echo 'still running'))"
            showpane
        fi
    fi
    if grep -qiE 'sanitizer|runtime error|segmentation|abort' "$ERR" 2>/dev/null; then
        bad "crash or sanitizer report on stderr"
        sed 's/^/   /' "$ERR" | head -n 40
    fi
    tm kill-server 2>/dev/null
    SOCK=
}

keys() { tm send-keys -t fd "$@"; }   # key names: Enter BSpace Escape Up C-u ...
text() { tm send-keys -t fd -l "$1"; } # literal text
pane() { tm capture-pane -p -t fd; }

# The pane with the style of each line's first cell: "S<TAB>text" when that cell is drawn
# selected (cyan background, or reverse video without colour), "-<TAB>text" otherwise.
# capture-pane -e emits only the changes of style, so the state carries across lines.
pane_sel() {
    tm capture-pane -p -e -t fd | awk '
    BEGIN { esc = sprintf("%c", 27); bg = 49; rev = 0 }
    function sgr(p,    k, m, i, v) {
        if (p == "") p = "0"
        m = split(p, k, ";")
        for (i = 1; i <= m; i++) {
            v = k[i] + 0
            if (v == 0) { bg = 49; rev = 0 }
            else if (v == 7) rev = 1
            else if (v == 27) rev = 0
            else if ((v >= 40 && v <= 47) || v == 49 || (v >= 100 && v <= 107)) bg = v
            else if ((v == 38 || v == 48) && k[i + 1] == 5) { if (v == 48) bg = "5;" k[i + 2]; i += 2 }
            else if ((v == 38 || v == 48) && k[i + 1] == 2) { if (v == 48) bg = "2;" k[i + 2]; i += 4 }
        }
    }
    {
        line = $0; out = ""; first = ""
        while (length(line)) {
            c = substr(line, 1, 1)
            if (c == esc && substr(line, 2, 1) == "[") {
                j = 3
                while (j <= length(line) && substr(line, j, 1) ~ /[0-9;:]/) j++
                if (substr(line, j, 1) == "m") sgr(substr(line, 3, j - 3))
                line = substr(line, j + 1)
                continue
            }
            if (first == "") first = (bg == 46 || rev) ? "S" : "-"
            out = out c
            line = substr(line, 2)
        }
        if (first == "") first = (bg == 46 || rev) ? "S" : "-"
        print first "\t" out
    }'
}

# On screen $P (set by refresh): the column header line's number (1-based), the rows.
refresh() { P=$(pane); }
hdr_no() { printf '%s\n' "$P" | grep -nE '^ (HOST|PEER)( |$)' | head -n 1 | cut -d: -f1; }
rows() { # the key of every row under the header, up to the footer
    local h
    h=$(hdr_no)
    [ -n "$h" ] || return 0
    printf '%s\n' "$P" | sed -n "$((h + 1)),$((H - 1))p" | awk 'NF { print $1 }'
}
first_row() { rows | head -n 1; }
selected() { # the key of the selected row
    local h
    h=$(hdr_no)
    [ -n "$h" ] || return 0
    pane_sel | sed -n "$((h + 1)),$((H - 1))p" | awk -F'\t' '$1 == "S" { split($2, f, " "); print f[1]; exit }'
}

showpane() {
    echo "   --- pane ($CASE, ${W}x$H) ---"
    pane | sed 's/^/   |/'
    [ -s "${ERR:-/nonexistent}" ] && { echo "   --- stderr ---"; sed 's/^/   /' "$ERR"; }
}

# wait_for PATTERN [TIMEOUT]: until the pane matches the extended regexp (every 0.1 s)
wait_for() {
    local pat=$1 tmo=${2:-10} i=0
    while [ $i -lt $((tmo * 10)) ]; do
        pane | grep -qE -- "$pat" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "   timeout after ${tmo}s waiting for /$pat/"
    showpane
    return 1
}

# wait_until DESC TIMEOUT COMMAND...: until COMMAND succeeds (it sees a fresh $P)
wait_until() {
    local desc=$1 tmo=$2 i=0
    shift 2
    while [ $i -lt $((tmo * 10)) ]; do
        refresh
        "$@" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "   timeout after ${tmo}s waiting for: $desc"
    showpane
    return 1
}

first_is() { [ "$(first_row)" = "$1" ]; }
selected_is() { [ "$(selected)" = "$1" ]; }
has() { printf '%s\n' "$P" | grep -qE -- "$1"; }

ok() { n=$((n + 1)); echo "ok   $CASE${1:+: $1}"; }
bad() { n=$((n + 1)); echo "FAIL $CASE: $1"; fail=1; }

# the screen after the whole file is read: the title says "done", rows are drawn
ready() { wait_for "demo\.pcap done" 15 && wait_for '^ (HOST|PEER) ' 5; }

# ---- the oracle: batch reports of the same file ----
oracle() { # oracle TABLE SORT TOP [ARGS...]: the keys in order
    local t=$1 s=$2 top=$3
    shift 3
    (cd "$SRC" && "$FD" -r "$PCAP" -n --batch --by "$t" --sort "$s" --top "$top" "$@") |
        awk -v t="$t" '$0 ~ "^" t ": " { on = 1; next } on && /^ +[0-9]+  / {
            if (t == "pair") print $2, $3, $4; else print $2 }'
}
O_BYTES=$(oracle host bytes 0)
O_PKTS=$(oracle host packets 0)
O_FLOWS1=$(oracle host flows 1)
if [ "$(printf '%s\n' "$O_BYTES" | wc -l)" -lt 10 ]; then
    echo "FAIL oracle: the batch report of $PCAP has too few hosts:"; printf '%s\n' "$O_BYTES"; exit 1
fi
# the smallest packet count, and every host that has it
O_MINPKTS=$( (cd "$SRC" && "$FD" -r "$PCAP" -n --batch --by host --sort packets --top 0) |
    awk '/^ +[0-9]+  / { p = $11 } END { print p }')
O_MINSET=$( (cd "$SRC" && "$FD" -r "$PCAP" -n --batch --by host --sort packets --top 0) |
    awk -v m="$O_MINPKTS" '/^ +[0-9]+  / && $11 == m { print $2 }')

# ---- 12 (started first, checked last). live, untouched: the busiest host stays on screen ----
# --demo in a 50x16 terminal (9 rows) for 12 s, no key pressed. The demo's steady SSH
# conversation 10.0.0.5 <-> 198.51.100.20 (about 100 Kb/s all along) is always among the
# first rows by the 2 s rate, so 198.51.100.20 must be on screen.
start live-top 50 16 xterm-256color C.UTF-8 -- --demo -n
SOCK_LIVE=$SOCK ERR_LIVE=$ERR t_live=$(date +%s)
SOCK=

# ---- 1. the first screen ----
start first 100 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n
if ready; then
    refresh
    want=$(printf '%s\n' "$O_BYTES" | head -n 1)
    if ! has 'TOTAL▼'; then bad "the header does not mark TOTAL▼ (a file sorts by total)"; showpane
    elif [ "$(first_row)" != "$want" ]; then bad "first row '$(first_row)', oracle '$want'"; showpane
    elif [ "$(rows | head -n 5 | tr '\n' ' ')" != "$(printf '%s\n' "$O_BYTES" | head -n 5 | tr '\n' ' ')" ]; then
        bad "top 5 rows differ: '$(rows | head -n 5 | tr '\n' ' ')' vs oracle '$(printf '%s\n' "$O_BYTES" | head -n 5 | tr '\n' ' ')'"
    elif ! has '^ 1 Hosts  2 Conversations'; then bad "no view tabs at ${W}x$H"; showpane
    elif ! has "rows$"; then bad "no row count in the breadcrumb"; showpane
    elif [ "$(selected)" != "$want" ]; then bad "selection '$(selected)', expected the first row $want"; showpane
    else ok "first row $want, selected"; fi
else bad "the screen never showed the file's table"; fi
stop

# ---- 2. sort: > (to PKTS), r (reverse), s + menu (to FLOWS) ----
start sort 100 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n
if ready; then
    top1=$(printf '%s\n' "$O_BYTES" | head -n 1)
    want=$(printf '%s\n' "$O_PKTS" | head -n 1)
    keys '>'
    if wait_until "PKTS▼ and first row $want" 5 eval 'has "PKTS▼" && first_is "$want"'; then
        ok "> sorts by PKTS: first row $want"
    else bad "after '>': expected PKTS▼ and first row $want, got '$(first_row)'"; fi
    # nobody has moved yet, so the cursor stays on the top row through a new order (once
    # the user moves, it follows its row by key: see the drill case)
    keys r
    if wait_until "PKTS▲, the top row selected" 5 eval 'has "PKTS▲" && selected_is "$(first_row)" && ! selected_is "$top1"'; then
        ok "r reverses to PKTS▲, the cursor on the new top row $(first_row)"
    else bad "after 'r': expected PKTS▲ with the first row selected, selected '$(selected)'"; fi
    keys g
    if wait_until "a host with $O_MINPKTS packets first" 5 \
        eval 'printf "%s\n" "$O_MINSET" | grep -qxF -- "$(first_row)" && selected_is "$(first_row)"'; then
        ok "r then g: first row $(first_row) ($O_MINPKTS packets, as the oracle's smallest)"
    else bad "after 'r', 'g': expected one of the $(printf '%s\n' "$O_MINSET" | wc -l) hosts with $O_MINPKTS packets first, got '$(first_row)'"; fi
    keys s
    if wait_for 'Sort by \(Enter, Esc\)' 5 >/dev/null; then
        keys j Enter g
        if wait_until "FLOWS▼ and first row $O_FLOWS1" 5 eval 'has "FLOWS▼" && first_is "$O_FLOWS1" && ! has "Sort by"'; then
            ok "s, j, Enter (menu) sorts by FLOWS: first row $O_FLOWS1 (after g)"
        else bad "sort menu: expected FLOWS▼ and first row $O_FLOWS1, got '$(first_row)'"; fi
    else bad "s did not open the sort menu"; fi
else bad "the screen never showed the file's table"; fi
stop

# ---- 3. drill-down into 10.0.0.5 and back ----
host=10.0.0.5
want_peers=$( (cd "$SRC" && "$FD" -r "$PCAP" -n --batch --by pair --top 0) |
    awk -v h="$host" '/^ +[0-9]+  / && $3 == "<->" { if ($2 == h) print $4; else if ($4 == h) print $2 }' | sort)
start drill 100 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n
if ready; then
    keys /
    wait_for '^ Search: ' 5 && text "$host"
    if wait_until "$host selected by the search" 5 selected_is "$host"; then
        keys Enter
        wait_for "search: $host \\(n/N\\)" 5 >/dev/null
        keys Enter
        if wait_until "the PEER header" 5 eval 'has "^ PEER " && has "Hosts › $host › Peers"'; then
            got=$(rows | sort)
            if [ "$got" = "$want_peers" ]; then ok "Enter on $host shows its peers: $(echo "$got" | tr '\n' ' ')"
            else bad "peers of $host: screen '$(echo "$got" | tr '\n' ' ')', oracle '$(echo "$want_peers" | tr '\n' ' ')'"; showpane; fi
        else bad "Enter on $host did not open its peers"; fi
        keys BSpace
        if wait_until "back to Hosts with $host selected" 5 \
            eval 'has "^ HOST " && has "^ Hosts   [0-9]+ rows" && selected_is "$host"'; then
            ok "Backspace returns to Hosts, $host still selected"
        else bad "after Backspace: expected the Hosts table with $host selected, selected '$(selected)'"; fi
    else bad "search for $host did not select it (selected '$(selected)')"; fi
else bad "the screen never showed the file's table"; fi
stop

# ---- 4. filter: port 53; a syntax error keeps the old filter ----
# -f on the command line is a BPF capture filter: the same hosts are expected.
want53=$(oracle host bytes 0 -f 'port 53' | sort)
start filter 100 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n
if ready; then
    keys f
    wait_for '^ Filter: ' 5 && text "port 53" && keys Enter
    if wait_until "filter: port 53 in the breadcrumb" 5 eval 'has "filter: port 53" && ! has "^ Filter: "'; then
        got=$(rows | sort)
        if [ "$got" = "$want53" ]; then ok "port 53 leaves exactly the $(echo "$got" | wc -l) hosts of the BPF oracle"
        else
            bad "port 53 rows differ from the BPF oracle"
            echo "   oracle only: $(comm -23 <(echo "$want53") <(echo "$got") | tr '\n' ' ')"
            echo "   screen only: $(comm -13 <(echo "$want53") <(echo "$got") | tr '\n' ' ')"
            showpane
        fi
        before=$(rows | sort)
        keys f
        wait_for '^ Filter: port 53_' 5
        keys C-u
        text "hots 1.2.3.4"
        keys Enter
        if wait_for "^ Filter: hots 1\.2\.3\.4_ +unknown word 'hots' at column 1" 5; then
            ok "a syntax error shows in the prompt: $(pane | grep -o "unknown word.*" | sed 's/ *$//')"
            keys Escape
            if wait_until "the prompt closed, the old filter in place" 5 \
                eval '! has "^ Filter: " && has "filter: port 53" && [ "$(rows | sort)" = "$before" ]'; then
                ok "Esc leaves the old filter (port 53) and its rows"
            else bad "after Esc: the old filter or its rows are gone"; fi
        else bad "hots 1.2.3.4 did not give \"unknown word 'hots' at column 1\""; fi
    else bad "the filter port 53 did not apply"; fi
else bad "the screen never showed the file's table"; fi
stop

# ---- 5. search: jump, n, N ----
start search 100 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n
if ready; then
    target=203.0.113.80
    keys /
    wait_for '^ Search: ' 5 && text "$target" && keys Enter
    if wait_until "$target selected" 5 eval 'selected_is "$target" && has "search: $target \(n/N\)"'; then
        ok "/$target Enter selects it"
    else bad "/$target did not select it (selected '$(selected)')"; fi
    # a search with several matches: the rows in their order (by total bytes)
    pfx=203.0.113.
    nxt=$(printf '%s\n' "$O_BYTES" | grep -F -- "$pfx" | grep -xF -A1 -- "$target" | sed -n 2p)
    keys /
    wait_for '^ Search: ' 5 && text "$pfx" && keys Enter
    wait_until "search $pfx active" 5 has "search: $pfx \\(n/N\\)" >/dev/null
    if [ -z "$nxt" ]; then bad "oracle: no $pfx host after $target"
    else
        keys n
        if wait_until "n selects $nxt" 5 selected_is "$nxt"; then ok "n moves to the next match $nxt"
        else bad "n: expected $nxt selected, got '$(selected)'"; fi
        keys N
        if wait_until "N selects $target" 5 selected_is "$target"; then ok "N moves back to $target"
        else bad "N: expected $target selected, got '$(selected)'"; fi
    fi
else bad "the screen never showed the file's table"; fi
stop

# ---- 6. help ----
start help 100 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n
if ready; then
    keys '?'
    if wait_until "help" 5 eval 'printf "%s\n" "$P" | head -n 1 | grep -q "^ flowdrill help" && has "Esc.?Close"'; then
        ok "? opens help"
        keys x
        if wait_until "the table back" 5 eval 'has "^ HOST " && ! has "flowdrill help"'; then ok "any key (x) closes help"
        else bad "x did not close help"; fi
    else bad "? did not open help"; fi
else bad "the screen never showed the file's table"; fi
stop

# ---- 7. resize: 40x10, 39x9, back to 100x30 ----
clean_small() { # the whole 40x10 screen is a valid layout, line by line
    local lines
    lines=$(printf '%s\n' "$P" | wc -l)
    [ "$lines" = 10 ] || return 1
    printf '%s\n' "$P" | sed -n 1p | grep -q '^ flowdrill  data/demo\.pcap' || return 1
    printf '%s\n' "$P" | sed -n 2p | grep -q '^ Total ' || return 1
    printf '%s\n' "$P" | sed -n 3p | grep -q '^ Hosts   [0-9]* rows' || return 1
    printf '%s\n' "$P" | sed -n 4p | grep -qE '^ HOST +.*TOTAL▼' || return 1
    # five rows: an address, then figures only; nothing of the wide screen left over
    printf '%s\n' "$P" | sed -n 5,9p | awk '!/^ [0-9a-f.:]+~? +[0-9]/ { bad = 1 } END { exit bad }' || return 1
    printf '%s\n' "$P" | sed -n 10p | grep -q '^F1Help ' || return 1
    ! printf '%s\n' "$P" | grep -qE 'LAST 60s|Conversations|Drops'
}
start resize 100 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n
if ready; then
    tm resize-window -t fd -x 40 -y 10
    H=10 W=40
    if wait_until "a clean 40x10 layout" 5 clean_small; then
        top5=$(printf '%s\n' "$O_BYTES" | head -n 5 | tr '\n' ' ')
        if [ "$(rows | tr '\n' ' ')" = "$top5" ]; then ok "40x10: title, totals, header, 5 rows ($top5), footer"
        else bad "40x10 rows '$(rows | tr '\n' ' ')' vs oracle '$top5'"; showpane; fi
    else bad "40x10 is not a clean layout"; fi
    tm resize-window -t fd -x 39 -y 9
    H=9 W=39
    if wait_until "terminal too small" 5 eval 'has "terminal too small \(39x9\); need 40x10" &&
        [ "$(printf "%s\n" "$P" | grep -c "[^ ]")" = 1 ]'; then ok "39x9: only 'terminal too small (39x9); need 40x10'"
    else bad "39x9 does not say only 'terminal too small (39x9); need 40x10'"; fi
    tm resize-window -t fd -x 100 -y 30
    H=30 W=100
    if wait_until "the full table at 100x30" 5 eval 'has "^ 1 Hosts  2 Conversations" && has "LAST 60s" &&
        [ "$(rows | wc -l)" = 23 ] && first_is "$(printf "%s\n" "$O_BYTES" | head -n 1)"'; then
        ok "back to 100x30: tabs, all columns, 23 rows"
    else bad "back at 100x30 the full table is not there ($(rows | wc -l) rows)"; fi
else bad "the screen never showed the file's table"; fi
stop

# ---- 8. TERM=vt100 LANG=C: ASCII only ----
start vt100 100 30 vt100 C -- -r "$PCAP" -n
if ready; then
    refresh
    high=$(printf '%s\n' "$P" | LC_ALL=C tr -d '\000-\177' | wc -c)
    if [ "$high" != 0 ]; then bad "$high bytes >= 0x80 on a vt100 screen"; showpane
    elif ! has 'TOTALv'; then bad "no ASCII sort mark 'TOTALv'"; showpane
    elif [ "$(first_row)" != "$(printf '%s\n' "$O_BYTES" | head -n 1)" ]; then bad "first row '$(first_row)'"; showpane
    else ok "ASCII only, sort mark TOTALv"; fi
    keys Enter
    if wait_until "an ASCII breadcrumb" 5 has '^ Hosts > [0-9a-f.:]+ > Peers '; then
        refresh
        high=$(printf '%s\n' "$P" | LC_ALL=C tr -d '\000-\177' | wc -c)
        if [ "$high" = 0 ]; then ok "drill-down breadcrumb uses ' > ', still ASCII"
        else bad "$high bytes >= 0x80 after the drill-down"; showpane; fi
    else bad "no ' > ' breadcrumb after Enter"; fi
else bad "the screen never showed the file's table"; fi
stop

# ---- 9. q quits with status 0 and restores the terminal ----
start quit 100 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n
if ready; then
    keys q
    if wait_for '^EXIT=' 5; then
        refresh
        if ! has '^EXIT=0$'; then bad "exit status: $(printf '%s\n' "$P" | grep '^EXIT=')"; showpane
        elif ! has '^BEFORE-FLOWDRILL$' || has '^ HOST |F1Help|flowdrill  data'; then
            bad "the alternate screen was not left (the table is still there)"; showpane
        elif [ -s "$ERR" ]; then bad "stderr not empty"; sed 's/^/   /' "$ERR"
        else ok "q: EXIT=0, the shell's screen is back, stderr empty"; fi
    else bad "q did not end the program"; fi
else bad "the screen never showed the file's table"; fi
stop

# ---- 10. no terminal: refuse, exit 2, name --batch ----
CASE=no-terminal
(cd "$SRC" && TERM=xterm-256color "$FD" -r "$PCAP" -n 2>"$TMP/pipe.err" | cat >"$TMP/pipe.out"; exit "${PIPESTATUS[0]}")
st=$?
if [ $st = 2 ] && grep -q -- '--batch' "$TMP/pipe.err" && [ ! -s "$TMP/pipe.out" ]; then
    ok "stdout piped: exit 2: $(head -n 1 "$TMP/pipe.err")"
else bad "stdout piped: exit $st, stderr '$(cat "$TMP/pipe.err")'"; fi
start dumb 100 30 dumb C.UTF-8 -- -r "$PCAP" -n
if wait_for '^EXIT=' 10; then
    refresh
    if has '^EXIT=2$' && grep -q -- '--batch' "$ERR"; then ok "TERM=dumb in a terminal: exit 2: $(head -n 1 "$ERR")"
    else bad "TERM=dumb: $(printf '%s\n' "$P" | grep '^EXIT='), stderr '$(cat "$ERR")'"; fi
else bad "TERM=dumb: the program did not exit"; fi
stop

# ---- 11. --demo ----
start demo 100 30 xterm-256color C.UTF-8 -- --demo -n
if wait_until "demo title and rows" 3 eval 'printf "%s\n" "$P" | head -n 1 | grep -qi "demo" && [ -n "$(first_row)" ]'; then
    ok "rows within 3 s; title: $(printf '%s\n' "$P" | head -n 1 | sed 's/ *$//')"
else bad "--demo: no rows within 3 s or no 'demo' in the title"; fi
keys q
wait_for '^EXIT=0$' 5 >/dev/null || bad "--demo: q did not exit 0"
stop

# ---- --no-color: no colour at all, the selection in reverse video ----
start nocolor 100 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n --no-color
if ready; then
    esc=$(printf '\033')
    colours=$(tm capture-pane -p -e -t fd | grep -oE "$esc\[[0-9;]*m" | grep -cE '\[([0-9;]*;)?(3[0-7]|4[0-7]|38|48|9[0-7]|10[0-7])(;|m)' || true)
    if [ "$colours" = 0 ] && pane_sel | grep -q '^S'; then
        ok "--no-color: no colour codes, the selected row still stands out (reverse)"
    else bad "--no-color: $colours colour codes on screen, or no selected row"; fi
else bad "--no-color: the screen never showed the file's table"; fi
keys q
wait_for '^EXIT=0$' 5 >/dev/null || bad "--no-color: q did not exit 0"
stop

# ---- --count on the screen: that many refreshes, then exit 0 ----
start count 80 24 xterm-256color C.UTF-8 -- --demo -n --count 2 -d 0.5
if wait_for '^EXIT=0$' 6 >/dev/null; then ok "--count 2 -d 0.5: exits 0 by itself"
else bad "--count 2 on the screen did not exit 0 within 6 s"; fi
stop

# ---- alerts: the badge, the Alerts screen (9), Enter into the flows, A and Esc ----
start alerts 120 30 xterm-256color C.UTF-8 -- -r "$PCAP" -n
if ready; then
    refresh
    if has '^ flowdrill  data/demo\.pcap done .* ALERTS 2 \(9\) *$'; then ok "title badge: ALERTS 2 (9)"
    else bad "no 'ALERTS 2 (9)' at the end of the title"; showpane; fi
    keys 9
    if wait_until "the Alerts screen" 5 eval 'has "^ Alerts: 2 \(2 active\)" && has "^ KIND +STATE +SOURCE +TARGET +FIRST +LAST▼"'; then
        al=$(printf '%s\n' "$P" | grep -A2 '^ KIND ')
        if printf '%s\n' "$al" | sed -n 2p | grep -qE '^ udp_flood +active +\* +10\.0\.0\.20 .* sources, [0-9.k]+ pkt/s' &&
            printf '%s\n' "$al" | sed -n 3p | grep -qE '^ port_scan +active +203\.0\.113\.66 +10\.0\.0\.20 .* tcp ports'; then
            ok "Alerts: the flood, then the scan (newest first)"
        else bad "Alerts rows:"; printf '%s\n' "$al" | sed 's/^/   |/'; fi
    else bad "9 did not open the Alerts screen"; fi
    keys Down Enter
    if wait_until "the scan's flows" 5 eval 'has "^ Flows +filter: host 203\.0\.113\.66 and host 10\.0\.0\.20 and tcp +[0-9]+ rows" && has "^ FLOW "'; then
        nflows=$(printf '%s\n' "$P" | grep -oE 'and tcp +[0-9]+ rows' | grep -oE '[0-9]+')
        if printf '%s\n' "$P" | grep -A1 '^ FLOW ' | tail -n 1 | grep -q '203\.0\.113\.66:45121 <-> 10\.0\.0\.20:'; then
            ok "Enter: the Flows view filtered to the scan ($nflows flows)"
        else bad "the scan's flows are not 203.0.113.66:45121 <-> 10.0.0.20"; showpane; fi
    else bad "Enter on the scan did not show its flows"; fi
    keys A
    wait_until "A opens it again" 5 has '^ Alerts: 2' && keys Escape &&
        wait_until "Esc closes it" 5 has '^ FLOW ' && ok "A opens, Esc closes the Alerts screen" ||
        bad "A / Esc"
else bad "the screen never showed the file's table"; fi
stop

# ---- sFlow interfaces: the UTIL column from counter samples (tests/mksflow of the demo) ----
MKSFLOW=${TOP_BUILDDIR:-.}/tests/mksflow
if [ -x "$MKSFLOW" ] && "$MKSFLOW" "$SRC/$PCAP" "$TMP/sflow.pcap" >/dev/null; then
    start util 140 24 xterm-256color C.UTF-8 -- -r "$TMP/sflow.pcap" -l 6343 -n
    if wait_for 'sflow\.pcap done' 15 >/dev/null; then
        keys 8
        if wait_until "the Interfaces view with UTIL" 5 eval 'has "^ INTERFACE .* UTIL in/out" &&
            has "^ 192\.0\.2\.1/0 if 1 .* [0-9]+\.[0-9]%/[0-9]+\.[0-9]% " && has "^ 192\.0\.2\.1/0 if 2 .* - "'; then
            ok "8: UTIL in/out for the interface with counter samples, '-' for the other"
        else bad "no UTIL column or values in the Interfaces view"; showpane; fi
    else bad "the sFlow capture was not read"; fi
    stop
else
    CASE=util
    bad "tests/mksflow missing or failed (TOP_BUILDDIR=${TOP_BUILDDIR:-})"
fi

# ---- 12. (see above) ----
SOCK=$SOCK_LIVE ERR=$ERR_LIVE CASE=live-top W=50 H=16
SOCK_LIVE=
left=$((t_live + 12 - $(date +%s)))
[ $left -gt 0 ] && sleep "$left"
refresh
if ! has '^ HOST '; then bad "--demo at 50x16: no table after 12 s"; showpane
elif rows | grep -qxF 198.51.100.20; then
    ok "the busiest host stays on screen while nobody moves (selected $(selected))"
else
    bad "198.51.100.20 not on screen after 12 s untouched (first row $(first_row), selected $(selected))"
    showpane
fi
stop

echo "$n checks run in $(($(date +%s) - t0)) s"
exit $fail
