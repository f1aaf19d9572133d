/*
 * stat_table.h - a bounded table of counters keyed by a fixed-size key, with per-second
 * history for rates and sparklines. One type serves hosts, host pairs, ports, applications
 * and protocols (and, later, exporters and interfaces).
 *
 * Entries live in a dense array and never move, so an entry index is a stable handle: flows
 * keep the indexes of the entries they feed (stat_table_ref) instead of hashing every tick.
 * Index 0 is the "other" row: when the table is full and no unreferenced entry can be
 * evicted, new keys fold into it (counted in `folded`); evicted entries' totals are merged
 * into it (counted in `evicted`), so the sum over all rows always equals what was added.
 * Depends on core only.
 */
#ifndef FLOWDRILL_STAT_TABLE_H
#define FLOWDRILL_STAT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/hash.h"
#include "flowdrill/stat_hist.h"

#define STAT_KEY_MAX 32
#define STAT_OTHER 0u
#define STAT_NONE UINT32_MAX

/* stat_entry.flags */
enum {
    STAT_F_USED = 1u << 0,
    STAT_F_OTHER = 1u << 1, /* the "other" row */
    STAT_F_LOCAL = 1u << 2  /* hosts: inside a --local network */
};

struct stat_entry {
    /* first cache line: what booking and eviction touch */
    _Alignas(64) uint64_t bytes[2]; /* [0] sent / a->b, [1] received / b->a (table-specific) */
    uint64_t pkts[2];
    uint32_t refs; /* live flows holding this index */
    uint32_t first_sec, last_sec;
    uint32_t hist_last; /* newest second of the history ring */
    uint32_t hist_max;  /* the ring's bound (stat_hist.h) */
    uint32_t hash;
    uint16_t flags;
    uint8_t hist_shift; /* the ring's units are 2^hist_shift bytes */
    /* second line: the key (compared on lookup; aligned, so that a compare loads one line) */
    _Alignas(64) uint8_t key[STAT_KEY_MAX]; /* zero-padded past the table's key length */
    uint64_t flows;            /* flows that fed this entry */
    uint64_t aux;              /* hosts: peers seen; ports: application row + 1; else unused */
    /* bytes per second, as differences: read them with stat_entry_window/stat_entry_series */
    uint32_t hist_d[STAT_HIST];
};

struct stat_table;

/* Create a table of at most `max_entries` rows (plus "other") with keys of `key_len` bytes.
 * Returns NULL only for bad arguments; allocation failure aborts. Free with stat_table_free. */
struct stat_table *stat_table_new(size_t key_len, uint32_t max_entries, uint64_t seed);
void stat_table_free(struct stat_table *t);

/* How a lookup with admission found its key (stat_table_get_admit). */
enum stat_got {
    STAT_GOT_HIT,   /* the key has a row */
    STAT_GOT_NEW,   /* a key not seen lately: it got a row, or folded into "other" */
    STAT_GOT_AGAIN, /* a key turned away lately (counted then as NEW), now given a row */
};

/* One held booking: what stat_table_add_span would get, its bytes on one side only (a flow
 * export goes one way: [0] for side 0, or [1]), spread evenly over [first, last] (the remainder
 * on `last`). A header of 32 bytes and the key: a holder keeps them STAT_BOOKING_SIZE(key
 * length) bytes apart (stat_defer.h). */
struct stat_booking {
    uint32_t hash; /* stat_table_hash of the key (stat_defer_push sets it) */
    uint32_t first, last;
    uint8_t side;  /* 0: bytes and packets go to [0]; 1: to [1] */
    uint8_t flows; /* added to the row's flows */
    uint16_t aux;  /* added to the row's aux */
    uint64_t bytes, pkts;
    uint8_t key[]; /* the table's key length, zero-padded to the booking's size */
};

/* The size of a booking with a key of `key_len` bytes (a multiple of 8). */
#define STAT_BOOKING_SIZE(key_len) (sizeof(struct stat_booking) + (((key_len) + 7u) & ~(size_t)7))

/* Called for each held booking once it is booked: into row `e` (the "other" row when the
 * table folded its key), `created` when that row is new (to set flags from the key, say), `got`
 * as stat_table_get_admit says (STAT_GOT_HIT when the key had a row). */
typedef void (*stat_held_fn)(void *ctx, const struct stat_booking *b, struct stat_entry *e,
                             bool created, enum stat_got got);

