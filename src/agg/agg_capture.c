/*
 * agg_capture.c - captured packets (agg_priv.h): per record, the conversation's pending
 * per-second deltas and the dirty list; per flush, each dirty conversation books its deltas
 * into the rows it resolved on its first flush (agg_resolve keeps references to them) and
 * makes its delta records for the detectors (agg_set_delta_sink); and the conversation
 * table's expiry and eviction.
 */
#include "config.h"

#include <string.h>

#include "agg_priv.h"
#include "flowdrill/xalloc.h"

/*
 * Find (creating) every row of a captured conversation k on its first flush, counting it in
 * each row's flows, and in its hosts' peers when the pair row is new. The host rows come back
 * held (a row of the same table looked up next cannot evict them); the caller releases them
 * with agg_release_rows.
 */
static void agg_find_rows(struct agg *a, const struct flow_key *k, const struct agg_keys *kh,
                          struct agg_rows *rw)
{
    struct stat_table *host = a->st[AGG_T_HOST], *pair = a->st[AGG_T_PAIR];
    rw->host[0] = agg_host(a, &k->a, kh->host_hash[0]);
    stat_table_hold(host, rw->host[0]);
    rw->host[1] = agg_host(a, &k->b, kh->host_hash[1]);
    stat_table_hold(host, rw->host[1]);
    bool same = flow_addr_eq(&k->a, &k->b); /* self-talk: one host, counted once */
    stat_table_entry(host, rw->host[0])->flows++;
    if (!same)
        stat_table_entry(host, rw->host[1])->flows++;

    bool created;
    rw->pair = stat_table_get_hashed(pair, kh->pair, kh->pair_hash, a->now, &created);
    stat_table_entry(pair, rw->pair)->flows++;
    if (created) {
        stat_table_entry(host, rw->host[0])->aux++;
        if (rw->host[1] != rw->host[0])
            stat_table_entry(host, rw->host[1])->aux++;
    }
    agg_service_rows(a, k, true, rw);
}

static void agg_release_rows(struct agg *a, const struct agg_rows *rw)
{
    stat_table_release(a->st[AGG_T_HOST], rw->host[0]);
    stat_table_release(a->st[AGG_T_HOST], rw->host[1]);
}

/* First flush of a captured conversation: find its rows and keep references to them, so later
 * flushes neither hash nor lose them to eviction. */
static void agg_resolve(struct agg *a, const struct flow_key *k, struct flow_cold *c)
{
    struct agg_keys kh;
    struct agg_rows rw;
    agg_keys_of(a, &k->a, &k->b, &kh);
    agg_find_rows(a, k, &kh, &rw);
    c->ref[FLOW_REF_HOST_A] = rw.host[0];
    c->ref[FLOW_REF_HOST_B] = rw.host[1];
    c->ref[FLOW_REF_PAIR] = rw.pair;
    c->ref[FLOW_REF_PORT] = rw.port;
    stat_table_ref(a->st[AGG_T_HOST], rw.host[0]);
    stat_table_ref(a->st[AGG_T_HOST], rw.host[1]);
    stat_table_ref(a->st[AGG_T_PAIR], rw.pair);
    if (rw.port != STAT_NONE)
        stat_table_ref(a->st[AGG_T_PORT], rw.port);
    agg_release_rows(a, &rw);
}

/* The rows of a conversation that holds references (agg_resolve ran). */
void agg_rows_of_refs(struct agg *a, const struct flow_key *k, const struct flow_cold *c,
                             struct agg_rows *rw)
{
    rw->host[0] = c->ref[FLOW_REF_HOST_A];
    rw->host[1] = c->ref[FLOW_REF_HOST_B];
    rw->pair = c->ref[FLOW_REF_PAIR];
    rw->port = c->ref[FLOW_REF_PORT];
    rw->app = STAT_NONE;
    rw->to_svc = 0;
    if (rw->port == STAT_OTHER) {
        uint16_t svc = service_db_pick(a->svc, k->proto, k->pa, k->pb);
        rw->to_svc = agg_to_svc(k, svc);
        rw->app = agg_app(a, k->proto, svc, true);
    } else if (rw->port != STAT_NONE) {
        const struct stat_entry *pe = stat_table_centry(a->st[AGG_T_PORT], rw->port);
        uint16_t svc = (uint16_t)(pe->key[0] << 8 | pe->key[1]);
        rw->to_svc = agg_to_svc(k, svc);
        rw->app = (uint32_t)pe->aux - 1;
    } else if (!flow_proto_has_ports(k->proto)) {
        rw->app = a->app_by_proto[k->proto];
    }
}

static void agg_delta_drain(struct agg *a)
{
    if (a->n_delta)
        flow_sink_emit(&a->delta_sink, a->delta_buf, a->n_delta);
    a->n_delta = 0;
}

