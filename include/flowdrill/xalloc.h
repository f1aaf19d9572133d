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

#endif
