/*
 * tokenize.h: the text analysis shared by indexing and querying.
 *
 * Text is split into words (letters, digits and marks, with internal
 * apostrophes dropped, a possessive 's stripped, numbers such as 2.5 and
 * 3,000 kept whole, acronyms such as U.S. joined), runs of Chinese,
 * Japanese and Korean characters into overlapping bigrams, and everything
 * else is a separator (so US-Japan and Japan/China are two adjacent
 * words).  Each word is folded (NFKC, case folding, accents stripped from
 * Latin, Greek and Cyrillic letters) and stemmed with the index's Snowball
 * language.  Offsets always point into the original text.
 *
 * No SQLite here: the query parser uses this module too.
 */
#ifndef EAF_TOKENIZE_H
#define EAF_TOKENIZE_H

#include "eaf-private.h"

/* Bump when the tokens produced for some text change: an index records
 * the version it was built with and refuses to open with another. */
#define EAF__TOKENIZER_VERSION 1

/* Longest token kept, in bytes after folding; longer words are dropped. */
#define EAF__TOKEN_MAX 128

/* A query string that starts with this byte is one index term, as it is:
 * not folded, split or stemmed (prefix expansion writes such terms). */
#define EAF__RAW_TERM '\x01'
/* The same, for a term added by relevance feedback, which has a weight of
 * its own: the marker is followed by one byte, EAF__FEEDBACK_WEIGHT0 + n
 * for a weight of n / EAF__FEEDBACK_STEPS of a query word's (n from 1 to
 * EAF__FEEDBACK_MAX: a printable ASCII byte, never a quote), then the term. */
#define EAF__FEEDBACK_TERM '\x03'
#define EAF__FEEDBACK_WEIGHT0 0x2f
#define EAF__FEEDBACK_STEPS 40.0
#define EAF__FEEDBACK_MAX 79
/* The same, for a synthetic index term (below) or a word of a phrase
 * rendered with them, written by the planner (query_fts.c); after
 * EAF__ALIAS_TERM too, for a place's other form. */
#define EAF__SYNTH_TERM '\x04'

/*
 * Synthetic tokens (schema 6, tokenize='eaf LANGUAGE synth'): besides its
 * words, a document is indexed with tokens no word can spell, each
 * colocated (FTS5_TOKEN_COLOCATED) with the word it stands at, so
 * that they take no position and leave the column lengths as they are:
 *  - a common gram, EAF__SYNTH_GRAM "a b", for two adjacent tokens a, b
 *    of which one is common (the stem of a stopword), as Lucene's
 *    CommonGrams: a phrase with stopwords is then a lookup of rare pairs;
 *  - a place form, EAF__SYNTH_FORM, the word's number and "w1 w2 ...",
 *    at each word of a place's form of several words (united states,
 *    south korean): a place's other forms are then phrases of rare
 *    terms.
 * Both are made of the tokens (stems) as indexed, so they occur exactly
 * where the phrase of those tokens occurs.
 */
#define EAF__SYNTH_FORM '\x1e'
#define EAF__SYNTH_GRAM '\x1f'

/* Is an index term one of the synthetic tokens?  Everything that reads
 * the vocabulary as words skips them. */
static inline int eaf__token_is_synthetic(const char *tok, size_t n)
{
    return n > 0 && (tok[0] == EAF__SYNTH_FORM || tok[0] == EAF__SYNTH_GRAM);
}

typedef struct eaf__tokenizer eaf__tokenizer;

/* Modes for eaf__tokenize(). */
#define EAF__TOK_DOC    0x0  /* indexing a document */
#define EAF__TOK_QUERY  0x1  /* a query term */
#define EAF__TOK_PREFIX 0x2  /* with QUERY: the last token is a prefix */
#define EAF__TOK_NOSTEM 0x4  /* fold only, never stem */
#define EAF__TOK_LONG   0x8  /* for tests: never the short path for ASCII
                                words, nor the stem cache */
#define EAF__TOK_FILTER 0x10 /* with DOC: a word that cannot stem to any of
                                the filter's words is passed unstemmed as
                                NULL, 0 (eaf__tokenizer_filter) */

