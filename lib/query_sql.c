/*
 * query_sql.c: a query tree as one FTS5 expression plus SQL conditions.
 *
 * Words, phrases and their AND/OR/NOT go to FTS5 whole (they rank).  Dates,
 * exact metadata values and related:KEY are SQL conditions over the
 * article table (alias a) and the facet table; where they mix with words
 * under OR or NOT the words become rowid subqueries.  Values are never
 * written into the SQL: they are numbered parameters (?10, ?11, ...) that
 * the caller binds.
 * Only SQL text is made here; nothing runs.
 */
#include "query.h"
#include "tokenize.h"

#include <string.h>

typedef struct piece {
    char *fts;      /* FTS5 expression, or NULL */
    char *sql;      /* SQL condition over article a, or NULL */
    int positive;   /* restricts to a set (not only exclusions) */
} piece;

static int add_param(eaf__compiled *c, int is_text, char *text, int64_t value)
{
    if (c->nparams == c->cap) {
        int cap = c->cap ? c->cap * 2 : 8;
        eaf__qparam *p = eaf__realloc(c->params, (size_t)cap * sizeof(*p));
        if (!p) {
            eaf__free(text);
            c->nomem = 1;
            return 0;
        }
        c->params = p;
        c->cap = cap;
    }
    c->params[c->nparams].index = c->next_index;
    c->params[c->nparams].is_text = is_text;
    c->params[c->nparams].text = text;
    c->params[c->nparams].value = value;
    c->nparams++;
    return c->next_index++;
}

static void free_piece(piece *p)
{
    eaf__free(p->fts);
    eaf__free(p->sql);
    p->fts = p->sql = NULL;
}

static char *take(eaf__buf *b, eaf__compiled *c)
{
    char *s;

    if (b->rc != EAF_OK) {
        c->nomem = 1;
        eaf__buf_free(b);
        return NULL;
    }
    s = b->n ? eaf__buf_detach(b) : NULL;
    eaf__buf_free(b);
    return s;
}

/* The SQL condition equivalent to a piece: its FTS5 part as a rowid
 * subquery (its expression bound as a parameter) AND its SQL part. */
static char *as_condition(eaf__compiled *c, piece *p)
{
    eaf__buf b = EAF__BUF_INIT;

    if (p->fts) {
        char *fts = eaf__strdup(p->fts);
        int idx;
        if (!fts) {
            c->nomem = 1;
            return NULL;
        }
        idx = add_param(c, 1, fts, 0);
        if (!idx)
            return NULL;
        eaf__buf_printf(&b, "a.id IN (SELECT rowid FROM fts WHERE fts MATCH ?%d)", idx);
    }
    if (p->sql) {
        if (b.n)
            eaf__buf_puts(&b, " AND ");
        eaf__buf_printf(&b, "(%s)", p->sql);
    }
    return take(&b, c);
}

static piece compile(eaf__compiled *c, const eaf__qnode *n);

static piece compile_meta(eaf__compiled *c, const eaf__qnode *n)
{
    piece p = {NULL, NULL, 1};
    eaf__buf b = EAF__BUF_INIT;
    char *norm = eaf__fold_value(n->text, n->len);
    int k, first = 1, idx;

    if (!norm) {
        c->nomem = 1;
        return p;
    }
    if (!*norm) { /* nothing searchable: matches nothing */
        eaf__free(norm);
        p.sql = eaf__strdup("0");
        c->nomem |= !p.sql;
        return p;
    }
    idx = add_param(c, 1, norm, 0);
    if (!idx)
        return p;
    eaf__buf_puts(&b, "a.id IN (SELECT article_id FROM facet WHERE kind IN (");
    for (k = 0; k < 32; k++) {
        if (n->meta_kinds & (1u << k)) {
            eaf__buf_printf(&b, "%s%d", first ? "" : ",", k);
            first = 0;
        }
    }
    eaf__buf_printf(&b, ") AND norm = ?%d)", idx);
    p.sql = take(&b, c);
    return p;
}

static piece compile_date(eaf__compiled *c, const eaf__qnode *n)
{
    piece p = {NULL, NULL, 1};
    int lo = add_param(c, 0, NULL, n->day_from);
    int hi = lo ? add_param(c, 0, NULL, n->day_to) : 0;

    if (hi)
        p.sql = eaf__printf("a.day BETWEEN ?%d AND ?%d", lo, hi);
    c->nomem |= !p.sql;
    return p;
}

/* related:KEY: the articles of the key's related list (plan.c resolves
 * it before compiling; unresolved, or an unknown key, it matches nothing). */
