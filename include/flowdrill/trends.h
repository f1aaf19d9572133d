/*
 * trends.h - the Trends view's model (keys 0 and H): the range shown (last 1 h, 24 h, 7 d,
 * 30 d), the table whose busiest rows are listed under the chart, the selected row and
 * whether its own chart is open, and the data last read from the history store for them.
 * No curses, no libuv (src/view/trends.c); the renderer is src/ui/render_trends.c.
 *
 * Reading is split from the model so the program can read on a worker thread: the model
 * says what it wants (trends_request), trends_query reads it from a read-only connection
 * (any thread; touches nothing but its arguments), and trends_take hands the result back on
 * the model's thread. The model marks itself `dirty` whenever what it shows no longer
 * matches what it asked for (range, table or drill changed). A result that no longer fits
 * the model when it arrives is still taken (so the screen is not empty) and leaves the model
 * dirty, so the caller asks again.
 *
 * The selection is kept by key across reloads. Charts are bucketed here (trends_chart), so
 * the renderer only maps numbers to cells.
 */
#ifndef FLOWDRILL_TRENDS_H
#define FLOWDRILL_TRENDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/store.h"
#include "flowdrill/store_query.h"

enum trends_range { TRENDS_1H = 0, TRENDS_24H, TRENDS_7D, TRENDS_30D, TRENDS_RANGE_MAX };

#define TRENDS_TOP 100 /* rows read for the list under the chart */

const char *trends_range_name(enum trends_range r); /* "1 h", "24 h", "7 d", "30 d" */
uint32_t trends_range_secs(enum trends_range r);

/* What to read: the range ending at `now`, the table, and the key of the row whose own
 * chart is open (when drilled). */
struct trends_req {
    enum trends_range range;
    int table; /* enum agg_table, < STORE_TABLES */
    bool drilled;
    struct store_row key;
    uint32_t now; /* the range is [now - secs, now) */
    char filter[256]; /* the screen's filter text for the rows ("" none); compiled by the read */
};

/* What was read. Owned by whoever holds it; trends_data_free. */
struct trends_data {
    struct trends_req req;
    uint32_t since, until;
    struct store_series ser;   /* totals per sample */
    struct store_qrow *rows;   /* busiest rows of req.table (TRENDS_TOP; the rest row last) */
    size_t n_rows;
    uint64_t *key_bytes;       /* drilled: bytes of req.key per sample of ser (ser.n) */
    struct store_stats key_stats;
    char err[256];             /* non-empty: the read failed (shown instead of the chart) */
    double ms;                 /* how long the read took (wall clock) */
};

/* Read `q` from db (read-only connection). Always fills *out (err set on failure);
 * returns 0 or -1. */
int trends_query(struct sqlite3 *db, const struct trends_req *q, struct trends_data *out);
void trends_data_free(struct trends_data *d);

struct trends {
    enum trends_range range;
    int table;
    size_t sel, top;   /* selected row and first row shown (of d.rows) */
    size_t page;       /* rows on screen (set by the renderer) */
    char filter[256];  /* the screen's filter, applied to the rows (not the totals) */
    bool drilled;      /* the selected row's own chart is open */
    struct store_row drill_key;
    /* history is off: the reason and how to turn it on, shown instead of everything */
    bool off;
    char off_msg[512];
    /* the data shown */
    bool have;
    struct trends_data d;
    bool dirty;        /* what is shown is not what the model asks for: read again */
    bool loading;      /* a read is running (set and cleared by the caller) */
    uint32_t loaded_now; /* req.now of the data shown (the caller re-reads as time passes) */
};

void trends_init(struct trends *t);
void trends_free(struct trends *t);
/* The screen's filter (text as typed; "" none) for the rows; a change makes the model dirty. */
void trends_set_filter(struct trends *t, const char *text);
/* History is off for this run: `why` says why and how to turn it on. */
void trends_set_off(struct trends *t, const char *why);

/* The request for what the model shows now, ending at `now`. */
void trends_request(const struct trends *t, uint32_t now, struct trends_req *q);
/* Take a result (ownership passes; *d is zeroed). Keeps the selection on the same key. */
void trends_take(struct trends *t, struct trends_data *d);

/* ---- actions: true when something changed (the caller redraws; dirty says re-read) ---- */
bool trends_move(struct trends *t, long delta);
bool trends_move_to(struct trends *t, size_t row);
bool trends_range_step(struct trends *t, int dir);  /* shorter (-1) / longer (+1), clamped */
bool trends_table_step(struct trends *t, int dir);  /* next / previous table, wrapping */
bool trends_drill(struct trends *t);                /* the selected row's own chart */
bool trends_back(struct trends *t);                 /* close the row chart (false: none) */
void trends_set_page(struct trends *t, size_t rows);

/* The chart of `n` samples (bytes per sample of `step` seconds at times t[], sorted) over
 * [since, until) in `w` columns: out[i] is the highest rate (bits per second) of the samples
 * in column i (0 where none). Peaks are kept, so the busiest minute shows at any width.
 * Returns the largest value. */
uint64_t trends_chart(const uint64_t *bytes, const uint32_t *t, size_t n, uint32_t step,
                      uint32_t since, uint32_t until, uint64_t *out, int w);

#endif
