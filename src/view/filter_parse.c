/*
 * filter_parse.c - the grammar of filter expressions (see filter.h): recursive descent over
 * the tokens into the parse tree, with pcap's qualifiers and shorthand.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "filter_priv.h"

static const struct filter_tok *filter_peek(const struct filter_parser *p, unsigned ahead)
{
    unsigned i = p->pos + ahead;
    return &p->tok[i < p->ntok ? i : p->ntok - 1];
}

static bool filter_span_has(const char *s, size_t len, const char *set)
{
    for (size_t i = 0; i < len; i++)
        if (strchr(set, s[i]))
            return true;
    return false;
}

static int filter_node_add(struct filter_parser *p, unsigned op, int l, int r, size_t off)
{
    if (p->nnode >= FILTER_MAX_NODES) {
        char hint[64];
        snprintf(hint, sizeof hint, "at most %d terms and operators", FILTER_MAX_NODES);
        return filter_fail(p, off, hint, "expression too complex");
    }
    p->node[p->nnode] = (struct filter_node){.op = (uint8_t)op, .l = (uint16_t)l, .r = (uint16_t)r};
    return (int)p->nnode++;
}

static int filter_leaf_add(struct filter_parser *p, const struct filter_insn *in, size_t off)
{
    int n = filter_node_add(p, NODE_LEAF, (int)p->nleaf, 0, off);
    if (n >= 0)
        p->leaf[p->nleaf++] = *in;
    return n;
}

static int filter_parse_or(struct filter_parser *p);

/* The value after keyword `kw` (host, net, port, portrange, proto), or the bare value `kt` of
 * the shorthand; kt is the token the primitive starts at. */
static int filter_parse_value(struct filter_parser *p, unsigned kw, unsigned dir, unsigned proto,
                              const struct filter_tok *kt)
{
    static const char *const what[] = {[KW_HOST] = "an address",
                                       [KW_NET] = "a network",
                                       [KW_PORT] = "a port number",
                                       [KW_PORTRANGE] = "a port range",
                                       [KW_PROTO] = "a protocol name or number"};
    const struct filter_tok *t = filter_peek(p, 0);
    bool ok = t->type == TOK_WORD &&
              (t->kw == KW_NONE || (kw == KW_PROTO && t->kw >= KW_TCP && t->kw <= KW_IP6));
    char q[FILTER_QUOTE_MAX + 4];
    if (!ok)
        return filter_fail(p, t->off, NULL, "expected %s after '%s'", what[kw],
                           filter_quote(p, kt, q));
    p->pos++;
    struct filter_insn in = {.dir = (uint8_t)dir, .proto = (uint8_t)proto};
    int r;
    switch (kw) {
    case KW_HOST:
        r = filter_value_host(p, t, &in);
        break;
    case KW_NET:
        r = filter_value_net(p, t, &in);
        break;
    case KW_PORT:
        r = filter_value_port(p, t, &in);
        break;
    case KW_PORTRANGE:
        r = filter_value_portrange(p, t, &in);
        break;
    default:
        r = filter_value_proto(p, t, &in);
        break;
    }
    if (r < 0)
        return -1;
    p->last = (struct filter_last){.kw = (uint8_t)kw, .dir = (uint8_t)dir, .proto = (uint8_t)proto};
    return filter_leaf_add(p, &in, kt->off);
}

static bool filter_tok_is_addr(const struct filter_parser *p, const struct filter_tok *t)
{
    const char *s = p->text + t->off;
    return t->type == TOK_WORD && t->kw == KW_NONE && filter_span_has(s, t->len, ":.") &&
           !filter_lex_is_name(s, t->len);
}

/* src / dst / src or dst / src and dst, then host, net, port, portrange or an address. `pq` is
 * a protocol qualifier token (tcp src port 80) or NULL; `proto` its number. */
