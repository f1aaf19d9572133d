#!/bin/sh
# pcap_vs_tshark.sh - conformance of flowdrill's capture path against tshark.
#
# For every real capture under ${FLOWDRILL_TESTDATA:-$TOP_SRCDIR/../shared/testdata}/pcap
# (recursively: *.pcap, *.pcapng and the extensionless tcpreplay/test.rewrite_vlan802.1ad),
# run  "$FLOWDRILL" -r FILE --json --by host,proto --top 0  and check that
#   * it exits 0 -- or, for a file libpcap itself cannot read (cross-checked with tcpdump
#     when installed), exits 1 with a one-line "flowdrill: ..." message; never a crash,
#     never a sanitizer report ("Sanitizer", "runtime error", "Segmentation" on stderr);
#   * its JSON line parses;
#   * tables.host[] (key, bytes, packets), tables.proto[] (number, bytes, packets) and
#     totals (bytes, packets) equal, exactly, an oracle computed from tshark's per-frame
#     fields; and sources[].received equals tshark's frame count and every frame is either
#     counted or dropped (packets + drop counters == frames).
#
# The oracle (oracle.py, the Python part below): for each frame whose
# frame.protocols has an "ip" or "ipv6" layer, only the OUTERMOST IP header counts (the
# first of ip/ipv6 in frame.protocols; tshark joins the values of nested layers with ",",
# the first value is the outermost one). bytes = ip.len (IPv4) or ipv6.plen + 40 (IPv6);
# a packet from A to B adds its bytes and 1 packet to host A and to host B, and a packet
# from A to A adds them to A once (as tshark's conversation and nfdump count it; the man
# page: a host talking to itself is booked once, as sent);
# the protocol is ip.proto for IPv4 and, for IPv6, the next-header value that ends the
# outermost header's extension-header chain (see ipv6_proto()).
# tshark runs with -o ip.defragment:FALSE -o ipv6.defragment:FALSE so that reassembly
# never moves fields between frames (checked on the fragment captures of the corpus: the
# per-frame ip/ipv6 fields are identical with reassembly on or off).
#
# Differences that are flowdrill's documented, correct behaviour where tshark's field view
# says something else are listed in EXCEPTIONS (Python part), each with its reason, each
# cross-checked against the flowdrill counter that must account for it. Everything else
# must match exactly.
#
# Exit: 0 all ok, 1 some FAIL, 77 skipped (no test data / no tshark).
# Needs: tshark; python3 for the JSON and oracle checks (skipped, visibly, without it).

set -u

: "${FLOWDRILL:=${TOP_BUILDDIR:-.}/src/flowdrill}"
testdata=${FLOWDRILL_TESTDATA:-${TOP_SRCDIR:-.}/../shared/testdata}
pcapdir=$testdata/pcap

if [ ! -d "$pcapdir" ]; then
    echo "SKIP: ../shared/testdata not found"
    exit 77
fi
if ! command -v tshark >/dev/null 2>&1; then
    echo "SKIP: tshark not installed (install the Debian package 'tshark')"
    exit 77
fi
if [ ! -x "$FLOWDRILL" ]; then
    echo "FAIL: FLOWDRILL=$FLOWDRILL is not an executable"
    exit 1
fi

have_python=no
if command -v python3 >/dev/null 2>&1; then
    have_python=yes
else
    echo "SKIP (sub-check): python3 not found: JSON validation and the tshark comparison are skipped"
fi
have_tcpdump=no
command -v tcpdump >/dev/null 2>&1 && have_tcpdump=yes

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcap_vs_tshark.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# ---------------------------------------------------------------------------------------
# The oracle and the comparison (one run per capture).
#   usage: oracle.py CAPTURE DISPLAYNAME FLOWDRILL_STDOUT
#   prints "ok ..." or "FAIL ..." (+ indented detail lines); exit 0 ok, 1 fail.
# ---------------------------------------------------------------------------------------
cat >"$tmp/oracle.py" <<'PYEOF'
import ipaddress, json, re, subprocess, sys

cap, name, fdout = sys.argv[1], sys.argv[2], sys.argv[3]
TSHARK = ['tshark', '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE']

