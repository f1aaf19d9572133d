#!/usr/bin/env bash
# collector.sh - NetFlow v5 / v9 / IPFIX and sFlow v5 ingest rate of flowdrill's
# collector against nfcapd (nfdump; NetFlow/IPFIX), sfacctd (pmacct; sFlow) and a
# do-nothing receiver, over loopback.
#
# Run from the top build directory. Environment:
#   FLOWDRILL  flowdrill binary                 (default ./src/flowdrill)
#   FLOWGEN    prebuilt bench/flowgen.c         (default: built into bench/out/)
#   VERSIONS   export versions to test          (default "5 9 10 sflow")
#   RECEIVERS  receivers to test                (default "sink nfcapd sfacctd flowdrill";
#              nfcapd takes the NetFlow/IPFIX versions only, sfacctd sflow only)
#   SECS       seconds of traffic per trial     (default 4)
#   LO, HI     record rates bracketing the search (default 100000, 8000000)
#   STEPS      bisection steps after the LO trial (default 6)
#   PORT       UDP port on 127.0.0.1            (default 29995)
#   PIN        1 = generator on CPU 1, receiver on CPU 0 (taskset; default 0)
#   CLIENTS    client addresses the generator draws from (default 65536;
#              16777216: a flood from spoofed sources, a new host per record)
# For every version and receiver it finds the highest rate of flow records per
# second (for sflow: flow samples per second) received with under 1% loss, by
# geometric bisection between LO and HI.
# Raw figures: bench/out/collector.results. See bench/README.md.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
out=bench/out
FLOWDRILL=${FLOWDRILL:-./src/flowdrill}
VERSIONS=${VERSIONS:-"5 9 10 sflow"}
RECEIVERS=${RECEIVERS:-"sink nfcapd sfacctd flowdrill"}
SECS=${SECS:-4}
LO=${LO:-100000}
HI=${HI:-8000000}
STEPS=${STEPS:-6}
PORT=${PORT:-29995}
PIN=${PIN:-0}
CLIENTS=${CLIENTS:-65536}
RCVBUF=16777216
WANT_RMEM=33554432
LOSS_MAX=1 # percent
results=$out/collector.results
log=$out/collector.log
work=$out/collector.tmp

die() {
    echo "collector.sh: $*" >&2
    exit 1
}

for v in SECS LO HI STEPS PORT CLIENTS; do
    case "${!v}" in '' | *[!0-9.]*) die "$v must be a positive number" ;; esac
done
for v in $VERSIONS; do
    case "$v" in 5 | 9 | 10 | sflow) ;; *) die "VERSIONS: '$v' is not 5, 9, 10 or sflow" ;; esac
done
for r in $RECEIVERS; do
    case "$r" in sink | nfcapd | sfacctd | flowdrill) ;;
    *) die "RECEIVERS: '$r' is not sink, nfcapd, sfacctd or flowdrill" ;;
    esac
done
(( PORT > 20000 && PORT < 65536 )) || die "PORT must be 20001-65535 (well clear of real collectors' ports)"
# the name of a version in the output: v5, v9, IPFIX, sFlow
vname() { case $1 in 10) echo IPFIX ;; sflow) echo sFlow ;; *) echo "v$1" ;; esac; }
command -v python3 >/dev/null 2>&1 || die "python3 not found (needed to read flowdrill's JSON)"
mkdir -p "$out"
: >"$log"

# --- the generator -------------------------------------------------------------
if [ -z "${FLOWGEN:-}" ]; then
    FLOWGEN=$out/flowgen
    if [ ! -x "$FLOWGEN" ] || [ "$srcdir/bench/flowgen.c" -nt "$FLOWGEN" ]; then
        echo "building $FLOWGEN"
        ${CC:-cc} -std=c11 -O2 -o "$FLOWGEN" "$srcdir/bench/flowgen.c" || die "cannot build flowgen"
    fi
