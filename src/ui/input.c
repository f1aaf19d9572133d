/*
 * input.c - what keys do, per mode (see ui.h). Normal mode dispatches through the binding
 * table in keymap.c; prompts (filter, search), the sort menu and help have their own keys,
 * and Esc always leaves them.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flowdrill/ui.h"

#define UI_MSG_MS 4000

void ui_init(struct ui *u, const struct service_db *svc, enum topn_sort initial)
{
    memset(u, 0, sizeof *u);
    view_init(&u->view, svc, initial);
    trends_init(&u->trends);
    alerts_view_init(&u->alerts);
    rewind_init(&u->rewind);
    u->view.source = rewind_source;
    u->view.source_ctx = &u->rewind;
}

void ui_free(struct ui *u)
{
    view_free(&u->view);
    trends_free(&u->trends);
    alerts_view_free(&u->alerts);
    rewind_free(&u->rewind);
}

static void ui_msg(struct ui *u, uint64_t now_ms, bool alert, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void ui_msg(struct ui *u, uint64_t now_ms, bool alert, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->msg_until_ms = now_ms + UI_MSG_MS;
    u->msg_alert = alert;
}

static void ui_prompt_open(struct ui *u, enum ui_mode m, const char *initial)
{
    u->mode = m;
    snprintf(u->prompt, sizeof u->prompt, "%s", initial);
    u->prompt_len = strlen(u->prompt);
    u->prompt_error[0] = '\0';
}

/* Editing keys shared by both prompts; true when the text changed. */
static bool ui_prompt_edit(struct ui *u, int key)
{
    if (key == UIK_BACKSPACE || key == 127 || key == 8) {
        if (!u->prompt_len)
            return false;
        u->prompt[--u->prompt_len] = '\0';
        return true;
    }
    if (key == 0x15) { /* ^U */
        u->prompt_len = 0;
        u->prompt[0] = '\0';
        return true;
    }
    if (key >= 0x20 && key < 0x7f && u->prompt_len < UI_PROMPT_MAX) {
        u->prompt[u->prompt_len++] = (char)key;
        u->prompt[u->prompt_len] = '\0';
        return true;
    }
    return false;
}

static enum ui_action ui_key_filter(struct ui *u, int key, uint64_t now_ms)
{
    if (key == UIK_ESC) {
        u->mode = UI_NORMAL;
        return UI_ACT_DRAW;
    }
    if (key == UIK_ENTER || key == '\n' || key == '\r') {
        struct filter *f = NULL;
        unsigned col = 0;
        char err[sizeof u->prompt_error];
        if (filter_compile(u->prompt, &f, err, sizeof err, &col) != 0) {
            /* the old filter stays; the error stays in the prompt until the text changes */
            snprintf(u->prompt_error, sizeof u->prompt_error, "%s", err);
            return UI_ACT_DRAW;
        }
        view_set_filter(&u->view, f, u->prompt);
        u->mode = UI_NORMAL;
        if (f)
            ui_msg(u, now_ms, false, "filter: %.100s", u->prompt);
        else
            ui_msg(u, now_ms, false, "%s", "filter cleared");
        return UI_ACT_REFRESH;
    }
    if (ui_prompt_edit(u, key))
        u->prompt_error[0] = '\0';
    return UI_ACT_DRAW;
}

static enum ui_action ui_key_search(struct ui *u, int key, uint64_t now_ms)
{
    struct view *v = &u->view;
    if (key == UIK_ESC) {
        u->mode = UI_NORMAL;
        u->search_active = false;
        v->search[0] = '\0';
        view_move_to(v, u->search_origin, now_ms);
        return UI_ACT_DRAW;
    }
    if (key == UIK_ENTER || key == '\n' || key == '\r') {
        u->mode = UI_NORMAL;
        u->search_active = u->prompt_len > 0;
        size_t l = u->prompt_len < sizeof v->search - 1 ? u->prompt_len : sizeof v->search - 1;
        memcpy(v->search, u->prompt, l);
        v->search[l] = '\0';
        return UI_ACT_DRAW;
    }
    if (ui_prompt_edit(u, key)) {
        /* incremental: the first match at or after where the search started */
        v->sel = u->search_origin;
        u->prompt_error[0] = '\0';
        if (u->prompt_len && !view_search(v, u->prompt, +1, false, now_ms))
            snprintf(u->prompt_error, sizeof u->prompt_error, "no match");
    }
    return UI_ACT_DRAW;
}

static enum ui_action ui_key_menu(struct ui *u, int key)
{
    struct view *v = &u->view;
    enum col_id cols[COL_MAX], sortable[COL_MAX];
    size_t n = view_columns(v, cols, COL_MAX), m = 0;
    for (size_t i = 0; i < n; i++)
        if (view_col(cols[i])->sortable)
            sortable[m++] = cols[i];
    switch (key) {
    case UIK_UP:
    case 'k':
        if (u->menu_sel)
            u->menu_sel--;
        return UI_ACT_DRAW;
    case UIK_DOWN:
    case 'j':
        if (u->menu_sel + 1 < m)
            u->menu_sel++;
        return UI_ACT_DRAW;
    case UIK_ENTER:
    case '\n':
    case '\r':
        if (u->menu_sel < m)
            view_sort_by(v, sortable[u->menu_sel]);
        u->mode = UI_NORMAL;
        return UI_ACT_REFRESH;
    case UIK_ESC:
    case UIK_F6:
    case 's':
    case 'q':
        u->mode = UI_NORMAL;
        return UI_ACT_DRAW;
    default:
        return UI_ACT_NONE;
    }
}

