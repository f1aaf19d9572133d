/*
 * check_view.c - the view model over a live aggregator: sorting by every column both ways,
 * selection kept by key, the hold after a move, drill-down and back, filters, search, and
 * which values are known where.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/view.h"
#include "checkrun.h"
#include "viewcheck.h"

static struct vc f;
static struct view v;

static void setup(void)
{
    vc_setup(&f);
    view_init(&v, f.svc, TOPN_SORT_BYTES);
    view_refresh(&v, f.agg, 0);
}

static void teardown(void)
{
    view_free(&v);
    vc_teardown(&f);
}

static const char *key_of(size_t i)
{
    static char buf[256];
    ck_assert_uint_lt(i, v.res.n);
    return view_key_text(&v, &v.res.rows[i], buf, sizeof buf);
}

static const char *selected(void)
{
    return key_of(v.sel);
}

/* Index of the row whose key text is `k`, or -1. */
static long find_row(const char *k)
{
    for (size_t i = 0; i < v.res.n; i++)
        if (strcmp(key_of(i), k) == 0)
            return (long)i;
    return -1;
}

static void select_key(const char *k)
{
    long i = find_row(k);
    ck_assert_msg(i >= 0, "row %s missing", k);
    view_move_to(&v, (size_t)i, 0);
    v.hold_until_ms = 0;
}

/* The rows' keys as one string "a,b,c" (order as shown). */
static const char *keys(void)
{
    static char out[1024];
    out[0] = '\0';
    for (size_t i = 0; i < v.res.n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, key_of(i));
    }
    return out;
}

/* The same set of keys, in any order. */
static void assert_key_set(const char *want_csv)
{
    char want[512];
    snprintf(want, sizeof want, "%s", want_csv);
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(want, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        ck_assert_msg(find_row(t) >= 0, "row %s missing in %s", t, keys());
        n++;
    }
    ck_assert_msg(n == v.res.n, "rows %s, wanted %s", keys(), want_csv);
}

START_TEST(test_hosts_by_total)
{
    ck_assert_str_eq(keys(), VC_A "," VC_C "," VC_D "," VC_B);
    ck_assert_uint_eq(v.res.rows[0].r.bytes, 11500);
    ck_assert(v.res.exact);
    /* every byte counts once in the denominator of share % */
    ck_assert_uint_eq(v.window_total, 10000 + 500 + 1500 + 168);
    char cell[32];
    ck_assert_str_eq(view_cell_text(&v, &v.res.rows[0], COL_SHARE, cell, sizeof cell), "94.5%"); /* 11500 / 12168 */
}
END_TEST

static uint64_t col_value(const struct view_row *r, enum col_id c)
{
    switch (c) {
    case COL_RATE2:
    case COL_RATE10:
    case COL_RATE40:
        return r->r.win[c - COL_RATE2];
    case COL_TOTAL:
        return r->r.bytes;
    case COL_PACKETS:
        return r->r.packets;
    case COL_FLOWS:
        return r->r.flows;
    case COL_PEERS:
        return r->r.aux;
    default:
        return 0;
    }
}

START_TEST(test_sort_every_column_both_ways)
{
    for (int kind = 0; kind < VIEW_KIND_MAX; kind++) {
        if (kind == VIEW_EXPORTERS || kind == VIEW_IFACES)
            continue; /* no exports in this mix */
        ck_assert(view_set_kind(&v, (enum view_kind)kind) || kind == VIEW_HOSTS);
        for (int c = 0; c < COL_MAX; c++) {
            if (!view_col((enum col_id)c)->sortable || !view_has_column(&v, (enum col_id)c))
                continue;
            for (int asc = 0; asc < 2; asc++) {
                ck_assert(view_sort_by(&v, (enum col_id)c));
                if (asc)
                    view_sort_reverse(&v);
                view_refresh(&v, f.agg, 0);
                ck_assert_uint_gt(v.res.n, 0);
                for (size_t i = 1; i < v.res.n; i++) {
                    const struct view_row *x = &v.res.rows[i - 1], *y = &v.res.rows[i];
                    int cmp;
                    if (c == COL_KEY) {
                        cmp = memcmp(x->r.key.raw, y->r.key.raw, sizeof x->r.key.raw);
                    } else {
                        uint64_t a = col_value(x, (enum col_id)c), b = col_value(y, (enum col_id)c);
                        cmp = a < b ? -1 : a > b;
                    }
                    bool want_asc = c == COL_KEY ? !asc : asc;
                    ck_assert_msg(want_asc ? cmp <= 0 : cmp >= 0,
                                  "view %d column %d %s: rows %zu/%zu out of order", kind, c,
                                  asc ? "reversed" : "default", i - 1, i);
                }
            }
        }
    }
}
END_TEST

