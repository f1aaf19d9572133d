/*
 * recs.h - building flow records by hand for the aggregator and report tests.
 */
#ifndef FLOWDRILL_TESTS_RECS_H
#define FLOWDRILL_TESTS_RECS_H

#include <stdint.h>
#include <string.h>

#include "flowdrill/flow.h"

/* A one-packet record src:sport -> dst:dport at Unix second `sec`. */
static inline struct flow_rec recs_make(const char *src, uint16_t sport, const char *dst,
                                        uint16_t dport, uint8_t proto, uint64_t bytes,
                                        uint32_t sec)
{
    struct flow_rec r;
    memset(&r, 0, sizeof r);
    flow_addr_parse(src, &r.src);
    flow_addr_parse(dst, &r.dst);
    r.af = flow_addr_is_v4(&r.src) ? FLOW_AF_INET : FLOW_AF_INET6;
    r.sport = sport;
    r.dport = dport;
    r.proto = proto;
    r.bytes = bytes;
    r.packets = 1;
    r.first_us = r.last_us = (int64_t)sec * 1000000;
    r.sampling = 1;
    return r;
}

#endif
