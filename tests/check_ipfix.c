/*
 * check_ipfix.c - IPFIX decoding (ipfix.c with template.c and nf_fields.c) through the
 * collector, on messages built with nfenc: exact records, variable-length and enterprise
 * fields, withdrawals, reverse elements, times, sampling, and every ROBUSTNESS IX-* case that
 * belongs to the decoder, with the counter it must move.
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
#include "template.h"

/* A plain IPv4 template with millisecond times: 45-byte records. */
static const struct nfenc_field v4f[] = {{8, 4, 0}, {12, 4, 0}, {7, 2, 0},   {11, 2, 0}, {4, 1, 0},
                                         {1, 8, 0}, {2, 8, 0},  {152, 8, 0}, {153, 8, 0}};
#define NV4 (sizeof v4f / sizeof v4f[0])

static void ix_tpl(uint16_t tid)
{
    nfenc_template_set(&m, tid, v4f, NV4);
}

static void ix_rec(const char *src, uint16_t sport, uint64_t bytes)
{
    nfenc_v4(&m, src);
    nfenc_v4(&m, "192.0.2.80");
    nfenc_u16(&m, sport);
    nfenc_u16(&m, 443);
    nfenc_u8(&m, 6);
    nfenc_uint(&m, bytes, 8);
    nfenc_uint(&m, 2, 8);
    nfenc_uint(&m, (uint64_t)T0 * 1000 - 4500, 8);
    nfenc_uint(&m, (uint64_t)T0 * 1000 - 1500, 8);
}

static void ix_data(uint16_t tid, int n)
{
    nfenc_set_begin(&m, tid);
    for (int i = 0; i < n; i++)
        ix_rec("10.0.0.1", (uint16_t)(2000 + i), 100);
    nfenc_set_end(&m);
}

START_TEST(test_v4_record_exact)
{
    nfenc_ipfix(&m, T0, 0, 5);
    ix_tpl(256);
    ix_data(256, 1);
    nfenc_finish(&m, 0);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rs.n, 1);
    const struct flow_rec *r = &rs.r[0];
    assert_addr(&r->src, "10.0.0.1");
    assert_addr(&r->dst, "192.0.2.80");
    ck_assert_uint_eq(r->sport, 2000);
    ck_assert_uint_eq(r->dport, 443);
    ck_assert_uint_eq(r->proto, 6);
    ck_assert_uint_eq(r->bytes, 100);
    ck_assert_uint_eq(r->packets, 2);
    ck_assert_int_eq(r->first_us, (int64_t)T0 * 1000000 - 4500000);
    ck_assert_int_eq(r->last_us, (int64_t)T0 * 1000000 - 1500000);
    ck_assert_uint_eq(r->domain, 5);
    assert_only(0);
}
END_TEST

START_TEST(test_v6_record_and_enterprise_skipped)
{
    static const struct nfenc_field f[] = {
        {27, 16, 0}, {28, 16, 0}, {1, 4, 0}, {1, 4, 9}, {100, NFENC_VARLEN, 6871}, {2, 2, 0}};
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set(&m, 400, f, 6);
    nfenc_set_begin(&m, 400);
    nfenc_v6(&m, "2001:db8::10");
    nfenc_v6(&m, "fe80::1");
    nfenc_u32(&m, 1234);
    nfenc_u32(&m, 999999); /* PEN 9 element 1: not octetDeltaCount */
    nfenc_varlen(&m, "abc", 3, false);
    nfenc_u16(&m, 4);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    assert_addr(&rs.r[0].src, "2001:db8::10");
    assert_addr(&rs.r[0].dst, "fe80::1");
    ck_assert_uint_eq(rs.r[0].af, FLOW_AF_INET6);
    ck_assert_uint_eq(rs.r[0].bytes, 1234);
    ck_assert_uint_eq(rs.r[0].packets, 4);
    assert_only(0);
}
END_TEST

