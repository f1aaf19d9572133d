/*
 * check_packet.c - Check suite for the packet decoder (src/ingest/packet.c).
 *
 * Each test builds a frame with tests/support/frames.h, decodes it, and asserts the return
 * value, every reason counter (all of them: the ones not named must stay 0), the byte count,
 * protocol, ports and addresses. The robustness cases follow the "pcap path" table (PC-01 ..
 * PC-12) of ROBUSTNESS.md. A last test pushes 200k mutated frames through every supported link
 * type; run it under ASan (--enable-sanitizers).
 */
#include "config.h"

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

static void setup(void)
{
    F = malloc(sizeof *F);
    ck_assert_ptr_nonnull(F);
    frame_init(F);
    memset(&st, 0, sizeof st);
    memset(&rec, 0xa5, sizeof rec); /* the decoder must overwrite every field */
    rc = -1;
}

static void teardown(void)
{
    free(F);
    F = NULL;
}

/* Decode the first `caplen` bytes of the finished frame, claiming `wirelen` on the wire. The
 * bytes are copied into an exact-size heap block so ASan sees any read past caplen. */
static int decode_cut(int linktype, uint32_t caplen, uint32_t wirelen)
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

static int decode(int linktype)
{
    ck_assert_int_eq(frame_finish(F), 0);
    return decode_cut(linktype, (uint32_t)F->len, (uint32_t)F->len);
}

/* Every counter equals the number of times its reason appears in `list` (ended by -1). */
static void expect_reasons_at(int line, const int *list)
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

static void expect_addr(const struct flow_addr *a, const char *want)
{
    char buf[FLOW_ADDR_STRLEN];
    ck_assert_str_eq(flow_addr_format(a, buf, sizeof buf), want);
}

/* A successful decode: the fields every record must have, plus the ones given. */
static void expect_rec(uint64_t bytes, uint8_t proto, uint16_t sport, uint16_t dport)
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

static void expect_drop(int reason)
{
    ck_assert_int_eq(rc, 0);
    expect_reasons_at(__LINE__, (const int[]){reason, -1});
}

/* Common payloads: IPv4/TCP 10.0.0.1:1234 -> 10.0.0.2:80 with 100 bytes (140 IP bytes), and
 * IPv6/UDP 2001:db8::1:5353 -> 2001:db8::2:53 with 12 bytes (60 IP bytes). */
