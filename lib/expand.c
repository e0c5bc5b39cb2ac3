/*
 * expand.c: capping prefix queries.
 *
 * FTS5 matches a prefix against every indexed term that starts with it.
 * A short prefix in a large index can start tens of thousands of terms,
 * and merging all their postings makes one query slow for everyone.  A
 * prefix that starts more than EAF__PREFIX_CAP terms is therefore replaced
 * by the OR of the EAF__PREFIX_CAP terms found in the most articles, each
 * written as a raw index term (EAF__RAW_TERM) so that it is not stemmed
 * again.  A prefix under the cap is left to FTS5, which gives the same
 * result.  eaf_search_explain() lists what was capped.
 *
 * One CJK character: a word of one Chinese, Japanese or Korean character
 * becomes the OR of its prefix and the indexed bigrams that end with it
 * (see below).
 *
 * Places: a word or phrase that names a country or region (Japan, "South
 * Korea") becomes the OR of itself and the place's other forms (Japanese;
 * South Korean, ROK), which rank.c weighs less.
 *
 * Synthetic tokens: last, the phrases are written in the grams and place
 * forms an index of schema 6 holds (below).
 */
#include "plan.h"
#include "shard.h"
#include "lexicon.h"
#include "tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct one_token {
    char text[EAF__TOKEN_MAX + 1];
    int count;
} one_token;

static int keep_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    one_token *t = ctx;

    (void)start;
    (void)end;
    if (t->count++ == 0) {
        memcpy(t->text, tok, (size_t)ntok);
        t->text[ntok] = '\0';
    }
    return 0;
}

typedef struct expander {
    eaf__plan *p;
    eaf_db *db;
    eaf__tokenizer *tok;
    sqlite3_stmt *terms;
} expander;

/* Rewrites the prefix term in *slot when it starts too many terms. */
static eaf_status expand_term(expander *x, eaf__qnode **slot)
{
    eaf__qnode *n = *slot, **kids = NULL, *or_node;
    one_token t = {"", 0};
    char hi[EAF__TOKEN_MAX + 8];
    size_t nkids = 0, total = 0;
    char *note;
    int rc;
    eaf_status st = EAF_OK;

    if (eaf__tokenize(x->tok, EAF__TOK_QUERY | EAF__TOK_PREFIX, n->text, n->len,
                      keep_token, &t) < 0)
        return eaf__db_error(x->db, EAF_NOMEM, "out of memory");
    if (t.count != 1)
        return EAF_OK; /* a prefix phrase (US-Ja*): left to FTS5 */
    snprintf(hi, sizeof(hi), "%s\xf4\x8f\xbf\xbf", t.text);
    kids = eaf__malloc(EAF__PREFIX_CAP * sizeof(*kids));
    if (!kids)
        return eaf__db_error(x->db, EAF_NOMEM, "out of memory");
    sqlite3_reset(x->terms);
    sqlite3_bind_text(x->terms, 1, t.text, -1, SQLITE_STATIC);
    sqlite3_bind_text(x->terms, 2, hi, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(x->terms)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(x->terms, 0);
        if (term && eaf__token_is_synthetic(term, strlen(term)))
            continue;
        total++;
        if (nkids < EAF__PREFIX_CAP && term) {
            kids[nkids] = eaf__query_make_term(x->p->q, EAF__Q_TERM, EAF__RAW_TERM, term,
                                               n->cols);
            if (!kids[nkids]) {
                st = eaf__db_error(x->db, EAF_NOMEM, "out of memory");
                break;
            }
            nkids++;
        }
    }
    sqlite3_reset(x->terms);
    if (st == EAF_OK && rc != SQLITE_DONE)
        st = eaf__db_sqlerr(x->db, rc, "expanding a prefix");
    if (st == EAF_OK && total > EAF__PREFIX_CAP) {
        or_node = eaf__query_combine(x->p->q, EAF__Q_OR, kids, nkids);
        note = eaf__printf("prefix: %.*s* starts %zu terms: the %zu in the most articles are"
                           " searched",
                           (int)n->len, n->text, total, nkids);
        if (!or_node || !note || eaf__strvec_push(&x->p->expanded, note) != EAF_OK) {
            eaf__free(note);
            st = eaf__db_error(x->db, EAF_NOMEM, "out of memory");
        } else {
            *slot = or_node;
        }
    }
    eaf__free(kids);
    return st;
}

