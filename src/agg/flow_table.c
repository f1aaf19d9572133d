/*
 * flow_table.c - conversation table for the per-packet path (see flow_table.h).
 *
 * Index: hindex.h (open addressing, at most half full). Entries: two parallel arrays (hot, cold) of
 * 64-byte records in address space reserved for the cap (pages are paid for when touched, and
 * entries never move), holes reused through a free list that runs through hot.hash.
 */
#include "config.h"

#include "flowdrill/flow_table.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/hash.h"
#include "flowdrill/hindex.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/xalloc.h"

_Static_assert(sizeof(struct flow_hot) == 64, "hot half must be one cache line");
_Static_assert(sizeof(struct flow_cold) == 64, "cold half must be one cache line");

struct flow_table {
    struct flow_hot *hot;   /* max entries of reserved address space each */
    struct flow_cold *cold;
    uint32_t n_slots, n_used, max;
    uint32_t free_head;
    struct hindex index;
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
    hindex_init(&ft->index, 2048);
    return ft;
}

void flow_table_free(struct flow_table *ft)
{
    if (!ft)
        return;
    xfree_reserve(ft->hot, (size_t)ft->max * sizeof *ft->hot);
    xfree_reserve(ft->cold, (size_t)ft->max * sizeof *ft->cold);
    hindex_free(&ft->index);
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
    hindex_prefetch(&ft->index, hash);
}

void flow_table_prefetch_entry(const struct flow_table *ft, uint32_t hash)
{
    uint64_t s = ft->index.slot[hindex_home(&ft->index, hash)];
    if (s)
        __builtin_prefetch(&ft->hot[hindex_entry(s)]);
}

uint32_t flow_table_find(const struct flow_table *ft, const struct flow_rec *r, uint32_t hash,
                         int *dir)
{
    uint32_t i = hindex_home(&ft->index, hash);
    for (;;) {
        uint64_t s = ft->index.slot[i];
        if (!s)
            return FLOW_NONE;
        if (hindex_tag(s) == hash) {
            uint32_t idx = hindex_entry(s);
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
        i = (i + 1) & ft->index.mask;
    }
}

void flow_key_of(const struct flow_rec *r, struct flow_key *k)
{
    memset(k, 0, sizeof *k);
    k->a = r->src;
    k->b = r->dst;
    k->pa = r->sport;
    k->pb = r->dport;
    k->proto = r->proto;
    k->af = r->af ? r->af : FLOW_AF_INET6;
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
    hindex_reserve(&ft->index, ft->n_used);

    struct flow_hot *h = &ft->hot[idx];
    memset(h, 0, sizeof *h);
    flow_key_of(r, &h->key);
    h->hash = hash;
    struct flow_cold *c = &ft->cold[idx];
    memset(c, 0, sizeof *c);
    for (int i = 0; i < 4; i++)
        c->ref[i] = STAT_NONE;
    hindex_put(&ft->index, hash, idx);
    ft->n_used++;
    return idx;
}

void flow_table_remove(struct flow_table *ft, uint32_t idx)
{
    struct flow_hot *h = &ft->hot[idx];
    if (!h->key.af)
        return;
    hindex_delete(&ft->index, h->hash, idx);
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
           hindex_memory(&ft->index);
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
