/*
 * related_model.c: the related-article model in memory: its memory, the
 * vectors (in memory and in a temporary file), the articles and the
 * dictionary.  The model is built (related_model_build.c), indexed and
 * loaded (related_model_index.c) and scored (related_score.c) in the
 * files beside it; what follows is the whole design.
 *
 * Building.  The term vectors come straight from the FTS5 index, through
 * its fts5vocab "instance" table (one row per token: term, article,
 * column, position), which lists the tokens term by term, and for each
 * term article by article.  So one pass gives, for each term, its
 * document frequency and its weighted count in each article that has it;
 * each article keeps its best `terms` terms in a small heap as the terms
 * stream by.  No text is read or tokenized again.  The heaps of every
 * article would take 8 bytes per term kept per article (960 MB for a
 * million articles of 120 terms), so only those of a bucket of articles
 * are held (HEAP_BUDGET): the weights offered to the articles of the
 * other buckets are spilled to a temporary file, and read back bucket by
 * bucket once the pass is over.  The heaps keep the same terms whatever
 * order their weights come in.
 *
 * Loading.  A refresh reads the vectors, term statistics and options that
 * the last build stored, and computes the vectors of the articles changed
 * since from their text, with the stored statistics.
 *
 * The vectors are held in their stored form (eaf__rel_encode: varint
 * term deltas and 16-bit weights, about 4 bytes a term), and decoded
 * when an article is scored or is a candidate.  Up to VECTOR_BUDGET of
 * them are in memory; the rest go to a temporary file, each read back
 * (pread) when it is needed.
 *
 * Scoring.  An inverted index over the vectors (each term's articles,
 * highest weight first) gives, for an article, the dot product of its
 * vector with every article sharing one of its terms: its weight times
 * theirs, accumulated.  Products below PRUNE are not accumulated (the
 * postings are sorted, so the rest of the list is skipped), nor those
 * past the first POSTING_CAP of a term, which are therefore not kept at
 * all; the best candidates by that sum (eaf__rel_candidates) are then
 * ranked exactly (eaf__rel_rank: the exact cosine widened by the closest
 * candidates, metadata, recency, duplicates).
 * Several threads may score at once: the model is only read.
 *
 * Memory.  What the model takes (the tally of eaf__rm_alloc and the rest, its
 * peak reported as model_bytes; eaf__rel_model_bound computes this
 * bound, and test_related checks it), for N articles with F metadata
 * values (V distinct), T kept terms (of B bytes) and Q postings:
 *
 *   held throughout   53 N (ids, dates, text hashes and lengths, the
 *                     offsets of the vectors and of the metadata, the map
 *                     from ids) + 4 F + 6 V + 16 N (the metadata: the
 *                     values, and their lengths by kind) + 32 T + 2 B
 *                     (the dictionary)
 *   plus the largest of
 *     the metadata being read   16 F + 4 N
 *     the index being read      28 N (a term's articles, the titles'
 *                               weights) + HEAP_BUDGET
 *                               (the heaps of a bucket) + 48 KB a bucket
 *                               (N / 35,000 of them with 120 terms) +
 *                               the vectors so far
 *     the postings              6 Q + 16 T + the vectors
 *   where the vectors take at most VECTOR_BUDGET (+ 1 MB of buffer), and
 *   Q is at most POSTING_CAP * T whatever N, and no more than the terms
 *   in all the vectors.
 *
 * Past a few hundred thousand articles of natural language T hardly
 * grows, so the model grows by 69 bytes an article (and 4 a metadata
 * value), plus the 24 N while the index is read.  The batch adds, per
 * scoring thread, 4 N + 8 T bytes and about 130 KB (eaf__rel_worker_new),
 * and the lists scored before they are stored (LIST_BUDGET, related_build.c).
 * The temporary files take 12 bytes for each kept term of each article
 * that has it but the first bucket's (the sum of their dfs), and the
 * vectors past the budget; they are removed as soon as they are made.
 * On the generated corpus of a million articles (7M metadata values,
 * 89k terms, 293 MB of vectors, 14M postings) the model peaks at 296 MB:
 * 128 MB of vectors in memory and 165 MB in the file, 84 MB of postings,
 * 69 MB for the articles; the spill file takes 1.8 GB.  The build's peak
 * resident size is 309 MB (against 1 GB with everything in memory).
 */