# IPv6 extension headers as tshark names them in frame.protocols -> (field holding their
# next-header value, their own protocol number). These are the headers flowdrill walks
# (packet.c ip6_is_ext: 0, 43, 44, 51, 60, 135).
EXT = {
    'ipv6.hopopts': ('ipv6.hopopts.nxt', 0),
    'ipv6.routing': ('ipv6.routing.nxt', 43),
    'ipv6.fraghdr': ('ipv6.fraghdr.nxt', 44),
    'ah': ('ah.next_header', 51),
    'ipv6.dstopts': ('ipv6.dstopts.nxt', 60),
    'mipv6': ('mip6.proto', 135),
}
MAX_IPV6_EXT = 8  # PACKET_MAX_IPV6_EXT

FIELDS = ['frame.number', 'frame.len', 'frame.protocols',
          'ip.src', 'ip.dst', 'ip.len', 'ip.proto', 'ip.hdr_len', 'ip.bogus_ip_length',
          'ipv6.src', 'ipv6.dst', 'ipv6.plen', 'ipv6.nxt',
          'ipv6.plen_exceeds_framing', 'ipv6.plen_zero'] + [f for f, _ in EXT.values()]


def tshark(args):
    p = subprocess.run(TSHARK + ['-r', cap] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    err = [l for l in p.stderr.splitlines() if 'Running as user' not in l and l.strip()]
    return p.returncode, p.stdout, err


def ipv6_proto(layers, first, f):
    """L4 protocol of the outermost IPv6 header.

    Choice: ipv6.nxt of the outermost header, then, for each extension-header layer that
    directly follows that header in frame.protocols (ipv6.hopopts, ipv6.routing,
    ipv6.fraghdr, ipv6.dstopts, ah, mipv6), the next-header field of that layer (the k-th
    value of its field for the k-th occurrence of that layer in the frame). The last value
    is the "final next header": for a whole packet, the transport protocol; for a non-first
    fragment tshark stops at ipv6.fraghdr ("data"), whose next header is the protocol, as
    flowdrill records it. When tshark could not read an extension header's next-header
    field (chain cut off) the protocol is that header's own number, and a chain longer
    than 8 headers stops at the 9th: flowdrill fails closed there (ipv6_ext_limit note).
    """
    p = int(f['ipv6.nxt'][0])
    seen = {}
    for l in layers[:first]:
        if l in EXT:
            seen[l] = seen.get(l, 0) + 1
    n = 0
    for l in layers[first + 1:]:
        if l not in EXT:
            break
        if n == MAX_IPV6_EXT:
            return EXT[l][1], True
        k = seen.get(l, 0)
        seen[l] = k + 1
        vals = f[EXT[l][0]]
        if k >= len(vals):
            return EXT[l][1], True
        p = int(vals[k])
        n += 1
    return p, False


def l3_offsets(frames):
    """Offset of the outermost IP header in the frames tshark flags for their IP length
    (a superset of `frames`), from tshark's PDML."""
    if not frames:
        return {}
    flt = 'ip.bogus_ip_length || ipv6.plen_exceeds_framing || ipv6.plen_zero'
    rc, out, err = tshark(['-T', 'pdml', '-j', 'frame ip ipv6', '-Y', flt])
    offs, cur = {}, None
    for line in out.splitlines():
        m = re.search(r'<field name="frame.number" [^>]*show="(\d+)"', line)
        if m:
            cur = int(m.group(1))
            continue
        m = re.search(r'<proto name="(ip|ipv6)" ', line)
        if m and cur is not None and cur not in offs:
            offs[cur] = int(re.search(r'pos="(\d+)"', line).group(1))
    return offs


# ---- EXCEPTIONS --------------------------------------------------------------------------
# Frames where flowdrill is right and tshark's field-level view differs. Each rule says
# what the oracle does instead and which flowdrill counter must account for every frame it
# touches (checked exactly). Which captures hit them today is noted with each rule.
#
# ip_len_clamp -- the outermost IP header claims more bytes than the wire carried from that
#   header on (tshark: expert "IPv4 total length exceeds packet length (N bytes)" =
#   ip.bogus_ip_length, or ipv6.plen_exceeds_framing). tshark's ip.len is the header's
#   claim; flowdrill (packet.h) never counts bytes that were not on the wire: it counts
#   frame.len - offset of the IP header and notes ip_len_mismatch. Oracle: same clamp,
#   offset taken from tshark's PDML; must equal notes.ip_len_mismatch.
#   Hits: ndpi/badpackets.pcap (all 93 frames: UDP fragments claiming ip.len 1500 (one
#   1404) in frames of 60..1501 bytes on the wire), tcpreplay/test.pcap and
#   test.rewrite_vlan802.1ad (frame 11: MPLS/ICMP, ip.len 255 but only 100 bytes on the
#   wire from the IP header on; frame of 122 bytes, 126 with the 802.1ad tag).
# ipv6_jumbo -- IPv6 payload length 0 (jumbogram or TSO super-packet; ipv6.plen_zero):
#   flowdrill counts the bytes the wire carried from the IPv6 header on (packet.c), tshark's
#   plen + 40 would say 40. Oracle: frame.len - offset. Hits: none in the corpus today.
# ip_bad_header -- the outermost IPv4 header is malformed (total length < header length:
#   ip.bogus_ip_length with ip.len < ip.hdr_len, or tshark could not give src/dst/length):
#   flowdrill drops it (ipv4_bad_header / ipv6_bad_header). Oracle: the frame is not
#   counted; must equal those drop counters. Hits: none in the corpus today.
# pseudowire -- the first IP header sits inside an MPLS pseudowire (tshark layers pweth*,
#   i.e. Ethernet over MPLS, with or without control word). flowdrill does not follow
#   pseudowires (packet.c link_mpls: a 0 first nibble after the label stack is a control
#   word, not IP) and drops the frame as non_ip. Oracle: not counted; checked through the
#   "every frame counted or dropped" balance. Hits: tcpreplay/test.pcap and
#   test.rewrite_vlan802.1ad (frames 142 150 157 170 174-179: ICMP 192.168.1.1 <->
#   192.168.1.2 inside Ethernet over MPLS with a control word).
PSEUDOWIRE_LAYERS = ('pwethcw', 'pwethnocw', 'pwethheuristic', 'pweth')


def norm(a):
    return ipaddress.ip_address(a).compressed


def main():
    try:
        with open(fdout) as fh:
            lines = [l for l in fh.read().splitlines() if l.strip()]
    except OSError as e:
        print('FAIL %s: cannot read flowdrill output: %s' % (name, e))
        return 1
    if len(lines) != 1:
        print('FAIL %s: expected one JSON line on stdout, got %d' % (name, len(lines)))
        return 1
    try:
        j = json.loads(lines[0])
    except ValueError as e:
        print('FAIL %s: invalid JSON from flowdrill: %s' % (name, e))
        return 1

    rc, out, err = tshark(['-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a',
                           '-E', 'aggregator=,'] + sum((['-e', x] for x in FIELDS), []))
    if rc != 0:
        print('FAIL %s: tshark exited %d: %s' % (name, rc, '; '.join(err[:2])))
        return 1

    rows, nframes = [], 0
    for line in out.splitlines():
        v = line.split('\t')
        if len(v) != len(FIELDS):
            continue
        nframes += 1
        f = {k: (x.split(',') if x else []) for k, x in zip(FIELDS, v)}
        f['_layers'] = v[FIELDS.index('frame.protocols')].split(':')
        rows.append(f)

    hosts, protos, tot = {}, {}, [0, 0]
    exc = {'ip_len_clamp': 0, 'ipv6_jumbo': 0, 'ip_bad_header': 0, 'pseudowire': 0}
    recs, need_off = [], set()
    for f in rows:
        layers = f['_layers']
        first = next((i for i, l in enumerate(layers) if l in ('ip', 'ipv6')), None)
        if first is None:
            continue
        num = int(f['frame.number'][0])
        if any(l in PSEUDOWIRE_LAYERS for l in layers[:first]):
            exc['pseudowire'] += 1
            continue
        if layers[first] == 'ip':
            if not (f['ip.src'] and f['ip.dst'] and f['ip.len'] and f['ip.proto']):
                exc['ip_bad_header'] += 1
                continue
            b, hl = int(f['ip.len'][0]), int((f['ip.hdr_len'] or ['20'])[0])
            if b < hl:
                exc['ip_bad_header'] += 1
                continue
            src, dst, p = f['ip.src'][0], f['ip.dst'][0], int(f['ip.proto'][0])
            suspect = bool(f['ip.bogus_ip_length'])
            jumbo = False
        else:
            if not (f['ipv6.src'] and f['ipv6.dst'] and f['ipv6.plen'] and f['ipv6.nxt']):
                exc['ip_bad_header'] += 1
                continue
            src, dst = f['ipv6.src'][0], f['ipv6.dst'][0]
            b = int(f['ipv6.plen'][0]) + 40
            p, _ = ipv6_proto(layers, first, f)
            jumbo = b == 40 and bool(f['ipv6.plen_zero'])
            suspect = bool(f['ipv6.plen_exceeds_framing']) or jumbo
        if suspect:
            need_off.add(num)
        recs.append([num, norm(src), norm(dst), b, p, int(f['frame.len'][0]), jumbo])

    offs = l3_offsets(need_off)
    for num, src, dst, b, p, flen, jumbo in recs:
        if num in offs:
            avail = flen - offs[num]
            if jumbo:
                b = avail
                exc['ipv6_jumbo'] += 1
            elif b > avail:
                b = avail
                exc['ip_len_clamp'] += 1
        for h in ((src,) if src == dst else (src, dst)):
            e = hosts.setdefault(h, [0, 0])
            e[0] += b
            e[1] += 1
        e = protos.setdefault(p, [0, 0])
        e[0] += b
        e[1] += 1
        tot[0] += b
        tot[1] += 1

    problems, detail = [], []
    try:
        fh = {r['key']: [r['bytes'], r['packets']] for r in j['tables']['host']}
        fp = {r['number']: [r['bytes'], r['packets']] for r in j['tables']['proto']}
        ft = [j['totals']['bytes'], j['totals']['packets']]
        drops = {k: v for k, v in j['dropped'].items() if k not in ('kernel', 'interface')}
        notes = j['notes']
        received = sum(s.get('received', 0) for s in j.get('sources', []))
    except (KeyError, TypeError) as e:
        print('FAIL %s: JSON lacks an expected member: %s' % (name, e))
        return 1

    def side(tag, fd, ts, fmt):
        keys = sorted(set(fd) | set(ts), key=lambda k: (str(type(k)), k))
        bad = [k for k in keys if fd.get(k) != ts.get(k)]
        if bad:
            problems.append('%d %s rows differ' % (len(bad), tag))
            detail.append('    %-6s %-40s %-28s %s' % (tag, 'key', 'flowdrill bytes/packets',
                                                       'tshark bytes/packets'))
            for k in bad[:5]:
                a, t = fd.get(k), ts.get(k)
                detail.append('    %-6s %-40s %-28s %s' % (
                    tag, fmt(k), '%d/%d' % tuple(a) if a else '(absent)',
                    '%d/%d' % tuple(t) if t else '(absent)'))
            if len(bad) > 5:
                detail.append('    %-6s ... %d more' % (tag, len(bad) - 5))

    if 'other' in fh:
        problems.append('host table overflowed (row "other")')
    side('host', fh, hosts, str)
    side('proto', fp, protos, str)
    if ft != tot:
        problems.append('totals %d bytes/%d packets, tshark %d/%d' % (ft[0], ft[1], tot[0], tot[1]))
    if received != nframes:
        problems.append('received %d frames, tshark read %d' % (received, nframes))
    if ft[1] + sum(drops.values()) != nframes:
        problems.append('%d packets + %d dropped != %d frames' % (ft[1], sum(drops.values()), nframes))
    if notes.get('ip_len_mismatch', 0) != exc['ip_len_clamp']:
        problems.append('notes.ip_len_mismatch %d, oracle clamped %d frames'
                        % (notes.get('ip_len_mismatch', 0), exc['ip_len_clamp']))
    bad_hdr = drops.get('ipv4_bad_header', 0) + drops.get('ipv6_bad_header', 0)
    if bad_hdr != exc['ip_bad_header']:
        problems.append('dropped ipv4/ipv6_bad_header %d, oracle %d' % (bad_hdr, exc['ip_bad_header']))

    used = ', '.join('%s %d' % (k, v) for k, v in sorted(exc.items()) if v)
    if problems:
        print('FAIL %s: %s%s' % (name, '; '.join(problems),
                                 ' [exceptions applied: %s]' % used if used else ''))
        for d in detail:
            print(d)
        return 1
    print('ok %s (hosts %d, bytes %d, packets %d%s)'
          % (name, len(hosts), tot[0], tot[1], '; exceptions: ' + used if used else ''))
    return 0


sys.exit(main())
PYEOF

# ---------------------------------------------------------------------------------------
find "$pcapdir" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name 'test.rewrite_*' \) \
    | LC_ALL=C sort >"$tmp/list"

