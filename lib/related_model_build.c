/*
 * related_model_build.c: the related-article model built from the FTS5
 * index in one pass over its vocabulary (the heaps of a bucket of articles
 * at a time, the rest spilled; related_model.c tells the design).
 */
#include "related_model_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- building from the FTS5 index ---------------------------------------------- */

/* The heaps of the articles of the bucket held, each of the article's
 * best terms so far (the worst at the root), and the spill: the weights
 * offered to the articles of the other buckets, written to a temporary
 * file in chunks (a bucket's chunks are read back in the order written). */
typedef struct heaps {
    eaf__rel_pair *p;         /* k per article of the bucket */
    uint16_t *n;
    uint32_t k;
    uint32_t first, size;     /* the bucket held: articles [first, first + size) */
    uint32_t bucket, nbuckets;
    int64_t rows;             /* vocab rows read, for progress */
    int fd;                   /* the temporary file, or -1 */
    uint64_t end;             /* bytes written to it */
    spill_rec *buf;           /* SPILL_RECS a bucket, buckets 1.. */
    uint32_t *fill;           /* records in each bucket's buffer */
    spill_rec *in;            /* SPILL_RECS, for reading back */
    spill_chunk *chunks;      /* written, in order */
    size_t nchunks, capchunks;
    float *title_w;           /* each article's title weight, while reading */
} heaps;

/* Sets up the heaps of the first bucket, and the spill buffers when there
 * are other buckets. */
static eaf_status heaps_init(eaf__rel_model *m, eaf_db *db, heaps *h)
{
    eaf__rel_plan pl;

    memset(h, 0, sizeof(*h));
    h->fd = -1;
    eaf__rel_plan_make(&pl, m->n, &m->o);
    h->k = m->o.terms;
    h->bucket = pl.bucket;
    h->nbuckets = pl.buckets;
    h->size = m->n < h->bucket ? m->n : h->bucket;
    h->p = eaf__rm_alloc(m, (size_t)h->bucket * h->k, sizeof(*h->p));
    h->n = eaf__rm_calloc(m, h->bucket, sizeof(*h->n));
    if (!h->p || !h->n)
        return eaf__rm_nomem(db);
    if (h->nbuckets > 1) {
        h->buf = eaf__rm_alloc(m, (size_t)(h->nbuckets - 1) * SPILL_RECS, sizeof(*h->buf));
        h->fill = eaf__rm_calloc(m, h->nbuckets, sizeof(*h->fill));
        h->in = eaf__rm_alloc(m, SPILL_RECS, sizeof(*h->in));
        if (!h->buf || !h->fill || !h->in)
            return eaf__rm_nomem(db);
    }
    return EAF_OK;
}

static void heaps_free(eaf__rel_model *m, heaps *h)
{
    eaf__rm_free(m, h->p, (size_t)h->bucket * h->k, sizeof(*h->p));
    eaf__rm_free(m, h->n, h->bucket, sizeof(*h->n));
    if (h->nbuckets > 1) {
        eaf__rm_free(m, h->buf, (size_t)(h->nbuckets - 1) * SPILL_RECS, sizeof(*h->buf));
        eaf__rm_free(m, h->fill, h->nbuckets, sizeof(*h->fill));
        eaf__rm_free(m, h->in, SPILL_RECS, sizeof(*h->in));
    }
    eaf__rm_free(m, h->chunks, h->capchunks, sizeof(*h->chunks));
    eaf__rm_free(m, h->title_w, h->title_w ? m->n : 0, sizeof(*h->title_w));
    if (h->fd >= 0)
        close(h->fd);
    memset(h, 0, sizeof(*h));
    h->fd = -1;
}