#include "related_model_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t eaf__rel_heap_budget = HEAP_BUDGET;
size_t eaf__rel_list_budget = LIST_BUDGET;
size_t eaf__rel_vector_budget = VECTOR_BUDGET;

/* ---- allocation with a tally ------------------------------------------------ */

void *eaf__rm_alloc(eaf__rel_model *m, size_t n, size_t size)
{
    void *p = eaf__malloc(n ? n * size : 1);

    if (p) {
        m->bytes += n * size;
        if (m->bytes > m->peak)
            m->peak = m->bytes;
    }
    return p;
}

void *eaf__rm_calloc(eaf__rel_model *m, size_t n, size_t size)
{
    void *p = eaf__calloc(n ? n : 1, size);

    if (p) {
        m->bytes += n * size;
        if (m->bytes > m->peak)
            m->peak = m->bytes;
    }
    return p;
}

void *eaf__rm_realloc(eaf__rel_model *m, void *p, size_t old, size_t n, size_t size)
{
    void *q = eaf__realloc(p, n ? n * size : 1);

    if (q) {
        m->bytes = m->bytes - old * size + n * size;
        if (m->bytes > m->peak)
            m->peak = m->bytes;
    }
    return q;
}

void eaf__rm_free(eaf__rel_model *m, void *p, size_t n, size_t size)
{
    if (p)
        m->bytes -= n * size;
    eaf__free(p);
}

void eaf__rel_model_free(eaf__rel_model *m)
{
    if (!m)
        return;
    eaf__rel_stops_free(&m->stops);
    eaf__free(m->id);
    eaf__free(m->ymd);
    eaf__free(m->slot);
    eaf__free(m->hash);
    eaf__free(m->length);
    eaf__free(m->changed);
    eaf__free(m->vstart);
    eaf__free(m->vbytes);
    eaf__free(m->wbuf);
    if (m->vfd >= 0)
        close(m->vfd);
    eaf__free(m->tarena);
    eaf__free(m->toff);
    eaf__free(m->tdf);
    eaf__free(m->tslot);
    eaf__free(m->pstart);
    eaf__free(m->pdoc);
    eaf__free(m->pq);
    eaf__free(m->vkind);
    eaf__free(m->vidf);
    eaf__free(m->fstart);
    eaf__free(m->fnorm);
    eaf__free(m->fval);
    eaf__free(m);
}

/* ---- accessors ------------------------------------------------------------------- */

uint32_t eaf__rel_model_articles(const eaf__rel_model *m) { return m->n; }
uint32_t eaf__rel_model_terms(const eaf__rel_model *m) { return m->nterms; }
uint64_t eaf__rel_model_postings(const eaf__rel_model *m) { return m->pstart[m->nterms]; }
uint64_t eaf__rel_model_pairs(const eaf__rel_model *m) { return m->npairs; }
size_t eaf__rel_model_bytes(const eaf__rel_model *m) { return m->peak; }
uint32_t eaf__rel_model_n(const eaf__rel_model *m) { return m->n_model; }
int64_t eaf__rel_model_id(const eaf__rel_model *m, uint32_t i) { return m->id[i]; }
int eaf__rel_model_changed(const eaf__rel_model *m, uint32_t i) { return m->changed[i]; }

int64_t eaf__rel_model_find(const eaf__rel_model *m, int64_t id)
{
    uint32_t lo = 0, hi = m->n;

    if (m->slot)
        return id >= 0 && id <= m->max_id && m->slot[id] ? (int64_t)m->slot[id] - 1 : -1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && m->id[lo] == id ? (int64_t)lo : -1;
}

const char *eaf__rel_model_term(const eaf__rel_model *m, uint32_t i, uint32_t *df)
{
    if (i >= m->nterms)
        return NULL;
    if (df)
        *df = m->tdf[i];
    return m->tarena + m->toff[i];
}