static eaf_status walk(expander *x, eaf__qnode **slot)
{
    eaf__qnode *n = *slot;
    size_t i;
    eaf_status st = EAF_OK;

    if (!n)
        return EAF_OK;
    if (n->kind == EAF__Q_TERM && n->prefix)
        return expand_term(x, slot);
    if (n->kind == EAF__Q_AND || n->kind == EAF__Q_OR || n->kind == EAF__Q_NOT)
        for (i = 0; i < n->nkids && st == EAF_OK; i++)
            st = walk(x, &n->kids[i]);
    return st;
}

static int has_prefix(const eaf__qnode *n)
{
    size_t i;

    if (!n)
        return 0;
    if (n->kind == EAF__Q_TERM)
        return n->prefix;
    for (i = 0; i < n->nkids; i++)
        if (has_prefix(n->kids[i]))
            return 1;
    return 0;
}

eaf_status eaf__pass_prefixes(eaf__plan *p, eaf_db *db)
{
    eaf__qnode **root = eaf__query_root_slot(p->q);
    expander x;
    eaf_status st;
    int rc;

    if (!has_prefix(*root))
        return EAF_OK;
    memset(&x, 0, sizeof(x));
    x.p = p;
    x.db = db;
    st = eaf__db_vocab(db);
    if (st != EAF_OK)
        return st;
    /* (a shard set's vocabulary has a row per shard: shard.h) */
    rc = sqlite3_prepare_v2(db->sql,
                            EAF__IS_MEMBER(db)
                                ? "SELECT term FROM temp.eaf_vocab_row WHERE term >= ?1"
                                  " AND term <= ?2 GROUP BY term ORDER BY sum(doc) DESC, term"
                                : "SELECT term FROM temp.eaf_vocab_row WHERE term >= ?1"
                                  " AND term <= ?2 ORDER BY doc DESC, term",
                            -1, &x.terms, NULL);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "expanding a prefix");
    st = eaf__tokenizer_new(&x.tok, db->language);
    if (st == EAF_OK)
        st = walk(&x, root);
    else
        st = eaf__db_error(db, st, "out of memory");
    eaf__tokenizer_free(x.tok);
    sqlite3_finalize(x.terms);
    return st;
}

/* ---- one CJK character ------------------------------------------------------ */

/*
 * The tokenizer indexes a run of Chinese, Japanese or Korean characters as
 * its overlapping bigrams (a lone character as itself), so a query of one
 * character, a term of its own, matched only the lone ones: "本" found
 * nothing in "日本経済".  Such a word becomes the OR of what holds the
 * character: the FTS5 prefix of the character (the bigrams it starts, and
 * the character alone; written as a raw term, and made after the prefixes
 * are capped, so that it stays whole) and the bigrams it ends, which the
 * vocabulary gives: a pass over the terms of the CJK blocks, U+1100 on
 * (few in an archive written in English; a fraction of a second for the
 * million bigrams of a large CJK archive).  At most CJK_CAP of those are
 * searched, those in the most articles, and eaf_search_explain() says so.
 * All of them are one word of the query for the ranking (raw terms in a
 * row are one group, query_fts.c).
 */

/* The most bigrams ending with the character that are searched. */
#define CJK_CAP 1000

typedef struct cjk_term {
    char *text;
    sqlite3_int64 docs;
} cjk_term;

/* The length of the UTF-8 character at s, from its first byte, or 0. */
static size_t char_len(const unsigned char *s)
{
    return s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
           : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
}

/* Is the text of a word or phrase one CJK character, as the tokenizer
 * sees it?  Then c receives the character's folded form.  The tokenizer
 * decides: the text is one token of one character, and three of that
 * character in a row make two tokens (two bigrams, where the letters of a
 * word would make one word). */
