/*
 * tui.c - curses glue (see tui.h): terminal set-up and tear-down, the curses canvas, keys
 * and resizes from the loop.
 */
#include "config.h"

#include "flowdrill/tui.h"

#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>

#include "tty_restore.h"
#include "flowdrill/ui.h"
#include "flowdrill/xalloc.h"

struct tui {
    struct canvas canvas;
    struct tui_config cfg;
    uv_poll_t poll;
    uv_signal_t winch;
    SCREEN *screen;
    bool open;
    bool handles;
    attr_t attrs[CA_MAX];
    short pairs[CA_MAX];
    short bar_pair[CA_MAX + 1]; /* by the pair's role: the same foreground on the bar colour */
    short role_of_pair[CA_MAX + 2];
    bool color;
};

int tui_usable(char *err, size_t len)
{
    const char *term = getenv("TERM");
    if (!isatty(STDOUT_FILENO)) {
        snprintf(err, len, "the interactive screen needs a terminal, and standard output is not "
                           "one; use --batch for text reports or --json for JSON Lines");
        return -1;
    }
    if (!isatty(STDIN_FILENO)) {
        snprintf(err, len, "the interactive screen reads keys from a terminal, and standard "
                           "input is not one; use --batch or --json");
        return -1;
    }
    if (!term || !*term || strcmp(term, "dumb") == 0) {
        snprintf(err, len, "TERM is %s: this terminal cannot show the screen; set TERM (for "
                           "example TERM=xterm) or use --batch / --json",
                 term && *term ? "dumb" : "not set");
        return -1;
    }
    return 0;
}

/* ---- the curses canvas ---- */

