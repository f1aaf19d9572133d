/*
 * check_nf9.c - NetFlow v9 decoding (nf9.c with template.c and nf_fields.c) through the
 * collector, on messages built with nfenc: exact IPv4/IPv6 records, integer lengths, options
 * templates and sampling, held data (N9-11), redefinition (N9-16), separation (N9-17), times,
 * NSEL and ICMP. The malformed-input cases are in check_nf9_robust.c.
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
#include "nf9check.h"
#include "nfenc.h"
#include "template.h"

START_TEST(test_v4_record_exact)
{
    v9_hdr(1, 7);
    v9_tpl(256);
    v9_data(256, 1);
    nfenc_finish(&m, 2);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rs.n, 1);
    const struct flow_rec *r = &rs.r[0];
    assert_addr(&r->src, "10.0.0.1");
    assert_addr(&r->dst, "192.0.2.9");
    ck_assert_uint_eq(r->af, FLOW_AF_INET);
    ck_assert_uint_eq(r->sport, 1000);
    ck_assert_uint_eq(r->dport, 443);
    ck_assert_uint_eq(r->proto, 6);
    ck_assert_uint_eq(r->tcp_flags, 0x12);
    ck_assert_uint_eq(r->bytes, 1500);
    ck_assert_uint_eq(r->packets, 3);
    ck_assert_uint_eq(r->in_if, 3);
    ck_assert_uint_eq(r->out_if, 4);
    ck_assert_uint_eq(r->src_as, 64500);
    ck_assert_uint_eq(r->dst_as, 64501);
    ck_assert_int_eq(r->first_us, (int64_t)T0 * 1000000 - 10000000);
    ck_assert_int_eq(r->last_us, (int64_t)T0 * 1000000 - 1000000);
    ck_assert_uint_eq(r->domain, 7);
    ck_assert_uint_eq(r->sampling, 1);
    ck_assert(r->flags & FLOW_REC_EXPORTED);
    assert_addr(&r->exporter, "192.0.2.1");
    assert_only(0);
}
END_TEST

START_TEST(test_v6_record_exact)
{
    static const struct nfenc_field f[] = {{27, 16, 0}, {28, 16, 0}, {7, 2, 0}, {11, 2, 0},
                                           {4, 1, 0},   {1, 8, 0},   {2, 8, 0}};
    v9_hdr(1, 0);
    nfenc_template_set(&m, 300, f, 7);
    nfenc_set_begin(&m, 300);
    nfenc_v6(&m, "2001:db8::1");
    nfenc_v6(&m, "2001:db8:ffff::2");
    nfenc_u16(&m, 5353);
    nfenc_u16(&m, 53);
    nfenc_u8(&m, 17);
    nfenc_uint(&m, UINT64_C(0x100000000), 8);
    nfenc_uint(&m, 7, 8);
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    assert_addr(&rs.r[0].src, "2001:db8::1");
    assert_addr(&rs.r[0].dst, "2001:db8:ffff::2");
    ck_assert_uint_eq(rs.r[0].af, FLOW_AF_INET6);
    ck_assert_uint_eq(rs.r[0].proto, 17);
    ck_assert_uint_eq(rs.r[0].bytes, UINT64_C(0x100000000));
    ck_assert_uint_eq(rs.r[0].packets, 7);
    /* No time fields: the export time. */
    ck_assert_int_eq(rs.r[0].first_us, (int64_t)T0 * 1000000);
    assert_only(0);
}
END_TEST

/* Reduced-size encoding: the byte counter at every length 1..8. */
START_TEST(test_int_lengths)
{
    uint16_t len = (uint16_t)(_i + 1);
    const struct nfenc_field f[] = {{8, 4, 0}, {1, len, 0}, {2, 1, 0}};
    uint64_t v = len == 8 ? UINT64_C(0x0102030405060708) : (UINT64_C(1) << (8 * len - 1)) + 5;
    v9_hdr(1, 0);
    nfenc_template_set(&m, 256, f, 3);
    nfenc_set_begin(&m, 256);
    nfenc_v4(&m, "10.1.1.1");
    nfenc_uint(&m, v, len);
    nfenc_u8(&m, 1);
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(rs.r[0].bytes, v);
    assert_only(0);
}
END_TEST

