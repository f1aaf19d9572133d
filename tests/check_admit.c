/*
 * check_admit.c - admission into full tables (doorkeeper.h, stat_table_get_admit), held host
 * bookings (stat_defer.h), and what they change in the aggregator under a flood of exports.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/agg.h"
#include "flowdrill/doorkeeper.h"
#include "flowdrill/service.h"
#include "flowdrill/stat_defer.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/topn.h"
#include "checkrun.h"
#include "recs.h"
#include "rowsum.h"

#define T0 1700000000u

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* ---- doorkeeper ---- */

START_TEST(test_doorkeeper_second_sighting)
{
    struct doorkeeper d;
    memset(&d, 0, sizeof d);
    ck_assert(!doorkeeper_ready(&d));
    doorkeeper_init(&d, 4096);
    ck_assert(doorkeeper_ready(&d));
    ck_assert(!doorkeeper_check(&d, 0x12345678));
    ck_assert(doorkeeper_check(&d, 0x12345678));
    ck_assert(doorkeeper_check(&d, 0x12345678));
    doorkeeper_free(&d);
    ck_assert(!doorkeeper_ready(&d));
}
END_TEST

START_TEST(test_doorkeeper_forgets_after_two_windows)
{
    struct doorkeeper d;
    doorkeeper_init(&d, 4096);
    ck_assert(!doorkeeper_check(&d, 42));
    /* one window of other keys later it is still remembered (in the previous generation) */
    for (int i = 0; i < 4096; i++)
        doorkeeper_check(&d, rnd32());
    ck_assert(doorkeeper_check(&d, 42)); /* this sighting renews it */
    for (int i = 0; i < 3 * 4096; i++)
        doorkeeper_check(&d, rnd32());
    /* three windows without it: both generations have been cleared since */
    int seen = 0;
    for (uint32_t k = 1000000; k < 1000100; k++)
        seen += doorkeeper_check(&d, k * 2654435761u); /* first sightings */
    ck_assert_int_lt(seen, 25); /* false "seen" only: ~12% with two full generations */
    doorkeeper_free(&d);
}
END_TEST

START_TEST(test_doorkeeper_false_positive_rate)
{
    struct doorkeeper d;
    doorkeeper_init(&d, 100000);
    /* fill both generations, then ask about keys never shown */
    for (int i = 0; i < 190000; i++)
        doorkeeper_check(&d, rnd32());
    int fp = 0;
    for (int i = 0; i < 10000; i++)
        fp += doorkeeper_check(&d, rnd32() | 1u << 31); /* mostly new keys */
    /* two nearly full generations: under 10% */
    ck_assert_int_lt(fp, 1000);
    doorkeeper_free(&d);
}
END_TEST

START_TEST(test_doorkeeper_large_uses_every_word)
{
    /* a filter of 2^21 words per generation: keys land in its upper half too */
    struct doorkeeper d;
    doorkeeper_init(&d, 16u << 20);
    ck_assert_uint_eq(d.mask, (1u << 21) - 1);
    int upper = 0;
    for (int i = 0; i < 1000; i++)
        upper += doorkeeper_word_(&d, rnd32()) > d.mask / 2;
    ck_assert_int_gt(upper, 400);
    ck_assert_int_lt(upper, 600);
    doorkeeper_free(&d);
}
END_TEST

/* ---- stat_table_get_admit ---- */

static uint32_t key_get(struct stat_table *t, uint32_t k, uint64_t bytes, enum stat_got *got)
{
    uint8_t key[16] = {0};
    memcpy(key, &k, sizeof k);
    uint32_t idx = stat_table_get_admit(t, key, stat_table_hash(t, key), T0, bytes, got);
    stat_table_add(t, idx, T0, bytes, 1, 0, 0);
    return idx;
}

static uint64_t table_bytes(const struct stat_table *t)
{
    uint64_t b = 0;
    for (uint32_t i = 0; i < stat_table_slots(t); i++) {
        const struct stat_entry *e = stat_table_centry(t, i);
        if (e->flags & STAT_F_USED)
            b += e->bytes[0] + e->bytes[1];
    }
    return b;
}

