/*
 * agg.c - the aggregator (see agg.h for the model).
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

#include "flowdrill/agg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/export_class.h"
#include "flowdrill/flow_table.h"
#include "flowdrill/hash.h"
#include "flowdrill/stat_defer.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/xalloc.h"

#define AGG_BATCH 32
#define AGG_APP_MAX 8192 /* more than every service name and protocol: never evicts */
#define EVICT_SAMPLES 8
#define AGG_MAX_EXPORTERS 4096
#define AGG_MAX_IFACES 65536
#define AGG_EXPORTER_KEY 20 /* address + domain */
#define AGG_IFACE_KEY 24    /* address + domain + ifindex */
#define AGG_HOST_DEFER (1u << 20) /* host bookings held between flushes: 48 bytes each, pages \
                                  * touched as they fill; a second's at 0.5M records/s */
#define AGG_PAIR_DEFER (1u << 18) /* pair bookings held (one per exported record): 72 bytes \
                                  * each; applied when a group fills, or on flush */
#define AGG_CLASSES 1024          /* export classes summed between flushes (~600 bytes each) */

/* A remembered row of a small, rarely evicting table (exporters, interfaces): valid while the
 * table has evicted nothing since it was looked up. */
struct agg_row_cache {
    uint8_t key[AGG_IFACE_KEY];
    uint32_t idx; /* STAT_NONE: empty */
    uint64_t evicted;
};

#define AGG_IFACE_CACHE 4 /* by ifindex % 4 */

struct agg {
    struct agg_limits lim;
    const struct localnet *ln;
    const struct service_db *svc;
    struct flow_table *ft;
    struct flow_hot *hot;   /* ft's entries, which never move (flow_table.h): no call per use */
    struct flow_cold *cold;
    struct stat_table *st[AGG_T_MAX]; /* AGG_T_FLOW unused */
    uint64_t addr_seed;               /* the host and pair tables' (agg_keys_of) */
    uint32_t proto_idx[256];          /* proto number -> row, STAT_NONE until seen */
    uint32_t app_by_proto[256];       /* port-less protocols -> app row */
    uint32_t *dirty;
    uint32_t n_dirty, cap_dirty;
    uint32_t now, start;
    bool started;
    uint32_t expire_cursor;
    uint32_t evict_hand; /* clock hand of flow eviction */
    uint32_t next_evict; /* the conversation to evict next, FLOW_NONE if none picked yet */
    uint64_t bytes, packets, flows, expired;
    uint64_t bytes_dir[5], packets_dir[5];
    uint64_t flow_evicted;
    uint64_t flow_refused; /* exported conversations a full table did not admit */
    struct stat_defer pair_defer; /* flow exports' pair bookings, applied on flush ... */
    struct stat_defer host_defer; /* ... each making two host bookings, applied after them */
    struct export_class_set classes; /* flow exports' small rows, summed until flush */
    struct agg_row_cache exporter_cache, iface_cache[AGG_IFACE_CACHE];
    /* flow exports: per conversation, the interface rows (+1; 0 = none) of the export that
     * last reported it, [2 * idx] input and [2 * idx + 1] output; reserved on the first
     * export, so capture-only runs never touch it */
    uint32_t *flow_if;
    uint32_t hist_d[STAT_HIST]; /* all traffic's history ring (stat_hist.h) */
    uint32_t hist_last, hist_max;
    uint8_t hist_shift;
    uint32_t class_now; /* the second the classes' pending rings end at */
    /* agg_set_delta_sink: captured conversations' per-second deltas, as records */
    struct flow_sink delta_sink;
    struct flow_rec *delta_buf; /* AGG_DELTA_BATCH records, made on first use */
    size_t n_delta;
};

#define AGG_DELTA_BATCH 64

static void agg_apply_classes(struct agg *a); /* export classes: on every flush */

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
    a->st[AGG_T_PORT] = stat_table_new(3, lim->max_ports, seed ^ 3);
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

