/*
 * related_ondemand.c: a related list computed on demand, without the
 * whole model: the source's vector (stored, or computed from its text),
 * its candidates from the full-text index (an OR of its weightiest terms,
 * the best by BM25F), and their vectors (stored, or computed from their
 * text); then the same final ranking as the batch.  The vectors computed
 * take the stored term statistics, or in an index without them (never
 * built, built with other vector options, or a read-only index of an older
 * schema) the document frequencies counted in the full-text index
 * (related_fts.c), kept on the handle for the next lists.
 */
#include "related_ondemand.h"
#include "related_fts.h"
#include "fts.h"
#include "query.h"
#include "shard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A list on demand ranks the rows of at most this many articles (counted
 * with repeats) for its candidates: the rows of its weightiest terms, up
 * to EAF__REL_QUERY_TERMS of them, each counted by its df.  Ranking a row
 * costs a few microseconds, and a common term brings tens of thousands
 * (the batch reads at most 300 articles of each term, 6,000 in all).  On
 * the 123k enwiki sections, 8,000 rows instead of no limit made 1,000
 * lists from the stored statistics 5 times faster (12 s against 63) and as
 * close to the batch's (87% of their top 10 the same, against 87%; the
 * sample's P@10 0.760 against 0.771, the batch's 0.759); from the
 * full-text index's counts 3 times faster, 87% against 88% on 100 lists. */
#define CANDIDATE_ROWS 8000
/* ---- computing a list from the stored statistics ------------------------------- */

/* A metadata value of the articles looked at: (kind, norm). */
typedef struct sql_value {
    int kind;                 /* meta index */
    char *norm;
} sql_value;

/* What a list computed on demand reads, and the articles it read. */
typedef struct sqlpath {
    eaf_db *db;
    const eaf__rel_opts *o;
    uint32_t n_model;
    uint32_t ncand;           /* candidates ranked */
    int64_t narticles;
    eaf_status status;        /* the error that made load_doc() give -2 */
    eaf__tokenizer *tok;      /* the path's own, or fts's */
    sqlite3_stmt *term_id, *term_text, *vec, *text, *facets, *facet_df;
    /* without stored statistics: the counts of the full-text index, and
     * the terms this list met (term i is terms[i], in the order met, so
     * that a list is the same whatever the lists before it), their dfs */
    eaf__rel_fts *fts;
    sqlite3_stmt *fts_count;
    uint32_t max_df;          /* the most articles a kept term is in */
    char **terms;
    uint32_t *tdf, *tlen, *thash, *tslot;
    size_t nterms, tslots;
    /* values */
    sql_value *vals;
    size_t nvals, capvals;
    unsigned char *vkind;
    float *vidf;
    uint32_t *vslot;
    size_t vslots;
    /* the articles: views and the memory behind them */
    eaf__rel_doc *docs;
    size_t ndocs, capdocs;
    void **owned;
    size_t nowned, capowned;
} sqlpath;

/* A term of the list (without stored statistics): its id among the
 * terms met, and its df, counted when it is first met.  1 for a kept
 * term, 0 for another, -1 on an error (p->status). */
static int fts_lookup(sqlpath *p, const char *t, size_t n, uint32_t *id, uint32_t *df)
{
    size_t j, i;
    uint32_t h = (uint32_t)eaf__hash_bytes(t, n);
    eaf_status s;

    if ((p->nterms + 1) * 2 > p->tslots) {
        size_t slots = p->tslots ? p->tslots * 2 : 1024, cap = slots / 2;
        uint32_t *sl = eaf__calloc(slots, sizeof(*sl));
        char **nt = sl ? eaf__realloc(p->terms, cap * sizeof(*nt)) : NULL;
        uint32_t *nd = nt ? eaf__realloc(p->tdf, cap * sizeof(*nd)) : NULL;
        uint32_t *nl = nd ? eaf__realloc(p->tlen, cap * sizeof(*nl)) : NULL;
        uint32_t *nh = nl ? eaf__realloc(p->thash, cap * sizeof(*nh)) : NULL;
        if (nt)
            p->terms = nt;
        if (nd)
            p->tdf = nd;
        if (nl)
            p->tlen = nl;
        if (nh)
            p->thash = nh;
        if (!nh) {
            eaf__free(sl);
            p->status = eaf__db_error(p->db, EAF_NOMEM, "out of memory");
            return -1;
        }
        for (i = 0; i < p->nterms; i++) {
            for (j = p->thash[i] & (slots - 1); sl[j]; j = (j + 1) & (slots - 1))
                ;
            sl[j] = (uint32_t)i + 1;
        }
        eaf__free(p->tslot);
        p->tslot = sl;
        p->tslots = slots;
    }
    for (j = h & (p->tslots - 1); p->tslot[j]; j = (j + 1) & (p->tslots - 1)) {
        i = p->tslot[j] - 1;
        if (p->thash[i] == h && p->tlen[i] == n && memcmp(p->terms[i], t, n) == 0)
            goto found;
    }
    /* a stopword never has an id: a list's ids are the same whether its
     * texts are tokenized or kept (without them) */
    if (!eaf__rel_term_ok(eaf__rel_fts_stops(p->fts), t, n))
        return 0;
    i = p->nterms;
    s = eaf__rel_fts_df(p->fts, p->db, &p->fts_count, t, n, &p->tdf[i]);
    if (s == EAF_OK && !(p->terms[i] = eaf__strndup(t, n)))
        s = eaf__db_error(p->db, EAF_NOMEM, "out of memory");
    if (s != EAF_OK) {
        p->status = s;
        return -1;
    }
    p->tlen[i] = (uint32_t)n;
    p->thash[i] = h;
    p->tslot[j] = (uint32_t)++p->nterms;
found:
    if (p->tdf[i] < 2 || p->tdf[i] > p->max_df)
        return 0;
    *id = (uint32_t)i;
    *df = p->tdf[i];
    return 1;
}

