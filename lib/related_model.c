/*
 * related_model.c: the related-article model in memory, and the batch
 * scoring over it.
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
 * Memory.  What the model takes (the tally of m_alloc and the rest, its
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
 *     the index being read      24 N (a term's articles) + HEAP_BUDGET
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
 * and the lists scored before they are stored (LIST_BUDGET, related.c).
 * The temporary files take 12 bytes for each kept term of each article
 * that has it but the first bucket's (the sum of their dfs), and the
 * vectors past the budget; they are removed as soon as they are made.
 * On the generated corpus of a million articles (7M metadata values,
 * 89k terms, 293 MB of vectors, 14M postings) the model peaks at 296 MB:
 * 128 MB of vectors in memory and 165 MB in the file, 84 MB of postings,
 * 69 MB for the articles; the spill file takes 1.8 GB.  The build's peak
 * resident size is 309 MB (against 1 GB with everything in memory).
 */
#include "related.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Products of weights below PRUNE are not accumulated (a few
 * thousandths, against the tenths that related articles score). */
#define PRUNE 0.003f
/* Of each term's postings (sorted by weight), only the first POSTING_CAP
 * are read: the articles the term weighs most in.  A common term of the
 * source would otherwise bring tens of thousands of articles in which it
 * weighs little: on the 123k enwiki sections, lists read 4,100 postings
 * each instead of 37,000, five times faster, and as good (P@10 of the
 * sample 0.594 against 0.589).  The rest are never read, so they are not
 * kept: the inverted index holds at most POSTING_CAP entries a term. */
#define POSTING_CAP 300
/* How often progress is reported, in articles. */
#define PROGRESS_EVERY 1024
/* The memory the heaps of the articles being built may take (a bucket of
 * articles at a time), and the lists being scored before they are
 * stored (a chunk at a time). */
#define HEAP_BUDGET ((size_t)32 << 20)
#define LIST_BUDGET ((size_t)8 << 20)
/* The memory the vectors may take; the rest go to a temporary file, and
 * each is read from it when it is scored or is a candidate. */
#define VECTOR_BUDGET ((size_t)128 << 20)
/* Records a bucket's spill buffer holds before it is written out, and
 * the buffer of the vectors' file. */
#define SPILL_RECS 4096
#define VECTOR_WBUF ((size_t)1 << 20)

size_t eaf__rel_heap_budget = HEAP_BUDGET;
size_t eaf__rel_list_budget = LIST_BUDGET;
size_t eaf__rel_vector_budget = VECTOR_BUDGET;

struct eaf__rel_model {
    eaf__rel_opts o;
    eaf__rel_stops stops;
    uint32_t n;               /* articles */
    uint32_t n_model;         /* N of the idf */
    int64_t *id;              /* ascending */
    int32_t *ymd;             /* (the day numbers are computed when needed) */
    int32_t newest;
    int32_t *slot;            /* id -> index + 1, when ids are dense; else NULL */
    int64_t max_id;
    uint64_t *hash;
    uint32_t *length;
    unsigned char *changed;
    /* vectors, encoded: article i's are bytes vstart[i] .. vstart[i + 1]
     * of the vectors, which are vbytes in memory up to vmem, and past it
     * the temporary file vfd (from its start): once they take
     * eaf__rel_vector_budget in memory, the rest go to the file */
    uint64_t *vstart;
    unsigned char *vbytes;
    uint64_t vbytes_n, vbytes_cap;
    uint64_t vmem;            /* UINT64_MAX while there is no file */
    int vfd;
    unsigned char *wbuf;      /* writes to the file, buffered */
    size_t wbuf_n;
    uint64_t vfile_n;         /* bytes of the file, with those buffered */
    uint64_t npairs;          /* terms in all the vectors */
    /* dictionary: term i is tarena + toff[i], its df tdf[i] */
    uint32_t nterms, tcap;
    char *tarena;
    size_t tarena_n, tarena_cap;
    uint32_t *toff, *tdf;
    uint32_t *tslot;          /* hash index over the terms: id + 1 */
    size_t tslots;
    /* postings: term t's first POSTING_CAP articles by weight are
     * pdoc[pstart[t] .. pstart[t + 1]) (their indexes), with their
     * quantised weights in pq (the weight is pq / EAF__REL_QUANT) */
    uint64_t *pstart;
    uint32_t *pdoc;
    uint16_t *pq;
    /* metadata */
    uint32_t nvals;
    unsigned char *vkind;
    float *vidf;
    uint32_t *fstart, *fval;  /* article i's values: fval[fstart[i] .. fstart[i + 1]) */
    float *fnorm;             /* their length by kind, EAF__META_KINDS per article */
    size_t bytes, peak;       /* the memory taken (m_alloc...), now and at most */
    size_t spilled;           /* chunks the build spilled */
};

/* ---- allocation with a tally ------------------------------------------------ */

static void *m_alloc(eaf__rel_model *m, size_t n, size_t size)
{
    void *p = eaf__malloc(n ? n * size : 1);

    if (p) {
        m->bytes += n * size;
        if (m->bytes > m->peak)
            m->peak = m->bytes;
    }
    return p;
}

static void *m_calloc(eaf__rel_model *m, size_t n, size_t size)
{
    void *p = eaf__calloc(n ? n : 1, size);

    if (p) {
        m->bytes += n * size;
        if (m->bytes > m->peak)
            m->peak = m->bytes;
    }
    return p;
}

