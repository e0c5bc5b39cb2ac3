/*
 * search.c: running a query: the SQL around the FTS5 expression, filters,
 * ranking and sort orders, paging, totals, the fallback to any-word
 * matching, the fields and snippet of each hit, and --explain.
 *
 * The compiled query (query_sql.c) is an FTS5 expression (the words,
 * phrases and their AND/OR/NOT) and an SQL condition (dates, exact
 * metadata values, filters, and whatever mixes them with words under OR or
 * NOT).  The FTS5 part ranks; the SQL part filters.  The main statement
 * only fetches (id, rank) for the page; fields and snippets are read per
 * hit, so their cost is paid for the hits shown, not for every match.
 */
#include "search.h"
#include "fts.h"
#include "lexicon.h"
#include "related.h"
#include "snippet.h"
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>

/* A place's other forms (Japanese for Japan) weigh this much of the word. */
#define ALIAS_WEIGHT 0.5
/* A term added by relevance feedback weighs this much of a query word. */
#define FEEDBACK_WEIGHT 0.3
/* A query of this many words or more (besides stopwords) is a question:
 * any of its words may match, and hits with more of them rank higher. */
#define QUESTION_WORDS 4

#define BODY_COLUMN 6
#define DEFAULT_LIMIT 10
#define DEFAULT_SNIPPET_WORDS 32
#define MAX_SNIPPET_WORDS 256
#define DEFAULT_SNIPPET_FRAGMENTS 3
#define MAX_SNIPPET_FRAGMENTS 10

static const char *const sort_names[EAF_SORT_LAST] = {"relevance", "newest", "oldest"};

/* ---- the SQL of the hits ------------------------------------------------- */

static void hits_free(eaf__hits_sql *h)
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
        hits_free(h);
        return EAF_NOMEM;
    }
    h->from_where = eaf__buf_detach(&from);
    return EAF_OK;
}

/* Builds where the hits of c come from; need_article joins the article
 * table (for sorting by date); rel, when not NULL, is the related list
 * that orders them (related:KEY). */
static eaf_status hits_make(eaf__hits_sql *h, const eaf__compiled *c, int need_article,
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
        hits_free(h);
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

/* Prepares SELECT <select> <from_where> <tail> for a compiled query. */
static eaf_status prepare_for(eaf_db *db, const eaf__compiled *c, const eaf__hits_sql *h,
                              const char *select, const char *tail, sqlite3_stmt **out)
{
    char *sql = eaf__printf("SELECT %s %s%s%s", select, h->from_where, tail ? " " : "",
                            tail ? tail : "");
    int rc;

    *out = NULL;
    if (!sql)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    rc = sqlite3_prepare_v2(db->sql, sql, -1, out, NULL);
    eaf__free(sql);
    if (rc == SQLITE_OK)
        rc = bind_params(*out, c);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*out);
        *out = NULL;
        return eaf__db_sqlerr(db, rc, "preparing the search");
    }
    return EAF_OK;
}

eaf_status eaf__search_prepare(eaf_search *s, const char *select, const char *tail,
                               sqlite3_stmt **out)
{
    return prepare_for(s->db, &s->c, &s->hits, select, tail, out);
}

eaf_status eaf__search_prepare_sql(eaf_search *s, const char *sql, sqlite3_stmt **out)
{
    int rc = sqlite3_prepare_v2(s->db->sql, sql, -1, out, NULL);

    if (rc == SQLITE_OK)
        rc = bind_params(*out, &s->c);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*out);
        *out = NULL;
        return eaf__db_sqlerr(s->db, rc, "preparing the search");
    }
    return EAF_OK;
}

/* Does a compiled query have at least one hit?  1, 0, or -1 on error. */
static int any_hit(eaf_db *db, const eaf__compiled *c)
{
    eaf__hits_sql h;
    sqlite3_stmt *st = NULL;
    int rc, found = -1;

    if (!c->positive)
        return 0;
    if (hits_make(&h, c, 0, NULL) != EAF_OK) {
        eaf__db_error(db, EAF_NOMEM, "out of memory");
        return -1;
    }
    if (prepare_for(db, c, &h, "1", "LIMIT 1", &st) == EAF_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            found = rc == SQLITE_ROW;
        else
            eaf__db_sqlerr(db, rc, "searching");
    }
    sqlite3_finalize(st);
    hits_free(&h);
    return found;
}

/* The call of the ranking function for a compiled query: the knobs of the
 * search and the spec of the expression's phrases. */
