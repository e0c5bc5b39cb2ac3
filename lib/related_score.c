/*
 * related_score.c: the related lists scored over the model in memory,
 * one article at a time (a worker) or a batch on threads.
 */
#include "related_model_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
    d->n = eaf__rm_vector_of(m, i, v, err);
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
            if (eaf__rm_report(p, "scoring", (p ? p->before : 0) + done,
                               p && p->total ? p->total : n)) {
                pthread_mutex_lock(&b.lock);
                b.stop = 1;
                pthread_mutex_unlock(&b.lock);
                s = EAF_ABORT;
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
    if (s == EAF_OK &&
        eaf__rm_report(p, "scoring", (p ? p->before : 0) + n, p && p->total ? p->total : n))
        s = EAF_ABORT;
    return s;
}