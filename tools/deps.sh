#!/bin/sh
# deps.sh - install what flowdrill needs from Debian 12 (run as root, or with sudo available).
#   tools/deps.sh          build and run: compiler, autotools, libuv, libpcap, ncurses, SQLite
#   tools/deps.sh --test   also what the test suite uses: Check, tshark, tcpdump, softflowd,
#                          nfdump, clang, tmux
#   tools/deps.sh --screenshots  what tools/screenshots.sh uses: tmux, aha, chromium, a font
#   tools/deps.sh --tty    only tmux: what .ci/run needs to run the README's first command,
#                          whose last step is the screen, in a pseudo-terminal
# Installs only what is missing, so it is quick to run again.
set -eu
pkgs="build-essential autoconf automake pkg-config libuv1-dev libpcap-dev libncurses-dev libsqlite3-dev"
if [ "${1:-}" = "--test" ]; then
    # check: unit tests; tshark: the oracle of the conformance suites; softflowd and nfdump:
    # a real exporter and a reference collector for the end-to-end test; clang with its
    # sanitizer runtime: the libFuzzer targets; time: the benchmarks; python3: the scripts
    # that compare JSON with the oracles; tmux: the screen's end-to-end test
    pkgs="$pkgs check tshark tcpdump softflowd nfdump clang libclang-rt-14-dev time python3 tmux"
fi
if [ "${1:-}" = "--screenshots" ]; then
    # tools/screenshots.sh: tmux runs the screen, aha turns it into HTML, headless chromium
    # into a PNG; DejaVu Sans Mono has the block and arrow glyphs
    pkgs="$pkgs tmux aha chromium fonts-dejavu-core"
fi
if [ "${1:-}" = "--tty" ]; then
    pkgs="tmux"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "deps.sh: installing$missing"
$SUDO apt-get update -qq
# tshark asks whether non-root users may capture; answer no without a prompt
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
