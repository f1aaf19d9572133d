#!/bin/sh
# exports_vs_tshark.sh - every exported record booked as the device meant it: flowdrill's host
# and protocol rows (bytes and packets, exact) against tshark's decode of the same datagrams,
# and against pmacct's expected output where the test data has one.
#
# Cases:
#  - the record shapes of tests/mkexports (built by the shared test encoder): dual-family
#    templates (IPv4, IPv6, both, neither; with and without ipVersion), v9 variable-length
#    fields (1-byte and 3-byte length prefixes, one past its set), zero counts, records
#    without a packet counter, self-talk; NetFlow v9 and IPFIX each. Their exporter rows must
#    also show the family rules and the packet-less records the encoder wrote.
#  - 16 real router and probe exports of ${FLOWDRILL_TESTDATA:-$TOP_SRCDIR/../shared/testdata}
#    (REAL below): Cisco NFv9 with MPLS, IOS-XR/XE IPFIX with BGP/MPLS, Huawei, H3C NetStream
#    v9, a traffic generator's IPFIX (Ixia), nProbe v9 (two raw payloads wrapped in a pcap),
#    and other routers.
#
# For each capture:  flowdrill -r CASE -l PORT --force-sampling 1 --json --top 0
#                              --by host,proto,exporter
# and  tshark -n -r CASE -d udp.port==PORT,cflow -V -O cflow. From tshark's records
# (not those of sets announced by an options template, nor one that tshark was reading when
# it reported the packet malformed: a variable-length field past its set, which flowdrill
# drops and counts as record_truncated): the family is the one whose source or
# destination is non-zero; when both are, the one ipVersion names, else IPv4; octets are
# Octets, else Permanent Octets (85), else Initiator Octets (NSEL; Responder Octets become a
# reverse record); packets likewise, 0 when the record has none. A record books its bytes
# and packets into its source's and its destination's host rows (once when they are the
# same host) and into its protocol's row. Both sides must agree exactly.
#
# pmacct (oracles/pmacct/CASE/output-flow-00.json): per host, the bytes and packets of its
# aggregates (renormalised by the sampling rate when nfacctd-00.conf says so: flowdrill then
# runs without --force-sampling), exact.
#
# Known, documented differences are in EXCEPTIONS; one that no longer differs fails, so the
# list stays true. Exit: 0 all ok, 1 some FAIL, 77 skipped (no test data, tshark, python3 or
# tcpdump; the synthetic shapes need only tshark and python3).

set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH

: "${FLOWDRILL:=${TOP_BUILDDIR:-.}/src/flowdrill}"
: "${MKEXPORTS:=${TOP_BUILDDIR:-.}/tests/mkexports}"
testdata=${FLOWDRILL_TESTDATA:-${TOP_SRCDIR:-.}/../shared/testdata}

for p in tshark python3 tcpdump; do
    if ! command -v "$p" >/dev/null 2>&1; then
        echo "SKIP: $p not installed (Debian packages tshark, python3, tcpdump)"
        exit 77
    fi
done
if [ ! -x "$FLOWDRILL" ]; then
    echo "FAIL: FLOWDRILL=$FLOWDRILL is not an executable"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exports_vs_tshark.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

mkdir "$tmp/shapes"
if [ -x "$MKEXPORTS" ]; then
    "$MKEXPORTS" "$tmp/shapes" || { echo "FAIL: $MKEXPORTS failed"; exit 1; }
else
    echo "SKIP (sub-check): $MKEXPORTS not built (make check builds it): no synthetic shapes"
fi

cat >"$tmp/check.py" <<'PYEOF'
import concurrent.futures, glob, ipaddress, json, os, re, struct, subprocess, sys

FD, TD, TMP, SHAPES = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]

