/*
 * check_ui.c - whole screens rendered onto a memory canvas at several sizes, and the keys
 * that drive them: prompts, menus, help, pause, ASCII fallback.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/canvas.h"
#include "flowdrill/ui.h"
#include "checkrun.h"
#include "viewcheck.h"

static struct vc f;
static struct ui u;
static struct ui_status st;
static struct canvas *cv;
static uint64_t now_ms;

static void setup(void)
{
    vc_setup(&f);
    ui_init(&u, f.svc, TOPN_SORT_BYTES);
    memset(&st, 0, sizeof st);
    st.n_src = 1;
    snprintf(st.src[0].name, sizeof st.src[0].name, "eth0");
    snprintf(st.src[0].state, sizeof st.src[0].state, "capturing");
    st.window_secs = 2;
    now_ms = 100000;
    view_refresh(&u.view, f.agg, now_ms);
    cv = canvas_mem_new(100, 30, true);
}

static void teardown(void)
{
    canvas_mem_free(cv);
    ui_free(&u);
    vc_teardown(&f);
}

static void draw(void)
{
    ui_layout(&u, cv->w, cv->h, &st);
    ui_render(&u, cv, &st, now_ms);
}

/* A key, and what the program does with the answer. */
static enum ui_action key(int k)
{
    now_ms += 10;
    enum ui_action a = ui_key(&u, k, now_ms);
    if (a == UI_ACT_REFRESH)
        view_refresh(&u.view, f.agg, now_ms);
    draw();
    return a;
}

static void type(const char *s)
{
    for (; *s; s++)
        key((unsigned char)*s);
}

static int header_row(void)
{
    int y = canvas_mem_find(cv, "HOST ");
    ck_assert_int_ge(y, 0);
    return y;
}

/* Text of the first table row (below the column header). */
static const char *first_row(void)
{
    return canvas_mem_row(cv, header_row() + 1);
}

START_TEST(test_first_screen)
{
    draw();
    ck_assert_msg(strstr(first_row(), VC_A), "%s", first_row());
    ck_assert_int_ge(canvas_mem_find(cv, " flowdrill "), 0);
    ck_assert_int_eq(canvas_mem_find(cv, "eth0 capturing"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "Total"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "Drops: kernel 0"), 0);
    ck_assert_int_eq(canvas_mem_find(cv, "F1Help"), cv->h - 1);
    /* the sorted column is marked */
    ck_assert_msg(strstr(canvas_mem_row(cv, header_row()), "TOTAL\u25bc"), "%s",
                  canvas_mem_row(cv, header_row()));
    /* the selected row stands out */
    ck_assert_int_eq(canvas_mem_attr(cv, header_row() + 1, 5), CA_SELECTED);
    ck_assert_int_ne(canvas_mem_attr(cv, header_row() + 2, 5), CA_SELECTED);
}
END_TEST

START_TEST(test_alerts_stand_out)
{
    st.malformed = 7;
    draw();
    int y = canvas_mem_find(cv, "malformed 7");
    ck_assert_int_ge(y, 0);
    const char *row = canvas_mem_row(cv, y);
    int x = (int)(strstr(row, "malformed 7") - row) + 10;
    ck_assert_int_eq(canvas_mem_attr(cv, y, x), CA_ALERT);
    ck_assert_int_eq(canvas_mem_attr(cv, y, (int)(strstr(row, "kernel 0") - row) + 7),
                     CA_VALUE);
}
END_TEST

START_TEST(test_sizes_degrade_by_columns)
{
    static const int sizes[][2] = {{200, 50}, {120, 40}, {80, 24}, {60, 15}, {40, 10}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        canvas_mem_resize(cv, sizes[i][0], sizes[i][1]);
        draw();
        ck_assert_int_lt(canvas_mem_find(cv, "too small"), 0);
        /* the key and the sorted column always survive */
        char h[1024];
        snprintf(h, sizeof h, "%s", canvas_mem_row(cv, header_row()));
        ck_assert_msg(strstr(h, "HOST") && strstr(h, "TOTAL"), "%dx%d: %s", cv->w, cv->h, h);
        ck_assert_msg(strstr(first_row(), VC_A), "%dx%d: %s", cv->w, cv->h, first_row());
        if (cv->w >= 120)
            ck_assert_msg(strstr(h, "LAST 60s") && strstr(h, "PEERS"), "%dx%d: %s", cv->w, cv->h, h);
        if (cv->w <= 60)
            ck_assert(!strstr(h, "LAST 60s"));
        /* the footer is on the last line */
        ck_assert_int_eq(canvas_mem_find(cv, "F1Help"), cv->h - 1);
    }
    canvas_mem_resize(cv, 39, 10);
    draw();
    ck_assert_int_ge(canvas_mem_find(cv, "terminal too small (39x10)"), 0);
    canvas_mem_resize(cv, 40, 9);
    draw();
    ck_assert_int_ge(canvas_mem_find(cv, "too small"), 0);
}
END_TEST