static int sql_lookup(void *ctx, const char *t, size_t n, uint32_t *id, uint32_t *df)
{
    sqlpath *p = ctx;
    int rc;

    if (p->fts)
        return fts_lookup(p, t, n, id, df);
    sqlite3_reset(p->term_id);
    sqlite3_bind_text(p->term_id, 1, t, (int)n, SQLITE_STATIC);
    rc = sqlite3_step(p->term_id);
    if (rc == SQLITE_ROW) {
        *id = (uint32_t)sqlite3_column_int64(p->term_id, 0);
        *df = (uint32_t)sqlite3_column_int64(p->term_id, 1);
    }
    sqlite3_reset(p->term_id);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    p->status = eaf__db_sqlerr(p->db, rc, "reading the term statistics");
    return -1;
}

static int own(sqlpath *p, void *mem)
{
    if (!mem)
        return -1;
    if (p->nowned == p->capowned) {
        size_t cap = p->capowned ? p->capowned * 2 : 64;
        void **o = eaf__realloc(p->owned, cap * sizeof(*o));
        if (!o) {
            eaf__free(mem);
            return -1;
        }
        p->owned = o;
        p->capowned = cap;
    }
    p->owned[p->nowned++] = mem;
    return 0;
}

static void sqlpath_free(sqlpath *p)
{
    size_t i;

    sqlite3_finalize(p->term_id);
    sqlite3_finalize(p->term_text);
    sqlite3_finalize(p->vec);
    sqlite3_finalize(p->text);
    sqlite3_finalize(p->facets);
    sqlite3_finalize(p->facet_df);
    sqlite3_finalize(p->fts_count);
    for (i = 0; i < p->nterms; i++)
        eaf__free(p->terms[i]);
    eaf__free(p->terms);
    eaf__free(p->tdf);
    eaf__free(p->tlen);
    eaf__free(p->thash);
    eaf__free(p->tslot);
    if (!p->fts)
        eaf__tokenizer_free(p->tok);
    for (i = 0; i < p->nvals; i++)
        eaf__free(p->vals[i].norm);
    eaf__free(p->vals);
    eaf__free(p->vkind);
    eaf__free(p->vidf);
    eaf__free(p->vslot);
    for (i = 0; i < p->nowned; i++)
        eaf__free(p->owned[i]);
    eaf__free(p->owned);
    eaf__free(p->docs);
}

/* The statements both kinds of path read articles and metadata with. */
static eaf_status sqlpath_statements(sqlpath *p, eaf_db *db)
{
    eaf_status s;
    int k;

    s = eaf__rel_prepare(db, "SELECT title, summary, body FROM article WHERE id = ?1", &p->text,
                         "reading an article");
    if (s == EAF_OK)
        s = eaf__rel_prepare(db,
                             "SELECT kind, norm FROM facet WHERE article_id = ?1"
                             " AND kind IN (?2, ?3, ?4, ?5)",
                             &p->facets, "reading metadata");
    if (s == EAF_OK)
        s = eaf__rel_prepare(db, "SELECT count(*) FROM facet WHERE kind = ?1 AND norm = ?2",
                             &p->facet_df, "reading metadata");
    for (k = 0; s == EAF_OK && k < EAF__META_KINDS; k++)
        sqlite3_bind_int(p->facets, k + 2, eaf__rel_facet_kind[k]);
    return s;
}

/* A path without stored statistics: every vector from its text, with the
 * document frequencies counted in the full-text index (the terms in more
 * than max_share of the articles, or in one, dropped as by the batch). */
