#!/usr/bin/env bash
# detect.sh - what the threat detectors cost, each figure side by side with the same run
# without them (--no-alerts, or AGGBENCH_DETECT=0), on what users feed flowdrill:
#   1. the packet path: flowdrill -r CAPTURE --json, user CPU seconds, median of ROUNDS, for
#      the bench capture (tools/trafficgen: 2,000,000 packets, 100,000 flows in 60 s) and a
#      Zipf capture over 30 minutes (../shared/bench/zipfgen.c when present: 3,000,000
#      packets, 80,000 connections, so flows expire and churn), with the alerts each raised
#      (benign synthetic traffic: every alert there is a false positive to look at);
#   2. instructions, counted by cachegrind (not timed; hash seeds fixed so they repeat): per
#      packet on the first 300,000 packets of the bench capture and of the Zipf capture
#      (learning, and with --learn 30: mostly past it), per record on 600,000 aggbench zipf
#      export records (less aggbench's own making of them);
#   3. the flow-export path: bench/aggbench ns per record with and without the detectors in
#      front (profiles zipf and flood);
#   4. memory under a flood from 10 million spoofed sources (aggbench spoof, 10,000,000
#      records): peak RSS with and without, and the detectors' own bytes and evictions.
# usage: bench/detect.sh   (from the build directory; make bench runs it)
# Environment: FLOWDRILL, TOP_SRCDIR, ROUNDS (default 5), BENCH_PCAP (default
# bench/out/bench.pcap, made by bench/pcap_read.sh or here).
set -u
FD=${FLOWDRILL:-src/flowdrill}
SRC=${TOP_SRCDIR:-.}
ROUNDS=${ROUNDS:-5}
out=bench/out
mkdir -p "$out"
die() { echo "detect.sh: $*" >&2; exit 1; }
[ -x "$FD" ] || die "no program at $FD (make src/flowdrill)"
[ -x bench/aggbench ] || die "no bench/aggbench (make bench/aggbench)"
PCAP=${BENCH_PCAP:-$out/bench.pcap}
if [ ! -r "$PCAP" ]; then
    ${CC:-cc} -std=c11 -O2 -o "$out/trafficgen" "$SRC/tools/trafficgen.c" \
        $(pkg-config --cflags --libs libpcap) -lm || die "cannot build trafficgen"
    "$out/trafficgen" -o "$PCAP" --seed 1 >/dev/null || die "trafficgen failed"
fi
caps="$PCAP"
zg=$SRC/../shared/bench/zipfgen.c
if [ -r "$zg" ]; then
    if [ ! -r "$out/zipf30m.pcap" ]; then
        ${CC:-cc} -O2 -o "$out/zipfgen" "$zg" -lm || die "cannot build zipfgen"
        "$out/zipfgen" -o "$out/zipf30m.pcap" -n 3000000 -c 80000 -d 1800 >/dev/null ||
            die "zipfgen failed"
    fi
    caps="$caps $out/zipf30m.pcap"
else
    echo "note: $zg not found: the 30-minute Zipf capture is left out"
fi

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
user_s() { /usr/bin/time -f %U "$@" 2>&1 >/dev/null | tail -n 1; }

