/*
 * search.c: the cursor of a search.  eaf_search_new() makes the plan
 * (plan.h), runs its rewrite passes, compiles it against the index
 * (hits.h) and decides on the fallback to any of the words; the cursor
 * then pages through the hits, counts them and reads each hit's fields.
 * Snippets, articles and --explain of the current hit are in search_hit.c.
 *
 * The compiled query (query_sql.c) is an FTS5 expression (the words,
 * phrases and their AND/OR/NOT) and an SQL condition (dates, exact
 * metadata values, filters, and whatever mixes them with words under OR or
 * NOT).  The FTS5 part ranks; the SQL part filters.  The main statement
 * only fetches (id, rank) for the page; fields and snippets are read per
 * hit, so their cost is paid for the hits shown, not for every match.
 */
#include "search.h"
#include "options.h"
#include "shard.h"
#include "fts.h"
#include "snippet.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SNIPPET_WORDS 32
#define MAX_SNIPPET_WORDS 256
#define DEFAULT_SNIPPET_FRAGMENTS 3
#define MAX_SNIPPET_FRAGMENTS 10

eaf_status eaf__search_prepare(eaf_search *s, const char *select, const char *tail,
                               sqlite3_stmt **out)
{
    return eaf__hits_prepare(s->db, &s->c, &s->hits, select, tail, out);
}

eaf_status eaf__search_prepare_sql(eaf_search *s, const char *sql, sqlite3_stmt **out)
{
    return eaf__hits_prepare_sql(s->db, &s->c, sql, out);
}

/* ---- statements ---------------------------------------------------------- */

/* The main statement of a search by relevance reads only its first
 * offset + limit rows: its ranking call says so ("k=" in the spec), and
 * the rows that cannot be among them are not scored in full (rank.c).
 * Not with the tier of RANK_ALL, which orders before the rank. */
int eaf__search_rank_call_k(const eaf_search *s, unsigned long long k, char **out)
{
    const char *quote = s->c.rank_call ? strchr(s->c.rank_call, '\'') : NULL;

    *out = NULL;
    if (!quote || !s->c.fts || s->plan->tier || s->plan->rel ||
        s->plan->sort != EAF_SORT_RELEVANCE || k > EAF__RANK_TOP_MAX)
        return 0;
    *out = eaf__printf("%.*sk=%llu %s", (int)(quote + 1 - s->c.rank_call), s->c.rank_call, k,
                       quote + 1);
    return *out ? 0 : -1;
}

/* The spec of a ranking call, its first quoted argument: *open at its
 * opening quote, *close at its closing one (a spec holds no quote).  The
 * calls made here all have one (eaf__search_rank_call_k()). */
static void spec_of(const char *call, const char **open, const char **close)
{
    *open = strchr(call, '\'');
    *close = strchr(*open + 1, '\'');
}

/* The next phrase's "G:W[:S]" in a spec from *p to close, its options
 * ("ids=..", "k=..": a '=' in each) passed over: its start and length
 * (*n), and *p after it; NULL after the last. */
static const char *spec_phrase(const char **p, const char *close, size_t *n)
{
    while (*p < close) {
        const char *word;
        while (*p < close && **p == ' ')
            (*p)++;
        word = *p;
        while (*p < close && **p != ' ')
            (*p)++;
        if (*p > word && !memchr(word, '=', (size_t)(*p - word))) {
            *n = (size_t)(*p - word);
            return word;
        }
    }
    return NULL;
}

/* A ranking call with ":S" after the i-th phrase's "G:W" of its spec for
 * each sizes[i] above 0 (of n); NULL when out of memory. */
static char *call_sized(const char *call, const int *sizes, size_t n)
{
    const char *open, *close, *p, *from = call, *w;
    eaf__buf b = EAF__BUF_INIT;
    size_t i, wn;

    spec_of(call, &open, &close);
    for (i = 0, p = open + 1; (w = spec_phrase(&p, close, &wn)) != NULL; i++) {
        if (i < n && sizes[i] > 0) {
            eaf__buf_append(&b, from, (size_t)(w + wn - from));
            eaf__buf_printf(&b, ":%d", sizes[i]);
            from = w + wn;
        }
    }
    eaf__buf_puts(&b, from);
    return b.rc == EAF_OK ? eaf__buf_detach(&b) : (eaf__buf_free(&b), NULL);
}

/* The main statement of a search by relevance matches its phrases without
 * the words their grams imply (eaf__fts_shorten()), its ranking told their
 * sizes: the same rows and scores, where FTS5 read the positions of a
 * stopword in nearly every article ("the of" of a million generated
 * articles: FTS5 matched the gram and then every "of").  Its count,
 * snippets and the rest read the whole phrases. */
