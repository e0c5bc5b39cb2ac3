/*
 * db.c: opening and closing an index, the handle's error state, the
 * statement cache and transactions.
 */
#include "db.h"
#include "fts.h"
#include "options.h"
#include "shard.h"
#include "tokenize.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BUSY_MS 5000

void eaf__db_clear_error(eaf_db *db)
{
    eaf__error_clear(&db->err);
    db->err_offset = -1;
    /* a public call begins: the time limit counts from here */
    if (db->time_limit_ms) {
        clock_gettime(CLOCK_MONOTONIC, &db->call_start);
        db->timed_out = 0;
    }
}

eaf_status eaf__db_sqlerr(eaf_db *db, int sqlite_rc, const char *what)
{
    if (db->timed_out && (sqlite_rc & 0xFF) == SQLITE_INTERRUPT)
        return eaf__db_error(db, EAF_TIMEOUT, "%s: over the time limit of %u ms", what,
                             db->time_limit_ms);
    if (db->set && db->shard < 0) /* a set's own connection holds no table (shard.h) */
        return eaf__db_error(db, EAF_MISUSE, "%s: not available on a shard set ('%s') yet",
                             what, db->path);
    return eaf__error_sqlite(&db->err, db->sql, sqlite_rc, what);
}

eaf_status eaf__db_status(eaf_db *db, int sqlite_rc)
{
    if (db->timed_out && (sqlite_rc & 0xFF) == SQLITE_INTERRUPT)
        return EAF_TIMEOUT;
    return eaf__status_from_sqlite(sqlite_rc);
}

/* SQLite's progress handler, while a time limit is set: non-zero stops the
 * running statement (SQLITE_INTERRUPT), once the call is past the limit. */
static int over_time_limit(void *arg)
{
    eaf_db *db = arg;
    struct timespec now;
    int64_t ms;

    if (db->timed_out)
        return 1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (int64_t)(now.tv_sec - db->call_start.tv_sec) * 1000 +
         (now.tv_nsec - db->call_start.tv_nsec) / 1000000;
    if (ms >= (int64_t)db->time_limit_ms)
        db->timed_out = 1;
    return db->timed_out;
}

/* SQLite calls the progress handler every this many steps of a statement:
 * about every 10 to 50 microseconds of work. */
#define TIME_LIMIT_STEPS 1000

eaf_status eaf_db_set_time_limit(eaf_db *db, unsigned ms)
{
    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    db->time_limit_ms = ms;
    db->timed_out = 0;
    clock_gettime(CLOCK_MONOTONIC, &db->call_start);
    sqlite3_progress_handler(db->sql, ms ? TIME_LIMIT_STEPS : 0, ms ? over_time_limit : NULL,
                             ms ? db : NULL);
    return EAF_OK;
}

eaf_status eaf_db_generation(uint64_t *out, eaf_db *db)
{
    sqlite3_stmt *st = NULL;
    sqlite3_int64 v = 0;
    int rc;

    if (!out)
        return EAF_MISUSE;
    *out = 0;
    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (EAF__IS_SET(db)) { /* the sum of the shards': any write changes it */
        unsigned k;
        for (k = 0; k < db->set->n; k++) {
            uint64_t g = 0;
            eaf_status gs = eaf_db_generation(&g, db->set->db[k]);
            if (gs != EAF_OK)
                return eaf__db_error(db, gs, "%s", eaf_db_errmsg(db->set->db[k]));
            *out += g;
        }
        return EAF_OK;
    }
    rc = sqlite3_prepare_v2(db->sql,
                            "SELECT CAST(value AS INTEGER) FROM eaf_meta"
                            " WHERE name = 'generation'", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "reading the generation");
    *out = (uint64_t)v;
    return EAF_OK;
}

/* Before the commit of a write transaction: a transaction that changed
 * something raises the generation (eaf_db_generation()). */
static eaf_status bump_generation(eaf_db *db)
{
    int rc;

    if (sqlite3_total_changes64(db->sql) == db->changes_at_begin)
        return EAF_OK;
    rc = sqlite3_exec(db->sql,
                      "INSERT INTO eaf_meta(name, value) VALUES ('generation', '1')"
                      " ON CONFLICT(name) DO UPDATE"
                      " SET value = CAST(value AS INTEGER) + 1",
                      NULL, NULL, NULL);
    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(db, rc, "committing");
}

