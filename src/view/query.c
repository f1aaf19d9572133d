/*
 * query.c - rows of one view from the live tables (see query.h).
 */
#include "config.h"

#include "flowdrill/query.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/agg_key.h"
#include "flowdrill/flow_table.h"
#include "flowdrill/hash.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/xalloc.h"

static const char *const view_titles[VIEW_KIND_MAX] = {
    "Hosts", "Conversations", "Ports", "Applications", "Protocols", "Flows", "Exporters",
    "Interfaces"};

static const enum agg_table view_tables[VIEW_KIND_MAX] = {
    AGG_T_HOST, AGG_T_PAIR, AGG_T_PORT, AGG_T_APP, AGG_T_PROTO, AGG_T_FLOW, AGG_T_EXPORTER,
    AGG_T_IFACE};

enum agg_table view_kind_table(enum view_kind k)
{
    return (unsigned)k < VIEW_KIND_MAX ? view_tables[k] : AGG_T_HOST;
}

const char *view_kind_title(enum view_kind k)
{
    return (unsigned)k < VIEW_KIND_MAX ? view_titles[k] : "?";
}

/* ---- scopes ---- */

bool scope_from_row(enum view_kind kind, const struct topn_row *row, struct scope *out)
{
    memset(out, 0, sizeof *out);
    if (row->flags & STAT_F_OTHER)
        return false;
    switch (kind) {
    case VIEW_HOSTS:
        out->kind = SCOPE_HOST;
        memcpy(out->key, row->key.raw, 16);
        return true;
    case VIEW_CONVS:
        out->kind = SCOPE_PAIR;
        memcpy(out->key, row->key.raw, 32);
        return true;
    case VIEW_PORTS:
        out->kind = SCOPE_PORT;
        memcpy(out->key, row->key.raw, 3);
        return true;
    case VIEW_APPS:
        out->kind = SCOPE_APP;
        memcpy(out->key, row->key.raw, STAT_KEY_MAX);
        return true;
    case VIEW_PROTOS:
        out->kind = SCOPE_PROTO;
        out->key[0] = row->key.raw[0];
        return true;
    case VIEW_EXPORTERS:
        out->kind = SCOPE_EXPORTER;
        memcpy(out->key, row->key.raw, AGG_EXPORTER_KEY);
        return true;
    case VIEW_IFACES:
        out->kind = SCOPE_IFACE;
        memcpy(out->key, row->key.raw, AGG_IFACE_KEY);
        return true;
    default:
        return false; /* flows are the deepest level */
    }
}

uint32_t scope_iface_row(const struct agg *a, const struct scope *s)
{
    if (s->kind != SCOPE_IFACE)
        return STAT_NONE;
    return stat_table_find(agg_stat_table(a, AGG_T_IFACE), s->key);
}

bool scope_match_flow(const struct agg *a, const struct scope *s, uint32_t iface_row,
                      uint32_t flow_idx, const struct flow_key *k)
{
    uint8_t key[STAT_KEY_MAX];
    uint32_t ifr[2];
    int dir;
    switch (s->kind) {
    case SCOPE_IFACE:
        return iface_row != STAT_NONE && agg_flow_ifaces(a, flow_idx, ifr) &&
               (ifr[0] == iface_row || ifr[1] == iface_row);
    case SCOPE_HOST:
        return memcmp(&k->a, s->key, 16) == 0 || memcmp(&k->b, s->key, 16) == 0;
    case SCOPE_PAIR:
        return (memcmp(&k->a, s->key, 16) == 0 && memcmp(&k->b, s->key + 16, 16) == 0) ||
               (memcmp(&k->b, s->key, 16) == 0 && memcmp(&k->a, s->key + 16, 16) == 0);
    case SCOPE_PORT:
        return agg_port_key(agg_services(a), k, key, &dir) &&
               memcmp(key, s->key, AGG_PORT_KEY) == 0;
    case SCOPE_APP:
        return agg_app_key(agg_services(a), k, key) && memcmp(key, s->key, STAT_KEY_MAX) == 0;
    case SCOPE_PROTO:
        return k->proto == s->key[0];
    default:
        return false;
    }
}