START_TEST(test_ascii_fallback)
{
    canvas_mem_free(cv);
    cv = canvas_mem_new(100, 30, false);
    key(UIK_ENTER); /* a drill-down: the breadcrumb has a separator */
    draw();
    for (int y = 0; y < cv->h; y++) {
        const unsigned char *row = (const unsigned char *)canvas_mem_row(cv, y);
        for (; *row; row++)
            ck_assert_msg(*row < 0x80, "line %d has a non-ASCII byte", y);
    }
    ck_assert_int_ge(canvas_mem_find(cv, "Hosts > " VC_A " > Peers"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "TOTALv"), 0);
}
END_TEST

START_TEST(test_keys_move_drill_back)
{
    draw();
    key(UIK_DOWN);
    ck_assert_msg(strstr(canvas_mem_row(cv, header_row() + 2), VC_C), "%s",
                  canvas_mem_row(cv, header_row() + 2));
    ck_assert_int_eq(canvas_mem_attr(cv, header_row() + 2, 5), CA_SELECTED);
    /* the footer offers what works here: no Back at the top, no Drill on flows */
    ck_assert_int_lt(canvas_mem_find(cv, "BkspBack"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "EnterDrill"), 0);
    ck_assert_int_eq(key(UIK_ENTER), UI_ACT_REFRESH);
    ck_assert_int_ge(canvas_mem_find(cv, "BkspBack"), 0);
    key('6');
    ck_assert_int_lt(canvas_mem_find(cv, "EnterDrill"), 0);
    key('1');
    ck_assert_int_ge(canvas_mem_find(cv, "PEER"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "Hosts \u203a " VC_C " \u203a Peers"), 0);
    ck_assert_int_eq(key(UIK_BACKSPACE), UI_ACT_REFRESH);
    ck_assert_uint_eq(u.view.depth, 0);
    ck_assert_int_eq(canvas_mem_attr(cv, header_row() + 2, 5), CA_SELECTED);
    key('G');
    ck_assert_uint_eq(u.view.sel, u.view.res.n - 1);
    key('g');
    ck_assert_uint_eq(u.view.sel, 0);
    ck_assert_int_eq(key('3'), UI_ACT_REFRESH);
    ck_assert_int_ge(canvas_mem_find(cv, "PORT"), 0);
    ck_assert_int_eq(key(UIK_TAB), UI_ACT_REFRESH);
    ck_assert_int_ge(canvas_mem_find(cv, "APPLICATION"), 0);
    ck_assert_int_eq(key(UIK_BTAB), UI_ACT_REFRESH);
    ck_assert_int_ge(canvas_mem_find(cv, "PORT"), 0);
    /* exporters without a collector say how to get some; with no collector they are not
     * offered at all */
    key('7');
    ck_assert_int_ge(canvas_mem_find(cv, "collect NetFlow/IPFIX with -l PORT"), 0);
    key('3');
    u.view.no_exports = true;
    key('8');
    ck_assert_int_ge(canvas_mem_find(cv, "Interfaces: no flow exports"), 0);
    ck_assert_int_lt(canvas_mem_find(cv, "7 Exporters"), 0);
    u.view.no_exports = false;
    /* a view that is not there says so */
    key(UIK_ENTER);
    key('7');
    ck_assert_int_ge(canvas_mem_find(cv, "Exporters is not available here"), 0);
    ck_assert_int_eq(key('q'), UI_ACT_QUIT);
}
END_TEST

START_TEST(test_sort_keys_and_menu)
{
    draw();
    key('>');
    ck_assert_int_eq(u.view.sort_col, COL_PACKETS);
    ck_assert_int_ge(canvas_mem_find(cv, "PKTS\u25bc"), 0);
    key('r');
    ck_assert(u.view.sort_asc);
    ck_assert_msg(strstr(first_row(), VC_D), "%s", first_row()); /* fewest packets (5) */
    key('s');
    ck_assert_int_eq(u.mode, UI_SORTMENU);
    ck_assert_int_ge(canvas_mem_find(cv, "Sort by"), 0);
    key(UIK_UP);
    key(UIK_UP);
    ck_assert_int_eq(key(UIK_ENTER), UI_ACT_REFRESH);
    ck_assert_int_eq(u.mode, UI_NORMAL);
    ck_assert_int_eq(u.view.sort_col, COL_RATE40);
    key(UIK_F6);
    ck_assert_int_eq(key(UIK_ESC), UI_ACT_DRAW);
    ck_assert_int_eq(u.view.sort_col, COL_RATE40);
}
END_TEST

