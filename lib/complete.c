/*
 * complete.c: search-box completion (eaf_db_complete()).
 *
 * The typed text is split into words as the index splits text.  The last
 * word is a prefix while it is still being typed (no space after it, two
 * characters or more); the others are whole words.  A title completes the
 * text when it has every whole word (stemmed, as a search matches them)
 * and a word starting with the prefix (folded, not stemmed).  The titles
 * are found by a search of any of the words in the titles (title:w1
 * title:w2 title:prefix*, which the query language reads as "either"),
 * best first, so that titles with all of them come first; the first
 * MAX_TITLES hits are checked word by word.  Those titles are the title
 * completions, and the words of them that start with the prefix, counted,
 * are the word completions, most frequent first.
 */
#include "db.h"
#include "suggest_ctx.h"
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX 10
#define MOST 100
#define MAX_TITLES 500
#define MAX_WORDS 16           /* typed words read; the rest are ignored */

typedef struct typed_word {
    char *folded;              /* folded, unstemmed */
    char *stem;                /* a whole word's stem; NULL for the prefix */
    int start, end;            /* in the typed text */
} typed_word;

typedef struct word_count {
    char *folded;              /* the word as matched */
    char *written;             /* as a title writes it (one not at the
                                  start of its title, when there is one) */
    int written_first;         /* written is the first word of its title */
    int64_t count;
    size_t last_title;         /* the title that counted it last, + 1 */
} word_count;

typedef struct complete_ctx {
    eaf_db *db;
    eaf_status st;
    /* the typed words */
    typed_word w[MAX_WORDS];
    int nw;
    /* while reading a title */
    const char *title;
    size_t title_i;
    unsigned found;            /* the whole words found in it, a bit each */
    int prefix_found;
    const char *prefix;        /* folded; NULL when the last word is whole */
    size_t nprefix;
    word_count *words;
    size_t nwords, capwords;
} complete_ctx;

static int nomem(complete_ctx *c)
{
    if (c->st == EAF_OK)
        c->st = eaf__db_error(c->db, EAF_NOMEM, "out of memory");
    return -1;
}

static int add_typed(void *vctx, const char *tok, int ntok, int start, int end)
{
    complete_ctx *c = vctx;
    typed_word *w;

    if (!tok || ntok <= 0)
        return 0;
    if (c->nw == MAX_WORDS)
        return 1;
    w = &c->w[c->nw];
    w->folded = eaf__strndup(tok, (size_t)ntok);
    if (!w->folded)
        return nomem(c);
    w->start = start;
    w->end = end;
    c->nw++;
    return 0;
}

