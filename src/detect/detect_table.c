/*
 * detect_table.c - the detectors' bounded tables, distinct-count bitmaps and the record
 * classification they share (see detect_priv.h).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/hash.h"
#include "flowdrill/xalloc.h"

#include "detect_priv.h"

void det_table_init(struct det_table *t, size_t slots, size_t esz, size_t koff, size_t klen,
                    uint32_t stale_s)
{
    size_t sets = 1;
    while (sets * DET_WAYS < slots)
        sets <<= 1;
    t->nsets = sets;
    t->esz = esz;
    t->koff = koff;
    t->klen = klen;
    t->stale_s = stale_s;
    t->evicted = 0;
    t->mem = xcalloc(sets * DET_WAYS, esz);
}

void det_table_free(struct det_table *t)
{
    free(t->mem);
    t->mem = NULL;
}

size_t det_table_bytes(const struct det_table *t)
{
    return t->nsets * DET_WAYS * t->esz;
}

static inline uint8_t *det_set(const struct det_table *t, uint64_t h)
{
    return t->mem + (size_t)((h >> 7) & (t->nsets - 1)) * DET_WAYS * t->esz;
}

void *det_table_find(struct det_table *t, uint64_t h, const void *key)
{
    uint8_t *set = det_set(t, h);
    for (int w = 0; w < DET_WAYS; w++) {
        uint8_t *e = set + (size_t)w * t->esz;
        struct det_head *hd = (struct det_head *)e;
        if (hd->hash == h && hash_key_eq(e + t->koff, key, t->klen))
            return e;
    }
    return NULL;
}

void *det_table_get(struct det_table *t, uint64_t h, const void *key, uint32_t now,
                    bool *fresh)
{
    uint8_t *set = det_set(t, h), *victim = NULL;
    uint64_t best = UINT64_MAX;
    for (int w = 0; w < DET_WAYS; w++) {
        uint8_t *e = set + (size_t)w * t->esz;
        struct det_head *hd = (struct det_head *)e;
        if (hd->hash == h && hash_key_eq(e + t->koff, key, t->klen)) {
            *fresh = false;
            return e;
        }
        /* empty first, then stale (oldest first), then the lightest */
        uint64_t rank;
        if (!hd->hash)
            rank = 0;
        else if (now - hd->last_sec >= t->stale_s && now >= hd->last_sec)
            rank = 1 + (uint64_t)hd->last_sec;
        else
            rank = (1ull << 33) + hd->weight;
        if (rank < best) {
            best = rank;
            victim = e;
        }
    }
    if (best >= (1ull << 33))
        t->evicted++;
    memset(victim, 0, t->esz);
    struct det_head *hd = (struct det_head *)victim;
    hd->hash = h;
    hd->last_sec = now;
    memcpy(victim + t->koff, key, t->klen);
    *fresh = true;
    return victim;
}

uint64_t det_map_estimate(const uint64_t *map, const uint64_t *minus, size_t words)
{
    size_t set = 0, m = words * 64;
    for (size_t i = 0; i < words; i++)
        set += (size_t)__builtin_popcountll(minus ? map[i] & ~minus[i] : map[i]);
    if (set == 0)
        return 0;
    if (set >= m)
        set = m - 1; /* saturated: the largest figure the map can give */
    return (uint64_t)llround(-(double)m * log((double)(m - set) / (double)m));
}

unsigned det_role_of(const struct flow_rec *r)
{
    switch (r->proto) {
    case 6:
        if (!(r->tcp_flags & 0x02)) /* SYN */
            return DET_OTHER;
        return (r->tcp_flags & 0x10) ? DET_ANSWER : DET_PROBE; /* ACK */
    case 17:
        if (r->flags & FLOW_REC_NO_PORTS)
            return DET_OTHER;
        /* any datagram may answer an earlier one; a small one from a high port may probe */
        if (r->sport >= 1024 && r->packets && r->bytes <= 128 * r->packets)
            return DET_PROBE | DET_ANSWER;
        return DET_ANSWER;
    case 1:
    case 58: {
        unsigned type = r->icmp_type >> 8;
        if ((r->proto == 1 && type == 8) || (r->proto == 58 && type == 128))
            return DET_PROBE;
        if ((r->proto == 1 && type == 0) || (r->proto == 58 && type == 129))
            return DET_ANSWER;
        return DET_OTHER;
    }
    default:
        return DET_OTHER;
    }
}

uint64_t det_recent(uint64_t v, const struct flow_rec *r, uint32_t secs)
{
    int64_t span = r->last_us - r->first_us;
    int64_t win = (int64_t)secs * 1000000;
    if (span <= win || r->first_us <= 0)
        return v;
    /* v * win / span without overflow for any v a record can hold */
    return (uint64_t)((double)v * (double)win / (double)span);
}