void eaf_db_interrupt(eaf_db *db)
{
    /* sqlite3_interrupt() sets a flag the running statement reads */
    if (db && db->sql)
        sqlite3_interrupt(db->sql);
}

const char *eaf_db_errmsg(const eaf_db *db)
{
    if (!db)
        return "no database handle";
    if (db->err.rc != EAF_OK)
        return "out of memory";
    return db->err.p ? db->err.p : "";
}

int eaf_db_error_offset(const eaf_db *db)
{
    return db ? db->err_offset : -1;
}

const char *eaf_db_language(const eaf_db *db)
{
    return db ? db->language : NULL;
}

eaf_status eaf_prep_new(eaf_prep **out, eaf_db *db)
{
    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    eaf_status st;

    if (!db)
        return EAF_MISUSE;
    st = eaf__prep_new(out, db->language);
    if (st == EAF_OK && db->set_n && db->put_base > 0) /* a shard's writer */
        eaf__prep_set_shard(*out, (unsigned)db->shard, db->set_n);
    return st;
}

sqlite3_stmt *eaf__db_stmt(eaf_db *db, int id)
{
    sqlite3_stmt *st = db->stmt[id];
    int rc;

    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    rc = sqlite3_prepare_v3(db->sql, eaf__stmt_sql[id], -1,
                            SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        eaf__db_sqlerr(db, rc, "preparing a statement");
        sqlite3_finalize(st);
        return NULL;
    }
    db->stmt[id] = st;
    return st;
}

static void close_handle(eaf_db *db)
{
    int i;

    for (i = 0; i < EAF__STMT_LAST; i++)
        sqlite3_finalize(db->stmt[i]);
    eaf__stmt_cache_free(db->kept);
    db->kept = NULL;
    if (db->sql) {
        if (db->in_txn)
            sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close_v2(db->sql);
    }
    if (db->lock_fd >= 0)
        close(db->lock_fd); /* (the lock file's: no lock of SQLite's is on it) */
    eaf__free(db->path);
    eaf__free(db->language);
    eaf__free(db->src.path);
    eaf__free(db->conflict);
    eaf__buf_free(&db->err);
    eaf__tokenizer_free(db->tok);
    eaf__synth_free(db->synth);
    eaf__prep_set_free(&db->prep);
    if (db->on_close)
        db->on_close(db);
    eaf__free(db);
}

static int replay_prepared(void *set, const char *text, size_t n,
                           int (*fn)(void *, const char *, int, int, int), void *ctx,
                           int *rc)
{
    return eaf__prep_set_replay(set, text, n, fn, ctx, rc);
}