static void add_ip4_tcp(void)
{
    frame_ipv4(F, &(struct frame_ip4){.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6});
    frame_tcp(F, 1234, 80, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
    frame_fill(F, 0xab, 100);
}

static void expect_ip4_tcp(void)
{
    expect_rec(140, 6, 1234, 80);
    ck_assert_uint_eq(rec.af, FLOW_AF_INET);
    ck_assert_uint_eq(rec.tcp_flags, FRAME_TCP_SYN | FRAME_TCP_ACK);
    ck_assert_uint_eq(rec.icmp_type, 0);
    expect_addr(&rec.src, "10.0.0.1");
    expect_addr(&rec.dst, "10.0.0.2");
}

static void add_ip6_udp(void)
{
    frame_ipv6(F, &(struct frame_ip6){.src = "2001:db8::1", .dst = "2001:db8::2", .next = 17});
    frame_udp(F, 5353, 53);
    frame_fill(F, 0x11, 12);
}

static void expect_ip6_udp(void)
{
    expect_rec(60, 17, 5353, 53);
    ck_assert_uint_eq(rec.af, FLOW_AF_INET6);
    ck_assert_uint_eq(rec.flags, 0);
    expect_addr(&rec.src, "2001:db8::1");
    expect_addr(&rec.dst, "2001:db8::2");
}

/* ================================ link types ================================ */

START_TEST(eth_ipv4_tcp)
{
    frame_eth(F, ET_IPV4);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    ck_assert_uint_eq(rec.flags, 0);
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(eth_ipv4_padded)
{
    /* A minimum-size frame: Ethernet padding is not counted, the IP length is. */
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6});
    frame_tcp(F, 1, 2, FRAME_TCP_ACK, 0);
    frame_finish(F);
    frame_fill(F, 0, 6);
    decode(PACKET_LT_EN10MB);
    expect_rec(40, 6, 1, 2);
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(eth_ipv6_udp)
{
    frame_eth(F, ET_IPV6);
    add_ip6_udp();
    decode(PACKET_LT_EN10MB);
    expect_ip6_udp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(eth_vlan)
{
    frame_eth(F, ET_VLAN);
    frame_vlan(F, 100, ET_IPV4);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(eth_qinq)
{
    frame_eth(F, ET_QINQ);
    frame_vlan(F, 10, ET_VLAN);
    frame_vlan(F, 20, ET_IPV6);
    add_ip6_udp();
    decode(PACKET_LT_EN10MB);
    expect_ip6_udp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(eth_vlan_9100_max)
{
    /* Exactly PACKET_MAX_VLAN tags of mixed TPIDs is fine. */
    static const uint16_t tpid[] = {ET_QINQ_OLD, ET_QINQ, ET_VLAN};
    frame_eth(F, ET_QINQ_OLD);
    for (int i = 0; i < PACKET_MAX_VLAN; i++)
        frame_vlan(F, (uint16_t)i, i == PACKET_MAX_VLAN - 1 ? ET_IPV4 : tpid[(i + 1) % 3]);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(eth_vlan_20_nested)
{
    frame_eth(F, ET_VLAN);
    for (int i = 0; i < 20; i++)
        frame_vlan(F, (uint16_t)i, i == 19 ? ET_IPV4 : ET_VLAN);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_VLAN_DEPTH);
}
END_TEST

START_TEST(eth_vlan_one_too_many)
{
    frame_eth(F, ET_VLAN);
    for (int i = 0; i <= PACKET_MAX_VLAN; i++)
        frame_vlan(F, (uint16_t)i, i == PACKET_MAX_VLAN ? ET_IPV4 : ET_QINQ);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_VLAN_DEPTH);
}
END_TEST

START_TEST(eth_vlan_cut)
{
    /* PC-03: the tag is cut off by the snap length. */
    frame_eth(F, ET_VLAN);
    frame_vlan(F, 100, ET_IPV4);
    add_ip4_tcp();
    decode_cut(PACKET_LT_EN10MB, 16, (uint32_t)F->len);
    expect_drop(PACKET_R_LINK_TRUNCATED);
}
END_TEST

START_TEST(mpls_single)
{
    frame_eth(F, ET_MPLS);
    frame_mpls(F, 100, true, 64);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(mpls_stacked_v6)
{
    frame_eth(F, ET_MPLS_MC);
    frame_mpls(F, 100, false, 64);
    frame_mpls(F, 200, false, 64);
    frame_mpls(F, 300, true, 64);
    add_ip6_udp();
    decode(PACKET_LT_EN10MB);
    expect_ip6_udp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(mpls_max_labels)
{
    frame_eth(F, ET_MPLS);
    for (int i = 1; i <= PACKET_MAX_MPLS; i++)
        frame_mpls(F, (uint32_t)i, i == PACKET_MAX_MPLS, 64);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(mpls_one_too_many)
{
    frame_eth(F, ET_MPLS);
    for (int i = 0; i <= PACKET_MAX_MPLS; i++)
        frame_mpls(F, (uint32_t)i, i == PACKET_MAX_MPLS, 64);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_MPLS_DEPTH);
}
END_TEST

START_TEST(mpls_1000_no_bos)
{
    /* PC-04 */
    frame_eth(F, ET_MPLS);
    for (int i = 0; i < 1000; i++)
        frame_mpls(F, (uint32_t)i, false, 64);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_MPLS_DEPTH);
}
END_TEST

START_TEST(mpls_control_word)
{
    /* Ethernet pseudowire behind a control word: not IP. */
    frame_eth(F, ET_MPLS);
    frame_mpls(F, 100, true, 64);
    frame_u32(F, 0);
    frame_eth(F, ET_IPV4);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(mpls_cut_after_bos)
{
    frame_eth(F, ET_MPLS);
    frame_mpls(F, 100, true, 64);
    add_ip4_tcp();
    decode_cut(PACKET_LT_EN10MB, 18, (uint32_t)F->len);
    expect_drop(PACKET_R_LINK_TRUNCATED);
}
END_TEST

START_TEST(pppoe_session_ipv4)
{
    frame_eth(F, ET_PPPOE_SESS);
    frame_pppoe(F, 0x0021);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(pppoe_session_ipv6)
{
    frame_eth(F, ET_VLAN);
    frame_vlan(F, 7, ET_PPPOE_SESS);
    frame_pppoe(F, 0x0057);
    add_ip6_udp();
    decode(PACKET_LT_EN10MB);
    expect_ip6_udp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(pppoe_session_lcp)
{
    frame_eth(F, ET_PPPOE_SESS);
    frame_pppoe(F, 0xc021);
    frame_fill(F, 0, 20);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(pppoe_discovery)
{
    frame_eth(F, ET_PPPOE_DISC);
    frame_fill(F, 0x11, 30);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(sll_v1)
{
    frame_sll(F, ET_IPV4);
    add_ip4_tcp();
    decode(PACKET_LT_LINUX_SLL);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(sll_v1_vlan_v6)
{
    frame_sll(F, ET_VLAN);
    frame_vlan(F, 5, ET_IPV6);
    add_ip6_udp();
    decode(PACKET_LT_LINUX_SLL);
    expect_ip6_udp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(sll_v1_non_ip)
{
    /* 0x0004 is LINUX_SLL_P_802_2, a protocol number here, not an 802.3 length. */
    frame_sll(F, 0x0004);
    frame_llc_snap(F, 0, ET_IPV4);
    add_ip4_tcp();
    decode(PACKET_LT_LINUX_SLL);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(sll_v1_short)
{
    frame_sll(F, ET_IPV4);
    decode_cut(PACKET_LT_LINUX_SLL, 15, 15);
    expect_drop(PACKET_R_LINK_TRUNCATED);
}
END_TEST

START_TEST(sll_v2)
{
    frame_sll2(F, ET_IPV6);
    add_ip6_udp();
    decode(PACKET_LT_LINUX_SLL2);
    expect_ip6_udp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(sll_v2_arp)
{
    frame_sll2(F, ET_ARP);
    frame_fill(F, 0, 28);
    decode(PACKET_LT_LINUX_SLL2);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(sll_v2_short)
{
    frame_sll2(F, ET_IPV4);
    decode_cut(PACKET_LT_LINUX_SLL2, 19, 19);
    expect_drop(PACKET_R_LINK_TRUNCATED);
}
END_TEST

START_TEST(raw_v4_v6)
{
    static const int lts[] = {PACKET_LT_RAW, PACKET_LT_RAW_OBSD};
    for (int i = 0; i < 2; i++) {
        frame_init(F);
        memset(&st, 0, sizeof st);
        add_ip4_tcp();
        decode(lts[i]);
        expect_ip4_tcp();
        EXPECT_NO_REASONS();

        frame_init(F);
        add_ip6_udp();
        decode(lts[i]);
        expect_ip6_udp();
        EXPECT_NO_REASONS();
    }
}
END_TEST

START_TEST(raw_bad_version)
{
    frame_ipv4(F, &(struct frame_ip4){.version = 5, .proto = 6});
    frame_tcp(F, 1, 2, 0, 0);
    decode(PACKET_LT_RAW);
    expect_drop(PACKET_R_IPV4_BAD_HEADER);
}
END_TEST

START_TEST(raw_empty)
{
    decode_cut(PACKET_LT_RAW, 0, 60);
    expect_drop(PACKET_R_IP_TRUNCATED);
}
END_TEST

START_TEST(ipv4_ipv6_linktypes)
{
    add_ip4_tcp();
    decode(PACKET_LT_IPV4);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();

    frame_init(F);
    add_ip6_udp();
    decode(PACKET_LT_IPV6);
    expect_ip6_udp();
    EXPECT_NO_REASONS();

    /* LINKTYPE_IPV6 promises v6: a v4 packet there is a bad IPv6 header. */
    frame_init(F);
    add_ip4_tcp();
    decode(PACKET_LT_IPV6);
    expect_drop(PACKET_R_IPV6_BAD_HEADER);
}
END_TEST

START_TEST(null_both_orders)
{
    static const uint32_t af6[] = {24, 28, 30};

    frame_null(F, 2, false); /* captured on a little-endian host */
    add_ip4_tcp();
    decode(PACKET_LT_NULL);
    expect_ip4_tcp();

    frame_init(F);
    frame_null(F, 2, true); /* captured on a big-endian host */
    add_ip4_tcp();
    decode(PACKET_LT_NULL);
    expect_ip4_tcp();

    for (int i = 0; i < 3; i++) {
        for (int be = 0; be < 2; be++) {
            frame_init(F);
            frame_null(F, af6[i], be);
            add_ip6_udp();
            decode(PACKET_LT_NULL);
            expect_ip6_udp();
        }
    }
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(null_unknown_af)
{
    frame_null(F, 7, false);
    add_ip4_tcp();
    decode(PACKET_LT_NULL);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(null_short)
{
    frame_null(F, 2, false);
    decode_cut(PACKET_LT_NULL, 3, 3);
    expect_drop(PACKET_R_LINK_TRUNCATED);
}
END_TEST

START_TEST(loop_network_order)
{
    frame_null(F, 2, true);
    add_ip4_tcp();
    decode(PACKET_LT_LOOP);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();

    frame_init(F);
    frame_null(F, 24, true);
    add_ip6_udp();
    decode(PACKET_LT_LOOP);
    expect_ip6_udp();
    EXPECT_NO_REASONS();

    /* LOOP is always network order: a host-order family is not recognised. */
    frame_init(F);
    frame_null(F, 2, false);
    add_ip4_tcp();
    decode(PACKET_LT_LOOP);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(ppp_with_hdlc_bytes)
{
    frame_u8(F, 0xff);
    frame_u8(F, 0x03);
    frame_u16(F, 0x0021);
    add_ip4_tcp();
    decode(PACKET_LT_PPP);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ppp_without_hdlc_bytes)
{
    frame_u16(F, 0x0057);
    add_ip6_udp();
    decode(PACKET_LT_PPP);
    expect_ip6_udp();
    EXPECT_NO_REASONS();

    /* Protocol-field compression: one byte. */
    frame_init(F);
    frame_u8(F, 0x21);
    add_ip4_tcp();
    decode(PACKET_LT_PPP);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();

    frame_init(F);
    frame_u8(F, 0xff);
    frame_u8(F, 0x03);
    frame_u8(F, 0x57);
    add_ip6_udp();
    decode(PACKET_LT_PPP);
    expect_ip6_udp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ppp_mpls)
{
    frame_u8(F, 0xff);
    frame_u8(F, 0x03);
    frame_u16(F, 0x0281);
    frame_mpls(F, 16, true, 1);
    add_ip4_tcp();
    decode(PACKET_LT_PPP);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ppp_lcp)
{
    frame_u8(F, 0xff);
    frame_u8(F, 0x03);
    frame_u16(F, 0xc021);
    frame_fill(F, 0, 10);
    decode(PACKET_LT_PPP);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(ppp_hdlc_and_cisco)
{
    frame_u8(F, 0xff);
    frame_u8(F, 0x03);
    frame_u16(F, 0x0021);
    add_ip4_tcp();
    decode(PACKET_LT_PPP_HDLC);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();

    /* Cisco HDLC framing in a PPP_SERIAL capture: address 0x0f, control 0, EtherType. */
    frame_init(F);
    frame_u8(F, 0x0f);
    frame_u8(F, 0x00);
    frame_u16(F, ET_IPV6);
    add_ip6_udp();
    decode(PACKET_LT_PPP_HDLC);
    expect_ip6_udp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ppp_ether)
{
    frame_pppoe(F, 0x0021);
    add_ip4_tcp();
    decode(PACKET_LT_PPP_ETHER);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(nflog_v4_v6)
{
    frame_nflog(F, 2);
    add_ip4_tcp();
    decode(PACKET_LT_NFLOG);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();

    frame_init(F);
    frame_nflog(F, 10);
    add_ip6_udp();
    decode(PACKET_LT_NFLOG);
    expect_ip6_udp();
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(nflog_no_payload)
{
    /* Header, one TLV, then a TLV of length 2 (< 4) which ends the walk. */
    frame_u8(F, 2);
    frame_u8(F, 0);
    frame_u16(F, 0);
    frame_u16_le(F, 8);
    frame_u16_le(F, 1);
    frame_u32(F, 0x08000100);
    frame_u16_le(F, 2);
    frame_u16_le(F, 9);
    frame_fill(F, 0x45, 40);
    decode(PACKET_LT_NFLOG);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(nflog_cut_in_tlvs)
{
    frame_nflog(F, 2);
    add_ip4_tcp();
    decode_cut(PACKET_LT_NFLOG, 10, (uint32_t)F->len);
    expect_drop(PACKET_R_LINK_TRUNCATED);
}
END_TEST

START_TEST(unknown_linktype)
{
    frame_eth(F, ET_IPV4);
    add_ip4_tcp();
    decode(147); /* LINKTYPE_USER0 */
    expect_drop(PACKET_R_UNKNOWN_LINKTYPE);
    ck_assert(!packet_linktype_supported(147));
    ck_assert(!packet_linktype_supported(-1));
    ck_assert(packet_linktype_supported(PACKET_LT_EN10MB));
    ck_assert(packet_linktype_supported(PACKET_LT_LINUX_SLL2));
    ck_assert(packet_linktype_supported(PACKET_LT_NFLOG));
}
END_TEST

START_TEST(arp_and_lldp)
{
    frame_eth(F, ET_ARP);
    frame_fill(F, 0, 28);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_NON_IP);

    frame_init(F);
    memset(&st, 0, sizeof st);
    frame_eth(F, ET_LLDP);
    frame_fill(F, 0, 40);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(llc_frame)
{
    /* PC-02: 802.3 + LLC (STP BPDU). */
    frame_eth_8023(F);
    frame_llc(F, 0x42, 0x42, 0x03);
    frame_fill(F, 0, 35);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

START_TEST(llc_snap_ip)
{
    frame_eth_8023(F);
    frame_llc_snap(F, 0, ET_IPV4);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    EXPECT_NO_REASONS();

    /* SNAP with a vendor OUI is not IP, whatever its type says. */
    frame_init(F);
    frame_eth_8023(F);
    frame_llc_snap(F, 0x00000c, ET_IPV4);
    frame_fill(F, 0, 30);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_NON_IP);
}
END_TEST

/* ================================ IPv4 ================================ */

START_TEST(ipv4_options)
{
    static const uint8_t opts[12] = {0x01, 0x01, 0x07, 7, 4, 0, 0, 0, 0, 0x01, 0x01, 0x00};
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.src = "192.0.2.1",
                                      .dst = "198.51.100.7",
                                      .proto = 17,
                                      .options = opts,
                                      .options_len = sizeof opts});
    frame_udp(F, 67, 68);
    frame_fill(F, 0, 50);
    decode(PACKET_LT_EN10MB);
    expect_rec(32 + 8 + 50, 17, 67, 68);
    expect_addr(&rec.src, "192.0.2.1");
    expect_addr(&rec.dst, "198.51.100.7");
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ipv4_ihl_below_5)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.ihl = 4, .proto = 6});
    frame_tcp(F, 1, 2, 0, 0);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_IPV4_BAD_HEADER);
}
END_TEST

START_TEST(ipv4_ihl_past_caplen)
{
    /* IHL 15 (60 bytes) in a frame that ends after 30: the header cannot be there. */
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.ihl = 15, .proto = 6});
    frame_fill(F, 0, 10);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_IPV4_BAD_HEADER);

    /* The same bytes captured with a snap length from a longer frame: cut by the capture. */
    memset(&st, 0, sizeof st);
    decode_cut(PACKET_LT_EN10MB, (uint32_t)F->len, 200);
    expect_drop(PACKET_R_IP_TRUNCATED);
}
END_TEST

START_TEST(ipv4_header_cut_by_snaplen)
{
    frame_eth(F, ET_IPV4);
    add_ip4_tcp();
    decode_cut(PACKET_LT_EN10MB, 14 + 19, (uint32_t)F->len);
    expect_drop(PACKET_R_IP_TRUNCATED);
}
END_TEST

START_TEST(ipv4_total_below_ihl)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.proto = 6, .set_total_len = true, .total_len = 19});
    frame_tcp(F, 1, 2, 0, 0);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_IPV4_BAD_HEADER);

    /* With options: 24-byte header, total 20. */
    frame_init(F);
    memset(&st, 0, sizeof st);
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.proto = 6,
                                      .options = "\1\1\1\0",
                                      .options_len = 4,
                                      .set_total_len = true,
                                      .total_len = 20});
    frame_tcp(F, 1, 2, 0, 0);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_IPV4_BAD_HEADER);
}
END_TEST

START_TEST(ipv4_wrong_version)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.version = 6, .proto = 6});
    frame_tcp(F, 1, 2, 0, 0);
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_IPV4_BAD_HEADER);

    /* The converse: EtherType IPv6 carrying a v4 header. */
    frame_init(F);
    memset(&st, 0, sizeof st);
    frame_eth(F, ET_IPV6);
    add_ip4_tcp();
    decode(PACKET_LT_EN10MB);
    expect_drop(PACKET_R_IPV6_BAD_HEADER);
}
END_TEST

START_TEST(ipv4_first_fragment)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){
                      .src = "10.0.0.1", .dst = "10.0.0.2", .proto = 17, .frag = FRAME_IPV4_MF});
    frame_udp_len(F, 1000, 2000, 3000); /* the whole datagram's length */
    frame_fill(F, 0, 1472);
    decode(PACKET_LT_EN10MB);
    expect_rec(1500, 17, 1000, 2000);
    ck_assert_uint_eq(rec.flags, FLOW_REC_FRAGMENT);
    /* UDP length 3000 > this fragment's payload: a fragment, so also L4_BAD_HEADER. */
    EXPECT_REASONS(PACKET_R_FRAGMENT, PACKET_R_L4_BAD_HEADER);
}
END_TEST

