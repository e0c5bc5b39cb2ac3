/*
 * related_explain.c: why an article is in a list: the terms it shares with
 * the source as the source spells them, the metadata they share, and the
 * parts of its score, worked out on the first demand for the whole list.
 */
#include "related_ondemand.h"

#include <stdlib.h>
#include <string.h>

static const char *const reason_plural[EAF_REASON_LAST] = {"topics", "countries", "tags",
                                                           "authors", "terms"};

/* The surface form of stems in the source's text: the first word that
 * gives each. */
typedef struct surface_ctx {
    const char *text;
    eaf__strvec *stems;       /* all the items' stems */
    char **word;              /* parallel to a flat list of the stems */
    const char **flat;
    size_t nflat;
    int nomem;
} surface_ctx;

static int surface_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    surface_ctx *c = ctx;
    size_t i;

    for (i = 0; i < c->nflat; i++) {
        if (!c->word[i] && strlen(c->flat[i]) == (size_t)ntok &&
            memcmp(c->flat[i], tok, (size_t)ntok) == 0) {
            c->word[i] = eaf__strndup(c->text + start, (size_t)(end - start));
            if (!c->word[i]) {
                c->nomem = 1;
                return 1;
            }
        }
    }
    return 0;
}

/* Replaces each item's stems by the words of the source's text. */
static eaf_status surface_forms(eaf_related *r)
{
    sqlite3_stmt *st = NULL;
    eaf__tokenizer *tok = NULL;
    surface_ctx c;
    size_t i, j, f = 0;
    int col;
    eaf_status s;

    memset(&c, 0, sizeof(c));
    for (i = 0; i < r->n; i++)
        c.nflat += r->items[i].stems.n;
    if (c.nflat == 0)
        return EAF_OK;
    c.flat = eaf__calloc(c.nflat, sizeof(*c.flat));
    c.word = eaf__calloc(c.nflat, sizeof(*c.word));
    if (!c.flat || !c.word || eaf__tokenizer_new(&tok, r->db->language) != EAF_OK) {
        eaf__free(c.flat);
        eaf__free(c.word);
        return eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    }
    for (i = 0; i < r->n; i++)
        for (j = 0; j < r->items[i].stems.n; j++)
            c.flat[f++] = r->items[i].stems.v[j];
    s = eaf__rel_prepare(r->db, "SELECT title, summary, body FROM article WHERE id = ?1", &st,
                         "reading the article");
    if (s == EAF_OK) {
        sqlite3_bind_int64(st, 1, r->src);
        if (sqlite3_step(st) == SQLITE_ROW) {
            for (col = 0; col < 3 && !c.nomem; col++) {
                const char *t = (const char *)sqlite3_column_text(st, col);
                if (!t)
                    continue;
                c.text = t;
                if (eaf__tokenize(tok, EAF__TOK_DOC, t, strlen(t), surface_token, &c) < 0)
                    c.nomem = 1;
            }
        }
        sqlite3_finalize(st);
    }
    eaf__tokenizer_free(tok);
    if (c.nomem && s == EAF_OK)
        s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    for (i = 0, f = 0; i < r->n; i++) {
        for (j = 0; j < r->items[i].stems.n; j++, f++) {
            char *w = c.word[f];
            if (s == EAF_OK) {
                if (!w)
                    w = eaf__strdup(c.flat[f]);
                if (!w || eaf__strvec_push(&r->items[i].shared[EAF_REASON_TERM], w) != EAF_OK) {
                    eaf__free(w);
                    s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
                }
            } else {
                eaf__free(w);
            }
        }
    }
    eaf__free(c.flat);
    eaf__free(c.word);
    return s;
}

