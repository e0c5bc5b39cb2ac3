/*
 * related_model_index.c: the inverted index over the vectors of the
 * related-article model and its metadata, for a model built or loaded; and
 * the model loaded from what the last build stored.
 */
#include "related_model_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- postings and metadata ------------------------------------------------------ */

/* Postings are read by weight, the higher first; on a tie, the article of
 * the smaller index first. */
static int cmp_posting(const void *a, const void *b)
{
    const posting *x = a, *y = b;

    if (x->q != y->q)
        return x->q > y->q ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* Does posting a come after b in that order? */
static int after(const uint32_t *doc, const uint16_t *q, uint64_t a, uint64_t b)
{
    return q[a] < q[b] || (q[a] == q[b] && doc[a] > doc[b]);
}

static void swap_posting(uint32_t *doc, uint16_t *q, uint64_t a, uint64_t b)
{
    uint32_t d = doc[a];
    uint16_t x = q[a];

    doc[a] = doc[b];
    q[a] = q[b];
    doc[b] = d;
    q[b] = x;
}

/* Adds article i with weight q to a term's postings at base (f held so
 * far, at most POSTING_CAP) as a heap whose root is the last in reading
 * order, so that the first POSTING_CAP remain whatever the number. */
static void cap_push(eaf__rel_model *m, uint64_t base, uint32_t *f, uint32_t i, uint16_t q)
{
    uint32_t *doc = m->pdoc + base;
    uint16_t *w = m->pq + base;
    uint32_t n = *f, j, c;

    if (n < POSTING_CAP) {
        doc[n] = i;
        w[n] = q;
        for (j = n; j > 0 && after(doc, w, j, (j - 1) / 2); j = (j - 1) / 2)
            swap_posting(doc, w, j, (j - 1) / 2);
        *f = n + 1;
        return;
    }
    if (!(q > w[0] || (q == w[0] && i < doc[0])))
        return;
    doc[0] = i;
    w[0] = q;
    for (j = 0;; j = c) {
        c = 2 * j + 1;
        if (c >= n)
            break;
        if (c + 1 < n && after(doc, w, c + 1, c))
            c++;
        if (!after(doc, w, c, j))
            break;
        swap_posting(doc, w, j, c);
    }
}

/* The inverted index: each term's first POSTING_CAP articles in reading
 * order (all of them for most terms), sorted in that order. */
eaf_status eaf__rm_make_postings(eaf__rel_model *m, eaf_db *db)
{
    uint32_t *cnt = NULL, *fill = NULL, i, k, n, t;
    eaf__rel_pair *v = NULL;
    posting *tmp = NULL;
    uint64_t total, j;
    eaf_status s = EAF_OK;
    int err = 0;

    cnt = eaf__rm_calloc(m, (size_t)m->nterms + 1, sizeof(*cnt));
    fill = eaf__rm_calloc(m, (size_t)m->nterms + 1, sizeof(*fill));
    v = eaf__rm_alloc(m, m->o.terms, sizeof(*v));
    tmp = eaf__rm_alloc(m, POSTING_CAP, sizeof(*tmp));
    m->pstart = eaf__rm_alloc(m, (size_t)m->nterms + 1, sizeof(*m->pstart));
    if (!cnt || !fill || !v || !tmp || !m->pstart) {
        s = eaf__rm_nomem(db);
        goto done;
    }
    for (i = 0; i < m->n; i++) {
        n = eaf__rm_vector_of(m, i, v, &err);
        for (k = 0; k < n; k++)
            cnt[v[k].term]++;
    }
    if (err) {
        s = eaf__rm_vectors_unread(db);
        goto done;
    }
    m->pstart[0] = 0;
    for (t = 0; t < m->nterms; t++)
        m->pstart[t + 1] = m->pstart[t] + (cnt[t] < POSTING_CAP ? cnt[t] : POSTING_CAP);
    total = m->pstart[m->nterms];
    m->pdoc = eaf__rm_alloc(m, (size_t)total, sizeof(*m->pdoc));
    m->pq = eaf__rm_alloc(m, (size_t)total, sizeof(*m->pq));
    if (!m->pdoc || !m->pq) {
        s = eaf__rm_nomem(db);
        goto done;
    }
    for (i = 0; i < m->n && !err; i++) {
        n = eaf__rm_vector_of(m, i, v, &err);
        for (k = 0; k < n; k++) {
            uint16_t q = (uint16_t)lrint((double)v[k].w * EAF__REL_QUANT);
            t = v[k].term;
            if (cnt[t] <= POSTING_CAP) {
                m->pdoc[m->pstart[t] + fill[t]] = i;
                m->pq[m->pstart[t] + fill[t]] = q;
                fill[t]++;
            } else {
                cap_push(m, m->pstart[t], &fill[t], i, q);
            }
        }
    }
    if (err) {
        s = eaf__rm_vectors_unread(db);
        goto done;
    }
    for (t = 0; t < m->nterms; t++) {
        uint64_t b = m->pstart[t];
        n = (uint32_t)(m->pstart[t + 1] - b);
        if (n < 2)
            continue;
        for (j = 0; j < n; j++) {
            tmp[j].doc = m->pdoc[b + j];
            tmp[j].q = m->pq[b + j];
        }
        qsort(tmp, n, sizeof(*tmp), cmp_posting);
        for (j = 0; j < n; j++) {
            m->pdoc[b + j] = tmp[j].doc;
            m->pq[b + j] = tmp[j].q;
        }
    }
done:
    eaf__rm_free(m, cnt, (size_t)m->nterms + 1, sizeof(*cnt));
    eaf__rm_free(m, fill, (size_t)m->nterms + 1, sizeof(*fill));
    eaf__rm_free(m, v, m->o.terms, sizeof(*v));
    eaf__rm_free(m, tmp, POSTING_CAP, sizeof(*tmp));
    return s;
}

static int meta_index(int facet_kind)
{
    int k;

    for (k = 0; k < EAF__META_KINDS; k++)
        if (eaf__rel_facet_kind[k] == facet_kind)
            return k;
    return -1;
}

/* The (value, article) pairs of the facet table's rows, in their order, and the
 * df of each value; the capacities, for the model's count of its bytes. */
typedef struct facet_pairs {
    struct fpair {
        uint32_t v, d;
    } *pv;
    uint32_t *df;
    size_t np, cap, capv;
} facet_pairs;

/* Reads the facet rows of the kinds of metadata into fp: the values, numbered in
 * the order of (kind, norm), into m->vkind; the number of values of each article
 * into m->fstart[doc + 1]. */
static eaf_status read_facet_rows(eaf__rel_model *m, eaf_db *db, facet_pairs *fp)
{
    sqlite3_stmt *st = NULL;
    char *last = NULL;
    int last_kind = -1, rc, k;
    eaf_status s = EAF_OK;

    rc = sqlite3_prepare_v2(db->sql,
                            "SELECT kind, norm, article_id FROM facet"
                            " WHERE kind IN (?1, ?2, ?3, ?4) ORDER BY kind, norm, article_id",
                            -1, &st, NULL);
    for (k = 0; rc == SQLITE_OK && k < EAF__META_KINDS; k++)
        sqlite3_bind_int(st, k + 1, eaf__rel_facet_kind[k]);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return eaf__db_sqlerr(db, rc, "reading the articles' metadata");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int kind = meta_index(sqlite3_column_int(st, 0));
        const char *norm = (const char *)sqlite3_column_text(st, 1);
        int64_t doc = eaf__rel_model_find(m, sqlite3_column_int64(st, 2));

        if (kind < 0 || !norm || doc < 0)
            continue;
        if (kind != last_kind || !last || strcmp(last, norm) != 0) {
            eaf__free(last);
            last = eaf__strdup(norm);
            last_kind = kind;
            if (m->nvals == fp->capv) {
                size_t nc = fp->capv ? fp->capv * 2 : 256;
                unsigned char *vk = eaf__rm_realloc(m, m->vkind, fp->capv, nc, 1);
                uint32_t *d = vk ? eaf__rm_realloc(m, fp->df, fp->capv, nc, sizeof(*d)) : NULL;
                if (vk)
                    m->vkind = vk;
                if (!d) {
                    s = eaf__rm_nomem(db);
                    break;
                }
                fp->df = d;
                fp->capv = nc;
            }
            if (!last) {
                s = eaf__rm_nomem(db);
                break;
            }
            m->vkind[m->nvals] = (unsigned char)kind;
            fp->df[m->nvals] = 0;
            m->nvals++;
        }
        if (fp->np == fp->cap) {
            size_t nc = fp->cap ? fp->cap * 2 : 1024;
            struct fpair *a = eaf__rm_realloc(m, fp->pv, fp->cap, nc, sizeof(*a));
            if (!a) {
                s = eaf__rm_nomem(db);
                break;
            }
            fp->pv = a;
            fp->cap = nc;
        }
        fp->pv[fp->np].v = m->nvals - 1;
        fp->pv[fp->np].d = (uint32_t)doc;
        fp->np++;
        fp->df[m->nvals - 1]++;
        m->fstart[doc + 1]++;
    }
    if (s == EAF_OK && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the articles' metadata");
    sqlite3_finalize(st);
    eaf__free(last);
    return s;
}

/* From the pairs read: each value's IDF, each article's values (ascending, after
 * m->fstart) and the norm of each article's values of each kind. */
static eaf_status index_facets(eaf__rel_model *m, eaf_db *db, const facet_pairs *fp)
{
    uint32_t *fill;
    size_t i;
    int k;

    m->vidf = eaf__rm_alloc(m, m->nvals, sizeof(*m->vidf));
    m->fval = eaf__rm_alloc(m, fp->np, sizeof(*m->fval));
    if (!m->vidf || !m->fval)
        return eaf__rm_nomem(db);
    fill = eaf__rm_alloc(m, (size_t)m->n + 1, sizeof(*fill));
    if (!fill)
        return eaf__rm_nomem(db);
    for (i = 0; i < m->nvals; i++)
        m->vidf[i] = (float)log((double)m->n / (double)fp->df[i]);
    for (i = 0; i < m->n; i++)
        m->fstart[i + 1] += m->fstart[i];
    memcpy(fill, m->fstart, ((size_t)m->n + 1) * sizeof(*fill));
    /* rows come by value, so each article's values ascend */
    for (i = 0; i < fp->np; i++)
        m->fval[fill[fp->pv[i].d]++] = fp->pv[i].v;
    eaf__rm_free(m, fill, (size_t)m->n + 1, sizeof(*fill));
    for (i = 0; i < m->n; i++) {
        double nk[EAF__META_KINDS] = {0.0, 0.0, 0.0, 0.0};
        uint32_t j;
        for (j = m->fstart[i]; j < m->fstart[i + 1]; j++) {
            double f = m->vidf[m->fval[j]];
            nk[m->vkind[m->fval[j]]] += f * f;
        }
        for (k = 0; k < EAF__META_KINDS; k++)
            m->fnorm[i * EAF__META_KINDS + k] = (float)sqrt(nk[k]);
    }
    return EAF_OK;
}

/* Reads the metadata values of every article (only when some metadata
 * weighs in the score). */
eaf_status eaf__rm_read_facets(eaf__rel_model *m, eaf_db *db)
{
    facet_pairs fp;
    eaf_status s;
    int k, any = 0;

    m->fstart = eaf__rm_calloc(m, (size_t)m->n + 1, sizeof(*m->fstart));
    m->fnorm = eaf__rm_calloc(m, (size_t)m->n * EAF__META_KINDS, sizeof(*m->fnorm));
    if (!m->fstart || !m->fnorm)
        return eaf__rm_nomem(db);
    for (k = 0; k < EAF__META_KINDS; k++)
        any |= m->o.meta[k] > 0.0;
    if (!any)
        return EAF_OK;
    memset(&fp, 0, sizeof(fp));
    s = read_facet_rows(m, db, &fp);
    if (s == EAF_OK)
        s = index_facets(m, db, &fp);
    eaf__rm_free(m, fp.pv, fp.cap, sizeof(*fp.pv));
    eaf__rm_free(m, fp.df, fp.capv, sizeof(*fp.df));
    return s;
}

/* ---- loading the stored model --------------------------------------------------- */

static eaf_status read_terms(eaf__rel_model *m, eaf_db *db)
{
    sqlite3_stmt *st = NULL;
    int rc;

    rc = sqlite3_prepare_v2(db->sql, "SELECT id, term, df FROM related_term ORDER BY id", -1,
                            &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return eaf__db_sqlerr(db, rc, "reading the term statistics");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 1);
        int64_t df = sqlite3_column_int64(st, 2);
        if (sqlite3_column_int64(st, 0) != (int64_t)m->nterms || !t || df < 1 ||
            df > UINT32_MAX) {
            sqlite3_finalize(st);
            return eaf__db_error(db, EAF_CORRUPT, "the stored term statistics are damaged");
        }
        if (eaf__rm_add_term(m, t, (size_t)sqlite3_column_bytes(st, 1), (uint32_t)df) < 0) {
            sqlite3_finalize(st);
            return eaf__rm_nomem(db);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return eaf__db_sqlerr(db, rc, "reading the term statistics");
    return eaf__rm_index_terms(m) < 0 ? eaf__rm_nomem(db) : EAF_OK;
}

/* Computes the vector of article i from its text. */
static eaf_status compute_vector(eaf__rel_model *m, eaf_db *db, sqlite3_stmt *text,
                                 eaf__tokenizer *tok, uint32_t i, eaf__rel_pair **vec,
                                 uint32_t *n)
{
    eaf__rel_counts c;
    eaf_status s;
    int rc;

    *vec = NULL;
    *n = 0;
    sqlite3_reset(text);
    sqlite3_bind_int64(text, 1, m->id[i]);
    rc = sqlite3_step(text);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(text);
        return rc == SQLITE_DONE ? EAF_OK : eaf__db_sqlerr(db, rc, "reading an article");
    }
    s = eaf__rel_count_text(&c, tok, m->o.title_weight,
                            (const char *)sqlite3_column_text(text, 0),
                            (const char *)sqlite3_column_text(text, 1),
                            (const char *)sqlite3_column_text(text, 2));
    sqlite3_reset(text);
    if (s != EAF_OK)
        return eaf__rm_nomem(db);
    m->hash[i] = c.hash;
    m->length[i] = c.length;
    s = eaf__rel_vector(vec, n, &c, m->o.terms, m->o.idf_power, m->n_model, eaf__rm_model_lookup,
                        m);
    eaf__rel_counts_free(&c);
    return s == EAF_OK ? EAF_OK : eaf__rm_nomem(db);
}

/* The number of articles the stored model was built from (m->n_model). */
static eaf_status read_model_size(eaf__rel_model *m, eaf_db *db)
{
    sqlite3_stmt *st = NULL;
    int64_t nmodel;
    int rc;

    rc = sqlite3_prepare_v2(db->sql, "SELECT value FROM eaf_meta WHERE name = 'related_n'",
                            -1, &st, NULL);
    nmodel = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0)
                                                               : 0;
    sqlite3_finalize(st);
    m->n_model = (uint32_t)nmodel;
    if (nmodel < 1 || nmodel > UINT32_MAX)
        return eaf__db_error(db, EAF_CORRUPT, "the stored related-article model is damaged");
    return EAF_OK;
}