static int filter_parse_dir(struct filter_parser *p, const struct filter_tok *pq, unsigned proto)
{
    const struct filter_tok *d = filter_peek(p, 0), *op = filter_peek(p, 1),
                            *other = filter_peek(p, 2);
    unsigned dir = d->kw == KW_SRC ? FILTER_DIR_SRC : FILTER_DIR_DST;
    p->pos++;
    if ((op->type == TOK_AND || op->type == TOK_OR) && other->type == TOK_WORD &&
        (other->kw == KW_SRC || other->kw == KW_DST) && other->kw != d->kw) {
        dir = op->type == TOK_AND ? FILTER_DIR_BOTH : FILTER_DIR_EITHER;
        p->pos += 2;
        d = other;
    }
    const struct filter_tok *k = filter_peek(p, 0);
    char q[FILTER_QUOTE_MAX + 4];
    if (k->type == TOK_WORD && (k->kw == KW_PORT || k->kw == KW_PORTRANGE)) {
        p->pos++;
        return filter_parse_value(p, k->kw, dir, proto, k);
    }
    if (pq)
        return filter_fail(p, k->off, NULL, "expected 'port' or 'portrange' after '%s'",
                           filter_quote(p, d, q));
    if (k->type == TOK_WORD && (k->kw == KW_HOST || k->kw == KW_NET)) {
        p->pos++;
        return filter_parse_value(p, k->kw, dir, 0, k);
    }
    if (filter_tok_is_addr(p, k)) {
        bool net = memchr(p->text + k->off, '/', k->len) != NULL;
        return filter_parse_value(p, net ? KW_NET : KW_HOST, dir, 0, k);
    }
    return filter_fail(p, k->off, NULL, "expected 'host', 'net', 'port' or 'portrange' after '%s'",
                       filter_quote(p, d, q));
}

/* tcp, udp, icmp, icmp6, sctp: a protocol test, or the qualifier of a port test. */
static int filter_parse_proto_word(struct filter_parser *p)
{
    const struct filter_tok *t = filter_peek(p, 0), *n = filter_peek(p, 1);
    unsigned proto = filter_lex_kw_value(t->kw);
    bool port = n->type == TOK_WORD && (n->kw == KW_PORT || n->kw == KW_PORTRANGE);
    bool dir = n->type == TOK_WORD && (n->kw == KW_SRC || n->kw == KW_DST);
    char q[FILTER_QUOTE_MAX + 4];
    p->pos++;
    if (port && !flow_proto_has_ports((uint8_t)proto))
        return filter_fail(p, n->off, NULL, "'%s' has no ports", filter_quote(p, t, q));
    if (port) {
        p->pos++;
        return filter_parse_value(p, n->kw, FILTER_DIR_EITHER, proto, n);
    }
    if (dir && flow_proto_has_ports((uint8_t)proto))
        return filter_parse_dir(p, t, proto);
    struct filter_insn in = {.op = FILTER_OP_PROTO, .proto = (uint8_t)proto};
    return filter_leaf_add(p, &in, t->off);
}

/* A word that is no keyword where a primitive should start: pcap's shorthand, a bare address,
 * or a mistake. */
static int filter_parse_bare(struct filter_parser *p)
{
    const struct filter_tok *t = filter_peek(p, 0);
    const char *s = p->text + t->off;
    char q[FILTER_QUOTE_MAX + 4], q2[FILTER_QUOTE_MAX + 4], hint[2 * FILTER_QUOTE_MAX + 40];
    if (filter_lex_is_name(s, t->len) &&
        !(p->last.kw == KW_PROTO && filter_lex_proto(s, t->len) >= 0))
        return filter_lex_unknown_word(p, t);
    if (p->last.kw != KW_NONE)
        return filter_parse_value(p, p->last.kw, p->last.dir, p->last.proto, t);
    if (filter_lex_is_digits(s, t->len)) {
        snprintf(hint, sizeof hint, "write 'port %s' or 'proto %s'", filter_quote(p, t, q),
                 filter_quote(p, t, q2));
        return filter_fail(p, t->off, hint, "bare number '%s'", q);
    }
    bool net = memchr(s, '/', t->len) != NULL;
    return filter_parse_value(p, net ? KW_NET : KW_HOST, FILTER_DIR_EITHER, 0, t);
}

static int filter_expected(struct filter_parser *p, const struct filter_tok *t)
{
    char q[FILTER_QUOTE_MAX + 4];
    if (p->pos == 0 && t->type == TOK_RPAREN)
        return filter_fail(p, t->off, "no matching '('", "unbalanced ')'");
    if (p->pos == 0)
        return filter_fail(p, t->off, NULL, "unexpected '%s'", filter_quote(p, t, q));
    return filter_fail(p, t->off, NULL, "expected an expression after '%s'",
                       filter_quote(p, &p->tok[p->pos - 1], q));
}

