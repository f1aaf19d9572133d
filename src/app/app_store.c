/*
 * app_store.c - the program's side of the history store: whether it is on, the per-minute
 * hand-over, and its closing.
 *
 * The minute boundary is found where the aggregator's time moves: records pass through a
 * thin sink in front of the aggregator, and the one record whose second starts a new minute
 * first moves the aggregator there (which books everything before it), then the finished
 * minute is differenced (store_rollup_take) and queued to the writer thread. Wall-clock
 * sources cross minutes in app_advance too. So a minute holds exactly what the aggregator
 * booked in its seconds, with -r in the file's own time. The loop's cost per record is one
 * comparison.
 *
 * On by default for live capture and collection; off for -r and --demo unless --store DIR is
 * given (a script reading a file, a demo, must not fill the user's history with old or made-up
 * traffic). A store that cannot be opened is reported once and the run goes on without it.
 * Reading a file, a full writer queue makes the read wait (store_set_wait) rather than drop
 * minutes: a file crosses minutes as fast as it is read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "flowdrill/store.h"
#include "flowdrill/xalloc.h"

#include "app_priv.h"

struct app_store {
    struct store *st;
    struct store_rollup *ru;
    struct agg *agg;
    int64_t next_us;   /* first microsecond of the next minute; INT64_MAX before the first */
    uint32_t minute;   /* the minute being filled */
    bool started;
};

bool app_store_wanted(const struct options *o)
{
    if (o->no_store || o->history)
        return false;
    if (o->store_dir)
        return true;
    return !o->file && !o->demo;
}

static void app_store_begin(struct app_store *s, uint32_t sec)
{
    s->minute = sec - sec % 60;
    s->next_us = ((int64_t)s->minute + 60) * 1000000;
    s->started = true;
}

/* Close the minute being filled and start the one holding second `sec`. */
static void app_store_cross(struct app_store *s, uint32_t sec)
{
    agg_advance(s->agg, sec); /* books every delta before `sec` into the tables */
    store_push(s->st, store_rollup_take(s->ru, s->agg, s->minute));
    app_store_begin(s, sec);
}

static void app_store_emit(void *ctx, const struct flow_rec *recs, size_t n)
{
    struct app_store *s = ctx;
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].last_us < s->next_us || recs[i].last_us <= 0)
            continue;
        if (!s->started) {
            app_store_begin(s, (uint32_t)(recs[i].last_us / 1000000));
            continue;
        }
        if (recs[i].last_us / 1000000 <= agg_now(s->agg))
            continue; /* booked into the aggregator's current second anyway */
        agg_add(s->agg, recs + from, i - from);
        from = i;
        app_store_cross(s, (uint32_t)(recs[i].last_us / 1000000));
    }
    agg_add(s->agg, recs + from, n - from);
}

void app_store_open(struct app *a)
{
    const struct options *o = a->o;
    if (!app_store_wanted(o))
        return;
    char dir[4096], err[4600];
    if (o->store_dir)
        snprintf(dir, sizeof dir, "%s", o->store_dir);
    else if (store_schema_default_dir(dir, sizeof dir) != 0) {
        fputs("flowdrill: history store: neither XDG_DATA_HOME nor HOME is set; running "
              "without history (use --store DIR)\n",
              stderr);
        return;
    }
    struct sqlite3 *db = store_schema_open(dir, true, err, sizeof err);
    if (!db) {
        fprintf(stderr, "flowdrill: %s; running without history\n", err);
        return;
    }
    struct store_policy pol;
    store_policy_default(&pol);
    pol.max_bytes = o->store_max_bytes;
    struct app_store *s = xcalloc(1, sizeof *s);
    s->agg = a->agg;
    s->st = store_start(db, &pol);
    if (o->file)
        store_set_wait(s->st, true); /* -r: the file waits for the disk; no minute is lost */
    s->ru = store_rollup_new(a->agg);
    s->next_us = INT64_MIN; /* the first record with a time starts the first minute */
    a->store = s;
}

struct flow_sink app_store_sink(struct app *a)
{
    if (!a->store)
        return agg_sink(a->agg);
    struct flow_sink k = {app_store_emit, a->store};
    return k;
}

void app_advance(struct app *a, uint32_t sec)
{
    struct app_store *s = a->store;
    if (s) {
        if (!s->started)
            app_store_begin(s, sec);
        else if ((int64_t)sec * 1000000 >= s->next_us && sec > agg_now(a->agg))
            app_store_cross(s, sec);
    }
    agg_advance(a->agg, sec);
    if (a->det)
        detect_advance(a->det, sec);
}

void app_store_close(struct app *a)
{
    struct app_store *s = a->store;
    if (!s)
        return;
    agg_flush(a->agg);
    if (s->started)
        store_push(s->st, store_rollup_take(s->ru, a->agg, s->minute)); /* the partial minute */
    char err[512];
    store_close(s->st, err, sizeof err);
    if (err[0])
        fprintf(stderr, "flowdrill: %s\n", err);
    store_rollup_free(s->ru);
    free(s);
    a->store = NULL;
}
