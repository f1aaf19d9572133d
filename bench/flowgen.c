/*
 * flowgen.c - NetFlow v5 / v9 / IPFIX and sFlow v5 load generator and
 * do-nothing sink, for bench/collector.sh.
 *
 * Build:  cc -O2 -o bench/out/flowgen bench/flowgen.c      (libc only)
 *
 * Generator:
 *   flowgen --version 5|9|10|sflow --port N --rate RECORDS_PER_S --seconds S
 *           [--src-port N] [--batch N] [--clients N] [--sampling N] [--write FILE]
 *   Sends flow records to 127.0.0.1:N at the given rate, paced by
 *   CLOCK_MONOTONIC (sleeping when well ahead of schedule, spinning when
 *   close), in batches handed to sendmmsg(2). Datagrams carry 30 records
 *   (v5, v9) or 25 records (IPFIX; 1420-byte datagrams), so they fit a
 *   1500-byte MTU. v9 and IPFIX send their template first and again every
 *   1000 datagrams. Sequence numbers follow the RFCs: v5 counts flows, v9
 *   counts export packets, IPFIX counts data records. Records are IPv4
 *   5-tuples from 65,536 client addresses (10.0.0.0/16, ephemeral ports) to
 *   1,000 server addresses (198.18.0.0/22, well-known ports), so a collector
 *   sees tens of millions of distinct flows. --clients N draws the clients
 *   from N addresses of 10.0.0.0/8 instead (up to 16,777,216: a flood from
 *   spoofed sources, nearly every record a new host).
 *   --version sflow sends sFlow v5 instead, as a few switches sampling 1:1024
 *   would: every datagram from one of 4 agents (192.0.2.1-4, in turn), 7 flow
 *   samples each (compact format 0:1, one raw packet header record of up to
 *   128 bytes: Ethernet, IPv4, TCP/UDP/ICMP of the same synthetic flows, so a
 *   "record" is a flow sample), each sample from one of 8 data sources (the
 *   ingress ifIndex 1-8) of its agent. Datagram sequence numbers count per
 *   agent, sample sequence numbers per agent and source, and the sample pool
 *   grows by the rate per sample, so a collector's loss counters are exact.
 *   No counter samples: every sample is a flow sample. --sampling N: 1 in N
 *   instead of 1024 (the collector scales bytes and packets by it). Stops when rate*seconds records
 *   are sent, or at the deadline if it cannot keep up, and prints
 *     sent_records=N sent_datagrams=M elapsed=S.sss achieved_rate=R
 *   --write FILE writes the same datagrams into a pcap file instead of sending
 *   them (Ethernet, IPv4, UDP 127.0.0.1:SRC-PORT -> 127.0.0.1:PORT; SRC-PORT
 *   9995 unless given), timestamped as if sent at exactly the rate from a fixed
 *   start (2026-09-01 00:00:00 UTC), so the file is the same on every run:
 *   what bench/exportcount.sh counts instructions over (flowdrill -r FILE -l
 *   PORT). It prints written_records=N written_datagrams=M.
 *
 * Sink:
 *   flowgen --sink --port N [--rcvbuf BYTES]
 *   Binds 127.0.0.1:N and counts datagrams and records with recvmmsg(2),
 *   doing nothing else. Records come from the header's count field (v5: the
 *   count; v9: the count minus the template records of flowset 0); IPFIX has
 *   no record count, so its set headers are walked and each data set's length
 *   divided by the record length of its template; sFlow's samples are walked
 *   and its flow samples (0:1, 0:3) counted. On SIGTERM or SIGINT it
 *   reads what is still queued and prints
 *     datagrams=N records=M bytes=B
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    MAX_BATCH = 256,
    DGRAM_MAX = 1500,
    V5_RECS = 30,
    V9_RECS = 30,
    IPFIX_RECS = 25,
    TEMPLATE_EVERY = 1000,
    TEMPLATE_ID = 256,
    SFLOW = 105,      /* internal version number of --version sflow */
    SF_RECS = 7,      /* flow samples per datagram: 28 + 7 * 192 = 1372 bytes */
    SF_AGENTS = 4,    /* switches 192.0.2.1-4 */
    SF_SOURCES = 8,   /* data sources (ingress ports) per agent */
    SF_RATE = 1024,   /* 1 in N packets sampled, unless --sampling */
    SF_HDR = 128,     /* sampled header bytes, the usual agent default */
};

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "flowgen: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static uint8_t *put8(uint8_t *p, uint32_t v)
{
    *p = (uint8_t)v;
    return p + 1;
}

