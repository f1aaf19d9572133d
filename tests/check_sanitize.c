/*
 * check_sanitize.c - the terminal gate: every class of forbidden byte or code point, truncation
 * without splitting UTF-8, embedded NULs, and random bytes checked by an independent validator.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/sanitize.h"

#include "checkrun.h"

static char out[512];

/* Sanitize a string literal (its length taken with sizeof, so embedded NULs count). */
#define TEXT(lit, utf8) sanitize_text(out, sizeof out, lit, sizeof lit - 1, utf8)

#define EXPECT(lit, utf8, want)                                                                    \
    do {                                                                                           \
        size_t n_ = TEXT(lit, utf8);                                                               \
        ck_assert_str_eq(out, want);                                                               \
        ck_assert_uint_eq(n_, strlen(want));                                                       \
    } while (0)

START_TEST(test_printable_ascii)
{
    char all[96];
    for (int i = 0; i < 95; i++)
        all[i] = (char)(0x20 + i);
    all[95] = '\0';
    for (int utf8 = 0; utf8 < 2; utf8++) {
        ck_assert_uint_eq(sanitize_text(out, sizeof out, all, 95, utf8), 95);
        ck_assert_str_eq(out, all);
    }
    EXPECT("%n%s%x", false, "%n%s%x"); /* shown literally, never a format */
}
END_TEST

START_TEST(test_c0_and_del)
{
    for (int utf8 = 0; utf8 < 2; utf8++) {
        for (int c = 0; c < 0x20; c++) {
            char in[3] = {'a', (char)c, 'b'};
            ck_assert_uint_eq(sanitize_text(out, sizeof out, in, 3, utf8), 3);
            ck_assert_str_eq(out, "a?b");
        }
        EXPECT("a\x7fz", utf8, "a?z");
    }
}
END_TEST

START_TEST(test_escape_sequences)
{
    for (int utf8 = 0; utf8 < 2; utf8++) {
        EXPECT("\x1b[2J", utf8, "?[2J");                                    /* clear screen */
        EXPECT("\x1b]52;c;aGVsbG8=\x07", utf8, "?]52;c;aGVsbG8=?");         /* OSC 52 clipboard */
        EXPECT("\x1b]8;;http://x\x1b\\link", utf8, "?]8;;http://x?\\link"); /* OSC 8 */
        EXPECT("\x1b[6n", utf8, "?[6n");            /* cursor position report */
        EXPECT("\x1bP1$r\x1b\\", utf8, "?P1$r?\\"); /* DCS */
    }
}
END_TEST

START_TEST(test_c1)
{
    /* raw 8-bit C1 (0x9b is CSI: "\x9bK" erases the line): a stray continuation byte in UTF-8,
     * non-ASCII otherwise */
    EXPECT("a\x9bK", false, "a?K");
    EXPECT("a\x9bK", true, "a?K");
    EXPECT("\x80\x85\x9f", true, "???");
    /* UTF-8 encoded C1 (U+0080, U+0085 NEL, U+009B CSI, U+009F): one '?' per code point */
    EXPECT("a\xc2\x9bK", true, "a?K");
    EXPECT("\xc2\x80\xc2\x85\xc2\x9f", true, "???");
    EXPECT("a\xc2\x9bK", false, "a??K");
    /* U+00A0 is the first code point after C1 and is allowed */
    EXPECT("\xc2\xa0", true, "\xc2\xa0");
}
END_TEST

START_TEST(test_invalid_utf8)
{
    EXPECT("\xc0\xaf", true, "??");           /* overlong '/' */
    EXPECT("\xc1\xbf", true, "??");           /* overlong */
    EXPECT("\xe0\x80\xaf", true, "???");      /* overlong, 3 bytes */
    EXPECT("\xf0\x80\x80\xaf", true, "????"); /* overlong, 4 bytes */
    EXPECT("\xed\xa0\x80", true, "???");      /* surrogate U+D800 */
    EXPECT("\xed\xbf\xbf", true, "???");      /* surrogate U+DFFF */
    EXPECT("\xf4\x90\x80\x80", true, "????"); /* U+110000 */
    EXPECT("\xf5\x80\x80\x80", true, "????"); /* F5 never starts a sequence */
    EXPECT("\xfe\xff", true, "??");
    EXPECT("a\xe6\x97z", true, "a??z");        /* truncated in the middle */
    EXPECT("a\xe6\x97", true, "a??");          /* truncated at the end */
    EXPECT("\xe6\x1b[", true, "??[");          /* a lead byte cannot swallow ESC */
    EXPECT("\xc3\xc3\xa9", true, "?\xc3\xa9"); /* resynchronizes on the next lead */
    /* the edges of each lead byte's range are still accepted */
    EXPECT("\xed\x9f\xbf", true, "\xed\x9f\xbf");         /* U+D7FF */
    EXPECT("\xee\x80\x80", true, "\xee\x80\x80");         /* U+E000 */
    EXPECT("\xf4\x8f\xbf\xbd", true, "\xf4\x8f\xbf\xbd"); /* U+10FFFD */
    EXPECT("\xf0\x90\x80\x80", true, "\xf0\x90\x80\x80"); /* U+10000 */
}
END_TEST

