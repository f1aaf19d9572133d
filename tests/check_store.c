/*
 * check_store.c - the history store: roll-ups, writing, retention, queries, opening errors.
 * Every database lives in a temporary directory made here.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "flowdrill/agg.h"
#include "flowdrill/filter.h"
#include "flowdrill/history_cli.h"
#include "flowdrill/service.h"
#include "flowdrill/store.h"
#include "flowdrill/store_query.h"
#include "checkrun.h"
#include "recs.h"

static char tmpdir[256];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/fdstoreXXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static int64_t q1(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static uint64_t table_sum(const struct agg *a, enum agg_table t)
{
    const struct stat_table *st = agg_stat_table(a, t);
    uint64_t s = 0;
    for (uint32_t i = 0; i < stat_table_slots(st); i++) {
        const struct stat_entry *e = stat_table_centry(st, i);
        if (e->flags & STAT_F_USED)
            s += e->bytes[0] + e->bytes[1];
    }
    return s;
}

static uint64_t minute_sum(const struct store_minute *m, int t)
{
    uint64_t s = 0;
    for (size_t i = 0; i < m->n_rows; i++)
        if (m->rows[i].table == t)
            s += m->rows[i].c.bytes[0] + m->rows[i].c.bytes[1];
    return s;
}

/* Differences minute by minute add up to the live tables, also when rows are evicted. */
START_TEST(test_rollup_exact)
{
    struct agg_limits lim;
    agg_limits_default(&lim);
    lim.max_hosts = lim.max_pairs = 16; /* small: evictions and the other row happen */
    struct localnet ln;
    localnet_init(&ln);
    struct service_db *svc = service_db_new(false);
    struct agg *a = agg_new(&lim, &ln, svc, 7);
    struct store_rollup *r = store_rollup_new(a);
    uint64_t sum_tot = 0, sum_tab[STORE_TABLES] = {0};
    uint32_t t0 = 1700000000 - 1700000000 % 60;
    for (int m = 0; m < 4; m++) {
        for (int i = 0; i < 200; i++) {
            char src[32], dst[32];
            snprintf(src, sizeof src, "10.0.%d.%d", m, i % 40);
            snprintf(dst, sizeof dst, "192.0.2.%d", i % 7);
            struct flow_rec rec = recs_make(src, (uint16_t)(1024 + i), dst, 443, 6,
                                            (uint64_t)(100 + i), t0 + (uint32_t)(m * 60 + i % 60));
            agg_add(a, &rec, 1);
        }
        agg_advance(a, t0 + (uint32_t)(m + 1) * 60);
        struct store_minute *sm = store_rollup_take(r, a, t0 + (uint32_t)m * 60);
        ck_assert_uint_eq(sm->t, t0 + (uint32_t)m * 60);
        sum_tot += sm->bytes;
        for (int t = 0; t < STORE_TABLES; t++)
            sum_tab[t] += minute_sum(sm, t);
        store_minute_free(sm);
        struct agg_totals tot;
        agg_totals(a, &tot);
        ck_assert_uint_eq(sum_tot, tot.bytes);
        for (int t = 0; t < STORE_TABLES; t++)
            ck_assert_msg(sum_tab[t] == table_sum(a, (enum agg_table)t), "minute %d table %d: %llu != %llu", m, t, (unsigned long long)sum_tab[t], (unsigned long long)table_sum(a, (enum agg_table)t));
    }
    struct agg_totals tot;
    agg_totals(a, &tot);
    ck_assert_uint_gt(tot.evicted[AGG_T_HOST] + tot.folded[AGG_T_HOST], 0);
    store_rollup_free(r);
    agg_free(a);
    service_db_free(svc);
}
END_TEST

static struct store_minute *mk_minute(uint32_t t, uint64_t bytes, int nhosts)
{
    struct store_minute *m = calloc(1, sizeof *m);
    m->t = t;
    m->rows = calloc((size_t)nhosts, sizeof *m->rows);
    for (int i = 0; i < nhosts; i++) {
        struct store_row *r = &m->rows[m->n_rows++];
        r->table = AGG_T_HOST;
        r->key_len = 16;
        r->key[10] = r->key[11] = 0xff;
        r->key[12] = 10;
        r->key[15] = (uint8_t)(i + 1);
        r->c.bytes[0] = bytes * (uint64_t)(i + 1);
        r->c.pkts[0] = 1;
        m->bytes += r->c.bytes[0];
        m->packets++;
    }
    return m;
}