fi
[ -x "$FLOWGEN" ] || die "FLOWGEN='$FLOWGEN' is not executable"

# --- the receivers we can run --------------------------------------------------
have_nfcapd=0 nfcapd_dir_opt="" nfcapd_buf_opt=() nfcapd_version=""
if [[ " $RECEIVERS " == *" nfcapd "* ]]; then
    if command -v nfcapd >/dev/null 2>&1 && command -v nfdump >/dev/null 2>&1; then
        help=$(nfcapd -h 2>&1 || true)
        # nfdump >= 1.7: -w flowdir; 1.6.x (Debian 12 before its update): -l basedir
        if grep -qE '^[[:space:]]*-w[[:space:]]' <<<"$help"; then
            nfcapd_dir_opt=-w
        elif grep -qE '^[[:space:]]*-l[[:space:]]' <<<"$help"; then
            nfcapd_dir_opt=-l
        fi
        grep -qE '^[[:space:]]*-B[[:space:]]' <<<"$help" && nfcapd_buf_opt=(-B "$RCVBUF")
        nfcapd_version=$(nfcapd -V 2>&1 | head -n 1 || true)
        if [ -n "$nfcapd_dir_opt" ]; then
            have_nfcapd=1
        else
            echo "nfcapd: its -h lists neither -w nor -l; skipped"
        fi
    else
        echo "nfcapd/nfdump not found (Debian package 'nfdump'); nfcapd skipped"
    fi
fi

have_sfacctd=0 sfacctd_version=""
if [[ " $RECEIVERS " == *" sfacctd "* && " $VERSIONS " == *" sflow "* ]]; then
    command -v sfacctd >/dev/null 2>&1 || PATH=$PATH:/usr/sbin # Debian installs it there
    if command -v sfacctd >/dev/null 2>&1; then
        have_sfacctd=1
        sfacctd_version=$(sfacctd -V 2>&1 | head -n 1 || true)
    else
        echo "sfacctd not found (Debian package 'pmacct'); sfacctd skipped"
    fi
fi

# --- socket buffers ------------------------------------------------------------
rmem_note=""
old_rmem=$(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo 0)
restore_rmem() { :; }
if [ "$old_rmem" -lt "$WANT_RMEM" ]; then
    if [ "$(id -u)" -eq 0 ] && sysctl -q -w net.core.rmem_max=$WANT_RMEM >/dev/null 2>&1; then
        rmem_note="net.core.rmem_max raised from $old_rmem to $WANT_RMEM for the run (restored at exit)"
        restore_rmem() { sysctl -q -w net.core.rmem_max="$old_rmem" >/dev/null 2>&1 || true; }
    else
        rmem_note="net.core.rmem_max is $old_rmem and could not be raised (not root?): receivers get at most $((old_rmem * 2)) bytes of buffer"
    fi
else
    rmem_note="net.core.rmem_max is $old_rmem (large enough)"
fi