static eaf_status set_rank_call(eaf_search *s, eaf__compiled *c)
{
    const char *expr = c->fts ? c->fts : c->rank;
    eaf__buf spec = EAF__BUF_INIT;
    int i;

    eaf__free(c->rank_call);
    c->rank_call = NULL;
    if (!expr)
        return EAF_OK;
    if (!s->have_ids) {
        /* the range of ids, for the estimates of common words' frequency
         * (without it they are only less exact) */
        int had_error = s->db->err.n > 0;
        sqlite3_stmt *st = eaf__db_stmt(s->db, EAF__STMT_ID_RANGE);

        if (st && sqlite3_step(st) == SQLITE_ROW) {
            s->id_lo = sqlite3_column_int64(st, 0);
            s->id_hi = sqlite3_column_int64(st, 1);
        }
        if (st)
            sqlite3_reset(st);
        else if (!had_error)
            eaf__db_clear_error(s->db); /* not the search's failure */
        s->have_ids = 1;
    }
    if (s->id_hi > s->id_lo)
        eaf__buf_printf(&spec, "ids=%lld-%lld ", (long long)s->id_lo, (long long)s->id_hi);
    if (!eaf__fts_phrase_spec(&spec, expr, s->db->language, ALIAS_WEIGHT, FEEDBACK_WEIGHT)) {
        eaf__buf_free(&spec);
        return EAF_NOMEM;
    }
    {
        eaf__buf call = EAF__BUF_INIT;
        eaf__buf_puts(&call, EAF__RANK_FUNCTION "(");
        for (i = 0; i < 8; i++)
            eaf__buf_printf(&call, "%.17g, ", s->weights[i]);
        eaf__buf_printf(&call, "%.17g, %.17g, %.17g, '%s')", s->k1, s->b, s->proximity,
                        spec.p ? spec.p : "");
        eaf__buf_free(&spec);
        if (call.rc != EAF_OK) {
            eaf__buf_free(&call);
            return EAF_NOMEM;
        }
        c->rank_call = eaf__buf_detach(&call);
    }
    return EAF_OK;
}

/* Compiles a tree with the search's filters and ranking. */
static eaf_status compile_with_filters(eaf_search *s, eaf__compiled *c,
                                       const eaf__qnode *root, const eaf_search_options *o)
{
    const char *bad;
    eaf_status st = eaf__query_compile(c, root, EAF__P_FIRST_FREE);

    if (st == EAF_OK)
        st = eaf__query_add_filters(c, o, &bad);
    if (st == EAF_OK)
        st = set_rank_call(s, c);
    if (st != EAF_OK)
        eaf__compiled_free(c);
    return st;
}

/* Is the node a single stopword, with no prefix or column (or, with
 * requests, a request word, which a question drops too; not otherwise:
 * "find" may be a title's word)? */
static int single_stopword(eaf_search *s, const eaf__qnode *n, int requests)
{
    char *f;
    int r;

    if (n->kind != EAF__Q_TERM || n->prefix || n->cols)
        return 0;
    f = eaf__fold_value(n->text, n->len);
    r = f && !strchr(f, ' ') &&
        (eaf__is_stopword(s->db->language, f, strlen(f)) ||
         (requests && eaf__is_request_word(s->db->language, f, strlen(f))));
    eaf__free(f);
    return r;
}

static int stopword_term(eaf_search *s, const eaf__qnode *n)
{
    return single_stopword(s, n, 1);
}

typedef struct piece_list {
    const char *text;
    size_t starts[EAF__QUERY_MAX_TERMS], ends[EAF__QUERY_MAX_TERMS];
    size_t n;
} piece_list;

static int add_piece(void *ctx, const char *tok, int ntok, int start, int end)
{
    piece_list *p = ctx;

    (void)tok;
    (void)ntok;
    if (p->n < EAF__QUERY_MAX_TERMS) {
        p->starts[p->n] = (size_t)start;
        p->ends[p->n++] = (size_t)end;
    }
    return 0;
}

/* Appends w to a growing list of nodes. */
static eaf_status push_node(eaf_search *s, eaf__qnode *w, eaf__qnode ***words, size_t *cap,
                            size_t *n)
{
    if (*n == *cap) {
        size_t nc = *cap * 2;
        eaf__qnode **nw = eaf__realloc(*words, nc * sizeof(*nw));
        if (!nw)
            return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        *words = nw;
        *cap = nc;
    }
    (*words)[(*n)++] = w;
    return EAF_OK;
}

/* Appends the words of a term (its tokens, as typed), dropping stopwords,
 * to a growing list. */