START_TEST(ipv4_first_fragment_tcp)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){
                      .src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6, .frag = FRAME_IPV4_MF});
    frame_tcp(F, 1234, 80, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
    frame_fill(F, 0xab, 100);
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    ck_assert_uint_eq(rec.flags, FLOW_REC_FRAGMENT);
    EXPECT_REASONS(PACKET_R_FRAGMENT);
}
END_TEST

START_TEST(ipv4_later_fragment)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.src = "10.0.0.1",
                                      .dst = "10.0.0.2",
                                      .proto = 17,
                                      .frag = 185}); /* offset 1480, last fragment */
    frame_fill(F, 0x77, 1528); /* looks like a UDP header: must not be read as one */
    decode(PACKET_LT_EN10MB);
    expect_rec(1548, 17, 0, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS | FLOW_REC_FRAGMENT);
    expect_addr(&rec.src, "10.0.0.1");
    EXPECT_REASONS(PACKET_R_FRAGMENT);
}
END_TEST

START_TEST(ipv4_middle_fragment)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.proto = 6, .frag = FRAME_IPV4_MF | 0x1000});
    frame_fill(F, 0x77, 8);
    decode(PACKET_LT_EN10MB);
    expect_rec(28, 6, 0, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS | FLOW_REC_FRAGMENT);
    ck_assert_uint_eq(rec.tcp_flags, 0);
    EXPECT_REASONS(PACKET_R_FRAGMENT);
}
END_TEST

