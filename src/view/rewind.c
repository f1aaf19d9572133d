/*
 * rewind.c - the table views one stored minute back (see rewind.h). A step reads the
 * minute's total and every stored row of it (at most the stored top + 1 per table: a few
 * hundred rows, one primary-key range of minute_row), once; each refresh of the view then
 * builds its rows from those in memory.
 */
#include "config.h"

#include "flowdrill/rewind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "flowdrill/filter.h"
#include "flowdrill/store_query.h"
#include "flowdrill/xalloc.h"

void rewind_init(struct rewind *rw)
{
    memset(rw, 0, sizeof *rw);
}

void rewind_free(struct rewind *rw)
{
    free(rw->rows);
    memset(rw, 0, sizeof *rw);
}

void rewind_live(struct rewind *rw)
{
    free(rw->rows);
    rw->rows = NULL;
    rw->n = 0;
    rw->on = false;
}

static enum rewind_result rewind_fail(struct rewind *rw, sqlite3 *db)
{
    snprintf(rw->err, sizeof rw->err, "history store: cannot read: %s", sqlite3_errmsg(db));
    return REWIND_ERR;
}

enum rewind_result rewind_load(struct rewind *rw, sqlite3 *db, uint32_t t)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT bytes, packets, flows, bytes_in, bytes_out FROM "
                               "minute_total WHERE t = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return rewind_fail(rw, db);
    sqlite3_bind_int64(st, 1, t);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? REWIND_NONE : rewind_fail(rw, db);
    }
    uint64_t tot[5];
    for (int i = 0; i < 5; i++)
        tot[i] = (uint64_t)sqlite3_column_int64(st, i);
    sqlite3_finalize(st);
    /* every table's rows of the minute: the index is (tbl, t, key), so one seek per table */
    if (sqlite3_prepare_v2(db, "SELECT tbl, key, b0, b1, p0, p1, flows FROM minute_row "
                               "WHERE tbl = ?1 AND t = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return rewind_fail(rw, db);
    struct store_row *rows = NULL;
    size_t n = 0, cap = 0;
    for (int tb = 0; tb < STORE_TABLES; tb++) {
        sqlite3_reset(st);
        sqlite3_bind_int(st, 1, tb);
        sqlite3_bind_int64(st, 2, t);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int klen = sqlite3_column_bytes(st, 1);
            const void *k = sqlite3_column_blob(st, 1);
            if (klen < 0 || klen > STAT_KEY_MAX)
                continue; /* not a key this program wrote */
            if (n == cap) {
                cap = cap ? cap * 2 : 512;
                rows = xrealloc(rows, cap * sizeof *rows);
            }
            struct store_row *r = &rows[n++];
            memset(r, 0, sizeof *r);
            r->table = (uint8_t)tb;
            r->key_len = (uint8_t)klen;
            if (klen && k)
                memcpy(r->key, k, (size_t)klen);
            r->c.bytes[0] = (uint64_t)sqlite3_column_int64(st, 2);
            r->c.bytes[1] = (uint64_t)sqlite3_column_int64(st, 3);
            r->c.pkts[0] = (uint64_t)sqlite3_column_int64(st, 4);
            r->c.pkts[1] = (uint64_t)sqlite3_column_int64(st, 5);
            r->c.flows = (uint64_t)sqlite3_column_int64(st, 6);
        }
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(st);
            free(rows);
            return rewind_fail(rw, db);
        }
    }
    sqlite3_finalize(st);
    free(rw->rows);
    rw->rows = rows;
    rw->n = n;
    rw->on = true;
    rw->t = t;
    rw->bytes = tot[0];
    rw->packets = tot[1];
    rw->flows = tot[2];
    rw->bytes_in = tot[3];
    rw->bytes_out = tot[4];
    rw->err[0] = '\0';
    return REWIND_MOVED;
}

enum rewind_result rewind_step(struct rewind *rw, sqlite3 *db, int dir)
{
    const char *sql;
    char buf[128];
    if (dir < 0 && !rw->on)
        sql = "SELECT max(t) FROM minute_total";
    else if (dir < 0) {
        snprintf(buf, sizeof buf, "SELECT max(t) FROM minute_total WHERE t < %u", rw->t);
        sql = buf;
    } else if (!rw->on) {
        return REWIND_NONE; /* live is as far forward as it goes */
    } else {
        snprintf(buf, sizeof buf, "SELECT min(t) FROM minute_total WHERE t > %u", rw->t);
        sql = buf;
    }
    /* store_schema_int answers -1 for "none" and for a failure: tell them apart */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rewind_fail(rw, db);
    int rc = sqlite3_step(st);
    bool none = rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL;
    int64_t t = none ? -1 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rewind_fail(rw, db);
    if (none) {
        if (dir > 0) {
            rewind_live(rw);
            return REWIND_LIVE;
        }
        return REWIND_NONE;
    }
    return rewind_load(rw, db, (uint32_t)t);
}

