/*
 * trafficgen.c - synthesize realistic Ethernet IPv4/IPv6 traffic into a pcap file.
 *
 *   cc -O2 tools/trafficgen.c $(pkg-config --cflags --libs libpcap) -o trafficgen
 *   trafficgen -o FILE [--profile demo|bench] [--packets N] [--flows N]
 *              [--duration SECS] [--seed N]
 *
 * C11, links only libpcap (not even libm). The output depends on the options
 * alone: one splitmix64 generator seeded from --seed makes every choice.
 *
 * Model. A conversation is a struct flow: client and server endpoints, a
 * kind, a planned packet count, a start time and pacing. All flows wait in a
 * min-heap keyed by the time of their next packet; the main loop pops the
 * earliest, writes that packet and pushes the flow back, so conversations
 * interleave as on a real link and timestamps strictly increase. The capture
 * point is the LAN side of the site's router: local hosts reach remote ones
 * through the router's MAC. Frames carry complete headers with valid
 * checksums (TCP sequence/ack numbers and options included); payload bytes
 * are zeros apart from short DNS, NTP, QUIC and MySQL headers. The record's
 * wire length is always 14 + IP length; caplen is capped.
 *
 * bench: 2,000,000 packets, 100,000 flows, 60 s. ~2,000 local hosts
 *   (10.1.0.0/16, fd00:100::/48) and ~30,000 remote hosts: IPv4 from
 *   198.18.0.0/15, the RFC 2544 benchmarking block, as the documentation /24s
 *   hold only ~760 addresses; IPv6 from 2001:db8:f000::/36. Flow sizes follow
 *   Zipf (rank^-1.125) so a few elephants carry most bytes; remote popularity
 *   is Zipf too. Flow mix: TCP to many services (a few inbound), DNS, QUIC,
 *   NTP, VPN-like UDP, ICMP echo, failed connects; 10% IPv6. caplen <= 128.
 * demo: one minute of a small office (10.0.0.0/24, fd00:0:0:10::/64) during
 *   an incident, headers only (caplen <= 96) to stay under ~700 KB: an
 *   rsync-over-SSH backup, a QUIC video stream, a big HTTPS download, web
 *   browsing with its DNS lookups, NTP, an admin SSH session, mail, IPv6
 *   hosts, a gateway ping monitor; and a SYN port scan of the office server
 *   10.0.0.20 (2-7 s in) and a spoofed UDP flood against it (5-9 s in).
 *   data/demo.pcap is: trafficgen -o data/demo.pcap --profile demo --seed 1
 */
#define _DEFAULT_SOURCE /* the libpcap headers use u_int and u_char */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n)
{
    return n ? (uint32_t)(rnd() % n) : 0;
}

static double rnd_unit(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* Mean-preserving jitter: x times a factor uniform in [0.5, 1.5). */
static uint64_t jitter(uint64_t x)
{
    return (uint64_t)((double)x * (0.5 + rnd_unit())) + 1;
}

enum kind { K_TCP, K_TCPFAIL, K_DNS, K_QUIC, K_NTP, K_UDP, K_ICMP, K_SCAN, K_FLOOD };
enum style { S_DOWN, S_UP, S_CHAT }; /* TCP data phase: bulk down or up, request/response */
enum { TH_FIN = 1, TH_SYN = 2, TH_RST = 4, TH_PSH = 8, TH_ACK = 16 };

struct flow {
    uint64_t next;        /* capture-relative time of the next packet, us */
    uint64_t gap;         /* mean gap between data packets, us */
    uint32_t rtt;         /* round trip as seen from the capture point, us */
    uint32_t total, sent; /* planned and emitted packets */
    uint32_t seq[2];      /* next TCP sequence number, per direction */
    uint32_t tsbase[2];   /* TCP timestamp clock offsets */
    uint32_t aux;         /* per kind: DNS id and name, scan probe, flow label */
    uint32_t local_id;    /* local host number: MAC address, OS flavour */
    uint16_t cport, sport, ipid[2], win;
    uint8_t caddr[16], saddr[16]; /* direction 0 is client to server */
    uint8_t kind, style, v6, tsopt, local_is_client, ttl_local, ttl_remote;
};

static struct {
    struct flow *f;
    size_t nf, cap, nheap;
    uint32_t *heap;
    pcap_dumper_t *dump;
    uint64_t base_us, last_us, pkts, bytes;
    uint32_t snap;
    int headers_only; /* demo: caplen stops where the written headers end */
    uint8_t buf[2048];
} G;

static struct flow *new_flow(enum kind k, int v6)
{
    if (G.nf == G.cap) {
        G.cap = G.cap ? G.cap * 2 : 1024;
        G.f = realloc(G.f, G.cap * sizeof *G.f);
        if (!G.f) {
            fputs("trafficgen: out of memory\n", stderr);
            exit(1);
        }
    }
    struct flow *f = &G.f[G.nf++];
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)k;
    f->v6 = (uint8_t)v6;
    for (int d = 0; d < 2; d++) {
        f->seq[d] = (uint32_t)rnd();
        f->tsbase[d] = (uint32_t)rnd();
        f->ipid[d] = (uint16_t)rnd();
    }
    f->aux = (uint32_t)rnd();
    f->win = (uint16_t)(500 + rnd_below(3000));
    f->ttl_remote = rnd_below(3) ? 64 : 128; /* minus 6 to 21 hops */
    f->ttl_remote = (uint8_t)(f->ttl_remote - 6 - rnd_below(16));
    f->rtt = 2000 + rnd_below(60000);
    f->local_is_client = 1;
    return f;
}

