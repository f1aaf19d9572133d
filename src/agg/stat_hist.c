/*
 * stat_hist.c - per-second history rings stored as differences (see stat_hist.h).
 *
 * Bookings write at most three buckets; the bound `max` tells them, without reading the ring,
 * that no second can overflow. When it cannot tell, the careful path decodes the ring, adds,
 * rescales until every second fits and encodes it again (that also makes `max` exact).
 */
#include "config.h"

#include "flowdrill/stat_hist.h"

#include <string.h>

#define RING(s) ((s) % STAT_HIST)

static inline uint32_t stat_hist_oldest(uint32_t last)
{
    return last >= STAT_HIST - 1 ? last - (STAT_HIST - 1) : 0;
}

/* Move the newest second forward to `sec`: the seconds in between are empty. Differences of
 * the older seconds stay valid (V(s) sums buckets from s up, and the new ones are zero). */
static void stat_hist_advance(struct stat_hist h, uint32_t sec)
{
    uint32_t gap = sec - *h.last;
    if (gap >= STAT_HIST) {
        memset(h.d, 0, STAT_HIST * sizeof *h.d);
        *h.max = 0;
    } else {
        for (uint32_t s = *h.last + 1; s <= sec; s++)
            h.d[RING(s)] = 0;
    }
    *h.last = sec;
}

/* v[k] = V(last - k) for the seconds the ring covers; returns how many. */
static uint32_t stat_hist_decode(const uint32_t *d, uint32_t last, uint64_t v[STAT_HIST])
{
    uint32_t n = last >= STAT_HIST - 1 ? STAT_HIST : last + 1;
    uint32_t acc = 0;
    for (uint32_t k = 0; k < n; k++) {
        acc += d[RING(last - k)];
        v[k] = acc;
    }
    return n;
}

/* The careful path: add add[k] units to second last - k, rescale until every second fits in
 * 31 bits, encode again. */
static void stat_hist_rebuild(struct stat_hist h, const uint64_t add[STAT_HIST])
{
    uint64_t v[STAT_HIST], max = 0;
    uint32_t n = stat_hist_decode(h.d, *h.last, v);
    for (uint32_t k = 0; k < n; k++) {
        v[k] = add[k] > UINT64_MAX - v[k] ? UINT64_MAX : v[k] + add[k];
        if (v[k] > max)
            max = v[k];
    }
    while (max > UINT32_MAX / 2) {
        /* one bit of resolution for twice the range; half the range left free, so that the
         * bound lets many bookings through before the next rebuild */
        for (uint32_t k = 0; k < n; k++)
            v[k] >>= 1;
        max >>= 1;
        (*h.shift)++;
    }
    for (uint32_t k = 0; k < n; k++)
        h.d[RING(*h.last - k)] = (uint32_t)(v[k] - (k ? v[k - 1] : 0));
    *h.max = (uint32_t)max;
}

void stat_hist_add_span(struct stat_hist h, const struct stat_span *sp)
{
    uint32_t last = sp->last;
    if (last > *h.last)
        stat_hist_advance(h, last);
    else if (*h.last - last >= STAT_HIST)
        return; /* older than the history: totals only */
    uint32_t oldest = stat_hist_oldest(*h.last);
    uint32_t first = sp->first < oldest ? oldest : sp->first > last ? last : sp->first;
    uint64_t vl = (sp->per + sp->rem) >> *h.shift; /* on `last` */
    uint64_t vp = sp->per >> *h.shift;             /* on each second of [first, last) */
    if (vl <= UINT32_MAX - *h.max) {
        *h.max += (uint32_t)vl; /* vl >= vp: no second grows by more */
        h.d[RING(last)] += (uint32_t)vl;
        if (last > oldest) {
            h.d[RING(last - 1)] += (first < last ? (uint32_t)vp : 0) - (uint32_t)vl;
            if (first < last && first > oldest)
                h.d[RING(first - 1)] -= (uint32_t)vp;
        }
        return;
    }
    uint64_t add[STAT_HIST] = {0};
    for (uint32_t s = first; s <= last; s++)
        add[*h.last - s] = s == last ? vl : vp;
    stat_hist_rebuild(h, add);
}

