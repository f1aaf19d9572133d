/*
 * rewind.h - looking back in the normal table views: keys [ and ] step one stored minute
 * back and forward through the history store's per-minute roll-ups, ' (or ] past the newest
 * minute) returns to live. While rewound, the view's rows come from the minute's stored rows
 * (view.h's `source` hook) instead of the live tables. No curses, no libuv
 * (src/view/rewind.c).
 *
 * What a stored minute can answer (the roll-ups keep the top rows of each table, the rest
 * summed into one row): every top-level view but Flows; a host's peers and conversations
 * (from the pair rows); an exporter's interfaces (from the interface rows). Other drill-down
 * levels were not kept and show no rows. The filter applies to what each stored row knows
 * (store_query_facts, as `--history` does); the rest row is left out under a filter. Rates
 * are the minute's mean (every window the same), totals the minute's bytes, packets, flows.
 */
#ifndef FLOWDRILL_REWIND_H
#define FLOWDRILL_REWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/query.h"
#include "flowdrill/store.h"

struct rewind {
    bool on;           /* the views show minute t */
    uint32_t t;        /* the minute shown (Unix seconds, a multiple of 60) */
    struct store_row *rows; /* every stored row of minute t, all tables (owned) */
    size_t n;
    uint64_t bytes, packets, flows, bytes_in, bytes_out; /* the minute's totals */
    char err[256];     /* the last step's failure */
};

enum rewind_result {
    REWIND_MOVED = 0, /* now showing another minute */
    REWIND_LIVE,      /* back to live (stepped past the newest minute) */
    REWIND_NONE,      /* no stored minute that way: nothing changed */
    REWIND_ERR        /* the store could not be read: err says why, nothing changed */
};

void rewind_init(struct rewind *rw);
void rewind_free(struct rewind *rw);

/* One stored minute back (dir < 0; from live: the newest stored minute) or forward
 * (dir > 0; from the newest: live). `db` is a read-only connection. */
enum rewind_result rewind_step(struct rewind *rw, struct sqlite3 *db, int dir);
/* Show minute t (it must be stored: REWIND_NONE otherwise). */
enum rewind_result rewind_load(struct rewind *rw, struct sqlite3 *db, uint32_t t);
/* Back to live. */
void rewind_live(struct rewind *rw);

/* The view's row source (view.h): answers `q` from minute t while rewound, else returns
 * false (the live tables answer). ctx is the struct rewind. */
bool rewind_source(void *ctx, const struct query *q, struct query_result *out);

#endif
