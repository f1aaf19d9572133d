#!/bin/sh
# softflowd_vs_nfdump.sh - end to end: one real exporter (softflowd), two collectors
# (flowdrill and nfcapd/nfdump), the same export decoded by both must give the same numbers.
#
# For each capture (data/demo.pcap; and, when the shared test data is present,
# pcap/ndpi/1kxun.pcap) and each export version (NetFlow v5, v9, IPFIX = 10):
#   1. flowdrill listens on 127.0.0.1:P1 (--json -d 3600 --by host,proto,exporter --top 0
#      --force-sampling 1); softflowd reads the capture and exports every flow to P1, then
#      exits (-r FILE: at pcap EOF it expires all flows and exports them); once flowdrill's
#      socket queue is empty it gets SIGTERM and prints its final JSON line.
#      As root, tcpdump -i lo records that export (udp dst port P1) meanwhile.
#   2. nfcapd listens on 127.0.0.1:P2; softflowd runs again the same way; nfcapd gets
#      SIGTERM (which flushes its file); nfdump reads the directory:
#        nfdump -R DIR -s ip/bytes   -n 0 -o csv -q    (per-host, both directions)
#        nfdump -R DIR -s proto/bytes -n 0 -o csv -q   (per-protocol)
#        nfdump -R DIR -I                               (flows, bytes, packets)
#      -o csv prints unscaled integers (the default output scales to "1.2 M").
#   3. flowdrill's tables.host (key, bytes, packets), tables.proto (number, bytes, packets),
#      totals (bytes, packets) and flow_exports.records must EQUAL nfdump's exactly; both
#      must have received every record softflowd says it sent ("Flows exported: F (R
#      records) in D packets"), and flowdrill no datagram less than D (so a lost datagram
#      is reported as such, not as a decoding difference); flowdrill drops nothing.
#   4. flowdrill -r lo.pcap -l P1 (offline decode of the recorded export) must give the
#      same totals, tables and record/datagram counts as the live run.
#
# The oracle is nfdump's decode of the same export, never the capture itself: softflowd
# 1.1.0 counts the Ethernet padding of minimum-size frames, so what it exports differs
# from the capture's IP totals.
#
# Exit: 0 all equal, 1 a difference (side-by-side tables printed), 77 skipped.
# Needs: softflowd, nfcapd and nfdump (Debian packages softflowd, nfdump), python3;
# tcpdump and root for step 4 (skipped, visibly, otherwise).

set -u
# softflowd and tcpdump live in /usr/sbin on Debian, which a non-login PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
export PATH

: "${FLOWDRILL:=${TOP_BUILDDIR:-.}/src/flowdrill}"
srcdir=${TOP_SRCDIR:-.}
testdata=${FLOWDRILL_TESTDATA:-$srcdir/../shared/testdata}

missing=
for p in softflowd nfcapd nfdump; do
    command -v "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "SKIP: not installed:$missing (install the Debian packages softflowd and nfdump)"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 not found (needed to parse flowdrill's JSON and nfdump's CSV)"
    exit 77
fi
if [ ! -x "$FLOWDRILL" ]; then
    echo "FAIL: FLOWDRILL=$FLOWDRILL is not an executable"
    exit 1
fi
if [ ! -r "$srcdir/data/demo.pcap" ]; then
    echo "FAIL: $srcdir/data/demo.pcap not found (TOP_SRCDIR=$srcdir)"
    exit 1
fi

have_tcpdump=no
if [ "$(id -u)" -eq 0 ] && command -v tcpdump >/dev/null 2>&1; then
    have_tcpdump=yes
else
    echo "SKIP (sub-check): offline decode of the recorded export needs root and tcpdump"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/softflowd_vs_nfdump.XXXXXX") || exit 1