# check_one CAPTURE WORKDIR: prints the capture's result line(s); returns 0 ok, 1 fail.
check_one() {
    cap=$1
    w=$2
    name=${cap#"$pcapdir"/}
    out=$w/fd.out
    err=$w/fd.err
    "$FLOWDRILL" -r "$cap" --json --by host,proto --top 0 >"$out" 2>"$err" </dev/null
    rc=$?

    if grep -E -q 'Sanitizer|runtime error|Segmentation' "$err"; then
        echo "FAIL $name: exit $rc with a crash/sanitizer report:"
        grep -E 'Sanitizer|runtime error|Segmentation|#[0-9] ' "$err" | head -n 8 | sed 's/^/    /'
        return 1
    fi
    if [ "$rc" -eq 1 ]; then
        # Acceptable only for a file libpcap itself cannot read, with one clean message.
        nerr=$(grep -c . "$err")
        msg=$(head -n 1 "$err")
        case $msg in "flowdrill: "*) good_msg=yes ;; *) good_msg=no ;; esac
        if [ "$nerr" -ne 1 ] || [ "$good_msg" = no ]; then
            echo "FAIL $name: exit 1 without a one-line 'flowdrill: ...' message:"
            head -n 5 "$err" | sed 's/^/    /'
            return 1
        fi
        if [ -s "$out" ] && [ "$have_python" = yes ] &&
            ! python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin.read().splitlines() if l.strip()]' <"$out" 2>/dev/null; then
            echo "FAIL $name: exit 1 ($msg), and the report printed before it is not valid JSON"
            return 1
        fi
        if [ "$have_tcpdump" = yes ]; then
            if tcpdump -n -r "$cap" >/dev/null 2>"$w/tcpdump.err"; then
                echo "FAIL $name: exit 1 ($msg) but libpcap (tcpdump -r) reads the file"
                return 1
            fi
            why=$(grep -v '^reading from file' "$w/tcpdump.err" | head -n 1)
            echo "ok $name (libpcap cannot read it [$why]; clean exit 1: $msg)"
        else
            echo "ok $name (clean exit 1: $msg; libpcap failure not cross-checked: no tcpdump)"
        fi
        return 0
    fi
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $name: exit status $rc"
        head -n 5 "$err" | sed 's/^/    /'
        return 1
    fi
    if [ "$have_python" = no ]; then
        echo "ok $name (exit 0; JSON and tshark comparison SKIPPED: no python3)"
        return 0
    fi
    python3 "$tmp/oracle.py" "$cap" "$name" "$out"
}

