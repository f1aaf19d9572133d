/*
 * store_query_key.c - one stored row's series over a range (see store_query.h): what the
 * Trends view charts when the user opens a row. One indexed range scan of the row table
 * (its primary key is (tbl, t, key)), keeping the rows whose key matches.
 */
#include "config.h"

#include "flowdrill/store_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "flowdrill/xalloc.h"

int store_query_key(sqlite3 *db, const struct store_series *ser, const struct store_row *key,
                    uint64_t *bytes, struct store_stats *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    if (!ser->n)
        return 0;
    memset(bytes, 0, ser->n * sizeof *bytes);
    const char *sql = ser->step == 60 ? "SELECT t, b0 + b1 FROM minute_row WHERE tbl = ?1 AND "
                                        "t >= ?2 AND t <= ?3 AND key = ?4 ORDER BY t"
                                      : "SELECT t, b0 + b1 FROM hour_row WHERE tbl = ?1 AND "
                                        "t >= ?2 AND t <= ?3 AND key = ?4 ORDER BY t";
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int(q, 1, key->table);
    sqlite3_bind_int64(q, 2, ser->s[0].t);
    sqlite3_bind_int64(q, 3, ser->s[ser->n - 1].t);
    static const uint8_t none[1] = {0};
    sqlite3_bind_blob(q, 4, key->key_len ? key->key : none, key->key_len, SQLITE_STATIC);
    size_t j = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        uint32_t t = (uint32_t)sqlite3_column_int64(q, 0);
        while (j < ser->n && ser->s[j].t < t)
            j++;
        if (j < ser->n && ser->s[j].t == t)
            bytes[j] += (uint64_t)sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        goto fail;
    uint32_t *t = xmalloc(ser->n * sizeof *t);
    for (size_t i = 0; i < ser->n; i++)
        t[i] = ser->s[i].t;
    store_query_stats(bytes, t, ser->n, ser->step, st);
    free(t);
    return 0;
fail:
    snprintf(err, errlen, "history store: cannot read: %s", sqlite3_errmsg(db));
    return -1;
}
