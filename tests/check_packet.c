/*
 * check_packet.c - the packet decoder: IPv4 (options, fragments, bad headers), IPv6 (extension
 * headers, fragments, jumbo), L4 ports and flags, and captured versus wire lengths.
 */
#include "config.h"

#include "checkrun.h"
#include "pktcheck.h"

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


int main(void)
{
    Suite *s = suite_create("packet");
    TCase *ip4 = tcase_create("ip4");
    TCase *ip6 = tcase_create("ip6");
    TCase *l4 = tcase_create("l4");
    TCase *len = tcase_create("len");
    tcase_add_checked_fixture(ip4, setup, teardown);
    suite_add_tcase(s, ip4);
    tcase_add_checked_fixture(ip6, setup, teardown);
    suite_add_tcase(s, ip6);
    tcase_add_checked_fixture(l4, setup, teardown);
    suite_add_tcase(s, l4);
    tcase_add_checked_fixture(len, setup, teardown);
    suite_add_tcase(s, len);
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
    return check_run(s);
}
