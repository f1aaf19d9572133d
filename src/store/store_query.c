/*
 * store_query.c - reading ranges back from the history store (see store_query.h).
 *
 * One pass over a table's rows of the range: rows are grouped by key in a small open-address
 * hash, each keeping its samples (sample index, bytes), so the percentile and growth of every
 * row come from the same pass. Then the filter, the sort and the cut to the top.
 */
#include "config.h"

#include "flowdrill/store_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "flowdrill/hash.h"
#include "flowdrill/xalloc.h"

#define STORE_WEEK (7u * 86400u)

static int store_query_cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

void store_query_stats(const uint64_t *bytes, const uint32_t *t, size_t n, uint32_t step,
                       struct store_stats *o)
{
    memset(o, 0, sizeof *o);
    if (!n)
        return;
    uint64_t *v = xmalloc(n * sizeof *v);
    memcpy(v, bytes, n * sizeof *v);
    qsort(v, n, sizeof *v, store_query_cmp_u64);
    for (size_t i = 0; i < n; i++)
        o->sum += v[i];
    size_t rank = (n * 95 + 99) / 100; /* nearest rank: ceil(0.95 n) */
    o->p95 = v[rank ? rank - 1 : 0] * 8 / step;
    o->peak = v[n - 1] * 8 / step;
    o->mean = o->sum * 8 / ((uint64_t)n * step);
    free(v);
    /* growth: the first week against the last, or halves when the range is shorter */
    uint32_t lo = t[0], hi = t[n - 1] + step;
    uint32_t span = hi - lo;
    o->weeks = span >= 2 * STORE_WEEK;
    uint32_t w = o->weeks ? STORE_WEEK : span / 2;
    uint64_t sa = 0, sb = 0, na = 0, nb = 0;
    for (size_t i = 0; i < n && w; i++) {
        if (t[i] < lo + w)
            sa += bytes[i], na++;
        if (t[i] >= hi - w)
            sb += bytes[i], nb++;
    }
    if (na && nb && sa && n > 1) {
        double ma = (double)sa / (double)na, mb = (double)sb / (double)nb;
        o->growth = (mb - ma) / ma * 100.0;
        o->growth_known = true;
    }
}

void store_series_free(struct store_series *s)
{
    free(s->s);
    s->s = NULL;
    s->n = 0;
}

static void store_query_error(sqlite3 *db, char *err, size_t errlen)
{
    snprintf(err, errlen, "history store: cannot read: %s; the file may be damaged (move it "
                          "away to start a new history)",
             sqlite3_errmsg(db));
}

int store_query_series(sqlite3 *db, uint32_t since, uint32_t until, struct store_series *out,
                       char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int64_t mmin = store_schema_int(db, "SELECT min(t) FROM minute_total");
    int64_t hmin = store_schema_int(db, "SELECT min(t) FROM hour_total");
    /* minutes when they reach back as far as the range or the hours do (to within the hour
     * the oldest minute falls in); else the hours, which retention keeps longer */
    int64_t from = hmin > (int64_t)since ? hmin : (int64_t)since;
    bool minutes = mmin >= 0 && (hmin < 0 || mmin < from + 3600);
    out->step = minutes ? 60 : 3600;
    const char *sql = minutes ? "SELECT t, bytes, packets, flows, bytes_in, bytes_out FROM "
                                "minute_total WHERE t >= ?1 AND t < ?2 ORDER BY t"
                              : "SELECT t, bytes, packets, flows, bytes_in, bytes_out FROM "
                                "hour_total WHERE t >= ?1 AND t < ?2 ORDER BY t";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_query_error(db, err, errlen);
        return -1;
    }
    /* an hour sample starting before `since` still counts when it ends after it */
    sqlite3_bind_int64(st, 1, minutes ? since : since - since % 3600);
    sqlite3_bind_int64(st, 2, until);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 1024;
            out->s = xrealloc(out->s, cap * sizeof *out->s);
        }
        struct store_sample *s = &out->s[out->n++];
        s->t = (uint32_t)sqlite3_column_int64(st, 0);
        s->bytes = (uint64_t)sqlite3_column_int64(st, 1);
        s->packets = (uint64_t)sqlite3_column_int64(st, 2);
        s->flows = (uint64_t)sqlite3_column_int64(st, 3);
        s->bytes_in = (uint64_t)sqlite3_column_int64(st, 4);
        s->bytes_out = (uint64_t)sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        store_query_error(db, err, errlen);
        store_series_free(out);
        return -1;
    }
    if (out->n) {
        uint64_t *b = xmalloc(out->n * sizeof *b);
        uint32_t *t = xmalloc(out->n * sizeof *t);
        for (size_t i = 0; i < out->n; i++)
            b[i] = out->s[i].bytes, t[i] = out->s[i].t;
        store_query_stats(b, t, out->n, out->step, &out->stats);
        free(b);
        free(t);
    }
    return 0;
}