/* IX-01: message length < 16, > datagram (dropped), < datagram (parsed up to it). */
START_TEST(test_ix_01_message_length)
{
    nfenc_ipfix(&m, T0, 0, 0);
    ix_tpl(256);
    nfenc_finish(&m, 0);
    nfenc_put_u16_at(&m, 2, 15);
    ck_assert_int_lt(feed(), 0);
    nfenc_put_u16_at(&m, 2, (uint16_t)(m.len + 1));
    ck_assert_int_lt(feed(), 0);
    ck_assert_uint_eq(ctr(NF_R_BAD_LENGTH), 2);
    nfenc_finish(&m, 0);
    size_t msg = m.len;
    ix_data(256, 1); /* after the message: never read */
    nfenc_put_u16_at(&m, 2, (uint16_t)msg);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(ctr(NF_R_TRAILING_BYTES), 1);
    ck_assert_uint_eq(rs.n, 0);
    ck_assert_uint_eq(nf_templates_count(col->tpl, exp_of("192.0.2.1", 0, 10)), 1);
}
END_TEST

/* IX-02: set ids 0, 1, 4..255 are skipped. */
START_TEST(test_ix_02_reserved_sets)
{
    static const uint16_t ids[] = {0, 1, 4, 255};
    nfenc_ipfix(&m, T0, 0, 0);
    for (size_t i = 0; i < 4; i++) {
        nfenc_set_begin(&m, ids[i]);
        nfenc_zeros(&m, 4);
        nfenc_set_end(&m);
    }
    ix_tpl(256);
    ix_data(256, 1);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_RESERVED_SET), 4);
    ck_assert_uint_eq(rs.n, 1);
}
END_TEST

/* IX-03: a withdrawal-looking record with 1..3 bytes left does not underflow. */
START_TEST(test_ix_03_withdrawal_short)
{
    for (int left = 1; left <= 3; left++) {
        nfenc_ipfix(&m, T0, 0, 0);
        ix_tpl(256);
        nfenc_set_begin(&m, 2);
        nfenc_withdraw(&m, 300);
        nfenc_zeros(&m, (size_t)left);
        nfenc_set_end(&m);
        nfenc_finish(&m, 0);
        ck_assert_int_eq(feed(), 0);
    }
    ck_assert_uint_eq(nf_templates_count(col->tpl, exp_of("192.0.2.1", 0, 10)), 1);
    assert_only(0);
}
END_TEST

/* IX-04: withdraw one; withdraw all (2) and all options (3); withdraw an unknown id. */
START_TEST(test_ix_04_withdrawal)
{
    static const struct nfenc_field of[] = {{149, 4, 0}, {305, 4, 0}};
    struct nf_exporter *e = exp_of("192.0.2.1", 0, 10);
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set_begin(&m);
    nfenc_template(&m, 256, v4f, NV4);
    nfenc_template(&m, 257, v4f, NV4);
    nfenc_template(&m, 258, v4f, NV4);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 3);
    nfenc_options_template(&m, 259, of, 2, 1);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(nf_templates_count(col->tpl, e), 4);

    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_set_begin(&m, 2);
    nfenc_withdraw(&m, 257);
    nfenc_withdraw(&m, 999); /* unknown: harmless */
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(nf_templates_count(col->tpl, e), 3);
    ck_assert_ptr_null(nf_tpl_find(col->tpl, e, 10, 257));
    ix_data(257, 1); /* withdrawn: held */
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_HELD), 1);

    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_set_begin(&m, 2);
    nfenc_withdraw(&m, 2);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(nf_templates_count(col->tpl, e), 1);
    ck_assert_ptr_nonnull(nf_tpl_find(col->tpl, e, 10, 259));

    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_set_begin(&m, 3);
    nfenc_withdraw(&m, 3);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(nf_templates_count(col->tpl, e), 0);
    assert_only(BIT(NF_R_HELD));
}
END_TEST

/* IX-05: template id below 256. */
START_TEST(test_ix_05_low_template_id)
{
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set_begin(&m);
    nfenc_template(&m, 255, v4f, NV4);
    nfenc_template(&m, 256, v4f, NV4); /* the next record is still read */
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_BAD), 1);
    ck_assert_uint_eq(nf_templates_count(col->tpl, exp_of("192.0.2.1", 0, 10)), 1);
}
END_TEST

/* IX-06: enterprise bit set, PEN cut off by the set end. */
START_TEST(test_ix_06_pen_cut)
{
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_set_begin(&m, 2);
    nfenc_u16(&m, 256);
    nfenc_u16(&m, 2);
    nfenc_u16(&m, 8);
    nfenc_u16(&m, 4);
    nfenc_u16(&m, 0x8001);
    nfenc_u16(&m, 4);
    nfenc_u16(&m, 0); /* two of the four PEN bytes */
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_BAD), 1);
    ck_assert_uint_eq(nf_templates_count(col->tpl, exp_of("192.0.2.1", 0, 10)), 0);
}
END_TEST

