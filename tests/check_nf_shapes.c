/*
 * check_nf_shapes.c - the record shapes of real router exports (issue 18), in NetFlow v9 and
 * IPFIX alike, built by the shared encoder's shapes (nfenc.h): dual-family templates with
 * IPv4, IPv6, both and neither filled, with and without ipVersion; variable-length fields in
 * v9 with 1-byte and 3-byte length prefixes, and one past its set; zero counts; records
 * without a packet counter; self-talk. Each test runs for v9 (loop 0) and IPFIX (loop 1).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/nf.h"
#include "checkrun.h"
#include "nf_priv.h"
#include "nfcheck.h"
#include "nfenc.h"

static void hdr(int ipfix, uint32_t seq)
{
    if (ipfix)
        nfenc_ipfix(&m, T0, seq, 0);
    else
        nfenc_v9(&m, 100000, T0, seq, 0);
}

static const struct nf_exporter_info *info(void)
{
    static struct nf_exporter_info ex[4];
    size_t n = nf_collector_exporters(col, ex, 4);
    ck_assert_uint_eq(n, 1);
    return &ex[0];
}

/* Dual-family template: IPv4 records, IPv6 records, both (default IPv4), neither. */
START_TEST(test_dual_family_per_record)
{
    const struct nfenc_flow f[] = {
        {.src4 = "192.0.2.11", .dst4 = "10.10.0.35", .nh4 = "10.0.0.254", .proto = 6,
         .sport = 1000, .dport = 80, .bytes = 500, .pkts = 5},
        {.src6 = "2001:db8::1", .dst6 = "2001:db8::2", .nh6 = "fe80::1", .proto = 17,
         .sport = 53, .dport = 5353, .bytes = 300, .pkts = 3},
        {.src4 = "198.51.100.1", .dst4 = "198.51.100.2", .src6 = "2001:db8::a",
         .dst6 = "2001:db8::b", .proto = 47, .bytes = 200, .pkts = 2},
        {.proto = 6, .sport = 1, .dport = 2, .bytes = 100, .pkts = 1},
    };
    hdr(_i, 1);
    nfenc_shape_template_set(&m, NFENC_S_DUAL, 300);
    nfenc_shape_data_set(&m, NFENC_S_DUAL, 300, f, 4);
    nfenc_finish(&m, 5);
    feed();
    ck_assert_uint_eq(rs.n, 4);
    ck_assert_uint_eq(rs.r[0].af, FLOW_AF_INET);
    assert_addr(&rs.r[0].src, "192.0.2.11"); /* not c000:20b:: */
    assert_addr(&rs.r[0].dst, "10.10.0.35");
    ck_assert_uint_eq(rs.r[1].af, FLOW_AF_INET6);
    assert_addr(&rs.r[1].src, "2001:db8::1");
    assert_addr(&rs.r[1].dst, "2001:db8::2");
    ck_assert_uint_eq(rs.r[1].sport, 53);
    ck_assert_uint_eq(rs.r[2].af, FLOW_AF_INET); /* both set, no ipVersion: IPv4 */
    assert_addr(&rs.r[2].src, "198.51.100.1");
    ck_assert_uint_eq(rs.r[3].af, FLOW_AF_INET); /* neither: IPv4 0.0.0.0 */
    assert_addr(&rs.r[3].src, "0.0.0.0");
    const struct nf_exporter_info *e = info();
    ck_assert_uint_eq(e->family[NF_FAM_V4_ONLY], 1);
    ck_assert_uint_eq(e->family[NF_FAM_V6_ONLY], 1);
    ck_assert_uint_eq(e->family[NF_FAM_BOTH_V4], 1);
    ck_assert_uint_eq(e->family[NF_FAM_BOTH_IPVER], 0);
    ck_assert_uint_eq(e->family[NF_FAM_NEITHER], 1);
    ck_assert_uint_eq(e->no_packets, 0);
    assert_only(0);
}
END_TEST

/* With ipVersion: both families set, ipVersion 6 picks IPv6, 4 picks IPv4; neither set with
 * ipVersion 6 gives :: -> ::. */