void store_query_facts(const struct store_row *r, struct filter_facts *x)
{
    memset(x, 0, sizeof *x);
    x->proto = -1;
    x->port = -1;
    switch (r->table) {
    case AGG_T_HOST:
        memcpy(x->addr[0].b, r->key, 16);
        x->n_addr = 1;
        break;
    case AGG_T_PAIR:
        memcpy(x->addr[0].b, r->key, 16);
        memcpy(x->addr[1].b, r->key + 16, 16);
        x->n_addr = 2;
        break;
    case AGG_T_PORT:
        x->port = r->key[0] << 8 | r->key[1];
        x->proto = r->key[2];
        break;
    case AGG_T_PROTO:
        x->proto = r->key[0];
        break;
    default:
        break; /* applications, exporters, interfaces: nothing of the conversation */
    }
}

/* ---- grouping a table's rows by key ---- */

struct store_group {
    struct store_qrow q;
    uint32_t *si;   /* sample indexes */
    uint64_t *sb;   /* bytes in those samples */
    size_t ns, cap;
};

struct store_groups {
    struct store_group *g;
    size_t n, cap;
    uint32_t *slot; /* index + 1 into g, 0 empty; a power of two */
    size_t nslot;
};

static uint32_t store_groups_hash(const uint8_t *k, size_t len)
{
    uint8_t buf[STAT_KEY_MAX + 1] = {0};
    memcpy(buf, k, len);
    buf[STAT_KEY_MAX] = (uint8_t)len;
    return (uint32_t)hash_bytes(buf, sizeof buf, 0x5eed);
}

static void store_groups_grow(struct store_groups *G)
{
    size_t ns = G->nslot ? G->nslot * 2 : 1024;
    uint32_t *slot = xcalloc(ns, sizeof *slot);
    for (size_t i = 0; i < G->n; i++) {
        const struct store_row *r = &G->g[i].q.row;
        size_t h = store_groups_hash(r->key, r->key_len) & (ns - 1);
        while (slot[h])
            h = (h + 1) & (ns - 1);
        slot[h] = (uint32_t)i + 1;
    }
    free(G->slot);
    G->slot = slot;
    G->nslot = ns;
}

static struct store_group *store_groups_get(struct store_groups *G, const uint8_t *k,
                                            size_t len, int tbl)
{
    if ((G->n + 1) * 2 > G->nslot)
        store_groups_grow(G);
    size_t h = store_groups_hash(k, len) & (G->nslot - 1);
    while (G->slot[h]) {
        struct store_group *g = &G->g[G->slot[h] - 1];
        if (g->q.row.key_len == len && memcmp(g->q.row.key, k, len) == 0)
            return g;
        h = (h + 1) & (G->nslot - 1);
    }
    if (G->n == G->cap) {
        G->cap = G->cap ? G->cap * 2 : 256;
        G->g = xrealloc(G->g, G->cap * sizeof *G->g);
    }
    struct store_group *g = &G->g[G->n];
    memset(g, 0, sizeof *g);
    memcpy(g->q.row.key, k, len);
    g->q.row.key_len = (uint8_t)len;
    g->q.row.table = (uint8_t)tbl;
    G->slot[h] = (uint32_t)++G->n;
    return g;
}

static int store_qrow_cmp(const void *x, const void *y)
{
    const struct store_qrow *a = x, *b = y;
    if ((a->row.key_len == 0) != (b->row.key_len == 0))
        return a->row.key_len == 0 ? 1 : -1; /* the rest last */
    if (a->stats.sum != b->stats.sum)
        return a->stats.sum > b->stats.sum ? -1 : 1;
    if (a->row.key_len != b->row.key_len)
        return a->row.key_len < b->row.key_len ? -1 : 1;
    return memcmp(a->row.key, b->row.key, a->row.key_len);
}

