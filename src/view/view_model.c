/*
 * view_model.c - the view model: levels, sorting, selection by key, search (see view.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/rowfmt.h"
#include "flowdrill/view.h"
#include "flowdrill/xalloc.h"

void view_init(struct view *v, const struct service_db *svc, enum topn_sort initial)
{
    memset(v, 0, sizeof *v);
    v->svc = svc;
    v->levels[0].kind = VIEW_HOSTS;
    v->dns = true;
    v->port_names = true;
    v->bits = true;
    v->bars = true;
    v->totals = true;
    v->page = 20;
    v->sort_col = view_sort_col(initial);
    /* the bars and the window follow the sort: a rate's window, or the totals for bytes */
    int w = topn_sort_window(initial);
    v->window = w >= 0 ? (enum view_window)w
                       : initial == TOPN_SORT_BYTES ? VIEW_WTOTAL : VIEW_W2;
}

void view_free(struct view *v)
{
    query_result_free(&v->res);
    filter_free(v->filter);
    v->filter = NULL;
}

unsigned view_available(const struct view *v)
{
    struct scope sc[VIEW_MAX_DEPTH];
    for (size_t i = 1; i <= v->depth; i++)
        sc[i - 1] = v->levels[i].scope;
    unsigned views = scope_views(sc, v->depth);
    if (v->no_exports)
        views &= ~((1u << VIEW_EXPORTERS) | (1u << VIEW_IFACES));
    return views;
}

/* ---- sorting ---- */

static uint64_t vm_value(const struct view_row *r, enum col_id c)
{
    switch (c) {
    case COL_RATE2:
    case COL_RATE10:
    case COL_RATE40: {
        int w = c - COL_RATE2;
        return (r->avail & (VIEW_AV_WIN2 << w)) ? r->r.win[w] : 0;
    }
    case COL_TOTAL:
        return r->r.bytes;
    case COL_PACKETS:
        return r->r.packets;
    case COL_FLOWS:
        return r->r.flows;
    case COL_PEERS:
        return (r->avail & VIEW_AV_PEERS) ? r->r.aux : 0;
    case COL_SAMPLING:
        return r->exp.sampling;
    case COL_LOSS:
        return r->exp.seq_lost;
    case COL_TEMPLATES:
        return r->exp.templates;
    case COL_SEEN:
        return r->exp.seen_ago_s;
    case COL_VERSION:
        return r->exp.version;
    case COL_FAMILY: {
        uint64_t n = 0; /* the records the rules chose for */
        for (int i = 0; i < VIEW_FAM_RULES; i++)
            n += r->exp.family[i];
        return n;
    }
    case COL_NOPKTS:
        return r->exp.no_packets;
    case COL_TPLDROP:
        return r->exp.tpl_refused + r->exp.tpl_recycled + r->exp.held_dropped;
    case COL_UTIL: /* the busier direction */
        return r->ifc.known ? 1 + (r->ifc.in_util > r->ifc.out_util ? r->ifc.in_util
                                                                    : r->ifc.out_util)
                            : 0;
    default:
        return 0;
    }
}

struct vm_sort {
    enum col_id col;
    bool asc;
};

static int vm_key_cmp(const struct view_row *a, const struct view_row *b)
{
    return memcmp(a->r.key.raw, b->r.key.raw, sizeof a->r.key.raw);
}

static int vm_cmp(const void *x, const void *y, void *arg)
{
    const struct view_row *a = x, *b = y;
    const struct vm_sort *s = arg;
    int c = 0;
    if (s->col == COL_KEY) {
        c = vm_key_cmp(a, b);
        return s->asc ? c : -c;
    }
    uint64_t va = vm_value(a, s->col), vb = vm_value(b, s->col);
    if (va != vb)
        c = va < vb ? -1 : 1;
    if (!s->asc)
        c = -c;
    return c ? c : vm_key_cmp(a, b); /* ties: key order, both ways, so rows do not flicker */
}

/* Previous order of keys, for holding the order steady. */
struct vm_prev {
    uint8_t key[AGG_KEY_MAX];
    size_t pos;
};

