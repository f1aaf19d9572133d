#!/usr/bin/env bash
# pcap_read.sh - offline read speed of flowdrill against tcpdump on the same file.
#
# Run from the top build directory (`make bench` does that). Environment:
#   FLOWDRILL   flowdrill binary            (default ./src/flowdrill)
#   TRAFFICGEN  prebuilt tools/trafficgen   (default: built into bench/out/)
#   BENCH_PCAP  capture to read             (default bench/out/bench.pcap, generated:
#                                            2,000,000 packets, 100,000 flows, seed 1)
#   ROUNDS      rounds per tool             (default 5)
# Each round runs tcpdump, then flowdrill, under GNU time; the summary gives
# medians. See bench/README.md.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
out=bench/out
FLOWDRILL=${FLOWDRILL:-./src/flowdrill}
PCAP=${BENCH_PCAP:-$out/bench.pcap}
ROUNDS=${ROUNDS:-5}
GNU_TIME=/usr/bin/time
count=$out/$(basename "$PCAP").count # cached packet count

die() {
    echo "pcap_read.sh: $*" >&2
    exit 1
}

# --- prerequisites -----------------------------------------------------------
if [ ! -x "$FLOWDRILL" ] || [ -d "$FLOWDRILL" ]; then
    die "flowdrill is not built: '$FLOWDRILL' is not an executable file.
    Build it first (./autogen.sh && ./configure && make), run this from the top
    build directory, or point FLOWDRILL at the binary."
fi
command -v tcpdump >/dev/null 2>&1 || die "tcpdump not found; install the Debian package 'tcpdump'"
if ! "$GNU_TIME" -f '%e %M' -o /dev/null true 2>/dev/null; then
    die "GNU time ($GNU_TIME) not found; install the Debian package 'time'"
fi
case "$ROUNDS" in '' | *[!0-9]* | 0) die "ROUNDS must be a positive integer" ;; esac
mkdir -p "$out"

# --- the capture -----------------------------------------------------------
if [ ! -s "$PCAP" ]; then
    if [ -z "${TRAFFICGEN:-}" ]; then
        TRAFFICGEN=$out/trafficgen
        if [ ! -x "$TRAFFICGEN" ] || [ "$srcdir/tools/trafficgen.c" -nt "$TRAFFICGEN" ]; then
            pkg-config --exists libpcap 2>/dev/null ||
                die "pkg-config cannot find libpcap; install the Debian packages 'pkg-config' and 'libpcap-dev'"
            echo "building $TRAFFICGEN"
            # shellcheck disable=SC2046 # pkg-config output is meant to split
            ${CC:-cc} -std=c11 -O2 -o "$TRAFFICGEN" "$srcdir/tools/trafficgen.c" \
                $(pkg-config --cflags --libs libpcap) || die "cannot build trafficgen"
        fi
    fi
    [ -x "$TRAFFICGEN" ] || die "TRAFFICGEN='$TRAFFICGEN' is not executable"
    echo "generating $PCAP (2,000,000 packets, 100,000 flows; a few seconds)"
    start=$(date +%s.%N)
    "$TRAFFICGEN" -o "$PCAP.tmp" --profile bench --packets 2000000 --flows 100000 --seed 1 ||
        die "trafficgen failed"
    mv "$PCAP.tmp" "$PCAP"
    echo 2000000 >"$count"
    echo "generated in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
fi
# The packet count is cached in bench/out: counting means reading the whole file.
if [ -s "$count" ] && [ ! "$PCAP" -nt "$count" ]; then
    packets=$(cat "$count")
elif command -v capinfos >/dev/null 2>&1; then
    packets=$(capinfos -c -M -T -r "$PCAP" | awk '{ n = $NF } END { print n + 0 }')
    echo "$packets" >"$count"
else
    echo "counting the packets of $PCAP with tcpdump (slow; capinfos, from the Debian" \
        "package 'wireshark-common', is faster)"
    packets=$(tcpdump -r "$PCAP" -n -q -t 2>/dev/null | wc -l)
    echo "$packets" >"$count"
