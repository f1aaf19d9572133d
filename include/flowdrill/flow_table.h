/*
 * flow_table.h - the per-packet hot path: one compact entry per conversation.
 *
 * A conversation is keyed by both endpoints and the protocol; packets in either direction
 * land on the same entry (the hash is symmetric and a lookup tries both orders). Endpoint
 * `a` is whoever sent the first packet seen. Each entry is split in two 64-byte halves:
 * the hot half (key, pending per-second deltas) is all a packet touches; the cold half
 * (cumulative totals, references into the host/pair/port tables) is touched once per
 * second by the aggregator's flush. Entries never move; freed ones are reused.
 *
 * The table only stores; the aggregator (agg.c) decides when to flush, expire and evict.
 */
#ifndef FLOWDRILL_FLOW_TABLE_H
#define FLOWDRILL_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/flow.h"

#define FLOW_NONE UINT32_MAX

struct flow_key {
    struct flow_addr a, b;
    uint16_t pa, pb;
    uint8_t proto;
    uint8_t af; /* enum flow_af; 0 marks a free entry */
};

struct flow_hot {
    struct flow_key key;    /* 38 bytes */
    uint8_t tcp_flags[2];   /* OR of flags sent by a [0] and by b [1] */
    uint32_t hash;
    uint32_t last_sec;      /* second of the newest packet */
    uint32_t d_bytes[2];    /* pending since the last flush: a->b, b->a */
    uint32_t d_pkts[2];
};

struct flow_cold {
    uint64_t bytes[2], pkts[2]; /* cumulative, flushed: a->b, b->a */
    uint32_t first_sec;
    uint32_t ref[4];        /* FLOW_REF_*: indexes into the stat tables, STAT_NONE if none */
    uint32_t r_sec;         /* second of r[0]; r[1] is r_sec - 1 (flow rate over 2 s) */
    uint32_t r[2];
};

enum { FLOW_REF_HOST_A, FLOW_REF_HOST_B, FLOW_REF_PAIR, FLOW_REF_PORT };

struct flow_table;

/* A table of at most `max_flows` conversations. */
struct flow_table *flow_table_new(uint32_t max_flows, uint64_t seed);
void flow_table_free(struct flow_table *ft);

/* Symmetric hash of a record's conversation key. */
uint32_t flow_table_hash(const struct flow_table *ft, const struct flow_rec *r);

/* Prefetch the index slot for `hash` (call a few records ahead of flow_table_find). */
void flow_table_prefetch(const struct flow_table *ft, uint32_t hash);

/* Second stage: if the index slot for `hash` holds an entry, prefetch that entry's hot half. */
void flow_table_prefetch_entry(const struct flow_table *ft, uint32_t hash);

/* Find the conversation of `r`. Returns its index and sets *dir (0: r->src is endpoint a,
 * 1: r->src is b), or FLOW_NONE. */
uint32_t flow_table_find(const struct flow_table *ft, const struct flow_rec *r, uint32_t hash,
                         int *dir);

/* The conversation key of a record, with r->src as endpoint a (as flow_table_insert sets it). */
void flow_key_of(const struct flow_rec *r, struct flow_key *k);

/* Insert a new conversation with r->src as endpoint a. The caller checks flow_table_full()
 * first. Hot and cold halves are zeroed except key, hash and cold.ref[] = STAT_NONE. */
uint32_t flow_table_insert(struct flow_table *ft, const struct flow_rec *r, uint32_t hash);

/* Remove entry idx (its index becomes free). */
void flow_table_remove(struct flow_table *ft, uint32_t idx);

bool flow_table_full(const struct flow_table *ft);
uint32_t flow_table_count(const struct flow_table *ft);
uint32_t flow_table_slots(const struct flow_table *ft); /* iterate 0..slots-1, skip af == 0 */
uint32_t flow_table_capacity(const struct flow_table *ft);
size_t flow_table_memory(const struct flow_table *ft);

/* Direct access to the entries, indexed as the table's: both arrays are reserved for the
 * table's capacity when it is made and never move, so the pointers stay valid for its life. */
struct flow_hot *flow_table_hot(const struct flow_table *ft);
struct flow_cold *flow_table_cold(const struct flow_table *ft);

/* A random used entry index (for sampled eviction), FLOW_NONE if empty. */
uint32_t flow_table_random(struct flow_table *ft);

#endif
