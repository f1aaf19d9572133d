/*
 * keymap.c - the key bindings: one table that dispatch, the footer and the help page all
 * read, so help can never disagree with what the keys do. Every F-key has a letter alias
 * (F-keys die on wrong TERMs and inside screen/mosh).
 */
#include "config.h"

#include "flowdrill/ui.h"

#define CTRL(c) ((c) & 0x1f)

static const struct ui_binding bindings[] = {
    {CMD_HELP, {UIK_F1, '?', 'h', 0}, "F1 ? h", "this help", "Help"},
    {CMD_UP, {UIK_UP, 'k', 0}, "Up k", "select the row above", NULL},
    {CMD_DOWN, {UIK_DOWN, 'j', 0}, "Down j", "select the row below", NULL},
    {CMD_PGUP, {UIK_PGUP, CTRL('b'), 0}, "PgUp ^B", "one page up", NULL},
    {CMD_PGDN, {UIK_PGDN, CTRL('f'), 0}, "PgDn ^F", "one page down", NULL},
    {CMD_HOME, {UIK_HOME, 'g', 0}, "Home g", "first row", NULL},
    {CMD_END, {UIK_END, 'G', 0}, "End G", "last row", NULL},
    {CMD_DRILL, {UIK_ENTER, UIK_RIGHT, 'l', 0}, "Enter Right l",
     "drill in: a host's peers, a port's hosts, a pair's flows, an exporter's interfaces",
     "Drill"},
    {CMD_BACK, {UIK_BACKSPACE, UIK_LEFT, UIK_ESC, 0}, "Bksp Left Esc",
     "back one level, to the row you came from", "Back"},
    {CMD_NEXT_VIEW, {UIK_TAB, 0}, "Tab", "next view at this level", "View"},
    {CMD_PREV_VIEW, {UIK_BTAB, 0}, "Shift-Tab", "previous view at this level", NULL},
    {CMD_VIEW1, {'1', 0}, "1", "Hosts", NULL},
    {CMD_VIEW2, {'2', 0}, "2", "Conversations (host pairs)", NULL},
    {CMD_VIEW3, {'3', 0}, "3", "Ports / services", NULL},
    {CMD_VIEW4, {'4', 0}, "4", "Applications", NULL},
    {CMD_VIEW5, {'5', 0}, "5", "Protocols", NULL},
    {CMD_VIEW6, {'6', 0}, "6", "Flows (conversations by ports)", NULL},
    {CMD_VIEW7, {'7', 0}, "7", "Exporters (flow exports)", NULL},
    {CMD_VIEW8, {'8', 0}, "8", "Interfaces of exporters", NULL},
    {CMD_ALERTS, {'9', 'A', 0}, "9 A",
     "Alerts: scans, sweeps, floods, new destinations, talkers (there: Enter its flows)",
     "Alerts"},
    {CMD_TRENDS, {'0', 'H', 0}, "0 H",
     "Trends: history charts, busiest rows (there: < > range, Tab table, Enter row chart)",
     "Trends"},
    {CMD_REWIND_BACK, {'[', 0}, "[", "rewind: the tables one stored minute back (history)",
     NULL},
    {CMD_REWIND_FWD, {']', 0}, "]", "one stored minute forward; past the newest: live", NULL},
    {CMD_LIVE, {'\'', 0}, "'", "back to live from a rewound minute", NULL},
    {CMD_SORT_PREV, {'<', ',', 0}, "< ,", "sort by the column to the left", NULL},
    {CMD_SORT_NEXT, {'>', '.', 0}, "> .", "sort by the column to the right", NULL},
    {CMD_SORT_MENU, {UIK_F6, 's', 0}, "F6 s", "choose the sort column from a menu", "Sort"},
    {CMD_SORT_REVERSE, {'r', 0}, "r", "reverse the sort order", NULL},
    {CMD_FILTER, {UIK_F4, 'f', 0}, "F4 f",
     "filter: host 10.1.2.3, net 10.0.0.0/8, port 443, proto udp, src/dst, and/or/not, (...)",
     "Filter"},
    {CMD_SEARCH, {UIK_F3, '/', 0}, "F3 /", "search the rows of this view as you type",
     "Search"},
    {CMD_SEARCH_NEXT, {'n', 0}, "n", "while searching: next match (else: names on/off)", NULL},
    {CMD_SEARCH_PREV, {'N', 0}, "N", "while searching: previous match (else: port names)",
     NULL},
    {CMD_DNS, {'n', 0}, "n", "reverse DNS names on/off", NULL},
    {CMD_PORT_NAMES, {'N', 0}, "N", "port and service names on/off", NULL},
    {CMD_BITS, {'b', 0}, "b", "rates in bits/s or bytes/s", NULL},
    {CMD_BARS, {'B', 0}, "B", "rate bars behind rows on/off", NULL},
    {CMD_WINDOW, {'t', 0}, "t", "rate window for sort, share and bars: 2s, 10s, 40s, total",
     "Window"},
    {CMD_TOTALS, {'T', 0}, "T", "cumulative columns (total, packets, flows) on/off", NULL},
    {CMD_FREEZE, {'o', 0}, "o", "freeze the row order on/off", NULL},
    {CMD_PAUSE, {'p', 'Z', 0}, "p Z", "pause the display (counting goes on)", "Pause"},
    {CMD_REFRESH_NOW, {' ', 0}, "Space", "refresh now", NULL},
    {CMD_REDRAW, {CTRL('l'), 0}, "^L", "repaint the terminal", NULL},
    {CMD_QUIT, {UIK_F10, 'q', 0}, "F10 q ^C", "quit", "Quit"},
};

const struct ui_binding *ui_bindings(size_t *n)
{
    *n = sizeof bindings / sizeof bindings[0];
    return bindings;
}

enum ui_cmd ui_command_for(int key)
{
    /* first binding wins: n/N mean "next match" only while a search is active, which the
     * caller decides; here they map to the search commands and fall back there */
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
        for (int k = 0; k < 4 && bindings[i].keys[k]; k++)
            if (bindings[i].keys[k] == key)
                return bindings[i].cmd;
    return CMD_NONE;
}
