/*
 * sanitize.c - strings from the network made safe for the terminal (see sanitize.h).
 */
#include "config.h"

#include "flowdrill/sanitize.h"

#include <stdint.h>
#include <string.h>

/* Well-formed code points that still must not reach a terminal: invisible format and bidi
 * controls (they reorder or hide text), line separators, noncharacters and tag characters. */
static const struct {
    uint32_t lo, hi;
} sanitize_forbidden[] = {
    {0x061c, 0x061c},   /* ARABIC LETTER MARK */
    {0x200b, 0x200f},   /* zero-width space/joiners, LRM, RLM */
    {0x2028, 0x202e},   /* line/paragraph separator, LRE RLE PDF LRO RLO */
    {0x2060, 0x206f},   /* word joiner, invisible operators, LRI RLI FSI PDI, deprecated */
    {0xfeff, 0xfeff},   /* BOM / zero-width no-break space */
    {0xfff9, 0xfffb},   /* interlinear annotation */
    {0xfffe, 0xffff},   /* noncharacters */
    {0xe0000, 0xe007f}, /* tags */
};

static bool sanitize_cp_allowed(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
        return false; /* C0, DEL, C1 */
    for (size_t i = 0; i < sizeof sanitize_forbidden / sizeof sanitize_forbidden[0]; i++)
        if (cp >= sanitize_forbidden[i].lo && cp <= sanitize_forbidden[i].hi)
            return false;
    return true;
}

/*
 * Length of the well-formed UTF-8 sequence at s (n bytes available), storing its code point,
 * or 0 when s[0] does not start one. The second-byte ranges are those of Unicode's table 3-7:
 * they exclude overlong forms, surrogates and anything above U+10FFFF.
 */
static size_t sanitize_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t b = s[0], lo = 0x80, hi = 0xbf;
    size_t len;
    uint32_t v;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xc2 && b <= 0xdf) {
        len = 2;
        v = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        v = b & 0x0f;
        lo = b == 0xe0 ? 0xa0 : 0x80;
        hi = b == 0xed ? 0x9f : 0xbf;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        v = b & 0x07;
        lo = b == 0xf0 ? 0x90 : 0x80;
        hi = b == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0; /* continuation byte, C0/C1 (always overlong) or F5-FF */
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (i > 1 && (s[i] < 0x80 || s[i] > 0xbf))
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    *cp = v;
    return len;
}

/* How many bytes at s form the next unit, and whether that unit may be copied as it is. */
static size_t sanitize_next(const uint8_t *s, size_t n, bool utf8, bool *ok)
{
    uint32_t cp;
    size_t len;
    if (s[0] < 0x80 || !utf8) {
        *ok = s[0] >= 0x20 && s[0] < 0x7f;
        return 1;
    }
    len = sanitize_utf8_decode(s, n, &cp);
    if (len == 0) {
        *ok = false; /* one '?' per byte of an ill-formed sequence */
        return 1;
    }
    *ok = sanitize_cp_allowed(cp);
    return len;
}

size_t sanitize_text(char *dst, size_t dstlen, const void *src, size_t srclen, bool utf8)
{
    const uint8_t *s = src;
    size_t o = 0, i = 0;
    if (dstlen == 0)
        return 0;
    while (i < srclen) {
        bool ok;
        size_t n = sanitize_next(s + i, srclen - i, utf8, &ok);
        size_t w = ok ? n : 1;
        if (w > dstlen - 1 - o)
            break; /* never split a sequence: stop before the first that does not fit */
        if (ok)
            memcpy(dst + o, s + i, n);
        else
            dst[o] = '?';
        o += w;
        i += n;
    }
    dst[o] = '\0';
    return o;
}

static bool sanitize_host_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

size_t sanitize_hostname(char *dst, size_t dstlen, const char *src)
{
    size_t o = 0;
    if (dstlen == 0)
        return 0;
    for (; src[o] && o < dstlen - 1; o++)
        dst[o] = sanitize_host_char((unsigned char)src[o]) ? src[o] : '?';
    dst[o] = '\0';
    return o;
}
