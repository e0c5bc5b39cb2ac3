/*
 * latency.c: search latency measured inside the process, through the API.
 *
 *   bench/latency [-r RUNS] [-k K] [-s] [-c] [-a] [-o TIMES.tsv] DB QUERIES.tsv
 *
 * Runs every query of QUERIES.tsv (QID<TAB>QUERY[<TAB>...] lines) RUNS
 * times (default 3) against the index DB: eaf_search_new(), then
 * eaf_search_next() up to K hits (default 10) reading each hit's key, and
 * with -s its snippet.  The time of each query is from before
 * eaf_search_new() to after the last hit.  For each run the percentiles
 * are taken over all the queries; the figures printed (one JSON line)
 * are the medians over the runs.  -o writes each query's time in the last
 * run (microseconds<TAB>hits<TAB>query), to find the slow ones.  -c times
 * with the thread's CPU clock instead of the wall clock: on a shared
 * machine a query's wall time includes the slices the scheduler gave to
 * other processes (10 ms and more when they keep the cores busy), which
 * swamps a tail percentile; its CPU time does not.  -a searches with
 * EAF_SEARCH_NO_ALIASES (a country's other forms not searched), to tell
 * their cost from the rest.
 */
#include "eafsearch.h"
#include "benchstat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static clockid_t clock_id = CLOCK_MONOTONIC;

int main(int argc, char **argv)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_db *db;
    char *err = NULL, line[4096], **queries = NULL;
    const char *times_path = NULL;
    size_t nq = 0, cap = 0, i;
    int runs = 3, k = 10, snippets = 0, opt, r, errors = 0;
    double *t, *last, *p50, *p95, *p99, *mean, hits = 0;
    int *nhits;
    FILE *f;

    while ((opt = getopt(argc, argv, "r:k:scao:")) != -1) {
        switch (opt) {
        case 'r':
            runs = atoi(optarg);
            break;
        case 'k':
            k = atoi(optarg);
            break;
        case 's':
            snippets = 1;
            break;
        case 'c':
            clock_id = CLOCK_THREAD_CPUTIME_ID;
            break;
        case 'a':
            so.flags |= EAF_SEARCH_NO_ALIASES;
            break;
        case 'o':
            times_path = optarg;
            break;
        default:
            runs = 0;
        }
    }
    if (runs < 1 || k < 1 || argc - optind != 2) {
        fprintf(stderr, "usage: latency [-r RUNS] [-k K] [-s] [-c] [-a] [-o TIMES.tsv] DB "
                        "QUERIES.tsv\n");
        return 2;
    }
    f = fopen(argv[optind + 1], "r");
    if (!f) {
        perror(argv[optind + 1]);
        return 1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *q = strchr(line, '\t'), *end;

        q = q ? q + 1 : line;
        end = q + strcspn(q, "\t\r\n");
        *end = '\0';
        if (nq == cap) {
            cap = cap ? cap * 2 : 256;
            queries = realloc(queries, cap * sizeof(*queries));
            if (!queries)
                return 1;
        }
        queries[nq] = strdup(q);
        if (!queries[nq++])
            return 1;
    }
    fclose(f);
    if (nq == 0) {
        fprintf(stderr, "latency: no queries in %s\n", argv[optind + 1]);
        return 1;
    }
    oo.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, argv[optind], &oo, &err) != EAF_OK) {
        fprintf(stderr, "latency: %s\n", err);
        eaf_free(err);
        return 1;
    }
    so.limit = (size_t)k;
    t = calloc(nq, sizeof(*t));
    last = calloc(nq, sizeof(*last));
    nhits = calloc(nq, sizeof(*nhits));
    p50 = calloc((size_t)runs, sizeof(*p50));
    p95 = calloc((size_t)runs, sizeof(*p95));
    p99 = calloc((size_t)runs, sizeof(*p99));
    mean = calloc((size_t)runs, sizeof(*mean));
    if (!t || !last || !nhits || !p50 || !p95 || !p99 || !mean)
        return 1;
    for (r = 0; r < runs; r++) {
        double sum = 0;

        hits = 0;
        for (i = 0; i < nq; i++) {
            eaf_search *s = NULL;
            eaf_status st;
            double t0 = bench_now_us(clock_id);

            nhits[i] = 0;
            if (eaf_search_new(&s, db, queries[i], &so) == EAF_OK) {
                while ((st = eaf_search_next(s)) == EAF_ROW) {
                    hits++;
                    nhits[i]++;
                    if (!eaf_search_field(s, EAF_FIELD_KEY) ||
                        (snippets && !eaf_search_snippet(s)))
                        errors++;
                }
                if (st != EAF_DONE)
                    errors++;
            } else {
                errors++;
            }
            eaf_search_free(s);
            t[i] = last[i] = bench_now_us(clock_id) - t0;
            sum += t[i];
        }
        qsort(t, nq, sizeof(*t), bench_cmp_double);
        p50[r] = bench_percentile(t, nq, 50);
        p95[r] = bench_percentile(t, nq, 95);
        p99[r] = bench_percentile(t, nq, 99);
        mean[r] = sum / (double)nq;
    }
    printf("{\"queries\": %zu, \"k\": %d, \"snippets\": %s, \"clock\": \"%s\", %s\"runs\": %d, "
           "\"p50_us\": %.0f, \"p95_us\": %.0f, \"p99_us\": %.0f, \"mean_us\": %.0f, "
           "\"mean_hits\": %.1f, \"errors\": %d}\n",
           nq, k, snippets ? "true" : "false",
           clock_id == CLOCK_MONOTONIC ? "wall" : "cpu",
           (so.flags & EAF_SEARCH_NO_ALIASES) ? "\"aliases\": false, " : "", runs,
           bench_median(p50, (size_t)runs),
           bench_median(p95, (size_t)runs), bench_median(p99, (size_t)runs), bench_median(mean, (size_t)runs),
           hits / (double)nq, errors);
    eaf_db_close(db);
    if (times_path) {
        f = fopen(times_path, "w");
        if (!f) {
            perror(times_path);
            return 1;
        }
        for (i = 0; i < nq; i++)
            fprintf(f, "%.0f\t%d\t%s\n", last[i], nhits[i], queries[i]);
        if (fclose(f) != 0) {
            perror(times_path);
            return 1;
        }
    }
    for (i = 0; i < nq; i++)
        free(queries[i]);
    free(queries);
    free(t);
    free(last);
    free(nhits);
    free(p50);
    free(p95);
    free(p99);
    free(mean);
    return errors ? 1 : 0;
}
