/*
 * render_header.c - the lines above the table: sources, traffic, drops or file progress,
 * view tabs, breadcrumb (see render.c for the layout).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "flowdrill/rowfmt.h"

#include "render_priv.h"

void rd_title(struct rd *r, int y)
{
    int x = 0;
    char buf[160];
    rd_fill_line(r, y, CA_TITLE);
    rd_put(r, y, &x, " flowdrill ", CA_TITLE);
    for (size_t i = 0; i < r->st->n_src; i++) {
        snprintf(buf, sizeof buf, "%s %s %s", i ? " |" : "", r->st->src[i].name,
                 r->st->src[i].state);
        rd_put(r, y, &x, buf, CA_TITLE);
    }
    int right = r->c->w;
    if (r->u->paused) {
        const char *p = " PAUSED ";
        int px = r->c->w - (int)strlen(p);
        if (px < 0)
            px = 0;
        r->c->ops->put(r->c, y, px, p, CA_PAUSED);
        right = px - 1;
    }
    if (r->u->rewind.on && r->u->mode != UI_TRENDS) {
        rd_rewind_mark(r, y);
        right -= 20; /* " HISTORY HH:MM UTC " and a space */
    }
    rd_alert_badge(r, y, right);
}

void rd_traffic(struct rd *r, int y)
{
    const struct ui_status *st = r->st;
    char a[24], b[24], c[24], d[24], e[24], line[200];
    int x = 0;
    if (r->u->rewind.on && r->u->mode != UI_TRENDS) {
        rd_rewind_traffic(r, y);
        return;
    }
    view_rate_text(r->v, st->bps_total, a, sizeof a);
    view_rate_text(r->v, st->bps_in, b, sizeof b);
    view_rate_text(r->v, st->bps_out, c, sizeof c);
    rd_put(r, y, &x, " Total ", CA_LABEL);
    rd_put(r, y, &x, a, CA_VALUE);
    rd_put(r, y, &x, "  In ", CA_LABEL);
    rd_put(r, y, &x, b, CA_VALUE);
    rd_put(r, y, &x, "  Out ", CA_LABEL);
    rd_put(r, y, &x, c, CA_VALUE);
    snprintf(line, sizeof line, " (%us)", st->window_secs);
    rd_put(r, y, &x, line, CA_DIM);
    rowfmt_count(st->pps, d, sizeof d);
    rowfmt_count(st->fps, e, sizeof e);
    snprintf(line, sizeof line, "  %s pkt/s  %s flow/s  ", d, e);
    rd_put(r, y, &x, line, CA_VALUE);
    rowfmt_count(st->active_flows, d, sizeof d);
    snprintf(line, sizeof line, "%s active", d);
    rd_put(r, y, &x, line, CA_VALUE);
}

static void rd_drop(struct rd *r, int y, int *x, const char *label, uint64_t n)
{
    char num[24];
    rowfmt_count(n, num, sizeof num);
    rd_put(r, y, x, label, CA_LABEL);
    rd_put(r, y, x, num, n ? CA_ALERT : CA_VALUE);
}

void rd_drops(struct rd *r, int y)
{
    const struct ui_status *st = r->st;
    int x = 0;
    rd_drop(r, y, &x, " Drops: kernel ", st->kernel_drop);
    rd_drop(r, y, &x, "  socket ", st->socket_drop);
    rd_drop(r, y, &x, "  malformed ", st->malformed);
    if (st->exports)
        rd_drop(r, y, &x, "  seq-loss ", st->seq_loss);
    rd_drop(r, y, &x, "  evicted ", st->evicted);
    if (st->exports) {
        char age[32];
        if (st->data_age_s < 0)
            snprintf(age, sizeof age, "-");
        else
            snprintf(age, sizeof age, "%llds", (long long)st->data_age_s);
        rd_put(r, y, &x, "  data age ", CA_LABEL);
        rd_put(r, y, &x, age, st->data_age_s > 120 ? CA_ALERT : CA_VALUE);
    }
}