/* ---- rows for the view ---- */

static const uint32_t rewind_secs[3] = {2, 10, 40};

static void rewind_row(const struct store_row *s, struct view_row *out)
{
    memset(out, 0, sizeof *out);
    struct topn_row *r = &out->r;
    r->table = s->table;
    memcpy(r->key.raw, s->key, s->key_len);
    if (!s->key_len)
        r->flags = STAT_F_USED | STAT_F_OTHER;
    else
        r->flags = STAT_F_USED;
    r->bytes_dir[0] = s->c.bytes[0];
    r->bytes_dir[1] = s->c.bytes[1];
    r->pkts_dir[0] = s->c.pkts[0];
    r->pkts_dir[1] = s->c.pkts[1];
    r->bytes = s->c.bytes[0] + s->c.bytes[1];
    r->packets = s->c.pkts[0] + s->c.pkts[1];
    r->flows = s->c.flows;
    /* the minute's mean rate in every window */
    for (int w = 0; w < 3; w++) {
        r->win[w] = r->bytes * rewind_secs[w] / 60;
        r->win_secs[w] = rewind_secs[w];
    }
    out->avail = VIEW_AV_WIN2 | VIEW_AV_WIN10 | VIEW_AV_WIN40;
}

static bool rewind_pass(const struct query *q, const struct store_row *s)
{
    if (!q->filter || s->table == AGG_T_EXPORTER || s->table == AGG_T_IFACE)
        return true;
    if (!s->key_len)
        return false; /* nothing is known of the rest row's keys */
    struct filter_facts x;
    store_query_facts(s, &x);
    return filter_match_facts(q->filter, &x);
}

static void rewind_push(struct query_result *out, size_t *cap, const struct view_row *r)
{
    if (out->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        out->rows = xrealloc(out->rows, *cap * sizeof *out->rows);
    }
    out->rows[out->n++] = *r;
}

bool rewind_source(void *ctx, const struct query *q, struct query_result *out)
{
    const struct rewind *rw = ctx;
    if (!rw || !rw->on)
        return false;
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    const struct scope *last = q->n_scope ? &q->scope[q->n_scope - 1] : NULL;
    out->filter_ignored = q->filter && (q->kind == VIEW_EXPORTERS || q->kind == VIEW_IFACES);
    out->exact = true;
    bool whole = false; /* a whole table: its share is of the minute's total */
    struct view_row vr;
    if (!last && q->kind != VIEW_FLOWS) {
        int tb = (int)view_kind_table(q->kind);
        whole = tb != AGG_T_EXPORTER && tb != AGG_T_IFACE;
        for (size_t i = 0; i < rw->n; i++) {
            if (rw->rows[i].table != tb || !rewind_pass(q, &rw->rows[i]))
                continue;
            rewind_row(&rw->rows[i], &vr);
            rewind_push(out, &cap, &vr);
        }
    } else if (q->n_scope == 1 && last->kind == SCOPE_HOST &&
               (q->kind == VIEW_HOSTS || q->kind == VIEW_CONVS)) {
        for (size_t i = 0; i < rw->n; i++) {
            const struct store_row *s = &rw->rows[i];
            if (s->table != AGG_T_PAIR || s->key_len < 32 ||
                (memcmp(s->key, last->key, 16) != 0 && memcmp(s->key + 16, last->key, 16) != 0) ||
                !rewind_pass(q, s))
                continue;
            rewind_row(s, &vr);
            if (q->kind == VIEW_HOSTS)
                topn_row_pair_to_peer(&vr.r, last->key);
            rewind_push(out, &cap, &vr);
        }
    } else if (q->kind == VIEW_IFACES && last->kind == SCOPE_EXPORTER) {
        for (size_t i = 0; i < rw->n; i++) {
            const struct store_row *s = &rw->rows[i];
            if (s->table != AGG_T_IFACE || s->key_len < 20 || memcmp(s->key, last->key, 20) != 0)
                continue;
            rewind_row(s, &vr);
            rewind_push(out, &cap, &vr);
        }
    }
    /* every other level was not kept: no rows */
    if (!out->rows)
        out->rows = xcalloc(1, sizeof *out->rows);
    out->total = out->n;
    if (whole && !q->filter) {
        for (int w = 0; w < 3; w++)
            out->denom[w] = rw->bytes * rewind_secs[w] / 60;
        out->denom[3] = rw->bytes;
    } else {
        for (size_t i = 0; i < out->n; i++) {
            for (int w = 0; w < 3; w++)
                out->denom[w] += out->rows[i].r.win[w];
            out->denom[3] += out->rows[i].r.bytes;
        }
    }
    return true;
}
