/*
 * view.h - seam 3: the view model. What the user is looking at and how: the current view,
 * the drill-down stack, sort, filter, search, selection and display toggles. The renderer
 * reads it; the input layer changes it through the functions below. No curses, no libuv:
 * tests drive it with a live aggregator and a fake clock.
 *
 * Rows are refreshed from the aggregator by view_refresh (the one place that reads the live
 * tables) and then sorted here. Once the user has moved, the selection is kept by KEY: after
 * a refresh that reorders rows, the cursor stays on the same host/port/flow (before that, it
 * stays on the top row, so the busiest rows stay in sight). For a moment after the user moves
 * (VIEW_HOLD_MS), and always while the order is frozen (`o`), rows keep their previous order
 * so nothing jumps under the cursor; new rows go to the end.
 *
 * Each drill-down level is (view kind, scopes so far); going back restores the selection and
 * scroll the user had at that level.
 */
#ifndef FLOWDRILL_VIEW_H
#define FLOWDRILL_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/agg.h"
#include "flowdrill/filter.h"
#include "flowdrill/query.h"

/* Table columns. */
enum col_id {
    COL_KEY = 0,
    COL_PEERS,
    COL_RATE2,
    COL_RATE10,
    COL_RATE40,
    COL_TOTAL,
    COL_PACKETS,
    COL_FLOWS,
    COL_SHARE,
    COL_FLAGS,
    COL_VERSION,  /* exporters: NetFlow version */
    COL_SAMPLING, /* exporters: sampling rate in force */
    COL_LOSS,     /* exporters: sequence losses */
    COL_TEMPLATES,/* exporters: templates held */
    COL_SEEN,     /* exporters: seconds since the last datagram */
    COL_FAMILY,   /* exporters: dual-family template records by family rule */
    COL_NOPKTS,   /* exporters: flow records without a packet counter */
    COL_TPLDROP,  /* exporters: templates refused or recycled, held sets dropped (quotas) */
    COL_UTIL,     /* interfaces: utilisation in/out from sFlow counter samples */
    COL_SPARK,
    COL_MAX
};

/* The rate window `t` cycles through; also what share % and bars are computed on. */
enum view_window { VIEW_W2 = 0, VIEW_W10, VIEW_W40, VIEW_WTOTAL, VIEW_W_MAX };

#define VIEW_MAX_DEPTH QUERY_MAX_SCOPE
#define VIEW_HOLD_MS 2000
#define VIEW_SEARCH_MAX 64

struct view_level {
    enum view_kind kind;
    struct scope scope; /* the step that opened this level (unused at level 0) */
    char label[64];     /* breadcrumb text of that step ("10.0.0.1") */
    /* where the user was at this level, restored on the way back */
    uint8_t sel_key[AGG_KEY_MAX];
    bool has_sel;
    size_t sel, top;
};

/* Looks up a display name for an address (reverse DNS); NULL when none. */
typedef const char *(*view_name_fn)(void *ctx, const struct flow_addr *a);

struct view {
    /* drill-down stack; levels[depth] is current */
    struct view_level levels[VIEW_MAX_DEPTH + 1];
    size_t depth;
    /* sorting */
    enum col_id sort_col;
    bool sort_asc;
    /* filter (owned) */
    struct filter *filter;
    char filter_text[256];
    /* search */
    char search[VIEW_SEARCH_MAX];
    /* no collector runs: the Exporters and Interfaces views are not offered */
    bool no_exports;
    /* display toggles */
    bool dns, port_names, bits, bars, totals, frozen;
    enum view_window window;
    /* rows of the current level, sorted */
    struct query_result res;
    size_t sel, top; /* selected row and first row shown */
    /* after going back: the row to select at the next refresh */
    uint8_t restore_key[AGG_KEY_MAX];
    bool restore;
    bool user_moved; /* until the user moves, the cursor stays on the top row (the busiest),
                        not on whichever row was first when the screen opened */
    size_t page;     /* rows on screen (set by the renderer's layout) */
    uint64_t hold_until_ms;
    uint64_t window_total; /* sum of the current window over every row (share %) */
    uint64_t window_max;   /* largest row value (bars) */
    /* names */
    view_name_fn name_fn;
    void *name_ctx;
    /* called on the rows of every refresh, to add what only the application knows
     * (exporter details); may be NULL */
    void (*decorate)(void *ctx, enum view_kind k, struct view_row *rows, size_t n);
    void *decorate_ctx;
    /* when set and it answers (returns true), the rows come from it instead of the live
     * tables: the history rewind (rewind.h); may be NULL */
    bool (*source)(void *ctx, const struct query *q, struct query_result *out);
    void *source_ctx;
    const struct service_db *svc;
};

