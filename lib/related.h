/*
 * related.h: the related-article ranker, shared by related.c (the public
 * functions, the stored lists, the lists computed on demand from the
 * stored statistics or from the full-text index, explanations),
 * related_fts.c (term statistics counted in the full-text index, for the
 * lists on demand of an index without stored ones), related_vec.c (what
 * every path shares) and related_model.c (the model in memory: term
 * vectors read from the FTS5 index or from the store, the inverted index
 * over them, and the batch scoring).
 *
 * The model is described in eafsearch.h ("Related articles").  The parts
 * both files need:
 *
 *   - a term is a stem the tokenizer indexes; a term is kept (can be in a
 *     vector) when it has a letter (or is a four-digit number: years), is
 *     not a stopword, and its document frequency df, counted over the
 *     title, summary and body of the articles, is 2 <= df <= max_share*N;
 *   - a vector holds an article's `terms` kept terms of highest weight
 *     (1 + ln tf) * ln(N / df)^idf_power, tf counting a title occurrence
 *     title_weight times; ties go to the smaller term id; the weights are
 *     normalised to length 1 and quantised to 16 bits, and the vector is
 *     sorted by term id, so that the same text gives the same vector on
 *     every path;
 *   - the hash of an article's text is a sum over the tokens of its body
 *     of a mix of the token and its position: equal bodies, equal hashes;
 *   - the final ranking (eaf__rel_rank) is shared: from candidates with
 *     their vectors, metadata values and dates, it computes each part of
 *     the score (the text part against the source's vector widened by its
 *     closest candidates, the neighbours), drops duplicates and keeps the
 *     best.
 */
#ifndef EAF_RELATED_H
#define EAF_RELATED_H

#include "db.h"
#include "tokenize.h"

/* Kinds of metadata blended in: topic, country, other tag, author. */
#define EAF__META_KINDS 4
/* The facet kind (db.h) of each. */
extern const int eaf__rel_facet_kind[EAF__META_KINDS];

/* Limits of the options. */
#define EAF__REL_MAX_COUNT 100
#define EAF__REL_MAX_TERMS 200
#define EAF__REL_MAX_NEIGHBOURS 10

/* An undated article's day number. */
#define EAF__REL_NO_DAY INT32_MIN

/* The candidates of an article come from its weightiest terms, this many
 * (in the batch and on demand alike). */
#define EAF__REL_QUERY_TERMS 20

/* Weights are quantised to this many steps of 1. */
#define EAF__REL_QUANT 65535.0f

/* Options with their defaults applied. */
typedef struct eaf__rel_opts {
    unsigned flags;           /* EAF_RELATED_EARLIER, EAF_RELATED_TEXT_ONLY */
    unsigned count, terms, half_life;
    double title_weight, max_share, recency, duplicate;
    double meta[EAF__META_KINDS];
    double idf_power;
    unsigned neighbours;      /* 0: none */
    double nweight;           /* the neighbours' weight (> 0 when there are some) */
} eaf__rel_opts;

/* How many candidates are ranked exactly for a list (ten per article
 * listed, at least 50). */
uint32_t eaf__rel_candidates(const eaf__rel_opts *o);

/* The library's defaults (EAF_RELATED_DEFAULT_*). */
void eaf__rel_opts_library(eaf__rel_opts *o);
/* The options asked for: each field of `in` (NULL: none) left 0 takes
 * base's (the index's defaults; NULL, or EAF_RELATED_LIBRARY_DEFAULTS in
 * in's flags: the library's), and EAF_RELATED_EARLIER in either holds.
 * EAF_MISUSE (message on db) for bad options. */
eaf_status eaf__rel_opts_init(eaf__rel_opts *o, eaf_db *db, const eaf_related_options *in,
                              const eaf__rel_opts *base);
/* The same options as the public struct, every field given (so that they
 * mean exactly these whatever the defaults), EAF_RELATED_LIBRARY_DEFAULTS
 * among the flags. */
