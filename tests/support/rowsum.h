/*
 * rowsum.h - what every row of a table adds up to, for the aggregator tests' "nothing is
 * lost" checks (rows, "other" included, against the totals).
 */
#ifndef FLOWDRILL_TESTS_ROWSUM_H
#define FLOWDRILL_TESTS_ROWSUM_H

#include <stdint.h>
#include <stdlib.h>

#include "flowdrill/topn.h"

/* Bytes of every row of table t; *pkts and *flows (each may be NULL) get their sums. */
static inline uint64_t rowsum(const struct agg *a, enum agg_table t, uint64_t *pkts,
                              uint64_t *flows)
{
    struct topn_row *rows;
    size_t n = topn_select(a, t, TOPN_SORT_BYTES, 0, &rows);
    uint64_t b = 0, p = 0, f = 0;
    for (size_t i = 0; i < n; i++) {
        b += rows[i].bytes;
        p += rows[i].packets;
        f += rows[i].flows;
    }
    free(rows);
    if (pkts)
        *pkts = p;
    if (flows)
        *flows = f;
    return b;
}

#endif
