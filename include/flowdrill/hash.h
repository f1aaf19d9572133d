/*
 * hash.h - small, fast, seeded hashing for the hot tables.
 *
 * The seed comes from the process's random source at start (see agg_new), so an attacker who
 * chooses addresses and ports cannot aim every key at one bucket. Header-only; no state.
 */
#ifndef FLOWDRILL_HASH_H
#define FLOWDRILL_HASH_H

#include <stdint.h>
#include <string.h>

static inline uint64_t hash_mix64(uint64_t x)
{
    /* the splitmix64 finalizer: every input bit affects every output bit */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static inline uint64_t hash_load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Equal keys of `len` bytes, a multiple of 8 (a constant where it is called, so that the loop
 * unrolls into a few 64-bit compares and no call). */
static inline int hash_key_eq(const void *x, const void *y, size_t len)
{
    const uint8_t *a = (const uint8_t *)x, *b = (const uint8_t *)y;
    uint64_t d = 0;
    for (size_t i = 0; i < len; i += 8)
        d |= hash_load64(a + i) ^ hash_load64(b + i);
    return d == 0;
}

/* Hash `len` bytes with `seed`. Fine for keys of a few dozen bytes. */
static inline uint64_t hash_bytes(const void *key, size_t len, uint64_t seed)
{
    const uint8_t *p = (const uint8_t *)key;
    uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
    while (len >= 8) {
        h = hash_mix64(h ^ hash_load64(p));
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t t = 0;
        memcpy(&t, p, len);
        h = hash_mix64(h ^ t ^ 0x5555555555555555ULL);
    }
    return h;
}

#endif
