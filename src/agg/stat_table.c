/*
 * stat_table.c - bounded keyed counters with per-second history (see stat_table.h).
 *
 * Layout: a dense array of entries that never move (holes are reused through a free list)
 * and an open-addressing index (hindex.h) kept at most half full. Probing compares the 32-bit
 * tag before touching an entry.
 */
#include "config.h"

#include "flowdrill/stat_table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/doorkeeper.h"
#include "flowdrill/hash.h"
#include "flowdrill/hindex.h"
#include "flowdrill/xalloc.h"

#define EVICT_SAMPLES 8
#define EVICT_AHEAD 8 /* rows the sweep prefetches ahead of its hand */
#define STAT_CANDIDATES 256

_Static_assert(offsetof(struct stat_entry, hist_shift) < 64 && sizeof(struct stat_entry) % 64 == 0,
               "what booking and eviction read must stay in the entry's first cache line");
_Static_assert(offsetof(struct stat_entry, key) == 64, "a key compare loads one line");

struct stat_table {
    struct stat_entry *entries; /* max + 1 entries of reserved address space */
    size_t reserved;            /* bytes reserved */
    uint32_t n_slots;  /* entries handed out (high-water mark) */
    uint32_t n_used;   /* used entries, "other" included */
    uint32_t max;      /* cap, "other" excluded */
    uint32_t free_head; /* free list through entries[i].hash, STAT_NONE = empty */
    struct hindex index;
    size_t key_len;
    uint64_t seed;
    uint32_t hand;        /* clock hand of the eviction sweep */
    uint32_t next_victim; /* picked one eviction ahead (and prefetched), STAT_NONE if none */
    uint64_t evicted, folded;
    uint64_t total_bytes; /* everything ever added, for the eviction threshold */
    /* rows whose last reference went away, oldest first: the first place to look for a
     * victim, so a full table under a flood does not probe random rows for every new key */
    uint32_t cand[STAT_CANDIDATES];
    uint32_t cand_head, cand_n;
    struct doorkeeper door; /* admission (stat_table_get_admit); allocated when first full */
};

struct stat_entry *stat_table_entries_(const struct stat_table *t)
{
    return t->entries;
}

#define E(t, idx) stat_table_entry((t), (idx))

uint32_t stat_table_hash(const struct stat_table *t, const void *key)
{
    switch (t->key_len) { /* the hot sizes, as stat_table.h spells them out */
    case 16:
        return stat_hash_fold(stat_hash16(key, t->seed));
    case 32:
        return stat_hash_join(stat_hash16(key, t->seed),
                              stat_hash16((const uint8_t *)key + 16, t->seed));
    default:
        return stat_hash_fold(hash_bytes(key, t->key_len, t->seed));
    }
}

uint64_t stat_table_seed(const struct stat_table *t)
{
    return t->seed;
}

struct stat_table *stat_table_new(size_t key_len, uint32_t max_entries, uint64_t seed)
{
    if (key_len == 0 || key_len > STAT_KEY_MAX || max_entries == 0 || max_entries > (1u << 28))
        return NULL;
    struct stat_table *t = xcalloc(1, sizeof *t);
    t->key_len = key_len;
    t->max = max_entries;
    t->seed = seed;
    t->hand = 1;
    t->next_victim = STAT_NONE;
    t->free_head = STAT_NONE;
    t->reserved = ((size_t)max_entries + 1) * sizeof *t->entries;
    t->entries = xalloc_reserve(t->reserved);
    hindex_init(&t->index, 128);
    /* row 0 is "other"; it is never in the index */
    E(t, 0)->flags = STAT_F_USED | STAT_F_OTHER;
    t->n_slots = 1;
    t->n_used = 1;
    return t;
}

void stat_table_free(struct stat_table *t)
{
    if (!t)
        return;
    xfree_reserve(t->entries, t->reserved);
    hindex_free(&t->index);
    doorkeeper_free(&t->door);
    free(t);
}