echo "== 1. packet path: user CPU seconds, median of $ROUNDS (with / without detectors)"
printf '%-24s %9s %9s %7s %10s  %s\n' capture with without ratio ns/packet alerts
for c in $caps; do
    w=() wo=()
    for _ in $(seq "$ROUNDS"); do # alternated, so a noisy neighbour hits both
        w+=("$(user_s "$FD" -Z root -r "$c" --json --top 1 --no-store)")
        wo+=("$(user_s "$FD" -Z root -r "$c" --json --top 1 --no-store --no-alerts)")
    done
    mw=$(printf '%s\n' "${w[@]}" | median)
    mo=$(printf '%s\n' "${wo[@]}" | median)
    pk=$(python3 -c 'import sys,struct
f=open(sys.argv[1],"rb"); f.read(24); n=0
while True:
    h=f.read(16)
    if len(h)<16: break
    f.seek(struct.unpack("<IIII",h)[2],1); n+=1
print(n)' "$c")
    al=$("$FD" -Z root -r "$c" --json --top 1 --no-store | python3 -c '
import json, sys, collections
d = json.loads(sys.stdin.readline())
k = collections.Counter(a["kind"] for a in d["alerts"])
print(len(d["alerts"]), dict(k) if k else "")')
    printf '%-24s %9s %9s %7s %10s  %s\n' "$(basename "$c")" "$mw" "$mo" \
        "$(python3 -c "print('%.2f' % ($mw / $mo))")" \
        "$(python3 -c "print('%.0f' % (($mw - $mo) * 1e9 / $pk))")" "$al"
done

echo "== 2. instructions (cachegrind, exact: hash seeds fixed), with / without detectors"
# flowdrill reads a file with fixed hash seeds (app.c), so the counts repeat exactly
ir() { grep -o 'I *refs: *[0-9,]*' "$1" | tr -dc 0-9; }
cg() { # OUT-STEM CMD...: the run's instruction count
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$1.cg" "${@:2}" \
        2>"$1.err" >/dev/null </dev/null
    ir "$1.err"
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.0f %.0f %.3f' % (a, b, a / b))" "$@"; }
if command -v valgrind >/dev/null && command -v tcpdump >/dev/null && command -v cg_annotate >/dev/null; then
    tcpdump -r "$PCAP" -c 300000 -w "$out/first300k.pcap" 2>/dev/null
    nl=$'\n'
    runs="bench|$out/first300k.pcap|"
    if [ -r "$out/zipf30m.pcap" ]; then
        tcpdump -r "$out/zipf30m.pcap" -c 300000 -w "$out/zipf300k.pcap" 2>/dev/null
        # its 300k packets span 179 s: inside the 300-s learning window, or mostly past a 30-s one
        runs="$runs${nl}zipf-learning|$out/zipf300k.pcap|${nl}zipf-learned|$out/zipf300k.pcap|--learn 30"
    fi
    printf '%-34s %9s %9s %7s\n' "per packet, first 300000 packets" with without ratio
    while IFS='|' read -r name cap extra; do
        [ -n "$name" ] || continue
        # shellcheck disable=SC2086
        w=$(cg "$out/cg_w" "$FD" -Z root -r "$cap" --json --top 1 --no-store $extra)
        wo=$(cg "$out/cg_wo" "$FD" -Z root -r "$cap" --json --top 1 --no-store --no-alerts)
        read -r a b q <<<"$(ratio "$((w / 300000))" "$((wo / 300000))")"
        printf '%-34s %9s %9s %7s\n' "$name" "$a" "$b" "$q"
    done <<<"$runs"
    # exports: aggbench zipf, 600000 records, less what making the records costs (aggbench.c)
    gen() { cg_annotate --auto=no --threshold=0 "$1" 2>/dev/null | awk '/aggbench\.c:|flow\.h:(profile|make_rec)/ { gsub(",", "", $1); s += $1 } END { print s + 0 }'; }
    w=$(AGGBENCH_DETECT=1 cg "$out/cg_w" bench/aggbench zipf 1 600000)
    wo=$(AGGBENCH_DETECT=0 cg "$out/cg_wo" bench/aggbench zipf 1 600000)
    gw=$(gen "$out/cg_w.cg") gwo=$(gen "$out/cg_wo.cg")
    read -r a b q <<<"$(ratio "$(((w - gw) / 600000))" "$(((wo - gwo) / 600000))")"
    printf '%-34s %9s %9s %7s\n' "per record, exports (aggbench zipf)" "$a" "$b" "$q"
    rm -f "$out"/cg_w.cg "$out"/cg_wo.cg
else
    echo "skipped: valgrind, cg_annotate or tcpdump not installed"
fi

echo "== 3. flow-export path: aggbench ns/record, median of $ROUNDS"
for p in zipf flood; do
    a=$(AGGBENCH_DETECT=1 bench/aggbench "$p" "$ROUNDS" | grep -o 'median [0-9]*' | tr -dc 0-9)
    b=$(AGGBENCH_DETECT=0 bench/aggbench "$p" "$ROUNDS" | grep -o 'median [0-9]*' | tr -dc 0-9)
    echo "$p: with $a ns/record, without $b ns/record, ratio $(python3 -c "print('%.2f' % ($a / $b))")"
done

echo "== 4. a flood from 10M spoofed sources (aggbench spoof, 10000000 records)"
for m in 1 0; do
    AGGBENCH_DETECT=$m bench/aggbench spoof 1 10000000 >"$out/spoof$m.txt"
    echo "detectors $([ $m = 1 ] && echo on || echo off): $(grep -o 'peak RSS: .*' "$out/spoof$m.txt"); $(grep -o 'median.*' "$out/spoof$m.txt")"
    grep 'detectors:' "$out/spoof$m.txt" | sed 's/^ */  /'
done