static eaf_status bind_short(eaf_search *s)
{
    int sizes[64];
    char *call;
    int rc;

    eaf__free(s->main_fts);
    s->main_fts = NULL;
    if (eaf__fts_shorten(&s->main_fts, s->c.fts, sizes, 64) != EAF_OK)
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    if (!s->main_fts)
        return EAF_OK;
    call = call_sized(s->rank_call_k, sizes, 64);
    if (!call) {
        eaf__free(s->main_fts);
        s->main_fts = NULL;
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    }
    eaf__free(s->rank_call_k);
    s->rank_call_k = call;
    rc = sqlite3_bind_text(s->main, EAF__P_MATCH, s->main_fts, -1, SQLITE_STATIC);
    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(s->db, rc, "preparing the search");
}

static eaf_status bind_top_k(eaf_search *s)
{
    unsigned long long k = (unsigned long long)s->plan->limit + s->plan->offset;
    eaf_status st;
    int rc;

    eaf__free(s->rank_call_k);
    s->rank_call_k = NULL;
    if (eaf__search_rank_call_k(s, k, &s->rank_call_k) != 0)
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    if (!s->rank_call_k)
        return EAF_OK;
    if ((st = bind_short(s)) != EAF_OK)
        return st;
    rc = sqlite3_bind_text(s->main, EAF__P_RANK, s->rank_call_k, -1, SQLITE_STATIC);
    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(s->db, rc, "preparing the search");
}

/* ---- the rows with the words in their titles first ------------------------
 *
 * A search for a common word matches thousands of rows, and FTS5 hands
 * every one of them to the ranking function ("History of" matches 12,498
 * of the 123,057 enwiki sections, "and early" 16,254).  A row that has
 * none of the query's scored phrases in its title scores at most what its
 * words and the proximity bonus can add, a bound rank.c reports; a row
 * that has one gains its title's weight, its coverage and the title
 * phrase, and such rows usually fill the page.  So when the ranking of a
 * search for one word (with its other forms, if any) finds at its 500th
 * row that, at that pace through the table's ids, it would rank 4,000 or
 * more (rank.c), it stops and asks for a first run on the query AND any
 * scored phrase in the title ("{title} : (...)"), which FTS5 decides
 * inside its walk of the posting lists, with no call per row.  When that
 * run finds the k rows the page needs and the k-th of them scores above
 * the bound of every other row, the page is what the whole query gives,
 * to the last tie: no other row can enter it.  Otherwise the whole query
 * runs.  (With two words or more the bound, the sum of their weights, is
 * too far above what a row without them in its title scores: the first
 * run rarely stood, and cost more than it saved.)
 *
 * Both runs are given the phrases' row counts the first one read ("df="),
 * the first run's extra phrases are described as not scored ("-1:0"
 * each, after the query's own): the scores are the same as the whole
 * query's.  A search that ranks fewer rows runs as it did, with a flag
 * in its ranking call ("t=1").
 */

/* What the main statement matches (bind_short()). */
#define MAIN_FTS(s) ((s)->main_fts ? (s)->main_fts : (s)->c.fts)

/* Which of a ranking call's phrases are scored (spec_phrase(); G is -1
 * for one that is not): into scored (room for max), 1 or 0 each; returns
 * how many the spec describes, or max + 1 for more. */
static size_t spec_scored(const char *call, unsigned char *scored, size_t max)
{
    const char *open, *close, *p, *w;
    size_t n = 0, wn;

    spec_of(call, &open, &close);
    for (p = open + 1; (w = spec_phrase(&p, close, &wn)) != NULL; n++) {
        if (n == max)
            return max + 1;
        scored[n] = *w != '-';
    }
    return n;
}

/* A ranking call with "more" put at the start of its spec, and "tail" at
 * its end; NULL when out of memory. */
static char *call_with(const char *call, const char *more, const char *tail)
{
    const char *open, *close;

    spec_of(call, &open, &close);
    return eaf__printf("%.*s%s%.*s%s%s", (int)(open + 1 - call), call, more,
                       (int)(close - open - 1), open + 1, tail, close);
}

/* Binds the main statement's ranking call with "t=1" when the search can
 * run its title rows first: ranked, with k in its ranking call
 * (bind_top_k). */
