/*
 * suggest.c: "did you mean", from the index's own vocabulary.
 *
 * For each word of the query (outside exclusions) whose stem is in no
 * article, the closest indexed term is found by edit distance (Damerau,
 * optimal string alignment: at most 1 for words of up to 5 letters, 2 for
 * longer ones), among the terms that start with the same letter; at the
 * same distance a term that completes the word goes first (nort: north,
 * not not), then the term in more articles.  The term is a stem, so the word
 * suggested is the way one article actually spells it, folded (found with
 * the fts5vocab "instance" table and the article's text).  Words that are
 * in the index are never replaced, and the suggestion is only offered:
 * the search does not run it.
 */
#include "search.h"
#include "tokenize.h"

#include <stdio.h>
#include <string.h>

#define MAX_WORD 64

typedef struct word {
    char text[EAF__TOKEN_MAX + 1];
    int start, end;      /* bytes within the node's text */
} word;

typedef struct words {
    word *v;
    size_t n, cap;
    int nomem;
} words;

static int collect(void *ctx, const char *tok, int ntok, int start, int end)
{
    words *w = ctx;

    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        word *p = eaf__realloc(w->v, cap * sizeof(*p));
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

/* Code points of a UTF-8 string; returns the count, or -1 if too long. */
static int decode(const char *s, int32_t *out)
{
    size_t n = strlen(s), i = 0, len;
    int k = 0;

    while (i < n) {
        int32_t c = eaf__utf8_decode((const unsigned char *)s + i, n - i, &len);
        if (k >= MAX_WORD)
            return -1;
        out[k++] = c;
        i += len;
    }
    return k;
}

/* Optimal string alignment distance, or max + 1 when above max. */
static int distance(const int32_t *a, int na, const int32_t *b, int nb, int max)
{
    int d[MAX_WORD + 1][MAX_WORD + 1];
    int i, j;

    if (na - nb > max || nb - na > max)
        return max + 1;
    for (i = 0; i <= na; i++)
        d[i][0] = i;
    for (j = 0; j <= nb; j++)
        d[0][j] = j;
    for (i = 1; i <= na; i++) {
        int row_min = max + 1;
        for (j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < row_min)
                row_min = v;
        }
        if (row_min > max)
            return max + 1;
    }
    return d[na][nb];
}

static int has_letter(const int32_t *cp, int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (!(cp[i] >= '0' && cp[i] <= '9') && cp[i] != '.')
            return 1;
    return 0;
}

typedef struct vocab {
    eaf_db *db;
    sqlite3_stmt *exact, *range, *where, *text[8];
} vocab;

static void vocab_close(vocab *v)
{
    int i;

    sqlite3_finalize(v->exact);
    sqlite3_finalize(v->range);
    sqlite3_finalize(v->where);
    for (i = 0; i < 8; i++)
        sqlite3_finalize(v->text[i]);
}

/* The FTS columns, which are also columns of the article table. */
static const char *const column_names[8] = {"title", "author", "affiliation", "topic",
                                            "country", "summary", "body", "bio"};

static eaf_status vocab_open(vocab *v, eaf_db *db)
{
    int rc, i;

    memset(v, 0, sizeof(*v));
    v->db = db;
    if (eaf__db_vocab(db) != EAF_OK)
        return eaf__status_from_sqlite(sqlite3_errcode(db->sql));
    rc = sqlite3_prepare_v2(db->sql, "SELECT doc FROM temp.eaf_vocab_row WHERE term = ?1",
                                -1, &v->exact, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->sql,
                                "SELECT term, doc FROM temp.eaf_vocab_row"
                                " WHERE term >= ?1 AND term <= ?2",
                                -1, &v->range, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->sql,
                                "SELECT doc, col, offset FROM temp.eaf_vocab_instance"
                                " WHERE term = ?1 LIMIT 1",
                                -1, &v->where, NULL);
    for (i = 0; rc == SQLITE_OK && i < 8; i++) {
        char sql[64];
        snprintf(sql, sizeof(sql), "SELECT %s FROM article WHERE id = ?1", column_names[i]);
        rc = sqlite3_prepare_v2(db->sql, sql, -1, &v->text[i], NULL);
    }
    if (rc != SQLITE_OK) {
        vocab_close(v);
        return eaf__db_sqlerr(db, rc, "reading the vocabulary");
    }
    return EAF_OK;
}

/* The number of articles with the term (0 when none), or -1 on error. */
static sqlite3_int64 doc_freq(vocab *v, const char *term)
{
    sqlite3_int64 n = 0;
    int rc;

    sqlite3_reset(v->exact);
    sqlite3_bind_text(v->exact, 1, term, -1, SQLITE_STATIC);
    rc = sqlite3_step(v->exact);
    if (rc == SQLITE_ROW)
        n = sqlite3_column_int64(v->exact, 0);
    else if (rc != SQLITE_DONE)
        n = -1;
    sqlite3_reset(v->exact);
    return n;
}