void eaf__rel_opts_public(eaf_related_options *out, const eaf__rel_opts *o);
/* The options as stored with the lists ("count=10 terms=40 ..."). */
char *eaf__rel_opts_string(const eaf__rel_opts *o);
/* Reads a stored string back; 0 when it is not one. */
int eaf__rel_opts_parse(eaf__rel_opts *o, const char *s);
/* Are two sets of options the same? */
int eaf__rel_opts_equal(const eaf__rel_opts *a, const eaf__rel_opts *b);
/* Do two sets of options give the same vectors (terms, title weight,
 * max share, idf power)? */
int eaf__rel_opts_same_vectors(const eaf__rel_opts *a, const eaf__rel_opts *b);
/* Would lists built with `stored` serve a request with `want` (the same
 * options, and no more articles than stored)? */
int eaf__rel_opts_serve(const eaf__rel_opts *stored, const eaf__rel_opts *want);

/* The article id of related article i of a list (search.c: related:KEY). */
int64_t eaf__related_id(const eaf_related *r, size_t i);

/* ---- terms and vectors ----------------------------------------------------- */

/* The stems of the language's stopwords, as a sorted list. */
typedef struct eaf__rel_stops {
    char **v;
    size_t n;
} eaf__rel_stops;

eaf_status eaf__rel_stops_init(eaf__rel_stops *s, const char *language);
void eaf__rel_stops_free(eaf__rel_stops *s);
/* May the term (a stem) be in a vector, whatever its df? */
int eaf__rel_term_ok(const eaf__rel_stops *s, const char *t, size_t n);

/* The rarity factor of a term in df of n articles, ln(n / df)^power;
 * and the weight of a stem of weighted count tfw with that factor. */
double eaf__rel_idf(uint32_t df, uint32_t n, double power);
double eaf__rel_weight(double tfw, double idf);

/* The hash of a term, and the mix of one body token (the term's hash and
 * its position) into an article's hash. */
uint64_t eaf__rel_term_hash(const char *t, size_t n);
uint64_t eaf__rel_token_hash(uint64_t term_hash, uint32_t position);

/* A vector being made: (term id, weight) pairs. */
typedef struct eaf__rel_pair {
    uint32_t term;
    float w;
} eaf__rel_pair;

/* Keeps the best k pairs of p[0..n) (by weight, ties to the smaller id),
 * normalises and quantises them, and sorts them by term id.  Returns how
 * many are kept. */
uint32_t eaf__rel_finish(eaf__rel_pair *p, uint32_t n, uint32_t k);

/* The terms of an article's text, counted: each distinct stem with its
 * weighted count, and the text's hash and length in tokens. */
typedef struct eaf__rel_counts {
    char *arena;              /* the stems, NUL-separated */
    size_t arena_n, arena_cap;
    size_t *off;              /* each stem's offset in arena */
    double *tfw;
    uint32_t *slot;           /* hash table over the stems: index + 1 */
    size_t n, cap, slots;
    uint64_t hash;
    uint32_t length;
    int nomem;
} eaf__rel_counts;

/* Counts the title, summary and body (each may be NULL). */
eaf_status eaf__rel_count_text(eaf__rel_counts *c, eaf__tokenizer *t, double title_weight,
                               const char *title, const char *summary, const char *body);
void eaf__rel_counts_free(eaf__rel_counts *c);

/* Looks a term up in a dictionary of the kept terms: 1 and its id and df
 * when found, 0 when not, -1 on an error. */
typedef int (*eaf__rel_lookup_fn)(void *ctx, const char *term, size_t n, uint32_t *id,
                                  uint32_t *df);

/* The vector of counted terms: each one the dictionary has weighs
 * (1 + ln tfw) * ln(n / df)^idf_power; the best `terms` are kept
 * (eaf__rel_finish).  *out (freed by the caller) receives the pairs,
 * *nout their number.  EAF_NOMEM, or EAF_ERROR when the lookup failed. */
