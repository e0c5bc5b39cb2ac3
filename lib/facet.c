/*
 * facet.c: counts of metadata values (authors, topics, countries, tags,
 * years) over all the hits of a search.
 *
 * The hits are the search's own FROM ... WHERE ..., used as a subquery, so
 * the counts cover every match, not the page shown.  Values are grouped by
 * their folded form (the facet table's norm), so "Japan" and "JAPAN" count
 * as one; the label shown is the first spelling in sort order.  The top
 * values of a kind are the most frequent, but for years: the newest, newest
 * first, a timeline.
 */
#include "search.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eaf_facets {
    eaf__strvec values[EAF_FACET_LAST];
    int64_t *counts[EAF_FACET_LAST];
    size_t cap[EAF_FACET_LAST];
};

static const char *const facet_names[EAF_FACET_LAST] = {"author", "topic", "country",
                                                        "tag", "year"};

const char *eaf_facet_name(eaf_facet kind)
{
    return (unsigned)kind < EAF_FACET_LAST ? facet_names[kind] : NULL;
}

void eaf_facets_free(eaf_facets *f)
{
    int k;

    if (!f)
        return;
    for (k = 0; k < EAF_FACET_LAST; k++) {
        eaf__strvec_free(&f->values[k]);
        eaf__free(f->counts[k]);
    }
    eaf__free(f);
}

size_t eaf_facets_count(const eaf_facets *f, eaf_facet kind)
{
    return f && (unsigned)kind < EAF_FACET_LAST ? f->values[kind].n : 0;
}

const char *eaf_facets_value(const eaf_facets *f, eaf_facet kind, size_t i,
                             int64_t *count_out)
{
    if (count_out)
        *count_out = 0;
    if (!f || (unsigned)kind >= EAF_FACET_LAST || i >= f->values[kind].n)
        return NULL;
    if (count_out)
        *count_out = f->counts[kind][i];
    return f->values[kind].v[i];
}

static eaf_status add_value(eaf_facets *f, eaf_facet kind, const char *value, int64_t count)
{
    size_t n = f->values[kind].n;
    char *v;

    if (n == f->cap[kind]) {
        size_t cap = f->cap[kind] ? f->cap[kind] * 2 : 16;
        int64_t *c = eaf__realloc(f->counts[kind], cap * sizeof(*c));
        if (!c)
            return EAF_NOMEM;
        f->counts[kind] = c;
        f->cap[kind] = cap;
    }
    v = eaf__strdup(value);
    if (!v || eaf__strvec_push(&f->values[kind], v) != EAF_OK) {
        eaf__free(v);
        return EAF_NOMEM;
    }
    f->counts[kind][n] = count;
    return EAF_OK;
}

/* Facet kinds as stored in the facet table. */
static int facet_of_kind(int stored)
{
    switch (stored) {
    case EAF__FACET_AUTHOR: return EAF_FACET_AUTHOR;
    case EAF_TAG_TOPIC: return EAF_FACET_TOPIC;
    case EAF_TAG_COUNTRY: return EAF_FACET_COUNTRY;
    case EAF_TAG_OTHER: return EAF_FACET_TAG;
    default: return -1;
    }
}

/* Runs a counting statement: with the search's parameters bound, or, for
 * the best hits, their ids (a JSON array) as ?1. */
static eaf_status run(eaf_search *s, eaf_facets *f, const char *sql, unsigned top,
                      int year, const char *ids)
{
    sqlite3_stmt *st = NULL;
    eaf_status status;
    int rc;

    if (ids) {
        rc = eaf__stmt_take(&s->db->kept, s->db->sql, sql, &st);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
        if (rc != SQLITE_OK) {
            eaf__hits_release(s->db, st);
            return eaf__db_sqlerr(s->db, rc, "counting facets");
        }
    } else {
        status = eaf__search_prepare_sql(s, sql, &st);
        if (status != EAF_OK)
            return status;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int kind = year ? EAF_FACET_YEAR : facet_of_kind(sqlite3_column_int(st, 0));
        const char *value = (const char *)sqlite3_column_text(st, 1);
        char yearbuf[16];

        if (kind < 0 || f->values[kind].n >= top)
            continue;
        if (year) {
            snprintf(yearbuf, sizeof(yearbuf), "%04d", sqlite3_column_int(st, 1));
            value = yearbuf;
        }
        if (!value)
            continue;
        if (add_value(f, (eaf_facet)kind, value, sqlite3_column_int64(st, 2)) != EAF_OK) {
            eaf__hits_release(s->db, st);
            return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        }
    }
    eaf__hits_release(s->db, st);
    if (rc != SQLITE_DONE)
        return eaf__db_sqlerr(s->db, rc, "counting facets");
    return EAF_OK;
}

