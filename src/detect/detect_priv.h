/*
 * detect_priv.h - what the detectors share: the engine object, the bounded tables they keep
 * their state in, probe classification and the alert list. Private to src/detect.
 *
 * Every table is set-associative with DET_WAYS entries a set, sized once: a key that finds
 * no room takes the way of a stale entry (quiet past the detector's horizon) or else the one
 * with the smallest weight (what the detector thinks matters least: few distinct ports, few
 * bytes), and that eviction is counted. A flood of new keys thus pushes out other new keys
 * before it pushes out the heavy ones being watched.
 */
#ifndef FLOWDRILL_DETECT_PRIV_H
#define FLOWDRILL_DETECT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/detect.h"
#include "flowdrill/hash.h"

#define DET_WAYS 4

/* The start of every table entry. */
struct det_head {
    uint32_t last_sec; /* last touched */
    uint32_t weight;   /* the eviction order: smallest goes first */
    uint32_t alert_id; /* the alert this entry feeds, 0 = none, DET_DROPPED */
    uint32_t dropped_sec; /* when its alert was dropped (the list was full) */
};

struct det_table {
    uint64_t *tags; /* the hash of each way, 0 = empty: 32 bytes a set, so that a lookup reads
                       one small dense array (cache-resident) before the one entry it wants */
    uint8_t *mem;
    size_t esz;   /* entry size, a multiple of 8 */
    size_t nsets; /* a power of two */
    size_t koff, klen; /* where the key sits in an entry, its length (a multiple of 8) */
    uint32_t stale_s;  /* an entry untouched this long may be reused without counting */
    uint64_t evicted;
};

void det_table_init(struct det_table *t, size_t slots, size_t esz, size_t koff, size_t klen,
                    uint32_t stale_s);
void det_table_free(struct det_table *t);
size_t det_table_bytes(const struct det_table *t);
/* The entry for a key of klen bytes with hash h, or NULL. Inline, so that the key compare
 * unrolls for each detector's constant key length. */
static inline void *det_table_lookup(const struct det_table *t, uint64_t h, const void *key,
                                     size_t klen)
{
    size_t s = (size_t)((h >> 7) & (t->nsets - 1)) * DET_WAYS;
    const uint64_t *tg = t->tags + s;
    for (int w = 0; w < DET_WAYS; w++) {
        if (tg[w] != h)
            continue;
        uint8_t *e = t->mem + (s + (size_t)w) * t->esz;
        if (hash_key_eq(e + t->koff, key, klen))
            return e;
    }
    return NULL;
}
/* Make the entry for `key` (absent): zeroed, key and tag set, in the way of an empty, a
 * stale or the lightest entry (that eviction counted). */
void *det_table_insert(struct det_table *t, uint64_t h, const void *key, uint32_t now);
/* The entry for `key` (hash h != 0), made when absent (*fresh = true then). Never NULL. */
#define det_table_get(t, h, key, now, fresh) det_table_get_((t), (h), (key), sizeof *(key), (now), (fresh))
static inline void *det_table_get_(struct det_table *t, uint64_t h, const void *key,
                                   size_t klen, uint32_t now, bool *fresh)
{
    void *e = det_table_lookup(t, h, key, klen);
    *fresh = e == NULL;
    return e ? e : det_table_insert(t, h, key, now);
}
/* The entry for `key` or NULL. */
#define det_table_find(t, h, key) det_table_lookup((t), (h), (key), sizeof *(key))
/* Start loading the entry for hash h, if the table holds one (det_table_get/find soon). */
static inline void det_table_prefetch(const struct det_table *t, uint64_t h)
{
    size_t s = (size_t)((h >> 7) & (t->nsets - 1)) * DET_WAYS;
    const uint64_t *tg = t->tags + s;
    for (int w = 0; w < DET_WAYS; w++)
        if (tg[w] == h)
            __builtin_prefetch(t->mem + (s + (size_t)w) * t->esz + t->koff, 1);
}

