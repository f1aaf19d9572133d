/*
 * store_schema.c - the history database: where it lives, its tables, opening it safely.
 *
 * Schema (version 1), times in Unix seconds:
 *   minute_total(t PK, bytes, packets, flows, bytes_in, bytes_out, packets_in, packets_out)
 *   minute_row(tbl, t, key, b0, b1, p0, p1, flows; PK (tbl, t, key))   top rows per minute
 *   hour_total, hour_row: the same per hour (t a multiple of 3600)
 *   meta(k PK, v): schema version
 * tbl is enum agg_table; key the live table's key bytes (empty blob: the "rest" row). The
 * journal is WAL with synchronous=NORMAL: a committed minute survives the process being
 * killed (only a power cut may lose the last commits). auto_vacuum=INCREMENTAL lets the size
 * cap give space back to the file system.
 */
#include "config.h"

#include "flowdrill/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#define STORE_SCHEMA_VERSION 1

static const char store_schema_sql[] =
    "PRAGMA auto_vacuum=INCREMENTAL;"
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS minute_total(t INTEGER PRIMARY KEY, bytes INTEGER NOT NULL,"
    " packets INTEGER NOT NULL, flows INTEGER NOT NULL, bytes_in INTEGER NOT NULL,"
    " bytes_out INTEGER NOT NULL, packets_in INTEGER NOT NULL, packets_out INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS hour_total(t INTEGER PRIMARY KEY, bytes INTEGER NOT NULL,"
    " packets INTEGER NOT NULL, flows INTEGER NOT NULL, bytes_in INTEGER NOT NULL,"
    " bytes_out INTEGER NOT NULL, packets_in INTEGER NOT NULL, packets_out INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS minute_row(tbl INTEGER NOT NULL, t INTEGER NOT NULL,"
    " key BLOB NOT NULL, b0 INTEGER NOT NULL, b1 INTEGER NOT NULL, p0 INTEGER NOT NULL,"
    " p1 INTEGER NOT NULL, flows INTEGER NOT NULL, PRIMARY KEY(tbl, t, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS hour_row(tbl INTEGER NOT NULL, t INTEGER NOT NULL,"
    " key BLOB NOT NULL, b0 INTEGER NOT NULL, b1 INTEGER NOT NULL, p0 INTEGER NOT NULL,"
    " p1 INTEGER NOT NULL, flows INTEGER NOT NULL, PRIMARY KEY(tbl, t, key)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO meta(k, v) VALUES('schema', 1);";

char *store_schema_path(const char *dir, char *buf, size_t len)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    snprintf(buf, len, "%.*s/%s", (int)n, dir, STORE_FILE);
    return buf;
}

int store_schema_default_dir(char *buf, size_t len)
{
    const char *x = getenv("XDG_DATA_HOME");
    int n;
    if (x && *x == '/') /* the spec: a relative value is invalid, ignore it */
        n = snprintf(buf, len, "%s/flowdrill", x);
    else if ((x = getenv("HOME")) && *x)
        n = snprintf(buf, len, "%s/.local/share/flowdrill", x);
    else
        return -1;
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* mkdir -p, mode 0700 for what it creates (traffic history is private). */
static int store_schema_mkdirs(const char *dir)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return -1;
        p[i] = c;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return -1;
    if (!S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int store_schema_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *st;
    *version = 0;
    int rc = sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k = 'schema'", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

struct sqlite3 *store_schema_open(const char *dir, bool create, char *err, size_t errlen)
{
    char path[4200];
    store_schema_path(dir, path, sizeof path);
    if (create && store_schema_mkdirs(dir) != 0) {
        snprintf(err, errlen,
                 "history store: cannot create the directory %s: %s; choose another with "
                 "--store DIR, or run with --no-store",
                 dir, strerror(errno));
        return NULL;
    }
    if (create && access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen,
                 "history store: the directory %s is not writable: %s; choose another with "
                 "--store DIR, or run with --no-store",
                 dir, strerror(errno));
        return NULL;
    }
    if (!create && access(path, R_OK) != 0) {
        snprintf(err, errlen,
                 "history store: no history at %s: %s; history is written by a running "
                 "flowdrill (see --store in flowdrill(8))",
                 path, strerror(errno));
        return NULL;
    }
    sqlite3 *db = NULL;
    int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    int rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    const char *what = "cannot open";
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_extended_result_codes(db, 1);
        int v = 0;
        what = "cannot read";
        rc = sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL); /* NOTADB shows */
        if (rc == SQLITE_OK && create) {
            what = "cannot set up";
            rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL,
                              NULL, NULL);
            if (rc == SQLITE_OK)
                rc = sqlite3_exec(db, store_schema_sql, NULL, NULL, NULL);
        }
        if (rc == SQLITE_OK) {
            what = "cannot read";
            rc = store_schema_version(db, &v);
            if (rc == SQLITE_OK && v != STORE_SCHEMA_VERSION) {
                snprintf(err, errlen,
                         "history store: %s has schema version %d, this flowdrill reads %d; "
                         "move the file away (or use --store DIR) to start a new history",
                         path, v, STORE_SCHEMA_VERSION);
                sqlite3_close(db);
                return NULL;
            }
        }
    }
    if (rc != SQLITE_OK) {
        int base = rc & 0xff;
        const char *fix = base == SQLITE_NOTADB || base == SQLITE_CORRUPT
                              ? "the file is damaged or not a flowdrill store: move it away to "
                                "start a new history, or use --store DIR"
                          : base == SQLITE_READONLY || base == SQLITE_CANTOPEN ||
                                  base == SQLITE_PERM
                              ? "check its permissions, or use --store DIR or --no-store"
                              : "use --store DIR or --no-store";
        snprintf(err, errlen, "history store: %s %s: %s; %s", what, path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), fix);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

int64_t store_schema_int(struct sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}
