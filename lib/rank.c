/*
 * rank.c: the ranking function "eaf_rank", an FTS5 auxiliary function.
 *
 *   eaf_rank(fts, w0, w1, ...)   weights of the columns, in table order
 *
 * BM25F: a phrase's frequency in each column is normalised by that
 * column's length against its average, weighted, and summed over the
 * columns; the sum is saturated with k1 and multiplied by the phrase's
 * inverse document frequency.  The IDF is ln(1 + (N - n + 0.5) / (n + 0.5)),
 * which stays positive for phrases found in most rows (FTS5's own bm25()
 * gives any phrase in more than half the rows a weight of almost zero, so
 * a query for two common words ranks nearly at random).
 *
 * The result is negated, so that ORDER BY rank puts the best row first, as
 * with FTS5's bm25().  The statistics of the table (row count, average
 * column lengths, each phrase's row count) are read once per query and kept
 * as auxiliary data.  This file is also part of the SQLite extension.
 */
#include "fts.h"
#include "eaf-private.h"

#ifdef EAF_SQLITE_EXTENSION
SQLITE_EXTENSION_INIT3
#endif

#include <math.h>
#include <string.h>

#define RANK_K1 1.2
#define RANK_B 0.75
#define MAX_COLUMNS 64

typedef struct rank_stats {
    int ncol, nphrase;
    double *idf;        /* per phrase */
    double *avglen;     /* per column */
    double *tf;         /* per phrase * column: scratch for one row */
} rank_stats;

static void stats_free(void *p)
{
    rank_stats *s = p;

    if (!s)
        return;
    eaf__free(s->idf);
    eaf__free(s->avglen);
    eaf__free(s->tf);
    eaf__free(s);
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *ctx, void *user)
{
    (void)api;
    (void)ctx;
    (*(sqlite3_int64 *)user)++;
    return SQLITE_OK;
}

/* Reads the statistics of the table and of the query's phrases. */
static int stats_load(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats **out)
{
    rank_stats *s = eaf__calloc(1, sizeof(*s));
    sqlite3_int64 nrow = 0, total;
    int rc, i;

    *out = NULL;
    if (!s)
        return SQLITE_NOMEM;
    s->ncol = api->xColumnCount(ctx);
    s->nphrase = api->xPhraseCount(ctx);
    s->idf = eaf__calloc((size_t)s->nphrase + 1, sizeof(double));
    s->avglen = eaf__calloc((size_t)s->ncol + 1, sizeof(double));
    s->tf = eaf__calloc((size_t)(s->nphrase * s->ncol) + 1, sizeof(double));
    if (!s->idf || !s->avglen || !s->tf) {
        stats_free(s);
        return SQLITE_NOMEM;
    }
    rc = api->xRowCount(ctx, &nrow);
    for (i = 0; rc == SQLITE_OK && i < s->ncol; i++) {
        rc = api->xColumnTotalSize(ctx, i, &total);
        s->avglen[i] = nrow > 0 ? (double)total / (double)nrow : 0.0;
    }
    for (i = 0; rc == SQLITE_OK && i < s->nphrase; i++) {
        sqlite3_int64 hits = 0;
        rc = api->xQueryPhrase(ctx, i, &hits, count_row);
        s->idf[i] = log(1.0 + ((double)nrow - (double)hits + 0.5) / ((double)hits + 0.5));
    }
    if (rc != SQLITE_OK) {
        stats_free(s);
        return rc;
    }
    *out = s;
    return SQLITE_OK;
}

static void rank_function(const Fts5ExtensionApi *api, Fts5Context *ctx,
                          sqlite3_context *result, int nval, sqlite3_value **vals)
{
    rank_stats *s = api->xGetAuxdata(ctx, 0);
    double weight[MAX_COLUMNS], score = 0.0;
    int rc = SQLITE_OK, ninst = 0, i, p, c;

    if (!s) {
        rc = stats_load(api, ctx, &s);
        if (rc == SQLITE_OK)
            rc = api->xSetAuxdata(ctx, s, stats_free);
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(result, rc);
            return;
        }
    }
    for (c = 0; c < s->ncol && c < MAX_COLUMNS; c++)
        weight[c] = c < nval ? sqlite3_value_double(vals[c]) : 1.0;
    memset(s->tf, 0, (size_t)(s->nphrase * s->ncol) * sizeof(double));
    rc = api->xInstCount(ctx, &ninst);
    for (i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int ip, ic, io;
        rc = api->xInst(ctx, i, &ip, &ic, &io);
        if (rc == SQLITE_OK && ip >= 0 && ip < s->nphrase && ic >= 0 && ic < s->ncol)
            s->tf[ip * s->ncol + ic] += 1.0;
    }
    for (p = 0; rc == SQLITE_OK && p < s->nphrase; p++) {
        double tf = 0.0;
        for (c = 0; rc == SQLITE_OK && c < s->ncol && c < MAX_COLUMNS; c++) {
            double f = s->tf[p * s->ncol + c];
            int len = 0;
            if (f == 0.0 || weight[c] == 0.0)
                continue;
            rc = api->xColumnSize(ctx, c, &len);
            if (s->avglen[c] > 0.0)
                f /= 1.0 - RANK_B + RANK_B * (double)len / s->avglen[c];
            tf += weight[c] * f;
        }
        score += s->idf[p] * tf / (RANK_K1 + tf);
    }
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(result, rc);
        return;
    }
    sqlite3_result_double(result, -score);
}

int eaf__rank_register(fts5_api *api)
{
    return api->xCreateFunction(api, EAF__RANK_FUNCTION, NULL, rank_function, NULL);
}
