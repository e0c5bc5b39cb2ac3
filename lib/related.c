/*
 * related.c: related articles through the public API: a list for one
 * article (read from the store, or computed on demand), its explanations,
 * and the batch build and the refresh that keep the stored lists.
 *
 * The store (schema 4, see schema.c) keeps, from the last build: the
 * options (eaf_meta related_config) and the number of articles then
 * (related_n), the kept terms with their document frequencies
 * (related_term), each article's vector and text hash (related_vector),
 * and each list (related_list).  Triggers mark lists stale
 * (related_stale) as articles are stored and deleted.
 *
 * On demand, a list is computed without the whole model: the source's
 * vector (stored, or computed from its text), its candidates from the
 * full-text index (an OR of its weightiest terms, the best by BM25F), and
 * their vectors (stored, or computed from their text); then the same final
 * ranking as the batch.  The vectors computed take the stored term
 * statistics, or in an index without them (never built, built with other
 * vector options, or a read-only index of an older schema) the document
 * frequencies counted in the full-text index (related_fts.c), kept on the
 * handle for the next lists.
 */
#include "related.h"
#include "fts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Shared terms an explanation names. */
#define EXPLAIN_TERMS 5
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
/* The most threads a batch build scores on (one per processor). */
#define MAX_BUILD_THREADS 4
/* A refresh builds everything again when more than this share of the
 * articles changed since the last build. */
#define REBUILD_SHARE 0.1

static const char *const reason_names[EAF_REASON_LAST] = {"topic", "country", "tag", "author",
                                                          "term"};
static const char *const reason_plural[EAF_REASON_LAST] = {"topics", "countries", "tags",
                                                           "authors", "terms"};

typedef struct rel_item {
    int64_t id;
    char *key, *title;
    double score;
    int have_parts;
    double text, meta[EAF__META_KINDS], factor;
    eaf__strvec stems;        /* the shared terms, as stems, best first */
    eaf__strvec shared[EAF_REASON_LAST];
    char *explain;
} rel_item;

struct eaf_related {
    eaf_db *db;
    int64_t src;
    eaf__rel_opts o;
    int stored;
    rel_item *items;
    size_t n;
    int explained;            /* 1 done, -1 failed */
};

const char *eaf_related_reason_name(eaf_related_reason kind)
{
    return (unsigned)kind < EAF_REASON_LAST ? reason_names[kind] : NULL;
}

static unsigned build_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("EAF_RELATED_THREADS");

    if (env && *env)
        n = strtol(env, NULL, 10);
    return n < 1 ? 1 : n > MAX_BUILD_THREADS ? MAX_BUILD_THREADS : (unsigned)n;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- small SQL helpers --------------------------------------------------------- */

static eaf_status prepare(eaf_db *db, const char *sql, sqlite3_stmt **st, const char *what)
{
    int rc = sqlite3_prepare_v2(db->sql, sql, -1, st, NULL);

    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return eaf__db_sqlerr(db, rc, what);
    }
    return EAF_OK;
}

static eaf_status exec(eaf_db *db, const char *sql, const char *what)
{
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(db, rc, what);
}

/* Steps a statement that returns no rows, and resets it. */
static eaf_status run(eaf_db *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE ? EAF_OK : eaf__db_sqlerr(db, rc, what);
}

/* A value of eaf_meta, or NULL (the caller frees it).  Sets *st. */
static char *meta_get(eaf_db *db, const char *name, eaf_status *s)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    int rc;

    *s = prepare(db, "SELECT value FROM eaf_meta WHERE name = ?1", &st, "reading the index");
    if (*s != EAF_OK)
        return NULL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        v = eaf__strdup(t ? t : "");
        if (!v)
            *s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    } else if (rc != SQLITE_DONE) {
        *s = eaf__db_sqlerr(db, rc, "reading the index");
    }
    sqlite3_finalize(st);
    return v;
}

/* The options of the index: its defaults for what is not asked (*dflt:
 * eaf_meta related_defaults, else the options of the stored lists, else
 * the library's), and the options the stored lists were built with
 * (*stored, when *have is 1; stored and have may be NULL). */
static eaf_status index_options(eaf_db *db, eaf__rel_opts *dflt, eaf__rel_opts *stored,
                                int *have)
{
    eaf__rel_opts st;
    eaf_status s = EAF_OK;
    char *v;
    int got = 0;

    eaf__rel_opts_library(dflt);
    if (db->schema_version >= 4) {
        v = meta_get(db, "related_config", &s);
        got = s == EAF_OK && v && eaf__rel_opts_parse(&st, v);
        eaf__free(v);
        if (got)
            *dflt = st;
        if (s == EAF_OK) {
            eaf__rel_opts d;
            v = meta_get(db, "related_defaults", &s);
            if (s == EAF_OK && v && eaf__rel_opts_parse(&d, v))
                *dflt = d;
            eaf__free(v);
        }
    }
    if (stored && got)
        *stored = st;
    if (have)
        *have = got;
    return s;
}

/* ---- lists --------------------------------------------------------------------- */

static void item_clear(rel_item *it)
{
    int k;

    eaf__free(it->key);
    eaf__free(it->title);
    eaf__strvec_free(&it->stems);
    for (k = 0; k < EAF_REASON_LAST; k++)
        eaf__strvec_free(&it->shared[k]);
    eaf__free(it->explain);
}

void eaf_related_free(eaf_related *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->n; i++)
        item_clear(&r->items[i]);
    eaf__free(r->items);
    if (r->db) {
        r->db->children--;
        eaf__db_snapshot_end(r->db);
    }
    eaf__free(r);
}

size_t eaf_related_count(const eaf_related *r)
{
    return r ? r->n : 0;
}

const char *eaf_related_key(const eaf_related *r, size_t i)
{
    return r && i < r->n ? r->items[i].key : NULL;
}

const char *eaf_related_title(const eaf_related *r, size_t i)
{
    return r && i < r->n ? r->items[i].title : NULL;
}

double eaf_related_score(const eaf_related *r, size_t i)
{
    return r && i < r->n ? r->items[i].score : 0.0;
}

int64_t eaf__related_id(const eaf_related *r, size_t i)
{
    return r && i < r->n ? r->items[i].id : 0;
}

int eaf_related_stored(const eaf_related *r)
{
    return r ? r->stored : 0;
}

/* Appends an article to a list, reading its key and title. */
static eaf_status add_item(eaf_related *r, sqlite3_stmt *names, const eaf__rel_hit *h)
{
    rel_item *it = &r->items[r->n];
    int rc;

    memset(it, 0, sizeof(*it));
    it->id = h->id;
    it->score = h->score;
    it->text = h->text;
    memcpy(it->meta, h->meta, sizeof(it->meta));
    it->factor = h->factor;
    sqlite3_reset(names);
    sqlite3_bind_int64(names, 1, h->id);
    rc = sqlite3_step(names);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(names);
        return rc == SQLITE_DONE ? eaf__db_error(r->db, EAF_CORRUPT, "a listed article is gone")
                                 : eaf__db_sqlerr(r->db, rc, "reading a related article");
    }
    it->key = eaf__strdup((const char *)sqlite3_column_text(names, 0));
    it->title = eaf__strdup(sqlite3_column_text(names, 1) ? (const char *)sqlite3_column_text(names, 1)
                                                          : "");
    sqlite3_reset(names);
    if (!it->key || !it->title) {
        item_clear(it);
        return eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    }
    r->n++;
    return EAF_OK;
}