rx_pid="" # the receiver running now
cleanup() {
    if [ -n "$rx_pid" ]; then kill -KILL "$rx_pid" 2>/dev/null || true; fi
    restore_rmem
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers -------------------------------------------------------------------
hexport=$(printf '%04X' "$PORT")
clk_tck=$(getconf CLK_TCK)

# udp_sock FIELD: rx_queue (bytes), drops or inode of the listening socket on PORT
udp_sock() {
    awk -v p=":$hexport" -v f="$1" '
        NR > 1 && substr($2, length($2) - 4) == p && $3 == "00000000:0000" {
            split($5, q, ":")
            if (f == "rx_queue") print q[2]
            else if (f == "drops") print $NF
            else print $10
            exit }' /proc/net/udp
}
queued() { # bytes waiting in the socket on PORT
    local h
    h=$(udp_sock rx_queue)
    echo $((16#${h:-0}))
}
bound() { [ -n "$(udp_sock inode)" ]; }
# cpu_seconds PID: user + system time of the whole process (all threads) and of its
# children it has reaped
cpu_seconds() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || {
        echo 0
        return
    }
    s=${s##*) } # past the command name
    # shellcheck disable=SC2086
    set -- $s
    awk -v u="${12}" -v k="${13}" -v cu="${14}" -v ck="${15}" -v t="$clk_tck" \
        'BEGIN { printf "%.2f", (u + k + cu + ck) / t }'
}
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# a receiver and its live children: sfacctd's work is done in its plugin process
tree_of() {
    local kids
    kids=$(pgrep -P "$1" 2>/dev/null || true)
    echo "$1" "$kids"
}
tree_cpu() {
    local p t=0
    for p in $(tree_of "$1"); do t=$(awk -v a="$t" -v b="$(cpu_seconds "$p")" 'BEGIN { printf "%.2f", a + b }'); done
    echo "$t"
}
tree_hwm() {
    local p t=0 h
    for p in $(tree_of "$1"); do
        h=$(hwm_kb "$p")
        t=$((t + ${h:-0}))
    done
    echo "$t"
}
rcvbuf_of() { # effective receive buffer of the socket on PORT, from ss
    ss -H -uln -m "sport = :$PORT" 2>/dev/null | grep -o 'rb[0-9]*' | head -n 1 | tr -d rb || true
}
# stop PID [SIGNAL]: SIGNAL (default TERM), then SIGKILL after 15 s, to it and to the
# children it had (sfacctd's plugin, which writes the output: waited for too)
stop() {
    local pid=$1 sig=${2:-TERM} i p kids
    kids=$(pgrep -P "$pid" 2>/dev/null || true)
    kill -"$sig" "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for p in $kids; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null || true
    done
}
# flowdrill_records FILE VERSION: from the final JSON line, "RECORDS OWN_LOST", or "none".
# NetFlow/IPFIX: .flow_exports.records, own loss "-"; sFlow: the flow samples its agents'
# rows count (.flow_exports.exporters[].sflow_flow_samples, every sample decoded, whether
# or not its header yielded a flow) and the samples flowdrill itself found missing from
# the sources' sequence numbers (sflow_samples_lost), a check on the count.
flowdrill_records() {
    python3 -c '
import json, sys
sflow = sys.argv[1] == "sflow"
rec = "none"
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"):
        continue
    try:
        d = json.loads(line)
    except ValueError:
        continue
    fe = d.get("flow_exports")
    if not isinstance(fe, dict) or "records" not in fe:
        continue
    if sflow:
        ex = [e for e in fe.get("exporters", []) if e.get("protocol") == "sflow5"]
        rec = "%d %d" % (sum(e["sflow_flow_samples"] for e in ex),
                         sum(e["sflow_samples_lost"] for e in ex))
    else:
        rec = "%d -" % int(fe["records"])
print(rec)' "$2" <"$1"
}
# sfacctd_records FILE: flow samples in sfacctd's print output: the sum of its PACKETS
# column. Exact: without sfacctd_renormalize every flow sample books one packet, and
# the file is appended to, so purges forced by a full cache mid-trial are kept (each
# purge writes a cache's worth of rows; the sum over all of them is the total).
sfacctd_records() {
    [ -f "$1" ] || {
        echo 0
        return
    }
    awk -F, '/PACKETS/ { for (i = 1; i <= NF; i++) if ($i == "PACKETS") c = i; next }
             c && $1 ~ /^[0-9a-f:.]+$/ { n += $c } END { printf "%d\n", n }' "$1"
}
nfcapd_records() { # flows nfcapd stored in directory $1
    local n
    n=$(nfdump -R "$1" -I 2>>"$log" | awk '/^Flows:/ { print $2; exit }')
    if [ -z "$n" ]; then # older nfdump: count csv lines
        n=$(nfdump -R "$1" -q -o csv 2>>"$log" | grep -c '^[0-9]' || true)
    fi
    echo "${n:-0}"
}
# CPU pinning prefixes (commands, not a shell function, so that $! is the receiver)
pin_rx=() pin_gen=()
if [ "$PIN" = 1 ]; then
    command -v taskset >/dev/null 2>&1 || die "PIN=1 needs taskset (Debian package util-linux)"
    pin_rx=(taskset -c 0) pin_gen=(taskset -c 1)
fi

# sfacctd_conf DIR: sfacctd on 127.0.0.1:PORT, print plugin keeping per host-pair
# totals (as bench/sflow.sh), tuned as pmacct's CONFIG-KEYS advises for heavy loads: the
# socket buffer the others get (sfacctd_pipe_size), a core-to-plugin queue as large as
# that buffer in 16 KiB chunks (plugin_pipe_size, plugin_buffer_size: about the 1:1000
# ratio it recommends; without a buffer every sample is a transfer of its own), and 65537
# cache buckets (~650k host pairs, 265 MB). Past that the plugin purges early; the output
# file is appended to, so nothing is lost to the count. The queue is a second buffer
# after the socket's: the drain below waits for the plugin too.
sfacctd_conf() {
    cat <<EOF
daemonize: false
sfacctd_ip: 127.0.0.1
sfacctd_port: $PORT
sfacctd_pipe_size: $RCVBUF
plugins: print
aggregate: src_host, dst_host
print_output: csv
print_output_file: $1/sf.csv
print_output_file_append: true
print_refresh_time: 3600
print_cache_entries: 65537
plugin_pipe_size: $RCVBUF
plugin_buffer_size: 16384
EOF
}

# trial RECEIVER VERSION RATE: one run; sets T_* and returns 0 when loss < LOSS_MAX %
T_SENT=0 T_RECV=0 T_ACH=0 T_CPU=0 T_HWM=0 T_DROPS=0 T_LOSS=0 T_BUF=0 T_OWN="-"
trial() {
    local rx=$1 ver=$2 rate=$3 pid i gen c0 c1 c0_idle recv
    rm -rf "$work"
    mkdir -p "$work/nf"
    T_OWN="-"
    case $rx in
    sink)
        "${pin_rx[@]}" "$FLOWGEN" --sink --port "$PORT" --rcvbuf "$RCVBUF" >"$work/rx.out" 2>>"$log" &
        ;;
    nfcapd)
        "${pin_rx[@]}" nfcapd "$nfcapd_dir_opt" "$work/nf" -p "$PORT" -b 127.0.0.1 -t 3600 \
            "${nfcapd_buf_opt[@]}" >"$work/rx.out" 2>&1 &
        ;;
    sfacctd)
        sfacctd_conf "$work" >"$work/sf.conf"
        "${pin_rx[@]}" sfacctd -f "$work/sf.conf" >"$work/rx.out" 2>&1 &
        ;;
    flowdrill)
        "${pin_rx[@]}" "$FLOWDRILL" -l "127.0.0.1:$PORT" --json -d 3600 --rcvbuf "$RCVBUF" \
            >"$work/rx.out" 2>"$work/rx.err" &
        ;;
    esac
    pid=$!
    rx_pid=$pid
    for ((i = 0; i < 100; i++)); do
        bound && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if ! bound; then
        stop "$pid"
        echo "== $rx did not bind 127.0.0.1:$PORT" >>"$log"
        cat "$work/rx.out" "$work/rx.err" >>"$log" 2>/dev/null || true
        return 2
    fi
    sleep 0.3 # let it finish starting up
    T_BUF=$(rcvbuf_of)
    c0=$(tree_cpu "$pid")
    gen=$("${pin_gen[@]}" "$FLOWGEN" --version "$ver" --port "$PORT" --rate "$rate" --seconds "$SECS" \
        --clients "$CLIENTS" 2>>"$log") ||
        die "flowgen failed; see $log"
    # drain: wait for the socket queue to empty (at most 10 s), then until the receiver
    # has gone idle (under 20 ms of CPU in 0.3 s; at most 20 s more): a backlog behind the
    # socket (sfacctd's plugin queue, flowdrill's held records) is worked off, not lost
    for ((i = 0; i < 100; i++)); do
        [ "$(queued)" = 0 ] && break
        sleep 0.1
    done
    c1=$(tree_cpu "$pid")
    for ((i = 0; i < 66; i++)); do
        sleep 0.3
        c0_idle=$c1
        c1=$(tree_cpu "$pid")
        if awk -v a="$c0_idle" -v b="$c1" 'BEGIN { exit !(b - a < 0.02) }'; then
            c1=$c0_idle # the CPU up to the idle spell, not the idle loop's ticks in it
            break
        fi
    done
    T_HWM=$(tree_hwm "$pid")
    T_DROPS=$(udp_sock drops)
    # sfacctd purges its cache (writes the output) on SIGINT; on SIGTERM it just exits
    stop "$pid" "$([ "$rx" = sfacctd ] && echo INT || echo TERM)"
    rx_pid=""
    T_SENT=$(sed -n 's/.*sent_records=\([0-9]*\).*/\1/p' <<<"$gen")
    T_ACH=$(sed -n 's/.*achieved_rate=\([0-9]*\).*/\1/p' <<<"$gen")
    case $rx in
    sink) recv=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$work/rx.out") ;;
    nfcapd)
        cat "$work/rx.out" >>"$log"
        recv=$(nfcapd_records "$work/nf")
        ;;
    sfacctd)
        grep -v -e 'Purging cache' -e "'--build=" "$work/rx.out" >>"$log" || true
        recv=$(sfacctd_records "$work/sf.csv")
        ;;
    flowdrill)
        recv=$(flowdrill_records "$work/rx.out" "$ver")
        cat "$work/rx.err" >>"$log"
        [ "$recv" = none ] || {
            T_OWN=${recv#* }
            recv=${recv%% *}
        }
        ;;
    esac
    T_RECV=${recv:-0}
    [ "$T_RECV" = none ] && return 3
    T_CPU=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
    T_LOSS=$(awk -v s="$T_SENT" -v r="$T_RECV" 'BEGIN { printf "%.3f", (s > 0) ? 100 * (s - r) / s : 100 }')
    echo "$ver $rx $rate $T_ACH $T_SENT $T_RECV $T_LOSS $T_CPU ${T_HWM:-0} ${T_DROPS:-0} ${T_BUF:-0} $T_OWN" >>"$results"
    awk -v l="$T_LOSS" -v m="$LOSS_MAX" 'BEGIN { exit !(l < m) }'
}

