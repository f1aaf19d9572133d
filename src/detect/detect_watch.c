/*
 * detect_watch.c - traffic to unfamiliar destinations, and sudden talkers.
 *
 * Unfamiliar: during the learning window every address seen (as source or destination) goes
 * into a blocked Bloom filter (1 MiB, three bits in one 64-byte block, so a lookup costs one
 * cache line). After it, a record to an address the filter does not hold opens a
 * (source, destination) entry that adds up packets and bytes; reaching either threshold
 * raises the alert, with everything since the first contact in it. The filter stops learning
 * when the window ends: what is new afterwards stays new. False "familiar" answers only hide
 * an alert; at the filter's size that needs hundreds of thousands of learned addresses.
 *
 * Talker: one entry per source holds its bytes of the last ten seconds (a ring of one-second
 * buckets; an exported flow adds the bytes of its last 10 s, det_recent) and a baseline, the
 * mean of the seconds that left the ring (an exponential average over 40 s once it has that
 * many). A source seen for 40 s whose 10-second rate reaches `talker_bps` and
 * `talker_factor` times the baseline raises the alert; the baseline is frozen while it lasts.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/hash.h"
#include "flowdrill/xalloc.h"

#include "detect_priv.h"

#define BLOOM_BLOCKS 16384 /* of 512 bits: 1 MiB */
#define TALK_RING 10
#define TALK_AGE_S 40
#define TALK_MEAN_N 40

struct pair_key {
    struct flow_addr src, dst;
};

struct unf_entry {
    struct det_head h;
    struct pair_key k;
    uint64_t packets, bytes;
    int64_t first_us;
};

struct talk_entry {
    struct det_head h;
    struct flow_addr src;
    uint32_t first_sec, ring_sec;
    uint64_t ring[TALK_RING];
    uint64_t win;   /* sum of the ring */
    double base;    /* bytes a second, before the ring */
    uint32_t folded, pad;
};

struct det_watch {
    uint64_t *bloom; /* BLOOM_BLOCKS * 8 words */
    struct det_table unf, talk;
    bool do_unf, do_talk;
};

struct det_watch *det_watch_new(struct detect *d)
{
    struct det_watch *w = xcalloc(1, sizeof *w);
    w->do_unf = d->cfg.enabled[DETECT_UNFAMILIAR];
    w->do_talk = d->cfg.enabled[DETECT_TALKER];
    if (w->do_unf) {
        w->bloom = xalloc_table((size_t)BLOOM_BLOCKS * 64, 1);
        det_table_init(&w->unf, d->cfg.slots, sizeof(struct unf_entry),
                       offsetof(struct unf_entry, k), sizeof(struct pair_key), 300);
    }
    if (w->do_talk)
        det_table_init(&w->talk, d->cfg.slots, sizeof(struct talk_entry),
                       offsetof(struct talk_entry, src), sizeof(struct flow_addr), 120);
    return w;
}

void det_watch_free(struct det_watch *w)
{
    free(w->bloom);
    det_table_free(&w->unf);
    det_table_free(&w->talk);
    free(w);
}

size_t det_watch_bytes(const struct det_watch *w)
{
    size_t n = sizeof *w;
    if (w->do_unf)
        n += (size_t)BLOOM_BLOCKS * 64 + det_table_bytes(&w->unf);
    if (w->do_talk)
        n += det_table_bytes(&w->talk);
    return n;
}

void det_watch_evicted(const struct det_watch *w, uint64_t *unfamiliar, uint64_t *talker)
{
    *unfamiliar = w->unf.evicted;
    *talker = w->talk.evicted;
}

bool det_watch_learning(const struct detect *d, uint32_t *left_s)
{
    uint32_t end = d->first_sec + d->cfg.learn_s;
    if (!d->first_sec) {
        *left_s = d->cfg.learn_s;
        return d->cfg.learn_s > 0;
    }
    if (d->now >= end) {
        *left_s = 0;
        return false;
    }
    *left_s = end - d->now;
    return true;
}

/* ---- the Bloom filter ---- */

static uint64_t *bloom_block(const struct det_watch *w, uint64_t h)
{
    return w->bloom + (size_t)(h & (BLOOM_BLOCKS - 1)) * 8;
}

static void bloom_add(struct det_watch *w, uint64_t h)
{
    uint64_t *b = bloom_block(w, h);
    for (int i = 0; i < 3; i++) {
        unsigned bit = (unsigned)(h >> (14 + 9 * i)) & 511;
        b[bit / 64] |= 1ull << (bit % 64);
    }
}

static bool bloom_has(const struct det_watch *w, uint64_t h)
{
    const uint64_t *b = bloom_block(w, h);
    for (int i = 0; i < 3; i++) {
        unsigned bit = (unsigned)(h >> (14 + 9 * i)) & 511;
        if (!(b[bit / 64] & (1ull << (bit % 64))))
            return false;
    }
    return true;
}

static uint64_t addr_hash(const struct detect *d, const struct flow_addr *a)
{
    return hash_bytes(a->b, 16, d->seed ^ 0x85ebca6bu);
}

