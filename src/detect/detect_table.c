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
    t->mem = xalloc_table(sets * DET_WAYS * esz, 1); /* 64-byte aligned: an entry of 64 is
                                                        one cache line */
    t->tags = xcalloc(sets * DET_WAYS, sizeof *t->tags);
}

void det_table_free(struct det_table *t)
{
    free(t->mem);
    free(t->tags);
    t->mem = NULL;
    t->tags = NULL;
}

size_t det_table_bytes(const struct det_table *t)
{
    return t->nsets * DET_WAYS * (t->esz + sizeof *t->tags);
}

static inline size_t det_set(const struct det_table *t, uint64_t h)
{
    return (size_t)((h >> 7) & (t->nsets - 1)) * DET_WAYS;
}

static inline uint8_t *det_entry(const struct det_table *t, size_t i)
{
    return t->mem + i * t->esz;
}

void *det_table_insert(struct det_table *t, uint64_t h, const void *key, uint32_t now)
{
    size_t s = det_set(t, h), victim = s;
    uint64_t best = UINT64_MAX;
    /* an empty way, else a stale one (oldest first), else the lightest */
    for (int w = 0; w < DET_WAYS && best; w++) {
        uint64_t rank;
        if (!t->tags[s + w]) {
            rank = 0;
        } else {
            const struct det_head *hd = (const struct det_head *)det_entry(t, s + w);
            if (now - hd->last_sec >= t->stale_s && now >= hd->last_sec)
                rank = 1 + (uint64_t)hd->last_sec;
            else
                rank = (1ull << 33) + hd->weight;
        }
        if (rank < best) {
            best = rank;
            victim = s + (size_t)w;
        }
    }
    if (best >= (1ull << 33))
        t->evicted++;
    uint8_t *e = det_entry(t, victim);
    memset(e, 0, t->esz);
    t->tags[victim] = h;
    ((struct det_head *)e)->last_sec = now;
    memcpy(e + t->koff, key, t->klen);
    return e;
}

uint64_t det_addr_hash(uint64_t seed, const struct flow_addr *a)
{
    uint64_t w[2];
    flow_addr_words(a, w);
    /* one mix: IPv4 lives in w[1] (w[0] is 0); IPv6's upper half is folded in first */
    return hash_mix64(w[1] ^ seed ^ ((w[0] * 0x9e3779b97f4a7c15ULL) >> 1 | w[0] << 63));
}

uint64_t det_map_estimate(const uint64_t *map, const uint64_t *minus, size_t words)
{
    size_t set = 0;
    for (size_t i = 0; i < words; i++)
        set += (size_t)__builtin_popcountll(minus ? map[i] & ~minus[i] : map[i]);
    return det_map_count(set, words);
}

uint64_t det_map_count(size_t set, size_t words)
{
    size_t m = words * 64;
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

uint64_t det_recent_part(uint64_t v, const struct flow_rec *r, uint32_t secs)
{
    int64_t span = r->last_us - r->first_us;
    int64_t win = (int64_t)secs * 1000000;
    if (span <= win || r->first_us <= 0)
        return v;
    /* v * win / span without overflow for any v a record can hold */
    return (uint64_t)((double)v * (double)win / (double)span);
}