static void tc_put(struct canvas *c, int y, int x, const char *s, enum canvas_attr a)
{
    struct tui *t = c->impl;
    if (y < 0 || y >= c->h || x >= c->w)
        return;
    int room = c->w - x;
    /* the last cell of the last line would scroll some terminals: leave it */
    if (y == c->h - 1)
        room--;
    if (room <= 0)
        return;
    attr_set(t->attrs[a], t->pairs[a], NULL);
    /* count code points so a UTF-8 glyph is one cell */
    const char *p = s;
    int cols = 0;
    while (*p && cols < room) {
        unsigned char ch = (unsigned char)*p;
        size_t l = ch < 0x80 ? 1 : (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3 : 4;
        while (l && *p) {
            p++;
            l--;
        }
        cols++;
    }
    mvaddnstr(y, x, s, (int)(p - s));
    attr_set(A_NORMAL, 0, NULL);
}

static void tc_attr(struct canvas *c, int y, int x, int n, enum canvas_attr a)
{
    struct tui *t = c->impl;
    if (y < 0 || y >= c->h || x >= c->w)
        return;
    if (x < 0) {
        n += x;
        x = 0;
    }
    if (x + n > c->w)
        n = c->w - x;
    if (y == c->h - 1 && x + n == c->w)
        n--;
    if (n <= 0)
        return;
    if (a != CA_BAR || !t->color) {
        mvchgat(y, x, n, t->attrs[a], t->pairs[a], NULL);
        return;
    }
    /* a bar changes the background only: each cell keeps its own foreground colour */
    for (int i = 0; i < n; i++) {
        cchar_t cc;
        wchar_t wc[CCHARW_MAX + 1];
        attr_t at;
        short pair = 0;
        if (mvin_wch(y, x + i, &cc) == OK)
            getcchar(&cc, wc, &at, &pair, NULL);
        short role = pair >= 0 && pair <= CA_MAX + 1 ? t->role_of_pair[pair] : CA_NORMAL;
        mvchgat(y, x + i, 1, at & ~A_COLOR, t->bar_pair[role], NULL);
    }
}

static void tc_clear(struct canvas *c)
{
    (void)c;
    erase();
}

static const struct canvas_ops tc_ops = {tc_put, tc_attr, tc_clear};

static void tui_styles(struct tui *t, bool color)
{
    /* monochrome: roles map to attributes */
    static const attr_t mono[CA_MAX] = {
        [CA_TITLE] = A_REVERSE,  [CA_LABEL] = A_NORMAL,           [CA_VALUE] = A_BOLD,
        [CA_ALERT] = A_BOLD,     [CA_COLHEAD] = A_REVERSE,        [CA_SORTED] = A_REVERSE | A_BOLD,
        [CA_SELECTED] = A_REVERSE | A_BOLD, [CA_BAR] = A_UNDERLINE, [CA_SPARK] = A_NORMAL,
        [CA_DIM] = A_DIM,        [CA_KEY] = A_REVERSE,            [CA_FOOTER] = A_NORMAL,
        [CA_PAUSED] = A_REVERSE | A_BLINK, [CA_PROMPT] = A_BOLD,  [CA_LOCAL] = A_NORMAL,
    };
    for (int i = 0; i < CA_MAX; i++) {
        t->attrs[i] = mono[i];
        t->pairs[i] = 0;
    }
    if (!color)
        return;
    start_color();
    use_default_colors();
    struct {
        enum canvas_attr a;
        short fg, bg;
        attr_t at;
    } map[] = {
        {CA_TITLE, COLOR_BLACK, COLOR_CYAN, A_NORMAL},
        {CA_LABEL, COLOR_CYAN, -1, A_NORMAL},
        {CA_VALUE, -1, -1, A_BOLD},
        {CA_ALERT, COLOR_RED, -1, A_BOLD},
        {CA_COLHEAD, COLOR_BLACK, COLOR_GREEN, A_NORMAL},
        {CA_SORTED, COLOR_BLACK, COLOR_CYAN, A_BOLD},
        {CA_SELECTED, COLOR_BLACK, COLOR_CYAN, A_NORMAL},
        {CA_BAR, -1, COLOR_BLUE, A_NORMAL},
        {CA_SPARK, COLOR_GREEN, -1, A_NORMAL},
        {CA_DIM, COLOR_BLUE, -1, A_BOLD},
        {CA_KEY, -1, -1, A_BOLD},
        {CA_FOOTER, COLOR_BLACK, COLOR_CYAN, A_NORMAL},
        {CA_PAUSED, COLOR_WHITE, COLOR_RED, A_BOLD},
        {CA_PROMPT, COLOR_BLACK, COLOR_YELLOW, A_NORMAL},
        {CA_LOCAL, COLOR_GREEN, -1, A_NORMAL},
    };
    short next = 1;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        short pair = next++;
        init_pair(pair, map[i].fg, map[i].bg);
        t->pairs[map[i].a] = pair;
        t->attrs[map[i].a] = map[i].at;
        t->role_of_pair[pair] = (short)map[i].a;
    }
    /* bar variants of the roles a table row uses: their foreground on the bar's blue */
    short bar_bg = COLOR_BLUE;
    t->bar_pair[CA_NORMAL] = t->pairs[CA_BAR];
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        enum canvas_attr r = map[i].a;
        if (r == CA_BAR || map[i].bg != -1) {
            t->bar_pair[r] = t->pairs[CA_BAR];
            continue;
        }
        short pair = next++;
        init_pair(pair, map[i].fg, bar_bg);
        t->bar_pair[r] = pair;
    }
    t->color = true;
}

static bool tui_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    const char *term = getenv("TERM");
    if (!cs || strcmp(cs, "UTF-8") != 0)
        return false;
    /* real VT100-class terminals have no such glyphs whatever the locale says */
    return !(term && (strncmp(term, "vt1", 3) == 0 || strncmp(term, "vt2", 3) == 0));
}

/* ---- keys ---- */

static int tui_translate(int ch)
{
    switch (ch) {
    case KEY_UP:
        return UIK_UP;
    case KEY_DOWN:
        return UIK_DOWN;
    case KEY_LEFT:
        return UIK_LEFT;
    case KEY_RIGHT:
        return UIK_RIGHT;
    case KEY_PPAGE:
        return UIK_PGUP;
    case KEY_NPAGE:
        return UIK_PGDN;
    case KEY_HOME:
    case KEY_FIND:
        return UIK_HOME;
    case KEY_END:
    case KEY_SELECT:
        return UIK_END;
    case KEY_ENTER:
    case '\n':
    case '\r':
        return UIK_ENTER;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        return UIK_BACKSPACE;
    case '\t':
        return UIK_TAB;
    case KEY_BTAB:
        return UIK_BTAB;
    case KEY_DC:
        return UIK_DELETE;
    case KEY_RESIZE:
        return UIK_RESIZE;
    default:
        if (ch >= KEY_F(1) && ch <= KEY_F(10))
            return UIK_F1 + (ch - KEY_F(1));
        return ch;
    }
}

