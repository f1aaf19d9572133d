#!/bin/sh
# run-all.sh - the whole test suite, from a fresh clone on Debian 12:
# dependencies, build with warnings as errors, make check, the unit tests again under
# ASan+UBSan, then make distcheck. This is what .ci/run runs.
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh --test
./autogen.sh >/dev/null 2>&1
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build and make check (warnings are errors)"
./configure -q --enable-werror
make -s -j"$jobs"
make -s -j"$jobs" check || { cat tests/*.log tests/conformance/*.log 2>/dev/null | tail -n 200; exit 1; }

echo "== ASan + UBSan build: make check"
rm -rf build-asan && mkdir build-asan
(cd build-asan && ../configure -q --enable-sanitizers --enable-werror &&
    make -s -j"$jobs" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        make -s -j"$jobs" check) || {
    cat build-asan/tests/*.log build-asan/tests/conformance/*.log 2>/dev/null | tail -n 200; exit 1; }

echo "== make distcheck"
make -s -j"$jobs" distcheck >/dev/null 2>distcheck.err || { tail -n 60 distcheck.err; exit 1; }
rm -f distcheck.err
echo "== all tests passed"
