/*
 * xalloc.c - the one place that handles allocation failure.
 */
#include "config.h"

#include "flowdrill/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void xalloc_die(size_t n)
{
    fprintf(stderr, "flowdrill: out of memory allocating %zu bytes; lower --max-flows\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        xalloc_die(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        xalloc_die(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        xalloc_die(n);
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

void *xalloc_table(size_t n, int zero)
{
    const size_t huge = (size_t)2 << 20;
    size_t align = n >= huge ? huge : 64;
    void *p = NULL;
    if (posix_memalign(&p, align, n ? n : 64) != 0 || !p)
        xalloc_die(n);
    if (n >= huge)
        madvise(p, n, MADV_HUGEPAGE); /* a hint: without THP this changes nothing */
    if (zero)
        memset(p, 0, n);
    return p;
}

static void *xalloc_map(size_t n, int advice)
{
    if (!n)
        n = 1;
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        xalloc_die(n);
    if (n >= ((size_t)2 << 20))
        madvise(p, n, advice); /* a hint: it may fail without THP, changing nothing */
    return p;
}

void *xalloc_reserve(size_t n)
{
    return xalloc_map(n, MADV_HUGEPAGE);
}

void *xalloc_reserve_streams(size_t n)
{
    return xalloc_map(n, MADV_NOHUGEPAGE);
}

void xfree_reserve(void *p, size_t n)
{
    if (p)
        munmap(p, n ? n : 1);
}
