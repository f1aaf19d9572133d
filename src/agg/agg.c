/*
 * agg.c - the aggregator (see agg.h for the model).
 *
 * Per record: find or insert the conversation, add to its pending per-second deltas, and
 * remember it on the dirty list the first time it moves. Records arrive in batches, so the
 * lookup runs in three passes (hash + prefetch the index slot, prefetch the entry, update):
 * the memory latency of one record overlaps the work on the others.
 *
 * Per flush (once per data second): every dirty conversation books its deltas into the host,
 * pair, port, application and protocol rows it resolved on its first flush.
 */
#include "config.h"

#include "flowdrill/agg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/flow_table.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/xalloc.h"

#define AGG_BATCH 32
#define AGG_APP_MAX 8192 /* more than every service name and protocol: never evicts */
#define EVICT_SAMPLES 8
#define AGG_MAX_EXPORTERS 4096
#define AGG_MAX_IFACES 65536
#define AGG_EXPORTER_KEY 20 /* address + domain */
#define AGG_IFACE_KEY 24    /* address + domain + ifindex */

struct agg {
    struct agg_limits lim;
    const struct localnet *ln;
    const struct service_db *svc;
    struct flow_table *ft;
    struct stat_table *st[AGG_T_MAX]; /* AGG_T_FLOW unused */
    uint32_t proto_idx[256];          /* proto number -> row, STAT_NONE until seen */
    uint32_t app_by_proto[256];       /* port-less protocols -> app row */
    uint32_t *dirty;
    uint32_t n_dirty, cap_dirty;
    uint32_t now, start;
    bool started;
    uint32_t expire_cursor;
    uint32_t evict_hand; /* clock hand of flow eviction */
    uint64_t bytes, packets, flows, expired;
    uint64_t bytes_dir[5], packets_dir[5];
    uint64_t flow_evicted;
    uint32_t hist[STAT_HIST];
    uint32_t hist_last;
    uint8_t hist_shift;
};

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
    a->st[AGG_T_HOST] = stat_table_new(sizeof(struct flow_addr), lim->max_hosts, seed ^ 1);
    a->st[AGG_T_PAIR] = stat_table_new(2 * sizeof(struct flow_addr), lim->max_pairs, seed ^ 2);
    a->st[AGG_T_PORT] = stat_table_new(3, lim->max_ports, seed ^ 3);
    a->st[AGG_T_APP] = stat_table_new(STAT_KEY_MAX, a->lim.max_apps, seed ^ 4);
    a->st[AGG_T_PROTO] = stat_table_new(1, 256, seed ^ 5);
    a->st[AGG_T_EXPORTER] = stat_table_new(AGG_EXPORTER_KEY, AGG_MAX_EXPORTERS, seed ^ 6);
    a->st[AGG_T_IFACE] = stat_table_new(AGG_IFACE_KEY, AGG_MAX_IFACES, seed ^ 7);
    for (int i = 0; i < AGG_T_FLOW; i++)
        if (!a->st[i])
            abort(); /* limits were validated by the caller */
    for (int i = 0; i < 256; i++)
        a->proto_idx[i] = a->app_by_proto[i] = STAT_NONE;
    a->cap_dirty = 1024;
    a->dirty = xmalloc(a->cap_dirty * sizeof *a->dirty);
    return a;
}

void agg_free(struct agg *a)
{
    if (!a)
        return;
    flow_table_free(a->ft);
    for (int i = 0; i < AGG_T_FLOW; i++)
        stat_table_free(a->st[i]);
    free(a->dirty);
    free(a);
}

/* ---- resolving a conversation's rows (first flush) ---- */