/* A record as the first pass over a chunk sees it (detect.c): the hashes of its two
 * addresses, computed once for every detector, and what each detector wants of it, so that
 * a detector is called only for the records it looks at. */
struct det_rec {
    const struct flow_rec *r;
    uint64_t hs, hd; /* det_addr_hash of src and dst */
    uint64_t hf;     /* the flood entry's key hash (kind >= 0) */
    uint64_t ht;     /* the talker entry's key hash (talker on) */
    int8_t kind;     /* det_flood_kind: -1 when no flood detector wants it */
    uint8_t role;    /* det_role_of, 0 without the scan and sweep detectors */
};
uint64_t det_addr_hash(uint64_t seed, const struct flow_addr *a);
/* A table key's hash from address hashes and a small value; never 0. */
static inline uint64_t det_key_hash(uint64_t x, uint64_t y, uint64_t v)
{
    uint64_t h = x ^ ((y << 23) | (y >> 41)) ^ (v * 0x9e3779b97f4a7c15ULL);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h ? h : 1;
}

/* Distinct counting in a small bitmap (linear counting: n = -m ln(zero fraction)). */
#define DET_MAP_WORDS 8 /* 512 bits */
uint64_t det_map_estimate(const uint64_t *map, const uint64_t *minus, size_t words);
/* The same estimate from the number of bits set. */
uint64_t det_map_count(size_t set, size_t words);
static inline void det_map_set(uint64_t *map, size_t words, uint64_t h)
{
    size_t bit = (size_t)(h % (words * 64));
    map[bit / 64] |= 1ull << (bit % 64);
}

/* What a record is to the scan and sweep detectors: a bit set (a UDP datagram can be both). */
enum { DET_OTHER = 0, DET_PROBE = 1, DET_ANSWER = 2 };
unsigned det_role_of(const struct flow_rec *r);

/* The flood detector a record feeds (enum detect_kind), or -1: none, or turned off. */
static inline int det_flood_kind(const struct detect_config *c, const struct flow_rec *r)
{
    int k;
    switch (r->proto) {
    case 6:
        if ((r->tcp_flags & 0x12) != 0x02)
            return -1;
        k = DETECT_SYN_FLOOD;
        break;
    case 17:
        k = DETECT_UDP_FLOOD;
        break;
    case 1:
    case 58:
        k = DETECT_ICMP_FLOOD;
        break;
    default:
        return -1;
    }
    return c->enabled[k] ? k : -1;
}

/* Sources that have probed lately, by address hash (detect_spread.c sets them): an answer is
 * looked up in the scan and sweep tables only when it goes back to one (most datagrams, and
 * every SYN-ACK of a server nobody probes, stop at this bit, before any call). Rolled every
 * DETECT_EPOCH_S with the clock (det_probers_roll), the tables' epochs. */
#define DET_PROBER_BITS (1u << 16) /* 8 KiB */
struct det_probers {
    uint64_t cur[DET_PROBER_BITS / 64], old[DET_PROBER_BITS / 64];
    uint32_t epoch;
};
void det_probers_roll_(struct det_probers *p, uint32_t ep);
static inline void det_probers_roll(struct det_probers *p, uint32_t now)
{
    if (now / DETECT_EPOCH_S != p->epoch)
        det_probers_roll_(p, now / DETECT_EPOCH_S);
}
static inline bool det_probers_has(const struct det_probers *p, uint64_t h)
{
    uint32_t b = (uint32_t)(h >> 40) % DET_PROBER_BITS;
    return ((p->cur[b / 64] | p->old[b / 64]) >> (b % 64)) & 1;
}
static inline void det_probers_set(struct det_probers *p, uint64_t h)
{
    uint32_t b = (uint32_t)(h >> 40) % DET_PROBER_BITS;
    p->cur[b / 64] |= 1ull << (b % 64);
}

/* The part of an exported flow's packets (or bytes) that falls in its last `secs` seconds:
 * all of them for a packet or a flow shorter than that. */