/* A third of the local hosts run Windows (TTL 128, ports 49152+, no TCP
 * timestamps), the rest Linux. */
static void set_local(struct flow *f, uint32_t id)
{
    f->local_id = id;
    f->ttl_local = id % 3 ? 64 : 128;
    f->tsopt = id % 3 != 0;
    f->cport = id % 3 ? (uint16_t)(32768 + rnd_below(28232)) : (uint16_t)(49152 + rnd_below(16384));
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* IPv6 address <hi64>::<lo32>. Local side: unique local fd00::/8; remote:
 * the documentation prefix 2001:db8::/32. */
#define DOC6 0x20010db800000000ull
#define ULA6 0xfd00000000000000ull

static void ip6(uint8_t *a, uint64_t hi, uint32_t lo)
{
    memset(a, 0, 16);
    put32(a, (uint32_t)(hi >> 32));
    put32(a + 4, (uint32_t)hi);
    put32(a + 12, lo);
}

static void sift_down(size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        for (size_t c = l; c < l + 2 && c < G.nheap; c++)
            if (G.f[G.heap[c]].next < G.f[G.heap[m]].next)
                m = c;
        if (m == i)
            return;
        uint32_t t = G.heap[i];
        G.heap[i] = G.heap[m];
        G.heap[m] = t;
        i = m;
    }
}

/* ------------------------------------------------------------ framing */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    return n & 1 ? s + ((uint32_t)p[n - 1] << 8) : s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static size_t l4off(const struct flow *f)
{
    return f->v6 ? 54 : 34;
}

/* Clear the frame buffer; return where the L4 header goes. */
static uint8_t *start(const struct flow *f)
{
    memset(G.buf, 0, 192);
    return G.buf + l4off(f);
}

/* Complete the frame whose L4 part (l4len bytes, the first `have` written)
 * is in place: Ethernet and IP headers, the L4 checksum at byte csum_at
 * (exact: the unwritten payload is zeros, which add nothing), then the pcap
 * record at the flow's current time. src/dst override the flow's addresses. */