static enum ui_action ui_key_help(struct ui *u, int key)
{
    switch (key) {
    case UIK_DOWN:
    case 'j':
        u->help_top++;
        return UI_ACT_DRAW;
    case UIK_UP:
    case 'k':
        if (u->help_top > 0)
            u->help_top--;
        return UI_ACT_DRAW;
    case UIK_PGDN:
    case ' ':
        u->help_top += 10;
        return UI_ACT_DRAW;
    case UIK_PGUP:
        u->help_top = u->help_top > 10 ? u->help_top - 10 : 0;
        return UI_ACT_DRAW;
    case UIK_F10:
    case 'q':
        return UI_ACT_QUIT;
    default:
        /* any other key closes help, like htop */
        u->mode = u->help_back;
        return UI_ACT_DRAW;
    }
}

static enum ui_action ui_toggle(struct ui *u, bool *flag, const char *what, uint64_t now_ms)
{
    *flag = !*flag;
    ui_msg(u, now_ms, false, "%s %s", what, *flag ? "on" : "off");
    return UI_ACT_DRAW;
}

static enum ui_action ui_key_normal(struct ui *u, int key, uint64_t now_ms)
{
    struct view *v = &u->view;
    enum ui_cmd cmd = ui_command_for(key);
    long page = v->page ? (long)v->page : 1;
    char msg[160];
    /* n/N repeat a search while one is active; otherwise they are display toggles */
    if (cmd == CMD_SEARCH_NEXT && !u->search_active)
        cmd = CMD_DNS;
    if (cmd == CMD_SEARCH_PREV && !u->search_active)
        cmd = CMD_PORT_NAMES;
    /* Esc ends an active search before it means "back" */
    if (key == UIK_ESC && u->search_active) {
        u->search_active = false;
        v->search[0] = '\0';
        return UI_ACT_DRAW;
    }
    switch (cmd) {
    case CMD_UP:
        view_move(v, -1, now_ms);
        return UI_ACT_DRAW;
    case CMD_DOWN:
        view_move(v, 1, now_ms);
        return UI_ACT_DRAW;
    case CMD_PGUP:
        view_move(v, -page, now_ms);
        return UI_ACT_DRAW;
    case CMD_PGDN:
        view_move(v, page, now_ms);
        return UI_ACT_DRAW;
    case CMD_HOME:
        view_move_to(v, 0, now_ms);
        return UI_ACT_DRAW;
    case CMD_END:
        view_move_to(v, v->res.n ? v->res.n - 1 : 0, now_ms);
        return UI_ACT_DRAW;
    case CMD_DRILL:
        if (!view_drill(v, msg, sizeof msg)) {
            ui_msg(u, now_ms, true, "%s", msg);
            return UI_ACT_DRAW;
        }
        u->search_active = false;
        return UI_ACT_REFRESH;
    case CMD_BACK:
        if (!view_back(v))
            return UI_ACT_NONE;
        u->search_active = false;
        return UI_ACT_REFRESH;
    case CMD_NEXT_VIEW:
    case CMD_PREV_VIEW:
        if (!view_cycle_kind(v, cmd == CMD_NEXT_VIEW ? 1 : -1))
            return UI_ACT_NONE;
        return UI_ACT_REFRESH;
    case CMD_VIEW1:
    case CMD_VIEW2:
    case CMD_VIEW3:
    case CMD_VIEW4:
    case CMD_VIEW5:
    case CMD_VIEW6:
    case CMD_VIEW7:
    case CMD_VIEW8: {
        enum view_kind k = (enum view_kind)(cmd - CMD_VIEW1);
        if (view_ccur(v)->kind == k)
            return UI_ACT_NONE;
        if (!view_set_kind(v, k)) {
            if ((k == VIEW_EXPORTERS || k == VIEW_IFACES) && v->no_exports)
                ui_msg(u, now_ms, true, "%s: no flow exports (collect NetFlow/IPFIX with -l PORT)",
                       view_kind_title(k));
            else
                ui_msg(u, now_ms, true, "%s is not available here", view_kind_title(k));
            return UI_ACT_DRAW;
        }
        return UI_ACT_REFRESH;
    }
    case CMD_SORT_PREV:
    case CMD_SORT_NEXT:
        view_sort_step(v, cmd == CMD_SORT_NEXT ? 1 : -1);
        return UI_ACT_REFRESH;
    case CMD_SORT_MENU: {
        enum col_id cols[COL_MAX];
        size_t n = view_columns(v, cols, COL_MAX), m = 0;
        u->menu_sel = 0;
        for (size_t i = 0; i < n; i++) {
            if (!view_col(cols[i])->sortable)
                continue;
            if (cols[i] == v->sort_col)
                u->menu_sel = m;
            m++;
        }
        u->mode = UI_SORTMENU;
        return UI_ACT_DRAW;
    }
    case CMD_SORT_REVERSE:
        view_sort_reverse(v);
        return UI_ACT_REFRESH;
    case CMD_FILTER:
        ui_prompt_open(u, UI_FILTER, v->filter_text);
        return UI_ACT_DRAW;
    case CMD_SEARCH:
        ui_prompt_open(u, UI_SEARCH, "");
        u->search_origin = v->sel;
        u->search_active = false;
        return UI_ACT_DRAW;
    case CMD_SEARCH_NEXT:
    case CMD_SEARCH_PREV:
        if (!view_search(v, v->search, cmd == CMD_SEARCH_NEXT ? 1 : -1, true, now_ms))
            ui_msg(u, now_ms, true, "no match for \"%s\"", v->search);
        return UI_ACT_DRAW;
    case CMD_DNS:
        return ui_toggle(u, &v->dns, "reverse DNS", now_ms);
    case CMD_PORT_NAMES:
        return ui_toggle(u, &v->port_names, "port names", now_ms);
    case CMD_BITS:
        v->bits = !v->bits;
        ui_msg(u, now_ms, false, "rates in %s per second", v->bits ? "bits" : "bytes");
        return UI_ACT_DRAW;
    case CMD_BARS:
        return ui_toggle(u, &v->bars, "bars", now_ms);
    case CMD_WINDOW: {
        static const char *const names[VIEW_W_MAX] = {"2 s", "10 s", "40 s", "total"};
        view_cycle_window(v);
        ui_msg(u, now_ms, false, "window: %s", names[v->window]);
        return UI_ACT_REFRESH;
    }
    case CMD_TOTALS:
        v->totals = !v->totals;
        if (!view_has_column(v, v->sort_col))
            view_sort_by(v, COL_RATE2);
        ui_msg(u, now_ms, false, "cumulative totals %s", v->totals ? "on" : "off");
        return UI_ACT_REFRESH;
    case CMD_FREEZE:
        return ui_toggle(u, &v->frozen, "row order frozen:", now_ms);
    case CMD_PAUSE:
        u->paused = !u->paused;
        return UI_ACT_REFRESH;
    case CMD_REFRESH_NOW:
        return UI_ACT_REFRESH;
    case CMD_REDRAW:
        return UI_ACT_REDRAW;
    case CMD_HELP:
        u->mode = UI_HELP;
        u->help_back = UI_NORMAL;
        u->help_top = 0;
        return UI_ACT_DRAW;
    case CMD_REWIND_BACK:
    case CMD_REWIND_FWD:
    case CMD_LIVE:
        /* the app reads the store at the refresh this asks for */
        u->rewind_req = cmd == CMD_REWIND_BACK ? -1 : cmd == CMD_REWIND_FWD ? 1 : UI_REWIND_LIVE;
        return UI_ACT_REFRESH;
    case CMD_TRENDS:
        u->mode = UI_TRENDS;
        u->trends.dirty = !u->trends.off; /* the data may be old: read it again */
        trends_set_filter(&u->trends, v->filter_text);
        return UI_ACT_REFRESH;
    case CMD_ALERTS:
        u->mode = UI_ALERTS;
        return UI_ACT_REFRESH;
    case CMD_QUIT:
        return UI_ACT_QUIT;
    default:
        return UI_ACT_NONE;
    }
}

