/*
 * tui.h - the terminal: the only place that calls initscr/endwin. Owns the curses canvas,
 * reads keys when stdin is readable (a libuv poll handle, never a busy loop), and re-lays out
 * on SIGWINCH. Keys are translated to ui.h codes and handed to a callback; drawing happens
 * only when the caller renders onto tui_canvas() and calls tui_present().
 */
#ifndef FLOWDRILL_TUI_H
#define FLOWDRILL_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "flowdrill/canvas.h"

struct tui;

struct tui_config {
    bool no_color; /* --no-color (NO_COLOR in the environment is checked here too) */
    void (*on_key)(void *arg, int key);  /* a key (ui.h codes); UIK_RESIZE after a resize */
    void *arg;
};

/* Can the screen run here? 0 when stdin and stdout are terminals and TERM is usable;
 * otherwise -1 and a one-line reason naming --batch/--json in err. */
int tui_usable(char *err, size_t len);

/* Start curses on the terminal. Returns 0, or -1 with a message. */
int tui_open(struct tui **out, uv_loop_t *loop, const struct tui_config *cfg, char *err,
             size_t len);

/* The canvas, sized to the terminal now. */
struct canvas *tui_canvas(struct tui *t);

/* Send what was drawn to the terminal (only the cells that changed); `full` repaints all. */
void tui_present(struct tui *t, bool full);

/* True while the terminal has not taken what was sent (a slow SSH link): the caller skips
 * this refresh's drawing rather than queue more behind it. */
bool tui_backlogged(const struct tui *t);

/* Restore the terminal and close the handles. Safe to call twice. */
void tui_close(struct tui *t);
/* Free after the loop has closed the handles. */
void tui_free(struct tui *t);

#endif