fmt_rate() { awk -v r="$1" 'BEGIN { if (r >= 1e6) printf "%.2fM", r / 1e6; else printf "%.0fk", r / 1e3 }'; }

# search RECEIVER VERSION: bisection; appends a "best" line to $results
search() {
    local rx=$1 ver=$2 lo hi mid step rc best=0 cpu=0 hwm=0 recv=0 flag="" ok
    lo=$LO hi=$HI
    step=0
    mid=$lo
    while :; do
        rc=0
        trial "$rx" "$ver" "$mid" || rc=$?
        if [ "$rc" -ge 2 ]; then
            return "$rc"
        fi
        ok=$([ "$rc" = 0 ] && echo ok || echo LOSS)
        printf '  %-5s %-9s target %7s/s  sent at %7s/s  loss %7s%%  %s\n' "$(vname "$ver")" "$rx" \
            "$(fmt_rate "$mid")" "$(fmt_rate "$T_ACH")" "$T_LOSS" "$ok"
        local gen_bound
        gen_bound=$(awk -v a="$T_ACH" -v t="$mid" 'BEGIN { print (a < 0.95 * t) ? 1 : 0 }')
        if [ "$rc" = 0 ]; then
            if awk -v a="$T_ACH" -v b="$best" 'BEGIN { exit !(a > b) }'; then
                best=$T_ACH cpu=$T_CPU hwm=$T_HWM recv=$T_RECV
            fi
            if [ "$gen_bound" = 1 ]; then
                flag=">=" # the generator, not the receiver, set the limit
                break
            fi
            lo=$mid
        else
            [ "$step" = 0 ] && {
                flag="<"
                best=$LO
                break
            }
            hi=$(awk -v a="$T_ACH" -v t="$mid" 'BEGIN { printf "%.0f", a < t ? a : t }')
        fi
        step=$((step + 1))
        [ "$step" -gt "$STEPS" ] && break
        mid=$(awk -v a="$lo" -v b="$hi" 'BEGIN { printf "%.0f", sqrt(a * b) }')
        # give up early when the bracket is already tight (within 5%)
        awk -v a="$lo" -v b="$hi" 'BEGIN { exit !(b / a < 1.05) }' && break
    done
    local cpm
    cpm=$(awk -v c="$cpu" -v r="$recv" 'BEGIN { if (r > 0) printf "%.3f", c / r * 1e6; else print "n/a" }')
    echo "best $ver $rx ${flag:-=} $best $cpm ${hwm:-0}" >>"$results"
    return 0
}