/* Options template (scope: system) with SAMPLING_INTERVAL 100: later records are scaled. */
static void v9_sampling_options(uint32_t interval)
{
    static const struct nfenc_field f[] = {{1, 4, 0}, {34, 4, 0}, {35, 1, 0}};
    nfenc_set_begin(&m, 1);
    nfenc_options_template(&m, 257, f, 3, 1);
    nfenc_set_end_pad(&m, 4);
    nfenc_set_begin(&m, 257);
    nfenc_u32(&m, 0);
    nfenc_u32(&m, interval);
    nfenc_u8(&m, 2);
    nfenc_set_end_pad(&m, 4);
}

START_TEST(test_options_sampling_scales)
{
    v9_hdr(1, 0);
    v9_sampling_options(100);
    v9_tpl(256);
    v9_data(256, 2);
    nfenc_finish(&m, 5);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    ck_assert_uint_eq(rs.r[0].bytes, 150000);
    ck_assert_uint_eq(rs.r[0].packets, 300);
    ck_assert_uint_eq(rs.r[0].sampling, 100);
    assert_only(0);
}
END_TEST

/* Sampler options (48 FLOW_SAMPLER_ID, 49 mode, 50 random interval) and data naming it. */
START_TEST(test_sampler_id_options)
{
    static const struct nfenc_field of[] = {{2, 4, 0}, {48, 1, 0}, {49, 1, 0}, {50, 4, 0}};
    static const struct nfenc_field df[] = {{8, 4, 0}, {1, 4, 0}, {2, 4, 0}, {48, 1, 0}};
    v9_hdr(1, 0);
    nfenc_set_begin(&m, 1);
    nfenc_options_template(&m, 260, of, 4, 1);
    nfenc_set_end_pad(&m, 4);
    nfenc_set_begin(&m, 260);
    nfenc_u32(&m, 1);
    nfenc_u8(&m, 5);
    nfenc_u8(&m, 2);
    nfenc_u32(&m, 1000);
    nfenc_set_end(&m);
    nfenc_template_set(&m, 261, df, 4);
    nfenc_set_begin(&m, 261);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u32(&m, 10);
    nfenc_u32(&m, 1);
    nfenc_u8(&m, 5);
    nfenc_v4(&m, "10.0.0.2");
    nfenc_u32(&m, 10);
    nfenc_u32(&m, 1);
    nfenc_u8(&m, 6);
    nfenc_set_end(&m);
    nfenc_finish(&m, 4);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    ck_assert_uint_eq(rs.r[0].sampling, 1000);
    ck_assert_uint_eq(rs.r[0].bytes, 10000);
    ck_assert_uint_eq(rs.r[1].sampling, 1); /* unknown sampler 6 */
}
END_TEST

/* N9-15: interval 0 counts sampling_zero and means 1; 0xFFFFFFFF saturates in 64 bits. */
START_TEST(test_n9_15_sampling_zero_and_max)
{
    v9_hdr(1, 0);
    v9_sampling_options(0);
    v9_tpl(256);
    v9_data(256, 1);
    nfenc_finish(&m, 4);
    feed();
    ck_assert_uint_eq(ctr(NF_R_SAMPLING_ZERO), 1);
    ck_assert_uint_eq(rs.r[0].bytes, 1500);
    v9_hdr(2, 0);
    v9_sampling_options(0xFFFFFFFFu);
    nfenc_set_begin(&m, 256);
    v4_rec("10.0.0.1", 1, "10.0.0.2", 2, 0xFFFFFFFFu, 1);
    nfenc_set_end(&m);
    nfenc_finish(&m, 3);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    ck_assert_uint_eq(rs.r[1].bytes, (uint64_t)0xFFFFFFFFu * 0xFFFFFFFFu);
    ck_assert_uint_eq(rs.r[1].packets, 0xFFFFFFFFu);
}
END_TEST

/* Data before its template, in an earlier datagram: held, decoded when the template comes. */
START_TEST(test_held_then_decoded)
{
    v9_hdr(1, 0);
    v9_data(256, 2);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(rs.n, 0);
    ck_assert_uint_eq(ctr(NF_R_HELD), 1);
    v9_hdr(2, 0);
    v9_tpl(256);
    v9_data(256, 1);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(rs.n, 3);
    /* Held records first (arrival order), with their own header's clock. */
    ck_assert_uint_eq(rs.r[0].sport, 1000);
    ck_assert_uint_eq(rs.r[1].sport, 1001);
    ck_assert_uint_eq(rs.r[2].sport, 1000);
    assert_only(BIT(NF_R_HELD));
}
END_TEST