fi
[ "$packets" -gt 0 ] || die "$PCAP holds no packets"

# --- the runs ---------------------------------------------------------------
log=$out/pcap_read.log
: >"$log"
results=$out/pcap_read.results
: >"$results"

# run NAME COMMAND...: one timed run; appends "NAME seconds kilobytes" to $results.
run() {
    local name=$1 tf rc=0
    shift
    tf=$(mktemp)
    echo "== $name: $*" >>"$log"
    "$GNU_TIME" -f '%e %M' -o "$tf" "$@" >/dev/null 2>>"$log" || rc=$?
    if [ "$rc" -ne 0 ]; then
        rm -f "$tf"
        die "$name exited with status $rc; its messages are in $log:
$(tail -n 5 "$log")"
    fi
    echo "$name $(tail -n 1 "$tf")" >>"$results"
    rm -f "$tf"
}

cat "$PCAP" >/dev/null # page cache: every run reads from memory, the first included

size_mb=$(awk -v b="$(wc -c <"$PCAP")" 'BEGIN { printf "%.1f", b / 1048576 }')
echo
echo "flowdrill offline read benchmark"
echo "  file      $PCAP ($packets packets, $size_mb MiB)"
echo "  tcpdump   tcpdump -r FILE -w /dev/null   ($(tcpdump --version 2>&1 | head -n 1))"
echo "  flowdrill $FLOWDRILL -r FILE --batch --top 10 --by host,pair,port,app,proto,flow"
echo "  machine   nproc=$(nproc), $(uname -sr)"
echo "  note      this machine is shared and noisy: trust the ratio and the medians,"
echo "            not a single run; differences under ~10% are within the noise."
echo
printf '%-6s %-10s %9s %14s %13s\n' round tool "wall s" "packets/s" "peak RSS MiB"
for ((i = 1; i <= ROUNDS; i++)); do
    run tcpdump tcpdump -r "$PCAP" -w /dev/null
    run flowdrill "$FLOWDRILL" -r "$PCAP" --batch --top 10 --by host,pair,port,app,proto,flow
    tail -n 2 "$results" | awk -v r="$i" -v n="$packets" '{
        pps = $2 > 0 ? sprintf("%.0f", n / $2) : "n/a (<10ms)"
        printf "%-6s %-10s %9.2f %14s %13.1f\n", r, $1, $2, pps, $3 / 1024 }'
done

# --- summary ----------------------------------------------------------------
median() { # median of column $2 for tool $1
    awk -v t="$1" -v c="$2" '$1 == t { print $c }' "$results" | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
t_tcp=$(median tcpdump 2)
t_fd=$(median flowdrill 2)
echo
echo "median of $ROUNDS rounds"
printf '%-10s %9s %14s %13s\n' tool "wall s" "packets/s" "peak RSS MiB"
awk -v n="$packets" -v tt="$t_tcp" -v tf="$t_fd" -v mt="$(median tcpdump 3)" \
    -v mf="$(median flowdrill 3)" 'BEGIN {
    pt = tt > 0 ? n / tt : 0; pf = tf > 0 ? n / tf : 0
    printf "%-10s %9.2f %14s %13.1f\n", "tcpdump", tt, pt ? sprintf("%.0f", pt) : "n/a", mt / 1024
    printf "%-10s %9.2f %14s %13.1f\n", "flowdrill", tf, pf ? sprintf("%.0f", pf) : "n/a", mf / 1024
    if (pt && pf)
        printf "\nflowdrill/tcpdump packets/s ratio: %.3g  (1.00 = as fast as tcpdump reading and\n" \
               "rewriting the file; flowdrill also parses and aggregates every packet)\n", pf / pt
    else
        print "\nflowdrill/tcpdump ratio: n/a (a run took under GNU time'"'"'s 10 ms resolution)"
}'
echo "raw figures: $results; tool messages: $log"
