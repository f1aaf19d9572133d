/*
 * stat_defer.c - held bookings, applied grouped by index region (see stat_defer.h).
 */
#include "config.h"

#include "flowdrill/stat_defer.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"

#define DEFER_GROUP_BITS 6 /* 64 groups: a group's index slots and rows stay in the L2 cache */
#define DEFER_AHEAD 8      /* bookings prefetched ahead while applying */

void stat_defer_init(struct stat_defer *d, uint32_t max)
{
    memset(d, 0, sizeof *d);
    d->max = max < 1024 ? 1024 : max;
}

void stat_defer_free(struct stat_defer *d)
{
    free(d->buf);
    free(d->tmp);
    memset(d, 0, sizeof *d);
}

struct stat_booking *stat_defer_push(struct stat_defer *d)
{
    if (d->n == d->cap) {
        if (d->cap >= d->max)
            return NULL;
        uint32_t cap = d->cap ? d->cap * 2 : 4096;
        if (cap > d->max)
            cap = d->max;
        d->buf = xrealloc(d->buf, (size_t)cap * sizeof *d->buf);
        free(d->tmp);
        d->tmp = xmalloc((size_t)cap * sizeof *d->tmp);
        d->cap = cap;
    }
    return &d->buf[d->n++];
}

static void stat_defer_one(struct stat_table *t, const struct stat_booking *b, uint32_t now_sec,
                           stat_defer_created_fn created, void *ctx)
{
    enum stat_got got;
    uint64_t bytes = b->b0 + b->b1;
    uint32_t idx = stat_table_get_admit(t, b->key, b->hash, now_sec, bytes, &got);
    struct stat_entry *e = stat_table_entry(t, idx);
    if (got != STAT_GOT_HIT && idx != STAT_OTHER && created)
        created(ctx, e, b->key);
    e->flows += b->flows;
    e->aux += b->aux;
    uint64_t n = (uint64_t)(b->last - b->first) + 1;
    struct stat_span sp = {b->first, b->last, bytes / n, 0};
    sp.rem = bytes - sp.per * n;
    stat_table_add_span(t, idx, b->b0, b->p0, b->b1, b->p1, &sp);
}

void stat_defer_apply(struct stat_defer *d, struct stat_table *t, uint32_t now_sec,
                      stat_defer_created_fn created, void *ctx)
{
    uint32_t n = d->n;
    if (!n)
        return;
    /* at most n new rows: size the index first, so that the grouping holds to the end */
    stat_table_reserve(t, n);
    /* group by the top bits of the home slot: a counting sort into tmp */
    enum { G = 1u << DEFER_GROUP_BITS };
    uint32_t start[G + 1] = {0};
    for (uint32_t i = 0; i < n; i++)
        start[stat_table_home_bits(t, d->buf[i].hash, DEFER_GROUP_BITS) + 1]++;
    for (uint32_t g = 0; g < G; g++)
        start[g + 1] += start[g];
    for (uint32_t i = 0; i < n; i++)
        d->tmp[start[stat_table_home_bits(t, d->buf[i].hash, DEFER_GROUP_BITS)]++] = d->buf[i];
    for (uint32_t i = 0; i < n && i < DEFER_AHEAD; i++)
        stat_table_prefetch_slot(t, d->tmp[i].hash);
    for (uint32_t i = 0; i < n; i++) {
        if (i + DEFER_AHEAD < n)
            stat_table_prefetch_slot(t, d->tmp[i + DEFER_AHEAD].hash);
        if (i + DEFER_AHEAD / 2 < n) {
            const struct stat_booking *b = &d->tmp[i + DEFER_AHEAD / 2];
            stat_table_prefetch_hit(t, b->hash, b->first, b->last);
        }
        stat_defer_one(t, &d->tmp[i], now_sec, created, ctx);
    }
    d->applied += n;
    d->n = 0;
}

size_t stat_defer_memory(const struct stat_defer *d)
{
    return 2 * (size_t)d->cap * sizeof *d->buf;
}