/* Reads the stored list when it is fresh (then *done is 1). */
static eaf_status read_stored(eaf_related *r, int *done)
{
    eaf_db *db = r->db;
    sqlite3_stmt *st = NULL;
    int rc, fresh = 0;
    eaf_status s;

    *done = 0;
    s = prepare(db,
                "SELECT EXISTS(SELECT 1 FROM related_vector WHERE article_id = ?1)"
                " AND NOT EXISTS(SELECT 1 FROM related_stale WHERE article_id = ?1)",
                &st, "reading the related articles");
    if (s != EAF_OK)
        return s;
    sqlite3_bind_int64(st, 1, r->src);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        fresh = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return eaf__db_sqlerr(db, rc, "reading the related articles");
    if (!fresh)
        return EAF_OK;
    s = prepare(db,
                "SELECT l.other_id, l.score, a.key, a.title FROM related_list l"
                " JOIN article a ON a.id = l.other_id WHERE l.article_id = ?1"
                " ORDER BY l.pos LIMIT ?2",
                &st, "reading the related articles");
    if (s != EAF_OK)
        return s;
    sqlite3_bind_int64(st, 1, r->src);
    sqlite3_bind_int(st, 2, (int)r->o.count);
    r->items = eaf__calloc(r->o.count, sizeof(*r->items));
    if (!r->items) {
        sqlite3_finalize(st);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->n < r->o.count) {
        rel_item *it = &r->items[r->n];
        const char *key = (const char *)sqlite3_column_text(st, 2);
        const char *title = (const char *)sqlite3_column_text(st, 3);
        it->id = sqlite3_column_int64(st, 0);
        it->score = sqlite3_column_double(st, 1);
        it->key = eaf__strdup(key ? key : "");
        it->title = eaf__strdup(title ? title : "");
        if (!it->key || !it->title) {
            item_clear(it);
            sqlite3_finalize(st);
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        }
        r->n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return eaf__db_sqlerr(db, rc, "reading the related articles");
    *done = 1;
    return EAF_OK;
}

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

    s = prepare(db, "SELECT title, summary, body FROM article WHERE id = ?1", &p->text,
                "reading an article");
    if (s == EAF_OK)
        s = prepare(db,
                    "SELECT kind, norm FROM facet WHERE article_id = ?1"
                    " AND kind IN (?2, ?3, ?4, ?5)",
                    &p->facets, "reading metadata");
    if (s == EAF_OK)
        s = prepare(db, "SELECT count(*) FROM facet WHERE kind = ?1 AND norm = ?2",
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
    s = prepare(db, "SELECT day, NULL, NULL, NULL, NULL FROM article WHERE id = ?1", &p->vec,
                "reading an article");
    if (s == EAF_OK)
        s = sqlpath_statements(p, db);
    return s;
}

static eaf_status sqlpath_init(sqlpath *p, eaf_db *db, const eaf__rel_opts *o)
{
    eaf_status s;
    sqlite3_stmt *st = NULL;
    char *v;
    int64_t n;

    memset(p, 0, sizeof(*p));
    p->db = db;
    p->o = o;
    p->ncand = eaf__rel_candidates(o);
    v = meta_get(db, "related_n", &s);
    if (s != EAF_OK)
        return s;
    n = v ? strtoll(v, NULL, 10) : 0;
    eaf__free(v);
    if (n < 1 || n > UINT32_MAX)
        return eaf__db_error(db, EAF_CORRUPT, "the stored related-article model is damaged");
    p->n_model = (uint32_t)n;
    if (eaf__tokenizer_new(&p->tok, db->language) != EAF_OK)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    s = prepare(db, "SELECT count(*) FROM article", &st, "counting the articles");
    if (s == EAF_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            p->narticles = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (s == EAF_OK)
        s = prepare(db, "SELECT id, df FROM related_term WHERE term = ?1", &p->term_id,
                    "reading the term statistics");
    if (s == EAF_OK)
        s = prepare(db, "SELECT term, df FROM related_term WHERE id = ?1", &p->term_text,
                    "reading the term statistics");
    if (s == EAF_OK)
        s = prepare(db,
                    "SELECT a.day, v.hash, v.length, v.vec, s.changed FROM article a"
                    " LEFT JOIN related_vector v ON v.article_id = a.id"
                    " LEFT JOIN related_stale s ON s.article_id = a.id WHERE a.id = ?1",
                    &p->vec, "reading a vector");
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

/* Reads what the ranking needs of one article into a new view; returns
 * its index in p->docs, -1 when the article is gone, or -2 on an error
 * (p->status, with the message on the handle). */
static int64_t load_doc(sqlpath *p, int64_t id)
{
    eaf__rel_doc *d;
    eaf__rel_pair *v = NULL;
    uint32_t *vals = NULL, nv = 0, capv = 0, n = 0;
    int rc, fresh, any_meta = 0, k;
    eaf_status s = EAF_OK;

    if (p->ndocs == p->capdocs) {
        size_t cap = p->capdocs ? p->capdocs * 2 : 64;
        eaf__rel_doc *nd = eaf__realloc(p->docs, cap * sizeof(*nd));
        if (!nd)
            goto nomem;
        p->docs = nd;
        p->capdocs = cap;
    }
    d = &p->docs[p->ndocs];
    memset(d, 0, sizeof(*d));
    d->id = id;
    rc = step_article(p, p->vec, id, "reading a vector");
    if (rc < 0)
        return rc;
    d->ymd = sqlite3_column_type(p->vec, 0) == SQLITE_NULL ? 0 : sqlite3_column_int(p->vec, 0);
    d->day = eaf__rel_day(d->ymd);
    fresh = sqlite3_column_type(p->vec, 3) != SQLITE_NULL &&
            !(sqlite3_column_type(p->vec, 4) != SQLITE_NULL && sqlite3_column_int(p->vec, 4) != 0);
    if (fresh) {
        int got;
        v = eaf__malloc(p->o->terms * sizeof(*v));
        if (!v) {
            sqlite3_reset(p->vec);
            goto nomem;
        }
        got = eaf__rel_decode(sqlite3_column_blob(p->vec, 3),
                              (size_t)sqlite3_column_bytes(p->vec, 3), v, p->o->terms);
        d->hash = (uint64_t)sqlite3_column_int64(p->vec, 1);
        if (got < 0) {
            eaf__free(v);
            v = NULL;
            fresh = 0;
        } else {
            n = (uint32_t)got;
        }
    }
    sqlite3_reset(p->vec);
    if (!fresh) {
        eaf__rel_counts c;
        /* without stored statistics, the terms of a text counted for a
         * list before are kept on the handle */
        int kept = p->fts && eaf__rel_fts_text(p->fts, id, p->o->title_weight, &c);
        if (!kept) {
            rc = step_article(p, p->text, id, "reading an article");
            if (rc < 0)
                return rc;
            s = eaf__rel_count_text(&c, p->tok, p->o->title_weight,
                                    (const char *)sqlite3_column_text(p->text, 0),
                                    (const char *)sqlite3_column_text(p->text, 1),
                                    (const char *)sqlite3_column_text(p->text, 2));
            sqlite3_reset(p->text);
            if (s != EAF_OK)
                goto nomem;
            if (p->fts)
                eaf__rel_fts_keep_text(p->fts, id, p->o->title_weight, &c);
        }
        d->hash = c.hash;
        s = eaf__rel_vector(&v, &n, &c, p->o->terms, p->o->idf_power, p->n_model, sql_lookup,
                            p);
        if (!kept)
            eaf__rel_counts_free(&c);
        if (s == EAF_ERROR)
            return -2; /* the lookup set p->status */
        if (s != EAF_OK)
            goto nomem;
    }
    if (own(p, v) < 0)
        goto nomem;
    d->v = v;
    d->n = n;
    for (k = 0; k < EAF__META_KINDS; k++)
        any_meta |= p->o->meta[k] > 0.0;
    if (any_meta) {
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
                eaf__free(vals);
                return -2;
            }
            if (nv == capv) {
                uint32_t cap = capv ? capv * 2 : 8;
                uint32_t *nvv = eaf__realloc(vals, cap * sizeof(*nvv));
                if (!nvv) {
                    sqlite3_reset(p->facets);
                    eaf__free(vals);
                    goto nomem;
                }
                vals = nvv;
                capv = cap;
            }
            vals[nv++] = (uint32_t)vid;
        }
        sqlite3_reset(p->facets);
        if (rc != SQLITE_DONE) {
            eaf__free(vals);
            p->status = eaf__db_sqlerr(p->db, rc, "reading metadata");
            return -2;
        }
        if (vals && own(p, vals) < 0)
            goto nomem;
        if (nv > 1)
            qsort(vals, nv, sizeof(*vals), cmp_u32);
    }
    d = &p->docs[p->ndocs];
    d->val = vals;
    d->nval = nv;
    return (int64_t)p->ndocs++;
nomem:
    p->status = eaf__db_error(p->db, EAF_NOMEM, "out of memory");
    return -2;
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
    sqlite3_stmt *st = NULL;
    int32_t d = EAF__REL_NO_DAY;

    if (prepare(db, "SELECT max(day) FROM article", &st, "reading dates") == EAF_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        d = eaf__rel_day(sqlite3_column_int(st, 0));
    sqlite3_finalize(st);
    return d;
}

typedef struct shared_term {
    uint32_t term;
    double w;
} shared_term;

static int cmp_shared(const void *a, const void *b)
{
    const shared_term *x = a, *y = b;

    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

/* The terms two vectors share, weightiest first (at most max). */
static uint32_t shared_terms(const eaf__rel_doc *a, const eaf__rel_doc *b, shared_term *out,
                             uint32_t max)
{
    uint32_t i = 0, j = 0, n = 0;
    shared_term all[EAF__REL_MAX_TERMS];

    while (i < a->n && j < b->n) {
        if (a->v[i].term < b->v[j].term) {
            i++;
        } else if (a->v[i].term > b->v[j].term) {
            j++;
        } else {
            all[n].term = a->v[i].term;
            all[n].w = (double)a->v[i].w * (double)b->v[j].w;
            n++;
            i++;
            j++;
        }
    }
    if (n > 1)
        qsort(all, n, sizeof(*all), cmp_shared);
    if (n > max)
        n = max;
    memcpy(out, all, n * sizeof(*out));
    return n;
}

/* Records an item's shared stems, with the stem of each term id given by
 * the callback. */
typedef int (*stem_fn)(void *ctx, uint32_t id, eaf__buf *b);

static eaf_status item_stems(rel_item *it, const eaf__rel_doc *src, const eaf__rel_doc *d,
                             stem_fn fn, void *ctx)
{
    shared_term st[EXPLAIN_TERMS];
    uint32_t n = shared_terms(src, d, st, EXPLAIN_TERMS), i;
    eaf__buf b = EAF__BUF_INIT;
    eaf_status s = EAF_OK;

    eaf__strvec_free(&it->stems);
    for (i = 0; i < n && s == EAF_OK; i++) {
        char *t;
        if (!fn(ctx, st[i].term, &b))
            continue;
        t = eaf__strdup(eaf__buf_cstr(&b) ? eaf__buf_cstr(&b) : "");
        if (!t || eaf__strvec_push(&it->stems, t) != EAF_OK) {
            eaf__free(t);
            s = EAF_NOMEM;
        }
    }
    eaf__buf_free(&b);
    return s;
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

/* The ids of the source's candidates, from the full-text index: the
 * articles with its weightiest terms (as in the batch, but for those that
 * would bring more than CANDIDATE_ROWS rows in all), ranked by BM25F over
 * the title, summary and body with each term weighing what it weighs in
 * the source's vector. */
static eaf_status fts_candidates(sqlpath *p, const eaf__rel_doc *src, int64_t **ids,
                                 size_t *n)
{
    eaf__buf q = EAF__BUF_INIT, t = EAF__BUF_INIT, rank = EAF__BUF_INIT;
    eaf__rel_pair top[EAF__REL_MAX_TERMS];
    sqlite3_stmt *st = NULL;
    uint32_t i, nq = src->n, phrases = 0;
    uint64_t rows = 0;
    int rc;
    eaf_status s;

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
        eaf__buf_puts(&q, phrases ? " OR \"\x01" : "\"\x01");
        for (c = eaf__buf_cstr(&t); c && *c; c++) {
            if (*c == '"')
                eaf__buf_putc(&q, '"');
            eaf__buf_putc(&q, *c);
        }
        eaf__buf_putc(&q, '"');
        eaf__buf_printf(&rank, "%s%u:%.6f", phrases ? " " : "", phrases, (double)top[i].w);
        phrases++;
    }
    eaf__buf_putc(&q, ')');
    eaf__buf_puts(&rank, "')");
    eaf__buf_free(&t);
    if (q.rc != EAF_OK || rank.rc != EAF_OK) {
        eaf__buf_free(&q);
        eaf__buf_free(&rank);
        return eaf__db_error(p->db, EAF_NOMEM, "out of memory");
    }
    /* the articles put in the open transaction reach fts only now */
    s = eaf__db_fts_sync(p->db);
    if (s == EAF_OK && phrases)
        s = prepare(p->db,
                    "SELECT rowid FROM fts WHERE fts MATCH ?1 AND rank MATCH ?2"
                    " ORDER BY rank LIMIT ?3",
                    &st, "finding candidates");
    if (s == EAF_OK && phrases) {
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
static eaf_status compute_sql(eaf_related *r, int fts)
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
        s = prepare(r->db, "SELECT key, title FROM article WHERE id = ?1", &names,
                    "reading a related article");
    if (s == EAF_OK) {
        finish_docs(&p, &vals);
        k = eaf__rel_rank(hits, &p.docs[0], p.docs + 1, (uint32_t)(p.ndocs - 1), &vals, &r->o,
                          newest_day(r->db), work, NULL);
        for (j = 0; j < k && s == EAF_OK; j++) {
            s = add_item(r, names, &hits[j]);
            if (s == EAF_OK) {
                r->items[r->n - 1].have_parts = 1;
                if (item_stems(&r->items[r->n - 1], &p.docs[0], &p.docs[1 + hits[j].ref],
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

/* ---- computing a list with the model in memory ---------------------------------- */

static int model_stem(void *ctx, uint32_t id, eaf__buf *b)
{
    const char *t = eaf__rel_model_term(ctx, id, NULL);

    if (!t)
        return 0;
    eaf__buf_reset(b);
    eaf__buf_puts(b, t);
    return b->rc == EAF_OK;
}

/* Article i of the model, its vector decoded into v; -1 when it could not
 * be read back. */
static int model_doc(const eaf__rel_model *m, uint32_t i, eaf__rel_doc *d, eaf__rel_pair *v)
{
    int64_t n;

    memset(d, 0, sizeof(*d));
    d->id = eaf__rel_model_id(m, i);
    n = eaf__rel_model_vector(m, i, v, &d->hash, NULL);
    d->n = n > 0 ? (uint32_t)n : 0;
    d->v = v;
    return n < 0 ? -1 : 0;
}

/* The message of a list that could not be computed because a vector could
 * not be read back (EAF_IO). */
static eaf_status unread(eaf_db *db)
{
    return eaf__db_error(db, EAF_IO, "cannot read the related-article build's temporary file");
}

/* The message of a failed eaf__rel_model_score() in a build or a refresh
 * (`what`): stopped by the progress callback, a vector not read back, or
 * out of memory.  The first message of a call stays. */
static eaf_status score_failed(eaf_db *db, eaf_status s, const char *what)
{
    if (s == EAF_ERROR)
        return eaf__db_error(db, s, "the related-article %s was stopped", what);
    if (s == EAF_IO)
        return unread(db);
    return eaf__db_error(db, s, "out of memory");
}

/* ---- eaf_related_new ---------------------------------------------------------------- */

eaf_status eaf_related_new(eaf_related **out, eaf_db *db, const char *key,
                           const eaf_related_options *opts)
{
    eaf_related *r;
    eaf__rel_opts stored, dflt;
    sqlite3_stmt *st = NULL;
    eaf_status s;
    int have = 0, rc, compute = opts && (opts->flags & EAF_RELATED_COMPUTE);

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!db || !key)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    /* inside the caller's transaction, the articles put so far count */
    s = eaf__db_fts_sync(db);
    if (s != EAF_OK)
        return s;
    r = eaf__calloc(1, sizeof(*r));
    if (!r)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    /* the list and its explanations (worked out later) come from one
     * state of the index, as a search's hits do, until the list is freed */
    s = eaf__db_snapshot_begin(db);
    if (s != EAF_OK) {
        eaf__free(r);
        return s;
    }
    r->db = db;
    db->children++;
    s = index_options(db, &dflt, &stored, &have);
    if (s == EAF_OK)
        s = eaf__rel_opts_init(&r->o, db, opts, &dflt);
    if (s == EAF_OK)
        s = prepare(db, "SELECT id FROM article WHERE key = ?1", &st, "looking up the article");
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            r->src = sqlite3_column_int64(st, 0);
        else if (rc == SQLITE_DONE)
            s = eaf__db_error(db, EAF_NOTFOUND, "no article has the key '%s'", key);
        else
            s = eaf__db_sqlerr(db, rc, "looking up the article");
        sqlite3_finalize(st);
    }
    if (s == EAF_OK && have && !compute && eaf__rel_opts_serve(&stored, &r->o))
        s = read_stored(r, &r->stored);
    if (s == EAF_OK && !r->stored) {
        /* from the stored statistics when they are those of these
         * options, else from the full-text index */
        s = compute_sql(r, !(have && eaf__rel_opts_same_vectors(&stored, &r->o)));
    }
    if (s != EAF_OK) {
        eaf_related_free(r);
        return s;
    }
    *out = r;
    return EAF_OK;
}

/* ---- every list ------------------------------------------------------------------ */

/* A list object for the walk: empty, for article id. */
static eaf_related *walk_list(eaf_db *db, const eaf__rel_opts *o, int64_t id)
{
    eaf_related *r = eaf__calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->db = db;
    db->children++;
    r->o = *o;
    r->src = id;
    r->items = eaf__calloc(o->count, sizeof(*r->items));
    if (!r->items) {
        eaf_related_free(r);
        return NULL;
    }
    return r;
}

/* The walk over the stored lists, computing the stale ones. */
static eaf_status each_stored(eaf_db *db, const eaf__rel_opts *o, eaf_related_fn fn,
                              void *payload)
{
    sqlite3_stmt *st = NULL;
    eaf_related *r = NULL;
    int64_t cur = 0;
    int rc, stop = 0, fresh = 0;
    eaf_status s;
    char *key = NULL;

    s = prepare(db,
                "SELECT a.id, a.key, EXISTS(SELECT 1 FROM related_vector v WHERE v.article_id = a.id)"
                " AND NOT EXISTS(SELECT 1 FROM related_stale s WHERE s.article_id = a.id),"
                " l.other_id, l.score, o.key, o.title FROM article a"
                " LEFT JOIN related_list l ON l.article_id = a.id AND l.pos < ?1"
                " LEFT JOIN article o ON o.id = l.other_id ORDER BY a.key, l.pos",
                &st, "reading the related articles");
    if (s != EAF_OK)
        return s;
    sqlite3_bind_int(st, 1, (int)o->count);
    for (;;) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && r && sqlite3_column_int64(st, 0) == cur) {
            rel_item *it;
            const char *k = (const char *)sqlite3_column_text(st, 5);
            const char *t = (const char *)sqlite3_column_text(st, 6);
            if (!fresh || !k || r->n >= o->count)
                continue;
            it = &r->items[r->n];
            it->id = sqlite3_column_int64(st, 3);
            it->score = sqlite3_column_double(st, 4);
            it->key = eaf__strdup(k);
            it->title = eaf__strdup(t ? t : "");
            if (!it->key || !it->title) {
                item_clear(it);
                s = eaf__db_error(db, EAF_NOMEM, "out of memory");
                break;
            }
            r->n++;
            continue;
        }
        /* the article before is complete */
        if (r) {
            if (!fresh) {
                r->stored = 0;
                s = compute_sql(r, 0);
            }
            if (s == EAF_OK)
                stop = fn(key, r, payload);
            eaf_related_free(r);
            r = NULL;
            if (s != EAF_OK || stop)
                break;
        }
        if (rc != SQLITE_ROW)
            break;
        cur = sqlite3_column_int64(st, 0);
        eaf__free(key);
        key = eaf__strdup((const char *)sqlite3_column_text(st, 1));
        fresh = sqlite3_column_int(st, 2);
        r = walk_list(db, o, cur);
        if (!key || !r) {
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
            break;
        }
        r->stored = fresh;
        if (fresh && sqlite3_column_type(st, 5) != SQLITE_NULL) {
            rel_item *it = &r->items[0];
            const char *t = (const char *)sqlite3_column_text(st, 6);
            it->id = sqlite3_column_int64(st, 3);
            it->score = sqlite3_column_double(st, 4);
            it->key = eaf__strdup((const char *)sqlite3_column_text(st, 5));
            it->title = eaf__strdup(t ? t : "");
            if (!it->key || !it->title) {
                item_clear(it);
                s = eaf__db_error(db, EAF_NOMEM, "out of memory");
                break;
            }
            r->n = 1;
        }
    }
    if (s == EAF_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the related articles");
    eaf_related_free(r);
    eaf__free(key);
    sqlite3_finalize(st);
    return s;
}

/* The walk with a model in memory. */
static eaf_status each_model(eaf_db *db, const eaf__rel_opts *o, int load, eaf_related_fn fn,
                             void *payload)
{
    eaf__rel_model *m = NULL;
    eaf__rel_worker *w = NULL;
    eaf__rel_hit *hits = NULL;
    eaf__rel_pair *vs = NULL, *vd = NULL;
    sqlite3_stmt *st = NULL, *names = NULL;
    int64_t changed;
    eaf_status s;
    int rc = SQLITE_DONE;

    s = load ? eaf__rel_model_load(&m, db, o, &changed) : eaf__rel_model_build(&m, db, o, NULL);
    if (s != EAF_OK)
        return s;
    if (eaf__rel_worker_new(&w, m) != EAF_OK || !(hits = eaf__malloc(o->count * sizeof(*hits))) ||
        !(vs = eaf__malloc(o->terms * sizeof(*vs))) || !(vd = eaf__malloc(o->terms * sizeof(*vd))))
        s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (s == EAF_OK)
        s = prepare(db, "SELECT id, key FROM article ORDER BY key", &st,
                    "reading the articles");
    if (s == EAF_OK)
        s = prepare(db, "SELECT key, title FROM article WHERE id = ?1", &names,
                    "reading a related article");
    while (s == EAF_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), i = eaf__rel_model_find(m, id);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        eaf_related *r;
        eaf__rel_doc src, d;
        uint32_t k = 0, j;
        int stop;

        r = walk_list(db, o, id);
        if (!r) {
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
            break;
        }
        if (i >= 0) {
            k = eaf__rel_model_list(w, (uint32_t)i, hits);
            if (model_doc(m, (uint32_t)i, &src, vs) < 0 || eaf__rel_worker_failed(w))
                s = unread(db);
        }
        for (j = 0; j < k && s == EAF_OK; j++) {
            s = add_item(r, names, &hits[j]);
            if (s == EAF_OK) {
                r->items[r->n - 1].have_parts = 1;
                if (model_doc(m, hits[j].ref, &d, vd) < 0)
                    s = unread(db);
                else if (item_stems(&r->items[r->n - 1], &src, &d, model_stem, m) != EAF_OK)
                    s = eaf__db_error(db, EAF_NOMEM, "out of memory");
            }
        }
        stop = s == EAF_OK && fn(key ? key : "", r, payload);
        eaf_related_free(r);
        if (stop)
            break;
    }
    if (s == EAF_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the articles");
    sqlite3_finalize(st);
    sqlite3_finalize(names);
    eaf__free(hits);
    eaf__free(vs);
    eaf__free(vd);
    eaf__rel_worker_free(w);
    eaf__rel_model_free(m);
    return s;
}

eaf_status eaf_related_each(eaf_db *db, const eaf_related_options *opts, eaf_related_fn fn,
                            void *payload)
{
    eaf__rel_opts o, stored, dflt;
    eaf_status s;
    int have = 0, compute = opts && (opts->flags & EAF_RELATED_COMPUTE);

    if (!db || !fn)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    s = eaf__db_fts_sync(db);
    if (s == EAF_OK)
        s = eaf__db_snapshot_begin(db);
    if (s != EAF_OK)
        return s;
    /* every list of the walk comes from one state of the index: the walk
     * holds it as an open list would, through the lists it hands out */
    db->children++;
    s = index_options(db, &dflt, &stored, &have);
    if (s == EAF_OK)
        s = eaf__rel_opts_init(&o, db, opts, &dflt);
    if (s == EAF_OK && have && !compute && eaf__rel_opts_serve(&stored, &o))
        s = each_stored(db, &o, fn, payload);
    else if (s == EAF_OK)
        s = each_model(db, &o, have && eaf__rel_opts_same_vectors(&stored, &o), fn, payload);
    db->children--;
    eaf__db_snapshot_end(db);
    return s;
}

/* ---- explanations ------------------------------------------------------------------- */

/* Works out the parts of the score of stored items, as a list computed
 * on demand would: the source against its candidates from the full-text
 * index and the stored items (which also decide its neighbours). */
static eaf_status parts_of_stored(eaf_related *r)
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
        rel_item *it = &r->items[i];
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
        if (item_stems(it, &p.docs[0], &p.docs[at[i]], sql_stem, &p) != EAF_OK)
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

/* The surface form of stems in the source's text: the first word that
 * gives each. */
typedef struct surface_ctx {
    const char *text;
    eaf__strvec *stems;       /* all the items' stems */
    char **word;              /* parallel to a flat list of the stems */
    const char **flat;
    size_t nflat;
    int nomem;
} surface_ctx;

static int surface_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    surface_ctx *c = ctx;
    size_t i;

    for (i = 0; i < c->nflat; i++) {
        if (!c->word[i] && strlen(c->flat[i]) == (size_t)ntok &&
            memcmp(c->flat[i], tok, (size_t)ntok) == 0) {
            c->word[i] = eaf__strndup(c->text + start, (size_t)(end - start));
            if (!c->word[i]) {
                c->nomem = 1;
                return 1;
            }
        }
    }
    return 0;
}

/* Replaces each item's stems by the words of the source's text. */
static eaf_status surface_forms(eaf_related *r)
{
    sqlite3_stmt *st = NULL;
    eaf__tokenizer *tok = NULL;
    surface_ctx c;
    size_t i, j, f = 0;
    int col;
    eaf_status s;

    memset(&c, 0, sizeof(c));
    for (i = 0; i < r->n; i++)
        c.nflat += r->items[i].stems.n;
    if (c.nflat == 0)
        return EAF_OK;
    c.flat = eaf__calloc(c.nflat, sizeof(*c.flat));
    c.word = eaf__calloc(c.nflat, sizeof(*c.word));
    if (!c.flat || !c.word || eaf__tokenizer_new(&tok, r->db->language) != EAF_OK) {
        eaf__free(c.flat);
        eaf__free(c.word);
        return eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    }
    for (i = 0; i < r->n; i++)
        for (j = 0; j < r->items[i].stems.n; j++)
            c.flat[f++] = r->items[i].stems.v[j];
    s = prepare(r->db, "SELECT title, summary, body FROM article WHERE id = ?1", &st,
                "reading the article");
    if (s == EAF_OK) {
        sqlite3_bind_int64(st, 1, r->src);
        if (sqlite3_step(st) == SQLITE_ROW) {
            for (col = 0; col < 3 && !c.nomem; col++) {
                const char *t = (const char *)sqlite3_column_text(st, col);
                if (!t)
                    continue;
                c.text = t;
                if (eaf__tokenize(tok, EAF__TOK_DOC, t, strlen(t), surface_token, &c) < 0)
                    c.nomem = 1;
            }
        }
        sqlite3_finalize(st);
    }
    eaf__tokenizer_free(tok);
    if (c.nomem && s == EAF_OK)
        s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    for (i = 0, f = 0; i < r->n; i++) {
        for (j = 0; j < r->items[i].stems.n; j++, f++) {
            char *w = c.word[f];
            if (s == EAF_OK) {
                if (!w)
                    w = eaf__strdup(c.flat[f]);
                if (!w || eaf__strvec_push(&r->items[i].shared[EAF_REASON_TERM], w) != EAF_OK) {
                    eaf__free(w);
                    s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
                }
            } else {
                eaf__free(w);
            }
        }
    }
    eaf__free(c.flat);
    eaf__free(c.word);
    return s;
}

/* The metadata each item shares with the source, as the source writes it. */
static eaf_status shared_metadata(eaf_related *r)
{
    sqlite3_stmt *st = NULL;
    eaf_status s;
    size_t i;
    int rc, k;

    s = prepare(r->db,
                "SELECT s.kind, s.value FROM facet s JOIN facet o"
                " ON o.kind = s.kind AND o.norm = s.norm AND o.article_id = ?2"
                " WHERE s.article_id = ?1 AND s.kind IN (?3, ?4, ?5, ?6)"
                " ORDER BY s.kind, s.pos",
                &st, "reading metadata");
    if (s != EAF_OK)
        return s;
    for (k = 0; k < EAF__META_KINDS; k++)
        sqlite3_bind_int(st, k + 3, eaf__rel_facet_kind[k]);
    sqlite3_bind_int64(st, 1, r->src);
    for (i = 0; i < r->n && s == EAF_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 2, r->items[i].id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int fk = sqlite3_column_int(st, 0);
            const char *v = (const char *)sqlite3_column_text(st, 1);
            char *d;
            for (k = 0; k < EAF__META_KINDS && eaf__rel_facet_kind[k] != fk; k++)
                ;
            if (k == EAF__META_KINDS || !v)
                continue;
            d = eaf__strdup(v);
            if (!d || eaf__strvec_push(&r->items[i].shared[k], d) != EAF_OK) {
                eaf__free(d);
                s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
                break;
            }
        }
        if (s == EAF_OK && rc != SQLITE_DONE)
            s = eaf__db_sqlerr(r->db, rc, "reading metadata");
    }
    sqlite3_finalize(st);
    return s;
}

static eaf_status explain_all(eaf_related *r)
{
    eaf_status s = EAF_OK;
    size_t i;
    int k;

    if (r->explained)
        return r->explained > 0 ? EAF_OK : EAF_ERROR;
    eaf__db_clear_error(r->db);
    for (i = 0; i < r->n && r->items[i].have_parts; i++)
        ;
    if (i < r->n)
        s = parts_of_stored(r);
    if (s == EAF_OK)
        s = surface_forms(r);
    if (s == EAF_OK)
        s = shared_metadata(r);
    for (i = 0; i < r->n && s == EAF_OK; i++) {
        rel_item *it = &r->items[i];
        eaf__buf b = EAF__BUF_INIT;
        size_t j;

        eaf__buf_printf(&b, "text %.3f", it->text);
        for (j = 0; j < it->shared[EAF_REASON_TERM].n; j++)
            eaf__buf_printf(&b, "%s%s", j ? ", " : " (", it->shared[EAF_REASON_TERM].v[j]);
        if (j)
            eaf__buf_putc(&b, ')');
        for (k = 0; k < EAF__META_KINDS; k++) {
            const eaf__strvec *v = &it->shared[k];
            if (v->n == 0)
                continue;
            eaf__buf_printf(&b, "; %s", reason_plural[k]);
            if (r->o.meta[k] > 0.0)
                eaf__buf_printf(&b, " +%.3f", r->o.meta[k] * it->meta[k]);
            for (j = 0; j < v->n; j++)
                eaf__buf_printf(&b, "%s%s", j ? ", " : " (", v->v[j]);
            eaf__buf_putc(&b, ')');
        }
        if (r->o.recency > 0.0)
            eaf__buf_printf(&b, "; recency x%.3f", it->factor);
        if (b.rc != EAF_OK) {
            eaf__buf_free(&b);
            s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
            break;
        }
        it->explain = eaf__buf_detach(&b);
    }
    r->explained = s == EAF_OK ? 1 : -1;
    return s;
}

size_t eaf_related_shared_count(eaf_related *r, size_t i, eaf_related_reason kind)
{
    if (!r || i >= r->n || (unsigned)kind >= EAF_REASON_LAST || explain_all(r) != EAF_OK)
        return 0;
    return r->items[i].shared[kind].n;
}

const char *eaf_related_shared(eaf_related *r, size_t i, eaf_related_reason kind, size_t j)
{
    if (!r || i >= r->n || (unsigned)kind >= EAF_REASON_LAST || explain_all(r) != EAF_OK ||
        j >= r->items[i].shared[kind].n)
        return NULL;
    return r->items[i].shared[kind].v[j];
}

const char *eaf_related_explain(eaf_related *r, size_t i)
{
    if (!r || i >= r->n || explain_all(r) != EAF_OK)
        return NULL;
    return r->items[i].explain;
}

/* ---- storing lists ----------------------------------------------------------------- */

typedef struct writer {
    eaf_db *db;
    const eaf__rel_model *m;
    sqlite3_stmt *del_list, *ins_list, *ins_vec;
    unsigned char blob[EAF__REL_ENCODED_MAX(EAF__REL_MAX_TERMS)];
} writer;

static void writer_free(writer *w)
{
    sqlite3_finalize(w->del_list);
    sqlite3_finalize(w->ins_list);
    sqlite3_finalize(w->ins_vec);
}

static eaf_status writer_init(writer *w, eaf_db *db, const eaf__rel_model *m)
{
    eaf_status s;

    memset(w, 0, sizeof(*w));
    w->db = db;
    w->m = m;
    s = prepare(db, "DELETE FROM related_list WHERE article_id = ?1", &w->del_list,
                "storing the related articles");
    if (s == EAF_OK)
        s = prepare(db,
                    "INSERT INTO related_list(article_id, pos, other_id, score)"
                    " VALUES (?1, ?2, ?3, ?4)",
                    &w->ins_list, "storing the related articles");
    if (s == EAF_OK)
        s = prepare(db,
                    "INSERT OR REPLACE INTO related_vector(article_id, hash, length, vec)"
                    " VALUES (?1, ?2, ?3, ?4)",
                    &w->ins_vec, "storing the related articles");
    return s;
}

static eaf_status write_vector(writer *w, uint32_t i)
{
    uint64_t hash;
    uint32_t length;
    size_t nb;
    const unsigned char *blob = eaf__rel_model_blob(w->m, i, w->blob, &nb);

    if (!blob)
        return unread(w->db);
    eaf__rel_model_vector(w->m, i, NULL, &hash, &length);
    sqlite3_bind_int64(w->ins_vec, 1, eaf__rel_model_id(w->m, i));
    sqlite3_bind_int64(w->ins_vec, 2, (sqlite3_int64)hash);
    sqlite3_bind_int64(w->ins_vec, 3, length);
    sqlite3_bind_blob(w->ins_vec, 4, blob, (int)nb, SQLITE_STATIC);
    return run(w->db, w->ins_vec, "storing a vector");
}

static eaf_status write_list(writer *w, uint32_t i, const eaf__rel_entry *e, uint32_t n,
                             int replace)
{
    int64_t id = eaf__rel_model_id(w->m, i);
    eaf_status s = EAF_OK;
    uint32_t j;

    if (replace) {
        sqlite3_bind_int64(w->del_list, 1, id);
        s = run(w->db, w->del_list, "storing the related articles");
    }
    for (j = 0; j < n && s == EAF_OK; j++) {
        sqlite3_bind_int64(w->ins_list, 1, id);
        sqlite3_bind_int(w->ins_list, 2, (int)j);
        sqlite3_bind_int64(w->ins_list, 3, eaf__rel_model_id(w->m, e[j].idx));
        sqlite3_bind_double(w->ins_list, 4, e[j].score);
        s = run(w->db, w->ins_list, "storing the related articles");
    }
    return s;
}

static eaf_status write_meta(eaf_db *db, const eaf__rel_opts *o, uint32_t n_model)
{
    sqlite3_stmt *st = NULL;
    char *conf = eaf__rel_opts_string(o), num[24];
    eaf_status s;

    if (!conf)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    snprintf(num, sizeof(num), "%u", n_model);
    s = prepare(db, "INSERT OR REPLACE INTO eaf_meta(name, value) VALUES (?1, ?2)", &st,
                "storing the related articles");
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, "related_config", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, conf, -1, SQLITE_STATIC);
        s = run(db, st, "storing the related articles");
    }
    /* the options of a build are the index's defaults from now on */
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, "related_defaults", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, conf, -1, SQLITE_STATIC);
        s = run(db, st, "storing the related articles");
    }
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, "related_n", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, num, -1, SQLITE_STATIC);
        s = run(db, st, "storing the related articles");
    }
    sqlite3_finalize(st);
    eaf__free(conf);
    return s;
}

