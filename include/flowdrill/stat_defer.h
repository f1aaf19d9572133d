/*
 * stat_defer.h - bookings into a stat table held back until a flush, then applied in the
 * order of the table's index.
 *
 * A flow export books into the rows of its host pair and of both its hosts. With tens of
 * thousands of hosts and pairs each booking finds its row (index slot, admission filter, key,
 * counters, history buckets) cold in the cache: about five misses for each row of every
 * record, most of the aggregator's time. Held back for up to a second and applied grouped by
 * the part of the index they hash to, the bookings of one group touch a part of the index and
 * a 64th of the rows, which stay in the cache while the group is applied, so a row pays those
 * misses about once per flush instead of once per record. How well depends on the core's L2:
 * 66k hosts make a group's rows 400 KiB, and the group's bookings stream past them (the
 * figures, and why 64 groups, are in bench/README.md, "Held bookings"). A booking is a
 * header and the key (stat_table.h), so one holder serves one table: the aggregator holds
 * pairs and hosts.
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

#define STAT_DEFER_GROUP_BITS 6 /* grouped by the hash's top bits (above) */
#define STAT_DEFER_GROUPS (1u << STAT_DEFER_GROUP_BITS)
#define STAT_DEFER_AHEAD_BYTES 256 /* how far ahead a push claims its group's lines */

/* Bookings are kept grouped as they come (by the top bits of their hash, which is the order
 * of their home slots in the table's index: hindex.h), so applying them needs no sort. */
struct stat_defer {
    char *buf; /* group g: bookings g * gcap .. g * gcap + count[g] - 1, `size` bytes each */
    uint32_t count[STAT_DEFER_GROUPS];
    uint32_t most[STAT_DEFER_GROUPS]; /* the most each group has held at an apply */
    uint32_t gcap, n;
    uint32_t size; /* bytes per booking: STAT_BOOKING_SIZE of the table's key length */
    size_t reserved; /* bytes of address space behind buf (pages are touched as they fill) */
    uint64_t applied; /* bookings applied so far */
};

/* Hold about `max` bookings (a little more: the groups fill unevenly) of `size` bytes each
 * (STAT_BOOKING_SIZE of the key length of the table they go to, or more). */
void stat_defer_init(struct stat_defer *d, uint32_t max, size_t size);
void stat_defer_free(struct stat_defer *d);

/* A slot for one more booking with hash `hash` (the rest is the caller's to fill), or NULL
 * when its group is full: apply what is held, then push again. */
static inline struct stat_booking *stat_defer_push(struct stat_defer *d, uint32_t hash)
{
    uint32_t g = hash >> (32 - STAT_DEFER_GROUP_BITS); /* the order of home slots (hindex.h) */
    if (d->count[g] == d->gcap)
        return NULL;
    struct stat_booking *b =
        (struct stat_booking *)(d->buf + ((size_t)g * d->gcap + d->count[g]++) * d->size);
    /* claim the group's next lines ahead of the stores: one write stream per group is more
     * than the hardware prefetcher follows, and a store that misses holds up the loads of
     * any later store it cannot forward to */
    __builtin_prefetch((const char *)b + STAT_DEFER_AHEAD_BYTES, 1);
    d->n++;
    b->hash = hash;
    return b;
}

/* Apply every held booking to `t` (stat_table_add_held, `done` called after each), group by
 * group, and empty the buffer. */
void stat_defer_apply(struct stat_defer *d, struct stat_table *t, uint32_t now_sec,
                      stat_held_fn done, void *ctx);

/* Bytes of the buffer in use: what each group has held at the most (pages are taken as a
 * group fills, so the reservation itself costs nothing until then). */
size_t stat_defer_memory(const struct stat_defer *d);

#endif