eaf_status eaf__rel_vector(eaf__rel_pair **out, uint32_t *nout, const eaf__rel_counts *c,
                           uint32_t terms, double idf_power, uint32_t n,
                           eaf__rel_lookup_fn lookup, void *ctx);

/* A vector in its stored form: its length, the varint deltas of the term
 * ids, then the 16-bit weights (little-endian).  eaf__rel_encode returns
 * the bytes written into out (at most 5 + 7 per pair); eaf__rel_decode the
 * number of pairs read into v (at most max), or -1 for a damaged blob. */
#define EAF__REL_ENCODED_MAX(n) (5 + 7 * (size_t)(n))
size_t eaf__rel_encode(unsigned char *out, const eaf__rel_pair *v, uint32_t n);
int eaf__rel_decode(const unsigned char *b, size_t nb, eaf__rel_pair *v, uint32_t max);

/* ---- the final ranking ----------------------------------------------------- */

/* What the ranking knows of an article. */
typedef struct eaf__rel_doc {
    int64_t id;
    const eaf__rel_pair *v;   /* the vector, by term id */
    uint32_t n;
    const float *dense;       /* NULL, or the same vector as an array indexed
                                 by term id (0 for the terms it lacks) */
    uint64_t hash;            /* 0: no body */
    int32_t ymd;              /* YYYYMMDD, 0 when undated */
    int32_t day;              /* day number, or EAF__REL_NO_DAY */
    const uint32_t *val;      /* metadata value ids, ascending */
    uint32_t nval;
    double vnorm[EAF__META_KINDS]; /* length of each kind's values */
} eaf__rel_doc;

/* The metadata values the ids refer to. */
typedef struct eaf__rel_values {
    const unsigned char *kind; /* 0..EAF__META_KINDS-1 */
    const float *idf;
} eaf__rel_values;

/* A ranked article and the parts of its score: text is the text part
 * (with the neighbours), cosine the plain cosine of the two vectors. */
typedef struct eaf__rel_hit {
    int64_t id;
    uint32_t ref;             /* the caller's index of the candidate */
    double score, text, cosine, meta[EAF__META_KINDS], factor;
} eaf__rel_hit;

/* The text similarity (dot product) of two vectors: the products of the
 * shared terms' weights summed in the order of the term ids, so that every
 * path gets the same value to the last bit (with a->dense, by looking b's
 * terms up in it). */
double eaf__rel_dot(const eaf__rel_doc *a, const eaf__rel_doc *b);

/* Fills the metadata norms of a document. */
void eaf__rel_doc_norms(eaf__rel_doc *d, const eaf__rel_values *v);

/* Scores one candidate against the source alone (no neighbours): fills
 * h (but ref). */
void eaf__rel_score(eaf__rel_hit *h, const eaf__rel_doc *src, const eaf__rel_doc *c,
                    const eaf__rel_values *v, const eaf__rel_opts *o, int32_t newest);

/* Scores the allowed candidates of c[0..n) for src (not the source
 * itself; with EAF_RELATED_EARLIER, no later article) into work, best
 * first, and returns how many.  With neighbours in the options, the text
 * part of each is then its cosine with the source's vector plus nweight
 * times the mean vector of the `neighbours` best candidates that are not
 * the source's text (the same body, or a cosine of at least duplicate),
 * normalised: the same on every path, to the last bit.  cdense is NULL,
 * or zeroed scratch of one float per term id (faster; left zeroed).
 * work holds n hits. */
uint32_t eaf__rel_score_all(eaf__rel_hit *work, const eaf__rel_doc *src,
                            const eaf__rel_doc *c, uint32_t n, const eaf__rel_values *v,
                            const eaf__rel_opts *o, int32_t newest, float *cdense);

/* Ranks candidates c[0..n) for src (eaf__rel_score_all), drops the
 * source's text and duplicates, and writes the best o->count into out;
 * returns how many. */