START_TEST(test_sort_step_and_window)
{
    ck_assert_int_eq(v.sort_col, COL_TOTAL);
    view_sort_step(&v, +1);
    ck_assert_int_eq(v.sort_col, COL_PACKETS);
    view_sort_step(&v, -1);
    view_sort_step(&v, -1);
    ck_assert_int_eq(v.sort_col, COL_RATE40);
    /* t walks the windows and the sort follows it */
    view_cycle_window(&v);
    ck_assert_int_eq(v.window, VIEW_WTOTAL);
    ck_assert_int_eq(v.sort_col, COL_TOTAL);
    view_cycle_window(&v);
    ck_assert_int_eq(v.window, VIEW_W2);
    ck_assert_int_eq(v.sort_col, COL_RATE2);
}
END_TEST

/* --sort NAME: the screen starts on that key's column and window, and the column ranks the
 * live tables by the same key (one mapping, both ways). */
START_TEST(test_sort_key_columns)
{
    static const enum col_id want[TOPN_SORT_MAX] = {COL_TOTAL, COL_PACKETS, COL_FLOWS,
                                                    COL_RATE2, COL_RATE10,  COL_RATE40};
    static const enum view_window win[TOPN_SORT_MAX] = {VIEW_WTOTAL, VIEW_W2, VIEW_W2,
                                                        VIEW_W2,     VIEW_W10, VIEW_W40};
    for (int s = 0; s < TOPN_SORT_MAX; s++) {
        struct view w;
        view_init(&w, NULL, (enum topn_sort)s);
        ck_assert_int_eq(w.sort_col, want[s]);
        ck_assert_int_eq(w.window, win[s]);
        ck_assert_int_eq(view_col_sort(w.sort_col), s);
        view_free(&w);
    }
    ck_assert_int_eq(view_col_sort(COL_PEERS), TOPN_SORT_BYTES);
}
END_TEST

START_TEST(test_selection_kept_by_key)
{
    select_key(VC_C);
    ck_assert_uint_eq(v.sel, 1);
    /* D becomes the busiest host: rows reorder, the cursor stays on C */
    vc_add(&f, VC_D, 999, "198.51.100.7", 80, 6, 1400, 30, VC_T0 + 5);
    agg_advance(f.agg, VC_T0 + 9);
    view_refresh(&v, f.agg, 10000);
    ck_assert_str_eq(key_of(0), VC_D);
    ck_assert_str_eq(selected(), VC_C);
    ck_assert_uint_eq(v.sel, (size_t)find_row(VC_C));
}
END_TEST

START_TEST(test_top_row_until_the_user_moves)
{
    /* nobody moved: when D becomes the busiest, the cursor is on D, the top row */
    ck_assert_str_eq(selected(), VC_A);
    vc_add(&f, VC_D, 999, "198.51.100.7", 80, 6, 1400, 30, VC_T0 + 5);
    agg_advance(f.agg, VC_T0 + 9);
    view_refresh(&v, f.agg, 10000);
    ck_assert_str_eq(key_of(0), VC_D);
    ck_assert_uint_eq(v.sel, 0);
    ck_assert_uint_eq(v.top, 0);
}
END_TEST

