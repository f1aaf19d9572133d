/*
 * check_packet_link.c - the packet decoder: every link type and encapsulation (Ethernet, VLAN/QinQ, MPLS,
 * PPPoE, Linux cooked v1/v2, raw, NULL/LOOP, PPP, NFLOG, LLC) and what is not IP.
 */
#include "config.h"

#include "checkrun.h"
#include "pktcheck.h"

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


int main(void)
{
    Suite *s = suite_create("packet");
    TCase *link = tcase_create("link");
    tcase_add_checked_fixture(link, setup, teardown);
    suite_add_tcase(s, link);
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
    return check_run(s);
}
