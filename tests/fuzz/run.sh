#!/bin/sh
# run.sh - build the libFuzzer targets with clang + ASan + UBSan and run each for a while.
#   tests/fuzz/run.sh [SECONDS]     (default 60 per target)
# Seeds come from the project's own fixtures; crashes are saved under build-fuzz/crashes/
# and must become regression fixtures.
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
secs=${1:-60}
command -v clang >/dev/null || { echo "run.sh: needs clang (Debian package 'clang')"; exit 1; }
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
mkdir -p build-fuzz && cd build-fuzz
[ -f Makefile ] || "$top"/configure -q CC=clang --enable-fuzzing
make -s -j"$(nproc)" tests/fuzz/fuzz_packet
mkdir -p crashes corpus/packet
# seeds: frames of the fixture capture (each prefixed with a link type byte and caplen bytes)
status=0
for t in packet; do
    echo "== fuzz_$t for ${secs}s"
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
        ./tests/fuzz/fuzz_$t -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 \
        -artifact_prefix=crashes/ -print_final_stats=1 corpus/$t 2>&1 | tail -n 12 || status=1
done
exit $status
