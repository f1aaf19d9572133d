#!/bin/bash
# alerts_cli.sh - the threat detectors end to end, on the real program:
#   1. data/demo.pcap (-r, JSON): exactly two alerts, the SYN scan of 10.0.0.20 from
#      203.0.113.66 (at least 100 ports) and the spoofed UDP flood on 10.0.0.20 (at least 16
#      sources, 500 packets/s), both raised within the capture's first 10 seconds; none for
#      its web, DNS, backup, video, mail, NTP and ping traffic.
#   2. --alerts-only prints exactly those two as JSON lines; -t prints the alerts block;
#      --no-alerts and --alert NAME=off|VALUE change what is raised.
#   3. The same capture as sFlow (tests/mksflow): 1:1 gives the same two alerts; 1:10
#      sampling still gives the flood (sampled counts scaled by the rate), not the scan (a
#      tenth of its ports).
#   4. The same capture exported by softflowd as NetFlow v9 to a live -l socket on loopback:
#      both alerts (skipped visibly when softflowd is not installed).
#   5. Every real capture in the shared test data (FLOWDRILL_TESTDATA, or ../shared/testdata
#      beside the source tree), read with the export ports open: no alert at all (benign
#      traffic; a table of records looked at per capture is printed). Skipped visibly
#      when absent.
# Needs: FLOWDRILL, TOP_SRCDIR, TOP_BUILDDIR; python3.
set -u
FD=${FLOWDRILL:-./src/flowdrill}
SRC=${TOP_SRCDIR:-.}
BLD=${TOP_BUILDDIR:-.}
DEMO=$SRC/data/demo.pcap
TMP=$(mktemp -d)
pids=
cleanup() {
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }

# check.py JSON_FILE WANT [START_TS]: WANT is a comma list of kinds that must be raised,
# each exactly once, and nothing else ("" = no alert). With START_TS, each must be raised
# within 10 s of it. Prints the alerts.
cat >"$TMP/check.py" <<'PYEOF'
import json, sys
path, want = sys.argv[1], [k for k in sys.argv[2].split(",") if k]
start = float(sys.argv[3]) if len(sys.argv) > 3 else None
lines = [l for l in open(path).read().splitlines() if l.strip()]
if not lines:
    print("no output"); sys.exit(1)
try:
    objs = [json.loads(l) for l in lines]
except ValueError as e:
    print("not JSON: %s" % e); sys.exit(1)
alerts = objs[-1]["alerts"] if "alerts" in objs[-1] else objs
problems = []
kinds = sorted(a["kind"] for a in alerts)
if kinds != sorted(want):
    problems.append("alerts %s, wanted %s" % (kinds, sorted(want)))
for a in alerts:
    print("    %-10s %-15s -> %-15s count %5d peak %6d packets %6d first %d" % (
        a["kind"], a["src"], a["dst"], a["count"], a["peak"], a["packets"], a["first"]))
    if a["kind"] == "port_scan":
        if (a["src"], a["dst"], a["proto"]) != ("203.0.113.66", "10.0.0.20", "tcp"):
            problems.append("port_scan between the wrong hosts: %s" % a)
        if a["count"] < 100:
            problems.append("port_scan of %d ports" % a["count"])
    if a["kind"] == "udp_flood":
        if a["dst"] != "10.0.0.20" or a["src"] is not None:
            problems.append("udp_flood on the wrong host: %s" % a)
        if a["count"] < 16 or a["peak"] < 500:
            problems.append("udp_flood of %d sources, %d packets/s" % (a["count"], a["peak"]))
    if start is not None and a["first"] - start > 10:
        problems.append("%s raised %d s into the capture" % (a["kind"], a["first"] - start))
if problems:
    print("; ".join(problems)); sys.exit(1)
PYEOF

