#!/usr/bin/env bash
# samejson.sh - proof that a change altered nothing flowdrill shows: the --json --top 0
# report of every table, for every capture and export of the conformance suites, byte for
# byte against the same reports from another revision.
#
# usage (from the top build directory):
#   bench/samejson.sh [REF]      build REF (default: HEAD of the source tree's repository,
#                                i.e. the last commit) into bench/out/samejson.REF, run both
#                                binaries over every case and compare
#   bench/samejson.sh save DIR   only write this build's reports into DIR
#   bench/samejson.sh diff A B   compare two saved DIRs
# Environment:
#   FLOWDRILL          this build's binary             (default ./src/flowdrill)
#   FLOWDRILL_TESTDATA the shared captures             (default $srcdir/../shared/testdata)
# The cases: data/demo.pcap, the record shapes of tests/mkexports (when built), and every
# pcap/pcapng under the testdata. Each is read as capture (-r FILE) and, when it carries UDP,
# also as exports (-r FILE -l PORT for every UDP destination port in it), with
# --by host,pair,port,app,proto,exporter,iface,flow for each sort key. A case that makes
# flowdrill exit non-zero is kept with its exit status and standard error, so a change in
# what is refused shows too. Exit 0 when every report is identical, 1 otherwise.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
out=bench/out
FLOWDRILL=${FLOWDRILL:-./src/flowdrill}
TESTDATA=${FLOWDRILL_TESTDATA:-$srcdir/../shared/testdata}
TABLES=host,pair,port,app,proto,exporter,iface,flow

die() {
    echo "samejson.sh: $*" >&2
    exit 2
}

# the UDP destination ports of a capture, one per line
udp_ports() {
    # tcpdump fails on some files (a pcapng with two link types): what it read counts
    { tcpdump -n -r "$1" udp 2>/dev/null || true; } |
        sed -n 's/.* > [^ ]*\.\([0-9][0-9]*\): .*/\1/p' | sort -un
}

# run one case: $1 = binary, $2 = output file, the rest = flowdrill's arguments
one() {
    local fd=$1 dst=$2
    shift 2
    local rc=0
    "$fd" "$@" --json --top 0 --by "$TABLES" --no-store </dev/null >"$dst" 2>"$dst.err" || rc=$?
    echo "exit $rc" >>"$dst.err"
}

# save FLOWDRILL DIR: every case's reports into DIR
save() {
    local fd=$1 dir=$2 n=0
    rm -rf "$dir"
    mkdir -p "$dir"
    local cases=("$srcdir/data/demo.pcap")
    if [ -x tests/mkexports ]; then
        mkdir -p "$out/samejson.shapes"
        tests/mkexports "$out/samejson.shapes" >/dev/null
        cases+=("$out"/samejson.shapes/*.pcap)
    fi
    if [ -d "$TESTDATA" ]; then
        while IFS= read -r f; do cases+=("$f"); done < <(find "$TESTDATA" -type f \
            \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | LC_ALL=C sort)
    else
        echo "samejson.sh: no testdata at $TESTDATA: only the demo and the shapes" >&2
    fi
    for c in "${cases[@]}"; do
        local name
        name=$(printf '%s' "${c#"$srcdir"/}" | tr '/' '_')
        for sort in bytes packets flows rate2; do
            one "$fd" "$dir/$name.$sort.cap" -r "$c" --sort "$sort"
        done
        local ports
        ports=$(udp_ports "$c")
        if [ -n "$ports" ]; then
            local args=(-r "$c")
            for p in $ports; do args+=(-l "$p"); done
            for sort in bytes packets flows rate2; do
                one "$fd" "$dir/$name.$sort.exp" "${args[@]}" --sort "$sort"
            done
        fi
        n=$((n + 1))
    done
    echo "samejson.sh: $n cases, $(find "$dir" -name '*.err' | wc -l) reports in $dir"
}

# diff A B: every report identical
compare() {
    local a=$1 b=$2
    if diff -r -q "$a" "$b" >"$out/samejson.diff" 2>&1; then
        echo "samejson.sh: identical: $(find "$a" -name '*.err' | wc -l) reports"
        return 0
    fi
    echo "samejson.sh: DIFFERENT: $(wc -l <"$out/samejson.diff") files; the first:" >&2
    head -n 10 "$out/samejson.diff" >&2
    return 1
}

command -v tcpdump >/dev/null 2>&1 || die "tcpdump not found (tools/deps.sh --test)"
mkdir -p "$out"
case "${1:-}" in
save)
    [ $# -eq 2 ] || die "usage: bench/samejson.sh save DIR"
    save "$FLOWDRILL" "$2"
    ;;
diff)
    [ $# -eq 3 ] || die "usage: bench/samejson.sh diff A B"
    compare "$2" "$3"
    ;;
*)
    [ -x "$FLOWDRILL" ] || die "no program at $FLOWDRILL (make src/flowdrill)"
    ref=${1:-HEAD}
    rev=$(git -C "$srcdir" rev-parse --short "$ref") || die "'$ref' is no revision of $srcdir"
    base=$(pwd)/$out/samejson.$rev
    if [ ! -x "$base/build/src/flowdrill" ]; then
        echo "samejson.sh: building $rev in $out/samejson.$rev" >&2
        rm -rf "$base"
        mkdir -p "$base"
        git -C "$srcdir" archive "$rev" | tar -x -C "$base" || die "cannot export $rev"
        (cd "$base" && ./autogen.sh >/dev/null 2>&1 && mkdir -p build && cd build &&
            ../configure >/dev/null && make -j2 src/flowdrill >/dev/null) ||
            die "cannot build $rev"
    fi
    save "$base/build/src/flowdrill" "$out/samejson.$rev.json"
    save "$FLOWDRILL" "$out/samejson.this.json"
    compare "$out/samejson.$rev.json" "$out/samejson.this.json"
    ;;
esac