START_TEST(test_admit_second_sighting_and_large_newcomer)
{
    struct stat_table *t = stat_table_new(16, 8, 1);
    enum stat_got got;
    uint64_t sum = 0;
    /* room: every key gets a row */
    for (uint32_t k = 1; k <= 8; k++) {
        ck_assert_uint_ne(key_get(t, k, 100 * k, &got), STAT_OTHER);
        ck_assert_int_eq(got, STAT_GOT_NEW);
        sum += 100 * k;
    }
    ck_assert_uint_ne(key_get(t, 3, 5, &got), STAT_OTHER);
    ck_assert_int_eq(got, STAT_GOT_HIT);
    sum += 5;
    /* full: a small newcomer folds into "other" the first time ... */
    ck_assert_uint_eq(key_get(t, 100, 10, &got), STAT_OTHER);
    ck_assert_int_eq(got, STAT_GOT_NEW);
    ck_assert_uint_eq(stat_table_folded(t), 1);
    /* ... and gets a row the second time, evicting one */
    uint32_t idx = key_get(t, 100, 10, &got);
    ck_assert_uint_ne(idx, STAT_OTHER);
    ck_assert_int_eq(got, STAT_GOT_AGAIN);
    ck_assert_uint_eq(stat_table_evicted(t), 1);
    ck_assert_uint_eq(stat_table_entry(t, idx)->bytes[0], 10); /* the first 10 went to other */
    sum += 20;
    /* a newcomer larger than the mean row gets in at once */
    idx = key_get(t, 200, 1000000, &got);
    ck_assert_uint_ne(idx, STAT_OTHER);
    ck_assert_int_eq(got, STAT_GOT_NEW);
    sum += 1000000;
    /* nothing is lost: every byte is in a row or in "other" */
    ck_assert_uint_eq(table_bytes(t), sum);
    ck_assert_uint_eq(stat_table_count(t), 9); /* 8 rows and "other" */
    stat_table_free(t);
}
END_TEST

START_TEST(test_admit_flood_keeps_recurring_rows)
{
    /* 64 recurring keys and a flood of one-off ones through a table of 100 rows: with
     * admission the recurring keys keep their rows and hold nearly all of their bytes */
    struct stat_table *t = stat_table_new(16, 100, 2);
    enum stat_got got;
    uint64_t sum = 0, recurring = 0;
    for (int round = 0; round < 200; round++) {
        for (uint32_t k = 1; k <= 64; k++) {
            key_get(t, k, 50, &got);
            sum += 50;
        }
        for (int i = 0; i < 100; i++) {
            key_get(t, 1000000 + rnd32(), 60, &got);
            sum += 60;
        }
    }
    for (uint32_t k = 1; k <= 64; k++) {
        uint8_t key[16] = {0};
        memcpy(key, &k, sizeof k);
        uint32_t idx = stat_table_find(t, key);
        ck_assert_uint_ne(idx, STAT_NONE);
        recurring += stat_table_centry(t, idx)->bytes[0];
    }
    ck_assert_uint_ge(recurring, 64u * 50 * 190);
    ck_assert_uint_eq(table_bytes(t), sum);
    ck_assert_uint_gt(stat_table_folded(t), 15000);
    stat_table_free(t);
}
END_TEST

/* ---- stat_defer ---- */

static void mark_created(void *ctx, const struct stat_booking *b, struct stat_entry *e,
                         bool created, enum stat_got got)
{
    (void)got;
    if (!created)
        return;
    (*(int *)ctx)++;
    if (b->key[0] & 1)
        e->flags |= STAT_F_LOCAL;
}

