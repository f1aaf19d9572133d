/*
 * pktcheck.h - the fixture shared by the packet decoder's Check suites (check_packet*.c):
 * a frame under construction, the decoder's counters and record, and assertions on them.
 * Each test program includes it once.
 */
#ifndef FLOWDRILL_TESTS_PKTCHECK_H
#define FLOWDRILL_TESTS_PKTCHECK_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "flowdrill/flow.h"
#include "flowdrill/packet.h"
#include "frames.h"
#include "pcapw.h"

enum {
    ET_IPV4 = 0x0800,
    ET_IPV6 = 0x86dd,
    ET_ARP = 0x0806,
    ET_VLAN = 0x8100,
    ET_QINQ = 0x88a8,
    ET_QINQ_OLD = 0x9100,
    ET_MPLS = 0x8847,
    ET_MPLS_MC = 0x8848,
    ET_PPPOE_DISC = 0x8863,
    ET_PPPOE_SESS = 0x8864,
    ET_LLDP = 0x88cc
};

#define TS_US INT64_C(1700000000123456)

/* Per-test state (each test runs in its own process under Check's fork mode). */
static struct frame *F;
static struct packet_stats st;
static struct flow_rec rec;
static int rc;

static inline void setup(void)
{
    F = malloc(sizeof *F);
    ck_assert_ptr_nonnull(F);
    frame_init(F);
    memset(&st, 0, sizeof st);
    memset(&rec, 0xa5, sizeof rec); /* the decoder must overwrite every field */
    rc = -1;
}

static inline void teardown(void)
{
    free(F);
    F = NULL;
}

/* Decode the first `caplen` bytes of the finished frame, claiming `wirelen` on the wire. The
 * bytes are copied into an exact-size heap block so ASan sees any read past caplen. */
static inline int decode_cut(int linktype, uint32_t caplen, uint32_t wirelen)
{
    uint8_t *copy;

    ck_assert_int_eq(frame_finish(F), 0);
    ck_assert_uint_le(caplen, F->len);
    copy = malloc(caplen ? caplen : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, F->buf, caplen);
    rc = packet_decode(&st, linktype, copy, caplen, wirelen, TS_US, &rec);
    free(copy);
    return rc;
}

static inline int decode(int linktype)
{
    ck_assert_int_eq(frame_finish(F), 0);
    return decode_cut(linktype, (uint32_t)F->len, (uint32_t)F->len);
}

/* Every counter equals the number of times its reason appears in `list` (ended by -1). */
static inline void expect_reasons_at(int line, const int *list)
{
    uint64_t want[PACKET_R_MAX] = {0};

    for (; *list >= 0; list++)
        want[*list]++;
    for (int r = 0; r < PACKET_R_MAX; r++)
        ck_assert_msg(st.count[r] == want[r], "line %d: reason %s: got %llu, want %llu", line,
                      packet_reason_name((enum packet_reason)r), (unsigned long long)st.count[r],
                      (unsigned long long)want[r]);
}
#define EXPECT_REASONS(...) expect_reasons_at(__LINE__, (const int[]){__VA_ARGS__, -1})
#define EXPECT_NO_REASONS() expect_reasons_at(__LINE__, (const int[]){-1})

static inline void expect_addr(const struct flow_addr *a, const char *want)
{
    char buf[FLOW_ADDR_STRLEN];
    ck_assert_str_eq(flow_addr_format(a, buf, sizeof buf), want);
}

/* A successful decode: the fields every record must have, plus the ones given. */
static inline void expect_rec(uint64_t bytes, uint8_t proto, uint16_t sport, uint16_t dport)
{
    ck_assert_int_eq(rc, 1);
    ck_assert_uint_eq(rec.bytes, bytes);
    ck_assert_uint_eq(rec.proto, proto);
    ck_assert_uint_eq(rec.sport, sport);
    ck_assert_uint_eq(rec.dport, dport);
    ck_assert_uint_eq(rec.packets, 1);
    ck_assert_int_eq(rec.first_us, TS_US);
    ck_assert_int_eq(rec.last_us, TS_US);
    ck_assert_uint_eq(rec.sampling, 1);
    ck_assert_uint_eq(rec.direction, FLOW_DIR_UNKNOWN);
    ck_assert_uint_eq(rec.in_if, 0);
    ck_assert_uint_eq(rec.out_if, 0);
    ck_assert_uint_eq(rec.src_as, 0);
    ck_assert_uint_eq(rec.dst_as, 0);
    ck_assert_uint_eq(rec.source_id, 0);
}

static inline void expect_drop(int reason)
{
    ck_assert_int_eq(rc, 0);
    expect_reasons_at(__LINE__, (const int[]){reason, -1});
}

/* Common payloads: IPv4/TCP 10.0.0.1:1234 -> 10.0.0.2:80 with 100 bytes (140 IP bytes), and
 * IPv6/UDP 2001:db8::1:5353 -> 2001:db8::2:53 with 12 bytes (60 IP bytes). */
static inline void add_ip4_tcp(void)
{
    frame_ipv4(F, &(struct frame_ip4){.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6});
    frame_tcp(F, 1234, 80, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
    frame_fill(F, 0xab, 100);
}

static inline void expect_ip4_tcp(void)
{
    expect_rec(140, 6, 1234, 80);
    ck_assert_uint_eq(rec.af, FLOW_AF_INET);
    ck_assert_uint_eq(rec.tcp_flags, FRAME_TCP_SYN | FRAME_TCP_ACK);
    ck_assert_uint_eq(rec.icmp_type, 0);
    expect_addr(&rec.src, "10.0.0.1");
    expect_addr(&rec.dst, "10.0.0.2");
}

static inline void add_ip6_udp(void)
{
    frame_ipv6(F, &(struct frame_ip6){.src = "2001:db8::1", .dst = "2001:db8::2", .next = 17});
    frame_udp(F, 5353, 53);
    frame_fill(F, 0x11, 12);
}

static inline void expect_ip6_udp(void)
{
    expect_rec(60, 17, 5353, 53);
    ck_assert_uint_eq(rec.af, FLOW_AF_INET6);
    ck_assert_uint_eq(rec.flags, 0);
    expect_addr(&rec.src, "2001:db8::1");
    expect_addr(&rec.dst, "2001:db8::2");
}

/* ================================ link types ================================ */


#endif