static uint8_t *put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
    p = put32(p, (uint32_t)(v >> 32));
    return put32(p, (uint32_t)v);
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) << 16 | get16(p + 2);
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
    return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static uint64_t parse_u64(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        die("bad %s", what);
    return (uint64_t)v;
}

/* splitmix64: fast, good enough, deterministic */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* ------------------------------------------------------------------------ */
/* one synthetic flow                                                       */

struct flow {
    uint32_t src, dst, pkts, bytes, first, last; /* first/last: ms of uptime */
    uint16_t sport, dport, in_if, out_if;
    uint8_t proto, flags, tos;
};

static const uint16_t tcp_ports[] = {443, 443, 443, 443, 80, 80, 22, 25, 993, 8080, 3306, 5432};
static const uint16_t udp_ports[] = {53, 53, 443, 123, 514, 5060, 1194, 4500};

static uint32_t n_clients = 65536; /* --clients */
static uint32_t sf_rate = SF_RATE;  /* --sampling */

static void make_flow(struct flow *f, uint64_t *rng, uint32_t uptime_ms)
{
    uint64_t a = rng_next(rng), b = rng_next(rng);
    uint32_t client = n_clients == 65536 ? (uint32_t)(a & 0xffff) /* 65,536 clients */
                                         : (uint32_t)(rng_next(rng) % n_clients);
    uint32_t server = (uint32_t)((a >> 16) % 1000);   /* 1,000 servers  */
    uint32_t kind = (uint32_t)((a >> 26) & 0xff);
    int to_server = (a >> 34) & 1;                    /* direction */
    uint32_t cli_ip = 0x0A000000u | client;                          /* 10.0.x.y      */
    uint32_t srv_ip = 0xC6120000u | (server / 250) << 8 | (server % 250 + 1); /* 198.18.k.n */
    uint16_t cli_port = (uint16_t)(32768 + (a >> 35) % 28232);
    uint16_t srv_port;
    uint32_t dur = (uint32_t)((b >> 40) % 60000);
    uint32_t age = (uint32_t)((b >> 20) % 1000);

    if (kind < 200) {
        f->proto = 6;
        srv_port = tcp_ports[(b >> 8) % (sizeof tcp_ports / sizeof tcp_ports[0])];
        static const uint8_t fl[] = {0x1b, 0x1b, 0x1a, 0x18, 0x10, 0x02, 0x12, 0x14};
        f->flags = fl[b & 7];
    } else if (kind < 250) {
        f->proto = 17;
        srv_port = udp_ports[(b >> 8) % (sizeof udp_ports / sizeof udp_ports[0])];
        f->flags = 0;
    } else {
        f->proto = 1;
        srv_port = 0x0800; /* ICMP echo request as type<<8|code, the NetFlow convention */
        cli_port = 0;
        f->flags = 0;
    }
    if (to_server) {
        f->src = cli_ip, f->dst = srv_ip, f->sport = cli_port, f->dport = srv_port;
        f->in_if = 1, f->out_if = 2;
    } else {
        f->src = srv_ip, f->dst = cli_ip, f->sport = srv_port, f->dport = cli_port;
        f->in_if = 2, f->out_if = 1;
    }
    if (f->proto == 1 && !to_server)
        f->sport = 0, f->dport = 0; /* echo reply */
    /* packets: mostly small flows, a few large ones */
    uint32_t p = (uint32_t)(b >> 48);
    f->pkts = (p & 0xc000) ? 1 + (p & 15) : 1 + (p & 0x3fff);
    f->bytes = f->pkts * (40 + (uint32_t)((b >> 12) % 1461));
    f->tos = (b & 0x300) ? 0 : 0x28;
    f->last = uptime_ms > age ? uptime_ms - age : 0;
    f->first = f->last > dur ? f->last - dur : 0;
}

/* ------------------------------------------------------------------------ */
/* generator                                                                */

