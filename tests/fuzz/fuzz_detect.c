/*
 * fuzz_detect.c - libFuzzer target for the threat detectors (./configure CC=clang
 * --enable-fuzzing; run tests/fuzz/fuzz_detect [corpus dir]).
 *
 * The input is cut into 24-byte pieces, each making one record whose addresses, ports,
 * protocol, flags, counts and times (moving forward, backward and jumping) come from the
 * bytes, in small address pools so that tables fill, collide and evict. Tiny tables and
 * thresholds make every detector raise and every list fill. The promises are checked, not
 * just exercised: memory never changes after the start, alerts stay ordered by id and within
 * the list's bound, every alert's last time is no earlier than its first.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void addr_of(struct flow_addr *a, uint8_t b, bool v6)
{
    uint8_t v4[4] = {10, 0, (uint8_t)(b >> 4), (uint8_t)(b & 15)};
    if (!v6) {
        flow_addr_set_v4(a, v4);
        return;
    }
    uint8_t x[16] = {0x20, 0x01, 0x0d, 0xb8};
    x[15] = b;
    flow_addr_set_v6(a, x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct detect_config c;
    detect_config_default(&c);
    c.slots = 16;
    c.max_alerts = 4;
    c.scan_ports = 3;
    c.sweep_hosts = 3;
    c.syn_pps = c.udp_pps = c.icmp_pps = 4;
    c.flood_sources = 2;
    c.factor = 2;
    c.unfamiliar_packets = 3;
    c.unfamiliar_bytes = 1000;
    c.learn_s = 2;
    c.talker_bps = 8000;
    c.talker_factor = 2;
    struct detect *d = detect_new(&c, size);
    struct detect_stats s0, s;
    detect_stats(d, &s0);
    int64_t t = 1700000000LL * 1000000;
    struct flow_rec recs[8];
    size_t n = 0;
    for (size_t off = 0; off + 24 <= size; off += 24) {
        const uint8_t *p = data + off;
        struct flow_rec *r = &recs[n++];
        memset(r, 0, sizeof *r);
        bool v6 = p[0] & 1;
        addr_of(&r->src, p[1], v6);
        addr_of(&r->dst, p[2], v6);
        r->af = v6 ? FLOW_AF_INET6 : FLOW_AF_INET;
        static const uint8_t protos[] = {6, 17, 1, 58, 6, 17, 47, 132};
        r->proto = protos[p[0] >> 5];
        r->sport = (uint16_t)(p[3] << 8 | p[4]);
        r->dport = (uint16_t)(p[5] << 8 | p[6]);
        r->tcp_flags = p[7];
        r->icmp_type = (uint16_t)(p[8] << 8);
        r->flags = (uint16_t)((p[0] >> 1) & 0x0f);
        uint64_t pk, by;
        memcpy(&pk, p + 9, 4);
        memcpy(&by, p + 13, 4);
        r->packets = (pk & 0xffffff) * ((p[0] & 2) ? 1000003 : 1);
        r->bytes = (by & 0xffffffff) * ((p[0] & 4) ? 1000003 : 1);
        int32_t step;
        memcpy(&step, p + 17, 4);
        t += (int64_t)(step % 5000000); /* forward, backward, across seconds */
        r->last_us = t;
        uint16_t span;
        memcpy(&span, p + 21, 2);
        r->first_us = (p[23] & 1) ? t - (int64_t)span * 100000 : 0;
        r->sampling = 1 + (p[23] >> 4);
        if (n == 8 || off + 48 > size) {
            detect_add(d, recs, n);
            n = 0;
        }
        if (p[23] == 0xff)
            detect_advance(d, (uint32_t)(t / 1000000) + p[22]);
    }
    if (n)
        detect_add(d, recs, n);
    detect_stats(d, &s);
    if (s.memory != s0.memory || s.kept > c.max_alerts || s.active > s.kept)
        abort();
    const struct detect_alert *al;
    size_t k = detect_alerts(d, &al);
    for (size_t i = 0; i < k; i++) {
        if ((i && al[i].id <= al[i - 1].id) || al[i].last_us < al[i].first_us ||
            al[i].kind >= DETECT_K_MAX)
            abort();
    }
    detect_free(d);
    return 0;
}
