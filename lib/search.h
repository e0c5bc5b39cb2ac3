/*
 * search.h: the search cursor, which runs a plan (plan.h) compiled
 * against its index (hits.h) and holds the statements and the current
 * hit; shared by search.c, search_hit.c, facet.c and suggest.c.
 */
#ifndef EAF_SEARCH_H
#define EAF_SEARCH_H

#include "db.h"
#include "hits.h"

struct eaf_search {
    eaf_db *db;
    eaf__plan *plan;          /* what it looks for (plan.h) */
    /* the plan compiled against db, and where its hits come from */
    eaf__compiled c;
    eaf__hits_sql hits;
    eaf__id_range ids;
    const char *snippet_expr; /* what snippets mark (in c); NULL: no words */
    char *rank_call_k;        /* the main statement's ranking call, when it
                                 says how many rows are read (bind_top_k) */
    char *order;              /* the main statement's ORDER BY (build) */
    /* the main statement's first run, on the rows with a scored phrase in
     * their titles (search.c): its MATCH and ranking call, and whether
     * main is bound to them and not yet stepped */
    char *title_match, *title_call;
    int title_first;
    /* what the main statement matches when it is not c.fts: its phrases
     * without the words their grams imply (bind_short()) */
    char *main_fts;
    /* fallback to any-word matching */
    int fallback;
    eaf__strvec dropped;
    /* how snippets are made */
    char *mark_open, *mark_close, *ellipsis;
    int snippet_words, snippet_fragments;
    /* the statements */
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
    /* lazily made */
    char *suggestion;
    int have_suggestion;
    char *explain;
    /* the current hit */
    int have_row;
    sqlite3_int64 id;
    double score;
    int has_score;            /* the hit has a score (its rank is not NULL) */
    int in_tier;              /* RANK_ALL: the hit has all the words */
    int has_day;              /* of a search that joins the articles: its day */
    int64_t day;
    char *field[EAF_FIELD_LAST];
    char *snippet;
    int have_snippet;
    eaf_article *article;
    /* a search of a shard set: its shards' cursors, merged (search.c);
     * the hit's fields, snippet and article are the current cursor's */
    struct eaf__set_cursor *set;
};

/* A search of a shard set (search.c): the cursors of its shards, merged;
 * what its plan decided is the first's (the same on every shard). */
struct eaf__set_cursor {
    unsigned n;
    eaf_search **kid;
    int *state;              /* per kid: 0 to step, 1 a hit waiting, 2 done */
    eaf_search *cur;         /* the kid whose hit is the current one (NULL: none) */
    unsigned skip, left;     /* the offset still to skip, the hits still to give */
    int by_date;             /* 1 newest first, -1 oldest first, 0 relevance */
    int64_t total;
    int have_total;
};


/* Prepares "SELECT <select> <hits.from_where> <tail>" with the compiled
 * query's parameters bound (and ?1, ?2 when it uses them). */
eaf_status eaf__search_prepare(eaf_search *s, const char *select, const char *tail,
                               sqlite3_stmt **out);

/* Prepares any SQL that uses the hits' from_where, with the parameters
 * bound. */
eaf_status eaf__search_prepare_sql(eaf_search *s, const char *sql, sqlite3_stmt **out);
/* The ranking call that reads only the first k rows (rank.c), in *out,
 * when the search's order allows it (else NULL): 0, or -1 when out of
 * memory. */
int eaf__search_rank_call_k(const eaf_search *s, unsigned long long k, char **out);

/* suggest.c: the "did you mean" query, or NULL; *out owned by the caller. */
eaf_status eaf__suggest(eaf_search *s, char **out);

#endif /* EAF_SEARCH_H */