pids=
cleanup() {
    for p in $pids; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in $pids; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

forget_pid() { # forget_pid PID: drop PID from the cleanup list
    np=
    for p in $pids; do
        [ "$p" = "$1" ] || np="$np $p"
    done
    pids=$np
}

rand_port() { # a port in 20000..60000
    python3 -c 'import random; print(random.randint(20000, 60000))'
}

# udp_state PORT: prints "bound rx_queue" for 127.0.0.1:PORT from /proc/net/udp,
# or nothing when no socket is bound there.
udp_state() {
    hp=$(printf '%04X' "$1")
    awk -v want="0100007F:$hp" '$2 == want { split($5, q, ":"); print "bound", q[2]; exit }' \
        /proc/net/udp
}

# wait_bound PID PORT: 0 once PORT is bound (and PID alive), 1 if PID exited first.
wait_bound() {
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$1" 2>/dev/null || return 1
        [ -n "$(udp_state "$2")" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# wait_drained PORT: until the socket's receive queue is empty (the collector read it all).
wait_drained() {
    i=0
    while [ $i -lt 100 ]; do
        st=$(udp_state "$1")
        case $st in "bound 00000000" | "") break ;; esac
        sleep 0.05
        i=$((i + 1))
    done
    sleep 0.2
}

# start_collector KIND OUTPREFIX -> sets cport, cpid. KIND: flowdrill | nfcapd DIR
start_collector() {
    kind=$1
    out=$2
    tries=0
    while [ $tries -lt 10 ]; do
        tries=$((tries + 1))
        cport=$(rand_port)
        [ -n "$(udp_state "$cport")" ] && continue
        if [ "$kind" = flowdrill ]; then
            "$FLOWDRILL" -l "127.0.0.1:$cport" --json -d 3600 --by host,proto,exporter \
                --top 0 --force-sampling 1 >"$out.json" 2>"$out.err" </dev/null &
        else
            nfcapd -w "$3" -p "$cport" -b 127.0.0.1 -t 3600 >"$out.log" 2>&1 </dev/null &
        fi
        cpid=$!
        pids="$pids $cpid"
        if wait_bound "$cpid" "$cport"; then
            return 0
        fi
        kill -TERM "$cpid" 2>/dev/null
        wait "$cpid" 2>/dev/null
        forget_pid "$cpid"
    done
    echo "FAIL: could not start $kind on a free port after 10 tries"
    cat "$out.err" "$out.log" 2>/dev/null | head -n 5 | sed 's/^/    /'
    return 1
}

stop_pid() { # stop_pid PID: SIGTERM, wait, return its exit status
    kill -TERM "$1" 2>/dev/null
    wait "$1"
    st=$?
    forget_pid "$1"
    return $st
}

# run_softflowd CAPTURE PORT VERSION LOG
run_softflowd() {
    # -c none: no control socket. softflowd 1.1.0 with -r skips poll() but still tests the
    # uninitialised pollfd of a control socket given with -c, and can block in accept()
    # for ever. -p: its exit unlinks the pid file path, so never let it be the default.
    (cd "$tmp" && exec timeout 60 softflowd -r "$1" -n "127.0.0.1:$2" -v "$3" -d \
        -p "$tmp/softflowd.pid" -c none) >"$4" 2>&1 </dev/null
}

# ---------------------------------------------------------------------------------------
# The comparison. usage: compare.py NAME SOFTFLOWD_LOG LIVE_JSON NFDUMP_IP_CSV
#   NFDUMP_PROTO_CSV NFDUMP_INFO SOFTFLOWD_LOG2 [OFFLINE_JSON]
# Prints "ok ..." or "FAIL ..." with side-by-side tables; exit 0/1.
# ---------------------------------------------------------------------------------------
cat >"$tmp/compare.py" <<'PYEOF'
import csv, ipaddress, json, re, sys

name, sflog, live, ipcsv, protocsv, info, sflog2 = sys.argv[1:8]
offline = sys.argv[8] if len(sys.argv) > 8 else None
problems, detail = [], []


def norm(a):
    try:
        return ipaddress.ip_address(a.strip()).compressed
    except ValueError:
        return a.strip()


def load_fd(path, what):
    try:
        with open(path) as fh:
            lines = [l for l in fh.read().splitlines() if l.strip()]
    except OSError as e:
        problems.append('%s: cannot read output: %s' % (what, e))
        return None
    finals = []
    for l in lines:
        try:
            j = json.loads(l)
        except ValueError as e:
            problems.append('%s: invalid JSON line: %s' % (what, e))
            return None
        if j.get('final'):
            finals.append(j)
    if len(finals) != 1:
        problems.append('%s: expected one "final":true JSON line, got %d (of %d lines)'
                        % (what, len(finals), len(lines)))
        return None
    return finals[-1]


def fd_view(j):
    fe = j['flow_exports']
    return {
        'host': {norm(r['key']): (r['bytes'], r['packets']) for r in j['tables']['host']},
        'proto': {r['number']: (r['bytes'], r['packets']) for r in j['tables']['proto']},
        'totals': (j['totals']['bytes'], j['totals']['packets']),
        'records': fe['records'], 'datagrams': fe['datagrams'],
        'fe_totals': (fe['bytes'], fe['packets']),
        'dropped': {k: v for k, v in fe['dropped'].items() if v},
        'socket_drops': fe.get('socket_drops', 0),
    }


def nfdump_csv(path, keyfn):
    rows = {}
    with open(path) as fh:
        rd = csv.reader(l for l in fh if l.strip())
        hdr = None
        for r in rd:
            if hdr is None:
                if 'val' in r and 'byt' in r:
                    hdr = r
                continue
            if len(r) != len(hdr) or not r[hdr.index('byt')].isdigit():
                continue  # a summary block or a trailing line
            d = dict(zip(hdr, r))
            k = keyfn(d['val'])
            b, p = int(d['byt']), int(d['pkt'])
            ob, op = rows.get(k, (0, 0))
            rows[k] = (ob + b, op + p)
    if hdr is None:
        problems.append('nfdump %s: no CSV header (val,...,pkt,...,byt) found' % path)
    return rows


def sf_stats(path):
    with open(path) as fh:
        txt = fh.read()
    m = re.search(r'Flows exported: (\d+) \((\d+) records\) in (\d+) packets \((\d+) failures\)', txt)
    if not m:
        problems.append('softflowd log %s: no "Flows exported" line' % path)
        return None
    return tuple(int(x) for x in m.groups())


def table(tag, a, b, an, bn, fmt=str):
    keys = sorted(set(a) | set(b), key=lambda k: (str(type(k)), str(k)))
    bad = [k for k in keys if a.get(k) != b.get(k)]
    if not bad:
        return
    problems.append('%d of %d %s rows differ' % (len(bad), len(keys), tag))
    detail.append('    %-6s %-40s %-24s %-24s' % (tag, 'key', an + ' bytes/pkts', bn + ' bytes/pkts'))
    for k in bad[:15]:
        x, y = a.get(k), b.get(k)
        detail.append('    %-6s %-40s %-24s %-24s' % (
            tag, fmt(k), '%d/%d' % x if x else '(absent)', '%d/%d' % y if y else '(absent)'))
    if len(bad) > 15:
        detail.append('    %-6s ... %d more' % (tag, len(bad) - 15))


j = load_fd(live, 'flowdrill live')
sf1, sf2 = sf_stats(sflog), sf_stats(sflog2)
nf_host = nfdump_csv(ipcsv, norm)
nf_proto = nfdump_csv(protocsv, int)
nf_info = {}
with open(info) as fh:
    for l in fh:
        m = re.match(r'(\w+): (\d+)$', l.strip())
        if m:
            nf_info[m.group(1)] = int(m.group(2))
if j is not None:
    try:
        fd = fd_view(j)
    except (KeyError, TypeError) as e:
        problems.append('flowdrill JSON lacks a member: %s' % e)
        fd = None
else:
    fd = None

if fd is not None and sf1 is not None:
    flows, records, dgrams, failures = sf1
    if failures:
        problems.append('softflowd (to flowdrill) reports %d send failures' % failures)
    if fd['datagrams'] != dgrams or fd['socket_drops']:
        problems.append('flowdrill received %d datagrams (socket_drops %d), softflowd sent %d'
                        % (fd['datagrams'], fd['socket_drops'], dgrams))
    if fd['dropped']:
        problems.append('flowdrill dropped: %s' % fd['dropped'])
    if fd['fe_totals'] != fd['totals']:
        problems.append('flow_exports bytes/packets %d/%d != totals %d/%d'
                        % (fd['fe_totals'] + fd['totals']))
if sf2 is not None and sf2[3]:
    problems.append('softflowd (to nfcapd) reports %d send failures' % sf2[3])
if sf1 is not None and sf2 is not None and sf1 != sf2:
    problems.append('the two softflowd runs differ: %s vs %s' % (sf1, sf2))

if fd is not None:
    nft = (nf_info.get('Bytes'), nf_info.get('Packets'))
    nfr = nf_info.get('Flows')
    detail_tot = '    %-22s %14s %14s\n' % ('', 'flowdrill', 'nfdump')
    for label, a, b in (('records/flows', fd['records'], nfr), ('bytes', fd['totals'][0], nft[0]),
                        ('packets', fd['totals'][1], nft[1])):
        detail_tot += '    %-22s %14s %14s%s\n' % (label, a, b, '' if a == b else '   <-- differs')
    if fd['records'] != nfr or fd['totals'] != nft:
        problems.append('totals differ')
        detail.append(detail_tot.rstrip('\n'))
    table('host', fd['host'], nf_host, 'flowdrill', 'nfdump')
    table('proto', fd['proto'], nf_proto, 'flowdrill', 'nfdump')
    if sf1 is not None and fd['records'] != sf1[1]:
        problems.append('flowdrill decoded %d records, softflowd says it sent %d'
                        % (fd['records'], sf1[1]))
    if sf2 is not None and nfr != sf2[1]:
        problems.append('nfdump has %s flows, softflowd says it sent %d records' % (nfr, sf2[1]))

off_note = ''
if offline and fd is not None:
    jo = load_fd(offline, 'flowdrill offline (-r lo.pcap -l PORT)')
    if jo is not None:
        fo = fd_view(jo)
        for k in ('records', 'datagrams', 'totals', 'dropped'):
            if fo[k] != fd[k]:
                problems.append('offline %s %s != live %s' % (k, fo[k], fd[k]))
        table('host', fo['host'], fd['host'], 'offline', 'live')
        table('proto', fo['proto'], fd['proto'], 'offline', 'live')
        off_note = '; offline decode of the recorded export identical'
elif fd is not None:
    off_note = '; offline decode not checked'

if problems:
    print('FAIL %s: %s' % (name, '; '.join(problems)))
    for d in detail:
        print(d)
    sys.exit(1)
print('ok %s (records %d in %d datagrams, hosts %d, protos %d, bytes %d, packets %d%s)'
      % (name, fd['records'], fd['datagrams'], len(fd['host']), len(fd['proto']),
         fd['totals'][0], fd['totals'][1], off_note))
PYEOF

# check_case CAPTURE LABEL VERSION: one comparison; prints its result; 0 ok, 1 fail.
check_case() {
    cap=$1
    name="$2 v$3"
    v=$3
    w=$tmp/case
    rm -rf "$w"
    mkdir -p "$w/nf"

    # -- softflowd -> flowdrill (recorded on lo) --
    start_collector flowdrill "$w/fd" || return 1
    fd_pid=$cpid
    fd_port=$cport
    td_pid=
    if [ "$have_tcpdump" = yes ]; then
        # --immediate-mode: without it libpcap's TPACKET_V3 ring hands a block to tcpdump
        # only when full or after its 1 s timeout, and SIGTERM loses what is pending.
        # Immediate mode has fixed-size ring frames of the snap length: with -s 0 (256 KiB)
        # and the default 2 MiB buffer a burst of softflowd datagrams overflows the ring
        # ("packets dropped by kernel"); -s 65535 -B 32768 (KiB) holds 500.
        tcpdump -i lo --immediate-mode -U -n -s 65535 -B 32768 -w "$w/lo.pcap" "udp and dst host 127.0.0.1 and dst port $fd_port" \
            >/dev/null 2>"$w/tcpdump.err" </dev/null &
        td_pid=$!
        pids="$pids $td_pid"
        i=0
        while [ $i -lt 100 ] && ! grep -q 'listening on' "$w/tcpdump.err" 2>/dev/null; do
            kill -0 "$td_pid" 2>/dev/null || break
            sleep 0.05
            i=$((i + 1))
        done
        if ! grep -q 'listening on' "$w/tcpdump.err" 2>/dev/null; then
            echo "FAIL $name: tcpdump -i lo did not start:"
            sed 's/^/    /' "$w/tcpdump.err" | head -n 3
            return 1
        fi
    fi
    if ! run_softflowd "$cap" "$fd_port" "$v" "$w/sf1.log"; then
        echo "FAIL $name: softflowd failed:"
        sed 's/^/    /' "$w/sf1.log" | tail -n 5
        return 1
    fi
    wait_drained "$fd_port"
    if [ -n "$td_pid" ]; then
        # until tcpdump has written every datagram softflowd says it sent (at most 3 s)
        want=$(sed -n 's/^Flows exported: .* in \([0-9]*\) packets .*/\1/p' "$w/sf1.log")
        i=0
        while [ $i -lt 60 ]; do
            got=$(tcpdump -n -r "$w/lo.pcap" 2>/dev/null | wc -l)
            [ "$got" -ge "${want:-0}" ] && break
            sleep 0.05
            i=$((i + 1))
        done
        stop_pid "$td_pid"
        if [ "$got" -ne "${want:-0}" ]; then
            echo "FAIL $name: tcpdump -i lo recorded $got of the $want datagrams softflowd sent" \
                "(a capture problem, not flowdrill's):"
            sed 's/^/    /' "$w/tcpdump.err" | head -n 5
            stop_pid "$fd_pid"
            return 1
        fi
    fi
    stop_pid "$fd_pid"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $name: flowdrill exited $rc on SIGTERM"
        sed 's/^/    /' "$w/fd.err" | head -n 5
        return 1
    fi
    if grep -E -q 'Sanitizer|runtime error' "$w/fd.err"; then
        echo "FAIL $name: sanitizer report from flowdrill:"
        sed 's/^/    /' "$w/fd.err" | head -n 8
        return 1
    fi

    # -- softflowd -> nfcapd --
    start_collector nfcapd "$w/nfcapd" "$w/nf" || return 1
    nf_pid=$cpid
    nf_port=$cport
    if ! run_softflowd "$cap" "$nf_port" "$v" "$w/sf2.log"; then
        echo "FAIL $name: softflowd (second run) failed:"
        sed 's/^/    /' "$w/sf2.log" | tail -n 5
        return 1
    fi
    wait_drained "$nf_port"
    stop_pid "$nf_pid"
    nfdump -R "$w/nf" -s ip/bytes -n 0 -o csv -q >"$w/ip.csv" 2>"$w/nfdump.err" &&
        nfdump -R "$w/nf" -s proto/bytes -n 0 -o csv -q >"$w/proto.csv" 2>>"$w/nfdump.err" &&
        nfdump -R "$w/nf" -I >"$w/info.txt" 2>>"$w/nfdump.err"
    if [ $? -ne 0 ]; then
        echo "FAIL $name: nfdump failed:"
        sed 's/^/    /' "$w/nfdump.err" "$w/nfcapd.log" | head -n 8
        return 1
    fi

    # -- offline decode of the recorded export --
    off=
    if [ "$have_tcpdump" = yes ]; then
        "$FLOWDRILL" -r "$w/lo.pcap" -l "$fd_port" --json --by host,proto,exporter --top 0 \
            --force-sampling 1 >"$w/off.json" 2>"$w/off.err" </dev/null
        rc=$?
        if [ "$rc" -ne 0 ] || grep -E -q 'Sanitizer|runtime error' "$w/off.err"; then
            echo "FAIL $name: flowdrill -r lo.pcap -l $fd_port exited $rc:"
            sed 's/^/    /' "$w/off.err" | head -n 8
            return 1
        fi
        off=$w/off.json
    fi

    python3 "$tmp/compare.py" "$name" "$w/sf1.log" "$w/fd.json" "$w/ip.csv" "$w/proto.csv" \
        "$w/info.txt" "$w/sf2.log" $off
}

caps="$srcdir/data/demo.pcap"
big=$testdata/pcap/ndpi/1kxun.pcap
if [ -r "$big" ]; then
    caps="$caps $big"
else
    echo "SKIP (sub-check): $big not found: only data/demo.pcap is used"
fi

n_ok=0
n_fail=0
for cap in $caps; do
    label=$(basename "$cap")
    for v in 5 9 10; do
        if check_case "$cap" "$label" "$v"; then
            n_ok=$((n_ok + 1))
        else
            n_fail=$((n_fail + 1))
        fi
    done
done
echo "$n_ok passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
