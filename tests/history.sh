#!/bin/bash
# history.sh - the history store end to end: the real program reads a capture with -r into a
# store in a temporary directory, and
#   * every minute's stored totals equal an oracle computed here from the capture itself
#     (layer-3 bytes and packets per minute of the packets' own timestamps, in/out by --local);
#   * each table's stored rows (top rows plus "rest") add up, over the minutes, to exactly the
#     live table's rows in the same run's --json report, and every row kept in the top equals
#     its live row;
#   * `--history --json` over the range gives the same totals and rows, a screen filter
#     narrows them;
#   * --capacity: per exporter, interface and total p95, peak and week growth equal an
#     oracle computed here from 16 days of NetFlow v5 datagrams written here;
#   * a second run into the same store keeps the first run's minutes (restart keeps history);
#   * -r without --store writes nothing into XDG_DATA_HOME; a live collector writes there;
#   * an unwritable or corrupt store is reported in one line and the run goes on (exit 0,
#     report printed); --history on a missing or corrupt store exits 1 with a message.
# Never writes outside its temporary directory. Needs: FLOWDRILL, python3.
set -u
FD=${FLOWDRILL:-./src/flowdrill}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg" HOME="$TMP/home"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

# ---- a capture of 5 minutes (and a second one, later), written here ----
python3 - "$TMP" <<'EOF'
import json, random, struct, sys
tmp = sys.argv[1]
def pcap(path, t0, minutes, seed):
    rnd = random.Random(seed)
    out = open(path, "wb")
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    oracle = {}
    locals_ = ["10.0.0.%d" % i for i in range(1, 7)]
    remotes = ["198.51.100.%d" % i for i in range(1, 9)]
    t = t0
    end = t0 + 60 * minutes
    while t < end:
        t += rnd.uniform(0.05, 0.8)
        if t >= end:
            break
        a, b = rnd.choice(locals_), rnd.choice(remotes)
        if rnd.random() < 0.5:
            a, b = b, a
        proto = rnd.choice([6, 17])
        sport, dport = rnd.choice([(40000 + rnd.randrange(50), 443), (53000, 53), (41000, 80)])
        if rnd.random() < 0.5:
            sport, dport = dport, sport
        plen = rnd.randrange(0, 1200)
        l4 = struct.pack(">HH", sport, dport) + (b"\0" * 16 if proto == 6 else struct.pack(">HH", 8 + plen, 0))
        if proto == 6:
            l4 = struct.pack(">HHIIBBHHH", sport, dport, 1, 1, 0x50, 0x18, 1000, 0, 0)
        payload = l4 + b"x" * plen
        tot = 20 + len(payload)
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, tot, 1, 0, 64, proto, 0,
                         bytes(map(int, a.split("."))), bytes(map(int, b.split("."))))
        frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + payload
        sec, usec = int(t), int((t - int(t)) * 1e6)
        out.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
        m = sec - sec % 60
        o = oracle.setdefault(str(m), {"bytes": 0, "packets": 0, "bytes_in": 0, "bytes_out": 0})
        o["bytes"] += tot
        o["packets"] += 1
        if a.startswith("10.") and not b.startswith("10."):
            o["bytes_out"] += tot
        if b.startswith("10.") and not a.startswith("10."):
            o["bytes_in"] += tot
    out.close()
    json.dump(oracle, open(path + ".json", "w"))
pcap(tmp + "/a.pcap", 1733400000 + 17, 5, 1)  # starts 17 s into a minute
pcap(tmp + "/b.pcap", 1733400000 + 3600, 3, 2)
EOF

S="$TMP/store"
"$FD" -r "$TMP/a.pcap" --store "$S" --local 10.0.0.0/8 --json --top 0 \
    --by host,pair,port,app,proto >"$TMP/live.json" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] && [ -s "$S/history.sqlite" ] && ok "-r with --store writes a store" ||
    { bad "-r with --store: exit $rc"; cat "$TMP/err"; }

python3 - "$S/history.sqlite" "$TMP/a.pcap.json" "$TMP/live.json" <<'EOF' || fail=1
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
oracle = json.load(open(sys.argv[2]))
live = json.loads(open(sys.argv[3]).readline())
bad = 0
rows = {str(t): (b, p, bi, bo) for t, b, p, bi, bo in
        db.execute("SELECT t, bytes, packets, bytes_in, bytes_out FROM minute_total")}
