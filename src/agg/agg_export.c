/*
 * agg_export.c - flow exports (agg_priv.h). A record is booked into its conversation row at
 * once; its pair booking is held until the flush (stat_defer.h) and, once booked, holds its two
 * hosts' bookings, applied after the pairs; its port, application, protocol, exporter and
 * interface rows and the totals' history are summed in its class (export_class.h) and booked
 * once per class at the flush. A full conversation table admits a new exported conversation
 * only when it is larger than the next victim (agg_admit_flow).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agg_priv.h"
#include "flowdrill/hash.h"
#include "flowdrill/xalloc.h"

bool agg_flow_ifaces(const struct agg *a, uint32_t flow_idx, uint32_t ifrow[2])
{
    if (!a->flow_if || flow_idx >= flow_table_capacity(a->ft))
        return false;
    uint32_t in = a->flow_if[2 * flow_idx], out = a->flow_if[2 * flow_idx + 1];
    ifrow[0] = in ? in - 1 : STAT_NONE;
    ifrow[1] = out ? out - 1 : STAT_NONE;
    return in || out;
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

void agg_apply_hosts(struct agg *a)
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

void agg_apply_pairs(struct agg *a)
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
    if (c->idx != STAT_NONE && c->evicted == stat_table_evicted(t) &&
        hash_key_eq(c->key, key, AGG_IFACE_KEY))
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
    uint8_t key[AGG_IFACE_KEY];
    agg_iface_key(&(struct agg_iface_id){r->exporter, r->domain, 0}, key);
    uint32_t ei = agg_cached_get(a, a->st[AGG_T_EXPORTER], &a->exporter_cache, key);
    uint32_t ifx[2] = {r->out_if, r->in_if};
    for (int d = 0; d < 2; d++) {
        ii[d] = STAT_NONE;
        if (!ifx[d])
            continue;
        memcpy(key + AGG_EXPORTER_KEY, &ifx[d], 4); /* agg_iface_key's ifindex */
        ii[d] = agg_cached_get(a, a->st[AGG_T_IFACE],
                               &a->iface_cache[ifx[d] % AGG_IFACE_CACHE], key);
        stat_table_hold(a->st[AGG_T_IFACE], ii[d]);
    }
    return ei;
}

void agg_exporter_seen(struct agg *a, const struct flow_addr *exporter, uint32_t domain)
{
    struct stat_table *et = a->st[AGG_T_EXPORTER];
    uint8_t key[AGG_IFACE_KEY];
    agg_iface_key(&(struct agg_iface_id){*exporter, domain, 0}, key);
    if (stat_table_find(et, key) != STAT_NONE || stat_table_count(et) + 1 >= AGG_MAX_EXPORTERS)
        return;
    bool created;
    stat_table_get(et, key, a->now, &created);
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
void agg_apply_classes(struct agg *a)
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
    else if (agg_service_of(a->svc, k, &svc, &to_svc))
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
void agg_add_export(struct agg *a, const struct flow_rec *r, const struct agg_keys *kx,
                           uint32_t idx, int dir, bool is_new)
{
    struct flow_key own;
    const struct flow_key *k;
    struct flow_cold *c = NULL;
    if (idx != FLOW_NONE) {
        agg_flush_pending(a, idx); /* captured packets of the same conversation, if any */
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
bool agg_admit_flow(struct agg *a, uint64_t bytes)
{
    uint32_t v = a->next_evict;
    if (v == FLOW_NONE || v >= flow_table_slots(a->ft) || !a->hot[v].key.af)
        return true;
    return bytes > agg_flow_bytes(a, v);
}