/* Follow the terminal's size (resizeterm only when it changed: it queues a KEY_RESIZE). */
static void tui_size(struct tui *t)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col &&
        (ws.ws_row != LINES || ws.ws_col != COLS))
        resizeterm(ws.ws_row, ws.ws_col);
    t->canvas.w = COLS;
    t->canvas.h = LINES;
}

static void tui_on_input(uv_poll_t *h, int status, int events)
{
    struct tui *t = h->data;
    (void)events;
    if (status < 0 || !t->open)
        return;
    int ch;
    while (t->open && (ch = getch()) != ERR) {
        int k = tui_translate(ch);
        if (k == UIK_RESIZE) {
            /* curses has resized already */
            t->canvas.w = COLS;
            t->canvas.h = LINES;
        }
        t->cfg.on_key(t->cfg.arg, k);
    }
}

static void tui_on_winch(uv_signal_t *h, int signum)
{
    struct tui *t = h->data;
    (void)signum;
    if (!t->open)
        return;
    tui_size(t);
    t->cfg.on_key(t->cfg.arg, UIK_RESIZE);
}

int tui_open(struct tui **out, uv_loop_t *loop, const struct tui_config *cfg, char *err,
             size_t len)
{
    *out = NULL;
    if (tui_usable(err, len) != 0)
        return -1;
    setlocale(LC_ALL, "");
    struct tui *t = xcalloc(1, sizeof *t);
    t->cfg = *cfg;
    /* take SIGWINCH before curses does, so a resize wakes the loop */
    uv_signal_init(loop, &t->winch);
    t->winch.data = t;
    uv_signal_start(&t->winch, tui_on_winch, SIGWINCH);
    /* before curses changes the modes: a fatal signal puts these back (tty_restore.h) */
    tty_restore_arm(STDOUT_FILENO);
    t->screen = newterm(NULL, stdout, stdin);
    if (!t->screen) {
        tty_restore_disarm();
        snprintf(err, len, "cannot start the screen on this terminal (TERM=%s); use --batch",
                 getenv("TERM"));
        uv_close((uv_handle_t *)&t->winch, NULL);
        t->handles = true;
        *out = t;
        return -1;
    }
    t->open = true;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    bool color = has_colors() && !cfg->no_color && !getenv("NO_COLOR");
    tui_styles(t, color);
    t->canvas.ops = &tc_ops;
    t->canvas.impl = t;
    t->canvas.utf8 = tui_utf8();
    t->canvas.color = color;
    tui_size(t);
    uv_poll_init(loop, &t->poll, STDIN_FILENO);
    /* libuv made the descriptor non-blocking; on a terminal it is usually the same open file
     * as stdout, and curses must not see EAGAIN when it writes. Keys are read without
     * blocking through curses' own timeout (nodelay), so blocking mode is safe here. */
    int fl = fcntl(STDIN_FILENO, F_GETFL);
    if (fl >= 0)
        fcntl(STDIN_FILENO, F_SETFL, fl & ~O_NONBLOCK);
    t->poll.data = t;
    uv_poll_start(&t->poll, UV_READABLE, tui_on_input);
    t->handles = true;
    *out = t;
    return 0;
}

struct canvas *tui_canvas(struct tui *t)
{
    return &t->canvas;
}

void tui_present(struct tui *t, bool full)
{
    if (!t->open)
        return;
    if (full)
        clearok(curscr, TRUE);
    wnoutrefresh(stdscr);
    doupdate();
}

bool tui_backlogged(const struct tui *t)
{
    int queued = 0;
    (void)t;
    /* bytes written to the terminal and not yet sent on (TIOCOUTQ): more than a few screens
     * means the link is behind */
    return ioctl(STDOUT_FILENO, TIOCOUTQ, &queued) == 0 && queued > 16384;
}

void tui_close(struct tui *t)
{
    if (!t)
        return;
    if (t->open) {
        t->open = false;
        /* terminals without an alternate screen keep the last picture: blank the footer so
         * the shell's next line does not land on it */
        move(LINES - 1, 0);
        clrtoeol();
        refresh();
        endwin();
        tty_restore_disarm();
        uv_poll_stop(&t->poll);
        uv_close((uv_handle_t *)&t->poll, NULL);
        uv_close((uv_handle_t *)&t->winch, NULL);
    }
}

void tui_free(struct tui *t)
{
    if (!t)
        return;
    if (t->open)
        tui_close(t);
    if (t->screen)
        delscreen(t->screen);
    free(t);
}