START_TEST(test_defer_equals_immediate)
{
    /* the same bookings, applied at once and held then applied: the same rows, totals,
     * flows, aux and history */
    struct stat_table *now = stat_table_new(16, 1000, 3), *held = stat_table_new(16, 1000, 3);
    struct stat_defer d;
    stat_defer_init(&d, 1024, STAT_BOOKING_SIZE(16)); /* smaller than the bookings: applied early */
    int created = 0;
    for (int i = 0; i < 5000; i++) {
        uint8_t key[16] = {0};
        key[0] = (uint8_t)(rnd32() % 200);
        uint32_t h = stat_table_hash(now, key);
        uint32_t last = T0 + 100, first = last - rnd32() % 30;
        uint64_t b0 = rnd32() % 5000, b1 = rnd32() % 5000;
        enum stat_got got;
        uint32_t idx = stat_table_get_admit(now, key, h, T0 + 100, b0 + b1, &got);
        /* two one-way bookings (a flow export goes one way), each spread on its own */
        uint64_t n = (uint64_t)(last - first) + 1;
        struct stat_span sp0 = {first, last, b0 / n, b0 % n}, sp1 = {first, last, b1 / n, b1 % n};
        stat_table_add_span(now, idx, b0, 1, 0, 0, &sp0);
        stat_table_add_span(now, idx, 0, 0, b1, 2, &sp1);
        stat_table_entry(now, idx)->flows += 1;
        stat_table_entry(now, idx)->aux += 2;

        /* held: one booking per side, the row's flows and aux on the first */
        for (int side = 0; side < 2; side++) {
            struct stat_booking *b = stat_defer_push(&d, h);
            if (!b) {
                stat_defer_apply(&d, held, T0 + 100, mark_created, &created);
                b = stat_defer_push(&d, h);
            }
            ck_assert_ptr_nonnull(b);
            memcpy(b->key, key, 16);
            b->first = first;
            b->last = last;
            b->flows = side ? 0 : 1;
            b->aux = side ? 0 : 2;
            b->side = (uint8_t)side;
            b->bytes = side ? b1 : b0;
            b->pkts = side ? 2 : 1;
        }
    }
    stat_defer_apply(&d, held, T0 + 100, mark_created, &created);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_uint_eq(d.applied, 10000);
    ck_assert_int_eq(created, 200);
    ck_assert_uint_eq(stat_table_count(now), stat_table_count(held));
    for (uint32_t i = 1; i < stat_table_slots(now); i++) {
        const struct stat_entry *x = stat_table_centry(now, i);
        uint32_t j = stat_table_find(held, x->key);
        ck_assert_uint_ne(j, STAT_NONE);
        const struct stat_entry *y = stat_table_centry(held, j);
        ck_assert_uint_eq(x->bytes[0], y->bytes[0]);
        ck_assert_uint_eq(x->bytes[1], y->bytes[1]);
        ck_assert_uint_eq(x->pkts[0], y->pkts[0]);
        ck_assert_uint_eq(x->pkts[1], y->pkts[1]);
        ck_assert_uint_eq(x->flows, y->flows);
        ck_assert_uint_eq(x->aux, y->aux);
        ck_assert_uint_eq(!!(y->flags & STAT_F_LOCAL), x->key[0] & 1);
        uint64_t sx[STAT_HIST], sy[STAT_HIST];
        stat_entry_series(x, T0 + 101, 40, sx);
        stat_entry_series(y, T0 + 101, 40, sy);
        ck_assert_mem_eq(sx, sy, sizeof(uint64_t) * 40);
    }
    stat_defer_free(&d);
    stat_table_free(now);
    stat_table_free(held);
}
END_TEST

/* Hold a one-flow booking of 100 bytes at T0 for a 16-byte key, with hash `hash`. */
static void push_one(struct stat_defer *d, const uint8_t key[16], uint32_t hash)
{
    struct stat_booking *b = stat_defer_push(d, hash);
    ck_assert_ptr_nonnull(b);
    memcpy(b->key, key, 16);
    b->first = b->last = T0;
    b->flows = 1;
    b->aux = 0;
    b->side = 0;
    b->bytes = 100;
    b->pkts = 1;
}

/* Held bookings of many new keys (the first flush of a flood, a scan of spoofed sources): each
 * group's new rows go to its own part of the index; applied a whole group at a time they
 * would overflow that part into one cluster as long as the table. */
START_TEST(test_defer_new_keys_spread_over_index)
{
    struct stat_table *t = stat_table_new(16, 100000, 8);
    struct stat_defer d;
    stat_defer_init(&d, 1 << 19, STAT_BOOKING_SIZE(16));
    for (uint32_t i = 0; i < (1u << 19); i++) { /* 8192 a group, in parts of 4096 slots */
        uint8_t key[16] = {10};
        memcpy(key + 4, &i, sizeof i);
        push_one(&d, key, stat_table_hash(t, key));
    }
    stat_defer_apply(&d, t, T0, NULL, NULL);
    ck_assert_uint_eq(stat_table_count(t), 100001); /* full: the rest folded */
    uint32_t run = stat_table_longest_run(t);
    /* at most half full with random homes, the longest run is some tens of slots */
    ck_assert_msg(run < 400, "longest run of index slots %u", run);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < stat_table_slots(t); i++)
        sum += stat_table_centry(t, i)->bytes[0];
    ck_assert_uint_eq(sum, 100ull << 19);
    stat_defer_free(&d);
    stat_table_free(t);
}
END_TEST

