/*
 * hits_set.c: the statistics of a whole shard set (shard.h) for the
 * ranking of a query on one of its shards (hits.c puts them in the rank
 * call, rank.c reads them).
 *
 * Why the statistics come out the same as one file's.  The ranking reads
 * the table's row count, each column's total size, each phrase's document
 * frequency and the range of ids.  The first two are sums over the shards
 * (FTS5 keeps them in its "averages" record, read here).  A phrase's
 * document frequency is counted up to EAF__DF_SAMPLE rows in id order and
 * estimated from the id the count stopped at; since ids are unique over
 * the set and handed out in one sequence, taking the first EAF__DF_SAMPLE
 * ids of each shard, merged, finds the same id a count over one file
 * would stop at, and the estimate is the same number.
 */
#include "hits.h"
#include "shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* (the set's totals hold every column of fts) */
typedef char cols_fit[EAF__COL_COUNT <= EAF__SET_COLS ? 1 : -1];

/* The document frequency of one phrase over the set, as rank.c would
 * estimate it over one file of the same articles (eaf__set_phrase_ids). */
static eaf_status phrase_df(eaf_db *db, const char *phrase, const eaf__set_totals *t, double *df)
{
    sqlite3_int64 got = 0, last = 0;
    eaf_status st = eaf__set_phrase_ids(db, phrase, EAF__DF_SAMPLE, &got, &last);

    if (st == EAF_OK)
        *df = eaf__rank_df(got, last, t->lo, t->hi, t->nrow);
    return st;
}

void eaf__set_stats_forget(struct eaf__set *set)
{
    size_t i;

    for (i = 0; i < set->nstats; i++) {
        eaf__free(set->stats[i].expr);
        eaf__free(set->stats[i].spec);
    }
    eaf__free(set->stats);
    set->stats = NULL;
    set->nstats = 0;
    set->caching = 0;
}

/* Keeps what eaf__set_stats() wrote for expr, from spec's byte `from` on. */
static void keep(struct eaf__set *set, const char *expr, const eaf__buf *spec, size_t from,
                 int64_t lo, int64_t hi)
{
    struct eaf__set_stat *v = eaf__realloc(set->stats, (set->nstats + 1) * sizeof(*v));

    if (!v)
        return; /* (only not kept) */
    set->stats = v;
    v += set->nstats;
    v->expr = eaf__strdup(expr);
    v->spec = eaf__strndup(spec->p + from, spec->n - from);
    v->lo = lo;
    v->hi = hi;
    if (v->expr && v->spec) {
        set->nstats++;
    } else {
        eaf__free(v->expr);
        eaf__free(v->spec);
    }
}

eaf_status eaf__set_stats(eaf_db *db, const char *expr, const char *groups, eaf__buf *spec,
                          int64_t *id_lo, int64_t *id_hi)
{
    size_t from = spec->n, j;
    eaf__set_totals t;
    eaf__strvec phrases = {0};
    const char *g = groups;
    eaf_status st = EAF_OK;
    size_t i;
    int c;

    /* the other shards of the search compiled it already */
    for (j = 0; db->set->caching && j < db->set->nstats; j++) {
        if (strcmp(db->set->stats[j].expr, expr) == 0) {
            eaf__buf_puts(spec, db->set->stats[j].spec);
            *id_lo = db->set->stats[j].lo;
            *id_hi = db->set->stats[j].hi;
            return spec->rc == EAF_OK ? EAF_OK : eaf__db_error(db, EAF_NOMEM, "out of memory");
        }
    }
    st = eaf__set_totals_read(db, &t);
    if (st == EAF_OK && eaf__fts_phrase_list(&phrases, expr) != EAF_OK)
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (st == EAF_OK) {
        eaf__buf_printf(spec, "n=%lld tot=", (long long)t.nrow);
        for (c = 0; c < EAF__COL_COUNT; c++)
            eaf__buf_printf(spec, "%s%lld", c ? "," : "", (long long)t.tot[c]);
        eaf__buf_puts(spec, " df=");
    }
    for (i = 0; st == EAF_OK && i < phrases.n; i++) {
        /* the phrase's group in the spec ("g:w g:w ..."): -1 is not scored,
         * and its frequency not needed */
        char *end;
        long group = strtol(g, &end, 10);
        double df = -1.0;
        if (end != g) {
            g = end;
            while (*g && *g != ' ')
                g++;
            while (*g == ' ')
                g++;
        }
        if (group >= 0)
            st = phrase_df(db, phrases.v[i], &t, &df);
        eaf__buf_printf(spec, "%s%.17g", i ? "," : "", df);
    }
    if (st == EAF_OK) {
        eaf__buf_putc(spec, ' ');
        *id_lo = t.have_ids ? t.lo : 0;
        *id_hi = t.have_ids ? t.hi : 0;
        if (db->set->caching && spec->rc == EAF_OK)
            keep(db->set, expr, spec, from, *id_lo, *id_hi);
    }
    eaf__strvec_free(&phrases);
    if (st == EAF_OK && spec->rc != EAF_OK)
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    return st;
}