/* Every article's vector, in the order of m->id: the stored one where it holds,
 * else computed from the text (the article marked changed, counted in *changed). */
static eaf_status read_vectors(eaf__rel_model *m, eaf_db *db, const eaf__rel_opts *o,
                               int64_t *changed)
{
    sqlite3_stmt *st = NULL, *text = NULL;
    eaf__tokenizer *tok = NULL;
    eaf__rel_pair *one = NULL, *v = NULL;
    uint32_t i = 0, k;
    eaf_status s = EAF_OK;
    int rc;

    char *sql = eaf__printf("SELECT a.id, v.hash, v.length, v.vec, s.changed FROM article a"
                            " LEFT JOIN related_vector v ON v.article_id = a.id"
                            " LEFT JOIN %s s ON s.article_id = a.id ORDER BY a.id",
                            EAF__REL_CHANGED(db));

    rc = sql ? sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) : SQLITE_NOMEM;
    eaf__free(sql);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->sql,
                                "SELECT title, summary, body FROM article WHERE id = ?1", -1,
                                &text, NULL);
    if (rc != SQLITE_OK)
        s = eaf__db_sqlerr(db, rc, "reading the stored vectors");
    if (s == EAF_OK && eaf__tokenizer_new(&tok, db->language) != EAF_OK)
        s = eaf__rm_nomem(db);
    if (s == EAF_OK && !(v = eaf__malloc((size_t)o->terms * sizeof(*v))))
        s = eaf__rm_nomem(db);
    while (s == EAF_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const eaf__rel_pair *pairs = v;
        uint32_t n = 0;
        int got = -1;

        if (i >= m->n || sqlite3_column_int64(st, 0) != m->id[i]) {
            s = eaf__db_error(db, EAF_BUSY, "the articles changed while they were read");
            break;
        }
        /* the stored vector holds unless the article changed since */
        if (sqlite3_column_type(st, 3) != SQLITE_NULL &&
            !(sqlite3_column_type(st, 4) != SQLITE_NULL && sqlite3_column_int(st, 4) != 0)) {
            got = eaf__rel_decode(sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3),
                                  v, o->terms);
            for (k = 0; got > 0 && k < (uint32_t)got; k++)
                if (v[k].term >= m->nterms)
                    got = -1;
            m->hash[i] = (uint64_t)sqlite3_column_int64(st, 1);
            m->length[i] = (uint32_t)sqlite3_column_int(st, 2);
        }
        if (got < 0) {
            /* changed since the build, new, or unreadable: from the text */
            s = compute_vector(m, db, text, tok, i, &one, &n);
            if (s == EAF_OK) {
                pairs = one;
                got = (int)n;
                m->changed[i] = 1;
                (*changed)++;
            }
        }
        m->vstart[i] = eaf__rm_vectors_at(m);
        if (s == EAF_OK)
            s = eaf__rm_vector_add(m, db, pairs, (uint32_t)got);
        eaf__free(one);
        one = NULL;
        i++;
    }
    if (s == EAF_OK && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the stored vectors");
    if (s == EAF_OK && i != m->n)
        s = eaf__db_error(db, EAF_BUSY, "the articles changed while they were read");
    sqlite3_finalize(st);
    sqlite3_finalize(text);
    eaf__tokenizer_free(tok);
    eaf__free(v);
    return s;
}

eaf_status eaf__rel_model_load(eaf__rel_model **out, eaf_db *db, const eaf__rel_opts *o,
                               int64_t *changed)
{
    eaf__rel_model *m;
    eaf_status s;

    *out = NULL;
    *changed = 0;
    s = eaf__rm_model_new(&m, db, o);
    if (s != EAF_OK)
        return s;
    s = eaf__rm_read_articles(m, db);
    if (s == EAF_OK)
        s = eaf__rm_read_facets(m, db);
    if (s == EAF_OK)
        s = read_terms(m, db);
    if (s == EAF_OK)
        s = read_model_size(m, db);
    if (s == EAF_OK)
        s = read_vectors(m, db, o, changed);
    if (s == EAF_OK)
        s = eaf__rm_vectors_end(m, db);
    if (s == EAF_OK)
        s = eaf__rm_make_postings(m, db);
    if (s != EAF_OK) {
        eaf__rel_model_free(m);
        return s;
    }
    *out = m;
    return EAF_OK;
}
