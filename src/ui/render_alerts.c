/*
 * render_alerts.c - the Alerts screen (one row per alert, sortable, Enter to its flows) and
 * the alert badge in the title line of every screen.
 *
 * Columns give way on a narrow terminal in a fixed order of importance: what happened
 * (KIND), between whom (SOURCE, TARGET), when it last did (LAST), how much (PACKETS), what was
 * measured (DETAIL) come first; STATE, RATE, BYTES and FIRST follow as width allows. An
 * active alert's kind is drawn as an alert, an ended one dimmed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flowdrill/alert_fmt.h"
#include "flowdrill/rowfmt.h"

#include "render_priv.h"

struct ra_col {
    enum alerts_col id;
    int w;     /* width; SOURCE, TARGET and DETAIL widen into what is left */
    int prio;  /* lower is kept longer */
    bool right;
};

static const struct ra_col ra_cols[] = {
    {AC_KIND, 10, 0, false},  {AC_STATE, 6, 6, false},  {AC_SRC, 15, 1, false},
    {AC_DST, 15, 2, false},   {AC_FIRST, 8, 9, false},  {AC_LAST, 8, 3, false},
    {AC_PACKETS, 7, 4, true}, {AC_BYTES, 9, 8, true},   {AC_RATE, 8, 7, true},
    {AC_DETAIL, 14, 5, false},
};
#define RA_N (sizeof ra_cols / sizeof ra_cols[0])

/* Which columns fit in w, and their widths. */
static void ra_layout(int w, bool shown[RA_N], int width[RA_N])
{
    int used = 1;
    for (size_t i = 0; i < RA_N; i++) {
        shown[i] = true;
        width[i] = ra_cols[i].w;
        used += ra_cols[i].w + 1;
    }
    for (int p = 9; p > 0 && used > w; p--)
        for (size_t i = 0; i < RA_N; i++)
            if (ra_cols[i].prio == p && shown[i]) {
                shown[i] = false;
                used -= ra_cols[i].w + 1;
            }
    int spare = w - used;
    /* the detail to 26 columns first, then IPv6 addresses (up to 39 columns each), then the
     * detail again */
    for (size_t i = 0; i < RA_N && spare > 0; i++)
        if (shown[i] && ra_cols[i].id == AC_DETAIL) {
            int add = spare < 12 ? spare : 12;
            width[i] += add;
            spare -= add;
        }
    for (size_t i = 0; i < RA_N && spare > 0; i++)
        if (shown[i] && (ra_cols[i].id == AC_SRC || ra_cols[i].id == AC_DST)) {
            int add = spare < 12 ? spare : 12;
            width[i] += add;
            spare -= add;
        }
    for (size_t i = 0; i < RA_N && spare > 0; i++)
        if (shown[i] && ra_cols[i].id == AC_DETAIL)
            width[i] += spare;
}

static void ra_time(int64_t us, char *buf, size_t len)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%H:%M:%S", &tm);
}

static void ra_cell(struct rd *r, const struct alerts_row *row, enum alerts_col c, char *buf,
                    size_t len)
{
    const struct detect_alert *a = &row->a;
    switch (c) {
    case AC_KIND: snprintf(buf, len, "%s", detect_kind_name((enum detect_kind)a->kind)); break;
    case AC_STATE: snprintf(buf, len, "%s", row->active ? "active" : "ended"); break;
    case AC_SRC: alert_fmt_src(a, buf, len); break;
    case AC_DST: alert_fmt_dst(a, buf, len); break;
    case AC_FIRST: ra_time(a->first_us, buf, len); break;
    case AC_LAST: ra_time(a->last_us, buf, len); break;
    case AC_PACKETS: rowfmt_count(a->packets, buf, len); break;
    case AC_BYTES: rowfmt_bytes(a->bytes, buf, len); break;
    case AC_RATE: view_rate_text(r->v, detect_alert_bps(a), buf, len); break;
    default: alert_fmt_detail(a, buf, len); break;
    }
}

