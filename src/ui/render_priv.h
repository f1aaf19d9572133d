/*
 * render_priv.h - what the parts of the renderer share (render.c: layout and table;
 * render_header.c: the lines above the table; render_help.c: help page). Private to src/ui.
 */
#ifndef FLOWDRILL_RENDER_PRIV_H
#define FLOWDRILL_RENDER_PRIV_H

#include <stdint.h>

#include "flowdrill/canvas.h"
#include "flowdrill/ui.h"

/* One render pass: where to draw, what to draw from (read only: ui_layout sets the pages). */
struct rd {
    struct canvas *c;
    const struct ui *u;
    const struct view *v;
    const struct ui_status *st;
    uint64_t now_ms;
};

static inline void rd_put(struct rd *r, int y, int *x, const char *s, enum canvas_attr a)
{
    if (*x >= r->c->w)
        return;
    r->c->ops->put(r->c, y, *x, s, a);
    *x += (int)canvas_width(s);
}

static inline void rd_fill_line(struct rd *r, int y, enum canvas_attr a)
{
    r->c->ops->attr(r->c, y, 0, r->c->w, a);
}

/* header lines (render_header.c) */
void rd_title(struct rd *r, int y);
void rd_traffic(struct rd *r, int y);
void rd_drops(struct rd *r, int y);
void rd_progress(struct rd *r, int y);
void rd_tabs(struct rd *r, int y);
void rd_crumbs(struct rd *r, int y);
/* "Peers" inside a host, else the view's title */
const char *rd_kind_title(const struct view *v, enum view_kind k);

/* the help page (render_help.c), and how many lines it has at width w */
void rd_help(struct rd *r);
int rd_help_lines(int w);

/* the rewind marks (render_rewind.c) */
void rd_rewind_mark(struct rd *r, int y);
void rd_rewind_traffic(struct rd *r, int y);

/* the Trends screen (render_trends.c), and the rows of its list (column header included) */
void rd_trends(struct rd *r);
int rd_trends_list_rows(int h);

/* the Alerts screen, and the title's alert badge ending at column `right`; returns where it
 * starts (render_alerts.c) */
void rd_alerts(struct rd *r);
int rd_alert_badge(struct rd *r, int y, int right);

#endif
