/*
 * store_retention.c - hour roll-ups, age limits and the size cap of the history store.
 *
 * An hour's rows are recomputed from its minute rows whenever the writer leaves that hour
 * (and at close), so rolling up twice gives the same rows. Ages are measured from the clock
 * the caller passes (the newest minute written), never from the wall clock inside, so a file
 * read with -r keeps its own time and tests can move time at will.
 */
#include "config.h"

#include "flowdrill/store.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "flowdrill/xalloc.h"

void store_policy_default(struct store_policy *p)
{
    p->top = STORE_TOP_DEFAULT;
    p->keep_minutes = STORE_KEEP_MINUTES_S;
    p->keep_hours = STORE_KEEP_HOURS_S;
    p->max_bytes = STORE_MAX_BYTES_DEFAULT;
}

static int store_retention_exec(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, a);
    if (sqlite3_bind_parameter_count(st) > 1)
        sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

uint64_t store_retention_size(sqlite3 *db)
{
    int64_t pages = store_schema_int(db, "PRAGMA page_count");
    int64_t freel = store_schema_int(db, "PRAGMA freelist_count");
    int64_t size = store_schema_int(db, "PRAGMA page_size");
    if (pages < 0 || size < 0)
        return 0;
    return (uint64_t)(pages - (freel > 0 ? freel : 0)) * (uint64_t)size;
}

int store_retention_roll_hour(sqlite3 *db, uint32_t h, uint32_t top)
{
    int64_t lo = h, hi = (int64_t)h + 3600;
    if (store_retention_exec(db, "DELETE FROM hour_total WHERE t = ?1", lo, 0) ||
        store_retention_exec(db, "DELETE FROM hour_row WHERE t = ?1", lo, 0))
        return -1;
    if (store_retention_exec(db,
                             "INSERT INTO hour_total SELECT ?1, sum(bytes), sum(packets),"
                             " sum(flows), sum(bytes_in), sum(bytes_out), sum(packets_in),"
                             " sum(packets_out) FROM minute_total WHERE t >= ?1 AND t < ?2"
                             " HAVING count(*) > 0",
                             lo, hi))
        return -1;
    /* per table, the rows by bytes: the first `top` kept, the others summed into the rest */
    sqlite3_stmt *sel, *ins;
    if (sqlite3_prepare_v2(db,
                           "SELECT tbl, key, sum(b0), sum(b1), sum(p0), sum(p1), sum(flows)"
                           " FROM minute_row WHERE t >= ?1 AND t < ?2 GROUP BY tbl, key"
                           " ORDER BY tbl, length(key) = 0, sum(b0) + sum(b1) DESC, key",
                           -1, &sel, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_prepare_v2(db, "INSERT INTO hour_row VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1,
                           &ins, NULL) != SQLITE_OK) {
        sqlite3_finalize(sel);
        return -1;
    }
    sqlite3_bind_int64(sel, 1, lo);
    sqlite3_bind_int64(sel, 2, hi);
    int rc = 0, cur = -1;
    uint32_t kept = 0;
    int64_t rest[5] = {0};
    bool have_rest = false;
    for (;;) {
        int s = sqlite3_step(sel);
        if (s != SQLITE_ROW && s != SQLITE_DONE) {
            rc = -1;
            break;
        }
        int tbl = s == SQLITE_ROW ? sqlite3_column_int(sel, 0) : -2;
        if (tbl != cur) {
            if (cur >= 0 && have_rest) {
                sqlite3_reset(ins);
                sqlite3_bind_int64(ins, 1, cur);
                sqlite3_bind_int64(ins, 2, lo);
                sqlite3_bind_zeroblob(ins, 3, 0);
                for (int i = 0; i < 5; i++)
                    sqlite3_bind_int64(ins, 4 + i, rest[i]);
                if (sqlite3_step(ins) != SQLITE_DONE) {
                    rc = -1;
                    break;
                }
            }
            cur = tbl;
            kept = 0;
            memset(rest, 0, sizeof rest);
            have_rest = false;
        }
        if (s == SQLITE_DONE)
            break;
        int klen = sqlite3_column_bytes(sel, 1);
        if (klen == 0 || kept >= top) {
            for (int i = 0; i < 5; i++)
                rest[i] += sqlite3_column_int64(sel, 2 + i);
            have_rest = true;
            continue;
        }
        kept++;
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, tbl);
        sqlite3_bind_int64(ins, 2, lo);
        sqlite3_bind_blob(ins, 3, sqlite3_column_blob(sel, 1), klen, SQLITE_TRANSIENT);
        for (int i = 0; i < 5; i++)
            sqlite3_bind_int64(ins, 4 + i, sqlite3_column_int64(sel, 2 + i));
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = -1;
            break;
        }
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}

/* Drop one day of the oldest rows at resolution `res` ("minute" or "hour"); 1 when nothing
 * was left to drop. */
static int store_retention_drop_day(sqlite3 *db, bool minutes)
{
    int64_t oldest = store_schema_int(
        db, minutes ? "SELECT min(t) FROM minute_total" : "SELECT min(t) FROM hour_total");
    if (oldest < 0)
        return 1;
    int64_t cut = oldest + 86400;
    if (minutes)
        return store_retention_exec(db, "DELETE FROM minute_total WHERE t < ?1", cut, 0) ||
                       store_retention_exec(db, "DELETE FROM minute_row WHERE t < ?1", cut, 0)
                   ? -1
                   : 0;
    return store_retention_exec(db, "DELETE FROM hour_total WHERE t < ?1", cut, 0) ||
                   store_retention_exec(db, "DELETE FROM hour_row WHERE t < ?1", cut, 0)
               ? -1
               : 0;
}

int store_retention_apply(sqlite3 *db, const struct store_policy *p, uint32_t now)
{
    int64_t mcut = (int64_t)now - p->keep_minutes, hcut = (int64_t)now - p->keep_hours;
    if (store_retention_exec(db, "DELETE FROM minute_total WHERE t < ?1", mcut, 0) ||
        store_retention_exec(db, "DELETE FROM minute_row WHERE t < ?1", mcut, 0) ||
        store_retention_exec(db, "DELETE FROM hour_total WHERE t < ?1", hcut, 0) ||
        store_retention_exec(db, "DELETE FROM hour_row WHERE t < ?1", hcut, 0))
        return -1;
    /* the size cap: minute rows go first (their hours are kept), but never the last day */
    while (p->max_bytes && store_retention_size(db) > p->max_bytes) {
        int64_t lo = store_schema_int(db, "SELECT min(t) FROM minute_total");
        int64_t hi = store_schema_int(db, "SELECT max(t) FROM minute_total");
        int r = lo >= 0 && hi - lo > 86400 ? store_retention_drop_day(db, true)
                                           : store_retention_drop_day(db, false);
        if (r == 1)
            r = store_retention_drop_day(db, true);
        if (r < 0)
            return -1;
        if (r == 1)
            break; /* nothing left to drop */
    }
    return sqlite3_exec(db, "PRAGMA incremental_vacuum", NULL, NULL, NULL) == SQLITE_OK ? 0
                                                                                         : -1;
}