static void *m_realloc(eaf__rel_model *m, void *p, size_t old, size_t n, size_t size)
{
    void *q = eaf__realloc(p, n ? n * size : 1);

    if (q) {
        m->bytes = m->bytes - old * size + n * size;
        if (m->bytes > m->peak)
            m->peak = m->bytes;
    }
    return q;
}

static void m_free(eaf__rel_model *m, void *p, size_t n, size_t size)
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

static eaf_status nomem(eaf_db *db);

/* Opens a temporary file in $TMPDIR (else /tmp), removed at once so that
 * nothing is left behind, whatever happens. */
static eaf_status temp_open(eaf_db *db, int *fd)
{
    const char *dir = getenv("TMPDIR");
    char *path;
    size_t n;

    if (!dir || !*dir)
        dir = "/tmp";
    n = strlen(dir) + sizeof("/eafrelated-XXXXXX");
    path = eaf__malloc(n);
    if (!path)
        return nomem(db);
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
static eaf_status vectors_unread(eaf_db *db)
{
    return eaf__db_error(db, EAF_IO, "cannot read the related-article build's temporary file");
}

static eaf_status temp_error(eaf_db *db, const char *what)
{
    int e = errno;

    return eaf__db_error(db, e == ENOMEM ? EAF_NOMEM : EAF_IO,
                         "cannot %s the related-article build's temporary file: %s", what,
                         e ? strerror(e) : "short count");
}

/* pwrite and pread of all n bytes; -1 (errno set, 0 for a short count)
 * when they could not be. */
static int write_all_at(int fd, const void *p, size_t n, uint64_t off)
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

static int read_all_at(int fd, void *p, size_t n, uint64_t off)
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
    if (read_all_at(m->vfd, buf, (size_t)(m->vstart[i + 1] - at), at - m->vmem) < 0)
        return NULL;
    return buf;
}

/* Decodes article i's vector into v (room for o.terms pairs).  The bytes
 * in memory are the model's own, written by eaf__rel_encode, so they are
 * not checked again; those read back from the file are (eaf__rel_decode).
 * The weights are those eaf__rel_decode gives.  A vector that cannot be
 * read sets *err and is empty. */
static uint32_t vector_of(const eaf__rel_model *m, uint32_t i, eaf__rel_pair *v, int *err)
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
    n = vector_of(m, i, v, &err);
    return err ? -1 : (int64_t)n;
}

const unsigned char *eaf__rel_model_blob(const eaf__rel_model *m, uint32_t i,
                                         unsigned char *buf, size_t *nb)
{
    *nb = (size_t)(m->vstart[i + 1] - m->vstart[i]);
    return vector_bytes(m, i, buf);
}

/* Where the next vector goes, in the vectors' bytes. */
static uint64_t vectors_at(const eaf__rel_model *m)
{
    return m->vfd < 0 ? m->vbytes_n : m->vmem + m->vfile_n;
}

/* Writes out what the file's buffer holds. */
static eaf_status vectors_flush(eaf__rel_model *m, eaf_db *db)
{
    if (m->wbuf_n && write_all_at(m->vfd, m->wbuf, m->wbuf_n, m->vfile_n - m->wbuf_n) < 0)
        return temp_error(db, "write");
    m->wbuf_n = 0;
    return EAF_OK;
}

/* Appends the next article's vector (k pairs) to the vectors: in memory
 * while they take no more than eaf__rel_vector_budget, else to the
 * temporary file (through a buffer of VECTOR_WBUF bytes). */
