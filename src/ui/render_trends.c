/*
 * render_trends.c - the Trends screen (keys 0 and H) from its model (trends.h): title and
 * live traffic as on every screen; a line naming the range and table; the chart; under it
 * the busiest rows of the range with their total, 95th percentile, peak and growth; a footer
 * with the Trends keys. With a row's chart open, the chart takes the room of the list.
 *
 * The total chart is mirrored: inbound grows up from the middle line, outbound down from it,
 * on one scale (the larger peak), so the two halves compare. Each column is the busiest
 * sample it covers (trends_chart). Cells use the eighth blocks in UTF-8, '#' and '.' in
 * ASCII. Times on the axis are UTC, as in `--history`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowdrill/rowfmt.h"
#include "flowdrill/trends.h"
#include "flowdrill/xalloc.h"

#include "render_priv.h"

#define RT_LABEL 10 /* columns of the scale at the left of the chart */

static const char *const rt_up[9] = {" ", "\u2581", "\u2582", "\u2583", "\u2584",
                                     "\u2585", "\u2586", "\u2587", "\u2588"};

/* One cell of a bar that is `fill` eighths full (0..8) in this row; `down` grows from the
 * top of the cell (the outbound half). */
static const char *rt_cell(const struct rd *r, int fill, bool down)
{
    if (fill <= 0)
        return NULL;
    if (!r->c->utf8)
        return fill >= 4 ? "#" : ".";
    if (!down)
        return rt_up[fill > 8 ? 8 : fill];
    return fill >= 8 ? "\u2588" : fill >= 4 ? "\u2580" : "\u2594";
}

/* Bars of vals[0..w) scaled to max in `rows` rows from y0; up: bottom row first. */
static void rt_bars(struct rd *r, int y0, int x0, int rows, const uint64_t *vals, int w,
                    uint64_t max, bool down)
{
    if (!max || rows <= 0)
        return;
    for (int i = 0; i < w; i++) {
        if (!vals[i])
            continue;
        uint64_t e = (uint64_t)((double)vals[i] / (double)max * rows * 8 + 0.5);
        if (e < 1)
            e = 1; /* anything at all shows */
        for (int k = 0; k < rows; k++) {
            int fill = (int)(e > (uint64_t)k * 8 ? e - (uint64_t)k * 8 : 0);
            const char *s = rt_cell(r, fill > 8 ? 8 : fill, down);
            if (!s)
                break;
            int y = down ? y0 + k : y0 + rows - 1 - k;
            r->c->ops->put(r->c, y, x0 + i, s, CA_SPARK);
        }
    }
}

static void rt_time(uint32_t t, bool date, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, date ? "%m-%d %H:%M" : "%H:%M", &tm);
}

static void rt_axis(struct rd *r, int y, int x0, int w, const struct trends_data *d)
{
    bool date = d->until - d->since > 86400;
    char a[24], b[24], m[24];
    rt_time(d->since, date, a, sizeof a);
    rt_time(d->until, date, b, sizeof b);
    rt_time(d->since + (d->until - d->since) / 2, date, m, sizeof m);
    r->c->ops->put(r->c, y, 1, "UTC", CA_DIM);
    r->c->ops->put(r->c, y, x0, a, CA_DIM);
    int bl = (int)strlen(b), ml = (int)strlen(m);
    if (w > 2 * bl + ml + 4)
        r->c->ops->put(r->c, y, x0 + w / 2 - ml / 2, m, CA_DIM);
    if (w > 2 * bl + 2)
        r->c->ops->put(r->c, y, x0 + w - bl, b, CA_DIM);
}

static void rt_scale(struct rd *r, int y, uint64_t bps, const char *what)
{
    char t[24], l[32];
    view_rate_text(r->v, bps, t, sizeof t);
    snprintf(l, sizeof l, "%s", t);
    canvas_field(r->c, y, 0, RT_LABEL - 1, l, true, CA_DIM);
    if (what && y + 1 < r->c->h)
        canvas_field(r->c, y + 1, 0, RT_LABEL - 1, what, true, CA_LABEL);
}