START_TEST(test_filter_prompt)
{
    draw();
    key('f');
    ck_assert_int_eq(u.mode, UI_FILTER);
    type("hots 10.0.0.1");
    ck_assert_int_ge(canvas_mem_find(cv, " Filter: hots 10.0.0.1"), 0);
    ck_assert_int_eq(key(UIK_ENTER), UI_ACT_DRAW);
    ck_assert_int_eq(u.mode, UI_FILTER); /* still open, with the error */
    ck_assert_int_ge(canvas_mem_find(cv, "unknown word 'hots'"), 0);
    key(UIK_ESC);
    ck_assert_int_eq(u.mode, UI_NORMAL);
    ck_assert_str_eq(u.view.filter_text, "");
    key('f');
    type("port 53");
    ck_assert_int_eq(key(UIK_ENTER), UI_ACT_REFRESH);
    ck_assert_int_ge(canvas_mem_find(cv, "filter: port 53"), 0);
    ck_assert_uint_eq(u.view.res.n, 2);
    /* a bad edit keeps the old filter */
    key('f');
    key(0x15); /* ^U */
    type("port 99999");
    key(UIK_ENTER);
    ck_assert_int_ge(canvas_mem_find(cv, "out of range"), 0);
    key(UIK_ESC);
    ck_assert_str_eq(u.view.filter_text, "port 53");
    /* an empty filter clears it */
    key('f');
    key(0x15);
    key(UIK_ENTER);
    ck_assert_str_eq(u.view.filter_text, "");
    ck_assert_uint_eq(u.view.res.n, 4);
}
END_TEST

START_TEST(test_search_prompt_and_n)
{
    draw();
    key('/');
    ck_assert_int_eq(u.mode, UI_SEARCH);
    type("192.0");
    ck_assert_uint_eq(u.view.sel, 1); /* C, as typed */
    key(UIK_ENTER);
    ck_assert(u.search_active);
    key('n');
    ck_assert_uint_eq(u.view.sel, 2); /* D */
    key('N');
    ck_assert_uint_eq(u.view.sel, 1);
    ck_assert_int_ge(canvas_mem_find(cv, "search: 192.0"), 0);
    /* Esc ends the search; then n toggles names again */
    key(UIK_ESC);
    ck_assert(!u.search_active);
    ck_assert_uint_eq(u.view.depth, 0);
    bool dns = u.view.dns;
    key('n');
    ck_assert(u.view.dns != dns);
    /* Esc in the prompt goes back to where the search started */
    key('/');
    type("10.0.0.2");
    ck_assert_uint_eq(u.view.sel, 3);
    key(UIK_ESC);
    ck_assert_uint_eq(u.view.sel, 1);
    key('/');
    type("nowhere");
    ck_assert_int_ge(canvas_mem_find(cv, "no match"), 0);
}
END_TEST

