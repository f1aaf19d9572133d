/*
 * mkexports.c - writes the record shapes of real router exports (issue 18) as captures of
 * NetFlow v9 and IPFIX datagrams (Ethernet/IPv4/UDP 192.0.2.1:4444 -> 127.0.0.1:2055), built
 * by the shared test encoder (tests/support/nfenc.h), for tests/conformance/
 * exports_vs_tshark.sh, which compares flowdrill's host and protocol rows with tshark's
 * decode of the same datagrams. Writes into DIR:
 *
 *   dual-v9.pcap, dual-ipfix.pcap         dual-family template, no ipVersion: IPv4 records,
 *                                         IPv6 records, both filled, neither filled
 *   dualver-v9.pcap, dualver-ipfix.pcap   the same with ipVersion (4, 6, and one naming
 *                                         neither)
 *   varlen-v9.pcap, varlen-ipfix.pcap     variable-length fields (65535), 1-byte and
 *                                         3-byte length prefixes
 *   varlen-past-v9.pcap                   ... and one record whose length runs past the set
 *   counts-v9.pcap, counts-ipfix.pcap     0 octets and 0 packets; no packet counter
 *   selftalk-v9.pcap, selftalk-ipfix.pcap src == dst (0.0.0.0 -> 0.0.0.0, 10.3.0.1 -> itself)
 *
 * With --flood FILE it writes one capture instead, outside the shapes (a tshark comparison
 * of it would say nothing new): the template flood of issue 19, 5,000 IPFIX templates (ids
 * 256..5255, domain 0) from 203.0.113.66, each in its own datagram, then a router
 * 198.51.100.1 (domain 1) with one template (id 300) and one record of 1,000,000 bytes and
 * 1,000 packets (10.9.9.9 -> 192.0.2.200, TCP). Every datagram has the same second, so no
 * template expires inside the file. tests/cli.sh reads it with the quota options.
 *
 * usage: mkexports DIR
 *        mkexports --flood FILE
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "nfenc.h"
#include "pcapw.h"

#define T0 1700000000u

static struct nfenc m;
static struct frame fr;
static uint16_t n_records; /* template and data records of the message (the v9 count) */

static void hdr(int ipfix, uint32_t seq)
{
    if (ipfix)
        nfenc_ipfix(&m, T0 + seq, seq, 7);
    else
        nfenc_v9(&m, 100000 + seq * 1000, T0 + seq, seq, 7);
    n_records = 0;
}

static void tpl(enum nfenc_shape s, uint16_t tid)
{
    nfenc_shape_template_set(&m, s, tid);
    n_records++;
}

static void data(enum nfenc_shape s, uint16_t tid, const struct nfenc_flow *f, size_t n)
{
    nfenc_shape_data_set(&m, s, tid, f, n);
    n_records = (uint16_t)(n_records + n);
}

/* The message in m as one datagram of capture w from src, at ts_us. */
static void put_from(struct pcapw *w, const char *src, int64_t ts_us)
{
    nfenc_finish(&m, n_records);
    if (m.overflow) {
        fprintf(stderr, "mkexports: message too large\n");
        exit(1);
    }
    struct frame_ip4 ip = {.src = src, .dst = "127.0.0.1", .proto = 17};
    frame_init(&fr);
    frame_eth(&fr, 0x0800);
    frame_ipv4(&fr, &ip);
    frame_udp(&fr, 4444, 2055);
    frame_bytes(&fr, m.buf, m.len);
    if (frame_finish(&fr) != 0 || fr.bad ||
        pcapw_write(w, ts_us, fr.buf, (uint32_t)fr.len, (uint32_t)fr.len) != 0) {
        fprintf(stderr, "mkexports: cannot write a frame\n");
        exit(1);
    }
}

/* The message in m as one datagram of capture w. */
static void put(struct pcapw *w, uint32_t seq)
{
    put_from(w, "192.0.2.1", (int64_t)(T0 + seq) * 1000000);
}