/* A conversation's deltas of this second, one record per direction that moved. */
static void agg_delta_out(struct agg *a, const struct flow_hot *h, const uint64_t b[2],
                          const uint64_t p[2])
{
    for (int d = 0; d < 2; d++) {
        if (!p[d])
            continue;
        if (a->n_delta == AGG_DELTA_BATCH)
            agg_delta_drain(a);
        struct flow_rec *r = &a->delta_buf[a->n_delta++];
        memset(r, 0, sizeof *r);
        r->src = d ? h->key.b : h->key.a;
        r->dst = d ? h->key.a : h->key.b;
        r->sport = d ? h->key.pb : h->key.pa;
        r->dport = d ? h->key.pa : h->key.pb;
        r->proto = h->key.proto;
        r->af = h->key.af;
        r->tcp_flags = h->tcp_flags[d];
        r->bytes = b[d];
        r->packets = p[d];
        r->first_us = r->last_us = (int64_t)a->now * 1000000;
        r->sampling = 1;
    }
}

void agg_flush_one(struct agg *a, uint32_t idx)
{
    struct flow_hot *h = &a->hot[idx];
    if (!h->key.af || !(h->d_pkts[0] | h->d_pkts[1]))
        return;
    uint64_t b[2] = {h->d_bytes[0], h->d_bytes[1]};
    uint64_t p[2] = {h->d_pkts[0], h->d_pkts[1]};
    if (a->delta_sink.emit && h->key.proto != 1 && h->key.proto != 58)
        agg_delta_out(a, h, b, p);
    h->d_bytes[0] = h->d_bytes[1] = 0;
    h->d_pkts[0] = h->d_pkts[1] = 0;
    struct flow_cold *c = &a->cold[idx];
    if (c->ref[FLOW_REF_HOST_A] == STAT_NONE)
        agg_resolve(a, &h->key, c);
    struct agg_rows rw;
    agg_rows_of_refs(a, &h->key, c, &rw);
    struct stat_span now = {a->now, a->now, b[0] + b[1], 0};
    agg_book(a, &h->key, c, &rw, b, p, &now);
}

/* Start loading what flushing conversation idx will touch: the rows it feeds, or for a new
 * conversation the index slots of its hosts and pair. */
static void agg_prefetch_flow(const struct agg *a, uint32_t idx)
{
    const struct flow_hot *h = &a->hot[idx];
    const struct flow_cold *c = &a->cold[idx];
    if (!h->key.af)
        return;
    if (c->ref[FLOW_REF_HOST_A] == STAT_NONE) {
        stat_table_prefetch_key(a->st[AGG_T_HOST], &h->key.a);
        stat_table_prefetch_key(a->st[AGG_T_HOST], &h->key.b);
        return;
    }
    stat_table_prefetch_entry(a->st[AGG_T_HOST], c->ref[FLOW_REF_HOST_A], a->now);
    stat_table_prefetch_entry(a->st[AGG_T_HOST], c->ref[FLOW_REF_HOST_B], a->now);
    stat_table_prefetch_entry(a->st[AGG_T_PAIR], c->ref[FLOW_REF_PAIR], a->now);
}

void agg_flush_captured(struct agg *a)
{
    /* flush in groups, prefetching a group ahead so the row lookups overlap */
    enum { AHEAD = 8 };
    struct flow_cold *cold = a->cold;
    for (uint32_t i = 0; i < a->n_dirty && i < AHEAD; i++)
        __builtin_prefetch(&cold[a->dirty[i]]);
    for (uint32_t i = 0; i < a->n_dirty; i++) {
        if (i + AHEAD < a->n_dirty) {
            __builtin_prefetch(&cold[a->dirty[i + AHEAD]]);
            agg_prefetch_flow(a, a->dirty[i + AHEAD / 2]);
        }
        agg_flush_one(a, a->dirty[i]);
    }
    a->n_dirty = 0;
    agg_delta_drain(a);
}

static void agg_mark_dirty(struct agg *a, uint32_t idx)
{
    if (a->n_dirty == a->cap_dirty) {
        if (a->cap_dirty >= flow_table_capacity(a->ft) * 2u) {
            agg_flush(a); /* bounded: flush early rather than grow without limit */
        } else {
            a->cap_dirty *= 2;
            a->dirty = xrealloc(a->dirty, a->cap_dirty * sizeof *a->dirty);
        }
    }
    a->dirty[a->n_dirty++] = idx;
}

static void agg_drop_flow(struct agg *a, uint32_t idx)
{
    struct flow_cold *c = &a->cold[idx];
    static const enum agg_table ref_table[4] = {AGG_T_HOST, AGG_T_HOST, AGG_T_PAIR, AGG_T_PORT};
    for (int r = 0; r < 4; r++)
        if (c->ref[r] != STAT_NONE)
            stat_table_unref(a->st[ref_table[r]], c->ref[r]);
    if (a->flow_if)
        a->flow_if[2 * idx] = a->flow_if[2 * idx + 1] = 0;
    flow_table_remove(a->ft, idx);
    if (idx == a->next_evict)
        a->next_evict = FLOW_NONE; /* gone some other way (expired) */
}