static void finish(struct flow *f, int dir, uint8_t proto, size_t have, uint32_t l4len,
                   size_t csum_at, const uint8_t *src, const uint8_t *dst)
{
    static const uint8_t router[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
    uint8_t host[6] = {0x02, 0x00, 0x0a, 0, 0, 0}, *b = G.buf;
    int from_local = (dir == 0) == (f->local_is_client != 0);
    uint8_t ttl = from_local ? f->ttl_local : f->ttl_remote;
    size_t l4 = l4off(f);
    uint32_t s;
    put16(host + 3, f->local_id >> 8);
    host[5] = (uint8_t)f->local_id;
    memcpy(b, from_local ? router : host, 6);
    memcpy(b + 6, from_local ? host : router, 6);
    src = src ? src : dir ? f->saddr : f->caddr;
    dst = dst ? dst : dir ? f->caddr : f->saddr;
    if (f->v6) {
        put32(b + 12, 0x86dd6000u | (f->aux >> 16 & 0xf));
        put16(b + 16, f->aux);
        put16(b + 18, l4len);
        b[20] = proto;
        b[21] = ttl;
        memcpy(b + 22, src, 16);
        memcpy(b + 38, dst, 16);
        s = sum16(b + 22, 32, l4len + proto);
    } else {
        put32(b + 12, 0x08004500);
        put16(b + 16, 20 + l4len);
        put16(b + 18, f->ipid[dir]++);
        put16(b + 20, proto == 6 || f->kind == K_QUIC ? 0x4000 : 0); /* DF */
        b[22] = ttl;
        b[23] = proto;
        memcpy(b + 26, src, 4);
        memcpy(b + 30, dst, 4);
        put16(b + 24, fold(sum16(b + 14, 20, 0)));
        s = proto == 1 ? 0 : sum16(b + 26, 8, l4len + proto);
    }
    uint16_t c = fold(sum16(b + l4, have, s));
    put16(b + l4 + csum_at, proto == 17 && !c ? 0xffff : c);

    struct pcap_pkthdr h;
    uint64_t us = G.base_us + f->next;
    G.last_us = us = us > G.last_us ? us : G.last_us + 1;
    h.ts.tv_sec = (time_t)(us / 1000000);
    h.ts.tv_usec = (long)(us % 1000000);
    h.len = (uint32_t)(l4 + l4len);
    h.caplen = h.len < G.snap ? h.len : G.snap;
    if (G.headers_only && h.caplen > l4 + have)
        h.caplen = (uint32_t)(l4 + have);
    pcap_dump((u_char *)G.dump, &h, b);
    G.pkts++;
    G.bytes += h.len;
}

/* SYN options: Linux (MSS, SACK permitted, timestamps, NOP, WS 7) and
 * Windows (MSS, NOP, WS 8, NOP, NOP, SACK permitted); scans send MSS only. */
static const uint8_t syn_linux[20] = {2, 4, 0, 0, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7};
static const uint8_t syn_windows[12] = {2, 4, 0, 0, 1, 3, 3, 8, 1, 1, 4, 2};

/* One TCP segment. The ack field acknowledges all the peer has sent so far. */
static void tcp_pkt(struct flow *f, int dir, uint8_t flags, uint32_t plen)
{
    int syn = flags & TH_SYN, ts = f->tsopt && f->kind != K_SCAN;
    uint32_t optlen = syn ? (f->kind == K_SCAN ? 4 : ts ? 20 : 12) : ts ? 12 : 0;
    uint32_t thl = 20 + optlen, ms = (uint32_t)(f->next / 1000), app = 0;
    uint32_t tsval = f->tsbase[dir] + ms, tsecr = f->tsbase[!dir] + ms - f->rtt / 2000;
    uint8_t *p = start(f), *o = p + 20;
    if (plen > (f->v6 ? 1460 : 1480) - thl)
        plen = (f->v6 ? 1460 : 1480) - thl;
    put16(p, dir ? f->sport : f->cport);
    put16(p + 2, dir ? f->cport : f->sport);
    put32(p + 4, f->seq[dir]);
    put32(p + 8, flags & TH_ACK ? f->seq[!dir] : 0);
    p[12] = (uint8_t)(thl * 4);
    p[13] = flags;
    put16(p + 14, syn ? (f->v6 ? 64800 : 64240) : f->win);
    if (syn) {
        memcpy(o, ts ? syn_linux : syn_windows, optlen);
        put16(o + 2, f->v6 ? 1440 : 1460);
        if (ts) {
            put32(o + 8, tsval);
            put32(o + 12, flags & TH_ACK ? tsecr : 0);
        }
    } else if (ts) {
        put32(o, 0x0101080a); /* NOP, NOP, timestamps */
        put32(o + 4, tsval);
        put32(o + 8, tsecr);
    }
    if (f->sport == 3306 && plen >= 5) { /* MySQL framing keeps dissectors sane */
        put16(o + optlen, (plen - 4) << 8 | (plen - 4) >> 8);
        o[optlen + 4] = dir ? 1 : 3; /* column count / COM_QUERY */
        app = 5;
    }
    finish(f, dir, 6, thl + app, thl + plen, 16, NULL, NULL);
    f->seq[dir] += plen + (flags & (TH_SYN | TH_FIN) ? 1 : 0);
}

/* UDP datagram of plen payload bytes, of which the first applen are app. */
static void udp_pkt(struct flow *f, int dir, uint32_t plen, const uint8_t *app, size_t applen,
                    const uint8_t *src)
{
    uint8_t *p = start(f);
    if (plen > (f->v6 ? 1452u : 1472u))
        plen = f->v6 ? 1452 : 1472;
    put16(p, dir ? f->sport : f->cport);
    put16(p + 2, dir ? f->cport : f->sport);
    put16(p + 4, 8 + plen);
    memcpy(p + 8, app, applen);
    finish(f, dir, 17, 8 + applen, 8 + plen, 6, src, NULL);
}

/* ICMP or ICMPv6 echo request (dir 0) or reply (dir 1) with ping's 56 bytes. */
static void icmp_echo(struct flow *f, int dir)
{
    uint8_t *p = start(f);
    p[0] = f->v6 ? (dir ? 129 : 128) : (dir ? 0 : 8);
    put16(p + 4, f->cport);
    put16(p + 6, f->sent / 2 + 1);
    finish(f, dir, f->v6 ? 58 : 1, 8, 64, 2, NULL, NULL);
}

/* Port unreachable from the flood victim, quoting the datagram just sent. */
static void icmp_unreach(struct flow *f, const uint8_t *to)
{
    uint8_t quote[28];
    memcpy(quote, G.buf + 14, sizeof quote);
    uint8_t *p = start(f);
    p[0] = p[1] = 3;
    memcpy(p + 8, quote, sizeof quote);
    finish(f, 1, 1, 36, 36, 2, f->saddr, to);
}

static const char *const dns_names[] = {
    "www.example.com",    "api.example.net",    "cdn.example.org",   "mail.example.com",
    "update.example.net", "video.example.org",  "files.example.com", "time.example.net",
    "login.example.org",  "static.example.com", "chat.example.net",  "backup.example.org",
};

/* DNS query or answer: A in the first exchange, AAAA in the second. */
static void dns_pkt(struct flow *f)
{
    uint8_t m[128] = {0};
    uint32_t resp = f->sent & 1, aaaa = f->sent >= 2, n = 12;
    const char *s = dns_names[f->aux % (sizeof dns_names / sizeof *dns_names)];
    put16(m, (f->aux >> 8) + f->sent / 2);
    put32(m + 2, (resp ? 0x8180u : 0x0100u) << 16 | 1); /* flags, one question */
    put16(m + 6, resp);
    while (*s) {
        size_t l = strcspn(s, ".");
        m[n++] = (uint8_t)l;
        memcpy(m + n, s, l);
        n += (uint32_t)l;
        s += l + (s[l] == '.');
    }
    put32(m + n + 1, (aaaa ? 28u : 1u) << 16 | 1); /* root label, qtype, class IN */
    n += 5;
    if (resp) {
        put32(m + n, 0xc00c0000u | (aaaa ? 28 : 1));
        put32(m + n + 4, 0x00010000);
        put32(m + n + 8, 300u << 16 | (aaaa ? 16 : 4)); /* ttl 300 s, rdlength */
        if (aaaa)
            ip6(m + n + 12, DOC6 | 0xf00d0000, f->aux % 200 + 10);
        else
            put32(m + n + 12, IP4(203, 0, 113, f->aux % 200 + 10));
        n += aaaa ? 28 : 16;
    }
    udp_pkt(f, (int)resp, n, m, n, NULL);
}

/* ------------------------------------------------------ per-kind steps */

/* Emit packet number f->sent of flow f; return the delay to the next one. */
static uint64_t step(struct flow *f)
{
    uint32_t s = f->sent, n = f->total, c = s - 3;
    uint8_t app[48] = {0};
    switch ((enum kind)f->kind) {
    case K_TCPFAIL: /* SYN refused with RST, or retransmitted into a black hole */
        if (n == 2) {
            f->seq[1] = 0;
            tcp_pkt(f, (int)s, s ? TH_RST | TH_ACK : TH_SYN, 0);
            return f->rtt;
        }
        tcp_pkt(f, 0, TH_SYN, 0);
        f->seq[0]--;
        return 1000000ull << s;
    case K_TCP:
        if (s < 3) { /* three-way handshake */
            tcp_pkt(f, s == 1, s == 2 ? TH_ACK : s ? TH_SYN | TH_ACK : TH_SYN, 0);
            return s == 0 ? f->rtt : 30 + rnd_below(300);
        }
        if (s >= n - 3) { /* orderly close: FIN, FIN, ACK */
            tcp_pkt(f, s == n - 2, s == n - 1 ? TH_ACK : TH_FIN | TH_ACK, 0);
            return f->rtt / 2 + 1;
        }
        if (f->style == S_CHAT) { /* SSH, databases, mail: ask, answer, pause */
            uint32_t len = 36 + rnd_below(c % 2 == 0 ? 300 : rnd_below(3) ? 600 : 4000);
            if (c % 2 == 0)
                tcp_pkt(f, 0, TH_PSH | TH_ACK, len);
            else
                tcp_pkt(f, 1, rnd_below(5) ? TH_PSH | TH_ACK : TH_ACK, len);
            if (c % 2 == 0)
                return f->rtt < f->gap ? f->rtt : f->gap / 2 + 1;
            return jitter(f->gap * 3 / 2);
        }
        if (c == 0) { /* the request, or the upload's preamble */
            tcp_pkt(f, 0, TH_PSH | TH_ACK, 200 + rnd_below(500));
            return f->rtt;
        }
        if ((c - 1) % 3 == 2) /* the receiver acks every second segment */
            tcp_pkt(f, f->style == S_UP, TH_ACK, 0);
        else if (rnd_below(10)) /* full segments, now and then a short one with PSH */
            tcp_pkt(f, f->style == S_DOWN, TH_ACK, 1500);
        else
            tcp_pkt(f, f->style == S_DOWN, TH_PSH | TH_ACK, 100 + rnd_below(1300));
        return jitter(f->gap);
    case K_DNS:
        dns_pkt(f);
        return s & 1 ? 100 + rnd_below(900) : f->rtt / 4 + rnd_below(20000);
    case K_NTP: /* client mode 3, server mode 4 (stratum 2) */
        put32(app, s ? 0x240206e9 : 0x230006e9);
        udp_pkt(f, (int)s, 48, app, 48, NULL);
        return f->rtt;
    case K_QUIC: { /* short-header packets, mostly down; the client acks every 4th */
        int up = s == 0 || s % 4 == 3;
        uint32_t len = s < 3 ? 1252 : up ? 25 + rnd_below(40) : 1200 + rnd_below(150);
        app[0] = (uint8_t)(0x40 | (rnd() & 0x3f));
        put32(app + 1, f->aux ^ (up ? 0x5a5a5a5au : 0)); /* connection ID */
        put32(app + 5, f->cport * 2654435761u ^ (up ? 0 : 0xa5a5a5a5u));
        udp_pkt(f, !up, len, app, 9, NULL);
        return s < 3 ? f->rtt / 2 + 1 : jitter(f->gap);
    }
    case K_UDP:                   /* VPN-like tunnel: any size, both directions */
        c = 60 + rnd_below(1400); /* payload length */
        udp_pkt(f, rnd_below(5) < 3, c, app, 0, NULL);
        return jitter(f->gap);
    case K_ICMP:
        icmp_echo(f, (int)(s & 1));
        return s & 1 ? 1000000 - f->rtt : f->rtt;
    case K_SCAN: { /* closed ports answer RST; open ones SYN-ACK, then the scanner RSTs */
        static const uint16_t first[] = {80, 443, 22, 21, 23, 25, 3389, 8080, 110, 445};
        uint32_t phase = f->aux++ & 3, probe = f->aux >> 2;
        if (phase == 0) /* like nmap: popular ports first, then a permutation of 1..1024 */
            f->sport = probe < 10 ? first[probe] : (uint16_t)(1 + probe * 37 % 1024);
        int open = f->sport == 22 || f->sport == 80 || f->sport == 443;
        if (phase == 0) {
            f->seq[0] = (uint32_t)rnd();
            f->seq[1] = open ? (uint32_t)rnd() : 0;
            tcp_pkt(f, 0, TH_SYN, 0);
            return 300 + rnd_below(400);
        }
        if (phase == 1 && open) {
            tcp_pkt(f, 1, TH_SYN | TH_ACK, 0);
            return 200;
        }
        tcp_pkt(f, phase == 1, phase == 1 ? TH_RST | TH_ACK : TH_RST, 0);
        f->aux = (f->aux | 3) + 1;
        return jitter(f->gap);
    }
    case K_FLOOD: { /* spoofed sources and ports; the victim rate-limits its ICMP */
        uint8_t src[4];
        put32(src, rnd_below(2) ? IP4(198, 51, 100, 128 + rnd_below(120))
                                : IP4(203, 0, 113, 150 + rnd_below(100)));
        /* each spoofed source keeps one port, and all aim at the web server's port: a
         * few hundred flows, as a flow exporter sees such a flood */
        f->cport = (uint16_t)(1024 + (src[2] * 251u + src[3] * 61u) % 64000);
        f->sport = 80;
        udp_pkt(f, 0, 1000 + rnd_below(472), app, 0, src);
        if (s % 25 == 24 && s + 1 < n) {
            f->sent++;
            icmp_unreach(f, src);
        }
        return jitter(f->gap);
    }
    }
    return 1;
}

/* ------------------------------------------------------------ profiles */

static const uint16_t svc_ports[] = {443, 443, 443,  443,  443,  443, 443,  443,  443,
                                     443, 443, 443,  80,   80,   80,  8080, 8443, 22,
                                     993, 587, 3306, 5432, 5222, 25,  9000, 6443};

/* Zipf weight k^-1.125 = 1 / (k * k^(1/8)); Newton square roots, no libm. */
static double root2(double x)
{
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 64 && r * r - x > 1e-9 * x; i++)
        r = (r + x / r) / 2;
    return r;
}