static int progress_stop(eaf_progress_fn fn, void *payload, const char *phase, int64_t done,
                         int64_t total)
{
    return fn && fn(phase, done, total, payload) != 0;
}

/* Starts storing a whole build: empties the related tables, and stores
 * the term statistics; the vectors and lists follow (write_vector,
 * write_list) and then the options (write_meta). */
static eaf_status write_start(writer *w, eaf_db *db, const eaf__rel_model *m)
{
    sqlite3_stmt *st = NULL;
    uint32_t t, df;
    eaf_status s;

    memset(w, 0, sizeof(*w));
    s = exec(db,
             "DELETE FROM related_list; DELETE FROM related_vector;"
             " DELETE FROM related_term; DELETE FROM related_stale;",
             "storing the related articles");
    if (s == EAF_OK)
        s = writer_init(w, db, m);
    if (s == EAF_OK)
        s = prepare(db, "INSERT INTO related_term(id, term, df) VALUES (?1, ?2, ?3)", &st,
                    "storing the term statistics");
    for (t = 0; s == EAF_OK && t < eaf__rel_model_terms(m); t++) {
        const char *term = eaf__rel_model_term(m, t, &df);
        sqlite3_bind_int64(st, 1, t);
        sqlite3_bind_text(st, 2, term, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, df);
        s = run(db, st, "storing the term statistics");
    }
    sqlite3_finalize(st);
    return s;
}

