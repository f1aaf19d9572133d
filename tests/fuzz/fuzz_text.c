/*
 * fuzz_text.c - libFuzzer target for the two text gates of the screen: the sanitizer every
 * network string passes before it reaches the terminal, and the filter expression parser
 * (./configure CC=clang --enable-fuzzing; run tests/fuzz/fuzz_text [corpus dir]).
 *
 * The sanitizer's promises are checked, not just exercised: no control byte, no ESC, and
 * (ASCII mode) nothing above 0x7e ever comes out. A compiled filter is matched against a
 * conversation key made from the input, so evaluation is fuzzed too.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/filter.h"
#include "flowdrill/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_clean(const char *s, bool utf8)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            abort();
        if (!utf8 && *p > 0x7e)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[512];
    sanitize_text(out, sizeof out, data, size, false);
    check_clean(out, false);
    sanitize_text(out, sizeof out, data, size, true);
    check_clean(out, true);
    sanitize_text(out, 1 + (size % 17), data, size, true); /* tiny buffers cut sequences */
    check_clean(out, true);

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    sanitize_hostname(out, sizeof out, text);
    for (const char *p = out; *p; p++)
        if (!(*p == '-' || *p == '.' || *p == '_' || *p == '?' || (*p >= '0' && *p <= '9') ||
              (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            abort();

    struct filter *f = NULL;
    char err[256];
    unsigned col = 0;
    if (filter_compile(text, &f, err, sizeof err, &col) == 0) {
        struct flow_key k;
        memset(&k, 0, sizeof k);
        memcpy(&k, data, size < sizeof k ? size : sizeof k);
        k.af = (size & 1) ? FLOW_AF_INET : FLOW_AF_INET6;
        (void)filter_match(f, &k);
        filter_free(f);
    } else {
        check_clean(err, false);
        if (col > size + 1)
            abort(); /* the column points into the text (or just past it) */
    }
    free(text);
    return 0;
}
