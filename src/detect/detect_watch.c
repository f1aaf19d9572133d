/*
 * detect_watch.c - traffic to unfamiliar destinations, and sudden talkers.
 *
 * Unfamiliar: during the learning window every address seen (as source or destination) goes
 * into a blocked Bloom filter (1 MiB, three bits in one 64-bit word, so a lookup costs one
 * memory word). After it, a record to an address the filter does not hold opens a
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
#define TALK_SLOTS 5   /* buckets of two seconds: the last 10 s */
#define TALK_SLOT_S 2
#define TALK_RING (TALK_SLOTS * TALK_SLOT_S)
#define TALK_AGE_S 40
#define TALK_MEAN_N 20 /* buckets in the baseline's average: 40 s */
#define TALK_UNIT 64   /* bytes per unit of a bucket: 32 bits hold 256 GiB */

struct pair_key {
    struct flow_addr src, dst;
};

struct unf_entry {
    struct det_head h;
    struct pair_key k;
    uint64_t packets, bytes;
    int64_t first_us;
};

/* One cache line: the talker table is looked at for every record. */
struct talk_entry {
    struct det_head h;
    struct flow_addr src;
    uint32_t first_sec, ring_slot; /* first second seen; the newest bucket (second / 2) */
    uint32_t ring[TALK_SLOTS];     /* TALK_UNIT bytes per two-second bucket, saturating */
    float base;                    /* units per bucket, before the ring */
};
_Static_assert(sizeof(struct talk_entry) == 64, "a talker entry is one cache line");

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

/* An address's word of the filter, and its three bits in it (one memory word a lookup). */
static uint64_t *bloom_word(const struct det_watch *w, uint64_t h)
{
    return w->bloom + (size_t)(h & (BLOOM_BLOCKS * 8 - 1));
}

static uint64_t bloom_bits(uint64_t h)
{
    return 1ull << ((h >> 20) & 63) | 1ull << ((h >> 26) & 63) | 1ull << ((h >> 32) & 63);
}

static void bloom_add(struct det_watch *w, uint64_t h)
{
    *bloom_word(w, h) |= bloom_bits(h);
}

static bool bloom_has(const struct det_watch *w, uint64_t h)
{
    uint64_t m = bloom_bits(h);
    return (*bloom_word(w, h) & m) == m;
}

static void unfamiliar_add(struct detect *d, struct det_watch *w, const struct det_rec *x)
{
    const struct flow_rec *r = x->r;
    if (d->learning) {
        bloom_add(w, x->hs);
        bloom_add(w, x->hd);
        return;
    }
    if (bloom_has(w, x->hd))
        return;
    struct pair_key k = {r->src, r->dst};
    uint64_t h = det_key_hash(x->hs, x->hd, 300);
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

static uint64_t talk_win(const struct talk_entry *e)
{
    uint64_t w = 0;
    for (int i = 0; i < TALK_SLOTS; i++)
        w += e->ring[i];
    return w;
}

/* Buckets that left the ring so far: what the baseline averages (at most TALK_MEAN_N). */
static uint32_t talk_folded(const struct talk_entry *e)
{
    uint32_t age = e->ring_slot - e->first_sec / TALK_SLOT_S;
    return age > TALK_SLOTS ? age - TALK_SLOTS + 1 : 0;
}

static void talk_rotate(struct talk_entry *e, uint32_t slot, bool frozen)
{
    if (slot <= e->ring_slot)
        return;
    uint32_t steps = slot - e->ring_slot;
    for (uint32_t j = 1; j <= steps && j <= TALK_SLOTS; j++) {
        uint32_t *b = &e->ring[(e->ring_slot + j) % TALK_SLOTS];
        if (!frozen) {
            /* the mean while young, then an exponential average over TALK_MEAN_N buckets */
            uint32_t n = e->ring_slot + j - e->first_sec / TALK_SLOT_S;
            n = n > TALK_SLOTS ? n - TALK_SLOTS : 1;
            float alpha = 1.0f / (float)(n < TALK_MEAN_N ? n : TALK_MEAN_N);
            e->base += ((float)*b - e->base) * alpha;
        }
        *b = 0;
    }
    if (steps > TALK_SLOTS && !frozen) /* quiet buckets beyond the ring */
        e->base *= powf(1.0f - 1.0f / TALK_MEAN_N,
                        (float)(steps - TALK_SLOTS > 4000 ? 4000 : steps - TALK_SLOTS));
    e->ring_slot = slot;
}

static void talker_add(struct detect *d, struct det_watch *w, const struct det_rec *x)
{
    const struct flow_rec *r = x->r;
    bool fresh;
    struct talk_entry *e = det_table_get(&w->talk, x->ht, &r->src, d->now, &fresh);
    uint32_t slot = d->now / TALK_SLOT_S;
    if (fresh) {
        e->first_sec = d->now;
        e->ring_slot = slot;
    }
    e->h.last_sec = d->now;
    struct detect_alert *a = det_entry_alert(d, &e->h);
    talk_rotate(e, slot, a != NULL);
    uint64_t add = (det_recent(r->bytes, r, TALK_RING) + TALK_UNIT / 2) / TALK_UNIT;
    uint32_t *b = &e->ring[slot % TALK_SLOTS];
    *b = add >= UINT32_MAX - *b ? UINT32_MAX : *b + (uint32_t)add;
    uint64_t win = talk_win(e);
    e->h.weight = win > UINT32_MAX ? UINT32_MAX : (uint32_t)win;
    uint64_t bps = win * TALK_UNIT * 8 / TALK_RING;
    if (!a) {
        if (d->now - e->first_sec < TALK_AGE_S || bps < d->cfg.talker_bps ||
            (double)win / TALK_SLOTS < (double)d->cfg.talker_factor * e->base ||
            talk_folded(e) == 0)
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

void det_watch_prefetch(const struct detect *d, const struct det_watch *w,
                        const struct det_rec *x)
{
    if (w->do_unf) {
        __builtin_prefetch(bloom_word(w, x->hd), 1);
        if (d->learning || !d->first_sec)
            __builtin_prefetch(bloom_word(w, x->hs), 1);
    }
    if (w->do_talk)
        det_table_prefetch(&w->talk, x->ht);
}

void det_watch_add(struct detect *d, struct det_watch *w, const struct det_rec *x)
{
    if (w->do_unf)
        unfamiliar_add(d, w, x);
    if (w->do_talk)
        talker_add(d, w, x);
}
