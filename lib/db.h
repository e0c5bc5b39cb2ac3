/*
 * db.h: the database handle, its error state, statement cache and schema.
 */
#ifndef EAF_DB_H
#define EAF_DB_H

#include "eaf-private.h"
#include "fts.h"
#include "prep.h"

#include <sqlite3.h>

/* Bump when the tables change, and add a migration from the version
 * before (schema.c); an index of a newer version is refused.
 *   1: articles, authors, facets, site_related, fts
 *   2: the source table (which file each article came from), and
 *      article.source_id, article.source_gen
 *   3: no trigger adds a new article to fts: the store adds the articles
 *      of a transaction in one statement (eaf__db_fts_sync)
 *   4: the related-article lists (related_list, related_vector,
 *      related_term, related_stale) and the triggers that mark lists stale
 *   5: the provide table: every file that gives each article (two files
 *      may give one key); article.source_id is the file whose version is
 *      stored */
#define EAF__SCHEMA_VERSION 5
/* PRAGMA application_id of an index: "EAF1". */
#define EAF__APPLICATION_ID 0x45414631

/* Facet kinds in the facet table: the tag kinds, then these. */
#define EAF__FACET_AUTHOR      10
#define EAF__FACET_AFFILIATION 11

/* Cached statements. */
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
    EAF__STMT_LAST
};

/* The hash of a file's content, as stored: 16 hex digits. */
#define EAF__HASH_HEX 16

/* What eaf_db_source_check() learnt of a file, kept for the
 * eaf_db_source_begin() that usually follows. */
typedef struct eaf__source_stat {
    char *path;
    int64_t size, mtime;          /* mtime in nanoseconds */
    char hash[EAF__HASH_HEX + 1]; /* "" when not computed */
} eaf__source_stat;

/* An open flag of tests only (no public flag has this bit): snippets are
 * always made through FTS5, for comparing with those made without. */
#define EAF__OPEN_FTS_SNIPPETS (1u << 30)

struct eaf_db {
    sqlite3 *sql;
    char *path;
    char *language;
    unsigned flags;
    int in_txn;
    int children;            /* open searches */
    int read_txn;            /* a read transaction holds the snapshot the
                                open searches read (eaf__db_snapshot) */
    int have_vocab;          /* the fts5vocab tables exist (eaf__db_vocab) */
    int schema_version;      /* of the file: 1 only for a read-only old index */
    /* the source being indexed (eaf_db_source_begin), 0 when none */
    sqlite3_int64 src_id, src_gen;
    /* new articles, ids fts_lo to fts_hi, not yet in fts (fts_hi 0: none);
     * and the same when the current write began, for its rollback */
    sqlite3_int64 fts_lo, fts_hi, fts_lo_saved, fts_hi_saved;
    eaf__source_stat src;    /* the source open, or the last one checked */
    char *conflict;          /* eaf_db_put_conflict(): the other file of the
                                last put, or NULL */
    int lock_fd;             /* EAF_OPEN_LOCK: the descriptor holding the
                                writer lock, or -1 */
    eaf__buf err;
    int err_offset;
    sqlite3_stmt *stmt[EAF__STMT_LAST];
    /* the index's tokenizer, for the snippets of searches (made when first
     * needed, with its cache of stems) */
    struct eaf__tokenizer *tok;
    /* tokens made ahead (eaf_prep_article()) of the texts of articles
     * stored and not yet in fts, which the tokenizer of fts replays */
    eaf__prep_set prep;
    eaf__fts_prepared fts_prepared;
};

/* Errors: every public call starts with eaf__db_clear_error().  The first
 * error recorded during a call wins. */
void eaf__db_clear_error(eaf_db *db);
eaf_status eaf__db_error(eaf_db *db, eaf_status st, const char *fmt, ...)
    EAF__PRINTF(3, 4);
/* Records an SQLite failure: maps the code, keeps SQLite's message after
 * `what` ("reading the article: database is locked"). */
eaf_status eaf__db_sqlerr(eaf_db *db, int sqlite_rc, const char *what);
eaf_status eaf__status_from_sqlite(int sqlite_rc);

/* A cached statement, reset and with bindings cleared; NULL on failure
 * (the error is recorded). */
sqlite3_stmt *eaf__db_stmt(eaf_db *db, int id);

/* Searches read one state of the index from their start to their end:
 * the first open search of a handle (outside a write transaction) starts
 * a read transaction, the last one freed ends it.  A write on the handle
 * ends it first (the searches still open then see the handle's writes). */
eaf_status eaf__db_snapshot_begin(eaf_db *db);
void eaf__db_snapshot_end(eaf_db *db);

/* Write transactions: begin_write() opens a transaction or a savepoint
 * inside the caller's; end_write() commits or rolls back what it opened. */
eaf_status eaf__db_begin_write(eaf_db *db);
eaf_status eaf__db_end_write(eaf_db *db, eaf_status st);

/* Full-text indexing of new articles.  FTS5 writes what it holds in
 * memory to disk at every savepoint (and each statement inside a
 * transaction opens one), so adding articles to it one statement at a
 * time makes a segment per article and merges without end.  The store
 * therefore only notes the ids of new articles (eaf__db_fts_add), and
 * eaf__db_fts_sync() adds them all in one statement: before a commit,
 * before an article is changed or deleted, and before a search reads the
 * index inside the transaction.  Changes and deletions go through the
 * triggers as before. */
void eaf__db_fts_add(eaf_db *db, sqlite3_int64 id);
eaf_status eaf__db_fts_sync(eaf_db *db);

/* Makes the fts5vocab tables of the index (temp.eaf_vocab_row: term,
 * doc, cnt; temp.eaf_vocab_instance: term, doc, col, offset) on the
 * handle's connection, once. */
eaf_status eaf__db_vocab(eaf_db *db);

/* store.c: fills an article from a row of (id, key, url, title, date,
 * summary, body, bio, lang), reading its authors, tags and related titles. */
eaf_status eaf__article_from_row(eaf_db *db, sqlite3_stmt *st, eaf_article **out);

/* schema.c */
/* Creates the tables of a new index in language. */
eaf_status eaf__schema_create(eaf_db *db, const char *language);
/* Checks that an existing file is an index this library reads and sets
 * db->language. */
eaf_status eaf__schema_check(eaf_db *db);

#endif /* EAF_DB_H */