static int filter_parse_prim(struct filter_parser *p)
{
    const struct filter_tok *t = filter_peek(p, 0);
    if (t->type != TOK_WORD)
        return filter_expected(p, t);
    switch (t->kw) {
    case KW_SRC:
    case KW_DST:
        return filter_parse_dir(p, NULL, 0);
    case KW_HOST:
    case KW_NET:
    case KW_PORT:
    case KW_PORTRANGE:
    case KW_PROTO:
        p->pos++;
        return filter_parse_value(p, t->kw, FILTER_DIR_EITHER, 0, t);
    case KW_IP:
    case KW_IP6: {
        p->pos++;
        struct filter_insn in = {.op = FILTER_OP_AF, .af = (uint8_t)filter_lex_kw_value(t->kw)};
        return filter_leaf_add(p, &in, t->off);
    }
    case KW_NONE:
        return filter_parse_bare(p);
    default:
        return filter_parse_proto_word(p);
    }
}

static int filter_parse_unary(struct filter_parser *p)
{
    const struct filter_tok *t = filter_peek(p, 0);
    if (t->type != TOK_NOT && t->type != TOK_LPAREN)
        return filter_parse_prim(p);
    if (p->depth >= FILTER_MAX_DEPTH) {
        char hint[64];
        snprintf(hint, sizeof hint, "at most %d levels of parentheses and 'not'", FILTER_MAX_DEPTH);
        return filter_fail(p, t->off, hint, "expression nested too deeply");
    }
    p->depth++;
    p->pos++;
    int x;
    if (t->type == TOK_NOT) {
        x = filter_parse_unary(p);
        if (x >= 0)
            x = filter_node_add(p, NODE_NOT, x, 0, t->off);
    } else {
        p->open++;
        x = filter_parse_or(p);
        /* and/or are consumed and juxtaposition is refused, so only ')' or the end is left */
        if (x >= 0 && filter_peek(p, 0)->type != TOK_RPAREN)
            x = filter_fail(p, t->off, "no matching ')'", "unbalanced '('");
        p->pos++;
        p->open--;
    }
    p->depth--;
    return x;
}

static int filter_parse_and(struct filter_parser *p)
{
    int l = filter_parse_unary(p);
    while (l >= 0) {
        const struct filter_tok *t = filter_peek(p, 0);
        char q[FILTER_QUOTE_MAX + 4];
        if (t->type == TOK_WORD || t->type == TOK_LPAREN || t->type == TOK_NOT)
            return filter_fail(p, t->off, NULL, "missing 'and' or 'or' before '%s'",
                               filter_quote(p, t, q));
        if (t->type != TOK_AND)
            break;
        p->pos++;
        int r = filter_parse_unary(p);
        l = r < 0 ? -1 : filter_node_add(p, NODE_AND, l, r, t->off);
    }
    return l;
}

static int filter_parse_or(struct filter_parser *p)
{
    int l = filter_parse_and(p);
    while (l >= 0 && filter_peek(p, 0)->type == TOK_OR) {
        size_t off = filter_peek(p, 0)->off;
        p->pos++;
        int r = filter_parse_and(p);
        l = r < 0 ? -1 : filter_node_add(p, NODE_OR, l, r, off);
    }
    return l;
}

int filter_parse(struct filter_parser *p)
{
    size_t len = strnlen(p->text, FILTER_MAX_LEN + 1);
    if (len > FILTER_MAX_LEN) {
        char hint[64];
        snprintf(hint, sizeof hint, "at most %d bytes", FILTER_MAX_LEN);
        return filter_fail(p, FILTER_MAX_LEN, hint, "expression too long");
    }
    if (filter_lex(p) < 0)
        return -1;
    if (p->ntok == 1)
        return -2; /* only the end: empty */
    int root = filter_parse_or(p);
    if (root < 0)
        return -1;
    const struct filter_tok *t = filter_peek(p, 0);
    if (t->type == TOK_RPAREN)
        return filter_fail(p, t->off, "no matching '('", "unbalanced ')'");
    return root;
}
