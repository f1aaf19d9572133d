#!/bin/sh
# flows_vs_tshark.sh - conformance of flowdrill's NetFlow v5/v9/IPFIX decoder against
# tshark, over the real vendor exports of ${FLOWDRILL_TESTDATA:-$TOP_SRCDIR/../shared/testdata}.
#
# Captures of exports: derived/logstash-cases/*.pcap (udp/2055), netflow/v9/**/*.pcap,
# ipfix/**/*.pcap, netflow/v5/**/*.pcap, derived/akvorado-merged/*.pcap. For each, the
# destination UDP port(s) come from tcpdump; then
#     flowdrill -r FILE -l PORT [-l PORT2...] --json --force-sampling 1 --by host,exporter --top 0
# must: exit 0; print no "Sanitizer"/"runtime error" on stderr; print one valid JSON line;
# report flow_exports.records equal to the number of FLOW records tshark decodes; leave
# every flow_exports.dropped counter at 0.
#
# The tshark count: tshark -n -r FILE -d udp.port==PORT,cflow -V -O cflow (as the oracles
# in testdata/oracles/tshark were made). Every v9 FlowSet / IPFIX Set that tshark decodes
# says "(N flows)"; template sets say "(Data Template): ids" or "(Options Template): ids".
# Records of a set whose id was announced by an options template (per exporter address,
# UDP source port, source id / observation domain) are options records, not flows, and
# are not counted; a v5 datagram counts "Count" records (capped, as tshark does, by
# what the datagram holds: tshark prints one "pdu N/M" per record it decodes).
#
# The three raw v5 payloads netflow/v5/logstash/*.dat are wrapped into pcaps
# (Ethernet/IPv4/UDP 192.0.2.1:4444 -> 127.0.0.1:2055, by the Python below) and checked
# against fixed numbers (DAT_EXPECT).
#
# Known, documented differences are in EXCEPTIONS (Python part): each names the file, the
# exact flowdrill and tshark counts, the drop counters allowed to be non-zero, and why.
# An exception that no longer matches (flowdrill or tshark changed) fails, so that the
# list stays true.
#
# Exit: 0 all ok, 1 some FAIL, 77 skipped (no test data / no tshark / no tcpdump / no python3).

set -u
# softflowd and tcpdump live in /usr/sbin on Debian, which a non-login PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
export PATH

: "${FLOWDRILL:=${TOP_BUILDDIR:-.}/src/flowdrill}"
testdata=${FLOWDRILL_TESTDATA:-${TOP_SRCDIR:-.}/../shared/testdata}

if [ ! -d "$testdata/netflow" ] && [ ! -d "$testdata/derived" ]; then
    echo "SKIP: test data not found ($testdata; set FLOWDRILL_TESTDATA)"
    exit 77
fi
for p in tshark tcpdump python3; do
    if ! command -v "$p" >/dev/null 2>&1; then
        echo "SKIP: $p not installed (Debian packages tshark, tcpdump, python3)"
        exit 77
    fi
done
if [ ! -x "$FLOWDRILL" ]; then
    echo "FAIL: FLOWDRILL=$FLOWDRILL is not an executable"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flows_vs_tshark.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

cat >"$tmp/check.py" <<'PYEOF'
import concurrent.futures, glob, json, os, re, struct, subprocess, sys

FD, TD, TMP = sys.argv[1], sys.argv[2], sys.argv[3]

# ---- EXCEPTIONS ------------------------------------------------------------------------
# file (relative to the test data) -> (flowdrill records, tshark flow records,
#                                      drop counters allowed non-zero {name: exact value},
#                                      reason)
EXCEPTIONS = {
    'derived/logstash-cases/IPFIX-YAF-basic-with-applabel.pcap': (4, 2, {},
        'IPFIX RFC 5103 biflows (YAF, reverse IEs of PEN 29305): flowdrill emits the reverse '
        'direction of each biflow as an extra record; tshark counts one record per biflow'),
    'derived/logstash-cases/NetFlow-5-invalid-01.pcap': (30, 30, {'dropped.v5_bad_count': 1},
        'v5 header count 55582 in a 1464-byte datagram: both decode the 30 records that are '
        'there; flowdrill also counts the bad header count as v5_bad_count'),
    'derived/logstash-cases/Netflow-9-H3C.pcap': (16, 0, {},
        'template 3281 declares a 2-byte IPv4 address field: tshark gives up on the data set, '
        'flowdrill skips the field and decodes the 16 records'),
    'derived/logstash-cases/Netflow-9-invalid-01.pcap': (2, 0, {},
        'an options template whose length is not 4-aligned: tshark stops decoding the datagram '
        'there, flowdrill goes on and decodes the 2 flow records after it'),
    'netflow/v9/akvorado/data+templates.pcap': (21, 10, {},
        'data arrives before its template: flowdrill holds it (notes.held) and decodes it when '
        'the template comes (21 records); tshark cannot decode data before its template (10)'),
    'ipfix/pmacct/112-IPFIXv10-CISCO-options-map-reassignment/traffic-00.pcap': (0, 0,
        {'dropped.no_template': 4},
        'data sets from a UDP source port other than the one that sent their templates: '
        'RFC 7011 scopes templates to the transport session, flowdrill does not share them '
        'across source ports and drops 4 sets as no_template (their records are options '
        'records: no flow record differs, tshark decodes 76 options records)'),
    # nProbe (netflow9_test_nprobe_*.dat, trailing bytes after the last set, counted as
    # notes.trailing_bytes, not a drop) has no capture under the globs above: not checked.
}