/* The metadata each item shares with the source, as the source writes it. */
static eaf_status shared_metadata(eaf_related *r)
{
    sqlite3_stmt *st = NULL;
    eaf_status s;
    size_t i;
    int rc, k;

    s = eaf__rel_prepare(r->db,
                         "SELECT s.kind, s.value FROM facet s JOIN facet o"
                         " ON o.kind = s.kind AND o.norm = s.norm AND o.article_id = ?2"
                         " WHERE s.article_id = ?1 AND s.kind IN (?3, ?4, ?5, ?6)"
                         " ORDER BY s.kind, s.pos",
                         &st, "reading metadata");
    if (s != EAF_OK)
        return s;
    for (k = 0; k < EAF__META_KINDS; k++)
        sqlite3_bind_int(st, k + 3, eaf__rel_facet_kind[k]);
    sqlite3_bind_int64(st, 1, r->src);
    for (i = 0; i < r->n && s == EAF_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 2, r->items[i].id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int fk = sqlite3_column_int(st, 0);
            const char *v = (const char *)sqlite3_column_text(st, 1);
            char *d;
            for (k = 0; k < EAF__META_KINDS && eaf__rel_facet_kind[k] != fk; k++)
                ;
            if (k == EAF__META_KINDS || !v)
                continue;
            d = eaf__strdup(v);
            if (!d || eaf__strvec_push(&r->items[i].shared[k], d) != EAF_OK) {
                eaf__free(d);
                s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
                break;
            }
        }
        if (s == EAF_OK && rc != SQLITE_DONE)
            s = eaf__db_sqlerr(r->db, rc, "reading metadata");
    }
    sqlite3_finalize(st);
    return s;
}

static eaf_status explain_all(eaf_related *r)
{
    eaf_status s = EAF_OK;
    size_t i;
    int k;

    if (r->explained)
        return r->explained > 0 ? EAF_OK : r->explain_status;
    eaf__db_clear_error(r->db);
    for (i = 0; i < r->n && r->items[i].have_parts; i++)
        ;
    if (i < r->n)
        s = eaf__rel_parts_of_stored(r);
    if (s == EAF_OK)
        s = surface_forms(r);
    if (s == EAF_OK)
        s = shared_metadata(r);
    for (i = 0; i < r->n && s == EAF_OK; i++) {
        eaf__rel_item *it = &r->items[i];
        eaf__buf b = EAF__BUF_INIT;
        size_t j;

        eaf__buf_printf(&b, "text %.3f", it->text);
        for (j = 0; j < it->shared[EAF_REASON_TERM].n; j++)
            eaf__buf_printf(&b, "%s%s", j ? ", " : " (", it->shared[EAF_REASON_TERM].v[j]);
        if (j)
            eaf__buf_putc(&b, ')');
        for (k = 0; k < EAF__META_KINDS; k++) {
            const eaf__strvec *v = &it->shared[k];
            if (v->n == 0)
                continue;
            eaf__buf_printf(&b, "; %s", reason_plural[k]);
            if (r->o.meta[k] > 0.0)
                eaf__buf_printf(&b, " +%.3f", r->o.meta[k] * it->meta[k]);
            for (j = 0; j < v->n; j++)
                eaf__buf_printf(&b, "%s%s", j ? ", " : " (", v->v[j]);
            eaf__buf_putc(&b, ')');
        }
        if (r->o.recency > 0.0)
            eaf__buf_printf(&b, "; recency x%.3f", it->factor);
        if (b.rc != EAF_OK) {
            eaf__buf_free(&b);
            s = eaf__db_error(r->db, EAF_NOMEM, "out of memory");
            break;
        }
        it->explain = eaf__buf_detach(&b);
    }
    r->explained = s == EAF_OK ? 1 : -1;
    r->explain_status = s;
    return s;
}

/* The checks of the calls below: a list, an article of it (and a kind),
 * and the explanations worked out. */
static eaf_status explained_item(eaf_related *r, size_t i, int kind)
{
    if (!r || i >= r->n || kind < 0 || kind >= EAF_REASON_LAST)
        return EAF_MISUSE;
    return explain_all(r);
}

eaf_status eaf_related_shared_count(size_t *count, eaf_related *r, size_t i,
                                    eaf_related_reason kind)
{
    eaf_status s;

    if (!count)
        return EAF_MISUSE;
    *count = 0;
    s = explained_item(r, i, (int)kind);
    if (s == EAF_OK)
        *count = r->items[i].shared[kind].n;
    return s;
}

eaf_status eaf_related_shared(const char **value, eaf_related *r, size_t i,
                              eaf_related_reason kind, size_t j)
{
    eaf_status s;

    if (!value)
        return EAF_MISUSE;
    *value = NULL;
    s = explained_item(r, i, (int)kind);
    if (s == EAF_OK && j >= r->items[i].shared[kind].n)
        s = EAF_MISUSE;
    if (s == EAF_OK)
        *value = r->items[i].shared[kind].v[j];
    return s;
}

eaf_status eaf_related_explain(const char **why, eaf_related *r, size_t i)
{
    eaf_status s;

    if (!why)
        return EAF_MISUSE;
    *why = NULL;
    s = explained_item(r, i, 0);
    if (s == EAF_OK)
        *why = r->items[i].explain;
    return s;
}
