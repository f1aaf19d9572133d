/*
 * check_trends.c - the Trends view: its chart bucketing, its reads of a history store filled
 * here by the store's own writer (store_write_minute) with a made-up clock, the model's
 * keys (range, table, drill, back) and the screen on the memory canvas.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "flowdrill/canvas.h"
#include "flowdrill/service.h"
#include "flowdrill/store.h"
#include "flowdrill/store_query.h"
#include "flowdrill/trends.h"
#include "flowdrill/ui.h"

#include "checkrun.h"

static char tmpdir[256];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/fdtrendsXXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

#define T0 (1733400000u - 1733400000u % 3600) /* an hour boundary */
#define MINUTES 120
#define HOSTS 4

/* Host h (1..HOSTS) moves h * (minute index + 1) * 1000 bytes in minute i; host 2 has a
 * burst in minute 100. In and out split 3:1. */
static uint64_t host_bytes(int h, int i)
{
    uint64_t b = (uint64_t)h * (uint64_t)(i + 1) * 1000;
    if (h == 2 && i == 100)
        b += 50000000;
    return b;
}

static struct store_minute *mk(int i)
{
    struct store_minute *m = calloc(1, sizeof *m);
    m->t = T0 + 60u * (uint32_t)i;
    m->rows = calloc(HOSTS, sizeof *m->rows);
    for (int h = 1; h <= HOSTS; h++) {
        struct store_row *r = &m->rows[m->n_rows++];
        r->table = AGG_T_HOST;
        r->key_len = 16;
        r->key[10] = r->key[11] = 0xff;
        r->key[12] = 10;
        r->key[15] = (uint8_t)h;
        r->c.bytes[0] = host_bytes(h, i);
        r->c.pkts[0] = 1;
        m->bytes += r->c.bytes[0];
        m->packets++;
    }
    m->bytes_in = m->bytes / 4 * 3;
    m->bytes_out = m->bytes - m->bytes_in;
    return m;
}

static sqlite3 *fill(void)
{
    char err[512];
    sqlite3 *db = store_schema_open(tmpdir, true, err, sizeof err);
    ck_assert_msg(db != NULL, "%s", err);
    struct store_policy p;
    store_policy_default(&p);
    for (int i = 0; i < MINUTES; i++) {
        struct store_minute *m = mk(i);
        ck_assert_int_eq(store_write_minute(db, &p, m), 0);
        store_minute_free(m);
    }
    sqlite3_close(db);
    db = store_schema_open(tmpdir, false, err, sizeof err); /* as the screen opens it */
    ck_assert_msg(db != NULL, "%s", err);
    return db;
}

static const uint32_t NOW = T0 + 60u * MINUTES; /* the fake clock: just after the last minute */

START_TEST(test_chart_buckets)
{
    uint64_t b[6] = {600, 60, 120, 0, 6000, 9};
    uint32_t t[6] = {0, 60, 120, 180, 240, 400};
    uint64_t out[3];
    /* [0, 300) in 3 columns of 100 s: samples 0,60 | 120,180 | 240; 400 is outside */
    uint64_t max = trends_chart(b, t, 6, 60, 0, 300, out, 3);
    ck_assert_uint_eq(out[0], 600 * 8 / 60); /* the higher of the two, not their mean */
    ck_assert_uint_eq(out[1], 120 * 8 / 60);
    ck_assert_uint_eq(out[2], 6000 * 8 / 60);
    ck_assert_uint_eq(max, 6000 * 8 / 60);
    /* more columns than samples: the gaps stay empty */
    uint64_t wide[10];
    trends_chart(b, t, 6, 60, 0, 300, wide, 10);
    ck_assert_uint_eq(wide[0], 80);
    ck_assert_uint_eq(wide[1], 0);
    ck_assert_uint_eq(wide[2], 8);
    /* an hour sample starting before the range goes to the first column */
    uint64_t h[1] = {3600};
    uint32_t ht[1] = {3600};
    uint64_t one[4];
    trends_chart(h, ht, 1, 3600, 3700, 3700 + 4 * 3600, one, 4);
    ck_assert_uint_eq(one[0], 8);
    ck_assert_uint_eq(trends_chart(h, ht, 1, 3600, 10, 10, one, 4), 0);
}
END_TEST