# ---- the 16 real exports ------------------------------------------------------------------
REAL = [
    'netflow/v9/pmacct/101-NFv9-CISCO-cust_primitives/traffic-00.pcap',
    'ipfix/pmacct/100-IPFIXv10-CISCO/traffic-00.pcap',
    'ipfix/pmacct/104-IPFIXv10-IPv6-CISCO-sampling_option/traffic-00.pcap',
    'ipfix/pmacct/111-IPFIXv10-NFv9-IPv6-IPv4-mix_sources/traffic-00.pcap',
    'ipfix/pmacct/111-IPFIXv10-NFv9-IPv6-IPv4-mix_sources/traffic-01.pcap',
    'ipfix/pmacct/112-IPFIXv10-CISCO-options-map-reassignment/traffic-00.pcap',
    'derived/logstash-cases/Netflow-9-H3C.pcap',
    'derived/logstash-cases/Netflow-9-Huawei-Netstream.pcap',
    'derived/logstash-cases/IPFIX-Ixia-templates-and-data-256.pcap',
    'netflow/v9/logstash/netflow9_test_nprobe_tpl.dat+netflow9_test_nprobe_data.dat',
    'derived/logstash-cases/Netflow-9-Ubiquiti-Edgerouter-with-MPLS-labels.pcap',
    'ipfix/akvorado/mpls.pcap',
    'netflow/v9/ndpi/netflowv9.pcap',
    'derived/logstash-cases/Netflow-9-Cisco-ASR-9000-series-template-260.pcap',
    'derived/logstash-cases/Netflow-9-Cisco-ASR1001--X.pcap',
    'derived/logstash-cases/Netflow-9-Cisco-1941-K9-release-15.1.pcap',
]

# case -> reason: a known difference with tshark (tables differ) that flowdrill keeps
EXCEPTIONS = {
    'derived/logstash-cases/Netflow-9-H3C.pcap':
        'template 3281 declares a 2-byte IPv4 address field: tshark gives up on the data set '
        '(no records), flowdrill skips the field and books the 16 records',
}
# case -> reason: a known difference with pmacct's output
PMACCT_EXCEPTIONS = {
    'ipfix/pmacct/112-IPFIXv10-CISCO-options-map-reassignment/traffic-00.pcap':
        'data sets from a UDP source port other than their templates\' (RFC 7011 scopes '
        'templates to the transport session): flowdrill holds and drops them as no_template',
}

# shape -> expected exporter notes {address_family rule: n, 'no_packet_counter': n}
SHAPE_NOTES = {
    'dual': {'v4_only': 2, 'v6_only': 1, 'both_default_v4': 2, 'neither': 1},
    'dualver': {'v4_only': 2, 'v6_only': 1, 'both_ip_version': 2, 'neither': 1},
    'counts': {'no_packet_counter': 2},
}
# shape -> flow_exports counters that must be exactly this (others 0)
SHAPE_COUNTERS = {'varlen-past-v9': {'dropped.record_truncated': 1}}


def wrap(dats, out, dport=2055):
    """Raw UDP payloads -> a pcap (Ethernet/IPv4/UDP 192.0.2.1:4444 -> 127.0.0.1:dport)."""
    with open(out, 'wb') as fh:
        fh.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, dat in enumerate(dats):
            pl = open(dat, 'rb').read()
            udp = struct.pack('!HHHH', 4444, dport, 8 + len(pl), 0) + pl
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                             bytes([192, 0, 2, 1]), bytes([127, 0, 0, 1]))
            s = sum(struct.unpack('!10H', ip))
            s = (s & 0xffff) + (s >> 16)
            s = (s & 0xffff) + (s >> 16)
            ip = ip[:10] + struct.pack('!H', ~s & 0xffff) + ip[12:]
            frame = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00' + ip + udp
            fh.write(struct.pack('<IIII', 1700000000 + i, 0, len(frame), len(frame)))
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


def norm(a):
    return str(ipaddress.ip_address(a))


FIELD = re.compile(r'^\s+(SrcAddr|DstAddr|Octets|Packets|Protocol|IPVersion|Permanent Octets|'
                   r'Permanent Packets|Initiator Octets|Initiator Packets|Responder Octets|'
                   r'Responder Packets): (.*?)\s*$')