# --- flowdrill probe: is the collector there? ---------------------------------
have_flowdrill=0
if [[ " $RECEIVERS " == *" flowdrill "* ]]; then
    if [ ! -x "$FLOWDRILL" ] || [ -d "$FLOWDRILL" ]; then
        echo "flowdrill: '$FLOWDRILL' is not an executable file; skipped (build it, or set FLOWDRILL)"
    else
        results_save=$results
        results=/dev/null
        rc=0
        SECS_SAVE=$SECS
        SECS=1
        trial flowdrill 5 20000 || rc=$?
        SECS=$SECS_SAVE
        results=$results_save
        case $rc in
        0 | 1) have_flowdrill=1 ;;
        2) echo "flowdrill: '$FLOWDRILL -l 127.0.0.1:$PORT' did not listen on the port" \
            "(collector not built yet?); skipped. Its messages are in $log" ;;
        3) echo "flowdrill: its final JSON line has no flow_exports.records (collector not" \
            "built yet?); skipped" ;;
        esac
    fi
fi

# --- the runs ------------------------------------------------------------------
: >"$results"
{
    echo "# collector.sh $(date -u '+%Y-%m-%dT%H:%M:%SZ') nproc=$(nproc) $(uname -sr)"
    echo "# $rmem_note"
    echo "# trial lines: version receiver target_rate achieved_rate sent_records received_records loss_pct cpu_s vmhwm_kb kernel_drops rcvbuf_bytes own_lost"
    echo "#   (records of sflow: flow samples; own_lost: flowdrill's sflow_samples_lost, from the sample sequence numbers; '-' elsewhere)"
    echo "# best lines:  best version receiver relation max_rate cpu_s_per_million_records vmhwm_kb  (relation: '=' found, '>=' generator-bound, '<' lost >=1% at LO)"
} >>"$results"

