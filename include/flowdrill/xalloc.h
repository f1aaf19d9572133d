/*
 * xalloc.h - allocation that never returns NULL: out of memory prints one line and aborts.
 * Tables are capped, so running out of memory means the caps are wrong for the machine;
 * continuing with half-built state would be worse.
 */
#ifndef FLOWDRILL_XALLOC_H
#define FLOWDRILL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* For the big per-packet tables: cache-line aligned, and from 2 MiB up asked to be backed by
 * transparent huge pages (fewer TLB misses on random access; the kernel may decline).
 * Zeroed when `zero`. Free with free(). */
void *xalloc_table(size_t n, int zero);

/* Reserve `n` bytes of zeroed address space for a table that fills up over time: pages cost
 * memory only once touched, so a table is sized for its cap without paying for it, and its
 * entries never move. Huge pages are asked for as above. Release with xfree_reserve(p, n). */
void *xalloc_reserve(size_t n);
void xfree_reserve(void *p, size_t n);

/* The same for many regions that fill side by side (write streams): in small pages only, so
 * memory is taken as each region fills; a huge page would take 2 MiB at every region's start
 * at once. Release with xfree_reserve. */
void *xalloc_reserve_streams(size_t n);

#endif
