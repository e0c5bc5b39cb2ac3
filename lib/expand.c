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
 * Places: a word or phrase that names a country or region (Japan, "South
 * Korea") becomes the OR of itself and the place's other forms (Japanese;
 * South Korean, ROK), which rank.c weighs less.
 */
#include "search.h"
#include "lexicon.h"
#include "tokenize.h"

#include <stdio.h>
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
    eaf_search *s;
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
        return eaf__db_error(x->s->db, EAF_NOMEM, "out of memory");
    if (t.count != 1)
        return EAF_OK; /* a prefix phrase (US-Ja*): left to FTS5 */
    snprintf(hi, sizeof(hi), "%s\xf4\x8f\xbf\xbf", t.text);
    kids = eaf__malloc(EAF__PREFIX_CAP * sizeof(*kids));
    if (!kids)
        return eaf__db_error(x->s->db, EAF_NOMEM, "out of memory");
    sqlite3_reset(x->terms);
    sqlite3_bind_text(x->terms, 1, t.text, -1, SQLITE_STATIC);
    sqlite3_bind_text(x->terms, 2, hi, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(x->terms)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(x->terms, 0);
        total++;
        if (nkids < EAF__PREFIX_CAP && term) {
            kids[nkids] = eaf__query_make_term(x->s->q, EAF__Q_TERM, EAF__RAW_TERM, term,
                                               n->cols);
            if (!kids[nkids]) {
                st = eaf__db_error(x->s->db, EAF_NOMEM, "out of memory");
                break;
            }
            nkids++;
        }
    }
    sqlite3_reset(x->terms);
    if (st == EAF_OK && rc != SQLITE_DONE)
        st = eaf__db_sqlerr(x->s->db, rc, "expanding a prefix");
    if (st == EAF_OK && total > EAF__PREFIX_CAP) {
        or_node = eaf__query_combine(x->s->q, EAF__Q_OR, kids, nkids);
        note = eaf__printf("prefix: %.*s* starts %zu terms: the %zu in the most articles are"
                           " searched",
                           (int)n->len, n->text, total, nkids);
        if (!or_node || !note || eaf__strvec_push(&x->s->expanded, note) != EAF_OK) {
            eaf__free(note);
            st = eaf__db_error(x->s->db, EAF_NOMEM, "out of memory");
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

eaf_status eaf__expand_prefixes(eaf_search *s)
{
    eaf__qnode **root = eaf__query_root_slot(s->q);
    expander x;
    eaf_status st;
    int rc;

    if (!has_prefix(*root))
        return EAF_OK;
    memset(&x, 0, sizeof(x));
    x.s = s;
    st = eaf__db_vocab(s->db);
    if (st != EAF_OK)
        return st;
    rc = sqlite3_prepare_v2(s->db->sql,
                            "SELECT term FROM temp.eaf_vocab_row WHERE term >= ?1"
                            " AND term <= ?2 ORDER BY doc DESC, term",
                            -1, &x.terms, NULL);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(s->db, rc, "expanding a prefix");
    st = eaf__tokenizer_new(&x.tok, s->db->language);
    if (st == EAF_OK)
        st = walk(&x, root);
    else
        st = eaf__db_error(s->db, st, "out of memory");
    eaf__tokenizer_free(x.tok);
    sqlite3_finalize(x.terms);
    return st;
}

/* ---- places: a country also finds its adjective and demonym ------------- */

/* Replaces a word or phrase naming a place by the OR of it and the place's
 * other forms (marked EAF__ALIAS_TERM, ranked lower). */
static eaf_status alias_node(eaf_search *s, eaf__qnode **slot)
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
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    forms = eaf__place_forms(folded, strlen(folded));
    kids[nkids++] = n;
    for (p = forms; p && *p && nkids < EAF__ARRAY_LEN(kids);) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        char form[64];

        if (len < sizeof(form) && !(len == strlen(folded) && memcmp(p, folded, len) == 0)) {
            memcpy(form, p, len);
            form[len] = '\0';
            kids[nkids] = eaf__query_make_term(s->q,
                                               strchr(form, ' ') ? EAF__Q_PHRASE : EAF__Q_TERM,
                                               EAF__ALIAS_TERM, form, n->cols);
            if (!kids[nkids]) {
                eaf__free(folded);
                return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
            }
            nkids++;
        }
        p = bar ? bar + 1 : p + len;
    }
    eaf__free(folded);
    if (nkids == 1)
        return EAF_OK;
    or_node = eaf__query_combine(s->q, EAF__Q_OR, kids, nkids);
    if (!or_node)
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    *slot = or_node;
    return EAF_OK;
}

static eaf_status walk_places(eaf_search *s, eaf__qnode **slot)
{
    eaf__qnode *n = *slot;
    size_t i;
    eaf_status st = EAF_OK;

    if (!n)
        return EAF_OK;
    switch (n->kind) {
    case EAF__Q_TERM: case EAF__Q_PHRASE:
        return alias_node(s, slot);
    case EAF__Q_AND: case EAF__Q_OR: case EAF__Q_NOT:
        for (i = 0; i < n->nkids && st == EAF_OK; i++)
            st = walk_places(s, &n->kids[i]);
        return st;
    default: /* NEAR keeps its words; exact values and dates have none */
        return EAF_OK;
    }
}

eaf_status eaf__expand_places(eaf_search *s)
{
    return walk_places(s, eaf__query_root_slot(s->q));
}
