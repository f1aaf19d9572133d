/*
 * stat_defer.h - bookings into a stat table held back until a flush, then applied in the
 * order of the table's index.
 *
 * A flow export books into the rows of both its hosts at once. With tens of thousands of hosts
 * each booking finds its row (index slot, key, counters, history buckets) cold in the cache:
 * about five misses for each host of every record, most of the aggregator's time. Held back
 * for up to a second and applied grouped by the part of the index they hash to, the bookings
 * of one group touch a few hundred rows that stay in the cache while the group is applied, so
 * a host pays those misses about once per flush instead of once per record.
 *
 * What a table shows is the same as if each booking had been applied on arrival (totals,
 * flows, history; only which rows a full table admits or evicts may differ), once the holder
 * has called stat_defer_apply: the aggregator does so on every flush, and the screen, the
 * batch reports and the end of input all flush before reading. Depends on stat_table only.
 */
#ifndef FLOWDRILL_STAT_DEFER_H
#define FLOWDRILL_STAT_DEFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/stat_table.h"

#define STAT_DEFER_KEY 16 /* keys of at most this many bytes (addresses) */

/* One booking: what stat_table_add_span would get, with the span as [first, last] and the
 * bytes b0 + b1 spread evenly over it (the remainder on `last`). 64 bytes. */
struct stat_booking {
    uint8_t key[STAT_DEFER_KEY]; /* zero-padded past the table's key length */
    uint32_t hash;               /* stat_table_hash of the key */
    uint32_t first, last;
    uint16_t flows; /* added to the row's flows */
    uint16_t aux;   /* added to the row's aux */
    uint64_t b0, p0, b1, p1;
};

struct stat_defer {
    struct stat_booking *buf, *tmp; /* held bookings; scratch for grouping them */
    uint32_t n, cap, max;
    uint64_t applied; /* bookings applied so far */
};

/* Hold at most `max` bookings (the buffers grow up to that). */
void stat_defer_init(struct stat_defer *d, uint32_t max);
void stat_defer_free(struct stat_defer *d);

/* A slot for one more booking, or NULL when `max` are held: apply them, then push again. */
struct stat_booking *stat_defer_push(struct stat_defer *d);

/* Called for each row a booking creates (to set flags from the key, say). */
typedef void (*stat_defer_created_fn)(void *ctx, struct stat_entry *e, const uint8_t *key);

/* Apply every held booking to `t` (each through stat_table_get_admit, with its bytes as the
 * size: the bookings hold no references) at second `now_sec`, and empty the buffer. */
void stat_defer_apply(struct stat_defer *d, struct stat_table *t, uint32_t now_sec,
                      stat_defer_created_fn created, void *ctx);

size_t stat_defer_memory(const struct stat_defer *d);

#endif