/* IX-07: RFC 5103 reverse elements (PEN 29305) are the reverse direction, never aliased. */
START_TEST(test_ix_07_reverse_elements)
{
    static const struct nfenc_field f[] = {{8, 4, 0},     {12, 4, 0},   {7, 2, 0},  {11, 2, 0},
                                           {4, 1, 0},     {85, 8, 0},   {86, 8, 0}, {1, 8, 29305},
                                           {2, 8, 29305}, {8, 4, 29305}};
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set(&m, 300, f, 10);
    nfenc_set_begin(&m, 300);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_v4(&m, "10.0.0.2");
    nfenc_u16(&m, 5000);
    nfenc_u16(&m, 53);
    nfenc_u8(&m, 17);
    nfenc_uint(&m, 132, 8);
    nfenc_uint(&m, 2, 8);
    nfenc_uint(&m, 200, 8);
    nfenc_uint(&m, 3, 8);
    nfenc_v4(&m, "10.9.9.9"); /* reverse sourceIPv4Address: not the forward source */
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    assert_addr(&rs.r[0].src, "10.0.0.1");
    ck_assert_uint_eq(rs.r[0].bytes, 132);
    ck_assert_uint_eq(rs.r[0].packets, 2);
    assert_addr(&rs.r[1].src, "10.0.0.2");
    assert_addr(&rs.r[1].dst, "10.0.0.1");
    ck_assert_uint_eq(rs.r[1].sport, 53);
    ck_assert_uint_eq(rs.r[1].dport, 5000);
    ck_assert_uint_eq(rs.r[1].bytes, 200);
    ck_assert_uint_eq(rs.r[1].packets, 3);
    assert_only(0);
}
END_TEST

/* Records with reverse counters become two records each, built in place in the collector's
 * batch (nf_slot): a pair that straddles the batch's end must come out whole and in order.
 * The first record has no reverse counters (one record), so the pairs start at odd places. */
START_TEST(test_reverse_pairs_across_batches)
{
    static const struct nfenc_field f[] = {{8, 4, 0},  {12, 4, 0},     {7, 2, 0},
                                           {11, 2, 0}, {4, 1, 0},      {1, 8, 0},
                                           {2, 8, 0},  {1, 8, 29305}, {2, 8, 29305}};
    enum { N = 101 }; /* 1 + 2 * 100 records: pairs straddle the ends of 64-record batches */
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set(&m, 301, f, 9);
    nfenc_set_begin(&m, 301);
    for (int i = 0; i < N; i++) {
        nfenc_v4(&m, "10.0.0.1");
        nfenc_v4(&m, "10.0.0.2");
        nfenc_u16(&m, (uint16_t)(1000 + i));
        nfenc_u16(&m, 443);
        nfenc_u8(&m, 6);
        nfenc_uint(&m, 1000 + (uint64_t)i, 8);
        nfenc_uint(&m, 10 + (uint64_t)i, 8);
        nfenc_uint(&m, i ? 5000 + (uint64_t)i : 0, 8);
        nfenc_uint(&m, i ? 50 + (uint64_t)i : 0, 8);
    }
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rs.n, 2 * N - 1);
    for (int i = 0; i < N; i++) {
        const struct flow_rec *fw = &rs.r[i ? 2 * i - 1 : 0], *rv = fw + 1;
        assert_addr(&fw->src, "10.0.0.1");
        ck_assert_uint_eq(fw->sport, 1000 + i);
        ck_assert_uint_eq(fw->bytes, 1000 + (uint64_t)i);
        ck_assert_uint_eq(fw->packets, 10 + (uint64_t)i);
        if (!i)
            continue;
        assert_addr(&rv->src, "10.0.0.2");
        ck_assert_uint_eq(rv->dport, 1000 + i);
        ck_assert_uint_eq(rv->bytes, 5000 + (uint64_t)i);
        ck_assert_uint_eq(rv->packets, 50 + (uint64_t)i);
        ck_assert(rv->flags & FLOW_REC_EXPORTED);
    }
    assert_only(0);
}
END_TEST