/* The index of the sample at time t (the samples are sorted); SIZE_MAX when none. */
static size_t store_query_sample_at(const struct store_series *ser, uint32_t t, size_t hint)
{
    if (hint < ser->n && ser->s[hint].t == t)
        return hint;
    size_t lo = 0, hi = ser->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ser->s[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ser->n && ser->s[lo].t == t ? lo : SIZE_MAX;
}

int store_query_rows(sqlite3 *db, const struct store_series *ser, int tbl,
                     const struct filter *f, size_t top, struct store_qrow **rows, size_t *n,
                     char *err, size_t errlen)
{
    *rows = NULL;
    *n = 0;
    if (!ser->n)
        return 0;
    const char *sql = ser->step == 60 ? "SELECT t, key, b0, b1, p0, p1, flows FROM minute_row "
                                        "WHERE tbl = ?1 AND t >= ?2 AND t <= ?3"
                                      : "SELECT t, key, b0, b1, p0, p1, flows FROM hour_row "
                                        "WHERE tbl = ?1 AND t >= ?2 AND t <= ?3";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_query_error(db, err, errlen);
        return -1;
    }
    sqlite3_bind_int(st, 1, tbl);
    sqlite3_bind_int64(st, 2, ser->s[0].t);
    sqlite3_bind_int64(st, 3, ser->s[ser->n - 1].t);
    struct store_groups G = {0};
    size_t hint = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t t = (uint32_t)sqlite3_column_int64(st, 0);
        size_t si = store_query_sample_at(ser, t, hint);
        if (si == SIZE_MAX)
            continue; /* a row without its minute's total: not part of any sample */
        hint = si;
        int klen = sqlite3_column_bytes(st, 1);
        static const uint8_t none[1] = {0};
        const uint8_t *k = sqlite3_column_blob(st, 1);
        if (klen < 0 || klen > STAT_KEY_MAX)
            continue;
        if (!k)
            k = none; /* the rest row: an empty key */
        struct store_group *g = store_groups_get(&G, k, (size_t)klen, tbl);
        struct store_counts *c = &g->q.row.c;
        uint64_t b0 = (uint64_t)sqlite3_column_int64(st, 2);
        uint64_t b1 = (uint64_t)sqlite3_column_int64(st, 3);
        c->bytes[0] += b0;
        c->bytes[1] += b1;
        c->pkts[0] += (uint64_t)sqlite3_column_int64(st, 4);
        c->pkts[1] += (uint64_t)sqlite3_column_int64(st, 5);
        c->flows += (uint64_t)sqlite3_column_int64(st, 6);
        if (g->ns == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 16;
            g->si = xrealloc(g->si, g->cap * sizeof *g->si);
            g->sb = xrealloc(g->sb, g->cap * sizeof *g->sb);
        }
        g->si[g->ns] = (uint32_t)si;
        g->sb[g->ns++] = b0 + b1;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        store_query_error(db, err, errlen);
        for (size_t i = 0; i < G.n; i++)
            free(G.g[i].si), free(G.g[i].sb);
        free(G.g);
        free(G.slot);
        return -1;
    }
    /* filter and rank by the sums; the series and their stats only for the rows kept */
    struct store_qrow *out = xmalloc((G.n ? G.n : 1) * sizeof *out);
    size_t m = 0;
    for (size_t i = 0; i < G.n; i++) {
        struct store_group *g = &G.g[i];
        struct filter_facts x;
        store_query_facts(&g->q.row, &x);
        if (f && !(g->q.row.key_len && filter_match_facts(f, &x)))
            continue;
        out[m] = g->q;
        out[m].stats.sum = g->q.row.c.bytes[0] + g->q.row.c.bytes[1];
        out[m].stats.mean = i; /* the group, until the stats are computed */
        m++;
    }
    qsort(out, m, sizeof *out, store_qrow_cmp);
    if (top && m > top)
        m = top;
    uint64_t *b = xcalloc(ser->n, sizeof *b);
    uint32_t *t = xmalloc(ser->n * sizeof *t);
    for (size_t i = 0; i < ser->n; i++)
        t[i] = ser->s[i].t;
    for (size_t i = 0; i < m; i++) {
        const struct store_group *g = &G.g[out[i].stats.mean];
        for (size_t j = 0; j < g->ns; j++)
            b[g->si[j]] += g->sb[j];
        store_query_stats(b, t, ser->n, ser->step, &out[i].stats);
        for (size_t j = 0; j < g->ns; j++)
            b[g->si[j]] = 0;
    }
    for (size_t i = 0; i < G.n; i++)
        free(G.g[i].si), free(G.g[i].sb);
    free(b);
    free(t);
    free(G.g);
    free(G.slot);
    *rows = out;
    *n = m;
    return 0;
}
