/*
 * check_tpl_quota.c - one exporter cannot starve the others of templates or held data
 * (template.c's quotas and fair shares).
 *
 * The flood of the field report: 5,000 IPFIX templates from one address, each in its own
 * datagram, then a normal router's one template and one data record of 1,000,000 bytes. The
 * router's record must be booked exactly; the flood must show on the greedy exporter's own
 * row (recycled templates), never on the router's. Then the same with the pool filled by
 * several greedy domains, with a router that was there first, and with held data.
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

#define GREEDY "203.0.113.66"
#define ROUTER "198.51.100.1"

/* src, dst, octets (8), packets (8), protocol */
static const struct nfenc_field flds[] = {{8, 4, 0}, {12, 4, 0}, {1, 8, 0}, {2, 8, 0}, {4, 1, 0}};

static void msg_template(uint32_t domain, uint32_t seq, uint16_t tid)
{
    nfenc_ipfix(&m, T0, seq, domain);
    nfenc_template_set(&m, tid, flds, 5);
    nfenc_finish(&m, 0);
}

static void msg_data(uint32_t domain, uint32_t seq, uint16_t tid, const char *src, uint64_t bytes,
                     uint64_t packets)
{
    nfenc_ipfix(&m, T0, seq, domain);
    nfenc_set_begin(&m, tid);
    nfenc_v4(&m, src);
    nfenc_v4(&m, "192.0.2.200");
    nfenc_uint(&m, bytes, 8);
    nfenc_uint(&m, packets, 8);
    nfenc_u8(&m, 6);
    nfenc_set_end(&m);
    nfenc_finish(&m, 0);
}