unsigned scope_views(const struct scope *s, size_t n)
{
    unsigned flow_views = (1u << VIEW_HOSTS) | (1u << VIEW_CONVS) | (1u << VIEW_PORTS) |
                          (1u << VIEW_APPS) | (1u << VIEW_PROTOS) | (1u << VIEW_FLOWS);
    if (n == 0)
        return flow_views | (1u << VIEW_EXPORTERS) | (1u << VIEW_IFACES);
    /* an exporter: its interfaces; an interface: the traffic of the conversations it carried */
    if (s[n - 1].kind == SCOPE_EXPORTER)
        return 1u << VIEW_IFACES;
    int ends = 0; /* hosts pinned by the scope: two make a single conversation */
    for (size_t i = 0; i < n; i++)
        ends += s[i].kind == SCOPE_HOST ? 1 : s[i].kind == SCOPE_PAIR ? 2 : 0;
    if (ends >= 2)
        flow_views &= ~((1u << VIEW_HOSTS) | (1u << VIEW_CONVS));
    return flow_views;
}

/* ---- rows ---- */

struct qbuild {
    struct view_row *rows;
    size_t n, cap;
    uint32_t *index; /* open addressing: row index + 1, 0 = empty */
    size_t mask;
    uint64_t seed;
};

static void qb_grow_index(struct qbuild *b)
{
    size_t slots = b->mask ? (b->mask + 1) * 2 : 1024;
    free(b->index);
    b->index = xcalloc(slots, sizeof *b->index);
    b->mask = slots - 1;
    for (size_t i = 0; i < b->n; i++) {
        size_t h = (size_t)hash_bytes(b->rows[i].r.key.raw, sizeof b->rows[i].r.key.raw, b->seed);
        while (b->index[h & b->mask])
            h++;
        b->index[h & b->mask] = (uint32_t)i + 1;
    }
}

/* The row for `key` (AGG_KEY_MAX bytes), created zeroed when new. */
static struct view_row *qb_row(struct qbuild *b, const uint8_t key[AGG_KEY_MAX],
                               enum agg_table t)
{
    if ((b->n + 1) * 2 > b->mask + 1)
        qb_grow_index(b);
    size_t h = (size_t)hash_bytes(key, AGG_KEY_MAX, b->seed);
    for (;; h++) {
        uint32_t v = b->index[h & b->mask];
        if (!v)
            break;
        if (memcmp(b->rows[v - 1].r.key.raw, key, AGG_KEY_MAX) == 0)
            return &b->rows[v - 1];
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->rows = xrealloc(b->rows, b->cap * sizeof *b->rows);
    }
    struct view_row *r = &b->rows[b->n];
    memset(r, 0, sizeof *r);
    memcpy(r->r.key.raw, key, AGG_KEY_MAX);
    r->r.table = (uint8_t)t;
    r->r.idx = STAT_NONE;
    r->avail = VIEW_AV_WIN2;
    b->index[h & b->mask] = (uint32_t)++b->n;
    return r;
}

/* Add a conversation's amounts to a row: d0 is the direction booked into [0]. */
static void qb_add(struct view_row *r, const struct topn_row *f, int d0)
{
    r->r.bytes_dir[0] += f->bytes_dir[d0];
    r->r.bytes_dir[1] += f->bytes_dir[!d0];
    r->r.pkts_dir[0] += f->pkts_dir[d0];
    r->r.pkts_dir[1] += f->pkts_dir[!d0];
    r->r.bytes += f->bytes;
    r->r.packets += f->packets;
    r->r.flows++;
    r->r.win[0] += f->win[0];
    if (!r->r.first_sec || f->first_sec < r->r.first_sec)
        r->r.first_sec = f->first_sec;
    if (f->last_sec > r->r.last_sec)
        r->r.last_sec = f->last_sec;
}