/* Key comparison without a libc call for the common sizes (addresses, address pairs). */
static inline bool stat_key_eq(const uint8_t *x, const uint8_t *y, size_t len)
{
    switch (len) {
    case 16:
        return hash_key_eq(x, y, 16);
    case 32:
        return hash_key_eq(x, y, 32);
    default:
        return memcmp(x, y, len) == 0;
    }
}

static inline uint32_t stat_lookup_slot(const struct stat_table *t, const void *key,
                                        uint32_t hash)
{
    uint32_t i = hindex_home(&t->index, hash);
    for (;;) {
        uint64_t s = t->index.slot[i];
        if (!s)
            return STAT_NONE;
        if (hindex_tag(s) == hash) {
            uint32_t idx = hindex_entry(s);
            if (stat_key_eq(stat_table_centry(t, idx)->key, key, t->key_len))
                return i;
        }
        i = (i + 1) & t->index.mask;
    }
}

void stat_table_prefetch_key(const struct stat_table *t, const void *key)
{
    hindex_prefetch(&t->index, stat_table_hash(t, key));
}

void stat_table_prefetch_entry(const struct stat_table *t, uint32_t idx, uint32_t sec)
{
    const struct stat_entry *e = stat_table_centry(t, idx);
    __builtin_prefetch(e, 1);
    __builtin_prefetch(&e->hist_d[sec % STAT_HIST], 1);
}

/* The history buckets a booking spread over [first, last] writes (stat_hist.c). */
static void stat_prefetch_hist(const struct stat_entry *e, uint32_t first, uint32_t last)
{
    __builtin_prefetch(&e->hist_d[last % STAT_HIST], 1);
    __builtin_prefetch(&e->hist_d[(last - 1) % STAT_HIST], 1);
    if (first < last && last - first < STAT_HIST)
        __builtin_prefetch(&e->hist_d[(first - 1) % STAT_HIST], 1);
}

void stat_table_prefetch_hit(const struct stat_table *t, uint32_t hash, uint32_t first,
                             uint32_t last)
{
    /* the home slot and the next: at most half full, nearly every key is in one of them */
    uint32_t i = hindex_home(&t->index, hash);
    for (int n = 0; n < 2; n++, i = (i + 1) & t->index.mask) {
        uint64_t s = t->index.slot[i];
        if (!s)
            break;
        if (hindex_tag(s) != hash)
            continue;
        const struct stat_entry *e = stat_table_centry(t, hindex_entry(s));
        __builtin_prefetch(e, 1);
        __builtin_prefetch(e->key, 1);
        stat_prefetch_hist(e, first, last);
        return;
    }
    /* absent (most likely): a full table asks its admission filter */
    doorkeeper_prefetch(&t->door, hash);
}

uint32_t stat_table_home_bits(const struct stat_table *t, uint32_t hash, unsigned bits)
{
    (void)t; /* homes are the top bits of hashes, at any capacity (hindex.h) */
    return bits ? hash >> (32 - bits) : 0;
}

void stat_table_reserve(struct stat_table *t, uint32_t more)
{
    uint64_t want = (uint64_t)t->n_used + more;
    if (want > (uint64_t)t->max + 1)
        want = (uint64_t)t->max + 1; /* a full table evicts: it never holds more */
    hindex_reserve(&t->index, (uint32_t)want);
}

uint32_t stat_table_index_slots(const struct stat_table *t)
{
    return t->index.mask + 1;
}

