/*
 * render_help.c - the help page: every key binding (from keymap.c's table, so help cannot
 * disagree with the keys) and what the views and columns show, wrapped to the terminal and
 * scrollable.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "render_priv.h"

static const char *const help_views[] = {
    " Views (1-8, Tab): Hosts, Conversations (host pairs), Ports, Applications, Protocols, "
    "Flows (one row per conversation and ports), Exporters and Interfaces (flow exports).",
    " History (the store): 0 or H opens Trends, a chart of in/out over 1 h-30 d (< >) and the "
    "range's busiest rows (Tab: table) with P95, PEAK, GROWTH; Enter charts a row. [ and ] step "
    "the table views through stored minutes (marked HISTORY), ' returns to live.",
    " Drill-down: a host opens its peers (Tab: its ports, apps, protocols, flows); a peer opens "
    "that conversation's flows; a port, app or protocol opens its hosts; an exporter opens its "
    "interfaces, an interface the hosts it carried. Bksp/Esc goes back to where you were.",
    " Columns: 2s/10s/40s rates (iftop's windows); TOTAL bytes, PKTS, FLOWS since start; PEERS "
    "distinct peers; SHARE of the traffic in the chosen window (t); LAST 60s a sparkline; "
    "FLAGS TCP flags each way; UTIL in/out an sFlow interface's utilisation.",
    " A '-' means the value is not known there: views inside a drill-down (other than a "
    "host's peers) or under a filter are summed from the live conversations, which keep a "
    "2 s rate only.",
};

#define HELP_LINES 200

/* Append `text` to the help page, wrapped at `w` columns; continuation lines are indented
 * by `indent` columns. */
static void rd_help_add(char lines[][256], int *n, const char *text, int w, int indent)
{
    const char *p = text;
    bool first = true;
    while (*n < HELP_LINES) {
        int room = w - (first ? 0 : indent);
        if (room < 10)
            room = 10;
        size_t len = strlen(p);
        size_t cut = len;
        if ((int)len > room) {
            cut = (size_t)room;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = (size_t)room;
        }
        snprintf(lines[*n], 256, "%*s%.*s", first ? 0 : indent, "", (int)cut, p);
        (*n)++;
        p += cut;
        while (*p == ' ')
            p++;
        if (!*p)
            return;
        first = false;
    }
}

/* The help page's lines at width `w`; returns how many. */
static int rd_help_build(char lines[][256], int w)
{
    size_t n;
    const struct ui_binding *b = ui_bindings(&n);
    int nl = 0;
    char line[256];
    rd_help_add(lines, &nl, " Keys", w, 0);
    rd_help_add(lines, &nl, "", w, 0);
    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof line, "  %-16s %s", b[i].keys_text, b[i].help);
        rd_help_add(lines, &nl, line, w - 1, 19);
    }
    rd_help_add(lines, &nl, "", w, 0);
    for (size_t i = 0; i < sizeof help_views / sizeof help_views[0]; i++)
        rd_help_add(lines, &nl, help_views[i], w - 1, 2);
    return nl;
}

int rd_help_lines(int w)
{
    static char lines[HELP_LINES][256];
    return rd_help_build(lines, w);
}

void rd_help(struct rd *r)
{
    struct canvas *c = r->c;
    static char lines[HELP_LINES][256];
    int nl = rd_help_build(lines, c->w);
    rd_fill_line(r, 0, CA_TITLE);
    c->ops->put(c, 0, 0, " flowdrill help - j/k scroll, q quits, any other key closes", CA_TITLE);
    /* ui_layout keeps help_top within the page */
    for (int i = r->u->help_top, y = 1; i < nl && y < c->h - 1; i++, y++)
        c->ops->put(c, y, 0, lines[i], i == 0 ? CA_LABEL : CA_NORMAL);
    int x = 0;
    rd_put(r, c->h - 1, &x, " Esc", CA_KEY);
    rd_put(r, c->h - 1, &x, "Close", CA_FOOTER);
}
