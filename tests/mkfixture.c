/*
 * mkfixture.c - writes a small capture with a known mix of traffic and prints the totals a
 * correct reader must report: "IP_BYTES PACKETS" (layer-3 bytes of the IP packets; the ARP
 * frame and the LLC frame are not IP and not counted). Used by tests/cli.sh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "frames.h"
#include "pcapw.h"

static uint64_t ip_bytes, ip_packets;

static void put(struct pcapw *w, struct frame *f, int64_t ts, uint32_t caplen, uint32_t ip_len)
{
    if (frame_finish(f) != 0 || f->bad) {
        fprintf(stderr, "mkfixture: frame did not build\n");
        exit(1);
    }
    uint32_t cap = caplen && caplen < f->len ? caplen : (uint32_t)f->len;
    if (pcapw_write(w, ts, f->buf, cap, (uint32_t)f->len) != 0) {
        perror("mkfixture: write");
        exit(1);
    }
    if (ip_len) {
        ip_bytes += ip_len;
        ip_packets++;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkfixture OUT.pcap\n");
        return 2;
    }
    struct pcapw *w = pcapw_open(argv[1], 1, 65535);
    if (!w) {
        perror("mkfixture");
        return 1;
    }
    static struct frame f;
    int64_t t = 1700000000LL * 1000000;
    for (int i = 0; i < 50; i++, t += 100000) {
        /* a TCP conversation, both directions, 1000 bytes of payload one way */
        struct frame_ip4 a = {.src = "10.0.0.1", .dst = "192.0.2.10", .proto = 6};
        frame_init(&f);
        frame_eth(&f, 0x0800);
        frame_ipv4(&f, &a);
        frame_tcp(&f, 51000, 443, 0x10, 5);
        frame_fill(&f, 0, 1000);
        put(w, &f, t, 0, 20 + 20 + 1000);

        struct frame_ip4 b = {.src = "192.0.2.10", .dst = "10.0.0.1", .proto = 6};
        frame_init(&f);
        frame_eth(&f, 0x0800);
        frame_ipv4(&f, &b);
        frame_tcp(&f, 443, 51000, 0x10, 5);
        put(w, &f, t + 10, 0, 40);

        /* DNS over UDP inside a VLAN tag, truncated by a snap length of 60 */
        struct frame_ip4 d = {.src = "10.0.0.2", .dst = "198.51.100.53", .proto = 17};
        frame_init(&f);
        frame_eth(&f, 0x8100);
        frame_vlan(&f, 10, 0x0800);
        frame_ipv4(&f, &d);
        frame_udp(&f, 40000 + (uint16_t)i, 53);
        frame_fill(&f, 0xab, 200);
        put(w, &f, t + 20, 60, 20 + 8 + 200);

        /* IPv6 ping */
        struct frame_ip6 p = {.src = "2001:db8::1", .dst = "2001:db8::2", .next = 58};
        frame_init(&f);
        frame_eth(&f, 0x86dd);
        frame_ipv6(&f, &p);
        frame_icmp(&f, 128, 0);
        frame_fill(&f, 0, 56);
        put(w, &f, t + 30, 0, 40 + 8 + 56);

        /* ARP: not IP, not counted */
        frame_init(&f);
        frame_eth(&f, 0x0806);
        frame_fill(&f, 0, 28);
        put(w, &f, t + 40, 0, 0);
    }
    if (pcapw_close(w) != 0) {
        perror("mkfixture: close");
        return 1;
    }
    printf("%llu %llu\n", (unsigned long long)ip_bytes, (unsigned long long)ip_packets);
    return 0;
}