START_TEST(test_bidi_and_format)
{
    EXPECT("abc\xe2\x80\xaetxt.exe", true, "abc?txt.exe"); /* U+202E RLO */
    EXPECT("\xe2\x80\x8b", true, "?");                     /* U+200B */
    EXPECT("\xe2\x80\x8e\xe2\x80\x8f", true, "??");        /* LRM RLM */
    EXPECT("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", true, "????");
    EXPECT("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", true, "????"); /* isolates */
    EXPECT("\xef\xbb\xbfx", true, "?x");                                      /* U+FEFF */
    EXPECT("\xe2\x80\xa8", true, "?");     /* U+2028 line separator */
    EXPECT("\xd8\x9c", true, "?");         /* U+061C */
    EXPECT("\xf3\xa0\x80\x81", true, "?"); /* U+E0001 language tag */
    EXPECT("\xe2\x80\xae", false, "???");  /* ASCII mode: per byte */
}
END_TEST

START_TEST(test_valid_utf8)
{
    EXPECT("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", true,
           "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
    EXPECT("caf\xc3\xa9", false, "caf??");
    EXPECT("\xe2\x80\x90", true, "\xe2\x80\x90"); /* U+2010 hyphen, next to the bidi block */
}
END_TEST

START_TEST(test_truncation)
{
    char small[8];
    const char in[] = "ab\xe6\x97\xa5xy"; /* a, b, U+65E5 (3 bytes), x, y */
    /* room for 5 bytes + NUL: the whole 3-byte sequence fits */
    ck_assert_uint_eq(sanitize_text(small, 6, in, sizeof in - 1, true), 5);
    ck_assert_str_eq(small, "ab\xe6\x97\xa5");
    /* room for 2, 3 or 4 bytes: the sequence does not fit and is not split */
    for (size_t len = 3; len <= 5; len++) {
        memset(small, 'X', sizeof small);
        ck_assert_uint_eq(sanitize_text(small, len, in, sizeof in - 1, true), 2);
        ck_assert_str_eq(small, "ab");
    }
    /* the same bytes in ASCII mode become one '?' each and fill the space */
    ck_assert_uint_eq(sanitize_text(small, 4, in, sizeof in - 1, false), 3);
    ck_assert_str_eq(small, "ab?");
    /* dstlen 1 gives an empty string; dstlen 0 writes nothing */
    small[0] = 'X';
    ck_assert_uint_eq(sanitize_text(small, 1, in, sizeof in - 1, true), 0);
    ck_assert_str_eq(small, "");
    small[0] = 'X';
    ck_assert_uint_eq(sanitize_text(small, 0, in, sizeof in - 1, true), 0);
    ck_assert_int_eq(small[0], 'X');
    /* a 4-byte sequence with room for 3 */
    ck_assert_uint_eq(sanitize_text(small, 4, "\xf0\x9f\x98\x80", 4, true), 0);
    ck_assert_str_eq(small, "");
    /* empty and NULL input */
    ck_assert_uint_eq(sanitize_text(small, sizeof small, NULL, 0, true), 0);
    ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(test_embedded_nul)
{
    for (int utf8 = 0; utf8 < 2; utf8++) {
        EXPECT("a\0b\0", utf8, "a?b?");
        EXPECT("\0\0\0", utf8, "???");
    }
}
END_TEST

/* An independent check of the output: no C0, DEL or (ASCII mode) high byte; in UTF-8 mode
 * well-formed (decoded the long way) with no C1, bidi or format code point. */
static int decode_strict(const uint8_t *s, size_t n, uint32_t *cp)
{
    int len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
    uint32_t v = len == 1 ? s[0] : s[0] & (0x7f >> len);
    if ((len == 1 && s[0] >= 0x80) || s[0] >= 0xf8)
        return 0;
    if ((size_t)len > n)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

static int forbidden_cp(uint32_t v)
{
    return v < 0x20 || (v >= 0x7f && v <= 0x9f) || (v >= 0x200b && v <= 0x200f) ||
           (v >= 0x202a && v <= 0x202e) || (v >= 0x2066 && v <= 0x2069) || v == 0xfeff;
}

/* NULL when the output is safe, else what is wrong. Plain code rather than ck_assert: each
 * passing Check assertion costs a write to the test runner, too slow for millions of bytes. */
static const char *check_output(const char *o, size_t n, int utf8)
{
    const uint8_t *s = (const uint8_t *)o;
    if (strlen(o) != n)
        return "length differs from the return value";
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x20 || s[i] == 0x7f)
            return "control byte";
        if (!utf8) {
            if (s[i] >= 0x80)
                return "high byte in ASCII mode";
            i++;
            continue;
        }
        uint32_t cp = 0;
        int len = decode_strict(s + i, n - i, &cp);
        if (len == 0)
            return "ill-formed UTF-8";
        if (forbidden_cp(cp))
            return "C1, bidi or format code point";
        i += (size_t)len;
    }
    return NULL;
}

START_TEST(test_random_bytes)
{
    uint8_t in[300];
    char o[128];
    uint32_t x = 0x2545f491u;
    size_t kept_multibyte = 0;
    static const uint8_t interesting[] = {0x00, 0x1b, 0x9b, 0xc2, 0xe2, 0x80, 0xed, 0xf4, 0xef};
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)(iter % 300);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            /* bias towards the interesting bytes: controls, ESC, lead and continuation */
            uint8_t b = (uint8_t)x;
            if ((x >> 8) % 4 == 0)
                b = interesting[(x >> 12) % sizeof interesting];
            in[i] = b;
        }
        int utf8 = iter & 1;
        size_t dl = 1 + (size_t)((x >> 20) % sizeof o);
        size_t w = sanitize_text(o, dl, in, n, utf8);
        const char *bad = w < dl ? check_output(o, w, utf8) : "overflow";
        if (bad)
            ck_abort_msg("iteration %d (utf8=%d): %s", iter, utf8, bad);
        for (size_t i = 0; utf8 && i < w; i++)
            kept_multibyte += (uint8_t)o[i] >= 0x80;
    }
    ck_assert_uint_gt(kept_multibyte, 0); /* the valid-UTF-8 path was exercised too */
}
END_TEST