START_TEST(ipv4_fragment_past_64k)
{
    /* PC-06: offset 8189 * 8 + 100 bytes runs past 65535; still one portless record. */
    frame_eth(F, ET_IPV4);
    frame_ipv4(F,
               &(struct frame_ip4){.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6, .frag = 8189});
    frame_fill(F, 0x77, 100);
    decode(PACKET_LT_EN10MB);
    expect_rec(120, 6, 0, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS | FLOW_REC_FRAGMENT);
    EXPECT_REASONS(PACKET_R_FRAGMENT);
}
END_TEST

START_TEST(ipv4_df_is_not_fragment)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){
                      .src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6, .frag = FRAME_IPV4_DF});
    frame_tcp(F, 1234, 80, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
    frame_fill(F, 0xab, 100);
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    ck_assert_uint_eq(rec.flags, 0);
    EXPECT_NO_REASONS();
}
END_TEST

/* ================================ IPv6 ================================ */

START_TEST(ipv6_ext_chain_tcp)
{
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.src = "fe80::1", .dst = "ff02::1", .next = 0});
    frame_ipv6_ext(F, 43, 0); /* hop-by-hop, 8 bytes */
    frame_ipv6_ext(F, 60, 2); /* routing, 24 bytes */
    frame_ipv6_ext(F, 6, 1);  /* destination options, 16 bytes */
    frame_tcp(F, 40000, 443, FRAME_TCP_PSH | FRAME_TCP_ACK, 8);
    frame_fill(F, 0, 10);
    decode(PACKET_LT_EN10MB);
    expect_rec(40 + 8 + 24 + 16 + 32 + 10, 6, 40000, 443);
    ck_assert_uint_eq(rec.tcp_flags, FRAME_TCP_PSH | FRAME_TCP_ACK);
    ck_assert_uint_eq(rec.flags, 0);
    expect_addr(&rec.src, "fe80::1");
    expect_addr(&rec.dst, "ff02::1");
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ipv6_ah_then_udp)
{
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.src = "2001:db8::1", .dst = "2001:db8::2", .next = 51});
    frame_ipv6_ah(F, 17, 4); /* (4 + 2) * 4 = 24 bytes */
    frame_udp(F, 500, 4500);
    decode(PACKET_LT_EN10MB);
    expect_rec(40 + 24 + 8, 17, 500, 4500);
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ipv6_max_ext_ok)
{
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.next = 60});
    for (int i = 0; i < PACKET_MAX_IPV6_EXT; i++)
        frame_ipv6_ext(F, i == PACKET_MAX_IPV6_EXT - 1 ? 17 : 60, 0);
    frame_udp(F, 1, 2);
    decode(PACKET_LT_EN10MB);
    expect_rec(40 + 8 * PACKET_MAX_IPV6_EXT + 8, 17, 1, 2);
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ipv6_100_hop_by_hop)
{
    /* PC-08 (libtrace #48): 100 zero-length hop-by-hop headers. Fail closed. */
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.src = "2001:db8::1", .dst = "2001:db8::2", .next = 0});
    for (int i = 0; i < 100; i++)
        frame_ipv6_ext(F, i == 99 ? 6 : 0, 0);
    frame_tcp(F, 1, 2, FRAME_TCP_SYN, 0);
    decode(PACKET_LT_EN10MB);
    expect_rec(40 + 800 + 20, 0, 0, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS);
    ck_assert_uint_eq(rec.tcp_flags, 0);
    EXPECT_REASONS(PACKET_R_IPV6_EXT_LIMIT);
}
END_TEST

START_TEST(ipv6_ext_cut_off)
{
    /* The routing header (88 bytes) is cut by the snap length. */
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.next = 0});
    frame_ipv6_ext(F, 43, 0);
    frame_ipv6_ext(F, 6, 10);
    frame_tcp(F, 1, 2, FRAME_TCP_SYN, 0);
    decode_cut(PACKET_LT_EN10MB, 14 + 40 + 8 + 30, (uint32_t)F->len);
    expect_rec(40 + 8 + 88 + 20, 43, 0, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS | FLOW_REC_TRUNCATED);
    EXPECT_REASONS(PACKET_R_IPV6_EXT_LIMIT, PACKET_R_TRUNCATED);
}
END_TEST

START_TEST(ipv6_ext_past_payload)
{
    /* The extension header claims more than the payload length: never read past it. */
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.next = 60, .set_plen = true, .plen = 16});
    frame_ipv6_ext(F, 6, 3); /* 32 bytes */
    frame_tcp(F, 1, 2, 0, 0);
    decode(PACKET_LT_EN10MB);
    expect_rec(56, 60, 0, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS);
    EXPECT_REASONS(PACKET_R_IPV6_EXT_LIMIT);
}
END_TEST

START_TEST(ipv6_fragment_later)
{
    static const uint16_t offsets[] = {185, 1, 8191, 2};
    for (int i = 0; i < 4; i++) {
        frame_init(F);
        memset(&st, 0, sizeof st);
        frame_eth(F, ET_IPV6);
        frame_ipv6(F, &(struct frame_ip6){.src = "2001:db8::1", .dst = "2001:db8::2", .next = 44});
        frame_ipv6_frag(F, 17, offsets[i], i == 1, 7);
        F->buf[F->len - 5] |= 0x06; /* reserved bits are ignored */
        frame_fill(F, 0x55, 64);
        decode(PACKET_LT_EN10MB);
        expect_rec(40 + 8 + 64, 17, 0, 0);
        ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS | FLOW_REC_FRAGMENT);
        EXPECT_REASONS(PACKET_R_FRAGMENT);
    }
}
END_TEST