static eaf_status split_compound(eaf_search *s, eaf__qnode *k, eaf__qnode ***words,
                                 size_t *cap, size_t *n)
{
    piece_list *p = eaf__malloc(sizeof(*p));
    eaf__tokenizer *t = NULL;
    size_t i;
    eaf_status st = EAF_OK;

    if (!p || eaf__tokenizer_new(&t, NULL) != EAF_OK) {
        eaf__free(p);
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    }
    p->text = k->text;
    p->n = 0;
    eaf__tokenize(t, EAF__TOK_QUERY | EAF__TOK_NOSTEM, k->text, k->len, add_piece, p);
    eaf__tokenizer_free(t);
    for (i = 0; i < p->n && st == EAF_OK; i++) {
        eaf__qnode *w = p->n == 1 ? k
                        : eaf__query_term(s->q, k->text + p->starts[i],
                                          p->ends[i] - p->starts[i], k->cols);
        if (!w) {
            st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
            break;
        }
        if (!stopword_term(s, w))
            st = push_node(s, w, words, cap, n);
    }
    eaf__free(p);
    return st;
}

/* Any word may match: the top-level AND of a query's words becomes an OR
 * of them (stopwords dropped, exclusions, dates and filters kept), when it
 * has at least min_words words besides stopwords.  *tier_out, if given,
 * receives the FTS5 expression of all the words together, for ranking the
 * articles with all of them first.  Returns EAF_OK whether or not the
 * query was rewritten (s->question says). */
static eaf_status any_word(eaf_search *s, size_t min_words, char **tier_out)
{
    eaf__qnode **root = eaf__query_root_slot(s->q), *n = *root, **words, **rest, *any;
    size_t i, nw = 0, nr = 0, ntext = 0, wcap;
    eaf_status st = EAF_OK;

    if (!n || n->kind != EAF__Q_AND || n->nkids < 2 || n->explicit_and)
        return EAF_OK; /* a typed AND is obeyed */
    wcap = n->nkids + 8;
    words = eaf__malloc(wcap * sizeof(*words));
    rest = eaf__malloc((n->nkids + 1) * sizeof(*rest));
    if (!words || !rest) {
        st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n->nkids; i++) {
        eaf__qnode *k = n->kids[i];
        if (eaf__qnode_is_text(k) && k->kind != EAF__Q_NOT) {
            ntext++;
            if (k->kind == EAF__Q_TERM && !k->prefix) {
                /* a compound (boundary-layer, US-Japan) counts as its
                 * words, any of which may match; the proximity bonus
                 * still favours them together */
                st = split_compound(s, k, &words, &wcap, &nw);
                if (st != EAF_OK)
                    goto done;
                continue;
            }
            if (!stopword_term(s, k)) {
                st = push_node(s, k, &words, &wcap, &nw);
                if (st != EAF_OK)
                    goto done;
            }
        } else {
            rest[nr++] = k;
        }
    }
    /* the words typed count (a question is a question), but only the words
     * of substance are searched for; with none of them the query stays */
    if (ntext < min_words || nw == 0)
        goto done;
    if (tier_out) {
        eaf__buf tier = EAF__BUF_INIT;
        if (eaf__fts_render_and(&tier, words, nw) && tier.rc == EAF_OK)
            *tier_out = eaf__buf_detach(&tier);
        eaf__buf_free(&tier);
    }
    any = eaf__query_combine(s->q, EAF__Q_OR, words, nw);
    rest[nr] = any;
    any = any ? eaf__query_combine(s->q, EAF__Q_AND, rest, nr + 1) : NULL;
    if (!any) {
        st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        goto done;
    }
    *root = any;
    s->question = 1;
done:
    eaf__free(words);
    eaf__free(rest);
    return st;
}

/* A stopword among the words of substance of a query ("History of",
 * "in the Netherlands") is not scored (query_fts.c) and restricts almost
 * nothing, but requiring it costs: FTS5 merges its long document list and
 * reads its positions in every row the query matches, which made such
 * queries the slowest tenth.  Single stopwords are dropped from the
 * top-level AND when another plain word remains (a query of stopwords
 * only, "The Who", keeps them; a phrase keeps its stopwords). */
static void drop_stopwords(eaf_search *s)
{
    eaf__qnode **root = eaf__query_root_slot(s->q), *n = *root;
    size_t i, kept = 0, content = 0;

    if (!n || n->kind != EAF__Q_AND || n->nkids < 2)
        return;
    for (i = 0; i < n->nkids; i++) {
        const eaf__qnode *k = n->kids[i];
        if (eaf__qnode_is_text(k) && k->kind != EAF__Q_NOT && !single_stopword(s, k, 0))
            content++;
    }
    if (content == 0)
        return;
    for (i = 0; i < n->nkids; i++)
        if (!single_stopword(s, n->kids[i], 0))
            n->kids[kept++] = n->kids[i];
    n->nkids = kept;
    if (kept == 1)
        *root = n->kids[0];
}

/* ---- statements ---------------------------------------------------------- */

