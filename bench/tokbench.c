/*
 * tokbench.c: the speed of the tokenizer alone, the ceiling for indexing.
 *
 *   bench/tokbench [-r RUNS] FILE...
 *
 * Reads the articles of the files (any format eafindex reads) into memory,
 * then tokenizes their text fields (title, summary, body, bio) as
 * indexing does, RUNS times (default 5), and prints the median throughput
 * in MB of text per second and tokens per second.  Reading is not timed.
 */
#include "eafsearch.h"
#include "tokenize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct text {
    char *p;
    size_t n;
} text;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct tally {
    unsigned long tokens;
    uint64_t hash; /* of every token and its offsets, to compare builds */
} tally;

static int count_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    tally *c = ctx;
    int i;

    c->tokens++;
    for (i = 0; i < ntok; i++)
        c->hash = (c->hash ^ (unsigned char)tok[i]) * 1099511628211u;
    c->hash = (c->hash ^ (uint64_t)start) * 1099511628211u;
    c->hash = (c->hash ^ (uint64_t)end) * 1099511628211u;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const eaf_field fields[] = {EAF_FIELD_TITLE, EAF_FIELD_SUMMARY, EAF_FIELD_BODY,
                                       EAF_FIELD_BIO};
    text *texts = NULL;
    size_t ntexts = 0, cap = 0, bytes = 0, i;
    int runs = 5, opt, r;
    double *secs;
    tally c = {0, 0};
    eaf__tokenizer *t;

    while ((opt = getopt(argc, argv, "r:")) != -1) {
        if (opt != 'r' || (runs = atoi(optarg)) < 1) {
            fprintf(stderr, "usage: tokbench [-r RUNS] FILE...\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: tokbench [-r RUNS] FILE...\n");
        return 2;
    }
    for (; optind < argc; optind++) {
        eaf_reader *rd;
        eaf_article *a;
        char *err = NULL;

        if (eaf_reader_open(&rd, argv[optind], NULL, &err) != EAF_OK) {
            fprintf(stderr, "tokbench: %s\n", err ? err : argv[optind]);
            return 1;
        }
        while (eaf_reader_next(&a, rd) == EAF_ROW) {
            for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
                const char *s = eaf_article_get(a, fields[i]);
                if (!s || !*s)
                    continue;
                if (ntexts == cap) {
                    cap = cap ? cap * 2 : 1024;
                    texts = realloc(texts, cap * sizeof(*texts));
                    if (!texts)
                        return 1;
                }
                texts[ntexts].n = strlen(s);
                texts[ntexts].p = strdup(s);
                if (!texts[ntexts].p)
                    return 1;
                bytes += texts[ntexts].n;
                ntexts++;
            }
            eaf_article_free(a);
        }
        eaf_reader_free(rd);
    }
    secs = calloc((size_t)runs, sizeof(*secs));
    if (!secs || eaf__tokenizer_new(&t, "english") != EAF_OK)
        return 1;
    eaf__tokenizer_cache_stems(t, EAF__STEM_SLOTS_INDEX); /* as the index's tokenizer does */
    for (r = 0; r < runs; r++) {
        double t0 = now();
        c.tokens = 0;
        c.hash = 14695981039346656037u;
        for (i = 0; i < ntexts; i++)
            eaf__tokenize(t, EAF__TOK_DOC, texts[i].p, texts[i].n, count_token, &c);
        secs[r] = now() - t0;
    }
    qsort(secs, (size_t)runs, sizeof(*secs), cmp_double);
    printf("{\"bytes\": %zu, \"tokens\": %lu, \"runs\": %d, \"median_s\": %.4f, "
           "\"mb_per_s\": %.2f, \"tokens_per_s\": %.0f, \"checksum\": \"%016llx\"}\n",
           bytes, c.tokens, runs, secs[runs / 2], (double)bytes / 1e6 / secs[runs / 2],
           (double)c.tokens / secs[runs / 2], (unsigned long long)c.hash);
    eaf__tokenizer_free(t);
    for (i = 0; i < ntexts; i++)
        free(texts[i].p);
    free(texts);
    free(secs);
    return 0;
}