/* The chart of the range in `rows` rows from y0 (the last row is the time axis). */
static void rt_chart(struct rd *r, int y0, int rows)
{
    const struct trends *t = &r->u->trends;
    const struct trends_data *d = &t->d;
    int w = r->c->w - RT_LABEL - 1, x0 = RT_LABEL;
    if (w < 4 || rows < 3)
        return;
    size_t n = d->ser.n;
    uint64_t *b = xcalloc(n ? n : 1, sizeof *b), *o = xcalloc(n ? n : 1, sizeof *o);
    uint32_t *ts = xcalloc(n ? n : 1, sizeof *ts);
    uint64_t *ci = xcalloc((size_t)w, sizeof *ci), *co = xcalloc((size_t)w, sizeof *co);
    int ch = rows - 1;
    for (size_t i = 0; i < n; i++)
        ts[i] = d->ser.s[i].t;
    if (t->drilled) {
        uint64_t max = d->key_bytes ? trends_chart(d->key_bytes, ts, n, d->ser.step, d->since,
                                                   d->until, ci, w)
                                    : 0;
        rt_bars(r, y0, x0, ch, ci, w, max, false);
        rt_scale(r, y0, max, "peak");
    } else {
        for (size_t i = 0; i < n; i++)
            b[i] = d->ser.s[i].bytes_in, o[i] = d->ser.s[i].bytes_out;
        uint64_t mi = trends_chart(b, ts, n, d->ser.step, d->since, d->until, ci, w);
        uint64_t mo = trends_chart(o, ts, n, d->ser.step, d->since, d->until, co, w);
        if (!mi && !mo) {
            /* traffic without a direction (no --local): the total, upwards */
            for (size_t i = 0; i < n; i++)
                b[i] = d->ser.s[i].bytes;
            uint64_t mt = trends_chart(b, ts, n, d->ser.step, d->since, d->until, ci, w);
            rt_bars(r, y0, x0, ch, ci, w, mt, false);
            rt_scale(r, y0, mt, "total");
        } else {
            uint64_t max = mi > mo ? mi : mo;
            int up = ch / 2, dn = ch - up;
            rt_bars(r, y0, x0, up, ci, w, max, false);
            rt_bars(r, y0 + up, x0, dn, co, w, max, true);
            rt_scale(r, y0, max, "in");
            if (dn >= 2) {
                canvas_field(r->c, y0 + ch - 2, 0, RT_LABEL - 1, "out", true, CA_LABEL);
                rt_scale(r, y0 + ch - 1, max, NULL);
            }
        }
    }
    rt_axis(r, y0 + ch, x0, w, d);
    free(b);
    free(o);
    free(ts);
    free(ci);
    free(co);
}

static void rt_key(const struct rd *r, const struct store_row *row, char *buf, size_t len)
{
    if (!row->key_len) {
        snprintf(buf, len, "rest (below the stored top)");
        return;
    }
    struct view_row vr;
    memset(&vr, 0, sizeof vr);
    vr.r.table = row->table;
    memcpy(vr.r.key.raw, row->key, row->key_len);
    view_key_text(r->v, &vr, buf, len);
}

static void rt_growth(const struct store_stats *s, char *buf, size_t len)
{
    if (s->growth_known)
        snprintf(buf, len, "%+.1f%%", s->growth);
    else
        snprintf(buf, len, "-");
}

enum { RT_COLS = 4, RT_W = 10 };

static void rt_row_cells(struct rd *r, int y, int keyw, const char *key,
                         const struct store_stats *s, enum canvas_attr a)
{
    char c[RT_COLS][32];
    rowfmt_bytes(s->sum, c[0], sizeof c[0]);
    view_rate_text(r->v, s->p95, c[1], sizeof c[1]);
    view_rate_text(r->v, s->peak, c[2], sizeof c[2]);
    rt_growth(s, c[3], sizeof c[3]);
    int x = 1;
    canvas_field(r->c, y, x, keyw, key, false, a);
    x += keyw + 1;
    for (int i = 0; i < RT_COLS && x + RT_W <= r->c->w; i++, x += RT_W + 1)
        canvas_field(r->c, y, x, RT_W, c[i], true, a);
}