static piece compile_related(eaf__compiled *c, const eaf__qnode *n)
{
    piece p = {NULL, NULL, 1};
    eaf__buf b = EAF__BUF_INIT;
    size_t i;

    if (!n->resolved || n->nids == 0) {
        p.sql = eaf__strdup("0");
        c->nomem |= !p.sql;
        return p;
    }
    eaf__buf_puts(&b, "a.id IN (");
    for (i = 0; i < n->nids; i++) {
        int idx = add_param(c, 0, NULL, n->ids[i]);
        if (!idx) {
            eaf__buf_free(&b);
            return p;
        }
        eaf__buf_printf(&b, "%s?%d", i ? ", " : "", idx);
    }
    eaf__buf_putc(&b, ')');
    p.sql = take(&b, c);
    return p;
}

/* NOT of a piece: an exclusion, never positive. */
static piece compile_not(eaf__compiled *c, const eaf__qnode *n)
{
    piece inner = compile(c, n->kids[0]), p = {NULL, NULL, 0};
    char *cond;

    if (!inner.fts && !inner.sql)
        return p;
    cond = as_condition(c, &inner);
    free_piece(&inner);
    if (cond)
        p.sql = eaf__printf("NOT (%s)", cond);
    c->nomem |= !p.sql;
    eaf__free(cond);
    return p;
}

/* Appends "cond" to an AND list in b. */
static void and_append(eaf__buf *b, const char *cond)
{
    if (b->n)
        eaf__buf_puts(b, " AND ");
    eaf__buf_printf(b, "(%s)", cond);
}

static piece compile_and(eaf__compiled *c, const eaf__qnode *n)
{
    piece p = {NULL, NULL, 0};
    eaf__qnode **text = eaf__malloc(n->nkids * sizeof(*text));
    eaf__buf fts = EAF__BUF_INIT, sql = EAF__BUF_INIT;
    size_t i, ntext = 0;
    int has_neg_text = 0;

    if (!text) {
        c->nomem = 1;
        return p;
    }
    for (i = 0; i < n->nkids; i++) {
        if (eaf__qnode_is_text(n->kids[i])) {
            text[ntext++] = n->kids[i];
            if (n->kids[i]->kind == EAF__Q_NOT)
                has_neg_text = 1;
        }
    }
    if (ntext > 0 && eaf__fts_render_and(&fts, text, ntext)) {
        p.positive = 1;
    } else if (has_neg_text) {
        /* only exclusions among the words: they become SQL */
        for (i = 0; i < ntext; i++) {
            if (text[i]->kind == EAF__Q_NOT) {
                piece x = compile_not(c, text[i]);
                if (x.sql)
                    and_append(&sql, x.sql);
                free_piece(&x);
            }
        }
    }
    for (i = 0; i < n->nkids; i++) {
        piece x;
        if (eaf__qnode_is_text(n->kids[i]))
            continue;
        x = compile(c, n->kids[i]);
        if (x.fts) {
            if (fts.n) {
                /* two FTS parts in one AND: combine them */
                eaf__buf both = EAF__BUF_INIT;
                eaf__buf_printf(&both, "(%s) AND (%s)", fts.p, x.fts);
                eaf__buf_free(&fts);
                fts = both;
            } else {
                eaf__buf_puts(&fts, x.fts);
            }
        }
        if (x.sql)
            and_append(&sql, x.sql);
        p.positive |= x.positive;
        free_piece(&x);
    }
    eaf__free(text);
    p.fts = take(&fts, c);
    p.sql = take(&sql, c);
    return p;
}

static piece compile_or(eaf__compiled *c, const eaf__qnode *n)
{
    piece p = {NULL, NULL, 0};
    eaf__buf sql = EAF__BUF_INIT;
    size_t i;

    for (i = 0; i < n->nkids; i++) {
        piece x = compile(c, n->kids[i]);
        char *cond;

        /* an alternative made only of exclusions would match nearly
         * everything; it is dropped, as in the FTS5 rendering */
        if (x.positive && (x.fts || x.sql)) {
            cond = as_condition(c, &x);
            if (cond) {
                if (sql.n)
                    eaf__buf_puts(&sql, " OR ");
                eaf__buf_printf(&sql, "(%s)", cond);
                p.positive = 1;
            }
            eaf__free(cond);
        }
        free_piece(&x);
    }
    p.sql = take(&sql, c);
    return p;
}

static piece compile(eaf__compiled *c, const eaf__qnode *n)
{
    piece p = {NULL, NULL, 0};
    eaf__buf b = EAF__BUF_INIT;

    if (!n || c->nomem)
        return p;
    if (eaf__qnode_is_text(n) && n->kind != EAF__Q_NOT) {
        if (eaf__fts_render(&b, n))
            p.positive = 1;
        p.fts = take(&b, c);
        if (!p.fts)
            p.positive = 0;
        if (n->kind != EAF__Q_AND || p.fts)
            return p;
        /* an AND of only exclusions: as SQL below */
    }
    switch (n->kind) {
    case EAF__Q_META: return compile_meta(c, n);
    case EAF__Q_DATE: return compile_date(c, n);
    case EAF__Q_RELATED: return compile_related(c, n);
    case EAF__Q_NOT: return compile_not(c, n);
    case EAF__Q_AND: return compile_and(c, n);
    case EAF__Q_OR: return compile_or(c, n);
    default: return p;
    }
}