static struct pcapw *open_cap(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct pcapw *w = pcapw_open(path, 1, 65535);
    if (!w) {
        perror(path);
        exit(1);
    }
    return w;
}

static void close_cap(struct pcapw *w)
{
    if (pcapw_close(w) != 0) {
        perror("mkexports: close");
        exit(1);
    }
}

static void dual(const char *dir, int ipfix, bool ver)
{
    const struct nfenc_flow f[] = {
        {.src4 = "192.0.2.11", .dst4 = "10.10.0.35", .nh4 = "10.0.0.254", .ip_version = 4,
         .proto = 6, .sport = 40000, .dport = 443, .bytes = 5000, .pkts = 5},
        {.src6 = "2001:db8::1", .dst6 = "2001:db8::2", .nh6 = "fe80::1", .ip_version = 6,
         .proto = 17, .sport = 53, .dport = 5353, .bytes = 300, .pkts = 3},
        {.src4 = "198.51.100.1", .dst4 = "198.51.100.2", .src6 = "2001:db8::a",
         .dst6 = "2001:db8::b", .ip_version = 6, .proto = 47, .bytes = 2000, .pkts = 2},
        {.src4 = "198.51.100.3", .dst4 = "198.51.100.4", .src6 = "2001:db8::c",
         .dst6 = "2001:db8::d", .ip_version = 4, .proto = 41, .bytes = 1500, .pkts = 1},
        {.ip_version = 6, .proto = 17, .sport = 1, .dport = 2, .bytes = 100, .pkts = 1},
        {.src4 = "10.10.0.35", .dst4 = "192.0.2.11", .proto = 6, .ip_version = 4,
         .sport = 443, .dport = 40000, .bytes = 70000, .pkts = 50},
    };
    enum nfenc_shape s = ver ? NFENC_S_DUAL_VER : NFENC_S_DUAL;
    char name[64];
    snprintf(name, sizeof name, "%s-%s.pcap", ver ? "dualver" : "dual", ipfix ? "ipfix" : "v9");
    struct pcapw *w = open_cap(dir, name);
    hdr(ipfix, 1);
    tpl(s, 300);
    data(s, 300, f, 3);
    put(w, 1);
    hdr(ipfix, ipfix ? 4 : 2);
    data(s, 300, f + 3, 3);
    put(w, 2);
    close_cap(w);
}

static void varlen(const char *dir, int ipfix, bool past)
{
    static char big[400];
    memset(big, 'v', sizeof big - 1);
    const struct nfenc_flow f[] = {
        {.src4 = "10.20.0.1", .dst4 = "10.20.0.2", .proto = 6, .sport = 1000, .dport = 80,
         .bytes = 234, .pkts = 3, .vrf = "vrf-red", .app = "http"},
        {.src4 = "10.20.0.3", .dst4 = "10.20.0.4", .proto = 17, .sport = 5000, .dport = 53,
         .bytes = 468, .pkts = 6, .vrf = "vrf-blue", .app = "dns", .long_form = true},
        {.src4 = "10.20.0.5", .dst4 = "10.20.0.1", .proto = 17, .sport = 123, .dport = 123,
         .bytes = 76, .pkts = 1, .vrf = big, .app = NULL},
    };
    char name[64];
    snprintf(name, sizeof name, "varlen%s-%s.pcap", past ? "-past" : "", ipfix ? "ipfix" : "v9");
    struct pcapw *w = open_cap(dir, name);
    hdr(ipfix, 1);
    tpl(NFENC_S_VARLEN, 310);
    data(NFENC_S_VARLEN, 310, f, 3);
    if (past) { /* a record whose VRF name says 200 bytes where the set has 3 */
        const struct nfenc_flow cut = {.src4 = "10.20.0.9", .dst4 = "10.20.0.8", .proto = 6,
                                       .sport = 1, .dport = 2, .bytes = 999, .pkts = 9};
        nfenc_set_begin(&m, 310);
        nfenc_shape_record(&m, NFENC_S_VARLEN, &f[0]);
        nfenc_shape_record_fixed(&m, NFENC_S_VARLEN, &cut);
        nfenc_u8(&m, 200);
        nfenc_bytes(&m, "abc", 3);
        nfenc_set_end(&m);
        n_records += 2;
    }
    put(w, 1);
    close_cap(w);
}

