#!/bin/sh
# pristine-src.sh - print a source directory that can be configured out of tree.
#   tests/pristine-src.sh [COPYDIR]     (default: build-src, inside the checkout)
# The README's first command configures in the source tree (./configure && make), and
# autoconf then refuses every out-of-tree build from it ("source directory already
# configured"). The test scripts must work whether or not the user did that, without
# touching the user's in-place build. So: if the checkout is not configured in place, print
# it; otherwise copy its source files (git's tracked and untracked-but-not-ignored files,
# i.e. what the user would commit, never build products) into COPYDIR, regenerate the build
# system there, and print COPYDIR. The copy is remade every time, so it never goes stale.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
copy=${1:-$top/build-src}
if [ ! -f "$top/config.status" ]; then
    echo "$top"
    exit 0
fi
command -v git >/dev/null && git -C "$top" rev-parse --git-dir >/dev/null 2>&1 || {
    echo "pristine-src.sh: $top is configured in place and is not a git checkout;" \
        "run 'make distclean' there first" >&2
    exit 1
}
rm -rf "$copy"
mkdir -p "$copy"
# files that exist (a tracked file deleted in the work tree is skipped), NUL-separated
git -C "$top" ls-files -z --cached --others --exclude-standard |
    (cd "$top" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done; :' _) |
    (cd "$top" && tar --null -T - -cf -) | (cd "$copy" && tar -xf -)
(cd "$copy" && ./autogen.sh >/dev/null 2>&1) || {
    echo "pristine-src.sh: autogen.sh failed in the copy $copy" >&2
    exit 1
}
echo "$copy"
