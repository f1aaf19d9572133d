/*
 * topn.h - seam 2: copy the top rows of a live table into a snapshot.
 *
 * Rows are copies (keys and values); nothing points into the live tables, so a snapshot
 * stays valid while data keeps arriving. Selection keeps a bounded heap of N rows: O(n log N),
 * never a full sort of every entry (N = 0 means every row, fully sorted).
 */
#ifndef FLOWDRILL_TOPN_H
#define FLOWDRILL_TOPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/agg.h"
#include "flowdrill/agg_key.h"
#include "flowdrill/flow_table.h"
#include "flowdrill/stat_table.h"

enum topn_sort {
    TOPN_SORT_BYTES = 0,
    TOPN_SORT_PACKETS,
    TOPN_SORT_FLOWS,
    TOPN_SORT_RATE2,
    TOPN_SORT_RATE10,
    TOPN_SORT_RATE40,
    TOPN_SORT_MAX
};

/* The three rate windows, in seconds (iftop's). */
extern const uint32_t topn_windows[3];

const char *topn_sort_name(enum topn_sort s);
int topn_sort_parse(const char *name); /* -1 when unknown */

/*
 * The one home of what a sort key means: a row's counter (bytes, packets, flows) or the bytes
 * of one rate window. The live selection (topn_select), the drill-down's re-sort (query.c) and
 * the screen's columns (columns.c) all ask here.
 */
enum topn_measure { TOPN_BY_BYTES, TOPN_BY_PACKETS, TOPN_BY_FLOWS, TOPN_BY_WINDOW };
enum topn_measure topn_sort_measure(enum topn_sort s);
int topn_sort_window(enum topn_sort s); /* 0..2 for rate2/10/40, -1 for the counters */

/*
 * The sort table `t` really uses when `s` is asked for. Conversations (AGG_T_FLOW) keep a 2-s
 * rate only, so rate10 and rate40 rank them by rate2; reports say so (report.c prints the sort
 * each table used), and the screen's flow view has no 10 s / 40 s column to sort by.
 */
enum topn_sort topn_sort_for(enum agg_table t, enum topn_sort s);

struct topn_row {
    union {
        uint8_t raw[AGG_KEY_MAX];
        struct flow_key flow; /* AGG_T_FLOW */
    } key;
    uint64_t bytes, packets, flows;
    uint64_t bytes_dir[2], pkts_dir[2]; /* meaning per table, see stat_table.h/agg.c */
    uint64_t aux;                       /* hosts: peers */
    uint64_t win[3];      /* bytes in the last 2, 10, 40 complete seconds (flows: 2 s only) */
    uint32_t win_secs[3]; /* seconds each window actually covers (fewer at start-up) */
    uint32_t first_sec, last_sec;
    uint32_t flags;       /* STAT_F_* */
    uint8_t tcp_flags[2]; /* flows */
    uint8_t table;        /* enum agg_table */
    uint32_t idx;         /* entry index in the live table when copied (valid until it changes) */
};

/* Rate of window w (0..2) in bits per second, rounded down. */
uint64_t topn_row_rate_bps(const struct topn_row *r, int w);

/* A host pair's row seen from one of its hosts, `host` (16 bytes, as in the pair key): the
 * row becomes the other end's, a host row whose directions are the peer's ([0] sent by the
 * peer, [1] received by it, as a host row's). The live Peers view and rewind's both use it. */
void topn_row_pair_to_peer(struct topn_row *r, const uint8_t host[16]);

/* The value a copied row ranks by under `s` (what topn_select ranked the live entry by). */
uint64_t topn_row_value(const struct topn_row *r, enum topn_sort s);

/*
 * Select the top `n` rows of table `t` by topn_sort_for(t, sort), descending (ties: smaller
 * key first).
 * n == 0 selects every row. The "other" row is included when it holds traffic.
 * Returns the number of rows written to *rows (allocated; caller frees with free()).
 */
size_t topn_select(const struct agg *a, enum agg_table t, enum topn_sort sort, size_t n,
                   struct topn_row **rows);

/* Seconds each rate window covers now (fewer than 2/10/40 just after start-up). */
void topn_window_secs(const struct agg *a, uint32_t secs[3]);

/* Copy one live entry into a row, as topn_select does: entry `idx` of table `t` (a flow when
 * t == AGG_T_FLOW). `secs` from topn_window_secs. */
void topn_copy_row(const struct agg *a, enum agg_table t, uint32_t idx, const uint32_t secs[3],
                   struct topn_row *r);

/* Bytes a conversation moved in the 2 complete seconds before `now_sec`. */
uint64_t topn_flow_win2(const struct flow_cold *c, uint32_t now_sec);

#endif
