/*
 * render.c - one whole screen from the view model and the header status onto a canvas
 * (see ui.h). Layout, top to bottom: title and sources; traffic; drops (or file progress);
 * view tabs; breadcrumb; column header; rows; footer (or prompt, or a message). Short
 * terminals lose the tabs and drops lines first; narrow ones lose columns by their `drop`
 * rank, never the sorted one.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "flowdrill/rowfmt.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/ui.h"

#include "render_priv.h"

/* ---- table ---- */

struct rd_cols {
    enum col_id id[COL_MAX];
    int w[COL_MAX];
    size_t n;
};

static const char *rd_key_title(const struct view *v)
{
    static const char *const t[VIEW_KIND_MAX] = {"HOST", "CONVERSATION", "PORT", "APPLICATION",
                                                 "PROTOCOL", "FLOW", "EXPORTER/DOMAIN",
                                                 "INTERFACE"};
    if (view_ccur(v)->kind == VIEW_HOSTS && v->depth && view_ccur(v)->scope.kind == SCOPE_HOST)
        return "PEER";
    return t[view_ccur(v)->kind];
}

/* Decide which columns fit and how wide the key and sparkline are. */
static void rd_layout(struct rd *r, int first, int rows, struct rd_cols *out)
{
    const struct view *v = r->v;
    enum col_id cols[COL_MAX];
    size_t n = view_columns(v, cols, COL_MAX);
    bool keep[COL_MAX] = {false};
    for (size_t i = 0; i < n; i++)
        keep[i] = true;
    /* the key wants its longest visible text */
    int want = (int)strlen(rd_key_title(v));
    char buf[512];
    for (int i = 0; i < rows && (size_t)(first + i) < v->res.n; i++) {
        int l = (int)canvas_width(view_key_text(v, &v->res.rows[first + i], buf, sizeof buf));
        if (l > want)
            want = l;
    }
    if (want > 60)
        want = 60;
    int key_min = view_col(COL_KEY)->width;
    for (;;) {
        int fixed = 0;
        for (size_t i = 0; i < n; i++)
            if (keep[i] && cols[i] != COL_KEY)
                fixed += view_col(cols[i])->width + 1;
        if (key_min + 1 + fixed <= r->c->w)
            break;
        /* drop the column with the highest drop rank that is not the sort column */
        int worst = -1;
        for (size_t i = 0; i < n; i++)
            if (keep[i] && cols[i] != COL_KEY && cols[i] != v->sort_col &&
                (worst < 0 || view_col(cols[i])->drop > view_col(cols[worst])->drop))
                worst = (int)i;
        if (worst < 0)
            break;
        keep[worst] = false;
    }
    int fixed = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i] && cols[i] != COL_KEY)
            fixed += view_col(cols[i])->width + 1;
    int room = r->c->w - 1 - fixed;
    int keyw = room < want ? room : want;
    if (keyw < key_min)
        keyw = room < key_min ? room : key_min;
    int spare = room - keyw;
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        int w = cols[i] == COL_KEY ? keyw : view_col(cols[i])->width;
        if (cols[i] == COL_SPARK && spare > 0) {
            int grow = spare < VIEW_SPARK / 2 - w ? spare : VIEW_SPARK / 2 - w; /* 2 s a cell */
            if (grow > 0)
                w += grow;
            spare -= grow > 0 ? grow : 0;
        }
        out->id[out->n] = cols[i];
        out->w[out->n++] = w;
    }
    /* whatever is left widens the key (long names, IPv6) */
    if (spare > 0 && out->n && out->id[0] == COL_KEY && out->w[0] < want + 20)
        out->w[0] += spare;
}

static void rd_colhead(struct rd *r, int y, const struct rd_cols *cols)
{
    const struct view *v = r->v;
    int x = 1;
    rd_fill_line(r, y, CA_COLHEAD);
    for (size_t i = 0; i < cols->n; i++) {
        const struct col_def *d = view_col(cols->id[i]);
        char t[48];
        const char *title = cols->id[i] == COL_KEY ? rd_key_title(v) : d->title;
        bool sorted = cols->id[i] == v->sort_col;
        if (sorted)
            snprintf(t, sizeof t, "%s%s", title,
                     r->c->utf8 ? (v->sort_asc ? "\u25b2" : "\u25bc") : (v->sort_asc ? "^" : "v"));
        else
            snprintf(t, sizeof t, "%s", title);
        canvas_field(r->c, y, x, cols->w[i], t, !d->left, sorted ? CA_SORTED : CA_COLHEAD);
        x += cols->w[i] + 1;
    }
}