# The raw v5 payloads: file -> (records, {dropped or notes counter: exact value}).
DAT_EXPECT = {
    'netflow/v5/logstash/netflow5.dat': (2, {'notes.trailing_bytes': 1}),
    'netflow/v5/logstash/netflow5_test_invalid01.dat': (30, {'dropped.v5_bad_count': 1}),
    'netflow/v5/logstash/netflow5_test_microtik.dat': (30, {}),
}


def wrap(dat, out, dport=2055):
    """One raw UDP payload -> a pcap (DLT_EN10MB) with Ethernet/IPv4/UDP headers."""
    pl = open(dat, 'rb').read()
    udp = struct.pack('!HHHH', 4444, dport, 8 + len(pl), 0) + pl
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([127, 0, 0, 1]))
    s = sum(struct.unpack('!10H', ip))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    ip = ip[:10] + struct.pack('!H', ~s & 0xffff) + ip[12:]
    frame = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01' + b'\x08\x00' + ip + udp
    with open(out, 'wb') as fh:
        fh.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        fh.write(struct.pack('<IIII', 1700000000, 0, len(frame), len(frame)))
        fh.write(frame)


def dports(cap):
    p = subprocess.run(['tcpdump', '-n', '-r', cap, 'udp'], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, universal_newlines=True)
    ports = set()
    for l in p.stdout.splitlines():
        m = re.search(r' > \S+\.(\d+): ', l)
        if m:
            ports.add(int(m.group(1)))
    return sorted(ports)


def tshark_count(cap, ports):
    """(flow records, options records, errors) as tshark decodes them."""
    args = ['tshark', '-n', '-r', cap, '-V', '-O', 'cflow']
    for p in ports:
        args += ['-d', 'udp.port==%d,cflow' % p]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        return None, None, 'tshark exit %d: %s' % (p.returncode, p.stderr.strip()[-200:])
    opt_ids = set()          # (exporter key, template id)
    flows = opts = 0
    key = None
    src = sport = dom = None
    v5_pdus = 0
    for l in p.stdout.splitlines():
        s = l.strip()
        if l.startswith('Frame '):
            src = sport = dom = None
            continue
        m = re.match(r'Internet Protocol Version \d, Src: (\S+),', l)
        if m:
            src = m.group(1)
            continue
        m = re.match(r'User Datagram Protocol, Src Port: (\d+),', l)
        if m:
            sport = m.group(1)
            continue
        m = re.match(r'(SourceId|Observation Domain Id): (\d+)', s)
        if m:
            dom = m.group(2)
            key = (src, sport, dom)
            continue
        m = re.match(r'(?:Set|FlowSet) \d+ \[id=\d+\] \(Options Template\): ([\d,]+)', s)
        if m:
            for t in m.group(1).split(','):
                opt_ids.add((key, int(t)))
            continue
        m = re.match(r'(?:Set|FlowSet) \d+ \[id=(\d+)\] \((\d+) flows\)', s)
        if m:
            tid, n = int(m.group(1)), int(m.group(2))
            if (key, tid) in opt_ids:
                opts += n
            else:
                flows += n
            continue
        if re.match(r'pdu \d+/\d+$', s):
            v5_pdus += 1
    return flows + v5_pdus, opts, None


def run_fd(cap, ports):
    args = [FD, '-r', cap]
    for p in ports:
        args += ['-l', str(p)]
    args += ['--json', '--force-sampling', '1', '--by', 'host,exporter', '--top', '0']
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, universal_newlines=True)
    probs = []
    if p.returncode != 0:
        probs.append('exit status %d (%s)' % (p.returncode, p.stderr.strip()[:200]))
    if re.search(r'Sanitizer|runtime error', p.stderr):
        probs.append('sanitizer report on stderr: %s' % p.stderr.strip()[:300])
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    j = None
    if len(lines) != 1:
        probs.append('expected one JSON line, got %d' % len(lines))
    else:
        try:
            j = json.loads(lines[0])
            j['flow_exports']['records']
        except (ValueError, KeyError, TypeError) as e:
            probs.append('invalid JSON or no flow_exports: %s' % e)
            j = None
    return j, probs


def counters(j):
    fe = j['flow_exports']
    c = {'dropped.' + k: v for k, v in fe['dropped'].items()}
    c.update({'notes.' + k: v for k, v in fe['notes'].items()})
    return c


