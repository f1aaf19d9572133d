/*
 * canvas.h - seam 4: what the renderer draws on. A grid of cells, each holding one
 * character (UTF-8, one column wide) and an attribute. Two implementations: curses (the
 * program, canvas_curses.c) and memory (tests, canvas_mem.c), so every screen can be
 * rendered and asserted on without a terminal.
 *
 * Text handed to a canvas is already sanitized: printable ASCII, plus the few UTF-8 glyphs
 * the renderer itself uses (sparklines, bars, box lines) when the canvas says utf8.
 */
#ifndef FLOWDRILL_CANVAS_H
#define FLOWDRILL_CANVAS_H

#include <stdbool.h>
#include <stddef.h>

/* Roles, mapped to colours (or to bold/reverse without colour) by the implementation. */
enum canvas_attr {
    CA_NORMAL = 0,
    CA_TITLE,     /* header line */
    CA_LABEL,     /* "In", "Drops" */
    CA_VALUE,     /* numbers in the header */
    CA_ALERT,     /* non-zero drops, errors */
    CA_COLHEAD,   /* column header line */
    CA_SORTED,    /* the sorted column's header */
    CA_SELECTED,  /* the selected row */
    CA_BAR,       /* the rate bar behind a row */
    CA_SPARK,     /* sparklines */
    CA_DIM,       /* unavailable values, hints */
    CA_KEY,       /* a key name in the footer / help */
    CA_FOOTER,    /* footer text */
    CA_PAUSED,    /* the PAUSED mark */
    CA_PROMPT,    /* the prompt line */
    CA_LOCAL,     /* hosts inside --local */
    CA_MAX
};

struct canvas;

struct canvas_ops {
    /* Draw `s` (UTF-8, one column per code point) at row y, column x; clipped to the width. */
    void (*put)(struct canvas *c, int y, int x, const char *s, enum canvas_attr a);
    /* Give cells [x, x+n) of row y attribute a, keeping their characters. */
    void (*attr)(struct canvas *c, int y, int x, int n, enum canvas_attr a);
    /* Blank the whole canvas. */
    void (*clear)(struct canvas *c);
};

struct canvas {
    const struct canvas_ops *ops;
    int w, h;
    bool utf8;  /* may draw UTF-8 glyphs */
    bool color; /* has colours (else attributes map to bold/reverse/normal) */
    void *impl;
};

/* Columns `s` takes (code points). */
size_t canvas_width(const char *s);

/* Write a fixed-width field: s truncated (with '~' when cut) or padded to w columns,
 * right-aligned when `right`. Returns columns written. */
int canvas_field(struct canvas *c, int y, int x, int w, const char *s, bool right,
                 enum canvas_attr a);

/* ---- the memory canvas (tests, and bytes-per-refresh measurements) ---- */

struct canvas *canvas_mem_new(int w, int h, bool utf8);
void canvas_mem_free(struct canvas *c);
void canvas_mem_resize(struct canvas *c, int w, int h);
/* Row y as a NUL-terminated UTF-8 string (trailing blanks kept); valid until the next draw. */
const char *canvas_mem_row(struct canvas *c, int y);
/* Attribute of cell (y, x). */
enum canvas_attr canvas_mem_attr(const struct canvas *c, int y, int x);
/* Index of the first row containing `needle`, or -1. */
int canvas_mem_find(struct canvas *c, const char *needle);

#endif