static int one_cjk_char(eaf__tokenizer *t, const eaf__qnode *n, char c[8])
{
    one_token p;
    char three[24];
    size_t len;

    if (!n->text || n->len == 0 || n->text[0] == EAF__RAW_TERM ||
        n->text[0] == EAF__ALIAS_TERM || n->text[0] == EAF__FEEDBACK_TERM)
        return 0;
    memset(&p, 0, sizeof(p));
    if (eaf__tokenize(t, EAF__TOK_QUERY | EAF__TOK_NOSTEM, n->text, n->len, keep_token,
                      &p) < 0 || p.count != 1)
        return 0;
    len = char_len((const unsigned char *)p.text);
    if (len < 3 || len >= 8 || p.text[len] != '\0')
        return 0;
    memcpy(c, p.text, len + 1);
    memcpy(three, c, len);
    memcpy(three + len, c, len);
    memcpy(three + 2 * len, c, len);
    memset(&p, 0, sizeof(p));
    if (eaf__tokenize(t, EAF__TOK_QUERY | EAF__TOK_NOSTEM, three, 3 * len, keep_token,
                      &p) < 0)
        return 0;
    return p.count == 2;
}

static int by_docs(const void *a, const void *b)
{
    const cjk_term *x = a, *y = b;

    if (x->docs != y->docs)
        return x->docs > y->docs ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* The bigrams that end with c (len bytes), but cc (which starts with it),
 * from the rows of the statement over the CJK blocks. */
static eaf_status bigrams_ending(eaf_db *db, sqlite3_stmt *st, const char *c, size_t len,
                                 cjk_term **v, size_t *n)
{
    size_t cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(st, 0);
        size_t tl = (size_t)sqlite3_column_bytes(st, 0), first;

        if (!term || eaf__token_is_synthetic(term, tl) || tl != len + (first = char_len((const unsigned char *)term)) ||
            first == 0 || memcmp(term + first, c, len) != 0 || memcmp(term, c, len) == 0)
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            cjk_term *nv = eaf__realloc(*v, nc * sizeof(*nv));
            if (!nv)
                return eaf__db_error(db, EAF_NOMEM, "out of memory");
            *v = nv;
            cap = nc;
        }
        (*v)[*n].text = eaf__strndup(term, tl);
        (*v)[*n].docs = sqlite3_column_int64(st, 1);
        if (!(*v)[*n].text)
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        (*n)++;
    }
    return rc == SQLITE_DONE ? EAF_OK : eaf__db_sqlerr(db, rc, "reading the vocabulary");
}

/* Rewrites the one-character word in *slot as the OR of its prefix and
 * the bigrams it ends. */
static eaf_status expand_cjk_node(eaf__plan *p, eaf_db *db, sqlite3_stmt *cjk_terms,
                                  eaf__qnode **slot, const char *c)
{
    eaf__qnode *n = *slot, **kids = NULL, *or_node = NULL;
    cjk_term *v = NULL;
    size_t nv = 0, i, keep;
    char *note = NULL;
    eaf_status st;

    st = bigrams_ending(db, cjk_terms, c, strlen(c), &v, &nv);
    sqlite3_reset(cjk_terms);
    if (st == EAF_OK) {
        if (nv > 1) /* (v may be NULL when there is none) */
            qsort(v, nv, sizeof(*v), by_docs);
        keep = nv > CJK_CAP ? CJK_CAP : nv;
        kids = eaf__malloc((keep + 1) * sizeof(*kids));
        if (kids && (kids[0] = eaf__query_make_term(p->q, EAF__Q_TERM, EAF__RAW_TERM, c,
                                                    n->cols)) != NULL) {
            kids[0]->prefix = 1;
            for (i = 0; i < keep; i++)
                if (!(kids[i + 1] = eaf__query_make_term(p->q, EAF__Q_TERM, EAF__RAW_TERM,
                                                         v[i].text, n->cols)))
                    break;
            if (i == keep)
                or_node = eaf__query_combine(p->q, EAF__Q_OR, kids, keep + 1);
        }
        if (nv > keep)
            note = eaf__printf("cjk: %s is searched as %s* and the bigrams that end with it:"
                               " %zu of them, the %zu in the most articles", c, c, nv, keep);
        else
            note = eaf__printf("cjk: %s is searched as %s* and the %zu bigram%s that end%s"
                               " with it", c, c, nv, nv == 1 ? "" : "s", nv == 1 ? "s" : "");
        if (!or_node || !note || eaf__strvec_push(&p->expanded, note) != EAF_OK) {
            eaf__free(note);
            st = eaf__db_error(db, EAF_NOMEM, "out of memory");
        } else {
            *slot = or_node;
        }
    }
    for (i = 0; i < nv; i++)
        eaf__free(v[i].text);
    eaf__free(v);
    eaf__free(kids);
    return st;
}