/* Does the file hold any table at all?  (An empty file is a new index.) */
static int is_empty_database(eaf_db *db, int *rc)
{
    sqlite3_stmt *st = NULL;
    int empty = 0;

    *rc = sqlite3_prepare_v2(db->sql, "SELECT count(*) FROM sqlite_master", -1,
                             &st, NULL);
    if (*rc == SQLITE_OK) {
        *rc = sqlite3_step(st);
        if (*rc == SQLITE_ROW) {
            empty = sqlite3_column_int(st, 0) == 0;
            *rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return empty;
}

/* A file: URI of path with a query ("immutable=1"): '%', '?' and '#'
 * are escaped, as in any URI. */
static char *file_uri(const char *path, const char *query)
{
    eaf__buf b = EAF__BUF_INIT;
    const char *p;

    eaf__buf_puts(&b, "file:");
    for (p = path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            eaf__buf_printf(&b, "%%%02X", (unsigned char)*p);
        else
            eaf__buf_putc(&b, *p);
    }
    eaf__buf_printf(&b, "?%s", query);
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return NULL;
    }
    return eaf__buf_detach(&b);
}

/* Opens db->sql on name (a path, or a URI with SQLITE_OPEN_URI in flags)
 * and registers the tokenizer. */
static eaf_status connect(eaf_db *db, const char *name, int sqlflags, int busy_ms)
{
    const char *msg = NULL;
    int rc;

    rc = sqlite3_open_v2(name, &db->sql, sqlflags, NULL);
    if (rc != SQLITE_OK)
        return eaf__db_error(db, eaf__status_from_sqlite(rc), "cannot open '%s': %s",
                             db->path, db->sql ? sqlite3_errmsg(db->sql)
                                               : sqlite3_errstr(rc));
    sqlite3_extended_result_codes(db->sql, 1);
    db->fts_prepared.replay = replay_prepared;
    db->fts_prepared.set = &db->prep;
    rc = eaf__fts_register(db->sql, 1, &db->fts_prepared, &db->rank_report, &msg);
    if (rc != SQLITE_OK)
        return eaf__db_error(db, rc == SQLITE_NOMEM ? EAF_NOMEM : EAF_ERROR,
                             "cannot register the tokenizer: %s",
                             msg ? msg : sqlite3_errstr(rc));
    sqlite3_busy_timeout(db->sql, busy_ms);
    return EAF_OK;
}

/*
 * EAF_OPEN_LOCK: an flock() on PATH-lock, a file of its own beside the
 * index (as Xapian's flintlock), held by a descriptor of the handle's own,
 * so that two handles of one process hold it apart too.  Not on the index
 * itself: closing any descriptor of a file drops every fcntl() lock the
 * process holds on it, SQLite's included (those of the process's other
 * handles).  The file stays when the lock is let go: removing it would let
 * a waiting writer lock a file a newcomer no longer sees.  Where it cannot
 * be made (a folder the writer may not add files to), an existing one is
 * locked read-only, and without one no lock is taken: the index stays
 * whole all the same (see eaf_db_source_end()).  Waits up to busy_ms.
 */
static eaf_status take_writer_lock(eaf_db *db, int busy_ms)
{
    char *path = eaf__printf("%s-lock", db->path);
    int waited = 0;

    if (!path)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    db->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (db->lock_fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
        db->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
    eaf__free(path);
    if (db->lock_fd < 0)
        return EAF_OK;
    while (flock(db->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK)
            return eaf__db_error(db, EAF_IO, "cannot lock '%s-lock': %s", db->path,
                                 strerror(errno));
        if (waited >= busy_ms)
            return eaf__db_error(db, EAF_BUSY,
                                 "another program is writing to the index '%s' (it "
                                 "holds the writer lock): try again when it ends",
                                 db->path);
        usleep(20000);
        waited += 20;
    }
    return EAF_OK;
}

/*
 * SQLite's settings for the whole process, made once, before the first
 * handle opens.
 *
 * SQLite does not count the memory it uses (sqlite3_memory_used(), and the
 * soft heap limit that relies on it, then say nothing): the count takes a
 * mutex that every allocation of every connection shares, which the
 * writers of a shard set took from each other at every one of FTS5's
 * allocations.  Indexing the Wikipedia sections into 2 shards (with the
 * writers' journal in memory, tune_connection()) took 8% less time
 * without it, and a search about 1.5% fewer instructions.
 *
 * A statement's journal that SQLite keeps on disk (a handle that is not a
 * writer: tune_connection()) goes straight to a temporary file, never
 * through SQLite's in-memory journal that spills to one.  SQLite 3.40
 * (Debian 12) fails a statement whose in-memory journal spills to a file
 * past a threshold of a megabyte or more with SQLITE_FULL, "disk full", on
 * a disk with room to spare: the library's 8 MB threshold failed the
 * third commit of 2,000 generated articles, when FTS5 merged its segments
 * in it (tests/unit/test_bulk; bench-perf's 1M corpus at the sixth), and
 * 1, 4 and 16 MB failed too.  SQLite's own 64 KB passed there and a file
 * from the start always does; indexing then takes about 8% more time than
 * with 8 MB in memory (20,000 Wikipedia sections).
 * SQLite takes such settings only before it starts: in a program that used
 * SQLite before its first eaf_db_open() the call fails harmlessly and
 * SQLite's default stays.  A program that starts SQLite on another thread
 * at the very moment of its first eaf_db_open() should call
 * sqlite3_initialize() itself first.
 */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 0);
}

static pthread_once_t configure_once = PTHREAD_ONCE_INIT;