/* Opens a temporary file in $TMPDIR (else /tmp), removed at once so that
 * nothing is left behind, whatever happens. */
eaf_status eaf__rm_temp_open(eaf_db *db, int *fd)
{
    const char *dir = getenv("TMPDIR");
    char *path;
    size_t n;

    if (!dir || !*dir)
        dir = "/tmp";
    n = strlen(dir) + sizeof("/eafrelated-XXXXXX");
    path = eaf__malloc(n);
    if (!path)
        return eaf__rm_nomem(db);
    snprintf(path, n, "%s/eafrelated-XXXXXX", dir);
    errno = 0;
    *fd = mkstemp(path);
    if (*fd >= 0)
        unlink(path);
    eaf__free(path);
    if (*fd < 0)
        return eaf__db_error(db, EAF_IO,
                             "cannot make the related-article build's temporary file in '%s': %s",
                             dir, strerror(errno));
    return EAF_OK;
}

/* A vector could not be read back from the temporary file. */
eaf_status eaf__rm_vectors_unread(eaf_db *db)
{
    return eaf__db_error(db, EAF_IO, "cannot read the related-article build's temporary file");
}

eaf_status eaf__rm_temp_error(eaf_db *db, const char *what)
{
    int e = errno;

    return eaf__db_error(db, e == ENOMEM ? EAF_NOMEM : EAF_IO,
                         "cannot %s the related-article build's temporary file: %s", what,
                         e ? strerror(e) : "short count");
}

/* pwrite and pread of all n bytes; -1 (errno set, 0 for a short count)
 * when they could not be. */