/* ---- build and refresh ------------------------------------------------------------ */

static eaf_status check_writable(eaf_db *db)
{
    if (db->flags & EAF_OPEN_READONLY)
        return eaf__db_error(db, EAF_READONLY, "the index '%s' is open read-only", db->path);
    if (db->schema_version < 4)
        return eaf__db_error(db, EAF_READONLY,
                             "'%s' has schema version %d, which keeps no related lists",
                             db->path, db->schema_version);
    return EAF_OK;
}

static void stats_fill(eaf_related_stats *stats, const eaf__rel_model *m, int full,
                       int64_t lists, double rd, double sc, double wr)
{
    if (!stats || stats->version < 1)
        return;
    stats->full = full;
    stats->articles = m ? eaf__rel_model_articles(m) : 0;
    stats->lists = lists;
    stats->terms = m ? eaf__rel_model_terms(m) : 0;
    stats->postings = m ? (int64_t)eaf__rel_model_postings(m) : 0;
    stats->model_bytes = m ? eaf__rel_model_bytes(m) : 0;
    stats->read_seconds = rd;
    stats->score_seconds = sc;
    stats->write_seconds = wr;
}

/* A full build, inside the write transaction the caller opened.  The
 * lists are scored and stored a chunk at a time (eaf__rel_plan_make), so
 * that they are never all in memory: a list takes 8 bytes an article
 * listed, 80 MB for a million lists of 10. */
