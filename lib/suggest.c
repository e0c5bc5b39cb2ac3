/*
 * suggest.c: "did you mean", from the words the articles contain.
 *
 * The index holds stems (the fts5vocab tables), but a suggestion is a word
 * as the articles write it, chosen by its distance to the word as typed:
 *
 * 1. A word of the query (outside exclusions; not a prefix) is checked only
 *    when its stem is in no article: a word the index has is never
 *    replaced.  Words of fewer than 3 letters, and numbers, are left alone.
 *
 * 2. The candidates are the spellings within edit distance 1 of the word,
 *    or 2 for a word of more than 5 letters (Damerau's distance, optimal
 *    string alignment: deletion, insertion, substitution or transposition
 *    of adjacent letters, anywhere in the word), both folded and unstemmed
 *    (case and accents ignored, as the search ignores them):
 *    - every string at distance 1 whose stem is in the index (the stems of
 *      all of them looked up in one statement);
 *    - when none of those is confirmed (3.) and distance 2 is allowed, from
 *      the indexed stems that start with the word's first two letters: the
 *      stem, or the stem less its last letter (happi: happy), followed by
 *      the rest of the word after a prefix within distance 2 of it, when
 *      that stems back to the same stem (elction: election); and the
 *      spellings read back (3.) of the NEAR_STEMS stems nearest the word
 *      (fewest errors against a prefix of it, not counting SUFFIX letters
 *      after), which also catches an error after the stem (accomodaton:
 *      accommodation).  A typo in the first two letters is found at
 *      distance 1 only.
 *
 * 3. A candidate is a word only if the articles write it.  The first
 *    SAMPLE instances of its stem (fts5vocab "instance": article, column,
 *    position) are read back from the articles' text, which says how the
 *    articles spell the stem and how often each spelling occurs; the
 *    frequency of a candidate seen there is the stem's number of articles
 *    times its share of the sample.  The stems of DEEP_STEMS candidates
 *    not seen that could still win are read further (DEEP instances): a
 *    spelling rarer than that among its stem's is dropped.
 *
 * 4. The nearest confirmed candidate wins; among equals, the most
 *    frequent.  It is written as the articles most often write it (their
 *    accents, their apostrophes) in the case of the typed word (lower,
 *    Capitalised or UPPER; as the articles write it for a mixed case), and
 *    replaces the typed word in the query, so that the suggestion is a
 *    query the user can run as it is.  An operator word (or, OR, AND, NOT,
 *    NEAR) is never suggested in a form the parser would read as one.
 *
 * The candidates are confirmed nearest and most frequent first, so reading
 * stops as soon as no other candidate can win, and after MAX_SAMPLED stems
 * per word and distance.  Each stem is looked up and read back once per
 * query.  On 123,000 Wikipedia sections a suggestion takes a few
 * milliseconds; the range of stems read for distance 2 takes up to some
 * tens of milliseconds (all stems that start with "th").
 *
 * Fields: a word right before a colon and a value, that is no field of the
 * language (autor:Marchetti, which the parser reads as the plain words),
 * is corrected to the closest field by the same distances
 * (author:Marchetti), whether or not the word occurs in articles, since the
 * colon says a field was meant; with no field close it is left as it is,
 * never replaced by another word, so no field that does not exist is ever
 * suggested.  The field names come from the parser (eaf__query_field_name).
 * A word before a colon with no value after it is a plain word.
 *
 * The suggestion is only offered: the search does not run it.
 */
#include "search.h"
#include "suggest_ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* ---- fields ------------------------------------------------------------- */

/* Is the TERM node at byte `at` of the query the name of a field the
 * parser does not know (autor:Marchetti reads as the words autor and
 * Marchetti)?  The parser reads a field as ASCII letters and a colon.
 * Returns 1 when a value follows the colon, 2 when none does, 0 when the
 * node is not before a colon. */
static int before_colon(const char *q, size_t qn, int at, const eaf__qnode *n)
{
    size_t i, end = (size_t)at + n->len;

    if (n->kind != EAF__Q_TERM || n->prefix || n->len == 0)
        return 0;
    for (i = 0; i < n->len; i++)
        if (!((n->text[i] >= 'a' && n->text[i] <= 'z') ||
              (n->text[i] >= 'A' && n->text[i] <= 'Z')))
            return 0;
    if (end >= qn || q[end] != ':')
        return 0;
    if (end + 1 >= qn || q[end + 1] == ' ' || q[end + 1] == '\t' || q[end + 1] == '\n' ||
        q[end + 1] == '\r' || q[end + 1] == '\f' || q[end + 1] == '\v' || q[end + 1] == ')')
        return 2;
    return 1;
}

/* The field closest to name[0..n) (ASCII letters), or NULL when it is a
 * field already or none is close. */