int eaf__rm_write_all_at(int fd, const void *p, size_t n, uint64_t off)
{
    const unsigned char *at = p;

    while (n > 0) {
        ssize_t w;
        errno = 0;
        w = pwrite(fd, at, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        at += w;
        off += (uint64_t)w;
        n -= (size_t)w;
    }
    return 0;
}

int eaf__rm_read_all_at(int fd, void *p, size_t n, uint64_t off)
{
    unsigned char *at = p;

    while (n > 0) {
        ssize_t r;
        errno = 0;
        r = pread(fd, at, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        at += r;
        off += (uint64_t)r;
        n -= (size_t)r;
    }
    return 0;
}

/* Where article i's bytes are: in memory, or read from the file into buf
 * (room for EAF__REL_ENCODED_MAX(EAF__REL_MAX_TERMS)).  NULL when they
 * cannot be read. */
static const unsigned char *vector_bytes(const eaf__rel_model *m, uint32_t i, unsigned char *buf)
{
    uint64_t at = m->vstart[i];

    if (at < m->vmem)
        return m->vbytes + at;
    if (eaf__rm_read_all_at(m->vfd, buf, (size_t)(m->vstart[i + 1] - at), at - m->vmem) < 0)
        return NULL;
    return buf;
}

/* Decodes article i's vector into v (room for o.terms pairs).  The bytes
 * in memory are the model's own, written by eaf__rel_encode, so they are
 * not checked again; those read back from the file are (eaf__rel_decode).
 * The weights are those eaf__rel_decode gives.  A vector that cannot be
 * read sets *err and is empty. */
uint32_t eaf__rm_vector_of(const eaf__rel_model *m, uint32_t i, eaf__rel_pair *v, int *err)
{
    unsigned char buf[EAF__REL_ENCODED_MAX(EAF__REL_MAX_TERMS)];
    const unsigned char *b = vector_bytes(m, i, buf);
    uint32_t n = 0, k, x, prev = 0;
    int shift;

    if (b == buf) {
        int got = eaf__rel_decode(b, (size_t)(m->vstart[i + 1] - m->vstart[i]), v, m->o.terms);
        if (got >= 0)
            return (uint32_t)got;
        b = NULL;
    }
    if (!b) {
        *err = 1;
        return 0;
    }
    for (shift = 0; *b & 0x80; shift += 7)
        n |= (uint32_t)(*b++ & 0x7F) << shift;
    n |= (uint32_t)*b++ << shift;
    for (k = 0; k < n; k++) {
        x = 0;
        for (shift = 0; *b & 0x80; shift += 7)
            x |= (uint32_t)(*b++ & 0x7F) << shift;
        x |= (uint32_t)*b++ << shift;
        prev += x;
        v[k].term = prev;
    }
    for (k = 0; k < n; k++, b += 2)
        v[k].w = (float)(b[0] | (b[1] << 8)) / EAF__REL_QUANT;
    return n;
}

int64_t eaf__rel_model_vector(const eaf__rel_model *m, uint32_t i, eaf__rel_pair *v,
                              uint64_t *hash, uint32_t *length)
{
    int err = 0;
    uint32_t n;

    if (hash)
        *hash = m->hash[i];
    if (length)
        *length = m->length[i];
    if (!v)
        return 0;
    n = eaf__rm_vector_of(m, i, v, &err);
    return err ? -1 : (int64_t)n;
}

const unsigned char *eaf__rel_model_blob(const eaf__rel_model *m, uint32_t i,
                                         unsigned char *buf, size_t *nb)
{
    *nb = (size_t)(m->vstart[i + 1] - m->vstart[i]);
    return vector_bytes(m, i, buf);
}

/* Where the next vector goes, in the vectors' bytes. */
uint64_t eaf__rm_vectors_at(const eaf__rel_model *m)
{
    return m->vfd < 0 ? m->vbytes_n : m->vmem + m->vfile_n;
}

/* Writes out what the file's buffer holds. */
static eaf_status vectors_flush(eaf__rel_model *m, eaf_db *db)
{
    if (m->wbuf_n && eaf__rm_write_all_at(m->vfd, m->wbuf, m->wbuf_n, m->vfile_n - m->wbuf_n) < 0)
        return eaf__rm_temp_error(db, "write");
    m->wbuf_n = 0;
    return EAF_OK;
}

/* Appends the next article's vector (k pairs) to the vectors: in memory
 * while they take no more than eaf__rel_vector_budget, else to the
 * temporary file (through a buffer of VECTOR_WBUF bytes). */
eaf_status eaf__rm_vector_add(eaf__rel_model *m, eaf_db *db, const eaf__rel_pair *p, uint32_t k)
{
    size_t need = EAF__REL_ENCODED_MAX(k);
    eaf_status s;

    m->npairs += k;
    if (m->vfd < 0 && m->vbytes_n + need > m->vbytes_cap) {
        uint64_t cap = m->vbytes_cap + m->vbytes_cap / 2 + EAF__REL_ENCODED_MAX(EAF__REL_MAX_TERMS);
        unsigned char *b;
        if (cap > eaf__rel_vector_budget)
            cap = eaf__rel_vector_budget;
        if (m->vbytes_n + need <= cap) {
            b = eaf__rm_realloc(m, m->vbytes, (size_t)m->vbytes_cap, (size_t)cap, 1);
            if (!b)
                return eaf__rm_nomem(db);
            m->vbytes = b;
            m->vbytes_cap = cap;
        } else {
            /* the budget is spent: this vector and the rest go to the file */
            s = eaf__rm_temp_open(db, &m->vfd);
            if (s != EAF_OK)
                return s;
            m->wbuf = eaf__rm_alloc(m, VECTOR_WBUF, 1);
            if (!m->wbuf)
                return eaf__rm_nomem(db);
            m->vmem = m->vbytes_n;
        }
    }
    if (m->vfd < 0) {
        m->vbytes_n += eaf__rel_encode(m->vbytes + m->vbytes_n, p, k);
        return EAF_OK;
    }
    if (m->wbuf_n + need > VECTOR_WBUF && (s = vectors_flush(m, db)) != EAF_OK)
        return s;
    need = eaf__rel_encode(m->wbuf + m->wbuf_n, p, k);
    m->wbuf_n += need;
    m->vfile_n += need;
    return EAF_OK;
}

/* Ends the vectors (sets vstart[n]): writes out the file's buffer, and
 * gives back the room left in memory. */
eaf_status eaf__rm_vectors_end(eaf__rel_model *m, eaf_db *db)
{
    unsigned char *b;
    eaf_status s;

    m->vstart[m->n] = eaf__rm_vectors_at(m);
    if (m->vfd >= 0) {
        s = vectors_flush(m, db);
        if (s != EAF_OK)
            return s;
        eaf__rm_free(m, m->wbuf, VECTOR_WBUF, 1);
        m->wbuf = NULL;
    }
    b = eaf__rm_realloc(m, m->vbytes, (size_t)m->vbytes_cap, (size_t)m->vbytes_n, 1);
    if (!b)
        return eaf__rm_nomem(db);
    m->vbytes = b;
    m->vbytes_cap = m->vbytes_n;
    return EAF_OK;
}

/* ---- progress --------------------------------------------------------------------- */

int eaf__rm_report(const eaf__rel_progress *p, const char *phase, int64_t done, int64_t total)
{
    return p && p->fn && p->fn(phase, done, total, p->payload) != 0;
}

/* ---- the articles --------------------------------------------------------------- */

eaf_status eaf__rm_stopped(eaf_db *db)
{
    return eaf__db_error(db, EAF_ABORT, "the related-article build was stopped");
}

eaf_status eaf__rm_nomem(eaf_db *db)
{
    return eaf__db_error(db, EAF_NOMEM, "out of memory");
}

/* Reads the articles' ids and dates, and makes the map from ids. */
eaf_status eaf__rm_read_articles(eaf__rel_model *m, eaf_db *db)
{
    sqlite3_stmt *st = NULL;
    uint32_t cap = 1024, i;
    int rc;

    rc = sqlite3_prepare_v2(db->sql, "SELECT id, day FROM article ORDER BY id", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return eaf__db_sqlerr(db, rc, "reading the articles");
    }
    m->id = eaf__rm_alloc(m, cap, sizeof(*m->id));
    m->ymd = eaf__rm_alloc(m, cap, sizeof(*m->ymd));
    if (!m->id || !m->ymd) {
        sqlite3_finalize(st);
        return eaf__rm_nomem(db);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (m->n == cap) {
            int64_t *id = eaf__rm_realloc(m, m->id, cap, (size_t)cap * 2, sizeof(*id));
            int32_t *ymd =
                id ? eaf__rm_realloc(m, m->ymd, cap, (size_t)cap * 2, sizeof(*ymd)) : NULL;
            if (id)
                m->id = id;
            if (!ymd) {
                sqlite3_finalize(st);
                return eaf__rm_nomem(db);
            }
            m->ymd = ymd;
            cap *= 2;
        }
        m->id[m->n] = sqlite3_column_int64(st, 0);
        m->ymd[m->n] = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0
                                                                 : sqlite3_column_int(st, 1);
        m->n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return eaf__db_sqlerr(db, rc, "reading the articles");
    /* give back the room the doubling left */
    if (m->n < cap) {
        int64_t *id = eaf__rm_realloc(m, m->id, cap, m->n, sizeof(*id));
        int32_t *ymd = id ? eaf__rm_realloc(m, m->ymd, cap, m->n, sizeof(*ymd)) : NULL;
        if (id)
            m->id = id;
        if (!ymd)
            return eaf__rm_nomem(db);
        m->ymd = ymd;
    }
    m->hash = eaf__rm_calloc(m, m->n, sizeof(*m->hash));
    m->length = eaf__rm_calloc(m, m->n, sizeof(*m->length));
    m->changed = eaf__rm_calloc(m, m->n, 1);
    m->vstart = eaf__rm_calloc(m, (size_t)m->n + 1, sizeof(*m->vstart));
    if (!m->hash || !m->length || !m->changed || !m->vstart)
        return eaf__rm_nomem(db);
    m->newest = EAF__REL_NO_DAY;
    for (i = 0; i < m->n; i++) {
        int32_t day = eaf__rel_day(m->ymd[i]);
        if (day != EAF__REL_NO_DAY && (m->newest == EAF__REL_NO_DAY || day > m->newest))
            m->newest = day;
    }
    m->max_id = m->n ? m->id[m->n - 1] : 0;
    if (m->n && m->id[0] >= 0 && m->max_id < 4 * (int64_t)m->n + 1024) {
        m->slot = eaf__rm_calloc(m, (size_t)m->max_id + 1, sizeof(*m->slot));
        if (!m->slot)
            return eaf__rm_nomem(db);
        for (i = 0; i < m->n; i++)
            m->slot[m->id[i]] = (int32_t)i + 1;
    }
    return EAF_OK;
}

eaf_status eaf__rm_model_new(eaf__rel_model **out, eaf_db *db, const eaf__rel_opts *o)
{
    eaf__rel_model *m = eaf__calloc(1, sizeof(*m));

    *out = NULL;
    if (!m)
        return eaf__rm_nomem(db);
    m->o = *o;
    m->vfd = -1;
    m->vmem = UINT64_MAX;
    if (eaf__rel_stops_init(&m->stops, db->language) != EAF_OK) {
        eaf__free(m);
        return eaf__rm_nomem(db);
    }
    *out = m;
    return EAF_OK;
}

/* ---- the dictionary --------------------------------------------------------------- */

static size_t term_hash(const char *s, size_t n)
{
    return (size_t)eaf__rel_term_hash(s, n);
}

/* Appends a term; returns its id, or -1 when out of memory. */
int64_t eaf__rm_add_term(eaf__rel_model *m, const char *t, size_t n, uint32_t df)
{
    if (m->nterms == m->tcap) {
        uint32_t cap = m->tcap ? m->tcap * 2 : 4096;
        uint32_t *off = eaf__rm_realloc(m, m->toff, m->tcap, cap, sizeof(*off));
        uint32_t *d;
        if (!off)
            return -1;
        m->toff = off;
        d = eaf__rm_realloc(m, m->tdf, m->tcap, cap, sizeof(*d));
        if (!d)
            return -1;
        m->tdf = d;
        m->tcap = cap;
    }
    if (m->tarena_n + n + 1 > m->tarena_cap || m->tarena_n + n + 1 > UINT32_MAX) {
        size_t cap = m->tarena_cap ? m->tarena_cap * 2 : 65536;
        char *a;
        while (cap < m->tarena_n + n + 1)
            cap *= 2;
        if (m->tarena_n + n + 1 > UINT32_MAX)
            return -1;
        a = eaf__rm_realloc(m, m->tarena, m->tarena_cap, cap, 1);
        if (!a)
            return -1;
        m->tarena = a;
        m->tarena_cap = cap;
    }
    memcpy(m->tarena + m->tarena_n, t, n);
    m->tarena[m->tarena_n + n] = '\0';
    m->toff[m->nterms] = (uint32_t)m->tarena_n;
    m->tdf[m->nterms] = df;
    m->tarena_n += n + 1;
    return m->nterms++;
}

/* Makes the hash index over the dictionary (for looking terms up). */
int eaf__rm_index_terms(eaf__rel_model *m)
{
    size_t slots = 1024, i, j;

    while (slots < (size_t)m->nterms * 2)
        slots *= 2;
    m->tslot = eaf__rm_calloc(m, slots, sizeof(*m->tslot));
    if (!m->tslot)
        return -1;
    m->tslots = slots;
    for (i = 0; i < m->nterms; i++) {
        const char *t = m->tarena + m->toff[i];
        for (j = term_hash(t, strlen(t)) & (slots - 1); m->tslot[j]; j = (j + 1) & (slots - 1))
            ;
        m->tslot[j] = (uint32_t)i + 1;
    }
    return 0;
}

int eaf__rm_model_lookup(void *ctx, const char *t, size_t n, uint32_t *id, uint32_t *df)
{
    const eaf__rel_model *m = ctx;
    size_t j;

    for (j = term_hash(t, n) & (m->tslots - 1); m->tslot[j]; j = (j + 1) & (m->tslots - 1)) {
        uint32_t i = m->tslot[j] - 1;
        const char *s = m->tarena + m->toff[i];
        if (strncmp(s, t, n) == 0 && s[n] == '\0') {
            *id = i;
            *df = m->tdf[i];
            return 1;
        }
    }
    return 0;
}

/* ---- the plan of a batch ------------------------------------------------------- */

void eaf__rel_plan_make(eaf__rel_plan *pl, uint32_t n, const eaf__rel_opts *o)
{
    size_t per = (size_t)o->terms * sizeof(eaf__rel_pair) + sizeof(uint16_t);
    size_t per_list = (size_t)o->count * sizeof(eaf__rel_entry) + 1;
    size_t b = eaf__rel_heap_budget / per, c = eaf__rel_list_budget / per_list;

    memset(pl, 0, sizeof(*pl));
    if (b < 1)
        b = 1;
    if (b > n)
        b = n ? n : 1;
    if (c < 1)
        c = 1;
    if (c > n)
        c = n ? n : 1;
    pl->bucket = (uint32_t)b;
    pl->buckets = n ? (uint32_t)((n + b - 1) / b) : 1;
    pl->chunk = (uint32_t)c;
    pl->heap_bytes = b * per;
    pl->spill_bytes = pl->buckets > 1 ? (size_t)pl->buckets * SPILL_RECS * sizeof(spill_rec) : 0;
    pl->list_bytes = c * per_list;
}

/* ---- the bound on memory ---------------------------------------------------------- */

/* The bound on the memory the model takes at its largest (the tally of
 * eaf__rm_alloc...), as the comment at the top of this file gives it: the sum
 * of what every phase may hold, so more than any one phase holds. */
size_t eaf__rel_model_bound(const eaf__rel_model *m)
{
    eaf__rel_plan pl;
    uint64_t n = m->n, t = m->nterms, f = m->fstart ? m->fstart[m->n] : 0, v = m->nvals;
    uint64_t tb = m->tarena_n, vb = m->vstart[m->n], q = m->pstart[m->nterms];
    uint64_t vmem = vb + vb / 2 + 2 * EAF__REL_ENCODED_MAX(EAF__REL_MAX_TERMS);
    uint64_t held, meta, reading, postings, b;

    eaf__rel_plan_make(&pl, m->n, &m->o);
    if (vmem > eaf__rel_vector_budget)
        vmem = eaf__rel_vector_budget;
    if (m->vfd >= 0)
        vmem += VECTOR_WBUF;
    /* held throughout: the articles (id, date, hash, length, changed, the
     * vectors' and the metadata's offsets, the map from ids, up to 4 n +
     * 1024 of them), the metadata (each article's values and their lengths
     * by kind, each value's kind and idf), the dictionary (offsets and dfs, the terms, the hash
     * index) */
    held = 53 * n + 4096 + 4 * f + 6 * v + 256 + 16 * n +
           8 * (2 * t > 4096 ? 2 * t : 4096) + 2 * (tb > 65536 ? tb : 65536) +
           4 * (4 * t > 1024 ? 4 * t : 1024);
    /* reading the metadata: its rows, the articles' cursor, the values' dfs */
    meta = 16 * (f + 1024) + 4 * (n + 1) + 8 * (v + 256);
    /* reading the index: a term's articles, the heaps of a bucket, the
     * spill's buffers and chunks, the vectors made so far */
    reading = 28 * (n + 1024) + pl.heap_bytes + pl.spill_bytes + SPILL_RECS * sizeof(spill_rec) +
              2 * sizeof(spill_chunk) * ((uint64_t)m->spilled + 1024) + vmem;
    /* the postings (at most POSTING_CAP a term) and their offsets, what
     * making them takes, the vectors */
    postings = 6 * q + 16 * (t + 1) + 8 * (uint64_t)m->o.terms +
               sizeof(posting) * POSTING_CAP + vmem;
    b = meta > reading ? meta : reading;
    b = held + (b > postings ? b : postings);
    return b > SIZE_MAX ? SIZE_MAX : (size_t)b;
}