static bool qb_scoped_host(const struct query *q, const struct flow_addr *h)
{
    for (size_t i = 0; i < q->n_scope; i++)
        if (q->scope[i].kind == SCOPE_HOST && memcmp(q->scope[i].key, h, 16) == 0)
            return true;
    return false;
}

static void qb_flow(struct qbuild *b, const struct agg *a, const struct query *q,
                    const struct topn_row *f)
{
    const struct flow_key *k = &f->key.flow;
    uint8_t key[AGG_KEY_MAX];
    memset(key, 0, sizeof key);
    int d;
    switch (q->kind) {
    case VIEW_HOSTS:
        /* each end is a host; inside a host's scope only its peers are rows */
        if (!qb_scoped_host(q, &k->a)) {
            memcpy(key, &k->a, 16);
            qb_add(qb_row(b, key, AGG_T_HOST), f, 0);
        }
        if (!qb_scoped_host(q, &k->b) &&
            (memcmp(&k->a, &k->b, 16) != 0 || qb_scoped_host(q, &k->a))) {
            memcpy(key, &k->b, 16);
            qb_add(qb_row(b, key, AGG_T_HOST), f, 1);
        }
        return;
    case VIEW_CONVS:
        d = agg_pair_key(&k->a, &k->b, key);
        qb_add(qb_row(b, key, AGG_T_PAIR), f, d);
        return;
    case VIEW_PORTS:
        if (agg_port_key(agg_services(a), k, key, &d))
            qb_add(qb_row(b, key, AGG_T_PORT), f, d);
        return;
    case VIEW_APPS:
        if (agg_app_key(agg_services(a), k, key)) {
            uint16_t port;
            if (!agg_service_of(agg_services(a), k, &port, &d))
                d = 0; /* no ports: [0] is a->b, as the protocol's */
            qb_add(qb_row(b, key, AGG_T_APP), f, d);
        }
        return;
    case VIEW_PROTOS:
        key[0] = k->proto;
        qb_add(qb_row(b, key, AGG_T_PROTO), f, 0);
        return;
    case VIEW_FLOWS: {
        memcpy(key, k, sizeof *k);
        struct view_row *r = qb_row(b, key, AGG_T_FLOW);
        r->r = *f;
        return;
    }
    default:
        return;
    }
}

static bool q_scope_match(const struct agg *a, const struct query *q, const uint32_t *ifrows,
                          uint32_t idx, const struct flow_key *k)
{
    for (size_t i = 0; i < q->n_scope; i++)
        if (q->scope[i].kind != SCOPE_EXPORTER &&
            !scope_match_flow(a, &q->scope[i], ifrows[i], idx, k))
            return false;
    return true;
}

/* Walk every live conversation. */
static void q_derived(const struct agg *a, const struct query *q, struct qbuild *b,
                      struct query_result *out)
{
    const struct flow_table *ft = agg_flow_table(a);
    const struct flow_hot *hot = flow_table_hot(ft);
    uint32_t slots = flow_table_slots(ft), secs[3];
    topn_window_secs(a, secs);
    struct topn_row f;
    uint32_t ifrows[QUERY_MAX_SCOPE];
    for (size_t i = 0; i < q->n_scope && i < QUERY_MAX_SCOPE; i++)
        ifrows[i] = scope_iface_row(a, &q->scope[i]);
    for (uint32_t i = 0; i < slots; i++) {
        if (!hot[i].key.af)
            continue;
        if (!q_scope_match(a, q, ifrows, i, &hot[i].key))
            continue;
        if (q->filter && !filter_match(q->filter, &hot[i].key))
            continue;
        topn_copy_row(a, AGG_T_FLOW, i, secs, &f);
        qb_flow(b, a, q, &f);
        out->denom[0] += f.win[0];
        out->denom[3] += f.bytes;
    }
    for (size_t i = 0; i < b->n; i++) {
        struct view_row *r = &b->rows[i];
        r->r.win_secs[0] = secs[0];
        if (q->kind == VIEW_HOSTS) {
            /* the host table knows which hosts are local */
            struct stat_table *ht = agg_stat_table(a, AGG_T_HOST);
            uint32_t idx = stat_table_find(ht, r->r.key.raw);
            if (idx != STAT_NONE)
                r->r.flags |= stat_table_centry(ht, idx)->flags & STAT_F_LOCAL;
        }
    }
}