START_TEST(test_dual_family_ip_version)
{
    const struct nfenc_flow f[] = {
        {.src4 = "198.51.100.1", .dst4 = "198.51.100.2", .src6 = "2001:db8::a",
         .dst6 = "2001:db8::b", .ip_version = 6, .proto = 47, .bytes = 200, .pkts = 2},
        {.src4 = "198.51.100.1", .dst4 = "198.51.100.2", .src6 = "2001:db8::a",
         .dst6 = "2001:db8::b", .ip_version = 4, .proto = 47, .bytes = 100, .pkts = 1},
        {.src6 = "2001:db8::c", .dst6 = "2001:db8::d", .ip_version = 6, .proto = 17,
         .sport = 1, .dport = 2, .bytes = 70, .pkts = 1},
        {.ip_version = 6, .proto = 17, .sport = 1, .dport = 2, .bytes = 60, .pkts = 1},
        {.src4 = "192.0.2.1", .src6 = "2001:db8::e", .ip_version = 9, .proto = 17,
         .bytes = 50, .pkts = 1},
    };
    hdr(_i, 1);
    nfenc_shape_template_set(&m, NFENC_S_DUAL_VER, 301);
    nfenc_shape_data_set(&m, NFENC_S_DUAL_VER, 301, f, 5);
    nfenc_finish(&m, 6);
    feed();
    ck_assert_uint_eq(rs.n, 5);
    ck_assert_uint_eq(rs.r[0].af, FLOW_AF_INET6);
    assert_addr(&rs.r[0].src, "2001:db8::a");
    ck_assert_uint_eq(rs.r[1].af, FLOW_AF_INET);
    assert_addr(&rs.r[1].dst, "198.51.100.2");
    ck_assert_uint_eq(rs.r[2].af, FLOW_AF_INET6);
    ck_assert_uint_eq(rs.r[3].af, FLOW_AF_INET6);
    assert_addr(&rs.r[3].src, "::");
    ck_assert_uint_eq(rs.r[4].af, FLOW_AF_INET); /* ipVersion 9 names nothing: IPv4 */
    const struct nf_exporter_info *e = info();
    ck_assert_uint_eq(e->family[NF_FAM_BOTH_IPVER], 2);
    ck_assert_uint_eq(e->family[NF_FAM_V6_ONLY], 1);
    ck_assert_uint_eq(e->family[NF_FAM_NEITHER], 1);
    ck_assert_uint_eq(e->family[NF_FAM_BOTH_V4], 1);
}
END_TEST

/* A single-family template counts no family rule. */
START_TEST(test_single_family_not_counted)
{
    const struct nfenc_flow f = {.src4 = "10.0.0.1", .dst4 = "10.0.0.2", .proto = 6,
                                 .sport = 1, .dport = 2, .bytes = 40, .pkts = 1};
    hdr(_i, 1);
    nfenc_shape_template_set(&m, NFENC_S_V4, 302);
    nfenc_shape_data_set(&m, NFENC_S_V4, 302, &f, 1);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    const struct nf_exporter_info *e = info();
    for (int r = 0; r < NF_FAM_MAX; r++)
        ck_assert_uint_eq(e->family[r], 0);
}
END_TEST

/* Variable-length fields (65535) with 1-byte and 3-byte prefixes: v9 as IPFIX. */
START_TEST(test_varlen_prefixes)
{
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    const struct nfenc_flow f[] = {
        {.src4 = "10.1.0.1", .dst4 = "10.1.0.2", .proto = 6, .sport = 1, .dport = 80,
         .bytes = 234, .pkts = 3, .vrf = "vrf-red", .app = "http"},
        {.src4 = "10.1.0.3", .dst4 = "10.1.0.4", .proto = 17, .sport = 5, .dport = 53,
         .bytes = 468, .pkts = 6, .vrf = "vrf-blue", .app = "dns", .long_form = true},
        {.src4 = "10.1.0.5", .dst4 = "10.1.0.6", .proto = 17, .sport = 5, .dport = 53,
         .bytes = 10, .pkts = 1, .vrf = big, .app = NULL},
    };
    hdr(_i, 1);
    nfenc_shape_template_set(&m, NFENC_S_VARLEN, 303);
    nfenc_shape_data_set(&m, NFENC_S_VARLEN, 303, f, 3);
    nfenc_finish(&m, 4);
    feed();
    ck_assert_uint_eq(rs.n, 3);
    ck_assert_uint_eq(rs.r[0].bytes, 234);
    ck_assert_uint_eq(rs.r[1].bytes, 468);
    ck_assert_uint_eq(rs.r[1].packets, 6);
    assert_addr(&rs.r[1].src, "10.1.0.3");
    assert_addr(&rs.r[2].dst, "10.1.0.6");
    ck_assert_uint_eq(rs.r[2].bytes, 10);
    assert_only(0);
}
END_TEST

