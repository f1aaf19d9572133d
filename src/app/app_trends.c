/*
 * app_trends.c - the program's side of the Trends screen: a read-only connection to the
 * history store and the reads the screen asks for, on libuv's worker pool so a 30-day
 * range never holds up capture, collection or keys (see trends.h for the split).
 *
 * One read at a time: a request made while one runs waits for the next poll (the model
 * stays dirty). The connection is opened at start, before privileges are dropped (the store's
 * directory is private to the user who started flowdrill), from the same directory the
 * writer uses (--store DIR, else the default), read-only, and read once there so SQLite has
 * its WAL files open; when history is off (--no-store) or the store cannot be opened, the
 * model gets the reason and how to turn history on.
 * While the screen is open the data is read again each minute as new minutes are written.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <sqlite3.h>

#include "flowdrill/store.h"
#include "flowdrill/trends.h"
#include "flowdrill/xalloc.h"

#include "app_priv.h"

struct app_trends {
    uv_work_t work;
    struct app *a;
    struct trends *t;
    void (*done)(struct app *a);
    sqlite3 *db;
    bool busy;
    struct trends_req q;
    struct trends_data d;
};

struct app_trends *app_trends_new(struct app *a, struct trends *t, void (*done)(struct app *))
{
    struct app_trends *at = xcalloc(1, sizeof *at);
    at->a = a;
    at->t = t;
    at->done = done;
    at->work.data = at;
    at->db = a->trends_db;
    a->trends_db = NULL;
    if (a->o->no_store)
        trends_set_off(t, "History is off (--no-store). Run flowdrill without --no-store to "
                          "keep per-minute history (in $XDG_DATA_HOME/flowdrill, or --store "
                          "DIR), then come back here with 0 or H.");
    else if (!at->db)
        trends_set_off(t, a->trends_why ? a->trends_why : "History is off.");
    return at;
}

/* The clock ranges end at: the data's own time when a file feeds a store (-r --store),
 * else the wall clock. */
static uint32_t app_trends_now(const struct app *a)
{
    if (a->store && !a->wall_clock && !a->n_udp)
        return agg_now(a->agg) + 60; /* the minute being filled is not stored yet */
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint32_t)tv.tv_sec;
}

void app_trends_open_db(struct app *a)
{
    const struct options *o = a->o;
    char dir[4096], err[4600], why[600];
    if (o->no_store)
        return; /* app_trends_new says so */
    if (o->store_dir)
        snprintf(dir, sizeof dir, "%s", o->store_dir);
    else if (store_schema_default_dir(dir, sizeof dir) != 0) {
        a->trends_why = xstrdup("History is off: neither XDG_DATA_HOME nor HOME is set. Name "
                                "the store with --store DIR.");
        return;
    }
    sqlite3 *db = store_schema_open(dir, false, err, sizeof err);
    if (!db) {
        snprintf(why, sizeof why, "History is off: %.300s. It is written while flowdrill "
                                  "captures or collects live, or with -r and --store DIR.",
                 err);
        a->trends_why = xstrdup(why);
        return;
    }
    sqlite3_busy_timeout(db, 1000); /* the writer's checkpoints are short */
    a->trends_db = db;
    /* the rewind reads on the loop thread while a Trends read may run on a worker: its own
     * connection (they are opened without SQLite's mutexes) */
    a->rewind_db = store_schema_open(dir, false, err, sizeof err);
    if (a->rewind_db)
        sqlite3_busy_timeout(a->rewind_db, 200);
}

static void app_trends_work(uv_work_t *w)
{
    struct app_trends *at = w->data;
    trends_query(at->db, &at->q, &at->d);
}

static void app_trends_after(uv_work_t *w, int status)
{
    struct app_trends *at = w->data;
    at->busy = false;
    at->t->loading = false;
    if (status != 0) {
        trends_data_free(&at->d);
        return;
    }
    trends_take(at->t, &at->d);
    if (!at->a->stopping && at->done)
        at->done(at->a);
}

void app_trends_poll(struct app_trends *at)
{
    if (!at || at->busy || at->t->off)
        return;
    struct trends *t = at->t;
    uint32_t now = app_trends_now(at->a);
    /* again when the model changed, or a minute after the last read */
    if (!t->dirty && t->have && now < t->loaded_now + 60 && now >= t->loaded_now)
        return;
    trends_request(t, now - now % 60, &at->q);
    t->dirty = false;
    t->loading = true;
    at->busy = true;
    if (uv_queue_work(&at->a->loop, &at->work, app_trends_work, app_trends_after) != 0) {
        at->busy = false;
        t->loading = false;
        t->dirty = true;
    }
}

void app_trends_free(struct app_trends *at)
{
    if (!at)
        return;
    if (at->busy)
        return; /* the worker still holds it; the process is ending */
    trends_data_free(&at->d);
    if (at->db)
        sqlite3_close(at->db);
    free(at);
}

void app_trends_release(struct app *a)
{
    if (a->trends_db)
        sqlite3_close(a->trends_db);
    a->trends_db = NULL;
    if (a->rewind_db)
        sqlite3_close(a->rewind_db);
    a->rewind_db = NULL;
    free(a->trends_why);
    a->trends_why = NULL;
}
