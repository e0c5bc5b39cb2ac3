/*
 * prep.h: the tokens of an article's text made ahead of storing it
 * (eaf_prep_article(), on another thread), and the set in which a handle
 * keeps them until FTS5 asks its tokenizer for that very text.
 *
 * A prepared text keeps a copy of the text it was made from: it is used
 * only for a text equal to it byte for byte, so that what FTS5 indexes is
 * always what the tokenizer makes of the text it is given (FTS5 tokenizes
 * the stored text again to delete it: anything else would corrupt the
 * index).
 */
#ifndef EAF_PREP_H
#define EAF_PREP_H

#include "eaf-private.h"
#include "tokenize.h"

typedef struct eaf__prep_text eaf__prep_text;

/* The prepared texts a handle holds, found by their text. */
typedef struct eaf__prep_set {
    eaf__prep_text **bucket;
    size_t nbucket, count;
    size_t bytes;             /* held, at most EAF__PREP_MAX_BYTES */
} eaf__prep_set;

#define EAF__PREP_MAX_BYTES ((size_t)64 << 20)

/* Moves the article's prepared texts into the set (those over its limit
 * are freed), when they were made for language; the article keeps none. */
void eaf__prep_set_take_article(eaf__prep_set *set, eaf_article *a, const char *language);

/* Replays the tokens prepared for text[0..n) to fn and returns 1, taking
 * them out of the set; returns 0 when none are held for this text.  *rc
 * receives what eaf__tokenize() would have returned. */
int eaf__prep_set_replay(eaf__prep_set *set, const char *text, size_t n,
                         eaf__token_fn fn, void *ctx, int *rc);

/* Makes the eaf_prep of an index in language (eaf_prep_new(), in db.c,
 * passes its handle's). */
eaf_status eaf__prep_new(eaf_prep **out, const char *language);
/* For the writer of one shard of n: only its articles are tokenized. */
void eaf__prep_set_shard(eaf_prep *p, unsigned shard, unsigned n);

/* Frees every prepared text held. */
void eaf__prep_set_clear(eaf__prep_set *set);

/* Frees every prepared text and the set's table (a closing handle). */
void eaf__prep_set_free(eaf__prep_set *set);

/* Frees an article's chain of prepared texts. */
void eaf__prep_text_free_all(eaf__prep_text *p);

#endif /* EAF_PREP_H */