START_TEST(test_help_lists_every_binding)
{
    canvas_mem_resize(cv, 120, 80);
    draw();
    key('?');
    ck_assert_int_eq(u.mode, UI_HELP);
    ck_assert_int_eq(canvas_mem_find(cv, " flowdrill help"), 0);
    size_t n;
    const struct ui_binding *b = ui_bindings(&n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(canvas_mem_find(cv, b[i].help) >= 0, "help lacks '%s'", b[i].help);
    ck_assert_int_ge(canvas_mem_find(cv, "Columns:"), 0);
    key('x');
    ck_assert_int_eq(u.mode, UI_NORMAL);
    ck_assert_int_lt(canvas_mem_find(cv, " flowdrill help"), 0);
    /* on a small screen it scrolls */
    canvas_mem_resize(cv, 80, 12);
    key(UIK_F1);
    ck_assert_int_lt(canvas_mem_find(cv, "reverse the sort order"), 0);
    for (int i = 0; i < 20; i++) /* past the end: it stops at the last page */
        key(UIK_PGDN);
    ck_assert_int_ge(canvas_mem_find(cv, "Columns:"), 0);
    ck_assert_int_eq(key('q'), UI_ACT_QUIT);
}
END_TEST

START_TEST(test_pause_and_toggles)
{
    draw();
    key('p');
    ck_assert(u.paused);
    ck_assert_msg(strstr(canvas_mem_row(cv, 0), "PAUSED"), "%s", canvas_mem_row(cv, 0));
    key('Z');
    ck_assert(!u.paused);
    ck_assert(!strstr(canvas_mem_row(cv, 0), "PAUSED"));
    key('T');
    ck_assert(!strstr(canvas_mem_row(cv, header_row() - 0), "PKTS"));
    key('T');
    key('B');
    ck_assert(!u.view.bars);
    key('o');
    ck_assert(u.view.frozen);
    ck_assert_int_ge(canvas_mem_find(cv, "[order frozen]"), 0);
    key('b');
    ck_assert_int_ge(canvas_mem_find(cv, "rates in bytes per second"), 0);
    ck_assert_int_eq(key(0x0c), UI_ACT_REDRAW);
}
END_TEST

START_TEST(test_progress_and_exports_header)
{
    st.reading = true;
    st.progress = 0.5;
    st.read_pps = 125000;
    st.eta_s = 75;
    draw();
    ck_assert_int_ge(canvas_mem_find(cv, " 50%  125.0k pkt/s  1:15 left"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "Reading ["), 0);
    st.reading = false;
    st.exports = true;
    st.data_age_s = 300;
    st.seq_loss = 12;
    draw();
    ck_assert_int_ge(canvas_mem_find(cv, "seq-loss 12"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "data age 300s"), 0);
}
END_TEST

/* Any key, in any mode, at any size: never a crash, and the model stays consistent. */
START_TEST(test_random_keys_any_size)
{
    static const int specials[] = {UIK_UP, UIK_DOWN, UIK_LEFT, UIK_RIGHT, UIK_PGUP, UIK_PGDN,
                                   UIK_HOME, UIK_END, UIK_ENTER, UIK_BACKSPACE, UIK_TAB,
                                   UIK_BTAB, UIK_DELETE, UIK_RESIZE, UIK_F1, UIK_F3, UIK_F4,
                                   UIK_F6, UIK_F10, UIK_ESC, 0x15, 0x0c, 0x02, 0x06};
    unsigned seed = 12345;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        int k;
        if (r % 3 == 0)
            k = specials[r / 3 % (sizeof specials / sizeof specials[0])];
        else
            k = 0x20 + (int)(r / 3 % 95);
        if (k == 'q' || k == UIK_F10)
            k = 'j';
        if (r % 97 == 0)
            canvas_mem_resize(cv, 1 + (int)(r / 97 % 230), 1 + (int)(r / 13 % 70));
        if (r % 211 == 0) {
            /* new traffic now and then, so rows come and go under the cursor */
            vc_add(&f, VC_A, (uint16_t)(r % 60000), "198.51.100.9", 80, 6, 700, 1,
                   VC_T0 + 6 + (uint32_t)i / 500);
            agg_advance(f.agg, VC_T0 + 7 + (uint32_t)i / 500);
        }
        enum ui_action a = key(k);
        ck_assert_int_ne(a, UI_ACT_QUIT);
        const struct view *v = &u.view;
        ck_assert(v->res.n == 0 || v->sel < v->res.n);
        ck_assert(v->top <= v->sel || v->res.n == 0);
        ck_assert_uint_le(v->depth, VIEW_MAX_DEPTH);
        ck_assert(view_available(v) & (1u << view_ccur(v)->kind));
    }
}
END_TEST

static Suite *ui_suite(void)
{
    Suite *s = suite_create("ui");
    TCase *tc = tcase_create("screen");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60); /* the random-keys walk under ASan */
    tcase_add_test(tc, test_first_screen);
    tcase_add_test(tc, test_alerts_stand_out);
    tcase_add_test(tc, test_sizes_degrade_by_columns);
    tcase_add_test(tc, test_ascii_fallback);
    tcase_add_test(tc, test_keys_move_drill_back);
    tcase_add_test(tc, test_sort_keys_and_menu);
    tcase_add_test(tc, test_filter_prompt);
    tcase_add_test(tc, test_search_prompt_and_n);
    tcase_add_test(tc, test_help_lists_every_binding);
    tcase_add_test(tc, test_pause_and_toggles);
    tcase_add_test(tc, test_progress_and_exports_header);
    tcase_add_test(tc, test_random_keys_any_size);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(ui_suite());
}