static eaf_status sqlpath_init_fts(sqlpath *p, eaf_db *db, const eaf__rel_opts *o)
{
    eaf_status s;
    double max_df;

    memset(p, 0, sizeof(*p));
    p->db = db;
    p->o = o;
    p->ncand = eaf__rel_candidates(o);
    s = eaf__rel_fts_get(&p->fts, db);
    if (s != EAF_OK)
        return s;
    p->tok = eaf__rel_fts_tokenizer(p->fts);
    p->narticles = eaf__rel_fts_articles(p->fts);
    p->n_model = p->narticles > UINT32_MAX ? UINT32_MAX : (uint32_t)p->narticles;
    max_df = floor(o->max_share * (double)p->n_model);
    p->max_df = max_df < 2.0 ? 2 : (uint32_t)max_df;
    /* the same columns as the stored path's statement, none of them a vector */
    s = eaf__rel_prepare(db, "SELECT day, NULL, NULL, NULL, NULL FROM article WHERE id = ?1",
                         &p->vec, "reading an article");
    if (s == EAF_OK)
        s = sqlpath_statements(p, db);
    return s;
}

static eaf_status sqlpath_init(sqlpath *p, eaf_db *db, const eaf__rel_opts *o)
{
    eaf_status s;
    sqlite3_int64 count = 0;
    char *v;
    int64_t n;

    memset(p, 0, sizeof(*p));
    p->db = db;
    p->o = o;
    p->ncand = eaf__rel_candidates(o);
    v = eaf__rel_meta_get(db, "related_n", &s);
    if (s != EAF_OK)
        return s;
    n = v ? strtoll(v, NULL, 10) : 0;
    eaf__free(v);
    if (n < 1 || n > UINT32_MAX)
        return eaf__db_error(db, EAF_CORRUPT, "the stored related-article model is damaged");
    p->n_model = (uint32_t)n;
    if (eaf__tokenizer_new(&p->tok, db->language) != EAF_OK)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    s = eaf__set_article_stat(db, "count(*)", "sum", &count, NULL);
    p->narticles = (int64_t)count;
    if (s == EAF_OK)
        s = eaf__rel_prepare(db, "SELECT id, df FROM related_term WHERE term = ?1", &p->term_id,
                             "reading the term statistics");
    if (s == EAF_OK)
        s = eaf__rel_prepare(db, "SELECT term, df FROM related_term WHERE id = ?1", &p->term_text,
                             "reading the term statistics");
    /* (a subquery, not a join: a set's view is then searched by id in
     * each shard, not made whole for every article) */
    if (s == EAF_OK)
        s = eaf__rel_preparef(db, &p->vec, "reading a vector",
                              "SELECT a.day, v.hash, v.length, v.vec,"
                              " (SELECT s.changed FROM %s s WHERE s.article_id = a.id)"
                              " FROM article a LEFT JOIN related_vector v ON v.article_id = a.id"
                              " WHERE a.id = ?1",
                              EAF__REL_CHANGED(db));
    if (s == EAF_OK)
        s = sqlpath_statements(p, db);
    return s;
}

/* The id of a metadata value among those seen; -1 on an error (in
 * p->status). */
