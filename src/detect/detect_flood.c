/*
 * detect_flood.c - SYN, UDP and ICMP floods against one destination.
 *
 * One entry per (destination, kind) counts the current second's packets (an exported flow
 * adds the packets of its last second, det_recent) and the distinct sources of the last
 * 10 s (two 256-bit maps, this 10-second epoch and the one before). When a second ends it
 * joins the destination's baseline, an exponential average over about a minute; the
 * baseline is frozen while an alert is active so that a long flood does not become normal.
 * A flood is a second of at least `*_pps` packets, from at least `flood_sources` sources,
 * at least `factor` times the baseline: a busy destination with many clients passes the first
 * two tests every second and is held back by the third only once it has a history. A UDP
 * flood also needs a destination that answers fewer than half as many datagrams as it gets
 * in that second: a busy DNS, QUIC or game server seen from the start of a capture has no
 * history yet, but it answers its clients; a flood's victim does not.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/hash.h"
#include "flowdrill/xalloc.h"

#include "detect_priv.h"

#define SRC_WORDS 4       /* 256 bits */
#define BASE_ALPHA (1.0 / 60)

struct flood_key {
    struct flow_addr dst;
    uint8_t kind; /* enum detect_kind */
    uint8_t pad[7];
};

struct flood_entry {
    struct det_head h;
    struct flood_key k;
    uint32_t cur_sec, src_epoch;
    uint64_t cur;  /* packets in cur_sec */
    uint64_t replies; /* UDP: packets the destination sent in cur_sec (any peer) */
    double base;   /* packets a second, before */
    uint64_t srcs[SRC_WORDS], prev[SRC_WORDS];
};

struct det_flood {
    struct det_table t;
};

struct det_flood *det_flood_new(struct detect *d)
{
    struct det_flood *f = xcalloc(1, sizeof *f);
    det_table_init(&f->t, d->cfg.slots, sizeof(struct flood_entry),
                   offsetof(struct flood_entry, k), sizeof(struct flood_key), 10);
    return f;
}

void det_flood_free(struct det_flood *f)
{
    det_table_free(&f->t);
    free(f);
}

size_t det_flood_bytes(const struct det_flood *f)
{
    return sizeof *f + det_table_bytes(&f->t);
}

uint64_t det_flood_evicted(const struct det_flood *f)
{
    return f->t.evicted;
}

static void flood_roll(struct flood_entry *e, uint32_t now, bool frozen)
{
    if (e->cur_sec && now > e->cur_sec && !frozen) {
        e->base += ((double)e->cur - e->base) * BASE_ALPHA;
        uint32_t gap = now - e->cur_sec - 1;
        if (gap)
            e->base *= gap > 3600 ? 0.0 : pow(1.0 - BASE_ALPHA, (double)gap);
    }
    e->cur = e->replies = 0;
    e->cur_sec = now;
}

void det_flood_prefetch(const struct det_flood *f, const struct det_rec *x)
{
    det_table_prefetch(&f->t, x->hf);
}

/* A UDP datagram from a watched destination: it answers, it is no flood's silent victim. */
static void flood_reply(struct detect *d, struct det_flood *f, const struct det_rec *x)
{
    struct flood_key k = {.dst = x->r->src, .kind = DETECT_UDP_FLOOD};
    struct flood_entry *e = det_table_find(&f->t, det_key_hash(x->hs, 0, 100 + DETECT_UDP_FLOOD),
                                           &k);
    if (!e)
        return;
    if (d->now != e->cur_sec)
        flood_roll(e, d->now, e->h.alert_id != 0);
    e->replies += det_recent(x->r->packets, x->r, 1);
}

void det_flood_add(struct detect *d, struct det_flood *f, const struct det_rec *x)
{
    const struct flow_rec *r = x->r;
    int kind = x->kind;
    if (kind == DETECT_UDP_FLOOD)
        flood_reply(d, f, x);
    struct flood_key k = {.dst = r->dst, .kind = (uint8_t)kind};
    bool fresh;
    struct flood_entry *e = det_table_get(&f->t, x->hf, &k, d->now, &fresh);
    e->h.last_sec = d->now;
    struct detect_alert *a = det_entry_alert(d, &e->h);
    if (d->now != e->cur_sec)
        flood_roll(e, d->now, a != NULL);
    uint32_t ep = d->now / 10;
    if (ep != e->src_epoch) {
        if (ep == e->src_epoch + 1)
            memcpy(e->prev, e->srcs, sizeof e->prev);
        else
            memset(e->prev, 0, sizeof e->prev);
        memset(e->srcs, 0, sizeof e->srcs);
        e->src_epoch = ep;
    }
    det_map_set(e->srcs, SRC_WORDS, x->hs);
    e->cur += det_recent(r->packets, r, 1);
    e->h.weight = e->cur > UINT32_MAX ? UINT32_MAX : (uint32_t)e->cur;

    uint32_t pps = kind == DETECT_SYN_FLOOD   ? d->cfg.syn_pps
                   : kind == DETECT_UDP_FLOOD ? d->cfg.udp_pps
                                              : d->cfg.icmp_pps;
    if (!a && (e->cur < pps || (double)e->cur < (double)d->cfg.factor * e->base ||
               (kind == DETECT_UDP_FLOOD && e->replies * 2 >= e->cur)))
        return;
    uint64_t all[SRC_WORDS];
    for (int i = 0; i < SRC_WORDS; i++)
        all[i] = e->srcs[i] | e->prev[i];
    uint64_t nsrc = det_map_estimate(all, NULL, SRC_WORDS);
    if (!a) {
        if (nsrc < d->cfg.flood_sources)
            return;
        struct detect_alert p = {.kind = (uint8_t)kind, .proto = r->proto, .dst = r->dst,
                                 .has_dst = true, .count = nsrc, .peak = e->cur,
                                 .threshold = pps};
        a = det_entry_raise(d, &e->h, &p);
        if (!a)
            return;
    }
    if (nsrc > a->count)
        a->count = nsrc;
    if (e->cur > a->peak)
        a->peak = e->cur;
    det_alert_feed(a, r);
}
