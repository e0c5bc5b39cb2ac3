/*
 * search_hit.c: what the cursor shows of its current hit beyond its
 * fields: the whole article, the snippet (made without FTS5 when it can
 * be, snippet.h), and --explain of the whole search.
 */
#include "search.h"
#include "fts.h"
#include "snippet.h"
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>

#define BODY_COLUMN 6

static const char *const sort_names[EAF_SORT_LAST] = {"relevance", "newest", "oldest"};


eaf_status eaf_search_article(const eaf_article **out, eaf_search *s)
{
    sqlite3_stmt *st;
    int rc;
    eaf_status status;

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!s)
        return EAF_MISUSE;
    eaf__db_clear_error(s->db);
    if (s->set && s->set->cur) {
        eaf_search *cur = s->set->cur;
        status = eaf_search_article(out, cur);
        return status == EAF_OK ? status
                                : eaf__db_error(s->db, status, "%s", eaf_db_errmsg(cur->db));
    }
    if (!s->have_row)
        return eaf__db_error(s->db, EAF_MISUSE, "no current hit");
    if (!s->article) {
        st = eaf__db_stmt(s->db, EAF__STMT_GET_ARTICLE);
        if (!st)
            return eaf__db_status(s->db, sqlite3_errcode(s->db->sql));
        sqlite3_bind_text(st, 1, s->field[EAF_FIELD_KEY], -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            sqlite3_reset(st);
            return rc == SQLITE_DONE
                       ? eaf__db_error(s->db, EAF_NOTFOUND, "the hit's article is gone")
                       : eaf__db_sqlerr(s->db, rc, "reading the hit's article");
        }
        status = eaf__article_from_row(s->db, st, &s->article);
        sqlite3_reset(st);
        if (status != EAF_OK)
            return status;
    }
    *out = s->article;
    return EAF_OK;
}

const char *eaf_search_field(eaf_search *s, eaf_field field)
{
    const eaf_article *a;

    if (s && s->set)
        return s->have_row ? eaf_search_field(s->set->cur, field) : NULL;
    if (!s || !s->have_row || (unsigned)field >= EAF_FIELD_LAST)
        return NULL;
    if (field == EAF_FIELD_BODY || field == EAF_FIELD_BIO) {
        if (eaf_search_article(&a, s) != EAF_OK)
            return NULL;
        return eaf_article_get(a, field);
    }
    return s->field[field];
}

/* The first words of the body, for hits of a query without words. */
static char *leading_words(const char *body, int words, const char *ellipsis, int html)
{
    eaf__buf b = EAF__BUF_INIT;
    const char *p = body;
    int count = 0;

    while (*p && count < words) {
        const char *start;
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
            p++;
        if (count++)
            eaf__buf_putc(&b, ' ');
        if (html)
            eaf__buf_put_html(&b, start, (size_t)(p - start));
        else
            eaf__buf_append(&b, start, (size_t)(p - start));
    }
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    if (*p)
        eaf__buf_puts(&b, ellipsis);
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return NULL;
    }
    return b.p ? eaf__buf_detach(&b) : eaf__strdup("");
}

/* The snippet of the current hit made without FTS5 (snippet.h), when the
 * expression allows it: s->snippet stays NULL when not.  Every hit matches
 * the expression (it is the search's), so the instances in the body are
 * those FTS5 would report.  EAF_OK or EAF_NOMEM. */
static eaf_status direct_snippet(eaf_search *s)
{
    eaf__snippet_options o;
    sqlite3_stmt *get;
    const char *body;
    int rc;
    eaf_status st;

    if (!s->db->tok) {
        st = eaf__tokenizer_new(&s->db->tok, s->db->language);
        if (st != EAF_OK)
            return st == EAF_NOMEM ? st : EAF_OK; /* a language it cannot stem: FTS5 says */
        /* the words a snippet stems are few (EAF__TOK_FILTER) */
        eaf__tokenizer_cache_stems(s->db->tok, 4096);
    }
    if (!s->snippet_q_tried) {
        st = eaf__snippet_query_new(&s->snippet_q, s->snippet_expr, s->db->tok);
        if (st != EAF_OK)
            return st;
        s->snippet_q_tried = 1;
    }
    if (!s->snippet_q)
        return EAF_OK;
    /* the body as FTS5 reads it; on any trouble FTS5 makes the snippet */
    get = eaf__db_stmt(s->db, EAF__STMT_GET_BODY);
    if (!get)
        return EAF_OK;
    sqlite3_bind_int64(get, 1, s->id);
    rc = sqlite3_step(get);
    body = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(get, 0) : NULL;
    if (!body) {
        sqlite3_reset(get);
        return EAF_OK;
    }
    o.mark_open = s->mark_open;
    o.mark_close = s->mark_close;
    o.ellipsis = s->ellipsis;
    o.words = s->snippet_words;
    o.fragments = s->snippet_fragments;
    o.html = (s->plan->flags & EAF_SEARCH_SNIPPET_HTML) != 0;
    st = eaf__snippet_make(&s->snippet, body, (size_t)sqlite3_column_bytes(get, 0),
                           s->snippet_q, s->db->tok, &o);
    sqlite3_reset(get);
    return st == EAF_ERROR ? EAF_OK : st;
}

