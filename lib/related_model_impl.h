/*
 * related_model_impl.h: the inside of the related-article model, shared by
 * the files that make and use it and by no other: related_model.c (the
 * model's memory, its vectors, articles and dictionary), related_model_build.c
 * (building it from the FTS5 index), related_model_index.c (the inverted
 * index, the metadata, loading the stored model) and related_score.c
 * (scoring).  The helpers shared between them are named eaf__rm_*.
 */
#ifndef EAF_RELATED_MODEL_IMPL_H
#define EAF_RELATED_MODEL_IMPL_H

#include "related_model.h"

#include <stdint.h>

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

/* A posting while the index is made: its article and quantised weight. */
typedef struct posting {
    uint32_t doc;
    uint16_t q;
} posting;

/* ---- related_model.c ----------------------------------------------------------- */

/* Allocation with a tally (m->bytes, m->peak). */
void *eaf__rm_alloc(eaf__rel_model *m, size_t n, size_t size);
void *eaf__rm_calloc(eaf__rel_model *m, size_t n, size_t size);
void *eaf__rm_realloc(eaf__rel_model *m, void *p, size_t old, size_t n, size_t size);
void eaf__rm_free(eaf__rel_model *m, void *p, size_t n, size_t size);

/* The messages of the model's failures: out of memory, stopped by the
 * progress callback (EAF_ABORT), a vector not read back, a temporary
 * file that failed (`what`). */
eaf_status eaf__rm_nomem(eaf_db *db);
eaf_status eaf__rm_stopped(eaf_db *db);
eaf_status eaf__rm_vectors_unread(eaf_db *db);
eaf_status eaf__rm_temp_error(eaf_db *db, const char *what);
/* A temporary file, removed as soon as it is made. */
eaf_status eaf__rm_temp_open(eaf_db *db, int *fd);
/* Whole writes and reads at an offset; 0, or -1 with errno. */
int eaf__rm_write_all_at(int fd, const void *p, size_t n, uint64_t off);
int eaf__rm_read_all_at(int fd, void *p, size_t n, uint64_t off);

/* The vectors: article i's decoded into v (*err set when it could not be
 * read back), where the next one will start, adding the next article's,
 * and the end of adding them. */
uint32_t eaf__rm_vector_of(const eaf__rel_model *m, uint32_t i, eaf__rel_pair *v, int *err);
uint64_t eaf__rm_vectors_at(const eaf__rel_model *m);
eaf_status eaf__rm_vector_add(eaf__rel_model *m, eaf_db *db, const eaf__rel_pair *p,
                              uint32_t k);
eaf_status eaf__rm_vectors_end(eaf__rel_model *m, eaf_db *db);

/* Progress: is the build to stop? */
int eaf__rm_report(const eaf__rel_progress *p, const char *phase, int64_t done, int64_t total);

/* A new empty model, and its articles read from the index. */
eaf_status eaf__rm_model_new(eaf__rel_model **out, eaf_db *db, const eaf__rel_opts *o);
eaf_status eaf__rm_read_articles(eaf__rel_model *m, eaf_db *db);

/* The dictionary: adding a term (its id, or -1 out of memory), the hash
 * index over the terms once they are all in (-1 out of memory), and the
 * lookup of eaf__rel_vector over it. */
int64_t eaf__rm_add_term(eaf__rel_model *m, const char *t, size_t n, uint32_t df);
int eaf__rm_index_terms(eaf__rel_model *m);
int eaf__rm_model_lookup(void *ctx, const char *t, size_t n, uint32_t *id, uint32_t *df);

/* ---- related_model_index.c ----------------------------------------------------- */

/* The inverted index over the vectors, and the articles' metadata. */
eaf_status eaf__rm_make_postings(eaf__rel_model *m, eaf_db *db);
eaf_status eaf__rm_read_facets(eaf__rel_model *m, eaf_db *db);

#endif /* EAF_RELATED_MODEL_IMPL_H */
