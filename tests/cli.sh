#!/bin/bash
# cli.sh - the real program end to end: options, errors, exit codes, a capture file.
# Needs: FLOWDRILL (the program), TOP_BUILDDIR (for tests/mkfixture).
set -u
FD=${FLOWDRILL:-./src/flowdrill}
MK=${TOP_BUILDDIR:-.}/tests/mkfixture
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
n=0

check() { # check NAME EXPECTED_STATUS STDERR_PATTERN -- ARGS...
    name=$1 want_status=$2 pat=$3
    shift 4
    n=$((n + 1))
    "$FD" "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" != "$want_status" ]; then
        echo "FAIL $name: exit $got, wanted $want_status"; sed 's/^/   /' "$TMP/err"; fail=1; return
    fi
    if [ -n "$pat" ] && ! grep -q -- "$pat" "$TMP/err"; then
        echo "FAIL $name: stderr lacks '$pat':"; sed 's/^/   /' "$TMP/err"; fail=1; return
    fi
    if grep -qiE 'sanitizer|runtime error|segmentation|abort' "$TMP/err"; then
        echo "FAIL $name: crash report"; sed 's/^/   /' "$TMP/err"; fail=1; return
    fi
    echo "ok   $name"
}

check help 0 "" -- --help
grep -q "Usage: flowdrill" "$TMP/out" || { echo "FAIL help text on stdout"; fail=1; }
check version 0 "" -- --version
grep -q "^flowdrill [0-9]" "$TMP/out" || { echo "FAIL version text"; fail=1; }
check unknown-option 2 "unknown option '--nope'" -- --nope
check bad-number 2 "is not a whole number" -- --top x
check bad-cidr 2 "not a network" -- --local 300.1.1.1/8 -r x
check missing-file 1 "cannot read '$TMP/none.pcap'" -- -r "$TMP/none.pcap" --batch
echo "not a capture" >"$TMP/junk.pcap"
check junk-file 1 "not a capture file libpcap can read" -- -r "$TMP/junk.pcap" --batch
check directory 1 "it is a directory" -- -r "$TMP" --batch

"$MK" "$TMP/fix.pcap" >"$TMP/expect" || { echo "FAIL mkfixture"; exit 1; }
check bad-filter 2 "bad filter expression 'tcp port port'" -- -r "$TMP/fix.pcap" --batch "tcp port port"
check bad-filter-portt 2 "bad filter expression 'tcp portt 80'" -- -r "$TMP/fix.pcap" --json 'tcp portt 80'
# as root: "no such interface"; without privileges: "no permission"; both name it
check unknown-iface 1 "flowdrill-no-such0" -- -i flowdrill-no-such0 --batch --count 1

# a known capture: totals must be exact
check file-json 0 "" -- -r "$TMP/fix.pcap" --json --by host,proto --top 0
bytes=$(sed -n 's/.*"totals":{"bytes":\([0-9]*\),"packets":\([0-9]*\).*/\1 \2/p' "$TMP/out")
want=$(cat "$TMP/expect")
if [ "$bytes" != "$want" ]; then echo "FAIL totals '$bytes' != '$want'"; fail=1; else echo "ok   totals $bytes"; fi
[ "$(wc -l <"$TMP/out")" = 1 ] || { echo "FAIL one JSON line expected"; fail=1; }

check file-stdin 0 "" -- -r - --json <"$TMP/fix.pcap"
bytes=$(sed -n 's/.*"totals":{"bytes":\([0-9]*\),"packets":\([0-9]*\).*/\1 \2/p' "$TMP/out")
[ "$bytes" = "$want" ] || { echo "FAIL stdin totals '$bytes' != '$want'"; fail=1; }

check file-text 0 "" -- -r "$TMP/fix.pcap" --batch --by host,pair,port,app,proto,flow
grep -q "^host: " "$TMP/out" && grep -q "^flow: " "$TMP/out" || { echo "FAIL text tables"; fail=1; }

check file-filter 0 "" -- -r "$TMP/fix.pcap" --json udp
grep -q '"proto":\[\]' "$TMP/out" || true

# exports of the shared encoder's shapes (tests/mkexports): per exporter, the family rule
# each record of a dual-family template took, the records without a packet counter, and
# nothing invented or booked twice
MKX=${TOP_BUILDDIR:-.}/tests/mkexports
mkdir "$TMP/shapes" && "$MKX" "$TMP/shapes" || { echo "FAIL mkexports"; fail=1; }
check shape-dual 0 "" -- -r "$TMP/shapes/dual-v9.pcap" -l 2055 --force-sampling 1 --json \
    --by host,exporter --top 0