static void unfamiliar_add(struct detect *d, struct det_watch *w, const struct flow_rec *r)
{
    uint32_t left;
    if (det_watch_learning(d, &left)) {
        bloom_add(w, addr_hash(d, &r->src));
        bloom_add(w, addr_hash(d, &r->dst));
        return;
    }
    if (bloom_has(w, addr_hash(d, &r->dst)))
        return;
    struct pair_key k = {r->src, r->dst};
    uint64_t h = hash_bytes(&k, sizeof k, d->seed ^ 0xc2b2ae35u);
    h = h ? h : 1;
    bool fresh;
    struct unf_entry *e = det_table_get(&w->unf, h, &k, d->now, &fresh);
    e->h.last_sec = d->now;
    struct detect_alert *a = det_entry_alert(d, &e->h);
    if (a) {
        det_alert_feed(a, r);
        if (a->packets > a->peak)
            a->peak = a->packets;
        return;
    }
    int64_t first = r->first_us > 0 ? r->first_us : r->last_us;
    if (fresh || first < e->first_us)
        e->first_us = first;
    e->packets += r->packets;
    e->bytes += r->bytes;
    e->h.weight = e->packets > UINT32_MAX ? UINT32_MAX : (uint32_t)e->packets;
    if (e->packets < d->cfg.unfamiliar_packets && e->bytes < d->cfg.unfamiliar_bytes)
        return;
    struct detect_alert p = {.kind = DETECT_UNFAMILIAR, .src = r->src, .dst = r->dst,
                             .has_src = true, .has_dst = true, .peak = e->packets,
                             .threshold = d->cfg.unfamiliar_packets};
    a = det_entry_raise(d, &e->h, &p);
    if (a && !a->packets) { /* new: everything since the first contact */
        a->packets = e->packets;
        a->bytes = e->bytes;
        a->first_us = e->first_us;
        a->last_us = r->last_us;
    } else if (a) {
        det_alert_feed(a, r);
    }
}

/* ---- sudden talkers ---- */

static void talk_fold(struct talk_entry *e, uint64_t v, bool frozen)
{
    if (frozen)
        return;
    e->folded++;
    double alpha = 1.0 / (e->folded < TALK_MEAN_N ? e->folded : TALK_MEAN_N);
    e->base += ((double)v - e->base) * alpha;
}

static void talk_rotate(struct talk_entry *e, uint32_t now, bool frozen)
{
    if (now <= e->ring_sec)
        return;
    uint32_t steps = now - e->ring_sec;
    for (uint32_t j = 1; j <= steps && j <= TALK_RING; j++) {
        uint64_t *b = &e->ring[(e->ring_sec + j) % TALK_RING];
        talk_fold(e, *b, frozen);
        e->win -= *b;
        *b = 0;
    }
    if (steps > TALK_RING && !frozen) { /* quiet seconds beyond the ring */
        uint32_t quiet = steps - TALK_RING;
        for (uint32_t j = 0; j < quiet && e->folded < TALK_MEAN_N; j++)
            talk_fold(e, 0, false);
        if (quiet > TALK_MEAN_N)
            e->base *= pow(1.0 - 1.0 / TALK_MEAN_N, (double)(quiet > 4000 ? 4000 : quiet));
    }
    e->ring_sec = now;
}

static void talker_add(struct detect *d, struct det_watch *w, const struct flow_rec *r)
{
    uint64_t h = hash_bytes(r->src.b, 16, d->seed ^ 0x27d4eb2fu);
    h = h ? h : 1;
    bool fresh;
    struct talk_entry *e = det_table_get(&w->talk, h, &r->src, d->now, &fresh);
    if (fresh)
        e->first_sec = e->ring_sec = d->now;
    e->h.last_sec = d->now;
    struct detect_alert *a = det_entry_alert(d, &e->h);
    talk_rotate(e, d->now, a != NULL);
    uint64_t add = det_recent(r->bytes, r, TALK_RING);
    e->ring[d->now % TALK_RING] += add;
    e->win += add;
    e->h.weight = e->win >> 10 > UINT32_MAX ? UINT32_MAX : (uint32_t)(e->win >> 10);
    uint64_t bps = e->win * 8 / TALK_RING;
    if (!a) {
        if (d->now - e->first_sec < TALK_AGE_S || bps < d->cfg.talker_bps ||
            (double)e->win / TALK_RING < (double)d->cfg.talker_factor * e->base)
            return;
        struct detect_alert p = {.kind = DETECT_TALKER, .src = r->src, .has_src = true,
                                 .peak = bps, .threshold = d->cfg.talker_bps};
        a = det_entry_raise(d, &e->h, &p);
        if (!a)
            return;
    }
    if (bps > a->peak)
        a->peak = bps;
    det_alert_feed(a, r);
}

void det_watch_add(struct detect *d, struct det_watch *w, const struct flow_rec *r)
{
    if (w->do_unf)
        unfamiliar_add(d, w, r);
    if (w->do_talk)
        talker_add(d, w, r);
}