static uint32_t agg_host(struct agg *a, const struct flow_addr *addr)
{
    bool created;
    struct stat_table *t = a->st[AGG_T_HOST];
    uint32_t idx = stat_table_get(t, addr, a->now, &created);
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

bool agg_port_key(const struct agg *a, const struct flow_key *k, uint8_t key[3], int *to_svc)
{
    if (!flow_proto_has_ports(k->proto) || !(k->pa || k->pb))
        return false;
    uint16_t svc = service_db_pick(a->svc, k->proto, k->pa, k->pb);
    key[0] = (uint8_t)(svc >> 8);
    key[1] = (uint8_t)svc;
    key[2] = k->proto;
    *to_svc = svc == k->pb ? 0 : 1;
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
static uint32_t agg_port(struct agg *a, const struct flow_key *k, uint32_t *app)
{
    uint16_t svc = service_db_pick(a->svc, k->proto, k->pa, k->pb);
    uint8_t key[3] = {(uint8_t)(svc >> 8), (uint8_t)svc, k->proto};
    bool created;
    struct stat_table *t = a->st[AGG_T_PORT];
    uint32_t idx = stat_table_get(t, key, a->now, &created);
    struct stat_entry *e = stat_table_entry(t, idx);
    if (idx == STAT_OTHER) {
        *app = agg_app(a, k->proto, svc, true);
    } else {
        if (created || !e->aux)
            e->aux = (uint64_t)agg_app(a, k->proto, svc, true) + 1;
        *app = (uint32_t)e->aux - 1;
    }
    return idx;
}

static void agg_resolve(struct agg *a, const struct flow_key *k, struct flow_cold *c)
{
    struct stat_table *host = a->st[AGG_T_HOST], *pair = a->st[AGG_T_PAIR];
    c->ref[FLOW_REF_HOST_A] = agg_host(a, &k->a);
    c->ref[FLOW_REF_HOST_B] = agg_host(a, &k->b);
    stat_table_ref(host, c->ref[FLOW_REF_HOST_A]);
    stat_table_ref(host, c->ref[FLOW_REF_HOST_B]);
    stat_table_entry(host, c->ref[FLOW_REF_HOST_A])->flows++;
    if (c->ref[FLOW_REF_HOST_B] != c->ref[FLOW_REF_HOST_A] ||
        c->ref[FLOW_REF_HOST_A] == STAT_OTHER)
        stat_table_entry(host, c->ref[FLOW_REF_HOST_B])->flows++;

    uint8_t pk[32];
    bool swap = memcmp(&k->a, &k->b, sizeof k->a) > 0;
    memcpy(pk, swap ? &k->b : &k->a, 16);
    memcpy(pk + 16, swap ? &k->a : &k->b, 16);
    bool created;
    c->ref[FLOW_REF_PAIR] = stat_table_get(pair, pk, a->now, &created);
    stat_table_ref(pair, c->ref[FLOW_REF_PAIR]);
    stat_table_entry(pair, c->ref[FLOW_REF_PAIR])->flows++;
    if (created) {
        stat_table_entry(host, c->ref[FLOW_REF_HOST_A])->aux++;
        if (c->ref[FLOW_REF_HOST_B] != c->ref[FLOW_REF_HOST_A])
            stat_table_entry(host, c->ref[FLOW_REF_HOST_B])->aux++;
    }

    if (flow_proto_has_ports(k->proto) && (k->pa || k->pb)) {
        uint32_t app;
        c->ref[FLOW_REF_PORT] = agg_port(a, k, &app);
        stat_table_ref(a->st[AGG_T_PORT], c->ref[FLOW_REF_PORT]);
        stat_table_entry(a->st[AGG_T_PORT], c->ref[FLOW_REF_PORT])->flows++;
        stat_table_entry(a->st[AGG_T_APP], app)->flows++;
    } else if (!flow_proto_has_ports(k->proto)) {
        if (a->app_by_proto[k->proto] == STAT_NONE)
            a->app_by_proto[k->proto] = agg_app(a, k->proto, 0, false);
        stat_table_entry(a->st[AGG_T_APP], a->app_by_proto[k->proto])->flows++;
    }
    /* else: ports unknown (non-first fragments): hosts and protocol only */
    stat_table_entry(a->st[AGG_T_PROTO], agg_proto(a, k->proto))->flows++;
}

/* Direction of a->b traffic relative to the local networks. */
static int agg_dir(const struct stat_entry *ha, const struct stat_entry *hb)
{
    bool la = ha->flags & STAT_F_LOCAL, lb = hb->flags & STAT_F_LOCAL;
    if (la && lb)
        return FLOW_DIR_INTERNAL;
    if (la)
        return FLOW_DIR_OUT;
    if (lb)
        return FLOW_DIR_IN;
    return FLOW_DIR_TRANSIT;
}

/* Book amounts for conversation idx, their bytes falling on the seconds of `p`. */
static void agg_book(struct agg *a, uint32_t idx, const uint64_t bytes[2], const uint64_t pkts[2],
                     const struct stat_portion *p, size_t np)
{
    struct flow_hot *h = &flow_table_hot(a->ft)[idx];
    struct flow_cold *c = &flow_table_cold(a->ft)[idx];
    const struct flow_key *k = &h->key;
    if (c->ref[FLOW_REF_HOST_A] == STAT_NONE)
        agg_resolve(a, k, c);

    uint64_t tb = bytes[0] + bytes[1], tp = pkts[0] + pkts[1];
    for (int d = 0; d < 2; d++) {
        c->bytes[d] += bytes[d];
        c->pkts[d] += pkts[d];
    }
    /* the conversation's own 2-second rate ring */
    for (size_t j = 0; j < np; j++) {
        uint32_t sec = p[j].sec;
        uint32_t add = p[j].bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)p[j].bytes;
        if (c->r_sec == sec) {
            c->r[0] = c->r[0] > UINT32_MAX - add ? UINT32_MAX : c->r[0] + add;
        } else if (sec < c->r_sec) {
            /* spread records book into past seconds: only the previous one is kept */
            if (sec + 1 == c->r_sec)
                c->r[1] = c->r[1] > UINT32_MAX - add ? UINT32_MAX : c->r[1] + add;
        } else {
            c->r[1] = (sec == c->r_sec + 1) ? c->r[0] : 0;
            c->r[0] = add;
            c->r_sec = sec;
        }
    }

    struct stat_table *host = a->st[AGG_T_HOST];
    uint32_t ia = c->ref[FLOW_REF_HOST_A], ib = c->ref[FLOW_REF_HOST_B];
    /* hosts: [0] sent, [1] received; when a == b the row both sent and received them */
    stat_table_add_spread(host, ia, bytes[0], pkts[0], bytes[1], pkts[1], p, np);
    stat_table_add_spread(host, ib, bytes[1], pkts[1], bytes[0], pkts[0], p, np);

    /* pairs: [0] lower address -> higher */
    int s = memcmp(&k->a, &k->b, sizeof k->a) > 0;
    stat_table_add_spread(a->st[AGG_T_PAIR], c->ref[FLOW_REF_PAIR], bytes[s], pkts[s], bytes[!s],
                   pkts[!s], p, np);

    if (c->ref[FLOW_REF_PORT] != STAT_NONE) {
        /* ports and applications: [0] towards the service, [1] from it */
        struct stat_table *pt = a->st[AGG_T_PORT];
        struct stat_entry *pe = stat_table_entry(pt, c->ref[FLOW_REF_PORT]);
        uint16_t svc = (uint16_t)(pe->key[0] << 8 | pe->key[1]);
        int f = (svc == k->pb || c->ref[FLOW_REF_PORT] == STAT_OTHER) ? 0 : 1;
        uint32_t app;
        if (c->ref[FLOW_REF_PORT] == STAT_OTHER) {
            svc = service_db_pick(a->svc, k->proto, k->pa, k->pb);
            f = svc == k->pb ? 0 : 1;
            app = agg_app(a, k->proto, svc, true);
        } else {
            app = (uint32_t)pe->aux - 1;
        }
        stat_table_add_spread(pt, c->ref[FLOW_REF_PORT], bytes[f], pkts[f], bytes[!f], pkts[!f], p, np);
        stat_table_add_spread(a->st[AGG_T_APP], app, bytes[f], pkts[f], bytes[!f], pkts[!f], p, np);
    } else if (!flow_proto_has_ports(k->proto) && a->app_by_proto[k->proto] != STAT_NONE) {
        stat_table_add_spread(a->st[AGG_T_APP], a->app_by_proto[k->proto], bytes[0], pkts[0],
                       bytes[1], pkts[1], p, np);
    }
    stat_table_add_spread(a->st[AGG_T_PROTO], agg_proto(a, k->proto), bytes[0], pkts[0], bytes[1],
                   pkts[1], p, np);

    int dir = agg_dir(stat_table_centry(host, ia), stat_table_centry(host, ib));
    int rdir = dir == FLOW_DIR_IN ? FLOW_DIR_OUT : dir == FLOW_DIR_OUT ? FLOW_DIR_IN : dir;
    a->bytes_dir[dir] += bytes[0];
    a->packets_dir[dir] += pkts[0];
    a->bytes_dir[rdir] += bytes[1];
    a->packets_dir[rdir] += pkts[1];
    a->bytes += tb;
    a->packets += tp;
    stat_hist_add_portions((struct stat_hist){a->hist, &a->hist_last, &a->hist_shift}, p, np);
}

static void agg_flush_one(struct agg *a, uint32_t idx)
{
    struct flow_hot *h = &flow_table_hot(a->ft)[idx];
    if (!h->key.af || !(h->d_pkts[0] | h->d_pkts[1]))
        return;
    uint64_t b[2] = {h->d_bytes[0], h->d_bytes[1]};
    uint64_t p[2] = {h->d_pkts[0], h->d_pkts[1]};
    h->d_bytes[0] = h->d_bytes[1] = 0;
    h->d_pkts[0] = h->d_pkts[1] = 0;
    struct stat_portion now = {a->now, b[0] + b[1]};
    agg_book(a, idx, b, p, &now, 1);
}

/* Start loading what flushing conversation idx will touch: the rows it feeds, or for a new
 * conversation the index slots of its hosts and pair. */
static void agg_prefetch_flow(const struct agg *a, uint32_t idx)
{
    const struct flow_hot *h = &flow_table_hot(a->ft)[idx];
    const struct flow_cold *c = &flow_table_cold(a->ft)[idx];
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
    struct flow_cold *cold = flow_table_cold(a->ft);
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
}

static void agg_drop_flow(struct agg *a, uint32_t idx)
{
    struct flow_cold *c = &flow_table_cold(a->ft)[idx];
    static const enum agg_table ref_table[4] = {AGG_T_HOST, AGG_T_HOST, AGG_T_PAIR, AGG_T_PORT};
    for (int r = 0; r < 4; r++)
        if (c->ref[r] != STAT_NONE)
            stat_table_unref(a->st[ref_table[r]], c->ref[r]);
    flow_table_remove(a->ft, idx);
}

static uint64_t agg_flow_bytes(const struct agg *a, uint32_t idx)
{
    const struct flow_hot *h = &flow_table_hot(a->ft)[idx];
    const struct flow_cold *c = &flow_table_cold(a->ft)[idx];
    return c->bytes[0] + c->bytes[1] + h->d_bytes[0] + h->d_bytes[1];
}

/* Make room for one conversation: of a few consecutive ones at a moving hand (a clock
 * sweep: neighbours share cache lines, where random picks miss on every one), evict the
 * stalest, and among equally stale ones the smallest (a flood of new keys must not push out
 * the heavy hitter). */
static void agg_evict_flow(struct agg *a)
{
    struct flow_hot *hot = flow_table_hot(a->ft);
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
        uint64_t b = agg_flow_bytes(a, idx);
        if (victim == FLOW_NONE || hot[idx].last_sec < hot[victim].last_sec ||
            (hot[idx].last_sec == hot[victim].last_sec && b < vbytes)) {
            victim = idx;
            vbytes = b;
        }
    }
    if (victim == FLOW_NONE)
        return;
    agg_flush_one(a, victim);
    agg_drop_flow(a, victim);
    a->flow_evicted++;
}

