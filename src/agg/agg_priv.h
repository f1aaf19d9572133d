/*
 * agg_priv.h - the aggregator's insides, shared by its files and by nothing else (agg.h is
 * the contract). The files, one job each:
 *   agg.c          life, dispatch of a record (captured or exported), flush and time, totals
 *   agg_rows.c     finding a conversation's rows and booking amounts into them
 *   agg_capture.c  captured packets: pending per-second deltas, the dirty list, resolving a
 *                  conversation's rows once and keeping references, expiry and eviction
 *   agg_export.c   flow exports: held pair and host bookings, export classes, exporter and
 *                  interface rows, admission into a full conversation table
 *   agg_key.c      (agg_key.h) the keys a conversation books under, shared with the view
 *
 * Vocabulary:
 *   pending   a captured conversation's deltas since the last flush (flow_hot.d_bytes);
 *   dirty     the conversations with pending deltas, flushed once per data second;
 *   booked    added into a row of a stat table (stat_table_add_span), with its seconds;
 *   held      a flow export's booking kept in a stat_defer until the flush, applied grouped
 *             by index region (the pair's first, which then hold their hosts' bookings);
 *   class     the export records sharing every small row (port, application, protocol,
 *             exporter, interfaces), summed until the flush so each row is booked once
 *             (export_class.h);
 *   refs      the rows a captured conversation resolved on its first flush and keeps, so
 *             later flushes neither hash nor lose them (stat_table_ref).
 */
#ifndef FLOWDRILL_AGG_PRIV_H
#define FLOWDRILL_AGG_PRIV_H

#include "flowdrill/agg.h"
#include "flowdrill/agg_key.h"
#include "flowdrill/export_class.h"
#include "flowdrill/flow_table.h"
#include "flowdrill/stat_defer.h"
#include "flowdrill/stat_table.h"

#define AGG_BATCH 32
#define AGG_APP_MAX 8192 /* more than every service name and protocol: never evicts */
#define EVICT_SAMPLES 8
#define AGG_MAX_EXPORTERS 4096
#define AGG_MAX_IFACES 65536
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

/* The row keys of a conversation and their hashes (computed a batch ahead for flow exports,
 * with the export's seconds): endpoints x/y (a/b of the flow key; an export's source and
 * destination) in host_hash[0]/[1], and their pair. */
struct agg_keys {
    uint32_t host_hash[2];
    uint32_t pair_hash;
    uint32_t first, last; /* a flow export's own seconds (agg_rec_first, agg_rec_sec) */
    bool swapped; /* the pair key has y (a flow export's destination) first */
    uint8_t pair[AGG_PAIR_KEY]; /* lower address first (agg_pair_key) */
};

/* The rows a conversation's amounts go to; STAT_NONE where it has none. */
struct agg_rows {
    uint32_t host[2]; /* endpoints a and b of the flow key */
    uint32_t pair, port, app;
    int to_svc; /* which of bytes[0] / bytes[1] goes towards the service port */
};

static inline size_t agg_flow_if_bytes(const struct agg *a)
{
    return (size_t)flow_table_capacity(a->ft) * 2 * sizeof(uint32_t);
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

/* Conversation idx's bytes, booked and pending. */
static inline uint64_t agg_flow_bytes_at(const struct flow_hot *hot, const struct flow_cold *cold,
                                         uint32_t idx)
{
    return cold[idx].bytes[0] + cold[idx].bytes[1] + hot[idx].d_bytes[0] + hot[idx].d_bytes[1];
}

static inline uint64_t agg_flow_bytes(const struct agg *a, uint32_t idx)
{
    return agg_flow_bytes_at(a->hot, a->cold, idx);
}

/* Direction of conversation k's a->b traffic, from its addresses (the host rows are not known
 * yet). Inline: every flow export asks. */
static inline int agg_dir_of(const struct agg *a, const struct flow_key *k)
{
    if (!a->ln || !a->ln->n) /* no local networks: everything is transit, no calls */
        return FLOW_DIR_TRANSIT;
    return agg_dir_local(localnet_contains(a->ln, &k->a), localnet_contains(a->ln, &k->b));
}

/* ---- agg_rows.c ---- */

/* The keys of hosts x and y and of their pair, and their hashes: the hosts' own, and the
 * pair's joined from theirs (the host and pair tables share a seed: stat_table.h). */
void agg_keys_of(const struct agg *a, const struct flow_addr *x, const struct flow_addr *y,
                 struct agg_keys *kh);
/* Host row of addr (hash: its agg_keys_of hash), created (marked local) when new. */
uint32_t agg_host(struct agg *a, const struct flow_addr *addr, uint32_t hash);
/* Application row of (proto, service port; has_port false: a protocol without ports). */
uint32_t agg_app(struct agg *a, uint8_t proto, uint16_t port, bool has_port);
uint32_t agg_proto(struct agg *a, uint8_t proto);
/* Port row of a conversation, its application row in *app and its direction towards the
 * service in *to_svc. */
uint32_t agg_port(struct agg *a, const struct flow_key *k, uint32_t *app, int *to_svc);
/* The port, application and protocol rows of conversation k (counting it in their flows with
 * `count`). */
void agg_service_rows(struct agg *a, const struct flow_key *k, bool count, struct agg_rows *rw);
/* Book amounts of conversation (k, c) into the rows rw, its protocol's row, the totals and
 * their history, the bytes falling on the seconds of span sp. */
void agg_book(struct agg *a, const struct flow_key *k, struct flow_cold *c,
              const struct agg_rows *rw, const uint64_t bytes[2], const uint64_t pkts[2],
              const struct stat_span *sp);

/* ---- agg_capture.c ---- */

/* A captured record of conversation idx in direction dir: into its pending deltas. */
void agg_add_captured(struct agg *a, const struct flow_rec *r, uint32_t idx, int dir);
/* Book conversation idx's pending deltas now (nothing when it has none). */
void agg_flush_one(struct agg *a, uint32_t idx);
/* Book every dirty conversation's deltas and send them to the delta sink. */
void agg_flush_captured(struct agg *a);
/* The rows of a conversation that holds references (it was resolved). */
void agg_rows_of_refs(struct agg *a, const struct flow_key *k, const struct flow_cold *c,
                      struct agg_rows *rw);
/* agg_flush_one when conversation idx has pending deltas (inline: every flow export of a
 * conversation asks, and few have any). */
static inline void agg_flush_pending(struct agg *a, uint32_t idx)
{
    if (a->hot[idx].d_pkts[0] | a->hot[idx].d_pkts[1])
        agg_flush_one(a, idx);
}
/* Make room for one conversation in the full conversation table. */
void agg_evict_flow(struct agg *a);
/* Forget a slice of the conversations idle past the timeout. */
void agg_expire(struct agg *a);

/* ---- agg_export.c ---- */

/* A flow export of conversation idx (FLOW_NONE: not admitted), in direction dir of it. */
void agg_add_export(struct agg *a, const struct flow_rec *r, const struct agg_keys *kx,
                    uint32_t idx, int dir, bool is_new);
/* Whether a new exported conversation of `bytes` may take a full table's next victim's
 * place. */
bool agg_admit_flow(struct agg *a, uint64_t bytes);
/* Book what flow exports held: the pairs (holding their hosts' bookings), then the hosts,
 * then the classes. */
void agg_apply_pairs(struct agg *a);
void agg_apply_hosts(struct agg *a);
void agg_apply_classes(struct agg *a);

#endif