grep -q '"address_family":{"v4_only":2,"v6_only":1,"both_ip_version":0,"both_default_v4":2,"neither":1},"no_packet_counter":0' "$TMP/out" ||
    { echo "FAIL dual-family rules per exporter"; fail=1; }
grep -q '"key":"192.0.2.11","bytes":75000,"packets":55' "$TMP/out" ||
    { echo "FAIL dual-family IPv4 host"; fail=1; }
check shape-counts 0 "" -- -r "$TMP/shapes/counts-ipfix.pcap" -l 2055 --json --by exporter
grep -q '"no_packet_counter":2' "$TMP/out" && grep -q '"totals":{"bytes":1286,"packets":1,' "$TMP/out" ||
    { echo "FAIL packet-less records counted, 0 packets booked"; fail=1; }
check shape-selftalk 0 "" -- -r "$TMP/shapes/selftalk-v9.pcap" -l 2055 --json --by host --top 0
grep -q '"key":"0.0.0.0","bytes":4800,"packets":12,' "$TMP/out" ||
    { echo "FAIL self-talk booked once"; fail=1; }

# the template flood of issue 19 (mkexports --flood): one exporter's 5,000 templates, then a
# router's template and record. The quota options decide what the flood costs the greedy
# exporter (recycled within its quota, or refused once the shared pool is full), never the
# router, whose 1,000,000 bytes are booked whole every time.
"$MKX" --flood "$TMP/flood.pcap" || { echo "FAIL mkexports --flood"; fail=1; }
flood_case() { # flood_case NAME "TEMPLATES REFUSED RECYCLED" QUOTA-OPTIONS...
    name=$1 want=$2
    shift 2
    check "$name" 0 "" -- -r "$TMP/flood.pcap" -l 2055 --json --by host,exporter --top 0 "$@"
    got=$(sed -n 's/.*"address":"203.0.113.66","port":4444,"domain":0,[^}]*"records":0,"templates":\([0-9]*\),"templates_refused":\([0-9]*\),"templates_recycled":\([0-9]*\),.*/\1 \2 \3/p' "$TMP/out")
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: greedy exporter templates/refused/recycled '$got', wanted '$want'"; fail=1
    elif ! grep -q '"address":"198.51.100.1","port":4444,"domain":1,[^}]*"records":1,"templates":1,"templates_refused":0,"templates_recycled":0,"held_dropped":0' "$TMP/out" ||
        ! grep -q '"key":"10.9.9.9","bytes":1000000,"packets":1000,' "$TMP/out"; then
        echo "FAIL $name: the router lost templates or bytes"; fail=1
    else
        echo "ok   $name: greedy exporter $got"
    fi
}
flood_case flood-default-quota "1024 0 3976"
flood_case flood-quota-10 "10 0 4990" --template-quota 10
# no quota: the pool (4096) bounds it; the router's template recycles one of the flood's
flood_case flood-no-quota "4095 904 1" --template-quota 0 --template-quota-size 0
# a sender of templates only has its own row in the exporter table (the Exporters view's
# rows), with what its quota cost it, in JSON and in the text report
check flood-exporter-row 0 "" -- -r "$TMP/flood.pcap" -l 2055 --json --by exporter --top 0
if grep -q '{"key":"203.0.113.66/0","exporter":"203.0.113.66","domain":0,"bytes":0,"packets":0,"flows":0,[^}]*"datagrams":5000,[^}]*"templates":1024,"templates_refused":0,"templates_recycled":3976,' "$TMP/out" &&
    grep -q '{"key":"198.51.100.1/1",[^}]*"bytes":1000000,' "$TMP/out"; then
    echo "ok   flood-exporter-row: template-only exporter listed with its recycling"
else
    echo "FAIL flood-exporter-row: no row for the template-only exporter"; fail=1
fi
check flood-exporter-text 0 "" -- -r "$TMP/flood.pcap" -l 2055 --batch --by exporter --top 0
grep -q '^ *2  203.0.113.66/0 .* 0 B  *0  *0$' "$TMP/out" &&
    grep -q 'exporter 203.0.113.66/0 past its template share: 1024 held, 0 refused, 3976 recycled' "$TMP/out" ||
    { echo "FAIL flood-exporter-text: template-only exporter's row or share line missing"; sed 's/^/   /' "$TMP/out"; fail=1; }
check flood-quota-too-big 2 "more than the 4096 templates all exporters share" -- \
    -r "$TMP/flood.pcap" -l 2055 --json --template-quota 5000