START_TEST(test_hostname)
{
    char h[16];
    ck_assert_uint_eq(sanitize_hostname(out, sizeof out, "www-1.Example_x.COM"), 19);
    ck_assert_str_eq(out, "www-1.Example_x.COM");
    sanitize_hostname(out, sizeof out, "\x1b[31mevil\x07.example");
    ck_assert_str_eq(out, "??31mevil?.example");
    sanitize_hostname(out, sizeof out, "a b/c:d%n\x7f");
    ck_assert_str_eq(out, "a?b?c?d?n?");
    sanitize_hostname(out, sizeof out, "caf\xc3\xa9.example");
    ck_assert_str_eq(out, "caf??.example");
    ck_assert_uint_eq(sanitize_hostname(h, sizeof h, "abcdefghijklmnopqrstuvwxyz"), 15);
    ck_assert_str_eq(h, "abcdefghijklmno");
    ck_assert_uint_eq(sanitize_hostname(h, sizeof h, ""), 0);
    ck_assert_str_eq(h, "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sanitize");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, test_printable_ascii);
    tcase_add_test(tc, test_c0_and_del);
    tcase_add_test(tc, test_escape_sequences);
    tcase_add_test(tc, test_c1);
    tcase_add_test(tc, test_invalid_utf8);
    tcase_add_test(tc, test_bidi_and_format);
    tcase_add_test(tc, test_valid_utf8);
    tcase_add_test(tc, test_truncation);
    tcase_add_test(tc, test_embedded_nul);
    tcase_add_test(tc, test_random_bytes);
    suite_add_tcase(s, tc);
    TCase *th = tcase_create("hostname");
    tcase_add_test(th, test_hostname);
    suite_add_tcase(s, th);
    return check_run(s);
}