START_TEST(test_hold_after_move_and_freeze)
{
    view_move_to(&v, 1, 5000); /* the user moved at t = 5 s: hold until 7 s */
    vc_add(&f, VC_D, 999, "198.51.100.7", 80, 6, 1400, 30, VC_T0 + 5);
    agg_advance(f.agg, VC_T0 + 9);
    view_refresh(&v, f.agg, 6000);
    ck_assert_str_eq(key_of(0), VC_A); /* held: the old order, the new host at the end */
    ck_assert_str_eq(key_of(v.res.n - 1), "198.51.100.7");
    ck_assert_str_eq(selected(), VC_C);
    view_refresh(&v, f.agg, 7001); /* the moment has passed */
    ck_assert_str_eq(key_of(0), VC_D);
    /* o: frozen until released, whatever the clock */
    v.frozen = true;
    view_sort_by(&v, COL_PACKETS);
    v.frozen = true;
    view_refresh(&v, f.agg, 100000);
    ck_assert_str_eq(key_of(0), VC_D);
}
END_TEST

START_TEST(test_drill_host_peers_flows_and_back)
{
    char msg[128];
    select_key(VC_A);
    v.top = 0;
    ck_assert(view_drill(&v, msg, sizeof msg));
    view_refresh(&v, f.agg, 0);
    ck_assert_uint_eq(v.depth, 1);
    ck_assert_int_eq(view_ccur(&v)->kind, VIEW_HOSTS);
    assert_key_set(VC_C "," VC_D); /* exactly A's peers */
    ck_assert(v.res.exact);
    /* the peer row is seen from the peer: C received A's 10000 bytes */
    long c = find_row(VC_C);
    ck_assert_uint_eq(v.res.rows[c].r.bytes_dir[1], 10000);
    ck_assert_uint_eq(v.res.rows[c].r.bytes_dir[0], 0);
    ck_assert(v.res.rows[c].avail & VIEW_AV_WIN40);
    /* only flow views inside a host */
    ck_assert_uint_eq(view_available(&v) & (1u << VIEW_EXPORTERS), 0);
    ck_assert(view_available(&v) & (1u << VIEW_PORTS));

    select_key(VC_C);
    ck_assert(view_drill(&v, msg, sizeof msg));
    view_refresh(&v, f.agg, 0);
    ck_assert_int_eq(view_ccur(&v)->kind, VIEW_FLOWS);
    ck_assert_uint_eq(v.res.n, 1);
    ck_assert_str_eq(key_of(0), VC_A ":40000 <-> " VC_C ":https tcp");
    ck_assert(!view_drill(&v, msg, sizeof msg));
    ck_assert_str_eq(msg, "flows are the deepest level");

    ck_assert(view_back(&v));
    view_refresh(&v, f.agg, 0);
    ck_assert_str_eq(selected(), VC_C);
    ck_assert(view_back(&v));
    view_refresh(&v, f.agg, 0);
    ck_assert_uint_eq(v.depth, 0);
    ck_assert_str_eq(selected(), VC_A);
    ck_assert(!view_back(&v));
}
END_TEST

START_TEST(test_drill_port_and_tabs_inside_host)
{
    char msg[128];
    ck_assert(view_set_kind(&v, VIEW_PORTS));
    view_refresh(&v, f.agg, 0);
    assert_key_set("443/tcp https,53/udp domain,22/tcp ssh");
    select_key("53/udp domain");
    ck_assert(view_drill(&v, msg, sizeof msg));
    view_refresh(&v, f.agg, 0);
    ck_assert_int_eq(view_ccur(&v)->kind, VIEW_HOSTS);
    assert_key_set(VC_B "," VC_C);
    ck_assert(!v.res.exact); /* summed from conversations: 2 s only */
    char cell[32];
    long b = find_row(VC_B);
    ck_assert_str_eq(view_cell_text(&v, &v.res.rows[b], COL_RATE10, cell, sizeof cell), "-");
    ck_assert_uint_eq(v.res.rows[b].r.bytes, 500);
    ck_assert_uint_eq(v.res.rows[b].r.bytes_dir[0], 500); /* B sent them */
    ck_assert(view_back(&v));

    /* inside a host, Tab reaches its ports and protocols */
    ck_assert(view_set_kind(&v, VIEW_HOSTS));
    view_refresh(&v, f.agg, 0);
    select_key(VC_A);
    ck_assert(view_drill(&v, msg, sizeof msg));
    ck_assert(view_set_kind(&v, VIEW_PORTS));
    view_refresh(&v, f.agg, 0);
    assert_key_set("443/tcp https,22/tcp ssh");
    ck_assert(view_cycle_kind(&v, +1));
    ck_assert_int_eq(view_ccur(&v)->kind, VIEW_APPS);
    view_refresh(&v, f.agg, 0);
    assert_key_set("https,ssh");
    ck_assert(!view_set_kind(&v, VIEW_EXPORTERS));
}
END_TEST

