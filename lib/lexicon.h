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

#endif /* EAF_LEXICON_H */
