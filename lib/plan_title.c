/*
 * plan_title.c: the words typed, as a phrase the title may hold.
 *
 * A search of a few words is often the memory of a title: "Book of",
 * "Battle of", "the Sick", "Galaxy Formation".  Its stopwords are dropped
 * from what must match (plan.c), so "Book of" ranks the article titled
 * "Book" first, and the order of the words counts only through the
 * proximity bonus.  The pass below keeps the words as typed, stopwords
 * included, and the compiled expression gets them as one more phrase in
 * the title, ORed with the rest: every row that has the phrase in its
 * title has all of its words, so the rows matched do not change, and the
 * ranking function adds a bonus to a row whose title holds the phrase
 * (group -2 of its spec, rank.c).
 *
 * Only for a search of plain words (no operator, field, prefix or phrase
 * typed) of two to EAF__TITLE_PHRASE_WORDS words, not read as a question
 * (a natural-language question is no title; a search with
 * EAF_SEARCH_RANK_ALL, all the words first, may be one).
 */
#include "hits.h"
#include "plan.h"
#include "query.h"
#include "tokenize.h"

#include <string.h>

static int count_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    (void)tok;
    (void)ntok;
    (void)start;
    (void)end;
    ++*(int *)ctx;
    return 0;
}

/* The tokens of a text, stopwords included, or -1 out of memory. */
static int tokens(const char *text, size_t len)
{
    eaf__tokenizer *t;
    int n = 0;

    if (eaf__tokenizer_new(&t, NULL) != EAF_OK)
        return -1;
    eaf__tokenize(t, EAF__TOK_QUERY | EAF__TOK_NOSTEM, text, len, count_token, &n);
    eaf__tokenizer_free(t);
    return n;
}

/* Is the node a word as typed: a term with no field, prefix or marker? */
static int plain_word(const eaf__qnode *n)
{
    return n->kind == EAF__Q_TERM && !n->cols && !n->prefix && n->text && n->len > 0 &&
           (unsigned char)n->text[0] >= 0x20;
}

eaf_status eaf__pass_title_phrase(eaf__plan *p, eaf_db *db)
{
    const eaf__qnode *root = eaf__query_root(p->q);
    eaf__buf b = EAF__BUF_INIT;
    size_t i;
    int words = 0, n;

    (void)db;
    if (p->rel || !root)
        return EAF_OK;
    if (root->kind != EAF__Q_AND)
        return EAF_OK; /* one word: the title's coverage (rank.c) does it */
    for (i = 0; i < root->nkids; i++) {
        const eaf__qnode *k = root->kids[i];
        if (k->kind == EAF__Q_META || k->kind == EAF__Q_DATE)
            continue; /* filters, SQL beside the expression */
        if (!plain_word(k))
            return EAF_OK;
        if ((n = tokens(k->text, k->len)) < 0)
            return EAF_NOMEM;
        words += n;
        if (words > EAF__TITLE_PHRASE_WORDS)
            return EAF_OK;
        if (b.n)
            eaf__buf_putc(&b, ' ');
        eaf__buf_append(&b, k->text, k->len);
    }
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return EAF_NOMEM;
    }
    if (words >= 2)
        p->title_phrase = eaf__buf_detach(&b);
    eaf__buf_free(&b);
    return EAF_OK;
}

eaf_status eaf__compiled_title_phrase(eaf__compiled *c, const eaf__plan *p)
{
    eaf__buf b = EAF__BUF_INIT;
    const char *s;

    if (!p->title_phrase || p->read_as_question || !c->fts || !c->positive)
        return EAF_OK;
    eaf__buf_printf(&b, "(%s) OR {%s} : \"%c", c->fts, eaf__col_names[EAF__COL_TITLE],
                    EAF__TITLE_PHRASE);
    for (s = p->title_phrase; *s; s++) { /* an FTS5 string: '"' doubled */
        if (*s == '"')
            eaf__buf_putc(&b, '"');
        eaf__buf_putc(&b, *s);
    }
    eaf__buf_putc(&b, '"');
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return EAF_NOMEM;
    }
    eaf__free(c->fts);
    c->fts = eaf__buf_detach(&b);
    return EAF_OK;
}