struct gen {
    int version;
    uint64_t rng;
    uint32_t seq;         /* v5: flows, v9: packets, IPFIX: data records */
    uint64_t dgrams;      /* datagrams built so far */
    struct timespec boot; /* exporter "boot": uptime 0, one hour before start */
    /* sFlow: datagram sequence per agent, sample sequence and pool per source */
    uint32_t sf_seq[SF_AGENTS], sf_sample_seq[SF_AGENTS][SF_SOURCES];
    uint32_t sf_pool[SF_AGENTS][SF_SOURCES];
};

static int recs_per_dgram(int version)
{
    return version == 5 ? V5_RECS : version == 9 ? V9_RECS : version == SFLOW ? SF_RECS : IPFIX_RECS;
}

/* v9 template 256: 12 fields, 34 bytes per record */
static const uint16_t v9_fields[][2] = {
    {8, 4},  /* IPV4_SRC_ADDR */
    {12, 4}, /* IPV4_DST_ADDR */
    {7, 2},  /* L4_SRC_PORT */
    {11, 2}, /* L4_DST_PORT */
    {4, 1},  /* PROTOCOL */
    {6, 1},  /* TCP_FLAGS */
    {10, 2}, /* INPUT_SNMP */
    {14, 2}, /* OUTPUT_SNMP */
    {1, 4},  /* IN_BYTES */
    {2, 4},  /* IN_PKTS */
    {22, 4}, /* FIRST_SWITCHED */
    {21, 4}, /* LAST_SWITCHED */
};