/* The writer keeps the top rows, sums the others into the rest, and adds to a minute. */
START_TEST(test_write_top_and_rest)
{
    char err[512];
    sqlite3 *db = store_schema_open(tmpdir, true, err, sizeof err);
    ck_assert_msg(db != NULL, "%s", err);
    struct store_policy p;
    store_policy_default(&p);
    p.top = 3;
    struct store_minute *m = mk_minute(600, 10, 5); /* 10, 20, 30, 40, 50 */
    ck_assert_int_eq(store_write_minute(db, &p, m), 0);
    store_minute_free(m);
    ck_assert_int_eq(q1(db, "SELECT count(*) FROM minute_row"), 4);
    ck_assert_int_eq(q1(db, "SELECT b0 FROM minute_row WHERE length(key) = 0"), 30);
    ck_assert_int_eq(q1(db, "SELECT sum(b0) FROM minute_row"), 150);
    m = mk_minute(600, 1, 1); /* a restart within the minute adds to it */
    ck_assert_int_eq(store_write_minute(db, &p, m), 0);
    store_minute_free(m);
    ck_assert_int_eq(q1(db, "SELECT bytes FROM minute_total WHERE t = 600"), 151);
    sqlite3_close(db);
}
END_TEST

/* Restart keeps history: a store closed and opened again answers queries. */
START_TEST(test_restart_keeps_history)
{
    char err[512];
    struct store_policy p;
    store_policy_default(&p);
    sqlite3 *db = store_schema_open(tmpdir, true, err, sizeof err);
    ck_assert_ptr_nonnull(db);
    struct store *s = store_start(db, &p);
    for (uint32_t i = 0; i < 10; i++)
        store_push(s, mk_minute(3600 * 100 + 60 * i, 100, 2));
    ck_assert_int_eq(store_close(s, err, sizeof err), 0);
    db = store_schema_open(tmpdir, false, err, sizeof err);
    ck_assert_msg(db != NULL, "%s", err);
    struct store_series ser;
    ck_assert_int_eq(store_query_series(db, 3600 * 100, 3600 * 101, &ser, err, sizeof err), 0);
    ck_assert_uint_eq(ser.n, 10);
    ck_assert_uint_eq(ser.step, 60);
    ck_assert_uint_eq(ser.stats.sum, 10 * 300);
    struct store_qrow *rows;
    size_t n;
    ck_assert_int_eq(store_query_rows(db, &ser, AGG_T_HOST, NULL, 0, &rows, &n, err, sizeof err),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(rows[0].stats.sum, 2000);
    ck_assert_uint_eq(rows[0].stats.peak, 200 * 8 / 60);
    free(rows);
    store_series_free(&ser);
    /* the hour was rolled up at close */
    ck_assert_int_eq(q1(db, "SELECT bytes FROM hour_total"), 3000);
    sqlite3_close(db);
}
END_TEST

/* Crash safety: minutes committed before a kill -9 are all there afterwards. */
START_TEST(test_kill9_keeps_minutes)
{
    char err[512];
    struct store_policy p;
    store_policy_default(&p);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        sqlite3 *db = store_schema_open(tmpdir, true, err, sizeof err);
        if (!db)
            _exit(3);
        for (uint32_t i = 0; i < 5; i++) {
            struct store_minute *m = mk_minute(60 * i, 10, 3);
            if (store_write_minute(db, &p, m) != 0)
                _exit(4);
            store_minute_free(m);
        }
        kill(getpid(), SIGKILL); /* no close, no checkpoint */
        _exit(5);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    sqlite3 *db = store_schema_open(tmpdir, true, err, sizeof err);
    ck_assert_msg(db != NULL, "%s", err);
    ck_assert_int_eq(q1(db, "SELECT count(*) FROM minute_total"), 5);
    ck_assert_int_eq(q1(db, "SELECT sum(b0) FROM minute_row"), 5 * 60);
    sqlite3_close(db);
}
END_TEST

/* Retention, with the clock given: minute rows after 7 days, hour rows after a year. */
START_TEST(test_retention_ages)
{
    char err[512];
    struct store_policy p;
    store_policy_default(&p);
    sqlite3 *db = store_schema_open(tmpdir, true, err, sizeof err);
    ck_assert_ptr_nonnull(db);
    uint32_t day = 86400, base = 400 * day;
    /* one minute per day for 400 days, each hour rolled up */
    for (uint32_t d = 0; d < 400; d++) {
        struct store_minute *m = mk_minute(base - d * day, 1, 1);
        ck_assert_int_eq(store_write_minute(db, &p, m), 0);
        store_minute_free(m);
        ck_assert_int_eq(store_retention_roll_hour(db, base - d * day, p.top), 0);
    }
    ck_assert_int_eq(q1(db, "SELECT count(*) FROM minute_total"), 400);
    ck_assert_int_eq(q1(db, "SELECT count(*) FROM hour_total"), 400);
    ck_assert_int_eq(store_retention_apply(db, &p, base), 0);
    /* kept: minutes not older than now - 7 days (days 0..7), hours not older than a year */
    ck_assert_int_eq(q1(db, "SELECT count(*) FROM minute_total"), 8);
    ck_assert_int_eq(q1(db, "SELECT count(*) FROM minute_row"), 8);
    ck_assert_int_eq(q1(db, "SELECT count(*) FROM hour_total"), 366);
    ck_assert_int_eq(q1(db, "SELECT min(t) FROM minute_total"), base - 7 * day);
    ck_assert_int_eq(q1(db, "SELECT min(t) FROM hour_total"), base - 365 * day);
    /* moving the clock a day on drops one more of each */
    ck_assert_int_eq(store_retention_apply(db, &p, base + day), 0);
    ck_assert_int_eq(q1(db, "SELECT count(*) FROM minute_total"), 7);
    ck_assert_int_eq(q1(db, "SELECT count(*) FROM hour_total"), 365);
    sqlite3_close(db);
}
END_TEST

/* The size cap drops the oldest days, minutes first, and stops under the cap. */
START_TEST(test_retention_size_cap)
{
    char err[512];
    struct store_policy p;
    store_policy_default(&p);
    p.top = 200;
    sqlite3 *db = store_schema_open(tmpdir, true, err, sizeof err);
    ck_assert_ptr_nonnull(db);
    uint32_t day = 86400, base = 100 * day;
    for (uint32_t d = 0; d < 6; d++) {
        for (uint32_t k = 0; k < 20; k++) {
            struct store_minute *m = mk_minute(base - d * day + k * 60, 1, 150);
            ck_assert_int_eq(store_write_minute(db, &p, m), 0);
            store_minute_free(m);
        }
    }
    uint64_t before = store_retention_size(db);
    p.max_bytes = before / 2;
    ck_assert_int_eq(store_retention_apply(db, &p, base), 0);
    ck_assert_uint_le(store_retention_size(db), p.max_bytes);
    ck_assert_int_gt(q1(db, "SELECT count(*) FROM minute_total"), 0);
    ck_assert_int_eq(q1(db, "SELECT max(t) FROM minute_total"), base + 19 * 60); /* newest kept */
    ck_assert_int_gt(q1(db, "SELECT min(t) FROM minute_total"), base - 5 * day); /* oldest gone */
    sqlite3_close(db);
}
END_TEST

/* Hour roll-up: the top rows per table kept, the rest summed, idempotent. */
START_TEST(test_roll_hour)
{
    char err[512];
    struct store_policy p;
    store_policy_default(&p);
    sqlite3 *db = store_schema_open(tmpdir, true, err, sizeof err);
    ck_assert_ptr_nonnull(db);
    for (uint32_t k = 0; k < 60; k++) {
        struct store_minute *m = mk_minute(7200 + k * 60, 1, 5);
        ck_assert_int_eq(store_write_minute(db, &p, m), 0);
        store_minute_free(m);
    }
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(store_retention_roll_hour(db, 7200, 2), 0);
        ck_assert_int_eq(q1(db, "SELECT count(*) FROM hour_row"), 3);
        ck_assert_int_eq(q1(db, "SELECT sum(b0) FROM hour_row"), 60 * 15);
        ck_assert_int_eq(q1(db, "SELECT b0 FROM hour_row WHERE length(key) = 0"), 60 * 6);
        ck_assert_int_eq(q1(db, "SELECT bytes FROM hour_total WHERE t = 7200"), 60 * 15);
    }
    sqlite3_close(db);
}
END_TEST

