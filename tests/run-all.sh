#!/bin/sh
# run-all.sh - the whole test suite, from a fresh clone on Debian 12:
# dependencies, build with warnings as errors, make check, the same again under
# ASan+UBSan, every libFuzzer target for 60 s, then make distcheck. This is what .ci/run
# runs.
# Builds happen out of tree (build/, build-asan/), so the source tree stays clean. If the
# tree is configured in place (the README's first command does that), the builds use a
# fresh copy of its source files instead (build-src/, see tests/pristine-src.sh), so the
# user's own build is left as it is and both commands work in either order, repeatedly.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
tools/deps.sh --test
if [ ! -f config.status ]; then ./autogen.sh >/dev/null 2>&1; fi
src=$(tests/pristine-src.sh)
[ "$src" = "$top" ] || echo "== the tree is configured in place: testing a copy of its sources ($src)"
jobs=$(nproc 2>/dev/null || echo 2)

showlogs() { find "$1" -name '*.log' -path '*tests*' -exec sh -c 'tail -n 60 "$1"' _ {} \; 2>/dev/null | tail -n 200; }

echo "== build and make check (warnings are errors)"
rm -rf build && mkdir build
(cd build && "$src"/configure -q --enable-werror && make -s -j"$jobs" &&
    make -s -j"$jobs" check) || { showlogs build; exit 1; }

echo "== ASan + UBSan build: make check"
rm -rf build-asan && mkdir build-asan
(cd build-asan && "$src"/configure -q --enable-sanitizers --enable-werror &&
    make -s -j"$jobs" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        make -s -j"$jobs" check) || { showlogs build-asan; exit 1; }

echo "== libFuzzer targets, 60 s each (ASan + UBSan)"
FLOWDRILL_SRC=$src tests/fuzz/run.sh 60 || exit 1

echo "== make distcheck"
(cd build && make -s -j"$jobs" distcheck >distcheck.log 2>&1) || { tail -n 80 build/distcheck.log; exit 1; }
echo "== all tests passed"