START_TEST(ipv6_fragment_first)
{
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.next = 44});
    frame_ipv6_frag(F, 6, 0, true, 7);
    frame_tcp(F, 80, 8080, FRAME_TCP_ACK, 0);
    frame_fill(F, 0x55, 64);
    decode(PACKET_LT_EN10MB);
    expect_rec(40 + 8 + 20 + 64, 6, 80, 8080);
    ck_assert_uint_eq(rec.flags, FLOW_REC_FRAGMENT);
    EXPECT_REASONS(PACKET_R_FRAGMENT);

    /* An atomic fragment (offset 0, M clear) is not a fragment. */
    frame_init(F);
    memset(&st, 0, sizeof st);
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.next = 44});
    frame_ipv6_frag(F, 6, 0, false, 7);
    frame_tcp(F, 80, 8080, FRAME_TCP_ACK, 0);
    decode(PACKET_LT_EN10MB);
    expect_rec(40 + 8 + 20, 6, 80, 8080);
    ck_assert_uint_eq(rec.flags, 0);
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ipv6_no_next_header)
{
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.next = 59});
    frame_fill(F, 0x06, 12); /* junk after "no next header" is ignored */
    decode(PACKET_LT_EN10MB);
    expect_rec(52, 59, 0, 0);
    ck_assert_uint_eq(rec.flags, 0);
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ipv6_payload_length_zero)
{
    /* PC-09: jumbogram / GSO: counted from what the wire carried. */
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.next = 17, .set_plen = true, .plen = 0});
    frame_udp_len(F, 9, 10, 0);
    frame_fill(F, 0, 1000);
    decode_cut(PACKET_LT_EN10MB, 200, 14 + 40 + 8 + 1000);
    expect_rec(40 + 8 + 1000, 17, 9, 10);
    ck_assert_uint_eq(rec.flags, FLOW_REC_TRUNCATED);
    /* UDP length 0 is below 8: noted. */
    EXPECT_REASONS(PACKET_R_TRUNCATED, PACKET_R_L4_BAD_HEADER);
}
END_TEST

START_TEST(ipv6_header_cut)
{
    frame_eth(F, ET_IPV6);
    add_ip6_udp();
    decode_cut(PACKET_LT_EN10MB, 14 + 39, (uint32_t)F->len);
    expect_drop(PACKET_R_IP_TRUNCATED);

    memset(&st, 0, sizeof st);
    decode_cut(PACKET_LT_EN10MB, 14 + 39, 14 + 39);
    expect_drop(PACKET_R_IPV6_BAD_HEADER);
}
END_TEST

/* ================================ L4 ================================ */

START_TEST(tcp_data_offset_below_5)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6});
    frame_tcp(F, 1234, 80, FRAME_TCP_SYN | FRAME_TCP_ACK, 4);
    frame_fill(F, 0xab, 100);
    decode(PACKET_LT_EN10MB);
    expect_ip4_tcp();
    ck_assert_uint_eq(rec.flags, 0);
    EXPECT_REASONS(PACKET_R_L4_BAD_HEADER);
}
END_TEST

START_TEST(tcp_data_offset_past_end)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.proto = 6});
    frame_tcp(F, 1, 2, FRAME_TCP_RST, 0);
    F->buf[F->len - 8] = 0xf0; /* data offset 15 = 60 bytes, only 20 there */
    decode(PACKET_LT_EN10MB);
    expect_rec(40, 6, 1, 2);
    ck_assert_uint_eq(rec.tcp_flags, FRAME_TCP_RST);
    EXPECT_REASONS(PACKET_R_L4_BAD_HEADER);
}
END_TEST

START_TEST(udp_length_bad)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.proto = 17});
    frame_udp_len(F, 53, 5353, 7);
    frame_fill(F, 0, 20);
    decode(PACKET_LT_EN10MB);
    expect_rec(48, 17, 53, 5353);
    EXPECT_REASONS(PACKET_R_L4_BAD_HEADER);

    frame_init(F);
    memset(&st, 0, sizeof st);
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.next = 17});
    frame_udp_len(F, 53, 5353, 29); /* one past the IP payload */
    frame_fill(F, 0, 20);
    decode(PACKET_LT_EN10MB);
    expect_rec(68, 17, 53, 5353);
    EXPECT_REASONS(PACKET_R_L4_BAD_HEADER);
}
END_TEST

START_TEST(l4_header_cut)
{
    frame_eth(F, ET_IPV4);
    add_ip4_tcp();
    decode_cut(PACKET_LT_EN10MB, 14 + 20 + 19, (uint32_t)F->len);
    expect_rec(140, 6, 0, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS | FLOW_REC_TRUNCATED);
    expect_addr(&rec.dst, "10.0.0.2");
    EXPECT_REASONS(PACKET_R_L4_TRUNCATED, PACKET_R_TRUNCATED);

    /* UDP with only 3 bytes captured. */
    frame_init(F);
    memset(&st, 0, sizeof st);
    frame_eth(F, ET_IPV6);
    add_ip6_udp();
    decode_cut(PACKET_LT_EN10MB, 14 + 40 + 3, (uint32_t)F->len);
    expect_rec(60, 17, 0, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS | FLOW_REC_TRUNCATED);
    EXPECT_REASONS(PACKET_R_L4_TRUNCATED, PACKET_R_TRUNCATED);
}
END_TEST

START_TEST(l4_header_past_ip_payload)
{
    /* Total length leaves 6 bytes for TCP; the rest of the frame is padding. */
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.proto = 6, .set_total_len = true, .total_len = 26});
    frame_tcp(F, 1, 2, FRAME_TCP_SYN, 0);
    decode(PACKET_LT_EN10MB);
    expect_rec(26, 6, 0, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS);
    EXPECT_REASONS(PACKET_R_L4_BAD_HEADER);
}
END_TEST

START_TEST(icmp_type_code)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.src = "10.1.1.1", .dst = "10.2.2.2", .proto = 1});
    frame_icmp(F, 3, 13);
    frame_fill(F, 0, 28);
    decode(PACKET_LT_EN10MB);
    expect_rec(56, 1, 0, 0);
    ck_assert_uint_eq(rec.icmp_type, 3 << 8 | 13);
    ck_assert_uint_eq(rec.flags, 0);
    EXPECT_NO_REASONS();

    frame_init(F);
    frame_eth(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.src = "fe80::1", .dst = "ff02::2", .next = 58});
    frame_icmp(F, 133, 0);
    decode(PACKET_LT_EN10MB);
    expect_rec(48, 58, 0, 0);
    ck_assert_uint_eq(rec.icmp_type, 133 << 8);
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(icmp_truncated)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.proto = 1});
    frame_icmp(F, 8, 0);
    decode_cut(PACKET_LT_EN10MB, 14 + 20 + 1, (uint32_t)F->len);
    expect_rec(28, 1, 0, 0);
    ck_assert_uint_eq(rec.icmp_type, 0);
    ck_assert_uint_eq(rec.flags, FLOW_REC_NO_PORTS | FLOW_REC_TRUNCATED);
    EXPECT_REASONS(PACKET_R_L4_TRUNCATED, PACKET_R_TRUNCATED);
}
END_TEST