void eaf__compiled_free(eaf__compiled *c)
{
    int i;

    for (i = 0; i < c->nparams; i++)
        eaf__free(c->params[i].text);
    eaf__free(c->params);
    eaf__free(c->fts);
    eaf__free(c->sql);
    eaf__free(c->rank);
    eaf__free(c->rank_call);
    memset(c, 0, sizeof(*c));
}

eaf_status eaf__query_compile(eaf__compiled *c, const eaf__qnode *root,
                              int first_param)
{
    piece p;
    eaf__buf rank = EAF__BUF_INIT;

    memset(c, 0, sizeof(*c));
    c->next_index = first_param;
    p = compile(c, root);
    c->fts = p.fts;
    c->sql = p.sql;
    c->positive = p.positive && (p.fts || p.sql);
    /* words mixed with filters under OR/NOT: rank by all the positive
     * words, in one OR */
    if (!p.fts && p.sql && eaf__fts_render_positive(&rank, root))
        c->rank = take(&rank, c);
    eaf__buf_free(&rank);
    if (c->nomem) {
        eaf__compiled_free(c);
        return EAF_NOMEM;
    }
    return EAF_OK;
}

/* First and last day of a date filter value (YYYY, YYYY-MM, YYYY-MM-DD). */
static int filter_day(const char *v, int32_t *lo, int32_t *hi)
{
    char buf[11];
    int32_t day;
    size_t n = strlen(v);

    if ((n != 4 && n != 7 && n != 10) || !eaf__date_parse(v, n, buf, &day))
        return 0;
    *lo = day;
    *hi = n == 4 ? day + 1299 : n == 7 ? day + 99 : day;
    return 1;
}

/* "a.id IN (SELECT article_id FROM facet WHERE kind = K AND norm IN (...))"
 * for a NULL-terminated list of values; nothing for an empty list. */
static void list_filter(eaf__compiled *c, eaf__buf *b, int kind,
                        const char *const *values)
{
    size_t i;
    int count = 0;

    if (!values || !values[0])
        return;
    if (b->n)
        eaf__buf_puts(b, " AND ");
    eaf__buf_printf(b, "a.id IN (SELECT article_id FROM facet WHERE kind = %d"
                       " AND norm IN (", kind);
    for (i = 0; values[i]; i++) {
        char *norm = eaf__fold_value(values[i], strlen(values[i]));
        int idx;
        if (!norm) {
            c->nomem = 1;
            return;
        }
        if (!*norm) { /* nothing searchable: matches no value */
            eaf__free(norm);
            continue;
        }
        idx = add_param(c, 1, norm, 0);
        if (!idx)
            return;
        eaf__buf_printf(b, "%s?%d", count++ ? ", " : "", idx);
    }
    if (count == 0)
        eaf__buf_puts(b, "NULL");
    eaf__buf_puts(b, "))");
}

eaf_status eaf__query_add_filters(eaf__compiled *c, const eaf_search_options *o,
                                  const char **bad)
{
    eaf__buf b = EAF__BUF_INIT;
    int32_t from = EAF__DAY_MIN, to = EAF__DAY_MAX, lo, hi;
    char *sql;

    *bad = NULL;
    if (o->date_from) {
        if (!filter_day(o->date_from, &lo, &hi)) {
            *bad = o->date_from;
            return EAF_SYNTAX;
        }
        from = lo;
    }
    if (o->date_to) {
        if (!filter_day(o->date_to, &lo, &hi)) {
            *bad = o->date_to;
            return EAF_SYNTAX;
        }
        to = hi;
    }
    if (o->date_from || o->date_to) {
        int l = add_param(c, 0, NULL, from);
        int h = l ? add_param(c, 0, NULL, to) : 0;
        if (h)
            eaf__buf_printf(&b, "a.day BETWEEN ?%d AND ?%d", l, h);
    }
    list_filter(c, &b, 10, o->authors);
    list_filter(c, &b, EAF_TAG_TOPIC, o->topics);
    list_filter(c, &b, EAF_TAG_COUNTRY, o->countries);
    list_filter(c, &b, EAF_TAG_OTHER, o->tags);
    if (b.rc != EAF_OK || c->nomem) {
        eaf__buf_free(&b);
        return EAF_NOMEM;
    }
    if (b.n == 0)
        return EAF_OK;
    sql = c->sql ? eaf__printf("(%s) AND (%s)", c->sql, b.p) : eaf__strdup(b.p);
    eaf__buf_free(&b);
    if (!sql)
        return EAF_NOMEM;
    eaf__free(c->sql);
    c->sql = sql;
    /* filters alone (or with exclusions) list the filtered articles */
    c->positive = 1;
    return EAF_OK;
}