static void counts(const char *dir, int ipfix)
{
    const struct nfenc_flow z[] = {
        {.src4 = "10.30.0.1", .dst4 = "10.30.0.2", .proto = 6, .sport = 1, .dport = 22},
        {.src4 = "10.30.0.1", .dst4 = "10.30.0.2", .proto = 6, .sport = 1, .dport = 22,
         .bytes = 52, .pkts = 1},
    };
    const struct nfenc_flow np[] = {
        {.src4 = "10.30.0.3", .dst4 = "10.30.0.4", .proto = 17, .sport = 3, .dport = 514,
         .bytes = 1234},
        {.src4 = "10.30.0.4", .dst4 = "10.30.0.3", .proto = 17, .sport = 514, .dport = 3,
         .bytes = 0},
    };
    struct pcapw *w = open_cap(dir, ipfix ? "counts-ipfix.pcap" : "counts-v9.pcap");
    hdr(ipfix, 1);
    tpl(NFENC_S_V4, 320);
    tpl(NFENC_S_NOPKT, 321);
    data(NFENC_S_V4, 320, z, 2);
    data(NFENC_S_NOPKT, 321, np, 2);
    put(w, 1);
    close_cap(w);
}

static void selftalk(const char *dir, int ipfix)
{
    const struct nfenc_flow f[] = {
        {.src4 = "0.0.0.0", .dst4 = "0.0.0.0", .proto = 0, .bytes = 4800, .pkts = 12},
        {.src4 = "10.3.0.1", .dst4 = "10.3.0.1", .proto = 1, .dport = 0x0800, .bytes = 168,
         .pkts = 2},
        {.src4 = "10.3.0.1", .dst4 = "10.3.0.2", .proto = 6, .sport = 5, .dport = 80,
         .bytes = 400, .pkts = 4},
    };
    struct pcapw *w = open_cap(dir, ipfix ? "selftalk-ipfix.pcap" : "selftalk-v9.pcap");
    hdr(ipfix, 1);
    tpl(NFENC_S_V4, 330);
    data(NFENC_S_V4, 330, f, 3);
    put(w, 1);
    close_cap(w);
}

static void flood(const char *path)
{
    struct pcapw *w = pcapw_open(path, 1, 65535);
    if (!w) {
        perror(path);
        exit(1);
    }
    int64_t ts = (int64_t)T0 * 1000000;
    uint32_t i;
    for (i = 0; i < 5000; i++) {
        nfenc_ipfix(&m, T0, 0, 0); /* IPFIX sequences count data records: none */
        n_records = 0;
        tpl(NFENC_S_V4, (uint16_t)(256 + i));
        put_from(w, "203.0.113.66", ts + i);
    }
    const struct nfenc_flow f = {.src4 = "10.9.9.9", .dst4 = "192.0.2.200", .proto = 6,
                                 .sport = 40000, .dport = 443, .bytes = 1000000, .pkts = 1000};
    nfenc_ipfix(&m, T0, 0, 1);
    n_records = 0;
    tpl(NFENC_S_V4, 300);
    put_from(w, "198.51.100.1", ts + i++);
    nfenc_ipfix(&m, T0, 0, 1);
    n_records = 0;
    data(NFENC_S_V4, 300, &f, 1);
    put_from(w, "198.51.100.1", ts + i);
    close_cap(w);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--flood") == 0) {
        flood(argv[2]);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: mkexports DIR, or mkexports --flood FILE\n");
        return 2;
    }
    for (int ipfix = 0; ipfix < 2; ipfix++) {
        dual(argv[1], ipfix, false);
        dual(argv[1], ipfix, true);
        varlen(argv[1], ipfix, false);
        counts(argv[1], ipfix);
        selftalk(argv[1], ipfix);
    }
    varlen(argv[1], 0, true);
    return 0;
}
