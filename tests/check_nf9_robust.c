/*
 * check_nf9_robust.c - every ROBUSTNESS N9-* malformed-input case for the NetFlow v9
 * decoder, each asserting the exact counter it must move (N9-11/15/16/17 are in check_nf9.c).
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

/* N9-01: the header count is not trusted either way. */
START_TEST(test_n9_01_count_ignored)
{
    v9_hdr(1, 0);
    v9_tpl(256);
    v9_data(256, 3);
    nfenc_finish(&m, 60000);
    feed();
    ck_assert_uint_eq(rs.n, 3);
    v9_hdr(2, 0);
    v9_data(256, 3);
    nfenc_finish(&m, 0);
    feed();
    ck_assert_uint_eq(rs.n, 6);
    assert_only(0);
}
END_TEST

/* N9-02: flowset length 0 stops the datagram. */
START_TEST(test_n9_02_set_len_zero)
{
    v9_hdr(1, 0);
    v9_tpl(256);
    nfenc_u16(&m, 256);
    nfenc_u16(&m, 0);
    v9_data(256, 1);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(ctr(NF_R_BAD_SET_LEN), 1);
    ck_assert_uint_eq(rs.n, 0);
}
END_TEST

/* N9-03: flowset length < 4, or past the datagram. */
START_TEST(test_n9_03_set_len_bad)
{
    v9_hdr(1, 0);
    v9_tpl(256);
    v9_data(256, 1);
    nfenc_u16(&m, 256);
    nfenc_u16(&m, 3);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(ctr(NF_R_BAD_SET_LEN), 1);
    ck_assert_uint_eq(rs.n, 1);
    v9_hdr(2, 0);
    size_t at = m.len;
    v9_data(256, 1);
    nfenc_put_u16_at(&m, at + 2, 200);
    nfenc_finish(&m, 1);
    feed();
    ck_assert_uint_eq(ctr(NF_R_BAD_SET_LEN), 2);
    ck_assert_uint_eq(rs.n, 1);
}
END_TEST

/* N9-04: a template with field count 0 is rejected. */
START_TEST(test_n9_04_zero_fields)
{
    v9_hdr(1, 0);
    nfenc_template_set(&m, 256, NULL, 0);
    nfenc_finish(&m, 1);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_BAD), 1);
    assert_only(BIT(NF_R_TPL_BAD));
}
END_TEST

/* N9-05: field count beyond the flowset, or above NF_MAX_FIELDS. */
START_TEST(test_n9_05_too_many_fields)
{
    v9_hdr(1, 0);
    nfenc_set_begin(&m, 0);
    nfenc_u16(&m, 256);
    nfenc_u16(&m, 12680);
    nfenc_u16(&m, 1);
    nfenc_u16(&m, 4);
    nfenc_set_end(&m);
    nfenc_finish(&m, 1);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_TOO_MANY_FIELDS), 1);

    struct nfenc_field f[NF_MAX_FIELDS + 1];
    for (size_t i = 0; i < NF_MAX_FIELDS + 1; i++)
        f[i] = (struct nfenc_field){1, 1, 0};
    v9_hdr(2, 0);
    nfenc_template_set_begin(&m);
    nfenc_template(&m, 257, f, NF_MAX_FIELDS + 1);
    nfenc_template(&m, 258, f, NF_MAX_FIELDS); /* the next template is still read */
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_TOO_MANY_FIELDS), 2);
    ck_assert_uint_eq(nf_templates_count(col->tpl, exp_of("192.0.2.1", 0, 9)), 1);
}
END_TEST

/* N9-06: every field of length 0. */
START_TEST(test_n9_06_zero_length_record)
{
    static const struct nfenc_field f[] = {{8, 0, 0}, {1, 0, 0}};
    v9_hdr(1, 0);
    nfenc_template_set(&m, 256, f, 2);
    nfenc_set_begin(&m, 256);
    nfenc_zeros(&m, 8);
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_BAD), 1);
    ck_assert_uint_eq(ctr(NF_R_HELD), 1);
    ck_assert_uint_eq(rs.n, 0);
}
END_TEST