if sorted(rows) != sorted(oracle):
    print("FAIL minutes stored %s, capture has %s" % (sorted(rows), sorted(oracle))); bad = 1
for m, o in oracle.items():
    got = rows.get(m)
    want = (o["bytes"], o["packets"], o["bytes_in"], o["bytes_out"])
    if got != want:
        print("FAIL minute %s: stored %s, capture %s" % (m, got, want)); bad = 1
if not bad:
    print("ok   every minute's totals equal the capture's (%d minutes)" % len(oracle))
tot = db.execute("SELECT sum(bytes), sum(packets), sum(flows) FROM minute_total").fetchone()
lt = live["totals"]
if tot != (lt["bytes"], lt["packets"], lt["flows"]):
    print("FAIL stored totals %s != live %s" % (tot, lt)); bad = 1
else:
    print("ok   the minutes add up to the live totals")
names = ["host", "pair", "port", "app", "proto"]
for i, name in enumerate(names):
    lrows = live["tables"][name]
    lsum = sum(r["bytes"] for r in lrows)
    ssum = db.execute("SELECT sum(b0 + b1), sum(p0 + p1) FROM minute_row WHERE tbl = ?", (i,)).fetchone()
    if ssum[0] != lsum or ssum[1] != sum(r["packets"] for r in lrows):
        print("FAIL table %s: stored %s, live bytes %d" % (name, ssum, lsum)); bad = 1
        continue
    rest = db.execute("SELECT count(*) FROM minute_row WHERE tbl = ? AND length(key) = 0", (i,)).fetchone()[0]
    if rest == 0 and len(lrows) < 50:
        n = db.execute("SELECT count(DISTINCT key) FROM minute_row WHERE tbl = ?", (i,)).fetchone()[0]
        if n != len(lrows):
            print("FAIL table %s: %d stored keys, %d live rows" % (name, n, len(lrows))); bad = 1
            continue
    print("ok   table %s: stored rows add up to the live table (%d rows)" % (name, len(lrows)))
hours = db.execute("SELECT sum(bytes) FROM hour_total").fetchone()[0]
hrows = db.execute("SELECT sum(b0 + b1) FROM hour_row WHERE tbl = 0").fetchone()[0]
if hours != lt["bytes"] or hrows != sum(r["bytes"] for r in live["tables"]["host"]):
    print("FAIL hour roll-up %s/%s" % (hours, hrows)); bad = 1
else:
    print("ok   the hour roll-up holds the same totals")
sys.exit(bad)
EOF

# ---- the batch query ----
"$FD" --history --store "$S" --since @1733400000 --until @1733400600 --json --by host,proto \
    --top 0 >"$TMP/h.json" 2>"$TMP/err" || { bad "--history exit $?"; cat "$TMP/err"; }
python3 - "$TMP/h.json" "$TMP/live.json" "$TMP/a.pcap.json" <<'EOF' || fail=1
import json, sys
h = json.loads(open(sys.argv[1]).readline())["history"]
live = json.loads(open(sys.argv[2]).readline())
minutes = len(json.load(open(sys.argv[3])))
bad = 0
if h["total"]["bytes"] != live["totals"]["bytes"] or h["step"] != 60 or h["samples"] != minutes:
    print("FAIL --history total %s step %s samples %s" % (h["total"]["bytes"], h["step"], h["samples"])); bad = 1
lh = {r["key"]: r["bytes"] for r in live["tables"]["host"]}
hh = {r["key"]: r["bytes"] for r in h["tables"]["host"]}
if lh != hh:
    print("FAIL --history hosts %s != live %s" % (hh, lh)); bad = 1
t = h["total"]
if not (t["peak_bps"] >= t["p95_bps"] >= t["mean_bps"] * 0 and t["peak_bps"] > 0):
    print("FAIL rates %s" % t); bad = 1
peak = max(s[1] for s in h["series"]) * 8 // 60
if peak != t["peak_bps"]:
    print("FAIL peak %d != series %d" % (t["peak_bps"], peak)); bad = 1
if not bad:
    print("ok   --history --json: totals, rows and peak equal the run's")