/* Writes bucket b's buffer out as a chunk. */
static eaf_status spill_flush(eaf__rel_model *m, eaf_db *db, heaps *h, uint32_t b)
{
    const unsigned char *at = (const unsigned char *)(h->buf + (size_t)(b - 1) * SPILL_RECS);
    size_t left = (size_t)h->fill[b] * sizeof(spill_rec);
    uint64_t off = h->end;
    eaf_status s;

    if (h->fd < 0 && (s = eaf__rm_temp_open(db, &h->fd)) != EAF_OK)
        return s;
    if (h->nchunks == h->capchunks) {
        size_t cap = h->capchunks ? h->capchunks * 2 : 1024;
        spill_chunk *c = eaf__rm_realloc(m, h->chunks, h->capchunks, cap, sizeof(*c));
        if (!c)
            return eaf__rm_nomem(db);
        h->chunks = c;
        h->capchunks = cap;
    }
    if (eaf__rm_write_all_at(h->fd, at, left, off) < 0)
        return eaf__rm_temp_error(db, "write");
    h->end += left;
    h->chunks[h->nchunks].off = off;
    h->chunks[h->nchunks].bucket = b;
    h->chunks[h->nchunks].n = h->fill[b];
    h->nchunks++;
    h->fill[b] = 0;
    return EAF_OK;
}

/* Is a worse than b (lower weight; on a tie, the larger term id)? */
static int worse(const eaf__rel_pair *a, const eaf__rel_pair *b)
{
    return a->w < b->w || (a->w == b->w && a->term > b->term);
}

