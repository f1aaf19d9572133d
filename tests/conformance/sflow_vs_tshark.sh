#!/bin/sh
# sflow_vs_tshark.sh - flowdrill's sFlow v5 decode against tshark's, on every capture under
# ${FLOWDRILL_TESTDATA:-$TOP_SRCDIR/../shared/testdata}/sflow (and below).
#
# For each capture:  flowdrill -r CASE -l 6343 --json --top 0 --by host,proto
# and  tshark -n -r CASE -d udp.port==6343,sflow -T pdml. From tshark's tree, per flow
# sample: its sampling rate, then the first IP (or IPv6) packet decoded inside its raw
# packet header record (bytes = ip.len, or ipv6.plen + 40), else its sampled IPv4/IPv6
# record (sflow_245.ip.length); bytes x rate and rate packets are booked into the source's
# and the destination's host rows (once when they are the same host) and the protocol's row.
# Both sides must agree exactly. Per counter record: the latest ifInOctets, ifOutOctets,
# ifSpeed and in/out unicast+multicast+broadcast packets of each (agent, sub-agent, ifIndex)
# must be flowdrill's flow_exports.interfaces values.
#
# A capture that also carries other datagrams on the port (NetFlow v5 in tcpdump's counter
# test) has its host rows skipped with a note (tshark would read those as sFlow); its
# counters are still compared. A datagram tshark calls malformed (sflow_print-segv.pcap)
# must be counted by flowdrill under some reason, and flowdrill must exit 0.
# Exit: 0 all ok, 1 some FAIL, 77 skipped (no test data, tshark or python3).

set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH
: "${FLOWDRILL:=${TOP_BUILDDIR:-.}/src/flowdrill}"
testdata=${FLOWDRILL_TESTDATA:-${TOP_SRCDIR:-.}/../shared/testdata}

if [ ! -d "$testdata/sflow" ]; then
    echo "SKIP: $testdata/sflow not found (set FLOWDRILL_TESTDATA)"
    exit 77
fi
for p in tshark python3; do
    if ! command -v "$p" >/dev/null 2>&1; then
        echo "SKIP: $p not installed (Debian packages tshark, python3)"
        exit 77
    fi
done
if [ ! -x "$FLOWDRILL" ]; then
    echo "FAIL: FLOWDRILL=$FLOWDRILL is not an executable"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sflow_vs_tshark.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

cat >"$tmp/check.py" <<'PYEOF'
import glob, ipaddress, json, os, subprocess, sys
import xml.etree.ElementTree as ET

FD, TD = sys.argv[1], sys.argv[2]

def host(a):
    return str(ipaddress.ip_address(a))