static eaf_status title_first_arm(eaf_search *s)
{
    int rc;

    s->title_first = 0;
    eaf__free(s->title_call);
    s->title_call = NULL;
    if (!s->rank_call_k || !s->c.fts)
        return EAF_OK;
    if (!(s->title_call = call_with(s->rank_call_k, "t=1 ", "")))
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    rc = sqlite3_bind_text(s->main, EAF__P_RANK, s->title_call, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(s->db, rc, "preparing the search");
    s->title_first = 1;
    return EAF_OK;
}

/* The first run on the title rows, as the ranking asked for it (r): its
 * MATCH into s->title_match, its ranking call into s->title_call, and
 * the whole query's call with the same counts into *whole.  0 when the
 * spec does not describe every phrase (never, from query_fts.c) or none
 * is scored; -1 when out of memory. */
static int title_first_make(eaf_search *s, const eaf__rank_report *r, char **whole)
{
    eaf__strvec phrases = {0};
    eaf__buf match = EAF__BUF_INIT, df = EAF__BUF_INIT, tail = EAF__BUF_INIT;
    unsigned char *scored = NULL;
    size_t i, listed = 0;
    int ok = 0;

    *whole = NULL;
    eaf__free(s->title_match);
    eaf__free(s->title_call);
    s->title_match = s->title_call = NULL;
    if (eaf__fts_phrase_list(&phrases, MAIN_FTS(s)) != EAF_OK ||
        !(scored = eaf__calloc(phrases.n + 1, 1)))
        goto nomem;
    if (phrases.n == 0 || phrases.n != (size_t)r->nphrase ||
        spec_scored(s->rank_call_k, scored, phrases.n) != phrases.n)
        goto done;
    eaf__buf_printf(&match, "(%s) AND {title} : (", MAIN_FTS(s));
    eaf__buf_puts(&df, "df=");
    for (i = 0; i < phrases.n; i++) {
        eaf__buf_printf(&df, "%s%.17g", i ? "," : "", r->hits[i]);
        if (!scored[i])
            continue;
        eaf__buf_printf(&match, "%s%s", listed++ ? " OR " : "", phrases.v[i]);
        eaf__buf_puts(&tail, " -1:0");
    }
    eaf__buf_putc(&match, ')');
    eaf__buf_putc(&df, ' ');
    if (match.rc != EAF_OK || df.rc != EAF_OK || tail.rc != EAF_OK)
        goto nomem;
    if (listed == 0)
        goto done;
    s->title_match = eaf__buf_detach(&match);
    s->title_call = call_with(s->rank_call_k, df.p, tail.p);
    *whole = call_with(s->rank_call_k, df.p, "");
    if (!s->title_match || !s->title_call || !*whole)
        goto nomem;
    ok = 1;
done:
    eaf__strvec_free(&phrases);
    eaf__buf_free(&match);
    eaf__buf_free(&df);
    eaf__buf_free(&tail);
    eaf__free(scored);
    return ok;
nomem:
    ok = -1;
    goto done;
}

/* Steps the main statement.  On its first step, the ranking may ask for
 * a first run on the title rows (title_first_arm()): that run stands when
 * its k-th best scores above every other row (rank.c's report, with room
 * for the rounding of a sum taken in another order); otherwise the whole
 * query runs. */
static int main_step(eaf_search *s)
{
    const eaf__rank_report *r = &s->db->rank_report;
    unsigned long serial = r->serial;
    char *whole = NULL;
    int rc = sqlite3_step(s->main), made;

    if (!s->title_first)
        return rc;
    s->title_first = 0;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE || r->serial == serial || !r->ask)
        return rc;
    sqlite3_reset(s->main);
    made = title_first_make(s, r, &whole);
    if (made < 0) {
        eaf__free(whole);
        return SQLITE_NOMEM;
    }
    if (made) {
        sqlite3_bind_text(s->main, EAF__P_MATCH, s->title_match, -1, SQLITE_STATIC);
        sqlite3_bind_text(s->main, EAF__P_RANK, s->title_call, -1, SQLITE_STATIC);
        serial = r->serial;
        rc = sqlite3_step(s->main);
        if (rc == SQLITE_ROW && r->serial != serial && r->full && r->rest >= 0.0 &&
            r->rest + 1e-9 * (1.0 + fabs(r->rest)) < r->kth) {
            eaf__free(whole);
            return rc;
        }
        sqlite3_reset(s->main);
        sqlite3_bind_text(s->main, EAF__P_MATCH, MAIN_FTS(s), -1, SQLITE_STATIC);
        /* (the call with the counts, kept where the first run's was) */
        eaf__free(s->title_call);
        s->title_call = whole;
        whole = NULL;
    } else {
        eaf__free(s->title_call); /* its "t=1" would ask again */
        s->title_call = NULL;
    }
    rc = sqlite3_bind_text(s->main, EAF__P_RANK, s->title_call ? s->title_call : s->rank_call_k,
                           -1, SQLITE_STATIC);
    eaf__free(whole);
    return rc == SQLITE_OK ? sqlite3_step(s->main) : rc;
}