/* Variable-length template: source address, a string, packets. */
static const struct nfenc_field vf[] = {{8, 4, 0}, {96, NFENC_VARLEN, 0}, {2, 4, 0}};

static void ix_varlen_tpl(void)
{
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set(&m, 310, vf, 3);
    nfenc_set_begin(&m, 310);
}

/* IX-08 (valid prefixes): 1-byte 0, 1-byte 254, 3-byte 0, 3-byte 300. */
START_TEST(test_ix_08_varlen_valid)
{
    static uint8_t big[300];
    ix_varlen_tpl();
    nfenc_v4(&m, "10.0.0.1");
    nfenc_varlen(&m, NULL, 0, false);
    nfenc_u32(&m, 1);
    nfenc_v4(&m, "10.0.0.2");
    nfenc_varlen(&m, big, 254, false);
    nfenc_u32(&m, 2);
    nfenc_v4(&m, "10.0.0.3");
    nfenc_varlen(&m, NULL, 0, true);
    nfenc_u32(&m, 3);
    nfenc_v4(&m, "10.0.0.4");
    nfenc_varlen(&m, big, 300, true);
    nfenc_u32(&m, 4);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_uint_eq(rs.r[i].packets, i + 1);
    assert_addr(&rs.r[3].src, "10.0.0.4");
    assert_only(0);
}
END_TEST

/* IX-08 (bad prefixes): 255 + 65535 beyond the set; 255 with one byte left; a 1-byte length
 * past the set. Each stops the set with record_truncated, earlier records kept. */
START_TEST(test_ix_08_varlen_bad)
{
    ix_varlen_tpl();
    nfenc_v4(&m, "10.0.0.1");
    nfenc_varlen(&m, NULL, 0, false);
    nfenc_u32(&m, 1);
    nfenc_v4(&m, "10.0.0.2");
    nfenc_u8(&m, 255);
    nfenc_u16(&m, 65535);
    nfenc_zeros(&m, 10);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(ctr(NF_R_RECORD_TRUNCATED), 1);

    /* Variable field last: 255 and then one byte where two length bytes belong. */
    static const struct nfenc_field last[] = {{8, 4, 0}, {2, 4, 0}, {96, NFENC_VARLEN, 0}};
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set(&m, 311, last, 3);
    nfenc_set_begin(&m, 311);
    nfenc_v4(&m, "10.0.0.2");
    nfenc_u32(&m, 1);
    nfenc_u8(&m, 255);
    nfenc_u8(&m, 0);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_RECORD_TRUNCATED), 2);

    ix_varlen_tpl();
    nfenc_v4(&m, "10.0.0.2");
    nfenc_u8(&m, 200);
    nfenc_zeros(&m, 20);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_RECORD_TRUNCATED), 3);
    ck_assert_uint_eq(rs.n, 1);
}
END_TEST

/* IX-09: records made only of zero-length variable fields consume one byte each. */
START_TEST(test_ix_09_only_empty_varlen)
{
    static const struct nfenc_field f[] = {{96, NFENC_VARLEN, 0}, {82, NFENC_VARLEN, 0}};
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set(&m, 320, f, 2);
    nfenc_set_begin(&m, 320);
    nfenc_zeros(&m, 10);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 5);
    assert_only(0);
}
END_TEST

/* IX-10: options template with scope count 0, or scope count > field count. */
START_TEST(test_ix_10_bad_scope_count)
{
    static const struct nfenc_field of[] = {{149, 4, 0}, {305, 4, 0}};
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_set_begin(&m, 3);
    nfenc_options_template(&m, 400, of, 2, 0);
    nfenc_options_template(&m, 401, of, 2, 3);
    nfenc_options_template(&m, 402, of, 2, 1);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_BAD), 2);
    ck_assert_uint_eq(nf_templates_count(col->tpl, exp_of("192.0.2.1", 0, 10)), 1);
}
END_TEST

/* IX-11: a repeated element: the first occurrence wins. */
START_TEST(test_ix_11_repeated_ie)
{
    static const struct nfenc_field f[] = {{8, 4, 0}, {1, 4, 0}, {8, 4, 0}, {1, 4, 0}};
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set(&m, 330, f, 4);
    nfenc_set_begin(&m, 330);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u32(&m, 11);
    nfenc_v4(&m, "10.0.0.2");
    nfenc_u32(&m, 22);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    assert_addr(&rs.r[0].src, "10.0.0.1");
    ck_assert_uint_eq(rs.r[0].bytes, 11);
}
END_TEST

