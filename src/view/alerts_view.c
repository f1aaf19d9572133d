/*
 * alerts_view.c - the Alerts screen's model (see alerts_view.h).
 */
#include "config.h"

#include "flowdrill/alerts_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"

static const char *const titles[AC_MAX] = {"KIND",  "STATE",   "SOURCE", "TARGET", "FIRST",
                                           "LAST",  "PKTS",    "BYTES",  "RATE",   "DETAIL"};

const char *alerts_col_title(enum alerts_col c)
{
    return (unsigned)c < AC_MAX ? titles[c] : "?";
}

void alerts_view_init(struct alerts_view *v)
{
    memset(v, 0, sizeof *v);
    v->sort = AC_LAST;
    v->asc = false;
}

void alerts_view_free(struct alerts_view *v)
{
    free(v->rows);
    memset(v, 0, sizeof *v);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_addr(bool ha, const struct flow_addr *a, bool hb, const struct flow_addr *b)
{
    if (ha != hb)
        return ha ? 1 : -1; /* "*" (many) first */
    return ha ? memcmp(a->b, b->b, 16) : 0;
}

static enum alerts_col sort_col;
static bool sort_asc;

static int row_cmp(const void *x, const void *y)
{
    const struct alerts_row *p = x, *q = y;
    const struct detect_alert *a = &p->a, *b = &q->a;
    int c = 0;
    switch (sort_col) {
    case AC_KIND: c = cmp_u64(a->kind, b->kind); break;
    case AC_STATE: c = cmp_u64(p->active, q->active); break;
    case AC_SRC: c = cmp_addr(a->has_src, &a->src, b->has_src, &b->src); break;
    case AC_DST: c = cmp_addr(a->has_dst, &a->dst, b->has_dst, &b->dst); break;
    case AC_FIRST: c = cmp_u64((uint64_t)a->first_us, (uint64_t)b->first_us); break;
    case AC_LAST: c = cmp_u64((uint64_t)a->last_us, (uint64_t)b->last_us); break;
    case AC_PACKETS: c = cmp_u64(a->packets, b->packets); break;
    case AC_BYTES: c = cmp_u64(a->bytes, b->bytes); break;
    case AC_RATE: c = cmp_u64(detect_alert_bps(a), detect_alert_bps(b)); break;
    default: break;
    }
    if (!sort_asc)
        c = -c;
    if (!c) /* ties: the newest alert first, whatever the direction */
        c = cmp_u64(b->id, a->id);
    return c;
}

static void resort(struct alerts_view *v)
{
    sort_col = v->sort;
    sort_asc = v->asc;
    if (v->n > 1)
        qsort(v->rows, v->n, sizeof *v->rows, row_cmp);
    /* the selection follows its alert */
    if (v->sel_id) {
        for (size_t i = 0; i < v->n; i++)
            if (v->rows[i].a.id == v->sel_id) {
                v->sel = i;
                break;
            }
    }
    if (v->sel >= v->n)
        v->sel = v->n ? v->n - 1 : 0;
    alerts_view_set_page(v, v->page);
}

void alerts_view_set(struct alerts_view *v, const struct detect *d)
{
    v->on = d != NULL;
    v->n = 0;
    v->active = 0;
    v->learning = false;
    if (!d)
        return;
    const struct detect_alert *al;
    size_t n = detect_alerts(d, &al);
    if (n > v->cap) {
        v->cap = n;
        v->rows = xrealloc(v->rows, n * sizeof *v->rows);
    }
    for (size_t i = 0; i < n; i++) {
        v->rows[i].a = al[i];
        v->rows[i].active = detect_alert_active(d, &al[i]);
        v->active += v->rows[i].active;
    }
    v->n = n;
    struct detect_stats s;
    detect_stats(d, &s);
    v->learning = s.learning;
    v->learn_left_s = s.learn_left_s;
    v->dropped = s.dropped;
    resort(v);
}

void alerts_view_set_page(struct alerts_view *v, size_t rows)
{
    v->page = rows;
    if (!rows)
        return;
    if (v->sel < v->top)
        v->top = v->sel;
    if (v->sel >= v->top + rows)
        v->top = v->sel - rows + 1;
    if (v->top + rows > v->n)
        v->top = v->n > rows ? v->n - rows : 0;
}

bool alerts_view_move_to(struct alerts_view *v, size_t row)
{
    if (!v->n)
        return false;
    if (row >= v->n)
        row = v->n - 1;
    bool moved = row != v->sel || !v->sel_id;
    v->sel = row;
    v->sel_id = v->rows[row].a.id;
    alerts_view_set_page(v, v->page);
    return moved;
}

bool alerts_view_move(struct alerts_view *v, long delta)
{
    if (!v->n)
        return false;
    long to = (long)v->sel + delta;
    if (to < 0)
        to = 0;
    return alerts_view_move_to(v, (size_t)to);
}

bool alerts_view_sort_step(struct alerts_view *v, int dir)
{
    int c = (int)v->sort + (dir > 0 ? 1 : -1);
    if (c < 0)
        c = AC_DETAIL - 1;
    if (c >= AC_DETAIL)
        c = 0;
    v->sort = (enum alerts_col)c;
    /* names and kinds read best A to Z, quantities and times biggest or newest first */
    v->asc = c == AC_KIND || c == AC_SRC || c == AC_DST;
    resort(v);
    return true;
}

void alerts_view_sort_reverse(struct alerts_view *v)
{
    v->asc = !v->asc;
    resort(v);
}

const struct alerts_row *alerts_view_selected(const struct alerts_view *v)
{
    return v->sel < v->n ? &v->rows[v->sel] : NULL;
}

char *alerts_view_filter_text(const struct detect_alert *a, char *buf, size_t len)
{
    char s[FLOW_ADDR_STRLEN], d[FLOW_ADDR_STRLEN], p[24] = "";
    flow_addr_format(&a->src, s, sizeof s);
    flow_addr_format(&a->dst, d, sizeof d);
    const char *proto = a->proto == 6 ? "tcp" : a->proto == 17 ? "udp" : a->proto == 1 ? "icmp"
                        : a->proto == 58 ? "icmp6" : NULL;
    if (proto)
        snprintf(p, sizeof p, " and %s", proto);
    switch (a->kind) {
    case DETECT_HOST_SWEEP:
        if (a->proto == 6 || a->proto == 17)
            snprintf(buf, len, "host %s and %s port %u", s, proto, a->port);
        else
            snprintf(buf, len, "host %s%s", s, p);
        break;
    case DETECT_SYN_FLOOD:
    case DETECT_UDP_FLOOD:
    case DETECT_ICMP_FLOOD:
        snprintf(buf, len, "host %s%s", d, p);
        break;
    case DETECT_TALKER:
        snprintf(buf, len, "host %s", s);
        break;
    default: /* scan, unfamiliar: the two hosts */
        snprintf(buf, len, "host %s and host %s%s", s, d, p);
        break;
    }
    return buf;
}