uint64_t stat_pend_max(const struct stat_pend *p, uint32_t last)
{
    uint32_t n = last >= STAT_HIST - 1 ? STAT_HIST : last + 1;
    uint64_t acc = 0, max = 0;
    for (uint32_t k = 0; k < n; k++) {
        acc += p->d[RING(last - k)];
        if (acc > max)
            max = acc;
    }
    return max;
}

/* stat_hist_add_pend's careful path in one pass, for the same window with a nonzero shift
 * when the bound says no second leaves 32 bits. The careful path adds A(s) = P(s) >> shift to
 * every second (P(s): the pending bytes of second s), sets `max` exact and rescales if it
 * passed 2^31; so does this. Bucket s gains A(s) - A(s + 1) (A(last + 1) = 0): modulo 2^32
 * that is exactly the difference the careful path encodes, since no value wraps. The decode
 * of the new ring then gives its exact maximum. A rescale is rare (half the range is left
 * free after each) and goes through stat_hist_rebuild with nothing to add, which reads the
 * same values the careful path would have built. */
static void stat_hist_add_pend_shifted(struct stat_hist h, const struct stat_pend *p)
{
    uint32_t last = *h.last, n = last >= STAT_HIST - 1 ? STAT_HIST : last + 1;
    uint8_t shift = *h.shift;
    uint64_t accp = 0;
    uint32_t above = 0, acc = 0, max = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = RING(last - k);
        accp += p->d[i];
        uint32_t a = (uint32_t)(accp >> shift); /* at most vmax >> shift: fits */
        acc += h.d[i] += a - above;
        above = a;
        max = acc > max ? acc : max;
    }
    if (max > UINT32_MAX / 2) {
        static const uint64_t none[STAT_HIST];
        stat_hist_rebuild(h, none);
        return;
    }
    *h.max = max;
}

void stat_hist_add_pend(struct stat_hist h, const struct stat_pend *p, uint32_t last,
                        uint64_t vmax)
{
    if (!vmax)
        return;
    if (last > *h.last)
        stat_hist_advance(h, last);
    if (last == *h.last && *h.shift == 0 && vmax <= UINT32_MAX - *h.max) {
        /* the same window and unit: the differences add bucket by bucket (modulo 2^32, and
         * the bound says no second leaves 32 bits) */
        *h.max += (uint32_t)vmax;
        for (uint32_t i = 0; i < STAT_HIST; i++)
            h.d[i] += (uint32_t)p->d[i];
        return;
    }
    if (last == *h.last && (uint64_t)*h.max + (vmax >> *h.shift) <= UINT32_MAX) {
        stat_hist_add_pend_shifted(h, p);
        return;
    }
    /* the careful path: second by second, in the ring's units, as far as the ring reaches */
    uint64_t add[STAT_HIST] = {0};
    uint32_t oldest = stat_hist_oldest(*h.last);
    uint32_t n = last >= STAT_HIST - 1 ? STAT_HIST : last + 1;
    uint64_t acc = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t s = last - k;
        acc += p->d[RING(s)];
        if (s >= oldest && s <= *h.last)
            add[*h.last - s] = acc >> *h.shift;
    }
    stat_hist_rebuild(h, add);
}

void stat_hist_add(struct stat_hist h, uint32_t sec, uint64_t bytes)
{
    struct stat_span sp = {sec, sec, bytes, 0};
    stat_hist_add_span(h, &sp);
}

/* Value `acc` of a ring with shift `from` in units of shift `to`. */
static inline uint64_t stat_hist_units(uint32_t acc, uint8_t from, uint8_t to)
{
    return from >= to ? (uint64_t)acc << (from - to) : (uint64_t)(acc >> (to - from));
}