static int vm_prev_cmp(const void *x, const void *y)
{
    return memcmp(((const struct vm_prev *)x)->key, ((const struct vm_prev *)y)->key,
                  AGG_KEY_MAX);
}

struct vm_hold {
    struct view_row *rows;
    size_t *pos; /* previous position, SIZE_MAX when new */
    struct vm_sort s;
};

static int vm_hold_cmp(const void *x, const void *y, void *arg)
{
    const size_t *i = x, *j = y;
    const struct vm_hold *h = arg;
    size_t pi = h->pos[*i], pj = h->pos[*j];
    if (pi != pj)
        return pi < pj ? -1 : 1;
    return vm_cmp(&h->rows[*i], &h->rows[*j], (void *)&h->s);
}

/* Sort res rows; when holding, rows that were on screen keep their previous order. */
static void vm_sort(struct view *v, const struct query_result *old, bool hold)
{
    struct vm_sort s = {v->sort_col, v->sort_asc};
    struct view_row *rows = v->res.rows;
    size_t n = v->res.n;
    if (!hold || !old->n) {
        qsort_r(rows, n, sizeof *rows, vm_cmp, &s);
        return;
    }
    struct vm_prev *prev = xmalloc(old->n * sizeof *prev);
    for (size_t i = 0; i < old->n; i++) {
        memcpy(prev[i].key, old->rows[i].r.key.raw, AGG_KEY_MAX);
        prev[i].pos = i;
    }
    qsort(prev, old->n, sizeof *prev, vm_prev_cmp);
    size_t *pos = xmalloc((n ? n : 1) * sizeof *pos), *order = xmalloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++) {
        struct vm_prev k;
        memcpy(k.key, rows[i].r.key.raw, AGG_KEY_MAX);
        const struct vm_prev *f = bsearch(&k, prev, old->n, sizeof *prev, vm_prev_cmp);
        pos[i] = f ? f->pos : SIZE_MAX;
        order[i] = i;
    }
    struct vm_hold h = {rows, pos, s};
    qsort_r(order, n, sizeof *order, vm_hold_cmp, &h);
    struct view_row *sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = rows[order[i]];
    memcpy(rows, sorted, n * sizeof *rows);
    free(sorted);
    free(order);
    free(pos);
    free(prev);
}

/* ---- refresh ---- */

static enum topn_sort vm_prefer(const struct view *v)
{
    return view_col_sort(v->sort_col);
}

static void vm_scroll(struct view *v)
{
    size_t page = v->page ? v->page : 1;
    if (v->res.n == 0) {
        v->sel = v->top = 0;
        return;
    }
    if (v->sel >= v->res.n)
        v->sel = v->res.n - 1;
    if (v->sel < v->top)
        v->top = v->sel;
    if (v->sel >= v->top + page)
        v->top = v->sel - page + 1;
    /* no empty space below the last row when the list got shorter */
    if (v->top + page > v->res.n)
        v->top = v->res.n > page ? v->res.n - page : 0;
}

void view_set_page(struct view *v, size_t rows)
{
    v->page = rows;
    vm_scroll(v);
}

void view_refresh(struct view *v, const struct agg *a, uint64_t now_ms)
{
    struct view_level *lv = view_cur(v);
    struct scope sc[VIEW_MAX_DEPTH];
    for (size_t i = 1; i <= v->depth; i++)
        sc[i - 1] = v->levels[i].scope;
    struct query q = {
        .kind = lv->kind,
        .scope = sc,
        .n_scope = v->depth,
        .filter = v->filter,
        .prefer = vm_prefer(v),
    };
    uint8_t key[AGG_KEY_MAX];
    bool had = v->restore || (v->user_moved && v->sel < v->res.n);
    if (v->restore)
        memcpy(key, v->restore_key, AGG_KEY_MAX);
    else if (had)
        memcpy(key, v->res.rows[v->sel].r.key.raw, AGG_KEY_MAX);
    v->restore = false;

    struct query_result old = v->res;
    if (!v->source || !v->source(v->source_ctx, &q, &v->res))
        query_run(a, &q, &v->res);
    if (v->decorate)
        v->decorate(v->decorate_ctx, lv->kind, v->res.rows, v->res.n);
    bool hold = v->frozen || now_ms < v->hold_until_ms;
    vm_sort(v, &old, hold);
    query_result_free(&old);

    if (had) {
        for (size_t i = 0; i < v->res.n; i++) {
            if (memcmp(v->res.rows[i].r.key.raw, key, AGG_KEY_MAX) == 0) {
                v->sel = i;
                break;
            }
        }
    }
    v->window_total = v->res.denom[v->window];
    v->window_max = 0;
    for (size_t i = 0; i < v->res.n; i++) {
        uint64_t x = view_row_window(v, &v->res.rows[i]);
        if (x > v->window_max)
            v->window_max = x;
    }
    vm_scroll(v);
}

