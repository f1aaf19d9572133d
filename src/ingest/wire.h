/*
 * wire.h - the bounds-checked reader every wire parser goes through.
 *
 * A `struct wire` is a cursor over borrowed bytes: `p` points at the next unread byte and
 * `left` says how many remain. Every read checks `left` first and fails (returns false,
 * cursor unchanged) instead of reading past the end. Multi-byte integers are network order
 * (big-endian) unless the name says `_le`. Nothing here allocates; the bytes are borrowed
 * and must outlive the cursor. Depends on nothing but the C library.
 */
#ifndef FLOWDRILL_WIRE_H
#define FLOWDRILL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wire {
    const uint8_t *p; /* next unread byte (borrowed) */
    size_t left;      /* bytes remaining from p */
};

static inline void wire_init(struct wire *w, const void *buf, size_t len)
{
    w->p = (const uint8_t *)buf;
    w->left = buf ? len : 0;
}

static inline bool wire_has(const struct wire *w, size_t n)
{
    return w->left >= n;
}

static inline bool wire_skip(struct wire *w, size_t n)
{
    if (w->left < n)
        return false;
    w->p += n;
    w->left -= n;
    return true;
}

/* Big-endian integers at p, no bounds (the cursor readers below, and callers that checked
 * the length of a whole record already). */
static inline uint16_t wire_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t wire_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline bool wire_u8(struct wire *w, uint8_t *v)
{
    if (w->left < 1)
        return false;
    *v = w->p[0];
    w->p += 1;
    w->left -= 1;
    return true;
}

static inline bool wire_u16(struct wire *w, uint16_t *v)
{
    if (w->left < 2)
        return false;
    *v = wire_be16(w->p);
    w->p += 2;
    w->left -= 2;
    return true;
}

static inline bool wire_u16_le(struct wire *w, uint16_t *v)
{
    if (w->left < 2)
        return false;
    *v = (uint16_t)((uint16_t)w->p[1] << 8 | w->p[0]);
    w->p += 2;
    w->left -= 2;
    return true;
}

static inline bool wire_u32(struct wire *w, uint32_t *v)
{
    if (w->left < 4)
        return false;
    *v = wire_be32(w->p);
    w->p += 4;
    w->left -= 4;
    return true;
}

static inline bool wire_u32_le(struct wire *w, uint32_t *v)
{
    if (w->left < 4)
        return false;
    *v = (uint32_t)w->p[3] << 24 | (uint32_t)w->p[2] << 16 | (uint32_t)w->p[1] << 8 | w->p[0];
    w->p += 4;
    w->left -= 4;
    return true;
}

static inline bool wire_u64(struct wire *w, uint64_t *v)
{
    uint32_t hi, lo;
    if (w->left < 8)
        return false;
    wire_u32(w, &hi);
    wire_u32(w, &lo);
    *v = (uint64_t)hi << 32 | lo;
    return true;
}

/* Read an unsigned big-endian integer of 1..8 bytes (NetFlow v9/IPFIX reduced-size encoding).
 * Fails for n == 0 or n > 8 without moving the cursor. */
static inline bool wire_uint_n(struct wire *w, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    if (n == 0 || n > 8 || w->left < n)
        return false;
    for (size_t i = 0; i < n; i++)
        x = x << 8 | w->p[i];
    w->p += n;
    w->left -= n;
    *v = x;
    return true;
}

/* Copy n bytes out. */
static inline bool wire_bytes(struct wire *w, void *dst, size_t n)
{
    if (w->left < n)
        return false;
    memcpy(dst, w->p, n);
    w->p += n;
    w->left -= n;
    return true;
}

/* Split off the next n bytes as their own cursor `sub` and advance past them. */
static inline bool wire_sub(struct wire *w, size_t n, struct wire *sub)
{
    if (w->left < n)
        return false;
    sub->p = w->p;
    sub->left = n;
    w->p += n;
    w->left -= n;
    return true;
}

/* Look at the byte `off` ahead without consuming; false if it is not there. */
static inline bool wire_peek_u8(const struct wire *w, size_t off, uint8_t *v)
{
    if (w->left <= off)
        return false;
    *v = w->p[off];
    return true;
}

static inline bool wire_peek_u16(const struct wire *w, size_t off, uint16_t *v)
{
    if (w->left < 2 || w->left - 2 < off)
        return false;
    *v = (uint16_t)((uint16_t)w->p[off] << 8 | w->p[off + 1]);
    return true;
}

#endif