const char *eaf_search_snippet(eaf_search *s)
{
    int rc;

    if (s && s->set)
        return s->have_row ? eaf_search_snippet(s->set->cur) : NULL;
    if (!s || !s->have_row)
        return NULL;
    if (s->have_snippet)
        return s->snippet;
    /* without FTS5 when every hit matches the expression (not so for the
     * words ranked beside filters, s->c.rank) */
    if (s->snippet_expr && s->snippet_expr == s->c.fts &&
        !(s->db->flags & EAF__OPEN_FTS_SNIPPETS)) {
        eaf_status st = direct_snippet(s);
        if (st != EAF_OK) {
            eaf__db_error(s->db, st, "out of memory");
            return NULL;
        }
    }
    if (s->snippet_expr && !s->snippet) {
        if (!s->snippet_stmt) {
            rc = eaf__stmt_take(&s->db->kept, s->db->sql,
                                "SELECT " EAF__SNIPPET_FUNCTION "(fts, ?2, ?3, ?4, ?5,"
                                " ?6, ?7, ?8) FROM fts WHERE fts MATCH ?1 AND rowid = ?9",
                                &s->snippet_stmt);
            if (rc != SQLITE_OK) {
                eaf__db_sqlerr(s->db, rc, "making a snippet");
                return NULL;
            }
            sqlite3_bind_text(s->snippet_stmt, 1, s->snippet_expr, -1, SQLITE_STATIC);
            sqlite3_bind_int(s->snippet_stmt, 2, BODY_COLUMN);
            sqlite3_bind_text(s->snippet_stmt, 3, s->mark_open, -1, SQLITE_STATIC);
            sqlite3_bind_text(s->snippet_stmt, 4, s->mark_close, -1, SQLITE_STATIC);
            sqlite3_bind_text(s->snippet_stmt, 5, s->ellipsis, -1, SQLITE_STATIC);
            sqlite3_bind_int(s->snippet_stmt, 6, s->snippet_words);
            sqlite3_bind_int(s->snippet_stmt, 7, s->snippet_fragments);
            sqlite3_bind_int(s->snippet_stmt, 8, (s->plan->flags & EAF_SEARCH_SNIPPET_HTML) != 0);
        }
        sqlite3_reset(s->snippet_stmt);
        sqlite3_bind_int64(s->snippet_stmt, 9, s->id);
        rc = sqlite3_step(s->snippet_stmt);
        if (rc == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(s->snippet_stmt, 0);
            s->snippet = eaf__strdup(t ? t : "");
        }
        sqlite3_reset(s->snippet_stmt);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            eaf__db_sqlerr(s->db, rc, "making a snippet");
            return NULL;
        }
    }
    if (!s->snippet) {
        const char *body = eaf_search_field(s, EAF_FIELD_BODY);
        s->snippet = leading_words(body ? body : "", s->snippet_words, s->ellipsis,
                                   (s->plan->flags & EAF_SEARCH_SNIPPET_HTML) != 0);
    }
    if (!s->snippet) {
        eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        return NULL;
    }
    s->have_snippet = 1;
    return s->snippet;
}

/* ---- explain ------------------------------------------------------------- */

const char *eaf_search_explain(eaf_search *s)
{
    eaf__buf b = EAF__BUF_INIT;
    int i;

    if (!s)
        return NULL;
    if (s->set) /* the current hit's shard explains it; before any, the first */
        return eaf_search_explain(s->set->cur ? s->set->cur
                                                              : s->set->kid[0]);
    if (s->explain)
        return s->explain;
    eaf__buf_printf(&b, "query: %s\n", eaf__query_text(s->plan->q));
    if (s->plan->rel)
        eaf__buf_printf(&b, "related: the %zu articles related to '%s', in the order of"
                            " that list, those the rest of the query matches\n",
                        s->plan->rel->nids, s->plan->rel->text);
    if (s->plan->tier)
        eaf__buf_printf(&b, "rank all: any of the words may match, the articles with all"
                            " of them first (%s)\n", s->plan->tier);
    else if (s->plan->question)
        eaf__buf_printf(&b, "read as a question: %d or more words, any of them may match,"
                            " those with more of them rank higher\n", EAF__QUESTION_WORDS);
    else if (s->plan->flags & EAF_SEARCH_ALL_WORDS)
        eaf__buf_puts(&b, "all words: never read as a question\n");
    eaf__buf_puts(&b, "tree:\n");
    eaf__query_dump(&b, eaf__query_root(s->plan->q), 1);
    if (s->fallback) {
        eaf__buf_puts(&b, "fallback: no article has all the words; any of them is enough");
        for (i = 0; i < (int)s->dropped.n; i++)
            eaf__buf_printf(&b, "%s%s", i ? ", " : " (none has: ", s->dropped.v[i]);
        eaf__buf_puts(&b, s->dropped.n ? ")\n" : "\n");
    }
    for (i = 0; i < (int)s->plan->expanded.n; i++)
        eaf__buf_printf(&b, "%s\n", s->plan->expanded.v[i]);
    eaf__buf_printf(&b, "fts5: %s\n", s->c.fts ? s->c.fts : "(none)");
    if (!s->c.fts && s->c.rank)
        eaf__buf_printf(&b, "ranked by: %s\n", s->c.rank);
    eaf__buf_printf(&b, "sql: %s\n", s->c.sql ? s->c.sql : "(none)");
    for (i = 0; i < s->c.nparams; i++) {
        const eaf__qparam *p = &s->c.params[i];
        if (p->is_text)
            eaf__buf_printf(&b, "  ?%d = '%s'\n", p->index, p->text);
        else
            eaf__buf_printf(&b, "  ?%d = %lld\n", p->index, (long long)p->value);
    }
    if (s->plan->rel)
        eaf__buf_printf(&b, "rank: by the related-article score\nsort: %s\n",
                        sort_names[s->plan->sort]);
    else if (!s->c.positive)
        eaf__buf_puts(&b, "matches nothing (no words, only exclusions, no filters)\n");
    else
        eaf__buf_printf(&b, "rank: %s\nsort: %s\n",
                        s->c.rank_call ? s->c.rank_call : "(none: by date)",
                        sort_names[s->plan->sort]);
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return NULL;
    }
    s->explain = eaf__buf_detach(&b);
    return s->explain;
}