/* The main statement of a search by relevance reads only its first
 * offset + limit rows: its ranking call says so ("k=" in the spec), and
 * the rows that cannot be among them are not scored in full (rank.c).
 * Not with the tier of RANK_ALL, which orders before the rank. */
static eaf_status bind_top_k(eaf_search *s)
{
    const char *quote = s->c.rank_call ? strchr(s->c.rank_call, '\'') : NULL;
    unsigned long long k = (unsigned long long)s->limit + s->offset;
    int rc;

    eaf__free(s->rank_call_k);
    s->rank_call_k = NULL;
    if (!quote || !s->c.fts || s->tier || s->rel || s->sort != EAF_SORT_RELEVANCE ||
        k > EAF__RANK_TOP_MAX)
        return EAF_OK;
    s->rank_call_k = eaf__printf("%.*sk=%llu %s", (int)(quote + 1 - s->c.rank_call),
                                 s->c.rank_call, k, quote + 1);
    if (!s->rank_call_k)
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    rc = sqlite3_bind_text(s->main, EAF__P_RANK, s->rank_call_k, -1, SQLITE_STATIC);
    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(s->db, rc, "preparing the search");
}

static eaf_status build(eaf_search *s)
{
    eaf__buf order = EAF__BUF_INIT, tier = EAF__BUF_INIT;
    char *select;
    const char *rank_order;
    eaf_status st;

    hits_free(&s->hits);
    sqlite3_finalize(s->main);
    sqlite3_finalize(s->count);
    s->main = s->count = NULL;
    eaf__snippet_query_free(s->snippet_q);
    s->snippet_q = NULL;
    s->snippet_q_tried = 0;
    s->stepped = 0;
    st = hits_make(&s->hits, &s->c, s->sort != EAF_SORT_RELEVANCE, s->rel);
    if (st != EAF_OK)
        return eaf__db_error(s->db, st, "out of memory");
    /* ties keep the order of the ids, so pages never overlap; the hits of
     * related:KEY keep the order of the list */
    rank_order = s->rel ? "rl.column1, " : s->c.fts ? "r, " : s->c.rank ? "r IS NULL, r, " : "";
    if (s->tier && s->c.fts) /* the articles with all the words first */
        eaf__buf_printf(&tier, "fts.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?%d) DESC, ",
                        EAF__P_TIER);
    switch (s->sort) {
    case EAF_SORT_NEWEST:
        eaf__buf_printf(&order, "ORDER BY a.day IS NULL, a.day DESC, %s%s", rank_order,
                        s->hits.id_col);
        break;
    case EAF_SORT_OLDEST:
        eaf__buf_printf(&order, "ORDER BY a.day IS NULL, a.day, %s%s", rank_order,
                        s->hits.id_col);
        break;
    default:
        if (s->rel)
            eaf__buf_printf(&order, "ORDER BY %s", rank_order);
        else if (s->c.fts || s->c.rank)
            eaf__buf_printf(&order, "ORDER BY %s%s", tier.n ? tier.p : "", rank_order);
        else
            eaf__buf_puts(&order, "ORDER BY ");
        if (!s->c.fts && !s->rel) /* unranked hits (filters): newest first */
            eaf__buf_puts(&order, "a.day IS NULL, a.day DESC, ");
        eaf__buf_puts(&order, s->hits.id_col);
        break;
    }
    eaf__buf_printf(&order, " LIMIT ?%d OFFSET ?%d", EAF__P_LIMIT, EAF__P_OFFSET);
    select = eaf__printf("%s, %s AS r", s->hits.id_col, s->hits.rank_col);
    if (order.rc != EAF_OK || !select) {
        eaf__buf_free(&order);
        eaf__free(select);
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    }
    st = eaf__search_prepare(s, select, order.p, &s->main);
    eaf__free(select);
    eaf__buf_free(&order);
    eaf__buf_free(&tier);
    if (st == EAF_OK && s->tier && s->c.fts)
        sqlite3_bind_text(s->main, EAF__P_TIER, s->tier, -1, SQLITE_STATIC);
    if (st == EAF_OK)
        st = bind_top_k(s);
    if (st == EAF_OK) {
        sqlite3_bind_int64(s->main, EAF__P_LIMIT, s->limit);
        sqlite3_bind_int64(s->main, EAF__P_OFFSET, s->offset);
    }
    s->snippet_expr = s->c.fts ? s->c.fts : s->c.rank;
    return st;
}

/* How a word or phrase appears in messages: as the query wrote it. */
static char *node_label(const eaf__qnode *n)
{
    switch (n->kind) {
    case EAF__Q_TERM:
        return eaf__printf("%s%s", n->text, n->prefix ? "*" : "");
    case EAF__Q_PHRASE:
        return eaf__printf("\"%s\"", n->text);
    default:
        return NULL;
    }
}