/* The collector's public view of exporter ip (port 2055) and domain. */
static struct nf_exporter_info info_of(const char *ip, uint32_t domain)
{
    static struct nf_exporter_info all[64];
    struct flow_addr a;
    flow_addr_parse(ip, &a);
    size_t n = nf_collector_exporters(col, all, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        if (all[i].domain == domain && flow_addr_eq(&all[i].addr, &a))
            return all[i];
    ck_abort_msg("exporter %s domain %u not found", ip, domain);
    return all[0];
}

/* The router's template and record; its record must come out whole. */
static void router_books_exactly(uint32_t seq)
{
    size_t before = rs.n;
    msg_template(1, seq, 300);
    ck_assert_int_eq(feed_from(ROUTER, 2055, T0), 0);
    msg_data(1, seq, 300, "10.9.9.9", 1000000, 1000);
    ck_assert_int_eq(feed_from(ROUTER, 2055, T0), 0);
    ck_assert_uint_eq(rs.n, before + 1);
    ck_assert_uint_eq(rs.r[before].bytes, 1000000);
    ck_assert_uint_eq(rs.r[before].packets, 1000);
    assert_addr(&rs.r[before].src, "10.9.9.9");
    struct nf_exporter_info r = info_of(ROUTER, 1);
    ck_assert_uint_eq(r.tpl_refused, 0);
    ck_assert_uint_eq(r.tpl_recycled, 0);
    ck_assert_uint_eq(r.templates, 1);
}

START_TEST(test_flood_then_router)
{
    for (uint32_t i = 0; i < 5000; i++) {
        msg_template(0, i, (uint16_t)(256 + i));
        ck_assert_int_eq(feed_from(GREEDY, 2055, T0), 0);
    }
    struct nf_exporter_info g = info_of(GREEDY, 0);
    ck_assert_uint_eq(g.templates, cfg.tpl_quota);
    ck_assert_uint_eq(g.tpl_recycled, 5000 - cfg.tpl_quota);
    ck_assert_uint_eq(g.tpl_refused, 0);
    ck_assert_uint_eq(ctr(NF_R_TPL_RECYCLED), 5000 - cfg.tpl_quota);
    ck_assert_uint_eq(ctr(NF_R_TPL_LIMIT), 0);
    /* the greedy exporter keeps its newest templates: the last one still decodes */
    msg_data(0, 5000, 256 + 4999, "10.6.6.6", 40, 1);
    feed_from(GREEDY, 2055, T0);
    ck_assert_uint_eq(rs.n, 1);
    router_books_exactly(1);
}
END_TEST

/* Four domains of the greedy address fill the whole pool (4 x 1,024 = 4,096). */
static void fill_pool(void)
{
    uint32_t per = cfg.max_templates / 4;
    for (uint32_t d = 0; d < 4; d++)
        for (uint32_t i = 0; i < per; i++) {
            msg_template(100 + d, i, (uint16_t)(256 + i));
            ck_assert_int_eq(feed_from(GREEDY, 2055, T0), 0);
        }
}

START_TEST(test_full_pool_gives_room)
{
    fill_pool();
    ck_assert_uint_eq(ctr(NF_R_TPL_RECYCLED), 0);
    router_books_exactly(1);
    ck_assert_uint_eq(ctr(NF_R_TPL_RECYCLED), 1); /* one greedy template made room */
    uint64_t recycled = 0;
    for (uint32_t d = 0; d < 4; d++)
        recycled += info_of(GREEDY, 100 + d).tpl_recycled;
    ck_assert_uint_eq(recycled, 1);
}
END_TEST

START_TEST(test_first_router_keeps_its_templates)
{
    router_books_exactly(1);
    fill_pool();
    /* the flood recycled only the greedy domains' own templates */
    struct nf_exporter_info r = info_of(ROUTER, 1);
    ck_assert_uint_eq(r.templates, 1);
    ck_assert_uint_eq(r.tpl_recycled, 0);
    size_t before = rs.n;
    msg_data(1, 2, 300, "10.9.9.9", 1000000, 1000);
    feed_from(ROUTER, 2055, T0);
    ck_assert_uint_eq(rs.n, before + 1);
    ck_assert_uint_eq(rs.r[before].bytes, 1000000);
    /* a greedy domain asking for more than the router holds is refused, not served from
     * the router */
    ck_assert_uint_eq(ctr(NF_R_TPL_LIMIT), 1);
    uint64_t refused = 0;
    for (uint32_t d = 0; d < 4; d++)
        refused += info_of(GREEDY, 100 + d).tpl_refused;
    ck_assert_uint_eq(refused, 1);
}
END_TEST

START_TEST(test_held_data_fair)
{
    /* the greedy exporter sends data for templates that never come, far past its share */
    uint32_t sets = 0;
    for (uint32_t i = 0; i < 20000; i++, sets++) {
        msg_data(0, i, (uint16_t)(256 + i % 1000), "10.6.6.6", 40, 1);
        feed_from(GREEDY, 2055, T0);
    }
    struct nf_exporter_info g = info_of(GREEDY, 0);
    ck_assert_uint_gt(g.held_dropped, 0);
    ck_assert_uint_eq(ctr(NF_R_HELD), sets);
    ck_assert_uint_eq(ctr(NF_R_NO_TEMPLATE), g.held_dropped);
    /* the router's data arrives before its template, is held, and is booked once the
     * template comes */
    size_t before = rs.n;
    msg_data(1, 1, 300, "10.9.9.9", 1000000, 1000);
    feed_from(ROUTER, 2055, T0);
    ck_assert_uint_eq(rs.n, before);
    msg_template(1, 2, 300);
    feed_from(ROUTER, 2055, T0);
    ck_assert_uint_eq(rs.n, before + 1);
    ck_assert_uint_eq(rs.r[before].bytes, 1000000);
    ck_assert_uint_eq(info_of(ROUTER, 1).held_dropped, 0);
}
END_TEST

static void no_quota(struct nf_config *c)
{
    c->tpl_quota = 0;
    c->tpl_quota_bytes = 0;
    c->held_quota_bytes = 0;
}

static void setup_no_quota(void)
{
    setup_cfg(no_quota);
}

/* Without quotas the pool alone bounds one exporter, and a newcomer still gets room from
 * whoever holds the most. */
START_TEST(test_no_quota_fair_share)
{
    for (uint32_t i = 0; i < 5000; i++) {
        msg_template(0, i, (uint16_t)(256 + i));
        feed_from(GREEDY, 2055, T0);
    }
    struct nf_exporter_info g = info_of(GREEDY, 0);
    ck_assert_uint_eq(g.templates, cfg.max_templates);
    ck_assert_uint_eq(g.tpl_refused, 5000 - cfg.max_templates);
    router_books_exactly(1);
    ck_assert_uint_eq(info_of(GREEDY, 0).tpl_recycled, 1);
}
END_TEST

static Suite *quota_suite(void)
{
    Suite *s = suite_create("template_quota");
    TCase *tc = tcase_create("default");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_flood_then_router);
    tcase_add_test(tc, test_full_pool_gives_room);
    tcase_add_test(tc, test_first_router_keeps_its_templates);
    tcase_add_test(tc, test_held_data_fair);
    suite_add_tcase(s, tc);
    TCase *nq = tcase_create("no_quota");
    tcase_set_timeout(nq, 60);
    tcase_add_checked_fixture(nq, setup_no_quota, teardown);
    tcase_add_test(nq, test_no_quota_fair_share);
    suite_add_tcase(s, nq);
    return s;
}

int main(void)
{
    return check_run(quota_suite());
}