def check_cap(rel):
    cap = os.path.join(TD, rel)
    ports = [2055] if rel.startswith('derived/logstash-cases/') else dports(cap)
    if not ports:
        return False, 'FAIL %s: no UDP destination port found (tcpdump)' % rel
    ts, topts, terr = tshark_count(cap, ports)
    j, probs = run_fd(cap, ports)
    if terr:
        probs.append(terr)
    if j is None or terr:
        return False, 'FAIL %s: %s' % (rel, '; '.join(probs))
    rec = j['flow_exports']['records']
    c = counters(j)
    drops = {k: v for k, v in c.items() if k.startswith('dropped.') and v}
    exc = EXCEPTIONS.get(rel)
    note = ''
    if exc:
        fd_want, ts_want, allowed, why = exc
        if rec != fd_want or ts != ts_want:
            probs.append('listed exception no longer holds: flowdrill %d (listed %d), tshark %d '
                         '(listed %d)' % (rec, fd_want, ts, ts_want))
        for k, v in drops.items():
            if allowed.get(k) != v:
                probs.append('%s = %d (exception allows %s)' % (k, v, allowed.get(k, 0)))
        for k, v in allowed.items():
            if c.get(k, 0) != v:
                probs.append('%s = %d, the exception says %d' % (k, c.get(k, 0), v))
        note = ' [known difference: flowdrill %d vs tshark %d: %s]' % (rec, ts, why)
    else:
        if rec != ts:
            probs.append('flowdrill decoded %d flow records, tshark %d' % (rec, ts))
        if drops:
            probs.append('drop counters: %s' % ', '.join('%s %d' % kv for kv in sorted(drops.items())))
    extra = ', '.join('%s %d' % (k, v) for k, v in sorted(c.items()) if v)
    if probs:
        return False, 'FAIL %s (port %s; flowdrill %d records, tshark %d): %s%s' % (
            rel, ','.join(map(str, ports)), rec, ts, '; '.join(probs),
            ' (flowdrill counters: %s)' % extra if extra else '')
    return True, 'ok %s (port %s): %d flow records, %d options records in tshark%s%s' % (
        rel, ','.join(map(str, ports)), rec, topts,
        '; ' + extra if extra else '', note)


def check_dat(rel):
    want, cnt = DAT_EXPECT[rel]
    cap = os.path.join(TMP, os.path.basename(rel) + '.pcap')
    wrap(os.path.join(TD, rel), cap)
    j, probs = run_fd(cap, [2055])
    if j is None:
        return False, 'FAIL %s: %s' % (rel, '; '.join(probs))
    rec = j['flow_exports']['records']
    c = counters(j)
    if rec != want:
        probs.append('flowdrill decoded %d records, expected %d' % (rec, want))
    for k, v in c.items():
        if k.startswith('dropped.') and v and k not in cnt:
            probs.append('%s = %d, expected 0' % (k, v))
    for k, v in cnt.items():
        if c.get(k, 0) != v:
            probs.append('%s = %d, expected %d' % (k, c.get(k, 0), v))
    extra = ', '.join('%s %d' % (k, v) for k, v in sorted(c.items()) if v)
    if probs:
        return False, 'FAIL %s (wrapped in a pcap to udp/2055): %s' % (rel, '; '.join(probs))
    return True, 'ok %s (wrapped in a pcap to udp/2055): %d records%s' % (
        rel, rec, '; ' + extra if extra else '')


def main():
    pats = ['derived/logstash-cases/*.pcap', 'netflow/v9/**/*.pcap', 'ipfix/**/*.pcap',
            'netflow/v5/**/*.pcap', 'derived/akvorado-merged/*.pcap']
    caps = []
    for pat in pats:
        for f in sorted(glob.glob(os.path.join(TD, pat), recursive=True)):
            rel = os.path.relpath(f, TD)
            if rel not in caps:
                caps.append(rel)
    dats = [d for d in DAT_EXPECT if os.path.exists(os.path.join(TD, d))]
    for d in DAT_EXPECT:
        if d not in dats:
            print('SKIP (sub-check): %s not found' % d)
    for e in EXCEPTIONS:
        if e not in caps:
            print('note: exception for %s: file not in the test data' % e)
    if not caps:
        print('FAIL: no export captures found under %s' % TD)
        return 1
    jobs = min(4, max(1, os.cpu_count() or 2))
    work = [(check_cap, r) for r in caps] + [(check_dat, d) for d in dats]
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        res = list(ex.map(lambda w: w[0](w[1]), work))
    n_ok = n_fail = 0
    for ok, line in res:
        print(line)
        if ok:
            n_ok += 1
        else:
            n_fail += 1
    print('%d passed, %d failed' % (n_ok, n_fail))
    return 0 if n_fail == 0 else 1


sys.exit(main())
PYEOF

python3 "$tmp/check.py" "$FLOWDRILL" "$testdata" "$tmp"
