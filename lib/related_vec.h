/*
 * related_vec.h: the ground floor of the related-article ranker, what
 * every path shares (related_vec.c): the options with their defaults
 * applied, terms and vectors, and the final ranking.  The model in memory
 * (related_model.h), the counts of the full-text index (related_fts.h) and
 * the lists (related.h) stand on it; it knows none of them.
 *
 * The model is described in eafsearch.h ("Related articles").  What every
 * path must agree on:
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
#ifndef EAF_RELATED_VEC_H
#define EAF_RELATED_VEC_H

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
/* The weight of an article's title terms, from the options' title_weight
 * and the bytes of its summary and body: see related_vec.c. */
double eaf__rel_title_weight(double title_weight, size_t text_bytes);

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

/* Appends the string t[0..n) and a NUL to a growing arena of strings
 * (*arena, *len bytes used of *cap; the first allocation takes `first`
 * bytes, doubled as needed): its offset into *off.  -1 out of memory (the
 * arena as it was). */
int eaf__rel_arena_put(char **arena, size_t *len, size_t *cap, size_t first, const char *t,
                       size_t n, size_t *off);

/* The table of the articles changed since the lists were made, which the
 * vectors' readers join (its rows with changed not 0 count): the index's
 * related_stale, or on a shard set's related handle the view
 * eaf_rel_changed (shard.h). */
#define EAF__REL_CHANGED(db) ((db)->set ? "eaf_rel_changed" : "related_stale")
/* The stale lists read whole: related_stale, or the set's view for that. */
#define EAF__REL_STALE_ALL(db) ((db)->set ? "eaf_rel_stale_all" : "related_stale")

#endif /* EAF_RELATED_VEC_H */
