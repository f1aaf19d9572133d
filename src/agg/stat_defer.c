/*
 * stat_defer.c - held bookings, applied grouped by index region (see stat_defer.h).
 */
#include "config.h"

#include "flowdrill/stat_defer.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"

#define DEFER_AHEAD 8 /* bookings prefetched ahead while applying */

_Static_assert(sizeof(struct stat_booking) == 48, "a held booking is 48 bytes");

void stat_defer_init(struct stat_defer *d, uint32_t max)
{
    memset(d, 0, sizeof *d);
    if (max < 1024)
        max = 1024;
    /* an eighth more than the mean per group: hashes are seeded and random, so a group fills
     * when the whole is near `max`, not long before */
    uint32_t mean = (max + STAT_DEFER_GROUPS - 1) / STAT_DEFER_GROUPS;
    d->gcap = mean + mean / 8 + 16;
    d->reserved = (size_t)d->gcap * STAT_DEFER_GROUPS * sizeof *d->buf;
    d->buf = xalloc_reserve_streams(d->reserved); /* each group fills its own pages */
}

void stat_defer_free(struct stat_defer *d)
{
    xfree_reserve(d->buf, d->reserved);
    memset(d, 0, sizeof *d);
}

static void stat_defer_one(struct stat_table *t, const struct stat_booking *b, uint32_t now_sec,
                           stat_defer_created_fn created, void *ctx)
{
    enum stat_got got;
    uint32_t idx = stat_table_get_admit(t, b->key, b->hash, now_sec, b->bytes, &got);
    struct stat_entry *e = stat_table_entry(t, idx);
    if (got != STAT_GOT_HIT && idx != STAT_OTHER && created)
        created(ctx, e, b->key);
    e->flows += b->flows;
    e->aux += b->aux;
    struct stat_span sp = stat_span_even(b->first, b->last, b->bytes);
    if (b->side)
        stat_table_add_span(t, idx, 0, 0, b->bytes, b->pkts, &sp);
    else
        stat_table_add_span(t, idx, b->bytes, b->pkts, 0, 0, &sp);
}

void stat_defer_apply(struct stat_defer *d, struct stat_table *t, uint32_t now_sec,
                      stat_defer_created_fn created, void *ctx)
{
    if (!d->n)
        return;
    /* at most n new rows: size the index first, so that it does not grow on the way */
    stat_table_reserve(t, d->n);
    for (uint32_t g = 0; g < STAT_DEFER_GROUPS; g++) {
        const struct stat_booking *b = &d->buf[(size_t)g * d->gcap];
        uint32_t n = d->count[g];
        for (uint32_t i = 0; i < n && i < DEFER_AHEAD; i++)
            stat_table_prefetch_slot(t, b[i].hash);
        for (uint32_t i = 0; i < n; i++) {
            if (i + DEFER_AHEAD < n)
                stat_table_prefetch_slot(t, b[i + DEFER_AHEAD].hash);
            if (i + DEFER_AHEAD / 2 < n)
                stat_table_prefetch_hit(t, b[i + DEFER_AHEAD / 2].hash, b[i + DEFER_AHEAD / 2].first,
                                        b[i + DEFER_AHEAD / 2].last);
            stat_defer_one(t, &b[i], now_sec, created, ctx);
        }
        d->count[g] = 0;
    }
    d->applied += d->n;
    d->n = 0;
}

size_t stat_defer_memory(const struct stat_defer *d)
{
    return d->reserved;
}
