/*
 * agg.c - the aggregator (see agg.h for the model, agg_priv.h for its files): life, the
 * dispatch of each record to the capture or the export bookings, flush and time, totals.
 *
 * Per record: find or insert the conversation, add to its pending per-second deltas, and
 * remember it on the dirty list the first time it moves. Records arrive in batches, so the
 * lookup runs in three passes (hash + prefetch the index slot, prefetch the entry, update):
 * the memory latency of one record overlaps the work on the others.
 *
 * Per flush (once per data second): every dirty conversation books its deltas into the host,
 * pair, port, application and protocol rows it resolved on its first flush; flow exports' held
 * pair bookings are applied, then the host bookings they hold, then the export classes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_priv.h"
#include "flowdrill/xalloc.h"

static const char *const agg_table_names[AGG_T_MAX] = {
    "host", "pair", "port", "app", "proto", "exporter", "iface", "flow"};

const char *agg_table_name(enum agg_table t)
{
    return (unsigned)t < AGG_T_MAX ? agg_table_names[t] : "?";
}

int agg_table_parse(const char *name)
{
    for (int i = 0; i < AGG_T_MAX; i++)
        if (strcmp(name, agg_table_names[i]) == 0)
            return i;
    return -1;
}

void agg_limits_default(struct agg_limits *l)
{
    l->max_flows = 250000;
    l->max_hosts = 100000;
    l->max_pairs = 100000;
    l->max_ports = 16384;
    l->max_apps = AGG_APP_MAX;
    l->idle_timeout = 60;
}

struct agg *agg_new(const struct agg_limits *lim, const struct localnet *ln,
                    const struct service_db *svc, uint64_t seed)
{
    struct agg *a = xcalloc(1, sizeof *a);
    a->lim = *lim;
    if (a->lim.max_apps < AGG_APP_MAX)
        a->lim.max_apps = AGG_APP_MAX;
    if (!a->lim.idle_timeout)
        a->lim.idle_timeout = 1;
    a->ln = ln;
    a->svc = svc;
    a->ft = flow_table_new(lim->max_flows ? lim->max_flows : 1, seed);
    a->hot = flow_table_hot(a->ft);
    a->cold = flow_table_cold(a->ft);
    a->st[AGG_T_HOST] = stat_table_new(sizeof(struct flow_addr), lim->max_hosts, seed ^ 1);
    /* the same seed: a pair's hash is joined from its hosts' (agg_keys_of) */
    a->st[AGG_T_PAIR] = stat_table_new(2 * sizeof(struct flow_addr), lim->max_pairs, seed ^ 1);
    a->st[AGG_T_PORT] = stat_table_new(AGG_PORT_KEY, lim->max_ports, seed ^ 3);
    a->st[AGG_T_APP] = stat_table_new(STAT_KEY_MAX, a->lim.max_apps, seed ^ 4);
    a->st[AGG_T_PROTO] = stat_table_new(1, 256, seed ^ 5);
    a->st[AGG_T_EXPORTER] = stat_table_new(AGG_EXPORTER_KEY, AGG_MAX_EXPORTERS, seed ^ 6);
    a->st[AGG_T_IFACE] = stat_table_new(AGG_IFACE_KEY, AGG_MAX_IFACES, seed ^ 7);
    for (int i = 0; i < AGG_T_FLOW; i++)
        if (!a->st[i])
            abort(); /* limits were validated by the caller */
    a->addr_seed = stat_table_seed(a->st[AGG_T_HOST]);
    for (int i = 0; i < 256; i++)
        a->proto_idx[i] = a->app_by_proto[i] = STAT_NONE;
    a->next_evict = FLOW_NONE;
    a->exporter_cache.idx = STAT_NONE;
    for (int i = 0; i < AGG_IFACE_CACHE; i++)
        a->iface_cache[i].idx = STAT_NONE;
    a->cap_dirty = 1024;
    a->dirty = xmalloc(a->cap_dirty * sizeof *a->dirty);
    size_t addr = sizeof(struct flow_addr);
    /* a pair booking carries its hosts' hashes after the key (agg_defer_pair) */
    stat_defer_init(&a->pair_defer, AGG_PAIR_DEFER, STAT_BOOKING_SIZE(2 * addr) + 8);
    stat_defer_init(&a->host_defer, AGG_HOST_DEFER, STAT_BOOKING_SIZE(addr));
    export_class_init(&a->classes, AGG_CLASSES, seed ^ 8);
    return a;
}

void agg_set_delta_sink(struct agg *a, struct flow_sink s)
{
    a->delta_sink = s;
    if (s.emit && !a->delta_buf)
        a->delta_buf = xcalloc(AGG_DELTA_BATCH, sizeof *a->delta_buf);
}

void agg_free(struct agg *a)
{
    if (!a)
        return;
    xfree_reserve(a->flow_if, agg_flow_if_bytes(a));
    flow_table_free(a->ft);
    for (int i = 0; i < AGG_T_FLOW; i++)
        stat_table_free(a->st[i]);
    free(a->dirty);
    free(a->delta_buf);
    stat_defer_free(&a->pair_defer);
    stat_defer_free(&a->host_defer);
    export_class_free(&a->classes);
    free(a);
}

void agg_flush(struct agg *a)
{
    agg_flush_captured(a);
    agg_apply_pairs(a); /* before the hosts: they hold host bookings */
    agg_apply_hosts(a);
    agg_apply_classes(a);
}

void agg_advance(struct agg *a, uint32_t now_sec)
{
    if (!a->started) {
        a->started = true;
        a->now = a->start = now_sec;
        return;
    }
    if (now_sec <= a->now)
        return;
    agg_flush(a);
    a->now = now_sec;
    agg_expire(a);
}

