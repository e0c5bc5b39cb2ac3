/*
 * hits.c: a plan compiled against one index (its FTS5 expression, its SQL
 * condition and the call of the ranking function, which reads the range
 * of the index's ids), and the SQL around it that lists its hits: plain
 * FTS5 matches, articles that filters select, or the rows of a related
 * list.  The cursor (search.c) builds its statements on it, the feedback
 * pass reads the best hits through it.
 */
#include "hits.h"
#include "fts.h"
#include "shard.h"

#include <stdlib.h>
#include <string.h>

/* A place's other forms (Japanese for Japan) weigh this much of the word. */
#define ALIAS_WEIGHT 0.5
/* A term added by relevance feedback weighs this much of a query word. */
#define FEEDBACK_WEIGHT 0.3

/* ---- the SQL of the hits ------------------------------------------------- */

void eaf__hits_free(eaf__hits_sql *h)
{
    eaf__free(h->from_where);
    eaf__free(h->rank_col);
    memset(h, 0, sizeof(*h));
}

/* The hits of c in the order of a related list: its (position, id, score)
 * rows joined to the articles that c matches. */
static eaf_status hits_make_related(eaf__hits_sql *h, const eaf__compiled *c,
                                   const eaf__qnode *rel)
{
    eaf__buf from = EAF__BUF_INIT;
    size_t i;

    h->has_article = 1;
    h->id_col = "a.id";
    h->rank_col = eaf__strdup("-rl.column3");
    eaf__buf_puts(&from, "FROM (VALUES ");
    for (i = 0; i < rel->nids; i++)
        eaf__buf_printf(&from, "%s(%zu, %lld, %.17g)", i ? ", " : "", i,
                        (long long)rel->ids[i], rel->scores[i]);
    eaf__buf_puts(&from, ") rl JOIN article a ON a.id = rl.column2 WHERE ");
    if (c->fts)
        eaf__buf_printf(&from, "a.id IN (SELECT rowid FROM fts WHERE fts MATCH ?%d)%s",
                        EAF__P_MATCH, c->sql ? " AND " : "");
    eaf__buf_printf(&from, "(%s)", c->sql ? c->sql : "1");
    if (from.rc != EAF_OK || !h->rank_col) {
        eaf__buf_free(&from);
        eaf__hits_free(h);
        return EAF_NOMEM;
    }
    h->from_where = eaf__buf_detach(&from);
    return EAF_OK;
}

eaf_status eaf__hits_make(eaf__hits_sql *h, const eaf__compiled *c, int need_article,
                          const eaf__qnode *rel)
{
    memset(h, 0, sizeof(*h));
    if (rel)
        return hits_make_related(h, c, rel);
    if (c->fts) {
        h->has_article = need_article || c->sql != NULL;
        h->id_col = "fts.rowid";
        h->rank_col = eaf__strdup("fts.rank");
        h->from_where = eaf__printf(
            "FROM fts%s WHERE fts MATCH ?%d AND fts.rank MATCH ?%d%s%s%s",
            h->has_article ? " JOIN article a ON a.id = fts.rowid" : "", EAF__P_MATCH,
            EAF__P_RANK, c->sql ? " AND (" : "", c->sql ? c->sql : "", c->sql ? ")" : "");
    } else {
        /* filters, or words mixed with filters under OR/NOT: filter in
         * SQL, rank the articles the words match */
        h->has_article = 1;
        h->id_col = "a.id";
        h->rank_col = c->rank
            ? eaf__printf("(SELECT fts.rank FROM fts WHERE fts MATCH ?%d"
                          " AND fts.rank MATCH ?%d AND fts.rowid = a.id)",
                          EAF__P_MATCH, EAF__P_RANK)
            : eaf__strdup("NULL");
        h->from_where = eaf__printf("FROM article a WHERE %s", c->sql ? c->sql : "1");
    }
    if (!h->from_where || !h->rank_col) {
        eaf__hits_free(h);
        return EAF_NOMEM;
    }
    return EAF_OK;
}