/* A sparkline of an entry's last VIEW_SPARK complete seconds, scaled to its own maximum. */
static void q_spark(const struct stat_entry *e, uint32_t now, uint8_t out[VIEW_SPARK])
{
    uint64_t v[VIEW_SPARK], max = 0;
    stat_entry_series(e, now, VIEW_SPARK, v);
    for (int i = 0; i < VIEW_SPARK; i++)
        if (v[i] > max)
            max = v[i];
    for (int i = 0; i < VIEW_SPARK; i++)
        out[i] = !v[i] ? 0 : (uint8_t)(1 + (v[i] * 254 + max - 1) / max);
}

static void q_exact_row(const struct agg *a, enum agg_table t, uint32_t idx, const uint32_t secs[3],
                        struct view_row *out)
{
    memset(out, 0, sizeof *out);
    topn_copy_row(a, t, idx, secs, &out->r);
    if (t == AGG_T_FLOW) {
        out->avail = VIEW_AV_WIN2;
        return;
    }
    out->avail = VIEW_AV_WIN2 | VIEW_AV_WIN10 | VIEW_AV_WIN40 | VIEW_AV_SPARK;
    if (t == AGG_T_HOST)
        out->avail |= VIEW_AV_PEERS;
    q_spark(stat_table_centry(agg_stat_table(a, t), idx), agg_now(a), out->spark);
}

/* Share denominators as the sum of the rows (tables where each byte is in one row). */
static void q_denom_rows(struct query_result *res)
{
    memset(res->denom, 0, sizeof res->denom);
    for (size_t i = 0; i < res->n; i++) {
        for (int w = 0; w < 3; w++)
            res->denom[w] += res->rows[i].r.win[w];
        res->denom[3] += res->rows[i].r.bytes;
    }
}

/* A whole table, top max_rows by q->prefer. */
static void q_table(const struct agg *a, const struct query *q, enum agg_table t,
                    struct query_result *res, size_t max)
{
    uint32_t used = t == AGG_T_FLOW ? flow_table_count(agg_flow_table(a))
                                    : stat_table_count(agg_stat_table(a, t));
    struct topn_row *rows;
    size_t n = topn_select(a, t, q->prefer, used > max ? max : 0, &rows);
    uint32_t secs[3];
    topn_window_secs(a, secs);
    res->rows = xcalloc(n ? n : 1, sizeof *res->rows);
    for (size_t i = 0; i < n; i++)
        q_exact_row(a, t, rows[i].idx, secs, &res->rows[i]);
    res->n = n;
    res->total = used > max ? used : n; /* "used" counts the idle "other" row too */
    res->exact = true;
    free(rows);
    if (t == AGG_T_EXPORTER || t == AGG_T_IFACE || t == AGG_T_FLOW) {
        q_denom_rows(res);
    } else {
        struct agg_totals tot;
        agg_totals(a, &tot);
        for (int w = 0; w < 3; w++)
            res->denom[w] = agg_total_window(a, topn_windows[w]);
        res->denom[3] = tot.bytes;
    }
}

