/*
 * filter_value.c - the values of filter primitives (see filter_priv.h): addresses, networks,
 * ports, port ranges and protocols, each read from one token into a test, with a message
 * naming the problem when the token is not one.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "filter_priv.h"

/* Parse `len` decimal digits. Returns 0, -EINVAL when not all digits (or none), -ERANGE when
 * the value exceeds max. */
static int filter_number(const char *s, size_t len, unsigned long max, unsigned long *v)
{
    if (!filter_lex_is_digits(s, len))
        return -EINVAL;
    unsigned long x = 0;
    bool over = false;
    for (size_t i = 0; i < len; i++) {
        x = x * 10 + (unsigned long)(s[i] - '0');
        over |= x > max;
        if (x > max)
            x = max + 1; /* keeps x small while the rest is checked for digits */
    }
    *v = x;
    return over ? -ERANGE : 0;
}

/* Parse the address in the first `len` bytes of token t. */
static int filter_addr(struct filter_parser *p, const struct filter_tok *t, size_t len,
                       struct flow_addr *out)
{
    const char *s = p->text + t->off;
    char buf[64], q[FILTER_QUOTE_MAX + 4];
    if (len < sizeof buf) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (flow_addr_parse(buf, out) == 0)
            return 0;
    }
    if (filter_lex_is_hostname(s, len))
        return filter_fail(p, t->off, "hostnames are not resolved here; give an address",
                           "hostname '%s'", filter_quote_span(s, len, q));
    return filter_fail(p, t->off, NULL, "bad address '%s'", filter_quote(p, t, q));
}

static void filter_set_net(struct filter_insn *in, const struct flow_addr *a, unsigned bits)
{
    uint8_t mask[16];
    for (unsigned i = 0; i < 16; i++) {
        unsigned lo = i * 8;
        mask[i] = bits >= lo + 8 ? 0xff : bits <= lo ? 0 : (uint8_t)(0xff << (8 - (bits - lo)));
    }
    in->op = FILTER_OP_ADDR;
    in->af = flow_addr_is_v4(a) ? FLOW_AF_INET : FLOW_AF_INET6;
    memcpy(in->mask, mask, sizeof in->mask);
    memcpy(in->net, a->b, sizeof in->net);
    in->net[0] &= in->mask[0];
    in->net[1] &= in->mask[1];
}

int filter_value_host(struct filter_parser *p, const struct filter_tok *t, struct filter_insn *in)
{
    char q[FILTER_QUOTE_MAX + 4], hint[FILTER_QUOTE_MAX + 24];
    if (memchr(p->text + t->off, '/', t->len)) {
        snprintf(hint, sizeof hint, "write 'net %s'", filter_quote(p, t, q));
        return filter_fail(p, t->off, hint, "'%s' is a network, not a host", q);
    }
    struct flow_addr a;
    if (filter_addr(p, t, t->len, &a) < 0)
        return -1;
    filter_set_net(in, &a, 128);
    return 0;
}

int filter_value_net(struct filter_parser *p, const struct filter_tok *t, struct filter_insn *in)
{
    const char *s = p->text + t->off;
    const char *slash = memchr(s, '/', t->len);
    size_t alen = slash ? (size_t)(slash - s) : t->len;
    struct flow_addr a;
    if (filter_addr(p, t, alen, &a) < 0)
        return -1;
    bool v4 = flow_addr_is_v4(&a);
    unsigned long bits = v4 ? 32 : 128;
    char q[FILTER_QUOTE_MAX + 4];
    if (slash) {
        size_t off = t->off + alen, plen = t->len - alen - 1;
        int r = filter_number(slash + 1, plen, v4 ? 32 : 128, &bits);
        if (r == -EINVAL)
            return filter_fail(p, off, NULL, "bad prefix length '%s'",
                               filter_quote_span(slash, plen + 1, q));
        if (r == -ERANGE)
            return filter_fail(p, off, NULL, "bad prefix length %s for %s (0-%u)",
                               filter_quote_span(slash, plen + 1, q), v4 ? "IPv4" : "IPv6",
                               v4 ? 32u : 128u);
    }
    filter_set_net(in, &a, (unsigned)bits + (v4 ? 96 : 0));
    if (memcmp(in->net, a.b, sizeof a.b) != 0) {
        char net[FLOW_ADDR_STRLEN], hint[FLOW_ADDR_STRLEN + 32];
        struct flow_addr m;
        memcpy(m.b, in->net, sizeof m.b);
        snprintf(hint, sizeof hint, "the network is %s/%lu", flow_addr_format(&m, net, sizeof net),
                 bits);
        return filter_fail(p, t->off, hint, "host bits set in '%s'", filter_quote(p, t, q));
    }
    return 0;
}

static int filter_port_number(struct filter_parser *p, const char *s, size_t len, size_t off,
                              uint16_t *port)
{
    unsigned long v;
    char q[FILTER_QUOTE_MAX + 4];
    int r = filter_number(s, len, 65535, &v);
    if (r == -ERANGE)
        return filter_fail(p, off, NULL, "port %s out of range (0-65535)",
                           filter_quote_span(s, len, q));
    if (r < 0)
        return filter_fail(p, off, "give a number from 0 to 65535", "bad port '%s'",
                           filter_quote_span(s, len, q));
    *port = (uint16_t)v;
    return 0;
}

int filter_value_port(struct filter_parser *p, const struct filter_tok *t, struct filter_insn *in)
{
    in->op = FILTER_OP_PORT;
    if (filter_port_number(p, p->text + t->off, t->len, t->off, &in->lo) < 0)
        return -1;
    in->hi = in->lo;
    return 0;
}

int filter_value_portrange(struct filter_parser *p, const struct filter_tok *t,
                           struct filter_insn *in)
{
    const char *s = p->text + t->off;
    const char *dash = memchr(s, '-', t->len);
    char q[FILTER_QUOTE_MAX + 4];
    if (!dash)
        return filter_fail(p, t->off, "write it as first-last, e.g. 1024-2047",
                           "bad port range '%s'", filter_quote(p, t, q));
    size_t l1 = (size_t)(dash - s), l2 = t->len - l1 - 1;
    in->op = FILTER_OP_PORT;
    if (filter_port_number(p, s, l1, t->off, &in->lo) < 0 ||
        filter_port_number(p, dash + 1, l2, t->off + l1 + 1, &in->hi) < 0)
        return -1;
    if (in->lo > in->hi) { /* as pcap does */
        uint16_t x = in->lo;
        in->lo = in->hi;
        in->hi = x;
    }
    return 0;
}

int filter_value_proto(struct filter_parser *p, const struct filter_tok *t, struct filter_insn *in)
{
    const char *s = p->text + t->off;
    char q[FILTER_QUOTE_MAX + 4];
    unsigned long v;
    int r = filter_number(s, t->len, 255, &v);
    if (r == -ERANGE)
        return filter_fail(p, t->off, NULL, "protocol %s out of range (0-255)",
                           filter_quote(p, t, q));
    if (r < 0) {
        int n = filter_lex_proto(s, t->len);
        if (n < 0) {
            const char *w = filter_lex_proto_suggest(s, t->len);
            char hint[FILTER_QUOTE_MAX + 24];
            snprintf(hint, sizeof hint, "did you mean '%s'?", w ? w : "");
            return filter_fail(p, t->off, w ? hint : "give a name like tcp or a number 0-255",
                               "unknown protocol '%s'", filter_quote(p, t, q));
        }
        v = (unsigned long)n;
    }
    in->op = FILTER_OP_PROTO;
    in->proto = (uint8_t)v;
    return 0;
}