static void ra_table(struct rd *r, int y0, int rows)
{
    const struct alerts_view *v = &r->u->alerts;
    bool shown[RA_N];
    int width[RA_N];
    ra_layout(r->c->w, shown, width);
    rd_fill_line(r, y0, CA_COLHEAD);
    int x = 1;
    for (size_t i = 0; i < RA_N; i++) {
        if (!shown[i])
            continue;
        char t[32];
        bool sorted = ra_cols[i].id == v->sort;
        snprintf(t, sizeof t, "%s%s", alerts_col_title(ra_cols[i].id),
                 !sorted ? "" : r->c->utf8 ? (v->asc ? "\u25b2" : "\u25bc") : (v->asc ? "^" : "v"));
        canvas_field(r->c, y0, x, width[i], t, ra_cols[i].right, sorted ? CA_SORTED : CA_COLHEAD);
        x += width[i] + 1;
    }
    if (!v->n) {
        int xx = 2;
        char msg[200];
        if (!v->on)
            snprintf(msg, sizeof msg, "the detectors are off (--no-alerts)");
        else
            snprintf(msg, sizeof msg,
                     "no alerts: no scan, sweep, flood, unfamiliar destination or sudden "
                     "talker so far");
        if (rows > 1)
            rd_put(r, y0 + 1, &xx, msg, CA_DIM);
        return;
    }
    for (int k = 0; k + 1 < rows && v->top + (size_t)k < v->n; k++) {
        size_t idx = v->top + (size_t)k;
        const struct alerts_row *row = &v->rows[idx];
        int y = y0 + 1 + k;
        bool sel = idx == v->sel;
        x = 1;
        for (size_t i = 0; i < RA_N; i++) {
            if (!shown[i])
                continue;
            char cell[128];
            ra_cell(r, row, ra_cols[i].id, cell, sizeof cell);
            enum canvas_attr a = CA_NORMAL;
            if (ra_cols[i].id == AC_KIND || ra_cols[i].id == AC_STATE)
                a = row->active ? CA_ALERT : CA_DIM;
            canvas_field(r->c, y, x, width[i], cell, ra_cols[i].right, a);
            x += width[i] + 1;
        }
        if (sel)
            rd_fill_line(r, y, CA_SELECTED);
    }
}

static void ra_what(struct rd *r, int y)
{
    const struct alerts_view *v = &r->u->alerts;
    char buf[200];
    int x = 0;
    snprintf(buf, sizeof buf, " Alerts: %zu (%zu active)", v->n, v->active);
    rd_put(r, y, &x, buf, v->active ? CA_ALERT : CA_VALUE);
    if (v->learning) {
        snprintf(buf, sizeof buf, "   learning destinations, %u:%02u left",
                 v->learn_left_s / 60, v->learn_left_s % 60);
        rd_put(r, y, &x, buf, CA_LABEL);
    }
    if (v->dropped) {
        snprintf(buf, sizeof buf, "   %llu not kept (list full)", (unsigned long long)v->dropped);
        rd_put(r, y, &x, buf, CA_ALERT);
    }
    rd_put(r, y, &x, "   times UTC", CA_DIM);
}

static void ra_footer(struct rd *r, int y)
{
    static const char *const keys[][2] = {{"Enter", "Flows"}, {"<>", "Sort"}, {"r", "Reverse"},
                                          {"Esc", "Back"},    {"?", "Help"},  {"q", "Quit"}};
    int x = 0;
    if (r->u->msg[0] && r->now_ms < r->u->msg_until_ms) {
        rd_put(r, y, &x, " ", CA_NORMAL);
        rd_put(r, y, &x, r->u->msg, r->u->msg_alert ? CA_ALERT : CA_VALUE);
        return;
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (i == 0 && !r->u->alerts.n)
            continue;
        if (x + (int)(strlen(keys[i][0]) + strlen(keys[i][1])) + 1 > r->c->w)
            break;
        rd_put(r, y, &x, keys[i][0], CA_KEY);
        rd_put(r, y, &x, keys[i][1], CA_FOOTER);
        rd_put(r, y, &x, " ", CA_NORMAL);
    }
}

void rd_alerts(struct rd *r)
{
    int y = 0, h = r->c->h;
    rd_title(r, y++);
    rd_traffic(r, y++);
    ra_what(r, y++);
    ra_footer(r, h - 1);
    ra_table(r, y, h - 1 - y);
}

int rd_alert_badge(struct rd *r, int y, int right)
{
    const struct alerts_view *v = &r->u->alerts;
    if (!v->on)
        return right;
    char b[64];
    if (v->active)
        snprintf(b, sizeof b, " ALERTS %zu (9) ", v->active);
    else if (v->learning)
        snprintf(b, sizeof b, " alerts %zu, learning %u:%02u ", v->n, v->learn_left_s / 60,
                 v->learn_left_s % 60);
    else
        snprintf(b, sizeof b, " alerts %zu ", v->n);
    int x = right - (int)strlen(b);
    if (x < r->c->w / 2)
        return right; /* the sources' names come first on a narrow title */
    r->c->ops->put(r->c, y, x, b, v->active ? CA_PAUSED : CA_TITLE);
    return x;
}