/* IPFIX template 256: 13 fields, 56 bytes per record */
static const uint16_t ipfix_fields[][2] = {
    {8, 4},   /* sourceIPv4Address */
    {12, 4},  /* destinationIPv4Address */
    {7, 2},   /* sourceTransportPort */
    {11, 2},  /* destinationTransportPort */
    {4, 1},   /* protocolIdentifier */
    {5, 1},   /* ipClassOfService */
    {6, 2},   /* tcpControlBits */
    {10, 4},  /* ingressInterface */
    {14, 4},  /* egressInterface */
    {1, 8},   /* octetDeltaCount */
    {2, 8},   /* packetDeltaCount */
    {152, 8}, /* flowStartMilliseconds */
    {153, 8}, /* flowEndMilliseconds */
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t *put_template(uint8_t *p, int version)
{
    const uint16_t(*f)[2] = version == 9 ? v9_fields : ipfix_fields;
    size_t n = version == 9 ? NFIELDS(v9_fields) : NFIELDS(ipfix_fields);
    p = put16(p, version == 9 ? 0 : 2);  /* flowset / set id */
    p = put16(p, (uint32_t)(8 + 4 * n)); /* length */
    p = put16(p, TEMPLATE_ID);
    p = put16(p, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        p = put16(p, f[i][0]);
        p = put16(p, f[i][1]);
    }
    return p;
}

/* The sampled packet of flow f as an agent captures it: Ethernet, IPv4 and
   TCP/UDP/ICMP headers, zero payload, the first SF_HDR bytes of the frame.
   Returns the header length; *frame_len is the frame on the wire, FCS included. */
static uint32_t sflow_packet(uint8_t *h, const struct flow *f, uint32_t id, uint32_t *frame_len)
{
    uint32_t ip_len = f->bytes / f->pkts; /* 40-1500: every header fits */
    uint32_t caplen = 14 + ip_len < SF_HDR ? 14 + ip_len : SF_HDR;
    uint8_t *p = h;

    memset(h, 0, SF_HDR);
    p = put32(p, 0x02000000u), p = put16(p, 2);        /* dst MAC 02:00:00:00:00:02 */
    p = put32(p, 0x02000000u), p = put16(p, 1);        /* src MAC 02:00:00:00:00:01 */
    p = put16(p, 0x0800);
    uint8_t *ip = p;
    p = put8(p, 0x45);
    p = put8(p, f->tos);
    p = put16(p, ip_len);
    p = put16(p, id & 0xffff);
    p = put16(p, 0x4000); /* don't fragment */
    p = put8(p, 64);
    p = put8(p, f->proto);
    uint8_t *ck = p;
    p = put16(p, 0);
    p = put32(p, f->src);
    p = put32(p, f->dst);
    uint32_t sum = 0;
    for (int w = 0; w < 20; w += 2)
        sum += get16(ip + w);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(ck, ~sum & 0xffff);
    if (f->proto == 1) {
        p = put8(p, f->dport ? 8 : 0); /* echo request / reply */
    } else {
        p = put16(p, f->sport);
        p = put16(p, f->dport);
        if (f->proto == 6) {
            p = put32(p, id);        /* sequence */
            p = put32(p, id ^ 0x55); /* acknowledgement */
            p = put8(p, 5 << 4);     /* data offset */
            p = put8(p, f->flags);
            p = put16(p, 65535);     /* window */
        } else {
            p = put16(p, ip_len - 20);
        }
    }
    *frame_len = 14 + ip_len + 4;
    return caplen;
}

/* One sFlow v5 datagram of SF_RECS flow samples from the next agent. */
static size_t build_sflow(struct gen *g, uint8_t *buf, uint32_t uptime_ms)
{
    uint32_t agent = (uint32_t)(g->dgrams % SF_AGENTS);
    uint8_t *p = buf;
    struct flow f;

    p = put32(p, 5);                  /* version */
    p = put32(p, 1);                  /* agent address type: IPv4 */
    p = put32(p, 0xC0000201u + agent); /* 192.0.2.1-4 */
    p = put32(p, 0);                  /* sub-agent */
    p = put32(p, ++g->sf_seq[agent]);
    p = put32(p, uptime_ms);
    p = put32(p, SF_RECS);
    for (int i = 0; i < SF_RECS; i++) {
        make_flow(&f, &g->rng, uptime_ms);
        uint64_t r = rng_next(&g->rng);
        uint32_t src = (uint32_t)(r % SF_SOURCES), in = src + 1;
        uint32_t out = (uint32_t)((r >> 8) % (SF_SOURCES - 1)) + 1;
        uint32_t frame_len, seq = ++g->sf_sample_seq[agent][src];
        g->sf_pool[agent][src] += sf_rate;
        if (out >= in)
            out++; /* out of another port */
        uint8_t *sample = p;
        p = put32(p, 1);      /* flow sample, compact */
        p = put32(p, 0);      /* length, below */
        p = put32(p, seq);
        p = put32(p, in);     /* source id: type 0 (ifIndex) << 24 | index */
        p = put32(p, sf_rate);
        p = put32(p, g->sf_pool[agent][src]);
        p = put32(p, 0);      /* drops */
        p = put32(p, in);
        p = put32(p, out);
        p = put32(p, 1);      /* one record */
        p = put32(p, 1);      /* raw packet header */
        uint8_t *rec = p;
        p = put32(p, 0);      /* record length, below */
        p = put32(p, 1);      /* header protocol: Ethernet */
        uint8_t *fl = p;
        p += 4;               /* frame length, below */
        p = put32(p, 4);      /* stripped: the FCS */
        uint8_t *hl = p;
        p += 4;
        uint32_t caplen = sflow_packet(p, &f, seq, &frame_len);
        put32(fl, frame_len);
        put32(hl, caplen);
        p += (caplen + 3) & ~3u;
        put32(rec, (uint32_t)(p - rec - 4));
        put32(sample + 4, (uint32_t)(p - sample - 8));
    }
    return (size_t)(p - buf);
}

/* Builds the next datagram into buf; returns its length. */
static size_t build(struct gen *g, uint8_t *buf, const struct timespec *now_rt,
                    const struct timespec *now_mono)
{
    int n = recs_per_dgram(g->version);
    double up = ts_diff(now_mono, &g->boot);
    uint32_t uptime_ms = (uint32_t)(up * 1000.0);
    /* wall-clock time of "boot", for IPFIX absolute timestamps */
    uint64_t boot_rt_ms = (uint64_t)now_rt->tv_sec * 1000 + (uint64_t)now_rt->tv_nsec / 1000000 - uptime_ms;
    int with_template = (g->version == 9 || g->version == 10) && g->dgrams % TEMPLATE_EVERY == 0;
    uint8_t *p = buf, *set;
    struct flow f;

    switch (g->version) {
    case SFLOW:
        p += build_sflow(g, buf, uptime_ms);
        break;
    case 5:
        p = put16(p, 5);
        p = put16(p, (uint32_t)n);
        p = put32(p, uptime_ms);
        p = put32(p, (uint32_t)now_rt->tv_sec);
        p = put32(p, (uint32_t)now_rt->tv_nsec);
        p = put32(p, g->seq);
        p = put8(p, 0);     /* engine type */
        p = put8(p, 1);     /* engine id */
        p = put16(p, 0);    /* sampling: none */
        for (int i = 0; i < n; i++) {
            make_flow(&f, &g->rng, uptime_ms);
            p = put32(p, f.src);
            p = put32(p, f.dst);
            p = put32(p, 0xC0A80001u); /* next hop 192.168.0.1 */
            p = put16(p, f.in_if);
            p = put16(p, f.out_if);
            p = put32(p, f.pkts);
            p = put32(p, f.bytes);
            p = put32(p, f.first);
            p = put32(p, f.last);
            p = put16(p, f.sport);
            p = put16(p, f.dport);
            p = put8(p, 0);
            p = put8(p, f.flags);
            p = put8(p, f.proto);
            p = put8(p, f.tos);
            p = put16(p, 0);  /* src AS */
            p = put16(p, 0);  /* dst AS */
            p = put8(p, 16);  /* src mask */
            p = put8(p, 22);  /* dst mask */
            p = put16(p, 0);
        }
        g->seq += (uint32_t)n;
        break;
    case 9:
        p = put16(p, 9);
        p = put16(p, (uint32_t)(n + with_template)); /* all records, templates included */
        p = put32(p, uptime_ms);
        p = put32(p, (uint32_t)now_rt->tv_sec);
        p = put32(p, g->seq);
        p = put32(p, 1); /* source id */
        if (with_template)
            p = put_template(p, 9);
        set = p;
        p = put16(p, TEMPLATE_ID);
        p = put16(p, 0); /* length, below */
        for (int i = 0; i < n; i++) {
            make_flow(&f, &g->rng, uptime_ms);
            p = put32(p, f.src);
            p = put32(p, f.dst);
            p = put16(p, f.sport);
            p = put16(p, f.dport);
            p = put8(p, f.proto);
            p = put8(p, f.flags);
            p = put16(p, f.in_if);
            p = put16(p, f.out_if);
            p = put32(p, f.bytes);
            p = put32(p, f.pkts);
            p = put32(p, f.first);
            p = put32(p, f.last);
        }
        while ((p - set) % 4)
            *p++ = 0;
        put16(set + 2, (uint32_t)(p - set));
        g->seq += 1;
        break;
    default: /* IPFIX */
        p = put16(p, 10);
        p = put16(p, 0); /* length, below */
        p = put32(p, (uint32_t)now_rt->tv_sec);
        p = put32(p, g->seq);
        p = put32(p, 1); /* observation domain */
        if (with_template)
            p = put_template(p, 10);
        set = p;
        p = put16(p, TEMPLATE_ID);
        p = put16(p, 0);
        for (int i = 0; i < n; i++) {
            make_flow(&f, &g->rng, uptime_ms);
            p = put32(p, f.src);
            p = put32(p, f.dst);
            p = put16(p, f.sport);
            p = put16(p, f.dport);
            p = put8(p, f.proto);
            p = put8(p, f.tos);
            p = put16(p, f.flags);
            p = put32(p, f.in_if);
            p = put32(p, f.out_if);
            p = put64(p, f.bytes);
            p = put64(p, f.pkts);
            p = put64(p, boot_rt_ms + f.first);
            p = put64(p, boot_rt_ms + f.last);
        }
        put16(set + 2, (uint32_t)(p - set));
        put16(buf + 2, (uint32_t)(p - buf));
        g->seq += (uint32_t)n;
        break;
    }
    g->dgrams++;
    return (size_t)(p - buf);
}

/* --write: the datagrams into a classic pcap file, no sockets and no pacing */
static int run_writer(int version, unsigned port, unsigned src_port, double rate, double seconds,
                      const char *path)
{
    enum { HDRS = 14 + 20 + 8, START = 1788220800 /* 2026-09-01 00:00:00 UTC */ };
    int n_per = recs_per_dgram(version);
    double dps = rate / n_per;
    uint64_t total = (uint64_t)(rate * seconds / n_per + 0.5);
    static uint8_t frame[HDRS + DGRAM_MAX];
    struct gen g = {0};
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot write %s", path);
    uint8_t gh[24], *q = gh; /* pcap file header, little-endian */
    const uint32_t ghv[] = {0xa1b2c3d4u, 2u | 4u << 16, 0, 0, 65535, 1 /* Ethernet */};
    for (size_t i = 0; i < 6; i++) {
        uint32_t v = ghv[i];
        if (i == 1) { /* version 2.4: two 16-bit fields */
            *q++ = 2, *q++ = 0, *q++ = 4, *q++ = 0;
            continue;
        }
        for (int b = 0; b < 4; b++)
            *q++ = (uint8_t)(v >> (8 * b));
    }
    fwrite(gh, 1, sizeof gh, f);
    g.version = version;
    g.rng = 0x666C6F7767656E31ull ^ (uint64_t)version;
    g.boot.tv_sec = START - 3600; /* the exporter's uptime clock: up an hour at the start */
    if (total == 0)
        total = 1;
    for (uint64_t i = 0; i < total; i++) {
        double t = (double)i / dps;
        struct timespec now;
        now.tv_sec = START + (time_t)t;
        now.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
        size_t len = build(&g, frame + HDRS, &now, &now);
        uint8_t *p = frame;
        memset(p, 0, 12); /* MAC addresses, as on loopback */
        p = put16(p + 12, 0x0800);
        p = put8(p, 0x45);
        p = put8(p, 0);
        p = put16(p, (uint32_t)(20 + 8 + len));
        p = put16(p, (uint32_t)i);
        p = put16(p, 0x4000); /* don't fragment */
        p = put8(p, 64);
        p = put8(p, 17);
        uint8_t *ck = p;
        p = put16(p, 0);
        p = put32(p, 0x7f000001u);
        p = put32(p, 0x7f000001u);
        uint32_t sum = 0;
        for (int w = 0; w < 20; w += 2)
            sum += get16(frame + 14 + w);
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        put16(ck, ~sum & 0xffff);
        p = put16(p, src_port ? src_port : 9995);
        p = put16(p, port);
        p = put16(p, (uint32_t)(8 + len));
        p = put16(p, 0); /* no UDP checksum (allowed over IPv4) */
        uint32_t caplen = (uint32_t)(HDRS + len);
        uint8_t rh[16];
        uint32_t rv[4] = {(uint32_t)now.tv_sec, (uint32_t)(now.tv_nsec / 1000), caplen, caplen};
        for (int k = 0; k < 4; k++)
            for (int b = 0; b < 4; b++)
                rh[4 * k + b] = (uint8_t)(rv[k] >> (8 * b));
        fwrite(rh, 1, sizeof rh, f);
        fwrite(frame, 1, caplen, f);
    }
    if (fclose(f) != 0)
        die("cannot write %s", path);
    printf("written_records=%" PRIu64 " written_datagrams=%" PRIu64 "\n", total * (uint64_t)n_per,
           total);
    return 0;
}

static void sleep_for(double s)
{
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

static int run_generator(int version, unsigned port, unsigned src_port, double rate,
                         double seconds, int batch)
{
    int n_per = recs_per_dgram(version);
    double dps = rate / n_per; /* datagrams per second */
    uint64_t total = (uint64_t)(rate * seconds / n_per + 0.5);
    static uint8_t bufs[MAX_BATCH][DGRAM_MAX];
    static struct mmsghdr msgs[MAX_BATCH];
    static struct iovec iov[MAX_BATCH];
    struct sockaddr_in dst = {0}, src = {0};
    struct gen g = {0};
    struct timespec t0, now, rt;
    uint64_t sent = 0;
    double el = 0;

    if (total == 0)
        total = 1;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    src.sin_port = htons((uint16_t)src_port);
    if (src_port) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0)
        die("bind to the source port: %s", strerror(errno));
    dst.sin_family = AF_INET;
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    dst.sin_port = htons((uint16_t)port);
    /* connected: the kernel caches the route; no per-datagram address */
    if (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0)
        die("connect: %s", strerror(errno));

    g.version = version;
    g.rng = 0x666C6F7767656E31ull ^ (uint64_t)version;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    g.boot = t0;
    g.boot.tv_sec -= 3600;

    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        el = ts_diff(&now, &t0);
        if (sent >= total || el >= seconds)
            break;
        uint64_t due = (uint64_t)(el * dps) + 1;
        if (due > total)
            due = total;
        if (sent >= due) {
            double wait = (double)sent / dps - el;
            if (wait > 300e-6)
                sleep_for(wait - 150e-6); /* well ahead: give the CPU back */
            continue;                     /* close: spin */
        }
        int n = (int)(due - sent < (uint64_t)batch ? due - sent : (uint64_t)batch);
        clock_gettime(CLOCK_REALTIME, &rt);
        for (int i = 0; i < n; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = build(&g, bufs[i], &rt, &now);
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        /* everything built carries sequence numbers: send all of it */
        int done = 0;
        while (done < n) {
            int r = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);
            if (r > 0) {
                done += r;
            } else if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == ENOBUFS ||
                                 errno == ECONNREFUSED)) {
                /* ECONNREFUSED reports an earlier datagram that found no
                   listener; the one at hand was not sent: send it again */
                continue;
            } else {
                die("sendmmsg: %s", r < 0 ? strerror(errno) : "sent nothing");
            }
        }
        sent += (uint64_t)n;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    el = ts_diff(&now, &t0);
    uint64_t recs = sent * (uint64_t)n_per;
    printf("sent_records=%" PRIu64 " sent_datagrams=%" PRIu64 " elapsed=%.3f achieved_rate=%.0f\n",
           recs, sent, el, el > 0 ? (double)recs / el : 0.0);
    close(fd);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* sink                                                                     */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static uint16_t tmpl_len[65536]; /* record length per (version 9/10) template id */

