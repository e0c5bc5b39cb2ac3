/*
 * search.c: running a query: the SQL around the FTS5 expression, ranking,
 * paging, totals, the fields and snippet of each hit.
 *
 * The compiled query (query_sql.c) is an FTS5 expression (the words,
 * phrases and their AND/OR/NOT) and an SQL condition (dates, exact
 * metadata values, and whatever mixes them with words under OR or NOT).
 * The FTS5 part ranks; the SQL part filters.  The main statement only
 * fetches (rowid, rank) for the page; fields and snippets are read per hit,
 * so the cost of a snippet is paid for the hits shown, not for every
 * match.
 */
#include "db.h"
#include "fts.h"
#include "query.h"
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>

/* Field weights for BM25F (rank.c), in column order: title, author,
 * affiliation, topic, country, summary, body, bio.  A title match counts
 * most, then authors, topics and countries, then the summary, then the
 * body. */
#define RANK_FUNCTION EAF__RANK_FUNCTION "(10.0, 4.0, 2.0, 4.0, 4.0, 3.0, 1.0, 0.5)"

#define DEFAULT_LIMIT 10
#define DEFAULT_SNIPPET_WORDS 24
#define MAX_SNIPPET_WORDS 64

/* Fixed parameters of the main statement; filters use ?10 and up. */
enum { P_MATCH = 1, P_RANK = 2, P_LIMIT = 3, P_OFFSET = 4, P_FIRST_FREE = 10 };

struct eaf_search {
    eaf_db *db;
    eaf__query *q;
    sqlite3_stmt *main;
    sqlite3_stmt *count;
    sqlite3_stmt *fields;
    sqlite3_stmt *snippet_stmt;
    eaf__compiled c;
    const char *snippet_expr; /* what snippets mark (in c); NULL: no words */
    char *mark_open, *mark_close, *ellipsis;
    int snippet_words;
    int done;
    int have_total;
    int64_t total;
    /* the current hit */
    int have_row;
    sqlite3_int64 id;
    double score;
    char *field[EAF_FIELD_LAST];
    char *snippet;
    int have_snippet;
    eaf_article *article;
};

/* ---- statements ---------------------------------------------------------- */

static int bind_params(sqlite3_stmt *st, const eaf__compiled *c)
{
    int i, rc = SQLITE_OK, max = sqlite3_bind_parameter_count(st);

    for (i = 0; i < c->nparams && rc == SQLITE_OK; i++) {
        const eaf__qparam *p = &c->params[i];
        if (p->index > max)
            continue;
        if (p->is_text)
            rc = sqlite3_bind_text(st, p->index, p->text, -1, SQLITE_STATIC);
        else
            rc = sqlite3_bind_int64(st, p->index, p->value);
    }
    return rc;
}

static eaf_status prepare(eaf_search *s, const char *sql, sqlite3_stmt **out)
{
    int rc = sqlite3_prepare_v2(s->db->sql, sql, -1, out, NULL);

    if (rc == SQLITE_OK)
        rc = bind_params(*out, &s->c);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(s->db, rc, "preparing the search");
    return EAF_OK;
}