def tshark_records(cap, ports):
    """Flow records as tshark decodes them: list of dicts of the fields above (first
    occurrence of each; addresses split by family)."""
    args = ['tshark', '-n', '-r', cap, '-V', '-O', 'cflow']
    for p in ports:
        args += ['-d', 'udp.port==%d,cflow' % p]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        return None, 'tshark exit %d: %s' % (p.returncode, p.stderr.strip()[-200:])
    opt_ids, recs = set(), []
    src = sport = key = None
    cur = None
    skip = False
    for l in p.stdout.splitlines():
        s = l.strip()
        if l.startswith('Frame '):
            cur = None
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
            key = (src, sport, m.group(2))
            continue
        m = re.match(r'(?:Set|FlowSet) \d+ \[id=\d+\] \(Options Template\): ([\d,]+)', s)
        if m:
            for t in m.group(1).split(','):
                opt_ids.add((key, int(t)))
            cur = None
            continue
        m = re.match(r'(?:Set|FlowSet) \d+ \[id=(\d+)\]', s)
        if m:
            skip = (key, int(m.group(1))) in opt_ids
            cur = None
            continue
        if s.startswith('[Malformed Packet'):
            if cur is not None:
                cur['_cut'] = True  # the record tshark was reading when the packet ended
            cur = None
            continue
        if re.match(r'Flow \d+( \(.*\))?$', s):
            cur = None if skip else {}
            if cur is not None:
                recs.append(cur)
            continue
        if cur is None:
            continue
        m = FIELD.match(l)
        if not m:
            continue
        name, val = m.group(1), m.group(2)
        if name in ('SrcAddr', 'DstAddr'):
            name += '6' if ':' in val else '4'
            val = norm(val)
        elif name == 'Protocol':
            mm = re.search(r'\((\d+)\)$', val)
            val = int(mm.group(1)) if mm else int(val.split()[0])
        else:
            try:
                val = int(val.split()[0])
            except ValueError:
                continue
        cur.setdefault(name, val)
    return recs, None


def book_tshark(recs):
    """Host and protocol rows from tshark's records, by the rule in the header."""
    hosts, protos = {}, {}

    def add(d, k, b, p):
        x = d.setdefault(k, [0, 0])
        x[0] += b
        x[1] += p

    for r in recs:
        if r.get('_cut'):
            continue  # cut short: flowdrill drops it too (record_truncated)
        has4 = 'SrcAddr4' in r or 'DstAddr4' in r
        has6 = 'SrcAddr6' in r or 'DstAddr6' in r
        if not has4 and not has6:
            continue  # no addresses: not a flow (options data)
        nz4 = any(r.get(k, '0.0.0.0') != '0.0.0.0' for k in ('SrcAddr4', 'DstAddr4'))
        nz6 = any(r.get(k, '::') != '::' for k in ('SrcAddr6', 'DstAddr6'))
        if has4 and has6:
            if nz4 != nz6:
                fam = 4 if nz4 else 6
            else:
                fam = 6 if r.get('IPVersion') == 6 else 4
        else:
            fam = 4 if has4 else 6
        zero = '0.0.0.0' if fam == 4 else '::'
        s = r.get('SrcAddr%d' % fam, zero)
        d = r.get('DstAddr%d' % fam, zero)
        fwd_delta = 'Octets' in r or 'Packets' in r
        b = r.get('Octets', r.get('Permanent Octets', 0 if fwd_delta else r.get('Initiator Octets', 0)))
        p = r.get('Packets', r.get('Permanent Packets', 0 if fwd_delta else r.get('Initiator Packets', 0)))
        books = [(s, d, b, p)]
        if not fwd_delta and (r.get('Responder Octets', 0) or r.get('Responder Packets', 0)):
            books.append((d, s, r.get('Responder Octets', 0), r.get('Responder Packets', 0)))
        for (x, y, bb, pp) in books:
            add(hosts, x, bb, pp)
            if y != x:
                add(hosts, y, bb, pp)
            add(protos, r.get('Protocol', 0), bb, pp)
    return hosts, protos