START_TEST(other_port_protocols)
{
    static const struct {
        uint8_t proto;
        size_t hdrlen;
    } p[] = {{132, 12}, {136, 8}, {33, 16}};

    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        frame_init(F);
        frame_eth(F, ET_IPV4);
        frame_ipv4(F, &(struct frame_ip4){.proto = p[i].proto});
        frame_ports(F, 3868, (uint16_t)(2905 + i), p[i].hdrlen);
        decode(PACKET_LT_EN10MB);
        expect_rec(20 + p[i].hdrlen, p[i].proto, 3868, (uint16_t)(2905 + i));
    }
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(gre_counted_as_outer)
{
    /* PC-11: tunnels are not decoded; GRE is proto 47 between the outer addresses. */
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.src = "203.0.113.1", .dst = "203.0.113.2", .proto = 47});
    frame_u16(F, 0);
    frame_u16(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.src = "10.9.9.9", .dst = "10.8.8.8", .proto = 6});
    frame_tcp(F, 1, 2, FRAME_TCP_SYN, 0);
    decode(PACKET_LT_EN10MB);
    expect_rec(20 + 4 + 40, 47, 0, 0);
    expect_addr(&rec.src, "203.0.113.1");
    expect_addr(&rec.dst, "203.0.113.2");
    ck_assert_uint_eq(rec.tcp_flags, 0);
    EXPECT_NO_REASONS();

    /* 6in4 (proto 41) likewise. */
    frame_init(F);
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.src = "203.0.113.1", .dst = "203.0.113.2", .proto = 41});
    add_ip6_udp();
    decode(PACKET_LT_EN10MB);
    expect_rec(80, 41, 0, 0);
    EXPECT_NO_REASONS();
}
END_TEST

/* ================================ lengths ================================ */

START_TEST(caplen_zero_and_short)
{
    frame_eth(F, ET_IPV4);
    add_ip4_tcp();
    decode_cut(PACKET_LT_EN10MB, 0, (uint32_t)F->len);
    expect_drop(PACKET_R_LINK_TRUNCATED);

    memset(&st, 0, sizeof st);
    decode_cut(PACKET_LT_EN10MB, 13, (uint32_t)F->len);
    expect_drop(PACKET_R_LINK_TRUNCATED);

    /* A NULL buffer with caplen 0 is fine too. */
    memset(&st, 0, sizeof st);
    rc = packet_decode(&st, PACKET_LT_EN10MB, NULL, 0, 0, 0, &rec);
    expect_drop(PACKET_R_LINK_TRUNCATED);
    memset(&st, 0, sizeof st);
    rc = packet_decode(&st, PACKET_LT_IPV4, NULL, 0, 0, 0, &rec);
    expect_drop(PACKET_R_IPV4_BAD_HEADER);
}
END_TEST

START_TEST(snaplen_truncation)
{
    /* PC-01: 68-byte snap length on a 1514-byte frame: bytes from the IP header. */
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6});
    frame_tcp(F, 1234, 80, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
    frame_fill(F, 0xab, 1460);
    decode_cut(PACKET_LT_EN10MB, 68, (uint32_t)F->len);
    expect_rec(1500, 6, 1234, 80);
    ck_assert_uint_eq(rec.flags, FLOW_REC_TRUNCATED);
    EXPECT_REASONS(PACKET_R_TRUNCATED);
}
END_TEST

