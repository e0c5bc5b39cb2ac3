/*
 * stmt.h: the statements a handle keeps prepared (eaf__db_stmt), by id;
 * their SQL is in stmt.c, in the order of the ids.
 */
#ifndef EAF_STMT_H
#define EAF_STMT_H

#include <sqlite3.h>

/* Cached statements: an id is the index of its SQL in eaf__stmt_sql. */
enum {
    EAF__STMT_FIND_KEY,
    EAF__STMT_INSERT_ARTICLE,
    EAF__STMT_UPDATE_ARTICLE,
    EAF__STMT_CLEAR_AUTHORS,
    EAF__STMT_CLEAR_FACETS,
    EAF__STMT_CLEAR_RELATED,
    EAF__STMT_INSERT_AUTHOR,
    EAF__STMT_INSERT_FACET,
    EAF__STMT_INSERT_RELATED,
    EAF__STMT_DELETE_KEY,
    EAF__STMT_GET_ARTICLE,
    EAF__STMT_GET_AUTHORS,
    EAF__STMT_GET_FACETS,
    EAF__STMT_GET_RELATED,
    EAF__STMT_COUNT,
    /* sources (schema 2) */
    EAF__STMT_SOURCE_FIND,
    EAF__STMT_SOURCE_INSERT,
    EAF__STMT_SOURCE_BEGIN,
    EAF__STMT_SOURCE_DONE,
    EAF__STMT_SOURCE_STAT,
    EAF__STMT_SOURCE_DELETE,
    EAF__STMT_ARTICLE_SOURCE,
    EAF__STMT_SOURCE_RELEASED,
    EAF__STMT_SOURCE_LIST,
    EAF__STMT_SOURCE_PENDING,
    EAF__STMT_ALL_ARTICLES,
    /* schema 3 */
    EAF__STMT_FTS_ADD,
    EAF__STMT_SOURCE_STALE_ANY,
    EAF__STMT_COUNT_REWRITE,
    EAF__STMT_GET_BODY,
    EAF__STMT_ID_RANGE,
    /* schema 5 */
    EAF__STMT_PROVIDE_GEN,
    EAF__STMT_PROVIDE_PUT,
    EAF__STMT_PROVIDE_DELETE,
    EAF__STMT_PROVIDE_OTHER,
    EAF__STMT_SOURCE_PATH,
    EAF__STMT_SOURCE_GEN,
    EAF__STMT_SOURCE_REREAD,
    EAF__STMT_ARTICLE_OWNER,
    EAF__STMT_DELETE_ID,
    /* temp tables of the handle (eaf__db_vocab() first) */
    EAF__STMT_VOCAB_HAS,
    EAF__STMT_LAST
};

extern const char *const eaf__stmt_sql[EAF__STMT_LAST];

/* The statements of searches, whose SQL is made per query, kept after use
 * for the next search on the handle with the same SQL: most queries of a
 * site have one shape (the words and the filters' values are bound), and
 * preparing an FTS5 query costs about as much as running a small one.  At
 * most EAF__STMT_KEPT, the least recently used going first.  A statement
 * is taken out while a search holds it, so two searches open on one
 * handle never share one. */
#define EAF__STMT_KEPT 24
typedef struct eaf__stmt_cache eaf__stmt_cache;
/* A statement of sql: one kept (reset, no bindings) or a new one;
 * SQLite's code. */
int eaf__stmt_take(eaf__stmt_cache **cache, sqlite3 *db, const char *sql, sqlite3_stmt **out);
/* Gives st back (reset, its bindings cleared) to be kept, or finalized
 * when it cannot be; NULL is nothing. */
void eaf__stmt_give(eaf__stmt_cache **cache, sqlite3_stmt *st);
/* Finalizes every statement kept, and the cache. */
void eaf__stmt_cache_free(eaf__stmt_cache *cache);

#endif /* EAF_STMT_H */