/* Look for the conversation to evict: of a few consecutive ones at a moving hand (a clock
 * sweep: neighbours share cache lines, where random picks miss on every one), the stalest, and
 * among equally stale ones the smallest (a flood of new keys must not push out the heavy
 * hitter). */
static uint32_t agg_sweep_flow(struct agg *a)
{
    const struct flow_hot *hot = a->hot;
    const struct flow_cold *cold = a->cold;
    uint32_t slots = flow_table_slots(a->ft);
    uint32_t victim = FLOW_NONE;
    uint64_t vbytes = 0;
    for (uint32_t n = 0, seen = 0; n < slots && seen < EVICT_SAMPLES; n++) {
        if (a->evict_hand >= slots)
            a->evict_hand = 0;
        uint32_t idx = a->evict_hand++;
        if (!hot[idx].key.af)
            continue;
        seen++;
        uint64_t b = agg_flow_bytes_at(hot, cold, idx);
        if (victim == FLOW_NONE || hot[idx].last_sec < hot[victim].last_sec ||
            (hot[idx].last_sec == hot[victim].last_sec && b < vbytes)) {
            victim = idx;
            vbytes = b;
        }
    }
    return victim;
}

/* Make room for one conversation. The sweep runs one eviction ahead: what dropping the next
 * victim touches (its index slot, the rows it references) is prefetched meanwhile. */
void agg_evict_flow(struct agg *a)
{
    const struct flow_hot *hot = a->hot;
    uint32_t victim = a->next_evict;
    if (victim == FLOW_NONE || victim >= flow_table_slots(a->ft) || !hot[victim].key.af)
        victim = agg_sweep_flow(a);
    uint32_t next = agg_sweep_flow(a);
    a->next_evict = next == victim ? FLOW_NONE : next;
    if (a->next_evict != FLOW_NONE) {
        static const enum agg_table ref_table[4] = {AGG_T_HOST, AGG_T_HOST, AGG_T_PAIR,
                                                    AGG_T_PORT};
        const struct flow_cold *c = &a->cold[next];
        flow_table_prefetch(a->ft, hot[next].hash);
        for (int r = 0; r < 4; r++)
            if (c->ref[r] != STAT_NONE)
                __builtin_prefetch(stat_table_centry(a->st[ref_table[r]], c->ref[r]));
    }
    if (victim == FLOW_NONE)
        return;
    agg_flush_one(a, victim);
    agg_drop_flow(a, victim);
    a->flow_evicted++;
}

void agg_expire(struct agg *a)
{
    struct flow_hot *hot = a->hot;
    uint32_t slots = flow_table_slots(a->ft);
    if (!slots)
        return;
    /* a slice per tick: each conversation is looked at every few seconds */
    uint32_t slice = slots / 4 + 1024;
    if (slice > slots)
        slice = slots;
    for (uint32_t n = 0; n < slice; n++) {
        if (a->expire_cursor >= slots)
            a->expire_cursor = 0;
        uint32_t idx = a->expire_cursor++;
        if (!hot[idx].key.af || (hot[idx].d_pkts[0] | hot[idx].d_pkts[1]))
            continue;
        if (a->now - hot[idx].last_sec > a->lim.idle_timeout) {
            agg_drop_flow(a, idx);
            a->expired++;
        }
    }
}


/* A captured record: into its conversation's pending deltas (the conversation goes on the
 * dirty list the first time it moves since the last flush), or, when too big for the compact
 * pending counters, booked straight away. */
void agg_add_captured(struct agg *a, const struct flow_rec *r, uint32_t idx, int dir)
{
    struct flow_hot *h = &a->hot[idx];
    if (r->bytes >= UINT32_MAX - h->d_bytes[dir] || r->packets >= UINT32_MAX - h->d_pkts[dir]) {
        agg_flush_one(a, idx);
        struct flow_cold *c = &a->cold[idx];
        if (c->ref[FLOW_REF_HOST_A] == STAT_NONE)
            agg_resolve(a, &h->key, c);
        struct agg_rows rw;
        agg_rows_of_refs(a, &h->key, c, &rw);
        uint64_t b[2] = {0, 0}, p[2] = {0, 0};
        b[dir] = r->bytes;
        p[dir] = r->packets;
        struct stat_span now = {a->now, a->now, r->bytes, 0};
        agg_book(a, &h->key, c, &rw, b, p, &now);
        return;
    }
    if (!(h->d_pkts[0] | h->d_pkts[1]))
        agg_mark_dirty(a, idx);
    h->d_bytes[dir] += (uint32_t)r->bytes;
    h->d_pkts[dir] += (uint32_t)(r->packets ? r->packets : 1);
}
