/*
 * flow_table.c - conversation table for the per-packet path (see flow_table.h).
 *
 * Index: open addressing over 64-bit slots (hash << 32 | entry + 1), linear probing,
 * backward-shift deletion, at most half full. Entries: two parallel arrays (hot, cold) of
 * 64-byte records in address space reserved for the cap (pages are paid for when touched, and
 * entries never move), holes reused through a free list that runs through hot.hash.
 */
#include "config.h"

#include "flowdrill/flow_table.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/hash.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/xalloc.h"

_Static_assert(sizeof(struct flow_hot) == 64, "hot half must be one cache line");
_Static_assert(sizeof(struct flow_cold) == 64, "cold half must be one cache line");

struct flow_table {
    struct flow_hot *hot;   /* max entries of reserved address space each */
    struct flow_cold *cold;
    uint32_t n_slots, n_used, max;
    uint32_t free_head;
    uint64_t *index;
    uint32_t mask;
    uint64_t seed, rng;
};

struct flow_table *flow_table_new(uint32_t max_flows, uint64_t seed)
{
    if (max_flows == 0 || max_flows > (1u << 28))
        return NULL;
    struct flow_table *ft = xcalloc(1, sizeof *ft);
    ft->max = max_flows;
    ft->seed = seed;
    ft->rng = seed | 1;
    ft->free_head = FLOW_NONE;
    ft->hot = xalloc_reserve((size_t)max_flows * sizeof *ft->hot);
    ft->cold = xalloc_reserve((size_t)max_flows * sizeof *ft->cold);
    ft->mask = 2047;
    ft->index = xalloc_table((size_t)(ft->mask + 1) * sizeof *ft->index, 1);
    return ft;
}

void flow_table_free(struct flow_table *ft)
{
    if (!ft)
        return;
    xfree_reserve(ft->hot, (size_t)ft->max * sizeof *ft->hot);
    xfree_reserve(ft->cold, (size_t)ft->max * sizeof *ft->cold);
    free(ft->index);
    free(ft);
}

static inline uint64_t flow_endpoint_hash(const struct flow_addr *a, uint16_t port, uint64_t seed)
{
    uint64_t lo = hash_load64(a->b), hi = hash_load64(a->b + 8);
    return hash_mix64(lo ^ (hi << 29 | hi >> 35) ^ ((uint64_t)port << 47) ^ seed);
}

uint32_t flow_table_hash(const struct flow_table *ft, const struct flow_rec *r)
{
    uint64_t h1 = flow_endpoint_hash(&r->src, r->sport, ft->seed);
    uint64_t h2 = flow_endpoint_hash(&r->dst, r->dport, ft->seed);
    uint64_t h = hash_mix64(h1 + h2 + (uint64_t)r->proto * 0x9e3779b97f4a7c15ULL);
    return (uint32_t)(h >> 32);
}

void flow_table_prefetch(const struct flow_table *ft, uint32_t hash)
{
    __builtin_prefetch(&ft->index[hash & ft->mask]);
}

void flow_table_prefetch_entry(const struct flow_table *ft, uint32_t hash)
{
    uint64_t s = ft->index[hash & ft->mask];
    if (s)
        __builtin_prefetch(&ft->hot[(uint32_t)s - 1]);
}

static inline bool flow_addr_eq(const struct flow_addr *x, const struct flow_addr *y)
{
    return hash_load64(x->b) == hash_load64(y->b) && hash_load64(x->b + 8) == hash_load64(y->b + 8);
}

uint32_t flow_table_find(const struct flow_table *ft, const struct flow_rec *r, uint32_t hash,
                         int *dir)
{
    uint32_t i = hash & ft->mask;
    for (;;) {
        uint64_t s = ft->index[i];
        if (!s)
            return FLOW_NONE;
        if ((uint32_t)(s >> 32) == hash) {
            uint32_t idx = (uint32_t)s - 1;
            const struct flow_key *k = &ft->hot[idx].key;
            if (k->proto == r->proto) {
                if (k->pa == r->sport && k->pb == r->dport && flow_addr_eq(&k->a, &r->src) &&
                    flow_addr_eq(&k->b, &r->dst)) {
                    *dir = 0;
                    return idx;
                }
                if (k->pa == r->dport && k->pb == r->sport && flow_addr_eq(&k->a, &r->dst) &&
                    flow_addr_eq(&k->b, &r->src)) {
                    *dir = 1;
                    return idx;
                }
            }
        }
        i = (i + 1) & ft->mask;
    }
}