START_TEST(test_query_ranges_and_rows)
{
    sqlite3 *db = fill();
    struct trends t;
    trends_init(&t);
    ck_assert(t.dirty);
    ck_assert_int_eq(t.range, TRENDS_24H);
    t.range = TRENDS_1H;
    struct trends_req q;
    trends_request(&t, NOW, &q);
    struct trends_data d;
    ck_assert_int_eq(trends_query(db, &q, &d), 0);
    ck_assert_str_eq(d.err, "");
    ck_assert_uint_eq(d.ser.step, 60);
    ck_assert_uint_eq(d.ser.n, 60); /* the last hour: minutes 60..119 */
    ck_assert_uint_eq(d.ser.s[0].t, T0 + 3600);
    ck_assert_uint_eq(d.n_rows, HOSTS);
    /* host 4 moved the most over the last hour, except that host 2's burst beats it */
    uint64_t want[HOSTS + 1] = {0};
    for (int h = 1; h <= HOSTS; h++)
        for (int i = 60; i < MINUTES; i++)
            want[h] += host_bytes(h, i);
    ck_assert_uint_eq(d.rows[0].row.key[15], 2);
    ck_assert_uint_eq(d.rows[0].stats.sum, want[2]);
    ck_assert_uint_eq(d.rows[0].stats.peak, host_bytes(2, 100) * 8 / 60);
    ck_assert_uint_eq(d.rows[1].row.key[15], 4);
    ck_assert_uint_eq(d.rows[1].stats.sum, want[4]);
    ck_assert_uint_eq(d.rows[1].stats.peak, host_bytes(4, MINUTES - 1) * 8 / 60);
    ck_assert(d.rows[1].stats.growth_known && d.rows[1].stats.growth > 0);
    trends_take(&t, &d);
    ck_assert(!t.dirty);
    ck_assert(t.have);
    ck_assert_uint_eq(d.n_rows, 0); /* taken */
    /* select host 4, widen the range: still host 4 after the read */
    ck_assert(trends_move(&t, 1));
    ck_assert(trends_range_step(&t, +1));
    ck_assert(t.dirty);
    trends_request(&t, NOW, &q);
    ck_assert_int_eq(trends_query(db, &q, &d), 0);
    ck_assert_uint_eq(d.ser.n, MINUTES);
    trends_take(&t, &d);
    ck_assert_uint_eq(t.d.rows[t.sel].row.key[15], 4);
    /* the 7 and 30 day ranges read what is there; the longest range stops there */
    ck_assert(trends_range_step(&t, +1));
    ck_assert(trends_range_step(&t, +1));
    ck_assert(!trends_range_step(&t, +1));
    ck_assert_int_eq(t.range, TRENDS_30D);
    trends_request(&t, NOW, &q);
    ck_assert_int_eq(trends_query(db, &q, &d), 0);
    ck_assert_uint_eq(d.ser.stats.sum, t.d.ser.stats.sum);
    trends_take(&t, &d);
    /* the screen's filter narrows the rows (the rest row goes), not the totals */
    uint64_t all = t.d.ser.stats.sum;
    trends_set_filter(&t, "host 10.0.0.3");
    ck_assert(t.dirty);
    trends_request(&t, NOW, &q);
    ck_assert_int_eq(trends_query(db, &q, &d), 0);
    ck_assert_uint_eq(d.n_rows, 1);
    ck_assert_uint_eq(d.rows[0].row.key[15], 3);
    ck_assert_uint_eq(d.ser.stats.sum, all);
    trends_take(&t, &d);
    ck_assert(!t.dirty);
    trends_set_filter(&t, "host 10.0.0.3");
    ck_assert(!t.dirty); /* the same text: nothing to read */
    trends_set_filter(&t, "host 10.0.0.3 and");
    trends_request(&t, NOW, &q);
    ck_assert_int_eq(trends_query(db, &q, &d), -1);
    ck_assert(strncmp(d.err, "filter:", 7) == 0);
    trends_take(&t, &d);
    trends_set_filter(&t, "");
    /* another table: none stored here */
    ck_assert(trends_table_step(&t, +1));
    ck_assert_int_eq(t.table, AGG_T_PAIR);
    ck_assert_uint_eq(t.sel, 0);
    trends_request(&t, NOW, &q);
    ck_assert_int_eq(trends_query(db, &q, &d), 0);
    ck_assert_uint_eq(d.n_rows, 0);
    trends_take(&t, &d);
    ck_assert(!trends_drill(&t)); /* nothing to drill into */
    ck_assert(trends_table_step(&t, -1));
    ck_assert_int_eq(t.table, AGG_T_HOST);
    ck_assert(trends_table_step(&t, -1)); /* wraps to the last stored table */
    ck_assert_int_eq(t.table, AGG_T_IFACE);
    trends_free(&t);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_drill_into_a_row)
{
    sqlite3 *db = fill();
    struct trends t;
    trends_init(&t);
    struct trends_req q;
    struct trends_data d;
    trends_request(&t, NOW, &q);
    ck_assert_int_eq(trends_query(db, &q, &d), 0);
    trends_take(&t, &d);
    ck_assert(trends_move_to(&t, 2)); /* the third busiest of 2 h: host 3 */
    ck_assert_uint_eq(t.d.rows[2].row.key[15], 3);
    uint64_t sum = t.d.rows[2].stats.sum;
    ck_assert(trends_drill(&t));
    ck_assert(t.drilled && t.dirty);
    ck_assert(!trends_drill(&t));
    ck_assert(!trends_move(&t, 1)); /* the list does not move under a chart */
    trends_request(&t, NOW, &q);
    ck_assert(q.drilled);
    ck_assert_int_eq(trends_query(db, &q, &d), 0);
    ck_assert_ptr_nonnull(d.key_bytes);
    for (int i = 0; i < MINUTES; i++)
        ck_assert_uint_eq(d.key_bytes[i], host_bytes(3, i));
    ck_assert_uint_eq(d.key_stats.sum, sum);
    ck_assert_uint_eq(d.key_stats.peak, host_bytes(3, MINUTES - 1) * 8 / 60);
    trends_take(&t, &d);
    ck_assert(!t.dirty);
    /* a result for another request leaves the model dirty */
    ck_assert(trends_back(&t));
    ck_assert(!trends_back(&t));
    trends_request(&t, NOW, &q);
    q.drilled = true;
    q.key = t.d.rows[0].row;
    ck_assert_int_eq(trends_query(db, &q, &d), 0);
    trends_take(&t, &d);
    ck_assert(t.dirty);
    trends_free(&t);
    sqlite3_close(db);
}
END_TEST

