#!/bin/sh
# sflow_generated.sh - sFlow built from a known capture books exactly what the capture does.
#
# tests/mksflow turns a capture into the sFlow v5 datagrams of a 1:1 agent (every frame a
# flow sample with its first 128 bytes, compact and expanded samples alternating, a counter
# sample of interface 1 every 50 datagrams and at the end). Then
#     flowdrill -r CAPTURE --json --by host,proto            (the capture itself)
#     flowdrill -r SFLOW -l 6343 --json --by host,proto      (the same traffic as sFlow)
# must give the same host and protocol rows, bytes and packets exact; the agent's interface
# must show mksflow's final counters (octets, packets); and with 1:10 sampling (-n 10) the
# records are scaled exactly (packets = sampled frames x 10). No sFlow decode error may be
# counted (but sflow_header_undecoded: non-IP frames, which the capture drops too). Captures: data/demo.pcap always; with FLOWDRILL_TESTDATA (or ../shared/testdata)
# also a few real Ethernet captures from pcap/.
# Exit: 0 ok, 1 FAIL, 77 skipped (no python3, or mksflow not built).

set -u
: "${FLOWDRILL:=${TOP_BUILDDIR:-.}/src/flowdrill}"
: "${MKSFLOW:=${TOP_BUILDDIR:-.}/tests/mksflow}"
srcdir=${TOP_SRCDIR:-.}
testdata=${FLOWDRILL_TESTDATA:-$srcdir/../shared/testdata}

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 not installed"
    exit 77
fi
if [ ! -x "$MKSFLOW" ]; then
    echo "SKIP: $MKSFLOW not built (make check builds it)"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sflow_generated.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

cases="$srcdir/data/demo.pcap"
if [ -d "$testdata/pcap" ]; then
    # pcap/tcpreplay/test.pcap holds ICMP packets whose IP length claims more than the
    # frame: the sFlow path must clamp them where the capture path does (frame less FCS)
    for f in pcap/ndpi/1kxun.pcap pcap/ndpi/http_ipv6.pcap \
             pcap/ndpi/vxlan.pcap pcap/tcpreplay/test.pcap; do
        [ -f "$testdata/$f" ] && cases="$cases $testdata/$f"
    done
else
    echo "note: $testdata not found: only data/demo.pcap"
fi

fail=0
n=0
for c in $cases; do
    n=$((n + 1))
    base=$(basename "$c" .pcap)
    "$MKSFLOW" "$c" "$tmp/$n.sflow.pcap" >"$tmp/$n.info" || { echo "FAIL: mksflow $c"; fail=1; continue; }
    "$MKSFLOW" -n 10 "$c" "$tmp/$n.sflow10.pcap" >"$tmp/$n.info10" || { echo "FAIL: mksflow -n 10 $c"; fail=1; continue; }
    "$FLOWDRILL" -r "$c" --json --top 0 --by host,proto >"$tmp/$n.pcap.json" 2>"$tmp/err" ||
        { echo "FAIL: flowdrill -r $c"; cat "$tmp/err"; fail=1; continue; }
    "$FLOWDRILL" -r "$tmp/$n.sflow.pcap" -l 6343 --json --top 0 --by host,proto \
        >"$tmp/$n.sflow.json" 2>"$tmp/err" ||
        { echo "FAIL: flowdrill -r (sflow of) $c"; cat "$tmp/err"; fail=1; continue; }
    "$FLOWDRILL" -r "$tmp/$n.sflow10.pcap" -l 6343 --json --top 0 --by host \
        >"$tmp/$n.sflow10.json" 2>"$tmp/err" ||
        { echo "FAIL: flowdrill -r (sflow 1:10 of) $c"; cat "$tmp/err"; fail=1; continue; }
    python3 - "$base" "$tmp/$n" <<'PYEOF' || fail=1
import json, sys
name, p = sys.argv[1], sys.argv[2]
def load(f): return json.load(open(f))
cap, sf, sf10 = load(p + '.pcap.json'), load(p + '.sflow.json'), load(p + '.sflow10.json')
info = dict(zip(*[iter(open(p + '.info').read().split())] * 2))
info10 = dict(zip(*[iter(open(p + '.info10').read().split())] * 2))
bad = []
for t in ('host', 'proto'):
    a = {r['key']: (r['bytes'], r['packets']) for r in cap['tables'][t]}
    b = {r['key']: (r['bytes'], r['packets']) for r in sf['tables'][t]}
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            bad.append('%s %s: capture %s, sflow %s' % (t, k, a.get(k), b.get(k)))
fe = sf['flow_exports']
# a sampled header without IP in it (ARP...) is dropped as the capture drops the frame
errs = {k: v for k, v in fe['dropped'].items()
        if v and k.startswith('sflow') and k != 'sflow_header_undecoded'}
if errs:
    bad.append('sflow drops counted: %s' % errs)
ifs = [x for x in fe['interfaces'] if x['ifindex'] == 1]
if len(ifs) != 1 or ifs[0]['in_octets'] != int(info['in_octets']) or \
        ifs[0]['in_packets'] != int(info['frames']):
    bad.append('interface 1: %s, want in_octets %s in_packets %s' %
               (ifs, info['in_octets'], info['frames']))
sflow_agents = [e for e in fe['exporters'] if e['protocol'] == 'sflow5']
if len(sflow_agents) != 1 or sflow_agents[0]['sflow_flow_samples'] != int(info['sampled']):
    bad.append('agent rows: %s (want one sflow5 agent, %s flow samples)' %
               (sflow_agents, info['sampled']))
fe10 = sf10['flow_exports']
if fe10['records'] != int(info10['sampled']) or fe10['packets'] != 10 * int(info10['sampled']):
    bad.append('1:10: %d records, %d packets; want %s and 10x that' %
               (fe10['records'], fe10['packets'], info10['sampled']))
if bad:
    print('FAIL: %s: %d differences' % (name, len(bad)))
    for l in bad[:20]:
        print('   ', l)
    sys.exit(1)
hosts = len(cap['tables']['host'])
print('ok: %s: %s frames, %d host rows identical; counters and 1:10 scaling exact' %
      (name, info['frames'], hosts))
PYEOF
done
exit $fail
