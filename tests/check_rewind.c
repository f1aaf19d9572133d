/*
 * check_rewind.c - the history rewind: two minutes of known traffic go through a live
 * aggregator, the store's own roll-up (store_rollup_take) and writer (store_write_minute)
 * into a temporary store; then stepping [ and ] through them, the rows the views get for
 * each minute (top level, filter, a host's peers, levels not kept), and the screen's marks.
 * The clock is the data's own (made-up seconds).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "flowdrill/canvas.h"
#include "flowdrill/filter.h"
#include "flowdrill/rewind.h"
#include "flowdrill/store.h"
#include "flowdrill/ui.h"
#include "checkrun.h"
#include "viewcheck.h"

static char tmpdir[256];
static struct vc f;
static sqlite3 *db;

#define M1 (VC_T0 - VC_T0 % 60)
#define M2 (M1 + 60)

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/fdrewindXXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    struct agg_limits lim;
    agg_limits_default(&lim);
    localnet_init(&f.ln);
    localnet_add_cidr(&f.ln, "10.0.0.0/8");
    f.svc = service_db_new(false);
    f.agg = agg_new(&lim, &f.ln, f.svc, 42);
    char err[512];
    sqlite3 *w = store_schema_open(tmpdir, true, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    struct store_policy p;
    store_policy_default(&p);
    struct store_rollup *ru = store_rollup_new(f.agg);
    /* minute 1: viewcheck.h's mix (A 11500, C 10500, D 1668, B 668) */
    vc_add(&f, VC_A, 40000, VC_C, 443, 6, 1000, 10, VC_T0);
    vc_add(&f, VC_B, 50000, VC_C, 53, 17, 100, 5, VC_T0);
    vc_add(&f, VC_A, 40001, VC_D, 22, 6, 500, 3, VC_T0);
    vc_add(&f, VC_D, 0, VC_B, 0, 1, 84, 2, VC_T0);
    agg_advance(f.agg, M2);
    struct store_minute *m = store_rollup_take(ru, f.agg, M1);
    ck_assert_int_eq(store_write_minute(w, &p, m), 0);
    store_minute_free(m);
    /* minute 2: A -> C 5 x 1000 */
    vc_add(&f, VC_A, 40000, VC_C, 443, 6, 1000, 5, M2 + 10);
    agg_advance(f.agg, M2 + 60);
    m = store_rollup_take(ru, f.agg, M2);
    ck_assert_int_eq(store_write_minute(w, &p, m), 0);
    store_minute_free(m);
    store_rollup_free(ru);
    sqlite3_close(w);
    db = store_schema_open(tmpdir, false, err, sizeof err); /* as the screen opens it */
    ck_assert_msg(db != NULL, "%s", err);
}

