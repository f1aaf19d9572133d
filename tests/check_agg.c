/*
 * check_agg.c - the aggregator, its tables and top-N selection.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/agg.h"
#include "flowdrill/flow_table.h"
#include "flowdrill/service.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/topn.h"
#include "checkrun.h"
#include "recs.h"
#include "rowsum.h"

#define T0 1700000000u

static struct service_db *svc;
static struct localnet ln;

static void setup(void)
{
    svc = service_db_new(false);
    localnet_init(&ln);
    localnet_add_cidr(&ln, "10.0.0.0/8");
}

static void teardown(void)
{
    service_db_free(svc);
}

static struct agg *new_agg(uint32_t max_flows, uint32_t max_hosts)
{
    struct agg_limits l;
    agg_limits_default(&l);
    l.max_flows = max_flows;
    l.max_hosts = max_hosts;
    l.max_pairs = max_hosts;
    return agg_new(&l, &ln, svc, 42);
}

static void add1(struct agg *a, struct flow_rec r)
{
    agg_add(a, &r, 1);
}

/* Find a row by its key text. */
static const struct topn_row *row_by_key(struct topn_row *rows, size_t n, const char *key)
{
    struct flow_addr x;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].table == AGG_T_HOST && flow_addr_parse(key, &x) == 0 &&
            memcmp(rows[i].key.raw, x.b, 16) == 0)
            return &rows[i];
        if (rows[i].table == AGG_T_APP && strcmp((const char *)rows[i].key.raw, key) == 0)
            return &rows[i];
    }
    return NULL;
}