static void rd_spark(struct rd *r, int y, int x, int w, const struct view_row *row)
{
    static const char *const blocks[9] = {" ", "\u2581", "\u2582", "\u2583", "\u2584",
                                          "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char ascii[9] = " ._-=+*##";
    if (!(row->avail & VIEW_AV_SPARK)) {
        canvas_field(r->c, y, x, w, "-", false, CA_DIM);
        return;
    }
    int per = (VIEW_SPARK + w - 1) / w; /* seconds per cell */
    int cells = VIEW_SPARK / per;
    if (cells > w)
        cells = w;
    int start = VIEW_SPARK - cells * per;
    for (int i = 0; i < cells; i++) {
        unsigned m = 0;
        for (int s = 0; s < per; s++)
            if (row->spark[start + i * per + s] > m)
                m = row->spark[start + i * per + s];
        int lvl = m ? 1 + (int)((m - 1) * 8 / 255) : 0;
        if (lvl > 8)
            lvl = 8;
        char a[2] = {ascii[lvl], '\0'};
        r->c->ops->put(r->c, y, x + (w - cells) + i, r->c->utf8 ? blocks[lvl] : a, CA_SPARK);
    }
}

static void rd_row(struct rd *r, int y, const struct rd_cols *cols, size_t idx)
{
    const struct view *v = r->v;
    const struct view_row *row = &v->res.rows[idx];
    bool sel = idx == v->sel;
    int x = 1;
    char buf[512];
    for (size_t i = 0; i < cols->n; i++) {
        enum col_id c = cols->id[i];
        const struct col_def *d = view_col(c);
        if (c == COL_KEY) {
            enum canvas_attr a = row->r.table == AGG_T_HOST && (row->r.flags & STAT_F_LOCAL)
                                     ? CA_LOCAL
                                     : CA_NORMAL;
            canvas_field(r->c, y, x, cols->w[i], view_key_text(v, row, buf, sizeof buf), false,
                         a);
        } else if (c == COL_SPARK) {
            rd_spark(r, y, x, cols->w[i], row);
        } else {
            view_cell_text(v, row, c, buf, sizeof buf);
            canvas_field(r->c, y, x, cols->w[i], buf, !d->left,
                         strcmp(buf, "-") == 0 ? CA_DIM : CA_NORMAL);
        }
        x += cols->w[i] + 1;
    }
    if (v->bars && v->window_max) {
        uint64_t val = view_row_window(v, row);
        int n = (int)((double)val / (double)v->window_max * (r->c->w - 1) + 0.5);
        if (n > 0)
            r->c->ops->attr(r->c, y, 1, n, CA_BAR);
    }
    if (sel)
        rd_fill_line(r, y, CA_SELECTED);
}

static void rd_table(struct rd *r, int y0, int rows)
{
    const struct view *v = r->v;
    struct rd_cols cols;
    rd_layout(r, (int)v->top, rows, &cols);
    rd_colhead(r, y0, &cols);
    if (!v->res.n) {
        enum view_kind k = view_ccur(v)->kind;
        const char *why = r->u->rewind.on
                              ? "no rows: this minute's history keeps the top rows of each "
                                "table, a host's peers and an exporter's interfaces only"
                          : (k == VIEW_EXPORTERS || k == VIEW_IFACES) && !r->st->exports
                              ? "no flow exports: collect NetFlow/IPFIX with -l PORT"
                          : v->filter_text[0] ? "no traffic matches the filter"
                          : v->depth          ? "no traffic here yet"
                                              : "waiting for traffic...";
        int x = 2;
        rd_put(r, y0 + 2 < y0 + rows ? y0 + 2 : y0 + 1, &x, why, CA_DIM);
        return;
    }
    for (int i = 0; i < rows && v->top + (size_t)i < v->res.n; i++)
        rd_row(r, y0 + 1 + i, &cols, v->top + (size_t)i);
}

/* ---- footer, prompt ---- */

static void rd_footer(struct rd *r, int y)
{
    const struct ui *u = r->u;
    int x = 0;
    if (u->mode == UI_FILTER || u->mode == UI_SEARCH) {
        rd_fill_line(r, y, CA_PROMPT);
        rd_put(r, y, &x, u->mode == UI_FILTER ? " Filter: " : " Search: ", CA_PROMPT);
        rd_put(r, y, &x, u->prompt, CA_PROMPT);
        rd_put(r, y, &x, "_", CA_PROMPT);
        if (u->prompt_error[0]) {
            rd_put(r, y, &x, "  ", CA_PROMPT);
            rd_put(r, y, &x, u->prompt_error, CA_ALERT);
        } else {
            rd_put(r, y, &x, u->mode == UI_FILTER ? "   Enter apply, empty clears, Esc cancel"
                                                  : "   Enter keep, Esc cancel",
                   CA_DIM);
        }
        return;
    }
    if (u->msg[0] && r->now_ms < u->msg_until_ms) {
        rd_put(r, y, &x, " ", CA_NORMAL);
        rd_put(r, y, &x, u->msg, u->msg_alert ? CA_ALERT : CA_VALUE);
        return;
    }
    size_t n;
    const struct ui_binding *b = ui_bindings(&n);
    enum view_kind k = view_ccur(r->v)->kind;
    for (size_t i = 0; i < n; i++) {
        if (!b[i].footer)
            continue;
        /* only the keys that do something in this view */
        if (b[i].cmd == CMD_DRILL && (k == VIEW_FLOWS || k == VIEW_IFACES))
            continue;
        if (b[i].cmd == CMD_BACK && r->v->depth == 0)
            continue;
        if (b[i].cmd == CMD_NEXT_VIEW && view_available(r->v) == 1u << k)
            continue;
        char key[16];
        /* the first key name: "F1", "Enter", "Tab" */
        const char *sp = strchr(b[i].keys_text, ' ');
        size_t l = sp ? (size_t)(sp - b[i].keys_text) : strlen(b[i].keys_text);
        snprintf(key, sizeof key, "%.*s", (int)l, b[i].keys_text);
        if (x + (int)strlen(key) + (int)strlen(b[i].footer) + 1 > r->c->w)
            break;
        rd_put(r, y, &x, key, CA_KEY);
        rd_put(r, y, &x, b[i].footer, CA_FOOTER);
        rd_put(r, y, &x, " ", CA_NORMAL);
    }
}

static void rd_sortmenu(struct rd *r, int y0)
{
    const struct view *v = r->v;
    enum col_id cols[COL_MAX];
    size_t n = view_columns(v, cols, COL_MAX), m = 0;
    int w = 22, x = r->c->w - w - 1;
    if (x < 0)
        x = 0;
    canvas_field(r->c, y0, x, w, " Sort by (Enter, Esc)", false, CA_COLHEAD);
    for (size_t i = 0; i < n && y0 + 1 + (int)m < r->c->h - 1; i++) {
        if (!view_col(cols[i])->sortable)
            continue;
        char t[40];
        snprintf(t, sizeof t, " %s%s", cols[i] == COL_KEY ? rd_key_title(v) : view_col(cols[i])->title,
                 cols[i] == v->sort_col ? (v->sort_asc ? " (up)" : " (down)") : "");
        canvas_field(r->c, y0 + 1 + (int)m, x, w, t, false,
                     m == r->u->menu_sel ? CA_SELECTED : CA_PROMPT);
        m++;
    }
}

/* ---- the screen ---- */

/* Lines above the main table: title, traffic, progress (reading) or drops (13 lines or
 * more), tabs (16 or more), crumbs. The table's rows are what is left after its column
 * header and the footer. */
static int rd_head_lines(const struct ui_status *st, int h)
{
    return 3 + (st->reading || h >= 13) + (h >= 16);
}

static int rd_table_rows(const struct ui_status *st, int h)
{
    return h - 1 - rd_head_lines(st, h) - 1;
}

/* The Alerts screen: title, traffic, what; its table (column header included) to the footer. */
#define RD_ALERTS_HEAD 3

void ui_layout(struct ui *u, int w, int h, const struct ui_status *st)
{
    if (w < UI_MIN_W || h < UI_MIN_H)
        return;
    int rows = rd_table_rows(st, h);
    view_set_page(&u->view, rows > 1 ? (size_t)rows : 1);
    int arows = h - 1 - RD_ALERTS_HEAD - 1; /* minus the footer and the column header */
    alerts_view_set_page(&u->alerts, arows > 0 ? (size_t)arows : 1);
    int trows = rd_trends_list_rows(h);
    trends_set_page(&u->trends, trows > 1 ? (size_t)trows - 1 : 1);
    if (u->mode == UI_HELP) { /* the help text is built only while it is shown */
        int over = rd_help_lines(w) - (h - 2);
        if (u->help_top > over)
            u->help_top = over > 0 ? over : 0;
    }
}

void ui_render(const struct ui *u, struct canvas *c, const struct ui_status *st, uint64_t now_ms)
{
    struct rd r = {c, u, &u->view, st, now_ms};
    c->ops->clear(c);
    if (c->w < UI_MIN_W || c->h < UI_MIN_H) {
        char msg[96];
        snprintf(msg, sizeof msg, "terminal too small (%dx%d); need %dx%d", c->w, c->h,
                 UI_MIN_W, UI_MIN_H);
        int x = (c->w - (int)strlen(msg)) / 2;
        c->ops->put(c, c->h / 2, x < 0 ? 0 : x, msg, CA_ALERT);
        return;
    }
    if (u->mode == UI_HELP) {
        rd_help(&r);
        return;
    }
    if (u->mode == UI_TRENDS) {
        rd_trends(&r);
        return;
    }
    if (u->mode == UI_ALERTS) {
        rd_alerts(&r);
        return;
    }
    int y = 0;
    rd_title(&r, y++);
    rd_traffic(&r, y++);
    if (st->reading)
        rd_progress(&r, y++);
    else if (c->h >= 13)
        rd_drops(&r, y++);
    if (c->h >= 16)
        rd_tabs(&r, y++);
    rd_crumbs(&r, y++);
    rd_table(&r, y, rd_table_rows(st, c->h));
    rd_footer(&r, c->h - 1);
    if (u->mode == UI_SORTMENU)
        rd_sortmenu(&r, y);
}
