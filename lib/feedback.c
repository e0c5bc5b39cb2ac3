/*
 * feedback.c: pseudo-relevance feedback (EAF_SEARCH_FEEDBACK).
 *
 * The search is run once; the title and body of its best hits are read
 * and tokenized; each term is scored by its share of those texts (the sum
 * over the hits of its frequency divided by the hit's length) times its
 * inverse document frequency in the index; the best terms that the query
 * does not already have are added to its words as raw index terms
 * (EAF__FEEDBACK_TERM), weighed low by the ranking, and the search is
 * built again.  A rewrite pass like the others (plan.h), it reads the best
 * hits through the layer below it (hits.h), never through the cursor.
 * Only a search that matches any of the words (a question,
 * EAF_SEARCH_RANK_ALL) is expanded: adding words to an all-words search
 * would change what it matches, not only how it ranks.
 */
#include "hits.h"
#include "lexicon.h"
#include "tokenize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANDIDATES 60       /* terms whose document frequency is looked up */

typedef struct term_entry {
    char *term;
    double weight;
} term_entry;

typedef struct term_table {
    term_entry *slots;
    size_t cap, n;
    int nomem;
} term_table;

static term_entry *table_find(term_table *t, const char *s, size_t n, int add)
{
    size_t i;

    if (t->n * 2 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024, k;
        term_entry *slots = eaf__calloc(cap, sizeof(*slots));
        if (!slots) {
            t->nomem = 1;
            return NULL;
        }
        for (k = 0; k < t->cap; k++) {
            if (t->slots[k].term) {
                size_t j = eaf__hash_bytes(t->slots[k].term, strlen(t->slots[k].term)) & (cap - 1);
                while (slots[j].term)
                    j = (j + 1) & (cap - 1);
                slots[j] = t->slots[k];
            }
        }
        eaf__free(t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    for (i = eaf__hash_bytes(s, n) & (t->cap - 1); t->slots[i].term; i = (i + 1) & (t->cap - 1))
        if (strlen(t->slots[i].term) == n && memcmp(t->slots[i].term, s, n) == 0)
            return &t->slots[i];
    if (!add)
        return NULL;
    t->slots[i].term = eaf__strndup(s, n);
    if (!t->slots[i].term) {
        t->nomem = 1;
        return NULL;
    }
    t->slots[i].weight = 0.0;
    t->n++;
    return &t->slots[i];
}

static void table_free(term_table *t)
{
    size_t i;

    for (i = 0; i < t->cap; i++)
        eaf__free(t->slots[i].term);
    eaf__free(t->slots);
}

typedef struct doc_terms {
    term_table *counts;     /* this document's term counts */
    int length;
} doc_terms;

static int count_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    doc_terms *d = ctx;
    term_entry *e = table_find(d->counts, tok, (size_t)ntok, 1);

    (void)start;
    (void)end;
    if (!e)
        return 1;
    e->weight += 1.0;
    d->length++;
    return 0;
}

static int mark_query_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    (void)start;
    (void)end;
    return table_find(ctx, tok, (size_t)ntok, 1) ? 0 : 1;
}

/* The stems of the query's words, so that they are not added again. */
static void query_terms(eaf__tokenizer *t, const eaf__qnode *n, term_table *seen)
{
    size_t i;

    if (!n)
        return;
    if ((n->kind == EAF__Q_TERM || n->kind == EAF__Q_PHRASE) && n->text) {
        if (n->text[0] == EAF__RAW_TERM || n->text[0] == EAF__FEEDBACK_TERM)
            table_find(seen, n->text + 1, n->len - 1, 1);
        else
            eaf__tokenize(t, EAF__TOK_QUERY, n->text, n->len, mark_query_token, seen);
        return;
    }
    for (i = 0; i < n->nkids; i++)
        query_terms(t, n->kids[i], seen);
}

/* Is the term worth adding: letters, not too short, not a stopword? */
static int good_term(const char *language, const char *s)
{
    size_t n = strlen(s), i;
    int letters = 0;

    if (n < 3)
        return 0;
    for (i = 0; i < n; i++)
        if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '.')
            letters = 1;
    return letters && !eaf__is_stopword(language, s, n) &&
           !eaf__is_request_word(language, s, n);
}

static int by_weight(const void *x, const void *y)
{
    const term_entry *a = x, *b = y;

    if (a->weight != b->weight)
        return a->weight < b->weight ? 1 : -1;
    return strcmp(a->term, b->term);
}

/* Reads the best hits' texts into weights[term] += tf / length. */
static eaf_status read_hits(eaf_db *db, const eaf__compiled *c, const eaf__hits_sql *h,
                            eaf__tokenizer *t, unsigned docs, term_table *weights)
{
    sqlite3_stmt *text = NULL;
    int64_t *ids = NULL;
    size_t n = 0, k;
    eaf_status st;
    int rc;

    st = eaf__hits_top(db, c, h, docs, &ids, &n);
    if (st != EAF_OK)
        return st;
    rc = sqlite3_prepare_v2(db->sql, "SELECT title, body FROM article WHERE id = ?1", -1,
                            &text, NULL);
    for (k = 0; rc == SQLITE_OK && k < n; k++) {
        term_table counts = {NULL, 0, 0, 0};
        doc_terms d;
        size_t i;
        int col;

        d.counts = &counts;
        d.length = 0;
        sqlite3_reset(text);
        sqlite3_bind_int64(text, 1, ids[k]);
        if (sqlite3_step(text) == SQLITE_ROW) {
            for (col = 0; col < 2; col++) {
                const char *t_ = (const char *)sqlite3_column_text(text, col);
                if (t_)
                    eaf__tokenize(t, EAF__TOK_DOC, t_, (size_t)sqlite3_column_bytes(text, col),
                                  count_token, &d);
            }
        }
        for (i = 0; i < counts.cap && d.length > 0 && !counts.nomem; i++) {
            term_entry *e;
            if (!counts.slots[i].term)
                continue;
            e = table_find(weights, counts.slots[i].term, strlen(counts.slots[i].term), 1);
            if (e)
                e->weight += counts.slots[i].weight / d.length;
        }
        if (counts.nomem)
            weights->nomem = 1;
        table_free(&counts);
    }
    sqlite3_finalize(text);
    eaf__free(ids);
    if (weights->nomem)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "reading the best hits for feedback");
    return EAF_OK;
}

