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
 * (rank.c).  Nothing else changes: the rows matched are the same.
 *
 * In an index with common grams (schema 6, expand.c), the grams of the
 * typed tokens come before the '|', one for each pair of tokens in turn,
 * each after a \x1f, empty for a pair that has none (two words that are
 * no stopwords): "0\x1fhistori of|History of",
 * "0,1,3\x1f\x1fwar of\x1fof nation|Great war of nations" (stems).  A
 * title holds the words typed only if it holds the grams at their
 * places, and the ranking can look the rows with them up in the index at
 * once instead of reading thousands of titles with "history" but not
 * "history of" (rank.c).  (The
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

/* The stems of the typed words, as the index has them. */
typedef struct stem_list {
    char text[EAF__QUERY_MAX_BYTES];
    size_t off[EAF__TITLE_PHRASE_WORDS], len[EAF__TITLE_PHRASE_WORDS];
    size_t n, used;
    int over;
} stem_list;

static int keep_stem(void *ctx, const char *tok, int ntok, int start, int end)
{
    stem_list *l = ctx;

    (void)start;
    (void)end;
    if (l->n >= EAF__TITLE_PHRASE_WORDS || l->used + (size_t)ntok > sizeof(l->text)) {
        l->over = 1;
        return 1;
    }
    memcpy(l->text + l->used, tok, (size_t)ntok);
    l->off[l->n] = l->used;
    l->len[l->n++] = (size_t)ntok;
    l->used += (size_t)ntok;
    return 0;
}

/* Appends to out the grams of the typed words (words tokens of them), as
 * above; nothing when the index has no grams or the words have none.
 * EAF_OK or EAF_NOMEM. */
static eaf_status typed_grams(eaf_db *db, const char *text, size_t len, int words,
                              eaf__buf *out)
{
    stem_list *l;
    char gram[EAF__TOKEN_MAX + 1];
    eaf__buf g = EAF__BUF_INIT;
    size_t i;
    int any = 0;
    eaf_status st;

    if (db->schema_version < 6)
        return EAF_OK; /* no grams */
    if (!db->synth && (st = eaf__synth_new(&db->synth, db->language)) != EAF_OK)
        return st;
    if (!(l = eaf__malloc(sizeof(*l))))
        return EAF_NOMEM;
    l->n = l->used = 0;
    l->over = 0;
    st = EAF_OK;
    if (!db->tok && (st = eaf__tokenizer_new(&db->tok, db->language)) == EAF_OK)
        eaf__tokenizer_cache_stems(db->tok, 4096); /* as the snippets make it */
    if (st == EAF_OK && eaf__tokenize(db->tok, EAF__TOK_QUERY, text, len, keep_stem, l) < 0 &&
        !l->over)
        st = EAF_NOMEM;
    /* the same tokens as the words typed, or none */
    for (i = 0; st == EAF_OK && !l->over && l->n == (size_t)words && i + 1 < l->n; i++) {
        const char *a = l->text + l->off[i], *b = l->text + l->off[i + 1];
        size_t n = 0;

        /* (as the index makes them: eaf__synth_tokenize()) */
        if (eaf__synth_common(db->synth, a, l->len[i]) ||
            eaf__synth_common(db->synth, b, l->len[i + 1]))
            n = eaf__synth_gram(a, l->len[i], b, l->len[i + 1], gram);
        if (n)
            eaf__buf_append(&g, gram, n);
        else
            eaf__buf_putc(&g, EAF__SYNTH_GRAM);
        any |= n > 0;
    }
    if (st == EAF_OK && g.rc != EAF_OK)
        st = EAF_NOMEM;
    if (st == EAF_OK && any)
        eaf__buf_append(out, g.p, g.n);
    eaf__buf_free(&g);
    eaf__free(l);
    return st;
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
    if (words >= 2 && content > 0 && b.rc == EAF_OK && at.rc == EAF_OK &&
        typed_grams(db, b.p, b.n, words, &at) == EAF_OK && at.rc == EAF_OK)
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