static void flow_index_put(uint64_t *index, uint32_t mask, uint32_t hash, uint32_t idx)
{
    uint32_t i = hash & mask;
    while (index[i])
        i = (i + 1) & mask;
    index[i] = (uint64_t)hash << 32 | (uint64_t)(idx + 1);
}

static void flow_index_grow(struct flow_table *ft)
{
    uint32_t ncap = (ft->mask + 1) * 2;
    uint64_t *ni = xalloc_table((size_t)ncap * sizeof *ni, 1);
    for (uint32_t i = 0; i <= ft->mask; i++)
        if (ft->index[i])
            flow_index_put(ni, ncap - 1, (uint32_t)(ft->index[i] >> 32),
                           (uint32_t)ft->index[i] - 1);
    free(ft->index);
    ft->index = ni;
    ft->mask = ncap - 1;
}

uint32_t flow_table_insert(struct flow_table *ft, const struct flow_rec *r, uint32_t hash)
{
    uint32_t idx;
    if (ft->free_head != FLOW_NONE) {
        idx = ft->free_head;
        ft->free_head = ft->hot[idx].hash;
    } else {
        idx = ft->n_slots++; /* the caller checked the table is not full */
    }
    if ((ft->n_used + 1) * 2 > ft->mask + 1)
        flow_index_grow(ft);

    struct flow_hot *h = &ft->hot[idx];
    memset(h, 0, sizeof *h);
    h->key.a = r->src;
    h->key.b = r->dst;
    h->key.pa = r->sport;
    h->key.pb = r->dport;
    h->key.proto = r->proto;
    h->key.af = r->af ? r->af : FLOW_AF_INET6;
    h->hash = hash;
    struct flow_cold *c = &ft->cold[idx];
    memset(c, 0, sizeof *c);
    for (int i = 0; i < 4; i++)
        c->ref[i] = STAT_NONE;
    flow_index_put(ft->index, ft->mask, hash, idx);
    ft->n_used++;
    return idx;
}

void flow_table_remove(struct flow_table *ft, uint32_t idx)
{
    struct flow_hot *h = &ft->hot[idx];
    if (!h->key.af)
        return;
    uint32_t i = h->hash & ft->mask;
    while (ft->index[i] && (uint32_t)ft->index[i] != idx + 1)
        i = (i + 1) & ft->mask;
    if (ft->index[i]) {
        uint32_t j = i;
        for (;;) {
            j = (j + 1) & ft->mask;
            if (!ft->index[j])
                break;
            uint32_t k = (uint32_t)(ft->index[j] >> 32) & ft->mask;
            bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
            if (stays)
                continue;
            ft->index[i] = ft->index[j];
            i = j;
        }
        ft->index[i] = 0;
    }
    memset(h, 0, sizeof *h);
    h->hash = ft->free_head;
    ft->free_head = idx;
    ft->n_used--;
}

bool flow_table_full(const struct flow_table *ft)
{
    return ft->n_used >= ft->max;
}

uint32_t flow_table_count(const struct flow_table *ft)
{
    return ft->n_used;
}

uint32_t flow_table_slots(const struct flow_table *ft)
{
    return ft->n_slots;
}

uint32_t flow_table_capacity(const struct flow_table *ft)
{
    return ft->max;
}

size_t flow_table_memory(const struct flow_table *ft)
{
    return sizeof *ft + (size_t)ft->n_slots * (sizeof *ft->hot + sizeof *ft->cold) +
           (size_t)(ft->mask + 1) * sizeof *ft->index;
}

struct flow_hot *flow_table_hot(const struct flow_table *ft)
{
    return ft->hot;
}

struct flow_cold *flow_table_cold(const struct flow_table *ft)
{
    return ft->cold;
}

uint32_t flow_table_random(struct flow_table *ft)
{
    if (!ft->n_used)
        return FLOW_NONE;
    for (;;) {
        ft->rng ^= ft->rng << 13;
        ft->rng ^= ft->rng >> 7;
        ft->rng ^= ft->rng << 17;
        uint32_t idx = (uint32_t)(ft->rng % ft->n_slots);
        if (ft->hot[idx].key.af)
            return idx;
    }
}