/* A variable-length field whose length runs past the set: the records before it are booked,
 * the set ends, the case is counted. Also a 3-byte prefix cut inside its length. */
START_TEST(test_varlen_past_set)
{
    const struct nfenc_flow f = {.src4 = "10.1.0.1", .dst4 = "10.1.0.2", .proto = 6,
                                 .sport = 1, .dport = 80, .bytes = 234, .pkts = 3,
                                 .vrf = "a", .app = "b"};
    const struct nfenc_flow cut = {.src4 = "10.9.9.9", .dst4 = "10.9.9.8", .proto = 6,
                                   .sport = 1, .dport = 2, .bytes = 99, .pkts = 1};
    hdr(_i, 1);
    nfenc_shape_template_set(&m, NFENC_S_VARLEN, 304);
    nfenc_set_begin(&m, 304);
    nfenc_shape_record(&m, NFENC_S_VARLEN, &f);
    nfenc_shape_record_fixed(&m, NFENC_S_VARLEN, &cut);
    nfenc_u8(&m, 200); /* VRF name of 200 bytes in a set that has 3 left */
    nfenc_bytes(&m, "abc", 3);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 304);
    nfenc_shape_record(&m, NFENC_S_VARLEN, &f);
    nfenc_shape_record_fixed(&m, NFENC_S_VARLEN, &cut);
    nfenc_u8(&m, 255); /* 3-byte form cut after its first length byte */
    nfenc_u8(&m, 1);
    nfenc_set_end(&m);
    nfenc_finish(&m, 4);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    ck_assert_uint_eq(rs.r[0].bytes, 234);
    ck_assert_uint_eq(rs.r[1].bytes, 234);
    ck_assert_uint_eq(ctr(NF_R_RECORD_TRUNCATED), 2);
    assert_only(BIT(NF_R_RECORD_TRUNCATED));
}
END_TEST

/* 0 octets and 0 packets are booked as 0; a record without a packet counter books 0 packets
 * and is counted. */
START_TEST(test_counts_never_invented)
{
    const struct nfenc_flow z = {.src4 = "10.2.0.1", .dst4 = "10.2.0.2", .proto = 6,
                                 .sport = 1, .dport = 2, .bytes = 0, .pkts = 0};
    const struct nfenc_flow np = {.src4 = "10.2.0.3", .dst4 = "10.2.0.4", .proto = 17,
                                  .sport = 3, .dport = 4, .bytes = 1234};
    hdr(_i, 1);
    nfenc_shape_template_set(&m, NFENC_S_V4, 305);
    nfenc_shape_template_set(&m, NFENC_S_NOPKT, 306);
    nfenc_shape_data_set(&m, NFENC_S_V4, 305, &z, 1);
    nfenc_set_begin(&m, 306);
    nfenc_shape_record(&m, NFENC_S_NOPKT, &np);
    nfenc_shape_record(&m, NFENC_S_NOPKT, &np);
    nfenc_set_end(&m);
    nfenc_finish(&m, 5);
    feed();
    ck_assert_uint_eq(rs.n, 3);
    ck_assert_uint_eq(rs.r[0].bytes, 0);
    ck_assert_uint_eq(rs.r[0].packets, 0);
    ck_assert_uint_eq(rs.r[1].bytes, 1234);
    ck_assert_uint_eq(rs.r[1].packets, 0);
    const struct nf_exporter_info *e = info();
    ck_assert_uint_eq(e->no_packets, 2);
    ck_assert_uint_eq(e->packets, 0);
    ck_assert_uint_eq(e->bytes, 2468);
    assert_only(0);
}
END_TEST

Suite *shapes_suite(void);
Suite *shapes_suite(void)
{
    Suite *s = suite_create("nf_shapes");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_dual_family_per_record, 0, 2);
    tcase_add_loop_test(tc, test_dual_family_ip_version, 0, 2);
    tcase_add_loop_test(tc, test_single_family_not_counted, 0, 2);
    tcase_add_loop_test(tc, test_varlen_prefixes, 0, 2);
    tcase_add_loop_test(tc, test_varlen_past_set, 0, 2);
    tcase_add_loop_test(tc, test_counts_never_invented, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(shapes_suite());
}