/* The callback receives each token; a non-zero return stops tokenizing
 * and is returned by eaf__tokenize().  Offsets are byte offsets into the
 * text, end exclusive. */
typedef int (*eaf__token_fn)(void *ctx, const char *tok, int ntok,
                             int start, int end);

/* True if language names a Snowball stemmer (or is "none"). */
int eaf__language_ok(const char *language);

/* Creates a tokenizer for a language ("none" or NULL: no stemming).
 * EAF_MISUSE for an unknown language. */
eaf_status eaf__tokenizer_new(eaf__tokenizer **out, const char *language);
void eaf__tokenizer_free(eaf__tokenizer *t);

/* Keeps the stems of recent words of documents in a cache of `slots`
 * slots (rounded down to a power of two; 64 bytes each, made on first use;
 * without memory for it, stems are made every time): for a tokenizer that
 * indexes.  Once made, its size stays. */
#define EAF__STEM_SLOTS_INDEX 65536
void eaf__tokenizer_cache_stems(eaf__tokenizer *t, size_t slots);

/* Sets the words EAF__TOK_FILTER looks for (their first bytes, a flag
 * each, and the length of the shortest) and returns 1, for a language
 * whose stemmer keeps a word's first byte and never makes it longer
 * (english: checked on the 121,000 distinct words of 20,000 Wikipedia
 * sections), so that only words that could stem to one of them are
 * stemmed; returns 0 (nothing set) for another language. */
int eaf__tokenizer_filter(eaf__tokenizer *t, const unsigned char first[256], size_t min_len);

/* Tokenizes text[0..n).  Returns 0, a callback's non-zero value, or -1
 * when out of memory. */
int eaf__tokenize(eaf__tokenizer *t, unsigned mode, const char *text,
                  size_t n, eaf__token_fn fn, void *ctx);

/* ---- synthetic tokens ------------------------------------------------- */

typedef struct eaf__synth eaf__synth;

/* The receiver of a document's tokens with the synthetic ones: colocated
 * says the token takes the position of the word before it. */
typedef int (*eaf__synth_fn)(void *ctx, int colocated, const char *tok, int ntok,
                             int start, int end);

/* Makes the synthetic tokens of a language: the stems of its stopwords
 * (English only has a list: no grams otherwise) and the stemmed words of
 * the places' forms of several words.  EAF_MISUSE or EAF_NOMEM. */
eaf_status eaf__synth_new(eaf__synth **out, const char *language);
void eaf__synth_free(eaf__synth *s);

/* Is the token (a stem) common: the stem of a stopword? */
int eaf__synth_common(const eaf__synth *s, const char *tok, size_t n);

/* Writes the gram of tokens a and b into out (EAF__TOKEN_MAX + 1 bytes)
 * and returns its length, or 0 when it would be longer than
 * EAF__TOKEN_MAX (then none is indexed). */
size_t eaf__synth_gram(const char *a, size_t na, const char *b, size_t nb, char *out);

/* Writes the token of the word-th word (1 on) of a place's form of
 * several words (its stems joined by spaces) into out (EAF__TOKEN_MAX + 1
 * bytes) and returns its length; 0 when the stems do not make one of the
 * forms indexed.  Each word of a form has its token, at its position:
 * EAF__SYNTH_FORM, the digit of the word, the stems. */
size_t eaf__synth_form(const eaf__synth *s, const char *stems, size_t n, int word,
                       char *out);

/* Tokenizes a document's text as eaf__tokenize(t, mode, ...) does and
 * passes fn each token, each followed by its synthetic tokens (offsets:
 * from the first word's start to the last word's end).  source, if not
 * NULL, gives the tokens instead of t (tokens made ahead): it is called
 * with the token callback and its context.  Returns as eaf__tokenize. */
typedef int (*eaf__synth_source)(void *src, eaf__token_fn fn, void *ctx);
int eaf__synth_tokenize(eaf__synth *s, eaf__synth_source source, void *src,
                        eaf__synth_fn fn, void *ctx);

/* The folded words of s joined by single spaces, unstemmed: the form in
 * which metadata values are compared ("Rumi  AOYAMA" -> "rumi aoyama").
 * NULL when out of memory. */
char *eaf__fold_value(const char *s, size_t n);

#endif /* EAF_TOKENIZE_H */