START_TEST(test_pairing_both_directions)
{
    struct agg *a = new_agg(1000, 1000);
    add1(a, recs_make("10.0.0.1", 50000, "192.0.2.7", 443, 6, 100, T0));
    add1(a, recs_make("192.0.2.7", 443, "10.0.0.1", 50000, 6, 1500, T0));
    add1(a, recs_make("192.0.2.7", 443, "10.0.0.1", 50000, 6, 1500, T0));
    agg_finish(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.flows, 1);
    ck_assert_uint_eq(t.active_flows, 1);
    ck_assert_uint_eq(t.bytes, 3100);
    ck_assert_uint_eq(t.packets, 3);
    ck_assert_uint_eq(t.bytes_dir[FLOW_DIR_OUT], 100);
    ck_assert_uint_eq(t.bytes_dir[FLOW_DIR_IN], 3000);

    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_FLOW, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(rows[0].bytes_dir[0], 100); /* initiator (first packet's source) = a */
    ck_assert_uint_eq(rows[0].bytes_dir[1], 3000);
    ck_assert_uint_eq(rows[0].key.flow.pa, 50000);
    free(rows);

    n = topn_select(a, AGG_T_HOST, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 2);
    const struct topn_row *h = row_by_key(rows, n, "10.0.0.1");
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(h->bytes, 3100);
    ck_assert_uint_eq(h->bytes_dir[0], 100);  /* sent */
    ck_assert_uint_eq(h->bytes_dir[1], 3000); /* received */
    ck_assert_uint_eq(h->flows, 1);
    ck_assert_uint_eq(h->aux, 1); /* one peer */
    ck_assert(h->flags & STAT_F_LOCAL);
    free(rows);

    n = topn_select(a, AGG_T_PORT, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(rows[0].key.raw[0] << 8 | rows[0].key.raw[1], 443);
    ck_assert_uint_eq(rows[0].bytes_dir[0], 100);  /* to the service */
    ck_assert_uint_eq(rows[0].bytes_dir[1], 3000); /* from it */
    free(rows);

    n = topn_select(a, AGG_T_APP, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq((const char *)rows[0].key.raw, "https");
    free(rows);
    agg_free(a);
}
END_TEST

START_TEST(test_distinct_protocols_are_distinct_flows)
{
    struct agg *a = new_agg(1000, 1000);
    add1(a, recs_make("10.0.0.1", 53, "10.0.0.2", 53, 17, 80, T0));
    add1(a, recs_make("10.0.0.1", 53, "10.0.0.2", 53, 6, 80, T0));
    add1(a, recs_make("10.0.0.1", 0, "10.0.0.2", 0, 1, 84, T0));
    add1(a, recs_make("2001:db8::1", 0, "2001:db8::2", 0, 58, 104, T0));
    agg_finish(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.flows, 4);
    ck_assert_uint_eq(t.bytes_dir[FLOW_DIR_INTERNAL], 80 + 80 + 84);
    ck_assert_uint_eq(t.bytes_dir[FLOW_DIR_TRANSIT], 104);
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_APP, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_ptr_nonnull(row_by_key(rows, n, "icmp"));
    ck_assert_ptr_nonnull(row_by_key(rows, n, "icmp6"));
    ck_assert_ptr_nonnull(row_by_key(rows, n, "domain"));
    free(rows);
    agg_free(a);
}
END_TEST

START_TEST(test_fragments_count_on_hosts_not_ports)
{
    struct agg *a = new_agg(1000, 1000);
    add1(a, recs_make("10.0.0.1", 5000, "10.0.0.2", 53, 17, 1500, T0));
    struct flow_rec frag = recs_make("10.0.0.1", 0, "10.0.0.2", 0, 17, 700, T0);
    frag.flags = FLOW_REC_NO_PORTS | FLOW_REC_FRAGMENT;
    add1(a, frag);
    agg_finish(a);
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_HOST, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(row_by_key(rows, n, "10.0.0.1")->bytes, 2200);
    free(rows);
    n = topn_select(a, AGG_T_PORT, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(rows[0].bytes, 1500);
    free(rows);
    n = topn_select(a, AGG_T_PROTO, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(rows[0].bytes, 2200);
    free(rows);
    agg_free(a);
}
END_TEST

START_TEST(test_rate_windows)
{
    struct agg *a = new_agg(1000, 1000);
    /* 1000 bytes in each of 10 seconds, then silence */
    for (uint32_t s = 0; s < 10; s++)
        add1(a, recs_make("10.0.0.1", 1000, "10.0.0.2", 22, 6, 1000, T0 + s));
    agg_advance(a, T0 + 10);
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_HOST, TOPN_SORT_RATE2, 0, &rows);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(rows[0].win_secs[0], 2);
    ck_assert_uint_eq(rows[0].win[0], 2000);
    ck_assert_uint_eq(topn_row_rate_bps(&rows[0], 0), 8000);
    ck_assert_uint_eq(rows[0].win_secs[1], 10);
    ck_assert_uint_eq(rows[0].win[1], 10000);
    ck_assert_uint_eq(topn_row_rate_bps(&rows[0], 1), 8000);
    ck_assert_uint_eq(rows[0].win_secs[2], 10); /* only 10 s of data so far */
    ck_assert_uint_eq(topn_row_rate_bps(&rows[0], 2), 8000);
    free(rows);
    ck_assert_uint_eq(agg_total_window(a, 2), 2000);

    /* 5 seconds later: the 2 s window is empty, the 10 s one holds 5 seconds */
    agg_advance(a, T0 + 15);
    n = topn_select(a, AGG_T_HOST, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(rows[0].win[0], 0);
    ck_assert_uint_eq(rows[0].win[1], 5000);
    ck_assert_uint_eq(rows[0].win[2], 10000);
    ck_assert_uint_eq(rows[0].win_secs[2], 15);
    free(rows);

    /* flows keep a 2 s window */
    add1(a, recs_make("10.0.0.1", 1000, "10.0.0.2", 22, 6, 300, T0 + 15));
    agg_advance(a, T0 + 16);
    n = topn_select(a, AGG_T_FLOW, TOPN_SORT_RATE2, 0, &rows);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(rows[0].win[0], 300);
    ck_assert_uint_eq(rows[0].win_secs[1], 0);
    free(rows);

    /* 100 s later everything has left the history; totals stay */
    agg_advance(a, T0 + 200);
    n = topn_select(a, AGG_T_PAIR, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(rows[0].win[2], 0);
    ck_assert_uint_eq(rows[0].bytes, 10300);
    free(rows);
    agg_free(a);
}
END_TEST

START_TEST(test_late_and_early_records)
{
    struct agg *a = new_agg(1000, 1000);
    add1(a, recs_make("10.0.0.1", 1, "10.0.0.2", 2, 17, 100, T0 + 5));
    /* older than now: booked into now, never lost */
    add1(a, recs_make("10.0.0.1", 1, "10.0.0.2", 2, 17, 100, T0));
    agg_finish(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.bytes, 200);
    ck_assert_uint_eq(agg_total_window(a, 1), 200);
    agg_free(a);
}
END_TEST

START_TEST(test_idle_expiry)
{
    struct agg_limits l;
    agg_limits_default(&l);
    l.idle_timeout = 5;
    struct agg *a = agg_new(&l, &ln, svc, 1);
    add1(a, recs_make("10.0.0.1", 1, "10.0.0.2", 2, 17, 100, T0));
    agg_advance(a, T0 + 3);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.active_flows, 1);
    agg_advance(a, T0 + 10);
    agg_totals(a, &t);
    ck_assert_uint_eq(t.active_flows, 0);
    ck_assert_uint_eq(t.expired_flows, 1);
    /* the same 5-tuple again is a new flow; host totals keep adding up */
    add1(a, recs_make("10.0.0.1", 1, "10.0.0.2", 2, 17, 100, T0 + 11));
    agg_finish(a);
    agg_totals(a, &t);
    ck_assert_uint_eq(t.flows, 2);
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_HOST, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(row_by_key(rows, n, "10.0.0.2")->bytes, 200);
    ck_assert_uint_eq(row_by_key(rows, n, "10.0.0.2")->flows, 2);
    free(rows);
    agg_free(a);
}
END_TEST

/* A host talking to itself (src == dst) is booked once in every table, captured (the
 * ICMP echo of linux_dlt_sll2.pcap: 2 x 84 bytes -> 168 bytes, 2 packets) and exported
 * (an nProbe record 0.0.0.0 -> 0.0.0.0), and as the first or a later report of its
 * conversation; an exported record of 0 packets books 0 packets (never 1). _i % 3: 0 capture,
 * 1 export, 2 export after a capture of the same conversation; _i / 3: ICMP, TCP (which has
 * a port row too). */
START_TEST(test_self_talk_booked_once)
{
    struct agg *a = new_agg(1000, 1000);
    int mode = _i % 3;
    uint8_t proto = _i < 3 ? 1 : 6;
    uint16_t sp = proto == 6 ? 40000 : 0, dp = proto == 6 ? 80 : 0;
    const char *h = mode == 1 ? "0.0.0.0" : "192.0.2.1";
    for (int i = 0; i < 2; i++) {
        struct flow_rec r = recs_make(h, sp, h, dp, proto, 84, T0);
        if (mode == 1 || (mode == 2 && i == 1)) {
            r.flags = FLOW_REC_EXPORTED;
            flow_addr_parse("198.51.100.9", &r.exporter);
            r.in_if = 3;
            r.out_if = 4;
        }
        add1(a, r);
    }
    struct flow_rec z = recs_make(h, sp, h, dp, proto, 0, T0); /* 0 octets, 0 packets */
    z.packets = 0;
    z.flags = FLOW_REC_EXPORTED;
    flow_addr_parse("198.51.100.9", &z.exporter);
    add1(a, z);
    agg_finish(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.bytes, 168);
    ck_assert_uint_eq(t.packets, 2);
    static const enum agg_table tabs[] = {AGG_T_HOST, AGG_T_PAIR,  AGG_T_APP,
                                          AGG_T_PROTO, AGG_T_FLOW, AGG_T_PORT};
    for (size_t i = 0; i < sizeof tabs / sizeof tabs[0] - (proto != 6); i++) {
        uint64_t p, f;
        ck_assert_msg(rowsum(a, tabs[i], &p, &f) == 168, "%s: %llu bytes",
                      agg_table_name(tabs[i]),
                      (unsigned long long)rowsum(a, tabs[i], NULL, NULL));
        ck_assert_msg(p == 2, "%s: %llu packets", agg_table_name(tabs[i]),
                      (unsigned long long)p);
        if (tabs[i] != AGG_T_FLOW)
            ck_assert_msg(f == 1, "%s: %llu flows", agg_table_name(tabs[i]),
                          (unsigned long long)f);
    }
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_HOST, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(rows[0].bytes_dir[0], 168); /* sent once, as the pair's a->b */
    ck_assert_uint_eq(rows[0].bytes_dir[1], 0);
    ck_assert_uint_eq(rows[0].aux, 1); /* its one peer: itself */
    free(rows);
    if (mode) { /* the exporter row books every exported byte once */
        uint64_t p;
        ck_assert_uint_eq(rowsum(a, AGG_T_EXPORTER, &p, NULL), mode == 1 ? 168 : 84);
        ck_assert_uint_eq(p, mode == 1 ? 2 : 1);
    }
    agg_free(a);
}
END_TEST

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void rand_addr(char *buf, size_t len, unsigned range)
{
    unsigned x = (unsigned)(rnd() % range);
    snprintf(buf, len, "198.%u.%u.%u", 18 + (x >> 16 & 1), x >> 8 & 255, x & 255);
}

START_TEST(test_sums_are_consistent)
{
    struct agg *a = new_agg(100000, 100000);
    uint64_t self_bytes = 0, self_pkts = 0; /* a host talking to itself is booked once */
    for (int i = 0; i < 20000; i++) {
        char s[32], d[32];
        rand_addr(s, sizeof s, 300);
        rand_addr(d, sizeof d, 300);
        uint8_t proto = (uint8_t[]){6, 17, 1, 47}[rnd() % 4];
        uint64_t len = 40 + rnd() % 1460;
        if (strcmp(s, d) == 0) {
            self_bytes += len;
            self_pkts++;
        }
        add1(a, recs_make(s, (uint16_t)(rnd() % 5 + 1000), d, (uint16_t)(rnd() % 3 + 80), proto,
                          len, T0 + (uint32_t)(i / 1000)));
    }
    agg_finish(a);
    struct agg_totals t;
    agg_totals(a, &t);
    uint64_t p;
    ck_assert_uint_gt(self_pkts, 0); /* the model covers self-talk */
    ck_assert_uint_eq(rowsum(a, AGG_T_HOST, &p, NULL), 2 * t.bytes - self_bytes);
    ck_assert_uint_eq(p, 2 * t.packets - self_pkts);
    ck_assert_uint_eq(rowsum(a, AGG_T_PAIR, &p, NULL), t.bytes);
    ck_assert_uint_eq(rowsum(a, AGG_T_PROTO, &p, NULL), t.bytes);
    ck_assert_uint_eq(p, t.packets);
    ck_assert_uint_eq(rowsum(a, AGG_T_APP, NULL, NULL), t.bytes);
    ck_assert_uint_eq(rowsum(a, AGG_T_FLOW, &p, NULL), t.bytes);
    ck_assert_uint_eq(p, t.packets);
    ck_assert_uint_eq(t.packets, 20000);
    agg_free(a);
}
END_TEST

static int naive_cmp(const void *x, const void *y)
{
    const struct topn_row *a = x, *b = y;
    if (a->packets != b->packets)
        return a->packets > b->packets ? -1 : 1;
    return memcmp(a->key.raw, b->key.raw, STAT_KEY_MAX);
}

START_TEST(test_topn_matches_naive_sort)
{
    struct agg *a = new_agg(100000, 100000);
    for (int i = 0; i < 5000; i++) {
        char s[32];
        rand_addr(s, sizeof s, 2000);
        add1(a, recs_make(s, 1, "10.9.9.9", 2, 17, 100, T0));
    }
    agg_finish(a);
    struct topn_row *all, *top;
    size_t n_all = topn_select(a, AGG_T_HOST, TOPN_SORT_PACKETS, 0, &all);
    qsort(all, n_all, sizeof *all, naive_cmp);
    for (size_t k = 1; k <= 64; k *= 2) {
        size_t n = topn_select(a, AGG_T_HOST, TOPN_SORT_PACKETS, k, &top);
        ck_assert_uint_eq(n, k);
        for (size_t i = 0; i < n; i++) {
            ck_assert_uint_eq(top[i].packets, all[i].packets);
            ck_assert_mem_eq(top[i].key.raw, all[i].key.raw, 16);
        }
        free(top);
    }
    /* asking for more rows than exist gives them all */
    size_t n = topn_select(a, AGG_T_HOST, TOPN_SORT_PACKETS, n_all + 10, &top);
    ck_assert_uint_eq(n, n_all);
    free(top);
    free(all);
    agg_free(a);
}
END_TEST

START_TEST(test_eviction_under_flood)
{
    struct agg *a = new_agg(256, 128);
    for (int i = 0; i < 100000; i++) {
        char s[32], d[32];
        rand_addr(s, sizeof s, 1u << 17);
        rand_addr(d, sizeof d, 1u << 17);
        add1(a, recs_make(s, (uint16_t)rnd(), d, (uint16_t)rnd(), 6, 60, T0 + (uint32_t)(i / 5000)));
        /* a heavy hitter: 1 % of the records, much bigger */
        if (i % 100 == 0)
            add1(a, recs_make("10.1.1.1", 40000, "203.0.113.9", 443, 6, 1500,
                              T0 + (uint32_t)(i / 5000)));
    }
    agg_finish(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_le(t.active_flows, 256);
    ck_assert_uint_gt(t.evicted[AGG_T_FLOW], 90000);
    ck_assert_uint_le(t.rows[AGG_T_HOST], 129);
    ck_assert_uint_gt(t.evicted[AGG_T_HOST] + t.folded[AGG_T_HOST], 0);
    /* nothing is lost: every byte is in some row, "other" included */
    uint64_t p;
    ck_assert_uint_eq(rowsum(a, AGG_T_HOST, &p, NULL), 2 * t.bytes);
    ck_assert_uint_eq(p, 2 * t.packets);
    ck_assert_uint_eq(rowsum(a, AGG_T_PAIR, NULL, NULL), t.bytes);
    ck_assert_uint_eq(t.packets, 101000);
    /* the heavy hitter stays on top */
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_HOST, TOPN_SORT_BYTES, 3, &rows);
    ck_assert_uint_ge(n, 2);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= row_by_key(rows + i, 1, "10.1.1.1") != NULL;
    ck_assert(found);
    free(rows);
    /* memory stays bounded: under 200 bytes per conversation in the flow table */
    agg_free(a);
}
END_TEST

START_TEST(test_flow_table_memory_per_flow)
{
    struct flow_table *ft = flow_table_new(1u << 16, 7);
    struct flow_rec r = recs_make("10.0.0.1", 1, "10.0.0.2", 2, 6, 1, T0);
    for (uint32_t i = 0; i < (1u << 16); i++) {
        r.sport = (uint16_t)i;
        r.dport = (uint16_t)(i >> 3);
        uint32_t h = flow_table_hash(ft, &r);
        int dir;
        if (flow_table_find(ft, &r, h, &dir) == FLOW_NONE)
            flow_table_insert(ft, &r, h);
    }
    ck_assert_uint_eq(flow_table_count(ft), 1u << 16);
    ck_assert_uint_lt(flow_table_memory(ft) / flow_table_count(ft), 200);
    /* remove half, find the rest, in both directions */
    for (uint32_t i = 0; i < (1u << 16); i += 2) {
        r.sport = (uint16_t)i;
        r.dport = (uint16_t)(i >> 3);
        int dir;
        uint32_t idx = flow_table_find(ft, &r, flow_table_hash(ft, &r), &dir);
        ck_assert_uint_ne(idx, FLOW_NONE);
        flow_table_remove(ft, idx);
    }
    for (uint32_t i = 1; i < (1u << 16); i += 2) {
        struct flow_rec rev = recs_make("10.0.0.2", (uint16_t)(i >> 3), "10.0.0.1", (uint16_t)i,
                                        6, 1, T0);
        int dir = -1;
        ck_assert_uint_ne(flow_table_find(ft, &rev, flow_table_hash(ft, &rev), &dir), FLOW_NONE);
        ck_assert_int_eq(dir, 1);
    }
    ck_assert_uint_eq(flow_table_count(ft), 1u << 15);
    flow_table_free(ft);
}
END_TEST

START_TEST(test_huge_record_does_not_overflow)
{
    struct agg *a = new_agg(1000, 1000);
    struct flow_rec r = recs_make("10.0.0.1", 1, "10.0.0.2", 2, 17, 10000000000ULL, T0);
    r.packets = 5000000000ULL;
    add1(a, r);
    add1(a, r);
    agg_finish(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.bytes, 20000000000ULL);
    ck_assert_uint_eq(t.packets, 10000000000ULL);
    agg_free(a);
}
END_TEST

START_TEST(test_stat_table_evicts_into_other)
{
    struct stat_table *t = stat_table_new(4, 4, 9);
    bool created;
    uint32_t keys[6] = {1, 2, 3, 4, 5, 6};
    for (int i = 0; i < 4; i++) {
        uint32_t idx = stat_table_get(t, &keys[i], T0, &created);
        ck_assert(created);
        stat_table_add(t, idx, T0, (uint64_t)(i + 1) * 100, 1, 0, 0);
    }
    ck_assert_uint_eq(stat_table_count(t), 5);
    /* full: the fifth key evicts the lightest unreferenced row into "other" */
    uint32_t idx = stat_table_get(t, &keys[4], T0, &created);
    ck_assert(created);
    ck_assert_uint_ne(idx, STAT_OTHER);
    ck_assert_uint_eq(stat_table_evicted(t), 1);
    ck_assert_uint_gt(stat_table_entry(t, STAT_OTHER)->bytes[0], 0);
    ck_assert_uint_eq(stat_table_find(t, &keys[4]), idx);
    /* with every row referenced, a new key folds into "other" */
    for (uint32_t i = 1; i < stat_table_slots(t); i++)
        if (stat_table_entry(t, i)->flags & STAT_F_USED)
            stat_table_ref(t, i);
    ck_assert_uint_eq(stat_table_get(t, &keys[5], T0, &created), STAT_OTHER);
    ck_assert(!created);
    ck_assert_uint_eq(stat_table_folded(t), 1);
    stat_table_free(t);
}
END_TEST

START_TEST(test_service_pick)
{
    ck_assert_uint_eq(service_db_pick(svc, 6, 51000, 443), 443);
    ck_assert_uint_eq(service_db_pick(svc, 6, 443, 51000), 443);
    ck_assert_uint_eq(service_db_pick(svc, 6, 8080, 51000), 8080); /* named side */
    ck_assert_uint_eq(service_db_pick(svc, 6, 40001, 40000), 40000); /* lower */
    ck_assert_uint_eq(service_db_pick(svc, 17, 123, 123), 123);
    ck_assert_str_eq(service_db_name(svc, service_db_id(svc, 443, 6)), "https");
    ck_assert_str_eq(service_db_name(svc, service_db_id(svc, 53, 17)), "domain");
    ck_assert_uint_eq(service_db_id(svc, 40000, 6), 0);
}
END_TEST

START_TEST(test_localnet)
{
    struct localnet l;
    localnet_init(&l);
    ck_assert_int_eq(localnet_add_cidr(&l, "192.0.2.0/24"), 0);
    ck_assert_int_eq(localnet_add_cidr(&l, "2001:db8::/32"), 0);
    ck_assert_int_ne(localnet_add_cidr(&l, "192.0.2.0/33"), 0);
    ck_assert_int_ne(localnet_add_cidr(&l, "nonsense"), 0);
    ck_assert_int_ne(localnet_add_cidr(&l, "10.0.0.0/"), 0);
    struct flow_addr x;
    flow_addr_parse("192.0.2.200", &x);
    ck_assert(localnet_contains(&l, &x));
    flow_addr_parse("192.0.3.1", &x);
    ck_assert(!localnet_contains(&l, &x));
    flow_addr_parse("2001:db8:1::5", &x);
    ck_assert(localnet_contains(&l, &x));
    char buf[64];
    localnet_format(&l, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "192.0.2.0/24");

    /* every prefix length, against a bit-by-bit comparison */
    uint64_t r = 7;
    for (int round = 0; round < 2000; round++) {
        struct localnet one;
        localnet_init(&one);
        struct flow_addr net, y;
        for (int i = 0; i < 16; i++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            net.b[i] = (uint8_t)(r >> 56);
        }
        unsigned bits = (unsigned)(r >> 20) % 129;
        ck_assert_int_eq(localnet_add(&one, &net, flow_addr_is_v4(&net) ? bits % 33 : bits), 0);
        unsigned plen = one.bits[0];
        y = net;
        if (r >> 40 & 1) { /* flip one bit, inside or outside the prefix */
            unsigned k = (unsigned)(r >> 8) % 128;
            y.b[k / 8] ^= (uint8_t)(0x80 >> (k % 8));
        }
        bool want = true;
        for (unsigned k = 0; k < plen; k++)
            if ((y.b[k / 8] ^ net.b[k / 8]) & (0x80 >> (k % 8)))
                want = false;
        ck_assert_int_eq(localnet_contains(&one, &y), want);
    }
}
END_TEST

START_TEST(test_export_record_is_spread_over_its_span)
{
    struct agg *a = new_agg(1000, 1000);
    agg_advance(a, T0 + 30);
    /* a flow export covering 10 seconds, 10,000 bytes: 1,000 per second */
    struct flow_rec r = recs_make("10.0.0.1", 1000, "192.0.2.1", 443, 6, 10003, T0 + 29);
    r.first_us = (int64_t)(T0 + 20) * 1000000;
    r.packets = 20;
    r.flags = FLOW_REC_EXPORTED;
    flow_addr_parse("198.51.100.1", &r.exporter);
    r.domain = 7;
    r.in_if = 3;
    r.out_if = 4;
    add1(a, r);
    agg_advance(a, T0 + 30);
    agg_flush(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.bytes, 10003);
    ck_assert_uint_eq(t.packets, 20);
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_HOST, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 2);
    /* the last 2 complete seconds (T0+28, T0+29) hold 1,000 + 1,003 bytes, not all of it */
    ck_assert_uint_eq(rows[0].win[0], 2003);
    ck_assert_uint_eq(rows[0].win[1], 10003);
    free(rows);
    /* exporter and interface rows */
    n = topn_select(a, AGG_T_EXPORTER, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(rows[0].bytes, 10003);
    ck_assert_uint_eq(rows[0].flows, 1);
    uint32_t dom;
    memcpy(&dom, rows[0].key.raw + 16, 4);
    ck_assert_uint_eq(dom, 7);
    free(rows);
    n = topn_select(a, AGG_T_IFACE, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < n; i++) {
        uint32_t ifx;
        memcpy(&ifx, rows[i].key.raw + 20, 4);
        ck_assert_uint_eq(ifx == 3 ? rows[i].bytes_dir[1] : rows[i].bytes_dir[0], 10003);
    }
    free(rows);
    /* a packet-capture record has no exporter rows */
    add1(a, recs_make("10.0.0.1", 1000, "192.0.2.1", 443, 6, 60, T0 + 30));
    agg_finish(a);
    agg_totals(a, &t);
    ck_assert_uint_eq(t.rows[AGG_T_EXPORTER], 2); /* the row and "other" */
    agg_free(a);
}
END_TEST

/* An exporter that has sent only templates gets an empty row, once; its later records book
 * into that row; a full exporter table lists no more such senders and evicts nobody. */
START_TEST(test_exporter_seen_rows)
{
    struct agg *a = new_agg(1000, 1000);
    agg_advance(a, T0 + 30);
    struct flow_addr greedy, router;
    flow_addr_parse("203.0.113.66", &greedy);
    flow_addr_parse("198.51.100.1", &router);
    struct flow_rec r = recs_make("10.0.0.1", 1000, "192.0.2.1", 443, 6, 5000, T0 + 29);
    r.flags = FLOW_REC_EXPORTED;
    r.exporter = router;
    add1(a, r);
    agg_exporter_seen(a, &greedy, 0);
    agg_exporter_seen(a, &greedy, 0);
    agg_exporter_seen(a, &router, 0); /* has a row: untouched */
    agg_flush(a);
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_EXPORTER, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(rows[0].bytes, 5000);
    ck_assert_uint_eq(rows[1].bytes, 0);
    ck_assert_uint_eq(rows[1].flows, 0);
    ck_assert_int_eq(memcmp(rows[1].key.raw, greedy.b, 16), 0);
    free(rows);
    /* its first record books into the row it has */
    r.exporter = greedy;
    r.bytes = 700;
    add1(a, r);
    agg_flush(a);
    n = topn_select(a, AGG_T_EXPORTER, TOPN_SORT_BYTES, 0, &rows);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(rows[1].bytes, 700);
    free(rows);
    /* fill the table with senders of templates only: it stops short, the router stays */
    struct agg_totals t;
    for (uint32_t i = 0; i < 5000; i++) {
        struct flow_addr x;
        char txt[32];
        snprintf(txt, sizeof txt, "10.%u.%u.%u", i >> 16 & 255, i >> 8 & 255, i & 255);
        flow_addr_parse(txt, &x);
        agg_exporter_seen(a, &x, 1);
    }
    agg_flush(a);
    agg_totals(a, &t);
    ck_assert_uint_lt(t.rows[AGG_T_EXPORTER], 4096);
    ck_assert_uint_eq(t.evicted[AGG_T_EXPORTER], 0);
    n = topn_select(a, AGG_T_EXPORTER, TOPN_SORT_BYTES, 1, &rows);
    ck_assert_uint_eq(rows[0].bytes, 5000);
    ck_assert_int_eq(memcmp(rows[0].key.raw, router.b, 16), 0);
    free(rows);
    agg_free(a);
}
END_TEST

START_TEST(test_export_older_than_history_reaches_totals)
{
    struct agg *a = new_agg(1000, 1000);
    agg_advance(a, T0 + 3600);
    struct flow_rec r = recs_make("10.0.0.1", 1, "10.0.0.2", 2, 17, 3600000, T0 + 3599);
    r.first_us = (int64_t)T0 * 1000000; /* an hour-long flow */
    r.flags = FLOW_REC_EXPORTED;
    add1(a, r);
    agg_finish(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.bytes, 3600000);
    /* 1,000 B/s in the last seconds of the flow (T0+3598, T0+3599; T0+3600 is after it) */
    ck_assert_uint_eq(agg_total_window(a, 3), 2000);
    agg_free(a);
}
END_TEST

START_TEST(test_export_entirely_before_history)
{
    /* regression: a long flow that ended long before now (Ubiquiti exports report flows
     * minutes late) overflowed the portion array */
    struct agg *a = new_agg(1000, 1000);
    agg_advance(a, T0 + 10000);
    struct flow_rec r = recs_make("10.0.0.1", 1, "10.0.0.2", 2, 17, 123456, T0 + 9000);
    r.first_us = (int64_t)(T0 + 5000) * 1000000;
    r.flags = FLOW_REC_EXPORTED;
    add1(a, r);
    agg_finish(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.bytes, 123456);
    ck_assert_uint_eq(agg_total_window(a, 40), 0);
    agg_free(a);
}
END_TEST

/* A naive model of a history ring: plain values per second, same booking rules. */
struct model_ring {
    uint64_t v[4096]; /* bytes of second T0 + i */
};

static void model_span(struct model_ring *m, const struct stat_span *sp)
{
    for (uint32_t s = sp->first; s <= sp->last; s++)
        m->v[s - T0] += stat_span_at(sp, s);
}

static uint64_t model_window(const struct model_ring *m, uint32_t last, uint32_t now, uint32_t secs)
{
    uint64_t sum = 0;
    for (uint32_t s = now - secs; s < now; s++)
        if (s <= last && last - s < STAT_HIST)
            sum += m->v[s - T0];
    return sum;
}

START_TEST(test_hist_ring_matches_naive_model)
{
    /* spans of every length, at and before the newest second, against plain per-second sums */
    uint32_t d[STAT_HIST] = {0}, last = 0, max = 0;
    uint8_t shift = 0;
    struct stat_hist h = {d, &last, &shift, &max};
    /* the same bookings through the inline fast path first, as the tables book them */
    uint32_t df[STAT_HIST] = {0}, lastf = 0, maxf = 0;
    uint8_t shiftf = 0;
    struct stat_hist hf = {df, &lastf, &shiftf, &maxf};
    int fast = 0;
    static struct model_ring m;
    memset(&m, 0, sizeof m);
    uint64_t rng = 42;
    uint32_t now = T0 + 100;
    for (int i = 0; i < 20000; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        if (i % 500 == 499)
            now += (uint32_t)(rng >> 60) % 3; /* time moves on now and then */
        uint32_t lag = (uint32_t)(rng >> 33) % 4, len = (uint32_t)(rng >> 40) % 90;
        struct stat_span sp = {0, now - lag, 0, 0};
        sp.first = sp.last - len;
        uint64_t bytes = (rng >> 20) % 100000;
        sp.per = bytes / (len + 1);
        sp.rem = bytes - sp.per * (len + 1);
        stat_hist_add_span(h, &sp);
        if (stat_hist_add_span_fast(df, lastf, shiftf, &maxf, &sp))
            fast++;
        else
            stat_hist_add_span(hf, &sp);
        if (sp.last > now - 64 || last - sp.last < STAT_HIST) /* else older than the ring */
            model_span(&m, &sp);
    }
    ck_assert_uint_eq(shift, 0);
    ck_assert_int_gt(fast, 4000); /* spans ending at the newest second */
    ck_assert_uint_eq(lastf, last);
    ck_assert_uint_eq(shiftf, 0);
    for (uint32_t secs = 1; secs <= STAT_HIST; secs++) {
        ck_assert_uint_eq(stat_hist_window(d, last, shift, now + 1, secs),
                          model_window(&m, last, now + 1, secs));
        ck_assert_uint_eq(stat_hist_window(df, lastf, shiftf, now + 1, secs),
                          model_window(&m, last, now + 1, secs));
    }
    uint64_t series[STAT_HIST];
    stat_hist_series(d, last, shift, now + 1, STAT_HIST, series);
    for (uint32_t k = 0; k < STAT_HIST; k++) {
        uint32_t s = now + 1 - STAT_HIST + k;
        ck_assert_uint_eq(series[k], stat_hist_at(d, last, shift, s));
        ck_assert_uint_eq(series[k], last - s < STAT_HIST ? m.v[s - T0] : 0);
    }

    /* merge into a ring at another scale: every second converts exactly (floor) */
    uint32_t d2[STAT_HIST] = {0}, last2 = 0, max2 = 0;
    uint8_t shift2 = 0;
    struct stat_hist h2 = {d2, &last2, &shift2, &max2};
    stat_hist_add(h2, now - 10, (uint64_t)1 << 40); /* rescales: shift2 > 0 */
    ck_assert_uint_gt(shift2, 0);
    uint64_t before[STAT_HIST];
    stat_hist_series(d2, last2, shift2, now + 1, STAT_HIST, before);
    stat_hist_merge(h2, d, last, shift);
    uint64_t after[STAT_HIST];
    stat_hist_series(d2, last2, shift2, now + 1, STAT_HIST, after);
    for (uint32_t k = 0; k < STAT_HIST; k++)
        ck_assert_uint_eq(after[k] - before[k], series[k] >> shift2 << shift2);

    /* a second past 4 Gi units rescales instead of wrapping around */
    struct stat_span big = {now - 20, now, (uint64_t)3 << 32, 5};
    stat_hist_add_span(h, &big);
    stat_hist_add_span(h, &big);
    ck_assert_uint_gt(shift, 0);
    uint64_t at = stat_hist_at(d, last, shift, now);
    uint64_t want = m.v[now - T0] + 2 * (((uint64_t)3 << 32) + 5);
    ck_assert(at <= want && want - at < ((uint64_t)4 << shift));
}
END_TEST

/* ---- the per-second conversation deltas (agg_set_delta_sink) ---- */

static struct flow_rec deltas[16];
static size_t n_deltas;

static void delta_emit(void *ctx, const struct flow_rec *recs, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n && n_deltas < 16; i++)
        deltas[n_deltas++] = recs[i];
}

START_TEST(test_conversation_deltas)
{
    struct agg *a = new_agg(1000, 1000);
    struct flow_sink k = {delta_emit, NULL};
    agg_set_delta_sink(a, k);
    n_deltas = 0;
    /* second T0: a SYN, a SYN-ACK, two data segments one way; a ping; an export */
    struct flow_rec r = recs_make("10.0.0.1", 50000, "192.0.2.7", 443, 6, 60, T0);
    r.tcp_flags = 0x02;
    add1(a, r);
    r = recs_make("192.0.2.7", 443, "10.0.0.1", 50000, 6, 60, T0);
    r.tcp_flags = 0x12;
    add1(a, r);
    r = recs_make("10.0.0.1", 50000, "192.0.2.7", 443, 6, 1000, T0);
    r.tcp_flags = 0x18;
    add1(a, r);
    add1(a, r);
    add1(a, recs_make("10.0.0.1", 0, "192.0.2.1", 0, 1, 84, T0));
    r = recs_make("10.0.0.9", 1000, "192.0.2.9", 53, 17, 500, T0);
    r.flags |= FLOW_REC_EXPORTED;
    r.packets = 5;
    add1(a, r);
    ck_assert_uint_eq(n_deltas, 0); /* nothing before the second ends */
    agg_advance(a, T0 + 1);
    ck_assert_uint_eq(n_deltas, 2); /* the TCP conversation's two directions only */
    struct flow_addr c, s;
    flow_addr_parse("10.0.0.1", &c);
    flow_addr_parse("192.0.2.7", &s);
    const struct flow_rec *up = flow_addr_eq(&deltas[0].src, &c) ? &deltas[0] : &deltas[1];
    const struct flow_rec *down = up == &deltas[0] ? &deltas[1] : &deltas[0];
    ck_assert(flow_addr_eq(&up->dst, &s) && flow_addr_eq(&down->src, &s));
    ck_assert_uint_eq(up->packets, 3);
    ck_assert_uint_eq(up->bytes, 2060);
    ck_assert_uint_eq(up->tcp_flags, 0x1a);
    ck_assert_uint_eq(up->sport, 50000);
    ck_assert_uint_eq(up->dport, 443);
    ck_assert_uint_eq(down->packets, 1);
    ck_assert_uint_eq(down->tcp_flags, 0x12);
    ck_assert_uint_eq(down->sport, 443);
    ck_assert_int_eq(up->last_us, (int64_t)T0 * 1000000);
    ck_assert(!(up->flags & FLOW_REC_EXPORTED));
    /* a quiet second makes none; off again, none */
    agg_advance(a, T0 + 2);
    ck_assert_uint_eq(n_deltas, 2);
    struct flow_sink none = {NULL, NULL};
    agg_set_delta_sink(a, none);
    add1(a, recs_make("10.0.0.1", 50000, "192.0.2.7", 443, 6, 60, T0 + 2));
    agg_advance(a, T0 + 3);
    ck_assert_uint_eq(n_deltas, 2);
    agg_free(a);
}
END_TEST

static Suite *agg_suite(void)
{
    Suite *s = suite_create("agg");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_pairing_both_directions);
    tcase_add_test(tc, test_conversation_deltas);
    tcase_add_test(tc, test_distinct_protocols_are_distinct_flows);
    tcase_add_test(tc, test_fragments_count_on_hosts_not_ports);
    tcase_add_test(tc, test_rate_windows);
    tcase_add_test(tc, test_late_and_early_records);
    tcase_add_test(tc, test_idle_expiry);
    tcase_add_test(tc, test_sums_are_consistent);
    tcase_add_test(tc, test_topn_matches_naive_sort);
    tcase_add_test(tc, test_eviction_under_flood);
    tcase_add_test(tc, test_flow_table_memory_per_flow);
    tcase_add_test(tc, test_huge_record_does_not_overflow);
    tcase_add_test(tc, test_stat_table_evicts_into_other);
    tcase_add_test(tc, test_service_pick);
    tcase_add_test(tc, test_localnet);
    tcase_add_test(tc, test_export_record_is_spread_over_its_span);
    tcase_add_test(tc, test_exporter_seen_rows);
    tcase_add_test(tc, test_export_older_than_history_reaches_totals);
    tcase_add_test(tc, test_export_entirely_before_history);
    tcase_add_test(tc, test_hist_ring_matches_naive_model);
    tcase_add_loop_test(tc, test_self_talk_booked_once, 0, 6);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(agg_suite());
}