/* Sampling options: samplingPacketInterval/Space (rate 1 + 99 / 1 = 100) with selectorId,
 * and systemInitTimeMilliseconds for 21/22-relative times. */
static void ix_options(uint32_t seq, uint32_t interval, uint32_t space)
{
    static const struct nfenc_field of[] = {{302, 4, 0}, {305, 4, 0}, {306, 4, 0}};
    nfenc_ipfix(&m, T0, seq, 0);
    nfenc_set_begin(&m, 3);
    nfenc_options_template(&m, 500, of, 3, 1);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 500);
    nfenc_u32(&m, 7);
    nfenc_u32(&m, interval);
    nfenc_u32(&m, space);
    nfenc_set_end(&m);
}

START_TEST(test_sampling_packet_interval)
{
    static const struct nfenc_field f[] = {{8, 4, 0}, {1, 4, 0}, {2, 4, 0}, {302, 1, 0}};
    ix_options(0, 1, 99);
    nfenc_template_set(&m, 501, f, 4);
    nfenc_set_begin(&m, 501);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u32(&m, 10);
    nfenc_u32(&m, 1);
    nfenc_u8(&m, 7);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u32(&m, 10);
    nfenc_u32(&m, 1);
    nfenc_u8(&m, 8);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    ck_assert_uint_eq(rs.r[0].sampling, 100);
    ck_assert_uint_eq(rs.r[0].bytes, 1000);
    ck_assert_uint_eq(rs.r[1].sampling, 1);
}
END_TEST

START_TEST(test_sysinit_relative_times)
{
    static const struct nfenc_field of[] = {{144, 4, 0}, {160, 8, 0}};
    static const struct nfenc_field f[] = {{8, 4, 0}, {22, 4, 0}, {21, 4, 0}};
    const uint64_t init_ms = (uint64_t)(T0 - 3600) * 1000;
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_set_begin(&m, 3);
    nfenc_options_template(&m, 510, of, 2, 1);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 510);
    nfenc_u32(&m, 1);
    nfenc_uint(&m, init_ms, 8);
    nfenc_set_end(&m);
    nfenc_template_set(&m, 511, f, 3);
    nfenc_set_begin(&m, 511);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u32(&m, 3000000);
    nfenc_u32(&m, 3500000);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_int_eq(rs.r[0].first_us, (int64_t)(init_ms + 3000000) * 1000);
    ck_assert_int_eq(rs.r[0].last_us, (int64_t)(init_ms + 3500000) * 1000);
}
END_TEST

/* 154..157 NTP timestamps and 158/159 delta microseconds before the export time. */
START_TEST(test_ntp_and_delta_times)
{
    static const struct nfenc_field f[] = {{8, 4, 0}, {154, 8, 0}, {157, 8, 0}};
    static const struct nfenc_field g[] = {{8, 4, 0}, {158, 4, 0}, {159, 4, 0}};
    const uint64_t ntp_s = (uint64_t)T0 - 10 + UINT64_C(2208988800);
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_template_set_begin(&m);
    nfenc_template(&m, 520, f, 3);
    nfenc_template(&m, 521, g, 3);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 520);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_uint(&m, ntp_s << 32 | UINT64_C(0x80000000), 8); /* .5 s */
    nfenc_uint(&m, (ntp_s + 2) << 32, 8);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 521);
    nfenc_v4(&m, "10.0.0.1");
    nfenc_u32(&m, 3000000);
    nfenc_u32(&m, 250);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    ck_assert_int_eq(rs.r[0].first_us, (int64_t)(T0 - 10) * 1000000 + 500000);
    ck_assert_int_eq(rs.r[0].last_us, (int64_t)(T0 - 8) * 1000000);
    ck_assert_int_eq(rs.r[1].first_us, (int64_t)T0 * 1000000 - 3000000);
    ck_assert_int_eq(rs.r[1].last_us, (int64_t)T0 * 1000000 - 250);
}
END_TEST