void view_init(struct view *v, const struct service_db *svc, enum topn_sort initial);
void view_free(struct view *v);

/* Re-read rows from the aggregator for the current level, sort them and keep the selection.
 * `now_ms` is a monotonic clock for the hold after a move. */
void view_refresh(struct view *v, const struct agg *a, uint64_t now_ms);

/* The current level. */
static inline struct view_level *view_cur(struct view *v)
{
    return &v->levels[v->depth];
}
static inline const struct view_level *view_ccur(const struct view *v)
{
    return &v->levels[v->depth];
}

/* The renderer's rows on screen: sets the page and scrolls so the selection stays visible. */
void view_set_page(struct view *v, size_t rows);

/* Views available at the current level (bit per enum view_kind). */
unsigned view_available(const struct view *v);

/* ---- actions (each returns true when something changed; call view_refresh afterwards
 *      when the rows must be re-read) ---- */

/* Move the selection by `delta` rows (clamped); records the hold. */
bool view_move(struct view *v, long delta, uint64_t now_ms);
bool view_move_to(struct view *v, size_t row, uint64_t now_ms);
/* Switch the current level to another view (must be available). */
bool view_set_kind(struct view *v, enum view_kind k);
/* Next/previous available view (Tab / Shift-Tab). */
bool view_cycle_kind(struct view *v, int dir);
/* Drill into the selected row. On failure writes why into msg. */
bool view_drill(struct view *v, char *msg, size_t msglen);
/* Back one level (false at the top). */
bool view_back(struct view *v);
/* Sort: choose column, step to the next/previous sortable column, reverse. */
bool view_sort_by(struct view *v, enum col_id c);
bool view_sort_step(struct view *v, int dir);
void view_sort_reverse(struct view *v);
/* `t`: next rate window (also moves the sort to it when sorting by a rate or total). */
void view_cycle_window(struct view *v);
/* Install a compiled filter (owned by the view afterwards; NULL clears). */
void view_set_filter(struct view *v, struct filter *f, const char *text);
/* Search: select the next row (dir +1) or previous (-1) whose key text contains `text`
 * (case-insensitive), starting at the selection (`from_next` skips the selected row).
 * Returns false when no row matches (selection unchanged). */
bool view_search(struct view *v, const char *text, int dir, bool from_next, uint64_t now_ms);

/* ---- columns ---- */

struct col_def {
    enum col_id id;
    const char *title;
    int width;      /* cells (the key column: minimum) */
    int drop;       /* dropped first when the terminal is narrow: higher drops earlier */
    bool sortable;
    bool left;      /* left-aligned */
};

const struct col_def *view_col(enum col_id c);
/* Columns of the current view in display order, before width decisions. */
size_t view_columns(const struct view *v, enum col_id *out, size_t max);
/* Is column c shown in this view at all (regardless of width)? */
bool view_has_column(const struct view *v, enum col_id c);
/* The column a sort key is shown in (--sort NAME starts the screen sorted by it), and the sort
 * key a column ranks the live tables by (TOPN_SORT_BYTES for a column that is no sort key).
 * One table in columns.c; what a sort key measures is topn.h's. */
enum col_id view_sort_col(enum topn_sort s);
enum topn_sort view_col_sort(enum col_id c);

/* The value a row is compared and barred by for the current window. */
uint64_t view_row_window(const struct view *v, const struct view_row *r);

/* Text of a row's key as displayed (names applied when on). Returns buf. */
char *view_key_text(const struct view *v, const struct view_row *r, char *buf, size_t len);
/* A rate as the view shows it: bits per second ("12.3 Mb") or, after `b`, bytes ("1.5 MiB/s"). */
char *view_rate_text(const struct view *v, uint64_t bps, char *buf, size_t len);
/* Text of one cell (not the key, not the sparkline). "-" when the value is not known. */
char *view_cell_text(const struct view *v, const struct view_row *r, enum col_id c, char *buf,
                     size_t len);

#endif
