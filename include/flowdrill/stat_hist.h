/*
 * stat_hist.h - a per-second byte history of STAT_HIST seconds, for rates and sparklines.
 *
 * A ring covers the seconds (last - STAT_HIST, last]. It stores *differences*: bucket
 * t % STAT_HIST holds V(t) - V(t + 1), where V(s) is the bytes of second s (V(last + 1) = 0),
 * so V(s) is the sum of the buckets from s up to last. That makes a booking spread evenly over
 * [first, last] (a flow export covering half a minute) cost three bucket writes instead of one
 * per second; reading a second or a window walks the ring once (at most STAT_HIST buckets).
 * Never read the buckets directly: use stat_hist_at, stat_hist_window or stat_hist_series.
 *
 * Buckets are 32-bit to halve the memory of big tables, in units of 2^shift bytes; a ring whose
 * seconds would exceed 4 Gi units rescales (shift grows until the largest second takes at most
 * half the range) rather than saturate, so rates stay right to within 2^shift bytes per
 * booking. `max` bounds the largest second from above, so a booking knows without reading the
 * ring that it cannot overflow. Totals are kept elsewhere, 64-bit and exact. Depends on nothing
 * but the C library.
 */
#ifndef FLOWDRILL_STAT_HIST_H
#define FLOWDRILL_STAT_HIST_H

#include <stddef.h>
#include <stdint.h>

#define STAT_HIST 64 /* seconds of history kept per ring (power of two) */

/* A ring's parts, wherever its owner keeps them (a stat_entry, the aggregator's totals). */
struct stat_hist {
    uint32_t *d;    /* STAT_HIST difference buckets */
    uint32_t *last; /* newest second covered */
    uint8_t *shift; /* units are 2^shift bytes */
    uint32_t *max;  /* upper bound of V(s) over the ring, in units */
};

/* How a booking's bytes fall on the seconds of the history: `per` bytes on every second of
 * [first, last] and `rem` more on `last` (a flow record spread evenly over its span). Seconds
 * older than a ring's history reach only the totals. A booking at one second is
 * {sec, sec, bytes, 0}. */
struct stat_span {
    uint32_t first, last;
    uint64_t per, rem;
};

/* The span of `bytes` spread evenly over [first, last] (first <= last), the remainder on last.
 * A 64-bit division costs tens of cycles and every export record makes a few: nearly every
 * record's bytes fit 32 bits, and a 32-bit division is several times cheaper. */
static inline struct stat_span stat_span_even(uint32_t first, uint32_t last, uint64_t bytes)
{
    uint32_t n = last - first + 1;
    struct stat_span sp = {first, last, 0, 0};
    if (n == 1) {
        sp.per = bytes;
    } else if (bytes <= UINT32_MAX) {
        uint32_t b = (uint32_t)bytes;
        sp.per = b / n;
        sp.rem = b % n;
    } else {
        sp.per = bytes / n;
        sp.rem = bytes % n;
    }
    return sp;
}

/* Bytes a span puts on second `sec` (0 outside [first, last]). */
static inline uint64_t stat_span_at(const struct stat_span *sp, uint32_t sec)
{
    if (sec < sp->first || sec > sp->last)
        return 0;
    return sec == sp->last ? sp->per + sp->rem : sp->per;
}

/* Add a span: moves the ring forward to sp->last if that is newer; constant time. */
void stat_hist_add_span(struct stat_hist h, const struct stat_span *sp);

/* The common case of stat_hist_add_span, inline for the per-record path: a span ending within
 * the ring (at its newest second or up to STAT_HIST - 1 before) that the bound says cannot
 * overflow. Returns false, having changed nothing, in any other case (call stat_hist_add_span
 * then). Straight-line code: which of the three buckets a span touches is chosen by amounts of
 * zero, not by branches, because spans are random and mispredicted branches cost more than
 * the writes (an export record books a dozen of them). */
