/*
 * filter_facts.c - the screen's filter applied to a row that knows only part of a
 * conversation (see filter_match_facts in filter.h): a stored host, pair, port or protocol
 * row of the history. The same "could it pass?" walk as filter_match_host, over what the row
 * knows.
 */
#include "config.h"

#include "flowdrill/filter.h"

#include <stdint.h>
#include <string.h>

#include "filter_priv.h"

static bool filter_facts_in(const struct filter_insn *in, const struct flow_addr *x)
{
    uint64_t w[2];
    memcpy(w, x->b, sizeof w);
    return ((w[0] & in->mask[0]) == in->net[0]) & ((w[1] & in->mask[1]) == in->net[1]);
}

static uint8_t filter_facts_af(const struct flow_addr *x)
{
    return flow_addr_is_v4(x) ? FLOW_AF_INET : FLOW_AF_INET6;
}

static enum filter_tri filter_facts_test(const struct filter_insn *in, const void *row)
{
    const struct filter_facts *x = row;
    switch (in->op) {
    case FILTER_OP_ADDR: {
        if (!x->n_addr)
            return FILTER_MAYBE;
        bool a = filter_facts_af(&x->addr[0]) == in->af && filter_facts_in(in, &x->addr[0]);
        bool b = a;
        if (x->n_addr > 1)
            b = filter_facts_af(&x->addr[1]) == in->af && filter_facts_in(in, &x->addr[1]);
        /* a row carries both directions: src and dst each ask whether either end is in it */
        bool yes = in->dir == FILTER_DIR_BOTH ? a && b : a || b;
        return yes ? FILTER_YES : FILTER_NO;
    }
    case FILTER_OP_PORT:
        if (x->proto >= 0 && (in->proto ? x->proto != in->proto
                                        : !flow_proto_has_ports((uint8_t)x->proto)))
            return FILTER_NO;
        if (x->port < 0)
            return FILTER_MAYBE;
        return (uint16_t)((uint16_t)x->port - in->lo) <= (uint16_t)(in->hi - in->lo) ? FILTER_YES
                                                                                    : FILTER_NO;
    case FILTER_OP_PROTO:
        if (x->proto < 0)
            return FILTER_MAYBE;
        return x->proto == in->proto ? FILTER_YES : FILTER_NO;
    default:
        if (!x->n_addr)
            return FILTER_MAYBE;
        return filter_facts_af(&x->addr[0]) == in->af ? FILTER_YES : FILTER_NO;
    }
}

bool filter_match_facts(const struct filter *f, const struct filter_facts *x)
{
    return !f || filter_reachable(f, filter_facts_test, x);
}