/* N9-07: one zero-length field among normal ones is accepted and never read. */
START_TEST(test_n9_07_one_zero_length_field)
{
    static const struct nfenc_field f[] = {{8, 4, 0}, {12, 0, 0}, {1, 4, 0}};
    v9_hdr(1, 0);
    nfenc_template_set(&m, 256, f, 3);
    nfenc_set_begin(&m, 256);
    nfenc_v4(&m, "10.0.0.5");
    nfenc_u32(&m, 99);
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(rs.r[0].bytes, 99);
    assert_addr(&rs.r[0].dst, "0.0.0.0");
    assert_only(0);
}
END_TEST

/* N9-08: field length 65535 in v9 is a variable-length field (H3C/HPE NetStream send it
 * with an RFC 7011 length prefix, as Wireshark reads it): the template is learned and the
 * record read: the address, then "Gi0/1" behind its 1-byte length prefix, then 3 zero bytes
 * of padding (too short for a second record). */
START_TEST(test_n9_08_len_65535)
{
    static const struct nfenc_field f[] = {{8, 4, 0}, {82, 65535, 0}};
    v9_hdr(1, 0);
    nfenc_template_set(&m, 256, f, 2);
    nfenc_set_begin(&m, 256);
    nfenc_v4(&m, "10.0.0.7");
    nfenc_varlen(&m, "Gi0/1", 5, false);
    nfenc_zeros(&m, 3);
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_BAD), 0);
    ck_assert_uint_eq(rs.n, 1);
    assert_addr(&rs.r[0].src, "10.0.0.7");
    assert_only(0);
}
END_TEST

/* N9-09: IPv4 address of length 50, byte counter of length 9: opaque, skipped by length. */
START_TEST(test_n9_09_illegal_field_len)
{
    static const struct nfenc_field f[] = {{8, 50, 0}, {1, 9, 0}, {2, 4, 0}};
    v9_hdr(1, 0);
    nfenc_template_set(&m, 256, f, 3);
    nfenc_set_begin(&m, 256);
    nfenc_zeros(&m, 59);
    nfenc_u32(&m, 42);
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(ctr(NF_R_FIELD_LEN_MISMATCH), 2);
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(rs.r[0].packets, 42);
    ck_assert_uint_eq(rs.r[0].bytes, 0);
    ck_assert_uint_eq(rs.r[0].af, FLOW_AF_NONE);
}
END_TEST

/* N9-10: field lengths summing past 65535 (computed in size_t). */
START_TEST(test_n9_10_length_sum)
{
    static const struct nfenc_field f[] = {{82, 40000, 0}, {83, 40000, 0}};
    v9_hdr(1, 0);
    nfenc_template_set(&m, 256, f, 2);
    nfenc_finish(&m, 1);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_BAD), 1);
    assert_only(BIT(NF_R_TPL_BAD));
}
END_TEST

/* N9-12: padding shorter than a record at the end of a data flowset emits nothing. */
START_TEST(test_n9_12_padding)
{
    v9_hdr(1, 0);
    v9_tpl(256);
    nfenc_set_begin(&m, 256);
    v4_rec("10.0.0.1", 1, "10.0.0.2", 2, 10, 1);
    nfenc_zeros(&m, 37); /* one byte short of a record */
    nfenc_set_end(&m);
    nfenc_finish(&m, 2);
    feed();
    ck_assert_uint_eq(rs.n, 1);
    assert_only(0);
}
END_TEST

/* N9-13: flowset ids 2..255 are skipped. */
START_TEST(test_n9_13_reserved_set)
{
    v9_hdr(1, 0);
    nfenc_set_begin(&m, 2);
    nfenc_zeros(&m, 8);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 255);
    nfenc_set_end(&m);
    v9_tpl(256);
    v9_data(256, 1);
    nfenc_finish(&m, 4);
    feed();
    ck_assert_uint_eq(ctr(NF_R_RESERVED_SET), 2);
    ck_assert_uint_eq(rs.n, 1);
}
END_TEST

/* N9-14: options templates with scope length 0, lengths not multiples of 4, or past the
 * flowset. */