/* Rows of a stat table whose key starts with / contains the scope's key. */
static void q_table_where(const struct agg *a, enum agg_table t, const struct scope *s,
                          struct qbuild *b)
{
    struct stat_table *st = agg_stat_table(a, t);
    uint32_t slots = stat_table_slots(st), secs[3];
    topn_window_secs(a, secs);
    for (uint32_t i = 1; i < slots; i++) {
        const struct stat_entry *e = stat_table_centry(st, i);
        if (!(e->flags & STAT_F_USED))
            continue;
        bool in;
        if (t == AGG_T_PAIR)
            in = memcmp(e->key, s->key, 16) == 0 || memcmp(e->key + 16, s->key, 16) == 0;
        else
            in = memcmp(e->key, s->key, 20) == 0; /* interfaces of an exporter */
        if (!in)
            continue;
        if (b->n == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 256;
            b->rows = xrealloc(b->rows, b->cap * sizeof *b->rows);
        }
        q_exact_row(a, t, i, secs, &b->rows[b->n++]);
    }
}

/* A host's peers from the pair table: the row becomes the other end, its directions seen from
 * the peer ([0] sent by the peer). */
static void q_pairs_to_peers(struct qbuild *b, const struct scope *s)
{
    for (size_t i = 0; i < b->n; i++) {
        topn_row_pair_to_peer(&b->rows[i].r, s->key);
        b->rows[i].avail &= ~(uint32_t)VIEW_AV_PEERS;
    }
}

static int q_cmp_prefer(const void *x, const void *y, void *arg)
{
    const struct topn_row *a = &((const struct view_row *)x)->r;
    const struct topn_row *b = &((const struct view_row *)y)->r;
    enum topn_sort s = *(const enum topn_sort *)arg;
    uint64_t va = topn_row_value(a, s), vb = topn_row_value(b, s);
    if (va != vb)
        return va > vb ? -1 : 1;
    return memcmp(a->key.raw, b->key.raw, sizeof a->key.raw);
}

void query_run(const struct agg *a, const struct query *q, struct query_result *out)
{
    memset(out, 0, sizeof *out);
    size_t max = q->max_rows ? q->max_rows : QUERY_DEFAULT_ROWS;
    enum agg_table t = view_kind_table(q->kind);
    bool flow_scope = q->n_scope == 0 || scope_views(q->scope, q->n_scope) != 1u << VIEW_IFACES;

    if (q->kind == VIEW_EXPORTERS || q->kind == VIEW_IFACES) {
        out->filter_ignored = q->filter != NULL; /* their rows are not conversations */
        if (q->n_scope == 0 || q->kind == VIEW_EXPORTERS) {
            q_table(a, q, t, out, max);
            return;
        }
    } else if (!q->filter && q->n_scope == 0) {
        q_table(a, q, t, out, max);
        return;
    }

    struct qbuild b = {.seed = 0x243f6a8885a308d3ULL};
    const struct scope *last = q->n_scope ? &q->scope[q->n_scope - 1] : NULL;
    if (q->kind == VIEW_IFACES && last && last->kind == SCOPE_EXPORTER) {
        q_table_where(a, AGG_T_IFACE, last, &b);
        out->exact = true;
    } else if (!q->filter && q->n_scope == 1 && last->kind == SCOPE_HOST &&
               (q->kind == VIEW_HOSTS || q->kind == VIEW_CONVS)) {
        /* a host's peers and conversations: the pair table has their full history */
        q_table_where(a, AGG_T_PAIR, last, &b);
        if (q->kind == VIEW_HOSTS)
            q_pairs_to_peers(&b, last);
        out->exact = true;
    } else if (flow_scope) {
        q_derived(a, q, &b, out);
    }
    free(b.index);
    out->total = b.n;
    if (out->exact) {
        out->rows = b.rows;
        out->n = b.n;
        q_denom_rows(out);
    }
    if (b.n > max) {
        enum topn_sort pref = q->prefer;
        qsort_r(b.rows, b.n, sizeof *b.rows, q_cmp_prefer, &pref);
        b.n = max;
    }
    out->rows = b.rows ? b.rows : xcalloc(1, sizeof *b.rows);
    out->n = b.n;
}

void query_result_free(struct query_result *res)
{
    free(res->rows);
    res->rows = NULL;
    res->n = 0;
}
