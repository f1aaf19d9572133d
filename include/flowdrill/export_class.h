/*
 * export_class.h - flow-export records summed by the small rows they book into, until a flush.
 *
 * Every exported record books into its exporter row, its input and output interface rows,
 * its service port, application and protocol rows, and the all-traffic history. Records that
 * share all of those rows (one router, one pair of interfaces, HTTPS over TCP, the same
 * direction) form a class. The owner finds a class's rows once, when the class first
 * appears, and sums its records here: bytes, packets, records, new conversations, the ends of
 * their spans and a pending history ring (stat_hist.h). On flush each class books into each
 * of its rows once. A record then costs one lookup in a small table that stays in the cache
 * and three adds to a ring, where it cost six row lookups and seven ring bookings.
 *
 * The key is the owner's: four words that name the rows. Words, not bytes: the owner builds
 * them in registers, and a key stored a byte or two at a time and read back a word at a time
 * waits for those stores to reach the cache (a failed store-to-load forward), behind any
 * store that missed. A set is bounded (it says so when
 * full: the owner applies what it holds, resets it and asks again). Depends on stat_hist.
 */
#ifndef FLOWDRILL_EXPORT_CLASS_H
#define FLOWDRILL_EXPORT_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/stat_hist.h"

#define EXPORT_CLASS_ROWS 6

struct export_class_key {
    uint64_t w[4];
};

struct export_class {
    struct export_class_key key;
    uint32_t row[EXPORT_CLASS_ROWS]; /* the owner's: filled when the class is created */
    uint32_t first, last;            /* earliest first and latest last second of the spans */
    uint32_t records, flows;         /* records; of them, the first of a conversation */
    uint64_t bytes, packets;
    struct stat_pend pend; /* the records' spans, ending at the set's `now` */
};

struct export_class_set {
    struct export_class *cls; /* cls[0 .. n-1] in use */
    uint32_t n, max;
    uint32_t *slot; /* open addressing: class index + 1, 0 = empty */
    uint32_t mask;
    uint64_t seed;
};

/* A set of at most `max` classes (rounded up to 16). Allocation failure aborts. */
void export_class_init(struct export_class_set *s, uint32_t max, uint64_t seed);
void export_class_free(struct export_class_set *s);

/* The class of `key`: the one held, or a new one, zeroed but for its key and first/last, with
 * *created set (the caller fills row[]). NULL when the set is full. */
struct export_class *export_class_get(struct export_class_set *s,
                                      const struct export_class_key *key, bool *created);

/* Forget every class (after the owner booked them). */
void export_class_reset(struct export_class_set *s);

/* Add one record to class c: `bytes` and `packets` spread over span sp, which ends no later
 * than `now`, the second the set's pending rings end at. `is_new`: the record's conversation
 * is new. */
static inline void export_class_add(struct export_class *c, uint64_t bytes, uint64_t packets,
                                    const struct stat_span *sp, uint32_t now, bool is_new)
{
    c->records++;
    c->flows += is_new;
    c->bytes += bytes;
    c->packets += packets;
    c->first = sp->first < c->first ? sp->first : c->first;
    c->last = sp->last > c->last ? sp->last : c->last;
    stat_pend_add_span(&c->pend, now, sp);
}

size_t export_class_memory(const struct export_class_set *s);

#endif