START_TEST(test_n9_14_bad_options_template)
{
    v9_hdr(1, 0);
    nfenc_set_begin(&m, 1);
    nfenc_u16(&m, 300);
    nfenc_u16(&m, 0);
    nfenc_u16(&m, 4); /* scope length 0 */
    nfenc_u16(&m, 34);
    nfenc_u16(&m, 4);
    nfenc_u16(&m, 301);
    nfenc_u16(&m, 4);
    nfenc_u16(&m, 6); /* option length 6 */
    nfenc_u16(&m, 1);
    nfenc_u16(&m, 4);
    nfenc_u16(&m, 34);
    nfenc_u16(&m, 4);
    nfenc_u16(&m, 9);
    nfenc_u16(&m, 302);
    nfenc_u16(&m, 4);
    nfenc_u16(&m, 400); /* past the flowset */
    nfenc_u16(&m, 1);
    nfenc_u16(&m, 4);
    nfenc_set_end(&m);
    nfenc_finish(&m, 3);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_BAD), 3);
    assert_only(BIT(NF_R_TPL_BAD));
}
END_TEST

/* N9-18: a sequence gap is counted (sequence maths is nf_collector's; v9 counts packets). */
START_TEST(test_n9_18_seq_gap)
{
    v9_hdr(10, 0);
    v9_tpl(256);
    nfenc_finish(&m, 1);
    feed();
    v9_hdr(14, 0); /* 11, 12, 13 lost */
    v9_data(256, 5);
    nfenc_finish(&m, 5);
    feed();
    ck_assert_uint_eq(ctr(NF_R_SEQ_GAP), 1);
    ck_assert_uint_eq(nf_collector_counters(col)->seq_lost, 3);
}
END_TEST

/* N9-19: sysUptime backwards: restart, templates stale but still used until replaced. */
START_TEST(test_n9_19_restart_stale)
{
    v9_hdr(1, 0);
    v9_tpl(256);
    nfenc_finish(&m, 1);
    feed();
    nfenc_v9(&m, 5000, T0, 2, 0);
    v9_data(256, 1);
    nfenc_finish(&m, 1);
    feed();
    ck_assert_uint_eq(ctr(NF_R_EXPORTER_RESTART), 1);
    ck_assert_uint_eq(rs.n, 1);
    const struct nf_tpl *t = nf_tpl_find(col->tpl, exp_of("192.0.2.1", 0, 9), 9, 256);
    ck_assert_ptr_nonnull(t);
    ck_assert(t->stale);
    nfenc_v9(&m, 6000, T0, 3, 0);
    v9_tpl(256);
    nfenc_finish(&m, 1);
    feed();
    t = nf_tpl_find(col->tpl, exp_of("192.0.2.1", 0, 9), 9, 256);
    ck_assert(!t->stale);
}
END_TEST

/* Truncated header and a datagram ending inside a flowset header. */
START_TEST(test_short_and_trailing)
{
    v9_hdr(1, 0);
    m.len = 19;
    ck_assert_int_lt(feed(), 0);
    ck_assert_uint_eq(ctr(NF_R_SHORT), 1);
    v9_hdr(1, 0);
    nfenc_zeros(&m, 3);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TRAILING_BYTES), 1);
}
END_TEST

static Suite *nf9_robust_suite(void)
{
    Suite *s = suite_create("nf9_robust");
    TCase *tc = tcase_create("decode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_n9_01_count_ignored);
    tcase_add_test(tc, test_n9_02_set_len_zero);
    tcase_add_test(tc, test_n9_03_set_len_bad);
    tcase_add_test(tc, test_n9_04_zero_fields);
    tcase_add_test(tc, test_n9_05_too_many_fields);
    tcase_add_test(tc, test_n9_06_zero_length_record);
    tcase_add_test(tc, test_n9_07_one_zero_length_field);
    tcase_add_test(tc, test_n9_08_len_65535);
    tcase_add_test(tc, test_n9_09_illegal_field_len);
    tcase_add_test(tc, test_n9_10_length_sum);
    tcase_add_test(tc, test_n9_12_padding);
    tcase_add_test(tc, test_n9_13_reserved_set);
    tcase_add_test(tc, test_n9_14_bad_options_template);
    tcase_add_test(tc, test_n9_18_seq_gap);
    tcase_add_test(tc, test_n9_19_restart_stale);
    tcase_add_test(tc, test_short_and_trailing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(nf9_robust_suite());
}