void rd_progress(struct rd *r, int y)
{
    const struct ui_status *st = r->st;
    char tail[96], pps[24];
    rowfmt_count((uint64_t)st->read_pps, pps, sizeof pps);
    unsigned eta = st->eta_s > 0 && st->eta_s < 1e7 ? (unsigned)st->eta_s : 0;
    snprintf(tail, sizeof tail, " %3u%%  %s pkt/s  %u:%02u left ",
             (unsigned)(st->progress * 100.0), pps, eta / 60, eta % 60);
    int x = 0;
    rd_put(r, y, &x, " Reading ", CA_LABEL);
    int barw = r->c->w - x - (int)strlen(tail) - 2;
    if (barw < 4) {
        rd_put(r, y, &x, tail, CA_VALUE);
        return;
    }
    int done = (int)(st->progress * barw);
    rd_put(r, y, &x, "[", CA_DIM);
    for (int i = 0; i < barw; i++)
        r->c->ops->put(r->c, y, x + i, i < done ? (r->c->utf8 ? "\u2588" : "#") : ".",
                       i < done ? CA_VALUE : CA_DIM);
    x += barw;
    rd_put(r, y, &x, "]", CA_DIM);
    rd_put(r, y, &x, tail, CA_VALUE);
}

const char *rd_kind_title(const struct view *v, enum view_kind k)
{
    if (k == VIEW_HOSTS && v->depth && view_ccur(v)->scope.kind == SCOPE_HOST)
        return "Peers";
    return view_kind_title(k);
}

void rd_tabs(struct rd *r, int y)
{
    unsigned avail = view_available(r->v);
    int x = 0;
    char buf[48];
    for (int k = 0; k < VIEW_KIND_MAX; k++) {
        if (!(avail & (1u << k)))
            continue;
        bool cur = view_ccur(r->v)->kind == (enum view_kind)k;
        snprintf(buf, sizeof buf, " %d %s ", k + 1, rd_kind_title(r->v, (enum view_kind)k));
        rd_put(r, y, &x, buf, cur ? CA_SELECTED : CA_NORMAL);
    }
}

void rd_crumbs(struct rd *r, int y)
{
    const struct view *v = r->v;
    const char *sep = r->c->utf8 ? " \u203a " : " > ";
    int x = 0;
    rd_put(r, y, &x, " ", CA_NORMAL);
    rd_put(r, y, &x, view_kind_title(v->levels[0].kind), v->depth ? CA_LABEL : CA_VALUE);
    for (size_t i = 1; i <= v->depth; i++) {
        rd_put(r, y, &x, sep, CA_DIM);
        rd_put(r, y, &x, v->levels[i].label, CA_LABEL);
    }
    if (v->depth) {
        rd_put(r, y, &x, sep, CA_DIM);
        rd_put(r, y, &x, rd_kind_title(v, view_ccur(v)->kind), CA_VALUE);
    }
    char buf[320];
    if (v->filter_text[0]) {
        snprintf(buf, sizeof buf, "   filter: %s", v->filter_text);
        rd_put(r, y, &x, buf, CA_ALERT);
        if (v->res.filter_ignored)
            rd_put(r, y, &x, " (not for exporter views)", CA_DIM);
    }
    if (r->u->search_active && v->search[0]) {
        snprintf(buf, sizeof buf, "   search: %s (n/N)", v->search);
        rd_put(r, y, &x, buf, CA_LABEL);
    }
    if (v->frozen)
        rd_put(r, y, &x, "   [order frozen]", CA_LABEL);
    snprintf(buf, sizeof buf, "   %zu rows", v->res.total);
    if (v->res.total > v->res.n)
        snprintf(buf, sizeof buf, "   %zu of %zu rows", v->res.n, v->res.total);
    rd_put(r, y, &x, buf, CA_DIM);
}