/* No article has all the words: search for any of them (the other parts
 * of the query, exclusions, dates and filters, still apply), and note the
 * words that no article has at all. */
static eaf_status try_fallback(eaf_search *s, const eaf_search_options *o)
{
    const eaf__qnode *root = eaf__query_root(s->q);
    eaf__qnode **pos = NULL, **rest = NULL, **items = NULL, *any;
    size_t npos = 0, nrest = 0, nsub, i;
    eaf__compiled c;
    eaf_status st = EAF_OK;
    int found;

    if (!root || root->kind != EAF__Q_AND || root->explicit_and ||
        (s->flags & EAF_SEARCH_NO_FALLBACK))
        return EAF_OK; /* a typed AND is obeyed */
    pos = eaf__malloc(root->nkids * sizeof(*pos));
    rest = eaf__malloc((root->nkids + 1) * sizeof(*rest));
    items = eaf__malloc((root->nkids + 1) * sizeof(*items));
    if (!pos || !rest || !items) {
        st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < root->nkids; i++) {
        eaf__qnode *k = root->kids[i];
        if (eaf__qnode_is_text(k) && k->kind != EAF__Q_NOT)
            pos[npos++] = k;
        else
            rest[nrest++] = k;
    }
    if (npos < 2)
        goto done;
    /* stopwords would match nearly everything: any of the other words */
    for (i = 0, nsub = 0; i < npos; i++)
        if (!stopword_term(s, pos[i]))
            pos[nsub++] = pos[i];
    if (nsub > 0)
        npos = nsub;
    if (s->offset == 0) {
        /* the search itself says whether there is a hit: its first row,
         * which eaf_search_next() then returns (a query fewer) */
        int rc = sqlite3_step(s->main);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
            s->stepped = rc;
            found = rc == SQLITE_ROW;
        } else {
            eaf__db_sqlerr(s->db, rc, "searching");
            found = -1;
        }
    } else {
        found = any_hit(s->db, &s->c);
    }
    if (found != 0) {
        st = found < 0 ? eaf__status_from_sqlite(sqlite3_errcode(s->db->sql)) : EAF_OK;
        goto done;
    }
    /* the words that match nothing on their own */
    for (i = 0; i < npos; i++) {
        eaf__qnode *one;
        char *label;

        items[0] = pos[i];
        memcpy(items + 1, rest, nrest * sizeof(*rest));
        one = eaf__query_combine(s->q, EAF__Q_AND, items, nrest + 1);
        if (!one || compile_with_filters(s, &c, one, o) != EAF_OK) {
            st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
            goto done;
        }
        found = any_hit(s->db, &c);
        eaf__compiled_free(&c);
        if (found < 0) {
            st = EAF_ERROR;
            goto done;
        }
        if (found == 0 && (label = node_label(pos[i])) != NULL &&
            eaf__strvec_push(&s->dropped, label) != EAF_OK) {
            eaf__free(label);
            st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
            goto done;
        }
    }
    any = eaf__query_combine(s->q, EAF__Q_OR, pos, npos);
    rest[nrest] = any;
    any = any ? eaf__query_combine(s->q, EAF__Q_AND, rest, nrest + 1) : NULL;
    if (!any || compile_with_filters(s, &c, any, o) != EAF_OK) {
        st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        goto done;
    }
    found = any_hit(s->db, &c);
    if (found <= 0) {
        /* any of the words finds nothing either: nothing to fall back to */
        eaf__compiled_free(&c);
        eaf__strvec_free(&s->dropped);
        st = found < 0 ? EAF_ERROR : EAF_OK;
        goto done;
    }
    eaf__compiled_free(&s->c);
    s->c = c;
    s->fallback = 1;
    st = build(s);
done:
    eaf__free(pos);
    eaf__free(rest);
    eaf__free(items);
    return st;
}

/* ---- related:KEY ---------------------------------------------------------- */

/* The most related:KEY terms one query resolves; more match nothing. */
#define MAX_RELATED_TERMS 16

/* Reads the related list of each related:KEY of the tree (its stored list
 * when fresh, or one computed now, as eaf_related_new() gives it with the
 * default options); an unknown key matches nothing. */