typedef struct cjk_walk {
    eaf__plan *p;
    eaf_db *db;
    eaf__tokenizer *tok;
    sqlite3_stmt *terms;     /* the terms of the CJK blocks */
} cjk_walk;

static eaf_status walk_cjk(cjk_walk *w, eaf__qnode **slot)
{
    eaf__qnode *n = *slot;
    char c[8];
    size_t i;
    eaf_status st = EAF_OK;

    if (!n)
        return EAF_OK;
    switch (n->kind) {
    case EAF__Q_TERM: case EAF__Q_PHRASE:
        if ((n->kind == EAF__Q_TERM && n->prefix) || !one_cjk_char(w->tok, n, c))
            return EAF_OK;
        if (!w->terms) {
            int rc;
            st = eaf__db_vocab(w->db);
            if (st != EAF_OK)
                return st;
            rc = sqlite3_prepare_v2(w->db->sql,
                                    EAF__IS_MEMBER(w->db)
                                        ? "SELECT term, sum(doc) FROM temp.eaf_vocab_row WHERE"
                                          " term >= '\xe1\x84\x80' AND term <= '\xf4\x8f\xbf\xbf'"
                                          " GROUP BY term"
                                        : "SELECT term, doc FROM temp.eaf_vocab_row WHERE"
                                          " term >= '\xe1\x84\x80' AND term <= '\xf4\x8f\xbf\xbf'",
                                    -1, &w->terms, NULL);
            if (rc != SQLITE_OK)
                return eaf__db_sqlerr(w->db, rc, "reading the vocabulary");
        }
        return expand_cjk_node(w->p, w->db, w->terms, slot, c);
    case EAF__Q_AND: case EAF__Q_OR: case EAF__Q_NOT:
        for (i = 0; i < n->nkids && st == EAF_OK; i++)
            st = walk_cjk(w, &n->kids[i]);
        return st;
    default: /* NEAR keeps its words as they are */
        return EAF_OK;
    }
}

eaf_status eaf__pass_cjk(eaf__plan *p, eaf_db *db)
{
    cjk_walk w;
    eaf_status st;

    memset(&w, 0, sizeof(w));
    w.p = p;
    w.db = db;
    if (!*eaf__query_root_slot(p->q))
        return EAF_OK;
    st = eaf__tokenizer_new(&w.tok, NULL);
    if (st != EAF_OK)
        return eaf__db_error(db, st, "out of memory");
    st = walk_cjk(&w, eaf__query_root_slot(p->q));
    eaf__tokenizer_free(w.tok);
    sqlite3_finalize(w.terms);
    return st;
}

/* ---- places: a country also finds its adjective and demonym ------------- */

/* Replaces a word or phrase naming a place by the OR of it and the place's
 * other forms (marked EAF__ALIAS_TERM, ranked lower). */
static eaf_status alias_node(eaf__plan *plan, eaf_db *db, eaf__qnode **slot)
{
    eaf__qnode *n = *slot, *kids[16], *or_node;
    const char *forms, *p;
    char *folded;
    size_t nkids = 0;

    if (!n->text || n->len == 0 || n->text[0] == EAF__RAW_TERM ||
        n->text[0] == EAF__ALIAS_TERM || (n->kind == EAF__Q_TERM && n->prefix))
        return EAF_OK;
    folded = eaf__fold_value(n->text, n->len);
    if (!folded)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    forms = eaf__place_forms(folded, strlen(folded));
    kids[nkids++] = n;
    for (p = forms; p && *p && nkids < EAF__ARRAY_LEN(kids);) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        char form[64];

        if (len < sizeof(form) && !(len == strlen(folded) && memcmp(p, folded, len) == 0)) {
            memcpy(form, p, len);
            form[len] = '\0';
            kids[nkids] = eaf__query_make_term(plan->q,
                                               strchr(form, ' ') ? EAF__Q_PHRASE : EAF__Q_TERM,
                                               EAF__ALIAS_TERM, form, n->cols);
            if (!kids[nkids]) {
                eaf__free(folded);
                return eaf__db_error(db, EAF_NOMEM, "out of memory");
            }
            nkids++;
        }
        p = bar ? bar + 1 : p + len;
    }
    eaf__free(folded);
    if (nkids == 1)
        return EAF_OK;
    or_node = eaf__query_combine(plan->q, EAF__Q_OR, kids, nkids);
    if (!or_node)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    *slot = or_node;
    return EAF_OK;
}