static const char *closest_field(const char *name, size_t n)
{
    int32_t a[MAX_WORD], b[MAX_WORD];
    const char *f, *best = NULL;
    int na = 0, nb, max, best_d, i, d;

    if (n < 3 || n > MAX_WORD)
        return NULL;
    for (i = 0; i < (int)n; i++)
        a[na++] = (name[i] >= 'A' && name[i] <= 'Z') ? name[i] - 'A' + 'a' : name[i];
    max = eaf__sugg_max_distance(na);
    best_d = max + 1;
    for (i = 0; (f = eaf__query_field_name((size_t)i)) != NULL; i++) {
        for (nb = 0; f[nb] && nb < MAX_WORD; nb++)
            b[nb] = (unsigned char)f[nb];
        d = eaf__sugg_distance(a, na, b, nb, max);
        if (d == 0)
            return NULL;
        if (d < best_d) { /* the first of equals, in the parser's order */
            best_d = d;
            best = f;
        }
    }
    return best;
}

/* ---- the query ---------------------------------------------------------- */

typedef struct qword {
    char text[EAF__TOKEN_MAX + 1];
    int start, end;          /* bytes within the node's text */
} qword;

typedef struct qwords {
    qword *v;
    size_t n, cap;
    int nomem;
} qwords;

static int collect(void *vctx, const char *tok, int ntok, int start, int end)
{
    qwords *w = vctx;

    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        qword *p = eaf__realloc(w->v, cap * sizeof(*p));
        if (!p) {
            w->nomem = 1;
            return 1;
        }
        w->v = p;
        w->cap = cap;
    }
    memcpy(w->v[w->n].text, tok, (size_t)ntok);
    w->v[w->n].text[ntok] = '\0';
    w->v[w->n].start = start;
    w->v[w->n].end = end;
    w->n++;
    return 0;
}

/* Collects the words to check: TERM and PHRASE nodes outside exclusions. */
static void leaves(const eaf__qnode *n, const eaf__qnode **out, size_t *k, size_t max)
{
    size_t i;

    if (!n || n->kind == EAF__Q_NOT)
        return;
    if ((n->kind == EAF__Q_TERM && !n->prefix) || n->kind == EAF__Q_PHRASE) {
        if (*k < max)
            out[(*k)++] = n;
        return;
    }
    for (i = 0; i < n->nkids; i++)
        leaves(n->kids[i], out, k, max);
}

static int add_repl(ctx *c, int start, int end, size_t text)
{
    void *p = eaf__sugg_grow(c, c->repls, c->nrepls, &c->caprepls, sizeof(*c->repls));

    if (!p)
        return -1;
    c->repls = p;
    c->repls[c->nrepls].start = start;
    c->repls[c->nrepls].end = end;
    c->repls[c->nrepls].text = text;
    c->nrepls++;
    return 0;
}

static int cmp_repl(const void *a, const void *b)
{
    const repl *x = a, *y = b;

    return x->start != y->start ? (x->start < y->start ? -1 : 1) : 0;
}

/* How a word is typed: 'l' in lower case (or with no letter of a case),
 * 'c' capitalised, 'u' in capitals (two letters or more), 0 otherwise. */
static int case_of(const char *typed, size_t n)
{
    size_t i = 0, len;
    int upper = 0, lower = 0, first_upper = -1;

    while (i < n) {
        int32_t cp = eaf__utf8_decode((const unsigned char *)typed + i, n - i, &len);
        if (cp >= 0) {
            utf8proc_category_t cat = utf8proc_category(cp);
            int up = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
            if (up)
                upper++;
            else if (cat == UTF8PROC_CATEGORY_LL)
                lower++;
            if (first_upper < 0 && (up || cat == UTF8PROC_CATEGORY_LL))
                first_upper = up;
        }
        i += len;
    }
    return upper == 0                       ? 'l'
           : lower == 0 && upper >= 2       ? 'u'
           : upper == 1 && first_upper == 1 ? 'c'
                                            : 0;
}

/* The words the query language reads as operators ("or" only between two
 * terms, but a suggestion never takes the risk). */
static int is_operator(const char *s)
{
    return strcmp(s, "OR") == 0 || strcmp(s, "or") == 0 || strcmp(s, "AND") == 0 ||
           strcmp(s, "NOT") == 0 || strcmp(s, "NEAR") == 0;
}

/* The spelling written (pool offset) in the case mode (case_of()): a new
 * pool offset, written itself for mode 0, or NONE when out of memory. */