bool ui_alert_drill(struct ui *u, uint64_t now_ms)
{
    const struct alerts_row *row = alerts_view_selected(&u->alerts);
    if (!row)
        return false;
    char text[256];
    alerts_view_filter_text(&row->a, text, sizeof text);
    struct filter *f = NULL;
    char err[FILTER_ERR_LEN];
    if (filter_compile(text, &f, err, sizeof err, NULL) != 0) {
        ui_msg(u, now_ms, true, "%s", err);
        return false;
    }
    struct view *v = &u->view;
    while (view_back(v))
        ;
    view_set_filter(v, f, text);
    view_set_kind(v, VIEW_FLOWS);
    if (u->rewind.on)
        u->rewind_req = UI_REWIND_LIVE; /* an alert is about now */
    u->search_active = false;
    u->mode = UI_NORMAL;
    ui_msg(u, now_ms, false, "flows of alert %u: filter %.100s (f to change)", row->a.id, text);
    return true;
}

enum ui_action ui_key(struct ui *u, int key, uint64_t now_ms)
{
    if (key == UIK_RESIZE)
        return UI_ACT_REDRAW;
    switch (u->mode) {
    case UI_FILTER:
        return ui_key_filter(u, key, now_ms);
    case UI_SEARCH:
        return ui_key_search(u, key, now_ms);
    case UI_SORTMENU:
        return ui_key_menu(u, key);
    case UI_HELP:
        return ui_key_help(u, key);
    case UI_TRENDS:
        return ui_key_trends(u, key, now_ms);
    case UI_ALERTS:
        return ui_key_alerts(u, key, now_ms);
    default:
        return ui_key_normal(u, key, now_ms);
    }
}
