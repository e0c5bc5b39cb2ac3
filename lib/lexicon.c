/*
 * lexicon.c: stopwords and country names (being written).
 */
#include "lexicon.h"

int eaf__is_stopword(const char *language, const char *word, size_t n)
{
    (void)language;
    (void)word;
    (void)n;
    return 0;
}