/* N9-11: data flowset before its template flowset in the same datagram. */
START_TEST(test_n9_11_template_after_data_same_datagram)
{
    v9_hdr(1, 0);
    v9_data(256, 2);
    v9_tpl(256);
    nfenc_finish(&m, 3);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    ck_assert_uint_eq(ctr(NF_R_HELD), 1);
    ck_assert_uint_eq(ctr(NF_R_NO_TEMPLATE), 0);
    ck_assert_uint_eq(nf_templates_count(col->tpl, exp_of("192.0.2.1", 0, 9)), 1);
}
END_TEST

/* N9-16: a redefinition replaces the layout; old-sized data is bounds-checked. */
START_TEST(test_n9_16_redefinition)
{
    static const struct nfenc_field f2[] = {{8, 4, 0}, {1, 2, 0}};
    v9_hdr(1, 0);
    v9_tpl(256);
    nfenc_finish(&m, 1);
    feed();
    v9_hdr(2, 0);
    nfenc_template_set(&m, 256, f2, 2);
    nfenc_set_begin(&m, 256);
    nfenc_v4(&m, "10.9.9.9");
    nfenc_u16(&m, 77);
    nfenc_set_end_pad(&m, 4);
    v9_data(256, 1); /* 38 bytes in the old layout: six 6-byte records, 2 bytes padding */
    nfenc_finish(&m, 3);
    feed();
    ck_assert_uint_eq(rs.n, 7);
    assert_addr(&rs.r[0].src, "10.9.9.9");
    ck_assert_uint_eq(rs.r[0].bytes, 77);
    ck_assert_uint_eq(rs.r[0].sport, 0);
    assert_only(0);
}
END_TEST

/* N9-17: the same template id from two exporters and from two source ids is kept apart. */
START_TEST(test_n9_17_kept_apart)
{
    static const struct nfenc_field small[] = {{8, 4, 0}, {1, 4, 0}};
    v9_hdr(1, 0);
    v9_tpl(256);
    nfenc_finish(&m, 1);
    feed_from("192.0.2.1", 2055, T0);
    v9_hdr(1, 1); /* same exporter, source id 1: a different layout under id 256 */
    nfenc_template_set(&m, 256, small, 2);
    nfenc_finish(&m, 1);
    feed_from("192.0.2.1", 2055, T0);
    v9_hdr(2, 0);
    v9_data(256, 1);
    nfenc_finish(&m, 1);
    feed_from("192.0.2.1", 2055, T0);
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(rs.r[0].bytes, 1500);
    /* A second exporter without templates: held, not decoded with the first one's. */
    feed_from("192.0.2.2", 2055, T0);
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(ctr(NF_R_HELD), 1);
    /* Source id 1 decodes with its own 8-byte layout: 38 bytes = 4 records + padding. */
    v9_hdr(2, 1);
    v9_data(256, 1);
    nfenc_finish(&m, 1);
    feed_from("192.0.2.1", 2055, T0);
    ck_assert_uint_eq(rs.n, 5);
    ck_assert_uint_eq(rs.r[1].domain, 1);
}
END_TEST

/* Uptime wrap: FIRST_SWITCHED just before 2^32, header uptime just after. */
START_TEST(test_uptime_wrap)
{
    static const struct nfenc_field f[] = {{8, 4, 0}, {22, 4, 0}, {21, 4, 0}};
    nfenc_v9(&m, 1000, T0, 1, 0);
    nfenc_template_set(&m, 256, f, 3);
    nfenc_set_begin(&m, 256);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u32(&m, 0xFFFFFFFFu - 999); /* 2000 ms before the header */
    nfenc_u32(&m, 500);               /* 500 ms before */
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_int_eq(rs.r[0].first_us, (int64_t)T0 * 1000000 - 2000000);
    ck_assert_int_eq(rs.r[0].last_us, (int64_t)T0 * 1000000 - 500000);
}
END_TEST

/* IE 150/151 absolute seconds and 152/153 milliseconds in v9. */
START_TEST(test_absolute_times)
{
    static const struct nfenc_field f[] = {{8, 4, 0}, {150, 4, 0}, {151, 4, 0}};
    v9_hdr(1, 0);
    nfenc_template_set(&m, 266, f, 3);
    nfenc_set_begin(&m, 266);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u32(&m, T0 - 60);
    nfenc_u32(&m, T0 - 30);
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_int_eq(rs.r[0].first_us, (int64_t)(T0 - 60) * 1000000);
    ck_assert_int_eq(rs.r[0].last_us, (int64_t)(T0 - 30) * 1000000);
}
END_TEST

