/*
 * storebench.c - fills a history store with DAYS days of synthetic minutes ending now, through
 * the store's own writer thread (store_start / store_push, waiting for room), so retention and
 * the hour roll-ups run as in the program; then times the reads the screen makes
 * (trends_query: 1 h, 24 h, 7 d, 30 d, drilled into a row; the rewind's one-minute read).
 *
 *   bench/storebench DIR [DAYS [KEYS [ROUNDS]]]
 *
 * DIR     the store's directory (created; must not hold a store)
 * DAYS    days of minutes (default 30): 1-minute rows stay 7 days, hours all of them
 * KEYS    distinct keys per table per minute (default 400, Zipf(1) bytes): more than the
 *         stored top (50), so every minute has a full top and a rest row per table
 * ROUNDS  timed reads per range (default 5); the median is printed
 *
 * Prints `filled minutes=N seconds=S bytes=B` and `query range=R ms=M samples=N rows=N`.
 * bench/store.sh runs it (for the 30-day figures of `--history` too). Built by `make bench`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <sqlite3.h>

#include "flowdrill/rewind.h"
#include "flowdrill/store.h"
#include "flowdrill/trends.h"

static double sb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sb_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static uint64_t sb_rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A key of table tb for rank k (the table's own key layout, zero-padded). */
static void sb_key(int tb, uint32_t k, struct store_row *r)
{
    memset(r->key, 0, sizeof r->key);
    switch (tb) {
    case AGG_T_HOST:
        r->key_len = 16;
        r->key[10] = r->key[11] = 0xff;
        r->key[12] = 10;
        r->key[13] = (uint8_t)(k >> 16);
        r->key[14] = (uint8_t)(k >> 8);
        r->key[15] = (uint8_t)k;
        break;
    case AGG_T_PAIR:
        r->key_len = 32;
        r->key[10] = r->key[11] = r->key[26] = r->key[27] = 0xff;
        r->key[12] = 10;
        r->key[14] = (uint8_t)(k >> 8);
        r->key[15] = (uint8_t)k;
        r->key[28] = 198;
        r->key[29] = 51;
        r->key[31] = (uint8_t)(k * 7);
        break;
    case AGG_T_PORT:
        r->key_len = 3;
        r->key[0] = (uint8_t)(k >> 8);
        r->key[1] = (uint8_t)k;
        r->key[2] = 6;
        break;
    case AGG_T_APP:
        r->key_len = (uint8_t)snprintf((char *)r->key, STAT_KEY_MAX, "app%u", k);
        break;
    case AGG_T_PROTO:
        r->key_len = 1;
        r->key[0] = (uint8_t)k;
        break;
    case AGG_T_EXPORTER:
        r->key_len = 20;
        r->key[10] = r->key[11] = 0xff;
        r->key[12] = 192;
        r->key[14] = 2;
        r->key[15] = (uint8_t)k;
        break;
    default: /* interfaces */
        r->key_len = 24;
        r->key[10] = r->key[11] = 0xff;
        r->key[12] = 192;
        r->key[14] = 2;
        r->key[15] = (uint8_t)(k % 8);
        r->key[20] = (uint8_t)(k >> 8);
        r->key[23] = (uint8_t)k;
        break;
    }
}

