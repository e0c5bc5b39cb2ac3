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
    rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
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
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_OK) {
        snprintf(sql, sizeof(sql),
                 "SELECT min(id), max(id) FROM \"%s\".article", schema);
        rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
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
        sqlite3_finalize(st);
    }
    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(db, rc, "reading the set's statistics");
}

static int by_id(const void *a, const void *b)
{
    sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;

    return x < y ? -1 : x > y;
}

/* The document frequency of one phrase over the set, as rank.c would
 * estimate it over one file of the same articles. */
static eaf_status phrase_df(eaf_db *db, const char *phrase, const set_totals *t,
                            sqlite3_int64 *ids, double *df)
{
    size_t got = 0;
    unsigned k;

    for (k = 0; k < db->set->n; k++) {
        char schema[16], *sql;
        sqlite3_stmt *st = NULL;
        int rc;

        eaf__set_schema(schema, sizeof(schema), db, k);
        sql = eaf__printf("SELECT rowid FROM \"%s\".fts WHERE fts MATCH ?1 ORDER BY rowid"
                          " LIMIT %d",
                          schema, EAF__DF_SAMPLE);
        if (!sql)
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
        eaf__free(sql);
        if (rc == SQLITE_OK)
            sqlite3_bind_text(st, 1, phrase, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                ids[got++] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return eaf__db_sqlerr(db, rc, "counting a word over the set");
    }
    if (got >= EAF__DF_SAMPLE) {
        qsort(ids, got, sizeof(*ids), by_id);
        *df = eaf__rank_df(EAF__DF_SAMPLE, ids[EAF__DF_SAMPLE - 1], t->lo, t->hi, t->nrow);
    } else {
        *df = eaf__rank_df((sqlite3_int64)got, 0, t->lo, t->hi, t->nrow);
    }
    return EAF_OK;
}

eaf_status eaf__set_stats(eaf_db *db, const char *expr, eaf__buf *spec, int64_t *id_lo,
                          int64_t *id_hi)
{
    set_totals t;
    eaf__strvec phrases = {0};
    sqlite3_int64 *ids = NULL;
    eaf_status st = EAF_OK;
    unsigned k;
    size_t i;
    int c;

    memset(&t, 0, sizeof(t));
    for (k = 0; k < db->set->n && st == EAF_OK; k++) {
        char schema[16];
        st = shard_totals(db, eaf__set_schema(schema, sizeof(schema), db, k), &t);
    }
    if (st == EAF_OK && eaf__fts_phrase_list(&phrases, expr) != EAF_OK)
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (st == EAF_OK && phrases.n &&
        !(ids = eaf__malloc((size_t)db->set->n * EAF__DF_SAMPLE * sizeof(*ids))))
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (st == EAF_OK) {
        eaf__buf_printf(spec, "n=%lld tot=", (long long)t.nrow);
        for (c = 0; c < EAF__COL_COUNT; c++)
            eaf__buf_printf(spec, "%s%lld", c ? "," : "", (long long)t.tot[c]);
        eaf__buf_puts(spec, " df=");
    }
    for (i = 0; st == EAF_OK && i < phrases.n; i++) {
        double df = 0.0;
        st = phrase_df(db, phrases.v[i], &t, ids, &df);
        eaf__buf_printf(spec, "%s%.17g", i ? "," : "", df);
    }
    if (st == EAF_OK) {
        eaf__buf_putc(spec, ' ');
        *id_lo = t.have_ids ? t.lo : 0;
        *id_hi = t.have_ids ? t.hi : 0;
    }
    eaf__free(ids);
    eaf__strvec_free(&phrases);
    if (st == EAF_OK && spec->rc != EAF_OK)
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    return st;
}