void agg_finish(struct agg *a)
{
    agg_flush(a);
    if (a->started)
        a->now++;
}

static inline uint32_t agg_rec_sec(const struct flow_rec *r)
{
    return r->last_us <= 0 ? 0 : (uint32_t)(r->last_us / 1000000);
}

/* A record's first second (UINT32_MAX when it has none: agg_span_ends takes the last then). */
static inline uint32_t agg_rec_first(const struct flow_rec *r)
{
    return r->first_us <= 0 ? UINT32_MAX : (uint32_t)(r->first_us / 1000000);
}

static void agg_add_one(struct agg *a, const struct flow_rec *r, uint32_t hash,
                        const struct agg_keys *kx)
{
    int dir;
    bool is_new = false;
    uint32_t idx = flow_table_find(a->ft, r, hash, &dir);
    if (idx == FLOW_NONE) {
        if (flow_table_full(a->ft) && (r->flags & FLOW_REC_EXPORTED) &&
            !agg_admit_flow(a, r->bytes)) {
            a->flows++;
            a->flow_refused++;
            agg_add_export(a, r, kx, FLOW_NONE, 0, true);
            return;
        }
        if (flow_table_full(a->ft))
            agg_evict_flow(a);
        idx = flow_table_insert(a->ft, r, hash);
        a->cold[idx].first_sec = a->now;
        dir = 0;
        is_new = true;
        a->flows++;
    }
    struct flow_hot *h = &a->hot[idx];
    h->last_sec = a->now;
    h->tcp_flags[dir] |= r->tcp_flags;
    if (r->flags & FLOW_REC_EXPORTED)
        agg_add_export(a, r, kx, idx, dir, is_new);
    else
        agg_add_captured(a, r, idx, dir);
}

/*
 * Records go in batches, in three passes so that the memory latency of one record overlaps the
 * work on the others: hash (the conversation, and for flow exports its host and pair rows) and
 * prefetch the index slots; read the slots and prefetch the entries they lead to (for exports,
 * the rows' headers and the history buckets of the record's span); then do the work.
 */
void agg_add(struct agg *a, const struct flow_rec *recs, size_t n)
{
    uint32_t hash[AGG_BATCH], sec[AGG_BATCH];
    struct agg_keys kx[AGG_BATCH];
    while (n) {
        size_t m = n < AGG_BATCH ? n : AGG_BATCH;
        for (size_t i = 0; i < m; i++) {
            hash[i] = flow_table_hash(a->ft, &recs[i]);
            flow_table_prefetch(a->ft, hash[i]);
            sec[i] = agg_rec_sec(&recs[i]);
            if (recs[i].flags & FLOW_REC_EXPORTED) {
                agg_keys_of(a, &recs[i].src, &recs[i].dst, &kx[i]);
                kx[i].last = sec[i];
                kx[i].first = agg_rec_first(&recs[i]);
            }
        }
        for (size_t i = 0; i < m; i++)
            flow_table_prefetch_entry(a->ft, hash[i]);
        for (size_t i = 0; i < m; i++) {
            if (sec[i] > a->now || !a->started)
                agg_advance(a, sec[i]);
            agg_add_one(a, &recs[i], hash[i], &kx[i]);
        }
        recs += m;
        n -= m;
    }
}

static void agg_sink_emit(void *ctx, const struct flow_rec *recs, size_t n)
{
    agg_add(ctx, recs, n);
}

struct flow_sink agg_sink(struct agg *a)
{
    struct flow_sink s = {agg_sink_emit, a};
    return s;
}

void agg_totals(const struct agg *a, struct agg_totals *o)
{
    memset(o, 0, sizeof *o);
    o->bytes = a->bytes;
    o->packets = a->packets;
    o->flows = a->flows;
    memcpy(o->bytes_dir, a->bytes_dir, sizeof o->bytes_dir);
    memcpy(o->packets_dir, a->packets_dir, sizeof o->packets_dir);
    o->active_flows = flow_table_count(a->ft);
    o->expired_flows = a->expired;
    o->evicted[AGG_T_FLOW] = a->flow_evicted;
    o->folded[AGG_T_FLOW] = a->flow_refused;
    o->rows[AGG_T_FLOW] = flow_table_count(a->ft);
    o->memory = flow_table_memory(a->ft) + a->cap_dirty * sizeof *a->dirty +
                stat_defer_memory(&a->pair_defer) + stat_defer_memory(&a->host_defer) +
                export_class_memory(&a->classes);
    for (int i = 0; i < AGG_T_FLOW; i++) {
        o->evicted[i] = stat_table_evicted(a->st[i]);
        o->folded[i] = stat_table_folded(a->st[i]);
        o->rows[i] = stat_table_count(a->st[i]);
        o->memory += stat_table_memory(a->st[i]);
    }
    o->now_sec = a->now;
    o->start_sec = a->start;
}

uint64_t agg_total_window(const struct agg *a, uint32_t secs)
{
    return stat_hist_window(a->hist_d, a->hist_last, a->hist_shift, a->now, secs);
}

uint32_t agg_now(const struct agg *a)
{
    return a->now;
}

struct stat_table *agg_stat_table(const struct agg *a, enum agg_table t)
{
    return (unsigned)t < AGG_T_FLOW ? a->st[t] : NULL;
}

struct flow_table *agg_flow_table(const struct agg *a)
{
    return a->ft;
}

const struct service_db *agg_services(const struct agg *a)
{
    return a->svc;
}
