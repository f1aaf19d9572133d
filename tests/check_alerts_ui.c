/*
 * check_alerts_ui.c - the Alerts screen on a memory canvas: its rows come from a real
 * detector engine fed a scan and a flood; sorting, the selection that follows its alert,
 * Enter into the flows behind one, the title badge, narrow terminals and the empty states.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/alerts_view.h"
#include "flowdrill/canvas.h"
#include "flowdrill/detect.h"
#include "flowdrill/ui.h"
#include "checkrun.h"
#include "recs.h"
#include "viewcheck.h"

#define T0 1700000000u

static struct vc f;
static struct ui u;
static struct ui_status st;
static struct canvas *cv;
static struct detect *det;
static uint64_t now_ms;

static void feed(struct flow_rec r)
{
    detect_add(det, &r, 1);
}

/* A SYN scan from 203.0.113.66 of 10.0.0.20 at T0, then a UDP flood on 10.0.0.20 from 200
 * sources at T0 + 5. */
static void incidents(void)
{
    for (int p = 1; p <= 200; p++) {
        struct flow_rec r = recs_make("203.0.113.66", 45121, "10.0.0.20", (uint16_t)p, 6, 44, T0);
        r.tcp_flags = 0x02;
        feed(r);
    }
    for (int i = 0; i < 1000; i++) {
        char src[32];
        snprintf(src, sizeof src, "198.18.0.%d", i % 200 + 1);
        struct flow_rec r = recs_make(src, 2000, "10.0.0.20", 80, 17, 1200, T0 + 5);
        r.first_us = r.last_us = (int64_t)(T0 + 5) * 1000000 + i * 900;
        feed(r);
    }
}

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
    cv = canvas_mem_new(120, 30, true);
    struct detect_config c;
    detect_config_default(&c);
    det = detect_new(&c, 5);
}

static void teardown(void)
{
    detect_free(det);
    canvas_mem_free(cv);
    ui_free(&u);
    vc_teardown(&f);
}

static void draw(void)
{
    alerts_view_set(&u.alerts, det);
    ui_layout(&u, cv->w, cv->h, &st);
    ui_render(&u, cv, &st, now_ms);
}

static enum ui_action key(int k)
{
    now_ms += 10;
    enum ui_action a = ui_key(&u, k, now_ms);
    if (a == UI_ACT_REFRESH)
        view_refresh(&u.view, f.agg, now_ms);
    draw();
    return a;
}

static int row_of(const char *needle)
{
    return canvas_mem_find(cv, needle);
}

START_TEST(test_badge_and_screen)
{
    draw();
    /* no alert yet: the badge says the detector is learning */
    ck_assert_int_eq(row_of("alerts 0, learning 5:00"), 0);
    incidents();
    draw();
    ck_assert_int_eq(row_of("ALERTS 2 (9)"), 0);
    ck_assert_int_ge(canvas_mem_find(cv, "Alerts"), 0); /* in the footer */
    key('9');
    ck_assert_int_eq(u.mode, UI_ALERTS);
    ck_assert_int_ge(row_of("Alerts: 2 (2 active)"), 0);
    int head = row_of("LAST\u25bc");
    ck_assert_int_gt(head, 0);
    /* newest first: the flood, then the scan */
    ck_assert_ptr_nonnull(strstr(canvas_mem_row(cv, head + 1), "udp_flood"));
    ck_assert_ptr_nonnull(strstr(canvas_mem_row(cv, head + 1), "sources"));
    ck_assert_ptr_nonnull(strstr(canvas_mem_row(cv, head + 2), "port_scan"));
    ck_assert_ptr_nonnull(strstr(canvas_mem_row(cv, head + 2), "203.0.113.66"));
    ck_assert_ptr_nonnull(strstr(canvas_mem_row(cv, head + 2), "tcp ports"));
    ck_assert_int_eq(canvas_mem_attr(cv, head + 1, 2), CA_SELECTED);
    /* A and Esc go back; A comes again */
    key(UIK_ESC);
    ck_assert_int_eq(u.mode, UI_NORMAL);
    key('A');
    ck_assert_int_eq(u.mode, UI_ALERTS);
}
END_TEST