static eaf_status build_all(eaf_related_stats *stats, eaf_db *db, const eaf__rel_opts *o,
                            eaf_progress_fn fn, void *payload)
{
    eaf__rel_progress p;
    eaf__rel_model *m = NULL;
    eaf__rel_entry *lists = NULL;
    eaf__rel_plan pl;
    uint8_t *counts = NULL;
    uint32_t *todo = NULL;
    struct timespec t0;
    double rd = 0, sc = 0, wr = 0;
    uint32_t n = 0, from, c = 0, k;
    writer w;
    eaf_status s;

    memset(&p, 0, sizeof(p));
    memset(&w, 0, sizeof(w));
    p.fn = fn;
    p.payload = payload;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    s = eaf__rel_model_build(&m, db, o, &p);
    rd = seconds_since(&t0);
    if (s == EAF_OK) {
        n = eaf__rel_model_articles(m);
        eaf__rel_plan_make(&pl, n, o);
        lists = eaf__malloc(((size_t)pl.chunk * o->count + 1) * sizeof(*lists));
        counts = eaf__malloc((size_t)pl.chunk + 1);
        todo = eaf__malloc(((size_t)pl.chunk + 1) * sizeof(*todo));
        if (!lists || !counts || !todo)
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    if (s == EAF_OK) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        s = write_start(&w, db, m);
        wr += seconds_since(&t0);
    }
    p.total = n;
    for (from = 0; s == EAF_OK && from < n; from += c) {
        c = n - from < pl.chunk ? n - from : pl.chunk;
        for (k = 0; k < c; k++)
            todo[k] = from + k;
        p.before = from;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        s = eaf__rel_model_score(m, todo, c, lists, counts, build_threads(), &p);
        sc += seconds_since(&t0);
        if (s != EAF_OK)
            s = score_failed(db, s, "build");
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (k = 0; s == EAF_OK && k < c; k++) {
            if (((from + k) & 1023) == 0 &&
                progress_stop(fn, payload, "writing", from + k, n)) {
                s = eaf__db_error(db, EAF_ERROR, "the related-article build was stopped");
                break;
            }
            s = write_vector(&w, from + k);
            if (s == EAF_OK)
                s = write_list(&w, from + k, lists + (size_t)k * o->count, counts[k], 0);
        }
        wr += seconds_since(&t0);
    }
    if (s == EAF_OK) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        s = write_meta(db, o, eaf__rel_model_n(m));
        wr += seconds_since(&t0);
    }
    writer_free(&w);
    if (s == EAF_OK && progress_stop(fn, payload, "writing", n, n))
        s = eaf__db_error(db, EAF_ERROR, "the related-article build was stopped");
    if (s == EAF_OK)
        stats_fill(stats, m, 1, n, rd, sc, wr);
    eaf__free(lists);
    eaf__free(counts);
    eaf__free(todo);
    eaf__rel_model_free(m);
    return s;
}