static int64_t value_id(sqlpath *p, int kind, const char *norm)
{
    size_t j, i;
    uint32_t h = (uint32_t)eaf__rel_term_hash(norm, strlen(norm)) ^ (uint32_t)kind;
    int64_t df = 0;
    int rc;

    if ((p->nvals + 1) * 2 > p->vslots) {
        size_t slots = p->vslots ? p->vslots * 2 : 256;
        uint32_t *vs = eaf__calloc(slots, sizeof(*vs));
        if (!vs)
            goto nomem;
        for (i = 0; i < p->nvals; i++) {
            const sql_value *v = &p->vals[i];
            uint32_t hv = (uint32_t)eaf__rel_term_hash(v->norm, strlen(v->norm)) ^ (uint32_t)v->kind;
            for (j = hv & (slots - 1); vs[j]; j = (j + 1) & (slots - 1))
                ;
            vs[j] = (uint32_t)i + 1;
        }
        eaf__free(p->vslot);
        p->vslot = vs;
        p->vslots = slots;
    }
    for (j = h & (p->vslots - 1); p->vslot[j]; j = (j + 1) & (p->vslots - 1)) {
        const sql_value *v = &p->vals[p->vslot[j] - 1];
        if (v->kind == kind && strcmp(v->norm, norm) == 0)
            return p->vslot[j] - 1;
    }
    if (p->nvals == p->capvals) {
        size_t cap = p->capvals ? p->capvals * 2 : 64;
        sql_value *v = eaf__realloc(p->vals, cap * sizeof(*v));
        unsigned char *k = v ? eaf__realloc(p->vkind, cap) : NULL;
        float *f = k ? eaf__realloc(p->vidf, cap * sizeof(*f)) : NULL;
        if (v)
            p->vals = v;
        if (k)
            p->vkind = k;
        if (!f)
            goto nomem;
        p->vidf = f;
        p->capvals = cap;
    }
    sqlite3_reset(p->facet_df);
    sqlite3_bind_int(p->facet_df, 1, eaf__rel_facet_kind[kind]);
    sqlite3_bind_text(p->facet_df, 2, norm, -1, SQLITE_STATIC);
    rc = sqlite3_step(p->facet_df);
    if (rc == SQLITE_ROW)
        df = sqlite3_column_int64(p->facet_df, 0);
    sqlite3_reset(p->facet_df);
    if (rc != SQLITE_ROW) {
        p->status = eaf__db_sqlerr(p->db, rc, "reading metadata");
        return -1;
    }
    p->vals[p->nvals].kind = kind;
    p->vals[p->nvals].norm = eaf__strdup(norm);
    if (!p->vals[p->nvals].norm)
        goto nomem;
    p->vkind[p->nvals] = (unsigned char)kind;
    p->vidf[p->nvals] = df > 0 && p->narticles > df
                            ? (float)log((double)p->narticles / (double)df) : 0.0f;
    p->vslot[j] = (uint32_t)++p->nvals;
    return (int64_t)p->nvals - 1;
nomem:
    p->status = eaf__db_error(p->db, EAF_NOMEM, "out of memory");
    return -1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* Steps st, bound to an article's id, to that article's row: 0 on it (st
 * stays on the row), -1 when the article is gone, -2 on an error
 * (p->status, with the message on the handle). */
static int step_article(sqlpath *p, sqlite3_stmt *st, int64_t id, const char *what)
{
    int rc;

    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return -1;
    p->status = eaf__db_sqlerr(p->db, rc, what);
    return -2;
}

/* Records that memory ran out (on the handle and in p->status): -2. */
static int no_memory(sqlpath *p)
{
    p->status = eaf__db_error(p->db, EAF_NOMEM, "out of memory");
    return -2;
}

/* The article's date and, when its stored statistics are up to date, its
 * vector from them (into *v, *n; d->hash set).  1 with the vector, 0 without
 * (none stored, stale or unreadable), -1 when the article is gone, -2 on an
 * error (p->status). */
static int stored_vector(sqlpath *p, eaf__rel_doc *d, eaf__rel_pair **v, uint32_t *n)
{
    int rc, fresh;

    rc = step_article(p, p->vec, d->id, "reading a vector");
    if (rc < 0)
        return rc;
    d->ymd = sqlite3_column_type(p->vec, 0) == SQLITE_NULL ? 0 : sqlite3_column_int(p->vec, 0);
    d->day = eaf__rel_day(d->ymd);
    fresh = sqlite3_column_type(p->vec, 3) != SQLITE_NULL &&
            !(sqlite3_column_type(p->vec, 4) != SQLITE_NULL && sqlite3_column_int(p->vec, 4) != 0);
    if (fresh) {
        int got;
        *v = eaf__malloc(p->o->terms * sizeof(**v));
        if (!*v) {
            sqlite3_reset(p->vec);
            return no_memory(p);
        }
        got = eaf__rel_decode(sqlite3_column_blob(p->vec, 3),
                              (size_t)sqlite3_column_bytes(p->vec, 3), *v, p->o->terms);
        d->hash = (uint64_t)sqlite3_column_int64(p->vec, 1);
        if (got < 0) {
            eaf__free(*v);
            *v = NULL;
            fresh = 0;
        } else {
            *n = (uint32_t)got;
        }
    }
    sqlite3_reset(p->vec);
    return fresh;
}

/* The article's vector from the terms of its text (into *v, *n; d->hash set):
 * 0, -1 when the article is gone, -2 on an error (p->status). */
static int counted_vector(sqlpath *p, eaf__rel_doc *d, eaf__rel_pair **v, uint32_t *n)
{
    eaf__rel_counts c;
    eaf_status s;
    /* without stored statistics, the terms of a text counted for a
     * list before are kept on the handle */
    int kept = p->fts && eaf__rel_fts_text(p->fts, d->id, p->o->title_weight, &c);

    if (!kept) {
        int rc = step_article(p, p->text, d->id, "reading an article");
        if (rc < 0)
            return rc;
        s = eaf__rel_count_text(&c, p->tok, p->o->title_weight,
                                (const char *)sqlite3_column_text(p->text, 0),
                                (const char *)sqlite3_column_text(p->text, 1),
                                (const char *)sqlite3_column_text(p->text, 2));
        sqlite3_reset(p->text);
        if (s != EAF_OK)
            return no_memory(p);
        if (p->fts)
            eaf__rel_fts_keep_text(p->fts, d->id, p->o->title_weight, &c);
    }
    d->hash = c.hash;
    s = eaf__rel_vector(v, n, &c, p->o->terms, p->o->idf_power, p->n_model, sql_lookup, p);
    if (!kept)
        eaf__rel_counts_free(&c);
    if (s == EAF_ERROR)
        return -2; /* the lookup set p->status */
    if (s != EAF_OK)
        return no_memory(p);
    return 0;
}

/* The ids of the article's metadata values the options weigh, sorted (into
 * *vals, owned by p, and *nv): 0, or -2 on an error (p->status). */
static int load_values(sqlpath *p, int64_t id, uint32_t **vals, uint32_t *nv)
{
    uint32_t capv = 0;
    int rc;

    sqlite3_reset(p->facets);
    sqlite3_bind_int64(p->facets, 1, id);
    while ((rc = sqlite3_step(p->facets)) == SQLITE_ROW) {
        int fk = sqlite3_column_int(p->facets, 0), mk;
        const char *norm = (const char *)sqlite3_column_text(p->facets, 1);
        int64_t vid;
        for (mk = 0; mk < EAF__META_KINDS && eaf__rel_facet_kind[mk] != fk; mk++)
            ;
        if (mk == EAF__META_KINDS || !norm)
            continue;
        vid = value_id(p, mk, norm);
        if (vid < 0) {
            sqlite3_reset(p->facets);
            eaf__free(*vals);
            return -2;
        }
        if (*nv == capv) {
            uint32_t cap = capv ? capv * 2 : 8;
            uint32_t *nvv = eaf__realloc(*vals, cap * sizeof(*nvv));
            if (!nvv) {
                sqlite3_reset(p->facets);
                eaf__free(*vals);
                return no_memory(p);
            }
            *vals = nvv;
            capv = cap;
        }
        (*vals)[(*nv)++] = (uint32_t)vid;
    }
    sqlite3_reset(p->facets);
    if (rc != SQLITE_DONE) {
        eaf__free(*vals);
        p->status = eaf__db_sqlerr(p->db, rc, "reading metadata");
        return -2;
    }
    if (*vals && own(p, *vals) < 0)
        return no_memory(p);
    if (*nv > 1)
        qsort(*vals, *nv, sizeof(**vals), cmp_u32);
    return 0;
}

/* Reads what the ranking needs of one article into a new view; returns
 * its index in p->docs, -1 when the article is gone, or -2 on an error
 * (p->status, with the message on the handle). */
static int64_t load_doc(sqlpath *p, int64_t id)
{
    eaf__rel_doc *d;
    eaf__rel_pair *v = NULL;
    uint32_t *vals = NULL, nv = 0, n = 0;
    int rc, any_meta = 0, k;

    if (p->ndocs == p->capdocs) {
        size_t cap = p->capdocs ? p->capdocs * 2 : 64;
        eaf__rel_doc *nd = eaf__realloc(p->docs, cap * sizeof(*nd));
        if (!nd)
            return no_memory(p);
        p->docs = nd;
        p->capdocs = cap;
    }
    d = &p->docs[p->ndocs];
    memset(d, 0, sizeof(*d));
    d->id = id;
    rc = stored_vector(p, d, &v, &n);
    if (rc == 0)
        rc = counted_vector(p, d, &v, &n);
    if (rc < 0)
        return rc;
    if (own(p, v) < 0)
        return no_memory(p);
    d->v = v;
    d->n = n;
    for (k = 0; k < EAF__META_KINDS; k++)
        any_meta |= p->o->meta[k] > 0.0;
    if (any_meta && load_values(p, id, &vals, &nv) < 0)
        return -2;
    d = &p->docs[p->ndocs];
    d->val = vals;
    d->nval = nv;
    return (int64_t)p->ndocs++;
}

/* The values' table as the ranking reads it, and the norms of every view
 * (once all of them are loaded: the value table may move as it grows). */
static void finish_docs(sqlpath *p, eaf__rel_values *vals)
{
    size_t i;

    vals->kind = p->vkind;
    vals->idf = p->vidf;
    for (i = 0; i < p->ndocs; i++)
        eaf__rel_doc_norms(&p->docs[i], vals);
}

/* The stem of a term id, into b, and its df (when df is not NULL); 0
 * when unknown. */
static int term_info(sqlpath *p, uint32_t id, eaf__buf *b, uint32_t *df)
{
    const char *t;
    int rc, ok = 0;

    if (p->fts) {
        if (id >= p->nterms)
            return 0;
        eaf__buf_reset(b);
        eaf__buf_puts(b, p->terms[id]);
        if (df)
            *df = p->tdf[id];
        return b->rc == EAF_OK;
    }
    sqlite3_reset(p->term_text);
    sqlite3_bind_int64(p->term_text, 1, id);
    rc = sqlite3_step(p->term_text);
    if (rc == SQLITE_ROW && (t = (const char *)sqlite3_column_text(p->term_text, 0)) != NULL) {
        eaf__buf_reset(b);
        eaf__buf_puts(b, t);
        if (df)
            *df = (uint32_t)sqlite3_column_int64(p->term_text, 1);
        ok = b->rc == EAF_OK;
    }
    sqlite3_reset(p->term_text);
    return ok;
}

static int term_string(sqlpath *p, uint32_t id, eaf__buf *b)
{
    return term_info(p, id, b, NULL);
}

/* The newest day of the index. */
static int32_t newest_day(eaf_db *db)
{
    sqlite3_int64 day = 0;
    int none = 1;

    if (eaf__set_article_stat(db, "max(day)", "max", &day, &none) != EAF_OK || none)
        return EAF__REL_NO_DAY;
    return eaf__rel_day((int)day);
}

static int sql_stem(void *ctx, uint32_t id, eaf__buf *b)
{
    return term_string(ctx, id, b);
}

static int cmp_pair_desc(const void *a, const void *b)
{
    const eaf__rel_pair *x = a, *y = b;

    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

/* ---- candidates in a shard set ------------------------------------------------------ */

/* Starts the spec of the rank function on a set's shards with the set's
 * row count and column totals ("n=.. tot=.. df="). */
static eaf_status set_spec_start(eaf_db *db, eaf__buf *rank)
{
    eaf__set_totals t;
    eaf_status s = eaf__set_totals_read(db, &t);
    int c;

    if (s != EAF_OK)
        return s;
    eaf__buf_printf(rank, "n=%lld tot=", (long long)t.nrow);
    for (c = 0; c < EAF__COL_COUNT; c++)
        eaf__buf_printf(rank, "%s%lld", c ? "," : "", (long long)t.tot[c]);
    eaf__buf_puts(rank, " df=");
    return EAF_OK;
}

/* Adds phrase i's document frequency over the set to the spec: the
 * number rank.c counts in one file when it is given no range of ids (the
 * rows up to its sample, not an estimate past it).  phrase: the phrase's
 * text in the query, to its end. */
static eaf_status set_spec_df(eaf_db *db, eaf__buf *rank, const char *phrase, uint32_t i)
{
    char *expr = eaf__printf("{title summary body} : %s", phrase);
    sqlite3_int64 got = 0, last = 0;
    eaf_status s;

    if (!expr)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    s = eaf__set_phrase_ids(db, expr, EAF__DF_SAMPLE, &got, &last);
    eaf__free(expr);
    if (s == EAF_OK)
        eaf__buf_printf(rank, "%s%lld", i ? "," : "", (long long)got);
    return s;
}

typedef struct ranked_id {
    double rank;
    int64_t id;
} ranked_id;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked_id *x = a, *y = b;

    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The best `want` rows of the query q ranked by rank over a set: each
 * shard's best `want`, merged (the shards rank with the set's statistics,
 * so that the scores are those of one file). */
static eaf_status set_candidates(eaf_db *db, const char *q, const char *rank, size_t want,
                                 int64_t **ids, size_t *n)
{
    ranked_id *all = NULL;
    size_t nall = 0, i;
    unsigned k;
    eaf_status s = EAF_OK;

    all = eaf__malloc(want * db->set_n * sizeof(*all) + 1);
    if (!all)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    for (k = 0; s == EAF_OK && k < db->set_n; k++) {
        /* on the shard's own handle, whose fts is its main one (rank.c
         * keeps the column sizes of the connection's main fts) */
        eaf_db *shard = db->set->db[k];
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(shard->sql,
                                    "SELECT rowid, rank FROM fts WHERE fts MATCH ?1"
                                    " AND rank MATCH ?2 ORDER BY rank LIMIT ?3",
                                    -1, &st, NULL);

        if (rc != SQLITE_OK) {
            sqlite3_finalize(st);
            s = eaf__db_error(db, eaf__db_status(shard, rc), "finding candidates: %s",
                              sqlite3_errmsg(shard->sql));
            break;
        }
        sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rank, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)want);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && nall < want * db->set_n) {
            all[nall].id = sqlite3_column_int64(st, 0);
            all[nall].rank = sqlite3_column_double(st, 1);
            nall++;
        }
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            s = eaf__db_error(db, eaf__db_status(shard, rc), "finding candidates: %s",
                              sqlite3_errmsg(shard->sql));
        sqlite3_finalize(st);
    }
    if (s == EAF_OK) {
        qsort(all, nall, sizeof(*all), cmp_ranked);
        *n = nall < want ? nall : want;
        *ids = eaf__malloc((*n ? *n : 1) * sizeof(**ids));
        if (!*ids)
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
        for (i = 0; s == EAF_OK && i < *n; i++)
            (*ids)[i] = all[i].id;
    }
    eaf__free(all);
    return s;
}