/* The slot of the OR of the query's words, or NULL. */
static eaf__qnode **words_slot(eaf__query *q)
{
    eaf__qnode **root = eaf__query_root_slot(q);
    size_t i;

    if (*root && (*root)->kind == EAF__Q_OR)
        return root;
    if (*root && (*root)->kind == EAF__Q_AND)
        for (i = 0; i < (*root)->nkids; i++)
            if ((*root)->kids[i]->kind == EAF__Q_OR)
                return &(*root)->kids[i];
    return NULL;
}

eaf_status eaf__pass_feedback(eaf__plan *p, eaf_db *db, const eaf__compiled *c,
                              const eaf__hits_sql *h)
{
    unsigned docs = p->feedback_docs, terms = p->feedback_terms;
    eaf__tokenizer *t = NULL;
    term_table weights = {NULL, 0, 0, 0}, seen = {NULL, 0, 0, 0};
    term_entry *cand = NULL;
    eaf__qnode **slot = words_slot(p->q), **kids = NULL;
    sqlite3_stmt *df = NULL;
    int64_t total = 0;
    size_t i, n = 0, nk = 0;
    eaf_status st;
    eaf__buf note = EAF__BUF_INIT;

    if (!slot || !p->question || terms == 0 || docs == 0)
        return EAF_OK;
    st = eaf__tokenizer_new(&t, db->language);
    if (st != EAF_OK)
        return eaf__db_error(db, st, "out of memory");
    st = read_hits(db, c, h, t, docs, &weights);
    query_terms(t, eaf__query_root(p->q), &seen);
    if (st == EAF_OK && seen.nomem)
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (st == EAF_OK && weights.n > 0) {
        cand = eaf__malloc(weights.n * sizeof(*cand));
        if (!cand)
            st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    for (i = 0; st == EAF_OK && i < weights.cap; i++) {
        term_entry *e = &weights.slots[i];
        if (e->term && good_term(db->language, e->term) &&
            !table_find(&seen, e->term, strlen(e->term), 0))
            cand[n++] = *e;
    }
    if (st == EAF_OK && n > 0) {
        int rc;
        qsort(cand, n, sizeof(*cand), by_weight);
        if (n > CANDIDATES)
            n = CANDIDATES;
        st = eaf__db_vocab(db);
        rc = st == EAF_OK ? sqlite3_prepare_v2(db->sql,
                                               "SELECT doc FROM temp.eaf_vocab_row WHERE term = ?1",
                                               -1, &df, NULL)
                          : SQLITE_OK;
        if (st == EAF_OK && rc != SQLITE_OK)
            st = eaf__db_sqlerr(db, rc, "feedback");
        if (st == EAF_OK)
            st = eaf_db_count(&total, db);
        for (i = 0; st == EAF_OK && i < n; i++) {
            sqlite3_int64 d = 0;
            sqlite3_reset(df);
            sqlite3_bind_text(df, 1, cand[i].term, -1, SQLITE_STATIC);
            if (sqlite3_step(df) == SQLITE_ROW)
                d = sqlite3_column_int64(df, 0);
            /* a term in one article says nothing about the others */
            cand[i].weight = d >= 2 ? cand[i].weight * log((double)total / (double)d) : 0.0;
        }
        sqlite3_finalize(df);
        qsort(cand, n, sizeof(*cand), by_weight);
    }
    if (st == EAF_OK && n > 0) {
        kids = eaf__malloc((terms + 1) * sizeof(*kids));
        if (!kids)
            st = eaf__db_error(db, EAF_NOMEM, "out of memory");
        else
            kids[nk++] = *slot;
        eaf__buf_puts(&note, "feedback: added");
        for (i = 0; st == EAF_OK && i < n && nk <= terms; i++) {
            if (cand[i].weight <= 0.0)
                break;
            kids[nk] = eaf__query_make_term(p->q, EAF__Q_TERM, EAF__FEEDBACK_TERM, cand[i].term,
                                            0);
            if (!kids[nk]) {
                st = eaf__db_error(db, EAF_NOMEM, "out of memory");
                break;
            }
            eaf__buf_printf(&note, " %s", cand[i].term);
            nk++;
        }
        if (st == EAF_OK && nk > 1) {
            eaf__qnode *or_node = eaf__query_combine(p->q, EAF__Q_OR, kids, nk);
            char *text = eaf__buf_detach(&note);
            if (!or_node || !text || eaf__strvec_push(&p->expanded, text) != EAF_OK) {
                eaf__free(text);
                st = eaf__db_error(db, EAF_NOMEM, "out of memory");
            } else {
                *slot = or_node;
                p->feedback = 1;
            }
        }
    }
    eaf__buf_free(&note);
    eaf__free(kids);
    eaf__free(cand);
    table_free(&weights);
    table_free(&seen);
    eaf__tokenizer_free(t);
    return st;
}
