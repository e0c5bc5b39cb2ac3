/*
 * db.h: the database handle, its error state, statement cache and schema.
 */
#ifndef EAF_DB_H
#define EAF_DB_H

#include "eaf-private.h"
#include "fts.h"
#include "prep.h"
#include "error.h"
#include "schema.h"
#include "stmt.h"

#include <sqlite3.h>
#include <time.h>

/* Facet kinds in the facet table: the tag kinds, then these. */
#define EAF__FACET_AUTHOR      10
#define EAF__FACET_AFFILIATION 11

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
    int children;            /* open searches and related lists, and
                                walks of related lists running */
    int closing;             /* eaf_db_close() was called while children
                                were open: the last one closes the handle */
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
    eaf__stmt_cache *kept;   /* searches' statements (stmt.h) */
    /* the index's tokenizer, for the snippets of searches (made when first
     * needed, with its cache of stems) */
    struct eaf__tokenizer *tok;
    /* the synthetic tokens of the index's language, for writing queries in
     * them (expand.c; made when first needed) */
    struct eaf__synth *synth;
    /* tokens made ahead (eaf_prep_article()) of the texts of articles
     * stored and not yet in fts, which the tokenizer of fts replays */
    eaf__prep_set prep;
    eaf__fts_prepared fts_prepared;
    /* what the ranking of its searches reports (fts.h) */
    eaf__rank_report rank_report;
    /* eaf_db_set_time_limit(): the limit (0: none), when the current call
     * began, and whether the progress handler stopped it */
    unsigned time_limit_ms;
    struct timespec call_start;
    int timed_out;
    /* sqlite3_total_changes64() when the current write transaction began:
     * a commit that changed nothing leaves the generation as it is */
    sqlite3_int64 changes_at_begin;
    /* a shard set (shard.h): the set of a set handle (shard -1, which
     * owns it) or of a member (shard 0..n-1); NULL for one file */
    struct eaf__set *set;
    int shard;
    int owns_set;
    /* a member opened alone for writing (eaf_db_open_shard): the id of
     * the first article it puts, and the puts so far, of any shard (every
     * writer of the set makes the same puts in the same order) */
    sqlite3_int64 put_base, puts;
    unsigned set_n;          /* of a member: the set's shard count */
    void (*on_close)(eaf_db *db); /* a set's handles: what closing frees */
};

/* Errors: every public call starts with eaf__db_clear_error().  The first
 * error recorded during a call wins. */
void eaf__db_clear_error(eaf_db *db);
/* eaf__db_error(db, st, fmt, ...): records a failure on the handle and
 * returns st (error.h). */
#define eaf__db_error(db, ...) eaf__error_set(&(db)->err, __VA_ARGS__)
/* Records an SQLite failure of the handle's connection: maps the code,
 * keeps SQLite's message after `what` ("reading the article: database is
 * locked"); a statement the time limit stopped is EAF_TIMEOUT. */
eaf_status eaf__db_sqlerr(eaf_db *db, int sqlite_rc, const char *what);
/* The status of an SQLite code of the handle's connection, without
 * recording it: EAF_TIMEOUT for a statement the time limit stopped. */
eaf_status eaf__db_status(eaf_db *db, int sqlite_rc);

/* A cached statement, reset and with bindings cleared; NULL on failure
 * (the error is recorded). */
sqlite3_stmt *eaf__db_stmt(eaf_db *db, int id);

/* Searches read one state of the index from their start to their end:
 * the first open search of a handle (outside a write transaction) starts
 * a read transaction, the last one freed ends it.  A write on the handle
 * ends it first (the searches still open then see the handle's writes).
 * The objects that count themselves in db->children (searches, related
 * lists, a walk of lists) let go of db with eaf__db_release(), as the last
 * thing they do with it: when the count reaches 0 after eaf_db_close(),
 * the handle is closed there and db is freed. */
eaf_status eaf__db_snapshot_begin(eaf_db *db);
void eaf__db_snapshot_end(eaf_db *db);
void eaf__db_release(eaf_db *db);

/* Write transactions: begin_write() opens a transaction or a savepoint
 * inside the caller's; end_write() commits or rolls back what it opened. */
eaf_status eaf__db_begin_write(eaf_db *db);
eaf_status eaf__db_end_write(eaf_db *db, eaf_status st);

/* Moves the log into the file and empties it, after a write that rewrote
 * much of the index (optimize, the related batch), outside a caller's
 * transaction; a reader in the way leaves it for later. */
void eaf__db_truncate_log(eaf_db *db);

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
eaf_status eaf__db_vocab(eaf_db *db); /* (in shard.c) */

/* eaf_db_open() (shard.c: a folder is a shard set) of a file, with its
 * options read by eaf__db_open_options(). */
eaf_status eaf__db_open_options(eaf_open_options *o, const eaf_open_options *opts,
                                char **errmsg_out);
eaf_status eaf__db_open_file(eaf_db **out, const char *path, const eaf_open_options *opts,
                             char **errmsg_out);
/* A handle over an empty in-memory database (a shard set's own, shard.c). */
eaf_status eaf__db_open_empty(eaf_db **out, const char *path, unsigned flags);

/* store.c: fills an article from a row of (id, key, url, title, date,
 * summary, body, bio, lang), reading its authors, tags and related titles. */
eaf_status eaf__article_from_row(eaf_db *db, sqlite3_stmt *st, eaf_article **out);

#endif /* EAF_DB_H */