/* A damaged store: the read fails with a message, the model shows it. */
START_TEST(test_query_error)
{
    sqlite3 *db = fill();
    ck_assert_int_eq(sqlite3_exec(db, "SELECT 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, STORE_FILE);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE minute_row", NULL, NULL, NULL), SQLITE_OK);
    struct trends_req q = {.range = TRENDS_1H, .table = AGG_T_HOST, .now = NOW};
    struct trends_data d;
    ck_assert_int_eq(trends_query(db, &q, &d), -1);
    ck_assert(strstr(d.err, "cannot read") != NULL);
    trends_data_free(&d);
    sqlite3_close(db);
}
END_TEST

/* ---- the screen ---- */

static struct ui u;
static struct ui_status st;
static struct canvas *cv;
static struct service_db *svc;

static void ui_setup(void)
{
    setup();
    svc = service_db_new(false);
    ui_init(&u, svc, TOPN_SORT_BYTES);
    memset(&st, 0, sizeof st);
    st.n_src = 1;
    snprintf(st.src[0].name, sizeof st.src[0].name, "eth0");
    cv = canvas_mem_new(100, 30, true);
}

static void ui_teardown(void)
{
    canvas_mem_free(cv);
    ui_free(&u);
    service_db_free(svc);
    teardown();
}

