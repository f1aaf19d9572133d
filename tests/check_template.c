/*
 * check_template.c - the v9/IPFIX template cache (template.c): expiry and refresh, limits
 * (count, bytes, fields), held data (release order, timeout, eviction for space), and what
 * happens to templates when an exporter is evicted or restarts.
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

static void setup_two_templates(void);
static void setup_one_template_of_bytes(void);
static void setup_small_held(void);
static void setup_one_exporter(void);

/* Five-field v9 template and records: 16 bytes each. */
static const struct nfenc_field f5[] = {{8, 4, 0}, {12, 4, 0}, {1, 4, 0}, {2, 2, 0}, {4, 2, 0}};

static void msg_tpl(uint32_t seq, uint16_t tid)
{
    nfenc_v9(&m, 100000 + seq, T0, seq, 0);
    nfenc_template_set(&m, tid, f5, 5);
    nfenc_finish(&m, 1);
}

static void msg_data(uint32_t seq, uint16_t tid, int n)
{
    nfenc_v9(&m, 100000 + seq, T0, seq, 0);
    nfenc_set_begin(&m, tid);
    for (int i = 0; i < n; i++) {
        nfenc_v4(&m, "10.0.0.1");
        nfenc_v4(&m, "10.0.0.2");
        nfenc_u32(&m, (uint32_t)(100 + i));
        nfenc_u16(&m, 1);
        nfenc_u16(&m, 6);
    }
    nfenc_set_end(&m);
    nfenc_finish(&m, (uint16_t)n);
}

static uint32_t ntpl(void)
{
    return nf_templates_count(col->tpl, exp_of("192.0.2.1", 0, 9));
}

START_TEST(test_expiry_and_refresh)
{
    msg_tpl(1, 256);
    feed_from("192.0.2.1", 2055, T0);
    msg_tpl(2, 257);
    feed_from("192.0.2.1", 2055, T0);
    ck_assert_uint_eq(ntpl(), 2);
    /* 257 refreshed 1000 s later (same layout: refresh, not a new template). */
    msg_tpl(3, 257);
    feed_from("192.0.2.1", 2055, T0 + 1000);
    ck_assert_uint_eq(ntpl(), 2);
    nf_collector_tick(col, (int64_t)(T0 + cfg.template_timeout_s) * 1000000);
    ck_assert_uint_eq(ntpl(), 2);
    nf_collector_tick(col, (int64_t)(T0 + cfg.template_timeout_s + 1) * 1000000);
    ck_assert_uint_eq(ntpl(), 1);
    msg_data(4, 256, 1);
    feed_from("192.0.2.1", 2055, T0 + cfg.template_timeout_s + 2);
    ck_assert_uint_eq(rs.n, 0);
    ck_assert_uint_eq(ctr(NF_R_HELD), 1);
    msg_data(5, 257, 1);
    feed_from("192.0.2.1", 2055, T0 + cfg.template_timeout_s + 2);
    ck_assert_uint_eq(rs.n, 1);
}
END_TEST

static void two_templates(struct nf_config *c)
{
    c->max_templates = 2;
}

static void setup_two_templates(void)
{
    setup_cfg(two_templates);
}

START_TEST(test_limit_count)
{
    static const struct nfenc_field other[] = {{8, 4, 0}, {1, 4, 0}};
    msg_tpl(1, 256);
    feed();
    msg_tpl(2, 257);
    feed();
    msg_tpl(3, 258);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_LIMIT), 1);
    ck_assert_uint_eq(ntpl(), 2);
    /* Refreshing or replacing a template already held still works when full. */
    msg_tpl(4, 257);
    feed();
    nfenc_v9(&m, 100005, T0, 5, 0);
    nfenc_template_set(&m, 256, other, 2);
    nfenc_finish(&m, 1);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_LIMIT), 1);
    ck_assert_uint_eq(nf_tpl_find(col->tpl, exp_of("192.0.2.1", 0, 9), 9, 256)->n_fields, 2);
}
END_TEST

static void one_template_of_bytes(struct nf_config *c)
{
    c->max_template_bytes = sizeof(struct nf_tpl) + 5 * sizeof(struct nf_tpl_field);
}

static void setup_one_template_of_bytes(void)
{
    setup_cfg(one_template_of_bytes);
}

START_TEST(test_limit_bytes)
{
    msg_tpl(1, 256);
    feed();
    msg_tpl(2, 257);
    feed();
    ck_assert_uint_eq(ctr(NF_R_TPL_LIMIT), 1);
    ck_assert_uint_eq(ntpl(), 1);
}
END_TEST

START_TEST(test_limit_fields)
{
    static struct nf_tpl_field f[NF_MAX_FIELDS + 1];
    const struct nf_tpl *t = NULL;
    struct nf_exporter *e = exp_of("192.0.2.1", 0, 10);
    for (size_t i = 0; i < NF_MAX_FIELDS + 1; i++)
        f[i] = (struct nf_tpl_field){.id = 1, .len = 1};
    ck_assert_int_lt(nf_tpl_learn(col, e, 10, 300, false, 0, f, NF_MAX_FIELDS + 1, &t), 0);
    ck_assert_uint_eq(ctr(NF_R_TPL_TOO_MANY_FIELDS), 1);
    ck_assert_int_eq(nf_tpl_learn(col, e, 10, 300, false, 0, f, NF_MAX_FIELDS, &t), 0);
    ck_assert_uint_eq(t->min_len, NF_MAX_FIELDS);
    /* Only the first octetDeltaCount has a meaning (IX-11). */
    ck_assert_uint_eq(t->f[0].sem, NFF_BYTES);
    ck_assert_uint_eq(t->f[1].sem, NFF_NONE);
}
END_TEST