static size_t agg_flow_if_bytes(const struct agg *a)
{
    return (size_t)flow_table_capacity(a->ft) * 2 * sizeof(uint32_t);
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

/* ---- finding a conversation's rows ---- */

/* The row keys of a conversation and their hashes (computed a batch ahead for flow exports,
 * with the export's seconds): endpoints x/y (a/b of the flow key; an export's source and
 * destination) in host_hash[0]/[1], and their pair. */
struct agg_keys {
    uint32_t host_hash[2];
    uint32_t pair_hash;
    uint32_t first, last; /* a flow export's own seconds (agg_rec_first, agg_rec_sec) */
    bool swapped; /* the pair key has y (a flow export's destination) first */
    uint8_t pair[2 * sizeof(struct flow_addr)]; /* lower address first */
};

/* The rows a conversation's amounts go to; STAT_NONE where it has none. */
struct agg_rows {
    uint32_t host[2]; /* endpoints a and b of the flow key */
    uint32_t pair, port, app;
    int to_svc; /* which of bytes[0] / bytes[1] goes towards the service port */
};

/* The keys of hosts x and y and of their pair, and their hashes: the hosts' own, and the
 * pair's joined from theirs (the host and pair tables share a seed: stat_table.h). */
static void agg_keys_of(const struct agg *a, const struct flow_addr *x, const struct flow_addr *y,
                        struct agg_keys *kh)
{
    _Static_assert(sizeof *x == 16, "hosts are hashed as 16-byte keys");
    bool swap = flow_addr_gt(x, y);
    uint64_t hx = stat_hash16(x, a->addr_seed), hy = stat_hash16(y, a->addr_seed);
    kh->host_hash[0] = stat_hash_fold(hx);
    kh->host_hash[1] = stat_hash_fold(hy);
    kh->swapped = swap;
    memcpy(kh->pair, swap ? y : x, sizeof *x);
    memcpy(kh->pair + sizeof *x, swap ? x : y, sizeof *x);
    kh->pair_hash = swap ? stat_hash_join(hy, hx) : stat_hash_join(hx, hy);
}

static uint32_t agg_host(struct agg *a, const struct flow_addr *addr, uint32_t hash)
{
    bool created;
    struct stat_table *t = a->st[AGG_T_HOST];
    uint32_t idx = stat_table_get_hashed(t, addr, hash, a->now, &created);
    if (created && a->ln && localnet_contains(a->ln, addr))
        stat_table_entry(t, idx)->flags |= STAT_F_LOCAL;
    return idx;
}

static void agg_app_key_of(const struct agg *a, uint8_t proto, uint16_t port, bool has_port,
                        uint8_t key[STAT_KEY_MAX])
{
    memset(key, 0, STAT_KEY_MAX);
    const char *pname = flow_proto_name(proto);
    char num[8];
    if (!pname) {
        snprintf(num, sizeof num, "ip-%u", proto);
        pname = num;
    }
    if (!has_port) {
        snprintf((char *)key, STAT_KEY_MAX, "%s", pname);
        return;
    }
    const char *name = service_db_name(a->svc, service_db_id(a->svc, port, proto));
    if (*name)
        snprintf((char *)key, STAT_KEY_MAX, "%s", name);
    else
        snprintf((char *)key, STAT_KEY_MAX, "unknown/%s", pname);
}

bool agg_flow_ifaces(const struct agg *a, uint32_t flow_idx, uint32_t ifrow[2])
{
    if (!a->flow_if || flow_idx >= flow_table_capacity(a->ft))
        return false;
    uint32_t in = a->flow_if[2 * flow_idx], out = a->flow_if[2 * flow_idx + 1];
    ifrow[0] = in ? in - 1 : STAT_NONE;
    ifrow[1] = out ? out - 1 : STAT_NONE;
    return in || out;
}

/* The service port of conversation k and whether its bytes a->b go from the service (1) or
 * to it (0); false when k has no ports. */
static bool agg_svc_of(const struct agg *a, const struct flow_key *k, uint16_t *svc, int *to_svc)
{
    if (!flow_proto_has_ports(k->proto) || !(k->pa || k->pb))
        return false;
    *svc = service_db_pick(a->svc, k->proto, k->pa, k->pb);
    *to_svc = *svc == k->pb ? 0 : 1;
    return true;
}

bool agg_port_key(const struct agg *a, const struct flow_key *k, uint8_t key[3], int *to_svc)
{
    uint16_t svc;
    if (!agg_svc_of(a, k, &svc, to_svc))
        return false;
    key[0] = (uint8_t)(svc >> 8);
    key[1] = (uint8_t)svc;
    key[2] = k->proto;
    return true;
}

bool agg_app_key(const struct agg *a, const struct flow_key *k, uint8_t key[STAT_KEY_MAX])
{
    if (!flow_proto_has_ports(k->proto)) {
        agg_app_key_of(a, k->proto, 0, false, key);
        return true;
    }
    if (!(k->pa || k->pb))
        return false;
    agg_app_key_of(a, k->proto, service_db_pick(a->svc, k->proto, k->pa, k->pb), true, key);
    return true;
}

static uint32_t agg_app(struct agg *a, uint8_t proto, uint16_t port, bool has_port)
{
    uint8_t key[STAT_KEY_MAX];
    bool created;
    agg_app_key_of(a, proto, port, has_port, key);
    return stat_table_get(a->st[AGG_T_APP], key, a->now, &created);
}

static uint32_t agg_proto(struct agg *a, uint8_t proto)
{
    if (a->proto_idx[proto] == STAT_NONE) {
        bool created;
        a->proto_idx[proto] = stat_table_get(a->st[AGG_T_PROTO], &proto, a->now, &created);
    }
    return a->proto_idx[proto];
}

/* Port row of a conversation, with its application row cached in the port row's aux
 * (the application table never evicts, so the cached index stays valid). */
static uint32_t agg_port(struct agg *a, const struct flow_key *k, uint32_t *app, int *to_svc)
{
    uint16_t svc = service_db_pick(a->svc, k->proto, k->pa, k->pb);
    uint8_t key[3] = {(uint8_t)(svc >> 8), (uint8_t)svc, k->proto};
    bool created;
    struct stat_table *t = a->st[AGG_T_PORT];
    uint32_t idx = stat_table_get(t, key, a->now, &created);
    struct stat_entry *e = stat_table_entry(t, idx);
    *to_svc = svc == k->pb ? 0 : 1;
    if (idx == STAT_OTHER) {
        *app = agg_app(a, k->proto, svc, true);
    } else {
        if (created || !e->aux)
            e->aux = (uint64_t)agg_app(a, k->proto, svc, true) + 1;
        *app = (uint32_t)e->aux - 1;
    }
    return idx;
}

/* The port, application and protocol rows of conversation k (counting it in their flows with
 * `count`). */
static void agg_service_rows(struct agg *a, const struct flow_key *k, bool count,
                             struct agg_rows *rw)
{
    rw->port = rw->app = STAT_NONE;
    rw->to_svc = 0;
    if (flow_proto_has_ports(k->proto) && (k->pa || k->pb)) {
        rw->port = agg_port(a, k, &rw->app, &rw->to_svc);
        if (count) {
            stat_table_entry(a->st[AGG_T_PORT], rw->port)->flows++;
            stat_table_entry(a->st[AGG_T_APP], rw->app)->flows++;
        }
    } else if (!flow_proto_has_ports(k->proto)) {
        if (a->app_by_proto[k->proto] == STAT_NONE)
            a->app_by_proto[k->proto] = agg_app(a, k->proto, 0, false);
        rw->app = a->app_by_proto[k->proto];
        if (count)
            stat_table_entry(a->st[AGG_T_APP], rw->app)->flows++;
    }
    /* else: ports unknown (non-first fragments): hosts and protocol only */
    if (count)
        stat_table_entry(a->st[AGG_T_PROTO], agg_proto(a, k->proto))->flows++;
}

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

/* Mark a host row created by a held booking local when its address is. */
static void agg_host_booked(void *ctx, const struct stat_booking *b, struct stat_entry *e,
                            bool created, enum stat_got got)
{
    const struct agg *a = ctx;
    (void)got;
    struct flow_addr addr;
    memcpy(&addr, b->key, sizeof addr);
    if (created && a->ln && localnet_contains(a->ln, &addr))
        e->flags |= STAT_F_LOCAL;
}

static void agg_apply_hosts(struct agg *a)
{
    /* without local networks there is nothing to do after a host booking: no call */
    stat_defer_apply(&a->host_defer, a->st[AGG_T_HOST], a->now,
                     a->ln && a->ln->n ? agg_host_booked : NULL, a);
}

/* A slot for one more booking in holder d, applying what it holds (`apply`) first when the
 * booking's group is full. */
static struct stat_booking *agg_hold(struct agg *a, struct stat_defer *d, uint32_t hash,
                                     void (*apply)(struct agg *))
{
    struct stat_booking *b = stat_defer_push(d, hash);
    if (!b) {
        apply(a);
        if (!(b = stat_defer_push(d, hash)))
            abort(); /* applying empties every group */
    }
    return b;
}

/* Hold host h's booking (0: the lower address) of held pair booking pb, once booked. */
static inline void agg_hold_host(struct agg *a, const struct stat_booking *pb, int h, bool count,
                                 bool peer)
{
    const size_t len = sizeof(struct flow_addr);
    uint32_t hash;
    memcpy(&hash, pb->key + 2 * len + h * sizeof hash, sizeof hash); /* agg_defer_pair */
    struct stat_booking *b = agg_hold(a, &a->host_defer, hash, agg_apply_hosts);
    memcpy(b->key, pb->key + h * len, len);
    b->first = pb->first;
    b->last = pb->last;
    b->flows = count && pb->flows;
    b->aux = peer;
    b->side = (uint8_t)(pb->side ^ h);
    b->bytes = pb->bytes;
    b->pkts = pb->pkts;
}

/* A held pair booking, once booked, holds the bookings of its two hosts (in the pair key, lower
 * address first) for the host table: the pair's side is the lower host's (0: it sent the
 * bytes), a pair the table had not seen lately is a new peer of both, and a host talking to
 * itself gets one booking: counted once in its flows, peers, bytes and packets. */
static void agg_pair_booked(void *ctx, const struct stat_booking *pb, struct stat_entry *e,
                            bool created, enum stat_got got)
{
    struct agg *a = ctx;
    (void)e;
    (void)created;
    const size_t len = sizeof(struct flow_addr);
    bool same = memcmp(pb->key, pb->key + len, len) == 0;
    bool peer = got == STAT_GOT_NEW;
    agg_hold_host(a, pb, 0, true, peer);
    if (!same) /* self-talk: its bytes once, sent (agg_book) */
        agg_hold_host(a, pb, 1, true, peer);
}

static void agg_apply_pairs(struct agg *a)
{
    stat_defer_apply(&a->pair_defer, a->st[AGG_T_PAIR], a->now, agg_pair_booked, a);
}

/* Hold the pair booking of an exported conversation (its key and hash in kh, from
 * agg_keys_of(source, destination)) until the next flush, when it is booked and holds its
 * hosts' bookings (agg_pair_booked): `bytes` and `pkts` going from its source over span sp;
 * `count` counts it in the flows of the pair and both hosts. */
static void agg_defer_pair(struct agg *a, const struct agg_keys *kh, uint64_t bytes,
                           uint64_t pkts, const struct stat_span *sp, bool count)
{
    struct stat_booking *b = agg_hold(a, &a->pair_defer, kh->pair_hash, agg_apply_pairs);
    memcpy(b->key, kh->pair, sizeof kh->pair);
    /* the hosts' hashes, in the key's order, for their bookings (agg_pair_booked) */
    uint32_t hh[2] = {kh->host_hash[kh->swapped], kh->host_hash[!kh->swapped]};
    memcpy(b->key + sizeof kh->pair, hh, sizeof hh);
    b->first = sp->first;
    b->last = sp->last;
    b->flows = count;
    b->aux = 0;
    b->side = kh->swapped; /* pairs: [0] lower address -> higher */
    b->bytes = bytes;
    b->pkts = pkts;
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
static void agg_rows_of_refs(struct agg *a, const struct flow_key *k, const struct flow_cold *c,
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
        rw->to_svc = svc == k->pb ? 0 : 1;
        rw->app = agg_app(a, k->proto, svc, true);
    } else if (rw->port != STAT_NONE) {
        const struct stat_entry *pe = stat_table_centry(a->st[AGG_T_PORT], rw->port);
        uint16_t svc = (uint16_t)(pe->key[0] << 8 | pe->key[1]);
        rw->to_svc = svc == k->pb ? 0 : 1;
        rw->app = (uint32_t)pe->aux - 1;
    } else if (!flow_proto_has_ports(k->proto)) {
        rw->app = a->app_by_proto[k->proto];
    }
}

/* Direction of a->b traffic relative to the local networks. */
static int agg_dir_local(bool la, bool lb)
{
    if (la && lb)
        return FLOW_DIR_INTERNAL;
    if (la)
        return FLOW_DIR_OUT;
    if (lb)
        return FLOW_DIR_IN;
    return FLOW_DIR_TRANSIT;
}

/* ... from the host rows' flags */
static int agg_dir(const struct stat_entry *ha, const struct stat_entry *hb)
{
    return agg_dir_local(ha->flags & STAT_F_LOCAL, hb->flags & STAT_F_LOCAL);
}

/* ... from the addresses (the host rows are not known yet) */
static int agg_dir_of(const struct agg *a, const struct flow_key *k)
{
    if (!a->ln || !a->ln->n) /* no local networks: everything is transit, no calls */
        return FLOW_DIR_TRANSIT;
    return agg_dir_local(localnet_contains(a->ln, &k->a), localnet_contains(a->ln, &k->b));
}

static inline uint32_t agg_sat_add32(uint32_t x, uint64_t y)
{
    return y >= UINT32_MAX - x ? UINT32_MAX : x + (uint32_t)y;
}

/* A conversation's own totals and its 2-second rate ring (r[0] at r_sec, r[1] at r_sec - 1). */
static inline void agg_book_conv(struct flow_cold *c, const uint64_t bytes[2],
                                 const uint64_t pkts[2], const struct stat_span *sp)
{
    for (int d = 0; d < 2; d++) {
        c->bytes[d] += bytes[d];
        c->pkts[d] += pkts[d];
    }
    uint32_t sec = sp->last > c->r_sec ? sp->last : c->r_sec;
    uint32_t r0 = c->r_sec == sec ? c->r[0] : 0;
    uint32_t r1 = c->r_sec == sec ? c->r[1] : c->r_sec + 1 == sec ? c->r[0] : 0;
    c->r[0] = agg_sat_add32(r0, stat_span_at(sp, sec));
    c->r[1] = agg_sat_add32(r1, stat_span_at(sp, sec - 1));
    c->r_sec = sec;
}

/* The totals, by direction: bytes[0] go a->b, in direction `dir` (enum flow_dir), bytes[1] the
 * other way. */
static inline void agg_book_dir(struct agg *a, int dir, const uint64_t bytes[2],
                                const uint64_t pkts[2])
{
    int rdir = dir == FLOW_DIR_IN ? FLOW_DIR_OUT : dir == FLOW_DIR_OUT ? FLOW_DIR_IN : dir;
    a->bytes_dir[dir] += bytes[0];
    a->packets_dir[dir] += pkts[0];
    a->bytes_dir[rdir] += bytes[1];
    a->packets_dir[rdir] += pkts[1];
    a->bytes += bytes[0] + bytes[1];
    a->packets += pkts[0] + pkts[1];
}

/* Book amounts of conversation (k, c) into the rows `rw` it holds (hosts and pair always;
 * port and application when it has them), its protocol's row, the totals and their history,
 * the bytes falling on the seconds of span `sp`. A flow export that holds no rows of its own
 * books less (agg_add_export). */
static void agg_book(struct agg *a, const struct flow_key *k, struct flow_cold *c,
                     const struct agg_rows *rw, const uint64_t bytes[2], const uint64_t pkts[2],
                     const struct stat_span *sp)
{
    agg_book_conv(c, bytes, pkts, sp);

    struct stat_table *host = a->st[AGG_T_HOST];
    /* hosts: [0] sent, [1] received. A host talking to itself (a == b) is booked once, as
     * the pair and the conversation book it: what it sent a->b (as tshark and nfdump count
     * it, never twice) */
    stat_table_add_span(host, rw->host[0], bytes[0], pkts[0], bytes[1], pkts[1], sp);
    if (!flow_addr_eq(&k->a, &k->b))
        stat_table_add_span(host, rw->host[1], bytes[1], pkts[1], bytes[0], pkts[0], sp);

    /* pairs: [0] lower address -> higher */
    int s = flow_addr_gt(&k->a, &k->b);
    stat_table_add_span(a->st[AGG_T_PAIR], rw->pair, bytes[s], pkts[s], bytes[!s], pkts[!s], sp);

    int f = rw->to_svc; /* ports and applications: [0] towards the service, [1] from it */
    if (rw->port != STAT_NONE)
        stat_table_add_span(a->st[AGG_T_PORT], rw->port, bytes[f], pkts[f], bytes[!f], pkts[!f],
                            sp);
    if (rw->app != STAT_NONE)
        stat_table_add_span(a->st[AGG_T_APP], rw->app, bytes[f], pkts[f], bytes[!f], pkts[!f],
                            sp);
    stat_table_add_span(a->st[AGG_T_PROTO], agg_proto(a, k->proto), bytes[0], pkts[0], bytes[1],
                        pkts[1], sp);

    int dir = agg_dir(stat_table_centry(host, rw->host[0]), stat_table_centry(host, rw->host[1]));
    agg_book_dir(a, dir, bytes, pkts);
    if (!stat_hist_add_span_fast(a->hist_d, a->hist_last, a->hist_shift, &a->hist_max, sp))
        stat_hist_add_span(
            (struct stat_hist){a->hist_d, &a->hist_last, &a->hist_shift, &a->hist_max}, sp);
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

static void agg_flush_one(struct agg *a, uint32_t idx)
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

void agg_flush(struct agg *a)
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
    agg_apply_pairs(a); /* before the hosts: they hold host bookings */
    agg_apply_hosts(a);
    agg_apply_classes(a);
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

/* Conversation idx's bytes, booked and pending. */
static inline uint64_t agg_flow_bytes_at(const struct flow_hot *hot, const struct flow_cold *cold,
                                         uint32_t idx)
{
    return cold[idx].bytes[0] + cold[idx].bytes[1] + hot[idx].d_bytes[0] + hot[idx].d_bytes[1];
}

static uint64_t agg_flow_bytes(const struct agg *a, uint32_t idx)
{
    return agg_flow_bytes_at(a->hot, a->cold, idx);
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
static void agg_evict_flow(struct agg *a)
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

static void agg_expire(struct agg *a)
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

/* A record's first second (UINT32_MAX when it has none: agg_span_ends takes the last then). */
static inline uint32_t agg_rec_first(const struct flow_rec *r)
{
    return r->first_us <= 0 ? UINT32_MAX : (uint32_t)(r->first_us / 1000000);
}

/* The seconds a flow export's bytes fall on (kx: its own seconds, found once per record):
 * [first, last], last clamped to now, first to last. */
static inline void agg_span_ends(const struct agg *a, const struct agg_keys *kx, uint32_t *first,
                                 uint32_t *last)
{
    uint32_t l = kx->last < a->now ? kx->last : a->now;
    *first = kx->first > l ? l : kx->first;
    *last = l;
}

/* How a record's bytes fall on the seconds: evenly over [first, last] (agg_span_ends), the
 * remainder on the last second. */
static void agg_span(const struct agg *a, const struct flow_rec *r, const struct agg_keys *kx,
                     struct stat_span *sp)
{
    uint32_t first, last;
    agg_span_ends(a, kx, &first, &last);
    *sp = stat_span_even(first, last, r->bytes);
}

/* stat_table_get through a one-row cache (`key` is AGG_IFACE_KEY bytes, zero-padded past the
 * table's key length): consecutive records nearly always come from the same exporter and the
 * same few interfaces. "Other" is not remembered: the key may get a row of its own later. */
static uint32_t agg_cached_get(struct agg *a, struct stat_table *t, struct agg_row_cache *c,
                               const uint8_t key[AGG_IFACE_KEY])
{
    if (c->idx != STAT_NONE && c->evicted == stat_table_evicted(t) && hash_key_eq(c->key, key, AGG_IFACE_KEY))
        return c->idx;
    bool created;
    uint32_t idx = stat_table_get(t, key, a->now, &created);
    c->idx = idx == STAT_OTHER ? STAT_NONE : idx;
    c->evicted = stat_table_evicted(t);
    memcpy(c->key, key, AGG_IFACE_KEY);
    return idx;
}

/* The exporter row of flow-export record r, and in ii its interface rows ([0] output, [1]
 * input; STAT_NONE where the record names none), held: the second lookup must not evict the
 * first. The caller releases them (stat_table_release) once it has booked them. */
static uint32_t agg_exporter_find(struct agg *a, const struct flow_rec *r, uint32_t ii[2])
{
    uint8_t key[AGG_IFACE_KEY] = {0};
    memcpy(key, r->exporter.b, 16);
    memcpy(key + 16, &r->domain, 4);
    uint32_t ei = agg_cached_get(a, a->st[AGG_T_EXPORTER], &a->exporter_cache, key);
    uint32_t ifx[2] = {r->out_if, r->in_if};
    for (int d = 0; d < 2; d++) {
        ii[d] = STAT_NONE;
        if (!ifx[d])
            continue;
        memcpy(key + 20, &ifx[d], 4);
        ii[d] = agg_cached_get(a, a->st[AGG_T_IFACE],
                               &a->iface_cache[ifx[d] % AGG_IFACE_CACHE], key);
        stat_table_hold(a->st[AGG_T_IFACE], ii[d]);
    }
    return ei;
}

/* An interface row as a conversation remembers it (flow_if): row + 1; 0 for none or "other". */
static inline uint32_t agg_ifrow(uint32_t idx)
{
    return idx != STAT_NONE && idx != STAT_OTHER ? idx + 1 : 0;
}

/* Exporter and interface rows of a flow-export record, booked at once; ifrow gets the
 * interface rows as flow_if keeps them ([0] input, [1] output). */
static void agg_exporter_rows(struct agg *a, const struct flow_rec *r, const struct stat_span *sp,
                              uint32_t ifrow[2])
{
    struct stat_table *et = a->st[AGG_T_EXPORTER], *it = a->st[AGG_T_IFACE];
    uint32_t ii[2]; /* [0] output interface, [1] input */
    uint32_t ei = agg_exporter_find(a, r, ii);
    uint64_t pk = r->packets; /* as exported: a record of 0 packets books 0 */
    stat_table_entry(et, ei)->flows++;
    stat_table_add_span(et, ei, r->bytes, pk, 0, 0, sp);
    /* interfaces: [0] bytes out through it, [1] bytes in through it */
    for (int d = 0; d < 2; d++) {
        if (ii[d] == STAT_NONE)
            continue;
        stat_table_entry(it, ii[d])->flows++;
        stat_table_add_span(it, ii[d], d ? 0 : r->bytes, d ? 0 : pk, d ? r->bytes : 0,
                            d ? pk : 0, sp);
        stat_table_release(it, ii[d]);
    }
    ifrow[0] = agg_ifrow(ii[1]);
    ifrow[1] = agg_ifrow(ii[0]);
}

/* ---- export classes (export_class.h) ---- */

/* A class's rows (export_class.row) and its key's flags (agg_class_flags). */
enum { AGG_CR_PORT, AGG_CR_APP, AGG_CR_PROTO, AGG_CR_EXPORTER, AGG_CR_IFOUT, AGG_CR_IFIN };
enum {
    AGG_CK_SVC_REV = 1,   /* ports, applications: the bytes go from the service ([1]) */
    AGG_CK_PROTO_REV = 2, /* protocol: the bytes go b->a of the conversation ([1]) */
    AGG_CK_PORT = 4,      /* a service port row (and its application) */
    AGG_CK_PORTLESS = 8   /* a protocol without ports: an application row of its own */
};
/* A class's key: the exporter's address (w[0], w[1]); its domain and input interface (w[2]);
 * its output interface, the service port (0 without one), the protocol and the flags (w[3]). */
static inline struct export_class_key agg_class_key(const struct flow_rec *r, uint16_t svc,
                                                    uint8_t proto, uint8_t flags)
{
    struct export_class_key key;
    flow_addr_words(&r->exporter, key.w);
    key.w[2] = (uint64_t)r->domain | (uint64_t)r->in_if << 32;
    key.w[3] = (uint64_t)r->out_if | (uint64_t)svc << 32 | (uint64_t)proto << 48 |
               (uint64_t)flags << 56;
    return key;
}

static inline uint8_t agg_class_flags(const struct export_class *c)
{
    return (uint8_t)(c->key.w[3] >> 56);
}

static const enum agg_table agg_class_table[EXPORT_CLASS_ROWS] = {
    AGG_T_PORT, AGG_T_APP, AGG_T_PROTO, AGG_T_EXPORTER, AGG_T_IFACE, AGG_T_IFACE};

/* Find a new class's rows, as a record of it would have found them, and hold each (a later
 * lookup in the same table must not evict it before the class is booked). */
static void agg_class_rows(struct agg *a, const struct flow_rec *r, const struct flow_key *k,
                           struct export_class *c)
{
    for (int i = 0; i < EXPORT_CLASS_ROWS; i++)
        c->row[i] = STAT_NONE;
    uint8_t flags = agg_class_flags(c);
    if (flags & AGG_CK_PORT) {
        int to_svc;
        c->row[AGG_CR_PORT] = agg_port(a, k, &c->row[AGG_CR_APP], &to_svc);
    } else if (flags & AGG_CK_PORTLESS) {
        if (a->app_by_proto[k->proto] == STAT_NONE)
            a->app_by_proto[k->proto] = agg_app(a, k->proto, 0, false);
        c->row[AGG_CR_APP] = a->app_by_proto[k->proto];
    }
    c->row[AGG_CR_PROTO] = agg_proto(a, k->proto);
    /* the interface rows come back held; hold the others */
    c->row[AGG_CR_EXPORTER] = agg_exporter_find(a, r, &c->row[AGG_CR_IFOUT]);
    for (int i = 0; i <= AGG_CR_EXPORTER; i++)
        if (c->row[i] != STAT_NONE)
            stat_table_hold(a->st[agg_class_table[i]], c->row[i]);
}

/* Book every class into its rows and the totals' history, release the rows, forget the
 * classes. */
static void agg_apply_classes(struct agg *a)
{
    struct export_class_set *s = &a->classes;
    for (uint32_t j = 0; j < s->n; j++) {
        const struct export_class *c = &s->cls[j];
        uint64_t vmax = stat_pend_max(&c->pend, a->class_now);
        uint8_t flags = agg_class_flags(c);
        for (int i = 0; i < EXPORT_CLASS_ROWS; i++) {
            uint32_t idx = c->row[i];
            if (idx == STAT_NONE)
                continue;
            struct stat_table *t = a->st[agg_class_table[i]];
            /* ports, applications: [0] towards the service; protocols: [0] a->b; exporters
             * and interfaces: [0] every byte (out through the interface), [1] in through it */
            bool rev = i <= AGG_CR_APP     ? (flags & AGG_CK_SVC_REV) != 0
                       : i == AGG_CR_PROTO ? (flags & AGG_CK_PROTO_REV) != 0
                                           : i == AGG_CR_IFIN;
            /* services count conversations; exporters and interfaces count records */
            stat_table_entry(t, idx)->flows += i <= AGG_CR_PROTO ? c->flows : c->records;
            uint64_t b0 = rev ? 0 : c->bytes, p0 = rev ? 0 : c->packets;
            stat_table_add_pend(t, idx, b0, p0, c->bytes - b0, c->packets - p0, c->first, c->last,
                                &c->pend, a->class_now, vmax);
            stat_table_release(t, idx);
        }
        stat_hist_add_pend((struct stat_hist){a->hist_d, &a->hist_last, &a->hist_shift,
                                              &a->hist_max},
                           &c->pend, a->class_now, vmax);
    }
    export_class_reset(s);
}

/* The class of export r of conversation k (dir: r goes b->a of k), created with its rows if
 * new. */
static struct export_class *agg_class_of(struct agg *a, const struct flow_rec *r,
                                         const struct flow_key *k, int dir)
{
    int to_svc = 0;
    uint16_t svc = 0;
    uint8_t flags = dir ? AGG_CK_PROTO_REV : 0;
    if (!flow_proto_has_ports(k->proto))
        flags |= AGG_CK_PORTLESS;
    else if (agg_svc_of(a, k, &svc, &to_svc))
        flags |= AGG_CK_PORT;
    /* else ports unknown (non-first fragments): protocol, exporter and interfaces only */
    if (dir != to_svc)
        flags |= AGG_CK_SVC_REV;
    struct export_class_key key = agg_class_key(r, svc, k->proto, flags);
    if (!a->classes.n)
        a->class_now = a->now; /* the second the pending rings end at, until they are booked */
    bool created;
    struct export_class *c = export_class_get(&a->classes, &key, &created);
    if (!c) { /* full: book what is held */
        agg_apply_classes(a);
        a->class_now = a->now;
        c = export_class_get(&a->classes, &key, &created);
    }
    if (created)
        agg_class_rows(a, r, k, c);
    return c;
}

/* A flow export: booked into its conversation row at once, spread over its span; its pair
 * row is held until the flush (agg_defer_pair), and its host rows after that, and its service,
 * exporter and interface rows and the totals' history summed in its class (agg_class_of) until
 * then. The conversation keeps no references to the rows (they are looked up again by their
 * keys' hashes): most exported conversations get one record, and references
 * would cost a cache miss on every row when the conversation goes. idx is FLOW_NONE for a
 * conversation the full conversation table did not admit: its key is then the record's own
 * (a = src). */
static void agg_add_export(struct agg *a, const struct flow_rec *r, const struct agg_keys *kx,
                           uint32_t idx, int dir, bool is_new)
{
    struct flow_key own;
    const struct flow_key *k;
    struct flow_cold *c = NULL;
    if (idx != FLOW_NONE) {
        agg_flush_one(a, idx); /* captured packets of the same conversation, if any */
        k = &a->hot[idx].key;
        c = &a->cold[idx];
    } else {
        flow_key_of(r, &own);
        k = &own;
    }
    struct stat_span sp;
    agg_span(a, r, kx, &sp);
    uint64_t b[2] = {0, 0}, pk[2] = {0, 0};
    b[dir] = r->bytes;
    pk[dir] = r->packets; /* as exported, never invented (0 stays 0) */
    struct agg_rows rw;
    uint32_t ifrow[2];
    if (c && c->ref[FLOW_REF_HOST_A] != STAT_NONE) {
        agg_rows_of_refs(a, k, c, &rw); /* captured first: it holds its rows */
        agg_book(a, k, c, &rw, b, pk, &sp);
        agg_exporter_rows(a, r, &sp, ifrow);
    } else {
        /* what agg_book does for it: the rows come from its pair and its class (below) */
        if (c)
            agg_book_conv(c, b, pk, &sp);
        agg_book_dir(a, agg_dir_of(a, k), b, pk);
        agg_defer_pair(a, kx, r->bytes, pk[dir], &sp, is_new);
        struct export_class *xc = agg_class_of(a, r, k, dir);
        export_class_add(xc, r->bytes, pk[dir], &sp, a->class_now, is_new);
        ifrow[0] = agg_ifrow(xc->row[AGG_CR_IFIN]);
        ifrow[1] = agg_ifrow(xc->row[AGG_CR_IFOUT]);
    }
    if ((ifrow[0] | ifrow[1]) && idx != FLOW_NONE) {
        if (!a->flow_if)
            a->flow_if = xalloc_reserve(agg_flow_if_bytes(a));
        a->flow_if[2 * idx] = ifrow[0];
        a->flow_if[2 * idx + 1] = ifrow[1];
    }
}

/* Admission of a new exported conversation into the full conversation table: only if its
 * record is larger than the conversation to be evicted next. Unlike the stat tables there is
 * no second-sighting rule: an exporter reports a conversation again only at its active
 * timeout (a minute or more), long after a doorkeeper sized to the table has forgotten it at
 * any rate that fills the table; and checking one cost a quarter of the time of a record. */
static bool agg_admit_flow(struct agg *a, uint64_t bytes)
{
    uint32_t v = a->next_evict;
    if (v == FLOW_NONE || v >= flow_table_slots(a->ft) || !a->hot[v].key.af)
        return true;
    return bytes > agg_flow_bytes(a, v);
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
    if (r->flags & FLOW_REC_EXPORTED) {
        agg_add_export(a, r, kx, idx, dir, is_new);
        return;
    }
    if (r->bytes >= UINT32_MAX - h->d_bytes[dir] || r->packets >= UINT32_MAX - h->d_pkts[dir]) {
        /* too big for the compact pending counters: book it straight away */
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
