/*
 * render_rewind.c - what marks the table views as history while rewound ([ ]): a reverse
 * "HISTORY hh:mm UTC" mark in the title line, and the traffic line giving that minute's
 * totals (its mean rates) instead of the live ones (see rewind.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flowdrill/rowfmt.h"

#include "render_priv.h"

static void rd_rewind_time(uint32_t t, bool date, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    if (date)
        strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
    else
        strftime(buf, len, "%H:%M", &tm);
}

void rd_rewind_mark(struct rd *r, int y)
{
    char hm[16], mark[40];
    rd_rewind_time(r->u->rewind.t, false, hm, sizeof hm);
    snprintf(mark, sizeof mark, " HISTORY %s UTC ", hm);
    int x = r->c->w - (int)strlen(mark) - (r->u->paused ? 9 : 0);
    if (x < 0)
        x = 0;
    r->c->ops->put(r->c, y, x, mark, CA_PAUSED);
}

void rd_rewind_traffic(struct rd *r, int y)
{
    const struct rewind *rw = &r->u->rewind;
    char when[40], a[24], b[24], c[24], d[24], e[24], line[160];
    int x = 0;
    rd_rewind_time(rw->t, true, when, sizeof when);
    snprintf(line, sizeof line, " HISTORY %s UTC ", when);
    rd_put(r, y, &x, line, CA_PAUSED);
    view_rate_text(r->v, rw->bytes * 8 / 60, a, sizeof a);
    view_rate_text(r->v, rw->bytes_in * 8 / 60, b, sizeof b);
    view_rate_text(r->v, rw->bytes_out * 8 / 60, c, sizeof c);
    rd_put(r, y, &x, " Total ", CA_LABEL);
    rd_put(r, y, &x, a, CA_VALUE);
    rd_put(r, y, &x, "  In ", CA_LABEL);
    rd_put(r, y, &x, b, CA_VALUE);
    rd_put(r, y, &x, "  Out ", CA_LABEL);
    rd_put(r, y, &x, c, CA_VALUE);
    rd_put(r, y, &x, " (minute mean)  ", CA_DIM);
    rowfmt_count(rw->packets, d, sizeof d);
    rowfmt_count(rw->flows, e, sizeof e);
    snprintf(line, sizeof line, "%s pkts  %s flows", d, e);
    rd_put(r, y, &x, line, CA_VALUE);
    rd_put(r, y, &x, "   [ ] step, ' live", CA_DIM);
}