/* Flow samples (0:1 and expanded 0:3) in an sFlow v5 datagram; counter
   samples are no records. */
static uint64_t count_sflow(const uint8_t *d, size_t len)
{
    size_t off = get32(d + 4) == 1 ? 28 : 40; /* past num_samples */
    uint64_t n = 0;
    if (len < off)
        return 0;
    for (uint32_t i = 0, ns = get32(d + off - 4); i < ns && off + 8 <= len; i++) {
        uint32_t fmt = get32(d + off), slen = get32(d + off + 4);
        if (slen > len - off - 8)
            break;
        n += fmt == 1 || fmt == 3;
        off += 8 + slen;
    }
    return n;
}

/* Records in one datagram. v5: the header count; v9: the header count less
   the template records of flowset 0; IPFIX: data set lengths / template lengths;
   sFlow (first word 5, where NetFlow v5 has 0x0005 and its count): flow samples. */
static uint64_t count_records(const uint8_t *d, size_t len)
{
    if (len < 16)
        return 0;
    if (get32(d) == 5)
        return count_sflow(d, len);
    uint32_t version = get16(d);
    if (version == 5)
        return get16(d + 2);
    size_t off = version == 9 ? 20 : version == 10 ? 16 : 0;
    if (!off || len < off)
        return 0;
    uint64_t data = 0, templates = 0;
    uint32_t tset = version == 9 ? 0 : 2;
    while (off + 4 <= len) {
        uint32_t id = get16(d + off), slen = get16(d + off + 2);
        if (slen < 4 || off + slen > len)
            break;
        if (id == tset) {
            size_t q = off + 4, end = off + slen;
            while (q + 4 <= end) {
                uint32_t tid = get16(d + q), nf = get16(d + q + 2), rl = 0;
                q += 4;
                for (uint32_t i = 0; i < nf && q + 4 <= end; i++) {
                    uint32_t fid = get16(d + q), fl = get16(d + q + 2);
                    q += 4;
                    if (version == 10 && (fid & 0x8000))
                        q += 4; /* enterprise number */
                    rl = fl == 0xffff ? 0xffff : rl + fl;
                }
                if (nf == 0)
                    break; /* withdrawal or padding */
                tmpl_len[tid] = rl >= 0xffff ? 0 : (uint16_t)rl;
                templates++;
            }
        } else if (version == 10 && id >= 256 && tmpl_len[id]) {
            data += (slen - 4) / tmpl_len[id];
        }
        off += slen;
    }
    if (version == 9) {
        uint32_t c = get16(d + 2);
        return c > templates ? c - templates : 0;
    }
    return data;
}