/* Data before its template in the same message, and in an earlier message. */
START_TEST(test_held_data)
{
    nfenc_ipfix(&m, T0, 0, 0);
    ix_data(256, 2);
    ix_tpl(256);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    ck_assert_uint_eq(ctr(NF_R_HELD), 1);
    nfenc_ipfix(&m, T0, 2, 0);
    ix_data(257, 1);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 2);
    nfenc_ipfix(&m, T0, 3, 0);
    ix_tpl(257);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 3);
    /* Message 2's count was unknown when it came: resynchronised, no false gap. */
    ck_assert_uint_eq(ctr(NF_R_SEQ_GAP), 0);
    assert_only(BIT(NF_R_HELD));
}
END_TEST

/* IX-13: the sequence number counts data records, options data records included
 * (RFC 7011 section 3.1; the real Cisco export in testdata/ipfix/pmacct/112 does). */
START_TEST(test_ix_13_sequence_with_options)
{
    ix_options(100, 1, 0);
    ix_tpl(256);
    ix_data(256, 3);
    nfenc_finish(&m, 0);
    feed(); /* 1 options data record + 3 data records */
    nfenc_ipfix(&m, T0, 104, 0);
    ix_data(256, 2);
    nfenc_finish(&m, 0);
    feed();
    nfenc_ipfix(&m, T0, 106, 0);
    nfenc_set_begin(&m, 500);
    nfenc_u32(&m, 7);
    nfenc_u32(&m, 1);
    nfenc_u32(&m, 0);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
    feed();
    nfenc_ipfix(&m, T0, 107, 0);
    ix_data(256, 1);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_SEQ_GAP), 0);
    nfenc_ipfix(&m, T0, 110, 0); /* 108, 109 lost */
    ix_data(256, 1);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_SEQ_GAP), 1);
    ck_assert_uint_eq(nf_collector_counters(col)->seq_lost, 2);
}
END_TEST

/* Template records cut short (fields past the set), and a set length past the message. */
START_TEST(test_template_and_set_truncated)
{
    nfenc_ipfix(&m, T0, 0, 0);
    nfenc_set_begin(&m, 2);
    nfenc_u16(&m, 256);
    nfenc_u16(&m, 3);
    nfenc_u16(&m, 8);
    nfenc_u16(&m, 4);
    nfenc_set_end(&m);
    size_t at = m.len;
    ix_data(256, 1);
    nfenc_put_u16_at(&m, at + 2, 1000);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_BAD), 1);
    ck_assert_uint_eq(ctr(NF_R_BAD_SET_LEN), 1);
    ck_assert_uint_eq(rs.n, 0);
}
END_TEST

START_TEST(test_short_header)
{
    nfenc_ipfix(&m, T0, 0, 0);
    m.len = 15;
    ck_assert_int_lt(feed(), 0);
    ck_assert_uint_eq(ctr(NF_R_SHORT), 1);
}
END_TEST

static Suite *ipfix_suite(void)
{
    Suite *s = suite_create("ipfix");
    TCase *tc = tcase_create("decode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_v4_record_exact);
    tcase_add_test(tc, test_v6_record_and_enterprise_skipped);
    tcase_add_test(tc, test_ix_01_message_length);
    tcase_add_test(tc, test_ix_02_reserved_sets);
    tcase_add_test(tc, test_ix_03_withdrawal_short);
    tcase_add_test(tc, test_ix_04_withdrawal);
    tcase_add_test(tc, test_ix_05_low_template_id);
    tcase_add_test(tc, test_ix_06_pen_cut);
    tcase_add_test(tc, test_ix_07_reverse_elements);
    tcase_add_test(tc, test_reverse_pairs_across_batches);
    tcase_add_test(tc, test_ix_08_varlen_valid);
    tcase_add_test(tc, test_ix_08_varlen_bad);
    tcase_add_test(tc, test_ix_09_only_empty_varlen);
    tcase_add_test(tc, test_ix_10_bad_scope_count);
    tcase_add_test(tc, test_ix_11_repeated_ie);
    tcase_add_test(tc, test_sampling_packet_interval);
    tcase_add_test(tc, test_sysinit_relative_times);
    tcase_add_test(tc, test_ntp_and_delta_times);
    tcase_add_test(tc, test_held_data);
    tcase_add_test(tc, test_ix_13_sequence_with_options);
    tcase_add_test(tc, test_template_and_set_truncated);
    tcase_add_test(tc, test_short_header);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(ipfix_suite());
}
