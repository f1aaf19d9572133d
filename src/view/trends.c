/*
 * trends.c - the Trends view's model and its read of the history store (see trends.h).
 */
#include "config.h"

#include "flowdrill/trends.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "flowdrill/xalloc.h"

static const uint32_t trends_secs[TRENDS_RANGE_MAX] = {3600, 86400, 7 * 86400, 30 * 86400};
static const char *const trends_names[TRENDS_RANGE_MAX] = {"1 h", "24 h", "7 d", "30 d"};

const char *trends_range_name(enum trends_range r)
{
    return r < TRENDS_RANGE_MAX ? trends_names[r] : "?";
}

uint32_t trends_range_secs(enum trends_range r)
{
    return r < TRENDS_RANGE_MAX ? trends_secs[r] : trends_secs[0];
}

/* ---- reading ---- */

static double trends_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int trends_query(sqlite3 *db, const struct trends_req *q, struct trends_data *out)
{
    memset(out, 0, sizeof *out);
    out->req = *q;
    double t0 = trends_clock_ms();
    uint32_t secs = trends_range_secs(q->range);
    out->until = q->now;
    out->since = q->now > secs ? q->now - secs : 0;
    int rc = -1;
    if (store_query_series(db, out->since, out->until, &out->ser, out->err, sizeof out->err))
        goto done;
    /* the rest row (what fell below the stored top of each sample) sorts last; a filter
     * leaves it out, as nothing is known of its keys */
    struct filter *f = NULL;
    if (q->filter[0]) {
        unsigned col;
        char msg[200];
        if (filter_compile(q->filter, &f, msg, sizeof msg, &col) != 0) {
            snprintf(out->err, sizeof out->err, "filter: %s", msg);
            goto done;
        }
    }
    rc = store_query_rows(db, &out->ser, q->table, f, TRENDS_TOP, &out->rows, &out->n_rows,
                          out->err, sizeof out->err);
    filter_free(f);
    if (rc)
        goto done;
    rc = -1;
    if (q->drilled && out->ser.n) {
        out->key_bytes = xcalloc(out->ser.n, sizeof *out->key_bytes);
        if (store_query_key(db, &out->ser, &q->key, out->key_bytes, &out->key_stats, out->err,
                            sizeof out->err))
            goto done;
    }
    rc = 0;
done:
    out->ms = trends_clock_ms() - t0;
    return rc;
}

void trends_data_free(struct trends_data *d)
{
    store_series_free(&d->ser);
    free(d->rows);
    free(d->key_bytes);
    memset(d, 0, sizeof *d);
}

/* ---- the model ---- */

void trends_init(struct trends *t)
{
    memset(t, 0, sizeof *t);
    t->range = TRENDS_24H;
    t->table = AGG_T_HOST;
    t->dirty = true;
}

void trends_free(struct trends *t)
{
    trends_data_free(&t->d);
}

void trends_set_off(struct trends *t, const char *why)
{
    t->off = true;
    snprintf(t->off_msg, sizeof t->off_msg, "%s", why);
    t->dirty = false;
}

void trends_request(const struct trends *t, uint32_t now, struct trends_req *q)
{
    memset(q, 0, sizeof *q);
    q->range = t->range;
    q->table = t->table;
    q->drilled = t->drilled;
    if (t->drilled)
        q->key = t->drill_key;
    q->now = now;
    snprintf(q->filter, sizeof q->filter, "%s", t->filter);
}

void trends_set_filter(struct trends *t, const char *text)
{
    if (strcmp(t->filter, text ? text : "") == 0)
        return;
    snprintf(t->filter, sizeof t->filter, "%s", text ? text : "");
    t->sel = t->top = 0;
    t->dirty = !t->off;
}

static bool trends_same_key(const struct store_row *a, const struct store_row *b)
{
    return a->table == b->table && a->key_len == b->key_len &&
           memcmp(a->key, b->key, a->key_len) == 0;
}

static bool trends_fits(const struct trends *t, const struct trends_req *q)
{
    return q->range == t->range && q->table == t->table && q->drilled == t->drilled &&
           strcmp(q->filter, t->filter) == 0 &&
           (!t->drilled || trends_same_key(&q->key, &t->drill_key));
}

void trends_set_page(struct trends *t, size_t rows)
{
    t->page = rows ? rows : 1;
    if (t->sel < t->top)
        t->top = t->sel;
    if (t->sel >= t->top + t->page)
        t->top = t->sel - t->page + 1;
}

void trends_take(struct trends *t, struct trends_data *d)
{
    /* the row selected before, by key, when it is still there */
    struct store_row was;
    bool had = t->have && t->sel < t->d.n_rows && d->req.table == t->d.req.table;
    if (had)
        was = t->d.rows[t->sel].row;
    trends_data_free(&t->d);
    t->d = *d;
    memset(d, 0, sizeof *d);
    t->have = true;
    t->loaded_now = t->d.req.now;
    t->dirty = !trends_fits(t, &t->d.req);
    if (had) {
        for (size_t i = 0; i < t->d.n_rows; i++)
            if (trends_same_key(&t->d.rows[i].row, &was)) {
                t->sel = i;
                break;
            }
    }
    if (t->sel >= t->d.n_rows)
        t->sel = t->d.n_rows ? t->d.n_rows - 1 : 0;
    trends_set_page(t, t->page);
}

bool trends_move_to(struct trends *t, size_t row)
{
    if (t->drilled || !t->d.n_rows)
        return false;
    if (row >= t->d.n_rows)
        row = t->d.n_rows - 1;
    if (row == t->sel)
        return false;
    t->sel = row;
    trends_set_page(t, t->page);
    return true;
}

bool trends_move(struct trends *t, long delta)
{
    long to = (long)t->sel + delta;
    return trends_move_to(t, to < 0 ? 0 : (size_t)to);
}

bool trends_range_step(struct trends *t, int dir)
{
    int r = (int)t->range + (dir > 0 ? 1 : -1);
    if (r < 0 || r >= TRENDS_RANGE_MAX)
        return false;
    t->range = (enum trends_range)r;
    t->dirty = true;
    return true;
}

bool trends_table_step(struct trends *t, int dir)
{
    if (t->drilled)
        return false;
    t->table = (t->table + (dir > 0 ? 1 : STORE_TABLES - 1)) % STORE_TABLES;
    t->sel = t->top = 0;
    t->dirty = true;
    return true;
}

bool trends_drill(struct trends *t)
{
    if (t->drilled || t->off || t->sel >= t->d.n_rows)
        return false;
    t->drilled = true;
    t->drill_key = t->d.rows[t->sel].row;
    t->dirty = true;
    return true;
}

bool trends_back(struct trends *t)
{
    if (!t->drilled)
        return false;
    t->drilled = false;
    t->dirty = true;
    return true;
}

uint64_t trends_chart(const uint64_t *bytes, const uint32_t *t, size_t n, uint32_t step,
                      uint32_t since, uint32_t until, uint64_t *out, int w)
{
    if (w <= 0)
        return 0;
    memset(out, 0, (size_t)w * sizeof *out);
    if (until <= since || !step)
        return 0;
    uint64_t span = until - since, max = 0;
    for (size_t i = 0; i < n; i++) {
        /* an hour sample may start before `since`: it belongs to the first column */
        uint64_t off = t[i] > since ? t[i] - since : 0;
        if (off >= span)
            continue;
        size_t col = (size_t)(off * (uint64_t)w / span);
        uint64_t bps = bytes[i] * 8 / step;
        if (bps > out[col])
            out[col] = bps;
        if (bps > max)
            max = bps;
    }
    return max;
}
