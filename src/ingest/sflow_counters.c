/*
 * sflow_counters.c - the latest generic interface counters of every sFlow agent interface,
 * and the rates derived from consecutive samples (sflow.h).
 *
 * A flat table of at most SFLOW_MAX_IFS entries keyed by (agent address, sub-agent,
 * ifIndex), searched linearly (one search per counter record: agents send them every 20-30 s
 * per interface). Full: the least recently updated entry is replaced (NF_R_SFLOW_IF_LIMIT).
 * Rates: octet deltas over the agent's uptime delta (its own clock, so arrival jitter and
 * reading a capture at any speed give the same figures); over the arrival delta when the
 * uptime did not move. A counter that went backwards (agent restart, 32-bit wrap of a
 * device that does not keep 64-bit counters) gives no rate for that interval.
 */
#include "config.h"

#include "sflow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"
#include "nf_priv.h"

struct sflow_if {
    struct nf_interface_info info;
    uint32_t uptime_ms; /* agent uptime of the latest sample */
};

struct sflow_ifs {
    struct sflow_if e[SFLOW_MAX_IFS];
    size_t n;
};

bool sflow_generic_read(struct wire *r, struct sflow_if_counters *k)
{
    return wire_u32(r, &k->ifindex) && wire_u32(r, &k->iftype) && wire_u64(r, &k->speed) &&
           wire_u32(r, &k->direction) && wire_u32(r, &k->status) &&
           wire_u64(r, &k->in_octets) && wire_u32(r, &k->in_ucast) &&
           wire_u32(r, &k->in_mcast) && wire_u32(r, &k->in_bcast) &&
           wire_u32(r, &k->in_discards) && wire_u32(r, &k->in_errors) &&
           wire_u32(r, &k->in_unknown) && wire_u64(r, &k->out_octets) &&
           wire_u32(r, &k->out_ucast) && wire_u32(r, &k->out_mcast) &&
           wire_u32(r, &k->out_bcast) && wire_u32(r, &k->out_discards) &&
           wire_u32(r, &k->out_errors) && wire_u32(r, &k->promisc);
}

void sflow_ifs_free(struct sflow_ifs *t)
{
    free(t);
}

static struct sflow_if *sflow_ifs_find(struct nf_collector *c, const struct nf_exporter *e,
                                       uint32_t ifindex)
{
    struct sflow_ifs *t = c->sf_ifs;
    size_t oldest = 0;

    for (size_t i = 0; i < t->n; i++) {
        const struct nf_interface_info *x = &t->e[i].info;
        if (x->ifindex == ifindex && x->domain == e->domain &&
            memcmp(x->agent.b, e->addr.b, sizeof x->agent.b) == 0)
            return &t->e[i];
        if (x->last_us < t->e[oldest].info.last_us)
            oldest = i;
    }
    if (t->n == SFLOW_MAX_IFS) {
        nf_count(c, NF_R_SFLOW_IF_LIMIT);
        memset(&t->e[oldest], 0, sizeof t->e[oldest]);
        return &t->e[oldest];
    }
    memset(&t->e[t->n], 0, sizeof t->e[t->n]);
    return &t->e[t->n++];
}

static uint64_t sflow_rate_bps(uint64_t now, uint64_t before, uint64_t dt_us)
{
    uint64_t d = now - before;

    /* bits per second without overflow for any delta a real link can make in dt */
    if (d > UINT64_MAX / 8000000u)
        return UINT64_MAX;
    return d * 8000000u / dt_us;
}

static uint32_t sflow_permille(uint64_t bps, uint64_t speed)
{
    uint64_t p;

    if (speed == 0)
        return 0;
    p = bps / speed * 1000 + bps % speed * 1000 / speed;
    return p > UINT32_MAX ? UINT32_MAX : (uint32_t)p;
}

void sflow_ifs_update(struct nf_collector *c, const struct nf_exporter *e, uint32_t uptime_ms,
                      const struct sflow_if_counters *k)
{
    struct sflow_if *x;
    struct nf_interface_info *o;
    uint64_t in_pkts = (uint64_t)k->in_ucast + k->in_mcast + k->in_bcast;
    uint64_t out_pkts = (uint64_t)k->out_ucast + k->out_mcast + k->out_bcast;

    if (!c->sf_ifs)
        c->sf_ifs = xcalloc(1, sizeof *c->sf_ifs);
    x = sflow_ifs_find(c, e, k->ifindex);
    o = &x->info;
    if (o->samples > 0) {
        uint64_t dt_us = (uint64_t)(uint32_t)(uptime_ms - x->uptime_ms) * 1000;
        if (dt_us == 0 && c->now_us > o->last_us)
            dt_us = (uint64_t)(c->now_us - o->last_us);
        if (dt_us > 0 && k->in_octets >= o->in_octets && k->out_octets >= o->out_octets) {
            o->in_bps = sflow_rate_bps(k->in_octets, o->in_octets, dt_us);
            o->out_bps = sflow_rate_bps(k->out_octets, o->out_octets, dt_us);
        } else if (dt_us > 0) {
            o->in_bps = o->out_bps = 0;
        }
    }
    o->agent = e->addr;
    o->domain = e->domain;
    o->ifindex = k->ifindex;
    o->speed_bps = k->speed;
    o->status = k->status;
    o->in_octets = k->in_octets;
    o->out_octets = k->out_octets;
    o->in_packets = in_pkts;
    o->out_packets = out_pkts;
    o->in_errors = k->in_errors;
    o->out_errors = k->out_errors;
    o->in_discards = k->in_discards;
    o->out_discards = k->out_discards;
    o->in_util_permille = sflow_permille(o->in_bps, o->speed_bps);
    o->out_util_permille = sflow_permille(o->out_bps, o->speed_bps);
    o->samples++;
    o->last_us = c->now_us;
    x->uptime_ms = uptime_ms;
}

/* Part of the collector's public API (nf.h); lives here with the table it reads. */
size_t nf_collector_interfaces(const struct nf_collector *c, struct nf_interface_info *out,
                               size_t max)
{
    const struct sflow_ifs *t = c->sf_ifs;

    if (!t)
        return 0;
    for (size_t i = 0; i < t->n && i < max && out; i++)
        out[i] = t->e[i].info;
    return t->n;
}
