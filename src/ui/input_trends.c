/*
 * input_trends.c - the keys of the Trends screen (see ui.h, trends.h). Moving, the range
 * (< and > step between 1 h, 24 h, 7 d, 30 d), the table (Tab, Shift-Tab), a row's own chart
 * (Enter) and back (Esc: the chart closes, then the screen). 0 and H close it, 1-8 close it
 * into that view; b, ?, q, Space and ^L do what they do everywhere.
 */
#include "config.h"

#include <stdio.h>

#include "flowdrill/ui.h"

enum ui_action ui_key_trends(struct ui *u, int key, uint64_t now_ms)
{
    struct trends *t = &u->trends;
    long page = t->page ? (long)t->page : 1;
    switch (key) {
    case '<':
    case ',':
        return trends_range_step(t, -1) ? UI_ACT_REFRESH : UI_ACT_NONE;
    case '>':
    case '.':
        return trends_range_step(t, +1) ? UI_ACT_REFRESH : UI_ACT_NONE;
    case UIK_TAB:
    case UIK_BTAB:
        return trends_table_step(t, key == UIK_TAB ? 1 : -1) ? UI_ACT_REFRESH : UI_ACT_NONE;
    default:
        break;
    }
    enum ui_cmd cmd = ui_command_for(key);
    switch (cmd) {
    case CMD_UP:
        return trends_move(t, -1) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_DOWN:
        return trends_move(t, 1) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_PGUP:
        return trends_move(t, -page) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_PGDN:
        return trends_move(t, page) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_HOME:
        return trends_move_to(t, 0) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_END:
        return trends_move_to(t, t->d.n_rows ? t->d.n_rows - 1 : 0) ? UI_ACT_DRAW : UI_ACT_NONE;
    case CMD_DRILL:
        return trends_drill(t) ? UI_ACT_REFRESH : UI_ACT_NONE;
    case CMD_BACK:
        if (trends_back(t))
            return UI_ACT_REFRESH;
        u->mode = UI_NORMAL;
        return UI_ACT_REFRESH;
    case CMD_TRENDS:
        u->mode = UI_NORMAL;
        return UI_ACT_REFRESH;
    case CMD_ALERTS:
        u->mode = UI_ALERTS;
        return UI_ACT_REFRESH;
    case CMD_VIEW1:
    case CMD_VIEW2:
    case CMD_VIEW3:
    case CMD_VIEW4:
    case CMD_VIEW5:
    case CMD_VIEW6:
    case CMD_VIEW7:
    case CMD_VIEW8:
        /* leave the Trends screen into that view (the normal keys decide whether it is
         * available) */
        u->mode = UI_NORMAL;
        ui_key(u, key, now_ms);
        return UI_ACT_REFRESH;
    case CMD_BITS:
        u->view.bits = !u->view.bits;
        return UI_ACT_DRAW;
    case CMD_HELP:
        u->mode = UI_HELP;
        u->help_back = UI_TRENDS;
        u->help_top = 0;
        return UI_ACT_DRAW;
    case CMD_REFRESH_NOW:
        t->dirty = true;
        return UI_ACT_REFRESH;
    case CMD_REDRAW:
        return UI_ACT_REDRAW;
    case CMD_QUIT:
        return UI_ACT_QUIT;
    default:
        return UI_ACT_NONE;
    }
}
