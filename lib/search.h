/*
 * search.h: the search cursor, shared by search.c, facet.c and suggest.c.
 */
#ifndef EAF_SEARCH_H
#define EAF_SEARCH_H

#include "db.h"
#include "query.h"

/* Fixed parameters of the statements; query values use ?10 and up. */
enum { EAF__P_MATCH = 1, EAF__P_RANK = 2, EAF__P_LIMIT = 3, EAF__P_OFFSET = 4,
       EAF__P_TIER = 5, EAF__P_FIRST_FREE = 10 };

/* Where the hits of a compiled query come from: "FROM ... WHERE ...", the
 * column of their article id, and the expression of their rank (negative,
 * lower is better) or "NULL". */
typedef struct eaf__hits_sql {
    char *from_where;
    const char *id_col;
    char *rank_col;
    int has_article;         /* the article table is joined as a */
} eaf__hits_sql;

struct eaf_search {
    eaf_db *db;
    eaf__query *q;
    eaf__compiled c;
    eaf__hits_sql hits;
    const char *snippet_expr; /* what snippets mark (in c); NULL: no words */
    unsigned flags;
    eaf_sort sort;
    double weights[8], k1, b, proximity;  /* the ranking knobs */
    int64_t id_lo, id_hi;     /* the range of the index's ids (have_ids) */
    int have_ids;
    int question;             /* any word may match (a question, or RANK_ALL) */
    int read_as_question;     /* the question rule applied (not RANK_ALL):
                                 eaf_search_question() */
    char *tier;               /* RANK_ALL: FTS5 expression of all the words */
    char *rank_call_k;        /* the main statement's ranking call, when it
                                 says how many rows are read (bind_top_k) */
    int feedback;             /* terms were added by relevance feedback */
    unsigned limit, offset;
    char *mark_open, *mark_close, *ellipsis;
    int snippet_words, snippet_fragments;
    sqlite3_stmt *main;
    sqlite3_stmt *count;
    sqlite3_stmt *fields;
    sqlite3_stmt *snippet_stmt;
    /* the phrases of snippet_expr, for snippets made without FTS5
     * (snippet.h), when tried and it can be */
    struct eaf__snippet_query *snippet_q;
    int snippet_q_tried;
    int done;
    int stepped;              /* main was stepped (try_fallback): its row,
                                 or its end, is the next one's */
    int have_total;
    int64_t total;
    /* fallback to any-word matching */
    int fallback;
    eaf__strvec dropped;
    /* prefixes capped by expand.c, as notes for explain */
    eaf__strvec expanded;
    /* related:KEY at the top of the query: its node, whose list orders
     * and scores the hits; NULL otherwise */
    const eaf__qnode *rel;
    /* lazily made */
    char *suggestion;
    int have_suggestion;
    char *explain;
    /* the current hit */
    int have_row;
    sqlite3_int64 id;
    double score;
    int has_score;            /* the hit has a score (its rank is not NULL) */
    char *field[EAF_FIELD_LAST];
    char *snippet;
    int have_snippet;
    eaf_article *article;
};

/* Prepares "SELECT <select> <hits.from_where> <tail>" with the compiled
 * query's parameters bound (and ?1, ?2 when it uses them). */
eaf_status eaf__search_prepare(eaf_search *s, const char *select, const char *tail,
                               sqlite3_stmt **out);

/* Prepares any SQL that uses the hits' from_where, with the parameters
 * bound. */
eaf_status eaf__search_prepare_sql(eaf_search *s, const char *sql, sqlite3_stmt **out);

/* expand.c: a word of one Chinese, Japanese or Korean character (which
 * the index holds only inside the bigrams of its runs) becomes the OR of
 * its prefix and the indexed bigrams that end with it.  After
 * eaf__expand_prefixes(), which would cap that prefix. */
eaf_status eaf__expand_cjk(eaf_search *s);

/* expand.c: the most terms a prefix query reaches. */
#define EAF__PREFIX_CAP 100

/* expand.c: rewrites the prefix terms of the query that start more than
 * EAF__PREFIX_CAP indexed terms. */
eaf_status eaf__expand_prefixes(eaf_search *s);

/* expand.c: widens the words and phrases that name a country or region
 * to the place's other forms (unless EAF_SEARCH_NO_ALIASES). */
eaf_status eaf__expand_places(eaf_search *s);

/* feedback.c: adds the most distinctive terms of the best docs hits to
 * the words of a search that matches any of them (sets s->feedback). */
eaf_status eaf__feedback(eaf_search *s, unsigned docs, unsigned terms);

/* suggest.c: the "did you mean" query, or NULL; *out owned by the caller. */
eaf_status eaf__suggest(eaf_search *s, char **out);

#endif /* EAF_SEARCH_H */