/* Up to this many hits, their facets are looked up hit by hit (the index
 * facet_article); more, and reading the facet table once is cheaper. */
#define LOOKUP_MAX 5000

/* The ids of the first `best` hits in the search's order (or of all, in no
 * order, when best is 0), as a JSON array into *out; read once, for both
 * counting statements. */
static eaf_status hit_ids(eaf_search *s, unsigned best, char **out)
{
    eaf__buf b = EAF__BUF_INIT;
    sqlite3_stmt *st = NULL;
    char *sql, *call = NULL;
    eaf_status status;
    int rc, n = 0;

    *out = NULL;
    sql = best ? eaf__printf("SELECT %s, %s AS r %s %s LIMIT %u", s->hits.id_col,
                             s->hits.rank_col, s->hits.from_where, s->order, best)
               : eaf__printf("SELECT %s %s", s->hits.id_col, s->hits.from_where);
    if (!sql || (best && eaf__search_rank_call_k(s, best, &call) != 0)) {
        eaf__free(sql);
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    }
    status = eaf__search_prepare_sql(s, sql, &st);
    eaf__free(sql);
    if (status != EAF_OK) {
        eaf__free(call);
        return status;
    }
    /* the tier's words, and a ranking that reads no more than these */
    if (best && s->plan->tier && s->c.fts)
        sqlite3_bind_text(st, EAF__P_TIER, s->plan->tier, -1, SQLITE_STATIC);
    if (call)
        sqlite3_bind_text(st, EAF__P_RANK, call, -1, SQLITE_STATIC);
    eaf__buf_putc(&b, '[');
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        eaf__buf_printf(&b, "%s%lld", n++ ? "," : "", (long long)sqlite3_column_int64(st, 0));
    eaf__buf_putc(&b, ']');
    eaf__hits_release(s->db, st);
    eaf__free(call);
    if (rc != SQLITE_DONE) {
        eaf__buf_free(&b);
        return eaf__db_sqlerr(s->db, rc, "counting facets");
    }
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    }
    *out = eaf__buf_detach(&b);
    return EAF_OK;
}

/* ---- a shard set: each shard's counts, summed ---------------------------- */

typedef struct merged_value {
    const char *value;
    int64_t count;
} merged_value;

static int by_count(const void *x, const void *y)
{
    const merged_value *a = x, *b = y;

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->value, b->value);
}

static int by_year(const void *x, const void *y)
{
    return -strcmp(((const merged_value *)x)->value, ((const merged_value *)y)->value);
}

/* Every value of every shard (each asked for all of them), counts summed
 * by value, then ordered and cut as one file's: the most frequent first,
 * years the newest first. */
static eaf_status set_facets(eaf_facets **out, eaf_search *s, unsigned top)
{
    eaf_search **kids = s->set->kid;
    size_t nkid = s->set->n, k, i, j;
    eaf_facets **part = eaf__calloc(nkid, sizeof(*part));
    eaf_facets *f = eaf__calloc(1, sizeof(*f));
    eaf_status st = part && f ? EAF_OK : EAF_NOMEM;
    int kind;

    for (k = 0; k < nkid && st == EAF_OK; k++) {
        st = eaf_search_facets(&part[k], kids[k], UINT32_MAX);
        if (st != EAF_OK)
            eaf__db_error(s->db, st, "%s", eaf_db_errmsg(kids[k]->db));
    }
    for (kind = 0; kind < EAF_FACET_LAST && st == EAF_OK; kind++) {
        merged_value *all = NULL;
        size_t n = 0, cap = 0;

        for (k = 0; k < nkid && st == EAF_OK; k++) {
            for (i = 0; i < part[k]->values[kind].n; i++) {
                const char *v = part[k]->values[kind].v[i];
                for (j = 0; j < n && strcmp(all[j].value, v) != 0; j++)
                    ;
                if (j == n) {
                    if (n == cap) {
                        merged_value *na = eaf__realloc(all, (cap ? cap * 2 : 64) * sizeof(*na));
                        if (!na) {
                            st = EAF_NOMEM;
                            break;
                        }
                        all = na;
                        cap = cap ? cap * 2 : 64;
                    }
                    all[n].value = v;
                    all[n++].count = 0;
                }
                all[j].count += part[k]->counts[kind][i];
            }
        }
        if (st == EAF_OK && n)
            qsort(all, n, sizeof(*all), kind == EAF_FACET_YEAR ? by_year : by_count);
        for (i = 0; st == EAF_OK && i < n && i < top; i++)
            st = add_value(f, (eaf_facet)kind, all[i].value, all[i].count);
        eaf__free(all);
    }
    for (k = 0; part && k < nkid; k++)
        eaf_facets_free(part[k]);
    eaf__free(part);
    if (st != EAF_OK) {
        eaf_facets_free(f);
        return st == EAF_NOMEM ? eaf__db_error(s->db, st, "out of memory") : st;
    }
    *out = f;
    return EAF_OK;
}