# a file gives the same report every time, detectors and full tables included (the demo
# capture has a scan and a flood; the hash seeds are fixed for files, random only live)
demo_pcap=${TOP_SRCDIR:-.}/data/demo.pcap
check same-1 0 "" -- -r "$demo_pcap" --json --top 0 --by host,pair,port,flow --no-store
cp "$TMP/out" "$TMP/same1"
check same-2 0 "" -- -r "$demo_pcap" --json --top 0 --by host,pair,port,flow --no-store
if cmp -s "$TMP/same1" "$TMP/out" && grep -q '"kind":"port_scan"' "$TMP/out"; then
    echo "ok   same-report-twice"
else
    echo "FAIL same-report-twice: two reads of the demo capture differ (or raised no scan)"
    diff <(tr ',' '\n' <"$TMP/same1") <(tr ',' '\n' <"$TMP/out") | head -n 8
    fail=1
fi

# demo: live-like, two reports, then exit by --count
check demo 0 "" -- --demo --json -d 0.5 --count 2
[ "$(wc -l <"$TMP/out")" = 2 ] || { echo "FAIL demo: 2 reports expected"; fail=1; }

# SIGTERM on a live-like run prints a final report and exits 0
"$FD" --demo --json -d 10 >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
st=$?
if [ $st = 0 ] && grep -q '"final":true' "$TMP/out"; then echo "ok   sigterm-final-report"; else
    echo "FAIL sigterm: status $st"; fail=1; fi

# a closed pipe is not an error
"$FD" --demo --batch -d 0.2 2>"$TMP/err" | head -1 >/dev/null
st=$?
if [ -s "$TMP/err" ]; then echo "FAIL epipe: stderr not empty"; cat "$TMP/err"; fail=1; else echo "ok   epipe-quiet"; fi

# ---- the collector on loopback ----
lport=$((20000 + $$ % 30000))
"$FD" -l 127.0.0.1:$lport --json -d 10 --by host,exporter --allow 10.0.0.0/8 >"$TMP/col" 2>"$TMP/colerr" &
cpid=$!
sleep 0.5
check port-in-use 1 "port $lport is already in use" -- -l 127.0.0.1:$lport --batch --count 1
# two v5 datagrams from 127.0.0.1, which --allow 10.0.0.0/8 rejects before decoding
printf '\000\005\000\000' >/dev/udp/127.0.0.1/$lport
printf '\000\011' >/dev/udp/127.0.0.1/$lport
sleep 0.3
kill -TERM $cpid
wait $cpid
st=$?
rej=$(sed -n 's/.*"rejected_exporter":\([0-9]*\).*/\1/p' "$TMP/col" | tail -n 1)
if [ $st = 0 ] && [ "$rej" = 2 ]; then echo "ok   collector-allow-list (2 rejected)"; else
    echo "FAIL collector: status $st, rejected '$rej'"; cat "$TMP/colerr"; fail=1; fi

# ---- as root only: live capture on loopback, and the privilege drop ----
if [ "$(id -u)" = 0 ] && ip link show lo >/dev/null 2>&1 && [ -e /dev/null ]; then
    port=$((30000 + $$ % 20000))
    "$FD" -i lo --json -d 1 --count 3 "udp and dst port $port" >"$TMP/live" 2>"$TMP/err" &
    pid=$!
    sleep 1
    # the drop to nobody has happened once the capture is open
    if grep -q '^Uid:[[:space:]]*0[[:space:]]' /proc/$pid/status 2>/dev/null; then
        echo "FAIL privdrop: still uid 0"; fail=1
    elif ! grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$pid/status 2>/dev/null; then
        echo "FAIL privdrop: no_new_privs not set"; fail=1
    elif ! grep -q '^CapEff:[[:space:]]*0*$' /proc/$pid/status 2>/dev/null; then
        echo "FAIL privdrop: capabilities left"; fail=1
    else
        echo "ok   privdrop-to-nobody"
    fi
    # 50 datagrams of 100 bytes of payload: 50 x (20 + 8 + 100) layer-3 bytes
    i=0
    while [ $i -lt 50 ]; do
        printf '%0100d' 0 >/dev/udp/127.0.0.1/$port
        i=$((i + 1))
    done
    wait $pid
    st=$?
    last=$(tail -n 1 "$TMP/live")
    tot=$(echo "$last" | sed -n 's/.*"totals":{"bytes":\([0-9]*\),"packets":\([0-9]*\).*/\1 \2/p')
    if [ $st = 0 ] && [ "$tot" = "6400 50" ]; then echo "ok   live-loopback $tot"; else
        echo "FAIL live-loopback: status $st totals '$tot'"; cat "$TMP/err"; fail=1; fi
else
    echo "SKIP live capture and privilege drop: not root"
fi

echo "$n checks run"
exit $fail