/* Lines above the chart: title, traffic, what. */
#define RT_HEAD 3

static int rt_keyw(const struct rd *r)
{
    int keyw = r->c->w - 2 - RT_COLS * (RT_W + 1);
    return keyw < 12 ? 12 : keyw;
}

static void rt_list(struct rd *r, int y0, int rows)
{
    const struct trends *t = &r->u->trends;
    const struct trends_data *d = &t->d;
    int keyw = rt_keyw(r);
    static const char *const heads[AGG_T_FLOW] = {"HOST", "CONVERSATION", "PORT",
                                                  "APPLICATION", "PROTOCOL", "EXPORTER",
                                                  "INTERFACE"};
    rd_fill_line(r, y0, CA_COLHEAD);
    int x = 1;
    canvas_field(r->c, y0, x, keyw, heads[d->req.table % AGG_T_FLOW], false, CA_COLHEAD);
    x += keyw + 1;
    static const char *const cols[RT_COLS] = {"TOTAL", "P95", "PEAK", "GROWTH"};
    for (int i = 0; i < RT_COLS && x + RT_W <= r->c->w; i++, x += RT_W + 1)
        canvas_field(r->c, y0, x, RT_W, cols[i], true, i == 0 ? CA_SORTED : CA_COLHEAD);
    if (!d->n_rows) {
        int xx = 2;
        if (rows > 1)
            rd_put(r, y0 + 1, &xx, "no rows of this table in the range", CA_DIM);
        return;
    }
    char key[256];
    for (int i = 0; i + 1 < rows && t->top + (size_t)i < d->n_rows; i++) {
        size_t idx = t->top + (size_t)i;
        rt_key(r, &d->rows[idx].row, key, sizeof key);
        int y = y0 + 1 + i;
        rt_row_cells(r, y, keyw, key, &d->rows[idx].stats, CA_NORMAL);
        if (idx == t->sel)
            rd_fill_line(r, y, CA_SELECTED);
    }
}

static void rt_footer(struct rd *r, int y)
{
    static const char *const keys[][2] = {{"<>", "Range"}, {"Tab", "Table"}, {"Enter", "Chart"},
                                          {"Esc", "Back"},  {"0", "Close"},   {"?", "Help"},
                                          {"q", "Quit"}};
    int x = 0;
    const struct trends *t = &r->u->trends;
    if (r->u->msg[0] && r->now_ms < r->u->msg_until_ms) {
        rd_put(r, y, &x, " ", CA_NORMAL);
        rd_put(r, y, &x, r->u->msg, r->u->msg_alert ? CA_ALERT : CA_VALUE);
        return;
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if ((i == 1 || i == 2) && t->drilled)
            continue;
        if (x + (int)(strlen(keys[i][0]) + strlen(keys[i][1])) + 1 > r->c->w)
            break;
        rd_put(r, y, &x, keys[i][0], CA_KEY);
        rd_put(r, y, &x, keys[i][1], CA_FOOTER);
        rd_put(r, y, &x, " ", CA_NORMAL);
    }
}