/* ---- moving ---- */

bool view_move_to(struct view *v, size_t row, uint64_t now_ms)
{
    if (!v->res.n)
        return false;
    if (row >= v->res.n)
        row = v->res.n - 1;
    bool changed = row != v->sel;
    v->sel = row;
    v->user_moved = true;
    v->hold_until_ms = now_ms + VIEW_HOLD_MS;
    vm_scroll(v);
    return changed;
}

bool view_move(struct view *v, long delta, uint64_t now_ms)
{
    if (!v->res.n)
        return false;
    long target = (long)v->sel + delta;
    if (target < 0)
        target = 0;
    return view_move_to(v, (size_t)target, now_ms);
}

/* ---- levels ---- */

static void vm_forget_rows(struct view *v)
{
    query_result_free(&v->res);
    v->sel = v->top = 0;
    v->user_moved = false;
    v->hold_until_ms = 0;
}

bool view_set_kind(struct view *v, enum view_kind k)
{
    if ((unsigned)k >= VIEW_KIND_MAX || !(view_available(v) & (1u << k)))
        return false;
    if (view_cur(v)->kind == k)
        return false;
    view_cur(v)->kind = k;
    vm_forget_rows(v);
    if (!view_has_column(v, v->sort_col))
        view_sort_by(v, COL_RATE2);
    return true;
}

bool view_cycle_kind(struct view *v, int dir)
{
    unsigned avail = view_available(v);
    int k = (int)view_cur(v)->kind;
    for (int i = 0; i < VIEW_KIND_MAX; i++) {
        k = (k + (dir < 0 ? VIEW_KIND_MAX - 1 : 1)) % VIEW_KIND_MAX;
        if (avail & (1u << k))
            return view_set_kind(v, (enum view_kind)k);
    }
    return false;
}

/* The view a drilled row opens by default. */
static enum view_kind vm_child_kind(enum scope_kind s, size_t depth_after)
{
    switch (s) {
    case SCOPE_HOST:
        return depth_after >= 2 ? VIEW_FLOWS : VIEW_HOSTS; /* peers; a peer's flows */
    case SCOPE_PAIR:
        return VIEW_FLOWS;
    case SCOPE_EXPORTER:
        return VIEW_IFACES;
    default:
        return VIEW_HOSTS;
    }
}

bool view_drill(struct view *v, char *msg, size_t msglen)
{
    if (msglen)
        msg[0] = '\0';
    if (v->sel >= v->res.n) {
        snprintf(msg, msglen, "nothing selected");
        return false;
    }
    if (v->depth >= VIEW_MAX_DEPTH) {
        snprintf(msg, msglen, "drill-down is %d levels deep at most", VIEW_MAX_DEPTH);
        return false;
    }
    const struct view_row *r = &v->res.rows[v->sel];
    struct view_level *lv = view_cur(v);
    struct scope s;
    if (!scope_from_row(lv->kind, &r->r, &s)) {
        if (r->r.table != AGG_T_FLOW && (r->r.flags & STAT_F_OTHER))
            snprintf(msg, msglen, "the (other) row sums entries the tables had to let go");
        else if (lv->kind == VIEW_FLOWS)
            snprintf(msg, msglen, "flows are the deepest level");
        else
            snprintf(msg, msglen, "this row cannot be drilled into");
        return false;
    }
    /* save where we are */
    memcpy(lv->sel_key, r->r.key.raw, AGG_KEY_MAX);
    lv->has_sel = true;
    lv->sel = v->sel;
    lv->top = v->top;

    char label[64];
    view_key_text(v, r, label, sizeof label);
    v->depth++;
    struct view_level *nl = view_cur(v);
    memset(nl, 0, sizeof *nl);
    nl->scope = s;
    snprintf(nl->label, sizeof nl->label, "%s", label);
    nl->kind = vm_child_kind((enum scope_kind)s.kind, v->depth);
    if (!(view_available(v) & (1u << nl->kind)))
        nl->kind = VIEW_FLOWS;
    vm_forget_rows(v);
    if (!view_has_column(v, v->sort_col))
        view_sort_by(v, COL_RATE2);
    return true;
}

