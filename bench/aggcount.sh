#!/usr/bin/env bash
# aggcount.sh - instructions and mispredicted branches per flow-export record in the
# aggregator, counted by valgrind (cachegrind), not timed: the same figures on every run, so
# two builds can be told apart on a machine whose ns/record moves by 20% from run to run.
#
# usage: bench/aggcount.sh [AGGBENCH...]     (default: bench/aggbench)
# Environment: RECORDS (default 600000), PROFILES (default "flood zipf").
# For each binary and profile it counts one aggregation round of RECORDS records and a run
# that only makes the records (ROUNDS 0), and prints the difference per record. It measures
# work, not memory: a change that saves instructions but misses the cache more shows here as
# a gain; confirm a gain in time with bench/aggbench (see bench/README.md).
set -u
die() {
    echo "aggcount: $*" >&2
    exit 1
}
RECORDS=${RECORDS:-600000}
PROFILES=${PROFILES:-"flood zipf"}
command -v valgrind >/dev/null 2>&1 || {
    echo "aggcount: valgrind not found (Debian: apt-get install valgrind); skipped"
    exit 0
}
[ $# -gt 0 ] || set -- bench/aggbench
for b in "$@"; do
    [ -x "$b" ] || die "'$b' is not an executable (build it: make bench/aggbench)"
done
tmp=$(mktemp -d) || die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT

# Ir and Bcm (mispredicted conditional branches) of one run: "IR BCM"
count() {
    valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes \
        --cachegrind-out-file="$tmp/cg.out" "$@" >/dev/null 2>"$tmp/vg.err" ||
        die "valgrind $* failed: $(tail -3 "$tmp/vg.err")"
    awk '/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i } /^summary:/ { print $col["Ir"], $col["Bcm"] }' "$tmp/cg.out"
}

printf '%-28s %-6s %14s %18s\n' binary profile "instr/record" "mispredicts/record"
for p in $PROFILES; do
    case "$p" in flood | zipf) ;; *) die "PROFILES: '$p' is not flood or zipf" ;; esac
    for b in "$@"; do
        read -r ir0 bm0 < <(count "$b" "$p" 0 "$RECORDS")
        read -r ir1 bm1 < <(count "$b" "$p" 1 "$RECORDS")
        awk -v b="$b" -v p="$p" -v n="$RECORDS" -v i0="$ir0" -v i1="$ir1" -v m0="$bm0" \
            -v m1="$bm1" 'BEGIN { printf "%-28s %-6s %14.0f %18.1f\n", b, p, (i1 - i0) / n, (m1 - m0) / n }'
    done
done