echo
echo "flowdrill flow collector benchmark: highest records/s received with < ${LOSS_MAX}% loss"
echo "  traffic   bench/flowgen.c on 127.0.0.1:$PORT ($CLIENTS client addresses), ${SECS} s per trial, rates $(fmt_rate "$LO")-$(fmt_rate "$HI")/s, $STEPS bisection steps"
echo "  sink      flowgen --sink: recvmmsg and count, nothing else"
[ "$have_nfcapd" = 1 ] && echo "  nfcapd    nfcapd $nfcapd_dir_opt DIR -p $PORT -b 127.0.0.1 ${nfcapd_buf_opt[*]}  ($nfcapd_version)"
[ "$have_sfacctd" = 1 ] && echo "  sfacctd   sfacctd -f CONF: print plugin, src_host,dst_host, $RCVBUF-byte plugin pipe  ($sfacctd_version)"
[ "$have_flowdrill" = 1 ] && echo "  flowdrill $FLOWDRILL -l 127.0.0.1:$PORT --json -d 3600 --rcvbuf $RCVBUF"
echo "  buffers   $rmem_note"
echo "  machine   nproc=$(nproc), $(uname -sr); PIN=$PIN"
[[ " $VERSIONS " == *" sflow "* ]] &&
    echo "  sflow     4 agents, 7 flow samples (128-byte headers) a datagram; records = flow samples"
