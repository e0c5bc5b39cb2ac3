/*
 * suggest_ctx.h: what the files of "did you mean" share (suggest.c says how it
 * works): the context of one suggestion, with its pool of strings, the
 * stems read and the candidates.  Private to suggest*.c.
 */
#ifndef EAF_SUGGEST_CTX_H
#define EAF_SUGGEST_CTX_H

#include "db.h"
#include "query.h"
#include "tokenize.h"

#define MAX_WORD 64      /* longest word corrected, in code points */
#define SAMPLE 32        /* instances of a stem read back from the articles */
#define DEEP 256         /* ... when its spelling is looked for further */
#define DEEP_STEMS 2     /* stems looked into further per word and distance */
#define MAX_SAMPLED 12   /* stems read back per word and distance, at most */

/* ---- what is read of the index ------------------------------------------ */

/* One instance of a stem, read back from an article: the word folded and
 * unstemmed, and as the article writes it (offsets into the pool). */
typedef struct seen {
    size_t form, written;
} seen;

typedef struct stem {
    size_t text;             /* pool offset */
    sqlite3_int64 df;        /* articles with the stem; -1: not looked up */
    int sampled;             /* how many of its instances were asked for
                                (0: none yet, SAMPLE, or DEEP) */
    int more;                /* it has more instances than were read */
    size_t first, n;         /* its instances in ctx.seen */
} stem;

/* A spelling that may replace the typed word. */
typedef struct cand {
    size_t form;             /* folded (pool offset) */
    size_t stem;             /* index in ctx.stems */
    int d;                   /* distance to the typed word */
    /* for sorting only (the pool may move later) */
    sqlite3_int64 df;
    const char *text;
} cand;

/* A part of the query to replace. */
typedef struct repl {
    int start, end;          /* bytes of the query */
    size_t text;             /* pool offset */
} repl;

/* A word already corrected in this query (the same word typed twice is
 * looked up once): pool offsets of the folded word and of its spelling,
 * or (size_t)-1 for none. */
typedef struct memo {
    size_t word, spelt;
} memo;

#define NONE ((size_t)-1)

typedef struct ctx {
    eaf_db *db;
    eaf__tokenizer *t;
    eaf_status st;           /* the first error */
    /* every string, NUL-terminated, referred to by offset */
    eaf__buf pool;
    stem *stems;
    size_t nstems, capstems;
    size_t *slots;           /* hash of stems: index + 1, 0 when empty */
    size_t nslots;
    seen *seen;
    size_t nseen, capseen;
    cand *cands;
    size_t ncands, capcands;
    repl *repls;
    size_t nrepls, caprepls;
    memo *memos;
    size_t nmemos, capmemos;
    size_t sampled;          /* stems read back for the current word */
    sqlite3_stmt *exact, *batch, *range, *instances, *text[EAF__COL_COUNT];
} ctx;

#define STR(c, off) ((c)->pool.p + (off))

typedef struct one_token {
    char text[EAF__TOKEN_MAX + 1];
    int n, count, start, end;
} one_token;


/* ---- suggest_index.c: the context, its pool and the stems read ---------- */

eaf_status eaf__sugg_ctx_open(ctx *c, eaf_db *db);
void eaf__sugg_ctx_close(ctx *c);
/* Sets the first error (out of memory, or SQLite's rc) and returns -1. */
int eaf__sugg_nomem(ctx *c);
int eaf__sugg_sqlerr(ctx *c, int rc);
/* v, with room for one more element of size `size` (n used, *cap
 * allocated): v itself, or a new block; NULL when out of memory (v is
 * then unchanged). */
void *eaf__sugg_grow(ctx *c, void *v, size_t n, size_t *cap, size_t size);
/* Copies s[0..n) into the pool; returns its offset, or NONE. */
size_t eaf__sugg_pool_add(ctx *c, const char *s, size_t n);
/* The index of a stem in c->stems (added when new), or NONE. */
size_t eaf__sugg_stem_get(ctx *c, const char *s, size_t n);
/* The number of articles with stem i (looked up once), or -1 on error. */
sqlite3_int64 eaf__sugg_stem_df(ctx *c, size_t i);
/* The one token of s[0..n) in the tokenizer's mode: 1, 0 for none or
 * several, -1 on error. */
int eaf__sugg_one_word(ctx *c, unsigned mode, const char *s, size_t n, one_token *o);
/* n less a final possessive ('s). */
size_t eaf__sugg_without_possessive(const char *s, size_t n);
/* Reads back up to limit instances of stem i: 0, or -1 on error. */
int eaf__sugg_sample(ctx *c, size_t i, int limit);

/* ---- suggest_word.c: distances, candidates, the spelling of one word ---- */

/* The largest distance corrected for a word of n code points. */
int eaf__sugg_max_distance(int n);
/* Damerau's distance (optimal string alignment) of a and b, or max + 1
 * when it is more than max. */
int eaf__sugg_distance(const int32_t *a, int na, const int32_t *b, int nb, int max);
/* The pool offset of the correction of a folded word, or NONE; *err is
 * set on failure. */
size_t eaf__sugg_correct(ctx *c, const char *word, size_t nword, int *err);

#endif /* EAF_SUGGEST_CTX_H */
