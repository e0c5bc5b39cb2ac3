/*
 * snippet_core.h: the making of a snippet from the instances of a query's
 * phrases in a text (snippet.c), shared by the FTS5 function there and by
 * the snippets made without FTS5 (snippet_text.c).  Part of the SQLite
 * extension too: nothing here reaches SQLite but its result codes.
 */
#ifndef EAF_SNIPPET_CORE_H
#define EAF_SNIPPET_CORE_H

#include "eaf-private.h"

#define MIN_WORDS 1
#define MAX_WORDS 256
#define MIN_FRAGMENTS 1
#define MAX_FRAGMENTS 10
#define DEFAULT_WORDS 32
#define DEFAULT_FRAGMENTS 3
/* Context shown before a fragment's first match, in tokens (at most half
 * of the tokens the window has to spare). */
#define LEAD_TOKENS 3
/* How far before the first match a sentence start is looked for. */
#define SENTENCE_LOOKBACK 6

typedef struct tok_span {
    int start, end;         /* bytes [start, end) */
} tok_span;

typedef struct instance {
    int phrase;
    int first, last;        /* token offsets, last inclusive */
    int cend;               /* last, clipped to the selection window */
} instance;

typedef struct window {
    int first, last;        /* the matches it was chosen for (tokens) */
    int start, end;         /* the tokens shown [start, end) */
} window;

typedef struct end_key {
    int cend, index;
} end_key;

typedef struct snippet {
    const char *text;
    int ntext;
    /* tokens, collected up to limit */
    tok_span *tok;
    int ntok, cap, limit;
    int more;               /* the text has tokens after tok[ntok - 1] */
    int next_start;         /* ... and the next one starts here */
    /* the instances in the column, by first token */
    instance *inst;
    int ninst, nphrase;
    int *psize;             /* per phrase: size in tokens */
    int *count;             /* per phrase: scratch for the window sweep */
    unsigned char *shown;   /* per phrase: already in a chosen window */
    unsigned char *state;   /* per instance: scratch for the window sweep */
    end_key *byend;         /* instances by clipped end */
    window win[MAX_FRAGMENTS];
    int nwin;
    /* merged byte spans of the instances */
    tok_span *span;
    int nspan;
} snippet;

typedef struct out {
    eaf__buf b;
    int html;
    int any;                /* something written in this fragment */
    int space;              /* white space pending */
} out;

void eaf__snippet_free(snippet *s);
/* Orders instances by first token. */
int eaf__snippet_cmp_instance(const void *a, const void *b);
/* Adds an instance of phrase, tokens first..last; clears *sorted when it
 * comes before the one added last. */
void eaf__snippet_put_instance(snippet *s, int phrase, int first, int last, int *sorted);
/* Makes the per-phrase arrays of nphrase phrases; an SQLite code. */
int eaf__snippet_make_phrases(snippet *s, int nphrase);
/* The tokens a snippet of words needs: as far as the last match plus one
 * window. */
int eaf__snippet_token_limit(const snippet *s, int words);
/* Chooses the windows and writes the snippet to o; an SQLite code. */
int eaf__snippet_render(snippet *s, int words, int fragments, const char *mark_open,
                        const char *mark_close, const char *ellipsis, out *o);

#endif /* EAF_SNIPPET_CORE_H */