# Run the captures in $jobs shards (round-robin) in parallel; print results in list order.
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
case $jobs in '' | *[!0-9]* | 0) jobs=2 ;; esac
[ "$jobs" -gt 4 ] && jobs=4
n_total=$(grep -c . "$tmp/list")
k=0
while [ "$k" -lt "$jobs" ]; do
    mkdir "$tmp/w$k"
    (
        i=0
        while IFS= read -r cap; do
            if [ $((i % jobs)) -eq "$k" ]; then
                if check_one "$cap" "$tmp/w$k" >"$tmp/res.$i" 2>&1; then
                    echo ok >"$tmp/st.$i"
                else
                    echo fail >"$tmp/st.$i"
                fi
            fi
            i=$((i + 1))
        done <"$tmp/list"
    ) &
    k=$((k + 1))
done
wait

n_ok=0
n_fail=0
i=0
while [ "$i" -lt "$n_total" ]; do
    cat "$tmp/res.$i" 2>/dev/null
    if [ "$(cat "$tmp/st.$i" 2>/dev/null)" = ok ]; then
        n_ok=$((n_ok + 1))
    else
        [ -f "$tmp/st.$i" ] || echo "FAIL capture #$i: no result (checker died)"
        n_fail=$((n_fail + 1))
    fi
    i=$((i + 1))
done

if [ "$n_total" -eq 0 ]; then
    echo "FAIL: no captures found under $pcapdir"
    exit 1
fi
echo "summary: $n_total captures, $n_ok ok, $n_fail FAIL (flowdrill $FLOWDRILL vs $(tshark --version 2>/dev/null | head -n 1))"
[ "$n_fail" -eq 0 ]