def run_fd(cap, ports, force=True):
    args = [FD, '-r', cap]
    for p in ports:
        args += ['-l', str(p)]
    args += ['--json', '--top', '0', '--by', 'host,proto,exporter']
    if force:
        args += ['--force-sampling', '1']
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, universal_newlines=True)
    if p.returncode != 0 or re.search(r'Sanitizer|runtime error', p.stderr):
        return None, 'flowdrill exit %d: %s' % (p.returncode, p.stderr.strip()[:300])
    try:
        return json.loads(p.stdout.strip().splitlines()[-1]), None
    except (ValueError, IndexError) as e:
        return None, 'flowdrill printed no JSON: %s' % e


def fd_tables(j):
    t = j['tables']
    hosts = {norm(r['key']): [r['bytes'], r['packets']] for r in t.get('host', [])}
    protos = {r['number']: [r['bytes'], r['packets']] for r in t.get('proto', [])}
    return hosts, protos


def diff(name, a, b, what_a='flowdrill', what_b='tshark'):
    out = []
    for k in sorted(set(a) | set(b), key=str):
        if a.get(k) != b.get(k):
            out.append('%s %s: %s %s, %s %s' % (name, k, what_a, a.get(k), what_b, b.get(k)))
    return out


def compare(rel, cap, ports):
    recs, err = tshark_records(cap, ports)
    if err:
        return False, err, None
    j, err = run_fd(cap, ports)
    if err:
        return False, err, None
    fh, fp = fd_tables(j)
    th, tp = book_tshark(recs)
    probs = diff('host', fh, th) + diff('proto', fp, tp)
    return not probs, '; '.join(probs[:6]) + (' (+%d more)' % (len(probs) - 6)
                                               if len(probs) > 6 else ''), j


def pmacct_hosts(test):
    conf = open(os.path.join(TD, 'oracles/pmacct', test, 'nfacctd-00.conf')).read()
    renorm = re.search(r'nfacctd_renormalize:\s*true', conf) is not None
    hosts = {}
    for l in open(os.path.join(TD, 'oracles/pmacct', test, 'output-flow-00.json')):
        l = l.strip()
        if not l:
            continue
        r = json.loads(l)
        if 'ip_src' not in r:
            continue
        s, d = norm(r['ip_src']), norm(r['ip_dst'])
        for h in ([s] if s == d else [s, d]):
            x = hosts.setdefault(h, [0, 0])
            x[0] += r['bytes']
            x[1] += r['packets']
    return hosts, renorm


def check_real(rel):
    if '+' in rel:
        d = os.path.dirname(rel)
        parts = [os.path.join(TD, d, os.path.basename(x)) for x in rel.split('+')]
        parts[0] = os.path.join(TD, rel.split('+')[0])
        if not all(os.path.exists(x) for x in parts):
            return None, 'SKIP %s: not in the test data' % rel
        cap = os.path.join(TMP, 'wrapped-%d.pcap' % REAL.index(rel))
        wrap(parts, cap)
        ports = [2055]
    else:
        cap = os.path.join(TD, rel)
        if not os.path.exists(cap):
            return None, 'SKIP %s: not in the test data' % rel
        ports = [2055] if rel.startswith('derived/logstash-cases/') else dports(cap)
    ok, why, j = compare(rel, cap, ports)
    exc = EXCEPTIONS.get(rel)
    if exc:
        if ok:
            return False, 'FAIL %s: listed exception no longer differs (%s)' % (rel, exc)
        return True, 'ok %s [known difference: %s]' % (rel, exc)
    if not ok:
        return False, 'FAIL %s (port %s): %s' % (rel, ','.join(map(str, ports)), why)
    return True, 'ok %s (port %s): %d hosts, %d protocols exact' % (
        rel, ','.join(map(str, ports)), len(j['tables'].get('host', [])),
        len(j['tables'].get('proto', [])))