/* Builds the main and count statements from the compiled query. */
static eaf_status build(eaf_search *s, unsigned limit, unsigned offset)
{
    eaf__buf main = EAF__BUF_INIT, count = EAF__BUF_INIT;
    const eaf__compiled *p = &s->c;
    const char *rank_expr = p->rank;
    eaf_status st;

    if (p->fts) {
        const char *from = p->sql ? "fts JOIN article a ON a.id = fts.rowid" : "fts";
        eaf__buf_printf(&main,
                        "SELECT fts.rowid, fts.rank FROM %s"
                        " WHERE fts MATCH ?%d AND fts.rank MATCH ?%d",
                        from, P_MATCH, P_RANK);
        eaf__buf_printf(&count, "SELECT count(*) FROM %s WHERE fts MATCH ?%d", from,
                        P_MATCH);
        if (p->sql) {
            eaf__buf_printf(&main, " AND (%s)", p->sql);
            eaf__buf_printf(&count, " AND (%s)", p->sql);
        }
        eaf__buf_puts(&main, " ORDER BY fts.rank, fts.rowid");
    } else if (rank_expr) {
        /* words mixed with filters under OR/NOT: filter in SQL, rank the
         * articles the words match, list the others after them */
        eaf__buf_printf(&main,
                        "SELECT a.id, (SELECT fts.rank FROM fts WHERE fts MATCH ?%d"
                        " AND fts.rank MATCH ?%d AND fts.rowid = a.id) AS r"
                        " FROM article a WHERE %s"
                        " ORDER BY r IS NULL, r, a.day IS NULL, a.day DESC, a.id",
                        P_MATCH, P_RANK, p->sql);
        eaf__buf_printf(&count, "SELECT count(*) FROM article a WHERE %s", p->sql);
    } else {
        /* filters only: newest first */
        eaf__buf_printf(&main,
                        "SELECT a.id, NULL FROM article a WHERE %s"
                        " ORDER BY a.day IS NULL, a.day DESC, a.id",
                        p->sql);
        eaf__buf_printf(&count, "SELECT count(*) FROM article a WHERE %s", p->sql);
    }
    eaf__buf_printf(&main, " LIMIT ?%d OFFSET ?%d", P_LIMIT, P_OFFSET);
    if (main.rc != EAF_OK || count.rc != EAF_OK) {
        st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        goto done;
    }
    st = prepare(s, main.p, &s->main);
    if (st == EAF_OK)
        st = prepare(s, count.p, &s->count);
    if (st == EAF_OK) {
        const char *expr = p->fts ? p->fts : rank_expr;
        if (expr) {
            sqlite3_bind_text(s->main, P_MATCH, expr, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s->main, P_RANK, RANK_FUNCTION, -1, SQLITE_STATIC);
            if (sqlite3_bind_parameter_count(s->count) >= P_MATCH && p->fts)
                sqlite3_bind_text(s->count, P_MATCH, expr, -1, SQLITE_TRANSIENT);
        }
        sqlite3_bind_int64(s->main, P_LIMIT, limit);
        sqlite3_bind_int64(s->main, P_OFFSET, offset);
    }
done:
    eaf__buf_free(&main);
    eaf__buf_free(&count);
    return st;
}

static void clear_row(eaf_search *s)
{
    int i;

    for (i = 0; i < EAF_FIELD_LAST; i++) {
        eaf__free(s->field[i]);
        s->field[i] = NULL;
    }
    eaf__free(s->snippet);
    s->snippet = NULL;
    s->have_snippet = 0;
    eaf_article_free(s->article);
    s->article = NULL;
    s->have_row = 0;
}

void eaf_search_free(eaf_search *s)
{
    if (!s)
        return;
    clear_row(s);
    sqlite3_finalize(s->main);
    sqlite3_finalize(s->count);
    sqlite3_finalize(s->fields);
    sqlite3_finalize(s->snippet_stmt);
    eaf__compiled_free(&s->c);
    eaf__free(s->mark_open);
    eaf__free(s->mark_close);
    eaf__free(s->ellipsis);
    eaf__query_free(s->q);
    if (s->db)
        s->db->children--;
    eaf__free(s);
}

