/*
 * feedback.c: pseudo-relevance feedback (EAF_SEARCH_FEEDBACK), a relevance
 * model mixed with the query (RM3).
 *
 * The search is run once; the title and body of its best hits are read
 * and tokenized; each term is scored by its share of those texts (the sum
 * over the hits of its frequency divided by the hit's length, each hit
 * counting by its score), and the CANDIDATES best by that by the same times
 * their inverse document frequency in the index; the best terms that the
 * query does not already have are added to its words as raw index terms
 * (EAF__FEEDBACK_TERM), each with its weight: together they weigh
 * 1 - QUERY_SHARE of the query, its own words QUERY_SHARE.  The search is
 * built again.  By default only a long question is expanded (see
 * EAF_FEEDBACK_WORDS); EAF_SEARCH_FEEDBACK expands any question,
 * EAF_SEARCH_NO_FEEDBACK none.  A rewrite pass like the others (plan.h), it reads the best
 * hits through the layer below it (hits.h), never through the cursor.
 * Only a search that matches any of the words (a question,
 * EAF_SEARCH_RANK_ALL) is expanded: adding words to an all-words search
 * would change what it matches, not only how it ranks.
 */
#include "hits.h"
#include "shard.h"
#include "lexicon.h"
#include "tokenize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The query's share of the query with its added terms (RM3's lambda): its
 * words, alike, weigh 0.6 of the whole, the added terms 0.4, each by its
 * weight.  The documents and terms read (EAF_RANK_DEFAULT_FEEDBACK_*),
 * this share and CANDIDATES were chosen by the mean MAP of Cranfield and
 * CACM, on a plateau: from 3 to 5 documents, 40 to 60 terms and a share of
 * 0.6 to 0.7 every setting is within 0.01 of the best on both, and above
 * the search without feedback (10 documents lower CACM's MAP). */
#define QUERY_SHARE 0.6
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
        if (n->text[0] == EAF__RAW_TERM)
            table_find(seen, n->text + 1, n->len - 1, 1);
        else /* (the tokenizer reads a feedback term's weight and term) */
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

    if (n < 3 || eaf__token_is_synthetic(s, n))
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

/* The best `docs` hits of c in db's own file, best first, appended to
 * ids and score from *n on. */
static eaf_status best_hits_one(eaf_db *db, const eaf__compiled *c, const eaf__hits_sql *h,
                                unsigned docs, int64_t *ids, double *score, size_t *n)
{
    sqlite3_stmt *top = NULL;
    char *select = eaf__printf("%s, %s AS r", h->id_col, h->rank_col);
    /* ties by id, as the cursor orders them (and a shard set merges); and
     * not "ORDER BY rank" alone, which FTS5 sorts itself, giving any query
     * of the table made meanwhile (the title's grams, rank.c) its rows and
     * losing that query's expression */
    char *tail = eaf__printf("ORDER BY r, %s LIMIT %u", h->id_col, docs);
    eaf_status st;
    unsigned got = 0;
    int rc = SQLITE_DONE;

    if (!select || !tail) {
        eaf__free(select);
        eaf__free(tail);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    st = eaf__hits_prepare(db, c, h, select, tail, &top);
    eaf__free(select);
    eaf__free(tail);
    if (st != EAF_OK)
        return st;
    while (got < docs && (rc = sqlite3_step(top)) == SQLITE_ROW) {
        ids[*n] = sqlite3_column_int64(top, 0);
        /* the rank is the negated score; a hit without one counts as the last */
        score[*n] = sqlite3_column_type(top, 1) == SQLITE_NULL ? 0.0
                                                              : -sqlite3_column_double(top, 1);
        (*n)++;
        got++;
    }
    if (got < docs && rc != SQLITE_DONE)
        st = eaf__db_sqlerr(db, rc, "reading the best hits for feedback");
    sqlite3_finalize(top);
    return st;
}

typedef struct scored_id {
    int64_t id;
    double score;
} scored_id;

static int by_score(const void *x, const void *y)
{
    const scored_id *a = x, *b = y;

    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* The best `docs` hits of c, best first: of a shard set, over all its
 * shards (each ranks with the set's statistics: the scores compare). */
static eaf_status best_hits(eaf_db *db, const eaf__compiled *c, const eaf__hits_sql *h,
                            unsigned docs, int64_t *ids, double *score, size_t *n)
{
    int64_t *all_ids;
    double *all_score;
    scored_id *all;
    size_t got = 0, i;
    unsigned k;
    eaf_status st = EAF_OK;

    *n = 0;
    if (!EAF__IS_MEMBER(db))
        return best_hits_one(db, c, h, docs, ids, score, n);
    all_ids = eaf__malloc((size_t)docs * db->set->n * sizeof(*all_ids));
    all_score = eaf__malloc((size_t)docs * db->set->n * sizeof(*all_score));
    all = eaf__malloc((size_t)docs * db->set->n * sizeof(*all));
    if (!all_ids || !all_score || !all)
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    for (k = 0; st == EAF_OK && k < db->set->n; k++) {
        eaf_db *m = db->set->db[k];
        st = best_hits_one(m, c, h, docs, all_ids, all_score, &got);
        if (st != EAF_OK && m != db)
            eaf__db_error(db, st, "%s", eaf_db_errmsg(m));
    }
    if (st == EAF_OK) {
        for (i = 0; i < got; i++) {
            all[i].id = all_ids[i];
            all[i].score = all_score[i];
        }
        qsort(all, got, sizeof(*all), by_score);
        for (i = 0; i < got && i < docs; i++) {
            ids[i] = all[i].id;
            score[i] = all[i].score;
        }
        *n = i;
    }
    eaf__free(all_ids);
    eaf__free(all_score);
    eaf__free(all);
    return st;
}

/* Reads the best hits and their scores, then their texts: weights[term]
 * += the hit's share of the hits' scores times tf / length (the relevance
 * model: each hit's language model, weighed by how well it matches). */
static eaf_status read_hits(eaf_db *db, const eaf__compiled *c, const eaf__hits_sql *h,
                            eaf__tokenizer *t, unsigned docs, term_table *weights)
{
    sqlite3_stmt *text = NULL;
    int64_t *ids = NULL;
    double *score = NULL, total = 0.0;
    size_t n = 0, k;
    eaf_status st;
    int rc;

    ids = eaf__malloc(docs * sizeof(*ids));
    score = eaf__malloc(docs * sizeof(*score));
    if (!ids || !score) {
        eaf__free(ids);
        eaf__free(score);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    st = best_hits(db, c, h, docs, ids, score, &n);
    /* a hit counts by how far its score is above the last hit read (which
     * then counts for nothing: it only sets the level); equal scores, alike */
    for (k = 0; k < n; k++)
        total += score[k] - score[n - 1];
    /* of a shard set, the texts of every shard (shard.c's view) */
    if (st == EAF_OK && EAF__IS_MEMBER(db))
        st = eaf__db_vocab(db);
    rc = st == EAF_OK ? sqlite3_prepare_v2(db->sql,
                                           EAF__IS_MEMBER(db)
                                               ? "SELECT title, body FROM temp.eaf_set_article"
                                                 " WHERE id = ?1"
                                               : "SELECT title, body FROM article WHERE id = ?1",
                                           -1, &text, NULL)
                      : SQLITE_OK;
    for (k = 0; st == EAF_OK && rc == SQLITE_OK && k < n; k++) {
        term_table counts = {NULL, 0, 0, 0};
        doc_terms d;
        size_t i;
        int col;
        double share = total > 0.0 ? (score[k] - score[n - 1]) / total : 1.0 / (double)n;

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
                e->weight += share * counts.slots[i].weight / d.length;
        }
        if (counts.nomem)
            weights->nomem = 1;
        table_free(&counts);
    }
    sqlite3_finalize(text);
    eaf__free(ids);
    eaf__free(score);
    if (st != EAF_OK)
        return st;
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
    size_t i, n = 0, nk = 0, nq;
    double sum = 0.0;
    eaf_status st;
    eaf__buf note = EAF__BUF_INIT;

    if (!slot || !p->question || terms == 0 || docs == 0)
        return EAF_OK;
    /* the words of substance of the question: without EAF_SEARCH_FEEDBACK
     * only a long one is expanded (a known-item search of a few words,
     * "Diatonic scale", finds other articles with the words of its first
     * hits: MRR 0.68 to 0.46 on enwiki's title queries) */
    nq = (*slot)->nkids;
    if (!(p->flags & EAF_SEARCH_FEEDBACK) && nq < EAF_FEEDBACK_WORDS)
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
        /* (a shard set's vocabulary has a row per shard: shard.h) */
        rc = st == EAF_OK ? sqlite3_prepare_v2(db->sql,
                                               EAF__IS_MEMBER(db)
                                                   ? "SELECT sum(doc) FROM temp.eaf_vocab_row"
                                                     " WHERE term = ?1"
                                                   : "SELECT doc FROM temp.eaf_vocab_row"
                                                     " WHERE term = ?1",
                                               -1, &df, NULL)
                          : SQLITE_OK;
        if (st == EAF_OK && rc != SQLITE_OK)
            st = eaf__db_sqlerr(db, rc, "feedback");
        if (st == EAF_OK)
            st = eaf__db_count_all(&total, db);
        for (i = 0; st == EAF_OK && i < n; i++) {
            sqlite3_int64 d = 0;
            sqlite3_reset(df);
            sqlite3_bind_text(df, 1, cand[i].term, -1, SQLITE_STATIC);
            if (sqlite3_step(df) == SQLITE_ROW)
                d = sqlite3_column_int64(df, 0);
            /* a term in one article says nothing about the others */
            cand[i].weight = d >= 2 && d < total
                                 ? cand[i].weight * log((double)total / (double)d)
                                 : 0.0;
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
        for (i = 0; i < n && i < terms && cand[i].weight > 0.0; i++)
            sum += cand[i].weight;
        for (i = 0; st == EAF_OK && i < n && nk <= terms; i++) {
            char buf[EAF__TOKEN_MAX + 2];
            double w;
            long q;
            if (cand[i].weight <= 0.0)
                break;
            /* RM3: the query (its words alike) and the relevance model of
             * the terms added, mixed QUERY_SHARE to the rest; a query word
             * weighs 1 in the ranking, so a term's share of the rest is
             * scaled by the query's words over QUERY_SHARE */
            w = (1.0 - QUERY_SHARE) / QUERY_SHARE * (double)nq * cand[i].weight / sum;
            q = lrint(w * EAF__FEEDBACK_STEPS);
            if (q < 1)
                q = 1;
            if (q > EAF__FEEDBACK_MAX)
                q = EAF__FEEDBACK_MAX;
            buf[0] = (char)(EAF__FEEDBACK_WEIGHT0 + q);
            snprintf(buf + 1, sizeof(buf) - 1, "%s", cand[i].term);
            kids[nk] = eaf__query_make_term(p->q, EAF__Q_TERM, EAF__FEEDBACK_TERM, buf, 0);
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