START_TEST(test_sort_and_selection)
{
    incidents();
    draw();
    key('9');
    key(UIK_DOWN); /* the scan */
    ck_assert_uint_eq(alerts_view_selected(&u.alerts)->a.kind, DETECT_PORT_SCAN);
    key('r'); /* oldest first: the scan moves to the top, still selected */
    ck_assert_uint_eq(u.alerts.sel, 0);
    ck_assert_uint_eq(alerts_view_selected(&u.alerts)->a.kind, DETECT_PORT_SCAN);
    int head = row_of("LAST\u25b2");
    ck_assert_int_gt(head, 0);
    /* < steps the sort to FIRST, > back to LAST then PACKETS (biggest first) */
    key('>');
    ck_assert_int_eq(u.alerts.sort, AC_PACKETS);
    ck_assert(!u.alerts.asc);
    ck_assert_int_gt(row_of("PKTS\u25bc"), 0);
    ck_assert_uint_eq(u.alerts.rows[0].a.kind, DETECT_UDP_FLOOD);
    key('<');
    key('<');
    ck_assert_int_eq(u.alerts.sort, AC_FIRST);
}
END_TEST

START_TEST(test_enter_shows_the_flows)
{
    incidents();
    draw();
    key('9');
    key(UIK_DOWN);
    ck_assert_int_eq(key(UIK_ENTER), UI_ACT_REFRESH);
    ck_assert_int_eq(u.mode, UI_NORMAL);
    ck_assert_int_eq(view_ccur(&u.view)->kind, VIEW_FLOWS);
    ck_assert_str_eq(u.view.filter_text, "host 203.0.113.66 and host 10.0.0.20 and tcp");
    ck_assert_ptr_nonnull(u.view.filter);
    ck_assert_int_ge(canvas_mem_find(cv, "flows of alert 1"), 0);
    /* the flood's: the victim and the protocol */
    key('9');
    key(UIK_HOME);
    key(UIK_ENTER);
    ck_assert_str_eq(u.view.filter_text, "host 10.0.0.20 and udp");
    /* a rewound screen goes live for it */
    u.rewind.on = true;
    key('9');
    key(UIK_ENTER);
    ck_assert_int_eq(u.rewind_req, UI_REWIND_LIVE);
}
END_TEST

START_TEST(test_narrow_and_empty)
{
    incidents();
    canvas_mem_resize(cv, 70, 14);
    draw();
    key('9');
    int head = row_of("KIND");
    ck_assert_int_gt(head, 0);
    /* the kind, the ends and the packets stay; FIRST and BYTES give way */
    ck_assert_ptr_nonnull(strstr(canvas_mem_row(cv, head), "SOURCE"));
    ck_assert_ptr_nonnull(strstr(canvas_mem_row(cv, head), "PKTS"));
    ck_assert_ptr_null(strstr(canvas_mem_row(cv, head), "FIRST"));
    ck_assert_ptr_null(strstr(canvas_mem_row(cv, head), "BYTES"));
    canvas_mem_resize(cv, 120, 30);
    /* alerts end after a quiet minute */
    detect_advance(det, T0 + 5 + DETECT_QUIET_S + 1);
    draw();
    ck_assert_int_ge(row_of("Alerts: 2 (0 active)"), 0);
    ck_assert_int_ge(row_of("ended"), 0);
    ck_assert_int_eq(row_of(" alerts 2, learning 3:54 "), 0); /* ended ones stay counted */
    /* detectors off */
    detect_free(det);
    det = NULL;
    draw();
    ck_assert_int_ge(row_of("the detectors are off"), 0);
    ck_assert_int_lt(row_of("alerts 0"), 0);
}
END_TEST

START_TEST(test_no_alerts_yet)
{
    draw();
    key('9');
    ck_assert_int_ge(row_of("no alerts: no scan"), 0);
    ck_assert_int_eq(key(UIK_ENTER), UI_ACT_DRAW); /* nothing to drill into */
    ck_assert_int_eq(u.mode, UI_ALERTS);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alerts_ui");
    TCase *tc = tcase_create("screen");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_badge_and_screen);
    tcase_add_test(tc, test_sort_and_selection);
    tcase_add_test(tc, test_enter_shows_the_flows);
    tcase_add_test(tc, test_narrow_and_empty);
    tcase_add_test(tc, test_no_alerts_yet);
    suite_add_tcase(s, tc);
    return check_run(s);
}
