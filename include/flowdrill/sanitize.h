/*
 * sanitize.h - the one gate between strings from the network and the terminal (guarantee G4).
 *
 * Every string that came from outside (reverse-DNS names, IPFIX strings, interface names)
 * passes through here before any output path, curses or plain text. Nothing that a terminal
 * could act on survives: C0 controls (0x00-0x1f), DEL, C1 controls (U+0080-U+009F, raw 8-bit
 * or UTF-8 encoded), ill-formed UTF-8 (stray continuation bytes, truncated, overlong,
 * surrogates, above U+10FFFF) and invisible format / bidi controls (U+061C, U+200B-U+200F,
 * U+2028-U+202E, U+2060-U+206F, U+FEFF, U+FFF9-U+FFFB, U+FFFE-U+FFFF, tags U+E0000-U+E007F).
 * Each becomes one '?': one per bad byte, or one per well-formed but forbidden code point.
 * An escape sequence loses its ESC (and BEL/ST terminators), so what is left ("?[2J") is plain
 * text. Display width (wide or combining characters) is not handled here.
 * Depends on nothing but the C library; no locale is consulted.
 */
#ifndef FLOWDRILL_SANITIZE_H
#define FLOWDRILL_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Copy `srclen` bytes of `src` (may contain NULs; may be NULL when srclen is 0) into `dst`.
 * With `utf8` false only printable ASCII (0x20-0x7e) survives, every other byte becomes '?';
 * with `utf8` true well-formed, printable UTF-8 survives as well. `dst` is always
 * NUL-terminated when dstlen > 0 (nothing is written when dstlen is 0); output stops before
 * the first character that does not fit, so a UTF-8 sequence is never split. Returns the
 * bytes written, not counting the NUL.
 */
size_t sanitize_text(char *dst, size_t dstlen, const void *src, size_t srclen, bool utf8);

/*
 * For DNS names: copy the NUL-terminated `src` into `dst`, keeping only ASCII letters, digits,
 * '-', '.' and '_'; every other byte becomes '?'. Same termination and return value as
 * sanitize_text.
 */
size_t sanitize_hostname(char *dst, size_t dstlen, const char *src);

#endif