eaf_status eaf_search_facets(eaf_facets **out, eaf_search *s, unsigned top)
{
    eaf_facets *f;
    char *sql, *ids = NULL;
    unsigned best;
    int64_t total = 0;
    eaf_status st = EAF_OK;

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!s)
        return EAF_MISUSE;
    eaf__db_clear_error(s->db);
    if (top == 0)
        top = 10;
    if (s->set)
        return set_facets(out, s, top);
    f = eaf__calloc(1, sizeof(*f));
    if (!f)
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    if (!s->c.positive) {
        *out = f; /* no hits: no values */
        return EAF_OK;
    }
    /* a few hits, or only the best (facet_hits): their ids read once, and
     * each one's values looked up (facet_article); many: the facet table
     * read in order, each row's article looked up in the hits */
    best = s->plan->o.facet_hits;
    if ((st = eaf_search_total(&total, s)) == EAF_OK) {
        if (best > 0 && total > (int64_t)best)
            st = hit_ids(s, best, &ids);
        else if (total <= LOOKUP_MAX)
            st = hit_ids(s, 0, &ids);
    }
    if (st != EAF_OK) {
        eaf_facets_free(f);
        return st;
    }
    if (ids)
        sql = eaf__printf("SELECT fc.kind, min(fc.value), count(*) AS n FROM json_each(?1) h"
                          " CROSS JOIN facet fc ON fc.article_id = h.value"
                          " AND fc.kind IN (%d, %d, %d, %d) GROUP BY fc.kind, fc.norm"
                          " ORDER BY fc.kind, n DESC, 2",
                          EAF_TAG_TOPIC, EAF_TAG_COUNTRY, EAF_TAG_OTHER, EAF__FACET_AUTHOR);
    else
        sql = eaf__printf("SELECT fc.kind, min(fc.value), count(*) AS n FROM facet fc"
                          " WHERE fc.kind IN (%d, %d, %d, %d) AND fc.article_id IN"
                          " (SELECT %s %s) GROUP BY fc.kind, fc.norm"
                          " ORDER BY fc.kind, n DESC, 2",
                          EAF_TAG_TOPIC, EAF_TAG_COUNTRY, EAF_TAG_OTHER, EAF__FACET_AUTHOR,
                          s->hits.id_col, s->hits.from_where);
    st = sql ? run(s, f, sql, top, 0, ids) : eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    eaf__free(sql);
    if (st == EAF_OK) {
        if (ids)
            sql = eaf__printf("SELECT 0, ay.day / 10000 AS y, count(*) AS n FROM json_each(?1) h"
                              " CROSS JOIN article ay ON ay.id = h.value"
                              " WHERE ay.day IS NOT NULL GROUP BY y ORDER BY y DESC");
        else
            sql = eaf__printf("SELECT 0, ay.day / 10000 AS y, count(*) AS n FROM article ay"
                              " WHERE ay.day IS NOT NULL AND ay.id IN (SELECT %s %s)"
                              " GROUP BY y ORDER BY y DESC",
                              s->hits.id_col, s->hits.from_where);
        st = sql ? run(s, f, sql, top, 1, ids)
                 : eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        eaf__free(sql);
    }
    eaf__free(ids);
    if (st != EAF_OK) {
        eaf_facets_free(f);
        return st;
    }
    *out = f;
    return EAF_OK;
}