/* Offers a term to the heap of article first + doc of the bucket held. */
static void heap_push(heaps *h, uint32_t doc, uint32_t term, float w)
{
    eaf__rel_pair *p = h->p + (size_t)doc * h->k, x;
    uint32_t n = h->n[doc], i, c;

    x.term = term;
    x.w = w;
    if (n < h->k) {
        i = n;
        while (i > 0 && worse(&x, &p[(i - 1) / 2])) {
            p[i] = p[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        p[i] = x;
        h->n[doc] = (uint16_t)(n + 1);
        return;
    }
    if (!worse(&p[0], &x))
        return;
    i = 0;
    for (;;) {
        c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && worse(&p[c + 1], &p[c]))
            c++;
        if (!worse(&p[c], &x))
            break;
        p[i] = p[c];
        i = c;
    }
    p[i] = x;
}

/* One term's run of rows: the articles that have it, with their counts. */
typedef struct term_run {
    char *term;
    size_t n, cap;
    uint64_t hash;
    uint32_t *doc;
    double *tfw;
    uint32_t ndocs, capdocs;
} term_run;

/* Offers a term to an article: to its heap when its bucket is held (the
 * first, while the index is read), else to the spill. */
static eaf_status offer(eaf__rel_model *m, eaf_db *db, heaps *h, uint32_t doc, uint32_t term,
                        float w)
{
    uint32_t b;
    spill_rec *r;

    if (doc < h->size) {
        heap_push(h, doc, term, w);
        return EAF_OK;
    }
    b = doc / h->bucket;
    r = h->buf + (size_t)(b - 1) * SPILL_RECS + h->fill[b];
    r->doc = doc;
    r->term = term;
    r->w = w;
    return ++h->fill[b] == SPILL_RECS ? spill_flush(m, db, h, b) : EAF_OK;
}

/* Ends a term's run: keeps the term if it may be in vectors, and offers
 * it to the heaps of its articles. */
static eaf_status end_run(eaf__rel_model *m, eaf_db *db, term_run *r, heaps *h,
                          uint32_t cap_df)
{
    uint32_t i, df = r->ndocs;
    int64_t id;
    double idf;
    eaf_status s = EAF_OK;

    if (df < 2 || df > cap_df || !eaf__rel_term_ok(&m->stops, r->term, r->n))
        return EAF_OK;
    id = eaf__rm_add_term(m, r->term, r->n, df);
    if (id < 0)
        return eaf__rm_nomem(db);
    idf = eaf__rel_idf(df, m->n_model, m->o.idf_power);
    for (i = 0; i < df && s == EAF_OK; i++) {
        float w = (float)eaf__rel_weight(r->tfw[i], idf);
        if (w > 0.0f)
            s = offer(m, db, h, r->doc[i], (uint32_t)id, w);
    }
    return s;
}

/* The FTS5 column of a vocab row's column name, as far as vectors care:
 * 0 title, 1 summary, 2 body, -1 any other. */
static int column_kind(const unsigned char *c, int n)
{
    if (n == 5 && memcmp(c, "title", 5) == 0)
        return 0;
    if (n == 7 && memcmp(c, "summary", 7) == 0)
        return 1;
    if (n == 4 && memcmp(c, "body", 4) == 0)
        return 2;
    return -1;
}

/* The weight of each article's title terms (eaf__rel_title_weight), from
 * the length of its summary and body. */
static eaf_status title_weights(eaf__rel_model *m, eaf_db *db, heaps *h)
{
    sqlite3_stmt *st = NULL;
    uint32_t i;
    int rc;

    h->title_w = eaf__rm_alloc(m, m->n, sizeof(*h->title_w));
    if (!h->title_w)
        return eaf__rm_nomem(db);
    for (i = 0; i < m->n; i++)
        h->title_w[i] = (float)m->o.title_weight;
    rc = sqlite3_prepare_v2(db->sql,
                            "SELECT id, coalesce(length(CAST(summary AS BLOB)), 0) +"
                            " coalesce(length(CAST(body AS BLOB)), 0) FROM article",
                            -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return eaf__db_sqlerr(db, rc, "reading the articles' lengths");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t doc = eaf__rel_model_find(m, sqlite3_column_int64(st, 0));
        if (doc >= 0)
            h->title_w[doc] = (float)eaf__rel_title_weight(
                m->o.title_weight, (size_t)sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return eaf__db_sqlerr(db, rc, "reading the articles' lengths");
    return EAF_OK;
}

/* The instances of the index's terms in the order of FTS5's vocabulary
 * (by term, then article, column and offset): of one file, its fts5vocab
 * table; of a shard set's related handle, every shard's merged into that
 * order (no article is in two shards), as one file of the same articles
 * would give them. */
typedef struct vocab_reader {
    sqlite3_stmt **st;
    unsigned n;
    unsigned char *live;
    sqlite3_stmt *cur;        /* the statement holding the current row */
} vocab_reader;

static void vocab_close(vocab_reader *v)
{
    unsigned k;

    for (k = 0; v->st && k < v->n; k++)
        sqlite3_finalize(v->st[k]);
    eaf__free(v->st);
    eaf__free(v->live);
    memset(v, 0, sizeof(*v));
}

/* Opens the reader and steps each statement to its first row: SQLITE_OK,
 * or the code of the failure. */
static int vocab_open(vocab_reader *v, eaf_db *db)
{
    unsigned k;
    int rc = SQLITE_OK;

    memset(v, 0, sizeof(*v));
    v->n = db->set && db->set_n > 1 ? db->set_n : 1;
    v->st = eaf__calloc(v->n, sizeof(*v->st));
    v->live = eaf__calloc(v->n, 1);
    if (!v->st || !v->live)
        return SQLITE_NOMEM;
    for (k = 0; rc == SQLITE_OK && k < v->n; k++) {
        char *sql = v->n == 1 ? eaf__strdup("SELECT term, doc, col, offset"
                                            " FROM temp.eaf_vocab_instance")
                              : eaf__printf("SELECT term, doc, col, offset"
                                            " FROM temp.eaf_vocab_instance_%u", k);
        rc = sql ? sqlite3_prepare_v2(db->sql, sql, -1, &v->st[k], NULL) : SQLITE_NOMEM;
        eaf__free(sql);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(v->st[k]);
            v->live[k] = rc == SQLITE_ROW;
            rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
    }
    return rc;
}

/* Is statement a's row before b's (term, then article)? */
static int vocab_before(sqlite3_stmt *a, sqlite3_stmt *b)
{
    const void *ta = sqlite3_column_blob(a, 0), *tb = sqlite3_column_blob(b, 0);
    size_t na = (size_t)sqlite3_column_bytes(a, 0), nb = (size_t)sqlite3_column_bytes(b, 0);
    int c = memcmp(ta ? ta : "", tb ? tb : "", na < nb ? na : nb);

    if (c != 0)
        return c < 0;
    if (na != nb)
        return na < nb;
    return sqlite3_column_int64(a, 1) < sqlite3_column_int64(b, 1);
}

/* Makes the next row current (v->cur; NULL at the end): SQLITE_ROW,
 * SQLITE_DONE, or the code of a failure. */
static int vocab_next(vocab_reader *v)
{
    unsigned k;

    if (v->cur) { /* the row handed out last is used up */
        int rc;
        for (k = 0; v->st[k] != v->cur; k++)
            ;
        rc = sqlite3_step(v->cur);
        v->live[k] = rc == SQLITE_ROW;
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return rc;
    }
    v->cur = NULL;
    for (k = 0; k < v->n; k++)
        if (v->live[k] && (!v->cur || vocab_before(v->st[k], v->cur)))
            v->cur = v->st[k];
    return v->cur ? SQLITE_ROW : SQLITE_DONE;
}

static eaf_status stream_vocab(eaf__rel_model *m, eaf_db *db, heaps *h,
                               const eaf__rel_progress *p)
{
    sqlite3_stmt *st;
    vocab_reader vr;
    term_run r;
    uint32_t cap_df = (uint32_t)floor(m->o.max_share * (double)m->n);
    uint32_t last_doc = UINT32_MAX;
    int64_t rows = 0;
    eaf_status s = EAF_OK;
    int rc;

    memset(&r, 0, sizeof(r));
    if (cap_df < 2)
        cap_df = 2;
    /* the articles put in the open transaction reach fts only now */
    s = eaf__db_fts_sync(db);
    if (s == EAF_OK)
        s = eaf__db_vocab(db);
    if (s != EAF_OK)
        return s;
    rc = vocab_open(&vr, db);
    if (rc != SQLITE_OK) {
        vocab_close(&vr);
        return eaf__db_sqlerr(db, rc, "reading the index's terms");
    }
    while ((rc = vocab_next(&vr)) == SQLITE_ROW) {
        st = vr.cur;
        const char *term = (const char *)sqlite3_column_text(st, 0);
        size_t tn = (size_t)sqlite3_column_bytes(st, 0);
        sqlite3_int64 docid = sqlite3_column_int64(st, 1);
        const unsigned char *col = sqlite3_column_text(st, 2);
        int kind = column_kind(col, sqlite3_column_bytes(st, 2));
        int64_t doc;

        if ((++rows & 0xFFFFF) == 0 && eaf__rm_report(p, "reading", rows, -1)) {
            s = eaf__rm_stopped(db);
            break;
        }
        if (kind < 0 || !term || eaf__token_is_synthetic(term, tn))
            continue;
        if (tn != r.n || memcmp(term, r.term, tn) != 0) {
            if (r.term && (s = end_run(m, db, &r, h, cap_df)) != EAF_OK)
                break;
            if (tn + 1 > r.cap) {
                char *t = eaf__realloc(r.term, tn + 1);
                if (!t) {
                    s = eaf__rm_nomem(db);
                    break;
                }
                r.term = t;
                r.cap = tn + 1;
            }
            memcpy(r.term, term, tn);
            r.term[tn] = '\0';
            r.n = tn;
            r.hash = eaf__rel_term_hash(term, tn);
            r.ndocs = 0;
            last_doc = UINT32_MAX;
        }
        doc = eaf__rel_model_find(m, docid);
        if (doc < 0)
            continue;
        m->length[doc]++;
        if (kind == 2)
            m->hash[doc] += eaf__rel_token_hash(r.hash, (uint32_t)sqlite3_column_int(st, 3));
        if ((uint32_t)doc != last_doc) {
            if (r.ndocs == r.capdocs) {
                uint32_t cap = r.capdocs ? r.capdocs * 2 : 1024;
                uint32_t *d = eaf__rm_realloc(m, r.doc, r.capdocs, cap, sizeof(*d));
                double *f = d ? eaf__rm_realloc(m, r.tfw, r.capdocs, cap, sizeof(*f)) : NULL;
                if (d)
                    r.doc = d;
                if (!f) {
                    s = eaf__rm_nomem(db);
                    break;
                }
                r.tfw = f;
                r.capdocs = cap;
            }
            r.doc[r.ndocs] = (uint32_t)doc;
            r.tfw[r.ndocs] = 0.0;
            r.ndocs++;
            last_doc = (uint32_t)doc;
        }
        r.tfw[r.ndocs - 1] += kind == 0 ? h->title_w[doc] : 1.0;
    }
    if (s == EAF_OK && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the index's terms");
    if (s == EAF_OK && r.term)
        s = end_run(m, db, &r, h, cap_df);
    h->rows = rows;
    vocab_close(&vr);
    eaf__free(r.term);
    eaf__rm_free(m, r.doc, r.capdocs, sizeof(*r.doc));
    eaf__rm_free(m, r.tfw, r.capdocs, sizeof(*r.tfw));
    return s;
}

/* Turns the heaps of the bucket held into its articles' vectors. */
static eaf_status bucket_vectors(eaf__rel_model *m, eaf_db *db, heaps *h)
{
    uint32_t i, k;
    eaf_status s;

    for (i = 0; i < h->size; i++) {
        eaf__rel_pair *p = h->p + (size_t)i * h->k;
        k = eaf__rel_finish(p, h->n[i], h->k);
        m->vstart[h->first + i] = eaf__rm_vectors_at(m);
        s = eaf__rm_vector_add(m, db, p, k);
        if (s != EAF_OK)
            return s;
    }
    return EAF_OK;
}

/* Reads back bucket b's records (its chunks in the order written, then
 * what its buffer holds) into its heaps. */
static eaf_status bucket_read(eaf__rel_model *m, eaf_db *db, heaps *h, uint32_t b)
{
    const spill_rec *r;
    size_t c, j;

    (void)m;
    h->first = b * h->bucket;
    h->size = m->n - h->first < h->bucket ? m->n - h->first : h->bucket;
    memset(h->n, 0, (size_t)h->size * sizeof(*h->n));
    for (c = 0; c < h->nchunks; c++) {
        if (h->chunks[c].bucket != b)
            continue;
        if (eaf__rm_read_all_at(h->fd, h->in, (size_t)h->chunks[c].n * sizeof(*h->in),
                                h->chunks[c].off) < 0)
            return eaf__rm_temp_error(db, "read");
        for (j = 0; j < h->chunks[c].n; j++)
            heap_push(h, h->in[j].doc - h->first, h->in[j].term, h->in[j].w);
    }
    r = h->buf + (size_t)(b - 1) * SPILL_RECS;
    for (j = 0; j < h->fill[b]; j++)
        heap_push(h, r[j].doc - h->first, r[j].term, r[j].w);
    return EAF_OK;
}

/* Makes every article's vector: the first bucket's from its heaps, then
 * each other bucket's from what was spilled for it. */
static eaf_status make_vectors(eaf__rel_model *m, eaf_db *db, heaps *h,
                               const eaf__rel_progress *p)
{
    eaf_status s = bucket_vectors(m, db, h);
    uint32_t b;

    for (b = 1; s == EAF_OK && b < h->nbuckets; b++) {
        if (eaf__rm_report(p, "reading", h->rows, -1))
            s = eaf__rm_stopped(db);
        if (s == EAF_OK)
            s = bucket_read(m, db, h, b);
        if (s == EAF_OK)
            s = bucket_vectors(m, db, h);
    }
    if (s == EAF_OK)
        s = eaf__rm_vectors_end(m, db);
    return s;
}

eaf_status eaf__rel_model_build(eaf__rel_model **out, eaf_db *db, const eaf__rel_opts *o,
                                const eaf__rel_progress *p)
{
    eaf__rel_model *m;
    heaps h;
    eaf_status s;

    *out = NULL;
    s = eaf__rm_model_new(&m, db, o);
    if (s != EAF_OK)
        return s;
    memset(&h, 0, sizeof(h));
    h.fd = -1;
    s = eaf__rm_read_articles(m, db);
    m->n_model = m->n;
    if (s == EAF_OK && eaf__rm_report(p, "reading", 0, -1))
        s = eaf__rm_stopped(db);
    /* the metadata first: what reading it takes is given back before the
     * heaps are made */
    if (s == EAF_OK)
        s = eaf__rm_read_facets(m, db);
    if (s == EAF_OK)
        s = heaps_init(m, db, &h);
    if (s == EAF_OK)
        s = title_weights(m, db, &h);
    if (s == EAF_OK)
        s = stream_vocab(m, db, &h, p);
    if (s == EAF_OK)
        s = make_vectors(m, db, &h, p);
    m->spilled = h.nchunks;
    heaps_free(m, &h);
    if (s == EAF_OK)
        s = eaf__rm_make_postings(m, db);
    if (s == EAF_OK && eaf__rm_index_terms(m) < 0)
        s = eaf__rm_nomem(db);
    if (s != EAF_OK) {
        eaf__rel_model_free(m);
        return s;
    }
    *out = m;
    return EAF_OK;
}