/* The line under the header: what is shown. */
static void rt_what(struct rd *r, int y)
{
    const struct trends *t = &r->u->trends;
    const struct trends_data *d = &t->d;
    char buf[320], key[200];
    int x = 0;
    snprintf(buf, sizeof buf, " Trends: last %s", trends_range_name(t->range));
    rd_put(r, y, &x, buf, CA_VALUE);
    if (t->drilled) {
        rt_key(r, &t->drill_key, key, sizeof key);
        snprintf(buf, sizeof buf, "  %s %s", agg_table_name(t->drill_key.table), key);
        rd_put(r, y, &x, buf, CA_LABEL);
    } else {
        snprintf(buf, sizeof buf, "  by %s", agg_table_name(t->table));
        rd_put(r, y, &x, buf, CA_LABEL);
    }
    if (t->have && !d->err[0]) {
        snprintf(buf, sizeof buf, "   %zu %s samples", d->ser.n,
                 d->ser.step == 3600 ? "1-hour" : "1-minute");
        rd_put(r, y, &x, buf, CA_DIM);
    }
    if (t->filter[0] && !t->drilled) {
        snprintf(buf, sizeof buf, "   filter: %s (rows; the chart is all traffic)", t->filter);
        rd_put(r, y, &x, buf, CA_ALERT);
    }
    if (t->loading)
        rd_put(r, y, &x, "   reading...", CA_DIM);
}

static void rt_message(struct rd *r, int y, const char *s, enum canvas_attr a)
{
    /* wrapped at the width, a few lines at most */
    int w = r->c->w - 4;
    size_t len = strlen(s);
    for (int line = 0; len && line < 4 && y + line < r->c->h - 1; line++) {
        size_t cut = len;
        if ((int)cut > w) {
            cut = (size_t)w;
            while (cut > 0 && s[cut] != ' ')
                cut--;
            if (!cut)
                cut = (size_t)w;
        }
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)cut, s);
        r->c->ops->put(r->c, y + line, 2, buf, a);
        s += cut;
        len -= cut;
        while (*s == ' ')
            s++, len--;
    }
}

/* The chart takes half of what is below the header lines (at least 4, leaving the list its
 * column header and one row); the list the rest. */
static int rt_chart_rows(int h)
{
    int room = h - 1 - RT_HEAD;
    int chart = room / 2 < 4 ? 4 : room / 2;
    return chart > room - 2 ? room - 2 : chart;
}

int rd_trends_list_rows(int h)
{
    return h - 1 - RT_HEAD - rt_chart_rows(h);
}

void rd_trends(struct rd *r)
{
    const struct trends *t = &r->u->trends;
    const struct trends_data *d = &t->d;
    int y = 0, h = r->c->h;
    rd_title(r, y++);
    rd_traffic(r, y++);
    rt_what(r, y++);
    rt_footer(r, h - 1);
    int room = h - 1 - y;
    if (t->off) {
        rt_message(r, y + 1, t->off_msg, CA_ALERT);
        return;
    }
    if (!t->have) {
        rt_message(r, y + 1, "reading the history store...", CA_DIM);
        return;
    }
    if (d->err[0]) {
        rt_message(r, y + 1, d->err, CA_ALERT);
        return;
    }
    if (!d->ser.n) {
        char msg[200];
        snprintf(msg, sizeof msg, "no history in the last %s yet: the store keeps a row per "
                                  "minute of traffic seen while flowdrill runs; try a longer "
                                  "range (>)",
                 trends_range_name(t->range));
        rt_message(r, y + 1, msg, CA_DIM);
        return;
    }
    if (t->drilled) {
        int keyw = rt_keyw(r);
        char key[256];
        rt_chart(r, y, room - 2);
        rd_fill_line(r, h - 3, CA_COLHEAD);
        int x = 1;
        canvas_field(r->c, h - 3, x, keyw, "", false, CA_COLHEAD);
        x += keyw + 1;
        static const char *const cols[RT_COLS] = {"TOTAL", "P95", "PEAK", "GROWTH"};
        for (int i = 0; i < RT_COLS && x + RT_W <= r->c->w; i++, x += RT_W + 1)
            canvas_field(r->c, h - 3, x, RT_W, cols[i], true, CA_COLHEAD);
        rt_key(r, &t->drill_key, key, sizeof key);
        rt_row_cells(r, h - 2, keyw, key, &d->key_stats, CA_NORMAL);
        return;
    }
    int chart = rt_chart_rows(h);
    rt_chart(r, y, chart);
    rt_list(r, y + chart, rd_trends_list_rows(h));
}
