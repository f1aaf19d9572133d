/*
 * stat_defer.c - held bookings, applied grouped by index region (see stat_defer.h).
 */
#include "config.h"

#include "flowdrill/stat_defer.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"

_Static_assert(sizeof(struct stat_booking) == 32, "a held booking's header is 32 bytes");

void stat_defer_init(struct stat_defer *d, uint32_t max, size_t size)
{
    memset(d, 0, sizeof *d);
    if (size < STAT_BOOKING_SIZE(0) || size % 8 || size > 4096)
        abort(); /* a caller's bug */
    d->size = (uint32_t)size;
    if (max < 1024)
        max = 1024;
    /* an eighth more than the mean per group: hashes are seeded and random, so a group fills
     * when the whole is near `max`, not long before */
    uint32_t mean = (max + STAT_DEFER_GROUPS - 1) / STAT_DEFER_GROUPS;
    d->gcap = mean + mean / 8 + 16;
    d->reserved = (size_t)d->gcap * STAT_DEFER_GROUPS * d->size;
    d->buf = xalloc_reserve_streams(d->reserved); /* each group fills its own pages */
}

void stat_defer_free(struct stat_defer *d)
{
    xfree_reserve(d->buf, d->reserved);
    memset(d, 0, sizeof *d);
}

void stat_defer_apply(struct stat_defer *d, struct stat_table *t, uint32_t now_sec,
                      stat_held_fn done, void *ctx)
{
    if (!d->n)
        return;
    /* at most n new rows: size the index first, so that it does not grow on the way */
    stat_table_reserve(t, d->n);
    /* A group's new keys all go to its part of the index. A group that made more new rows
     * than its part has free slots (the first flush of a flood, or a scan: thousands of new
     * keys in each group) would spill them into the next parts, and those into the next, into
     * one cluster as long as the table, which every later probe and deletion walks. So a
     * group is left, to be taken up again in the next round, once it has made a quarter of
     * its part's slots in new rows: a part never takes much more than its share. Most
     * bookings find their rows, and then each group is applied whole, in one round. */
    uint32_t room = stat_table_index_slots(t) >> (STAT_DEFER_GROUP_BITS + 2);
    uint32_t at[STAT_DEFER_GROUPS];
    if (room < 16)
        room = 16;
    memset(at, 0, sizeof at);
    for (bool more = true; more;) {
        more = false;
        for (uint32_t g = 0; g < STAT_DEFER_GROUPS; g++) {
            if (at[g] == d->count[g])
                continue;
            const char *group = d->buf + ((size_t)g * d->gcap + at[g]) * d->size;
            at[g] += stat_table_add_held(t, (const struct stat_booking *)group, d->size,
                                         d->count[g] - at[g], room, now_sec, done, ctx);
            more |= at[g] < d->count[g];
        }
    }
    for (uint32_t g = 0; g < STAT_DEFER_GROUPS; g++) {
        if (d->count[g] > d->most[g])
            d->most[g] = d->count[g];
        d->count[g] = 0;
    }
    d->applied += d->n;
    d->n = 0;
}

size_t stat_defer_memory(const struct stat_defer *d)
{
    size_t held = 0;
    for (uint32_t g = 0; g < STAT_DEFER_GROUPS; g++)
        held += d->count[g] > d->most[g] ? d->count[g] : d->most[g];
    return held * d->size;
}
