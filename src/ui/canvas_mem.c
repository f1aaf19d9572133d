/*
 * canvas_mem.c - a canvas in memory (see canvas.h), plus the helpers every canvas shares.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/canvas.h"
#include "flowdrill/xalloc.h"

/* ---- shared helpers ---- */

static size_t cv_seqlen(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0)
        return 2;
    if ((c & 0xf0) == 0xe0)
        return 3;
    if ((c & 0xf8) == 0xf0)
        return 4;
    return 1;
}

size_t canvas_width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
        size_t l = cv_seqlen(*p);
        for (size_t i = 0; i < l && *p; i++)
            p++;
    }
    return n;
}

int canvas_field(struct canvas *c, int y, int x, int w, const char *s, bool right,
                 enum canvas_attr a)
{
    if (w <= 0)
        return 0;
    char buf[1024];
    size_t cols = canvas_width(s);
    size_t o = 0;
    if (cols > (size_t)w) {
        /* cut at w - 1 columns and mark it */
        const unsigned char *p = (const unsigned char *)s;
        for (int k = 0; k < w - 1 && *p; k++) {
            size_t l = cv_seqlen(*p);
            for (size_t i = 0; i < l && *p && o < sizeof buf - 2; i++)
                buf[o++] = (char)*p++;
        }
        buf[o++] = '~';
        buf[o] = '\0';
    } else {
        size_t pad = (size_t)w - cols;
        if (right)
            for (; pad && o < sizeof buf - 1; pad--)
                buf[o++] = ' ';
        size_t l = strlen(s);
        if (o + l >= sizeof buf)
            l = sizeof buf - 1 - o;
        memcpy(buf + o, s, l);
        o += l;
        for (; pad && o < sizeof buf - 1; pad--)
            buf[o++] = ' ';
        buf[o] = '\0';
    }
    c->ops->put(c, y, x, buf, a);
    return w;
}

/* ---- memory canvas ---- */

struct cm_cell {
    char ch[5];
    unsigned char attr;
};

struct cm {
    struct cm_cell *cells;
    char *line;
};

#define CM(c) ((struct cm *)(c)->impl)

static void cm_put(struct canvas *c, int y, int x, const char *s, enum canvas_attr a)
{
    if (y < 0 || y >= c->h)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && x < c->w) {
        size_t l = cv_seqlen(*p);
        if (x >= 0) {
            struct cm_cell *cell = &CM(c)->cells[y * c->w + x];
            size_t i;
            for (i = 0; i < l && p[i]; i++)
                cell->ch[i] = (char)p[i];
            cell->ch[i] = '\0';
            cell->attr = (unsigned char)a;
        }
        for (size_t i = 0; i < l && *p; i++)
            p++;
        x++;
    }
}

static void cm_attr(struct canvas *c, int y, int x, int n, enum canvas_attr a)
{
    if (y < 0 || y >= c->h)
        return;
    for (int i = x < 0 ? 0 : x; i < x + n && i < c->w; i++)
        CM(c)->cells[y * c->w + i].attr = (unsigned char)a;
}

static void cm_clear(struct canvas *c)
{
    for (int i = 0; i < c->w * c->h; i++) {
        CM(c)->cells[i].ch[0] = ' ';
        CM(c)->cells[i].ch[1] = '\0';
        CM(c)->cells[i].attr = CA_NORMAL;
    }
}

static const struct canvas_ops cm_ops = {cm_put, cm_attr, cm_clear};

struct canvas *canvas_mem_new(int w, int h, bool utf8)
{
    struct canvas *c = xcalloc(1, sizeof *c);
    c->ops = &cm_ops;
    c->utf8 = utf8;
    c->color = false;
    c->impl = xcalloc(1, sizeof(struct cm));
    canvas_mem_resize(c, w, h);
    return c;
}

void canvas_mem_resize(struct canvas *c, int w, int h)
{
    free(CM(c)->cells);
    free(CM(c)->line);
    c->w = w > 0 ? w : 1;
    c->h = h > 0 ? h : 1;
    CM(c)->cells = xcalloc((size_t)c->w * (size_t)c->h, sizeof(struct cm_cell));
    CM(c)->line = xmalloc((size_t)c->w * 4 + 1);
    cm_clear(c);
}

void canvas_mem_free(struct canvas *c)
{
    if (!c)
        return;
    free(CM(c)->cells);
    free(CM(c)->line);
    free(c->impl);
    free(c);
}

const char *canvas_mem_row(struct canvas *c, int y)
{
    char *o = CM(c)->line;
    if (y >= 0 && y < c->h)
        for (int x = 0; x < c->w; x++) {
            const char *ch = CM(c)->cells[y * c->w + x].ch;
            size_t l = strlen(ch);
            memcpy(o, ch, l);
            o += l;
        }
    *o = '\0';
    return CM(c)->line;
}

enum canvas_attr canvas_mem_attr(const struct canvas *c, int y, int x)
{
    if (y < 0 || y >= c->h || x < 0 || x >= c->w)
        return CA_NORMAL;
    return (enum canvas_attr)CM(c)->cells[y * c->w + x].attr;
}

int canvas_mem_find(struct canvas *c, const char *needle)
{
    for (int y = 0; y < c->h; y++)
        if (strstr(canvas_mem_row(c, y), needle))
            return y;
    return -1;
}