uint32_t eaf__rel_rank(eaf__rel_hit *out, const eaf__rel_doc *src,
                       const eaf__rel_doc *c, uint32_t n, const eaf__rel_values *v,
                       const eaf__rel_opts *o, int32_t newest, eaf__rel_hit *work,
                       float *cdense);

/* Is candidate c allowed for src at all (not itself; not later than it
 * with EAF_RELATED_EARLIER)? */
int eaf__rel_allowed(const eaf__rel_doc *src, const eaf__rel_doc *c, const eaf__rel_opts *o);

/* The day number of YYYYMMDD (missing parts as the first), or
 * EAF__REL_NO_DAY for 0. */
int32_t eaf__rel_day(int32_t ymd);

/* ---- related_fts.c: term statistics from the full-text index ------------------ */

/* The document frequencies of terms counted in the full-text index (exact
 * up to 500 articles, estimated beyond), with the number of articles,
 * a tokenizer and the stopwords: for lists computed on demand in an index
 * without stored statistics.  Kept on the handle's connection for every
 * list while the index is unchanged (related_fts.c says how). */
typedef struct eaf__rel_fts eaf__rel_fts;

/* The connection's statistics, made on first use and brought up to date
 * with the index (emptied when it changed); *out is NULL on an error (the
 * message on db).  Valid until the handle is closed. */
eaf_status eaf__rel_fts_get(eaf__rel_fts **out, eaf_db *db);
/* The number of articles. */
int64_t eaf__rel_fts_articles(const eaf__rel_fts *f);
/* The tokenizer (the index's language, with a cache of stems) and the
 * stopwords; borrowed. */
eaf__tokenizer *eaf__rel_fts_tokenizer(eaf__rel_fts *f);
const eaf__rel_stops *eaf__rel_fts_stops(const eaf__rel_fts *f);
/* The number of articles with the term t[0..n) (a stem) in their title,
 * summary or body, kept or counted now with *st (the caller's statement,
 * prepared on first use, which the caller finalizes); 0 when none has it. */
eaf_status eaf__rel_fts_df(eaf__rel_fts *f, eaf_db *db, sqlite3_stmt **st, const char *t,
                           size_t n, uint32_t *df);
/* The terms counted in article id's text with title_weight, kept by
 * eaf__rel_fts_keep_text() (stopwords left out): 1 and *c a view of them
 * (not to be freed; valid until the next call that keeps a text, or a
 * change of the index), or 0 when they are not kept. */
int eaf__rel_fts_text(eaf__rel_fts *f, int64_t id, double title_weight, eaf__rel_counts *c);
/* Keeps a copy of them, within the texts' budget (or not, out of memory:
 * they are only counted again). */
void eaf__rel_fts_keep_text(eaf__rel_fts *f, int64_t id, double title_weight,
                            const eaf__rel_counts *c);
/* How many terms were counted, and texts tokenized, on the connection
 * (for tests). */
uint64_t eaf__rel_fts_counted(const eaf__rel_fts *f);
uint64_t eaf__rel_fts_tokenized(const eaf__rel_fts *f);

/* ---- related_model.c: the model in memory -------------------------------- */

typedef struct eaf__rel_model eaf__rel_model;

/* Progress, as the public callback (NULL: none).  A batch scored in
 * chunks reports before + its lists done out of total (0: its own n). */
typedef struct eaf__rel_progress {
    eaf_progress_fn fn;
    void *payload;
    int64_t before, total;
} eaf__rel_progress;

/* Builds the model from the FTS5 index: every article's vector, the
 * inverted index, the metadata.  EAF_ERROR when the progress callback
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
 * threads.  EAF_ERROR when stopped by the progress callback (p may be
 * NULL), EAF_IO when a vector could not be read back, EAF_NOMEM. */
eaf_status eaf__rel_model_score(const eaf__rel_model *m, const uint32_t *todo, uint32_t n,
                                eaf__rel_entry *lists, uint8_t *counts, unsigned threads,
                                const eaf__rel_progress *p);

#endif /* EAF_RELATED_H */