static size_t in_case(ctx *c, size_t written, int mode)
{
    size_t i, len, at;

    if (!mode)
        return written;
    /* appended to the pool, which may move: the written form is read by
     * its offset */
    at = c->pool.n;
    for (i = 0; c->pool.rc == EAF_OK && STR(c, written)[i];) {
        const char *w = STR(c, written) + i;
        int32_t cp = eaf__utf8_decode((const unsigned char *)w, strlen(w), &len);
        char buf[4];

        if (cp < 0) {
            eaf__buf_append(&c->pool, w, len);
        } else {
            cp = mode == 'u' || (mode == 'c' && i == 0) ? utf8proc_toupper(cp)
                                                        : utf8proc_tolower(cp);
            eaf__buf_append(&c->pool, buf, eaf__utf8_encode(cp, buf));
        }
        i += len;
    }
    eaf__buf_putc(&c->pool, '\0');
    if (c->pool.rc != EAF_OK) {
        eaf__sugg_nomem(c);
        return NONE;
    }
    return at;
}

/* The spelling to show in place of typed[0..n): written (as the articles
 * write it, pool offset) in the case of the typed word, never an operator
 * word (OR, AND, NOT, NEAR: their lower case then); NONE for none (an "or"),
 * or when out of memory (then c->st is set). */
static size_t shown(ctx *c, const char *typed, size_t n, size_t written)
{
    size_t r = in_case(c, written, case_of(typed, n));

    if (r != NONE && is_operator(STR(c, r)))
        r = in_case(c, written, 'l');
    if (r != NONE && is_operator(STR(c, r)))
        r = NONE;
    return r;
}

/* The spelling to suggest for the folded word[0..n), computed once per
 * query; NONE for none, and sets *err on error. */
static size_t spelt(ctx *c, const char *word, size_t n, int *err)
{
    size_t i, r, at;
    void *p;

    *err = 0;
    for (i = 0; i < c->nmemos; i++) {
        const char *m = STR(c, c->memos[i].word);
        if (strncmp(m, word, n) == 0 && m[n] == '\0')
            return c->memos[i].spelt;
    }
    r = eaf__sugg_correct(c, word, n, err);
    if (*err)
        return NONE;
    at = eaf__sugg_pool_add(c, word, n);
    p = at == NONE ? NULL
                   : eaf__sugg_grow(c, c->memos, c->nmemos, &c->capmemos, sizeof(*c->memos));
    if (!p) {
        *err = -1;
        return NONE;
    }
    c->memos = p;
    c->memos[c->nmemos].word = at;
    c->memos[c->nmemos].spelt = r;
    c->nmemos++;
    return r;
}

/* Checks the words of one node, noting their replacements. */
static int check_node(ctx *c, const char *q, size_t qn, int at, const eaf__qnode *node)
{
    qwords w = {NULL, 0, 0, 0};
    size_t j;
    int colon = before_colon(q, qn, at, node), err = 0;

    /* name:value with an unknown name: a field, or nothing (a name with no
     * value after its colon is a plain word) */
    if (colon == 1) {
        const char *f = closest_field(node->text, node->len);
        size_t off;

        if (!f)
            return 0;
        off = eaf__sugg_pool_add(c, f, strlen(f));
        if (off == NONE)
            return -1;
        return add_repl(c, at, at + (int)node->len, off);
    }
    if (eaf__tokenize(c->t, EAF__TOK_QUERY, node->text, node->len, collect, &w) < 0 ||
        w.nomem) {
        eaf__free(w.v);
        return eaf__sugg_nomem(c);
    }
    for (j = 0; j < w.n && !err; j++) {
        size_t si = eaf__sugg_stem_get(c, w.v[j].text, strlen(w.v[j].text)), r;
        sqlite3_int64 df;
        one_token o;
        int rc;

        if (si == NONE) {
            err = -1;
            break;
        }
        df = eaf__sugg_stem_df(c, si);
        if (df < 0) {
            err = -1;
            break;
        }
        if (df > 0) /* in the index: never replaced */
            continue;
        /* the word folded, unstemmed */
        rc = eaf__sugg_one_word(c, EAF__TOK_QUERY | EAF__TOK_NOSTEM, node->text + w.v[j].start,
                                (size_t)(w.v[j].end - w.v[j].start), &o);
        if (rc < 0) {
            err = -1;
            break;
        }
        if (rc == 0)
            continue;
        r = spelt(c, o.text, (size_t)o.n, &err);
        if (!err && r != NONE) {
            /* the word as typed, less a possessive (Japn's: Japan's) */
            const char *typed = node->text + w.v[j].start;
            size_t n = eaf__sugg_without_possessive(typed, (size_t)(w.v[j].end - w.v[j].start));

            r = shown(c, typed, n, r);
            if (r != NONE)
                err = add_repl(c, at + w.v[j].start, at + w.v[j].start + (int)n, r);
            else if (c->st != EAF_OK)
                err = -1;
        }
    }
    eaf__free(w.v);
    return err;
}

/* ---- the common case: every word known ---------------------------------- */