/* What the program does after a key: read when the model wants it, draw. */
static enum ui_action key_read(sqlite3 *db, int k)
{
    enum ui_action a = ui_key(&u, k, 1000);
    if (u.mode == UI_TRENDS && u.trends.dirty && db) {
        struct trends_req q;
        struct trends_data d;
        trends_request(&u.trends, NOW, &q);
        trends_query(db, &q, &d);
        trends_take(&u.trends, &d);
    }
    ui_layout(&u, cv->w, cv->h, &st);
    ui_render(&u, cv, &st, 1000);
    return a;
}

/* Cells of the chart area (rows 3 .. axis) holding a bar glyph. */
static int bar_cells(const char *glyph)
{
    int n = 0;
    int axis = canvas_mem_find(cv, "UTC");
    ck_assert_int_gt(axis, 3);
    for (int y = 3; y < axis; y++) {
        const char *row = canvas_mem_row(cv, y);
        for (const char *p = row; (p = strstr(p, glyph)); p += strlen(glyph))
            n++;
    }
    return n;
}

START_TEST(test_screen_chart_and_rows)
{
    sqlite3 *db = fill();
    ck_assert_int_eq(key_read(db, '0'), UI_ACT_REFRESH);
    ck_assert_int_eq(u.mode, UI_TRENDS);
    ck_assert_int_ge(canvas_mem_find(cv, "Trends: last 24 h"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "by host"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "120 1-minute samples"), 0);
    int head = canvas_mem_find(cv, "GROWTH");
    ck_assert_int_gt(head, 3);
    ck_assert(strstr(canvas_mem_row(cv, head), "P95") && strstr(canvas_mem_row(cv, head), "PEAK"));
    ck_assert(strstr(canvas_mem_row(cv, head + 1), "10.0.0.2") != NULL); /* the busiest first */
    ck_assert_int_eq(canvas_mem_attr(cv, head + 1, 5), CA_SELECTED);
    ck_assert_int_gt(bar_cells("\u2588"), 0); /* full blocks in the chart */
    ck_assert_int_ge(canvas_mem_find(cv, "in"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "0Close"), 0);
    /* the chart rows hold nothing but glyphs of the chart and its scale */
    /* down, Enter: host 4's own chart and its figures */
    key_read(db, 'j');
    ck_assert(strstr(canvas_mem_row(cv, head + 2), "10.0.0.4") != NULL);
    key_read(db, UIK_ENTER);
    ck_assert(u.trends.drilled);
    ck_assert_int_ge(canvas_mem_find(cv, "host 10.0.0.4"), 0);
    ck_assert_int_eq(canvas_mem_find(cv, "10.0.0.2"), -1);
    ck_assert_int_gt(bar_cells("\u2588"), 0);
    key_read(db, UIK_ESC);
    ck_assert(!u.trends.drilled);
    ck_assert_int_eq(u.mode, UI_TRENDS);
    /* the range keys */
    key_read(db, '<');
    ck_assert_int_ge(canvas_mem_find(cv, "Trends: last 1 h"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "60 1-minute samples"), 0);
    key_read(db, '<');
    ck_assert_int_eq(u.trends.range, TRENDS_1H);
    /* help from here comes back here */
    key_read(db, '?');
    ck_assert_int_eq(u.mode, UI_HELP);
    ck_assert_int_ge(canvas_mem_find(cv, "Trends: history charts"), 0);
    key_read(db, 'x');
    ck_assert_int_eq(u.mode, UI_TRENDS);
    /* ASCII terminals: '#' bars */
    canvas_mem_free(cv);
    cv = canvas_mem_new(60, 16, false);
    key_read(db, ' ');
    ck_assert_int_gt(bar_cells("#"), 0);
    /* H closes it, Esc at the list too */
    key_read(db, 'H');
    ck_assert_int_eq(u.mode, UI_NORMAL);
    key_read(db, 'H');
    key_read(db, UIK_ESC);
    ck_assert_int_eq(u.mode, UI_NORMAL);
    /* the screen's filter follows into Trends and is shown */
    canvas_mem_resize(cv, 120, 30);
    key_read(db, 'f');
    for (const char *p = "host 10.0.0.1"; *p; p++)
        key_read(db, *p);
    key_read(db, UIK_ENTER);
    key_read(db, '0');
    ck_assert_int_ge(canvas_mem_find(cv, "filter: host 10.0.0.1 (rows"), 0);
    ck_assert_uint_eq(u.trends.d.n_rows, 1);
    key_read(db, '0');
    /* 3 from Trends: the Ports view */
    key_read(db, '0');
    key_read(db, '3');
    ck_assert_int_eq(u.mode, UI_NORMAL);
    ck_assert_int_eq(view_ccur(&u.view)->kind, VIEW_PORTS);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_screen_off_and_empty)
{
    trends_set_off(&u.trends, "History is off (--no-store). Run flowdrill without --no-store.");
    key_read(NULL, '0');
    ck_assert_int_ge(canvas_mem_find(cv, "History is off (--no-store)"), 0);
    ck_assert_int_eq(canvas_mem_attr(cv, canvas_mem_find(cv, "History is off"), 2), CA_ALERT);
    ck_assert(!u.trends.dirty);
    /* an empty range says so */
    ui_free(&u);
    ui_init(&u, svc, TOPN_SORT_BYTES);
    sqlite3 *db = fill();
    key_read(db, '0');
    ck_assert_int_ge(canvas_mem_find(cv, "10.0.0.2"), 0);
    struct trends_req q;
    struct trends_data d;
    trends_request(&u.trends, NOW + 30 * 86400u, &q); /* a month later */
    q.range = TRENDS_1H;
    u.trends.range = TRENDS_1H;
    trends_query(db, &q, &d);
    trends_take(&u.trends, &d);
    ui_layout(&u, cv->w, cv->h, &st);
    ui_render(&u, cv, &st, 1000);
    ck_assert_int_ge(canvas_mem_find(cv, "no history in the last 1 h"), 0);
    /* every size from the smallest renders */
    for (int w = UI_MIN_W; w <= 120; w += 17)
        for (int h = UI_MIN_H; h <= 40; h += 5) {
            canvas_mem_resize(cv, w, h);
            key_read(db, ' ');
            ck_assert_int_ge(canvas_mem_find(cv, "Trends"), 0);
        }
    sqlite3_close(db);
}
END_TEST

static Suite *trends_suite(void)
{
    Suite *s = suite_create("trends");
    TCase *tc = tcase_create("model");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_chart_buckets);
    tcase_add_test(tc, test_query_ranges_and_rows);
    tcase_add_test(tc, test_drill_into_a_row);
    tcase_add_test(tc, test_query_error);
    suite_add_tcase(s, tc);
    TCase *ts = tcase_create("screen");
    tcase_add_checked_fixture(ts, ui_setup, ui_teardown);
    tcase_add_test(ts, test_screen_chart_and_rows);
    tcase_add_test(ts, test_screen_off_and_empty);
    suite_add_tcase(s, ts);
    return s;
}

int main(void)
{
    return check_run(trends_suite());
}