/* Before SQLite is asked: a stemming language it knows, and a path that is an index
 * or (when creating) nothing yet. */
static eaf_status check_target(eaf_db *db, const eaf_open_options *o, int create)
{
    struct stat sb;

    if (o->language && !eaf__language_ok(o->language))
        return eaf__db_error(db, EAF_MISUSE, "unknown stemming language '%s'",
                             o->language);
    if (stat(db->path, &sb) != 0) {
        if (errno == ENOENT && !create)
            return eaf__db_error(db, EAF_NOTFOUND, "no index at '%s'", db->path);
        if (errno != ENOENT)
            return eaf__db_error(db, EAF_IO, "cannot open '%s': %s", db->path,
                                 strerror(errno));
    } else if (S_ISDIR(sb.st_mode)) {
        return eaf__db_error(db, EAF_IO, "'%s' is a directory, not an index",
                             db->path);
    }
    return EAF_OK;
}

/* The first read of the file: whether it is empty (*empty), with the failures that
 * read can meet said in our words. */
static eaf_status first_read(eaf_db *db, int readonly, int sqlflags, int busy_ms, int *empty)
{
    eaf_status st;
    int rc;

    *empty = is_empty_database(db, &rc);
    if (readonly && ((rc & 0xFF) == SQLITE_READONLY || (rc & 0xFF) == SQLITE_CANTOPEN)) {
        /* a WAL index without its -shm file, in a folder this user cannot
         * write: read it as immutable (see eafsearch.h) */
        char *uri = file_uri(db->path, "immutable=1");

        if (!uri)
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        sqlite3_close_v2(db->sql);
        db->sql = NULL;
        st = connect(db, uri, sqlflags | SQLITE_OPEN_URI, busy_ms);
        eaf__free(uri);
        if (st != EAF_OK)
            return st;
        *empty = is_empty_database(db, &rc);
    }
    if (rc != SQLITE_OK) {
        if (!readonly && (rc & 0xFF) == SQLITE_READONLY)
            return eaf__db_error(db, EAF_READONLY,
                                 "cannot write to the index '%s' (its folder is not "
                                 "writable): open it read-only", db->path);
        if ((rc & 0xFF) == SQLITE_NOTADB)
            return eaf__db_error(db, EAF_CORRUPT,
                                 "'%s' is not an index (not an SQLite database)",
                                 db->path);
        if ((rc & 0xFF) == SQLITE_CORRUPT)
            return eaf__db_error(db, EAF_CORRUPT,
                                 "'%s' is damaged (%s): restore it from a copy, or "
                                 "rebuild it", db->path, sqlite3_errmsg(db->sql));
        return eaf__db_sqlerr(db, rc, "reading the index");
    }
    return EAF_OK;
}

/* The schema: made in an empty file when creating, else checked; the index's
 * language must be the one asked for, if any. */
static eaf_status open_schema(eaf_db *db, const eaf_open_options *o, int readonly, int create,
                              int empty)
{
    eaf__schema_file file = { NULL };
    eaf_status st;

    file.sql = db->sql;
    file.path = db->path;
    file.readonly = (db->flags & EAF_OPEN_READONLY) != 0;
    file.err = &db->err;
    if (empty) {
        if (!create)
            return eaf__db_error(db, readonly ? EAF_SCHEMA : EAF_NOTFOUND,
                                 "'%s' is an empty database, not an index",
                                 db->path);
        st = eaf__schema_create(&file, o->language ? o->language : "english");
    } else {
        st = eaf__schema_check(&file);
    }
    db->language = file.language;
    db->schema_version = file.version;
    /* (a new index may have been made by another handle meanwhile) */
    if (st == EAF_OK && o->language && strcmp(o->language, db->language) != 0)
        st = eaf__db_error(db, EAF_MISUSE, "'%s' is an index in '%s', not '%s'",
                           db->path, db->language, o->language);
    return st;
}