static struct store_minute *sb_minute(uint32_t t, uint32_t keys, uint64_t *seed)
{
    struct store_minute *m = calloc(1, sizeof *m);
    m->t = t;
    m->rows = calloc((size_t)keys * STORE_TABLES, sizeof *m->rows);
    for (int tb = 0; tb < STORE_TABLES; tb++) {
        uint32_t n = tb == AGG_T_PROTO ? 8 : tb == AGG_T_EXPORTER ? 8 : keys;
        for (uint32_t k = 1; k <= n; k++) {
            struct store_row *r = &m->rows[m->n_rows++];
            r->table = (uint8_t)tb;
            sb_key(tb, k, r);
            uint64_t b = 60000000ull / k + sb_rng(seed) % 10000; /* Zipf(1) */
            r->c.bytes[0] = b / 3;
            r->c.bytes[1] = b - b / 3;
            r->c.pkts[0] = r->c.pkts[1] = b / 1000 + 1;
            r->c.flows = 1 + k % 5;
            if (tb == AGG_T_HOST) {
                m->bytes += b;
                m->packets += 2 * (b / 1000 + 1);
                m->flows += r->c.flows;
                m->bytes_in += b - b / 3;
                m->bytes_out += b / 3;
            }
        }
    }
    return m;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: storebench DIR [DAYS [KEYS [ROUNDS]]]\n", stderr);
        return 2;
    }
    const char *dir = argv[1];
    unsigned days = argc > 2 ? (unsigned)atoi(argv[2]) : 30;
    uint32_t keys = argc > 3 ? (uint32_t)atoi(argv[3]) : 400;
    int rounds = argc > 4 ? atoi(argv[4]) : 5;
    if (!days || keys < 8 || rounds < 1 || rounds > 99) {
        fputs("storebench: DAYS >= 1, KEYS >= 8, ROUNDS 1..99\n", stderr);
        return 2;
    }
    char err[4600];
    sqlite3 *db = store_schema_open(dir, true, err, sizeof err);
    if (!db) {
        fprintf(stderr, "storebench: %s\n", err);
        return 1;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint32_t now = (uint32_t)tv.tv_sec - (uint32_t)tv.tv_sec % 60;
    uint32_t minutes = days * 1440u, t0 = now - minutes * 60;
    struct store_policy pol;
    store_policy_default(&pol);
    pol.max_bytes = 0; /* measure what the data takes, not the cap */
    struct store *s = store_start(db, &pol);
    store_set_wait(s, true);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    double a = sb_now();
    for (uint32_t i = 0; i < minutes; i++)
        store_push(s, sb_minute(t0 + 60 * i, keys, &seed));
    if (store_close(s, err, sizeof err) != 0 || err[0]) {
        fprintf(stderr, "storebench: %s\n", err);
        return 1;
    }
    double fill = sb_now() - a;
    db = store_schema_open(dir, false, err, sizeof err);
    if (!db) {
        fprintf(stderr, "storebench: %s\n", err);
        return 1;
    }
    printf("filled minutes=%u seconds=%.1f bytes=%llu minute_rows=%lld hour_rows=%lld\n",
           minutes, fill, (unsigned long long)store_retention_size(db),
           (long long)store_schema_int(db, "SELECT count(*) FROM minute_row"),
           (long long)store_schema_int(db, "SELECT count(*) FROM hour_row"));
    double ms[99];
    for (int r = TRENDS_1H; r <= TRENDS_30D; r++)
        for (int drilled = 0; drilled < 2; drilled++) {
            struct trends_req q = {.range = (enum trends_range)r, .table = AGG_T_HOST,
                                   .now = now};
            if (drilled) {
                q.drilled = true;
                q.key.table = AGG_T_HOST;
                sb_key(AGG_T_HOST, 1, &q.key);
            }
            size_t samples = 0, rows = 0;
            for (int i = 0; i < rounds; i++) {
                struct trends_data d;
                if (trends_query(db, &q, &d) != 0) {
                    fprintf(stderr, "storebench: %s\n", d.err);
                    return 1;
                }
                ms[i] = d.ms;
                samples = d.ser.n;
                rows = d.n_rows;
                trends_data_free(&d);
            }
            qsort(ms, (size_t)rounds, sizeof ms[0], sb_cmp);
            printf("query range=%s%s ms=%.1f samples=%zu rows=%zu\n",
                   trends_range_name((enum trends_range)r), drilled ? "+row" : "",
                   ms[rounds / 2], samples, rows);
        }
    /* the rewind: one step back from live, then one more */
    for (int i = 0; i < rounds; i++) {
        struct rewind rw;
        rewind_init(&rw);
        double b = sb_now();
        if (rewind_step(&rw, db, -1) != REWIND_MOVED || rewind_step(&rw, db, -1) != REWIND_MOVED) {
            fprintf(stderr, "storebench: rewind: %s\n", rw.err);
            return 1;
        }
        ms[i] = (sb_now() - b) * 1e3 / 2;
        rewind_free(&rw);
    }
    qsort(ms, (size_t)rounds, sizeof ms[0], sb_cmp);
    printf("rewind step ms=%.2f\n", ms[rounds / 2]);
    sqlite3_close(db);
    return 0;
}