/* The options a call that writes will use: opts over the index's
 * defaults, checked; and the handle may write. */
static eaf_status options_to_write(eaf__rel_opts *o, eaf_db *db, const eaf_related_options *opts)
{
    eaf__rel_opts dflt;
    eaf_status s = index_options(db, &dflt, NULL, NULL);

    if (s == EAF_OK)
        s = eaf__rel_opts_init(o, db, opts, &dflt);
    if (s == EAF_OK)
        s = check_writable(db);
    return s;
}

eaf_status eaf_related_build(eaf_related_stats *stats, eaf_db *db,
                             const eaf_related_options *opts, eaf_progress_fn progress,
                             void *payload)
{
    eaf__rel_opts o;
    eaf_status s;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    s = options_to_write(&o, db, opts);
    if (s != EAF_OK)
        return s;
    s = eaf__db_begin_write(db);
    if (s != EAF_OK)
        return s;
    return eaf__db_end_write(db, build_all(stats, db, &o, progress, payload));
}

static int cmp_u32_asc(const void *a, const void *b)
{
    return cmp_u32(a, b);
}

/* Recomputes the stale lists with the stored model, inside the caller's
 * write transaction. */
static eaf_status refresh_stale(eaf_related_stats *stats, eaf_db *db, const eaf__rel_opts *o,
                                eaf_progress_fn fn, void *payload)
{
    eaf__rel_progress p;
    eaf__rel_model *m = NULL;
    sqlite3_stmt *st = NULL;
    uint32_t *todo = NULL, ntodo = 0, n = 0, i, j, k, nfirst;
    unsigned char *in = NULL;
    eaf__rel_entry *lists = NULL;
    uint8_t *counts = NULL;
    int64_t changed = 0;
    struct timespec t0;
    double rd, sc = 0, wr = 0;
    writer w;
    eaf_status s;
    int rc;

    memset(&w, 0, sizeof(w));
    memset(&p, 0, sizeof(p));
    p.fn = fn;
    p.payload = payload;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    s = eaf__rel_model_load(&m, db, o, &changed);
    rd = seconds_since(&t0);
    if (s != EAF_OK)
        return s;
    n = eaf__rel_model_articles(m);
    todo = eaf__malloc(((size_t)n + 1) * sizeof(*todo));
    in = eaf__calloc((size_t)n + 1, 1);
    if (!todo || !in)
        s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    /* the stale lists, and the articles whose vector was computed again */
    if (s == EAF_OK)
        s = prepare(db, "SELECT article_id FROM related_stale", &st, "reading the stale lists");
    while (s == EAF_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t x = eaf__rel_model_find(m, sqlite3_column_int64(st, 0));
        if (x >= 0 && !in[x]) {
            in[x] = 1;
            todo[ntodo++] = (uint32_t)x;
        }
    }
    if (s == EAF_OK && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the stale lists");
    sqlite3_finalize(st);
    for (i = 0; s == EAF_OK && i < n; i++)
        if (eaf__rel_model_changed(m, i) && !in[i]) {
            in[i] = 1;
            todo[ntodo++] = i;
        }
    if (s == EAF_OK && ntodo > 1)
        qsort(todo, ntodo, sizeof(*todo), cmp_u32_asc);
    nfirst = ntodo;
    if (s == EAF_OK) {
        /* the lists of the stale articles, and of those their changed
         * articles list (count each at most): not of every article */
        size_t most = (size_t)nfirst * (o->count + 1);
        if (most > n)
            most = n;
        lists = eaf__malloc((most * o->count + 1) * sizeof(*lists));
        counts = eaf__malloc(most + 1);
        if (!lists || !counts)
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (s == EAF_OK)
        s = eaf__rel_model_score(m, todo, nfirst, lists, counts, build_threads(), &p);
    /* then the articles a changed article lists: it may belong in theirs */
    for (k = 0; s == EAF_OK && k < nfirst; k++) {
        if (!eaf__rel_model_changed(m, todo[k]))
            continue;
        for (j = 0; j < counts[k]; j++) {
            uint32_t e = lists[(size_t)k * o->count + j].idx;
            if (!in[e]) {
                in[e] = 1;
                todo[ntodo++] = e;
            }
        }
    }
    if (s == EAF_OK && ntodo > nfirst)
        s = eaf__rel_model_score(m, todo + nfirst, ntodo - nfirst,
                                 lists + (size_t)nfirst * o->count, counts + nfirst,
                                 build_threads(), &p);
    sc = seconds_since(&t0);
    if (s != EAF_OK)
        s = score_failed(db, s, "refresh");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (s == EAF_OK)
        s = writer_init(&w, db, m);
    for (k = 0; s == EAF_OK && k < ntodo; k++) {
        if (eaf__rel_model_changed(m, todo[k]))
            s = write_vector(&w, todo[k]);
        if (s == EAF_OK)
            s = write_list(&w, todo[k], lists + (size_t)k * o->count, counts[k], 1);
    }
    if (s == EAF_OK)
        s = exec(db, "DELETE FROM related_stale", "storing the related articles");
    wr = seconds_since(&t0);
    writer_free(&w);
    if (s == EAF_OK)
        stats_fill(stats, m, 0, ntodo, rd, sc, wr);
    eaf__free(todo);
    eaf__free(in);
    eaf__free(lists);
    eaf__free(counts);
    eaf__rel_model_free(m);
    return s;
}

eaf_status eaf_related_refresh(eaf_related_stats *stats, eaf_db *db, eaf_progress_fn progress,
                               void *payload)
{
    eaf__rel_opts o, stored;
    sqlite3_stmt *st = NULL;
    int64_t changed = 0, stale = 0, nmodel = 0;
    eaf_status s;
    char *v;
    int have, same;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    s = check_writable(db);
    if (s != EAF_OK)
        return s;
    s = eaf__db_begin_write(db);
    if (s != EAF_OK)
        return s;
    /* the lists are kept with the index's defaults: those of the last
     * build, or those set since (eaf_related_set_defaults) */
    s = index_options(db, &o, &stored, &have);
    if (s != EAF_OK)
        return eaf__db_end_write(db, s);
    if (!have)
        return eaf__db_end_write(db, build_all(stats, db, &o, progress, payload));
    same = eaf__rel_opts_equal(&stored, &o);
    v = meta_get(db, "related_n", &s);
    nmodel = v ? strtoll(v, NULL, 10) : 0;
    eaf__free(v);
    if (s == EAF_OK)
        s = prepare(db, "SELECT count(*), count(*) FILTER (WHERE changed) FROM related_stale",
                    &st, "reading the stale lists");
    if (s == EAF_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            stale = sqlite3_column_int64(st, 0);
            changed = sqlite3_column_int64(st, 1);
        }
        sqlite3_finalize(st);
    }
    if (s == EAF_OK && stale == 0 && nmodel >= 1 && same) {
        /* nothing changed since the last build or refresh */
        stats_fill(stats, NULL, 0, 0, 0.0, 0.0, 0.0);
        return eaf__db_end_write(db, EAF_OK);
    }
    if (s == EAF_OK) {
        if (nmodel < 1 || !same || (double)changed > REBUILD_SHARE * (double)nmodel)
            s = build_all(stats, db, &o, progress, payload);
        else
            s = refresh_stale(stats, db, &o, progress, payload);
    }
    return eaf__db_end_write(db, s);
}

/* ---- the index's defaults ------------------------------------------------------------ */

eaf_status eaf_related_defaults(eaf_related_options *out, eaf_db *db)
{
    eaf__rel_opts o;
    eaf_status s;

    if (!out)
        return EAF_MISUSE;
    eaf__rel_opts_library(&o);
    eaf__rel_opts_public(out, &o);
    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    s = index_options(db, &o, NULL, NULL);
    if (s == EAF_OK)
        eaf__rel_opts_public(out, &o);
    return s;
}

eaf_status eaf_related_set_defaults(eaf_db *db, const eaf_related_options *opts)
{
    eaf__rel_opts o;
    sqlite3_stmt *st = NULL;
    char *conf = NULL;
    eaf_status s;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    s = options_to_write(&o, db, opts);
    if (s == EAF_OK && !(conf = eaf__rel_opts_string(&o)))
        s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (s == EAF_OK)
        s = eaf__db_begin_write(db);
    if (s != EAF_OK) {
        eaf__free(conf);
        return s;
    }
    s = prepare(db, "INSERT OR REPLACE INTO eaf_meta(name, value) VALUES ('related_defaults', ?1)",
                &st, "storing the related-article options");
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, conf, -1, SQLITE_STATIC);
        s = run(db, st, "storing the related-article options");
    }
    sqlite3_finalize(st);
    eaf__free(conf);
    return eaf__db_end_write(db, s);
}