void stat_hist_merge(struct stat_hist h, const uint32_t *from_d, uint32_t from_last,
                     uint8_t from_shift)
{
    if (from_last > *h.last)
        stat_hist_advance(h, from_last);
    else if (*h.last - from_last >= STAT_HIST)
        return;
    uint32_t lo = stat_hist_oldest(*h.last);
    if (lo < stat_hist_oldest(from_last))
        lo = stat_hist_oldest(from_last);
    /* The values only change where a difference is nonzero, and so do the converted ones: a
     * row evicted soon after it was made has a handful, so only those are visited (found
     * eight bytes at a time, then newest first through a mask). */
    struct {
        uint32_t t, d;
    } ch[STAT_HIST];
    uint64_t mask = 0; /* bit i: bucket i is nonzero */
    for (uint32_t i = 0; i < STAT_HIST; i += 2) {
        uint64_t w;
        memcpy(&w, from_d + i, sizeof w);
        if (w)
            mask |= (uint64_t)(from_d[i] != 0) << i | (uint64_t)(from_d[i + 1] != 0) << (i + 1);
    }
    /* rotate so that bit 63 is the newest second, bit 63 - k the second from_last - k */
    uint32_t top = RING(from_last);
    mask = top == STAT_HIST - 1 ? mask : mask << (STAT_HIST - 1 - top) | mask >> (top + 1);
    uint32_t nch = 0, acc = 0, n = from_last - lo + 1;
    uint64_t above = 0, vmax = 0; /* converted value of the second after */
    while (mask) {
        uint32_t k = (uint32_t)__builtin_clzll(mask);
        if (k >= n)
            break; /* older than lo */
        mask &= ~(1ull << (STAT_HIST - 1 - k));
        uint32_t t = from_last - k;
        acc += from_d[RING(t)];
        uint64_t v = stat_hist_units(acc, from_shift, *h.shift);
        ch[nch].t = t;
        ch[nch++].d = (uint32_t)(v - above);
        above = v;
        if (v > vmax)
            vmax = v;
    }
    if (!vmax)
        return;
    if (vmax <= UINT32_MAX - *h.max) {
        *h.max += (uint32_t)vmax;
        for (uint32_t i = 0; i < nch; i++)
            h.d[RING(ch[i].t)] += ch[i].d;
        if (above && lo > stat_hist_oldest(*h.last))
            h.d[RING(lo - 1)] -= (uint32_t)above; /* nothing added before lo */
        return;
    }
    uint64_t add[STAT_HIST] = {0};
    acc = 0;
    for (uint32_t k = 0; k < n; k++) {
        acc += from_d[RING(from_last - k)];
        add[*h.last - (from_last - k)] = stat_hist_units(acc, from_shift, *h.shift);
    }
    stat_hist_rebuild(h, add);
}

uint64_t stat_hist_at(const uint32_t *d, uint32_t last, uint8_t shift, uint32_t sec)
{
    if (sec > last || last - sec >= STAT_HIST)
        return 0;
    uint32_t acc = 0;
    for (uint32_t t = last;; t--) {
        acc += d[RING(t)];
        if (t == sec)
            break;
    }
    return (uint64_t)acc << shift;
}

uint64_t stat_hist_window(const uint32_t *d, uint32_t last, uint8_t shift, uint32_t now_sec,
                          uint32_t secs)
{
    /* complete seconds: now_sec - secs .. now_sec - 1, those of them the ring covers */
    if (secs > STAT_HIST)
        secs = STAT_HIST;
    if (!secs || !now_sec)
        return 0;
    uint32_t hi = now_sec - 1, lo = now_sec >= secs ? now_sec - secs : 0;
    if (lo < stat_hist_oldest(last))
        lo = stat_hist_oldest(last);
    if (hi > last)
        hi = last;
    if (lo > hi)
        return 0;
    uint32_t acc = 0;
    uint64_t sum = 0;
    for (uint32_t t = last;; t--) {
        acc += d[RING(t)];
        if (t <= hi)
            sum += acc;
        if (t == lo)
            break;
    }
    return sum << shift;
}

void stat_hist_series(const uint32_t *d, uint32_t last, uint8_t shift, uint32_t now_sec,
                      uint32_t secs, uint64_t *out)
{
    if (secs > STAT_HIST)
        secs = STAT_HIST;
    uint64_t v[STAT_HIST];
    uint32_t n = stat_hist_decode(d, last, v);
    for (uint32_t i = 0; i < secs; i++) {
        uint32_t back = secs - i; /* second now_sec - back */
        out[i] = 0;
        if (now_sec < back)
            continue;
        uint32_t s = now_sec - back;
        if (s <= last && last - s < n)
            out[i] = v[last - s] << shift;
    }
}
