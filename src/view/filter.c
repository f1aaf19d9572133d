/*
 * filter.c - the UI's conversation filter (see filter.h): running a compiled program, turning
 * the parse tree into one, and the error messages every stage of compilation writes.
 *
 * The compiler is split by stage, all bounded: filter_lex.c splits the text into tokens,
 * filter_parse.c builds a tree of at most FILTER_MAX_NODES nodes with recursion capped by
 * FILTER_MAX_DEPTH, filter_value.c reads addresses, networks, ports and protocols. Here the
 * tree becomes pcap's kind of branch program, where and/or/not vanish into jump targets. The
 * program is written from its end backwards, so every jump goes forward and execution starts
 * at instruction 0.
 */
#include "config.h"

#include "flowdrill/filter.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"
#include "filter_priv.h"

/* ================================ the program ================================ */

static bool filter_addr_in(const struct filter_insn *in, const struct flow_addr *x)
{
    uint64_t w[2];
    memcpy(w, x->b, sizeof w);
    return ((w[0] & in->mask[0]) == in->net[0]) & ((w[1] & in->mask[1]) == in->net[1]);
}

static bool filter_port_in(const struct filter_insn *in, uint16_t port)
{
    return (uint16_t)(port - in->lo) <= (uint16_t)(in->hi - in->lo);
}

static bool filter_sides(unsigned dir, bool a, bool b)
{
    switch (dir) {
    case FILTER_DIR_SRC:
        return a;
    case FILTER_DIR_DST:
        return b;
    case FILTER_DIR_BOTH:
        return a && b;
    default:
        return a || b;
    }
}

static bool filter_test(const struct filter_insn *in, const struct flow_key *k)
{
    switch (in->op) {
    case FILTER_OP_ADDR:
        return k->af == in->af &&
               filter_sides(in->dir, filter_addr_in(in, &k->a), filter_addr_in(in, &k->b));
    case FILTER_OP_PORT:
        if (in->proto ? k->proto != in->proto : !flow_proto_has_ports(k->proto))
            return false;
        return filter_sides(in->dir, filter_port_in(in, k->pa), filter_port_in(in, k->pb));
    case FILTER_OP_PROTO:
        return k->proto == in->proto;
    default:
        return k->af == in->af;
    }
}

bool filter_match(const struct filter *f, const struct flow_key *k)
{
    if (!f)
        return true;
    unsigned pc = 0;
    while (pc < f->n) {
        const struct filter_insn *in = &f->insn[pc];
        pc = filter_test(in, k) ? in->jt : in->jf;
    }
    return pc == FILTER_ACCEPT;
}

/* A test as a Hosts row sees it (see filter_match_host in filter.h). */
static enum filter_tri filter_test_host(const struct filter_insn *in, const void *row)
{
    const struct flow_addr *h = row;
    uint8_t af = flow_addr_is_v4(h) ? FLOW_AF_INET : FLOW_AF_INET6;
    switch (in->op) {
    case FILTER_OP_ADDR:
        return in->af == af && filter_addr_in(in, h) ? FILTER_YES : FILTER_NO;
    case FILTER_OP_AF:
        return in->af == af ? FILTER_YES : FILTER_NO;
    default:
        return FILTER_MAYBE;
    }
}

bool filter_match_host(const struct filter *f, const struct flow_addr *h)
{
    return !f || filter_reachable(f, filter_test_host, h);
}

const char *filter_text(const struct filter *f)
{
    return f ? f->text : "";
}

void filter_free(struct filter *f)
{
    free(f);
}

/* ================================ error messages ================================ */

/* Column of byte `off`: 1-based, counting UTF-8 code points. */
static unsigned filter_col(const char *s, size_t off)
{
    unsigned col = 1;
    for (size_t i = 0; i < off && s[i]; i++)
        col += ((unsigned char)s[i] & 0xc0) != 0x80;
    return col;
}

