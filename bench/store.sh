#!/usr/bin/env bash
# store.sh - what the history store costs and takes:
#   1. cost per flow record with the store on and off, side by side: flowdrill -r FILE -l PORT
#      over a capture of NetFlow v9 exports (bench/flowgen.c --write) at RATE records/s, each
#      a new conversation, so about RATE x 60 conversations are active (idle timeout 60 s):
#      100k at the default; ROUNDS runs each, alternating, median wall and CPU (user+sys:
#      the writer thread's work counts) per record, and the ratio;
#   2. store size per day at that load, extrapolated from the measured minutes (see below);
#   3. query time over 30 days: bench/storebench fills a store with DAYS days of minutes
#      through the store's own writer (1-minute rows kept 7 days, hours all), times the
#      Trends screen's reads and the rewind's, then `flowdrill --history` and `--capacity`
#      over 30 and 7 days are timed here (median of ROUNDS).
# Run from the top build directory (make bench does). Environment:
#   FLOWDRILL   flowdrill binary            (default ./src/flowdrill)
#   STOREBENCH  bench/storebench binary     (default ./bench/storebench)
#   FLOWGEN     prebuilt bench/flowgen.c    (default: built into bench/out/)
#   RATE        records per second          (default 1700: ~100k active conversations)
#   SECS        seconds of exports          (default 1200: 20 minutes, ~2 M records)
#   ROUNDS      runs per measurement        (default 5)
#   DAYS        days storebench fills       (default 30)
# Raw figures: bench/out/store.results. See bench/README.md.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
out=bench/out
FLOWDRILL=${FLOWDRILL:-./src/flowdrill}
STOREBENCH=${STOREBENCH:-./bench/storebench}
RATE=${RATE:-1700}
SECS=${SECS:-1200}
ROUNDS=${ROUNDS:-5}
DAYS=${DAYS:-30}
results=$out/store.results
work=$out/store.tmp

die() {
    echo "store.sh: $*" >&2
    exit 1
}
for v in RATE SECS ROUNDS DAYS; do
    case "${!v}" in '' | *[!0-9]*) die "$v must be a positive whole number" ;; esac
done
[ -x "$FLOWDRILL" ] || die "no flowdrill at $FLOWDRILL (build it first, or set FLOWDRILL)"
[ -x "$STOREBENCH" ] || die "no storebench at $STOREBENCH (make bench/storebench)"
[ -x /usr/bin/time ] || die "GNU time not found at /usr/bin/time (Debian package: time)"
command -v python3 >/dev/null 2>&1 || die "python3 not found"
mkdir -p "$out"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

if [ -z "${FLOWGEN:-}" ]; then
    FLOWGEN=$out/flowgen
    if [ ! -x "$FLOWGEN" ] || [ "$srcdir/bench/flowgen.c" -nt "$FLOWGEN" ]; then
        echo "building $FLOWGEN"
        ${CC:-cc} -std=c11 -O2 -o "$FLOWGEN" "$srcdir/bench/flowgen.c" || die "cannot build flowgen"
    fi
fi

cap=$work/exports.pcap
gen=$("$FLOWGEN" --version 9 --port 2055 --rate "$RATE" --seconds "$SECS" --write "$cap")
records=$(sed -n 's/.*written_records=\([0-9]*\).*/\1/p' <<<"$gen")
[ -n "$records" ] || die "flowgen wrote no records: $gen"
cat "$cap" >/dev/null # into the page cache: the runs measure CPU, not the disk
: >"$results"

# ---- 1. store on vs off ----
echo "cost per record: $records NetFlow v9 records at $RATE/s over $SECS s, $ROUNDS rounds"
printf '%-6s %-6s %8s %8s %10s %10s\n' round store wall_s cpu_s ns/rec cpu_ns/rec
for r in $(seq 1 "$ROUNDS"); do
    for mode in off on; do
        args=()
        if [ $mode = on ]; then
            rm -rf "$work/st"
            args=(--store "$work/st")
        fi
        /usr/bin/time -f '%e %U %S' -o "$work/time" \
            "$FLOWDRILL" -r "$cap" -l 2055 --json --top 10 "${args[@]}" >"$work/report.json" \
            2>"$work/err" || die "flowdrill failed: $(cat "$work/err")"
        grep -q "not written" "$work/err" && die "the store lost minutes: $(cat "$work/err")"
        read -r wall u s <"$work/time"
        python3 - "$r" "$mode" "$wall" "$u" "$s" "$records" >>"$results" <<'EOF'