/* Book the `n` held bookings at `b` (`size` bytes apart: STAT_BOOKING_SIZE of the table's key
 * length) into `t` at second `now_sec`, in order: each as if through stat_table_get_admit (with
 * its bytes as the size: held bookings keep no references) and stat_table_add_span, `done`
 * (if not NULL) called after each. Stops early once `max_new` of them have created rows;
 * returns how many were booked. One tight loop that looks keys up inline and prefetches a
 * few bookings ahead: stat_defer.h applies its groups with it. */
uint32_t stat_table_add_held(struct stat_table *t, const struct stat_booking *b, size_t size,
                             uint32_t n, uint32_t max_new, uint32_t now_sec, stat_held_fn done,
                             void *ctx);

/* Pointers to entries stay valid until the entry is evicted (entries never move). */

/* Find or create the entry for `key` (key_len bytes, borrowed). Sets *created when new.
 * When the table is full, evicts an unreferenced low-volume entry, or returns STAT_OTHER. */
uint32_t stat_table_get(struct stat_table *t, const void *key, uint32_t now_sec, bool *created);

/* The same with the key's hash computed beforehand by stat_table_hash (batched callers hash
 * a group of keys, prefetch, then look them up). */
uint32_t stat_table_hash(const struct stat_table *t, const void *key);
uint32_t stat_table_get_hashed(struct stat_table *t, const void *key, uint32_t hash,
                               uint32_t now_sec, bool *created);

/* How stat_table_hash hashes the two common key sizes, for callers that hash where they can
 * share the work: a 16-byte key (an address) is stat_hash_fold(stat_hash16(key, seed)); a
 * 32-byte key (an address pair) joins the hashes of its halves, stat_hash_join(
 * stat_hash16(key, seed), stat_hash16(key + 16, seed)). So a caller that hashed two addresses
 * for a table of addresses has the hash of their pair, in a table of pairs made with the same
 * seed, for one mix more instead of hashing 32 bytes again. */
static inline uint64_t stat_hash16(const void *key, uint64_t seed)
{
    return hash_bytes(key, 16, seed);
}
static inline uint32_t stat_hash_fold(uint64_t h)
{
    return (uint32_t)(h ^ (h >> 32));
}
static inline uint32_t stat_hash_join(uint64_t h0, uint64_t h1)
{
    /* the halves' order matters (a pair key is ordered): rotate one of them */
    return stat_hash_fold(hash_mix64(h0 ^ (h1 << 32 | h1 >> 32)));
}

/* The seed the table was made with (stat_table_new). */
uint64_t stat_table_seed(const struct stat_table *t);

/* Find or create with admission, for bookings that hold no reference (flow exports). While
 * the table has room this is stat_table_get_hashed. When it is full, an absent key gets a row
 * (evicting one) only if the table's doorkeeper (doorkeeper.h) has seen it lately, or if
 * `bytes` is more than the mean row holds; otherwise the key folds into
 * STAT_OTHER (counted in folded) and is remembered. So a flood of one-off keys neither evicts
 * the rows that recur nor pays for an eviction each, and a large newcomer still gets in.
 * *got says which of these happened (enum stat_got, above). */
uint32_t stat_table_get_admit(struct stat_table *t, const void *key, uint32_t hash,
                              uint32_t now_sec, uint64_t bytes, enum stat_got *got);

/* Prefetch hints for batched work: the index slot `key` leads to; an entry's
 * header and the history bucket of second `sec`; or, when the index slot for `hash` (already
 * loaded: prefetch it first) holds a matching tag, that entry's header, key and the history
 * buckets a booking spread over [first, last] writes, and when it does not, the admission
 * filter's words (a full table's). They change nothing. */
void stat_table_prefetch_key(const struct stat_table *t, const void *key);
void stat_table_prefetch_entry(const struct stat_table *t, uint32_t idx, uint32_t sec);
void stat_table_prefetch_hit(const struct stat_table *t, uint32_t hash, uint32_t first,
                             uint32_t last);

/* The top `bits` bits of the index slot `hash` starts at: work sorted by it walks the index in
 * order (stat_defer.c). */
uint32_t stat_table_home_bits(const struct stat_table *t, uint32_t hash, unsigned bits);

