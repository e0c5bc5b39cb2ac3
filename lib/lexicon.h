/*
 * lexicon.h: word lists the ranking uses: stopwords (not scored in free
 * text, kept in phrases) and the names of countries and regions with their
 * adjectives and demonyms (Japan: Japanese).
 */
#ifndef EAF_LEXICON_H
#define EAF_LEXICON_H

#include "eaf-private.h"

/* Is the folded, unstemmed word a stopword of the language?  Only English
 * has a list; other languages have none. */
int eaf__is_stopword(const char *language, const char *word, size_t n);

/* The stopwords of the language, folded and unstemmed, in *n (NULL and 0
 * for a language without a list). */
const char *const *eaf__stopwords(const char *language, size_t *n);

/* Is the folded word one of a request's own words (papers, interested,
 * anyone, ...)?  Only English has a list. */
int eaf__is_request_word(const char *language, const char *word, size_t n);

/* The forms of the country or region that form[0..n) (folded words joined
 * by one space) names, as "name|adjective|...", or NULL when it names
 * none. */
const char *eaf__place_forms(const char *form, size_t n);

/* The i-th place, as "name|adjective|...", or NULL past the last one (the
 * synthetic tokens index the forms of several words, tokenize.c). */
const char *eaf__place_entry(size_t i);

#endif /* EAF_LEXICON_H */