int filter_fail(struct filter_parser *p, size_t off, const char *hint, const char *fmt, ...)
{
    if (p->failed)
        return -1;
    p->failed = true;
    p->errcol = filter_col(p->text, off);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(p->msg);
    snprintf(p->msg + n, sizeof p->msg - n, " at column %u%s%s%s", p->errcol, hint ? " (" : "",
             hint ? hint : "", hint ? ")" : "");
    for (char *c = p->msg; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            *c = '?';
    return -1;
}

const char *filter_quote_span(const char *s, size_t len, char buf[FILTER_QUOTE_MAX + 4])
{
    size_t n = len > FILTER_QUOTE_MAX ? FILTER_QUOTE_MAX : len;
    for (size_t i = 0; i < n; i++)
        buf[i] = s[i] >= 0x20 && s[i] <= 0x7e ? s[i] : '?';
    strcpy(buf + n, len > n ? "..." : "");
    return buf;
}

const char *filter_quote(const struct filter_parser *p, const struct filter_tok *t,
                         char buf[FILTER_QUOTE_MAX + 4])
{
    if (t->type == TOK_END)
        return strcpy(buf, "end");
    return filter_quote_span(p->text + t->off, t->len, buf);
}

/* ================================ code generation ================================ */

/* Emit node n so that it continues at `yes` when true and `no` when false; returns its entry.
 * Targets are emitted first, at higher indexes, so every jump goes forward. */
static uint16_t filter_gen(struct filter_parser *p, struct filter *f, unsigned n, uint16_t yes,
                           uint16_t no)
{
    const struct filter_node *nd = &p->node[n];
    switch (nd->op) {
    case NODE_AND:
        return filter_gen(p, f, nd->l, filter_gen(p, f, nd->r, yes, no), no);
    case NODE_OR:
        return filter_gen(p, f, nd->l, yes, filter_gen(p, f, nd->r, yes, no));
    case NODE_NOT:
        return filter_gen(p, f, nd->l, no, yes);
    default: {
        struct filter_insn *in = &f->insn[--p->slot];
        *in = p->leaf[nd->l];
        in->jt = yes;
        in->jf = no;
        return (uint16_t)p->slot;
    }
    }
}

/* Copy s without leading and trailing blanks and with each run of blanks made one space. */
static void filter_normalize(const char *s, char *out)
{
    size_t n = 0;
    bool gap = false;
    for (; *s; s++) {
        if (filter_lex_is_blank(*s)) {
            gap = n > 0;
            continue;
        }
        if (gap)
            out[n++] = ' ';
        gap = false;
        out[n++] = *s;
    }
    out[n] = '\0';
}

static struct filter *filter_build(struct filter_parser *p, int root)
{
    size_t len = strlen(p->text);
    struct filter *f = xmalloc(sizeof *f + p->nleaf * sizeof f->insn[0] + len + 1);
    char *text = (char *)&f->insn[p->nleaf];
    f->n = p->nleaf;
    p->slot = p->nleaf;
    filter_gen(p, f, (unsigned)root, FILTER_ACCEPT, FILTER_REJECT);
    filter_normalize(p->text, text);
    f->text = text;
    return f;
}

int filter_compile(const char *text, struct filter **out, char *err, size_t errlen,
                   unsigned *errcol)
{
    struct filter_parser *p = xmalloc(sizeof *p);
    p->text = text ? text : "";
    p->ntok = p->pos = p->nnode = p->nleaf = p->depth = p->open = 0;
    p->last = (struct filter_last){.kw = KW_NONE};
    p->failed = false;
    int root = filter_parse(p);
    *out = root >= 0 ? filter_build(p, root) : NULL;
    if (errcol)
        *errcol = p->failed ? p->errcol : 0;
    if (p->failed && err && errlen)
        snprintf(err, errlen, "%s", p->msg);
    bool failed = p->failed;
    free(p);
    return failed ? -EINVAL : 0;
}