static void agg_expire(struct agg *a)
{
    struct flow_hot *hot = flow_table_hot(a->ft);
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

/* Per-second portions of a record: its bytes split evenly over the seconds of
 * [first, last] that are still in the history (older ones are booked as one portion, which
 * reaches the totals only), the remainder on the last second. Returns the number of portions. */
static size_t agg_spread(const struct agg *a, const struct flow_rec *r,
                         struct stat_portion p[STAT_HIST + 1])
{
    uint32_t last = a->now;
    uint32_t first = r->first_us <= 0 ? last : (uint32_t)(r->first_us / 1000000);
    uint32_t rlast = agg_rec_sec(r);
    if (rlast < last)
        last = rlast;
    if (first > last)
        first = last;
    uint64_t n = (uint64_t)(last - first) + 1;
    uint64_t bper = r->bytes / n;
    uint64_t brem = r->bytes - bper * n;
    size_t k = 0;
    uint32_t oldest = a->now >= STAT_HIST - 1 ? a->now - (STAT_HIST - 1) : 0;
    if (last < oldest) {
        /* all of it before the history (a long flow reported late): totals only */
        p[0] = (struct stat_portion){last, r->bytes};
        return 1;
    }
    if (first < oldest) {
        uint64_t old = (uint64_t)(oldest - first);
        p[k++] = (struct stat_portion){first, bper * old};
        first = oldest;
    }
    for (uint32_t s = first;; s++) {
        p[k++] = (struct stat_portion){s, bper};
        if (s == last)
            break;
    }
    p[k - 1].bytes += brem;
    return k;
}

/* Exporter and interface rows of a flow-export record. */
static void agg_exporter_rows(struct agg *a, const struct flow_rec *r,
                              const struct stat_portion *p, size_t np)
{
    uint8_t key[AGG_IFACE_KEY];
    bool created;
    memcpy(key, r->exporter.b, 16);
    memcpy(key + 16, &r->domain, 4);
    struct stat_table *et = a->st[AGG_T_EXPORTER], *it = a->st[AGG_T_IFACE];
    uint32_t ei = stat_table_get(et, key, a->now, &created);
    stat_table_entry(et, ei)->flows++;
    uint32_t ii[2] = {STAT_NONE, STAT_NONE}; /* [0] output interface, [1] input */
    uint32_t ifx[2] = {r->out_if, r->in_if};
    for (int d = 0; d < 2; d++) {
        if (!ifx[d])
            continue;
        memcpy(key + 20, &ifx[d], 4);
        ii[d] = stat_table_get(it, key, a->now, &created);
        stat_table_entry(it, ii[d])->flows++;
    }
    uint64_t pk = r->packets ? r->packets : 1;
    stat_table_add_spread(et, ei, r->bytes, pk, 0, 0, p, np);
    /* interfaces: [0] bytes out through it, [1] bytes in through it */
    if (ii[0] != STAT_NONE)
        stat_table_add_spread(it, ii[0], r->bytes, pk, 0, 0, p, np);
    if (ii[1] != STAT_NONE)
        stat_table_add_spread(it, ii[1], 0, 0, r->bytes, pk, p, np);
}

static void agg_add_one(struct agg *a, const struct flow_rec *r, uint32_t hash)
{
    int dir;
    uint32_t idx = flow_table_find(a->ft, r, hash, &dir);
    if (idx == FLOW_NONE) {
        if (flow_table_full(a->ft))
            agg_evict_flow(a);
        idx = flow_table_insert(a->ft, r, hash);
        flow_table_cold(a->ft)[idx].first_sec = a->now;
        dir = 0;
        a->flows++;
    }
    struct flow_hot *h = &flow_table_hot(a->ft)[idx];
    h->last_sec = a->now;
    h->tcp_flags[dir] |= r->tcp_flags;
    if (r->flags & FLOW_REC_EXPORTED) {
        /* a flow export: spread over its span, and count it for its exporter */
        struct stat_portion p[STAT_HIST + 1];
        size_t np = agg_spread(a, r, p);
        agg_flush_one(a, idx);
        uint64_t b[2] = {0, 0}, pk[2] = {0, 0};
        b[dir] = r->bytes;
        pk[dir] = r->packets ? r->packets : 1;
        agg_book(a, idx, b, pk, p, np);
        agg_exporter_rows(a, r, p, np);
        return;
    }
    if (r->bytes >= UINT32_MAX - h->d_bytes[dir] || r->packets >= UINT32_MAX - h->d_pkts[dir]) {
        /* too big for the compact pending counters: book it straight away */
        agg_flush_one(a, idx);
        uint64_t b[2] = {0, 0}, p[2] = {0, 0};
        b[dir] = r->bytes;
        p[dir] = r->packets;
        struct stat_portion now = {a->now, r->bytes};
        agg_book(a, idx, b, p, &now, 1);
        return;
    }
    if (!(h->d_pkts[0] | h->d_pkts[1]))
        agg_mark_dirty(a, idx);
    h->d_bytes[dir] += (uint32_t)r->bytes;
    h->d_pkts[dir] += (uint32_t)(r->packets ? r->packets : 1);
}

void agg_add(struct agg *a, const struct flow_rec *recs, size_t n)
{
    uint32_t hash[AGG_BATCH];
    while (n) {
        size_t m = n < AGG_BATCH ? n : AGG_BATCH;
        for (size_t i = 0; i < m; i++) {
            hash[i] = flow_table_hash(a->ft, &recs[i]);
            flow_table_prefetch(a->ft, hash[i]);
        }
        for (size_t i = 0; i < m; i++) {
            flow_table_prefetch_entry(a->ft, hash[i]);
            /* flow exports are booked into the rows at once: start loading their hosts */
            if (recs[i].flags & FLOW_REC_EXPORTED) {
                stat_table_prefetch_key(a->st[AGG_T_HOST], &recs[i].src);
                stat_table_prefetch_key(a->st[AGG_T_HOST], &recs[i].dst);
            }
        }
        for (size_t i = 0; i < m; i++) {
            uint32_t sec = agg_rec_sec(&recs[i]);
            if (sec > a->now || !a->started)
                agg_advance(a, sec);
            agg_add_one(a, &recs[i], hash[i]);
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
    o->rows[AGG_T_FLOW] = flow_table_count(a->ft);
    o->memory = flow_table_memory(a->ft) + a->cap_dirty * sizeof *a->dirty;
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
    return stat_hist_window(a->hist, a->hist_last, a->hist_shift, a->now, secs);
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