static double zipf_w(uint32_t k)
{
    return 1.0 / ((double)k * root2(root2(root2((double)k))));
}

/* Pick 0..n-1 from cumulative weights by binary search. */
static uint32_t pick(const double *cum, uint32_t n)
{
    double u = rnd_unit() * cum[n - 1];
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (cum[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Life span of a bench flow, then a start time so that it ends in time. */
static void place(struct flow *f, uint64_t dur)
{
    uint64_t life = (uint64_t)f->rtt * f->total; /* DNS, NTP */
    if (f->kind == K_ICMP)
        life = (uint64_t)f->total / 2 * 1000000;
    else if (f->kind == K_TCPFAIL)
        life = (1000000ull << f->total) + f->rtt;
    else if (f->kind != K_DNS && f->kind != K_NTP) { /* 50..6400 packets/s, capped */
        uint64_t pps = 50ull << rnd_below(8);
        pps = pps * (100 + rnd_below(100)) / 100;
        life = (uint64_t)f->total * 1000000 / pps;
        if (life > dur * 95 / 100)
            life = dur * (50 + rnd_below(45)) / 100;
        f->gap = life / f->total + 1;
        life += 4ull * f->rtt;
    }
    f->next = life < dur ? (uint64_t)(rnd_unit() * (double)(dur - life)) : 0;
}

static const struct {
    uint8_t upto, kind;
} mix[] = {{56, K_TCP}, {57, K_TCPFAIL}, {79, K_DNS}, {89, K_QUIC},
           {91, K_NTP}, {93, K_ICMP},    {96, K_UDP}, {100, K_TCP}};

static int profile_bench(uint64_t packets, uint32_t flows, uint64_t dur)
{
    enum { NLOCAL = 2000, NREMOTE = 30000 };
    double *cum = malloc(NREMOTE * sizeof *cum);
    uint32_t *bulk = malloc((size_t)flows * sizeof *bulk), nbulk = 0;
    uint64_t minimum = 0, given = 0;
    if (!cum || !bulk) {
        fputs("trafficgen: out of memory\n", stderr);
        exit(1);
    }
    for (uint32_t k = 0; k < NREMOTE; k++)
        cum[k] = (k ? cum[k - 1] : 0) + 1.0 / (k + 1);
    for (uint32_t i = 0; i < flows; i++) {
        uint32_t r = rnd_below(100), id = rnd_below(NLOCAL), rid, m = 0;
        while (r >= mix[m].upto) /* flow mix, in percent */
            m++;
        enum kind k = mix[m].kind;
        struct flow *f = new_flow(k, rnd_below(10) == 0);
        /* resolvers are the 4 most popular remotes; every remote host gets a
         * flow, the others follow popularity */
        rid = k == K_DNS ? rnd_below(4) : i < NREMOTE ? i : pick(cum, NREMOTE);
        set_local(f, id);
        if (f->v6) {
            ip6(f->caddr, ULA6 | 0x100ull << 32 | id / 250, id % 250 + 2);
            ip6(f->saddr, DOC6 | 0xf0000000 | rid >> 12, (rid & 0xfff) + 1);
        } else {
            put32(f->caddr, IP4(10, 1, id / 250, id % 250 + 2));
            put32(f->saddr, IP4(198, 18, 1, 1) + rid * 4);
        }
        if (k == K_TCP || k == K_TCPFAIL)
            f->sport = svc_ports[rnd_below(sizeof svc_ports / sizeof *svc_ports)];
        if (r >= 96) { /* inbound: remote clients reach the site's own servers */
            uint8_t t[16];
            memcpy(t, f->caddr, 16);
            memcpy(f->caddr, f->saddr, 16);
            memcpy(f->saddr, t, 16);
            f->local_is_client = 0;
            f->sport = (uint16_t[]){443, 443, 80, 22, 25}[rnd_below(5)];
            f->cport = (uint16_t)(32768 + rnd_below(28000));
        }
        if (f->sport == 22)
            f->style = rnd_below(2) ? S_UP : S_CHAT; /* rsync/scp or a shell */
        else if (f->sport == 3306 || f->sport == 5432 || f->sport == 5222 || f->sport == 993)
            f->style = S_CHAT;
        else
            f->style = rnd_below(100) < 15 ? S_UP : S_DOWN;
        if (k == K_TCPFAIL)
            f->total = 1 + rnd_below(3);
        else if (k == K_DNS || k == K_NTP)
            f->total = k == K_NTP || rnd_below(3) ? 2 : 4;
        else if (k == K_ICMP)
            f->total = 2 * (1 + rnd_below(10));
        f->sport = k == K_DNS ? 53 : k == K_NTP ? 123 : k == K_QUIC ? 443 : f->sport;
        if (k == K_UDP)
            f->sport = (uint16_t[]){51820, 1194, 4500, 3478}[rnd_below(4)];
        if (f->total)
            minimum += f->total;
        else
            bulk[nbulk++] = i;
    }
    /* Zipf sizes for the TCP, QUIC and tunnel flows: a random rank each,
     * weight rank^-1.125 of what the minimal conversations leave over. */
    for (uint32_t i = 0; i < nbulk; i++)
        minimum += G.f[bulk[i]].kind == K_TCP ? 8 : 3;
    if (minimum > packets) {
        fprintf(stderr, "trafficgen: %u flows need at least %llu packets\n", flows,
                (unsigned long long)minimum);
        free(cum);
        free(bulk);
        return -1;
    }
    for (uint32_t i = nbulk; i > 1; i--) { /* shuffle: random ranks */
        uint32_t j = rnd_below(i), t = bulk[i - 1];
        bulk[i - 1] = bulk[j];
        bulk[j] = t;
    }
    double h = 0;
    for (uint32_t i = 0; i < nbulk; i++)
        h += zipf_w(i + 1);
    for (uint32_t i = 0; i < nbulk; i++) {
        uint64_t spare = packets - minimum - given;
        uint64_t extra =
            (uint64_t)((double)(packets - minimum) / h * zipf_w(i + 1) * (0.6 + 0.8 * rnd_unit()));
        given += extra = extra < spare ? extra : spare;
        G.f[bulk[i]].total = (G.f[bulk[i]].kind == K_TCP ? 8 : 3) + (uint32_t)extra;
    }
    if (nbulk) /* the top elephant takes what rounding left over */
        G.f[bulk[0]].total += (uint32_t)(packets - minimum - given);
    for (size_t i = 0; i < G.nf; i++)
        place(&G.f[i], dur);
    free(cum);
    free(bulk);
    return 0;
}

/* A demo flow from office host 10.0.0.<host> (or fd00:0:0:10::<host>) to
 * remote4 (or 2001:db8:f00d:<remote6 >> 16>::<remote6 & 0xffff>), carrying
 * n packets between t0 and t1. */
static struct flow *office(enum kind k, uint32_t host, int v6, uint32_t remote4, uint32_t remote6,
                           uint16_t sport, uint64_t t0, uint64_t t1, uint32_t n)
{
    struct flow *f = new_flow(k, v6);
    set_local(f, host);
    if (v6) {
        ip6(f->caddr, ULA6 | 0x10, host);
        ip6(f->saddr, DOC6 | 0xf00d0000 | remote6 >> 16, remote6 & 0xffff);
    } else {
        put32(f->caddr, IP4(10, 0, 0, host));
        put32(f->saddr, remote4);
    }
    f->sport = sport;
    f->style = S_DOWN;
    f->rtt = 8000 + rnd_below(30000);
    f->total = n;
    f->next = t0;
    f->gap = (t1 - t0) / n + 1;
    return f;
}

static void profile_demo(uint32_t pages, uint64_t d)
{
    struct flow *f;
    /* Heavy hitters: the NAS rsyncs its backup over SSH all minute long, the
     * meeting-room screen streams video over QUIC, a desk pulls a big file. */
    f = office(K_TCP, 5, 0, IP4(198, 51, 100, 20), 0, 22, d / 200, d - d / 100, 820);
    f->style = S_UP;
    office(K_QUIC, 31, 0, IP4(203, 0, 113, 80), 0, 443, d / 12, d - d / 30, 640);
    office(K_TCP, 12, 0, IP4(198, 51, 100, 45), 0, 443, d * 3 / 10, d * 13 / 20, 520);
    /* IPv6 laptops: a long HTTPS session, and pings. */
    office(K_TCP, 0x33, 1, 0, 0x80443, 443, d / 10, d * 9 / 10, 150);
    office(K_ICMP, 0x34, 1, 0, 0x10001, 0, d / 3, d, 12)->cport = 0x2b1;
    /* The admin's interactive SSH session and a mail client. */
    office(K_TCP, 11, 0, IP4(198, 51, 100, 20), 0, 22, d / 20, d * 17 / 20, 90)->style = S_CHAT;
    office(K_TCP, 17, 0, IP4(192, 0, 2, 25), 0, 993, d / 4, d / 2, 30)->style = S_CHAT;
    /* NTP from three hosts; a monitoring box pings the ISP gateway each second. */
    for (uint32_t i = 0; i < 3; i++)
        office(K_NTP, 10 + i * 4, 0, IP4(192, 0, 2, 123), 0, 123, d * (1 + i * 3) / 10, d, 2);
    f = office(K_ICMP, 2, 0, IP4(192, 0, 2, 1), 0, 0, d / 60, d, (uint32_t)(d / 1000000) * 2);
    f->cport = 0x1d2;
    f->rtt = 9000;
    /* Browsing: a DNS lookup, then a short HTTPS (or HTTP) transfer, from one
     * of the desks 10.0.0.10-25 (.20 is the server) or the IPv6 laptop. */
    for (uint32_t i = 0; i < pages; i++) {
        uint32_t host = 10 + rnd_below(15), site = rnd_below(24);
        int v6 = rnd_below(8) == 0;
        uint64_t t = (uint64_t)(rnd_unit() * (double)(d - d / 8));
        host = v6 ? 0x33 : host == 20 ? 25 : host;
        f = office(K_DNS, host, v6, IP4(192, 0, 2, 53), 0x53, 53, t, t + 40000,
                   rnd_below(3) ? 2 : 4);
        f->aux = site * 256 + rnd_below(256);
        uint64_t end = t + 260000 + rnd_below(3000000);
        uint32_t n = 10 + rnd_below(10 + rnd_below(40));
        office(K_TCP, host, v6,
               site < 12 ? IP4(192, 0, 2, 10 + site * 7) : IP4(203, 0, 113, 10 + site * 5), site,
               site % 5 == 4 ? 80 : 443, t + 60000, end, n);
    }
    /* Incident 1: 203.0.113.66 SYN-scans the office server 10.0.0.20, which
     * the router port-forwards: some 300 ports in 5 s, early, so that the
     * alerts show within the demo's first 10 seconds. */
    f = office(K_SCAN, 20, 0, IP4(10, 0, 0, 20), 0, 1, d * 2 / 60, d * 7 / 60, 600);
    memcpy(f->saddr, f->caddr, 4);
    put32(f->caddr, IP4(203, 0, 113, 66));
    f->local_is_client = 0;
    f->cport = 45121;
    f->rtt = 30000;
    f->aux = 0;
    /* Incident 2: a spoofed UDP flood, some 750 packets a second, hits the same
     * server for 4 s. */
    f = office(K_FLOOD, 20, 0, IP4(10, 0, 0, 20), 0, 0, d * 5 / 60, d * 9 / 60, 3000);
    f->local_is_client = 0;
}

/* ---------------------------------------------------------------- main */

static int usage(FILE *to, int rc)
{
    fputs("usage: trafficgen -o FILE [--profile demo|bench] [--packets N] [--flows N]\n"
          "                  [--duration SECS] [--seed N]\n"
          "  bench (default): 2000000 packets, 100000 flows, 60 s; caplen <= 128\n"
          "  demo: scripted small-office incident, 60 s, headers only (caplen <= 96);\n"
          "        --flows is the number of web page loads (45), --packets is ignored\n",
          to);
    return rc;
}

int main(int argc, char **argv)
{
    static const char *const opt[] = {"-o",      "--profile",  "--packets",
                                      "--flows", "--duration", "--seed"};
    const char *val[6] = {NULL, "bench", "2000000", NULL, "60", "1"};
    unsigned long long num[6] = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strncmp(a, "--", 2) ? NULL : strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a), k = 0;
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return usage(stdout, 0);
        while (k < 6 && (strlen(opt[k]) != len || strncmp(a, opt[k], len)))
            k++;
        val[k < 6 ? k : 0] = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (k == 6 || !val[k]) {
            fprintf(stderr, "trafficgen: bad or incomplete option '%s'\n", a);
            return usage(stderr, 2);
        }
    }
    int demo = !strcmp(val[1], "demo");
    val[3] = val[3] ? val[3] : demo ? "45" : "100000";
    for (int k = 2; k < 6; k++) {
        char *end;
        num[k] = strtoull(val[k], &end, 10);
        if (!*val[k] || *end || num[k] > 4000000000ull)
            return usage(stderr, 2);
    }
    if (!val[0] || (!demo && strcmp(val[1], "bench")) || !num[2] || !num[3] || !num[4] ||
        num[4] > 86400 || num[3] > 10000000)
        return usage(stderr, 2);

    rng_state = num[5] * 0x2545f4914f6cdd1dULL + 1;
    G.snap = demo ? 96 : 128;
    G.headers_only = demo;
    G.base_us = (demo ? 1715695500ull : 1715679000ull) * 1000000; /* 2024-05-14 UTC */
    clock_t c0 = clock();
    if (demo)
        profile_demo((uint32_t)num[3], num[4] * 1000000);
    else if (profile_bench(num[2], (uint32_t)num[3], num[4] * 1000000))
        return 1;

    pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
    G.dump = pd ? pcap_dump_open(pd, val[0]) : NULL;
    G.heap = malloc(G.nf * sizeof *G.heap);
    if (!G.dump || !G.heap) {
        fprintf(stderr, "trafficgen: cannot write %s: %s\n", val[0], pd ? pcap_geterr(pd) : "");
        if (pd)
            pcap_close(pd);
        return 1;
    }
    for (size_t i = 0; i < G.nf; i++)
        G.heap[i] = (uint32_t)i;
    G.nheap = G.nf;
    for (size_t i = G.nf / 2; i-- > 0;)
        sift_down(i);
    while (G.nheap) { /* the earliest flow sends; done flows leave the heap */
        struct flow *f = &G.f[G.heap[0]];
        uint64_t delay = step(f);
        if (++f->sent >= f->total)
            G.heap[0] = G.heap[--G.nheap];
        else
            f->next += delay;
        sift_down(0);
    }
    if (pcap_dump_flush(G.dump)) {
        fprintf(stderr, "trafficgen: write error on %s\n", val[0]);
        return 1;
    }
    pcap_dump_close(G.dump);
    pcap_close(pd);
    fprintf(stderr,
            "trafficgen: %s: %llu packets, %llu wire bytes, %zu flows, %.2f s, %.1f s CPU\n",
            val[0], (unsigned long long)G.pkts, (unsigned long long)G.bytes, G.nf,
            (double)(G.last_us - G.base_us) / 1e6, (double)(clock() - c0) / CLOCKS_PER_SEC);
    free(G.heap);
    free(G.f);
    return 0;
}