static eaf_status resolve_related(eaf_search *s, eaf__qnode *n, int *count)
{
    eaf_related *r = NULL;
    int64_t *ids = NULL;
    double *scores = NULL;
    size_t i, k;
    eaf_status st;

    if (!n)
        return EAF_OK;
    if (n->kind != EAF__Q_RELATED) {
        for (i = 0; i < n->nkids; i++) {
            st = resolve_related(s, n->kids[i], count);
            if (st != EAF_OK)
                return st;
        }
        return EAF_OK;
    }
    if ((*count)++ >= MAX_RELATED_TERMS)
        return EAF_OK;
    st = eaf_related_new(&r, s->db, n->text, NULL);
    if (st == EAF_NOTFOUND) {
        eaf__db_clear_error(s->db);
        return eaf__query_set_related(s->q, n, NULL, NULL, 0) == EAF_OK
                   ? EAF_OK : eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    }
    if (st != EAF_OK)
        return st;
    k = eaf_related_count(r);
    ids = eaf__malloc((k ? k : 1) * sizeof(*ids));
    scores = eaf__malloc((k ? k : 1) * sizeof(*scores));
    if (ids && scores) {
        for (i = 0; i < k; i++) {
            ids[i] = eaf__related_id(r, i);
            scores[i] = eaf_related_score(r, i);
        }
        st = eaf__query_set_related(s->q, n, ids, scores, k);
    } else {
        st = EAF_NOMEM;
    }
    eaf_related_free(r);
    eaf__free(ids);
    eaf__free(scores);
    return st == EAF_OK ? EAF_OK : eaf__db_error(s->db, st, "out of memory");
}

/* The related:KEY that orders the hits: the whole query, or one of the
 * terms it ANDs (the first); NULL when there is none, or when its list is
 * empty (then nothing matches). */
static const eaf__qnode *ordering_related(const eaf__qnode *root)
{
    size_t i;

    if (!root)
        return NULL;
    if (root->kind == EAF__Q_RELATED)
        return root->nids ? root : NULL;
    if (root->kind == EAF__Q_AND)
        for (i = 0; i < root->nkids; i++)
            if (root->kids[i]->kind == EAF__Q_RELATED)
                return root->kids[i]->nids ? root->kids[i] : NULL;
    return NULL;
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
    eaf__snippet_query_free(s->snippet_q);
    hits_free(&s->hits);
    eaf__compiled_free(&s->c);
    eaf__strvec_free(&s->dropped);
    eaf__strvec_free(&s->expanded);
    eaf__free(s->suggestion);
    eaf__free(s->explain);
    eaf__free(s->tier);
    eaf__free(s->rank_call_k);
    eaf__free(s->mark_open);
    eaf__free(s->mark_close);
    eaf__free(s->ellipsis);
    eaf__query_free(s->q);
    if (s->db) {
        s->db->children--;
        eaf__db_snapshot_end(s->db);
    }
    eaf__free(s);
}

static unsigned clamp(unsigned v, unsigned dflt, unsigned max)
{
    return v == 0 ? dflt : v > max ? max : v;
}

