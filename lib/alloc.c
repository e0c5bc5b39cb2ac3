/*
 * alloc.c: the single allocation point of the library.
 *
 * Tests make the Nth allocation fail to check that every failure path
 * returns EAF_NOMEM cleanly and leaks nothing.  The counters are only
 * touched when a test arms them; they are not meant for threaded use.
 * Tests also count the blocks alive (allocated and not yet freed), so
 * that a leak fails a test in any build, not only under a leak checker;
 * that count is kept with atomic operations, threads may allocate while
 * it is on.
 */
#include "eaf-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long fail_at;     /* 0: off */
static unsigned long alloc_count;
static int fail_sticky;
static int tracking;              /* count live blocks (eaf__alloc_track) */
static long live;

#define LIVE_ADD(d) ((void)__atomic_add_fetch(&live, (d), __ATOMIC_RELAXED))

void eaf__alloc_track(int on)
{
    tracking = on;
    __atomic_store_n(&live, 0, __ATOMIC_RELAXED);
}

long eaf__alloc_live(void)
{
    return __atomic_load_n(&live, __ATOMIC_RELAXED);
}

static int should_fail(void)
{
    if (fail_at == 0)
        return 0;
    alloc_count++;
    if (alloc_count == fail_at)
        return 1;
    return fail_sticky && alloc_count > fail_at;
}

unsigned long eaf__alloc_fail_at(unsigned long n, int sticky)
{
    unsigned long counted = alloc_count;
    fail_at = n;
    fail_sticky = sticky;
    alloc_count = 0;
    return counted;
}

void *eaf__malloc(size_t n)
{
    void *p;

    if (should_fail())
        return NULL;
    p = malloc(n ? n : 1);
    if (p && tracking)
        LIVE_ADD(1);
    return p;
}

void *eaf__calloc(size_t count, size_t size)
{
    void *p;

    if (should_fail())
        return NULL;
    p = calloc(count ? count : 1, size ? size : 1);
    if (p && tracking)
        LIVE_ADD(1);
    return p;
}

void *eaf__realloc(void *p, size_t n)
{
    void *q;

    if (should_fail())
        return NULL;
    q = realloc(p, n ? n : 1);
    if (q && !p && tracking)
        LIVE_ADD(1);
    return q;
}

void eaf__free(void *p)
{
    if (p && tracking)
        LIVE_ADD(-1);
    free(p);
}

char *eaf__strndup(const char *s, size_t n)
{
    char *r = eaf__malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

char *eaf__strdup(const char *s)
{
    return eaf__strndup(s, strlen(s));
}

char *eaf__vprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    char *r;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    r = eaf__malloc((size_t)n + 1);
    if (r)
        vsnprintf(r, (size_t)n + 1, fmt, ap);
    return r;
}

char *eaf__printf(const char *fmt, ...)
{
    va_list ap;
    char *r;

    va_start(ap, fmt);
    r = eaf__vprintf(fmt, ap);
    va_end(ap);
    return r;
}