static void teardown(void)
{
    sqlite3_close(db);
    vc_teardown(&f);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static struct flow_addr addr(const char *s)
{
    struct flow_addr a;
    ck_assert_int_eq(flow_addr_parse(s, &a), 0);
    return a;
}

/* Bytes of the row with address `s` in a host-keyed result; -1 when absent. */
static int64_t host_bytes(const struct query_result *r, const char *s)
{
    struct flow_addr a = addr(s);
    for (size_t i = 0; i < r->n; i++)
        if (memcmp(r->rows[i].r.key.raw, a.b, 16) == 0)
            return (int64_t)r->rows[i].r.bytes;
    return -1;
}

START_TEST(test_steps)
{
    struct rewind rw;
    rewind_init(&rw);
    struct query q = {.kind = VIEW_HOSTS};
    struct query_result res;
    ck_assert(!rewind_source(&rw, &q, &res)); /* live: the tables answer */
    ck_assert_int_eq(rewind_step(&rw, db, +1), REWIND_NONE);
    ck_assert_int_eq(rewind_step(&rw, db, -1), REWIND_MOVED);
    ck_assert(rw.on);
    ck_assert_uint_eq(rw.t, M2); /* from live: the newest minute */
    ck_assert_uint_eq(rw.bytes, 5000);
    ck_assert_int_eq(rewind_step(&rw, db, -1), REWIND_MOVED);
    ck_assert_uint_eq(rw.t, M1);
    ck_assert_uint_eq(rw.bytes, 10 * 1000 + 5 * 100 + 3 * 500 + 2 * 84);
    ck_assert_uint_eq(rw.packets, 20);
    ck_assert_int_eq(rewind_step(&rw, db, -1), REWIND_NONE); /* the oldest */
    ck_assert_uint_eq(rw.t, M1);
    ck_assert_int_eq(rewind_step(&rw, db, +1), REWIND_MOVED);
    ck_assert_uint_eq(rw.t, M2);
    ck_assert_int_eq(rewind_step(&rw, db, +1), REWIND_LIVE);
    ck_assert(!rw.on);
    ck_assert_int_eq(rewind_load(&rw, db, M1 + 120), REWIND_NONE);
    ck_assert(!rw.on);
    ck_assert_int_eq(rewind_load(&rw, db, M1), REWIND_MOVED);
    rewind_live(&rw);
    ck_assert(!rw.on);
    rewind_free(&rw);
}
END_TEST

START_TEST(test_rows_of_a_minute)
{
    struct rewind rw;
    rewind_init(&rw);
    ck_assert_int_eq(rewind_load(&rw, db, M1), REWIND_MOVED);
    struct query q = {.kind = VIEW_HOSTS};
    struct query_result res;
    ck_assert(rewind_source(&rw, &q, &res));
    ck_assert_uint_eq(res.n, 4);
    ck_assert_int_eq(host_bytes(&res, VC_A), 11500);
    ck_assert_int_eq(host_bytes(&res, VC_C), 10500);
    ck_assert_int_eq(host_bytes(&res, VC_D), 1668);
    ck_assert_int_eq(host_bytes(&res, VC_B), 668);
    /* the minute's mean rate in each window (to within the windows' byte rounding) */
    for (size_t i = 0; i < res.n; i++)
        for (int w = 0; w < 3; w++) {
            int64_t want = (int64_t)(res.rows[i].r.bytes * 8 / 60);
            int64_t got = (int64_t)topn_row_rate_bps(&res.rows[i].r, w);
            ck_assert_msg(got <= want && got >= want - 4, "window %d: %lld, want %lld", w,
                          (long long)got, (long long)want);
        }
    ck_assert_uint_eq(res.denom[3], rw.bytes);
    query_result_free(&res);
    /* ports: 443, 53, 22 */
    q.kind = VIEW_PORTS;
    ck_assert(rewind_source(&rw, &q, &res));
    ck_assert_uint_eq(res.n, 3);
    query_result_free(&res);
    /* flows are not kept */
    q.kind = VIEW_FLOWS;
    ck_assert(rewind_source(&rw, &q, &res));
    ck_assert_uint_eq(res.n, 0);
    query_result_free(&res);
    /* a filter: what the stored rows know */
    struct filter *flt;
    char err[128];
    unsigned col;
    ck_assert_int_eq(filter_compile("host " VC_A, &flt, err, sizeof err, &col), 0);
    q.filter = flt;
    q.kind = VIEW_HOSTS;
    ck_assert(rewind_source(&rw, &q, &res));
    ck_assert_uint_eq(res.n, 1);
    ck_assert_int_eq(host_bytes(&res, VC_A), 11500);
    query_result_free(&res);
    q.kind = VIEW_CONVS;
    ck_assert(rewind_source(&rw, &q, &res));
    ck_assert_uint_eq(res.n, 2); /* A-C, A-D */
    query_result_free(&res);
    filter_free(flt);
    q.filter = NULL;
    /* a host's peers, from the pair rows, seen from the peer */
    struct scope sc = {.kind = SCOPE_HOST};
    struct flow_addr a = addr(VC_A);
    memcpy(sc.key, a.b, 16);
    q.kind = VIEW_HOSTS;
    q.scope = &sc;
    q.n_scope = 1;
    ck_assert(rewind_source(&rw, &q, &res));
    ck_assert_uint_eq(res.n, 2);
    ck_assert_int_eq(host_bytes(&res, VC_C), 10000);
    ck_assert_int_eq(host_bytes(&res, VC_D), 1500);
    for (size_t i = 0; i < res.n; i++) /* [0] sent by the peer: nothing; [1] received */
        ck_assert_uint_eq(res.rows[i].r.bytes_dir[0], 0);
    query_result_free(&res);
    /* a host's ports were not kept */
    q.kind = VIEW_PORTS;
    ck_assert(rewind_source(&rw, &q, &res));
    ck_assert_uint_eq(res.n, 0);
    query_result_free(&res);
    rewind_free(&rw);
}
END_TEST

/* A store that breaks under the rewind: the step fails with a message, nothing changes. */
START_TEST(test_step_error)
{
    struct rewind rw;
    rewind_init(&rw);
    ck_assert_int_eq(rewind_step(&rw, db, -1), REWIND_MOVED);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, STORE_FILE);
    sqlite3 *w;
    ck_assert_int_eq(sqlite3_open(path, &w), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(w, "DROP TABLE minute_row", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(w);
    ck_assert_int_eq(rewind_step(&rw, db, -1), REWIND_ERR);
    ck_assert(strstr(rw.err, "cannot read") != NULL);
    ck_assert(rw.on);
    ck_assert_uint_eq(rw.t, M2);
    rewind_free(&rw);
}
END_TEST

/* ---- the screen ---- */

static struct ui u;
static struct ui_status st;
static struct canvas *cv;

/* A key and what the program does with it: the rewind step, the refresh, the draw. */
static enum ui_action key(int k)
{
    enum ui_action a = ui_key(&u, k, 1000);
    if (u.rewind_req) {
        if (u.rewind_req == UI_REWIND_LIVE)
            rewind_live(&u.rewind);
        else
            rewind_step(&u.rewind, db, u.rewind_req);
        u.rewind_req = 0;
    }
    if (a == UI_ACT_REFRESH)
        view_refresh(&u.view, f.agg, 1000);
    ui_layout(&u, cv->w, cv->h, &st);
    ui_render(&u, cv, &st, 1000);
    return a;
}

START_TEST(test_screen_marks_history)
{
    ui_init(&u, f.svc, TOPN_SORT_BYTES);
    memset(&st, 0, sizeof st);
    cv = canvas_mem_new(110, 30, true);
    /* live first: the live tables hold both minutes */
    vc_add(&f, VC_B, 50001, VC_D, 80, 6, 7777, 1, M2 + 70); /* only live */
    agg_advance(f.agg, M2 + 75);
    key(' ');
    ck_assert_uint_eq(u.view.res.n, 4);
    ck_assert_int_lt(canvas_mem_find(cv, "HISTORY"), 0);
    ck_assert_int_eq(key('['), UI_ACT_REFRESH);
    ck_assert(u.rewind.on);
    const char *row0 = canvas_mem_row(cv, 0);
    const char *mark = strstr(row0, "HISTORY ");
    ck_assert_ptr_nonnull(mark);
    char hm[8];
    snprintf(hm, sizeof hm, "%02u:%02u", (M2 / 3600) % 24, (M2 / 60) % 60);
    ck_assert_ptr_nonnull(strstr(mark, hm));
    ck_assert_int_eq(canvas_mem_attr(cv, 0, (int)(mark - row0)), CA_PAUSED);
    ck_assert_int_eq(canvas_mem_find(cv, " HISTORY 1970-01-12"), 1); /* the traffic line */
    /* minute 2 has A and C only */
    ck_assert_uint_eq(u.view.res.n, 2);
    key('[');
    ck_assert_uint_eq(u.view.res.n, 4);
    ck_assert_int_ge(canvas_mem_find(cv, VC_D), 0);
    /* the busiest (sorted by total) is A; drill into it: its peers of that minute */
    ck_assert(view_sort_by(&u.view, COL_TOTAL));
    key(' ');
    ck_assert_uint_eq(u.view.sel, 0);
    ck_assert_int_eq(key(UIK_ENTER), UI_ACT_REFRESH);
    ck_assert_uint_eq(u.view.depth, 1);
    ck_assert_uint_eq(u.view.res.n, 2);
    ck_assert_int_ge(canvas_mem_find(cv, VC_C), 0);
    /* Tab to its ports: not kept, and the screen says so */
    key('3');
    ck_assert_int_eq(view_ccur(&u.view)->kind, VIEW_PORTS);
    ck_assert_uint_eq(u.view.res.n, 0);
    ck_assert_int_ge(canvas_mem_find(cv, "this minute's history keeps"), 0);
    key(UIK_ESC);
    /* ' goes live: the mark goes, the live-only row is back */
    key('\'');
    ck_assert(!u.rewind.on);
    ck_assert_int_lt(canvas_mem_find(cv, "HISTORY"), 0);
    ck_assert(u.view.res.n >= 4);
    /* ] from live does nothing; [ then ] ] returns to live */
    key(']');
    ck_assert(!u.rewind.on);
    key('[');
    key(']');
    ck_assert(!u.rewind.on);
    canvas_mem_free(cv);
    ui_free(&u);
}
END_TEST

static Suite *rewind_suite(void)
{
    Suite *s = suite_create("rewind");
    TCase *tc = tcase_create("rewind");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_steps);
    tcase_add_test(tc, test_rows_of_a_minute);
    tcase_add_test(tc, test_step_error);
    tcase_add_test(tc, test_screen_marks_history);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(rewind_suite());
}
