/*
 * store_query.h - reading the history store back: a range's totals, one sample per minute or
 * hour, and its busiest rows of a table with their sum, mean, 95th percentile, peak and
 * growth. Used by `flowdrill --history` (src/app/history_cli.c).
 *
 * Resolution: minutes when the range starts inside what the minute rows still cover, else
 * hours. Samples are the minutes (or hours) the store has a total for, inside [since, until);
 * a row absent from a sample counts zero there. Rates are bits per second over the sample.
 * The 95th percentile is the nearest-rank one over the samples. Growth compares the mean rate
 * of the range's first week with its last week (halves of the range when it is shorter than
 * two weeks). Depends on store.h, filter.h and SQLite.
 */
#ifndef FLOWDRILL_STORE_QUERY_H
#define FLOWDRILL_STORE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/filter.h"
#include "flowdrill/store.h"

struct store_sample {
    uint32_t t;
    uint64_t bytes, packets, flows, bytes_in, bytes_out;
};

struct store_stats {
    uint64_t sum;     /* bytes over the range */
    uint64_t peak;    /* bits per second of the busiest sample */
    uint64_t p95;     /* bits per second, 95th percentile of the samples */
    uint64_t mean;    /* bits per second over all samples */
    double growth;    /* percent, last week (or half) against the first */
    bool growth_known; /* false when the first part carried nothing, or one sample only */
    bool weeks;       /* growth is week against week (else half against half) */
};

struct store_series {
    uint32_t step;              /* 60 or 3600 */
    struct store_sample *s;     /* owned; free with store_series_free */
    size_t n;
    struct store_stats stats;   /* of the totals */
};

struct store_qrow {
    struct store_row row;       /* key and summed counts */
    struct store_stats stats;
};

/* The totals of [since, until). 0, or -1 with a message in err. */
int store_query_series(struct sqlite3 *db, uint32_t since, uint32_t until,
                       struct store_series *out, char *err, size_t errlen);
void store_series_free(struct store_series *s);

/* The busiest `top` rows (0: all) of table `tbl` over the samples of `ser` (from
 * store_query_series on the same range), by bytes, those passing filter `f` (NULL: all; with
 * a filter the "rest" row is left out, as nothing is known of its keys). *rows is allocated
 * (free()). 0, or -1 with a message. */
int store_query_rows(struct sqlite3 *db, const struct store_series *ser, int tbl,
                     const struct filter *f, size_t top, struct store_qrow **rows, size_t *n,
                     char *err, size_t errlen);

/* One row's bytes per sample of `ser` (bytes[ser->n], zero where the row is absent) and its
 * stats, by the table and key of `key` (store_query_key.c). 0, or -1 with a message. */
int store_query_key(struct sqlite3 *db, const struct store_series *ser,
                    const struct store_row *key, uint64_t *bytes, struct store_stats *st,
                    char *err, size_t errlen);

/* The filter facts of a stored row (filter.h): what its key says of a conversation. */
void store_query_facts(const struct store_row *r, struct filter_facts *x);

/* Stats of a series of per-sample byte counts (n samples of `step` seconds, times t[]). */
void store_query_stats(const uint64_t *bytes, const uint32_t *t, size_t n, uint32_t step,
                       struct store_stats *out);

#endif