START_TEST(test_held_timeout)
{
    msg_data(1, 256, 2);
    feed_from("192.0.2.1", 2055, T0);
    ck_assert_uint_eq(ctr(NF_R_HELD), 1);
    nf_collector_tick(col, (int64_t)(T0 + cfg.held_timeout_s) * 1000000);
    ck_assert_uint_eq(ctr(NF_R_NO_TEMPLATE), 0);
    nf_collector_tick(col, (int64_t)(T0 + cfg.held_timeout_s + 1) * 1000000);
    ck_assert_uint_eq(ctr(NF_R_NO_TEMPLATE), 1);
    msg_tpl(2, 256);
    feed_from("192.0.2.1", 2055, T0 + cfg.held_timeout_s + 2);
    ck_assert_uint_eq(rs.n, 0);
}
END_TEST

static void small_held(struct nf_config *c)
{
    c->max_held_bytes = 200; /* one 4-record set with its bookkeeping, not two */
}

static void setup_small_held(void)
{
    setup_cfg(small_held);
}

START_TEST(test_held_evicted_for_space)
{
    msg_data(1, 256, 4);
    feed();
    msg_data(2, 257, 4);
    feed();
    ck_assert_uint_eq(ctr(NF_R_HELD), 2);
    ck_assert_uint_eq(ctr(NF_R_NO_TEMPLATE), 1); /* the older set made room */
    msg_tpl(3, 256);
    feed();
    ck_assert_uint_eq(rs.n, 0);
    msg_tpl(4, 257);
    feed();
    ck_assert_uint_eq(rs.n, 4);
    /* A set larger than the whole budget is not held at all. */
    msg_data(5, 258, 12);
    feed();
    ck_assert_uint_eq(ctr(NF_R_HELD), 2);
    ck_assert_uint_eq(ctr(NF_R_NO_TEMPLATE), 2);
}
END_TEST

/* Held sets are released in arrival order, each with its own message's clock. */
START_TEST(test_held_order)
{
    msg_data(1, 256, 1);
    feed_from("192.0.2.1", 2055, T0);
    msg_data(2, 256, 2);
    feed_from("192.0.2.1", 2055, T0);
    msg_tpl(3, 256);
    feed_from("192.0.2.1", 2055, T0);
    ck_assert_uint_eq(rs.n, 3);
    ck_assert_uint_eq(rs.r[0].bytes, 100);
    ck_assert_uint_eq(rs.r[1].bytes, 100);
    ck_assert_uint_eq(rs.r[2].bytes, 101);
    assert_addr(&rs.r[2].dst, "10.0.0.2");
    assert_only(BIT(NF_R_HELD));
}
END_TEST

/* Exporter eviction drops its templates and held data (counted as no_template). */
static void one_exporter(struct nf_config *c)
{
    c->max_exporters = 1;
}

static void setup_one_exporter(void)
{
    setup_cfg(one_exporter);
}

START_TEST(test_drop_on_exporter_eviction)
{
    msg_tpl(1, 256);
    feed_from("192.0.2.1", 2055, T0);
    msg_data(2, 257, 1);
    feed_from("192.0.2.1", 2055, T0);
    msg_tpl(1, 256);
    feed_from("192.0.2.2", 2055, T0);
    ck_assert_uint_eq(ctr(NF_R_EXPORTER_LIMIT), 1);
    ck_assert_uint_eq(ctr(NF_R_NO_TEMPLATE), 1);
    ck_assert_uint_eq(nf_templates_count(col->tpl, exp_of("192.0.2.2", 0, 9)), 1);
}
END_TEST

START_TEST(test_mark_stale_and_drop_direct)
{
    msg_tpl(1, 256);
    feed();
    struct nf_exporter *e = exp_of("192.0.2.1", 0, 9);
    nf_templates_mark_stale(col->tpl, e);
    ck_assert(nf_tpl_find(col->tpl, e, 9, 256)->stale);
    msg_data(2, 256, 1);
    feed();
    ck_assert_uint_eq(rs.n, 1); /* stale templates still decode */
    nf_templates_drop(col->tpl, e);
    ck_assert_uint_eq(nf_templates_count(col->tpl, e), 0);
    nf_templates_drop(col->tpl, e); /* twice: harmless */
}
END_TEST

static Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("default");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_expiry_and_refresh);
    tcase_add_test(tc, test_limit_fields);
    tcase_add_test(tc, test_held_timeout);
    tcase_add_test(tc, test_held_order);
    tcase_add_test(tc, test_mark_stale_and_drop_direct);
    suite_add_tcase(s, tc);
#define TC_WITH(name, adjust, test)                                                                \
    do {                                                                                           \
        TCase *t_ = tcase_create(name);                                                            \
        tcase_add_checked_fixture(t_, setup_##adjust, teardown);                                   \
        tcase_add_test(t_, test);                                                                  \
        suite_add_tcase(s, t_);                                                                    \
    } while (0)
    TC_WITH("limit_count", two_templates, test_limit_count);
    TC_WITH("limit_bytes", one_template_of_bytes, test_limit_bytes);
    TC_WITH("held_space", small_held, test_held_evicted_for_space);
    TC_WITH("eviction", one_exporter, test_drop_on_exporter_eviction);
    return s;
}

int main(void)
{
    return check_run(template_suite());
}