uint64_t det_recent_part(uint64_t v, const struct flow_rec *r, uint32_t secs);
static inline uint64_t det_recent(uint64_t v, const struct flow_rec *r, uint32_t secs)
{
    if (r->last_us - r->first_us <= (int64_t)secs * 1000000 || r->first_us <= 0)
        return v;
    return det_recent_part(v, r, secs);
}

struct det_spread; /* detect_spread.c: scans and sweeps */
struct det_flood;  /* detect_flood.c */
struct det_watch;  /* detect_watch.c: unfamiliar destinations and sudden talkers */

struct detect {
    struct detect_config cfg;
    uint64_t seed;
    uint32_t now;        /* Unix seconds */
    uint32_t first_sec;  /* of the first record, 0 before */
    bool learning;       /* now < first_sec + learn_s: set per chunk of records */
    struct detect_alert *al;
    size_t n_al;
    uint32_t next_id;
    uint64_t raised, dropped, expired, records;
    struct det_spread *spread;
    struct det_flood *flood;
    struct det_watch *watch;
    struct det_probers *probers; /* the spread's, NULL without it */
    void (*on_raise)(void *, const struct detect_alert *);
    void *on_raise_ctx;
};

#define DET_DROPPED UINT32_MAX /* an entry whose alert found the list full: not retried for
                                 DETECT_QUIET_S, so that one incident counts one drop */

/* The entry's alert while it is active, else NULL; forgets an ended one. */
struct detect_alert *det_entry_alert_(struct detect *d, struct det_head *h);
static inline struct detect_alert *det_entry_alert(struct detect *d, struct det_head *h)
{
    return h->alert_id ? det_entry_alert_(d, h) : NULL;
}
/* Raise the entry's alert (see det_alert_raise); NULL when dropped or held back. */
struct detect_alert *det_entry_raise(struct detect *d, struct det_head *h,
                                     const struct detect_alert *proto_alert);

/* The alert with this id while it is active, else NULL (ended, or no longer kept). */
struct detect_alert *det_alert_live(struct detect *d, uint32_t id);
/* Raise a new alert (kind, addresses, port, proto filled by the caller in *proto_alert);
 * returns its id, or 0 when the list is full of active alerts (counted as dropped). An
 * active alert of the same kind, source, target and port is reused instead. */
uint32_t det_alert_raise(struct detect *d, const struct detect_alert *proto_alert);
/* Add a record's packets and bytes to an alert. */
void det_alert_feed(struct detect_alert *a, const struct flow_rec *r);

struct det_spread *det_spread_new(struct detect *d);
void det_spread_free(struct det_spread *s);
/* A record whose role is DET_PROBE, or an answer to a source in d->probers. */
void det_spread_add(struct detect *d, struct det_spread *s, const struct det_rec *x);
size_t det_spread_bytes(const struct det_spread *s);
void det_spread_evicted(const struct det_spread *s, uint64_t *scan, uint64_t *sweep);

struct det_flood *det_flood_new(struct detect *d);
void det_flood_free(struct det_flood *f);
/* A record of x->kind >= 0. */
void det_flood_add(struct detect *d, struct det_flood *f, const struct det_rec *x);
void det_flood_prefetch(const struct det_flood *f, const struct det_rec *x);
size_t det_flood_bytes(const struct det_flood *f);
uint64_t det_flood_evicted(const struct det_flood *f);

struct det_watch *det_watch_new(struct detect *d);
void det_watch_free(struct det_watch *w);
void det_watch_add(struct detect *d, struct det_watch *w, const struct det_rec *x);
void det_watch_prefetch(const struct detect *d, const struct det_watch *w,
                        const struct det_rec *x);
size_t det_watch_bytes(const struct det_watch *w);
void det_watch_evicted(const struct det_watch *w, uint64_t *unfamiliar, uint64_t *talker);
bool det_watch_learning(const struct detect *d, uint32_t *left_s);

#endif
