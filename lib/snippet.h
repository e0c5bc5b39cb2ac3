/*
 * snippet.h: snippets made without FTS5 (snippet.c), for the hits of a
 * search: the same text eaf_snippet() gives, without a query per hit.
 */
#ifndef EAF_SNIPPET_H
#define EAF_SNIPPET_H

#include "eaf-private.h"
#include "tokenize.h"

/* The phrases of an expression, read once per search. */
typedef struct eaf__snippet_query eaf__snippet_query;

/* Reads the phrases of an FTS5 expression the query compiler wrote,
 * tokenized with t (the index's tokenizer).  *made is NULL when the
 * expression has what only FTS5 can tell (NEAR, column filters): its
 * snippets are FTS5's.  EAF_OK or EAF_NOMEM. */
eaf_status eaf__snippet_query_new(eaf__snippet_query **made, const char *expr,
                                  eaf__tokenizer *t);
void eaf__snippet_query_free(eaf__snippet_query *q);

typedef struct eaf__snippet_options {
    const char *mark_open, *mark_close, *ellipsis;
    int words, fragments, html;
} eaf__snippet_options;

/* The snippet eaf_snippet() would give of text (a column of a row that
 * matches the expression of q) in *made, to free with eaf__free(); t is
 * the index's tokenizer.  EAF_OK, EAF_NOMEM, or EAF_ERROR for a text over
 * 2 GB. */
eaf_status eaf__snippet_make(char **made, const char *text, size_t ntext,
                             const eaf__snippet_query *q, eaf__tokenizer *t,
                             const eaf__snippet_options *o);

#endif /* EAF_SNIPPET_H */
