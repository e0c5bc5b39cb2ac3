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

/* A varint of SQLite's record format (FTS5's averages record uses it). */
static size_t get_varint(const unsigned char *p, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    size_t i;

    for (i = 0; i < n && i < 8; i++) {
        x = (x << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    if (i == 8 && n > 8) {
        *v = (x << 8) | p[8];
        return 9;
    }
    return 0;
}

typedef struct set_totals {
    sqlite3_int64 nrow, tot[EAF__COL_COUNT], lo, hi;
    int have_ids;
} set_totals;

/* The row count and column totals of one shard's fts (its averages
 * record), and its range of ids, added to t. */
static eaf_status shard_totals(eaf_db *db, const char *schema, set_totals *t)
{
    char sql[160];
    sqlite3_stmt *st = NULL;
    int rc, c;

    snprintf(sql, sizeof(sql), "SELECT block FROM \"%s\".fts_data WHERE id = 1", schema);
    rc = eaf__stmt_take(&db->kept, db->sql, sql, &st);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0), used;
        uint64_t v = 0;

        used = p ? get_varint(p, n, &v) : 0;
        t->nrow += (sqlite3_int64)v;
        for (c = 0; used && c < EAF__COL_COUNT && used < n; c++) {
            size_t u = get_varint(p + used, n - used, &v);
            if (!u)
                break;
            t->tot[c] += (sqlite3_int64)v;
            used += u;
        }
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK; /* an empty table has no record yet */
    }
    eaf__stmt_give(&db->kept, st);
    st = NULL;
    if (rc == SQLITE_OK) {
        /* (each its own query: min() and max() in one read the whole table) */
        snprintf(sql, sizeof(sql),
                 "SELECT (SELECT min(id) FROM \"%s\".article),"
                 " (SELECT max(id) FROM \"%s\".article)", schema, schema);
        rc = eaf__stmt_take(&db->kept, db->sql, sql, &st);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
                sqlite3_int64 lo = sqlite3_column_int64(st, 0), hi = sqlite3_column_int64(st, 1);
                if (!t->have_ids || lo < t->lo)
                    t->lo = lo;
                if (!t->have_ids || hi > t->hi)
                    t->hi = hi;
                t->have_ids = 1;
            }
            rc = SQLITE_OK;
        }
        eaf__stmt_give(&db->kept, st);
    }
    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(db, rc, "reading the set's statistics");
}

/* The document frequency of one phrase over the set, as rank.c would
 * estimate it over one file of the same articles: the shards' ids of the
 * phrase, each shard's in order, merged as they are read, up to the
 * EAF__DF_SAMPLE-th of them all. */
static eaf_status phrase_df(eaf_db *db, const char *phrase, const set_totals *t, double *df)
{
    sqlite3_stmt *st[EAF__SET_MAX] = {NULL};
    sqlite3_int64 head[EAF__SET_MAX], last = 0;
    int live[EAF__SET_MAX], rc = SQLITE_OK;
    unsigned k, n = db->set->n;
    sqlite3_int64 got = 0;

    for (k = 0; k < n && rc == SQLITE_OK; k++) {
        char schema[16], sql[128];

        live[k] = 0;
        eaf__set_schema(schema, sizeof(schema), db, k);
        snprintf(sql, sizeof(sql), "SELECT rowid FROM \"%s\".fts WHERE fts MATCH ?1 ORDER BY rowid",
                 schema);
        rc = eaf__stmt_take(&db->kept, db->sql, sql, &st[k]);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(st[k], 1, phrase, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st[k]);
            live[k] = rc == SQLITE_ROW;
            if (live[k])
                head[k] = sqlite3_column_int64(st[k], 0);
            rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
    }
    while (rc == SQLITE_OK && got < EAF__DF_SAMPLE) {
        unsigned best = n;
        for (k = 0; k < n; k++)
            if (live[k] && (best == n || head[k] < head[best]))
                best = k;
        if (best == n)
            break; /* fewer than the sample: the count is exact */
        last = head[best];
        got++;
        rc = sqlite3_step(st[best]);
        live[best] = rc == SQLITE_ROW;
        if (live[best])
            head[best] = sqlite3_column_int64(st[best], 0);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    for (k = 0; k < n; k++) {
        if (st[k]) {
            sqlite3_reset(st[k]);
            sqlite3_clear_bindings(st[k]);
        }
        eaf__stmt_give(&db->kept, st[k]);
    }
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "counting a word over the set");
    *df = eaf__rank_df(got, got >= EAF__DF_SAMPLE ? last : 0, t->lo, t->hi, t->nrow);
    return EAF_OK;
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
    set_totals t;
    eaf__strvec phrases = {0};
    const char *g = groups;
    eaf_status st = EAF_OK;
    unsigned k;
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
    memset(&t, 0, sizeof(t));
    for (k = 0; k < db->set->n && st == EAF_OK; k++) {
        char schema[16];
        st = shard_totals(db, eaf__set_schema(schema, sizeof(schema), db, k), &t);
    }
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