static eaf_status vector_add(eaf__rel_model *m, eaf_db *db, const eaf__rel_pair *p, uint32_t k)
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
            b = m_realloc(m, m->vbytes, (size_t)m->vbytes_cap, (size_t)cap, 1);
            if (!b)
                return nomem(db);
            m->vbytes = b;
            m->vbytes_cap = cap;
        } else {
            /* the budget is spent: this vector and the rest go to the file */
            s = temp_open(db, &m->vfd);
            if (s != EAF_OK)
                return s;
            m->wbuf = m_alloc(m, VECTOR_WBUF, 1);
            if (!m->wbuf)
                return nomem(db);
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
static eaf_status vectors_end(eaf__rel_model *m, eaf_db *db)
{
    unsigned char *b;
    eaf_status s;

    m->vstart[m->n] = vectors_at(m);
    if (m->vfd >= 0) {
        s = vectors_flush(m, db);
        if (s != EAF_OK)
            return s;
        m_free(m, m->wbuf, VECTOR_WBUF, 1);
        m->wbuf = NULL;
    }
    b = m_realloc(m, m->vbytes, (size_t)m->vbytes_cap, (size_t)m->vbytes_n, 1);
    if (!b)
        return nomem(db);
    m->vbytes = b;
    m->vbytes_cap = m->vbytes_n;
    return EAF_OK;
}

/* ---- progress --------------------------------------------------------------------- */

static int report(const eaf__rel_progress *p, const char *phase, int64_t done, int64_t total)
{
    return p && p->fn && p->fn(phase, done, total, p->payload) != 0;
}

/* ---- the articles --------------------------------------------------------------- */

static eaf_status stopped(eaf_db *db)
{
    return eaf__db_error(db, EAF_ERROR, "the related-article build was stopped");
}

static eaf_status nomem(eaf_db *db)
{
    return eaf__db_error(db, EAF_NOMEM, "out of memory");
}

/* Reads the articles' ids and dates, and makes the map from ids. */
static eaf_status read_articles(eaf__rel_model *m, eaf_db *db)
{
    sqlite3_stmt *st = NULL;
    uint32_t cap = 1024, i;
    int rc;

    rc = sqlite3_prepare_v2(db->sql, "SELECT id, day FROM article ORDER BY id", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return eaf__db_sqlerr(db, rc, "reading the articles");
    }
    m->id = m_alloc(m, cap, sizeof(*m->id));
    m->ymd = m_alloc(m, cap, sizeof(*m->ymd));
    if (!m->id || !m->ymd) {
        sqlite3_finalize(st);
        return nomem(db);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (m->n == cap) {
            int64_t *id = m_realloc(m, m->id, cap, (size_t)cap * 2, sizeof(*id));
            int32_t *ymd = id ? m_realloc(m, m->ymd, cap, (size_t)cap * 2, sizeof(*ymd)) : NULL;
            if (id)
                m->id = id;
            if (!ymd) {
                sqlite3_finalize(st);
                return nomem(db);
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
        int64_t *id = m_realloc(m, m->id, cap, m->n, sizeof(*id));
        int32_t *ymd = id ? m_realloc(m, m->ymd, cap, m->n, sizeof(*ymd)) : NULL;
        if (id)
            m->id = id;
        if (!ymd)
            return nomem(db);
        m->ymd = ymd;
    }
    m->hash = m_calloc(m, m->n, sizeof(*m->hash));
    m->length = m_calloc(m, m->n, sizeof(*m->length));
    m->changed = m_calloc(m, m->n, 1);
    m->vstart = m_calloc(m, (size_t)m->n + 1, sizeof(*m->vstart));
    if (!m->hash || !m->length || !m->changed || !m->vstart)
        return nomem(db);
    m->newest = EAF__REL_NO_DAY;
    for (i = 0; i < m->n; i++) {
        int32_t day = eaf__rel_day(m->ymd[i]);
        if (day != EAF__REL_NO_DAY && (m->newest == EAF__REL_NO_DAY || day > m->newest))
            m->newest = day;
    }
    m->max_id = m->n ? m->id[m->n - 1] : 0;
    if (m->n && m->id[0] >= 0 && m->max_id < 4 * (int64_t)m->n + 1024) {
        m->slot = m_calloc(m, (size_t)m->max_id + 1, sizeof(*m->slot));
        if (!m->slot)
            return nomem(db);
        for (i = 0; i < m->n; i++)
            m->slot[m->id[i]] = (int32_t)i + 1;
    }
    return EAF_OK;
}

static eaf_status model_new(eaf__rel_model **out, eaf_db *db, const eaf__rel_opts *o)
{
    eaf__rel_model *m = eaf__calloc(1, sizeof(*m));

    *out = NULL;
    if (!m)
        return nomem(db);
    m->o = *o;
    m->vfd = -1;
    m->vmem = UINT64_MAX;
    if (eaf__rel_stops_init(&m->stops, db->language) != EAF_OK) {
        eaf__free(m);
        return nomem(db);
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
static int64_t add_term(eaf__rel_model *m, const char *t, size_t n, uint32_t df)
{
    if (m->nterms == m->tcap) {
        uint32_t cap = m->tcap ? m->tcap * 2 : 4096;
        uint32_t *off = m_realloc(m, m->toff, m->tcap, cap, sizeof(*off));
        uint32_t *d;
        if (!off)
            return -1;
        m->toff = off;
        d = m_realloc(m, m->tdf, m->tcap, cap, sizeof(*d));
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
        a = m_realloc(m, m->tarena, m->tarena_cap, cap, 1);
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
static int index_terms(eaf__rel_model *m)
{
    size_t slots = 1024, i, j;

    while (slots < (size_t)m->nterms * 2)
        slots *= 2;
    m->tslot = m_calloc(m, slots, sizeof(*m->tslot));
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

static int model_lookup(void *ctx, const char *t, size_t n, uint32_t *id, uint32_t *df)
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

/* ---- building from the FTS5 index ---------------------------------------------- */

/* A weight offered to an article of a bucket not held, spilled. */
typedef struct spill_rec {
    uint32_t doc, term;
    float w;
} spill_rec;

/* A chunk of a bucket's records in the temporary file. */
typedef struct spill_chunk {
    uint64_t off;
    uint32_t bucket, n;
} spill_chunk;

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
} heaps;

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
    h->p = m_alloc(m, (size_t)h->bucket * h->k, sizeof(*h->p));
    h->n = m_calloc(m, h->bucket, sizeof(*h->n));
    if (!h->p || !h->n)
        return nomem(db);
    if (h->nbuckets > 1) {
        h->buf = m_alloc(m, (size_t)(h->nbuckets - 1) * SPILL_RECS, sizeof(*h->buf));
        h->fill = m_calloc(m, h->nbuckets, sizeof(*h->fill));
        h->in = m_alloc(m, SPILL_RECS, sizeof(*h->in));
        if (!h->buf || !h->fill || !h->in)
            return nomem(db);
    }
    return EAF_OK;
}

static void heaps_free(eaf__rel_model *m, heaps *h)
{
    m_free(m, h->p, (size_t)h->bucket * h->k, sizeof(*h->p));
    m_free(m, h->n, h->bucket, sizeof(*h->n));
    if (h->nbuckets > 1) {
        m_free(m, h->buf, (size_t)(h->nbuckets - 1) * SPILL_RECS, sizeof(*h->buf));
        m_free(m, h->fill, h->nbuckets, sizeof(*h->fill));
        m_free(m, h->in, SPILL_RECS, sizeof(*h->in));
    }
    m_free(m, h->chunks, h->capchunks, sizeof(*h->chunks));
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

    if (h->fd < 0 && (s = temp_open(db, &h->fd)) != EAF_OK)
        return s;
    if (h->nchunks == h->capchunks) {
        size_t cap = h->capchunks ? h->capchunks * 2 : 1024;
        spill_chunk *c = m_realloc(m, h->chunks, h->capchunks, cap, sizeof(*c));
        if (!c)
            return nomem(db);
        h->chunks = c;
        h->capchunks = cap;
    }
    if (write_all_at(h->fd, at, left, off) < 0)
        return temp_error(db, "write");
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
    id = add_term(m, r->term, r->n, df);
    if (id < 0)
        return nomem(db);
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

static eaf_status stream_vocab(eaf__rel_model *m, eaf_db *db, heaps *h,
                               const eaf__rel_progress *p)
{
    sqlite3_stmt *st = NULL;
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
    rc = sqlite3_prepare_v2(db->sql,
                            "SELECT term, doc, col, offset FROM temp.eaf_vocab_instance",
                            -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return eaf__db_sqlerr(db, rc, "reading the index's terms");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(st, 0);
        size_t tn = (size_t)sqlite3_column_bytes(st, 0);
        sqlite3_int64 docid = sqlite3_column_int64(st, 1);
        const unsigned char *col = sqlite3_column_text(st, 2);
        int kind = column_kind(col, sqlite3_column_bytes(st, 2));
        int64_t doc;

        if ((++rows & 0xFFFFF) == 0 && report(p, "reading", rows, -1)) {
            s = stopped(db);
            break;
        }
        if (kind < 0 || !term)
            continue;
        if (tn != r.n || memcmp(term, r.term, tn) != 0) {
            if (r.term && (s = end_run(m, db, &r, h, cap_df)) != EAF_OK)
                break;
            if (tn + 1 > r.cap) {
                char *t = eaf__realloc(r.term, tn + 1);
                if (!t) {
                    s = nomem(db);
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
                uint32_t *d = m_realloc(m, r.doc, r.capdocs, cap, sizeof(*d));
                double *f = d ? m_realloc(m, r.tfw, r.capdocs, cap, sizeof(*f)) : NULL;
                if (d)
                    r.doc = d;
                if (!f) {
                    s = nomem(db);
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
        r.tfw[r.ndocs - 1] += kind == 0 ? m->o.title_weight : 1.0;
    }
    if (s == EAF_OK && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the index's terms");
    if (s == EAF_OK && r.term)
        s = end_run(m, db, &r, h, cap_df);
    h->rows = rows;
    sqlite3_finalize(st);
    eaf__free(r.term);
    m_free(m, r.doc, r.capdocs, sizeof(*r.doc));
    m_free(m, r.tfw, r.capdocs, sizeof(*r.tfw));
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
        m->vstart[h->first + i] = vectors_at(m);
        s = vector_add(m, db, p, k);
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
        if (read_all_at(h->fd, h->in, (size_t)h->chunks[c].n * sizeof(*h->in),
                        h->chunks[c].off) < 0)
            return temp_error(db, "read");
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
        if (report(p, "reading", h->rows, -1))
            s = stopped(db);
        if (s == EAF_OK)
            s = bucket_read(m, db, h, b);
        if (s == EAF_OK)
            s = bucket_vectors(m, db, h);
    }
    if (s == EAF_OK)
        s = vectors_end(m, db);
    return s;
}

/* ---- postings and metadata ------------------------------------------------------ */

/* A posting while the index is made: its article and quantised weight. */
typedef struct posting {
    uint32_t doc;
    uint16_t q;
} posting;

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
static eaf_status make_postings(eaf__rel_model *m, eaf_db *db)
{
    uint32_t *cnt = NULL, *fill = NULL, i, k, n, t;
    eaf__rel_pair *v = NULL;
    posting *tmp = NULL;
    uint64_t total, j;
    eaf_status s = EAF_OK;
    int err = 0;

    cnt = m_calloc(m, (size_t)m->nterms + 1, sizeof(*cnt));
    fill = m_calloc(m, (size_t)m->nterms + 1, sizeof(*fill));
    v = m_alloc(m, m->o.terms, sizeof(*v));
    tmp = m_alloc(m, POSTING_CAP, sizeof(*tmp));
    m->pstart = m_alloc(m, (size_t)m->nterms + 1, sizeof(*m->pstart));
    if (!cnt || !fill || !v || !tmp || !m->pstart) {
        s = nomem(db);
        goto done;
    }
    for (i = 0; i < m->n; i++) {
        n = vector_of(m, i, v, &err);
        for (k = 0; k < n; k++)
            cnt[v[k].term]++;
    }
    if (err) {
        s = vectors_unread(db);
        goto done;
    }
    m->pstart[0] = 0;
    for (t = 0; t < m->nterms; t++)
        m->pstart[t + 1] = m->pstart[t] + (cnt[t] < POSTING_CAP ? cnt[t] : POSTING_CAP);
    total = m->pstart[m->nterms];
    m->pdoc = m_alloc(m, (size_t)total, sizeof(*m->pdoc));
    m->pq = m_alloc(m, (size_t)total, sizeof(*m->pq));
    if (!m->pdoc || !m->pq) {
        s = nomem(db);
        goto done;
    }
    for (i = 0; i < m->n && !err; i++) {
        n = vector_of(m, i, v, &err);
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
        s = vectors_unread(db);
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
    m_free(m, cnt, (size_t)m->nterms + 1, sizeof(*cnt));
    m_free(m, fill, (size_t)m->nterms + 1, sizeof(*fill));
    m_free(m, v, m->o.terms, sizeof(*v));
    m_free(m, tmp, POSTING_CAP, sizeof(*tmp));
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

/* Reads the metadata values of every article (only when some metadata
 * weighs in the score). */
static eaf_status read_facets(eaf__rel_model *m, eaf_db *db)
{
    sqlite3_stmt *st = NULL;
    struct fpair {
        uint32_t v, d;
    } *pv = NULL;
    uint32_t *df = NULL;
    size_t np = 0, cap = 0, capv = 0, i;
    char *last = NULL;
    int last_kind = -1, rc, k, any = 0;
    eaf_status s = EAF_OK;

    m->fstart = m_calloc(m, (size_t)m->n + 1, sizeof(*m->fstart));
    m->fnorm = m_calloc(m, (size_t)m->n * EAF__META_KINDS, sizeof(*m->fnorm));
    if (!m->fstart || !m->fnorm)
        return nomem(db);
    for (k = 0; k < EAF__META_KINDS; k++)
        any |= m->o.meta[k] > 0.0;
    if (!any)
        return EAF_OK;
    rc = sqlite3_prepare_v2(db->sql,
                            "SELECT kind, norm, article_id FROM facet"
                            " WHERE kind IN (?1, ?2, ?3, ?4) ORDER BY kind, norm",
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
            if (m->nvals == capv) {
                size_t nc = capv ? capv * 2 : 256;
                unsigned char *vk = m_realloc(m, m->vkind, capv, nc, 1);
                uint32_t *d = vk ? m_realloc(m, df, capv, nc, sizeof(*d)) : NULL;
                if (vk)
                    m->vkind = vk;
                if (!d) {
                    s = nomem(db);
                    break;
                }
                df = d;
                capv = nc;
            }
            if (!last) {
                s = nomem(db);
                break;
            }
            m->vkind[m->nvals] = (unsigned char)kind;
            df[m->nvals] = 0;
            m->nvals++;
        }
        if (np == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            struct fpair *a = m_realloc(m, pv, cap, nc, sizeof(*a));
            if (!a) {
                s = nomem(db);
                break;
            }
            pv = a;
            cap = nc;
        }
        pv[np].v = m->nvals - 1;
        pv[np].d = (uint32_t)doc;
        np++;
        df[m->nvals - 1]++;
        m->fstart[doc + 1]++;
    }
    if (s == EAF_OK && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the articles' metadata");
    sqlite3_finalize(st);
    eaf__free(last);
    if (s == EAF_OK) {
        m->vidf = m_alloc(m, m->nvals, sizeof(*m->vidf));
        m->fval = m_alloc(m, np, sizeof(*m->fval));
        if (!m->vidf || !m->fval)
            s = nomem(db);
    }
    if (s == EAF_OK) {
        uint32_t *fill = m_alloc(m, (size_t)m->n + 1, sizeof(*fill));
        if (!fill) {
            s = nomem(db);
        } else {
            for (i = 0; i < m->nvals; i++)
                m->vidf[i] = (float)log((double)m->n / (double)df[i]);
            for (i = 0; i < m->n; i++)
                m->fstart[i + 1] += m->fstart[i];
            memcpy(fill, m->fstart, ((size_t)m->n + 1) * sizeof(*fill));
            /* rows come by value, so each article's values ascend */
            for (i = 0; i < np; i++)
                m->fval[fill[pv[i].d]++] = pv[i].v;
            m_free(m, fill, (size_t)m->n + 1, sizeof(*fill));
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
        }
    }
    m_free(m, pv, cap, sizeof(*pv));
    m_free(m, df, capv, sizeof(*df));
    return s;
}

eaf_status eaf__rel_model_build(eaf__rel_model **out, eaf_db *db, const eaf__rel_opts *o,
                                const eaf__rel_progress *p)
{
    eaf__rel_model *m;
    heaps h;
    eaf_status s;

    *out = NULL;
    s = model_new(&m, db, o);
    if (s != EAF_OK)
        return s;
    memset(&h, 0, sizeof(h));
    h.fd = -1;
    s = read_articles(m, db);
    m->n_model = m->n;
    if (s == EAF_OK && report(p, "reading", 0, -1))
        s = stopped(db);
    /* the metadata first: what reading it takes is given back before the
     * heaps are made */
    if (s == EAF_OK)
        s = read_facets(m, db);
    if (s == EAF_OK)
        s = heaps_init(m, db, &h);
    if (s == EAF_OK)
        s = stream_vocab(m, db, &h, p);
    if (s == EAF_OK)
        s = make_vectors(m, db, &h, p);
    m->spilled = h.nchunks;
    heaps_free(m, &h);
    if (s == EAF_OK)
        s = make_postings(m, db);
    if (s == EAF_OK && index_terms(m) < 0)
        s = nomem(db);
    if (s != EAF_OK) {
        eaf__rel_model_free(m);
        return s;
    }
    *out = m;
    return EAF_OK;
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
        if (add_term(m, t, (size_t)sqlite3_column_bytes(st, 1), (uint32_t)df) < 0) {
            sqlite3_finalize(st);
            return nomem(db);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return eaf__db_sqlerr(db, rc, "reading the term statistics");
    return index_terms(m) < 0 ? nomem(db) : EAF_OK;
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
        return nomem(db);
    m->hash[i] = c.hash;
    m->length[i] = c.length;
    s = eaf__rel_vector(vec, n, &c, m->o.terms, m->o.idf_power, m->n_model, model_lookup, m);
    eaf__rel_counts_free(&c);
    return s == EAF_OK ? EAF_OK : nomem(db);
}

eaf_status eaf__rel_model_load(eaf__rel_model **out, eaf_db *db, const eaf__rel_opts *o,
                               int64_t *changed)
{
    eaf__rel_model *m;
    sqlite3_stmt *st = NULL, *text = NULL;
    eaf__tokenizer *tok = NULL;
    eaf__rel_pair *one = NULL, *v = NULL;
    uint32_t i = 0, k;
    int64_t nmodel;
    eaf_status s;
    int rc = SQLITE_DONE;

    *out = NULL;
    *changed = 0;
    s = model_new(&m, db, o);
    if (s != EAF_OK)
        return s;
    s = read_articles(m, db);
    if (s == EAF_OK)
        s = read_facets(m, db);
    if (s == EAF_OK)
        s = read_terms(m, db);
    if (s == EAF_OK) {
        rc = sqlite3_prepare_v2(db->sql, "SELECT value FROM eaf_meta WHERE name = 'related_n'",
                                -1, &st, NULL);
        nmodel = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0)
                                                                   : 0;
        sqlite3_finalize(st);
        st = NULL;
        if (nmodel < 1 || nmodel > UINT32_MAX)
            s = eaf__db_error(db, EAF_CORRUPT, "the stored related-article model is damaged");
        m->n_model = (uint32_t)nmodel;
    }
    if (s == EAF_OK) {
        rc = sqlite3_prepare_v2(db->sql,
                                "SELECT a.id, v.hash, v.length, v.vec, s.changed FROM article a"
                                " LEFT JOIN related_vector v ON v.article_id = a.id"
                                " LEFT JOIN related_stale s ON s.article_id = a.id ORDER BY a.id",
                                -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(db->sql,
                                    "SELECT title, summary, body FROM article WHERE id = ?1", -1,
                                    &text, NULL);
        if (rc != SQLITE_OK)
            s = eaf__db_sqlerr(db, rc, "reading the stored vectors");
    }
    if (s == EAF_OK && eaf__tokenizer_new(&tok, db->language) != EAF_OK)
        s = nomem(db);
    if (s == EAF_OK && !(v = eaf__malloc((size_t)o->terms * sizeof(*v))))
        s = nomem(db);
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
        m->vstart[i] = vectors_at(m);
        if (s == EAF_OK)
            s = vector_add(m, db, pairs, (uint32_t)got);
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
    if (s == EAF_OK)
        s = vectors_end(m, db);
    if (s == EAF_OK)
        s = make_postings(m, db);
    if (s != EAF_OK) {
        eaf__rel_model_free(m);
        return s;
    }
    *out = m;
    return EAF_OK;
}

/* ---- the bound on memory ---------------------------------------------------------- */

/* The bound on the memory the model takes at its largest (the tally of
 * m_alloc...), as the comment at the top of this file gives it: the sum
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
    reading = 24 * (n + 1024) + pl.heap_bytes + pl.spill_bytes + SPILL_RECS * sizeof(spill_rec) +
              2 * sizeof(spill_chunk) * ((uint64_t)m->spilled + 1024) + vmem;
    /* the postings (at most POSTING_CAP a term) and their offsets, what
     * making them takes, the vectors */
    postings = 6 * q + 16 * (t + 1) + 8 * (uint64_t)m->o.terms +
               sizeof(posting) * POSTING_CAP + vmem;
    b = meta > reading ? meta : reading;
    b = held + (b > postings ? b : postings);
    return b > SIZE_MAX ? SIZE_MAX : (size_t)b;
}

/* ---- scoring ----------------------------------------------------------------------- */

struct eaf__rel_worker {
    const eaf__rel_model *m;
    float *acc;               /* the sums, by article */
    float *dense;             /* the source's vector by term id */
    float *cdense;            /* its neighbours' mean vector, the same way */
    eaf__rel_pair *src;       /* the source's vector */
    eaf__rel_pair *query;     /* the same by weight */
    eaf__rel_pair *vecs;      /* the candidates' vectors, o.terms each */
    uint32_t nquery;
    uint32_t *touched;        /* the articles summed, at most QUERY_TERMS * POSTING_CAP */
    uint32_t *top;            /* a heap of the best candidates' indexes */
    eaf__rel_doc *cand;
    eaf__rel_hit *work, *hits;
    uint32_t ncand;
    float prune;
    int err;                  /* a vector could not be read */
};

/* A worker takes 4 bytes per article (the sums) and 8 per term (the two
 * dense vectors), and about 140 bytes a term kept per candidate. */
eaf_status eaf__rel_worker_new(eaf__rel_worker **out, const eaf__rel_model *m)
{
    eaf__rel_worker *w = eaf__calloc(1, sizeof(*w));
    uint32_t c = eaf__rel_candidates(&m->o);

    *out = NULL;
    if (!w)
        return EAF_NOMEM;
    w->m = m;
    w->prune = PRUNE;
    w->ncand = c;
    w->acc = eaf__calloc(m->n ? m->n : 1, sizeof(*w->acc));
    w->dense = eaf__calloc(m->nterms ? m->nterms : 1, sizeof(*w->dense));
    w->cdense = eaf__calloc(m->nterms ? m->nterms : 1, sizeof(*w->cdense));
    w->src = eaf__malloc(m->o.terms * sizeof(*w->src));
    w->query = eaf__malloc(m->o.terms * sizeof(*w->query));
    w->vecs = eaf__malloc((size_t)c * m->o.terms * sizeof(*w->vecs));
    w->nquery = EAF__REL_QUERY_TERMS;
    w->touched = eaf__malloc((size_t)EAF__REL_QUERY_TERMS * POSTING_CAP * sizeof(*w->touched));
    w->top = eaf__malloc(c * sizeof(*w->top));
    w->cand = eaf__malloc(c * sizeof(*w->cand));
    w->work = eaf__malloc(c * sizeof(*w->work));
    w->hits = eaf__malloc(m->o.count * sizeof(*w->hits));
    if (!w->acc || !w->dense || !w->cdense || !w->src || !w->query || !w->vecs ||
        !w->touched || !w->top || !w->cand || !w->work || !w->hits) {
        eaf__rel_worker_free(w);
        return EAF_NOMEM;
    }
    *out = w;
    return EAF_OK;
}

int eaf__rel_worker_failed(const eaf__rel_worker *w)
{
    return w->err;
}

void eaf__rel_worker_free(eaf__rel_worker *w)
{
    if (!w)
        return;
    eaf__free(w->acc);
    eaf__free(w->dense);
    eaf__free(w->cdense);
    eaf__free(w->src);
    eaf__free(w->query);
    eaf__free(w->vecs);
    eaf__free(w->touched);
    eaf__free(w->top);
    eaf__free(w->cand);
    eaf__free(w->work);
    eaf__free(w->hits);
    eaf__free(w);
}

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

/* What the ranking knows of article i but its vector (d->v is left for
 * doc_vector).  The day number is computed here rather than held (4
 * bytes an article).  What doc_vector and the ranking will read of it is
 * asked for now, so that the articles of a list are fetched from memory
 * together rather than one after the other. */
static void doc_view(const eaf__rel_model *m, uint32_t i, eaf__rel_doc *d)
{
    uint64_t at = m->vstart[i];
    int k;

    if (at < m->vmem) {
        PREFETCH(m->vbytes + at);
        PREFETCH(m->vbytes + at + 64);
    }
    d->id = m->id[i];
    d->v = NULL;
    d->n = 0;
    d->dense = NULL;
    d->hash = m->hash[i];
    d->ymd = m->ymd[i];
    d->day = eaf__rel_day(m->ymd[i]);
    d->val = m->fval ? m->fval + m->fstart[i] : NULL;
    d->nval = m->fval ? m->fstart[i + 1] - m->fstart[i] : 0;
    if (d->nval)
        PREFETCH(d->val);
    for (k = 0; k < EAF__META_KINDS; k++)
        d->vnorm[k] = m->fnorm[(size_t)i * EAF__META_KINDS + k];
}

/* Decodes article i's vector into v, for d. */
static void doc_vector(const eaf__rel_model *m, uint32_t i, eaf__rel_doc *d, eaf__rel_pair *v,
                       int *err)
{
    d->n = vector_of(m, i, v, err);
    d->v = v;
}

/* Is candidate a better than b (a higher sum; on a tie, the smaller index)? */
static int better(const float *acc, uint32_t a, uint32_t b)
{
    return acc[a] > acc[b] || (acc[a] == acc[b] && a < b);
}

/* Keeps the best cap of the touched articles in w->top (a heap whose root
 * is the worst kept); returns how many. */
static uint32_t best_candidates(eaf__rel_worker *w, uint32_t ntouched)
{
    uint32_t cap = w->ncand, n = 0, t, i, c, x;
    const float *acc = w->acc;
    uint32_t *h = w->top;

    for (t = 0; t < ntouched; t++) {
        x = w->touched[t];
        if (n < cap) {
            for (i = n++; i > 0 && better(acc, h[(i - 1) / 2], x); i = (i - 1) / 2)
                h[i] = h[(i - 1) / 2];
            h[i] = x;
            continue;
        }
        if (!better(acc, x, h[0]))
            continue;
        for (i = 0;;) {
            c = 2 * i + 1;
            if (c >= n)
                break;
            if (c + 1 < n && better(acc, h[c], h[c + 1]))
                c++;
            if (!better(acc, x, h[c]))
                break;
            h[i] = h[c];
            i = c;
        }
        h[i] = x;
    }
    return n;
}

static int cmp_pair_weight_desc(const void *a, const void *b)
{
    const eaf__rel_pair *x = a, *y = b;

    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

uint32_t eaf__rel_model_list(eaf__rel_worker *w, uint32_t i, eaf__rel_hit *out)
{
    const eaf__rel_model *m = w->m;
    const eaf__rel_pair *v = w->src;
    eaf__rel_doc src;
    eaf__rel_values vals;
    uint32_t n, k, ntouched = 0, ncand, j, nq;
    int earlier = (m->o.flags & EAF_RELATED_EARLIER) && m->ymd[i] > 0;

    doc_view(m, i, &src);
    doc_vector(m, i, &src, w->src, &w->err);
    n = src.n;
    /* the candidates come from the source's weightiest terms */
    memcpy(w->query, v, n * sizeof(*v));
    qsort(w->query, n, sizeof(*v), cmp_pair_weight_desc);
    nq = n < w->nquery ? n : w->nquery;
    for (k = 0; k < nq; k++) {
        float wd = w->query[k].w;
        uint64_t p = m->pstart[w->query[k].term], end = m->pstart[w->query[k].term + 1];
        /* (no more than POSTING_CAP were kept) */
        for (; p < end; p++) {
            uint32_t e = m->pdoc[p];
            float prod = wd * ((float)m->pq[p] / EAF__REL_QUANT);
            if (prod < w->prune)
                break;
            if (e == i || (earlier && (m->ymd[e] <= 0 || m->ymd[e] > m->ymd[i])))
                continue;
            if (w->acc[e] == 0.0f)
                w->touched[ntouched++] = e;
            w->acc[e] += prod;
        }
    }
    ncand = best_candidates(w, ntouched);
    for (j = 0; j < ntouched; j++)
        w->acc[w->touched[j]] = 0.0f;
    for (j = 0; j < ncand; j++)
        doc_view(m, w->top[j], &w->cand[j]);
    for (j = 0; j < ncand; j++)
        doc_vector(m, w->top[j], &w->cand[j], w->vecs + (size_t)j * m->o.terms, &w->err);
    for (j = 0; j < n; j++)
        w->dense[v[j].term] = v[j].w;
    src.dense = w->dense;
    vals.kind = m->vkind;
    vals.idf = m->vidf;
    k = eaf__rel_rank(out, &src, w->cand, ncand, &vals, &m->o, m->newest, w->work, w->cdense);
    for (j = 0; j < n; j++)
        w->dense[v[j].term] = 0.0f;
    for (j = 0; j < k; j++)
        out[j].ref = w->top[out[j].ref];
    return k;
}

/* ---- batch scoring, on threads ------------------------------------------------- */

typedef struct batch {
    const eaf__rel_model *m;
    const uint32_t *todo;
    uint32_t n;
    eaf__rel_entry *lists;
    uint8_t *counts;
    pthread_mutex_t lock;
    uint32_t next, done;
    int stop;
} batch;

typedef struct batch_thread {
    batch *b;
    eaf__rel_worker *w;
} batch_thread;

/* Articles taken at a time by a thread. */
#define CHUNK 64

/* Takes the next chunk: sets [*from, *to) (empty when none is left or the
 * batch was stopped), and counts the chunk before as done. */
static void next_chunk(batch *b, uint32_t scored, uint32_t *from, uint32_t *to,
                       uint32_t *done)
{
    pthread_mutex_lock(&b->lock);
    b->done += scored;
    *from = b->next;
    *to = *from + CHUNK < b->n ? *from + CHUNK : b->n;
    if (b->stop)
        *to = *from;
    b->next = *to;
    if (done)
        *done = b->done;
    pthread_mutex_unlock(&b->lock);
}

static void score_chunk(batch *b, eaf__rel_worker *w, uint32_t from, uint32_t to)
{
    uint32_t count = b->m->o.count, k, j, c;

    for (k = from; k < to; k++) {
        eaf__rel_entry *e = b->lists + (size_t)k * count;
        c = eaf__rel_model_list(w, b->todo ? b->todo[k] : k, w->hits);
        b->counts[k] = (uint8_t)c;
        for (j = 0; j < c; j++) {
            e[j].idx = w->hits[j].ref;
            e[j].score = (float)w->hits[j].score;
        }
    }
}

static void *batch_main(void *arg)
{
    batch_thread *t = arg;
    uint32_t from, to = 0, scored = 0;

    for (;;) {
        next_chunk(t->b, scored, &from, &to, NULL);
        if (from >= to)
            break;
        score_chunk(t->b, t->w, from, to);
        scored = to - from;
    }
    return NULL;
}

eaf_status eaf__rel_model_score(const eaf__rel_model *m, const uint32_t *todo, uint32_t n,
                                eaf__rel_entry *lists, uint8_t *counts, unsigned threads,
                                const eaf__rel_progress *p)
{
    batch b;
    batch_thread t[EAF__REL_MAX_THREADS];
    pthread_t tid[EAF__REL_MAX_THREADS];
    unsigned made = 0, started = 0, k;
    uint32_t from, to, done, scored = 0, last_report = 0;
    eaf_status s = EAF_OK;

    memset(&b, 0, sizeof(b));
    b.m = m;
    b.todo = todo;
    b.n = n;
    b.lists = lists;
    b.counts = counts;
    if (threads < 1)
        threads = 1;
    if (threads > EAF__REL_MAX_THREADS)
        threads = EAF__REL_MAX_THREADS;
    /* every worker's memory is taken here, on the caller's thread */
    for (k = 0; k < threads; k++) {
        t[k].b = &b;
        if (eaf__rel_worker_new(&t[k].w, m) != EAF_OK)
            break;
        made++;
    }
    if (made < threads) {
        for (k = 0; k < made; k++)
            eaf__rel_worker_free(t[k].w);
        return EAF_NOMEM;
    }
    if (pthread_mutex_init(&b.lock, NULL) != 0) {
        for (k = 0; k < made; k++)
            eaf__rel_worker_free(t[k].w);
        return EAF_NOMEM;
    }
    for (k = 1; k < threads; k++)
        if (pthread_create(&tid[started], NULL, batch_main, &t[k]) == 0)
            started++;
    /* this thread scores too, and reports progress between its chunks */
    for (;;) {
        next_chunk(&b, scored, &from, &to, &done);
        if (from >= to)
            break;
        if (done - last_report >= PROGRESS_EVERY || last_report == 0) {
            last_report = done ? done : 1;
            if (report(p, "scoring", (p ? p->before : 0) + done, p && p->total ? p->total : n)) {
                pthread_mutex_lock(&b.lock);
                b.stop = 1;
                pthread_mutex_unlock(&b.lock);
                s = EAF_ERROR;
            }
        }
        score_chunk(&b, t[0].w, from, to);
        scored = to - from;
    }
    for (k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
    /* threads that could not start leave their chunks to this one; none
     * is lost, as chunks are handed out until none is left */
    pthread_mutex_destroy(&b.lock);
    for (k = 0; k < made; k++) {
        if (s == EAF_OK && t[k].w->err)
            s = EAF_IO;
        eaf__rel_worker_free(t[k].w);
    }
    if (s == EAF_OK && report(p, "scoring", (p ? p->before : 0) + n, p && p->total ? p->total : n))
        s = EAF_ERROR;
    return s;
}