static inline int stat_hist_add_span_fast(uint32_t *d, uint32_t last, uint8_t shift,
                                          uint32_t *max, const struct stat_span *sp)
{
    uint32_t l = sp->last;
    uint64_t vl64 = (sp->per + sp->rem) >> shift;
    if (l > last || last - l >= STAT_HIST || vl64 > UINT32_MAX - *max || last < STAT_HIST)
        return 0;
    uint32_t oldest = last - (STAT_HIST - 1);
    uint32_t f = sp->first < oldest ? oldest : sp->first;
    f = f > l ? l : f;
    uint32_t vl = (uint32_t)vl64, vp = (uint32_t)(sp->per >> shift);
    uint32_t mid = f < l ? vp : 0;              /* on each second of [f, l) */
    uint32_t below = l > oldest ? mid - vl : 0; /* bucket l - 1, when the ring holds it */
    uint32_t tail = f < l && f > oldest ? vp : 0; /* bucket f - 1, likewise */
    *max += vl; /* vl >= vp: no second grows by more */
    d[l % STAT_HIST] += vl;
    d[(l - 1) % STAT_HIST] += below; /* adding 0 where the bucket is another second's */
    d[(f - 1) % STAT_HIST] -= tail;
    return 1;
}

/*
 * Bookings summed before they reach a ring (stat_pend): the same differences over the
 * STAT_HIST seconds ending at `last` (the caller's current second, fixed while it sums), but
 * 64-bit and in bytes, so that any number of spans add up exactly. Many records that book
 * into the same rows (an exporter, its interfaces, a service) are summed here and reach each
 * row once (stat_hist_add_pend) instead of once per record.
 */
struct stat_pend {
    uint64_t d[STAT_HIST]; /* bucket s % STAT_HIST: V(s) - V(s + 1), modulo 2^64 */
};

/* Add a span (sp->last <= last; seconds older than the STAT_HIST ending at `last` are left
 * out, as a ring leaves them out). Constant time, no branches on the span. */
static inline void stat_pend_add_span(struct stat_pend *p, uint32_t last,
                                      const struct stat_span *sp)
{
    uint32_t l = sp->last;
    if (l > last || last - l >= STAT_HIST)
        return;
    uint32_t oldest = last >= STAT_HIST - 1 ? last - (STAT_HIST - 1) : 0;
    uint32_t f = sp->first < oldest ? oldest : sp->first;
    f = f > l ? l : f;
    uint64_t vl = sp->per + sp->rem, mid = f < l ? sp->per : 0;
    uint64_t below = l > oldest ? mid - vl : 0;
    uint64_t tail = f < l && f > oldest ? sp->per : 0;
    p->d[l % STAT_HIST] += vl;
    p->d[(l - 1) % STAT_HIST] += below;
    p->d[(f - 1) % STAT_HIST] -= tail;
}

/* The largest second of a pending ring ending at `last` (the bound stat_hist_add_pend needs). */
uint64_t stat_pend_max(const struct stat_pend *p, uint32_t last);

/* Add pending ring p (ending at `last`, its largest second `vmax`) into ring h. */
void stat_hist_add_pend(struct stat_hist h, const struct stat_pend *p, uint32_t last,
                        uint64_t vmax);

/* Add bytes to one second. */
void stat_hist_add(struct stat_hist h, uint32_t sec, uint64_t bytes);

/* Add the whole of ring `from` (another ring, e.g. an evicted row's) into `h`, second by
 * second, as far as h's history reaches. One pass over the ring. */
void stat_hist_merge(struct stat_hist h, const uint32_t *from_d, uint32_t from_last,
                     uint8_t from_shift);

/* Bytes stored for one second (0 when outside the ring). */
uint64_t stat_hist_at(const uint32_t *d, uint32_t last, uint8_t shift, uint32_t sec);

/* Bytes in the `secs` (at most STAT_HIST) complete seconds before now_sec. */
uint64_t stat_hist_window(const uint32_t *d, uint32_t last, uint8_t shift, uint32_t now_sec,
                          uint32_t secs);

/* Bytes of each of the `secs` (at most STAT_HIST) complete seconds before now_sec, oldest
 * first, into out[0 .. secs-1] (a sparkline). */
void stat_hist_series(const uint32_t *d, uint32_t last, uint8_t shift, uint32_t now_sec,
                      uint32_t secs, uint64_t *out);

#endif