/* May the folded word be a prefix query (letters and digits only)? */
static int prefix_ok(const char *s)
{
    size_t chars = 0;

    for (; *s; s++) {
        unsigned char u = (unsigned char)*s;

        if (u < 0x80 && !((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9')))
            return 0;
        if ((u & 0xC0) != 0x80)
            chars++;
    }
    return chars >= 2;
}

static int add_title_word(void *vctx, const char *tok, int ntok, int start, int end)
{
    complete_ctx *c = vctx;
    word_count *wc = NULL;
    size_t i;

    if (!tok || (size_t)ntok < c->nprefix || memcmp(tok, c->prefix, c->nprefix) != 0)
        return 0;
    for (i = 0; i < c->nwords; i++) {
        if (strlen(c->words[i].folded) == (size_t)ntok &&
            memcmp(c->words[i].folded, tok, (size_t)ntok) == 0) {
            wc = &c->words[i];
            break;
        }
    }
    if (!wc) {
        if (c->nwords == c->capwords) {
            size_t cap = c->capwords ? c->capwords * 2 : 32;
            word_count *p = eaf__realloc(c->words, cap * sizeof *p);

            if (!p)
                return nomem(c);
            c->words = p;
            c->capwords = cap;
        }
        wc = &c->words[c->nwords];
        memset(wc, 0, sizeof *wc);
        wc->folded = eaf__strndup(tok, (size_t)ntok);
        if (!wc->folded)
            return nomem(c);
        c->nwords++;
    }
    /* "Elections in India" writes the word in capitals only because it
     * starts the title: another title's way of writing it is better */
    if (!wc->written || (wc->written_first && start > 0)) {
        char *w = eaf__strndup(c->title + start,
                               eaf__sugg_without_possessive(c->title + start,
                                                            (size_t)(end - start)));
        if (!w)
            return nomem(c);
        eaf__free(wc->written);
        wc->written = w;
        wc->written_first = start == 0;
    }
    if (wc->last_title != c->title_i + 1) {
        wc->last_title = c->title_i + 1;
        wc->count++;
    }
    return 0;
}

/* A token of a title, stemmed: which whole words does it match? */
static int match_stem(void *vctx, const char *tok, int ntok, int start, int end)
{
    complete_ctx *c = vctx;
    int i;

    (void)start;
    (void)end;
    for (i = 0; tok && i < c->nw; i++)
        if (c->w[i].stem && strlen(c->w[i].stem) == (size_t)ntok &&
            memcmp(c->w[i].stem, tok, (size_t)ntok) == 0)
            c->found |= 1u << i;
    return 0;
}

/* A token of a title, folded: does it start with the prefix? */
static int match_prefix(void *vctx, const char *tok, int ntok, int start, int end)
{
    complete_ctx *c = vctx;

    (void)start;
    (void)end;
    if (tok && (size_t)ntok >= c->nprefix && memcmp(tok, c->prefix, c->nprefix) == 0)
        c->prefix_found = 1;
    return 0;
}

/* The stem of a whole typed word (its first token, stemmed as a query
 * term is). */
static int keep_stem(void *vctx, const char *tok, int ntok, int start, int end)
{
    char **out = vctx;

    (void)start;
    (void)end;
    if (!tok || ntok <= 0)
        return 0;
    *out = eaf__strndup(tok, (size_t)ntok);
    return *out ? 1 : -1;
}

/* Does the title have every whole word and the prefix?  -1 when out of
 * memory. */
static int title_matches(complete_ctx *c, const char *title)
{
    unsigned want = 0;
    int i;

    for (i = 0; i < c->nw; i++)
        if (c->w[i].stem)
            want |= 1u << i;
    c->found = 0;
    c->prefix_found = 0;
    if (want && eaf__tokenize(c->db->tok, EAF__TOK_DOC, title, strlen(title), match_stem,
                              c) < 0)
        return -1;
    if (c->prefix && eaf__tokenize(c->db->tok, EAF__TOK_DOC | EAF__TOK_NOSTEM, title,
                                   strlen(title), match_prefix, c) < 0)
        return -1;
    return (c->found & want) == want && (!c->prefix || c->prefix_found);
}

static int cmp_words(const void *a, const void *b)
{
    const word_count *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->folded, y->folded);
}

/* The query of the titles: title:"w1" ... title:prefix* */
static char *title_query(complete_ctx *c)
{
    eaf__buf q = EAF__BUF_INIT;
    int i;

    for (i = 0; i < c->nw; i++) {
        if (i + 1 == c->nw && c->prefix)
            eaf__buf_printf(&q, "%stitle:%s*", i ? " " : "", c->w[i].folded);
        else
            eaf__buf_printf(&q, "%stitle:\"%s\"", i ? " " : "", c->w[i].folded);
    }
    if (q.rc != EAF_OK) {
        eaf__buf_free(&q);
        return NULL;
    }
    return eaf__buf_detach(&q);
}

typedef struct title_hit {
    char *title, *key;
} title_hit;

eaf_status eaf_db_complete(eaf_db *db, const char *typed, unsigned max,
                           eaf_complete_fn fn, void *payload)
{
    complete_ctx c;
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    title_hit *hits = NULL;
    size_t nhits = 0, i, shown_words = 0, want_words;
    char *q = NULL, *text = NULL;
    eaf_status st;
    int rc;

    if (!db || !typed || !fn)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (max == 0)
        max = DEFAULT_MAX;
    if (max > MOST)
        max = MOST;
    memset(&c, 0, sizeof c);
    c.db = db;
    if (!db->tok) {
        st = eaf__tokenizer_new(&db->tok, db->language);
        if (st != EAF_OK)
            return eaf__db_error(db, st, "making the tokenizer");
        eaf__tokenizer_cache_stems(db->tok, 4096);
    }
    rc = eaf__tokenize(db->tok, EAF__TOK_DOC | EAF__TOK_NOSTEM, typed, strlen(typed),
                       add_typed, &c);
    if (rc < 0 && c.st == EAF_OK)
        nomem(&c);
    if (c.st != EAF_OK) {
        st = c.st;
        goto done;
    }
    st = EAF_OK;
    if (c.nw == 0)
        goto done;
    /* the last word is still being typed when nothing follows it */
    if ((size_t)c.w[c.nw - 1].end == strlen(typed) && prefix_ok(c.w[c.nw - 1].folded)) {
        c.prefix = c.w[c.nw - 1].folded;
        c.nprefix = strlen(c.prefix);
    }
    for (i = 0; i < (size_t)c.nw; i++) {
        if (i + 1 == (size_t)c.nw && c.prefix)
            break;
        rc = eaf__tokenize(db->tok, EAF__TOK_QUERY, c.w[i].folded, strlen(c.w[i].folded),
                           keep_stem, &c.w[i].stem);
        if (rc < 0) {
            nomem(&c);
            st = c.st;
            goto done;
        }
    }
    q = title_query(&c);
    if (!q) {
        nomem(&c);
        st = c.st;
        goto done;
    }
    so.limit = MAX_TITLES;
    so.flags = EAF_SEARCH_NO_FALLBACK | EAF_SEARCH_NO_ALIASES;
    st = eaf_search_new(&s, db, q, &so);
    if (st != EAF_OK)
        goto done;
    hits = eaf__calloc(MAX_TITLES, sizeof *hits);
    if (!hits) {
        nomem(&c);
        st = c.st;
        goto done;
    }
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        const char *title = eaf_search_field(s, EAF_FIELD_TITLE);
        const char *key = eaf_search_field(s, EAF_FIELD_KEY);

        if (!title || !*title || !key || nhits == MAX_TITLES)
            continue;
        rc = title_matches(&c, title);
        if (rc < 0)
            nomem(&c);
        if (rc <= 0) {
            if (c.st != EAF_OK)
                break;
            continue;
        }
        hits[nhits].title = eaf__strdup(title);
        hits[nhits].key = eaf__strdup(key);
        nhits++;
        if (!hits[nhits - 1].title || !hits[nhits - 1].key) {
            nomem(&c);
            break;
        }
        if (c.prefix) {
            c.title = hits[nhits - 1].title;
            c.title_i = nhits - 1;
            if (eaf__tokenize(db->tok, EAF__TOK_DOC | EAF__TOK_NOSTEM, c.title,
                              strlen(c.title), add_title_word, &c) < 0 && c.st == EAF_OK)
                nomem(&c);
            if (c.st != EAF_OK)
                break;
        }
    }
    if (c.st != EAF_OK) {
        st = c.st;
        goto done;
    }
    if (st != EAF_DONE)
        goto done;
    st = EAF_OK;

    /* words first (at most half when titles follow), then titles */
    if (c.nwords > 1)
        qsort(c.words, c.nwords, sizeof *c.words, cmp_words);
    want_words = nhits > 0 ? (max + 1) / 2 : max;
    for (i = 0; i < c.nwords && shown_words < want_words; i++) {
        const typed_word *last = &c.w[c.nw - 1];
        eaf__buf t = EAF__BUF_INIT;

        /* the word as typed completes nothing */
        if (strcmp(c.words[i].folded, c.prefix) == 0)
            continue;
        eaf__buf_append(&t, typed, (size_t)last->start);
        eaf__buf_puts(&t, c.words[i].written);
        if (t.rc != EAF_OK) {
            eaf__buf_free(&t);
            nomem(&c);
            st = c.st;
            goto done;
        }
        text = eaf__buf_detach(&t);
        rc = fn(text, EAF_COMPLETE_WORDS, c.words[i].count, NULL, payload);
        eaf__free(text);
        text = NULL;
        if (rc != 0) {
            st = eaf__db_error(db, EAF_ABORT, "stopped by the callback");
            goto done;
        }
        shown_words++;
    }
    for (i = 0; i < nhits && shown_words + i < max; i++) {
        if (fn(hits[i].title, EAF_COMPLETE_TITLE, 0, hits[i].key, payload) != 0) {
            st = eaf__db_error(db, EAF_ABORT, "stopped by the callback");
            goto done;
        }
    }

done:
    eaf_search_free(s);
    for (i = 0; i < nhits; i++) {
        eaf__free(hits[i].title);
        eaf__free(hits[i].key);
    }
    eaf__free(hits);
    for (i = 0; i < c.nwords; i++) {
        eaf__free(c.words[i].folded);
        eaf__free(c.words[i].written);
    }
    eaf__free(c.words);
    for (i = 0; i < (size_t)c.nw; i++) {
        eaf__free(c.w[i].folded);
        eaf__free(c.w[i].stem);
    }
    eaf__free(q);
    return st;
}