/* The buffer counts what its groups have held at the most, not its reservation. */
START_TEST(test_defer_memory_held)
{
    struct stat_table *t = stat_table_new(16, 1000, 5);
    struct stat_defer d;
    stat_defer_init(&d, 1 << 16, STAT_BOOKING_SIZE(16));
    ck_assert_uint_eq(stat_defer_memory(&d), 0);
    for (int round = 0; round < 2; round++) {
        int n = round ? 4 : 10; /* fewer the second time: the most stays */
        for (int i = 0; i < n; i++) {
            uint8_t key[16] = {(uint8_t)i};
            push_one(&d, key, 0x12345678u); /* one group */
        }
        ck_assert_uint_eq(stat_defer_memory(&d), 10 * STAT_BOOKING_SIZE(16));
        stat_defer_apply(&d, t, T0, NULL, NULL);
        ck_assert_uint_eq(stat_defer_memory(&d), 10 * STAT_BOOKING_SIZE(16));
    }
    stat_defer_free(&d);
    stat_table_free(t);
}
END_TEST

START_TEST(test_home_bits_in_range)
{
    struct stat_table *t = stat_table_new(16, 100000, 4);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_lt(stat_table_home_bits(t, rnd32(), 6), 64);
    stat_table_free(t);
}
END_TEST

/* ---- the aggregator under a flood of exports ---- */

static struct flow_rec export_rec(uint32_t i, uint32_t sec)
{
    char src[32], dst[32];
    uint32_t c = rnd32() % 3000, s = rnd32() % 50;
    snprintf(src, sizeof src, "10.%u.%u.%u", c >> 16, c >> 8 & 255, c & 255);
    snprintf(dst, sizeof dst, "198.18.0.%u", s + 1);
    struct flow_rec r = recs_make(src, (uint16_t)(32768 + i % 20000), dst, 443, 6,
                                  40 + rnd32() % 100000, sec);
    r.first_us -= (int64_t)(rnd32() % 20) * 1000000;
    r.packets = 1 + rnd32() % 50;
    r.flags = FLOW_REC_EXPORTED;
    flow_addr_parse("198.51.100.1", &r.exporter);
    r.in_if = 1;
    r.out_if = 2;
    return r;
}

START_TEST(test_agg_export_flood_sums)
{
    struct agg_limits l;
    agg_limits_default(&l);
    l.max_flows = 2000;
    l.max_hosts = 1000;
    l.max_pairs = 1000;
    struct service_db *svc = service_db_new(false);
    struct localnet ln;
    localnet_init(&ln);
    localnet_add_cidr(&ln, "10.0.0.0/8");
    struct agg *a = agg_new(&l, &ln, svc, 5);
    enum { N = 60000 };
    struct flow_rec *r = malloc(N * sizeof *r);
    for (uint32_t i = 0; i < N; i++)
        r[i] = export_rec(i, T0 + i / 6000);
    for (uint32_t i = 0; i < N; i += 30)
        agg_add(a, r + i, 30);
    /* what the tables show before a flush lags; after it, everything adds up */
    agg_flush(a);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.flows, N);
    ck_assert_uint_gt(t.folded[AGG_T_FLOW], 0);  /* conversations turned away ... */
    ck_assert_uint_gt(t.folded[AGG_T_HOST], 0);  /* ... and hosts ... */
    ck_assert_uint_gt(t.folded[AGG_T_PAIR], 0);  /* ... and pairs */
    ck_assert_uint_le(t.rows[AGG_T_FLOW], 2000);
    uint64_t f;
    ck_assert_uint_eq(rowsum(a, AGG_T_HOST, NULL, &f), 2 * t.bytes);
    ck_assert_uint_eq(f, 2 * (uint64_t)N); /* no record has the same host at both ends */
    ck_assert_uint_eq(rowsum(a, AGG_T_PAIR, NULL, &f), t.bytes);
    ck_assert_uint_eq(f, N);
    ck_assert_uint_eq(rowsum(a, AGG_T_PROTO, NULL, NULL), t.bytes);
    ck_assert_uint_eq(rowsum(a, AGG_T_EXPORTER, NULL, NULL), t.bytes);
    /* directions come from the addresses: all of it leaves 10/8 */
    ck_assert_uint_eq(t.bytes_dir[FLOW_DIR_OUT], t.bytes);
    /* every server recurs, so every one has its own row */
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_HOST, TOPN_SORT_BYTES, 0, &rows);
    int servers = 0;
    for (size_t i = 0; i < n; i++)
        servers += rows[i].key.raw[12] == 198 && rows[i].key.raw[13] == 18;
    ck_assert_int_eq(servers, 50);
    free(rows);
    free(r);
    agg_free(a);
    service_db_free(svc);
}
END_TEST

