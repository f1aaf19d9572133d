/*
 * store.h - the history store: per-minute roll-ups of every table kept in SQLite.
 *
 * Four parts, one file each under src/store/:
 *  - store_rollup.c (event loop thread): once a minute, the difference between the live
 *    tables now and a minute ago, as one heap-allocated struct store_minute. The loop pays one
 *    walk over the stat tables per minute and nothing per record.
 *  - store_writer.c (its own thread): a bounded queue of minutes; the writer keeps the top-N
 *    rows of each table (the rest summed into one "rest" row, so a table's rows still add up),
 *    writes the minute in one transaction, rolls finished hours up and applies retention. The
 *    loop never waits on the disk: a full queue drops the minute (counted).
 *  - store_schema.c: opening, creating and checking the database file (WAL, one schema
 *    version).
 *  - store_retention.c: hour roll-ups, age limits and the size cap, with the clock passed in.
 *  - store_query.c: reading ranges back (totals per sample, rows with sum, peak and p95).
 *
 * Time is data time: a minute is [t, t + 60) of the seconds the aggregator books into (the
 * capture's own timestamps for -r, the wall clock for live sources). Depends on agg and
 * SQLite; no libuv, no curses.
 */
#ifndef FLOWDRILL_STORE_H
#define FLOWDRILL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/agg.h"
#include "flowdrill/stat_table.h"

/* Tables kept: AGG_T_HOST .. AGG_T_IFACE (every stat table; conversations are not kept). */
#define STORE_TABLES AGG_T_FLOW

/* Defaults (documented in flowdrill(8), HISTORY). */
#define STORE_TOP_DEFAULT 50                   /* rows per table per minute and per hour */
#define STORE_KEEP_MINUTES_S (7u * 86400u)     /* 1-minute rows: 7 days */
#define STORE_KEEP_HOURS_S (365u * 86400u)     /* 1-hour rows: a year */
#define STORE_MAX_BYTES_DEFAULT (1024ull << 20) /* 1 GiB */
#define STORE_FILE "history.sqlite"

struct store_counts {
    uint64_t bytes[2], pkts[2]; /* the live table's [0]/[1] sides (stat_table.h) */
    uint64_t flows;
};

/* One row of one minute (or hour): the key as the live table holds it (zero-padded), and its
 * length; key_len 0 is the "rest" row (the live "other" row plus rows below the top-N). */
struct store_row {
    uint8_t key[STAT_KEY_MAX];
    uint8_t key_len;
    uint8_t table; /* enum agg_table */
    struct store_counts c;
};

/* What one minute added. Owned by whoever holds it; free with store_minute_free. */
struct store_minute {
    uint32_t t; /* minute start (Unix seconds, a multiple of 60) */
    uint64_t bytes, packets, flows;
    uint64_t bytes_in, bytes_out, packets_in, packets_out; /* FLOW_DIR_IN / FLOW_DIR_OUT */
    struct store_row *rows; /* every row that moved, all tables (the writer keeps the top) */
    size_t n_rows;
};

void store_minute_free(struct store_minute *m);

/* ---- store_rollup.c: the loop's side ---- */

struct store_rollup;

/* Remember the tables' state now, so the first minute taken counts only what comes after. */
struct store_rollup *store_rollup_new(const struct agg *a);
void store_rollup_free(struct store_rollup *r);

/* The difference between the live tables now and at the previous call, as minute `t`. Call
 * after agg_flush (or agg_advance), so pending deltas are in the tables. Never NULL. */
struct store_minute *store_rollup_take(struct store_rollup *r, const struct agg *a, uint32_t t);

/* ---- store_schema.c ---- */

struct sqlite3;

/* The database file under `dir` (created with its parents when `create`): writes the path into
 * buf. Returns buf. */
char *store_schema_path(const char *dir, char *buf, size_t len);

/* Open (and when `create`, create) the store in `dir`. On failure returns NULL and writes a
 * one-line message naming the problem and the fix into err. Read-only when !create. The
 * connection is owned by the caller (sqlite3_close). */
struct sqlite3 *store_schema_open(const char *dir, bool create, char *err, size_t errlen);

/* The default directory: $XDG_DATA_HOME/flowdrill, else $HOME/.local/share/flowdrill. Returns
 * -1 when neither variable is set. */
int store_schema_default_dir(char *buf, size_t len);

/* The first column of the first row of sql (one statement, no parameters) as an integer;
 * -1 when the statement fails, returns no row, or gives NULL. */
int64_t store_schema_int(struct sqlite3 *db, const char *sql);

/* ---- store_retention.c ---- */

struct store_policy {
    uint32_t top;          /* rows per table kept per minute and per hour */
    uint32_t keep_minutes; /* seconds of 1-minute rows */
    uint32_t keep_hours;   /* seconds of 1-hour rows */
    uint64_t max_bytes;    /* size cap of the database (0: none) */
};

void store_policy_default(struct store_policy *p);

/* Recompute the hour rows of hour `h` (a multiple of 3600) from its minute rows: the top rows
 * per table, the rest summed. Idempotent. Returns 0 or -1 (SQLite error). */
int store_retention_roll_hour(struct sqlite3 *db, uint32_t h, uint32_t top);

/* Drop minute rows older than now - keep_minutes and hour rows older than now - keep_hours,
 * then, while the file is above max_bytes, the oldest day of minute rows (while more than a
 * day of them is left) or else of hour rows; returns the file back. `now` is the clock
 * (the newest minute written, in the program; any value in tests). 0 or -1. */
int store_retention_apply(struct sqlite3 *db, const struct store_policy *p, uint32_t now);

/* Bytes the database holds (pages in use). */
uint64_t store_retention_size(struct sqlite3 *db);

/* ---- store_writer.c ---- */

struct store;

/* Start the writer thread on an open database (taken over: closed by store_close). */
struct store *store_start(struct sqlite3 *db, const struct store_policy *p);

/* Hand minute `m` to the writer (ownership passes). Never blocks: when the queue is full the
 * minute is dropped and counted. */
void store_push(struct store *s, struct store_minute *m);

/* Reading a file: store_push waits for room instead of dropping (nothing live can stall, and
 * a file read at full speed crosses minutes far faster than a disk commits them). */
void store_set_wait(struct store *s, bool wait);

/* Write what is queued, roll up the hours written to, apply retention, stop the thread and
 * close the database. Writes a one-line summary of any failure into err (err[0] = 0 when
 * none). Returns 0, or -1 when minutes were lost. */
int store_close(struct store *s, char *err, size_t errlen);

/* Write one minute synchronously (what the thread does for each; tests use it directly). */
int store_write_minute(struct sqlite3 *db, const struct store_policy *p, struct store_minute *m);

#endif
