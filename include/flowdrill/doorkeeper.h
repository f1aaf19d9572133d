/*
 * doorkeeper.h - "have I seen this key lately?", for admission into full tables.
 *
 * A full table that evicts a row for every new key spends most of its time on keys that never
 * come back (one-off host pairs and conversations under a flood or a scan), and each of those
 * evictions misses the cache several times. The doorkeeper (the admission filter of TinyLFU,
 * Einziger et al.) lets a full table turn a key away on its first sighting and admit it on the
 * second: the tables then hold what recurs, and a flood of one-off keys costs one cache line
 * each.
 *
 * It is a Bloom filter of two bits per key in one 64-bit word, in two generations: a key is
 * "seen" when it is in either; sightings go into the current one, and after `window`
 * sightings the current one becomes the previous one and a cleared filter takes its place. So
 * a key stays seen for between one and two windows of sightings. False "seen" answers (up to
 * about 10% with both generations full) only admit a key early. No I/O; depends on xalloc.
 */
#ifndef FLOWDRILL_DOORKEEPER_H
#define FLOWDRILL_DOORKEEPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct doorkeeper {
    uint64_t *gen[2];  /* [cur] and [!cur]; NULL until doorkeeper_init */
    uint32_t mask;     /* words per generation - 1 */
    uint32_t cur;      /* index of the current generation */
    uint32_t window;   /* sightings per generation */
    uint32_t count;    /* sightings in the current generation */
    size_t bytes;      /* allocated; 0 until doorkeeper_init (start from a zeroed struct) */
};

/* Size the filter for `window` sightings per generation (8 to 16 bits per sighting). */
void doorkeeper_init(struct doorkeeper *d, uint32_t window);
void doorkeeper_free(struct doorkeeper *d);
static inline bool doorkeeper_ready(const struct doorkeeper *d)
{
    return d->gen[0] != NULL;
}

static inline uint32_t doorkeeper_word_(const struct doorkeeper *d, uint32_t hash)
{
    /* the high half of a 64-bit product: every word of any size is reachable */
    return (uint32_t)(((uint64_t)hash * 0x9E3779B97F4A7C15ull) >> 32) & d->mask;
}

/* Start loading the words a key's bits live in (batched callers, a batch ahead). */
static inline void doorkeeper_prefetch(const struct doorkeeper *d, uint32_t hash)
{
    if (d->gen[0]) {
        __builtin_prefetch(&d->gen[d->cur][doorkeeper_word_(d, hash)], 1);
        __builtin_prefetch(&d->gen[!d->cur][doorkeeper_word_(d, hash)]);
    }
}

/* Was `hash` seen in the last one to two windows? Records this sighting either way. */
bool doorkeeper_check(struct doorkeeper *d, uint32_t hash);

size_t doorkeeper_memory(const struct doorkeeper *d);

#endif
