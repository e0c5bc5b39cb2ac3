/*
 * benchstat.h: what the timing programs of bench/ share: a clock in
 * microseconds, and the percentiles and medians of their samples.
 */
#ifndef EAF_BENCHSTAT_H
#define EAF_BENCHSTAT_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now_us(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The p-th percentile (0..100) of sorted v[0..n), nearest rank; 0 when
 * there is none. */
static inline double bench_percentile(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p / 100.0 * (double)n + 0.999999);

    if (n == 0)
        return 0;
    if (i < 1)
        i = 1;
    if (i > n)
        i = n;
    return v[i - 1];
}

/* The median of v[0..n), which it sorts; 0 when empty. */
static inline double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), bench_cmp_double);
    return n ? v[n / 2] : 0;
}

#endif