eaf_status eaf_search_new(eaf_search **out, eaf_db *db, const char *query,
                          const eaf_search_options *opts)
{
    eaf_search_options defaults = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s;
    eaf_status st;
    unsigned qflags = 0;

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!db || !query)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (!opts)
        opts = &defaults;
    if (opts->version < 1 || opts->version > EAF_SEARCH_OPTIONS_VERSION)
        return eaf__db_error(db, EAF_MISUSE, "unsupported eaf_search_options version %u",
                             opts->version);
    if (opts->flags & ~EAF_SEARCH_STRICT)
        return eaf__db_error(db, EAF_MISUSE, "unknown search flags 0x%x", opts->flags);
    s = eaf__calloc(1, sizeof(*s));
    if (!s)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    s->db = db;
    db->children++;
    s->snippet_words = opts->snippet_words == 0 ? DEFAULT_SNIPPET_WORDS
                       : opts->snippet_words > MAX_SNIPPET_WORDS ? MAX_SNIPPET_WORDS
                                                                 : (int)opts->snippet_words;
    s->mark_open = eaf__strdup(opts->mark_open ? opts->mark_open : "[");
    s->mark_close = eaf__strdup(opts->mark_close ? opts->mark_close : "]");
    s->ellipsis = eaf__strdup(opts->ellipsis ? opts->ellipsis : "...");
    if (!s->mark_open || !s->mark_close || !s->ellipsis) {
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
        goto fail;
    }
    if (opts->flags & EAF_SEARCH_STRICT)
        qflags |= EAF__QUERY_STRICT;
    st = eaf__query_parse(&s->q, query, strlen(query), qflags);
    if (st == EAF_SYNTAX) {
        st = eaf__db_error(db, EAF_SYNTAX, "%s", eaf__query_error(s->q));
        db->err_offset = eaf__query_error_offset(s->q);
        goto fail;
    }
    if (st == EAF_OK)
        st = eaf__query_compile(&s->c, eaf__query_root(s->q), P_FIRST_FREE);
    if (st != EAF_OK) {
        st = eaf__db_error(db, st, "out of memory");
        goto fail;
    }
    if (!s->c.positive) {
        /* nothing to look for (empty, or only exclusions) */
        s->done = 1;
        s->have_total = 1;
        *out = s;
        return EAF_OK;
    }
    /* snippets mark the words that matched, or that rank */
    s->snippet_expr = s->c.fts ? s->c.fts : s->c.rank;
    st = build(s, opts->limit ? opts->limit : DEFAULT_LIMIT, opts->offset);
    if (st != EAF_OK)
        goto fail;
    *out = s;
    return EAF_OK;
fail:
    eaf_search_free(s);
    return st;
}

/* Reads the cheap fields of the current hit. */
static eaf_status load_fields(eaf_search *s)
{
    static const eaf_field cols[] = {EAF_FIELD_KEY, EAF_FIELD_URL, EAF_FIELD_TITLE,
                                     EAF_FIELD_DATE, EAF_FIELD_SUMMARY,
                                     EAF_FIELD_LANGUAGE};
    size_t i;
    int rc;

    if (!s->fields) {
        rc = sqlite3_prepare_v2(s->db->sql,
                                "SELECT key, url, title, date, summary, lang"
                                " FROM article WHERE id = ?1",
                                -1, &s->fields, NULL);
        if (rc != SQLITE_OK)
            return eaf__db_sqlerr(s->db, rc, "reading a hit");
    }
    sqlite3_reset(s->fields);
    sqlite3_bind_int64(s->fields, 1, s->id);
    rc = sqlite3_step(s->fields);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s->fields);
        if (rc == SQLITE_DONE)
            return eaf__db_error(s->db, EAF_CORRUPT,
                                 "a hit (id %lld) has no article row", (long long)s->id);
        return eaf__db_sqlerr(s->db, rc, "reading a hit");
    }
    for (i = 0; i < EAF__ARRAY_LEN(cols); i++) {
        const char *t = (const char *)sqlite3_column_text(s->fields, (int)i);
        if (!t)
            continue;
        s->field[cols[i]] = eaf__strndup(t, (size_t)sqlite3_column_bytes(s->fields, (int)i));
        if (!s->field[cols[i]]) {
            sqlite3_reset(s->fields);
            return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        }
    }
    sqlite3_reset(s->fields);
    return EAF_OK;
}

