/*
 * hindex.h - the open-addressing hash index shared by the flow table and the stat tables.
 *
 * Slots are 64-bit: (32-bit hash tag << 32) | (entry index + 1); 0 is an empty slot. A key's
 * home slot is the top bits of its hash (hindex_home), so the order of homes is the order of
 * hashes whatever the capacity: work sorted by the top bits of its hashes walks the index
 * from start to end, before and after the index grows (stat_defer.h). Linear probing;
 * deletion by backward shift (no tombstones), so probe chains stay short; the owner
 * keeps the load at most one half by calling hindex_reserve. The index stores positions only:
 * comparing keys is the owner's business (a probe compares the tag first). Header-only.
 */
#ifndef FLOWDRILL_HINDEX_H
#define FLOWDRILL_HINDEX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "flowdrill/xalloc.h"

struct hindex {
    uint64_t *slot;
    uint32_t mask;  /* capacity - 1, capacity a power of two */
    uint8_t shift;  /* 32 - log2(capacity) */
};

#define HINDEX_NONE UINT32_MAX

static inline uint32_t hindex_tag(uint64_t s)
{
    return (uint32_t)(s >> 32);
}

static inline uint32_t hindex_entry(uint64_t s)
{
    return (uint32_t)s - 1;
}

static inline void hindex_init(struct hindex *h, uint32_t capacity)
{
    h->mask = capacity - 1;
    h->shift = (uint8_t)__builtin_clz(capacity) + 1;
    h->slot = xalloc_table((size_t)capacity * sizeof *h->slot, 1);
}

static inline void hindex_free(struct hindex *h)
{
    free(h->slot);
    h->slot = NULL;
}

static inline size_t hindex_memory(const struct hindex *h)
{
    return (size_t)(h->mask + 1) * sizeof *h->slot;
}

/* The slot a hash's probe starts at. */
static inline uint32_t hindex_home(const struct hindex *h, uint32_t hash)
{
    return (uint32_t)((uint64_t)hash >> h->shift);
}

static inline void hindex_prefetch(const struct hindex *h, uint32_t hash)
{
    __builtin_prefetch(&h->slot[hindex_home(h, hash)]);
}

/* Insert entry `idx` with `hash` (the caller knows it is not there yet). */
static inline void hindex_put(struct hindex *h, uint32_t hash, uint32_t idx)
{
    uint32_t i = hindex_home(h, hash);
    while (h->slot[i])
        i = (i + 1) & h->mask;
    h->slot[i] = (uint64_t)hash << 32 | (uint64_t)(idx + 1);
}

/* Grow (one rehash, to the next power of two that fits) so that `used + 1` entries keep it
 * at most half full. */
static inline void hindex_reserve(struct hindex *h, uint32_t used)
{
    uint64_t cap = (uint64_t)h->mask + 1;
    if ((uint64_t)(used + 1) * 2 <= cap)
        return;
    while ((uint64_t)(used + 1) * 2 > cap)
        cap *= 2;
    struct hindex n;
    hindex_init(&n, (uint32_t)cap);
    for (uint32_t i = 0; i <= h->mask; i++)
        if (h->slot[i])
            hindex_put(&n, hindex_tag(h->slot[i]), hindex_entry(h->slot[i]));
    free(h->slot);
    *h = n;
}

/* Remove the slot at position i, shifting later members of its cluster back. */
static inline void hindex_delete_at(struct hindex *h, uint32_t i)
{
    uint32_t j = i;
    for (;;) {
        j = (j + 1) & h->mask;
        if (!h->slot[j])
            break;
        uint32_t k = hindex_home(h, hindex_tag(h->slot[j]));
        /* leave slot j alone when its home k lies cyclically in (i, j] */
        bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (stays)
            continue;
        h->slot[i] = h->slot[j];
        i = j;
    }
    h->slot[i] = 0;
}

/* Remove entry `idx` stored under `hash` (nothing happens if it is not there). */
static inline void hindex_delete(struct hindex *h, uint32_t hash, uint32_t idx)
{
    uint32_t i = hindex_home(h, hash);
    while (h->slot[i] && hindex_entry(h->slot[i]) != idx)
        i = (i + 1) & h->mask;
    if (h->slot[i])
        hindex_delete_at(h, i);
}

#endif
