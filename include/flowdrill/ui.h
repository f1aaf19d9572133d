/*
 * ui.h - the interactive screen, minus the terminal: key handling (modes, prompts, menus),
 * the header status, and rendering a whole screen onto a canvas. tui.c is the only part that
 * talks to curses and the loop; everything here is driven by tests with a memory canvas and
 * synthetic keys.
 */
#ifndef FLOWDRILL_UI_H
#define FLOWDRILL_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/alerts_view.h"
#include "flowdrill/canvas.h"
#include "flowdrill/rewind.h"
#include "flowdrill/trends.h"
#include "flowdrill/view.h"

/* Keys: printable and control characters as themselves; the rest from here up. */
enum ui_key {
    UIK_NONE = -1,
    UIK_ESC = 27,
    UIK_BASE = 0x110000,
    UIK_UP,
    UIK_DOWN,
    UIK_LEFT,
    UIK_RIGHT,
    UIK_PGUP,
    UIK_PGDN,
    UIK_HOME,
    UIK_END,
    UIK_ENTER,
    UIK_BACKSPACE,
    UIK_TAB,
    UIK_BTAB,
    UIK_DELETE,
    UIK_RESIZE,
    UIK_F1,
    UIK_F2,
    UIK_F3,
    UIK_F4,
    UIK_F5,
    UIK_F6,
    UIK_F7,
    UIK_F8,
    UIK_F9,
    UIK_F10,
};

#define UI_MAX_SOURCES 32

/* What the header shows; the app fills it before each render. */
struct ui_status {
    struct {
        char kind[12];  /* "live", "file", "demo", "listen" */
        char name[64];
        char state[24]; /* "capturing", "done", "error", "listening", ... */
    } src[UI_MAX_SOURCES];
    size_t n_src;
    /* traffic over the current window (bits per second) */
    uint64_t bps_total, bps_in, bps_out;
    uint64_t pps, fps;       /* packets/s, new flows/s */
    uint32_t active_flows;
    uint32_t window_secs;    /* what the rates cover */
    /* drops of every kind */
    uint64_t kernel_drop, socket_drop, malformed, seq_loss, evicted;
    /* flow exports */
    bool exports;
    int64_t data_age_s;      /* how old the freshest exported flow is; < 0 unknown */
    /* reading a file */
    bool reading;
    double progress;         /* 0..1 */
    double read_pps;
    double eta_s;
    bool offline_done;       /* a file was read to its end: rates follow its clock */
};

enum ui_mode { UI_NORMAL = 0, UI_HELP, UI_SORTMENU, UI_FILTER, UI_SEARCH,
               UI_TRENDS, /* the Trends screen (input_trends.c, render_trends.c) */
               UI_ALERTS  /* the Alerts screen (input_alerts.c, render_alerts.c) */ };

/* What the caller should do after a key. */
enum ui_action {
    UI_ACT_NONE = 0,
    UI_ACT_DRAW,    /* render again (the view model changed, rows did not) */
    UI_ACT_REFRESH, /* re-read rows from the tables, then render */
    UI_ACT_REDRAW,  /* Ctrl-L: repaint the whole terminal */
    UI_ACT_QUIT
};

#define UI_PROMPT_MAX 255
#define UI_REWIND_LIVE 2

struct ui {
    struct view view;
    enum ui_mode mode;
    bool paused;
    bool no_color;
    /* prompt line (filter/search) */
    char prompt[UI_PROMPT_MAX + 1];
    size_t prompt_len;
    char prompt_error[160]; /* filter syntax error, shown until the text changes */
    /* search state: n/N repeat the search while it is active */
    bool search_active;
    /* saved selection when a search prompt opens (Esc restores it) */
    size_t search_origin;
    /* sort menu cursor */
    size_t menu_sel;
    /* help scroll, and the mode help returns to */
    int help_top;
    enum ui_mode help_back;
    /* the Trends screen's model; the app reads the store for it when trends.dirty */
    struct trends trends;
    /* the Alerts screen's model; the app copies the detectors' alerts into it each refresh */
    struct alerts_view alerts;
    /* the history rewind ([ ] '): the minute the views show, and a step the app is to take
     * at the next refresh (-1 back, +1 forward, UI_REWIND_LIVE; 0 none) */
    struct rewind rewind;
    int rewind_req;
    /* a one-line message in the footer, until msg_until_ms */
    char msg[160];
    uint64_t msg_until_ms;
    bool msg_alert;
};

void ui_init(struct ui *u, const struct service_db *svc, enum topn_sort initial);
void ui_free(struct ui *u);

/* Handle one key at time now_ms. */
enum ui_action ui_key(struct ui *u, int key, uint64_t now_ms);

/* Keys of the Trends screen (input_trends.c). */
enum ui_action ui_key_trends(struct ui *u, int key, uint64_t now_ms);

/* Keys of the Alerts screen (input_alerts.c). */
enum ui_action ui_key_alerts(struct ui *u, int key, uint64_t now_ms);
/* Show the flows behind the selected alert: the Flows view, live, filtered to it. */
bool ui_alert_drill(struct ui *u, uint64_t now_ms);

/*
 * Fit the views to a w x h screen: the rows a page of the main table and of the Alerts table
 * holds (scrolling and PgUp/PgDn follow it), the help page's scroll kept within its lines.
 * Call it before ui_render whenever the size or the status may have changed (every frame is
 * fine); data flows one way: ui_layout and the input functions change the ui, ui_render only
 * reads it.
 */
void ui_layout(struct ui *u, int w, int h, const struct ui_status *st);
/* Draw the whole screen from the ui and the status. `now_ms` decides which messages show. */
void ui_render(const struct ui *u, struct canvas *c, const struct ui_status *st,
               uint64_t now_ms);

/* Smallest usable terminal. */
#define UI_MIN_W 40
#define UI_MIN_H 10

/* ---- key bindings (keymap.c): one table drives dispatch, the footer and help ---- */

enum ui_cmd {
    CMD_NONE = 0,
    CMD_UP, CMD_DOWN, CMD_PGUP, CMD_PGDN, CMD_HOME, CMD_END,
    CMD_DRILL, CMD_BACK, CMD_NEXT_VIEW, CMD_PREV_VIEW,
    CMD_VIEW1, CMD_VIEW2, CMD_VIEW3, CMD_VIEW4, CMD_VIEW5, CMD_VIEW6, CMD_VIEW7, CMD_VIEW8,
    CMD_SORT_PREV, CMD_SORT_NEXT, CMD_SORT_MENU, CMD_SORT_REVERSE,
    CMD_FILTER, CMD_SEARCH, CMD_SEARCH_NEXT, CMD_SEARCH_PREV,
    CMD_DNS, CMD_PORT_NAMES, CMD_BITS, CMD_BARS, CMD_WINDOW, CMD_TOTALS, CMD_FREEZE,
    CMD_PAUSE, CMD_REFRESH_NOW, CMD_REDRAW, CMD_HELP, CMD_QUIT,
    CMD_TRENDS, CMD_REWIND_BACK, CMD_REWIND_FWD, CMD_LIVE, CMD_ALERTS,
    CMD_MAX
};

struct ui_binding {
    enum ui_cmd cmd;
    int keys[4];         /* UIK_* or characters; 0 ends */
    const char *keys_text; /* as shown in help: "Up k" */
    const char *help;      /* what it does */
    const char *footer;    /* short label for the footer, NULL when not shown there */
};

/* The table, in help order; n set to its length. */
const struct ui_binding *ui_bindings(size_t *n);
/* Command bound to a key in normal mode (CMD_NONE when unbound). */
enum ui_cmd ui_command_for(int key);

#endif