/* SQLite's settings for a reader or a writer. */
static void tune_connection(eaf_db *db, int readonly)
{
    /* WAL with synchronous=NORMAL: a crash loses at most the last commits,
     * never the index. */
    if (!readonly)
        sqlite3_exec(db->sql, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    /* A writer keeps 16 MB of pages (SQLite's default is 2 MB): the pages
     * of a batch's postings and b-trees, written and re-read until the
     * commit, would otherwise go through the log. */
    if (!readonly)
        sqlite3_exec(db->sql, "PRAGMA cache_size=-16384", NULL, NULL, NULL);
    /* A writer keeps its statements' journal in memory: each article is
     * stored under a savepoint, whose journal holds the pages it changes
     * (about 11 of them, each written to the journal's file, 45 KB an
     * article), and SQLite empties it when the savepoint ends.  Kept in
     * memory, it is never written to a file, and it never spills to one,
     * which is where SQLite 3.40 failed (configure_sqlite()).  The
     * Wikipedia sections into 2 shards: 5% less time, a third less system
     * time, the same peak memory.  Its temporary tables, and those SQLite
     * makes for DISTINCT and IN lists, are then held in memory too: the
     * million generated articles indexed into 2 shards with their related
     * lists (a count(DISTINCT) over a million marks) peaked at the same
     * 360 MB as before. */
    if (!readonly)
        sqlite3_exec(db->sql, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
    /* A reader maps the file rather than copying its pages in (a search
     * touches many): up to 1 GB of it.  Not a writer, whose resident
     * memory would grow with every page it wrote. */
    if (readonly)
        sqlite3_exec(db->sql, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
}

static eaf_status open_handle(eaf_db *db, const eaf_open_options *o)
{
    int readonly = (o->flags & EAF_OPEN_READONLY) != 0;
    int create = !readonly && (o->flags & EAF_OPEN_CREATE);
    int sqlflags, empty, busy_ms;
    eaf_status st;

    st = check_target(db, o, create);
    if (st != EAF_OK)
        return st;
    busy_ms = o->busy_timeout_ms == 0 ? DEFAULT_BUSY_MS
              : o->busy_timeout_ms < 0 ? 0
                                       : o->busy_timeout_ms;
    sqlflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    sqlflags |= readonly ? SQLITE_OPEN_READONLY
                         : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0));
    st = connect(db, db->path, sqlflags, busy_ms);
    if (st != EAF_OK)
        return st;
    /* SQLite opens a file it may not write read-only, and says so at the
     * first write: say it now */
    if (!readonly && sqlite3_db_readonly(db->sql, "main") == 1)
        return eaf__db_error(db, EAF_READONLY,
                             "cannot write to the index '%s' (%s): open it read-only",
                             db->path, access(db->path, W_OK) != 0 ? strerror(errno)
                                                                  : "read-only file system");
    /* the file exists now: the lock comes before the first look at it,
     * so that two writers creating one index make it once */
    if (!readonly && (o->flags & EAF_OPEN_LOCK) &&
        (st = take_writer_lock(db, busy_ms)) != EAF_OK)
        return st;
    /* a writer leaves the log and its index beside the file when it closes,
     * for readers who cannot make them (see eafsearch.h) */
    if (!readonly) {
        int persist = 1;
        sqlite3_file_control(db->sql, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    }
    st = first_read(db, readonly, sqlflags, busy_ms, &empty);
    if (st == EAF_OK)
        st = open_schema(db, o, readonly, create, empty);
    if (st != EAF_OK)
        return st;
    tune_connection(db, readonly);
    return EAF_OK;
}

eaf_status eaf__db_open_options(eaf_open_options *o, const eaf_open_options *opts,
                                char **errmsg_out)
{
    char msg[128];

    if (eaf__options_read(o, opts, &eaf__open_options_layout, msg, sizeof(msg)) != EAF_OK) {
        if (errmsg_out)
            *errmsg_out = eaf__strdup(msg);
        return EAF_MISUSE;
    }
    pthread_once(&configure_once, configure_sqlite);
    return EAF_OK;
}

eaf_status eaf__db_open_file(eaf_db **out, const char *path, const eaf_open_options *opts,
                             char **errmsg_out)
{
    eaf_db *db;
    eaf_status st;

    db = eaf__calloc(1, sizeof(*db));
    if (!db)
        return EAF_NOMEM;
    db->err_offset = -1;
    db->lock_fd = -1;
    db->flags = opts->flags;
    db->path = eaf__strdup(path);
    if (!db->path) {
        close_handle(db);
        return EAF_NOMEM;
    }
    st = open_handle(db, opts);
    if (st != EAF_OK) {
        if (errmsg_out)
            *errmsg_out = eaf__strdup(eaf_db_errmsg(db));
        close_handle(db);
        return st;
    }
    *out = db;
    return EAF_OK;
}

/* A handle over an empty in-memory database: the set handle (shard.c). */
eaf_status eaf__db_open_empty(eaf_db **out, const char *path, unsigned flags)
{
    eaf_db *db = eaf__calloc(1, sizeof(*db));
    int rc;

    *out = NULL;
    if (!db)
        return EAF_NOMEM;
    db->err_offset = -1;
    db->lock_fd = -1;
    db->flags = flags;
    db->path = eaf__strdup(path);
    rc = sqlite3_open_v2(":memory:", &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (!db->path || rc != SQLITE_OK) {
        close_handle(db);
        return EAF_NOMEM;
    }
    *out = db;
    return EAF_OK;
}

eaf_status eaf_db_close(eaf_db *db)
{
    if (!db)
        return EAF_OK;
    /* as sqlite3_close_v2(): the searches and lists still open keep the
     * handle until the last of them is freed (eaf__db_snapshot_end) */
    if (db->children > 0) {
        db->closing = 1;
        return EAF_OK;
    }
    close_handle(db);
    return EAF_OK;
}

/* ---- transactions -------------------------------------------------------- */

eaf_status eaf__db_snapshot_begin(eaf_db *db)
{
    int rc;

    if (db->in_txn || db->read_txn || db->children > 0 || !sqlite3_get_autocommit(db->sql))
        return EAF_OK;
    /* deferred: the snapshot is taken by the first read, and kept */
    rc = sqlite3_exec(db->sql, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "starting to read");
    db->read_txn = 1;
    return EAF_OK;
}

void eaf__db_snapshot_end(eaf_db *db)
{
    if (db->children > 0)
        return;
    if (db->read_txn) {
        db->read_txn = 0;
        /* a read transaction: ending it cannot fail in a way that loses data */
        sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
    }
    if (db->closing)
        close_handle(db);
}

void eaf__db_release(eaf_db *db)
{
    db->children--;
    eaf__db_snapshot_end(db);
}

/* Before a write: the searches' read transaction, if any, ends. */
static void end_snapshot_for_write(eaf_db *db)
{
    if (!db->read_txn)
        return;
    db->read_txn = 0;
    sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
}

static eaf_status check_writable(eaf_db *db)
{
    if (db->flags & EAF_OPEN_READONLY)
        return eaf__db_error(db, EAF_READONLY, "the index '%s' is open read-only",
                             db->path);
    return EAF_OK;
}

eaf_status eaf_db_begin(eaf_db *db)
{
    int rc;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (db->in_txn)
        return eaf__db_error(db, EAF_MISUSE, "a transaction is already open");
    if (check_writable(db) != EAF_OK)
        return EAF_READONLY;
    end_snapshot_for_write(db);
    rc = sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "starting a transaction");
    db->in_txn = 1;
    db->changes_at_begin = sqlite3_total_changes64(db->sql);
    return EAF_OK;
}

eaf_status eaf_db_commit(eaf_db *db)
{
    eaf_status st;
    int rc;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (!db->in_txn)
        return eaf__db_error(db, EAF_MISUSE, "no transaction is open");
    st = eaf__db_fts_sync(db);
    if (st == EAF_OK)
        st = bump_generation(db);
    if (st == EAF_OK) {
        rc = sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            st = eaf__db_sqlerr(db, rc, "committing");
    }
    if (st != EAF_OK) {
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
        db->have_vocab = 0;
    }
    db->in_txn = 0;
    db->fts_lo = db->fts_hi = 0;
    eaf__prep_set_clear(&db->prep);
    return st;
}

eaf_status eaf_db_rollback(eaf_db *db)
{
    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (!db->in_txn)
        return eaf__db_error(db, EAF_MISUSE, "no transaction is open");
    sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    db->in_txn = 0;
    db->fts_lo = db->fts_hi = 0;
    db->have_vocab = 0;
    eaf__prep_set_clear(&db->prep);
    return EAF_OK;
}

eaf_status eaf__db_begin_write(eaf_db *db)
{
    int rc;

    if (check_writable(db) != EAF_OK)
        return EAF_READONLY;
    end_snapshot_for_write(db);
    rc = sqlite3_exec(db->sql, db->in_txn ? "SAVEPOINT eaf_write" : "BEGIN IMMEDIATE",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "starting to write");
    if (!db->in_txn)
        db->changes_at_begin = sqlite3_total_changes64(db->sql);
    db->fts_lo_saved = db->fts_lo;
    db->fts_hi_saved = db->fts_hi;
    return EAF_OK;
}

eaf_status eaf__db_end_write(eaf_db *db, eaf_status st)
{
    int rc;

    if (st != EAF_OK) {
        /* what the write added to fts (a sync inside it) is undone too,
         * and a temporary table made inside it is gone with it */
        db->fts_lo = db->fts_lo_saved;
        db->fts_hi = db->fts_hi_saved;
        db->have_vocab = 0;
    }
    if (db->in_txn) {
        if (st != EAF_OK)
            sqlite3_exec(db->sql, "ROLLBACK TO eaf_write", NULL, NULL, NULL);
        sqlite3_exec(db->sql, "RELEASE eaf_write", NULL, NULL, NULL);
        return st;
    }
    if (st == EAF_OK)
        st = eaf__db_fts_sync(db);
    if (st == EAF_OK)
        st = bump_generation(db);
    if (st != EAF_OK) {
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
        db->fts_lo = db->fts_hi = 0;
        db->have_vocab = 0;
        eaf__prep_set_clear(&db->prep);
        return st;
    }
    rc = sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        st = eaf__db_sqlerr(db, rc, "committing");
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
        db->have_vocab = 0;
    }
    eaf__prep_set_clear(&db->prep);
    return st;
}

eaf_status eaf_db_optimize(eaf_db *db)
{
    eaf_status st;
    int rc, own;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    own = !db->in_txn;
    st = eaf__db_begin_write(db);
    if (st != EAF_OK)
        return st;
    st = eaf__db_fts_sync(db);
    if (st == EAF_OK) {
        rc = sqlite3_exec(db->sql, "INSERT INTO fts(fts) VALUES('optimize')", NULL, NULL,
                          NULL);
        if (rc != SQLITE_OK)
            st = eaf__db_sqlerr(db, rc, "optimizing the index");
    }
    st = eaf__db_end_write(db, st);
    /* the rewritten index is all in the log: move it into the file now
     * rather than at the last close, and give the log's space back */
    if (st == EAF_OK && own)
        eaf__db_truncate_log(db);
    return st;
}

void eaf__db_truncate_log(eaf_db *db)
{
    /* a reader still on an old snapshot makes it fail (busy): the log is
     * then checkpointed as usual, later */
    sqlite3_exec(db->sql, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
}

void eaf__db_fts_add(eaf_db *db, sqlite3_int64 id)
{
    if (db->fts_hi == 0 || id < db->fts_lo)
        db->fts_lo = id;
    if (id > db->fts_hi)
        db->fts_hi = id;
}

eaf_status eaf__db_fts_sync(eaf_db *db)
{
    sqlite3_stmt *st;
    int rc;

    if (db->fts_hi == 0)
        return EAF_OK;
    st = eaf__db_stmt(db, EAF__STMT_FTS_ADD);
    if (!st) {
        /* the status of the failure recorded: EAF_NOMEM when out of memory */
        eaf_status failed = eaf__db_status(db, sqlite3_errcode(db->sql));
        return failed == EAF_OK ? EAF_ERROR : failed;
    }
    sqlite3_bind_int64(st, 1, db->fts_lo);
    sqlite3_bind_int64(st, 2, db->fts_hi);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return eaf__db_sqlerr(db, rc, "indexing the new articles");
    db->fts_lo = db->fts_hi = 0;
    /* what was prepared and not replayed was stored and then changed */
    eaf__prep_set_clear(&db->prep);
    return EAF_OK;
}
