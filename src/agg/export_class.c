/*
 * export_class.c - flow-export records summed by the rows they book into (see export_class.h).
 */
#include "config.h"

#include "flowdrill/export_class.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/hash.h"
#include "flowdrill/xalloc.h"

void export_class_init(struct export_class_set *s, uint32_t max, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->max = max < 16 ? 16 : max;
    uint32_t slots = 16;
    while (slots < 2 * s->max) /* at most half full */
        slots *= 2;
    s->mask = slots - 1;
    s->seed = seed;
    s->cls = xmalloc((size_t)s->max * sizeof *s->cls);
    s->slot = xcalloc(slots, sizeof *s->slot);
}

void export_class_free(struct export_class_set *s)
{
    free(s->cls);
    free(s->slot);
    memset(s, 0, sizeof *s);
}

/* The key is four words: one multiply each, then one finalizer. The set is small and emptied
 * on every flush, so a key an attacker aims at one slot costs a probe, not a table. */
static inline uint32_t export_class_hash(const struct export_class_set *s,
                                         const struct export_class_key *k)
{
    uint64_t h = s->seed;
    h ^= k->w[0] * 0x9e3779b97f4a7c15ULL;
    h ^= k->w[1] * 0xc2b2ae3d27d4eb4fULL;
    h ^= k->w[2] * 0x165667b19e3779f9ULL;
    h ^= k->w[3] * 0x27d4eb2f165667c5ULL;
    return (uint32_t)hash_mix64(h);
}

static inline bool export_class_key_eq(const struct export_class_key *x,
                                       const struct export_class_key *y)
{
    return ((x->w[0] ^ y->w[0]) | (x->w[1] ^ y->w[1]) | (x->w[2] ^ y->w[2]) |
            (x->w[3] ^ y->w[3])) == 0;
}

struct export_class *export_class_get(struct export_class_set *s,
                                      const struct export_class_key *key, bool *created)
{
    uint32_t i = export_class_hash(s, key) & s->mask;
    for (;; i = (i + 1) & s->mask) {
        uint32_t v = s->slot[i];
        if (!v)
            break;
        if (export_class_key_eq(&s->cls[v - 1].key, key)) {
            *created = false;
            return &s->cls[v - 1];
        }
    }
    if (s->n == s->max)
        return NULL;
    struct export_class *c = &s->cls[s->n];
    memset(c, 0, sizeof *c);
    c->key = *key;
    c->first = UINT32_MAX;
    s->slot[i] = ++s->n;
    *created = true;
    return c;
}

void export_class_reset(struct export_class_set *s)
{
    if (!s->n)
        return;
    if (s->n < (s->mask + 1) / 64) { /* few: clear their slots one by one */
        for (uint32_t j = 0; j < s->n; j++) {
            uint32_t i = export_class_hash(s, &s->cls[j].key) & s->mask;
            while (s->slot[i] != j + 1)
                i = (i + 1) & s->mask;
            s->slot[i] = 0;
        }
    } else {
        memset(s->slot, 0, ((size_t)s->mask + 1) * sizeof *s->slot);
    }
    s->n = 0;
}

size_t export_class_memory(const struct export_class_set *s)
{
    return (size_t)s->max * sizeof *s->cls + ((size_t)s->mask + 1) * sizeof *s->slot;
}