static int run_sink(unsigned port, int rcvbuf)
{
    enum { SB = 128, SLEN = 9216 };
    static uint8_t bufs[SB][SLEN];
    static struct mmsghdr msgs[SB];
    static struct iovec iov[SB];
    struct sockaddr_in a = {0};
    uint64_t dgrams = 0, recs = 0, bytes = 0;

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    /* plain SO_RCVBUF, capped by net.core.rmem_max like the collectors' */
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
        die("bind: %s", strerror(errno));

    struct sigaction sa = {0};
    sa.sa_handler = on_signal; /* no SA_RESTART: recvmmsg returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    for (int i = 0; i < SB; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = SLEN;
    }
    int draining = 0;
    for (;;) {
        for (int i = 0; i < SB; i++) {
            memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        if (stop_flag)
            draining = 1;
        int r = recvmmsg(fd, msgs, SB, draining ? MSG_DONTWAIT : MSG_WAITFORONE, NULL);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (draining && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            die("recvmmsg: %s", strerror(errno));
        }
        for (int i = 0; i < r; i++) {
            dgrams++;
            bytes += msgs[i].msg_len;
            recs += count_records(bufs[i], msgs[i].msg_len);
        }
    }
    printf("datagrams=%" PRIu64 " records=%" PRIu64 " bytes=%" PRIu64 "\n", dgrams, recs, bytes);
    fflush(stdout);
    close(fd);
    return 0;
}

/* ------------------------------------------------------------------------ */

static void usage(void)
{
    fputs("usage: flowgen --version 5|9|10|sflow --port N --rate RECORDS_PER_S --seconds S\n"
          "               [--src-port N] [--batch N] [--clients N] [--sampling N] [--write FILE]\n"
          "       flowgen --sink --port N [--rcvbuf BYTES]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    int version = 0, sink = 0, batch = 64;
    unsigned port = 0, src_port = 0;
    double rate = 0, seconds = 0;
    int rcvbuf = 16 << 20;
    const char *write_path = NULL;

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--sink")) {
            sink = 1;
            continue;
        }
        if (!strcmp(o, "-h") || !strcmp(o, "--help"))
            usage();
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(o, "--version"))
            version = !strcmp(v, "sflow") ? SFLOW : (int)parse_u64(v, "--version");
        else if (!strcmp(o, "--port"))
            port = (unsigned)parse_u64(v, "--port");
        else if (!strcmp(o, "--src-port"))
            src_port = (unsigned)parse_u64(v, "--src-port");
        else if (!strcmp(o, "--rate"))
            rate = (double)parse_u64(v, "--rate");
        else if (!strcmp(o, "--seconds")) {
            char *end;
            seconds = strtod(v, &end);
            if (end == v || *end || !(seconds > 0))
                die("bad %s", "--seconds");
        } else if (!strcmp(o, "--batch"))
            batch = (int)parse_u64(v, "--batch");
        else if (!strcmp(o, "--clients")) {
            uint64_t n = parse_u64(v, "--clients");
            if (n < 1 || n > (1u << 24))
                die("%s", "--clients must be 1-16777216");
            n_clients = (uint32_t)n;
        } else if (!strcmp(o, "--sampling")) {
            uint64_t n = parse_u64(v, "--sampling");
            if (n < 1 || n > UINT32_MAX)
                die("%s", "--sampling must be 1-4294967295");
            sf_rate = (uint32_t)n;
        } else if (!strcmp(o, "--write"))
            write_path = v;
        else if (!strcmp(o, "--rcvbuf"))
            rcvbuf = (int)parse_u64(v, "--rcvbuf");
        else
            die("unknown option %s", o);
    }
    if (port == 0 || port > 65535 || src_port > 65535)
        die("%s", "--port is required (1-65535)");
    if (sink)
        return run_sink(port, rcvbuf);
    if (version != 5 && version != 9 && version != 10 && version != SFLOW)
        die("%s", "--version must be 5, 9, 10 or sflow");
    if (!(rate > 0) || !(seconds > 0))
        die("%s", "--rate and --seconds are required and must be positive");
    if (batch < 1 || batch > MAX_BATCH)
        die("%s", "--batch must be 1-256");
    if (write_path)
        return run_writer(version, port, src_port, rate, seconds, write_path);
    return run_generator(version, port, src_port, rate, seconds, batch);
}