/* Cisco ASA NSEL: initiator/responder octets without 1/2 -> forward + reverse record. */
START_TEST(test_nsel_initiator_responder)
{
    static const struct nfenc_field f[] = {{8, 4, 0},   {12, 4, 0},  {7, 2, 0},   {11, 2, 0},
                                           {4, 1, 0},   {231, 4, 0}, {232, 4, 0}, {298, 8, 0},
                                           {299, 8, 0}, {152, 8, 0}};
    v9_hdr(1, 0);
    nfenc_template_set(&m, 263, f, 10);
    nfenc_set_begin(&m, 263);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_v4(&m, "198.51.100.7");
    nfenc_u16(&m, 40000);
    nfenc_u16(&m, 80);
    nfenc_u8(&m, 6);
    nfenc_u32(&m, 500);
    nfenc_u32(&m, 9000);
    nfenc_uint(&m, 5, 8);
    nfenc_uint(&m, 8, 8);
    nfenc_uint(&m, (uint64_t)(T0 - 5) * 1000, 8);
    /* a flow-create event: no responder counts, no reverse record */
    nfenc_v4(&m, "10.0.0.2");
    nfenc_v4(&m, "198.51.100.7");
    nfenc_u16(&m, 40001);
    nfenc_u16(&m, 80);
    nfenc_u8(&m, 6);
    nfenc_u32(&m, 60);
    nfenc_u32(&m, 0);
    nfenc_uint(&m, 1, 8);
    nfenc_uint(&m, 0, 8);
    nfenc_uint(&m, (uint64_t)(T0 - 5) * 1000, 8);
    nfenc_set_end(&m);
    nfenc_finish(&m, 3);
    feed();
    ck_assert_uint_eq(rs.n, 3);
    ck_assert_uint_eq(rs.r[0].bytes, 500);
    ck_assert_uint_eq(rs.r[0].packets, 5);
    assert_addr(&rs.r[1].src, "198.51.100.7");
    assert_addr(&rs.r[1].dst, "10.0.0.1");
    ck_assert_uint_eq(rs.r[1].sport, 80);
    ck_assert_uint_eq(rs.r[1].dport, 40000);
    ck_assert_uint_eq(rs.r[1].bytes, 9000);
    ck_assert_uint_eq(rs.r[1].packets, 8);
    ck_assert_int_eq(rs.r[1].first_us, (int64_t)(T0 - 5) * 1000000);
    ck_assert_uint_eq(rs.r[2].bytes, 60);
}
END_TEST

/* ICMP: type/code from the destination port (Cisco) or from ICMP_TYPE (32). */
START_TEST(test_icmp)
{
    static const struct nfenc_field f[] = {{8, 4, 0}, {4, 1, 0}, {7, 2, 0}, {11, 2, 0}};
    static const struct nfenc_field g[] = {{8, 4, 0}, {4, 1, 0}, {32, 2, 0}};
    v9_hdr(1, 0);
    nfenc_template_set_begin(&m);
    nfenc_template(&m, 256, f, 4);
    nfenc_template(&m, 257, g, 3);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 256);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u8(&m, 1);
    nfenc_u16(&m, 0);
    nfenc_u16(&m, 0x0800);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 257);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u8(&m, 1);
    nfenc_u16(&m, 0x0303);
    nfenc_set_end(&m);
    nfenc_finish(&m, 4);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    ck_assert_uint_eq(rs.r[0].icmp_type, 0x0800);
    ck_assert_uint_eq(rs.r[0].dport, 0);
    ck_assert_uint_eq(rs.r[1].icmp_type, 0x0303);
}
END_TEST
static Suite *nf9_suite(void)
{
    Suite *s = suite_create("nf9");
    TCase *tc = tcase_create("decode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_v4_record_exact);
    tcase_add_test(tc, test_v6_record_exact);
    tcase_add_loop_test(tc, test_int_lengths, 0, 8);
    tcase_add_test(tc, test_options_sampling_scales);
    tcase_add_test(tc, test_sampler_id_options);
    tcase_add_test(tc, test_n9_15_sampling_zero_and_max);
    tcase_add_test(tc, test_held_then_decoded);
    tcase_add_test(tc, test_n9_11_template_after_data_same_datagram);
    tcase_add_test(tc, test_n9_16_redefinition);
    tcase_add_test(tc, test_n9_17_kept_apart);
    tcase_add_test(tc, test_uptime_wrap);
    tcase_add_test(tc, test_absolute_times);
    tcase_add_test(tc, test_nsel_initiator_responder);
    tcase_add_test(tc, test_icmp);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(nf9_suite());
}
