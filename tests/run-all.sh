#!/bin/sh
# run-all.sh - the whole test suite, from a fresh clone on Debian 12:
# dependencies, build with warnings as errors, make check, the same again under
# ASan+UBSan, every libFuzzer target for 60 s, then make distcheck. This is what .ci/run
# runs, after the README's first command.
#
# It works whether or not the source tree is configured in place (the README's first
# command builds in the tree), before or after it, as often as you like: everything is
# built from a copy of the sources under build/ (the files git tracks, as they are in the
# working tree: a new file must be `git add`ed to be tested, as CI will only see it then).
# The in-place build, if any, is left alone. Without git, a tree that is not configured in
# place is built out of tree directly; one that is, from `make distdir`.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
tools/deps.sh --test
jobs=$(nproc 2>/dev/null || echo 2)

# the conformance suites find ../shared/testdata from the real checkout, not from the copy
if [ -z "${FLOWDRILL_TESTDATA:-}" ] && [ -d "$top/../shared/testdata" ]; then
    FLOWDRILL_TESTDATA=$(cd "$top/../shared/testdata" && pwd)
    export FLOWDRILL_TESTDATA
fi

work=$top/build
rm -rf "$work" "$top/build-asan"
mkdir -p "$work"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    src=$work/src
    mkdir -p "$src"
    # tracked files as they are now; a tracked file deleted in the tree is skipped
    git -C "$top" ls-files -z | tar -C "$top" --null --ignore-failed-read -T - -cf - 2>/dev/null |
        tar -C "$src" -xf -
elif [ -f "$top/config.status" ]; then
    src=$work/src
    make -C "$top" -s distdir distdir="$src" >/dev/null
else
    src=$top
fi
(cd "$src" && ./autogen.sh >/dev/null 2>&1)

showlogs() { find "$1" -name '*.log' -path '*tests*' -exec sh -c 'tail -n 60 "$1"' _ {} \; 2>/dev/null | tail -n 200; }

echo "== build and make check (warnings are errors)"
mkdir "$work/obj"
(cd "$work/obj" && "$src"/configure -q --enable-werror && make -s -j"$jobs" &&
    make -s -j"$jobs" check) || { showlogs "$work/obj"; exit 1; }

echo "== ASan + UBSan build: make check"
mkdir "$work/asan"
(cd "$work/asan" && "$src"/configure -q --enable-sanitizers --enable-werror &&
    make -s -j"$jobs" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        make -s -j"$jobs" check) || { showlogs "$work/asan"; exit 1; }

echo "== libFuzzer targets, 60 s each (ASan + UBSan)"
"$src"/tests/fuzz/run.sh 60 || exit 1

echo "== make distcheck"
(cd "$work/obj" && make -s -j"$jobs" distcheck >distcheck.log 2>&1) ||
    { tail -n 80 "$work/obj/distcheck.log"; exit 1; }
echo "== all tests passed"