bool view_back(struct view *v)
{
    if (v->depth == 0)
        return false;
    v->depth--;
    struct view_level *lv = view_cur(v);
    query_result_free(&v->res);
    /* the next refresh puts the cursor back on the row the user drilled from */
    memcpy(v->restore_key, lv->sel_key, AGG_KEY_MAX);
    v->restore = lv->has_sel;
    v->sel = lv->sel;
    v->top = lv->top;
    v->user_moved = true; /* back on the row the user drilled from */
    v->hold_until_ms = 0;
    if (!view_has_column(v, v->sort_col))
        view_sort_by(v, COL_RATE2);
    return true;
}

/* ---- sort ---- */

bool view_sort_by(struct view *v, enum col_id c)
{
    if ((unsigned)c >= COL_MAX || !view_col(c)->sortable || !view_has_column(v, c))
        return false;
    v->sort_col = c;
    v->sort_asc = c == COL_KEY;
    v->hold_until_ms = 0;
    if (c >= COL_RATE2 && c <= COL_RATE40)
        v->window = (enum view_window)(c - COL_RATE2);
    else if (c == COL_TOTAL)
        v->window = VIEW_WTOTAL;
    return true;
}

bool view_sort_step(struct view *v, int dir)
{
    enum col_id cols[COL_MAX];
    size_t n = view_columns(v, cols, COL_MAX), at = 0;
    for (size_t i = 0; i < n; i++)
        if (cols[i] == v->sort_col)
            at = i;
    for (size_t step = 0; step < n; step++) {
        at = (at + (dir < 0 ? n - 1 : 1)) % n;
        if (view_col(cols[at])->sortable)
            return view_sort_by(v, cols[at]);
    }
    return false;
}

void view_sort_reverse(struct view *v)
{
    v->sort_asc = !v->sort_asc;
    v->hold_until_ms = 0;
}

void view_cycle_window(struct view *v)
{
    enum view_window next = (enum view_window)((v->window + 1) % VIEW_W_MAX);
    bool sort_follows = v->sort_col == COL_TOTAL ||
                        (v->sort_col >= COL_RATE2 && v->sort_col <= COL_RATE40);
    /* flows keep only the 2 s window */
    if (view_cur(v)->kind == VIEW_FLOWS && (next == VIEW_W10 || next == VIEW_W40))
        next = VIEW_WTOTAL;
    v->window = next;
    if (sort_follows) {
        v->sort_col = next == VIEW_WTOTAL ? COL_TOTAL : (enum col_id)(COL_RATE2 + next);
        v->sort_asc = false;
        v->hold_until_ms = 0;
    }
}

void view_set_filter(struct view *v, struct filter *f, const char *text)
{
    filter_free(v->filter);
    v->filter = f;
    snprintf(v->filter_text, sizeof v->filter_text, "%s", f && text ? text : "");
    v->hold_until_ms = 0;
}

/* ---- search ---- */

static bool vm_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (!n)
        return false;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

bool view_search(struct view *v, const char *text, int dir, bool from_next, uint64_t now_ms)
{
    size_t n = v->res.n;
    if (!n || !text[0])
        return false;
    char buf[512];
    size_t start = v->sel < n ? v->sel : 0;
    for (size_t step = from_next ? 1 : 0; step <= n; step++) {
        size_t i = dir < 0 ? (start + n * 2 - step) % n : (start + step) % n;
        if (vm_contains(view_key_text(v, &v->res.rows[i], buf, sizeof buf), text)) {
            view_move_to(v, i, now_ms);
            return true;
        }
    }
    return false;
}
