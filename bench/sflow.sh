#!/usr/bin/env bash
# sflow.sh - sFlow v5 ingest CPU per flow sample: flowdrill against pmacct's sfacctd, side by
# side, on the same capture of sFlow datagrams.
#
# Run from the top build directory (after make check, which builds tests/mksflow).
# Environment:
#   FLOWDRILL  flowdrill binary                       (default ./src/flowdrill)
#   MKSFLOW    tests/mksflow                          (default ./tests/mksflow)
#   INPUT      capture turned into sFlow              (default $srcdir/data/demo.pcap)
#   REPEAT     times INPUT is read over (mksflow -R)  (default 100: 500,100 samples)
#   RUNS       runs per receiver; the median is shown (default 5)
# Both read the datagrams from the capture (flowdrill -r FILE -l 6343; sfacctd with
# pcap_savefile and the print plugin aggregating src_host,dst_host), so nothing is lost and
# the figure is CPU (user + system, children included) per flow sample. Both build per-host
# totals; flowdrill also fills every other table asked for (here: pair). The packet totals
# of the two are compared (they must agree; bytes differ by design: flowdrill books layer-3
# bytes, sfacctd the sampled frame length). Raw figures: bench/out/sflow.results.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
out=bench/out
FLOWDRILL=${FLOWDRILL:-./src/flowdrill}
MKSFLOW=${MKSFLOW:-./tests/mksflow}
INPUT=${INPUT:-$srcdir/data/demo.pcap}
REPEAT=${REPEAT:-100}
RUNS=${RUNS:-5}

die() {
    echo "sflow.sh: $*" >&2
    exit 1
}
command -v sfacctd >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
command -v sfacctd >/dev/null 2>&1 || die "sfacctd not found (Debian package pmacct)"
command -v python3 >/dev/null 2>&1 || die "python3 not found"
[ -x "$MKSFLOW" ] || die "$MKSFLOW not built (make check builds it)"
[ -x "$FLOWDRILL" ] || die "$FLOWDRILL not built"
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/sflow_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

info=$("$MKSFLOW" -R "$REPEAT" "$INPUT" "$work/sflow.pcap")
samples=$(echo "$info" | awk '{print $4}')
echo "input: $info"

cat >"$work/sf.conf" <<EOF
daemonize: false
pcap_savefile: $work/sflow.pcap
plugins: print
aggregate: src_host, dst_host
print_output: csv
print_output_file: $work/sf.out
print_refresh_time: 3600
EOF

cpu() { # command... -> "user+sys seconds"
    /usr/bin/time -f "%U %S" -o "$work/time" "$@" >/dev/null 2>&1 || true
    awk '{printf "%.3f\n", $1 + $2}' "$work/time"
}

fd=() sf=()
for ((i = 0; i < RUNS; i++)); do
    fd+=("$(cpu "$FLOWDRILL" -r "$work/sflow.pcap" -l 6343 --json --top 0 --by host,pair)")
    sf+=("$(cpu sfacctd -f "$work/sf.conf")")
done
"$FLOWDRILL" -r "$work/sflow.pcap" -l 6343 --json --top 0 --by pair >"$work/fd.json"

python3 - "$samples" "$work/fd.json" "$work/sf.out" "${fd[*]}" "${sf[*]}" <<'PYEOF' | tee "$out/sflow.results"
import csv, json, statistics, sys
samples = int(sys.argv[1])
fd = [float(x) for x in sys.argv[4].split()]
sf = [float(x) for x in sys.argv[5].split()]
d = json.load(open(sys.argv[2]))
fd_pkts = sum(r['packets'] for r in d['tables']['pair'])
sf_pkts = sum(int(r['PACKETS']) for r in csv.DictReader(open(sys.argv[3])))
mf, ms = statistics.median(fd), statistics.median(sf)
print('flow samples per run: %d' % samples)
print('flowdrill CPU s: %s  median %.3f  -> %.2f us/sample' % (fd, mf, mf * 1e6 / samples))
print('sfacctd   CPU s: %s  median %.3f  -> %.2f us/sample' % (sf, ms, ms * 1e6 / samples))
print('ratio flowdrill/sfacctd CPU: %.2f' % (mf / ms if ms else float('nan')))
print('packets: flowdrill %d, sfacctd %d: %s' % (fd_pkts, sf_pkts,
      'same' if fd_pkts == sf_pkts else 'DIFFERENT'))
PYEOF
