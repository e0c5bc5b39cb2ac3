/*
 * plan_title.c: the words typed, as a phrase the title may hold.
 *
 * A search of a few words is often the memory of a title: "Book of",
 * "Battle of", "the Sick", "Galaxy Formation".  Its stopwords are dropped
 * from what must match (plan.c), so "Book of" ranks the article titled
 * "Book" first, and the order of the words counts only through the
 * proximity bonus.  The pass below keeps the words as typed, stopwords
 * included, and hands them to the ranking function (its last argument,
 * "0,2|Natural history of": where each scored word starts among the
 * tokens, then the words),
 * which adds a bonus to a row whose title holds them in that order
 * (rank.c).  Nothing else changes: the rows matched are the same.  (The
 * phrase as one more FTS5 phrase ORed with the query gave the same
 * ranking at twice the time of a search: FTS5 reads the whole position
 * lists of its words, "of" included, for every row.)
 *
 * Only for a search of plain words (no operator, field, prefix or phrase
 * typed) of two to EAF__TITLE_PHRASE_WORDS words, not read as a question
 * (a natural-language question is no title; a search with
 * EAF_SEARCH_RANK_ALL, all the words first, may be one).
 */
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
    eaf__buf b = EAF__BUF_INIT, at = EAF__BUF_INIT;
    size_t i;
    int words = 0, n = 0, content = 0;

    if (p->rel || !root)
        return EAF_OK;
    if (root->kind != EAF__Q_AND)
        return EAF_OK; /* one word: the title's coverage (rank.c) does it */
    for (i = 0; i < root->nkids; i++) {
        const eaf__qnode *k = root->kids[i];
        if (k->kind == EAF__Q_META || k->kind == EAF__Q_DATE)
            continue; /* filters, SQL beside the expression */
        if (!plain_word(k) || (n = tokens(k->text, k->len)) < 0 ||
            words + n > EAF__TITLE_PHRASE_WORDS) {
            eaf__buf_free(&b);
            eaf__buf_free(&at);
            return n < 0 ? EAF_NOMEM : EAF_OK;
        }
        if (n == 0)
            continue; /* no word ("&"): not in the expression either */
        /* where each scored word starts among the tokens: the words
         * besides stopwords */
        if (!eaf__plan_dropped_stopword(db, k)) {
            eaf__buf_printf(&at, "%s%d", at.n ? "," : "", words);
            content++;
        }
        words += n;
        if (b.n)
            eaf__buf_putc(&b, ' ');
        eaf__buf_append(&b, k->text, k->len);
    }
    /* (a search of stopwords only is a phrase already: plan.c) */
    if (words >= 2 && content > 0 && b.rc == EAF_OK && at.rc == EAF_OK)
        p->title_phrase = eaf__printf("%s|%s", at.p, b.p);
    n = words >= 2 && content > 0 && !p->title_phrase ? -1 : 0;
    eaf__buf_free(&b);
    eaf__buf_free(&at);
    return n < 0 ? EAF_NOMEM : EAF_OK;
}

void eaf__plan_title_arg(eaf__buf *call, const eaf__plan *p)
{
    const char *s;

    if (!p->title_phrase || p->read_as_question)
        return;
    eaf__buf_puts(call, ", '");
    for (s = p->title_phrase; *s; s++) { /* an SQL string: '\'' doubled */
        if (*s == '\'')
            eaf__buf_putc(call, '\'');
        eaf__buf_putc(call, *s);
    }
    eaf__buf_putc(call, '\'');
}