eaf_status eaf_search_new(eaf_search **out, eaf_db *db, const char *query,
                          const eaf_search_options *opts)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s;
    eaf_status st;
    const char *bad = NULL;
    int nrelated = 0;

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!db || !query)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (opts) {
        if (opts->version < 1 || opts->version > EAF_SEARCH_OPTIONS_VERSION)
            return eaf__db_error(db, EAF_MISUSE,
                                 "unsupported eaf_search_options version %u", opts->version);
        /* read only the fields the caller's version has */
        memcpy(&o, opts, opts->version == 1   ? offsetof(eaf_search_options, sort)
                         : opts->version == 2 ? offsetof(eaf_search_options, weights)
                                              : sizeof(o));
        o.version = EAF_SEARCH_OPTIONS_VERSION;
    }
    if (o.flags & ~(EAF_SEARCH_STRICT | EAF_SEARCH_NO_FALLBACK | EAF_SEARCH_SNIPPET_HTML |
                    EAF_SEARCH_NO_ALIASES | EAF_SEARCH_FEEDBACK | EAF_SEARCH_RANK_ALL |
                    EAF_SEARCH_ALL_WORDS))
        return eaf__db_error(db, EAF_MISUSE, "unknown search flags 0x%x", o.flags);
    if ((o.flags & EAF_SEARCH_RANK_ALL) && (o.flags & EAF_SEARCH_ALL_WORDS))
        return eaf__db_error(db, EAF_MISUSE,
                             "EAF_SEARCH_RANK_ALL and EAF_SEARCH_ALL_WORDS contradict each other");
    if ((unsigned)o.sort >= EAF_SORT_LAST)
        return eaf__db_error(db, EAF_MISUSE, "unknown sort order %d", (int)o.sort);
    /* inside the caller's transaction, the articles put so far are found */
    st = eaf__db_fts_sync(db);
    if (st != EAF_OK)
        return st;
    s = eaf__calloc(1, sizeof(*s));
    if (!s)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    /* the hits, the total, the facets and the articles of a search all
     * come from one state of the index, whatever other writers do */
    st = eaf__db_snapshot_begin(db);
    if (st != EAF_OK) {
        eaf__free(s);
        return st;
    }
    s->db = db;
    db->children++;
    s->flags = o.flags;
    s->sort = o.sort;
    {
        static const double defaults[8] = EAF_RANK_DEFAULT_WEIGHTS;
        memcpy(s->weights, o.weights ? o.weights : defaults, sizeof(s->weights));
        s->k1 = o.k1 > 0.0 ? o.k1 : EAF_RANK_DEFAULT_K1;
        s->b = o.b > 0.0 ? (o.b > 1.0 ? 1.0 : o.b) : o.b < 0.0 ? 0.0 : EAF_RANK_DEFAULT_B;
        s->proximity = o.proximity > 0.0 ? o.proximity
                       : o.proximity < 0.0 ? 0.0 : EAF_RANK_DEFAULT_PROXIMITY;
    }
    s->limit = o.limit ? o.limit : DEFAULT_LIMIT;
    s->offset = o.offset;
    s->snippet_words = (int)clamp(o.snippet_words, DEFAULT_SNIPPET_WORDS, MAX_SNIPPET_WORDS);
    s->snippet_fragments = (int)clamp(o.snippet_fragments, DEFAULT_SNIPPET_FRAGMENTS,
                                      MAX_SNIPPET_FRAGMENTS);
    s->mark_open = eaf__strdup(o.mark_open ? o.mark_open : "[");
    s->mark_close = eaf__strdup(o.mark_close ? o.mark_close : "]");
    s->ellipsis = eaf__strdup(o.ellipsis ? o.ellipsis : "...");
    if (!s->mark_open || !s->mark_close || !s->ellipsis) {
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
        goto fail;
    }
    st = eaf__query_parse(&s->q, query, strlen(query),
                          (o.flags & EAF_SEARCH_STRICT) ? EAF__QUERY_STRICT : 0);
    if (st == EAF_SYNTAX) {
        st = eaf__db_error(db, EAF_SYNTAX, "%s", eaf__query_error(s->q));
        db->err_offset = eaf__query_error_offset(s->q);
        goto fail;
    }
    if (st == EAF_OK) {
        st = resolve_related(s, *eaf__query_root_slot(s->q), &nrelated);
        s->rel = ordering_related(eaf__query_root(s->q));
    }
    if (st == EAF_OK)
        st = eaf__expand_prefixes(s);
    if (st == EAF_OK) /* after: its prefix is not capped */
        st = eaf__expand_cjk(s);
    if (st == EAF_OK && !(o.flags & EAF_SEARCH_ALL_WORDS)) {
        st = any_word(s, (o.flags & EAF_SEARCH_RANK_ALL) ? 2 : QUESTION_WORDS,
                      (o.flags & EAF_SEARCH_RANK_ALL) ? &s->tier : NULL);
        s->read_as_question = s->question && !(o.flags & EAF_SEARCH_RANK_ALL);
    }
    if (st == EAF_OK && !s->question)
        drop_stopwords(s);
    if (st == EAF_OK && !(o.flags & EAF_SEARCH_NO_ALIASES))
        st = eaf__expand_places(s);
    if (st == EAF_OK) {
        st = eaf__query_compile(&s->c, eaf__query_root(s->q), EAF__P_FIRST_FREE);
        if (st == EAF_OK)
            st = eaf__query_add_filters(&s->c, &o, &bad);
        if (st == EAF_OK)
            st = set_rank_call(s, &s->c);
    }
    if (st == EAF_SYNTAX) {
        st = eaf__db_error(db, EAF_SYNTAX,
                           "invalid date filter '%s' (use YYYY, YYYY-MM or YYYY-MM-DD)", bad);
        goto fail;
    }
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
    st = build(s);
    if (st == EAF_OK)
        st = try_fallback(s, &o);
    if (st == EAF_OK && (o.flags & EAF_SEARCH_FEEDBACK)) {
        st = eaf__feedback(s, o.feedback_docs ? o.feedback_docs : EAF_RANK_DEFAULT_FEEDBACK_DOCS,
                           o.feedback_terms ? o.feedback_terms
                                            : EAF_RANK_DEFAULT_FEEDBACK_TERMS);
        if (st == EAF_OK && s->feedback) {
            /* run again with the added terms */
            eaf__compiled c;
            st = compile_with_filters(s, &c, eaf__query_root(s->q), &o);
            if (st == EAF_OK) {
                eaf__compiled_free(&s->c);
                s->c = c;
                st = build(s);
            }
        }
    }
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
    rc = s->stepped ? s->stepped : sqlite3_step(s->main);
    s->stepped = 0;
    if (rc == SQLITE_DONE) {
        s->done = 1;
        return EAF_DONE;
    }
    if (rc != SQLITE_ROW) {
        s->done = 1;
        return eaf__db_sqlerr(s->db, rc, "searching");
    }
    s->id = sqlite3_column_int64(s->main, 0);
    /* the rank is negative, better hits more so: the score is its negation;
     * a hit listed by filters alone has none */
    s->has_score = sqlite3_column_type(s->main, 1) != SQLITE_NULL;
    s->score = s->has_score ? -sqlite3_column_double(s->main, 1) : 0.0;
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
        /* prepared when first asked for: most searches never count */
        if (!s->count) {
            eaf_status st = eaf__search_prepare(s, "count(*)", NULL, &s->count);
            if (st != EAF_OK)
                return st;
        }
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

