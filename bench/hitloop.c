/*
 * hitloop.c: the C side of make bench-python: each query searched and
 * its hits read as the Python module's search() reads them, so that the
 * difference between the two is the binding's own cost per search.
 *
 *   bench/hitloop [-r RUNS] [-k K] [-s] DB QUERIES.tsv
 *
 * For every query of QUERIES.tsv (QID<TAB>QUERY lines), RUNS times
 * (default 3): eaf_search_new() with limit K (default 10), the total,
 * each hit's key, url, title, date, score and authors (the article read
 * whole, as the module does for Hit.authors), with -s its snippet; the
 * fallback, question and dropped words; and the suggestion when no
 * article has all the words (the module's default).  Every string is
 * copied, as the module copies it out of the library before it makes
 * Python objects.  Prints one JSON line: the mean and median time per
 * search (microseconds, wall clock) of each run's median, over runs.
 */
#include "eafsearch.h"
#include "benchstat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


/* A copy thrown away: the work of the module's copy. */
static size_t copied;
static void take(const char *s)
{
    if (s) {
        char *d = strdup(s);
        copied += strlen(d);
        free(d);
    }
}

static int one_search(eaf_db *db, const char *q, const eaf_search_options *so, int snippets)
{
    eaf_search *s = NULL;
    int64_t total = 0;
    size_t i, n;
    const char *sugg;

    if (eaf_search_new(&s, db, q, so) != EAF_OK)
        return -1;
    if (eaf_search_total(&total, s) != EAF_OK) {
        eaf_search_free(s);
        return -1;
    }
    while (eaf_search_next(s) == EAF_ROW) {
        const eaf_article *a = NULL;

        take(eaf_search_field(s, EAF_FIELD_KEY));
        take(eaf_search_field(s, EAF_FIELD_URL));
        take(eaf_search_field(s, EAF_FIELD_TITLE));
        take(eaf_search_field(s, EAF_FIELD_DATE));
        copied += (size_t)eaf_search_has_score(s) + (eaf_search_score(s) > 0);
        if (snippets)
            take(eaf_search_snippet(s));
        if (eaf_search_article(&a, s) == EAF_OK)
            for (i = 0, n = eaf_article_author_count(a); i < n; i++) {
                take(eaf_article_author_name(a, i));
                take(eaf_article_author_affiliation(a, i));
            }
    }
    n = eaf_search_dropped_count(s);
    for (i = 0; i < n; i++)
        take(eaf_search_dropped(s, i));
    if ((total == 0 || eaf_search_fallback(s) || n > 0) &&
        eaf_search_suggestion(&sugg, s) == EAF_OK)
        take(sugg);
    copied += (size_t)eaf_search_question(s);
    eaf_search_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_db *db;
    char *err = NULL, line[4096], **queries = NULL;
    size_t nq = 0, cap = 0, i;
    int runs = 3, k = 10, snippets = 0, opt, r, errors = 0;
    double *t, *med, *mean;
    FILE *f;

    while ((opt = getopt(argc, argv, "r:k:s")) != -1) {
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
        default:
            runs = 0;
        }
    }
    if (runs < 1 || k < 1 || argc - optind != 2) {
        fprintf(stderr, "usage: hitloop [-r RUNS] [-k K] [-s] DB QUERIES.tsv\n");
        return 2;
    }
    if (!(f = fopen(argv[optind + 1], "r"))) {
        perror(argv[optind + 1]);
        return 1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *q = strchr(line, '\t');

        q = q ? q + 1 : line;
        q[strcspn(q, "\t\r\n")] = '\0';
        if (nq == cap) {
            cap = cap ? cap * 2 : 256;
            if (!(queries = realloc(queries, cap * sizeof(*queries))))
                return 1;
        }
        if (!(queries[nq++] = strdup(q)))
            return 1;
    }
    fclose(f);
    oo.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, argv[optind], &oo, &err) != EAF_OK) {
        fprintf(stderr, "hitloop: %s\n", err);
        eaf_free(err);
        return 1;
    }
    so.limit = (unsigned)k;
    t = calloc(nq ? nq : 1, sizeof(*t));
    med = calloc((size_t)runs, sizeof(*med));
    mean = calloc((size_t)runs, sizeof(*mean));
    if (!t || !med || !mean)
        return 1;
    for (r = 0; r < runs; r++) {
        double sum = 0;

        for (i = 0; i < nq; i++) {
            double t0 = bench_now_us(CLOCK_MONOTONIC);
            if (one_search(db, queries[i], &so, snippets) != 0)
                errors++;
            t[i] = bench_now_us(CLOCK_MONOTONIC) - t0;
            sum += t[i];
        }
        mean[r] = nq ? sum / (double)nq : 0;
        med[r] = bench_median(t, nq);
    }
    printf("{\"queries\": %zu, \"k\": %d, \"snippets\": %s, \"runs\": %d, \"p50_us\": %.1f, "
           "\"mean_us\": %.1f, \"errors\": %d}\n",
           nq, k, snippets ? "true" : "false", runs, bench_median(med, (size_t)runs),
           bench_median(mean, (size_t)runs), errors);
    eaf_db_close(db);
    for (i = 0; i < nq; i++)
        free(queries[i]);
    free(queries);
    free(t);
    free(med);
    free(mean);
    return copied == (size_t)-1;
}