def check_pmacct(test):
    caps = sorted(glob.glob(os.path.join(TD, '*', '*', 'pmacct', test, 'traffic-*.pcap')) +
                  glob.glob(os.path.join(TD, 'ipfix', 'pmacct', test, 'traffic-*.pcap')))
    caps = sorted(set(caps))
    if not caps:
        return None, 'SKIP pmacct %s: no capture' % test
    want, renorm = pmacct_hosts(test)
    got = {}
    for cap in caps:
        j, err = run_fd(cap, dports(cap), force=not renorm)
        if err:
            return False, 'FAIL pmacct %s: %s' % (test, err)
        for h, (b, p) in fd_tables(j)[0].items():
            x = got.setdefault(h, [0, 0])
            x[0] += b
            x[1] += p
    probs = diff('host', got, want, 'flowdrill', 'pmacct')
    rel = os.path.relpath(caps[0], TD)
    exc = PMACCT_EXCEPTIONS.get(rel)
    if exc:
        if not probs:
            return False, 'FAIL pmacct %s: listed exception no longer differs' % test
        return True, 'ok pmacct %s [known difference: %s]' % (test, exc)
    if probs:
        return False, 'FAIL pmacct %s%s: %s' % (test, ' (renormalised)' if renorm else '',
                                                  '; '.join(probs[:6]))
    return True, 'ok pmacct %s%s: %d hosts exact' % (test, ' (renormalised)' if renorm else '',
                                                      len(want))


def check_shape(path):
    name = os.path.basename(path)[:-5]
    ok, why, j = compare(name, path, [2055])
    probs = [why] if not ok else []
    if j:
        rows = j['tables'].get('exporter', [])
        want = SHAPE_NOTES.get(name.rsplit('-', 1)[0], {})
        got = {}
        for r in rows:
            for k, v in r.get('address_family', {}).items():
                got[k] = got.get(k, 0) + v
            got['no_packet_counter'] = got.get('no_packet_counter', 0) + r.get('no_packet_counter', 0)
        for k in set(got) | set(want):
            if got.get(k, 0) != want.get(k, 0):
                probs.append('exporter %s = %s, the encoder wrote %s' % (k, got.get(k, 0), want.get(k, 0)))
        fe = j['flow_exports']
        cnt = {'dropped.' + k: v for k, v in fe['dropped'].items()}
        cnt.update({'notes.' + k: v for k, v in fe['notes'].items() if k != 'seq_gap'})
        wantc = SHAPE_COUNTERS.get(name, {})
        for k, v in cnt.items():
            if v != wantc.get(k, 0):
                probs.append('%s = %d, expected %d' % (k, v, wantc.get(k, 0)))
    if probs:
        return False, 'FAIL shape %s: %s' % (name, '; '.join(probs))
    return True, 'ok shape %s: hosts, protocols and exporter notes exact' % name


def main():
    work = [(check_shape, p) for p in sorted(glob.glob(os.path.join(SHAPES, '*.pcap')))]
    have_td = os.path.isdir(os.path.join(TD, 'netflow')) or os.path.isdir(os.path.join(TD, 'ipfix'))
    if have_td:
        work += [(check_real, r) for r in REAL]
        work += [(check_pmacct, t) for t in sorted(os.listdir(os.path.join(TD, 'oracles/pmacct')))
                 if os.path.isdir(os.path.join(TD, 'oracles/pmacct', t))]
    else:
        print('SKIP (sub-check): test data not found (%s; set FLOWDRILL_TESTDATA)' % TD)
    if not work:
        print('SKIP: nothing to check')
        return 77
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        res = list(ex.map(lambda w: w[0](w[1]), work))
    n_ok = n_fail = n_real = n_real_ok = 0
    for (fn, arg), (ok, line) in zip(work, res):
        print(line)
        if ok is None:
            continue
        if fn is check_real:
            n_real += 1
            n_real_ok += ok and 'known difference' not in line
        n_ok += bool(ok)
        n_fail += not ok
    if n_real:
        print('real exports: %d of %d exact against tshark' % (n_real_ok, n_real))
    print('%d passed, %d failed' % (n_ok, n_fail))
    return 0 if n_fail == 0 else 1


sys.exit(main())
PYEOF

python3 "$tmp/check.py" "$FLOWDRILL" "$testdata" "$tmp" "$tmp/shapes"
