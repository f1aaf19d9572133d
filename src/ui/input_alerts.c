/*
 * input_alerts.c - the keys of the Alerts screen (see ui.h, alerts_view.h): moving, sorting
 * (< > r), Enter to the flows behind the selected alert, Esc, 9 or A back to the tables,
 * 1-8 into that view, 0 to Trends; b, ?, q, Space and ^L do what they do everywhere.
 */
#include "config.h"

#include "flowdrill/ui.h"

enum ui_action ui_key_alerts(struct ui *u, int key, uint64_t now_ms)
{
    struct alerts_view *v = &u->alerts;
    long page = v->page ? (long)v->page : 1;
    switch (ui_command_for(key)) {
    case CMD_UP:
        return alerts_view_move(v, -1) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_DOWN:
        return alerts_view_move(v, 1) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_PGUP:
        return alerts_view_move(v, -page) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_PGDN:
        return alerts_view_move(v, page) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_HOME:
        return alerts_view_move_to(v, 0) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_END:
        return alerts_view_move_to(v, v->n ? v->n - 1 : 0) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_SORT_PREV:
    case CMD_SORT_NEXT:
        alerts_view_sort_step(v, ui_command_for(key) == CMD_SORT_NEXT ? 1 : -1);
        return UI_ACT_DRAW;
    case CMD_SORT_REVERSE:
        alerts_view_sort_reverse(v);
        return UI_ACT_DRAW;
    case CMD_DRILL:
        return ui_alert_drill(u, now_ms) ? UI_ACT_REFRESH : UI_ACT_DRAW;
    case CMD_BACK:
    case CMD_ALERTS:
        u->mode = UI_NORMAL;
        return UI_ACT_REFRESH;
    case CMD_VIEW1:
    case CMD_VIEW2:
    case CMD_VIEW3:
    case CMD_VIEW4:
    case CMD_VIEW5:
    case CMD_VIEW6:
    case CMD_VIEW7:
    case CMD_VIEW8:
    case CMD_TRENDS:
        u->mode = UI_NORMAL;
        ui_key(u, key, now_ms);
        return UI_ACT_REFRESH;
    case CMD_BITS:
        u->view.bits = !u->view.bits;
        return UI_ACT_DRAW;
    case CMD_HELP:
        u->mode = UI_HELP;
        u->help_back = UI_ALERTS;
        u->help_top = 0;
        return UI_ACT_DRAW;
    case CMD_PAUSE:
        u->paused = !u->paused;
        return UI_ACT_REFRESH;
    case CMD_REFRESH_NOW:
        return UI_ACT_REFRESH;
    case CMD_REDRAW:
        return UI_ACT_REDRAW;
    case CMD_QUIT:
        return UI_ACT_QUIT;
    default:
        return UI_ACT_NONE;
    }
}