/* Percentile, peak, mean, growth of a known series. */
START_TEST(test_stats)
{
    uint64_t b[100];
    uint32_t t[100];
    for (int i = 0; i < 100; i++) {
        b[i] = (uint64_t)(i + 1) * 60; /* 8..800 bits per second */
        t[i] = (uint32_t)i * 60;
    }
    struct store_stats s;
    store_query_stats(b, t, 100, 60, &s);
    ck_assert_uint_eq(s.peak, 800);
    ck_assert_uint_eq(s.p95, 95 * 8);
    ck_assert_uint_eq(s.sum, 60 * 5050);
    ck_assert_uint_eq(s.mean, 60 * 5050 * 8 / 6000);
    ck_assert(s.growth_known);
    ck_assert(!s.weeks);
    /* halves: first mean 25.5 * 60, last 75.5 * 60: +196.1% */
    ck_assert_int_eq((int)(s.growth * 10 + 0.5), 1961);
    /* weeks: 4 weeks of hours, the last week twice the first */
    uint64_t hb[672];
    uint32_t ht[672];
    for (int i = 0; i < 672; i++) {
        hb[i] = i < 168 ? 100 : i >= 504 ? 200 : 150;
        ht[i] = (uint32_t)i * 3600;
    }
    store_query_stats(hb, ht, 672, 3600, &s);
    ck_assert(s.weeks && s.growth_known);
    ck_assert_int_eq((int)(s.growth + 0.5), 100);
}
END_TEST

