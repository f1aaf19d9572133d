#!/usr/bin/env bash
# exportcount.sh - instructions per flow-export record of the whole collector path (decoding,
# the aggregator and the pcap reading around them), for NetFlow v5, v9 and IPFIX, counted by
# valgrind (cachegrind), not timed: the same figures on every run, so two builds can be told
# apart on a machine whose timings move by 20-40% from minute to minute.
#
# usage: bench/exportcount.sh [FLOWDRILL...]        (default: ./src/flowdrill)
# Environment: RECORDS (default 1200000), VERSIONS (default "5 9 10"),
#              FLOWGEN (default: bench/out/flowgen, built when missing).
# For each version, bench/flowgen.c --write makes a capture of RECORDS records (the same file
# on every run: its datagrams are what bench/collector.sh sends), and each binary reads it with
# `-r FILE -l 2055 --batch -n`. The figure includes the first second, while the tables fill;
# bench/aggcount.sh counts the aggregator alone, bench/collector.sh measures time.
set -u
die() {
    echo "exportcount: $*" >&2
    exit 1
}
RECORDS=${RECORDS:-1200000}
VERSIONS=${VERSIONS:-"5 9 10"}
case "$RECORDS" in '' | *[!0-9]* | 0) die "RECORDS must be a positive number" ;; esac
for v in $VERSIONS; do
    case "$v" in 5 | 9 | 10) ;; *) die "VERSIONS: '$v' is not 5, 9 or 10" ;; esac
done
command -v valgrind >/dev/null 2>&1 || {
    echo "exportcount: valgrind not found (Debian: apt-get install valgrind); skipped"
    exit 0
}
[ $# -gt 0 ] || set -- ./src/flowdrill
for b in "$@"; do
    if [ ! -x "$b" ] || [ -d "$b" ]; then die "'$b' is not an executable (build it: make src/flowdrill)"; fi
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${FLOWGEN:-}" ]; then
    FLOWGEN=bench/out/flowgen
    if [ ! -x "$FLOWGEN" ] || [ "$srcdir/bench/flowgen.c" -nt "$FLOWGEN" ]; then
        mkdir -p bench/out
        ${CC:-cc} -std=c11 -O2 -o "$FLOWGEN" "$srcdir/bench/flowgen.c" || die "cannot build flowgen"
    fi
fi
[ -x "$FLOWGEN" ] || die "FLOWGEN='$FLOWGEN' is not executable"
tmp=$(mktemp -d) || die "cannot make a temporary directory"
chmod 755 "$tmp" # flowdrill may drop root to nobody before cachegrind writes its figures
trap 'rm -rf "$tmp"' EXIT
# as root, keep root: the figures file is written at exit, after the drop
keep=()
[ "$(id -u)" = 0 ] && keep=(-Z root)

printf '%-28s %-6s %10s %14s\n' binary version records "instr/record"
for v in $VERSIONS; do
    # 1 M records/s: about what the collector takes loss-free on this kind of machine
    secs=$(awk -v r="$RECORDS" 'BEGIN { printf "%.6f", r / 1000000 }')
    gen=$("$FLOWGEN" --version "$v" --port 2055 --rate 1000000 --seconds "$secs" \
        --write "$tmp/v$v.pcap") || die "flowgen --write failed"
    n=$(sed -n 's/^written_records=\([0-9]*\).*/\1/p' <<<"$gen")
    for b in "$@"; do
        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$tmp/cg.out" \
            "$b" "${keep[@]}" -r "$tmp/v$v.pcap" -l 2055 --batch -n >"$tmp/out" 2>"$tmp/vg.err" ||
            die "valgrind $b failed: $(tail -3 "$tmp/vg.err")"
        recs=$(sed -n 's/^flow exports: [0-9]* datagrams, \([0-9]*\) records.*/\1/p' "$tmp/out")
        [ "$recs" = "$n" ] || die "$b decoded ${recs:-no} records of the $n written (version $v)"
        ir=$(awk '/^summary:/ { print $2 }' "$tmp/cg.out")
        awk -v b="$b" -v v="$v" -v ir="$ir" -v n="$n" \
            'BEGIN { printf "%-28s %-6s %10d %14.0f\n", b, v == 10 ? "ipfix" : "v" v, n, ir / n }'
    done
done