/* The closest indexed term to a word, into best (empty when none). */
static int closest(vocab *v, const char *w, char *best, size_t cap)
{
    int32_t a[MAX_WORD], b[MAX_WORD];
    int na = decode(w, a), max, best_d, rc, completes, best_completes = 0;
    sqlite3_int64 best_df = 0;
    char lo[8], hi[16];
    size_t first;

    best[0] = '\0';
    if (na < 3 || !has_letter(a, na))
        return 0;
    max = na <= 5 ? 1 : 2;
    best_d = max + 1;
    /* the terms that start with the same character */
    first = eaf__utf8_encode(a[0], lo);
    lo[first] = '\0';
    memcpy(hi, lo, first);
    memcpy(hi + first, "\xf4\x8f\xbf\xbf", 5);
    sqlite3_reset(v->range);
    sqlite3_bind_text(v->range, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(v->range, 2, hi, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(v->range)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(v->range, 0);
        sqlite3_int64 df = sqlite3_column_int64(v->range, 1);
        int nb, d;

        if (!term || (nb = decode(term, b)) < 0 || !has_letter(b, nb))
            continue;
        d = distance(a, na, b, nb, max);
        if (d > max)
            continue;
        /* at the same distance, a completion of the word (nort -> north)
         * goes first, then the term in more articles */
        completes = nb > na && memcmp(a, b, (size_t)na * sizeof(*a)) == 0;
        if (d < best_d ||
            (d == best_d && (completes > best_completes ||
                             (completes == best_completes && df > best_df)))) {
            if (strlen(term) >= cap)
                continue;
            best_d = d;
            best_df = df;
            best_completes = completes;
            strcpy(best, term);
        }
    }
    sqlite3_reset(v->range);
    if (rc != SQLITE_DONE)
        return -1;
    return best[0] != '\0';
}

typedef struct find_pos {
    int want, at, start, end;
} find_pos;

static int at_position(void *ctx, const char *tok, int ntok, int start, int end)
{
    find_pos *f = ctx;

    (void)tok;
    (void)ntok;
    if (f->at++ == f->want) {
        f->start = start;
        f->end = end;
        return 1;
    }
    return 0;
}

/* How an article spells a term: its first occurrence, folded.  NULL when
 * out of memory; the term itself when it cannot be found. */
static char *spelling(vocab *v, eaf__tokenizer *t, const char *term)
{
    sqlite3_int64 doc;
    int col, rc;
    find_pos f = {0, 0, -1, -1};
    char *r = NULL;

    sqlite3_reset(v->where);
    sqlite3_bind_text(v->where, 1, term, -1, SQLITE_STATIC);
    if (sqlite3_step(v->where) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(v->where, 1);
        doc = sqlite3_column_int64(v->where, 0);
        f.want = sqlite3_column_int(v->where, 2);
        /* fts5vocab names the column */
        for (col = 0; col < 8 && !(name && strcmp(name, column_names[col]) == 0); col++)
            ;
        if (col >= 0 && col < 8) {
            sqlite3_stmt *st = v->text[col];
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 1, doc);
            if (sqlite3_step(st) == SQLITE_ROW) {
                const char *text = (const char *)sqlite3_column_text(st, 0);
                int n = sqlite3_column_bytes(st, 0);
                rc = text ? eaf__tokenize(t, EAF__TOK_DOC, text, (size_t)n, at_position, &f)
                          : 0;
                if (rc == 1 && f.start >= 0)
                    r = eaf__fold_value(text + f.start, (size_t)(f.end - f.start));
            }
            sqlite3_reset(st);
        }
    }
    sqlite3_reset(v->where);
    return r ? r : eaf__strdup(term);
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

eaf_status eaf__suggest(eaf_search *s, char **out)
{
    const eaf__qnode *nodes[EAF__QUERY_MAX_TERMS];
    size_t nn = 0, i, j;
    const char *q = eaf__query_text(s->q);
    eaf__tokenizer *t = NULL, *plain = NULL;
    eaf__buf b = EAF__BUF_INIT;
    vocab v;
    size_t copied = 0;
    int changed = 0;
    eaf_status st;

    *out = NULL;
    leaves(eaf__query_root(s->q), nodes, &nn, EAF__ARRAY_LEN(nodes));
    if (nn == 0)
        return EAF_OK;
    st = eaf__tokenizer_new(&t, s->db->language);
    if (st == EAF_OK)
        st = eaf__tokenizer_new(&plain, NULL);
    if (st != EAF_OK) {
        eaf__tokenizer_free(t);
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    }
    st = vocab_open(&v, s->db);
    if (st != EAF_OK) {
        eaf__tokenizer_free(t);
        eaf__tokenizer_free(plain);
        return st;
    }
    for (i = 0; i < nn && st == EAF_OK; i++) {
        words w = {NULL, 0, 0, 0};
        int at = eaf__qnode_text_offset(s->q, nodes[i]);

        if (at < 0 || (size_t)at < copied)
            continue;
        eaf__tokenize(t, EAF__TOK_QUERY, nodes[i]->text, nodes[i]->len, collect, &w);
        for (j = 0; j < w.n && !w.nomem; j++) {
            char best[EAF__TOKEN_MAX + 1], *spelt;
            sqlite3_int64 df = doc_freq(&v, w.v[j].text);
            int found;

            if (df != 0) /* in the index (or an error): leave it */
                continue;
            found = closest(&v, w.v[j].text, best, sizeof(best));
            if (found <= 0)
                continue;
            spelt = spelling(&v, plain, best);
            if (!spelt) {
                w.nomem = 1;
                break;
            }
            /* copy the query up to the word, then the replacement */
            eaf__buf_append(&b, q + copied, (size_t)at + (size_t)w.v[j].start - copied);
            eaf__buf_puts(&b, spelt);
            copied = (size_t)at + (size_t)w.v[j].end;
            changed = 1;
            eaf__free(spelt);
        }
        if (w.nomem)
            st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        eaf__free(w.v);
    }
    vocab_close(&v);
    eaf__tokenizer_free(t);
    eaf__tokenizer_free(plain);
    if (st == EAF_OK && changed) {
        eaf__buf_puts(&b, q + copied);
        if (b.rc != EAF_OK)
            st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        else
            *out = eaf__buf_detach(&b);
    }
    eaf__buf_free(&b);
    return st;
}