START_TEST(test_other_row_and_exports_cannot_drill)
{
    char msg[128];
    ck_assert(view_set_kind(&v, VIEW_EXPORTERS));
    view_refresh(&v, f.agg, 0);
    ck_assert_uint_eq(v.res.n, 0);
    ck_assert(!view_drill(&v, msg, sizeof msg));
    ck_assert_str_eq(msg, "nothing selected");
}
END_TEST

static void set_filter(const char *text)
{
    struct filter *flt = NULL;
    char err[128];
    unsigned col;
    ck_assert_msg(filter_compile(text, &flt, err, sizeof err, &col) == 0, "%s", err);
    view_set_filter(&v, flt, text);
    view_refresh(&v, f.agg, 0);
}

START_TEST(test_filter_narrows_every_view)
{
    set_filter("port 53");
    assert_key_set(VC_B "," VC_C);
    ck_assert_str_eq(v.filter_text, "port 53");
    set_filter("proto icmp");
    assert_key_set(VC_B "," VC_D);
    ck_assert_uint_eq(v.res.rows[0].r.bytes, 168);
    set_filter("src net 10.0.0.0/8 and not port 22");
    assert_key_set(VC_A "," VC_B "," VC_C);
    ck_assert(view_set_kind(&v, VIEW_PROTOS));
    view_refresh(&v, f.agg, 0);
    assert_key_set("tcp,udp");
    /* exporter views say the filter does not apply to them */
    ck_assert(view_set_kind(&v, VIEW_EXPORTERS));
    view_refresh(&v, f.agg, 0);
    ck_assert(v.res.filter_ignored);
    /* clearing it returns to the exact tables */
    ck_assert(view_set_kind(&v, VIEW_HOSTS));
    view_set_filter(&v, NULL, NULL);
    view_refresh(&v, f.agg, 0);
    ck_assert_uint_eq(v.res.n, 4);
    ck_assert(v.res.exact);
    ck_assert_str_eq(v.filter_text, "");
}
END_TEST

/* Rows summed from conversations agree with the live tables' own rows, for every view a
 * filter can apply to: a filter that keeps everything must change no figure. */
START_TEST(test_derived_rows_equal_table_rows)
{
    static const enum view_kind kinds[] = {VIEW_HOSTS, VIEW_CONVS, VIEW_PORTS, VIEW_APPS,
                                           VIEW_PROTOS, VIEW_FLOWS};
    /* recent traffic, so the 2 s windows are not all zero */
    vc_add(&f, VC_A, 40000, VC_C, 443, 6, 700, 1, VC_T0 + 5);
    vc_add(&f, VC_B, 50000, VC_C, 53, 17, 90, 1, VC_T0 + 6);
    agg_advance(f.agg, VC_T0 + 7);
    bool windows = false;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        view_set_filter(&v, NULL, NULL);
        view_set_kind(&v, kinds[i]);
        view_sort_by(&v, COL_KEY);
        view_refresh(&v, f.agg, 0);
        size_t n = v.res.n;
        ck_assert_uint_gt(n, 0);
        struct view_row *exact = malloc(n * sizeof *exact);
        memcpy(exact, v.res.rows, n * sizeof *exact);
        set_filter("ip or ip6");
        view_sort_by(&v, COL_KEY);
        view_refresh(&v, f.agg, 0);
        ck_assert_msg(v.res.n == n, "view %d: %zu rows derived, %zu in the table", kinds[i],
                      v.res.n, n);
        for (size_t j = 0; j < n; j++) {
            const struct topn_row *x = &exact[j].r, *y = &v.res.rows[j].r;
            ck_assert_mem_eq(x->key.raw, y->key.raw, sizeof x->key.raw);
            ck_assert_uint_eq(x->bytes_dir[0], y->bytes_dir[0]);
            ck_assert_uint_eq(x->bytes_dir[1], y->bytes_dir[1]);
            ck_assert_uint_eq(x->pkts_dir[0], y->pkts_dir[0]);
            ck_assert_uint_eq(x->pkts_dir[1], y->pkts_dir[1]);
            ck_assert_uint_eq(x->flows, y->flows);
            ck_assert_uint_eq(x->win[0], y->win[0]);
            windows |= x->win[0] != 0;
        }
        free(exact);
    }
    ck_assert(windows);
}
END_TEST