/* Unwritable and corrupt stores: a clear message, no crash. */
START_TEST(test_open_errors)
{
    char err[512], path[512];
    snprintf(path, sizeof path, "%s/file", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("x", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/file/sub", tmpdir);
    ck_assert_ptr_null(store_schema_open(path, true, err, sizeof err));
    ck_assert_msg(strstr(err, "cannot create the directory") && strstr(err, "--no-store"), "%s",
                  err);
    snprintf(path, sizeof path, "%s/bad", tmpdir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/bad/" STORE_FILE, tmpdir);
    f = fopen(path, "w");
    for (int i = 0; i < 4096; i++)
        fputc((i * 7919) & 0xff, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/bad", tmpdir);
    ck_assert_ptr_null(store_schema_open(path, true, err, sizeof err));
    ck_assert_msg(strstr(err, "damaged"), "%s", err);
    ck_assert_ptr_null(store_schema_open(path, false, err, sizeof err));
    ck_assert_msg(strstr(err, "damaged"), "%s", err);
    snprintf(path, sizeof path, "%s/none", tmpdir);
    ck_assert_ptr_null(store_schema_open(path, false, err, sizeof err));
    ck_assert_msg(strstr(err, "no history at"), "%s", err);
    /* a store of another schema version */
    snprintf(path, sizeof path, "%s/v9", tmpdir);
    sqlite3 *db = store_schema_open(path, true, err, sizeof err);
    ck_assert_ptr_nonnull(db);
    ck_assert_int_eq(sqlite3_exec(db, "UPDATE meta SET v = 9", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_ptr_null(store_schema_open(path, true, err, sizeof err));
    ck_assert_msg(strstr(err, "schema version 9"), "%s", err);
}
END_TEST

START_TEST(test_default_dir)
{
    char buf[256];
    setenv("XDG_DATA_HOME", "/x/data", 1);
    ck_assert_int_eq(store_schema_default_dir(buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "/x/data/flowdrill");
    setenv("XDG_DATA_HOME", "relative", 1); /* invalid per the spec: ignored */
    setenv("HOME", "/home/u", 1);
    ck_assert_int_eq(store_schema_default_dir(buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "/home/u/.local/share/flowdrill");
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    ck_assert_int_eq(store_schema_default_dir(buf, sizeof buf), -1);
}
END_TEST

START_TEST(test_parse_time)
{
    uint32_t t, now = 1000000;
    ck_assert_int_eq(history_cli_parse_time("24h", now, &t), 0);
    ck_assert_uint_eq(t, now - 86400);
    ck_assert_int_eq(history_cli_parse_time("90m", now, &t), 0);
    ck_assert_uint_eq(t, now - 5400);
    ck_assert_int_eq(history_cli_parse_time("2w", now, &t), 0);
    ck_assert_uint_eq(t, 0); /* before the epoch: clamped */
    ck_assert_int_eq(history_cli_parse_time("30", now, &t), 0);
    ck_assert_uint_eq(t, now - 30);
    ck_assert_int_eq(history_cli_parse_time("now", now, &t), 0);
    ck_assert_uint_eq(t, now);
    ck_assert_int_eq(history_cli_parse_time("@1700000000", now, &t), 0);
    ck_assert_uint_eq(t, 1700000000);
    ck_assert_int_eq(history_cli_parse_time("2024-12-05T12:00", now, &t), 0);
    ck_assert_uint_eq(t, 1733400000);
    ck_assert_int_eq(history_cli_parse_time("2024-12-05", now, &t), 0);
    ck_assert_uint_eq(t, 1733356800);
    const char *badv[] = {"", "h", "24x", "24hh", "-5", "2024-13-45", "@x", "99999999999d"};
    for (size_t i = 0; i < sizeof badv / sizeof badv[0]; i++)
        ck_assert_msg(history_cli_parse_time(badv[i], now, &t) == -1, "%s", badv[i]);
}
END_TEST

/* The screen's filter on what stored rows know. */
START_TEST(test_filter_facts)
{
    struct filter *f;
    char err[FILTER_ERR_LEN];
    struct store_row host = {.table = AGG_T_HOST, .key_len = 16};
    host.key[10] = host.key[11] = 0xff;
    host.key[12] = 10, host.key[15] = 1; /* 10.0.0.1 */
    struct store_row pair = {.table = AGG_T_PAIR, .key_len = 32};
    memcpy(pair.key, host.key, 16);
    memcpy(pair.key + 16, host.key, 16);
    pair.key[31] = 2; /* 10.0.0.1 <-> 10.0.0.2 */
    struct store_row port = {.table = AGG_T_PORT, .key_len = 3, .key = {1, 187, 6}}; /* 443/tcp */
    struct store_row app = {.table = AGG_T_APP, .key_len = 5, .key = "https"};
    struct {
        const char *expr;
        bool host, pair, port, app;
    } cases[] = {
        {"host 10.0.0.1", true, true, true, true},
        {"host 10.0.0.2", false, true, true, true},
        {"src host 10.0.0.2", false, true, true, true},
        {"host 10.0.0.1 and host 10.0.0.2", false, true, true, true},
        {"src and dst net 10.0.0.0/8", true, true, true, true},
        {"port 443", true, true, true, true},
        {"port 80", true, true, false, true},
        {"udp", true, true, false, true},
        {"not tcp", true, true, false, true},
        {"ip6", false, false, true, true},
        {"not host 10.0.0.1", false, false, true, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(filter_compile(cases[i].expr, &f, err, sizeof err, NULL), 0);
        struct filter_facts x;
        store_query_facts(&host, &x);
        ck_assert_msg(filter_match_facts(f, &x) == cases[i].host, "host: %s", cases[i].expr);
        store_query_facts(&pair, &x);
        ck_assert_msg(filter_match_facts(f, &x) == cases[i].pair, "pair: %s", cases[i].expr);
        store_query_facts(&port, &x);
        ck_assert_msg(filter_match_facts(f, &x) == cases[i].port, "port: %s", cases[i].expr);
        store_query_facts(&app, &x);
        ck_assert_msg(filter_match_facts(f, &x) == cases[i].app, "app: %s", cases[i].expr);
        filter_free(f);
    }
}
END_TEST

/* A query with a filter over stored minutes keeps the matching rows only, without the rest. */
START_TEST(test_query_filter)
{
    char err[512];
    struct store_policy p;
    store_policy_default(&p);
    p.top = 2;
    sqlite3 *db = store_schema_open(tmpdir, true, err, sizeof err);
    ck_assert_ptr_nonnull(db);
    for (uint32_t k = 0; k < 3; k++) {
        struct store_minute *m = mk_minute(60 * k, 10, 4);
        ck_assert_int_eq(store_write_minute(db, &p, m), 0);
        store_minute_free(m);
    }
    struct store_series ser;
    ck_assert_int_eq(store_query_series(db, 0, 3600, &ser, err, sizeof err), 0);
    struct filter *f;
    ck_assert_int_eq(filter_compile("net 10.0.0.4/31", &f, err, sizeof err, NULL), 0);
    struct store_qrow *rows;
    size_t n;
    ck_assert_int_eq(store_query_rows(db, &ser, AGG_T_HOST, f, 0, &rows, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 1); /* 10.0.0.4 (top); 10.0.0.5 does not exist, 1..2 are in the rest */
    ck_assert_uint_eq(rows[0].row.key[15], 4);
    free(rows);
    ck_assert_int_eq(store_query_rows(db, &ser, AGG_T_HOST, NULL, 0, &rows, &n, err, sizeof err),
                     0);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(rows[2].row.key_len, 0); /* the rest last */
    ck_assert_uint_eq(rows[2].stats.sum, 3 * 30);
    free(rows);
    filter_free(f);
    store_series_free(&ser);
    sqlite3_close(db);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_rollup_exact);
    tcase_add_test(tc, test_write_top_and_rest);
    tcase_add_test(tc, test_restart_keeps_history);
    tcase_add_test(tc, test_kill9_keeps_minutes);
    tcase_add_test(tc, test_retention_ages);
    tcase_add_test(tc, test_retention_size_cap);
    tcase_add_test(tc, test_roll_hour);
    tcase_add_test(tc, test_stats);
    tcase_add_test(tc, test_open_errors);
    tcase_add_test(tc, test_default_dir);
    tcase_add_test(tc, test_parse_time);
    tcase_add_test(tc, test_filter_facts);
    tcase_add_test(tc, test_query_filter);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(store_suite());
}