sys.exit(bad)
EOF
"$FD" --history --store "$S" --since @1733400000 --until @1733400600 --json --by host,pair \
    --top 0 host 10.0.0.1 >"$TMP/f.json" 2>"$TMP/err" || { bad "--history filter exit $?"; cat "$TMP/err"; }
python3 - "$TMP/f.json" <<'EOF' || fail=1
import json, sys
h = json.loads(open(sys.argv[1]).readline())["history"]
hosts = [r["key"] for r in h["tables"]["host"]]
pairs = [r["key"] for r in h["tables"]["pair"]]
if hosts != ["10.0.0.1"] or not pairs or any("10.0.0.1 " not in p + " " for p in pairs):
    print("FAIL filter host 10.0.0.1: hosts %s pairs %s" % (hosts, pairs)); sys.exit(1)
print("ok   --history filter 'host 10.0.0.1' keeps that host and its pairs")
EOF
"$FD" --history --store "$S" --since 24h 'host 10.0.0.1 and' >/dev/null 2>"$TMP/err"
[ $? = 2 ] && grep -q "filter" "$TMP/err" && ok "a bad --history filter exits 2" || bad "bad filter"
"$FD" --history --store "$S" --since @1733400000 --until @1733400600 --by host --top 3 \
    >"$TMP/h.txt" 2>&1 && grep -q "^rate: mean" "$TMP/h.txt" && grep -q "^host (3 rows)" "$TMP/h.txt" &&
    ok "--history text report" || { bad "--history text"; cat "$TMP/h.txt"; }