int eaf_search_has_score(const eaf_search *s)
{
    return s && s->have_row ? s->has_score : 0;
}

int eaf_search_fallback(const eaf_search *s)
{
    return s ? s->fallback : 0;
}

int eaf_search_question(const eaf_search *s)
{
    return s ? s->read_as_question : 0;
}

size_t eaf_search_dropped_count(const eaf_search *s)
{
    return s ? s->dropped.n : 0;
}

const char *eaf_search_dropped(const eaf_search *s, size_t i)
{
    return s && i < s->dropped.n ? s->dropped.v[i] : NULL;
}

const char *eaf_search_suggestion(eaf_search *s)
{
    if (!s)
        return NULL;
    if (!s->have_suggestion) {
        eaf__db_clear_error(s->db);
        if (eaf__suggest(s, &s->suggestion) != EAF_OK)
            return NULL;
        s->have_suggestion = 1;
    }
    return s->suggestion;
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
    o.html = (s->flags & EAF_SEARCH_SNIPPET_HTML) != 0;
    st = eaf__snippet_make(&s->snippet, body, (size_t)sqlite3_column_bytes(get, 0),
                           s->snippet_q, s->db->tok, &o);
    sqlite3_reset(get);
    return st == EAF_ERROR ? EAF_OK : st;
}

const char *eaf_search_snippet(eaf_search *s)
{
    int rc;

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
            rc = sqlite3_prepare_v2(s->db->sql,
                                    "SELECT " EAF__SNIPPET_FUNCTION "(fts, ?2, ?3, ?4, ?5,"
                                    " ?6, ?7, ?8) FROM fts WHERE fts MATCH ?1 AND rowid = ?9",
                                    -1, &s->snippet_stmt, NULL);
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
            sqlite3_bind_int(s->snippet_stmt, 8, (s->flags & EAF_SEARCH_SNIPPET_HTML) != 0);
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
                                   (s->flags & EAF_SEARCH_SNIPPET_HTML) != 0);
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
    if (s->explain)
        return s->explain;
    eaf__buf_printf(&b, "query: %s\n", eaf__query_text(s->q));
    if (s->rel)
        eaf__buf_printf(&b, "related: the %zu articles related to '%s', in the order of"
                            " that list, those the rest of the query matches\n",
                        s->rel->nids, s->rel->text);
    if (s->tier)
        eaf__buf_printf(&b, "rank all: any of the words may match, the articles with all"
                            " of them first (%s)\n", s->tier);
    else if (s->question)
        eaf__buf_printf(&b, "read as a question: %d or more words, any of them may match,"
                            " those with more of them rank higher\n", QUESTION_WORDS);
    else if (s->flags & EAF_SEARCH_ALL_WORDS)
        eaf__buf_puts(&b, "all words: never read as a question\n");
    eaf__buf_puts(&b, "tree:\n");
    eaf__query_dump(&b, eaf__query_root(s->q), 1);
    if (s->fallback) {
        eaf__buf_puts(&b, "fallback: no article has all the words; any of them is enough");
        for (i = 0; i < (int)s->dropped.n; i++)
            eaf__buf_printf(&b, "%s%s", i ? ", " : " (none has: ", s->dropped.v[i]);
        eaf__buf_puts(&b, s->dropped.n ? ")\n" : "\n");
    }
    for (i = 0; i < (int)s->expanded.n; i++)
        eaf__buf_printf(&b, "%s\n", s->expanded.v[i]);
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
    if (s->rel)
        eaf__buf_printf(&b, "rank: by the related-article score\nsort: %s\n",
                        sort_names[s->sort]);
    else if (!s->c.positive)
        eaf__buf_puts(&b, "matches nothing (no words, only exclusions, no filters)\n");
    else
        eaf__buf_printf(&b, "rank: %s\nsort: %s\n",
                        s->c.rank_call ? s->c.rank_call : "(none: by date)",
                        sort_names[s->sort]);
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return NULL;
    }
    s->explain = eaf__buf_detach(&b);
    return s->explain;
}
