/*
 * doorkeeper.c - two-generation admission filter (see doorkeeper.h).
 */
#include "config.h"

#include "flowdrill/doorkeeper.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"

void doorkeeper_init(struct doorkeeper *d, uint32_t window)
{
    if (window < 1024)
        window = 1024;
    /* 8 bits per sighting of a window, rounded up to a power of two of 64-bit words: with two
     * bits per key the false "seen" rate of a full generation stays under about 5%, and the
     * filter stays small enough to be in the cache (measured: a filter of 16 bits per
     * sighting, four times the size with the window at twice the table, cost 14% more time
     * per record under a flood of exports than this one) */
    uint64_t words = 1;
    while (words * 64 < (uint64_t)window * 8)
        words *= 2;
    /* one block for both generations, a whole huge page once it is near one in size: the
     * filter is read at random, and a TLB miss costs as much as the cache miss */
    size_t bytes = 2 * words * sizeof(uint64_t), huge = (size_t)2 << 20;
    if (bytes >= huge / 2)
        bytes = (bytes + huge - 1) / huge * huge;
    d->gen[0] = xalloc_table(bytes, 1);
    d->gen[1] = d->gen[0] + words;
    d->bytes = bytes;
    d->mask = (uint32_t)(words - 1);
    d->cur = 0;
    d->window = window;
    d->count = 0;
}

void doorkeeper_free(struct doorkeeper *d)
{
    free(d->gen[0]);
    memset(d, 0, sizeof *d);
}

bool doorkeeper_check(struct doorkeeper *d, uint32_t hash)
{
    uint32_t w = doorkeeper_word_(d, hash);
    uint64_t bits = 1ull << (hash & 63) | 1ull << (hash >> 6 & 63);
    uint64_t *cur = &d->gen[d->cur][w];
    if ((*cur & bits) == bits)
        return true;
    bool seen = (d->gen[!d->cur][w] & bits) == bits;
    *cur |= bits;
    if (++d->count >= d->window) { /* a new generation: the oldest one is forgotten */
        d->cur = !d->cur;
        memset(d->gen[d->cur], 0, ((size_t)d->mask + 1) * sizeof(uint64_t));
        d->count = 0;
    }
    return seen;
}

size_t doorkeeper_memory(const struct doorkeeper *d)
{
    return d->bytes; /* 0 until doorkeeper_init (the struct starts zeroed) */
}