# ---- capacity planning: --capacity over 16 days of NetFlow v5 from two exporters ----
# One datagram per exporter and hour (two records: interfaces 1->2 and 2->1), rising traffic
# and one burst; the oracle computes each exporter's hourly p95 (nearest rank), peak and
# growth (mean of the first week against the last) from the datagrams written here.
python3 - "$TMP" <<'EOF2'
import json, struct, sys
out_dir = sys.argv[1]
T0 = 1733356800  # a day boundary (2024-12-05 00:00 UTC)
HOURS = 16 * 24
exps = {"192.0.2.1": 1, "192.0.2.2": 3}  # exporter -> traffic scale
def ipb(s): return bytes(map(int, s.split(".")))
cap = open(out_dir + "/c.pcap", "wb")
cap.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
oracle = {e: [] for e in exps}
seq = {e: 0 for e in exps}
for h in range(HOURS):
    for e, scale in exps.items():
        t = T0 + h * 3600 + 30
        # growth: the rate rises through the range, with a burst in hour 200
        octets = scale * (100000 + 500 * h) + (5000000 if (h == 200 and scale == 1) else 0)
        recs = [("10.0.0.1", "198.51.100.1", 1, 2, octets // 2, 6, 40000, 443),
                ("198.51.100.2", "10.0.0.2", 2, 1, octets - octets // 2, 17, 53, 53000)]
        uptime = 1000000 + h * 3600 * 1000
        body = b""
        for s, d, i_in, i_out, oc, pr, sp, dp in recs:
            body += struct.pack(">4s4s4sHHIIIIHHBBBBHHBBH", ipb(s), ipb(d), b"\0" * 4, i_in, i_out,
                                10, oc, uptime - 2000, uptime - 1000, sp, dp, 0, 0x18, pr, 0, 0, 0, 0, 0, 0)
        hdr = struct.pack(">HHIIIIBBH", 5, len(recs), uptime, t, 0, seq[e], 0, 0, 0)
        seq[e] += len(recs)
        payload = hdr + body
        udp = struct.pack(">HHHH", 4444, 2055, 8 + len(payload), 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, ipb(e), ipb("127.0.0.1")) + udp
        frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip
        cap.write(struct.pack("<IIII", t, 0, len(frame), len(frame)) + frame)
        oracle[e].append([h, octets])
cap.close()
json.dump({"t0": T0, "hours": HOURS, "exporters": oracle}, open(out_dir + "/c.json", "w"))
EOF2
"$FD" -r "$TMP/c.pcap" -l 2055 --store "$TMP/cs" --json >/dev/null 2>"$TMP/err"
[ $? = 0 ] && ! grep -q "not written" "$TMP/err" && ok "-r of 384 hours of exports: every minute written" ||
    { bad "capacity store"; cat "$TMP/err"; }
T0=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['t0'])" "$TMP/c.json")
"$FD" --capacity --store "$TMP/cs" --since @$T0 --until @$((T0 + 16 * 86400)) --top 0 --json \
    >"$TMP/cap.json" 2>"$TMP/err" || { bad "--capacity --json exit $?"; cat "$TMP/err"; }
"$FD" --history --store "$TMP/cs" --since @$T0 --until @$((T0 + 16 * 86400)) --json --by exporter \
    --top 0 >"$TMP/caph.json" 2>"$TMP/err" || { bad "--history exporter exit $?"; cat "$TMP/err"; }
python3 - "$TMP/cap.json" "$TMP/c.json" "$TMP/caph.json" <<'EOF2' || fail=1
import json, sys
cap = json.loads(open(sys.argv[1]).readline())["capacity"]
orc = json.load(open(sys.argv[2]))
hist = json.loads(open(sys.argv[3]).readline())["history"]
bad = 0
def stats(hourly):
    v = sorted(hourly)
    n = len(v)
    rank = (n * 95 + 99) // 100
    p95 = v[rank - 1] * 8 // 3600
    peak = v[-1] * 8 // 3600
    week = 7 * 24
    a = hourly[:week]
    b = hourly[-week:]
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    return p95, peak, round((mb - ma) / ma * 100.0, 1), sum(hourly)
if cap["step"] != 3600 or cap["samples"] != orc["hours"] or cap["growth_basis"] != "weeks":
    print("FAIL capacity step %s samples %s basis %s" % (cap["step"], cap["samples"], cap["growth_basis"])); bad = 1
tot_hourly = [0] * orc["hours"]
for e, rows in orc["exporters"].items():
    hourly = [o for h, o in rows]
    for h, o in rows:
        tot_hourly[h] += o
    p95, peak, growth, total = stats(hourly)
    got = [r for r in cap["exporter"] if r["key"].startswith(e + "/")]
    if len(got) != 1:
        print("FAIL exporter %s: rows %s" % (e, [r["key"] for r in cap["exporter"]])); bad = 1; continue
    g = got[0]
    if (g["p95_bps"], g["peak_bps"], g["growth_pct"], g["bytes"]) != (p95, peak, growth, total):
        print("FAIL exporter %s: p95/peak/growth/bytes %s, oracle %s" %
              (e, (g["p95_bps"], g["peak_bps"], g["growth_pct"], g["bytes"]), (p95, peak, growth, total))); bad = 1
    ifs = [r for r in cap["iface"] if r["key"].startswith(e + "/")]
    # every record names both interfaces (1->2 or 2->1): each carries the exporter's bytes
    if sorted(r["key"].split()[-1] for r in ifs) != ["1", "2"] or any(r["bytes"] != total or r["peak_bps"] != peak for r in ifs):
        print("FAIL interfaces of %s: %s" % (e, ifs)); bad = 1
    h = [r for r in hist["tables"]["exporter"] if r["key"] == g["key"]]
    if not h or (h[0]["p95_bps"], h[0]["peak_bps"], h[0]["growth_pct"]) != (g["p95_bps"], g["peak_bps"], g["growth_pct"]):
        print("FAIL --capacity and --history --by exporter differ for %s" % e); bad = 1
t = cap["total"]
p95, peak, growth, total = stats(tot_hourly)
if (t["p95_bps"], t["peak_bps"], t["growth_pct"], t["bytes"]) != (p95, peak, growth, total):
    print("FAIL total %s, oracle %s" % (t, (p95, peak, growth, total))); bad = 1
if not bad:
    print("ok   --capacity --json: per exporter, interface and in total, p95, peak and week growth equal the oracle's")
sys.exit(bad)
EOF2
"$FD" --capacity --store "$TMP/cs" --since @$T0 --until @$((T0 + 16 * 86400)) >"$TMP/cap.txt" 2>&1
grep -q "^flowdrill capacity .*384 1-hour samples; growth: last week against the first" "$TMP/cap.txt" &&
    grep -q "^total " "$TMP/cap.txt" && [ "$(grep -c '^exporter 192.0.2' "$TMP/cap.txt")" = 2 ] &&
    [ "$(grep -c '^iface 192.0.2' "$TMP/cap.txt")" = 4 ] && ok "--capacity text report" ||
    { bad "--capacity text"; cat "$TMP/cap.txt"; }
"$FD" --capacity --store "$TMP/cs" --since @$T0 --until @$((T0 + 16 * 86400)) --top 1 --json |
    python3 -c "import json,sys; c=json.load(sys.stdin)['capacity']; sys.exit(0 if len(c['exporter'])==1 and c['exporter'][0]['key'].startswith('192.0.2.2/') and len(c['iface'])==1 else 1)" &&
    ok "--capacity --top 1: the busiest exporter and interface" || bad "--capacity --top 1"
"$FD" --capacity --store "$TMP/cs" -r "$TMP/c.pcap" >/dev/null 2>&1
[ $? = 2 ] && ok "--capacity with -r is a usage error" || bad "--capacity -r"

# ---- restart keeps history ----
"$FD" -r "$TMP/b.pcap" --store "$S" --json >/dev/null 2>"$TMP/err" || bad "second run"
n=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM minute_total').fetchone()[0])" "$S/history.sqlite")
want=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))) + len(json.load(open(sys.argv[2]))))" "$TMP/a.pcap.json" "$TMP/b.pcap.json")
[ "$n" = "$want" ] && ok "a second run keeps the first run's minutes ($n minutes)" || bad "minutes after restart: $n, wanted $want"