static eaf_status walk_places(eaf__plan *p, eaf_db *db, eaf__qnode **slot)
{
    eaf__qnode *n = *slot;
    size_t i;
    eaf_status st = EAF_OK;

    if (!n)
        return EAF_OK;
    switch (n->kind) {
    case EAF__Q_TERM: case EAF__Q_PHRASE:
        return alias_node(p, db, slot);
    case EAF__Q_AND: case EAF__Q_OR: case EAF__Q_NOT:
        for (i = 0; i < n->nkids && st == EAF_OK; i++)
            st = walk_places(p, db, &n->kids[i]);
        return st;
    default: /* NEAR keeps its words; exact values and dates have none */
        return EAF_OK;
    }
}

/* ---- phrases in synthetic tokens ---------------------------------------------- */

/*
 * An index of schema 6 holds synthetic tokens (tokenize.h): a gram for
 * each pair of adjacent tokens one of which is a stopword's stem, and a
 * token at each word of a place's form of several words.  A phrase of k
 * words w0..wk-1 is then written as a phrase of k tokens, the i-th at the
 * i-th word's position: when the whole phrase is a form, its words'
 * tokens; else the gram of wi and wi+1 when they have one, else wi itself,
 * and last wk-1.  Each gram stands for
 * its two words, so the phrase occurs exactly where the words do, as
 * often, and its size (the title's coverage in rank.c, the highlight) is
 * the same; only its document lists are those of rare terms ("bank of
 * japan": the grams "bank of", "of japan" and japan, where FTS5 read the
 * positions of every article with "of").
 */

typedef struct stem_vec {
    char text[EAF__QUERY_MAX_BYTES];
    size_t off[EAF__QUERY_MAX_TERMS + 1], len[EAF__QUERY_MAX_TERMS + 1];
    size_t n, used;
    int over;
} stem_vec;

static int keep_stem(void *ctx, const char *tok, int ntok, int start, int end)
{
    stem_vec *v = ctx;

    (void)start;
    (void)end;
    if (v->n >= EAF__QUERY_MAX_TERMS || v->used + (size_t)ntok + 1 > sizeof(v->text)) {
        v->over = 1;
        return 1;
    }
    memcpy(v->text + v->used, tok, (size_t)ntok);
    v->off[v->n] = v->used;
    v->len[v->n++] = (size_t)ntok;
    v->used += (size_t)ntok + 1;
    v->text[v->used - 1] = ' ';
    return 0;
}

/* Appends one quoted string of the phrase: the marker, then the token
 * ('"' doubled, though no token holds one). */
static void put_synth_string(eaf__buf *b, int first, char marker, const char *tok, size_t n)
{
    size_t i;

    if (!first)
        eaf__buf_puts(b, " + ");
    eaf__buf_putc(b, '"');
    if (marker)
        eaf__buf_putc(b, marker);
    eaf__buf_putc(b, EAF__SYNTH_TERM);
    for (i = 0; i < n; i++) {
        if (tok[i] == '"')
            eaf__buf_putc(b, '"');
        eaf__buf_putc(b, tok[i]);
    }
    eaf__buf_putc(b, '"');
}