/* Prepares the main statement of the cursor for its compiled query: where
 * the hits come from, their order, the page. */
static eaf_status build(eaf_search *s)
{
    eaf__buf order = EAF__BUF_INIT, tier = EAF__BUF_INIT;
    char *select;
    const char *rank_order;
    eaf_status st;

    eaf__hits_free(&s->hits);
    eaf__hits_release(s->db, s->main);
    eaf__hits_release(s->db, s->count);
    s->main = s->count = NULL;
    eaf__snippet_query_free(s->snippet_q);
    s->snippet_q = NULL;
    s->snippet_q_tried = 0;
    s->stepped = 0;
    st = eaf__hits_make(&s->hits, &s->c, s->plan->sort != EAF_SORT_RELEVANCE, s->plan->rel);
    if (st != EAF_OK)
        return eaf__db_error(s->db, st, "out of memory");
    /* ties keep the order of the ids, so pages never overlap; the hits of
     * related:KEY keep the order of the list */
    rank_order = s->plan->rel ? "rl.column1, "
                 : s->c.fts   ? "r, "
                 : s->c.rank  ? "r IS NULL, r, "
                              : "";
    if (s->plan->tier && s->c.fts) /* the articles with all the words first */
        eaf__buf_printf(&tier, "fts.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?%d) DESC, ",
                        EAF__P_TIER);
    switch (s->plan->sort) {
    case EAF_SORT_NEWEST:
        eaf__buf_printf(&order, "ORDER BY a.day IS NULL, a.day DESC, %s%s", rank_order,
                        s->hits.id_col);
        break;
    case EAF_SORT_OLDEST:
        eaf__buf_printf(&order, "ORDER BY a.day IS NULL, a.day, %s%s", rank_order,
                        s->hits.id_col);
        break;
    default:
        if (s->plan->rel)
            eaf__buf_printf(&order, "ORDER BY %s", rank_order);
        else if (s->c.fts || s->c.rank)
            eaf__buf_printf(&order, "ORDER BY %s%s", tier.n ? tier.p : "", rank_order);
        else
            eaf__buf_puts(&order, "ORDER BY ");
        if (!s->c.fts && !s->plan->rel) /* unranked hits (filters): newest first */
            eaf__buf_puts(&order, "a.day IS NULL, a.day DESC, ");
        eaf__buf_puts(&order, s->hits.id_col);
        break;
    }
    eaf__free(s->order);
    s->order = order.rc == EAF_OK ? eaf__strdup(order.p) : NULL;
    eaf__buf_printf(&order, " LIMIT ?%d OFFSET ?%d", EAF__P_LIMIT, EAF__P_OFFSET);
    /* and what a shard set merges the hits of its shards by (search_set):
     * whether the hit is in the tier, and its day */
    if (tier.n)
        select = eaf__printf("%s, %s AS r, fts.rowid IN (SELECT rowid FROM fts WHERE fts"
                             " MATCH ?%d), %s",
                             s->hits.id_col, s->hits.rank_col, EAF__P_TIER,
                             s->hits.has_article ? "a.day" : "NULL");
    else
        select = eaf__printf("%s, %s AS r, 0, %s", s->hits.id_col, s->hits.rank_col,
                             s->hits.has_article ? "a.day" : "NULL");
    if (order.rc != EAF_OK || !select || !s->order) {
        eaf__buf_free(&order);
        eaf__free(select);
        return eaf__db_error(s->db, EAF_NOMEM, "out of memory");
    }
    st = eaf__search_prepare(s, select, order.p, &s->main);
    eaf__free(select);
    eaf__buf_free(&order);
    eaf__buf_free(&tier);
    if (st == EAF_OK && s->plan->tier && s->c.fts)
        sqlite3_bind_text(s->main, EAF__P_TIER, s->plan->tier, -1, SQLITE_STATIC);
    if (st == EAF_OK)
        st = bind_top_k(s);
    if (st == EAF_OK)
        st = title_first_arm(s);
    if (st == EAF_OK) {
        sqlite3_bind_int64(s->main, EAF__P_LIMIT, s->plan->limit);
        sqlite3_bind_int64(s->main, EAF__P_OFFSET, s->plan->offset);
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
static eaf_status try_fallback(eaf_search *s)
{
    const eaf__qnode *root = eaf__query_root(s->plan->q);
    eaf__qnode **pos = NULL, **rest = NULL, **items = NULL, *any;
    size_t npos = 0, nrest = 0, nsub, i;
    eaf__compiled c;
    eaf_status st = EAF_OK;
    int found;

    if (!root || root->kind != EAF__Q_AND || root->explicit_and ||
        (s->plan->flags & EAF_SEARCH_NO_FALLBACK))
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
        if (!eaf__plan_stopword(s->db, pos[i]))
            pos[nsub++] = pos[i];
    if (nsub > 0)
        npos = nsub;
    if (s->plan->offset == 0 && !EAF__IS_MEMBER(s->db)) {
        /* the search itself says whether there is a hit: its first row,
         * which eaf_search_next() then returns (a query fewer) */
        int rc = main_step(s);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
            s->stepped = rc;
            found = rc == SQLITE_ROW;
        } else {
            eaf__db_sqlerr(s->db, rc, "searching");
            found = -1;
        }
    } else {
        found = eaf__hits_any(s->db, &s->c);
    }
    if (found != 0) {
        st = found < 0 ? eaf__db_status(s->db, sqlite3_errcode(s->db->sql)) : EAF_OK;
        goto done;
    }
    /* the words that match nothing on their own */
    for (i = 0; i < npos; i++) {
        eaf__qnode *one;
        char *label;

        items[0] = pos[i];
        memcpy(items + 1, rest, nrest * sizeof(*rest));
        one = eaf__query_combine(s->plan->q, EAF__Q_AND, items, nrest + 1);
        if (!one || eaf__plan_compile(&c, s->plan, one, s->db, &s->ids, NULL) != EAF_OK) {
            st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
            goto done;
        }
        found = eaf__hits_any(s->db, &c);
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
    any = eaf__query_combine(s->plan->q, EAF__Q_OR, pos, npos);
    rest[nrest] = any;
    any = any ? eaf__query_combine(s->plan->q, EAF__Q_AND, rest, nrest + 1) : NULL;
    if (!any || eaf__plan_compile(&c, s->plan, any, s->db, &s->ids, NULL) != EAF_OK) {
        st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        goto done;
    }
    found = eaf__hits_any(s->db, &c);
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

static void set_search_free(eaf_search *s); /* below */

void eaf_search_free(eaf_search *s)
{
    if (!s)
        return;
    if (s->set)
        set_search_free(s);
    clear_row(s);
    eaf__hits_release(s->db, s->main);
    eaf__hits_release(s->db, s->count);
    eaf__hits_release(s->db, s->fields);
    eaf__hits_release(s->db, s->snippet_stmt);
    eaf__snippet_query_free(s->snippet_q);
    eaf__hits_free(&s->hits);
    eaf__compiled_free(&s->c);
    eaf__strvec_free(&s->dropped);
    eaf__free(s->suggestion);
    eaf__free(s->explain);
    eaf__free(s->rank_call_k);
    eaf__free(s->title_match);
    eaf__free(s->title_call);
    eaf__free(s->main_fts);
    eaf__free(s->order);
    eaf__free(s->mark_open);
    eaf__free(s->mark_close);
    eaf__free(s->ellipsis);
    eaf__plan_free(s->plan);
    if (s->db) {
        eaf__db_release(s->db);
    }
    eaf__free(s);
}

static unsigned clamp(unsigned v, unsigned dflt, unsigned max)
{
    return v == 0 ? dflt : v > max ? max : v;
}

/* A cursor for a plan (which it takes), in one state of the index: the
 * hits, the total, the facets and the articles of a search all come from
 * it, whatever other writers do.  When it cannot begin, the plan is
 * freed and *out stays NULL; a cursor that fails later is returned, for
 * eaf_search_free(). */
static eaf_status cursor_new(eaf_search **out, eaf_db *db, eaf__plan *plan)
{
    const eaf_search_options *o = &plan->o;
    eaf_search *s = eaf__calloc(1, sizeof(*s));
    eaf_status st;

    *out = NULL;
    if (!s) {
        eaf__plan_free(plan);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    st = eaf__db_snapshot_begin(db);
    if (st != EAF_OK) {
        eaf__plan_free(plan);
        eaf__free(s);
        return st;
    }
    s->db = db;
    db->children++;
    s->plan = plan;
    s->snippet_words = (int)clamp(o->snippet_words, DEFAULT_SNIPPET_WORDS, MAX_SNIPPET_WORDS);
    s->snippet_fragments = (int)clamp(o->snippet_fragments, DEFAULT_SNIPPET_FRAGMENTS,
                                      MAX_SNIPPET_FRAGMENTS);
    s->mark_open = eaf__strdup(o->mark_open ? o->mark_open : "[");
    s->mark_close = eaf__strdup(o->mark_close ? o->mark_close : "]");
    s->ellipsis = eaf__strdup(o->ellipsis ? o->ellipsis : "...");
    *out = s;
    if (!s->mark_open || !s->mark_close || !s->ellipsis)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    return EAF_OK;
}

/* The rewrite passes, in order: each reads the tree the one before left. */
static eaf_status rewrite(eaf__plan *p, eaf_db *db)
{
    static eaf_status (*const passes[])(eaf__plan *, eaf_db *) = {
        eaf__pass_related,
        eaf__pass_prefixes,
        eaf__pass_cjk,       /* after the prefixes: its prefix is not capped */
        eaf__pass_title_phrase, /* the words as typed */
        eaf__pass_question,
        eaf__pass_stopwords, /* not in a question */
        eaf__pass_places,
    };
    size_t i;
    eaf_status st = EAF_OK;

    for (i = 0; i < EAF__ARRAY_LEN(passes) && st == EAF_OK; i++)
        st = passes[i](p, db);
    return st;
}

/* Compiles the plan against the cursor's index. */
static eaf_status compile(eaf_search *s)
{
    const char *bad = NULL;
    eaf_status st = eaf__plan_compile(&s->c, s->plan, eaf__query_root(s->plan->q), s->db,
                                      &s->ids, &bad);

    if (st == EAF_SYNTAX)
        return eaf__db_error(s->db, EAF_SYNTAX,
                             "invalid date filter '%s' (use YYYY, YYYY-MM or YYYY-MM-DD)", bad);
    return st;
}

/* Relevance feedback: the pass reads the best hits of the search as it
 * stands; when it adds terms, the plan is compiled and built again. */
static eaf_status feedback(eaf_search *s)
{
    eaf__compiled c;
    eaf_status st;

    if (s->plan->flags & EAF_SEARCH_NO_FEEDBACK)
        return EAF_OK; /* (the pass decides the rest: feedback.c) */
    st = eaf__pass_feedback(s->plan, s->db, &s->c, &s->hits);
    if (st != EAF_OK || !s->plan->feedback)
        return st;
    st = eaf__plan_compile(&c, s->plan, eaf__query_root(s->plan->q), s->db, &s->ids, NULL);
    if (st != EAF_OK)
        return st;
    eaf__compiled_free(&s->c);
    s->c = c;
    return build(s);
}

/* ---- a search of a shard set ------------------------------------------------
 *
 * A cursor per shard, merged (shard.h).  Each shard's cursor runs the
 * whole search on its shard as on one file: its plan reads the vocabulary
 * of the whole set, it ranks with the statistics of the whole set
 * (hits_set.c), and whether to fall back to any of the words, which words
 * match nothing and which hits feed relevance feedback are all asked of
 * every shard (hits.c, feedback.c); so each cursor's hits carry the scores
 * one file of the same articles would give them.  The cursors are made one
 * after the other (cheap: the ranking runs at their first step), then take
 * their first step in parallel threads, one per shard; the merge then
 * takes the best current hit of any shard, in the order of one file
 * (score, then id; by date first when sorted by date, or when no hit has
 * a score).  Each cursor reads offset + limit hits; the merge skips the
 * offset.
 */

static void *first_step(void *arg)
{
    eaf_search *s = arg;

    /* the ranking runs here; its row, or its end, is the next one's */
    if (!s->done && !s->stepped)
        s->stepped = main_step(s);
    return NULL;
}

/* Steps every kid once, in parallel: one thread a shard (the calling one
 * takes the last). */
static void step_all(struct eaf__set_cursor *m)
{
    pthread_t *t = eaf__calloc(m->n, sizeof(*t));
    int *started = eaf__calloc(m->n, sizeof(*started));
    unsigned k;

    for (k = 0; k + 1 < m->n && t && started; k++)
        started[k] = pthread_create(&t[k], NULL, first_step, m->kid[k]) == 0;
    for (k = 0; k < m->n; k++)
        if (!t || !started || k + 1 == m->n || !started[k])
            first_step(m->kid[k]);
    for (k = 0; t && started && k + 1 < m->n; k++)
        if (started[k])
            pthread_join(t[k], NULL);
    eaf__free(t);
    eaf__free(started);
}

static eaf_status set_search_new(eaf_search **out, eaf_db *db, const char *query,
                               const eaf_search_options *opts)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    struct eaf__set_cursor *m;
    eaf_search *s;
    eaf_status st = EAF_OK;
    unsigned k, limit = 10, offset = 0;

    s = eaf__calloc(1, sizeof(*s));
    m = eaf__calloc(1, sizeof(*m));
    if (!s || !m) {
        eaf__free(s);
        eaf__free(m);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    s->db = db;
    s->set = m;
    db->children++;
    m->n = db->set->n;
    m->kid = eaf__calloc(m->n, sizeof(*m->kid));
    m->state = eaf__calloc(m->n, sizeof(*m->state));
    if (!m->kid || !m->state) {
        eaf_search_free(s);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    /* each shard reads the hits up to the end of the page (the options
     * read as the plan reads them: a caller's may be of an older version) */
    {
        char msg[128];
        if (eaf__options_read(&o, opts, &eaf__search_options_layout, msg, sizeof(msg)) !=
            EAF_OK) {
            eaf_search_free(s);
            return eaf__db_error(db, EAF_MISUSE, "%s", msg);
        }
    }
    limit = o.limit ? o.limit : 10;
    offset = o.offset;
    o.limit = offset > UINT_MAX - limit ? UINT_MAX : limit + offset;
    o.offset = 0;
    m->skip = offset;
    m->left = limit;
    /* the shards' cursors compile the same expressions: their statistics
     * over the set are computed once (hits_set.c), for this search alone */
    eaf__set_stats_forget(db->set);
    db->set->caching = 1;
    for (k = 0; k < m->n && st == EAF_OK; k++) {
        eaf_db *member = db->set->db[k];
        st = eaf_search_new(&m->kid[k], member, query, &o);
        if (st != EAF_OK) {
            eaf__db_error(db, st, "%s", eaf_db_errmsg(member));
            db->err_offset = member->err_offset;
        }
    }
    eaf__set_stats_forget(db->set);
    if (st != EAF_OK) {
        eaf_search_free(s);
        return st;
    }
    m->by_date = m->kid[0]->plan->sort == EAF_SORT_NEWEST   ? 1
                 : m->kid[0]->plan->sort == EAF_SORT_OLDEST ? -1
                                                            : 0;
    /* hits of filters alone, unranked: the newest first (search.c) */
    if (!m->by_date && !m->kid[0]->c.fts && !m->kid[0]->c.rank && !m->kid[0]->plan->rel)
        m->by_date = 1;
    step_all(m);
    *out = s;
    return EAF_OK;
}

/* Does kid a's hit come before kid b's, in the order of one file? */
static int before(const struct eaf__set_cursor *m, eaf_search *a, eaf_search *b)
{
    if (m->by_date) {
        if (a->has_day != b->has_day)
            return a->has_day; /* no date: last */
        if (a->has_day && a->day != b->day)
            return m->by_date > 0 ? a->day > b->day : a->day < b->day;
    }
    if (a->in_tier != b->in_tier) /* RANK_ALL: the hits with all the words first */
        return a->in_tier;
    if (a->has_score != b->has_score)
        return a->has_score;
    if (a->has_score && a->score != b->score)
        return a->score > b->score;
    return a->id < b->id;
}

static eaf_status set_search_next(eaf_search *s)
{
    struct eaf__set_cursor *m = s->set;
    eaf_search *best;
    unsigned k;

    for (;;) {
        best = NULL;
        m->cur = NULL;
        if (m->left == 0)
            return EAF_DONE;
        for (k = 0; k < m->n; k++) {
            if (m->state[k] == 0) {
                eaf_status st = eaf_search_next(m->kid[k]);
                if (st == EAF_ROW) {
                    m->state[k] = 1;
                } else if (st == EAF_DONE) {
                    m->state[k] = 2;
                } else {
                    m->state[k] = 2;
                    return eaf__db_error(s->db, st, "%s", eaf_db_errmsg(m->kid[k]->db));
                }
            }
            if (m->state[k] == 1 && (!best || before(m, m->kid[k], best)))
                best = m->kid[k];
        }
        if (!best)
            return EAF_DONE;
        for (k = 0; k < m->n; k++)
            if (m->kid[k] == best)
                m->state[k] = 0; /* taken: its next comes up */
        if (m->skip > 0) {
            m->skip--;
            continue;
        }
        m->left--;
        m->cur = best;
        s->id = best->id;
        s->score = best->score;
        s->has_score = best->has_score;
        s->have_row = 1;
        return EAF_ROW;
    }
}

static eaf_status set_search_total(int64_t *out, eaf_search *s)
{
    struct eaf__set_cursor *m = s->set;
    unsigned k;

    if (!m->have_total) {
        m->total = 0;
        for (k = 0; k < m->n; k++) {
            int64_t t = 0;
            eaf_status st = eaf_search_total(&t, m->kid[k]);
            if (st != EAF_OK)
                return eaf__db_error(s->db, st, "%s", eaf_db_errmsg(m->kid[k]->db));
            m->total += t;
        }
        m->have_total = 1;
    }
    *out = m->total;
    return EAF_OK;
}

static void set_search_free(eaf_search *s)
{
    struct eaf__set_cursor *m = s->set;
    unsigned k;

    for (k = 0; m->kid && k < m->n; k++)
        eaf_search_free(m->kid[k]);
    eaf__free(m->kid);
    eaf__free(m->state);
    eaf__free(m);
    s->set = NULL;
}

eaf_status eaf_search_new(eaf_search **out, eaf_db *db, const char *query,
                          const eaf_search_options *opts)
{
    eaf__plan *plan = NULL;
    eaf_search *s = NULL;
    eaf_status st;

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!db || !query)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (EAF__IS_SET(db))
        return set_search_new(out, db, query, opts);
    st = eaf__plan_new(&plan, db, opts);
    if (st != EAF_OK)
        return st;
    /* inside the caller's transaction, the articles put so far are found */
    st = eaf__db_fts_sync(db);
    if (st != EAF_OK) {
        eaf__plan_free(plan);
        return st;
    }
    st = cursor_new(&s, db, plan);
    if (st != EAF_OK)
        goto fail;
    st = eaf__plan_parse(plan, db, query);
    if (st == EAF_SYNTAX)
        goto fail;
    if (st == EAF_OK)
        st = rewrite(plan, db);
    if (st == EAF_OK)
        st = compile(s);
    /* (a failure of the passes is reported as it always was) */
    if (st != EAF_OK && st != EAF_SYNTAX)
        st = eaf__db_error(db, st, "out of memory");
    if (st != EAF_OK)
        goto fail;
    if (!s->c.positive) {
        /* nothing to look for (empty, or only exclusions) */
        s->done = 1;
        s->have_total = 1;
        *out = s;
        return EAF_OK;
    }
    st = build(s);
    if (st == EAF_OK)
        st = try_fallback(s);
    if (st == EAF_OK)
        st = feedback(s);
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
        rc = eaf__stmt_take(&s->db->kept, s->db->sql,
                            "SELECT key, url, title, date, summary, lang"
                            " FROM article WHERE id = ?1", &s->fields);
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
    if (s->set)
        return set_search_next(s);
    if (s->done)
        return EAF_DONE;
    rc = s->stepped ? s->stepped : main_step(s);
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
    s->in_tier = sqlite3_column_int(s->main, 2);
    s->has_day = sqlite3_column_type(s->main, 3) != SQLITE_NULL;
    s->day = s->has_day ? sqlite3_column_int64(s->main, 3) : 0;
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
    if (s->set)
        return set_search_total(out, s);
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

/* What the plan decided is the same on every shard of a set (their
 * decisions ask every shard): the first's. */
static const eaf_search *planned(const eaf_search *s)
{
    return s && s->set ? s->set->kid[0] : s;
}

int eaf_search_fallback(const eaf_search *s)
{
    s = planned(s);
    return s ? s->fallback : 0;
}

int eaf_search_question(const eaf_search *s)
{
    s = planned(s);
    return s ? s->plan->read_as_question : 0;
}

size_t eaf_search_dropped_count(const eaf_search *s)
{
    s = planned(s);
    return s ? s->dropped.n : 0;
}

const char *eaf_search_dropped(const eaf_search *s, size_t i)
{
    s = planned(s);
    return s && i < s->dropped.n ? s->dropped.v[i] : NULL;
}

eaf_status eaf_search_suggestion(const char **out, eaf_search *s)
{
    eaf_status st;

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!s)
        return EAF_MISUSE;
    eaf__db_clear_error(s->db);
    if (s->set) { /* from the vocabulary of the whole set */
        eaf_search *first = s->set->kid[0];
        st = eaf_search_suggestion(out, first);
        return st == EAF_OK ? st : eaf__db_error(s->db, st, "%s", eaf_db_errmsg(first->db));
    }
    if (!s->have_suggestion) {
        st = eaf__suggest(s, &s->suggestion);
        if (st != EAF_OK)
            return st;
        s->have_suggestion = 1;
    }
    *out = s->suggestion;
    return EAF_OK;
}