# ---- where the store goes by default ----
"$FD" -r "$TMP/a.pcap" --json >/dev/null 2>&1
[ ! -e "$XDG_DATA_HOME/flowdrill" ] && ok "-r stores nothing by default" || bad "-r wrote into XDG_DATA_HOME"
"$FD" -r "$TMP/a.pcap" --store "$TMP/ns" --no-store --json >/dev/null 2>"$TMP/err"
[ $? = 2 ] && ok "--store with --no-store is a usage error" || bad "--store --no-store"
port=$((39000 + RANDOM % 2000))
"$FD" -l 127.0.0.1:$port --json --count 1 -d 0.2 >/dev/null 2>"$TMP/err"
[ -s "$XDG_DATA_HOME/flowdrill/history.sqlite" ] && ok "a live collector stores in XDG_DATA_HOME/flowdrill" ||
    { bad "live collector did not store"; cat "$TMP/err"; }
"$FD" -l 127.0.0.1:$port --json --count 1 -d 0.2 --no-store >/dev/null 2>&1 || bad "--no-store run"

# ---- unwritable and corrupt stores ----
echo x >"$TMP/file"
"$FD" -r "$TMP/a.pcap" --store "$TMP/file/sub" --json >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] && grep -q "cannot create the directory" "$TMP/err" && grep -q "running without history" "$TMP/err" &&
    [ -s "$TMP/out" ] && ok "an unwritable store: one line, the run goes on" ||
    { bad "unwritable store: exit $rc"; cat "$TMP/err"; }
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$TMP/ro" && chmod 0500 "$TMP/ro"
    "$FD" -r "$TMP/a.pcap" --store "$TMP/ro" --json >"$TMP/out" 2>"$TMP/err"
    [ $? = 0 ] && grep -q "not writable" "$TMP/err" && ok "a read-only directory: one line, the run goes on" ||
        { bad "read-only directory"; cat "$TMP/err"; }
    chmod 0700 "$TMP/ro"
fi
mkdir -p "$TMP/bad" && head -c 8192 /dev/urandom >"$TMP/bad/history.sqlite"
"$FD" -r "$TMP/a.pcap" --store "$TMP/bad" --json >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] && grep -q "damaged or not a flowdrill store" "$TMP/err" && [ -s "$TMP/out" ] &&
    ok "a corrupt store: one line, the run goes on" || { bad "corrupt store: exit $rc"; cat "$TMP/err"; }
"$FD" --history --store "$TMP/bad" >/dev/null 2>"$TMP/err"
[ $? = 1 ] && grep -q "damaged" "$TMP/err" && ok "--history on a corrupt store exits 1" || { bad "--history corrupt"; cat "$TMP/err"; }
"$FD" --history --store "$TMP/none" >/dev/null 2>"$TMP/err"
[ $? = 1 ] && grep -q "no history at" "$TMP/err" && ok "--history on a missing store exits 1" || { bad "--history missing"; cat "$TMP/err"; }
if grep -qiE 'sanitizer|runtime error' "$TMP/err"; then bad "sanitizer report"; fi
exit $fail
