/*
 * alerts_view.h - the Alerts screen's model: a sorted copy of the detectors' alerts, the
 * selection (kept on the same alert, by id, when rows reorder), the sort column, and the
 * filter that takes an alert to the flows behind it. No curses: tests drive it directly.
 */
#ifndef FLOWDRILL_ALERTS_VIEW_H
#define FLOWDRILL_ALERTS_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/detect.h"

enum alerts_col {
    AC_KIND = 0,
    AC_STATE,
    AC_SRC,
    AC_DST,
    AC_FIRST,
    AC_LAST,
    AC_PACKETS,
    AC_BYTES,
    AC_RATE,
    AC_DETAIL, /* not sortable: text that depends on the kind */
    AC_MAX
};

struct alerts_row {
    struct detect_alert a;
    bool active;
};

struct alerts_view {
    struct alerts_row *rows;
    size_t n, cap;
    enum alerts_col sort;
    bool asc;
    size_t sel, top, page;
    uint32_t sel_id;  /* the selected alert; 0 until the user moves (then: the top row) */
    /* what the header and the empty screen say */
    bool on;          /* the detectors run */
    size_t active;
    bool learning;
    uint32_t learn_left_s;
    uint64_t dropped;
};

void alerts_view_init(struct alerts_view *v); /* sorted by LAST, newest first */
void alerts_view_free(struct alerts_view *v);

/* Copy the alerts of `d` (NULL: detectors off), sort, keep the selection. */
void alerts_view_set(struct alerts_view *v, const struct detect *d);

void alerts_view_set_page(struct alerts_view *v, size_t rows);
bool alerts_view_move(struct alerts_view *v, long delta);
bool alerts_view_move_to(struct alerts_view *v, size_t row);
/* The next/previous sortable column (< >); the sort keeps its direction. */
bool alerts_view_sort_step(struct alerts_view *v, int dir);
void alerts_view_sort_reverse(struct alerts_view *v);
const struct alerts_row *alerts_view_selected(const struct alerts_view *v);

const char *alerts_col_title(enum alerts_col c);

/* The Flows filter that shows the traffic behind an alert ("host 203.0.113.66 and host
 * 10.0.0.20 and tcp"). Returns buf. */
char *alerts_view_filter_text(const struct detect_alert *a, char *buf, size_t len);

#endif