echo "  note      the generator takes a core of its own and the machine is shared and noisy:"
echo "            expect +-20% between runs; compare ratios, not absolute figures."
echo

start=$(date +%s)
for ver in $VERSIONS; do
    for rx in $RECEIVERS; do
        case $rx in
        nfcapd) if [ "$have_nfcapd" != 1 ] || [ "$ver" = sflow ]; then continue; fi ;;
        sfacctd) if [ "$have_sfacctd" != 1 ] || [ "$ver" != sflow ]; then continue; fi ;;
        flowdrill) [ "$have_flowdrill" = 1 ] || continue ;;
        esac
        rc=0
        search "$rx" "$ver" || rc=$?
        [ "$rc" = 0 ] || echo "  $(vname "$ver") $rx: failed (status $rc); see $log"
    done
done
echo "  (searches took $(($(date +%s) - start)) s)"

# --- summary -------------------------------------------------------------------
echo
awk -v vers="$VERSIONS" '
function fr(r) { return r >= 1e6 ? sprintf("%.2fM", r / 1e6) : sprintf("%.0fk", r / 1e3) }
$1 == "best" { rel[$2, $3] = $4; rate[$2, $3] = $5; cpm[$2, $3] = $6; hwm[$2, $3] = $7; seen[$2, $3] = 1 }
END {
    printf "%-7s %-10s %16s %14s %13s\n", "version", "receiver", "max records/s", "CPU s/M rec", "peak RSS MiB"
    n = split(vers, v, " ")
    split("sink nfcapd sfacctd flowdrill", rx, " ")
    for (i = 1; i <= n; i++) {
        name = v[i] == 10 ? "IPFIX" : v[i] == "sflow" ? "sFlow" : "v" v[i]
        other = v[i] == "sflow" ? "sfacctd" : "nfcapd"
        for (j = 1; j <= 4; j++) {
            k = v[i] SUBSEP rx[j]
            if (!seen[k]) continue
            r = (rel[k] == "=" ? "" : rel[k]) fr(rate[k])
            printf "%-7s %-10s %16s %14s %13s\n", name, rx[j], r,
                rx[j] == "sink" ? "-" : cpm[k], rx[j] == "sink" ? "-" : sprintf("%.1f", hwm[k] / 1024)
        }
        a = v[i] SUBSEP "flowdrill"; b = v[i] SUBSEP other
        if (seen[a] && seen[b] && rate[b] > 0) {
            printf "%-7s flowdrill/%s: rate ratio %.2f%s", name, other, rate[a] / rate[b],
                (rel[a] != "=" || rel[b] != "=") ? " (a bound was hit: see < / >=)" : ""
            if (cpm[a] + 0 > 0 && cpm[b] + 0 > 0)
                printf ", CPU per record ratio %.2f", cpm[a] / cpm[b]
            printf "\n"
        }
    }
}' "$results"
echo
echo "  max records/s: best rate actually sent with < ${LOSS_MAX}% of the records missing from the"
echo "      receiver's count; '>=' = the generator could go no faster; '<' = loss already at LO."
echo "      For sFlow a record is a flow sample."

echo "  CPU s/M rec and peak RSS (VmHWM) come from that best trial."
echo "raw figures: $results; tool messages: $log"