START_TEST(wirelen_below_caplen)
{
    frame_eth(F, ET_IPV4);
    add_ip4_tcp();
    decode_cut(PACKET_LT_EN10MB, (uint32_t)F->len, 10);
    expect_ip4_tcp();
    ck_assert_uint_eq(rec.flags, 0);
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(ip_length_past_wire)
{
    frame_eth(F, ET_IPV4);
    frame_ipv4(F, &(struct frame_ip4){.proto = 17, .set_total_len = true, .total_len = 9000});
    frame_udp_len(F, 1, 2, 8980);
    frame_fill(F, 0, 100);
    decode(PACKET_LT_EN10MB);
    expect_rec(128, 17, 1, 2);
    EXPECT_REASONS(PACKET_R_IP_LEN_MISMATCH);

    frame_init(F);
    memset(&st, 0, sizeof st);
    frame_sll(F, ET_IPV6);
    frame_ipv6(F, &(struct frame_ip6){.next = 6, .set_plen = true, .plen = 60000});
    frame_tcp(F, 1, 2, 0, 0);
    decode(PACKET_LT_LINUX_SLL);
    expect_rec(60, 6, 1, 2);
    EXPECT_REASONS(PACKET_R_IP_LEN_MISMATCH);
}
END_TEST

START_TEST(reason_names)
{
    int drops = 0;
    for (int r = 0; r < PACKET_R_MAX; r++) {
        const char *n = packet_reason_name((enum packet_reason)r);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_ne(n, "unknown");
        for (const char *c = n; *c; c++)
            ck_assert((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
        for (int q = 0; q < r; q++)
            ck_assert_str_ne(n, packet_reason_name((enum packet_reason)q));
        drops += packet_reason_is_drop((enum packet_reason)r);
    }
    ck_assert_int_eq(drops, PACKET_R_TRUNCATED);
    ck_assert_str_eq(packet_reason_name(PACKET_R_VLAN_DEPTH), "vlan_depth");
    ck_assert_str_eq(packet_reason_name(PACKET_R_MPLS_DEPTH), "mpls_depth");
    ck_assert_str_eq(packet_reason_name(PACKET_R_MAX), "unknown");
    ck_assert(packet_reason_is_drop(PACKET_R_NON_IP));
    ck_assert(!packet_reason_is_drop(PACKET_R_TRUNCATED));
    ck_assert(!packet_reason_is_drop(PACKET_R_MAX));
}
END_TEST

/* ================================ support code ================================ */

static uint32_t le32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(pcapw_roundtrip)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    uint8_t buf[256];
    struct pcapw *w;
    FILE *in;
    size_t n;

    snprintf(path, sizeof path, "%s/check_packet_%ld.pcap", dir && *dir ? dir : "/tmp",
             (long)getpid());
    frame_eth(F, ET_IPV4);
    add_ip4_tcp();
    frame_finish(F);
    w = pcapw_open(path, 1, 65535);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(pcapw_write(w, INT64_C(1500000000250000), F->buf, 20, (uint32_t)F->len), 0);
    ck_assert_int_eq(pcapw_write(w, 7, NULL, 0, 60), 0);
    ck_assert_int_eq(pcapw_write(w, 0, NULL, 5, 5), -EINVAL);
    ck_assert_int_eq(pcapw_close(w), 0);
    ck_assert_int_eq(pcapw_close(NULL), 0);

    in = fopen(path, "rb");
    ck_assert_ptr_nonnull(in);
    n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    unlink(path);
    ck_assert_uint_eq(n, 24 + 16 + 20 + 16);
    ck_assert_uint_eq(le32_at(buf), 0xa1b2c3d4u);
    ck_assert_uint_eq(buf[4] | buf[5] << 8, 2);
    ck_assert_uint_eq(buf[6] | buf[7] << 8, 4);
    ck_assert_uint_eq(le32_at(buf + 16), 65535);
    ck_assert_uint_eq(le32_at(buf + 20), 1);
    ck_assert_uint_eq(le32_at(buf + 24), 1500000000u);
    ck_assert_uint_eq(le32_at(buf + 28), 250000u);
    ck_assert_uint_eq(le32_at(buf + 32), 20);
    ck_assert_uint_eq(le32_at(buf + 36), F->len);
    ck_assert_mem_eq(buf + 40, F->buf, 20);
    ck_assert_uint_eq(le32_at(buf + 60), 0);
    ck_assert_uint_eq(le32_at(buf + 64), 7);
    ck_assert_uint_eq(le32_at(buf + 68), 0);
    ck_assert_uint_eq(le32_at(buf + 72), 60);

    ck_assert_ptr_null(pcapw_open("/nonexistent-dir/x.pcap", 1, 65535));
}
END_TEST

START_TEST(frames_bounds)
{
    size_t off;

    frame_fill(F, 0, FRAME_MAX - 2);
    ck_assert(!F->bad);
    off = frame_u16(F, 0xbeef);
    ck_assert_uint_eq(off, FRAME_MAX - 2);
    ck_assert(!F->bad);
    frame_u8(F, 1);
    ck_assert(F->bad);
    ck_assert_uint_eq(F->len, FRAME_MAX);
    ck_assert_int_eq(frame_finish(F), -1);

    frame_init(F);
    frame_ipv4(F, &(struct frame_ip4){.src = "not-an-address"});
    ck_assert_int_eq(frame_finish(F), -1);

    /* The IPv4 checksum frame_finish computes verifies. */
    frame_init(F);
    add_ip4_tcp();
    ck_assert_int_eq(frame_finish(F), 0);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)F->buf[i] << 8 | F->buf[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ck_assert_uint_eq(sum, 0xffff);
    ck_assert_uint_eq(F->buf[2] << 8 | F->buf[3], 140);
}
END_TEST

/* ================================ robustness ================================ */

/* xorshift64*: deterministic, seeded per run, state passed explicitly. */
static uint64_t rnd_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static uint32_t rnd_below(uint64_t *s, uint32_t n)
{
    return n ? (uint32_t)(rnd_next(s) % n) : 0;
}

/* A representative valid frame for a link type (with a tag, label, option or extension header
 * where one fits, so that mutations reach the deeper parsers). */
static void fuzz_base(int lt, int variant)
{
    bool v6 = variant & 1;
    bool tcp = variant & 2;

    frame_init(F);
    switch (lt) {
    case PACKET_LT_EN10MB:
        switch (variant % 5) {
        case 0:
            frame_eth(F, ET_VLAN);
            frame_vlan(F, 1, ET_QINQ);
            frame_vlan(F, 2, v6 ? ET_IPV6 : ET_IPV4);
            break;
        case 1:
            frame_eth(F, ET_MPLS);
            frame_mpls(F, 1, false, 1);
            frame_mpls(F, 2, true, 1);
            break;
        case 2:
            frame_eth(F, ET_PPPOE_SESS);
            frame_pppoe(F, v6 ? 0x0057 : 0x0021);
            break;
        case 3:
            frame_eth_8023(F);
            frame_llc_snap(F, 0, v6 ? ET_IPV6 : ET_IPV4);
            break;
        default:
            frame_eth(F, v6 ? ET_IPV6 : ET_IPV4);
            break;
        }
        break;
    case PACKET_LT_LINUX_SLL:
        frame_sll(F, v6 ? ET_IPV6 : ET_IPV4);
        break;
    case PACKET_LT_LINUX_SLL2:
        frame_sll2(F, v6 ? ET_IPV6 : ET_IPV4);
        break;
    case PACKET_LT_NULL:
    case PACKET_LT_LOOP:
        frame_null(F, v6 ? 30 : 2, lt == PACKET_LT_LOOP || (variant & 4));
        break;
    case PACKET_LT_PPP:
    case PACKET_LT_PPP_HDLC:
        frame_u8(F, 0xff);
        frame_u8(F, 0x03);
        frame_u16(F, v6 ? 0x0057 : 0x0021);
        break;
    case PACKET_LT_PPP_ETHER:
        frame_pppoe(F, v6 ? 0x0057 : 0x0021);
        break;
    case PACKET_LT_NFLOG:
        frame_nflog(F, v6 ? 10 : 2);
        break;
    case PACKET_LT_IPV4:
        v6 = false;
        break;
    case PACKET_LT_IPV6:
        v6 = true;
        break;
    default: /* raw */
        break;
    }
    if (v6) {
        frame_ipv6(F, &(struct frame_ip6){.src = "2001:db8::1", .dst = "2001:db8::2", .next = 0});
        frame_ipv6_ext(F, 44, 0);
        frame_ipv6_frag(F, tcp ? 6 : 17, 0, true, 1);
    } else {
        frame_ipv4(F, &(struct frame_ip4){.src = "10.0.0.1",
                                          .dst = "10.0.0.2",
                                          .proto = tcp ? 6 : 17,
                                          .options = "\1\1\1\0",
                                          .options_len = 4});
    }
    if (tcp)
        frame_tcp(F, 1, 2, FRAME_TCP_SYN, 6);
    else
        frame_udp(F, 3, 4);
    frame_fill(F, 0x5a, (size_t)(variant * 7) % 64);
    ck_assert_int_eq(frame_finish(F), 0);
}

START_TEST(fuzz_all_linktypes)
{
    static const int lts[] = {PACKET_LT_NULL,      PACKET_LT_EN10MB,    PACKET_LT_PPP,
                              PACKET_LT_PPP_HDLC,  PACKET_LT_PPP_ETHER, PACKET_LT_RAW,
                              PACKET_LT_RAW_OBSD,  PACKET_LT_LOOP,      PACKET_LT_LINUX_SLL,
                              PACKET_LT_IPV4,      PACKET_LT_IPV6,      PACKET_LT_NFLOG,
                              PACKET_LT_LINUX_SLL2};
    const int per_lt = 200000;
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    uint64_t ok = 0, dropped = 0;
    uint8_t *tmp = malloc(FRAME_MAX);
    uint8_t *block = malloc(FRAME_MAX);
    uint8_t *end = block + FRAME_MAX;

    ck_assert_ptr_nonnull(tmp);
    ck_assert_ptr_nonnull(block);
    for (size_t l = 0; l < sizeof lts / sizeof lts[0]; l++) {
        int lt = lts[l];
        ck_assert(packet_linktype_supported(lt));
        for (int i = 0; i < per_lt; i++) {
            uint32_t len, caplen, wirelen;
            uint64_t before = 0, after = 0;
            uint8_t *copy;

            if (i % 64 == 0)
                fuzz_base(lt, i / 64);
            len = (uint32_t)F->len;
            memcpy(tmp, F->buf, len);
            switch (rnd_below(&seed, 4)) {
            case 0: /* flip a few bits */
                for (uint32_t k = rnd_below(&seed, 8) + 1; k > 0; k--)
                    tmp[rnd_below(&seed, len)] ^= (uint8_t)(1u << rnd_below(&seed, 8));
                break;
            case 1: /* overwrite a few bytes with interesting values */
                for (uint32_t k = rnd_below(&seed, 4) + 1; k > 0; k--) {
                    static const uint8_t v[] = {0,    1,    0x3f, 0x40, 0x45, 0x4f, 0x60, 0x7f,
                                                0x80, 0x81, 0xff, 0x08, 0x86, 0xdd, 0x2c};
                    tmp[rnd_below(&seed, len)] = v[rnd_below(&seed, sizeof v)];
                }
                break;
            case 2: /* random bytes */
                len = rnd_below(&seed, 200);
                for (uint32_t k = 0; k < len; k++)
                    tmp[k] = (uint8_t)rnd_next(&seed);
                break;
            default: /* unchanged, only the lengths vary */
                break;
            }
            caplen = rnd_below(&seed, 3) ? len : rnd_below(&seed, len + 1);
            wirelen = rnd_below(&seed, 2) ? caplen : caplen + rnd_below(&seed, 3000);
            if (rnd_below(&seed, 16) == 0)
                wirelen = rnd_below(&seed, caplen + 1); /* below caplen: treated as caplen */

            /* The frame ends where the heap block ends, so ASan catches a read past caplen. */
            copy = end - caplen;
            memmove(copy, tmp, caplen);
            for (int r = 0; r < PACKET_R_MAX; r++)
                before += packet_reason_is_drop((enum packet_reason)r) ? st.count[r] : 0;
            rc = packet_decode(&st, lt, copy, caplen, wirelen, i, &rec);
            for (int r = 0; r < PACKET_R_MAX; r++)
                after += packet_reason_is_drop((enum packet_reason)r) ? st.count[r] : 0;

            /* Plain checks here: a ck_assert per iteration costs a syscall in Check. */
            if (wirelen < caplen)
                wirelen = caplen;
            if (rc == 1) {
                ok++;
                if (after != before || (rec.af != FLOW_AF_INET && rec.af != FLOW_AF_INET6) ||
                    rec.bytes < (rec.af == FLOW_AF_INET ? 20u : 40u) || rec.bytes > wirelen ||
                    rec.packets != 1 ||
                    ((rec.flags & FLOW_REC_NO_PORTS) && (rec.sport || rec.dport)) ||
                    !!(rec.flags & FLOW_REC_TRUNCATED) != (caplen < wirelen))
                    ck_abort_msg("linktype %d frame %d: bad record (bytes %llu af %u)", lt, i,
                                 (unsigned long long)rec.bytes, rec.af);
            } else {
                dropped++;
                if (rc != 0 || after != before + 1)
                    ck_abort_msg("linktype %d frame %d: rc %d, drops +%llu", lt, i, rc,
                                 (unsigned long long)(after - before));
            }
        }
    }
    free(tmp);
    free(block);
    ck_assert_uint_eq(ok + dropped, (uint64_t)per_lt * (sizeof lts / sizeof lts[0]));
    /* The mutations must leave a good share decodable, or the deep paths went untested. */
    ck_assert_uint_gt(ok, dropped / 4);
}
END_TEST

static Suite *packet_suite(void)
{
    Suite *s = suite_create("packet");
    TCase *link = tcase_create("link");
    TCase *ip4 = tcase_create("ipv4");
    TCase *ip6 = tcase_create("ipv6");
    TCase *l4 = tcase_create("l4");
    TCase *len = tcase_create("lengths");
    TCase *sup = tcase_create("support");
    TCase *fuzz = tcase_create("fuzz");
    TCase *all[] = {link, ip4, ip6, l4, len, sup, fuzz};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        tcase_add_checked_fixture(all[i], setup, teardown);
        suite_add_tcase(s, all[i]);
    }

    tcase_add_test(link, eth_ipv4_tcp);
    tcase_add_test(link, eth_ipv4_padded);
    tcase_add_test(link, eth_ipv6_udp);
    tcase_add_test(link, eth_vlan);
    tcase_add_test(link, eth_qinq);
    tcase_add_test(link, eth_vlan_9100_max);
    tcase_add_test(link, eth_vlan_20_nested);
    tcase_add_test(link, eth_vlan_one_too_many);
    tcase_add_test(link, eth_vlan_cut);
    tcase_add_test(link, mpls_single);
    tcase_add_test(link, mpls_stacked_v6);
    tcase_add_test(link, mpls_max_labels);
    tcase_add_test(link, mpls_one_too_many);
    tcase_add_test(link, mpls_1000_no_bos);
    tcase_add_test(link, mpls_control_word);
    tcase_add_test(link, mpls_cut_after_bos);
    tcase_add_test(link, pppoe_session_ipv4);
    tcase_add_test(link, pppoe_session_ipv6);
    tcase_add_test(link, pppoe_session_lcp);
    tcase_add_test(link, pppoe_discovery);
    tcase_add_test(link, sll_v1);
    tcase_add_test(link, sll_v1_vlan_v6);
    tcase_add_test(link, sll_v1_non_ip);
    tcase_add_test(link, sll_v1_short);
    tcase_add_test(link, sll_v2);
    tcase_add_test(link, sll_v2_arp);
    tcase_add_test(link, sll_v2_short);
    tcase_add_test(link, raw_v4_v6);
    tcase_add_test(link, raw_bad_version);
    tcase_add_test(link, raw_empty);
    tcase_add_test(link, ipv4_ipv6_linktypes);
    tcase_add_test(link, null_both_orders);
    tcase_add_test(link, null_unknown_af);
    tcase_add_test(link, null_short);
    tcase_add_test(link, loop_network_order);
    tcase_add_test(link, ppp_with_hdlc_bytes);
    tcase_add_test(link, ppp_without_hdlc_bytes);
    tcase_add_test(link, ppp_mpls);
    tcase_add_test(link, ppp_lcp);
    tcase_add_test(link, ppp_hdlc_and_cisco);
    tcase_add_test(link, ppp_ether);
    tcase_add_test(link, nflog_v4_v6);
    tcase_add_test(link, nflog_no_payload);
    tcase_add_test(link, nflog_cut_in_tlvs);
    tcase_add_test(link, unknown_linktype);
    tcase_add_test(link, arp_and_lldp);
    tcase_add_test(link, llc_frame);
    tcase_add_test(link, llc_snap_ip);

    tcase_add_test(ip4, ipv4_options);
    tcase_add_test(ip4, ipv4_ihl_below_5);
    tcase_add_test(ip4, ipv4_ihl_past_caplen);
    tcase_add_test(ip4, ipv4_header_cut_by_snaplen);
    tcase_add_test(ip4, ipv4_total_below_ihl);
    tcase_add_test(ip4, ipv4_wrong_version);
    tcase_add_test(ip4, ipv4_first_fragment);
    tcase_add_test(ip4, ipv4_first_fragment_tcp);
    tcase_add_test(ip4, ipv4_later_fragment);
    tcase_add_test(ip4, ipv4_middle_fragment);
    tcase_add_test(ip4, ipv4_fragment_past_64k);
    tcase_add_test(ip4, ipv4_df_is_not_fragment);

    tcase_add_test(ip6, ipv6_ext_chain_tcp);
    tcase_add_test(ip6, ipv6_ah_then_udp);
    tcase_add_test(ip6, ipv6_max_ext_ok);
    tcase_add_test(ip6, ipv6_100_hop_by_hop);
    tcase_add_test(ip6, ipv6_ext_cut_off);
    tcase_add_test(ip6, ipv6_ext_past_payload);
    tcase_add_test(ip6, ipv6_fragment_later);
    tcase_add_test(ip6, ipv6_fragment_first);
    tcase_add_test(ip6, ipv6_no_next_header);
    tcase_add_test(ip6, ipv6_payload_length_zero);
    tcase_add_test(ip6, ipv6_header_cut);

    tcase_add_test(l4, tcp_data_offset_below_5);
    tcase_add_test(l4, tcp_data_offset_past_end);
    tcase_add_test(l4, udp_length_bad);
    tcase_add_test(l4, l4_header_cut);
    tcase_add_test(l4, l4_header_past_ip_payload);
    tcase_add_test(l4, icmp_type_code);
    tcase_add_test(l4, icmp_truncated);
    tcase_add_test(l4, other_port_protocols);
    tcase_add_test(l4, gre_counted_as_outer);

    tcase_add_test(len, caplen_zero_and_short);
    tcase_add_test(len, snaplen_truncation);
    tcase_add_test(len, wirelen_below_caplen);
    tcase_add_test(len, ip_length_past_wire);

    tcase_add_test(sup, reason_names);
    tcase_add_test(sup, pcapw_roundtrip);
    tcase_add_test(sup, frames_bounds);

    tcase_add_test(fuzz, fuzz_all_linktypes);
    tcase_set_timeout(fuzz, 300);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(packet_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