# the capture's first timestamp (classic pcap, either byte order)
START=$(python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read(32)
e = "<" if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
print(struct.unpack(e + "I", b[24:28])[0])' "$DEMO")

# ---- 1. the demo, read as a file ----
"$FD" -r "$DEMO" -n --json --top 1 >"$TMP/demo.json" 2>"$TMP/err" || bad "demo: exit $?"
if python3 "$TMP/check.py" "$TMP/demo.json" port_scan,udp_flood "$START" >"$TMP/msg"; then
    echo "ok   demo.pcap: the scan and the flood, within its first 10 s, nothing else"
else bad "demo.pcap: $(tail -n 1 "$TMP/msg")"; fi
sed -n '1,2p' "$TMP/msg"
python3 - "$TMP/demo.json" <<'PYEOF' || bad "demo: detectors object"
import json, sys
d = json.loads(open(sys.argv[1]).readline())["detectors"]
assert d["enabled"] and len(d["on"]) == 7, d
assert d["raised"] == 2 and d["active"] == 2 and d["dropped"] == 0, d
assert d["learning"] and 1000 < d["records"] < 7351 and d["memory_bytes"] > 0, d
assert set(d["evicted"]) == {"scan", "sweep", "flood", "unfamiliar", "talker"}, d
PYEOF

# ---- 2. --alerts-only, text, switches ----
"$FD" -r "$DEMO" -n --alerts-only >"$TMP/only.json" 2>"$TMP/err" || bad "--alerts-only: exit $?"
if [ "$(wc -l <"$TMP/only.json")" = 2 ] &&
    python3 "$TMP/check.py" "$TMP/only.json" port_scan,udp_flood "$START" >"$TMP/msg" &&
    grep -q '^{"time":[0-9]*,"id":1,"kind":"port_scan"' "$TMP/only.json"; then
    echo "ok   --alerts-only: two JSON lines, the scan first"
else bad "--alerts-only: $(cat "$TMP/only.json" "$TMP/msg" | head -n 4)"; fi
"$FD" -r "$DEMO" -n -t --top 1 >"$TMP/text" 2>"$TMP/err"
if grep -q '^alerts: 2 (2 active), learning destinations for [0-9]* s more, times UTC$' "$TMP/text" &&
    grep -q ' port_scan .*203\.0\.113\.66 .*10\.0\.0\.20 .* tcp ports$' "$TMP/text" &&
    grep -q ' udp_flood .* sources, [0-9.k]* pkt/s$' "$TMP/text"; then
    echo "ok   -t: the alerts block"
else bad "-t: no alerts block:"; sed -n '/^alerts/,$p' "$TMP/text" | head -n 5; fi
"$FD" -r "$DEMO" -n --json --no-alerts >"$TMP/off.json" 2>"$TMP/err"
if grep -q '"alerts":\[\],"detectors":{"enabled":false}' "$TMP/off.json"; then
    echo "ok   --no-alerts: an empty list, detectors off"
else bad "--no-alerts: $(grep -o '"alerts".\{0,60\}' "$TMP/off.json")"; fi
"$FD" -r "$DEMO" -n --json --alert scan=off >"$TMP/x.json" 2>"$TMP/err"
python3 "$TMP/check.py" "$TMP/x.json" udp_flood >"$TMP/msg" && echo "ok   --alert scan=off" ||
    bad "--alert scan=off: $(tail -n 1 "$TMP/msg")"
"$FD" -r "$DEMO" -n --json --alert udp=2000 >"$TMP/x.json" 2>"$TMP/err"
python3 "$TMP/check.py" "$TMP/x.json" port_scan >"$TMP/msg" && echo "ok   --alert udp=2000" ||
    bad "--alert udp=2000: $(tail -n 1 "$TMP/msg")"
"$FD" -r "$DEMO" --alert scan=lots -t >/dev/null 2>"$TMP/err"
[ $? = 2 ] && grep -q "whole number of distinct ports" "$TMP/err" && echo "ok   --alert bad value: exit 2" ||
    bad "--alert scan=lots: $(cat "$TMP/err")"

# ---- 3. as sFlow, unsampled and 1:10 ----
"$BLD/tests/mksflow" "$DEMO" "$TMP/s1.pcap" >/dev/null &&
    "$FD" -r "$TMP/s1.pcap" -l 6343 -n --json --top 1 >"$TMP/s1.json" 2>"$TMP/err"
python3 "$TMP/check.py" "$TMP/s1.json" port_scan,udp_flood "$START" >"$TMP/msg" &&
    echo "ok   sFlow 1:1: the same two alerts" || bad "sFlow 1:1: $(tail -n 1 "$TMP/msg")"
"$BLD/tests/mksflow" -n 10 "$DEMO" "$TMP/s10.pcap" >/dev/null &&
    "$FD" -r "$TMP/s10.pcap" -l 6343 -n --json --top 1 >"$TMP/s10.json" 2>"$TMP/err"
python3 "$TMP/check.py" "$TMP/s10.json" udp_flood >"$TMP/msg" &&
    echo "ok   sFlow 1:10: the flood, from counts scaled by the rate" ||
    bad "sFlow 1:10: $(tail -n 1 "$TMP/msg")"

# ---- 4. NetFlow v9 from softflowd, live on loopback ----
PATH=$PATH:/usr/sbin:/sbin
if command -v softflowd >/dev/null; then
    port=$(python3 -c 'import random; print(random.randint(20000, 60000))')
    "$FD" -l "127.0.0.1:$port" -n --alerts-only --no-store >"$TMP/nf.json" 2>"$TMP/nf.err" &
    fp=$!
    pids="$pids $fp"
    i=0
    while [ $i -lt 100 ] && ! grep -qi "$(printf '0100007F:%04X' "$port")" /proc/net/udp; do
        sleep 0.05
        i=$((i + 1))
    done
    (cd "$TMP" && timeout 60 softflowd -r "$DEMO" -n "127.0.0.1:$port" -v 9 -d \
        -p "$TMP/softflowd.pid" -c none) >"$TMP/sf.log" 2>&1 </dev/null
    i=0
    while [ $i -lt 40 ] && [ "$(wc -l <"$TMP/nf.json")" -lt 2 ]; do sleep 0.1; i=$((i + 1)); done
    kill -TERM "$fp"
    wait "$fp"
    pids=
    if python3 "$TMP/check.py" "$TMP/nf.json" port_scan,udp_flood >"$TMP/msg"; then
        echo "ok   NetFlow v9 from softflowd (live -l): the scan and the flood"
    else bad "NetFlow v9 from softflowd: $(tail -n 1 "$TMP/msg"; cat "$TMP/nf.err")"; fi
else
    echo "SKIP (sub-check): softflowd not installed: NetFlow v9 alerts not checked"
fi

# ---- 5. benign real captures: no alert ----
td=${FLOWDRILL_TESTDATA:-$SRC/../shared/testdata}
if [ -d "$td" ]; then
    total=0 nfiles=0 nrec=0
    while IFS= read -r f; do
        "$FD" -r "$f" -l 2055 -l 9991 -l 9992 -l 2057 -l 4739 -l 6343 -l 9990 -l 2100 -n \
            --json --top 0 >"$TMP/t.json" 2>/dev/null
        [ -s "$TMP/t.json" ] || continue # empty or unreadable captures: cli.sh's business
        line=$(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
print(len(d["alerts"]), d["detectors"]["records"],
      " ".join("%s:%s>%s" % (a["kind"], a["src"], a["dst"]) for a in d["alerts"]))' "$TMP/t.json")
        set -- $line
        nfiles=$((nfiles + 1))
        nrec=$((nrec + $2))
        if [ "$1" != 0 ]; then
            total=$((total + $1))
            bad "false positive on ${f#$td/}: $line"
        fi
    done < <(find "$td/pcap" "$td/derived" "$td/netflow" "$td/ipfix" "$td/sflow" -type f \
        \( -name '*.pcap' -o -name '*.pcapng' -o -name 'test.rewrite*' \) 2>/dev/null | sort)
    [ $total = 0 ] && echo "ok   $nfiles real captures, $nrec records: no alert"
else
    echo "SKIP (sub-check): $td not found: benign real captures not checked"
fi
exit $fail