static eaf_status synth_node(eaf__plan *p, eaf_db *db, eaf__tokenizer *t, stem_vec *v,
                             eaf__qnode *n)
{
    char tok[EAF__TOKEN_MAX + 1];
    char marker = 0;
    const char *text = n->text;
    size_t len = n->len, i, tl;
    int used = 0, form;
    eaf__buf b = EAF__BUF_INIT;

    if (!text || len == 0 || (n->kind == EAF__Q_TERM && n->prefix) ||
        text[0] == EAF__RAW_TERM || text[0] == EAF__FEEDBACK_TERM ||
        text[0] == EAF__SYNTH_TERM)
        return EAF_OK;
    if (text[0] == EAF__ALIAS_TERM) {
        marker = EAF__ALIAS_TERM; /* a place's other form: it stays one */
        text++;
        len--;
    }
    v->n = v->used = 0;
    v->over = 0;
    if (eaf__tokenize(t, EAF__TOK_QUERY, text, len, keep_stem, v) < 0)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (v->over || v->n < 2)
        return EAF_OK;
    /* the whole phrase a place's form: its words' tokens */
    form = eaf__synth_form(db->synth, v->text, v->used - 1, 1, tok) > 0;
    for (i = 0; form && i < v->n; i++) {
        tl = eaf__synth_form(db->synth, v->text, v->used - 1, (int)i + 1, tok);
        put_synth_string(&b, i == 0, i == 0 ? marker : 0, tok, tl);
        used = 1;
    }
    for (i = 0; !form && i < v->n; i++) {
        const char *w = v->text + v->off[i];
        size_t wl = v->len[i];

        tl = 0;
        if (i + 1 < v->n && (eaf__synth_common(db->synth, w, wl) ||
                             eaf__synth_common(db->synth, v->text + v->off[i + 1],
                                               v->len[i + 1])))
            tl = eaf__synth_gram(w, wl, v->text + v->off[i + 1], v->len[i + 1], tok);
        if (tl) {
            put_synth_string(&b, i == 0, i == 0 ? marker : 0, tok, tl);
            used = 1;
        } else {
            put_synth_string(&b, i == 0, i == 0 ? marker : 0, w, wl);
        }
    }
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    if (used) {
        char *s = eaf__query_strdup(p->q, b.p, b.n);
        if (!s) {
            eaf__buf_free(&b);
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        }
        n->fts = s;
    }
    eaf__buf_free(&b);
    return EAF_OK;
}

static eaf_status walk_synth(eaf__plan *p, eaf_db *db, eaf__tokenizer *t, stem_vec *v,
                             eaf__qnode *n)
{
    size_t i;
    eaf_status st = EAF_OK;

    if (!n)
        return EAF_OK;
    switch (n->kind) {
    case EAF__Q_TERM: case EAF__Q_PHRASE:
        return synth_node(p, db, t, v, n);
    case EAF__Q_AND: case EAF__Q_OR: case EAF__Q_NOT:
        for (i = 0; i < n->nkids && st == EAF_OK; i++)
            st = walk_synth(p, db, t, v, n->kids[i]);
        return st;
    default: /* NEAR keeps its words as they are */
        return EAF_OK;
    }
}

/* Does the index hold the synthetic tokens?  Schema 6 on; an older index
 * open read-only has none. */
static int has_synth(const eaf_db *db)
{
    return db->schema_version >= 6;
}

static eaf_status pass_synth(eaf__plan *p, eaf_db *db)
{
    eaf__tokenizer *t = NULL;
    stem_vec *v;
    eaf_status st;

    if (!has_synth(db) || !*eaf__query_root_slot(p->q))
        return EAF_OK;
    if (!db->synth) {
        st = eaf__synth_new(&db->synth, db->language);
        if (st != EAF_OK)
            return eaf__db_error(db, st, "out of memory");
    }
    v = eaf__malloc(sizeof(*v));
    st = v ? eaf__tokenizer_new(&t, db->language) : EAF_NOMEM;
    if (st != EAF_OK) {
        eaf__free(v);
        return eaf__db_error(db, st, "out of memory");
    }
    st = walk_synth(p, db, t, v, *eaf__query_root_slot(p->q));
    eaf__tokenizer_free(t);
    eaf__free(v);
    return st;
}

eaf_status eaf__pass_places(eaf__plan *p, eaf_db *db)
{
    eaf_status st = EAF_OK;

    if (!(p->flags & EAF_SEARCH_NO_ALIASES))
        st = walk_places(p, db, eaf__query_root_slot(p->q));
    /* the last pass on the tree: its phrases in synthetic tokens */
    if (st == EAF_OK)
        st = pass_synth(p, db);
    return st;
}