PROTO = {1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6', 47: 'gre', 50: 'esp', 132: 'sctp'}

def tshark(case):
    out = subprocess.run(['tshark', '-n', '-r', case, '-d', 'udp.port==6343,sflow', '-T', 'pdml'],
                         capture_output=True, check=True).stdout
    hosts, protos, ifs = {}, {}, {}
    malformed = 0
    samples = []
    for pkt in ET.fromstring(out).iter('packet'):
        if any(p.get('name') == '_ws.malformed' for p in pkt.iter('proto')):
            malformed += 1
        for sf in pkt.iter('proto'):
            if sf.get('name') != 'sflow':
                continue
            agent = sub = None
            cur = None      # the flow sample being read
            want_ip = False
            ctr = None
            for el in sf.iter():
                n = el.get('name')
                v = el.get('show')
                if n == 'sflow_245.agent':
                    agent = host(v)
                elif n == 'sflow_245.sub_agent_id':
                    sub = int(v)
                elif n == 'sflow.flow_sample.sampling_rate':
                    cur = {'rate': int(v), 'hdr': None, 'rec': None}
                    samples.append(cur)
                    want_ip = False
                elif n == 'sflow_245.header' and cur is not None:
                    want_ip = True
                elif el.tag == 'proto' and n in ('ip', 'ipv6') and want_ip and cur is not None:
                    want_ip = False
                    f = {c.get('name'): c.get('show') for c in el.iter('field')}
                    if n == 'ip' and 'ip.src' in f and 'ip.len' in f:
                        cur['hdr'] = (f['ip.src'], f['ip.dst'], int(f['ip.proto']), int(f['ip.len']))
                    elif n == 'ipv6' and 'ipv6.src' in f and 'ipv6.plen' in f:
                        cur['hdr'] = (f['ipv6.src'], f['ipv6.dst'], int(f['ipv6.nxt']),
                                      int(f['ipv6.plen']) + 40)
                elif n == 'sflow_245.ip.length' and cur is not None:
                    cur['rec'] = {'len': int(v)}
                elif n in ('sflow_245.ipv4_src', 'sflow_245.ipv6_src') and cur and cur['rec'] is not None:
                    cur['rec']['src'] = v
                elif n in ('sflow_245.ipv4_dst', 'sflow_245.ipv6_dst') and cur and cur['rec'] is not None:
                    cur['rec']['dst'] = v
                elif n == 'sflow.ip_protocol' and cur and cur['rec'] is not None:
                    cur['rec']['proto'] = int(v)
                elif n == 'sflow_245.ifindex':
                    ctr = {}
                    ifs[(agent, sub, int(v))] = ctr
                elif ctr is not None and n and n.startswith('sflow_245.if'):
                    try:
                        ctr[n[len('sflow_245.'):]] = int(v)
                    except (TypeError, ValueError):
                        pass
    for s in samples:
        r = s['hdr']
        if r is None and s['rec'] and {'src', 'dst', 'proto'} <= set(s['rec']):
            r = (s['rec']['src'], s['rec']['dst'], s['rec']['proto'], s['rec']['len'])
        if r is None:
            continue
        src, dst, proto, length = r
        b, p = length * s['rate'], s['rate']
        for h in {host(src), host(dst)}:
            hb = hosts.setdefault(h, [0, 0])
            hb[0] += b
            hb[1] += p
        pb = protos.setdefault(PROTO.get(proto, str(proto)), [0, 0])
        pb[0] += b
        pb[1] += p
    return hosts, protos, ifs, malformed

def flowdrill(case):
    out = subprocess.run([FD, '-r', case, '-l', '6343', '--json', '--top', '0',
                          '--by', 'host,proto'], capture_output=True)
    if out.returncode != 0:
        raise RuntimeError('flowdrill exit %d: %s' % (out.returncode, out.stderr[:300]))
    return json.loads(out.stdout)

fails = 0
cases = sorted(glob.glob(os.path.join(TD, 'sflow', '**', '*.pcap'), recursive=True))
for case in cases:
    name = os.path.relpath(case, TD)
    bad, notes = [], []
    try:
        d = flowdrill(case)
        th, tp, tifs, malformed = tshark(case)
    except Exception as e:
        print('FAIL: %s: %s' % (name, e))
        fails += 1
        continue
    fe = d['flow_exports']
    other = [e for e in fe['exporters'] if e['protocol'] != 'sflow5']
    if other:
        notes.append('%d non-sFlow exporters on the port: host/proto rows not compared' % len(other))
    else:
        for table, want in (('host', th), ('proto', tp)):
            got = {r['key']: [r['bytes'], r['packets']] for r in d['tables'][table]}
            for k in sorted(set(got) | set(want)):
                if got.get(k) != want.get(k):
                    bad.append('%s %s: flowdrill %s, tshark %s' % (table, k, got.get(k), want.get(k)))
    fifs = {(x['agent'], x['sub_agent'], x['ifindex']): x for x in fe['interfaces']}
    for key, t in sorted(tifs.items(), key=str):
        x = fifs.get(key)
        if x is None:
            bad.append('interface %s: missing' % (key,))
            continue
        pairs = [('in_octets', t.get('ifinoct')), ('out_octets', t.get('ifoutoct')),
                 ('speed_bps', t.get('ifspeed')),
                 ('in_packets', t.get('ifinpkt', 0) + t.get('ifinmcast', 0) + t.get('ifinbcast', 0)),
                 ('out_packets', t.get('ifoutpkt', 0) + t.get('ifoutmcast', 0) +
                  t.get('ifoutbcast', 0)),
                 ('in_errors', t.get('ifinerr')), ('out_discards', t.get('ifoutdisc'))]
        for f, v in pairs:
            if x[f] != v:
                bad.append('interface %s %s: flowdrill %s, tshark %s' % (key, f, x[f], v))
    if len(fifs) != len(tifs):
        bad.append('%d interfaces in flowdrill, %d in tshark' % (len(fifs), len(tifs)))
    drops = sum(v for v in fe['dropped'].values())
    if malformed and not other and drops == 0 and not any(fe['notes'].values()):
        bad.append('tshark finds %d malformed datagrams; flowdrill counted nothing' % malformed)
    if malformed:
        notes.append('malformed per tshark: %d; flowdrill reasons: %s' % (malformed,
                     {k: v for k, v in list(fe['dropped'].items()) + list(fe['notes'].items()) if v}))
    if bad:
        fails += 1
        print('FAIL: %s' % name)
        for l in bad[:20]:
            print('    ' + l)
    else:
        print('ok: %s: %d hosts, %d interfaces, %d records%s' %
              (name, len(th), len(tifs), fe['records'], ''.join('; ' + n for n in notes)))
print('%d captures, %d failed' % (len(cases), fails))
sys.exit(1 if fails else 0)
PYEOF
python3 "$tmp/check.py" "$FLOWDRILL" "$testdata"
