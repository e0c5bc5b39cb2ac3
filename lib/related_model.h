/*
 * related_model.h: the related-article model in memory and the batch
 * scoring over it (related_model.c, related_model_build.c,
 * related_model_index.c, related_score.c), for the builds, the refresh and
 * the walk over every list (the layer of related.h).  Stands on
 * related_vec.h alone: the model calls nothing above it.
 */
#ifndef EAF_RELATED_MODEL_H
#define EAF_RELATED_MODEL_H

#include "related_vec.h"

typedef struct eaf__rel_model eaf__rel_model;

/* Progress, as the public callback (NULL: none).  A batch scored in
 * chunks reports before + its lists done out of total (0: its own n). */
typedef struct eaf__rel_progress {
    eaf_related_progress_fn fn;
    void *payload;
    int64_t before, total;
} eaf__rel_progress;

/* Builds the model from the FTS5 index: every article's vector, the
 * inverted index, the metadata.  EAF_ABORT when the progress callback
 * stopped it. */
eaf_status eaf__rel_model_build(eaf__rel_model **out, eaf_db *db, const eaf__rel_opts *o,
                                const eaf__rel_progress *p);
/* Loads the model of the last build from the store: the stored vectors,
 * and vectors computed again for the articles changed since (and those
 * with none); *changed receives how many were computed. */
eaf_status eaf__rel_model_load(eaf__rel_model **out, eaf_db *db, const eaf__rel_opts *o,
                               int64_t *changed);
void eaf__rel_model_free(eaf__rel_model *m);

/* Sizes: articles, terms, entries of the inverted index, terms in all
 * the vectors, and the most memory the model held (bytes). */
uint32_t eaf__rel_model_articles(const eaf__rel_model *m);
uint32_t eaf__rel_model_terms(const eaf__rel_model *m);
uint64_t eaf__rel_model_postings(const eaf__rel_model *m);
uint64_t eaf__rel_model_pairs(const eaf__rel_model *m);
/* The bound the model's memory keeps under (related_model.c says how it
 * grows with the articles, terms and metadata): eaf__rel_model_bytes()
 * never exceeds it. */
size_t eaf__rel_model_bound(const eaf__rel_model *m);
size_t eaf__rel_model_bytes(const eaf__rel_model *m);
uint32_t eaf__rel_model_n(const eaf__rel_model *m);       /* N of the idf */
/* The index of an article id in the model, or -1. */
int64_t eaf__rel_model_find(const eaf__rel_model *m, int64_t id);
int64_t eaf__rel_model_id(const eaf__rel_model *m, uint32_t i);
/* Term i of the model's dictionary and its df. */
const char *eaf__rel_model_term(const eaf__rel_model *m, uint32_t i, uint32_t *df);
/* Article i's vector, decoded into v (room for o->terms pairs): returns
 * its number of pairs (0 when v is NULL), or -1 when it could not be
 * read back from the temporary file; *hash and *length (each may be
 * NULL) receive its text's hash and length.  The model holds the vectors
 * encoded (eaf__rel_encode), the first eaf__rel_vector_budget bytes in
 * memory and the rest in a temporary file; eaf__rel_model_blob gives
 * article i's bytes as they are stored (*nb of them), in memory or read
 * into buf (room for EAF__REL_ENCODED_MAX(EAF__REL_MAX_TERMS)), or NULL
 * when they could not be read. */
int64_t eaf__rel_model_vector(const eaf__rel_model *m, uint32_t i, eaf__rel_pair *v,
                              uint64_t *hash, uint32_t *length);
const unsigned char *eaf__rel_model_blob(const eaf__rel_model *m, uint32_t i,
                                         unsigned char *buf, size_t *nb);
/* Was article i's vector computed when the model was loaded (changed)? */
int eaf__rel_model_changed(const eaf__rel_model *m, uint32_t i);

/* The list of article i: the hits (at most o->count) into out, their
 * number returned.  A worker holds the scratch memory of one scorer;
 * eaf__rel_worker_failed says whether a vector it needed could not be
 * read (its lists are then wrong: EAF_IO). */
typedef struct eaf__rel_worker eaf__rel_worker;
eaf_status eaf__rel_worker_new(eaf__rel_worker **out, const eaf__rel_model *m);
int eaf__rel_worker_failed(const eaf__rel_worker *w);
void eaf__rel_worker_free(eaf__rel_worker *w);
uint32_t eaf__rel_model_list(eaf__rel_worker *w, uint32_t i, eaf__rel_hit *out);

/* How a batch of n articles is cut to bound its memory: the heaps of
 * `bucket` articles are held at a time while the index is read (the
 * weights offered to the others spilled to a temporary file, `buckets`
 * buckets in all), and `chunk` lists are scored before they are stored.
 * The bytes each takes: heap_bytes (at most eaf__rel_heap_budget),
 * spill_bytes (the spill's buffers, 48 KB a bucket, none with one
 * bucket) and list_bytes (at most eaf__rel_list_budget), whatever n. */
typedef struct eaf__rel_plan {
    uint32_t bucket, buckets, chunk;
    size_t heap_bytes, spill_bytes, list_bytes;
} eaf__rel_plan;

/* The budgets (32 MB of heaps, 8 MB of lists, 128 MB of vectors in
 * memory; tests lower them). */
extern size_t eaf__rel_heap_budget;
extern size_t eaf__rel_list_budget;
extern size_t eaf__rel_vector_budget;
void eaf__rel_plan_make(eaf__rel_plan *pl, uint32_t n, const eaf__rel_opts *o);

/* The most threads a batch scores on. */
#define EAF__REL_MAX_THREADS 16

/* One entry of a list computed in batch: the article's index in the
 * model, and its score. */
typedef struct eaf__rel_entry {
    uint32_t idx;
    float score;
} eaf__rel_entry;

/* Scores the articles whose index is in todo[0..n) (all of them, n being
 * the number of articles, when todo is NULL): the list of the k-th goes
 * to lists[k * count ...], its length to counts[k].  Runs on `threads`
 * threads.  EAF_ABORT when stopped by the progress callback (p may be
 * NULL), EAF_IO when a vector could not be read back, EAF_NOMEM. */
eaf_status eaf__rel_model_score(const eaf__rel_model *m, const uint32_t *todo, uint32_t n,
                                eaf__rel_entry *lists, uint8_t *counts, unsigned threads,
                                const eaf__rel_progress *p);

#endif /* EAF_RELATED_MODEL_H */