uint32_t stat_table_longest_run(const struct stat_table *t)
{
    uint32_t cap = t->index.mask + 1, start = 0, best = 0;
    while (start < cap && t->index.slot[start])
        start++; /* begin at an empty slot, so that a run wrapping around is counted whole */
    if (start == cap)
        return cap;
    for (uint32_t n = 0, run = 0; n < cap; n++) {
        uint32_t i = (start + 1 + n) & t->index.mask;
        run = t->index.slot[i] ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

uint32_t stat_table_find(const struct stat_table *t, const void *key)
{
    uint32_t slot = stat_lookup_slot(t, key, stat_table_hash(t, key));
    return slot == STAT_NONE ? STAT_NONE : hindex_entry(t->index.slot[slot]);
}

/* Merge entry idx into "other", remove it from the index, put it on the free list. */
static void stat_evict(struct stat_table *t, uint32_t idx)
{
    struct stat_entry *e = E(t, idx), *o = E(t, STAT_OTHER);
    for (int d = 0; d < 2; d++) {
        o->bytes[d] += e->bytes[d];
        o->pkts[d] += e->pkts[d];
    }
    o->flows += e->flows;
    o->aux += e->aux;
    /* fold the recent history too, so rates of "other" include the evicted row */
    stat_hist_merge((struct stat_hist){o->hist_d, &o->hist_last, &o->hist_shift, &o->hist_max},
                    e->hist_d, e->hist_last, e->hist_shift);
    if (!o->first_sec || (e->first_sec && e->first_sec < o->first_sec))
        o->first_sec = e->first_sec;
    if (e->last_sec > o->last_sec)
        o->last_sec = e->last_sec;
    uint32_t slot = stat_lookup_slot(t, e->key, e->hash);
    if (slot != STAT_NONE)
        hindex_delete_at(&t->index, slot);
    memset(e, 0, sizeof *e);
    e->hash = t->free_head;
    t->free_head = idx;
    t->n_used--;
    t->evicted++;
}

static bool stat_evictable(const struct stat_table *t, uint32_t idx, uint64_t limit)
{
    const struct stat_entry *e = stat_table_centry(t, idx);
    return (e->flags & STAT_F_USED) && !(e->flags & STAT_F_OTHER) && !e->refs &&
           e->bytes[0] + e->bytes[1] <= limit;
}

/* Look for a victim: a row no live flow references, below the mean row (`limit`), so a heavy
 * hitter that is briefly idle is never pushed out by a flood of one-packet keys (those fold
 * into "other" instead). First the rows that most recently lost their last reference (oldest
 * first), then a few rows under a clock hand, keeping the one with the fewest bytes: the hand
 * walks the array in order, so its rows come from memory a line after the other (and are
 * prefetched a few rows ahead), where random picks missed the cache on every one. */
static uint32_t stat_sweep(struct stat_table *t, uint64_t limit)
{
    uint32_t best = STAT_NONE;
    uint64_t best_bytes = limit + 1;
    for (int n = 0; n < EVICT_SAMPLES && t->cand_n; n++) {
        uint32_t idx = t->cand[t->cand_head];
        t->cand_head = (t->cand_head + 1) % STAT_CANDIDATES;
        t->cand_n--;
        if (stat_evictable(t, idx, limit))
            return idx;
    }
    uint32_t rows = t->n_slots - 1; /* row 0 ("other") is never a victim */
    for (uint32_t n = 0, seen = 0; n < EVICT_SAMPLES * 4 && n < rows; n++) {
        if (t->hand >= t->n_slots)
            t->hand = 1;
        uint32_t idx = t->hand++;
        uint32_t ahead = idx + EVICT_AHEAD < t->n_slots ? idx + EVICT_AHEAD : 1 + idx % rows;
        __builtin_prefetch(E(t, ahead));
        const struct stat_entry *e = E(t, idx);
        if (!(e->flags & STAT_F_USED) || e->refs)
            continue;
        seen++;
        uint64_t b = e->bytes[0] + e->bytes[1];
        if (b < best_bytes) {
            best_bytes = b;
            best = idx;
        }
        if (seen >= EVICT_SAMPLES && best != STAT_NONE)
            break;
    }
    return best;
}

/* Pick the victim for a new key. The sweep runs one eviction ahead: the row it finds now is
 * the next victim (if it still qualifies then), and what evicting it reads (its history, folded
 * into "other", and its index slot) is prefetched meanwhile. */
static uint32_t stat_pick_victim(struct stat_table *t)
{
    uint64_t limit = t->total_bytes / (t->n_used ? t->n_used : 1);
    uint32_t v = t->next_victim;
    if (v == STAT_NONE || !stat_evictable(t, v, limit))
        v = stat_sweep(t, limit);
    uint32_t next = stat_sweep(t, limit);
    t->next_victim = next == v ? STAT_NONE : next;
    if (t->next_victim != STAT_NONE) {
        const struct stat_entry *e = E(t, next);
        for (uint32_t k = 0; k < STAT_HIST; k += 64 / sizeof e->hist_d[0])
            __builtin_prefetch(&e->hist_d[k]);
        hindex_prefetch(&t->index, e->hash);
    }
    return v;
}

uint32_t stat_table_get(struct stat_table *t, const void *key, uint32_t now_sec, bool *created)
{
    return stat_table_get_hashed(t, key, stat_table_hash(t, key), now_sec, created);
}

/* A row for absent key `key`, evicting one when the table is full (STAT_OTHER when nothing
 * can be evicted). */
static uint32_t stat_create(struct stat_table *t, const void *key, uint32_t hash, uint32_t now_sec,
                            bool *created)
{
    *created = false;
    if (t->n_used - 1 >= t->max) {
        uint32_t victim = t->n_slots > 1 ? stat_pick_victim(t) : STAT_NONE;
        if (victim == STAT_NONE) {
            t->folded++;
            return STAT_OTHER;
        }
        stat_evict(t, victim);
    }

    uint32_t idx;
    if (t->free_head != STAT_NONE) {
        idx = t->free_head;
        t->free_head = E(t, idx)->hash;
    } else {
        idx = t->n_slots++; /* below max + 1: the table is not full */
    }
    hindex_reserve(&t->index, t->n_used);

    /* the row is zero already: fresh from the reservation (xalloc.h), or cleared when it was
     * evicted (stat_evict), all but the free list's link in `hash` */
    struct stat_entry *e = E(t, idx);
    memcpy(e->key, key, t->key_len);
    e->hash = hash;
    e->flags = STAT_F_USED;
    e->first_sec = e->last_sec = now_sec;
    e->hist_last = now_sec;
    hindex_put(&t->index, hash, idx);
    t->n_used++;
    *created = true;
    return idx;
}

uint32_t stat_table_get_hashed(struct stat_table *t, const void *key, uint32_t hash,
                               uint32_t now_sec, bool *created)
{
    uint32_t slot = stat_lookup_slot(t, key, hash);
    if (slot != STAT_NONE) {
        *created = false;
        return hindex_entry(t->index.slot[slot]);
    }
    return stat_create(t, key, hash, now_sec, created);
}

/* stat_table_get_admit for a key the index does not hold. */
static uint32_t stat_admit_absent(struct stat_table *t, const void *key, uint32_t hash,
                                  uint32_t now_sec, uint64_t bytes, enum stat_got *got)
{
    bool created;
    *got = STAT_GOT_NEW;
    if (t->n_used - 1 < t->max)
        return stat_create(t, key, hash, now_sec, &created);
    if (!doorkeeper_ready(&t->door))
        doorkeeper_init(&t->door, t->max);
    bool seen = doorkeeper_check(&t->door, hash);
    /* unseen, it must be larger than the mean row (the bound under which rows are evicted,
     * stat_pick_victim): a young recurring row must not lose its place to one-off keys whose
     * single records are a little larger than its own */
    /* bytes <= total / rows, without a 64-bit division for the common sizes (rows < 2^29) */
    bool small = bytes < ((uint64_t)1 << 32) ? bytes * t->n_used <= t->total_bytes
                                             : bytes <= t->total_bytes / t->n_used;
    if (!seen && small) {
        t->folded++;
        return STAT_OTHER;
    }
    uint32_t idx = stat_create(t, key, hash, now_sec, &created);
    if (seen && created)
        *got = STAT_GOT_AGAIN;
    return idx;
}

uint32_t stat_table_get_admit(struct stat_table *t, const void *key, uint32_t hash,
                              uint32_t now_sec, uint64_t bytes, enum stat_got *got)
{
    uint32_t slot = stat_lookup_slot(t, key, hash);
    if (slot != STAT_NONE) {
        *got = STAT_GOT_HIT;
        return hindex_entry(t->index.slot[slot]);
    }
    return stat_admit_absent(t, key, hash, now_sec, bytes, got);
}

void stat_table_add(struct stat_table *t, uint32_t idx, uint32_t sec, uint64_t b0, uint64_t p0,
                    uint64_t b1, uint64_t p1)
{
    struct stat_span sp = {sec, sec, b0 + b1, 0};
    stat_table_add_span(t, idx, b0, p0, b1, p1, &sp);
}

/* Widen a row's [first_sec, last_sec] to take [first, last]. */
static inline void stat_book_secs(struct stat_entry *e, uint32_t first, uint32_t last)
{
    /* branch-free: spans are random (first_sec 0 means unset, and 0 - 1 is the largest) */
    uint32_t ls = e->last_sec, fs = e->first_sec - 1, f = first - 1;
    e->last_sec = last > ls ? last : ls;
    e->first_sec = (f < fs ? f : fs) + 1;
}

/* A booking's totals and the seconds it reaches (the history is the caller's). */
static inline struct stat_entry *stat_book(struct stat_table *t, uint32_t idx, uint64_t b0,
                                           uint64_t p0, uint64_t b1, uint64_t p1, uint32_t first,
                                           uint32_t last)
{
    struct stat_entry *e = E(t, idx);
    t->total_bytes += b0 + b1;
    e->bytes[0] += b0;
    e->pkts[0] += p0;
    e->bytes[1] += b1;
    e->pkts[1] += p1;
    stat_book_secs(e, first, last);
    return e;
}

/* A span into a row's history: the inline common case, else the general one (stat_hist.h). */
static inline void stat_book_hist(struct stat_entry *e, const struct stat_span *sp)
{
    if (!stat_hist_add_span_fast(e->hist_d, e->hist_last, e->hist_shift, &e->hist_max, sp))
        stat_hist_add_span(
            (struct stat_hist){e->hist_d, &e->hist_last, &e->hist_shift, &e->hist_max}, sp);
}

void stat_table_add_span(struct stat_table *t, uint32_t idx, uint64_t b0, uint64_t p0,
                         uint64_t b1, uint64_t p1, const struct stat_span *sp)
{
    stat_book_hist(stat_book(t, idx, b0, p0, b1, p1, sp->first, sp->last), sp);
}

void stat_table_add_pend(struct stat_table *t, uint32_t idx, uint64_t b0, uint64_t p0,
                         uint64_t b1, uint64_t p1, uint32_t first, uint32_t last_sec,
                         const struct stat_pend *pend, uint32_t last, uint64_t vmax)
{
    struct stat_entry *e = stat_book(t, idx, b0, p0, b1, p1, first, last_sec);
    stat_hist_add_pend((struct stat_hist){e->hist_d, &e->hist_last, &e->hist_shift, &e->hist_max},
                       pend, last, vmax);
}

#define HELD_AHEAD 16 /* held bookings whose index slot is prefetched ahead (their rows: half) */

/* The i-th of held bookings `size` bytes apart. */
static inline const struct stat_booking *stat_held_at(const struct stat_booking *b, size_t size,
                                                      uint32_t i)
{
    return (const struct stat_booking *)((const char *)b + (size_t)i * size);
}

uint32_t stat_table_add_held(struct stat_table *t, const struct stat_booking *b, size_t size,
                             uint32_t n, uint32_t max_new, uint32_t now_sec, stat_held_fn done,
                             void *ctx)
{
    uint32_t made = 0;
    if (size < STAT_BOOKING_SIZE(t->key_len) || size % 8)
        abort(); /* a caller's bug: the keys would overlap */
    for (uint32_t i = 0; i < n && i < HELD_AHEAD; i++)
        hindex_prefetch(&t->index, stat_held_at(b, size, i)->hash);
    for (uint32_t i = 0; i < n; i++) {
        if (i + HELD_AHEAD < n)
            hindex_prefetch(&t->index, stat_held_at(b, size, i + HELD_AHEAD)->hash);
        if (i + HELD_AHEAD / 2 < n) {
            const struct stat_booking *p = stat_held_at(b, size, i + HELD_AHEAD / 2);
            stat_table_prefetch_hit(t, p->hash, p->first, p->last);
        }
        const struct stat_booking *k = stat_held_at(b, size, i);
        uint32_t slot = stat_lookup_slot(t, k->key, k->hash), idx;
        enum stat_got got = STAT_GOT_HIT;
        bool created = false;
        if (slot != STAT_NONE) {
            idx = hindex_entry(t->index.slot[slot]);
        } else {
            idx = stat_admit_absent(t, k->key, k->hash, now_sec, k->bytes, &got);
            created = idx != STAT_OTHER;
            made += created;
        }
        /* stat_table_add_span, for a booking on one side only */
        struct stat_entry *e = E(t, idx);
        unsigned side = k->side != 0;
        t->total_bytes += k->bytes;
        e->bytes[side] += k->bytes;
        e->pkts[side] += k->pkts;
        e->flows += k->flows;
        e->aux += k->aux;
        stat_book_secs(e, k->first, k->last);
        struct stat_span sp = stat_span_even(k->first, k->last, k->bytes);
        stat_book_hist(e, &sp);
        if (done)
            done(ctx, k, e, created, got);
        if (made >= max_new)
            return i + 1;
    }
    return n;
}

uint64_t stat_entry_window(const struct stat_entry *e, uint32_t now_sec, uint32_t secs)
{
    return stat_hist_window(e->hist_d, e->hist_last, e->hist_shift, now_sec, secs);
}

void stat_entry_series(const struct stat_entry *e, uint32_t now_sec, uint32_t secs,
                       uint64_t *out)
{
    stat_hist_series(e->hist_d, e->hist_last, e->hist_shift, now_sec, secs, out);
}

void stat_table_ref(struct stat_table *t, uint32_t idx)
{
    E(t, idx)->refs++;
}

void stat_table_unref(struct stat_table *t, uint32_t idx)
{
    struct stat_entry *e = E(t, idx);
    if (e->refs && --e->refs == 0 && idx != STAT_OTHER) {
        if (t->cand_n == STAT_CANDIDATES) { /* full: forget the oldest */
            t->cand_head = (t->cand_head + 1) % STAT_CANDIDATES;
            t->cand_n--;
        }
        t->cand[(t->cand_head + t->cand_n) % STAT_CANDIDATES] = idx;
        t->cand_n++;
    }
}

uint32_t stat_table_slots(const struct stat_table *t)
{
    return t->n_slots;
}

uint32_t stat_table_count(const struct stat_table *t)
{
    return t->n_used;
}

uint64_t stat_table_evicted(const struct stat_table *t)
{
    return t->evicted;
}

uint64_t stat_table_folded(const struct stat_table *t)
{
    return t->folded;
}

size_t stat_table_memory(const struct stat_table *t)
{
    return sizeof *t + (size_t)t->n_slots * sizeof *t->entries + hindex_memory(&t->index) +
           doorkeeper_memory(&t->door);
}