START_TEST(test_agg_large_conversation_admitted)
{
    /* a full conversation table turns small exported newcomers away and lets a large one in */
    struct agg_limits l;
    agg_limits_default(&l);
    l.max_flows = 100;
    struct service_db *svc = service_db_new(false);
    struct agg *a = agg_new(&l, NULL, svc, 6);
    for (uint32_t i = 0; i < 300; i++) {
        struct flow_rec r = export_rec(i, T0);
        r.bytes = 1000;
        agg_add(a, &r, 1);
    }
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.rows[AGG_T_FLOW], 100);
    /* equal to the victim's, not larger: turned away (the first newcomer of a full table, with
     * no victim picked yet, gets in) */
    ck_assert_uint_eq(t.folded[AGG_T_FLOW], 199);
    uint64_t evicted = t.evicted[AGG_T_FLOW];
    struct flow_rec big = recs_make("192.0.2.7", 5555, "198.51.100.9", 22, 6, 5000000, T0);
    big.flags = FLOW_REC_EXPORTED;
    agg_add(a, &big, 1);
    agg_flush(a);
    agg_totals(a, &t);
    ck_assert_uint_eq(t.folded[AGG_T_FLOW], 199);
    ck_assert_uint_eq(t.evicted[AGG_T_FLOW], evicted + 1);
    struct topn_row *rows;
    size_t n = topn_select(a, AGG_T_FLOW, TOPN_SORT_BYTES, 1, &rows);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(rows[0].bytes, 5000000);
    ck_assert_uint_eq(rows[0].key.flow.pb, 22);
    free(rows);
    /* the turned-away conversations still count everywhere else */
    ck_assert_uint_eq(t.flows, 301);
    ck_assert_uint_eq(rowsum(a, AGG_T_PROTO, NULL, NULL), t.bytes);
    ck_assert_uint_eq(t.bytes, 300 * 1000 + 5000000);
    agg_free(a);
    service_db_free(svc);
}
END_TEST

START_TEST(test_hash_of_pairs_joins_halves)
{
    /* the contract agg_keys_of relies on: a 32-byte key hashes as the join of its 16-byte
     * halves' hashes under the table's seed, and a 16-byte key as the fold of its own, so two
     * tables made with one seed agree on both */
    struct stat_table *h = stat_table_new(16, 100, 0x1234), *p = stat_table_new(32, 100, 0x1234);
    ck_assert_uint_eq(stat_table_seed(h), stat_table_seed(p));
    uint64_t seed = stat_table_seed(p);
    uint8_t key[32];
    for (int i = 0; i < 1000; i++) {
        for (int j = 0; j < 32; j++)
            key[j] = (uint8_t)(i * 31 + j * 7 + (j > 15 ? i >> 3 : 0));
        uint64_t h0 = stat_hash16(key, seed), h1 = stat_hash16(key + 16, seed);
        ck_assert_uint_eq(stat_table_hash(p, key), stat_hash_join(h0, h1));
        ck_assert_uint_eq(stat_table_hash(h, key), stat_hash_fold(h0));
        ck_assert_uint_eq(stat_table_hash(h, key + 16), stat_hash_fold(h1));
        if (memcmp(key, key + 16, 16) != 0) /* the halves' order matters */
            ck_assert_uint_ne(stat_hash_join(h0, h1), stat_hash_join(h1, h0));
    }
    stat_table_free(h);
    stat_table_free(p);
}
END_TEST

static Suite *admit_suite(void)
{
    Suite *s = suite_create("admit");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_doorkeeper_second_sighting);
    tcase_add_test(tc, test_doorkeeper_forgets_after_two_windows);
    tcase_add_test(tc, test_doorkeeper_false_positive_rate);
    tcase_add_test(tc, test_doorkeeper_large_uses_every_word);
    tcase_add_test(tc, test_admit_second_sighting_and_large_newcomer);
    tcase_add_test(tc, test_admit_flood_keeps_recurring_rows);
    tcase_add_test(tc, test_defer_equals_immediate);
    tcase_add_test(tc, test_home_bits_in_range);
    tcase_add_test(tc, test_defer_memory_held);
    tcase_add_test(tc, test_defer_new_keys_spread_over_index);
    tcase_add_test(tc, test_agg_export_flood_sums);
    tcase_add_test(tc, test_agg_large_conversation_admitted);
    tcase_add_test(tc, test_hash_of_pairs_joins_halves);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(admit_suite());
}