static int bind_params(sqlite3_stmt *st, const eaf__compiled *c)
{
    int i, rc = SQLITE_OK, max = sqlite3_bind_parameter_count(st);
    const char *expr = c->fts ? c->fts : c->rank;

    if (expr && max >= EAF__P_MATCH)
        rc = sqlite3_bind_text(st, EAF__P_MATCH, expr, -1, SQLITE_STATIC);
    if (expr && rc == SQLITE_OK && max >= EAF__P_RANK)
        rc = sqlite3_bind_text(st, EAF__P_RANK, c->rank_call, -1, SQLITE_STATIC);
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

eaf_status eaf__hits_prepare(eaf_db *db, const eaf__compiled *c, const eaf__hits_sql *h,
                             const char *select, const char *tail, sqlite3_stmt **out)
{
    char *sql = eaf__printf("SELECT %s %s%s%s", select, h->from_where, tail ? " " : "",
                            tail ? tail : "");
    eaf_status st;

    *out = NULL;
    if (!sql)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    st = eaf__hits_prepare_sql(db, c, sql, out);
    eaf__free(sql);
    return st;
}

eaf_status eaf__hits_prepare_sql(eaf_db *db, const eaf__compiled *c, const char *sql,
                                 sqlite3_stmt **out)
{
    int rc = eaf__stmt_take(&db->kept, db->sql, sql, out);

    if (rc == SQLITE_OK)
        rc = bind_params(*out, c);
    if (rc != SQLITE_OK) {
        eaf__stmt_give(&db->kept, *out);
        *out = NULL;
        return eaf__db_sqlerr(db, rc, "preparing the search");
    }
    return EAF_OK;
}

void eaf__hits_release(eaf_db *db, sqlite3_stmt *st)
{
    if (st)
        eaf__stmt_give(&db->kept, st);
}

static int set_any(eaf_db *db, const eaf__compiled *c);

int eaf__hits_any(eaf_db *db, const eaf__compiled *c)
{
    if (EAF__IS_MEMBER(db))
        return set_any(db, c);
    return eaf__hits_any_local(db, c);
}

int eaf__hits_any_local(eaf_db *db, const eaf__compiled *c)
{
    eaf__hits_sql h;
    sqlite3_stmt *st = NULL;
    int rc, found = -1;

    if (!c->positive)
        return 0;
    if (eaf__hits_make(&h, c, 0, NULL) != EAF_OK) {
        eaf__db_error(db, EAF_NOMEM, "out of memory");
        return -1;
    }
    if (eaf__hits_prepare(db, c, &h, "1", "LIMIT 1", &st) == EAF_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            found = rc == SQLITE_ROW;
        else
            eaf__db_sqlerr(db, rc, "searching");
    }
    eaf__hits_release(db, st);
    eaf__hits_free(&h);
    return found;
}

/* The call of the ranking function for a compiled query: the knobs of the
 * search and the spec of the expression's phrases. */
static eaf_status set_rank_call(eaf__compiled *c, const eaf__plan *p, eaf_db *db,
                                eaf__id_range *ids, int typed)
{
    const char *expr = c->fts ? c->fts : c->rank;
    eaf__buf spec = EAF__BUF_INIT, groups = EAF__BUF_INIT;
    int i;

    eaf__free(c->rank_call);
    c->rank_call = NULL;
    if (!expr)
        return EAF_OK;
    if (!ids->have) {
        /* the range of ids, for the estimates of common words' frequency
         * (without it they are only less exact) */
        int had_error = db->err.n > 0;
        sqlite3_stmt *st = eaf__db_stmt(db, EAF__STMT_ID_RANGE);

        if (st && sqlite3_step(st) == SQLITE_ROW) {
            ids->lo = sqlite3_column_int64(st, 0);
            ids->hi = sqlite3_column_int64(st, 1);
        }
        if (st)
            sqlite3_reset(st);
        else if (!had_error)
            eaf__db_clear_error(db); /* not the search's failure */
        ids->have = 1;
    }
    if (!eaf__fts_phrase_spec(&groups, expr, db->language, ALIAS_WEIGHT, FEEDBACK_WEIGHT)) {
        eaf__buf_free(&groups);
        return EAF_NOMEM;
    }
    if (EAF__IS_MEMBER(db) && c->fts) {
        /* a shard ranks with the statistics of its whole set (hits_set.c) */
        eaf_status st = eaf__set_stats(db, c->fts, groups.p ? groups.p : "", &spec, &ids->lo,
                                       &ids->hi);
        if (st != EAF_OK) {
            eaf__buf_free(&spec);
            eaf__buf_free(&groups);
            return st;
        }
    }
    if (ids->hi > ids->lo)
        eaf__buf_printf(&spec, "ids=%lld-%lld ", (long long)ids->lo, (long long)ids->hi);
    eaf__buf_puts(&spec, groups.p ? groups.p : "");
    eaf__buf_free(&groups);
    if (spec.rc != EAF_OK) {
        eaf__buf_free(&spec);
        return EAF_NOMEM;
    }
    {
        eaf__buf call = EAF__BUF_INIT;
        eaf__buf_puts(&call, EAF__RANK_FUNCTION "(");
        for (i = 0; i < 8; i++)
            eaf__buf_printf(&call, "%.17g, ", p->weights[i]);
        eaf__buf_printf(&call, "%.17g, %.17g, %.17g, '%s'", p->k1, p->b, p->proximity,
                        spec.p ? spec.p : "");
        if (typed)
            eaf__plan_title_arg(&call, p);
        eaf__buf_putc(&call, ')');
        eaf__buf_free(&spec);
        if (call.rc != EAF_OK) {
            eaf__buf_free(&call);
            return EAF_NOMEM;
        }
        c->rank_call = eaf__buf_detach(&call);
    }
    return EAF_OK;
}

eaf_status eaf__plan_compile(eaf__compiled *c, const eaf__plan *p, const eaf__qnode *root,
                             eaf_db *db, eaf__id_range *ids, const char **bad)
{
    const char *bad_ = NULL;
    eaf_status st = eaf__query_compile(c, root, EAF__P_FIRST_FREE);

    if (st == EAF_OK)
        st = eaf__query_add_filters(c, &p->o, &bad_);
    if (st == EAF_OK) /* the title phrase: the words typed, not a fallback's */
        st = set_rank_call(c, p, db, ids, root == eaf__query_root(p->q));
    if (st != EAF_OK)
        eaf__compiled_free(c);
    if (bad)
        *bad = bad_;
    return st;
}

/* Reads the best hits first, as the cursor would list them by relevance
 * (without its tier). */
eaf_status eaf__hits_top(eaf_db *db, const eaf__compiled *c, const eaf__hits_sql *h,
                         unsigned d, int64_t **ids, size_t *n)
{
    sqlite3_stmt *hits = NULL;
    char *select = eaf__printf("%s, %s AS r", h->id_col, h->rank_col);
    /* (ties by id, and not FTS5's own sort: feedback.c says why) */
    char *tail = eaf__printf("ORDER BY r, %s LIMIT %u", h->id_col, d);
    size_t cap = 0;
    eaf_status st;
    int rc;

    *ids = NULL;
    *n = 0;
    if (!select || !tail) {
        eaf__free(select);
        eaf__free(tail);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    st = eaf__hits_prepare(db, c, h, select, tail, &hits);
    eaf__free(select);
    eaf__free(tail);
    if (st != EAF_OK)
        return st;
    while ((rc = sqlite3_step(hits)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            int64_t *nv = eaf__realloc(*ids, nc * sizeof(*nv));
            if (!nv) {
                st = eaf__db_error(db, EAF_NOMEM, "out of memory");
                break;
            }
            *ids = nv;
            cap = nc;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(hits, 0);
    }
    if (st == EAF_OK && rc != SQLITE_DONE)
        st = eaf__db_sqlerr(db, rc, "reading the best hits for feedback");
    eaf__hits_release(db, hits);
    if (st != EAF_OK) {
        eaf__free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return st;
}

/* Has any shard of a member's set a hit of c? */
static int set_any(eaf_db *db, const eaf__compiled *c)
{
    unsigned k;

    if (!db->set->db)
        return 0; /* a lone member knows no other */
    for (k = 0; k < db->set->n; k++) {
        int found;
        found = eaf__hits_any_local(db->set->db[k], c);
        if (found != 0) {
            if (found < 0 && db->set->db[k] != db)
                eaf__db_error(db, EAF_ERROR, "%s", eaf_db_errmsg(db->set->db[k]));
            return found;
        }
    }
    return 0;
}