/* A flow export as the collector emits it. */
static void add_export(const char *s, const char *d, uint16_t dport, uint32_t in_if,
                       uint32_t out_if, uint32_t sec)
{
    struct flow_rec r = recs_make(s, 40000, d, dport, 6, 3000, sec);
    r.packets = 3;
    r.flags |= FLOW_REC_EXPORTED;
    flow_addr_parse("192.0.2.254", &r.exporter);
    r.domain = 7;
    r.in_if = in_if;
    r.out_if = out_if;
    agg_add(f.agg, &r, 1);
}

START_TEST(test_drill_exporter_interface_hosts)
{
    char msg[128];
    add_export(VC_A, "198.51.100.1", 443, 1, 2, VC_T0 + 5);
    add_export(VC_B, "198.51.100.2", 80, 3, 2, VC_T0 + 5);
    agg_advance(f.agg, VC_T0 + 7);
    ck_assert(view_set_kind(&v, VIEW_EXPORTERS));
    view_refresh(&v, f.agg, 0);
    assert_key_set("192.0.2.254/7");
    ck_assert(view_drill(&v, msg, sizeof msg));
    view_refresh(&v, f.agg, 0);
    ck_assert_int_eq(view_ccur(&v)->kind, VIEW_IFACES);
    ck_assert_uint_eq(view_available(&v), 1u << VIEW_IFACES);
    assert_key_set("192.0.2.254/7 if 1,192.0.2.254/7 if 2,192.0.2.254/7 if 3");
    /* interface 2 carried both conversations out: its hosts are their four ends */
    select_key("192.0.2.254/7 if 2");
    ck_assert_msg(view_drill(&v, msg, sizeof msg), "%s", msg);
    view_refresh(&v, f.agg, 0);
    ck_assert_int_eq(view_ccur(&v)->kind, VIEW_HOSTS);
    assert_key_set(VC_A "," VC_B ",198.51.100.1,198.51.100.2");
    ck_assert_uint_eq(v.res.rows[find_row(VC_A)].r.bytes, 3000);
    ck_assert(view_set_kind(&v, VIEW_PORTS));
    view_refresh(&v, f.agg, 0);
    assert_key_set("443/tcp https,80/tcp http");
    ck_assert(view_back(&v));
    view_refresh(&v, f.agg, 0);
    ck_assert_str_eq(selected(), "192.0.2.254/7 if 2");
    /* interface 1 only A's */
    select_key("192.0.2.254/7 if 1");
    ck_assert(view_drill(&v, msg, sizeof msg));
    view_refresh(&v, f.agg, 0);
    assert_key_set(VC_A ",198.51.100.1");
}
END_TEST