typedef struct known {
    sqlite3_stmt *has;
    int missing;             /* a word is in no article */
    int rc;                  /* SQLite's failure, or SQLITE_OK */
} known;

static int check_known(void *vctx, const char *tok, int ntok, int start, int end)
{
    known *k = vctx;
    int rc;

    (void)start;
    (void)end;
    sqlite3_reset(k->has);
    sqlite3_bind_text(k->has, 1, tok, ntok, SQLITE_STATIC);
    rc = sqlite3_step(k->has);
    sqlite3_reset(k->has);
    if (rc == SQLITE_DONE)
        k->missing = 1;
    else if (rc != SQLITE_ROW)
        k->rc = rc;
    return rc != SQLITE_ROW;
}

/* Does no word of the query need a correction: every word's stem is in
 * some article, and no name before a colon and a value is close to a
 * field?  Then check_node() would replace nothing, and most queries are
 * such, so this asks only whether each stem has an instance (one cached
 * statement of the handle, which stops at the first) rather than making
 * the context of a correction and counting each stem's articles.  1 when
 * nothing is to be suggested, 0 when the full check must say, -1 on a
 * failure (recorded in *st). */
static int all_known(eaf_search *s, const eaf__qnode *const *nodes, size_t nn, const char *q,
                     size_t qn, eaf_status *st)
{
    eaf_db *db = s->db;
    known k = {NULL, 0, SQLITE_OK};
    size_t i;

    if (!db->tok) {
        if (eaf__tokenizer_new(&db->tok, db->language) != EAF_OK)
            return 0; /* (the full check says it) */
        eaf__tokenizer_cache_stems(db->tok, 4096);
    }
    if ((*st = eaf__db_vocab(db)) != EAF_OK)
        return -1;
    if (!(k.has = eaf__db_stmt(db, EAF__STMT_VOCAB_HAS))) {
        *st = eaf__db_status(db, sqlite3_errcode(db->sql));
        return -1;
    }
    for (i = 0; i < nn; i++) {
        int at = eaf__qnode_text_offset(s->plan->q, nodes[i]), colon;

        if (at < 0)
            continue;
        colon = before_colon(q, qn, at, nodes[i]);
        if (colon == 1) {
            if (closest_field(nodes[i]->text, nodes[i]->len))
                return 0;
            continue;
        }
        if (eaf__tokenize(db->tok, EAF__TOK_QUERY, nodes[i]->text, nodes[i]->len, check_known,
                          &k) < 0)
            return 0;
        if (k.rc != SQLITE_OK) {
            *st = eaf__db_sqlerr(db, k.rc, "reading the vocabulary");
            return -1;
        }
        if (k.missing)
            return 0;
    }
    return 1;
}

eaf_status eaf__suggest(eaf_search *s, char **out)
{
    const eaf__qnode *nodes[EAF__QUERY_MAX_TERMS];
    size_t nn = 0, i, copied = 0;
    const char *q = eaf__query_text(s->plan->q);
    size_t qn = strlen(q);
    eaf__buf b = EAF__BUF_INIT;
    eaf_status st;
    ctx c;

    *out = NULL;
    leaves(eaf__query_root(s->plan->q), nodes, &nn, EAF__ARRAY_LEN(nodes));
    if (nn == 0)
        return EAF_OK;
    switch (all_known(s, nodes, nn, q, qn, &st)) {
    case 1:
        return EAF_OK;
    case -1:
        return st;
    default:
        break;
    }
    st = eaf__sugg_ctx_open(&c, s->db);
    for (i = 0; i < nn && st == EAF_OK; i++) {
        int at = eaf__qnode_text_offset(s->plan->q, nodes[i]);

        if (at >= 0 && check_node(&c, q, qn, at, nodes[i]) < 0)
            st = c.st != EAF_OK ? c.st : eaf__db_error(s->db, EAF_ERROR, "suggesting");
    }
    if (st == EAF_OK && c.nrepls > 0) {
        /* the query with the words replaced, in the order they were typed
         * (the parser may have reordered its nodes) */
        qsort(c.repls, c.nrepls, sizeof(*c.repls), cmp_repl);
        for (i = 0; i < c.nrepls; i++) {
            const repl *r = &c.repls[i];
            if ((size_t)r->start < copied || (size_t)r->end > qn)
                continue;
            eaf__buf_append(&b, q + copied, (size_t)r->start - copied);
            eaf__buf_puts(&b, STR(&c, r->text));
            copied = (size_t)r->end;
        }
        eaf__buf_puts(&b, q + copied);
        if (b.rc != EAF_OK)
            st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        else
            *out = eaf__buf_detach(&b);
    }
    eaf__buf_free(&b);
    eaf__sugg_ctx_close(&c);
    return st;
}