eaf_status eaf_search_next(eaf_search *s)
{
    int rc;
    eaf_status st;

    if (!s)
        return EAF_MISUSE;
    eaf__db_clear_error(s->db);
    clear_row(s);
    if (s->done)
        return EAF_DONE;
    rc = sqlite3_step(s->main);
    if (rc == SQLITE_DONE) {
        s->done = 1;
        return EAF_DONE;
    }
    if (rc != SQLITE_ROW) {
        s->done = 1;
        return eaf__db_sqlerr(s->db, rc, "searching");
    }
    s->id = sqlite3_column_int64(s->main, 0);
    /* bm25 is negative, better hits more so: the score is its negation */
    s->score = sqlite3_column_type(s->main, 1) == SQLITE_NULL
                   ? 0.0 : -sqlite3_column_double(s->main, 1);
    st = load_fields(s);
    if (st != EAF_OK)
        return st;
    s->have_row = 1;
    return EAF_ROW;
}

eaf_status eaf_search_total(int64_t *out, eaf_search *s)
{
    int rc;

    if (!out || !s)
        return EAF_MISUSE;
    *out = 0;
    eaf__db_clear_error(s->db);
    if (!s->have_total) {
        rc = sqlite3_step(s->count);
        if (rc != SQLITE_ROW) {
            sqlite3_reset(s->count);
            return eaf__db_sqlerr(s->db, rc, "counting hits");
        }
        s->total = sqlite3_column_int64(s->count, 0);
        sqlite3_reset(s->count);
        s->have_total = 1;
    }
    *out = s->total;
    return EAF_OK;
}

double eaf_search_score(const eaf_search *s)
{
    return s && s->have_row ? s->score : 0.0;
}

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
    if (!s->have_row)
        return eaf__db_error(s->db, EAF_MISUSE, "no current hit");
    if (!s->article) {
        st = eaf__db_stmt(s->db, EAF__STMT_GET_ARTICLE);
        if (!st)
            return eaf__status_from_sqlite(sqlite3_errcode(s->db->sql));
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

    if (!s || !s->have_row || (unsigned)field >= EAF_FIELD_LAST)
        return NULL;
    if (field == EAF_FIELD_BODY || field == EAF_FIELD_BIO) {
        if (eaf_search_article(&a, s) != EAF_OK)
            return NULL;
        return eaf_article_get(a, field);
    }
    return s->field[field];
}

/* The first words of the body, for hits where no word of the query is in
 * the body (or the query has no words). */
static char *leading_words(const char *body, int words, const char *ellipsis)
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

const char *eaf_search_snippet(eaf_search *s)
{
    int rc;

    if (!s || !s->have_row)
        return NULL;
    if (s->have_snippet)
        return s->snippet;
    if (s->snippet_expr) {
        if (!s->snippet_stmt) {
            rc = sqlite3_prepare_v2(s->db->sql,
                                    "SELECT snippet(fts, 6, ?2, ?3, ?4, ?5)"
                                    " FROM fts WHERE fts MATCH ?1 AND rowid = ?6"
                                    " AND length(body) > 0",
                                    -1, &s->snippet_stmt, NULL);
            if (rc != SQLITE_OK) {
                eaf__db_sqlerr(s->db, rc, "making a snippet");
                return NULL;
            }
            sqlite3_bind_text(s->snippet_stmt, 1, s->snippet_expr, -1, SQLITE_STATIC);
            sqlite3_bind_text(s->snippet_stmt, 2, s->mark_open, -1, SQLITE_STATIC);
            sqlite3_bind_text(s->snippet_stmt, 3, s->mark_close, -1, SQLITE_STATIC);
            sqlite3_bind_text(s->snippet_stmt, 4, s->ellipsis, -1, SQLITE_STATIC);
            sqlite3_bind_int(s->snippet_stmt, 5, s->snippet_words);
        }
        sqlite3_reset(s->snippet_stmt);
        sqlite3_bind_int64(s->snippet_stmt, 6, s->id);
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
        s->snippet = leading_words(body ? body : "", s->snippet_words, s->ellipsis);
    }
    if (!s->snippet) {
        eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        return NULL;
    }
    s->have_snippet = 1;
    return s->snippet;
}