import sys
r, mode, wall, u, s, n = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
print("run %s %s %.3f %.3f %.1f %.1f" % (r, mode, wall, u + s, wall * 1e9 / n, (u + s) * 1e9 / n))
EOF
        tail -1 "$results" | awk '{ printf "%-6s %-6s %8s %8s %10s %10s\n", $2, $3, $4, $5, $6, $7 }'
    done
done
active=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['totals']['active_flows'])" "$work/report.json")
python3 - "$results" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("run ")]
med = {}
for mode in ("off", "on"):
    w = [float(r[5]) for r in rows if r[2] == mode]
    c = [float(r[6]) for r in rows if r[2] == mode]
    med[mode] = (statistics.median(w), statistics.median(c))
print("median  store off: %.1f ns/record wall, %.1f ns CPU" % med["off"])
print("median  store on:  %.1f ns/record wall, %.1f ns CPU" % med["on"])
print("ratio   on/off:    %.2f wall, %.2f CPU" % (med["on"][0] / med["off"][0], med["on"][1] / med["off"][1]))
EOF
echo "active conversations at the end of the capture: $active"

# ---- 2. size per day ----
# Every minute stores its totals and at most the top 50 rows (+ the rest row) of each table,
# whatever the number of conversations, so the size grows linearly with the minutes stored:
# bytes per row = (pages in use - those of an empty store) / rows, measured on the last
# store-on run; a day is 1440 minutes of the rows a minute had there, plus 24 hours of as
# many (an hour keeps the top 50 + rest of each table too).
# an empty store: a capture without packets
python3 -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,1))" "$work/empty.pcap"
"$FLOWDRILL" -r "$work/empty.pcap" --store "$work/empty" --json >/dev/null 2>&1 || die "cannot make an empty store"
python3 - "$work/st/history.sqlite" "$active" "$work/empty/history.sqlite" <<'EOF' | tee -a "$results"
import sqlite3, sys
def used(path):
    db = sqlite3.connect(path)
    pages = db.execute("PRAGMA page_count").fetchone()[0] - db.execute("PRAGMA freelist_count").fetchone()[0]
    return db, pages * db.execute("PRAGMA page_size").fetchone()[0]
db, size = used(sys.argv[1])
empty = used(sys.argv[3])[1]
minutes = db.execute("SELECT count(*) FROM minute_total").fetchone()[0]
mrows = db.execute("SELECT count(*) FROM minute_row").fetchone()[0]
hours = db.execute("SELECT count(*) FROM hour_total").fetchone()[0]
hrows = db.execute("SELECT count(*) FROM hour_row").fetchone()[0]
# bytes per stored row (totals count as rows), then a day of this load's rows per minute
per_row = (size - empty) / (mrows + hrows + minutes + hours)
rpm = (mrows + minutes) / minutes
per_day = per_row * rpm * (1440 + 24)  # an hour keeps as many rows as a minute (top 50 + rest)
print("size    %d minutes (%d rows, %.0f a minute) and %d hours (%d rows): %.2f MiB over an "
      "empty store, %.1f bytes a row" % (minutes, mrows, mrows / minutes, hours, hrows,
                                          (size - empty) / 2**20, per_row))
print("size    per day at %s active conversations: %.1f MiB (1440 minutes + 24 hours of %.0f rows)"
      % (sys.argv[2], per_day / 2**20, rpm))
print("size    at the default retention (7 days of minutes, a year of hours): %.2f GiB"
      % (per_row * rpm * (7 * 1440 + 365 * 24) / 2**30))
EOF

# ---- 3. 30 days of history: the screen's reads and --history ----
echo "filling $DAYS days of minutes through the writer (bench/storebench)..."
"$STOREBENCH" "$work/month" "$DAYS" 400 "$ROUNDS" | tee -a "$results"
for what in "--history --since 30d --by host,pair,port,app,proto,exporter,iface --top 20 --json" \
    "--history --since 7d --by host,pair,port,app,proto,exporter,iface --top 20 --json" \
    "--capacity --since 30d --json" "--history --since 24h --by host --top 20"; do
    : >"$work/q"
    for r in $(seq 1 "$ROUNDS"); do
        /usr/bin/time -f '%e' -a -o "$work/q" "$FLOWDRILL" $what --store "$work/month" >/dev/null \
            2>>"$work/qerr" || die "flowdrill $what failed: $(cat "$work/qerr")"
    done
    med=$(sort -n "$work/q" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    echo "cli     flowdrill $what: median ${med} s" | tee -a "$results"
done
