#!/bin/sh
# run.sh - build the libFuzzer targets with clang + ASan + UBSan and run each for a while.
#   tests/fuzz/run.sh [SECONDS]     (default 60 per target)
# Seeds are made by tests/fuzz/mkseeds with the project's own encoders. A crash, leak or
# timeout fails the run; its input is saved under build-fuzz/crashes/ and must become a
# regression fixture.
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
secs=${1:-60}
command -v clang >/dev/null || { echo "run.sh: needs clang (Debian package 'clang')"; exit 1; }
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
mkdir -p build-fuzz && cd build-fuzz
[ -f Makefile ] || "$top"/configure -q CC=clang --enable-fuzzing
make -s -j"$(nproc)" tests/libtestsupport.a
make -s -j"$(nproc)" tests/fuzz/fuzz_packet tests/fuzz/fuzz_nf5 tests/fuzz/fuzz_nf9 \
    tests/fuzz/fuzz_ipfix tests/fuzz/fuzz_nf_stateful tests/fuzz/fuzz_text tests/fuzz/fuzz_sflow tests/fuzz/fuzz_detect tests/fuzz/mkseeds
mkdir -p crashes seeds
./tests/fuzz/mkseeds seeds
status=0
# seeds for the text target: filter expressions and hostile names
mkdir -p seeds-text
printf 'host 10.0.0.1 and port 443' >seeds-text/1
printf 'src net 2001:db8::/32 or (dst portrange 1-1024 and not proto udp)' >seeds-text/2
printf '\033]52;c;ZXZpbA==\007evil\302\233.example' >seeds-text/3
for t in packet nf5 nf9 ipfix nf_stateful sflow text detect; do
    mkdir -p "corpus/$t"
    case $t in packet | detect) seed="" ;; text) seed=seeds-text ;; *) seed=seeds ;; esac
    echo "== fuzz_$t for ${secs}s"
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        ./tests/fuzz/fuzz_$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=crashes/ -print_final_stats=1 "corpus/$t" $seed >"fuzz_$t.log" 2>&1; then
        status=1
        echo "fuzz_$t FAILED:"
        tail -n 40 "fuzz_$t.log"
    else
        grep -E "^Done|stat::number_of_executed_units|new_units_added" "fuzz_$t.log" | tr '\n' ' '
        echo
    fi
done
exit $status