/* Size the index now for `more` new rows (as many as the table may still take), so that it
 * does not grow while a batch sorted by stat_table_home_bits is applied: growing changes which
 * bits those are, and the keys inserted so far would crowd into a few parts of the index. */
void stat_table_reserve(struct stat_table *t, uint32_t more);

/* Slots of the index (a power of two, at least twice the rows): held bookings size their
 * rounds by it (stat_defer.c). */
uint32_t stat_table_index_slots(const struct stat_table *t);

/* The longest run of occupied index slots: a probe for an absent key walks to the end of its
 * run, so this is the worst lookup. Scans the whole index (tests and diagnostics). */
uint32_t stat_table_longest_run(const struct stat_table *t);

/* Find without creating; STAT_NONE when absent. */
uint32_t stat_table_find(const struct stat_table *t, const void *key);

static inline struct stat_entry *stat_table_entry(struct stat_table *t, uint32_t idx);
static inline const struct stat_entry *stat_table_centry(const struct stat_table *t, uint32_t idx);

/* Book bytes/packets for both directions (b0/p0 into [0], b1/p1 into [1]) at second `sec`;
 * the history gets b0 + b1. */
void stat_table_add(struct stat_table *t, uint32_t idx, uint32_t sec, uint64_t b0, uint64_t p0,
                    uint64_t b1, uint64_t p1);

/* Book totals once (b0/p0 into [0], b1/p1 into [1]) and the history by a span whose bytes sum
 * to b0 + b1; first_sec/last_sec take the span's ends. */
void stat_table_add_span(struct stat_table *t, uint32_t idx, uint64_t b0, uint64_t p0,
                         uint64_t b1, uint64_t p1, const struct stat_span *sp);

/* Book totals once and the history by a pending ring (stat_hist.h) ending at `last`, whose
 * largest second is `vmax` (stat_pend_max); first_sec/last_sec take `first` and `last_sec`,
 * the ends of the spans it sums. */
void stat_table_add_pend(struct stat_table *t, uint32_t idx, uint64_t b0, uint64_t p0,
                         uint64_t b1, uint64_t p1, uint32_t first, uint32_t last_sec,
                         const struct stat_pend *pend, uint32_t last, uint64_t vmax);

/* References from live flows: a referenced row is never evicted; a row losing its last
 * reference becomes the first candidate for eviction. */
void stat_table_ref(struct stat_table *t, uint32_t idx);
void stat_table_unref(struct stat_table *t, uint32_t idx);

/* Hold a row for the length of one booking (so that a second lookup in the same table cannot
 * evict it), and release it; unlike unref, a release does not offer the row for eviction. */
static inline void stat_table_hold(struct stat_table *t, uint32_t idx);
static inline void stat_table_release(struct stat_table *t, uint32_t idx);

/* Bytes in the `secs` (at most STAT_HIST) complete seconds before `now_sec`. */
uint64_t stat_entry_window(const struct stat_entry *e, uint32_t now_sec, uint32_t secs);

/* Bytes of each of the `secs` complete seconds before `now_sec`, oldest first (a sparkline). */
void stat_entry_series(const struct stat_entry *e, uint32_t now_sec, uint32_t secs,
                       uint64_t *out);

/* Iteration: indexes 0 .. stat_table_slots()-1; skip entries without STAT_F_USED. */
uint32_t stat_table_slots(const struct stat_table *t);
uint32_t stat_table_count(const struct stat_table *t); /* used rows, "other" included */
uint64_t stat_table_evicted(const struct stat_table *t);
uint64_t stat_table_folded(const struct stat_table *t);
size_t stat_table_memory(const struct stat_table *t); /* bytes in use (rows touched + index) */

/* inline accessors (the table layout is private; entries are one array that never moves) */
struct stat_entry *stat_table_entries_(const struct stat_table *t);
static inline struct stat_entry *stat_table_entry(struct stat_table *t, uint32_t idx)
{
    return stat_table_entries_(t) + idx;
}
static inline const struct stat_entry *stat_table_centry(const struct stat_table *t, uint32_t idx)
{
    return stat_table_entries_(t) + idx;
}
static inline void stat_table_hold(struct stat_table *t, uint32_t idx)
{
    stat_table_entry(t, idx)->refs++;
}
static inline void stat_table_release(struct stat_table *t, uint32_t idx)
{
    stat_table_entry(t, idx)->refs--;
}

#endif