START_TEST(test_search)
{
    ck_assert(view_search(&v, "192.0.2", +1, false, 0));
    ck_assert_str_eq(selected(), VC_C);
    ck_assert(view_search(&v, "192.0.2", +1, true, 0));
    ck_assert_str_eq(selected(), VC_D);
    ck_assert(view_search(&v, "192.0.2", +1, true, 0)); /* wraps */
    ck_assert_str_eq(selected(), VC_C);
    ck_assert(view_search(&v, "192.0.2", -1, true, 0));
    ck_assert_str_eq(selected(), VC_D);
    ck_assert(!view_search(&v, "203.0.113", +1, false, 0));
    ck_assert_str_eq(selected(), VC_D); /* unchanged */
    ck_assert(view_search(&v, "10.0.0.2", -1, false, 0));
    ck_assert_str_eq(selected(), VC_B);
}
END_TEST

START_TEST(test_names_and_units)
{
    char cell[32];
    ck_assert(view_set_kind(&v, VIEW_PORTS));
    view_refresh(&v, f.agg, 0);
    ck_assert(find_row("443/tcp https") >= 0);
    v.port_names = false;
    ck_assert(find_row("443/tcp") >= 0);
    view_set_kind(&v, VIEW_HOSTS);
    view_refresh(&v, f.agg, 0);
    /* bits by default, bytes with b */
    const struct view_row *a = &v.res.rows[0];
    view_cell_text(&v, a, COL_RATE10, cell, sizeof cell);
    ck_assert_msg(strstr(cell, "b") && !strstr(cell, "/s"), "%s", cell);
    v.bits = false;
    view_cell_text(&v, a, COL_RATE10, cell, sizeof cell);
    ck_assert_msg(strstr(cell, "/s"), "%s", cell);
    ck_assert_str_eq(view_cell_text(&v, a, COL_TOTAL, cell, sizeof cell), "11.2 KiB");
}
END_TEST

/* The Interfaces view's UTIL column: what the decorator found, or "-" without counters. */
START_TEST(test_iface_util_column)
{
    v.levels[0].kind = VIEW_IFACES;
    ck_assert(view_has_column(&v, COL_UTIL));
    enum col_id cols[COL_MAX];
    size_t n = view_columns(&v, cols, COL_MAX);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= cols[i] == COL_UTIL;
    ck_assert(found);
    struct view_row r;
    memset(&r, 0, sizeof r);
    r.r.table = AGG_T_IFACE;
    char buf[64];
    ck_assert_str_eq(view_cell_text(&v, &r, COL_UTIL, buf, sizeof buf), "-");
    r.ifc.known = true;
    r.ifc.in_util = 734;
    r.ifc.out_util = 5;
    ck_assert_str_eq(view_cell_text(&v, &r, COL_UTIL, buf, sizeof buf), "73.4%/0.5%");
    ck_assert_str_eq(view_col(COL_UTIL)->title, "UTIL in/out");
    v.levels[0].kind = VIEW_EXPORTERS;
    ck_assert(!view_has_column(&v, COL_UTIL));
    v.levels[0].kind = VIEW_HOSTS;
    ck_assert(!view_has_column(&v, COL_UTIL));
}
END_TEST

static Suite *view_suite(void)
{
    Suite *s = suite_create("view");
    TCase *tc = tcase_create("model");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_hosts_by_total);
    tcase_add_test(tc, test_iface_util_column);
    tcase_add_test(tc, test_sort_every_column_both_ways);
    tcase_add_test(tc, test_sort_step_and_window);
    tcase_add_test(tc, test_sort_key_columns);
    tcase_add_test(tc, test_selection_kept_by_key);
    tcase_add_test(tc, test_top_row_until_the_user_moves);
    tcase_add_test(tc, test_hold_after_move_and_freeze);
    tcase_add_test(tc, test_drill_host_peers_flows_and_back);
    tcase_add_test(tc, test_drill_port_and_tabs_inside_host);
    tcase_add_test(tc, test_other_row_and_exports_cannot_drill);
    tcase_add_test(tc, test_filter_narrows_every_view);
    tcase_add_test(tc, test_derived_rows_equal_table_rows);
    tcase_add_test(tc, test_drill_exporter_interface_hosts);
    tcase_add_test(tc, test_search);
    tcase_add_test(tc, test_names_and_units);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(view_suite());
}
