/*
 * hits.h: a plan compiled against one index, and the SQL its hits come
 * from.  Below the cursor (search.c) and the passes that run a plan
 * (feedback.c); it knows nothing of either.
 */
#ifndef EAF_HITS_H
#define EAF_HITS_H

#include "plan.h"

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

/* The range of an index's ids, read once for the ranking calls of the
 * queries compiled against it. */
typedef struct eaf__id_range {
    int64_t lo, hi;
    int have;
} eaf__id_range;

/* Compiles a tree of the plan (its root, or one made from its nodes) with
 * the plan's filters and ranking, against db.  EAF_SYNTAX for a bad date
 * filter (*bad then points to it; bad may be NULL), or EAF_NOMEM. */
eaf_status eaf__plan_compile(eaf__compiled *c, const eaf__plan *p, const eaf__qnode *root,
                             eaf_db *db, eaf__id_range *ids, const char **bad);

/* Builds where the hits of c come from; need_article joins the article
 * table (for sorting by date); rel, when not NULL, is the related list
 * that orders them (related:KEY). */
eaf_status eaf__hits_make(eaf__hits_sql *h, const eaf__compiled *c, int need_article,
                          const eaf__qnode *rel);
void eaf__hits_free(eaf__hits_sql *h);

/* Prepares "SELECT <select> <h->from_where> <tail>" with the compiled
 * query's parameters bound (and ?1, ?2 when it uses them). */
eaf_status eaf__hits_prepare(eaf_db *db, const eaf__compiled *c, const eaf__hits_sql *h,
                             const char *select, const char *tail, sqlite3_stmt **out);

/* Prepares any SQL that uses the hits' from_where, with the parameters of
 * c bound. */
eaf_status eaf__hits_prepare_sql(eaf_db *db, const eaf__compiled *c, const char *sql,
                                 sqlite3_stmt **out);

/* Gives back a statement of eaf__hits_prepare*() (kept for the next
 * search with the same SQL, stmt.h); NULL is nothing. */
void eaf__hits_release(eaf_db *db, sqlite3_stmt *st);

/* Does a compiled query have at least one hit?  1, 0, or -1 on error. */
int eaf__hits_any(eaf_db *db, const eaf__compiled *c);
/* hits_set.c (shard.h): appends to spec the statistics of the whole set for the FTS5
 * expression expr ("n=.. tot=.. df=.. "), and puts the set's range of ids
 * in ids. */
eaf_status eaf__set_stats(eaf_db *db, const char *expr, const char *groups, eaf__buf *spec,
                          int64_t *id_lo,
                          int64_t *id_hi);

/* The same, in db's own file alone (of a shard set, its shard). */
int eaf__hits_any_local(eaf_db *db, const eaf__compiled *c);

/* The ids of the best d hits, best first: *ids (the caller frees it, NULL
 * when there is none) holds *n of them. */
eaf_status eaf__hits_top(eaf_db *db, const eaf__compiled *c, const eaf__hits_sql *h,
                         unsigned d, int64_t **ids, size_t *n);

/* feedback.c: the rewrite pass of relevance feedback.  It adds the most
 * distinctive terms of the best hits of c (the plan as compiled, its hits
 * from h) to the words of a plan that matches any of them, and sets
 * p->feedback; the plan is then compiled again. */
eaf_status eaf__pass_feedback(eaf__plan *p, eaf_db *db, const eaf__compiled *c,
                              const eaf__hits_sql *h);

#endif /* EAF_HITS_H */