/* The ids of the source's candidates, from the full-text index: the
 * articles with its weightiest terms (as in the batch, but for those that
 * would bring more than CANDIDATE_ROWS rows in all), ranked by BM25F over
 * the title, summary and body with each term weighing what it weighs in
 * the source's vector. */
static eaf_status fts_candidates(sqlpath *p, const eaf__rel_doc *src, int64_t **ids,
                                 size_t *n)
{
    eaf__buf q = EAF__BUF_INIT, t = EAF__BUF_INIT, rank = EAF__BUF_INIT, grp = EAF__BUF_INIT;
    eaf__rel_pair top[EAF__REL_MAX_TERMS];
    size_t at = 0;
    sqlite3_stmt *st = NULL;
    uint32_t i, nq = src->n, phrases = 0;
    uint64_t rows = 0;
    int rc;
    eaf_status s = EAF_OK;

    *ids = NULL;
    *n = 0;
    memcpy(top, src->v, src->n * sizeof(*top));
    if (nq > 1)
        qsort(top, nq, sizeof(*top), cmp_pair_desc);
    if (nq > EAF__REL_QUERY_TERMS)
        nq = EAF__REL_QUERY_TERMS;
    eaf__buf_puts(&q, "{title summary body} : (");
    eaf__buf_printf(&rank, EAF__RANK_FUNCTION "(%g, 0, 0, 0, 0, 1, 1, 0, 1.2, 0.75, 0, '",
                    p->o->title_weight);
    /* a set's shards rank with the statistics of the whole set */
    if (p->db->set && (s = set_spec_start(p->db, &rank)) != EAF_OK) {
        eaf__buf_free(&q);
        eaf__buf_free(&rank);
        return s;
    }
    for (i = 0; i < src->n && phrases < nq; i++) {
        const char *c;
        uint32_t df = 0;
        if (!term_info(p, top[i].term, &t, &df))
            continue;
        /* a term that would take the rows past the budget is passed over
         * (the first is always taken) */
        if (phrases && rows + df > CANDIDATE_ROWS)
            continue;
        rows += df;
        eaf__buf_puts(&q, phrases ? " OR " : "");
        at = q.n;
        eaf__buf_puts(&q, "\"\x01");
        for (c = eaf__buf_cstr(&t); c && *c; c++) {
            if (*c == '"')
                eaf__buf_putc(&q, '"');
            eaf__buf_putc(&q, *c);
        }
        eaf__buf_putc(&q, '"');
        eaf__buf_printf(&grp, "%s%u:%.6f", phrases ? " " : "", phrases, (double)top[i].w);
        if (p->db->set && q.rc == EAF_OK &&
            (s = set_spec_df(p->db, &rank, q.p + at, phrases)) != EAF_OK)
            break;
        phrases++;
    }
    eaf__buf_putc(&q, ')');
    if (p->db->set)
        eaf__buf_putc(&rank, ' ');
    eaf__buf_puts(&rank, grp.p ? grp.p : "");
    eaf__buf_puts(&rank, "')");
    eaf__buf_free(&grp);
    if (s != EAF_OK) {
        eaf__buf_free(&t);
        eaf__buf_free(&q);
        eaf__buf_free(&rank);
        return s;
    }
    eaf__buf_free(&t);
    if (q.rc != EAF_OK || rank.rc != EAF_OK) {
        eaf__buf_free(&q);
        eaf__buf_free(&rank);
        return eaf__db_error(p->db, EAF_NOMEM, "out of memory");
    }
    /* the articles put in the open transaction reach fts only now */
    s = eaf__db_fts_sync(p->db);
    if (s == EAF_OK && phrases && p->db->set) {
        s = set_candidates(p->db, q.p, rank.p, p->ncand + 1, ids, n);
    } else if (s == EAF_OK && phrases) {
        s = eaf__rel_prepare(p->db,
                             "SELECT rowid FROM fts WHERE fts MATCH ?1 AND rank MATCH ?2"
                             " ORDER BY rank LIMIT ?3",
                             &st, "finding candidates");
    }
    if (s == EAF_OK && st) {
        sqlite3_bind_text(st, 1, q.p, (int)q.n, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rank.p, (int)rank.n, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, (int)p->ncand + 1);
        *ids = eaf__malloc((p->ncand + 1) * sizeof(**ids));
        if (!*ids)
            s = eaf__db_error(p->db, EAF_NOMEM, "out of memory");
        while (s == EAF_OK && (rc = sqlite3_step(st)) == SQLITE_ROW && *n <= p->ncand)
            (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
        if (s == EAF_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
            s = eaf__db_sqlerr(p->db, rc, "finding candidates");
    }
    sqlite3_finalize(st);
    eaf__buf_free(&q);
    eaf__buf_free(&rank);
    if (s != EAF_OK) {
        eaf__free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return s;
}

/* Computes r's list: from the stored statistics, or (fts) from the
 * counts of the full-text index. */
eaf_status eaf__rel_compute(eaf_related *r, int fts)
{
    sqlpath p;
    eaf__rel_values vals;
    eaf__rel_hit *work = NULL, *hits = NULL;
    sqlite3_stmt *names = NULL;
    int64_t *ids = NULL, src;
    size_t nids = 0, i;
    uint32_t k, j;
    eaf_status s;

    s = fts ? sqlpath_init_fts(&p, r->db, &r->o) : sqlpath_init(&p, r->db, &r->o);
    if (s == EAF_OK) {
        src = load_doc(&p, r->src);
        if (src < 0)
            s = src == -1 ? eaf__db_error(r->db, EAF_NOTFOUND, "the article is gone")
                          : p.status;
    }
    if (s == EAF_OK)
        s = fts_candidates(&p, &p.docs[0], &ids, &nids);
    for (i = 0; s == EAF_OK && i < nids; i++) {
        int64_t d;
        if (ids[i] == r->src)
            continue;
        d = load_doc(&p, ids[i]);
        if (d == -2)
            s = p.status;
    }
    if (s == EAF_OK) {
        work = eaf__malloc((p.ndocs + 1) * sizeof(*work));
        hits = eaf__malloc(r->o.count * sizeof(*hits));
        if (!r->items)
            r->items = eaf__calloc(r->o.count, sizeof(*r->items));
        if (!work || !hits || !r->items)
            s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    }
    if (s == EAF_OK)
        s = eaf__rel_prepare(r->db, "SELECT key, title FROM article WHERE id = ?1", &names,
                             "reading a related article");
    if (s == EAF_OK) {
        finish_docs(&p, &vals);
        k = eaf__rel_rank(hits, &p.docs[0], p.docs + 1, (uint32_t)(p.ndocs - 1), &vals, &r->o,
                          newest_day(r->db), work, NULL);
        for (j = 0; j < k && s == EAF_OK; j++) {
            s = eaf__rel_add_item(r, names, &hits[j]);
            if (s == EAF_OK) {
                r->items[r->n - 1].have_parts = 1;
                if (eaf__rel_item_stems(&r->items[r->n - 1], &p.docs[0], &p.docs[1 + hits[j].ref],
                                        sql_stem, &p) != EAF_OK)
                    s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
            }
        }
    }
    sqlite3_finalize(names);
    eaf__free(ids);
    eaf__free(work);
    eaf__free(hits);
    sqlpath_free(&p);
    if (s == EAF_ERROR && !eaf_db_errmsg(r->db)[0])
        s = eaf__db_error(r->db, EAF_ERROR, "computing the related articles failed");
    return s;
}

/* Works out the parts of the score of stored items, as a list computed
 * on demand would: the source against its candidates from the full-text
 * index and the stored items (which also decide its neighbours). */
eaf_status eaf__rel_parts_of_stored(eaf_related *r)
{
    sqlpath p;
    eaf__rel_values vals;
    eaf__rel_hit *work = NULL;
    int64_t *ids = NULL, src, *at = NULL;
    size_t nids = 0, i, j;
    uint32_t m = 0;
    eaf_status s;

    s = sqlpath_init(&p, r->db, &r->o);
    if (s == EAF_OK) {
        src = load_doc(&p, r->src);
        if (src < 0)
            s = src == -1 ? eaf__db_error(r->db, EAF_NOTFOUND, "the article is gone") : p.status;
    }
    /* the stored items first (their places are known), then the rest */
    if (s == EAF_OK && !(at = eaf__malloc((r->n + 1) * sizeof(*at))))
        s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    for (i = 0; s == EAF_OK && i < r->n; i++) {
        at[i] = load_doc(&p, r->items[i].id);
        if (at[i] == -2)
            s = p.status;
    }
    if (s == EAF_OK)
        s = fts_candidates(&p, &p.docs[0], &ids, &nids);
    for (i = 0; s == EAF_OK && i < nids; i++) {
        int listed = ids[i] == r->src;
        for (j = 0; j < r->n && !listed; j++)
            listed = r->items[j].id == ids[i];
        if (!listed && load_doc(&p, ids[i]) == -2)
            s = p.status;
    }
    if (s == EAF_OK && !(work = eaf__malloc(p.ndocs * sizeof(*work))))
        s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    if (s == EAF_OK) {
        finish_docs(&p, &vals);
        m = eaf__rel_score_all(work, &p.docs[0], p.docs + 1, (uint32_t)(p.ndocs - 1), &vals,
                               &r->o, newest_day(r->db), NULL);
    }
    for (i = 0; s == EAF_OK && i < r->n; i++) {
        eaf__rel_item *it = &r->items[i];
        if (at[i] < 0)
            continue;
        for (j = 0; j < m && work[j].ref + 1 != (uint32_t)at[i]; j++)
            ;
        if (j == m)
            continue; /* not allowed with these options: no parts */
        it->text = work[j].text;
        memcpy(it->meta, work[j].meta, sizeof(it->meta));
        it->factor = work[j].factor;
        it->have_parts = 1;
        if (eaf__rel_item_stems(it, &p.docs[0], &p.docs[at[i]], sql_stem, &p) != EAF_OK)
            s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    }
    eaf__free(at);
    eaf__free(ids);
    eaf__free(work);
    sqlpath_free(&p);
    if (s == EAF_ERROR && !eaf_db_errmsg(r->db)[0])
        s = eaf__db_error(r->db, EAF_ERROR, "explaining the related articles failed");
    return s;
}
